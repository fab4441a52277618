/* test-cli.c — printdeck-cli, run as a user would run it
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pd-job-fetch.h"
#include "pd-job-file.h"
#include "pd-test-util.h"


static void
run_cli (PdTestRun  *run,
         const char *first,
         ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  va_list               args;

  g_ptr_array_add (argv, g_strdup (PRINTDECK_CLI));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    {
      /* "@name" is a fixture */
      if (arg[0] == '@')
        g_ptr_array_add (argv, pd_test_fixture_path (arg + 1));
      else
        g_ptr_array_add (argv, g_strdup (arg));
    }
  va_end (args);
  g_ptr_array_add (argv, NULL);

  pd_test_run (run, NULL, (const char *const *) argv->pdata);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_ref (json_parser_get_root (parser));
}

static void
test_inspect_document_shape (void)
{
  g_auto (PdTestRun) run = {
    0,
  };
  g_autoptr (JsonNode)     doc = NULL;
  g_autoptr (GList)        keys = NULL;
  JsonObject              *obj, *temps, *job;
  static const char *const top[] = {
    "serial",
    "name",
    "model",
    "connection",
    "status",
    "stage",
    "temperatures",
    "job",
    "hms",
    "print_error",
    "ams",
    "camera",
    "wifi_dbm",
    "light",
    "firmware",
    "door_open",
    "sd_card",
  };
  guint i = 0;

  run_cli (&run, "inspect", "--model", "H2D", "--serial", "094ABC123456789", "--name", "Left H2D",
           "@reports/H2D_running_ams_amsht_encoded_temps_push_status.json",
           "@reports/H2D_get_version_response.json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  doc = parse (run.out);
  obj = json_node_get_object (doc);
  keys = json_object_get_members (obj);
  /* the keys of docs/DESIGN.md, in its order */
  for (const GList *l = keys; l != NULL; l = l->next, i++)
    {
      g_assert_cmpuint (i, <, G_N_ELEMENTS (top));
      g_assert_cmpstr (l->data, ==, top[i]);
    }
  g_assert_cmpuint (i, ==, G_N_ELEMENTS (top));

  g_assert_cmpstr (json_object_get_string_member (obj, "serial"), ==, "094ABC123456789");
  g_assert_cmpstr (json_object_get_string_member (obj, "name"), ==, "Left H2D");
  g_assert_cmpstr (json_object_get_string_member (obj, "model"), ==, "H2D");
  g_assert_true (json_object_get_null_member (obj, "connection"));
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "printing");
  g_assert_cmpstr (json_object_get_string_member (obj, "firmware"), ==, "01.01.02.07");

  temps = json_object_get_object_member (obj, "temperatures");
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (temps, "chamber"), "current"), ==, 48);
  job = json_object_get_object_member (obj, "job");
  g_assert_cmpint (json_object_get_int_member (job, "total_layers"), ==, 26);
  g_assert_true (json_object_get_null_member (job, "filament_grams_total"));

  /* temperatures are written as people read them */
  g_assert_nonnull (strstr (run.out, "\"temperature\": 26.2,"));
}

static void
test_inspect_changes (void)
{
  g_auto (PdTestRun) run = {
    0,
  };
  g_auto (GStrv)       lines = NULL;
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;
  JsonArray           *changes;

  run_cli (&run, "inspect", "--changes", "-m", "H2D",
           "@reports/H2D_running_ams_amsht_encoded_temps_push_status.json",
           "@reports/H2D_door_opened_stat_delta.json", NULL);
  g_assert_cmpint (run.status, ==, 0);

  lines = g_strsplit (g_strchomp (run.out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);

  first = parse (lines[0]);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (json_node_get_object (first), "source"),
                                   "H2D_running_ams_amsht_encoded_temps_push_status.json"));
  changes = json_object_get_array_member (json_node_get_object (first), "changes");
  g_assert_cmpuint (json_array_get_length (changes), >, 10);

  second = parse (lines[1]);
  changes = json_object_get_array_member (json_node_get_object (second), "changes");
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (changes, 0), ==, "door_open");
}

static char *
write_temp (const char *contents)
{
  g_autoptr (GError) error = NULL;
  char              *path = NULL;
  int                fd = g_file_open_tmp ("printdeck-cli-XXXXXX.jsonl", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);

  return path;
}

static void
test_inspect_recording_with_bad_lines (void)
{
  g_auto (PdTestRun) run = {
    0,
  };
  g_autoptr (JsonNode) doc = NULL;
  g_autofree char     *path = write_temp (
        "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"benchy\",\"mc_percent\":10}}\n"
            "\n"
            "{\"print\":{\"mc_percent\":20,\"nozzle_temper\":\"hot\"}}\n"
            "{\"print\":{\"mc_percent\":\n"
            "{\"print\":{\"layer_num\":12}}\n");
  JsonObject *job;

  run_cli (&run, "inspect", "--serial", "01P00A000000001", path, NULL);
  g_unlink (path);

  /* one report rejected: exit 1, but the rest is merged and printed */
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, ":4: report rejected: "));
  g_assert_nonnull (strstr (run.err, ":3: warning: print.nozzle_temper"));

  doc = parse (run.out);
  job = json_object_get_object_member (json_node_get_object (doc), "job");
  g_assert_cmpstr (json_object_get_string_member (job, "name"), ==, "benchy");
  g_assert_cmpint (json_object_get_int_member (job, "progress"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (job, "layer"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (doc), "model"), ==, "P1S");
}

static void
test_inspect_text (void)
{
  g_auto (PdTestRun) run = {
    0,
  };

  run_cli (&run, "inspect", "--format", "text", "--model", "X1C", "--name", "Left",
           "@reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Left — X1 Carbon\n"));
  g_assert_nonnull (strstr (run.out, "Finished"));
  g_assert_nonnull (strstr (run.out, "Layer           480 of 480"));
  g_assert_nonnull (strstr (run.out, "AMS 2 Pro"));
  g_assert_nonnull (strstr (run.out, "[empty]"));
}

/* watch ----------------------------------------------------------------------*/

