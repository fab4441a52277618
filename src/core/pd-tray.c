/* pd-tray.c — the printers' state in the desktop's tray (StatusNotifierItem)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A StatusNotifierItem (the KDE/freedesktop tray protocol, also shown by
 * GNOME Shell's AppIndicator extension) spoken directly over GDBus: the
 * item at /StatusNotifierItem and its menu, in the com.canonical.dbusmenu
 * protocol, at /MenuBar. libappindicator would bring GTK 3 into the core.
 *
 * The item owns "org.kde.StatusNotifierItem-<pid>-<n>" and registers it
 * with org.kde.StatusNotifierWatcher whenever a watcher appears, so a
 * panel that restarts gets the icon back. Without a watcher there is no
 * tray to show it in, and nothing happens.
 *
 * One icon stands for the whole fleet, from the worst printer up:
 *
 *   any printer in error  printer-error-symbolic, Status "NeedsAttention"
 *   any printer busy      printer-printing-symbolic
 *   otherwise             "<app id>-symbolic", the app's own symbolic icon
 *
 * The printer-* names are freedesktop status icons that Adwaita and the
 * usual themes ship. "In error" is an HMS entry of serious level or worse,
 * a failed job or a print error; "busy" is preparing, printing or paused.
 * An offline printer counts for neither: it is only listed as offline.
 *
 * Printers report about once a second each. Their changes are gathered and
 * published at most every UPDATE_INTERVAL_MS, and only what really changed
 * is signalled, so a farm keeps the bus quiet.
 */

#define G_LOG_DOMAIN "pd-tray"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pd-enums.h"
#include "pd-printer.h"
#include "pd-tray.h"

#define ITEM_PATH         "/StatusNotifierItem"
#define ITEM_INTERFACE    "org.kde.StatusNotifierItem"
#define MENU_PATH         "/MenuBar"
#define MENU_INTERFACE    "com.canonical.dbusmenu"
#define WATCHER_NAME      "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH      "/StatusNotifierWatcher"
#define WATCHER_INTERFACE "org.kde.StatusNotifierWatcher"

#define ICON_BUSY  "printer-printing-symbolic"
#define ICON_ERROR "printer-error-symbolic"

#define UPDATE_INTERVAL_MS 250

/* The menu's fixed items; printers get ids from FIRST_PRINTER_ID up, never
 * reused, so a click on an item of a menu the host showed before the list
 * changed cannot open another printer.
 */
enum
{
  MENU_ROOT_ID = 0,
  MENU_SHOW_ID,
  MENU_SEPARATOR_ID,
  MENU_SEPARATOR_2_ID,
  MENU_QUIT_ID,
  FIRST_PRINTER_ID = 100,
};

typedef enum
{
  LEVEL_OFFLINE, /* below idle: an offline printer does not set the icon */
  LEVEL_IDLE,
  LEVEL_BUSY,
  LEVEL_ERROR,
} Level;

typedef struct
{
  int   id;
  char *label;  /* NULL for a separator */
  char *action; /* "app"-less action name, NULL for a separator */
  char *serial; /* the parameter of show-printer */
} MenuEntry;

typedef struct
{
  PdTray       *tray;
  PdPrinter    *printer;
  GSignalGroup *job_signals;
  gulong        notify_id;
  int           menu_id;
} PrinterWatch;

struct _PdTray
{
  GObject          parent_instance;

  GDBusConnection *connection;
  char            *app_id;
  GListModel      *printers;
  GWeakRef         actions; /* the application owns us: no reference back */

  gboolean         started;
  GPtrArray       *watches; /* of PrinterWatch, in the order of @printers */
  gulong           items_changed_id;
  int              next_menu_id;

  /* What the bus sees */
  char            *status;
  char            *icon_name;
  char            *description;
  GPtrArray       *menu; /* of MenuEntry, the root's children */
  guint            revision;
  GSource         *update_source;
  gint64           last_update; /* monotonic µs */

  char            *bus_name;
  guint            item_id;
  guint            menu_object_id;
  guint            own_id;
  guint            watch_id;
  gboolean         name_owned;
  gboolean         watcher_present;
  GCancellable    *register_cancellable;
  gboolean         registered;
};

