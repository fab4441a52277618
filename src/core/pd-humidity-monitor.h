/* pd-humidity-monitor.h — tells when an AMS unit holding filament gets too humid
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hook for notifications: watches the AMS units of the printers it is
 * given and emits ::humid when a unit that holds filament and is not drying
 * goes above the high threshold (or to level 4–5), at most once per unit per
 * cooldown.
 */

#pragma once

#include <glib-object.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_HUMIDITY_DEFAULT_FAIR     40
#define PD_HUMIDITY_DEFAULT_HIGH     60
#define PD_HUMIDITY_DEFAULT_COOLDOWN (6 * 60 * 60) /* seconds */

#define PD_TYPE_HUMIDITY_MONITOR (pd_humidity_monitor_get_type ())

G_DECLARE_FINAL_TYPE (PdHumidityMonitor, pd_humidity_monitor, PD, HUMIDITY_MONITOR, GObject)

PdHumidityMonitor *pd_humidity_monitor_new (void);
void               pd_humidity_monitor_add_printer (PdHumidityMonitor *self,
                                                    PdPrinter         *printer);
void               pd_humidity_monitor_remove_printer (PdHumidityMonitor *self,
                                                       PdPrinter         *printer);
void               pd_humidity_monitor_set_thresholds (PdHumidityMonitor *self,
                                                       guint              fair_percent,
                                                       guint              high_percent);
void               pd_humidity_monitor_set_cooldown (PdHumidityMonitor *self,
                                                     guint              seconds);

G_END_DECLS
