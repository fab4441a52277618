/* pd-camera-window.h — one printer's camera in a window of its own
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-camera-manager.h"
#include "pd-camera-view.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_CAMERA_WINDOW (pd_camera_window_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraWindow, pd_camera_window, PD, CAMERA_WINDOW, AdwApplicationWindow)

GtkWidget    *pd_camera_window_new (PdCameraManager *cameras,
                                    PdPrinter       *printer);
PdPrinter    *pd_camera_window_get_printer (PdCameraWindow *self);
gboolean      pd_camera_window_get_compact (PdCameraWindow *self);
void          pd_camera_window_set_compact (PdCameraWindow *self,
                                            gboolean        compact);
void          pd_camera_window_add_toast (PdCameraWindow *self,
                                          AdwToast       *toast);

/* for the tests */
PdCameraView *_pd_camera_window_get_view (PdCameraWindow *self);
const char   *_pd_camera_window_get_subtitle (PdCameraWindow *self);

G_END_DECLS