G_DEFINE_FINAL_TYPE (PdTray, pd_tray, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec    *properties[N_PROPS];
static GDBusNodeInfo *item_info;
static GDBusNodeInfo *menu_info;

/* From the StatusNotifierItem specification as KDE implements it
 * (knotifications' org.kde.StatusNotifierItem.xml).
 */
static const char     item_xml[] =
  "<node>"
  "  <interface name='" ITEM_INTERFACE "'>"
  "    <property name='Category' type='s' access='read'/>"
  "    <property name='Id' type='s' access='read'/>"
  "    <property name='Title' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='WindowId' type='i' access='read'/>"
  "    <property name='IconThemePath' type='s' access='read'/>"
  "    <property name='Menu' type='o' access='read'/>"
  "    <property name='ItemIsMenu' type='b' access='read'/>"
  "    <property name='IconName' type='s' access='read'/>"
  "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='OverlayIconName' type='s' access='read'/>"
  "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionIconName' type='s' access='read'/>"
  "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
  "    <property name='AttentionMovieName' type='s' access='read'/>"
  "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
  "    <method name='ContextMenu'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='Activate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='SecondaryActivate'>"
  "      <arg name='x' type='i' direction='in'/>"
  "      <arg name='y' type='i' direction='in'/>"
  "    </method>"
  "    <method name='Scroll'>"
  "      <arg name='delta' type='i' direction='in'/>"
  "      <arg name='orientation' type='s' direction='in'/>"
  "    </method>"
  "    <signal name='NewTitle'/>"
  "    <signal name='NewIcon'/>"
  "    <signal name='NewAttentionIcon'/>"
  "    <signal name='NewOverlayIcon'/>"
  "    <signal name='NewToolTip'/>"
  "    <signal name='NewStatus'>"
  "      <arg name='status' type='s'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

/* From libdbusmenu's dbus-menu.xml, version 3. */
static const char menu_xml[] =
  "<node>"
  "  <interface name='" MENU_INTERFACE "'>"
  "    <property name='Version' type='u' access='read'/>"
  "    <property name='TextDirection' type='s' access='read'/>"
  "    <property name='Status' type='s' access='read'/>"
  "    <property name='IconThemePath' type='as' access='read'/>"
  "    <method name='GetLayout'>"
  "      <arg name='parentId' type='i' direction='in'/>"
  "      <arg name='recursionDepth' type='i' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='revision' type='u' direction='out'/>"
  "      <arg name='layout' type='(ia{sv}av)' direction='out'/>"
  "    </method>"
  "    <method name='GetGroupProperties'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='propertyNames' type='as' direction='in'/>"
  "      <arg name='properties' type='a(ia{sv})' direction='out'/>"
  "    </method>"
  "    <method name='GetProperty'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='name' type='s' direction='in'/>"
  "      <arg name='value' type='v' direction='out'/>"
  "    </method>"
  "    <method name='Event'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='eventId' type='s' direction='in'/>"
  "      <arg name='data' type='v' direction='in'/>"
  "      <arg name='timestamp' type='u' direction='in'/>"
  "    </method>"
  "    <method name='EventGroup'>"
  "      <arg name='events' type='a(isvu)' direction='in'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShow'>"
  "      <arg name='id' type='i' direction='in'/>"
  "      <arg name='needUpdate' type='b' direction='out'/>"
  "    </method>"
  "    <method name='AboutToShowGroup'>"
  "      <arg name='ids' type='ai' direction='in'/>"
  "      <arg name='updatesNeeded' type='ai' direction='out'/>"
  "      <arg name='idErrors' type='ai' direction='out'/>"
  "    </method>"
  "    <signal name='ItemsPropertiesUpdated'>"
  "      <arg name='updatedProps' type='a(ia{sv})'/>"
  "      <arg name='removedProps' type='a(ias)'/>"
  "    </signal>"
  "    <signal name='LayoutUpdated'>"
  "      <arg name='revision' type='u'/>"
  "      <arg name='parent' type='i'/>"
  "    </signal>"
  "    <signal name='ItemActivationRequested'>"
  "      <arg name='id' type='i'/>"
  "      <arg name='timestamp' type='u'/>"
  "    </signal>"
  "  </interface>"
  "</node>";

static void schedule_update (PdTray *self);

/* Menu entries ---------------------------------------------------------------*/

static MenuEntry *
menu_entry_new (int         id,
                const char *label,
                const char *action,
                const char *serial)
{
  MenuEntry *entry = g_new0 (MenuEntry, 1);

  entry->id = id;
  entry->label = g_strdup (label);
  entry->action = g_strdup (action);
  entry->serial = g_strdup (serial);

  return entry;
}

static void
menu_entry_free (gpointer data)
{
  MenuEntry *entry = data;

  g_free (entry->label);
  g_free (entry->action);
  g_free (entry->serial);
  g_free (entry);
}

static gboolean
menu_entry_equal (gconstpointer a,
                  gconstpointer b)
{
  const MenuEntry *x = a;
  const MenuEntry *y = b;

  return x->id == y->id && g_strcmp0 (x->label, y->label) == 0 &&
         g_strcmp0 (x->action, y->action) == 0 && g_strcmp0 (x->serial, y->serial) == 0;
}

static gboolean
menus_equal (GPtrArray *a,
             GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    if (!menu_entry_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;

  return TRUE;
}

static MenuEntry *
find_menu_entry (PdTray *self,
                 int     id)
{
  for (guint i = 0; i < self->menu->len; i++)
    {
      MenuEntry *entry = g_ptr_array_index (self->menu, i);

      if (entry->id == id)
        return entry;
    }

  return NULL;
}

/* The state --------------------------------------------------------------- */

static Level
printer_level (PdPrinter *printer)
{
  PdStatus status = pd_printer_get_status (printer);

  if (status == PD_STATUS_OFFLINE || pd_printer_get_connection (printer) == PD_CONNECTION_DISCONNECTED)
    return LEVEL_OFFLINE;

  /* A cancelled job carries the print error that says so: not a fault. */
  if (pd_printer_get_hms_level (printer) >= PD_SEVERITY_SERIOUS || status == PD_STATUS_FAILED ||
      (pd_printer_get_print_error (printer) != NULL && status != PD_STATUS_CANCELLED))
    return LEVEL_ERROR;

  if (status == PD_STATUS_PREPARING || status == PD_STATUS_PRINTING || status == PD_STATUS_PAUSED)
    return LEVEL_BUSY;

  return LEVEL_IDLE;
}

static const char *
printer_label (PdPrinter *printer)
{
  const char *label = pd_printer_get_name (printer);

  if (label == NULL || *label == '\0')
    label = pd_printer_get_model_name (printer);
  if (label == NULL || *label == '\0')
    label = pd_printer_get_serial (printer);
  if (label == NULL || *label == '\0')
    /* TRANSLATORS: a printer that has no name, model or serial yet */
    label = _("Printer");

  return label;
}

/* The same words as the window's durations (pd_format_duration()). */
static char *
format_duration (int minutes)
{
  if (minutes < 60)
    /* TRANSLATORS: a duration, "45 min" */
    return g_strdup_printf (_("%d min"), minutes);
  if (minutes % 60 == 0)
    /* TRANSLATORS: a duration in whole hours, "2 h" */
    return g_strdup_printf (_("%d h"), minutes / 60);

  /* TRANSLATORS: a duration, "1 h 13 min" */
  return g_strdup_printf (_("%d h %d min"), minutes / 60, minutes % 60);
}

static char *
printer_text (PdPrinter *printer,
              Level      level)
{
  PdStatus status = pd_printer_get_status (printer);
  PdJob   *job = pd_printer_get_job (printer);
  int      progress = job != NULL ? pd_job_get_progress (job) : -1;
  int      remaining = job != NULL ? pd_job_get_remaining_minutes (job) : -1;

  if (level == LEVEL_OFFLINE)
    return g_strdup (pd_status_to_label (PD_STATUS_OFFLINE));
  if (status == PD_STATUS_FAILED)
    return g_strdup (pd_status_to_label (status));
  if (level == LEVEL_ERROR)
    /* TRANSLATORS: a printer with a serious health (HMS) error or a print error */
    return g_strdup (_("Error"));

  if (status == PD_STATUS_PRINTING && progress >= 0)
    {
      g_autofree char *left = NULL;

      if (remaining < 0)
        /* TRANSLATORS: a job's progress, "42 %" */
        return g_strdup_printf (_("%d %%"), progress);

      left = format_duration (remaining);
      /* TRANSLATORS: a job's progress and the time left, "42 % · 1 h 5 min left" */
      return g_strdup_printf (_("%d %% · %s left"), progress, left);
    }

  if (status == PD_STATUS_PAUSED && progress >= 0)
    /* TRANSLATORS: a paused job's progress, "Paused · 42 %" */
    return g_strdup_printf (_("Paused · %d %%"), progress);

  if (status == PD_STATUS_UNKNOWN && pd_printer_get_connection (printer) == PD_CONNECTION_CONNECTING)
    return g_strdup (pd_connection_to_label (PD_CONNECTION_CONNECTING));

  return g_strdup (pd_status_to_label (status));
}

/* dbusmenu takes "_" for a mnemonic: a printer called "X1C_left" keeps it. */
static char *
escape_mnemonic (const char *label)
{
  GString *text = g_string_new (label);

  g_string_replace (text, "_", "__", 0);
  return g_string_free (text, FALSE);
}

static void
replace_string (char      **field,
                const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
emit (PdTray     *self,
      const char *path,
      const char *interface,
      const char *name,
      GVariant   *parameters)
{
  g_autoptr (GError) error = NULL;

  if (!g_dbus_connection_emit_signal (self->connection, NULL, path, interface, name, parameters, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

/* Brings the exported state in line with the printers, and tells the host
 * what changed when @notify.
 */
static void
update (PdTray  *self,
        gboolean notify)
{
  g_autoptr (GString)   description = g_string_new (NULL);
  g_autoptr (GPtrArray) menu = g_ptr_array_new_with_free_func (menu_entry_free);
  g_autofree char      *ok_icon = g_strconcat (self->app_id, "-symbolic", NULL);
  Level                 fleet = LEVEL_IDLE;
  const char           *icon_name;
  const char           *status;
  gboolean              icon_changed, status_changed, tooltip_changed, menu_changed;

  self->last_update = g_get_monotonic_time ();

  g_ptr_array_add (menu, menu_entry_new (MENU_SHOW_ID, _("Show Printdeck"), "show-window", NULL));
  if (self->watches->len > 0)
    g_ptr_array_add (menu, menu_entry_new (MENU_SEPARATOR_ID, NULL, NULL, NULL));

  for (guint i = 0; i < self->watches->len; i++)
    {
      PrinterWatch    *watch = g_ptr_array_index (self->watches, i);
      Level            level = printer_level (watch->printer);
      const char      *label = printer_label (watch->printer);
      g_autofree char *text = printer_text (watch->printer, level);
      g_autofree char *escaped = escape_mnemonic (label);
      g_autofree char *item = NULL;

      fleet = MAX (fleet, level);

      if (description->len > 0)
        g_string_append_c (description, '\n');
      /* TRANSLATORS: a printer in the tray icon's tooltip, "X1C Left: 42 % · 1 h 5 min left" */
      g_string_append_printf (description, C_("tray tooltip", "%s: %s"), label, text);

      /* TRANSLATORS: a printer in the tray icon's menu, "X1C Left — Printing" */
      item = g_strdup_printf (C_("tray menu", "%s — %s"), escaped, text);
      g_ptr_array_add (menu, menu_entry_new (watch->menu_id, item, "show-printer",
                                             pd_printer_get_serial (watch->printer)));
    }

  if (self->watches->len == 0)
    g_string_append (description, _("No printers"));

  g_ptr_array_add (menu, menu_entry_new (MENU_SEPARATOR_2_ID, NULL, NULL, NULL));
  g_ptr_array_add (menu, menu_entry_new (MENU_QUIT_ID, _("Quit"), "quit", NULL));

  switch (fleet)
    {
    case LEVEL_ERROR:
      icon_name = ICON_ERROR;
      status = "NeedsAttention";
      break;

    case LEVEL_BUSY:
      icon_name = ICON_BUSY;
      status = "Active";
      break;

    case LEVEL_OFFLINE:
    case LEVEL_IDLE:
    default:
      icon_name = ok_icon;
      status = "Active";
      break;
    }

  icon_changed = g_strcmp0 (self->icon_name, icon_name) != 0;
  status_changed = g_strcmp0 (self->status, status) != 0;
  tooltip_changed = icon_changed || g_strcmp0 (self->description, description->str) != 0;
  menu_changed = self->menu == NULL || !menus_equal (self->menu, menu);

  if (icon_changed)
    replace_string (&self->icon_name, icon_name);
  if (status_changed)
    replace_string (&self->status, status);
  if (tooltip_changed)
    replace_string (&self->description, description->str);
  if (menu_changed)
    {
      g_clear_pointer (&self->menu, g_ptr_array_unref);
      self->menu = g_steal_pointer (&menu);
      self->revision++;
    }

  if (!notify || self->item_id == 0)
    return;

  if (icon_changed)
    emit (self, ITEM_PATH, ITEM_INTERFACE, "NewIcon", NULL);
  if (status_changed)
    emit (self, ITEM_PATH, ITEM_INTERFACE, "NewStatus", g_variant_new ("(s)", status));
  if (tooltip_changed)
    emit (self, ITEM_PATH, ITEM_INTERFACE, "NewToolTip", NULL);
  if (menu_changed && self->menu_object_id != 0)
    emit (self, MENU_PATH, MENU_INTERFACE, "LayoutUpdated", g_variant_new ("(ui)", self->revision, MENU_ROOT_ID));
}

static gboolean
on_update_timeout (gpointer user_data)
{
  PdTray *self = user_data;

  g_clear_pointer (&self->update_source, g_source_unref);
  update (self, TRUE);

  return G_SOURCE_REMOVE;
}

static void
cancel_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

static void
schedule_update (PdTray *self)
{
  gint64 wait;

  if (self->update_source != NULL || !self->started)
    return;

  /* The first change goes out at once, the next ones gathered. */
  wait = self->last_update + UPDATE_INTERVAL_MS * 1000 - g_get_monotonic_time ();
  wait = CLAMP (wait, 0, UPDATE_INTERVAL_MS * 1000);
  /* rounded up: never sooner than the interval */
  self->update_source = g_timeout_source_new ((guint) ((wait + 999) / 1000));
  g_source_set_static_name (self->update_source, "[printdeck] tray update");
  g_source_set_callback (self->update_source, on_update_timeout, self, NULL);
  g_source_attach (self->update_source, g_main_context_get_thread_default ());
}

/* Printers ------------------------------------------------------------------ */

static void
on_job_notify (PdJob      *job,
               GParamSpec *pspec,
               gpointer    user_data)
{
  PrinterWatch *watch = user_data;

  schedule_update (watch->tray);
}

static void
on_printer_notify (PdPrinter  *printer,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  static const char *const shown[] = {
    "name", "model-name", "connection", "status", "hms-level", "print-error", "job", NULL
  };
  PrinterWatch *watch = user_data;
  const char   *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "job"))
    g_signal_group_set_target (watch->job_signals, pd_printer_get_job (printer));

  if (g_strv_contains (shown, name))
    schedule_update (watch->tray);
}

static PrinterWatch *
printer_watch_new (PdTray    *self,
                   PdPrinter *printer)
{
  PrinterWatch *watch = g_new0 (PrinterWatch, 1);

  watch->tray = self;
  watch->printer = g_object_ref (printer);
  watch->menu_id = self->next_menu_id++;
  watch->notify_id = g_signal_connect (printer, "notify", G_CALLBACK (on_printer_notify), watch);
  watch->job_signals = g_signal_group_new (PD_TYPE_JOB);
  g_signal_group_connect (watch->job_signals, "notify::progress", G_CALLBACK (on_job_notify), watch);
  g_signal_group_connect (watch->job_signals, "notify::remaining-minutes", G_CALLBACK (on_job_notify), watch);
  g_signal_group_set_target (watch->job_signals, pd_printer_get_job (printer));

  return watch;
}

static void
printer_watch_free (gpointer data)
{
  PrinterWatch *watch = data;

  g_clear_signal_handler (&watch->notify_id, watch->printer);
  g_clear_object (&watch->job_signals);
  g_clear_object (&watch->printer);
  g_free (watch);
}

static void
on_printers_changed (GListModel *printers,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    user_data)
{
  PdTray *self = user_data;

  g_ptr_array_remove_range (self->watches, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (printers, position + i);

      g_ptr_array_insert (self->watches, (int) (position + i), printer_watch_new (self, printer));
    }

  schedule_update (self);
}

/* Actions ------------------------------------------------------------------- */

/* Activates the application's action @name, if it has one that takes
 * @parameter (floating references are consumed) and is enabled.
 */
static void
activate_action (PdTray     *self,
                 const char *name,
                 GVariant   *parameter)
{
  g_autoptr (GObject)  object = g_weak_ref_get (&self->actions);
  g_autoptr (GVariant) owned = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;
  GActionGroup        *actions = (GActionGroup *) object;
  const GVariantType  *type = NULL;
  gboolean             enabled = FALSE;

  (void) owned; /* holds a floating parameter until the end */
  if (actions == NULL || !g_action_group_query_action (actions, name, &enabled, &type, NULL, NULL, NULL))
    {
      g_debug ("No action %s to activate", name);
      return;
    }

  if (!enabled)
    return;

  if ((type == NULL) != (parameter == NULL) || (type != NULL && !g_variant_is_of_type (parameter, type)))
    {
      g_debug ("Action %s takes another parameter", name);
      return;
    }

  g_action_group_activate_action (actions, name, parameter);
}

static void
activate_menu_entry (PdTray          *self,
                     const MenuEntry *entry)
{
  if (entry->action == NULL)
    return;

  if (g_str_equal (entry->action, "show-printer"))
    {
      if (entry->serial != NULL)
        activate_action (self, entry->action, g_variant_new_string (entry->serial));
    }
  else
    activate_action (self, entry->action, NULL);
}

/* org.kde.StatusNotifierItem ------------------------------------------------ */

static GVariant *
no_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
}

static void
item_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  PdTray *self = user_data;

  /* GDBus has checked the method and its arguments against item_xml. The
   * host shows the menu on a right click itself; a middle click or a
   * scroll has nothing to do.
   */
  if (g_str_equal (method_name, "Activate"))
    activate_action (self, "show-window", NULL);

  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
item_get_property (GDBusConnection *connection,
                   const char      *sender,
                   const char      *object_path,
                   const char      *interface_name,
                   const char      *property_name,
                   GError         **error,
                   gpointer         user_data)
{
  PdTray *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("ApplicationStatus");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (self->app_id);
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (_("Printdeck"));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (self->status);
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (MENU_PATH);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name);
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (ICON_ERROR);
  if (g_str_equal (property_name, "IconThemePath") || g_str_equal (property_name, "OverlayIconName") ||
      g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_equal (property_name, "IconPixmap") || g_str_equal (property_name, "OverlayIconPixmap") ||
      g_str_equal (property_name, "AttentionIconPixmap"))
    return no_pixmaps ();
  if (g_str_equal (property_name, "ToolTip"))
    /* Plain text: hosts disagree on the markup they take. */
    return g_variant_new ("(s@a(iiay)ss)", self->icon_name, no_pixmaps (), _("Printdeck"), self->description);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable item_vtable = {
  item_method_call,
  item_get_property,
  NULL,
};

/* com.canonical.dbusmenu ---------------------------------------------------- */

static gboolean
wants (const char *const *names,
       const char        *name)
{
  return names == NULL || names[0] == NULL || g_strv_contains (names, name);
}

/* The properties of the item @id (MENU_ROOT_ID or an entry), those that are
 * not at their default value, as a{sv}.
 */
static GVariant *
menu_item_properties (const MenuEntry   *entry,
                      const char *const *names)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);

  if (entry == NULL)
    {
      if (wants (names, "children-display"))
        g_variant_builder_add (&builder, "{sv}", "children-display", g_variant_new_string ("submenu"));
    }
  else if (entry->label == NULL)
    {
      if (wants (names, "type"))
        g_variant_builder_add (&builder, "{sv}", "type", g_variant_new_string ("separator"));
    }
  else
    {
      if (wants (names, "label"))
        g_variant_builder_add (&builder, "{sv}", "label", g_variant_new_string (entry->label));
      if (wants (names, "enabled") && g_strcmp0 (entry->action, "show-printer") == 0 && entry->serial == NULL)
        g_variant_builder_add (&builder, "{sv}", "enabled", g_variant_new_boolean (FALSE));
    }

  return g_variant_builder_end (&builder);
}

static GVariant *
menu_layout (const MenuEntry   *entry,
             const char *const *names,
             GPtrArray         *children)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
  for (guint i = 0; children != NULL && i < children->len; i++)
    {
      const MenuEntry *child = g_ptr_array_index (children, i);

      g_variant_builder_add (&builder, "v", menu_layout (child, names, NULL));
    }

  return g_variant_new ("(i@a{sv}av)", entry != NULL ? entry->id : MENU_ROOT_ID,
                        menu_item_properties (entry, names), &builder);
}

