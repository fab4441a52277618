/* pd-job-group.h — the printer page's group about the job's sliced file
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_JOB_GROUP (pd_job_group_get_type ())

G_DECLARE_FINAL_TYPE (PdJobGroup, pd_job_group, PD, JOB_GROUP, AdwPreferencesGroup)

GtkWidget *pd_job_group_new (void);
PdPrinter *pd_job_group_get_printer (PdJobGroup *self);
void       pd_job_group_set_printer (PdJobGroup *self,
                                     PdPrinter  *printer);

G_END_DECLS
