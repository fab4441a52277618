/* test-camera-frame.c — decoding the port-6000 camera's JPEGs, and the pool
 * their pixels live in
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pictures are made here with libjpeg, the one the decoder uses, so
 * that colour spaces a printer does not send (grey, CMYK) can be tried too.
 */

#include "config.h"

#include <stdio.h>

#include <jpeglib.h>

#include "pd-camera-frame.h"

/* Quadrants: red, green / blue, white. */
static void
quadrant_colour (int     x,
                 int     y,
                 int     width,
                 int     height,
                 guint8 *rgb)
{
  static const guint8 colours[4][3] = { { 255, 0, 0 }, { 0, 255, 0 }, { 0, 0, 255 }, { 255, 255, 255 } };
  int                 quadrant = (y >= height / 2 ? 2 : 0) + (x >= width / 2 ? 1 : 0);

  memcpy (rgb, colours[quadrant], 3);
}

/* A JPEG of @width × @height in @space (JCS_RGB, JCS_GRAYSCALE or JCS_CMYK),
 * baseline (as cameras send) or progressive (as a web page might). */
static GBytes *
make_jpeg_full (int           width,
                int           height,
                J_COLOR_SPACE space,
                gboolean      progressive)
{
  struct jpeg_compress_struct encoder;
  struct jpeg_error_mgr       errors;
  unsigned char              *out = NULL;
  unsigned long               out_size = 0;
  int                         components = space == JCS_GRAYSCALE ? 1 : space == JCS_CMYK ? 4 : 3;
  g_autofree guint8          *row = g_malloc ((gsize) width * (gsize) components);
  GBytes                     *bytes;

  encoder.err = jpeg_std_error (&errors);
  jpeg_create_compress (&encoder);
  jpeg_mem_dest (&encoder, &out, &out_size);
  encoder.image_width = (JDIMENSION) width;
  encoder.image_height = (JDIMENSION) height;
  encoder.input_components = components;
  encoder.in_color_space = space;
  jpeg_set_defaults (&encoder);
  jpeg_set_quality (&encoder, 95, TRUE);
  if (progressive)
    jpeg_simple_progression (&encoder);
  jpeg_start_compress (&encoder, TRUE);
  while (encoder.next_scanline < encoder.image_height)
    {
      JSAMPROW pointer = row;

      for (int x = 0; x < width; x++)
        {
          guint8 rgb[3];

          quadrant_colour (x, (int) encoder.next_scanline, width, height, rgb);
          if (space == JCS_GRAYSCALE)
            row[x] = (guint8) ((rgb[0] + rgb[1] + rgb[2]) / 3);
          else if (space == JCS_CMYK)
            {
              row[x * 4] = (guint8) (255 - rgb[0]);
              row[x * 4 + 1] = (guint8) (255 - rgb[1]);
              row[x * 4 + 2] = (guint8) (255 - rgb[2]);
              row[x * 4 + 3] = 0;
            }
          else
            memcpy (row + x * 3, rgb, 3);
        }
      jpeg_write_scanlines (&encoder, &pointer, 1);
    }
  jpeg_finish_compress (&encoder);
  jpeg_destroy_compress (&encoder);

  bytes = g_bytes_new (out, out_size);
  free (out); /* libjpeg's own malloc() */

  return bytes;
}

static GBytes *
make_jpeg (int           width,
           int           height,
           J_COLOR_SPACE space)
{
  return make_jpeg_full (width, height, space, FALSE);
}

/* The pixel at (x, y) is near @rgb (JPEG is lossy), alpha 255. */
static void
assert_pixel (PdCameraFrame *frame,
              int            x,
              int            y,
              const guint8  *rgb)
{
  const guint8 *pixel = (const guint8 *) g_bytes_get_data (pd_camera_frame_get_pixels (frame), NULL) +
                        (gsize) y * pd_camera_frame_get_stride (frame) + (gsize) x * 4;

  /* BGRA */
  g_assert_cmpint (ABS (pixel[2] - rgb[0]), <=, 12);
  g_assert_cmpint (ABS (pixel[1] - rgb[1]), <=, 12);
  g_assert_cmpint (ABS (pixel[0] - rgb[2]), <=, 12);
  g_assert_cmpint (pixel[3], ==, 255);
}

