/* pd-ams-view.c — a printer's AMS units and spools in detail
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Per unit: its name and type, the nozzle it feeds (dual-nozzle printers),
 * humidity (the percent where the unit measures it, else Bambu's 1–5 level,
 * never as a percent), temperature and drying; per slot: the colour, the
 * material and filament name, how much is left (or "Unknown" for spools the
 * AMS does not track), the nozzle temperature range and the drying advice.
 * Then the external spool(s).
 *
 * Widgets are made once per unit and per slot and follow their objects'
 * notify signals: a report that changes one spool's remaining amount changes
 * one bar, it does not rebuild anything.
 */

#define G_LOG_DOMAIN "pd-ams-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "pd-ams-swatch.h"
#include "pd-ams-view.h"
#include "pd-enums.h"
#include "pd-format.h"
#include "pd-ams-unit.h"

struct _PdAmsView
{
  GtkWidget     parent_instance;

  PdPrinter    *printer;
  GSignalGroup *printer_signals;
  GSignalGroup *units_signals;
  GSignalGroup *external_signals;
  guint         humidity_fair;
  guint         humidity_high;

  GtkWidget    *box;
  GtkWidget    *units_box;
  GtkWidget    *external_box;
  GtkListBox   *external_list;
};

G_DEFINE_FINAL_TYPE (PdAmsView, pd_ams_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_PRINTER,
  PROP_HUMIDITY_FAIR,
  PROP_HUMIDITY_HIGH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_dual_nozzle (PdAmsView *self)
{
  return self->printer != NULL && pd_printer_get_nozzle_right (self->printer) != NULL;
}

static GtkWidget *
label_new (const char *text,
           const char *style_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (style_class != NULL)
    gtk_widget_add_css_class (label, style_class);

  return label;
}

static void
set_label (GtkWidget  *label,
           const char *text)
{
  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "");
  gtk_widget_set_visible (label, text != NULL && *text != '\0');
}

/* Slots --------------------------------------------------------------------------*/

typedef struct
{
  char      *slot; /* "Slot 1": the unit is the section's heading */
  GtkWidget *swatch;
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *bar;
  GtkWidget *remaining;
} TrayRow;

static void
tray_row_free (gpointer data)
{
  TrayRow *parts = data;

  g_free (parts->slot);
  g_free (parts);
}

static void
update_tray_row (GtkWidget *row)
{
  TrayRow            *parts = g_object_get_data (G_OBJECT (row), "pd-tray-row");
  PdAmsTray          *tray = pd_ams_swatch_get_tray (PD_AMS_SWATCH (parts->swatch));
  const char         *material = pd_ams_tray_get_material (tray);
  const char         *name = pd_ams_tray_get_name (tray);
  int                 remaining = pd_ams_tray_get_remaining_percent (tray);
  g_autofree char    *title = NULL;
  g_autofree char    *range = NULL;
  g_autofree char    *advice = NULL;
  g_autofree char    *amount = NULL;
  g_autoptr (GString) subtitle = g_string_new (NULL);
  g_autofree char    *slot_name = NULL;

  g_object_get (parts->swatch, "slot-name", &slot_name, NULL);
  g_string_append (subtitle, parts->slot);

  if (!pd_ams_tray_get_present (tray))
    title = g_strdup (C_("AMS slot", "Empty"));
  else if (material == NULL)
    title = g_strdup (_("Unknown spool"));
  else if (name != NULL && g_strcmp0 (name, material) != 0)
    /* TRANSLATORS: material and filament name, "PLA · Bambu PLA Basic" */
    title = g_strdup_printf (_("%s · %s"), material, name);
  else
    title = g_strdup (material);
  gtk_label_set_label (GTK_LABEL (parts->title), title);

  if (pd_ams_tray_get_present (tray) && material != NULL)
    {
      range = pd_format_nozzle_range (pd_ams_tray_get_nozzle_temp_min (tray), pd_ams_tray_get_nozzle_temp_max (tray));
      advice = pd_format_drying_advice (pd_ams_tray_get_drying_temperature (tray),
                                        pd_ams_tray_get_drying_hours (tray));
      if (range != NULL)
        g_string_append_printf (subtitle, " · %s", range);
      if (advice != NULL)
        g_string_append_printf (subtitle, " · %s", advice);
    }
  gtk_label_set_label (GTK_LABEL (parts->subtitle), subtitle->str);

  /* A bar only for spools the AMS tracks; "Unknown" for the others. */
  gtk_widget_set_visible (parts->bar, pd_ams_tray_get_present (tray) && material != NULL && remaining >= 0);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (parts->bar), CLAMP (remaining, 0, 100));
  amount = pd_format_remaining (remaining);
  {
    g_autofree char *summary = pd_format_tray_summary (slot_name, pd_ams_tray_get_present (tray), material, name, remaining);

    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, summary, -1);
  }
  set_label (parts->remaining, pd_ams_tray_get_present (tray) && material != NULL ? amount : NULL);
}

