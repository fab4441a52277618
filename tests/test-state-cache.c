/* test-state-cache.c — a state written as a report, and read back
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cache's promise: a state written by pd_state_to_report(), read back
 * through the parser (text → pd_report_parse → pd_report_merge into a new
 * state of the same identity), gives the very same state document. Checked
 * for every recorded report, for replays of whole recorded sessions, and
 * for sequences built here (a cancelled print, every model).
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "pd-json.h"
#include "pd-state-cache.h"
#include "pd-test-util.h"

#define RESTORE_NOW (G_GINT64_CONSTANT (1764200000) * G_USEC_PER_SEC)

/* The state as the cache would bring it back. */
static PdState *
restore (PdState *original)
{
  g_autoptr (JsonNode)  report = pd_state_to_report (original);
  g_autofree char      *text = pd_json_to_string (report, FALSE);
  g_autoptr (JsonNode)  parsed = NULL;
  g_autoptr (PdState)   empty = pd_state_new (original->serial);
  g_autoptr (PdState)   fresh = pd_state_with_identity (empty, original->name, original->model_config);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError)    error = NULL;
  PdState              *restored;

  parsed = pd_report_parse (text, -1, warnings, &error);
  g_assert_no_error (error);
  restored = pd_report_merge (fresh, parsed, RESTORE_NOW, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);

  /* The report is clean: the parser has nothing to repair or skip in it. */
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning: %s", (char *) g_ptr_array_index (warnings, i));
  g_assert_cmpuint (warnings->len, ==, 0);

  return restored;
}

/* The state as the store's cache file brings it back: with the extras. */
static PdState *
restore_cache (PdState *original)
{
  g_autoptr (JsonNode) report = pd_state_to_cache (original);
  g_autofree char     *text = pd_json_to_string (report, FALSE);
  g_autoptr (JsonNode) parsed = NULL;
  g_autoptr (PdState)  empty = pd_state_new (original->serial);
  g_autoptr (PdState)  fresh = pd_state_with_identity (empty, original->name, original->model_config);
  g_autoptr (GError)   error = NULL;
  PdState             *restored;

  parsed = pd_report_parse (text, -1, NULL, &error);
  g_assert_no_error (error);
  restored = pd_state_from_cache (fresh, parsed, RESTORE_NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (restored);

  return restored;
}

static void
assert_same_document (PdState    *original,
                      PdState    *restored,
                      const char *what)
{
  g_autofree char *expected = pd_state_to_string (original, TRUE);
  g_autofree char *actual = pd_state_to_string (restored, TRUE);

  if (g_strcmp0 (expected, actual) != 0)
    {
      g_autoptr (GPtrArray) changes = pd_state_diff (original, restored);
      g_autoptr (GString)   paths = g_string_new (NULL);

      for (guint i = 0; i < changes->len; i++)
        g_string_append_printf (paths, " %s", (char *) g_ptr_array_index (changes, i));
      g_test_message ("expected:\n%s\nrestored:\n%s", expected, actual);
      g_error ("%s: the restored state differs at%s", what, paths->str);
    }
}

/* The cache file's form restores the state exactly, times included. */
static void
assert_cache_round_trip (PdState    *original,
                         const char *what)
{
  g_autoptr (PdState) restored = restore_cache (original);

  assert_same_document (original, restored, what);
  g_assert_cmpint (restored->last_report_at, ==, original->last_report_at);
  g_assert_cmpint (pd_state_get_finish_time (restored), ==, pd_state_get_finish_time (original));
  g_assert_cmpint (restored->job_seen, ==, original->job_seen);
  g_assert_cmpint (restored->cancel_seen, ==, original->cancel_seen);
}

/* The report alone restores the state document, and a restored state
 * writes the same report again.
 */
static void
assert_round_trip (PdState    *original,
                   const char *what)
{
  g_autoptr (PdState) restored = restore (original);
  g_autoptr (PdState) again = restore (restored);
  g_autofree char    *what_again = g_strconcat (what, ", restored twice", NULL);

  assert_cache_round_trip (original, what);
  assert_same_document (original, restored, what);
  assert_same_document (original, again, what_again);
}

static PdState *
new_state (const char *serial,
           const char *name,
           const char *model)
{
  g_autoptr (PdState) empty = pd_state_new (serial);

  return pd_state_with_identity (empty, name, model);
}

/* Every recorded report, under every identity a user might give --------------*/

static char *
fixture_model (const char *file)
{
  const char *underscore = strchr (file, '_');

  return g_strndup (file, underscore != NULL ? (gsize) (underscore - file) : strlen (file));
}

static void
test_every_fixture (void)
{
  g_autofree char   *dir_path = pd_test_fixture_path ("reports");
  g_autoptr (GDir)   dir = NULL;
  g_autoptr (GError) error = NULL;
  const char        *file;
  guint              n_files = 0;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char   *path = NULL;
      g_autofree char   *model = NULL;
      const PdModelInfo *info;
      g_autofree char   *serial = NULL;
      struct
      {
        const char *serial;
        const char *model;
      } identities[3];

      if (!g_str_has_suffix (file, ".json"))
        continue;

      path = g_build_filename ("reports", file, NULL);
      model = fixture_model (file);
      info = pd_model_lookup (model);
      g_assert_nonnull (info);
      serial = g_strconcat (info->serial_prefix, "09A123456789", NULL);

      /* unknown printer; the model chosen by the user; known by serial */
      identities[0].serial = NULL;
      identities[0].model = NULL;
      identities[1].serial = "REDACTED";
      identities[1].model = model;
      identities[2].serial = serial;
      identities[2].model = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (identities); i++)
        {
          g_autoptr (PdState) fresh = new_state (identities[i].serial, "Shelf", identities[i].model);
          g_autoptr (PdState) merged = pd_test_merge_fixture (fresh, path);
          g_autofree char    *what = g_strdup_printf ("%s as %s/%s", file, identities[i].serial, identities[i].model);

          assert_round_trip (merged, what);
        }
      n_files++;
    }

  g_assert_cmpuint (n_files, >=, 7);
}

