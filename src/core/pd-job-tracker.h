/* pd-job-tracker.h — reading each job's file from its printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One per printer, kept configured by PdPrinterStore. When a job is under
 * way it fetches the job's sliced 3MF over FTPS (pd-job-fetch), reads it on
 * a worker (pd-job-file) and gives the printer its details
 * (pd_printer_set_job_details()): grams, plate, time, thumbnail. One transfer
 * per printer at a time, and few at once across printers; the details are
 * kept for the job, so a reconnect does not fetch again.
 */

#pragma once

#include <gio/gio.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_JOB_TRACKER (pd_job_tracker_get_type ())

G_DECLARE_FINAL_TYPE (PdJobTracker, pd_job_tracker, PD, JOB_TRACKER, GObject)

/* The largest job file fetched; larger ones are UNAVAILABLE, with a reason. */
#define PD_JOB_TRACKER_MAX_BYTES ((gsize) 512 * 1024 * 1024)

PdJobTracker *pd_job_tracker_new (PdPrinter *printer);
/* @port 0: 990; @username NULL: bblp (a test server's user otherwise). */
void          pd_job_tracker_set_address (PdJobTracker *self,
                                          const char   *host,
                                          guint         port,
                                          const char   *username);
/* NULL: the app has no code for the printer (read through a broker). */
void          pd_job_tracker_set_access_code (PdJobTracker *self,
                                              const char   *access_code);
void          pd_job_tracker_set_pinned_fingerprint (PdJobTracker *self,
                                                     const char   *fingerprint);
/* Stops for good: cancels a transfer, fetches nothing more. */
void          pd_job_tracker_stop (PdJobTracker *self);

/* Where the file of @state's job may be on the printer's storage, most
 * likely first (reference/ftps-3mf.md §1.5); NULL when @state names no job. */
GStrv         pd_job_candidate_paths (const PdState *state);

/* What a failed fetch or read (PD_JOB_FETCH_ERROR, PD_JOB_FILE_ERROR) means,
 * in plain words for the user. */
char         *pd_job_describe_error (const GError *error);

/* Tests: the seconds between tries of a file not (yet) there and how many
 * tries, and how long a transfer may stand still (0: the default). */
void          pd_job_tracker_set_timing (PdJobTracker *self,
                                         guint         retry_seconds,
                                         guint         tries,
                                         guint         stall_seconds);

G_END_DECLS
