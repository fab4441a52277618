/* pd-mirror-cert.c — the mirror's own TLS certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made with OpenSSL (a dependency of the core already), loaded by GIO's TLS
 * backend. The pair is checked with OpenSSL before use: a certificate that
 * does not parse, a key that is not its key, or one that expires within a
 * month is replaced, so that the mirror never fails to start over its own
 * files. The key never leaves this computer and is only ever in memory that
 * is cleared after use.
 */

#define G_LOG_DOMAIN "pd-mirror-cert"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pd-cert-policy.h"
#include "pd-mirror-cert.h"

#define COMMON_NAME     "Printdeck mirror"
#define VALID_DAYS      (5 * 365 + 1)
#define RENEW_DAYS      30   /* a certificate this close to its end is replaced */
#define CLOCK_SKEW_SECS 3600 /* a phone whose clock is a little behind still accepts it */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

/* Holds key material: cleared before it is freed. */
typedef struct
{
  char *data;
  gsize length;
} Secret;

static void
secret_clear (Secret *secret)
{
  if (secret->data != NULL)
    {
      OPENSSL_cleanse (secret->data, secret->length);
      g_free (secret->data);
    }
  secret->data = NULL;
  secret->length = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Secret, secret_clear)

/* An encrypted key is not ours: OpenSSL's default would ask on the terminal. */
static int
no_passphrase (char *buf,
               int   size,
               int   rwflag,
               void *data)
{
  return 0;
}

static void
set_openssl_error (GError    **error,
                   const char *what)
{
  unsigned long code = ERR_peek_last_error ();
  char          reason[256] = "";

  if (code != 0)
    ERR_error_string_n (code, reason, sizeof reason);
  ERR_clear_error ();
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s%s%s", what, *reason != '\0' ? ": " : "", reason);
}

/* Loading ----------------------------------------------------------------------*/

/* Checks the pair as OpenSSL sees it: a certificate, its own key, still
 * valid for a while.
 */
static gboolean
check_pair (const Secret *cert_pem,
            const Secret *key_pem,
            GError      **error)
{
  g_autoptr (BIO)      cert_bio = BIO_new_mem_buf (cert_pem->data, (int) cert_pem->length);
  g_autoptr (BIO)      key_bio = BIO_new_mem_buf (key_pem->data, (int) key_pem->length);
  g_autoptr (X509)     cert = NULL;
  g_autoptr (EVP_PKEY) key = NULL;
  time_t               renew_by = time (NULL) + (time_t) RENEW_DAYS * 24 * 3600;

  if (cert_bio == NULL || key_bio == NULL)
    {
      set_openssl_error (error, _("Out of memory"));
      return FALSE;
    }

  cert = PEM_read_bio_X509 (cert_bio, NULL, no_passphrase, NULL);
  if (cert == NULL)
    {
      set_openssl_error (error, _("The certificate file holds no certificate"));
      return FALSE;
    }
  key = PEM_read_bio_PrivateKey (key_bio, NULL, no_passphrase, NULL);
  if (key == NULL)
    {
      set_openssl_error (error, _("The key file holds no usable key"));
      return FALSE;
    }
  if (X509_check_private_key (cert, key) != 1)
    {
      set_openssl_error (error, _("The key is not the certificate's key"));
      return FALSE;
    }
  if (X509_cmp_time (X509_get0_notAfter (cert), &renew_by) <= 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The certificate expires soon"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
read_secret (const char *path,
             Secret     *secret,
             GError    **error)
{
  return g_file_get_contents (path, &secret->data, &secret->length, error);
}

static GTlsCertificate *
certificate_from_pem (const Secret *cert_pem,
                      const Secret *key_pem,
                      GError      **error)
{
  g_auto (Secret)  both = { 0 };
  GTlsCertificate *certificate;

  /* One buffer, certificate then key, as g_tls_certificate_new_from_pem() takes them. */
  both.length = cert_pem->length + 1 + key_pem->length;
  both.data = g_malloc (both.length + 1);
  memcpy (both.data, cert_pem->data, cert_pem->length);
  both.data[cert_pem->length] = '\n';
  memcpy (both.data + cert_pem->length + 1, key_pem->data, key_pem->length);
  both.data[both.length] = '\0';

  certificate = g_tls_certificate_new_from_pem (both.data, (gssize) both.length, error);

  return certificate;
}

static GTlsCertificate *
load_pair (const char *cert_path,
           const char *key_path,
           GError    **error)
{
  g_auto (Secret) cert_pem = { 0 };
  g_auto (Secret) key_pem = { 0 };
  GStatBuf        info;

  if (!read_secret (cert_path, &cert_pem, error) || !read_secret (key_path, &key_pem, error))
    return NULL;
  if (!check_pair (&cert_pem, &key_pem, error))
    return NULL;

  /* A key someone made readable to others is tightened, not thrown away. */
  if (g_stat (key_path, &info) == 0 && (info.st_mode & 0077) != 0)
    {
      g_message ("The mirror's key was readable by others; it is now readable by its owner only");
      g_chmod (key_path, 0600);
    }

  return certificate_from_pem (&cert_pem, &key_pem, error);
}

/* Making -----------------------------------------------------------------------*/

static gboolean
add_extension (X509    *cert,
               int      nid,
               gpointer value,
               gboolean critical)
{
  return X509_add1_ext_i2d (cert, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) == 1;
}

static void
add_dns_name (GENERAL_NAMES *names,
              const char    *dns)
{
  GENERAL_NAME   *name = GENERAL_NAME_new ();
  ASN1_IA5STRING *value = ASN1_IA5STRING_new ();

  ASN1_STRING_set (value, dns, -1);
  GENERAL_NAME_set0_value (name, GEN_DNS, value);
  sk_GENERAL_NAME_push (names, name);
}

static void
add_ip_address (GENERAL_NAMES *names,
                const char    *address)
{
  GENERAL_NAME      *name = GENERAL_NAME_new ();
  ASN1_OCTET_STRING *value = a2i_IPADDRESS (address);

  g_assert (value != NULL);
  GENERAL_NAME_set0_value (name, GEN_IPADD, value);
  sk_GENERAL_NAME_push (names, name);
}

/* What a certificate may name: letters, digits, '-' and '.', as DNS has
 * them. Other host names (an IP address, "localhost", something odd from a
 * misconfigured machine) are left out rather than mangled.
 */
static gboolean
is_dns_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 253 || name[0] == '-' || name[0] == '.' || name[length - 1] == '.')
    return FALSE;
  if (g_ascii_strcasecmp (name, "localhost") == 0 || g_hostname_is_ip_address (name))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;

  return TRUE;
}

