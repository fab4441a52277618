/* test-bad-input.c — reports that are broken, hostile or just odd
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The policy under test is pd-report.c's: a report that is not JSON, not an
 * object, too large, too deep, of no known family or whose containers have
 * the wrong kind or too many items is rejected whole and the state stays as
 * it was; a single value that cannot be read or is out of range is skipped
 * with a warning, keeps its last good value, and the rest of the report
 * applies.
 *
 * Tests under /bad-input/regression/ guard bugs this suite found (the
 * first two crashed the app): they run in a child process so that a crash
 * there does not stop the rest of the suite.
 */

#include "config.h"

#include <string.h>

#include "pd-test-util.h"

#define NOW (G_GINT64_CONSTANT (1764115200) * G_USEC_PER_SEC)

#define X1C_SERIAL  "00M09A350100123"
#define X1C_FIXTURE "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json"

/* What pd-report.c keeps of a string (MAX_STRING_BYTES there). */
#define MAX_STRING_BYTES 512

#define REPLACEMENT_CHAR "\xEF\xBF\xBD" /* U+FFFD */

/* Helpers ------------------------------------------------------------------*/

/* An X1 Carbon after a real full report: FINISH, 2 AMS + AMS 2 Pro + AMS HT. */
static PdState *
x1c_state (void)
{
  g_autoptr (PdState) empty = pd_state_new (X1C_SERIAL);

  return pd_test_merge_fixture (empty, X1C_FIXTURE);
}

/* The document rendered afresh from the state's fields rather than the one
 * cached in it: a merge that wrote into the old state would show here.
 */
static char *
fresh_doc (PdState *state)
{
  g_autoptr (PdState) copy = pd_state_copy (state);

  return pd_state_to_string (copy, FALSE);
}

