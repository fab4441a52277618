/* test-temperature-unit.c — °C or °F: the format helpers, the setting, the widgets
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The helpers convert and round in one place; the "temperature-unit" key
 * drives them; the card, the printer page, the AMS view and the chart say
 * the new unit as soon as the key changes, without being rebuilt; the
 * preferences row and the key follow each other. Values inside stay °C.
 */

#include "config.h"

#include <adwaita.h>
#include <math.h>
#include <string.h>

#include "pd-ams-view.h"
#include "pd-format.h"
#include "pd-preferences-window.h"
#include "pd-printer-card.h"
#include "pd-printer-page.h"
#include "pd-report.h"
#include "pd-temperature-chart.h"
#include "pd-temperature-history.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"

#define SCHEMA_ID  "io.github.printdeck.Printdeck"
#define SERIAL_X1C "00M09A350100001"
#define SECOND     G_USEC_PER_SEC

/* Helpers ---------------------------------------------------------------------*/

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in %s", needle, text);
}

static void
assert_lacks (const char *text,
              const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in %s", needle, text);
}

/* Scrolls what holds @widget so that it is near the top, for the screenshot. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget     *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  double         x, y;

  g_assert_nonnull (scrolled);
  pd_test_wait_for_frames (widget);
  g_assert_true (gtk_widget_translate_coordinates (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                                   0, 0, &x, &y));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - 60);
  pd_test_spin (50);
}

static GtkWidget *
window_with (GtkWidget *child,
             int        width,
             int        height)
{
  GtkWidget *window = adw_window_new ();

  adw_window_set_content (ADW_WINDOW (window), child);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static void
apply_at (PdPrinter  *printer,
          const char *body,
          gint64      now)
{
  g_autofree char     *text = g_strdup_printf ("{'print':{'command':'push_status',%s}}", body);
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;

  g_strdelimit (text, "'", '"');
  report = pd_report_parse (text, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pd_printer_apply_report (printer, report, now, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* An X1C with two AMS (and an AMS 2 Pro drying at 65 °C), printing: nozzle
 * 219.8 °C of 220, bed 55.2 of 55, chamber 34.
 */
static PdPrinter *
printing_x1c (void)
{
  PdPrinter *printer = pd_printer_new (SERIAL_X1C);

  pd_test_apply_fixture (printer, "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  apply_at (printer,
            "'nozzle_temper':219.8,'nozzle_target_temper':220,'bed_temper':55.2,'bed_target_temper':55,"
            "'chamber_temper':34",
            g_get_real_time ());

  return printer;
}

static void
notified (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static guint unit_changes;

static void
on_unit_changed (gpointer instance)
{
  g_assert_true (G_IS_OBJECT (instance));
  unit_changes++;
}

/* The format helpers ------------------------------------------------------------*/

static void
test_format_celsius (void)
{
  g_autofree char *hot = NULL;
  g_autofree char *heating = NULL;
  g_autofree char *off = NULL;
  g_autofree char *half = NULL;
  g_autofree char *minus_zero = NULL;
  g_autofree char *cold = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *infinite = NULL;
  g_autofree char *range = NULL;
  g_autofree char *single = NULL;
  g_autofree char *advice = NULL;

  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_CELSIUS);

  g_assert_cmpstr ((hot = pd_format_degrees (220)), ==, "220 °C");
  g_assert_cmpstr ((heating = pd_format_temperature (219.8, 220)), ==, "220 / 220 °C");
  /* a target of 0 is a heater that is off: no target shown */
  g_assert_cmpstr ((off = pd_format_temperature (24.4, 0)), ==, "24 °C");
  /* halves away from zero, not to even as printf does */
  g_assert_cmpstr ((half = pd_format_degrees (218.5)), ==, "219 °C");
  /* no "-0 °C" */
  g_assert_cmpstr ((minus_zero = pd_format_degrees (-0.4)), ==, "0 °C");
  g_assert_cmpstr ((cold = pd_format_degrees (-48.9)), ==, "-49 °C");
  g_assert_cmpstr ((unknown = pd_format_temperature (NAN, 220)), ==, "—");
  g_assert_cmpstr ((infinite = pd_format_degrees (INFINITY)), ==, "—");
  g_assert_cmpstr ((range = pd_format_nozzle_range (190, 240)), ==, "190–240 °C");
  g_assert_cmpstr ((single = pd_format_nozzle_range (0, 240)), ==, "240 °C");
  g_assert_null (pd_format_nozzle_range (0, 0));
  g_assert_cmpstr ((advice = pd_format_drying_advice (55, 8)), ==, "Dry at 55 °C for 8 h");
  g_assert_cmpfloat (pd_format_celsius_to_unit (220), ==, 220);
}

