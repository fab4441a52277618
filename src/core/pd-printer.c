/* pd-printer.c — one printer's live state, as GObject properties
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PdPrinter is a view of its current PdState: every value a card shows is
 * a property here (or of an object it owns), so widgets bind to properties
 * and never parse. A new state is applied in one go with notifications
 * frozen, so a handler never sees half of a report, and a property notifies
 * only when its value really changed.
 */

#define G_LOG_DOMAIN "pd-printer"

#include "config.h"

#include "pd-enums.h"
#include "pd-list-sync.h"
#include "pd-printer-private.h"
#include "pd-report.h"
#include "pd-state-private.h"

struct _PdPrinter
{
  GObject         parent_instance;

  PdState        *state;

  /* Cached views of the state, compared on each update */
  char           *model;
  char           *model_name;
  PdConnection    connection;
  PdStatus        status;
  char           *stage;
  PdTemperature  *nozzle;
  PdTemperature  *nozzle_right;
  PdTemperature  *bed;
  PdTemperature  *chamber;
  PdJob          *job;
  PdSeverity      hms_level;
  GListStore     *hms_errors;
  guint           hms_linger_ms;
  GSource        *hms_linger_source;
  guint32         print_error_code;
  char           *print_error;
  GListStore     *ams_units;
  GListStore     *ams_external;
  int             active_unit;
  int             active_slot;
  PdCameraKind    camera_kind;
  int             wifi_dbm;
  PdTristate      light;
  PdTristate      door_open;
  char           *firmware;
  gint64          last_report_time;
  gboolean        stale;
  PdSessionReason connection_reason;
  /* the job's details (PdJobTracker), mirrored on the job object */
  guint              details_generation; /* the job they are for */
  PdJobDetailsStatus details_status;
  PdJobDetails      *details;
  char              *details_message;
};

G_DEFINE_FINAL_TYPE (PdPrinter, pd_printer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERIAL,
  PROP_NAME,
  PROP_CONFIGURED_MODEL,
  PROP_MODEL,
  PROP_MODEL_NAME,
  PROP_CONNECTION,
  PROP_STATUS,
  PROP_STAGE,
  PROP_NOZZLE,
  PROP_NOZZLE_RIGHT,
  PROP_BED,
  PROP_CHAMBER,
  PROP_JOB,
  PROP_HMS_LEVEL,
  PROP_HMS_ERRORS,
  PROP_PRINT_ERROR,
  PROP_PRINT_ERROR_CODE,
  PROP_AMS_UNITS,
  PROP_AMS_EXTERNAL,
  PROP_ACTIVE_UNIT,
  PROP_ACTIVE_SLOT,
  PROP_CAMERA_KIND,
  PROP_WIFI_DBM,
  PROP_LIGHT,
  PROP_DOOR_OPEN,
  PROP_FIRMWARE,
  PROP_LAST_REPORT_TIME,
  PROP_STATE,
  PROP_STALE,
  PROP_CONNECTION_REASON,
  N_PROPS
};

enum
{
  STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

#define NOTIFY(self, prop) g_object_notify_by_pspec (G_OBJECT (self), properties[prop])

/* An optional child object: created when the value appears, dropped when it
 * goes (a printer with no chamber sensor has no chamber object).
 */
static void
sync_temperature (PdPrinter      *self,
                  PdTemperature **field,
                  const PdTemp   *temp,
                  guint           prop_id)
{
  if (temp == NULL)
    {
      if (*field != NULL)
        {
          g_clear_object (field);
          NOTIFY (self, prop_id);
        }
      return;
    }

  if (*field == NULL)
    {
      *field = _pd_temperature_new ();
      _pd_temperature_update (*field, temp);
      NOTIFY (self, prop_id);
      return;
    }

  _pd_temperature_update (*field, temp);
}

/* HMS entries ---------------------------------------------------------------
 *
 * The list holds what the printer reports now plus what it stopped reporting
 * less than hms-linger ago: an error that comes and goes every few seconds
 * (a flapping sensor) stays put instead of making the card flicker and the
 * notifier repeat itself. The level counts the lingering entries too.
 */

#define HMS_LINGER_DEFAULT_MS 8000

static void
hms_entry_of (PdHmsError *item,
              PdHmsEntry *entry)
{
  entry->attr = pd_hms_error_get_attr (item);
  entry->code = pd_hms_error_get_code_word (item);
}

static int
hms_find_in_state (const PdState    *state,
                   const PdHmsEntry *entry)
{
  for (guint i = 0; i < state->n_hms; i++)
    if (state->hms[i].attr == entry->attr && state->hms[i].code == entry->code)
      return (int) i;

  return -1;
}

static gboolean
hms_lingered_out (PdPrinter  *self,
                  PdHmsError *item,
                  gint64      now)
{
  gint64 cleared_at = _pd_hms_error_get_cleared_at (item);

  return cleared_at != 0 && now - cleared_at >= (gint64) self->hms_linger_ms * 1000;
}

static gboolean on_hms_linger_over (gpointer data);

static void
hms_schedule (PdPrinter *self,
              gint64     now)
{
  GListModel *model = G_LIST_MODEL (self->hms_errors);
  gint64      next = G_MAXINT64;

  if (self->hms_linger_source != NULL)
    {
      g_source_destroy (self->hms_linger_source);
      g_clear_pointer (&self->hms_linger_source, g_source_unref);
    }

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdHmsError) item = g_list_model_get_item (model, i);
      gint64                 cleared_at = _pd_hms_error_get_cleared_at (item);

