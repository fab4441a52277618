/* test-faults-connection.c — the network failing under a running app
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case runs the app's core as the window does (a PdPrinterStore with
 * its sessions, cameras, job trackers and debug logs, the codes in the
 * session's keyring) against simulated printers behind a real mosquitto
 * with TLS, on loopback, breaks one thing, and asserts what the user sees
 * (the card's connection and the sentence that says why, the camera's
 * problem, the job's details) and that nothing was lost: printers.ini byte
 * for byte, the codes in the keyring and in no file, the debug log and the
 * snapshots already taken. Every wait is bounded.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "pd-cert-policy.h"
#include "pd-cert-policy-private.h"
#include "pd-enums.h"
#include "pd-fault-rig.h"
#include "pd-job-fetch.h"
#include "pd-sim-crypto.h"
#include "pd-sim-ftp.h"
#include "pd-snapshot-store.h"
#include "pd-test-util.h"

static PdSim *sim;

/* The simulator's printers: two of each camera kind, so that a case can
 * break one printer and watch the other go on. */
enum
{
  P_X1C, /* RTSPS camera, FTPS */
  P_P1S, /* port-6000 JPEG camera, FTPS */
  P_X1C_2,
  P_P1S_2,
  N_SIM_PRINTERS
};

static PdSimPrinter *
sim_printer (guint index)
{
  return pd_sim_get_printer (sim, index);
}

static gboolean
has_ftp (void)
{
  return pd_sim_printer_get_ftp_port (sim_printer (P_X1C)) != 0;
}

static guint
n_attempts (PdFaultRig *rig,
            PdPrinter  *printer)
{
  return pd_session_get_n_attempts (pd_printer_store_get_session (rig->store, printer));
}

/* Records every reason a printer showed, in order, without repeats. */
typedef struct
{
  PdPrinter *printer;
  GArray    *reasons;
} ReasonLog;

static void
on_reason (PdPrinter  *printer,
           GParamSpec *pspec,
           ReasonLog  *log)
{
  PdSessionReason reason = pd_printer_get_connection_reason (printer);

  if (reason == PD_SESSION_REASON_NONE ||
      (log->reasons->len > 0 && g_array_index (log->reasons, PdSessionReason, log->reasons->len - 1) == reason))
    return;
  g_array_append_val (log->reasons, reason);
  g_test_message ("%s: %s — “%s”", pd_printer_get_name (printer), pd_session_reason_to_string (reason),
                  pd_session_reason_to_label (reason));
}

static void
reason_log_init (ReasonLog *log,
                 PdPrinter *printer)
{
  log->printer = printer;
  log->reasons = g_array_new (FALSE, FALSE, sizeof (PdSessionReason));
  g_signal_connect (printer, "notify::connection-reason", G_CALLBACK (on_reason), log);
}

static gboolean
reason_log_has (ReasonLog      *log,
                PdSessionReason reason)
{
  for (guint i = 0; i < log->reasons->len; i++)
    if (g_array_index (log->reasons, PdSessionReason, i) == reason)
      return TRUE;
  return FALSE;
}

static void
reason_log_clear (ReasonLog *log)
{
  g_signal_handlers_disconnect_by_data (log->printer, log);
  g_array_unref (log->reasons);
}

static gboolean
reported_since (gpointer data)
{
  gpointer *args = data;

  return pd_printer_get_last_report_time (args[0]) > *(gint64 *) args[1];
}

/* The other printer is still live: connected, and reporting. */
static void
assert_still_live (PdPrinter *printer)
{
  gint64   before = pd_printer_get_last_report_time (printer);
  gpointer args[2] = { printer, &before };

  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
  g_assert_false (pd_printer_get_stale (printer));
  /* the simulator reports about once a second */
  g_assert_true (pd_test_wait_until (reported_since, args, 10));
}

/* Broker killed and restarted ---------------------------------------------------------*/

static gboolean
log_has_more (gpointer data)
{
  gpointer *args = data;

  return g_list_model_get_n_items (args[0]) > GPOINTER_TO_UINT (args[1]);
}