static void
test_format_fahrenheit (void)
{
  g_autofree char *hot = NULL;
  g_autofree char *heating = NULL;
  g_autofree char *off = NULL;
  g_autofree char *body = NULL;
  g_autofree char *minus_zero = NULL;
  g_autofree char *forty = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *no_target = NULL;
  g_autofree char *range = NULL;
  g_autofree char *single = NULL;
  g_autofree char *advice = NULL;
  g_autofree char *advice_only = NULL;
  GObject         *watcher = g_object_new (G_TYPE_OBJECT, NULL);

  /* watchers hear a change once, and nothing when the unit stays */
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  unit_changes = 0;
  pd_format_watch_temperature_unit (watcher, G_CALLBACK (on_unit_changed));
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_FAHRENHEIT);
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_FAHRENHEIT);

  g_assert_cmpstr ((hot = pd_format_degrees (220)), ==, "428 °F");
  /* 219.8 °C is 427.64 °F */
  g_assert_cmpstr ((heating = pd_format_temperature (219.8, 220)), ==, "428 / 428 °F");
  /* the heater is off at 0 °C, not at 32 °F */
  g_assert_cmpstr ((off = pd_format_temperature (24.4, 0)), ==, "76 °F");
  /* 37 °C is 98.6 °F */
  g_assert_cmpstr ((body = pd_format_degrees (37)), ==, "99 °F");
  /* -17.9 °C is -0.22 °F */
  g_assert_cmpstr ((minus_zero = pd_format_degrees (-17.9)), ==, "0 °F");
  g_assert_cmpstr ((forty = pd_format_degrees (-40)), ==, "-40 °F");
  g_assert_cmpstr ((unknown = pd_format_temperature (NAN, NAN)), ==, "—");
  g_assert_cmpstr ((no_target = pd_format_temperature (55.2, NAN)), ==, "131 °F");
  g_assert_cmpstr ((range = pd_format_nozzle_range (190, 240)), ==, "374–464 °F");
  g_assert_cmpstr ((single = pd_format_nozzle_range (230, 230)), ==, "446 °F");
  g_assert_null (pd_format_nozzle_range (-1, 0));
  g_assert_cmpstr ((advice = pd_format_drying_advice (55, 8)), ==, "Dry at 131 °F for 8 h");
  g_assert_cmpstr ((advice_only = pd_format_drying_advice (65, 0)), ==, "Dry at 149 °F");
  g_assert_null (pd_format_drying_advice (0, 8));

  g_assert_cmpfloat_with_epsilon (pd_format_celsius_to_unit (100), 212, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_format_unit_to_celsius (212), 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_format_unit_to_celsius (pd_format_celsius_to_unit (-12.3)), -12.3, 1e-9);

  g_assert_cmpuint (unit_changes, ==, 1);
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_FAHRENHEIT);
  g_assert_cmpuint (unit_changes, ==, 1);
  /* and are let go of with their object */
  g_assert_finalize_object (watcher);
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  g_assert_cmpuint (unit_changes, ==, 1);
}

/* The setting ------------------------------------------------------------------*/

static void
test_follow_settings (void)
{
  g_autoptr (GSettings) settings = g_settings_new (SCHEMA_ID);

  g_settings_reset (settings, "temperature-unit");
  pd_format_follow_settings (settings);
  /* "auto" by the locale: C.UTF-8 measures in metric */
  g_assert_cmpint (pd_format_get_locale_temperature_unit (), ==, PD_TEMPERATURE_UNIT_CELSIUS);
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_CELSIUS);

  g_settings_set_string (settings, "temperature-unit", "fahrenheit");
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_FAHRENHEIT);
  g_settings_set_string (settings, "temperature-unit", "celsius");
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_CELSIUS);
  g_settings_set_string (settings, "temperature-unit", "fahrenheit");
  g_settings_set_string (settings, "temperature-unit", "auto");
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, pd_format_get_locale_temperature_unit ());
}

/* The widgets --------------------------------------------------------------------*/

/* The card and the page change their words at once, with the key, and keep
 * their widgets; back to °C, the same words as before.
 */
