/* test-tray.c — the tray icon, as a desktop's tray sees it over D-Bus
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on a private bus (GTestDBus), never the user's. Three
 * connections to it stand for three processes: the app with its PdTray, a
 * fake org.kde.StatusNotifierWatcher (the panel), and a client that reads
 * the item and its menu as a tray host would. The tray's handlers run on
 * this thread's main context, so every call to it is asynchronous and
 * every wait is bounded in time. Reports are written with ' for ".
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "pd-test-util.h"
#include "pd-tray.h"

#define APP_ID            "io.github.printdeck.Test"
#define WATCHER_NAME      "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"
#define ITEM_PATH         "/StatusNotifierItem"
#define ITEM_INTERFACE    "org.kde.StatusNotifierItem"
#define MENU_PATH         "/MenuBar"
#define MENU_INTERFACE    "com.canonical.dbusmenu"

#define SERIAL_LEFT  "00M00A000000001"
#define SERIAL_RIGHT "01S00C000000002"
#define SERIAL_SPARE "01S00C000000003"
#define SERIAL_NEW   "00M00A000000004"

#define FATAL_HMS "'hms':[{'attr':50331904,'code':65543}]"

/* Iterates the main context until @cond holds, for at most 10 s. */
#define WAIT_FOR(cond)                                                     \
  G_STMT_START                                                             \
  {                                                                        \
    gint64 wait_deadline_ = g_get_monotonic_time () + 10 * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < wait_deadline_)            \
      {                                                                    \
        g_main_context_iteration (NULL, FALSE);                            \
        g_usleep (1000);                                                   \
      }                                                                    \
    g_assert_true (cond);                                                  \
  }                                                                        \
  G_STMT_END

static GTestDBus *test_bus;

static GDBusConnection *
bus_connect (void)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection   *connection;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                         G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  /* A closed test connection must not end the test program. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);

  return connection;
}

/* A fake StatusNotifierWatcher ---------------------------------------------*/

static const char watcher_xml[] =
  "<node>"
  "  <interface name='" WATCHER_INTERFACE "'>"
  "    <method name='RegisterStatusNotifierItem'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <method name='RegisterStatusNotifierHost'>"
  "      <arg name='service' type='s' direction='in'/>"
  "    </method>"
  "    <property name='RegisteredStatusNotifierItems' type='as' access='read'/>"
  "    <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>"
  "    <property name='ProtocolVersion' type='i' access='read'/>"
  "    <signal name='StatusNotifierItemRegistered'>"
  "      <arg name='service' type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

typedef struct
{
  GDBusConnection       *connection;
  guint                  object_id;
  guint                  own_id;
  gboolean               owned;
  GPtrArray             *items; /* service names, as registered */
  gboolean               hold;  /* keep the next registration unanswered */
  GDBusMethodInvocation *held;
} Watcher;

