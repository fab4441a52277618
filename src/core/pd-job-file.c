/* pd-job-file.c — what a sliced Bambu project (*.gcode.3mf) says about its job
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout is Bambu Studio's (bbs_3mf.cpp, shared by Orca Slicer):
 * Metadata/slice_info.config holds one <plate> per sliced plate, each with
 * <metadata key="index|prediction|weight" value="…"/> and one
 * <filament id type color used_m used_g …/> per used filament; "weight" is
 * the sum of the filaments' used_g. Orca leaves values empty or writes
 * fractions ("59.5"), so every number is read defensively, and anything this
 * reader does not know (elements, attributes, their order) is ignored.
 */

#define G_LOG_DOMAIN "pd-job-file"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <zip.h>

#include "pd-job-file.h"

#define SLICE_INFO_NAME "Metadata/slice_info.config"

/* More than any printer holds (AMS units × 4 trays, or a project's slots). */
#define MAX_FILAMENTS 256
#define MAX_PLATES    1024
/* 100 000 layers of 0.02 mm are 2 m: far more than any build volume. */
#define MAX_LAYERS 100000
#define MAX_LINE   4096
#define READ_CHUNK (64 * 1024)

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

struct _PdJobDetails
{
  int     plate;
  gint64  prediction_seconds;
  double  total_grams;
  double  total_meters;
  GArray *filaments;
  GBytes *thumbnail;
  char   *slicer;
  char   *slicer_version;
  int     layer_count;
  /* layer_start[L]: mm of filament extruded before "M73 L<L>", L ≥ 1;
   * NULL when the G-code could not say. */
  GArray *layer_start;
  double  extruded_total;
};

G_DEFINE_BOXED_TYPE (PdJobDetails, pd_job_details, pd_job_details_ref, pd_job_details_unref)

G_DEFINE_QUARK (pd-job-file-error-quark, pd_job_file_error)

typedef struct
{
  int      index; /* 0: the plate has no index metadata */
  gint64   prediction_seconds;
  double   weight;
  gboolean has_weight;
  GArray  *filaments;
} Plate;

typedef struct
{
  GPtrArray *plates;
  Plate     *plate; /* the <plate> being read */
  char      *slicer_version;
} SliceInfo;

static void
filament_clear (gpointer data)
{
  PdJobFilament *filament = data;

  g_clear_pointer (&filament->type, g_free);
}

static GArray *
filaments_new (void)
{
  GArray *filaments = g_array_new (FALSE, TRUE, sizeof (PdJobFilament));

  g_array_set_clear_func (filaments, filament_clear);
  return filaments;
}

static void
plate_free (gpointer data)
{
  Plate *plate = data;

  g_clear_pointer (&plate->filaments, g_array_unref);
  g_free (plate);
}

static void
slice_info_clear (SliceInfo *info)
{
  g_clear_pointer (&info->plates, g_ptr_array_unref);
  g_clear_pointer (&info->slicer_version, g_free);
}

static void
details_clear (gpointer data)
{
  PdJobDetails *self = data;

  g_clear_pointer (&self->filaments, g_array_unref);
  g_clear_pointer (&self->thumbnail, g_bytes_unref);
  g_clear_pointer (&self->slicer, g_free);
  g_clear_pointer (&self->slicer_version, g_free);
  g_clear_pointer (&self->layer_start, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SliceInfo, slice_info_clear)

/* Errors -------------------------------------------------------------------*/

static void
set_not_zip (GError    **error,
             const char *detail)
{
  g_debug ("not a usable zip: %s", detail);
  g_set_error_literal (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NOT_ZIP,
                       _("The job file is damaged or is not a 3MF file"));
}

static void
set_too_large (GError    **error,
               const char *name,
               guint64     size)
{
  g_autofree char *size_text = g_format_size (size);
  g_autofree char *limit_text = g_format_size (PD_JOB_FILE_MAX_ENTRY_SIZE);

  g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_TOO_LARGE,
               /* Translators: %s are a file name inside the job file and two sizes */
               _("The job file’s %s is too large (%s, at most %s)"),
                  name, size_text, limit_text);
}

static void
set_zip_error (GError     **error,
               zip_error_t *zerror)
{
  set_not_zip (error, zip_error_strerror (zerror));
}

/* Numbers ------------------------------------------------------------------*/