static GtkWidget *
create_tray_row (PdAmsView  *self,
                 PdAmsTray  *tray,
                 const char *unit_name,
                 int         unit_id)
{
  GtkWidget       *row = gtk_list_box_row_new ();
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget       *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  TrayRow         *parts = g_new0 (TrayRow, 1);
  g_autofree char *slot = pd_format_slot_name (pd_ams_tray_get_slot (tray), is_dual_nozzle (self));
  g_autofree char *slot_name = unit_name != NULL ? g_strdup_printf ("%s, %s", unit_name, slot) : g_strdup (slot);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  parts->swatch = pd_ams_swatch_new (tray, slot_name, 28);
  pd_ams_swatch_set_unit_id (PD_AMS_SWATCH (parts->swatch), unit_id);
  gtk_widget_set_valign (parts->swatch, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), parts->swatch);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  parts->title = label_new (NULL, NULL);
  gtk_label_set_ellipsize (GTK_LABEL (parts->title), PANGO_ELLIPSIZE_END);
  parts->subtitle = label_new (NULL, "dim-label");
  gtk_widget_add_css_class (parts->subtitle, "caption");
  gtk_label_set_wrap (GTK_LABEL (parts->subtitle), TRUE);
  gtk_box_append (GTK_BOX (text), parts->title);
  gtk_box_append (GTK_BOX (text), parts->subtitle);
  gtk_box_append (GTK_BOX (box), text);

  parts->bar = gtk_level_bar_new_for_interval (0, 100);
  gtk_level_bar_set_mode (GTK_LEVEL_BAR (parts->bar), GTK_LEVEL_BAR_MODE_CONTINUOUS);
  /* one colour, and the warning colour at 10 % and less */
  gtk_level_bar_remove_offset_value (GTK_LEVEL_BAR (parts->bar), GTK_LEVEL_BAR_OFFSET_FULL);
  gtk_level_bar_add_offset_value (GTK_LEVEL_BAR (parts->bar), GTK_LEVEL_BAR_OFFSET_LOW, 10);
  gtk_level_bar_add_offset_value (GTK_LEVEL_BAR (parts->bar), GTK_LEVEL_BAR_OFFSET_HIGH, 100);
  gtk_widget_set_size_request (parts->bar, 80, -1);
  gtk_widget_set_valign (parts->bar, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (parts->bar), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Filament left"), -1);
  gtk_box_append (GTK_BOX (box), parts->bar);

  parts->remaining = label_new (NULL, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (parts->remaining), 8);
  gtk_label_set_xalign (GTK_LABEL (parts->remaining), 1);
  gtk_box_append (GTK_BOX (box), parts->remaining);

  parts->slot = g_strdup (slot);
  g_object_set_data_full (G_OBJECT (row), "pd-tray-row", parts, tray_row_free);
  g_signal_connect_object (tray, "notify", G_CALLBACK (update_tray_row), row, G_CONNECT_SWAPPED);
  update_tray_row (row);

  return row;
}

