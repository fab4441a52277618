/* pd-state.c — the merged state of one printer, and its JSON document
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-state"

#include "config.h"

#include <math.h>
#include <string.h>

#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-json.h"
#include "pd-state-private.h"

G_DEFINE_BOXED_TYPE (PdState, pd_state, pd_state_ref, pd_state_unref)

/* print_error values that mean "the user cancelled the job" (protocol notes §3.4) */
#define PRINT_ERROR_TASK_CANCELLED     0x0300400Cu
#define PRINT_ERROR_PRINTING_CANCELLED 0x0500400Eu

void
_pd_tray_state_init (PdTrayState *tray,
                     int          slot)
{
  memset (tray, 0, sizeof *tray);
  tray->slot = slot;
  tray->remain = PD_UNSET;
  tray->drying_temp = PD_UNSET;
  tray->drying_hours = PD_UNSET;
  tray->nozzle_temp_min = PD_UNSET;
  tray->nozzle_temp_max = PD_UNSET;
}

void
_pd_tray_state_clear (PdTrayState *tray)
{
  g_clear_pointer (&tray->material, g_free);
  g_clear_pointer (&tray->sub_brand, g_free);
  g_clear_pointer (&tray->info_idx, g_free);
}

static void
tray_copy_strings (PdTrayState *tray)
{
  tray->material = g_strdup (tray->material);
  tray->sub_brand = g_strdup (tray->sub_brand);
  tray->info_idx = g_strdup (tray->info_idx);
}

/* States are about 10 kB (room for every AMS unit a printer can have) and a
 * new one is made for each report while the last one is freed. A request
 * that large makes malloc consolidate its small free chunks first, every
 * time: that was a tenth of a printing fleet's CPU. So a few freed states
 * are kept for the next ones. Not under AddressSanitizer, which should see
 * every state freed.
 */
#if defined(__SANITIZE_ADDRESS__)
#define STATE_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STATE_POOL 0
#endif
#endif
#ifndef STATE_POOL
#define STATE_POOL 16
#endif

#if STATE_POOL > 0
static GMutex   pool_lock;
static PdState *pool[STATE_POOL];
static guint    pool_length;
#endif

static PdState *
state_alloc (void)
{
  PdState *state = NULL;

#if STATE_POOL > 0
  g_mutex_lock (&pool_lock);
  if (pool_length > 0)
    state = pool[--pool_length];
  g_mutex_unlock (&pool_lock);
#endif
  if (state == NULL)
    state = g_malloc (sizeof *state);

  return state;
}

static void
state_release (PdState *state)
{
#if STATE_POOL > 0
  g_mutex_lock (&pool_lock);
  if (pool_length < STATE_POOL)
    pool[pool_length++] = g_steal_pointer (&state);
  g_mutex_unlock (&pool_lock);
#endif
  g_free (state);
}

static void
state_free (PdState *state)
{
  g_clear_pointer (&state->doc, json_node_unref);
  for (guint i = 0; i < G_N_ELEMENTS (state->sections); i++)
    g_clear_pointer (&state->sections[i], json_node_unref);
  g_free (state->serial);
  g_free (state->name);
  g_free (state->model_config);
  g_free (state->model_detected);
  g_free (state->job_name);
  g_free (state->job_file);
  g_free (state->rtsp_url);
  g_free (state->firmware);
  for (guint i = 0; i < state->n_units; i++)
    for (guint j = 0; j < state->units[i].n_trays; j++)
      _pd_tray_state_clear (&state->units[i].trays[j]);
  for (guint i = 0; i < state->n_external; i++)
    _pd_tray_state_clear (&state->external[i]);
  state_release (state);
}

/**
 * pd_state_new:
 * @serial: (nullable): the printer's serial number
 *
 * Returns: (transfer full): the state of a printer that has not reported yet
 */
PdState *
pd_state_new (const char *serial)
{
  PdState *state = state_alloc ();

  memset (state, 0, sizeof *state);
  g_atomic_ref_count_init (&state->ref_count);

  state->serial = g_strdup (serial);
  state->connection = PD_CONNECTION_NONE;
  state->stg_cur = G_MININT;
  state->nozzle = (PdTemp){ NAN, NAN };
  state->nozzle_right = (PdTemp){ NAN, NAN };
  state->bed = (PdTemp){ NAN, NAN };
  state->chamber = (PdTemp){ NAN, NAN };
  state->active_extruder = PD_UNSET;
  for (guint i = 0; i < PD_MAX_EXTRUDERS; i++)
    state->extruder_snow[i] = PD_UNSET;
  state->progress = PD_UNSET;
  state->layer = PD_UNSET;
  state->total_layers = PD_UNSET;
  state->remaining_minutes = PD_UNSET;
  state->grams_total = NAN;
  state->grams_used = NAN;
  state->tray_now = PD_UNSET;

  return state;
}

PdState *
pd_state_ref (PdState *state)
{
  g_return_val_if_fail (state != NULL, NULL);

  g_atomic_ref_count_inc (&state->ref_count);

  return state;
}

void
pd_state_unref (PdState *state)
{
  g_return_if_fail (state != NULL);

  if (g_atomic_ref_count_dec (&state->ref_count))
    state_free (state);
}

/**
 * pd_state_copy:
 * @state: a state
 *
 * Returns: (transfer full): a deep, unshared copy of @state, to be changed
 *   before it is published
 */
PdState *
pd_state_copy (const PdState *state)
{
  PdState *copy;

  g_return_val_if_fail (state != NULL, NULL);

  copy = state_alloc ();
  memcpy (copy, state, sizeof *copy);
  g_atomic_ref_count_init (&copy->ref_count);
  copy->doc = NULL;
  memset (copy->sections, 0, sizeof copy->sections);
  copy->serial = g_strdup (state->serial);
  copy->name = g_strdup (state->name);
  copy->model_config = g_strdup (state->model_config);
  copy->model_detected = g_strdup (state->model_detected);
  copy->job_name = g_strdup (state->job_name);
  copy->job_file = g_strdup (state->job_file);
  copy->rtsp_url = g_strdup (state->rtsp_url);
  copy->firmware = g_strdup (state->firmware);
  for (guint i = 0; i < copy->n_units; i++)
    for (guint j = 0; j < copy->units[i].n_trays; j++)
      tray_copy_strings (&copy->units[i].trays[j]);
  for (guint i = 0; i < copy->n_external; i++)
    tray_copy_strings (&copy->external[i]);

  return copy;
}

/**
 * pd_state_with_identity:
 * @state: a state
 * @name: (nullable): the name the user gave the printer
 * @model: (nullable): the model the user chose, or %NULL to detect it
 *
 * Returns: (transfer full): @state with a new name and configured model
 */
PdState *
pd_state_with_identity (PdState    *state,
                        const char *name,
                        const char *model)
{
  PdState *copy;

  g_return_val_if_fail (state != NULL, NULL);

  copy = pd_state_copy (state);
  g_free (copy->name);
  copy->name = g_strdup (name);
  g_free (copy->model_config);
  copy->model_config = g_strdup (model);

  return copy;
}

/**
 * pd_state_with_connection:
 * @state: a state
 * @connection: the session's connection state
 *
 * Returns: (transfer full): @state with @connection
 */
PdState *
pd_state_with_connection (PdState     *state,
                          PdConnection connection)
{
  PdState *copy;

  g_return_val_if_fail (state != NULL, NULL);

  if (state->connection == connection)
    return pd_state_ref (state);

  copy = pd_state_copy (state);
  copy->connection = connection;

  return copy;
}

/* Accessors ----------------------------------------------------------------*/

/**
 * pd_state_get_model:
 * @state: a state
 *
 * The model the user chose, else the one the printer named in get_version,
 * else the one its serial number's prefix stands for.
 *
 * Returns: (nullable): the model, or %NULL when it is not known
 */
