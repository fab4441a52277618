/* pd-debug-window.c — one printer's MQTT debug log in a window of its own
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The list shows a copy of the log (a GListStore), brought up to date at
 * most once a frame from a tick callback: a printer flooding 20 messages a
 * second, or a pushall, costs the column view one change per frame, not one
 * per message, and "pause" is simply not updating the copy. The log is a
 * ring (oldest out at the front, newest in at the back), so the update is
 * a removal at the front and an append at the back.
 *
 * "Follow": while the user keeps the view at the bottom, it scrolls to the
 * new bottom once the new rows are laid out (the next frames); when the
 * user scrolled back, nothing moves (GtkListView keeps the rows in view where
 * they are when others come and go). Whether the user is at the bottom is
 * learnt from the scroll position only when it moves for another reason
 * than us: our own scrolling, and GtkListView keeping its rows in place
 * while the layout that follows our update moves the position, are not the
 * user's doing.
 */

#define G_LOG_DOMAIN "pd-debug-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-debug-window.h"
#include "pd-format.h"
#include "pd-snapshot-store.h"

/* How close to the bottom counts as "at the bottom": row heights are
 * estimated until rows are made, so the end is not always exact.
 */
#define FOLLOW_SLACK_PX 16
/* Frames the view keeps settling at the bottom after an update, while the
 * list view replaces its estimates by the rows' real heights.
 */
#define FOLLOW_FRAMES 3

struct _PdDebugWindow
{
  AdwApplicationWindow parent_instance;

  PdDebugLog          *log;
  PdPrinter           *printer;
  GListStore          *shown;
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  char                *direction; /* "all", "in", "out" */
  char                *search;
  gboolean             paused;
  gboolean             sync_pending;
  gboolean             following; /* the user keeps the view at the bottom */
  gboolean             moving;    /* we move the list, until the frame is painted */
  guint                follow_frames;
  guint                tick_id;
  GdkFrameClock       *clock;
  gulong               after_paint_id;
  GCancellable        *cancellable;
  GtkNativeDialog     *chooser;

  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkToggleButton     *capture_button;
  GtkToggleButton     *pause_button;
  GtkSearchEntry      *search_entry;
  GtkStack            *list_stack;
  GtkScrolledWindow   *scrolled_window;
  GtkColumnView       *column_view;
  AdwStatusPage       *empty_page;
  GtkWidget           *empty_start_button;
  PdDebugDetail       *detail;
  GtkLabel            *status_label;
};

