/* test-notifications.c — the app's notifications, as the desktop sees them
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under dbus-run-session (build-aux/dev.sh) with, on that private
 * session bus, a fake org.freedesktop.Notifications server of our own, on a
 * thread with its own connection: GApplication delivers to it exactly as to
 * a desktop's notification server (no org.gtk.Notifications, no portal on
 * this bus). The app watches one simulated printer. Every wait is bounded.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "pd-application.h"
#include "pd-printer-page.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-app.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

#define FATAL_ATTR 0x03000100u /* 0300_0100_0001_0007: heatbed temperature */
#define FATAL_CODE 0x00010007u
#define OTHER_FATAL_CODE 0x00010003u

/* The fake notification server ---------------------------------------------------*/

typedef struct
{
  char    *method;  /* "Notify" or "CloseNotification" */
  guint    id;      /* the id it returned, or the one closed */
  guint    replaces;
  char    *summary;
  char    *body;
  guint8   urgency;
  GStrv    actions; /* key, label, key, label… */
} Call;

static GMutex           calls_lock;
static GPtrArray       *calls;
static guint            next_id = 1;
static GDBusConnection *server_bus;
static GMainLoop       *server_loop;
static GThread         *server_thread;
static gboolean         server_ready;
static char            *tray_item; /* "sender/service" the watcher was given */

static const char server_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.Notifications'>"
  "    <method name='Notify'>"
  "      <arg type='s' direction='in'/><arg type='u' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='as' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='out'/>"
  "    </method>"
  "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
  "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
  "    <method name='GetServerInformation'>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
  "    </method>"
  "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
  "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
  "  </interface>"
  "</node>";

/* A StatusNotifierWatcher as KDE's or the AppIndicator extension's */
static const char watcher_xml[] =
  "<node>"
  "  <interface name='org.kde.StatusNotifierWatcher'>"
  "    <method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>"
  "    <method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "  </interface>"
  "</node>";

static void
on_watcher_call (GDBusConnection       *connection,
                 const char            *sender,
                 const char            *path,
                 const char            *interface,
                 const char            *method,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation,
                 gpointer               data)
{
  const char *service;

  if (g_str_equal (method, "RegisterStatusNotifierItem"))
    {
      g_variant_get (parameters, "(&s)", &service);
      g_mutex_lock (&calls_lock);
      g_free (tray_item);
      /* A bus name, or an object path on the sender */
      tray_item = service[0] == '/' ? g_strdup (sender) : g_strdup (service);
      g_mutex_unlock (&calls_lock);
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
on_watcher_get (GDBusConnection *connection,
                const char      *sender,
                const char      *path,
                const char      *interface,
                const char      *property,
                GError         **error,
                gpointer         data)
{
  if (g_str_equal (property, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  if (g_str_equal (property, "ProtocolVersion"))
    return g_variant_new_int32 (0);

  return g_variant_new_strv (NULL, 0);
}

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->summary);
  g_free (call->body);
  g_strfreev (call->actions);
  g_free (call);
}

static void
on_server_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *path,
                const char            *interface,
                const char            *method,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               data)
{
  Call *call = g_new0 (Call, 1);

  call->method = g_strdup (method);
  if (g_str_equal (method, "Notify"))
    {
      const char           *app, *icon, *summary, *body;
      g_autoptr (GVariant)  hints = NULL;
      int                   timeout;

      g_variant_get (parameters, "(&su&s&s&s^as@a{sv}i)", &app, &call->replaces, &icon, &summary, &body,
                     &call->actions, &hints, &timeout);
      call->summary = g_strdup (summary);
      call->body = g_strdup (body);
      if (!g_variant_lookup (hints, "urgency", "y", &call->urgency))
        call->urgency = 1;
      g_mutex_lock (&calls_lock);
      call->id = call->replaces != 0 ? call->replaces : next_id++;
      g_ptr_array_add (calls, call);
      g_mutex_unlock (&calls_lock);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", call->id));
    }
  else if (g_str_equal (method, "CloseNotification"))
    {
      g_variant_get (parameters, "(u)", &call->id);
      g_mutex_lock (&calls_lock);
      g_ptr_array_add (calls, call);
      g_mutex_unlock (&calls_lock);
      g_dbus_method_invocation_return_value (invocation, NULL);
      g_dbus_connection_emit_signal (connection, NULL, "/org/freedesktop/Notifications",
                                     "org.freedesktop.Notifications", "NotificationClosed",
                                     g_variant_new ("(uu)", call->id, 3), NULL);
    }
  else
    {
      const char *capabilities[] = { "actions", "body", "persistence", NULL };

      call_free (call);
      if (g_str_equal (method, "GetCapabilities"))
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", capabilities));
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ssss)", "fake", "printdeck", "1", "1.2"));
    }
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         data)
{
  g_atomic_int_set (&server_ready, TRUE);
}

