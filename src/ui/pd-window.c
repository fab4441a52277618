/* pd-window.c — the main window
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-window.h"

struct _PdWindow
{
  AdwApplicationWindow parent_instance;

  AdwStatusPage       *empty_page;
};

G_DEFINE_FINAL_TYPE (PdWindow, pd_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
window_settings (PdWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return app != NULL ? pd_application_get_settings (PD_APPLICATION (app)) : NULL;
}

static gboolean
pd_window_close_request (GtkWindow *window)
{
  PdWindow  *self = PD_WINDOW (window);
  GSettings *settings = window_settings (self);
  int        width, height;

  if (settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (pd_window_parent_class)->close_request (window);
}

static void
pd_window_constructed (GObject *object)
{
  PdWindow  *self = PD_WINDOW (object);
  GSettings *settings;

  G_OBJECT_CLASS (pd_window_parent_class)->constructed (object);

  if ((settings = window_settings (self)) != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
}

static void
pd_window_class_init (PdWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pd_window_constructed;
  window_class->close_request = pd_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdWindow, empty_page);
}

static void
pd_window_init (PdWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The symbolic icon is in the GResource, under the release id. */
  adw_status_page_set_icon_name (self->empty_page, BASE_ID "-symbolic");

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

PdWindow *
pd_window_new (PdApplication *application)
{
  g_return_val_if_fail (PD_IS_APPLICATION (application), NULL);

  return g_object_new (PD_TYPE_WINDOW, "application", application, NULL);
}
