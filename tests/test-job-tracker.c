/* test-job-tracker.c — each job's file read from its printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printer here is a PdPrinter fed reports by hand (so each test decides
 * what the printer says and when), and its file storage is the simulator's
 * real vsftpd over implicit TLS (PdSimFtp) holding generated 3MF files.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pd-job-fetch.h"
#include "pd-job-tracker.h"
#include "pd-sim-3mf.h"
#include "pd-sim-crypto.h"
#include "pd-sim-ftp.h"
#include "pd-test-util.h"

#define SERIAL      "00M09A350100001"
#define ACCESS_CODE "31415926"
#define WAIT_S      20

static struct
{
  char      *dir;
  PdSimFtp  *ftp;
  char      *fingerprint;
} server;

/* Files ------------------------------------------------------------------------*/

static GBytes *
benchy_file (int plate)
{
  PdSim3mfSpec spec = {
    .name = "Benchy",
    .plate = plate,
    .layers = 40,
    .prediction_seconds = 3 * 3600 + 20 * 60,
    .n_filaments = 2,
    .filaments = {
      { .type = "PLA", .rgba = 0xff6a13ff, .grams = 10.25 },
      { .type = "PETG", .rgba = 0x000000ff, .grams = 2.15, .id = 4 },
    },
    .thumbnail = TRUE,
  };

  return pd_sim_3mf_build (&spec);
}

static GBytes *
cube_file (void)
{
  PdSim3mfSpec spec = {
    .name = "Cube",
    .layers = 10,
    .prediction_seconds = 600,
    .n_filaments = 1,
    .filaments = { { .type = "PLA", .rgba = 0xffffffff, .grams = 3.5 } },
  };

  return pd_sim_3mf_build (&spec);
}

static void
put (const char *path,
     GBytes     *bytes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) owned = bytes;

  g_assert_true (pd_sim_ftp_put_file (server.ftp, path, owned, &error));
  g_assert_no_error (error);
}

static void
clear_files (void)
{
  const char *const paths[] = { "/Benchy.gcode.3mf", "/Cube.gcode.3mf", "/cache/Benchy.3mf", "/Big.gcode.3mf" };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    pd_sim_ftp_remove_file (server.ftp, paths[i]);
}

/* A printer and its tracker -------------------------------------------------*/

typedef struct
{
  PdPrinter    *printer;
  PdJobTracker *tracker;
} Fixture;

static void
fixture_init (Fixture    *f,
              const char *model)
{
  clear_files ();
  f->printer = pd_printer_new (SERIAL);
  if (model != NULL)
    pd_printer_set_configured_model (f->printer, model);
  f->tracker = pd_job_tracker_new (f->printer);
  pd_job_tracker_set_timing (f->tracker, 1, 3, 2);
  pd_job_tracker_set_address (f->tracker, "127.0.0.1", pd_sim_ftp_get_port (server.ftp), PD_SIM_FTP_USER);
  pd_job_tracker_set_pinned_fingerprint (f->tracker, server.fingerprint);
  pd_job_tracker_set_access_code (f->tracker, ACCESS_CODE);
  pd_printer_set_connection (f->printer, PD_CONNECTION_CONNECTED);
}

static void
fixture_clear (Fixture *f)
{
  pd_job_tracker_stop (f->tracker);
  g_clear_object (&f->tracker);
  g_clear_object (&f->printer);
  pd_sim_ftp_set_stalled (server.ftp, FALSE);
}

static void
report_job (Fixture    *f,
            const char *gcode_state,
            const char *subtask,
            const char *file,
            int         percent,
            int         layer)
{
  g_autofree char *json = g_strdup_printf ("{\"print\": {\"command\": \"push_status\", \"gcode_state\": \"%s\","
                                           " \"subtask_name\": \"%s\", \"gcode_file\": \"%s\","
                                           " \"mc_percent\": %d, \"layer_num\": %d, \"total_layer_num\": 40}}",
                                           gcode_state, subtask, file, percent, layer);

  pd_test_apply_text (f->printer, json);
}

typedef struct
{
  PdPrinter         *printer;
  PdJobDetailsStatus status;
} StatusWait;

static gboolean
has_status (gpointer data)
{
  StatusWait *wait = data;

  return pd_printer_get_job_details_status (wait->printer) == wait->status;
}

