/* pd-notification-center.c — the printers' notifications on the desktop
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds every printer's state to a PdNotifier (the rules), runs its clock,
 * follows the user's settings, and delivers what it decides as
 * GNotifications: through the notification portal inside Flatpak, the
 * desktop's notification server outside. One notification per printer and
 * kind (pd_notice_dup_id()), replaced rather than stacked and withdrawn
 * when no longer true. A click opens the printer; buttons pause or stop
 * the print, or show the camera, through the application's actions.
 *
 * Sounds (fatal errors, finished prints, when the user asked for them) are
 * played here, never while the desktop's "Do Not Disturb" is on.
 */

#define G_LOG_DOMAIN "pd-notifications"

#include "config.h"

#include <glib/gi18n.h>
#include <gsound.h>

#include "pd-hms-database.h"
#include "pd-notification-center.h"

#define DESKTOP_NOTIFICATIONS_SCHEMA "org.gnome.desktop.notifications"

struct _PdNotificationCenter
{
  GObject         parent_instance;

  GApplication   *application; /* weak: it owns us */
  PdPrinterStore *store;
  GSettings      *settings;
  PdNotifier     *notifier;
  GHashTable     *watched; /* PdPrinter → notify handler id (as pointer) */
  guint           timer_id;
  gint64          timer_deadline;

  /* Do Not Disturb: the desktop's setting, or the Settings portal's */
  GSettings      *desktop;
  gboolean        portal_dnd;
  guint           portal_signal_id;
  GDBusConnection *bus;
  GCancellable   *cancellable;

  /* A notification server: -1 not known yet, 0 none, else how many */
  int             n_servers;
  guint           server_watch[2];
  gboolean        told_no_server;

  GSoundContext  *sound;
  gboolean        sound_failed;
  guint           n_sounds;
};

G_DEFINE_FINAL_TYPE (PdNotificationCenter, pd_notification_center, G_TYPE_OBJECT)

static void schedule (PdNotificationCenter *self);

/* Delivery ----------------------------------------------------------------------*/

static void
play_sound (PdNotificationCenter *self,
            PdNotice             *notice)
{
  g_autoptr (GError) error = NULL;
  const char        *event = notice->kind == PD_NOTICE_FINISHED ? "complete" : "dialog-error";

  if (pd_notification_center_get_do_not_disturb (self))
    {
      g_debug ("Do Not Disturb: no sound for %s", notice->serial);
      return;
    }

  self->n_sounds++;
  if (self->sound == NULL && !self->sound_failed)
    {
      self->sound = gsound_context_new (NULL, &error);
      if (self->sound == NULL)
        {
          /* No sound server (a headless session): said once. */
          self->sound_failed = TRUE;
          g_message ("Notification sounds cannot be played: %s", error->message);
          return;
        }
    }
  if (self->sound == NULL)
    return;

  if (!gsound_context_play_simple (self->sound, NULL, &error,
                                   GSOUND_ATTR_EVENT_ID, event,
                                   GSOUND_ATTR_EVENT_DESCRIPTION, notice->kind == PD_NOTICE_FINISHED
                                                                    ? _("Print finished")
                                                                    : _("Printer error"),
                                   NULL))
    g_debug ("The sound %s could not be played: %s", event, error->message);
}

static const char *
category_for (PdNotice *notice)
{
  switch (notice->kind)
    {
    case PD_NOTICE_OFFLINE: return notice->back_online ? "device.added" : "device.removed";
    case PD_NOTICE_ERROR: return "device.error";
    case PD_NOTICE_FAILED: return "device.error";
    case PD_NOTICE_FINISHED: return "device";
    case PD_NOTICE_HUMIDITY: return "device";
    default: return "device";
    }
}

static gboolean
has_camera (PdNotificationCenter *self,
            const char           *serial)
{
  PdPrinter   *printer = pd_printer_store_find (self->store, serial);
  PdCameraKind kind = printer != NULL ? pd_printer_get_camera_kind (printer) : PD_CAMERA_KIND_NONE;

  return kind == PD_CAMERA_KIND_RTSPS || kind == PD_CAMERA_KIND_JPEG;
}

