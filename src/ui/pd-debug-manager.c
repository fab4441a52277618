/* pd-debug-manager.c — the app's MQTT debug log features
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owned by the application: hands out the printers' debug logs with the
 * capacity of the debug-log-capacity setting (and keeps them at it), opens
 * one debug window per printer, and holds the app.show-debug-log and
 * app.toggle-debug actions, so that pd-application.c only creates it.
 */

#define G_LOG_DOMAIN "pd-debug-manager"

#include "config.h"

#include "pd-debug-manager.h"
#include "pd-debug-window.h"

struct _PdDebugManager
{
  GObject         parent_instance;

  PdPrinterStore *store;
  GSettings      *settings;
  GHashTable     *logs; /* PdPrinter → PdDebugLog, the ones handed out */
  GtkApplication *app;  /* weak */
};

G_DEFINE_FINAL_TYPE (PdDebugManager, pd_debug_manager, G_TYPE_OBJECT)

static guint
get_capacity (PdDebugManager *self)
{
  return self->settings != NULL ? g_settings_get_uint (self->settings, "debug-log-capacity")
                                : PD_DEBUG_LOG_DEFAULT_CAPACITY;
}

static void
on_capacity_changed (PdDebugManager *self)
{
  GHashTableIter iter;
  gpointer       log;

  g_hash_table_iter_init (&iter, self->logs);
  while (g_hash_table_iter_next (&iter, NULL, &log))
    pd_debug_log_set_capacity (log, get_capacity (self));
}

/* Printers that went take their logs with them. */
static void
on_store_items_changed (PdDebugManager *self)
{
  GHashTableIter iter;
  gpointer       printer;

  g_hash_table_iter_init (&iter, self->logs);
  while (g_hash_table_iter_next (&iter, &printer, NULL))
    if (pd_printer_store_find (self->store, pd_printer_get_serial (printer)) != printer)
      g_hash_table_iter_remove (&iter);
}

/* Actions --------------------------------------------------------------------------*/

static PdPrinter *
find_printer (PdDebugManager *self,
              GVariant       *parameter)
{
  const char *serial = g_variant_get_string (parameter, NULL);
  PdPrinter  *printer = pd_printer_store_find (self->store, serial);

  if (printer == NULL)
    g_debug ("No printer %s", serial);

  return printer;
}

static void
show_debug_log_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  PdDebugManager *self = data;
  PdPrinter      *printer = find_printer (self, parameter);

  if (printer != NULL)
    pd_debug_manager_show_log (self, printer);
}

static void
toggle_debug_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       data)
{
  PdDebugManager *self = data;
  PdPrinter      *printer = find_printer (self, parameter);

  if (printer != NULL)
    pd_debug_manager_toggle (self, printer);
}

static const GActionEntry debug_actions[] = {
  { "show-debug-log", show_debug_log_action, "s" },
  { "toggle-debug", toggle_debug_action, "s" },
};

/* GObject --------------------------------------------------------------------------*/

static void
pd_debug_manager_dispose (GObject *object)
{
  PdDebugManager *self = PD_DEBUG_MANAGER (object);

  g_clear_weak_pointer (&self->app);
  if (self->logs != NULL)
    g_hash_table_remove_all (self->logs);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pd_debug_manager_parent_class)->dispose (object);
}

static void
pd_debug_manager_finalize (GObject *object)
{
  PdDebugManager *self = PD_DEBUG_MANAGER (object);

  g_clear_pointer (&self->logs, g_hash_table_unref);

  G_OBJECT_CLASS (pd_debug_manager_parent_class)->finalize (object);
}

static void
pd_debug_manager_class_init (PdDebugManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_debug_manager_dispose;
  object_class->finalize = pd_debug_manager_finalize;
}

static void
pd_debug_manager_init (PdDebugManager *self)
{
  self->logs = g_hash_table_new_full (NULL, NULL, g_object_unref, g_object_unref);
}

/**
 * pd_debug_manager_new:
 * @store: the printers
 * @settings: (nullable): the app's settings; without them the default
 *   capacity applies
 *
 * Returns: (transfer full): the debug log features for @store's printers
 */
PdDebugManager *
pd_debug_manager_new (PdPrinterStore *store,
                      GSettings      *settings)
{
  PdDebugManager *self;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PD_TYPE_DEBUG_MANAGER, NULL);
  self->store = g_object_ref (store);
  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_signal_connect_object (settings, "changed::debug-log-capacity", G_CALLBACK (on_capacity_changed), self,
                               G_CONNECT_SWAPPED);
    }
  g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * pd_debug_manager_add_actions:
 * @self: the debug log features
 * @app: the application
 *
 * Adds app.show-debug-log(serial) and app.toggle-debug(serial).
 */
void
pd_debug_manager_add_actions (PdDebugManager *self,
                              GtkApplication *app)
{
  g_return_if_fail (PD_IS_DEBUG_MANAGER (self));
  g_return_if_fail (GTK_IS_APPLICATION (app));

  g_set_weak_pointer (&self->app, app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), debug_actions, G_N_ELEMENTS (debug_actions), self);
}

/**
 * pd_debug_manager_get_log:
 * @self: the debug log features
 * @printer: one of the store's printers
 *
 * Returns: (transfer none) (nullable): the printer's debug log, its
 *   capacity the setting's
 */
PdDebugLog *
pd_debug_manager_get_log (PdDebugManager *self,
                          PdPrinter      *printer)
{
  PdDebugLog *log;

  g_return_val_if_fail (PD_IS_DEBUG_MANAGER (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  log = g_hash_table_lookup (self->logs, printer);
  if (log != NULL)
    return log;

  log = pd_printer_store_get_debug_log (self->store, printer);
  if (log == NULL)
    return NULL;
  pd_debug_log_set_capacity (log, get_capacity (self));
  g_hash_table_insert (self->logs, g_object_ref (printer), g_object_ref (log));

  return log;
}

static GtkWindow *
find_window (PdPrinter *printer)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (PD_IS_DEBUG_WINDOW (window) && pd_debug_window_get_printer (PD_DEBUG_WINDOW (window)) == printer)
        return window;
    }

  return NULL;
}

/**
 * pd_debug_manager_show_log:
 * @self: the debug log features
 * @printer: one of the store's printers
 *
 * Presents the printer's debug window: its own, raised when it is open.
 *
 * Returns: (transfer none) (nullable): the window
 */
GtkWindow *
pd_debug_manager_show_log (PdDebugManager *self,
                           PdPrinter      *printer)
{
  GtkWindow  *window;
  PdDebugLog *log;

  g_return_val_if_fail (PD_IS_DEBUG_MANAGER (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  window = find_window (printer);
  if (window == NULL)
    {
      if ((log = pd_debug_manager_get_log (self, printer)) == NULL)
        return NULL;
      window = GTK_WINDOW (pd_debug_window_new (log, printer));
      if (self->app != NULL)
        gtk_window_set_application (window, self->app);
    }
  gtk_window_present (window);

  return window;
}

/**
 * pd_debug_manager_toggle:
 * @self: the debug log features
 * @printer: one of the store's printers
 *
 * Starts capturing the printer's messages, or stops.
 */
void
pd_debug_manager_toggle (PdDebugManager *self,
                         PdPrinter      *printer)
{
  PdDebugLog *log;

  g_return_if_fail (PD_IS_DEBUG_MANAGER (self));
  g_return_if_fail (PD_IS_PRINTER (printer));

  if ((log = pd_debug_manager_get_log (self, printer)) == NULL)
    return;
  if (pd_debug_log_get_capturing (log))
    pd_debug_log_stop (log);
  else
    pd_debug_log_start (log);
}
