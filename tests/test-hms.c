/* test-hms.c — what HMS and print_error codes mean
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The built-in table (data/hms/ compiled into the core resource), the
 * builder that makes it, the cache layers, and the update against a real
 * HTTP server on 127.0.0.1 serving Bambu's raw format (tests/fixtures/hms/).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "pd-core-resources.h"
#include "pd-hms-database.h"
#include "pd-model.h"
#include "pd-test-util.h"

static const char *const english[] = { "en_US.UTF-8", "en_US", "en", "C", NULL };
static const char *const german[] = { "de", NULL };

/* Helpers ---------------------------------------------------------------------*/

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
make_temp_dir (void)
{
  g_autoptr (GError) error = NULL;
  char              *dir = g_dir_make_tmp ("test-hms-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static GBytes *
load_fixture_bytes (const char *name)
{
  gsize length;
  char *data = pd_test_load_fixture (name, &length);

  return g_bytes_new_take (data, length);
}

static PdHmsDatabase *
builtin_database (void)
{
  return pd_hms_database_new (NULL, english);
}

/* Writes @blob as the cached table of @language in @dir. */
static void
write_cache (const char *dir,
             const char *language,
             GBytes     *blob)
{
  g_autofree char   *name = g_strdup_printf ("hms-%s.db", language);
  g_autofree char   *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (blob, NULL), (gssize) g_bytes_get_size (blob), &error);
  g_assert_no_error (error);
}

/* The database and the info ----------------------------------------------------*/

static void
test_new_destroy (void)
{
  PdHmsDatabase *db = builtin_database ();

  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "en");
  g_assert_finalize_object (db);
}

static void
test_builtin (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (GDateTime)     updated = NULL;

  /* read in place: GVariant copies data that is not aligned for it */
  {
    g_autoptr (GBytes) table = g_resource_lookup_data (pd_core_get_resource (),
                                                       "/io/github/printdeck/Printdeck/hms/hms-en.gvariant",
                                                       0, NULL);

    g_assert_nonnull (table);
    g_assert_cmpuint ((gsize) g_bytes_get_data (table, NULL) % 8, ==, 0);
  }

  /* every code of data/hms/hms_en.json (protocol notes §DATA) */
  g_assert_cmpuint (pd_hms_database_get_n_codes (db), ==, 4998 + 946);
  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "en");
  g_assert_cmpstr (pd_hms_database_get_user_language (db), ==, "en");

  /* the day the data was taken (src/core/meson.build) */
  updated = g_date_time_new_from_unix_utc (pd_hms_database_get_updated (db));
  g_assert_cmpint (g_date_time_get_year (updated), ==, 2026);
  g_assert_cmpint (g_date_time_get_month (updated), ==, 4);
  g_assert_cmpint (g_date_time_get_day_of_month (updated), ==, 29);
}

static void
test_protocol_example (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     x1c = NULL;
  g_autoptr (PdHmsInfo)     h2d = NULL;
  g_autoptr (PdHmsInfo)     none = NULL;
  g_autoptr (PdHmsInfo)     copy = NULL;

  /* protocol notes §3.1: "hms": [{"attr": 50331904, "code": 65543}] */
  x1c = pd_hms_database_lookup_hms (db, 50331904, 65543, "X1C");
  g_assert_cmpstr (x1c->code, ==, "0300_0100_0001_0007");
  g_assert_cmpint (x1c->severity, ==, PD_SEVERITY_FATAL);
  g_assert_cmpstr (x1c->module, ==, "Motion controller");
  g_assert_cmpstr (x1c->description, ==, "The heatbed temperature is abnormal; the sensor may have an open circuit.");
  g_assert_null (x1c->action);
  g_assert_cmpstr (x1c->url, ==, "https://wiki.bambulab.com/en/x1/troubleshooting/hmscode/0300_0100_0001_0007");

  /* the H2 series has its own article (hms_wiki_links.json) */
  h2d = pd_hms_database_lookup_hms (db, 50331904, 65543, "H2D");
  g_assert_cmpstr (h2d->description, ==, x1c->description);
  g_assert_cmpstr (h2d->url, ==, "https://wiki.bambulab.com/en/h2/troubleshooting/hmscode/0300_0100_0001_0007");

  /* no model: the default article */
  none = pd_hms_database_lookup_hms (db, 50331904, 65543, NULL);
  g_assert_cmpstr (none->url, ==, x1c->url);

  copy = pd_hms_info_copy (h2d);
  g_assert_cmpstr (copy->code, ==, h2d->code);
  g_assert_cmpint (copy->severity, ==, h2d->severity);
  g_assert_cmpstr (copy->module, ==, h2d->module);
  g_assert_cmpstr (copy->description, ==, h2d->description);
  g_assert_cmpstr (copy->action, ==, h2d->action);
  g_assert_cmpstr (copy->url, ==, h2d->url);
}

static void
test_x2d_capture (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     info = NULL;

  /* protocol notes §3.1: X2D {"attr":83887616,"code":131184} */
  info = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  g_assert_cmpstr (info->code, ==, "0500_0600_0002_0070");
  g_assert_cmpint (info->severity, ==, PD_SEVERITY_SERIOUS);
  g_assert_cmpstr (info->module, ==, "Mainboard");
  /* Bambu's table has the code with an empty text */
  g_assert_null (info->description);
  g_assert_null (info->action);
  g_assert_cmpstr (info->url, ==, "https://e.bambulab.com/index.php?e=0500060000020070&s=device_hms&lang=en");
}