/* A finite number in [0, max], or FALSE (empty, text, "nan", negative…). */
static gboolean
parse_double (const char *text,
              double      max,
              double     *out)
{
  char  *end = NULL;
  double value;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0' || !isfinite (value) || value < 0 || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

static int
parse_index (const char *text)
{
  g_autofree char *copy = NULL;
  gint64           value;

  if (text == NULL)
    return 0;
  copy = g_strstrip (g_strdup (text));
  if (!g_ascii_isdigit (copy[0]) || !g_ascii_string_to_signed (copy, 10, 1, 9999, &value, NULL))
    return 0;
  return (int) value;
}

/* "#RRGGBB" or "#RRGGBBAA" (Studio writes the first; the AMS the second). */
static gboolean
parse_color (const char *text,
             guint32    *out)
{
  gsize   len;
  guint32 value = 0;

  if (text == NULL || *text != '#')
    return FALSE;
  text++;
  len = strlen (text);
  if (len != 6 && len != 8)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int digit = g_ascii_xdigit_value (text[i]);

      if (digit < 0)
        return FALSE;
      value = (value << 4) | (guint32) digit;
    }
  *out = len == 6 ? (value << 8) | 0xff : value;
  return TRUE;
}

/* slice_info.config --------------------------------------------------------*/

static const char *
lookup_attribute (const char **names,
                  const char **values,
                  const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static void
slice_info_start (GMarkupParseContext *context,
                  const char          *element,
                  const char         **names,
                  const char         **values,
                  gpointer             data,
                  GError             **error)
{
  SliceInfo    *info = data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  const char   *parent = stack->next != NULL ? stack->next->data : NULL;
  gboolean      under_root = parent != NULL && stack->next->next == NULL;

  if (strcmp (element, "plate") == 0 && under_root)
    {
      Plate *plate;

      if (info->plates->len >= MAX_PLATES)
        {
          g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_TOO_LARGE,
                       _("The job file has more than %u plates"), MAX_PLATES);
          return;
        }
      plate = g_new0 (Plate, 1);
      plate->prediction_seconds = -1;
      plate->filaments = filaments_new ();
      g_ptr_array_add (info->plates, plate);
      info->plate = plate;
    }
  else if (parent == NULL || info->plate == NULL || strcmp (parent, "plate") != 0)
    {
      if (strcmp (element, "header_item") == 0 && g_strcmp0 (parent, "header") == 0 &&
          g_strcmp0 (lookup_attribute (names, values, "key"), "X-BBL-Client-Version") == 0 &&
          info->slicer_version == NULL)
        {
          const char *version = lookup_attribute (names, values, "value");

          if (version != NULL && *version != '\0')
            info->slicer_version = g_strndup (version, 64);
        }
    }
  else if (strcmp (element, "metadata") == 0)
    {
      const char *key = lookup_attribute (names, values, "key");
      const char *value = lookup_attribute (names, values, "value");
      double      number;

      if (key == NULL || value == NULL)
        return;
      if (strcmp (key, "index") == 0)
        info->plate->index = parse_index (value);
      else if (strcmp (key, "prediction") == 0 && parse_double (value, 1e9, &number))
        info->plate->prediction_seconds = (gint64) round (number);
      else if (strcmp (key, "weight") == 0 && parse_double (value, 1e7, &number))
        {
          info->plate->weight = number;
          info->plate->has_weight = TRUE;
        }
    }
  else if (strcmp (element, "filament") == 0)
    {
      PdJobFilament filament = { .id = -1 };
      const char   *type = lookup_attribute (names, values, "type");
      int           id = parse_index (lookup_attribute (names, values, "id"));

      if (info->plate->filaments->len >= MAX_FILAMENTS)
        {
          g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_TOO_LARGE,
                       _("The job file has more than %u filaments on a plate"), MAX_FILAMENTS);
          return;
        }
      if (id > 0)
        filament.id = id;
      filament.type = g_strndup (type != NULL ? type : "", 64);
      filament.has_color = parse_color (lookup_attribute (names, values, "color"), &filament.color);
      if (!parse_double (lookup_attribute (names, values, "used_g"), 1e7, &filament.grams))
        filament.grams = 0;
      if (!parse_double (lookup_attribute (names, values, "used_m"), 1e7, &filament.meters))
        filament.meters = 0;
      g_array_append_val (info->plate->filaments, filament);
    }
}

