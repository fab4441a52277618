/* bench-mirror.c — the WebSocket mirror under a farm's load
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-mirror [--printers N] [--clients C] [--seconds S] [--quick]
 *
 * N printers (PdPrinter fed with reports, 1 Hz each, spread evenly) first
 * without the mirror (the baseline), then with it and C WebSocket clients
 * in a child process (this program again, --client-of URL). Figures:
 * latency from a report applied to the printer to each client holding the
 * delta (p50, p99; the monotonic clock is the system's, shared by both
 * processes), the bytes of a delta against the whole state document, and
 * this process's CPU and memory with and without the mirror.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pd-bench-util.h"
#include "pd-json.h"
#include "pd-mirror-server.h"
#include "pd-printer.h"
#include "pd-report.h"

#define TOKEN "bench-token-0123456789abcdefghijklmnopqrstu"

/* The clients' side ----------------------------------------------------------*/

typedef struct
{
  GString *out;       /* "seq time bytes" lines */
  guint    connected;
} Clients;

static void
on_client_message (SoupWebsocketConnection *ws,
                   int                      type,
                   GBytes                  *message,
                   Clients                 *clients)
{
  gint64      now = g_get_monotonic_time ();
  gsize       length;
  const char *text = g_bytes_get_data (message, &length);
  const char *seq;

  /* Deltas only: {"type":"delta","seq":N,… */
  if (length < 30 || strncmp (text, "{\"type\":\"delta\"", 15) != 0 || (seq = strstr (text, "\"seq\":")) == NULL)
    return;

  g_string_append_printf (clients->out, "%" G_GUINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GSIZE_FORMAT "\n",
                          g_ascii_strtoull (seq + 6, NULL, 10), now, length);
}

static void
on_client_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  Clients                 *clients = data;
  g_autoptr (GError)       error = NULL;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (ws == NULL)
    g_error ("client: %s", error->message);
  soup_websocket_connection_set_max_incoming_payload_size (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (on_client_message), clients);
  clients->connected++;
  /* Kept until the process ends. */
}

static int
run_clients (const char *url,
             guint       count,
             double      seconds)
{
  g_autoptr (SoupSession) session = soup_session_new_with_options ("max-conns", 64, "max-conns-per-host", 64, NULL);
  Clients                 clients = { g_string_new (NULL), 0 };

  for (guint i = 0; i < count; i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_client_connected,
                                            &clients);
    }
  while (clients.connected < count)
    g_main_context_iteration (NULL, TRUE);
  g_print ("ready\n");

  spin (seconds);
  fputs (clients.out->str, stdout);
  g_print ("end\n");
  g_string_free (clients.out, TRUE);

  return 0;
}

/* The app's side -------------------------------------------------------------*/

typedef struct
{
  GPtrArray      *printers;
  PdMirrorServer *server;
  GHashTable     *applied; /* seq → time applied (µs, as gint64 in a pointer-sized box) */
  guint           next;
  guint           tick;
  GRand          *rand;
} Farm;

static void
feed_one (Farm *farm)
{
  PdPrinter           *printer = g_ptr_array_index (farm->printers, farm->next % farm->printers->len);
  g_autofree char     *text = NULL;
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;
  gint64               now;
  guint64              before = farm->server != NULL ? pd_mirror_server_get_seq (farm->server) : 0;

  /* What a printing printer's 1 Hz delta changes: temperatures, and now
   * and then progress and layer.
   */
  text = g_strdup_printf ("{\"print\":{\"command\":\"push_status\",\"nozzle_temper\":%.1f,\"bed_temper\":%.1f,"
                          "\"mc_percent\":%u,\"layer_num\":%u,\"mc_remaining_time\":%u}}",
                          219.0 + g_rand_double (farm->rand), 55.0 + g_rand_double (farm->rand) / 2,
                          (farm->tick / 30) % 100, farm->tick / 10, 600 - (farm->tick / 60) % 600);
  farm->next++;
  if (farm->next % farm->printers->len == 0)
    farm->tick++;

  report = pd_report_parse (text, -1, NULL, &error);
  g_assert_no_error (error);
  now = g_get_monotonic_time ();
  pd_printer_apply_report (printer, report, now, NULL, NULL, &error);
  g_assert_no_error (error);

  if (farm->server != NULL && pd_mirror_server_get_seq (farm->server) != before)
    g_hash_table_insert (farm->applied, GSIZE_TO_POINTER (pd_mirror_server_get_seq (farm->server)),
                         GSIZE_TO_POINTER ((gsize) now));
}