static void
test_modules (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  static const struct
  {
    guint32     attr;
    const char *module;
  } cases[] = {
    { 0x03000100, "Motion controller" },
    { 0x05000600, "Mainboard" },
    { 0x07000100, "AMS A" },
    { 0x07010100, "AMS B" },
    { 0x07030100, "AMS D" },
    { 0x07070100, "AMS H" },
    { 0x07800100, "AMS HT 1" },
    { 0x07870100, "AMS HT 8" },
    { 0x07FE0100, "AMS" },
    { 0x18000100, "AMS HT 1" },
    { 0x18810100, "AMS HT 2" },
    { 0x12000100, "AMS lite A" },
    { 0x12010100, "AMS lite B" },
    { 0x08000100, "Toolhead" },
    { 0x0C000300, "AI camera" },
    { 0x10000100, "Print options" },
    { 0x42000100, "Unknown part" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (db, cases[i].attr, 0x00020001, NULL);

      g_assert_cmpstr (info->module, ==, cases[i].module);
    }
}

static void
test_model_override (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     h2d = NULL;
  g_autoptr (PdHmsInfo)     x1c = NULL;
  g_autoptr (PdHmsInfo)     display_name = NULL;

  /* 0300020000010001: the H2D's text names its right nozzle */
  h2d = pd_hms_database_lookup_hms (db, 0x03000200, 0x00010001, "H2D");
  x1c = pd_hms_database_lookup_hms (db, 0x03000200, 0x00010001, "X1C");
  g_assert_cmpstr (h2d->description, ==, "The right nozzle temperature is abnormal; the heater may have a short circuit.");
  g_assert_cmpstr (x1c->description, ==, "The nozzle temperature is abnormal; the heater may have a short circuit.");
  g_assert_cmpstr (h2d->url, ==, "https://wiki.bambulab.com/en/h2/troubleshooting/hmscode/0300_0200_0001_0001");
  g_assert_cmpstr (x1c->url, ==, "https://wiki.bambulab.com/en/x1/troubleshooting/hmscode/0300_0200_0001_0001");

  /* the model as people name it */
  display_name = pd_hms_database_lookup_hms (db, 0x03000200, 0x00010001, "O1D");
  g_assert_cmpstr (display_name->description, ==, h2d->description);
}

static void
test_unknown_code (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     info = NULL;
  g_autoptr (PdHmsInfo)     error = NULL;

  info = pd_hms_database_lookup_hms (db, 0x0300FF00, 0x0002FFFF, "X1C");
  g_assert_cmpstr (info->code, ==, "0300_FF00_0002_FFFF");
  g_assert_cmpint (info->severity, ==, PD_SEVERITY_SERIOUS);
  g_assert_cmpstr (info->module, ==, "Motion controller");
  g_assert_null (info->description);
  g_assert_null (info->action);
  g_assert_cmpstr (info->url, ==, "https://e.bambulab.com/index.php?e=0300FF000002FFFF&s=device_hms&lang=en");

  error = pd_hms_database_lookup_print_error (db, 0x0500FFFF, NULL);
  g_assert_cmpstr (error->code, ==, "0500_FFFF");
  g_assert_null (error->description);
  g_assert_cmpstr (error->url, ==, "https://e.bambulab.com/index.php?e=0500FFFF&s=device_error&lang=en");
}

static void
test_empty_text (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     info = NULL;

  /* 0300180000000000 is in Bambu's table with "" (and a level of 0) */
  info = pd_hms_database_lookup_hms (db, 0x03001800, 0x00000000, NULL);
  g_assert_cmpstr (info->code, ==, "0300_1800_0000_0000");
  g_assert_cmpint (info->severity, ==, PD_SEVERITY_COMMON);
  g_assert_null (info->description);
  g_assert_null (info->action);
  g_assert_nonnull (info->url);
}

static void
test_print_error (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     info = NULL;

  info = pd_hms_database_lookup_print_error (db, 0x0300400C, "X1C");
  g_assert_cmpstr (info->code, ==, "0300_400C");
  g_assert_cmpint (info->severity, ==, PD_SEVERITY_NONE);
  g_assert_cmpstr (info->module, ==, "Motion controller");
  g_assert_cmpstr (info->description, ==, "The task was canceled.");
  g_assert_null (info->action);
  g_assert_cmpstr (info->url, ==, "https://e.bambulab.com/index.php?e=0300400C&s=device_error&lang=en");
}

static void
test_action_split (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  g_autoptr (PdHmsInfo)     sentences = NULL;
  g_autoptr (PdHmsInfo)     semicolon = NULL;
  g_autoptr (PdHmsInfo)     advice_first = NULL;
  g_autoptr (PdHmsInfo)     spaces = NULL;

  /* 07008005: "The AMS failed to send out filament. You can clip … If this
   * message persists, please check …"
   */
  sentences = pd_hms_database_lookup_print_error (db, 0x07008005, NULL);
  g_assert_cmpstr (sentences->module, ==, "AMS A");
  g_assert_cmpstr (sentences->description, ==, "The AMS failed to send out filament.");
  g_assert_cmpstr (sentences->action, ==,
                   "You can clip the end of your filament flat, and reinsert. If this message persists, "
                   "please check the PTFE tubes in AMS for any signs of wear and tear.");

  /* 0500060000020001: "The Toolhead Camera is not in place; please check …" */
  semicolon = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020001, NULL);
  g_assert_cmpstr (semicolon->description, ==, "The Toolhead Camera is not in place.");
  g_assert_cmpstr (semicolon->action, ==, "Please check the hardware connection.");

  /* 0300020000010006 on an H2D: "…may have a short circuit, please check
   * whether the connector is properly plugged in."
   */
  {
    g_autoptr (PdHmsInfo) comma = pd_hms_database_lookup_hms (db, 0x03000200, 0x00010006, "H2D");

    g_assert_cmpstr (comma->description, ==,
                     "The right nozzle temperature is abnormal; the sensor may have a short circuit.");
    g_assert_cmpstr (comma->action, ==, "Please check whether the connector is properly plugged in.");
  }

  /* 0500808D starts with advice: kept whole */
  advice_first = pd_hms_database_lookup_print_error (db, 0x0500808D, NULL);
  g_assert_true (g_str_has_prefix (advice_first->description, "Please check whether the two cut lines"));
  g_assert_true (g_str_has_suffix (advice_first->description, "possible wear."));
  g_assert_null (advice_first->action);

  /* 07FE8003: "… on the spool holder  of the left extruder" (two spaces) */
  spaces = pd_hms_database_lookup_print_error (db, 0x07FE8003, NULL);
  g_assert_cmpstr (spaces->module, ==, "AMS");
  g_assert_true (g_str_has_prefix (spaces->description, "Please pull out the filament on the spool holder of the left extruder."));
}