static void
watcher_method_call (GDBusConnection       *connection,
                     const char            *sender,
                     const char            *object_path,
                     const char            *interface_name,
                     const char            *method_name,
                     GVariant              *parameters,
                     GDBusMethodInvocation *invocation,
                     gpointer               user_data)
{
  Watcher    *watcher = user_data;
  const char *service;

  if (!g_str_equal (method_name, "RegisterStatusNotifierItem"))
    {
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }

  g_variant_get (parameters, "(&s)", &service);
  g_ptr_array_add (watcher->items, g_strdup (service));

  if (watcher->hold)
    {
      watcher->held = invocation; /* answered by the test */
      return;
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
watcher_get_property (GDBusConnection *connection,
                      const char      *sender,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *property_name,
                      GError         **error,
                      gpointer         user_data)
{
  Watcher *watcher = user_data;

  if (g_str_equal (property_name, "RegisteredStatusNotifierItems"))
    return g_variant_new_strv ((const char *const *) watcher->items->pdata, watcher->items->len);
  if (g_str_equal (property_name, "IsStatusNotifierHostRegistered"))
    return g_variant_new_boolean (TRUE);
  return g_variant_new_int32 (0);
}

static const GDBusInterfaceVTable watcher_vtable = {
  watcher_method_call,
  watcher_get_property,
  NULL,
};

static void
on_watcher_name_acquired (GDBusConnection *connection,
                          const char      *name,
                          gpointer         user_data)
{
  Watcher *watcher = user_data;

  watcher->owned = TRUE;
}

static void
watcher_start (Watcher *watcher)
{
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (watcher_xml, NULL);
  g_autoptr (GError)        error = NULL;

  g_assert_null (watcher->connection);
  if (watcher->items == NULL)
    watcher->items = g_ptr_array_new_with_free_func (g_free);

  watcher->connection = bus_connect ();
  watcher->object_id = g_dbus_connection_register_object (watcher->connection, WATCHER_PATH, info->interfaces[0],
                                                          &watcher_vtable, watcher, NULL, &error);
  g_assert_no_error (error);
  watcher->own_id = g_bus_own_name_on_connection (watcher->connection, WATCHER_NAME, G_BUS_NAME_OWNER_FLAGS_NONE,
                                                  on_watcher_name_acquired, NULL, watcher, NULL);
  WAIT_FOR (watcher->owned);
}

/* The panel goes away as when its process ends: the connection closes. */
static void
watcher_stop (Watcher *watcher)
{
  g_autoptr (GError) error = NULL;

  if (watcher->connection == NULL)
    return;

  g_clear_object (&watcher->held);
  g_dbus_connection_unregister_object (watcher->connection, watcher->object_id);
  g_dbus_connection_close_sync (watcher->connection, NULL, &error);
  g_assert_no_error (error);
  g_bus_unown_name (watcher->own_id);
  watcher->owned = FALSE;
  g_clear_object (&watcher->connection);
}

static void
watcher_clear (Watcher *watcher)
{
  watcher_stop (watcher);
  g_clear_pointer (&watcher->items, g_ptr_array_unref);
}

/* The fixture -----------------------------------------------------------------*/

typedef struct
{
  GDBusConnection    *app;
  GDBusConnection    *client;
  Watcher             watcher;
  GListStore         *printers;
  GSimpleActionGroup *actions;
  GPtrArray          *activations; /* "show-window", "show-printer SERIAL", "quit" */
  GPtrArray          *signals;     /* names of the signals the client got */
  GVariant           *last_status; /* NewStatus's argument */
  guint               subscription;
  guint               registered_notifies;
  PdTray             *tray;
} Fixture;

static void
on_action_activate (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  Fixture *f = user_data;

  if (parameter != NULL)
    g_ptr_array_add (f->activations, g_strdup_printf ("%s %s", g_action_get_name (G_ACTION (action)),
                                                      g_variant_get_string (parameter, NULL)));
  else
    g_ptr_array_add (f->activations, g_strdup (g_action_get_name (G_ACTION (action))));
}

static void
on_signal (GDBusConnection *connection,
           const char      *sender,
           const char      *object_path,
           const char      *interface_name,
           const char      *signal_name,
           GVariant        *parameters,
           gpointer         user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (signal_name, "NewStatus"))
    {
      g_clear_pointer (&f->last_status, g_variant_unref);
      f->last_status = g_variant_get_child_value (parameters, 0);
    }
  g_ptr_array_add (f->signals, g_strdup (signal_name));
}

static guint
count_signals (Fixture    *f,
               const char *name)
{
  guint n = 0;

  for (guint i = 0; i < f->signals->len; i++)
    if (g_str_equal (g_ptr_array_index (f->signals, i), name))
      n++;

  return n;
}

static void
on_registered_notify (PdTray     *tray,
                      GParamSpec *pspec,
                      gpointer    user_data)
{
  Fixture *f = user_data;

  f->registered_notifies++;
}

static char *
quote (const char *text)
{
  return g_strdelimit (g_strdup (text), "'", '"');
}

/* Applies a push_status report made of @body, the members of "print". */
static void
apply_print (PdPrinter  *printer,
             const char *body)
{
  g_autofree char *text = g_strdup_printf ("{'print':{'command':'push_status',%s}}", body);
  g_autofree char *json = quote (text);

  pd_test_apply_text (printer, json);
}

static PdPrinter *
add_printer (Fixture    *f,
             const char *serial,
             const char *name,
             const char *body)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (serial);

  pd_printer_set_name (printer, name);
  /* a cleared HMS error leaves at once, not after 8 s */
  pd_printer_set_hms_linger (printer, 0);
  apply_print (printer, body);
  g_list_store_append (f->printers, printer);

  return printer; /* the store holds it */
}

static PdPrinter *
get_printer (Fixture *f,
             guint    position)
{
  g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (f->printers), position);

  return printer;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  static const GActionEntry entries[] = {
    { "show-window", on_action_activate, NULL, NULL, NULL, { 0 } },
    { "show-printer", on_action_activate, "s", NULL, NULL, { 0 } },
    { "quit", on_action_activate, NULL, NULL, NULL, { 0 } },
  };
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;

  f->app = bus_connect ();
  f->client = bus_connect ();
  f->printers = g_list_store_new (PD_TYPE_PRINTER);
  f->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (f->actions), entries, G_N_ELEMENTS (entries), f);
  f->activations = g_ptr_array_new_with_free_func (g_free);
  f->signals = g_ptr_array_new_with_free_func (g_free);

  f->subscription = g_dbus_connection_signal_subscribe (f->client, g_dbus_connection_get_unique_name (f->app),
                                                        NULL, NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_signal, f, NULL);
  /* The bus has the match rule once it answered a later call (the bus is
   * another process: a blocking call is fine here).
   */
  reply = g_dbus_connection_call_sync (f->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);

  f->tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));
  g_signal_connect (f->tray, "notify::registered", G_CALLBACK (on_registered_notify), f);
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  if (f->tray != NULL)
    g_assert_finalize_object (g_steal_pointer (&f->tray));
  watcher_clear (&f->watcher);
  g_dbus_connection_signal_unsubscribe (f->client, f->subscription);
  /* let the bus traffic of the names and matches given up settle */
  pd_test_spin (50);
  g_clear_pointer (&f->last_status, g_variant_unref);
  g_clear_pointer (&f->signals, g_ptr_array_unref);
  g_clear_pointer (&f->activations, g_ptr_array_unref);
  g_clear_object (&f->actions);
  g_clear_object (&f->printers);
  g_clear_object (&f->client);
  g_clear_object (&f->app);
}