const PdModelInfo *
pd_state_get_model (const PdState *state)
{
  const PdModelInfo *model;

  g_return_val_if_fail (state != NULL, NULL);

  if ((model = pd_model_lookup (state->model_config)) != NULL)
    return model;
  if ((model = pd_model_lookup (state->model_detected)) != NULL)
    return model;

  return pd_model_lookup_serial (state->serial);
}

PdStatus
pd_state_get_status (const PdState *state)
{
  g_return_val_if_fail (state != NULL, PD_STATUS_UNKNOWN);

  if (state->connection == PD_CONNECTION_DISCONNECTED)
    return PD_STATUS_OFFLINE;

  switch (state->gcode_state)
    {
    case PD_GCODE_IDLE: return PD_STATUS_IDLE;
    case PD_GCODE_INIT:
    case PD_GCODE_SLICING:
    case PD_GCODE_PREPARE: return PD_STATUS_PREPARING;
    case PD_GCODE_RUNNING: return PD_STATUS_PRINTING;
    case PD_GCODE_PAUSE: return PD_STATUS_PAUSED;
    case PD_GCODE_FINISH: return PD_STATUS_FINISHED;
    case PD_GCODE_FAILED:
      return state->cancel_seen ? PD_STATUS_CANCELLED : PD_STATUS_FAILED;
    case PD_GCODE_UNKNOWN:
    default:
      return PD_STATUS_UNKNOWN;
    }
}

static gboolean
gcode_state_is_busy (PdGcodeState gcode_state)
{
  return gcode_state == PD_GCODE_PREPARE ||
         gcode_state == PD_GCODE_SLICING ||
         gcode_state == PD_GCODE_INIT ||
         gcode_state == PD_GCODE_RUNNING ||
         gcode_state == PD_GCODE_PAUSE;
}

/**
 * pd_state_get_stage_id:
 * @state: a state
 *
 * A1/P1 firmware reports stage 0 ("printing") while idle, so the stage is
 * only trusted while the printer says it is busy.
 *
 * Returns: the current stage id, or -1 when there is none to show
 */
int
pd_state_get_stage_id (const PdState *state)
{
  g_return_val_if_fail (state != NULL, -1);

  if (!gcode_state_is_busy (state->gcode_state))
    return -1;
  if (state->stg_cur < 0 || state->stg_cur == 255)
    return -1;

  return state->stg_cur;
}

gboolean
_pd_state_is_dual_nozzle (const PdState *state)
{
  const PdModelInfo *model = pd_state_get_model (state);

  if (model != NULL)
    return model->dual_nozzle;

  return state->n_extruders >= 2;
}

/**
 * pd_state_get_nozzle_right:
 * @state: a state
 * @temp: (out): the right (auxiliary) nozzle's temperature
 *
 * Returns: %TRUE if the printer has a second nozzle
 */
gboolean
pd_state_get_nozzle_right (const PdState *state,
                           PdTemp        *temp)
{
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (temp != NULL, FALSE);

  if (!_pd_state_is_dual_nozzle (state))
    return FALSE;

  *temp = state->nozzle_right;
  return TRUE;
}

/**
 * pd_state_get_chamber:
 * @state: a state
 * @temp: (out): the chamber temperature
 *
 * P1P, P1S, A1 and A1 mini have no chamber sensor and report a meaningless
 * value (5 °C); models without a chamber heater have no target. For a model
 * that is not known, a chamber value is believed only when it came from the
 * newer firmware's chamber fields.
 *
 * Returns: %TRUE if the printer has a chamber temperature sensor
 */
gboolean
pd_state_get_chamber (const PdState *state,
                      PdTemp        *temp)
{
  const PdModelInfo *model;

  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (temp != NULL, FALSE);

  model = pd_state_get_model (state);
  if (model == NULL || !model->chamber_sensor)
    return FALSE;

  temp->current = state->chamber.current;
  temp->target = model->chamber_heater ? state->chamber.target : NAN;
  return TRUE;
}

int
pd_state_get_total_layers (const PdState *state)
{
  g_return_val_if_fail (state != NULL, PD_UNSET);

  return state->total_layers > 0 ? state->total_layers : PD_UNSET;
}

/**
 * pd_state_get_finish_time:
 * @state: a state
 *
 * Returns: when the job should end, in µs of the clock the reports were
 *   merged with, or 0 when not known
 */
gint64
pd_state_get_finish_time (const PdState *state)
{
  g_return_val_if_fail (state != NULL, 0);

  if (state->remaining_minutes < 0 || state->remaining_at == 0)
    return 0;

  return state->remaining_at + (gint64) state->remaining_minutes * 60 * G_USEC_PER_SEC;
}

PdSeverity
pd_hms_entry_get_severity (const PdHmsEntry *entry)
{
  g_return_val_if_fail (entry != NULL, PD_SEVERITY_NONE);

  /* The level is the high half of the code: 1 fatal … 4 info. Codes with
   * another level are rare (two in Bambu's table); they count as common so
   * they are neither hidden nor alarming.
   */
  switch (entry->code >> 16)
    {
    case 1: return PD_SEVERITY_FATAL;
    case 2: return PD_SEVERITY_SERIOUS;
    case 3: return PD_SEVERITY_COMMON;
    case 4: return PD_SEVERITY_INFO;
    default: return PD_SEVERITY_COMMON;
    }
}

/**
 * pd_hms_entry_compare:
 * @a: an HMS entry
 * @b: another
 *
 * The order HMS entries are listed in: most severe first, then by code.
 */
int
pd_hms_entry_compare (const PdHmsEntry *a,
                      const PdHmsEntry *b)
{
  PdSeverity sa = pd_hms_entry_get_severity (a);
  PdSeverity sb = pd_hms_entry_get_severity (b);

  if (sa != sb)
    return sa > sb ? -1 : 1;
  if (a->attr != b->attr)
    return a->attr < b->attr ? -1 : 1;
  if (a->code != b->code)
    return a->code < b->code ? -1 : 1;

  return 0;
}

/**
 * pd_hms_entry_format_code:
 * @entry: an HMS entry
 *
 * Returns: (transfer full): the code as Bambu's apps show it, "0300_0100_0001_0007"
 */
char *
pd_hms_entry_format_code (const PdHmsEntry *entry)
{
  g_return_val_if_fail (entry != NULL, NULL);

  return g_strdup_printf ("%04X_%04X_%04X_%04X",
                          entry->attr >> 16, entry->attr & 0xFFFF,
                          entry->code >> 16, entry->code & 0xFFFF);
}

/**
 * pd_print_error_format_code:
 * @print_error: a print_error value
 *
 * Returns: (transfer full): "0500_400E"
 */
char *
pd_print_error_format_code (guint32 print_error)
{
  return g_strdup_printf ("%04X_%04X", print_error >> 16, print_error & 0xFFFF);
}

gboolean
pd_print_error_is_cancel (guint32 print_error)
{
  return print_error == PRINT_ERROR_TASK_CANCELLED ||
         print_error == PRINT_ERROR_PRINTING_CANCELLED;
}

PdSeverity
pd_state_get_hms_level (const PdState *state)
{
  PdSeverity level = PD_SEVERITY_NONE;

  g_return_val_if_fail (state != NULL, PD_SEVERITY_NONE);

  for (guint i = 0; i < state->n_hms; i++)
    level = MAX (level, pd_hms_entry_get_severity (&state->hms[i]));

  return level;
}

/**
 * pd_state_get_print_error:
 * @state: a state
 *
 * print_error lingers after the problem is gone on some firmware, values
 * below 0x4000 are status words, and a cancel is shown by the status
 * (cancelled) rather than as an error. So the error is only shown while the
 * printer is paused or has failed.
 *
 * Returns: the print error to show, or 0 for none
 */