/* Sequences --------------------------------------------------------------------*/

static void
test_h2d_sequence (void)
{
  static const char *const steps[] = {
    "reports/H2D_running_ams_amsht_encoded_temps_push_status.json",
    "reports/H2D_get_version_response.json",
    "reports/H2D_door_opened_stat_delta.json",
  };
  /* The serial in the recording is redacted: the model is known only from
   * get_version, or from the user.
   */
  static const char *const models[] = { NULL, "H2D" };

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      g_autoptr (PdState) state = new_state ("H2DH2DH2DH2DH2D", NULL, models[m]);

      for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
        {
          PdState *next = pd_test_merge_fixture (state, steps[i]);

          pd_state_unref (state);
          state = next;
          assert_round_trip (state, steps[i]);
        }

      /* the things this sequence is about survived */
      g_assert_cmpstr (pd_test_doc_string (state, "model"), ==, "H2D");
      g_assert_false (pd_test_doc_is_null (state, "temperatures.nozzle_right"));
      g_assert_true (pd_test_doc_bool (state, "door_open"));
      g_assert_cmpstr (pd_test_doc_string (state, "firmware"), ==, "01.01.02.07");
    }
}

/* Replays whole recorded sessions (tests/fixtures/ha-bambulab/), message by
 * message, and checks the cache after each.
 */
