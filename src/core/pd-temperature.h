/* pd-temperature.h — one heater's current and target temperature
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_TEMPERATURE (pd_temperature_get_type ())

G_DECLARE_FINAL_TYPE (PdTemperature, pd_temperature, PD, TEMPERATURE, GObject)

double pd_temperature_get_current (PdTemperature *self);
double pd_temperature_get_target (PdTemperature *self);

G_END_DECLS
