/* pd-report.c — parse printer reports and merge them into a PdState
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The facts behind every rule here are in docs/protocol-notes.md; the short
 * version:
 *
 *  - P1, A1, H2 and X2 printers send deltas: a field absent from a report is
 *    unchanged, never reset.
 *  - Numbers arrive as JSON numbers or as strings, and strings as numbers.
 *  - Temperatures on H2/X2 models are packed: target << 16 | current.
 *  - AMS units and trays are keyed by id, not by position; tray_exist_bits is
 *    the authority for which slots hold a spool.
 *
 * What cannot be read is handled at two levels. A report that is not JSON,
 * not an object, too large, too deep, or whose containers have the wrong
 * shape is rejected whole and the state stays as it was. A single value that
 * cannot be read or is out of range is skipped with a warning: it keeps its
 * last good value and the rest of the report applies, because real firmware
 * does send the odd bad reading (AMS at −48.9 °C) and that must not freeze
 * the whole card.
 */

#define G_LOG_DOMAIN "pd-report"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pd-report.h"
#include "pd-state-private.h"

GQuark
pd_report_error_quark (void)
{
  return g_quark_from_static_string ("pd-report-error-quark");
}

/* Longest string kept from a report (job names, filament names…). */
#define MAX_STRING_BYTES 512
/* Longest list read from a report that we do not otherwise bound. */
#define MAX_LIST_ITEMS 64

typedef struct
{
  PdState       *s; /* the copy being built */
  const PdState *old;
  GPtrArray     *warnings; /* nullable */
  GError        *error;    /* the first reason to reject the report */
  gint64         now;
} Merge;

static void merge_warn (Merge *m, const char *where, const char *key, const char *format, ...) G_GNUC_PRINTF (4, 5);
static void merge_fail (Merge *m, const char *where, const char *key, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
merge_warn (Merge      *m,
            const char *where,
            const char *key,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  if (m->warnings == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_ptr_array_add (m->warnings, g_strdup_printf ("%s.%s: %s", where, key, message));
}

static void
merge_fail (Merge      *m,
            const char *where,
            const char *key,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list          args;

  if (m->error != NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    m->error = g_error_new (PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED,
                            "%s.%s: %s", where, key, message);
  else
    m->error = g_error_new (PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED,
                            "%s: %s", where, message);
}

/* Value conversion ---------------------------------------------------------*/

static const char *
node_kind (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT: return _("an object");
    case JSON_NODE_ARRAY: return _("a list");
    case JSON_NODE_NULL: return _("null");
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_BOOLEAN: return _("true or false");
        case G_TYPE_STRING: return _("text");
        default: return _("a number");
        }
    }
}

/* Parses a whole string as a number: "22.7", " 42 ", "-52dBm" with @unit "dBm". */
static gboolean
parse_number (const char *text,
              const char *unit,
              double     *out)
{
  char  *end = NULL;
  double v;

  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (end == text || errno == ERANGE || !isfinite (v))
    return FALSE;

  if (unit != NULL && g_ascii_strncasecmp (end, unit, strlen (unit)) == 0)
    end += strlen (unit);
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;

  *out = v;
  return TRUE;
}

static gboolean
node_to_number (JsonNode   *node,
                const char *unit,
                double     *out)
{
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *out = (double) json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *out = json_node_get_double (node);
      return isfinite (*out);
    case G_TYPE_STRING:
      return parse_number (json_node_get_string (node), unit, out);
    default:
      return FALSE;
    }
}

/* Hex strings ("1101", "0x1A", "46A58008") and plain numbers. */
static gboolean
node_to_hex (JsonNode *node,
             guint64  *out)
{
  const char *text;
  char       *end = NULL;
  guint64     v;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 i = json_node_get_int (node);

      if (i < 0)
        return FALSE;
      *out = (guint64) i;
      return TRUE;
    }
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;

  text = json_node_get_string (node);
  if (g_ascii_strncasecmp (text, "0x", 2) == 0)
    text += 2;
  if (*text == '\0' || strlen (text) > 16)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;

  v = g_ascii_strtoull (text, &end, 16);
  if (end == NULL || *end != '\0')
    return FALSE;

  *out = v;
  return TRUE;
}

/* A 32-bit code given as a number or as text: "0x…" is hex, digits are
 * decimal. Bit sets that the firmware sends as signed 32-bit numbers
 * (home_flag) may be negative when @allow_negative.
 */
static gboolean
node_to_u32 (JsonNode *node,
             gboolean  allow_negative,
             guint32  *out)
{
  double v;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      g_ascii_strncasecmp (json_node_get_string (node), "0x", 2) == 0)
    {
      guint64 h;

      if (!node_to_hex (node, &h) || h > G_MAXUINT32)
        return FALSE;
      *out = (guint32) h;
      return TRUE;
    }

  if (!node_to_number (node, NULL, &v))
    return FALSE;
  if (v != floor (v) || v > (double) G_MAXUINT32 || v < (allow_negative ? (double) G_MININT32 : 0))
    return FALSE;

  *out = v < 0 ? (guint32) (gint32) v : (guint32) v;
  return TRUE;
}

/* Copies a string from a report: valid UTF-8 (json-glib lets lone surrogate
 * escapes through as invalid bytes) and at most MAX_STRING_BYTES long, cut
 * between characters.
 */
static char *
clean_string (const char *text,
              gboolean   *repaired)
{
  g_autofree char *valid = NULL;
  const char      *end;

  *repaired = !g_utf8_validate (text, -1, NULL);
  if (*repaired)
    text = valid = g_utf8_make_valid (text, -1);

  if (strlen (text) <= MAX_STRING_BYTES)
    return g_strdup (text);

  end = g_utf8_find_prev_char (text, text + MAX_STRING_BYTES + 1);
  return g_strndup (text, end - text);
}

