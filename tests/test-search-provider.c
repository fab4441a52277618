/* test-search-provider.c — the printers in GNOME Shell's search, over D-Bus
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb and dbus-run-session (build-aux/dev.sh). The app owns its
 * real bus name on that private bus and watches two simulated printers;
 * the test calls org.gnome.Shell.SearchProvider2 as the Shell does: from a
 * connection of its own, at the bus name and object path the installed
 * .ini names. The window is not open until a call opens it. Every wait is
 * bounded.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "pd-application.h"
#include "pd-format.h"
#include "pd-printer-page.h"
#include "pd-search-provider.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-app.h"
#include "pd-test-util.h"
#include "pd-window.h"

#define SEARCH_INTERFACE "org.gnome.Shell.SearchProvider2"

static PdSim           *sim;
static PdApplication   *app;
static PdSimPrinter    *sim_printers[2];
static PdPrinter       *printers[2]; /* [0] prints, [1] stays idle */
static char            *serials[2];
static GDBusConnection *client;      /* the "Shell" */
static char            *bus_name;    /* from the .ini */
static char            *object_path; /* from the .ini */
static char            *config_dir;
static char            *cache_dir;

/* Helpers ---------------------------------------------------------------------------*/

static GVariant *
call (const char *method,
      GVariant   *parameters,
      const char *reply_type)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  GVariant                *reply;

  g_dbus_connection_call (client, bus_name, object_path, SEARCH_INTERFACE, method, parameters, G_VARIANT_TYPE (reply_type),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 15));
  reply = g_dbus_connection_call_finish (client, result, &error);
  g_assert_no_error (error);

  return reply;
}

/* GetInitialResultSet (@previous NULL) or GetSubsearchResultSet */
static GStrv
search (const char *const *previous,
        const char *const *terms)
{
  g_autoptr (GVariant) reply = NULL;
  GStrv                results = NULL;

  if (previous == NULL)
    reply = call ("GetInitialResultSet", g_variant_new ("(^as)", terms), "(as)");
  else
    reply = call ("GetSubsearchResultSet", g_variant_new ("(^as^as)", previous, terms), "(as)");
  g_variant_get (reply, "(^as)", &results);

  return results;
}

static void
assert_results (GStrv              results,
                const char *const *expected)
{
  g_autofree char *got = g_strjoinv (", ", results);

  g_test_message ("results: [%s]", got);
  g_assert_cmpuint (g_strv_length (results), ==, g_strv_length ((GStrv) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (results[i], ==, expected[i]);
}

/* The first word of @text, as a user would start typing it */
static char *
first_word (const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", 2);

  return g_utf8_strdown (words[0], -1);
}

static PdWindow *
find_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PD_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

static const char *
visible_page (PdWindow *window)
{
  GtkWidget *page = GTK_WIDGET (_pd_window_get_printer_page (window));
  GtkWidget *leaflet = gtk_widget_get_ancestor (page, ADW_TYPE_LEAFLET);

  g_assert_nonnull (leaflet);
  return adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet));
}

static gboolean
printing_with_time_left (gpointer data)
{
  PdJob *job = pd_printer_get_job (printers[0]);

  return pd_printer_get_status (printers[0]) == PD_STATUS_PRINTING && job != NULL &&
         pd_job_get_progress (job) >= 0 && pd_job_get_remaining_minutes (job) >= 0;
}

static gboolean
printer_is_offline (gpointer data)
{
  return pd_printer_get_status (data) == PD_STATUS_OFFLINE ||
         pd_printer_get_connection (data) == PD_CONNECTION_DISCONNECTED;
}

static gboolean
printer_is_idle (gpointer data)
{
  return pd_printer_get_connection (data) == PD_CONNECTION_CONNECTED &&
         pd_printer_get_status (data) == PD_STATUS_IDLE;
}

/* The tests ------------------------------------------------------------------------*/

static void
test_new_destroy (void)
{
  PdSearchProvider  *provider = pd_search_provider_new (app);
  g_autoptr (GError) error = NULL;

  g_assert_true (pd_search_provider_export (provider, client, "/io/github/printdeck/Test/SearchProvider", &error));
  g_assert_no_error (error);
  pd_search_provider_unexport (provider);
  g_assert_finalize_object (provider);
}

