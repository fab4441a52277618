/* pd-sim-forwarder.h — a TCP relay in front of a printer's broker listener
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-sim-types.h"

G_BEGIN_DECLS

#define PD_TYPE_SIM_FORWARDER (pd_sim_forwarder_get_type ())

G_DECLARE_FINAL_TYPE (PdSimForwarder, pd_sim_forwarder, PD, SIM_FORWARDER, GObject)

PdSimForwarder    *pd_sim_forwarder_new (guint16 target_port);
gboolean           pd_sim_forwarder_listen (PdSimForwarder *self,
                                            guint16         port,
                                            GError        **error);
void               pd_sim_forwarder_close (PdSimForwarder *self);
gboolean           pd_sim_forwarder_is_listening (PdSimForwarder *self);
guint16            pd_sim_forwarder_get_port (PdSimForwarder *self);
guint              pd_sim_forwarder_get_n_connections (PdSimForwarder *self);
guint64            pd_sim_forwarder_get_n_accepted (PdSimForwarder *self);
guint              pd_sim_forwarder_drop_connections (PdSimForwarder *self);
void               pd_sim_forwarder_set_frozen (PdSimForwarder *self,
                                                gboolean        frozen);
gboolean           pd_sim_forwarder_get_frozen (PdSimForwarder *self);
gboolean           pd_sim_forwarder_set_black_hole (PdSimForwarder *self,
                                                    gboolean        black_hole,
                                                    GError        **error);

void               pd_sim_connect_local_async (guint16             port,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
GSocketConnection *pd_sim_connect_local_finish (GAsyncResult *result,
                                                GError      **error);

G_END_DECLS
