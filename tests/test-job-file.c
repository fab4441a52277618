/* test-job-file.c — reading sliced 3MF job files, good and broken
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No real .gcode.3mf is small and free enough to ship, so the tests build
 * their files with libzip, in memory (pd-sim-zip, the simulator's): slice_info.config in the layout Bambu
 * Studio writes (bbs_3mf.cpp, quoted in reference/ftps-3mf.md §2.2) with
 * values of our own, plate G-code and thumbnails.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <zip.h>

#include "pd-job-file.h"
#include "pd-sim-zip.h"

/* A PNG signature and the start of an IHDR naming a 512×512 picture: the
 * reader checks no more. */
#define PNG_HEAD      "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\2\0\0\0\2\0"
#define PNG_HEAD_SIZE (sizeof PNG_HEAD - 1)
#define FAKE_PNG(tag) PNG_HEAD tag

static gboolean
bytes_contain (GBytes     *bytes,
               const char *needle)
{
  gsize       size;
  const char *data = g_bytes_get_data (bytes, &size);
  gsize       length = strlen (needle);

  for (gsize i = 0; i + length <= size; i++)
    if (memcmp (data + i, needle, length) == 0)
      return TRUE;
  return FALSE;
}

/* A fake PNG whose tag is @tag, added to @zip as @name. */
static void
add_fake_png (PdSimZip   *zip,
              const char *name,
              const char *tag)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();

  g_byte_array_append (png, (const guint8 *) PNG_HEAD, PNG_HEAD_SIZE);
  g_byte_array_append (png, (const guint8 *) tag, strlen (tag));
  pd_sim_zip_add_len (zip, name, png->data, png->len, FALSE);
}

/* Files --------------------------------------------------------------------*/

/* Bambu Studio's layout (reference/ftps-3mf.md §2.2) with every element and
 * attribute a current Studio writes, including `error_code =` with its
 * space, the per-layer filament lists and a newer filament's attributes. */
