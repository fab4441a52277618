/* pd-sim-3mf.c — sliced Bambu project files for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout follows reference/ftps-3mf.md: §2.1 for the entries, §2.2 for
 * slice_info.config (Studio's writer, _add_slice_info_config_file_to_archive,
 * with its two-decimal numbers), §2.4 for the G-code header and the
 * layer_change_gcode markers Bambu's printer profiles emit. Numbers are
 * written with g_ascii_formatd: the simulator runs under the user's locale.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <math.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "pd-sim-3mf.h"
#include "pd-sim-zip.h"

#define SLICER_VERSION    "02.01.00.59"
#define LAYER_HEIGHT      0.2
#define FILAMENT_DIAMETER 1.75
#define FILAMENT_DENSITY  1.24 /* g/cm³, PLA */
#define THUMBNAIL_SIZE    256
#define SMALL_SIZE        128

typedef struct
{
  int         id;
  const char *type;
  guint32     rgba;
  double      grams; /* rounded to 2 decimals, as written */
  double      meters;
} Filament;

static const char content_types[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\n"
  " <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\n"
  " <Default Extension=\"model\" ContentType=\"application/vnd.ms-package.3dmanufacturing-3dmodel+xml\"/>\n"
  " <Default Extension=\"png\" ContentType=\"image/png\"/>\n"
  " <Default Extension=\"gcode\" ContentType=\"text/x.gcode\"/>\n"
  "</Types>\n";

static char *
format_number (double value,
               int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  char format[8];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_number (GString *text,
               double   value,
               int      decimals)
{
  g_autofree char *number = format_number (value, decimals);

  g_string_append (text, number);
}

/* A list of per-filament values, comma-separated as in Studio's header. */
static void
append_list (GString        *text,
             const Filament *filaments,
             guint           n,
             gsize           offset,
             int             decimals)
{
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      append_number (text, G_STRUCT_MEMBER (double, &filaments[i], offset), decimals);
    }
}

static double
meters_for_grams (double grams)
{
  double area_mm2 = G_PI * (FILAMENT_DIAMETER / 2) * (FILAMENT_DIAMETER / 2);

  /* g / (g/cm³) = cm³ = 1000 mm³; mm³ / mm² = mm */
  return grams / FILAMENT_DENSITY * 1000 / area_mm2 / 1000;
}

static char *
xml_escape (const char *text)
{
  return g_markup_escape_text (text, -1);
}

static char *
make_slice_info (const PdSim3mfSpec *spec,
                 const char         *name,
                 int                 plate,
                 const Filament     *filaments,
                 guint               n)
{
  GString         *text = g_string_new (NULL);
  g_autofree char *escaped = xml_escape (name);
  double           weight = 0;

  for (guint i = 0; i < n; i++)
    weight += filaments[i].grams;

  g_string_append (text,
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<config>\n"
                   "  <header>\n"
                   "    <header_item key=\"X-BBL-Client-Type\" value=\"slicer\"/>\n"
                   "    <header_item key=\"X-BBL-Client-Version\" value=\"" SLICER_VERSION "\"/>\n"
                   "  </header>\n"
                   "  <plate>\n");
  g_string_append_printf (text, "    <metadata key=\"index\" value=\"%d\"/>\n", plate);
  g_string_append (text,
                   "    <metadata key=\"printer_model_id\" value=\"C12\"/>\n"
                   "    <metadata key=\"nozzle_diameters\" value=\"0.4\"/>\n"
                   "    <metadata key=\"timelapse_type\" value=\"0\"/>\n");
  g_string_append_printf (text, "    <metadata key=\"prediction\" value=\"%d\"/>\n", MAX (spec->prediction_seconds, 0));
  g_string_append (text, "    <metadata key=\"weight\" value=\"");
  append_number (text, weight, 2);
  g_string_append (text,
                   "\"/>\n"
                   "    <metadata key=\"outside\" value=\"false\"/>\n"
                   "    <metadata key=\"support_used\" value=\"false\"/>\n"
                   "    <metadata key=\"label_object_enabled\" value=\"true\"/>\n");
  g_string_append_printf (text, "    <object identify_id=\"%d\" name=\"%s.stl\" skipped=\"false\" />\n", 100 + plate, escaped);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *type = xml_escape (filaments[i].type);
      g_autofree char *color = pd_sim_3mf_color_string (filaments[i].rgba);

      g_string_append_printf (text, "    <filament id=\"%d\" tray_info_idx=\"GFL99\" type=\"%s\" color=\"%s\" used_m=\"",
                              filaments[i].id, type, color);
      append_number (text, filaments[i].meters, 2);
      g_string_append (text, "\" used_g=\"");
      append_number (text, filaments[i].grams, 2);
      g_string_append (text, "\" />\n");
    }
  /* Studio's spacing, `error_code =` included. */
  g_string_append (text, "    <warning msg=\"bed_temperature_too_high_than_filament\" level=\"1\" error_code =\"1000C001\"  />\n");
  if (n > 0)
    {
      g_string_append (text, "    <layer_filament_lists>\n");
      for (guint i = 0; i < n; i++)
        {
          int layers = MAX (spec->layers, 1);

          g_string_append_printf (text, "      <layer_filament_list filament_list=\"%d\" layer_ranges=\"%d %d\" />\n",
                                  filaments[i].id - 1, (int) (i * (guint) layers / n),
                                  (int) ((i + 1) * (guint) layers / n) - 1);
        }
      g_string_append (text, "    </layer_filament_lists>\n");
    }
  g_string_append (text, "  </plate>\n</config>\n");

  return g_string_free (text, FALSE);
}

