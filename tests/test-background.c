/* test-background.c — running in the background, autostart, and their
 * preferences, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real applications run by g_application_run(), real windows and dialogs,
 * the real session bus (dbus-run-session, see build-aux/dev.sh): once
 * without any portal on it, once with a Background portal of the test's
 * own, on a connection of its own, answering as xdg-desktop-portal does.
 * GSETTINGS_BACKEND=memory: the tests' settings are the apps' settings.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pd-application.h"
#include "pd-background.h"
#include "pd-preferences-window.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

static GSettings *settings;
static char      *config_home;
static guint      n_background_messages;

static void
reset_settings (void)
{
  const char *keys[] = { "run-in-background", "background-asked", "autostart", "notify-offline",
                         "offline-notify-delay", "notify-error", "hms-notify-min-severity", "notify-finished",
                         "notify-failed", "notify-humidity", "humidity-notify-cooldown", "notify-sound-errors",
                         "notify-sound-finished" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  n_background_messages = 0;
}

/* Counts the background keeper's g_message() lines (and shows them). */
static void
count_message (const char    *domain,
               GLogLevelFlags level,
               const char    *message,
               gpointer       data)
{
  n_background_messages++;
  g_test_message ("%s: %s", domain, message);
}

/* Applications, driven step by step -----------------------------------------------*/

/* The steps run from timeouts of the application's own main loop: that a
 * step runs at all shows that g_application_run() has not returned, so
 * that the app did not quit after the step before. A step may wait
 * (bounded) inside; between steps the loop runs freely for a moment, and
 * quits if nothing holds the application.
 */
typedef void (*Step) (GApplication *app);

typedef struct
{
  GApplication *app;
  const Step   *steps;
  guint         n_steps;
  guint         done;
  guint         step_id;
  gboolean      timed_out;
} Script;

static gboolean
run_step (gpointer data)
{
  Script *script = data;

  script->step_id = 0;
  g_test_message ("step %u", script->done + 1);
  script->steps[script->done](script->app);
  script->done++;
  if (script->done < script->n_steps)
    script->step_id = g_timeout_add (150, run_step, script);

  return G_SOURCE_REMOVE;
}

static gboolean
watchdog (gpointer data)
{
  Script *script = data;

  script->timed_out = TRUE;
  g_application_quit (script->app);

  return G_SOURCE_REMOVE;
}

static char *
temp_dir (const char *template)
{
  g_autoptr (GError) error = NULL;
  char              *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  return dir;
}

/* Runs a Printdeck on throw-away folders through @steps; returns how many
 * ran before g_application_run() returned.
 */
static guint
run_app (const Step *steps,
         guint       n_steps)
{
  static guint              n_apps;
  g_autofree char          *id = g_strdup_printf ("%s.Test.Background%u", APPLICATION_ID, ++n_apps);
  g_autofree char          *dir = temp_dir ("printdeck-bg-XXXXXX");
  g_autofree char          *config_dir = g_build_filename (dir, "config", NULL);
  g_autofree char          *cache_dir = g_build_filename (dir, "cache", NULL);
  g_autoptr (PdApplication) app = NULL;
  char                     *argv[] = { (char *) "test-background", NULL };
  Script                    script = { 0 };
  guint                     watchdog_id;
  int                       status;

  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  app = pd_application_new (id, G_APPLICATION_NON_UNIQUE);

  script.app = G_APPLICATION (app);
  script.steps = steps;
  script.n_steps = n_steps;
  /* after the activation, which opens the window */
  script.step_id = g_timeout_add (300, run_step, &script);
  watchdog_id = g_timeout_add_seconds (60, watchdog, &script);

  status = g_application_run (G_APPLICATION (app), 1, argv);

  g_assert_false (script.timed_out);
  g_source_remove (watchdog_id);
  if (script.step_id != 0)
    g_source_remove (script.step_id);
  g_assert_cmpint (status, ==, 0);

  /* windows left by a quit */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;
       l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
  pd_test_spin (50);
  pd_test_remove_tree (dir);

  return script.done;
}

