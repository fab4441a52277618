/* pd-temperature-chart.c — a chart of a printer's recent temperatures
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line per heater over the history's duration (the last hour), the
 * target as a thin dashed line of the same colour, a legend with the
 * current values. Drawn with GtkSnapshot: text and gridlines as render
 * nodes (crisp at any scale), the curves with cairo, as GTK 4.8 has no
 * GskPath yet.
 *
 * The chart is an image to assistive technologies, and its accessible
 * description says the current values in words, so that a screen reader
 * user gets what a glance at the chart gives.
 */

#define G_LOG_DOMAIN "pd-temperature-chart"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "pd-format.h"
#include "pd-temperature-chart.h"

#define MIN_WIDTH  300
#define MIN_HEIGHT 160
#define NAT_WIDTH  480
#define NAT_HEIGHT 220

/* The x axis moves with the clock even when no sample comes: at the natural
 * width a pixel is about 8 s of an hour, so redrawing more often than this
 * would change nothing.
 */
#define REDRAW_SECONDS 10

/* Samples further apart than this are not joined: the printer was silent
 * (the session gives a connection up after 60 s of silence).
 */
#define MIN_GAP (90 * G_USEC_PER_SEC)

#define LINE_WIDTH   2.0
#define TARGET_WIDTH 1.25
#define DOT_RADIUS   3.5
#define SPACING      6.f

struct _PdTemperatureChart
{
  GtkWidget             parent_instance;

  PdTemperatureHistory *history;
  GSignalGroup         *history_signals;
  char                 *summary;
  guint                 redraw_id;
};