/* Looks a key up; a missing key and a JSON null both mean "not in this report". */
static JsonNode *
member (JsonObject *obj,
        const char *key)
{
  JsonNode *node = json_object_get_member (obj, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

/* Reads a number in [min, max]. Returns FALSE when the key is absent or its
 * value is unusable (with a warning).
 */
static gboolean
get_number (Merge      *m,
            JsonObject *obj,
            const char *where,
            const char *key,
            double      min,
            double      max,
            double     *out)
{
  JsonNode *node = member (obj, key);
  double    v;

  if (node == NULL)
    return FALSE;

  if (!node_to_number (node, NULL, &v))
    {
      merge_warn (m, where, key, _("expected a number, got %s; ignored"), node_kind (node));
      return FALSE;
    }
  if (v < min || v > max)
    {
      merge_warn (m, where, key, _("%g is outside %g…%g; ignored"), v, min, max);
      return FALSE;
    }

  *out = v;
  return TRUE;
}

static gboolean
get_int (Merge      *m,
         JsonObject *obj,
         const char *where,
         const char *key,
         int         min,
         int         max,
         int        *out)
{
  double v;

  if (!get_number (m, obj, where, key, min, max, &v))
    return FALSE;

  *out = (int) lround (v);
  return TRUE;
}

/* Reads a string; numbers are accepted as text. */
static gboolean
get_string (Merge      *m,
            JsonObject *obj,
            const char *where,
            const char *key,
            char      **out)
{
  JsonNode *node = member (obj, key);

  if (node == NULL)
    return FALSE;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          {
            gboolean repaired;

            *out = clean_string (json_node_get_string (node), &repaired);
            if (repaired)
              merge_warn (m, where, key, _("not valid UTF-8; bad bytes were replaced"));
            return TRUE;
          }
        case G_TYPE_INT64:
          *out = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          return TRUE;
        case G_TYPE_DOUBLE:
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            *out = g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
            return TRUE;
          }
        default:
          break;
        }
    }

  merge_warn (m, where, key, _("expected text, got %s; ignored"), node_kind (node));
  return FALSE;
}

/* Replaces *field with @value, or with NULL when @value is empty. */
static void
take_string (char **field,
             char  *value)
{
  g_free (*field);
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  *field = value;
}

/* Returns the member if it is an object; rejects the report if it is there
 * but is something else.
 */
static JsonObject *
get_object (Merge      *m,
            JsonObject *obj,
            const char *where,
            const char *key)
{
  JsonNode *node = member (obj, key);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      merge_fail (m, where, key, _("expected an object, got %s"), node_kind (node));
      return NULL;
    }

  return json_node_get_object (node);
}

static JsonArray *
get_array (Merge      *m,
           JsonObject *obj,
           const char *where,
           const char *key,
           guint       max_items)
{
  JsonNode  *node = member (obj, key);
  JsonArray *array;

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      merge_fail (m, where, key, _("expected a list, got %s"), node_kind (node));
      return NULL;
    }

  array = json_node_get_array (node);
  if (json_array_get_length (array) > max_items)
    {
      merge_fail (m, where, key, _("%u items, more than the %u a printer can have"),
                  json_array_get_length (array), max_items);
      return NULL;
    }

  return array;
}

/* Temperatures -------------------------------------------------------------*/

#define TEMP_MIN    (-40.0)
#define NOZZLE_MAX  500.0
#define BED_MAX     200.0
#define CHAMBER_MAX 150.0

/* H2/X2 firmware packs a heater as target << 16 | current; a value below
 * 65536 is a bare current with the heater off.
 */
static gboolean
unpack_temperature (Merge      *m,
                    JsonObject *obj,
                    const char *where,
                    const char *key,
                    double      max,
                    PdTemp     *temp)
{
  double v, current, target;

  if (!get_number (m, obj, where, key, -40, (double) G_MAXUINT32, &v))
    return FALSE;

  if (v >= 65536)
    {
      guint32 packed = (guint32) v;

      current = packed & 0xFFFF;
      target = packed >> 16;
    }
  else
    {
      current = v;
      target = 0;
    }

  if (current > max || target > max)
    {
      merge_warn (m, where, key, _("%.0f/%.0f °C is outside the heater's range; ignored"),
                  current, target);
      return FALSE;
    }

  temp->current = current;
  temp->target = target;
  return TRUE;
}

static void
merge_temp_pair (Merge      *m,
                 JsonObject *print,
                 const char *current_key,
                 const char *target_key,
                 double      max,
                 PdTemp     *temp)
{
  double v;

  if (get_number (m, print, "print", current_key, TEMP_MIN, max, &v))
    temp->current = v;
  if (get_number (m, print, "print", target_key, 0, max, &v))
    temp->target = v;
}

/* Reads device.extruder: the number of extruders, the active one, what each
 * one is fed from ("snow") and each nozzle's packed temperature.
 */
static void
merge_extruders (Merge      *m,
                 JsonObject *device,
                 PdTemp      temps[PD_MAX_EXTRUDERS],
                 gboolean    have_temp[PD_MAX_EXTRUDERS])
{
  JsonObject *extruder = get_object (m, device, "print.device", "extruder");
  JsonArray  *info;
  int         state;

  if (extruder == NULL)
    return;

  /* state: low 4 bits = number of extruders, next 4 = the active one */
  if (get_int (m, extruder, "print.device.extruder", "state", 0, 0xFFFF, &state))
    {
      int n = state & 0xF;

      if (n >= 1 && n <= PD_MAX_EXTRUDERS)
        m->s->n_extruders = MAX (m->s->n_extruders, n);
      if (n >= 2)
        m->s->active_extruder = (state >> 4) & 0xF;
    }

  info = get_array (m, extruder, "print.device.extruder", "info", 8);
  if (info == NULL)
    return;

  m->s->n_extruders = CLAMP ((int) json_array_get_length (info), m->s->n_extruders, PD_MAX_EXTRUDERS);

  for (guint i = 0; i < json_array_get_length (info); i++)
    {
      JsonNode        *node = json_array_get_element (info, i);
      g_autofree char *where = g_strdup_printf ("print.device.extruder.info[%u]", i);
      JsonObject      *e;
      int              id = (int) i;
      int              snow;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          merge_warn (m, "print.device.extruder", "info", _("item %u is not an object; ignored"), i);
          continue;
        }
      e = json_node_get_object (node);

      get_int (m, e, where, "id", 0, 255, &id);
      if (id >= PD_MAX_EXTRUDERS)
        continue;

      if (get_int (m, e, where, "snow", 0, 0xFFFF, &snow))
        m->s->extruder_snow[id] = snow;

      if (unpack_temperature (m, e, where, "temp", NOZZLE_MAX, &temps[id]))
        have_temp[id] = TRUE;
    }
}

