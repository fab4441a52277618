/* test-debug-log.c — PdDebugLog: capture, ring, redaction, export, and the
 * CLI's `watch --record` and `inspect` of what was recorded
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The capture tests use the simulator (loopback only, every wait bounded).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pd-debug-log.h"
#include "pd-json.h"
#include "pd-printer.h"
#include "pd-session.h"
#include "pd-sim.h"
#include "pd-state.h"
#include "pd-test-util.h"

static PdSim *sim;

static GBytes *
bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* Messages ----------------------------------------------------------------------*/

static void
test_summaries (void)
{
  g_autofree char           *full = pd_test_load_fixture ("reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json", NULL);
  g_autoptr (GBytes)         full_bytes = bytes (full);
  g_autoptr (GBytes)         pushall = bytes ("{\"pushing\":{\"sequence_id\":\"7\",\"command\":\"pushall\"}}");
  g_autoptr (GBytes)         version = bytes ("{\"info\":{\"sequence_id\":\"8\",\"command\":\"get_version\"}}");
  g_autoptr (GBytes)         garbage = bytes ("not json at all");
  g_autoptr (PdDebugMessage) report = pd_debug_message_new (0, PD_MESSAGE_INCOMING, "device/S/report", full_bytes, NULL);
  g_autoptr (PdDebugMessage) push = pd_debug_message_new (0, PD_MESSAGE_OUTGOING, "device/S/request", pushall, NULL);
  g_autoptr (PdDebugMessage) info = pd_debug_message_new (0, PD_MESSAGE_OUTGOING, "device/S/request", version, NULL);
  g_autoptr (PdDebugMessage) text = pd_debug_message_new (0, PD_MESSAGE_INCOMING, "device/S/report", garbage, NULL);
  g_autofree char           *pretty = pd_debug_message_dup_pretty (push);

  g_test_message ("%s", pd_debug_message_get_summary (report));
  g_assert_true (g_str_has_prefix (pd_debug_message_get_summary (report), "print.push_status · "));
  g_assert_true (g_str_has_suffix (pd_debug_message_get_summary (report), " fields"));
  g_assert_cmpstr (pd_debug_message_get_summary (push), ==, "pushing.pushall");
  g_assert_cmpstr (pd_debug_message_get_summary (info), ==, "info.get_version");
  g_assert_cmpstr (pd_debug_message_get_summary (text), ==, "not JSON · 15 bytes");
  g_assert_null (pd_debug_message_get_json (text));
  g_assert_nonnull (pd_debug_message_get_json (report));
  g_assert_cmpuint (pd_debug_message_get_size (report), ==, strlen (full));
  g_assert_nonnull (strstr (pretty, "\n"));
  g_assert_true (pd_debug_message_matches (report, "PUSH_STATUS"));
  g_assert_true (pd_debug_message_matches (report, "device/S"));
  g_assert_false (pd_debug_message_matches (push, "gcode_state"));
}

static void
test_bad_payloads (void)
{
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autoptr (GBytes)  deep_bytes = NULL;
  g_autoptr (GBytes)  invalid = g_bytes_new ("{\"a\":\"\xff\xfe\"}", 11);
  g_autoptr (GBytes)  empty = g_bytes_new ("", 0);
  g_autoptr (PdDebugMessage) a = NULL;
  g_autoptr (PdDebugMessage) b = NULL;
  g_autoptr (PdDebugMessage) c = NULL;

  /* 100,000 levels: shown as text, not parsed (json-glib would recurse) */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  deep_bytes = bytes (deep->str);
  a = pd_debug_message_new (0, PD_MESSAGE_INCOMING, "t", deep_bytes, NULL);
  g_assert_null (pd_debug_message_get_json (a));
  g_assert_cmpuint (strlen (pd_debug_message_get_text (a)), ==, 100000);

  b = pd_debug_message_new (0, PD_MESSAGE_INCOMING, "t", invalid, NULL);
  g_assert_true (g_utf8_validate (pd_debug_message_get_text (b), -1, NULL));

  c = pd_debug_message_new (0, PD_MESSAGE_INCOMING, NULL, empty, NULL);
  g_assert_cmpstr (pd_debug_message_get_text (c), ==, "");
  g_assert_cmpstr (pd_debug_message_get_topic (c), ==, "");
}