typedef struct
{
  GSubprocess *sim;
  char        *host;
  char        *port;
  char        *serial;
  char        *access_code;
  char        *fingerprint;
  char        *ftp_port; /* "0" without FTP (no vsftpd) */
  char        *ftp_user;
} Sim;

/* One printer of @model, doing @scenario (NULL: mixed). */
static void
sim_start_full (Sim        *sim,
                const char *model,
                const char *scenario)
{
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (JsonNode)         node = NULL;
  g_autofree char             *line = NULL;
  JsonObject                  *obj;

  sim->sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                               PRINTDECK_SIM, "--printers", "1", "--models", model, "--list-json",
                               "--no-cameras", "--scenario", scenario != NULL ? scenario : "mixed", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->sim));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);

  node = parse (line);
  obj = json_node_get_object (node);
  sim->host = g_strdup (json_object_get_string_member (obj, "host"));
  sim->port = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (obj, "port"));
  sim->serial = g_strdup (json_object_get_string_member (obj, "serial"));
  sim->access_code = g_strdup (json_object_get_string_member (obj, "access_code"));
  sim->fingerprint = g_strdup (json_object_get_string_member (obj, "fingerprint"));
  sim->ftp_port = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (obj, "ftp_port"));
  sim->ftp_user = g_strdup (json_object_get_string_member (obj, "ftp_user"));
}

static void
sim_start (Sim *sim)
{
  sim_start_full (sim, "P1S", NULL);
}

static void
sim_stop (Sim *sim)
{
  g_subprocess_send_signal (sim->sim, SIGTERM);
  g_subprocess_wait (sim->sim, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (sim->sim));
  g_clear_object (&sim->sim);
  g_free (sim->host);
  g_free (sim->port);
  g_free (sim->serial);
  g_free (sim->access_code);
  g_free (sim->fingerprint);
  g_free (sim->ftp_port);
  g_free (sim->ftp_user);
}

static void
test_watch_once (void)
{
  Sim sim = {
    0,
  };
  g_auto (PdTestRun) first = {
    0,
  };
  g_auto (PdTestRun) pinned = {
    0,
  };
  g_auto (PdTestRun) wrong = {
    0,
  };
  g_autoptr (JsonNode) doc = NULL;
  JsonObject          *obj;

  sim_start (&sim);
  g_setenv ("PRINTDECK_ACCESS_CODE", sim.access_code, TRUE);

  /* first use: connects, pins the certificate and says so */
  run_cli (&first, "watch", "--once", "--timeout", "20", "--port", sim.port, sim.host, sim.serial, NULL);
  g_assert_cmpint (first.status, ==, 0);
  doc = parse (first.out);
  obj = json_node_get_object (doc);
  g_assert_cmpstr (json_object_get_string_member (obj, "serial"), ==, sim.serial);
  g_assert_cmpstr (json_object_get_string_member (obj, "model"), ==, "P1S");
  g_assert_cmpstr (json_object_get_string_member (obj, "connection"), ==, "connected");
  /* a P1S has no chamber sensor */
  g_assert_true (json_object_get_null_member (json_object_get_object_member (obj, "temperatures"), "chamber"));
  g_assert_nonnull (strstr (first.err, sim.fingerprint));
  /* the access code is never printed */
  g_assert_null (strstr (first.out, sim.access_code));
  g_assert_null (strstr (first.err, sim.access_code));

  /* the right certificate required */
  run_cli (&pinned, "watch", "--once", "--timeout", "20", "--fingerprint", sim.fingerprint, "--port", sim.port,
           sim.host, sim.serial, NULL);
  g_assert_cmpint (pinned.status, ==, 0);

  /* another one required: refused, clearly */
  run_cli (&wrong, "watch", "--once", "--timeout", "3",
           "--fingerprint", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF",
           "--port", sim.port, sim.host, sim.serial, NULL);
  g_assert_cmpint (wrong.status, ==, 1);
  g_assert_nonnull (strstr (wrong.err, "certificate has changed"));
  g_assert_cmpstr (wrong.out, ==, "");

  g_unsetenv ("PRINTDECK_ACCESS_CODE");
  sim_stop (&sim);
}

static void
test_watch_unreachable (void)
{
  g_auto (PdTestRun) run = {
    0,
  };

  g_setenv ("PRINTDECK_ACCESS_CODE", "12345678", TRUE);
  /* port 1 on loopback: nothing listens there */
  run_cli (&run, "watch", "--once", "--timeout", "2", "--port", "1", "127.0.0.1", "00M09A000000001", NULL);
  g_unsetenv ("PRINTDECK_ACCESS_CODE");

  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "Gave up: The printer cannot be reached"));
}


/* job ------------------------------------------------------------------------*/

/* The file the simulator serves at @path, read with the core's own fetch. */
static PdJobDetails *
sim_job_details (Sim        *sim,
                 const char *path,
                 int         plate)
{
  const char *const        paths[] = { path, NULL };
  PdJobFetchOptions        options = { .username = sim->ftp_user };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes)       bytes = NULL;
  g_autoptr (GError)       error = NULL;
  PdJobDetails            *details;

  pd_job_fetch_async (sim->host, (guint) g_ascii_strtoull (sim->ftp_port, NULL, 10), sim->access_code,
                      sim->fingerprint, paths, 64 * 1024 * 1024, &options, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 30));
  bytes = pd_job_fetch_finish (result, NULL, &error);
  g_assert_no_error (error);
  details = pd_job_details_new_from_bytes (bytes, plate, &error);
  g_assert_no_error (error);

  return details;
}

static gboolean
have_ftp (Sim *sim)
{
  if (g_strcmp0 (sim->ftp_port, "0") != 0)
    return TRUE;
  g_test_skip ("the simulator serves no files (no vsftpd)");
  return FALSE;
}

/* What the job's file says, as JSON, for a P1S (gcode_file "<name>.gcode.3mf")
 * and an X1C (gcode_file "/data/Metadata/plate_1.gcode"). */
