/* pd-application.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns what lives as long as the app: the printers (PdPrinterStore, one
 * session each), the discovery of printers on the network, each printer's
 * temperature history, and, in demo mode, the simulator.
 */

#define G_LOG_DOMAIN "printdeck"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pd-application.h"
#include "pd-background.h"
#include "pd-camera-frame.h"
#include "pd-camera-manager.h"
#include "pd-debug-manager.h"
#include "pd-format.h"
#include "pd-hms-database.h"
#include "pd-hms-dialog.h"
#include "pd-mirror-manager.h"
#include "pd-notification-center.h"
#include "pd-printer-page.h"
#include "pd-tray.h"
#include "pd-secrets.h"
#include "pd-preferences-window.h"
#include "pd-printer-dialog.h"
#include "pd-search-provider.h"
#include "pd-window.h"

struct _PdApplication
{
  AdwApplication     parent_instance;

  GSettings         *settings;
  PdPrinterStore    *store;
  PdDiscovery       *discovery;
  GHashTable        *histories; /* PdPrinter → PdTemperatureHistory */
  PdCameraManager   *cameras;
  PdDebugManager    *debug;
  PdNotificationCenter *notifications;
  PdTray            *tray;
  PdBackground      *background;
  PdMirrorManager   *mirror;
  PdSearchProvider  *search_provider;
  char              *load_error;        /* printers.ini could not be read */
  GtkWidget         *load_error_dialog; /* weak */

  gboolean           demo;
  char              *demo_dir;
  GSubprocess       *simulator;
  GDataInputStream  *simulator_lines;
  GCancellable      *cancellable;

  guint              startup_said; /* PRINTDECK_REPORT_STARTUP: StartupEvent bits said */
  guint              trim_id;
};

G_DEFINE_FINAL_TYPE (PdApplication, pd_application, ADW_TYPE_APPLICATION)

/* Demo printers ----------------------------------------------------------------*/

/* printdeck-sim: named by $PRINTDECK_SIM, on PATH, installed beside us, or
 * in the build tree next to a program run from it.
 */
static char *
find_simulator (void)
{
  g_autofree char *self_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *built = NULL;
  const char      *env = g_getenv ("PRINTDECK_SIM");
  char            *path;

  if (env != NULL && g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (env);
  if ((path = g_find_program_in_path ("printdeck-sim")) != NULL)
    return path;

  path = g_build_filename (BINDIR, "printdeck-sim", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return path;
  g_free (path);

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    return NULL;
  dir = g_path_get_dirname (self_path);
  built = g_build_filename (dir, "..", "tests", "sim", "printdeck-sim", NULL);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);

  return NULL;
}

static void read_simulator_line (PdApplication *self);

static void
on_demo_printer_added (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr (PdPrinter) printer = NULL;
  g_autoptr (GError)    error = NULL;

  printer = pd_printer_store_add_finish (PD_PRINTER_STORE (source), result, &error);
  if (printer == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("A demo printer could not be added: %s", error->message);
}

static void
on_simulator_line (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  PdApplication              *self = data;
  g_autoptr (GError)          error = NULL;
  g_autoptr (JsonParser)      parser = json_parser_new ();
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autofree char            *line = NULL;
  JsonObject                 *obj;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (line == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("The simulator stopped: %s", error->message);
      return;
    }

  if (!json_parser_load_from_data (parser, line, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      read_simulator_line (self);
      return;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (obj, "serial"))
    {
      read_simulator_line (self);
      return;
    }

  config = pd_printer_config_new (json_object_get_string_member (obj, "serial"),
                                  json_object_get_string_member (obj, "host"));
  config->port = (guint) json_object_get_int_member (obj, "port");
  config->name = g_strdup (json_object_get_string_member (obj, "name"));
  config->fingerprint = g_strdup (json_object_get_string_member (obj, "fingerprint"));
  /* The simulator's cameras listen on ports of their own (one host for all). */
  if (json_object_has_member (obj, "camera_port"))
    config->camera_port = (guint) json_object_get_int_member (obj, "camera_port");
  /* …and so do their file servers, whose user is not the printers' bblp. */
  if (json_object_has_member (obj, "ftp_port"))
    config->ftp_port = (guint) json_object_get_int_member (obj, "ftp_port");
  if (json_object_has_member (obj, "ftp_user"))
    config->ftp_user = g_strdup (json_object_get_string_member (obj, "ftp_user"));
  pd_printer_store_add_async (self->store, config, json_object_get_string_member (obj, "access_code"),
                              self->cancellable, on_demo_printer_added, self);

  read_simulator_line (self);
}

static void
read_simulator_line (PdApplication *self)
{
  g_data_input_stream_read_line_async (self->simulator_lines, G_PRIORITY_DEFAULT, self->cancellable,
                                       on_simulator_line, self);
}

static gboolean
start_simulator (PdApplication *self,
                 GError       **error)
{
  g_autofree char *simulator = find_simulator ();

  if (simulator == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("The printer simulator (printdeck-sim) is not installed."));
      return FALSE;
    }

  self->simulator = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, error,
                                      simulator, "--printers", "4", "--models", "H2D,X1C,A1,P1P",
                                      "--scenario", "print,print,hms,print", "--speed", "10", "--list-json",
                                      "--quit-on-eof", NULL);
  if (self->simulator == NULL)
    return FALSE;

  self->simulator_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->simulator));
  read_simulator_line (self);

  return TRUE;
}

