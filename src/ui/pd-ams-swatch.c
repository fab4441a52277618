/* pd-ams-swatch.c — one AMS slot as a dot of its filament's colour
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A filled circle in the spool's colour; near-white, near-black (in the dark
 * style) and transparent filaments get an outline so they stand out from the
 * card; transparent ones sit on a checkerboard. An empty slot is a dashed
 * ring, a spool the AMS could not identify a grey dot with "?". The slot the
 * printer feeds from has a ring in the accent colour. The tooltip and the
 * accessible label say the same in words.
 *
 * Without a tray, a swatch shows a filament of a job's file (see
 * pd_ams_swatch_new_for_filament()): the same dot, for a colour that no
 * slot holds.
 */

#define G_LOG_DOMAIN "pd-ams-swatch"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "pd-ams-swatch.h"
#include "pd-widget-util.h"
#include "pd-format.h"

#define RING_GAP   2
#define RING_WIDTH 2

struct _PdAmsSwatch
{
  GtkWidget     parent_instance;

  PdAmsTray    *tray;
  GSignalGroup *tray_signals;
  char         *slot_name;
  gboolean      active;
  int           size;
  int           unit_id; /* -1: an external spool */
  char         *material; /* without a tray: the filament's */
  char         *color;
};

G_DEFINE_FINAL_TYPE (PdAmsSwatch, pd_ams_swatch, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_TRAY,
  PROP_SLOT_NAME,
  PROP_ACTIVE,
  PROP_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static double
luminance (const GdkRGBA *color)
{
  return 0.2126 * color->red + 0.7152 * color->green + 0.0722 * color->blue;
}

static void
update_text (PdAmsSwatch *self)
{
  g_autofree char *summary = NULL;

  if (self->tray == NULL)
    {
      /* a job's filament: the slot name is the whole description */
      pd_widget_set_tooltip (GTK_WIDGET (self), self->slot_name);
      if (self->slot_name != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->slot_name, -1);
      return;
    }

  summary = pd_format_tray_summary (self->slot_name != NULL ? self->slot_name : "",
                                    pd_ams_tray_get_present (self->tray),
                                    pd_ams_tray_get_material (self->tray),
                                    pd_ams_tray_get_name (self->tray),
                                    pd_ams_tray_get_remaining_percent (self->tray));
  pd_widget_set_tooltip (GTK_WIDGET (self), summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, summary, -1);
}

static void
on_tray_changed (PdAmsSwatch *self)
{
  update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pd_ams_swatch_measure (GtkWidget     *widget,
                       GtkOrientation orientation,
                       int            for_size,
                       int           *minimum,
                       int           *natural,
                       int           *minimum_baseline,
                       int           *natural_baseline)
{
  PdAmsSwatch *self = PD_AMS_SWATCH (widget);

  *minimum = *natural = self->size + 2 * (RING_GAP + RING_WIDTH);
}

static void
circle (cairo_t *cr,
        double   cx,
        double   cy,
        double   radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, cx, cy, radius, 0, 2 * G_PI);
}

static void
pd_ams_swatch_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  PdAmsSwatch     *self = PD_AMS_SWATCH (widget);
  int              width = gtk_widget_get_width (widget);
  int              height = gtk_widget_get_height (widget);
  double           cx = width / 2.0, cy = height / 2.0;
  double           radius = self->size / 2.0;
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  GdkRGBA          fg, accent, fill;
  cairo_t         *cr;
  gboolean         present = self->tray != NULL ? pd_ams_tray_get_present (self->tray) : self->material != NULL;
  const char      *color = self->tray != NULL ? pd_ams_tray_get_color (self->tray) : self->color;
  const char      *material = self->tray != NULL ? pd_ams_tray_get_material (self->tray) : self->material;

  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_color", &accent))
    accent = (GdkRGBA){ 0.21, 0.52, 0.89, 1.0 };

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_line_width (cr, 1);

  if (self->active)
    {
      gdk_cairo_set_source_rgba (cr, &accent);
      cairo_set_line_width (cr, RING_WIDTH);
      circle (cr, cx, cy, radius + RING_GAP + RING_WIDTH / 2.0);
      cairo_stroke (cr);
      cairo_set_line_width (cr, 1);
    }

  if (!present)
    {
      /* an empty slot: a dashed ring */
      const double dash[] = { 2.5, 2.5 };

      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.45);
      circle (cr, cx, cy, radius - 0.5);
      cairo_stroke (cr);
      cairo_destroy (cr);
      return;
    }

  if (material == NULL || color == NULL || !gdk_rgba_parse (&fill, color))
    {
      /* a spool the AMS could not identify */
      PangoLayout *layout;
      int          text_width, text_height;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
      circle (cr, cx, cy, radius);
      cairo_fill (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.4);
      circle (cr, cx, cy, radius - 0.5);
      cairo_stroke (cr);

      layout = gtk_widget_create_pango_layout (widget, "?");
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      cairo_move_to (cr, cx - text_width / 2.0, cy - text_height / 2.0);
      gdk_cairo_set_source_rgba (cr, &fg);
      pango_cairo_show_layout (cr, layout);
      g_object_unref (layout);
      cairo_destroy (cr);
      return;
    }

  if (fill.alpha < 0.99)
    {
      /* transparent filament: on a small checkerboard */
      double cell = MAX (3.0, radius / 2.5);

      cairo_save (cr);
      circle (cr, cx, cy, radius);
      cairo_clip (cr);
      cairo_set_source_rgb (cr, 0.85, 0.85, 0.85);
      cairo_paint (cr);
      cairo_set_source_rgb (cr, 0.6, 0.6, 0.6);
      for (double y = cy - radius; y < cy + radius; y += cell)
        for (double x = cx - radius; x < cx + radius; x += cell)
          if (((int) floor ((x - cx + radius) / cell) + (int) floor ((y - cy + radius) / cell)) % 2 == 0)
            cairo_rectangle (cr, x, y, cell, cell);
      cairo_fill (cr);
      cairo_restore (cr);
    }

  gdk_cairo_set_source_rgba (cr, &fill);
  circle (cr, cx, cy, radius);
  cairo_fill (cr);

  /* An outline where the colour would melt into the card: the card is
   * light when the text is dark, and the other way round.
   */
  if (fill.alpha < 0.6 || fabs (luminance (&fill) - (1.0 - luminance (&fg))) < 0.25)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.45);
      circle (cr, cx, cy, radius - 0.5);
      cairo_stroke (cr);
    }

  cairo_destroy (cr);
}