guint32
pd_state_get_print_error (const PdState *state)
{
  g_return_val_if_fail (state != NULL, 0);

  if (state->print_error == 0 ||
      (state->print_error & 0xFFFF) < 0x4000 ||
      pd_print_error_is_cancel (state->print_error))
    return 0;
  if (state->gcode_state != PD_GCODE_PAUSE && state->gcode_state != PD_GCODE_FAILED)
    return 0;

  return state->print_error;
}

/**
 * pd_state_get_unit_type:
 * @state: a state
 * @unit: one of @state's AMS units
 *
 * The unit's "info" bits name its type on current firmware; otherwise the
 * get_version module name does; otherwise AMS HT ids are 128–135 and A1
 * models carry an AMS lite.
 */
PdAmsType
pd_state_get_unit_type (const PdState        *state,
                        const PdAmsUnitState *unit)
{
  const PdModelInfo *model;

  g_return_val_if_fail (state != NULL, PD_AMS_TYPE_UNKNOWN);
  g_return_val_if_fail (unit != NULL, PD_AMS_TYPE_UNKNOWN);

  if (unit->has_info)
    {
      switch (unit->info & 0xF)
        {
        case 1: return PD_AMS_TYPE_AMS;
        case 2: return PD_AMS_TYPE_AMS_LITE;
        case 3: return PD_AMS_TYPE_AMS_2_PRO;
        case 4: return PD_AMS_TYPE_AMS_HT;
        default: break;
        }
    }

  if (unit->id >= 0 && unit->id < 256 && state->ams_version_types[unit->id] != PD_AMS_TYPE_UNKNOWN)
    return state->ams_version_types[unit->id];

  if (unit->id >= 128 && unit->id <= 135)
    return PD_AMS_TYPE_AMS_HT;

  model = pd_state_get_model (state);
  if (model != NULL && model->ams_lite_default)
    return PD_AMS_TYPE_AMS_LITE;
  if (unit->id == 16)
    return PD_AMS_TYPE_AMS_LITE;

  return PD_AMS_TYPE_AMS;
}

/**
 * pd_state_get_humidity_level:
 * @unit: an AMS unit
 *
 * Returns: the humidity level as Bambu's apps show it, 1 (dry) … 5 (wet),
 *   or -1 when not known. On the wire the index runs the other way.
 */
int
pd_state_get_humidity_level (const PdAmsUnitState *unit)
{
  g_return_val_if_fail (unit != NULL, PD_UNSET);

  if (unit->humidity_index < 1 || unit->humidity_index > 5)
    return PD_UNSET;

  return 6 - unit->humidity_index;
}

/**
 * pd_state_get_unit_drying:
 * @unit: an AMS unit
 * @active: (out): whether the unit is drying now
 * @remaining_minutes: (out): minutes of drying left, 0 when not drying
 *
 * Units that report "info" say where their drying cycle is in bits 4–7
 * (0 off, 1 checking, 2 drying, 3 cooling, 4 stopping, 5 error, …); that is
 * the firmware's own state and wins over dry_time, the minutes left, which
 * is all that older firmware reports. The drying temperature is not
 * reported at all.
 *
 * Returns: %TRUE if the unit reports its drying state at all
 */
gboolean
pd_state_get_unit_drying (const PdAmsUnitState *unit,
                          gboolean             *active,
                          int                  *remaining_minutes)
{
  gboolean drying;

  g_return_val_if_fail (unit != NULL, FALSE);

  if (unit->dry_time < 0)
    return FALSE;

  if (unit->has_info)
    {
      guint dry_status = (unit->info >> 4) & 0xF;

      drying = dry_status >= 1 && dry_status <= 4;
    }
  else
    drying = unit->dry_time > 0;

  if (active != NULL)
    *active = drying;
  if (remaining_minutes != NULL)
    *remaining_minutes = drying ? unit->dry_time : 0;

  return TRUE;
}

/* Bit of a slot in tray_exist_bits: ams_id·4 + slot for the four classic
 * units, 16 + (id − 128) for AMS HT, 24 + slot for the A2L's AMS lite (id 16).
 */
static int
tray_exist_bit (int unit_id,
                int slot)
{
  if (unit_id >= 0 && unit_id <= 3 && slot >= 0 && slot <= 3)
    return unit_id * 4 + slot;
  if (unit_id >= 128 && unit_id <= 135 && slot == 0)
    return 16 + (unit_id - 128);
  if (unit_id == 16 && slot >= 0 && slot <= 3)
    return 24 + slot;

  return -1;
}

gboolean
pd_state_get_tray_present (const PdState        *state,
                           const PdAmsUnitState *unit,
                           const PdTrayState    *tray)
{
  int bit;

  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (tray != NULL, FALSE);

  if (unit != NULL && state->has_tray_exist_bits &&
      (bit = tray_exist_bit (unit->id, tray->slot)) >= 0)
    return (state->tray_exist_bits >> bit) & 1;

  return tray->material != NULL;
}

gboolean
_pd_state_tray_bit_says_empty (const PdState *state,
                               int            unit_id,
                               int            slot)
{
  int bit = tray_exist_bit (unit_id, slot);

  return state->has_tray_exist_bits && bit >= 0 &&
         ((state->tray_exist_bits >> bit) & 1) == 0;
}

/**
 * pd_state_get_tray_remaining:
 * @tray: a tray
 *
 * Only spools with a Bambu RFID tag are tracked; the firmware reports 100 or
 * 0 for the others, which would be a made-up number.
 *
 * Returns: the percentage left, or -1 when not known
 */
int
pd_state_get_tray_remaining (const PdTrayState *tray)
{
  g_return_val_if_fail (tray != NULL, PD_UNSET);

  if (tray->material == NULL || !(tray->rfid_tag || tray->rfid_uuid) || tray->remain < 0)
    return PD_UNSET;

  return tray->remain;
}

/**
 * pd_state_get_active_slot:
 * @state: a state
 * @unit: (out): the AMS unit id, or -1 for an external spool
 * @slot: (out): the slot in the unit, or 254/255 for an external spool
 *
 * Newer firmware names the loaded tray per extruder ("snow": unit << 8 |
 * slot), which is the only reliable source on dual-nozzle printers; older
 * firmware has the global tray_now (unit·4 + slot, 254 external, 255 none).
 *
 * Returns: %TRUE if a filament is loaded
 */
gboolean
pd_state_get_active_slot (const PdState *state,
                          int           *unit,
                          int           *slot)
{
  int extruder = 0;
  int snow;

  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (unit != NULL && slot != NULL, FALSE);

  if (state->n_extruders >= 2 && state->active_extruder >= 0 &&
      state->active_extruder < PD_MAX_EXTRUDERS)
    extruder = state->active_extruder;

  snow = state->extruder_snow[extruder];
  if (snow >= 0)
    {
      int hi = (snow >> 8) & 0xFF;
      int lo = snow & 0xFF;

      if (hi == 0xFF || snow == 0xFFFF)
        return FALSE;
      if (hi == 0xFE)
        {
          /* Extruder 0 is the right one on dual-nozzle models: Ext-R is 255. */
          *unit = -1;
          *slot = (state->n_extruders >= 2 && extruder == 0) ? 255 : 254;
          return TRUE;
        }
      *unit = hi;
      *slot = hi >= 128 ? 0 : lo & 0x3;
      return TRUE;
    }

  if (state->tray_now < 0 || state->tray_now == 255)
    return FALSE;
  if (state->tray_now == 254)
    {
      *unit = -1;
      *slot = 254;
      return TRUE;
    }
  if (state->tray_now >= 128 && state->tray_now <= 135)
    {
      *unit = state->tray_now;
      *slot = 0;
      return TRUE;
    }
  if (state->tray_now < 16)
    {
      *unit = state->tray_now / 4;
      *slot = state->tray_now % 4;
      return TRUE;
    }

  return FALSE;
}