/* The demo's throw-away files: a temporary folder and what is in it. */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Printers ---------------------------------------------------------------------*/

static void
on_store_items_changed (PdApplication *self,
                        guint          position,
                        guint          removed,
                        guint          added,
                        GListModel    *model)
{
  guint          minutes = self->settings != NULL ? g_settings_get_uint (self->settings, "temperature-history-minutes") : 60;
  GHashTableIter iter;
  gpointer       printer;

  /* Forget the histories of printers that went. */
  g_hash_table_iter_init (&iter, self->histories);
  while (g_hash_table_iter_next (&iter, &printer, NULL))
    if (pd_printer_store_find (self->store, pd_printer_get_serial (printer)) != printer)
      {
        g_hash_table_iter_remove (&iter);
      }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter) item = g_list_model_get_item (model, i);
      PdTemperatureHistory *history;

      if (g_hash_table_contains (self->histories, item))
        continue;
      history = pd_temperature_history_new (item);
      pd_temperature_history_set_duration (history, minutes);
      g_hash_table_insert (self->histories, g_object_ref (item), history);
    }
}

/* The printers' ports, or one port named by $PRINTDECK_DISCOVERY_PORT (0 for
 * any free one): tests run side by side and must not share a port, as a
 * datagram sent to a shared port reaches only one of its listeners.
 */
static PdDiscovery *
new_discovery (void)
{
  const char *env = g_getenv ("PRINTDECK_DISCOVERY_PORT");
  guint64     port;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT16, &port, NULL))
    return g_object_new (PD_TYPE_DISCOVERY, "port", (guint) port, NULL);

  return g_object_new (PD_TYPE_DISCOVERY,
                       "port", PD_DISCOVERY_PORT,
                       "alt-port", PD_DISCOVERY_ALT_PORT,
                       NULL);
}

static void on_store_loaded (GObject      *source,
                             GAsyncResult *result,
                             gpointer      data);

static void
on_load_error_response (AdwMessageDialog *dialog,
                        const char       *response,
                        PdApplication    *self)
{
  GtkWindow         *window = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (response, "try-again") == 0)
    {
      g_clear_pointer (&self->load_error, g_free);
      pd_printer_store_load_async (self->store, self->cancellable, on_store_loaded, g_object_ref (self));
    }
  else if (g_strcmp0 (response, "start-over") == 0)
    {
      if (pd_printer_store_reset_config (self->store, &error))
        {
          g_clear_pointer (&self->load_error, g_free);
          g_message ("Started over with an empty printer list");
          if (PD_IS_WINDOW (window))
            pd_window_add_toast (PD_WINDOW (window), _("Started over with an empty list of printers"));
        }
      else
        {
          g_warning ("Could not start over: %s", error->message);
          if (PD_IS_WINDOW (window))
            pd_window_add_toast (PD_WINDOW (window), error->message);
        }
    }
  /* "close": the list stays unchangeable; the next activation asks again. */
}

/* Says that printers.ini could not be read, and offers to read it again
 * (after fixing it) or to start over. Nothing is changed without asking:
 * the store refuses changes meanwhile, and a copy of the file was kept.
 */