static void
assert_quadrants (PdCameraFrame *frame)
{
  int width = pd_camera_frame_get_width (frame);
  int height = pd_camera_frame_get_height (frame);

  /* the middle of each quadrant, away from the blurred edges */
  for (int qy = 0; qy < 2; qy++)
    for (int qx = 0; qx < 2; qx++)
      {
        int    x = width / 4 + qx * width / 2;
        int    y = height / 4 + qy * height / 2;
        guint8 rgb[3];

        quadrant_colour (x, y, width, height, rgb);
        assert_pixel (frame, x, y, rgb);
      }
}

static void
test_decode (void)
{
  g_autoptr (GBytes)        jpeg = make_jpeg (320, 240, JCS_RGB);
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 42, &error);

  g_assert_no_error (error);
  g_assert_nonnull (frame);
  g_assert_cmpint (pd_camera_frame_get_format (frame), ==, PD_CAMERA_PIXELS_BGRA);
  g_assert_cmpint (pd_camera_frame_get_width (frame), ==, 320);
  g_assert_cmpint (pd_camera_frame_get_height (frame), ==, 240);
  g_assert_cmpuint (pd_camera_frame_get_stride (frame), ==, 320 * 4);
  g_assert_cmpuint (g_bytes_get_size (pd_camera_frame_get_pixels (frame)), ==, 320 * 4 * 240);
  g_assert_cmpint (pd_camera_frame_get_time (frame), ==, 42);
  /* the printer's JPEG is kept as sent, for snapshots */
  g_assert_true (pd_camera_frame_get_jpeg (frame) == jpeg);
  assert_quadrants (frame);
}

/* Scaled while decoding, in eighths: the largest that fits the box. */
static void
test_decode_scaled (void)
{
  static const struct
  {
    int box_width, box_height, width, height;
  } cases[] = {
    { 0, 0, 640, 360 },      /* no box: full size */
    { 640, 360, 640, 360 },  /* it fits */
    { 1000, 1000, 640, 360 },/* never larger */
    { 320, 180, 320, 180 },  /* 4/8 */
    { 400, 400, 400, 225 },  /* 5/8 */
    { 160, 120, 160, 90 },   /* 2/8: the camera test's small views */
    { 479, 1000, 400, 225 }, /* 6/8 would be 480 wide */
    { 10, 10, 80, 45 },      /* less than 1/8: 1/8, the views scale the rest */
  };
  g_autoptr (GBytes) jpeg = make_jpeg (640, 360, JCS_RGB);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)        error = NULL;
      g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, cases[i].box_width, cases[i].box_height,
                                                                       0, &error);

      g_test_message ("box %d × %d", cases[i].box_width, cases[i].box_height);
      g_assert_no_error (error);
      g_assert_cmpint (pd_camera_frame_get_width (frame), ==, cases[i].width);
      g_assert_cmpint (pd_camera_frame_get_height (frame), ==, cases[i].height);
      assert_quadrants (frame);
    }
}

static void
test_decode_progressive (void)
{
  g_autoptr (GBytes)        jpeg = make_jpeg_full (320, 240, JCS_RGB, TRUE);
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, 160, 120, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpint (pd_camera_frame_get_width (frame), ==, 160);
  g_assert_cmpint (pd_camera_frame_get_height (frame), ==, 120);
  assert_quadrants (frame);
}