PdCameraKind
pd_state_get_camera_kind (const PdState *state)
{
  const PdModelInfo *model;

  g_return_val_if_fail (state != NULL, PD_CAMERA_KIND_UNKNOWN);

  if ((model = pd_state_get_model (state)) != NULL)
    return model->camera;
  if (state->rtsp_url != NULL)
    return PD_CAMERA_KIND_RTSPS;

  return PD_CAMERA_KIND_UNKNOWN;
}

/**
 * pd_state_get_door_open:
 * @state: a state
 *
 * Bit 23 of home_flag on the X1 family, of stat on newer models; P1 and A1
 * models have no door sensor.
 */
PdTristate
pd_state_get_door_open (const PdState *state)
{
  const PdModelInfo *model;
  gboolean           open;

  g_return_val_if_fail (state != NULL, PD_TRISTATE_UNKNOWN);

  model = pd_state_get_model (state);
  if (model != NULL && !model->door_sensor)
    return PD_TRISTATE_UNKNOWN;

  if (model != NULL && model->door_in_home_flag)
    {
      if (!state->has_home_flag)
        return PD_TRISTATE_UNKNOWN;
      open = (state->home_flag & 0x00800000) != 0;
    }
  else
    {
      if (!state->has_stat)
        return PD_TRISTATE_UNKNOWN;
      open = (state->stat & 0x00800000) != 0;
    }

  return open ? PD_TRISTATE_YES : PD_TRISTATE_NO;
}

/**
 * pd_state_get_sd_card:
 * @state: a state
 *
 * Whether the printer has its SD card (or USB stick) in: bit 8 of home_flag
 * (reference/protocol.md). Some firmware sends 0 for a home_flag it does not
 * fill, which says nothing.
 */
PdTristate
pd_state_get_sd_card (const PdState *state)
{
  g_return_val_if_fail (state != NULL, PD_TRISTATE_UNKNOWN);

  if (!state->has_home_flag || state->home_flag == 0)
    return PD_TRISTATE_UNKNOWN;

  return (state->home_flag & 0x00000100) != 0 ? PD_TRISTATE_YES : PD_TRISTATE_NO;
}

/* The document -------------------------------------------------------------*/

static void
add_double (JsonBuilder *b,
            const char  *key,
            double       value)
{
  json_builder_set_member_name (b, key);
  if (isnan (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, value);
}

static void
add_int (JsonBuilder *b,
         const char  *key,
         gint64       value,
         gboolean     is_set)
{
  json_builder_set_member_name (b, key);
  if (is_set)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_string (JsonBuilder *b,
            const char  *key,
            const char  *value)
{
  json_builder_set_member_name (b, key);
  if (value == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, value);
}

/**
 * pd_tray_state_format_color:
 * @tray: a tray
 *
 * Returns: (transfer full) (nullable): "#RRGGBBAA", or %NULL when not set
 */
char *
pd_tray_state_format_color (const PdTrayState *tray)
{
  if (!tray->has_color)
    return NULL;

  return g_strdup_printf ("#%08X", tray->color);
}

/**
 * pd_tray_state_get_display_name:
 * @tray: a tray
 *
 * The filament's name as Bambu Studio shows it: the sub-brand ("PLA Matte")
 * when the spool names one, else the preset's name for Bambu's own ids.
 *
 * Returns: (nullable): the name, or %NULL when not known
 */
const char *
pd_tray_state_get_display_name (const PdTrayState *tray)
{
  static const struct
  {
    const char *idx;
    const char *name;
  } presets[] = {
    { "GFL99", "Generic PLA" },
    { "GFL95", "Generic PLA High Speed" },
    { "GFL96", "Generic PLA Silk" },
    { "GFL98", "Generic PLA-CF" },
    { "GFG99", "Generic PETG" },
    { "GFG98", "Generic PETG-CF" },
    { "GFG97", "Generic PCTG" },
    { "GFB99", "Generic ABS" },
    { "GFB98", "Generic ASA" },
    { "GFU99", "Generic TPU" },
    { "GFN99", "Generic PA" },
    { "GFN98", "Generic PA-CF" },
    { "GFC99", "Generic PC" },
    { "GFS99", "Generic PVA" },
    { "GFP99", "Generic PE" },
    { "GFA00", "Bambu PLA Basic" },
    { "GFA01", "Bambu PLA Matte" },
    { "GFA02", "Bambu PLA Metal" },
    { "GFA05", "Bambu PLA Silk" },
    { "GFA06", "Bambu PLA Silk+" },
    { "GFA07", "Bambu PLA Marble" },
    { "GFA08", "Bambu PLA Sparkle" },
    { "GFA09", "Bambu PLA Tough" },
    { "GFA11", "Bambu PLA Aero" },
    { "GFA12", "Bambu PLA Glow" },
    { "GFA13", "Bambu PLA Dynamic" },
    { "GFA15", "Bambu PLA Galaxy" },
    { "GFA16", "Bambu PLA Wood" },
    { "GFA50", "Bambu PLA-CF" },
    { "GFB00", "Bambu ABS" },
    { "GFB01", "Bambu ASA" },
    { "GFB50", "Bambu ABS-GF" },
    { "GFC00", "Bambu PC" },
    { "GFG00", "Bambu PETG Basic" },
    { "GFG01", "Bambu PETG Translucent" },
    { "GFG02", "Bambu PETG HF" },
    { "GFG50", "Bambu PETG-CF" },
    { "GFN03", "Bambu PA-CF" },
    { "GFN04", "Bambu PAHT-CF" },
    { "GFN05", "Bambu PA6-CF" },
    { "GFN08", "Bambu PA6-GF" },
    { "GFS00", "Bambu Support W" },
    { "GFS01", "Bambu Support G" },
    { "GFS02", "Bambu Support For PLA" },
    { "GFS04", "Bambu PVA" },
    { "GFU01", "Bambu TPU 95A" },
  };

  if (tray->sub_brand != NULL)
    return tray->sub_brand;
  if (tray->info_idx == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_str_equal (presets[i].idx, tray->info_idx))
      return presets[i].name;

  return NULL;
}

static void
add_tray (JsonBuilder          *b,
          const PdState        *state,
          const PdAmsUnitState *unit,
          const PdTrayState    *tray)
{
  gboolean         present = pd_state_get_tray_present (state, unit, tray);
  int              remaining = pd_state_get_tray_remaining (tray);
  g_autofree char *color = present ? pd_tray_state_format_color (tray) : NULL;

  json_builder_begin_object (b);
  add_int (b, "slot", tray->slot, TRUE);
  json_builder_set_member_name (b, "present");
  json_builder_add_boolean_value (b, present);
  add_string (b, "material", present ? tray->material : NULL);
  add_string (b, "name", present ? pd_tray_state_get_display_name (tray) : NULL);
  add_string (b, "color", color);
  add_int (b, "remaining_percent", remaining, present && remaining >= 0);
  add_int (b, "drying_temperature", tray->drying_temp, present && tray->drying_temp > 0);
  add_int (b, "drying_hours", tray->drying_hours, present && tray->drying_hours > 0);
  json_builder_end_object (b);
}

static void
add_unit (JsonBuilder          *b,
          const PdState        *state,
          const PdAmsUnitState *unit)
{
  int      level = pd_state_get_humidity_level (unit);
  gboolean active;
  int      remaining;

  json_builder_begin_object (b);
  add_int (b, "id", unit->id, TRUE);
  add_string (b, "type", pd_ams_type_to_string (pd_state_get_unit_type (state, unit)));
  add_int (b, "humidity_percent", unit->humidity_raw, unit->humidity_raw >= 0);
  add_int (b, "humidity_level", level, level > 0);
  add_double (b, "temperature", unit->temperature);

  json_builder_set_member_name (b, "drying");
  if (pd_state_get_unit_drying (unit, &active, &remaining))
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "active");
      json_builder_add_boolean_value (b, active);
      add_int (b, "remaining_minutes", remaining, TRUE);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);

  json_builder_set_member_name (b, "trays");
  json_builder_begin_array (b);
  for (guint i = 0; i < unit->n_trays; i++)
    add_tray (b, state, unit, &unit->trays[i]);
  json_builder_end_array (b);

  json_builder_end_object (b);
}

