/* pd-cameras-window.c — the camera wall: several printers' cameras at once
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A window of its own rather than a page of the main window: a farm puts
 * its camera wall on a second screen and keeps it there all day, while the
 * cards stay usable in the main window.
 *
 * One tile per chosen printer (all with a camera, up to four, until the
 * user chooses), each with the printer's name, status and progress over
 * its picture; activating a tile opens that printer's camera window. Only
 * tiles that can be seen decode: the others are not "live", so a printer
 * whose tile is scrolled away has its camera stopped.
 */

#define G_LOG_DOMAIN "pd-cameras-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-camera-view.h"
#include "pd-cameras-window.h"
#include "pd-enums.h"
#include "pd-format.h"

#define DEFAULT_TILES 4
#define TILE_WIDTH    320

struct _PdCamerasWindow
{
  AdwApplicationWindow parent_instance;

  PdCameraManager     *cameras;
  PdPrinterStore      *store;
  GSettings           *settings;
  char               **chosen; /* NULL: the default, the first few with a camera */
  GHashTable          *shown;  /* serials shown */
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GHashTable          *watched; /* PdPrinter */
  guint                visibility_id;

  AdwWindowTitle      *window_title;
  GtkWidget           *choose_button;
  GtkListBox          *choose_list;
  GtkStack            *stack;
  GtkWidget           *scrolled;
  GtkFlowBox          *flow_box;
};

G_DEFINE_FINAL_TYPE (PdCamerasWindow, pd_cameras_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CAMERAS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  PdPrinter    *printer;
  PdCameraView *view;
  GtkLabel     *name_label;
  GtkLabel     *status_label;
} Tile;

static void
tile_free (Tile *tile)
{
  g_clear_object (&tile->printer);
  g_free (tile);
}

static Tile *
child_tile (GtkWidget *child)
{
  return g_object_get_data (G_OBJECT (child), "pd-tile");
}

/* Which tiles decode ---------------------------------------------------------------*/

/* Run after layout (an idle below the redraw priority), when every tile is
 * where it will be drawn.
 */
static gboolean
check_visibility (gpointer data)
{
  PdCamerasWindow *self = data;
  int              height = gtk_widget_get_height (self->scrolled);

  self->visibility_id = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      Tile           *tile = child_tile (child);
      graphene_rect_t bounds;
      gboolean        seen;

      if (tile == NULL)
        continue;

      seen = gtk_widget_get_mapped (child) && gtk_widget_compute_bounds (child, self->scrolled, &bounds) &&
             bounds.size.height > 0 && bounds.origin.y + bounds.size.height > 0 && bounds.origin.y < height;
      pd_camera_view_set_live (tile->view, seen);
    }

  return G_SOURCE_REMOVE;
}

static void
queue_visibility_check (PdCamerasWindow *self)
{
  if (self->visibility_id == 0)
    self->visibility_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, check_visibility, self, NULL);
}

/* Tiles --------------------------------------------------------------------------*/