      if (cleared_at != 0)
        next = MIN (next, cleared_at + (gint64) self->hms_linger_ms * 1000);
    }
  if (next == G_MAXINT64)
    return;

  self->hms_linger_source = g_timeout_source_new ((guint) MAX (1, (next - now + 999) / 1000));
  g_source_set_static_name (self->hms_linger_source, "[printdeck] HMS linger");
  g_source_set_callback (self->hms_linger_source, on_hms_linger_over, self, NULL);
  g_source_attach (self->hms_linger_source, g_main_context_get_thread_default ());
}

/* The level of what will be listed: the reported entries and those still
 * lingering.
 */
static PdSeverity
hms_level (PdPrinter *self,
           gint64     now)
{
  GListModel *model = G_LIST_MODEL (self->hms_errors);
  PdSeverity  level = pd_state_get_hms_level (self->state);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdHmsError) item = g_list_model_get_item (model, i);
      PdHmsEntry             entry;

      hms_entry_of (item, &entry);
      if (self->hms_linger_ms > 0 && hms_find_in_state (self->state, &entry) < 0 &&
          !hms_lingered_out (self, item, now))
        level = MAX (level, pd_hms_error_get_severity (item));
    }

  return level;
}

/* Brings the list in line with the state; call after the level. */
static void
hms_sync (PdPrinter *self,
          gint64     now)
{
  const PdState *state = self->state;
  GListStore    *store = self->hms_errors;
  guint          n = g_list_model_get_n_items (G_LIST_MODEL (store));

  /* Entries no longer reported start lingering; the lingered-out go. */
  for (guint i = n; i > 0; i--)
    {
      g_autoptr (PdHmsError) item = g_list_model_get_item (G_LIST_MODEL (store), i - 1);
      PdHmsEntry             entry;

      hms_entry_of (item, &entry);
      if (hms_find_in_state (state, &entry) >= 0)
        _pd_hms_error_set_cleared_at (item, 0);
      else
        {
          if (_pd_hms_error_get_cleared_at (item) == 0)
            _pd_hms_error_set_cleared_at (item, now);
          if (self->hms_linger_ms == 0 || hms_lingered_out (self, item, now))
            g_list_store_remove (store, i - 1);
        }
    }

  /* New entries go where their order puts them. */
  for (guint j = 0; j < state->n_hms; j++)
    {
      gboolean listed = FALSE;
      guint    position = 0;

      n = g_list_model_get_n_items (G_LIST_MODEL (store));
      for (guint i = 0; i < n && !listed; i++)
        {
          g_autoptr (PdHmsError) item = g_list_model_get_item (G_LIST_MODEL (store), i);
          PdHmsEntry             entry;

          hms_entry_of (item, &entry);
          if (entry.attr == state->hms[j].attr && entry.code == state->hms[j].code)
            listed = TRUE;
          else if (pd_hms_entry_compare (&entry, &state->hms[j]) < 0)
            position = i + 1;
        }

      if (!listed)
        {
          g_autoptr (PdHmsError) item = _pd_hms_error_new (&state->hms[j], self->model);

          g_list_store_insert (store, position, item);
        }
    }

  hms_schedule (self, now);
}

static gboolean
on_hms_linger_over (gpointer data)
{
  PdPrinter *self = data;
  gint64     now = g_get_monotonic_time ();

  g_clear_pointer (&self->hms_linger_source, g_source_unref);

  _PD_UPDATE (self, self->hms_level, hms_level (self, now), properties[PROP_HMS_LEVEL]);
  hms_sync (self, now);

  return G_SOURCE_REMOVE;
}

/* The database was updated, or the model became known: describe again. */
static void
hms_describe_all (PdPrinter *self)
{
  GListModel *model = G_LIST_MODEL (self->hms_errors);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdHmsError) item = g_list_model_get_item (model, i);

      _pd_hms_error_describe (item, pd_hms_database_get_default (), self->model);
    }
}

static int
unit_compare (gpointer item,
              guint    index,
              gpointer user_data)
{
  const PdState *state = user_data;

  return pd_ams_unit_get_id (item) - state->units[index].id;
}

static gpointer
unit_create (guint    index,
             gpointer user_data)
{
  const PdState *state = user_data;
  PdAmsUnit     *unit = _pd_ams_unit_new (state->units[index].id);

  _pd_ams_unit_update (unit, state, &state->units[index]);
  return unit;
}

static void
unit_update (gpointer item,
             guint    index,
             gpointer user_data)
{
  const PdState *state = user_data;

  _pd_ams_unit_update (item, state, &state->units[index]);
}

/* Brings every property in line with the state. @ams_changed: whether the
 * AMS part of the state may differ from the one the AMS units and trays
 * show (_pd_state_ams_equal()); if not, they are left alone. */