static void
show_load_error (PdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *dialog;

  if (self->load_error == NULL || !PD_IS_WINDOW (window))
    return;
  if (self->load_error_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->load_error_dialog));
      return;
    }

  dialog = adw_message_dialog_new (window, _("Printers Could Not Be Loaded"), self->load_error);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"), "start-over", _("_Start Over"), "try-again", _("_Try Again"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "start-over",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "try-again", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "try-again");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_load_error_response), self, 0);
  self->load_error_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->load_error_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr (PdApplication) self = data;
  g_autoptr (GError)        error = NULL;

  if (!pd_printer_store_load_finish (PD_PRINTER_STORE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_warning ("The printer list could not be read: %s", error->message);
      g_free (self->load_error);
      self->load_error = g_strdup (error->message);
      show_load_error (self);
    }
}

static void
on_stale_timeout_changed (PdApplication *self)
{
  pd_printer_store_set_stale_timeout (self->store, g_settings_get_uint (self->settings, "stale-timeout"));
}

/* Start-up timing ---------------------------------------------------------------*/

/* With PRINTDECK_REPORT_STARTUP=1 (tests/bench/bench-startup), one line on
 * stderr, "printdeck-startup: EVENT MICROSECONDS PRINTERS" on the monotonic
 * clock (the same in every process), when the window's first frame is drawn
 * ("window"), the first frame with the printers in it ("printers": every
 * card the view has room for is in it; the window makes its cards after
 * its first frame, a few a frame), the first frame with every printer's
 * card made ("cards"), and when every printer has merged a live report
 * ("live": all connected, which a session says only after its first
 * report). Nothing else changes.
 */
typedef enum
{
  STARTUP_WINDOW = 1 << 0,
  STARTUP_PRINTERS = 1 << 1,
  STARTUP_LIVE = 1 << 2,
  STARTUP_CARDS = 1 << 3,
} StartupEvent;

static void
startup_say (PdApplication *self,
             StartupEvent   event,
             const char    *name)
{
  if ((self->startup_said & event) != 0)
    return;

  self->startup_said |= event;
  g_printerr ("printdeck-startup: %s %" G_GINT64_FORMAT " %u\n", name, g_get_monotonic_time (),
              g_list_model_get_n_items (G_LIST_MODEL (self->store)));
}

static void
startup_check_live (PdApplication *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint       n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED)
        return;
    }
  if (n > 0)
    startup_say (self, STARTUP_LIVE, "live");
}

static void
startup_on_items_changed (PdApplication *self,
                          guint          position,
                          guint          removed,
                          guint          added,
                          GListModel    *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      g_signal_connect_object (printer, "notify::connection", G_CALLBACK (startup_check_live), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
startup_on_after_paint (GdkFrameClock *clock,
                        PdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  startup_say (self, STARTUP_WINDOW, "window");
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0 || !PD_IS_WINDOW (window))
    return;

  /* both said in one frame when it has all the cards */
  if (pd_window_get_cards_in_view (PD_WINDOW (window)))
    startup_say (self, STARTUP_PRINTERS, "printers");
  if (pd_window_get_all_cards_made (PD_WINDOW (window)))
    {
      startup_say (self, STARTUP_PRINTERS, "printers");
      startup_say (self, STARTUP_CARDS, "cards");
      g_signal_handlers_disconnect_by_func (clock, startup_on_after_paint, self);
    }
}

/* Memory ------------------------------------------------------------------------*/

/* glibc keeps what threads free in their arenas, for reuse. The cameras'
 * streaming threads free frame-sized blocks ten or more times a second, and
 * the heap settles a few megabytes above what is in use (3.2 MB with the
 * camera wall of bench-fleet). Once a minute the free pages go back to the
 * system: malloc_trim() also releases whole free pages inside the heaps,
 * not only at their tops. For a monitor open for weeks, what it holds is
 * then what it uses. docs/performance.md has what it costs.
 * The JPEG cameras' pixel buffers that no picture has used for a minute
 * (the cameras were closed, or their views resized) go first.
 */
#define TRIM_INTERVAL_S 60

static gboolean
trim_memory (gpointer data)
{
  gsize pool = pd_camera_frame_trim_pool (TRIM_INTERVAL_S * G_USEC_PER_SEC);

  if (pool > 0)
    g_debug ("Freed %" G_GSIZE_FORMAT " bytes of unused camera buffers", pool);

#ifdef __GLIBC__
  {
    gint64 start = g_get_monotonic_time ();

    malloc_trim (0);
    g_debug ("Freed memory returned to the system in %.2f ms", (double) (g_get_monotonic_time () - start) / 1000);
  }
#endif

  return G_SOURCE_CONTINUE;
}

/* GApplication ------------------------------------------------------------------*/

static int
pd_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PdApplication *self = PD_APPLICATION (app);

  if (g_variant_dict_contains (options, "demo"))
    {
      /* Its own instance and throw-away files: the real printers stay
       * untouched, and so does a running Printdeck.
       */
      self->demo = TRUE;
      g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);
    }

  return -1;
}

