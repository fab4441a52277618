/* test-ams-view.c — the AMS strip and view, from recorded reports
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person reads: unit names and types, humidity as a percent or as
 * Bambu's level (never a level written as a percent), drying, slots empty,
 * unknown or with how much is left, the active slot; and that a delta moves
 * a bar without making new widgets.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "pd-ams-strip.h"
#include "pd-ams-swatch.h"
#include "pd-ams-view.h"
#include "pd-format.h"
#include "pd-printer-card.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"

#define SERIAL_X1C "00M09A350100001"
#define SERIAL_A1  "03919D000000001"
#define SERIAL_H2D "0948AD000000001"
#define SERIAL_P1P "01S00A000000001"

static PdPrinter *
printer_from (const char *serial,
              const char *fixture)
{
  PdPrinter *printer = pd_printer_new (serial);

  pd_test_apply_fixture (printer, fixture);

  return printer;
}

static void
collect_type (GtkWidget *widget,
              GType      type,
              GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect_type (child, type, found);
    }
}

static GPtrArray *
find_all (GtkWidget *widget,
          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_type (widget, type, found);
  return found;
}

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

static GtkWidget *
window_with (GtkWidget *child,
             int        width,
             int        height)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  gtk_widget_set_margin_top (child, 18);
  gtk_widget_set_margin_bottom (child, 18);
  gtk_widget_set_margin_start (child, 18);
  gtk_widget_set_margin_end (child, 18);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_window_set_content (ADW_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

/* X1C with two AMS, an AMS 2 Pro that is drying and an AMS HT ------------*/

static void
test_x1c_four_units (void)
{
  g_autoptr (PdPrinter) printer = printer_from (SERIAL_X1C, "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  GtkWidget            *view = pd_ams_view_new (printer);
  GtkWidget            *window = window_with (view, 640, 1200);
  g_autofree char      *text = NULL;
  g_autoptr (GPtrArray) swatches = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  guint                 n_unknown = 0;

  pd_test_spin (200);
  text = pd_test_widget_text (view);
  g_test_message ("%s", text);

  /* units: names as Bambu names them, types */
  assert_contains (text, "|AMS A|AMS|");
  assert_contains (text, "|AMS B|AMS|");
  assert_contains (text, "|AMS C|AMS 2 Pro|");
  assert_contains (text, "|HT-A|AMS HT|");
  /* humidity measured: a percent; drying with the time left */
  assert_contains (text, "Humidity 8 %");
  assert_contains (text, "Humidity 4 %");
  assert_contains (text, "Humidity 9 %");
  assert_contains (text, "Drying, 9 h 43 min left");
  assert_contains (text, "65 °C");
  /* slots: material and how much is left; the empty slot */
  assert_contains (text, "Slot 1");
  assert_contains (text, "|93 %|");
  assert_contains (text, "|Empty|");
  assert_contains (text, "PA-CF");
  assert_lacks (text, "level");

  /* one swatch per slot: 4 + 4 + 4 + 1, and none active (tray_now 255) */
  swatches = find_all (view, PD_TYPE_AMS_SWATCH);
  g_assert_cmpuint (swatches->len, >=, 13);
  for (guint i = 0; i < swatches->len; i++)
    g_assert_false (pd_ams_swatch_get_active (g_ptr_array_index (swatches, i)));

  rows = find_all (view, GTK_TYPE_LIST_BOX_ROW);
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *row = pd_test_widget_text (g_ptr_array_index (rows, i));

      n_unknown += strstr (row, "|Unknown|") != NULL;
    }
  g_test_message ("%u slots with an untracked amount", n_unknown);

  g_object_unref (pd_test_save_screenshot (window, "ams-view.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A1 with an AMS lite that reports only the humidity index ----------------*/

static void
test_a1_level_only (void)
{
  g_autoptr (PdPrinter) printer = printer_from (SERIAL_A1, "reports/A1_idle_ams_lite_humidity_index_push_status.json");
  GtkWidget            *view = pd_ams_view_new (printer);
  GtkWidget            *window = window_with (view, 560, 600);
  g_autofree char      *text = NULL;
  PdAmsUnit            *unit = g_list_model_get_item (pd_printer_get_ams_units (printer), 0);
  g_autofree char      *expected = NULL;

  pd_test_spin (100);
  text = pd_test_widget_text (view);
  g_test_message ("%s", text);
  assert_contains (text, "|AMS lite|");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), <, 0);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), >=, 1);
  /* a level, never a percent */
  expected = g_strdup_printf ("Humidity level %d of 5", pd_ams_unit_get_humidity_level (unit));
  assert_contains (text, expected);
  assert_lacks (text, "Humidity 1 %");
  assert_lacks (text, "Humidity 2 %");
  assert_lacks (text, "Humidity 3 %");
  assert_lacks (text, "Humidity 4 %");
  assert_lacks (text, "Humidity 5 %");
  /* the AMS lite cannot dry: nothing said about drying */
  assert_lacks (text, "drying");

  g_object_unref (unit);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Humidity warnings against the thresholds ---------------------------------*/

