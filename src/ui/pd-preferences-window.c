/* pd-preferences-window.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-preferences-window.h"

struct _PdPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GtkAdjustment       *stale_adjustment;
  GtkAdjustment       *history_adjustment;
  GtkAdjustment       *humidity_fair_adjustment;
  GtkAdjustment       *humidity_high_adjustment;
  GtkWidget           *stale_spin;
  GtkWidget           *history_spin;
  GtkAdjustment       *snapshot_limit_adjustment;
  GtkWidget           *snapshot_limit_spin;
  GtkAdjustment       *tile_fps_adjustment;
  GtkWidget           *tile_fps_spin;
  GtkWidget           *auto_snapshots_switch;
  AdwComboRow         *snapshot_format_row;
  GtkAdjustment       *debug_capacity_adjustment;
  GtkWidget           *debug_capacity_spin;

  /* Background */
  GtkWidget           *run_in_background_switch;
  GtkWidget           *autostart_row;
  GtkWidget           *autostart_switch;

  /* Notifications */
  GtkWidget           *notify_offline_switch;
  GtkWidget           *offline_delay_row;
  GtkAdjustment       *offline_delay_adjustment;
  GtkWidget           *offline_delay_spin;
  GtkWidget           *notify_error_switch;
  AdwComboRow         *severity_row;
  GtkWidget           *notify_finished_switch;
  GtkWidget           *notify_failed_switch;
  GtkWidget           *notify_humidity_switch;
  GtkWidget           *humidity_cooldown_row;
  GtkAdjustment       *humidity_cooldown_adjustment;
  GtkWidget           *humidity_cooldown_spin;
  GtkWidget           *sound_errors_row;
  GtkWidget           *sound_errors_switch;
  GtkWidget           *sound_finished_row;
  GtkWidget           *sound_finished_switch;
};

G_DEFINE_FINAL_TYPE (PdPreferencesWindow, pd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The format row lists the schema's choices in the schema's order. */
static const char *const snapshot_formats[] = { "auto", "png", "jpeg" };

static gboolean
format_to_row (GValue   *value,
               GVariant *variant,
               gpointer  data)
{
  const char *format = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (snapshot_formats); i++)
    if (g_strcmp0 (format, snapshot_formats[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
row_to_format (const GValue       *value,
               const GVariantType *type,
               gpointer            data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (snapshot_formats))
    return NULL;

  return g_variant_new_string (snapshot_formats[selected]);
}

/* The severity row lists the schema's nicks from the most severe down. */
static const char *const severities[] = { "fatal", "serious", "common", "info" };

static gboolean
severity_to_row (GValue   *value,
                 GVariant *variant,
                 gpointer  data)
{
  const char *severity = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    if (g_strcmp0 (severity, severities[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
row_to_severity (const GValue       *value,
                 const GVariantType *type,
                 gpointer            data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (severities))
    return NULL;

  return g_variant_new_string (severities[selected]);
}

static void
pd_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PD_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (pd_preferences_window_parent_class)->dispose (object);
}

static void
pd_preferences_window_class_init (PdPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, stale_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, history_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_fair_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_high_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, stale_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, history_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_limit_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, tile_fps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, tile_fps_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, auto_snapshots_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_format_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, debug_capacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, debug_capacity_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_offline_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_error_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, severity_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_finished_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_failed_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_humidity_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_errors_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_errors_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_finished_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_finished_switch);
}

static void
pd_preferences_window_init (PdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stale_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Seconds before a silent printer is not responding"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->history_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Minutes of temperature history"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->snapshot_limit_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Megabytes of snapshots kept per printer"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tile_fps_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pictures a second in camera tiles"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->debug_capacity_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages kept in each printer's debug log"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->offline_delay_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Seconds offline before a notification"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->humidity_cooldown_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Minutes between humidity notifications for a unit"), -1);
}

/**
 * pd_preferences_window_new:
 * @settings: (nullable): the app's settings; without them nothing can be changed
 *
 * Returns: (transfer floating): the preferences window
 */
GtkWidget *
pd_preferences_window_new (GSettings *settings)
{
  PdPreferencesWindow *self = g_object_new (PD_TYPE_PREFERENCES_WINDOW, NULL);

  if (settings != NULL)
    {
      g_settings_bind (settings, "stale-timeout", self->stale_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "temperature-history-minutes", self->history_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "humidity-fair", self->humidity_fair_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "humidity-high", self->humidity_high_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "auto-snapshots", self->auto_snapshots_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "snapshot-limit-mb", self->snapshot_limit_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "camera-tile-fps", self->tile_fps_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "debug-log-capacity", self->debug_capacity_adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "snapshot-format", self->snapshot_format_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, format_to_row, row_to_format, NULL, NULL);

      g_settings_bind (settings, "run-in-background", self->run_in_background_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "autostart", self->autostart_switch, "active", G_SETTINGS_BIND_DEFAULT);
      /* Starting at login only makes sense for an app that keeps running. */
      g_settings_bind (settings, "run-in-background", self->autostart_row, "sensitive", G_SETTINGS_BIND_GET);

      g_settings_bind (settings, "notify-offline", self->notify_offline_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "offline-notify-delay", self->offline_delay_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-offline", self->offline_delay_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-error", self->notify_error_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "hms-notify-min-severity", self->severity_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, severity_to_row, row_to_severity, NULL, NULL);
      g_settings_bind (settings, "notify-error", self->severity_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-finished", self->notify_finished_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-failed", self->notify_failed_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-humidity", self->notify_humidity_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "humidity-notify-cooldown", self->humidity_cooldown_adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-humidity", self->humidity_cooldown_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-sound-errors", self->sound_errors_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-sound-finished", self->sound_finished_switch, "active", G_SETTINGS_BIND_DEFAULT);
      /* A sound comes with a notification, or not at all. */
      g_settings_bind (settings, "notify-error", self->sound_errors_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-finished", self->sound_finished_row, "sensitive", G_SETTINGS_BIND_GET);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);

  return GTK_WIDGET (self);
}
