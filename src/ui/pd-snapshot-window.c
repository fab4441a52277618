/* pd-snapshot-window.c — a printer's camera snapshots
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The snapshots in the printer's folder, newest first, as thumbnails with
 * their time. Thumbnails are read and scaled down off the main loop
 * (gdk-pixbuf's stream loader, fed by an async file read) and kept for as
 * long as the window is open. The selected snapshot can be opened, copied
 * as a picture, or deleted; a deletion waits for its toast to go, so it can
 * be undone, as in Files.
 */

#define G_LOG_DOMAIN "pd-snapshot-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-format.h"
#include "pd-snapshot-window.h"

#define THUMB_WIDTH  200
#define THUMB_HEIGHT 150

/* The folder is read in a thread and the list fills when it is done; until
 * then (or this long) an empty list is not yet "No Snapshots".
 */
#define LISTING_MS 500

struct _PdSnapshotWindow
{
  AdwApplicationWindow parent_instance;

  PdCameraManager     *cameras;
  PdPrinter           *printer;
  GListModel          *snapshots; /* GFileInfo, newest first */
  GtkFilterListModel  *shown;     /* without the ones deleted (but not yet gone) */
  GtkSingleSelection  *selection;
  GtkCustomFilter     *filter;
  GHashTable          *pending;    /* URIs deleted, kept until the toast goes */
  GHashTable          *thumbnails; /* URI → GdkTexture */
  GHashTable          *loading;    /* URIs being read */
  GHashTable          *pictures;   /* GtkPicture bound to an item → its URI */
  AdwToast            *delete_toast;
  AdwToast            *last_toast; /* weak */
  GCancellable        *cancellable;
  guint                listing_id;

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkStack            *stack;
  AdwStatusPage       *empty_page;
  GtkWidget           *take_button;
  GtkGridView         *grid_view;
  GtkLabel            *usage_label;
};

G_DEFINE_FINAL_TYPE (PdSnapshotWindow, pd_snapshot_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CAMERAS,
  PROP_PRINTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GFile *
info_file (GFileInfo *info)
{
  return G_FILE (g_file_info_get_attribute_object (info, "standard::file"));
}

static char *
info_uri (GFileInfo *info)
{
  GFile *file = info_file (info);

  return file != NULL ? g_file_get_uri (file) : NULL;
}

static GFileInfo *
selected_info (PdSnapshotWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* "Today 14:32:05", "3 May 2026, 14:32" */
static char *
format_time (GFileInfo *info)
{
  g_autoptr (GDateTime) modified = g_file_info_get_modification_date_time (info);
  g_autoptr (GDateTime) local = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (modified == NULL)
    return g_strdup (g_file_info_get_display_name (info));

  local = g_date_time_to_local (modified);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    /* TRANSLATORS: when a snapshot was taken today, a strftime() format */
    return g_date_time_format (local, _("Today %H:%M:%S"));

  /* TRANSLATORS: when a snapshot was taken, a strftime() format: "3 May 2026, 14:32" */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}

/* State -------------------------------------------------------------------------*/

static void
update_state (PdSnapshotWindow *self)
{
  guint            n = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  guint64          used = 0;
  guint64          limit = pd_snapshot_store_get_limit (pd_camera_manager_get_snapshot_store (self->cameras));
  g_autofree char *used_text = NULL;
  g_autofree char *usage = NULL;
  gboolean         selected = selected_info (self) != NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (self->shown), i);

      used += (guint64) MAX (g_file_info_get_size (info), 0);
    }

  used_text = g_format_size (used);
  if (limit > 0)
    {
      g_autofree char *limit_text = NULL;

      /* The limit is set in whole megabytes: "500 MB", not "500.0 MB". */
      if (limit % 1000000 == 0 && limit / 1000000 <= G_MAXUINT)
        /* TRANSLATORS: megabytes, "500 MB" */
        limit_text = g_strdup_printf (_("%u MB"), (guint) (limit / 1000000));
      else
        limit_text = g_format_size (limit);

      /* TRANSLATORS: space the snapshots take, "12.3 MB of 500 MB used" */
      usage = g_strdup_printf (_("%s of %s used"), used_text, limit_text);
    }
  else
    /* TRANSLATORS: space the snapshots take, "12.3 MB used" */
    usage = g_strdup_printf (_("%s used"), used_text);
  gtk_label_set_label (self->usage_label, usage);

  gtk_stack_set_visible_child_name (self->stack, n > 0 || self->listing_id != 0 ? "snapshots" : "empty");
  if (n > 0)
    g_clear_handle_id (&self->listing_id, g_source_remove);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.open", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.copy", selected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gallery.delete", selected);
}