static void
test_redaction (void)
{
  const char                *secret = "31415926";
  g_autoptr (GBytes)         payload =
    bytes ("{\"print\":{\"command\":\"project_file\",\"url\":\"ftp://bblp:31415926@printer/job.3mf\","
           "\"password\":\"hunter22\",\"Access_Code\":\"x\",\"nested\":[{\"api_token\":\"abc\"}],\"note\":\"fine\"}}");
  g_autoptr (GBytes)         text = bytes ("code=31415926 and more");
  g_autoptr (PdDebugMessage) message = pd_debug_message_new (0, PD_MESSAGE_OUTGOING, "t", payload, secret);
  g_autoptr (PdDebugMessage) plain = pd_debug_message_new (0, PD_MESSAGE_INCOMING, "t", text, secret);
  g_autofree char           *line = pd_debug_message_to_line (message);
  g_autofree char           *pretty = pd_debug_message_dup_pretty (message);

  for (guint i = 0; i < 3; i++)
    {
      const char *out = i == 0 ? line : i == 1 ? pretty : pd_debug_message_get_text (message);

      g_assert_null (strstr (out, secret));
      g_assert_null (strstr (out, "hunter22"));
      g_assert_null (strstr (out, "\"abc\""));
      g_assert_nonnull (strstr (out, PD_DEBUG_REDACTED));
      g_assert_nonnull (strstr (out, "fine"));
    }
  g_assert_cmpstr (pd_debug_message_get_text (plain), ==, "code=" PD_DEBUG_REDACTED " and more");
  g_assert_false (pd_debug_message_matches (plain, secret));
}

/* The ring ------------------------------------------------------------------------*/

typedef struct
{
  guint n;        /* the count the signals say */
  guint signals;
  gboolean consistent;
} ModelMirror;

static void
on_items_changed (GListModel  *model,
                  guint        position,
                  guint        removed,
                  guint        added,
                  ModelMirror *mirror)
{
  mirror->n = mirror->n - removed + added;
  mirror->signals++;
  /* at every signal the model is what the signals so far say */
  if (g_list_model_get_n_items (model) != mirror->n)
    mirror->consistent = FALSE;
}

static void
test_ring (void)
{
  g_autoptr (PdDebugLog) log = pd_debug_log_new (NULL);
  ModelMirror            mirror = { 0, 0, TRUE };

  g_signal_connect (log, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  g_assert_cmpuint (pd_debug_log_get_capacity (log), ==, PD_DEBUG_LOG_DEFAULT_CAPACITY);
  pd_debug_log_set_capacity (log, 3);

  for (guint i = 1; i <= 10; i++)
    {
      g_autofree char   *text = g_strdup_printf ("{\"n\":%u}", i);
      g_autoptr (GBytes) payload = bytes (text);

      pd_debug_log_add (log, i % 2 ? PD_MESSAGE_INCOMING : PD_MESSAGE_OUTGOING, "t", payload);
    }

  g_assert_true (mirror.consistent);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);
  g_assert_cmpuint (pd_debug_log_get_n_dropped (log), ==, 7);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (PdDebugMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autofree char           *expected = g_strdup_printf ("{\"n\":%u}", 8 + i);

      g_assert_cmpstr (pd_debug_message_get_text (message), ==, expected);
      g_assert_cmpuint (pd_debug_message_get_sequence (message), ==, 8 + i);
    }

  pd_debug_log_set_capacity (log, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  pd_debug_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (pd_debug_log_get_n_dropped (log), ==, 0);
  g_assert_true (mirror.consistent);
  g_assert_cmpuint (mirror.n, ==, 0);
}

/* Capturing a live session --------------------------------------------------------*/

typedef struct
{
  PdDebugLog *log;
  gboolean    in;
  gboolean    out;
} Seen;

static gboolean
saw_both (gpointer data)
{
  Seen *seen = data;

  seen->in = seen->out = FALSE;
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (seen->log)); i++)
    {
      g_autoptr (PdDebugMessage) message = g_list_model_get_item (G_LIST_MODEL (seen->log), i);

      if (pd_debug_message_get_direction (message) == PD_MESSAGE_INCOMING)
        seen->in = TRUE;
      else
        seen->out = TRUE;
    }

  return seen->in && seen->out && g_list_model_get_n_items (G_LIST_MODEL (seen->log)) >= 4;
}

