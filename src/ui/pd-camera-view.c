/* pd-camera-view.c — a printer's live camera
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The picture, and over it, while there is none, what is going on in plain
 * words: connecting, or why not (and where to fix it). A view is one of the
 * source's viewers only while it is on screen (mapped) and "live", and says
 * how large it shows the picture, so a printer's camera runs only while
 * somebody can see it, and no larger than the largest view needs.
 */

#define G_LOG_DOMAIN "pd-camera-view"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-camera-throttle.h"
#include "pd-camera-view.h"

/* A window being resized asks for a new size every frame; the source only
 * needs to hear the size it settles on.
 */
#define RESIZE_DELAY_MS 250

/* What the view asks for when nothing says otherwise: a 16:9 picture of a
 * size that fits a card, not the camera's 1920 × 1080.
 */
#define NATURAL_WIDTH 480

struct _PdCameraView
{
  GtkWidget          parent_instance;

  PdCameraSource    *source;
  PdCameraPaintable *paintable;
  PdCameraThrottle  *throttle; /* what the picture draws: the paintable, at most max-fps */
  guint              max_fps;
  GSignalGroup      *source_signals;
  char              *printer_name;
  char              *status;
  gboolean           live;
  gboolean           has_picture;
  double             aspect_ratio;
  guint              viewer_id;
  int                viewer_width;
  int                viewer_height;
  guint              resize_id;
  guint              status_id;
  gboolean           allocating;

  GtkWidget         *overlay;
  GtkPicture        *picture;
  GtkWidget         *status_box;
  GtkSpinner        *spinner;
  GtkImage          *status_icon;
  GtkLabel          *title_label;
  GtkLabel          *message_label;
  GtkLabel          *hint_label;
};

G_DEFINE_FINAL_TYPE (PdCameraView, pd_camera_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SOURCE,
  PROP_PRINTER_NAME,
  PROP_LIVE,
  PROP_ASPECT_RATIO,
  PROP_MAX_FPS,
  PROP_HAS_PICTURE,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Viewer ------------------------------------------------------------------------*/

static gboolean
wants_frames (PdCameraView *self)
{
  return self->source != NULL && self->live && gtk_widget_get_mapped (GTK_WIDGET (self));
}

static void
viewer_size (PdCameraView *self,
             int          *width,
             int          *height)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  *width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  *height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;
}

static void
release_viewer (PdCameraView *self)
{
  g_clear_handle_id (&self->resize_id, g_source_remove);
  if (self->viewer_id != 0 && self->source != NULL)
    pd_camera_source_remove_viewer (self->source, self->viewer_id);
  self->viewer_id = 0;
}

static gboolean
send_size (gpointer data)
{
  PdCameraView *self = data;
  int           width, height;

  self->resize_id = 0;
  viewer_size (self, &width, &height);
  if (self->viewer_id != 0 && width > 0 && height > 0 &&
      (width != self->viewer_width || height != self->viewer_height))
    {
      self->viewer_width = width;
      self->viewer_height = height;
      pd_camera_source_update_viewer (self->source, self->viewer_id, width, height);
    }

  return G_SOURCE_REMOVE;
}

static void update_status (PdCameraView *self);

/* Becomes a viewer, stays one with the right size, or stops being one. A
 * view is only added once it has a size: 0 × 0 would ask the source for
 * the camera's full size.
 */
static void
sync_viewer (PdCameraView *self)
{
  int width, height;

  if (!wants_frames (self))
    {
      if (self->viewer_id != 0)
        {
          release_viewer (self);
          update_status (self);
        }
      return;
    }

  viewer_size (self, &width, &height);
  if (width <= 0 || height <= 0)
    return;

  if (self->viewer_id == 0)
    {
      self->viewer_width = width;
      self->viewer_height = height;
      self->viewer_id = pd_camera_source_add_viewer (self->source, width, height);
      update_status (self);
    }
  else if ((width != self->viewer_width || height != self->viewer_height) && self->resize_id == 0)
    self->resize_id = g_timeout_add (RESIZE_DELAY_MS, send_size, self);
}

