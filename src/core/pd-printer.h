/* pd-printer.h — one printer's live state, as GObject properties
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pd-ams-tray.h"
#include "pd-ams-unit.h"
#include "pd-hms-error.h"
#include "pd-job.h"
#include "pd-state.h"
#include "pd-temperature.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_PRINTER (pd_printer_get_type ())

G_DECLARE_FINAL_TYPE (PdPrinter, pd_printer, PD, PRINTER, GObject)

PdPrinter      *pd_printer_new (const char *serial);

const char     *pd_printer_get_serial (PdPrinter *self);
const char     *pd_printer_get_name (PdPrinter *self);
void            pd_printer_set_name (PdPrinter  *self,
                                     const char *name);
const char     *pd_printer_get_configured_model (PdPrinter *self);
void            pd_printer_set_configured_model (PdPrinter  *self,
                                                 const char *model);
const char     *pd_printer_get_model (PdPrinter *self);
const char     *pd_printer_get_model_name (PdPrinter *self);
PdConnection    pd_printer_get_connection (PdPrinter *self);
void            pd_printer_set_connection (PdPrinter   *self,
                                           PdConnection connection);
PdStatus        pd_printer_get_status (PdPrinter *self);
const char     *pd_printer_get_stage (PdPrinter *self);
PdTemperature  *pd_printer_get_nozzle (PdPrinter *self);
PdTemperature  *pd_printer_get_nozzle_right (PdPrinter *self);
PdTemperature  *pd_printer_get_bed (PdPrinter *self);
PdTemperature  *pd_printer_get_chamber (PdPrinter *self);
PdJob          *pd_printer_get_job (PdPrinter *self);
PdJobDetailsStatus pd_printer_get_job_details_status (PdPrinter *self);
void            pd_printer_set_job_details (PdPrinter         *self,
                                            PdJobDetailsStatus status,
                                            PdJobDetails      *details,
                                            const char        *message);
PdSeverity      pd_printer_get_hms_level (PdPrinter *self);
GListModel     *pd_printer_get_hms_errors (PdPrinter *self);
void            pd_printer_set_hms_linger (PdPrinter *self,
                                           guint      milliseconds);
const char     *pd_printer_get_print_error (PdPrinter *self);
guint32         pd_printer_get_print_error_code (PdPrinter *self);
GListModel     *pd_printer_get_ams_units (PdPrinter *self);
GListModel     *pd_printer_get_ams_external (PdPrinter *self);
int             pd_printer_get_active_unit (PdPrinter *self);
int             pd_printer_get_active_slot (PdPrinter *self);
PdCameraKind    pd_printer_get_camera_kind (PdPrinter *self);
int             pd_printer_get_wifi_dbm (PdPrinter *self);
PdTristate      pd_printer_get_light (PdPrinter *self);
PdTristate      pd_printer_get_door_open (PdPrinter *self);
const char     *pd_printer_get_firmware (PdPrinter *self);
gint64          pd_printer_get_last_report_time (PdPrinter *self);

PdSessionReason pd_printer_get_connection_reason (PdPrinter *self);
void            pd_printer_set_connection_reason (PdPrinter      *self,
                                                  PdSessionReason reason);
gboolean        pd_printer_get_stale (PdPrinter *self);
void            pd_printer_set_stale (PdPrinter *self,
                                      gboolean   stale);
PdState        *pd_printer_get_state (PdPrinter *self);
void            pd_printer_set_state (PdPrinter *self,
                                      PdState   *state);
gboolean        pd_printer_apply_report (PdPrinter  *self,
                                         JsonNode   *report,
                                         gint64      now,
                                         GPtrArray **changes,
                                         GPtrArray  *warnings,
                                         GError    **error);

G_END_DECLS
