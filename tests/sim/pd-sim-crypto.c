/* pd-sim-crypto.c — throw-away certificates and password hashes for printdeck-sim
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real printer presents a leaf certificate whose subject is CN=<serial>,
 * signed by Bambu's CA. The simulator makes the same shape with its own CA,
 * generated in-process with OpenSSL 3 (running the openssl tool per printer
 * would cost a fork and, for RSA, a quarter of a second each).
 *
 * Like the real ones, the leaf certificates carry no subjectAltName: a client
 * that checks the host name against 127.0.0.1 must fail exactly as it fails
 * against a printer at 192.168.1.50.
 *
 * Password lines are written in mosquitto 2.0's own format (PBKDF2-SHA512,
 * 101 iterations, 12-byte salt: "user:$7$101$salt$hash"), which saves one
 * mosquitto_passwd process per printer and per refuse/unrefuse.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pd-sim-crypto.h"

struct _PdSimCa
{
  PdSimKeyType key_type;
  EVP_PKEY    *key;
  X509        *cert;
  char        *pem;
  gint64       busy_usec; /* spent making keys and certificates */
};

/* Ten years, as on the printers. */
#define VALIDITY_SECONDS (10L * 365 * 24 * 3600)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)

/* Turns OpenSSL's error queue into a GError, emptying the queue. */
static gboolean
set_openssl_error (GError    **error,
                   const char *what)
{
  unsigned long code = ERR_get_error ();
  char          text[256] = "unknown error";

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();

  g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_CRYPTO, "%s: %s", what, text);
  return FALSE;
}

static EVP_PKEY *
generate_key (PdSimKeyType key_type,
              GError     **error)
{
  EVP_PKEY *key;

  switch (key_type)
    {
    case PD_SIM_KEY_RSA:
      key = EVP_RSA_gen (2048);
      break;
    case PD_SIM_KEY_EC:
    default:
      key = EVP_EC_gen ("P-256");
      break;
    }

  if (key == NULL)
    set_openssl_error (error, "cannot generate a key");

  return key;
}

static gboolean
add_extension (X509       *cert,
               X509V3_CTX *ctx,
               int         nid,
               const char *value)
{
  X509_EXTENSION *ext = X509V3_EXT_nconf_nid (NULL, ctx, nid, value);
  gboolean        ok;

  if (ext == NULL)
    return FALSE;
  ok = X509_add_ext (cert, ext, -1) == 1;
  X509_EXTENSION_free (ext);

  return ok;
}

/* Makes a certificate for @key named @common_name, signed by @issuer_key.
 * @issuer is NULL for the self-signed CA.
 */
static X509 *
make_certificate (EVP_PKEY   *key,
                  const char *common_name,
                  X509       *issuer,
                  EVP_PKEY   *issuer_key,
                  GError    **error)
{
  g_autoptr (X509)   cert = X509_new ();
  g_autoptr (BIGNUM) serial = BN_new ();
  X509_NAME         *name;
  X509V3_CTX         ctx;
  gboolean           is_ca = issuer == NULL;

  if (cert == NULL || serial == NULL)
    {
      set_openssl_error (error, "out of memory");
      return NULL;
    }

  /* A random positive 63-bit serial: two certificates of one run never
   * share one, which some TLS stacks would hold against them.
   */
  if (X509_set_version (cert, X509_VERSION_3) != 1 ||
      BN_rand (serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) == NULL ||
      X509_gmtime_adj (X509_getm_notBefore (cert), -24 * 3600) == NULL ||
      X509_gmtime_adj (X509_getm_notAfter (cert), VALIDITY_SECONDS) == NULL ||
      X509_set_pubkey (cert, key) != 1)
    {
      set_openssl_error (error, "cannot fill in a certificate");
      return NULL;
    }

  name = X509_get_subject_name (cert);
  if (X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8,
                                  (const unsigned char *) common_name, -1, -1, 0) != 1 ||
      X509_set_issuer_name (cert, is_ca ? name : X509_get_subject_name (issuer)) != 1)
    {
      set_openssl_error (error, "cannot name a certificate");
      return NULL;
    }

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, is_ca ? cert : issuer, cert, NULL, NULL, 0);

  if (is_ca)
    {
      if (!add_extension (cert, &ctx, NID_basic_constraints, "critical,CA:TRUE") ||
          !add_extension (cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
          !add_extension (cert, &ctx, NID_subject_key_identifier, "hash"))
        {
          set_openssl_error (error, "cannot add the CA extensions");
          return NULL;
        }
    }
  else
    {
      if (!add_extension (cert, &ctx, NID_basic_constraints, "CA:FALSE") ||
          !add_extension (cert, &ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
          !add_extension (cert, &ctx, NID_ext_key_usage, "serverAuth") ||
          !add_extension (cert, &ctx, NID_subject_key_identifier, "hash") ||
          !add_extension (cert, &ctx, NID_authority_key_identifier, "keyid:always"))
        {
          set_openssl_error (error, "cannot add the certificate extensions");
          return NULL;
        }
    }

  if (X509_sign (cert, issuer_key, EVP_sha256 ()) == 0)
    {
      set_openssl_error (error, "cannot sign a certificate");
      return NULL;
    }

  return g_steal_pointer (&cert);
}

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long  len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, (gsize) MAX (len, 0));
}

static char *
cert_to_pem (X509    *cert,
             GError **error)
{
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  if (bio == NULL || PEM_write_bio_X509 (bio, cert) != 1)
    {
      set_openssl_error (error, "cannot write a certificate");
      return NULL;
    }

  return bio_to_string (bio);
}

