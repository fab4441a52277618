/* pd-temperature.c — one heater's current and target temperature
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-temperature"

#include "config.h"

#include "pd-printer-private.h"

struct _PdTemperature
{
  GObject parent_instance;

  double  current;
  double  target;
};

G_DEFINE_FINAL_TYPE (PdTemperature, pd_temperature, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CURRENT,
  PROP_TARGET,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pd_temperature_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PdTemperature *self = PD_TEMPERATURE (object);

  switch (prop_id)
    {
    case PROP_CURRENT:
      g_value_set_double (value, self->current);
      break;

    case PROP_TARGET:
      g_value_set_double (value, self->target);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_temperature_class_init (PdTemperatureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pd_temperature_get_property;

  /**
   * PdTemperature:current:
   *
   * The measured temperature in °C, or NAN when not reported yet.
   */
  properties[PROP_CURRENT] =
    g_param_spec_double ("current", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * PdTemperature:target:
   *
   * The target in °C (0 = heater off), or NAN when not known or the heater
   * cannot be set (a chamber without a heater).
   */
  properties[PROP_TARGET] =
    g_param_spec_double ("target", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_temperature_init (PdTemperature *self)
{
  self->current = NAN;
  self->target = NAN;
}

PdTemperature *
_pd_temperature_new (void)
{
  return g_object_new (PD_TYPE_TEMPERATURE, NULL);
}

void
_pd_temperature_update (PdTemperature *self,
                        const PdTemp  *temp)
{
  g_return_if_fail (PD_IS_TEMPERATURE (self));
  g_return_if_fail (temp != NULL);

  _pd_update_double (self, &self->current, temp->current, properties[PROP_CURRENT]);
  _pd_update_double (self, &self->target, temp->target, properties[PROP_TARGET]);
}

double
pd_temperature_get_current (PdTemperature *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE (self), NAN);

  return self->current;
}

double
pd_temperature_get_target (PdTemperature *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE (self), NAN);

  return self->target;
}
