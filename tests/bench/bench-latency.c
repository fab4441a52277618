/* bench-latency.c — from a report published by a printer to the app's
 * property, and to the card on screen
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * printdeck-sim runs in its own process with 1, 10 and 100 printers that
 * report once a second (X1C, P1S, A1 and H2D in turn, printing, simulated
 * time ten times faster so that cards change often). The app runs here as
 * it runs for a user: PdApplication, its window and cards, its store, the
 * keyring and a session per printer.
 *
 * "Published" is when the broker hands the report out: a witness in this
 * process (libmosquitto on its own thread, subscribed to every printer's
 * report topic on the simulator's farm-bridge listener) notes the time of
 * each report, which the simulator numbers per printer (sequence_id). The
 * app's connections reach the same broker through the simulator's fault
 * relay (a real printer has none), so the figures include that hop.
 *
 *   notified   the report merged into the PdPrinter: last-report-time (and
 *              every property the report changed) notified, on the main
 *              thread
 *   repainted  the next frame in which that printer's card was drawn again
 *              (the card class's snapshot is wrapped; the time is the
 *              frame clock's after-paint), for reports that changed what
 *              the card shows and cards the grid has made (on screen)
 *
 * The monotonic clock is this process's, for both ends.
 *
 *   bench-latency [--printers 1,10,100] [--seconds S] [--quick]
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <math.h>
#include <mosquitto.h>
#include <string.h>

#include "pd-bench-app.h"

/* The witness ----------------------------------------------------------------*/

typedef struct
{
  struct mosquitto *mosq;
  GMutex            lock;
  GHashTable       *seen; /* "serial/sequence" → gint64 µs (in a pointer) */
  gint              subscribed;
} Witness;

static void
witness_on_connect (struct mosquitto *mosq,
                    void             *data,
                    int               rc)
{
  if (rc == 0)
    mosquitto_subscribe (mosq, NULL, "device/+/report", 0);
}

static void
witness_on_subscribe (struct mosquitto *mosq,
                      void             *data,
                      int               mid,
                      int               qos_count,
                      const int        *granted)
{
  Witness *witness = data;

  g_atomic_int_set (&witness->subscribed, 1);
}

static void
witness_on_message (struct mosquitto               *mosq,
                    void                           *data,
                    const struct mosquitto_message *message)
{
  Witness    *witness = data;
  gint64      now = g_get_monotonic_time ();
  const char *text = message->payload;
  const char *end = text + MAX (message->payloadlen, 0);
  const char *found;
  char      **parts;
  guint64     sequence = 0;

  if (text == NULL || g_strstr_len (text, message->payloadlen, "\"push_status\"") == NULL ||
      (found = g_strstr_len (text, message->payloadlen, "\"sequence_id\":\"")) == NULL)
    return;
  for (found += strlen ("\"sequence_id\":\""); found < end && g_ascii_isdigit (*found); found++)
    sequence = sequence * 10 + (guint64) (*found - '0');

  parts = g_strsplit (message->topic, "/", 3);
  if (g_strv_length (parts) == 3)
    {
      g_mutex_lock (&witness->lock);
      g_hash_table_insert (witness->seen, g_strdup_printf ("%s/%" G_GUINT64_FORMAT, parts[1], sequence),
                           GSIZE_TO_POINTER ((gsize) now));
      g_mutex_unlock (&witness->lock);
    }
  g_strfreev (parts);
}

static gboolean
witness_ready (gpointer data)
{
  return g_atomic_int_get (&((Witness *) data)->subscribed) != 0;
}

