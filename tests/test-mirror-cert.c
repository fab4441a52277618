/* test-mirror-cert.c — the mirror's self-signed certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Made, kept, read back, replaced when broken, and used for real TLS
 * handshakes on loopback: GIO's TLS client trusting it by name, and a
 * libsoup server and session pinning its fingerprint, as a phone would.
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "pd-cert-policy.h"
#include "pd-mirror-cert.h"
#include "pd-test-util.h"

typedef struct
{
  char *dir;
  char *cert_path;
  char *key_path;
} Fixture;

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *parent = g_dir_make_tmp ("printdeck-mirror-cert-XXXXXX", &error);

  g_assert_no_error (error);
  /* a folder that does not exist yet: the first use makes it */
  fixture->dir = g_build_filename (parent, "config", NULL);
  fixture->cert_path = g_build_filename (fixture->dir, PD_MIRROR_CERT_FILE, NULL);
  fixture->key_path = g_build_filename (fixture->dir, PD_MIRROR_KEY_FILE, NULL);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autofree char *parent = g_path_get_dirname (fixture->dir);

  pd_test_remove_tree (parent);
  g_free (fixture->dir);
  g_free (fixture->cert_path);
  g_free (fixture->key_path);
}

static GTlsCertificate *
load (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  GTlsCertificate   *certificate = pd_mirror_certificate_load_or_create (fixture->dir, &error);

  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CERTIFICATE (certificate));
  return certificate;
}

static X509 *
read_x509 (const char *path)
{
  FILE *file = fopen (path, "r");
  X509 *cert;

  g_assert_nonnull (file);
  cert = PEM_read_X509 (file, NULL, NULL, NULL);
  fclose (file);
  g_assert_nonnull (cert);

  return cert;
}

static gboolean
has_san (X509       *cert,
         int         type,
         const char *expected)
{
  GENERAL_NAMES *names = X509_get_ext_d2i (cert, NID_subject_alt_name, NULL, NULL);
  gboolean       found = FALSE;

  for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num (names) && !found; i++)
    {
      GENERAL_NAME *name = sk_GENERAL_NAME_value (names, i);

      if (name->type != type)
        continue;
      if (type == GEN_DNS)
        found = g_strcmp0 ((const char *) ASN1_STRING_get0_data (name->d.dNSName), expected) == 0;
      else
        {
          g_autoptr (GInetAddress) address = g_inet_address_new_from_string (expected);
          gsize                    size = g_inet_address_get_native_size (address);

          found = (gsize) ASN1_STRING_length (name->d.iPAddress) == size &&
                  memcmp (ASN1_STRING_get0_data (name->d.iPAddress), g_inet_address_to_bytes (address), size) == 0;
        }
    }
  GENERAL_NAMES_free (names);

  return found;
}