static void
test_job_details (void)
{
  for (const char *const *model = (const char *const[]){ "P1S", "X1C", NULL }; *model != NULL; model++)
    {
      Sim                      sim = { 0, };
      g_auto (PdTestRun)             run = { 0, };
      g_autoptr (JsonNode)     doc = NULL;
      g_autoptr (PdJobDetails) details = NULL;
      g_autofree char         *expected_file = NULL;
      JsonObject              *obj;
      JsonArray               *filaments;
      GArray                  *expected;

      sim_start_full (&sim, *model, "print");
      if (!have_ftp (&sim))
        {
          sim_stop (&sim);
          return;
        }
      g_setenv ("PRINTDECK_ACCESS_CODE", sim.access_code, TRUE);
      run_cli (&run, "job", "--timeout", "20", "--port", sim.port, "--ftp-port", sim.ftp_port,
               "--ftp-user", sim.ftp_user, "--fingerprint", sim.fingerprint, sim.host, sim.serial, NULL);
      g_unsetenv ("PRINTDECK_ACCESS_CODE");
      g_test_message ("%s: %s", *model, run.err);
      g_assert_cmpint (run.status, ==, 0);
      /* the access code is never printed */
      g_assert_null (strstr (run.out, sim.access_code));
      g_assert_null (strstr (run.err, sim.access_code));

      doc = parse (run.out);
      obj = json_node_get_object (doc);
      expected_file = g_strdup_printf ("/%s.gcode.3mf", json_object_get_string_member (obj, "name"));
      g_assert_cmpstr (json_object_get_string_member (obj, "file"), ==, expected_file);

      /* the same as the file says */
      details = sim_job_details (&sim, expected_file, -1);
      g_assert_cmpint (json_object_get_int_member (obj, "plate"), ==, pd_job_details_get_plate (details));
      g_assert_cmpint (json_object_get_int_member (obj, "plate"), ==, 1);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (obj, "filament_grams_total"),
                                      pd_job_details_get_total_grams (details), 0.001);
      g_assert_cmpfloat (json_object_get_double_member (obj, "filament_grams_total"), >, 0);
      g_assert_cmpint (json_object_get_int_member (obj, "prediction_minutes"), ==,
                       pd_job_details_get_prediction_minutes (details));
      g_assert_true (json_object_get_boolean_member (obj, "thumbnail"));
      g_assert_nonnull (pd_job_details_get_thumbnail (details));

      filaments = json_object_get_array_member (obj, "filaments");
      expected = pd_job_details_get_filaments (details);
      g_assert_cmpuint (json_array_get_length (filaments), ==, expected->len);
      for (guint i = 0; i < expected->len; i++)
        {
          JsonObject          *f = json_array_get_object_element (filaments, i);
          const PdJobFilament *e = &g_array_index (expected, PdJobFilament, i);
          g_autofree char     *color = g_strdup_printf ("#%06X", e->color >> 8);

          g_assert_cmpstr (json_object_get_string_member (f, "type"), ==, e->type);
          g_assert_cmpstr (json_object_get_string_member (f, "color"), ==, color);
          g_assert_cmpfloat_with_epsilon (json_object_get_double_member (f, "grams"), e->grams, 0.001);
        }

      sim_stop (&sim);
    }
}

/* A wrong FTP port, the printer's own user (the simulator wants
 * "anonymous", as a printer refusing the code), an idle printer: a clear
 * line on stderr and exit status 1. */
static void
test_job_failures (void)
{
  Sim          sim = { 0, };
  Sim          idle = { 0, };
  g_auto (PdTestRun) wrong_port = { 0, };
  g_auto (PdTestRun) wrong_user = { 0, };
  g_auto (PdTestRun) no_job = { 0, };
  g_auto (PdTestRun) usage = { 0, };
  g_auto (PdTestRun) bad_port = { 0, };

  run_cli (&usage, "job", "127.0.0.1", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_nonnull (strstr (usage.err, "printdeck-cli job --help"));
  g_setenv ("PRINTDECK_ACCESS_CODE", "12345678", TRUE);
  run_cli (&bad_port, "job", "--ftp-port", "70000", "127.0.0.1", "01P00A000000001", NULL);
  g_unsetenv ("PRINTDECK_ACCESS_CODE");
  g_assert_cmpint (bad_port.status, ==, 2);

  sim_start_full (&sim, "A1", "print");
  if (!have_ftp (&sim))
    {
      sim_stop (&sim);
      return;
    }
  g_setenv ("PRINTDECK_ACCESS_CODE", sim.access_code, TRUE);
  /* port 1 on loopback: nothing listens there */
  run_cli (&wrong_port, "job", "--timeout", "20", "--port", sim.port, "--ftp-port", "1", "--ftp-user", sim.ftp_user,
           sim.host, sim.serial, NULL);
  g_assert_cmpint (wrong_port.status, ==, 1);
  g_assert_cmpstr (wrong_port.out, ==, "");
  g_assert_nonnull (strstr (wrong_port.err, "The printer’s file storage could not be reached"));

  run_cli (&wrong_user, "job", "--timeout", "20", "--port", sim.port, "--ftp-port", sim.ftp_port,
           sim.host, sim.serial, NULL);
  g_assert_cmpint (wrong_user.status, ==, 1);
  g_assert_cmpstr (wrong_user.out, ==, "");
  g_assert_nonnull (strstr (wrong_user.err, "refused the access code"));
  g_assert_null (strstr (wrong_user.err, sim.access_code));
  sim_stop (&sim);

  sim_start_full (&idle, "X1C", "idle");
  g_setenv ("PRINTDECK_ACCESS_CODE", idle.access_code, TRUE);
  run_cli (&no_job, "job", "--timeout", "20", "--port", idle.port, "--ftp-port", idle.ftp_port,
           "--ftp-user", idle.ftp_user, idle.host, idle.serial, NULL);
  g_unsetenv ("PRINTDECK_ACCESS_CODE");
  g_assert_cmpint (no_job.status, ==, 1);
  g_assert_cmpstr (no_job.out, ==, "");
  g_assert_nonnull (strstr (no_job.err, "no job"));
  sim_stop (&idle);
}

static void
test_usage_errors (void)
{
  g_auto (PdTestRun) missing = {
    0,
  };
  g_auto (PdTestRun) model = {
    0,
  };
  g_auto (PdTestRun) none = {
    0,
  };
  g_auto (PdTestRun) command = {
    0,
  };

  run_cli (&missing, "inspect", "/nonexistent/report.json", NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, "/nonexistent/report.json"));

  run_cli (&model, "inspect", "--model", "Z9", "@reports/X1_idle_ams_generic_spools_push_status.json", NULL);
  g_assert_cmpint (model.status, ==, 2);
  g_assert_nonnull (strstr (model.err, "Unknown model"));
  g_assert_cmpstr (model.out, ==, "");

  run_cli (&none, "inspect", NULL);
  g_assert_cmpint (none.status, ==, 2);

  run_cli (&command, "frobnicate", NULL);
  g_assert_cmpint (command.status, ==, 2);
  g_assert_nonnull (strstr (command.err, "Usage:"));
}