/* The .ini the Shell reads names the app's bus name and the path the app
 * exports the provider at; the object there has the interface.
 */
static void
test_ini (void)
{
  g_autofree char     *expected_path = g_strconcat (g_application_get_dbus_object_path (G_APPLICATION (app)),
                                                    "/SearchProvider", NULL);
  g_autofree char     *desktop_id = g_strconcat (APPLICATION_ID, ".desktop", NULL);
  g_autoptr (GKeyFile) ini = g_key_file_new ();
  g_autoptr (GError)   error = NULL;
  g_autofree char     *value = NULL;
  g_autoptr (GVariant) reply = NULL;
  const char          *xml;

  g_key_file_load_from_file (ini, SEARCH_PROVIDER_INI, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bus_name, ==, APPLICATION_ID);
  g_assert_cmpstr (object_path, ==, expected_path);
  value = g_key_file_get_string (ini, "Shell Search Provider", "DesktopId", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, desktop_id);
  g_assert_cmpint (g_key_file_get_integer (ini, "Shell Search Provider", "Version", &error), ==, 2);
  g_assert_no_error (error);

  /* The Shell finds the app by that name, on that path. */
  {
    g_autoptr (GAsyncResult) result = NULL;

    g_dbus_connection_call (client, bus_name, object_path, "org.freedesktop.DBus.Introspectable", "Introspect",
                            NULL, G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL,
                            pd_test_store_result, &result);
    g_assert_true (pd_test_wait_for_result (&result, 15));
    reply = g_dbus_connection_call_finish (client, result, &error);
    g_assert_no_error (error);
  }
  g_variant_get (reply, "(&s)", &xml);
  g_assert_nonnull (strstr (xml, SEARCH_INTERFACE));
}

static void
test_initial (void)
{
  g_autofree char *sim_word = first_word (pd_printer_get_name (printers[0]));
  g_autofree char *model = g_utf8_strdown (pd_printer_get_model (printers[0]), -1);
  g_autofree char *serial = g_ascii_strdown (serials[1], -1);
  g_autofree char *old_name = g_strdup (pd_printer_get_name (printers[1]));
  PdJob           *job;

  g_assert_true (pd_test_wait_until (printing_with_time_left, NULL, 60));
  job = pd_printer_get_job (printers[0]);

  /* A word of both names: both, in the window's order. */
  {
    const char    *terms[] = { sim_word, NULL };
    const char    *expected[] = { serials[0], serials[1], NULL };
    g_auto (GStrv) results = search (NULL, terms);

    assert_results (results, expected);
  }
  /* The model: the one printer. Every term must match. */
  {
    const char    *terms[] = { sim_word, model, NULL };
    const char    *expected[] = { serials[0], NULL };
    g_auto (GStrv) results = search (NULL, terms);

    assert_results (results, expected);
  }
  /* Its serial, lower case */
  {
    const char    *terms[] = { serial, NULL };
    const char    *expected[] = { serials[1], NULL };
    g_auto (GStrv) results = search (NULL, terms);

    assert_results (results, expected);
  }
  /* The job printing now */
  {
    const char    *terms[] = { pd_job_get_name (job), NULL };
    const char    *expected[] = { serials[0], NULL };
    g_auto (GStrv) results = search (NULL, terms);

    g_assert_nonnull (pd_job_get_name (job));
    assert_results (results, expected);
  }
  /* Nothing */
  {
    const char    *terms[] = { "zzyzx", NULL };
    const char    *both[] = { sim_word, "zzyzx", NULL };
    const char    *expected[] = { NULL };
    g_auto (GStrv) results = search (NULL, terms);
    g_auto (GStrv) none = search (NULL, both);

    assert_results (results, expected);
    assert_results (none, expected);
  }
  /* Case and accents aside, at the start of any word */
  {
    const char    *plain[] = { "buro", "sud", NULL };
    const char    *upper[] = { "BÜRO", NULL };
    const char    *inside[] = { "drucker", NULL };
    const char    *expected[] = { serials[1], NULL };
    const char    *no_result[] = { NULL };
    g_auto (GStrv) results = NULL;

    pd_printer_set_name (printers[1], "Bürodrucker Süd");
    results = search (NULL, plain);
    assert_results (results, expected);
    g_strfreev (results);
    results = search (NULL, upper);
    assert_results (results, expected);
    g_strfreev (results);
    results = search (NULL, inside);
    assert_results (results, no_result);
    pd_printer_set_name (printers[1], old_name);
  }
}