static void
test_card_and_page (void)
{
  g_autoptr (GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr (PdPrinter) printer = printing_x1c ();
  GtkWidget            *card = pd_printer_card_new (printer);
  GtkWidget            *card_window = window_with (card, 420, 520);
  GtkWidget            *page = g_object_new (PD_TYPE_PRINTER_PAGE, NULL);
  GtkWidget            *page_window = NULL;
  GtkWidget            *nozzle_label = GTK_WIDGET (gtk_widget_get_template_child (card, PD_TYPE_PRINTER_CARD, "nozzle_label"));
  g_autofree char      *card_celsius = NULL;
  g_autofree char      *page_celsius = NULL;
  g_autofree char      *card_fahrenheit = NULL;
  g_autofree char      *page_fahrenheit = NULL;
  g_autofree char      *card_again = NULL;
  g_autofree char      *page_again = NULL;
  guint                 label_changes = 0;

  g_settings_set_string (settings, "temperature-unit", "celsius");
  pd_format_follow_settings (settings);
  pd_printer_page_set_printer (PD_PRINTER_PAGE (page), printer, NULL);
  page_window = window_with (page, 720, 1400);
  pd_test_wait_for_frames (card);
  pd_test_wait_for_frames (page);

  card_celsius = pd_test_widget_text (card);
  page_celsius = pd_test_widget_text (page);
  g_test_message ("card: %s", card_celsius);
  g_test_message ("page: %s", page_celsius);
  assert_contains (card_celsius, "|220 / 220 °C|");
  assert_contains (card_celsius, "|55 / 55 °C|");
  assert_lacks (card_celsius, "°F");
  assert_contains (page_celsius, "|220 / 220 °C|");
  assert_contains (page_celsius, "190–230 °C");
  assert_contains (page_celsius, "Dry at 55 °C for 8 h");
  assert_contains (page_celsius, "|65 °C|");
  assert_lacks (page_celsius, "°F");

  g_signal_connect (nozzle_label, "notify::label", G_CALLBACK (notified), &label_changes);
  g_settings_set_string (settings, "temperature-unit", "fahrenheit");
  /* at once: no main loop turn needed */
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (nozzle_label)), ==, "428 / 428 °F");
  g_assert_cmpuint (label_changes, ==, 1);
  pd_test_wait_for_frames (card);
  pd_test_wait_for_frames (page);

  card_fahrenheit = pd_test_widget_text (card);
  page_fahrenheit = pd_test_widget_text (page);
  g_test_message ("card: %s", card_fahrenheit);
  g_test_message ("page: %s", page_fahrenheit);
  assert_contains (card_fahrenheit, "|428 / 428 °F|");
  assert_contains (card_fahrenheit, "|131 / 131 °F|");
  assert_lacks (card_fahrenheit, "°C");
  assert_contains (page_fahrenheit, "|428 / 428 °F|");
  assert_contains (page_fahrenheit, "|131 / 131 °F|");
  /* the page's AMS view: nozzle ranges and drying advice */
  assert_contains (page_fahrenheit, "374–446 °F");
  assert_contains (page_fahrenheit, "Dry at 131 °F for 8 h");
  assert_contains (page_fahrenheit, "|149 °F|");
  assert_lacks (page_fahrenheit, "°C");
  /* the values inside stay °C */
  g_assert_cmpfloat_with_epsilon (pd_temperature_get_current (pd_printer_get_nozzle (printer)), 219.8, 1e-6);

  g_object_unref (pd_test_save_screenshot (card_window, "card-fahrenheit.png"));
  g_object_unref (pd_test_save_screenshot (page_window, "printer-page-ams-fahrenheit.png"));
  scroll_to (GTK_WIDGET (gtk_widget_get_template_child (page, PD_TYPE_PRINTER_PAGE, "nozzle_row")));
  g_object_unref (pd_test_save_screenshot (page_window, "printer-page-fahrenheit.png"));

  /* a new report is written in °F too */
  apply_at (printer, "'nozzle_temper':230,'nozzle_target_temper':240", g_get_real_time ());
  pd_test_card_catch_up (card);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (nozzle_label)), ==, "446 / 464 °F");
  apply_at (printer, "'nozzle_temper':219.8,'nozzle_target_temper':220", g_get_real_time ());

  g_settings_set_string (settings, "temperature-unit", "celsius");
  pd_test_wait_for_frames (card);
  card_again = pd_test_widget_text (card);
  page_again = pd_test_widget_text (page);
  g_assert_cmpstr (card_again, ==, card_celsius);
  g_assert_cmpstr (page_again, ==, page_celsius);

  gtk_window_destroy (GTK_WINDOW (card_window));
  gtk_window_destroy (GTK_WINDOW (page_window));
}