static const char studio_slice_info[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<config>\n"
  "  <header>\n"
  "    <header_item key=\"X-BBL-Client-Type\" value=\"slicer\"/>\n"
  "    <header_item key=\"X-BBL-Client-Version\" value=\"02.01.00.59\"/>\n"
  "  </header>\n"
  "  <plate>\n"
  "    <metadata key=\"index\" value=\"1\"/>\n"
  "    <metadata key=\"extruder_type\" value=\"0\"/>\n"
  "    <metadata key=\"nozzle_volume_type\" value=\"0\"/>\n"
  "    <metadata key=\"printer_model_id\" value=\"N2S\"/>\n"
  "    <metadata key=\"nozzle_diameters\" value=\"0.4\"/>\n"
  "    <metadata key=\"timelapse_type\" value=\"0\"/>\n"
  "    <metadata key=\"prediction\" value=\"2735\"/>\n"
  "    <metadata key=\"weight\" value=\"12.48\"/>\n"
  "    <metadata key=\"pause_count\" value=\"0\"/>\n"
  "    <metadata key=\"first_layer_time\" value=\"101.5\"/>\n"
  "    <metadata key=\"outside\" value=\"false\"/>\n"
  "    <metadata key=\"support_used\" value=\"false\"/>\n"
  "    <metadata key=\"label_object_enabled\" value=\"true\"/>\n"
  "    <metadata key=\"filament_maps\" value=\"1\"/>\n"
  "    <object identify_id=\"137\" name=\"Benchy.stl\" skipped=\"false\" />\n"
  "    <filament id=\"1\" tray_info_idx=\"GFA00\" type=\"PLA\" color=\"#F2754E\" used_m=\"4.18\" used_g=\"12.48\""
  " group_id=\"0\" nozzle_diameter=\"0.40\" volume_type=\"Standard\" used_for_object=\"true\" used_for_support=\"false\""
  " total_load_time=\"0\" total_unload_time=\"0\" />\n"
  "    <warning msg=\"bed_temperature_too_high_than_filament\" level=\"1\" error_code =\"1000C001\"  />\n"
  "    <layer_filament_lists>\n"
  "      <layer_filament_list filament_list=\"0\" layer_ranges=\"0 3\" />\n"
  "    </layer_filament_lists>\n"
  "  </plate>\n"
  "</config>\n";

/* The filaments of the real four-filament sample (ids not contiguous). */
static const char four_slice_info[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<config>\n"
  "  <header>\n"
  "    <header_item key=\"X-BBL-Client-Type\" value=\"slicer\"/>\n"
  "    <header_item key=\"X-BBL-Client-Version\" value=\"01.10.01.50\"/>\n"
  "  </header>\n"
  "  <plate>\n"
  "    <metadata key=\"index\" value=\"1\"/>\n"
  "    <metadata key=\"printer_model_id\" value=\"N2S\"/>\n"
  "    <metadata key=\"prediction\" value=\"5450\"/>\n"
  "    <metadata key=\"weight\" value=\"26.91\"/>\n"
  "    <filament id=\"1\" tray_info_idx=\"GFL99\" type=\"PLA\" color=\"#0DFF00\" used_m=\"6.79\" used_g=\"20.26\" />\n"
  "    <filament id=\"2\" tray_info_idx=\"GFL99\" type=\"PETG\" color=\"#000000\" used_m=\"0.72\" used_g=\"2.15\" />\n"
  "    <filament id=\"6\" tray_info_idx=\"GFL99\" type=\"PLA-CF\" color=\"#FFFFFF80\" used_m=\"1.20\" used_g=\"3.58\" />\n"
  "    <filament id=\"7\" tray_info_idx=\"GFL99\" type=\"TPU\" color=\"\" used_m=\"0.31\" used_g=\"0.92\" />\n"
  "    <warning msg=\"bed_temperature_too_high_than_filament\" level=\"1\" error_code =\"1000C001\"  />\n"
  "  </plate>\n"
  "</config>\n";

/* An "all sliced plates" export: two plates, different filaments. */
static const char two_plates_slice_info[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<config>\n"
  "  <header><header_item key=\"X-BBL-Client-Version\" value=\"01.09.07.52\"/></header>\n"
  "  <plate>\n"
  "    <metadata key=\"index\" value=\"1\"/>\n"
  "    <metadata key=\"prediction\" value=\"600\"/>\n"
  "    <metadata key=\"weight\" value=\"5.00\"/>\n"
  "    <filament id=\"1\" type=\"PLA\" color=\"#FF0000\" used_m=\"1.60\" used_g=\"5.00\" />\n"
  "  </plate>\n"
  "  <plate>\n"
  "    <metadata key=\"index\" value=\"2\"/>\n"
  "    <metadata key=\"prediction\" value=\"7200\"/>\n"
  "    <metadata key=\"weight\" value=\"30.50\"/>\n"
  "    <filament id=\"2\" type=\"PETG\" color=\"#0000FF\" used_m=\"8.00\" used_g=\"25.50\" />\n"
  "    <filament id=\"3\" type=\"ABS\" color=\"#00FF00\" used_m=\"1.70\" used_g=\"5.00\" />\n"
  "  </plate>\n"
  "</config>\n";

/* 5 mm of purge, then layers of 10, 20, 30 and 35 mm: 100 mm in all. */
static const char four_layer_gcode[] =
  "; HEADER_BLOCK_START\n"
  "; BambuStudio 02.01.00.59\n"
  "; model printing time: 40m 2s; total estimated time: 45m 35s\n"
  "; total layer number: 4\n"
  "; total filament weight [g] : 12.48\n"
  "; filament: 1\n"
  "; HEADER_BLOCK_END\n"
  "\n"
  "; CONFIG_BLOCK_START\n"
  "; filament_type = PLA\n"
  "; CONFIG_BLOCK_END\n"
  "; EXECUTABLE_BLOCK_START\n"
  "M83\n"
  "G1 X10 Y10 E5 F300 ; purge line\n"
  "; CHANGE_LAYER\n"
  "; layer num/total_layer_count: 1/4\n"
  "; update layer progress\n"
  "M73 L1\n"
  "M991 S0 P0 ;notify layer change\n"
  "G1 X20 E4\n"
  "G1 E-0.8\n"
  "G0 X30\n"
  "G1 E0.8\n"
  "G1 X40 E6 ; E99 in a comment\n"
  "G10 E50\n"
  "M73 L2\n"
  "M73 P41 R8\n"
  "  G1 X50 E20\n"
  "M73 L3\n"
  "M620 S1A\n"
  "G2 X1 Y1 I1 J1 E30\n"
  "M73 L4\n"
  "G3 X1 Y1 I1 J1 E35\n"
  "; EXECUTABLE_BLOCK_END";

static GBytes *
make_one_filament (gboolean thumbnail,
                   gboolean gcode)
{
  PdSimZip   *zip = pd_sim_zip_new ();

  pd_sim_zip_add (zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>");
  pd_sim_zip_add (zip, "3D/3dmodel.model", "<model/>");
  pd_sim_zip_add (zip, "Metadata/slice_info.config", studio_slice_info);
  pd_sim_zip_add (zip, "Metadata/model_settings.config", "<config/>");
  pd_sim_zip_add (zip, "Metadata/project_settings.config", "{}");
  if (gcode)
    {
      pd_sim_zip_add (zip, "Metadata/plate_1.gcode", four_layer_gcode);
      pd_sim_zip_add (zip, "Metadata/plate_1.gcode.md5", "0123456789abcdef0123456789abcdef");
    }
  if (thumbnail)
    {
      pd_sim_zip_add_len (zip, "Metadata/plate_1.png", FAKE_PNG ("plate1"), sizeof FAKE_PNG ("plate1") - 1, FALSE);
      pd_sim_zip_add_len (zip, "Metadata/plate_1_small.png", FAKE_PNG ("small1"), sizeof FAKE_PNG ("small1") - 1, FALSE);
    }
  pd_sim_zip_add_len (zip, "Metadata/pick_1.png", FAKE_PNG ("pick"), sizeof FAKE_PNG ("pick") - 1, FALSE);
  return pd_sim_zip_finish (zip);
}

/* A zip holding only slice_info.config with @text (and @gcode_plates' G-code). */
static GBytes *
make_with_slice_info (const char *text,
                      const int  *gcode_plates)
{
  PdSimZip   *zip = pd_sim_zip_new ();

  pd_sim_zip_add (zip, "Metadata/slice_info.config", text);
  for (const int *p = gcode_plates; p != NULL && *p != 0; p++)
    {
      g_autofree char *name = g_strdup_printf ("Metadata/plate_%d.gcode", *p);
      g_autofree char *png_name = g_strdup_printf ("Metadata/plate_%d.png", *p);
      g_autofree char *tag = g_strdup_printf ("plate%d", *p);

      pd_sim_zip_add (zip, name, "M83\nM73 L1\nG1 E1\n");
      add_fake_png (zip, png_name, tag);
    }
  return pd_sim_zip_finish (zip);
}

static void
assert_error (GError *error,
              int     code)
{
  g_assert_error (error, PD_JOB_FILE_ERROR, code);
  /* Messages are for people: a sentence, not a code. */
  g_assert_nonnull (error->message);
  g_assert_cmpuint (strlen (error->message), >, 10);
}

static PdJobDetails *
read_ok (GBytes *zip,
         int     plate)
{
  g_autoptr (GError) error = NULL;
  PdJobDetails      *details = pd_job_details_new_from_bytes (zip, plate, &error);

  g_assert_no_error (error);
  g_assert_nonnull (details);
  return details;
}

static const PdJobFilament *
filament_at (PdJobDetails *details,
             guint         i)
{
  GArray *filaments = pd_job_details_get_filaments (details);

  g_assert_cmpuint (i, <, filaments->len);
  return &g_array_index (filaments, PdJobFilament, i);
}

/* Offsets in a zip's central directory header (APPNOTE 4.3.12). */
#define CDH_UNCOMPRESSED 24
#define CDH_NAME_LENGTH  28
#define CDH_NAME         46

/* Sets what the central directory says @name decompresses to. */
static GBytes *
patch_uncompressed_size (GBytes     *zip,
                         const char *name,
                         guint32     size)
{
  gsize    length;
  guint8  *data = g_bytes_unref_to_data (g_bytes_ref (zip), &length);
  gsize    name_length = strlen (name);
  gboolean patched = FALSE;

  for (gsize i = 0; i + CDH_NAME + name_length <= length; i++)
    {
      if (memcmp (data + i, "PK\x01\x02", 4) != 0 ||
          (gsize) (data[i + CDH_NAME_LENGTH] | data[i + CDH_NAME_LENGTH + 1] << 8) != name_length ||
          memcmp (data + i + CDH_NAME, name, name_length) != 0)
        continue;
      for (int b = 0; b < 4; b++)
        data[i + CDH_UNCOMPRESSED + b] = (guint8) (size >> (8 * b));
      patched = TRUE;
    }
  g_assert_true (patched);
  return g_bytes_new_take (data, length);
}

/* Good files ---------------------------------------------------------------*/

static void
test_studio_layout (void)
{
  g_autoptr (GBytes)       zip = make_one_filament (TRUE, TRUE);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);
  const PdJobFilament     *filament;
  GBytes                  *thumbnail;

  g_assert_cmpint (pd_job_details_get_plate (details), ==, 1);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, 2735);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (details), ==, 46);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 12.48, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_meters (details), 4.18, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (details)->len, ==, 1);
  filament = filament_at (details, 0);
  g_assert_cmpint (filament->id, ==, 1);
  g_assert_cmpstr (filament->type, ==, "PLA");
  g_assert_true (filament->has_color);
  g_assert_cmphex (filament->color, ==, 0xF2754EFF);
  g_assert_cmpfloat_with_epsilon (filament->grams, 12.48, 1e-9);
  g_assert_cmpfloat_with_epsilon (filament->meters, 4.18, 1e-9);

  thumbnail = pd_job_details_get_thumbnail (details);
  g_assert_nonnull (thumbnail);
  g_assert_cmpmem (g_bytes_get_data (thumbnail, NULL), g_bytes_get_size (thumbnail),
                   FAKE_PNG ("plate1"), sizeof FAKE_PNG ("plate1") - 1);

  g_assert_cmpstr (pd_job_details_get_slicer (details), ==, "BambuStudio");
  g_assert_cmpstr (pd_job_details_get_slicer_version (details), ==, "02.01.00.59");
  g_assert_cmpint (pd_job_details_get_layer_count (details), ==, 4);
  g_assert_true (pd_job_details_has_layer_usage (details));

  /* Asking for the plate by number gives the same. */
  {
    g_autoptr (PdJobDetails) again = read_ok (zip, 1);

    g_assert_cmpfloat (pd_job_details_get_total_grams (again), ==, 12.48);
  }
}

