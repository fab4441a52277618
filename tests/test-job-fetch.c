/* test-job-fetch.c — fetching job files over FTPS from a real vsftpd
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printers run vsFTPd with implicit TLS and require_ssl_reuse, so the
 * tests start Debian's vsftpd the same way on a free loopback port, with a
 * certificate of their own (pd-sim-crypto). They log in as vsftpd's
 * anonymous user (PdJobFetchOptions.username): its named users would
 * need system accounts and PAM. run_as_launching_user keeps vsftpd from
 * switching users or chrooting, so the test needs neither root nor an
 * "ftp" account. Its transfers are throttled (anon_max_rate) so that a
 * large file is still moving when the cancellation test cancels it.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gstdio.h>

#include "pd-job-fetch.h"
#include "pd-sim-crypto.h"
#include "pd-test-util.h"

#define VSFTPD "/usr/sbin/vsftpd"
#define RATE_BYTES_PER_SECOND (256 * 1024)
#define SMALL_SIZE (64 * 1024)
#define SLOW_SIZE (32 * 1024 * 1024)
#define WAIT_SECONDS 30

static struct
{
  char        *dir;
  guint        port;
  GSubprocess *server;
  char        *fingerprint;
  GBytes      *small;
} ftp;

/* vsftpd's anonymous user: its named users would need system accounts. */
static const PdJobFetchOptions anonymous = { .username = "anonymous" };
static const PdJobFetchOptions *login = &anonymous;

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

static gboolean
server_listening (gpointer data)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  (void) data;
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", ftp.port, NULL, NULL);
  return connection != NULL;
}

static void
write_file (const char *name,
            GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (ftp.dir, "root", name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
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

/* vsftpd dies with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
start_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PdSimCa) ca = NULL;
  g_autoptr (PdSimCert) cert = NULL;
  g_autoptr (GBytes) slow = NULL;
  g_autofree char *root = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  guint            pasv = g_random_int_range (40000, 60000);

  ftp.dir = g_dir_make_tmp ("pd-job-fetch-XXXXXX", &error);
  g_assert_no_error (error);
  root = g_build_filename (ftp.dir, "root", NULL);
  empty = g_build_filename (ftp.dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);

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

  ftp.small = pattern_bytes (SMALL_SIZE, 1);
  write_file ("Benchy.gcode.3mf", ftp.small);
  slow = pattern_bytes (SLOW_SIZE, 2);
  write_file ("Slow.gcode.3mf", slow);

  ftp.port = free_port ();
  config = g_strdup_printf ("listen=YES\n"
                            "listen_ipv6=NO\n"
                            "listen_address=127.0.0.1\n"
                            "listen_port=%u\n"
                            "background=NO\n"
                            "run_as_launching_user=YES\n"
                            "anonymous_enable=YES\n"
                            "anon_root=%s\n"
                            "no_anon_password=YES\n"
                            "anon_max_rate=%d\n"
                            "local_enable=NO\n"
                            "write_enable=NO\n"
                            "ssl_enable=YES\n"
                            "implicit_ssl=YES\n"
                            "allow_anon_ssl=YES\n"
                            "force_anon_logins_ssl=YES\n"
                            "force_anon_data_ssl=YES\n"
                            "require_ssl_reuse=YES\n"
                            "ssl_ciphers=HIGH\n"
                            "rsa_cert_file=%s\n"
                            "rsa_private_key_file=%s\n"
                            "pasv_enable=YES\n"
                            "pasv_address=127.0.0.1\n"
                            "pasv_min_port=%u\n"
                            "pasv_max_port=%u\n"
                            "secure_chroot_dir=%s\n"
                            "seccomp_sandbox=NO\n"
                            "xferlog_enable=NO\n",
                            ftp.port, root, RATE_BYTES_PER_SECOND, cert_path, key_path,
                            pasv, pasv + 100, empty);
  config_path = g_build_filename (ftp.dir, "vsftpd.conf", NULL);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  /* Its output would keep a reader of the test's output waiting. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  ftp.server = g_subprocess_launcher_spawn (launcher, &error, VSFTPD, config_path, NULL);
  g_assert_no_error (error);
  return pd_test_wait_until (server_listening, NULL, 10);
}

static void
stop_server (void)
{
  if (ftp.server != NULL)
    {
      g_subprocess_force_exit (ftp.server);
      g_subprocess_wait (ftp.server, NULL, NULL);
    }
  g_clear_object (&ftp.server);
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

  pd_job_fetch_async ("127.0.0.1", port, "12345678", fingerprint, paths, max_bytes, login,
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
  pd_job_fetch_async ("127.0.0.1", ftp.port, "12345678", ftp.fingerprint, paths,
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

  if (!g_file_test (VSFTPD, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_add_func ("/job-fetch/cancel-at-once", test_cancel_at_once);
      g_test_message ("No %s (Debian's vsftpd package): skipping the server tests", VSFTPD);
      return g_test_run ();
    }

  if (!start_server ())
    g_error ("vsftpd did not start listening on 127.0.0.1:%u", ftp.port);

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
