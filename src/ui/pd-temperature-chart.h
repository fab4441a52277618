/* pd-temperature-chart.h — a chart of a printer's recent temperatures
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-temperature-history.h"

G_BEGIN_DECLS

#define PD_TYPE_TEMPERATURE_CHART (pd_temperature_chart_get_type ())

G_DECLARE_FINAL_TYPE (PdTemperatureChart, pd_temperature_chart, PD, TEMPERATURE_CHART, GtkWidget)

GtkWidget            *pd_temperature_chart_new (PdTemperatureHistory *history);
PdTemperatureHistory *pd_temperature_chart_get_history (PdTemperatureChart *self);
void                  pd_temperature_chart_set_history (PdTemperatureChart   *self,
                                                        PdTemperatureHistory *history);
const char           *pd_temperature_chart_get_summary (PdTemperatureChart *self);

G_END_DECLS