static void
test_recorded_sessions (void)
{
  g_autofree char   *dir_path = pd_test_fixture_path ("ha-bambulab");
  g_autoptr (GDir)   dir = NULL;
  g_autoptr (GError) error = NULL;
  const char        *file;
  guint              n_messages = 0;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);

  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char       *path = g_build_filename ("ha-bambulab", file, NULL);
      g_autofree char       *text = pd_test_load_fixture (path, NULL);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GList)      keys = NULL;
      g_autoptr (PdState)    state = new_state (NULL, NULL, NULL);
      JsonObject            *root;

      json_parser_load_from_data (parser, text, -1, &error);
      g_assert_no_error (error);
      root = json_node_get_object (json_parser_get_root (parser));
      keys = json_object_get_members (root);

      for (const GList *l = keys; l != NULL; l = l->next)
        {
          const char          *key = l->data;
          JsonNode            *value = json_object_get_member (root, key);
          gboolean             is_version = strstr (key, "version") != NULL;
          const char          *family = is_version ? "info" : "print";
          g_autoptr (JsonNode) message = NULL;
          g_autofree char     *message_text = NULL;
          g_autofree char     *what = NULL;
          PdState             *next;

          if (!g_str_has_prefix (key, "push") && !is_version)
            continue;
          if (!JSON_NODE_HOLDS_OBJECT (value))
            continue;

          /* A message is {"print": …}; some recordings keep only the inside. */
          if (json_object_has_member (json_node_get_object (value), family))
            message = json_node_copy (value);
          else
            {
              JsonObject *wrapper = json_object_new ();

              json_object_set_member (wrapper, family, json_node_copy (value));
              message = json_node_init_object (json_node_alloc (), wrapper);
              json_object_unref (wrapper);
            }

          message_text = pd_json_to_string (message, FALSE);
          next = pd_test_merge_text (state, message_text);
          pd_state_unref (state);
          state = next;

          what = g_strdup_printf ("%s: %s", file, key);
          assert_round_trip (state, what);
          n_messages++;
        }
    }

  g_assert_cmpuint (n_messages, >=, 10);
}

static PdState *
merge (PdState    *state,
       const char *json)
{
  PdState *next = pd_test_merge_text (state, json);

  pd_state_unref (state);
  return next;
}

/* A print that the user cancels: the card must still say "cancelled" after
 * a restart, also once the printer has dropped the cancel's print_error.
 */
static void
test_cancelled_print (void)
{
  static const char *const models[] = { "P1S", "X1C", "H2D" };

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      PdState *state = new_state ("SERIAL1", "Desk", models[m]);

      state = merge (state, "{\"print\":{\"gcode_state\":\"IDLE\",\"nozzle_temper\":25.5,\"nozzle_target_temper\":0,"
                            "\"bed_temper\":24.25,\"bed_target_temper\":0}}");
      assert_round_trip (state, "idle");

      state = merge (state, "{\"print\":{\"gcode_state\":\"PREPARE\",\"subtask_name\":\"benchy\",\"stg_cur\":2,"
                            "\"mc_percent\":0,\"mc_remaining_time\":42}}");
      assert_round_trip (state, "prepare");

      state = merge (state, "{\"print\":{\"gcode_state\":\"RUNNING\",\"stg_cur\":0,\"mc_percent\":12,\"layer_num\":5,"
                            "\"total_layer_num\":120,\"mc_remaining_time\":37,\"nozzle_temper\":219.8,"
                            "\"nozzle_target_temper\":220,\"bed_temper\":55.1,\"bed_target_temper\":55}}");
      assert_round_trip (state, "running");
      g_assert_cmpstr (pd_test_doc_string (state, "status"), ==, "printing");

      state = merge (state, "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":83902478}}");
      g_assert_cmpstr (pd_test_doc_string (state, "status"), ==, "cancelled");
      assert_round_trip (state, "cancelled");

      /* The firmware clears print_error after a few seconds. */
      state = merge (state, "{\"print\":{\"print_error\":0}}");
      g_assert_cmpstr (pd_test_doc_string (state, "status"), ==, "cancelled");
      assert_round_trip (state, "cancelled, error cleared");

      /* A new job: the cancel is forgotten, but print_error may linger. */
      state = merge (state, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"cube\",\"mc_percent\":1}}");
      assert_round_trip (state, "next job");
      state = merge (state, "{\"print\":{\"gcode_state\":\"PAUSE\",\"print_error\":117473286}}");
      g_assert_cmpstr (pd_test_doc_string (state, "print_error.code"), ==, "0700_8006");
      assert_round_trip (state, "paused with an error");

      state = merge (state, "{\"print\":{\"gcode_state\":\"FAILED\"}}");
      g_assert_cmpstr (pd_test_doc_string (state, "status"), ==, "failed");
      assert_round_trip (state, "failed");

      state = merge (state, "{\"print\":{\"gcode_state\":\"FINISH\",\"print_error\":0,\"mc_percent\":100}}");
      assert_round_trip (state, "finished");

      pd_state_unref (state);
    }
}