/* Calls @method on the tray from the client and waits for the answer. */
static GVariant *
call (Fixture    *f,
      const char *path,
      const char *interface,
      const char *method,
      GVariant   *parameters,
      const char *reply_type,
      GError    **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  g_dbus_connection_call (f->client, g_dbus_connection_get_unique_name (f->app), path, interface, method,
                          parameters, reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                          G_DBUS_CALL_FLAGS_NONE, 10000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 10));

  return g_dbus_connection_call_finish (f->client, result, error);
}

static GVariant *
get_item_property (Fixture    *f,
                   const char *name)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply = NULL;
  GVariant            *value;

  reply = call (f, ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", ITEM_INTERFACE, name), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);

  return value;
}

static char *
get_item_string (Fixture    *f,
                 const char *name)
{
  g_autoptr (GVariant) value = get_item_property (f, name);

  return g_variant_dup_string (value, NULL);
}

static char *
get_tooltip (Fixture *f)
{
  g_autoptr (GVariant) value = get_item_property (f, "ToolTip");
  g_autofree char     *icon = NULL;
  g_autofree char     *title = NULL;
  char                *description;

  g_assert_cmpstr (g_variant_get_type_string (value), ==, "(sa(iiay)ss)");
  g_variant_get (value, "(sa(iiay)ss)", &icon, NULL, &title, &description);
  g_assert_cmpstr (title, ==, "Printdeck");

  return description;
}

static gboolean
tooltip_contains (Fixture    *f,
                  const char *text)
{
  g_autofree char *description = get_tooltip (f);

  return strstr (description, text) != NULL;
}

static void
start_registered (Fixture *f)
{
  watcher_start (&f->watcher);
  pd_tray_start (f->tray);
  WAIT_FOR (pd_tray_is_registered (f->tray));
}

/* The menu ------------------------------------------------------------------*/

typedef struct
{
  int   id;
  char *label; /* NULL for a separator */
} Item;

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_free (item->label);
}

/* The root's children, from GetLayout(0, -1, []). */
static GArray *
get_menu (Fixture *f,
          guint   *revision)
{
  g_autoptr (GVariant)     reply = NULL;
  g_autoptr (GVariant)     root_props = NULL;
  g_autoptr (GVariantIter) children = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *display = NULL;
  GArray                  *items = g_array_new (FALSE, TRUE, sizeof (Item));
  GVariant                *child;
  int                      root_id;

  g_array_set_clear_func (items, item_clear);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "GetLayout",
                g_variant_new ("(ii@as)", 0, -1, g_variant_new_strv (NULL, 0)), "(u(ia{sv}av))", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u(i@a{sv}av))", revision, &root_id, &root_props, &children);
  g_assert_cmpint (root_id, ==, 0);
  g_assert_true (g_variant_lookup (root_props, "children-display", "s", &display));
  g_assert_cmpstr (display, ==, "submenu");

  while (g_variant_iter_next (children, "v", &child))
    {
      g_autoptr (GVariant)     props = NULL;
      g_autoptr (GVariantIter) grandchildren = NULL;
      g_autofree char         *type = NULL;
      Item                     item = { 0 };

      g_variant_get (child, "(i@a{sv}av)", &item.id, &props, &grandchildren);
      g_assert_cmpuint (g_variant_iter_n_children (grandchildren), ==, 0);
      if (g_variant_lookup (props, "type", "s", &type))
        g_assert_cmpstr (type, ==, "separator");
      else
        g_assert_true (g_variant_lookup (props, "label", "s", &item.label));
      g_array_append_val (items, item);
      g_variant_unref (child);
    }

  return items;
}

/* The id of the item whose label starts with @prefix, or -1. */
static int
find_item (GArray     *items,
           const char *prefix)
{
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = &g_array_index (items, Item, i);

      if (item->label != NULL && g_str_has_prefix (item->label, prefix))
        return item->id;
    }

  return -1;
}

static void
click (Fixture *f,
       int      id)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;

  reply = call (f, MENU_PATH, MENU_INTERFACE, "Event",
                g_variant_new ("(isvu)", id, "clicked", g_variant_new_int32 (0), 0), NULL, &error);
  g_assert_no_error (error);
}

/* Tests ---------------------------------------------------------------------*/

