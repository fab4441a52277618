/* test-locale.c — the app in German, with the build's translations, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sets up gettext as main.c does, but with the catalogues meson built into
 * <builddir>/po/<lang>/LC_MESSAGES/ (nothing is installed), then shows the
 * window and a simulated printer's card and reads their labels back.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "pd-application.h"
#include "pd-enums.h"
#include "pd-printer-card.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-app.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

#define TEST_LOCALE "de_DE.UTF-8"

static PdSim         *sim;
static PdApplication *app;
static PdWindow      *window;
static char          *config_dir;
static char          *cache_dir;
static char          *no_locale;

/* Helpers ------------------------------------------------------------------------*/

static gboolean
skip_without_locale (void)
{
  if (no_locale == NULL)
    return FALSE;
  g_test_skip (no_locale);
  return TRUE;
}

static GtkWidget *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_primary_menu_button (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Collects the labels of a menu and its sections, in order. */
static void
collect_labels (GMenuModel *model,
                GPtrArray  *labels)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      char                  *label = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        g_ptr_array_add (labels, label);
      if (section != NULL)
        collect_labels (section, labels);
    }
}

static PdPrinterCard *
card_for (const char *serial)
{
  return _pd_window_find_card (window, serial);
}

static const char *
card_status (PdPrinterCard *card)
{
  GtkWidget *label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, "status_label"));

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

static gboolean
card_shows_status (gpointer data)
{
  PdPrinterCard *card = card_for (pd_sim_printer_get_serial (pd_sim_get_printer (sim, 0)));

  return card != NULL && g_strcmp0 (card_status (card), data) == 0;
}

static gboolean
stack_shows (gpointer data)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PD_TYPE_WINDOW, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), data) == 0;
}

/* Tests --------------------------------------------------------------------------*/

/* The catalogue is the build's, and C code gets German strings. */
static void
test_catalogue (void)
{
  if (skip_without_locale ())
    return;

  g_assert_cmpstr (_("Printdeck"), ==, "Printdeck");
  g_assert_cmpstr (pd_status_to_label (PD_STATUS_PRINTING), ==, "Druckt");
  g_assert_cmpstr (pd_status_to_label (PD_STATUS_IDLE), ==, "Bereit");
  /* Plural forms: nplurals=2, as German has; English has one text for both. */
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u printing", "%u printing", 1), ==, "%u druckt");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u printing", "%u printing", 2), ==, "%u drucken");
}

/* The .ui templates go through the same domain. */
static void
test_empty_state (void)
{
  GtkWidget *empty;

  if (skip_without_locale ())
    return;

  empty = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PD_TYPE_WINDOW, "empty_page"));
  g_assert_true (pd_test_wait_until (stack_shows, (gpointer) "empty", 5));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==, "Keine Drucker");
}

static void
test_primary_menu (void)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  GtkWidget            *button;

  if (skip_without_locale ())
    return;

  button = find_primary_menu_button (GTK_WIDGET (window));
  g_assert_nonnull (button);
  collect_labels (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button)), labels);
  g_ptr_array_add (labels, NULL);

  g_assert_true (g_strv_contains ((const char *const *) labels->pdata, "_Kameras"));
  g_assert_true (g_strv_contains ((const char *const *) labels->pdata, "_Einstellungen"));
  g_assert_true (g_strv_contains ((const char *const *) labels->pdata, "_Tastenkürzel"));
  g_assert_true (g_strv_contains ((const char *const *) labels->pdata, "_Info zu Printdeck"));
  g_assert_false (g_strv_contains ((const char *const *) labels->pdata, "_Preferences"));
}

/* A card follows a printing printer with the status in German. */
static void
test_card_status (void)
{
  PdSimPrinter *sp = pd_sim_get_printer (sim, 0);
  PdPrinter    *printer;

  if (skip_without_locale ())
    return;

  printer = pd_test_app_add_sim_printer (app, sp);
  g_assert_true (pd_test_wait_until (card_shows_status, (gpointer) "Bereit", 30));
  pd_sim_printer_start_print (sp);
  g_assert_true (pd_test_wait_until (card_shows_status, (gpointer) "Druckt", 30));
  pd_test_spin (1000);
  /* For a look at the longer German labels. */
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "locale-de-window.png"));

  pd_window_show_printer (window, printer);
  pd_test_spin (1000);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "locale-de-printer-page.png"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  int                status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* gtk_test_init() pins the locale; take German over, as a user's session
   * would give it, before anything is translated.
   */
  g_setenv ("LANGUAGE", "de", TRUE);
  if (setlocale (LC_ALL, TEST_LOCALE) == NULL)
    {
      g_autofree char *supported = NULL;

      /* With Debian's locales package the locale can be generated, and
       * build-aux/dev.sh deps does; only without it is skipping right.
       */
      if (g_file_get_contents ("/usr/share/i18n/SUPPORTED", &supported, NULL, NULL) &&
          strstr (supported, TEST_LOCALE " UTF-8") != NULL)
        g_error ("the %s locale is not generated: run 'build-aux/dev.sh deps' as root", TEST_LOCALE);
      no_locale = g_strdup_printf ("the %s locale cannot be set up here (no locales package)", TEST_LOCALE);
    }
  bindtextdomain (GETTEXT_PACKAGE, PO_BUILD_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", &error);
  g_assert_no_error (error);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  /* No keyring needed here: test-window covers it. */
  pd_secrets_set_memory_only (TRUE);

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.speed = 20;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  app = pd_application_new (APPLICATION_ID ".LocaleTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);

  g_test_add_func ("/locale/catalogue", test_catalogue);
  g_test_add_func ("/locale/empty-state", test_empty_state);
  g_test_add_func ("/locale/primary-menu", test_primary_menu);
  g_test_add_func ("/locale/card-status", test_card_status);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_clear_object (&app);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  g_free (no_locale);

  return status;
}