static void
test_parse_code (void)
{
  static const struct
  {
    const char *text;
    gboolean    valid;
    guint32     attr;
    guint32     code;
    gboolean    is_print_error;
  } cases[] = {
    { "0300_0100_0001_0007", TRUE, 0x03000100, 0x00010007, FALSE },
    { "HMS_0300_0100_0001_0007", TRUE, 0x03000100, 0x00010007, FALSE },
    { "hms-0300-0100-0001-0007", TRUE, 0x03000100, 0x00010007, FALSE },
    { "HMS 0300 0100 0001 0007", TRUE, 0x03000100, 0x00010007, FALSE },
    { "0300010000010007", TRUE, 0x03000100, 0x00010007, FALSE },
    { "  0500060000020070\n", TRUE, 0x05000600, 0x00020070, FALSE },
    { "18ff_2000_0002_0001", TRUE, 0x18FF2000, 0x00020001, FALSE },
    { "0300_400C", TRUE, 0, 0x0300400C, TRUE },
    { "0300400c", TRUE, 0, 0x0300400C, TRUE },
    { "0500-400E", TRUE, 0, 0x0500400E, TRUE },
    { "", FALSE, 0, 0, FALSE },
    { "HMS_", FALSE, 0, 0, FALSE },
    { "0300_0100_0001", FALSE, 0, 0, FALSE },
    { "0300_0100_0001_0007_0000", FALSE, 0, 0, FALSE },
    { "0x0300400C", FALSE, 0, 0, FALSE },
    { "0300_0100_0001_000G", FALSE, 0, 0, FALSE },
    { "_0300400C", FALSE, 0, 0, FALSE },
    { "50348044", TRUE, 0, 0x50348044, TRUE }, /* 8 digits are hex */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32  attr = 1, code = 1;
      gboolean is_print_error = 2;
      gboolean valid = pd_hms_parse_code (cases[i].text, &attr, &code, &is_print_error);

      g_test_message ("\"%s\"", cases[i].text);
      g_assert_cmpint (valid, ==, cases[i].valid);
      if (!valid)
        continue;
      g_assert_cmphex (attr, ==, cases[i].attr);
      g_assert_cmphex (code, ==, cases[i].code);
      g_assert_cmpint (is_print_error, ==, cases[i].is_print_error);
    }

  /* the outputs are optional */
  g_assert_true (pd_hms_parse_code ("0300_400C", NULL, NULL, NULL));
}

static void
test_languages (void)
{
  static const struct
  {
    const char *locale;
    const char *language;
  } cases[] = {
    { "de_DE.UTF-8", "de" },
    { "de", "de" },
    { "fr_CA", "fr" },
    { "sv_SE@euro", "sv" },
    { "pt_BR.UTF-8", "pt-BR" },
    { "pt_PT", "pt-BR" },
    { "pt-BR", "pt-BR" },
    { "zh_CN.UTF-8", "zh-cn" },
    { "zh-cn", "zh-cn" },
    { "zh_TW", NULL },
    { "ja_JP.eucJP", "ja" },
    { "en_GB", "en" },
    { "C", "en" },
    { "C.UTF-8", "en" },
    { "POSIX", "en" },
    { "eo", NULL },
    { "", NULL },
  };
  static const char *const  esperanto_then_dutch[] = { "eo", "nl_BE", "C", NULL };
  g_autoptr (PdHmsDatabase) db = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (pd_hms_language_from_locale (cases[i].locale), ==, cases[i].language);

  db = pd_hms_database_new (NULL, esperanto_then_dutch);
  g_assert_cmpstr (pd_hms_database_get_user_language (db), ==, "nl");
  /* nothing downloaded: the built-in English texts, Bambu's page in Dutch */
  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "en");
  {
    g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_print_error (db, 0x0300400C, NULL);

    g_assert_cmpstr (info->description, ==, "The task was canceled.");
    g_assert_cmpstr (info->url, ==, "https://e.bambulab.com/index.php?e=0300400C&s=device_error&lang=nl");
  }
}

static void
test_default (void)
{
  g_autofree char *dir = make_temp_dir ();
  PdHmsDatabase   *first, *mine;

  g_setenv ("PRINTDECK_CACHE_DIR", dir, TRUE);
  pd_hms_database_set_default (NULL);

  first = pd_hms_database_get_default ();
  g_assert_true (PD_IS_HMS_DATABASE (first));
  g_assert_true (pd_hms_database_get_default () == first);
  {
    g_autofree char *cache_dir = NULL;
    g_autofree char *expected = g_build_filename (dir, "hms", NULL);

    g_object_get (first, "cache-dir", &cache_dir, NULL);
    g_assert_cmpstr (cache_dir, ==, expected);
  }

  mine = builtin_database ();
  pd_hms_database_set_default (mine);
  g_assert_true (pd_hms_database_get_default () == mine);
  g_object_unref (mine);

  pd_hms_database_set_default (NULL);
  g_unsetenv ("PRINTDECK_CACHE_DIR");
  remove_tree (dir);
}

