/* pd-camera-throttle.c — a camera picture redrawn at most N times a second
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Without a GPU, redrawing a picture is most of what a camera view costs
 * (docs/performance.md): a small tile on the camera wall or the printer page
 * does not need 30 pictures a second to show a print's progress. This
 * paintable draws whatever its inner paintable shows, but passes on its
 * "contents changed" at most max-fps times a second; the last change is
 * always passed on, late, so the picture is never stale for long.
 */

#include "config.h"

#include "pd-camera-throttle.h"

struct _PdCameraThrottle
{
  GObject       parent_instance;

  GdkPaintable *inner;
  guint         max_fps;
  gint64        last;       /* when a change was last passed on */
  guint         pending_id; /* a change waits */
};

static void pd_camera_throttle_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PdCameraThrottle, pd_camera_throttle, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, pd_camera_throttle_iface_init))

static void
pass_on (PdCameraThrottle *self)
{
  self->last = g_get_monotonic_time ();
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static gboolean
on_pending (gpointer data)
{
  PdCameraThrottle *self = data;

  self->pending_id = 0;
  pass_on (self);

  return G_SOURCE_REMOVE;
}

static void
on_inner_contents (PdCameraThrottle *self)
{
  gint64 period;
  gint64 since;

  if (self->max_fps == 0)
    {
      pass_on (self);
      return;
    }
  if (self->pending_id != 0)
    return;

  period = G_USEC_PER_SEC / self->max_fps;
  since = g_get_monotonic_time () - self->last;
  if (since >= period)
    pass_on (self);
  else
    self->pending_id = g_timeout_add ((guint) ((period - since + 999) / 1000), on_pending, self);
}

static void
on_inner_size (PdCameraThrottle *self)
{
  gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
}

/* GdkPaintable: all of it the inner paintable's --------------------------------*/

static void
pd_camera_throttle_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  gdk_paintable_snapshot (PD_CAMERA_THROTTLE (paintable)->inner, snapshot, width, height);
}

static GdkPaintable *
pd_camera_throttle_get_current_image (GdkPaintable *paintable)
{
  return gdk_paintable_get_current_image (PD_CAMERA_THROTTLE (paintable)->inner);
}

static int
pd_camera_throttle_get_intrinsic_width (GdkPaintable *paintable)
{
  return gdk_paintable_get_intrinsic_width (PD_CAMERA_THROTTLE (paintable)->inner);
}

static int
pd_camera_throttle_get_intrinsic_height (GdkPaintable *paintable)
{
  return gdk_paintable_get_intrinsic_height (PD_CAMERA_THROTTLE (paintable)->inner);
}

static double
pd_camera_throttle_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  return gdk_paintable_get_intrinsic_aspect_ratio (PD_CAMERA_THROTTLE (paintable)->inner);
}

static void
pd_camera_throttle_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = pd_camera_throttle_snapshot;
  iface->get_current_image = pd_camera_throttle_get_current_image;
  iface->get_intrinsic_width = pd_camera_throttle_get_intrinsic_width;
  iface->get_intrinsic_height = pd_camera_throttle_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = pd_camera_throttle_get_intrinsic_aspect_ratio;
}

static void
pd_camera_throttle_dispose (GObject *object)
{
  PdCameraThrottle *self = PD_CAMERA_THROTTLE (object);

  g_clear_handle_id (&self->pending_id, g_source_remove);
  if (self->inner != NULL)
    g_signal_handlers_disconnect_by_data (self->inner, self);
  g_clear_object (&self->inner);

  G_OBJECT_CLASS (pd_camera_throttle_parent_class)->dispose (object);
}

static void
pd_camera_throttle_class_init (PdCameraThrottleClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pd_camera_throttle_dispose;
}

static void
pd_camera_throttle_init (PdCameraThrottle *self)
{
}

/**
 * pd_camera_throttle_new:
 * @inner: the paintable to draw
 *
 * Returns: (transfer full): a paintable that follows @inner at full rate
 *   until a max-fps is set
 */
PdCameraThrottle *
pd_camera_throttle_new (GdkPaintable *inner)
{
  PdCameraThrottle *self;

  g_return_val_if_fail (GDK_IS_PAINTABLE (inner), NULL);

  self = g_object_new (PD_TYPE_CAMERA_THROTTLE, NULL);
  self->inner = g_object_ref (inner);
  g_signal_connect_swapped (inner, "invalidate-contents", G_CALLBACK (on_inner_contents), self);
  g_signal_connect_swapped (inner, "invalidate-size", G_CALLBACK (on_inner_size), self);

  return self;
}

/**
 * pd_camera_throttle_set_max_fps:
 * @max_fps: redraws a second at most; 0 for every change
 */
void
pd_camera_throttle_set_max_fps (PdCameraThrottle *self,
                                guint             max_fps)
{
  g_return_if_fail (PD_IS_CAMERA_THROTTLE (self));

  self->max_fps = max_fps;
  if (max_fps == 0 && self->pending_id != 0)
    {
      g_clear_handle_id (&self->pending_id, g_source_remove);
      pass_on (self);
    }
}

guint
pd_camera_throttle_get_max_fps (PdCameraThrottle *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_THROTTLE (self), 0);

  return self->max_fps;
}
