/* pd-ams-unit.h — one AMS unit and its slots
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-types.h"

G_BEGIN_DECLS

/* The humidity thresholds, in %, until the user sets others */
#define PD_HUMIDITY_DEFAULT_FAIR 40
#define PD_HUMIDITY_DEFAULT_HIGH 60

#define PD_TYPE_AMS_UNIT (pd_ams_unit_get_type ())

G_DECLARE_FINAL_TYPE (PdAmsUnit, pd_ams_unit, PD, AMS_UNIT, GObject)

int         pd_ams_unit_get_id (PdAmsUnit *self);
PdAmsType   pd_ams_unit_get_unit_type (PdAmsUnit *self);
int         pd_ams_unit_get_humidity_percent (PdAmsUnit *self);
int         pd_ams_unit_get_humidity_level (PdAmsUnit *self);
double      pd_ams_unit_get_temperature (PdAmsUnit *self);
gboolean    pd_ams_unit_get_drying_supported (PdAmsUnit *self);
gboolean    pd_ams_unit_get_drying (PdAmsUnit *self);
int         pd_ams_unit_get_drying_remaining_minutes (PdAmsUnit *self);
GListModel *pd_ams_unit_get_trays (PdAmsUnit *self);

/* "AMS A"…"AMS D", "HT-A"…"HT-H", "AMS lite": as Bambu names its units */
const char *pd_ams_unit_get_name (PdAmsUnit *self);
/* the nozzle the unit feeds, on dual-nozzle printers */
PdExtruder  pd_ams_unit_get_extruder (PdAmsUnit *self);
/* at least one slot holds a spool */
gboolean    pd_ams_unit_get_holds_filament (PdAmsUnit *self);
/* against thresholds in %: above @high_percent HIGH, above @fair_percent
 * FAIR; a unit that only reports the 1–5 level is HIGH at 4–5 (wet)
 */
PdHumidity  pd_ams_unit_get_humidity (PdAmsUnit *self,
                                      guint      fair_percent,
                                      guint      high_percent);

/* the same name for a unit known by its id and type */
char       *pd_ams_unit_name_for (int       id,
                                  PdAmsType unit_type);

G_END_DECLS