static void
test_broker_restart (void)
{
  PdFaultRig         rig;
  PdFaultStallMeter  meter;
  PdPrinter         *a, *b;
  PdCameraSource    *camera;
  PdDebugLog        *debug_log;
  g_autoptr (GError) error = NULL;
  g_autoptr (GObject) first = NULL;
  g_autofree char   *config = NULL;
  gpointer           more[2];
  guint              viewer;
  guint              n_logged;
  pid_t              pid;

  pd_fault_rig_init (&rig, sim);
  a = pd_fault_rig_add (&rig, sim_printer (P_X1C), "Left");
  b = pd_fault_rig_add (&rig, sim_printer (P_P1S), "Right");
  config = pd_fault_rig_read_config (&rig);

  /* a camera being watched and the debug log capturing */
  camera = pd_printer_store_get_camera (rig.store, a);
  g_assert_nonnull (camera);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 3, PD_FAULT_WAIT_S));
  debug_log = pd_printer_store_get_debug_log (rig.store, a);
  pd_debug_log_start (debug_log);
  more[0] = debug_log;
  more[1] = GUINT_TO_POINTER (2);
  g_assert_true (pd_test_wait_until (log_has_more, more, PD_FAULT_WAIT_S));
  first = g_list_model_get_item (G_LIST_MODEL (debug_log), 0);

  /* The broker dies without a word (SIGKILL), as when a printer's MQTT
   * service crashes. */
  pd_fault_stall_meter_start (&meter);
  pid = (pid_t) g_ascii_strtoll (pd_sim_get_broker_pid (sim), NULL, 10);
  g_assert_cmpint (pid, >, 1);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);

  /* Both cards say so at once, in words… */
  g_assert_true (pd_fault_wait_connection (a, PD_CONNECTION_DISCONNECTED, 15));
  g_assert_true (pd_fault_wait_connection (b, PD_CONNECTION_DISCONNECTED, 15));
  g_assert_cmpint (pd_printer_get_status (a), ==, PD_STATUS_OFFLINE);
  g_assert_nonnull (pd_session_reason_to_label (pd_printer_get_connection_reason (a)));
  g_test_message ("broker gone: “%s” / “%s”", pd_fault_reason_label (a), pd_fault_reason_label (b));
  /* …and the camera, which does not go through the broker, goes on */
  g_assert_true (pd_fault_wait_camera_frames (camera, 5, 15));

  /* Back by themselves, with no help from the user. */
  g_assert_true (pd_sim_restart_broker (sim, &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_connection (a, PD_CONNECTION_CONNECTED, 45));
  g_assert_true (pd_fault_wait_connection (b, PD_CONNECTION_CONNECTED, 45));
  pd_fault_stall_meter_stop (&meter);
  g_test_message ("main loop: longest gap %.0f ms", pd_fault_stall_meter_longest_ms (&meter));
  g_assert_cmpfloat (pd_fault_stall_meter_longest_ms (&meter), <, 1000);

  /* Nothing lost: the list, the codes, what the debug log had, and it
   * captures again. */
  n_logged = g_list_model_get_n_items (G_LIST_MODEL (debug_log));
  more[1] = GUINT_TO_POINTER (n_logged);
  g_assert_true (pd_test_wait_until (log_has_more, more, PD_FAULT_WAIT_S));
  {
    g_autoptr (GObject) still_first = g_list_model_get_item (G_LIST_MODEL (debug_log), 0);

    g_assert_true (still_first == first);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig.store)), ==, 2);
  pd_fault_rig_assert_config (&rig, config);
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  pd_camera_source_remove_viewer (camera, viewer);
  pd_debug_log_stop (debug_log);
  pd_fault_rig_clear (&rig);
}

/* Powered off: no TCP answer -----------------------------------------------------*/

