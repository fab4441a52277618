/* test-session.c — the MQTT session against simulated printers
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real mosquitto broker with TLS on loopback (started by the simulator),
 * real libmosquitto, real certificates. Every wait is bounded.
 */

#include "config.h"

#include <string.h>

#include "pd-cert-policy.h"
#include "pd-enums.h"
#include "pd-session.h"
#include "pd-sim.h"
#include "pd-test-util.h"

static PdSim *sim;

/* Printers of the shared simulator, one per test that breaks something. */
enum
{
  P_MAIN,    /* connect, deltas, commands, malformed reports */
  P_AUTH,    /* wrong access code */
  P_STALL,   /* stops publishing */
  P_CERT,    /* changes its certificate */
  P_OFFLINE, /* stops answering TCP */
  N_SIM_PRINTERS
};

static gboolean
is_connected (gpointer data)
{
  return pd_session_get_connection (data) == PD_CONNECTION_CONNECTED;
}

typedef struct
{
  PdSession      *session;
  PdSessionReason reason;
} ReasonWait;

static gboolean
has_reason (gpointer data)
{
  ReasonWait *wait = data;

  return pd_session_get_reason (wait->session) == wait->reason;
}

static void
assert_reason_within (PdSession      *session,
                      PdSessionReason reason,
                      guint           seconds)
{
  ReasonWait wait = { session, reason };

  if (!pd_test_wait_until (has_reason, &wait, seconds))
    g_error ("expected reason %s within %u s, have %s (%s)",
             pd_session_reason_to_string (reason), seconds,
             pd_session_reason_to_string (pd_session_get_reason (session)),
             pd_connection_to_string (pd_session_get_connection (session)));
}

static PdSession *
session_for (PdSimPrinter *sp,
             const char   *access_code)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (pd_sim_printer_get_serial (sp));
  PdSession            *session = pd_session_new (printer, pd_sim_printer_get_host (sp));

  pd_session_set_port (session, pd_sim_printer_get_port (sp));
  pd_session_set_access_code (session, access_code != NULL ? access_code : pd_sim_printer_get_access_code (sp));

  return session;
}

static guint
count_commands (PdSimPrinter *sp,
                const char   *needle)
{
  g_autoptr (GPtrArray) commands = pd_sim_printer_get_commands (sp);
  guint                 n = 0;

  for (guint i = 0; i < commands->len; i++)
    {
      PdSimCommand *command = g_ptr_array_index (commands, i);

      if (strstr (command->payload, needle) != NULL)
        n++;
    }

  return n;
}

/* Connect, full state, deltas ------------------------------------------------*/

typedef struct
{
  guint n_changes;
  guint n_in;
  guint n_out;
} Counts;

static void
on_state_changed (PdPrinter *printer,
                  GPtrArray *changes,
                  Counts    *counts)
{
  counts->n_changes++;
}

static void
on_message (PdSession         *session,
            PdMessageDirection direction,
            const char        *topic,
            GBytes            *payload,
            Counts            *counts)
{
  if (direction == PD_MESSAGE_INCOMING)
    counts->n_in++;
  else
    counts->n_out++;
}

static gboolean
has_changes (gpointer data)
{
  return ((Counts *) data)->n_changes >= 4;
}

static gboolean
has_reports (gpointer data)
{
  return ((Counts *) data)->n_in >= 4;
}

static gboolean
has_status (gpointer data)
{
  return pd_printer_get_status (data) != PD_STATUS_UNKNOWN;
}

static gboolean
has_firmware (gpointer data)
{
  return pd_printer_get_firmware (data) != NULL;
}

