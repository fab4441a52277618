/* pd-sim-printer.h — one simulated Bambu Lab printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pd-sim-3mf.h"
#include "pd-sim-types.h"
#include "pd-types.h"

G_BEGIN_DECLS

/* A message a printer received on its request topic. */
typedef struct
{
  char  *topic;
  char  *payload; /* as received, plus a NUL (commands are JSON text) */
  gsize  length;  /* without the NUL */
  int    qos;     /* the QoS its publisher used */
  gint64 time;    /* g_get_real_time () on arrival */
} PdSimCommand;

#define PD_TYPE_SIM_COMMAND (pd_sim_command_get_type ())

GType         pd_sim_command_get_type (void) G_GNUC_CONST;
PdSimCommand *pd_sim_command_copy (const PdSimCommand *command);
void          pd_sim_command_free (PdSimCommand *command);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdSimCommand, pd_sim_command_free)

/* Real HMS codes, for pd_sim_printer_add_hms(). */
#define PD_SIM_HMS_FATAL_ATTR   50331904u /* 0300_0100_0001_0007: heatbed temperature abnormal */
#define PD_SIM_HMS_FATAL_CODE   65543u
#define PD_SIM_HMS_SERIOUS_ATTR 83887616u /* 0500_0600_0002_0070 */
#define PD_SIM_HMS_SERIOUS_CODE 131184u
#define PD_SIM_HMS_COMMON_ATTR  201327360u /* 0C00_0300_0003_0007 */
#define PD_SIM_HMS_COMMON_CODE  196615u

/* print_error values the simulator sets */
#define PD_SIM_PRINT_ERROR_FEED   117473286u /* 0700_8006: cannot feed filament (a failed print) */
#define PD_SIM_PRINT_ERROR_CANCEL 50348044u  /* 0300_400C: the task was cancelled (a user stop) */

#define PD_TYPE_SIM_PRINTER (pd_sim_printer_get_type ())

G_DECLARE_FINAL_TYPE (PdSimPrinter, pd_sim_printer, PD, SIM_PRINTER, GObject)

/* Identity, as an app is configured with it */
guint         pd_sim_printer_get_index (PdSimPrinter *self);
const char   *pd_sim_printer_get_serial (PdSimPrinter *self);
const char   *pd_sim_printer_get_access_code (PdSimPrinter *self);
const char   *pd_sim_printer_get_host (PdSimPrinter *self);
guint16       pd_sim_printer_get_port (PdSimPrinter *self);
const char   *pd_sim_printer_get_model (PdSimPrinter *self);
const char   *pd_sim_printer_get_name (PdSimPrinter *self);
const char   *pd_sim_printer_get_fingerprint (PdSimPrinter *self);
const char   *pd_sim_printer_get_ca_file (PdSimPrinter *self);
const char   *pd_sim_printer_get_report_topic (PdSimPrinter *self);
const char   *pd_sim_printer_get_request_topic (PdSimPrinter *self);
char         *pd_sim_printer_to_line (PdSimPrinter *self);
char         *pd_sim_printer_to_json (PdSimPrinter *self);

/* What it is doing */
JsonNode     *pd_sim_printer_dup_state (PdSimPrinter *self);
const char   *pd_sim_printer_get_gcode_state (PdSimPrinter *self);
guint         pd_sim_printer_get_n_connections (PdSimPrinter *self);
guint64       pd_sim_printer_get_n_reports (PdSimPrinter *self);

/* What it was told */
GPtrArray    *pd_sim_printer_get_commands (PdSimPrinter *self);
void          pd_sim_printer_clear_commands (PdSimPrinter *self);

/* Scenario jumps */
void          pd_sim_printer_set_scenario (PdSimPrinter *self,
                                           PdSimScenario scenario);
PdSimScenario pd_sim_printer_get_scenario (PdSimPrinter *self);
void          pd_sim_printer_start_print (PdSimPrinter *self);
void          pd_sim_printer_fail (PdSimPrinter *self);
void          pd_sim_printer_add_hms (PdSimPrinter *self,
                                      guint32       attr,
                                      guint32       code);
void          pd_sim_printer_add_sample_hms (PdSimPrinter *self);
void          pd_sim_printer_clear_hms (PdSimPrinter *self);
void          pd_sim_printer_publish_full (PdSimPrinter *self);

/* AMS: spools and humidity, published at once */
gboolean      pd_sim_printer_set_tray_remaining (PdSimPrinter *self,
                                                 int           unit,
                                                 int           slot,
                                                 int           percent);
gboolean      pd_sim_printer_set_active_tray (PdSimPrinter *self,
                                              int           unit,
                                              int           slot);
gboolean      pd_sim_printer_set_humidity (PdSimPrinter *self,
                                           int           unit,
                                           int           raw_percent,
                                           int           index);

/* Faults */
void          pd_sim_printer_set_stalled (PdSimPrinter *self,
                                          gboolean      stalled);
gboolean      pd_sim_printer_get_stalled (PdSimPrinter *self);
guint         pd_sim_printer_drop_connections (PdSimPrinter *self);
gboolean      pd_sim_printer_set_offline (PdSimPrinter *self,
                                          gboolean      offline,
                                          GError      **error);