/* The builder and the cache layers --------------------------------------------*/

static void
test_builder_rejects (void)
{
  static const char *const bad_packed[] = {
    "{not json",
    "[]",
    "\"text\"",
    "{}",
    "{\"device_hms\": []}",
    "",
  };
  static const char *const bad_raw[] = {
    "{\"result\": 1, \"data\": {}}",
    "{\"result\": 0}",
    "{\"result\": 0, \"data\": {\"device_hms\": {\"ver\": 1}}}",
    "<html><body>Bad gateway</body></html>",
  };
  g_autoptr (PdHmsBuilder) builder = pd_hms_builder_new ("en");
  g_autoptr (GBytes)       blob = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_packed); i++)
    {
      g_autoptr (GBytes) json = bytes_from_string (bad_packed[i]);
      g_autoptr (GError) error = NULL;

      g_assert_false (pd_hms_builder_add_packed (builder, json, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_raw); i++)
    {
      g_autoptr (GBytes) json = bytes_from_string (bad_raw[i]);
      g_autoptr (GError) error = NULL;

      g_assert_false (pd_hms_builder_add_raw (builder, json, "X1C", &error));
      g_assert_nonnull (error);
    }

  {
    g_autoptr (GBytes) json = bytes_from_string ("[1, 2]");
    g_autoptr (GError) error = NULL;

    g_assert_false (pd_hms_builder_add_wiki_links (builder, json, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }

  /* too large, refused before parsing */
  {
    gsize              size = 17 * 1024 * 1024;
    char              *data = g_malloc (size);
    g_autoptr (GBytes) json = NULL;
    g_autoptr (GError) error = NULL;

    memset (data, ' ', size);
    data[0] = '{';
    data[size - 1] = '}';
    json = g_bytes_new_take (data, size);
    g_assert_false (pd_hms_builder_add_packed (builder, json, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }

  /* a blob that is not a table */
  {
    g_autoptr (GBytes) junk = bytes_from_string ("not a table at all, but long enough to be read");
    g_autoptr (GError) error = NULL;

    g_assert_false (pd_hms_builder_add_compiled (builder, junk, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }

  /* nothing got in */
  g_assert_cmpuint (pd_hms_builder_get_n_skipped (builder), ==, 0);
  blob = pd_hms_builder_end (builder);
  g_assert_nonnull (blob);
}

static void
test_builder_skips (void)
{
  g_autoptr (PdHmsBuilder)  builder = pd_hms_builder_new ("en");
  g_autoptr (GBytes)        json = NULL;
  g_autoptr (GBytes)        links = NULL;
  g_autoptr (GBytes)        blob = NULL;
  g_autoptr (GError)        error = NULL;
  g_autofree char          *long_text = g_strnfill (5000, 'a');
  g_autofree char          *packed = NULL;
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsDatabase) db = NULL;
  g_autoptr (PdHmsInfo)     info = NULL;

  packed = g_strdup_printf ("{\"device_hms\": {"
                            "\"0300010000010007\": {\"  Heatbed   text.\": []},"
                            "\"XYZ0010000010007\": {\"not hex\": []},"
                            "\"03000100000100\": {\"too short\": []},"
                            "\"0300010000010008\": {\"%s\": []},"
                            "\"0300010000010009\": {\"bad models\": {}},"
                            "\"030001000001000A\": {\"bad model\": [42, \"bad name!\"]},"
                            "\"030001000001000B\": \"not an object\"},"
                            "\"device_error\": {\"0300400C\": {\"Cancelled\": []}, \"0300400\": {\"x\": []}},"
                            "\"extra\": 1}",
                            long_text);
  json = bytes_from_string (packed);
  g_assert_true (pd_hms_builder_add_packed (builder, json, &error));
  g_assert_no_error (error);
  /* not hex, too short, too long, models not a list, 42, "bad name!", not an
   * object, print_error too short
   */
  g_assert_cmpuint (pd_hms_builder_get_n_skipped (builder), ==, 8);

  links = bytes_from_string ("{\"0300010000010007\": {\"/en/x1/a\": [], \"https://evil.example/\": [\"H2D\"], \"//evil.example/x\": [\"P1S\"]}}");
  g_assert_true (pd_hms_builder_add_wiki_links (builder, links, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_hms_builder_get_n_skipped (builder), ==, 10);

  blob = pd_hms_builder_end (builder);
  write_cache (dir, "en", blob);
  db = pd_hms_database_new (dir, english);
  info = pd_hms_database_lookup_hms (db, 0x03000100, 0x00010007, "H2D");
  g_assert_cmpstr (info->description, ==, "Heatbed text.");
  g_assert_cmpstr (info->url, ==, "https://wiki.bambulab.com/en/x1/a");

  remove_tree (dir);
}

static void
test_builder_merges_models (void)
{
  g_autoptr (PdHmsBuilder)  builder = pd_hms_builder_new ("en");
  g_autoptr (GBytes)        blob = NULL;
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdHmsDatabase) db = NULL;
  g_autofree char          *dir = make_temp_dir ();
  static const struct
  {
    const char *model;
    const char *text;
  } answers[] = {
    { "X1C", "Same for most." },
    { "P1S", "Same for most." },
    { "A1", "Same for most." },
    { "H2D", "The right one." },
    { "H2S", "The right one." },
    { "P2S", "Its own。Text，with a full-width comma." },
  };
  static const struct
  {
    const char *model;
    const char *text;
  } expected[] = {
    { "X1C", "Same for most." },
    { "A1", "Same for most." },
    { "H2D", "The right one." },
    { "H2S", "The right one." },
    { "P2S", "Its own。Text, with a full-width comma." },
    { "X2D", "Same for most." }, /* not in the answers: the default */
    { NULL, "Same for most." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autofree char   *raw = g_strdup_printf ("{\"result\": 0, \"ver\": 20251120%u, \"data\": {"
                                                  "\"device_hms\": {\"ver\": 1, \"en\": [{\"ecode\": \"0C00030000020010\", \"intro\": \"%s\"}]},"
                                                  "\"device_error\": {\"ver\": 1, \"en\": []}}}",
                                                i, answers[i].text);
      g_autoptr (GBytes) json = bytes_from_string (raw);

      g_assert_true (pd_hms_builder_add_raw (builder, json, answers[i].model, &error));
      g_assert_no_error (error);
    }

  blob = pd_hms_builder_end (builder);
  write_cache (dir, "en", blob);
  db = pd_hms_database_new (dir, english);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (db, 0x0C000300, 0x00020010, expected[i].model);

      g_assert_cmpstr (info->description, ==, expected[i].text);
    }

  /* a compiled table goes back in whole */
  {
    g_autoptr (PdHmsBuilder)  again = pd_hms_builder_new ("en");
    g_autoptr (GBytes)        copy = NULL;
    g_autoptr (PdHmsDatabase) copied = NULL;

    g_assert_true (pd_hms_builder_add_compiled (again, blob, &error));
    g_assert_no_error (error);
    copy = pd_hms_builder_end (again);
    write_cache (dir, "en", copy);
    copied = pd_hms_database_new (dir, english);

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (copied, 0x0C000300, 0x00020010, expected[i].model);

        g_assert_cmpstr (info->description, ==, expected[i].text);
      }
  }

  remove_tree (dir);
}

static void
test_cache_layers (void)
{
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsBuilder)  en = pd_hms_builder_new ("en");
  g_autoptr (PdHmsBuilder)  de = pd_hms_builder_new ("de");
  g_autoptr (GBytes)        en_raw = load_fixture_bytes ("hms/query-en-20P.json");
  g_autoptr (GBytes)        de_raw = load_fixture_bytes ("hms/query-de-20P.json");
  g_autoptr (GBytes)        en_blob = NULL;
  g_autoptr (GBytes)        de_blob = NULL;
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdHmsDatabase) db = NULL;
  g_autoptr (PdHmsDatabase) english_only = NULL;
  g_autoptr (PdHmsInfo)     camera = NULL;
  g_autoptr (PdHmsInfo)     lens = NULL;
  g_autoptr (PdHmsInfo)     canceled = NULL;
  g_autoptr (PdHmsInfo)     nozzle = NULL;
  g_autoptr (PdHmsInfo)     old = NULL;

  g_assert_true (pd_hms_builder_add_raw (en, en_raw, "X2D", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_hms_builder_get_n_skipped (en), ==, 1); /* "not-a-code" */
  g_assert_true (pd_hms_builder_add_raw (de, de_raw, "X2D", &error));
  g_assert_no_error (error);
  pd_hms_builder_set_version (en, NULL, 1795000000);
  pd_hms_builder_set_version (de, NULL, 1795000000);
  en_blob = pd_hms_builder_end (en);
  de_blob = pd_hms_builder_end (de);
  write_cache (dir, "en", en_blob);
  write_cache (dir, "de", de_blob);

  db = pd_hms_database_new (dir, german);
  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "de");
  g_assert_cmpint (pd_hms_database_get_updated (db), ==, 1795000000);
  /* with the one code that the built-in table lacks */
  g_assert_cmpuint (pd_hms_database_get_n_codes (db), ==, 4998 + 946 + 1);
  {
    g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020090, "X2D");

    g_assert_cmpstr (info->description, ==, "The Nozzle Camera firmware could not be updated.");
    g_assert_cmpstr (info->action, ==, "Please restart the printer and try again.");
  }
  /* an empty text in the cache does not hide the built-in one */
  {
    g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (db, 0x0C000300, 0x00020010, "X2D");

    g_assert_cmpstr (info->description, ==, "Foreign objects detected on heatbed.");
    g_assert_cmpstr (info->action, ==, "Please check and clean the heatbed.");
  }

  /* German first: not split into an action (English only) */
  camera = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020070, "X2D");
  g_assert_cmpstr (camera->description, ==, "Die Düsenkamera funktioniert nicht richtig. Bitte starten Sie den Drucker neu.");
  g_assert_null (camera->action);
  g_assert_cmpstr (camera->url, ==, "https://e.bambulab.com/index.php?e=0500060000020070&s=device_hms&lang=de");

  /* not in German: the cached English, cleaned and split */
  lens = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020071, "X2D");
  g_assert_cmpstr (lens->description, ==, "The BirdsEye Camera is dirty.");
  g_assert_cmpstr (lens->action, ==, "Please clean the camera lens\nwith a dry lint-free cloth.");

  canceled = pd_hms_database_lookup_print_error (db, 0x0300400C, NULL);
  g_assert_cmpstr (canceled->description, ==, "Der Auftrag wurde abgebrochen.");

  /* neither cache has it: the built-in text */
  old = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020001, NULL);
  g_assert_cmpstr (old->description, ==, "The Toolhead Camera is not in place.");

  /* English users skip the German layer; the cached English one comes first */
  english_only = pd_hms_database_new (dir, english);
  g_assert_cmpstr (pd_hms_database_get_language (english_only), ==, "en");
  nozzle = pd_hms_database_lookup_hms (english_only, 0x03000200, 0x00010001, "X2D");
  g_assert_cmpstr (nozzle->description, ==, "The left nozzle temperature is abnormal; the heater may have a short circuit.");
  {
    g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_print_error (english_only, 0x07FFC010, NULL);

    /* the full-width comma of Bambu's text */
    g_assert_cmpstr (info->description, ==, "Insert the filament into the right extruder feed port, then click 'Continue'.");
  }

  remove_tree (dir);
}