G_DEFINE_FINAL_TYPE (PdTemperatureChart, pd_temperature_chart, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_HISTORY,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GNOME palette (HIG), a darker shade on light backgrounds and a lighter
 * one on dark backgrounds, so that each line keeps its contrast in both
 * styles. The hues are far apart, and orange (the nozzle, the hottest) and
 * blue (the bed) stay apart for the common colour-vision deficiencies.
 */
static const struct
{
  guint32 light;
  guint32 dark;
} palette[PD_HISTORY_N_SERIES] = {
  [PD_HISTORY_NOZZLE] = { 0xe66100, 0xffa348 },       /* Orange 4 / 2 */
  [PD_HISTORY_NOZZLE_RIGHT] = { 0x9141ac, 0xdc8add }, /* Purple 3 / 1 */
  [PD_HISTORY_BED] = { 0x1c71d8, 0x62a0ea },          /* Blue 4 / 2 */
  [PD_HISTORY_CHAMBER] = { 0x26a269, 0x57e389 },      /* Green 5 / 2 */
};

/* Legend and drawing order: the nozzles, the most watched, on top. */
static const PdHistorySeries draw_order[] = {
  PD_HISTORY_CHAMBER,
  PD_HISTORY_BED,
  PD_HISTORY_NOZZLE_RIGHT,
  PD_HISTORY_NOZZLE,
};
static const PdHistorySeries legend_order[] = {
  PD_HISTORY_NOZZLE,
  PD_HISTORY_NOZZLE_RIGHT,
  PD_HISTORY_BED,
  PD_HISTORY_CHAMBER,
};

static GdkRGBA
series_color (PdHistorySeries series,
              gboolean        dark)
{
  guint32 rgb = dark ? palette[series].dark : palette[series].light;

  return (GdkRGBA){ (rgb >> 16) / 255.f, ((rgb >> 8) & 0xff) / 255.f, (rgb & 0xff) / 255.f, 1.f };
}

/* What the history holds, as the chart needs it: the samples are a copy,
 * made for one summary or one drawing (the history keeps them compact).
 */
typedef struct
{
  PdHistorySample *samples[PD_HISTORY_N_SERIES];
  guint            n_samples;
  gboolean         present[PD_HISTORY_N_SERIES];
  gboolean         dual_nozzle;
  gint64           newest;
} ChartData;

static void
chart_data_init (PdTemperatureChart *self,
                 ChartData          *data)
{
  *data = (ChartData){ 0 };

  if (self->history == NULL)
    return;

  for (guint s = 0; s < PD_HISTORY_N_SERIES; s++)
    {
      data->samples[s] = pd_temperature_history_dup_samples (self->history, s, &data->n_samples);

      /* A series is shown if it ever had a value: a heater the printer does
       * not have is NAN throughout.
       */
      for (guint i = 0; i < data->n_samples && !data->present[s]; i++)
        data->present[s] = isfinite (data->samples[s][i].current);
    }

  data->dual_nozzle = data->present[PD_HISTORY_NOZZLE_RIGHT];
  if (data->n_samples > 0)
    data->newest = data->samples[0][data->n_samples - 1].time;
}

static void
chart_data_clear (ChartData *data)
{
  for (guint s = 0; s < PD_HISTORY_N_SERIES; s++)
    g_clear_pointer (&data->samples[s], g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ChartData, chart_data_clear)

/* The latest sample of a series that is shown; its values are NAN while
 * the printer is not connected.
 */
static const PdHistorySample *
latest (const ChartData *data,
        PdHistorySeries  series)
{
  if (!data->present[series] || data->n_samples == 0)
    return NULL;

  return &data->samples[series][data->n_samples - 1];
}

static const char *
series_name (PdHistorySeries series,
             gboolean        dual_nozzle)
{
  switch (series)
    {
    case PD_HISTORY_NOZZLE:
      return dual_nozzle ? _("Left nozzle") : _("Nozzle");
    case PD_HISTORY_NOZZLE_RIGHT:
      return _("Right nozzle");
    case PD_HISTORY_BED:
      return _("Bed");
    case PD_HISTORY_CHAMBER:
      return _("Chamber");
    case PD_HISTORY_N_SERIES:
    default:
      g_assert_not_reached ();
    }
}

/* Samples stay in °C; only the words and the axis are in the unit people
 * chose (pd-format.c).
 */
static char *
format_temperature (double celsius)
{
  return pd_format_degrees (celsius);
}

/* "Nozzle 219 °C (target 220 °C). Bed 55 °C (target 55 °C). Chamber 34 °C." */
static char *
build_summary (const ChartData *data)
{
  g_autoptr (GString) summary = g_string_new (NULL);
  gboolean            any = FALSE;

  for (guint s = 0; s < PD_HISTORY_N_SERIES; s++)
    any |= data->present[s];
  if (!any)
    return g_strdup (_("No temperatures recorded yet."));

  for (guint i = 0; i < G_N_ELEMENTS (legend_order); i++)
    {
      PdHistorySeries        series = legend_order[i];
      const PdHistorySample *sample = latest (data, series);
      const char            *name = series_name (series, data->dual_nozzle);
      g_autofree char       *current = NULL;
      g_autofree char       *target = NULL;

      if (sample == NULL || !isfinite (sample->current))
        continue;

      current = format_temperature (sample->current);
      if (summary->len > 0)
        g_string_append_c (summary, ' ');

      if (isfinite (sample->target) && sample->target > 0)
        {
          target = format_temperature (sample->target);
          /* Translators: a heater's name, its temperature and its target, in
           * a chart's description for screen readers: "Nozzle 219 °C
           * (target 220 °C)."
           */
          g_string_append_printf (summary, _("%s %s (target %s)."), name, current, target);
        }
      else if (isfinite (sample->target))
        {
          /* Translators: a heater's name and its temperature: "Bed 24 °C
           * (heater off)."
           */
          g_string_append_printf (summary, _("%s %s (heater off)."), name, current);
        }
      else
        {
          /* Translators: a sensor's name and its temperature: "Chamber 34 °C." */
          g_string_append_printf (summary, _("%s %s."), name, current);
        }
    }

  /* The printer is not connected: the history has a gap now. */
  if (summary->len == 0)
    return g_strdup (_("No current temperatures: the printer is not connected."));

  return g_string_free (g_steal_pointer (&summary), FALSE);
}

static void
update_summary (PdTemperatureChart *self)
{
  g_auto (ChartData) data = { 0 };
  g_autofree char   *summary = NULL;

  chart_data_init (self, &data);
  summary = build_summary (&data);

  if (g_strcmp0 (summary, self->summary) == 0)
    return;

  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary,
                                  -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
}

/* Drawing ---------------------------------------------------------------- */

typedef struct
{
  graphene_rect_t plot;
  gint64          start;
  gint64          span;
  double          top;
} Axes;

static double
axis_x (const Axes *axes,
        gint64      time)
{
  return axes->plot.origin.x + (double) (time - axes->start) / axes->span * axes->plot.size.width;
}

/* @degrees: in the unit shown, as axes->top is */
static double
axis_y_degrees (const Axes *axes,
                double      degrees)
{
  return axes->plot.origin.y + axes->plot.size.height * (1.0 - degrees / axes->top);
}

static double
axis_y (const Axes *axes,
        double      celsius)
{
  return axis_y_degrees (axes, pd_format_celsius_to_unit (celsius));
}

/* The y range: from 0 to the highest value seen (current or target) plus
 * some headroom, in whole steps of a round size, with as many gridlines as
 * the height fits without crowding.
 */
static void
choose_range (double  highest,
              float   plot_height,
              double *top,
              double *step)
{
  static const double steps[] = { 10, 20, 25, 50, 100, 200 };
  guint               max_lines = CLAMP ((guint) (plot_height / 22), 2, 8);
  double              wanted = MAX (highest + MAX (10, highest * 0.1), 50);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      *step = steps[i];
      *top = ceil (wanted / *step) * *step;
      if (*top / *step <= max_lines)
        return;
    }
}

static PangoLayout *
create_layout (GtkWidget  *widget,
               const char *text,
               gboolean    small)
{
  PangoLayout   *layout = gtk_widget_create_pango_layout (widget, text);
  PangoAttrList *attrs = pango_attr_list_new ();

  /* Figures of equal width, so that labels do not wobble as values change. */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  if (small)
    pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  return layout;
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               float          x,
               float          y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
layout_size (PangoLayout *layout,
             int         *width,
             int         *height)
{
  PangoRectangle logical;

  pango_layout_get_pixel_extents (layout, NULL, &logical);
  *width = logical.width;
  *height = logical.height;
}

/* Draws the legend from the top left, wrapping to more rows when narrow.
 * Returns its height.
 */
static float
append_legend (PdTemperatureChart *self,
               GtkSnapshot        *snapshot,
               const ChartData    *data,
               gboolean            dark,
               const GdkRGBA      *fg,
               const GdkRGBA      *dim,
               float               width)
{
  GtkWidget *widget = GTK_WIDGET (self);
  float      x = 0, y = 0, row_height = 0;

  for (guint i = 0; i < G_N_ELEMENTS (legend_order); i++)
    {
      PdHistorySeries         series = legend_order[i];
      const PdHistorySample  *sample = latest (data, series);
      GdkRGBA                 color = series_color (series, dark);
      g_autoptr (PangoLayout) name = NULL;
      g_autoptr (PangoLayout) value = NULL;
      g_autofree char        *text = NULL;
      int                     name_w, name_h, value_w = 0, value_h = 0;
      float                   swatch = 10, entry_w;
      GskRoundedRect          dot;

      if (!data->present[series])
        continue;

      name = create_layout (widget, series_name (series, data->dual_nozzle), FALSE);
      layout_size (name, &name_w, &name_h);
      if (sample != NULL && isfinite (sample->current))
        {
          text = format_temperature (sample->current);
          value = create_layout (widget, text, FALSE);
          layout_size (value, &value_w, &value_h);
        }

      entry_w = swatch + SPACING + name_w + (value != NULL ? SPACING + value_w : 0);
      if (x > 0 && x + entry_w > width)
        {
          x = 0;
          y += row_height + SPACING / 2;
          row_height = 0;
        }

      gsk_rounded_rect_init_from_rect (&dot,
                                       &GRAPHENE_RECT_INIT (x, y + (name_h - swatch) / 2, swatch, swatch),
                                       swatch / 2);
      gtk_snapshot_push_rounded_clip (snapshot, &dot);
      gtk_snapshot_append_color (snapshot, &color, &dot.bounds);
      gtk_snapshot_pop (snapshot);

      append_layout (snapshot, name, x + swatch + SPACING, y, fg);
      if (value != NULL)
        append_layout (snapshot, value, x + swatch + SPACING + name_w + SPACING, y, dim);

      x += entry_w + 3 * SPACING;
      row_height = MAX (row_height, name_h);
    }

  return y + row_height;
}

/* A heater's line: joined samples, broken where the printer was silent or
 * not connected; a lone sample is a dot, the latest one is marked.
 */
static void
draw_current (cairo_t               *cr,
              const Axes            *axes,
              const PdHistorySample *samples,
              guint                  n,
              gint64                 max_gap)
{
  guint  run = 0;
  gint64 previous = 0;
  double x = 0, y = 0;

  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);

  for (guint i = 0; i <= n; i++)
    {
      gboolean valid = i < n && isfinite (samples[i].current) && samples[i].time >= axes->start - max_gap;
      gboolean joined = valid && run > 0 && samples[i].time - previous <= max_gap;

      if (run > 0 && !joined)
        {
          /* The run ends: stroke it, or mark a lone sample. */
          if (run == 1)
            {
              cairo_new_path (cr);
              cairo_arc (cr, x, y, LINE_WIDTH, 0, 2 * G_PI);
              cairo_fill (cr);
            }
          else
            cairo_stroke (cr);
          run = 0;
        }

      if (!valid)
        continue;

      x = axis_x (axes, samples[i].time);
      y = axis_y (axes, samples[i].current);
      if (run == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
      run++;
      previous = samples[i].time;
    }

  if (n > 0 && isfinite (samples[n - 1].current))
    {
      cairo_arc (cr, axis_x (axes, samples[n - 1].time), axis_y (axes, samples[n - 1].current),
                 DOT_RADIUS, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

/* The target as steps: it holds until the next sample says otherwise. A
 * heater that is off (target 0) or has no target draws nothing.
 */
static void
draw_target (cairo_t               *cr,
             const Axes            *axes,
             const PdHistorySample *samples,
             guint                  n,
             gint64                 max_gap)
{
  static const double dashes[] = { 4, 3 };
  gboolean            pen = FALSE;
  double              held = 0;
  gint64              previous = 0;

  cairo_set_line_width (cr, TARGET_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
  cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);

  for (guint i = 0; i < n; i++)
    {
      double   target = samples[i].target;
      gboolean valid = isfinite (target) && target > 0 && samples[i].time >= axes->start - max_gap;
      double   x = axis_x (axes, samples[i].time);

      if (pen && (!valid || samples[i].time - previous > max_gap))
        {
          if (samples[i].time - previous <= max_gap)
            cairo_line_to (cr, x, axis_y (axes, held));
          cairo_stroke (cr);
          pen = FALSE;
        }

      if (!valid)
        continue;

      if (!pen)
        cairo_move_to (cr, x, axis_y (axes, target));
      else
        {
          cairo_line_to (cr, x, axis_y (axes, held));
          cairo_line_to (cr, x, axis_y (axes, target));
        }
      pen = TRUE;
      held = target;
      previous = samples[i].time;
    }

  if (pen)
    cairo_stroke (cr);

  cairo_set_dash (cr, NULL, 0, 0);
}

static void
append_series (PdTemperatureChart *self,
               GtkSnapshot        *snapshot,
               const ChartData    *data,
               const Axes         *axes,
               gboolean            dark)
{
  gint64          max_gap = MIN_GAP;
  graphene_rect_t bounds;
  cairo_t        *cr;

  if (self->history != NULL)
    max_gap = MAX (max_gap, 3 * (gint64) pd_temperature_history_get_interval (self->history) * G_USEC_PER_SEC);

  /* Room above and below for the line's width and the dots; none on the
   * left, where the line runs out of the window.
   */
  graphene_rect_inset_r (&axes->plot, 0, -(DOT_RADIUS + 1), &bounds);
  bounds.size.width += DOT_RADIUS + 1;

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_rectangle (cr, bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height);
  cairo_clip (cr);

  for (guint i = 0; i < G_N_ELEMENTS (draw_order); i++)
    {
      PdHistorySeries series = draw_order[i];
      GdkRGBA         color = series_color (series, dark);

      if (!data->present[series])
        continue;

      cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.8);
      draw_target (cr, axes, data->samples[series], data->n_samples, max_gap);
      gdk_cairo_set_source_rgba (cr, &color);
      draw_current (cr, axes, data->samples[series], data->n_samples, max_gap);
    }

  cairo_destroy (cr);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             float          x,
             float          y,
             float          width,
             float          height)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, width, height));
}

static void
pd_temperature_chart_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  PdTemperatureChart     *self = PD_TEMPERATURE_CHART (widget);
  float                   width = gtk_widget_get_width (widget);
  float                   height = gtk_widget_get_height (widget);
  guint                   minutes = self->history != NULL ? pd_temperature_history_get_duration (self->history) : 60;
  g_autoptr (PangoLayout) probe = NULL;
  g_autoptr (PangoLayout) empty = NULL;
  g_auto (ChartData)      data = { 0 };
  Axes                    axes;
  GdkRGBA                 fg, dim, grid, axis;
  gboolean                dark, any = FALSE;
  double                  highest = 0, step, top;
  float                   legend_h, label_w = 0, plot_top, plot_bottom, left;
  int                     w, h, label_h;

  /* The text colour of the current style (gtk_widget_get_color() is GTK
   * 4.10); light text means a dark background.
   */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dark = 0.2126 * fg.red + 0.7152 * fg.green + 0.0722 * fg.blue > 0.5;
  dim = grid = axis = fg;
  dim.alpha *= 0.55f;
  grid.alpha *= 0.1f;
  axis.alpha *= 0.25f;

  chart_data_init (self, &data);
  axes.span = (gint64) minutes * 60 * G_USEC_PER_SEC;
  axes.start = MAX (g_get_real_time (), data.newest) - axes.span;

  for (guint s = 0; s < PD_HISTORY_N_SERIES; s++)
    {
      if (!data.present[s])
        continue;
      for (guint i = 0; i < data.n_samples; i++)
        {
          const PdHistorySample *sample = &data.samples[s][i];

          if (sample->time < axes.start)
            continue;
          if (isfinite (sample->current))
            {
              highest = MAX (highest, sample->current);
              any = TRUE;
            }
          if (isfinite (sample->target))
            highest = MAX (highest, sample->target);
        }
    }

  legend_h = append_legend (self, snapshot, &data, dark, &fg, &dim, width);

  /* Axis labels: as wide as the widest value label, "250 °C". */
  probe = create_layout (widget, "", TRUE);
  {
    g_autofree char *widest = format_temperature (pd_format_unit_to_celsius (888));

    pango_layout_set_text (probe, widest, -1);
    layout_size (probe, &w, &label_h);
    label_w = w;
  }

  plot_top = (legend_h > 0 ? legend_h + 2 * SPACING : 0) + label_h / 2.f;
  plot_bottom = height - label_h - SPACING;
  left = label_w + SPACING;
  /* Whole pixels, so that 1-pixel gridlines are sharp. */
  axes.plot = GRAPHENE_RECT_INIT (roundf (left), roundf (plot_top),
                                  roundf (width - left - DOT_RADIUS - 1), roundf (plot_bottom - plot_top));
  if (axes.plot.size.width < 10 || axes.plot.size.height < 10)
    return;

  /* Round steps in the unit shown: 100, 200 °F, not 37.8, 93.3 °C. */
  choose_range (pd_format_celsius_to_unit (highest), axes.plot.size.height, &top, &step);
  axes.top = top;

  /* Horizontal gridlines with their values; the 0° baseline stronger. */
  for (double v = 0; v <= top + 0.5; v += step)
    {
      g_autofree char *text = format_temperature (pd_format_unit_to_celsius (v));
      float            y = roundf (axis_y_degrees (&axes, v));

      append_rect (snapshot, v == 0 ? &axis : &grid, axes.plot.origin.x, v == 0 ? y - 1 : y,
                   axes.plot.size.width, 1);
      pango_layout_set_text (probe, text, -1);
      layout_size (probe, &w, &h);
      append_layout (snapshot, probe, left - SPACING - w, y - h / 2.f, &dim);
    }

  /* Time: quarter lines, labels at the start, the middle and now. */
  for (guint q = 1; q < 4; q++)
    append_rect (snapshot, &grid, roundf (axes.plot.origin.x + axes.plot.size.width * q / 4), axes.plot.origin.y,
                 1, axes.plot.size.height);

  for (guint q = 0; q <= 4; q += 2)
    {
      g_autofree char *text = NULL;
      float            x = axes.plot.origin.x + axes.plot.size.width * q / 4;

      if (q == 4)
        text = g_strdup (C_("chart time axis", "now"));
      else
        /* Translators: on a chart's time axis, minutes before now: "−60 min" */
        text = g_strdup_printf (C_("chart time axis", "−%u min"), minutes * (4 - q) / 4);

      pango_layout_set_text (probe, text, -1);
      layout_size (probe, &w, &h);
      if (q == 2)
        x -= w / 2.f;
      else if (q == 4)
        x = axes.plot.origin.x + axes.plot.size.width - w;
      append_layout (snapshot, probe, x, axes.plot.origin.y + axes.plot.size.height + SPACING / 2, &dim);
    }

  if (!any)
    {
      empty = create_layout (widget, data.n_samples == 0 ? _("No temperatures recorded yet")
                                                         : _("No recent temperatures"),
                                                              FALSE);
      layout_size (empty, &w, &h);
      append_layout (snapshot, empty,
                     axes.plot.origin.x + (axes.plot.size.width - w) / 2,
                     axes.plot.origin.y + (axes.plot.size.height - h) / 2, &dim);
      return;
    }

  append_series (self, snapshot, &data, &axes, dark);
}