static void
test_new_destroy (Fixture      *f,
                  gconstpointer data)
{
  PdTray *tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));

  g_assert_false (pd_tray_is_registered (tray));
  g_assert_finalize_object (tray);

  /* Started, with a printer, and let go without pd_tray_stop(). */
  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'IDLE'");
  tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));
  pd_tray_start (tray);
  pd_test_spin (50);
  g_assert_finalize_object (tray);

  /* The actions' owner may go first. */
  tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));
  g_clear_object (&f->actions);
  pd_tray_start (tray);
  pd_test_spin (50);
  g_assert_finalize_object (tray);
}

/* No watcher: nothing, quietly. A watcher appears: the item registers. */
static void
test_register (Fixture      *f,
               gconstpointer data)
{
  g_autofree char     *prefix = g_strdup_printf ("org.kde.StatusNotifierItem-%d-", (int) getpid ());
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;
  const char          *owner;

  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'IDLE'");
  pd_tray_start (f->tray);
  pd_tray_start (f->tray); /* twice is once */
  pd_test_spin (300);
  g_assert_false (pd_tray_is_registered (f->tray));
  g_assert_cmpuint (f->registered_notifies, ==, 0);

  /* The item is there already, for a host that finds it otherwise. */
  g_assert_true (tooltip_contains (f, "Left: Idle"));

  watcher_start (&f->watcher);
  WAIT_FOR (pd_tray_is_registered (f->tray));
  g_assert_cmpuint (f->registered_notifies, ==, 1);
  g_assert_cmpuint (f->watcher.items->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (f->watcher.items, 0), prefix));

  /* The registered name is the app's (the bus is another process: a
   * blocking call is fine).
   */
  reply = g_dbus_connection_call_sync (f->client, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetNameOwner",
                                       g_variant_new ("(s)", (char *) g_ptr_array_index (f->watcher.items, 0)),
                                       G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(&s)", &owner);
  g_assert_cmpstr (owner, ==, g_dbus_connection_get_unique_name (f->app));

  /* Stopped: unregistered, and the name is given up. */
  pd_tray_stop (f->tray);
  g_assert_false (pd_tray_is_registered (f->tray));
  g_assert_cmpuint (f->registered_notifies, ==, 2);
  pd_tray_stop (f->tray);
  g_assert_cmpuint (f->registered_notifies, ==, 2);

  /* And it starts again, under a new name. */
  pd_tray_start (f->tray);
  WAIT_FOR (pd_tray_is_registered (f->tray));
  g_assert_cmpuint (f->watcher.items->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (f->watcher.items, 0), !=, g_ptr_array_index (f->watcher.items, 1));
}

