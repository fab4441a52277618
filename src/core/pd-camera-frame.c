/* pd-camera-frame.c — one decoded picture from a printer's camera
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
/* after stdio.h, which it needs */
#include <jpeglib.h>
#include <jerror.h>

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

/**
 * pd_camera_frame_new:
 * @pixels: at least (height - 1) × stride + width × 4 bytes
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
  g_return_val_if_fail (format == PD_CAMERA_PIXELS_BGRA, NULL);
  g_return_val_if_fail (stride >= (gsize) width * 4, NULL);

  if (g_bytes_get_size (pixels) < (gsize) (height - 1) * stride + (gsize) width * 4)
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

/* Corrupt data can make the decoder warn once per block; past this many
 * the picture is given up rather than decoded into noise. */
#define MAX_WARNINGS 64

/* What libjpeg may take for the whole picture's coefficients, which a
 * progressive JPEG needs before it can show a row (a 4K picture ~50 MB);
 * past it the picture is refused, not decoded to disk. */
#define MAX_DECODER_MEMORY (128 * 1024 * 1024)

/* Pixel buffers of decoded pictures, kept for the next picture of the same
 * size. A camera decodes a picture of the same size again and again; a new
 * malloc() each time (900 kB for 640 × 360) left glibc's heaps settling
 * upwards for minutes (docs/performance.md, "Fifth round"). Only free
 * buffers are kept, at most POOL_MAX_FREE, the most recently freed first;
 * pd_camera_frame_trim_pool() lets go of those unused for a while. Decoding
 * runs on worker threads, so the pool has a lock. */
#define POOL_MAX_FREE 8

typedef struct
{
  gsize  size;
  gint64 freed_us;
  guint8 data[];
} PoolBuffer;

static GMutex pool_lock;
static GQueue pool = G_QUEUE_INIT; /* of PoolBuffer, the most recently freed first */

static PoolBuffer *
pool_take (gsize size)
{
  PoolBuffer *buffer = NULL;

  g_mutex_lock (&pool_lock);
  for (GList *l = pool.head; l != NULL; l = l->next)
    {
      if (((PoolBuffer *) l->data)->size == size)
        {
          buffer = l->data;
          g_queue_delete_link (&pool, l);
          break;
        }
    }
  g_mutex_unlock (&pool_lock);

  if (buffer == NULL && size <= G_MAXSIZE - sizeof (PoolBuffer))
    {
      buffer = g_try_malloc (sizeof (PoolBuffer) + size);
      if (buffer != NULL)
        buffer->size = size;
    }

  return buffer;
}

static void
pool_give (gpointer data)
{
  PoolBuffer *buffer = data;

  buffer->freed_us = g_get_monotonic_time ();
  g_mutex_lock (&pool_lock);
  g_queue_push_head (&pool, buffer);
  while (pool.length > POOL_MAX_FREE)
    g_free (g_queue_pop_tail (&pool));
  g_mutex_unlock (&pool_lock);
}

/**
 * pd_camera_frame_trim_pool:
 * @idle_us: how long a buffer must have been unused to go
 *
 * Frees the pixel buffers kept for pictures to come that have not been used
 * for @idle_us or longer (0: all of them).
 *
 * Returns: the bytes freed
 */
gsize
pd_camera_frame_trim_pool (gint64 idle_us)
{
  gint64 now = g_get_monotonic_time ();
  gsize  freed = 0;

  g_mutex_lock (&pool_lock);
  /* the least recently freed are at the tail */
  while (pool.tail != NULL && now - ((PoolBuffer *) pool.tail->data)->freed_us >= idle_us)
    {
      PoolBuffer *buffer = g_queue_pop_tail (&pool);

      freed += buffer->size;
      g_free (buffer);
    }
  g_mutex_unlock (&pool_lock);

  return freed;
}

/* libjpeg reports errors by calling error_exit(), which must not return:
 * it jumps back to pd_camera_frame_new_from_jpeg(). */
typedef struct
{
  struct jpeg_error_mgr manager;
  jmp_buf               jump;
  enum { DAMAGED, TOO_LARGE, NO_MEMORY } kind;
  char                  message[JMSG_LENGTH_MAX];
} DecodeErrors;

static void
on_jpeg_error (j_common_ptr cinfo)
{
  DecodeErrors *errors = (DecodeErrors *) cinfo->err;

  cinfo->err->format_message (cinfo, errors->message);
  longjmp (errors->jump, 1);
}

/* Warnings (level -1) are corrupt data. A picture cut short is an error:
 * the camera must send whole ones, and the rest would be grey. Messages of
 * other levels are traces. */
static void
on_jpeg_message (j_common_ptr cinfo,
                 int          level)
{
  if (level >= 0)
    return;
  if (cinfo->err->msg_code == JWRN_JPEG_EOF || ++cinfo->err->num_warnings > MAX_WARNINGS)
    on_jpeg_error (cinfo);
}

/* The largest of 1/8, 2/8 … 8/8 at which the picture fits the box (1/8 if
 * none does, 8/8 without a box): libjpeg scales while it decodes, which
 * costs less than decoding at full size, and views scale the rest. */