/* Status ------------------------------------------------------------------------*/

static const char *
problem_icon_name (PdCameraProblem problem)
{
  switch (problem)
    {
    case PD_CAMERA_PROBLEM_NO_CAMERA: return "camera-disabled-symbolic";
    case PD_CAMERA_PROBLEM_NO_ACCESS_CODE:
    case PD_CAMERA_PROBLEM_WRONG_CODE: return "dialog-password-symbolic";
    case PD_CAMERA_PROBLEM_UNREACHABLE:
    case PD_CAMERA_PROBLEM_LOST: return "network-offline-symbolic";
    case PD_CAMERA_PROBLEM_BUSY: return "camera-web-symbolic";
    case PD_CAMERA_PROBLEM_CERTIFICATE:
    case PD_CAMERA_PROBLEM_TLS: return "channel-insecure-symbolic";
    case PD_CAMERA_PROBLEM_BAD_DATA:
    case PD_CAMERA_PROBLEM_NO_DECODER:
    case PD_CAMERA_PROBLEM_NONE:
    default:
      return "dialog-warning-symbolic";
    }
}

/* Where the user can do something about it, when that is not obvious. */
static const char *
problem_hint (PdCameraProblem problem,
              PdCameraKind    kind)
{
  switch (problem)
    {
    case PD_CAMERA_PROBLEM_NO_CAMERA:
      if (kind == PD_CAMERA_KIND_JPEG)
        return _("Make sure the camera is not turned off in the printer’s settings. A P1P needs its optional camera module.");
      return _("Turn on “LAN Only Liveview” in the settings on the printer’s screen (“LAN Mode Liveview” on some models).");
    case PD_CAMERA_PROBLEM_NO_ACCESS_CODE:
    case PD_CAMERA_PROBLEM_WRONG_CODE:
      return _("The access code is shown on the printer’s screen; enter it again with Edit Printer.");
    case PD_CAMERA_PROBLEM_BUSY:
      return _("Most printers serve one camera viewer at a time. Close the live view in other apps, such as Bambu Studio.");
    case PD_CAMERA_PROBLEM_NO_DECODER:
      return _("Install GStreamer’s H.264 decoder (the gstreamer1.0-libav package on Debian and Ubuntu).");
    case PD_CAMERA_PROBLEM_CERTIFICATE:
      return _("The printer’s page shows its certificate and lets you trust a new one.");
    case PD_CAMERA_PROBLEM_NONE:
    case PD_CAMERA_PROBLEM_UNREACHABLE:
    case PD_CAMERA_PROBLEM_TLS:
    case PD_CAMERA_PROBLEM_BAD_DATA:
    case PD_CAMERA_PROBLEM_LOST:
    default:
      return NULL;
    }
}

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
show_status (PdCameraView *self,
             gboolean      spinning,
             const char   *icon_name,
             const char   *title,
             const char   *message,
             const char   *hint)
{
  gboolean shown = spinning || title != NULL;

  gtk_widget_set_visible (self->status_box, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), spinning);
  gtk_spinner_set_spinning (self->spinner, spinning);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), icon_name != NULL);
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (self->status_icon, icon_name);
  set_label (self->title_label, title);
  set_label (self->message_label, message);
  set_label (self->hint_label, hint);

  /* Over an old picture, the words need a background of their own. */
  if (shown && self->has_picture)
    gtk_widget_add_css_class (self->status_box, "osd");
  else
    gtk_widget_remove_css_class (self->status_box, "osd");
}

