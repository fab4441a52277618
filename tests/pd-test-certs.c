/* pd-test-certs.c — throw-away CAs and certificates for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pd-test-certs.h"

struct _PdTestCert
{
  EVP_PKEY *key;
  X509     *cert;
};

static void
add_extension (X509       *cert,
               X509       *issuer,
               int         nid,
               const char *value)
{
  X509V3_CTX       ctx;
  X509_EXTENSION  *ext;

  X509V3_set_ctx_nodb (&ctx);
  X509V3_set_ctx (&ctx, issuer, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  g_assert_nonnull (ext);
  X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
}

static PdTestCert *
make_cert (PdTestCert *issuer,
           const char *common_name,
           gboolean    is_ca)
{
  PdTestCert *self = g_new0 (PdTestCert, 1);
  X509_NAME  *name;

  self->key = EVP_EC_gen ("P-256");
  g_assert_nonnull (self->key);

  self->cert = X509_new ();
  X509_set_version (self->cert, 2);
  ASN1_INTEGER_set (X509_get_serialNumber (self->cert), (long) g_random_int_range (1, G_MAXINT32));
  X509_gmtime_adj (X509_getm_notBefore (self->cert), -3600);
  X509_gmtime_adj (X509_getm_notAfter (self->cert), 3600L * 24 * 365);
  X509_set_pubkey (self->cert, self->key);

  name = X509_get_subject_name (self->cert);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) common_name, -1, -1, 0);
  X509_set_issuer_name (self->cert, issuer != NULL ? X509_get_subject_name (issuer->cert) : name);

  if (is_ca)
    {
      add_extension (self->cert, issuer != NULL ? issuer->cert : self->cert, NID_basic_constraints, "critical,CA:TRUE");
      add_extension (self->cert, issuer != NULL ? issuer->cert : self->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    }

  g_assert_cmpint (X509_sign (self->cert, issuer != NULL ? issuer->key : self->key, EVP_sha256 ()), >, 0);

  return self;
}

PdTestCert *
pd_test_cert_new_ca (const char *common_name)
{
  return make_cert (NULL, common_name, TRUE);
}

PdTestCert *
pd_test_cert_new_intermediate (PdTestCert *issuer,
                               const char *common_name)
{
  return make_cert (issuer, common_name, TRUE);
}

PdTestCert *
pd_test_cert_new_leaf (PdTestCert *issuer,
                       const char *common_name)
{
  return make_cert (issuer, common_name, FALSE);
}

GBytes *
pd_test_cert_get_der (PdTestCert *self)
{
  unsigned char *der = NULL;
  int            len = i2d_X509 (self->cert, &der);
  GBytes        *bytes;

  g_assert_cmpint (len, >, 0);
  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);

  return bytes;
}

void
pd_test_cert_free (PdTestCert *self)
{
  X509_free (self->cert);
  EVP_PKEY_free (self->key);
  g_free (self);
}