static void
test_connect_full_state_and_deltas (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  PdPrinter            *printer = pd_session_get_printer (session);
  Counts                counts = {
                   0,
  };
  g_autoptr (GPtrArray) commands = NULL;
  gboolean              saw_pushall = FALSE, saw_version = FALSE;

  pd_sim_printer_clear_commands (sp);
  g_signal_connect (printer, "state-changed", G_CALLBACK (on_state_changed), &counts);
  g_signal_connect (session, "message", G_CALLBACK (on_message), &counts);

  g_assert_cmpint (pd_session_get_reason (session), ==, PD_SESSION_REASON_STOPPED);
  pd_session_start (session);
  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_CONNECTING);

  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  g_assert_cmpint (pd_session_get_reason (session), ==, PD_SESSION_REASON_NONE);
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
  /* the full frame (the first report may be a delta published before the
   * answer to pushall): the model and the status are known
   */
  g_assert_cmpstr (pd_printer_get_model (printer), ==, pd_sim_printer_get_model (sp));
  g_assert_true (pd_test_wait_until (has_status, printer, 5));
  g_assert_true (pd_test_wait_until (has_firmware, printer, 5));

  /* deltas keep coming and are merged */
  g_assert_true (pd_test_wait_until (has_reports, &counts, 10));
  g_assert_true (pd_test_wait_until (has_changes, &counts, 10));

  /* pushall and get_version went out at QoS 1, and nothing else subscribed
   * to the request topic (some brokers drop clients that do)
   */
  commands = pd_sim_printer_get_commands (sp);
  for (guint i = 0; i < commands->len; i++)
    {
      PdSimCommand *command = g_ptr_array_index (commands, i);

      g_assert_cmpint (command->qos, ==, 1);
      saw_pushall |= strstr (command->payload, "\"pushall\"") != NULL;
      saw_version |= strstr (command->payload, "\"get_version\"") != NULL;
    }
  g_assert_true (saw_pushall);
  g_assert_true (saw_version);
  g_assert_cmpuint (counts.n_out, >=, 2);

  /* the certificate was pinned on first use: the simulator's CA is not Bambu's */
  g_assert_true (pd_cert_fingerprint_equal (pd_session_get_pinned_fingerprint (session),
                                            pd_sim_printer_get_fingerprint (sp)));

  pd_session_stop (session);
  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpint (pd_session_get_reason (session), ==, PD_SESSION_REASON_STOPPED);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_OFFLINE);
  g_signal_handlers_disconnect_by_data (printer, &counts);
  g_signal_handlers_disconnect_by_data (session, &counts);
}

/* Commands ------------------------------------------------------------------*/

typedef struct
{
  gboolean  done;
  JsonNode *reply;
  GError   *error;
} SendResult;

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  SendResult *sent = data;

  sent->reply = pd_session_send_finish (PD_SESSION (source), result, &sent->error);
  sent->done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return ((SendResult *) data)->done;
}

static gboolean
is_paused (gpointer data)
{
  return pd_printer_get_status (data) == PD_STATUS_PAUSED;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

static void
test_commands (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  g_autoptr (JsonNode)  pause = parse_json ("{\"print\":{\"command\":\"pause\",\"param\":\"\"}}");
  g_autoptr (JsonNode)  bad = parse_json ("[1,2]");
  g_autoptr (GPtrArray) commands = NULL;
  SendResult            early = {
               0,
  },
             sent = {
               0,
             },
             invalid = {
               0,
             };

  /* not connected yet: a clear error, at once */
  pd_session_send_async (session, pause, NULL, on_sent, &early);
  g_assert_true (pd_test_wait_until (is_done, &early, 2));
  g_assert_error (early.error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&early.error);

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  pd_sim_printer_start_print (sp);
  pd_sim_printer_clear_commands (sp);

  pd_session_send_async (session, bad, NULL, on_sent, &invalid);
  g_assert_true (pd_test_wait_until (is_done, &invalid, 2));
  g_assert_error (invalid.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&invalid.error);

  pd_session_send_async (session, pause, NULL, on_sent, &sent);
  g_assert_true (pd_test_wait_until (is_done, &sent, 10));
  g_assert_no_error (sent.error);
  /* the printer's own answer, with our sequence id */
  g_assert_nonnull (sent.reply);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (sent.reply), "print"),
                                                  "result"),
                   ==, "success");
  g_clear_pointer (&sent.reply, json_node_unref);

  /* it arrived at QoS 1 and the printer obeyed */
  g_assert_cmpuint (count_commands (sp, "\"pause\""), ==, 1);
  commands = pd_sim_printer_get_commands (sp);
  g_assert_cmpint (((PdSimCommand *) g_ptr_array_index (commands, 0))->qos, ==, 1);
  g_assert_true (pd_test_wait_until (is_paused, pd_session_get_printer (session), 10));

  pd_session_stop (session);
}