static void
test_powered_off (void)
{
  PdFaultRig         rig;
  PdFaultNotices     notices;
  ReasonLog          log;
  PdPrinter         *a, *b;
  PdSimPrinter      *sp = sim_printer (P_X1C_2);
  g_autoptr (GError) error = NULL;
  g_autofree char   *config = NULL;
  gint64             start;

  pd_fault_rig_init (&rig, sim);
  a = pd_fault_rig_add (&rig, sp, "Garage");
  b = pd_fault_rig_add (&rig, sim_printer (P_P1S_2), "Office");
  config = pd_fault_rig_read_config (&rig);
  pd_fault_notices_init (&notices);
  pd_fault_notices_watch (&notices, a);
  pd_fault_notices_watch (&notices, b);
  reason_log_init (&log, a);

  /* The plug is pulled: no FIN, no RST, connects get no answer. */
  start = g_get_monotonic_time ();
  g_assert_true (pd_sim_printer_set_powered_off (sp, TRUE, &error));
  g_assert_no_error (error);

  /* The silence is noticed (the stale timeout is 4 s in the rig), then the
   * new connects time out: the card says the printer cannot be reached. */
  g_assert_true (pd_fault_wait_reason (a, PD_SESSION_REASON_UNREACHABLE, 40));
  g_test_message ("unreachable after %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_true (reason_log_has (&log, PD_SESSION_REASON_NOT_RESPONDING));
  g_assert_cmpint (pd_printer_get_status (a), ==, PD_STATUS_OFFLINE);
  g_assert_nonnull (strstr (pd_fault_reason_label (a), "cannot be reached"));
  assert_still_live (b);

  /* Back on: it comes back by itself. */
  g_assert_true (pd_sim_printer_set_powered_off (sp, FALSE, &error));
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  g_assert_true (pd_fault_wait_connection (a, PD_CONNECTION_CONNECTED, 45));
  g_test_message ("back %.1f s after the power came back", (g_get_monotonic_time () - start) / 1e6);

  /* Off for less than the offline delay (a minute): no offline or back
   * online notification at all (and never more than one). */
  g_assert_cmpuint (notices.n_offline_alerts, <=, 1);
  g_assert_cmpuint (notices.n_offline_shown, ==, 0);
  g_assert_cmpuint (notices.n_online_alerts, ==, 0);

  pd_fault_rig_assert_config (&rig, config);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  reason_log_clear (&log);
  pd_fault_notices_clear (&notices);
  pd_fault_rig_clear (&rig);
}

/* Half-open: TCP up, nothing answers ---------------------------------------------*/

static void
test_half_open (void)
{
  PdFaultRig       rig;
  ReasonLog        log;
  PdPrinter       *a, *b;
  PdSimPrinter    *sp = sim_printer (P_X1C_2);
  g_autofree char *config = NULL;
  gint64           start;
  guint            attempts;

  pd_fault_rig_init (&rig, sim);
  a = pd_fault_rig_add (&rig, sp, "Garage");
  b = pd_fault_rig_add (&rig, sim_printer (P_P1S_2), "Office");
  config = pd_fault_rig_read_config (&rig);
  reason_log_init (&log, a);

  /* The connection stays up, but not a byte comes back, not even the
   * broker's answer to a ping. */
  start = g_get_monotonic_time ();
  pd_sim_printer_set_half_open (sp, TRUE);
  g_assert_true (pd_fault_wait_reason (a, PD_SESSION_REASON_NOT_RESPONDING, 20));
  g_test_message ("not responding after %.1f s", (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpint (pd_printer_get_status (a), ==, PD_STATUS_OFFLINE);
  g_assert_cmpstr (pd_fault_reason_label (a), ==, pd_session_reason_to_label (PD_SESSION_REASON_NOT_RESPONDING));

  /* It keeps trying, without hammering (new connections hang too). */
  attempts = n_attempts (&rig, a);
  pd_test_spin (2500);
  g_assert_cmpint (pd_printer_get_connection (a), !=, PD_CONNECTION_CONNECTED);
  g_assert_cmpuint (n_attempts (&rig, a) - attempts, <=, 2);
  assert_still_live (b);

  pd_sim_printer_set_half_open (sp, FALSE);
  g_assert_true (pd_fault_wait_connection (a, PD_CONNECTION_CONNECTED, 45));

  pd_fault_rig_assert_config (&rig, config);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  reason_log_clear (&log);
  pd_fault_rig_clear (&rig);
}

/* Access codes ----------------------------------------------------------------------*/

/* The user types a wrong code: told so on the card and by the camera,
 * nothing retried in a loop, and the right code fixes it. */
static void
test_wrong_access_code (void)
{
  PdFaultRig                  rig;
  PdSimPrinter               *sp = sim_printer (P_P1S);
  g_autoptr (PdPrinterConfig) config = pd_fault_config_for (sp, "Typo");
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autofree char            *stored = NULL;
  PdCameraSource             *camera;
  guint                       viewer;
  guint                       attempts;

  pd_fault_rig_init (&rig, sim);
  /* the model as the user picked it: the camera is known before a report */
  config->model = g_strdup (pd_sim_printer_get_model (sp));
  pd_fault_keyring_clear (pd_sim_printer_get_serial (sp));
  printer = pd_fault_store_add (rig.store, config, "00000000", &error);
  g_assert_no_error (error);
  g_ptr_array_add (rig.serials, g_strdup (pd_sim_printer_get_serial (sp)));

  g_assert_true (pd_fault_wait_reason (printer, PD_SESSION_REASON_WRONG_ACCESS_CODE, 15));
  g_assert_nonnull (strstr (pd_fault_reason_label (printer), "Wrong access code"));
  camera = pd_printer_store_get_camera (rig.store, printer);
  g_assert_nonnull (camera);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_problem (camera, PD_CAMERA_PROBLEM_WRONG_CODE, 15));

  /* Backoff, no hammering (1, 2, 4 s … ± 25 %). */
  attempts = n_attempts (&rig, printer);
  pd_test_spin (3500);
  g_test_message ("%u attempts in 3.5 s", n_attempts (&rig, printer) - attempts);
  g_assert_cmpuint (n_attempts (&rig, printer) - attempts, <=, 3);
  g_assert_cmpint (pd_printer_get_connection (printer), !=, PD_CONNECTION_CONNECTED);

  /* What the user typed is in the keyring (to be corrected), in no file. */
  stored = pd_fault_keyring_lookup (pd_sim_printer_get_serial (sp));
  g_assert_cmpstr (stored, ==, "00000000");
  g_assert_false (pd_fault_tree_contains (rig.base, "00000000"));

  /* The right code: connected, the camera shows pictures. */
  g_assert_true (pd_fault_store_update (rig.store, config, pd_sim_printer_get_access_code (sp), &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, 20));
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));
  g_assert_cmpint (pd_camera_source_get_problem (camera), ==, PD_CAMERA_PROBLEM_NONE);

  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_fault_rig_clear (&rig);
}