static void
test_humidity_warning (void)
{
  g_autoptr (PdPrinter) printer = printer_from (SERIAL_X1C, "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  GtkWidget            *view = pd_ams_view_new (printer);
  GtkWidget            *window = window_with (view, 640, 1200);
  g_autofree char      *before = NULL;
  g_autofree char      *after = NULL;

  pd_test_spin (100);
  before = pd_test_widget_text (view);
  assert_lacks (before, "Humidity high");
  assert_lacks (before, "Humidity fair");

  /* thresholds under the measured 4–9 %: every measuring unit is high */
  g_object_set (view, "humidity-fair", 2, "humidity-high", 5, NULL);
  after = pd_test_widget_text (view);
  assert_contains (after, "Humidity high");
  assert_contains (after, "Humidity fair"); /* AMS B at 4 % */

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The card's strip -----------------------------------------------------------*/

static void
test_strip (void)
{
  g_autoptr (PdPrinter) h2d = printer_from (SERIAL_H2D, "reports/H2D_running_ams_amsht_encoded_temps_push_status.json");
  g_autoptr (PdPrinter) p1p = pd_printer_new (SERIAL_P1P);
  GtkWidget            *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget            *h2d_card = pd_printer_card_new (h2d);
  GtkWidget            *p1p_card = pd_printer_card_new (p1p);
  GtkWidget            *window;
  g_autoptr (GPtrArray) strips = NULL;
  g_autoptr (GPtrArray) swatches = NULL;
  g_autoptr (GPtrArray) p1p_strips = NULL;
  guint                 n_active = 0;
  const char           *tooltip;

  /* a P1P without an AMS */
  pd_test_apply_text (p1p, "{\"print\":{\"gcode_state\":\"IDLE\",\"nozzle_temper\":25.0,\"bed_temper\":24.0}}");
  gtk_box_append (GTK_BOX (box), h2d_card);
  gtk_box_append (GTK_BOX (box), p1p_card);
  window = window_with (box, 460, 760);
  pd_test_spin (200);

  strips = find_all (h2d_card, PD_TYPE_AMS_STRIP);
  g_assert_cmpuint (strips->len, ==, 1);
  g_assert_true (pd_ams_strip_get_has_ams (g_ptr_array_index (strips, 0)));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (g_ptr_array_index (strips, 0))));
  swatches = find_all (g_ptr_array_index (strips, 0), PD_TYPE_AMS_SWATCH);
  g_assert_cmpuint (swatches->len, >=, 5);
  for (guint i = 0; i < swatches->len; i++)
    {
      PdAmsSwatch *swatch = g_ptr_array_index (swatches, i);

      n_active += pd_ams_swatch_get_active (swatch);
      /* every swatch says what it is */
      g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (swatch)));
    }
  /* the H2D is printing: one slot is fed */
  g_test_message ("H2D active unit %d slot %d", pd_printer_get_active_unit (h2d), pd_printer_get_active_slot (h2d));
  g_assert_cmpuint (n_active, ==, pd_printer_get_active_slot (h2d) >= 0 ? 1 : 0);
  tooltip = gtk_widget_get_tooltip_text (g_ptr_array_index (swatches, 0));
  g_test_message ("first swatch: %s", tooltip);
  g_assert_true (g_str_has_prefix (tooltip, "AMS A, Slot 1: "));

  /* no AMS: no strip at all (the row keeps the P1P's camera button) */
  p1p_strips = find_all (p1p_card, PD_TYPE_AMS_STRIP);
  g_assert_cmpuint (p1p_strips->len, ==, 1);
  g_assert_false (pd_ams_strip_get_has_ams (g_ptr_array_index (p1p_strips, 0)));
  g_assert_false (gtk_widget_get_visible (g_ptr_array_index (p1p_strips, 0)));

  g_object_unref (pd_test_save_screenshot (window, "ams-strip.png"));

  /* the strip opens the AMS view in a popover, made on first use */
  {
    g_autoptr (GPtrArray) buttons = find_all (g_ptr_array_index (strips, 0), GTK_TYPE_MENU_BUTTON);
    g_autoptr (GPtrArray) views = NULL;
    GtkPopover           *popover;

    g_assert_cmpuint (buttons->len, ==, 1);
    g_assert_null (gtk_menu_button_get_popover (g_ptr_array_index (buttons, 0)));
    gtk_menu_button_popup (g_ptr_array_index (buttons, 0));
    pd_test_spin (200);
    popover = gtk_menu_button_get_popover (g_ptr_array_index (buttons, 0));
    g_assert_nonnull (popover);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
    views = find_all (GTK_WIDGET (popover), PD_TYPE_AMS_VIEW);
    g_assert_cmpuint (views->len, ==, 1);
    g_assert_true (pd_ams_view_get_printer (g_ptr_array_index (views, 0)) == h2d);
    gtk_menu_button_popdown (g_ptr_array_index (buttons, 0));
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Deltas move bars and rings; nothing is rebuilt ---------------------------*/

static void
test_live_update (void)
{
  g_autoptr (PdPrinter) printer = printer_from (SERIAL_X1C, "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  GtkWidget            *view = pd_ams_view_new (printer);
  GtkWidget            *window = window_with (view, 640, 1200);
  g_autoptr (GPtrArray) rows_before = NULL;
  g_autoptr (GPtrArray) rows_after = NULL;
  g_autoptr (GPtrArray) bars = NULL;
  g_autoptr (GPtrArray) swatches = NULL;
  g_autofree char      *text = NULL;
  guint                 n_active = 0;

  pd_test_spin (100);
  rows_before = find_all (view, GTK_TYPE_LIST_BOX_ROW);

  /* AMS A slot 1 goes from 93 % to 42 %, and the printer feeds from it
   * (this firmware says so per extruder: snow = unit << 8 | slot)
   */
  pd_test_apply_text (printer, "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"remain\":42}]}],"
                               "\"tray_now\":\"0\",\"tray_tar\":\"0\"},"
                               "\"device\":{\"extruder\":{\"info\":[{\"id\":0,\"snow\":0}],\"state\":1}}}}");
  pd_test_spin (50);

  rows_after = find_all (view, GTK_TYPE_LIST_BOX_ROW);
  g_assert_cmpuint (rows_after->len, ==, rows_before->len);
  for (guint i = 0; i < rows_after->len; i++)
    g_assert_true (g_ptr_array_index (rows_after, i) == g_ptr_array_index (rows_before, i));

  text = pd_test_widget_text (g_ptr_array_index (rows_after, 0));
  assert_contains (text, "|42 %|");
  bars = find_all (g_ptr_array_index (rows_after, 0), GTK_TYPE_LEVEL_BAR);
  g_assert_cmpfloat (gtk_level_bar_get_value (g_ptr_array_index (bars, 0)), ==, 42);

  swatches = find_all (view, PD_TYPE_AMS_SWATCH);
  for (guint i = 0; i < swatches->len; i++)
    n_active += pd_ams_swatch_get_active (g_ptr_array_index (swatches, i));
  g_assert_cmpuint (n_active, ==, 1);
  g_assert_true (pd_ams_swatch_get_active (g_ptr_array_index (swatches, 0)));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ams-view/x1c-four-units", test_x1c_four_units);
  g_test_add_func ("/ams-view/a1-level-only", test_a1_level_only);
  g_test_add_func ("/ams-view/humidity-warning", test_humidity_warning);
  g_test_add_func ("/ams-view/strip", test_strip);
  g_test_add_func ("/ams-view/live-update", test_live_update);

  return g_test_run ();
}