G_DEFINE_FINAL_TYPE (PdDebugWindow, pd_debug_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_LOG,
  PROP_PRINTER,
  PROP_CAPTURING,
  PROP_PAUSED,
  PROP_DIRECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Rows ----------------------------------------------------------------------------*/

static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  g_autofree char      *seconds = time != NULL ? g_date_time_format (time, "%H:%M:%S") : g_strdup ("--:--:--");

  return g_strdup_printf ("%s.%03d", seconds, (int) ((time_us % G_USEC_PER_SEC) / 1000));
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (data) ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_time (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item)
{
  PdDebugMessage  *message = gtk_list_item_get_item (list_item);
  g_autofree char *text = format_time (pd_debug_message_get_time (message));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

static void
bind_summary (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  PdDebugMessage *message = gtk_list_item_get_item (list_item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), pd_debug_message_get_summary (message));
}

static void
bind_size (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item)
{
  PdDebugMessage  *message = gtk_list_item_get_item (list_item);
  g_autofree char *text = g_format_size (pd_debug_message_get_size (message));

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

/* An arrow and a word: the colour is never the only sign. */
static void
setup_direction (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *image = g_object_new (GTK_TYPE_IMAGE, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);

  gtk_box_append (GTK_BOX (box), image);
  gtk_box_append (GTK_BOX (box), gtk_label_new (NULL));
  gtk_widget_add_css_class (box, "debug-direction");
  gtk_list_item_set_child (list_item, box);
}

static void
bind_direction (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  PdDebugMessage *message = gtk_list_item_get_item (list_item);
  GtkWidget      *box = gtk_list_item_get_child (list_item);
  GtkWidget      *image = gtk_widget_get_first_child (box);
  GtkWidget      *label = gtk_widget_get_next_sibling (image);
  gboolean        incoming = pd_debug_message_get_direction (message) == PD_MESSAGE_INCOMING;

  gtk_image_set_from_icon_name (GTK_IMAGE (image), incoming ? "go-down-symbolic" : "go-up-symbolic");
  /* TRANSLATORS: the direction of a message: from the printer ("In") or to it ("Out") */
  gtk_label_set_label (GTK_LABEL (label), incoming ? C_("direction", "In") : C_("direction", "Out"));
  gtk_widget_remove_css_class (box, incoming ? "outgoing" : "incoming");
  gtk_widget_add_css_class (box, incoming ? "incoming" : "outgoing");
}

static void
add_column (PdDebugWindow *self,
            const char    *title,
            GCallback      setup,
            gpointer       setup_data,
            GCallback      bind,
            gboolean       expand)
{
  GtkListItemFactory             *factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkColumnViewColumn) column = NULL;

  g_signal_connect (factory, "setup", setup, setup_data);
  g_signal_connect (factory, "bind", bind, NULL);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_append_column (self->column_view, column);
}

/* Status and empty state ------------------------------------------------------------*/

static void
update_status (PdDebugWindow *self)
{
  guint                 n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  guint                 n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint64               dropped = pd_debug_log_get_n_dropped (self->log);
  guint                 capacity = pd_debug_log_get_capacity (self->log);
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char      *text = NULL;

  /* TRANSLATORS: the debug log's status line, joined by " · " */
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", n), n));
  if (n_shown != g_list_model_get_n_items (G_LIST_MODEL (self->shown)) || self->paused)
    g_ptr_array_add (parts, g_strdup_printf (_("%u shown"), n_shown));
  {
    /* xgettext cannot read G_GUINT64_FORMAT inside a message */
    g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, dropped);

    /* TRANSLATORS: messages that fell out of the debug log, "12 dropped" */
    g_ptr_array_add (parts, g_strdup_printf (_("%s dropped"), number));
  }
  g_ptr_array_add (parts, g_strdup_printf (_("keeps the newest %u"), capacity));
  if (self->paused)
    g_ptr_array_add (parts, g_strdup (_("paused")));
  g_ptr_array_add (parts, NULL);
  text = g_strjoinv (" · ", (char **) parts->pdata);
  gtk_label_set_label (self->status_label, text);
}

static void
update_empty (PdDebugWindow *self)
{
  gboolean capturing = pd_debug_log_get_capturing (self->log);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (g_list_model_get_n_items (G_LIST_MODEL (self->shown)) > 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Matching Messages"));
      adw_status_page_set_description (self->empty_page, _("Try another search or direction"));
    }
  else if (!capturing)
    {
      g_autofree char *text = g_strdup_printf (_("Capture every message to and from %s, to see what it says "
                                                 "and what Printdeck asks"),
                                                  pd_format_printer_name (self->printer));

      adw_status_page_set_icon_name (self->empty_page, "network-transmit-receive-symbolic");
      adw_status_page_set_title (self->empty_page, _("Not Capturing"));
      adw_status_page_set_description (self->empty_page, text);
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "network-receive-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Messages Yet"));
      adw_status_page_set_description (self->empty_page, _("Messages appear here as the printer sends them"));
    }
  gtk_widget_set_visible (self->empty_start_button,
                          !capturing && g_list_model_get_n_items (G_LIST_MODEL (self->shown)) == 0);
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
sync_capturing (PdDebugWindow *self)
{
  gboolean capturing = pd_debug_log_get_capturing (self->log);

  gtk_button_set_label (GTK_BUTTON (self->capture_button), capturing ? _("Stop") : _("Start MQTT Debug"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->capture_button),
                               capturing ? _("Stop capturing messages (Ctrl+Shift+D)")
                                         : _("Capture every message to and from the printer (Ctrl+Shift+D)"));
  update_empty (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURING]);
}

static void
sync_pause_button (PdDebugWindow *self)
{
  const char *text = self->paused ? _("Resume Auto-Refresh") : _("Pause Auto-Refresh");

  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            self->paused ? "media-playback-start-symbolic" : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static void
update_title (PdDebugWindow *self)
{
  const char      *name = pd_format_printer_name (self->printer);
  /* TRANSLATORS: the debug log window's title, "X1C Left — MQTT Debug Log" */
  g_autofree char *title = g_strdup_printf (_("%s — MQTT Debug Log"), name);

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_subtitle (self->window_title, name);
}

/* Keeping up with the log --------------------------------------------------------*/

static void
replace_all (PdDebugWindow *self)
{
  GListModel           *log = G_LIST_MODEL (self->log);
  guint                 n = g_list_model_get_n_items (log);
  g_autoptr (GPtrArray) items = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (log, i));
  g_list_store_splice (self->shown, 0, g_list_model_get_n_items (G_LIST_MODEL (self->shown)), items->pdata, n);
}