/* The code is changed on the printer's screen while the app is connected. */
static void
test_access_code_changed (void)
{
  PdFaultRig                  rig;
  PdSimPrinter               *sp = sim_printer (P_P1S);
  PdPrinter                  *printer, *other;
  PdCameraSource             *camera;
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autofree char            *ini = NULL;
  guint                       viewer;
  guint                       attempts;

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, sp, "Changed");
  other = pd_fault_rig_add (&rig, sim_printer (P_X1C), "Untouched");
  ini = pd_fault_rig_read_config (&rig);
  camera = pd_printer_store_get_camera (rig.store, printer);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));

  /* A new code on the printer: its MQTT and camera logins refuse ours, and
   * the connections it had drop. */
  g_assert_true (pd_sim_printer_set_refusing (sp, TRUE, &error));
  g_assert_no_error (error);
  pd_sim_printer_drop_connections (sp);
  pd_sim_printer_drop_camera_clients (sp);

  g_assert_true (pd_fault_wait_reason (printer, PD_SESSION_REASON_WRONG_ACCESS_CODE, 20));
  g_assert_true (pd_fault_wait_camera_problem (camera, PD_CAMERA_PROBLEM_WRONG_CODE, 20));
  attempts = n_attempts (&rig, printer);
  pd_test_spin (3500);
  g_assert_cmpuint (n_attempts (&rig, printer) - attempts, <=, 3);
  assert_still_live (other);
  /* a refused code is not a reason to change the list */
  pd_fault_rig_assert_config (&rig, ini);

  /* The user enters the code the printer now shows (here: the printer
   * takes the old one back, and the user saves it again). */
  g_assert_true (pd_sim_printer_set_refusing (sp, FALSE, &error));
  g_assert_no_error (error);
  config = pd_printer_config_copy (pd_printer_store_get_config (rig.store, printer));
  g_assert_true (pd_fault_store_update (rig.store, config, pd_sim_printer_get_access_code (sp), &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, 20));
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));

  pd_fault_rig_assert_config (&rig, ini);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_fault_rig_clear (&rig);
}

/* Certificates ------------------------------------------------------------------------*/

static const char *
pinned (PdFaultRig *rig,
        PdPrinter  *printer)
{
  return pd_printer_store_get_config (rig->store, printer)->fingerprint;
}

static gboolean
camera_problem_is_not (gpointer data)
{
  gpointer *args = data;

  return pd_camera_source_get_problem (args[0]) != (PdCameraProblem) GPOINTER_TO_INT (args[1]);
}

/* A new certificate on every port (a new mainboard, or an impostor):
 * refused everywhere until the user accepts it; accepted, it is pinned for
 * all of them. */