static PdWindow *
main_window (GApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PD_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static gboolean
no_window (gpointer data)
{
  return gtk_application_get_windows (data) == NULL;
}

static gboolean
has_main_window (gpointer data)
{
  return main_window (data) != NULL;
}

static AdwMessageDialog *
question (GApplication *app)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      GtkWindow            *parent = gtk_window_get_transient_for (toplevel);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && parent != NULL && gtk_window_get_application (parent) == GTK_APPLICATION (app) &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
has_question (gpointer data)
{
  return question (data) != NULL;
}

/* What a click on a response button does. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
step_close_window (GApplication *app)
{
  PdWindow *window = main_window (app);

  g_assert_nonnull (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (pd_test_wait_until (no_window, app, 10));
  g_assert_false (g_application_get_is_remote (app));
}

static void
step_reopen (GApplication *app)
{
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_application_activate (app);
  g_assert_true (pd_test_wait_until (has_main_window, app, 10));
}

static void
step_background_off_and_close (GApplication *app)
{
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  step_close_window (app);
}

static void
step_quit (GApplication *app)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
step_not_reached (GApplication *app)
{
  g_assert_not_reached ();
}

static AdwMessageDialog *
close_and_get_question (GApplication *app)
{
  PdWindow         *window = main_window (app);
  AdwMessageDialog *dialog;

  g_assert_nonnull (window);
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (pd_test_wait_until (has_question, app, 10));
  dialog = question (app);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Keep Watching in the Background?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "notifications"));
  g_assert_true (adw_message_dialog_has_response (dialog, "quit"));
  g_assert_true (adw_message_dialog_has_response (dialog, "keep"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "keep");
  /* the window stays until the user answers */
  g_assert_true (main_window (app) == window);

  return dialog;
}

static void
step_ask_escape_then_keep (GApplication *app)
{
  AdwMessageDialog *dialog = close_and_get_question (app);

  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (dialog), "background-question.png"));

  /* Escape: nothing decided, the window stays. */
  gtk_window_close (GTK_WINDOW (dialog));
  pd_test_spin (200);
  g_assert_nonnull (main_window (app));
  g_assert_null (question (app));
  g_assert_false (g_settings_get_boolean (settings, "background-asked"));
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));

  /* Asked again, and kept watching. */
  dialog = close_and_get_question (app);
  respond (dialog, "keep");
  g_assert_true (pd_test_wait_until (no_window, app, 10));
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_true (g_settings_get_boolean (settings, "background-asked"));
}

static void
step_ask_quit (GApplication *app)
{
  respond (close_and_get_question (app), "quit");
}

static void
step_no_question (GApplication *app)
{
  step_close_window (app);
  g_assert_null (question (app));
}

/* (a) With background on, closing the only window leaves the app running;
 * a window opened again lets go of it: with background off, closing it
 * then ends the app.
 */
static void
test_hold_and_release (void)
{
  const Step steps[] = { step_no_question, step_reopen, step_background_off_and_close, step_not_reached };

  reset_settings ();
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_set_boolean (settings, "background-asked", TRUE);

  g_assert_cmpuint (run_app (steps, G_N_ELEMENTS (steps)), ==, 3);
}

/* The control: nothing else holds the app, so without background it ends
 * with its window.
 */
static void
test_no_background_quits (void)
{
  const Step steps[] = { step_no_question, step_not_reached };

  reset_settings ();
  g_settings_set_boolean (settings, "background-asked", TRUE);

  g_assert_cmpuint (run_app (steps, G_N_ELEMENTS (steps)), ==, 1);
}

/* app.quit (Ctrl+Q) quits, even in the background. */
static void
test_quit_action (void)
{
  const Step steps[] = { step_close_window, step_quit, step_not_reached };

  reset_settings ();
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_set_boolean (settings, "background-asked", TRUE);

  g_assert_cmpuint (run_app (steps, G_N_ELEMENTS (steps)), ==, 2);
}

/* (b) Asked once: Escape decides nothing; "keep" keeps running. */
static void
test_ask_keep (void)
{
  const Step steps[] = { step_ask_escape_then_keep, step_reopen, step_no_question, step_quit, step_not_reached };

  reset_settings ();

  g_assert_cmpuint (run_app (steps, G_N_ELEMENTS (steps)), ==, 4);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_true (g_settings_get_boolean (settings, "background-asked"));
}

