/* pd-camera-window.c — one printer's camera in a window of its own
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Resizable, fullscreen (F11), or compact: no header bar, only the picture
 * and a small button to come back, for a corner of the screen while working
 * on something else. The title shows what the stream is (size, frame rate)
 * or why there is none. Snapshots are saved to the printer's folder.
 *
 * There is no "always on top": GTK 4 has no API for it (X11's
 * _NET_WM_STATE_ABOVE is not exposed, and Wayland leaves stacking to the
 * compositor on purpose). GNOME Shell offers it in the window menu
 * (Alt+Space), which works on this window like on any other.
 */

#define G_LOG_DOMAIN "pd-camera-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-camera-window.h"
#include "pd-format.h"

#define FPS_INTERVAL_MS 1000

struct _PdCameraWindow
{
  AdwApplicationWindow parent_instance;

  PdCameraManager     *cameras;
  PdPrinter           *printer;
  PdCameraSource      *source;
  GCancellable        *cancellable;
  gboolean             compact;
  gboolean             taking_snapshot;
  guint                fps_id;
  guint64              fps_frames;
  gint64               fps_time;
  double               fps;

  AdwToastOverlay     *toast_overlay;
  GtkWidget           *header_bar;
  AdwWindowTitle      *window_title;
  PdCameraView        *view;
  GtkWidget           *leave_button;
};

G_DEFINE_FINAL_TYPE (PdCameraWindow, pd_camera_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CAMERAS,
  PROP_PRINTER,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Title and status line ---------------------------------------------------------*/

static void
update_subtitle (PdCameraWindow *self)
{
  PdCameraFrame   *frame = self->source != NULL ? pd_camera_source_get_frame (self->source) : NULL;
  g_autofree char *text = NULL;

  if (self->source != NULL && frame != NULL && pd_camera_source_get_state (self->source) == PD_CAMERA_STATE_STREAMING)
    {
      g_autofree char *rate = NULL;

      if (self->fps > 0)
        /* TRANSLATORS: frames per second, "15 fps" or "0.5 fps" */
        rate = g_strdup_printf (self->fps >= 10 ? _("%.0f fps") : _("%.1f fps"), self->fps);
      /* TRANSLATORS: the camera stream, "1920 × 1080 · 15 fps" */
      text = rate != NULL ? g_strdup_printf (_("%d × %d · %s"), pd_camera_frame_get_width (frame),
                                                pd_camera_frame_get_height (frame), rate)
                          : g_strdup_printf (_("%d × %d"), pd_camera_frame_get_width (frame),
                                                pd_camera_frame_get_height (frame));
    }
  else
    text = g_strdup (pd_camera_view_get_status (self->view));

  adw_window_title_set_subtitle (self->window_title, text != NULL ? text : "");
}

static void
update_title (PdCameraWindow *self)
{
  const char *name = pd_format_printer_name (self->printer);

  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_window_title_set_title (self->window_title, name);
  pd_camera_view_set_printer_name (self->view, name);
}

/* Frames counted over the last second, from the source's own count, so the
 * window does not need to hear every frame.
 */
static gboolean
measure_fps (gpointer data)
{
  PdCameraWindow *self = data;
  gint64          now = g_get_monotonic_time ();
  guint64         frames = self->source != NULL ? pd_camera_source_get_n_frames (self->source) : 0;

  if (self->fps_time > 0 && now > self->fps_time && frames >= self->fps_frames)
    self->fps = (double) (frames - self->fps_frames) * G_USEC_PER_SEC / (double) (now - self->fps_time);
  else
    self->fps = 0;
  self->fps_frames = frames;
  self->fps_time = now;
  update_subtitle (self);

  return G_SOURCE_CONTINUE;
}

static void
sync_actions (PdCameraWindow *self)
{
  gboolean fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.snapshot", self->source != NULL && !self->taking_snapshot);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.leave", self->compact || fullscreen);

  /* Without a header bar, one way back stays on screen. */
  gtk_widget_set_visible (self->header_bar, !self->compact && !fullscreen);
  gtk_widget_set_visible (self->leave_button, self->compact || fullscreen);
  gtk_widget_set_tooltip_text (self->leave_button, fullscreen ? _("Leave Fullscreen") : _("Leave Compact Mode"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->leave_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  fullscreen ? _("Leave Fullscreen") : _("Leave Compact Mode"), -1);
}

static void
set_source (PdCameraWindow *self,
            PdCameraSource *source)
{
  if (!g_set_object (&self->source, source))
    return;

  pd_camera_view_set_source (self->view, source);
  self->fps = 0;
  self->fps_time = 0;
  sync_actions (self);
  update_subtitle (self);
}

/* The camera is known once the printer said what model it is. */
static void
on_camera_kind_changed (PdCameraWindow *self)
{
  set_source (self, pd_camera_manager_get_camera (self->cameras, self->printer));
}

/* Actions -----------------------------------------------------------------------*/

static void
on_snapshot_taken (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr (PdCameraWindow) self = data;
  g_autoptr (GError)         error = NULL;
  g_autoptr (GFile)          file = NULL;

  file = pd_camera_manager_take_snapshot_finish (PD_CAMERA_MANAGER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->taking_snapshot = FALSE;
  sync_actions (self);

  if (file != NULL)
    adw_toast_overlay_add_toast (self->toast_overlay, pd_camera_manager_new_saved_toast (file));
  else
    {
      /* TRANSLATORS: a toast, "No snapshot: The camera cannot be reached" */
      g_autofree char *text = g_strdup_printf (_("No snapshot: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
}

static void
take_snapshot (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (widget);

  if (self->taking_snapshot || self->source == NULL)
    return;

  self->taking_snapshot = TRUE;
  sync_actions (self);
  pd_camera_manager_take_snapshot_async (self->cameras, self->printer, self->cancellable, on_snapshot_taken,
                                         g_object_ref (self));
}

static void
show_snapshots (GtkWidget  *widget,
                const char *action,
                GVariant   *parameter)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (widget);

  pd_camera_manager_show_snapshots (self->cameras, self->printer);
}

/* Escape: out of fullscreen first, then out of compact mode. */
static void
leave (GtkWidget  *widget,
       const char *action,
       GVariant   *parameter)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (widget);

  if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
    gtk_window_unfullscreen (GTK_WINDOW (self));
  else
    pd_camera_window_set_compact (self, FALSE);
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_camera_window_map (GtkWidget *widget)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (widget);

  GTK_WIDGET_CLASS (pd_camera_window_parent_class)->map (widget);

  if (self->fps_id == 0)
    self->fps_id = g_timeout_add (FPS_INTERVAL_MS, measure_fps, self);
}

static void
pd_camera_window_unmap (GtkWidget *widget)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (widget);

  g_clear_handle_id (&self->fps_id, g_source_remove);
  self->fps_time = 0;

  GTK_WIDGET_CLASS (pd_camera_window_parent_class)->unmap (widget);
}

static void
pd_camera_window_constructed (GObject *object)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (object);

  G_OBJECT_CLASS (pd_camera_window_parent_class)->constructed (object);

  g_signal_connect_object (self->printer, "notify::name", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->printer, "notify::model-name", G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->printer, "notify::camera-kind", G_CALLBACK (on_camera_kind_changed), self,
                           G_CONNECT_SWAPPED);
  update_title (self);
  on_camera_kind_changed (self);
  sync_actions (self);
  update_subtitle (self);
}

static void
pd_camera_window_dispose (GObject *object)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->fps_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_CAMERA_WINDOW);
  g_clear_object (&self->source);
  g_clear_object (&self->printer);
  g_clear_object (&self->cameras);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_camera_window_parent_class)->dispose (object);
}