static void
merge_temperatures (Merge      *m,
                    JsonObject *print,
                    JsonObject *device)
{
  PdTemp   extruder_temps[PD_MAX_EXTRUDERS];
  gboolean have_extruder_temp[PD_MAX_EXTRUDERS] = {
    FALSE,
  };
  PdTemp temp;
  double v;

  if (device != NULL)
    merge_extruders (m, device, extruder_temps, have_extruder_temp);

  /* Nozzle: on dual-nozzle models the top-level value is not reliably the
   * active nozzle (on the H2D it can be the idle one), so only the extruder
   * list counts there; extruder 1 is the left (main) nozzle, 0 the right.
   * Single-nozzle models: the plain fields, else the packed one.
   */
  if (_pd_state_is_dual_nozzle (m->s))
    {
      if (have_extruder_temp[1])
        m->s->nozzle = extruder_temps[1];
      if (have_extruder_temp[0])
        m->s->nozzle_right = extruder_temps[0];
    }
  else if (member (print, "nozzle_temper") != NULL || member (print, "nozzle_target_temper") != NULL)
    merge_temp_pair (m, print, "nozzle_temper", "nozzle_target_temper", NOZZLE_MAX, &m->s->nozzle);
  else if (have_extruder_temp[0])
    m->s->nozzle = extruder_temps[0];

  /* Bed: the plain fields, else the packed ones. */
  if (member (print, "bed_temper") != NULL || member (print, "bed_target_temper") != NULL)
    merge_temp_pair (m, print, "bed_temper", "bed_target_temper", BED_MAX, &m->s->bed);
  else if (device != NULL)
    {
      JsonObject *bed = get_object (m, device, "print.device", "bed");
      JsonObject *bed_info = bed != NULL ? get_object (m, bed, "print.device.bed", "info") : NULL;

      if (bed_info != NULL && unpack_temperature (m, bed_info, "print.device.bed.info", "temp", BED_MAX, &temp))
        m->s->bed = temp;
      else if (unpack_temperature (m, device, "print.device", "bed_temp", BED_MAX, &temp))
        m->s->bed = temp;
    }

  /* Chamber, in rising order of trust within one report: chamber_temper
   * (older firmware; a bare current), print.info.temp (H2S, newer X1),
   * device.ctc (the chamber controller; packed, with its target).
   */
  if (get_number (m, print, "print", "chamber_temper", TEMP_MIN, (double) G_MAXUINT32, &v))
    {
      if (v <= CHAMBER_MAX)
        m->s->chamber.current = v;
      else if (unpack_temperature (m, print, "print", "chamber_temper", CHAMBER_MAX, &temp))
        m->s->chamber = temp;
    }
  if (get_number (m, print, "print", "mc_target_cham", 0, CHAMBER_MAX, &v))
    m->s->chamber.target = v;
  {
    JsonNode *info_node = member (print, "info");

    /* print.info is an object here; the top-level "info" family is not this. */
    if (info_node != NULL && JSON_NODE_HOLDS_OBJECT (info_node) &&
        unpack_temperature (m, json_node_get_object (info_node), "print.info", "temp", CHAMBER_MAX, &temp))
      m->s->chamber = temp;
  }
  if (device != NULL)
    {
      JsonObject *ctc = get_object (m, device, "print.device", "ctc");
      JsonObject *ctc_info = ctc != NULL ? get_object (m, ctc, "print.device.ctc", "info") : NULL;

      if (ctc_info != NULL)
        {
          if (unpack_temperature (m, ctc_info, "print.device.ctc.info", "temp", CHAMBER_MAX, &temp))
            m->s->chamber = temp;
          if (get_number (m, ctc_info, "print.device.ctc.info", "target", 0, CHAMBER_MAX, &v))
            m->s->chamber.target = v;
        }
    }
}

/* Status and job -----------------------------------------------------------*/