static gboolean
same_item (GListModel *a,
           guint       ia,
           GListModel *b,
           guint       ib)
{
  g_autoptr (GObject) x = g_list_model_get_item (a, ia);
  g_autoptr (GObject) y = g_list_model_get_item (b, ib);

  return x == y;
}

/* The ring only drops at the front and adds at the back; anything else
 * (a clear, a smaller capacity) is a full replacement.
 */
static void
sync_shown (PdDebugWindow *self)
{
  GListModel           *log = G_LIST_MODEL (self->log);
  GListModel           *shown = G_LIST_MODEL (self->shown);
  guint                 n_log = g_list_model_get_n_items (log);
  guint                 n_shown = g_list_model_get_n_items (shown);
  guint                 start, kept;
  g_autoptr (GObject)   first = NULL;
  g_autoptr (GPtrArray) added = NULL;

  if (n_log == 0 || n_shown == 0)
    {
      replace_all (self);
      return;
    }

  first = g_list_model_get_item (log, 0);
  for (start = 0; start < n_shown; start++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (shown, start);

      if (item == first)
        break;
    }
  kept = n_shown - start;
  if (start == n_shown || kept > n_log || !same_item (shown, n_shown - 1, log, kept - 1))
    {
      replace_all (self);
      return;
    }

  if (start > 0)
    g_list_store_splice (self->shown, 0, start, NULL, 0);
  if (kept < n_log)
    {
      added = g_ptr_array_new_full (n_log - kept, g_object_unref);
      for (guint i = kept; i < n_log; i++)
        g_ptr_array_add (added, g_list_model_get_item (log, i));
      g_list_store_splice (self->shown, kept, 0, added->pdata, added->len);
    }
}

static gboolean
is_at_bottom (PdDebugWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  return gtk_adjustment_get_value (adjustment) >=
         gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - FOLLOW_SLACK_PX;
}

static void
scroll_to_bottom (PdDebugWindow *self)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);

  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
}

/* Once a frame at most, and only while something is to be done. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  PdDebugWindow *self = data;

  /* Laid out since the last update: the bottom is where it now is. */
  if (self->follow_frames > 0)
    {
      if (self->following)
        {
          self->moving = TRUE;
          scroll_to_bottom (self);
        }
      self->follow_frames--;
    }

  if (self->sync_pending && !self->paused)
    {
      self->sync_pending = FALSE;
      self->moving = TRUE;
      sync_shown (self);
      if (self->following)
        self->follow_frames = FOLLOW_FRAMES;
      update_status (self);
    }

  if (self->follow_frames == 0 && (!self->sync_pending || self->paused))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
schedule_sync (PdDebugWindow *self)
{
  self->sync_pending = TRUE;
  if (self->paused || self->tick_id != 0)
    return;

  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, self, NULL);
}

static void
on_log_items_changed (PdDebugWindow *self)
{
  schedule_sync (self);
}

static void
on_scrolled (PdDebugWindow *self)
{
  if (!self->moving)
    self->following = is_at_bottom (self);
}

static void
on_after_paint (PdDebugWindow *self)
{
  self->moving = FALSE;
}

/* Filters ------------------------------------------------------------------------*/

static gboolean
filter_message (gpointer item,
                gpointer data)
{
  PdDebugWindow     *self = data;
  PdMessageDirection direction = pd_debug_message_get_direction (item);

  if (g_str_equal (self->direction, "in") && direction != PD_MESSAGE_INCOMING)
    return FALSE;
  if (g_str_equal (self->direction, "out") && direction != PD_MESSAGE_OUTGOING)
    return FALSE;
  if (self->search != NULL && !pd_debug_message_matches (item, self->search))
    return FALSE;

  return TRUE;
}

/* No filter at all when nothing is filtered: the common case costs nothing
 * per message.
 */