static void
test_hms (void)
{
  g_auto (PdTestRun) run = {
    0,
  };
  g_auto (PdTestRun) bad = {
    0,
  };
  g_auto (PdTestRun) model = {
    0,
  };
  g_auto (GStrv)       lines = NULL;
  g_autoptr (JsonNode) hms = NULL;
  g_autoptr (JsonNode) print_error = NULL;
  g_autoptr (JsonNode) unknown = NULL;
  JsonObject          *obj;

  run_cli (&run, "hms", "--model", "H2D", "HMS_0300_0100_0001_0007", "0300400c", "0300-FF00-0002-FFFF", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");

  /* one JSON object per code, one per line */
  lines = g_strsplit (run.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");

  hms = parse (lines[0]);
  obj = json_node_get_object (hms);
  g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, "0300_0100_0001_0007");
  g_assert_cmpstr (json_object_get_string_member (obj, "severity"), ==, "fatal");
  g_assert_cmpstr (json_object_get_string_member (obj, "module"), ==, "Motion controller");
  g_assert_cmpstr (json_object_get_string_member (obj, "description"), ==,
                   "The heatbed temperature is abnormal; the sensor may have an open circuit.");
  g_assert_true (json_object_get_null_member (obj, "action"));
  /* the H2 series' article */
  g_assert_cmpstr (json_object_get_string_member (obj, "url"), ==,
                   "https://wiki.bambulab.com/en/h2/troubleshooting/hmscode/0300_0100_0001_0007");

  print_error = parse (lines[1]);
  obj = json_node_get_object (print_error);
  g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, "0300_400C");
  g_assert_true (json_object_get_null_member (obj, "severity"));
  g_assert_cmpstr (json_object_get_string_member (obj, "description"), ==, "The task was canceled.");
  g_assert_cmpstr (json_object_get_string_member (obj, "url"), ==,
                   "https://e.bambulab.com/index.php?e=0300400C&s=device_error&lang=en");

  unknown = parse (lines[2]);
  obj = json_node_get_object (unknown);
  g_assert_cmpstr (json_object_get_string_member (obj, "code"), ==, "0300_FF00_0002_FFFF");
  g_assert_cmpstr (json_object_get_string_member (obj, "severity"), ==, "serious");
  g_assert_true (json_object_get_null_member (obj, "description"));
  g_assert_nonnull (json_object_get_string_member (obj, "url"));

  /* a code that is not one: a message, no output */
  run_cli (&bad, "hms", "0300_0100_0001_0007", "0300_0100_0001", NULL);
  g_assert_cmpint (bad.status, ==, 1);
  g_assert_cmpstr (bad.out, ==, "");
  g_assert_nonnull (strstr (bad.err, "0300_0100_0001"));

  run_cli (&model, "hms", "--model", "Z9", "0300400C", NULL);
  g_assert_cmpint (model.status, ==, 2);
  g_assert_nonnull (strstr (model.err, "Unknown model"));
}

/* serve ----------------------------------------------------------------------*/

/* printdeck-cli serve, running: its output line by line, its stderr whole. */
typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
  GOutputStream    *err;
  GAsyncResult     *err_done;
  char             *url;   /* the "Mirror: " line's */
  char             *base;  /* http://127.0.0.1:PORT */
  char             *token; /* from the URL */
} Serve;

/* A test that fails midway does not leave a server behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
serve_start (Serve             *serve,
             const char *const *env,
             const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  g_autoptr (GError)              error = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  for (guint i = 0; env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  g_ptr_array_add (argv, (gpointer) PRINTDECK_CLI);
  g_ptr_array_add (argv, (gpointer) "serve");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  serve->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  serve->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve->proc));
  serve->err = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (serve->err, g_subprocess_get_stderr_pipe (serve->proc),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &serve->err_done);
}

static char *
serve_read_line (Serve *serve)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  char                    *line;

  g_data_input_stream_read_line_async (serve->out, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  line = g_data_input_stream_read_line_finish_utf8 (serve->out, result, NULL, &error);
  g_assert_no_error (error);

  return line;
}

/* The URL line, and the number of printers after it. */
static void
serve_read_url (Serve *serve,
                guint  n_printers)
{
  g_autoptr (GUri)   uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *line = serve_read_line (serve);
  g_autofree char   *count = NULL;
  g_autofree char   *expected = NULL;

  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "Mirror: http://127.0.0.1:"));
  serve->url = g_strdup (line + strlen ("Mirror: "));

  uri = g_uri_parse (serve->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/");
  g_assert_true (g_str_has_prefix (g_uri_get_query (uri), "token="));
  serve->token = g_strdup (g_uri_get_query (uri) + strlen ("token="));
  serve->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));

  count = serve_read_line (serve);
  expected = g_strdup_printf ("Mirroring %u printer%s.", n_printers, n_printers == 1 ? "" : "s");
  g_assert_cmpstr (count, ==, expected);
}