static gboolean
listing_done (gpointer data)
{
  PdSnapshotWindow *self = data;

  self->listing_id = 0;
  update_state (self);

  return G_SOURCE_REMOVE;
}

static gboolean
filter_snapshot (gpointer item,
                 gpointer data)
{
  PdSnapshotWindow *self = data;
  g_autofree char  *uri = info_uri (item);

  return uri == NULL || !g_hash_table_contains (self->pending, uri);
}

/* Thumbnails --------------------------------------------------------------------*/

typedef struct
{
  PdSnapshotWindow *self; /* not a reference: the window cancels what is left when it goes */
  char             *uri;
  GInputStream     *stream;
} ThumbLoad;

static void
thumb_load_free (ThumbLoad *load)
{
  g_clear_object (&load->stream);
  g_free (load->uri);
  g_free (load);
}

static void
on_thumbnail_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  ThumbLoad            *load = data;
  PdSnapshotWindow     *self = load->self;
  g_autoptr (GError)    error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_stream_finish (result, &error);
  GHashTableIter        iter;
  gpointer              picture, uri;
  GdkTexture           *texture;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      thumb_load_free (load);
      return;
    }

  g_hash_table_remove (self->loading, load->uri);
  if (pixbuf == NULL)
    {
      g_debug ("No thumbnail for %s: %s", load->uri, error->message);
      thumb_load_free (load);
      return;
    }

  texture = gdk_texture_new_for_pixbuf (pixbuf);
  g_hash_table_insert (self->thumbnails, g_strdup (load->uri), texture);

  g_hash_table_iter_init (&iter, self->pictures);
  while (g_hash_table_iter_next (&iter, &picture, &uri))
    if (g_strcmp0 (uri, load->uri) == 0)
      gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));

  thumb_load_free (load);
}

static void
on_thumbnail_opened (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  ThumbLoad                   *load = data;
  g_autoptr (GError)           error = NULL;
  g_autoptr (GFileInputStream) stream = g_file_read_finish (G_FILE (source), result, &error);
  int                          scale;

  if (stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("No thumbnail for %s: %s", load->uri, error->message);
          g_hash_table_remove (load->self->loading, load->uri);
        }
      thumb_load_free (load);
      return;
    }

  /* Decoded straight to thumbnail size: a 1080p PNG is never whole in memory. */
  scale = gtk_widget_get_scale_factor (GTK_WIDGET (load->self));
  load->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  gdk_pixbuf_new_from_stream_at_scale_async (load->stream, THUMB_WIDTH * scale, THUMB_HEIGHT * scale, TRUE,
                                             load->self->cancellable, on_thumbnail_loaded, load);
}

static void
request_thumbnail (PdSnapshotWindow *self,
                   GFileInfo        *info,
                   const char       *uri)
{
  ThumbLoad *load;

  if (g_hash_table_contains (self->loading, uri) || info_file (info) == NULL)
    return;

  g_hash_table_add (self->loading, g_strdup (uri));
  load = g_new0 (ThumbLoad, 1);
  load->self = self;
  load->uri = g_strdup (uri);
  g_file_read_async (info_file (info), G_PRIORITY_LOW, self->cancellable, on_thumbnail_opened, load);
}

/* Grid items --------------------------------------------------------------------*/

static void
setup_item (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            PdSnapshotWindow         *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_size_request (frame, THUMB_WIDTH, THUMB_HEIGHT);
  gtk_widget_add_css_class (frame, "snapshot-thumbnail");
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Snapshot"), -1);
  gtk_frame_set_child (GTK_FRAME (frame), picture);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), frame);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  g_object_set_data (G_OBJECT (box), "picture", picture);
  g_object_set_data (G_OBJECT (box), "label", label);
  gtk_list_item_set_child (item, box);
}

