/* test-job-fetch.c — fetching job files over FTPS from a real vsftpd
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printers run vsFTPd with implicit TLS and require_ssl_reuse, so the
 * tests start Debian's vsftpd the same way on a free loopback port, as the
 * simulator's printers do (pd-sim-ftp), with a certificate of their own
 * (pd-sim-crypto). They log in as vsftpd's anonymous user
 * (PdJobFetchOptions.username), the access code as password: its named
 * users would need system accounts and PAM. Its transfers are throttled
 * so that a large file is still moving when the cancellation test cancels
 * it.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pd-job-fetch.h"
#include "pd-sim-crypto.h"
#include "pd-sim-ftp.h"
#include "pd-test-util.h"

#define ACCESS_CODE "12345678"
#define RATE_BYTES_PER_SECOND (256 * 1024)
#define SMALL_SIZE (64 * 1024)
#define SLOW_SIZE (32 * 1024 * 1024)
#define WAIT_SECONDS 30

static struct
{
  char        *dir;
  guint        port;
  PdSimFtp    *server;
  char        *fingerprint;
  GBytes      *small;
} ftp;

/* vsftpd's anonymous user: its named users would need system accounts. */
static const PdJobFetchOptions anonymous = { .username = "anonymous" };
static const PdJobFetchOptions *login = &anonymous;
static const char              *access_code = ACCESS_CODE;

static guint
free_port (void)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
write_file (const char *path,
            GBytes     *bytes)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pd_sim_ftp_put_file (ftp.server, path, bytes, &error));
  g_assert_no_error (error);
}

static GBytes *
pattern_bytes (gsize size,
               guint seed)
{
  guint8 *data = g_malloc (size);
  GRand  *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

static void
start_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PdSimCa) ca = NULL;
  g_autoptr (PdSimCert) cert = NULL;
  g_autoptr (GBytes) slow = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;

  ftp.dir = g_dir_make_tmp ("pd-job-fetch-XXXXXX", &error);
  g_assert_no_error (error);

  ca = pd_sim_ca_new (PD_SIM_KEY_RSA, "BBL Test CA", &error);
  g_assert_no_error (error);
  cert = pd_sim_ca_issue (ca, "01P00A000000001", &error);
  g_assert_no_error (error);
  ftp.fingerprint = g_strdup (cert->fingerprint);
  cert_path = g_build_filename (ftp.dir, "cert.pem", NULL);
  key_path = g_build_filename (ftp.dir, "key.pem", NULL);
  g_file_set_contents (cert_path, cert->cert_pem, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (key_path, cert->key_pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);

  /* It dies with the test, even when an assertion aborts it. */
  server_dir = g_build_filename (ftp.dir, "server", NULL);
  ftp.server = pd_sim_ftp_new (server_dir, cert_path, key_path, ACCESS_CODE);
  pd_sim_ftp_set_max_rate (ftp.server, RATE_BYTES_PER_SECOND);
  if (!pd_sim_ftp_start (ftp.server, &error))
    g_error ("vsftpd did not start: %s", error->message);
  ftp.port = pd_sim_ftp_get_port (ftp.server);

  ftp.small = pattern_bytes (SMALL_SIZE, 1);
  write_file ("/Benchy.gcode.3mf", ftp.small);
  slow = pattern_bytes (SLOW_SIZE, 2);
  write_file ("/Slow.gcode.3mf", slow);
}

static void
stop_server (void)
{
  if (ftp.server != NULL)
    g_assert_finalize_object (g_steal_pointer (&ftp.server));
  if (ftp.dir != NULL)
    pd_test_remove_tree (ftp.dir);
  g_clear_pointer (&ftp.dir, g_free);
  g_clear_pointer (&ftp.fingerprint, g_free);
  g_clear_pointer (&ftp.small, g_bytes_unref);
}

/* Runs one fetch to its end, bounded in time. */
static GBytes *
fetch (guint              port,
       const char        *fingerprint,
       const char *const *paths,
       gsize              max_bytes,
       GCancellable      *cancellable,
       char             **fetched_path,
       char             **seen_fingerprint,
       GError           **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  GBytes *bytes;

  pd_job_fetch_async ("127.0.0.1", port, access_code, fingerprint, paths, max_bytes, login,
                      cancellable, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_SECONDS));
  bytes = pd_job_fetch_finish (result, fetched_path, error);
  if (seen_fingerprint != NULL)
    *seen_fingerprint = g_strdup (pd_job_fetch_get_fingerprint (result));
  return bytes;
}

