/* pd-camera-manager.c — the app's camera features
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the camera features share, owned by the application: the snapshot
 * store (its size limit and format follow the settings), snapshots taken
 * with or without a camera view open, the automatic snapshot when a print
 * ends, and one camera window and one snapshot gallery per printer, plus
 * the camera wall. The app's camera actions (app.show-camera and friends)
 * live here too, so that pd-application.c only creates this object.
 */

#define G_LOG_DOMAIN "pd-camera-manager"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-camera-manager.h"
#include "pd-camera-window.h"
#include "pd-cameras-window.h"
#include "pd-format.h"
#include "pd-snapshot-window.h"

#define BYTES_PER_MB (1000 * 1000) /* as g_format_size() counts */

struct _PdCameraManager
{
  GObject          parent_instance;

  PdPrinterStore  *store;
  GSettings       *settings;
  PdSnapshotStore *snapshots;
  GHashTable      *statuses; /* PdPrinter → last PdStatus, for the automatic snapshots */
  GCancellable    *cancellable;
  GtkApplication  *app; /* weak */
};

G_DEFINE_FINAL_TYPE (PdCameraManager, pd_camera_manager, G_TYPE_OBJECT)

/* Snapshots ---------------------------------------------------------------------*/

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr (GTask)  task = data;
  g_autoptr (GError) error = NULL;
  GFile             *file;

  file = pd_snapshot_store_save_finish (PD_SNAPSHOT_STORE (source), result, &error);
  if (file == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, file, g_object_unref);
}

static void
save_frame (GTask         *task,
            PdCameraFrame *frame)
{
  PdCameraManager      *self = g_task_get_source_object (task);
  const char           *name = g_task_get_task_data (task);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  pd_snapshot_store_save_async (self->snapshots, name, frame, now, g_task_get_cancellable (task), on_saved, task);
}

static void
on_grabbed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  GTask                    *task = data;
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdCameraFrame) frame = NULL;

  frame = pd_camera_source_grab_finish (PD_CAMERA_SOURCE (source), result, &error);
  if (frame == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  save_frame (task, frame);
}

/* Automatic snapshots -----------------------------------------------------------*/

static void
on_auto_snapshot (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_autofree char   *name = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile)  file = NULL;
  g_autofree char   *path = NULL;

  file = pd_camera_manager_take_snapshot_finish (PD_CAMERA_MANAGER (source), result, &error);
  if (file == NULL)
    {
      /* Only a line in the log: nobody asked for this one. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("No automatic snapshot of %s: %s", name, error->message);
      return;
    }

  path = g_file_get_path (file);
  g_message ("Automatic snapshot of %s: %s", name, path);
}

static gboolean
job_was_running (PdStatus status)
{
  return status == PD_STATUS_PRINTING || status == PD_STATUS_PAUSED;
}

/* A print that ends on its own, well or badly, gets its picture taken: the
 * finished part, or the spaghetti. A cancelled print does not: the user was
 * there.
 */
static void
on_status_changed (PdPrinter       *printer,
                   GParamSpec      *pspec,
                   PdCameraManager *self)
{
  PdStatus before = GPOINTER_TO_UINT (g_hash_table_lookup (self->statuses, printer));
  PdStatus now = pd_printer_get_status (printer);

  g_hash_table_insert (self->statuses, g_object_ref (printer), GUINT_TO_POINTER (now));
  if (!job_was_running (before) || (now != PD_STATUS_FINISHED && now != PD_STATUS_FAILED))
    return;
  if (self->settings != NULL && !g_settings_get_boolean (self->settings, "auto-snapshots"))
    return;
  if (!pd_camera_manager_has_camera (self, printer))
    return;

  g_debug ("%s: the print ended (%d), taking a snapshot", pd_printer_get_serial (printer), now);
  pd_camera_manager_take_snapshot_async (self, printer, self->cancellable, on_auto_snapshot,
                                         g_strdup (pd_format_printer_name (printer)));
}

static void
on_store_items_changed (PdCameraManager *self,
                        guint            position,
                        guint            removed,
                        guint            added,
                        GListModel      *model)
{
  GHashTableIter iter;
  gpointer       printer;

  g_hash_table_iter_init (&iter, self->statuses);
  while (g_hash_table_iter_next (&iter, &printer, NULL))
    if (pd_printer_store_find (self->store, pd_printer_get_serial (printer)) != printer)
      {
        g_signal_handlers_disconnect_by_data (printer, self);
        g_hash_table_iter_remove (&iter);
      }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter) item = g_list_model_get_item (model, i);

      if (g_hash_table_contains (self->statuses, item))
        continue;
      g_hash_table_insert (self->statuses, g_object_ref (item), GUINT_TO_POINTER (pd_printer_get_status (item)));
      g_signal_connect (item, "notify::status", G_CALLBACK (on_status_changed), self);
    }
}

