/* test-secrets.c — the access code is nowhere but in the keyring
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A whole session with a simulated printer that uses the code everywhere
 * it can: MQTT, the camera (port 6000 login), FTPS (the job's file), the
 * debug log captured and exported, the state cache saved, the mirror
 * serving the printer, and every log message at debug level. Then every
 * place Printdeck writes or sends is searched for the code. A positive
 * control proves the search finds the code where it is.
 */

#include "config.h"

#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <string.h>

#include "pd-camera-source.h"
#include "pd-debug-log.h"
#include "pd-mirror-server.h"
#include "pd-printer-store.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-util.h"

#define WAIT_S 30

static GString *logged;

/* Every log message at every level, as text, into @logged (and nowhere else:
 * G_MESSAGES_DEBUG=all is set, so debug messages are formatted too). */
static GLogWriterOutput
capture_log (GLogLevelFlags   level,
             const GLogField *fields,
             gsize            n_fields,
             gpointer         data)
{
  g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);

  g_string_append (logged, line);
  g_string_append_c (logged, '\n');
  /* problems still reach the test's output */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
bytes_contain (const char *data,
               gsize       length,
               const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; i + n <= length; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

/* The files below @path that contain @needle, as a list for the message. */
static void
search_tree (const char *path,
             const char *needle,
             GString    *found,
             guint      *n_files)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize            length;

      if (g_file_get_contents (path, &contents, &length, NULL))
        {
          (*n_files)++;
          if (bytes_contain (contents, length, needle))
            g_string_append_printf (found, " %s", path);
        }
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      search_tree (child, needle, found, n_files);
    }
}

typedef struct
{
  PdPrinter         *printer;
  PdJobDetailsStatus status;
} DetailsWait;

static gboolean
details_settled (gpointer data)
{
  DetailsWait *wait = data;

  return pd_printer_get_job_details_status (wait->printer) == wait->status;
}

static gboolean
is_connected (gpointer data)
{
  return pd_printer_get_connection (data) == PD_CONNECTION_CONNECTED;
}

static gboolean
has_messages (gpointer data)
{
  return g_list_model_get_n_items (data) >= 5;
}

