/* test-cert-policy.c — when a printer's certificate is trusted
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pd-cert-policy-private.h"
#include "pd-test-certs.h"

#define SERIAL "00M09A350100001"

static void
test_fingerprint (void)
{
  g_autoptr (GBytes) der = g_bytes_new_static ("abc", 3);
  g_autofree char   *fp = pd_cert_fingerprint (der);

  /* SHA-256 of "abc" */
  g_assert_cmpstr (fp, ==,
                   "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD");
  g_assert_true (pd_cert_fingerprint_equal (fp, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  g_assert_true (pd_cert_fingerprint_equal (fp, "BA 78 16 BF 8F 01 CF EA 41 41 40 DE 5D AE 22 23 B0 03 61 A3 96 17 7A 9C B4 10 FF 61 F2 00 15 AD"));
  g_assert_false (pd_cert_fingerprint_equal (fp, "BA:78"));
  g_assert_false (pd_cert_fingerprint_equal (fp, NULL));
}

static void
test_bundled_cas_load (void)
{
  g_autoptr (PdTestCert) ca = pd_test_cert_new_ca ("Not Bambu");
  g_autoptr (PdTestCert) leaf = pd_test_cert_new_leaf (ca, SERIAL);
  g_autoptr (GBytes)     der = pd_test_cert_get_der (leaf);
  g_autofree char       *fp = NULL;
  g_autofree char       *cn = NULL;

  /* Someone else's CA: not verifiable, so pinned on first use. */
  g_assert_cmpint (pd_cert_policy_check (der, NULL, SERIAL, NULL, &fp, &cn), ==, PD_CERT_FIRST_USE);
  g_assert_cmpstr (cn, ==, SERIAL);
  g_assert_cmpuint (strlen (fp), ==, 95);
}

static void
test_pinning (void)
{
  g_autoptr (PdTestCert) ca = pd_test_cert_new_ca ("Simulator CA");
  g_autoptr (PdTestCert) leaf = pd_test_cert_new_leaf (ca, SERIAL);
  g_autoptr (PdTestCert) other = pd_test_cert_new_leaf (ca, SERIAL);
  g_autoptr (GBytes)     der = pd_test_cert_get_der (leaf);
  g_autoptr (GBytes)     other_der = pd_test_cert_get_der (other);
  g_autofree char       *pin = pd_cert_fingerprint (der);
  g_autofree char       *seen = NULL;

  g_assert_cmpint (pd_cert_policy_check (der, NULL, SERIAL, pin, NULL, NULL), ==, PD_CERT_PINNED);
  /* the same name, a new key: refused */
  g_assert_cmpint (pd_cert_policy_check (other_der, NULL, SERIAL, pin, &seen, NULL), ==, PD_CERT_CHANGED);
  g_assert_false (pd_cert_fingerprint_equal (seen, pin));

  g_assert_true (pd_cert_verdict_is_accepted (PD_CERT_PINNED));
  g_assert_true (pd_cert_verdict_is_accepted (PD_CERT_FIRST_USE));
  g_assert_true (pd_cert_verdict_is_accepted (PD_CERT_TRUSTED));
  g_assert_false (pd_cert_verdict_is_accepted (PD_CERT_CHANGED));
  g_assert_false (pd_cert_verdict_is_accepted (PD_CERT_WRONG_SERIAL));
  g_assert_false (pd_cert_verdict_is_accepted (PD_CERT_INVALID));
}

/* A CA trusted like Bambu's: its certificates need the right serial and
 * no pin, and survive a renewal.
 */
static void
test_trusted_chain (void)
{
  g_autoptr (PdTestCert) root = pd_test_cert_new_ca ("Test BBL CA");
  g_autoptr (PdTestCert) intermediate = NULL;
  g_autoptr (PdTestCert) leaf = NULL;
  g_autoptr (PdTestCert) chained = NULL;
  g_autoptr (PdTestCert) stranger = NULL;
  g_autoptr (PdTestCert) evil = NULL;
  g_autoptr (GBytes)     root_der = pd_test_cert_get_der (root);
  g_autoptr (GBytes)     leaf_der = NULL;
  g_autoptr (GBytes)     chained_der = NULL;
  g_autoptr (GBytes)     stranger_der = NULL;
  g_autoptr (GPtrArray)  chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_assert_true (_pd_cert_policy_add_trusted_root (root_der));

  leaf = pd_test_cert_new_leaf (root, SERIAL);
  leaf_der = pd_test_cert_get_der (leaf);
  g_assert_cmpint (pd_cert_policy_check (leaf_der, NULL, SERIAL, NULL, NULL, NULL), ==, PD_CERT_TRUSTED);
  /* a pin of an older certificate does not matter for a verified one */
  g_assert_cmpint (pd_cert_policy_check (leaf_der, NULL, SERIAL, "AA:BB", NULL, NULL), ==, PD_CERT_TRUSTED);
  /* the address now leads to another printer */
  g_assert_cmpint (pd_cert_policy_check (leaf_der, NULL, "01P00A000000002", NULL, NULL, NULL), ==,
                   PD_CERT_WRONG_SERIAL);

  /* through an intermediate that the printer sends */
  intermediate = pd_test_cert_new_intermediate (root, "Test Device CA");
  chained = pd_test_cert_new_leaf (intermediate, SERIAL);
  chained_der = pd_test_cert_get_der (chained);
  g_assert_cmpint (pd_cert_policy_check (chained_der, NULL, SERIAL, NULL, NULL, NULL), ==, PD_CERT_FIRST_USE);
  g_ptr_array_add (chain, pd_test_cert_get_der (intermediate));
  g_assert_cmpint (pd_cert_policy_check (chained_der, chain, SERIAL, NULL, NULL, NULL), ==, PD_CERT_TRUSTED);

  /* same name, unknown CA */
  evil = pd_test_cert_new_ca ("Evil CA");
  stranger = pd_test_cert_new_leaf (evil, SERIAL);
  stranger_der = pd_test_cert_get_der (stranger);
  g_assert_cmpint (pd_cert_policy_check (stranger_der, NULL, SERIAL, NULL, NULL, NULL), ==, PD_CERT_FIRST_USE);
}

/* The bundled CAs are loaded and work: each of Bambu's per-model
 * intermediates verifies against the bundled roots.
 */
static void
test_bundled_bambu_chain (void)
{
  g_autofree char *path = g_build_filename (SOURCE_ROOT, "data", "certs", "bbl_device_intermediate_cas.pem", NULL);
  g_autofree char *pem = NULL;
  g_autoptr (GError) error = NULL;
  BIO             *bio;
  X509            *cert;
  guint            n = 0;

  g_file_get_contents (path, &pem, NULL, &error);
  g_assert_no_error (error);

  bio = BIO_new_mem_buf (pem, -1);
  while ((cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL)) != NULL)
    {
      unsigned char     *der = NULL;
      int                len = i2d_X509 (cert, &der);
      g_autoptr (GBytes) bytes = g_bytes_new (der, len);
      char               cn[256];

      X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName, cn, sizeof cn);
      g_test_message ("%s", cn);
      g_assert_cmpint (pd_cert_policy_check (bytes, NULL, cn, NULL, NULL, NULL), ==, PD_CERT_TRUSTED);
      OPENSSL_free (der);
      X509_free (cert);
      n++;
    }
  BIO_free (bio);
  ERR_clear_error ();

  g_assert_cmpuint (n, ==, 3);
}

static void
test_invalid (void)
{
  g_autoptr (GBytes) junk = g_bytes_new_static ("\x30\x82\x01\x00 not DER", 13);
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);

  g_assert_cmpint (pd_cert_policy_check (junk, NULL, SERIAL, NULL, NULL, NULL), ==, PD_CERT_INVALID);
  g_assert_cmpint (pd_cert_policy_check (empty, NULL, SERIAL, NULL, NULL, NULL), ==, PD_CERT_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cert-policy/fingerprint", test_fingerprint);
  g_test_add_func ("/cert-policy/first-use", test_bundled_cas_load);
  g_test_add_func ("/cert-policy/pinning", test_pinning);
  g_test_add_func ("/cert-policy/invalid", test_invalid);
  g_test_add_func ("/cert-policy/bundled-bambu-chain", test_bundled_bambu_chain);
  /* last: it adds a trusted root to the process */
  g_test_add_func ("/cert-policy/trusted-chain", test_trusted_chain);

  return g_test_run ();
}