/* Any error of pd-report's own, whatever its code. */
static void
assert_report_error (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_true (error->domain == PD_REPORT_ERROR);
  g_assert_cmpint (error->code, >=, PD_REPORT_ERROR_TOO_LARGE);
  g_assert_cmpint (error->code, <=, PD_REPORT_ERROR_MALFORMED);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
warnings_new (void)
{
  return g_ptr_array_new_with_free_func (g_free);
}

static gboolean
warnings_mention (GPtrArray  *warnings,
                  const char *text)
{
  for (guint i = 0; i < warnings->len; i++)
    if (strstr (g_ptr_array_index (warnings, i), text) != NULL)
      return TRUE;

  return FALSE;
}

static void
log_warnings (GPtrArray *warnings)
{
  for (guint i = 0; i < warnings->len; i++)
    {
      const char *w = g_ptr_array_index (warnings, i);

      g_assert_true (g_utf8_validate (w, -1, NULL));
      g_test_message ("warning: %s", w);
    }
}

/* Parses and merges @data into @state; both must accept it. */
static PdState *
merge_ok (PdState    *state,
          const char *data,
          gssize      length,
          GPtrArray  *warnings)
{
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;
  PdState             *merged;

  report = pd_report_parse (data, length, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  merged = pd_report_merge (state, report, NOW, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (merged);

  return merged;
}

/* A printer that has had the X1C report must refuse @report and change
 * nothing: same state object, same document, no notifications, no warnings.
 */
static void
assert_printer_rejects (JsonNode *report,
                        int       code)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (X1C_SERIAL);
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *before = NULL;
  g_autofree char      *after = NULL;
  PdNotifyCounter       counter;
  PdState              *old;

  pd_test_apply_fixture (printer, X1C_FIXTURE);
  old = pd_printer_get_state (printer);
  before = pd_state_to_string (old, FALSE);
  pd_notify_counter_init (&counter, printer);

  g_assert_false (pd_printer_apply_report (printer, report, NOW, &changes, warnings, &error));
  g_assert_error (error, PD_REPORT_ERROR, code);
  g_assert_null (changes);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_true (pd_printer_get_state (printer) == old);
  after = pd_state_to_string (pd_printer_get_state (printer), FALSE);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);

  pd_notify_counter_clear (&counter);
}

/* @data must be rejected with @code, by the parser or by the merger, and
 * leave the state (and, if @check_warnings, the warnings) as they were; the
 * same for a printer.
 */
static void
assert_rejected_full (const char *data,
                      gssize      length,
                      int         code,
                      gboolean    check_warnings)
{
  g_autoptr (PdState)   state = x1c_state ();
  g_autofree char      *before = pd_state_to_string (state, FALSE);
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *after = NULL;

  report = pd_report_parse (data, length, warnings, &error);
  if (report != NULL)
    {
      g_assert_no_error (error);
      merged = pd_report_merge (state, report, NOW, warnings, &error);
      g_assert_null (merged);
    }
  g_assert_error (error, PD_REPORT_ERROR, code);
  g_test_message ("rejected: %s", error->message);
  if (check_warnings)
    g_assert_cmpuint (warnings->len, ==, 0);

  after = fresh_doc (state);
  g_assert_cmpstr (after, ==, before);

  if (report != NULL)
    assert_printer_rejects (report, code);
}

static void
assert_rejected (const char *data,
                 gssize      length,
                 int         code)
{
  assert_rejected_full (data, length, code, TRUE);
}

typedef struct
{
  const char *path;
  const char *report;
  int         code;
} RejectCase;

static void
test_reject_case (gconstpointer data)
{
  const RejectCase *c = data;

  assert_rejected (c->report, -1, c->code);
}

/* A report with one bad or odd value, and a report without it that must
 * have exactly the same effect.
 */
typedef struct
{
  const char *path;
  const char *report;
  const char *expected;
  const char *warning; /* what a warning must name; NULL: no warning at all */
  const char *kept;    /* a document path that must keep its old value, or NULL */
} ValueCase;

static void
test_value_case (gconstpointer data)
{
  const ValueCase      *c = data;
  g_autoptr (PdState)   start = x1c_state ();
  g_autofree char      *start_doc = pd_state_to_string (start, FALSE);
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (GPtrArray) expected_warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (PdState)   expected = NULL;
  g_autofree char      *merged_doc = NULL;
  g_autofree char      *expected_doc = NULL;
  g_autofree char      *start_after = NULL;

  merged = merge_ok (start, c->report, -1, warnings);
  expected = merge_ok (start, c->expected, -1, expected_warnings);
  log_warnings (warnings);

  merged_doc = pd_state_to_string (merged, FALSE);
  expected_doc = pd_state_to_string (expected, FALSE);

  /* The rest of the report applied, and nothing else changed. */
  g_assert_cmpstr (merged_doc, ==, expected_doc);
  g_assert_cmpstr (expected_doc, !=, start_doc);

  if (c->warning == NULL)
    g_assert_cmpuint (warnings->len, ==, 0);
  else
    {
      g_assert_true (warnings_mention (warnings, c->warning));
      g_assert_false (warnings_mention (expected_warnings, c->warning));
    }

  if (c->kept != NULL)
    g_assert_true (json_node_equal (pd_test_doc_get (start, c->kept),
                                    pd_test_doc_get (merged, c->kept)));

  start_after = fresh_doc (start);
  g_assert_cmpstr (start_after, ==, start_doc);
}

static gboolean
is_prefix_of (const char *prefix,
              const char *text)
{
  return strncmp (prefix, text, strlen (prefix)) == 0;
}

/* Regression tests run in a child process: a crash or a failed assertion there
 * marks the test failed without stopping the others. Returns TRUE in the
 * child, which then runs the body of the test.
 */
static gboolean
in_child_process (void)
{
  if (g_test_subprocess ())
    return TRUE;

  /* The regression tests run last, so this affects only them. */
  g_test_set_nonfatal_assertions ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();

  return FALSE;
}

/* Malformed JSON -----------------------------------------------------------*/

static const RejectCase json_cases[] = {
  { "/bad-input/json/trailing-garbage", "{\"print\":{\"nozzle_temper\":30}} xyz", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/trailing-brace", "{\"print\":{\"nozzle_temper\":30}}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/trailing-comma", "{\"print\":{\"nozzle_temper\":30}},", PD_REPORT_ERROR_INVALID_JSON },
  /* a plain value, then a document: json-glib 1.6 leaked the second (fuzz-report) */
  { "/bad-input/json/string-then-object", "\"\"{\"print\":{\"nozzle_temper\":30}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/number-then-object", "1 {\"print\":{\"nozzle_temper\":30}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/literal-then-array", "null[1,2,3]", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/trailing-number", "{\"print\":{\"nozzle_temper\":30}} 1", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/empty", "", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/whitespace", " \t\r\n  \n", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/unfinished-object", "{\"print\":", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/lone-bracket", "]", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/unquoted-key", "{print:{}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/nan", "{\"print\":{\"nozzle_temper\":NaN}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/missing-value", "{\"print\":{\"nozzle_temper\":}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/unterminated-string", "{\"print\":{\"subtask_name\":\"abc}}", PD_REPORT_ERROR_INVALID_JSON },
  { "/bad-input/json/bad-escape", "{\"print\":{\"subtask_name\":\"\\ud800\"}}", PD_REPORT_ERROR_INVALID_JSON },
};

static void
test_json_truncated (void)
{
  gsize            length;
  g_autofree char *text = pd_test_load_fixture (X1C_FIXTURE, &length);
  gsize            cuts[4];

  g_strchomp (text);
  length = strlen (text);
  cuts[0] = 1;
  cuts[1] = length / 3;
  cuts[2] = length / 2;
  cuts[3] = length - 1;

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    assert_rejected (text, (gssize) cuts[i], PD_REPORT_ERROR_INVALID_JSON);
}

static void
test_json_empty_length_0 (void)
{
  assert_rejected ("{\"print\":{}}", 0, PD_REPORT_ERROR_INVALID_JSON);
}

static void
test_json_nul_between_tokens (void)
{
  static const char data[] = "{\"print\":{\"nozzle_temper\":30}\0}";

  /* The parser calls the NUL bad UTF-8 and warns about it: see
   * /bad-input/regression/nul-in-string and rejected-parse-warns.
   */
  assert_rejected_full (data, sizeof data - 1, PD_REPORT_ERROR_INVALID_JSON, FALSE);
}

/* Some MQTT clients send the C string's terminator too. */
static void
test_json_trailing_nul (void)
{
  static const char     data[] = "{\"print\":{\"nozzle_temper\":30,\"mc_percent\":42}}\0\0";
  g_autoptr (PdState)   state = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   one = NULL;
  g_autoptr (PdState)   two = NULL;

  /* one NUL, then two */
  one = merge_ok (state, data, sizeof data - 2, warnings);
  g_assert_cmpfloat (pd_test_doc_double (one, "temperatures.nozzle.current"), ==, 30.0);
  g_assert_cmpint (pd_test_doc_int (one, "job.progress"), ==, 42);

  two = merge_ok (state, data, sizeof data - 1, warnings);
  g_assert_cmpfloat (pd_test_doc_double (two, "temperatures.nozzle.current"), ==, 30.0);
  g_assert_cmpuint (warnings->len, ==, 0);
}

/* Valid JSON that is not a report ------------------------------------------*/

static const RejectCase not_a_report_cases[] = {
  { "/bad-input/not-a-report/string", "\"print\"", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/number", "42", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/double", "-1.5e3", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/array", "[{\"print\":{\"nozzle_temper\":30}}]", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/null", "null", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/boolean", "true", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/unknown-family", "{\"foo\":1}", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/empty-object", "{}", PD_REPORT_ERROR_NOT_A_REPORT },
  { "/bad-input/not-a-report/family-case", "{\"PRINT\":{\"nozzle_temper\":30}}", PD_REPORT_ERROR_NOT_A_REPORT },
};

/* A family name that only reads as "print" once repaired is no family. */
static void
test_not_a_report_invalid_utf8_family (void)
{
  static const char     data[] = "{\"pr\xFFint\":{\"nozzle_temper\":30}}";
  g_autoptr (PdState)   state = x1c_state ();
  g_autofree char      *before = pd_state_to_string (state, FALSE);
  g_autoptr (GPtrArray) parse_warnings = warnings_new ();
  g_autoptr (GPtrArray) merge_warnings = warnings_new ();
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *after = NULL;

  report = pd_report_parse (data, -1, parse_warnings, &error);
  g_assert_no_error (error);
  g_assert_true (warnings_mention (parse_warnings, "UTF-8"));

  merged = pd_report_merge (state, report, NOW, merge_warnings, &error);
  g_assert_null (merged);
  g_assert_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_NOT_A_REPORT);
  g_assert_cmpuint (merge_warnings->len, ==, 0);
  after = fresh_doc (state);
  g_assert_cmpstr (after, ==, before);

  assert_printer_rejects (report, PD_REPORT_ERROR_NOT_A_REPORT);
}

/* Containers of the wrong kind ---------------------------------------------*/

static const RejectCase malformed_cases[] = {
  { "/bad-input/malformed/print-number", "{\"print\": 5}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/print-list", "{\"print\": []}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/print-string", "{\"print\": \"push_status\"}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/print-boolean", "{\"print\": true}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/info-list", "{\"info\": []}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/info-module-object",
    "{\"info\":{\"command\":\"get_version\",\"module\":{}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/hms-object", "{\"print\":{\"bed_temper\":55,\"hms\":{}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/hms-string", "{\"print\":{\"bed_temper\":55,\"hms\":\"x\"}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/hms-number", "{\"print\":{\"hms\":0}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ams-list", "{\"print\":{\"bed_temper\":55,\"ams\":[]}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ams-string", "{\"print\":{\"ams\":\"0\"}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ams-units-object", "{\"print\":{\"ams\":{\"ams\":{}}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ams-units-number", "{\"print\":{\"ams\":{\"ams\":4}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/trays-object",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":{\"id\":\"0\"}}]}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/vir-slot-object", "{\"print\":{\"vir_slot\":{\"id\":\"254\"}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/vt-tray-list", "{\"print\":{\"vt_tray\":[]}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/device-string", "{\"print\":{\"device\":\"x\"}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/extruder-list", "{\"print\":{\"device\":{\"extruder\":[]}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ctc-info-number", "{\"print\":{\"device\":{\"ctc\":{\"info\":3}}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/lights-object", "{\"print\":{\"lights_report\":{}}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/ipcam-string", "{\"print\":{\"ipcam\":\"rtsps://x\"}}", PD_REPORT_ERROR_MALFORMED },
  { "/bad-input/malformed/3d-list", "{\"print\":{\"3D\":[480]}}", PD_REPORT_ERROR_MALFORMED },
  /* all of it, or nothing: the values before the bad container do not apply */
  { "/bad-input/malformed/after-good-values",
    "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"evil\",\"nozzle_temper\":300,"
    "\"mc_percent\":3,\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"1\"}]},\"vir_slot\":{}}}",
    PD_REPORT_ERROR_MALFORMED },
};

/* The bad values before the bad container would have given warnings: a
 * rejected report adds none, and leaves the ones already there.
 */
static void
test_malformed_no_warnings (void)
{
  static const char data[] =
    "{\"print\":{\"nozzle_temper\":\"hot\",\"mc_percent\":250,\"subtask_name\":{},"
    "\"ams\":{\"ams\":[{\"humidity\":9}]},\"hms\":{}}}";
  g_autoptr (PdState)   state = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (GError)    error = NULL;

  g_ptr_array_add (warnings, g_strdup ("from an earlier report"));

  report = pd_report_parse (data, -1, warnings, &error);
  g_assert_no_error (error);
  merged = pd_report_merge (state, report, NOW, warnings, &error);
  g_assert_null (merged);
  g_assert_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, "from an earlier report");

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

/* Wrong types that printers do send, and that must be read --------------*/

static const ValueCase accepted_cases[] = {
  { "/bad-input/types/nozzle-as-string",
    "{\"print\":{\"nozzle_temper\":\"215.5\",\"nozzle_target_temper\":\"220\"}}",
    "{\"print\":{\"nozzle_temper\":215.5,\"nozzle_target_temper\":220}}", NULL, NULL },
  { "/bad-input/types/nozzle-as-string-with-spaces",
    "{\"print\":{\"nozzle_temper\":\" 215.5 \"}}",
    "{\"print\":{\"nozzle_temper\":215.5}}", NULL, NULL },
  { "/bad-input/types/bed-as-string",
    "{\"print\":{\"bed_temper\":\"55\"}}",
    "{\"print\":{\"bed_temper\":55}}", NULL, NULL },
  { "/bad-input/types/percent-as-string",
    "{\"print\":{\"mc_percent\":\"42\"}}",
    "{\"print\":{\"mc_percent\":42}}", NULL, NULL },
  { "/bad-input/types/layer-as-string",
    "{\"print\":{\"layer_num\":\"7\"}}",
    "{\"print\":{\"layer_num\":7}}", NULL, NULL },
  { "/bad-input/types/layer-as-double",
    "{\"print\":{\"layer_num\":7.0}}",
    "{\"print\":{\"layer_num\":7}}", NULL, NULL },
  { "/bad-input/types/remaining-as-string",
    "{\"print\":{\"mc_remaining_time\":\"15\"}}",
    "{\"print\":{\"mc_remaining_time\":15}}", NULL, NULL },
  { "/bad-input/types/ams-as-strings",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"4\",\"humidity_raw\":\"33\",\"temp\":\"22.7\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":0,\"humidity\":4,\"humidity_raw\":33,\"temp\":22.7}]}}}", NULL, NULL },
  { "/bad-input/types/tray-as-strings",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"tray\":[{\"id\":\"2\",\"remain\":\"50\"}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":1,\"tray\":[{\"id\":2,\"remain\":50}]}]}}}", NULL, NULL },
  { "/bad-input/types/name-as-number",
    "{\"print\":{\"subtask_name\":12345}}",
    "{\"print\":{\"subtask_name\":\"12345\"}}", NULL, NULL },
  { "/bad-input/types/tray-type-as-number",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_type\":5}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"5\"}]}]}}}", NULL, NULL },
  { "/bad-input/types/hms-hex-strings",
    "{\"print\":{\"hms\":[{\"attr\":\"0x03000100\",\"code\":\"0x00020001\"}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131073}]}}", NULL, NULL },
  { "/bad-input/types/hms-decimal-strings",
    "{\"print\":{\"hms\":[{\"attr\":\"50331904\",\"code\":\"131073\"}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131073}]}}", NULL, NULL },
  { "/bad-input/types/wifi-dbm-string",
    "{\"print\":{\"wifi_signal\":\"-52dBm\"}}",
    "{\"print\":{\"wifi_signal\":-52}}", NULL, NULL },
  { "/bad-input/types/wifi-plain-string",
    "{\"print\":{\"wifi_signal\":\"-52\"}}",
    "{\"print\":{\"wifi_signal\":-52}}", NULL, NULL },
  { "/bad-input/types/null-is-absent",
    "{\"print\":{\"nozzle_temper\":null,\"subtask_name\":null,\"hms\":null,\"ams\":null,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", NULL, NULL },
};

static void
test_types_values (void)
{
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   a = NULL;
  g_autoptr (PdState)   b = NULL;
  g_autoptr (PdState)   c = NULL;
  g_autoptr (PdState)   d = NULL;

  a = merge_ok (start, "{\"print\":{\"nozzle_temper\":\"215.5\",\"mc_percent\":\"42\",\"layer_num\":\"7\"}}", -1, warnings);
  g_assert_cmpfloat (pd_test_doc_double (a, "temperatures.nozzle.current"), ==, 215.5);
  g_assert_cmpint (pd_test_doc_int (a, "job.progress"), ==, 42);
  g_assert_cmpint (pd_test_doc_int (a, "job.layer"), ==, 7);

  b = merge_ok (start, "{\"print\":{\"subtask_name\":12345,\"wifi_signal\":\"-52dBm\"}}", -1, warnings);
  g_assert_cmpstr (pd_test_doc_string (b, "job.name"), ==, "12345");
  g_assert_cmpint (pd_test_doc_int (b, "wifi_dbm"), ==, -52);

  c = merge_ok (start, "{\"print\":{\"wifi_signal\":-52,\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"4\",\"temp\":\"22.7\"}]}}}", -1, warnings);
  g_assert_cmpint (pd_test_doc_int (c, "wifi_dbm"), ==, -52);
  g_assert_cmpint (pd_test_doc_int (c, "ams.units[0].id"), ==, 0);
  g_assert_cmpint (pd_test_doc_int (c, "ams.units[0].humidity_level"), ==, 2); /* wire 4 = level 2 */
  g_assert_cmpfloat (pd_test_doc_double (c, "ams.units[0].temperature"), ==, 22.7);

  d = merge_ok (start, "{\"print\":{\"hms\":[{\"attr\":\"0x03000100\",\"code\":\"0x00020001\"}]}}", -1, warnings);
  g_assert_cmpuint (pd_test_doc_length (d, "hms.errors"), ==, 1);
  g_assert_cmpstr (pd_test_doc_string (d, "hms.errors[0].code"), ==, "0300_0100_0002_0001");

  g_assert_cmpuint (warnings->len, ==, 0);
}

/* tray_now is not in the X1C's document (its extruder's "snow" rules), so
 * this one looks at the state itself.
 */
static void
test_types_tray_now (void)
{
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   a = NULL;
  g_autoptr (PdState)   b = NULL;
  g_autoptr (PdState)   c = NULL;

  g_assert_cmpint (start->tray_now, ==, 255);

  a = merge_ok (start, "{\"print\":{\"ams\":{\"tray_now\":\"3\"}}}", -1, warnings);
  g_assert_cmpint (a->tray_now, ==, 3);
  g_assert_cmpuint (warnings->len, ==, 0);

  b = merge_ok (a, "{\"print\":{\"ams\":{\"tray_now\":\"x\"}}}", -1, warnings);
  g_assert_cmpint (b->tray_now, ==, 3);
  g_assert_true (warnings_mention (warnings, "tray_now"));

  g_ptr_array_set_size (warnings, 0);
  c = merge_ok (a, "{\"print\":{\"ams\":{\"tray_now\":300}}}", -1, warnings);
  g_assert_cmpint (c->tray_now, ==, 3);
  g_assert_true (warnings_mention (warnings, "tray_now"));
}

/* Values that cannot be read ----------------------------------------------*/

static const ValueCase unreadable_cases[] = {
  { "/bad-input/unreadable/nozzle-text",
    "{\"print\":{\"nozzle_temper\":\"hot\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/unreadable/nozzle-object",
    "{\"print\":{\"nozzle_temper\":{},\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/unreadable/nozzle-list",
    "{\"print\":{\"nozzle_temper\":[],\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/unreadable/nozzle-boolean",
    "{\"print\":{\"nozzle_temper\":true,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/unreadable/nozzle-empty-string",
    "{\"print\":{\"nozzle_temper\":\"\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/unreadable/nozzle-target-text",
    "{\"print\":{\"nozzle_temper\":30,\"nozzle_target_temper\":\"hot\"}}",
    "{\"print\":{\"nozzle_temper\":30}}", "nozzle_target_temper", "temperatures.nozzle.target" },
  { "/bad-input/unreadable/percent-boolean",
    "{\"print\":{\"mc_percent\":false,\"layer_num\":7}}",
    "{\"print\":{\"layer_num\":7}}", "mc_percent", "job.progress" },
  { "/bad-input/unreadable/humidity-boolean",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":true,\"temp\":22.7}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"temp\":22.7}]}}}", "humidity", "ams.units[0].humidity_level" },
  { "/bad-input/unreadable/ams-temp-text",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"temp\":\"warm\",\"humidity_raw\":33}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity_raw\":33}]}}}", "temp", "ams.units[0].temperature" },
  { "/bad-input/unreadable/name-object",
    "{\"print\":{\"subtask_name\":{},\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "subtask_name", "job.name" },
  { "/bad-input/unreadable/name-boolean",
    "{\"print\":{\"subtask_name\":false,\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "subtask_name", "job.name" },
  { "/bad-input/unreadable/gcode-state",
    "{\"print\":{\"gcode_state\":\"EXPLODED\",\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "gcode_state", "status" },
  { "/bad-input/unreadable/tray-color",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_color\":\"zzz\",\"remain\":50}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"remain\":50}]}]}}}",
    "tray_color", "ams.units[0].trays[0].color" },
  { "/bad-input/unreadable/wifi-text",
    "{\"print\":{\"wifi_signal\":\"strong\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "wifi_signal", "wifi_dbm" },
  { "/bad-input/unreadable/hms-entry-number",
    "{\"print\":{\"hms\":[5,{\"attr\":50331904,\"code\":131073}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131073}]}}", "hms", NULL },
  { "/bad-input/unreadable/hms-entry-string",
    "{\"print\":{\"hms\":[\"x\",{\"attr\":50331904,\"code\":131073}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131073}]}}", "hms", NULL },
  { "/bad-input/unreadable/hms-entry-bad-code",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":\"0xZZ\"},{\"attr\":50331904,\"code\":131073}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131073}]}}", "hms", NULL },
  { "/bad-input/unreadable/ams-unit-number",
    "{\"print\":{\"ams\":{\"ams\":[3,{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "print.ams.ams", NULL },
  { "/bad-input/unreadable/ams-unit-without-id",
    "{\"print\":{\"ams\":{\"ams\":[{\"humidity\":\"1\",\"temp\":\"30\"},{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "ams[0].id", NULL },
  { "/bad-input/unreadable/ams-unit-id-text",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"x\",\"humidity\":\"1\"},{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "ams[0].id", NULL },
  { "/bad-input/unreadable/ams-unit-id-999",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":999,\"humidity\":\"1\"},{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "ams[0].id", NULL },
  { "/bad-input/unreadable/ams-unit-id-negative",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":-1,\"humidity\":\"1\"},{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "ams[0].id", NULL },
  { "/bad-input/unreadable/ams-unit-id-fraction",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":1.5,\"humidity\":\"1\"},{\"id\":\"1\",\"humidity\":\"3\"}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"3\"}]}}}", "ams[0].id", NULL },
  { "/bad-input/unreadable/tray-id-99",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"99\",\"tray_type\":\"PETG\"},{\"id\":\"1\",\"tray_type\":\"ABS\"}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"1\",\"tray_type\":\"ABS\"}]}]}}}",
    "tray[0].id", NULL },
  { "/bad-input/unreadable/tray-number",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[7,{\"id\":\"1\",\"tray_type\":\"ABS\"}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"1\",\"tray_type\":\"ABS\"}]}]}}}",
    "tray", NULL },
  { "/bad-input/unreadable/external-id-7",
    "{\"print\":{\"vt_tray\":{\"id\":\"7\",\"tray_type\":\"PETG\"},\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "vt_tray.id", "ams.external" },
};

/* Values out of range -------------------------------------------------------*/

static const ValueCase range_cases[] = {
  { "/bad-input/range/nozzle-10000",
    "{\"print\":{\"nozzle_temper\":10000,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/range/nozzle-target-10000",
    "{\"print\":{\"nozzle_target_temper\":10000,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_target_temper", "temperatures.nozzle" },
  { "/bad-input/range/bed-minus-300",
    "{\"print\":{\"bed_temper\":-300,\"nozzle_temper\":30}}",
    "{\"print\":{\"nozzle_temper\":30}}", "bed_temper", "temperatures.bed" },
  { "/bad-input/range/percent-250",
    "{\"print\":{\"mc_percent\":250,\"layer_num\":7}}",
    "{\"print\":{\"layer_num\":7}}", "mc_percent", "job.progress" },
  { "/bad-input/range/percent-minus-5",
    "{\"print\":{\"mc_percent\":-5,\"layer_num\":7}}",
    "{\"print\":{\"layer_num\":7}}", "mc_percent", "job.progress" },
  { "/bad-input/range/chamber-5000",
    "{\"print\":{\"chamber_temper\":5000,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "chamber_temper", "temperatures.chamber" },
  /* (200 << 16) | 30: current 30 °C, but a 200 °C target */
  { "/bad-input/range/chamber-packed-target",
    "{\"print\":{\"chamber_temper\":13107230,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "chamber_temper", "temperatures.chamber" },
  { "/bad-input/range/ctc-packed-target",
    "{\"print\":{\"device\":{\"ctc\":{\"info\":{\"temp\":13107230}}},\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "print.device.ctc.info.temp", "temperatures.chamber" },
  { "/bad-input/range/chamber-target-999",
    "{\"print\":{\"mc_target_cham\":999,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "mc_target_cham", "temperatures.chamber" },
  { "/bad-input/range/remain-150",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"remain\":150,\"tray_color\":\"FF0000FF\"}]}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_color\":\"FF0000FF\"}]}]}}}",
    "remain", "ams.units[0].trays[0].remaining_percent" },
  { "/bad-input/range/humidity-9",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":9,\"temp\":22.7}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"temp\":22.7}]}}}", "humidity", "ams.units[0].humidity_level" },
  { "/bad-input/range/humidity-raw-300",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity_raw\":300,\"temp\":22.7}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"temp\":22.7}]}}}", "humidity_raw", "ams.units[0].humidity_percent" },
  { "/bad-input/range/ams-temp-500",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"temp\":500,\"humidity_raw\":33}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity_raw\":33}]}}}", "temp", "ams.units[0].temperature" },
  { "/bad-input/range/dry-time-negative",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"2\",\"dry_time\":-5,\"humidity_raw\":33}]}}}",
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"2\",\"humidity_raw\":33}]}}}", "dry_time", "ams.units[2].drying" },
  { "/bad-input/range/wifi-plus-20",
    "{\"print\":{\"wifi_signal\":\"+20dBm\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "wifi_signal", "wifi_dbm" },
  { "/bad-input/range/wifi-minus-200",
    "{\"print\":{\"wifi_signal\":-200,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "wifi_signal", "wifi_dbm" },
  { "/bad-input/range/layer-minus-1",
    "{\"print\":{\"layer_num\":-1,\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "layer_num", "job.layer" },
  { "/bad-input/range/nozzle-1e308",
    "{\"print\":{\"nozzle_temper\":1e308,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/range/bed-minus-1e308",
    "{\"print\":{\"bed_temper\":-1e308,\"nozzle_temper\":30}}",
    "{\"print\":{\"nozzle_temper\":30}}", "bed_temper", "temperatures.bed" },
  { "/bad-input/range/nozzle-1e400",
    "{\"print\":{\"nozzle_temper\":1e400,\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/range/nozzle-string-1e308",
    "{\"print\":{\"nozzle_temper\":\"1e308\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/range/nozzle-string-inf",
    "{\"print\":{\"nozzle_temper\":\"inf\",\"bed_temper\":55}}",
    "{\"print\":{\"bed_temper\":55}}", "nozzle_temper", "temperatures.nozzle" },
  { "/bad-input/range/remaining-1e308",
    "{\"print\":{\"mc_remaining_time\":1e308,\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "mc_remaining_time", "job.remaining_minutes" },
  { "/bad-input/range/total-layers-minus-1e308",
    "{\"print\":{\"total_layer_num\":-1e308,\"mc_percent\":42}}",
    "{\"print\":{\"mc_percent\":42}}", "total_layer_num", "job.total_layers" },
  { "/bad-input/range/hms-code-over-32-bits",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":4295098369},{\"attr\":50331904,\"code\":131074}]}}",
    "{\"print\":{\"hms\":[{\"attr\":50331904,\"code\":131074}]}}", "hms", NULL },
};

/* Sizes, counts and depth ---------------------------------------------------*/

static char *
build_hms (guint n)
{
  GString *s = g_string_new ("{\"print\":{\"hms\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"attr\":50331904,\"code\":%u}", i > 0 ? "," : "", 0x20001 + i);
  g_string_append (s, "]}}");

  return g_string_free (s, FALSE);
}

static void
test_limits_hms_64 (void)
{
  g_autofree char      *data = build_hms (PD_MAX_HMS);
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  g_assert_cmpuint (pd_test_doc_length (merged, "hms.errors"), ==, PD_MAX_HMS);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_limits_hms_65 (void)
{
  g_autofree char *data = build_hms (PD_MAX_HMS + 1);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

/* 100000 entries, small enough (200 KB) not to be rejected for its size */
static void
test_limits_hms_100000 (void)
{
  GString         *s = g_string_new ("{\"print\":{\"hms\":[");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append (s, i > 0 ? ",0" : "0");
  g_string_append (s, "]}}");
  g_assert_cmpuint (s->len, <=, PD_REPORT_MAX_SIZE);
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

static char *
build_units (guint first_id,
             guint n)
{
  GString *s = g_string_new ("{\"print\":{\"ams\":{\"ams\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"id\":\"%u\",\"humidity\":\"3\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"PLA\"}]}",
                            i > 0 ? "," : "", first_id + i);
  g_string_append (s, "]}}}");

  return g_string_free (s, FALSE);
}

static void
test_limits_ams_16_units (void)
{
  g_autofree char      *data = build_units (0, PD_MAX_AMS_UNITS);
  g_autoptr (PdState)   start = pd_state_new (X1C_SERIAL);
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  g_assert_cmpuint (pd_test_doc_length (merged, "ams.units"), ==, PD_MAX_AMS_UNITS);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_limits_ams_17_units (void)
{
  g_autofree char *data = build_units (0, PD_MAX_AMS_UNITS + 1);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

/* 13 new units next to the X1C's 4: 17 in all, one more than there is room for */
static void
test_limits_ams_17_units_in_all (void)
{
  g_autofree char *data = build_units (3, 13);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

static char *
build_trays (guint n)
{
  GString *s = g_string_new ("{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s{\"id\":\"%u\",\"tray_type\":\"PETG\"}", i > 0 ? "," : "", i);
  g_string_append (s, "]}]}}}");

  return g_string_free (s, FALSE);
}

static void
test_limits_trays_8 (void)
{
  g_autofree char      *data = build_trays (PD_MAX_TRAYS);
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  g_assert_cmpuint (pd_test_doc_length (merged, "ams.units[0].trays"), ==, PD_MAX_TRAYS);
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_limits_trays_9 (void)
{
  g_autofree char *data = build_trays (PD_MAX_TRAYS + 1);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

static void
test_limits_vir_slot_9 (void)
{
  GString         *s = g_string_new ("{\"print\":{\"vir_slot\":[");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 9; i++)
    g_string_append_printf (s, "%s{\"id\":\"%u\",\"tray_type\":\"PLA\"}", i > 0 ? "," : "", 254 + i % 2);
  g_string_append (s, "]}}");
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

static void
test_limits_extruders_9 (void)
{
  GString         *s = g_string_new ("{\"print\":{\"device\":{\"extruder\":{\"state\":2,\"info\":[");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 9; i++)
    g_string_append_printf (s, "%s{\"id\":%u,\"temp\":30}", i > 0 ? "," : "", i);
  g_string_append (s, "]}}}}");
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

static void
test_limits_lights_65 (void)
{
  GString         *s = g_string_new ("{\"print\":{\"lights_report\":[");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 65; i++)
    g_string_append_printf (s, "%s{\"node\":\"chamber_light\",\"mode\":\"off\"}", i > 0 ? "," : "");
  g_string_append (s, "]}}");
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_MALFORMED);
}

/* A report padded with spaces to exactly @size bytes, with a long name. */
static char *
build_sized (gsize size)
{
  static const char head[] = "{\"print\":{\"mc_percent\":42,\"subtask_name\":\"";
  static const char tail[] = "\"}}";
  GString          *s = g_string_new (head);

  while (s->len < size - (sizeof tail - 1))
    g_string_append_c (s, 'a');
  g_string_append (s, tail);
  g_assert_cmpuint (s->len, ==, size);

  return g_string_free (s, FALSE);
}

static void
test_limits_max_size (void)
{
  g_autofree char      *data = build_sized (PD_REPORT_MAX_SIZE);
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_cmpuint (strlen (pd_test_doc_string (merged, "job.name")), ==, MAX_STRING_BYTES);
}

static void
test_limits_max_size_plus_1 (void)
{
  g_autofree char *data = build_sized (PD_REPORT_MAX_SIZE + 1);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_LARGE);
}

/* Trailing NULs do not count. */
static void
test_limits_max_size_trailing_nuls (void)
{
  g_autofree char      *data = build_sized (PD_REPORT_MAX_SIZE);
  g_autofree char      *padded = g_malloc0 (PD_REPORT_MAX_SIZE + 16);
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;

  memcpy (padded, data, PD_REPORT_MAX_SIZE);
  merged = merge_ok (start, padded, PD_REPORT_MAX_SIZE + 16, warnings);
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
}

static void
test_limits_too_large_1mib (void)
{
  GString         *s = g_string_new ("{\"print\":{\"subtask_name\":\"");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 1024 * 1024; i++)
    g_string_append_c (s, 'x');
  g_string_append (s, "\"}}");
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_LARGE);
}

/* {"print":{"x": + @n_lists [ + ]s + }}: nested @n_lists + 2 deep */
static char *
build_nested (guint n_lists)
{
  GString *s = g_string_new ("{\"print\":{\"mc_percent\":42,\"x\":");

  for (guint i = 0; i < n_lists; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < n_lists; i++)
    g_string_append_c (s, ']');
  g_string_append (s, "}}");

  return g_string_free (s, FALSE);
}

static void
test_limits_depth_32 (void)
{
  g_autofree char      *data = build_nested (PD_REPORT_MAX_DEPTH - 2);
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
}

static void
test_limits_depth_33 (void)
{
  g_autofree char *data = build_nested (PD_REPORT_MAX_DEPTH - 1);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_DEEP);
}

static void
test_limits_too_deep_open (void)
{
  g_autofree char *data = g_malloc (100000 + 1);

  memset (data, '[', 100000);
  data[100000] = '\0';

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_DEEP);
}

static void
test_limits_too_deep_balanced (void)
{
  g_autofree char *data = build_nested (100000);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_DEEP);
}

static void
test_limits_too_deep_objects (void)
{
  GString         *s = g_string_new (NULL);
  g_autofree char *data = NULL;

  for (guint i = 0; i < 40000; i++)
    g_string_append (s, "{\"a\":");
  g_string_append (s, "1");
  for (guint i = 0; i < 40000; i++)
    g_string_append_c (s, '}');
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_DEEP);
}

/* Brackets inside a string are text, not depth. */
static void
test_limits_depth_inside_string (void)
{
  GString              *name = g_string_new (NULL);
  g_autofree char      *data = NULL;
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append (name, "[{");
  data = g_strdup_printf ("{\"print\":{\"subtask_name\":\"%s\",\"mc_percent\":42}}", name->str);

  merged = merge_ok (start, data, -1, warnings);
  g_assert_cmpstr (pd_test_doc_string (merged, "job.name"), ==, name->str);
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_cmpuint (warnings->len, ==, 0);

  g_string_free (name, TRUE);
}

/* An escaped quote does not end the string the brackets are in… */
static void
test_limits_depth_escaped_quote (void)
{
  GString              *s = g_string_new ("{\"print\":{\"subtask_name\":\"\\\"");
  g_autofree char      *data = NULL;
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;
  const char           *name;

  for (guint i = 0; i < 40; i++)
    g_string_append_c (s, '[');
  g_string_append (s, "\"}}");
  data = g_string_free (s, FALSE);

  merged = merge_ok (start, data, -1, warnings);
  name = pd_test_doc_string (merged, "job.name");
  g_assert_cmpuint (strlen (name), ==, 41);
  g_assert_true (name[0] == '"' && name[1] == '[' && name[40] == '[');
}

/* …and an escaped backslash before a quote does not keep it open. */
static void
test_limits_depth_escaped_backslash (void)
{
  GString         *s = g_string_new ("{\"print\":{\"subtask_name\":\"a\\\\\",\"x\":");
  g_autofree char *data = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < 40; i++)
    g_string_append_c (s, ']');
  g_string_append (s, "}}");
  data = g_string_free (s, FALSE);

  assert_rejected (data, -1, PD_REPORT_ERROR_TOO_DEEP);
}

/* Invalid UTF-8 -------------------------------------------------------------*/

static void
test_utf8_invalid_bytes (void)
{
  static const char     data[] = "{\"print\":{\"subtask_name\":\"ab\xC3\x28"
                                 "cd\xFF\",\"mc_percent\":42}}";
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);
  const char           *name = pd_test_doc_string (merged, "job.name");

  log_warnings (warnings);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_cmpstr (name, ==, "ab" REPLACEMENT_CHAR "(cd" REPLACEMENT_CHAR);
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_true (warnings_mention (warnings, "UTF-8"));
}

static void
test_utf8_invalid_key (void)
{
  static const char     data[] = "{\"print\":{\"sub\xFFtask_name\":\"x\",\"noz\xC3zle_temper\":1,\"mc_percent\":42}}";
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);

  log_warnings (warnings);
  g_assert_true (warnings_mention (warnings, "UTF-8"));
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_cmpstr (pd_test_doc_string (merged, "job.name"), ==, "Garden Hose Healer: Male fitting");
  g_assert_cmpfloat (pd_test_doc_double (merged, "temperatures.nozzle.current"), ==, 26.0);
}

/* Overlong forms of '/', '/', NUL and '"': none may come out as the ASCII
 * character (the '"' would end the string early).
 */
static void
test_utf8_overlong (void)
{
  static const char data[] =
    "{\"print\":{\"subtask_name\":\"a\xC0\xAF"
    "b\xE0\x80\xAF"
    "c\xC0\x80"
    "d\xC0\xA2"
    "e\xF0\x80\x80\xAF\",\"mc_percent\":42}}";
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);
  const char           *name = pd_test_doc_string (merged, "job.name");

  log_warnings (warnings);
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_true (g_str_has_prefix (name, "a" REPLACEMENT_CHAR));
  g_assert_null (strchr (name, '/'));
  g_assert_null (strchr (name, '"'));
  g_assert_nonnull (strchr (name, 'e'));
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_true (warnings_mention (warnings, "UTF-8"));
}

/* A UTF-16 surrogate encoded as if it were a character (CESU-8). */
static void
test_utf8_surrogate_bytes (void)
{
  static const char     data[] = "{\"print\":{\"subtask_name\":\"x\xED\xA0\x80y\"}}";
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);
  const char           *name = pd_test_doc_string (merged, "job.name");

  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_true (g_str_has_prefix (name, "x" REPLACEMENT_CHAR));
  g_assert_true (g_str_has_suffix (name, REPLACEMENT_CHAR "y"));
  g_assert_true (warnings_mention (warnings, "UTF-8"));
}

static void
test_utf8_tray (void)
{
  static const char data[] =
    "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"PL\xFE\","
    "\"tray_sub_brands\":\"\xC3\",\"remain\":50}]}]}}}";
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = merge_ok (start, data, -1, warnings);
  g_autofree char      *doc = pd_state_to_string (merged, FALSE);

  g_assert_cmpstr (pd_test_doc_string (merged, "ams.units[0].trays[0].material"), ==, "PL" REPLACEMENT_CHAR);
  g_assert_cmpstr (pd_test_doc_string (merged, "ams.units[0].trays[0].name"), ==, REPLACEMENT_CHAR);
  g_assert_cmpint (pd_test_doc_int (merged, "ams.units[0].trays[0].remaining_percent"), ==, 50);
  g_assert_true (g_utf8_validate (doc, -1, NULL));
}

/* Very long strings ---------------------------------------------------------*/

/* A report naming the job @prefix + @unit × @count, which must be cut to at
 * most 512 bytes, on a character boundary, without losing more than one
 * character's worth.
 */
static void
assert_name_truncated (const char *prefix,
                       const char *unit,
                       guint       count)
{
  GString              *name = g_string_new (prefix);
  g_autofree char      *data = NULL;
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;
  const char           *kept;
  gsize                 len;

  for (guint i = 0; i < count; i++)
    g_string_append (name, unit);
  g_assert_cmpuint (name->len, >, MAX_STRING_BYTES);
  data = g_strdup_printf ("{\"print\":{\"subtask_name\":\"%s\",\"mc_percent\":42}}", name->str);
  g_assert_cmpuint (strlen (data), <, PD_REPORT_MAX_SIZE);

  merged = merge_ok (start, data, -1, warnings);
  kept = pd_test_doc_string (merged, "job.name");
  len = strlen (kept);

  g_assert_true (g_utf8_validate (kept, -1, NULL));
  g_assert_cmpuint (len, <=, MAX_STRING_BYTES);
  g_assert_cmpuint (len, >, MAX_STRING_BYTES - strlen (unit));
  g_assert_true (is_prefix_of (kept, name->str));
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);

  g_string_free (name, TRUE);
}

static void
test_long_ascii (void)
{
  assert_name_truncated ("", "x", 10000);
}

static void
test_long_two_byte (void)
{
  /* 512 is a character boundary: 256 × é */
  assert_name_truncated ("", "é", 10000);
}

static void
test_long_two_byte_odd (void)
{
  /* byte 512 is the middle of an é: 511 bytes */
  assert_name_truncated ("a", "é", 10000);
}

static void
test_long_three_byte (void)
{
  assert_name_truncated ("", "€", 5000);
}

static void
test_long_four_byte (void)
{
  assert_name_truncated ("ab", "\xF0\x9F\x98\x80", 3000); /* U+1F600 */
}

static void
test_long_tray_type (void)
{
  GString              *s = g_string_new ("{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"");
  g_autofree char      *data = NULL;
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;
  const char           *material;

  for (guint i = 0; i < 10000; i++)
    g_string_append (s, "ü");
  g_string_append (s, "\"}]}]}}}");
  data = g_string_free (s, FALSE);

  merged = merge_ok (start, data, -1, warnings);
  material = pd_test_doc_string (merged, "ams.units[0].trays[0].material");
  g_assert_true (g_utf8_validate (material, -1, NULL));
  g_assert_cmpuint (strlen (material), ==, MAX_STRING_BYTES);
}

static void
test_long_unknown_gcode_state (void)
{
  GString              *s = g_string_new ("{\"print\":{\"mc_percent\":42,\"gcode_state\":\"");
  g_autofree char      *data = NULL;
  g_autoptr (PdState)   start = x1c_state ();
  g_autoptr (GPtrArray) warnings = warnings_new ();
  g_autoptr (PdState)   merged = NULL;

  g_string_append (s, "a");
  for (guint i = 0; i < 10000; i++)
    g_string_append (s, "ж");
  g_string_append (s, "\"}}");
  data = g_string_free (s, FALSE);

  merged = merge_ok (start, data, -1, warnings);
  g_assert_cmpstr (pd_test_doc_string (merged, "status"), ==, pd_test_doc_string (start, "status"));
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_true (warnings_mention (warnings, "gcode_state"));
  for (guint i = 0; i < warnings->len; i++)
    {
      const char *w = g_ptr_array_index (warnings, i);

      g_assert_true (g_utf8_validate (w, -1, NULL));
      g_assert_cmpuint (strlen (w), <, 2 * MAX_STRING_BYTES);
    }
}

/* Sequences -----------------------------------------------------------------*/

/* Each of these is rejected, or accepted with every value in it ignored. */
static const char *const bad_reports[] = {
  "",
  "   ",
  "{\"print\":",
  "]",
  "{\"foo\":1}",
  "[1,2,3]",
  "null",
  "{\"print\":5}",
  "{\"print\":[]}",
  /* rejected whole, so the good values in them must not apply either */
  "{\"print\":{\"nozzle_temper\":300,\"hms\":{}}}",
  "{\"print\":{\"mc_percent\":7,\"ams\":[]}}",
  "{\"print\":{\"bed_temper\":90,\"ams\":{\"ams\":{}}}}",
  "{\"print\":{\"wifi_signal\":-30,\"vir_slot\":{}}}",
  "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"evil\",\"hms\":\"x\"}}",
  "{\"print\":{\"subtask_name\":\"evil\",\"device\":\"x\"}}",
  "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"1\",\"tray\":{}}]}}}",
  "{\"info\":{\"command\":\"get_version\",\"module\":[{\"name\":\"ota\",\"sw_ver\":\"6.6.6\"}]},\"print\":[]}",
  /* accepted, with nothing readable in them */
  "{\"print\":{\"nozzle_temper\":\"hot\"}}",
  "{\"print\":{\"bed_temper\":-300,\"bed_target_temper\":[]}}",
  "{\"print\":{\"mc_percent\":250,\"layer_num\":-1}}",
  "{\"print\":{\"chamber_temper\":5000,\"mc_target_cham\":\"x\"}}",
  "{\"print\":{\"wifi_signal\":\"+20dBm\"}}",
  "{\"print\":{\"gcode_state\":\"EXPLODED\"}}",
  "{\"print\":{\"subtask_name\":{},\"gcode_file\":[]}}",
  "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"x\",\"humidity\":1},{\"humidity\":2},{\"id\":999},7]}}}",
  ("{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":9,\"humidity_raw\":300,\"temp\":\"warm\","
   "\"tray\":[{\"id\":99,\"tray_type\":\"PETG\"},5]}],\"tray_now\":\"x\",\"tray_exist_bits\":\"zz\"}}}"),
  "{\"print\":{\"mc_remaining_time\":1e308,\"nozzle_target_temper\":-1e308}}",
  "{\"print\":{\"print_error\":\"broken\",\"stg_cur\":\"x\",\"home_flag\":\"x\",\"stat\":[]}}",
  "{\"print\":{\"device\":{\"ctc\":{\"info\":{\"temp\":13107230}}}}}",
  "{\"print\":{\"x\xFF\":1}}",
  "{\"system\":{\"command\":\"noise\"}}",
};

static const char good_delta[] =
  "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"Next job\",\"mc_percent\":5,"
  "\"layer_num\":2,\"total_layer_num\":120,\"mc_remaining_time\":63,\"nozzle_temper\":219.5,"
  "\"nozzle_target_temper\":220,\"bed_temper\":54,\"bed_target_temper\":55,"
  "\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"3\",\"temp\":\"27.5\"}],\"tray_now\":\"2\"}}}";

static void
test_sequence_state (void)
{
  g_autoptr (PdState) empty = pd_state_new (X1C_SERIAL);
  g_autoptr (PdState) full = pd_test_merge_fixture (empty, X1C_FIXTURE);
  g_autoptr (PdState) expected = pd_test_merge_text (full, good_delta);
  g_autoptr (PdState) state = pd_state_ref (full);
  g_autoptr (PdState) final = NULL;
  g_autofree char    *full_doc = pd_state_to_string (full, FALSE);
  g_autofree char    *expected_doc = NULL;
  g_autofree char    *final_doc = NULL;
  guint               n_rejected = 0, n_accepted = 0;

  for (guint i = 0; i < 50; i++)
    {
      const char           *data = bad_reports[i % G_N_ELEMENTS (bad_reports)];
      g_autoptr (GPtrArray) warnings = warnings_new ();
      g_autoptr (JsonNode)  report = NULL;
      g_autoptr (PdState)   merged = NULL;
      g_autoptr (GError)    error = NULL;
      g_autofree char      *doc = NULL;

      report = pd_report_parse (data, -1, warnings, &error);
      if (report != NULL)
        merged = pd_report_merge (state, report, NOW + i, warnings, &error);

      if (merged == NULL)
        {
          assert_report_error (error);
          n_rejected++;
          continue;
        }

      /* accepted: it said something unreadable, and nothing else */
      g_assert_no_error (error);
      if (g_str_has_prefix (data, "{\"print\""))
        {
          if (warnings->len == 0)
            g_error ("no warning for %s", data);
        }
      doc = pd_state_to_string (merged, FALSE);
      g_assert_cmpstr (doc, ==, full_doc);
      g_clear_pointer (&state, pd_state_unref);
      state = g_steal_pointer (&merged);
      n_accepted++;
    }
  g_test_message ("%u bad reports rejected, %u accepted with warnings", n_rejected, n_accepted);
  g_assert_cmpuint (n_rejected, >, 0);
  g_assert_cmpuint (n_accepted, >, 0);

  final = pd_test_merge_text (state, good_delta);
  expected_doc = pd_state_to_string (expected, TRUE);
  final_doc = pd_state_to_string (final, TRUE);
  g_assert_cmpstr (final_doc, ==, expected_doc);
  g_assert_cmpint (final->tray_now, ==, expected->tray_now);
}

static void
test_sequence_printer (void)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (X1C_SERIAL);
  g_autoptr (PdPrinter) reference = pd_printer_new (X1C_SERIAL);
  g_autofree char      *expected_doc = NULL;
  g_autofree char      *final_doc = NULL;

  pd_test_apply_fixture (reference, X1C_FIXTURE);
  pd_test_apply_text (reference, good_delta);

  pd_test_apply_fixture (printer, X1C_FIXTURE);
  for (guint i = 0; i < 50; i++)
    {
      const char          *data = bad_reports[(i * 7) % G_N_ELEMENTS (bad_reports)];
      g_autoptr (JsonNode) report = NULL;
      g_autoptr (GError)   error = NULL;

      report = pd_report_parse (data, -1, NULL, &error);
      if (report != NULL)
        pd_printer_apply_report (printer, report, NOW + i, NULL, NULL, &error);
    }
  pd_test_apply_text (printer, good_delta);

  expected_doc = pd_state_to_string (pd_printer_get_state (reference), TRUE);
  final_doc = pd_state_to_string (pd_printer_get_state (printer), TRUE);
  g_assert_cmpstr (final_doc, ==, expected_doc);
  g_assert_cmpfloat (pd_temperature_get_current (pd_printer_get_nozzle (printer)), ==, 219.5);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_PRINTING);
}

/* Fuzzing -------------------------------------------------------------------*/

#define FUZZ_ITERATIONS 300
#define FUZZ_MAX_SIZE   (64 * 1024)

static const char *
serial_for_fixture (const char *name)
{
  static const struct
  {
    const char *prefix;
    const char *serial;
  } serials[] = {
    { "X1C_", "00M09A350100123" },
    { "X1_", "00W00A000000001" },
    { "H2D_", "0948AD000000001" },
    { "A1_", "03919A000000001" },
    { "P1P_", "01S00A000000001" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (serials); i++)
    if (g_str_has_prefix (name, serials[i].prefix))
      return serials[i].serial;

  return "UNKNOWN0000001";
}

static void
mutate (GRand      *rng,
        GByteArray *buf)
{
  guint n_ops = g_rand_int_range (rng, 0, 4) == 0 ? (guint) g_rand_int_range (rng, 2, 5) : 1;

  for (guint op = 0; op < n_ops && buf->len > 0; op++)
    {
      guint len = buf->len;

      switch (g_rand_int_range (rng, 0, 5))
        {
        case 0: /* flip random bytes */
          for (int k = g_rand_int_range (rng, 1, 4); k > 0; k--)
            {
              guint pos = (guint) g_rand_int_range (rng, 0, (gint32) len);

              if (g_rand_boolean (rng))
                buf->data[pos] ^= (guint8) (1u << g_rand_int_range (rng, 0, 8));
              else
                buf->data[pos] = (guint8) g_rand_int_range (rng, 0, 256);
            }
          break;

        case 1: /* truncate */
          g_byte_array_set_size (buf, (guint) g_rand_int_range (rng, 0, (gint32) len));
          break;

        case 2: /* duplicate a slice somewhere */
          {
            guint              start = (guint) g_rand_int_range (rng, 0, (gint32) len);
            guint              n = (guint) g_rand_int_range (rng, 1, (gint32) MIN (len - start, 512u) + 1);
            guint              at = (guint) g_rand_int_range (rng, 0, (gint32) len + 1);
            g_autofree guint8 *slice = g_memdup2 (buf->data + start, n);

            if (len + n <= FUZZ_MAX_SIZE)
              {
                g_byte_array_set_size (buf, len + n);
                memmove (buf->data + at + n, buf->data + at, len - at);
                memcpy (buf->data + at, slice, n);
              }
          }
          break;

        case 3: /* digits → letters */
          {
            guint pos = (guint) g_rand_int_range (rng, 0, (gint32) len);
            int   n = g_rand_int_range (rng, 1, 24);

            for (; pos < len && n > 0; pos++)
              {
                if (g_ascii_isdigit (buf->data[pos]))
                  {
                    buf->data[pos] = (guint8) ('a' + (buf->data[pos] - '0'));
                    n--;
                  }
              }
          }
          break;

        case 4: /* a stray structural character */
          {
            static const char structural[] = "{}[]\",:'\\/ 0-e.";
            guint             pos = (guint) g_rand_int_range (rng, 0, (gint32) len);

            buf->data[pos] = (guint8) structural[g_rand_int_range (rng, 0, (gint32) sizeof structural - 1)];
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/* Values of the wrong kind, size or range, to put where others were. */
static JsonNode *
weird_value (GRand *rng)
{
  static const char *const values[] = {
    "\"x\"",
    "\"\"",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "4294967296",
    "99999",
    "-52.5",
    "true",
    "false",
    "null",
    "{}",
    "[]",
    "[1,2,3]",
    "{\"id\":\"x\"}",
    "[{\"id\":\"0\"}]",
    "\"0x\"",
    "\"-52dBm\"",
    "\"ff\"",
    "\"\\u00e9\\u20ac\"",
    "\"\\ud83d\\ude00\"",
  };
  guint            i = (guint) g_rand_int_range (rng, 0, G_N_ELEMENTS (values) + 1);
  g_autofree char *text = NULL;
  JsonNode        *node;

  if (i < G_N_ELEMENTS (values))
    {
      node = json_from_string (values[i], NULL);
      g_assert_nonnull (node);
      return node;
    }

  text = g_strnfill (700, 'z');
  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (node, text);
  return node;
}

/* Keeps the JSON valid but puts odd values in it, drops members and items,
 * and adds items to lists.
 */
static void
mutate_tree (GRand    *rng,
             JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject       *obj = json_node_get_object (node);
      g_autoptr (GList) members = json_object_get_members (obj);

      for (const GList *l = members; l != NULL; l = l->next)
        {
          int roll = g_rand_int_range (rng, 0, 100);

          /* (the key in l->data dies with the member it names) */
          if (roll < 2)
            json_object_remove_member (obj, l->data);
          else if (roll < 6)
            json_object_set_member (obj, l->data, weird_value (rng));
          else
            mutate_tree (rng, json_object_get_member (obj, l->data));
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          int roll = g_rand_int_range (rng, 0, 100);

          if (roll < 3)
            json_array_remove_element (array, i--);
          else if (roll < 6 && json_array_get_length (array) < 80)
            json_array_add_element (array, weird_value (rng));
          else
            mutate_tree (rng, json_array_get_element (array, i));
        }
    }
}

static char *
mutate_text (GRand      *rng,
             const char *text)
{
  g_autoptr (JsonNode) root = json_from_string (text, NULL);

  g_assert_nonnull (root);
  mutate_tree (rng, root);

  return json_to_string (root, FALSE);
}

/* The state document must be valid UTF-8 and valid JSON. */
static void
assert_doc_valid (PdState *state)
{
  g_autofree char       *doc = pd_state_to_string (state, FALSE);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  g_assert_true (g_utf8_validate (doc, -1, NULL));
  json_parser_load_from_data (parser, doc, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
}

static void
fuzz_fixture (const char *name,
              guint32     seed,
              guint      *n_rejected,
              guint      *n_accepted)
{
  g_autofree char    *path = g_build_filename ("reports", name, NULL);
  gsize               length;
  g_autofree char    *text = pd_test_load_fixture (path, &length);
  g_autoptr (PdState) empty = pd_state_new (serial_for_fixture (name));
  g_autoptr (PdState) base = pd_test_merge_text (empty, text);
  g_autofree char    *base_doc = pd_state_to_string (base, FALSE);
  g_autoptr (PdState) rolling = pd_state_ref (base);
  g_autoptr (GRand)   rng = g_rand_new_with_seed (seed);

  for (guint iter = 0; iter < FUZZ_ITERATIONS; iter++)
    {
      g_autoptr (GByteArray) buf = g_byte_array_sized_new ((guint) length + 1024);
      g_autoptr (GPtrArray)  warnings = warnings_new ();
      g_autoptr (JsonNode)   report = NULL;
      g_autoptr (PdState)    merged = NULL;
      g_autoptr (PdState)    rolled = NULL;
      g_autoptr (GError)     error = NULL;
      g_autoptr (GError)     rolling_error = NULL;
      g_autofree char       *base_after = NULL;

      /* every other mutant is still JSON, so that the merger sees more */
      if (iter % 2 == 0)
        {
          g_byte_array_append (buf, (const guint8 *) text, (guint) length);
          mutate (rng, buf);
        }
      else
        {
          g_autofree char *mutant = mutate_text (rng, text);

          g_byte_array_append (buf, (const guint8 *) mutant, (guint) strlen (mutant));
        }

      report = pd_report_parse ((const char *) buf->data, buf->len, warnings, &error);
      if (report == NULL)
        {
          assert_report_error (error);
          g_assert_cmpint (error->code, !=, PD_REPORT_ERROR_MALFORMED);
          (*n_rejected)++;
          continue;
        }
      g_assert_no_error (error);

      merged = pd_report_merge (base, report, NOW + iter, warnings, &error);
      base_after = fresh_doc (base);
      g_assert_cmpstr (base_after, ==, base_doc);
      if (merged == NULL)
        {
          assert_report_error (error);
          g_assert_cmpint (error->code, >=, PD_REPORT_ERROR_NOT_A_REPORT);
          (*n_rejected)++;
        }
      else
        {
          assert_doc_valid (merged);
          (*n_accepted)++;
        }
      for (guint i = 0; i < warnings->len; i++)
        g_assert_true (g_utf8_validate (g_ptr_array_index (warnings, i), -1, NULL));

      /* the same mutant on top of everything accepted so far */
      rolled = pd_report_merge (rolling, report, NOW + iter, NULL, &rolling_error);
      if (rolled != NULL)
        {
          assert_doc_valid (rolled);
          g_clear_pointer (&rolling, pd_state_unref);
          rolling = g_steal_pointer (&rolled);
        }
      else
        assert_report_error (rolling_error);
    }

  assert_doc_valid (rolling);
}

static void
test_fuzz_reports (void)
{
  g_autofree char      *dir_path = pd_test_fixture_path ("reports");
  g_autoptr (GDir)      dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError)    error = NULL;
  g_autoptr (GTimer)    timer = g_timer_new ();
  const char           *name;
  guint                 n_rejected = 0, n_accepted = 0;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, 0);

  for (guint i = 0; i < names->len; i++)
    fuzz_fixture (g_ptr_array_index (names, i), 0x5EED0000u + i, &n_rejected, &n_accepted);

  g_test_message ("%u fixtures × %d mutants: %u rejected, %u accepted, in %.2f s",
                  names->len, FUZZ_ITERATIONS, n_rejected, n_accepted,
                  g_timer_elapsed (timer, NULL));
  g_assert_cmpuint (n_rejected, >, 0);
  g_assert_cmpuint (n_accepted, >, 0);
}

/* Regressions ---------------------------------------------------------------*/

/* json-glib 1.6 also accepts single-quoted strings: a '"' inside '…' once
 * made the depth check take all that followed for a string, so the nesting
 * below was never counted and json-glib's recursive parser overflowed the
 * stack (SIGSEGV). Single quotes are not JSON and are refused.
 */
static void
test_regression_depth_single_quote (void)
{
  GString             *s;
  g_autofree char     *data = NULL;
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) report = NULL;

  if (!in_child_process ())
    return;

  s = g_string_new ("['\"',");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, ']');
  g_assert_cmpuint (s->len, <=, PD_REPORT_MAX_SIZE);
  data = g_string_free (s, FALSE);

  report = pd_report_parse (data, -1, NULL, &error);
  g_assert_null (report);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PD_REPORT_ERROR, PD_REPORT_ERROR_TOO_DEEP) ||
                 g_error_matches (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON));
}

/* The same with a '"' in a comment, which json-glib 1.6 skips: refused. */
static void
test_regression_depth_comment (void)
{
  GString             *s;
  g_autofree char     *data = NULL;
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) report = NULL;

  if (!in_child_process ())
    return;

  s = g_string_new ("[/* \" */");
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, ']');
  data = g_string_free (s, FALSE);

  report = pd_report_parse (data, -1, NULL, &error);
  g_assert_null (report);
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PD_REPORT_ERROR, PD_REPORT_ERROR_TOO_DEEP) ||
                 g_error_matches (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON));
}

/* A NUL byte inside the report is refused; it used to be "repaired" into
 * U+FFFD by the UTF-8 check that ran first.
 */
static void
test_regression_nul_in_string (void)
{
  static const char data[] = "{\"print\":{\"subtask_name\":\"a\0b\",\"mc_percent\":42}}";

  if (!in_child_process ())
    return;

  assert_rejected (data, sizeof data - 1, PD_REPORT_ERROR_INVALID_JSON);
}

/* json-glib 1.6 reads two concatenated objects and keeps the first, so
 * the second report would be silently lost: refused.
 */
static void
test_regression_concatenated_documents (void)
{
  if (!in_child_process ())
    return;

  assert_rejected ("{\"print\":{\"nozzle_temper\":20}}{\"print\":{\"nozzle_temper\":30}}", -1,
                   PD_REPORT_ERROR_INVALID_JSON);
}

/* json-glib 1.6 turns a lone surrogate escape ("\ud800x") into the invalid
 * UTF-8 bytes ED A0 80 (and swallows the next character): the stored
 * string is made valid again, with a warning.
 */
static void
test_regression_surrogate_escape (void)
{
  g_autoptr (PdState)   start = NULL;
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (PdState)   merged = NULL;
  const char           *name;

  if (!in_child_process ())
    return;

  start = x1c_state ();
  warnings = warnings_new ();
  merged = merge_ok (start, "{\"print\":{\"subtask_name\":\"\\ud800x\",\"mc_percent\":42}}", -1, warnings);
  name = pd_test_doc_string (merged, "job.name");
  g_assert_true (g_utf8_validate (name, -1, NULL));
  g_assert_nonnull (strstr (name, "\xEF\xBF\xBD"));
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "subtask_name"));
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  assert_doc_valid (merged);
}

/* json-glib 1.6 reads integers beyond 64 bits without an error:
 * 99999999999999999999 becomes -1 and -99999999999999999999 becomes 1, which
 * are in range and would set the nozzle to -1 °C: the old values must stay
 * (with a warning) or the report be refused.
 */
static void
test_regression_integer_overflow (void)
{
  static const char data[] =
    "{\"print\":{\"nozzle_temper\":99999999999999999999,"
    "\"bed_temper\":-99999999999999999999,\"mc_percent\":42}}";
  g_autoptr (PdState)   start = NULL;
  g_autoptr (GPtrArray) warnings = NULL;
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (GError)    error = NULL;

  if (!in_child_process ())
    return;

  report = pd_report_parse (data, -1, NULL, &error);
  if (report == NULL)
    {
      assert_rejected (data, -1, PD_REPORT_ERROR_INVALID_JSON);
      return;
    }

  start = x1c_state ();
  warnings = warnings_new ();
  merged = merge_ok (start, data, -1, warnings);
  g_assert_cmpint (pd_test_doc_int (merged, "job.progress"), ==, 42);
  g_assert_cmpfloat (pd_test_doc_double (merged, "temperatures.nozzle.current"), ==, 26.0);
  g_assert_cmpfloat (pd_test_doc_double (merged, "temperatures.bed.current"), ==, 23.0);
  g_assert_true (warnings_mention (warnings, "nozzle_temper"));
  g_assert_true (warnings_mention (warnings, "bed_temper"));
}

/* data == NULL with length 0 is allowed and is an empty report: an error
 * is set (it once reached json-glib, which returned no GError, and a caller
 * printing error->message crashed).
 */
static void
test_regression_null_data (void)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) report = NULL;

  if (!in_child_process ())
    return;

  report = pd_report_parse (NULL, 0, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_INVALID_JSON);
}

/* A rejected report adds no warning, not even the "not valid UTF-8" one. */
static void
test_regression_rejected_parse_warns (void)
{
  static const char data[] = "{\"print\":{\"subtask_name\":\"\xFF\"";

  if (!in_child_process ())
    return;

  assert_rejected (data, -1, PD_REPORT_ERROR_INVALID_JSON);
}

/* Registration --------------------------------------------------------------*/

static void
add_reject_cases (const RejectCase *cases,
                  guint             n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_reject_case);
}

static void
add_value_cases (const ValueCase *cases,
                 guint            n_cases)
{
  for (guint i = 0; i < n_cases; i++)
    g_test_add_data_func (cases[i].path, &cases[i], test_value_case);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bad-input/json/truncated", test_json_truncated);
  add_reject_cases (json_cases, G_N_ELEMENTS (json_cases));
  g_test_add_func ("/bad-input/json/empty-length-0", test_json_empty_length_0);
  g_test_add_func ("/bad-input/json/nul-between-tokens", test_json_nul_between_tokens);
  g_test_add_func ("/bad-input/json/trailing-nul", test_json_trailing_nul);

  add_reject_cases (not_a_report_cases, G_N_ELEMENTS (not_a_report_cases));
  g_test_add_func ("/bad-input/not-a-report/invalid-utf8-family", test_not_a_report_invalid_utf8_family);

  add_reject_cases (malformed_cases, G_N_ELEMENTS (malformed_cases));
  g_test_add_func ("/bad-input/malformed/no-warnings", test_malformed_no_warnings);

  add_value_cases (accepted_cases, G_N_ELEMENTS (accepted_cases));
  g_test_add_func ("/bad-input/types/values", test_types_values);
  g_test_add_func ("/bad-input/types/tray-now", test_types_tray_now);

  add_value_cases (unreadable_cases, G_N_ELEMENTS (unreadable_cases));
  add_value_cases (range_cases, G_N_ELEMENTS (range_cases));

  g_test_add_func ("/bad-input/limits/hms-64", test_limits_hms_64);
  g_test_add_func ("/bad-input/limits/hms-65", test_limits_hms_65);
  g_test_add_func ("/bad-input/limits/hms-100000", test_limits_hms_100000);
  g_test_add_func ("/bad-input/limits/ams-16-units", test_limits_ams_16_units);
  g_test_add_func ("/bad-input/limits/ams-17-units", test_limits_ams_17_units);
  g_test_add_func ("/bad-input/limits/ams-17-units-in-all", test_limits_ams_17_units_in_all);
  g_test_add_func ("/bad-input/limits/trays-8", test_limits_trays_8);
  g_test_add_func ("/bad-input/limits/trays-9", test_limits_trays_9);
  g_test_add_func ("/bad-input/limits/vir-slot-9", test_limits_vir_slot_9);
  g_test_add_func ("/bad-input/limits/extruders-9", test_limits_extruders_9);
  g_test_add_func ("/bad-input/limits/lights-65", test_limits_lights_65);
  g_test_add_func ("/bad-input/limits/max-size", test_limits_max_size);
  g_test_add_func ("/bad-input/limits/max-size-plus-1", test_limits_max_size_plus_1);
  g_test_add_func ("/bad-input/limits/max-size-trailing-nuls", test_limits_max_size_trailing_nuls);
  g_test_add_func ("/bad-input/limits/too-large-1mib", test_limits_too_large_1mib);
  g_test_add_func ("/bad-input/limits/depth-32", test_limits_depth_32);
  g_test_add_func ("/bad-input/limits/depth-33", test_limits_depth_33);
  g_test_add_func ("/bad-input/limits/too-deep-open", test_limits_too_deep_open);
  g_test_add_func ("/bad-input/limits/too-deep-balanced", test_limits_too_deep_balanced);
  g_test_add_func ("/bad-input/limits/too-deep-objects", test_limits_too_deep_objects);
  g_test_add_func ("/bad-input/limits/depth-inside-string", test_limits_depth_inside_string);
  g_test_add_func ("/bad-input/limits/depth-escaped-quote", test_limits_depth_escaped_quote);
  g_test_add_func ("/bad-input/limits/depth-escaped-backslash", test_limits_depth_escaped_backslash);

  g_test_add_func ("/bad-input/utf8/invalid-bytes", test_utf8_invalid_bytes);
  g_test_add_func ("/bad-input/utf8/invalid-key", test_utf8_invalid_key);
  g_test_add_func ("/bad-input/utf8/overlong", test_utf8_overlong);
  g_test_add_func ("/bad-input/utf8/surrogate-bytes", test_utf8_surrogate_bytes);
  g_test_add_func ("/bad-input/utf8/tray", test_utf8_tray);

  g_test_add_func ("/bad-input/long-strings/ascii", test_long_ascii);
  g_test_add_func ("/bad-input/long-strings/two-byte", test_long_two_byte);
  g_test_add_func ("/bad-input/long-strings/two-byte-odd", test_long_two_byte_odd);
  g_test_add_func ("/bad-input/long-strings/three-byte", test_long_three_byte);
  g_test_add_func ("/bad-input/long-strings/four-byte", test_long_four_byte);
  g_test_add_func ("/bad-input/long-strings/tray-type", test_long_tray_type);
  g_test_add_func ("/bad-input/long-strings/unknown-gcode-state", test_long_unknown_gcode_state);

  g_test_add_func ("/bad-input/sequence/state", test_sequence_state);
  g_test_add_func ("/bad-input/sequence/printer", test_sequence_printer);

  g_test_add_func ("/bad-input/fuzz/reports", test_fuzz_reports);

  /* Last: they make assertions non-fatal (see in_child_process()). */
  g_test_add_func ("/bad-input/regression/depth-single-quote", test_regression_depth_single_quote);
  g_test_add_func ("/bad-input/regression/depth-comment", test_regression_depth_comment);
  g_test_add_func ("/bad-input/regression/nul-in-string", test_regression_nul_in_string);
  g_test_add_func ("/bad-input/regression/concatenated-documents", test_regression_concatenated_documents);
  g_test_add_func ("/bad-input/regression/surrogate-escape", test_regression_surrogate_escape);
  g_test_add_func ("/bad-input/regression/integer-overflow", test_regression_integer_overflow);
  g_test_add_func ("/bad-input/regression/null-data", test_regression_null_data);
  g_test_add_func ("/bad-input/regression/rejected-parse-warns", test_regression_rejected_parse_warns);

  return g_test_run ();
}