/* Stops it as a service manager would; returns its stderr. */
static char *
serve_stop (Serve *serve)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *rest = NULL;
  GMemoryOutputStream     *err = G_MEMORY_OUTPUT_STREAM (serve->err);
  char                    *text;
  gint64                   start = g_get_monotonic_time ();

  g_subprocess_send_signal (serve->proc, SIGTERM);
  g_subprocess_wait_async (serve->proc, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 5));
  g_assert_true (g_subprocess_wait_finish (serve->proc, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_true (g_subprocess_get_if_exited (serve->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (serve->proc), ==, 0);

  /* nothing more on stdout: no per-report lines */
  rest = g_data_input_stream_read_line_utf8 (serve->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rest, ==, NULL);

  g_assert_true (pd_test_wait_for_result (&serve->err_done, 5));
  g_output_stream_splice_finish (serve->err, serve->err_done, &error);
  g_assert_no_error (error);

  text = g_strndup (g_memory_output_stream_get_data (err), g_memory_output_stream_get_data_size (err));
  g_clear_object (&serve->err_done);
  g_clear_object (&serve->err);
  g_clear_object (&serve->out);
  g_clear_object (&serve->proc);
  g_clear_pointer (&serve->url, g_free);
  g_clear_pointer (&serve->base, g_free);
  g_clear_pointer (&serve->token, g_free);

  return text;
}

static guint
http_get (SoupSession *session,
          const char  *url,
          const char  *token,
          JsonNode   **json)
{
  g_autoptr (SoupMessage)  msg = soup_message_new ("GET", url);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes)       body = NULL;
  g_autoptr (GError)       error = NULL;

  if (token != NULL)
    {
      g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 10));
  body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);

  if (json != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL), ==,
                       "application/json");
      *json = parse (text);
    }

  return soup_message_get_status (msg);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               GPtrArray               *messages)
{
  g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  g_ptr_array_add (messages, parse (text));
}

typedef struct
{
  GPtrArray  *messages;
  const char *serial;
} DeltaWait;

static gboolean
has_delta (gpointer data)
{
  DeltaWait *wait = data;

  for (guint i = 1; i < wait->messages->len; i++)
    {
      JsonObject *obj = json_node_get_object (g_ptr_array_index (wait->messages, i));

      if (g_strcmp0 (json_object_get_string_member_with_default (obj, "type", NULL), "delta") == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (obj, "serial", NULL), wait->serial) == 0 &&
          json_object_has_member (obj, "patch"))
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_messages (gpointer data)
{
  return ((GPtrArray *) data)->len > 0;
}

static gboolean
ws_closed (gpointer data)
{
  return soup_websocket_connection_get_state (data) == SOUP_WEBSOCKET_STATE_CLOSED;
}

/* The simulator's printer, mirrored: the WebSocket's snapshot and deltas, the
 * HTTP API and its token, and a clean stop on SIGTERM. */
static void
test_serve_printer (void)
{
  Sim sim = {
    0,
  };
  Serve serve = {
    0,
  };
  g_autoptr (SoupSession)             session = soup_session_new ();
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  g_autoptr (GPtrArray)               messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr (GAsyncResult)            result = NULL;
  g_autoptr (GError)                  error = NULL;
  g_autoptr (JsonNode)                api = NULL;
  g_autofree char                    *variable = NULL;
  g_autofree char                    *printer = NULL;
  g_autofree char                    *name = NULL;
  g_autofree char                    *ws_url = NULL;
  g_autofree char                    *api_url = NULL;
  g_autofree char                    *err = NULL;
  const char                         *token = "test-token-0123456789";
  JsonObject                         *snapshot, *doc;
  JsonArray                          *printers;
  DeltaWait                           wait;

  sim_start (&sim);
  variable = g_strdup_printf ("PRINTDECK_ACCESS_CODE_%s", sim.serial);
  printer = g_strdup_printf ("%s@%s:%s", sim.serial, sim.host, sim.port);
  name = g_strdup_printf ("%s=Farm P1S", sim.serial);

  serve_start (&serve,
               (const char *const[]){ variable, sim.access_code, "PRINTDECK_MIRROR_TOKEN", token, NULL },
               (const char *const[]){ "--printer", printer, "--name", name, "--listen", "127.0.0.1:0", NULL });
  serve_read_url (&serve, 1);
  g_assert_cmpstr (serve.token, ==, token);

  /* the WebSocket: a snapshot first, then deltas as the printer reports */
  ws_url = g_strdup_printf ("ws%s/ws?token=%s", serve.base + strlen ("http"), token);
  {
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", ws_url);

    soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, pd_test_store_result,
                                          &result);
    g_assert_true (pd_test_wait_for_result (&result, 10));
    ws = soup_session_websocket_connect_finish (session, result, &error);
    g_assert_no_error (error);
  }
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), messages);

  g_assert_true (pd_test_wait_until (has_messages, messages, 10));
  snapshot = json_node_get_object (g_ptr_array_index (messages, 0));
  g_assert_cmpstr (json_object_get_string_member (snapshot, "type"), ==, "snapshot");
  g_assert_cmpint (json_object_get_int_member (snapshot, "version"), ==, 1);
  printers = json_object_get_array_member (snapshot, "printers");
  g_assert_cmpuint (json_array_get_length (printers), ==, 1);
  doc = json_array_get_object_element (printers, 0);
  g_assert_cmpstr (json_object_get_string_member (doc, "serial"), ==, sim.serial);
  g_assert_cmpstr (json_object_get_string_member (doc, "name"), ==, "Farm P1S");

  wait.messages = messages;
  wait.serial = sim.serial;
  g_assert_true (pd_test_wait_until (has_delta, &wait, 15));

  /* the HTTP API: the token or nothing */
  api_url = g_strdup_printf ("%s/api/printers", serve.base);
  g_assert_cmpuint (http_get (session, api_url, NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (http_get (session, api_url, "not-the-token", NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (http_get (session, api_url, token, &api), ==, SOUP_STATUS_OK);
  snapshot = json_node_get_object (api);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "type"), ==, "snapshot");
  doc = json_array_get_object_element (json_object_get_array_member (snapshot, "printers"), 0);
  g_assert_cmpstr (json_object_get_string_member (doc, "serial"), ==, sim.serial);
  g_assert_cmpstr (json_object_get_string_member (doc, "connection"), ==, "connected");

  /* SIGTERM: the server and the session stop, exit status 0 */
  err = serve_stop (&serve);
  g_assert_true (pd_test_wait_until (ws_closed, ws, 5));
  g_assert_nonnull (strstr (err, "Farm P1S: Connected\n"));
  g_assert_nonnull (strstr (err, sim.fingerprint));
  /* neither the token (only in the URL line) nor the access code */
  g_assert_null (strstr (err, token));
  g_assert_null (strstr (err, sim.access_code));

  sim_stop (&sim);
}

/* Without --printer: the app's printers, from $PRINTDECK_CONFIG_DIR. */
static void
test_serve_app_printers (void)
{
  Serve serve = {
    0,
  };
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (JsonNode)    api = NULL;
  g_autoptr (GError)      error = NULL;
  g_autofree char        *config_dir = g_dir_make_tmp ("test-cli-config-XXXXXX", NULL);
  g_autofree char        *cache_dir = g_dir_make_tmp ("test-cli-cache-XXXXXX", NULL);
  g_autofree char        *ini = g_build_filename (config_dir, "printers.ini", NULL);
  g_autofree char        *cache = g_build_filename (cache_dir, "state.json", NULL);
  g_autofree char        *api_url = NULL;
  g_autofree char        *err = NULL;
  g_autofree char        *after = NULL;
  JsonObject             *doc;
  /* No access code for it anywhere: listed, not connected. */
  const char             *contents = "[general]\nversion=1\n\n"
                                     "[printer 01P00A000000009]\nname=Shelf P1S\nhost=127.0.0.1\nport=1\n";

  g_file_set_contents (ini, contents, -1, &error);
  g_assert_no_error (error);

  serve_start (&serve,
               (const char *const[]){ "PRINTDECK_CONFIG_DIR", config_dir, "PRINTDECK_CACHE_DIR", cache_dir, NULL },
               (const char *const[]){ "--listen", "127.0.0.1:0", NULL });
  serve_read_url (&serve, 1);
  /* no token given: one for this run */
  g_assert_cmpuint (strlen (serve.token), >=, 43);

  api_url = g_strdup_printf ("%s/api/printers", serve.base);
  g_assert_cmpuint (http_get (session, api_url, serve.token, &api), ==, SOUP_STATUS_OK);
  doc = json_array_get_object_element (json_object_get_array_member (json_node_get_object (api), "printers"), 0);
  g_assert_cmpstr (json_object_get_string_member (doc, "serial"), ==, "01P00A000000009");
  g_assert_cmpstr (json_object_get_string_member (doc, "name"), ==, "Shelf P1S");

  err = serve_stop (&serve);
  g_assert_nonnull (strstr (err, "using a new one for this run"));

  /* read, not rewritten; the last state kept, as the app does */
  g_file_get_contents (ini, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, contents);
  g_assert_true (g_file_test (cache, G_FILE_TEST_EXISTS));

  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);
}