static void
test_decode_grey (void)
{
  g_autoptr (GBytes)        jpeg = make_jpeg (64, 48, JCS_GRAYSCALE);
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, &error);
  const guint8              white[3] = { 255, 255, 255 };
  const guint8              grey[3] = { 85, 85, 85 };

  g_assert_no_error (error);
  g_assert_cmpint (pd_camera_frame_get_format (frame), ==, PD_CAMERA_PIXELS_BGRA);
  assert_pixel (frame, 48, 36, white);
  assert_pixel (frame, 16, 12, grey);
}

/* Bad pictures: an error that says what was wrong, never a crash, and
 * nothing left behind (the ASan run checks the last). */
static void
check_bad (GBytes     *jpeg_owned,
           int         code,
           const char *message)
{
  g_autoptr (GBytes)        jpeg = jpeg_owned;
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, &error);

  g_assert_null (frame);
  g_assert_error (error, G_IO_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, message));
}

static void
test_decode_bad (void)
{
  g_autoptr (GBytes) whole = make_jpeg (320, 240, JCS_RGB);
  g_autoptr (GBytes) cmyk = make_jpeg (32, 32, JCS_CMYK);
  gsize              size;
  const guint8      *data = g_bytes_get_data (whole, &size);
  g_autofree guint8 *huge = g_memdup2 (data, size);
  g_autofree guint8 *zero = g_memdup2 (data, size);
  g_autofree guint8 *noise = g_memdup2 (data, size);
  gsize              sof = 0;

  /* not a JPEG at all, or only its first bytes */
  check_bad (g_bytes_new_static ("GIF89a", 6), G_IO_ERROR_INVALID_DATA, "not a JPEG");
  check_bad (g_bytes_new_static ("\xff\xd8\xff", 3), G_IO_ERROR_INVALID_DATA, "not a JPEG");
  /* cut short: at the header, and in the middle of the picture */
  check_bad (g_bytes_new_from_bytes (whole, 0, 40), G_IO_ERROR_INVALID_DATA, "damaged picture");
  check_bad (g_bytes_new_from_bytes (whole, 0, size / 2), G_IO_ERROR_INVALID_DATA, "damaged picture");
  check_bad (g_bytes_new_from_bytes (whole, 0, size - 2), G_IO_ERROR_INVALID_DATA, "damaged picture");
  /* a colour space no camera sends, and which libjpeg does not turn into RGB */
  check_bad (g_bytes_ref (cmyk), G_IO_ERROR_INVALID_DATA, "damaged picture");

  /* The frame header (SOF0: FF C0, length, precision, height, width) claims
   * 60000 × 60000, or 0 rows. */
  for (gsize i = 2; i + 9 < size; i++)
    if (data[i] == 0xFF && data[i + 1] == 0xC0)
      {
        sof = i;
        break;
      }
  g_assert_cmpuint (sof, >, 0);
  huge[sof + 5] = huge[sof + 7] = 0xEA;
  huge[sof + 6] = huge[sof + 8] = 0x60;
  check_bad (g_bytes_new_static (huge, size), G_IO_ERROR_INVALID_DATA, "larger than 8192 × 8192");
  zero[sof + 5] = zero[sof + 6] = 0;
  check_bad (g_bytes_new_static (zero, size), G_IO_ERROR_INVALID_DATA, "damaged picture");

  /* Noise in the picture's data: decoded into whatever it says, or given up
   * on, but never a crash. */
  for (gsize i = sof + 200; i < size - 2; i += 7)
    noise[i] ^= 0x5A;
  {
    g_autoptr (GBytes)        bytes = g_bytes_new_static (noise, size);
    g_autoptr (GError)        error = NULL;
    g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (bytes, 0, 0, 0, &error);

    g_assert_true ((frame == NULL) != (error == NULL));
  }
}

static const guint8 *
pixels_of (PdCameraFrame *frame)
{
  return g_bytes_get_data (pd_camera_frame_get_pixels (frame), NULL);
}

/* The pixels of a picture that is let go of are used again by the next one
 * of the same size; at most 8 buffers wait; trimming frees them. */
