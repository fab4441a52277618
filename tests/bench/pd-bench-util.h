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
  guint16       port;       /* the camera's */
  PdCameraKind  kind;
  guint16       mqtt_port;
  char         *name;
  char         *model;
  guint16       ftp_port;   /* 0: none */
  char         *ftp_user;
} SimPrinter;

/* The simulator's farm-bridge listener (--bridge): every printer's topics
 * over one TLS connection, with a user of its own. */
typedef struct
{
  char    *host;
  guint16  port;
  char    *user;
  char    *password;
  char    *ca_file;
} SimBridge;

typedef struct
{
  GSubprocess *process;
  GPtrArray   *printers; /* SimPrinter */
  SimBridge   *bridge;   /* NULL without --bridge */
} Sim;

/* printdeck-sim with N printers of MODELS (comma-separated, cycled) whose
 * cameras have SIZE ("WxH") and FPS; returns when all are listed. */
Sim            *sim_start  (const char *models,
                            const char *size,
                            int         fps,
                            guint       n);
/* printdeck-sim --printers N --list-json --quit-on-eof and @args (a
 * NULL-terminated list: --models, --scenario, --bridge…); returns when all
 * printers (and the bridge, if asked for) are listed. */
Sim            *sim_start_with (guint              n,
                                const char *const *args);
void            sim_stop   (Sim        *sim);
PdCameraSource *source_for (SimPrinter *printer);

double          cpu_seconds (void);  /* this process, all threads, user + system */
double          rss_mb      (void);
/* (transfer full): RSS and where it is (anonymous, files, malloc, mmapped) */
char           *memory_breakdown (void);
void            spin        (double      seconds);
/* Runs the main loop for @seconds, blocking in poll between events (spin()
 * polls every millisecond, which would be counted as the app's). */
void            run_for     (double      seconds);
void            json_line   (const char *bench,
                             const char *metric,
                             double      value,
                             const char *unit);

/* The machine's load average over the last minute, as /proc/loadavg says. */
double          load_average (void);

/* Sorted doubles: the value at @p percent (nearest rank); NAN when empty. */
int             compare_doubles   (gconstpointer a,
                                   gconstpointer b);
double          sorted_percentile (GArray       *sorted,
                                   double        p);

/* Main-loop stalls, measured without a probe of their own: a poll function
 * on the main context notes how long each iteration kept the loop from
 * polling (the time from one poll's return to the next poll), so nothing is
 * added to the CPU figures. Histogram in 50 µs steps up to 100 ms (a fixed
 * size: no memory grows while it runs) plus the exact longest. For the
 * longest ones also the main thread's own CPU time in them: a stall of 20 ms
 * with 2 ms of CPU was the thread waiting for a core (other processes, on 2
 * cores), not work of ours.
 */
#define STALLS_WORST 5

typedef struct
{
  guint64 iterations;
  double  longest_ms;
  double  p99_ms;
  double  p50_ms;
  guint64 over_16ms; /* iterations longer than a 60 Hz frame */
  guint64 over_16ms_cpu; /* of those, with 16 ms of CPU time in them */
  double  worst_ms[STALLS_WORST]; /* the longest ones, longest first (0: none) */
  gint64  worst_at[STALLS_WORST]; /* when each ended, monotonic µs */
  double  worst_cpu_ms[STALLS_WORST]; /* the main thread's CPU time in each */
} Stalls;

void            stalls_install (void);
void            stalls_reset   (void);
Stalls          stalls_read    (void);

G_END_DECLS