static void
test_subsearch (void)
{
  g_autofree char *sim_word = first_word (pd_printer_get_name (printers[0]));
  g_autofree char *model = g_utf8_strdown (pd_printer_get_model (printers[1]), -1);
  const char      *previous[] = { serials[0], serials[1], NULL };

  /* Narrowed by one more term */
  {
    const char    *terms[] = { sim_word, model, NULL };
    const char    *expected[] = { serials[1], NULL };
    g_auto (GStrv) results = search (previous, terms);

    assert_results (results, expected);
  }
  /* Only what the last search found, in its order; gone printers left out */
  {
    const char    *last[] = { serials[1], "01P00A000000000", serials[0], NULL };
    const char    *terms[] = { sim_word, NULL };
    const char    *expected[] = { serials[1], serials[0], NULL };
    g_auto (GStrv) results = search (last, terms);

    assert_results (results, expected);
  }
  {
    const char    *last[] = { serials[0], NULL };
    const char    *terms[] = { sim_word, model, NULL };
    const char    *expected[] = { NULL };
    g_auto (GStrv) results = search (last, terms);

    assert_results (results, expected);
  }
}

/* The metas of @serial, from GetResultMetas */
static GVariantDict *
get_meta (const char *serial)
{
  const char          *ids[] = { serial, NULL };
  g_autoptr (GVariant) reply = call ("GetResultMetas", g_variant_new ("(^as)", ids), "(aa{sv})");
  g_autoptr (GVariant) metas = g_variant_get_child_value (reply, 0);
  g_autoptr (GVariant) meta = NULL;

  g_assert_cmpuint (g_variant_n_children (metas), ==, 1);
  meta = g_variant_get_child_value (metas, 0);

  return g_variant_dict_new (meta);
}

static char *
meta_string (GVariantDict *meta,
             const char   *key)
{
  char *value = NULL;

  g_assert_true (g_variant_dict_lookup (meta, key, "s", &value));
  return value;
}

static void
test_metas (void)
{
  g_autoptr (GError) error = NULL;

  /* Printing: the progress and the time left, in words */
  {
    g_autoptr (GVariantDict) meta = NULL;
    g_autofree char         *id = NULL;
    g_autofree char         *name = NULL;
    g_autofree char         *description = NULL;
    g_autofree char         *gicon = NULL;
    g_autoptr (GVariant)     serialized = NULL;
    g_autoptr (GIcon)        icon = NULL;
    g_autoptr (GIcon)        from_string = NULL;

    g_assert_true (pd_test_wait_until (printing_with_time_left, NULL, 60));
    meta = get_meta (serials[0]);
    id = meta_string (meta, "id");
    name = meta_string (meta, "name");
    description = meta_string (meta, "description");
    g_test_message ("%s: %s", name, description);
    g_assert_cmpstr (id, ==, serials[0]);
    g_assert_cmpstr (name, ==, pd_format_printer_name (printers[0]));
    g_assert_true (g_str_has_prefix (description, "Printing, "));
    g_assert_nonnull (strstr (description, " %, "));
    g_assert_true (g_str_has_suffix (description, " left"));

    serialized = g_variant_dict_lookup_value (meta, "icon", NULL);
    g_assert_nonnull (serialized);
    icon = g_icon_deserialize (serialized);
    g_assert_true (G_IS_THEMED_ICON (icon));
    g_assert_true (g_strv_contains (g_themed_icon_get_names (G_THEMED_ICON (icon)), "printer-printing-symbolic"));
    gicon = meta_string (meta, "gicon");
    from_string = g_icon_new_for_string (gicon, &error);
    g_assert_no_error (error);
    g_assert_true (g_icon_equal (icon, from_string));
  }
  /* Idle */
  {
    g_autoptr (GVariantDict) meta = NULL;
    g_autofree char         *description = NULL;

    g_assert_true (pd_test_wait_until (printer_is_idle, printers[1], 30));
    meta = get_meta (serials[1]);
    description = meta_string (meta, "description");
    g_assert_cmpstr (description, ==, "Idle");
  }
  /* Several at once; an unknown one left out */
  {
    const char          *ids[] = { serials[1], "01P00A000000000", serials[0], NULL };
    g_autoptr (GVariant) reply = call ("GetResultMetas", g_variant_new ("(^as)", ids), "(aa{sv})");
    g_autoptr (GVariant) metas = g_variant_get_child_value (reply, 0);
    const char          *first = NULL;

    g_assert_cmpuint (g_variant_n_children (metas), ==, 2);
    {
      g_autoptr (GVariant) meta = g_variant_get_child_value (metas, 0);

      g_assert_true (g_variant_lookup (meta, "id", "&s", &first));
      g_assert_cmpstr (first, ==, serials[1]);
    }
  }
  /* Offline */
  {
    g_autoptr (GVariantDict) meta = NULL;
    g_autofree char         *description = NULL;

    g_assert_true (pd_sim_printer_set_offline (sim_printers[1], TRUE, &error));
    g_assert_no_error (error);
    g_assert_true (pd_test_wait_until (printer_is_offline, printers[1], 60));
    meta = get_meta (serials[1]);
    description = meta_string (meta, "description");
    g_assert_cmpstr (description, ==, "Offline");
    g_assert_true (pd_sim_printer_set_offline (sim_printers[1], FALSE, &error));
    g_assert_no_error (error);
    g_assert_true (pd_test_wait_until (printer_is_idle, printers[1], 60));
  }
}