static void
update_filter (PdDebugWindow *self)
{
  gboolean active = !g_str_equal (self->direction, "all") || self->search != NULL;

  gtk_filter_list_model_set_filter (self->filtered, active ? GTK_FILTER (self->filter) : NULL);
  if (active)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_status (self);
  update_empty (self);
}

static void
on_search_changed (PdDebugWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_free (self->search);
  self->search = text != NULL && *text != '\0' ? g_strdup (text) : NULL;
  update_filter (self);
}

static void
on_selected_changed (PdDebugWindow *self)
{
  pd_debug_detail_set_message (self->detail, gtk_single_selection_get_selected_item (self->selection));
}

/* Export -----------------------------------------------------------------------*/

typedef struct
{
  PdDebugWindow *window; /* weak */
  GFile         *file;
  guint          n;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_weak_pointer (&data->window);
  g_clear_object (&data->file);
  g_free (data);
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ExportData        *data = user_data;
  g_autoptr (GError) error = NULL;
  AdwToast          *toast;

  if (!pd_debug_log_export_finish (PD_DEBUG_LOG (source), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || data->window == NULL)
        {
          export_data_free (data);
          return;
        }
      /* TRANSLATORS: a toast, "Could not export the debug log: Permission denied" */
      text = g_strdup_printf (_("Could not export the debug log: %s"), error->message);
      g_message ("%s", text);
      toast = adw_toast_new (text);
      adw_toast_set_timeout (toast, 0);
    }
  else
    {
      g_autoptr (GFile) folder = g_file_get_parent (data->file);
      g_autofree char  *uri = folder != NULL ? g_file_get_uri (folder) : NULL;
      g_autofree char  *text = NULL;

      if (data->window == NULL)
        {
          export_data_free (data);
          return;
        }
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %u message", "Exported %u messages", data->n),
                              data->n);
      toast = adw_toast_new (text);
      if (uri != NULL)
        {
          adw_toast_set_button_label (toast, _("Open Folder"));
          adw_toast_set_action_name (toast, "app.open-uri");
          adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
        }
    }

  adw_toast_overlay_add_toast (data->window->toast_overlay, toast);
  export_data_free (data);
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    PdDebugWindow   *self)
{
  g_autoptr (GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);

  if (file != NULL)
    pd_debug_window_export (self, file);
}

static void export(GtkWidget  *widget,
                   const char *action,
                   GVariant   *parameter)
{
  PdDebugWindow            *self = PD_DEBUG_WINDOW (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char          *name = pd_debug_window_dup_export_name (self);

  if (self->chooser != NULL)
    return;

  self->chooser = GTK_NATIVE_DIALOG (gtk_file_chooser_native_new (_("Export Debug Log"), GTK_WINDOW (self),
                                                                     GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel")));
  gtk_native_dialog_set_modal (self->chooser, TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_file_filter_set_name (filter, _("JSON Lines"));
  gtk_file_filter_add_pattern (filter, "*.jsonl");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (self->chooser);
}

/* Actions ------------------------------------------------------------------------*/

static void
clear (GtkWidget  *widget,
       const char *action,
       GVariant   *parameter)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (widget);

  pd_debug_log_clear (self->log);
  /* Even while paused: cleared is cleared. */
  self->moving = TRUE;
  sync_shown (self);
  update_status (self);
  update_empty (self);
}

static void
focus_search (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* GObject --------------------------------------------------------------------------*/

static void
pd_debug_window_realize (GtkWidget *widget)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (widget);

  GTK_WIDGET_CLASS (pd_debug_window_parent_class)->realize (widget);

  self->clock = g_object_ref (gtk_widget_get_frame_clock (widget));
  self->after_paint_id = g_signal_connect_swapped (self->clock, "after-paint", G_CALLBACK (on_after_paint), self);
}

static void
pd_debug_window_unrealize (GtkWidget *widget)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (widget);

  g_clear_signal_handler (&self->after_paint_id, self->clock);
  g_clear_object (&self->clock);
  self->moving = FALSE;

  GTK_WIDGET_CLASS (pd_debug_window_parent_class)->unrealize (widget);
}

static void
pd_debug_window_constructed (GObject *object)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (object);

  G_OBJECT_CLASS (pd_debug_window_parent_class)->constructed (object);

  g_signal_connect_object (self->log, "items-changed", G_CALLBACK (on_log_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log, "notify::capturing", G_CALLBACK (sync_capturing), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log, "notify::n-dropped", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->log, "notify::capacity", G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->printer, "notify::name", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  pd_debug_detail_set_printer (self->detail, self->printer);

  replace_all (self);
  /* Opened on a long log: at its end. */
  self->follow_frames = FOLLOW_FRAMES;
  schedule_sync (self);
  update_title (self);
  sync_capturing (self);
  update_status (self);
}

static void
pd_debug_window_dispose (GObject *object)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_DEBUG_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->shown);
  g_clear_object (&self->log);
  g_clear_object (&self->printer);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_debug_window_parent_class)->dispose (object);
}