/* (b) "quit" quits, and is remembered. */
static void
test_ask_quit (void)
{
  const Step steps[] = { step_ask_quit, step_not_reached };

  reset_settings ();

  g_assert_cmpuint (run_app (steps, G_N_ELEMENTS (steps)), ==, 1);
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_true (g_settings_get_boolean (settings, "background-asked"));
}

/* The keeper on its own -------------------------------------------------------------*/

static GtkApplication *
new_registered_app (void)
{
  static guint       n_apps;
  g_autofree char   *id = g_strdup_printf ("%s.Test.Keeper%u", APPLICATION_ID, ++n_apps);
  GtkApplication    *app = gtk_application_new (id, G_APPLICATION_NON_UNIQUE);
  g_autoptr (GError) error = NULL;

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  return app;
}

static gboolean
is_holding (gpointer data)
{
  return pd_background_is_holding (data);
}

static gboolean
is_not_holding (gpointer data)
{
  return !pd_background_is_holding (data);
}

static void
test_new_destroy (void)
{
  g_autoptr (GtkApplication) app = gtk_application_new (APPLICATION_ID ".Test.NewDestroy", G_APPLICATION_NON_UNIQUE);
  PdBackground              *background;
  GtkWidget                 *window;

  reset_settings ();
  background = pd_background_new (app, settings);
  g_assert_false (pd_background_is_holding (background));

  /* No window: held as soon as background is on, let go when it is off. */
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (pd_test_wait_until (is_holding, background, 5));
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  g_assert_true (pd_test_wait_until (is_not_holding, background, 5));

  /* A window lets go of it, its going takes it again. */
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (pd_test_wait_until (is_holding, background, 5));
  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = gtk_application_window_new (app);
  g_assert_false (pd_background_is_holding (background));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_true (pd_background_is_holding (background));

  /* Quitting lets go for good. */
  pd_background_quit (background);
  g_assert_false (pd_background_is_holding (background));

  g_assert_finalize_object (background);
  reset_settings ();
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
file_gone (gpointer data)
{
  return !g_file_test (data, G_FILE_TEST_EXISTS);
}

static gboolean
setting_off (gpointer data)
{
  return !g_settings_get_boolean (settings, data);
}

/* (c) Outside a sandbox: our own autostart entry. */
static void
test_autostart_file (void)
{
  g_autoptr (GtkApplication) app = new_registered_app ();
  g_autoptr (PdBackground)   background = NULL;
  g_autoptr (GKeyFile)       keyfile = g_key_file_new ();
  g_autoptr (GError)         error = NULL;
  g_autofree char           *path = NULL;
  g_autofree char           *expected = NULL;
  g_autofree char           *exec = NULL;
  g_autofree char           *validator = g_find_program_in_path ("desktop-file-validate");
  g_autofree char           *autostart_dir = g_build_filename (config_home, "autostart", NULL);

  reset_settings ();
  background = pd_background_new (app, settings);
  path = pd_background_get_autostart_path (background);
  expected = g_strdup_printf ("%s/autostart/%s.desktop", config_home, g_application_get_application_id (G_APPLICATION (app)));
  g_assert_cmpstr (path, ==, expected);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* Start at login does nothing without running in the background. */
  g_settings_set_boolean (settings, "autostart", TRUE);
  pd_test_spin (200);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (pd_test_wait_until (file_exists, path, 5));

  g_assert_true (g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error));
  g_assert_no_error (error);
  exec = g_key_file_get_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (exec, ==, "printdeck --gapplication-service");
  g_assert_true (g_key_file_get_boolean (keyfile, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", NULL));
  g_assert_false (g_key_file_has_key (keyfile, G_KEY_FILE_DESKTOP_GROUP, "DBusActivatable", NULL));

  if (validator != NULL)
    {
      const char      *validate_argv[] = { validator, path, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int              wait_status;

      g_assert_true (g_spawn_sync (NULL, (char **) validate_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                   &wait_status, &error));
      g_assert_no_error (error);
      g_test_message ("desktop-file-validate: %s%s", out, err);
      g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
      /* only hints, if anything */
      g_assert_null (strstr (out, "error:"));
      g_assert_null (strstr (out, "warning:"));
    }
  else
    g_test_message ("desktop-file-validate is not installed: not validated");

  /* Off again: gone. */
  g_settings_set_boolean (settings, "autostart", FALSE);
  g_assert_true (pd_test_wait_until (file_gone, path, 5));

  /* And with background. */
  g_settings_set_boolean (settings, "autostart", TRUE);
  g_assert_true (pd_test_wait_until (file_exists, path, 5));
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  g_assert_true (pd_test_wait_until (file_gone, path, 5));
  g_assert_cmpuint (n_background_messages, ==, 0);

  /* A file can't be written (a file where the folder should be): one line
   * in the log, and the switch goes back off. */
  g_settings_set_boolean (settings, "autostart", FALSE);
  pd_test_spin (100);
  g_assert_no_errno (g_rmdir (autostart_dir));
  g_assert_true (g_file_set_contents (autostart_dir, "", 0, NULL));
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_settings_set_boolean (settings, "autostart", TRUE);
  g_assert_true (pd_test_wait_until (setting_off, (gpointer) "autostart", 5));
  pd_test_spin (200);
  g_assert_cmpuint (n_background_messages, ==, 1);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_no_errno (g_unlink (autostart_dir));

  g_application_quit (G_APPLICATION (app));
  reset_settings ();
}

/* (c) Sandboxed, but no portal on the bus: one line, no warning, and the
 * switch turned on goes back off.
 */
static void
test_portal_missing (void)
{
  g_autoptr (GtkApplication) app = new_registered_app ();
  g_autoptr (PdBackground)   background = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus (dbus-run-session)");
      return;
    }

  reset_settings ();
  background = pd_background_new (app, settings);
  _pd_background_set_sandboxed (background, TRUE);

  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (pd_test_wait_until (setting_off, (gpointer) "run-in-background", 10));
  pd_test_spin (300);
  g_assert_cmpuint (n_background_messages, ==, 1);
  g_assert_false (g_settings_get_boolean (settings, "run-in-background"));
  g_assert_false (pd_background_is_holding (background));

  g_application_quit (G_APPLICATION (app));
  reset_settings ();
}

/* A Background portal of our own ------------------------------------------------------*/

typedef struct
{
  GDBusConnection *connection;
  guint            object_id;
  gboolean         allow;
  guint            n_requests;
  gboolean         last_autostart;
  char           **last_commandline;
  char            *last_reason;
} FakePortal;

static const char portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.Background'>"
  "    <method name='RequestBackground'>"
  "      <arg type='s' name='parent_window' direction='in'/>"
  "      <arg type='a{sv}' name='options' direction='in'/>"
  "      <arg type='o' name='handle' direction='out'/>"
  "    </method>"
  "  </interface>"
  "</node>";

static void
fake_portal_method_call (GDBusConnection       *connection,
                         const char            *sender,
                         const char            *object_path,
                         const char            *interface_name,
                         const char            *method_name,
                         GVariant              *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer               data)
{
  FakePortal          *portal = data;
  g_autoptr (GVariant) options = NULL;
  g_autofree char     *sender_part = g_strdup (sender + 1);
  g_autofree char     *handle = NULL;
  const char          *token = NULL;
  const char          *parent = NULL;
  gboolean             autostart = FALSE;
  GVariantBuilder      results;

  g_variant_get (parameters, "(&s@a{sv})", &parent, &options);
  g_variant_lookup (options, "handle_token", "&s", &token);
  g_variant_lookup (options, "autostart", "b", &autostart);
  g_clear_pointer (&portal->last_commandline, g_strfreev);
  g_clear_pointer (&portal->last_reason, g_free);
  g_variant_lookup (options, "commandline", "^as", &portal->last_commandline);
  g_variant_lookup (options, "reason", "s", &portal->last_reason);
  portal->last_autostart = autostart;
  portal->n_requests++;
  g_test_message ("RequestBackground (parent '%s', autostart %d)", parent, autostart);

  /* The request's path, as the portal makes it from the caller's name. */
  for (char *c = sender_part; *c != '\0'; c++)
    if (*c == '.')
      *c = '_';
  handle = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender_part, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", handle));

  g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&results, "{sv}", "background", g_variant_new_boolean (portal->allow));
  g_variant_builder_add (&results, "{sv}", "autostart", g_variant_new_boolean (portal->allow && autostart));
  g_dbus_connection_emit_signal (connection, sender, handle, "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(ua{sv})", 0, &results), NULL);
}

