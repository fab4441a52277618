/* test-temperature-chart.c — the temperature chart, drawn under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthetic hours of a real PdPrinter (reports dated by the test), drawn in
 * the light and the dark style and saved to tests/screenshots/ in the build
 * folder, where a reviewer can look at them.
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <adwaita.h>

#include "pd-temperature-chart.h"
#include "pd-report.h"
#include "pd-test-ui.h"

#define SERIAL_X1C "00M00A000000001"
#define SERIAL_H2D "094000000000001"

#define SECOND ((gint64) G_USEC_PER_SEC)
#define MINUTE (60 * SECOND)

/* Helpers -------------------------------------------------------------------*/

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* Applies a push_status report made of @body (with ' for "), received at @now. */
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

/* A heater approaching @target from @from, @elapsed seconds after it was
 * switched on, with a time constant of @tau seconds.
 */
static double
heat (double from,
      double target,
      double elapsed,
      double tau)
{
  if (elapsed <= 0)
    return from;

  return target + (from - target) * exp (-elapsed / tau);
}

/* A small steady wobble, as a PID loop holds a temperature. */
static double
wobble (double seconds,
        double amplitude)
{
  return amplitude * sin (seconds / 23.0) * cos (seconds / 61.0);
}

/* An X1C over the last hour: idle, the bed and then the nozzle heat up, a
 * print runs and warms the chamber. The last sample is now: nozzle 219.4 °C
 * (target 220), bed 55.2 °C (target 55), chamber 34 °C.
 */
static void
feed_x1c (PdPrinter *printer,
          gint64     now)
{
  for (int i = 0; i <= 720; i++)
    {
      double           s = i * 5.0; /* seconds since an hour ago */
      double           bed_target = s >= 600 ? 55 : 0;
      double           nozzle_target = s >= 840 ? 220 : (s >= 600 ? 140 : 0);
      double           bed = heat (26, 55, s - 600, 70) + (s > 900 ? wobble (s, 0.4) : 0);
      double           nozzle = s >= 840 ? heat (heat (27, 140, 240, 25), 220, s - 840, 18) + (s > 960 ? wobble (s, 1.2) : 0)
                                         : heat (27, 140, s - 600, 25);
      double           chamber = 26 + 8 * (1 - exp (-MAX (0, s - 900) / 900.0));
      g_autofree char *body = NULL;

      if (i == 720)
        {
          nozzle = 219.4;
          bed = 55.2;
          chamber = 34;
        }

      body = g_strdup_printf ("'nozzle_temper':%.1f,'nozzle_target_temper':%.0f,"
                              "'bed_temper':%.1f,'bed_target_temper':%.0f,'chamber_temper':%.1f",
                              nozzle, nozzle_target, bed, bed_target, chamber);
      apply_at (printer, body, now - 60 * MINUTE + (gint64) (s * SECOND));
    }
}

/* An H2D over the last hour: both nozzles, a heated chamber, and three
 * minutes with no reports (a Wi-Fi drop).
 */
static void
feed_h2d (PdPrinter *printer,
          gint64     now)
{
  for (int i = 0; i <= 720; i++)
    {
      double           s = i * 5.0;
      int              left_target = s >= 300 ? 220 : 0;
      int              right_target = s >= 1500 ? 260 : (s >= 300 ? 150 : 0);
      int              chamber_target = s >= 300 ? 45 : 0;
      int              left = (int) round (heat (30, 220, s - 300, 20) + (s > 420 ? wobble (s, 1) : 0));
      int              right = (int) round (s >= 1500 ? heat (heat (30, 150, 1200, 20), 260, s - 1500, 22)
                                                      : heat (30, 150, s - 300, 20));
      int              bed = (int) round (heat (28, 100, s - 300, 120));
      int              chamber = (int) round (heat (27, 45, s - 300, 600));
      g_autofree char *body = NULL;

      if (s >= 2400 && s < 2580)
        continue;

      body = g_strdup_printf ("'bed_temper':%d,'bed_target_temper':%d,"
                              "'device':{'extruder':{'state':2,'info':[{'id':0,'temp':%d},{'id':1,'temp':%d}]},"
                              "'ctc':{'info':{'temp':%d,'target':%d}}}",
                              bed, s >= 300 ? 100 : 0, right + (right_target << 16), left + (left_target << 16),
                              chamber, chamber_target);
      apply_at (printer, body, now - 60 * MINUTE + (gint64) (s * SECOND));
    }
}

/* A window showing @chart in a card, as the printer page does. */
static GtkWidget *
show_in_window (GtkWidget *chart,
                int        width,
                int        height)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new ("Temperatures");

  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_margin_top (card, 18);
  gtk_widget_set_margin_bottom (card, 18);
  gtk_widget_set_margin_start (card, 18);
  gtk_widget_set_margin_end (card, 18);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_margin_top (title, 12);
  gtk_widget_set_margin_start (title, 12);
  gtk_widget_set_margin_bottom (title, 12);
  gtk_widget_set_margin_start (chart, 12);
  gtk_widget_set_margin_end (chart, 12);
  gtk_widget_set_margin_bottom (chart, 12);
  gtk_widget_set_vexpand (chart, TRUE);
  gtk_box_append (GTK_BOX (card), title);
  gtk_box_append (GTK_BOX (card), chart);
  adw_window_set_content (ADW_WINDOW (window), card);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);

  gtk_window_present (GTK_WINDOW (window));
  iterate_until (widget_is_mapped, chart);
  pd_test_wait_for_frames (window);

  return window;
}