static void
wait_status (Fixture           *f,
             PdJobDetailsStatus status)
{
  StatusWait wait = { f->printer, status };

  if (!pd_test_wait_until (has_status, &wait, WAIT_S))
    g_error ("the job's details did not become %d (they are %d: %s)", status,
             pd_printer_get_job_details_status (f->printer),
             pd_job_get_details_message (pd_printer_get_job (f->printer)));
}

static PdJobDetails *
details_of (Fixture *f)
{
  return pd_job_get_details (pd_printer_get_job (f->printer));
}

/* Candidate paths (reference/ftps-3mf.md §1.5) -------------------------------*/

static void
assert_paths (const char        *subtask,
              const char        *file,
              const char *const *expected)
{
  g_autoptr (PdState) state = pd_state_new (SERIAL);
  g_auto (GStrv)      paths = NULL;

  state->job_name = g_strdup (subtask);
  state->job_file = g_strdup (file);
  paths = pd_job_candidate_paths (state);
  if (expected == NULL)
    {
      g_assert_null (paths);
      return;
    }
  g_assert_nonnull (paths);
  g_assert_cmpstrv (paths, expected);
}

static void
test_paths (void)
{
  /* X1 LAN print: the file names the G-code inside the project */
  const char *const x1_lan[] = { "/Clamshell Parts Box.gcode.3mf", "/Clamshell Parts Box.3mf",
                                 "/cache/Clamshell Parts Box.gcode.3mf", "/cache/Clamshell Parts Box.3mf", NULL };
  /* P1 LAN print: the file is the project */
  const char *const p1_lan[] = { "/36mm.gcode.3mf", "/36mm.3mf", "/cache/36mm.gcode.3mf", "/cache/36mm.3mf", NULL };
  /* P1 MakerWorld / cloud print */
  const char *const p1_cloud[] = { "/Lovers Valentine Day Shadowbox.3mf",
                                   "/Lovers Valentine Day Shadowbox.gcode.3mf",
                                   "/cache/Lovers Valentine Day Shadowbox.3mf",
                                   "/cache/Lovers Valentine Day Shadowbox.gcode.3mf", NULL };
  /* a full path as the printer names it comes first */
  const char *const full[] = { "/sdcard/jobs/Part.gcode.3mf", "/Part.gcode.3mf", "/Part.3mf", "/cache/Part.gcode.3mf",
                               "/cache/Part.3mf", NULL };
  /* no subtask (after a printer restart): the file alone */
  const char *const file_only[] = { "/Gear.gcode.3mf", "/cache/Gear.gcode.3mf", NULL };
  /* names are never paths: no climbing out of the storage */
  const char *const no_slash[] = { "/passwd.3mf", "/x.gcode.3mf", "/x.3mf", "/cache/passwd.3mf", "/cache/x.gcode.3mf",
                                   "/cache/x.3mf", NULL };

  assert_paths ("Clamshell Parts Box", "/data/Metadata/plate_1.gcode", x1_lan);
  assert_paths ("Clamshell Parts Box", "data/metadata/plate_1.gcode", x1_lan);
  assert_paths ("36mm", "36mm.gcode.3mf", p1_lan);
  assert_paths ("Lovers Valentine Day Shadowbox", "Lovers Valentine Day Shadowbox.3mf", p1_cloud);
  assert_paths ("Part", "/sdcard/jobs/Part.gcode.3mf", full);
  assert_paths (NULL, "Gear.gcode.3mf", file_only);
  assert_paths ("x", "../../etc/passwd.3mf", no_slash);
  assert_paths ("../secret", "/data/Metadata/plate_1.gcode", NULL);
  assert_paths (NULL, NULL, NULL);
  assert_paths ("", "", NULL);
}