static void
pd_debug_window_finalize (GObject *object)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (object);

  g_free (self->direction);
  g_free (self->search);

  G_OBJECT_CLASS (pd_debug_window_parent_class)->finalize (object);
}

static void
pd_debug_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      g_value_set_object (value, self->log);
      break;

    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    case PROP_CAPTURING:
      g_value_set_boolean (value, self->log != NULL && pd_debug_log_get_capturing (self->log));
      break;

    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;

    case PROP_DIRECTION:
      g_value_set_string (value, self->direction);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PdDebugWindow *self = PD_DEBUG_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOG:
      self->log = g_value_dup_object (value);
      break;

    case PROP_PRINTER:
      self->printer = g_value_dup_object (value);
      break;

    case PROP_CAPTURING:
      /* The log says when it changed (sync_capturing). */
      if (g_value_get_boolean (value))
        pd_debug_log_start (self->log);
      else
        pd_debug_log_stop (self->log);
      break;

    case PROP_PAUSED:
      pd_debug_window_set_paused (self, g_value_get_boolean (value));
      break;

    case PROP_DIRECTION:
      pd_debug_window_set_direction (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_window_class_init (PdDebugWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pd_debug_window_constructed;
  object_class->dispose = pd_debug_window_dispose;
  object_class->finalize = pd_debug_window_finalize;
  object_class->get_property = pd_debug_window_get_property;
  object_class->set_property = pd_debug_window_set_property;
  widget_class->realize = pd_debug_window_realize;
  widget_class->unrealize = pd_debug_window_unrealize;

  properties[PROP_LOG] =
    g_param_spec_object ("log", NULL, NULL, PD_TYPE_DEBUG_LOG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPTURING] =
    g_param_spec_boolean ("capturing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DIRECTION] =
    g_param_spec_string ("direction", NULL, NULL, "all",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PD_TYPE_DEBUG_DETAIL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-debug-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, capture_button);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, empty_start_button);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, detail);
  gtk_widget_class_bind_template_child (widget_class, PdDebugWindow, status_label);

  gtk_widget_class_install_property_action (widget_class, "win.capture", "capturing");
  gtk_widget_class_install_property_action (widget_class, "win.pause", "paused");
  gtk_widget_class_install_property_action (widget_class, "win.direction", "direction");
  gtk_widget_class_install_action (widget_class, "win.clear", NULL, clear);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, focus_search);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.capture", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.clear", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}

static void
pd_debug_window_init (PdDebugWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->direction = g_strdup ("all");
  self->following = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  add_column (self, _("Time"), G_CALLBACK (setup_label), GINT_TO_POINTER (FALSE), G_CALLBACK (bind_time), FALSE);
  add_column (self, _("Direction"), G_CALLBACK (setup_direction), NULL, G_CALLBACK (bind_direction), FALSE);
  add_column (self, _("Summary"), G_CALLBACK (setup_label), GINT_TO_POINTER (FALSE), G_CALLBACK (bind_summary), TRUE);
  add_column (self, _("Size"), G_CALLBACK (setup_label), GINT_TO_POINTER (TRUE), G_CALLBACK (bind_size), FALSE);

  self->shown = g_list_store_new (PD_TYPE_DEBUG_MESSAGE);
  self->filter = gtk_custom_filter_new (filter_message, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->shown)), NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (on_selected_changed), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_empty), self);

  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->scrolled_window), "value-changed",
                            G_CALLBACK (on_scrolled), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_search_changed), self);
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  sync_pause_button (self);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * pd_debug_window_new:
 * @log: the printer's debug log
 * @printer: the printer
 *
 * Returns: (transfer full): the window (not shown yet)
 */