/* The AMS unit's own temperature, in the view on its own */
static void
test_ams_view (void)
{
  g_autoptr (PdPrinter) printer = printing_x1c ();
  GtkWidget            *view = pd_ams_view_new (printer);
  GtkWidget            *window = window_with (view, 640, 1200);
  g_autofree char      *celsius = NULL;
  g_autofree char      *fahrenheit = NULL;
  g_autoptr (GPtrArray) units = g_ptr_array_new ();

  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  pd_test_spin (50);
  celsius = pd_test_widget_text (view);
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_FAHRENHEIT);
  fahrenheit = pd_test_widget_text (view);
  g_test_message ("%s", fahrenheit);

  for (guint i = 0; i < g_list_model_get_n_items (pd_printer_get_ams_units (printer)); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (pd_printer_get_ams_units (printer), i);
      g_autofree char      *degrees = NULL;

      if (isnan (pd_ams_unit_get_temperature (unit)))
        continue;
      degrees = g_strdup_printf ("|%.0f °F|", round (pd_ams_unit_get_temperature (unit) * 9 / 5 + 32));
      assert_contains (fahrenheit, degrees);
    }
  assert_lacks (fahrenheit, "°C");
  assert_contains (celsius, "°C");

  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The chart: its description, and a redraw in the new unit */
static void
test_chart (void)
{
  gint64                           now = g_get_real_time () - 60 * SECOND;
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  GtkWidget                       *chart = pd_temperature_chart_new (history);
  GtkWidget                       *window = NULL;
  guint                            summaries = 0;

  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  for (int i = 0; i <= 10; i++)
    {
      g_autofree char *body = g_strdup_printf ("'nozzle_temper':%.1f,'nozzle_target_temper':220,"
                                               "'bed_temper':%.1f,'bed_target_temper':55,'chamber_temper':34",
                                               i == 10 ? 219.8 : 30 + 19 * i, i == 10 ? 55.2 : 25 + 3 * i);

      apply_at (printer, body, now + i * 5 * SECOND);
    }
  gtk_widget_set_size_request (chart, 560, 240);
  window = window_with (chart, 600, 280);
  pd_test_wait_for_frames (chart);
  g_assert_cmpstr (pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart)), ==,
                   "Nozzle 220 °C (target 220 °C). Bed 55 °C (target 55 °C). Chamber 34 °C.");

  g_signal_connect (chart, "notify::summary", G_CALLBACK (notified), &summaries);
  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_FAHRENHEIT);
  g_assert_cmpuint (summaries, ==, 1);
  g_assert_cmpstr (pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart)), ==,
                   "Nozzle 428 °F (target 428 °F). Bed 131 °F (target 131 °F). Chamber 93 °F.");
  pd_test_wait_for_frames (chart);
  g_object_unref (pd_test_save_screenshot (window, "chart-fahrenheit.png"));

  pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  g_assert_cmpuint (summaries, ==, 2);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The preferences row and the key follow each other. */
static void
test_preferences_row (void)
{
  g_autoptr (GSettings) settings = g_settings_new (SCHEMA_ID);
  GtkWidget            *preferences = NULL;
  AdwComboRow          *row = NULL;
  g_autofree char      *nick = NULL;
  g_autofree char      *again = NULL;

  g_settings_reset (settings, "temperature-unit");
  pd_format_follow_settings (settings);
  preferences = pd_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (preferences));
  row = ADW_COMBO_ROW (gtk_widget_get_template_child (preferences, PD_TYPE_PREFERENCES_WINDOW, "temperature_unit_row"));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (row)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Unit");
  /* "auto" is the first entry */
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 0);

  adw_combo_row_set_selected (row, 2);
  nick = g_settings_get_string (settings, "temperature-unit");
  g_assert_cmpstr (nick, ==, "fahrenheit");
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_FAHRENHEIT);

  g_settings_set_string (settings, "temperature-unit", "celsius");
  g_assert_cmpuint (adw_combo_row_get_selected (row), ==, 1);
  g_assert_cmpint (pd_format_get_temperature_unit (), ==, PD_TEMPERATURE_UNIT_CELSIUS);

  scroll_to (GTK_WIDGET (row));
  g_object_unref (pd_test_save_screenshot (preferences, "preferences-temperature-unit.png"));
  adw_combo_row_set_selected (row, 0);
  again = g_settings_get_string (settings, "temperature-unit");
  g_assert_cmpstr (again, ==, "auto");

  gtk_window_destroy (GTK_WINDOW (preferences));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/temperature-unit/format-celsius", test_format_celsius);
  g_test_add_func ("/temperature-unit/format-fahrenheit", test_format_fahrenheit);
  g_test_add_func ("/temperature-unit/follow-settings", test_follow_settings);
  g_test_add_func ("/temperature-unit/card-and-page", test_card_and_page);
  g_test_add_func ("/temperature-unit/ams-view", test_ams_view);
  g_test_add_func ("/temperature-unit/chart", test_chart);
  g_test_add_func ("/temperature-unit/preferences-row", test_preferences_row);

  return g_test_run ();
}