static void
test_describe (void)
{
  static const struct
  {
    int         fetch_code;
    const char *needle;
  } fetch[] = {
    { PD_JOB_FETCH_ERROR_UNREACHABLE, "could not be reached" },
    { PD_JOB_FETCH_ERROR_LOGIN, "access code" },
    { PD_JOB_FETCH_ERROR_NOT_FOUND, "not on the printer" },
    { PD_JOB_FETCH_ERROR_TOO_LARGE, "512" },
    { PD_JOB_FETCH_ERROR_STALLED, "stopped sending" },
    { PD_JOB_FETCH_ERROR_CERTIFICATE, "certificate" },
    { PD_JOB_FETCH_ERROR_FAILED, "550 odd reply" },
  };
  static const struct
  {
    int         file_code;
    const char *needle;
  } file[] = {
    { PD_JOB_FILE_ERROR_NOT_ZIP, "damaged" },
    { PD_JOB_FILE_ERROR_NO_METADATA, "no slicing results" },
    { PD_JOB_FILE_ERROR_NO_PLATE, "plate" },
    { PD_JOB_FILE_ERROR_TOO_LARGE, "too large" },
    { PD_JOB_FILE_ERROR_BAD_METADATA, "damaged" },
  };
  g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "something else");
  g_autofree char   *other_text = pd_job_describe_error (other);

  for (guint i = 0; i < G_N_ELEMENTS (fetch); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (PD_JOB_FETCH_ERROR, fetch[i].fetch_code, "550 odd reply");
      g_autofree char   *text = pd_job_describe_error (error);

      g_assert_nonnull (strstr (text, fetch[i].needle));
    }
  for (guint i = 0; i < G_N_ELEMENTS (file); i++)
    {
      g_autoptr (GError) error = g_error_new_literal (PD_JOB_FILE_ERROR, file[i].file_code, "x");
      g_autofree char   *text = pd_job_describe_error (error);

      g_assert_nonnull (strstr (text, file[i].needle));
    }
  g_assert_cmpstr (other_text, ==, "something else");
}

/* The printer's grams -----------------------------------------------------------*/

static void
test_printer_grams (void)
{
  g_autoptr (PdPrinter)    printer = pd_printer_new (SERIAL);
  g_autoptr (GBytes)       bytes = benchy_file (1);
  g_autoptr (PdJobDetails) details = NULL;
  g_autoptr (GError)       error = NULL;
  PdJob                   *job;
  double                   last;

  details = pd_job_details_new_from_bytes (bytes, -1, &error);
  g_assert_no_error (error);

  pd_test_apply_text (printer, "{\"print\": {\"gcode_state\": \"RUNNING\", \"subtask_name\": \"Benchy\","
                               " \"gcode_file\": \"/data/Metadata/plate_1.gcode\", \"mc_percent\": 0,"
                               " \"layer_num\": 0, \"total_layer_num\": 40}}");
  job = pd_printer_get_job (printer);
  g_assert_nonnull (job);
  g_assert_true (isnan (pd_job_get_filament_grams_total (job)));
  g_assert_true (pd_test_doc_is_null (pd_printer_get_state (printer), "job.filament_grams_total"));

  pd_printer_set_job_details (printer, PD_JOB_DETAILS_READY, details, NULL);
  g_assert_cmpint (pd_job_get_details_status (job), ==, PD_JOB_DETAILS_READY);
  g_assert_true (pd_job_get_details (job) == details);
  g_assert_cmpfloat_with_epsilon (pd_job_get_filament_grams_total (job), 12.4, 0.001);
  g_assert_cmpfloat_with_epsilon (pd_job_get_filament_grams_used (job), 0, 0.001);
  g_assert_cmpfloat_with_epsilon (pd_test_doc_double (pd_printer_get_state (printer), "job.filament_grams_total"),
                                  12.4, 0.001);

  /* the used grams follow the layers, never back, up to the total */
  last = 0;
  for (int layer = 5; layer <= 40; layer += 5)
    {
      g_autofree char *json = g_strdup_printf ("{\"print\": {\"mc_percent\": %d, \"layer_num\": %d}}",
                                               layer * 100 / 40, layer);
      double           used;

      pd_test_apply_text (printer, json);
      used = pd_job_get_filament_grams_used (job);
      g_assert_cmpfloat (used, >, last);
      g_assert_cmpfloat (used, <=, 12.4 + 0.001);
      last = used;
    }
  g_assert_cmpfloat_with_epsilon (last, 12.4, 0.05);
  g_assert_cmpfloat_with_epsilon (pd_test_doc_double (pd_printer_get_state (printer), "job.filament_grams_used"),
                                  last, 0.001);

  /* a reconnect is the same job: the details stay */
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  pd_test_apply_text (printer, "{\"print\": {\"gcode_state\": \"RUNNING\", \"subtask_name\": \"Benchy\"}}");
  g_assert_cmpint (pd_printer_get_job_details_status (printer), ==, PD_JOB_DETAILS_READY);
  g_assert_true (pd_job_get_details (pd_printer_get_job (printer)) == details);

  /* a new job of the same file is not: the details and grams go */
  pd_test_apply_text (printer, "{\"print\": {\"gcode_state\": \"FINISH\", \"mc_percent\": 100}}");
  g_assert_cmpint (pd_printer_get_job_details_status (printer), ==, PD_JOB_DETAILS_READY);
  pd_test_apply_text (printer, "{\"print\": {\"gcode_state\": \"PREPARE\", \"subtask_name\": \"Benchy\"}}");
  job = pd_printer_get_job (printer);
  g_assert_cmpint (pd_printer_get_job_details_status (printer), ==, PD_JOB_DETAILS_NONE);
  g_assert_null (pd_job_get_details (job));
  g_assert_true (isnan (pd_job_get_filament_grams_total (job)));
  g_assert_true (isnan (pd_job_get_filament_grams_used (job)));
  g_assert_true (pd_test_doc_is_null (pd_printer_get_state (printer), "job.filament_grams_used"));
}