static void
test_damaged_cache (void)
{
  g_autofree char          *dir = make_temp_dir ();
  g_autofree char          *path = g_build_filename (dir, "hms-en.db", NULL);
  g_autoptr (PdHmsDatabase) db = NULL;
  g_autoptr (PdHmsInfo)     info = NULL;
  g_autoptr (GBytes)        blob = NULL;
  g_autoptr (PdHmsBuilder)  builder = pd_hms_builder_new ("de");
  g_autoptr (GBytes)        de_raw = load_fixture_bytes ("hms/query-de-20P.json");
  g_autoptr (GError)        error = NULL;
  static const char *const  damage[] = { "", "garbage", "\x01\x00\x00\x00short" };

  for (guint i = 0; i < G_N_ELEMENTS (damage); i++)
    {
      g_autoptr (PdHmsDatabase) damaged = NULL;
      g_autoptr (PdHmsInfo)     canceled = NULL;

      g_assert_true (g_file_set_contents (path, damage[i], (gssize) strlen (damage[i]), NULL));
      damaged = pd_hms_database_new (dir, english);
      canceled = pd_hms_database_lookup_print_error (damaged, 0x0300400C, NULL);
      g_assert_cmpstr (canceled->description, ==, "The task was canceled.");
      g_assert_cmpuint (pd_hms_database_get_n_codes (damaged), ==, 4998 + 946);
    }

  /* a table of another language under this name */
  g_assert_true (pd_hms_builder_add_raw (builder, de_raw, "X2D", &error));
  blob = pd_hms_builder_end (builder);
  write_cache (dir, "en", blob);
  db = pd_hms_database_new (dir, english);
  info = pd_hms_database_lookup_print_error (db, 0x0300400C, NULL);
  g_assert_cmpstr (info->description, ==, "The task was canceled.");

  /* a truncated table */
  {
    g_autoptr (PdHmsDatabase) truncated = NULL;
    g_autoptr (PdHmsInfo)     canceled = NULL;

    g_assert_true (g_file_set_contents (path, g_bytes_get_data (blob, NULL), (gssize) g_bytes_get_size (blob) / 2, NULL));
    truncated = pd_hms_database_new (dir, german);
    canceled = pd_hms_database_lookup_print_error (truncated, 0x0300400C, NULL);
    g_assert_nonnull (canceled->code);
  }

  remove_tree (dir);
}