static gboolean
parse_gcode_state (const char   *text,
                   PdGcodeState *out)
{
  static const struct
  {
    const char  *name;
    PdGcodeState state;
  } names[] = {
    { "IDLE", PD_GCODE_IDLE },
    { "INIT", PD_GCODE_INIT },
    { "SLICING", PD_GCODE_SLICING },
    { "PREPARE", PD_GCODE_PREPARE },
    { "RUNNING", PD_GCODE_RUNNING },
    { "PAUSE", PD_GCODE_PAUSE },
    { "FINISH", PD_GCODE_FINISH },
    { "FAILED", PD_GCODE_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_ascii_strcasecmp (text, names[i].name) == 0)
        {
          *out = names[i].state;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
gcode_state_is_active (PdGcodeState state)
{
  return state == PD_GCODE_INIT || state == PD_GCODE_SLICING ||
         state == PD_GCODE_PREPARE || state == PD_GCODE_RUNNING ||
         state == PD_GCODE_PAUSE;
}

/* "/data/Metadata/plate_1.gcode" → "plate_1" */
static char *
job_name_from_file (const char *file)
{
  g_autofree char *base = g_path_get_basename (file);
  char            *dot;

  if (g_str_equal (base, ".") || g_str_equal (base, "/"))
    return NULL;
  if ((dot = strrchr (base, '.')) != NULL && dot != base)
    *dot = '\0';

  return g_steal_pointer (&base);
}

static void
merge_job (Merge      *m,
           JsonObject *print)
{
  PdState         *s = m->s;
  g_autofree char *gcode_state = NULL;
  g_autofree char *subtask = NULL;
  g_autofree char *file = NULL;
  JsonObject      *layers3d;
  gboolean         job_start = FALSE;
  guint32          print_error;
  int              v;

  if (get_string (m, print, "print", "gcode_state", &gcode_state))
    {
      PdGcodeState state;

      if (parse_gcode_state (gcode_state, &state))
        s->gcode_state = state;
      else
        merge_warn (m, "print", "gcode_state", _("unknown state \"%s\"; ignored"), gcode_state);
    }

  get_string (m, print, "print", "subtask_name", &subtask);
  get_string (m, print, "print", "gcode_file", &file);

  /* A new job: the printer became busy, or a busy printer names another job. */
  if (gcode_state_is_active (s->gcode_state) && !gcode_state_is_active (m->old->gcode_state))
    job_start = TRUE;
  if (gcode_state_is_active (s->gcode_state) && subtask != NULL && *subtask != '\0' &&
      m->old->job_name != NULL && !g_str_equal (subtask, m->old->job_name))
    job_start = TRUE;
  /* Printers prepare only at the start of a job: back to PREPARE from a
   * print under way is the next job, even of the same name. */
  if (s->gcode_state == PD_GCODE_PREPARE &&
      (m->old->gcode_state == PD_GCODE_RUNNING || m->old->gcode_state == PD_GCODE_PAUSE))
    job_start = TRUE;

  if (job_start)
    {
      s->cancel_seen = FALSE;
      s->progress = PD_UNSET;
      s->layer = PD_UNSET;
      s->total_layers = PD_UNSET;
      s->remaining_minutes = PD_UNSET;
      s->remaining_at = 0;
      s->grams_total = NAN;
      s->grams_used = NAN;
      s->job_generation++;
      /* a file reported before the start belongs to the last job */
      if (file == NULL)
        g_clear_pointer (&s->job_file, g_free);
    }

  if (file != NULL)
    {
      if (*file == '\0')
        g_clear_pointer (&s->job_file, g_free);
      else if (g_strcmp0 (file, s->job_file) != 0)
        {
          g_free (s->job_file);
          s->job_file = g_strdup (file);
        }
    }

  if (subtask != NULL)
    {
      if (*subtask == '\0' && file != NULL && *file != '\0')
        take_string (&s->job_name, job_name_from_file (file));
      else
        take_string (&s->job_name, g_steal_pointer (&subtask));
    }
  else if (file != NULL && *file != '\0' && s->job_name == NULL)
    take_string (&s->job_name, job_name_from_file (file));

  if (get_int (m, print, "print", "mc_percent", 0, 100, &v))
    s->progress = v;

  layers3d = get_object (m, print, "print", "3D");

  if (get_int (m, print, "print", "layer_num", 0, 1000000, &v) ||
      (layers3d != NULL && get_int (m, layers3d, "print.3D", "layer_num", 0, 1000000, &v)))
    s->layer = v;

  /* total_layer_num is 0 at the start of some jobs and reset to 0 by the P1S
   * when a job ends: keep the last positive value of this job.
   */
  if (get_int (m, print, "print", "total_layer_num", 0, 1000000, &v) ||
      (layers3d != NULL && get_int (m, layers3d, "print.3D", "total_layer_num", 0, 1000000, &v)))
    {
      if (v > 0)
        s->total_layers = v;
    }

  /* mc_remaining_time is in minutes. */
  if (get_int (m, print, "print", "mc_remaining_time", 0, 1000000, &v))
    {
      if (v != s->remaining_minutes || s->remaining_at == 0)
        s->remaining_at = m->now;
      s->remaining_minutes = v;
    }

  {
    JsonNode *node = member (print, "print_error");

    if (node != NULL)
      {
        if (node_to_u32 (node, FALSE, &print_error))
          {
            s->print_error = print_error;
            /* A user's cancel shows as FAILED with one of these errors,
             * often for a couple of seconds only: remember it for the
             * rest of the job.
             */
            if (pd_print_error_is_cancel (print_error))
              s->cancel_seen = TRUE;
          }
        else
          merge_warn (m, "print", "print_error", _("expected an error number, got %s; ignored"),
                      node_kind (node));
      }
  }

  if (get_int (m, print, "print", "stg_cur", -1, 255, &v))
    s->stg_cur = v;

  if (s->job_name != NULL || job_start || gcode_state_is_active (s->gcode_state) ||
      s->gcode_state == PD_GCODE_FINISH || s->gcode_state == PD_GCODE_FAILED)
    s->job_seen = TRUE;
}

/* HMS ----------------------------------------------------------------------*/

/* The hms list is complete each time it is sent: it replaces the old one. */
static void
merge_hms (Merge      *m,
           JsonObject *print)
{
  JsonArray *hms = get_array (m, print, "print", "hms", PD_MAX_HMS);
  PdHmsEntry entries[PD_MAX_HMS];
  guint      n = 0;

  if (hms == NULL)
    return;

  for (guint i = 0; i < json_array_get_length (hms); i++)
    {
      JsonNode  *node = json_array_get_element (hms, i);
      JsonNode  *attr_node, *code_node;
      PdHmsEntry e;
      gboolean   duplicate = FALSE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          merge_warn (m, "print", "hms", _("item %u is %s, not an object; ignored"), i, node_kind (node));
          continue;
        }

      attr_node = member (json_node_get_object (node), "attr");
      code_node = member (json_node_get_object (node), "code");
      if (attr_node == NULL || code_node == NULL ||
          !node_to_u32 (attr_node, FALSE, &e.attr) || !node_to_u32 (code_node, FALSE, &e.code))
        {
          merge_warn (m, "print", "hms", _("item %u has no usable attr and code; ignored"), i);
          continue;
        }

      /* Zeros are no entry; a code with no level and a number below 0x4000
       * is a status word, not an error.
       */
      if (e.attr == 0 || e.code == 0 || e.code < 0x4000)
        continue;

      for (guint j = 0; j < n; j++)
        duplicate |= entries[j].attr == e.attr && entries[j].code == e.code;
      if (!duplicate)
        entries[n++] = e;
    }

  qsort (entries, n, sizeof entries[0], (GCompareFunc) pd_hms_entry_compare);
  memcpy (m->s->hms, entries, n * sizeof entries[0]);
  m->s->n_hms = n;
}

/* AMS ----------------------------------------------------------------------*/

static gboolean
get_id (Merge      *m,
        JsonObject *obj,
        const char *where,
        int         max,
        int        *id)
{
  JsonNode *node = member (obj, "id");
  double    v;

  if (node == NULL || !node_to_number (node, NULL, &v) || v != floor (v) || v < 0 || v > max)
    {
      merge_warn (m, where, "id", _("missing or not a number in 0…%d; item ignored"), max);
      return FALSE;
    }

  *id = (int) v;
  return TRUE;
}

static gboolean
hex_is_zero (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (*p != '0')
      return FALSE;

  return TRUE;
}

static void
tray_forget_filament (PdTrayState *tray)
{
  int slot = tray->slot;

  _pd_tray_state_clear (tray);
  _pd_tray_state_init (tray, slot);
  tray->seen = TRUE;
}

static gboolean
parse_color (const char *text,
             guint32    *color)
{
  gsize   len = strlen (text);
  guint64 v;
  char   *end = NULL;

  if (len != 6 && len != 8)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;

  v = g_ascii_strtoull (text, &end, 16);
  *color = len == 6 ? (guint32) (v << 8 | 0xFF) : (guint32) v;
  return TRUE;
}

static void
merge_tray (Merge       *m,
            JsonObject  *obj,
            const char  *where,
            PdTrayState *tray)
{
  g_autoptr (GList) keys = json_object_get_members (obj);
  gboolean          only_id = TRUE;
  char             *text = NULL;
  int               v;

  tray->seen = TRUE;

  /* A tray listed with nothing but its id (and state) is an empty slot. */
  for (const GList *l = keys; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "id") && !g_str_equal (l->data, "state"))
      only_id = FALSE;
  if (only_id)
    {
      tray_forget_filament (tray);
      return;
    }

  if (get_string (m, obj, where, "tray_type", &text))
    {
      /* An explicit empty type: the spool was taken out. */
      if (*text == '\0')
        tray_forget_filament (tray);
      take_string (&tray->material, text);
    }
  if (get_string (m, obj, where, "tray_sub_brands", &text))
    take_string (&tray->sub_brand, text);
  if (get_string (m, obj, where, "tray_info_idx", &text))
    take_string (&tray->info_idx, text);

  if (get_string (m, obj, where, "tray_color", &text))
    {
      guint32 color;

      if (parse_color (text, &color))
        {
          tray->has_color = color != 0; /* 00000000: not set */
          tray->color = color;
        }
      else
        merge_warn (m, where, "tray_color", _("\"%s\" is not an RRGGBBAA colour; ignored"), text);
      g_free (text);
    }

  /* Periodic updates carry empty RFID fields: they must not wipe the tag. */
  if (get_string (m, obj, where, "tag_uid", &text))
    {
      if (*text != '\0')
        tray->rfid_tag = !hex_is_zero (text);
      g_free (text);
    }
  if (get_string (m, obj, where, "tray_uuid", &text))
    {
      if (*text != '\0')
        tray->rfid_uuid = !hex_is_zero (text);
      g_free (text);
    }

  if (get_int (m, obj, where, "remain", -1, 100, &v))
    tray->remain = v < 0 ? PD_UNSET : v;
  if (get_int (m, obj, where, "drying_temp", 0, 200, &v))
    tray->drying_temp = v;
  if (get_int (m, obj, where, "drying_time", 0, 100, &v))
    tray->drying_hours = v;
  if (get_int (m, obj, where, "nozzle_temp_min", 0, 500, &v))
    tray->nozzle_temp_min = v;
  if (get_int (m, obj, where, "nozzle_temp_max", 0, 500, &v))
    tray->nozzle_temp_max = v;
}

static PdAmsUnitState *
find_or_add_unit (Merge      *m,
                  int         id,
                  const char *where)
{
  PdState *s = m->s;
  guint    pos = 0;

  for (; pos < s->n_units; pos++)
    {
      if (s->units[pos].id == id)
        return &s->units[pos];
      if (s->units[pos].id > id)
        break;
    }

  if (s->n_units == PD_MAX_AMS_UNITS)
    {
      merge_fail (m, where, NULL, _("more than %d AMS units"), PD_MAX_AMS_UNITS);
      return NULL;
    }

  memmove (&s->units[pos + 1], &s->units[pos], (s->n_units - pos) * sizeof s->units[0]);
  s->n_units++;
  memset (&s->units[pos], 0, sizeof s->units[pos]);
  s->units[pos].id = id;
  s->units[pos].humidity_raw = PD_UNSET;
  s->units[pos].temperature = NAN;
  s->units[pos].dry_time = PD_UNSET;

  return &s->units[pos];
}

static PdTrayState *
find_or_add_tray (PdTrayState *trays,
                  guint       *n_trays,
                  guint        max,
                  int          slot)
{
  guint pos = 0;

  for (; pos < *n_trays; pos++)
    {
      if (trays[pos].slot == slot)
        return &trays[pos];
      if (trays[pos].slot > slot)
        break;
    }

  if (*n_trays == max)
    return NULL;

  memmove (&trays[pos + 1], &trays[pos], (*n_trays - pos) * sizeof trays[0]);
  (*n_trays)++;
  _pd_tray_state_init (&trays[pos], slot);

  return &trays[pos];
}

static void
remove_unit (PdState *s,
             guint    pos)
{
  for (guint j = 0; j < s->units[pos].n_trays; j++)
    _pd_tray_state_clear (&s->units[pos].trays[j]);
  memmove (&s->units[pos], &s->units[pos + 1], (s->n_units - pos - 1) * sizeof s->units[0]);
  s->n_units--;
}

static void
merge_unit (Merge      *m,
            JsonObject *obj,
            const char *where)
{
  PdAmsUnitState  *unit;
  JsonArray       *trays;
  g_autofree char *text = NULL;
  double           v;
  int              id, i;

  if (!get_id (m, obj, where, 255, &id))
    return;
  if ((unit = find_or_add_unit (m, id, where)) == NULL)
    return;

  if (get_int (m, obj, where, "humidity", 0, 5, &i))
    unit->humidity_index = i;
  /* 0 % is what units without a sensor send */
  if (get_int (m, obj, where, "humidity_raw", 0, 100, &i))
    unit->humidity_raw = i > 0 ? i : PD_UNSET;
  /* 0.0 °C is what units without a sensor send */
  if (get_number (m, obj, where, "temp", -40, 120, &v))
    unit->temperature = v != 0.0 ? v : NAN;
  if (get_int (m, obj, where, "dry_time", 0, 100000, &i))
    unit->dry_time = i;
  if (get_string (m, obj, where, "info", &text))
    {
      guint64   info;
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (node, text);
      if (node_to_hex (node, &info) && info <= G_MAXUINT32)
        {
          unit->has_info = TRUE;
          unit->info = (guint32) info;
        }
      else
        merge_warn (m, where, "info", _("\"%s\" is not a hex bit set; ignored"), text);
      json_node_unref (node);
    }

  trays = get_array (m, obj, where, "tray", PD_MAX_TRAYS);
  if (trays == NULL)
    return;

  for (guint t = 0; t < json_array_get_length (trays); t++)
    {
      JsonNode        *node = json_array_get_element (trays, t);
      g_autofree char *tray_where = g_strdup_printf ("%s.tray[%u]", where, t);
      PdTrayState     *tray;
      int              slot;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          merge_warn (m, where, "tray", _("item %u is %s, not an object; ignored"), t, node_kind (node));
          continue;
        }
      if (!get_id (m, json_node_get_object (node), tray_where, PD_MAX_TRAYS - 1, &slot))
        continue;

      tray = find_or_add_tray (unit->trays, &unit->n_trays, PD_MAX_TRAYS, slot);
      g_assert (tray != NULL); /* slot < PD_MAX_TRAYS, so there is always room */
      merge_tray (m, json_node_get_object (node), tray_where, tray);
    }
}

