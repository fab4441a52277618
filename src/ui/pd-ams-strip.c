/* pd-ams-strip.c — a card's row of filament swatches
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One swatch per slot, grouped by unit, then the external spool(s); the slot
 * the printer feeds from is ringed; a drop shows next to a unit whose
 * humidity is fair or high. It is a button: the popover shows the AMS view.
 * The popover is made the first time it opens, so a farm of a hundred cards
 * does not carry a hundred hidden views.
 */

#define G_LOG_DOMAIN "pd-ams-strip"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-ams-strip.h"
#include "pd-widget-util.h"
#include "pd-ams-swatch.h"
#include "pd-ams-view.h"
#include "pd-format.h"
#include "pd-ams-unit.h"

#define SWATCH_SIZE 16

struct _PdAmsStrip
{
  GtkWidget     parent_instance;

  PdPrinter    *printer;
  GSignalGroup *printer_signals;
  GSignalGroup *units_signals;
  GSignalGroup *external_signals;
  guint         humidity_fair;
  guint         humidity_high;
  gboolean      has_ams;

  GtkWidget    *button;
  GtkWidget    *box;
};

G_DEFINE_FINAL_TYPE (PdAmsStrip, pd_ams_strip, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_PRINTER,
  PROP_HUMIDITY_FAIR,
  PROP_HUMIDITY_HIGH,
  PROP_HAS_AMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      else
        collect (child, type, found);
    }
}

/* The button's tooltip and accessible description: every slot in words. */
static void
update_summary (PdAmsStrip *self)
{
  g_autoptr (GPtrArray) swatches = g_ptr_array_new ();
  g_autoptr (GString)   summary = g_string_new (NULL);

  collect (self->box, PD_TYPE_AMS_SWATCH, swatches);
  for (guint i = 0; i < swatches->len; i++)
    {
      const char *text = gtk_widget_get_tooltip_text (g_ptr_array_index (swatches, i));

      if (text != NULL)
        g_string_append_printf (summary, "%s%s", summary->len > 0 ? "\n" : "", text);
    }

  pd_widget_set_tooltip (self->button, summary->str);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary->str,
                                  -1);
}

static void
update_active (PdAmsStrip *self)
{
  pd_ams_swatch_ring_active (self->box, self->printer);
}