/* Fetching ---------------------------------------------------------------------*/

static void
test_fetch_when_running (void)
{
  Fixture             f;
  PdJobDetails       *details;
  g_autoptr (GArray)  filaments = NULL;

  fixture_init (&f, "X1C");
  put ("/Benchy.gcode.3mf", benchy_file (2));

  /* preparing: the X1 has no file yet, nothing is asked */
  report_job (&f, "PREPARE", "Benchy", "/data/Metadata/plate_2.gcode", 0, 0);
  pd_test_spin (300);
  g_assert_cmpint (pd_printer_get_job_details_status (f.printer), ==, PD_JOB_DETAILS_NONE);

  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_2.gcode", 1, 1);
  g_assert_cmpint (pd_printer_get_job_details_status (f.printer), ==, PD_JOB_DETAILS_FETCHING);
  wait_status (&f, PD_JOB_DETAILS_READY);

  details = details_of (&f);
  g_assert_cmpint (pd_job_details_get_plate (details), ==, 2);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (details), ==, 200);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 12.4, 0.001);
  g_assert_nonnull (pd_job_details_get_thumbnail (details));
  filaments = g_array_ref (pd_job_details_get_filaments (details));
  g_assert_cmpuint (filaments->len, ==, 2);
  g_assert_cmpstr (g_array_index (filaments, PdJobFilament, 1).type, ==, "PETG");
  g_assert_cmpint (g_array_index (filaments, PdJobFilament, 1).id, ==, 4);
  g_assert_cmpfloat_with_epsilon (pd_job_get_filament_grams_total (pd_printer_get_job (f.printer)), 12.4, 0.001);

  /* a reconnect does not fetch again: the file is gone, the details stay */
  g_assert_true (pd_sim_ftp_remove_file (server.ftp, "/Benchy.gcode.3mf"));
  pd_printer_set_connection (f.printer, PD_CONNECTION_DISCONNECTED);
  pd_printer_set_connection (f.printer, PD_CONNECTION_CONNECTED);
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_2.gcode", 50, 20);
  pd_test_spin (1500);
  g_assert_cmpint (pd_printer_get_job_details_status (f.printer), ==, PD_JOB_DETAILS_READY);
  g_assert_true (details_of (&f) == details);

  /* the next job is fetched anew */
  report_job (&f, "FINISH", "Benchy", "/data/Metadata/plate_2.gcode", 100, 40);
  put ("/Cube.gcode.3mf", cube_file ());
  report_job (&f, "RUNNING", "Cube", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_READY);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details_of (&f)), 3.5, 0.001);
  g_assert_null (pd_job_details_get_thumbnail (details_of (&f)));

  fixture_clear (&f);
}

static gboolean
put_late (gpointer data)
{
  put (data, benchy_file (1));
  return G_SOURCE_REMOVE;
}

static void
test_file_comes_later (void)
{
  Fixture f;

  /* the P1 names the project; the file appears a moment into the job */
  fixture_init (&f, "P1S");
  report_job (&f, "RUNNING", "Benchy", "Benchy.gcode.3mf", 0, 1);
  g_timeout_add (1500, put_late, (gpointer) "/Benchy.gcode.3mf");
  wait_status (&f, PD_JOB_DETAILS_READY);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details_of (&f)), 12.4, 0.001);
  fixture_clear (&f);
}

static void
test_not_found (void)
{
  Fixture     f;
  const char *message;

  fixture_init (&f, "X1C");
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  message = pd_job_get_details_message (pd_printer_get_job (f.printer));
  g_assert_nonnull (strstr (message, "not on the printer"));
  g_assert_true (isnan (pd_job_get_filament_grams_total (pd_printer_get_job (f.printer))));
  fixture_clear (&f);
}

