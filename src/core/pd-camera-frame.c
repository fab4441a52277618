/* pd-camera-frame.c — one decoded picture from a printer's camera
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "pd-camera-frame.h"

struct _PdCameraFrame
{
  int            width;
  int            height;
  PdCameraPixels format;
  GBytes        *pixels;
  gsize          stride;
  GBytes        *jpeg;
  gint64         time_us;
  guint64        sequence;
};

G_DEFINE_BOXED_TYPE (PdCameraFrame, pd_camera_frame, pd_camera_frame_ref, pd_camera_frame_unref)

static guint
bytes_per_pixel (PdCameraPixels format)
{
  return format == PD_CAMERA_PIXELS_RGB ? 3 : 4;
}

/**
 * pd_camera_frame_new:
 * @pixels: at least (height - 1) × stride + width × bytes-per-pixel bytes
 * @jpeg: (nullable): the JPEG the pixels were decoded from, if any
 *
 * Returns: (transfer full) (nullable): the frame, or %NULL when @pixels is
 *   too short for the size.
 */
PdCameraFrame *
pd_camera_frame_new (int            width,
                     int            height,
                     PdCameraPixels format,
                     GBytes        *pixels,
                     gsize          stride,
                     GBytes        *jpeg,
                     gint64         time_us)
{
  PdCameraFrame *frame;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (stride >= (gsize) width * bytes_per_pixel (format), NULL);

  if (g_bytes_get_size (pixels) < (gsize) (height - 1) * stride + (gsize) width * bytes_per_pixel (format))
    return NULL;

  frame = g_rc_box_new0 (PdCameraFrame);
  frame->width = width;
  frame->height = height;
  frame->format = format;
  frame->pixels = g_bytes_ref (pixels);
  frame->stride = stride;
  frame->jpeg = jpeg != NULL ? g_bytes_ref (jpeg) : NULL;
  frame->time_us = time_us;

  return frame;
}

PdCameraFrame *
pd_camera_frame_ref (PdCameraFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  return g_rc_box_acquire (frame);
}

static void
frame_clear (PdCameraFrame *frame)
{
  g_clear_pointer (&frame->pixels, g_bytes_unref);
  g_clear_pointer (&frame->jpeg, g_bytes_unref);
}

void
pd_camera_frame_unref (PdCameraFrame *frame)
{
  g_return_if_fail (frame != NULL);

  g_rc_box_release_full (frame, (GDestroyNotify) frame_clear);
}

int
pd_camera_frame_get_width (const PdCameraFrame *frame)
{
  return frame->width;
}

int
pd_camera_frame_get_height (const PdCameraFrame *frame)
{
  return frame->height;
}

PdCameraPixels
pd_camera_frame_get_format (const PdCameraFrame *frame)
{
  return frame->format;
}

GBytes *
pd_camera_frame_get_pixels (const PdCameraFrame *frame)
{
  return frame->pixels;
}

gsize
pd_camera_frame_get_stride (const PdCameraFrame *frame)
{
  return frame->stride;
}

GBytes *
pd_camera_frame_get_jpeg (const PdCameraFrame *frame)
{
  return frame->jpeg;
}

gint64
pd_camera_frame_get_time (const PdCameraFrame *frame)
{
  return frame->time_us;
}

guint64
pd_camera_frame_get_sequence (const PdCameraFrame *frame)
{
  return frame->sequence;
}

void
pd_camera_frame_set_sequence (PdCameraFrame *frame,
                              guint64        sequence)
{
  frame->sequence = sequence;
}

/* Decoding ---------------------------------------------------------------------*/

/* 8K is more than any printer camera sends; a header claiming more would
 * make the decoder allocate gigabytes (found by fuzz-camera-jpeg). */
#define MAX_SIDE   8192
#define MAX_PIXELS (40 * 1000 * 1000)

typedef struct
{
  int      max_width;
  int      max_height;
  gboolean too_large;
} SizeRequest;

/* Fits the picture into the box, keeping its shape; the JPEG loader then
 * decodes at 1/2, 1/4 or 1/8 scale where it can, which costs far less than
 * decoding at full size and scaling after. */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  SizeRequest     *request)
{
  double scale;

  if (width > MAX_SIDE || height > MAX_SIDE || (gint64) width * height > MAX_PIXELS)
    {
      /* a size of 0 makes the loader give up before it allocates */
      request->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
      return;
    }
  if (request->max_width <= 0 || request->max_height <= 0 || width <= 0 || height <= 0)
    return;
  if (width <= request->max_width && height <= request->max_height)
    return;

  scale = MIN ((double) request->max_width / width, (double) request->max_height / height);
  gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale + 0.5)), MAX (1, (int) (height * scale + 0.5)));
}

/**
 * pd_camera_frame_new_from_jpeg:
 *
 * Returns: (transfer full): the decoded frame, or %NULL with @error when
 *   @jpeg is not a whole JPEG picture.
 */