/* The item's properties show the fleet, and follow the printers. */
static void
test_properties (Fixture      *f,
                 gconstpointer data)
{
  g_autofree char *icon_ok = g_strconcat (APP_ID, "-symbolic", NULL);
  PdPrinter       *left, *right, *spare;
  char            *text;
  GVariant        *value;

  left = add_printer (f, SERIAL_LEFT, "Left",
                      "'gcode_state':'RUNNING','subtask_name':'benchy','mc_percent':10,'mc_remaining_time':65");
  right = add_printer (f, SERIAL_RIGHT, "Right", "'gcode_state':'IDLE','hms':[]");
  spare = add_printer (f, SERIAL_SPARE, "Spare", "'gcode_state':'IDLE'");
  pd_printer_set_connection (spare, PD_CONNECTION_DISCONNECTED);
  start_registered (f);

  text = get_item_string (f, "Category");
  g_assert_cmpstr (text, ==, "ApplicationStatus");
  g_free (text);
  text = get_item_string (f, "Id");
  g_assert_cmpstr (text, ==, APP_ID);
  g_free (text);
  text = get_item_string (f, "Title");
  g_assert_cmpstr (text, ==, "Printdeck");
  g_free (text);
  text = get_item_string (f, "Status");
  g_assert_cmpstr (text, ==, "Active");
  g_free (text);
  text = get_item_string (f, "IconName");
  g_assert_cmpstr (text, ==, "printer-printing-symbolic");
  g_free (text);
  text = get_item_string (f, "AttentionIconName");
  g_assert_cmpstr (text, ==, "printer-error-symbolic");
  g_free (text);
  value = get_item_property (f, "ItemIsMenu");
  g_assert_false (g_variant_get_boolean (value));
  g_variant_unref (value);
  value = get_item_property (f, "Menu");
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, MENU_PATH);
  g_variant_unref (value);

  text = get_tooltip (f);
  g_assert_cmpstr (text, ==, "Left: 10 % · 1 h 5 min left\nRight: Idle\nSpare: Offline");
  g_free (text);

  /* Progress 10 → 55 %: a new tooltip. */
  apply_print (left, "'mc_percent':55,'mc_remaining_time':30");
  WAIT_FOR (count_signals (f, "NewToolTip") == 1);
  g_assert_true (tooltip_contains (f, "Left: 55 % · 30 min left"));
  /* neither the icon nor the status changed */
  g_assert_cmpuint (count_signals (f, "NewIcon"), ==, 0);
  g_assert_cmpuint (count_signals (f, "NewStatus"), ==, 0);

  /* Changes the tray does not show are not announced. */
  apply_print (left, "'nozzle_temper':219.5,'bed_temper':55.0");
  pd_test_spin (400);
  g_assert_cmpuint (count_signals (f, "NewToolTip"), ==, 1);

  /* A fatal HMS error: attention. */
  apply_print (right, FATAL_HMS);
  WAIT_FOR (count_signals (f, "NewStatus") == 1);
  g_assert_cmpstr (g_variant_get_string (f->last_status, NULL), ==, "NeedsAttention");
  text = get_item_string (f, "Status");
  g_assert_cmpstr (text, ==, "NeedsAttention");
  g_free (text);
  text = get_item_string (f, "IconName");
  g_assert_cmpstr (text, ==, "printer-error-symbolic");
  g_free (text);
  g_assert_true (tooltip_contains (f, "Right: Error"));
  g_assert_cmpuint (count_signals (f, "NewIcon"), ==, 1);

  /* Cleared: back to printing. */
  apply_print (right, "'hms':[]");
  WAIT_FOR (count_signals (f, "NewStatus") == 2);
  g_assert_cmpstr (g_variant_get_string (f->last_status, NULL), ==, "Active");
  text = get_item_string (f, "IconName");
  g_assert_cmpstr (text, ==, "printer-printing-symbolic");
  g_free (text);
  g_assert_true (tooltip_contains (f, "Right: Idle"));

  /* A failed job is an error too. */
  apply_print (right, "'gcode_state':'FAILED'");
  WAIT_FOR (count_signals (f, "NewStatus") == 3);
  g_assert_true (tooltip_contains (f, "Right: Failed"));

  /* All done; the offline printer does not count: the app's icon. */
  apply_print (right, "'gcode_state':'IDLE'");
  apply_print (left, "'gcode_state':'FINISH','mc_percent':100,'mc_remaining_time':0");
  WAIT_FOR (count_signals (f, "NewStatus") == 4);
  WAIT_FOR (count_signals (f, "NewIcon") == 4);
  text = get_item_string (f, "IconName");
  g_assert_cmpstr (text, ==, icon_ok);
  g_free (text);
  g_assert_true (tooltip_contains (f, "Left: Finished\nRight: Idle\nSpare: Offline"));

  /* The last printer leaves. */
  g_list_store_remove_all (f->printers);
  WAIT_FOR (tooltip_contains (f, "No printers"));
}

/* A burst of reports makes one update; a steady stream at most one per
 * 250 ms.
 */
static void
test_coalesce (Fixture      *f,
               gconstpointer data)
{
  PdPrinter *printers[20];
  gint64     start, elapsed_ms;
  guint      n;

  for (guint i = 0; i < G_N_ELEMENTS (printers); i++)
    {
      g_autofree char *serial = g_strdup_printf ("00M00A%09u", i);
      g_autofree char *name = g_strdup_printf ("P%u", i);

      printers[i] = add_printer (f, serial, name, "'gcode_state':'RUNNING','mc_percent':1,'mc_remaining_time':99");
    }
  start_registered (f);
  pd_test_spin (300);
  g_ptr_array_set_size (f->signals, 0);

  for (int percent = 2; percent < 40; percent++)
    for (guint i = 0; i < G_N_ELEMENTS (printers); i++)
      {
        g_autofree char *body = g_strdup_printf ("'mc_percent':%d", percent);

        apply_print (printers[i], body);
      }
  WAIT_FOR (count_signals (f, "NewToolTip") == 1);
  pd_test_spin (400);
  g_assert_cmpuint (count_signals (f, "NewToolTip"), ==, 1);
  g_assert_true (tooltip_contains (f, "P19: 39 %"));

  /* Every printer reports every 20 ms for a second. */
  g_ptr_array_set_size (f->signals, 0);
  start = g_get_monotonic_time ();
  for (int percent = 40; percent < 90; percent++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (printers); i++)
        {
          g_autofree char *body = g_strdup_printf ("'mc_percent':%d", percent);

          apply_print (printers[i], body);
        }
      pd_test_spin (20);
    }
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  pd_test_spin (400);
  n = count_signals (f, "NewToolTip");
  g_test_message ("%u tooltip updates in %" G_GINT64_FORMAT " ms", n, elapsed_ms);
  g_assert_cmpuint (n, >=, 2);
  /* one at once, one per 250 ms, and the last one after the loop; plus
   * one for the jitter of the clock
   */
  g_assert_cmpuint (n, <=, elapsed_ms / 250 + 3);
  g_assert_true (tooltip_contains (f, "P0: 89 %"));
}