static void
bind_item (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           PdSnapshotWindow         *self)
{
  GFileInfo       *info = gtk_list_item_get_item (item);
  GtkWidget       *box = gtk_list_item_get_child (item);
  GtkPicture      *picture = g_object_get_data (G_OBJECT (box), "picture");
  GtkLabel        *label = g_object_get_data (G_OBJECT (box), "label");
  g_autofree char *time = format_time (info);
  g_autofree char *uri = info_uri (info);
  GdkTexture      *texture = uri != NULL ? g_hash_table_lookup (self->thumbnails, uri) : NULL;

  gtk_label_set_label (label, time);
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
  {
    /* TRANSLATORS: a snapshot for screen readers, "Snapshot, Today 14:32:05" */
    g_autofree char *name = g_strdup_printf (_("Snapshot, %s"), time);

    gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  }
  if (uri == NULL)
    return;

  g_hash_table_insert (self->pictures, picture, g_strdup (uri));
  if (texture == NULL)
    request_thumbnail (self, info, uri);
}

static void
unbind_item (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             PdSnapshotWindow         *self)
{
  GtkWidget *box = gtk_list_item_get_child (item);

  g_hash_table_remove (self->pictures, g_object_get_data (G_OBJECT (box), "picture"));
}

/* Actions -----------------------------------------------------------------------*/

/* One toast at a time: a new one replaces the last, rather than waiting
 * behind it (an Undo that shows five seconds late is no use).
 */
static void
show_toast (PdSnapshotWindow *self,
            AdwToast         *toast)
{
  if (self->last_toast != NULL)
    adw_toast_dismiss (self->last_toast);
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
open_uri (PdSnapshotWindow *self,
          const char       *uri)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "app.open-uri", "s", uri);
}

static void
open_snapshot (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (widget);
  GFileInfo        *info = selected_info (self);
  g_autofree char  *uri = info != NULL ? info_uri (info) : NULL;

  if (uri != NULL)
    open_uri (self, uri);
}

static void
on_grid_activate (PdSnapshotWindow *self,
                  guint             position)
{
  gtk_single_selection_set_selected (self->selection, position);
  open_snapshot (GTK_WIDGET (self), "gallery.open", NULL);
}

static void
open_folder (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (widget);
  PdSnapshotStore  *store = pd_camera_manager_get_snapshot_store (self->cameras);
  g_autoptr (GFile) folder = pd_snapshot_store_get_folder (store, pd_format_printer_name (self->printer));
  g_autofree char  *uri = g_file_get_uri (folder);

  /* Nothing saved yet: an empty folder is a better answer than an error. */
  g_file_make_directory_with_parents (folder, NULL, NULL);
  open_uri (self, uri);
}

static void
load_texture_in_thread (GTask        *task,
                        gpointer      source,
                        gpointer      data,
                        GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;
  GdkTexture        *texture = gdk_texture_new_from_file (data, &error);

  if (texture == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, texture, g_object_unref);
}

static void
on_copy_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  PdSnapshotWindow      *self = PD_SNAPSHOT_WINDOW (source);
  g_autoptr (GError)     error = NULL;
  g_autoptr (GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (texture == NULL)
    {
      /* TRANSLATORS: a toast, "Could not copy the snapshot: …" */
      g_autofree char *text = g_strdup_printf (_("Could not copy the snapshot: %s"), error->message);

      show_toast (self, adw_toast_new (text));
      return;
    }

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (GTK_WIDGET (self)), texture);
  show_toast (self, adw_toast_new (_("Snapshot copied")));
}

/* Copies the picture itself (not the file), for pasting into a chat or a
 * bug report; read in a thread, as a PNG takes a moment to decode.
 */
static void
copy_snapshot (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (widget);
  GFileInfo        *info = selected_info (self);
  g_autoptr (GTask) task = NULL;

  if (info == NULL || info_file (info) == NULL)
    return;

  task = g_task_new (self, self->cancellable, on_copy_loaded, NULL);
  g_task_set_source_tag (task, copy_snapshot);
  g_task_set_task_data (task, g_object_ref (info_file (info)), g_object_unref);
  g_task_run_in_thread (task, load_texture_in_thread);
}

