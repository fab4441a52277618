/* pd-camera-source.h — the one upstream camera connection of a printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RTSPS (X1/X2/H2/P2: H.264 over RTSP with TLS, port 322) through a GStreamer
 * pipeline ending in an appsink, or the port-6000 TLS JPEG stream (A1/P1)
 * through GIO. Printers serve about one camera client, so every view of a
 * printer shares its source: a view says it wants frames with
 * pd_camera_source_add_viewer() (and how large it shows them); the source
 * connects while at least one viewer is there, scales to the largest size any
 * viewer needs (never above the camera's own), and disconnects
 * PD_CAMERA_SOURCE_LINGER_MS after the last viewer left. It reconnects with
 * backoff and says why it cannot connect (PdCameraProblem + a message).
 *
 * Frames arrive on the main context of the thread that made the source, as
 * ::frame and as the "frame" property (the latest). Certificates follow
 * pd-cert-policy: Bambu-signed with CN = serial, or the pinned fingerprint,
 * or pinned on first use (::certificate-pinned).
 */

#pragma once

#include <gio/gio.h>

#include "pd-camera-frame.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_CAMERA_SOURCE_LINGER_MS 1500
#define PD_CAMERA_RTSPS_PORT       322
#define PD_CAMERA_JPEG_PORT        6000

#define PD_TYPE_CAMERA_SOURCE (pd_camera_source_get_type ())

G_DECLARE_FINAL_TYPE (PdCameraSource, pd_camera_source, PD, CAMERA_SOURCE, GObject)

PdCameraSource *pd_camera_source_new                    (PdCameraKind    kind,
                                                         const char     *host,
                                                         guint16         port,
                                                         const char     *serial);
PdCameraKind    pd_camera_source_get_kind               (PdCameraSource *self);
const char     *pd_camera_source_get_host               (PdCameraSource *self);
guint16         pd_camera_source_get_port               (PdCameraSource *self);
const char     *pd_camera_source_get_serial             (PdCameraSource *self);

/* Changing any of these restarts a running connection. */
void            pd_camera_source_set_kind               (PdCameraSource *self,
                                                         PdCameraKind    kind);
void            pd_camera_source_set_address            (PdCameraSource *self,
                                                         const char     *host,
                                                         guint16         port);
void            pd_camera_source_set_access_code        (PdCameraSource *self,
                                                         const char     *access_code);
void            pd_camera_source_set_pinned_fingerprint (PdCameraSource *self,
                                                         const char     *fingerprint);
/* The printer says LAN live view is off (ipcam.rtsp_url "disable"). */
void            pd_camera_source_set_liveview_disabled  (PdCameraSource *self,
                                                         gboolean        disabled);
/* The same access code logged in to MQTT: an EOF before the first frame then
 * means "busy", not "wrong access code". */
void            pd_camera_source_set_access_code_verified (PdCameraSource *self,
                                                           gboolean        verified);

/* Viewers. Sizes are in device pixels; 0 × 0 = the camera's full size. */
guint           pd_camera_source_add_viewer             (PdCameraSource *self,
                                                         int             width,
                                                         int             height);
void            pd_camera_source_update_viewer          (PdCameraSource *self,
                                                         guint           viewer_id,
                                                         int             width,
                                                         int             height);
void            pd_camera_source_remove_viewer          (PdCameraSource *self,
                                                         guint           viewer_id);
guint           pd_camera_source_get_n_viewers          (PdCameraSource *self);
void            pd_camera_source_set_linger             (PdCameraSource *self,
                                                         guint           linger_ms);

PdCameraState   pd_camera_source_get_state              (PdCameraSource *self);
PdCameraProblem pd_camera_source_get_problem            (PdCameraSource *self);
const char     *pd_camera_source_get_problem_message    (PdCameraSource *self);
PdCameraFrame  *pd_camera_source_get_frame              (PdCameraSource *self);
guint64         pd_camera_source_get_n_frames           (PdCameraSource *self);
guint64         pd_camera_source_get_n_connections      (PdCameraSource *self);
const char     *pd_camera_source_get_fingerprint        (PdCameraSource *self);

/* One full-size frame, connecting for it if nothing is streaming and
 * disconnecting afterwards (a viewer for just that long). */
void            pd_camera_source_grab_async             (PdCameraSource     *self,
                                                         guint               timeout_ms,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
PdCameraFrame  *pd_camera_source_grab_finish            (PdCameraSource *self,
                                                         GAsyncResult   *result,
                                                         GError        **error);

const char     *pd_camera_problem_to_label              (PdCameraProblem problem);
const char     *pd_camera_state_to_label                (PdCameraState   state);

G_END_DECLS
