/* pd-camera-view.h — a printer's live camera
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-camera-paintable.h"
#include "pd-camera-source.h"

G_BEGIN_DECLS

#define PD_TYPE_CAMERA_VIEW (pd_camera_view_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraView, pd_camera_view, PD, CAMERA_VIEW, GtkWidget)

GtkWidget         *pd_camera_view_new (PdCameraSource *source);
PdCameraSource    *pd_camera_view_get_source (PdCameraView *self);
void               pd_camera_view_set_source (PdCameraView   *self,
                                              PdCameraSource *source);
const char        *pd_camera_view_get_printer_name (PdCameraView *self);
void               pd_camera_view_set_printer_name (PdCameraView *self,
                                                    const char   *printer_name);
gboolean           pd_camera_view_get_live (PdCameraView *self);
void               pd_camera_view_set_live (PdCameraView *self,
                                            gboolean      live);
double             pd_camera_view_get_aspect_ratio (PdCameraView *self);
void               pd_camera_view_set_aspect_ratio (PdCameraView *self,
                                                    double        aspect_ratio);
guint              pd_camera_view_get_max_fps (PdCameraView *self);
void               pd_camera_view_set_max_fps (PdCameraView *self,
                                               guint         max_fps);
gboolean           pd_camera_view_get_has_picture (PdCameraView *self);
const char        *pd_camera_view_get_status (PdCameraView *self);
PdCameraPaintable *pd_camera_view_get_paintable (PdCameraView *self);
guint              pd_camera_view_get_viewer_id (PdCameraView *self);

G_END_DECLS