static void
update_tile (GtkWidget *child)
{
  Tile            *tile = child_tile (child);
  PdPrinter       *printer = tile->printer;
  PdStatus         status = pd_printer_get_status (printer);
  PdJob           *job = pd_printer_get_job (printer);
  g_autofree char *percent = NULL;
  g_autofree char *text = NULL;
  const char      *name = pd_format_printer_name (printer);

  if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED)
    text = g_strdup (pd_connection_to_label (pd_printer_get_connection (printer)));
  else if (job != NULL && (status == PD_STATUS_PRINTING || status == PD_STATUS_PREPARING || status == PD_STATUS_PAUSED) &&
           (percent = pd_format_percent (pd_job_get_progress (job))) != NULL)
    /* TRANSLATORS: a camera tile's caption, "Printing · 45 %" */
    text = g_strdup_printf (_("%s · %s"), pd_status_to_label (status), percent);
  else
    text = g_strdup (pd_status_to_label (status));

  gtk_label_set_label (tile->name_label, name);
  gtk_label_set_label (tile->status_label, text);
  pd_camera_view_set_printer_name (tile->view, name);
  /* The grid's child is where keyboard focus lands. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

static GtkWidget *
create_tile (gpointer item,
             gpointer data)
{
  PdCamerasWindow *self = data;
  PdPrinter       *printer = item;
  GtkWidget       *child = gtk_flow_box_child_new ();
  GtkWidget       *overlay = gtk_overlay_new ();
  GtkWidget       *caption = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget       *name_label = gtk_label_new (NULL);
  GtkWidget       *status_label = gtk_label_new (NULL);
  GtkWidget       *view = pd_camera_view_new (pd_camera_manager_get_camera (self->cameras, printer));
  Tile            *tile = g_new0 (Tile, 1);

  /* every tile 16:9, so the rows line up whatever the cameras */
  pd_camera_view_set_aspect_ratio (PD_CAMERA_VIEW (view), 16.0 / 9.0);
  /* a wall shows progress: fewer redraws than the camera's 30 a second
   * cost far less without a GPU, and decoding stays once per camera */
  if (self->settings != NULL)
    g_settings_bind (self->settings, "camera-tile-fps", view, "max-fps", G_SETTINGS_BIND_GET);
  gtk_widget_set_size_request (view, TILE_WIDTH, -1);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), view);

  gtk_label_set_xalign (GTK_LABEL (name_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name_label, "heading");
  gtk_label_set_xalign (GTK_LABEL (status_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (status_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (status_label, "caption");
  gtk_widget_add_css_class (status_label, "numeric");
  gtk_box_append (GTK_BOX (caption), name_label);
  gtk_box_append (GTK_BOX (caption), status_label);
  gtk_widget_set_valign (caption, GTK_ALIGN_END);
  gtk_widget_set_can_target (caption, FALSE);
  gtk_widget_add_css_class (caption, "osd");
  gtk_widget_add_css_class (caption, "camera-tile-caption");
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), caption);

  /* the picture and its caption follow the tile's rounded corners */
  gtk_widget_set_overflow (overlay, GTK_OVERFLOW_HIDDEN);
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), overlay);
  gtk_widget_add_css_class (child, "camera-tile");

  tile->printer = g_object_ref (printer);
  tile->view = PD_CAMERA_VIEW (view);
  tile->name_label = GTK_LABEL (name_label);
  tile->status_label = GTK_LABEL (status_label);
  g_object_set_data_full (G_OBJECT (child), "pd-tile", tile, (GDestroyNotify) tile_free);

  g_signal_connect_object (printer, "state-changed", G_CALLBACK (update_tile), child, G_CONNECT_SWAPPED);
  g_signal_connect_object (printer, "notify::connection", G_CALLBACK (update_tile), child, G_CONNECT_SWAPPED);
  g_signal_connect_object (printer, "notify::name", G_CALLBACK (update_tile), child, G_CONNECT_SWAPPED);
  update_tile (child);

  /* Not live until it is known to be in sight. */
  pd_camera_view_set_live (tile->view, FALSE);
  queue_visibility_check (self);

  return child;
}

static void
on_child_activated (PdCamerasWindow *self,
                    GtkFlowBoxChild *child)
{
  Tile *tile = child_tile (GTK_WIDGET (child));

  if (tile != NULL)
    pd_camera_manager_show_camera (self->cameras, tile->printer);
}

/* Which printers -----------------------------------------------------------------*/

static gboolean
filter_printer (gpointer item,
                gpointer data)
{
  PdCamerasWindow *self = data;

  return g_hash_table_contains (self->shown, pd_printer_get_serial (item));
}

static void
update_page (PdCamerasWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint       n_cameras = 0;
  guint       n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint       columns = 1;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      n_cameras += pd_camera_manager_has_camera (self->cameras, printer);
    }

  if (n_cameras == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (n_shown == 0)
    gtk_stack_set_visible_child_name (self->stack, "none-chosen");
  else
    gtk_stack_set_visible_child_name (self->stack, "cameras");
  gtk_widget_set_sensitive (self->choose_button, n_cameras > 0);

  /* A square wall: 2 × 2 for four, 3 × 3 for nine, never wider than 4. */
  while (columns * columns < n_shown && columns < 4)
    columns++;
  gtk_flow_box_set_max_children_per_line (self->flow_box, columns);

  {
    g_autofree char *subtitle = NULL;

    /* TRANSLATORS: the camera wall's subtitle, "4 of 6 cameras" */
    subtitle = g_strdup_printf (ngettext ("%u of %u camera", "%u of %u cameras", n_cameras), n_shown, n_cameras);
    adw_window_title_set_subtitle (self->window_title, n_cameras > 0 ? subtitle : "");
  }

  queue_visibility_check (self);
}

