/* bench-scroll.c — scrolling through a farm's cards
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app's window with N simulated printers reporting once a second: the
 * cards' grid is scrolled from top to bottom and back at a steady speed
 * (a tick callback moves it every frame, as kinetic scrolling does) and
 * every frame's interval is noted, with how many cards the grid made and
 * how often cards were drawn. The baseline, in the same process and on the
 * same display, is a plain GtkGridView of as many labels of a card's size:
 * what the toolkit costs by itself.
 *
 *   bench-scroll [--printers N] [--seconds S] [--quick]
 */

#include "config.h"

#include <locale.h>
#include <math.h>

#include "pd-bench-app.h"
#include "pd-bench-util.h"
#include "pd-printer-card.h"
#include "pd-window.h"

#define SPEED_PX_PER_SECOND 1500.0

typedef struct
{
  GtkAdjustment *adjustment;
  gint64         start;
  gint64         last;
  GArray        *intervals; /* ms between frames */
} Scroll;

typedef struct
{
  double   p50, p99, max;
  double   over_20_ms; /* % of frames */
  guint    frames;
  double   cpu_percent;
} Figures;

static guint cards_drawn;

static void
on_card_painted (PdPrinter *printer,
                 gpointer   data)
{
  cards_drawn++;
}

/* Every frame: the position a steady scroll has reached by now, down and
 * back up again. */
static gboolean
scroll_tick (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Scroll *scroll = data;
  /* the real time: the frame clock's own is smoothed to whole frames */
  gint64  now = g_get_monotonic_time ();
  double  range = gtk_adjustment_get_upper (scroll->adjustment) - gtk_adjustment_get_page_size (scroll->adjustment);
  double  travelled;

  if (scroll->start == 0)
    scroll->start = now;
  else
    {
      double ms = (now - scroll->last) / 1000.0;

      g_array_append_val (scroll->intervals, ms);
    }
  scroll->last = now;

  travelled = fmod ((now - scroll->start) / (double) G_USEC_PER_SEC * SPEED_PX_PER_SECOND, 2 * MAX (range, 1));
  gtk_adjustment_set_value (scroll->adjustment, travelled <= range ? travelled : 2 * range - travelled);

  return G_SOURCE_CONTINUE;
}

static Figures
measure (GtkWidget *scrollable,
         double     seconds)
{
  Scroll  scroll = { gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (scrollable)), 0, 0,
                     g_array_new (FALSE, FALSE, sizeof (double)) };
  Figures f = { 0 };
  double  cpu = cpu_seconds ();
  gint64  started = g_get_monotonic_time ();
  guint   id, over = 0;

  id = gtk_widget_add_tick_callback (scrollable, scroll_tick, &scroll, NULL);
  run_for (seconds);
  gtk_widget_remove_tick_callback (scrollable, id);
  f.cpu_percent = 100 * (cpu_seconds () - cpu) / ((g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);

  g_array_sort (scroll.intervals, compare_doubles);
  for (guint i = 0; i < scroll.intervals->len; i++)
    over += g_array_index (scroll.intervals, double, i) > 20;
  f.frames = scroll.intervals->len;
  f.p50 = sorted_percentile (scroll.intervals, 50);
  f.p99 = sorted_percentile (scroll.intervals, 99);
  f.max = sorted_percentile (scroll.intervals, 100);
  f.over_20_ms = f.frames > 0 ? 100.0 * over / f.frames : 0;
  g_array_unref (scroll.intervals);
  gtk_adjustment_set_value (scroll.adjustment, 0);

  return f;
}

static void
setup_label (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  data)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* a card's size in a 1280 px window */
  gtk_widget_set_size_request (label, 300, 280);
  gtk_widget_add_css_class (label, "card");
  gtk_list_item_set_child (item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)),
                       gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

/* The toolkit alone: the same window size, a grid of as many plain cards. */
static Figures
run_baseline (guint  n,
              double seconds,
              int    width,
              int    height)
{
  GtkStringList      *strings = gtk_string_list_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget          *window = gtk_window_new ();
  GtkWidget          *scrolled = gtk_scrolled_window_new ();
  GtkWidget          *grid;
  Figures             f;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Printer %u", i + 1);

      gtk_string_list_append (strings, name);
    }
  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
  grid = gtk_grid_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (strings))), factory);
  gtk_grid_view_set_max_columns (GTK_GRID_VIEW (grid), 12);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), grid);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  run_for (1);

  f = measure (grid, seconds);
  gtk_window_destroy (GTK_WINDOW (window));
  run_for (0.2);

  return f;
}