static gpointer
server_main (gpointer data)
{
  GMainContext                *context = g_main_context_new ();
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDBusNodeInfo)    info = g_dbus_node_info_new_for_xml (server_xml, &error);
  g_autoptr (GDBusNodeInfo)    watcher = g_dbus_node_info_new_for_xml (watcher_xml, NULL);
  const GDBusInterfaceVTable   vtable = { on_server_call, NULL, NULL, { 0 } };
  const GDBusInterfaceVTable   watcher_vtable = { on_watcher_call, on_watcher_get, NULL, { 0 } };
  guint                        owner, watcher_owner;

  g_main_context_push_thread_default (context);
  g_assert_no_error (error);
  server_bus = g_dbus_connection_new_for_address_sync (g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (server_bus, "/org/freedesktop/Notifications", info->interfaces[0], &vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (server_bus, "/StatusNotifierWatcher", watcher->interfaces[0], &watcher_vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);
  watcher_owner = g_bus_own_name_on_connection (server_bus, "org.kde.StatusNotifierWatcher",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL, NULL);
  owner = g_bus_own_name_on_connection (server_bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                        on_name_acquired, NULL, NULL, NULL);

  server_loop = g_main_loop_new (context, FALSE);
  g_main_loop_run (server_loop);

  g_bus_unown_name (owner);
  g_bus_unown_name (watcher_owner);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);

  return NULL;
}

/* The calls so far, from @from on, copied out of the lock */
static guint
n_calls (void)
{
  guint n;

  g_mutex_lock (&calls_lock);
  n = calls->len;
  g_mutex_unlock (&calls_lock);

  return n;
}

typedef struct
{
  guint       from;
  const char *method;
  const char *summary_prefix; /* for Notify */
  guint       id;             /* for CloseNotification; 0 = any */
  guint8      min_urgency;
  guint       found;          /* index + 1 */
} Match;

static gboolean
call_matches (Call  *call,
              Match *m)
{
  if (!g_str_equal (call->method, m->method))
    return FALSE;
  if (m->summary_prefix != NULL && (call->summary == NULL || !g_str_has_prefix (call->summary, m->summary_prefix)))
    return FALSE;
  if (m->id != 0 && call->id != m->id)
    return FALSE;

  return call->summary == NULL || call->urgency >= m->min_urgency;
}

static gboolean
find_call (gpointer data)
{
  Match *m = data;

  g_mutex_lock (&calls_lock);
  for (guint i = m->from; i < calls->len && m->found == 0; i++)
    if (call_matches (g_ptr_array_index (calls, i), m))
      m->found = i + 1;
  g_mutex_unlock (&calls_lock);

  return m->found != 0;
}

static guint
count_calls (Match *m)
{
  guint n = 0;

  g_mutex_lock (&calls_lock);
  for (guint i = m->from; i < calls->len; i++)
    n += call_matches (g_ptr_array_index (calls, i), m);
  g_mutex_unlock (&calls_lock);

  return n;
}