static void
test_four_filaments (void)
{
  g_autoptr (GBytes)       zip = make_with_slice_info (four_slice_info, NULL);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);
  static const struct
  {
    int         id;
    const char *type;
    gboolean    has_color;
    guint32     color;
    double      grams;
    double      meters;
  } expected[] = {
    { 1, "PLA", TRUE, 0x0DFF00FF, 20.26, 6.79 },
    { 2, "PETG", TRUE, 0x000000FF, 2.15, 0.72 },
    { 6, "PLA-CF", TRUE, 0xFFFFFF80, 3.58, 1.20 },
    { 7, "TPU", FALSE, 0, 0.92, 0.31 },
  };

  g_assert_cmpint (pd_job_details_get_plate (details), ==, 1);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, 5450);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (details), ==, 91);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 26.91, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (details)->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const PdJobFilament *filament = filament_at (details, i);

      g_assert_cmpint (filament->id, ==, expected[i].id);
      g_assert_cmpstr (filament->type, ==, expected[i].type);
      g_assert_cmpint (filament->has_color, ==, expected[i].has_color);
      if (expected[i].has_color)
        g_assert_cmphex (filament->color, ==, expected[i].color);
      g_assert_cmpfloat_with_epsilon (filament->grams, expected[i].grams, 1e-9);
      g_assert_cmpfloat_with_epsilon (filament->meters, expected[i].meters, 1e-9);
    }

  /* No G-code, no thumbnail: those are simply unknown. */
  g_assert_null (pd_job_details_get_thumbnail (details));
  g_assert_null (pd_job_details_get_slicer (details));
  g_assert_cmpstr (pd_job_details_get_slicer_version (details), ==, "01.10.01.50");
  g_assert_cmpint (pd_job_details_get_layer_count (details), ==, 0);
  g_assert_false (pd_job_details_has_layer_usage (details));
}

/* Orca: weight="" and a fractional prediction; no weight → the sum. */
static void
test_orca_values (void)
{
  static const char text[] =
    "<config><plate>"
    "<metadata key=\"index\" value=\"1\"/>"
    "<metadata key=\"prediction\" value=\"59.5\"/>"
    "<metadata key=\"weight\" value=\"\"/>"
    "<filament id=\"1\" type=\"PLA\" color=\"#FFFFFF\" used_m=\"4.25\" used_g=\"12.75\"/>"
    "<filament id=\"2\" type=\"PLA\" color=\"#FFFFFF\" used_m=\"\" used_g=\"1.25\"/>"
    "<filament id=\"x\" type=\"PLA\" color=\"red\" used_m=\"-3\" used_g=\"nan\"/>"
    "</plate></config>";
  g_autoptr (GBytes)       zip = make_with_slice_info (text, NULL);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);

  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, 60);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (details), ==, 1);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 14.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_meters (details), 4.25, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (details)->len, ==, 3);
  g_assert_cmpint (filament_at (details, 2)->id, ==, -1);
  g_assert_false (filament_at (details, 2)->has_color);
  g_assert_cmpfloat (filament_at (details, 2)->grams, ==, 0);
  g_assert_cmpfloat (filament_at (details, 2)->meters, ==, 0);
  g_assert_null (pd_job_details_get_slicer_version (details));
}