typedef struct
{
  Farm   *farm;
  double  rate; /* reports a second */
  gint64  start;
  guint64 sent;
} Feeder;

static gboolean
on_feed (gpointer data)
{
  Feeder *feeder = data;
  double  due = (double) (g_get_monotonic_time () - feeder->start) / G_USEC_PER_SEC * feeder->rate;

  while (feeder->sent < (guint64) due)
    {
      feed_one (feeder->farm);
      feeder->sent++;
    }

  return G_SOURCE_CONTINUE;
}

/* Feeds for @seconds; returns this process's CPU use, in % of one core. */
static double
run_phase (Farm  *farm,
           double seconds)
{
  Feeder feeder = { farm, farm->printers->len, g_get_monotonic_time (), 0 };
  double cpu = cpu_seconds ();
  guint  id = g_timeout_add (5, on_feed, &feeder);

  spin (seconds);
  g_source_remove (id);

  return (cpu_seconds () - cpu) / seconds * 100;
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
  if (sorted->len == 0)
    return NAN;

  return g_array_index (sorted, double, MIN (sorted->len - 1, (guint) (p / 100 * sorted->len)));
}

int
main (int   argc,
      char *argv[])
{
  int                       n_printers = 100, n_clients = 10;
  double                    seconds = 20;
  gboolean                  quick = FALSE;
  g_autofree char          *client_of = NULL;
  GOptionEntry              entries[] = {
    { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, "Simulated printers (100)", "N" },
    { "clients", 'c', 0, G_OPTION_ARG_INT, &n_clients, "WebSocket clients (10)", "C" },
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per phase (20)", "S" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Shorter phases (5 s)", NULL },
    { "client-of", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &client_of, NULL, NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— the mirror under load");
  g_autoptr (GError)         error = NULL;
  Farm                       farm = { 0 };
  g_autoptr (GListStore)     store = g_list_store_new (PD_TYPE_PRINTER);
  double                     cpu_base, cpu_mirror, rss_base, rss_mirror, doc_bytes = 0;
  g_autoptr (GSubprocess)    clients = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GArray)         latencies = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char           *url = NULL;
  g_autofree char           *ws_url = NULL;
  g_autofree char           *n_text = NULL;
  g_autofree char           *s_text = NULL;
  char                      *line;
  guint64                    delta_bytes = 0, n_deltas = 0, lost = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    seconds = 5;
  if (client_of != NULL)
    return run_clients (client_of, (guint) n_clients, seconds + 2);

  /* The farm: every printer from the X1C fixture, connected. */
  farm.printers = g_ptr_array_new_with_free_func (g_object_unref);
  farm.applied = g_hash_table_new (NULL, NULL);
  farm.rand = g_rand_new_with_seed (1);
  {
    g_autofree char     *path = g_build_filename (FIXTURES_DIR, "reports",
                                                  "X1C_finish_2ams_ams2pro_drying_amsht_push_status.json", NULL);
    g_autofree char     *fixture = NULL;
    g_autoptr (JsonNode) report = NULL;

    g_assert_true (g_file_get_contents (path, &fixture, NULL, &error));
    report = pd_report_parse (fixture, -1, NULL, &error);
    g_assert_no_error (error);
    for (int i = 0; i < n_printers; i++)
      {
        g_autofree char      *serial = g_strdup_printf ("00M00A%09d", i);
        g_autofree char      *name = g_strdup_printf ("Farm %03d", i);
        g_autoptr (PdPrinter) printer = pd_printer_new (serial);

        pd_printer_set_name (printer, name);
        pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
        pd_printer_apply_report (printer, report, g_get_monotonic_time (), NULL, NULL, &error);
        g_assert_no_error (error);
        g_ptr_array_add (farm.printers, g_object_ref (printer));
        g_list_store_append (store, printer);
      }
  }
  {
    g_autofree char *doc = pd_json_to_string (pd_state_to_json (pd_printer_get_state (g_ptr_array_index (farm.printers, 0))), FALSE);

    doc_bytes = strlen (doc);
  }

  g_print ("%d printers at 1 Hz, %d clients, %.0f s a phase\n", n_printers, n_clients, seconds);

  /* Baseline: the printers without the mirror */
  run_phase (&farm, 2);
  cpu_base = run_phase (&farm, seconds);
  rss_base = rss_mb ();
  g_print ("without the mirror: %.2f %% CPU, %.1f MB\n", cpu_base, rss_base);

  /* With it, and the clients in their own process */
  farm.server = pd_mirror_server_new (G_LIST_MODEL (store));
  pd_mirror_server_set_token (farm.server, TOKEN);
  if (!pd_mirror_server_start (farm.server, "127.0.0.1", 0, &error))
    g_error ("%s", error->message);
  url = pd_mirror_server_dup_url (farm.server, NULL);
  ws_url = g_strdup_printf ("ws://127.0.0.1:%u/ws?token=%s", pd_mirror_server_get_port (farm.server), TOKEN);
  n_text = g_strdup_printf ("%d", n_clients);
  s_text = g_strdup_printf ("%f", seconds);
  clients = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, argv[0], "--client-of", ws_url, "--clients", n_text,
                              "--seconds", s_text, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (clients));

  /* The clients connect while the server turns. */
  while (pd_mirror_server_get_n_clients (farm.server) < (guint) n_clients)
    g_main_context_iteration (NULL, TRUE);
  spin (0.5);

  cpu_mirror = run_phase (&farm, seconds);
  rss_mirror = rss_mb ();
  g_print ("with the mirror and %d clients: %.2f %% CPU, %.1f MB\n", n_clients, cpu_mirror, rss_mirror);

  /* The clients' records: "seq time bytes" */
  spin (2.5);
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL)) != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (line, " ", 3);
      gpointer       applied;

      g_free (line);
      if (g_strv_length (parts) != 3)
        continue;
      if (!g_hash_table_lookup_extended (farm.applied,
                                         GSIZE_TO_POINTER (g_ascii_strtoull (parts[0], NULL, 10)), NULL, &applied))
        {
          lost++;
          continue;
        }
      {
        double ms = (double) (g_ascii_strtoll (parts[1], NULL, 10) - (gint64) GPOINTER_TO_SIZE (applied)) / 1000;

        g_array_append_val (latencies, ms);
      }
      delta_bytes += g_ascii_strtoull (parts[2], NULL, 10);
      n_deltas++;
    }
  g_subprocess_wait (clients, NULL, NULL);
  g_array_sort (latencies, compare_double);

  g_print ("deltas received: %" G_GUINT64_FORMAT " (%u sent × %d clients)\n", n_deltas,
           g_hash_table_size (farm.applied), n_clients);
  g_print ("latency report → client: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile (latencies, 50),
           percentile (latencies, 99), percentile (latencies, 100));
  g_print ("a delta: %.0f bytes on the wire, the document %.0f bytes: %.1f %%\n",
           n_deltas > 0 ? (double) delta_bytes / n_deltas : NAN, doc_bytes,
           n_deltas > 0 ? (double) delta_bytes / n_deltas / doc_bytes * 100 : NAN);
  g_print ("CPU with/without the mirror: %.2f\n", cpu_mirror / cpu_base);

  json_line ("mirror", "latency_p50", percentile (latencies, 50), "ms");
  json_line ("mirror", "latency_p99", percentile (latencies, 99), "ms");
  json_line ("mirror", "delta_bytes", n_deltas > 0 ? (double) delta_bytes / n_deltas : NAN, "B");
  json_line ("mirror", "delta_vs_document", n_deltas > 0 ? (double) delta_bytes / n_deltas / doc_bytes * 100 : NAN, "%");
  json_line ("mirror", "cpu_percent_baseline", cpu_base, "%");
  json_line ("mirror", "cpu_percent_mirror", cpu_mirror, "%");
  json_line ("mirror", "cpu_ratio", cpu_mirror / cpu_base, "x");
  json_line ("mirror", "rss_baseline", rss_base, "MB");
  json_line ("mirror", "rss_mirror", rss_mirror, "MB");
  json_line ("mirror", "deltas_lost", (double) lost, "");

  pd_mirror_server_stop (farm.server);
  g_clear_object (&farm.server);
  g_hash_table_unref (farm.applied);
  g_ptr_array_unref (farm.printers);
  g_rand_free (farm.rand);

  return 0;
}