static void
pd_camera_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      g_value_set_object (value, self->cameras);
      break;

    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PdCameraWindow *self = PD_CAMERA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CAMERAS:
      self->cameras = g_value_dup_object (value);
      break;

    case PROP_PRINTER:
      self->printer = g_value_dup_object (value);
      break;

    case PROP_COMPACT:
      pd_camera_window_set_compact (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_window_class_init (PdCameraWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pd_camera_window_constructed;
  object_class->dispose = pd_camera_window_dispose;
  object_class->get_property = pd_camera_window_get_property;
  object_class->set_property = pd_camera_window_set_property;
  widget_class->map = pd_camera_window_map;
  widget_class->unmap = pd_camera_window_unmap;

  properties[PROP_CAMERAS] =
    g_param_spec_object ("cameras", NULL, NULL, PD_TYPE_CAMERA_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PD_TYPE_CAMERA_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-camera-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdCameraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PdCameraWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PdCameraWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdCameraWindow, view);
  gtk_widget_class_bind_template_child (widget_class, PdCameraWindow, leave_button);

  gtk_widget_class_install_action (widget_class, "win.snapshot", NULL, take_snapshot);
  gtk_widget_class_install_action (widget_class, "win.show-snapshots", NULL, show_snapshots);
  gtk_widget_class_install_action (widget_class, "win.leave", NULL, leave);
  gtk_widget_class_install_property_action (widget_class, "win.fullscreen", "fullscreened");
  gtk_widget_class_install_property_action (widget_class, "win.compact", "compact");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.snapshot", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_g, GDK_CONTROL_MASK, "win.show-snapshots", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.leave", NULL);
}

static void
pd_camera_window_init (PdCameraWindow *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->view, "notify::status", G_CALLBACK (update_subtitle), self);
  g_signal_connect_swapped (self, "notify::fullscreened", G_CALLBACK (sync_actions), self);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

/**
 * pd_camera_window_new:
 * @cameras: the app's camera features
 * @printer: the printer whose camera it shows
 *
 * Returns: (transfer full): the window (not shown yet)
 */
GtkWidget *
pd_camera_window_new (PdCameraManager *cameras,
                      PdPrinter       *printer)
{
  g_return_val_if_fail (PD_IS_CAMERA_MANAGER (cameras), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  return g_object_new (PD_TYPE_CAMERA_WINDOW, "cameras", cameras, "printer", printer, NULL);
}

PdPrinter *
pd_camera_window_get_printer (PdCameraWindow *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_WINDOW (self), NULL);

  return self->printer;
}

gboolean
pd_camera_window_get_compact (PdCameraWindow *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_WINDOW (self), FALSE);

  return self->compact;
}

/**
 * pd_camera_window_set_compact:
 * @self: a camera window
 * @compact: only the picture and a button to come back
 */
void
pd_camera_window_set_compact (PdCameraWindow *self,
                              gboolean        compact)
{
  g_return_if_fail (PD_IS_CAMERA_WINDOW (self));

  compact = !!compact;
  if (self->compact == compact)
    return;

  self->compact = compact;
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "compact");
  sync_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

/**
 * pd_camera_window_add_toast:
 * @self: a camera window
 * @toast: (transfer full): what to say
 */
void
pd_camera_window_add_toast (PdCameraWindow *self,
                            AdwToast       *toast)
{
  g_return_if_fail (PD_IS_CAMERA_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

PdCameraView *
_pd_camera_window_get_view (PdCameraWindow *self)
{
  return self->view;
}

const char *
_pd_camera_window_get_subtitle (PdCameraWindow *self)
{
  return adw_window_title_get_subtitle (self->window_title);
}