/* The update, against a server on 127.0.0.1 ---------------------------------*/

typedef enum
{
  SERVE_FIXTURES,
  SERVE_ERROR,
  SERVE_GARBAGE,
  SERVE_NOTHING, /* accept, never answer */
} ServeMode;

typedef struct
{
  SoupServer *server;
  char       *url;
  ServeMode   mode;
  guint       n_requests;
  gint64      started;  /* when the first request came */
  guint       n_first;  /* requests that came in the first 0.9 s */
  GPtrArray  *paused;   /* SoupServerMessage * */
  GPtrArray  *requests; /* "lang/prefix" */
} Server;

typedef struct
{
  gboolean done;
  gboolean ok;
  GError  *error;
} Result;

static void
server_handler (SoupServer        *soup_server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  Server     *server = data;
  const char *lang = query != NULL ? g_hash_table_lookup (query, "lang") : NULL;
  const char *prefix = query != NULL ? g_hash_table_lookup (query, "d") : NULL;

  if (server->n_requests++ == 0)
    server->started = g_get_monotonic_time ();
  if (g_get_monotonic_time () - server->started < 900 * G_TIME_SPAN_MILLISECOND)
    server->n_first++;
  g_ptr_array_add (server->requests, g_strdup_printf ("%s/%s", lang, prefix));

  switch (server->mode)
    {
    case SERVE_FIXTURES:
      {
        g_autofree char *name = g_strdup_printf ("query-%s-%s.json", lang, prefix);
        g_autofree char *file = g_build_filename (FIXTURES_DIR, "hms", name, NULL);
        char            *contents;
        gsize            length;

        if (lang == NULL || prefix == NULL || strchr (lang, '/') != NULL || strchr (prefix, '/') != NULL ||
            !g_file_get_contents (file, &contents, &length, NULL))
          {
            soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
            return;
          }
        soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
        soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, contents, length);
      }
      break;

    case SERVE_ERROR:
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      break;

    case SERVE_GARBAGE:
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        "<html>Gateway</html>", strlen ("<html>Gateway</html>"));
      break;

    case SERVE_NOTHING:
    default:
      soup_server_message_pause (msg);
      g_ptr_array_add (server->paused, g_object_ref (msg));
      break;
    }
}

static Server *
server_start (ServeMode mode)
{
  Server            *server = g_new0 (Server, 1);
  g_autoptr (GError) error = NULL;
  GSList            *uris;
  g_autofree char   *base = NULL;

  server->mode = mode;
  server->paused = g_ptr_array_new_with_free_func (g_object_unref);
  server->requests = g_ptr_array_new_with_free_func (g_free);
  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, "/query.php", server_handler, server, NULL);
  /* loopback only, on a free port */
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server->server);
  g_assert_nonnull (uris);
  base = g_uri_to_string (uris->data);
  g_assert_true (g_str_has_prefix (base, "http://127.0.0.1:"));
  server->url = g_strconcat (base, "query.php", NULL);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_setenv ("PRINTDECK_HMS_URL", server->url, TRUE);

  return server;
}

static void
server_stop (Server *server)
{
  soup_server_disconnect (server->server);
  g_ptr_array_unref (server->paused);
  g_ptr_array_unref (server->requests);
  g_object_unref (server->server);
  g_free (server->url);
  g_free (server);
  g_unsetenv ("PRINTDECK_HMS_URL");
  /* let the closed connections go */
  pd_test_spin (20);
}

