/* pd-job.h — the printer's current (or last) job
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pd-job-file.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_JOB (pd_job_get_type ())

G_DECLARE_FINAL_TYPE (PdJob, pd_job, PD, JOB, GObject)

const char *pd_job_get_name (PdJob *self);
int         pd_job_get_progress (PdJob *self);
int         pd_job_get_layer (PdJob *self);
int         pd_job_get_total_layers (PdJob *self);
int         pd_job_get_remaining_minutes (PdJob *self);
gint64      pd_job_get_finish_time (PdJob *self);
double      pd_job_get_filament_grams_total (PdJob *self);
double      pd_job_get_filament_grams_used (PdJob *self);

/* What the job's file on the printer says (see PdJobTracker): the details
 * while READY, else NULL; the message says in plain words why they are
 * UNAVAILABLE, else NULL. */
PdJobDetailsStatus pd_job_get_details_status (PdJob *self);
PdJobDetails      *pd_job_get_details (PdJob *self);
const char        *pd_job_get_details_message (PdJob *self);

G_END_DECLS