/* Copies the matched call (the caller frees it). */
static Call *
wait_call (Match *m,
           guint  seconds,
           int    line)
{
  Call *call, *copy;

  if (!pd_test_wait_until (find_call, m, seconds))
    g_error ("line %d: no %s %s (id %u) within %u s", line, m->method, m->summary_prefix ? m->summary_prefix : "",
             m->id, seconds);

  g_mutex_lock (&calls_lock);
  call = g_ptr_array_index (calls, m->found - 1);
  copy = g_new0 (Call, 1);
  copy->method = g_strdup (call->method);
  copy->id = call->id;
  copy->replaces = call->replaces;
  copy->summary = g_strdup (call->summary);
  copy->body = g_strdup (call->body);
  copy->urgency = call->urgency;
  copy->actions = g_strdupv (call->actions);
  g_mutex_unlock (&calls_lock);

  return copy;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

static gboolean
has_action_label (Call       *call,
                  const char *label)
{
  for (guint i = 0; call->actions != NULL && call->actions[i] != NULL && call->actions[i + 1] != NULL; i += 2)
    if (g_str_equal (call->actions[i + 1], label))
      return TRUE;

  return FALSE;
}

/* The app and one simulated printer ----------------------------------------------*/

static PdSim         *sim;
static PdSimPrinter  *sp;
static PdApplication *app;
static PdPrinter     *printer;
static char          *printer_name;
static char          *config_dir;
static char          *cache_dir;

static gboolean
printer_connected (gpointer data)
{
  return printer != NULL && pd_printer_get_connection (printer) == PD_CONNECTION_CONNECTED;
}

static gboolean
printer_status_is (gpointer data)
{
  return printer != NULL && (int) pd_printer_get_status (printer) == GPOINTER_TO_INT (data);
}

static gboolean
page_has_printer (gpointer data)
{
  return pd_printer_page_get_printer (data) != NULL;
}

/* "Print Failed on " + the name */
static char *
summary_for (const char *prefix,
             const char *suffix)
{
  return g_strconcat (prefix, printer_name, suffix, NULL);
}

/* The tests ------------------------------------------------------------------------*/

/* The tray ------------------------------------------------------------------------*/

static gboolean
tray_registered (gpointer data)
{
  gboolean registered;

  g_mutex_lock (&calls_lock);
  registered = tray_item != NULL;
  g_mutex_unlock (&calls_lock);

  return registered;
}

typedef struct
{
  char    *text;
  gboolean done;
} TooltipRead;

static void
on_tooltip (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  TooltipRead         *read = data;
  g_autoptr (GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);

  if (reply != NULL)
    {
      g_autoptr (GVariant) value = NULL;
      const char          *icon, *title, *description;
      g_autoptr (GVariant) pixmaps = NULL;

      g_variant_get (reply, "(v)", &value);
      g_variant_get (value, "(&s@a(iiay)&s&s)", &icon, &pixmaps, &title, &description);
      read->text = g_strdup (description);
    }
  read->done = TRUE;
}

static gboolean
read_done (gpointer data)
{
  return ((TooltipRead *) data)->done;
}

/* The tooltip's text, as a tray host reads it */
static char *
read_tooltip (void)
{
  TooltipRead      read = { NULL, FALSE };
  g_autofree char *item = NULL;

  g_mutex_lock (&calls_lock);
  item = g_strdup (tray_item);
  g_mutex_unlock (&calls_lock);

  g_dbus_connection_call (server_bus, item, "/StatusNotifierItem", "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", "org.kde.StatusNotifierItem", "ToolTip"), G_VARIANT_TYPE ("(v)"),
                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, on_tooltip, &read);
  g_assert_true (pd_test_wait_until (read_done, &read, 10));
  g_assert_nonnull (read.text);

  return read.text;
}

typedef struct
{
  const char *must_have;
  const char *must_differ;
  char       *last;
} TooltipWait;