/* Units --------------------------------------------------------------------------*/

typedef struct
{
  PdAmsUnit *unit;
  GtkWidget *type;
  GtkWidget *nozzle;
  GtkWidget *warning;
  GtkWidget *humidity;
  GtkWidget *temperature;
  GtkWidget *drying;
} UnitSection;

static void
update_unit_section (GtkWidget *section)
{
  UnitSection     *parts = g_object_get_data (G_OBJECT (section), "pd-unit-section");
  PdAmsView       *self = PD_AMS_VIEW (gtk_widget_get_ancestor (section, PD_TYPE_AMS_VIEW));
  PdAmsUnit       *unit = parts->unit;
  g_autofree char *humidity = NULL;
  g_autofree char *humidity_text = NULL;
  g_autofree char *temperature = NULL;
  g_autofree char *drying = NULL;
  PdHumidity       level;
  const char      *warning;

  if (self == NULL)
    return;

  /* the type, unless the name says it already ("AMS lite") */
  set_label (parts->type, g_strcmp0 (pd_ams_type_to_label (pd_ams_unit_get_unit_type (unit)), pd_ams_unit_get_name (unit)) != 0
                            ? pd_ams_type_to_label (pd_ams_unit_get_unit_type (unit))
                            : NULL);
  switch (pd_ams_unit_get_extruder (unit))
    {
    case PD_EXTRUDER_LEFT:
      set_label (parts->nozzle, _("Left nozzle"));
      break;
    case PD_EXTRUDER_RIGHT:
      set_label (parts->nozzle, _("Right nozzle"));
      break;
    case PD_EXTRUDER_UNKNOWN:
    default:
      set_label (parts->nozzle, NULL);
      break;
    }

  humidity = pd_format_humidity (pd_ams_unit_get_humidity_percent (unit), pd_ams_unit_get_humidity_level (unit));
  if (humidity != NULL)
    /* TRANSLATORS: "Humidity 23 %", "Humidity level 2 of 5" */
    humidity_text = g_strdup_printf (_("Humidity %s"), humidity);
  set_label (parts->humidity, humidity_text);
  if (pd_ams_unit_get_humidity_percent (unit) < 0 && pd_ams_unit_get_humidity_level (unit) > 0)
    gtk_widget_set_tooltip_text (parts->humidity, _("As Bambu Studio shows it: 1 is dry, 5 is wet"));
  else
    gtk_widget_set_tooltip_text (parts->humidity, NULL);

  if (!isnan (pd_ams_unit_get_temperature (unit)))
    temperature = pd_format_degrees (pd_ams_unit_get_temperature (unit));
  set_label (parts->temperature, temperature);

  drying = pd_format_drying_state (pd_ams_unit_get_drying_supported (unit), pd_ams_unit_get_drying (unit),
                                   pd_ams_unit_get_drying_remaining_minutes (unit));
  set_label (parts->drying, drying);

  level = pd_ams_unit_get_humidity (unit, self->humidity_fair, self->humidity_high);
  warning = pd_humidity_to_label (level);
  set_label (parts->warning, warning);
  gtk_widget_remove_css_class (parts->warning, "fair");
  gtk_widget_remove_css_class (parts->warning, "high");
  if (level == PD_HUMIDITY_FAIR)
    gtk_widget_add_css_class (parts->warning, "fair");
  else if (level == PD_HUMIDITY_HIGH)
    gtk_widget_add_css_class (parts->warning, "high");
}

static void
add_swatch_rows (PdAmsView  *self,
                 GtkListBox *list,
                 GListModel *trays,
                 const char *unit_name,
                 int         unit_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    {
      g_autoptr (PdAmsTray) tray = g_list_model_get_item (trays, i);

      gtk_list_box_append (list, create_tray_row (self, tray, unit_name, unit_id));
    }
}