static void
merge_ams (Merge      *m,
           JsonObject *print)
{
  PdState    *s = m->s;
  JsonObject *ams = get_object (m, print, "print", "ams");
  JsonArray  *units;
  JsonNode   *node;
  guint64     bits;

  if (ams == NULL)
    return;

  units = get_array (m, ams, "print.ams", "ams", PD_MAX_AMS_UNITS);
  for (guint i = 0; units != NULL && i < json_array_get_length (units) && m->error == NULL; i++)
    {
      g_autofree char *where = g_strdup_printf ("print.ams.ams[%u]", i);

      node = json_array_get_element (units, i);
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          merge_warn (m, "print.ams", "ams", _("item %u is %s, not an object; ignored"), i, node_kind (node));
          continue;
        }
      merge_unit (m, json_node_get_object (node), where);
    }

  /* ams_exist_bits: bit n = classic unit n is connected. Only the four
   * classic units are removed on it; the bit of other ids is not certain.
   */
  if ((node = member (ams, "ams_exist_bits")) != NULL)
    {
      if (node_to_hex (node, &bits))
        {
          for (guint i = s->n_units; i > 0; i--)
            {
              int id = s->units[i - 1].id;

              if (id >= 0 && id <= 3 && ((bits >> id) & 1) == 0)
                remove_unit (s, i - 1);
            }
        }
      else
        merge_warn (m, "print.ams", "ams_exist_bits", _("not a hex bit set; ignored"));
    }

  if ((node = member (ams, "tray_exist_bits")) != NULL)
    {
      if (node_to_hex (node, &bits))
        {
          s->has_tray_exist_bits = TRUE;
          s->tray_exist_bits = bits;
        }
      else
        merge_warn (m, "print.ams", "tray_exist_bits", _("not a hex bit set; ignored"));
    }

  if ((node = member (ams, "tray_now")) != NULL)
    {
      double v;

      if (node_to_number (node, NULL, &v) && v == floor (v) && v >= 0 && v <= 255)
        s->tray_now = (int) v;
      else
        merge_warn (m, "print.ams", "tray_now", _("not a slot number; ignored"));
    }

  /* A slot whose bit is clear holds no spool, whatever the tray said. */
  for (guint i = 0; i < s->n_units; i++)
    for (guint t = 0; t < s->units[i].n_trays; t++)
      if (_pd_state_tray_bit_says_empty (s, s->units[i].id, s->units[i].trays[t].slot) &&
          s->units[i].trays[t].material != NULL)
        tray_forget_filament (&s->units[i].trays[t]);
}

