/* pd-application.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-camera-manager.h"
#include "pd-debug-manager.h"
#include "pd-discovery.h"
#include "pd-notification-center.h"
#include "pd-printer-store.h"
#include "pd-snapshot-store.h"
#include "pd-temperature-history.h"
#include "pd-tray.h"

G_BEGIN_DECLS

#define PD_TYPE_APPLICATION (pd_application_get_type ())

G_DECLARE_FINAL_TYPE (PdApplication, pd_application, PD, APPLICATION, AdwApplication)

void                  pd_application_prepare_process (void);
PdApplication        *pd_application_new (const char       *application_id,
                                          GApplicationFlags flags);
GSettings            *pd_application_get_settings (PdApplication *self);
PdPrinterStore       *pd_application_get_store (PdApplication *self);
PdDiscovery          *pd_application_get_discovery (PdApplication *self);
PdCameraManager      *pd_application_get_cameras (PdApplication *self);
PdDebugManager       *pd_application_get_debug (PdApplication *self);
PdSnapshotStore      *pd_application_get_snapshot_store (PdApplication *self);
PdNotificationCenter *pd_application_get_notifications (PdApplication *self);
PdTray               *pd_application_get_tray (PdApplication *self);
PdTemperatureHistory *pd_application_get_history (PdApplication *self,
                                                  PdPrinter     *printer);
gboolean              pd_application_can_demo (PdApplication *self);
gboolean              pd_application_is_demo (PdApplication *self);

G_END_DECLS