static void
menu_get_layout (PdTray                *self,
                 GVariant              *parameters,
                 GDBusMethodInvocation *invocation)
{
  g_autofree const char **names = NULL;
  const MenuEntry        *entry = NULL;
  int                     parent, depth;

  g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);

  if (parent != MENU_ROOT_ID && (entry = find_menu_entry (self, parent)) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", parent);
      return;
    }

  /* The menu is flat: only the root has children. */
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(u@(ia{sv}av))", self->revision,
                                                        menu_layout (entry, names,
                                                                     entry == NULL && depth != 0 ? self->menu : NULL)));
}

static void
menu_get_group_properties (PdTray                *self,
                           GVariant              *parameters,
                           GDBusMethodInvocation *invocation)
{
  g_autoptr (GVariantIter) ids = NULL;
  g_autofree const char  **names = NULL;
  GVariantBuilder          builder;
  int                      id;

  g_variant_get (parameters, "(ai^a&s)", &ids, &names);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ia{sv})"));

  /* Unknown ids are left out, as libdbusmenu does. */
  while (g_variant_iter_next (ids, "i", &id))
    {
      const MenuEntry *entry = find_menu_entry (self, id);

      if (id == MENU_ROOT_ID || entry != NULL)
        g_variant_builder_add (&builder, "(i@a{sv})", id, menu_item_properties (entry, names));
    }

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &builder));
}