GtkWidget *
pd_debug_window_new (PdDebugLog *log,
                     PdPrinter  *printer)
{
  g_return_val_if_fail (PD_IS_DEBUG_LOG (log), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  return g_object_new (PD_TYPE_DEBUG_WINDOW, "log", log, "printer", printer, NULL);
}

PdDebugLog *
pd_debug_window_get_log (PdDebugWindow *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_WINDOW (self), NULL);

  return self->log;
}

PdPrinter *
pd_debug_window_get_printer (PdDebugWindow *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_WINDOW (self), NULL);

  return self->printer;
}

gboolean
pd_debug_window_get_paused (PdDebugWindow *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_WINDOW (self), FALSE);

  return self->paused;
}

/**
 * pd_debug_window_set_paused:
 * @self: a debug window
 * @paused: keep showing what is shown now (the log goes on capturing)
 */
void
pd_debug_window_set_paused (PdDebugWindow *self,
                            gboolean       paused)
{
  g_return_if_fail (PD_IS_DEBUG_WINDOW (self));

  paused = !!paused;
  if (self->paused == paused)
    return;

  self->paused = paused;
  sync_pause_button (self);
  if (!paused)
    schedule_sync (self);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

const char *
pd_debug_window_get_direction (PdDebugWindow *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_WINDOW (self), NULL);

  return self->direction;
}

/**
 * pd_debug_window_set_direction:
 * @self: a debug window
 * @direction: "all", "in" (from the printer) or "out" (to the printer)
 */
void
pd_debug_window_set_direction (PdDebugWindow *self,
                               const char    *direction)
{
  g_return_if_fail (PD_IS_DEBUG_WINDOW (self));

  if (g_strcmp0 (direction, "in") != 0 && g_strcmp0 (direction, "out") != 0)
    direction = "all";
  if (g_str_equal (self->direction, direction))
    return;

  g_free (self->direction);
  self->direction = g_strdup (direction);
  update_filter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRECTION]);
}

/**
 * pd_debug_window_dup_export_name:
 * @self: a debug window
 *
 * Returns: (transfer full): the file name offered for an export,
 *   "X1C Left-mqtt-20261126-041206.jsonl"
 */
char *
pd_debug_window_dup_export_name (PdDebugWindow *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char      *name = NULL;
  g_autofree char      *stamp = NULL;

  g_return_val_if_fail (PD_IS_DEBUG_WINDOW (self), NULL);

  /* the same rules as a snapshot folder: no slashes, no leading dot */
  name = pd_snapshot_store_folder_name (pd_format_printer_name (self->printer));
  stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  return g_strdup_printf ("%s-mqtt-%s.jsonl", name, stamp);
}

/**
 * pd_debug_window_export:
 * @self: a debug window
 * @file: where to write the messages, as JSON lines
 *
 * Exports the log (all of it, whatever the filters) and says how it went
 * in a toast.
 */
void
pd_debug_window_export (PdDebugWindow *self,
                        GFile         *file)
{
  ExportData *data;

  g_return_if_fail (PD_IS_DEBUG_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  data = g_new0 (ExportData, 1);
  g_set_weak_pointer (&data->window, self);
  data->file = g_object_ref (file);
  data->n = g_list_model_get_n_items (G_LIST_MODEL (self->log));
  pd_debug_log_export_async (self->log, file, self->cancellable, on_exported, data);
}

GtkColumnView *
_pd_debug_window_get_column_view (PdDebugWindow *self)
{
  return self->column_view;
}

GListModel *
_pd_debug_window_get_shown (PdDebugWindow *self)
{
  return G_LIST_MODEL (self->filtered);
}

GtkSingleSelection *
_pd_debug_window_get_selection (PdDebugWindow *self)
{
  return self->selection;
}

PdDebugDetail *
_pd_debug_window_get_detail (PdDebugWindow *self)
{
  return self->detail;
}

GtkAdjustment *
_pd_debug_window_get_vadjustment (PdDebugWindow *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

GtkEditable *
_pd_debug_window_get_search (PdDebugWindow *self)
{
  return GTK_EDITABLE (self->search_entry);
}

const char *
_pd_debug_window_get_status (PdDebugWindow *self)
{
  return gtk_label_get_label (self->status_label);
}

const char *
_pd_debug_window_get_empty_title (PdDebugWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->list_stack), "empty") == 0
           ? adw_status_page_get_title (self->empty_page)
           : NULL;
}
