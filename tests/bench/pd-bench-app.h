/* pd-bench-app.h — the app itself in a benchmark: PdApplication with its
 * window, fed by printdeck-sim's printers, and what the benchmarks watch
 * in it (each report from the printer to the property, and the cards'
 * repaints)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-application.h"
#include "pd-bench-util.h"

G_BEGIN_DECLS

typedef struct
{
  PdApplication *app;
  GtkWindow     *window; /* the main window, as the app made it */
  char          *dir;    /* the app's config, cache and pictures; removed at the end */
} BenchApp;

/* Call before gtk_init(): the app's files in a folder of their own, the
 * build's settings schema, no discovery port shared with a test. */
void      bench_app_prepare (void);
/* bench_app_prepare(), then GTK and libadwaita; FALSE (said on stderr)
 * when there is no display. */
gboolean  bench_app_init    (const char *program);
/* The app, registered and activated: its window is shown. */
BenchApp *bench_app_start   (void);
/* Adds every printer of @sim to the app, as a user does (the access code
 * to the keyring, the printer to printers.ini), and waits until each has
 * merged a live report. FALSE when that took longer than @timeout. */
gboolean  bench_app_add_sim (BenchApp *app,
                             Sim      *sim,
                             double    timeout);
/* The same for a store of one's own (it must be loading or loaded). */
gboolean  store_add_sim     (PdPrinterStore *store,
                             Sim            *sim,
                             double          timeout);
void      bench_app_remove_all (BenchApp *app);
void      bench_app_stop    (BenchApp *app);
/* Removes a folder and everything in it. */
void      bench_remove_tree (const char *path);

/* Every printer's reports, end to end. printdeck-sim numbers each printer's
 * push_status reports (sequence_id, one more per report): a number that
 * never reaches the main thread is a report lost on the way, and a report
 * that reaches it but does not end in PdPrinter:last-report-time being
 * notified was not merged.
 */
typedef struct _Watched Watched;
typedef void (*WatchMerged) (Watched *watched,
                             guint64  sequence,
                             gint64   when,
                             gpointer data);

struct _Watched
{
  PdPrinter *printer;
  PdSession *session;
  guint64    next;     /* the number expected next; 0 before the first */
  guint64    received; /* reports that reached the main thread */
  guint64    gaps;     /* numbers that never did */
  guint64    merged;   /* reports merged (the property notified) */
  guint64    pending;  /* the report being merged; 0: none */
  guint      index;    /* in the watch */
  gulong     message_id;
  gulong     notify_id;
};

typedef struct
{
  GPtrArray  *watched; /* Watched */
  WatchMerged merged;
  gpointer    data;
} Watch;

typedef struct
{
  guint64 published; /* received + gaps */
  guint64 received;
  guint64 merged;
  guint64 dropped;   /* published - merged */
} WatchTotals;

Watch      *watch_printers (PdPrinterStore *store,
                            WatchMerged     merged,
                            gpointer        data);
void        watch_reset    (Watch          *watch);
WatchTotals watch_totals   (Watch          *watch);
void        watch_free     (Watch          *watch);

/* Calls @painted from every snapshot of a PdPrinterCard (its class's
 * snapshot function is wrapped), with the printer it shows. */
typedef void (*CardPainted) (PdPrinter *printer,
                             gpointer   data);
void        card_probe_install (CardPainted painted,
                                gpointer    data);

/* Waits (iterating the main context) until @done says so, at most @timeout
 * seconds; returns what it said last. */
gboolean    wait_until (gboolean (*done) (gpointer data),
                        gpointer  data,
                        double    timeout);

G_END_DECLS