static void
test_pool (void)
{
  g_autoptr (GBytes) jpeg = make_jpeg (640, 360, JCS_RGB);
  PdCameraFrame     *frames[12];
  PdCameraFrame     *frame;
  const guint8      *first;
  const gsize        full = 640 * 4 * 360;
  const gsize        half = 320 * 4 * 180;

  pd_camera_frame_trim_pool (0);
  g_assert_cmpuint (pd_camera_frame_trim_pool (0), ==, 0);

  frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, NULL);
  first = pixels_of (frame);
  pd_camera_frame_unref (frame);
  frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, NULL);
  g_assert_true (pixels_of (frame) == first);

  /* another size takes a buffer of its own; the first stays for its size */
  {
    g_autoptr (PdCameraFrame) small = pd_camera_frame_new_from_jpeg (jpeg, 320, 180, 0, NULL);

    g_assert_true (pixels_of (small) != first);
    g_assert_cmpuint (g_bytes_get_size (pd_camera_frame_get_pixels (small)), ==, half);
  }
  pd_camera_frame_unref (frame);
  g_assert_cmpuint (pd_camera_frame_trim_pool (0), ==, full + half);

  /* A failed decode gives its buffer back: the picture's size is known
   * (and its buffer taken) before the data turns out cut short. */
  {
    g_autoptr (GBytes) cut = g_bytes_new_from_bytes (jpeg, 0, g_bytes_get_size (jpeg) * 3 / 4);

    g_assert_null (pd_camera_frame_new_from_jpeg (cut, 0, 0, 0, NULL));
    g_assert_cmpuint (pd_camera_frame_trim_pool (0), ==, full);
  }

  /* Twelve at once; when they go, eight are kept. */
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    frames[i] = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
    pd_camera_frame_unref (frames[i]);
  g_assert_cmpuint (pd_camera_frame_trim_pool (0), ==, 8 * full);

  /* Only those unused for the time given go. */
  frame = pd_camera_frame_new_from_jpeg (jpeg, 0, 0, 0, NULL);
  pd_camera_frame_unref (frame);
  g_assert_cmpuint (pd_camera_frame_trim_pool (G_USEC_PER_SEC * 60), ==, 0);
  g_assert_cmpuint (pd_camera_frame_trim_pool (0), ==, full);
}

/* Decoding runs on worker threads, a camera each: the pool is shared. */
static gpointer
decode_many (gpointer data)
{
  GBytes *jpeg = data;

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr (PdCameraFrame) frame = pd_camera_frame_new_from_jpeg (jpeg, i % 2 ? 160 : 0, i % 2 ? 90 : 0, 0, NULL);

      g_assert_nonnull (frame);
      g_assert_cmpint (pd_camera_frame_get_width (frame), ==, i % 2 ? 160 : 320);
    }

  return NULL;
}

static void
test_pool_threads (void)
{
  g_autoptr (GBytes) jpeg = make_jpeg (320, 180, JCS_RGB);
  GThread           *threads[4];
  gsize              kept;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("decode", decode_many, jpeg);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* at most eight buffers, of the two sizes */
  kept = pd_camera_frame_trim_pool (0);
  g_assert_cmpuint (kept, >, 0);
  g_assert_cmpuint (kept, <=, 8 * 320 * 4 * 180);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/camera-frame/decode", test_decode);
  g_test_add_func ("/camera-frame/decode-scaled", test_decode_scaled);
  g_test_add_func ("/camera-frame/decode-progressive", test_decode_progressive);
  g_test_add_func ("/camera-frame/decode-grey", test_decode_grey);
  g_test_add_func ("/camera-frame/decode-bad", test_decode_bad);
  g_test_add_func ("/camera-frame/pool", test_pool);
  g_test_add_func ("/camera-frame/pool-threads", test_pool_threads);

  return g_test_run ();
}