static void
pd_ams_swatch_dispose (GObject *object)
{
  PdAmsSwatch *self = PD_AMS_SWATCH (object);

  if (self->tray_signals != NULL)
    g_signal_group_set_target (self->tray_signals, NULL);
  g_clear_object (&self->tray_signals);
  g_clear_object (&self->tray);

  G_OBJECT_CLASS (pd_ams_swatch_parent_class)->dispose (object);
}

static void
pd_ams_swatch_finalize (GObject *object)
{
  PdAmsSwatch *self = PD_AMS_SWATCH (object);

  g_free (self->slot_name);
  g_free (self->material);
  g_free (self->color);

  G_OBJECT_CLASS (pd_ams_swatch_parent_class)->finalize (object);
}

static void
pd_ams_swatch_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PdAmsSwatch *self = PD_AMS_SWATCH (object);

  switch (prop_id)
    {
    case PROP_TRAY:
      g_value_set_object (value, self->tray);
      break;

    case PROP_SLOT_NAME:
      g_value_set_string (value, self->slot_name);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;

    case PROP_SIZE:
      g_value_set_int (value, self->size);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_swatch_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PdAmsSwatch *self = PD_AMS_SWATCH (object);

  switch (prop_id)
    {
    case PROP_TRAY:
      if (g_set_object (&self->tray, g_value_get_object (value)))
        {
          g_signal_group_set_target (self->tray_signals, self->tray);
          on_tray_changed (self);
        }
      break;

    case PROP_SLOT_NAME:
      g_free (self->slot_name);
      self->slot_name = g_value_dup_string (value);
      update_text (self);
      break;

    case PROP_ACTIVE:
      pd_ams_swatch_set_active (self, g_value_get_boolean (value));
      break;

    case PROP_SIZE:
      self->size = g_value_get_int (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_swatch_class_init (PdAmsSwatchClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags     flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_ams_swatch_dispose;
  object_class->finalize = pd_ams_swatch_finalize;
  object_class->get_property = pd_ams_swatch_get_property;
  object_class->set_property = pd_ams_swatch_set_property;

  widget_class->measure = pd_ams_swatch_measure;
  widget_class->snapshot = pd_ams_swatch_snapshot;

  properties[PROP_TRAY] = g_param_spec_object ("tray", NULL, NULL, PD_TYPE_AMS_TRAY, flags);
  /**
   * PdAmsSwatch:slot-name:
   *
   * How the tooltip names the slot: "AMS A, Slot 2".
   */
  properties[PROP_SLOT_NAME] = g_param_spec_string ("slot-name", NULL, NULL, NULL, flags);
  /**
   * PdAmsSwatch:active:
   *
   * The printer feeds from this slot.
   */
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, flags);
  properties[PROP_SIZE] = g_param_spec_int ("size", NULL, NULL, 8, 64, 16, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "amsswatch");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
pd_ams_swatch_init (PdAmsSwatch *self)
{
  self->size = 16;
  self->unit_id = -1;
  self->tray_signals = g_signal_group_new (PD_TYPE_AMS_TRAY);
  g_signal_group_connect_swapped (self->tray_signals, "notify", G_CALLBACK (on_tray_changed), self);
}

/**
 * pd_ams_swatch_new:
 * @tray: the slot
 * @slot_name: how to name it in words
 * @size: the circle's diameter in pixels
 *
 * Returns: (transfer floating): a swatch
 */
GtkWidget *
pd_ams_swatch_new (PdAmsTray  *tray,
                   const char *slot_name,
                   int         size)
{
  return g_object_new (PD_TYPE_AMS_SWATCH, "tray", tray, "slot-name", slot_name, "size", size, NULL);
}

/**
 * pd_ams_swatch_new_for_filament:
 * @material: the filament's type, "PLA"
 * @color: (nullable): "#RRGGBBAA", %NULL when not known (a grey dot with "?")
 * @description: what the tooltip and the accessible label say
 * @size: the circle's diameter in pixels
 *
 * A dot for a filament that no slot holds, e.g. one of a job's file.
 *
 * Returns: (transfer floating): a swatch
 */
GtkWidget *
pd_ams_swatch_new_for_filament (const char *material,
                                const char *color,
                                const char *description,
                                int         size)
{
  PdAmsSwatch *self;

  g_return_val_if_fail (material != NULL, NULL);

  self = g_object_new (PD_TYPE_AMS_SWATCH, "size", size, NULL);
  self->material = g_strdup (material);
  self->color = g_strdup (color);
  g_object_set (self, "slot-name", description, NULL);

  return GTK_WIDGET (self);
}

PdAmsTray *
pd_ams_swatch_get_tray (PdAmsSwatch *self)
{
  g_return_val_if_fail (PD_IS_AMS_SWATCH (self), NULL);

  return self->tray;
}

gboolean
pd_ams_swatch_get_active (PdAmsSwatch *self)
{
  g_return_val_if_fail (PD_IS_AMS_SWATCH (self), FALSE);

  return self->active;
}

void
pd_ams_swatch_set_active (PdAmsSwatch *self,
                          gboolean     active)
{
  g_return_if_fail (PD_IS_AMS_SWATCH (self));

  active = !!active;
  if (self->active == active)
    return;

  self->active = active;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
ring_active (GtkWidget *widget,
             int        unit,
             int        slot)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (PD_IS_AMS_SWATCH (child))
        {
          PdAmsSwatch *swatch = PD_AMS_SWATCH (child);

          pd_ams_swatch_set_active (swatch, slot >= 0 && swatch->unit_id == unit && swatch->tray != NULL &&
                                              pd_ams_tray_get_slot (swatch->tray) == slot);
        }
      else
        ring_active (child, unit, slot);
    }
}

/**
 * pd_ams_swatch_ring_active:
 * @container: a widget holding swatches (at any depth)
 * @printer: (nullable): the printer they belong to
 *
 * Rings the swatch of the slot @printer feeds from, and no other.
 */
void
pd_ams_swatch_ring_active (GtkWidget *container,
                           PdPrinter *printer)
{
  g_return_if_fail (GTK_IS_WIDGET (container));

  ring_active (container,
               printer != NULL ? pd_printer_get_active_unit (printer) : -1,
               printer != NULL ? pd_printer_get_active_slot (printer) : -1);
}

/**
 * pd_ams_swatch_set_unit_id:
 * @self: a swatch
 * @unit_id: the id of the AMS unit its slot is in, -1 for an external spool
 */
void
pd_ams_swatch_set_unit_id (PdAmsSwatch *self,
                           int          unit_id)
{
  g_return_if_fail (PD_IS_AMS_SWATCH (self));

  self->unit_id = unit_id;
}