static void
test_second_candidate (void)
{
  const char *const paths[] = { "/cache/Benchy.gcode.3mf", "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  g_autofree char *seen = NULL;
  g_autofree char *pinned = g_ascii_strdown (ftp.fingerprint, -1);

  /* Pinned in lower case: case does not matter. */
  bytes = fetch (ftp.port, pinned, paths, 1024 * 1024, NULL, &path, &seen, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, ftp.small));
  g_assert_cmpstr (path, ==, "/Benchy.gcode.3mf");
  g_assert_cmpstr (seen, ==, ftp.fingerprint);
}

static void
test_unpinned_reports_fingerprint (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *seen = NULL;

  bytes = fetch (ftp.port, NULL, paths, SMALL_SIZE, NULL, NULL, &seen, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, ftp.small));
  g_assert_cmpstr (seen, ==, ftp.fingerprint);
}

static void
test_not_found (void)
{
  const char *const paths[] = { "/cache/Nope.3mf", "/Nope.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *path = NULL;

  bytes = fetch (ftp.port, ftp.fingerprint, paths, 1024 * 1024, NULL, &path, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_NOT_FOUND);
  g_assert_null (bytes);
  g_assert_null (path);
}

static void
test_too_large (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = fetch (ftp.port, ftp.fingerprint, paths, SMALL_SIZE - 1, NULL, NULL, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_TOO_LARGE);
  g_assert_null (bytes);
}

static void
test_wrong_certificate (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *wrong = g_strdup (ftp.fingerprint);

  wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
  bytes = fetch (ftp.port, wrong, paths, 1024 * 1024, NULL, NULL, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE);
  g_assert_null (bytes);
}

static void
test_login_refused (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  /* vsftpd knows no "bblp" here, like a printer refusing a wrong code. */
  login = NULL;
  bytes = fetch (ftp.port, ftp.fingerprint, paths, 1024 * 1024, NULL, NULL, NULL, &error);
  login = &anonymous;
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_LOGIN);
  g_assert_null (bytes);
  g_clear_error (&error);

  /* The right user, a wrong code. */
  access_code = "87654321";
  bytes = fetch (ftp.port, ftp.fingerprint, paths, 1024 * 1024, NULL, NULL, NULL, &error);
  access_code = ACCESS_CODE;
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_LOGIN);
  g_assert_null (bytes);
}

static void
test_unreachable (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  /* A port that was free a moment ago: nothing listens there. */
  bytes = fetch (free_port (), NULL, paths, 1024, NULL, NULL, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_UNREACHABLE);
  g_assert_null (bytes);
}

static void
test_cancel_at_once (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", NULL };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_cancellable_cancel (cancellable);
  bytes = fetch (ftp.server != NULL ? ftp.port : free_port (), NULL, paths, 1024 * 1024,
                 cancellable, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (bytes);
}

static void
test_cancel_during_transfer (void)
{
  const char *const paths[] = { "/Slow.gcode.3mf", NULL };
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gint64 cancelled_at;

  /* 32 MiB at 256 KiB/s: about two minutes if nothing stopped it. */
  pd_job_fetch_async ("127.0.0.1", ftp.port, ACCESS_CODE, ftp.fingerprint, paths,
                      2 * SLOW_SIZE, login, cancellable, pd_test_store_result, &result);
  pd_test_spin (1500);
  g_assert_null (result);
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_assert_true (pd_test_wait_for_result (&result, 10));
  /* libcurl asks its progress callback at least once a second. */
  g_assert_cmpint (g_get_monotonic_time () - cancelled_at, <, 5 * G_USEC_PER_SEC);
  bytes = pd_job_fetch_finish (result, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (bytes);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/job-fetch/unreachable", test_unreachable);

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_add_func ("/job-fetch/cancel-at-once", test_cancel_at_once);
      g_test_message ("No vsftpd (Debian's vsftpd package): skipping the server tests");
      return g_test_run ();
    }

  start_server ();

  g_test_add_func ("/job-fetch/second-candidate", test_second_candidate);
  g_test_add_func ("/job-fetch/unpinned", test_unpinned_reports_fingerprint);
  g_test_add_func ("/job-fetch/not-found", test_not_found);
  g_test_add_func ("/job-fetch/too-large", test_too_large);
  g_test_add_func ("/job-fetch/wrong-certificate", test_wrong_certificate);
  g_test_add_func ("/job-fetch/login-refused", test_login_refused);
  g_test_add_func ("/job-fetch/cancel-at-once", test_cancel_at_once);
  g_test_add_func ("/job-fetch/cancel-during-transfer", test_cancel_during_transfer);

  result = g_test_run ();
  stop_server ();
  return result;
}
