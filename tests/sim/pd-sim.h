/* pd-sim.h — printdeck-sim: simulated Bambu Lab printers behind a real broker
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PdSim runs its own mosquitto (a child process) with one TLS listener per
 * printer (CN = serial, user bblp, password = access code), a TCP forwarder
 * in front of each for fault injection, and printers that publish reports,
 * obey commands and serve their model's camera (RTSPS or the port-6000 JPEG
 * stream, see pd-sim-camera.c). Everything runs on the thread-default main
 * context of pd_sim_start() (only the camera encoders have threads); the
 * _async functions never block it; the sync ones iterate it until done
 * (bounded: every wait inside has a timeout).
 */

#pragma once

#include <gio/gio.h>

#include "pd-sim-3mf.h"
#include "pd-sim-printer.h"
#include "pd-sim-types.h"

G_BEGIN_DECLS

typedef struct
{
  guint                n_printers; /* 3 */
  const char *const   *models;     /* NULL: cycle X1C, H2D, A1, P1P, X1; else cycle these */
  PdSimScenario        scenario;   /* PD_SIM_SCENARIO_MIXED */
  const PdSimScenario *scenarios;  /* NULL: scenario for all; else cycled over the printers */
  guint                n_scenarios;
  double               speed;              /* 1.0: simulated seconds per real second */
  guint                report_interval_ms; /* 1000: a report (delta) about once a second */
  gboolean             x1_full_frames;     /* FALSE: X1 models send deltas like the others */
  gboolean             use_seed;           /* FALSE: random serials and access codes */
  guint32              seed;
  guint16              port_base;    /* 0: free ports; else printer i listens on port_base + i */
  gboolean             bridge;       /* FALSE: no farm-bridge listener */
  guint16              bridge_port;  /* 0: a free port */
  PdSimKeyType         key_type;     /* PD_SIM_KEY_EC */
  guint                max_clients;  /* 0: no limit; real printers take about 4 */
  gboolean             no_cameras;   /* FALSE: each printer serves its model's camera */
  int                  camera_width; /* 0: 320×240 for RTSPS, 640×360 for JPEG (both or neither) */
  int                  camera_height;
  int                  camera_fps;         /* 0: 15 for RTSPS, 5 for JPEG */
  guint                camera_max_clients; /* 0: no limit; a real printer serves about one */
  gboolean             no_ftp;       /* FALSE: each printer serves its SD card over FTPS (vsftpd) */
  guint                ftp_max_rate; /* bytes per second per FTP transfer; 0: no limit */
} PdSimOptions;

#define PD_TYPE_SIM (pd_sim_get_type ())

G_DECLARE_FINAL_TYPE (PdSim, pd_sim, PD, SIM, GObject)

void          pd_sim_options_init (PdSimOptions *options);

PdSim        *pd_sim_new (const PdSimOptions *options);

void          pd_sim_start_async (PdSim              *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data);
gboolean      pd_sim_start_finish (PdSim        *self,
                                   GAsyncResult *result,
                                   GError      **error);
gboolean      pd_sim_start (PdSim   *self,
                            GError **error);
void          pd_sim_stop (PdSim *self);
gboolean      pd_sim_is_running (PdSim *self);

guint         pd_sim_get_n_printers (PdSim *self);
PdSimPrinter *pd_sim_get_printer (PdSim *self,
                                  guint  index);
PdSimPrinter *pd_sim_find_printer (PdSim      *self,
                                   const char *serial);

const char   *pd_sim_get_ca_file (PdSim *self);
const char   *pd_sim_get_dir (PdSim *self);
gboolean      pd_sim_get_bridge (PdSim       *self,
                                 const char **host,
                                 guint16     *port,
                                 const char **user,
                                 const char **password);
char         *pd_sim_bridge_to_line (PdSim *self);
char         *pd_sim_bridge_to_json (PdSim *self);

void          pd_sim_restart_broker_async (PdSim              *self,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean      pd_sim_restart_broker_finish (PdSim        *self,
                                            GAsyncResult *result,
                                            GError      **error);
gboolean      pd_sim_restart_broker (PdSim   *self,
                                     GError **error);

const char   *pd_sim_get_broker_pid (PdSim *self);
double        pd_sim_get_certificate_seconds (PdSim *self);
double        pd_sim_get_broker_start_seconds (PdSim *self);

G_END_DECLS
