/* pd-sim-broker.h — a private mosquitto broker as a child process
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-sim-types.h"

G_BEGIN_DECLS

#define PD_TYPE_SIM_BROKER (pd_sim_broker_get_type ())

G_DECLARE_FINAL_TYPE (PdSimBroker, pd_sim_broker, PD, SIM_BROKER, GObject)

typedef struct
{
  guint16     port;            /* 0: pick a free one at the first start */
  const char *password_file;   /* one "user:hash" line per user */
  const char *acl_file;        /* nullable: everything allowed */
  const char *cert_file;       /* nullable: plain TCP */
  const char *key_file;        /* with cert_file */
  guint       max_connections; /* 0: no limit */
} PdSimListenerConfig;

PdSimBroker *pd_sim_broker_new (const char *dir,
                                const char *ca_file);
guint        pd_sim_broker_add_listener (PdSimBroker               *self,
                                         const PdSimListenerConfig *config);
guint16      pd_sim_broker_get_port (PdSimBroker *self,
                                     guint        listener);
gboolean     pd_sim_broker_is_running (PdSimBroker *self);
const char  *pd_sim_broker_get_pid (PdSimBroker *self);
double       pd_sim_broker_get_start_seconds (PdSimBroker *self);

void         pd_sim_broker_start_async (PdSimBroker        *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean     pd_sim_broker_start_finish (PdSimBroker  *self,
                                         GAsyncResult *result,
                                         GError      **error);
void         pd_sim_broker_reload_async (PdSimBroker        *self,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data);
gboolean     pd_sim_broker_reload_finish (PdSimBroker  *self,
                                          GAsyncResult *result,
                                          GError      **error);
void         pd_sim_broker_stop (PdSimBroker *self);

char        *pd_sim_find_mosquitto (GError **error);

G_END_DECLS
