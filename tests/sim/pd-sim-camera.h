/* pd-sim-camera.h — a simulated printer's camera: RTSPS or the port-6000 JPEG stream
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-types.h"
#include "pd-sim-types.h"

G_BEGIN_DECLS

#define PD_SIM_CAMERA_RTSP_PATH "/streaming/live/1"

#define PD_TYPE_SIM_CAMERA (pd_sim_camera_get_type ())

G_DECLARE_FINAL_TYPE (PdSimCamera, pd_sim_camera, PD, SIM_CAMERA, GObject)

gboolean     pd_sim_camera_init_gstreamer (GError **error);
void         pd_sim_camera_default_size (PdCameraKind kind,
                                         int         *width,
                                         int         *height,
                                         int         *fps);

PdSimCamera *pd_sim_camera_new (PdCameraKind     kind,
                                const char      *name,
                                const char      *access_code,
                                GTlsCertificate *certificate,
                                int              width,
                                int              height,
                                int              fps,
                                GMainContext    *context);
gboolean     pd_sim_camera_listen (PdSimCamera *self,
                                   GError     **error);
void         pd_sim_camera_close (PdSimCamera *self);
gboolean     pd_sim_camera_is_listening (PdSimCamera *self);

guint16      pd_sim_camera_get_port (PdSimCamera *self);
char        *pd_sim_camera_dup_url (PdSimCamera *self);
void         pd_sim_camera_set_certificate (PdSimCamera     *self,
                                            GTlsCertificate *certificate);
void         pd_sim_camera_set_access_code (PdSimCamera *self,
                                            const char  *access_code);

guint        pd_sim_camera_get_n_clients (PdSimCamera *self);
guint        pd_sim_camera_get_n_connections (PdSimCamera *self);
guint        pd_sim_camera_get_n_sessions (PdSimCamera *self);
guint64      pd_sim_camera_get_n_frames (PdSimCamera *self);

void         pd_sim_camera_set_max_clients (PdSimCamera *self,
                                            guint        max_clients);
guint        pd_sim_camera_get_max_clients (PdSimCamera *self);
void         pd_sim_camera_set_fault (PdSimCamera     *self,
                                      PdSimCameraFault fault);
guint        pd_sim_camera_drop_clients (PdSimCamera *self);

G_END_DECLS