static void
slice_info_end (GMarkupParseContext *context,
                const char          *element,
                gpointer             data,
                GError             **error)
{
  SliceInfo    *info = data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);

  if (strcmp (element, "plate") == 0 && stack->next != NULL && stack->next->next == NULL)
    info->plate = NULL;
}

static gboolean
parse_slice_info (GBytes    *bytes,
                  SliceInfo *info,
                  GError   **error)
{
  static const GMarkupParser      parser = { slice_info_start, slice_info_end, NULL, NULL, NULL };
  g_autoptr (GMarkupParseContext) context = NULL;
  g_autoptr (GError)              local_error = NULL;
  gsize                           length;
  const char                     *text = g_bytes_get_data (bytes, &length);

  /* GMarkup does not skip a byte order mark. */
  if (length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      text += 3;
      length -= 3;
    }

  info->plates = g_ptr_array_new_with_free_func (plate_free);
  context = g_markup_parse_context_new (&parser, G_MARKUP_PREFIX_ERROR_POSITION, info, NULL);
  if (length == 0 ||
      !g_markup_parse_context_parse (context, text, (gssize) length, &local_error) ||
      !g_markup_parse_context_end_parse (context, &local_error))
    {
      if (local_error != NULL && local_error->domain == PD_JOB_FILE_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_BAD_METADATA,
                     _("The job file’s slicing results cannot be read: %s"),
                        local_error != NULL ? local_error->message : _("the file is empty"));
      return FALSE;
    }
  return TRUE;
}

/* Zip entries --------------------------------------------------------------*/

static gboolean
locate (zip_t        *archive,
        const char   *name,
        zip_uint64_t *index)
{
  zip_int64_t found = zip_name_locate (archive, name, ZIP_FL_NOCASE);

  if (found < 0)
    return FALSE;
  *index = (zip_uint64_t) found;
  return TRUE;
}

/* The entry's bytes, read at most @limit of them whatever the zip claims. */
static GBytes *
read_entry (zip_t       *archive,
            zip_uint64_t index,
            const char  *name,
            guint64      limit,
            GError     **error)
{
  g_autoptr (GByteArray) buffer = NULL;
  g_autofree guint8     *chunk = NULL;
  zip_file_t            *file;
  zip_stat_t             stat;

  zip_stat_init (&stat);
  if (zip_stat_index (archive, index, 0, &stat) != 0)
    {
      set_zip_error (error, zip_get_error (archive));
      return NULL;
    }
  if ((stat.valid & ZIP_STAT_SIZE) != 0 && stat.size > limit)
    {
      set_too_large (error, name, stat.size);
      return NULL;
    }

  file = zip_fopen_index (archive, index, 0);
  if (file == NULL)
    {
      set_zip_error (error, zip_get_error (archive));
      return NULL;
    }

  buffer = g_byte_array_sized_new ((guint) MIN ((stat.valid & ZIP_STAT_SIZE) ? stat.size : 0, READ_CHUNK));
  chunk = g_malloc (READ_CHUNK);
  for (;;)
    {
      zip_int64_t n = zip_fread (file, chunk, READ_CHUNK);

      if (n < 0)
        {
          set_zip_error (error, zip_file_get_error (file));
          zip_fclose (file);
          return NULL;
        }
      if (n == 0)
        break;
      if (buffer->len + (guint64) n > limit)
        {
          set_too_large (error, name, buffer->len + (guint64) n);
          zip_fclose (file);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, (guint) n);
    }
  zip_fclose (file);

  if ((stat.valid & ZIP_STAT_SIZE) != 0 && buffer->len != stat.size)
    {
      set_not_zip (error, "entry shorter than its header says");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

/* The N of every Metadata/plate_N.gcode entry. */
static GArray *
list_gcode_plates (zip_t *archive)
{
  GArray     *plates = g_array_new (FALSE, FALSE, sizeof (int));
  zip_int64_t n = zip_get_num_entries (archive, 0);

  for (zip_int64_t i = 0; i < n; i++)
    {
      const char *name = zip_get_name (archive, (zip_uint64_t) i, 0);
      int         plate;

      if (name == NULL || g_ascii_strncasecmp (name, "Metadata/", 9) != 0)
        continue;
      plate = pd_job_plate_from_gcode_file (name);
      if (plate > 0 && strchr (name + 9, '/') == NULL)
        g_array_append_val (plates, plate);
    }
  return plates;
}

static gboolean
array_has (GArray *array,
           int     value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_array_index (array, int, i) == value)
      return TRUE;
  return FALSE;
}

static Plate *
find_plate (GPtrArray *plates,
            int        index)
{
  for (guint i = 0; i < plates->len; i++)
    {
      Plate *plate = g_ptr_array_index (plates, i);

      if (plate->index == index)
        return plate;
    }
  return NULL;
}

/* See pd_job_details_new_from_bytes() for the choice when @wanted is -1. */
static Plate *
select_plate (GPtrArray *plates,
              GArray    *gcode_plates,
              int        wanted,
              GError   **error)
{
  Plate *plate = NULL;

  /* A plate without an index (not seen from Studio, but cheap to allow) is
   * the G-code's only plate, or plate 1. */
  if (plates->len == 1 && ((Plate *) plates->pdata[0])->index == 0)
    ((Plate *) plates->pdata[0])->index = gcode_plates->len == 1 ? g_array_index (gcode_plates, int, 0) : 1;

  if (wanted > 0)
    plate = find_plate (plates, wanted);
  else if (plates->len == 1)
    plate = plates->pdata[0];
  else if (plates->len > 1)
    {
      if (gcode_plates->len == 1)
        plate = find_plate (plates, g_array_index (gcode_plates, int, 0));
      for (guint i = 0; plate == NULL && i < plates->len; i++)
        if (array_has (gcode_plates, ((Plate *) plates->pdata[i])->index))
          plate = plates->pdata[i];
      if (plate == NULL)
        plate = plates->pdata[0];
    }

  if (plate != NULL)
    return plate;
  if (wanted > 0)
    g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NO_PLATE,
                 _("The job file has no plate %d"), wanted);
  else
    g_set_error_literal (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NO_PLATE,
                         _("The job file has no sliced plate"));
  return NULL;
}

