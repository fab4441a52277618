/* pd-ams-tray.h — one filament slot: an AMS tray or an external spool
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_AMS_TRAY (pd_ams_tray_get_type ())

G_DECLARE_FINAL_TYPE (PdAmsTray, pd_ams_tray, PD, AMS_TRAY, GObject)

int         pd_ams_tray_get_slot (PdAmsTray *self);
gboolean    pd_ams_tray_get_present (PdAmsTray *self);
const char *pd_ams_tray_get_material (PdAmsTray *self);
const char *pd_ams_tray_get_name (PdAmsTray *self);
const char *pd_ams_tray_get_color (PdAmsTray *self);
int         pd_ams_tray_get_remaining_percent (PdAmsTray *self);
int         pd_ams_tray_get_drying_temperature (PdAmsTray *self);
int         pd_ams_tray_get_drying_hours (PdAmsTray *self);
int         pd_ams_tray_get_nozzle_temp_min (PdAmsTray *self);
int         pd_ams_tray_get_nozzle_temp_max (PdAmsTray *self);

G_END_DECLS