static GNotification *
build (PdNotificationCenter *self,
       PdNotice             *notice)
{
  g_autofree char *title = pd_notice_dup_title (notice);
  g_autofree char *body = pd_notice_dup_body (notice, pd_hms_database_get_default ());
  GNotification   *notification = g_notification_new (title);
  gboolean         camera = has_camera (self, notice->serial);

  g_notification_set_body (notification, body);
  /* A quiet update (a flapping error, a unit humid again within the
   * cooldown) sits in the list without popping up.
   */
  g_notification_set_priority (notification, notice->alert ? notice->priority : G_NOTIFICATION_PRIORITY_LOW);
  g_notification_set_category (notification, category_for (notice));
  g_notification_set_default_action_and_target (notification, "app.show-printer", "s", notice->serial);

  switch (notice->kind)
    {
    case PD_NOTICE_ERROR:
      if (notice->printing)
        {
          if (camera)
            g_notification_add_button_with_target (notification, _("Camera"), "app.show-camera", "s", notice->serial);
          g_notification_add_button_with_target (notification, _("Pause"), "app.pause-printer", "s", notice->serial);
          g_notification_add_button_with_target (notification, _("Stop…"), "app.stop-printer", "s", notice->serial);
          break;
        }
      G_GNUC_FALLTHROUGH;
    case PD_NOTICE_FINISHED:
    case PD_NOTICE_FAILED:
      g_notification_add_button_with_target (notification, _("Open"), "app.show-printer", "s", notice->serial);
      if (camera)
        g_notification_add_button_with_target (notification, _("Camera"), "app.show-camera", "s", notice->serial);
      break;

    case PD_NOTICE_OFFLINE:
    case PD_NOTICE_HUMIDITY:
    default:
      g_notification_add_button_with_target (notification, _("Open"), "app.show-printer", "s", notice->serial);
      break;
    }

  return notification;
}

static void
deliver (PdNotificationCenter *self,
         GPtrArray            *notices)
{
  for (guint i = 0; i < notices->len; i++)
    {
      PdNotice        *notice = g_ptr_array_index (notices, i);
      g_autofree char *id = pd_notice_dup_id (notice);

      if (self->application == NULL)
        break;

      /* Without a server GLib would warn for each one; say it once. */
      if (self->n_servers == 0)
        {
          if (!self->told_no_server)
            g_message ("No notification server on this desktop: notifications are not shown");
          self->told_no_server = TRUE;
          continue;
        }

      if (notice->withdraw)
        {
          g_debug ("Withdrawn: %s", id);
          g_application_withdraw_notification (self->application, id);
          continue;
        }

      {
        g_autoptr (GNotification) notification = build (self, notice);
        g_autofree char          *title = pd_notice_dup_title (notice);

        if (notice->alert)
          g_message ("Notification: %s", title);
        else
          g_debug ("Updated quietly: %s", title);
        g_application_send_notification (self->application, id, notification);
      }

      if (notice->sound)
        play_sound (self, notice);
    }

  g_ptr_array_unref (notices);
}

/* The clock -----------------------------------------------------------------------*/

static gboolean
on_timer (gpointer data)
{
  PdNotificationCenter *self = data;

  self->timer_id = 0;
  self->timer_deadline = 0;
  deliver (self, pd_notifier_tick (self->notifier, g_get_monotonic_time ()));
  schedule (self);

  return G_SOURCE_REMOVE;
}

/* One timeout, at the notifier's next deadline. */
static void
schedule (PdNotificationCenter *self)
{
  gint64 deadline = pd_notifier_get_deadline (self->notifier);
  gint64 delay;

  if (deadline == self->timer_deadline && self->timer_id != 0)
    return;
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_deadline = 0;
  if (deadline == G_MAXINT64)
    return;

  delay = MAX (0, deadline - g_get_monotonic_time ());
  /* Rounded up: early, the deadline would not have come yet. */
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) MIN ((delay + 999) / 1000, G_MAXUINT), on_timer,
                                       self, NULL);
  self->timer_deadline = deadline;
}

/* Printers ------------------------------------------------------------------------*/

static void
feed (PdNotificationCenter *self,
      PdPrinter            *printer)
{
  PdState *state = pd_printer_get_state (printer);

  if (state == NULL)
    return;

  deliver (self, pd_notifier_update (self->notifier, state, g_get_monotonic_time ()));
  schedule (self);
}

static void
on_printer_state (PdPrinter            *printer,
                  GParamSpec           *pspec,
                  PdNotificationCenter *self)
{
  feed (self, printer);
}

