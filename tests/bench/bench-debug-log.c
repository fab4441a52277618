/* bench-debug-log.c — what the MQTT debug log window costs while a printer
 * floods it: frame-time gaps and CPU, with and without capturing
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * printdeck-sim runs in its own process (its costs are not counted) with one
 * X1C reporting every 50 ms: 20 messages a second, the sustained
 * load. A PdSession feeds a PdDebugLog, shown in a PdDebugWindow (1100×700)
 * that follows the newest message. A tick callback on the window's frame
 * clock records the time between frames: when the main loop is busy, frames
 * come late, and the gaps grow. Needs a display (build-aux/dev.sh bench).
 *
 *   baseline        the window open, capture stopped (the session still
 *                   receives and merges every report)
 *   capture-follow  capturing, the view following the newest message
 *   capture-back    capturing, the view scrolled back to the top (nothing
 *                   moves; rows still come in at the bottom)
 *   capture-detail  capturing and following, a full report selected with
 *                   its tree open (the detail pane does not change)
 *   flood-20, flood-200  capture stopped, the simulator's last full report
 *                   (about 11 kB) added to the log 20 and 200 times a
 *                   second besides, following: the sustained load of the
 *                   issue whatever the simulator's pace, and ten times it
 *
 *   bench-debug-log [--seconds S] [--quick]
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <string.h>

#include "pd-bench-util.h"
#include "pd-debug-detail.h"
#include "pd-debug-window.h"
#include "pd-session.h"

typedef struct
{
  double cpu_percent;
  double p50_ms;
  double p99_ms;
  double max_ms;
  double messages_per_second;
  double updates_per_second; /* items-changed of the list the view shows */
  double rss_mb;
} Figures;

typedef struct
{
  GArray *gaps; /* double, ms */
  gint64  last;
} Frames;

static gboolean
on_frame (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Frames *frames = data;
  gint64  now = g_get_monotonic_time ();

  if (frames->last != 0)
    {
      double gap = (double) (now - frames->last) / 1000.0;

      g_array_append_val (frames->gaps, gap);
    }
  frames->last = now;

  return G_SOURCE_CONTINUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted,
            double  p)
{
  guint index;

  if (sorted->len == 0)
    return 0;
  index = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, MIN (index, sorted->len - 1));
}

static void
count_call (guint *count)
{
  (*count)++;
}

static Figures
measure (GtkWidget  *window,
         PdDebugLog *log,
         double      seconds)
{
  Figures figures = {
    0,
  };
  Frames  frames = { g_array_new (FALSE, FALSE, sizeof (double)), 0 };
  guint   updates = 0;
  gulong  handler;
  guint   tick;
  double  cpu;
  gint64  start;
  guint64 sequence_before = 0;
  guint   n;

  spin (1.0); /* settle */
  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  if (n > 0)
    {
      g_autoptr (PdDebugMessage) last = g_list_model_get_item (G_LIST_MODEL (log), n - 1);

      sequence_before = pd_debug_message_get_sequence (last);
    }

  handler = g_signal_connect_swapped (_pd_debug_window_get_shown (PD_DEBUG_WINDOW (window)), "items-changed",
                                      G_CALLBACK (count_call), &updates);
  tick = gtk_widget_add_tick_callback (window, on_frame, &frames, NULL);
  cpu = cpu_seconds ();
  start = g_get_monotonic_time ();

  spin (seconds);

  figures.cpu_percent = 100.0 * (cpu_seconds () - cpu) / ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  gtk_widget_remove_tick_callback (window, tick);
  g_signal_handler_disconnect (_pd_debug_window_get_shown (PD_DEBUG_WINDOW (window)), handler);

  n = g_list_model_get_n_items (G_LIST_MODEL (log));
  if (n > 0)
    {
      g_autoptr (PdDebugMessage) last = g_list_model_get_item (G_LIST_MODEL (log), n - 1);

      figures.messages_per_second = (double) (pd_debug_message_get_sequence (last) - sequence_before) / seconds;
    }
  figures.updates_per_second = updates / seconds;

  g_array_sort (frames.gaps, compare_double);
  figures.p50_ms = percentile (frames.gaps, 0.50);
  figures.p99_ms = percentile (frames.gaps, 0.99);
  figures.max_ms = frames.gaps->len > 0 ? g_array_index (frames.gaps, double, frames.gaps->len - 1) : 0;
  figures.rss_mb = rss_mb ();
  g_array_unref (frames.gaps);

  return figures;
}

