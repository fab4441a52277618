/* pd-sim-client.h — the simulator's own MQTT connection to its broker
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-sim-types.h"

G_BEGIN_DECLS

#define PD_TYPE_SIM_CLIENT (pd_sim_client_get_type ())

G_DECLARE_FINAL_TYPE (PdSimClient, pd_sim_client, PD, SIM_CLIENT, GObject)

PdSimClient *pd_sim_client_new (const char *user,
                                const char *password,
                                const char *subscription);
void         pd_sim_client_connect_async (PdSimClient        *self,
                                          guint16             port,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean     pd_sim_client_connect_finish (PdSimClient  *self,
                                           GAsyncResult *result,
                                           GError      **error);
void         pd_sim_client_disconnect (PdSimClient *self);
gboolean     pd_sim_client_is_connected (PdSimClient *self);
gboolean     pd_sim_client_publish (PdSimClient *self,
                                    const char  *topic,
                                    const void  *payload,
                                    gsize        length,
                                    int          qos);

G_END_DECLS
