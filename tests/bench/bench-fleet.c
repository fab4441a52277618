/* bench-fleet.c — a farm on one desktop: 100 printers for ten minutes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * printdeck-sim runs in its own process (its costs are not counted) with N
 * printers (X1C, P1S, A1 and H2D in turn, printing, at the real pace) that
 * report once a second: deltas, as printers do. The app runs here as it
 * runs for a user (PdApplication, its window and cards, its store, the
 * keyring, a session per printer, the temperature histories, notifications,
 * the camera wall), so this process's CPU and memory are the app's.
 *
 *   baseline   the window open with no printers: the idle main loop, with
 *              a no-op 60 Hz timer so that it turns at all (the stalls it
 *              shows are this machine's scheduling, not the app's work)
 *   (jobs)     after a warm-up, until every printer's job details are read:
 *              the job files come over FTPS two at a time, and until then
 *              memory grows by what they hold (thumbnails, their textures,
 *              the layers' filament): the working set arriving. The time
 *              it takes and the memory it adds are printed, not measured
 *              as a phase (--quick does not wait).
 *   printers   the N printers, the window open (the grid of cards)
 *   cameras    the same with the camera wall open: 4 tiles, the first four
 *              printers (2 RTSPS, 2 port-6000 JPEG; the simulator's picture
 *              sizes, 320×240 and 640×360), for M minutes
 *
 * Figures: CPU of this process in % of one core (all threads), RSS at the
 * start and end of the long run (after a warm-up) and each minute, the
 * main loop's longest stall (each iteration's time from one poll to the
 * next: pd-bench-util.c), and the updates dropped: every push_status a
 * printer published (numbered by the simulator) must be merged into its
 * PdPrinter, none lost (pd-bench-app.c).
 *
 *   bench-fleet [--printers N] [--seconds S] [--minutes M] [--quick] [--exit-live]
 *
 * --exit-live leaves the process right after the figures without freeing
 * anything, for a heap profiler: what it reports as not freed is what was
 * live at the end (heaptrack_print --diff of a short and a long run shows
 * what the camera wall's minutes added).
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "pd-bench-app.h"
#include "pd-camera-manager.h"
#include "pd-camera-view.h"
#include "pd-cameras-window.h"
#include "pd-enums.h"
#include "pd-printer-card.h"

typedef struct
{
  gint64 start;
  double cpu_percent;
  double seconds;
  double rss_start_mb;
  double rss_end_mb;
  /* RSS every RSS_EVERY_S seconds, for runs of two minutes or more: one
   * sample at each end is noisy (the camera pictures in flight at that
   * moment), so growth is also given from the first and the last minute's
   * means, and as a least-squares trend */
  guint  rss_samples;
  double rss_first_minute_mb;
  double rss_last_minute_mb;
  double rss_trend_mb_10min;
  Stalls stalls;
} Figures;

#define RSS_EVERY_S 5

typedef struct
{
  gint64  start;
  GArray *samples; /* RssSample */
} RssLog;

typedef struct
{
  double seconds;
  double mb;
} RssSample;

static gboolean
sample_rss (gpointer data)
{
  RssLog   *log = data;
  RssSample sample = { (double) (g_get_monotonic_time () - log->start) / G_USEC_PER_SEC, rss_mb () };

  g_array_append_val (log->samples, sample);

  return G_SOURCE_CONTINUE;
}

/* The means of the first and the last minute's samples, and the trend. */
static void
summarize_rss (GArray  *samples,
               double   seconds,
               Figures *figures)
{
  double first = 0, last = 0, sum_t = 0, sum_m = 0, sum_tt = 0, sum_tm = 0;
  guint  n_first = 0, n_last = 0, n = samples->len;

  figures->rss_samples = n;
  if (n < 2 * 60 / RSS_EVERY_S)
    return;

  for (guint i = 0; i < n; i++)
    {
      const RssSample *sample = &g_array_index (samples, RssSample, i);

      if (sample->seconds <= 60)
        {
          first += sample->mb;
          n_first++;
        }
      if (sample->seconds >= seconds - 60)
        {
          last += sample->mb;
          n_last++;
        }
      sum_t += sample->seconds;
      sum_m += sample->mb;
      sum_tt += sample->seconds * sample->seconds;
      sum_tm += sample->seconds * sample->mb;
    }
  figures->rss_first_minute_mb = first / MAX (n_first, 1);
  figures->rss_last_minute_mb = last / MAX (n_last, 1);
  figures->rss_trend_mb_10min = 600 * (n * sum_tm - sum_t * sum_m) / MAX (n * sum_tt - sum_t * sum_t, 1e-9);
}

