/* bench-hms.c — how fast the HMS texts load and answer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The database reads a compiled table in place from the core resource (and
 * mapped cache files) and searches it by bisection. The baseline, measured
 * in the same run, is what it replaces: parsing data/hms/hms_en.json with
 * json-glib. Figures:
 *
 *   - load: pd_hms_database_new() and the first lookup, built-in table only,
 *     and with two downloaded tables (German and English) in the cache
 *   - the baseline: json-glib parsing hms_en.json and one lookup in the tree
 *   - lookups per second, of codes the table knows, for a model
 *   - compiling hms_en.json with the builder (the build step, for scale)
 *
 *   bench-hms [--runs N] [--seconds S] [--quick]
 *
 * Prints figures for people, then one JSON line per figure.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>

#include "pd-hms-database.h"

static const char *const english[] = { "en", NULL };
static const char *const german[] = { "de", NULL };

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

static void
emit (const char *metric,
      double      value,
      const char *unit)
{
  g_print ("{\"bench\": \"hms\", \"metric\": \"%s\", \"value\": %.4f, \"unit\": \"%s\"}\n",
           metric, value, unit);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* new + first lookup, in ms */
static double
time_load (const char        *cache_dir,
           const char *const *languages)
{
  double                    start = now_ms ();
  g_autoptr (PdHmsDatabase) db = pd_hms_database_new (cache_dir, languages);
  g_autoptr (PdHmsInfo)     info = pd_hms_database_lookup_hms (db, 0x03000100, 0x00010007, "X1C");
  double                    elapsed = now_ms () - start;

  g_assert (info->description != NULL);
  return elapsed;
}

/* json-glib parse of the source table + one lookup in the tree, in ms */
static double
time_json (const char *path)
{
  double                 start = now_ms ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError)     error = NULL;
  JsonObject            *hms, *texts;
  double                 elapsed;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  hms = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "device_hms");
  texts = json_object_get_object_member (hms, "0300010000010007");
  elapsed = now_ms () - start;

  g_assert (json_object_get_size (texts) > 0);
  return elapsed;
}

typedef struct
{
  guint32  attr;
  guint32  code;
  gboolean is_print_error;
} Code;

static GArray *
read_codes (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  GArray                *codes = g_array_new (FALSE, FALSE, sizeof (Code));
  JsonObject            *root;
  const char            *sections[] = { "device_hms", "device_error" };

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autoptr (GList) members = json_object_get_members (json_object_get_object_member (root, sections[s]));

      for (const GList *l = members; l != NULL; l = l->next)
        {
          Code code = { 0 };

          if (pd_hms_parse_code (l->data, &code.attr, &code.code, &code.is_print_error))
            g_array_append_val (codes, code);
        }
    }

  return codes;
}