static gboolean
tooltip_is (gpointer data)
{
  TooltipWait *wait = data;

  g_free (wait->last);
  wait->last = read_tooltip ();

  return strstr (wait->last, wait->must_have) != NULL &&
         (wait->must_differ == NULL || g_strcmp0 (wait->last, wait->must_differ) != 0);
}

/* The tray item registers with the watcher; its tooltip follows the print. */
static void
test_tray (void)
{
  g_autofree char *printing = g_strconcat (printer_name, ": ", NULL);
  TooltipWait      wait = { printing, NULL, NULL };
  g_autofree char *first = NULL;

  g_assert_true (pd_test_wait_until (tray_registered, NULL, 10));
  g_assert_nonnull (pd_application_get_tray (app));
  g_assert_true (pd_tray_is_registered (pd_application_get_tray (app)));

  if (pd_printer_get_status (printer) != PD_STATUS_PRINTING)
    pd_sim_printer_start_print (sp);
  g_assert_true (pd_test_wait_until (printer_status_is, GINT_TO_POINTER (PD_STATUS_PRINTING), 30));

  /* "Sim X1C 1: 12 % · 1 h 5 min left", then more done */
  wait.must_have = "% · ";
  g_assert_true (pd_test_wait_until (tooltip_is, &wait, 20));
  g_assert_true (g_str_has_prefix (wait.last, printing));
  g_test_message ("tooltip: %s", wait.last);
  first = g_steal_pointer (&wait.last);
  wait.must_differ = first;
  g_assert_true (pd_test_wait_until (tooltip_is, &wait, 30));
  g_test_message ("then: %s", wait.last);
  g_free (wait.last);
}

/* The simulator fails the print: exactly one "Print failed" notification,
 * with the printer's name and the job, and buttons. A click on it opens
 * the printer's page.
 */
static void
test_print_failed (void)
{
  g_autofree char *summary = summary_for ("Print Failed on ", "");
  Match            m = { n_calls (), "Notify", summary, 0, 0, 0 };
  g_autoptr (Call) call = NULL;
  PdWindow        *window;

  if (pd_printer_get_status (printer) != PD_STATUS_PRINTING)
    pd_sim_printer_start_print (sp);
  g_assert_true (pd_test_wait_until (printer_status_is, GINT_TO_POINTER (PD_STATUS_PRINTING), 30));
  pd_sim_printer_fail (sp);
  call = wait_call (&m, 20, __LINE__);
  g_test_message ("%s: %s", call->summary, call->body);
  g_assert_nonnull (strstr (call->body, "stopped with an error"));
  g_assert_nonnull (strstr (call->body, "0700_8006"));
  g_assert_cmpuint (call->urgency, ==, 1);
  g_assert_true (has_action_label (call, "Open"));
  g_assert_true (g_strv_contains ((const char * const *) call->actions, "default"));

  /* More reports of the failed printer: still one. */
  pd_test_spin (3000);
  g_assert_cmpuint (count_calls (&m), ==, 1);

  /* The user clicks it: the app shows the printer. (The server closes
   * it, as a desktop does.)
   */
  window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  pd_printer_page_set_printer (_pd_window_get_printer_page (window), NULL, NULL);
  g_dbus_connection_emit_signal (server_bus, NULL, "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
                                 "ActionInvoked", g_variant_new ("(us)", call->id, "default"), NULL);
  g_assert_true (pd_test_wait_until (page_has_printer, _pd_window_get_printer_page (window), 10));
  g_assert_true (pd_printer_page_get_printer (_pd_window_get_printer_page (window)) == printer);
}

/* A fatal HMS error: one urgent notification, with a sound; withdrawn when
 * it clears.
 */
