/* pd-fault-rig.h — what the fault suite's programs share
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rig is the app's core as the window uses it: a PdPrinterStore loaded
 * from a fresh config and cache folder, with printers of a running
 * simulator added through it (their codes in the session's keyring). The
 * helpers wait, bounded, for what the user would see, and check that
 * nothing was lost: the config file byte for byte, the codes in the
 * keyring and in no file.
 */

#pragma once

#include <gio/gio.h>

#include "pd-camera-source.h"
#include "pd-notifier.h"
#include "pd-printer-store.h"
#include "pd-sim.h"
#include "pd-snapshot-store.h"

G_BEGIN_DECLS

/* Generous for a busy 2-core machine; every wait is bounded by it or less. */
#define PD_FAULT_WAIT_S 30

typedef struct
{
  PdSim          *sim; /* not owned */
  char           *base;
  char           *config_dir;
  char           *cache_dir;
  char           *config_file;
  PdPrinterStore *store;
  GPtrArray      *serials; /* added through the rig: their codes are cleared at the end */
} PdFaultRig;

/* Must run first in main(), before any thread: a mount namespace of the
 * process's own, so that the tmpfs and read-only mounts of the storage
 * cases are seen by no one else and go away with the process even if it
 * crashes. FALSE (and @why) where that is not allowed. */
gboolean        pd_fault_private_mounts (char **why);
gboolean        pd_fault_mount_tmpfs (const char *dir,
                                      gsize       bytes,
                                      GError    **error);
gboolean        pd_fault_remount_read_only (const char *dir,
                                            gboolean    read_only,
                                            GError    **error);
gboolean        pd_fault_bind_read_only (const char *dir,
                                         GError    **error);
gboolean        pd_fault_unmount (const char *dir,
                                  GError    **error);
/* Writes a file in @dir until the file system is full. */
gsize           pd_fault_fill_disk (const char *dir);

void            pd_fault_rig_init (PdFaultRig *rig,
                                   PdSim      *sim);
void            pd_fault_rig_clear (PdFaultRig *rig);

/* A config for @sp with every port the simulator uses. */
PdPrinterConfig *pd_fault_config_for (PdSimPrinter *sp,
                                      const char   *name);

gboolean        pd_fault_store_load (PdPrinterStore *store,
                                     GError        **error);
PdPrinter      *pd_fault_store_add (PdPrinterStore        *store,
                                    const PdPrinterConfig *config,
                                    const char            *code,
                                    GError               **error);
gboolean        pd_fault_store_update (PdPrinterStore        *store,
                                       const PdPrinterConfig *config,
                                       const char            *code,
                                       GError               **error);
gboolean        pd_fault_store_remove (PdPrinterStore *store,
                                       const char     *serial,
                                       GError        **error);

/* Adds @sp under @name with its code and waits until it is connected and
 * its certificate pinned in printers.ini. */
PdPrinter      *pd_fault_rig_add (PdFaultRig   *rig,
                                  PdSimPrinter *sp,
                                  const char   *name);
/* Shuts the store down (the app quits). */
void            pd_fault_rig_close (PdFaultRig *rig);
/* Shuts the store down and loads a new one from the same folders. */
void            pd_fault_rig_restart (PdFaultRig *rig);

char           *pd_fault_rig_read_config (PdFaultRig *rig);
void            pd_fault_rig_assert_config (PdFaultRig *rig,
                                            const char *expected);
/* Every code added through the rig is in the keyring and in no file
 * under the rig's folder (nor under @also, if given). */
void            pd_fault_rig_assert_codes_safe (PdFaultRig *rig,
                                                const char *also);
char           *pd_fault_keyring_lookup (const char *serial);
void            pd_fault_keyring_clear (const char *serial);
gboolean        pd_fault_tree_contains (const char *path,
                                        const char *needle);

/* What the card says: the connection and why, in the user's words. */
const char     *pd_fault_reason_label (PdPrinter *printer);
gboolean        pd_fault_wait_connection (PdPrinter   *printer,
                                          PdConnection connection,
                                          guint        seconds);
/* Waits until the printer is not connected for @reason; the label is
 * logged. */
gboolean        pd_fault_wait_reason (PdPrinter      *printer,
                                      PdSessionReason reason,
                                      guint           seconds);

/* Camera: waits for a problem, or for @n more frames. */
gboolean        pd_fault_wait_camera_problem (PdCameraSource *camera,
                                              PdCameraProblem problem,
                                              guint           seconds);
gboolean        pd_fault_wait_camera_frames (PdCameraSource *camera,
                                             guint64         n,
                                             guint           seconds);
gboolean        pd_fault_wait_details (PdPrinter         *printer,
                                       PdJobDetailsStatus status,
                                       guint              seconds);
/* The details of a job after the one of generation @before (the printer's
 * state's job_generation when it was asked for), not the last job's. */
gboolean        pd_fault_wait_next_details (PdPrinter         *printer,
                                            guint              before,
                                            PdJobDetailsStatus status,
                                            guint              seconds);

/* The longest the main loop went without running a 10 ms timer. */
typedef struct
{
  guint  id;
  gint64 last;
  gint64 longest;
  guint  ticks;
} PdFaultStallMeter;

void            pd_fault_stall_meter_start (PdFaultStallMeter *meter);
void            pd_fault_stall_meter_stop (PdFaultStallMeter *meter);
double          pd_fault_stall_meter_longest_ms (PdFaultStallMeter *meter);

/* A PdNotifier fed as the app's notification center feeds it (each
 * printer's state as it changes, a timer at its deadline), counting what it
 * would show. */
typedef struct
{
  PdNotifier *notifier;
  GPtrArray  *printers; /* watched, referenced */
  guint       timer_id;
  guint       n_notices;       /* shown, updated or withdrawn */
  guint       n_alerts;        /* new ones that pop up */
  guint       n_offline_alerts; /* "… is offline" popping up */
  guint       n_online_alerts;  /* "… is back online" popping up */
  guint       n_offline_shown;  /* "… is offline", popping up or quietly */
} PdFaultNotices;

void            pd_fault_notices_init (PdFaultNotices *notices);
void            pd_fault_notices_watch (PdFaultNotices *notices,
                                        PdPrinter      *printer);
void            pd_fault_notices_clear (PdFaultNotices *notices);

/* The process's resident and heap memory, in KiB. */
gsize           pd_fault_rss_kib (void);
gsize           pd_fault_heap_kib (void);

/* How long the long cases run, in seconds: @normal, or @long_seconds when
 * PD_FAULTS_LONG is set (PD_FAULTS_LONG=N: N seconds). */
guint           pd_fault_duration (guint normal,
                                   guint long_seconds);

/* Saves @frame as the camera window does, waiting for it (bounded);
 * (transfer full) (nullable): the file, or %NULL with @error. */
GFile *pd_fault_save_snapshot (PdSnapshotStore *snapshots,
                               const char      *name,
                               PdCameraFrame   *frame,
                               GError         **error);

G_END_DECLS