static char *
key_to_pem (EVP_PKEY *key,
            GError  **error)
{
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  if (bio == NULL || PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) != 1)
    {
      set_openssl_error (error, "cannot write a private key");
      return NULL;
    }

  return bio_to_string (bio);
}

/* The SHA-256 of the certificate's DER, as browsers and `openssl x509
 * -fingerprint -sha256` show it.
 */
static char *
cert_fingerprint (X509 *cert)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int  len = 0;
  GString      *out;

  if (X509_digest (cert, EVP_sha256 (), md, &len) != 1)
    return NULL;

  out = g_string_sized_new (len * 3);
  for (unsigned int i = 0; i < len; i++)
    g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", md[i]);

  return g_string_free (out, FALSE);
}

/**
 * pd_sim_ca_new:
 * @key_type: the kind of key for the CA and every certificate it issues
 * @common_name: the CA's name
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): a new self-signed CA
 */
PdSimCa *
pd_sim_ca_new (PdSimKeyType key_type,
               const char  *common_name,
               GError     **error)
{
  g_autoptr (EVP_PKEY) key = NULL;
  g_autoptr (X509)     cert = NULL;
  PdSimCa             *ca;
  char                *pem;
  gint64               start = g_get_monotonic_time ();

  g_return_val_if_fail (common_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((key = generate_key (key_type, error)) == NULL ||
      (cert = make_certificate (key, common_name, NULL, key, error)) == NULL ||
      (pem = cert_to_pem (cert, error)) == NULL)
    return NULL;

  ca = g_new0 (PdSimCa, 1);
  ca->key_type = key_type;
  ca->key = g_steal_pointer (&key);
  ca->cert = g_steal_pointer (&cert);
  ca->pem = pem;
  ca->busy_usec = g_get_monotonic_time () - start;

  return ca;
}

void
pd_sim_ca_free (PdSimCa *ca)
{
  if (ca == NULL)
    return;

  EVP_PKEY_free (ca->key);
  X509_free (ca->cert);
  g_free (ca->pem);
  g_free (ca);
}

/**
 * pd_sim_ca_get_pem:
 *
 * Returns: the CA certificate, PEM
 */
const char *
pd_sim_ca_get_pem (PdSimCa *ca)
{
  g_return_val_if_fail (ca != NULL, NULL);

  return ca->pem;
}

/**
 * pd_sim_ca_get_seconds:
 *
 * Returns: the time spent making the CA and every certificate it issued
 */
double
pd_sim_ca_get_seconds (PdSimCa *ca)
{
  g_return_val_if_fail (ca != NULL, 0);

  return (double) ca->busy_usec / G_USEC_PER_SEC;
}

/**
 * pd_sim_ca_issue:
 * @ca: the issuing CA
 * @common_name: the subject's CN (a printer's serial)
 * @error: return location for a #GError
 *
 * Makes a new key and a server certificate for it, signed by @ca.
 *
 * Returns: (transfer full) (nullable): the certificate, key and fingerprint
 */
PdSimCert *
pd_sim_ca_issue (PdSimCa    *ca,
                 const char *common_name,
                 GError    **error)
{
  g_autoptr (EVP_PKEY)  key = NULL;
  g_autoptr (X509)      cert = NULL;
  g_autoptr (PdSimCert) out = g_new0 (PdSimCert, 1);
  gint64                start = g_get_monotonic_time ();

  g_return_val_if_fail (ca != NULL, NULL);
  g_return_val_if_fail (common_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((key = generate_key (ca->key_type, error)) == NULL ||
      (cert = make_certificate (key, common_name, ca->cert, ca->key, error)) == NULL ||
      (out->cert_pem = cert_to_pem (cert, error)) == NULL ||
      (out->key_pem = key_to_pem (key, error)) == NULL)
    return NULL;

  if ((out->fingerprint = cert_fingerprint (cert)) == NULL)
    {
      set_openssl_error (error, "cannot hash a certificate");
      return NULL;
    }

  ca->busy_usec += g_get_monotonic_time () - start;

  return g_steal_pointer (&out);
}

void
pd_sim_cert_free (PdSimCert *cert)
{
  if (cert == NULL)
    return;

  g_free (cert->cert_pem);
  if (cert->key_pem != NULL)
    {
      /* Throw-away keys, but there is no reason to leave them in freed memory. */
      memset (cert->key_pem, 0, strlen (cert->key_pem));
      g_free (cert->key_pem);
    }
  g_free (cert->fingerprint);
  g_free (cert);
}

/**
 * pd_sim_password_line:
 * @user: a user name (no ':')
 * @password: the password
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): one line of a mosquitto password
 *   file, with its newline
 */
char *
pd_sim_password_line (const char *user,
                      const char *password,
                      GError    **error)
{
  /* The values mosquitto_passwd 2.0 uses (src/password_mosq.c). */
  enum
  {
    SALT_LEN = 12,
    HASH_LEN = 64,
    ITERATIONS = 101,
  };
  unsigned char    salt[SALT_LEN];
  unsigned char    hash[HASH_LEN];
  g_autofree char *salt64 = NULL;
  g_autofree char *hash64 = NULL;

  g_return_val_if_fail (user != NULL && strchr (user, ':') == NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);

  if (RAND_bytes (salt, sizeof salt) != 1 ||
      PKCS5_PBKDF2_HMAC (password, (int) strlen (password), salt, sizeof salt,
                         ITERATIONS, EVP_sha512 (), sizeof hash, hash) != 1)
    {
      set_openssl_error (error, "cannot hash a password");
      return NULL;
    }

  salt64 = g_base64_encode (salt, sizeof salt);
  hash64 = g_base64_encode (hash, sizeof hash);

  return g_strdup_printf ("%s:$7$%d$%s$%s\n", user, ITERATIONS, salt64, hash64);
}