/* The menu: its items, their actions, and its updates. */
static void
test_menu (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (GArray)   items = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GError)   error = NULL;
  g_autofree char     *expected = NULL;
  g_autofree char     *printed = NULL;
  int                  show_id, left_id, right_id, quit_id, new_id;
  guint                revision, revision2;
  gboolean             need_update = TRUE;

  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'RUNNING','mc_percent':10,'mc_remaining_time':65");
  add_printer (f, SERIAL_RIGHT, "Right_2", "'gcode_state':'IDLE'");
  start_registered (f);

  value = get_item_property (f, "Menu");
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, MENU_PATH);
  g_clear_pointer (&value, g_variant_unref);

  reply = call (f, MENU_PATH, "org.freedesktop.DBus.Properties", "Get",
                g_variant_new ("(ss)", MENU_INTERFACE, "Version"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpuint (g_variant_get_uint32 (value), ==, 3);
  g_clear_pointer (&value, g_variant_unref);
  g_clear_pointer (&reply, g_variant_unref);

  items = get_menu (f, &revision);
  g_assert_cmpuint (items->len, ==, 6);
  g_assert_cmpstr (g_array_index (items, Item, 0).label, ==, "Show Printdeck");
  g_assert_null (g_array_index (items, Item, 1).label);
  g_assert_cmpstr (g_array_index (items, Item, 2).label, ==, "Left — 10 % · 1 h 5 min left");
  /* "_" would be a mnemonic */
  g_assert_cmpstr (g_array_index (items, Item, 3).label, ==, "Right__2 — Idle");
  g_assert_null (g_array_index (items, Item, 4).label);
  g_assert_cmpstr (g_array_index (items, Item, 5).label, ==, "Quit");
  show_id = g_array_index (items, Item, 0).id;
  left_id = g_array_index (items, Item, 2).id;
  right_id = g_array_index (items, Item, 3).id;
  quit_id = g_array_index (items, Item, 5).id;

  click (f, left_id);
  WAIT_FOR (f->activations->len == 1);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 0), ==, "show-printer " SERIAL_LEFT);
  click (f, right_id);
  WAIT_FOR (f->activations->len == 2);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 1), ==, "show-printer " SERIAL_RIGHT);
  click (f, show_id);
  WAIT_FOR (f->activations->len == 3);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 2), ==, "show-window");
  click (f, quit_id);
  WAIT_FOR (f->activations->len == 4);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 3), ==, "quit");

  /* Other events do nothing. */
  reply = call (f, MENU_PATH, MENU_INTERFACE, "Event",
                g_variant_new ("(isvu)", quit_id, "hovered", g_variant_new_int32 (0), 0), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);

  /* A click on the icon shows the window. */
  reply = call (f, ITEM_PATH, ITEM_INTERFACE, "Activate", g_variant_new ("(ii)", 10, 10), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  WAIT_FOR (f->activations->len == 5);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 4), ==, "show-window");
  /* the others do nothing */
  reply = call (f, ITEM_PATH, ITEM_INTERFACE, "SecondaryActivate", g_variant_new ("(ii)", 0, 0), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, ITEM_PATH, ITEM_INTERFACE, "Scroll", g_variant_new ("(is)", 1, "vertical"), NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&reply, g_variant_unref);
  pd_test_spin (50);
  g_assert_cmpuint (f->activations->len, ==, 5);

  /* One item's properties, and one property. */
  reply = call (f, MENU_PATH, MENU_INTERFACE, "GetGroupProperties",
                g_variant_new ("(@ai^as)", g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, &quit_id, 1, sizeof (int)),
                               (const char *const[]){ "label", NULL }),
                "(a(ia{sv}))", &error);
  g_assert_no_error (error);
  printed = g_variant_print (reply, FALSE);
  expected = g_strdup_printf ("([(%d, {'label': <'Quit'>})],)", quit_id);
  g_assert_cmpstr (printed, ==, expected);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "GetProperty", g_variant_new ("(is)", show_id, "label"), "(v)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "Show Printdeck");
  g_clear_pointer (&value, g_variant_unref);
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "AboutToShow", g_variant_new ("(i)", 0), "(b)", &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &need_update);
  g_assert_false (need_update);
  g_clear_pointer (&reply, g_variant_unref);

  /* A printer joins: a new layout has it. */
  add_printer (f, SERIAL_NEW, "New", "'gcode_state':'IDLE'");
  WAIT_FOR (count_signals (f, "LayoutUpdated") == 1);
  g_clear_pointer (&items, g_array_unref);
  items = get_menu (f, &revision2);
  g_assert_cmpuint (revision2, >, revision);
  g_assert_cmpuint (items->len, ==, 7);
  new_id = find_item (items, "New — Idle");
  g_assert_cmpint (new_id, >=, 0);
  g_assert_cmpint (find_item (items, "Left — "), ==, left_id);
  click (f, new_id);
  WAIT_FOR (f->activations->len == 6);
  g_assert_cmpstr (g_ptr_array_index (f->activations, 5), ==, "show-printer " SERIAL_NEW);

  /* A label changes: a new layout too. */
  pd_printer_set_name (get_printer (f, 0), "Left A");
  WAIT_FOR (count_signals (f, "LayoutUpdated") == 2);
  g_clear_pointer (&items, g_array_unref);
  items = get_menu (f, &revision);
  g_assert_cmpint (find_item (items, "Left A — 10 %"), ==, left_id);

  /* A printer leaves: its item goes, and a late click on it does nothing. */
  g_list_store_remove (f->printers, 0);
  WAIT_FOR (count_signals (f, "LayoutUpdated") == 3);
  g_clear_pointer (&items, g_array_unref);
  items = get_menu (f, &revision);
  g_assert_cmpuint (items->len, ==, 6);
  g_assert_cmpint (find_item (items, "Left"), ==, -1);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "Event",
                g_variant_new ("(isvu)", left_id, "clicked", g_variant_new_int32 (0), 0), NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  pd_test_spin (50);
  g_assert_cmpuint (f->activations->len, ==, 6);

  /* With no printers: Show, a separator, Quit. */
  g_list_store_remove_all (f->printers);
  WAIT_FOR (count_signals (f, "LayoutUpdated") == 4);
  g_clear_pointer (&items, g_array_unref);
  items = get_menu (f, &revision);
  g_assert_cmpuint (items->len, ==, 3);
}

