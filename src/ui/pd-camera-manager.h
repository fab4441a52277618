/* pd-camera-manager.h — the app's camera features
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer-store.h"
#include "pd-snapshot-store.h"

G_BEGIN_DECLS

/* How long a snapshot waits for a camera that is not streaming yet */
#define PD_CAMERA_GRAB_TIMEOUT_MS 15000

#define PD_TYPE_CAMERA_MANAGER (pd_camera_manager_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraManager, pd_camera_manager, PD, CAMERA_MANAGER, GObject)

PdCameraManager *pd_camera_manager_new (PdPrinterStore *store,
                                        GSettings      *settings,
                                        const char     *base_dir);
void             pd_camera_manager_add_actions (PdCameraManager *self,
                                                GtkApplication  *app);
void             pd_camera_manager_shutdown (PdCameraManager *self);

PdPrinterStore  *pd_camera_manager_get_store (PdCameraManager *self);
PdSnapshotStore *pd_camera_manager_get_snapshot_store (PdCameraManager *self);
GSettings       *pd_camera_manager_get_settings (PdCameraManager *self);
PdCameraSource  *pd_camera_manager_get_camera (PdCameraManager *self,
                                               PdPrinter       *printer);
gboolean         pd_camera_manager_has_camera (PdCameraManager *self,
                                               PdPrinter       *printer);

void             pd_camera_manager_take_snapshot_async (PdCameraManager    *self,
                                                        PdPrinter          *printer,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
GFile           *pd_camera_manager_take_snapshot_finish (PdCameraManager *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

GtkWindow       *pd_camera_manager_show_camera (PdCameraManager *self,
                                                PdPrinter       *printer);
GtkWindow       *pd_camera_manager_show_snapshots (PdCameraManager *self,
                                                   PdPrinter       *printer);
GtkWindow       *pd_camera_manager_show_cameras (PdCameraManager *self);

AdwToast        *pd_camera_manager_new_saved_toast (GFile *file);

G_END_DECLS