/* Widget ----------------------------------------------------------------- */

static void
pd_temperature_chart_measure (GtkWidget     *widget,
                              GtkOrientation orientation,
                              int            for_size,
                              int           *minimum,
                              int           *natural,
                              int           *minimum_baseline,
                              int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MIN_WIDTH;
      *natural = NAT_WIDTH;
    }
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = NAT_HEIGHT;
    }
}

/* Colours come from the style: a switch to the dark style repaints. */
static void
pd_temperature_chart_css_changed (GtkWidget         *widget,
                                  GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (pd_temperature_chart_parent_class)->css_changed (widget, change);

  gtk_widget_queue_draw (widget);
}

static gboolean
on_redraw_timeout (gpointer user_data)
{
  gtk_widget_queue_draw (GTK_WIDGET (user_data));

  return G_SOURCE_CONTINUE;
}

/* The clock only moves the chart while it is on screen. */
static void
pd_temperature_chart_map (GtkWidget *widget)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (widget);

  GTK_WIDGET_CLASS (pd_temperature_chart_parent_class)->map (widget);

  if (self->redraw_id == 0)
    self->redraw_id = g_timeout_add_seconds (REDRAW_SECONDS, on_redraw_timeout, self);
}

static void
pd_temperature_chart_unmap (GtkWidget *widget)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (widget);

  g_clear_handle_id (&self->redraw_id, g_source_remove);

  GTK_WIDGET_CLASS (pd_temperature_chart_parent_class)->unmap (widget);
}

