/* pd-sim-private.h — what PdSim and PdSimPrinter share
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-sim.h"
#include "pd-sim-broker.h"
#include "pd-sim-crypto.h"
#include "pd-sim-model.h"

G_BEGIN_DECLS

/* PdSim, for its printers */
GMainContext *_pd_sim_get_context (PdSim *self);
PdSimCa      *_pd_sim_get_ca (PdSim *self);
gboolean      _pd_sim_publish (PdSim      *self,
                               const char *topic,
                               const void *data,
                               gsize       length);
void          _pd_sim_emit_command (PdSim              *self,
                                    PdSimPrinter       *printer,
                                    const PdSimCommand *command);
void          _pd_sim_restart_broker_internal_async (PdSim              *self,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
gboolean      _pd_sim_restart_broker_internal_finish (PdSim        *self,
                                                      GAsyncResult *result,
                                                      GError      **error);
void          _pd_sim_reload_broker_async (PdSim              *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean      _pd_sim_reload_broker_finish (PdSim        *self,
                                            GAsyncResult *result,
                                            GError      **error);
void          _pd_sim_store_result (GObject      *source,
                                    GAsyncResult *result,
                                    gpointer      user_data);
GAsyncResult *_pd_sim_wait (GMainContext  *context,
                            GAsyncResult **result);
char         *_pd_sim_random_code (GRand *rand);

/* PdSimPrinter, for the simulator */
PdSimPrinter *_pd_sim_printer_new (PdSim              *sim,
                                   guint               number,
                                   const PdSimModel   *model,
                                   const char         *serial,
                                   const char         *access_code,
                                   guint32             seed,
                                   const PdSimOptions *options,
                                   const char         *dir,
                                   GError            **error);
void          _pd_sim_printer_get_listener (PdSimPrinter        *self,
                                            PdSimListenerConfig *config);
void          _pd_sim_printer_set_broker_listener (PdSimPrinter *self,
                                                   guint         listener);
guint         _pd_sim_printer_get_broker_listener (PdSimPrinter *self);
gboolean      _pd_sim_printer_attach (PdSimPrinter *self,
                                      guint16       broker_port,
                                      guint16       public_port,
                                      GError      **error);
gboolean      _pd_sim_printer_wait_ready (PdSimPrinter *self,
                                          GError      **error);
void          _pd_sim_printer_start (PdSimPrinter *self,
                                     guint         delay_ms);
void          _pd_sim_printer_stop (PdSimPrinter *self);
void          _pd_sim_printer_detach (PdSimPrinter *self);
void          _pd_sim_printer_handle_request (PdSimPrinter *self,
                                              const char   *topic,
                                              GBytes       *payload,
                                              int           qos);

G_END_DECLS