static void
test_code_stays_in_keyring (void)
{
  g_autoptr (PdSim)           sim = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (PdMirrorServer)  mirror = NULL;
  g_autoptr (GAsyncResult)    result = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinter)       added = NULL;
  g_autoptr (PdCameraFrame)   frame = NULL;
  g_autoptr (GFile)           export_file = NULL;
  g_autoptr (SoupSession)     session = soup_session_new ();
  g_autoptr (SoupMessage)     msg = NULL;
  g_autoptr (GBytes)          mirror_body = NULL;
  g_autoptr (GString)         found = g_string_new (NULL);
  g_autofree char            *base = g_dir_make_tmp ("pd-secrets-XXXXXX", NULL);
  g_autofree char            *config_dir = g_build_filename (base, "config", NULL);
  g_autofree char            *cache_dir = g_build_filename (base, "cache", NULL);
  g_autofree char            *export_dir = g_build_filename (base, "export", NULL);
  g_autofree char            *export_path = g_build_filename (export_dir, "debug-log.jsonl", NULL);
  g_autofree char            *stored = NULL;
  g_autofree char            *token = pd_mirror_generate_token ();
  g_autofree char            *address = NULL;
  g_autofree char            *authorization = NULL;
  PdSimOptions                options;
  PdSimPrinter               *sp;
  PdPrinter                  *printer;
  PdCameraSource             *camera;
  PdDebugLog                 *debug_log;
  const char                 *code;
  DetailsWait                 wait;
  guint                       n_files = 0;

  g_assert_nonnull (base);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cache_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (export_dir, 0700), ==, 0);

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.models = (const char *const[]){ "P1S", NULL }; /* a JPEG camera: the code is in its login */
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 30; /* heating and levelling in seconds, not a quarter of a minute */
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  sp = pd_sim_get_printer (sim, 0);
  code = pd_sim_printer_get_access_code (sp);

  store = pd_printer_store_new (config_dir, cache_dir);
  pd_printer_store_load_async (store, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  g_assert_true (pd_printer_store_load_finish (store, result, &error));
  g_clear_object (&result);

  config = pd_printer_config_new (pd_sim_printer_get_serial (sp), pd_sim_printer_get_host (sp));
  config->port = pd_sim_printer_get_port (sp);
  config->camera_port = pd_sim_printer_get_camera_port (sp);
  config->ftp_port = pd_sim_printer_get_ftp_port (sp);
  config->ftp_user = g_strdup (pd_sim_printer_get_ftp_user (sp));
  pd_printer_store_add_async (store, config, code, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  added = pd_printer_store_add_finish (store, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  printer = pd_printer_store_find (store, pd_sim_printer_get_serial (sp));
  g_assert_true (pd_test_wait_until (is_connected, printer, WAIT_S));

  /* the debug log, capturing while the code is in use */
  debug_log = pd_printer_store_get_debug_log (store, printer);
  pd_debug_log_start (debug_log);

  /* FTPS: the job's file */
  pd_sim_printer_start_print (sp);
  if (pd_sim_printer_get_ftp_port (sp) != 0)
    {
      wait = (DetailsWait){ printer, PD_JOB_DETAILS_READY };
      g_assert_true (pd_test_wait_until (details_settled, &wait, WAIT_S));
    }

  /* the camera's login */
  camera = pd_printer_store_get_camera (store, printer);
  g_assert_nonnull (camera);
  pd_camera_source_grab_async (camera, 20000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  frame = pd_camera_source_grab_finish (camera, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  /* the debug log, exported */
  g_assert_true (pd_test_wait_until (has_messages, debug_log, WAIT_S));
  export_file = g_file_new_for_path (export_path);
  pd_debug_log_export_async (debug_log, export_file, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  g_assert_true (pd_debug_log_export_finish (debug_log, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  /* the mirror's snapshot of the printers */
  mirror = pd_mirror_server_new (G_LIST_MODEL (store));
  pd_mirror_server_set_token (mirror, token);
  g_assert_true (pd_mirror_server_start (mirror, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  address = g_strdup_printf ("http://127.0.0.1:%u/api/printers", pd_mirror_server_get_port (mirror));
  authorization = g_strdup_printf ("Bearer %s", token);
  msg = soup_message_new ("GET", address);
  soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", authorization);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  mirror_body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  pd_mirror_server_stop (mirror);

  /* the state cache and the config, written */
  g_assert_true (pd_printer_store_save_cache (store, &error));
  g_assert_no_error (error);
  pd_printer_store_shutdown (store);

  /* The code is where it belongs… */
  stored = pd_test_keyring_lookup (pd_secrets_get_schema (), "serial", pd_sim_printer_get_serial (sp));
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, code);

  /* …and nowhere else. */
  search_tree (base, code, found, &n_files);
  g_test_message ("searched %u files, %" G_GSIZE_FORMAT " bytes of log, %" G_GSIZE_FORMAT " bytes of mirror",
                  n_files, logged->len, g_bytes_get_size (mirror_body));
  g_assert_cmpuint (n_files, >=, 3); /* printers.ini, the cache, the export */
  g_assert_cmpuint (logged->len, >, 1000);
  if (found->len > 0)
    g_error ("the access code is in:%s", found->str);
  g_assert_false (bytes_contain (logged->str, logged->len, code));
  g_assert_false (bytes_contain (g_bytes_get_data (mirror_body, NULL), g_bytes_get_size (mirror_body), code));

  /* the search does find it where it is (a positive control) */
  {
    g_autofree char *planted = g_build_filename (base, "planted", NULL);
    g_autofree char *text = g_strdup_printf ("{\"x\":\"%s\"}", code);

    g_assert_true (g_file_set_contents (planted, text, -1, NULL));
    g_string_truncate (found, 0);
    search_tree (base, code, found, &n_files);
    g_assert_nonnull (strstr (found->str, "planted"));
  }

  secret_password_clear_sync (pd_secrets_get_schema (), NULL, NULL, "serial", pd_sim_printer_get_serial (sp), NULL);
  pd_sim_stop (sim);
  pd_test_remove_tree (base);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  logged = g_string_new (NULL);
  g_log_set_writer_func (capture_log, NULL, NULL);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secrets/code-stays-in-keyring", test_code_stays_in_keyring);

  return g_test_run ();
}
