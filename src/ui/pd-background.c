/* pd-background.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Running in the background and starting at login.
 *
 * While "run-in-background" is on and no window is open, the application
 * is held, so that the printers stay watched and notifications keep
 * coming. The first time the main window is closed, the user is asked.
 *
 * Inside a sandbox (Flatpak, Snap) both need the Background portal. Outside
 * of one, running on needs no permission, and starting at login is an
 * entry in $XDG_CONFIG_HOME/autostart that we write ourselves: the portal
 * is made for sandboxed apps (the entries it writes start them with
 * "flatpak run"), and there may be none at all (no xdg-desktop-portal).
 */

#define G_LOG_DOMAIN "pd-background"

#include "config.h"

#include <errno.h>
#include <gio/gdesktopappinfo.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libportal-gtk4/portal-gtk4.h>
#include <libportal/portal.h>

#include "pd-background.h"
#include "pd-window.h"

struct _PdBackground
{
  GObject         parent_instance;

  GtkApplication *app;         /* weak: the application owns us */
  GSettings      *settings;    /* nullable: then nothing runs in the background */
  XdpPortal      *portal;      /* sandboxed only, made on first use */
  GtkWidget      *question;    /* weak: "Keep Watching in the Background?" */
  GtkWindow      *close_after; /* weak: closes once the portal allowed it */

  gboolean        holding;
  gboolean        quitting;
  gboolean        sandboxed;

  /* What is in effect: granted by the portal, or our autostart file. */
  gboolean        applied_background;
  gboolean        applied_autostart;

  /* One portal request at a time; changes meanwhile are looked at after. */
  gboolean        request_pending;
  gboolean        request_again;
  gboolean        requested_background;
  gboolean        requested_autostart;
};

G_DEFINE_FINAL_TYPE (PdBackground, pd_background, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APPLICATION,
  PROP_SETTINGS,
  PROP_HOLDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What the autostart entry and the portal start: the app as a D-Bus
 * service, which registers without opening a window.
 */
#define SERVICE_EXECUTABLE "printdeck"
#define SERVICE_OPTION     "--gapplication-service"

/* Helpers -----------------------------------------------------------------------*/

static gboolean
wants_background (PdBackground *self)
{
  return self->settings != NULL && g_settings_get_boolean (self->settings, "run-in-background");
}

/* Starting at login only makes sense for an app that then keeps running. */
static gboolean
wants_autostart (PdBackground *self)
{
  return wants_background (self) && g_settings_get_boolean (self->settings, "autostart");
}

static void
update_hold (PdBackground *self)
{
  gboolean hold;

  if (self->app == NULL)
    return;

  hold = !self->quitting && wants_background (self) && gtk_application_get_windows (self->app) == NULL;
  if (hold == self->holding)
    return;

  self->holding = hold;
  if (hold)
    {
      g_debug ("No window open: holding the application");
      g_application_hold (G_APPLICATION (self->app));
    }
  else
    {
      g_debug ("Letting go of the application");
      g_application_release (G_APPLICATION (self->app));
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOLDING]);
}

/* In the window the user is looking at: the preferences, or the main one. */
static void
show_toast (PdBackground *self,
            GtkWindow    *preferred,
            const char   *title)
{
  GtkWindow *window = preferred;

  if (window == NULL && self->app != NULL)
    {
      for (GList *l = gtk_application_get_windows (self->app); l != NULL && window == NULL; l = l->next)
        if (ADW_IS_PREFERENCES_WINDOW (l->data) && gtk_widget_get_visible (l->data))
          window = l->data;
      if (window == NULL)
        window = gtk_application_get_active_window (self->app);
    }

  if (ADW_IS_PREFERENCES_WINDOW (window))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (window), adw_toast_new (title));
  else if (PD_IS_WINDOW (window))
    pd_window_add_toast (PD_WINDOW (window), title);
}

typedef struct
{
  PdBackground *self;
  GtkWindow    *window;
  gboolean      quit;
} CloseLater;