static void
on_history_changed (PdTemperatureChart *self)
{
  update_summary (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pd_temperature_chart_dispose (GObject *object)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (object);

  g_clear_handle_id (&self->redraw_id, g_source_remove);
  if (self->history_signals != NULL)
    g_signal_group_set_target (self->history_signals, NULL);
  g_clear_object (&self->history_signals);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (pd_temperature_chart_parent_class)->dispose (object);
}

static void
pd_temperature_chart_finalize (GObject *object)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (object);

  g_free (self->summary);

  G_OBJECT_CLASS (pd_temperature_chart_parent_class)->finalize (object);
}

static void
pd_temperature_chart_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_temperature_chart_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  PdTemperatureChart *self = PD_TEMPERATURE_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      pd_temperature_chart_set_history (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_temperature_chart_class_init (PdTemperatureChartClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_temperature_chart_dispose;
  object_class->finalize = pd_temperature_chart_finalize;
  object_class->get_property = pd_temperature_chart_get_property;
  object_class->set_property = pd_temperature_chart_set_property;

  widget_class->snapshot = pd_temperature_chart_snapshot;
  widget_class->measure = pd_temperature_chart_measure;
  widget_class->css_changed = pd_temperature_chart_css_changed;
  widget_class->map = pd_temperature_chart_map;
  widget_class->unmap = pd_temperature_chart_unmap;

  /**
   * PdTemperatureChart:history:
   *
   * The temperatures to draw.
   */
  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, PD_TYPE_TEMPERATURE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PdTemperatureChart:summary:
   *
   * The current values in words, the chart's accessible description.
   */
  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "temperaturechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
pd_temperature_chart_init (PdTemperatureChart *self)
{
  self->history_signals = g_signal_group_new (PD_TYPE_TEMPERATURE_HISTORY);
  g_signal_group_connect_object (self->history_signals, "changed",
                                 G_CALLBACK (on_history_changed), self, G_CONNECT_SWAPPED);

  /* the description and the drawing say the unit */
  pd_format_watch_temperature_unit (self, G_CALLBACK (on_history_changed));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Temperature history"), -1);
  update_summary (self);
}

/**
 * pd_temperature_chart_new:
 * @history: (nullable): the temperatures to draw
 *
 * Returns: (transfer floating): a new chart
 */
GtkWidget *
pd_temperature_chart_new (PdTemperatureHistory *history)
{
  g_return_val_if_fail (history == NULL || PD_IS_TEMPERATURE_HISTORY (history), NULL);

  return g_object_new (PD_TYPE_TEMPERATURE_CHART, "history", history, NULL);
}

/**
 * pd_temperature_chart_get_history:
 * @self: a chart
 *
 * Returns: (transfer none) (nullable): the history drawn
 */
PdTemperatureHistory *
pd_temperature_chart_get_history (PdTemperatureChart *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_CHART (self), NULL);

  return self->history;
}

void
pd_temperature_chart_set_history (PdTemperatureChart   *self,
                                  PdTemperatureHistory *history)
{
  g_return_if_fail (PD_IS_TEMPERATURE_CHART (self));
  g_return_if_fail (history == NULL || PD_IS_TEMPERATURE_HISTORY (history));

  if (!g_set_object (&self->history, history))
    return;

  g_signal_group_set_target (self->history_signals, history);
  on_history_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

/**
 * pd_temperature_chart_get_summary:
 * @self: a chart
 *
 * Returns: the current values in words, as the accessible description says
 *   them
 */
const char *
pd_temperature_chart_get_summary (PdTemperatureChart *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_CHART (self), NULL);

  return self->summary;
}