typedef struct
{
  PdDebugLog *log;
  GBytes     *payload;
  guint       per_tick;
} Flood;

static gboolean
flood (gpointer data)
{
  Flood *f = data;

  for (guint i = 0; i < f->per_tick; i++)
    pd_debug_log_add (f->log, PD_MESSAGE_INCOMING, "device/flood/report", f->payload);

  return G_SOURCE_CONTINUE;
}

static Figures
measure_flood (GtkWidget  *window,
               PdDebugLog *log,
               GBytes     *payload,
               guint       rate,
               double      seconds)
{
  /* 200/s as 2 every 10 ms: the main loop's timers are not finer */
  Flood   f = { log, payload, rate > 100 ? rate / 100 : 1 };
  guint   id = g_timeout_add (rate > 100 ? 10 : 1000 / rate, flood, &f);
  Figures figures = measure (window, log, seconds);

  g_source_remove (id);
  return figures;
}

static void
report (const char *name,
        Figures     f,
        double      baseline)
{
  g_print ("%-15s %5.1f %% of a core (%+.1f vs baseline)  frame gaps p50 %5.1f  p99 %5.1f  max %6.1f ms  "
           "%4.1f messages/s, %4.1f list updates/s  RSS %.1f MB\n",
           name, f.cpu_percent, f.cpu_percent - baseline, f.p50_ms, f.p99_ms, f.max_ms, f.messages_per_second,
           f.updates_per_second, f.rss_mb);
}

