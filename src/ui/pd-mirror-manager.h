/* pd-mirror-manager.h — the app's mirror: settings, token, certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-mirror-server.h"
#include "pd-printer-store.h"

G_BEGIN_DECLS

#define PD_TYPE_MIRROR_MANAGER (pd_mirror_manager_get_type ())

G_DECLARE_FINAL_TYPE (PdMirrorManager, pd_mirror_manager, PD, MIRROR_MANAGER, GObject)

PdMirrorManager *pd_mirror_manager_new (PdPrinterStore *store,
                                        GSettings      *settings);
void             pd_mirror_manager_shutdown (PdMirrorManager *self);

PdPrinterStore  *pd_mirror_manager_get_store (PdMirrorManager *self);
GSettings       *pd_mirror_manager_get_settings (PdMirrorManager *self);
PdMirrorServer  *pd_mirror_manager_get_server (PdMirrorManager *self);
gboolean         pd_mirror_manager_get_running (PdMirrorManager *self);
const char      *pd_mirror_manager_get_error (PdMirrorManager *self);
const char      *pd_mirror_manager_get_url (PdMirrorManager *self);
const char      *pd_mirror_manager_get_fingerprint (PdMirrorManager *self);
char            *pd_mirror_manager_dup_link (PdMirrorManager *self);

void             pd_mirror_manager_regenerate_token_async (PdMirrorManager    *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean         pd_mirror_manager_regenerate_token_finish (PdMirrorManager *self,
                                                            GAsyncResult    *result,
                                                            GError         **error);

char            *pd_mirror_lan_address (void);

G_END_DECLS