static const GDBusInterfaceVTable portal_vtable = { fake_portal_method_call, NULL, NULL, { 0 } };

static void
fake_portal_start (FakePortal *portal)
{
  g_autoptr (GError)        error = NULL;
  g_autofree char          *address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_autoptr (GVariant)      reply = NULL;
  guint32                   result;

  g_assert_no_error (error);
  portal->connection = g_dbus_connection_new_for_address_sync (address,
                                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                                 G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                               NULL, NULL, &error);
  g_assert_no_error (error);
  portal->object_id = g_dbus_connection_register_object (portal->connection, "/org/freedesktop/portal/desktop",
                                                         info->interfaces[0], &portal_vtable, portal, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (portal->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 4 /* do not queue */),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &result);
  g_assert_cmpuint (result, ==, 1 /* primary owner */);
}

static void
fake_portal_stop (FakePortal *portal)
{
  g_dbus_connection_unregister_object (portal->connection, portal->object_id);
  g_dbus_connection_close_sync (portal->connection, NULL, NULL);
  g_clear_object (&portal->connection);
  g_clear_pointer (&portal->last_commandline, g_strfreev);
  g_clear_pointer (&portal->last_reason, g_free);
}

typedef struct
{
  FakePortal *portal;
  guint       n;
} RequestWait;