/* Bad messages ----------------------------------------------------------------*/

static void
on_rejected (PdSession  *session,
             const char *message,
             guint      *n_rejected)
{
  g_test_message ("rejected: %s", message);
  (*n_rejected)++;
}

static gboolean
two_rejected (gpointer data)
{
  return *(guint *) data >= 2;
}

static void
test_malformed_and_oversized (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  PdPrinter            *printer = pd_session_get_printer (session);
  Counts                counts = {
                   0,
  };
  guint n_rejected = 0;

  g_signal_connect (session, "report-rejected", G_CALLBACK (on_rejected), &n_rejected);
  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));

  g_assert_true (pd_sim_printer_publish_malformed (sp));
  g_assert_true (pd_sim_printer_publish_big (sp, 1024 * 1024));
  g_assert_true (pd_test_wait_until (two_rejected, &n_rejected, 10));

  /* the session survives and goes on merging */
  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_CONNECTED);
  g_signal_connect (printer, "state-changed", G_CALLBACK (on_state_changed), &counts);
  g_assert_true (pd_test_wait_until (has_changes, &counts, 15));

  g_signal_handlers_disconnect_by_data (printer, &counts);
  pd_session_stop (session);
}

/* Faults ---------------------------------------------------------------------*/

static void
test_wrong_access_code (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_AUTH);
  g_autoptr (PdSession) session = session_for (sp, "00000000");
  guint                 attempts;

  pd_session_start (session);
  assert_reason_within (session, PD_SESSION_REASON_WRONG_ACCESS_CODE, 10);
  g_assert_cmpint (pd_session_get_connection (session), !=, PD_CONNECTION_CONNECTED);

  /* Backoff, no hammering: 1 s, 2 s, 4 s (± 25 %) between attempts, so at
   * most 4 attempts in 7 seconds.
   */
  pd_test_spin (7000);
  attempts = pd_session_get_n_attempts (session);
  g_test_message ("%u attempts in about 7 s", attempts);
  g_assert_cmpuint (attempts, >=, 2);
  g_assert_cmpuint (attempts, <=, 4);

  /* the right code: connects */
  pd_session_set_access_code (session, pd_sim_printer_get_access_code (sp));
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  pd_session_stop (session);
}

static void
test_refusing_printer (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_AUTH);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  g_autoptr (GError)    error = NULL;

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));

  /* the access code changed on the printer while we were connected */
  g_assert_true (pd_sim_printer_set_refusing (sp, TRUE, &error));
  g_assert_no_error (error);
  pd_sim_printer_drop_connections (sp);
  assert_reason_within (session, PD_SESSION_REASON_WRONG_ACCESS_CODE, 15);

  g_assert_true (pd_sim_printer_set_refusing (sp, FALSE, &error));
  g_assert_no_error (error);
  pd_session_stop (session);
}

static void
test_silent_printer (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_STALL);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  guint                 probes_before;

  pd_session_set_stale_timeout (session, 4);
  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));

  /* TCP stays open, the broker answers pings, the printer says nothing */
  pd_sim_printer_clear_commands (sp);
  pd_sim_printer_set_stalled (sp, TRUE);
  probes_before = count_commands (sp, "get_version");
  assert_reason_within (session, PD_SESSION_REASON_NOT_RESPONDING, 8);
  g_assert_cmpint (pd_session_get_connection (session), !=, PD_CONNECTION_CONNECTED);
  /* it was asked (get_version) before being declared silent */
  g_assert_cmpuint (count_commands (sp, "get_version"), >, probes_before);

  pd_sim_printer_set_stalled (sp, FALSE);
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  pd_session_stop (session);
}