typedef struct
{
  guint8 r, g, b;
} Pixel;

typedef struct
{
  Pixel  background; /* the commonest colour of the plot area */
  guint  n_drawn;    /* pixels that differ clearly from it */
  guint  n_near[2];  /* pixels close to the colours asked for */
  double luminance;  /* of the background, 0–1 */
} PlotPixels;

static guint
distance (Pixel a,
          Pixel b)
{
  return ABS (a.r - b.r) + ABS (a.g - b.g) + ABS (a.b - b.b);
}

/* Reads the chart's plot area out of a window screenshot. */
static void
read_plot (GdkTexture *texture,
           GtkWidget  *window,
           GtkWidget  *chart,
           const Pixel near[2],
           PlotPixels *out)
{
  int                    w = gdk_texture_get_width (texture);
  int                    h = gdk_texture_get_height (texture);
  g_autofree guint8     *data = g_malloc (w * h * 4);
  g_autoptr (GHashTable) counts = g_hash_table_new (NULL, NULL);
  graphene_rect_t        bounds;
  guint                  best = 0;
  int                    x0, x1, y0, y1;

  *out = (PlotPixels){ { 0 } };
  g_assert_true (gtk_widget_compute_bounds (chart, window, &bounds));
  /* Inside the axes: right of the value labels, below the legend. */
  x0 = bounds.origin.x + 60;
  x1 = bounds.origin.x + bounds.size.width - 10;
  y0 = bounds.origin.y + 40;
  y1 = bounds.origin.y + bounds.size.height - 30;
  g_assert_cmpint (x1 - x0, >, 100);
  g_assert_cmpint (y1 - y0, >, 50);

  /* CAIRO_FORMAT_ARGB32: B, G, R, A in memory on little-endian. */
  gdk_texture_download (texture, data, w * 4);

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = data + y * w * 4 + x * 4;
        guint         key = p[2] << 16 | p[1] << 8 | p[0];
        guint         n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (key))) + 1;

        g_hash_table_insert (counts, GUINT_TO_POINTER (key), GUINT_TO_POINTER (n));
        if (n > best)
          {
            best = n;
            out->background = (Pixel){ p[2], p[1], p[0] };
          }
      }

  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++)
      {
        const guint8 *p = data + y * w * 4 + x * 4;
        Pixel         pixel = { p[2], p[1], p[0] };

        if (distance (pixel, out->background) > 60)
          out->n_drawn++;
        for (guint i = 0; i < 2; i++)
          if (distance (pixel, near[i]) < 40)
            out->n_near[i]++;
      }

  out->luminance = (0.2126 * out->background.r + 0.7152 * out->background.g + 0.0722 * out->background.b) / 255;
}