static void
menu_get_property (PdTray                *self,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation)
{
  const char          *name;
  const char          *names[2] = { NULL, NULL };
  const MenuEntry     *entry = NULL;
  g_autoptr (GVariant) props = NULL;
  g_autoptr (GVariant) value = NULL;
  int                  id;

  g_variant_get (parameters, "(i&s)", &id, &name);

  if (id != MENU_ROOT_ID && (entry = find_menu_entry (self, id)) == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "No menu item %d", id);
      return;
    }

  names[0] = name;
  props = g_variant_ref_sink (menu_item_properties (entry, names));
  value = g_variant_lookup_value (props, name, NULL);
  if (value == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "Menu item %d has no property %s", id, name);
      return;
    }

  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
}

/* Handles one event; FALSE when there is no item @id. */
static gboolean
menu_event (PdTray     *self,
            int         id,
            const char *event_id)
{
  const MenuEntry *entry = find_menu_entry (self, id);

  if (entry == NULL)
    return id == MENU_ROOT_ID;

  /* "hovered", "opened" and "closed" need nothing. */
  if (g_str_equal (event_id, "clicked"))
    activate_menu_entry (self, entry);

  return TRUE;
}

static void
menu_method_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *object_path,
                  const char            *interface_name,
                  const char            *method_name,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  PdTray *self = user_data;

  /* GDBus has checked the method and its arguments against menu_xml. */
  if (g_str_equal (method_name, "GetLayout"))
    menu_get_layout (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetGroupProperties"))
    menu_get_group_properties (self, parameters, invocation);
  else if (g_str_equal (method_name, "GetProperty"))
    menu_get_property (self, parameters, invocation);
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event_id;
      int         id;

      g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
      if (menu_event (self, id, event_id))
        g_dbus_method_invocation_return_value (invocation, NULL);
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No menu item %d", id);
    }
  else if (g_str_equal (method_name, "EventGroup"))
    {
      g_autoptr (GVariantIter) events = NULL;
      GVariantBuilder          errors;
      const char              *event_id;
      int                      id;

      g_variant_get (parameters, "(a(isvu))", &events);
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (events, "(i&svu)", &id, &event_id, NULL, NULL))
        if (!menu_event (self, id, event_id))
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
    }
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      int id;

      /* Every update is announced with LayoutUpdated: never a need. */
      g_variant_get (parameters, "(i)", &id);
      if (id == MENU_ROOT_ID || find_menu_entry (self, id) != NULL)
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
      else
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "No menu item %d", id);
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    {
      g_autoptr (GVariantIter) ids = NULL;
      GVariantBuilder          updates, errors;
      int                      id;

      g_variant_get (parameters, "(ai)", &ids);
      g_variant_builder_init (&updates, G_VARIANT_TYPE ("ai"));
      g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
      while (g_variant_iter_next (ids, "i", &id))
        if (id != MENU_ROOT_ID && find_menu_entry (self, id) == NULL)
          g_variant_builder_add (&errors, "i", id);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(aiai)", &updates, &errors));
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
menu_get_dbus_property (GDBusConnection *connection,
                        const char      *sender,
                        const char      *object_path,
                        const char      *interface_name,
                        const char      *property_name,
                        GError         **error,
                        gpointer         user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  /* The core has no GTK to ask for the locale's direction; the labels
   * are the host's to lay out.
   */
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string ("ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);

  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable menu_vtable = {
  menu_method_call,
  menu_get_dbus_property,
  NULL,
};

/* Registration -------------------------------------------------------------- */

static void
set_registered (PdTray  *self,
                gboolean registered)
{
  if (self->registered == registered)
    return;

  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGISTERED]);
}

static void
on_register_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;
  PdTray              *self;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* Cancelled by pd_tray_stop() (or dispose), or the watcher left: @self
   * may be gone.
   */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->register_cancellable);

  if (error != NULL)
    {
      g_debug ("The StatusNotifierWatcher did not register the tray icon: %s", error->message);
      return;
    }

  g_debug ("Tray icon registered as %s", self->bus_name);
  set_registered (self, TRUE);
}

