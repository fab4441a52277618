/* pd-mirror-server.h — the printers' live state for other screens
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A read-only HTTP + WebSocket server (libsoup 3): a snapshot of every
 * printer's state document on connect, then JSON Merge Patch deltas
 * (docs/mirror-protocol.md), and a web page that shows them.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_MIRROR_PROTOCOL_VERSION   1
#define PD_MIRROR_DEFAULT_PORT       8765
#define PD_MIRROR_DEFAULT_HISTORY    4096       /* deltas kept for ?since= */
#define PD_MIRROR_DEFAULT_QUEUE      (4 << 20)  /* bytes a client may lag behind */
#define PD_MIRROR_MAX_CLIENT_MESSAGE 4096       /* bytes; larger closes the client */
#define PD_MIRROR_PING_INTERVAL      20         /* s; a client silent for two is closed */

#define PD_MIRROR_ERROR (pd_mirror_error_quark ())

typedef enum
{
  PD_MIRROR_ERROR_FAILED,
  PD_MIRROR_ERROR_NO_TOKEN,
  PD_MIRROR_ERROR_NO_CERTIFICATE,
} PdMirrorError;

/**
 * PdMirrorSnapshotFunc:
 * @serial: a printer
 * @user_data: the data given with the function
 *
 * Returns: (transfer full) (nullable): the printer's latest camera frame as
 *   JPEG, or %NULL when its camera is not running
 */
typedef GBytes *(*PdMirrorSnapshotFunc) (const char *serial,
                                         gpointer    user_data);

#define PD_TYPE_MIRROR_SERVER (pd_mirror_server_get_type ())

G_DECLARE_FINAL_TYPE (PdMirrorServer, pd_mirror_server, PD, MIRROR_SERVER, GObject)

GQuark          pd_mirror_error_quark (void);

PdMirrorServer *pd_mirror_server_new (GListModel *printers);

void            pd_mirror_server_set_token (PdMirrorServer *self,
                                            const char     *token);
void            pd_mirror_server_set_tls_certificate (PdMirrorServer  *self,
                                                      GTlsCertificate *certificate);
void            pd_mirror_server_set_snapshot_func (PdMirrorServer      *self,
                                                    PdMirrorSnapshotFunc func,
                                                    gpointer             user_data,
                                                    GDestroyNotify       destroy);
void            pd_mirror_server_set_limits (PdMirrorServer *self,
                                             guint           history,
                                             gsize           queue_bytes);
void            pd_mirror_server_set_ping_interval (PdMirrorServer *self,
                                                    guint           seconds);
void            pd_mirror_server_set_max_clients (PdMirrorServer *self,
                                                  guint           max_clients);
void            pd_mirror_server_set_auth_limit (PdMirrorServer *self,
                                                 guint           max_failures,
                                                 guint           window_seconds);

gboolean        pd_mirror_server_start (PdMirrorServer *self,
                                        const char     *address,
                                        guint           port,
                                        GError        **error);
void            pd_mirror_server_stop (PdMirrorServer *self);
gboolean        pd_mirror_server_is_running (PdMirrorServer *self);
guint           pd_mirror_server_get_port (PdMirrorServer *self);
char           *pd_mirror_server_dup_url (PdMirrorServer *self,
                                          const char     *host);
guint           pd_mirror_server_get_n_clients (PdMirrorServer *self);
guint64         pd_mirror_server_get_seq (PdMirrorServer *self);

char           *pd_mirror_generate_token (void);

G_END_DECLS