PdCameraFrame *
pd_camera_frame_new_from_jpeg (GBytes *jpeg,
                               int     max_width,
                               int     max_height,
                               gint64  time_us,
                               GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autoptr (GError)          local_error = NULL;
  g_autoptr (GBytes)          pixels = NULL;
  SizeRequest                 request = { max_width, max_height, FALSE };
  const guint8               *data;
  gsize                       size;
  GdkPixbuf                  *pixbuf;
  PdCameraFrame              *frame;

  g_return_val_if_fail (jpeg != NULL, NULL);

  data = g_bytes_get_data (jpeg, &size);
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a picture that is not a JPEG"));
      return NULL;
    }

  loader = gdk_pixbuf_loader_new_with_type ("jpeg", &local_error);
  if (loader == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("JPEG pictures cannot be decoded: %s"),
                   local_error->message);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &request);

  if (!gdk_pixbuf_loader_write_bytes (loader, jpeg, &local_error) ||
      !gdk_pixbuf_loader_close (loader, &local_error))
    {
      if (request.too_large)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The camera sent a picture larger than %d × %d pixels"), MAX_SIDE, MAX_SIDE);
          return NULL;
        }
      /* gdk-pixbuf warns about, but still shows, a picture cut short; the
       * camera must send whole ones. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a damaged picture: %s"),
                   local_error->message);
      return NULL;
    }

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (request.too_large || pixbuf == NULL || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      (gdk_pixbuf_get_n_channels (pixbuf) != 3 && gdk_pixbuf_get_n_channels (pixbuf) != 4))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a damaged picture"));
      return NULL;
    }

  /* Zero-copy: the bytes keep the pixbuf alive. */
  pixels = gdk_pixbuf_read_pixel_bytes (pixbuf);
  frame = pd_camera_frame_new (gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                               gdk_pixbuf_get_has_alpha (pixbuf) ? PD_CAMERA_PIXELS_RGBA : PD_CAMERA_PIXELS_RGB,
                               pixels, (gsize) gdk_pixbuf_get_rowstride (pixbuf), jpeg, time_us);
  if (frame == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a damaged picture"));

  return frame;
}

/* Encoding ---------------------------------------------------------------------*/

/* A pixbuf over the frame's pixels; BGRA (from the RTSPS pipeline) is turned
 * into RGB, the one order gdk-pixbuf knows besides RGBA. */
static GdkPixbuf *
frame_to_pixbuf (const PdCameraFrame *frame)
{
  const guint8 *src = g_bytes_get_data (frame->pixels, NULL);
  GdkPixbuf    *pixbuf;
  guint8       *dst;
  int           dst_stride;

  if (frame->format != PD_CAMERA_PIXELS_BGRA)
    return gdk_pixbuf_new_from_bytes (frame->pixels, GDK_COLORSPACE_RGB, frame->format == PD_CAMERA_PIXELS_RGBA, 8,
                                      frame->width, frame->height, (int) frame->stride);

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, frame->width, frame->height);
  if (pixbuf == NULL)
    return NULL;
  dst = gdk_pixbuf_get_pixels (pixbuf);
  dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < frame->height; y++)
    {
      const guint8 *s = src + (gsize) y * frame->stride;
      guint8       *d = dst + (gsize) y * (gsize) dst_stride;

      for (int x = 0; x < frame->width; x++, s += 4, d += 3)
        {
          d[0] = s[2];
          d[1] = s[1];
          d[2] = s[0];
        }
    }

  return pixbuf;
}

/**
 * pd_camera_frame_encode:
 * @extension: (out) (optional): "png" or "jpg"
 *
 * Returns: (transfer full): the encoded picture, or %NULL with @error.
 */
GBytes *
pd_camera_frame_encode (const PdCameraFrame *frame,
                        PdSnapshotFormat     format,
                        const char         **extension,
                        GError             **error)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError)    local_error = NULL;
  gboolean              jpeg;
  char                 *buffer = NULL;
  gsize                 size = 0;
  gboolean              ok;

  g_return_val_if_fail (frame != NULL, NULL);

  if (format == PD_SNAPSHOT_FORMAT_AUTO && frame->jpeg != NULL)
    {
      if (extension != NULL)
        *extension = "jpg";
      return g_bytes_ref (frame->jpeg);
    }

  jpeg = format == PD_SNAPSHOT_FORMAT_JPEG;
  pixbuf = frame_to_pixbuf (frame);
  if (pixbuf == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("There is not enough memory for the picture"));
      return NULL;
    }

  if (jpeg)
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", &local_error, "quality", "90", NULL);
  else
    ok = gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &local_error, "compression", "6", NULL);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The picture could not be encoded: %s"),
                   local_error->message);
      return NULL;
    }

  if (extension != NULL)
    *extension = jpeg ? "jpg" : "png";

  return g_bytes_new_take (buffer, size);
}

/**
 * pd_camera_jpeg_frame_size:
 * @header: a picture's header from the port-6000 stream
 *
 * Returns: the size of the JPEG that follows, or 0 when the header cannot be
 *   a picture's (nothing, or more than any camera sends)
 */
guint32
pd_camera_jpeg_frame_size (const guint8 header[PD_CAMERA_JPEG_HEADER_SIZE])
{
  guint32 size;

  g_return_val_if_fail (header != NULL, 0);

  memcpy (&size, header, sizeof size); /* bytes from the network: no alignment */
  size = GUINT32_FROM_LE (size);
  return size <= PD_CAMERA_JPEG_MAX_FRAME ? size : 0;
}