static void
pd_application_activate (GApplication *app)
{
  PdApplication *self = PD_APPLICATION (app);
  GtkWindow     *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (pd_window_new (self));

  gtk_window_present (window);
  if (g_getenv ("PRINTDECK_REPORT_STARTUP") != NULL && self->startup_said == 0 &&
      gtk_widget_get_frame_clock (GTK_WIDGET (window)) != NULL)
    g_signal_connect_object (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                             G_CALLBACK (startup_on_after_paint), self, 0);
  show_load_error (self);
}

static void
pd_application_startup (GApplication *app)
{
  PdApplication              *self = PD_APPLICATION (app);
  GSettingsSchemaSource      *source;
  g_autoptr (GSettingsSchema) schema = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *config_dir = g_strdup (g_getenv ("PRINTDECK_CONFIG_DIR"));
  g_autofree char            *cache_dir = g_strdup (g_getenv ("PRINTDECK_CACHE_DIR"));

  G_APPLICATION_CLASS (pd_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  /* The schema is shared by the release and the .Devel profile. Without an
   * installed schema (running from a build folder without the dev
   * environment) the window works but forgets its size.
   */
  source = g_settings_schema_source_get_default ();
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, BASE_ID, TRUE)) != NULL)
    self->settings = g_settings_new (BASE_ID);
  else
    g_message ("GSettings schema %s is not installed; settings will not be saved", BASE_ID);

  /* Running on without a window, and at login; never for the demo. */
  self->background = pd_background_new (GTK_APPLICATION (self), self->demo ? NULL : self->settings);

  if (self->demo)
    {
      self->demo_dir = g_dir_make_tmp ("printdeck-demo-XXXXXX", &error);
      if (self->demo_dir == NULL)
        g_error ("No temporary folder for the demo: %s", error->message);
      g_free (config_dir);
      g_free (cache_dir);
      config_dir = g_build_filename (self->demo_dir, "config", NULL);
      cache_dir = g_build_filename (self->demo_dir, "cache", NULL);
      /* the simulated printers' codes stay out of the user's keyring */
      pd_secrets_set_memory_only (TRUE);
      self->store = pd_printer_store_new (config_dir, cache_dir);
    }
  else
    self->store = pd_printer_store_new (config_dir, cache_dir);

  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  if (g_getenv ("PRINTDECK_REPORT_STARTUP") != NULL)
    g_signal_connect_object (self->store, "items-changed", G_CALLBACK (startup_on_items_changed), self,
                             G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::stale-timeout", G_CALLBACK (on_stale_timeout_changed), self,
                               G_CONNECT_SWAPPED);
      on_stale_timeout_changed (self);
      pd_format_follow_settings (self->settings); /* °C or °F in every window */
    }
  pd_printer_store_load_async (self->store, self->cancellable, on_store_loaded, g_object_ref (self));

  /* Cameras: the snapshot store, automatic snapshots, the camera actions.
   * The demo's snapshots are thrown away with the rest of it.
   */
  {
    g_autofree char *demo_pictures = self->demo ? g_build_filename (self->demo_dir, "Pictures", NULL) : NULL;

    self->cameras = pd_camera_manager_new (self->store, self->settings, demo_pictures);
    pd_camera_manager_add_actions (self->cameras, GTK_APPLICATION (self));
  }

  /* Notifications: offline, errors, finished and failed prints, humidity. */
  self->notifications = pd_notification_center_new (app, self->store, self->settings);

  /* The tray icon, where a StatusNotifierWatcher (KDE, waybar, GNOME's
   * AppIndicator extension) shows it; nothing where none is.
   */
  if (g_application_get_dbus_connection (app) != NULL)
    {
      self->tray = pd_tray_new (g_application_get_dbus_connection (app), APPLICATION_ID, G_LIST_MODEL (self->store),
                                G_ACTION_GROUP (app));
      pd_tray_start (self->tray);
    }

  /* The MQTT debug logs: their capacity, their windows, their actions. */
  self->debug = pd_debug_manager_new (self->store, self->settings);
  pd_debug_manager_add_actions (self->debug, GTK_APPLICATION (self));

  /* The mirror for other screens, as Preferences say. In the demo its
   * access code stays in memory (memory-only secrets above) and its
   * certificate in the demo's throw-away folder.
   */
  self->mirror = pd_mirror_manager_new (self->store, self->settings);

  /* Listening only; another program may hold the port (Bambu Studio does). */
  self->discovery = new_discovery ();
  if (!pd_discovery_start (self->discovery, &error))
    {
      g_message ("Printers on the network cannot be discovered: %s", error->message);
      g_clear_error (&error);
    }

  if (self->demo && !start_simulator (self, &error))
    g_warning ("No demo printers: %s", error->message);

  self->trim_id = g_timeout_add_seconds_full (G_PRIORITY_LOW, TRIM_INTERVAL_S, trim_memory, NULL, NULL);
  g_source_set_name_by_id (self->trim_id, "[printdeck] trim memory");
}

