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
  int         humidity_percent;
  int         humidity_level;
  double      temperature;
  gboolean    drying_supported;
  gboolean    drying;
  int         drying_remaining_minutes;
  GListStore *trays;
};

G_DEFINE_FINAL_TYPE (PdAmsUnit, pd_ams_unit, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_UNIT_TYPE,
  PROP_HUMIDITY_PERCENT,
  PROP_HUMIDITY_LEVEL,
  PROP_TEMPERATURE,
  PROP_DRYING_SUPPORTED,
  PROP_DRYING,
  PROP_DRYING_REMAINING_MINUTES,
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
  properties[PROP_DRYING_SUPPORTED] =
    g_param_spec_boolean ("drying-supported", NULL, NULL, FALSE, flags);
  properties[PROP_DRYING] =
    g_param_spec_boolean ("drying", NULL, NULL, FALSE, flags);
  properties[PROP_DRYING_REMAINING_MINUTES] =
    g_param_spec_int ("drying-remaining-minutes", NULL, NULL, -1, G_MAXINT, -1, flags);
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

void
_pd_ams_unit_update (PdAmsUnit            *self,
                     const PdState        *state,
                     const PdAmsUnitState *unit)
{
  PdAmsType unit_type;
  gboolean  drying_supported, drying = FALSE;
  int       remaining = -1;

  g_return_if_fail (PD_IS_AMS_UNIT (self));
  g_return_if_fail (state != NULL && unit != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  unit_type = pd_state_get_unit_type (state, unit);
  _PD_UPDATE (self, self->unit_type, unit_type, properties[PROP_UNIT_TYPE]);

  _PD_UPDATE (self, self->humidity_percent, unit->humidity_raw, properties[PROP_HUMIDITY_PERCENT]);
  _PD_UPDATE (self, self->humidity_level, pd_state_get_humidity_level (unit), properties[PROP_HUMIDITY_LEVEL]);

  _pd_update_double (self, &self->temperature, unit->temperature, properties[PROP_TEMPERATURE]);

  drying_supported = pd_state_get_unit_drying (unit, &drying, &remaining);
  _PD_UPDATE (self, self->drying_supported, drying_supported, properties[PROP_DRYING_SUPPORTED]);
  _PD_UPDATE (self, self->drying, drying, properties[PROP_DRYING]);
  _PD_UPDATE (self, self->drying_remaining_minutes, remaining, properties[PROP_DRYING_REMAINING_MINUTES]);

  _pd_ams_trays_sync (self->trays, state, unit, unit->trays, unit->n_trays);

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