static guint
count_cards (GtkWidget *grid)
{
  guint n = 0;

  for (GtkWidget *cell = gtk_widget_get_first_child (grid); cell != NULL; cell = gtk_widget_get_next_sibling (cell))
    n += gtk_widget_get_first_child (cell) != NULL && PD_IS_PRINTER_CARD (gtk_widget_get_first_child (cell));

  return n;
}

static void
print_figures (const char    *what,
               const Figures *f)
{
  g_print ("%-28s %7u %8.1f %8.1f %8.1f %9.1f%% %6.1f%%\n", what, f->frames, f->p50, f->p99, f->max, f->over_20_ms,
           f->cpu_percent);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— scrolling through the cards of a farm");
  g_autoptr (GError)         error = NULL;
  guint                      printers = 100;
  double                     seconds = 20;
  gboolean                   quick = FALSE;
  const GOptionEntry         entries[] = {
    { "printers", 'n', 0, G_OPTION_ARG_INT, &printers, "Simulated printers (100)", "N" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds of scrolling, each run (20)", "S" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "5 seconds each", NULL },
    { NULL }
  };
  const char *const          sim_args[] = { "--models", "X1C,P1S,A1,H2D", "--scenario", "print", NULL };
  BenchApp                  *app;
  Sim                       *sim;
  GtkWidget                 *grid;
  Figures                    baseline, cards;
  guint                      made_before, drawn;
  int                        width, height;

  setlocale (LC_ALL, "");
  setvbuf (stdout, NULL, _IOLBF, 0);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    seconds = 5;
  if (printers < 1 || printers > 1000)
    {
      g_printerr ("--printers: from 1 to 1000\n");
      return 2;
    }

  if (!bench_app_init ("bench-scroll"))
    return 77;
  card_probe_install (on_card_painted, NULL);
  app = bench_app_start ();
  gtk_window_set_default_size (app->window, 1280, 800);
  run_for (0.5);

  sim = sim_start_with (printers, sim_args);
  if (!bench_app_add_sim (app, sim, 120))
    {
      g_printerr ("the printers did not all report within 2 minutes\n");
      return 1;
    }
  run_for (2);
  grid = GTK_WIDGET (_pd_window_get_grid_view (PD_WINDOW (app->window)));
  width = gtk_widget_get_width (GTK_WIDGET (app->window));
  height = gtk_widget_get_height (GTK_WIDGET (app->window));

  g_print ("bench-scroll: %u printers reporting at 1 Hz, window %d×%d, %.0f px/s for %.0f s, GSK_RENDERER=%s, "
           "load average %.2f\n\n",
           printers, width, height, SPEED_PX_PER_SECOND, seconds,
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)", load_average ());

  baseline = run_baseline (printers, seconds, width, height);
  made_before = count_cards (grid);
  cards_drawn = 0;
  cards = measure (grid, seconds);
  drawn = cards_drawn;

  g_print ("%-28s %7s %8s %8s %8s %10s %7s\n", "", "frames", "p50 ms", "p99 ms", "max ms", "over 20 ms", "CPU");
  print_figures ("baseline: plain grid", &baseline);
  print_figures ("Printdeck's cards", &cards);
  g_print ("\ncards made: %u for %u printers (%u after scrolling); cards drawn while scrolling: %u (%.1f a frame)\n",
           made_before, printers, count_cards (grid), drawn, cards.frames > 0 ? (double) drawn / cards.frames : 0);
  g_print ("p99 frame interval vs baseline: %.2f×\n", cards.p99 / baseline.p99);

  json_line ("scroll", "baseline_frame_p99_ms", baseline.p99, "ms");
  json_line ("scroll", "frame_p50_ms", cards.p50, "ms");
  json_line ("scroll", "frame_p99_ms", cards.p99, "ms");
  json_line ("scroll", "frame_max_ms", cards.max, "ms");
  json_line ("scroll", "frames_over_20_ms_percent", cards.over_20_ms, "%");
  json_line ("scroll", "cards_made", made_before, "cards");
  json_line ("scroll", "cpu_percent", cards.cpu_percent, "%");
  json_line ("scroll", "frame_p99_vs_baseline", cards.p99 / baseline.p99, "x");

  bench_app_remove_all (app);
  bench_app_stop (app);
  sim_stop (sim);

  return 0;
}