/* The drop next to a unit: visible while its humidity is fair or high. */
static void
update_drop (GtkWidget *drop)
{
  PdAmsStrip      *self = PD_AMS_STRIP (gtk_widget_get_ancestor (drop, PD_TYPE_AMS_STRIP));
  PdAmsUnit       *unit = g_object_get_data (G_OBJECT (drop), "pd-unit");
  PdHumidity       level;
  g_autofree char *value = NULL;
  g_autofree char *text = NULL;
  const char      *levels[] = { "fair", "high" };

  if (self == NULL)
    return;

  level = pd_ams_unit_get_humidity (unit, self->humidity_fair, self->humidity_high);
  gtk_widget_set_visible (drop, level == PD_HUMIDITY_FAIR || level == PD_HUMIDITY_HIGH);
  pd_widget_set_style_class (drop, levels, G_N_ELEMENTS (levels),
                             level == PD_HUMIDITY_HIGH ? "high" : level == PD_HUMIDITY_FAIR ? "fair" : NULL);
  if (level != PD_HUMIDITY_FAIR && level != PD_HUMIDITY_HIGH)
    return;

  value = pd_format_humidity (pd_ams_unit_get_humidity_percent (unit), pd_ams_unit_get_humidity_level (unit));
  /* TRANSLATORS: "AMS A: Humidity high (65 %)" */
  text = g_strdup_printf (_("%s: %s (%s)"), pd_ams_unit_get_name (unit), pd_humidity_to_label (level),
                             value != NULL ? value : "?");
  pd_widget_set_tooltip (drop, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
update_drops (PdAmsStrip *self)
{
  g_autoptr (GPtrArray) images = g_ptr_array_new ();

  collect (self->box, GTK_TYPE_IMAGE, images);
  for (guint i = 0; i < images->len; i++)
    update_drop (g_ptr_array_index (images, i));
}

static void
add_swatches (PdAmsStrip *self,
              GtkWidget  *group,
              GListModel *trays,
              const char *unit_name,
              int         unit_id)
{
  gboolean dual = pd_printer_get_nozzle_right (self->printer) != NULL;

  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    {
      g_autoptr (PdAmsTray) tray = g_list_model_get_item (trays, i);
      g_autofree char      *slot = pd_format_slot_name (pd_ams_tray_get_slot (tray), dual);
      g_autofree char      *name = unit_name != NULL ? g_strdup_printf ("%s, %s", unit_name, slot) : g_strdup (slot);
      GtkWidget            *swatch = pd_ams_swatch_new (tray, name, SWATCH_SIZE);

      pd_ams_swatch_set_unit_id (PD_AMS_SWATCH (swatch), unit_id);
      g_signal_connect_object (tray, "notify", G_CALLBACK (update_summary), self, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (group), swatch);
    }
}

static void
rebuild (PdAmsStrip *self)
{
  GListModel *units = self->printer != NULL ? pd_printer_get_ams_units (self->printer) : NULL;
  GListModel *external = self->printer != NULL ? pd_printer_get_ams_external (self->printer) : NULL;
  GtkWidget  *child;
  gboolean    has_ams = units != NULL && g_list_model_get_n_items (units) > 0;

  while ((child = gtk_widget_get_first_child (self->box)) != NULL)
    gtk_box_remove (GTK_BOX (self->box), child);

  for (guint i = 0; has_ams && i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);
      GtkWidget            *group = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      GtkWidget            *drop = gtk_image_new_from_icon_name ("weather-showers-symbolic");

      gtk_widget_add_css_class (group, "ams-strip-unit");
      add_swatches (self, group, pd_ams_unit_get_trays (unit), pd_ams_unit_get_name (unit), pd_ams_unit_get_id (unit));
      gtk_widget_add_css_class (drop, "humidity-drop");
      g_object_set_data_full (G_OBJECT (drop), "pd-unit", g_object_ref (unit), g_object_unref);
      g_signal_connect_object (unit, "notify", G_CALLBACK (update_drop), drop, G_CONNECT_SWAPPED);
      gtk_box_append (GTK_BOX (group), drop);
      gtk_box_append (GTK_BOX (self->box), group);
    }

  /* The external spool goes with an AMS; a printer without one shows no
   * strip at all.
   */
  if (has_ams && external != NULL && g_list_model_get_n_items (external) > 0)
    {
      GtkWidget *group = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

      gtk_widget_add_css_class (group, "ams-strip-unit");
      add_swatches (self, group, external, NULL, -1);
      gtk_box_append (GTK_BOX (self->box), group);
    }

  update_drops (self);
  update_active (self);
  update_summary (self);

  if (self->has_ams != has_ams)
    {
      self->has_ams = has_ams;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_AMS]);
    }
}

/* The popover's view, made on first use. */
static void
create_popup (GtkMenuButton *button,
              gpointer       data)
{
  PdAmsStrip *self = data;
  GtkPopover *popover = gtk_menu_button_get_popover (button);
  GtkWidget  *scrolled;
  GtkWidget  *view;

  if (popover == NULL)
    {
      popover = GTK_POPOVER (gtk_popover_new ());
      gtk_menu_button_set_popover (button, GTK_WIDGET (popover));
    }
  if (gtk_popover_get_child (popover) != NULL)
    return;

  view = pd_ams_view_new (self->printer);
  g_object_bind_property (self, "humidity-fair", view, "humidity-fair", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "humidity-high", view, "humidity-high", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "printer", view, "printer", G_BINDING_DEFAULT);
  gtk_widget_set_margin_top (view, 6);
  gtk_widget_set_margin_bottom (view, 6);
  gtk_widget_set_margin_start (view, 6);
  gtk_widget_set_margin_end (view, 6);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 560);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), 440);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_popover_set_child (popover, scrolled);
}

/* GObject -------------------------------------------------------------------------*/

static void
pd_ams_strip_dispose (GObject *object)
{
  PdAmsStrip *self = PD_AMS_STRIP (object);

  g_clear_object (&self->printer_signals);
  g_clear_object (&self->units_signals);
  g_clear_object (&self->external_signals);
  g_clear_object (&self->printer);
  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (pd_ams_strip_parent_class)->dispose (object);
}