static GENERAL_NAMES *
subject_alt_names (void)
{
  GENERAL_NAMES *names = GENERAL_NAMES_new ();
  const char    *host = g_get_host_name ();

  add_dns_name (names, "localhost");
  if (is_dns_name (host))
    {
      add_dns_name (names, host);
      /* what phones reach it by through mDNS */
      if (strchr (host, '.') == NULL)
        {
          g_autofree char *local = g_strconcat (host, ".local", NULL);

          add_dns_name (names, local);
        }
    }
  add_ip_address (names, "127.0.0.1");
  add_ip_address (names, "::1");

  return names;
}

static gboolean
set_random_serial (X509 *cert)
{
  unsigned char bytes[16];
  BIGNUM       *number;
  gboolean      ok;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    return FALSE;
  bytes[0] &= 0x7f; /* positive, as RFC 5280 wants */
  bytes[0] |= 0x40; /* and never shorter than 16 bytes */
  number = BN_bin2bn (bytes, sizeof bytes, NULL);
  ok = number != NULL && BN_to_ASN1_INTEGER (number, X509_get_serialNumber (cert)) != NULL;
  BN_free (number);

  return ok;
}

static X509 *
make_certificate (EVP_PKEY *key,
                  GError  **error)
{
  g_autoptr (X509)    cert = X509_new ();
  X509_NAME          *name;
  BASIC_CONSTRAINTS  *constraints = NULL;
  ASN1_BIT_STRING    *usage = NULL;
  EXTENDED_KEY_USAGE *extended = NULL;
  GENERAL_NAMES      *names = NULL;
  ASN1_OCTET_STRING  *key_id = NULL;
  unsigned char       digest[EVP_MAX_MD_SIZE];
  unsigned int        digest_length = 0;
  gboolean            ok;

  if (cert == NULL || X509_set_version (cert, X509_VERSION_3) != 1 || !set_random_serial (cert) ||
      X509_gmtime_adj (X509_getm_notBefore (cert), -CLOCK_SKEW_SECS) == NULL ||
      X509_time_adj_ex (X509_getm_notAfter (cert), VALID_DAYS, 0, NULL) == NULL ||
      X509_set_pubkey (cert, key) != 1)
    {
      set_openssl_error (error, _("The certificate could not be made"));
      return NULL;
    }

  name = X509_get_subject_name (cert);
  if (X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) COMMON_NAME, -1, -1, 0) != 1 ||
      X509_set_issuer_name (cert, name) != 1)
    {
      set_openssl_error (error, _("The certificate could not be made"));
      return NULL;
    }

  /* A server's certificate, not a CA: it can sign nothing else. */
  constraints = BASIC_CONSTRAINTS_new ();
  constraints->ca = 0;
  usage = ASN1_BIT_STRING_new ();
  ASN1_BIT_STRING_set_bit (usage, 0, 1); /* digitalSignature: ECDHE with an EC key */
  extended = sk_ASN1_OBJECT_new_null ();
  sk_ASN1_OBJECT_push (extended, OBJ_nid2obj (NID_server_auth));
  names = subject_alt_names ();
  key_id = ASN1_OCTET_STRING_new ();

  ok = add_extension (cert, NID_basic_constraints, constraints, TRUE) &&
       add_extension (cert, NID_key_usage, usage, TRUE) &&
       add_extension (cert, NID_ext_key_usage, extended, FALSE) &&
       add_extension (cert, NID_subject_alt_name, names, FALSE) &&
       X509_pubkey_digest (cert, EVP_sha1 (), digest, &digest_length) == 1 &&
       ASN1_OCTET_STRING_set (key_id, digest, (int) digest_length) == 1 &&
       add_extension (cert, NID_subject_key_identifier, key_id, FALSE) &&
       X509_sign (cert, key, EVP_sha256 ()) > 0;

  BASIC_CONSTRAINTS_free (constraints);
  ASN1_BIT_STRING_free (usage);
  sk_ASN1_OBJECT_pop_free (extended, ASN1_OBJECT_free);
  GENERAL_NAMES_free (names);
  ASN1_OCTET_STRING_free (key_id);

  if (!ok)
    {
      set_openssl_error (error, _("The certificate could not be made"));
      return NULL;
    }

  return g_steal_pointer (&cert);
}