static Witness *
witness_start (const SimBridge *bridge)
{
  Witness *witness = g_new0 (Witness, 1);
  int      rc;

  g_mutex_init (&witness->lock);
  witness->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  mosquitto_lib_init ();
  witness->mosq = mosquitto_new (NULL, true, witness);
  mosquitto_int_option (witness->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_username_pw_set (witness->mosq, bridge->user, bridge->password);
  mosquitto_tls_set (witness->mosq, bridge->ca_file, NULL, NULL, NULL, NULL);
  /* The bridge's certificate names the farm, not 127.0.0.1. */
  mosquitto_tls_insecure_set (witness->mosq, true);
  mosquitto_connect_callback_set (witness->mosq, witness_on_connect);
  mosquitto_subscribe_callback_set (witness->mosq, witness_on_subscribe);
  mosquitto_message_callback_set (witness->mosq, witness_on_message);
  if ((rc = mosquitto_connect (witness->mosq, bridge->host, bridge->port, 30)) != MOSQ_ERR_SUCCESS ||
      (rc = mosquitto_loop_start (witness->mosq)) != MOSQ_ERR_SUCCESS)
    g_error ("the witness could not connect to the bridge: %s", mosquitto_strerror (rc));
  if (!wait_until (witness_ready, witness, 10))
    g_error ("the witness did not subscribe");

  return witness;
}

static gint64
witness_time (Witness    *witness,
              const char *serial,
              guint64     sequence)
{
  g_autofree char *key = g_strdup_printf ("%s/%" G_GUINT64_FORMAT, serial, sequence);
  gpointer         value = NULL;
  gboolean         found;

  g_mutex_lock (&witness->lock);
  found = g_hash_table_lookup_extended (witness->seen, key, NULL, &value);
  g_mutex_unlock (&witness->lock);

  return found ? (gint64) GPOINTER_TO_SIZE (value) : 0;
}

static void
witness_stop (Witness *witness)
{
  mosquitto_disconnect (witness->mosq);
  mosquitto_loop_stop (witness->mosq, true);
  mosquitto_destroy (witness->mosq);
  g_hash_table_unref (witness->seen);
  g_mutex_clear (&witness->lock);
  g_free (witness);
}

/* The app's side ---------------------------------------------------------------*/

typedef struct
{
  guint   printer; /* Watched.index */
  guint64 sequence;
  gint64  notified;
  gint64  painted; /* 0: not repainted before the printer's next report */
} Sample;

typedef struct
{
  gboolean    recording;
  GArray     *samples;  /* Sample */
  int        *awaiting; /* per printer: the sample waiting for its card, or -1 */
  GHashTable *index;    /* PdPrinter → Watched.index + 1 */
  GArray     *painted;  /* printers whose card was drawn in this frame */
} Probe;

static void
on_merged (Watched *watched,
           guint64  sequence,
           gint64   when,
           gpointer data)
{
  Probe *probe = data;
  Sample sample = { watched->index, sequence, when, 0 };

  if (!probe->recording)
    return;

  g_array_append_val (probe->samples, sample);
  probe->awaiting[watched->index] = (int) probe->samples->len - 1;
}

static void
on_card_painted (PdPrinter *printer,
                 gpointer   data)
{
  Probe *probe = data;
  guint  index = GPOINTER_TO_UINT (g_hash_table_lookup (probe->index, printer));

  if (index == 0 || probe->awaiting[index - 1] < 0)
    return;
  index--;
  g_array_append_val (probe->painted, index);
}

static void
on_after_paint (GdkFrameClock *clock,
                Probe         *probe)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < probe->painted->len; i++)
    {
      guint index = g_array_index (probe->painted, guint, i);
      int   sample = probe->awaiting[index];

      if (sample >= 0)
        {
          g_array_index (probe->samples, Sample, sample).painted = now;
          probe->awaiting[index] = -1;
        }
    }
  g_array_set_size (probe->painted, 0);
}

typedef struct
{
  guint   printers;
  guint   reports;
  guint   unmatched; /* reports the witness did not see */
  double  notify_p50, notify_p99, notify_max;
  guint   repainted;
  guint   cards;     /* printers whose card was repainted at least once */
  double  paint_p50, paint_p99, paint_max;
  double  cpu_percent;
  Stalls  stalls;
  guint64 dropped;
} Figures;