static void
test_fatal_hms (void)
{
  g_autofree char          *summary = summary_for ("Fatal Error on ", "");
  PdNotificationCenter     *center = pd_application_get_notifications (app);
  guint                     sounds = pd_notification_center_get_n_sounds (center);
  Match                     m = { n_calls (), "Notify", summary, 0, 2, 0 };
  Match                     closed = { 0 };
  g_autoptr (Call)          call = NULL;
  g_autoptr (Call)          close = NULL;

  /* A new print: the last failure is old news. */
  pd_sim_printer_start_print (sp);
  g_assert_true (pd_test_wait_until (printer_status_is, GINT_TO_POINTER (PD_STATUS_PRINTING), 30));

  pd_sim_printer_add_hms (sp, FATAL_ATTR, FATAL_CODE);
  call = wait_call (&m, 20, __LINE__);
  g_test_message ("%s: %s", call->summary, call->body);
  g_assert_cmpuint (call->urgency, ==, 2);
  g_assert_true (g_str_has_prefix (call->body, "0300_0100_0001_0007: "));
  /* During a print: pause and stop. */
  g_assert_true (has_action_label (call, "Pause"));
  g_assert_true (has_action_label (call, "Stop…"));
  g_assert_cmpuint (pd_notification_center_get_n_sounds (center), ==, sounds + 1);
  pd_test_spin (2000);
  g_assert_cmpuint (count_calls (&m), ==, 1);

  /* Cleared: withdrawn (after the clear delay the test set). */
  closed.from = n_calls ();
  closed.method = "CloseNotification";
  closed.id = call->id;
  pd_sim_printer_clear_hms (sp);
  close = wait_call (&closed, 20, __LINE__);
  g_assert_cmpuint (close->id, ==, call->id);
}

/* Do Not Disturb on: the notification still goes (the desktop keeps it
 * quiet), but no sound.
 */
static void
test_do_not_disturb (void)
{
  g_autofree char       *summary = summary_for ("Fatal Error on ", "");
  PdNotificationCenter  *center = pd_application_get_notifications (app);
  g_autoptr (GSettings)  desktop = g_settings_new ("org.gnome.desktop.notifications");
  guint                  sounds = pd_notification_center_get_n_sounds (center);
  Match                  m = { n_calls (), "Notify", summary, 0, 2, 0 };
  g_autoptr (Call)       call = NULL;

  g_settings_set_boolean (desktop, "show-banners", FALSE);
  g_assert_true (pd_notification_center_get_do_not_disturb (center));
  pd_sim_printer_add_hms (sp, FATAL_ATTR, OTHER_FATAL_CODE);
  call = wait_call (&m, 20, __LINE__);
  g_assert_cmpuint (pd_notification_center_get_n_sounds (center), ==, sounds);
  g_settings_reset (desktop, "show-banners");
  pd_sim_printer_clear_hms (sp);
}

/* A muted printer says nothing; muting takes back what it showed. */
static void
test_mute (void)
{
  g_autofree char   *summary = summary_for ("Print Failed on ", "");
  /* A copy: the printer's serial lives in its state, which changes. */
  g_autofree char   *serial = g_strdup (pd_printer_get_serial (printer));
  Match              m = { 0 };
  g_auto (GStrv)     muted = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "mute-printer", g_variant_new ("(sb)", serial, TRUE));
  muted = g_settings_get_strv (pd_application_get_settings (app), "notify-muted-printers");
  g_assert_true (g_strv_contains ((const char * const *) muted, serial));
  g_assert_true (pd_notification_center_get_muted (pd_application_get_notifications (app), serial));

  m.from = n_calls ();
  m.method = "Notify";
  m.summary_prefix = summary;
  pd_sim_printer_fail (sp);
  g_assert_true (pd_test_wait_until (printer_status_is, GINT_TO_POINTER (PD_STATUS_FAILED), 20));
  pd_test_spin (3000);
  g_assert_cmpuint (count_calls (&m), ==, 0);

  g_action_group_activate_action (G_ACTION_GROUP (app), "mute-printer", g_variant_new ("(sb)", serial, FALSE));
  g_assert_false (pd_notification_center_get_muted (pd_application_get_notifications (app), serial));

  /* The printer page's switch: the same setting, both ways. */
  {
    PdWindow      *window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
    PdPrinterPage *page = _pd_window_get_printer_page (window);
    gboolean       on = FALSE;

    pd_printer_page_set_printer (page, printer, pd_printer_store_get_session (pd_application_get_store (app), printer));
    g_object_get (page, "notifications-on", &on, NULL);
    g_assert_true (on);
    gtk_widget_activate_action (GTK_WIDGET (page), "printer.notifications", NULL);
    g_assert_true (pd_notification_center_get_muted (pd_application_get_notifications (app), serial));
    g_action_group_activate_action (G_ACTION_GROUP (app), "mute-printer", g_variant_new ("(sb)", serial, FALSE));
    g_object_get (page, "notifications-on", &on, NULL);
    g_assert_true (on);
  }
}