static void
on_store_items_changed (PdNotificationCenter *self,
                        guint                 position,
                        guint                 removed,
                        guint                 added,
                        GListModel           *model)
{
  GHashTableIter iter;
  gpointer       printer, handler;

  /* Printers that went: their notifications go too. */
  g_hash_table_iter_init (&iter, self->watched);
  while (g_hash_table_iter_next (&iter, &printer, &handler))
    {
      const char *serial = pd_printer_get_serial (printer);

      if (pd_printer_store_find (self->store, serial) == printer)
        continue;
      g_signal_handler_disconnect (printer, GPOINTER_TO_SIZE (handler));
      deliver (self, pd_notifier_forget (self->notifier, serial));
      g_hash_table_iter_remove (&iter);
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter) item = g_list_model_get_item (model, i);
      gulong                id;

      if (g_hash_table_contains (self->watched, item))
        continue;
      id = g_signal_connect (item, "notify::state", G_CALLBACK (on_printer_state), self);
      g_hash_table_insert (self->watched, g_object_ref (item), GSIZE_TO_POINTER (id));
      feed (self, item);
    }

  schedule (self);
}

/* Settings ------------------------------------------------------------------------*/

static const struct
{
  PdNoticeKind kind;
  const char  *key;
} kind_keys[] = {
  { PD_NOTICE_OFFLINE, "notify-offline" },
  { PD_NOTICE_ERROR, "notify-error" },
  { PD_NOTICE_FINISHED, "notify-finished" },
  { PD_NOTICE_FAILED, "notify-failed" },
  { PD_NOTICE_HUMIDITY, "notify-humidity" },
};

static void
apply_settings (PdNotificationCenter *self)
{
  GSettings *s = self->settings;

  if (s == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (kind_keys); i++)
    deliver (self, pd_notifier_set_enabled (self->notifier, kind_keys[i].kind,
                                            g_settings_get_boolean (s, kind_keys[i].key)));

  pd_notifier_set_min_severity (self->notifier, g_settings_get_enum (s, "hms-notify-min-severity"));
  pd_notifier_set_offline_delay (self->notifier, g_settings_get_uint (s, "offline-notify-delay"));
  pd_notifier_set_humidity (self->notifier, g_settings_get_uint (s, "humidity-high"),
                            g_settings_get_uint (s, "humidity-notify-cooldown"));
  pd_notifier_set_sound (self->notifier, PD_NOTICE_ERROR, g_settings_get_boolean (s, "notify-sound-errors"));
  pd_notifier_set_sound (self->notifier, PD_NOTICE_FINISHED, g_settings_get_boolean (s, "notify-sound-finished"));

  {
    g_auto (GStrv) muted = g_settings_get_strv (s, "notify-muted-printers");
    GListModel    *printers = G_LIST_MODEL (self->store);

    for (guint i = 0; muted[i] != NULL; i++)
      deliver (self, pd_notifier_set_muted (self->notifier, muted[i], TRUE));
    for (guint i = 0; i < g_list_model_get_n_items (printers); i++)
      {
        g_autoptr (PdPrinter) printer = g_list_model_get_item (printers, i);
        const char           *serial = pd_printer_get_serial (printer);

        if (!g_strv_contains ((const char * const *) muted, serial))
          deliver (self, pd_notifier_set_muted (self->notifier, serial, FALSE));
      }
  }

  /* A shorter delay may be over already. */
  schedule (self);
}

static void
on_settings_changed (PdNotificationCenter *self,
                     const char           *key,
                     GSettings            *settings)
{
  if (g_str_has_prefix (key, "notify-") || g_str_has_prefix (key, "humidity-") ||
      g_str_equal (key, "hms-notify-min-severity") || g_str_equal (key, "offline-notify-delay"))
    apply_settings (self);
}

/* The notification server ---------------------------------------------------------*/

static void
on_server_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *owner,
                    gpointer         data)
{
  PdNotificationCenter *self = data;

  self->n_servers = MAX (self->n_servers, 0) + 1;
  self->told_no_server = FALSE;
  g_debug ("Notification server: %s", name);
}

static void
on_server_vanished (GDBusConnection *connection,
                    const char      *name,
                    gpointer         data)
{
  PdNotificationCenter *self = data;

  /* Called once at the start for a name nobody has. */
  self->n_servers = MAX (self->n_servers - 1, 0);
}

/* GNOME Shell owns org.gtk.Notifications, others (and activatable daemons
 * such as mako or dunst) org.freedesktop.Notifications; inside a sandbox
 * the portal delivers, and is always there.
 */
