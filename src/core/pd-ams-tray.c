/* pd-ams-tray.c — one filament slot: an AMS tray or an external spool
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-ams-tray"

#include "config.h"

#include "pd-list-sync.h"
#include "pd-printer-private.h"

struct _PdAmsTray
{
  GObject  parent_instance;

  int      slot;
  gboolean present;
  char    *material;
  char    *name;
  char    *color;
  int      remaining_percent;
  int      drying_temperature;
  int      drying_hours;
  int      nozzle_temp_min;
  int      nozzle_temp_max;
};

G_DEFINE_FINAL_TYPE (PdAmsTray, pd_ams_tray, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SLOT,
  PROP_PRESENT,
  PROP_MATERIAL,
  PROP_NAME,
  PROP_COLOR,
  PROP_REMAINING_PERCENT,
  PROP_DRYING_TEMPERATURE,
  PROP_DRYING_HOURS,
  PROP_NOZZLE_TEMP_MIN,
  PROP_NOZZLE_TEMP_MAX,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pd_ams_tray_finalize (GObject *object)
{
  PdAmsTray *self = PD_AMS_TRAY (object);

  g_clear_pointer (&self->material, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->color, g_free);

  G_OBJECT_CLASS (pd_ams_tray_parent_class)->finalize (object);
}

static void
pd_ams_tray_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PdAmsTray *self = PD_AMS_TRAY (object);

  switch (prop_id)
    {
    case PROP_SLOT:
      g_value_set_int (value, self->slot);
      break;

    case PROP_PRESENT:
      g_value_set_boolean (value, self->present);
      break;

    case PROP_MATERIAL:
      g_value_set_string (value, self->material);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_COLOR:
      g_value_set_string (value, self->color);
      break;

    case PROP_REMAINING_PERCENT:
      g_value_set_int (value, self->remaining_percent);
      break;

    case PROP_DRYING_TEMPERATURE:
      g_value_set_int (value, self->drying_temperature);
      break;

    case PROP_DRYING_HOURS:
      g_value_set_int (value, self->drying_hours);
      break;

    case PROP_NOZZLE_TEMP_MIN:
      g_value_set_int (value, self->nozzle_temp_min);
      break;

    case PROP_NOZZLE_TEMP_MAX:
      g_value_set_int (value, self->nozzle_temp_max);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_ams_tray_class_init (PdAmsTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pd_ams_tray_finalize;
  object_class->get_property = pd_ams_tray_get_property;

  /**
   * PdAmsTray:slot:
   *
   * The slot in its unit (0–3), or 254/255 for an external spool.
   */
  properties[PROP_SLOT] = g_param_spec_int ("slot", NULL, NULL, 0, 255, 0, flags);
  properties[PROP_PRESENT] = g_param_spec_boolean ("present", NULL, NULL, FALSE, flags);
  /**
   * PdAmsTray:material:
   *
   * "PLA", "PETG-CF"…; %NULL for an empty slot or a spool the AMS could not
   * identify (present but unknown: shown as "?").
   */
  properties[PROP_MATERIAL] = g_param_spec_string ("material", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * PdAmsTray:color:
   *
   * "#RRGGBBAA", or %NULL when not known.
   */
  properties[PROP_COLOR] = g_param_spec_string ("color", NULL, NULL, NULL, flags);
  /* -1 while not known, e.g. a spool without an RFID tag */
  properties[PROP_REMAINING_PERCENT] = g_param_spec_int ("remaining-percent", NULL, NULL, -1, 100, -1, flags);
  properties[PROP_DRYING_TEMPERATURE] = g_param_spec_int ("drying-temperature", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_DRYING_HOURS] = g_param_spec_int ("drying-hours", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_NOZZLE_TEMP_MIN] = g_param_spec_int ("nozzle-temp-min", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_NOZZLE_TEMP_MAX] = g_param_spec_int ("nozzle-temp-max", NULL, NULL, -1, G_MAXINT, -1, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_ams_tray_init (PdAmsTray *self)
{
  self->remaining_percent = -1;
  self->drying_temperature = -1;
  self->drying_hours = -1;
  self->nozzle_temp_min = -1;
  self->nozzle_temp_max = -1;
}

PdAmsTray *
_pd_ams_tray_new (int slot)
{
  PdAmsTray *self = g_object_new (PD_TYPE_AMS_TRAY, NULL);

  self->slot = slot;

  return self;
}

void
_pd_ams_tray_update (PdAmsTray            *self,
                     const PdState        *state,
                     const PdAmsUnitState *unit,
                     const PdTrayState    *tray)
{
  gboolean         present;
  g_autofree char *color = NULL;

  g_return_if_fail (PD_IS_AMS_TRAY (self));
  g_return_if_fail (state != NULL && tray != NULL);

  present = pd_state_get_tray_present (state, unit, tray);
  if (present)
    color = pd_tray_state_format_color (tray);

  _PD_UPDATE (self, self->present, present, properties[PROP_PRESENT]);

  _pd_update_string (self, &self->material, present ? tray->material : NULL, properties[PROP_MATERIAL]);
  _pd_update_string (self, &self->name, present ? pd_tray_state_get_display_name (tray) : NULL, properties[PROP_NAME]);
  _pd_update_string (self, &self->color, color, properties[PROP_COLOR]);
  _PD_UPDATE (self, self->remaining_percent, present ? pd_state_get_tray_remaining (tray) : -1, properties[PROP_REMAINING_PERCENT]);
  _PD_UPDATE (self, self->drying_temperature, present && tray->drying_temp > 0 ? tray->drying_temp : -1, properties[PROP_DRYING_TEMPERATURE]);
  _PD_UPDATE (self, self->drying_hours, present && tray->drying_hours > 0 ? tray->drying_hours : -1, properties[PROP_DRYING_HOURS]);
  _PD_UPDATE (self, self->nozzle_temp_min, present && tray->nozzle_temp_min > 0 ? tray->nozzle_temp_min : -1, properties[PROP_NOZZLE_TEMP_MIN]);
  _PD_UPDATE (self, self->nozzle_temp_max, present && tray->nozzle_temp_max > 0 ? tray->nozzle_temp_max : -1, properties[PROP_NOZZLE_TEMP_MAX]);
}

typedef struct
{
  const PdState        *state;
  const PdAmsUnitState *unit;
  const PdTrayState    *trays;
} TraySync;

static int
tray_compare (gpointer item,
              guint    index,
              gpointer user_data)
{
  TraySync *sync = user_data;

  return PD_AMS_TRAY (item)->slot - sync->trays[index].slot;
}

static gpointer
tray_create (guint    index,
             gpointer user_data)
{
  TraySync  *sync = user_data;
  PdAmsTray *tray = _pd_ams_tray_new (sync->trays[index].slot);

  _pd_ams_tray_update (tray, sync->state, sync->unit, &sync->trays[index]);
  return tray;
}

static void
tray_update (gpointer item,
             guint    index,
             gpointer user_data)
{
  TraySync *sync = user_data;

  _pd_ams_tray_update (item, sync->state, sync->unit, &sync->trays[index]);
}

/* Brings @store (PdAmsTray, by slot) in line with @trays (sorted by slot). */
void
_pd_ams_trays_sync (GListStore           *store,
                    const PdState        *state,
                    const PdAmsUnitState *unit,
                    const PdTrayState    *trays,
                    guint                 n_trays)
{
  TraySync sync = { state, unit, trays };

  _pd_list_store_sync (store, n_trays, tray_compare, tray_create, tray_update, &sync);
}

int
pd_ams_tray_get_slot (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), 0);

  return self->slot;
}

gboolean
pd_ams_tray_get_present (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), FALSE);

  return self->present;
}

const char *
pd_ams_tray_get_material (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), NULL);

  return self->material;
}

const char *
pd_ams_tray_get_name (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), NULL);

  return self->name;
}

const char *
pd_ams_tray_get_color (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), NULL);

  return self->color;
}

int
pd_ams_tray_get_remaining_percent (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), -1);

  return self->remaining_percent;
}

int
pd_ams_tray_get_drying_temperature (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), -1);

  return self->drying_temperature;
}

int
pd_ams_tray_get_drying_hours (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), -1);

  return self->drying_hours;
}

int
pd_ams_tray_get_nozzle_temp_min (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), -1);

  return self->nozzle_temp_min;
}

int
pd_ams_tray_get_nozzle_temp_max (PdAmsTray *self)
{
  g_return_val_if_fail (PD_IS_AMS_TRAY (self), -1);

  return self->nozzle_temp_max;
}