static void
cancel_registration (PdTray *self)
{
  g_cancellable_cancel (self->register_cancellable);
  g_clear_object (&self->register_cancellable);
}

static void
try_register (PdTray *self)
{
  if (!self->name_owned || !self->watcher_present)
    return;

  /* Only the newest request counts: a restarted watcher forgot the others. */
  cancel_registration (self);
  self->register_cancellable = g_cancellable_new ();
  g_dbus_connection_call (self->connection,
                          WATCHER_NAME, WATCHER_PATH, WATCHER_INTERFACE,
                          "RegisterStatusNotifierItem",
                          g_variant_new ("(s)", self->bus_name),
                          NULL,
                          G_DBUS_CALL_FLAGS_NONE,
                          -1,
                          self->register_cancellable,
                          on_register_done,
                          self);
}

static void
on_watcher_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *owner,
                     gpointer         user_data)
{
  PdTray *self = user_data;

  self->watcher_present = TRUE;
  try_register (self);
}

static void
on_watcher_vanished (GDBusConnection *connection,
                     const char      *name,
                     gpointer         user_data)
{
  PdTray *self = user_data;

  if (!self->watcher_present)
    g_debug ("No StatusNotifierWatcher: no tray icon until one appears");
  self->watcher_present = FALSE;
  cancel_registration (self);
  set_registered (self, FALSE);
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  PdTray *self = user_data;

  self->name_owned = TRUE;
  try_register (self);
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  PdTray *self = user_data;

  g_debug ("Lost the bus name %s", name);
  self->name_owned = FALSE;
  cancel_registration (self);
  set_registered (self, FALSE);
}