static void
test_certificate_changed (void)
{
  PdFaultRig         rig;
  PdSimPrinter      *sp = sim_printer (P_X1C);
  PdPrinter         *printer, *other;
  PdCameraSource    *camera;
  g_autoptr (GError) error = NULL;
  g_autofree char   *ini = NULL;
  g_autofree char   *old_pin = NULL;
  g_autofree char   *after = NULL;
  gpointer           args[2];
  guint              viewer;

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, sp, "Renewed");
  other = pd_fault_rig_add (&rig, sim_printer (P_P1S), "Other");
  ini = pd_fault_rig_read_config (&rig);
  old_pin = g_strdup (pinned (&rig, printer));
  camera = pd_printer_store_get_camera (rig.store, printer);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));

  g_assert_true (pd_sim_printer_regenerate_certificate (sp, &error));
  g_assert_no_error (error);
  /* the camera's open stream keeps its old TLS session: it reconnects */
  pd_sim_printer_drop_camera_clients (sp);

  g_assert_true (pd_fault_wait_reason (printer, PD_SESSION_REASON_CERTIFICATE_CHANGED, 25));
  g_assert_nonnull (strstr (pd_fault_reason_label (printer), "certificate has changed"));
  g_assert_true (pd_cert_fingerprint_equal (pd_session_get_fingerprint (pd_printer_store_get_session (rig.store, printer)),
                                            pd_sim_printer_get_fingerprint (sp)));
  g_assert_true (pd_fault_wait_camera_problem (camera, PD_CAMERA_PROBLEM_CERTIFICATE, 25));
  g_assert_nonnull (strstr (pd_camera_source_get_problem_message (camera), "not the one trusted"));
  /* refused, not re-pinned behind the user's back */
  g_assert_cmpstr (pinned (&rig, printer), ==, old_pin);
  pd_fault_rig_assert_config (&rig, ini);
  /* the other printer came back from the broker restart on its own */
  g_assert_true (pd_fault_wait_connection (other, PD_CONNECTION_CONNECTED, 45));

  /* The user trusts the new one: pinned, saved, and every transport uses it. */
  pd_session_accept_certificate (pd_printer_store_get_session (rig.store, printer));
  g_assert_true (pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, 20));
  g_assert_true (pd_cert_fingerprint_equal (pinned (&rig, printer), pd_sim_printer_get_fingerprint (sp)));
  after = pd_fault_rig_read_config (&rig);
  g_assert_null (strstr (after, old_pin));
  args[0] = camera;
  args[1] = GINT_TO_POINTER (PD_CAMERA_PROBLEM_CERTIFICATE);
  g_assert_true (pd_test_wait_until (camera_problem_is_not, args, PD_FAULT_WAIT_S));
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));

  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_fault_rig_clear (&rig);
}

/* The pin holds for each transport on its own: MQTT, the camera (RTSPS and
 * port 6000) and FTPS each present another certificate in turn; that one is
 * refused with a clear message while the others go on. */
static void
test_certificate_per_transport (void)
{
  PdFaultRig         rig;
  PdSimPrinter      *sp = sim_printer (P_X1C);
  PdSimPrinter      *jpeg_sp = sim_printer (P_P1S);
  PdPrinter         *printer, *jpeg_printer;
  PdCameraSource    *camera, *jpeg_camera;
  g_autoptr (GError) error = NULL;
  g_autofree char   *ini = NULL;
  const char        *message;
  guint              viewer, jpeg_viewer;
  guint              generation;

  if (!has_ftp ())
    {
      g_test_skip ("no vsftpd: the printers have no FTPS");
      return;
    }

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, sp, "Pinned");
  jpeg_printer = pd_fault_rig_add (&rig, jpeg_sp, "Pinned too");
  ini = pd_fault_rig_read_config (&rig);
  camera = pd_printer_store_get_camera (rig.store, printer);
  jpeg_camera = pd_printer_store_get_camera (rig.store, jpeg_printer);
  g_assert_cmpint (pd_camera_source_get_kind (camera), ==, PD_CAMERA_KIND_RTSPS);
  g_assert_cmpint (pd_camera_source_get_kind (jpeg_camera), ==, PD_CAMERA_KIND_JPEG);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  jpeg_viewer = pd_camera_source_add_viewer (jpeg_camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));
  g_assert_true (pd_fault_wait_camera_frames (jpeg_camera, 2, PD_FAULT_WAIT_S));

  /* The cameras (RTSPS, port 6000): refused, saying which certificate they
   * saw; MQTT and FTPS go on. */
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_CAMERA, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_printer_set_transport_certificate (jpeg_sp, PD_SIM_TRANSPORT_CAMERA, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pd_sim_printer_get_transport_fingerprint (sp, PD_SIM_TRANSPORT_CAMERA), !=,
                   pd_sim_printer_get_fingerprint (sp));
  g_assert_true (pd_fault_wait_camera_problem (camera, PD_CAMERA_PROBLEM_CERTIFICATE, 20));
  g_assert_nonnull (strstr (pd_camera_source_get_problem_message (camera),
                            pd_sim_printer_get_transport_fingerprint (sp, PD_SIM_TRANSPORT_CAMERA)));
  g_assert_true (pd_fault_wait_camera_problem (jpeg_camera, PD_CAMERA_PROBLEM_CERTIFICATE, 20));
  g_assert_nonnull (strstr (pd_camera_source_get_problem_message (jpeg_camera),
                            pd_sim_printer_get_transport_fingerprint (jpeg_sp, PD_SIM_TRANSPORT_CAMERA)));
  generation = pd_printer_get_state (printer)->job_generation;
  pd_sim_printer_start_print (sp);
  g_assert_true (pd_fault_wait_next_details (printer, generation, PD_JOB_DETAILS_READY, PD_FAULT_WAIT_S));
  assert_still_live (printer);
  assert_still_live (jpeg_printer);
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_CAMERA, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_printer_set_transport_certificate (jpeg_sp, PD_SIM_TRANSPORT_CAMERA, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));
  g_assert_true (pd_fault_wait_camera_frames (jpeg_camera, 2, PD_FAULT_WAIT_S));

  /* FTPS: the job's file is not read, and the card says why; MQTT and the
   * camera go on. */
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_FTP, TRUE, &error));
  g_assert_no_error (error);
  generation = pd_printer_get_state (printer)->job_generation;
  pd_sim_printer_start_print (sp);
  g_assert_true (pd_fault_wait_next_details (printer, generation, PD_JOB_DETAILS_UNAVAILABLE, PD_FAULT_WAIT_S));
  message = pd_job_get_details_message (pd_printer_get_job (printer));
  g_test_message ("job details: %s", message);
  g_assert_nonnull (strstr (message, "different certificate"));
  assert_still_live (printer);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_FTP, FALSE, &error));
  g_assert_no_error (error);

  /* MQTT: the card says the certificate changed; the camera goes on. */
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_MQTT, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_reason (printer, PD_SESSION_REASON_CERTIFICATE_CHANGED, 25));
  g_assert_true (pd_cert_fingerprint_equal (pd_session_get_fingerprint (pd_printer_store_get_session (rig.store, printer)),
                                            pd_sim_printer_get_transport_fingerprint (sp, PD_SIM_TRANSPORT_MQTT)));
  g_assert_true (pd_fault_wait_camera_frames (camera, 3, PD_FAULT_WAIT_S));
  g_assert_cmpint (pd_camera_source_get_problem (camera), ==, PD_CAMERA_PROBLEM_NONE);
  /* the other printer, behind the same (restarted) broker, came back */
  g_assert_true (pd_fault_wait_connection (jpeg_printer, PD_CONNECTION_CONNECTED, 45));
  g_assert_true (pd_sim_printer_set_transport_certificate (sp, PD_SIM_TRANSPORT_MQTT, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, 45));

  /* No refusal re-pinned anything. */
  pd_fault_rig_assert_config (&rig, ini);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_camera_source_remove_viewer (jpeg_camera, jpeg_viewer);
  pd_fault_rig_clear (&rig);
}