/* Runs the main loop for @seconds; prints CPU and RSS every @every seconds
 * (0: never). */
static Figures
measure (double      seconds,
         double      every,
         const char *name)
{
  Figures figures = { 0, };
  double  cpu = cpu_seconds ();
  double  cpu_mark = cpu;
  gint64  start = g_get_monotonic_time ();
  gint64  mark = start;
  gint64  until = start + (gint64) (seconds * G_USEC_PER_SEC);
  RssLog  rss_log;
  guint   rss_id;

  figures.rss_start_mb = rss_mb ();
  figures.start = start;
  rss_log.start = start;
  rss_log.samples = g_array_new (FALSE, FALSE, sizeof (RssSample));
  rss_id = g_timeout_add_seconds (RSS_EVERY_S, sample_rss, &rss_log);
  if (every > 0)
    {
      g_autofree char *memory = memory_breakdown ();

      g_print ("  %s start:     %s\n", name, memory);
    }
  stalls_reset ();
  while (g_get_monotonic_time () < until)
    {
      gint64 now;

      run_for (MIN (every > 0 ? every : seconds, (double) (until - g_get_monotonic_time ()) / G_USEC_PER_SEC));
      now = g_get_monotonic_time ();
      if (every > 0 && now < until - G_USEC_PER_SEC / 2)
        {
          double           cpu_now = cpu_seconds ();
          g_autofree char *memory = memory_breakdown ();

          g_print ("  %s %5.1f min: CPU %5.2f %% of a core, longest stall so far %.2f ms\n"
                   "  %*s %s\n", name,
                   (double) (now - start) / 60e6, 100 * (cpu_now - cpu_mark) / ((double) (now - mark) / 1e6),
                   stalls_read ().longest_ms, (int) strlen (name) + 10, "", memory);
          cpu_mark = cpu_now;
          mark = now;
        }
    }
  figures.seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  figures.cpu_percent = 100 * (cpu_seconds () - cpu) / figures.seconds;
  figures.stalls = stalls_read ();
  figures.rss_end_mb = rss_mb ();
  g_source_remove (rss_id);
  summarize_rss (rss_log.samples, figures.seconds, &figures);
  g_array_unref (rss_log.samples);

  return figures;
}

typedef struct
{
  Watch *watch;
  guint  ready;
  guint  unavailable;
  guint  other;
} Jobs;

/* Every printer's job details read (or given up on): the app's working set
 * is complete, what follows is its steady state. */
static gboolean
jobs_settled (gpointer data)
{
  Jobs *jobs = data;

  jobs->ready = jobs->unavailable = jobs->other = 0;
  for (guint i = 0; i < jobs->watch->watched->len; i++)
    switch (pd_printer_get_job_details_status (((Watched *) g_ptr_array_index (jobs->watch->watched, i))->printer))
      {
      case PD_JOB_DETAILS_READY:
        jobs->ready++;
        break;
      case PD_JOB_DETAILS_UNAVAILABLE:
        jobs->unavailable++;
        break;
      case PD_JOB_DETAILS_NONE:
      case PD_JOB_DETAILS_FETCHING:
      default:
        jobs->other++;
        break;
      }

  return jobs->other == 0;
}