static void
close_later_free (CloseLater *data)
{
  g_object_unref (data->self);
  g_object_unref (data->window);
  g_free (data);
}

static gboolean
close_later_cb (gpointer user_data)
{
  CloseLater *data = user_data;

  /* Runs close-request again, which saves the window's size; the answer is
   * known now, so nobody asks.
   */
  gtk_window_close (data->window);
  if (data->quit && data->self->app != NULL)
    {
      pd_background_quit (data->self);
      g_application_quit (G_APPLICATION (data->self->app));
    }

  return G_SOURCE_REMOVE;
}

/* After the question's response: the dialog is still being closed. */
static void
close_later (PdBackground *self,
             GtkWindow    *window,
             gboolean      quit)
{
  CloseLater *data = g_new0 (CloseLater, 1);

  data->self = g_object_ref (self);
  data->window = g_object_ref (window);
  data->quit = quit;
  g_idle_add_full (G_PRIORITY_DEFAULT, close_later_cb, data, (GDestroyNotify) close_later_free);
}

/* Autostart without the portal ---------------------------------------------------*/

static gboolean
write_autostart_file (PdBackground *self,
                      GError      **error)
{
  const char                 *app_id = g_application_get_application_id (G_APPLICATION (self->app));
  g_autofree char            *desktop_id = g_strconcat (app_id, ".desktop", NULL);
  g_autoptr (GDesktopAppInfo) installed = g_desktop_app_info_new (desktop_id);
  g_autofree char            *name = installed != NULL ? g_desktop_app_info_get_string (installed, "Name") : NULL;
  g_autofree char            *path = pd_background_get_autostart_path (self);
  g_autofree char            *dir = g_path_get_dirname (path);
  g_autoptr (GKeyFile)        keyfile = g_key_file_new ();
  int                         saved_errno;

  /* Not DBusActivatable: the session would then call Activate, which
   * opens the window; the service option registers without one.
   */
  g_key_file_set_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TYPE,
                         G_KEY_FILE_DESKTOP_TYPE_APPLICATION);
  g_key_file_set_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_NAME,
                         name != NULL ? name : "Printdeck");
  g_key_file_set_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_ICON, app_id);
  g_key_file_set_string (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_EXEC,
                         SERVICE_EXECUTABLE " " SERVICE_OPTION);
  g_key_file_set_boolean (keyfile, G_KEY_FILE_DESKTOP_GROUP, G_KEY_FILE_DESKTOP_KEY_TERMINAL, FALSE);
  g_key_file_set_boolean (keyfile, G_KEY_FILE_DESKTOP_GROUP, "X-GNOME-Autostart-enabled", TRUE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  return g_key_file_save_to_file (keyfile, path, error);
}