/* A PNG whose header (IHDR, first) names a picture of a sane size: the UI
 * decodes it on the main thread, and a few bytes can claim gigapixels. */
static gboolean
is_png (GBytes *bytes)
{
  gsize         length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  guint32       width;
  guint32       height;

  if (length < 24 || memcmp (data, png_signature, sizeof png_signature) != 0 || memcmp (data + 12, "IHDR", 4) != 0)
    return FALSE;
  width = (guint32) data[16] << 24 | (guint32) data[17] << 16 | (guint32) data[18] << 8 | data[19];
  height = (guint32) data[20] << 24 | (guint32) data[21] << 16 | (guint32) data[22] << 8 | data[23];

  return width > 0 && height > 0 && width <= PD_JOB_FILE_MAX_THUMBNAIL_SIDE && height <= PD_JOB_FILE_MAX_THUMBNAIL_SIDE;
}

/* Bambuddy's cover chain (backend/app/api/routes/printers.py), less its fallbacks to plate 1
 * and to any PNG when the plate is another: a picture of the wrong plate is
 * worse than none, and pick_N.png is an object-ID mask, not a picture. */
static GBytes *
read_thumbnail (zip_t   *archive,
                int      plate,
                GError **error)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (names, g_strdup_printf ("Metadata/plate_%d.png", plate));
  g_ptr_array_add (names, g_strdup_printf ("Metadata/plate_%d_small.png", plate));
  g_ptr_array_add (names, g_strdup_printf ("Metadata/plate_no_light_%d.png", plate));
  g_ptr_array_add (names, g_strdup ("Metadata/thumbnail.png"));
  g_ptr_array_add (names, g_strdup ("Thumbnails/thumbnail.png"));
  g_ptr_array_add (names, g_strdup ("thumbnail.png"));

  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GBytes) bytes = NULL;
      zip_uint64_t       index;

      if (!locate (archive, names->pdata[i], &index))
        continue;
      bytes = read_entry (archive, index, names->pdata[i], PD_JOB_FILE_MAX_ENTRY_SIZE, error);
      if (bytes == NULL)
        return NULL;
      if (is_png (bytes))
        return g_steal_pointer (&bytes);
      g_debug ("%s is not a PNG of a sane size; ignored", (const char *) names->pdata[i]);
    }
  return NULL;
}

/* G-code -------------------------------------------------------------------*/

typedef struct
{
  gboolean in_header;
  gboolean header_done;
  gboolean want_slicer;
  gboolean absolute; /* M82: the E values are not lengths; no layer usage */
  gboolean overlong; /* skipping the rest of a line longer than MAX_LINE */
  int      header_layers;
  char    *slicer;
  GArray  *layer_start; /* double, [0] unused */
  double   extruded;
  GString *line;
} GcodeScan;

