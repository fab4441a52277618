/* bench-report.c — how many reports a core can parse and merge
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recorded reports in tests/fixtures/, read as the app reads a message
 * from a printer, one step more in each column:
 *
 *   json-glib   the JSON parsed by json-glib alone (an immutable parser, as
 *               pd_report_parse() uses): the ceiling, measured in the same
 *               run, that our work is compared with
 *   parse       pd_report_parse(): the size, NUL, UTF-8, depth and strict
 *               JSON checks, then the same json-glib parse (in the app:
 *               the session's worker thread)
 *   merge       + pd_report_merge() into the printer's last state: the pure
 *               function, a new PdState
 *   printer     + PdPrinter: the merge, the diff of the states, the
 *               properties and their notifications (in the app: the main
 *               thread; here no widget listens)
 *
 * Three kinds of message:
 *
 *   full        the five push_status frames of reports/ (6–20 kB), each
 *               merged into its own printer's state again and again (an X1
 *               in LAN mode sends such a frame every second)
 *   delta       a printing printer's 1 Hz delta as printdeck-sim sends it
 *               (nozzle and bed, progress, layer, time left, Wi-Fi;
 *               packed temperatures for the X1C's newer firmware), with
 *               values that change every time, merged into the fixtures'
 *               states in turn
 *   recorded    the recorded deltas (H2D door, extruder, nozzle info:
 *               20–190 bytes), merged into the H2D's state
 *
 * Rates are per CPU-second of this single thread: per core. Each figure is
 * the median of three runs.
 *
 *   bench-report [--seconds S] [--quick] [--only KIND:STEP]
 *
 * --only runs one figure (e.g. delta:printer), for a profiler.
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include "pd-bench-util.h"
#include "pd-printer.h"
#include "pd-report.h"

#define N_DELTAS 64

typedef enum
{
  STEP_JSON_GLIB,
  STEP_PARSE,
  STEP_MERGE,
  STEP_PRINTER,
  N_STEPS
} Step;

static const char *const step_names[N_STEPS] = { "json-glib", "parse", "merge", "printer" };

/* One message and the state it is merged into. */
typedef struct
{
  char      *text;
  gsize      length;
  PdState   *base;    /* merged into; the result is dropped */
  PdPrinter *printer; /* the same state, in a printer */
} Message;

typedef struct
{
  const char *name;
  GPtrArray  *messages; /* Message */
  double      mean_bytes;
  double      rates[N_STEPS];
} Kind;

static void
message_free (Message *m)
{
  g_free (m->text);
  g_clear_pointer (&m->base, pd_state_unref);
  g_clear_object (&m->printer);
  g_free (m);
}

static JsonNode *
parse_or_die (const char *text,
              gssize      length)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *report = pd_report_parse (text, length, NULL, &error);

  if (report == NULL)
    g_error ("a fixture does not parse: %s", error->message);

  return report;
}

/* A printer, and its state, with @text (a full report) merged. */
static PdPrinter *
printer_from (const char *serial,
              const char *text)
{
  g_autoptr (JsonNode) report = parse_or_die (text, -1);
  g_autoptr (GError)   error = NULL;
  PdPrinter           *printer = pd_printer_new (serial);

  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  if (!pd_printer_apply_report (printer, report, g_get_real_time (), NULL, NULL, &error))
    g_error ("a fixture does not merge: %s", error->message);

  return printer;
}

static Message *
message_new (char      *text,
             PdPrinter *printer)
{
  Message *m = g_new0 (Message, 1);

  m->text = text;
  m->length = strlen (text);
  m->printer = g_object_ref (printer);
  m->base = pd_state_ref (pd_printer_get_state (printer));

  return m;
}

static char *
read_fixture (const char *name)
{
  g_autofree char   *path = g_build_filename (FIXTURES_DIR, "reports", name, NULL);
  g_autoptr (GError) error = NULL;
  char              *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s", error->message);

  return text;
}

static const char *const full_names[] = {
  "X1C_finish_2ams_ams2pro_drying_amsht_push_status.json",
  "H2D_running_ams_amsht_encoded_temps_push_status.json",
  "A1_idle_ams_lite_humidity_index_push_status.json",
  "P1P_failed_push_status.json",
  "X1_idle_ams_generic_spools_push_status.json",
};