/* GObject ------------------------------------------------------------------- */

static void
pd_tray_dispose (GObject *object)
{
  PdTray *self = PD_TRAY (object);

  pd_tray_stop (self);

  G_OBJECT_CLASS (pd_tray_parent_class)->dispose (object);
}

static void
pd_tray_finalize (GObject *object)
{
  PdTray *self = PD_TRAY (object);

  g_clear_pointer (&self->watches, g_ptr_array_unref);
  g_clear_pointer (&self->menu, g_ptr_array_unref);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->icon_name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->app_id, g_free);
  g_clear_object (&self->printers);
  g_clear_object (&self->connection);
  g_weak_ref_clear (&self->actions);

  G_OBJECT_CLASS (pd_tray_parent_class)->finalize (object);
}

static void
pd_tray_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  PdTray *self = PD_TRAY (object);

  switch (prop_id)
    {
    case PROP_REGISTERED:
      g_value_set_boolean (value, self->registered);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_tray_class_init (PdTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_tray_dispose;
  object_class->finalize = pd_tray_finalize;
  object_class->get_property = pd_tray_get_property;

  /**
   * PdTray:registered:
   *
   * Whether a StatusNotifierWatcher has taken the icon, i.e. whether the
   * desktop shows it (as far as the tray can know).
   */
  properties[PROP_REGISTERED] =
    g_param_spec_boolean ("registered", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Kept for the life of the process, like the class. */
  item_info = g_dbus_node_info_new_for_xml (item_xml, NULL);
  menu_info = g_dbus_node_info_new_for_xml (menu_xml, NULL);
  g_assert (item_info != NULL && menu_info != NULL);
}

static void
pd_tray_init (PdTray *self)
{
  self->watches = g_ptr_array_new_with_free_func (printer_watch_free);
  self->next_menu_id = FIRST_PRINTER_ID;
  g_weak_ref_init (&self->actions, NULL);
}

/* Public API ---------------------------------------------------------------- */

/**
 * pd_tray_new:
 * @connection: the session bus
 * @app_id: the application id: the item's Id, and "@app_id-symbolic" is
 *   its icon while all is well
 * @printers: a #GListModel of #PdPrinter
 * @actions: where the menu's actions are: "show-window", "show-printer"
 *   (the serial, "s") and "quit"; not referenced, as it owns the tray
 *
 * Creates a tray icon, not shown before pd_tray_start().
 *
 * Returns: (transfer full): a new #PdTray
 */
PdTray *
pd_tray_new (GDBusConnection *connection,
             const char      *app_id,
             GListModel      *printers,
             GActionGroup    *actions)
{
  PdTray *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), NULL);
  g_return_val_if_fail (app_id != NULL, NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (printers), NULL);
  g_return_val_if_fail (actions == NULL || G_IS_ACTION_GROUP (actions), NULL);

  self = g_object_new (PD_TYPE_TRAY, NULL);
  self->connection = g_object_ref (connection);
  self->app_id = g_strdup (app_id);
  self->printers = g_object_ref (printers);
  g_weak_ref_set (&self->actions, actions);

  return self;
}