static void
pd_application_shutdown (GApplication *app)
{
  PdApplication *self = PD_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  if (self->notifications != NULL)
    pd_notification_center_shutdown (self->notifications);
  if (self->tray != NULL)
    pd_tray_stop (self->tray);
  if (self->mirror != NULL)
    pd_mirror_manager_shutdown (self->mirror);
  if (self->cameras != NULL)
    pd_camera_manager_shutdown (self->cameras);
  if (self->store != NULL)
    pd_printer_store_shutdown (self->store);
  if (self->discovery != NULL)
    pd_discovery_stop (self->discovery);
  if (self->simulator != NULL)
    {
      g_subprocess_send_signal (self->simulator, SIGTERM);
      g_subprocess_wait (self->simulator, NULL, NULL);
    }
  if (self->demo_dir != NULL)
    remove_tree (self->demo_dir);

  G_APPLICATION_CLASS (pd_application_parent_class)->shutdown (app);
}

/* GNOME Shell's search, at the app's object path + "/SearchProvider" (the
 * search-provider .ini says so). Without it the app still runs: search is
 * an extra, so a failed export is logged, not fatal.
 */
static gboolean
pd_application_dbus_register (GApplication    *app,
                              GDBusConnection *connection,
                              const char      *object_path,
                              GError         **error)
{
  PdApplication     *self = PD_APPLICATION (app);
  g_autofree char   *path = g_strconcat (object_path, "/SearchProvider", NULL);
  g_autoptr (GError) local_error = NULL;

  if (!G_APPLICATION_CLASS (pd_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;

  if (self->search_provider == NULL)
    self->search_provider = pd_search_provider_new (self);
  if (!pd_search_provider_export (self->search_provider, connection, path, &local_error))
    g_message ("No search provider: %s", local_error->message);

  return TRUE;
}

static void
pd_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  PdApplication *self = PD_APPLICATION (app);

  if (self->search_provider != NULL)
    pd_search_provider_unexport (self->search_provider);

  G_APPLICATION_CLASS (pd_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
pd_application_dispose (GObject *object)
{
  PdApplication *self = PD_APPLICATION (object);

  g_clear_pointer (&self->histories, g_hash_table_unref);
  g_clear_object (&self->cameras);
  g_clear_object (&self->debug);
  g_clear_object (&self->mirror);
  g_clear_object (&self->search_provider);
  g_clear_object (&self->notifications);
  if (self->tray != NULL)
    pd_tray_stop (self->tray);
  g_clear_object (&self->tray);
  g_clear_object (&self->background);
  if (self->load_error_dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->load_error_dialog), (gpointer *) &self->load_error_dialog);
  self->load_error_dialog = NULL;
  g_clear_object (&self->simulator_lines);
  g_clear_object (&self->simulator);
  g_clear_object (&self->discovery);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_application_parent_class)->dispose (object);
}

static void
pd_application_finalize (GObject *object)
{
  PdApplication *self = PD_APPLICATION (object);

  g_free (self->demo_dir);
  g_free (self->load_error);

  G_OBJECT_CLASS (pd_application_parent_class)->finalize (object);
}

static void
pd_application_class_init (PdApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pd_application_dispose;
  object_class->finalize = pd_application_finalize;
  app_class->handle_local_options = pd_application_handle_local_options;
  app_class->activate = pd_application_activate;
  app_class->startup = pd_application_startup;
  app_class->shutdown = pd_application_shutdown;
  app_class->dbus_register = pd_application_dbus_register;
  app_class->dbus_unregister = pd_application_dbus_unregister;
}

/* Actions ---------------------------------------------------------------------------*/

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  static const char *developers[] = { "Printdeck developers", NULL };
  PdApplication     *self = user_data;
  GtkWindow         *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("Printdeck"), "application-icon", APPLICATION_ID, "developer-name", _("Printdeck developers"), "version", PACKAGE_VERSION, "website", "https://github.com/printdeck/printdeck", "issue-url", "https://github.com/printdeck/printdeck/issues", "developers", developers, "copyright", "© 2026 Printdeck developers", "license-type", GTK_LICENSE_GPL_3_0,
                                                                                                                       /* TRANSLATORS: your name(s) and address(es), one per line */
                                                                                                                       "translator-credits", _("translator-credits"), "comments", _("Printdeck is not affiliated with Bambu Lab."), NULL);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  PdApplication *self = user_data;

  /* Quit means quit, also while running in the background. */
  if (self->background != NULL)
    pd_background_quit (self->background);
  g_application_quit (G_APPLICATION (self));
}

