/* bench-startup.c — from starting Printdeck to its first window, and to
 * live data, with 100 cached printers
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app binary is started as a user starts it, with
 * PRINTDECK_REPORT_STARTUP=1: it then says on stderr when its window's
 * first frame was drawn, the first frame with the printers in it (every
 * card in view: the window makes its cards after its first frame, a few a
 * frame), the first frame with all the printers' cards, and when every
 * printer had merged a live report (src/pd-application.c). Times are
 * from just before the process is spawned, on the monotonic clock both
 * processes share.
 *
 * The printers: N simulated ones (printdeck-sim in its own process, X1C,
 * P1S, A1 and H2D in turn, printing). Their printers.ini, the access codes
 * in the keyring and the state cache (state.json) are made once, by the
 * app's own PdPrinterStore in this process (added, connected, saved), then
 * every run starts from the same files.
 *
 *   bare     a libadwaita window and nothing else (this program again,
 *            --bare-window): the floor on this machine
 *   empty    Printdeck with no printers
 *   cached   Printdeck with the N printers, their last state cached
 *
 * Each is run R times; the figures are the median, with the fastest and
 * slowest run.
 *
 *   bench-startup [--printers N] [--runs R] [--quick]
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "pd-application.h"
#include "pd-bench-app.h"

/* --bare-window ----------------------------------------------------------------*/

static void
bare_after_paint (GdkFrameClock *clock,
                  gpointer       data)
{
  g_printerr ("printdeck-startup: window %" G_GINT64_FORMAT " 0\n", g_get_monotonic_time ());
  g_signal_handlers_disconnect_by_func (clock, bare_after_paint, data);
}

static void
bare_activate (GApplication *app)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (app));
  GtkWidget *page = adw_status_page_new ();

  adw_status_page_set_title (ADW_STATUS_PAGE (page), "No Printers");
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (bare_after_paint), NULL);
}

static int
run_bare_window (void)
{
  g_autoptr (AdwApplication) app = adw_application_new (APPLICATION_ID ".BenchBare", G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (bare_activate), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

/* One run -------------------------------------------------------------------------*/

typedef struct
{
  double window_ms;   /* NAN: not seen */
  double printers_ms; /* the cards in view */
  double cards_ms;    /* all the cards */
  double live_ms;
} Run;

typedef struct
{
  GDataInputStream *lines;
  gint64            start;
  Run               run;
  gboolean          ended;   /* stderr closed */
  gboolean          reading;
  GStrv             until;   /* the events that end the run, all of them */
  guint             n_seen;  /* of those */
  gboolean          done;
} Reader;

static void read_next (Reader *reader);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Reader          *reader = data;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  g_auto (GStrv)   words = NULL;

  reader->reading = FALSE;
  if (line == NULL)
    {
      reader->ended = TRUE;
      return;
    }
  if (g_str_has_prefix (line, "printdeck-startup: "))
    {
      double ms;

      words = g_strsplit (line + strlen ("printdeck-startup: "), " ", 3);
      if (g_strv_length (words) >= 2)
        {
          ms = (double) (g_ascii_strtoll (words[1], NULL, 10) - reader->start) / 1000.0;
          if (g_str_equal (words[0], "window"))
            reader->run.window_ms = ms;
          else if (g_str_equal (words[0], "printers"))
            reader->run.printers_ms = ms;
          else if (g_str_equal (words[0], "cards"))
            reader->run.cards_ms = ms;
          else if (g_str_equal (words[0], "live"))
            reader->run.live_ms = ms;
          if (g_strv_contains ((const char *const *) reader->until, words[0]) &&
              ++reader->n_seen == g_strv_length (reader->until))
            reader->done = TRUE;
        }
    }
  else if (!g_str_has_prefix (line, "Gtk-Message") && *line != '\0')
    g_printerr ("  app: %s\n", line);
  read_next (reader);
}

static void
read_next (Reader *reader)
{
  reader->reading = TRUE;
  g_data_input_stream_read_line_async (reader->lines, G_PRIORITY_DEFAULT, NULL, on_line, reader);
}

static gboolean
reader_finished (gpointer data)
{
  Reader *reader = data;

  return reader->done || reader->ended;
}

static gboolean
reader_idle (gpointer data)
{
  return !((Reader *) data)->reading;
}

/* @until: the events that end the run, separated by commas */
static Run
run_once (const char *const *argv,
          const char        *config_dir,
          const char        *cache_dir,
          const char        *until,
          double             timeout)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GError)              error = NULL;
  g_autofree char                *pictures = g_build_filename (cache_dir, "..", "Pictures", NULL);
  g_auto (GStrv)                  events = g_strsplit (until, ",", -1);
  Reader                          reader = { NULL, 0, { NAN, NAN, NAN, NAN }, FALSE, FALSE, events, 0, FALSE };

  g_subprocess_launcher_setenv (launcher, "PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "PRINTDECK_PICTURES_DIR", pictures, TRUE);
  g_subprocess_launcher_setenv (launcher, "PRINTDECK_REPORT_STARTUP", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "PRINTDECK_DISCOVERY_PORT", "0", TRUE);

  reader.start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    g_error ("%s: %s", argv[0], error->message);
  reader.lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  read_next (&reader);

  if (!wait_until (reader_finished, &reader, timeout))
    g_printerr ("  (%s not reached in %.0f s)\n", until, timeout);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  /* the pending read ends with the pipe */
  wait_until (reader_idle, &reader, 5);
  g_clear_object (&reader.lines);

  return reader.run;
}