/* The panel restarts: the item registers again. */
static void
test_watcher_restart (Fixture      *f,
                      gconstpointer data)
{
  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'IDLE'");
  start_registered (f);
  g_assert_cmpuint (f->registered_notifies, ==, 1);

  for (guint round = 1; round <= 3; round++)
    {
      watcher_stop (&f->watcher);
      WAIT_FOR (!pd_tray_is_registered (f->tray));
      g_assert_cmpuint (f->registered_notifies, ==, 2 * round);

      watcher_start (&f->watcher);
      WAIT_FOR (pd_tray_is_registered (f->tray));
      g_assert_cmpuint (f->registered_notifies, ==, 2 * round + 1);
      g_assert_cmpuint (f->watcher.items->len, ==, round + 1);
      g_assert_cmpstr (g_ptr_array_index (f->watcher.items, round), ==, g_ptr_array_index (f->watcher.items, 0));
    }

  /* Gone and back before the tray looked: still registered at the end. */
  watcher_stop (&f->watcher);
  watcher_start (&f->watcher);
  WAIT_FOR (f->watcher.items->len == 5);
  WAIT_FOR (pd_tray_is_registered (f->tray));
}

static void
assert_printed (GVariant   *value,
                const char *expected)
{
  g_autofree char *printed = g_variant_print (value, FALSE);

  g_assert_cmpstr (printed, ==, expected);
}

static void
assert_call_fails (Fixture    *f,
                   const char *path,
                   const char *interface,
                   const char *method,
                   GVariant   *parameters)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;

  reply = call (f, path, interface, method, parameters, NULL, &error);
  g_assert_null (reply);
  g_assert_true (error != NULL && error->domain == G_DBUS_ERROR);
  g_test_message ("%s: %s", method, error->message);
}

/* Bad calls get an error, never a crash. */
static void
test_bad_calls (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GArray)   items = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;
  int                  unknown = 9999;
  guint                revision;

  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'IDLE'");
  start_registered (f);

  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "Event",
                     g_variant_new ("(isvu)", unknown, "clicked", g_variant_new_int32 (0), 0));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "GetLayout",
                     g_variant_new ("(ii@as)", unknown, -1, g_variant_new_strv (NULL, 0)));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "GetLayout",
                     g_variant_new ("(ii@as)", -1, 0, g_variant_new_strv (NULL, 0)));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "GetProperty", g_variant_new ("(is)", unknown, "label"));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "GetProperty", g_variant_new ("(is)", 0, "no-such-property"));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "AboutToShow", g_variant_new ("(i)", unknown));
  /* wrong arguments, unknown methods, properties and objects */
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "Event", g_variant_new ("(s)", "clicked"));
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "GetLayout", NULL);
  assert_call_fails (f, MENU_PATH, MENU_INTERFACE, "Explode", NULL);
  assert_call_fails (f, ITEM_PATH, ITEM_INTERFACE, "Activate", g_variant_new ("(s)", "now"));
  assert_call_fails (f, ITEM_PATH, ITEM_INTERFACE, "Activate", NULL);
  assert_call_fails (f, ITEM_PATH, "org.freedesktop.DBus.Properties", "Get",
                     g_variant_new ("(ss)", ITEM_INTERFACE, "NoSuchProperty"));
  assert_call_fails (f, ITEM_PATH, "org.freedesktop.DBus.Properties", "Set",
                     g_variant_new ("(ssv)", ITEM_INTERFACE, "Status", g_variant_new_string ("Passive")));
  assert_call_fails (f, "/Elsewhere", ITEM_INTERFACE, "Activate", g_variant_new ("(ii)", 0, 0));

  /* In groups, unknown ids are reported back. */
  reply = call (f, MENU_PATH, MENU_INTERFACE, "EventGroup",
                g_variant_new_parsed ("([(%i, 'clicked', <0>, uint32 0)],)", unknown), "(ai)", &error);
  g_assert_no_error (error);
  assert_printed (reply, "([9999],)");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "AboutToShowGroup",
                g_variant_new_parsed ("([0, %i],)", unknown), "(aiai)", &error);
  g_assert_no_error (error);
  assert_printed (reply, "([], [9999])");
  g_clear_pointer (&reply, g_variant_unref);
  reply = call (f, MENU_PATH, MENU_INTERFACE, "GetGroupProperties",
                g_variant_new_parsed ("([%i],@as [])", unknown), "(a(ia{sv}))", &error);
  g_assert_no_error (error);
  assert_printed (reply, "([],)");
  g_clear_pointer (&reply, g_variant_unref);

  /* Nothing was activated, and the tray still answers. */
  pd_test_spin (50);
  g_assert_cmpuint (f->activations->len, ==, 0);
  items = get_menu (f, &revision);
  g_assert_cmpuint (items->len, ==, 5);
  g_assert_true (pd_tray_is_registered (f->tray));
}