/* No prediction, no index, no filaments: still a plate (plate 1). */
static void
test_sparse_plate (void)
{
  g_autoptr (GBytes)       zip = make_with_slice_info ("<config><plate/></config>", NULL);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);

  g_assert_cmpint (pd_job_details_get_plate (details), ==, 1);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, -1);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (details), ==, -1);
  g_assert_cmpfloat (pd_job_details_get_total_grams (details), ==, 0);
  g_assert_cmpuint (pd_job_details_get_filaments (details)->len, ==, 0);
  g_assert_cmpfloat (pd_job_details_estimate_used_grams (details, 50, 3, 10), ==, 0);

  /* An index-less plate with one plate's G-code is that plate. */
  {
    static const int         plate_3[] = { 3, 0 };
    g_autoptr (GBytes)       zip3 = make_with_slice_info ("<config><plate/></config>", plate_3);
    g_autoptr (PdJobDetails) details3 = read_ok (zip3, -1);

    g_assert_cmpint (pd_job_details_get_plate (details3), ==, 3);
    g_assert_nonnull (pd_job_details_get_thumbnail (details3));
  }
}

static void
test_multi_plate (void)
{
  static const int         both[] = { 1, 2, 0 };
  static const int         second[] = { 2, 0 };
  g_autoptr (GBytes)       zip = make_with_slice_info (two_plates_slice_info, both);
  g_autoptr (GBytes)       zip_second = make_with_slice_info (two_plates_slice_info, second);
  g_autoptr (GBytes)       zip_none = make_with_slice_info (two_plates_slice_info, NULL);
  g_autoptr (PdJobDetails) one = read_ok (zip, 1);
  g_autoptr (PdJobDetails) two = read_ok (zip, 2);
  g_autoptr (PdJobDetails) first = read_ok (zip, -1);
  g_autoptr (PdJobDetails) only_gcode = read_ok (zip_second, -1);
  g_autoptr (PdJobDetails) no_gcode = read_ok (zip_none, -1);
  g_autoptr (GError)       error = NULL;
  PdJobDetails            *missing;
  GBytes                  *thumbnail;

  g_assert_cmpint (pd_job_details_get_plate (one), ==, 1);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (one), ==, 600);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (one), 5.0, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (one)->len, ==, 1);
  g_assert_cmpstr (filament_at (one, 0)->type, ==, "PLA");
  g_assert_cmphex (filament_at (one, 0)->color, ==, 0xFF0000FF);
  thumbnail = pd_job_details_get_thumbnail (one);
  g_assert_nonnull (thumbnail);
  g_assert_true (bytes_contain (thumbnail, "plate1"));

  g_assert_cmpint (pd_job_details_get_plate (two), ==, 2);
  g_assert_cmpint (pd_job_details_get_prediction_minutes (two), ==, 120);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (two), 30.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_meters (two), 9.7, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (two)->len, ==, 2);
  g_assert_cmpint (filament_at (two, 0)->id, ==, 2);
  g_assert_cmpstr (filament_at (two, 1)->type, ==, "ABS");
  thumbnail = pd_job_details_get_thumbnail (two);
  g_assert_nonnull (thumbnail);
  g_assert_true (bytes_contain (thumbnail, "plate2"));

  /* Several plates with G-code: the first. One plate's G-code: that plate. */
  g_assert_cmpint (pd_job_details_get_plate (first), ==, 1);
  g_assert_cmpint (pd_job_details_get_plate (only_gcode), ==, 2);
  g_assert_cmpint (pd_job_details_get_plate (no_gcode), ==, 1);
  /* A plate's picture only for that plate. */
  g_assert_null (pd_job_details_get_thumbnail (no_gcode));

  missing = pd_job_details_new_from_bytes (zip, 3, &error);
  g_assert_null (missing);
  assert_error (error, PD_JOB_FILE_ERROR_NO_PLATE);
  g_assert_nonnull (strstr (error->message, "3"));
}

