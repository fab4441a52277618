/* pd-camera-paintable.c — a printer's live camera as a GdkPaintable
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Follows the source's latest frame. The frame's pixels become a
 * GdkMemoryTexture without a copy (the texture's bytes hold a reference on
 * the frame), and only when something draws: a frame that arrives while no
 * picture is on screen costs nothing but the pointer swap, and one
 * conversion serves every picture that shows the paintable in the same
 * frame. pd_camera_paintable_get_for_source() hands out one paintable per
 * source, so the camera window, the printer page and the camera wall share
 * their textures too.
 */

#define G_LOG_DOMAIN "pd-camera-paintable"

#include "config.h"

#include "pd-camera-paintable.h"

struct _PdCameraPaintable
{
  GObject         parent_instance;

  PdCameraSource *source;
  PdCameraFrame  *frame;    /* the latest; NULL before the first */
  GdkTexture     *texture;  /* frame as a texture, made on the first draw */
  gboolean        unusable; /* the frame cannot be a texture: not tried again */
  cairo_surface_t *surface; /* frame as a cairo surface (direct cairo drawing) */
  gboolean        direct_cairo;
  guint           n_conversions;
};

static void pd_camera_paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PdCameraPaintable, pd_camera_paintable, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, pd_camera_paintable_iface_init))