/* Offline after the (shortened) delay; back online replaces it. */
static void
test_offline (void)
{
  g_autofree char   *offline = summary_for ("", " Is Offline");
  g_autofree char   *back = summary_for ("", " Is Back Online");
  Match              m = { n_calls (), "Notify", offline, 0, 0, 0 };
  Match              b = { 0 };
  g_autoptr (Call)   call = NULL;
  g_autoptr (Call)   again = NULL;
  g_autoptr (GError) error = NULL;

  g_settings_set_uint (pd_application_get_settings (app), "offline-notify-delay", 2);
  g_assert_true (pd_sim_printer_set_offline (sp, TRUE, &error));
  call = wait_call (&m, 30, __LINE__);
  g_test_message ("%s: %s", call->summary, call->body);

  b.from = n_calls ();
  b.method = "Notify";
  b.summary_prefix = back;
  g_assert_true (pd_sim_printer_set_offline (sp, FALSE, &error));
  g_assert_no_error (error);
  again = wait_call (&b, 60, __LINE__);
  g_assert_cmpuint (again->replaces, ==, call->id);
  g_assert_cmpuint (again->urgency, ==, 0);
  g_settings_reset (pd_application_get_settings (app), "offline-notify-delay");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  PdWindow          *window;
  int                status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  pd_secrets_set_memory_only (TRUE);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no session bus: run under dbus-run-session");
      return 77;
    }

  calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  server_thread = g_thread_new ("notification-server", server_main, NULL);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!g_atomic_int_get (&server_ready) && g_get_monotonic_time () < deadline)
      g_usleep (10000);
    g_assert_true (g_atomic_int_get (&server_ready));
  }

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.report_interval_ms = 200;
  options.speed = 30; /* heating and levelling in seconds */
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);
  sp = pd_sim_get_printer (sim, 0);
  printer_name = g_strdup (pd_sim_printer_get_name (sp));

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", NULL);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", NULL);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  app = pd_application_new (APPLICATION_ID ".NotifyTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (pd_application_get_notifications (app));
  /* Seconds, not the default half minute, for an error to count as gone;
   * and a second to tell a failure from a cancel.
   */
  pd_notifier_set_timing (pd_notification_center_get_notifier (pd_application_get_notifications (app)), 2, 600, 1);

  printer = pd_test_app_add_sim_printer (app, sp);
  g_assert_true (pd_test_wait_until (printer_connected, NULL, 30));

  g_test_add_func ("/notifications/tray", test_tray);
  g_test_add_func ("/notifications/print-failed", test_print_failed);
  g_test_add_func ("/notifications/fatal-hms", test_fatal_hms);
  g_test_add_func ("/notifications/do-not-disturb", test_do_not_disturb);
  g_test_add_func ("/notifications/mute", test_mute);
  g_test_add_func ("/notifications/offline", test_offline);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_clear_object (&app);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  g_main_loop_quit (server_loop);
  g_thread_join (server_thread);
  g_clear_object (&server_bus);
  g_main_loop_unref (server_loop);
  g_ptr_array_unref (calls);
  g_free (tray_item);
  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);
  g_free (config_dir);
  g_free (cache_dir);
  g_free (printer_name);

  return status;
}