static void
test_thumbnails (void)
{
  static const struct
  {
    const char *entries[3];
    int         plate;
    const char *expected; /* a tag in the PNG, or NULL */
  } cases[] = {
    { { "Metadata/plate_1_small.png" }, 1, "Metadata/plate_1_small.png" },
    { { "Metadata/plate_no_light_1.png", "Metadata/plate_1_small.png" }, 1, "Metadata/plate_1_small.png" },
    { { "Metadata/thumbnail.png", "Thumbnails/thumbnail.png" }, 1, "Metadata/thumbnail.png" },
    { { "Thumbnails/thumbnail.png", "thumbnail.png" }, 1, "Thumbnails/thumbnail.png" },
    { { "METADATA/PLATE_1.PNG" }, 1, "METADATA/PLATE_1.PNG" },
    { { "Metadata/plate_1.png", "Metadata/pick_2.png", "Metadata/top_2.png" }, 2, NULL },
    { { "Metadata/pick_1.png", "Metadata/top_1.png", "Metadata/plate_1.json" }, 1, NULL },
    { { NULL }, 1, NULL },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autofree char         *slice_info = g_strdup_printf ("<config><plate><metadata key=\"index\" value=\"%d\"/></plate></config>",
                                                             cases[c].plate);
      PdSimZip                *builder = pd_sim_zip_new ();
      g_autoptr (GBytes)       zip = NULL;
      g_autoptr (PdJobDetails) details = NULL;
      GBytes                  *thumbnail;

      pd_sim_zip_add (builder, "Metadata/slice_info.config", slice_info);
      for (guint e = 0; e < G_N_ELEMENTS (cases[c].entries) && cases[c].entries[e] != NULL; e++)
        add_fake_png (builder, cases[c].entries[e], cases[c].entries[e]);
      zip = pd_sim_zip_finish (builder);
      details = read_ok (zip, -1);
      thumbnail = pd_job_details_get_thumbnail (details);
      g_test_message ("case %u", c);
      if (cases[c].expected == NULL)
        {
          g_assert_null (thumbnail);
          continue;
        }
      g_assert_nonnull (thumbnail);
      g_assert_cmpmem ((const char *) g_bytes_get_data (thumbnail, NULL) + PNG_HEAD_SIZE,
                       g_bytes_get_size (thumbnail) - PNG_HEAD_SIZE, cases[c].expected, strlen (cases[c].expected));
    }

  /* A header that claims gigapixels is no thumbnail: the UI decodes it on
   * its main thread. Nor is a PNG without its IHDR first. */
  {
    static const char huge[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\1\x86\xa0\0\1\x86\xa0 100000 x 100000";
    static const char no_ihdr[] = "\x89PNG\r\n\x1a\n\0\0\0\rtEXt\0\0\2\0\0\0\2\0 text first";
    PdSimZip                *builder = pd_sim_zip_new ();
    g_autoptr (GBytes)       zip = NULL;
    g_autoptr (PdJobDetails) details = NULL;

    pd_sim_zip_add (builder, "Metadata/slice_info.config", four_slice_info);
    pd_sim_zip_add_len (builder, "Metadata/plate_1.png", huge, sizeof huge - 1, FALSE);
    pd_sim_zip_add_len (builder, "Metadata/plate_1_small.png", no_ihdr, sizeof no_ihdr - 1, FALSE);
    zip = pd_sim_zip_finish (builder);
    details = read_ok (zip, -1);
    g_assert_null (pd_job_details_get_thumbnail (details));
  }

  /* A plate_1.png that is no PNG is skipped for the next candidate. */
  {
    PdSimZip                *builder = pd_sim_zip_new ();
    g_autoptr (GBytes)       zip = NULL;
    g_autoptr (PdJobDetails) details = NULL;

    pd_sim_zip_add (builder, "Metadata/slice_info.config", four_slice_info);
    pd_sim_zip_add (builder, "Metadata/plate_1.png", "GIF89a, not a PNG");
    pd_sim_zip_add_len (builder, "Metadata/plate_1_small.png", FAKE_PNG ("small"), sizeof FAKE_PNG ("small") - 1, TRUE);
    zip = pd_sim_zip_finish (builder);
    details = read_ok (zip, -1);
    g_assert_cmpuint (g_bytes_get_size (pd_job_details_get_thumbnail (details)), ==, sizeof FAKE_PNG ("small") - 1);
  }
}

/* Unknown elements and attributes, shuffled attributes, a byte order mark,
 * <plate>s and <filament>s where they do not belong. */
static void
test_robust_xml (void)
{
  static const char text[] =
    "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- written by hand -->\n"
    "<config version=\"9\">\n"
    "  <header><header_item value=\"03.00.00.01\" extra=\"1\" key=\"X-BBL-Client-Version\"/></header>\n"
    "  <filament id=\"9\" type=\"NOT-IN-A-PLATE\" used_g=\"100\"/>\n"
    "  <future><plate><metadata key=\"index\" value=\"1\"/></plate></future>\n"
    "  <plate future=\"yes\">\n"
    "    <new_thing a=\"b\"><filament id=\"8\" type=\"NESTED\" used_g=\"100\"/></new_thing>\n"
    "    <metadata value=\" 4 \" key=\"index\"/>\n"
    "    <metadata value=\"7200\" key=\"prediction\" unit=\"s\"/>\n"
    "    <metadata key=\"weight\"/>\n"
    "    <metadata value=\"3\"/>\n"
    "    <filament used_g=\"7.50\" color=\"#00ff00\" used_m=\"2.5\" type=\"PETG\" new_attr=\"x\" id=\"3\" tray_info_idx=\"GFG00\"/>\n"
    "    <filament used_m=\"1\" used_g=\"2.5\" id=\"4\">text inside</filament>\n"
    "    <![CDATA[ <filament used_g=\"99\"/> ]]>\n"
    "  </plate>\n"
    "  <trailer/>\n"
    "</config>\n";
  g_autoptr (GBytes)       zip = make_with_slice_info (text, NULL);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);

  g_assert_cmpint (pd_job_details_get_plate (details), ==, 4);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, 7200);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 10.0, 1e-9);
  g_assert_cmpuint (pd_job_details_get_filaments (details)->len, ==, 2);
  g_assert_cmpint (filament_at (details, 0)->id, ==, 3);
  g_assert_cmpstr (filament_at (details, 0)->type, ==, "PETG");
  g_assert_cmphex (filament_at (details, 0)->color, ==, 0x00FF00FF);
  g_assert_cmpstr (filament_at (details, 1)->type, ==, "");
  g_assert_false (filament_at (details, 1)->has_color);
  g_assert_cmpstr (pd_job_details_get_slicer_version (details), ==, "03.00.00.01");
}

static void
test_from_file (void)
{
  g_autoptr (GBytes)       zip = make_one_filament (TRUE, TRUE);
  g_autoptr (GError)       error = NULL;
  g_autofree char         *dir = g_dir_make_tmp ("test-job-file-XXXXXX", &error);
  g_autofree char         *path = g_build_filename (dir, "Benchy.gcode.3mf", NULL);
  g_autofree char         *empty_path = g_build_filename (dir, "empty.3mf", NULL);
  g_autofree char         *missing_path = g_build_filename (dir, "missing.3mf", NULL);
  g_autoptr (GFile)        file = g_file_new_for_path (path);
  g_autoptr (GFile)        empty = g_file_new_for_path (empty_path);
  g_autoptr (GFile)        missing = g_file_new_for_path (missing_path);
  g_autoptr (GFile)        folder = NULL;
  g_autoptr (PdJobDetails) details = NULL;
  PdJobDetails            *none;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (zip, NULL), (gssize) g_bytes_get_size (zip), &error));
  g_assert_true (g_file_set_contents (empty_path, "", 0, &error));
  folder = g_file_new_for_path (dir);

  details = pd_job_details_new_from_file (file, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pd_job_details_get_plate (details), ==, 1);
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 12.48, 1e-9);
  g_assert_nonnull (pd_job_details_get_thumbnail (details));
  g_assert_true (pd_job_details_has_layer_usage (details));

  none = pd_job_details_new_from_file (file, 2, &error);
  g_assert_null (none);
  assert_error (error, PD_JOB_FILE_ERROR_NO_PLATE);
  g_clear_error (&error);

  none = pd_job_details_new_from_file (empty, -1, &error);
  g_assert_null (none);
  assert_error (error, PD_JOB_FILE_ERROR_NOT_ZIP);
  g_clear_error (&error);

  none = pd_job_details_new_from_file (missing, -1, &error);
  g_assert_null (none);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  none = pd_job_details_new_from_file (folder, -1, &error);
  g_assert_null (none);
  assert_error (error, PD_JOB_FILE_ERROR_NOT_ZIP);
  g_clear_error (&error);

  g_assert_no_errno (g_unlink (path));
  g_assert_no_errno (g_unlink (empty_path));
  g_assert_no_errno (g_rmdir (dir));
}