/* Studio's header block, then a layer_change_gcode block per layer; the
 * filaments take equal runs of layers, in order, each extruding its metres
 * in relative E moves (with a retraction that the readers must ignore). */
static char *
make_gcode (const PdSim3mfSpec *spec,
            int                 layers,
            const Filament     *filaments,
            guint               n)
{
  GString *text = g_string_new (NULL);
  int      seconds = MAX (spec->prediction_seconds, 0);
  int      active = -1;

  g_string_append (text, "; HEADER_BLOCK_START\n; BambuStudio " SLICER_VERSION "\n");
  g_string_append_printf (text, "; model printing time: %dm %ds; total estimated time: %dm %ds\n",
                          seconds * 9 / 10 / 60, seconds * 9 / 10 % 60, seconds / 60, seconds % 60);
  g_string_append_printf (text, "; total layer number: %d\n", layers);
  g_string_append (text, "; total filament length [mm] : ");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      append_number (text, filaments[i].meters * 1000, 2);
    }
  g_string_append (text, "\n; total filament weight [g] : ");
  append_list (text, filaments, n, G_STRUCT_OFFSET (Filament, grams), 2);
  g_string_append (text, "\n; filament_density: ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s1.24", i > 0 ? "," : "");
  g_string_append (text, "\n; filament_diameter: ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s1.75", i > 0 ? "," : "");
  g_string_append (text, "\n; max_z_height: ");
  append_number (text, layers * LAYER_HEIGHT, 2);
  g_string_append (text, "\n; filament: ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "", filaments[i].id);
  g_string_append (text, "\n; HEADER_BLOCK_END\n\n; CONFIG_BLOCK_START\n; layer_height = 0.2\n; filament_type = ");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ";" : "", filaments[i].type);
  g_string_append (text, "\n; filament_colour = ");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *color = pd_sim_3mf_color_string (filaments[i].rgba);

      g_string_append_printf (text, "%s%s", i > 0 ? ";" : "", color);
    }
  g_string_append (text, "\n; CONFIG_BLOCK_END\n\n; EXECUTABLE_BLOCK_START\n");
  g_string_append_printf (text, "M73 P0 R%d\nM83 ; relative extrusion\nG28\n", (seconds + 59) / 60);

  for (int layer = 1; layer <= layers; layer++)
    {
      /* The filament of this layer: equal runs, in order. */
      guint  f = n > 0 ? (guint) ((guint64) (layer - 1) * n / (guint) layers) : 0;
      int    first, last;
      double mm = 0;

      g_string_append (text, "; CHANGE_LAYER\n; Z_HEIGHT: ");
      append_number (text, layer * LAYER_HEIGHT, 2);
      g_string_append_printf (text, "\n; LAYER_HEIGHT: 0.2\n; layer num/total_layer_count: %d/%d\n"
                                    "; update layer progress\nM73 L%d\nM991 S0 P%d ;notify layer change\n",
                              layer, layers, layer, layer - 1);
      if (n == 0)
        continue;

      if ((int) f != active)
        {
          active = (int) f;
          g_string_append_printf (text, "M620 S%dA\nT%d\nM621 S%dA\n", filaments[f].id - 1, filaments[f].id - 1,
                                  filaments[f].id - 1);
        }
      first = (int) ((guint64) f * (guint) layers / n) + 1;
      last = (int) ((guint64) (f + 1) * (guint) layers / n);
      if (last >= first)
        mm = filaments[f].meters * 1000 / (last - first + 1);
      g_string_append (text, "G1 X128 Y128 E");
      append_number (text, mm / 2, 5);
      g_string_append (text, "\nG1 E-0.8 F1800\nG0 X140 Y140\nG1 E0.8\nG1 X100 Y100 E");
      append_number (text, mm / 2, 5);
      g_string_append_printf (text, "\nM73 P%d R%d\n", layer * 100 / layers,
                              (int) ((gint64) seconds * (layers - layer) / layers / 60));
    }

  g_string_append (text, "M620 S255\nM400\n; EXECUTABLE_BLOCK_END\n");

  return g_string_free (text, FALSE);
}