static void
test_offline_printer (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_OFFLINE);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  g_autoptr (GError)    error = NULL;

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));

  /* powered off: connections drop, new ones are refused */
  g_assert_true (pd_sim_printer_set_offline (sp, TRUE, &error));
  g_assert_no_error (error);
  assert_reason_within (session, PD_SESSION_REASON_UNREACHABLE, 10);
  g_assert_cmpint (pd_printer_get_status (pd_session_get_printer (session)), ==, PD_STATUS_OFFLINE);

  g_assert_true (pd_sim_printer_set_offline (sp, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (is_connected, session, 20));
  pd_session_stop (session);
}

static void
test_certificate_changed (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_CERT);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  g_autoptr (GError)    error = NULL;
  g_autofree char      *pinned = NULL;

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  pinned = g_strdup (pd_session_get_pinned_fingerprint (session));
  g_assert_nonnull (pinned);

  /* a new key: refused until the user accepts it (this restarts the broker) */
  g_assert_true (pd_sim_printer_regenerate_certificate (sp, &error));
  g_assert_no_error (error);
  assert_reason_within (session, PD_SESSION_REASON_CERTIFICATE_CHANGED, 15);
  g_assert_cmpstr (pd_session_get_pinned_fingerprint (session), ==, pinned);
  g_assert_true (pd_cert_fingerprint_equal (pd_session_get_fingerprint (session),
                                            pd_sim_printer_get_fingerprint (sp)));
  pd_test_spin (1500);
  g_assert_cmpint (pd_session_get_connection (session), !=, PD_CONNECTION_CONNECTED);

  pd_session_accept_certificate (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  g_assert_true (pd_cert_fingerprint_equal (pd_session_get_pinned_fingerprint (session),
                                            pd_sim_printer_get_fingerprint (sp)));
  pd_session_stop (session);
}

static void
test_no_reports (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autofree char      *wrong = g_ascii_strdown (pd_sim_printer_get_serial (sp), -1);
  g_autoptr (PdPrinter) printer = pd_printer_new (wrong);
  g_autoptr (PdSession) session = pd_session_new (printer, pd_sim_printer_get_host (sp));

  /* a serial in the wrong case: the topic names no printer */
  pd_session_set_port (session, pd_sim_printer_get_port (sp));
  pd_session_set_access_code (session, pd_sim_printer_get_access_code (sp));
  pd_session_set_stale_timeout (session, 6);
  pd_session_start (session);
  assert_reason_within (session, PD_SESSION_REASON_NO_REPORTS, 10);
  g_assert_cmpint (pd_session_get_connection (session), !=, PD_CONNECTION_CONNECTED);
  pd_session_stop (session);
}

static void
test_bridge (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdPrinter) printer = pd_printer_new (pd_sim_printer_get_serial (sp));
  g_autoptr (PdSession) session = NULL;
  const char           *host, *user, *password;
  guint16               port;

  g_assert_true (pd_sim_get_bridge (sim, &host, &port, &user, &password));
  session = pd_session_new (printer, host);
  pd_session_set_port (session, port);
  pd_session_set_bridge (session, user, password, TRUE);
  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  g_assert_cmpstr (pd_printer_get_model (printer), ==, pd_sim_printer_get_model (sp));
  pd_session_stop (session);
}