/* The value of parameter @letter ("E12.5") in the words of @line, before any
 * comment. */
static gboolean
gcode_param (const char *line,
             char        letter,
             double     *value)
{
  for (const char *p = line; *p != '\0' && *p != ';'; p++)
    {
      if (*p == letter && (p == line || p[-1] == ' ' || p[-1] == '\t'))
        {
          char *end = NULL;

          *value = g_ascii_strtod (p + 1, &end);
          return end != p + 1 && isfinite (*value);
        }
    }
  return FALSE;
}

static gboolean
gcode_is (const char *line,
          const char *command)
{
  gsize n = strlen (command);

  return strncmp (line, command, n) == 0 && (line[n] == ' ' || line[n] == '\t' || line[n] == '\0' || line[n] == ';');
}

static void
gcode_layer_change (GcodeScan *scan,
                    double     layer)
{
  if (!(layer >= 1 && layer <= MAX_LAYERS))
    return;
  /* Layers only go up; a repeated or lower number keeps the first start. */
  while (scan->layer_start->len <= (guint) layer)
    g_array_append_val (scan->layer_start, scan->extruded);
}

static void
gcode_header_line (GcodeScan  *scan,
                   const char *comment)
{
  const char *value;
  gint64      number;

  if (strcmp (comment, "HEADER_BLOCK_END") == 0)
    {
      scan->in_header = FALSE;
      scan->header_done = TRUE;
      return;
    }
  /* The first line of a current header names the slicer and its version,
   * "BambuStudio 02.08.02.61"; older ones start with the times. */
  if (scan->want_slicer)
    {
      gsize n = strcspn (comment, " ");

      scan->want_slicer = FALSE;
      if (n > 0 && n <= 32 && comment[n] == ' ' && g_ascii_isdigit (comment[n + 1]) &&
          strchr (comment, ':') == NULL)
        {
          scan->slicer = g_strndup (comment, n);
          return;
        }
    }
  if (g_str_has_prefix (comment, "total layer number:"))
    {
      value = comment + strlen ("total layer number:");
      while (*value == ' ')
        value++;
      if (g_ascii_string_to_signed (value, 10, 1, MAX_LAYERS, &number, NULL))
        scan->header_layers = (int) number;
    }
}

static void
gcode_line (GcodeScan *scan,
            char      *line)
{
  double value;

  while (*line == ' ' || *line == '\t')
    line++;
  g_strchomp (line);

  if (*line == ';')
    {
      char *comment = line + 1;

      while (*comment == ' ')
        comment++;
      if (scan->in_header)
        gcode_header_line (scan, comment);
      else if (!scan->header_done && strcmp (comment, "HEADER_BLOCK_START") == 0)
        scan->in_header = scan->want_slicer = TRUE;
      return;
    }

  if (line[0] == 'G' && (gcode_is (line, "G0") || gcode_is (line, "G1") ||
                         gcode_is (line, "G2") || gcode_is (line, "G3")))
    {
      /* Bambu's start G-code sets relative extrusion (M83), so the sum of
       * E is the filament pushed in; a retraction (E < 0) and its
       * unretraction cancel out. */
      if (gcode_param (line, 'E', &value) && fabs (value) < 1e6)
        scan->extruded += value;
    }
  else if (gcode_is (line, "M73"))
    {
      if (gcode_param (line, 'L', &value))
        gcode_layer_change (scan, value);
    }
  else if (gcode_is (line, "M82"))
    scan->absolute = TRUE;
}

static void
gcode_feed (GcodeScan  *scan,
            const char *data,
            gsize       length)
{
  while (length > 0)
    {
      const char *newline = memchr (data, '\n', length);
      gsize       n = newline != NULL ? (gsize) (newline - data) : length;

      if (!scan->overlong)
        {
          if (scan->line->len + n > MAX_LINE)
            scan->overlong = TRUE;
          else
            g_string_append_len (scan->line, data, (gssize) n);
        }
      if (newline == NULL)
        return;
      if (!scan->overlong)
        gcode_line (scan, scan->line->str);
      g_string_truncate (scan->line, 0);
      scan->overlong = FALSE;
      data += n + 1;
      length -= n + 1;
    }
}