/* Settings ----------------------------------------------------------------------*/

static void
on_limit_changed (PdCameraManager *self)
{
  pd_snapshot_store_set_limit (self->snapshots,
                               (guint64) g_settings_get_uint (self->settings, "snapshot-limit-mb") * BYTES_PER_MB);
}

static void
on_format_changed (PdCameraManager *self)
{
  /* The schema's enum has PdSnapshotFormat's values. */
  pd_snapshot_store_set_format (self->snapshots, g_settings_get_enum (self->settings, "snapshot-format"));
}

/* Windows -----------------------------------------------------------------------*/

static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static PdPrinter *
find_printer (PdCameraManager *self,
              GVariant        *parameter)
{
  const char *serial = g_variant_get_string (parameter, NULL);
  PdPrinter  *printer = pd_printer_store_find (self->store, serial);

  if (printer == NULL)
    g_debug ("No printer %s", serial);

  return printer;
}

typedef struct
{
  GtkWindow *window; /* weak */
} ToastTarget;

static void
toast_target_free (ToastTarget *target)
{
  g_clear_weak_pointer (&target->window);
  g_free (target);
}

static void
on_snapshot_action_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  ToastTarget       *target = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile)  file = NULL;
  AdwToastOverlay   *overlay = NULL;
  AdwToast          *toast;

  file = pd_camera_manager_take_snapshot_finish (PD_CAMERA_MANAGER (source), result, &error);
  if (target->window != NULL)
    overlay = find_toast_overlay (GTK_WIDGET (target->window));

  if (file != NULL)
    toast = pd_camera_manager_new_saved_toast (file);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      toast_target_free (target);
      return;
    }
  else
    {
      /* TRANSLATORS: a toast, "No snapshot: The camera cannot be reached" */
      g_autofree char *text = g_strdup_printf (_("No snapshot: %s"), error->message);

      g_message ("%s", text);
      toast = adw_toast_new (text);
    }

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, toast);
  else
    g_object_unref (toast);
  toast_target_free (target);
}

static void
show_camera_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       data)
{
  PdCameraManager *self = data;
  PdPrinter       *printer = find_printer (self, parameter);

  if (printer != NULL)
    pd_camera_manager_show_camera (self, printer);
}

static void
show_snapshots_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       data)
{
  PdCameraManager *self = data;
  PdPrinter       *printer = find_printer (self, parameter);

  if (printer != NULL)
    pd_camera_manager_show_snapshots (self, printer);
}

static void
show_cameras_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       data)
{
  pd_camera_manager_show_cameras (PD_CAMERA_MANAGER (data));
}

/* Works without any camera view open: the source connects for one frame
 * and stops again after its linger.
 */
static void
take_snapshot_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       data)
{
  PdCameraManager *self = data;
  PdPrinter       *printer = find_printer (self, parameter);
  ToastTarget     *target;

  if (printer == NULL)
    return;

  target = g_new0 (ToastTarget, 1);
  if (self->app != NULL)
    g_set_weak_pointer (&target->window, gtk_application_get_active_window (self->app));
  pd_camera_manager_take_snapshot_async (self, printer, self->cancellable, on_snapshot_action_done, target);
}

static const GActionEntry camera_actions[] = {
  { "show-camera", show_camera_action, "s" },
  { "take-snapshot", take_snapshot_action, "s" },
  { "show-snapshots", show_snapshots_action, "s" },
  { "show-cameras", show_cameras_action },
};

/* GObject -----------------------------------------------------------------------*/

static void
pd_camera_manager_dispose (GObject *object)
{
  PdCameraManager *self = PD_CAMERA_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->statuses != NULL)
    {
      GHashTableIter iter;
      gpointer       printer;

      g_hash_table_iter_init (&iter, self->statuses);
      while (g_hash_table_iter_next (&iter, &printer, NULL))
        g_signal_handlers_disconnect_by_data (printer, self);
    }
  g_clear_pointer (&self->statuses, g_hash_table_unref);
  g_clear_weak_pointer (&self->app);
  g_clear_object (&self->snapshots);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_camera_manager_parent_class)->dispose (object);
}