static gboolean
same_double (double a,
             double b)
{
  return a == b || (isnan (a) && isnan (b));
}

static gboolean
trays_equal (const PdTrayState *a,
             const PdTrayState *b)
{
  return a->slot == b->slot && a->seen == b->seen && g_strcmp0 (a->material, b->material) == 0 &&
         g_strcmp0 (a->sub_brand, b->sub_brand) == 0 && g_strcmp0 (a->info_idx, b->info_idx) == 0 &&
         a->has_color == b->has_color && a->color == b->color && a->remain == b->remain &&
         a->rfid_tag == b->rfid_tag && a->rfid_uuid == b->rfid_uuid && a->drying_temp == b->drying_temp &&
         a->drying_hours == b->drying_hours && a->nozzle_temp_min == b->nozzle_temp_min &&
         a->nozzle_temp_max == b->nozzle_temp_max;
}

static gboolean
units_equal (const PdAmsUnitState *a,
             const PdAmsUnitState *b)
{
  if (a->id != b->id || a->has_info != b->has_info || a->info != b->info ||
      a->humidity_index != b->humidity_index || a->humidity_raw != b->humidity_raw ||
      !same_double (a->temperature, b->temperature) || a->dry_time != b->dry_time || a->n_trays != b->n_trays)
    return FALSE;

  for (guint i = 0; i < a->n_trays; i++)
    if (!trays_equal (&a->trays[i], &b->trays[i]))
      return FALSE;

  return TRUE;
}

/* Whether render_ams() gives the same for both: every field it reads, and
 * what its accessors read, must be compared here. Most reports (a printing
 * printer's once a second) leave the AMS alone, so its part of the document
 * is shared with the previous state's instead of rendered again.
 */
static gboolean
ams_inputs_equal (const PdState *a,
                  const PdState *b)
{
  if (a->n_units != b->n_units || a->n_external != b->n_external ||
      a->has_tray_exist_bits != b->has_tray_exist_bits || a->tray_exist_bits != b->tray_exist_bits ||
      a->tray_now != b->tray_now || a->n_extruders != b->n_extruders || a->active_extruder != b->active_extruder ||
      memcmp (a->extruder_snow, b->extruder_snow, sizeof a->extruder_snow) != 0 ||
      memcmp (a->ams_version_types, b->ams_version_types, sizeof a->ams_version_types) != 0 ||
      pd_state_get_model (a) != pd_state_get_model (b))
    return FALSE;

  for (guint i = 0; i < a->n_units; i++)
    if (!units_equal (&a->units[i], &b->units[i]))
      return FALSE;
  for (guint i = 0; i < a->n_external; i++)
    if (!trays_equal (&a->external[i], &b->external[i]))
      return FALSE;

  return TRUE;
}

/* The document's sections: the parts that are costly to make (many values,
 * HMS texts looked up) and that most reports leave alone. Each state holds
 * its own, shared with the state before it where nothing they are made of
 * changed; pd_state_diff() then skips them by identity.
 */
enum
{
  SECTION_HMS,
  SECTION_PRINT_ERROR,
  SECTION_AMS,
};

/* Whether everything the AMS part of the state is made of is the same in
 * @a and @b: the "ams" object of the document, and PdPrinter's AMS units and
 * trays, which read the same (most reports change no AMS at all). States
 * that share their AMS section were found equal when it was shared
 * (ensure_sections(), which pd_state_diff() calls first). */
gboolean
_pd_state_ams_equal (const PdState *a,
                     const PdState *b)
{
  if (a == b || (a->sections[SECTION_AMS] != NULL && a->sections[SECTION_AMS] == b->sections[SECTION_AMS]))
    return TRUE;

  return ams_inputs_equal (a, b);
}

/* Whether the "hms" and "print_error" parts of the document are the same
 * for both: the same entries and print error, looked up for the same model
 * (in the same texts: see ensure_sections()). */
static gboolean
hms_inputs_equal (const PdState *a,
                  const PdState *b)
{
  return a->n_hms == b->n_hms && memcmp (a->hms, b->hms, a->n_hms * sizeof a->hms[0]) == 0 &&
         pd_state_get_print_error (a) == pd_state_get_print_error (b) &&
         pd_state_get_model (a) == pd_state_get_model (b);
}