/**
 * pd_tray_start:
 * @self: a tray icon
 *
 * Exports the icon and its menu, and registers them with the desktop's
 * StatusNotifierWatcher whenever one is there (again after it restarts).
 * From then on the icon follows the printers. Starting twice does nothing.
 */
void
pd_tray_start (PdTray *self)
{
  static int         instance;
  g_autoptr (GError) error = NULL;
  guint              n;

  g_return_if_fail (PD_IS_TRAY (self));

  if (self->started)
    return;
  self->started = TRUE;

  self->items_changed_id = g_signal_connect (self->printers, "items-changed", G_CALLBACK (on_printers_changed), self);
  n = g_list_model_get_n_items (self->printers);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (self->printers, i);

      g_ptr_array_add (self->watches, printer_watch_new (self, printer));
    }
  update (self, FALSE);

  self->item_id = g_dbus_connection_register_object (self->connection, ITEM_PATH, item_info->interfaces[0],
                                                     &item_vtable, self, NULL, &error);
  if (self->item_id == 0)
    {
      /* Another tray on this connection: a second app object in one
       * process (tests make several). One tray is enough.
       */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        g_debug ("No second tray icon: %s", error->message);
      else
        g_message ("No tray icon: %s", error->message);
      return;
    }

  self->menu_object_id = g_dbus_connection_register_object (self->connection, MENU_PATH, menu_info->interfaces[0],
                                                            &menu_vtable, self, NULL, &error);
  if (self->menu_object_id == 0)
    g_message ("The tray icon has no menu: %s", error->message);

  /* The watcher wants a name it can follow; the specification's form. */
  self->bus_name = g_strdup_printf ("org.kde.StatusNotifierItem-%d-%d", (int) getpid (),
                                    g_atomic_int_add (&instance, 1) + 1);
  self->own_id = g_bus_own_name_on_connection (self->connection, self->bus_name,
                                               G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                               on_name_acquired, on_name_lost, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (self->connection, WATCHER_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_watcher_appeared, on_watcher_vanished, self, NULL);
}

