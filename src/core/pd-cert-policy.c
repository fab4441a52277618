/* pd-cert-policy.c — one rule for trusting a printer's certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Printers are reached by IP address but their certificates name the
 * printer's serial, so hostname checks cannot work; peers switch
 * verification off entirely. We verify the chain against Bambu's CAs
 * (data/certs/) and compare the CN with the serial instead, and pin the
 * fingerprint of anything that cannot be verified that way (a printer with
 * an older certificate, a farm's MQTT bridge, the simulator).
 *
 * Plain functions on DER bytes, so that OpenSSL (libmosquitto, libcurl) and
 * GIO (GTlsCertificate) transports can all call it. Thread-safe: the MQTT
 * verify callback runs on the session's thread.
 */

#define G_LOG_DOMAIN "pd-cert-policy"

#include "config.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <string.h>

#include "pd-cert-policy-private.h"
#include "pd-core-resources.h"
#include "pd-text.h"

typedef struct
{
  X509_STORE     *roots;
  STACK_OF (X509) *intermediates;
} BambuCas;

static void
load_pem (const char      *resource_path,
          STACK_OF (X509) *out)
{
  g_autoptr (GBytes) data = NULL;
  g_autoptr (GError) error = NULL;
  BIO  *bio;
  X509 *cert;

  data = g_resource_lookup_data (pd_core_get_resource (), resource_path, 0, &error);
  if (data == NULL)
    g_error ("%s missing from the core resources: %s", resource_path, error->message);

  bio = BIO_new_mem_buf (g_bytes_get_data (data, NULL), (int) g_bytes_get_size (data));
  while ((cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    sk_X509_push (out, cert);
  ERR_clear_error (); /* the end of the file reads as an error */
  BIO_free (bio);
}

static const BambuCas *
bambu_cas (void)
{
  static gsize     initialized;
  static BambuCas  cas;

  if (g_once_init_enter (&initialized))
    {
      STACK_OF (X509) *roots = sk_X509_new_null ();

      cas.roots = X509_STORE_new ();
      cas.intermediates = sk_X509_new_null ();
      load_pem ("/io/github/printdeck/Printdeck/certs/bbl_printer_ca_bundle.pem", roots);
      load_pem ("/io/github/printdeck/Printdeck/certs/bbl_device_intermediate_cas.pem", cas.intermediates);
      for (int i = 0; i < sk_X509_num (roots); i++)
        X509_STORE_add_cert (cas.roots, sk_X509_value (roots, i));
      g_debug ("%d Bambu CAs, %d intermediates", sk_X509_num (roots), sk_X509_num (cas.intermediates));
      sk_X509_pop_free (roots, X509_free);

      g_once_init_leave (&initialized, 1);
    }

  return &cas;
}

/**
 * pd_cert_fingerprint:
 * @der: a certificate, DER encoded
 *
 * Returns: (transfer full): its SHA-256 fingerprint, "AB:CD:…"
 */
char *
pd_cert_fingerprint (GBytes *der)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8   digest[32];
  gsize    len = sizeof digest;
  GString *out = g_string_sized_new (96);

  g_return_val_if_fail (der != NULL, NULL);

  g_checksum_update (sum, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  g_checksum_get_digest (sum, digest, &len);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%s%02X", i > 0 ? ":" : "", digest[i]);

  return g_string_free (out, FALSE);
}

/* Compares fingerprints however they are written: case, ':' or not. */
gboolean
pd_cert_fingerprint_equal (const char *a,
                           const char *b)
{
  if (a == NULL || b == NULL)
    return FALSE;

  return pd_text_equal_loosely (a, b, ": ");
}

gboolean
pd_cert_verdict_is_accepted (PdCertVerdict verdict)
{
  return verdict == PD_CERT_TRUSTED || verdict == PD_CERT_PINNED || verdict == PD_CERT_FIRST_USE;
}

static X509 *
x509_from_der (GBytes *der)
{
  const unsigned char *p = g_bytes_get_data (der, NULL);

  return d2i_X509 (NULL, &p, (long) g_bytes_get_size (der));
}

static char *
common_name (X509 *cert)
{
  char buf[256];
  int  len = X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName, buf, sizeof buf);

  return len > 0 ? g_strndup (buf, len) : NULL;
}

static gboolean
chains_to_bambu (X509            *leaf,
                 STACK_OF (X509) *presented)
{
  const BambuCas  *cas = bambu_cas ();
  STACK_OF (X509) *untrusted = sk_X509_dup (cas->intermediates);
  X509_STORE_CTX  *ctx = X509_STORE_CTX_new ();
  gboolean         ok = FALSE;

  for (int i = 0; presented != NULL && i < sk_X509_num (presented); i++)
    sk_X509_push (untrusted, sk_X509_value (presented, i));

  if (X509_STORE_CTX_init (ctx, cas->roots, leaf, untrusted) == 1)
    ok = X509_verify_cert (ctx) == 1;
  if (!ok)
    g_debug ("not a Bambu chain: %s",
             X509_verify_cert_error_string (X509_STORE_CTX_get_error (ctx)));

  X509_STORE_CTX_free (ctx);
  sk_X509_free (untrusted); /* the certificates belong to their owners */
  ERR_clear_error ();

  return ok;
}

/**
 * pd_cert_policy_check:
 * @leaf_der: the printer's certificate, DER encoded
 * @chain_der: (nullable) (element-type GBytes): other certificates it sent
 * @serial: (nullable): the printer's serial number; %NULL when the caller
 *   does not know it, so that only the pin can vouch for the certificate
 * @pinned_fingerprint: (nullable): the fingerprint pinned for this printer
 * @fingerprint: (out) (optional) (transfer full): the leaf's fingerprint
 * @subject: (out) (optional) (transfer full): the leaf's CN
 *
 * Returns: what to do with the certificate
 */
PdCertVerdict
pd_cert_policy_check (GBytes     *leaf_der,
                      GPtrArray  *chain_der,
                      const char *serial,
                      const char *pinned_fingerprint,
                      char      **fingerprint,
                      char      **subject)
{
  g_autofree char *fp = NULL;
  g_autofree char *cn = NULL;
  STACK_OF (X509) *presented = NULL;
  X509            *leaf;
  PdCertVerdict    verdict;

  g_return_val_if_fail (leaf_der != NULL, PD_CERT_INVALID);

  if ((leaf = x509_from_der (leaf_der)) == NULL)
    {
      ERR_clear_error ();
      return PD_CERT_INVALID;
    }

  fp = pd_cert_fingerprint (leaf_der);
  cn = common_name (leaf);

  presented = sk_X509_new_null ();
  for (guint i = 0; chain_der != NULL && i < chain_der->len; i++)
    {
      X509 *cert = x509_from_der (g_ptr_array_index (chain_der, i));

      if (cert != NULL)
        sk_X509_push (presented, cert);
    }
  ERR_clear_error ();

  /* A certificate Bambu signed for this serial needs no pin (and survives
   * the printer renewing it); one signed for another printer is refused,
   * pinned or not: the address now leads to a different printer.
   */
  /* Without the serial a Bambu chain proves only that it is some printer:
   * the pin decides, as for any other certificate. */
  if (serial != NULL && chains_to_bambu (leaf, presented))
    verdict = (serial != NULL && g_strcmp0 (cn, serial) == 0) ? PD_CERT_TRUSTED : PD_CERT_WRONG_SERIAL;
  else if (pinned_fingerprint != NULL && *pinned_fingerprint != '\0')
    verdict = pd_cert_fingerprint_equal (fp, pinned_fingerprint) ? PD_CERT_PINNED : PD_CERT_CHANGED;
  else
    verdict = PD_CERT_FIRST_USE;

  sk_X509_pop_free (presented, X509_free);
  X509_free (leaf);

  if (fingerprint != NULL)
    *fingerprint = g_steal_pointer (&fp);
  if (subject != NULL)
    *subject = g_steal_pointer (&cn);

  return verdict;
}

/**
 * _pd_cert_policy_add_trusted_root:
 * @der: a CA certificate, DER encoded
 *
 * Trusts @der like Bambu's own CAs. For the tests, which have no
 * certificate Bambu signed.
 *
 * Returns: %TRUE if @der is a certificate
 */
gboolean
_pd_cert_policy_add_trusted_root (GBytes *der)
{
  const BambuCas *cas = bambu_cas ();
  X509           *cert = x509_from_der (der);
  gboolean        ok;

  if (cert == NULL)
    {
      ERR_clear_error ();
      return FALSE;
    }

  ok = X509_STORE_add_cert (cas->roots, cert) == 1;
  X509_free (cert);
  ERR_clear_error ();

  return ok;
}