/* Every model the table knows, named by get_version only, with the fields
 * whose display depends on the model (chamber, door, camera, nozzles).
 */
static void
test_every_model (void)
{
  const PdModelInfo *models;
  guint              n_models = 0;

  models = pd_model_get_all (&n_models);
  for (guint i = 0; i < n_models; i++)
    {
      g_autofree char *version = g_strdup_printf ("{\"info\":{\"command\":\"get_version\",\"module\":["
                                                  "{\"name\":\"ota\",\"product_name\":\"%s\",\"sw_ver\":\"01.02.03.04\"},"
                                                  "{\"name\":\"n3f/1\"},{\"name\":\"ams_f1/0\"},{\"name\":\"n3s/129\"}]}}",
                                                  models[i].product_name);
      PdState         *state = new_state ("UNKNOWN00000001", NULL, NULL);

      state = merge (state, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"part\","
                            "\"nozzle_temper\":210.5,\"nozzle_target_temper\":210,\"chamber_temper\":31.5,"
                            "\"mc_target_cham\":40,\"home_flag\":-1058546177,\"stat\":\"46A58008\","
                            "\"wifi_signal\":\"-61dBm\",\"lights_report\":[{\"node\":\"chamber_light\",\"mode\":\"flashing\"}],"
                            "\"hms\":[{\"attr\":50331904,\"code\":65543},{\"attr\":201327360,\"code\":196615}],"
                            "\"ams\":{\"ams\":[{\"id\":\"1\",\"humidity\":\"2\",\"humidity_raw\":\"31\",\"temp\":\"24.4\","
                            "\"info\":\"1003\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"PETG\",\"tray_color\":\"00AE42\","
                            "\"tag_uid\":\"A1B2C3D4E5F60708\",\"remain\":73,\"drying_temp\":\"65\",\"drying_time\":\"8\","
                            "\"nozzle_temp_min\":\"230\",\"nozzle_temp_max\":\"260\",\"tray_info_idx\":\"GFG00\"},"
                            "{\"id\":\"1\"},{\"id\":\"2\",\"tray_type\":\"\"},{\"id\":\"3\",\"tray_type\":\"PLA\","
                            "\"tray_sub_brands\":\"PLA Matte\",\"tray_uuid\":\"0A0B0C0D0E0F00000000000000000000\","
                            "\"tray_color\":\"000000FF\",\"remain\":-1}]},"
                            "{\"id\":\"129\",\"humidity\":\"4\",\"temp\":\"0.0\",\"dry_time\":125,\"tray\":[{\"id\":\"0\","
                            "\"tray_type\":\"PA-CF\"}]}],\"tray_exist_bits\":\"10f0\",\"tray_now\":\"7\"},"
                            "\"vt_tray\":{\"id\":\"254\",\"tray_type\":\"TPU\",\"tray_color\":\"FF0000FF\"},"
                            "\"ipcam\":{\"rtsp_url\":\"rtsps://192.0.2.7/streaming/live/1\"}}}");
      state = merge (state, version);

      g_assert_cmpstr (pd_test_doc_string (state, "model"), ==, models[i].id);
      assert_round_trip (state, models[i].id);
      pd_state_unref (state);
    }
}

/* A dual-nozzle printer that says which extruder is active, and one whose
 * right nozzle has nothing to report: the extruder count must survive.
 */
