/* pd-ams-unit.c — one AMS unit and its slots
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-ams-unit"

#include "config.h"

#include "pd-enum-types.h"
#include "pd-printer-private.h"

struct _PdAmsUnit
{
  GObject     parent_instance;

  int         id;
  PdAmsType   unit_type;
  char       *name;
  PdExtruder  extruder;
  int         humidity_percent;
  int         humidity_level;
  double      temperature;
  gboolean    drying_supported;
  gboolean    drying;
  int         drying_remaining_minutes;
  gboolean    holds_filament;
  GListStore *trays;
};

G_DEFINE_FINAL_TYPE (PdAmsUnit, pd_ams_unit, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_UNIT_TYPE,
  PROP_NAME,
  PROP_EXTRUDER,
  PROP_HUMIDITY_PERCENT,
  PROP_HUMIDITY_LEVEL,
  PROP_TEMPERATURE,
  PROP_DRYING_SUPPORTED,
  PROP_DRYING,
  PROP_DRYING_REMAINING_MINUTES,
  PROP_HOLDS_FILAMENT,
  PROP_TRAYS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pd_ams_unit_dispose (GObject *object)
{
  PdAmsUnit *self = PD_AMS_UNIT (object);

  g_clear_object (&self->trays);

  G_OBJECT_CLASS (pd_ams_unit_parent_class)->dispose (object);
}

static void
pd_ams_unit_finalize (GObject *object)
{
  PdAmsUnit *self = PD_AMS_UNIT (object);

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (pd_ams_unit_parent_class)->finalize (object);
}

static void
pd_ams_unit_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PdAmsUnit *self = PD_AMS_UNIT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int (value, self->id);
      break;

    case PROP_UNIT_TYPE:
      g_value_set_enum (value, self->unit_type);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_EXTRUDER:
      g_value_set_enum (value, self->extruder);
      break;

    case PROP_HUMIDITY_PERCENT:
      g_value_set_int (value, self->humidity_percent);
      break;

    case PROP_HUMIDITY_LEVEL:
      g_value_set_int (value, self->humidity_level);
      break;

    case PROP_TEMPERATURE:
      g_value_set_double (value, self->temperature);
      break;

    case PROP_DRYING_SUPPORTED:
      g_value_set_boolean (value, self->drying_supported);
      break;

    case PROP_DRYING:
      g_value_set_boolean (value, self->drying);
      break;

    case PROP_DRYING_REMAINING_MINUTES:
      g_value_set_int (value, self->drying_remaining_minutes);
      break;

    case PROP_HOLDS_FILAMENT:
      g_value_set_boolean (value, self->holds_filament);
      break;

    case PROP_TRAYS:
      g_value_set_object (value, self->trays);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_unit_class_init (PdAmsUnitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_ams_unit_dispose;
  object_class->finalize = pd_ams_unit_finalize;
  object_class->get_property = pd_ams_unit_get_property;

  /**
   * PdAmsUnit:id:
   *
   * The printer's id for the unit: 0–3, 128–135 for AMS HT; not a position.
   */
  properties[PROP_ID] = g_param_spec_int ("id", NULL, NULL, 0, 255, 0, flags);
  properties[PROP_UNIT_TYPE] =
    g_param_spec_enum ("unit-type", NULL, NULL, PD_TYPE_AMS_TYPE, PD_AMS_TYPE_UNKNOWN, flags);
  /**
   * PdAmsUnit:name:
   *
   * The unit's name as Bambu's apps show it: "AMS A"…"AMS D" by id,
   * "HT-A"…"HT-H" for AMS HT units, "AMS lite". A product name, not
   * translated.
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * PdAmsUnit:extruder:
   *
   * The nozzle the unit feeds on a dual-nozzle printer (H2D, X2D);
   * %PD_EXTRUDER_UNKNOWN on single-nozzle printers and while not known.
   */
  properties[PROP_EXTRUDER] =
    g_param_spec_enum ("extruder", NULL, NULL, PD_TYPE_EXTRUDER, PD_EXTRUDER_UNKNOWN, flags);
  /**
   * PdAmsUnit:humidity-percent:
   *
   * Relative humidity in %, from units that measure it; -1 otherwise.
   */
  properties[PROP_HUMIDITY_PERCENT] =
    g_param_spec_int ("humidity-percent", NULL, NULL, -1, 100, -1, flags);
  /**
   * PdAmsUnit:humidity-level:
   *
   * Humidity level 1 (dry) … 5 (wet) as Bambu's apps show it, -1 when not
   * known. It is a level, not a percentage.
   */
  properties[PROP_HUMIDITY_LEVEL] =
    g_param_spec_int ("humidity-level", NULL, NULL, -1, 5, -1, flags);
  properties[PROP_TEMPERATURE] =
    g_param_spec_double ("temperature", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, flags);
  /**
   * PdAmsUnit:drying-supported:
   *
   * The unit can dry filament (AMS 2 Pro, AMS HT) and reports its drying
   * state. The drying temperature is not reported by printers.
   */
  properties[PROP_DRYING_SUPPORTED] =
    g_param_spec_boolean ("drying-supported", NULL, NULL, FALSE, flags);
  /**
   * PdAmsUnit:drying:
   *
   * The unit is in a drying cycle (checking, heating, cooling down or
   * stopping); always %FALSE when drying is not supported.
   */
  properties[PROP_DRYING] =
    g_param_spec_boolean ("drying", NULL, NULL, FALSE, flags);
  /**
   * PdAmsUnit:drying-remaining-minutes:
   *
   * Minutes of drying left; 0 when not drying, -1 when drying is not
   * supported.
   */
  properties[PROP_DRYING_REMAINING_MINUTES] =
    g_param_spec_int ("drying-remaining-minutes", NULL, NULL, -1, G_MAXINT, -1, flags);
  /**
   * PdAmsUnit:holds-filament:
   *
   * At least one slot of the unit holds a spool.
   */
  properties[PROP_HOLDS_FILAMENT] =
    g_param_spec_boolean ("holds-filament", NULL, NULL, FALSE, flags);
  properties[PROP_TRAYS] =
    g_param_spec_object ("trays", NULL, NULL, G_TYPE_LIST_MODEL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_ams_unit_init (PdAmsUnit *self)
{
  self->humidity_percent = -1;
  self->humidity_level = -1;
  self->temperature = NAN;
  self->drying_remaining_minutes = -1;
  self->trays = g_list_store_new (PD_TYPE_AMS_TRAY);
}

PdAmsUnit *
_pd_ams_unit_new (int id)
{
  PdAmsUnit *self = g_object_new (PD_TYPE_AMS_UNIT, NULL);

  self->id = id;

  return self;
}

/* "AMS A"…, "HT-A"…, "AMS lite": how Bambu Studio and the printers' screens
 * name the units. The A2L reports its AMS lite as unit 16.
 */
char *
pd_ams_unit_name_for (int       id,
                      PdAmsType unit_type)
{
  if (unit_type == PD_AMS_TYPE_AMS_LITE || id == 16)
    return g_strdup ("AMS lite");
  if (id >= 128 && id < 128 + 26)
    return g_strdup_printf ("HT-%c", 'A' + (id - 128));
  if (id >= 0 && id < 26)
    return g_strdup_printf ("AMS %c", 'A' + id);

  return g_strdup_printf ("AMS %d", id);
}

/* Info bits 8–11 name the extruder the unit feeds: 0 the right one, 1 the
 * left one, 0xE not initialised. Only meaningful with two extruders.
 */
static PdExtruder
unit_extruder (const PdState        *state,
               const PdAmsUnitState *unit)
{
  if (state->n_extruders < 2 || !unit->has_info)
    return PD_EXTRUDER_UNKNOWN;

  switch ((unit->info >> 8) & 0xF)
    {
    case 0: return PD_EXTRUDER_RIGHT;
    case 1: return PD_EXTRUDER_LEFT;
    default: return PD_EXTRUDER_UNKNOWN;
    }
}

void
_pd_ams_unit_update (PdAmsUnit            *self,
                     const PdState        *state,
                     const PdAmsUnitState *unit)
{
  PdAmsType        unit_type;
  PdExtruder       extruder;
  g_autofree char *name = NULL;
  gboolean         drying_supported, drying = FALSE;
  gboolean         holds_filament = FALSE;
  int              remaining = -1;

  g_return_if_fail (PD_IS_AMS_UNIT (self));
  g_return_if_fail (state != NULL && unit != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  unit_type = pd_state_get_unit_type (state, unit);
  _PD_UPDATE (self, self->unit_type, unit_type, properties[PROP_UNIT_TYPE]);

  name = pd_ams_unit_name_for (unit->id, unit_type);
  _pd_update_string (self, &self->name, name, properties[PROP_NAME]);

  extruder = unit_extruder (state, unit);
  _PD_UPDATE (self, self->extruder, extruder, properties[PROP_EXTRUDER]);

  _PD_UPDATE (self, self->humidity_percent, unit->humidity_raw, properties[PROP_HUMIDITY_PERCENT]);
  _PD_UPDATE (self, self->humidity_level, pd_state_get_humidity_level (unit), properties[PROP_HUMIDITY_LEVEL]);

  _pd_update_double (self, &self->temperature, unit->temperature, properties[PROP_TEMPERATURE]);

  drying_supported = pd_state_get_unit_drying_supported (state, unit);
  if (drying_supported)
    pd_state_get_unit_drying (unit, &drying, &remaining);
  _PD_UPDATE (self, self->drying_supported, drying_supported, properties[PROP_DRYING_SUPPORTED]);
  _PD_UPDATE (self, self->drying, drying, properties[PROP_DRYING]);
  _PD_UPDATE (self, self->drying_remaining_minutes, remaining, properties[PROP_DRYING_REMAINING_MINUTES]);

  _pd_ams_trays_sync (self->trays, state, unit, unit->trays, unit->n_trays);

  holds_filament = pd_state_get_unit_holds_filament (state, unit);
  _PD_UPDATE (self, self->holds_filament, holds_filament, properties[PROP_HOLDS_FILAMENT]);

  g_object_thaw_notify (G_OBJECT (self));
}

int
pd_ams_unit_get_id (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), 0);

  return self->id;
}