static void
lines (const char *name,
       Figures     f)
{
  g_autofree char *cpu = g_strdup_printf ("%s_cpu_percent", name);
  g_autofree char *p50 = g_strdup_printf ("%s_frame_gap_p50_ms", name);
  g_autofree char *p99 = g_strdup_printf ("%s_frame_gap_p99_ms", name);
  g_autofree char *max = g_strdup_printf ("%s_frame_gap_max_ms", name);
  g_autofree char *rate = g_strdup_printf ("%s_messages_per_second", name);
  g_autofree char *updates = g_strdup_printf ("%s_list_updates_per_second", name);

  json_line ("debug-log", cpu, f.cpu_percent, "%");
  json_line ("debug-log", p50, f.p50_ms, "ms");
  json_line ("debug-log", p99, f.p99_ms, "ms");
  json_line ("debug-log", max, f.max_ms, "ms");
  json_line ("debug-log", rate, f.messages_per_second, "1/s");
  json_line ("debug-log", updates, f.updates_per_second, "1/s");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GOptionContext)   context = g_option_context_new ("— what the MQTT debug log window costs");
  g_autoptr (GError)           error = NULL;
  g_autoptr (GSubprocess)      sim = NULL;
  g_autoptr (GDataInputStream) sim_lines = NULL;
  g_autoptr (JsonParser)       parser = json_parser_new ();
  g_autoptr (PdPrinter)        printer = NULL;
  g_autoptr (PdSession)        session = NULL;
  g_autoptr (PdDebugLog)       log = NULL;
  g_autofree char             *line = NULL;
  double                       seconds = 10;
  gboolean                     quick = FALSE;
  const GOptionEntry           entries[] = {
              { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per measurement (10)", "S" },
              { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Shorter measurements (4 s)", NULL },
              { NULL }
  };
  JsonObject        *obj;
  GtkWidget         *window;
  gint64             deadline;
  Figures            base, follow, back, detail, flood_20, flood_200;
  g_autoptr (GBytes) big = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    seconds = 4;
  if (!gtk_init_check ())
    {
      g_printerr ("bench-debug-log needs a display (build-aux/dev.sh bench gives one)\n");
      return 77;
    }
  adw_init ();

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          PRINTDECK_SIM, "--printers", "1", "--models", "X1C", "--scenario", "print",
                          "--speed", "10", "--interval", "50", "--no-cameras", "--list-json", NULL);
  if (sim == NULL)
    g_error ("printdeck-sim: %s", error->message);
  sim_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  line = g_data_input_stream_read_line_utf8 (sim_lines, NULL, NULL, &error);
  if (line == NULL || !json_parser_load_from_data (parser, line, -1, &error))
    g_error ("printdeck-sim --list-json: %s", error != NULL ? error->message : "no output");
  obj = json_node_get_object (json_parser_get_root (parser));

  printer = pd_printer_new (json_object_get_string_member (obj, "serial"));
  session = pd_session_new (printer, json_object_get_string_member (obj, "host"));
  pd_session_set_port (session, (guint) json_object_get_int_member (obj, "port"));
  pd_session_set_access_code (session, json_object_get_string_member (obj, "access_code"));
  pd_session_set_pinned_fingerprint (session, json_object_get_string_member (obj, "fingerprint"));
  pd_session_start (session);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (pd_session_get_connection (session) != PD_CONNECTION_CONNECTED && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (pd_session_get_connection (session) != PD_CONNECTION_CONNECTED)
    g_error ("the simulated printer did not connect");

  log = pd_debug_log_new (session);
  pd_debug_log_set_secret (log, json_object_get_string_member (obj, "access_code"));
  window = pd_debug_window_new (log, printer);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));

  g_print ("bench-debug-log: 1 X1C reporting every 50 ms, GSK_RENDERER=%s, %.0f s per measurement, "
           "capacity %u\n\n",
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)", seconds,
           pd_debug_log_get_capacity (log));

  base = measure (window, log, seconds);
  report ("baseline", base, base.cpu_percent);

  pd_debug_log_start (log);
  {
    /* a full report in the log, for the detail and flood cases */
    g_autoptr (JsonNode) pushall = json_from_string ("{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}", NULL);

    pd_session_send_async (session, pushall, NULL, NULL, NULL);
  }
  follow = measure (window, log, seconds);
  report ("capture-follow", follow, base.cpu_percent);

  gtk_adjustment_set_value (_pd_debug_window_get_vadjustment (PD_DEBUG_WINDOW (window)), 0);
  back = measure (window, log, seconds);
  report ("capture-back", back, base.cpu_percent);

  /* a full report, its tree open; back at the bottom */
  {
    GListModel    *shown = _pd_debug_window_get_shown (PD_DEBUG_WINDOW (window));
    GtkAdjustment *adjustment = _pd_debug_window_get_vadjustment (PD_DEBUG_WINDOW (window));

    gsize          biggest = 0;
    guint          position = GTK_INVALID_LIST_POSITION;

    for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
      {
        g_autoptr (PdDebugMessage) message = g_list_model_get_item (shown, i);

        if (pd_debug_message_get_size (message) > biggest)
          {
            biggest = pd_debug_message_get_size (message);
            position = i;
            g_clear_pointer (&big, g_bytes_unref);
            big = g_bytes_new (pd_debug_message_get_text (message), strlen (pd_debug_message_get_text (message)));
          }
      }
    gtk_single_selection_set_selected (_pd_debug_window_get_selection (PD_DEBUG_WINDOW (window)), position);
    g_print ("(selected and flooded: a %" G_GSIZE_FORMAT "-byte report)\n", biggest);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  }
  detail = measure (window, log, seconds);
  report ("capture-detail", detail, base.cpu_percent);

  pd_debug_log_stop (log);
  if (big == NULL)
    g_error ("nothing was captured");
  gtk_single_selection_set_selected (_pd_debug_window_get_selection (PD_DEBUG_WINDOW (window)), GTK_INVALID_LIST_POSITION);
  flood_20 = measure_flood (window, log, big, 20, seconds);
  report ("flood-20", flood_20, base.cpu_percent);
  flood_200 = measure_flood (window, log, big, 200, seconds);
  report ("flood-200", flood_200, base.cpu_percent);

  g_print ("\n");
  lines ("baseline", base);
  lines ("capture_follow", follow);
  lines ("capture_back", back);
  lines ("capture_detail", detail);
  lines ("flood_20", flood_20);
  lines ("flood_200", flood_200);
  json_line ("debug-log", "capture_follow_extra_cpu_percent", follow.cpu_percent - base.cpu_percent, "%");

  pd_debug_log_stop (log);
  gtk_window_destroy (GTK_WINDOW (window));
  pd_session_stop (session);
  g_subprocess_send_signal (sim, SIGTERM);
  g_subprocess_wait (sim, NULL, NULL);

  return 0;
}