static void
sync_properties (PdPrinter *self,
                 gboolean   ams_changed)
{
  PdState           *state = self->state;
  const PdModelInfo *model = pd_state_get_model (state);
  PdTemp             temp;
  PdStatus           status;
  PdSeverity         level;
  PdCameraKind       camera_kind;
  PdTristate         tristate;
  guint32            print_error;
  g_autofree char   *print_error_text = NULL;
  int                unit = -1, slot = -1;
  gint64             now;

  if (g_strcmp0 (self->model, model != NULL ? model->id : NULL) != 0)
    {
      _pd_update_string (self, &self->model, model != NULL ? model->id : NULL, properties[PROP_MODEL]);
      hms_describe_all (self);
    }
  _pd_update_string (self, &self->model_name, model != NULL ? model->display_name : NULL, properties[PROP_MODEL_NAME]);

  _PD_UPDATE (self, self->connection, state->connection, properties[PROP_CONNECTION]);

  status = pd_state_get_status (state);
  _PD_UPDATE (self, self->status, status, properties[PROP_STATUS]);

  _pd_update_string (self, &self->stage, pd_stage_to_label (pd_state_get_stage_id (state)), properties[PROP_STAGE]);

  _pd_temperature_update (self->nozzle, &state->nozzle);
  sync_temperature (self, &self->nozzle_right,
                    pd_state_get_nozzle_right (state, &temp) ? &temp : NULL, PROP_NOZZLE_RIGHT);
  _pd_temperature_update (self->bed, &state->bed);
  sync_temperature (self, &self->chamber,
                    pd_state_get_chamber (state, &temp) ? &temp : NULL, PROP_CHAMBER);

  if (state->job_seen)
    {
      gboolean created = self->job == NULL;

      if (created)
        {
          self->job = _pd_job_new ();
          _pd_job_set_details (self->job, self->details_status, self->details, self->details_message);
        }
      _pd_job_update (self->job, state);
      if (created)
        NOTIFY (self, PROP_JOB);
    }
  else if (self->job != NULL)
    {
      g_clear_object (&self->job);
      NOTIFY (self, PROP_JOB);
    }

  now = g_get_monotonic_time ();
  level = hms_level (self, now);
  _PD_UPDATE (self, self->hms_level, level, properties[PROP_HMS_LEVEL]);

  print_error = pd_state_get_print_error (state);
  if (print_error != 0)
    print_error_text = pd_print_error_format_code (print_error);
  _pd_update_string (self, &self->print_error, print_error_text, properties[PROP_PRINT_ERROR]);
  _PD_UPDATE (self, self->print_error_code, print_error, properties[PROP_PRINT_ERROR_CODE]);

  pd_state_get_active_slot (state, &unit, &slot);
  _PD_UPDATE (self, self->active_unit, unit, properties[PROP_ACTIVE_UNIT]);
  _PD_UPDATE (self, self->active_slot, slot, properties[PROP_ACTIVE_SLOT]);

  camera_kind = pd_state_get_camera_kind (state);
  _PD_UPDATE (self, self->camera_kind, camera_kind, properties[PROP_CAMERA_KIND]);

  _PD_UPDATE (self, self->wifi_dbm, state->wifi_dbm, properties[PROP_WIFI_DBM]);

  _PD_UPDATE (self, self->light, state->light, properties[PROP_LIGHT]);

  tristate = pd_state_get_door_open (state);
  _PD_UPDATE (self, self->door_open, tristate, properties[PROP_DOOR_OPEN]);

  _pd_update_string (self, &self->firmware, state->firmware, properties[PROP_FIRMWARE]);

  _PD_UPDATE (self, self->last_report_time, state->last_report_at, properties[PROP_LAST_REPORT_TIME]);

  /* Lists last: items-changed cannot be held back like notify, so by the
   * time it is emitted every other value must already be the new one.
   */
  hms_sync (self, now);
  if (ams_changed)
    {
      _pd_list_store_sync (self->ams_units, state->n_units, unit_compare, unit_create, unit_update, state);
      _pd_ams_trays_sync (self->ams_external, state, NULL, state->external, state->n_external);
    }
}

static void
thaw_and_unref (gpointer object)
{
  g_object_thaw_notify (object);
  g_object_unref (object);
}

static void
freeze_into (GPtrArray *frozen,
             gpointer   object)
{
  if (object == NULL)
    return;

  g_object_freeze_notify (object);
  g_ptr_array_add (frozen, g_object_ref (object));
}

static void
freeze_trays (GPtrArray  *frozen,
              GListModel *trays)
{
  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    {
      g_autoptr (GObject) tray = g_list_model_get_item (trays, i);

      freeze_into (frozen, tray);
    }
}

/* Holds back the notifications of the printer and of every object it owns
 * (its AMS units and trays only if @with_ams: when the AMS did not change,
 * nothing changes them), so that no handler sees half of a state: thawing
 * the returned array sends them, the printer's first.
 */