/* A cloud print: the file is in /cache under the subtask's name. */
static void
test_cloud_cache (void)
{
  Fixture f;

  fixture_init (&f, "X1C");
  put ("/cache/Benchy.3mf", benchy_file (1));
  report_job (&f, "RUNNING", "Benchy", "data/metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_READY);
  fixture_clear (&f);
}

static void
test_no_sd_card (void)
{
  Fixture     f;
  const char *message;

  fixture_init (&f, "X1C");
  put ("/Benchy.gcode.3mf", benchy_file (1));
  /* the bits of an X1C without its card */
  pd_test_apply_text (f.printer, "{\"print\": {\"home_flag\": -1067070320}}");
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  message = pd_job_get_details_message (pd_printer_get_job (f.printer));
  g_assert_nonnull (strstr (message, "SD card"));
  g_assert_false (pd_test_doc_bool (pd_printer_get_state (f.printer), "sd_card"));

  /* the card is back */
  pd_test_apply_text (f.printer, "{\"print\": {\"home_flag\": -1067070064}}");
  wait_status (&f, PD_JOB_DETAILS_READY);
  fixture_clear (&f);
}

static void
test_wrong_code (void)
{
  Fixture f;

  fixture_init (&f, "X1C");
  put ("/Benchy.gcode.3mf", benchy_file (1));
  pd_job_tracker_set_access_code (f.tracker, "27182818");
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  g_assert_nonnull (strstr (pd_job_get_details_message (pd_printer_get_job (f.printer)), "access code"));

  /* the right code: it works at once */
  pd_job_tracker_set_access_code (f.tracker, ACCESS_CODE);
  wait_status (&f, PD_JOB_DETAILS_READY);
  fixture_clear (&f);
}

static void
test_wrong_certificate (void)
{
  Fixture f;

  fixture_init (&f, "X1C");
  put ("/Benchy.gcode.3mf", benchy_file (1));
  pd_job_tracker_set_pinned_fingerprint (f.tracker, "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                                    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF");
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  g_assert_nonnull (strstr (pd_job_get_details_message (pd_printer_get_job (f.printer)), "certificate"));
  fixture_clear (&f);
}

static void
test_broken_file (void)
{
  Fixture f;

  fixture_init (&f, "X1C");
  put ("/Benchy.gcode.3mf", g_bytes_new_static ("PK\3\4 not really a zip", 22));
  report_job (&f, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  g_assert_nonnull (strstr (pd_job_get_details_message (pd_printer_get_job (f.printer)), "damaged"));
  fixture_clear (&f);
}

static GBytes *
noise (gsize size)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 2654435761u >> 24);
  return g_bytes_new_take (data, size);
}

static gboolean
stall_server (gpointer data)
{
  (void) data;
  pd_sim_ftp_set_stalled (server.ftp, TRUE);
  return G_SOURCE_REMOVE;
}

/* The printer stops sending part-way: a clear message, no hang. */
static void
test_stalled (void)
{
  Fixture f;
  gint64  start = g_get_monotonic_time ();

  fixture_init (&f, "X1C");
  pd_job_tracker_set_timing (f.tracker, 1, 1, 2);
  /* 8 MiB at the server's 1 MiB/s: still moving when it stops */
  put ("/Big.gcode.3mf", noise (8 * 1024 * 1024));
  report_job (&f, "RUNNING", "Big", "/data/Metadata/plate_1.gcode", 0, 1);
  g_timeout_add (1000, stall_server, NULL);
  wait_status (&f, PD_JOB_DETAILS_UNAVAILABLE);
  g_assert_nonnull (strstr (pd_job_get_details_message (pd_printer_get_job (f.printer)), "stopped sending"));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  fixture_clear (&f);
}