static gboolean
n_requests_reached (gpointer data)
{
  RequestWait *wait = data;

  return wait->portal->n_requests >= wait->n;
}

/* Waits (bounded) for the portal's @n-th request, and its answer. */
static void
wait_for_request (FakePortal *portal,
                  guint       n)
{
  RequestWait wait = { portal, n };

  g_assert_true (pd_test_wait_until (n_requests_reached, &wait, 10));
  pd_test_spin (200);
  g_assert_cmpuint (portal->n_requests, ==, n);
}

/* (c) Sandboxed: the portal is asked, with the service's command line;
 * what it refuses goes back off, with one line in the log.
 */
static void
test_portal (void)
{
  g_autoptr (GtkApplication) app = NULL;
  g_autoptr (PdBackground)   background = NULL;
  g_autofree char           *path = NULL;
  FakePortal                 portal = { 0 };
  GtkWidget                 *window;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus (dbus-run-session)");
      return;
    }

  fake_portal_start (&portal);
  portal.allow = TRUE;
  reset_settings ();
  app = new_registered_app ();
  window = gtk_application_window_new (app);
  gtk_window_present (GTK_WINDOW (window));
  background = pd_background_new (app, settings);
  _pd_background_set_sandboxed (background, TRUE);
  path = pd_background_get_autostart_path (background);

  /* Allowed: running in the background, then also at login. */
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  wait_for_request (&portal, 1);
  g_assert_false (portal.last_autostart);
  g_assert_nonnull (portal.last_reason);
  g_assert_cmpstr (portal.last_commandline[0], ==, "printdeck");
  g_assert_cmpstr (portal.last_commandline[1], ==, "--gapplication-service");
  g_assert_null (portal.last_commandline[2]);

  g_settings_set_boolean (settings, "autostart", TRUE);
  wait_for_request (&portal, 2);
  g_assert_true (portal.last_autostart);
  g_assert_true (g_settings_get_boolean (settings, "autostart"));
  /* the portal writes the entry, not us */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (n_background_messages, ==, 0);

  /* Refused: starting at login goes back off, running on stays. */
  g_settings_set_boolean (settings, "autostart", FALSE);
  wait_for_request (&portal, 3);
  g_assert_false (portal.last_autostart);
  portal.allow = FALSE;
  g_settings_set_boolean (settings, "autostart", TRUE);
  wait_for_request (&portal, 4);
  g_assert_true (portal.last_autostart);
  g_assert_true (pd_test_wait_until (setting_off, (gpointer) "autostart", 10));
  pd_test_spin (200);
  /* and the portal is not asked again to take back what it refused */
  g_assert_cmpuint (portal.n_requests, ==, 4);
  g_assert_cmpuint (n_background_messages, ==, 1);
  g_assert_true (g_settings_get_boolean (settings, "run-in-background"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
  g_clear_object (&background);
  fake_portal_stop (&portal);
  reset_settings ();
}

/* (d) Preferences -------------------------------------------------------------------*/

typedef struct
{
  const char *row;
  const char *widget;
  const char *key;
} Row;

static GtkWidget *
child (GtkWidget  *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (window, PD_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
assert_row_labels (GtkWidget *window,
                   const Row *row)
{
  GtkWidget *widget = child (window, row->widget);
  GtkWidget *action_row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

  g_test_message ("row %s", row->row);
  g_assert_nonnull (action_row);
  g_assert_cmpstr (gtk_buildable_get_buildable_id (GTK_BUILDABLE (action_row)), ==, row->row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (action_row)), !=, "");
  g_assert_true (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (action_row)) == widget);
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_true (gtk_widget_get_focusable (widget) || GTK_IS_SPIN_BUTTON (widget));
}

static void
assert_severity (const char *expected)
{
  g_autofree char *severity = g_settings_get_string (settings, "hms-notify-min-severity");

  g_assert_cmpstr (severity, ==, expected);
}

static void
test_preferences (void)
{
  const Row switches[] = {
    { "run_in_background_row", "run_in_background_switch", "run-in-background" },
    { "autostart_row", "autostart_switch", "autostart" },
    { "notify_offline_row", "notify_offline_switch", "notify-offline" },
    { "notify_error_row", "notify_error_switch", "notify-error" },
    { "notify_finished_row", "notify_finished_switch", "notify-finished" },
    { "notify_failed_row", "notify_failed_switch", "notify-failed" },
    { "notify_humidity_row", "notify_humidity_switch", "notify-humidity" },
    { "sound_errors_row", "sound_errors_switch", "notify-sound-errors" },
    { "sound_finished_row", "sound_finished_switch", "notify-sound-finished" },
  };
  const Row spins[] = {
    { "offline_delay_row", "offline_delay_spin", "offline-notify-delay" },
    { "humidity_cooldown_row", "humidity_cooldown_spin", "humidity-notify-cooldown" },
  };
  GtkWidget          *window;
  AdwComboRow        *severity;
  AdwPreferencesPage *page;

  reset_settings ();
  window = pd_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (window));
  pd_test_wait_for_frames (window);

  for (guint i = 0; i < G_N_ELEMENTS (switches); i++)
    {
      GtkSwitch *toggle = GTK_SWITCH (child (window, switches[i].widget));
      gboolean   was = g_settings_get_boolean (settings, switches[i].key);

      assert_row_labels (window, &switches[i]);
      g_assert_cmpint (gtk_switch_get_active (toggle), ==, was);
      /* as a click would: the row's title labels it, the row activates it */
      g_settings_set_boolean (settings, "run-in-background", TRUE);
      g_settings_set_boolean (settings, "notify-error", TRUE);
      g_settings_set_boolean (settings, "notify-finished", TRUE);
      was = g_settings_get_boolean (settings, switches[i].key);
      gtk_switch_set_active (toggle, !was);
      g_assert_cmpint (g_settings_get_boolean (settings, switches[i].key), ==, !was);
      gtk_switch_set_active (toggle, was);
      g_assert_cmpint (g_settings_get_boolean (settings, switches[i].key), ==, was);
    }
  reset_settings ();

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    {
      GtkSpinButton *spin = GTK_SPIN_BUTTON (child (window, spins[i].widget));

      assert_row_labels (window, &spins[i]);
      g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL));
      g_assert_cmpuint ((guint) gtk_spin_button_get_value (spin), ==, g_settings_get_uint (settings, spins[i].key));
      gtk_spin_button_set_value (spin, 120);
      g_assert_cmpuint (g_settings_get_uint (settings, spins[i].key), ==, 120);
    }
  g_assert_cmpuint (g_settings_get_uint (settings, "offline-notify-delay"), ==, 120);
  g_assert_cmpuint (g_settings_get_uint (settings, "humidity-notify-cooldown"), ==, 120);

  /* The severity: most severe first, as the schema's nicks. */
  severity = ADW_COMBO_ROW (child (window, "severity_row"));
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (severity), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (severity)), ==, "Minimum Severity");
  g_assert_cmpuint (adw_combo_row_get_selected (severity), ==, 1); /* serious, the default */
  adw_combo_row_set_selected (severity, 0);
  assert_severity ("fatal");
  adw_combo_row_set_selected (severity, 3);
  assert_severity ("info");
  g_settings_set_string (settings, "hms-notify-min-severity", "common");
  g_assert_cmpuint (adw_combo_row_get_selected (severity), ==, 2);
  {
    GListModel *model = adw_combo_row_get_model (severity);
    const char *labels[] = { "Fatal", "Serious", "Common", "Info" };

    g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (labels));
    for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
      g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), i), ==, labels[i]);
  }

  /* Start at login only with background; the details only with their
   * notification. */
  g_settings_set_boolean (settings, "run-in-background", FALSE);
  g_assert_false (gtk_widget_get_sensitive (child (window, "autostart_row")));
  g_settings_set_boolean (settings, "run-in-background", TRUE);
  g_assert_true (gtk_widget_get_sensitive (child (window, "autostart_row")));
  g_settings_set_boolean (settings, "notify-offline", FALSE);
  g_assert_false (gtk_widget_get_sensitive (child (window, "offline_delay_row")));
  g_settings_set_boolean (settings, "notify-error", FALSE);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (severity)));
  g_assert_false (gtk_widget_get_sensitive (child (window, "sound_errors_row")));
  g_settings_set_boolean (settings, "notify-humidity", FALSE);
  g_assert_false (gtk_widget_get_sensitive (child (window, "humidity_cooldown_row")));
  reset_settings ();
  g_assert_true (gtk_widget_get_sensitive (child (window, "offline_delay_row")));

  /* A page of its own for the notifications, with an icon. */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "notifications");
  page = adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (window));
  g_assert_cmpstr (adw_preferences_page_get_title (page), ==, "Notifications");
  g_assert_cmpstr (adw_preferences_page_get_icon_name (page), ==, "preferences-system-notifications-symbolic");
  g_assert_true (gtk_widget_is_ancestor (child (window, "notify_offline_switch"), GTK_WIDGET (page)));
  g_assert_false (gtk_widget_is_ancestor (child (window, "run_in_background_switch"), GTK_WIDGET (page)));
  g_object_unref (pd_test_save_screenshot (window, "preferences-notifications.png"));

  gtk_window_destroy (GTK_WINDOW (window));
  reset_settings ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Before GTK: GLib reads it once. */
  config_home = temp_dir ("printdeck-config-home-XXXXXX");
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  /* Accessible names and relations, without AT-SPI: with "none" (the
   * suite's setting) GTK keeps none of them.
   */
  g_setenv ("GTK_A11Y", "test", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_log_set_handler ("pd-background", G_LOG_LEVEL_MESSAGE, count_message, NULL);

  settings = g_settings_new (BASE_ID);

  g_test_add_func ("/background/new-destroy", test_new_destroy);
  g_test_add_func ("/background/hold-and-release", test_hold_and_release);
  g_test_add_func ("/background/no-background-quits", test_no_background_quits);
  g_test_add_func ("/background/quit-action", test_quit_action);
  g_test_add_func ("/background/ask-keep", test_ask_keep);
  g_test_add_func ("/background/ask-quit", test_ask_quit);
  g_test_add_func ("/background/autostart-file", test_autostart_file);
  g_test_add_func ("/background/portal-missing", test_portal_missing);
  g_test_add_func ("/background/portal", test_portal);
  g_test_add_func ("/background/preferences", test_preferences);

  status = g_test_run ();

  g_clear_object (&settings);
  pd_test_remove_tree (config_home);
  g_free (config_home);

  return status;
}