static double
lookups_per_second (PdHmsDatabase *db,
                    GArray        *codes,
                    double         seconds)
{
  static const char *const models[] = { "X1C", "H2D", "A1MINI", "P2S", NULL };
  gint64                   until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  gint64                   start = g_get_monotonic_time ();
  guint64                  n = 0;
  guint32                  seed = 1;

  while (g_get_monotonic_time () < until)
    for (guint i = 0; i < 1000; i++, n++)
      {
        const Code *code;
        PdHmsInfo  *info;

        seed = seed * 1103515245u + 12345u;
        code = &g_array_index (codes, Code, (seed >> 8) % codes->len);
        if (code->is_print_error)
          info = pd_hms_database_lookup_print_error (db, code->code, models[n % 4]);
        else
          info = pd_hms_database_lookup_hms (db, code->attr, code->code, models[n % 4]);
        pd_hms_info_free (info);
      }

  return n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
write_table (const char *dir,
             const char *language,
             GBytes     *json)
{
  g_autoptr (PdHmsBuilder) builder = pd_hms_builder_new (language);
  g_autoptr (GBytes)       blob = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *name = g_strdup_printf ("hms-%s.db", language);
  g_autofree char         *path = g_build_filename (dir, name, NULL);

  pd_hms_builder_add_packed (builder, json, &error);
  g_assert_no_error (error);
  pd_hms_builder_set_version (builder, NULL, g_get_real_time () / G_USEC_PER_SEC);
  blob = pd_hms_builder_end (builder);
  g_file_set_contents (path, g_bytes_get_data (blob, NULL), (gssize) g_bytes_get_size (blob), &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— loading and looking up HMS texts");
  g_autoptr (GError)         error = NULL;
  g_autoptr (GArray)         load_builtin = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray)         load_cached = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray)         json = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray)         codes = NULL;
  g_autoptr (PdHmsDatabase)  builtin = NULL;
  g_autoptr (PdHmsDatabase)  layered = NULL;
  g_autoptr (GBytes)         source = NULL;
  g_autofree char           *path = g_build_filename (HMS_DATA_DIR, "hms_en.json", NULL);
  g_autofree char           *contents = NULL;
  g_autofree char           *dir = NULL;
  gsize                      length;
  int                        runs = 50;
  double                     seconds = 2;
  gboolean                   quick = FALSE;
  double                     first, builtin_ms, cached_ms, json_ms, compile_ms, rate, layered_rate;
  const GOptionEntry         entries[] = {
            { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Loads to time, each kind (50)", "N" },
            { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds of lookups, each database (2)", "S" },
            { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Fewer loads (20) and 1 s of lookups", NULL },
            { NULL }
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    {
      runs = MIN (runs, 20);
      seconds = MIN (seconds, 1);
    }
  runs = MAX (runs, 1);

  /* the first load of the process: types registered, resource opened */
  first = time_load (NULL, english);

  for (int i = 0; i < runs; i++)
    {
      double ms = time_load (NULL, english);

      g_array_append_val (load_builtin, ms);
    }
  builtin_ms = median (load_builtin);

  /* two downloaded tables of the same size as the built-in one */
  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  source = g_bytes_new_take (g_steal_pointer (&contents), length);
  dir = g_dir_make_tmp ("bench-hms-XXXXXX", &error);
  g_assert_no_error (error);
  {
    double start = now_ms ();

    write_table (dir, "en", source);
    compile_ms = now_ms () - start;
  }
  write_table (dir, "de", source);
  for (int i = 0; i < runs; i++)
    {
      double ms = time_load (dir, german);

      g_array_append_val (load_cached, ms);
    }
  cached_ms = median (load_cached);

  for (int i = 0; i < MAX (runs / 5, 3); i++)
    {
      double ms = time_json (path);

      g_array_append_val (json, ms);
    }
  json_ms = median (json);

  codes = read_codes (path);
  builtin = pd_hms_database_new (NULL, english);
  rate = lookups_per_second (builtin, codes, seconds);
  /* every lookup finds its text in the first layer of three */
  layered = pd_hms_database_new (dir, german);
  layered_rate = lookups_per_second (layered, codes, seconds);

  g_print ("HMS database (%u codes, %d loads each)\n", pd_hms_database_get_n_codes (builtin), runs);
  g_print ("  first load in the process        %8.3f ms\n", first);
  g_print ("  load + first lookup, built-in    %8.3f ms (median)\n", builtin_ms);
  g_print ("  load + first lookup, 3 layers    %8.3f ms (median)\n", cached_ms);
  g_print ("  baseline: json-glib hms_en.json  %8.3f ms (median)\n", json_ms);
  g_print ("  baseline / built-in load         %8.0f×\n", json_ms / builtin_ms);
  g_print ("  lookups, built-in                %8.0f /s\n", rate);
  g_print ("  lookups, 3 layers                %8.0f /s\n", layered_rate);
  g_print ("  compiling hms_en.json (builder)  %8.1f ms\n", compile_ms);

  emit ("first_load_ms", first, "ms");
  emit ("load_builtin_ms", builtin_ms, "ms");
  emit ("load_three_layers_ms", cached_ms, "ms");
  emit ("baseline_json_parse_ms", json_ms, "ms");
  emit ("baseline_over_load", json_ms / builtin_ms, "ratio");
  emit ("lookups_per_second", rate, "1/s");
  emit ("lookups_per_second_three_layers", layered_rate, "1/s");
  emit ("compile_ms", compile_ms, "ms");

  g_clear_object (&layered);
  {
    g_autofree char *en = g_build_filename (dir, "hms-en.db", NULL);
    g_autofree char *de = g_build_filename (dir, "hms-de.db", NULL);

    g_unlink (en);
    g_unlink (de);
    g_rmdir (dir);
  }

  return 0;
}