static gboolean
is_connected (gpointer data)
{
  return pd_printer_get_connection (data) == PD_CONNECTION_CONNECTED;
}

static char *
run_cli (const char *const *argv,
         const char        *code,
         int               *status)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GAsyncResult)        result = NULL;
  g_autoptr (GError)              error = NULL;
  char                           *out = NULL;

  if (code != NULL)
    g_subprocess_launcher_setenv (launcher, "PRINTDECK_ACCESS_CODE", code, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  /* the simulator runs on this thread's main loop: keep it turning */
  g_subprocess_communicate_utf8_async (process, NULL, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 60));
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, &out, NULL, &error));
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);

  return out;
}

static void
compare_member (JsonObject *a,
                JsonObject *b,
                const char *name)
{
  g_autofree char *x = pd_json_to_string (json_object_get_member (a, name), FALSE);
  g_autofree char *y = pd_json_to_string (json_object_get_member (b, name), FALSE);

  g_assert_cmpstr (x, ==, y);
}

static void
test_capture_and_export (void)
{
  PdSimPrinter             *p = pd_sim_get_printer (sim, 0);
  g_autoptr (PdPrinter)     printer = pd_printer_new (pd_sim_printer_get_serial (p));
  g_autoptr (PdSession)     session = pd_session_new (printer, pd_sim_printer_get_host (p));
  g_autoptr (PdDebugLog)    log = pd_debug_log_new (session);
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GError)        error = NULL;
  g_autofree char          *dir = g_dir_make_tmp ("printdeck-debug-XXXXXX", NULL);
  g_autofree char          *path = g_build_filename (dir, "capture.jsonl", NULL);
  g_autoptr (GFile)         file = g_file_new_for_path (path);
  g_autofree char          *contents = NULL;
  g_autofree char          *inspected = NULL;
  g_autoptr (JsonParser)    parser = json_parser_new ();
  g_autoptr (PdState)       at_stop = NULL;
  JsonNode                 *ours_node;
  JsonObject               *ours;
  JsonObject               *theirs;
  Seen                      seen = { log, FALSE, FALSE };
  guint                     n;
  gint64                    last_time = 0;
  guint64                   last_sequence = 0;
  int                       status;
  const char               *argv[] = { PRINTDECK_CLI, "inspect", "--serial", pd_sim_printer_get_serial (p), path, NULL };

  pd_session_set_port (session, pd_sim_printer_get_port (p));
  pd_session_set_access_code (session, pd_sim_printer_get_access_code (p));
  pd_session_set_pinned_fingerprint (session, pd_sim_printer_get_fingerprint (p));
  pd_debug_log_set_secret (log, pd_sim_printer_get_access_code (p));

  /* Started before the connection: our pushall and get_version are in it. */
  pd_debug_log_start (log);
  g_assert_true (pd_debug_log_get_capturing (log));
  pd_session_start (session);
  g_assert_true (pd_test_wait_until (is_connected, printer, 20));
  g_assert_true (pd_test_wait_until (saw_both, &seen, 20));

  /* In arrival order: sequence and time only go up. */
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdDebugMessage) message = g_list_model_get_item (G_LIST_MODEL (log), i);

      g_assert_cmpuint (pd_debug_message_get_sequence (message), >, last_sequence);
      g_assert_cmpint (pd_debug_message_get_time (message), >=, last_time);
      last_sequence = pd_debug_message_get_sequence (message);
      last_time = pd_debug_message_get_time (message);
    }
  {
    g_autoptr (PdDebugMessage) first = g_list_model_get_item (G_LIST_MODEL (log), 0);

    /* the first thing said is ours: pushall, on CONNACK */
    g_assert_cmpint (pd_debug_message_get_direction (first), ==, PD_MESSAGE_OUTGOING);
    g_assert_cmpstr (pd_debug_message_get_summary (first), ==, "pushing.pushall");
  }

  /* Stopped: nothing more. The printer's state now is what the captured
   * reports made (the session emits a message before it merges it). */
  pd_debug_log_stop (log);
  at_stop = pd_state_ref (pd_printer_get_state (printer));
  ours_node = pd_state_to_json (at_stop);
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  pd_test_spin (2500);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, n);

  /* The export, read back by `printdeck-cli inspect`, is the same printer. */
  pd_debug_log_export_async (log, file, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 10));
  g_assert_true (pd_debug_log_export_finish (log, result, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  {
    g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines) - 1, ==, n); /* one line a message */
  }
  g_assert_null (strstr (contents, pd_sim_printer_get_access_code (p)));
  g_assert_nonnull (strstr (contents, "\"direction\":\"out\""));

  inspected = run_cli (argv, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, inspected, -1, &error));
  g_assert_no_error (error);
  theirs = json_node_get_object (json_parser_get_root (parser));
  ours = json_node_get_object (ours_node);
  compare_member (ours, theirs, "status");
  compare_member (ours, theirs, "temperatures");
  compare_member (ours, theirs, "ams");
  compare_member (ours, theirs, "hms");
  compare_member (ours, theirs, "model");

  pd_session_stop (session);
  pd_test_remove_tree (dir);
}