static void
set_status (PdCameraView *self,
            const char   *status)
{
  g_autofree char *label = NULL;

  if (g_strcmp0 (self->status, status) != 0)
    {
      g_free (self->status);
      self->status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
    }

  if (self->printer_name != NULL)
    /* TRANSLATORS: what a screen reader calls the picture, "Camera of X1C Left" */
    label = g_strdup_printf (_("Camera of %s"), self->printer_name);
  else
    label = g_strdup (_("Camera"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->status,
                                  -1);
}

static gboolean update_status_idle (gpointer data);

static void
update_status (PdCameraView *self)
{
  PdCameraState    state;
  PdCameraProblem  problem;
  const char      *message;
  g_autofree char *status = NULL;

  /* Not while being allocated (becoming a viewer does that, and the source
   * may answer at once): changing labels then would leave the overlay
   * without an allocation for this frame.
   */
  if (self->allocating)
    {
      if (self->status_id == 0)
        self->status_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_status_idle, self, NULL);
      return;
    }
  g_clear_handle_id (&self->status_id, g_source_remove);

  if (self->source == NULL)
    {
      const char *hint = _("This printer has no camera that Printdeck can show.");

      show_status (self, FALSE, "camera-disabled-symbolic", _("No Camera"), NULL, hint);
      set_status (self, _("No camera"));
      return;
    }

  state = pd_camera_source_get_state (self->source);
  problem = pd_camera_source_get_problem (self->source);
  message = pd_camera_source_get_problem_message (self->source);

  if (problem != PD_CAMERA_PROBLEM_NONE && state != PD_CAMERA_STATE_STREAMING)
    {
      const char *label = pd_camera_problem_to_label (problem);
      const char *hint = problem_hint (problem, pd_camera_source_get_kind (self->source));

      show_status (self, FALSE, problem_icon_name (problem), label, message, hint);
      status = message != NULL && *message != '\0' ? g_strdup_printf ("%s: %s", label, message) : g_strdup (label);
    }
  else if (state == PD_CAMERA_STATE_STREAMING && self->has_picture)
    {
      PdCameraFrame *frame = pd_camera_paintable_get_frame (self->paintable);

      show_status (self, FALSE, NULL, NULL, NULL, NULL);
      /* TRANSLATORS: the camera picture for screen readers, "Live, 1920 × 1080" */
      status = g_strdup_printf (_("Live, %d × %d"), pd_camera_frame_get_width (frame), pd_camera_frame_get_height (frame));
    }
  else if (wants_frames (self) || state == PD_CAMERA_STATE_CONNECTING)
    {
      show_status (self, TRUE, NULL, _("Connecting to the camera…"), NULL, NULL);
      status = g_strdup (_("Connecting to the camera…"));
    }
  else
    {
      /* Not on screen or not live: the last picture, if there is one. */
      show_status (self, FALSE, NULL, NULL, NULL, NULL);
      status = g_strdup (self->has_picture ? _("Paused") : _("Not connected"));
    }

  set_status (self, status);
}

/* Every frame: only the first one (or the first after a problem) changes
 * what is said, so most return at once.
 */
static gboolean
update_status_idle (gpointer data)
{
  PdCameraView *self = data;

  self->status_id = 0;
  update_status (self);

  return G_SOURCE_REMOVE;
}

static void
on_frame (PdCameraView *self)
{
  gboolean has_picture = pd_camera_paintable_get_frame (self->paintable) != NULL;

  if (has_picture == self->has_picture && !gtk_widget_get_visible (self->status_box))
    return;

  if (has_picture != self->has_picture)
    {
      self->has_picture = has_picture;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PICTURE]);
    }
  update_status (self);
}

static void
on_source_changed (PdCameraView *self)
{
  update_status (self);
}

/* GtkWidget ---------------------------------------------------------------------*/

static GtkSizeRequestMode
pd_camera_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

/* The camera's own size (1920 × 1080) is no size to ask for: a view takes
 * the room its container gives it, and asks for the picture's shape.
 */