/* External spools: H2/X2 list them in vir_slot (254 left/Ext-L, 255 right);
 * older firmware has the single vt_tray. A single-nozzle printer that names
 * its only external spool 255 means the one tray_now calls 254.
 */
static int
external_slot (Merge *m,
               int    id,
               guint  n_listed)
{
  if (id == 255 && n_listed <= 1 && !_pd_state_is_dual_nozzle (m->s))
    return 254;

  return id;
}

static void
merge_external (Merge      *m,
                JsonObject *print)
{
  PdState    *s = m->s;
  JsonArray  *vir_slot = get_array (m, print, "print", "vir_slot", 8);
  JsonObject *vt_tray;

  if (vir_slot != NULL)
    {
      guint    n = json_array_get_length (vir_slot);
      gboolean listed[PD_MAX_EXTERNAL] = {
        FALSE,
      };

      for (guint i = 0; i < n; i++)
        {
          JsonNode        *node = json_array_get_element (vir_slot, i);
          g_autofree char *where = g_strdup_printf ("print.vir_slot[%u]", i);
          PdTrayState     *tray;
          int              id;

          if (!JSON_NODE_HOLDS_OBJECT (node) || !get_id (m, json_node_get_object (node), where, 255, &id))
            continue;
          id = external_slot (m, id, n);
          if (id != 254 && id != 255)
            {
              merge_warn (m, where, "id", _("%d is not an external spool id; ignored"), id);
              continue;
            }
          tray = find_or_add_tray (s->external, &s->n_external, PD_MAX_EXTERNAL, id);
          listed[id - 254] = TRUE;
          merge_tray (m, json_node_get_object (node), where, tray);
        }

      /* vir_slot is the complete list. */
      for (guint i = s->n_external; i > 0; i--)
        {
          PdTrayState *tray = &s->external[i - 1];

          if (!listed[tray->slot - 254])
            {
              _pd_tray_state_clear (tray);
              memmove (tray, tray + 1, (s->n_external - i) * sizeof *tray);
              s->n_external--;
            }
        }
      return;
    }

  vt_tray = get_object (m, print, "print", "vt_tray");
  if (vt_tray != NULL && s->n_external <= 1)
    {
      int id = 254;

      if (member (vt_tray, "id") != NULL && !get_id (m, vt_tray, "print.vt_tray", 255, &id))
        return;
      id = external_slot (m, id, 1);
      if (id != 254 && id != 255)
        {
          merge_warn (m, "print.vt_tray", "id", _("%d is not an external spool id; ignored"), id);
          return;
        }
      merge_tray (m, vt_tray, "print.vt_tray",
                  find_or_add_tray (s->external, &s->n_external, PD_MAX_EXTERNAL, id));
    }
}

/* Everything else ----------------------------------------------------------*/

