/* pd-session.h — the MQTT session that watches one printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pd-printer.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_SESSION (pd_session_get_type ())

G_DECLARE_FINAL_TYPE (PdSession, pd_session, PD, SESSION, GObject)

#define PD_SESSION_DEFAULT_PORT 8883

PdSession       *pd_session_new                    (PdPrinter           *printer,
                                                    const char          *host);
PdPrinter       *pd_session_get_printer            (PdSession           *self);
const char      *pd_session_get_host               (PdSession           *self);
void             pd_session_set_host               (PdSession           *self,
                                                    const char          *host);
guint            pd_session_get_port               (PdSession           *self);
void             pd_session_set_port               (PdSession           *self,
                                                    guint                port);
void             pd_session_set_access_code        (PdSession           *self,
                                                    const char          *access_code);
void             pd_session_set_bridge             (PdSession           *self,
                                                    const char          *username,
                                                    const char          *password,
                                                    gboolean             use_tls);
const char      *pd_session_get_pinned_fingerprint (PdSession           *self);
void             pd_session_set_pinned_fingerprint (PdSession           *self,
                                                    const char          *fingerprint);
const char      *pd_session_get_fingerprint        (PdSession           *self);
PdConnection     pd_session_get_connection         (PdSession           *self);
PdSessionReason  pd_session_get_reason             (PdSession           *self);
guint            pd_session_get_stale_timeout      (PdSession           *self);
void             pd_session_set_stale_timeout      (PdSession           *self,
                                                    guint                seconds);
guint            pd_session_get_n_attempts         (PdSession           *self);

void             pd_session_start                  (PdSession           *self);
void             pd_session_stop                   (PdSession           *self);
void             pd_session_reconnect              (PdSession           *self);
void             pd_session_accept_certificate     (PdSession           *self);

void             pd_session_send_async             (PdSession           *self,
                                                    JsonNode            *command,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
JsonNode        *pd_session_send_finish            (PdSession           *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
