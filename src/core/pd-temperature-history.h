/* pd-temperature-history.h — the last hour of a printer's temperatures
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pd-printer.h"

G_BEGIN_DECLS

typedef enum
{
  PD_HISTORY_NOZZLE,
  PD_HISTORY_NOZZLE_RIGHT,
  PD_HISTORY_BED,
  PD_HISTORY_CHAMBER,
  PD_HISTORY_N_SERIES,
} PdHistorySeries;

/* One series at one time, as the history hands it out. The history keeps
 * the values to 1/32 °C (see pd-temperature-history.c).
 */
typedef struct
{
  gint64 time;    /* µs, g_get_real_time () */
  float  current; /* °C, NAN when not known */
  float  target;  /* °C, NAN when not known */
} PdHistorySample;

#define PD_TYPE_TEMPERATURE_HISTORY (pd_temperature_history_get_type ())

/* Records a sample per series at most every @interval (default 5 s) while
 * the printer reports, keeps @duration (default 60 min); emits "changed". */
G_DECLARE_FINAL_TYPE (PdTemperatureHistory, pd_temperature_history, PD, TEMPERATURE_HISTORY, GObject)

PdTemperatureHistory *pd_temperature_history_new (PdPrinter *printer);
void                  pd_temperature_history_set_duration (PdTemperatureHistory *self,
                                                           guint                 minutes);
void                  pd_temperature_history_set_interval (PdTemperatureHistory *self,
                                                           guint                 seconds);
guint                 pd_temperature_history_get_n_samples (PdTemperatureHistory *self);
PdHistorySample      *pd_temperature_history_dup_samples (PdTemperatureHistory *self,
                                                          PdHistorySeries       series,
                                                          guint                *n_samples);
void                  pd_temperature_history_add (PdTemperatureHistory *self,
                                                  gint64                time);
PdPrinter            *pd_temperature_history_dup_printer (PdTemperatureHistory *self);
guint                 pd_temperature_history_get_duration (PdTemperatureHistory *self);
guint                 pd_temperature_history_get_interval (PdTemperatureHistory *self);

G_END_DECLS