static void
add_printer_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PdApplication *self = user_data;
  GtkWindow     *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget     *dialog = pd_printer_dialog_new_add (self->store);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), window);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  PdApplication *self = user_data;
  GtkWindow     *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget     *preferences = pd_preferences_window_new (self->settings);

  pd_preferences_window_set_mirror_manager (PD_PREFERENCES_WINDOW (preferences), self->mirror);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), window);
  gtk_window_present (GTK_WINDOW (preferences));
}

/* Ask every connected printer for its full state (pushall). */
static void
refresh_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PdApplication         *self = user_data;
  GListModel            *model = G_LIST_MODEL (self->store);
  g_autoptr (JsonParser) parser = json_parser_new ();

  json_parser_load_from_data (parser, "{\"pushing\":{\"command\":\"pushall\"}}", -1, NULL);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);
      PdSession            *session = pd_printer_store_get_session (self->store, printer);

      if (session != NULL && pd_session_get_connection (session) == PD_CONNECTION_CONNECTED)
        pd_session_send_async (session, json_parser_get_root (parser), NULL, NULL, NULL);
    }
}

static void
on_hms_updated (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr (PdApplication) self = data;
  g_autoptr (GError)        error = NULL;
  GtkWindow                *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GAction                  *action = g_action_map_lookup_action (G_ACTION_MAP (self), "update-hms");
  const char               *message;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), TRUE);
  if (pd_hms_database_update_finish (PD_HMS_DATABASE (source), result, &error))
    {
      g_message ("Error descriptions updated: %u codes", pd_hms_database_get_n_codes (PD_HMS_DATABASE (source)));
      message = _("Error descriptions updated");
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  else
    {
      g_warning ("The error descriptions could not be updated: %s", error->message);
      message = error->message;
    }

  /* The health dialog, if that is where the user asked, else the window. */
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    if (PD_IS_HMS_DIALOG (l->data) && gtk_widget_get_visible (l->data) && gtk_window_is_active (l->data))
      window = l->data;
  if (PD_IS_HMS_DIALOG (window))
    pd_hms_dialog_add_toast (PD_HMS_DIALOG (window), message);
  else if (PD_IS_WINDOW (window))
    pd_window_add_toast (PD_WINDOW (window), message);
}

/* Fetch Bambu's current texts for the models in the list (all known models
 * when the list is empty), in English and the user's language.
 */
static void
update_hms_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  PdApplication        *self = user_data;
  GListModel           *model = G_LIST_MODEL (self->store);
  g_autoptr (GPtrArray) models = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);
      const char           *id = pd_printer_get_model (printer);

      if (id != NULL && !g_ptr_array_find_with_equal_func (models, id, g_str_equal, NULL))
        g_ptr_array_add (models, g_strdup (id));
    }
  g_ptr_array_add (models, NULL);

  g_simple_action_set_enabled (action, FALSE);
  pd_hms_database_update_async (pd_hms_database_get_default (),
                                models->len > 1 ? (const char *const *) models->pdata : NULL,
                                self->cancellable, on_hms_updated, g_object_ref (self));
}