static void
pd_camera_view_measure (GtkWidget     *widget,
                        GtkOrientation orientation,
                        int            for_size,
                        int           *minimum,
                        int           *natural,
                        int           *minimum_baseline,
                        int           *natural_baseline)
{
  PdCameraView *self = PD_CAMERA_VIEW (widget);
  double        aspect = self->aspect_ratio;
  int           child_min = 0, child_nat = 0;

  if (aspect <= 0.0 && self->paintable != NULL)
    aspect = gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (self->paintable));
  if (aspect <= 0.0)
    aspect = 16.0 / 9.0;

  /* Only the words overlaid need room; the picture shrinks to anything. */
  gtk_widget_measure (self->overlay, orientation, for_size, &child_min, &child_nat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = child_min;
      *natural = MAX (child_min, for_size > 0 ? (int) (for_size * aspect) : NATURAL_WIDTH);
    }
  else
    {
      *minimum = child_min;
      *natural = MAX (child_min, (int) ((for_size > 0 ? for_size : NATURAL_WIDTH) / aspect));
    }
}

static void
pd_camera_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  PdCameraView *self = PD_CAMERA_VIEW (widget);

  gtk_widget_allocate (self->overlay, width, height, baseline, NULL);

  self->allocating = TRUE;
  sync_viewer (self);
  self->allocating = FALSE;
}

/* See pd_camera_paintable_set_direct_cairo(). */
static void
set_direct_cairo (PdCameraView *self)
{
  GtkNative   *native = gtk_widget_get_native (GTK_WIDGET (self));
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  if (self->paintable != NULL)
    pd_camera_paintable_set_direct_cairo (self->paintable, renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer));
}

static void
pd_camera_view_map (GtkWidget *widget)
{
  PdCameraView *self = PD_CAMERA_VIEW (widget);

  GTK_WIDGET_CLASS (pd_camera_view_parent_class)->map (widget);
  set_direct_cairo (self);
  sync_viewer (self);
  update_status (self);
}

static void
pd_camera_view_unmap (GtkWidget *widget)
{
  PdCameraView *self = PD_CAMERA_VIEW (widget);

  GTK_WIDGET_CLASS (pd_camera_view_parent_class)->unmap (widget);
  sync_viewer (self);
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_camera_view_dispose (GObject *object)
{
  PdCameraView *self = PD_CAMERA_VIEW (object);

  release_viewer (self);
  g_clear_handle_id (&self->status_id, g_source_remove);
  if (self->source_signals != NULL)
    g_signal_group_set_target (self->source_signals, NULL);
  g_clear_object (&self->source_signals);
  if (self->picture != NULL)
    gtk_picture_set_paintable (self->picture, NULL);
  g_clear_object (&self->throttle);
  if (self->paintable != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->paintable, on_frame, self);
      g_signal_handlers_disconnect_by_func (self->paintable, on_source_changed, self);
    }
  g_clear_object (&self->paintable);
  g_clear_object (&self->source);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_CAMERA_VIEW);

  G_OBJECT_CLASS (pd_camera_view_parent_class)->dispose (object);
}

static void
pd_camera_view_finalize (GObject *object)
{
  PdCameraView *self = PD_CAMERA_VIEW (object);

  g_free (self->printer_name);
  g_free (self->status);

  G_OBJECT_CLASS (pd_camera_view_parent_class)->finalize (object);
}