static void
test_create (Fixture      *fixture,
             gconstpointer data)
{
  g_autoptr (GTlsCertificate) certificate = load (fixture);
  g_autoptr (GDateTime)       not_after = NULL;
  g_autoptr (GDateTime)       now = g_date_time_new_now_utc ();
  g_autofree char            *subject = NULL;
  GStatBuf                    info;
  X509                       *cert;
  EVP_PKEY                   *key;
  BASIC_CONSTRAINTS          *constraints;
  char                        cn[64] = "";

  /* the key for its owner alone; the folder too */
  g_assert_cmpint (g_stat (fixture->key_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (fixture->cert_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0644);
  g_assert_cmpint (g_stat (fixture->dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);

  /* What GIO sees: the key is there, five years to go. */
  {
    g_autoptr (GByteArray) private_key = NULL;

    g_object_get (certificate, "private-key", &private_key, NULL);
    g_assert_nonnull (private_key);
    g_assert_cmpuint (private_key->len, >, 0);
  }
  subject = g_tls_certificate_get_subject_name (certificate);
  g_assert_nonnull (strstr (subject, "CN=Printdeck mirror"));
  not_after = g_tls_certificate_get_not_valid_after (certificate);
  g_assert_cmpint (g_date_time_difference (not_after, now) / G_TIME_SPAN_DAY, >=, 5 * 365 - 1);
  g_assert_cmpint (g_date_time_difference (not_after, now) / G_TIME_SPAN_DAY, <=, 5 * 366);

  /* What OpenSSL sees: an EC P-256 key, a server's certificate, the names. */
  cert = read_x509 (fixture->cert_path);
  key = X509_get0_pubkey (cert);
  g_assert_cmpint (EVP_PKEY_get_base_id (key), ==, EVP_PKEY_EC);
  g_assert_cmpint (EVP_PKEY_get_bits (key), ==, 256);
  {
    char group[32] = "";

    g_assert_cmpint (EVP_PKEY_get_group_name (key, group, sizeof group, NULL), ==, 1);
    g_assert_cmpstr (group, ==, "prime256v1");
  }
  X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName, cn, sizeof cn);
  g_assert_cmpstr (cn, ==, "Printdeck mirror");
  g_assert_cmpint (X509_NAME_cmp (X509_get_subject_name (cert), X509_get_issuer_name (cert)), ==, 0);
  g_assert_cmpint (X509_get_version (cert), ==, X509_VERSION_3);
  constraints = X509_get_ext_d2i (cert, NID_basic_constraints, NULL, NULL);
  g_assert_nonnull (constraints);
  g_assert_false (constraints->ca);
  BASIC_CONSTRAINTS_free (constraints);
  g_assert_true (X509_get_extended_key_usage (cert) & XKU_SSL_SERVER);
  g_assert_true (has_san (cert, GEN_DNS, "localhost"));
  g_assert_true (has_san (cert, GEN_IPADD, "127.0.0.1"));
  g_assert_true (has_san (cert, GEN_IPADD, "::1"));
  g_assert_false (has_san (cert, GEN_IPADD, "10.0.0.1"));
  if (g_hostname_is_ip_address (g_get_host_name ()) || g_ascii_strcasecmp (g_get_host_name (), "localhost") == 0)
    g_test_message ("host name %s is not in the certificate", g_get_host_name ());
  else
    g_assert_true (has_san (cert, GEN_DNS, g_get_host_name ()));
  X509_free (cert);
}

static void
test_reload_same (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (GTlsCertificate) first = load (fixture);
  g_autoptr (GTlsCertificate) second = NULL;
  g_autofree char            *first_fp = pd_mirror_certificate_dup_fingerprint (first);
  g_autofree char            *second_fp = NULL;
  g_autofree char            *cert_before = NULL;
  g_autofree char            *cert_after = NULL;

  g_assert_true (g_file_get_contents (fixture->cert_path, &cert_before, NULL, NULL));
  second = load (fixture);
  second_fp = pd_mirror_certificate_dup_fingerprint (second);
  g_assert_cmpstr (first_fp, ==, second_fp);
  g_assert_true (g_tls_certificate_is_same (first, second));
  /* not written again */
  g_assert_true (g_file_get_contents (fixture->cert_path, &cert_after, NULL, NULL));
  g_assert_cmpstr (cert_before, ==, cert_after);
}

static void
expect_replaced (Fixture    *fixture,
                 const char *old_fingerprint)
{
  g_autoptr (GTlsCertificate) replaced = NULL;
  g_autoptr (GTlsCertificate) again = NULL;
  g_autofree char            *fingerprint = NULL;
  g_autofree char            *again_fp = NULL;
  GStatBuf                    info;

  g_test_expect_message ("pd-mirror-cert", G_LOG_LEVEL_MESSAGE, "*cannot be used*making a new one*");
  replaced = load (fixture);
  g_test_assert_expected_messages ();
  fingerprint = pd_mirror_certificate_dup_fingerprint (replaced);
  g_assert_cmpstr (fingerprint, !=, old_fingerprint);

  /* the new pair on disk, mode 0600 again, and kept */
  g_assert_cmpint (g_stat (fixture->key_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  again = load (fixture);
  again_fp = pd_mirror_certificate_dup_fingerprint (again);
  g_assert_cmpstr (again_fp, ==, fingerprint);
}

static void
test_replace_corrupt (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GTlsCertificate) original = load (fixture);
  g_autofree char            *fingerprint = pd_mirror_certificate_dup_fingerprint (original);
  g_autofree char            *key_pem = NULL;
  g_autoptr (GError)          error = NULL;

  /* a certificate file that is not one */
  g_file_set_contents (fixture->cert_path, "-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n", -1, &error);
  g_assert_no_error (error);
  expect_replaced (fixture, fingerprint);
  g_free (fingerprint);
  {
    g_autoptr (GTlsCertificate) current = load (fixture);

    fingerprint = pd_mirror_certificate_dup_fingerprint (current);
  }

  /* a key that is not the certificate's: another run's */
  g_assert_true (g_file_get_contents (fixture->key_path, &key_pem, NULL, NULL));
  g_unlink (fixture->key_path);
  g_unlink (fixture->cert_path);
  {
    g_autoptr (GTlsCertificate) other = load (fixture);
  }
  g_file_set_contents (fixture->key_path, key_pem, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fingerprint, g_free);
  {
    g_autoptr (GTlsCertificate) mismatched_cert_only = NULL;
    g_autofree char            *cert_pem = NULL;

    g_assert_true (g_file_get_contents (fixture->cert_path, &cert_pem, NULL, NULL));
    mismatched_cert_only = g_tls_certificate_new_from_pem (cert_pem, -1, &error);
    g_assert_no_error (error);
    fingerprint = pd_mirror_certificate_dup_fingerprint (mismatched_cert_only);
  }
  expect_replaced (fixture, fingerprint);

  /* the key gone */
  g_clear_pointer (&fingerprint, g_free);
  {
    g_autoptr (GTlsCertificate) current = load (fixture);

    fingerprint = pd_mirror_certificate_dup_fingerprint (current);
  }
  g_unlink (fixture->key_path);
  expect_replaced (fixture, fingerprint);

  /* an empty key file */
  g_clear_pointer (&fingerprint, g_free);
  {
    g_autoptr (GTlsCertificate) current = load (fixture);

    fingerprint = pd_mirror_certificate_dup_fingerprint (current);
  }
  g_file_set_contents (fixture->key_path, "", 0, &error);
  g_assert_no_error (error);
  expect_replaced (fixture, fingerprint);
}

static void
test_key_mode_tightened (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GTlsCertificate) first = load (fixture);
  g_autoptr (GTlsCertificate) second = NULL;
  GStatBuf                    info;

  g_assert_cmpint (g_chmod (fixture->key_path, 0644), ==, 0);
  g_test_expect_message ("pd-mirror-cert", G_LOG_LEVEL_MESSAGE, "*readable by others*");
  second = load (fixture);
  g_test_assert_expected_messages ();
  g_assert_true (g_tls_certificate_is_same (first, second));
  g_assert_cmpint (g_stat (fixture->key_path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
}

static void
test_unwritable (void)
{
  g_autoptr (GError)          error = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;

  /* a folder where a file is */
  certificate = pd_mirror_certificate_load_or_create ("/dev/null/printdeck", &error);
  g_assert_null (certificate);
  g_assert_nonnull (error);
}

static void
test_fingerprint_format (Fixture      *fixture,
                         gconstpointer data)
{
  g_autoptr (GTlsCertificate) certificate = load (fixture);
  g_autofree char            *fingerprint = pd_mirror_certificate_dup_fingerprint (certificate);
  g_autoptr (GRegex)          format = g_regex_new ("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", 0, 0, NULL);
  g_autoptr (GByteArray)      der = NULL;
  g_autoptr (GBytes)          bytes = NULL;
  g_autofree char            *expected = NULL;
  g_autoptr (GChecksum)       checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char            *hex = NULL;
  g_autofree char            *upper = NULL;

  g_assert_true (g_regex_match (format, fingerprint, 0, NULL));

  /* the SHA-256 of the DER certificate, as browsers show it */
  g_object_get (certificate, "certificate", &der, NULL);
  g_checksum_update (checksum, der->data, der->len);
  hex = g_strdup (g_checksum_get_string (checksum));
  upper = g_ascii_strup (hex, -1);
  g_assert_true (pd_cert_fingerprint_equal (fingerprint, upper));
  bytes = g_bytes_new (der->data, der->len);
  expected = pd_cert_fingerprint (bytes);
  g_assert_cmpstr (fingerprint, ==, expected);
}

/* A real handshake ---------------------------------------------------------------*/

static gboolean
count_accept (GTlsConnection      *connection,
              GTlsCertificate     *peer,
              GTlsCertificateFlags errors,
              gpointer             data)
{
  guint *n = data;

  (*n)++;
  return FALSE;
}

static void
on_server_handshake (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  gboolean *done = data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL);
  *done = TRUE;
}

typedef struct
{
  gboolean done;
  GError  *error;
} Handshake;

static void
on_client_handshake (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Handshake *handshake = data;

  g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &handshake->error);
  handshake->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return *(gboolean *) data;
}

/* GIO on both sides; the client trusts the mirror's certificate (as a
 * phone that installed it would) and checks the name it connects to.
 */
static void
handshake_with_identity (Fixture         *fixture,
                         GTlsCertificate *certificate,
                         const char      *identity,
                         gboolean         expect_ok)
{
  g_autoptr (GError)             error = NULL;
  Handshake                      client = { FALSE, NULL };
  g_autoptr (GSocketListener)    listener = g_socket_listener_new ();
  g_autoptr (GInetAddress)       loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress)     any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress)     bound = NULL;
  g_autoptr (GSocketClient)      socket_client = g_socket_client_new ();
  g_autoptr (GSocketConnection)  client_socket = NULL;
  g_autoptr (GSocketConnection)  server_socket = NULL;
  g_autoptr (GIOStream)          server_tls = NULL;
  g_autoptr (GIOStream)          client_tls = NULL;
  g_autoptr (GTlsDatabase)       database = NULL;
  g_autoptr (GSocketConnectable) server_identity = NULL;
  gboolean                       server_done = FALSE;
  guint                          n_accept = 0;
  guint16                        port;

  g_socket_listener_add_address (listener, any_port, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  client_socket = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, &error);
  g_assert_no_error (error);
  server_socket = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);

  server_tls = g_tls_server_connection_new (G_IO_STREAM (server_socket), certificate, &error);
  g_assert_no_error (error);
  server_identity = g_network_address_new (identity, port);
  client_tls = g_tls_client_connection_new (G_IO_STREAM (client_socket), server_identity, &error);
  g_assert_no_error (error);
  database = g_tls_file_database_new (fixture->cert_path, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (client_tls), database);
  /* called only when the certificate does not verify: it then refuses */
  g_signal_connect (client_tls, "accept-certificate", G_CALLBACK (count_accept), &n_accept);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (server_tls), G_PRIORITY_DEFAULT, NULL, on_server_handshake,
                                    &server_done);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (client_tls), G_PRIORITY_DEFAULT, NULL, on_client_handshake,
                                    &client);
  g_assert_true (pd_test_wait_until (is_done, &client.done, 10));
  /* a refusing client only tells the server by going away */
  if (client.error != NULL)
    g_io_stream_close (client_tls, NULL, NULL);
  g_assert_true (pd_test_wait_until (is_done, &server_done, 10));

  if (expect_ok)
    {
      g_assert_no_error (client.error);
      g_assert_cmpuint (n_accept, ==, 0);
      g_assert_true (g_tls_certificate_is_same (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (client_tls)),
                                                certificate));
    }
  else
    {
      g_assert_error (client.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
      g_assert_cmpuint (n_accept, ==, 1);
      g_clear_error (&client.error);
    }

  g_io_stream_close (client_tls, NULL, NULL);
  g_io_stream_close (server_tls, NULL, NULL);
  g_socket_listener_close (listener);
}