static void
update_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Result *res = data;

  res->ok = pd_hms_database_update_finish (PD_HMS_DATABASE (source), result, &res->error);
  res->done = TRUE;
}

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
count_changed (PdHmsDatabase *db,
               guint         *n)
{
  (*n)++;
}

/* Runs an update to the end, in at most @seconds. */
static void
run_update (PdHmsDatabase     *db,
            const char *const *models,
            GCancellable      *cancellable,
            Result            *result,
            guint              seconds)
{
  pd_hms_database_update_async (db, models, cancellable, update_done, result);
  g_assert_true (pd_test_wait_until (result_done, result, seconds));
}

static void
test_update (void)
{
  static const char *const  models[] = { "X2D", NULL };
  g_autofree char          *dir = make_temp_dir ();
  g_autofree char          *en_path = g_build_filename (dir, "hms-en.db", NULL);
  g_autofree char          *de_path = g_build_filename (dir, "hms-de.db", NULL);
  g_autoptr (PdHmsDatabase) db = pd_hms_database_new (dir, german);
  Server                   *server = server_start (SERVE_FIXTURES);
  Result                    result = { 0 };
  guint                     n_changed = 0;
  g_autoptr (PdHmsInfo)     before = NULL;
  g_autoptr (PdHmsInfo)     after = NULL;
  g_autoptr (PdHmsInfo)     english_fallback = NULL;
  g_autoptr (PdHmsInfo)     other_model = NULL;

  g_signal_connect (db, "changed", G_CALLBACK (count_changed), &n_changed);
  before = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  g_assert_null (before->description);
  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "en");

  run_update (db, models, NULL, &result, 20);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (n_changed, ==, 1);

  /* one request per language for the X2D (serial prefix 20P) */
  g_assert_cmpuint (server->n_requests, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (server->requests, 0), ==, "en/20P");
  g_assert_cmpstr (g_ptr_array_index (server->requests, 1), ==, "de/20P");
  g_assert_true (g_file_test (en_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (de_path, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpstr (pd_hms_database_get_language (db), ==, "de");
  g_assert_cmpint (pd_hms_database_get_updated (db), >=, g_get_real_time () / G_USEC_PER_SEC - 60);
  after = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  g_assert_cmpstr (after->description, ==, "Die Düsenkamera funktioniert nicht richtig. Bitte starten Sie den Drucker neu.");
  g_assert_cmpint (after->severity, ==, PD_SEVERITY_SERIOUS);

  english_fallback = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020071, "X2D");
  g_assert_cmpstr (english_fallback->description, ==, "The BirdsEye Camera is dirty.");

  /* a text fetched for one model is the code's text for all, until another
   * model's answer says otherwise
   */
  other_model = pd_hms_database_lookup_hms (db, 0x05000600, 0x00020070, "X1C");
  g_assert_nonnull (other_model->description);

  server_stop (server);
  remove_tree (dir);
}

static void
test_update_partial (void)
{
  static const char *const  models[] = { "X2D", "P1S", NULL };
  static const char *const  h2d[] = { "H2D", NULL };
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsDatabase) db = pd_hms_database_new (dir, english);
  Server                   *server = server_start (SERVE_FIXTURES);
  Result                    result = { 0 };
  Result                    again = { 0 };
  g_autoptr (PdHmsInfo)     x2d = NULL;
  g_autoptr (PdHmsInfo)     x2d_later = NULL;
  g_autoptr (PdHmsInfo)     h2d_later = NULL;

  /* the server has nothing for the P1S (404): the X2D's texts still count */
  run_update (db, models, NULL, &result, 20);
  g_assert_no_error (result.error);
  g_assert_true (result.ok);
  g_assert_cmpuint (server->n_requests, ==, 2);

  x2d = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  g_assert_cmpstr (x2d->description, ==, "The Nozzle Camera is not working properly.");
  g_assert_cmpstr (x2d->action, ==, "Please restart the printer. If the problem persists, contact customer support.");

  /* an update of another model keeps what the first one fetched */
  run_update (db, h2d, NULL, &again, 20);
  g_assert_no_error (again.error);
  g_assert_true (again.ok);
  x2d_later = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  h2d_later = pd_hms_database_lookup_hms (db, 83887616, 131184, "H2D");
  g_assert_cmpstr (x2d_later->description, ==, x2d->description);
  g_assert_cmpstr (h2d_later->description, ==, "The Toolhead Camera is not working properly.");

  server_stop (server);
  remove_tree (dir);
}