static void
pd_camera_manager_class_init (PdCameraManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_camera_manager_dispose;
}

static void
pd_camera_manager_init (PdCameraManager *self)
{
  self->cancellable = g_cancellable_new ();
  self->statuses = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
}

/**
 * pd_camera_manager_new:
 * @store: the printers
 * @settings: (nullable): the app's settings; without them the defaults apply
 * @base_dir: (nullable): where snapshots go; %NULL: the snapshot-folder
 *   setting, else $PRINTDECK_PICTURES_DIR, else Pictures/Printdeck
 *
 * Returns: (transfer full): the camera features for @store's printers
 */
PdCameraManager *
pd_camera_manager_new (PdPrinterStore *store,
                       GSettings      *settings,
                       const char     *base_dir)
{
  PdCameraManager *self;
  g_autofree char *folder = NULL;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (PD_TYPE_CAMERA_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  /* The folder is read once: snapshots already taken stay where they are. */
  if (base_dir != NULL)
    folder = g_strdup (base_dir);
  else if (settings != NULL)
    folder = g_settings_get_string (settings, "snapshot-folder");
  self->snapshots = pd_snapshot_store_new (folder != NULL && *folder != '\0' ? folder : NULL);

  if (settings != NULL)
    {
      g_signal_connect_object (settings, "changed::snapshot-limit-mb", G_CALLBACK (on_limit_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::snapshot-format", G_CALLBACK (on_format_changed), self,
                               G_CONNECT_SWAPPED);
      on_limit_changed (self);
      on_format_changed (self);
    }

  g_signal_connect_object (store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  on_store_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (store)), G_LIST_MODEL (store));

  return self;
}

/**
 * pd_camera_manager_add_actions:
 * @self: the camera features
 * @app: the application
 *
 * Adds app.show-camera, app.take-snapshot, app.show-snapshots (each with a
 * printer's serial number) and app.show-cameras,
 * and their shortcuts.
 */
void
pd_camera_manager_add_actions (PdCameraManager *self,
                               GtkApplication  *app)
{
  g_return_if_fail (PD_IS_CAMERA_MANAGER (self));
  g_return_if_fail (GTK_IS_APPLICATION (app));

  g_set_weak_pointer (&self->app, app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), camera_actions, G_N_ELEMENTS (camera_actions), self);
  gtk_application_set_accels_for_action (app, "app.show-cameras", (const char *[]){ "<primary><shift>c", NULL });
}

/* Stops what is under way (snapshots being taken) as the app quits. */
void
pd_camera_manager_shutdown (PdCameraManager *self)
{
  g_return_if_fail (PD_IS_CAMERA_MANAGER (self));

  g_cancellable_cancel (self->cancellable);
}

PdPrinterStore *
pd_camera_manager_get_store (PdCameraManager *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);

  return self->store;
}

PdSnapshotStore *
pd_camera_manager_get_snapshot_store (PdCameraManager *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);

  return self->snapshots;
}

/**
 * pd_camera_manager_get_settings:
 * @self: the camera features
 *
 * Returns: (transfer none) (nullable): the app's settings
 */
GSettings *
pd_camera_manager_get_settings (PdCameraManager *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);

  return self->settings;
}

/**
 * pd_camera_manager_get_camera:
 * @self: the camera features
 * @printer: one of the store's printers
 *
 * Returns: (transfer none) (nullable): its camera, %NULL while it is not
 *   known to have one the app can show
 */
PdCameraSource *
pd_camera_manager_get_camera (PdCameraManager *self,
                              PdPrinter       *printer)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  if (!pd_camera_manager_has_camera (self, printer))
    return NULL;

  return pd_printer_store_get_camera (self->store, printer);
}

/* What the card's camera button goes by: the printer reported a model with
 * a camera (a camera source is only made when one is needed).
 */
gboolean
pd_camera_manager_has_camera (PdCameraManager *self,
                              PdPrinter       *printer)
{
  PdCameraKind kind;

  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), FALSE);
  g_return_val_if_fail (PD_IS_PRINTER (printer), FALSE);

  kind = pd_printer_get_camera_kind (printer);

  return kind == PD_CAMERA_KIND_RTSPS || kind == PD_CAMERA_KIND_JPEG;
}