static void
report (const char    *name,
        const Figures *f)
{
  g_print ("%-9s %6.0f s  CPU %6.2f %% of a core  RSS %6.1f → %6.1f MB  stall max %6.2f ms, p99 %5.2f ms, "
           "p50 %5.2f ms, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " iterations over 16 ms (%" G_GUINT64_FORMAT
           " with 16 ms of CPU)\n",
           name, f->seconds, f->cpu_percent, f->rss_start_mb, f->rss_end_mb, f->stalls.longest_ms, f->stalls.p99_ms,
           f->stalls.p50_ms, f->stalls.over_16ms, f->stalls.iterations, f->stalls.over_16ms_cpu);
  if (f->rss_first_minute_mb > 0)
    g_print ("%-9s RSS every %d s (%u samples): first minute %.1f MB, last minute %.1f MB (%+.2f MB), "
             "trend %+.2f MB per 10 minutes\n",
             "", RSS_EVERY_S, f->rss_samples, f->rss_first_minute_mb, f->rss_last_minute_mb,
             f->rss_last_minute_mb - f->rss_first_minute_mb, f->rss_trend_mb_10min);
}

static void
lines (const char    *name,
       const Figures *f)
{
  g_autofree char *cpu = g_strdup_printf ("%s_cpu_percent", name);
  g_autofree char *rss_start = g_strdup_printf ("%s_rss_start", name);
  g_autofree char *rss_end = g_strdup_printf ("%s_rss_end", name);
  g_autofree char *longest = g_strdup_printf ("%s_longest_stall", name);
  g_autofree char *p99 = g_strdup_printf ("%s_p99_stall", name);
  g_autofree char *over = g_strdup_printf ("%s_stalls_over_16ms", name);
  g_autofree char *over_cpu = g_strdup_printf ("%s_stalls_over_16ms_cpu", name);

  json_line ("fleet", cpu, f->cpu_percent, "%");
  json_line ("fleet", rss_start, f->rss_start_mb, "MB");
  json_line ("fleet", rss_end, f->rss_end_mb, "MB");
  json_line ("fleet", longest, f->stalls.longest_ms, "ms");
  json_line ("fleet", p99, f->stalls.p99_ms, "ms");
  json_line ("fleet", over, (double) f->stalls.over_16ms, "count");
  json_line ("fleet", over_cpu, (double) f->stalls.over_16ms_cpu, "count");
  if (f->rss_first_minute_mb > 0)
    {
      g_autofree char *growth = g_strdup_printf ("%s_rss_growth_minute_means", name);
      g_autofree char *trend = g_strdup_printf ("%s_rss_trend_10min", name);

      json_line ("fleet", growth, f->rss_last_minute_mb - f->rss_first_minute_mb, "MB");
      json_line ("fleet", trend, f->rss_trend_mb_10min, "MB");
    }
}

typedef struct
{
  GPtrArray *views;
} Wall;

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wall_live (gpointer data)
{
  Wall *wall = data;
  guint live = 0;

  for (guint i = 0; i < wall->views->len; i++)
    live += pd_camera_view_get_has_picture (g_ptr_array_index (wall->views, i));

  return wall->views->len > 0 && live == wall->views->len;
}

static guint64
frames_of (GPtrArray *views)
{
  guint64 frames = 0;

  for (guint i = 0; i < views->len; i++)
    {
      PdCameraSource *source = pd_camera_view_get_source (g_ptr_array_index (views, i));

      if (source != NULL)
        frames += pd_camera_source_get_n_frames (source);
    }

  return frames;
}

/* Printers' status changes (a print ending or starting does more than a
 * report: notifications, the job's file), to set beside the longest stalls. */
typedef struct
{
  gint64     at;
  PdPrinter *printer;
  PdStatus   status;
} StatusEvent;

static GArray *status_events;

static void
on_status (PdPrinter  *printer,
           GParamSpec *pspec,
           gpointer    data)
{
  StatusEvent event = { g_get_monotonic_time (), printer, pd_printer_get_status (printer) };

  if (status_events->len < 10000)
    g_array_append_val (status_events, event);
}

static void
print_worst (const char *name,
             Stalls     *stalls,
             gint64      start)
{
  for (guint i = 0; i < STALLS_WORST && stalls->worst_ms[i] > 0; i++)
    {
      g_autoptr (GString) near = g_string_new (NULL);

      for (guint j = 0; j < status_events->len; j++)
        {
          StatusEvent *e = &g_array_index (status_events, StatusEvent, j);

          if (e->at > stalls->worst_at[i] - G_USEC_PER_SEC && e->at <= stalls->worst_at[i] + G_USEC_PER_SEC / 10)
            g_string_append_printf (near, "%s%s %s", near->len > 0 ? ", " : "", pd_printer_get_name (e->printer),
                                    pd_status_to_string (e->status));
        }
      g_print ("  %s: stall %.2f ms (%.2f ms of it on the CPU) at %+.1f s%s%s\n", name, stalls->worst_ms[i],
               stalls->worst_cpu_ms[i], (double) (stalls->worst_at[i] - start) / G_USEC_PER_SEC,
               near->len > 0 ? "; in the second before: " : "",
               near->str);
    }
}

/* The cards the window has made (a grid makes those it shows, and a few). */
static guint
count_cards (GtkWidget *widget)
{
  guint n = PD_IS_PRINTER_CARD (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_cards (child);

  return n;
}

static PdCamerasWindow *
find_wall (BenchApp *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app->app)); l != NULL; l = l->next)
    if (PD_IS_CAMERAS_WINDOW (l->data))
      return l->data;

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— 100 printers on one desktop");
  g_autoptr (GError)         error = NULL;
  int                        n_printers = 100;
  double                     seconds = 60;
  double                     minutes = 10;
  gboolean                   quick = FALSE;
  gboolean                   no_cameras = FALSE;
  gboolean                   exit_live = FALSE;
  const GOptionEntry         entries[] = {
    { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, "Simulated printers (100)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds of the run without cameras (60)", "S" },
    { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes, "Minutes of the run with the camera wall (10)", "M" },
    { "no-cameras", 0, 0, G_OPTION_ARG_NONE, &no_cameras, "Leave the camera wall closed", NULL },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "About a minute in all", NULL },
    { "exit-live", 0, 0, G_OPTION_ARG_NONE, &exit_live, "Exit without freeing anything (for heap profilers)", NULL },
    { NULL }
  };
  const char *const          args[] = { "--models", "X1C,P1S,A1,H2D", "--scenario", "print", NULL };
  double                     warm_up = 15;
  BenchApp                  *app;
  Sim                       *sim;
  Watch                     *watch;
  WatchTotals                totals;
  Figures                    base, printers, cameras = { 0, };
  PdCamerasWindow           *wall_window = NULL;
  Wall                       wall = { NULL };
  guint64                    frames = 0;
  double                     camera_fps = 0;
  gint64                     started;

  setlocale (LC_ALL, "");
  /* a line at a time, also into a file or a pipe: the runs are long */
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    {
      seconds = 10;
      minutes = 0.25;
      warm_up = 3;
    }
  if (n_printers < 1)
    n_printers = 1;

  if (!bench_app_init ("bench-fleet"))
    return 77;
  stalls_install ();
  app = bench_app_start ();
  run_for (0.5);

  g_print ("bench-fleet: %d printers at 1 Hz; %.0f s without cameras, %.1f min with the camera wall; "
           "GSK_RENDERER=%s; window %d×%d; load average %.2f\n\n",
           n_printers, seconds, no_cameras ? 0 : minutes,
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)",
           gtk_widget_get_width (GTK_WIDGET (app->window)), gtk_widget_get_height (GTK_WIDGET (app->window)),
           load_average ());

  run_for (1);
  {
    guint id = g_timeout_add (16, tick, NULL);

    base = measure (MIN (seconds, quick ? 3 : 10), 0, "baseline");
    g_source_remove (id);
  }
  report ("baseline", &base);

  started = g_get_monotonic_time ();
  sim = sim_start_with ((guint) n_printers, args);
  if (!bench_app_add_sim (app, sim, 120))
    g_error ("the printers did not all connect");
  g_print ("%d printers added and connected in %.1f s; warming up for %.0f s\n", n_printers,
           (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC, warm_up);
  watch = watch_printers (pd_application_get_store (app->app), NULL, NULL);
  status_events = g_array_new (FALSE, FALSE, sizeof (StatusEvent));
  for (guint i = 0; i < watch->watched->len; i++)
    g_signal_connect (((Watched *) g_ptr_array_index (watch->watched, i))->printer, "notify::status",
                      G_CALLBACK (on_status), NULL);
  run_for (warm_up);

  /* The printers' job files come over FTPS, MAX_RUNNING at a time
   * (pd-job-tracker.c): until they are all read, memory grows by what
   * they hold (the thumbnails and their textures, the layers' filament),
   * which is the working set arriving, not growth of a steady state. */
  {
    Jobs   jobs = { watch, 0, };
    double cpu = cpu_seconds ();
    double rss = rss_mb ();
    gint64 since = g_get_monotonic_time ();
    double took;

    /* --quick measures the first seconds anyway, and stays in its minute. */
    if (!quick && !wait_until (jobs_settled, &jobs, 300))
      g_printerr ("not every printer's job details were read\n");
    jobs_settled (&jobs);
    took = (double) (g_get_monotonic_time () - since) / G_USEC_PER_SEC;
    g_print ("job details: %u read, %u unavailable, %u not yet, %.1f s after the warm-up "
             "(CPU %.2f %% of a core meanwhile, RSS %.1f → %.1f MB)\n",
             jobs.ready, jobs.unavailable, jobs.other, took, 100 * (cpu_seconds () - cpu) / MAX (took, 0.001),
             rss, rss_mb ());
    json_line ("fleet", "job_details_seconds", took, "s");
  }

  printers = measure (seconds, seconds >= 120 ? 60 : 0, "printers");
  report ("printers", &printers);
  print_worst ("printers", &printers.stalls, printers.start);
  g_print ("          the window (%d×%d) has made %u cards for %d printers\n",
           gtk_widget_get_width (GTK_WIDGET (app->window)), gtk_widget_get_height (GTK_WIDGET (app->window)),
           count_cards (GTK_WIDGET (app->window)), n_printers);

  if (!no_cameras)
    {
      g_action_group_activate_action (G_ACTION_GROUP (app->app), "show-cameras", NULL);
      wall_window = find_wall (app);
      if (wall_window == NULL)
        g_error ("the camera wall did not open");
      wall.views = _pd_cameras_window_get_views (wall_window);
      if (!wait_until (wall_live, &wall, 30))
        g_printerr ("not every tile shows a picture\n");
      run_for (warm_up);
      frames = frames_of (wall.views);
      cameras = measure (minutes * 60, minutes >= 2 ? 60 : 0, "cameras");
      camera_fps = (double) (frames_of (wall.views) - frames) / cameras.seconds / MAX (wall.views->len, 1);
      report ("cameras", &cameras);
      print_worst ("cameras", &cameras.stalls, cameras.start);
      g_print ("          %u tiles, %.1f frames/s each from their sources\n", wall.views->len, camera_fps);
    }

  /* The reports on their way at the end are counted too. */
  run_for (2);
  totals = watch_totals (watch);
  g_print ("\nreports published %" G_GUINT64_FORMAT ", reached the main thread %" G_GUINT64_FORMAT
           ", merged %" G_GUINT64_FORMAT ": dropped %" G_GUINT64_FORMAT "\n",
           totals.published, totals.received, totals.merged, totals.dropped);
  g_print ("CPU with printers vs the idle window: %+.2f %% of a core (%.1f×); longest stall vs baseline: %.1f×\n\n",
           printers.cpu_percent - base.cpu_percent, printers.cpu_percent / MAX (base.cpu_percent, 0.01),
           printers.stalls.longest_ms / MAX (base.stalls.longest_ms, 0.01));

  json_line ("fleet", "printers", n_printers, "count");
  lines ("baseline", &base);
  lines ("printers", &printers);
  if (!no_cameras)
    {
      lines ("cameras", &cameras);
      json_line ("fleet", "cameras_rss_growth", cameras.rss_end_mb - cameras.rss_start_mb, "MB");
      json_line ("fleet", "cameras_minutes", cameras.seconds / 60, "min");
      json_line ("fleet", "camera_fps_per_tile", camera_fps, "fps");
    }
  json_line ("fleet", "reports_published", (double) totals.published, "count");
  json_line ("fleet", "reports_merged", (double) totals.merged, "count");
  json_line ("fleet", "dropped_updates", (double) totals.dropped, "count");
  json_line ("fleet", "load_average", load_average (), "");

  if (exit_live)
    {
      sim_stop (sim);
      _exit (0);
    }

  g_clear_pointer (&wall.views, g_ptr_array_unref);
  for (guint i = 0; i < watch->watched->len; i++)
    g_signal_handlers_disconnect_by_func (((Watched *) g_ptr_array_index (watch->watched, i))->printer, on_status, NULL);
  g_clear_pointer (&status_events, g_array_unref);
  watch_free (watch);
  bench_app_stop (app);
  sim_stop (sim);

  return 0;
}