gboolean      pd_sim_printer_get_offline (PdSimPrinter *self);
void          pd_sim_printer_set_half_open (PdSimPrinter *self,
                                            gboolean      half_open);
gboolean      pd_sim_printer_get_half_open (PdSimPrinter *self);
gboolean      pd_sim_printer_set_powered_off (PdSimPrinter *self,
                                              gboolean      powered_off,
                                              GError      **error);
gboolean      pd_sim_printer_publish_raw (PdSimPrinter *self,
                                          const void   *data,
                                          gsize         length);
gboolean      pd_sim_printer_publish_malformed (PdSimPrinter *self);
gboolean      pd_sim_printer_publish_big (PdSimPrinter *self,
                                          gsize         size);

void          pd_sim_printer_set_refusing_async (PdSimPrinter       *self,
                                                 gboolean            refusing,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
gboolean      pd_sim_printer_set_refusing_finish (PdSimPrinter *self,
                                                  GAsyncResult *result,
                                                  GError      **error);
gboolean      pd_sim_printer_set_refusing (PdSimPrinter *self,
                                           gboolean      refusing,
                                           GError      **error);
gboolean      pd_sim_printer_get_refusing (PdSimPrinter *self);

/* Camera: RTSPS or the port-6000 JPEG stream, as the model has */
PdCameraKind  pd_sim_printer_get_camera_kind (PdSimPrinter *self);
guint16       pd_sim_printer_get_camera_port (PdSimPrinter *self);
guint         pd_sim_printer_get_camera_clients (PdSimPrinter *self);
guint         pd_sim_printer_get_camera_connections (PdSimPrinter *self);
guint         pd_sim_printer_get_camera_sessions (PdSimPrinter *self);
guint64       pd_sim_printer_get_camera_frames_sent (PdSimPrinter *self);
void          pd_sim_printer_set_camera_max_clients (PdSimPrinter *self,
                                                     guint         max_clients);
guint         pd_sim_printer_get_camera_max_clients (PdSimPrinter *self);
void          pd_sim_printer_set_camera_fault (PdSimPrinter    *self,
                                               PdSimCameraFault fault);
gboolean      pd_sim_printer_set_camera_enabled (PdSimPrinter *self,
                                                 gboolean      enabled,
                                                 GError      **error);
gboolean      pd_sim_printer_get_camera_enabled (PdSimPrinter *self);
guint         pd_sim_printer_drop_camera_clients (PdSimPrinter *self);

/* File storage: the SD card over implicit FTPS (vsftpd, see pd-sim-ftp.h),
 * with the printer's certificate; the password is the access code. The
 * current job's sliced file is at pd_sim_printer_get_job_file_path(). */
guint16       pd_sim_printer_get_ftp_port (PdSimPrinter *self);
const char   *pd_sim_printer_get_ftp_user (PdSimPrinter *self);
void          pd_sim_printer_set_sdcard (PdSimPrinter *self,
                                         gboolean      present);
gboolean      pd_sim_printer_get_sdcard (PdSimPrinter *self);
gboolean      pd_sim_printer_set_ftp_stalled (PdSimPrinter *self,
                                              gboolean      stalled);
gboolean      pd_sim_printer_get_ftp_stalled (PdSimPrinter *self);
const PdSim3mfSpec *pd_sim_printer_get_job_spec (PdSimPrinter *self);
const char   *pd_sim_printer_get_job_file_path (PdSimPrinter *self);
GBytes       *pd_sim_printer_dup_job_file (PdSimPrinter *self);
gboolean      pd_sim_printer_set_job_file_present (PdSimPrinter *self,
                                                   gboolean      present);
gboolean      pd_sim_printer_put_file (PdSimPrinter *self,
                                       const char   *path,
                                       GBytes       *contents,
                                       GError      **error);
gboolean      pd_sim_printer_remove_file (PdSimPrinter *self,
                                          const char   *path);

void          pd_sim_printer_regenerate_certificate_async (PdSimPrinter       *self,
                                                           GCancellable       *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer            user_data);
gboolean      pd_sim_printer_regenerate_certificate_finish (PdSimPrinter *self,
                                                            GAsyncResult *result,
                                                            GError      **error);
gboolean      pd_sim_printer_regenerate_certificate (PdSimPrinter *self,
                                                     GError      **error);
/* One transport with a certificate of its own (@own), or the printer's again. */
void          pd_sim_printer_set_transport_certificate_async (PdSimPrinter       *self,
                                                              PdSimTransport      transport,
                                                              gboolean            own,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
gboolean      pd_sim_printer_set_transport_certificate_finish (PdSimPrinter *self,
                                                               GAsyncResult *result,
                                                               GError      **error);
gboolean      pd_sim_printer_set_transport_certificate (PdSimPrinter  *self,
                                                        PdSimTransport transport,
                                                        gboolean       own,
                                                        GError       **error);
const char   *pd_sim_printer_get_transport_fingerprint (PdSimPrinter  *self,
                                                        PdSimTransport transport);

G_END_DECLS