/* The layer count, the slicer's name and the filament extruded before each
 * layer, from Metadata/plate_N.gcode, read as a stream: the G-code can be
 * hundreds of MiB. All of it is optional, so a G-code that is missing,
 * damaged or too long is no error: the details just lack what it would
 * have told. The per-layer method is Bambuddy's and OpenSpoolMan's
 * (M73 L<n> marks layer n, E moves are filament). */
static void
scan_gcode (zip_t        *archive,
            int           plate,
            PdJobDetails *self)
{
  g_autofree char    *name = g_strdup_printf ("Metadata/plate_%d.gcode", plate);
  g_autofree char    *chunk = NULL;
  g_autoptr (GArray)  layer_start = NULL;
  g_autoptr (GString) line = NULL;
  GcodeScan           scan = { 0 };
  zip_uint64_t        index;
  zip_stat_t          stat;
  zip_file_t         *file;
  guint64             total = 0;
  gboolean            complete = FALSE;

  if (!locate (archive, name, &index))
    return;
  zip_stat_init (&stat);
  if (zip_stat_index (archive, index, 0, &stat) != 0 || (stat.valid & ZIP_STAT_SIZE) == 0)
    return;
  file = zip_fopen_index (archive, index, 0);
  if (file == NULL)
    {
      g_debug ("%s: %s", name, zip_error_strerror (zip_get_error (archive)));
      return;
    }

  layer_start = g_array_new (FALSE, TRUE, sizeof (double));
  g_array_set_size (layer_start, 1);
  line = g_string_sized_new (256);
  scan.layer_start = layer_start;
  scan.line = line;
  chunk = g_malloc (READ_CHUNK);
  for (;;)
    {
      zip_int64_t n = zip_fread (file, chunk, READ_CHUNK);

      if (n < 0)
        {
          g_debug ("%s: %s", name, zip_error_strerror (zip_file_get_error (file)));
          break;
        }
      if (n == 0)
        {
          /* libzip does not check that the entry is as long as it says. */
          complete = total == stat.size;
          if (!complete)
            g_debug ("%s: %" G_GUINT64_FORMAT " bytes, not %" G_GUINT64_FORMAT, name, total, (guint64) stat.size);
          break;
        }
      total += (guint64) n;
      if (total > PD_JOB_FILE_MAX_GCODE_SIZE || total > stat.size)
        {
          g_debug ("%s: longer than %" G_GUINT64_FORMAT " bytes or than it says; not read further",
                   name, MIN (PD_JOB_FILE_MAX_GCODE_SIZE, (guint64) stat.size));
          break;
        }
      gcode_feed (&scan, chunk, (gsize) n);
    }
  zip_fclose (file);
  if (complete && !scan.overlong && line->len > 0)
    gcode_line (&scan, line->str);

  self->slicer = g_steal_pointer (&scan.slicer);
  self->layer_count = scan.header_layers;
  if (complete && self->layer_count == 0 && layer_start->len > 1)
    self->layer_count = (int) layer_start->len - 1;
  if (complete && !scan.absolute && layer_start->len > 1 && scan.extruded > 0)
    {
      self->layer_start = g_steal_pointer (&layer_start);
      self->extruded_total = scan.extruded;
    }
}

/* Reading ------------------------------------------------------------------*/

static PdJobDetails *
read_archive (zip_t   *archive,
              int      wanted,
              GError **error)
{
  g_autoptr (PdJobDetails) self = NULL;
  g_autoptr (GBytes)       slice_info_bytes = NULL;
  g_autoptr (GArray)       gcode_plates = NULL;
  g_autoptr (GError)       local_error = NULL;
  g_auto (SliceInfo)       info = { 0 };
  zip_int64_t              n_entries = zip_get_num_entries (archive, 0);
  zip_uint64_t             index;
  Plate                   *plate;

  if (n_entries > PD_JOB_FILE_MAX_ENTRIES)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) n_entries);

      g_set_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_TOO_LARGE,
                   _("The job file has too many entries (%s, at most %d)"), count, PD_JOB_FILE_MAX_ENTRIES);
      return NULL;
    }
  if (!locate (archive, SLICE_INFO_NAME, &index))
    {
      g_set_error_literal (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NO_METADATA,
                           _("The job file has no slicing results: it is not a sliced project"));
      return NULL;
    }
  slice_info_bytes = read_entry (archive, index, SLICE_INFO_NAME, PD_JOB_FILE_MAX_ENTRY_SIZE, error);
  if (slice_info_bytes == NULL || !parse_slice_info (slice_info_bytes, &info, error))
    return NULL;

  gcode_plates = list_gcode_plates (archive);
  plate = select_plate (info.plates, gcode_plates, wanted, error);
  if (plate == NULL)
    return NULL;

  self = g_rc_box_new0 (PdJobDetails);
  self->plate = plate->index;
  self->prediction_seconds = plate->prediction_seconds;
  self->filaments = g_steal_pointer (&plate->filaments);
  self->slicer_version = g_steal_pointer (&info.slicer_version);
  for (guint i = 0; i < self->filaments->len; i++)
    {
      const PdJobFilament *filament = &g_array_index (self->filaments, PdJobFilament, i);

      self->total_grams += filament->grams;
      self->total_meters += filament->meters;
    }
  /* The slicer's own total, when it wrote one (it is the sum, rounded). */
  if (plate->has_weight)
    self->total_grams = plate->weight;

  self->thumbnail = read_thumbnail (archive, self->plate, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  scan_gcode (archive, self->plate, self);
  return g_steal_pointer (&self);
}

