/* pd-hms-compile.c — compiles Bambu's HMS texts into the table the app reads
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   pd-hms-compile --output FILE [--language en] [--data-version V] [--date YYYY-MM-DD]
 *                  [--wiki-links FILE] [--raw MODEL=FILE…] [PACKED-FILE…]
 *
 * Run by the build on data/hms/ (src/core/meson.build); the result goes into
 * the core GResource. The format is described in src/core/pd-hms-private.h.
 */

#define G_LOG_DOMAIN "pd-hms-compile"

#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "pd-hms-database.h"

static GBytes *
read_file (const char *path,
           GError    **error)
{
  g_autofree char *contents = NULL;
  gsize            length;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;

  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

/* "2026-04-29" → Unix seconds at midnight UTC; 0 for a malformed date */
static gint64
parse_date (const char *date)
{
  g_autofree char      *iso = g_strdup_printf ("%sT00:00:00Z", date);
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (iso, NULL);

  return time != NULL ? g_date_time_to_unix (time) : 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = g_option_context_new ("[PACKED-FILE…] — compile HMS texts");
  g_autoptr (GError)         error = NULL;
  g_autoptr (PdHmsBuilder)   builder = NULL;
  g_autoptr (GBytes)         blob = NULL;
  g_autofree char           *output = NULL;
  g_autofree char           *language = NULL;
  g_autofree char           *data_version = NULL;
  g_autofree char           *date = NULL;
  g_autofree char           *wiki_links = NULL;
  g_auto (GStrv)             raw = NULL;
  gint64                     fetched = 0;
  const GOptionEntry         entries[] = {
            { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the table", "FILE" },
            { "language", 'l', 0, G_OPTION_ARG_STRING, &language, "Language of the texts (en)", "LANG" },
            { "data-version", 0, 0, G_OPTION_ARG_STRING, &data_version, "Version of the data (default: the date)", "VERSION" },
            { "date", 0, 0, G_OPTION_ARG_STRING, &date, "Day the texts were fetched from Bambu", "YYYY-MM-DD" },
            { "wiki-links", 'w', 0, G_OPTION_ARG_FILENAME, &wiki_links, "Wiki articles per code (hms_wiki_links.json)", "FILE" },
            { "raw", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &raw, "A raw answer of Bambu's query.php for one model", "MODEL=FILE" },
            { NULL }
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (output == NULL)
    {
      g_printerr ("pd-hms-compile: --output is required\n");
      return 2;
    }
  if (date != NULL && (fetched = parse_date (date)) == 0)
    {
      g_printerr ("pd-hms-compile: --date %s: not a date (YYYY-MM-DD)\n", date);
      return 2;
    }

  builder = pd_hms_builder_new (language != NULL ? language : "en");
  pd_hms_builder_set_version (builder, data_version != NULL ? data_version : date, fetched);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GBytes) json = read_file (argv[i], &error);

      if (json == NULL || !pd_hms_builder_add_packed (builder, json, &error))
        {
          g_printerr ("%s: %s\n", argv[i], error->message);
          return 1;
        }
    }

  for (guint i = 0; raw != NULL && raw[i] != NULL; i++)
    {
      g_auto (GStrv)     parts = g_strsplit (raw[i], "=", 2);
      g_autoptr (GBytes) json = NULL;

      if (g_strv_length (parts) != 2 || *parts[0] == '\0')
        {
          g_printerr ("pd-hms-compile: --raw %s: expected MODEL=FILE\n", raw[i]);
          return 2;
        }
      json = read_file (parts[1], &error);
      if (json == NULL || !pd_hms_builder_add_raw (builder, json, parts[0], &error))
        {
          g_printerr ("%s: %s\n", parts[1], error->message);
          return 1;
        }
    }

  if (wiki_links != NULL)
    {
      g_autoptr (GBytes) json = read_file (wiki_links, &error);

      if (json == NULL || !pd_hms_builder_add_wiki_links (builder, json, &error))
        {
          g_printerr ("%s: %s\n", wiki_links, error->message);
          return 1;
        }
    }

  if (pd_hms_builder_get_n_skipped (builder) > 0)
    g_printerr ("pd-hms-compile: %u entries skipped (bad codes, texts or models)\n",
                pd_hms_builder_get_n_skipped (builder));

  blob = pd_hms_builder_end (builder);
  if (!g_file_set_contents (output, g_bytes_get_data (blob, NULL), (gssize) g_bytes_get_size (blob), &error))
    {
      g_printerr ("%s: %s\n", output, error->message);
      return 1;
    }

  return 0;
}
