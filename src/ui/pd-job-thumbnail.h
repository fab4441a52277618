/* pd-job-thumbnail.h — the picture of a job's plate, decoded once
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-job.h"

G_BEGIN_DECLS

GdkTexture *pd_job_thumbnail_get (PdJob *job);
char       *pd_job_thumbnail_describe (PdJob *job);

G_END_DECLS