static GPtrArray *
freeze_all (PdPrinter *self,
            gboolean   with_ams)
{
  GPtrArray  *frozen = g_ptr_array_new_with_free_func (thaw_and_unref);
  GListModel *units = G_LIST_MODEL (self->ams_units);

  freeze_into (frozen, self);
  freeze_into (frozen, self->nozzle);
  freeze_into (frozen, self->nozzle_right);
  freeze_into (frozen, self->bed);
  freeze_into (frozen, self->chamber);
  freeze_into (frozen, self->job);
  if (!with_ams)
    return frozen;
  for (guint i = 0; i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);

      freeze_into (frozen, unit);
      freeze_trays (frozen, pd_ams_unit_get_trays (unit));
    }
  freeze_trays (frozen, G_LIST_MODEL (self->ams_external));

  return frozen;
}

/* Replaces the state, notifies what changed, returns the changed paths. */
static GPtrArray *
replace_state (PdPrinter *self,
               PdState   *state)
{
  g_autoptr (PdState)   old = g_steal_pointer (&self->state);
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (GPtrArray) frozen = NULL;

  self->state = pd_state_ref (state);
  changes = pd_state_diff (old, state);

  if (old != state)
    {
      gboolean ams_changed = !_pd_state_ams_equal (old, state);

      frozen = freeze_all (self, ams_changed);

      /* name and configured-model are read from the state itself */
      if (g_strcmp0 (old->name, state->name) != 0)
        NOTIFY (self, PROP_NAME);
      if (g_strcmp0 (old->model_config, state->model_config) != 0)
        NOTIFY (self, PROP_CONFIGURED_MODEL);
      sync_properties (self, ams_changed);
      if (changes->len > 0)
        NOTIFY (self, PROP_STATE);

      g_clear_pointer (&frozen, g_ptr_array_unref);
    }

  if (changes->len > 0)
    g_signal_emit (self, signals[STATE_CHANGED], 0, changes);

  return g_steal_pointer (&changes);
}

static void
pd_printer_dispose (GObject *object)
{
  PdPrinter *self = PD_PRINTER (object);

  g_clear_object (&self->nozzle);
  g_clear_object (&self->nozzle_right);
  g_clear_object (&self->bed);
  g_clear_object (&self->chamber);
  g_clear_object (&self->job);
  if (self->hms_linger_source != NULL)
    {
      g_source_destroy (self->hms_linger_source);
      g_clear_pointer (&self->hms_linger_source, g_source_unref);
    }
  g_clear_object (&self->hms_errors);
  g_clear_object (&self->ams_units);
  g_clear_object (&self->ams_external);

  G_OBJECT_CLASS (pd_printer_parent_class)->dispose (object);
}

static void
pd_printer_finalize (GObject *object)
{
  PdPrinter *self = PD_PRINTER (object);

  g_clear_pointer (&self->state, pd_state_unref);
  g_clear_pointer (&self->details, pd_job_details_unref);
  g_clear_pointer (&self->details_message, g_free);
  g_clear_pointer (&self->model, g_free);
  g_clear_pointer (&self->model_name, g_free);
  g_clear_pointer (&self->stage, g_free);
  g_clear_pointer (&self->print_error, g_free);
  g_clear_pointer (&self->firmware, g_free);

  G_OBJECT_CLASS (pd_printer_parent_class)->finalize (object);
}