static void
set_dark (gboolean dark)
{
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
}

/* Tests ---------------------------------------------------------------------*/

static void
assert_drawn (GdkTexture *texture,
              GtkWidget  *window,
              GtkWidget  *chart,
              const Pixel colours[2],
              PlotPixels *pixels)
{
  read_plot (texture, window, chart, colours, pixels);
  g_test_message ("background %02x%02x%02x, %u pixels drawn, %u and %u in the series colours",
                  pixels->background.r, pixels->background.g, pixels->background.b,
                  pixels->n_drawn, pixels->n_near[0], pixels->n_near[1]);

  /* Not blank: lines across the plot, in the series' colours. */
  g_assert_cmpuint (pixels->n_drawn, >, 1000);
  g_assert_cmpuint (pixels->n_near[0], >, 150);
  g_assert_cmpuint (pixels->n_near[1], >, 150);
}

/* The chart draws in both styles, in colours that show on each. */
static void
test_styles (void)
{
  gint64                           now = g_get_real_time ();
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  g_autoptr (GdkTexture)           light = NULL;
  g_autoptr (GdkTexture)           dark = NULL;
  /* The nozzle (orange) and bed (blue) colours of each style. */
  const Pixel                      light_colours[2] = { { 0xe6, 0x61, 0x00 }, { 0x1c, 0x71, 0xd8 } };
  const Pixel                      dark_colours[2] = { { 0xff, 0xa3, 0x48 }, { 0x62, 0xa0, 0xea } };
  PlotPixels                       light_pixels, dark_pixels;
  GtkWidget                       *chart, *window;

  feed_x1c (printer, now);
  chart = pd_temperature_chart_new (history);

  set_dark (FALSE);
  window = show_in_window (chart, 640, 360);
  light = pd_test_save_screenshot (window, "temperature-chart-light.png");
  assert_drawn (light, window, chart, light_colours, &light_pixels);
  g_assert_cmpfloat (light_pixels.luminance, >, 0.8);

  set_dark (TRUE);
  pd_test_wait_for_frames (window);
  dark = pd_test_save_screenshot (window, "temperature-chart-dark.png");
  assert_drawn (dark, window, chart, dark_colours, &dark_pixels);
  g_assert_cmpfloat (dark_pixels.luminance, <, 0.3);

  /* The minimum size still has room for everything. */
  set_dark (FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  chart = pd_temperature_chart_new (history);
  gtk_widget_set_halign (chart, GTK_ALIGN_START);
  window = show_in_window (chart, 100, 100);
  g_assert_cmpint (gtk_widget_get_width (chart), ==, 300);
  g_assert_cmpint (gtk_widget_get_height (chart), >=, 160);
  g_clear_object (&light);
  light = pd_test_save_screenshot (window, "temperature-chart-small.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Two nozzles, a heated chamber and a gap in the reports. */
static void
test_dual_nozzle (void)
{
  gint64                           now = g_get_real_time ();
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_H2D);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  g_autoptr (GdkTexture)           light = NULL;
  g_autoptr (GdkTexture)           dark = NULL;
  /* The right nozzle (purple) and the chamber (green). */
  const Pixel                      light_colours[2] = { { 0x91, 0x41, 0xac }, { 0x26, 0xa2, 0x69 } };
  const Pixel                      dark_colours[2] = { { 0xdc, 0x8a, 0xdd }, { 0x57, 0xe3, 0x89 } };
  PlotPixels                       pixels;
  GtkWidget                       *chart, *window;
  const char                      *summary;

  feed_h2d (printer, now);
  chart = pd_temperature_chart_new (history);

  summary = pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart));
  g_test_message ("%s", summary);
  g_assert_nonnull (strstr (summary, "Left nozzle 220 °C (target 220 °C)."));
  g_assert_nonnull (strstr (summary, "Right nozzle 260 °C (target 260 °C)."));
  g_assert_nonnull (strstr (summary, "Bed 100 °C (target 100 °C)."));
  g_assert_nonnull (strstr (summary, "Chamber 45 °C (target 45 °C)."));

  set_dark (FALSE);
  window = show_in_window (chart, 640, 360);
  light = pd_test_save_screenshot (window, "temperature-chart-h2d-light.png");
  assert_drawn (light, window, chart, light_colours, &pixels);

  set_dark (TRUE);
  pd_test_wait_for_frames (window);
  dark = pd_test_save_screenshot (window, "temperature-chart-h2d-dark.png");
  assert_drawn (dark, window, chart, dark_colours, &pixels);

  set_dark (FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  (*(guint *) data)++;
}

/* The accessible description says the current values, and follows them. */
static void
test_accessible (void)
{
  gint64                           now = g_get_real_time () - 10 * SECOND;
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  GtkWidget                       *chart = g_object_ref_sink (pd_temperature_chart_new (NULL));
  const char                      *summary;
  char                            *error;
  guint                            notified = 0;

  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_LABEL, "Temperature history");
  g_assert_cmpstr (pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart)), ==, "No temperatures recorded yet.");

  feed_x1c (printer, now);
  g_signal_connect (chart, "notify::summary", G_CALLBACK (on_notify), &notified);
  pd_temperature_chart_set_history (PD_TEMPERATURE_CHART (chart), history);
  g_assert_true (pd_temperature_chart_get_history (PD_TEMPERATURE_CHART (chart)) == history);
  g_assert_cmpuint (notified, ==, 1);

  summary = pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart));
  g_assert_cmpstr (summary, ==, "Nozzle 219 °C (target 220 °C). Bed 55 °C (target 55 °C). Chamber 34 °C.");
  error = gtk_test_accessible_check_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary);
  g_assert_null (error);

  /* A new sample: the description follows. */
  apply_at (printer, "'nozzle_temper':231,'nozzle_target_temper':240,'bed_target_temper':0", now + 5 * SECOND);
  g_assert_cmpuint (notified, ==, 2);
  summary = pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart));
  g_assert_cmpstr (summary, ==, "Nozzle 231 °C (target 240 °C). Bed 55 °C (heater off). Chamber 34 °C.");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary);

  /* Not connected: said so. */
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (notified, ==, 3);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "No current temperatures: the printer is not connected.");

  g_assert_finalize_object (chart);
}