/**
 * pd_camera_manager_take_snapshot_async:
 * @self: the camera features
 * @printer: one of the store's printers
 * @cancellable: (nullable): to give up
 * @callback: called with the saved file
 * @user_data: for @callback
 *
 * Saves the printer's current picture, at the camera's full size, in its
 * snapshot folder; the camera connects for it if no view has it open.
 */
void
pd_camera_manager_take_snapshot_async (PdCameraManager    *self,
                                       PdPrinter          *printer,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  PdCameraSource   *camera;

  g_return_if_fail (PD_IS_CAMERA_MANAGER (self));
  g_return_if_fail (PD_IS_PRINTER (printer));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_camera_manager_take_snapshot_async);
  g_task_set_task_data (task, g_strdup (pd_format_printer_name (printer)), g_free);

  camera = pd_camera_manager_get_camera (self, printer);
  if (camera == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This printer has no camera that Printdeck can show."));
      return;
    }

  /* Always a grab, even while the camera streams: the views' frames are
   * scaled down to the views' size, and a snapshot is the camera's full
   * picture. A streaming source has it in a frame or two.
   */
  pd_camera_source_grab_async (camera, PD_CAMERA_GRAB_TIMEOUT_MS, cancellable, on_grabbed, g_steal_pointer (&task));
}

/**
 * pd_camera_manager_take_snapshot_finish:
 * @self: the camera features
 * @result: what the callback got
 * @error: where to say why there is no snapshot
 *
 * Returns: (transfer full): the snapshot's file, or %NULL
 */
GFile *
pd_camera_manager_take_snapshot_finish (PdCameraManager *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static GtkWindow *
find_window (GType      type,
             PdPrinter *printer)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);
      PdPrinter            *shown = NULL;

      if (!G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        continue;
      if (printer == NULL)
        return window;
      g_object_get (window, "printer", &shown, NULL);
      if (shown != NULL)
        g_object_unref (shown);
      if (shown == printer)
        return window;
    }

  return NULL;
}

/**
 * pd_camera_manager_show_camera:
 * @self: the camera features
 * @printer: one of the store's printers
 *
 * Presents the printer's camera window: its own, opened again when it is
 * open already.
 *
 * Returns: (transfer none): the window
 */
GtkWindow *
pd_camera_manager_show_camera (PdCameraManager *self,
                               PdPrinter       *printer)
{
  GtkWindow *window;

  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  window = find_window (PD_TYPE_CAMERA_WINDOW, printer);
  if (window == NULL)
    {
      window = GTK_WINDOW (pd_camera_window_new (self, printer));
      if (self->app != NULL)
        gtk_window_set_application (window, self->app);
    }
  gtk_window_present (window);

  return window;
}

/**
 * pd_camera_manager_show_snapshots:
 * @self: the camera features
 * @printer: one of the store's printers
 *
 * Presents the printer's snapshot gallery.
 *
 * Returns: (transfer none): the window
 */
GtkWindow *
pd_camera_manager_show_snapshots (PdCameraManager *self,
                                  PdPrinter       *printer)
{
  GtkWindow *window;

  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  window = find_window (PD_TYPE_SNAPSHOT_WINDOW, printer);
  if (window == NULL)
    {
      window = GTK_WINDOW (pd_snapshot_window_new (self, printer));
      if (self->app != NULL)
        gtk_window_set_application (window, self->app);
    }
  gtk_window_present (window);

  return window;
}

/**
 * pd_camera_manager_show_cameras:
 * @self: the camera features
 *
 * Presents the camera wall: the chosen printers' cameras side by side.
 *
 * Returns: (transfer none): the window
 */
GtkWindow *
pd_camera_manager_show_cameras (PdCameraManager *self)
{
  GtkWindow *window;

  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (self), NULL);

  window = find_window (PD_TYPE_CAMERAS_WINDOW, NULL);
  if (window == NULL)
    {
      window = GTK_WINDOW (pd_cameras_window_new (self));
      if (self->app != NULL)
        gtk_window_set_application (window, self->app);
    }
  gtk_window_present (window);

  return window;
}

/**
 * pd_camera_manager_new_saved_toast:
 * @file: a snapshot just saved
 *
 * Returns: (transfer full): "Snapshot saved", with a button that opens it
 */
AdwToast *
pd_camera_manager_new_saved_toast (GFile *file)
{
  AdwToast        *toast = adw_toast_new (_("Snapshot saved"));
  g_autofree char *uri = g_file_get_uri (file);

  adw_toast_set_button_label (toast, _("_Open"));
  adw_toast_set_action_name (toast, "app.open-uri");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));

  return toast;
}