/* Estimates ----------------------------------------------------------------*/

static void
test_estimate_progress (void)
{
  g_autoptr (GBytes)       zip = make_with_slice_info (four_slice_info, NULL);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);

  g_assert_false (pd_job_details_has_layer_usage (details));
  g_assert_cmpfloat (pd_job_details_estimate_used_grams (details, 0, 0, 0), ==, 0);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 50, 12, 100), 13.455, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 100, 100, 100), 26.91, 1e-9);
  /* Out-of-range reports are clamped. */
  g_assert_cmpfloat (pd_job_details_estimate_used_grams (details, -5, 0, 0), ==, 0);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 250, 0, 0), 26.91, 1e-9);
}

static void
test_estimate_layers (void)
{
  g_autoptr (GBytes)       zip = make_one_filament (FALSE, TRUE);
  g_autoptr (PdJobDetails) details = read_ok (zip, -1);
  double                   total = 12.48;

  g_assert_true (pd_job_details_has_layer_usage (details));
  g_assert_cmpint (pd_job_details_get_layer_count (details), ==, 4);

  /* 5 mm purge, layers of 10, 20, 30, 35 mm (100 mm): half of the current
   * layer counts as done; the progress is not used. */
  g_assert_cmpfloat (pd_job_details_estimate_used_grams (details, 0, 0, 4), ==, 0);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 1, 1, 4), total * 0.10, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 50, 2, 4), total * 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 50, 3, 0), total * 0.50, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 90, 4, 4), total * 0.825, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 100, 4, 4), total, 1e-9);

  /* A report for another file's layers, or beyond this one's: by progress. */
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 50, 2, 200), total * 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 40, 9, 0), total * 0.4, 1e-9);
}

static void
test_estimate_absolute_extrusion (void)
{
  PdSimZip                *builder = pd_sim_zip_new ();
  g_autoptr (GBytes)       zip = NULL;
  g_autoptr (PdJobDetails) details = NULL;

  pd_sim_zip_add (builder, "Metadata/slice_info.config", studio_slice_info);
  pd_sim_zip_add (builder, "Metadata/plate_1.gcode", "M82\nM73 L1\nG1 E10\nM73 L2\nG1 E20\n");
  zip = pd_sim_zip_finish (builder);
  details = read_ok (zip, -1);
  g_assert_false (pd_job_details_has_layer_usage (details));
  g_assert_cmpint (pd_job_details_get_layer_count (details), ==, 2);
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 25, 1, 2), 12.48 / 4, 1e-9);
}

/* Broken files -------------------------------------------------------------*/

static void
assert_fails (GBytes *zip,
              int     plate,
              int     code)
{
  g_autoptr (GError) error = NULL;
  PdJobDetails      *details = pd_job_details_new_from_bytes (zip, plate, &error);

  g_assert_null (details);
  assert_error (error, code);
}

