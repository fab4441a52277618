/* pd-cameras-window.h — the camera wall: several printers' cameras at once
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-camera-manager.h"

G_BEGIN_DECLS

#define PD_TYPE_CAMERAS_WINDOW (pd_cameras_window_get_type ())

G_DECLARE_FINAL_TYPE (PdCamerasWindow, pd_cameras_window, PD, CAMERAS_WINDOW, AdwApplicationWindow)

GtkWidget  *pd_cameras_window_new (PdCameraManager *cameras);
void        pd_cameras_window_set_chosen (PdCamerasWindow   *self,
                                          const char *const *serials);
char      **pd_cameras_window_dup_chosen (PdCamerasWindow *self);

/* for the tests: the tiles' camera views, in order */
GPtrArray  *_pd_cameras_window_get_views (PdCamerasWindow *self);
GtkWidget  *_pd_cameras_window_get_scrolled (PdCamerasWindow *self);
const char *_pd_cameras_window_get_page (PdCamerasWindow *self);

G_END_DECLS