static PdJobDetails *
read_source (zip_source_t *source,
             int           plate,
             GError      **error)
{
  PdJobDetails *self;
  zip_error_t   zerror;
  zip_t        *archive;

  zip_error_init (&zerror);
  archive = zip_open_from_source (source, ZIP_RDONLY, &zerror);
  if (archive == NULL)
    {
      set_zip_error (error, &zerror);
      zip_error_fini (&zerror);
      zip_source_free (source);
      return NULL;
    }
  zip_error_fini (&zerror);
  self = read_archive (archive, plate, error);
  zip_discard (archive);
  return self;
}

/* Public API ---------------------------------------------------------------*/

/**
 * pd_job_details_new_from_bytes:
 * @zip: the 3MF file
 * @plate: the 1-based plate to read, or -1 for the plate the file is for
 *
 * Reads the details of one plate. With @plate -1 that is the file's only
 * <plate>; in a file with several, the plate of its only
 * Metadata/plate_N.gcode (a per-plate upload carries the G-code of the plate
 * sent and the thumbnails of all), else the first plate with G-code, else
 * the first. Pass the plate from the printer's report
 * (pd_job_plate_from_gcode_file()) when it names one.
 *
 * Blocking; safe on any thread.
 */
PdJobDetails *
pd_job_details_new_from_bytes (GBytes  *zip,
                               int      plate,
                               GError **error)
{
  g_autoptr (GBytes) keep = NULL;
  zip_source_t      *source;
  zip_error_t        zerror;
  gconstpointer      data;
  gsize              length;
  PdJobDetails      *self;

  g_return_val_if_fail (zip != NULL, NULL);
  g_return_val_if_fail (plate == -1 || plate > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (zip, &length);
  /* libzip opens an empty file as an empty archive. */
  if (length == 0)
    {
      set_not_zip (error, "empty file");
      return NULL;
    }

  keep = g_bytes_ref (zip); /* the source reads the bytes in place */
  zip_error_init (&zerror);
  source = zip_source_buffer_create (data, length, 0, &zerror);
  if (source == NULL)
    {
      set_zip_error (error, &zerror);
      zip_error_fini (&zerror);
      return NULL;
    }
  zip_error_fini (&zerror);
  self = read_source (source, plate, error);
  return self;
}

/**
 * pd_job_details_new_from_file:
 *
 * Like pd_job_details_new_from_bytes(). A local file is read in place (only
 * the entries needed); any other is loaded whole. Blocking; safe on any thread.
 */
PdJobDetails *
pd_job_details_new_from_file (GFile   *file,
                              int      plate,
                              GError **error)
{
  g_autoptr (GFileInfo) file_info = NULL;
  g_autofree char      *path = NULL;
  zip_source_t         *source;
  zip_error_t           zerror;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (plate == -1 || plate > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      g_autoptr (GBytes) bytes = g_file_load_bytes (file, NULL, NULL, error);

      return bytes != NULL ? pd_job_details_new_from_bytes (bytes, plate, error) : NULL;
    }

  /* GIO's errors for a missing or unreadable file, rather than libzip's. */
  file_info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                 G_FILE_QUERY_INFO_NONE, NULL, error);
  if (file_info == NULL)
    return NULL;
  if (g_file_info_get_file_type (file_info) != G_FILE_TYPE_REGULAR || g_file_info_get_size (file_info) == 0)
    {
      set_not_zip (error, "not a regular file, or empty");
      return NULL;
    }

  zip_error_init (&zerror);
  source = zip_source_file_create (path, 0, -1, &zerror);
  if (source == NULL)
    {
      set_zip_error (error, &zerror);
      zip_error_fini (&zerror);
      return NULL;
    }
  zip_error_fini (&zerror);
  return read_source (source, plate, error);
}