typedef struct
{
  GBytes  *bytes;
  GError  *error;
  char    *fingerprint;
  gboolean done;
} Fetch;

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *fetch = data;

  fetch->fingerprint = g_strdup (pd_job_fetch_get_fingerprint (result));
  fetch->bytes = pd_job_fetch_finish (result, NULL, &fetch->error);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer data)
{
  return ((Fetch *) data)->done;
}

static void
fetch_clear (Fetch *fetch)
{
  g_clear_pointer (&fetch->bytes, g_bytes_unref);
  g_clear_error (&fetch->error);
  g_clear_pointer (&fetch->fingerprint, g_free);
  fetch->done = FALSE;
}

static void
fetch (PdSimFtp   *ftp,
       const char *serial,
       const char *pin,
       Fetch      *out)
{
  static const char *const paths[] = { "/job.3mf", NULL };
  PdJobFetchOptions        options = { .username = PD_SIM_FTP_USER, .serial = serial, .stall_seconds = 10 };

  fetch_clear (out);
  pd_job_fetch_async ("127.0.0.1", pd_sim_ftp_get_port (ftp), "12345678", pin, paths, 1024 * 1024, &options,
                      NULL, on_fetched, out);
  g_assert_true (pd_test_wait_until (fetch_done, out, PD_FAULT_WAIT_S));
}

/* FTPS follows the printers' certificate rule, as MQTT and the cameras do
 * (pd-cert-policy): a certificate signed by the printers' CA is trusted for
 * its own serial whatever is pinned, and refused for another printer even
 * with nothing pinned. (Until this suite, FTPS compared fingerprints only:
 * with nothing pinned it took any certificate.) A CA of the test's own
 * stands in for Bambu's. */
