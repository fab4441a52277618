/* fuzz-camera-jpeg.c — libFuzzer: the port-6000 camera stream after login
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A camera (or whoever answers on its port) sends 16-byte headers and
 * pictures. Each input is read as such a stream: headers checked as the
 * camera source checks them, pictures decoded as its worker decodes them
 * (scaled to a card's size and at full size), at most 8 per input.
 */

#include "config.h"

#include <stdint.h>

#include "pd-camera-frame.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  size_t offset = 0;

  for (guint n = 0; n < 8 && size - offset >= PD_CAMERA_JPEG_HEADER_SIZE; n++)
    {
      guint32            length = pd_camera_jpeg_frame_size (data + offset);
      g_autoptr (GBytes) jpeg = NULL;

      offset += PD_CAMERA_JPEG_HEADER_SIZE;
      /* a header that cannot be right, or a picture cut short, ends the stream */
      if (length == 0 || length > size - offset)
        break;
      jpeg = g_bytes_new (data + offset, length);
      offset += length;

      for (guint scaled = 0; scaled < 2; scaled++)
        {
          PdCameraFrame *frame = pd_camera_frame_new_from_jpeg (jpeg, scaled ? 320 : 0, scaled ? 180 : 0, 0, NULL);

          if (frame != NULL)
            pd_camera_frame_unref (frame);
        }
    }
  return 0;
}