static void
test_handshake_names (Fixture      *fixture,
                      gconstpointer data)
{
  g_autoptr (GTlsCertificate) certificate = load (fixture);

  handshake_with_identity (fixture, certificate, "localhost", TRUE);
  handshake_with_identity (fixture, certificate, "127.0.0.1", TRUE);
  /* a name it was not made for */
  handshake_with_identity (fixture, certificate, "printer.example", FALSE);
}

static void
on_request (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "mirror", 6);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

typedef struct
{
  const char *pin;
  guint       n_asked;
  gboolean    matched;
} Pin;

/* What a client that pinned the fingerprint does: accept exactly it. */
static gboolean
accept_pinned (SoupMessage         *msg,
               GTlsCertificate     *peer,
               GTlsCertificateFlags errors,
               gpointer             data)
{
  Pin             *pin = data;
  g_autofree char *fingerprint = pd_mirror_certificate_dup_fingerprint (peer);

  pin->n_asked++;
  pin->matched = pd_cert_fingerprint_equal (fingerprint, pin->pin);
  /* self-signed: not verifiable without the pin */
  g_assert_true (errors & G_TLS_CERTIFICATE_UNKNOWN_CA);

  return pin->matched;
}

static void
test_handshake_soup (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr (GTlsCertificate) certificate = load (fixture);
  g_autofree char            *fingerprint = pd_mirror_certificate_dup_fingerprint (certificate);
  g_autoptr (SoupServer)      server = soup_server_new ("tls-certificate", certificate, NULL);
  g_autoptr (GError)          error = NULL;
  g_autoptr (GUri)            uri = NULL;
  GSList                     *uris;

  soup_server_add_handler (server, NULL, on_request, NULL, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_HTTPS | SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  uri = g_uri_ref (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "https");

  for (guint round = 0; round < 2; round++)
    {
      /* A refusal first: a TLS session, once made, may be resumed
       * (glib-networking keeps them for the process) without showing
       * the certificate again. */
      g_autoptr (SoupSession)  session = soup_session_new ();
      g_autoptr (SoupMessage)  msg = soup_message_new_from_uri ("GET", uri);
      g_autoptr (GBytes)       body = NULL;
      g_autoptr (GAsyncResult) result = NULL;
      g_autofree char         *other = g_strdup ("00:11:22:33");
      Pin                      pin = { round == 0 ? other : fingerprint, 0, FALSE };

      g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_pinned), &pin);
      /* async: the server answers on this thread's main context */
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
      g_assert_true (pd_test_wait_for_result (&result, 10));
      body = soup_session_send_and_read_finish (session, result, &error);
      g_assert_cmpuint (pin.n_asked, ==, 1);
      if (round == 1)
        {
          /* the pinned fingerprint: through */
          g_assert_no_error (error);
          g_assert_true (pin.matched);
          g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
          g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "mirror", 6);
          g_assert_true (g_tls_certificate_is_same (soup_message_get_tls_peer_certificate (msg), certificate));
        }
      else
        {
          /* another one: refused */
          g_assert_false (pin.matched);
          g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
          g_clear_error (&error);
        }
    }

  soup_server_disconnect (server);
}