static void
test_extruders (void)
{
  PdState *state = new_state ("H2DH2DH2DH2DH2D", NULL, NULL);

  state = merge (state, "{\"print\":{\"device\":{\"extruder\":{\"state\":18,\"info\":["
                        "{\"id\":0,\"temp\":14745864,\"snow\":65024},{\"id\":1,\"temp\":40,\"snow\":258}]}},"
                        "\"vir_slot\":[{\"id\":\"254\",\"tray_type\":\"PLA\"},{\"id\":\"255\",\"tray_type\":\"PETG\"}]}}");
  assert_round_trip (state, "dual, active left");
  g_assert_cmpint (pd_test_doc_int (state, "ams.active_slot.unit"), ==, 1);

  state = merge (state, "{\"print\":{\"device\":{\"extruder\":{\"state\":2}}}}");
  assert_round_trip (state, "dual, active right");
  g_assert_cmpint (pd_test_doc_int (state, "ams.active_slot.slot"), ==, 255);
  pd_state_unref (state);

  /* two extruders listed, only one with values */
  state = new_state ("UNKNOWN00000002", NULL, NULL);
  state = merge (state, "{\"print\":{\"device\":{\"extruder\":{\"info\":[{\"id\":0,\"snow\":65535},{\"id\":1}]}}}}");
  assert_round_trip (state, "two extruders, one silent");
  pd_state_unref (state);

  /* a single-nozzle printer with the newer extruder list */
  state = new_state (NULL, NULL, "P2S");
  state = merge (state, "{\"print\":{\"device\":{\"extruder\":{\"info\":[{\"id\":0,\"temp\":13107400,\"snow\":1}]}}}}");
  assert_round_trip (state, "one extruder");
  g_assert_cmpfloat (pd_test_doc_double (state, "temperatures.nozzle.target"), ==, 200);
  pd_state_unref (state);
}

static void
test_empty_state (void)
{
  g_autoptr (PdState) state = new_state ("00M09A000000001", "Nothing yet", NULL);

  assert_round_trip (state, "never reported");
}

/* What a report alone cannot carry, and the cache's extras do. */
static void
test_cache_extras (void)
{
  PdState            *state = new_state ("01P09A000000001", "Garage", NULL);
  g_autoptr (PdState) restored = NULL;

  /* A job, then idle with no job named (a P1S after a restart) */
  state = merge (state, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"bracket\",\"mc_percent\":50,"
                        "\"mc_remaining_time\":20}}");
  state = merge (state, "{\"print\":{\"gcode_state\":\"FINISH\",\"mc_percent\":100,\"mc_remaining_time\":0}}");
  state = merge (state, "{\"print\":{\"gcode_state\":\"IDLE\",\"subtask_name\":\"\"}}");
  g_assert_false (pd_test_doc_is_null (state, "job"));
  g_assert_true (pd_test_doc_is_null (state, "job.name"));
  assert_cache_round_trip (state, "idle after a job");
  /* the report alone forgets the job: the documented limit */
  restored = restore (state);
  g_assert_true (pd_test_doc_is_null (restored, "job"));
  g_clear_pointer (&restored, pd_state_unref);

  /* A cancel, then another error in the same job */
  state = merge (state, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"hook\"}}");
  state = merge (state, "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":83902478}}");
  state = merge (state, "{\"print\":{\"print_error\":117473286}}");
  g_assert_cmpstr (pd_test_doc_string (state, "status"), ==, "cancelled");
  assert_cache_round_trip (state, "cancel, then an error");

  /* The times of the cache are believed only up to now. */
  {
    g_autoptr (JsonNode) report = pd_state_to_cache (state);
    g_autofree char     *text = pd_json_to_string (report, FALSE);
    g_autoptr (JsonNode) parsed = pd_report_parse (text, -1, NULL, NULL);
    g_autoptr (PdState)  empty = pd_state_new (state->serial);
    g_autoptr (PdState)  fresh = pd_state_with_identity (empty, state->name, NULL);
    g_autoptr (PdState)  early = pd_state_from_cache (fresh, parsed, state->last_report_at - 24 * G_GINT64_CONSTANT (3600000000), NULL);

    g_assert_nonnull (early);
    g_assert_cmpint (early->last_report_at, ==, 0);
    g_assert_cmpint (pd_state_get_finish_time (early), ==, 0);
  }

  pd_state_unref (state);
}

/* Damaged caches ----------------------------------------------------------------*/