/* Figures ---------------------------------------------------------------------------*/

typedef struct
{
  double median;
  double min;
  double max;
  guint  n;
} Summary;

static Summary
summarize (GArray *runs,
           gsize   offset)
{
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  Summary            s = { NAN, NAN, NAN, 0 };

  for (guint i = 0; i < runs->len; i++)
    {
      double v = G_STRUCT_MEMBER (double, &g_array_index (runs, Run, i), offset);

      if (!isnan (v))
        g_array_append_val (values, v);
    }
  g_array_sort (values, compare_doubles);
  s.n = values->len;
  if (values->len > 0)
    {
      s.median = g_array_index (values, double, values->len / 2);
      s.min = g_array_index (values, double, 0);
      s.max = g_array_index (values, double, values->len - 1);
    }

  return s;
}

static void
print_summary (const char *name,
               Summary     s,
               guint       runs)
{
  g_print ("%-44s %8.0f ms  (%.0f–%.0f, %u of %u runs)\n", name, s.median, s.min, s.max, s.n, runs);
}

static gboolean
store_loaded (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
on_store_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* printers.ini, the keyring and state.json, by the app's own store. */
static void
make_printers (Sim        *sim,
               const char *config_dir,
               const char *cache_dir)
{
  g_autoptr (PdPrinterStore) store = pd_printer_store_new (config_dir, cache_dir);
  g_autoptr (GAsyncResult)   result = NULL;
  g_autoptr (GError)         error = NULL;

  pd_printer_store_load_async (store, NULL, on_store_loaded, &result);
  if (!wait_until (store_loaded, &result, 10) || !pd_printer_store_load_finish (store, result, &error))
    g_error ("the store could not load: %s", error != NULL ? error->message : "timed out");
  if (!store_add_sim (store, sim, 120))
    g_error ("the printers did not all connect");
  /* every printer's full frame merged, and a few deltas */
  run_for (3);
  if (!pd_printer_store_save_cache (store, &error))
    g_error ("the cache was not saved: %s", error->message);
  pd_printer_store_shutdown (store);
  run_for (0.5);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— time to the first window and to live data");
  g_autoptr (GError)         error = NULL;
  int                        n_printers = 100;
  int                        runs = 10;
  gboolean                   quick = FALSE;
  gboolean                   bare = FALSE;
  g_autofree char           *keep = NULL;
  const GOptionEntry         entries[] = {
    { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, "Cached printers (100)", "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Starts of each kind (10)", "R" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "3 starts of each kind", NULL },
    { "keep-files", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Copy printers.ini and state.json to DIR (for a profiler)", "DIR" },
    { "bare-window", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &bare, NULL, NULL },
    { NULL }
  };
  const char *const          sim_args[] = { "--models", "X1C,P1S,A1,H2D", "--scenario", "print", NULL };
  g_autofree char           *dir = NULL;
  g_autofree char           *empty_config = NULL;
  g_autofree char           *empty_cache = NULL;
  g_autofree char           *config = NULL;
  g_autofree char           *cache = NULL;
  g_autofree char           *state_path = NULL;
  g_autofree char           *state = NULL;
  gsize                      state_length = 0;
  g_autoptr (GArray)         bare_runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr (GArray)         empty_runs = g_array_new (FALSE, FALSE, sizeof (Run));
  g_autoptr (GArray)         cached_runs = g_array_new (FALSE, FALSE, sizeof (Run));
  const char                *self_argv[] = { argv[0], "--bare-window", NULL };
  const char                *app_argv[] = { PRINTDECK_APP, NULL };
  Summary                    bare_window, empty_window, cached_window, cached_printers, cached_cards, cached_live;
  Sim                       *sim;
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
    runs = 3;
  runs = MAX (runs, 1);

  if (bare)
    {
      /* the process set up as Printdeck's main() does (no GL driver with the
       * cairo renderer): the baseline differs from the app in its window only */
      pd_application_prepare_process ();
      if (!gtk_init_check ())
        return 77;
      return run_bare_window ();
    }
  /* The app's files in a folder of their own, its settings in memory, the
   * build's schema: as for the other benchmarks (the children inherit it). */
  if (!bench_app_init ("bench-startup"))
    return 77;

  dir = g_path_get_dirname (g_getenv ("PRINTDECK_CONFIG_DIR"));
  config = g_build_filename (dir, "config", NULL);
  cache = g_build_filename (dir, "cache", NULL);
  empty_config = g_build_filename (dir, "empty-config", NULL);
  empty_cache = g_build_filename (dir, "empty-cache", NULL);
  g_mkdir_with_parents (empty_config, 0700);
  g_mkdir_with_parents (empty_cache, 0700);

  started = g_get_monotonic_time ();
  sim = sim_start_with ((guint) n_printers, sim_args);
  make_printers (sim, config, cache);
  state_path = g_build_filename (cache, "state.json", NULL);
  if (!g_file_get_contents (state_path, &state, &state_length, &error))
    g_error ("%s", error->message);
  if (keep != NULL)
    {
      g_autofree char *ini = NULL;
      g_autofree char *ini_path = g_build_filename (config, "printers.ini", NULL);
      g_autofree char *ini_copy = g_build_filename (keep, "printers.ini", NULL);
      g_autofree char *state_copy = g_build_filename (keep, "state.json", NULL);

      g_mkdir_with_parents (keep, 0700);
      if (!g_file_get_contents (ini_path, &ini, NULL, &error) || !g_file_set_contents (ini_copy, ini, -1, &error) ||
          !g_file_set_contents (state_copy, state, (gssize) state_length, &error))
        g_error ("%s", error->message);
    }
  g_print ("bench-startup: %d printers (printers.ini, keyring, a %.0f kB state.json) made in %.1f s; "
           "%d runs each; load average %.2f\n\n",
           n_printers, state_length / 1024.0, (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC, runs,
           load_average ());

  for (int i = 0; i < runs; i++)
    {
      Run run;

      run = run_once (self_argv, empty_config, empty_cache, "window", 30);
      g_array_append_val (bare_runs, run);
      run = run_once (app_argv, empty_config, empty_cache, "window", 30);
      g_array_append_val (empty_runs, run);
      if (!g_file_set_contents (state_path, state, (gssize) state_length, &error))
        g_error ("%s", error->message);
      /* the cards may come after "live": the run ends with both */
      run = run_once (app_argv, config, cache, "live,cards", 60);
      g_array_append_val (cached_runs, run);
      g_print ("  run %d: bare %.0f ms, empty %.0f ms, cached: window %.0f ms, printers %.0f ms, all cards %.0f ms, "
               "live %.0f ms\n",
               i + 1, g_array_index (bare_runs, Run, i).window_ms, g_array_index (empty_runs, Run, i).window_ms,
               run.window_ms, run.printers_ms, run.cards_ms, run.live_ms);
    }

  bare_window = summarize (bare_runs, G_STRUCT_OFFSET (Run, window_ms));
  empty_window = summarize (empty_runs, G_STRUCT_OFFSET (Run, window_ms));
  cached_window = summarize (cached_runs, G_STRUCT_OFFSET (Run, window_ms));
  cached_printers = summarize (cached_runs, G_STRUCT_OFFSET (Run, printers_ms));
  cached_cards = summarize (cached_runs, G_STRUCT_OFFSET (Run, cards_ms));
  cached_live = summarize (cached_runs, G_STRUCT_OFFSET (Run, live_ms));

  g_print ("\nmedian (fastest–slowest)\n");
  print_summary ("bare libadwaita window: first frame", bare_window, (guint) runs);
  print_summary ("Printdeck, no printers: first frame", empty_window, (guint) runs);
  print_summary ("Printdeck, cached printers: first frame", cached_window, (guint) runs);
  print_summary ("  first frame with the cards in view", cached_printers, (guint) runs);
  print_summary ("  first frame with every printer's card", cached_cards, (guint) runs);
  print_summary ("  every printer live (connected, report merged)", cached_live, (guint) runs);
  g_print ("cached printers' window vs no printers: %+.0f ms (%+.0f ms to the cards in view); "
           "vs a bare window: %.1f×\n\n",
           cached_window.median - empty_window.median, cached_printers.median - empty_window.median,
           cached_window.median / MAX (bare_window.median, 1));

  json_line ("startup", "printers", n_printers, "count");
  json_line ("startup", "bare_window_ms", bare_window.median, "ms");
  json_line ("startup", "empty_window_ms", empty_window.median, "ms");
  json_line ("startup", "cached_window_ms", cached_window.median, "ms");
  json_line ("startup", "cached_printers_shown_ms", cached_printers.median, "ms");
  json_line ("startup", "cached_printers_shown_max_ms", cached_printers.max, "ms");
  json_line ("startup", "cached_all_cards_ms", cached_cards.median, "ms");
  json_line ("startup", "cached_live_ms", cached_live.median, "ms");
  json_line ("startup", "cached_live_max_ms", cached_live.max, "ms");
  json_line ("startup", "load_average", load_average (), "");

  sim_stop (sim);
  bench_remove_tree (dir);

  return 0;
}