static void
watch_servers (PdNotificationCenter *self)
{
  const char *names[] = { "org.gtk.Notifications", "org.freedesktop.Notifications" };

  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || self->bus == NULL)
    {
      self->n_servers = -1;
      return;
    }

  self->n_servers = -1;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    self->server_watch[i] = g_bus_watch_name_on_connection (self->bus, names[i], G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                                            on_server_appeared, on_server_vanished, self, NULL);
}

/* Do Not Disturb ------------------------------------------------------------------*/

static gboolean
unbox_boolean (GVariant *value,
               gboolean *out)
{
  g_autoptr (GVariant) inner = NULL;

  /* Settings.Read boxes the value once more than ReadOne. */
  while (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      GVariant *next = g_variant_get_variant (value);

      g_clear_pointer (&inner, g_variant_unref);
      inner = next;
      value = next;
    }
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return FALSE;

  *out = g_variant_get_boolean (value);
  return TRUE;
}

static void
on_portal_setting_changed (GDBusConnection *connection,
                           const char      *sender,
                           const char      *path,
                           const char      *interface,
                           const char      *signal,
                           GVariant        *parameters,
                           gpointer         data)
{
  PdNotificationCenter *self = data;
  const char           *ns, *key;
  g_autoptr (GVariant)  value = NULL;
  gboolean              banners;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ssv)")))
    return;
  g_variant_get (parameters, "(&s&sv)", &ns, &key, &value);
  if (g_str_equal (ns, DESKTOP_NOTIFICATIONS_SCHEMA) && g_str_equal (key, "show-banners") &&
      unbox_boolean (value, &banners))
    self->portal_dnd = !banners;
}

static void
on_portal_read (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GError)   error = NULL;
  PdNotificationCenter *self;
  gboolean              banners;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("The desktop's Do Not Disturb cannot be read: %s", error->message);
      return;
    }

  self = data;
  g_variant_get (reply, "(v)", &value);
  if (unbox_boolean (value, &banners))
    self->portal_dnd = !banners;
}

/* The desktop's own setting when we can read it (not sandboxed), else the
 * Settings portal (inside Flatpak, where a portal shares it).
 */
static void
watch_do_not_disturb (PdNotificationCenter *self)
{
  GSettingsSchemaSource      *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL && (schema = g_settings_schema_source_lookup (source, DESKTOP_NOTIFICATIONS_SCHEMA, TRUE)) != NULL &&
      g_settings_schema_has_key (schema, "show-banners"))
    {
      self->desktop = g_settings_new (DESKTOP_NOTIFICATIONS_SCHEMA);
      return;
    }

  if (self->bus == NULL)
    return;

  self->portal_signal_id =
    g_dbus_connection_signal_subscribe (self->bus, "org.freedesktop.portal.Desktop", "org.freedesktop.portal.Settings",
                                        "SettingChanged", "/org/freedesktop/portal/desktop", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_portal_setting_changed, self, NULL);
  g_dbus_connection_call (self->bus, "org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                          "org.freedesktop.portal.Settings", "Read",
                          g_variant_new ("(ss)", DESKTOP_NOTIFICATIONS_SCHEMA, "show-banners"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 5000, self->cancellable,
                          on_portal_read, self);
}

/* GObject -------------------------------------------------------------------------*/

static void
pd_notification_center_dispose (GObject *object)
{
  PdNotificationCenter *self = PD_NOTIFICATION_CENTER (object);

  pd_notification_center_shutdown (self);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->desktop);
  g_clear_object (&self->bus);
  g_clear_object (&self->sound);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->notifier);
  g_clear_weak_pointer (&self->application);

  G_OBJECT_CLASS (pd_notification_center_parent_class)->dispose (object);
}

static void
pd_notification_center_class_init (PdNotificationCenterClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pd_notification_center_dispose;
}

static void
pd_notification_center_init (PdNotificationCenter *self)
{
  self->notifier = pd_notifier_new ();
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->cancellable = g_cancellable_new ();
}

/* API -----------------------------------------------------------------------------*/

/**
 * pd_notification_center_new:
 * @application: the application that sends the notifications and has
 *   the actions they name (show-printer, show-camera, pause-printer,
 *   stop-printer)
 * @store: the printers
 * @settings: (nullable): the app's settings
 *
 * Returns: (transfer full): a notification center, at work at once
 */