/* What printdeck-sim sends every second for a printing printer. */
static char *
sim_delta (guint index,
           gboolean packed)
{
  double nozzle = 219.0 + (double) (index % 7) * 0.3125;
  double bed = 55.0 + (double) (index % 5) * 0.0625;
  guint  percent = 20 + index % 60;
  guint  layer = 30 + index;
  guint  remaining = 90 - index % 60;
  guint  sequence = 1000 + index;

  if (packed)
    return g_strdup_printf ("{\"print\":{\"bed_temper\":%.1f,\"device\":{\"bed\":{\"info\":{\"temp\":%d}},"
                            "\"bed_temp\":%d,\"extruder\":{\"info\":[{\"filam_bak\":[],\"hnow\":0,\"hpre\":0,"
                            "\"htar\":0,\"id\":0,\"info\":8,\"snow\":65535,\"spre\":255,\"star\":65535,\"stat\":0,"
                            "\"temp\":%d}]}},\"nozzle_temper\":%.1f,\"mc_percent\":%u,\"mc_remaining_time\":%u,"
                            "\"layer_num\":%u,\"command\":\"push_status\",\"msg\":1,\"sequence_id\":\"%u\"}}",
                            floor (bed), (55 << 16) | (int) bed, (55 << 16) | (int) bed,
                            (220 << 16) | (int) nozzle, floor (nozzle), percent, remaining, layer, sequence);

  return g_strdup_printf ("{\"print\":{\"nozzle_temper\":%.4f,\"bed_temper\":%.4f,\"mc_percent\":%u,"
                          "\"mc_remaining_time\":%u,\"layer_num\":%u,\"wifi_signal\":\"-%udBm\","
                          "\"command\":\"push_status\",\"msg\":1,\"sequence_id\":\"%u\"}}",
                          nozzle, bed, percent, remaining, layer, 40 + index % 20, sequence);
}

static void
load_kinds (Kind *full,
            Kind *delta,
            Kind *recorded)
{
  g_autoptr (GPtrArray) printers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char      *h2d_path = g_build_filename (FIXTURES_DIR, "ha-bambulab", "H2D.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)    error = NULL;
  JsonObject           *messages;
  g_autoptr (GList)     names = NULL;
  PdPrinter            *h2d = NULL;
  PdPrinter            *x1c = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (full_names); i++)
    {
      g_autofree char *serial = g_strdup_printf ("00M00A%09u", i);
      char            *text = read_fixture (full_names[i]);
      PdPrinter       *printer = printer_from (serial, text);

      g_ptr_array_add (printers, printer);
      g_ptr_array_add (full->messages, message_new (text, printer));
      if (g_str_has_prefix (full_names[i], "H2D"))
        h2d = printer;
      if (g_str_has_prefix (full_names[i], "X1C"))
        x1c = printer;
    }

  /* The packed form to the X1C, the plain one to the others in turn. */
  for (guint i = 0; i < N_DELTAS; i++)
    {
      PdPrinter *printer = g_ptr_array_index (printers, i % printers->len);
      gboolean   packed = printer == x1c;

      g_ptr_array_add (delta->messages, message_new (sim_delta (i, packed), printer));
    }

  g_ptr_array_add (recorded->messages, message_new (read_fixture ("H2D_door_opened_stat_delta.json"), h2d));
  if (!json_parser_load_from_file (parser, h2d_path, &error))
    g_error ("%s", error->message);
  messages = json_node_get_object (json_parser_get_root (parser));
  names = json_object_get_members (messages);
  for (const GList *l = names; l != NULL; l = l->next)
    {
      g_autoptr (JsonNode)   wrapped = NULL;
      g_autoptr (JsonObject) root = NULL;

      /* push_all is a full frame and get_version another family */
      if (!g_str_has_prefix (l->data, "push_") || g_str_equal (l->data, "push_all"))
        continue;
      root = json_object_new ();
      json_object_set_member (root, "print", json_node_copy (json_object_get_member (messages, l->data)));
      wrapped = json_node_init_object (json_node_alloc (), root);
      g_ptr_array_add (recorded->messages, message_new (json_to_string (wrapped, FALSE), h2d));
    }

  {
    Kind *kinds[] = { full, delta, recorded };

    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
      {
        double bytes = 0;

        for (guint i = 0; i < kinds[k]->messages->len; i++)
          bytes += (double) ((Message *) g_ptr_array_index (kinds[k]->messages, i))->length;
        kinds[k]->mean_bytes = bytes / kinds[k]->messages->len;
      }
  }
}

static void
run_step (Step     step,
          Message *m)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (PdState)  merged = NULL;

  switch (step)
    {
    case STEP_JSON_GLIB:
      {
        g_autoptr (JsonParser) parser = json_parser_new_immutable ();

        if (!json_parser_load_from_data (parser, m->text, (gssize) m->length, &error))
          g_error ("%s", error->message);
        report = json_parser_steal_root (parser);
      }
      break;
    case STEP_PARSE:
      report = parse_or_die (m->text, (gssize) m->length);
      break;
    case STEP_MERGE:
      report = parse_or_die (m->text, (gssize) m->length);
      merged = pd_report_merge (m->base, report, g_get_real_time (), NULL, &error);
      if (merged == NULL)
        g_error ("%s", error->message);
      break;
    case STEP_PRINTER:
      report = parse_or_die (m->text, (gssize) m->length);
      if (!pd_printer_apply_report (m->printer, report, g_get_real_time (), NULL, NULL, &error))
        g_error ("%s", error->message);
      break;
    case N_STEPS:
    default:
      g_assert_not_reached ();
    }
}

