/* pd-camera-throttle.h — a camera picture redrawn at most N times a second
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PD_TYPE_CAMERA_THROTTLE (pd_camera_throttle_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraThrottle, pd_camera_throttle, PD, CAMERA_THROTTLE, GObject)

PdCameraThrottle *pd_camera_throttle_new         (GdkPaintable     *inner);
void              pd_camera_throttle_set_max_fps (PdCameraThrottle *self,
                                                  guint             max_fps);
guint             pd_camera_throttle_get_max_fps (PdCameraThrottle *self);

G_END_DECLS