static unsigned int
scale_eighths (unsigned int width,
               unsigned int height,
               int          max_width,
               int          max_height)
{
  if (max_width <= 0 || max_height <= 0)
    return 8;

  for (unsigned int eighths = 8; eighths > 1; eighths--)
    {
      /* libjpeg rounds the scaled size up */
      if ((width * eighths + 7) / 8 <= (unsigned int) max_width && (height * eighths + 7) / 8 <= (unsigned int) max_height)
        return eighths;
    }

  return 1;
}

/* The picture in BGRA, in a buffer of the pool, or %NULL with @errors set.
 * Nothing here may need freeing after a jump back but @buffer, hence a
 * function of its own. */
static PoolBuffer *
decode_jpeg (const guint8 *data,
             gsize         size,
             int           max_width,
             int           max_height,
             DecodeErrors *errors,
             unsigned int *width,
             unsigned int *height)
{
  struct jpeg_decompress_struct decoder;
  /* volatile: set after setjmp() and read after the jump back */
  PoolBuffer *volatile          buffer = NULL;
  gsize                         stride;

  decoder.err = jpeg_std_error (&errors->manager);
  errors->manager.error_exit = on_jpeg_error;
  errors->manager.emit_message = on_jpeg_message;
  errors->kind = DAMAGED;
  errors->message[0] = '\0';

  if (setjmp (errors->jump) != 0)
    {
      jpeg_destroy_decompress (&decoder);
      if (buffer != NULL)
        pool_give (buffer);
      return NULL;
    }

  jpeg_create_decompress (&decoder);
  decoder.mem->max_memory_to_use = MAX_DECODER_MEMORY;
  jpeg_mem_src (&decoder, data, (unsigned long) size);
  jpeg_read_header (&decoder, TRUE);

  if (decoder.image_width > MAX_SIDE || decoder.image_height > MAX_SIDE ||
      (gint64) decoder.image_width * decoder.image_height > MAX_PIXELS)
    {
      errors->kind = TOO_LARGE;
      longjmp (errors->jump, 1);
    }

  /* alpha is always 255 */
  decoder.out_color_space = JCS_EXT_BGRA;
  decoder.scale_num = scale_eighths (decoder.image_width, decoder.image_height, max_width, max_height);
  decoder.scale_denom = 8;
  jpeg_start_decompress (&decoder);

  stride = (gsize) decoder.output_width * 4;
  buffer = pool_take (stride * decoder.output_height);
  if (buffer == NULL)
    {
      errors->kind = NO_MEMORY;
      longjmp (errors->jump, 1);
    }

  while (decoder.output_scanline < decoder.output_height)
    {
      JSAMPROW row = buffer->data + (gsize) decoder.output_scanline * stride;

      jpeg_read_scanlines (&decoder, &row, 1);
    }
  jpeg_finish_decompress (&decoder);

  *width = decoder.output_width;
  *height = decoder.output_height;
  jpeg_destroy_decompress (&decoder);

  return buffer;
}

/**
 * pd_camera_frame_new_from_jpeg:
 *
 * Decodes into BGRA, the renderers' own order, so that views draw the
 * pixels as they are.
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
  DecodeErrors       errors;
  PoolBuffer        *buffer;
  g_autoptr (GBytes) pixels = NULL;
  const guint8      *data;
  gsize              size;
  unsigned int       width = 0;
  unsigned int       height = 0;

  g_return_val_if_fail (jpeg != NULL, NULL);

  data = g_bytes_get_data (jpeg, &size);
  if (size < 4 || data[0] != 0xFF || data[1] != 0xD8)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a picture that is not a JPEG"));
      return NULL;
    }

  buffer = size <= G_MAXULONG ? decode_jpeg (data, size, max_width, max_height, &errors, &width, &height) : NULL;
  if (buffer == NULL)
    {
      if (size > G_MAXULONG || errors.kind == TOO_LARGE)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("The camera sent a picture larger than %d × %d pixels"), MAX_SIDE, MAX_SIDE);
      else if (errors.kind == NO_MEMORY)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("There is not enough memory for the picture"));
      else
        /* Translators: the reason after the colon is the JPEG library's, in English */
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("The camera sent a damaged picture: %s"),
                     errors.message);
      return NULL;
    }

  pixels = g_bytes_new_with_free_func (buffer->data, buffer->size, pool_give, buffer);

  return pd_camera_frame_new ((int) width, (int) height, PD_CAMERA_PIXELS_BGRA, pixels, (gsize) width * 4, jpeg,
                              time_us);
}

/* Encoding ---------------------------------------------------------------------*/

/* The frame's BGRA pixels as an RGB pixbuf, the order gdk-pixbuf encodes. */
static GdkPixbuf *
frame_to_pixbuf (const PdCameraFrame *frame)
{
  const guint8 *src = g_bytes_get_data (frame->pixels, NULL);
  GdkPixbuf    *pixbuf;
  guint8       *dst;
  int           dst_stride;

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