static gboolean
window_shows (gpointer data)
{
  PdWindow *window = find_window ();

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) &&
         pd_printer_page_get_printer (_pd_window_get_printer_page (window)) == data &&
         g_strcmp0 (visible_page (window), "printer") == 0;
}

/* Activating a result opens its printer's page, making the window first
 * (it was not open: the app runs as if the Shell had started it).
 */
static void
test_activate_result (void)
{
  const char *terms[] = { "sim", NULL };
  PdWindow   *window;

  g_assert_null (find_window ());

  g_variant_unref (call ("ActivateResult", g_variant_new ("(s^asu)", serials[1], terms, (guint32) 0), "()"));
  g_assert_true (pd_test_wait_until (window_shows, printers[1], 10));
  window = find_window ();

  /* Back on the list, another result */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-printers", NULL);
  g_assert_cmpstr (visible_page (window), ==, "printers");
  g_variant_unref (call ("ActivateResult", g_variant_new ("(s^asu)", serials[0], terms, (guint32) 1234), "()"));
  g_assert_true (pd_test_wait_until (window_shows, printers[0], 10));
  g_assert_true (find_window () == window);
}

static gboolean
window_visible (gpointer data)
{
  PdWindow *window = find_window ();

  return window != NULL && gtk_widget_get_visible (GTK_WIDGET (window));
}

/* The app's own icon in the results: the window. */
static void
test_launch_search (void)
{
  const char *terms[] = { "sim", NULL };
  PdWindow   *window;

  while ((window = find_window ()) != NULL)
    gtk_window_destroy (GTK_WINDOW (window));
  pd_test_spin (100);
  g_assert_null (find_window ());

  g_variant_unref (call ("LaunchSearch", g_variant_new ("(^asu)", terms, (guint32) 0), "()"));
  g_assert_true (pd_test_wait_until (window_visible, NULL, 10));
  g_assert_cmpstr (visible_page (find_window ()), ==, "printers");
}

/* An app just started for a search (as the Shell starts it) reads its
 * printer list on a thread: a search that comes before the list waits for
 * it instead of answering "nothing". This app has a list of its own, which
 * gets its printer only after the search was sent.
 */
