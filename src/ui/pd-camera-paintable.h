/* pd-camera-paintable.h — a printer's live camera as a GdkPaintable
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-camera-source.h"

G_BEGIN_DECLS

#define PD_TYPE_CAMERA_PAINTABLE (pd_camera_paintable_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraPaintable, pd_camera_paintable, PD, CAMERA_PAINTABLE, GObject)

PdCameraPaintable *pd_camera_paintable_new (PdCameraSource *source);
PdCameraPaintable *pd_camera_paintable_get_for_source (PdCameraSource *source);
PdCameraSource    *pd_camera_paintable_get_source (PdCameraPaintable *self);
void               pd_camera_paintable_set_direct_cairo (PdCameraPaintable *self,
                                                         gboolean           direct);
PdCameraFrame     *pd_camera_paintable_get_frame (PdCameraPaintable *self);
GdkTexture        *pd_camera_paintable_get_texture (PdCameraPaintable *self);
guint              pd_camera_paintable_get_n_conversions (PdCameraPaintable *self);

G_END_DECLS