PdAmsType
pd_ams_unit_get_unit_type (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), PD_AMS_TYPE_UNKNOWN);

  return self->unit_type;
}

int
pd_ams_unit_get_humidity_percent (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), -1);

  return self->humidity_percent;
}

int
pd_ams_unit_get_humidity_level (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), -1);

  return self->humidity_level;
}

double
pd_ams_unit_get_temperature (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), NAN);

  return self->temperature;
}

gboolean
pd_ams_unit_get_drying_supported (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), FALSE);

  return self->drying_supported;
}

gboolean
pd_ams_unit_get_drying (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), FALSE);

  return self->drying;
}

int
pd_ams_unit_get_drying_remaining_minutes (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), -1);

  return self->drying_remaining_minutes;
}

/**
 * pd_ams_unit_get_trays:
 * @self: a unit
 *
 * Returns: (transfer none): the unit's slots (#PdAmsTray), by slot number
 */
GListModel *
pd_ams_unit_get_trays (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), NULL);

  return G_LIST_MODEL (self->trays);
}

/**
 * pd_ams_unit_get_name:
 * @self: a unit
 *
 * Returns: "AMS A"…"AMS D" for the classic units by id, "HT-A"…"HT-H" for
 *   AMS HT units, "AMS lite"
 */
const char *
pd_ams_unit_get_name (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), NULL);

  return self->name;
}

PdExtruder
pd_ams_unit_get_extruder (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), PD_EXTRUDER_UNKNOWN);

  return self->extruder;
}

gboolean
pd_ams_unit_get_holds_filament (PdAmsUnit *self)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), FALSE);

  return self->holds_filament;
}

/**
 * pd_ams_unit_get_humidity:
 * @self: a unit
 * @fair_percent: above this relative humidity the unit is "fair"
 * @high_percent: above this, "high"
 *
 * Rates the unit's humidity. A measured percentage is compared with the
 * thresholds; a unit that only reports the 1 (dry) … 5 (wet) level is high
 * at 4 and 5, fine below (a level is not a percentage, so the thresholds do
 * not apply to it).
 *
 * Returns: the rating, %PD_HUMIDITY_UNKNOWN when the unit reports neither
 */
PdHumidity
pd_ams_unit_get_humidity (PdAmsUnit *self,
                          guint      fair_percent,
                          guint      high_percent)
{
  g_return_val_if_fail (PD_IS_AMS_UNIT (self), PD_HUMIDITY_UNKNOWN);

  return pd_humidity_rate (self->humidity_percent, self->humidity_level, fair_percent, high_percent);
}