/**
 * pd_snapshot_window_commit_deletions:
 * @self: a gallery
 *
 * Deletes the snapshots whose deletion can still be undone: the toast
 * went, or the window closes.
 */
void
pd_snapshot_window_commit_deletions (PdSnapshotWindow *self)
{
  PdSnapshotStore *store;
  GHashTableIter   iter;
  gpointer         uri;

  g_return_if_fail (PD_IS_SNAPSHOT_WINDOW (self));

  if (self->pending == NULL || g_hash_table_size (self->pending) == 0)
    return;

  store = pd_camera_manager_get_snapshot_store (self->cameras);
  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &uri, NULL))
    {
      g_autoptr (GFile)  file = g_file_new_for_uri (uri);
      g_autoptr (GError) error = NULL;

      if (!pd_snapshot_store_delete (store, file, &error))
        {
          /* TRANSLATORS: a toast, "Could not delete the snapshot: Permission denied" */
          g_autofree char *text = g_strdup_printf (_("Could not delete the snapshot: %s"), error->message);

          g_message ("%s", text);
          if (self->toast_overlay != NULL)
            show_toast (self, adw_toast_new (text));
        }
      g_hash_table_iter_remove (&iter);
    }

  /* What could not be deleted shows again. */
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static void
on_delete_toast_dismissed (PdSnapshotWindow *self)
{
  g_clear_object (&self->delete_toast);
  pd_snapshot_window_commit_deletions (self);
}

static void
delete_snapshot (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (widget);
  GFileInfo        *info = selected_info (self);
  g_autofree char  *uri = info != NULL ? info_uri (info) : NULL;
  g_autofree char  *title = NULL;
  guint             n;

  if (uri == NULL)
    return;

  g_hash_table_add (self->pending, g_steal_pointer (&uri));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);

  /* One toast for a run of deletions, counting them. */
  n = g_hash_table_size (self->pending);
  if (n == 1)
    title = g_strdup (_("Snapshot deleted"));
  else
    title = g_strdup_printf (ngettext ("%u snapshot deleted", "%u snapshots deleted", n), n);
  if (self->delete_toast != NULL)
    {
      adw_toast_set_title (self->delete_toast, title);
      return;
    }

  self->delete_toast = adw_toast_new (title);
  adw_toast_set_button_label (self->delete_toast, _("_Undo"));
  adw_toast_set_action_name (self->delete_toast, "gallery.undo-delete");
  g_signal_connect_object (self->delete_toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), self,
                           G_CONNECT_SWAPPED);
  show_toast (self, g_object_ref (self->delete_toast));
}

static void
undo_delete (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (widget);

  g_hash_table_remove_all (self->pending);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  if (self->delete_toast != NULL)
    adw_toast_dismiss (self->delete_toast);
}

/* GObject -----------------------------------------------------------------------*/

static gboolean
pd_snapshot_window_close_request (GtkWindow *window)
{
  pd_snapshot_window_commit_deletions (PD_SNAPSHOT_WINDOW (window));

  return GTK_WINDOW_CLASS (pd_snapshot_window_parent_class)->close_request (window);
}

static void
pd_snapshot_window_constructed (GObject *object)
{
  PdSnapshotWindow              *self = PD_SNAPSHOT_WINDOW (object);
  PdSnapshotStore               *store = pd_camera_manager_get_snapshot_store (self->cameras);
  const char                    *name = pd_format_printer_name (self->printer);
  g_autoptr (GFile)              folder = pd_snapshot_store_get_folder (store, name);
  g_autofree char               *path = g_file_get_path (folder);
  g_autofree char               *description = NULL;
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  G_OBJECT_CLASS (pd_snapshot_window_parent_class)->constructed (object);

  {
    /* TRANSLATORS: the window title, "Snapshots of X1C Left" */
    g_autofree char *title = g_strdup_printf (_("Snapshots of %s"), name);

    gtk_window_set_title (GTK_WINDOW (self), title);
  }
  adw_window_title_set_subtitle (self->window_title, name);
  /* TRANSLATORS: the empty gallery, "Snapshots of X1C Left are saved in /home/ada/Pictures/Printdeck/X1C Left." */
  description = g_strdup_printf (_("Snapshots of %s are saved in %s."), name, path != NULL ? path : "");
  adw_status_page_set_description (self->empty_page, description);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->take_button), "s", pd_printer_get_serial (self->printer));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->take_button), "app.take-snapshot");

  self->snapshots = pd_snapshot_store_list (store, name);
  self->filter = gtk_custom_filter_new (filter_snapshot, self, NULL);
  self->shown = gtk_filter_list_model_new (g_object_ref (self->snapshots), g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  g_signal_connect_object (self->shown, "items-changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_item), self);
  gtk_grid_view_set_factory (self->grid_view, factory);
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));

  self->listing_id = g_timeout_add (LISTING_MS, listing_done, self);
  update_state (self);
}