static void
pd_ams_strip_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PdAmsStrip *self = PD_AMS_STRIP (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    case PROP_HUMIDITY_FAIR:
      g_value_set_uint (value, self->humidity_fair);
      break;

    case PROP_HUMIDITY_HIGH:
      g_value_set_uint (value, self->humidity_high);
      break;

    case PROP_HAS_AMS:
      g_value_set_boolean (value, self->has_ams);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_strip_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PdAmsStrip *self = PD_AMS_STRIP (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      pd_ams_strip_set_printer (self, g_value_get_object (value));
      break;

    case PROP_HUMIDITY_FAIR:
      self->humidity_fair = g_value_get_uint (value);
      update_drops (self);
      g_object_notify_by_pspec (object, pspec);
      break;

    case PROP_HUMIDITY_HIGH:
      self->humidity_high = g_value_get_uint (value);
      update_drops (self);
      g_object_notify_by_pspec (object, pspec);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_strip_class_init (PdAmsStripClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags     flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_ams_strip_dispose;
  object_class->get_property = pd_ams_strip_get_property;
  object_class->set_property = pd_ams_strip_set_property;

  properties[PROP_PRINTER] = g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER, flags);
  properties[PROP_HUMIDITY_FAIR] =
    g_param_spec_uint ("humidity-fair", NULL, NULL, 0, 100, PD_HUMIDITY_DEFAULT_FAIR, flags);
  properties[PROP_HUMIDITY_HIGH] =
    g_param_spec_uint ("humidity-high", NULL, NULL, 0, 100, PD_HUMIDITY_DEFAULT_HIGH, flags);
  /**
   * PdAmsStrip:has-ams:
   *
   * The printer has at least one AMS unit; without one the strip shows
   * nothing and its owner hides it.
   */
  properties[PROP_HAS_AMS] =
    g_param_spec_boolean ("has-ams", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "amsstrip");
}

static void
pd_ams_strip_init (PdAmsStrip *self)
{
  self->humidity_fair = PD_HUMIDITY_DEFAULT_FAIR;
  self->humidity_high = PD_HUMIDITY_DEFAULT_HIGH;

  self->button = gtk_menu_button_new ();
  gtk_widget_add_css_class (self->button, "flat");
  gtk_widget_set_halign (self->button, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Filament"), -1);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->button), create_popup, self, NULL);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_menu_button_set_child (GTK_MENU_BUTTON (self->button), self->box);

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->printer_signals, "notify::active-unit", G_CALLBACK (update_active), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::active-slot", G_CALLBACK (update_active), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::nozzle-right", G_CALLBACK (rebuild), self);

  self->units_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->units_signals, "items-changed", G_CALLBACK (rebuild), self);
  self->external_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->external_signals, "items-changed", G_CALLBACK (rebuild), self);
}

GtkWidget *
pd_ams_strip_new (void)
{
  return g_object_new (PD_TYPE_AMS_STRIP, NULL);
}

PdPrinter *
pd_ams_strip_get_printer (PdAmsStrip *self)
{
  g_return_val_if_fail (PD_IS_AMS_STRIP (self), NULL);

  return self->printer;
}

void
pd_ams_strip_set_printer (PdAmsStrip *self,
                          PdPrinter  *printer)
{
  g_return_if_fail (PD_IS_AMS_STRIP (self));
  g_return_if_fail (printer == NULL || PD_IS_PRINTER (printer));

  if (!g_set_object (&self->printer, printer))
    return;

  g_signal_group_set_target (self->printer_signals, printer);
  g_signal_group_set_target (self->units_signals, printer != NULL ? pd_printer_get_ams_units (printer) : NULL);
  g_signal_group_set_target (self->external_signals, printer != NULL ? pd_printer_get_ams_external (printer) : NULL);
  rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER]);
}

gboolean
pd_ams_strip_get_has_ams (PdAmsStrip *self)
{
  g_return_val_if_fail (PD_IS_AMS_STRIP (self), FALSE);

  return self->has_ams;
}
