/* test-json.c — the JSON writer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pd-json.h"
#include "pd-test-util.h"

static char *
rewrite (const char *json,
         gboolean    pretty)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return pd_json_to_string (json_parser_get_root (parser), pretty);
}

static void
test_doubles (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "[26.2]", "[26.2]" },
    { "[40.0]", "[40.0]" },
    { "[0.1]", "[0.1]" },
    { "[-48.9]", "[-48.9]" },
    { "[1e300]", "[1e+300]" },
    { "[27.8125]", "[27.8125]" },
    { "[0.30000000000000004]", "[0.30000000000000004]" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = rewrite (cases[i].in, FALSE);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_round_trip (void)
{
  const char      *json = "{\"a\":[1,2.5,true,false,null,\"x\\\"y\\\\z\\n\\u0001é\"],\"b\":{},\"c\":[]}";
  g_autofree char *compact = rewrite (json, FALSE);
  g_autofree char *pretty = rewrite (json, TRUE);
  g_autofree char *again = rewrite (pretty, FALSE);

  g_assert_cmpstr (compact, ==, json);
  g_assert_cmpstr (again, ==, json);
  g_assert_cmpstr (pretty, ==,
                   "{\n  \"a\": [\n    1,\n    2.5,\n    true,\n    false,\n    null,\n"
                   "    \"x\\\"y\\\\z\\n\\u0001é\"\n  ],\n  \"b\": {},\n  \"c\": []\n}");
}

/* What json-glib is given: only texts whose first value is a container
 * (one that starts with a plain value and goes on leaks in json-glib 1.6). */
static void
test_starts_with_container (void)
{
  static const struct
  {
    const char *text;
    gboolean    container;
  } cases[] = {
    { "{}", TRUE },
    { "[1]", TRUE },
    { " \r\n\t{\"a\":1}", TRUE },
    { "\xEF\xBB\xBF{\"a\":1}", TRUE },
    { "\"\"{\"a\":1}", FALSE },
    { "42", FALSE },
    { "null[1]", FALSE },
    { "", FALSE },
    { "   ", FALSE },
    { "\xEF\xBB\xBF", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (pd_json_starts_with_container (cases[i].text, strlen (cases[i].text)), ==,
                     cases[i].container);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json/doubles", test_doubles);
  g_test_add_func ("/json/round-trip", test_round_trip);
  g_test_add_func ("/json/starts-with-container", test_starts_with_container);

  return g_test_run ();
}