PdNotificationCenter *
pd_notification_center_new (GApplication   *application,
                            PdPrinterStore *store,
                            GSettings      *settings)
{
  PdNotificationCenter *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PD_TYPE_NOTIFICATION_CENTER, NULL);
  g_set_weak_pointer (&self->application, application);
  self->store = g_object_ref (store);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
    }
  apply_settings (self);
  self->bus = g_application_get_dbus_connection (application);
  if (self->bus != NULL)
    g_object_ref (self->bus);
  watch_servers (self);
  watch_do_not_disturb (self);

  g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  on_store_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), G_LIST_MODEL (store));

  return self;
}

/**
 * pd_notification_center_get_notifier:
 * @self: a notification center
 *
 * Returns: (transfer none): the rules it follows
 */
PdNotifier *
pd_notification_center_get_notifier (PdNotificationCenter *self)
{
  g_return_val_if_fail (PD_IS_NOTIFICATION_CENTER (self), NULL);

  return self->notifier;
}

gboolean
pd_notification_center_get_muted (PdNotificationCenter *self,
                                  const char           *serial)
{
  g_return_val_if_fail (PD_IS_NOTIFICATION_CENTER (self), FALSE);

  return pd_notifier_get_muted (self->notifier, serial);
}

/**
 * pd_notification_center_set_muted:
 * @self: a notification center
 * @serial: a printer
 * @muted: whether it stays silent
 *
 * Remembered in the settings (notify-muted-printers) when there are any.
 */
void
pd_notification_center_set_muted (PdNotificationCenter *self,
                                  const char           *serial,
                                  gboolean              muted)
{
  g_return_if_fail (PD_IS_NOTIFICATION_CENTER (self));
  g_return_if_fail (serial != NULL);

  if (self->settings != NULL)
    {
      g_auto (GStrv)          old = g_settings_get_strv (self->settings, "notify-muted-printers");
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_auto (GStrv)          list = NULL;

      for (guint i = 0; old[i] != NULL; i++)
        if (!g_str_equal (old[i], serial))
          g_strv_builder_add (builder, old[i]);
      if (muted)
        g_strv_builder_add (builder, serial);
      list = g_strv_builder_end (builder);
      /* The change comes back through "changed" and is applied there. */
      g_settings_set_strv (self->settings, "notify-muted-printers", (const char * const *) list);

    }

  deliver (self, pd_notifier_set_muted (self->notifier, serial, muted));
}

/**
 * pd_notification_center_get_do_not_disturb:
 * @self: a notification center
 *
 * Returns: whether the desktop asks for silence (its banners are off)
 */
gboolean
pd_notification_center_get_do_not_disturb (PdNotificationCenter *self)
{
  g_return_val_if_fail (PD_IS_NOTIFICATION_CENTER (self), FALSE);

  if (self->desktop != NULL)
    return !g_settings_get_boolean (self->desktop, "show-banners");

  return self->portal_dnd;
}

/**
 * pd_notification_center_get_n_sounds:
 * @self: a notification center
 *
 * Returns: how many sounds it asked for (played or not: a session without
 *   a sound server plays none)
 */
guint
pd_notification_center_get_n_sounds (PdNotificationCenter *self)
{
  g_return_val_if_fail (PD_IS_NOTIFICATION_CENTER (self), 0);

  return self->n_sounds;
}

/**
 * pd_notification_center_shutdown:
 * @self: a notification center
 *
 * Stops watching. What is shown stays: a finished print is still
 * finished after the app quits.
 */
void
pd_notification_center_shutdown (PdNotificationCenter *self)
{
  GHashTableIter iter;
  gpointer       printer, handler;

  g_return_if_fail (PD_IS_NOTIFICATION_CENTER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  for (guint i = 0; i < G_N_ELEMENTS (self->server_watch); i++)
    g_clear_handle_id (&self->server_watch[i], g_bus_unwatch_name);
  if (self->portal_signal_id != 0 && self->bus != NULL)
    g_dbus_connection_signal_unsubscribe (self->bus, self->portal_signal_id);
  self->portal_signal_id = 0;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);

  if (self->watched != NULL)
    {
      g_hash_table_iter_init (&iter, self->watched);
      while (g_hash_table_iter_next (&iter, &printer, &handler))
        g_signal_handler_disconnect (printer, GPOINTER_TO_SIZE (handler));
      g_clear_pointer (&self->watched, g_hash_table_unref);
    }
}