/* The "ams" object. What it reads is compared by ams_inputs_equal(). */
static JsonNode *
render_ams (const PdState *state)
{
  g_autoptr (JsonBuilder) b = json_builder_new_immutable ();
  int                     unit, slot;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "units");
  json_builder_begin_array (b);
  for (guint i = 0; i < state->n_units; i++)
    add_unit (b, state, &state->units[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "external");
  json_builder_begin_array (b);
  for (guint i = 0; i < state->n_external; i++)
    add_tray (b, state, NULL, &state->external[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "active_slot");
  if (pd_state_get_active_slot (state, &unit, &slot))
    {
      json_builder_begin_object (b);
      add_int (b, "unit", unit, unit >= 0);
      add_int (b, "slot", slot, TRUE);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static void
put_string (JsonObject *o,
            const char *key,
            const char *value)
{
  if (value == NULL)
    json_object_set_null_member (o, key);
  else
    json_object_set_string_member (o, key, value);
}

/* An HMS error or the print error, as the database explains it */
static JsonObject *
explained (const PdHmsInfo *info,
           gboolean         with_severity)
{
  JsonObject *o = json_object_new ();

  put_string (o, "code", info->code);
  if (with_severity)
    put_string (o, "severity", pd_severity_to_string (info->severity));
  put_string (o, "module", info->module);
  put_string (o, "description", info->description);
  put_string (o, "action", info->action);
  put_string (o, "url", info->url);

  return o;
}

/* The "hms" object: the entries, explained */
static JsonObject *
render_hms (const PdState     *state,
            const PdModelInfo *model)
{
  JsonObject *hms = json_object_new ();
  JsonArray  *errors = json_array_sized_new (state->n_hms);

  put_string (hms, "level", pd_severity_to_string (pd_state_get_hms_level (state)));
  for (guint i = 0; i < state->n_hms; i++)
    {
      const PdHmsEntry     *entry = &state->hms[i];
      g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (pd_hms_database_get_default (), entry->attr,
                                                               entry->code, model != NULL ? model->id : NULL);

      json_array_add_object_element (errors, explained (info, TRUE));
    }
  json_object_set_array_member (hms, "errors", errors);

  return hms;
}

/* A node for @object, which it takes */
static JsonNode *
node_taking (JsonObject *object)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);

  return node;
}

static JsonNode *
render_print_error (const PdState     *state,
                    const PdModelInfo *model)
{
  guint32               print_error = pd_state_get_print_error (state);
  g_autoptr (PdHmsInfo) info = NULL;

  if (print_error == 0)
    return json_node_new (JSON_NODE_NULL);
  info = pd_hms_database_lookup_print_error (pd_hms_database_get_default (), print_error,
                                             model != NULL ? model->id : NULL);

  return node_taking (explained (info, FALSE));
}

/* Makes what @state's sections are not made yet, sharing @previous's
 * (nullable) where nothing they are made of changed. The HMS texts can be
 * reloaded: HMS sections made from other texts are not shared. */
static void
ensure_sections (PdState       *state,
                 const PdState *previous)
{
  guint texts = pd_hms_database_get_generation ();

  if (state->sections[SECTION_HMS] == NULL)
    {
      if (previous != NULL && previous->sections[SECTION_HMS] != NULL && previous->section_texts == texts &&
          hms_inputs_equal (previous, state))
        {
          state->sections[SECTION_HMS] = json_node_ref (previous->sections[SECTION_HMS]);
          state->sections[SECTION_PRINT_ERROR] = json_node_ref (previous->sections[SECTION_PRINT_ERROR]);
        }
      else
        {
          const PdModelInfo *model = pd_state_get_model (state);

          state->sections[SECTION_HMS] = node_taking (render_hms (state, model));
          state->sections[SECTION_PRINT_ERROR] = render_print_error (state, model);
        }
      state->section_texts = texts;
    }

  if (state->sections[SECTION_AMS] == NULL)
    {
      if (previous != NULL && previous->sections[SECTION_AMS] != NULL && ams_inputs_equal (previous, state))
        state->sections[SECTION_AMS] = json_node_ref (previous->sections[SECTION_AMS]);
      else
        state->sections[SECTION_AMS] = render_ams (state);
    }
}

/* The rest of the document is small values read straight from the state,
 * described once by the table below for both rendering and comparing: a
 * report's changes are found without making its document (which only the
 * mirror, the debug window's values and `printdeck-cli inspect` need).
 */
typedef enum
{
  PART_VALUE,   /* a value, .which a ValueId */
  PART_OBJECT,  /* an object or null, .which an ObjectId; its parts up to PART_END */
  PART_END,
  PART_SECTION, /* a section, .which its index */
} PartKind;

typedef enum
{
  O_TEMPERATURES,
  O_NOZZLE,
  O_NOZZLE_RIGHT,
  O_BED,
  O_CHAMBER,
  O_JOB,
  O_CAMERA,
} ObjectId;

typedef enum
{
  V_SERIAL,
  V_NAME,
  V_MODEL,
  V_CONNECTION,
  V_STATUS,
  V_STAGE,
  V_CURRENT, /* of the temperature object it is in */
  V_TARGET,
  V_JOB_NAME,
  V_PROGRESS,
  V_LAYER,
  V_TOTAL_LAYERS,
  V_REMAINING_MINUTES,
  V_GRAMS_TOTAL,
  V_GRAMS_USED,
  V_CAMERA_KIND,
  V_WIFI_DBM,
  V_LIGHT,
  V_FIRMWARE,
  V_DOOR_OPEN,
  V_SD_CARD,
} ValueId;

typedef struct
{
  PartKind    kind;
  const char *key;
  int         which;
} Part;

#define VALUE(key, which)   { PART_VALUE, key, which }
#define OBJECT(key, which)  { PART_OBJECT, key, which }
#define SECTION(key, which) { PART_SECTION, key, which }
#define END                 { PART_END, NULL, 0 }

/* docs/DESIGN.md, "The printer state document" */
static const Part document[] = {
  VALUE ("serial", V_SERIAL),
  VALUE ("name", V_NAME),
  VALUE ("model", V_MODEL),
  VALUE ("connection", V_CONNECTION),
  VALUE ("status", V_STATUS),
  VALUE ("stage", V_STAGE),
  OBJECT ("temperatures", O_TEMPERATURES),
    OBJECT ("nozzle", O_NOZZLE), VALUE ("current", V_CURRENT), VALUE ("target", V_TARGET), END,
    OBJECT ("nozzle_right", O_NOZZLE_RIGHT), VALUE ("current", V_CURRENT), VALUE ("target", V_TARGET), END,
    OBJECT ("bed", O_BED), VALUE ("current", V_CURRENT), VALUE ("target", V_TARGET), END,
    OBJECT ("chamber", O_CHAMBER), VALUE ("current", V_CURRENT), VALUE ("target", V_TARGET), END,
  END,
  OBJECT ("job", O_JOB),
    VALUE ("name", V_JOB_NAME),
    VALUE ("progress", V_PROGRESS),
    VALUE ("layer", V_LAYER),
    VALUE ("total_layers", V_TOTAL_LAYERS),
    VALUE ("remaining_minutes", V_REMAINING_MINUTES),
    VALUE ("filament_grams_total", V_GRAMS_TOTAL),
    VALUE ("filament_grams_used", V_GRAMS_USED),
  END,
  SECTION ("hms", SECTION_HMS),
  SECTION ("print_error", SECTION_PRINT_ERROR),
  SECTION ("ams", SECTION_AMS),
  OBJECT ("camera", O_CAMERA), VALUE ("kind", V_CAMERA_KIND), END,
  VALUE ("wifi_dbm", V_WIFI_DBM),
  VALUE ("light", V_LIGHT),
  VALUE ("firmware", V_FIRMWARE),
  VALUE ("door_open", V_DOOR_OPEN),
  VALUE ("sd_card", V_SD_CARD),
  END,
};

#undef VALUE
#undef OBJECT
#undef SECTION
#undef END

/* A value as the document holds it */
typedef struct
{
  JsonNodeType type; /* JSON_NODE_NULL or JSON_NODE_VALUE */
  GType        value_type;
  const char  *string;
  gint64       integer; /* G_TYPE_INT64, and G_TYPE_BOOLEAN */
  double       number;
} Value;

static void
set_string (Value      *value,
            const char *string)
{
  if (string != NULL)
    *value = (Value){ JSON_NODE_VALUE, G_TYPE_STRING, .string = string };
}

static void
set_int (Value   *value,
         gint64   integer,
         gboolean is_set)
{
  if (is_set)
    *value = (Value){ JSON_NODE_VALUE, G_TYPE_INT64, .integer = integer };
}

static void
set_double (Value *value,
            double number)
{
  if (!isnan (number))
    *value = (Value){ JSON_NODE_VALUE, G_TYPE_DOUBLE, .number = number };
}

static void
set_tristate (Value     *value,
              PdTristate tristate)
{
  if (tristate != PD_TRISTATE_UNKNOWN)
    *value = (Value){ JSON_NODE_VALUE, G_TYPE_BOOLEAN, .integer = tristate == PD_TRISTATE_YES };
}

/* Whether the object is there, and for a temperature, which */
static gboolean
get_object (const PdState *state,
            ObjectId       which,
            PdTemp        *temp)
{
  switch (which)
    {
    case O_TEMPERATURES:
      return TRUE;
    case O_NOZZLE:
      *temp = state->nozzle;
      return TRUE;
    case O_NOZZLE_RIGHT:
      return pd_state_get_nozzle_right (state, temp);
    case O_BED:
      *temp = state->bed;
      return TRUE;
    case O_CHAMBER:
      return pd_state_get_chamber (state, temp);
    case O_JOB:
      return state->job_seen;
    case O_CAMERA:
      return pd_state_get_camera_kind (state) != PD_CAMERA_KIND_UNKNOWN;
    default:
      g_assert_not_reached ();
    }
}

/* @temp: the temperature object the value is in, if any */
static void
get_value (const PdState *state,
           const PdTemp  *temp,
           ValueId        which,
           Value         *value)
{
  const PdModelInfo *model;
  int                total;

  *value = (Value){ JSON_NODE_NULL, G_TYPE_INVALID };
  switch (which)
    {
    case V_SERIAL:
      set_string (value, state->serial);
      break;
    case V_NAME:
      set_string (value, state->name);
      break;
    case V_MODEL:
      model = pd_state_get_model (state);
      set_string (value, model != NULL ? model->id : NULL);
      break;
    case V_CONNECTION:
      set_string (value, pd_connection_to_string (state->connection));
      break;
    case V_STATUS:
      set_string (value, pd_status_to_string (pd_state_get_status (state)));
      break;
    case V_STAGE:
      set_string (value, pd_stage_to_label (pd_state_get_stage_id (state)));
      break;
    case V_CURRENT:
      set_double (value, temp->current);
      break;
    case V_TARGET:
      set_double (value, temp->target);
      break;
    case V_JOB_NAME:
      set_string (value, state->job_name);
      break;
    case V_PROGRESS:
      set_int (value, state->progress, state->progress >= 0);
      break;
    case V_LAYER:
      set_int (value, state->layer, state->layer >= 0);
      break;
    case V_TOTAL_LAYERS:
      total = pd_state_get_total_layers (state);
      set_int (value, total, total > 0);
      break;
    case V_REMAINING_MINUTES:
      set_int (value, state->remaining_minutes, state->remaining_minutes >= 0);
      break;
    case V_GRAMS_TOTAL:
      set_double (value, state->grams_total);
      break;
    case V_GRAMS_USED:
      set_double (value, state->grams_used);
      break;
    case V_CAMERA_KIND:
      set_string (value, pd_camera_kind_to_string (pd_state_get_camera_kind (state)));
      break;
    case V_WIFI_DBM:
      set_int (value, state->wifi_dbm, state->wifi_dbm != 0);
      break;
    case V_LIGHT:
      set_tristate (value, state->light);
      break;
    case V_FIRMWARE:
      set_string (value, state->firmware);
      break;
    case V_DOOR_OPEN:
      set_tristate (value, pd_state_get_door_open (state));
      break;
    case V_SD_CARD:
      set_tristate (value, pd_state_get_sd_card (state));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Whether two values are equal as JSON values are (values_equal()) */
static gboolean
value_equal (const Value *a,
             const Value *b)
{
  if (a->type != b->type || a->value_type != b->value_type)
    return FALSE;

  switch (a->value_type)
    {
    case G_TYPE_INVALID:
      return TRUE;
    case G_TYPE_STRING:
      return strcmp (a->string, b->string) == 0;
    case G_TYPE_DOUBLE:
      return a->number == b->number;
    default:
      return a->integer == b->integer;
    }
}

static void
put_value (JsonObject  *object,
           const char  *key,
           const Value *value)
{
  switch (value->value_type)
    {
    case G_TYPE_INVALID:
      json_object_set_null_member (object, key);
      break;
    case G_TYPE_STRING:
      json_object_set_string_member (object, key, value->string);
      break;
    case G_TYPE_DOUBLE:
      json_object_set_double_member (object, key, value->number);
      break;
    case G_TYPE_BOOLEAN:
      json_object_set_boolean_member (object, key, value->integer != 0);
      break;
    default:
      json_object_set_int_member (object, key, value->integer);
      break;
    }
}

/* The index after the PART_END of the object at @i */
static guint
skip_object (guint i)
{
  guint depth = 0;

  do
    {
      if (document[i].kind == PART_OBJECT)
        depth++;
      else if (document[i].kind == PART_END)
        depth--;
      i++;
    }
  while (depth > 0);

  return i;
}

/* Fills @object with the parts from @i to their PART_END; returns the index
 * after it. */
static guint
render_parts (JsonObject    *object,
              const PdState *state,
              const PdTemp  *temp,
              guint          i)
{
  while (document[i].kind != PART_END)
    {
      const Part *part = &document[i];
      PdTemp      inner = { NAN, NAN };
      Value       value;

      switch (part->kind)
        {
        case PART_VALUE:
          get_value (state, temp, part->which, &value);
          put_value (object, part->key, &value);
          i++;
          break;
        case PART_OBJECT:
          if (get_object (state, part->which, &inner))
            {
              JsonObject *child = json_object_new ();

              i = render_parts (child, state, &inner, i + 1);
              json_object_set_object_member (object, part->key, child);
            }
          else
            {
              json_object_set_null_member (object, part->key);
              i = skip_object (i);
            }
          break;
        case PART_SECTION:
          json_object_set_member (object, part->key, json_node_ref (state->sections[part->which]));
          i++;
          break;
        case PART_END:
        default:
          g_assert_not_reached ();
        }
    }

  return i + 1;
}

/* The state document (docs/DESIGN.md, "The printer state document") */
static JsonNode *
render (PdState *state)
{
  JsonObject *doc = json_object_new ();
  JsonNode   *root;

  ensure_sections (state, NULL);
  render_parts (doc, state, NULL, 0);
  root = node_taking (doc);
  /* Not sealed: sealing hashes every value, which cost about a tenth of a
   * report's time. Nothing changes a document once it is made
   * (pd_state_to_json() hands it out as immutable). */

  return root;
}

/**
 * pd_state_to_json:
 * @state: a state
 *
 * Renders the state document. The result is cached: a state never changes.
 *
 * Returns: (transfer none): the state document, an immutable JSON object
 */
JsonNode *
pd_state_to_json (PdState *state)
{
  g_return_val_if_fail (state != NULL, NULL);

  if (state->doc == NULL)
    state->doc = render (state);

  return state->doc;
}

/**
 * pd_state_to_string:
 * @state: a state
 * @pretty: whether to indent
 *
 * Returns: (transfer full): the state document as JSON text
 */
char *
pd_state_to_string (PdState *state,
                    gboolean pretty)
{
  g_return_val_if_fail (state != NULL, NULL);

  return pd_json_to_string (pd_state_to_json (state), pretty);
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (a))
    return TRUE;
  if (json_node_get_value_type (a) != json_node_get_value_type (b))
    return FALSE;

  switch (json_node_get_value_type (a))
    {
    case G_TYPE_INT64:
      return json_node_get_int (a) == json_node_get_int (b);
    case G_TYPE_DOUBLE:
      return json_node_get_double (a) == json_node_get_double (b);
    case G_TYPE_BOOLEAN:
      return json_node_get_boolean (a) == json_node_get_boolean (b);
    case G_TYPE_STRING:
      return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
    default:
      return FALSE;
    }
}

static void
diff_nodes (GString   *path,
            JsonNode  *a,
            JsonNode  *b,
            GPtrArray *changes)
{
  gsize len = path->len;

  /* A part the new document shares with the old one (see render()). */
  if (a == b)
    return;

  if (JSON_NODE_HOLDS_OBJECT (a) && JSON_NODE_HOLDS_OBJECT (b))
    {
      JsonObject    *oa = json_node_get_object (a);
      JsonObject    *ob = json_node_get_object (b);
      JsonObjectIter ia, ib;
      gboolean       in_step = TRUE;
      const char    *key, *key_a;
      JsonNode      *nb, *na;

      /* Both documents come from render(): the same keys in the same order,
       * so the members are walked side by side (looked up only if not). */
      json_object_iter_init_ordered (&ia, oa);
      json_object_iter_init_ordered (&ib, ob);
      while (json_object_iter_next_ordered (&ib, &key, &nb))
        {
          if (!in_step || !json_object_iter_next_ordered (&ia, &key_a, &na) || strcmp (key, key_a) != 0)
            {
              in_step = FALSE;
              na = json_object_get_member (oa, key);
            }

          if (len > 0)
            g_string_append_c (path, '.');
          g_string_append (path, key);
          if (na == NULL)
            g_ptr_array_add (changes, g_strdup (path->str));
          else
            diff_nodes (path, na, nb, changes);
          g_string_truncate (path, len);
        }
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (a) && JSON_NODE_HOLDS_ARRAY (b))
    {
      JsonArray *aa = json_node_get_array (a);
      JsonArray *ab = json_node_get_array (b);
      guint      n = json_array_get_length (ab);

      /* A list that grew or shrank is reported whole: its items moved. */
      if (json_array_get_length (aa) != n)
        {
          g_ptr_array_add (changes, g_strdup (path->str));
          return;
        }
      for (guint i = 0; i < n; i++)
        {
          g_string_append_printf (path, "[%u]", i);
          diff_nodes (path, json_array_get_element (aa, i),
                      json_array_get_element (ab, i), changes);
          g_string_truncate (path, len);
        }
      return;
    }

  if (JSON_NODE_HOLDS_VALUE (a) || JSON_NODE_HOLDS_NULL (a))
    {
      if (!values_equal (a, b))
        g_ptr_array_add (changes, g_strdup (path->str));
      return;
    }

  /* object ↔ null, array ↔ object, … */
  g_ptr_array_add (changes, g_strdup (path->str));
}

static void
add_change (GPtrArray *changes,
            GString   *path)
{
  g_ptr_array_add (changes, g_strdup (path->str));
}

/* Compares the parts from @i to their PART_END in both states' documents
 * (of an object both have: @ta and @tb for a temperature), as diff_nodes()
 * compares documents; returns the index after the PART_END. */
static guint
diff_parts (GString       *path,
            const PdState *a,
            const PdState *b,
            const PdTemp  *ta,
            const PdTemp  *tb,
            guint          i,
            GPtrArray     *changes)
{
  gsize len = path->len;

  while (document[i].kind != PART_END)
    {
      const Part *part = &document[i];
      PdTemp      inner_a = { NAN, NAN }, inner_b = { NAN, NAN };
      gboolean    in_a, in_b;
      Value       va, vb;

      if (len > 0)
        g_string_append_c (path, '.');
      g_string_append (path, part->key);
      switch (part->kind)
        {
        case PART_VALUE:
          /* the stage is translated: the same id is the same text */
          if (part->which == V_STAGE && pd_state_get_stage_id (a) == pd_state_get_stage_id (b))
            {
              i++;
              break;
            }
          get_value (a, ta, part->which, &va);
          get_value (b, tb, part->which, &vb);
          if (!value_equal (&va, &vb))
            add_change (changes, path);
          i++;
          break;
        case PART_OBJECT:
          in_a = get_object (a, part->which, &inner_a);
          in_b = get_object (b, part->which, &inner_b);
          if (in_a && in_b)
            {
              i = diff_parts (path, a, b, &inner_a, &inner_b, i + 1, changes);
              break;
            }
          /* object ↔ null: the object as a whole */
          if (in_a != in_b)
            add_change (changes, path);
          i = skip_object (i);
          break;
        case PART_SECTION:
          diff_nodes (path, a->sections[part->which], b->sections[part->which], changes);
          i++;
          break;
        case PART_END:
        default:
          g_assert_not_reached ();
        }
      g_string_truncate (path, len);
    }

  return i + 1;
}

/**
 * pd_state_diff:
 * @old_state: a state
 * @new_state: a later state of the same printer
 *
 * Compares the two state documents, leaf by leaf (without making them).
 *
 * Returns: (transfer full) (element-type utf8): the paths of the values that
 *   differ, like "temperatures.nozzle.current" or "ams.units[0].trays[2].present"
 *   (a list whose length changed is named as a whole, "hms.errors")
 */
GPtrArray *
pd_state_diff (PdState *old_state,
               PdState *new_state)
{
  GPtrArray          *changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) path = NULL;

  g_return_val_if_fail (old_state != NULL, changes);
  g_return_val_if_fail (new_state != NULL, changes);

  if (old_state == new_state)
    return changes;

  ensure_sections (old_state, NULL);
  /* the new state shares the sections that did not change */
  ensure_sections (new_state, old_state);
  path = g_string_sized_new (64);
  diff_parts (path, old_state, new_state, NULL, NULL, 0, changes);

  return changes;
}

/**
 * pd_state_lookup:
 * @state: a state
 * @path: a path as pd_state_diff() gives them, "ams.units[0].trays[2].present"
 *
 * Returns: (transfer none): the value at @path in the state document (a
 *   JSON null node when there is none)
 */
JsonNode *
pd_state_lookup (PdState    *state,
                 const char *path)
{
  static JsonNode *null_node;
  JsonNode        *node;
  const char      *p = path;

  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (g_once_init_enter (&null_node))
    g_once_init_leave (&null_node, json_node_init_null (json_node_alloc ()));

  node = pd_state_to_json (state);
  while (*p != '\0' && node != NULL)
    {
      if (*p == '[')
        {
          char   *end = NULL;
          guint64 index = g_ascii_strtoull (p + 1, &end, 10);

          if (!JSON_NODE_HOLDS_ARRAY (node) || end == NULL || *end != ']' ||
              index >= json_array_get_length (json_node_get_array (node)))
            return null_node;
          node = json_array_get_element (json_node_get_array (node), (guint) index);
          p = end + 1;
        }
      else
        {
          gsize            len;
          g_autofree char *key = NULL;

          if (*p == '.')
            p++;
          len = strcspn (p, ".[");
          key = g_strndup (p, len);
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return null_node;
          node = json_object_get_member (json_node_get_object (node), key);
          p += len;
        }
    }

  return node != NULL ? node : null_node;
}

/**
 * pd_state_get_unit_drying_supported:
 * @state: a state
 * @unit: one of its AMS units
 *
 * A classic AMS or an AMS lite reports dry_time 0 too, but has no heater:
 * only AMS 2 Pro and AMS HT units that report their drying state dry.
 */
gboolean
pd_state_get_unit_drying_supported (const PdState        *state,
                                    const PdAmsUnitState *unit)
{
  PdAmsType unit_type;

  g_return_val_if_fail (state != NULL && unit != NULL, FALSE);

  unit_type = pd_state_get_unit_type (state, unit);
  return (unit_type == PD_AMS_TYPE_AMS_2_PRO || unit_type == PD_AMS_TYPE_AMS_HT) &&
         pd_state_get_unit_drying (unit, NULL, NULL);
}

/**
 * pd_state_get_unit_is_drying:
 * @state: a state
 * @unit: one of its AMS units
 *
 * Returns: whether the unit dries its filament now
 */
gboolean
pd_state_get_unit_is_drying (const PdState        *state,
                             const PdAmsUnitState *unit)
{
  gboolean drying = FALSE;

  g_return_val_if_fail (state != NULL && unit != NULL, FALSE);

  return pd_state_get_unit_drying_supported (state, unit) &&
         pd_state_get_unit_drying (unit, &drying, NULL) && drying;
}

/**
 * pd_state_get_unit_holds_filament:
 * @state: a state
 * @unit: one of its AMS units
 *
 * Returns: whether at least one of the unit's slots holds a spool
 */
gboolean
pd_state_get_unit_holds_filament (const PdState        *state,
                                  const PdAmsUnitState *unit)
{
  g_return_val_if_fail (state != NULL && unit != NULL, FALSE);

  for (guint i = 0; i < unit->n_trays; i++)
    if (pd_state_get_tray_present (state, unit, &unit->trays[i]))
      return TRUE;

  return FALSE;
}

/**
 * pd_humidity_rate:
 * @percent: relative humidity in %, or -1 when not reported
 * @level: the level 1 (dry) … 5 (wet) as Bambu's apps show it, or -1
 * @fair_percent: above this relative humidity the unit is "fair"
 * @high_percent: above this, "high"
 *
 * Rates an AMS unit's humidity. A measured percentage is compared with the
 * thresholds; a unit that only reports the level is high at 4 and 5, fine
 * below (a level is not a percentage, so the thresholds do not apply).
 *
 * Returns: the rating, %PD_HUMIDITY_UNKNOWN when neither is reported
 */
PdHumidity
pd_humidity_rate (int   percent,
                  int   level,
                  guint fair_percent,
                  guint high_percent)
{
  if (percent >= 0)
    {
      if ((guint) percent > high_percent)
        return PD_HUMIDITY_HIGH;
      if ((guint) percent > fair_percent)
        return PD_HUMIDITY_FAIR;
      return PD_HUMIDITY_OK;
    }

  if (level >= 1 && level <= 5)
    return level >= 4 ? PD_HUMIDITY_HIGH : PD_HUMIDITY_OK;

  return PD_HUMIDITY_UNKNOWN;
}