PdJobDetails *
pd_job_details_ref (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_rc_box_acquire (self);
}

void
pd_job_details_unref (PdJobDetails *self)
{
  g_return_if_fail (self != NULL);

  g_rc_box_release_full (self, details_clear);
}

int
pd_job_details_get_plate (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->plate;
}

gint64
pd_job_details_get_prediction_seconds (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->prediction_seconds;
}

/* Rounded to the nearest minute; -1 when unknown. */
int
pd_job_details_get_prediction_minutes (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, -1);

  if (self->prediction_seconds < 0)
    return -1;
  return (int) ((self->prediction_seconds + 30) / 60);
}

double
pd_job_details_get_total_grams (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total_grams;
}

double
pd_job_details_get_total_meters (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->total_meters;
}

GArray *
pd_job_details_get_filaments (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->filaments;
}

GBytes *
pd_job_details_get_thumbnail (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->thumbnail;
}

const char *
pd_job_details_get_slicer (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->slicer;
}

const char *
pd_job_details_get_slicer_version (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->slicer_version;
}

int
pd_job_details_get_layer_count (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->layer_count;
}

gboolean
pd_job_details_has_layer_usage (PdJobDetails *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->layer_start != NULL;
}

/**
 * pd_job_details_estimate_used_grams:
 * @progress_percent: the report's mc_percent
 * @layer: the report's layer_num (the layer being printed, 1-based), or 0
 * @total_layers: the report's total_layer_num, or 0
 *
 * An estimate of the grams used so far, in [0, total grams]:
 *
 * - at 100 % (or more), the total;
 * - per layer when the G-code told how much filament goes into each layer
 *   (pd_job_details_has_layer_usage()), @layer is within the file's layers
 *   and @total_layers, if given, is the file's layer count: the total times
 *   the share of the G-code's extrusion before the middle of @layer (half of
 *   the current layer counted as done). Scaling to the slicer's total keeps
 *   100 % exact, as the G-code's sum differs slightly from used_g;
 * - otherwise progress-weighted: the total times @progress_percent / 100.
 */
double
pd_job_details_estimate_used_grams (PdJobDetails *self,
                                    int           progress_percent,
                                    int           layer,
                                    int           total_layers)
{
  int progress;

  g_return_val_if_fail (self != NULL, 0);

  if (self->total_grams <= 0)
    return 0;
  progress = CLAMP (progress_percent, 0, 100);
  if (progress == 100)
    return self->total_grams;

  if (self->layer_start != NULL && layer >= 1 && (guint) layer < self->layer_start->len &&
      (total_layers <= 0 || total_layers == self->layer_count))
    {
      double start = g_array_index (self->layer_start, double, layer);
      double end = (guint) layer + 1 < self->layer_start->len
                     ? g_array_index (self->layer_start, double, layer + 1)
                     : self->extruded_total;
      double share = (start + end) / 2 / self->extruded_total;

      return self->total_grams * CLAMP (share, 0.0, 1.0);
    }

  return self->total_grams * progress / 100.0;
}

int
pd_job_plate_from_gcode_file (const char *gcode_file)
{
  const char      *base;
  const char      *digits;
  gint64           plate;
  g_autofree char *number = NULL;
  gsize            length;

  if (gcode_file == NULL)
    return -1;
  base = strrchr (gcode_file, '/');
  base = base != NULL ? base + 1 : gcode_file;
  length = strlen (base);
  if (length <= strlen ("plate_.gcode") || g_ascii_strncasecmp (base, "plate_", 6) != 0 ||
      g_ascii_strcasecmp (base + length - 6, ".gcode") != 0)
    return -1;
  digits = base + 6;
  number = g_strndup (digits, length - 12);
  if (!g_ascii_string_to_signed (number, 10, 1, 9999, &plate, NULL) || !g_ascii_isdigit (number[0]))
    return -1;
  return (int) plate;
}