static void
test_not_zip (void)
{
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr (GBytes) text = g_bytes_new_static ("; HEADER_BLOCK_START\nG1 X1\n", 27);
  g_autoptr (GBytes) eocd_only = g_bytes_new_static ("PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22);
  g_autoptr (GBytes) zip = make_one_filament (TRUE, TRUE);
  gsize              length = g_bytes_get_size (zip);

  assert_fails (empty, -1, PD_JOB_FILE_ERROR_NOT_ZIP);
  assert_fails (text, -1, PD_JOB_FILE_ERROR_NOT_ZIP);
  /* An empty but valid zip is no sliced project. */
  assert_fails (eocd_only, -1, PD_JOB_FILE_ERROR_NO_METADATA);

  /* Cut anywhere, the central directory is gone or points past the end. */
  for (gsize cut = 1; cut < length; cut += MAX (1, length / 37))
    {
      g_autoptr (GBytes) truncated = g_bytes_new_from_bytes (zip, 0, cut);

      assert_fails (truncated, -1, PD_JOB_FILE_ERROR_NOT_ZIP);
    }
  /* Only the last byte missing (in the end-of-central-directory comment length). */
  {
    g_autoptr (GBytes) truncated = g_bytes_new_from_bytes (zip, 0, length - 1);

    assert_fails (truncated, -1, PD_JOB_FILE_ERROR_NOT_ZIP);
  }
}

static void
test_no_metadata (void)
{
  PdSimZip          *builder = pd_sim_zip_new ();
  g_autoptr (GBytes) zip = NULL;

  pd_sim_zip_add (builder, "3D/3dmodel.model", "<model/>");
  pd_sim_zip_add (builder, "Metadata/model_settings.config", "<config/>");
  pd_sim_zip_add (builder, "Metadata/slice_info.config.bak", studio_slice_info);
  pd_sim_zip_add (builder, "slice_info.config", studio_slice_info);
  pd_sim_zip_add_len (builder, "Metadata/plate_1.png", FAKE_PNG ("x"), sizeof FAKE_PNG ("x") - 1, FALSE);
  zip = pd_sim_zip_finish (builder);
  assert_fails (zip, -1, PD_JOB_FILE_ERROR_NO_METADATA);
}

static void
test_bad_metadata (void)
{
  static const char *texts[] = {
    "",
    "not xml at all",
    "{\"plate\": 1}",
    "<config><plate><metadata key=\"index\" value=\"1\"/>", /* truncated */
    "<config><plate><metadata key=\"index\" value=\"1",     /* truncated in an attribute */
    "<config><plate></config></plate>",                     /* mismatched */
    "<config>\xff\xfe</config>",                            /* not UTF-8 */
    "<config><plate><metadata key=\"index\" value=\"1\"></plate></config>",
    "<config><plate><metadata key=index value=1/></plate></config>",
    "<config>&bogus;</config>",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr (GBytes) zip = make_with_slice_info (texts[i], NULL);

      g_test_message ("text %u", i);
      assert_fails (zip, -1, PD_JOB_FILE_ERROR_BAD_METADATA);
    }
}

static void
test_no_plate (void)
{
  static const int   plate_1[] = { 1, 0 };
  g_autoptr (GBytes) none = make_with_slice_info ("<config><header/></config>", plate_1);
  g_autoptr (GBytes) one = make_with_slice_info (four_slice_info, plate_1);
  g_autoptr (GBytes) two = make_with_slice_info (two_plates_slice_info, NULL);

  assert_fails (none, -1, PD_JOB_FILE_ERROR_NO_PLATE);
  assert_fails (none, 1, PD_JOB_FILE_ERROR_NO_PLATE);
  assert_fails (one, 2, PD_JOB_FILE_ERROR_NO_PLATE);
  assert_fails (two, 3, PD_JOB_FILE_ERROR_NO_PLATE);
  assert_fails (two, 9999, PD_JOB_FILE_ERROR_NO_PLATE);
}

static void
test_zip_bomb (void)
{
  gsize              big = PD_JOB_FILE_MAX_ENTRY_SIZE + 1;
  g_autofree char   *zeros = g_malloc0 (big);
  g_autoptr (GBytes) honest = NULL;
  g_autoptr (GBytes) claims_huge = NULL;
  g_autoptr (GBytes) lies_small = NULL;
  g_autoptr (GBytes) png_bomb = NULL;
  g_autoptr (GBytes) valid = make_one_filament (TRUE, FALSE);
  g_autoptr (GError) error = NULL;
  PdJobDetails      *details;

  /* 16 MiB + 1 of zeros deflate to a few KiB, and say so. */
  {
    PdSimZip   *builder = pd_sim_zip_new ();

    pd_sim_zip_add_len (builder, "Metadata/slice_info.config", zeros, big, FALSE);
    honest = pd_sim_zip_finish (builder);
    g_assert_cmpuint (g_bytes_get_size (honest), <, 100 * 1024);
    assert_fails (honest, -1, PD_JOB_FILE_ERROR_TOO_LARGE);
  }

  /* A small entry whose directory claims 2 GiB. */
  claims_huge = patch_uncompressed_size (valid, "Metadata/slice_info.config", 0x7fffffff);
  assert_fails (claims_huge, -1, PD_JOB_FILE_ERROR_TOO_LARGE);

  /* The bomb that claims 100 bytes: never more than the limit is read. */
  lies_small = patch_uncompressed_size (honest, "Metadata/slice_info.config", 100);
  details = pd_job_details_new_from_bytes (lies_small, -1, &error);
  g_assert_null (details);
  g_assert_true (g_error_matches (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_TOO_LARGE) ||
                 g_error_matches (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NOT_ZIP));
  g_clear_error (&error);

  /* The thumbnail has the same limit. */
  png_bomb = patch_uncompressed_size (valid, "Metadata/plate_1.png", 0x7fffffff);
  assert_fails (png_bomb, -1, PD_JOB_FILE_ERROR_TOO_LARGE);
  /* Also when the caller does not ask why. */
  g_assert_null (pd_job_details_new_from_bytes (png_bomb, -1, NULL));
}

static void
test_too_many (void)
{
  PdSimZip           *builder = pd_sim_zip_new ();
  g_autoptr (GBytes)  zip = NULL;
  g_autoptr (GString) plates = g_string_new ("<config>");
  g_autoptr (GString) filaments = g_string_new ("<config><plate>");

  pd_sim_zip_add (builder, "Metadata/slice_info.config", studio_slice_info);
  for (guint i = 0; i < PD_JOB_FILE_MAX_ENTRIES; i++)
    {
      char name[32];

      g_snprintf (name, sizeof name, "3D/Objects/object_%u.model", i);
      pd_sim_zip_add_len (builder, name, "", 0, TRUE);
    }
  zip = pd_sim_zip_finish (builder);
  assert_fails (zip, -1, PD_JOB_FILE_ERROR_TOO_LARGE);

  for (guint i = 0; i < 1100; i++)
    g_string_append_printf (plates, "<plate><metadata key=\"index\" value=\"%u\"/></plate>", i + 1);
  g_string_append (plates, "</config>");
  {
    g_autoptr (GBytes) many_plates = make_with_slice_info (plates->str, NULL);

    assert_fails (many_plates, -1, PD_JOB_FILE_ERROR_TOO_LARGE);
  }

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (filaments, "<filament id=\"%u\" used_g=\"1\"/>", i + 1);
  g_string_append (filaments, "</plate></config>");
  {
    g_autoptr (GBytes) many_filaments = make_with_slice_info (filaments->str, NULL);

    assert_fails (many_filaments, -1, PD_JOB_FILE_ERROR_TOO_LARGE);
  }
}

/* A damaged G-code (or none) costs the per-layer usage, not the details. */
static void
test_damaged_gcode (void)
{
  g_autoptr (GBytes)       zip = make_one_filament (TRUE, TRUE);
  g_autoptr (GBytes)       bad = patch_uncompressed_size (zip, "Metadata/plate_1.gcode", 10);
  g_autoptr (PdJobDetails) details = read_ok (bad, -1);
  g_autoptr (GString)      long_line = g_string_new ("M83\nM73 L1\nG1 E1\n; ");
  PdSimZip                *builder = pd_sim_zip_new ();
  g_autoptr (GBytes)       long_zip = NULL;
  g_autoptr (PdJobDetails) long_details = NULL;

  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), 12.48, 1e-9);
  g_assert_false (pd_job_details_has_layer_usage (details));

  /* A line of 1 MiB is skipped, the lines around it are read. */
  for (guint i = 0; i < 1024 * 1024; i++)
    g_string_append_c (long_line, 'x');
  g_string_append (long_line, " E500\nM73 L2\nG1 E3\n");
  pd_sim_zip_add (builder, "Metadata/slice_info.config", studio_slice_info);
  pd_sim_zip_add (builder, "Metadata/plate_1.gcode", long_line->str);
  long_zip = pd_sim_zip_finish (builder);
  long_details = read_ok (long_zip, -1);
  g_assert_true (pd_job_details_has_layer_usage (long_details));
  g_assert_cmpint (pd_job_details_get_layer_count (long_details), ==, 2);
  /* layer 1 = [0, 1], layer 2 = [1, 4]: the middle of layer 1 is 0.5 of 4 mm. */
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (long_details, 10, 1, 2), 12.48 / 8, 1e-9);
}

/* Flip random bytes of a valid file: never a crash, always details or an
 * error of ours. Then the same for slice_info.config's text, zipped anew,
 * which reaches the XML reader (the zip's checksums stop flips there). */
