/* pd-state-cache.c — a printer's last known state, kept across restarts
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pd_state_to_report() writes a state as one report in the printer's own
 * format, such that pd_report_merge() of it into a fresh state with the
 * same identity gives the same state document. So the cache needs no
 * reader of its own: a damaged cache file is bad input like any other, and
 * the parser's limits and checks apply to it.
 *
 * The encoding follows the parser's rules (src/core/pd-report.c), not the
 * firmware's habits: where the parser reads several fields for one value,
 * the one that carries the value exactly is used (the plain float fields
 * for temperatures rather than the packed integers), and each field is
 * written only when the state has a value, because an absent field is what
 * "not reported" means to the parser.
 *
 * What one report cannot carry:
 *  - the filament weights (not from reports: they come from the job's 3MF);
 *  - a job seen earlier while the printer is now idle and names no job: the
 *    parser only counts a job from a busy, finished or failed state or a
 *    name;
 *  - a cancel followed by another error in the same job (the parser learns
 *    of a cancel only from the cancel's print_error);
 *  - the times: of the last report, and of the remaining time's start;
 *  - states no printer produces: a dual-nozzle printer's nozzle in
 *    fractions of a degree (the parser reads them packed, in whole
 *    degrees), AMS types of more than 63 units.
 * pd_state_to_cache() writes these next to the report, under "printdeck",
 * and pd_state_from_cache() puts them back after the merge, so the cache
 * itself restores the state exactly.
 */

#define G_LOG_DOMAIN "pd-state-cache"

#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "pd-report.h"
#include "pd-state-cache.h"

/* print_error of a user's cancel (the parser's pd_print_error_is_cancel()) */
#define PRINT_ERROR_CANCELLED 0x0500400Eu

/* Times in the cache later than now by more than this are not believed. */
#define MAX_CLOCK_DRIFT (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* The parser reads at most 64 modules of a get_version reply. */
#define MAX_MODULES 64

static const char *
gcode_state_name (PdGcodeState state)
{
  switch (state)
    {
    case PD_GCODE_IDLE: return "IDLE";
    case PD_GCODE_INIT: return "INIT";
    case PD_GCODE_SLICING: return "SLICING";
    case PD_GCODE_PREPARE: return "PREPARE";
    case PD_GCODE_RUNNING: return "RUNNING";
    case PD_GCODE_PAUSE: return "PAUSE";
    case PD_GCODE_FINISH: return "FINISH";
    case PD_GCODE_FAILED: return "FAILED";
    case PD_GCODE_UNKNOWN:
    default:
      return NULL;
    }
}

static const char *
ams_module_prefix (PdAmsType type)
{
  switch (type)
    {
    case PD_AMS_TYPE_AMS: return "ams/";
    case PD_AMS_TYPE_AMS_LITE: return "ams_f1/";
    case PD_AMS_TYPE_AMS_2_PRO: return "n3f/";
    case PD_AMS_TYPE_AMS_HT: return "n3s/";
    case PD_AMS_TYPE_UNKNOWN:
    default:
      return NULL;
    }
}