static void
refilter (PdCamerasWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  guint       n_default = 0;

  g_hash_table_remove_all (self->shown);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);
      const char           *serial = pd_printer_get_serial (printer);

      if (!pd_camera_manager_has_camera (self->cameras, printer))
        continue;
      if (self->chosen != NULL ? g_strv_contains ((const char *const *) self->chosen, serial)
                               : n_default++ < DEFAULT_TILES)
        g_hash_table_add (self->shown, g_strdup (serial));
    }

  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_page (self);
}

/* A key never set means the default, not "none". */
static void
on_chosen_changed (PdCamerasWindow *self)
{
  g_autoptr (GVariant) user_value = g_settings_get_user_value (self->settings, "camera-page-printers");

  g_clear_pointer (&self->chosen, g_strfreev);
  if (user_value != NULL)
    self->chosen = g_settings_get_strv (self->settings, "camera-page-printers");
  refilter (self);
}

static void
watch_printer (PdCamerasWindow *self,
               PdPrinter       *printer)
{
  if (g_hash_table_contains (self->watched, printer))
    return;

  /* A printer's camera is known once it said what model it is. */
  g_signal_connect_object (printer, "notify::camera-kind", G_CALLBACK (refilter), self, G_CONNECT_SWAPPED);
  g_hash_table_add (self->watched, g_object_ref (printer));
}

static void
on_store_items_changed (PdCamerasWindow *self,
                        guint            position,
                        guint            removed,
                        guint            added,
                        GListModel      *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      watch_printer (self, printer);
    }
  refilter (self);
}

static void
on_check_toggled (GtkCheckButton  *check,
                  PdCamerasWindow *self)
{
  const char              *serial = g_object_get_data (G_OBJECT (check), "serial");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv)           serials = NULL;
  GListModel              *model = G_LIST_MODEL (self->store);

  /* In the store's order, so the wall keeps its order too. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);
      const char           *other = pd_printer_get_serial (printer);
      gboolean              on;

      if (g_strcmp0 (other, serial) == 0)
        on = gtk_check_button_get_active (check);
      else
        on = g_hash_table_contains (self->shown, other);
      if (on)
        g_strv_builder_add (builder, other);
    }

  serials = g_strv_builder_end (builder);
  pd_cameras_window_set_chosen (self, (const char *const *) serials);
}

/* The list is made as the popover opens, from the printers there are then. */
static void
on_choose_popover_show (PdCamerasWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->store);
  GtkWidget  *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->choose_list))) != NULL)
    gtk_list_box_remove (self->choose_list, row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);
      GtkWidget            *check;

      if (!pd_camera_manager_has_camera (self->cameras, printer))
        continue;

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pd_format_printer_name (printer));
      if (pd_printer_get_model_name (printer) != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), pd_printer_get_model_name (printer));
      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), g_hash_table_contains (self->shown, pd_printer_get_serial (printer)));
      gtk_accessible_update_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY, row, NULL, -1);
      g_object_set_data_full (G_OBJECT (check), "serial", g_strdup (pd_printer_get_serial (printer)), g_free);
      g_signal_connect_object (check, "toggled", G_CALLBACK (on_check_toggled), self, 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_list_box_append (self->choose_list, row);
    }
}

static void
choose (GtkWidget  *widget,
        const char *action,
        GVariant   *parameter)
{
  PdCamerasWindow *self = PD_CAMERAS_WINDOW (widget);

  gtk_menu_button_popup (GTK_MENU_BUTTON (self->choose_button));
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_cameras_window_constructed (GObject *object)
{
  PdCamerasWindow *self = PD_CAMERAS_WINDOW (object);
  GtkAdjustment   *vadjustment;

  G_OBJECT_CLASS (pd_cameras_window_parent_class)->constructed (object);

  self->store = g_object_ref (pd_camera_manager_get_store (self->cameras));
  if (pd_camera_manager_get_settings (self->cameras) != NULL)
    self->settings = g_object_ref (pd_camera_manager_get_settings (self->cameras));

  self->filter = gtk_custom_filter_new (filter_printer, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  gtk_flow_box_bind_model (self->flow_box, G_LIST_MODEL (self->filtered), create_tile, self, NULL);

  /* Scrolling, resizing and reflowing move tiles in and out of sight. */
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (queue_visibility_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "changed", G_CALLBACK (queue_visibility_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (queue_visibility_check), self,
                           G_CONNECT_SWAPPED);

  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->store)); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      watch_printer (self, printer);
    }

  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::camera-page-printers", G_CALLBACK (on_chosen_changed), self,
                               G_CONNECT_SWAPPED);
      on_chosen_changed (self);
    }
  else
    refilter (self);
}