enum
{
  PROP_0,
  PROP_SOURCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GQuark      shared_quark;

static int
frame_width (PdCameraFrame *frame)
{
  return frame != NULL ? pd_camera_frame_get_width (frame) : 0;
}

static int
frame_height (PdCameraFrame *frame)
{
  return frame != NULL ? pd_camera_frame_get_height (frame) : 0;
}

/* The frame's own bytes, wrapped so that the texture keeps the frame (and
 * so whatever the decoder lent it) alive for as long as it draws them.
 */
static GdkTexture *
frame_to_texture (PdCameraFrame *frame)
{
  GBytes            *pixels = pd_camera_frame_get_pixels (frame);
  int                width = pd_camera_frame_get_width (frame);
  int                height = pd_camera_frame_get_height (frame);
  gsize              stride = pd_camera_frame_get_stride (frame);
  gsize              size;
  gsize              bpp;
  GdkMemoryFormat    format;
  g_autoptr (GBytes) bytes = NULL;

  switch (pd_camera_frame_get_format (frame))
    {
    case PD_CAMERA_PIXELS_BGRA:
      /* cairo's own layout on little-endian machines: drawn as is; alpha is
       * always 255, so premultiplied and straight are the same */
      format = GDK_MEMORY_B8G8R8A8_PREMULTIPLIED;
      bpp = 4;
      break;
    default:
      g_warning ("Unknown camera pixel format %d", pd_camera_frame_get_format (frame));
      return NULL;
    }

  if (pixels == NULL || width <= 0 || height <= 0)
    return NULL;
  size = g_bytes_get_size (pixels);
  if (stride < (gsize) width * bpp || size < stride * (gsize) (height - 1) + (gsize) width * bpp)
    {
      g_warning ("A camera frame of %d × %d has %" G_GSIZE_FORMAT " bytes with a stride of %" G_GSIZE_FORMAT,
                 width, height, size, stride);
      return NULL;
    }

  bytes = g_bytes_new_with_free_func (g_bytes_get_data (pixels, NULL), size,
                                      (GDestroyNotify) pd_camera_frame_unref, pd_camera_frame_ref (frame));

  return gdk_memory_texture_new (width, height, format, bytes, stride);
}

static const cairo_user_data_key_t frame_key;

/* The frame's BGRA bytes as a cairo surface, zero-copy (the surface keeps
 * the frame): cairo's ARGB32 is BGRA on little-endian machines. */
static cairo_surface_t *
ensure_surface (PdCameraPaintable *self)
{
  PdCameraFrame *frame = self->frame;
  int            width;
  int            height;
  gsize          stride;

  if (self->surface != NULL || frame == NULL || G_BYTE_ORDER != G_LITTLE_ENDIAN ||
      pd_camera_frame_get_format (frame) != PD_CAMERA_PIXELS_BGRA)
    return self->surface;

  width = pd_camera_frame_get_width (frame);
  height = pd_camera_frame_get_height (frame);
  stride = pd_camera_frame_get_stride (frame);
  if (stride % 4 != 0 || stride < (gsize) cairo_format_stride_for_width (CAIRO_FORMAT_RGB24, width) ||
      stride > G_MAXINT)
    return NULL;

  /* RGB24: the alpha byte (always 255) is ignored, so cairo copies rather
   * than blends. */
  self->surface = cairo_image_surface_create_for_data ((unsigned char *) g_bytes_get_data (pd_camera_frame_get_pixels (frame), NULL),
                                                       CAIRO_FORMAT_RGB24, width, height, (int) stride);
  if (cairo_surface_status (self->surface) != CAIRO_STATUS_SUCCESS)
    {
      g_clear_pointer (&self->surface, cairo_surface_destroy);
      return NULL;
    }
  cairo_surface_set_user_data (self->surface, &frame_key, pd_camera_frame_ref (frame),
                               (cairo_destroy_func_t) pd_camera_frame_unref);
  self->n_conversions++;

  return self->surface;
}

static GdkTexture *
ensure_texture (PdCameraPaintable *self)
{
  if (self->texture == NULL && self->frame != NULL && !self->unusable)
    {
      self->texture = frame_to_texture (self->frame);
      self->unusable = self->texture == NULL;
      self->n_conversions++;
    }

  return self->texture;
}

static void
set_frame (PdCameraPaintable *self,
           PdCameraFrame     *frame)
{
  gboolean size_changed;

  if (frame == self->frame)
    return;

  size_changed = frame_width (frame) != frame_width (self->frame) || frame_height (frame) != frame_height (self->frame);
  g_clear_pointer (&self->frame, pd_camera_frame_unref);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  self->unusable = FALSE;
  self->frame = frame != NULL ? pd_camera_frame_ref (frame) : NULL;

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static void
on_frame (PdCameraPaintable *self)
{
  set_frame (self, pd_camera_source_get_frame (self->source));
}

/* GdkPaintable -----------------------------------------------------------------*/

static void
pd_camera_paintable_snapshot (GdkPaintable *paintable,
                              GdkSnapshot  *snapshot,
                              double        width,
                              double        height)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (paintable);
  cairo_surface_t   *surface;
  GdkTexture        *texture;

  /* GTK 4.8's cairo renderer turns a memory texture into a cairo surface
   * through floats, per pixel, for every view that draws it, even when the
   * formats are the same; a cairo node over the frame's own bytes is drawn
   * by pixman directly. The GL renderer, on the other hand, uploads a
   * texture once for all views: there the texture is the cheaper way. */
  if (self->direct_cairo && width > 0 && height > 0 && (surface = ensure_surface (self)) != NULL)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (GTK_SNAPSHOT (snapshot), &GRAPHENE_RECT_INIT (0, 0, width, height));
      double   sx = width / cairo_image_surface_get_width (surface);
      double   sy = height / cairo_image_surface_get_height (surface);

      cairo_scale (cr, sx, sy);
      cairo_set_source_surface (cr, surface, 0, 0);
      /* bilinear: the stream is already scaled near the view's size */
      cairo_pattern_set_filter (cairo_get_source (cr),
                                G_APPROX_VALUE (sx, 1.0, 0.001) && G_APPROX_VALUE (sy, 1.0, 0.001) ? CAIRO_FILTER_FAST
                                                                                                   : CAIRO_FILTER_BILINEAR);
      cairo_paint (cr);
      cairo_destroy (cr);
      return;
    }

  texture = ensure_texture (self);
  if (texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (texture), snapshot, width, height);
}

static GdkPaintable *
pd_camera_paintable_get_current_image (GdkPaintable *paintable)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (paintable);
  GdkTexture        *texture = ensure_texture (self);

  if (texture != NULL)
    return GDK_PAINTABLE (g_object_ref (texture));

  return gdk_paintable_new_empty (frame_width (self->frame), frame_height (self->frame));
}

static int
pd_camera_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return frame_width (PD_CAMERA_PAINTABLE (paintable)->frame);
}

static int
pd_camera_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return frame_height (PD_CAMERA_PAINTABLE (paintable)->frame);
}

static double
pd_camera_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (paintable);

  if (frame_width (self->frame) <= 0 || frame_height (self->frame) <= 0)
    return 0.0;

  return (double) frame_width (self->frame) / frame_height (self->frame);
}