static GtkWidget *
create_unit_section (PdAmsView *self,
                     PdAmsUnit *unit)
{
  GtkWidget   *section = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget   *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget   *info = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget   *name;
  GtkWidget   *list;
  UnitSection *parts = g_new0 (UnitSection, 1);

  gtk_widget_add_css_class (section, "ams-unit");
  parts->unit = unit;

  name = label_new (pd_ams_unit_get_name (unit), "heading");
  gtk_box_append (GTK_BOX (header), name);
  parts->type = label_new (NULL, "dim-label");
  gtk_box_append (GTK_BOX (header), parts->type);
  parts->nozzle = label_new (NULL, "dim-label");
  gtk_box_append (GTK_BOX (header), parts->nozzle);
  parts->warning = label_new (NULL, "humidity-warning");
  gtk_widget_set_hexpand (parts->warning, TRUE);
  gtk_widget_set_halign (parts->warning, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (header), parts->warning);
  gtk_box_append (GTK_BOX (section), header);

  parts->humidity = label_new (NULL, "caption");
  parts->temperature = label_new (NULL, "caption");
  parts->drying = label_new (NULL, "caption");
  gtk_box_append (GTK_BOX (info), parts->humidity);
  gtk_box_append (GTK_BOX (info), parts->temperature);
  gtk_box_append (GTK_BOX (info), parts->drying);
  gtk_box_append (GTK_BOX (section), info);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, pd_ams_unit_get_name (unit), -1);
  add_swatch_rows (self, GTK_LIST_BOX (list), pd_ams_unit_get_trays (unit), pd_ams_unit_get_name (unit),
                   pd_ams_unit_get_id (unit));
  gtk_box_append (GTK_BOX (section), list);

  g_object_set_data_full (G_OBJECT (section), "pd-unit-section", parts, g_free);
  g_signal_connect_object (unit, "notify", G_CALLBACK (update_unit_section), section, G_CONNECT_SWAPPED);

  return section;
}

/* Syncing ------------------------------------------------------------------------*/

/* Rings the slot the printer feeds from. */
static void
update_active (PdAmsView *self)
{
  pd_ams_swatch_ring_active (self->box, self->printer);
}

static void
update_units (PdAmsView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (self->units_box); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    update_unit_section (child);
}

static void
update_tray_rows (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (g_object_get_data (G_OBJECT (child), "pd-tray-row") != NULL)
        update_tray_row (child);
      else
        update_tray_rows (child);
    }
}

/* The unit's temperature and the slots' nozzle ranges and drying advice;
 * the same widgets, new words.
 */
static void
on_temperature_unit_changed (PdAmsView *self)
{
  update_units (self);
  update_tray_rows (self->box);
}

static void
rebuild_units (PdAmsView *self)
{
  GtkWidget  *child;
  GListModel *units = self->printer != NULL ? pd_printer_get_ams_units (self->printer) : NULL;

  while ((child = gtk_widget_get_first_child (self->units_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->units_box), child);

  for (guint i = 0; units != NULL && i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);

      gtk_box_append (GTK_BOX (self->units_box), create_unit_section (self, unit));
    }
  update_units (self);
  update_active (self);
}

static void
rebuild_external (PdAmsView *self)
{
  GtkWidget  *child;
  GListModel *external = self->printer != NULL ? pd_printer_get_ams_external (self->printer) : NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->external_list))) != NULL)
    gtk_list_box_remove (self->external_list, child);

  if (external != NULL)
    add_swatch_rows (self, self->external_list, external, NULL, -1);
  gtk_widget_set_visible (self->external_box, external != NULL && g_list_model_get_n_items (external) > 0);
  update_active (self);
}

/* GObject -------------------------------------------------------------------------*/

static void
pd_ams_view_dispose (GObject *object)
{
  PdAmsView *self = PD_AMS_VIEW (object);

  g_clear_object (&self->printer_signals);
  g_clear_object (&self->units_signals);
  g_clear_object (&self->external_signals);
  g_clear_object (&self->printer);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (pd_ams_view_parent_class)->dispose (object);
}