static void
pd_camera_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PdCameraView *self = PD_CAMERA_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;

    case PROP_PRINTER_NAME:
      g_value_set_string (value, self->printer_name);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;

    case PROP_ASPECT_RATIO:
      g_value_set_double (value, self->aspect_ratio);
      break;

    case PROP_MAX_FPS:
      g_value_set_uint (value, self->max_fps);
      break;

    case PROP_HAS_PICTURE:
      g_value_set_boolean (value, self->has_picture);
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PdCameraView *self = PD_CAMERA_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      pd_camera_view_set_source (self, g_value_get_object (value));
      break;

    case PROP_PRINTER_NAME:
      pd_camera_view_set_printer_name (self, g_value_get_string (value));
      break;

    case PROP_LIVE:
      pd_camera_view_set_live (self, g_value_get_boolean (value));
      break;

    case PROP_ASPECT_RATIO:
      pd_camera_view_set_aspect_ratio (self, g_value_get_double (value));
      break;

    case PROP_MAX_FPS:
      pd_camera_view_set_max_fps (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_view_class_init (PdCameraViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_camera_view_dispose;
  object_class->finalize = pd_camera_view_finalize;
  object_class->get_property = pd_camera_view_get_property;
  object_class->set_property = pd_camera_view_set_property;
  widget_class->get_request_mode = pd_camera_view_get_request_mode;
  widget_class->measure = pd_camera_view_measure;
  widget_class->size_allocate = pd_camera_view_size_allocate;
  widget_class->map = pd_camera_view_map;
  widget_class->unmap = pd_camera_view_unmap;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, PD_TYPE_CAMERA_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PRINTER_NAME] =
    g_param_spec_string ("printer-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* FALSE: not a viewer even while mapped (a tile scrolled out of sight) */
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* the shape the view asks for, width / height; 0: the picture's own */
  properties[PROP_ASPECT_RATIO] =
    g_param_spec_double ("aspect-ratio", NULL, NULL, 0.0, 100.0, 0.0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* redraws a second at most (small tiles need fewer than the camera
   * sends; see docs/performance.md); 0: every frame */
  properties[PROP_MAX_FPS] =
    g_param_spec_uint ("max-fps", NULL, NULL, 0, 120, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_PICTURE] =
    g_param_spec_boolean ("has-picture", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* what the view says in words (its accessible description) */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "cameraview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-camera-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, overlay);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, picture);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, status_box);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, spinner);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, title_label);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, message_label);
  gtk_widget_class_bind_template_child (widget_class, PdCameraView, hint_label);
}

static void
pd_camera_view_init (PdCameraView *self)
{
  self->live = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* a window moved to a HiDPI screen needs twice the pixels */
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (sync_viewer), NULL);

  self->source_signals = g_signal_group_new (PD_TYPE_CAMERA_SOURCE);
  g_signal_group_connect_swapped (self->source_signals, "notify::state", G_CALLBACK (on_source_changed), self);
  g_signal_group_connect_swapped (self->source_signals, "notify::problem", G_CALLBACK (on_source_changed), self);
  g_signal_group_connect_swapped (self->source_signals, "notify::problem-message", G_CALLBACK (on_source_changed), self);
  g_signal_group_connect_swapped (self->source_signals, "notify::kind", G_CALLBACK (on_source_changed), self);

  update_status (self);
}

/**
 * pd_camera_view_new:
 * @source: (nullable): the printer's camera; %NULL: the printer has none
 *
 * Returns: (transfer floating): a view of @source
 */
GtkWidget *
pd_camera_view_new (PdCameraSource *source)
{
  return g_object_new (PD_TYPE_CAMERA_VIEW, "source", source, NULL);
}

PdCameraSource *
pd_camera_view_get_source (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), NULL);

  return self->source;
}

/**
 * pd_camera_view_set_source:
 * @self: a view
 * @source: (nullable): the camera to show; %NULL: the printer has none
 */
void
pd_camera_view_set_source (PdCameraView   *self,
                           PdCameraSource *source)
{
  g_return_if_fail (PD_IS_CAMERA_VIEW (self));
  g_return_if_fail (source == NULL || PD_IS_CAMERA_SOURCE (source));

  if (self->source == source)
    return;

  release_viewer (self);
  if (self->paintable != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->paintable, on_frame, self);
      g_signal_handlers_disconnect_by_func (self->paintable, on_source_changed, self);
    }
  g_clear_object (&self->throttle);
  g_clear_object (&self->paintable);
  g_set_object (&self->source, source);
  g_signal_group_set_target (self->source_signals, source);

  if (source != NULL)
    {
      self->paintable = pd_camera_paintable_get_for_source (source);
      g_signal_connect_swapped (self->paintable, "invalidate-contents", G_CALLBACK (on_frame), self);
      /* a new size is a new "Live, 1280 × 720" */
      g_signal_connect_swapped (self->paintable, "invalidate-size", G_CALLBACK (on_source_changed), self);
      self->throttle = pd_camera_throttle_new (GDK_PAINTABLE (self->paintable));
      pd_camera_throttle_set_max_fps (self->throttle, self->max_fps);
    }
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->throttle));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    set_direct_cairo (self);
  self->has_picture = self->paintable != NULL && pd_camera_paintable_get_frame (self->paintable) != NULL;

  sync_viewer (self);
  update_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_PICTURE]);
}