/* Stopping cancels a transfer under way, and frees its turn for others. */
static void
test_stop_cancels (void)
{
  Fixture f, g;

  fixture_init (&f, "X1C");
  put ("/Big.gcode.3mf", noise (8 * 1024 * 1024));
  report_job (&f, "RUNNING", "Big", "/data/Metadata/plate_1.gcode", 0, 1);
  pd_test_spin (500);
  g_assert_cmpint (pd_printer_get_job_details_status (f.printer), ==, PD_JOB_DETAILS_FETCHING);
  pd_job_tracker_stop (f.tracker);
  pd_test_spin (300);

  /* two printers after it still get their turns */
  fixture_init (&g, "X1C");
  put ("/Benchy.gcode.3mf", benchy_file (1));
  report_job (&g, "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
  wait_status (&g, PD_JOB_DETAILS_READY);
  g_assert_cmpint (pd_printer_get_job_details_status (f.printer), ==, PD_JOB_DETAILS_FETCHING);
  fixture_clear (&g);
  fixture_clear (&f);
}

/* Several printers at once: each gets its file, whatever the turns. */
static void
test_many_printers (void)
{
  Fixture fx[5];

  clear_files ();
  put ("/Benchy.gcode.3mf", benchy_file (1));
  for (guint i = 0; i < G_N_ELEMENTS (fx); i++)
    {
      fx[i].printer = pd_printer_new (SERIAL);
      fx[i].tracker = pd_job_tracker_new (fx[i].printer);
      pd_job_tracker_set_address (fx[i].tracker, "127.0.0.1", pd_sim_ftp_get_port (server.ftp), PD_SIM_FTP_USER);
      pd_job_tracker_set_pinned_fingerprint (fx[i].tracker, server.fingerprint);
      pd_job_tracker_set_access_code (fx[i].tracker, ACCESS_CODE);
      pd_printer_set_connection (fx[i].printer, PD_CONNECTION_CONNECTED);
      report_job (&fx[i], "RUNNING", "Benchy", "/data/Metadata/plate_1.gcode", 0, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fx); i++)
    {
      wait_status (&fx[i], PD_JOB_DETAILS_READY);
      g_assert_cmpfloat_with_epsilon (pd_job_get_filament_grams_total (pd_printer_get_job (fx[i].printer)), 12.4,
                                      0.001);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fx); i++)
    fixture_clear (&fx[i]);
}

/* Server ------------------------------------------------------------------------*/

static gboolean
start_server (void)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (PdSimCa)   ca = NULL;
  g_autoptr (PdSimCert) cert = NULL;
  g_autofree char      *cert_path = NULL;
  g_autofree char      *key_path = NULL;
  g_autofree char      *ftp_dir = NULL;

  server.dir = g_dir_make_tmp ("pd-job-tracker-XXXXXX", &error);
  g_assert_no_error (error);
  ca = pd_sim_ca_new (PD_SIM_KEY_EC, "BBL Test CA", &error);
  g_assert_no_error (error);
  cert = pd_sim_ca_issue (ca, SERIAL, &error);
  g_assert_no_error (error);
  server.fingerprint = g_strdup (cert->fingerprint);
  cert_path = g_build_filename (server.dir, "cert.pem", NULL);
  key_path = g_build_filename (server.dir, "key.pem", NULL);
  g_file_set_contents (cert_path, cert->cert_pem, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (key_path, cert->key_pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);

  ftp_dir = g_build_filename (server.dir, "ftp", NULL);
  server.ftp = pd_sim_ftp_new (ftp_dir, cert_path, key_path, ACCESS_CODE);
  pd_sim_ftp_set_max_rate (server.ftp, 1024 * 1024);
  if (!pd_sim_ftp_start (server.ftp, &error))
    {
      g_test_message ("vsftpd did not start: %s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
stop_server (void)
{
  if (server.ftp != NULL)
    pd_sim_ftp_stop (server.ftp);
  g_clear_object (&server.ftp);
  if (server.dir != NULL)
    pd_test_remove_tree (server.dir);
  g_clear_pointer (&server.dir, g_free);
  g_clear_pointer (&server.fingerprint, g_free);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/job-tracker/paths", test_paths);
  g_test_add_func ("/job-tracker/describe", test_describe);
  g_test_add_func ("/job-tracker/printer-grams", test_printer_grams);

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_message ("No vsftpd (Debian's vsftpd package): skipping the server tests");
      return g_test_run ();
    }
  if (!start_server ())
    g_error ("the FTPS server did not start");

  g_test_add_func ("/job-tracker/fetch-when-running", test_fetch_when_running);
  g_test_add_func ("/job-tracker/file-comes-later", test_file_comes_later);
  g_test_add_func ("/job-tracker/not-found", test_not_found);
  g_test_add_func ("/job-tracker/cloud-cache", test_cloud_cache);
  g_test_add_func ("/job-tracker/no-sd-card", test_no_sd_card);
  g_test_add_func ("/job-tracker/wrong-code", test_wrong_code);
  g_test_add_func ("/job-tracker/wrong-certificate", test_wrong_certificate);
  g_test_add_func ("/job-tracker/broken-file", test_broken_file);
  g_test_add_func ("/job-tracker/stalled", test_stalled);
  g_test_add_func ("/job-tracker/stop-cancels", test_stop_cancels);
  g_test_add_func ("/job-tracker/many-printers", test_many_printers);

  result = g_test_run ();
  stop_server ();
  return result;
}