/* A printer that has not reported yet: an empty chart that says so. */
static void
test_empty (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  g_autoptr (GdkTexture)           texture = NULL;
  GtkWidget                       *chart = pd_temperature_chart_new (history);
  GtkWidget                       *window;

  window = show_in_window (chart, 480, 280);
  texture = pd_test_save_screenshot (window, "temperature-chart-empty.png");
  g_assert_cmpstr (pd_temperature_chart_get_summary (PD_TEMPERATURE_CHART (chart)), ==, "No temperatures recorded yet.");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_new_destroy (void)
{
  PdPrinter            *printer = pd_printer_new (SERIAL_X1C);
  PdTemperatureHistory *history = pd_temperature_history_new (printer);
  GtkWidget            *chart = g_object_ref_sink (pd_temperature_chart_new (history));
  GtkWidget            *window = show_in_window (chart, 400, 240);

  apply_at (printer, "'nozzle_temper':30", g_get_real_time ());
  pd_test_wait_for_frames (window);

  gtk_window_destroy (GTK_WINDOW (window));
  /* The chart lets go of the history, which holds nothing. */
  g_assert_finalize_object (chart);
  g_assert_finalize_object (history);
  g_assert_finalize_object (printer);
}

int
main (int   argc,
      char *argv[])
{
  /* The suite turns accessibility off (GTK_A11Y=none: there is no AT-SPI
   * bus in the tests); GTK's test context keeps the accessible properties
   * so that they can be checked.
   */
  g_setenv ("GTK_A11Y", "test", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/temperature-chart/styles", test_styles);
  g_test_add_func ("/temperature-chart/dual-nozzle", test_dual_nozzle);
  g_test_add_func ("/temperature-chart/accessible", test_accessible);
  g_test_add_func ("/temperature-chart/empty", test_empty);
  g_test_add_func ("/temperature-chart/new-destroy", test_new_destroy);

  return g_test_run ();
}