/* Thumbnail ---------------------------------------------------------------*/

static void
put_pixel (GdkPixbuf *pixbuf,
           int        x,
           int        y,
           guint32    rgb)
{
  int     stride = gdk_pixbuf_get_rowstride (pixbuf);
  int     channels = gdk_pixbuf_get_n_channels (pixbuf);
  guint8 *p;

  if (x < 0 || y < 0 || x >= gdk_pixbuf_get_width (pixbuf) || y >= gdk_pixbuf_get_height (pixbuf))
    return;
  p = gdk_pixbuf_get_pixels (pixbuf) + y * stride + x * channels;
  p[0] = (rgb >> 16) & 0xFF;
  p[1] = (rgb >> 8) & 0xFF;
  p[2] = rgb & 0xFF;
  if (channels == 4)
    p[3] = 0xFF;
}

static guint32
shade (guint32 rgba,
       double  factor)
{
  int r = (int) MIN (255, ((rgba >> 24) & 0xFF) * factor);
  int g = (int) MIN (255, ((rgba >> 16) & 0xFF) * factor);
  int b = (int) MIN (255, ((rgba >> 8) & 0xFF) * factor);

  return (guint32) (r << 16 | g << 8 | b);
}

/* Isometric projection of a point of the unit box (scaled) onto the picture. */
static void
project (double x,
         double y,
         double z,
         double scale,
         int   *sx,
         int   *sy)
{
  *sx = (int) lround (THUMBNAIL_SIZE / 2.0 + (x - y) * 0.866 * scale);
  *sy = (int) lround (THUMBNAIL_SIZE * 0.62 + (x + y) * 0.5 * scale - z * scale);
}

/* The plate as Studio's thumbnails show it: a dark bed seen from above at
 * an angle, and on it the print, here a box whose bands of colour are the
 * filaments in the order the layers use them. */