/**
 * pd_tray_stop:
 * @self: a tray icon
 *
 * Takes the icon away: gives up its bus name (the watcher drops it then),
 * stops following the watcher and the printers. It can be started again.
 */
void
pd_tray_stop (PdTray *self)
{
  g_return_if_fail (PD_IS_TRAY (self));

  if (!self->started)
    return;
  self->started = FALSE;

  cancel_registration (self);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  if (self->own_id != 0)
    g_bus_unown_name (self->own_id);
  self->own_id = 0;
  g_clear_pointer (&self->bus_name, g_free);
  self->name_owned = FALSE;
  self->watcher_present = FALSE;

  if (self->item_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->item_id);
  self->item_id = 0;
  if (self->menu_object_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->menu_object_id);
  self->menu_object_id = 0;

  g_clear_signal_handler (&self->items_changed_id, self->printers);
  g_ptr_array_set_size (self->watches, 0);
  g_clear_pointer (&self->update_source, cancel_source);

  set_registered (self, FALSE);
}

/**
 * pd_tray_is_registered:
 * @self: a tray icon
 *
 * Returns: whether a StatusNotifierWatcher has taken the icon
 */
gboolean
pd_tray_is_registered (PdTray *self)
{
  g_return_val_if_fail (PD_IS_TRAY (self), FALSE);

  return self->registered;
}