static gboolean
remove_autostart_file (PdBackground *self,
                       GError      **error)
{
  g_autofree char *path = pd_background_get_autostart_path (self);
  int              saved_errno;

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static void
sync_autostart_file (PdBackground *self)
{
  gboolean           want = wants_autostart (self);
  g_autoptr (GError) error = NULL;

  if (want == self->applied_autostart)
    return;

  if (want ? write_autostart_file (self, &error) : remove_autostart_file (self, &error))
    {
      g_debug ("Autostart entry %s", want ? "written" : "removed");
      self->applied_autostart = want;
      return;
    }

  g_message ("The autostart entry could not be %s: %s", want ? "written" : "removed", error->message);
  if (want)
    {
      g_settings_set_boolean (self->settings, "autostart", FALSE);
      show_toast (self, NULL, _("Starting at login could not be set up"));
    }
}

/* The Background portal ------------------------------------------------------------*/

static void sync_background (PdBackground *self);

static void
on_background_requested (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  g_autoptr (PdBackground) self = data;
  g_autoptr (GError)       error = NULL;
  GtkWindow               *window = self->close_after;
  gboolean                 granted;

  granted = xdp_portal_request_background_finish (XDP_PORTAL (source), result, &error);
  self->request_pending = FALSE;
  g_clear_weak_pointer (&self->close_after);

  if (granted || !self->requested_background)
    {
      /* Turning things off takes nothing back from the user, even when
       * the portal could not be reached.
       */
      if (!granted)
        g_message ("The Background portal did not answer: %s", error != NULL ? error->message : "not granted");
      self->applied_background = self->requested_background;
      self->applied_autostart = self->requested_autostart;
      if (window != NULL && self->applied_background)
        close_later (self, window, FALSE);
    }
  else
    {
      gboolean    autostart_only = self->applied_background;
      const char *toast;

      /* One line, and the switch the user turned on goes back off. */
      if (error != NULL)
        g_message ("The Background portal could not be asked: %s", error->message);
      else
        g_message ("%s was not allowed", autostart_only ? "Starting at login" : "Running in the background");

      if (autostart_only)
        {
          toast = error != NULL ? _("Starting at login is not available") : _("Starting at login was not allowed");
          g_settings_set_boolean (self->settings, "autostart", FALSE);
        }
      else
        {
          toast = error != NULL ? _("Running in the background is not available")
                                : _("Running in the background was not allowed");
          g_settings_set_boolean (self->settings, "run-in-background", FALSE);
        }
      /* The window the user wanted to close to the background stays. */
      show_toast (self, window, toast);
    }

  if (self->request_again)
    {
      self->request_again = FALSE;
      sync_background (self);
    }
}

static void
request_background (PdBackground *self,
                    gboolean      background,
                    gboolean      autostart)
{
  g_autoptr (GPtrArray) commandline = g_ptr_array_new_with_free_func (g_free);
  g_autofree char      *reason = g_strdup (_("Printdeck keeps watching your printers and sends notifications after its window is closed."));
  GtkWindow            *window = self->close_after;
  XdpParent            *parent = NULL;

  if (self->portal == NULL)
    self->portal = xdp_portal_new ();

  if (window == NULL)
    window = gtk_application_get_active_window (self->app);
  if (window != NULL && gtk_widget_get_realized (GTK_WIDGET (window)))
    parent = xdp_parent_new_gtk (window);

  g_ptr_array_add (commandline, g_strdup (SERVICE_EXECUTABLE));
  g_ptr_array_add (commandline, g_strdup (SERVICE_OPTION));

  g_debug ("Asking the Background portal (background %d, autostart %d)", background, autostart);
  self->request_pending = TRUE;
  self->requested_background = background;
  self->requested_autostart = autostart;
  /* Not XDP_BACKGROUND_FLAG_ACTIVATABLE: the session would then activate
   * the app, which opens its window, instead of running the command line.
   * The request is not cancellable: libportal 0.6 never completes a
   * cancelled one.
   */
  xdp_portal_request_background (self->portal, parent, reason, commandline,
                                 autostart ? XDP_BACKGROUND_FLAG_AUTOSTART : XDP_BACKGROUND_FLAG_NONE,
                                 NULL, on_background_requested, g_object_ref (self));
  g_clear_pointer (&parent, xdp_parent_free);
}

static void
sync_portal (PdBackground *self)
{
  gboolean want_background = wants_background (self);
  gboolean want_autostart = wants_autostart (self);

  if (self->request_pending)
    {
      self->request_again = TRUE;
      return;
    }

  if (!want_background && !self->applied_autostart)
    {
      /* Nothing to ask: the hold is let go of, and there is no autostart
       * entry to take back.
       */
      self->applied_background = FALSE;
      return;
    }
  if (want_background == self->applied_background && want_autostart == self->applied_autostart)
    return;

  request_background (self, want_background, want_autostart);
}

static void
sync_background (PdBackground *self)
{
  if (self->settings == NULL || self->app == NULL)
    return;

  if (self->sandboxed)
    sync_portal (self);
  else
    sync_autostart_file (self);
}

/* What is in effect when we start: outside a sandbox, our autostart file;
 * inside, what the settings say (the portal allowed it before, and is not
 * asked again without a change: no dialog at every start).
 */
static void
load_applied_state (PdBackground *self)
{
  g_autofree char *path = NULL;

  if (self->settings == NULL || self->app == NULL)
    return;

  if (self->sandboxed)
    {
      self->applied_background = wants_background (self);
      self->applied_autostart = wants_autostart (self);
    }
  else
    {
      path = pd_background_get_autostart_path (self);
      self->applied_background = TRUE;
      self->applied_autostart = g_file_test (path, G_FILE_TEST_EXISTS);
    }
}

/* Callbacks ---------------------------------------------------------------------*/

static void
on_question_response (PdBackground     *self,
                      const char       *response,
                      AdwMessageDialog *dialog)
{
  GtkWindow *window = gtk_window_get_transient_for (GTK_WINDOW (dialog));
  gboolean   keep = g_strcmp0 (response, "keep") == 0;

  /* Escape: the window stays, and the question comes again next time. */
  if (!keep && g_strcmp0 (response, "quit") != 0)
    return;
  if (window == NULL || self->settings == NULL)
    return;

  g_debug ("Asked about running in the background: %s", keep ? "keep watching" : "quit");
  if (keep && self->sandboxed && !self->applied_background)
    g_set_weak_pointer (&self->close_after, window);
  g_settings_set_boolean (self->settings, "run-in-background", keep);
  g_settings_set_boolean (self->settings, "background-asked", TRUE);
  sync_background (self);

  /* In a sandbox, keep watching once the portal allowed it. */
  if (self->close_after != NULL && !self->request_pending)
    g_clear_weak_pointer (&self->close_after);
  if (self->close_after == NULL)
    close_later (self, window, !keep);
}

static void
ask (PdBackground *self,
     GtkWindow    *window)
{
  const char *body = _("Printdeck can keep watching your printers after the window is closed, so that "
                       "notifications keep coming. Open the window again from the app grid or the system tray.");
  GtkWidget  *dialog;

  dialog = adw_message_dialog_new (window, _("Keep Watching in the Background?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "quit", _("_Quit"), "keep", _("_Keep Watching"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "keep", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  /* Not one of the responses: Escape leaves the window open, unanswered. */
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_question_response), self, G_CONNECT_SWAPPED);
  g_set_weak_pointer (&self->question, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* After the window's own handler, which saves its size. */
static gboolean
on_close_request (PdBackground *self,
                  GtkWindow    *window)
{
  if (self->quitting || self->settings == NULL || self->app == NULL)
    return FALSE;
  if (self->close_after == window)
    return TRUE; /* waiting for the portal */
  if (g_settings_get_boolean (self->settings, "background-asked"))
    return FALSE;

  /* Only when the last main window goes: the app would end with it. */
  for (GList *l = gtk_application_get_windows (self->app); l != NULL; l = l->next)
    if (l->data != window && PD_IS_WINDOW (l->data))
      return FALSE;

  if (self->question != NULL)
    gtk_window_present (GTK_WINDOW (self->question));
  else
    ask (self, window);

  return TRUE;
}

static void
on_window_added (PdBackground   *self,
                 GtkWindow      *window,
                 GtkApplication *app)
{
  if (PD_IS_WINDOW (window))
    g_signal_connect_object (window, "close-request", G_CALLBACK (on_close_request), self,
                             G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  update_hold (self);
}

static void
on_window_removed (PdBackground   *self,
                   GtkWindow      *window,
                   GtkApplication *app)
{
  update_hold (self);
}

static void
on_run_in_background_changed (PdBackground *self)
{
  update_hold (self);
  sync_background (self);
}

/* GObject -------------------------------------------------------------------------*/

static void
pd_background_constructed (GObject *object)
{
  PdBackground *self = PD_BACKGROUND (object);

  G_OBJECT_CLASS (pd_background_parent_class)->constructed (object);

  g_return_if_fail (GTK_IS_APPLICATION (self->app));

  self->sandboxed = xdp_portal_running_under_sandbox ();
  load_applied_state (self);

  g_signal_connect_object (self->app, "window-added", G_CALLBACK (on_window_added), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->app, "window-removed", G_CALLBACK (on_window_removed), self, G_CONNECT_SWAPPED);
  for (GList *l = gtk_application_get_windows (self->app); l != NULL; l = l->next)
    if (PD_IS_WINDOW (l->data))
      g_signal_connect_object (l->data, "close-request", G_CALLBACK (on_close_request), self,
                               G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::run-in-background",
                               G_CALLBACK (on_run_in_background_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::autostart", G_CALLBACK (sync_background), self,
                               G_CONNECT_SWAPPED);
    }

  /* Started as a service (at login, or by D-Bus activation): no window. */
  update_hold (self);
}

static void
pd_background_dispose (GObject *object)
{
  PdBackground *self = PD_BACKGROUND (object);

  if (self->holding && self->app != NULL)
    g_application_release (G_APPLICATION (self->app));
  self->holding = FALSE;

  g_clear_weak_pointer (&self->question);
  g_clear_weak_pointer (&self->close_after);
  g_clear_weak_pointer (&self->app);
  g_clear_object (&self->settings);
  g_clear_object (&self->portal);

  G_OBJECT_CLASS (pd_background_parent_class)->dispose (object);
}

static void
pd_background_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PdBackground *self = PD_BACKGROUND (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->app);
      break;
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    case PROP_HOLDING:
      g_value_set_boolean (value, self->holding);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_background_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PdBackground *self = PD_BACKGROUND (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_set_weak_pointer (&self->app, g_value_get_object (value));
      break;
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_background_class_init (PdBackgroundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pd_background_constructed;
  object_class->dispose = pd_background_dispose;
  object_class->get_property = pd_background_get_property;
  object_class->set_property = pd_background_set_property;

  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, GTK_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Whether the application is kept running without a window. */
  properties[PROP_HOLDING] =
    g_param_spec_boolean ("holding", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_background_init (PdBackground *self)
{
}

/* Public API ------------------------------------------------------------------------*/

/**
 * pd_background_new:
 * @app: the application; it should own the result
 * @settings: (nullable): the app's settings; without them (no schema, the
 *   demo) the app never runs in the background
 *
 * Returns: (transfer full): the background keeper of @app
 */
PdBackground *
pd_background_new (GtkApplication *app,
                   GSettings      *settings)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (PD_TYPE_BACKGROUND, "application", app, "settings", settings, NULL);
}

/**
 * pd_background_is_holding:
 * @self: the background keeper
 *
 * Returns: whether the application is kept running without a window
 */
gboolean
pd_background_is_holding (PdBackground *self)
{
  g_return_val_if_fail (PD_IS_BACKGROUND (self), FALSE);

  return self->holding;
}

/**
 * pd_background_quit:
 * @self: the background keeper
 *
 * The user quits: the application is no longer held, and closing windows
 * asks nothing from now on. Call g_application_quit() next.
 */
void
pd_background_quit (PdBackground *self)
{
  g_return_if_fail (PD_IS_BACKGROUND (self));

  self->quitting = TRUE;
  update_hold (self);
}

/**
 * pd_background_get_autostart_path:
 * @self: the background keeper
 *
 * Returns: (transfer full): where the autostart entry is written outside a
 *   sandbox: $XDG_CONFIG_HOME/autostart/<application id>.desktop
 */
char *
pd_background_get_autostart_path (PdBackground *self)
{
  g_autofree char *desktop_id = NULL;

  g_return_val_if_fail (PD_IS_BACKGROUND (self), NULL);
  g_return_val_if_fail (self->app != NULL, NULL);

  desktop_id = g_strconcat (g_application_get_application_id (G_APPLICATION (self->app)), ".desktop", NULL);

  return g_build_filename (g_get_user_config_dir (), "autostart", desktop_id, NULL);
}

/* Takes the portal's way, as inside Flatpak (the tests, with a portal of
 * their own on the session bus or none at all).
 */
void
_pd_background_set_sandboxed (PdBackground *self,
                              gboolean      sandboxed)
{
  g_return_if_fail (PD_IS_BACKGROUND (self));

  self->sandboxed = sandboxed;
  load_applied_state (self);
}
