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
};

G_DEFINE_FINAL_TYPE (PdPreferencesWindow, pd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

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
}

static void
pd_preferences_window_init (PdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stale_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Seconds before a silent printer is not responding"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->history_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Minutes of temperature history"), -1);
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
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);

  return GTK_WIDGET (self);
}