static void
test_ftps_certificate_rule (void)
{
  g_autoptr (PdSimCa)   ca = NULL;
  g_autoptr (PdSimCert) cert = NULL;
  g_autoptr (PdSimFtp)  ftp = NULL;
  g_autoptr (GError)    error = NULL;
  g_autoptr (GBytes)    job = g_bytes_new_static ("PK\x03\x04 a job", 10);
  g_autofree char      *dir = g_dir_make_tmp ("pd-faults-ftp-XXXXXX", NULL);
  g_autofree char      *cert_file = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char      *key_file = g_build_filename (dir, "key.pem", NULL);
  g_autofree char      *ftp_dir = g_build_filename (dir, "ftp", NULL);
  Fetch                 result = { NULL, NULL, NULL, FALSE };
  const char           *other_pin = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      pd_test_remove_tree (dir);
      return;
    }

  ca = pd_sim_ca_new (PD_SIM_KEY_EC, "Stand-in printer CA", &error);
  g_assert_no_error (error);
  {
    g_autoptr (GTlsCertificate) root = g_tls_certificate_new_from_pem (pd_sim_ca_get_pem (ca), -1, &error);
    g_autoptr (GByteArray)      der = NULL;
    g_autoptr (GBytes)          bytes = NULL;

    g_assert_no_error (error);
    g_object_get (root, "certificate", &der, NULL);
    bytes = g_bytes_new (der->data, der->len);
    g_assert_true (_pd_cert_policy_add_trusted_root (bytes));
  }
  cert = pd_sim_ca_issue (ca, "01P00A000000001", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (cert_file, cert->cert_pem, -1, NULL));
  g_assert_true (g_file_set_contents (key_file, cert->key_pem, -1, NULL));
  ftp = pd_sim_ftp_new (ftp_dir, cert_file, key_file, "12345678");
  g_assert_true (pd_sim_ftp_start (ftp, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_ftp_put_file (ftp, "/job.3mf", job, &error));
  g_assert_no_error (error);

  /* its own serial: trusted, even with another pin (a renewed certificate) */
  fetch (ftp, "01P00A000000001", other_pin, &result);
  g_assert_no_error (result.error);
  g_assert_cmpuint (g_bytes_get_size (result.bytes), ==, 10);

  /* another printer's certificate at this address: refused, pin or no pin */
  fetch (ftp, "01P00A000000002", NULL, &result);
  g_assert_error (result.error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE);
  g_test_message ("%s", result.error->message);
  g_assert_nonnull (strstr (result.error->message, "another printer"));
  fetch (ftp, "01P00A000000002", cert->fingerprint, &result);
  g_assert_error (result.error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE);

  /* without a serial only the pin vouches (the command-line tool) */
  fetch (ftp, NULL, cert->fingerprint, &result);
  g_assert_no_error (result.error);
  fetch (ftp, NULL, other_pin, &result);
  g_assert_error (result.error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE);
  g_assert_nonnull (strstr (result.error->message, "different certificate"));
  g_assert_true (pd_cert_fingerprint_equal (result.fingerprint, cert->fingerprint));

  fetch_clear (&result);
  pd_sim_ftp_stop (ftp);
  pd_test_remove_tree (dir);
}

/* The camera ------------------------------------------------------------------------*/

/* The port-6000 camera closes in the middle of a picture: the view says the
 * stream was lost, shows no half picture, and comes back; a snapshot saved
 * before is still there. */
static void
test_camera_close_mid_frame (void)
{
  PdFaultRig                 rig;
  PdSimPrinter              *sp = sim_printer (P_P1S);
  PdPrinter                 *printer;
  PdCameraSource            *camera;
  PdCameraFrame             *frame;
  g_autoptr (PdSnapshotStore) snapshots = NULL;
  g_autoptr (GFile)          saved = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *pictures = NULL;
  g_autofree char           *snapshot_before = NULL;
  g_autofree char           *snapshot_after = NULL;
  gsize                      before_length = 0, after_length = 0;
  guint                      viewer;

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, sp, "Camera");
  camera = pd_printer_store_get_camera (rig.store, printer);
  g_assert_cmpint (pd_camera_source_get_kind (camera), ==, PD_CAMERA_KIND_JPEG);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 3, PD_FAULT_WAIT_S));

  /* a snapshot, as the camera window takes it */
  pictures = g_build_filename (rig.base, "Pictures", NULL);
  snapshots = pd_snapshot_store_new (pictures);
  saved = pd_fault_save_snapshot (snapshots, pd_printer_get_name (printer), pd_camera_source_get_frame (camera),
                                  &error);
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (saved, NULL, &snapshot_before, &before_length, NULL, NULL));

  pd_sim_printer_set_camera_fault (sp, PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME);
  g_assert_true (pd_fault_wait_camera_problem (camera, PD_CAMERA_PROBLEM_LOST, 20));
  g_assert_nonnull (pd_camera_source_get_problem_message (camera));
  /* what the view shows is the last whole picture */
  frame = pd_camera_source_get_frame (camera);
  g_assert_nonnull (frame);
  g_assert_cmpint (pd_camera_frame_get_width (frame), >, 0);
  g_assert_cmpint (pd_camera_frame_get_height (frame), >, 0);
  /* MQTT has nothing to do with it */
  assert_still_live (printer);

  pd_sim_printer_set_camera_fault (sp, PD_SIM_CAMERA_FAULT_NONE);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, 40));
  g_assert_cmpint (pd_camera_source_get_problem (camera), ==, PD_CAMERA_PROBLEM_NONE);

  g_assert_true (g_file_load_contents (saved, NULL, &snapshot_after, &after_length, NULL, NULL));
  g_assert_cmpmem (snapshot_before, before_length, snapshot_after, after_length);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_fault_rig_clear (&rig);
}