/* Copies what a memory BIO holds into a Secret (cleared when freed). */
static void
bio_to_secret (BIO    *bio,
               Secret *secret)
{
  char *data = NULL;
  long  length = BIO_get_mem_data (bio, &data);

  secret->length = length > 0 ? (gsize) length : 0;
  secret->data = g_malloc (secret->length + 1);
  if (secret->length > 0)
    memcpy (secret->data, data, secret->length);
  secret->data[secret->length] = '\0';
}

static GTlsCertificate *
create_pair (const char *dir,
             const char *cert_path,
             const char *key_path,
             GError    **error)
{
  g_autoptr (EVP_PKEY) key = EVP_EC_gen ("P-256");
  g_autoptr (X509)     cert = NULL;
  g_autoptr (BIO)      key_bio = BIO_new (BIO_s_secmem ());
  g_autoptr (BIO)      cert_bio = BIO_new (BIO_s_mem ());
  g_auto (Secret)      key_pem = { 0 };
  g_auto (Secret)      cert_pem = { 0 };

  if (key == NULL || key_bio == NULL || cert_bio == NULL)
    {
      set_openssl_error (error, _("The certificate's key could not be made"));
      return NULL;
    }
  cert = make_certificate (key, error);
  if (cert == NULL)
    return NULL;

  if (PEM_write_bio_PrivateKey (key_bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
      PEM_write_bio_X509 (cert_bio, cert) != 1)
    {
      set_openssl_error (error, _("The certificate could not be made"));
      return NULL;
    }
  bio_to_secret (key_bio, &key_pem);
  bio_to_secret (cert_bio, &cert_pem);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  /* The key first: a certificate without its key is found out and made
   * again, a key alone is never used.
   */
  if (!g_file_set_contents_full (key_path, key_pem.data, (gssize) key_pem.length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error) ||
      !g_file_set_contents_full (cert_path, cert_pem.data, (gssize) cert_pem.length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error))
    return NULL;

  return certificate_from_pem (&cert_pem, &key_pem, error);
}

/* Public API -------------------------------------------------------------------*/

/**
 * pd_mirror_certificate_load_or_create:
 * @dir: the folder of mirror-cert.pem and mirror-key.pem (made if needed)
 * @error: return location for an error
 *
 * Loads the mirror's certificate and key, or makes them when there are
 * none. A pair that cannot be used (unreadable, corrupt, not matching,
 * expiring within a month) is replaced by a new one, with a message in the
 * log; so the fingerprint changes only then. Blocking, but quick: an EC key
 * takes about a millisecond to make.
 *
 * Returns: (transfer full): the certificate with its private key, or %NULL
 *   when the files cannot be written
 */
GTlsCertificate *
pd_mirror_certificate_load_or_create (const char *dir,
                                      GError    **error)
{
  g_autofree char   *cert_path = NULL;
  g_autofree char   *key_path = NULL;
  g_autoptr (GError) local_error = NULL;
  GTlsCertificate   *certificate;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cert_path = g_build_filename (dir, PD_MIRROR_CERT_FILE, NULL);
  key_path = g_build_filename (dir, PD_MIRROR_KEY_FILE, NULL);

  certificate = load_pair (cert_path, key_path, &local_error);
  if (certificate != NULL)
    return certificate;

  if (g_file_test (cert_path, G_FILE_TEST_EXISTS) || g_file_test (key_path, G_FILE_TEST_EXISTS))
    g_message ("The mirror's certificate in %s cannot be used (%s); making a new one", dir, local_error->message);
  else
    g_debug ("No mirror certificate in %s yet; making one", dir);

  return create_pair (dir, cert_path, key_path, error);
}

/**
 * pd_mirror_certificate_dup_fingerprint:
 * @certificate: a certificate
 *
 * Returns: (transfer full) (nullable): its SHA-256 fingerprint, "AB:CD:…",
 *   as browsers show it
 */
char *
pd_mirror_certificate_dup_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GBytes)     bytes = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  bytes = g_bytes_new (der->data, der->len);

  return pd_cert_fingerprint (bytes);
}