static void
test_serve_usage_errors (void)
{
  static const char *const bad_listen[] = {
    "127.0.0.1:99999",
    "127.0.0.1:",
    "localhost:8765",
    "[::1",
    "[::1]8765",
    "[127.0.0.1]:8765",
    "1.2.3.4:-1",
    "1.2.3.4:80x",
    "",
    NULL,
  };
  g_auto (PdTestRun) missing = {
    0,
  };
  g_auto (PdTestRun) printer = {
    0,
  };
  g_auto (PdTestRun) tls = {
    0,
  };

  /* no access code: the variable to set is named; nothing listens */
  run_cli (&missing, "serve", "--printer", "01S00C000000001@127.0.0.1:1", "--listen", "127.0.0.1:0", NULL);
  g_assert_cmpint (missing.status, ==, 2);
  g_assert_nonnull (strstr (missing.err, "PRINTDECK_ACCESS_CODE_01S00C000000001"));
  g_assert_cmpstr (missing.out, ==, "");

  for (guint i = 0; bad_listen[i] != NULL; i++)
    {
      g_auto (PdTestRun) run = {
        0,
      };

      run_cli (&run, "serve", "--listen", bad_listen[i], "--printer", "01S00C000000001@127.0.0.1:1", NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_nonnull (strstr (run.err, "is not an address to listen on"));
      g_assert_cmpstr (run.out, ==, "");
    }

  run_cli (&printer, "serve", "--printer", "01S00C000000001", NULL);
  g_assert_cmpint (printer.status, ==, 2);
  g_assert_nonnull (strstr (printer.err, "SERIAL@HOST"));

  run_cli (&tls, "serve", "--tls-cert", "/nonexistent.pem", NULL);
  g_assert_cmpint (tls.status, ==, 2);
  g_assert_nonnull (strstr (tls.err, "--tls-key"));
}

/* bridge-config ----------------------------------------------------------------*/

#define BRIDGE_SERIAL_1 "01S00C000000011"
#define BRIDGE_SERIAL_2 "01P00A000000012"
#define BRIDGE_SERIAL_3 "03W00X000000013"
/* Made up here, never printed: assertions about them use strstr(). */
#define BRIDGE_CODE_1   "31415926"
#define BRIDGE_CODE_2   "27182818"

/* A farm admin's printers.ini: two printers reached directly (the second's
 * name trying to smuggle a directive into a comment), one through a bridge. */
static char *
bridge_config_dir (void)
{
  g_autoptr (GError) error = NULL;
  char              *dir = g_dir_make_tmp ("test-cli-bridge-XXXXXX", &error);
  g_autofree char   *ini = NULL;

  g_assert_no_error (error);
  ini = g_build_filename (dir, "printers.ini", NULL);
  g_file_set_contents (ini,
                       "[general]\nversion=1\n\n"
                       "[printer " BRIDGE_SERIAL_1 "]\nname=X1C Left\nhost=192.168.1.50\nport=8883\n\n"
                       "[printer " BRIDGE_SERIAL_2 "]\nname=Shelf\\nconnection evil\nhost=printer2.lan\n\n"
                       "[printer " BRIDGE_SERIAL_3 "]\nhost=10.0.0.3\nport=1883\nbridge-user=farm\nbridge-tls=true\n",
                       -1, &error);
  g_assert_no_error (error);

  return dir;
}

/* printdeck-cli bridge-config ARGS with @config_dir's printers, the codes
 * in @codes ("SERIAL=CODE", as $PRINTDECK_ACCESS_CODE_SERIAL: no keyring
 * has them), and the umask @mask. */
static void
run_bridge_config (PdTestRun         *run,
                   const char        *config_dir,
                   const char *const *codes,
                   mode_t             mask,
                   const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();
  mode_t                          saved;

  g_subprocess_launcher_setenv (launcher, "PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      g_auto (GStrv)   pair = g_strsplit (codes[i], "=", 2);
      g_autofree char *variable = g_strconcat ("PRINTDECK_ACCESS_CODE_", pair[0], NULL);

      g_subprocess_launcher_setenv (launcher, variable, pair[1], TRUE);
    }
  g_ptr_array_add (argv, (gpointer) PRINTDECK_CLI);
  g_ptr_array_add (argv, (gpointer) "bridge-config");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  /* The child inherits the umask at the spawn. */
  saved = umask (mask);
  pd_test_run (run, launcher, (const char *const *) argv->pdata);
  umask (saved);
}

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);

  return st.st_mode & 07777;
}