/* "Try Demo Printers": this app again, in demo mode, in its own process. */
static void
demo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_autofree char   *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GError) error = NULL;
  const char        *argv[] = { self_path, "--demo", NULL };

  if (self_path == NULL ||
      !g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &error))
    g_warning ("The demo could not start: %s", error != NULL ? error->message : "no path");
}

static void
on_uri_launched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr (GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("%s could not be opened: %s", (const char *) data, error->message);
  g_free (data);
}

/* app.open-uri: a snapshot, a folder, an export — with the user's default
 * app, from whatever window (toasts, the gallery) asks. */
static void
open_uri_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PdApplication                  *self = user_data;
  const char                     *uri = g_variant_get_string (parameter, NULL);
  GtkWindow                      *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  GdkDisplay                     *display = window != NULL ? gtk_widget_get_display (GTK_WIDGET (window)) : gdk_display_get_default ();
  g_autoptr (GdkAppLaunchContext) context = display != NULL ? gdk_display_get_app_launch_context (display) : NULL;

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), self->cancellable, on_uri_launched,
                                           g_strdup (uri));
}

/* The main window, made if needed, presented. */
static PdWindow *
present_window (PdApplication *self)
{
  GtkWindow *window = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (PD_IS_WINDOW (l->data))
      {
        window = l->data;
        break;
      }
  if (window == NULL)
    window = GTK_WINDOW (pd_window_new (self));

  gtk_window_present (window);
  return PD_WINDOW (window);
}

/* The printer @parameter names, or NULL (a notification of one removed since). */
static PdPrinter *
find_printer (PdApplication *self,
              GVariant      *parameter)
{
  const char *serial = g_variant_get_string (parameter, NULL);
  PdPrinter  *printer = pd_printer_store_find (self->store, serial);

  if (printer == NULL)
    g_message ("No printer %s (removed?)", serial);

  return printer;
}

/* app.show-window: from the tray, or a notification of a printer gone. */
static void
show_window_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  present_window (user_data);
}

/* app.show-printer: a notification (or the tray) opens the printer's page. */
static void
show_printer_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PdApplication *self = user_data;
  PdWindow      *window = present_window (self);
  PdPrinter     *printer = find_printer (self, parameter);

  if (printer != NULL)
    pd_window_show_printer (window, printer);
}

/* app.pause-printer: straight from a notification. A pause can be undone. */
static void
pause_printer_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  PdApplication         *self = user_data;
  PdPrinter             *printer = find_printer (self, parameter);
  PdSession             *session = printer != NULL ? pd_printer_store_get_session (self->store, printer) : NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (session == NULL)
    return;

  json_parser_load_from_data (parser, "{\"print\":{\"command\":\"pause\",\"param\":\"\"}}", -1, NULL);
  g_message ("%s: pausing (asked from a notification)", pd_printer_get_serial (printer));
  pd_session_send_async (session, json_parser_get_root (parser), NULL, NULL, NULL);
}

/* app.stop-printer: a stop cannot be undone, so it is asked on the
 * printer's page, as from its own button.
 */
static void
stop_printer_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PdApplication *self = user_data;
  PdWindow      *window = present_window (self);
  PdPrinter     *printer = find_printer (self, parameter);

  if (printer == NULL)
    return;
  pd_window_show_printer (window, printer);
  gtk_widget_activate_action (GTK_WIDGET (_pd_window_get_printer_page (window)), "printer.stop", NULL);
}

/* app.mute-printer(serial, muted) */
static void
mute_printer_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  PdApplication *self = user_data;
  const char    *serial;
  gboolean       muted;

  g_variant_get (parameter, "(&sb)", &serial, &muted);
  if (self->notifications != NULL)
    pd_notification_center_set_muted (self->notifications, serial, muted);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "add-printer", add_printer_action },
  { "preferences", preferences_action },
  { "refresh", refresh_action },
  { "update-hms", update_hms_action },
  { "demo", demo_action },
  { "open-uri", open_uri_action, "s" },
  { "show-window", show_window_action },
  { "show-printer", show_printer_action, "s" },
  { "pause-printer", pause_printer_action, "s" },
  { "stop-printer", stop_printer_action, "s" },
  { "mute-printer", mute_printer_action, "(sb)" },
};

