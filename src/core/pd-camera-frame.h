/* pd-camera-frame.h — one decoded picture from a printer's camera
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Immutable and reference counted: a source makes a frame once and every view,
 * snapshot and mirror reads the same bytes. The pixels are 8 bits per channel,
 * rows `stride` bytes apart; PD_CAMERA_PIXELS_BGRA is cairo's native order on
 * little-endian machines (alpha always 255, so premultiplied = straight), which
 * the software renderer draws without converting. Frames from the port-6000
 * camera also keep the JPEG the printer sent, so a snapshot saves it as is.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Both cameras' frames are BGRA: the RTSPS pipeline converts to it and the
 * JPEG decoder writes it. */
typedef enum
{
  PD_CAMERA_PIXELS_BGRA, /* 4 bytes per pixel, alpha 255 */
} PdCameraPixels;

typedef enum
{
  PD_SNAPSHOT_FORMAT_AUTO, /* the printer's JPEG when there is one, else PNG */
  PD_SNAPSHOT_FORMAT_PNG,
  PD_SNAPSHOT_FORMAT_JPEG,
} PdSnapshotFormat;

typedef struct _PdCameraFrame PdCameraFrame;

#define PD_TYPE_CAMERA_FRAME (pd_camera_frame_get_type ())

GType          pd_camera_frame_get_type       (void) G_GNUC_CONST;
PdCameraFrame *pd_camera_frame_new            (int             width,
                                               int             height,
                                               PdCameraPixels  format,
                                               GBytes         *pixels,
                                               gsize           stride,
                                               GBytes         *jpeg,
                                               gint64          time_us);
PdCameraFrame *pd_camera_frame_ref            (PdCameraFrame  *frame);
void           pd_camera_frame_unref          (PdCameraFrame  *frame);
int            pd_camera_frame_get_width      (const PdCameraFrame *frame);
int            pd_camera_frame_get_height     (const PdCameraFrame *frame);
PdCameraPixels pd_camera_frame_get_format     (const PdCameraFrame *frame);
GBytes        *pd_camera_frame_get_pixels     (const PdCameraFrame *frame);
gsize          pd_camera_frame_get_stride     (const PdCameraFrame *frame);
GBytes        *pd_camera_frame_get_jpeg       (const PdCameraFrame *frame);
gint64         pd_camera_frame_get_time       (const PdCameraFrame *frame);
guint64        pd_camera_frame_get_sequence   (const PdCameraFrame *frame);
void           pd_camera_frame_set_sequence   (PdCameraFrame  *frame,
                                               guint64         sequence);

/* The port-6000 stream: after the login, each picture is a 16-byte header
 * (its size, little-endian, in the first 4 bytes) and the JPEG. */
#define PD_CAMERA_JPEG_HEADER_SIZE 16
#define PD_CAMERA_JPEG_MAX_FRAME   (16u * 1024 * 1024) /* a 4K JPEG is < 4 MiB */

/* The size a header announces, or 0 when it cannot be right (0, or more
 * than PD_CAMERA_JPEG_MAX_FRAME). */
guint32        pd_camera_jpeg_frame_size      (const guint8 header[PD_CAMERA_JPEG_HEADER_SIZE]);

/* Decodes a JPEG (on any thread) into BGRA, optionally scaled down by 1/8 to
 * 8/8 to fit max_width × max_height (0: full size; JPEG scales while
 * decoding, which is cheap). */
PdCameraFrame *pd_camera_frame_new_from_jpeg  (GBytes         *jpeg,
                                               int             max_width,
                                               int             max_height,
                                               gint64          time_us,
                                               GError        **error);

/* Frees the pixel buffers kept for pictures to come that no picture has
 * used for @idle_us (0: all). Returns the bytes freed. */
gsize          pd_camera_frame_trim_pool      (gint64          idle_us);

/* Encodes the frame (PNG or JPEG; AUTO keeps the printer's JPEG) — blocking,
 * for a worker thread. Returns the bytes; *extension gets "png" or "jpg". */
GBytes        *pd_camera_frame_encode         (const PdCameraFrame *frame,
                                               PdSnapshotFormat     format,
                                               const char         **extension,
                                               GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdCameraFrame, pd_camera_frame_unref)

G_END_DECLS
