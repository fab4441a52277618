/* pd-bench-util.h — what the benchmarks share
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-camera-source.h"

G_BEGIN_DECLS

typedef struct
{
  char         *serial;
  char         *host;
  char         *code;
  char         *fingerprint;
  guint16       port;
  PdCameraKind  kind;
} SimPrinter;

typedef struct
{
  GSubprocess *process;
  GPtrArray   *printers; /* SimPrinter */
} Sim;

/* printdeck-sim with N printers of MODELS (comma-separated, cycled) whose
 * cameras have SIZE ("WxH") and FPS; returns when all are listed. */
Sim            *sim_start  (const char *models,
                            const char *size,
                            int         fps,
                            guint       n);
void            sim_stop   (Sim        *sim);
PdCameraSource *source_for (SimPrinter *printer);

double          cpu_seconds (void);  /* this process, all threads, user + system */
double          rss_mb      (void);
void            spin        (double      seconds);
void            json_line   (const char *bench,
                             const char *metric,
                             double      value,
                             const char *unit);

G_END_DECLS