static GdkPixbuf *
draw_thumbnail (const Filament *filaments,
                guint           n)
{
  GdkPixbuf   *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  const double box = 70, height = 1.1, bed = 150;
  const int    steps = 280;
  int          sx, sy;

  gdk_pixbuf_fill (pixbuf, 0x00000000);

  /* The bed, with a grid. */
  for (int i = 0; i <= steps; i++)
    for (int j = 0; j <= steps; j++)
      {
        double   u = (double) i / steps - 0.5, v = (double) j / steps - 0.5;
        gboolean line = (i % 35) == 0 || (j % 35) == 0;

        project (u, v, 0, bed, &sx, &sy);
        put_pixel (pixbuf, sx, sy, line ? 0x5a5a5a : 0x3a3a3a);
        put_pixel (pixbuf, sx + 1, sy, line ? 0x5a5a5a : 0x3a3a3a);
      }

  /* The print: left face (y = +½), right face (x = +½), then the top. */
  for (int i = 0; i <= steps; i++)
    for (int k = 0; k <= steps; k++)
      {
        double  a = (double) i / steps - 0.5, h = (double) k / steps;
        guint   band = n > 0 ? MIN (n - 1, (guint) (h * n)) : 0;
        guint32 color = n > 0 ? filaments[band].rgba : 0xB0B0B0FF;

        project (a, 0.5, h * height, box, &sx, &sy);
        put_pixel (pixbuf, sx, sy, shade (color, 0.85));
        put_pixel (pixbuf, sx + 1, sy, shade (color, 0.85));
        project (0.5, a, h * height, box, &sx, &sy);
        put_pixel (pixbuf, sx, sy, shade (color, 0.6));
        put_pixel (pixbuf, sx + 1, sy, shade (color, 0.6));
      }
  for (int i = 0; i <= steps; i++)
    for (int j = 0; j <= steps; j++)
      {
        guint32 color = n > 0 ? filaments[n - 1].rgba : 0xB0B0B0FF;

        project ((double) i / steps - 0.5, (double) j / steps - 0.5, height, box, &sx, &sy);
        put_pixel (pixbuf, sx, sy, shade (color, 1.1));
        put_pixel (pixbuf, sx + 1, sy, shade (color, 1.1));
      }

  return pixbuf;
}

static GBytes *
encode_png (GdkPixbuf *pixbuf,
            int        size)
{
  g_autoptr (GdkPixbuf) scaled = NULL;
  g_autoptr (GError)    error = NULL;
  gchar                *buffer = NULL;
  gsize                 length = 0;

  if (size != gdk_pixbuf_get_width (pixbuf))
    scaled = gdk_pixbuf_scale_simple (pixbuf, size, size, GDK_INTERP_BILINEAR);
  if (!gdk_pixbuf_save_to_buffer (scaled != NULL ? scaled : pixbuf, &buffer, &length, "png", &error, NULL))
    g_error ("A thumbnail could not be made: %s", error->message);

  return g_bytes_new_take (buffer, length);
}

/* The thumbnails depend on the colours only, and a simulator's printers
 * print from the same few spools: drawn and encoded once per set of
 * colours (about 10 ms each), 100 printers start in well under a second. */
static void
get_thumbnails (const Filament *filaments,
                guint           n,
                GBytes        **large,
                GBytes        **small)
{
  static GMutex       lock;
  static GHashTable  *cache; /* "RRGGBBAA,…" → GBytes[2] */
  g_autoptr (GString) key = g_string_new (NULL);
  GBytes            **found;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (key, "%08X,", filaments[i].rgba);

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new (g_str_hash, g_str_equal);
  found = g_hash_table_lookup (cache, key->str);
  if (found == NULL)
    {
      g_autoptr (GdkPixbuf) picture = draw_thumbnail (filaments, n);

      /* Kept for the life of the program (a few kB each), up to a bound. */
      if (g_hash_table_size (cache) < 256)
        {
          found = g_new (GBytes *, 2);
          found[0] = encode_png (picture, THUMBNAIL_SIZE);
          found[1] = encode_png (picture, SMALL_SIZE);
          g_hash_table_insert (cache, g_strdup (key->str), found);
        }
      else
        {
          g_mutex_unlock (&lock);
          *large = encode_png (picture, THUMBNAIL_SIZE);
          *small = encode_png (picture, SMALL_SIZE);
          return;
        }
    }
  *large = g_bytes_ref (found[0]);
  *small = g_bytes_ref (found[1]);
  g_mutex_unlock (&lock);
}

/* Public API --------------------------------------------------------------*/

char *
pd_sim_3mf_color_string (guint32 rgba)
{
  return g_strdup_printf ("#%06X", rgba >> 8);
}

/**
 * pd_sim_3mf_build:
 * @spec: what the file says
 *
 * Returns: (transfer full): the .gcode.3mf file of one sliced plate
 */