/* Messages per CPU-second: the median of three runs of @seconds. */
static double
measure (Kind  *kind,
         Step   step,
         double seconds)
{
  g_autoptr (GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint run = 0; run < 3; run++)
    {
      double  cpu = cpu_seconds ();
      gint64  until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
      guint64 n = 0;
      double  rate;

      while ((n & 63) != 0 || g_get_monotonic_time () < until)
        {
          run_step (step, g_ptr_array_index (kind->messages, n % kind->messages->len));
          n++;
        }
      rate = (double) n / MAX (cpu_seconds () - cpu, 1e-6);
      g_array_append_val (rates, rate);
    }
  g_array_sort (rates, compare_doubles);

  return g_array_index (rates, double, 1);
}

static void
print_kind (const Kind *k)
{
  g_print ("%-9s %7.0f B %11.0f %11.0f %11.0f %11.0f   %5.2f×   %5.2f×\n", k->name, k->mean_bytes,
           k->rates[STEP_JSON_GLIB], k->rates[STEP_PARSE], k->rates[STEP_MERGE], k->rates[STEP_PRINTER],
           k->rates[STEP_JSON_GLIB] / k->rates[STEP_MERGE], k->rates[STEP_JSON_GLIB] / k->rates[STEP_PRINTER]);
}

static void
lines_for (const Kind *k)
{
  for (guint s = 0; s < N_STEPS; s++)
    {
      g_autofree char *metric = g_strdup_printf ("%s_%s_per_second", k->name, step_names[s]);

      g_strdelimit (metric, "-", '_');
      json_line ("report", metric, k->rates[s], "1/s");
    }
  {
    g_autofree char *merge = g_strdup_printf ("%s_ceiling_vs_merge", k->name);
    g_autofree char *printer = g_strdup_printf ("%s_ceiling_vs_printer", k->name);

    json_line ("report", merge, k->rates[STEP_JSON_GLIB] / k->rates[STEP_MERGE], "x");
    json_line ("report", printer, k->rates[STEP_JSON_GLIB] / k->rates[STEP_PRINTER], "x");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— reports parsed and merged per second per core");
  g_autoptr (GError)         error = NULL;
  double                     seconds = 1;
  gboolean                   quick = FALSE;
  g_autofree char           *only = NULL;
  const GOptionEntry         entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per run, three runs a figure (1)", "S" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Shorter runs (0.3 s)", NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "One figure only, for a profiler (full|delta|recorded:json-glib|parse|merge|printer)", "KIND:STEP" },
    { NULL }
  };
  Kind                       full = { "full", NULL, 0, { 0, } };
  Kind                       delta = { "delta", NULL, 0, { 0, } };
  Kind                       recorded = { "recorded", NULL, 0, { 0, } };
  Kind                      *kinds[] = { &full, &delta, &recorded };

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
    seconds = 0.3;

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    kinds[i]->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
  load_kinds (&full, &delta, &recorded);

  if (only != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
        for (guint s = 0; s < N_STEPS; s++)
          {
            g_autofree char *name = g_strdup_printf ("%s:%s", kinds[i]->name, step_names[s]);

            if (g_str_equal (name, only))
              g_print ("%s: %.0f per second per core\n", name, measure (kinds[i], s, seconds));
          }
      for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
        g_ptr_array_unref (kinds[i]->messages);
      return 0;
    }

  g_print ("bench-report: %u full reports, %u deltas, %u recorded deltas; %.1f s a run, median of 3; "
           "load average %.2f\n\n",
           full.messages->len, delta.messages->len, recorded.messages->len, seconds, load_average ());

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    for (guint s = 0; s < N_STEPS; s++)
      {
        /* a warm-up: caches, the HMS table, types */
        if (s == 0)
          measure (kinds[i], s, seconds / 4);
        kinds[i]->rates[s] = measure (kinds[i], s, seconds);
      }

  g_print ("messages per second per core\n");
  g_print ("%-9s %9s %11s %11s %11s %11s %8s %8s\n", "", "size", "json-glib", "parse", "merge", "printer",
           "ceil/mrg", "ceil/prn");
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    print_kind (kinds[i]);
  g_print ("\n(json-glib: the ceiling; ceil/mrg and ceil/prn: how many times faster json-glib alone is than\n"
           " parse + merge, and than parse + merge + PdPrinter)\n");
  g_print ("100 printers' 1 Hz deltas: %.2f %% of a core for parse + merge + PdPrinter; "
           "full frames every second: %.2f %%\n\n",
           100.0 * 100 / delta.rates[STEP_PRINTER], 100.0 * 100 / full.rates[STEP_PRINTER]);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    lines_for (kinds[i]);
  json_line ("report", "fleet_100_deltas_cpu_percent", 100.0 * 100 / delta.rates[STEP_PRINTER], "%");
  json_line ("report", "load_average", load_average (), "");

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    g_ptr_array_unref (kinds[i]->messages);

  return 0;
}