static void
pd_printer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PdPrinter *self = PD_PRINTER (object);

  switch (prop_id)
    {
    case PROP_SERIAL:
      g_value_set_string (value, self->state->serial);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->state->name);
      break;

    case PROP_CONFIGURED_MODEL:
      g_value_set_string (value, self->state->model_config);
      break;

    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;

    case PROP_MODEL_NAME:
      g_value_set_string (value, self->model_name);
      break;

    case PROP_CONNECTION:
      g_value_set_enum (value, self->connection);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_STAGE:
      g_value_set_string (value, self->stage);
      break;

    case PROP_NOZZLE:
      g_value_set_object (value, self->nozzle);
      break;

    case PROP_NOZZLE_RIGHT:
      g_value_set_object (value, self->nozzle_right);
      break;

    case PROP_BED:
      g_value_set_object (value, self->bed);
      break;

    case PROP_CHAMBER:
      g_value_set_object (value, self->chamber);
      break;

    case PROP_JOB:
      g_value_set_object (value, self->job);
      break;

    case PROP_HMS_LEVEL:
      g_value_set_enum (value, self->hms_level);
      break;

    case PROP_HMS_ERRORS:
      g_value_set_object (value, self->hms_errors);
      break;

    case PROP_PRINT_ERROR:
      g_value_set_string (value, self->print_error);
      break;

    case PROP_PRINT_ERROR_CODE:
      g_value_set_uint (value, self->print_error_code);
      break;

    case PROP_AMS_UNITS:
      g_value_set_object (value, self->ams_units);
      break;

    case PROP_AMS_EXTERNAL:
      g_value_set_object (value, self->ams_external);
      break;

    case PROP_ACTIVE_UNIT:
      g_value_set_int (value, self->active_unit);
      break;

    case PROP_ACTIVE_SLOT:
      g_value_set_int (value, self->active_slot);
      break;

    case PROP_CAMERA_KIND:
      g_value_set_enum (value, self->camera_kind);
      break;

    case PROP_WIFI_DBM:
      g_value_set_int (value, self->wifi_dbm);
      break;

    case PROP_LIGHT:
      g_value_set_enum (value, self->light);
      break;

    case PROP_DOOR_OPEN:
      g_value_set_enum (value, self->door_open);
      break;

    case PROP_FIRMWARE:
      g_value_set_string (value, self->firmware);
      break;

    case PROP_LAST_REPORT_TIME:
      g_value_set_int64 (value, self->last_report_time);
      break;

    case PROP_STATE:
      g_value_set_boxed (value, self->state);
      break;

    case PROP_STALE:
      g_value_set_boolean (value, self->stale);
      break;

    case PROP_CONNECTION_REASON:
      g_value_set_enum (value, self->connection_reason);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PdPrinter *self = PD_PRINTER (object);

  switch (prop_id)
    {
    case PROP_SERIAL:
      /* construct-only: the state is still the fresh one from init */
      g_free (self->state->serial);
      self->state->serial = g_value_dup_string (value);
      break;

    case PROP_NAME:
      pd_printer_set_name (self, g_value_get_string (value));
      break;

    case PROP_CONFIGURED_MODEL:
      pd_printer_set_configured_model (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_constructed (GObject *object)
{
  PdPrinter *self = PD_PRINTER (object);

  G_OBJECT_CLASS (pd_printer_parent_class)->constructed (object);

  /* The serial decides the model, and with it the chamber and more. */
  sync_properties (self, TRUE);
}

static void
pd_printer_class_init (PdPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_printer_dispose;
  object_class->finalize = pd_printer_finalize;
  object_class->get_property = pd_printer_get_property;
  object_class->set_property = pd_printer_set_property;
  object_class->constructed = pd_printer_constructed;

  properties[PROP_SERIAL] =
    g_param_spec_string ("serial", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  /**
   * PdPrinter:configured-model:
   *
   * The model the user chose, or %NULL to detect it from the serial number
   * and the printer's get_version reply.
   */
  properties[PROP_CONFIGURED_MODEL] = g_param_spec_string ("configured-model", NULL, NULL, NULL, rw);
  /**
   * PdPrinter:model:
   *
   * The model's id ("X1C", "A1MINI"), or %NULL while not known.
   */
  properties[PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, ro);
  /**
   * PdPrinter:model-name:
   *
   * The model's product name ("X1 Carbon", "A1 mini").
   */
  properties[PROP_MODEL_NAME] = g_param_spec_string ("model-name", NULL, NULL, NULL, ro);
  properties[PROP_CONNECTION] =
    g_param_spec_enum ("connection", NULL, NULL, PD_TYPE_CONNECTION, PD_CONNECTION_NONE, ro);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, PD_TYPE_STATUS, PD_STATUS_UNKNOWN, ro);
  /**
   * PdPrinter:stage:
   *
   * What the printer is busy with, "Heating the bed"; %NULL when idle.
   */
  properties[PROP_STAGE] = g_param_spec_string ("stage", NULL, NULL, NULL, ro);
  properties[PROP_NOZZLE] = g_param_spec_object ("nozzle", NULL, NULL, PD_TYPE_TEMPERATURE, ro);
  /**
   * PdPrinter:nozzle-right:
   *
   * The right (auxiliary) nozzle of a dual-nozzle printer; %NULL otherwise.
   * #PdPrinter:nozzle is then the left (main) one.
   */
  properties[PROP_NOZZLE_RIGHT] = g_param_spec_object ("nozzle-right", NULL, NULL, PD_TYPE_TEMPERATURE, ro);
  properties[PROP_BED] = g_param_spec_object ("bed", NULL, NULL, PD_TYPE_TEMPERATURE, ro);
  /**
   * PdPrinter:chamber:
   *
   * The chamber temperature; %NULL on models without a chamber sensor.
   */
  properties[PROP_CHAMBER] = g_param_spec_object ("chamber", NULL, NULL, PD_TYPE_TEMPERATURE, ro);
  /**
   * PdPrinter:job:
   *
   * The current or last job; %NULL until the printer reported one.
   */
  properties[PROP_JOB] = g_param_spec_object ("job", NULL, NULL, PD_TYPE_JOB, ro);
  properties[PROP_HMS_LEVEL] =
    g_param_spec_enum ("hms-level", NULL, NULL, PD_TYPE_SEVERITY, PD_SEVERITY_NONE, ro);
  /**
   * PdPrinter:hms-errors:
   *
   * The active HMS entries (#PdHmsError), most severe first.
   */
  properties[PROP_HMS_ERRORS] = g_param_spec_object ("hms-errors", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * PdPrinter:print-error:
   *
   * The error that stopped or paused the job, "0500_4003"; %NULL when none.
   */
  properties[PROP_PRINT_ERROR] = g_param_spec_string ("print-error", NULL, NULL, NULL, ro);
  properties[PROP_PRINT_ERROR_CODE] =
    g_param_spec_uint ("print-error-code", NULL, NULL, 0, G_MAXUINT32, 0, ro);
  /**
   * PdPrinter:ams-units:
   *
   * The AMS units (#PdAmsUnit), by id.
   */
  properties[PROP_AMS_UNITS] = g_param_spec_object ("ams-units", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * PdPrinter:ams-external:
   *
   * The external spools (#PdAmsTray, slot 254 and on dual-nozzle models 255).
   */
  properties[PROP_AMS_EXTERNAL] = g_param_spec_object ("ams-external", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  /**
   * PdPrinter:active-unit:
   *
   * The AMS unit id of the loaded filament, or -1 (none, or an external spool).
   */
  properties[PROP_ACTIVE_UNIT] = g_param_spec_int ("active-unit", NULL, NULL, -1, 255, -1, ro);
  /**
   * PdPrinter:active-slot:
   *
   * The slot of the loaded filament, 254/255 for an external spool, -1 for none.
   */
  properties[PROP_ACTIVE_SLOT] = g_param_spec_int ("active-slot", NULL, NULL, -1, 255, -1, ro);
  properties[PROP_CAMERA_KIND] =
    g_param_spec_enum ("camera-kind", NULL, NULL, PD_TYPE_CAMERA_KIND, PD_CAMERA_KIND_UNKNOWN, ro);
  /**
   * PdPrinter:wifi-dbm:
   *
   * The Wi-Fi signal in dBm, or 0 when not reported.
   */
  properties[PROP_WIFI_DBM] = g_param_spec_int ("wifi-dbm", NULL, NULL, -127, 0, 0, ro);
  properties[PROP_LIGHT] =
    g_param_spec_enum ("light", NULL, NULL, PD_TYPE_TRISTATE, PD_TRISTATE_UNKNOWN, ro);
  properties[PROP_DOOR_OPEN] =
    g_param_spec_enum ("door-open", NULL, NULL, PD_TYPE_TRISTATE, PD_TRISTATE_UNKNOWN, ro);
  properties[PROP_FIRMWARE] = g_param_spec_string ("firmware", NULL, NULL, NULL, ro);
  /**
   * PdPrinter:last-report-time:
   *
   * When the last report arrived (µs, the clock it was applied with), 0 never.
   */
  properties[PROP_LAST_REPORT_TIME] =
    g_param_spec_int64 ("last-report-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * PdPrinter:state:
   *
   * The whole state, for the state document; notified when the document changed.
   */
  properties[PROP_STATE] = g_param_spec_boxed ("state", NULL, NULL, PD_TYPE_STATE, ro);
  /**
   * PdPrinter:stale:
   *
   * The state was restored from the cache of an earlier run and no report
   * has arrived since: it is the last known state, not the current one.
   */
  properties[PROP_STALE] = g_param_spec_boolean ("stale", NULL, NULL, FALSE, ro);
  /**
   * PdPrinter:connection-reason:
   *
   * Why the printer is not connected (or not yet), as its session says:
   * pd_session_reason_to_label() puts it in words.
   */
  properties[PROP_CONNECTION_REASON] =
    g_param_spec_enum ("connection-reason", NULL, NULL, PD_TYPE_SESSION_REASON, PD_SESSION_REASON_NONE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PdPrinter::state-changed:
   * @self: the printer
   * @changes: (element-type utf8): the paths in the state document that changed
   *
   * Emitted after the properties were updated, when the document changed.
   */
  signals[STATE_CHANGED] =
    g_signal_new ("state-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
pd_printer_init (PdPrinter *self)
{
  self->state = pd_state_new (NULL);
  self->connection = PD_CONNECTION_NONE;
  self->nozzle = _pd_temperature_new ();
  self->bed = _pd_temperature_new ();
  self->hms_errors = g_list_store_new (PD_TYPE_HMS_ERROR);
  self->hms_linger_ms = HMS_LINGER_DEFAULT_MS;
  g_signal_connect_object (pd_hms_database_get_default (), "changed", G_CALLBACK (hms_describe_all), self,
                           G_CONNECT_SWAPPED);
  self->ams_units = g_list_store_new (PD_TYPE_AMS_UNIT);
  self->ams_external = g_list_store_new (PD_TYPE_AMS_TRAY);
  self->active_unit = -1;
  self->active_slot = -1;
}

/**
 * pd_printer_new:
 * @serial: (nullable): the printer's serial number
 *
 * Returns: (transfer full): a printer that has not reported yet
 */
PdPrinter *
pd_printer_new (const char *serial)
{
  return g_object_new (PD_TYPE_PRINTER, "serial", serial, NULL);
}

/**
 * pd_printer_get_state:
 * @self: a printer
 *
 * Returns: (transfer none): the current state (immutable; take a reference
 *   to keep it)
 */
PdState *
pd_printer_get_state (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->state;
}

/* Returns whether anything changed. */
static gboolean
store_details (PdPrinter         *self,
               PdJobDetailsStatus status,
               PdJobDetails      *details,
               const char        *message)
{
  gboolean changed = status != self->details_status || details != self->details ||
                     g_strcmp0 (message, self->details_message) != 0;

  if (!changed)
    return FALSE;

  self->details_status = status;
  if (details != self->details)
    {
      g_clear_pointer (&self->details, pd_job_details_unref);
      if (details != NULL)
        self->details = pd_job_details_ref (details);
    }
  if (g_strcmp0 (message, self->details_message) != 0)
    {
      g_free (self->details_message);
      self->details_message = g_strdup (message);
    }
  if (self->job != NULL)
    _pd_job_set_details (self->job, status, details, message);

  return TRUE;
}

PdJobDetailsStatus
pd_printer_get_job_details_status (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_JOB_DETAILS_NONE);

  return self->details_status;
}

/* The grams come from the job's details, for the job they were read for. */
static void
fill_grams (PdPrinter *self,
            PdState   *state)
{
  PdJobDetails *details = self->details;

  if (details == NULL || state->job_generation != self->details_generation)
    {
      state->grams_total = NAN;
      state->grams_used = NAN;
      return;
    }

  state->grams_total = pd_job_details_get_total_grams (details);
  state->grams_used = pd_job_details_estimate_used_grams (details, state->progress, state->layer,
                                                          pd_state_get_total_layers (state));
  /* a tenth of a gram is what is shown: no state change for less */
  state->grams_used = round (state->grams_used * 10) / 10;
}

/**
 * pd_printer_set_job_details:
 * @self: a printer
 * @status: whether the current job's file was read
 * @details: (nullable): what it says, when @status is %PD_JOB_DETAILS_READY
 * @message: (nullable): why not, in plain words, when it is
 *   %PD_JOB_DETAILS_UNAVAILABLE
 *
 * Sets the details of the job under way (PdJobTracker reads them); the job's
 * grams follow its progress from then on. A new job clears them.
 */
void
pd_printer_set_job_details (PdPrinter         *self,
                            PdJobDetailsStatus status,
                            PdJobDetails      *details,
                            const char        *message)
{
  g_autoptr (PdState)   state = NULL;
  g_autoptr (GPtrArray) changes = NULL;

  g_return_if_fail (PD_IS_PRINTER (self));
  g_return_if_fail ((status == PD_JOB_DETAILS_READY) == (details != NULL));

  if (!store_details (self, status, details, message) && self->details_generation == self->state->job_generation)
    return;
  self->details_generation = self->state->job_generation;

  state = pd_state_copy (self->state);
  fill_grams (self, state);
  if (!(isnan (state->grams_total) && isnan (self->state->grams_total)) &&
      (state->grams_total != self->state->grams_total || state->grams_used != self->state->grams_used))
    changes = replace_state (self, state);
}

/**
 * pd_printer_set_state:
 * @self: a printer
 * @state: a state of this printer, e.g. the one cached when the app quit
 *
 * The serial stays the printer's own.
 */
void
pd_printer_set_state (PdPrinter *self,
                      PdState   *state)
{
  g_autoptr (GPtrArray) changes = NULL;

  g_return_if_fail (PD_IS_PRINTER (self));
  g_return_if_fail (state != NULL);
  g_return_if_fail (g_strcmp0 (state->serial, self->state->serial) == 0);

  changes = replace_state (self, state);
}

/**
 * pd_printer_apply_report:
 * @self: a printer
 * @report: one report from the printer
 * @now: when it arrived, in µs (g_get_real_time() for a live printer)
 * @changes: (out) (optional) (transfer full) (element-type utf8): the paths
 *   of the state document that changed
 * @warnings: (nullable) (element-type utf8): where to add values that were
 *   ignored
 * @error: return location for an error
 *
 * Merges @report into the printer's state and updates the properties.
 *
 * Returns: %TRUE if the report was applied; %FALSE with @error set if it
 *   was rejected, and then nothing changed
 */
gboolean
pd_printer_apply_report (PdPrinter  *self,
                         JsonNode   *report,
                         gint64      now,
                         GPtrArray **changes,
                         GPtrArray  *warnings,
                         GError    **error)
{
  g_autoptr (PdState)   state = NULL;
  g_autoptr (GPtrArray) changed = NULL;

  g_return_val_if_fail (PD_IS_PRINTER (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  state = pd_report_merge (self->state, report, now, warnings, error);
  if (state == NULL)
    return FALSE;

  fill_grams (self, state);
  changed = replace_state (self, state);
  /* a new job: the details were the last one's */
  if (state->job_generation != self->details_generation)
    store_details (self, PD_JOB_DETAILS_NONE, NULL, NULL);
  pd_printer_set_stale (self, FALSE);
  if (changes != NULL)
    *changes = g_steal_pointer (&changed);

  return TRUE;
}

PdSessionReason
pd_printer_get_connection_reason (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_SESSION_REASON_NONE);

  return self->connection_reason;
}

void
pd_printer_set_connection_reason (PdPrinter      *self,
                                  PdSessionReason reason)
{
  g_return_if_fail (PD_IS_PRINTER (self));

  _PD_UPDATE (self, self->connection_reason, reason, properties[PROP_CONNECTION_REASON]);
}

gboolean
pd_printer_get_stale (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), FALSE);

  return self->stale;
}

/**
 * pd_printer_set_stale:
 * @self: a printer
 * @stale: whether the state is only the last known one
 *
 * Set after restoring a cached state; the next report clears it.
 */
void
pd_printer_set_stale (PdPrinter *self,
                      gboolean   stale)
{
  g_return_if_fail (PD_IS_PRINTER (self));

  _PD_UPDATE (self, self->stale, !!stale, properties[PROP_STALE]);
}

const char *
pd_printer_get_serial (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->state->serial;
}

const char *
pd_printer_get_name (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->state->name;
}

void
pd_printer_set_name (PdPrinter  *self,
                     const char *name)
{
  g_autoptr (PdState)   state = NULL;
  g_autoptr (GPtrArray) changes = NULL;

  g_return_if_fail (PD_IS_PRINTER (self));

  if (g_strcmp0 (name, self->state->name) == 0)
    return;

  state = pd_state_with_identity (self->state, name, self->state->model_config);
  changes = replace_state (self, state);
}

const char *
pd_printer_get_configured_model (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->state->model_config;
}

void
pd_printer_set_configured_model (PdPrinter  *self,
                                 const char *model)
{
  g_autoptr (PdState)   state = NULL;
  g_autoptr (GPtrArray) changes = NULL;

  g_return_if_fail (PD_IS_PRINTER (self));

  if (g_strcmp0 (model, self->state->model_config) == 0)
    return;

  state = pd_state_with_identity (self->state, self->state->name, model);
  changes = replace_state (self, state);
}

const char *
pd_printer_get_model (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->model;
}

const char *
pd_printer_get_model_name (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->model_name;
}

PdConnection
pd_printer_get_connection (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_CONNECTION_NONE);

  return self->connection;
}

/**
 * pd_printer_set_connection:
 * @self: a printer
 * @connection: the session's connection state
 *
 * A disconnected printer's status is %PD_STATUS_OFFLINE; the rest of its
 * state is kept as it was last reported.
 */
void
pd_printer_set_connection (PdPrinter   *self,
                           PdConnection connection)
{
  g_autoptr (PdState)   state = NULL;
  g_autoptr (GPtrArray) changes = NULL;

  g_return_if_fail (PD_IS_PRINTER (self));

  state = pd_state_with_connection (self->state, connection);
  changes = replace_state (self, state);
}

PdStatus
pd_printer_get_status (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_STATUS_UNKNOWN);

  return self->status;
}

const char *
pd_printer_get_stage (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->stage;
}

/**
 * pd_printer_get_nozzle:
 * @self: a printer
 *
 * Returns: (transfer none): the nozzle (the left one on dual-nozzle models)
 */
PdTemperature *
pd_printer_get_nozzle (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->nozzle;
}

/**
 * pd_printer_get_nozzle_right:
 * @self: a printer
 *
 * Returns: (transfer none) (nullable): the right nozzle of a dual-nozzle printer
 */
PdTemperature *
pd_printer_get_nozzle_right (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->nozzle_right;
}

/**
 * pd_printer_get_bed:
 * @self: a printer
 *
 * Returns: (transfer none): the bed
 */
PdTemperature *
pd_printer_get_bed (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->bed;
}

/**
 * pd_printer_get_chamber:
 * @self: a printer
 *
 * Returns: (transfer none) (nullable): the chamber, if the model has a sensor
 */
PdTemperature *
pd_printer_get_chamber (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->chamber;
}

/**
 * pd_printer_get_job:
 * @self: a printer
 *
 * Returns: (transfer none) (nullable): the current or last job
 */
PdJob *
pd_printer_get_job (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->job;
}

PdSeverity
pd_printer_get_hms_level (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_SEVERITY_NONE);

  return self->hms_level;
}

/**
 * pd_printer_get_hms_errors:
 * @self: a printer
 *
 * Returns: (transfer none): the active HMS entries, most severe first
 */
GListModel *
pd_printer_get_hms_errors (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return G_LIST_MODEL (self->hms_errors);
}

const char *
pd_printer_get_print_error (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->print_error;
}

guint32
pd_printer_get_print_error_code (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), 0);

  return self->print_error_code;
}

/**
 * pd_printer_get_ams_units:
 * @self: a printer
 *
 * Returns: (transfer none): the AMS units, by id
 */
GListModel *
pd_printer_get_ams_units (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return G_LIST_MODEL (self->ams_units);
}

/**
 * pd_printer_get_ams_external:
 * @self: a printer
 *
 * Returns: (transfer none): the external spools
 */
GListModel *
pd_printer_get_ams_external (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return G_LIST_MODEL (self->ams_external);
}

int
pd_printer_get_active_unit (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), -1);

  return self->active_unit;
}

int
pd_printer_get_active_slot (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), -1);

  return self->active_slot;
}

PdCameraKind
pd_printer_get_camera_kind (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_CAMERA_KIND_UNKNOWN);

  return self->camera_kind;
}

int
pd_printer_get_wifi_dbm (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), 0);

  return self->wifi_dbm;
}

PdTristate
pd_printer_get_light (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_TRISTATE_UNKNOWN);

  return self->light;
}

PdTristate
pd_printer_get_door_open (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), PD_TRISTATE_UNKNOWN);

  return self->door_open;
}

const char *
pd_printer_get_firmware (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), NULL);

  return self->firmware;
}

gint64
pd_printer_get_last_report_time (PdPrinter *self)
{
  g_return_val_if_fail (PD_IS_PRINTER (self), 0);

  return self->last_report_time;
}

/**
 * pd_printer_set_hms_linger:
 * @self: a printer
 * @milliseconds: how long an HMS entry stays listed after the printer
 *   stopped reporting it; 0 removes it at once
 */
void
pd_printer_set_hms_linger (PdPrinter *self,
                           guint      milliseconds)
{
  g_return_if_fail (PD_IS_PRINTER (self));

  self->hms_linger_ms = milliseconds;
}