static void
pd_camera_paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = pd_camera_paintable_snapshot;
  iface->get_current_image = pd_camera_paintable_get_current_image;
  iface->get_intrinsic_width = pd_camera_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = pd_camera_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = pd_camera_paintable_get_intrinsic_aspect_ratio;
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_camera_paintable_constructed (GObject *object)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (object);

  G_OBJECT_CLASS (pd_camera_paintable_parent_class)->constructed (object);

  g_return_if_fail (PD_IS_CAMERA_SOURCE (self->source));

  g_signal_connect_object (self->source, "frame", G_CALLBACK (on_frame), self, G_CONNECT_SWAPPED);
  on_frame (self);
}

static void
pd_camera_paintable_dispose (GObject *object)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (object);

  if (self->source != NULL && g_object_get_qdata (G_OBJECT (self->source), shared_quark) == self)
    g_object_set_qdata (G_OBJECT (self->source), shared_quark, NULL);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->frame, pd_camera_frame_unref);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (pd_camera_paintable_parent_class)->dispose (object);
}

static void
pd_camera_paintable_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      g_value_set_object (value, self->source);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_paintable_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  PdCameraPaintable *self = PD_CAMERA_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_SOURCE:
      self->source = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_paintable_class_init (PdCameraPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pd_camera_paintable_constructed;
  object_class->dispose = pd_camera_paintable_dispose;
  object_class->get_property = pd_camera_paintable_get_property;
  object_class->set_property = pd_camera_paintable_set_property;

  properties[PROP_SOURCE] =
    g_param_spec_object ("source", NULL, NULL, PD_TYPE_CAMERA_SOURCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  shared_quark = g_quark_from_static_string ("pd-camera-paintable");
}

static void
pd_camera_paintable_init (PdCameraPaintable *self)
{
}

/**
 * pd_camera_paintable_new:
 * @source: a printer's camera
 *
 * Returns: (transfer full): a paintable of its own for @source
 */
PdCameraPaintable *
pd_camera_paintable_new (PdCameraSource *source)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (source), NULL);

  return g_object_new (PD_TYPE_CAMERA_PAINTABLE, "source", source, NULL);
}

/**
 * pd_camera_paintable_get_for_source:
 * @source: a printer's camera
 *
 * The paintable every view of @source shares (so a frame becomes a texture
 * once, however many views draw it); made when the first view asks, gone
 * when the last view lets go.
 *
 * Returns: (transfer full): the shared paintable
 */
PdCameraPaintable *
pd_camera_paintable_get_for_source (PdCameraSource *source)
{
  PdCameraPaintable *self;

  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (source), NULL);

  if (shared_quark == 0)
    g_type_ensure (PD_TYPE_CAMERA_PAINTABLE);

  self = g_object_get_qdata (G_OBJECT (source), shared_quark);
  if (self != NULL)
    return g_object_ref (self);

  /* Not a reference: the paintable holds the source, and takes itself out
   * of the source's data when it goes.
   */
  self = pd_camera_paintable_new (source);
  g_object_set_qdata (G_OBJECT (source), shared_quark, self);

  return self;
}

/**
 * pd_camera_paintable_set_direct_cairo:
 * @direct: whether the views draw with GTK's cairo renderer
 *
 * With the cairo renderer, frames are drawn as cairo surfaces over their own
 * bytes rather than as textures (see the snapshot function for why).
 */
void
pd_camera_paintable_set_direct_cairo (PdCameraPaintable *self,
                                      gboolean           direct)
{
  g_return_if_fail (PD_IS_CAMERA_PAINTABLE (self));

  self->direct_cairo = !!direct;
}

PdCameraSource *
pd_camera_paintable_get_source (PdCameraPaintable *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_PAINTABLE (self), NULL);

  return self->source;
}

/**
 * pd_camera_paintable_get_frame:
 * @self: a paintable
 *
 * Returns: (transfer none) (nullable): the frame it shows
 */
PdCameraFrame *
pd_camera_paintable_get_frame (PdCameraPaintable *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_PAINTABLE (self), NULL);

  return self->frame;
}

/**
 * pd_camera_paintable_get_texture:
 * @self: a paintable
 *
 * Returns: (transfer none) (nullable): the frame it shows as a texture
 */
GdkTexture *
pd_camera_paintable_get_texture (PdCameraPaintable *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_PAINTABLE (self), NULL);

  return ensure_texture (self);
}

/* How many frames were turned into textures: for the tests, and for
 * checking that frames nobody draws are not converted.
 */
guint
pd_camera_paintable_get_n_conversions (PdCameraPaintable *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_PAINTABLE (self), 0);

  return self->n_conversions;
}