static void
pd_application_init (PdApplication *self)
{
  const GOptionEntry options[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show simulated printers, with throw-away settings (needs printdeck-sim)"), NULL },
      { NULL }
  };

  self->cancellable = g_cancellable_new ();
  self->histories = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", (const char *[]){ "<primary>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.add-printer", (const char *[]){ "<primary>n", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", (const char *[]){ "<primary>comma", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.refresh", (const char *[]){ "F5", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", (const char *[]){ "<primary>w", NULL });
}

/**
 * pd_application_prepare_process:
 *
 * What Printdeck sets up for its process before GTK starts: call it first
 * thing in main(), before any thread (it may change the environment).
 *
 * - With the cairo renderer chosen (`GSK_RENDERER=cairo`, the cheaper one
 *   on a machine without a GPU) nothing in Printdeck draws with OpenGL
 *   (camera frames are memory textures), yet GDK would load the GL driver
 *   at start to choose a visual: Mesa's llvmpipe, about 60 MB resident
 *   (docs/performance.md). Then `GDK_DEBUG=gl-disable`, unless `GDK_DEBUG`
 *   is set already.
 * - glibc gives threads up to eight malloc arenas per core, each keeping
 *   what was freed in it; a farm has a session thread per printer, each
 *   parsing a report a second. Two arenas are plenty for that (3 MB less
 *   with 100 printers, 13 MB less with the camera wall open), unless
 *   `MALLOC_ARENA_MAX` says otherwise.
 */
void
pd_application_prepare_process (void)
{
  if (g_strcmp0 (g_getenv ("GSK_RENDERER"), "cairo") == 0 && g_getenv ("GDK_DEBUG") == NULL)
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
#ifdef __GLIBC__
  if (g_getenv ("MALLOC_ARENA_MAX") == NULL)
    mallopt (M_ARENA_MAX, 2);
#endif
}

PdApplication *
pd_application_new (const char       *application_id,
                    GApplicationFlags flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (PD_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

/**
 * pd_application_get_settings:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the app's settings, or %NULL when
 *   the schema is not installed
 */
GSettings *
pd_application_get_settings (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->settings;
}

/**
 * pd_application_get_store:
 * @self: the application
 *
 * Returns: (transfer none): the printers
 */
PdPrinterStore *
pd_application_get_store (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->store;
}

/**
 * pd_application_get_cameras:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the camera features (from startup on)
 */
PdCameraManager *
pd_application_get_cameras (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->cameras;
}

/**
 * pd_application_get_debug:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the debug log features (from startup on)
 */
PdDebugManager *
pd_application_get_debug (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->debug;
}

/**
 * pd_application_get_snapshot_store:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): where camera snapshots are kept
 *   (from startup on)
 */
PdSnapshotStore *
pd_application_get_snapshot_store (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->cameras != NULL ? pd_camera_manager_get_snapshot_store (self->cameras) : NULL;
}

/**
 * pd_application_get_discovery:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): printers announcing themselves
 */
PdDiscovery *
pd_application_get_discovery (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->discovery;
}

/**
 * pd_application_get_history:
 * @self: the application
 * @printer: one of the store's printers
 *
 * Returns: (transfer none) (nullable): its temperatures since the app started
 */
PdTemperatureHistory *
pd_application_get_history (PdApplication *self,
                            PdPrinter     *printer)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->histories != NULL ? g_hash_table_lookup (self->histories, printer) : NULL;
}

gboolean
pd_application_can_demo (PdApplication *self)
{
  g_autofree char *simulator = NULL;

  g_return_val_if_fail (PD_IS_APPLICATION (self), FALSE);

  if (self->demo)
    return FALSE;

  simulator = find_simulator ();
  return simulator != NULL;
}

gboolean
pd_application_is_demo (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), FALSE);

  return self->demo;
}

/**
 * pd_application_get_notifications:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the notifications (from startup on)
 */
PdNotificationCenter *
pd_application_get_notifications (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->notifications;
}

/**
 * pd_application_get_tray:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the tray icon (from startup on, when
 *   the app is on a session bus)
 */
PdTray *
pd_application_get_tray (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->tray;
}