static void
set_int (JsonBuilder *b,
         const char  *key,
         gint64       value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

static void
set_double (JsonBuilder *b,
            const char  *key,
            double       value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_double_value (b, value);
}

static void
set_string (JsonBuilder *b,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
}

static void
set_hex (JsonBuilder *b,
         const char  *key,
         guint64      value)
{
  char text[17];

  g_snprintf (text, sizeof text, "%" G_GINT64_MODIFIER "X", value);
  set_string (b, key, text);
}

/* A heater as H2/X2 firmware packs it (target << 16 | current), which is
 * the only way the parser reads a dual-nozzle printer's nozzles. It holds
 * whole, non-negative degrees only; the parser never stores anything else
 * for these nozzles.
 */
static gboolean
pack_temperature (const PdTemp *temp,
                  gint64       *packed)
{
  if (isnan (temp->current) || isnan (temp->target) ||
      temp->current < 0 || temp->current > 0xFFFF || temp->current != floor (temp->current) ||
      temp->target < 0 || temp->target > 0xFFFF || temp->target != floor (temp->target))
    return FALSE;

  *packed = (gint64) temp->target << 16 | (gint64) temp->current;
  return TRUE;
}

static void
add_tray (JsonBuilder       *b,
          const PdTrayState *tray)
{
  json_builder_begin_object (b);
  set_int (b, "id", tray->slot);

  /* A tray listed with only its id is an empty slot to the parser, which is
   * also what a tray without any of these values is.
   */
  if (tray->material != NULL)
    set_string (b, "tray_type", tray->material);
  if (tray->sub_brand != NULL)
    set_string (b, "tray_sub_brands", tray->sub_brand);
  if (tray->info_idx != NULL)
    set_string (b, "tray_info_idx", tray->info_idx);
  if (tray->has_color)
    {
      char color[9];

      g_snprintf (color, sizeof color, "%08X", tray->color);
      set_string (b, "tray_color", color);
    }
  /* Only whether a tag is there is kept, not the tag. */
  if (tray->rfid_tag)
    set_string (b, "tag_uid", "0000000000000001");
  if (tray->rfid_uuid)
    set_string (b, "tray_uuid", "00000000000000000000000000000001");
  if (tray->remain >= 0)
    set_int (b, "remain", tray->remain);
  if (tray->drying_temp >= 0)
    set_int (b, "drying_temp", tray->drying_temp);
  if (tray->drying_hours >= 0)
    set_int (b, "drying_time", tray->drying_hours);
  if (tray->nozzle_temp_min >= 0)
    set_int (b, "nozzle_temp_min", tray->nozzle_temp_min);
  if (tray->nozzle_temp_max >= 0)
    set_int (b, "nozzle_temp_max", tray->nozzle_temp_max);

  json_builder_end_object (b);
}

static void
add_unit (JsonBuilder          *b,
          const PdAmsUnitState *unit)
{
  json_builder_begin_object (b);
  set_int (b, "id", unit->id);
  if (unit->humidity_index != 0)
    set_int (b, "humidity", unit->humidity_index);
  if (unit->humidity_raw >= 0)
    set_int (b, "humidity_raw", unit->humidity_raw);
  if (!isnan (unit->temperature))
    set_double (b, "temp", unit->temperature);
  if (unit->dry_time >= 0)
    set_int (b, "dry_time", unit->dry_time);
  if (unit->has_info)
    set_hex (b, "info", unit->info);

  json_builder_set_member_name (b, "tray");
  json_builder_begin_array (b);
  for (guint i = 0; i < unit->n_trays; i++)
    add_tray (b, &unit->trays[i]);
  json_builder_end_array (b);

  json_builder_end_object (b);
}

/* Whether the parser will take the printer for a dual-nozzle one while it
 * reads the print part of the report: the info part (and with it the model
 * that get_version named) comes after it, so only the configured model, the
 * serial's prefix and the extruder count of the report itself count then.
 */
static gboolean
restored_as_dual_nozzle (const PdState *state,
                         int            n_extruders)
{
  const PdModelInfo *model = pd_model_lookup (state->model_config);

  if (model == NULL)
    model = pd_model_lookup_serial (state->serial);
  if (model != NULL)
    return model->dual_nozzle;

  return n_extruders >= 2;
}

/* device.extruder: the extruder count, the active one, each one's feed
 * ("snow") and, on dual-nozzle printers, the nozzles' temperatures.
 */
static void
add_extruders (JsonBuilder   *b,
               const PdState *state,
               gboolean       dual)
{
  const PdTemp *temps[PD_MAX_EXTRUDERS] = { &state->nozzle_right, &state->nozzle };
  guint         n_items = 0;

  json_builder_set_member_name (b, "extruder");
  json_builder_begin_object (b);

  /* "state" sets the active extruder whenever it names two or more, so it
   * is written only when the active one is known; the list's length gives
   * the count otherwise.
   */
  if (state->n_extruders >= 2 && state->active_extruder >= 0 && state->active_extruder <= 0xF)
    set_int (b, "state", state->n_extruders | state->active_extruder << 4);

  json_builder_set_member_name (b, "info");
  json_builder_begin_array (b);
  for (int id = 0; id < PD_MAX_EXTRUDERS; id++)
    {
      gint64   packed = 0;
      gboolean has_temp = dual && pack_temperature (temps[id], &packed);

      if (state->extruder_snow[id] < 0 && !has_temp)
        continue;

      json_builder_begin_object (b);
      set_int (b, "id", id);
      if (state->extruder_snow[id] >= 0)
        set_int (b, "snow", state->extruder_snow[id]);
      if (has_temp)
        set_int (b, "temp", packed);
      json_builder_end_object (b);
      n_items++;
    }
  /* The list's length is the extruder count; ids the parser skips (it keeps
   * two extruders) make up the difference when an extruder had nothing to
   * say.
   */
  for (int pad = PD_MAX_EXTRUDERS; n_items < (guint) state->n_extruders; pad++)
    {
      json_builder_begin_object (b);
      set_int (b, "id", pad);
      json_builder_end_object (b);
      n_items++;
    }
  json_builder_end_array (b);

  json_builder_end_object (b);
}

/* The print_error to write. A cancel is remembered for the rest of the job
 * (cancel_seen), but the parser learns it only from a cancel's
 * print_error, and forgets it when a new job starts.
 */
static guint32
print_error_to_write (const PdState *state)
{
  gboolean is_cancel = pd_print_error_is_cancel (state->print_error);

  if (state->cancel_seen && !is_cancel && pd_state_get_print_error (state) == 0)
    return PRINT_ERROR_CANCELLED; /* the error is not shown anyway */
  if (!state->cancel_seen && is_cancel)
    return 0; /* a cancel is never shown as an error */

  return state->print_error;
}

static void
add_print (JsonBuilder   *b,
           const PdState *state)
{
  const char *gcode_state = gcode_state_name (state->gcode_state);
  int         n_extruders = state->n_extruders;
  gboolean    dual = restored_as_dual_nozzle (state, n_extruders);
  guint32     print_error = print_error_to_write (state);

  json_builder_set_member_name (b, "print");
  json_builder_begin_object (b);
  set_string (b, "command", "push_status");

  /* status and job */
  if (gcode_state != NULL)
    set_string (b, "gcode_state", gcode_state);
  if (state->job_name != NULL)
    set_string (b, "subtask_name", state->job_name);
  if (state->job_file != NULL)
    set_string (b, "gcode_file", state->job_file);
  if (state->progress >= 0)
    set_int (b, "mc_percent", state->progress);
  if (state->layer >= 0)
    set_int (b, "layer_num", state->layer);
  if (state->total_layers > 0)
    set_int (b, "total_layer_num", state->total_layers);
  if (state->remaining_minutes >= 0)
    set_int (b, "mc_remaining_time", state->remaining_minutes);
  if (print_error != 0)
    set_int (b, "print_error", print_error);
  if (state->stg_cur != G_MININT)
    set_int (b, "stg_cur", state->stg_cur);

  /* temperatures: single nozzles, bed and chamber as plain floats */
  if (!dual)
    {
      if (!isnan (state->nozzle.current))
        set_double (b, "nozzle_temper", state->nozzle.current);
      if (!isnan (state->nozzle.target))
        set_double (b, "nozzle_target_temper", state->nozzle.target);
    }
  if (!isnan (state->bed.current))
    set_double (b, "bed_temper", state->bed.current);
  if (!isnan (state->bed.target))
    set_double (b, "bed_target_temper", state->bed.target);
  if (!isnan (state->chamber.current))
    set_double (b, "chamber_temper", state->chamber.current);
  if (!isnan (state->chamber.target))
    set_double (b, "mc_target_cham", state->chamber.target);

  if (n_extruders > 0)
    {
      json_builder_set_member_name (b, "device");
      json_builder_begin_object (b);
      add_extruders (b, state, dual);
      json_builder_end_object (b);
    }

  /* HMS: the list replaces the old one, so it is always written. */
  json_builder_set_member_name (b, "hms");
  json_builder_begin_array (b);
  for (guint i = 0; i < state->n_hms; i++)
    {
      json_builder_begin_object (b);
      set_int (b, "attr", state->hms[i].attr);
      set_int (b, "code", state->hms[i].code);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* AMS */
  if (state->n_units > 0 || state->has_tray_exist_bits || state->tray_now >= 0)
    {
      json_builder_set_member_name (b, "ams");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ams");
      json_builder_begin_array (b);
      for (guint i = 0; i < state->n_units; i++)
        add_unit (b, &state->units[i]);
      json_builder_end_array (b);
      if (state->has_tray_exist_bits)
        set_hex (b, "tray_exist_bits", state->tray_exist_bits);
      if (state->tray_now >= 0)
        set_int (b, "tray_now", state->tray_now);
      json_builder_end_object (b);
    }

  /* external spools: vir_slot is the complete list, as on H2/X2 models */
  if (state->n_external > 0)
    {
      json_builder_set_member_name (b, "vir_slot");
      json_builder_begin_array (b);
      for (guint i = 0; i < state->n_external; i++)
        add_tray (b, &state->external[i]);
      json_builder_end_array (b);
    }

  /* everything else */
  if (state->wifi_dbm != 0)
    {
      g_autofree char *dbm = g_strdup_printf ("%ddBm", state->wifi_dbm);

      set_string (b, "wifi_signal", dbm);
    }
  if (state->light != PD_TRISTATE_UNKNOWN)
    {
      json_builder_set_member_name (b, "lights_report");
      json_builder_begin_array (b);
      json_builder_begin_object (b);
      set_string (b, "node", "chamber_light");
      set_string (b, "mode", state->light == PD_TRISTATE_YES ? "on" : "off");
      json_builder_end_object (b);
      json_builder_end_array (b);
    }
  if (state->rtsp_url != NULL)
    {
      json_builder_set_member_name (b, "ipcam");
      json_builder_begin_object (b);
      set_string (b, "rtsp_url", state->rtsp_url);
      json_builder_end_object (b);
    }
  if (state->has_home_flag)
    set_int (b, "home_flag", state->home_flag);
  if (state->has_stat)
    set_hex (b, "stat", state->stat);

  json_builder_end_object (b);
}

/* The get_version part: firmware, the model the printer named, AMS types. */
static void
add_info (JsonBuilder   *b,
          const PdState *state)
{
  const PdModelInfo *detected = pd_model_lookup (state->model_detected);
  guint              n_modules = 0;

  json_builder_set_member_name (b, "info");
  json_builder_begin_object (b);
  set_string (b, "command", "get_version");
  json_builder_set_member_name (b, "module");
  json_builder_begin_array (b);

  if (state->firmware != NULL || detected != NULL)
    {
      json_builder_begin_object (b);
      set_string (b, "name", "ota");
      if (detected != NULL)
        set_string (b, "product_name", detected->product_name);
      if (state->firmware != NULL)
        set_string (b, "sw_ver", state->firmware);
      json_builder_end_object (b);
      n_modules++;
    }

  for (guint id = 0; id < G_N_ELEMENTS (state->ams_version_types); id++)
    {
      const char      *prefix = ams_module_prefix (state->ams_version_types[id]);
      g_autofree char *name = NULL;

      if (prefix == NULL)
        continue;
      /* More would make the parser reject the whole report. No printer has
       * that many units; only a long series of odd reports could.
       */
      if (n_modules == MAX_MODULES)
        break;

      name = g_strdup_printf ("%s%u", prefix, id);
      json_builder_begin_object (b);
      set_string (b, "name", name);
      json_builder_end_object (b);
      n_modules++;
    }

  json_builder_end_array (b);
  json_builder_end_object (b);
}

static gboolean
has_info (const PdState *state)
{
  if (state->firmware != NULL || pd_model_lookup (state->model_detected) != NULL)
    return TRUE;

  for (guint id = 0; id < G_N_ELEMENTS (state->ams_version_types); id++)
    if (state->ams_version_types[id] != PD_AMS_TYPE_UNKNOWN)
      return TRUE;

  return FALSE;
}

/**
 * pd_state_to_report:
 * @state: a printer's state
 *
 * Writes @state as one report in the printer's own JSON format: a
 * push_status "print" part and a get_version "info" part. Merging it with
 * pd_report_merge() into a new state of the same serial, name and
 * configured model gives the same state document (see the top of this file
 * for the little it cannot carry).
 *
 * Only reads @state, so it may run on any thread.
 *
 * Returns: (transfer full): the report
 */
JsonNode *
pd_state_to_report (PdState *state)
{
  g_autoptr (JsonBuilder) b = NULL;

  g_return_val_if_fail (state != NULL, NULL);

  b = json_builder_new ();
  json_builder_begin_object (b);
  add_print (b, state);
  if (has_info (state))
    add_info (b, state);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/**
 * pd_state_to_cache:
 * @state: a printer's state
 *
 * The report of pd_state_to_report(), plus a "printdeck" member with what a
 * report cannot carry: {"last_report_at", "remaining_at"} (µs of the clock
 * the reports were merged with), "job_seen", "cancel_seen", and the
 * filament weights when known. The parser ignores that member.
 *
 * Only reads @state, so it may run on any thread.
 *
 * Returns: (transfer full): the report
 */
JsonNode *
pd_state_to_cache (PdState *state)
{
  JsonNode   *report;
  JsonObject *extra;

  g_return_val_if_fail (state != NULL, NULL);

  report = pd_state_to_report (state);
  extra = json_object_new ();
  json_object_set_int_member (extra, "last_report_at", state->last_report_at);
  json_object_set_int_member (extra, "remaining_at", state->remaining_at);
  json_object_set_boolean_member (extra, "job_seen", state->job_seen);
  json_object_set_boolean_member (extra, "cancel_seen", state->cancel_seen);
  if (!isnan (state->grams_total))
    json_object_set_double_member (extra, "grams_total", state->grams_total);
  if (!isnan (state->grams_used))
    json_object_set_double_member (extra, "grams_used", state->grams_used);
  json_object_set_object_member (json_node_get_object (report), "printdeck", extra);

  return report;
}

static JsonNode *
extra_member (JsonObject *extra,
              const char *key,
              GType       type)
{
  JsonNode *node = extra != NULL ? json_object_get_member (extra, key) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  /* json-glib reads 1.0 as a double and 1 as an integer */
  if (type == G_TYPE_DOUBLE && json_node_get_value_type (node) == G_TYPE_INT64)
    return node;

  return json_node_get_value_type (node) == type ? node : NULL;
}

/* A time from the cache, unless it is later than @now (by more than a
 * clock's drift: a clock set back, a damaged file); then it is not known.
 */
static gint64
extra_time (JsonObject *extra,
            const char *key,
            gint64      now)
{
  JsonNode *node = extra_member (extra, key, G_TYPE_INT64);
  gint64    t = node != NULL ? json_node_get_int (node) : 0;

  return t > 0 && t <= now + MAX_CLOCK_DRIFT ? t : 0;
}

static void
extra_flag (JsonObject *extra,
            const char *key,
            gboolean   *flag)
{
  JsonNode *node = extra_member (extra, key, G_TYPE_BOOLEAN);

  if (node != NULL)
    *flag = json_node_get_boolean (node);
}

static void
extra_grams (JsonObject *extra,
             const char *key,
             double     *grams)
{
  JsonNode *node = extra_member (extra, key, G_TYPE_DOUBLE);
  double    v = node != NULL ? json_node_get_double (node) : NAN;

  if (isfinite (v) && v >= 0 && v < 100000)
    *grams = v;
}

/**
 * pd_state_from_cache:
 * @state: a state with the printer's identity and nothing reported yet
 * @report: a report of pd_state_to_cache(), as read back by
 *   pd_report_parse()
 * @now: the current time, on the clock of the cached times (µs); times
 *   later than that (by more than an hour) are not believed
 * @error: return location for a %PD_REPORT_ERROR
 *
 * Merges @report into @state like a live report, then puts back what the
 * report alone cannot carry. A damaged cache fails like a bad report.
 *
 * Returns: (transfer full) (nullable): the restored state
 */
PdState *
pd_state_from_cache (PdState  *state,
                     JsonNode *report,
                     gint64    now,
                     GError  **error)
{
  g_autoptr (PdState) merged = NULL;
  PdState            *restored;
  JsonObject         *extra = NULL;
  JsonNode           *node;
  gint64              remaining_at;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (report) &&
      (node = json_object_get_member (json_node_get_object (report), "printdeck")) != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED,
                       _("The cached state is damaged: its “printdeck” member is not an object"));
          return NULL;
        }
      extra = json_node_get_object (node);
    }

  merged = pd_report_merge (state, report, extra_time (extra, "last_report_at", now), NULL, error);
  if (merged == NULL)
    return NULL;

  restored = pd_state_copy (merged);
  remaining_at = extra_time (extra, "remaining_at", now);
  if (restored->remaining_minutes >= 0 && remaining_at > 0)
    restored->remaining_at = remaining_at;
  extra_flag (extra, "job_seen", &restored->job_seen);
  extra_flag (extra, "cancel_seen", &restored->cancel_seen);
  extra_grams (extra, "grams_total", &restored->grams_total);
  extra_grams (extra, "grams_used", &restored->grams_used);

  return restored;
}
