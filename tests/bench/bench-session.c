/* bench-session.c — how long live sessions hold up the main loop
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts printdeck-sim (a separate process, as printers are) with N printers
 * sending a report every 100 ms (ten times a real printer's rate), watches
 * them all with PdSession in this process, and measures the main loop: a
 * 1 ms timer notes how late each of its callbacks runs. The same timer is
 * first run for the same time with no session at all: the baseline. A frame
 * at 60 Hz is 16.7 ms; a session must never hold the loop that long.
 *
 *   bench-session [--printers N] [--seconds S] [--quick]
 *
 * Prints figures for people, then one JSON line per figure.
 */

#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <sys/resource.h>

#include "pd-session.h"

typedef struct
{
  gint64  last;
  GArray *gaps; /* gint64 µs between timer callbacks */
} Probe;

typedef struct
{
  double longest_ms;
  double p99_ms;
  double p50_ms;
} Gaps;

static gboolean
on_probe (gpointer data)
{
  Probe *probe = data;
  gint64 now = g_get_monotonic_time ();

  if (probe->last != 0)
    {
      gint64 gap = now - probe->last;

      g_array_append_val (probe->gaps, gap);
    }
  probe->last = now;

  return G_SOURCE_CONTINUE;
}

static int
compare_gap (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static Gaps
measure (double seconds)
{
  Probe  probe = { 0, g_array_new (FALSE, FALSE, sizeof (gint64)) };
  guint  id = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_probe, &probe, NULL);
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  Gaps   gaps = {
      0,
  };

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  if (probe.gaps->len > 0)
    {
      guint n = probe.gaps->len;

      g_array_sort (probe.gaps, compare_gap);
      /* the timer's own 1 ms period is not a stall */
      gaps.longest_ms = (g_array_index (probe.gaps, gint64, n - 1) - 1000) / 1000.0;
      gaps.p99_ms = (g_array_index (probe.gaps, gint64, (guint) (n * 0.99)) - 1000) / 1000.0;
      gaps.p50_ms = (g_array_index (probe.gaps, gint64, n / 2) - 1000) / 1000.0;
    }
  g_array_unref (probe.gaps);

  return gaps;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static void
emit (const char *metric,
      double      value,
      const char *unit)
{
  g_print ("{\"bench\": \"session\", \"metric\": \"%s\", \"value\": %.3f, \"unit\": \"%s\"}\n",
           metric, value, unit);
}

static void
count_report (PdPrinter *printer,
              GPtrArray *changes,
              guint     *n)
{
  (*n)++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext)   context = g_option_context_new ("— main-loop stalls caused by live sessions");
  g_autoptr (GError)           error = NULL;
  g_autoptr (GSubprocess)      sim = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GPtrArray)        sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char             *sim_path = NULL;
  g_autofree char             *printers_arg = NULL;
  int                          n_printers = 20;
  double                       seconds = 20;
  gboolean                     quick = FALSE;
  guint                        n_changes = 0;
  guint                        n_connected = 0;
  gint64                       deadline;
  Gaps                         baseline, loaded;
  double                       cpu_before, cpu;
  const GOptionEntry           entries[] = {
              { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, "Simulated printers (20)", "N" },
              { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds to measure, each run (20)", "S" },
              { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "5 seconds each", NULL },
              { NULL }
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (quick)
    seconds = 5;

  sim_path = g_strdup (g_getenv ("PRINTDECK_SIM") ? g_getenv ("PRINTDECK_SIM") : PRINTDECK_SIM);
  printers_arg = g_strdup_printf ("%d", n_printers);
  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          sim_path, "--printers", printers_arg, "--scenario", "print", "--speed", "20",
                          "--interval", "100", "--list-json", NULL);
  if (sim == NULL)
    g_error ("printdeck-sim: %s", error->message);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  for (int i = 0; i < n_printers; i++)
    {
      g_autofree char       *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (PdPrinter)  printer = NULL;
      JsonObject            *obj;
      PdSession             *session;

      if (line == NULL || !json_parser_load_from_data (parser, line, -1, &error))
        g_error ("printdeck-sim --list-json: %s", error != NULL ? error->message : "no output");
      obj = json_node_get_object (json_parser_get_root (parser));

      printer = pd_printer_new (json_object_get_string_member (obj, "serial"));
      g_signal_connect (printer, "state-changed", G_CALLBACK (count_report), &n_changes);
      session = pd_session_new (printer, json_object_get_string_member (obj, "host"));
      pd_session_set_port (session, (guint) json_object_get_int_member (obj, "port"));
      pd_session_set_access_code (session, json_object_get_string_member (obj, "access_code"));
      pd_session_set_pinned_fingerprint (session, json_object_get_string_member (obj, "fingerprint"));
      g_ptr_array_add (sessions, session);
    }

  g_print ("Baseline: the main loop alone for %.0f s…\n", seconds);
  baseline = measure (seconds);

  for (guint i = 0; i < sessions->len; i++)
    pd_session_start (g_ptr_array_index (sessions, i));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (n_connected < sessions->len && g_get_monotonic_time () < deadline)
    {
      g_main_context_iteration (NULL, TRUE);
      n_connected = 0;
      for (guint i = 0; i < sessions->len; i++)
        n_connected += pd_session_get_connection (g_ptr_array_index (sessions, i)) == PD_CONNECTION_CONNECTED;
    }
  if (n_connected < sessions->len)
    g_error ("only %u of %u printers connected", n_connected, sessions->len);

  g_print ("%u sessions, reports every 100 ms each: %.0f s…\n", sessions->len, seconds);
  n_changes = 0;
  cpu_before = cpu_seconds ();
  loaded = measure (seconds);
  cpu = cpu_seconds () - cpu_before;

  g_print ("\n%-38s %10s %10s\n", "", "baseline", "sessions");
  g_print ("%-38s %7.2f ms %7.2f ms\n", "longest main-loop stall", baseline.longest_ms, loaded.longest_ms);
  g_print ("%-38s %7.2f ms %7.2f ms\n", "99th percentile", baseline.p99_ms, loaded.p99_ms);
  g_print ("%-38s %7.2f ms %7.2f ms\n", "median", baseline.p50_ms, loaded.p50_ms);
  g_print ("%-38s %10s %7.0f /s\n", "state changes merged", "", n_changes / seconds);
  g_print ("%-38s %10s %7.1f %%\n", "CPU of this process (one core)", "", 100 * cpu / seconds);
  g_print ("longest stall vs baseline: %.1f×\n\n", loaded.longest_ms / MAX (baseline.longest_ms, 0.001));

  emit ("printers", sessions->len, "count");
  emit ("longest_stall_baseline", baseline.longest_ms, "ms");
  emit ("longest_stall", loaded.longest_ms, "ms");
  emit ("p99_stall", loaded.p99_ms, "ms");
  emit ("state_changes_per_second", n_changes / seconds, "1/s");
  emit ("cpu_percent", 100 * cpu / seconds, "%");
  emit ("stall_ratio", loaded.longest_ms / MAX (baseline.longest_ms, 0.001), "x");

  for (guint i = 0; i < sessions->len; i++)
    pd_session_stop (g_ptr_array_index (sessions, i));
  g_subprocess_send_signal (sim, SIGTERM);
  g_subprocess_wait (sim, NULL, NULL);

  return 0;
}