static void
pd_ams_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PdAmsView *self = PD_AMS_VIEW (object);

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

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PdAmsView *self = PD_AMS_VIEW (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      pd_ams_view_set_printer (self, g_value_get_object (value));
      break;

    case PROP_HUMIDITY_FAIR:
      self->humidity_fair = g_value_get_uint (value);
      update_units (self);
      break;

    case PROP_HUMIDITY_HIGH:
      self->humidity_high = g_value_get_uint (value);
      update_units (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_view_class_init (PdAmsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags     flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_ams_view_dispose;
  object_class->get_property = pd_ams_view_get_property;
  object_class->set_property = pd_ams_view_set_property;

  properties[PROP_PRINTER] = g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER, flags);
  /**
   * PdAmsView:humidity-fair:
   *
   * Above this relative humidity in %, a unit's humidity is "fair".
   */
  properties[PROP_HUMIDITY_FAIR] =
    g_param_spec_uint ("humidity-fair", NULL, NULL, 0, 100, PD_HUMIDITY_DEFAULT_FAIR, flags);
  /**
   * PdAmsView:humidity-high:
   *
   * Above this relative humidity in %, a unit's humidity is "high".
   */
  properties[PROP_HUMIDITY_HIGH] =
    g_param_spec_uint ("humidity-high", NULL, NULL, 0, 100, PD_HUMIDITY_DEFAULT_HIGH, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "amsview");
}

static void
pd_ams_view_init (PdAmsView *self)
{
  GtkWidget *heading;

  self->humidity_fair = PD_HUMIDITY_DEFAULT_FAIR;
  self->humidity_high = PD_HUMIDITY_DEFAULT_HIGH;

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->units_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_box_append (GTK_BOX (self->box), self->units_box);

  self->external_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  heading = label_new (_("External Spool"), "heading");
  gtk_box_append (GTK_BOX (self->external_box), heading);
  self->external_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->external_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->external_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->external_list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("External spool"), -1);
  gtk_box_append (GTK_BOX (self->external_box), GTK_WIDGET (self->external_list));
  gtk_box_append (GTK_BOX (self->box), self->external_box);

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->printer_signals, "notify::active-unit", G_CALLBACK (update_active), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::active-slot", G_CALLBACK (update_active), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::nozzle-right", G_CALLBACK (rebuild_external), self);

  self->units_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->units_signals, "items-changed", G_CALLBACK (rebuild_units), self);
  self->external_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->external_signals, "items-changed", G_CALLBACK (rebuild_external), self);
  pd_format_watch_temperature_unit (self, G_CALLBACK (on_temperature_unit_changed));
}

/**
 * pd_ams_view_new:
 * @printer: (nullable): the printer whose AMS to show
 *
 * Returns: (transfer floating): an AMS view
 */
GtkWidget *
pd_ams_view_new (PdPrinter *printer)
{
  return g_object_new (PD_TYPE_AMS_VIEW, "printer", printer, NULL);
}

PdPrinter *
pd_ams_view_get_printer (PdAmsView *self)
{
  g_return_val_if_fail (PD_IS_AMS_VIEW (self), NULL);

  return self->printer;
}

void
pd_ams_view_set_printer (PdAmsView *self,
                         PdPrinter *printer)
{
  g_return_if_fail (PD_IS_AMS_VIEW (self));
  g_return_if_fail (printer == NULL || PD_IS_PRINTER (printer));

  if (!g_set_object (&self->printer, printer))
    return;

  g_signal_group_set_target (self->printer_signals, printer);
  g_signal_group_set_target (self->units_signals, printer != NULL ? pd_printer_get_ams_units (printer) : NULL);
  g_signal_group_set_target (self->external_signals, printer != NULL ? pd_printer_get_ams_external (printer) : NULL);
  rebuild_units (self);
  rebuild_external (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER]);
}