static void
test_broker_restart (void)
{
  PdSimPrinter         *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdSession) session = session_for (sp, NULL);
  g_autoptr (GError)    error = NULL;

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  pd_sim_printer_clear_commands (sp);

  g_assert_true (pd_sim_restart_broker (sim, &error));
  g_assert_no_error (error);

  /* back, and re-synced with a pushall */
  pd_test_spin (500);
  g_assert_true (pd_test_wait_until (is_connected, session, 20));
  g_assert_cmpuint (count_commands (sp, "\"pushall\""), >=, 1);
  pd_session_stop (session);
}

/* After a suspend the connection is dead without anyone having said so:
 * logind's PrepareForSleep(false) starts a fresh session at once. The
 * "system bus" here is a private bus (DBUS_SYSTEM_BUS_ADDRESS, set in main)
 * on which the test plays logind.
 */
typedef struct
{
  PdSession *session;
  guint      before;
} AttemptWait;

static gboolean
attempted_again (gpointer data)
{
  AttemptWait *wait = data;

  return pd_session_get_n_attempts (wait->session) > wait->before;
}

static void
test_resume_from_suspend (void)
{
  PdSimPrinter               *sp = pd_sim_get_printer (sim, P_MAIN);
  g_autoptr (PdSession)       session = session_for (sp, NULL);
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GError)          error = NULL;
  AttemptWait                 wait = { session, 0 };
  guint                       owner;

  bus = g_bus_get_sync (G_BUS_TYPE_SYSTEM, NULL, &error);
  g_assert_no_error (error);
  owner = g_bus_own_name_on_connection (bus, "org.freedesktop.login1", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        NULL, NULL, NULL, NULL);

  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, session, 10));
  wait.before = pd_session_get_n_attempts (session);

  g_dbus_connection_emit_signal (bus, NULL, "/org/freedesktop/login1", "org.freedesktop.login1.Manager",
                                 "PrepareForSleep", g_variant_new ("(b)", FALSE), &error);
  g_assert_no_error (error);

  /* a new attempt at once, not after a stale timeout */
  g_assert_true (pd_test_wait_until (attempted_again, &wait, 5));
  g_assert_true (pd_test_wait_until (is_connected, session, 10));

  pd_session_stop (session);
  g_bus_unown_name (owner);
}

static void
test_new_destroy (void)
{
  g_autoptr (PdPrinter) printer = pd_printer_new ("00M09A000000001");
  PdSession            *session = pd_session_new (printer, "127.0.0.1");

  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (pd_session_get_port (session), ==, PD_SESSION_DEFAULT_PORT);
  g_assert_finalize_object (session);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (GTestDBus) system_bus = NULL;
  PdSimOptions          options;
  int                   status;

  g_test_init (&argc, &argv, NULL);

  /* A private bus to play the system bus on (logind's suspend signal);
   * sessions subscribe to it when they are made.
   */
  system_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (system_bus);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", g_test_dbus_get_bus_address (system_bus), TRUE);

  pd_sim_options_init (&options);
  options.n_printers = N_SIM_PRINTERS;
  options.speed = 30;
  options.bridge = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  g_test_add_func ("/session/new-destroy", test_new_destroy);
  g_test_add_func ("/session/connect", test_connect_full_state_and_deltas);
  g_test_add_func ("/session/commands", test_commands);
  g_test_add_func ("/session/malformed-and-oversized", test_malformed_and_oversized);
  g_test_add_func ("/session/wrong-access-code", test_wrong_access_code);
  g_test_add_func ("/session/access-code-changed", test_refusing_printer);
  g_test_add_func ("/session/silent-printer", test_silent_printer);
  g_test_add_func ("/session/offline-printer", test_offline_printer);
  g_test_add_func ("/session/no-reports", test_no_reports);
  g_test_add_func ("/session/bridge", test_bridge);
  g_test_add_func ("/session/resume-from-suspend", test_resume_from_suspend);
  g_test_add_func ("/session/certificate-changed", test_certificate_changed);
  g_test_add_func ("/session/broker-restart", test_broker_restart);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);
  g_test_dbus_down (system_bus);

  return status;
}