static void
test_mutations (void)
{
  g_autoptr (GBytes) zip = make_one_filament (TRUE, TRUE);
  g_autoptr (GRand)  rand = g_rand_new_with_seed (12);
  gsize              length = g_bytes_get_size (zip);
  guint              ok = 0, failed = 0;

  for (guint i = 0; i < 500; i++)
    {
      guint8                  *data = g_memdup2 (g_bytes_get_data (zip, NULL), length);
      guint                    flips = (guint) g_rand_int_range (rand, 1, 9);
      g_autoptr (GBytes)       mutated = NULL;
      g_autoptr (PdJobDetails) details = NULL;
      g_autoptr (GError)       error = NULL;

      for (guint f = 0; f < flips; f++)
        data[g_rand_int_range (rand, 0, (gint32) length)] ^= (guint8) g_rand_int_range (rand, 1, 256);
      mutated = g_bytes_new_take (data, length);
      details = pd_job_details_new_from_bytes (mutated, g_rand_boolean (rand) ? -1 : 1, &error);
      g_assert_true ((details == NULL) != (error == NULL));
      if (error != NULL)
        {
          g_assert_true (error->domain == PD_JOB_FILE_ERROR);
          failed++;
        }
      else
        {
          g_assert_cmpfloat (pd_job_details_get_total_grams (details), >=, 0);
          g_assert_cmpfloat (pd_job_details_estimate_used_grams (details, 50, 2, 4), <=,
                             pd_job_details_get_total_grams (details));
          ok++;
        }
    }
  g_test_message ("zip flips: %u read, %u refused", ok, failed);
  g_assert_cmpuint (failed, >, 0);

  ok = failed = 0;
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char         *text = g_strdup (studio_slice_info);
      gsize                    text_length = strlen (text);
      guint                    flips = (guint) g_rand_int_range (rand, 1, 4);
      g_autoptr (GBytes)       mutated = NULL;
      g_autoptr (PdJobDetails) details = NULL;
      g_autoptr (GError)       error = NULL;
      PdSimZip                *builder = pd_sim_zip_new ();

      for (guint f = 0; f < flips; f++)
        {
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) text_length);

          /* Keep the string NUL-terminated for pd_sim_zip_add's strlen:
           * a 0 byte would only shorten it. */
          text[at] = (char) g_rand_int_range (rand, 1, 256);
        }
      pd_sim_zip_add (builder, "Metadata/slice_info.config", text);
      pd_sim_zip_add (builder, "Metadata/plate_1.gcode", four_layer_gcode);
      mutated = pd_sim_zip_finish (builder);
      details = pd_job_details_new_from_bytes (mutated, -1, &error);
      g_assert_true ((details == NULL) != (error == NULL));
      if (error != NULL)
        {
          g_assert_true (error->domain == PD_JOB_FILE_ERROR);
          failed++;
        }
      else
        ok++;
    }
  g_test_message ("XML flips: %u read, %u refused", ok, failed);
  g_assert_cmpuint (ok, >, 0);
  g_assert_cmpuint (failed, >, 0);
}

/* Helpers ------------------------------------------------------------------*/

static void
test_plate_from_gcode_file (void)
{
  g_assert_cmpint (pd_job_plate_from_gcode_file ("/data/Metadata/plate_2.gcode"), ==, 2);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("data/metadata/plate_1.gcode"), ==, 1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("Metadata/PLATE_12.GCODE"), ==, 12);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_3.gcode"), ==, 3);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("36mm.gcode.3mf"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("Cube + Cube.3mf"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_x.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_0.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_+2.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_-2.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_99999999999999999999.gcode"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("plate_2.gcode.md5"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file ("/plate_2.gcode/x"), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file (""), ==, -1);
  g_assert_cmpint (pd_job_plate_from_gcode_file (NULL), ==, -1);
}

static void
test_new_destroy (void)
{
  g_autoptr (GBytes) zip = make_one_filament (TRUE, TRUE);
  PdJobDetails      *details = read_ok (zip, -1);
  PdJobDetails      *copy;

  g_assert_true (G_TYPE_IS_BOXED (PD_TYPE_JOB_DETAILS));
  copy = g_boxed_copy (PD_TYPE_JOB_DETAILS, details);
  g_assert_true (copy == details);
  g_boxed_free (PD_TYPE_JOB_DETAILS, copy);
  g_assert_true (pd_job_details_ref (details) == details);
  pd_job_details_unref (details);
  g_assert_cmpint (pd_job_details_get_plate (details), ==, 1);
  pd_job_details_unref (details);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/job-file/new-destroy", test_new_destroy);
  g_test_add_func ("/job-file/studio-layout", test_studio_layout);
  g_test_add_func ("/job-file/four-filaments", test_four_filaments);
  g_test_add_func ("/job-file/orca-values", test_orca_values);
  g_test_add_func ("/job-file/sparse-plate", test_sparse_plate);
  g_test_add_func ("/job-file/multi-plate", test_multi_plate);
  g_test_add_func ("/job-file/thumbnails", test_thumbnails);
  g_test_add_func ("/job-file/robust-xml", test_robust_xml);
  g_test_add_func ("/job-file/from-file", test_from_file);
  g_test_add_func ("/job-file/estimate/progress", test_estimate_progress);
  g_test_add_func ("/job-file/estimate/layers", test_estimate_layers);
  g_test_add_func ("/job-file/estimate/absolute-extrusion", test_estimate_absolute_extrusion);
  g_test_add_func ("/job-file/bad/not-zip", test_not_zip);
  g_test_add_func ("/job-file/bad/no-metadata", test_no_metadata);
  g_test_add_func ("/job-file/bad/bad-metadata", test_bad_metadata);
  g_test_add_func ("/job-file/bad/no-plate", test_no_plate);
  g_test_add_func ("/job-file/bad/zip-bomb", test_zip_bomb);
  g_test_add_func ("/job-file/bad/too-many", test_too_many);
  g_test_add_func ("/job-file/bad/damaged-gcode", test_damaged_gcode);
  g_test_add_func ("/job-file/bad/mutations", test_mutations);
  g_test_add_func ("/job-file/plate-from-gcode-file", test_plate_from_gcode_file);

  return g_test_run ();
}