static Figures
run_case (BenchApp *app,
          guint     n,
          double    seconds)
{
  const char *const args[] = { "--models", "X1C,P1S,A1,H2D", "--scenario", "print", "--speed", "10", "--bridge",
                               "--no-cameras", NULL };
  PdPrinterStore   *store = pd_application_get_store (app->app);
  Figures           figures = { n, 0, };
  Probe             probe = { FALSE, };
  g_autoptr (GArray) notify = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) paint = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GHashTable) cards = g_hash_table_new (NULL, NULL);
  GdkFrameClock    *clock = gtk_widget_get_frame_clock (GTK_WIDGET (app->window));
  Witness          *witness;
  Watch            *watch;
  Sim              *sim;
  gulong            paint_id;
  double            cpu;
  gint64            start;

  g_print ("%u printer%s: starting…\n", n, n == 1 ? "" : "s");
  sim = sim_start_with (n, args);
  witness = witness_start (sim->bridge);
  if (!bench_app_add_sim (app, sim, 60))
    g_error ("the printers did not all connect");

  probe.samples = g_array_new (FALSE, FALSE, sizeof (Sample));
  probe.awaiting = g_new (int, n);
  probe.index = g_hash_table_new (NULL, NULL);
  probe.painted = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    probe.awaiting[i] = -1;
  watch = watch_printers (store, on_merged, &probe);
  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i);

      g_hash_table_insert (probe.index, watched->printer, GUINT_TO_POINTER (watched->index + 1));
    }
  card_probe_install (on_card_painted, &probe);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &probe);

  /* Settle: the first full frames, the job files, the first layout. */
  run_for (3);
  watch_reset (watch);
  probe.recording = TRUE;
  stalls_reset ();
  cpu = cpu_seconds ();
  start = g_get_monotonic_time ();
  run_for (seconds);
  figures.cpu_percent = 100 * (cpu_seconds () - cpu) / ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  figures.stalls = stalls_read ();
  probe.recording = FALSE;
  /* The last reports' repaints, and the witness's last notes. */
  run_for (0.5);
  figures.dropped = watch_totals (watch).dropped;

  for (guint i = 0; i < probe.samples->len; i++)
    {
      Sample     *s = &g_array_index (probe.samples, Sample, i);
      Watched    *watched = g_ptr_array_index (watch->watched, s->printer);
      gint64      published = witness_time (witness, pd_printer_get_serial (watched->printer), s->sequence);
      double      ms;

      figures.reports++;
      if (published == 0)
        {
          figures.unmatched++;
          continue;
        }
      ms = (double) (s->notified - published) / 1000.0;
      g_array_append_val (notify, ms);
      if (s->painted != 0)
        {
          ms = (double) (s->painted - published) / 1000.0;
          g_array_append_val (paint, ms);
          g_hash_table_add (cards, GUINT_TO_POINTER (s->printer + 1));
        }
    }
  g_array_sort (notify, compare_doubles);
  g_array_sort (paint, compare_doubles);
  figures.notify_p50 = sorted_percentile (notify, 50);
  figures.notify_p99 = sorted_percentile (notify, 99);
  figures.notify_max = sorted_percentile (notify, 100);
  figures.repainted = paint->len;
  figures.cards = g_hash_table_size (cards);
  figures.paint_p50 = sorted_percentile (paint, 50);
  figures.paint_p99 = sorted_percentile (paint, 99);
  figures.paint_max = sorted_percentile (paint, 100);

  g_signal_handler_disconnect (clock, paint_id);
  card_probe_install (NULL, NULL);
  watch_free (watch);
  g_array_unref (probe.samples);
  g_array_unref (probe.painted);
  g_hash_table_unref (probe.index);
  g_free (probe.awaiting);

  bench_app_remove_all (app);
  witness_stop (witness);
  sim_stop (sim);

  return figures;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— report to property and to card, p50 and p99");
  g_autoptr (GError)         error = NULL;
  g_autofree char           *printers = g_strdup ("1,10,100");
  g_auto (GStrv)             counts = NULL;
  double                     seconds = 60;
  gboolean                   quick = FALSE;
  const GOptionEntry         entries[] = {
    { "printers", 'n', 0, G_OPTION_ARG_STRING, &printers, "Numbers of printers, one run each (1,10,100)", "LIST" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds measured, each run (60)", "S" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "6 seconds each", NULL },
    { NULL }
  };
  g_autoptr (GArray)         all = g_array_new (FALSE, FALSE, sizeof (Figures));
  BenchApp                  *app;

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
    seconds = 6;

  if (!bench_app_init ("bench-latency"))
    return 77;
  stalls_install ();
  app = bench_app_start ();
  run_for (0.5);

  g_print ("bench-latency: reports at 1 Hz per printer, %.0f s measured each run, GSK_RENDERER=%s, "
           "window %d×%d, load average %.2f\n\n",
           seconds, g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)",
           gtk_widget_get_width (GTK_WIDGET (app->window)), gtk_widget_get_height (GTK_WIDGET (app->window)),
           load_average ());

  counts = g_strsplit (printers, ",", -1);
  for (guint i = 0; counts[i] != NULL; i++)
    {
      guint64 n = 0;
      Figures f;

      if (!g_ascii_string_to_unsigned (counts[i], 10, 1, 1000, &n, NULL))
        {
          g_printerr ("not a number of printers: %s\n", counts[i]);
          return 2;
        }
      f = run_case (app, (guint) n, seconds);
      g_array_append_val (all, f);
    }

  g_print ("\n%-9s %8s %26s %8s %26s %7s %9s\n", "printers", "reports", "→ notified p50/p99/max ms", "redrawn",
           "→ card drawn p50/p99/max ms", "CPU", "stall max");
  for (guint i = 0; i < all->len; i++)
    {
      const Figures *f = &g_array_index (all, Figures, i);

      g_print ("%-9u %8u %8.2f %8.2f %8.2f %8u %8.2f %8.2f %8.2f %6.1f%% %7.2f ms\n", f->printers, f->reports,
               f->notify_p50, f->notify_p99, f->notify_max, f->repainted, f->paint_p50, f->paint_p99, f->paint_max,
               f->cpu_percent, f->stalls.longest_ms);
    }
  for (guint i = 0; i < all->len; i++)
    {
      const Figures *f = &g_array_index (all, Figures, i);

      g_print ("%u printers: %u reports not seen by the witness, %" G_GUINT64_FORMAT " dropped, "
               "cards of %u printers redrawn\n",
               f->printers, f->unmatched, f->dropped, f->cards);
    }
  g_print ("\n");

  for (guint i = 0; i < all->len; i++)
    {
      const Figures *f = &g_array_index (all, Figures, i);
      struct
      {
        const char *name;
        double      value;
        const char *unit;
      } lines[] = {
        { "reports", f->reports, "count" },
        { "notify_p50", f->notify_p50, "ms" },
        { "notify_p99", f->notify_p99, "ms" },
        { "notify_max", f->notify_max, "ms" },
        { "repainted", f->repainted, "count" },
        { "paint_p50", f->paint_p50, "ms" },
        { "paint_p99", f->paint_p99, "ms" },
        { "paint_max", f->paint_max, "ms" },
        { "cpu_percent", f->cpu_percent, "%" },
        { "longest_stall", f->stalls.longest_ms, "ms" },
        { "dropped", (double) f->dropped, "count" },
      };

      for (guint j = 0; j < G_N_ELEMENTS (lines); j++)
        {
          g_autofree char *metric = g_strdup_printf ("%s_%u", lines[j].name, f->printers);

          json_line ("latency", metric, lines[j].value, lines[j].unit);
        }
    }
  json_line ("latency", "load_average", load_average (), "");

  bench_app_stop (app);

  return 0;
}