/* The tray goes while calls are on their way, either way. */
static void
test_in_flight (Fixture      *f,
                gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GVariant)     reply = NULL;
  g_autoptr (GError)       error = NULL;
  g_autoptr (GArray)       items = NULL;
  guint                    revision;

  add_printer (f, SERIAL_LEFT, "Left", "'gcode_state':'IDLE'");

  /* The watcher has not answered the registration yet. */
  f->watcher.hold = TRUE;
  watcher_start (&f->watcher);
  pd_tray_start (f->tray);
  WAIT_FOR (f->watcher.held != NULL);
  g_assert_false (pd_tray_is_registered (f->tray));
  pd_tray_stop (f->tray);
  g_dbus_method_invocation_return_value (g_steal_pointer (&f->watcher.held), NULL);
  pd_test_spin (100);
  g_assert_false (pd_tray_is_registered (f->tray));
  g_assert_cmpuint (f->registered_notifies, ==, 0);

  /* The same, and the tray finalized. */
  pd_tray_start (f->tray);
  WAIT_FOR (f->watcher.held != NULL);
  g_assert_finalize_object (g_steal_pointer (&f->tray));
  g_dbus_method_invocation_return_value (g_steal_pointer (&f->watcher.held), NULL);
  pd_test_spin (100);

  /* A host's call arrives while the tray goes. */
  f->watcher.hold = FALSE;
  f->tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));
  pd_tray_start (f->tray);
  WAIT_FOR (pd_tray_is_registered (f->tray));
  items = get_menu (f, &revision);
  g_dbus_connection_call (f->client, g_dbus_connection_get_unique_name (f->app), MENU_PATH, MENU_INTERFACE,
                          "Event",
                          g_variant_new ("(isvu)", find_item (items, "Quit"), "clicked", g_variant_new_int32 (0), 0),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, pd_test_store_result, &result);
  /* until the call has reached the app's connection, at most */
  g_usleep (50000);
  g_assert_finalize_object (g_steal_pointer (&f->tray));
  g_assert_true (pd_test_wait_for_result (&result, 10));
  reply = g_dbus_connection_call_finish (f->client, result, &error);
  /* The main context did not run in between: GDBus answered for the
   * tray, which is gone.
   */
  g_assert_nonnull (error);
  g_test_message ("late call: %s", error->message);
  g_assert_cmpuint (f->activations->len, ==, 0);

  /* A printer's change pending when the tray goes. */
  f->tray = pd_tray_new (f->app, APP_ID, G_LIST_MODEL (f->printers), G_ACTION_GROUP (f->actions));
  pd_tray_start (f->tray);
  apply_print (get_printer (f, 0), "'gcode_state':'RUNNING','mc_percent':5");
  g_assert_finalize_object (g_steal_pointer (&f->tray));
  apply_print (get_printer (f, 0), "'mc_percent':6");
  pd_test_spin (300);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  /* A private bus: the user's session (and its tray) is never touched. */
  test_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (test_bus);

#define ADD(path, func) g_test_add ((path), Fixture, NULL, fixture_setup, (func), fixture_teardown)
  ADD ("/tray/new-destroy", test_new_destroy);
  ADD ("/tray/register", test_register);
  ADD ("/tray/properties", test_properties);
  ADD ("/tray/coalesce", test_coalesce);
  ADD ("/tray/menu", test_menu);
  ADD ("/tray/watcher-restart", test_watcher_restart);
  ADD ("/tray/bad-calls", test_bad_calls);
  ADD ("/tray/in-flight", test_in_flight);
#undef ADD

  ret = g_test_run ();

  g_test_dbus_down (test_bus);
  g_clear_object (&test_bus);

  return ret;
}