/* A failed update leaves the texts in use as they were. */
static void
check_update_fails (ServeMode   mode,
                    GQuark      domain,
                    int         code,
                    const char *message_part)
{
  static const char *const  models[] = { "X2D", NULL };
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsDatabase) db = NULL;
  g_autoptr (GBytes)        en_raw = load_fixture_bytes ("hms/query-en-20P.json");
  g_autoptr (PdHmsBuilder)  builder = pd_hms_builder_new ("en");
  g_autoptr (GBytes)        blob = NULL;
  g_autoptr (GError)        error = NULL;
  g_autoptr (PdHmsInfo)     after = NULL;
  g_autofree char          *before_file = NULL;
  g_autofree char          *after_file = NULL;
  g_autofree char          *path = g_build_filename (dir, "hms-en.db", NULL);
  Server                   *server;
  Result                    result = { 0 };
  guint                     n_changed = 0;
  gint64                    start;

  /* an earlier update */
  g_assert_true (pd_hms_builder_add_raw (builder, en_raw, "X2D", &error));
  g_assert_no_error (error);
  blob = pd_hms_builder_end (builder);
  write_cache (dir, "en", blob);
  g_file_get_contents (path, &before_file, NULL, NULL);

  db = pd_hms_database_new (dir, english);
  pd_hms_database_set_request_timeout (db, 1);
  g_signal_connect (db, "changed", G_CALLBACK (count_changed), &n_changed);
  server = server_start (mode);

  start = g_get_monotonic_time ();
  run_update (db, models, NULL, &result, 20);
  g_test_message ("failed after %.1f s: %s", (g_get_monotonic_time () - start) / 1e6,
                  result.error != NULL ? result.error->message : "(no error)");
  g_assert_false (result.ok);
  g_assert_error (result.error, domain, code);
  g_assert_true (g_str_has_prefix (result.error->message, "The error descriptions could not be updated."));
  g_assert_nonnull (strstr (result.error->message, message_part));
  g_assert_cmpuint (n_changed, ==, 0);

  g_file_get_contents (path, &after_file, NULL, NULL);
  g_assert_cmpstr (after_file, ==, before_file);
  after = pd_hms_database_lookup_hms (db, 83887616, 131184, "X2D");
  g_assert_cmpstr (after->description, ==, "The Nozzle Camera is not working properly.");

  g_clear_error (&result.error);
  server_stop (server);
  remove_tree (dir);
}

static void
test_update_server_error (void)
{
  check_update_fails (SERVE_ERROR, G_IO_ERROR, G_IO_ERROR_FAILED, "error 500");
}

static void
test_update_garbage (void)
{
  check_update_fails (SERVE_GARBAGE, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a table of error descriptions");
}

static void
test_update_timeout (void)
{
  check_update_fails (SERVE_NOTHING, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "did not answer in time");
}

static void
test_update_bounded (void)
{
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsDatabase) db = pd_hms_database_new (dir, english);
  Server                   *server = server_start (SERVE_NOTHING);
  Result                    result = { 0 };
  guint                     n_models;

  pd_model_get_all (&n_models);
  pd_hms_database_set_request_timeout (db, 1);

  /* every model, a server that never answers: four at a time, each given
   * up after a second, so the fifth comes a second after the first four
   */
  run_update (db, NULL, NULL, &result, 30);
  g_assert_false (result.ok);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpuint (server->n_requests, ==, n_models);
  g_assert_cmpuint (server->n_first, ==, 4);

  g_clear_error (&result.error);
  server_stop (server);
  remove_tree (dir);
}

static void
test_update_cancel (void)
{
  g_autofree char          *dir = make_temp_dir ();
  g_autoptr (PdHmsDatabase) db = pd_hms_database_new (dir, english);
  g_autoptr (GCancellable)  cancellable = g_cancellable_new ();
  Server                   *server = server_start (SERVE_NOTHING);
  Result                    result = { 0 };

  pd_hms_database_update_async (db, NULL, cancellable, update_done, &result);
  pd_test_spin (100);
  g_cancellable_cancel (cancellable);
  g_assert_true (pd_test_wait_until (result_done, &result, 10));
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_clear_error (&result.error);
  server_stop (server);
  remove_tree (dir);
}

static void
test_update_without_cache (void)
{
  g_autoptr (PdHmsDatabase) db = builtin_database ();
  Result                    result = { 0 };
  static const char *const  nothing[] = { "Z9", NULL };

  run_update (db, NULL, NULL, &result, 5);
  g_assert_error (result.error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_clear_error (&result.error);

  {
    g_autofree char          *dir = make_temp_dir ();
    g_autoptr (PdHmsDatabase) cached = pd_hms_database_new (dir, english);
    Result                    unknown = { 0 };

    run_update (cached, nothing, NULL, &unknown, 5);
    g_assert_error (unknown.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&unknown.error);
    remove_tree (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* the update talks to a server on 127.0.0.1 only, never through a proxy */
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_setenv ("no_proxy", "*", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  g_test_add_func ("/hms/new-destroy", test_new_destroy);
  g_test_add_func ("/hms/builtin", test_builtin);
  g_test_add_func ("/hms/decode/protocol-example", test_protocol_example);
  g_test_add_func ("/hms/decode/x2d-capture", test_x2d_capture);
  g_test_add_func ("/hms/decode/modules", test_modules);
  g_test_add_func ("/hms/decode/model-override", test_model_override);
  g_test_add_func ("/hms/decode/unknown-code", test_unknown_code);
  g_test_add_func ("/hms/decode/empty-text", test_empty_text);
  g_test_add_func ("/hms/decode/print-error", test_print_error);
  g_test_add_func ("/hms/decode/action-split", test_action_split);
  g_test_add_func ("/hms/parse-code", test_parse_code);
  g_test_add_func ("/hms/languages", test_languages);
  g_test_add_func ("/hms/default", test_default);
  g_test_add_func ("/hms/builder/rejects", test_builder_rejects);
  g_test_add_func ("/hms/builder/skips", test_builder_skips);
  g_test_add_func ("/hms/builder/merges-models", test_builder_merges_models);
  g_test_add_func ("/hms/cache/layers", test_cache_layers);
  g_test_add_func ("/hms/cache/damaged", test_damaged_cache);
  g_test_add_func ("/hms/update/fetch", test_update);
  g_test_add_func ("/hms/update/partial", test_update_partial);
  g_test_add_func ("/hms/update/server-error", test_update_server_error);
  g_test_add_func ("/hms/update/garbage", test_update_garbage);
  g_test_add_func ("/hms/update/timeout", test_update_timeout);
  g_test_add_func ("/hms/update/bounded", test_update_bounded);
  g_test_add_func ("/hms/update/cancel", test_update_cancel);
  g_test_add_func ("/hms/update/without-cache", test_update_without_cache);

  return g_test_run ();
}
