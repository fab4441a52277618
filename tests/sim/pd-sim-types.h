/* pd-sim-types.h — shared enums and the error domain of printdeck-sim
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PD_SIM_ERROR (pd_sim_error_quark ())

typedef enum
{
  PD_SIM_ERROR_FAILED,
  PD_SIM_ERROR_NOT_INSTALLED, /* no mosquitto binary */
  PD_SIM_ERROR_BROKER,        /* mosquitto did not start or died */
  PD_SIM_ERROR_TIMEOUT,
  PD_SIM_ERROR_PORT_IN_USE,
  PD_SIM_ERROR_CRYPTO,
  PD_SIM_ERROR_INVALID, /* a bad option or argument */
  PD_SIM_ERROR_NOT_RUNNING,
  PD_SIM_ERROR_BUSY, /* another broker operation is in progress */
} PdSimError;

typedef enum
{
  PD_SIM_KEY_EC,  /* EC P-256: fast to generate (the default) */
  PD_SIM_KEY_RSA, /* RSA 2048, like the real printers' certificates */
} PdSimKeyType;

typedef enum
{
  PD_SIM_SCENARIO_MIXED, /* each printer starts at a different phase; prints, fails now and then, HMS */
  PD_SIM_SCENARIO_PRINT, /* print after print, all good */
  PD_SIM_SCENARIO_IDLE,  /* stays idle (temperatures and humidity still drift) */
  PD_SIM_SCENARIO_FAIL,  /* every print fails part-way (print_error 0700_8006) */
  PD_SIM_SCENARIO_HMS,   /* idle, with HMS errors appearing and clearing */
} PdSimScenario;

/* What a port-6000 JPEG camera does wrong, from the next frame on, to every
 * client (a fault stays until it is set back to NONE).
 */
typedef enum
{
  PD_SIM_CAMERA_FAULT_NONE,
  PD_SIM_CAMERA_FAULT_TRUNCATED,       /* the header announces more than the (whole) JPEG that follows; then EOF */
  PD_SIM_CAMERA_FAULT_OVERSIZED,       /* the header announces 0x7FFFFFFF bytes; then garbage, never a frame again */
  PD_SIM_CAMERA_FAULT_GARBAGE,         /* frames of the announced length whose payload is not a JPEG */
  PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME, /* a right header, half the JPEG, then EOF */
} PdSimCameraFault;

/* A printer's TLS ports, each of which can be given its own certificate. */
typedef enum
{
  PD_SIM_TRANSPORT_MQTT,   /* the broker's port (8883 on a printer) */
  PD_SIM_TRANSPORT_CAMERA, /* RTSPS (322) or the JPEG stream (6000) */
  PD_SIM_TRANSPORT_FTP,    /* implicit FTPS (990) */
  PD_SIM_N_TRANSPORTS,
} PdSimTransport;

GQuark      pd_sim_error_quark (void);

const char *pd_sim_scenario_to_string (PdSimScenario scenario);
gboolean    pd_sim_scenario_from_string (const char    *text,
                                         PdSimScenario *scenario);

const char *pd_sim_camera_fault_to_string (PdSimCameraFault fault);
gboolean    pd_sim_camera_fault_from_string (const char       *text,
                                             PdSimCameraFault *fault);

G_END_DECLS
