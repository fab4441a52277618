/* pd-application.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "printdeck"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-application.h"
#include "pd-window.h"

struct _PdApplication
{
  AdwApplication parent_instance;

  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (PdApplication, pd_application, ADW_TYPE_APPLICATION)

static void
pd_application_activate (GApplication *app)
{
  PdApplication *self = PD_APPLICATION (app);
  GtkWindow     *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (pd_window_new (self));

  gtk_window_present (window);
}

static void
pd_application_startup (GApplication *app)
{
  PdApplication              *self = PD_APPLICATION (app);
  GSettingsSchemaSource      *source;
  g_autoptr (GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (pd_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APPLICATION_ID);

  /* The schema is shared by the release and the .Devel profile. Without an
   * installed schema (running from a build folder without the dev
   * environment) the window works but forgets its size.
   */
  source = g_settings_schema_source_get_default ();
  if (source != NULL && (schema = g_settings_schema_source_lookup (source, BASE_ID, TRUE)) != NULL)
    self->settings = g_settings_new (BASE_ID);
  else
    g_message ("GSettings schema %s is not installed; settings will not be saved", BASE_ID);
}

static void
pd_application_dispose (GObject *object)
{
  PdApplication *self = PD_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pd_application_parent_class)->dispose (object);
}

static void
pd_application_class_init (PdApplicationClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pd_application_dispose;
  app_class->activate = pd_application_activate;
  app_class->startup = pd_application_startup;
}

static void
pd_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  static const char *developers[] = { "Printdeck developers", NULL };
  PdApplication     *self = user_data;
  GtkWindow         *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (window,
                         "application-name", _("Printdeck"), "application-icon", APPLICATION_ID, "developer-name", _("Printdeck developers"), "version", PACKAGE_VERSION, "website", "https://github.com/printdeck/printdeck", "issue-url", "https://github.com/printdeck/printdeck/issues", "developers", developers, "copyright", "© 2026 Printdeck developers", "license-type", GTK_LICENSE_GPL_3_0,
                                                                                                                       /* TRANSLATORS: your name(s) and address(es), one per line */
                                                                                                                       "translator-credits", _("translator-credits"), "comments", _("Printdeck is not affiliated with Bambu Lab."), NULL);
}

static void
pd_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "quit", pd_application_quit_action },
  { "about", pd_application_about_action },
};

static void
pd_application_init (PdApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit",
                                         (const char *[]){ "<primary>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close",
                                         (const char *[]){ "<primary>w", NULL });
}

PdApplication *
pd_application_new (const char       *application_id,
                    GApplicationFlags flags)
{
  g_return_val_if_fail (application_id != NULL, NULL);

  return g_object_new (PD_TYPE_APPLICATION,
                       "application-id", application_id,
                       "flags", flags,
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

/**
 * pd_application_get_settings:
 * @self: the application
 *
 * Returns: (transfer none) (nullable): the app's settings, or %NULL when
 *   the schema is not installed
 */
GSettings *
pd_application_get_settings (PdApplication *self)
{
  g_return_val_if_fail (PD_IS_APPLICATION (self), NULL);

  return self->settings;
}