/* FTPS stall ---------------------------------------------------------------------*/

/* The printer's file server stops answering while the job's file is
 * wanted: the card keeps "reading", nothing else waits for it (MQTT, the
 * camera, the main loop), and when the server moves again the details are
 * the file's. (The 30 s stall limit and its message are test-job-tracker's
 * /job-tracker/stalled: the store's tracker retries for minutes.) */
static void
test_ftps_stall (void)
{
  PdFaultRig         rig;
  PdFaultStallMeter  meter;
  PdSimPrinter      *sp = sim_printer (P_X1C_2);
  PdPrinter         *printer;
  PdCameraSource    *camera;
  const PdSim3mfSpec *spec;
  double             grams = 0;
  guint64            frames;
  guint              viewer;
  guint              generation;

  if (!has_ftp ())
    {
      g_test_skip ("no vsftpd: the printers have no FTPS");
      return;
    }

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, sp, "Stalled");
  camera = pd_printer_store_get_camera (rig.store, printer);
  viewer = pd_camera_source_add_viewer (camera, 0, 0);
  g_assert_true (pd_fault_wait_camera_frames (camera, 2, PD_FAULT_WAIT_S));

  g_assert_true (pd_sim_printer_set_ftp_stalled (sp, TRUE));
  pd_fault_stall_meter_start (&meter);
  generation = pd_printer_get_state (printer)->job_generation;
  pd_sim_printer_start_print (sp);
  g_assert_true (pd_fault_wait_next_details (printer, generation, PD_JOB_DETAILS_FETCHING, PD_FAULT_WAIT_S));
  /* stuck for seconds: still "reading" (no half file, no wrong grams),
   * the rest live */
  frames = pd_camera_source_get_n_frames (camera);
  pd_test_spin (4000);
  g_assert_cmpuint (pd_camera_source_get_n_frames (camera), >, frames + 10);
  g_assert_cmpint (pd_printer_get_job_details_status (printer), ==, PD_JOB_DETAILS_FETCHING);
  assert_still_live (printer);
  pd_fault_stall_meter_stop (&meter);
  g_test_message ("main loop during the stall: longest gap %.0f ms", pd_fault_stall_meter_longest_ms (&meter));
  g_assert_cmpfloat (pd_fault_stall_meter_longest_ms (&meter), <, 1000);

  g_assert_true (pd_sim_printer_set_ftp_stalled (sp, FALSE));
  g_assert_true (pd_fault_wait_details (printer, PD_JOB_DETAILS_READY, 40));
  spec = pd_sim_printer_get_job_spec (sp);
  for (guint i = 0; i < spec->n_filaments; i++)
    grams += spec->filaments[i].grams;
  g_assert_cmpfloat_with_epsilon (pd_job_get_filament_grams_total (pd_printer_get_job (printer)), grams, 0.05);

  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_camera_source_remove_viewer (camera, viewer);
  pd_fault_rig_clear (&rig);
}

int
main (int   argc,
      char *argv[])
{
  static const char *const models[] = { "X1C", "P1S", "X1C", "P1S", NULL };
  g_autoptr (GError)       error = NULL;
  PdSimOptions             options;
  int                      status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults/broker-restart", test_broker_restart);
  g_test_add_func ("/faults/powered-off", test_powered_off);
  g_test_add_func ("/faults/half-open", test_half_open);
  g_test_add_func ("/faults/wrong-access-code", test_wrong_access_code);
  g_test_add_func ("/faults/access-code-changed", test_access_code_changed);
  g_test_add_func ("/faults/certificate-changed", test_certificate_changed);
  g_test_add_func ("/faults/certificate-per-transport", test_certificate_per_transport);
  g_test_add_func ("/faults/ftps-certificate-rule", test_ftps_certificate_rule);
  g_test_add_func ("/faults/camera-close-mid-frame", test_camera_close_mid_frame);
  g_test_add_func ("/faults/ftps-stall", test_ftps_stall);

  pd_sim_options_init (&options);
  options.n_printers = N_SIM_PRINTERS;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  /* a job's preparation (heating, levelling) takes seconds, not minutes:
   * the job trackers fetch when the printing starts */
  options.speed = 20;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