static void
merge_misc (Merge      *m,
            JsonObject *print)
{
  PdState    *s = m->s;
  JsonNode   *node;
  JsonArray  *lights;
  JsonObject *ipcam;
  double      v;

  if ((node = member (print, "wifi_signal")) != NULL)
    {
      if (node_to_number (node, "dBm", &v) && v >= -127 && v <= 0)
        s->wifi_dbm = (int) lround (v);
      else
        merge_warn (m, "print", "wifi_signal", _("not a signal strength in dBm; ignored"));
    }

  lights = get_array (m, print, "print", "lights_report", MAX_LIST_ITEMS);
  for (guint i = 0; lights != NULL && i < json_array_get_length (lights); i++)
    {
      JsonNode        *item = json_array_get_element (lights, i);
      g_autofree char *node_name = NULL;
      g_autofree char *mode = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      if (!get_string (m, json_node_get_object (item), "print.lights_report", "node", &node_name) ||
          !g_str_equal (node_name, "chamber_light"))
        continue;
      if (!get_string (m, json_node_get_object (item), "print.lights_report", "mode", &mode))
        continue;

      if (g_str_equal (mode, "on") || g_str_equal (mode, "flashing"))
        s->light = PD_TRISTATE_YES;
      else if (g_str_equal (mode, "off"))
        s->light = PD_TRISTATE_NO;
      else
        merge_warn (m, "print.lights_report", "mode", _("unknown mode \"%s\"; ignored"), mode);
    }

  ipcam = get_object (m, print, "print", "ipcam");
  if (ipcam != NULL)
    {
      char *url = NULL;

      if (get_string (m, ipcam, "print.ipcam", "rtsp_url", &url))
        take_string (&s->rtsp_url, url);
    }

  if ((node = member (print, "home_flag")) != NULL)
    {
      guint32 flags;

      if (node_to_u32 (node, TRUE, &flags))
        {
          s->has_home_flag = TRUE;
          s->home_flag = flags;
        }
      else
        merge_warn (m, "print", "home_flag", _("not a bit set; ignored"));
    }

  if ((node = member (print, "stat")) != NULL)
    {
      guint64 stat;

      if (node_to_hex (node, &stat))
        {
          s->has_stat = TRUE;
          s->stat = stat;
        }
      else
        merge_warn (m, "print", "stat", _("not a hex bit set; ignored"));
    }
}

static void
merge_print (Merge      *m,
             JsonObject *print)
{
  JsonObject      *device;
  g_autofree char *command = NULL;

  /* Replies to commands (pause, extrusion_cali_get, …) echo parameters that
   * look like state fields (a requested nozzle_diameter): only push_status
   * frames describe the printer.
   */
  if (get_string (m, print, "print", "command", &command) && !g_str_equal (command, "push_status"))
    return;

  device = get_object (m, print, "print", "device");

  merge_job (m, print);
  merge_temperatures (m, print, device);
  merge_hms (m, print);
  merge_ams (m, print);
  merge_external (m, print);
  merge_misc (m, print);
}

static PdAmsType
ams_type_from_module (const char *name,
                      int        *id)
{
  static const struct
  {
    const char *prefix;
    PdAmsType   type;
  } prefixes[] = {
    { "ams/", PD_AMS_TYPE_AMS },
    { "ams_f1/", PD_AMS_TYPE_AMS_LITE },
    { "n3f/", PD_AMS_TYPE_AMS_2_PRO },
    { "n3s/", PD_AMS_TYPE_AMS_HT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      if (g_str_has_prefix (name, prefixes[i].prefix))
        {
          const char *num = name + strlen (prefixes[i].prefix);
          char       *end = NULL;
          guint64     v = g_ascii_strtoull (num, &end, 10);

          if (end == num || *end != '\0' || v > 255)
            return PD_AMS_TYPE_UNKNOWN;
          *id = (int) v;
          return prefixes[i].type;
        }
    }

  return PD_AMS_TYPE_UNKNOWN;
}

/* The get_version reply: firmware, the model's product name, AMS types. */
static void
merge_info (Merge      *m,
            JsonObject *info)
{
  g_autofree char *command = NULL;
  JsonArray       *modules;

  if (!get_string (m, info, "info", "command", &command) || !g_str_equal (command, "get_version"))
    return;

  modules = get_array (m, info, "info", "module", MAX_LIST_ITEMS);
  for (guint i = 0; modules != NULL && i < json_array_get_length (modules); i++)
    {
      JsonNode        *node = json_array_get_element (modules, i);
      g_autofree char *where = g_strdup_printf ("info.module[%u]", i);
      g_autofree char *name = NULL;
      g_autofree char *product = NULL;
      JsonObject      *module;
      PdAmsType        type;
      int              id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      module = json_node_get_object (node);
      if (!get_string (m, module, where, "name", &name))
        continue;

      if (g_str_equal (name, "ota"))
        {
          char *version = NULL;

          if (get_string (m, module, where, "sw_ver", &version))
            take_string (&m->s->firmware, version);
        }

      if (get_string (m, module, where, "product_name", &product))
        {
          const PdModelInfo *model = pd_model_lookup_product_name (product);

          if (model != NULL)
            take_string (&m->s->model_detected, g_strdup (model->id));
        }

      if ((type = ams_type_from_module (name, &id)) != PD_AMS_TYPE_UNKNOWN)
        m->s->ams_version_types[id] = type;
    }
}

/* Public API ---------------------------------------------------------------*/

typedef enum
{
  SCAN_OK,
  SCAN_TOO_DEEP,
  SCAN_NOT_STRICT,
  SCAN_TRAILING,
  SCAN_BIG_NUMBER,
} ScanResult;

/* Checks the text before json-glib sees it. json-glib 1.6 recurses without
 * a depth limit (a deep enough document overflows the stack), accepts
 * single-quoted strings and comments, silently ignores a second document
 * after the first, and reads integers beyond 64 bits as small numbers of
 * the other sign. None of that is JSON a printer sends, so it is refused
 * here: strings only in double quotes, no comments, one document, integers
 * of at most 18 digits, nesting within @max_depth.
 */
static ScanResult
scan_structure (const char *data,
                gsize       length,
                guint       max_depth)
{
  guint    depth = 0;
  gboolean ended = FALSE; /* the top-level object or list was closed */
  guint    digits = 0;    /* digits of the integer part being read */
  gboolean in_number = FALSE;
  gboolean fraction = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_number)
        {
          if (g_ascii_isdigit (c))
            {
              if (!fraction && ++digits > 18)
                return SCAN_BIG_NUMBER;
              continue;
            }
          if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')
            {
              fraction = TRUE;
              continue;
            }
          in_number = FALSE;
          /* a document that is a plain number ends with it */
          if (depth == 0)
            ended = TRUE;
        }

      if (g_ascii_isspace (c))
        continue;
      if (ended)
        return SCAN_TRAILING;

      switch (c)
        {
        case '"':
          for (i++; i < length && data[i] != '"'; i++)
            if (data[i] == '\\')
              i++;
          /* so does one that is a plain string: json-glib would read what
           * follows and leak it (found by fuzz-report) */
          if (depth == 0)
            ended = TRUE;
          break;

        case '{':
        case '[':
          if (++depth > max_depth)
            return SCAN_TOO_DEEP;
          break;

        case '}':
        case ']':
          if (depth > 0 && --depth == 0)
            ended = TRUE;
          break;

        case '\'':
        case '/':
          return SCAN_NOT_STRICT;

        default:
          if (g_ascii_isdigit (c))
            {
              in_number = TRUE;
              fraction = FALSE;
              digits = 1;
            }
          else if (depth == 0 && g_ascii_isalpha (c))
            {
              /* true, false, null as the whole document */
              while (i + 1 < length && g_ascii_isalpha (data[i + 1]))
                i++;
              ended = TRUE;
            }
          break;
        }
    }

  return SCAN_OK;
}