/* `printdeck-cli watch --record FILE`: the same format, in and out. */
static void
test_watch_record (void)
{
  PdSimPrinter    *p = pd_sim_get_printer (sim, 0);
  g_autofree char *dir = g_dir_make_tmp ("printdeck-record-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "watch.jsonl", NULL);
  g_autofree char *port = g_strdup_printf ("%u", pd_sim_printer_get_port (p));
  g_autofree char *out = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *inspected = NULL;
  int              status;
  const char      *watch[] = { PRINTDECK_CLI, "watch", "--once", "--timeout", "20", "--port", port,
                               "--fingerprint", pd_sim_printer_get_fingerprint (p), "--record", path,
                               pd_sim_printer_get_host (p), pd_sim_printer_get_serial (p), NULL };
  const char      *inspect[] = { PRINTDECK_CLI, "inspect", path, NULL };

  out = run_cli (watch, pd_sim_printer_get_access_code (p), &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"direction\":\"out\""));
  g_assert_nonnull (strstr (contents, "\"direction\":\"in\""));
  g_assert_nonnull (strstr (contents, "pushall"));
  g_assert_null (strstr (contents, pd_sim_printer_get_access_code (p)));

  inspected = run_cli (inspect, NULL, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (inspected, "\"status\""));

  pd_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  int                status;

  g_test_init (&argc, &argv, NULL);

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.no_cameras = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  g_test_add_func ("/debug-log/summaries", test_summaries);
  g_test_add_func ("/debug-log/bad-payloads", test_bad_payloads);
  g_test_add_func ("/debug-log/redaction", test_redaction);
  g_test_add_func ("/debug-log/ring", test_ring);
  g_test_add_func ("/debug-log/capture-and-export", test_capture_and_export);
  g_test_add_func ("/debug-log/watch-record", test_watch_record);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