static void
test_young_app (void)
{
  g_autofree char          *young_config = g_dir_make_tmp ("printdeck-config-XXXXXX", NULL);
  g_autofree char          *young_cache = g_dir_make_tmp ("printdeck-cache-XXXXXX", NULL);
  g_autoptr (PdApplication) young = NULL;
  g_autoptr (GError)        error = NULL;
  g_autoptr (GAsyncResult)  result = NULL;
  g_autoptr (GVariant)      reply = NULL;
  g_autofree char          *path = NULL;
  g_autofree char          *word = first_word (pd_printer_get_name (printers[1]));
  const char               *terms[] = { word, NULL };
  const char               *expected[] = { serials[1], NULL };
  g_auto (GStrv)            results = NULL;

  g_setenv ("PRINTDECK_CONFIG_DIR", young_config, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", young_cache, TRUE);
  young = pd_application_new (APPLICATION_ID ".SearchTest.Young", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (young), NULL, &error);
  g_assert_no_error (error);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pd_application_get_store (young))), ==, 0);

  path = g_strconcat (g_application_get_dbus_object_path (G_APPLICATION (young)), "/SearchProvider", NULL);
  g_dbus_connection_call (client, g_dbus_connection_get_unique_name (g_application_get_dbus_connection (G_APPLICATION (young))),
                          path, SEARCH_INTERFACE, "GetInitialResultSet", g_variant_new ("(^as)", terms),
                          G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, pd_test_store_result,
                          &result);
  pd_test_app_add_sim_printer (young, sim_printers[1]);
  g_assert_true (pd_test_wait_for_result (&result, 15));
  reply = g_dbus_connection_call_finish (client, result, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^as)", &results);
  assert_results (results, expected);

  g_application_quit (G_APPLICATION (young));
  pd_printer_store_shutdown (pd_application_get_store (young));
  g_clear_object (&young);
  pd_test_remove_tree (young_config);
  pd_test_remove_tree (young_cache);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GKeyFile) ini = g_key_file_new ();
  PdSimOptions         options;
  const char          *models[] = { "X1C", "A1", NULL };
  const PdSimScenario  scenarios[] = { PD_SIM_SCENARIO_PRINT, PD_SIM_SCENARIO_IDLE };
  int                  status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  pd_secrets_set_memory_only (TRUE);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus: run under dbus-run-session");
      return 77;
    }

  /* Where the Shell would look */
  g_key_file_load_from_file (ini, SEARCH_PROVIDER_INI, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  bus_name = g_key_file_get_string (ini, "Shell Search Provider", "BusName", &error);
  g_assert_no_error (error);
  object_path = g_key_file_get_string (ini, "Shell Search Provider", "ObjectPath", &error);
  g_assert_no_error (error);

  pd_sim_options_init (&options);
  options.n_printers = 2;
  options.models = models;
  options.scenarios = scenarios;
  options.n_scenarios = G_N_ELEMENTS (scenarios);
  options.report_interval_ms = 200;
  options.speed = 30;
  options.no_cameras = TRUE;
  options.no_ftp = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", NULL);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", NULL);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);

  /* The real app id, unique: it owns the name the .ini gives (this bus is
   * the test's own).
   */
  app = pd_application_new (APPLICATION_ID, G_APPLICATION_DEFAULT_FLAGS);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_application_get_is_remote (G_APPLICATION (app)));

  for (guint i = 0; i < 2; i++)
    {
      sim_printers[i] = pd_sim_get_printer (sim, i);
      serials[i] = g_strdup (pd_sim_printer_get_serial (sim_printers[i]));
      printers[i] = pd_test_app_add_sim_printer (app, sim_printers[i]);
    }
  pd_sim_printer_start_print (sim_printers[0]);

  client = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                   G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                   NULL, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/search-provider/new-destroy", test_new_destroy);
  g_test_add_func ("/search-provider/ini", test_ini);
  g_test_add_func ("/search-provider/initial", test_initial);
  g_test_add_func ("/search-provider/subsearch", test_subsearch);
  g_test_add_func ("/search-provider/metas", test_metas);
  g_test_add_func ("/search-provider/activate-result", test_activate_result);
  g_test_add_func ("/search-provider/launch-search", test_launch_search);
  g_test_add_func ("/search-provider/young-app", test_young_app);

  status = g_test_run ();

  {
    PdWindow *window;

    while ((window = find_window ()) != NULL)
      gtk_window_destroy (GTK_WINDOW (window));
  }
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_clear_object (&app);
  g_dbus_connection_close_sync (client, NULL, NULL);
  g_clear_object (&client);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);
  g_free (config_dir);
  g_free (cache_dir);
  g_free (serials[0]);
  g_free (serials[1]);
  g_free (bus_name);
  g_free (object_path);

  return status;
}