/**
 * pd_report_parse:
 * @data: the message as received
 * @length: its length, or -1 if nul-terminated
 * @warnings: (nullable) (element-type utf8): where to add notes about what
 *   was repaired
 * @error: return location for an error
 *
 * Parses one MQTT payload. Some firmware (A1 mini 01.07.02) sends bytes that
 * are not UTF-8: they are replaced rather than rejected. A trailing NUL, as
 * some clients send, is ignored.
 *
 * Returns: (transfer full) (nullable): the JSON, or %NULL with @error set
 */
JsonNode *
pd_report_parse (const char *data,
                 gssize      length,
                 GPtrArray  *warnings,
                 GError    **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autofree char       *valid = NULL;
  gboolean               repaired = FALSE;
  gsize                  len;

  g_return_val_if_fail (data != NULL || length <= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (data == NULL)
    data = "";
  len = length < 0 ? strlen (data) : (gsize) length;
  while (len > 0 && data[len - 1] == '\0')
    len--;

  if (len > PD_REPORT_MAX_SIZE)
    {
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_TOO_LARGE,
                   _("The report is %lu bytes, more than the %d a printer sends"),
                   (unsigned long) len, PD_REPORT_MAX_SIZE);
      return NULL;
    }

  if (len > 0 && memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON,
                   _("The report contains a NUL byte"));
      return NULL;
    }

  if (!g_utf8_validate_len (data, len, NULL))
    {
      valid = g_utf8_make_valid (data, len);
      data = valid;
      len = strlen (valid);
      repaired = TRUE;
    }

  switch (scan_structure (data, len, PD_REPORT_MAX_DEPTH))
    {
    case SCAN_TOO_DEEP:
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_TOO_DEEP,
                   _("The report is nested more than %d levels deep"), PD_REPORT_MAX_DEPTH);
      return NULL;
    case SCAN_NOT_STRICT:
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON,
                   _("The report is not valid JSON: it has comments or single quotes"));
      return NULL;
    case SCAN_TRAILING:
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON,
                   _("The report is not valid JSON: there is more after the end"));
      return NULL;
    case SCAN_BIG_NUMBER:
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON,
                   _("The report has a number too large to read"));
      return NULL;
    case SCAN_OK:
    default:
      break;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, error))
    {
      g_prefix_error (error, _("The report is not valid JSON: "));
      if (error != NULL && *error != NULL)
        {
          (*error)->domain = PD_REPORT_ERROR;
          (*error)->code = PD_REPORT_ERROR_INVALID_JSON;
        }
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON,
                   _("The report is empty"));
      return NULL;
    }

  /* Only now, so that a rejected report adds nothing. */
  if (repaired && warnings != NULL)
    g_ptr_array_add (warnings, g_strdup (_("the report is not valid UTF-8; bad bytes were replaced")));

  return json_parser_steal_root (parser);
}

/**
 * pd_report_merge:
 * @state: the printer's state before the report
 * @report: one report, as parsed by pd_report_parse()
 * @now: the time the report arrived, in µs of any monotonic or wall clock
 * @warnings: (nullable) (element-type utf8): where to add what was ignored
 * @error: return location for an error
 *
 * Merges one report into a copy of @state. Fields absent from the report
 * keep their values.
 *
 * Returns: (transfer full) (nullable): the new state, or %NULL with @error set
 *   when the report was rejected (then @state is all there is)
 */
PdState *
pd_report_merge (PdState   *state,
                 JsonNode  *report,
                 gint64     now,
                 GPtrArray *warnings,
                 GError   **error)
{
  g_autoptr (PdState)   s = NULL;
  g_autoptr (GPtrArray) local_warnings = NULL;
  JsonObject           *root;
  JsonObject           *print, *info;
  gboolean              known = FALSE;
  Merge                 m;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (report))
    {
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_NOT_A_REPORT,
                   _("The report is %s, not an object"), node_kind (report));
      return NULL;
    }
  root = json_node_get_object (report);

  for (guint i = 0; i < 9; i++)
    {
      static const char *const families[] = {
        "print",
        "info",
        "system",
        "pushing",
        "mc_print",
        "upgrade",
        "camera",
        "xcam",
        "event",
      };

      known |= json_object_has_member (root, families[i]);
    }
  if (!known)
    {
      g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_NOT_A_REPORT,
                   _("The message has none of the keys a printer report has (print, info, …)"));
      return NULL;
    }

  /* Warnings go to a local list so that a rejected report adds none. */
  local_warnings = g_ptr_array_new_with_free_func (g_free);
  s = pd_state_copy (state);
  m = (Merge){ .s = s, .old = state, .warnings = local_warnings, .now = now };

  if ((print = get_object (&m, root, "report", "print")) != NULL)
    merge_print (&m, print);
  if (m.error == NULL && (info = get_object (&m, root, "report", "info")) != NULL)
    merge_info (&m, info);

  if (m.error != NULL)
    {
      g_propagate_error (error, m.error);
      return NULL;
    }

  s->n_reports++;
  s->last_report_at = now;

  if (warnings != NULL)
    for (guint i = 0; i < local_warnings->len; i++)
      g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (local_warnings, i)));

  return g_steal_pointer (&s);
}