/* Lets GLib's idle worker threads, which ran the TLS handshakes inside
 * glib-networking, end before the process does: LeakSanitizer (GCC 12)
 * crashes at exit on the dynamic TLS that GnuTLS leaves in a thread still
 * alive ("Tracer caught signal 11" after a "DTLS" range that makes no sense).
 * A pool thread idles half a second before it joins the unused ones.
 */
static void
end_worker_threads (void)
{
  pd_test_spin (1000);
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  for (guint i = 0; i < 100 && g_thread_pool_get_num_unused_threads () > 0; i++)
    g_usleep (20000);
  g_usleep (100000);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Loopback only, never through a proxy (nor libproxy's threads). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("no_proxy", "*", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/mirror-cert/create", Fixture, NULL, fixture_set_up, test_create, fixture_tear_down);
  g_test_add ("/mirror-cert/reload-same", Fixture, NULL, fixture_set_up, test_reload_same, fixture_tear_down);
  g_test_add ("/mirror-cert/replace-corrupt", Fixture, NULL, fixture_set_up, test_replace_corrupt, fixture_tear_down);
  g_test_add ("/mirror-cert/key-mode-tightened", Fixture, NULL, fixture_set_up, test_key_mode_tightened,
              fixture_tear_down);
  g_test_add_func ("/mirror-cert/unwritable", test_unwritable);
  g_test_add ("/mirror-cert/fingerprint-format", Fixture, NULL, fixture_set_up, test_fingerprint_format,
              fixture_tear_down);
  g_test_add ("/mirror-cert/handshake-names", Fixture, NULL, fixture_set_up, test_handshake_names, fixture_tear_down);
  g_test_add ("/mirror-cert/handshake-soup", Fixture, NULL, fixture_set_up, test_handshake_soup, fixture_tear_down);

  status = g_test_run ();
  end_worker_threads ();

  return status;
}