static void
pd_snapshot_window_dispose (GObject *object)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->listing_id, g_source_remove);
  if (self->cameras != NULL)
    pd_snapshot_window_commit_deletions (self);
  if (self->delete_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->delete_toast, self);
  g_clear_object (&self->delete_toast);
  g_clear_weak_pointer (&self->last_toast);
  if (self->grid_view != NULL)
    gtk_grid_view_set_model (self->grid_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_SNAPSHOT_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->shown);
  g_clear_object (&self->filter);
  g_clear_object (&self->snapshots);
  g_clear_pointer (&self->pictures, g_hash_table_unref);
  g_clear_pointer (&self->thumbnails, g_hash_table_unref);
  g_clear_pointer (&self->loading, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_object (&self->printer);
  g_clear_object (&self->cameras);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_snapshot_window_parent_class)->dispose (object);
}

static void
pd_snapshot_window_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      g_value_set_object (value, self->cameras);
      break;

    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_snapshot_window_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PdSnapshotWindow *self = PD_SNAPSHOT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      self->cameras = g_value_dup_object (value);
      break;

    case PROP_PRINTER:
      self->printer = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_snapshot_window_class_init (PdSnapshotWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pd_snapshot_window_constructed;
  object_class->dispose = pd_snapshot_window_dispose;
  object_class->get_property = pd_snapshot_window_get_property;
  object_class->set_property = pd_snapshot_window_set_property;
  window_class->close_request = pd_snapshot_window_close_request;

  properties[PROP_CAMERAS] =
    g_param_spec_object ("cameras", NULL, NULL, PD_TYPE_CAMERA_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-snapshot-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, take_button);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, PdSnapshotWindow, usage_label);
  gtk_widget_class_bind_template_callback (widget_class, on_grid_activate);

  gtk_widget_class_install_action (widget_class, "gallery.open", NULL, open_snapshot);
  gtk_widget_class_install_action (widget_class, "gallery.copy", NULL, copy_snapshot);
  gtk_widget_class_install_action (widget_class, "gallery.delete", NULL, delete_snapshot);
  gtk_widget_class_install_action (widget_class, "gallery.undo-delete", NULL, undo_delete);
  gtk_widget_class_install_action (widget_class, "gallery.open-folder", NULL, open_folder);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "gallery.copy", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "gallery.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "gallery.undo-delete", NULL);
}

static void
pd_snapshot_window_init (PdSnapshotWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->thumbnails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->loading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->pictures = g_hash_table_new_full (NULL, NULL, NULL, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * pd_snapshot_window_new:
 * @cameras: the app's camera features
 * @printer: the printer whose snapshots it shows
 *
 * Returns: (transfer full): the window (not shown yet)
 */
GtkWidget *
pd_snapshot_window_new (PdCameraManager *cameras,
                        PdPrinter       *printer)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (cameras), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  return g_object_new (PD_TYPE_SNAPSHOT_WINDOW, "cameras", cameras, "printer", printer, NULL);
}

PdPrinter *
pd_snapshot_window_get_printer (PdSnapshotWindow *self)
{
  g_return_val_if_fail (PD_IS_SNAPSHOT_WINDOW (self), NULL);

  return self->printer;
}

/* What the grid shows (without deletions waiting for their toast) */
GListModel *
_pd_snapshot_window_get_model (PdSnapshotWindow *self)
{
  return G_LIST_MODEL (self->shown);
}

guint
_pd_snapshot_window_get_n_thumbnails (PdSnapshotWindow *self)
{
  return g_hash_table_size (self->thumbnails);
}