const char *
pd_camera_view_get_printer_name (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), NULL);

  return self->printer_name;
}

/**
 * pd_camera_view_set_printer_name:
 * @self: a view
 * @printer_name: (nullable): the printer's name, for screen readers
 */
void
pd_camera_view_set_printer_name (PdCameraView *self,
                                 const char   *printer_name)
{
  g_return_if_fail (PD_IS_CAMERA_VIEW (self));

  if (g_strcmp0 (self->printer_name, printer_name) == 0)
    return;

  g_free (self->printer_name);
  self->printer_name = g_strdup (printer_name);
  set_status (self, self->status);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER_NAME]);
}

gboolean
pd_camera_view_get_live (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), FALSE);

  return self->live;
}

/**
 * pd_camera_view_set_live:
 * @self: a view
 * @live: whether the view wants frames while it is mapped
 *
 * A view that is not live lets go of the camera even on screen (a tile
 * scrolled out of sight), and keeps showing its last picture.
 */
void
pd_camera_view_set_live (PdCameraView *self,
                         gboolean      live)
{
  g_return_if_fail (PD_IS_CAMERA_VIEW (self));

  live = !!live;
  if (self->live == live)
    return;

  self->live = live;
  sync_viewer (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

double
pd_camera_view_get_aspect_ratio (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), 0.0);

  return self->aspect_ratio;
}

/**
 * pd_camera_view_set_aspect_ratio:
 * @self: a view
 * @aspect_ratio: the shape the view asks for (width / height), whatever
 *   the camera's; 0: the picture's own
 *
 * A wall of views of different cameras lines up when they all ask for
 * one shape; each picture is letterboxed in it.
 */
void
pd_camera_view_set_aspect_ratio (PdCameraView *self,
                                 double        aspect_ratio)
{
  g_return_if_fail (PD_IS_CAMERA_VIEW (self));

  if (self->aspect_ratio == aspect_ratio)
    return;

  self->aspect_ratio = aspect_ratio;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ASPECT_RATIO]);
}

/**
 * pd_camera_view_set_max_fps:
 * @self: a view
 * @max_fps: redraws a second at most; 0: every frame
 *
 * Without a GPU, drawing is most of what a view costs; a tile that shows a
 * print's progress needs far fewer than the camera's 30 pictures a second.
 * The source still decodes once for all views.
 */
void
pd_camera_view_set_max_fps (PdCameraView *self,
                            guint         max_fps)
{
  g_return_if_fail (PD_IS_CAMERA_VIEW (self));

  if (self->max_fps == max_fps)
    return;

  self->max_fps = max_fps;
  if (self->throttle != NULL)
    pd_camera_throttle_set_max_fps (self->throttle, max_fps);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FPS]);
}

guint
pd_camera_view_get_max_fps (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), 0);

  return self->max_fps;
}

gboolean
pd_camera_view_get_has_picture (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), FALSE);

  return self->has_picture;
}

/**
 * pd_camera_view_get_status:
 * @self: a view
 *
 * Returns: what the view shows, in words ("Connecting to the camera…",
 *   "Wrong access code: …", "Live, 1920 × 1080")
 */
const char *
pd_camera_view_get_status (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), NULL);

  return self->status;
}

/**
 * pd_camera_view_get_paintable:
 * @self: a view
 *
 * Returns: (transfer none) (nullable): the picture it shows
 */
PdCameraPaintable *
pd_camera_view_get_paintable (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), NULL);

  return self->paintable;
}

/* 0 while the view is not one of the source's viewers */
guint
pd_camera_view_get_viewer_id (PdCameraView *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_VIEW (self), 0);

  return self->viewer_id;
}