GBytes *
pd_sim_3mf_build (const PdSim3mfSpec *spec)
{
  PdSimZip        *zip;
  Filament         filaments[PD_SIM_3MF_MAX_FILAMENTS];
  const char      *name;
  int              plate, layers;
  guint            n;
  g_autofree char *escaped = NULL;
  g_autofree char *slice_info = NULL;
  g_autofree char *gcode = NULL;
  g_autofree char *md5 = NULL;
  g_autofree char *model = NULL;
  g_autofree char *gcode_name = NULL;
  g_autofree char *md5_name = NULL;
  g_autofree char *png_name = NULL;
  g_autofree char *small_name = NULL;
  g_autofree char *rels = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->n_filaments <= PD_SIM_3MF_MAX_FILAMENTS, NULL);

  name = spec->name != NULL && *spec->name != '\0' ? spec->name : "Untitled";
  plate = spec->plate > 0 ? spec->plate : 1;
  layers = spec->layers > 0 ? spec->layers : 100;
  n = spec->n_filaments;
  for (guint i = 0; i < n; i++)
    {
      filaments[i].id = spec->filaments[i].id > 0 ? spec->filaments[i].id : (int) i + 1;
      filaments[i].type = spec->filaments[i].type != NULL ? spec->filaments[i].type : "PLA";
      filaments[i].rgba = spec->filaments[i].rgba;
      filaments[i].grams = round (MAX (spec->filaments[i].grams, 0) * 100) / 100;
      filaments[i].meters = spec->filaments[i].meters > 0 ? spec->filaments[i].meters
                                                          : meters_for_grams (filaments[i].grams);
      filaments[i].meters = round (filaments[i].meters * 100) / 100;
    }

  gcode_name = g_strdup_printf ("Metadata/plate_%d.gcode", plate);
  md5_name = g_strdup_printf ("Metadata/plate_%d.gcode.md5", plate);
  png_name = g_strdup_printf ("Metadata/plate_%d.png", plate);
  small_name = g_strdup_printf ("Metadata/plate_%d_small.png", plate);
  escaped = xml_escape (name);
  slice_info = make_slice_info (spec, name, plate, filaments, n);
  gcode = make_gcode (spec, layers, filaments, n);
  md5 = g_compute_checksum_for_string (G_CHECKSUM_MD5, gcode, -1);
  model = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<model unit=\"millimeter\" xml:lang=\"en-US\" "
                           "xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\" "
                           "xmlns:BambuStudio=\"http://schemas.bambulab.com/package/2021\">\n"
                           " <metadata name=\"Application\">BambuStudio-" SLICER_VERSION "</metadata>\n"
                           " <metadata name=\"BambuStudio:3mfVersion\">1</metadata>\n"
                           " <metadata name=\"Title\">%s</metadata>\n"
                           " <resources/>\n"
                           " <build/>\n"
                           "</model>\n",
                           escaped);
  rels = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\n"
                          " <Relationship Target=\"/3D/3dmodel.model\" Id=\"rel-1\" "
                          "Type=\"http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel\"/>\n"
                          "%s"
                          "</Relationships>\n",
                          spec->thumbnail ? " <Relationship Target=\"/Metadata/plate_1.png\" Id=\"rel-2\" "
                                            "Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail\"/>\n"
                                          : "");

  zip = pd_sim_zip_new ();
  pd_sim_zip_add (zip, "[Content_Types].xml", content_types);
  pd_sim_zip_add (zip, "_rels/.rels", rels);
  pd_sim_zip_add (zip, "3D/3dmodel.model", model);
  pd_sim_zip_add (zip, "Metadata/slice_info.config", slice_info);
  pd_sim_zip_add (zip, gcode_name, gcode);
  pd_sim_zip_add (zip, md5_name, md5);
  if (spec->thumbnail)
    {
      g_autoptr (GBytes) large = NULL;
      g_autoptr (GBytes) small = NULL;

      get_thumbnails (filaments, n, &large, &small);
      /* PNG data is compressed already; Studio stores it too. */
      pd_sim_zip_add_len (zip, png_name, g_bytes_get_data (large, NULL), g_bytes_get_size (large), TRUE);
      pd_sim_zip_add_len (zip, small_name, g_bytes_get_data (small, NULL), g_bytes_get_size (small), TRUE);
    }

  return pd_sim_zip_finish (zip);
}