static gboolean
printed_a_code (const PdTestRun *run)
{
  return strstr (run->out, BRIDGE_CODE_1) != NULL || strstr (run->out, BRIDGE_CODE_2) != NULL ||
         strstr (run->err, BRIDGE_CODE_1) != NULL || strstr (run->err, BRIDGE_CODE_2) != NULL;
}

/* The file with the access codes: never readable by others, not even with
 * a umask of 0 or over a file that was; never replaced without --force. */
static void
test_bridge_config_file (void)
{
  g_auto (PdTestRun) run = { 0, };
  g_autofree char         *config_dir = bridge_config_dir ();
  g_autofree char         *output = g_build_filename (config_dir, "printdeck-bridge.conf", NULL);
  g_autofree char         *cafile = g_build_filename (config_dir, "bambu-lab.pem", NULL);
  g_autofree char         *cafile_line = g_strconcat ("\nbridge_cafile ", cafile, "\n", NULL);
  g_autofree char         *first = NULL;
  g_autofree char         *text = NULL;
  g_autofree char         *pem = NULL;
  const char *const        codes[] = { BRIDGE_SERIAL_1 "=" BRIDGE_CODE_1, BRIDGE_SERIAL_2 "=" BRIDGE_CODE_2, NULL };
  guint                    n_certificates = 0;
  g_autoptr (GError)       error = NULL;

  run_bridge_config (&run, config_dir, codes, 0, (const char *const[]){ "--output", output, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (file_mode (output), ==, 0600);
  g_assert_nonnull (strstr (run.err, "holds the printers' access codes"));
  g_assert_nonnull (strstr (run.err, "Wrote bridges for 2 printers."));
  g_assert_nonnull (strstr (run.err, BRIDGE_SERIAL_3 ": left out"));
  g_assert_cmpstr (run.out, ==, "");
  g_assert_false (printed_a_code (&run));

  g_assert_true (g_file_get_contents (output, &first, NULL, NULL));
  g_assert_nonnull (strstr (first, "\nconnection printdeck-" BRIDGE_SERIAL_1 "\naddress " BRIDGE_SERIAL_1 ":8883\n"));
  g_assert_nonnull (strstr (first, "\nremote_password " BRIDGE_CODE_1 "\n"));
  g_assert_nonnull (strstr (first, "\nremote_password " BRIDGE_CODE_2 "\n"));
  g_assert_nonnull (strstr (first, "\nbridge_insecure false\n"));
  g_assert_nonnull (strstr (first, "\ntopic device/" BRIDGE_SERIAL_2 "/report in 0\n"));
  g_assert_nonnull (strstr (first, "\ntopic device/" BRIDGE_SERIAL_2 "/request out 1\n"));
  /* the hosts line the operator needs */
  g_assert_nonnull (strstr (first, "\n#   192.168.1.50  " BRIDGE_SERIAL_1 "\n"));
  g_assert_null (strstr (first, BRIDGE_SERIAL_3));
  /* a name's line break stays inside the comment */
  g_assert_nonnull (strstr (first, "\n# connection evil ("));
  g_assert_null (strstr (first, "\nconnection evil"));
  /* no listener unless asked for: a template */
  g_assert_nonnull (strstr (first, "\n#listener 8883\n#allow_anonymous false\n#password_file /etc/mosquitto/printdeck.passwd\n"));

  /* Again: refused, before the keyring is asked; the file as it was. */
  run_bridge_config (&run, config_dir, codes, 0, (const char *const[]){ "--output", output, "--verify", "chain", NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "exists: pass --force to replace it"));
  g_assert_true (g_file_get_contents (output, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, first);
  g_assert_cmpuint (file_mode (output), ==, 0600);

  /* --force replaces a file that someone made readable: 0600 again. */
  g_assert_cmpint (g_chmod (output, 0644), ==, 0);
  run_bridge_config (&run, config_dir, codes, 0,
                     (const char *const[]){ "--output", output, "--force", "--verify", "chain", "--write-cafile", cafile,
                                            "--listener-port", "8884", "--bridge-user", "desk", NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (file_mode (output), ==, 0600);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (output, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\naddress 192.168.1.50:8883\n"));
  g_assert_nonnull (strstr (text, "\nbridge_insecure true\n"));
  g_assert_nonnull (strstr (text, cafile_line));
  g_assert_nonnull (strstr (text, "\nlistener 8884\nallow_anonymous false\npassword_file /etc/mosquitto/printdeck.passwd\n"));
  g_assert_nonnull (strstr (text, "  mosquitto_passwd -c /etc/mosquitto/printdeck.passwd desk\n"));
  /* no certificate given: the listener's TLS lines stay comments, and it says so */
  g_assert_nonnull (strstr (text, "\n#certfile "));
  g_assert_nonnull (strstr (run.err, "plain MQTT"));
  g_assert_false (printed_a_code (&run));

  /* Bambu Lab's CAs: public, readable by all; the ones the app trusts. */
  g_assert_cmpuint (file_mode (cafile), ==, 0644);
  g_assert_true (g_file_get_contents (cafile, &pem, NULL, NULL));
  for (const char *p = pem; (p = strstr (p, "-----BEGIN CERTIFICATE-----")) != NULL; p++)
    n_certificates++;
  g_assert_cmpuint (n_certificates, ==, 8);
  {
    g_autolist (GTlsCertificate) list = g_tls_certificate_list_new_from_file (cafile, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_length (list), ==, 8);
  }

  /* Standard output, when it is not a terminal (here a pipe). */
  run_bridge_config (&run, config_dir, codes, 022, (const char *const[]){ "--output", "-", "-p", BRIDGE_SERIAL_1, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "\nremote_password " BRIDGE_CODE_1 "\n"));
  g_assert_null (strstr (run.out, BRIDGE_CODE_2));
  g_assert_nonnull (strstr (run.err, "holds the printers' access codes"));
  g_assert_null (strstr (run.err, BRIDGE_CODE_1));

  pd_test_remove_tree (config_dir);
}

/* Nothing is written when a code is missing or could break the file. */
static void
test_bridge_config_refused (void)
{
  g_auto (PdTestRun) run = { 0, };
  g_autofree char  *config_dir = bridge_config_dir ();
  g_autofree char  *empty_dir = g_dir_make_tmp ("test-cli-bridge-XXXXXX", NULL);
  g_autofree char  *output = g_build_filename (config_dir, "printdeck-bridge.conf", NULL);
  const char *const args[] = { "--output", output, NULL };
  const char *const newline[] = { BRIDGE_SERIAL_1 "=" BRIDGE_CODE_1, BRIDGE_SERIAL_2 "=2718\nlistener 1", NULL };
  const char *const blank[] = { BRIDGE_SERIAL_1 "=" BRIDGE_CODE_1, BRIDGE_SERIAL_2 "=2718 2818", NULL };
  const char *const one[] = { BRIDGE_SERIAL_1 "=" BRIDGE_CODE_1, NULL };

  run_bridge_config (&run, config_dir, newline, 0, args);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, BRIDGE_SERIAL_2 ": the access code has blanks"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_false (printed_a_code (&run));

  run_bridge_config (&run, config_dir, blank, 0, args);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_null (strstr (run.err, "2718"));

  /* the variable to set is named */
  run_bridge_config (&run, config_dir, one, 0, args);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "PRINTDECK_ACCESS_CODE_" BRIDGE_SERIAL_2));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  /* one printer only: its code is enough */
  run_bridge_config (&run, config_dir, one, 0, (const char *const[]){ "--output", output, "-p", BRIDGE_SERIAL_1, NULL });
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (file_mode (output), ==, 0600);

  run_bridge_config (&run, config_dir, one, 0, (const char *const[]){ "--output", "-", "-p", "01S00C999999999", NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "No printer 01S00C999999999"));
  g_assert_cmpstr (run.out, ==, "");

  run_bridge_config (&run, empty_dir, one, 0, (const char *const[]){ "--output", "-", NULL });
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, "No printers to bridge"));
  g_assert_cmpstr (run.out, ==, "");

  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (empty_dir);
}

static void
test_bridge_config_usage_errors (void)
{
  static const char *const bad[][6] = {
    { NULL },                                       /* no --output */
    { "-o", "-", "--verify", "none", NULL },
    { "-o", "-", "--listener-port", "0", NULL },
    { "-o", "-", "--listener-port", "70000", NULL },
    { "-o", "-", "--tls-cert", "/etc/cert.pem", NULL },
    { "-o", "-", "--bridge-user", "a b", NULL },
    { "-o", "-", "--cafile", " /etc/ca.pem", NULL },
    { "-o", "-", "--password-file", "printdeck.passwd", NULL },
    { "-o", "-", "--listener-address", "no where", NULL },
    { "-o", "-", "extra", NULL },
  };
  g_autofree char *config_dir = bridge_config_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto (PdTestRun) run = { 0, };

      run_bridge_config (&run, config_dir, NULL, 0, bad[i]);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_cmpstr (run.err, !=, "");
    }

  pd_test_remove_tree (config_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache_dir = NULL;
  g_autofree char *config_dir = NULL;
  int              status;

  g_test_init (&argc, &argv, NULL);

  /* the HMS texts are the built-in ones, not what this user downloaded;
   * serve reads no printers of this user's */
  cache_dir = g_dir_make_tmp ("test-cli-XXXXXX", NULL);
  g_assert_nonnull (cache_dir);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  config_dir = g_dir_make_tmp ("test-cli-config-XXXXXX", NULL);
  g_assert_nonnull (config_dir);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  /* nor any code or token from the environment the tests run in */
  g_unsetenv ("PRINTDECK_ACCESS_CODE");
  g_unsetenv ("PRINTDECK_MIRROR_TOKEN");

  g_test_add_func ("/cli/inspect/document-shape", test_inspect_document_shape);
  g_test_add_func ("/cli/inspect/changes", test_inspect_changes);
  g_test_add_func ("/cli/inspect/recording", test_inspect_recording_with_bad_lines);
  g_test_add_func ("/cli/inspect/text", test_inspect_text);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/watch/once", test_watch_once);
  g_test_add_func ("/cli/watch/unreachable", test_watch_unreachable);
  g_test_add_func ("/cli/job/details", test_job_details);
  g_test_add_func ("/cli/job/failures", test_job_failures);
  g_test_add_func ("/cli/hms", test_hms);
  g_test_add_func ("/cli/serve/printer", test_serve_printer);
  g_test_add_func ("/cli/serve/app-printers", test_serve_app_printers);
  g_test_add_func ("/cli/serve/usage-errors", test_serve_usage_errors);
  g_test_add_func ("/cli/bridge-config/file", test_bridge_config_file);
  g_test_add_func ("/cli/bridge-config/refused", test_bridge_config_refused);
  g_test_add_func ("/cli/bridge-config/usage-errors", test_bridge_config_usage_errors);

  status = g_test_run ();
  pd_test_remove_tree (cache_dir);
  pd_test_remove_tree (config_dir);

  return status;
}