static void
pd_cameras_window_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  GTK_WIDGET_CLASS (pd_cameras_window_parent_class)->size_allocate (widget, width, height, baseline);

  queue_visibility_check (PD_CAMERAS_WINDOW (widget));
}

static void
pd_cameras_window_dispose (GObject *object)
{
  PdCamerasWindow *self = PD_CAMERAS_WINDOW (object);

  g_clear_handle_id (&self->visibility_id, g_source_remove);
  if (self->flow_box != NULL)
    gtk_flow_box_bind_model (self->flow_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_CAMERAS_WINDOW);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->shown, g_hash_table_unref);
  g_clear_pointer (&self->chosen, g_strfreev);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->cameras);

  G_OBJECT_CLASS (pd_cameras_window_parent_class)->dispose (object);
}

static void
pd_cameras_window_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PdCamerasWindow *self = PD_CAMERAS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      g_value_set_object (value, self->cameras);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_cameras_window_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PdCamerasWindow *self = PD_CAMERAS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      self->cameras = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_cameras_window_class_init (PdCamerasWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pd_cameras_window_constructed;
  object_class->dispose = pd_cameras_window_dispose;
  object_class->get_property = pd_cameras_window_get_property;
  object_class->set_property = pd_cameras_window_set_property;
  widget_class->size_allocate = pd_cameras_window_size_allocate;

  properties[PROP_CAMERAS] =
    g_param_spec_object ("cameras", NULL, NULL, PD_TYPE_CAMERA_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-cameras-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, choose_list);
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, scrolled);
  gtk_widget_class_bind_template_child (widget_class, PdCamerasWindow, flow_box);
  gtk_widget_class_bind_template_callback (widget_class, on_child_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_popover_show);

  gtk_widget_class_install_action (widget_class, "cameras.choose", NULL, choose);
}

static void
pd_cameras_window_init (PdCamerasWindow *self)
{
  self->shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * pd_cameras_window_new:
 * @cameras: the app's camera features
 *
 * Returns: (transfer full): the camera wall (not shown yet)
 */
GtkWidget *
pd_cameras_window_new (PdCameraManager *cameras)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (cameras), NULL);

  return g_object_new (PD_TYPE_CAMERAS_WINDOW, "cameras", cameras, NULL);
}

/**
 * pd_cameras_window_set_chosen:
 * @self: the camera wall
 * @serials: (nullable): the printers to show; %NULL: the default
 *
 * Remembered in the settings (camera-page-printers) when there are any.
 */
void
pd_cameras_window_set_chosen (PdCamerasWindow   *self,
                              const char *const *serials)
{
  g_return_if_fail (PD_IS_CAMERAS_WINDOW (self));

  if (self->settings != NULL)
    {
      if (serials != NULL)
        g_settings_set_strv (self->settings, "camera-page-printers", serials);
      else
        g_settings_reset (self->settings, "camera-page-printers");
      return;
    }

  g_clear_pointer (&self->chosen, g_strfreev);
  self->chosen = g_strdupv ((char **) serials);
  refilter (self);
}

/**
 * pd_cameras_window_dup_chosen:
 * @self: the camera wall
 *
 * Returns: (transfer full): the serials of the printers shown
 */
char **
pd_cameras_window_dup_chosen (PdCamerasWindow *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  GListModel              *model;

  g_return_val_if_fail (PD_IS_CAMERAS_WINDOW (self), NULL);

  model = G_LIST_MODEL (self->filtered);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      g_strv_builder_add (builder, pd_printer_get_serial (printer));
    }

  return g_strv_builder_end (builder);
}

GPtrArray *
_pd_cameras_window_get_views (PdCamerasWindow *self)
{
  GPtrArray *views = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child_tile (child) != NULL)
      g_ptr_array_add (views, child_tile (child)->view);

  return views;
}

GtkWidget *
_pd_cameras_window_get_scrolled (PdCamerasWindow *self)
{
  return self->scrolled;
}

const char *
_pd_cameras_window_get_page (PdCamerasWindow *self)
{
  return gtk_stack_get_visible_child_name (self->stack);
}