static gboolean
is_rejected (const char *text,
             gssize      length)
{
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (PdState)  fresh = new_state ("00M09A000000001", NULL, NULL);
  g_autoptr (PdState)  merged = NULL;
  g_autoptr (GError)   error = NULL;

  report = pd_report_parse (text, length, NULL, &error);
  if (report == NULL)
    {
      g_assert_nonnull (error);
      return TRUE;
    }

  merged = pd_report_merge (fresh, report, RESTORE_NOW, NULL, &error);
  return merged == NULL;
}

static void
test_damaged (void)
{
  g_autoptr (PdState)  state = new_state (NULL, NULL, "X1C");
  g_autoptr (PdState)  merged = pd_test_merge_fixture (state, "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  g_autoptr (JsonNode) report = pd_state_to_report (merged);
  g_autofree char     *text = pd_json_to_string (report, FALSE);
  gsize                length = strlen (text);
  g_autoptr (GRand)    rand = g_rand_new_with_seed (20260126);
  g_autofree char     *deep = NULL;
  GString             *nested = g_string_new (NULL);

  /* Every cut of the file (a crash mid-write with another writer) */
  for (gsize cut = 0; cut < length; cut += 7)
    g_assert_true (is_rejected (text, (gssize) cut));

  /* Bytes flipped at random: read or rejected, never a crash. */
  for (guint round = 0; round < 200; round++)
    {
      g_autofree char *copy = g_strdup (text);

      for (guint j = 0; j < 8; j++)
        copy[g_rand_int_range (rand, 0, (gint32) length)] = (char) g_rand_int_range (rand, 1, 256);
      is_rejected (copy, (gssize) length);
    }

  /* garbage, and things that are JSON but no cache */
  g_assert_true (is_rejected ("\x89PNG\r\n\x1a\n\x01\x02garbage", -1));
  g_assert_true (is_rejected ("", -1));
  g_assert_true (is_rejected ("[1, 2, 3]", -1));
  g_assert_true (is_rejected ("{\"version\": 1}", -1));
  g_assert_true (is_rejected ("{\"print\": \"not an object\"}", -1));
  g_assert_true (is_rejected ("{\"print\": {\"hms\": {\"attr\": 1}}}", -1));

  /* The cache's extras are checked too: not an object, rejected; values
   * of the wrong kind, ignored.
   */
  {
    g_autoptr (JsonNode) bad = pd_report_parse ("{\"print\": {}, \"printdeck\": [1]}", -1, NULL, NULL);
    g_autoptr (JsonNode) odd = pd_report_parse ("{\"print\": {\"gcode_state\": \"IDLE\"}, \"printdeck\": "
                                                "{\"last_report_at\": \"soon\", \"job_seen\": 3, \"grams_used\": -5}}",
                                                -1, NULL, NULL);
    g_autoptr (PdState)  fresh = new_state (NULL, NULL, NULL);
    g_autoptr (PdState)  restored = NULL;
    g_autoptr (GError)   error = NULL;

    g_assert_null (pd_state_from_cache (fresh, bad, RESTORE_NOW, &error));
    g_assert_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED);
    restored = pd_state_from_cache (fresh, odd, RESTORE_NOW, NULL);
    g_assert_nonnull (restored);
    g_assert_cmpint (restored->last_report_at, ==, 0);
    g_assert_false (restored->job_seen);
    g_assert_true (isnan (restored->grams_used));
  }
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (nested, '[');
  deep = g_string_free (nested, FALSE);
  g_assert_true (is_rejected (deep, -1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/state-cache/every-fixture", test_every_fixture);
  g_test_add_func ("/state-cache/h2d-sequence", test_h2d_sequence);
  g_test_add_func ("/state-cache/recorded-sessions", test_recorded_sessions);
  g_test_add_func ("/state-cache/cancelled-print", test_cancelled_print);
  g_test_add_func ("/state-cache/every-model", test_every_model);
  g_test_add_func ("/state-cache/extruders", test_extruders);
  g_test_add_func ("/state-cache/empty-state", test_empty_state);
  g_test_add_func ("/state-cache/cache-extras", test_cache_extras);
  g_test_add_func ("/state-cache/damaged", test_damaged);

  return g_test_run ();
}
