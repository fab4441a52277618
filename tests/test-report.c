/* test-report.c — reports from real printers, merged into the state
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every fixture in tests/fixtures/reports/ is a message a printer really
 * sent. The values asserted here are the ones a person reads off the frame
 * (docs/protocol-notes.md explains the encodings).
 */

#include "config.h"

#include <math.h>

#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-test-util.h"

static PdState *
fixture_state (const char *model,
               const char *name)
{
  g_autoptr (PdState) empty = pd_state_new (NULL);
  g_autoptr (PdState) configured = pd_state_with_identity (empty, NULL, model);
  g_autofree char    *path = g_strconcat ("reports/", name, ".json", NULL);

  return pd_test_merge_fixture (configured, path);
}

#define assert_doc_double(state, path, value) \
  g_assert_cmpfloat_with_epsilon (pd_test_doc_double ((state), (path)), (value), 1e-9)
#define assert_doc_int(state, path, value) \
  g_assert_cmpint (pd_test_doc_int ((state), (path)), ==, (value))
#define assert_doc_string(state, path, value) \
  g_assert_cmpstr (pd_test_doc_string ((state), (path)), ==, (value))
#define assert_doc_null(state, path) \
  g_assert_true (pd_test_doc_is_null ((state), (path)))

/* Fixtures -----------------------------------------------------------------*/

static void
test_fixture_a1_idle (void)
{
  g_autoptr (PdState) s = fixture_state ("A1", "A1_idle_ams_lite_humidity_index_push_status");

  assert_doc_string (s, "model", "A1");
  assert_doc_string (s, "status", "idle");
  /* stg_cur is 0 ("printing") on an idle A1: no stage while idle */
  assert_doc_null (s, "stage");
  assert_doc_double (s, "temperatures.nozzle.current", 27.8125);
  assert_doc_double (s, "temperatures.nozzle.target", 0);
  assert_doc_double (s, "temperatures.bed.current", 29.75);
  assert_doc_double (s, "temperatures.bed.target", 0);
  assert_doc_null (s, "temperatures.nozzle_right");
  /* The A1 reports chamber_temper 5 but has no chamber sensor. */
  assert_doc_null (s, "temperatures.chamber");
  assert_doc_null (s, "job");
  assert_doc_string (s, "hms.level", "ok");
  g_assert_cmpuint (pd_test_doc_length (s, "hms.errors"), ==, 0);
  assert_doc_null (s, "print_error");

  /* AMS lite, humidity as the 1–5 index only: wire 5 = dry = level 1 */
  g_assert_cmpuint (pd_test_doc_length (s, "ams.units"), ==, 1);
  assert_doc_int (s, "ams.units[0].id", 0);
  assert_doc_string (s, "ams.units[0].type", "ams_lite");
  assert_doc_int (s, "ams.units[0].humidity_level", 1);
  assert_doc_null (s, "ams.units[0].humidity_percent");
  assert_doc_null (s, "ams.units[0].temperature");
  assert_doc_null (s, "ams.units[0].drying");
  g_assert_cmpuint (pd_test_doc_length (s, "ams.units[0].trays"), ==, 4);
  g_assert_true (pd_test_doc_bool (s, "ams.units[0].trays[0].present"));
  assert_doc_string (s, "ams.units[0].trays[0].material", "PLA");
  assert_doc_string (s, "ams.units[0].trays[0].color", "#76D9F4FF");
  assert_doc_string (s, "ams.units[0].trays[1].color", "#FFF144FF");
  assert_doc_string (s, "ams.units[0].trays[2].color", "#FF80FFFF");
  assert_doc_string (s, "ams.units[0].trays[3].color", "#0ACC38FF");
  /* remain 100 on a spool without RFID is not a measurement */
  assert_doc_null (s, "ams.units[0].trays[0].remaining_percent");

  g_assert_cmpuint (pd_test_doc_length (s, "ams.external"), ==, 1);
  assert_doc_int (s, "ams.external[0].slot", 254);
  g_assert_true (pd_test_doc_bool (s, "ams.external[0].present"));
  assert_doc_string (s, "ams.external[0].material", "PLA");
  assert_doc_string (s, "ams.external[0].name", "Bambu PLA Basic");
  assert_doc_string (s, "ams.external[0].color", "#FFFFFFFF");
  assert_doc_null (s, "ams.external[0].remaining_percent");
  /* tray_now 255: nothing loaded */
  assert_doc_null (s, "ams.active_slot");

  assert_doc_string (s, "camera.kind", "jpeg");
  assert_doc_int (s, "wifi_dbm", -48);
  g_assert_false (pd_test_doc_bool (s, "light"));
  assert_doc_null (s, "door_open");
  assert_doc_null (s, "firmware");
}

static void
test_fixture_p1p_failed (void)
{
  g_autoptr (PdState) s = fixture_state ("P1P", "P1P_failed_push_status");

  assert_doc_string (s, "status", "failed");
  assert_doc_null (s, "stage");
  assert_doc_double (s, "temperatures.nozzle.current", 21.25);
  assert_doc_double (s, "temperatures.bed.current", 19.84375);
  assert_doc_null (s, "temperatures.chamber");

  assert_doc_string (s, "job.name", "Fidget Collection");
  assert_doc_int (s, "job.progress", 0);
  assert_doc_int (s, "job.layer", 1);
  assert_doc_int (s, "job.total_layers", 70);
  /* mc_remaining_time is minutes */
  assert_doc_int (s, "job.remaining_minutes", 759);
  assert_doc_null (s, "job.filament_grams_total");
  assert_doc_null (s, "job.filament_grams_used");

  assert_doc_string (s, "ams.units[0].type", "ams");
  assert_doc_int (s, "ams.units[0].humidity_level", 3);
  assert_doc_null (s, "ams.units[0].humidity_percent");
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *present = g_strdup_printf ("ams.units[0].trays[%u].present", i);
      g_autofree char *remaining = g_strdup_printf ("ams.units[0].trays[%u].remaining_percent", i);
      g_autofree char *name = g_strdup_printf ("ams.units[0].trays[%u].name", i);

      g_assert_true (pd_test_doc_bool (s, present));
      /* remain -1: not tracked */
      assert_doc_null (s, remaining);
      assert_doc_string (s, name, "Generic PLA Silk");
    }

  assert_doc_int (s, "ams.active_slot.unit", 0);
  assert_doc_int (s, "ams.active_slot.slot", 0);
  assert_doc_string (s, "ams.external[0].color", "#161616FF");
  assert_doc_int (s, "wifi_dbm", -53);
  assert_doc_string (s, "camera.kind", "jpeg");
}

static void
test_fixture_x1c_finish (void)
{
  g_autoptr (PdState) s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");

  assert_doc_string (s, "status", "finished");
  assert_doc_null (s, "stage");
  assert_doc_double (s, "temperatures.nozzle.current", 26);
  assert_doc_double (s, "temperatures.nozzle.target", 0);
  assert_doc_double (s, "temperatures.bed.current", 23);
  assert_doc_null (s, "temperatures.nozzle_right");
  /* The X1C has a chamber sensor (read from the newer fields) but no heater. */
  assert_doc_double (s, "temperatures.chamber.current", 25);
  assert_doc_null (s, "temperatures.chamber.target");

  assert_doc_string (s, "job.name", "Garden Hose Healer: Male fitting");
  assert_doc_int (s, "job.progress", 100);
  assert_doc_int (s, "job.layer", 480);
  assert_doc_int (s, "job.total_layers", 480);
  assert_doc_int (s, "job.remaining_minutes", 0);

  /* Two AMS, an AMS 2 Pro that is drying, an AMS HT: keyed by id */
  g_assert_cmpuint (pd_test_doc_length (s, "ams.units"), ==, 4);
  assert_doc_int (s, "ams.units[0].id", 0);
  assert_doc_int (s, "ams.units[1].id", 1);
  assert_doc_int (s, "ams.units[2].id", 2);
  assert_doc_int (s, "ams.units[3].id", 128);
  assert_doc_string (s, "ams.units[0].type", "ams");
  assert_doc_string (s, "ams.units[1].type", "ams");
  assert_doc_string (s, "ams.units[2].type", "ams_2_pro");
  assert_doc_string (s, "ams.units[3].type", "ams_ht");

  assert_doc_int (s, "ams.units[0].humidity_percent", 8);
  assert_doc_int (s, "ams.units[0].humidity_level", 1);
  assert_doc_double (s, "ams.units[0].temperature", 26.2);
  assert_doc_int (s, "ams.units[1].humidity_percent", 4);
  assert_doc_double (s, "ams.units[1].temperature", 25.4);

  assert_doc_int (s, "ams.units[2].humidity_percent", 9);
  assert_doc_int (s, "ams.units[2].humidity_level", 2);
  assert_doc_double (s, "ams.units[2].temperature", 65.0);
  g_assert_true (pd_test_doc_bool (s, "ams.units[2].drying.active"));
  assert_doc_int (s, "ams.units[2].drying.remaining_minutes", 583);
  g_assert_false (pd_test_doc_bool (s, "ams.units[0].drying.active"));
  assert_doc_int (s, "ams.units[0].drying.remaining_minutes", 0);

  /* tray_exist_bits 10eff: unit 2 slot 0 is empty */
  g_assert_false (pd_test_doc_bool (s, "ams.units[2].trays[0].present"));
  assert_doc_null (s, "ams.units[2].trays[0].material");
  assert_doc_null (s, "ams.units[2].trays[0].color");
  g_assert_true (pd_test_doc_bool (s, "ams.units[2].trays[1].present"));
  assert_doc_string (s, "ams.units[2].trays[1].material", "ABS");
  assert_doc_string (s, "ams.units[2].trays[1].color", "#FF6A13FF");
  assert_doc_int (s, "ams.units[2].trays[1].remaining_percent", 100);
  assert_doc_int (s, "ams.units[2].trays[1].drying_temperature", 80);
  assert_doc_int (s, "ams.units[2].trays[1].drying_hours", 8);

  assert_doc_string (s, "ams.units[0].trays[0].material", "PLA");
  assert_doc_string (s, "ams.units[0].trays[0].name", "PLA Matte");
  assert_doc_int (s, "ams.units[0].trays[0].remaining_percent", 93);
  assert_doc_int (s, "ams.units[1].trays[0].remaining_percent", 21);

  g_assert_cmpuint (pd_test_doc_length (s, "ams.units[3].trays"), ==, 1);
  assert_doc_int (s, "ams.units[3].humidity_percent", 8);
  assert_doc_double (s, "ams.units[3].temperature", 45.2);
  assert_doc_string (s, "ams.units[3].trays[0].material", "PA-CF");
  assert_doc_string (s, "ams.units[3].trays[0].name", "PAHT-CF");
  g_assert_true (pd_test_doc_bool (s, "ams.units[3].trays[0].present"));

  /* A single-nozzle printer calls its external spool 255 in vir_slot:
   * it is the 254 that tray_now uses. It is empty here.
   */
  g_assert_cmpuint (pd_test_doc_length (s, "ams.external"), ==, 1);
  assert_doc_int (s, "ams.external[0].slot", 254);
  g_assert_false (pd_test_doc_bool (s, "ams.external[0].present"));
  assert_doc_null (s, "ams.active_slot");

  assert_doc_string (s, "camera.kind", "rtsps");
  assert_doc_int (s, "wifi_dbm", -66);
  g_assert_true (pd_test_doc_bool (s, "light"));
  /* X1 family: door bit 23 of home_flag, clear */
  g_assert_false (pd_test_doc_bool (s, "door_open"));
}

static void
test_fixture_x1_idle (void)
{
  g_autoptr (PdState) s = fixture_state ("X1", "X1_idle_ams_generic_spools_push_status");

  assert_doc_string (s, "status", "idle");
  assert_doc_null (s, "stage");
  assert_doc_double (s, "temperatures.nozzle.current", 25);
  assert_doc_double (s, "temperatures.nozzle.target", 25);
  assert_doc_double (s, "temperatures.bed.current", 25);
  assert_doc_double (s, "temperatures.bed.target", 25);
  assert_doc_double (s, "temperatures.chamber.current", 24);
  assert_doc_null (s, "temperatures.chamber.target");
  assert_doc_null (s, "job");

  assert_doc_string (s, "ams.units[0].type", "ams");
  /* wire index 4 → level 2; no humidity_raw: no percentage */
  assert_doc_int (s, "ams.units[0].humidity_level", 2);
  assert_doc_null (s, "ams.units[0].humidity_percent");
  assert_doc_double (s, "ams.units[0].temperature", 22.7);
  /* slot 0 is listed as {"id": "0"} and its bit is clear */
  g_assert_false (pd_test_doc_bool (s, "ams.units[0].trays[0].present"));
  g_assert_true (pd_test_doc_bool (s, "ams.units[0].trays[1].present"));
  assert_doc_string (s, "ams.units[0].trays[1].material", "PLA");
  assert_doc_string (s, "ams.units[0].trays[1].name", "Bambu PLA Basic");
  assert_doc_string (s, "ams.units[0].trays[2].name", "Bambu PLA Silk");
  assert_doc_string (s, "ams.units[0].trays[2].color", "#DFE2E3FF");
  /* generic spools report remain 0: unknown, not empty */
  assert_doc_null (s, "ams.units[0].trays[1].remaining_percent");
  /* external spool with colour 00000000 and no type: empty */
  g_assert_false (pd_test_doc_bool (s, "ams.external[0].present"));
  assert_doc_null (s, "ams.external[0].color");

  assert_doc_int (s, "wifi_dbm", -45);
  g_assert_true (pd_test_doc_bool (s, "light"));
  g_assert_false (pd_test_doc_bool (s, "door_open"));
}

static void
test_fixture_h2d_running (void)
{
  g_autoptr (PdState) s = fixture_state ("H2D", "H2D_running_ams_amsht_encoded_temps_push_status");
  g_autoptr (PdState) v = NULL;

  assert_doc_string (s, "status", "printing");
  assert_doc_string (s, "stage", "Cleaning the nozzle tip");

  /* Packed temperatures: extruder 1 (left) 40 °C off, extruder 0 (right)
   * 14745864 = 225 << 16 | 264; the top-level nozzle_temper (40) is not
   * the active nozzle.
   */
  assert_doc_double (s, "temperatures.nozzle.current", 40);
  assert_doc_double (s, "temperatures.nozzle.target", 0);
  assert_doc_double (s, "temperatures.nozzle_right.current", 264);
  assert_doc_double (s, "temperatures.nozzle_right.target", 225);
  assert_doc_double (s, "temperatures.bed.current", 100);
  assert_doc_double (s, "temperatures.bed.target", 100);
  /* device.ctc.info.temp 3932208 = 60 << 16 | 48: chamber heater on */
  assert_doc_double (s, "temperatures.chamber.current", 48);
  assert_doc_double (s, "temperatures.chamber.target", 60);

  assert_doc_string (s, "job.name", "Number 10 House Numbers_plate_1");
  assert_doc_int (s, "job.progress", 0);
  assert_doc_int (s, "job.layer", 0);
  assert_doc_int (s, "job.total_layers", 26);
  assert_doc_int (s, "job.remaining_minutes", 115);

  g_assert_cmpuint (pd_test_doc_length (s, "ams.units"), ==, 2);
  assert_doc_string (s, "ams.units[0].type", "ams");
  assert_doc_int (s, "ams.units[0].humidity_percent", 24);
  assert_doc_int (s, "ams.units[0].humidity_level", 2);
  assert_doc_int (s, "ams.units[1].id", 128);
  assert_doc_string (s, "ams.units[1].type", "ams_ht");
  assert_doc_int (s, "ams.units[1].humidity_percent", 6);
  /* index 0: not known */
  assert_doc_null (s, "ams.units[1].humidity_level");
  assert_doc_string (s, "ams.units[0].trays[3].material", "PETG");
  assert_doc_int (s, "ams.units[0].trays[3].remaining_percent", 26);
  assert_doc_string (s, "ams.units[1].trays[0].material", "PA-GF");

  /* Dual nozzle: both external spools; the right extruder (active, state 2)
   * is fed from the AMS HT (snow 0x8000).
   */
  g_assert_cmpuint (pd_test_doc_length (s, "ams.external"), ==, 2);
  assert_doc_int (s, "ams.external[0].slot", 254);
  assert_doc_int (s, "ams.external[1].slot", 255);
  assert_doc_int (s, "ams.active_slot.unit", 128);
  assert_doc_int (s, "ams.active_slot.slot", 0);

  assert_doc_string (s, "camera.kind", "rtsps");
  assert_doc_int (s, "wifi_dbm", -55);
  g_assert_true (pd_test_doc_bool (s, "light"));
  g_assert_false (pd_test_doc_bool (s, "door_open"));
  assert_doc_null (s, "firmware");

  v = pd_test_merge_fixture (s, "reports/H2D_get_version_response.json");
  assert_doc_string (v, "firmware", "01.01.02.07");
}

static void
test_fixture_h2d_door_delta (void)
{
  g_autoptr (PdState)   s = fixture_state ("H2D", "H2D_running_ams_amsht_encoded_temps_push_status");
  g_autoptr (PdState)   d = pd_test_merge_fixture (s, "reports/H2D_door_opened_stat_delta.json");
  g_autoptr (GPtrArray) changes = pd_state_diff (s, d);

  /* A delta changes only what it carries. */
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "door_open");
  g_assert_true (pd_test_doc_bool (d, "door_open"));
}

static void
test_model_from_get_version (void)
{
  g_autoptr (PdState) empty = pd_state_new ("H2DH2DH2DH2DH2D");
  g_autoptr (PdState) s = pd_test_merge_fixture (empty, "reports/H2D_running_ams_amsht_encoded_temps_push_status.json");
  g_autoptr (PdState) v = NULL;

  /* Unknown serial prefix: the model is not known, and neither are the
   * chamber, the second nozzle and the camera.
   */
  assert_doc_null (s, "model");
  assert_doc_null (s, "temperatures.chamber");

  v = pd_test_merge_fixture (s, "reports/H2D_get_version_response.json");
  assert_doc_string (v, "model", "H2D");
  assert_doc_double (v, "temperatures.chamber.current", 48);
  assert_doc_double (v, "temperatures.nozzle_right.current", 264);
  assert_doc_string (v, "camera.kind", "rtsps");
  assert_doc_string (v, "ams.units[1].type", "ams_ht");
}

static void
test_model_from_serial (void)
{
  g_autoptr (PdState) empty = pd_state_new ("01S00C123456789");
  g_autoptr (PdState) s = pd_test_merge_fixture (empty, "reports/P1P_failed_push_status.json");

  assert_doc_string (s, "serial", "01S00C123456789");
  assert_doc_string (s, "model", "P1P");
  assert_doc_null (s, "temperatures.chamber");
}

/* Deltas -------------------------------------------------------------------*/

static void
test_delta_keeps_absent_fields (void)
{
  g_autoptr (PdState)   s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  g_autoptr (PdState)   d = pd_test_merge_text (s, "{\"print\":{\"command\":\"push_status\",\"nozzle_temper\":180.5}}");
  g_autoptr (GPtrArray) changes = pd_state_diff (s, d);

  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "temperatures.nozzle.current");
  assert_doc_double (d, "temperatures.nozzle.current", 180.5);
  assert_doc_double (d, "temperatures.nozzle.target", 0);
  assert_doc_string (d, "job.name", "Garden Hose Healer: Male fitting");
  g_assert_cmpuint (pd_test_doc_length (d, "ams.units"), ==, 4);
}

static const char *print_sequence[] = {
  "{\"print\":{\"gcode_state\":\"IDLE\",\"nozzle_temper\":25,\"nozzle_target_temper\":0,"
  "\"bed_temper\":24,\"bed_target_temper\":0,\"mc_percent\":0,\"mc_remaining_time\":0,"
  "\"layer_num\":0,\"total_layer_num\":0,\"subtask_name\":\"\",\"stg_cur\":255,\"print_error\":0,\"hms\":[]}}",
  /* job starts: preparing, total layers not known yet */
  "{\"print\":{\"gcode_state\":\"PREPARE\",\"subtask_name\":\"benchy\",\"stg_cur\":2,\"bed_target_temper\":55}}",
  "{\"print\":{\"bed_temper\":55.2}}",
  "{\"print\":{\"gcode_state\":\"RUNNING\",\"stg_cur\":0,\"mc_percent\":1,\"layer_num\":1,"
  "\"total_layer_num\":240,\"mc_remaining_time\":95,\"nozzle_target_temper\":220}}",
  "{\"print\":{\"mc_percent\":42,\"layer_num\":101,\"mc_remaining_time\":55}}",
  "{\"print\":{\"nozzle_temper\":219.8}}",
  /* the end: the P1S resets total_layer_num to 0 */
  "{\"print\":{\"gcode_state\":\"FINISH\",\"mc_percent\":100,\"layer_num\":240,\"total_layer_num\":0,"
  "\"mc_remaining_time\":0,\"stg_cur\":255}}",
};

static void
test_delta_print_sequence (void)
{
  g_autoptr (PdState) s = pd_state_new ("01P00A000000001");

  for (guint i = 0; i < G_N_ELEMENTS (print_sequence); i++)
    {
      PdState *next = pd_test_merge_text (s, print_sequence[i]);

      g_clear_pointer (&s, pd_state_unref);
      s = next;

      switch (i)
        {
        case 0:
          assert_doc_string (s, "status", "idle");
          assert_doc_null (s, "job");
          break;
        case 1:
          assert_doc_string (s, "status", "preparing");
          assert_doc_string (s, "stage", "Heating the bed");
          assert_doc_string (s, "job.name", "benchy");
          assert_doc_null (s, "job.total_layers");
          break;
        case 2:
          assert_doc_double (s, "temperatures.bed.current", 55.2);
          assert_doc_double (s, "temperatures.bed.target", 55);
          assert_doc_string (s, "job.name", "benchy");
          break;
        case 3:
          assert_doc_string (s, "status", "printing");
          assert_doc_string (s, "stage", "Printing");
          assert_doc_int (s, "job.total_layers", 240);
          break;
        case 4:
          assert_doc_int (s, "job.progress", 42);
          assert_doc_int (s, "job.layer", 101);
          assert_doc_int (s, "job.total_layers", 240);
          assert_doc_int (s, "job.remaining_minutes", 55);
          break;
        case 5:
          assert_doc_double (s, "temperatures.nozzle.current", 219.8);
          assert_doc_double (s, "temperatures.nozzle.target", 220);
          assert_doc_int (s, "job.progress", 42);
          break;
        case 6:
          assert_doc_string (s, "status", "finished");
          assert_doc_null (s, "stage");
          assert_doc_int (s, "job.layer", 240);
          /* kept, not reset to 0 */
          assert_doc_int (s, "job.total_layers", 240);
          assert_doc_string (s, "job.name", "benchy");
          break;
        default:
          g_assert_not_reached ();
        }
    }

  /* The next job starts from nothing: its total is not the last job's. */
  {
    g_autoptr (PdState) next = pd_test_merge_text (s, "{\"print\":{\"gcode_state\":\"PREPARE\",\"subtask_name\":\"cube\",\"total_layer_num\":0}}");

    assert_doc_string (next, "job.name", "cube");
    assert_doc_null (next, "job.total_layers");
    assert_doc_null (next, "job.progress");
  }
}

static void
test_delta_cancel_is_not_failure (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("00M00A000000001");
  g_autoptr (PdState) s1 = pd_test_merge_text (s0, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"a\",\"print_error\":0}}");
  /* The user pressed stop: FAILED with 0300_400C for a couple of seconds… */
  g_autoptr (PdState) s2 = pd_test_merge_text (s1, "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":50348044}}");
  /* …then the error goes back to 0 while the state stays FAILED */
  g_autoptr (PdState) s3 = pd_test_merge_text (s2, "{\"print\":{\"print_error\":0}}");
  g_autoptr (PdState) s4 = pd_test_merge_text (s3, "{\"print\":{\"gcode_state\":\"IDLE\"}}");
  g_autoptr (PdState) s5 = pd_test_merge_text (s4, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"b\"}}");
  /* a real failure */
  g_autoptr (PdState) s6 = pd_test_merge_text (s5, "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":117473286}}");
  /* the other cancel code, 0500_400E, even when it comes first */
  g_autoptr (PdState) s7 = pd_test_merge_text (s6, "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"c\",\"print_error\":0}}");
  g_autoptr (PdState) s8 = pd_test_merge_text (s7, "{\"print\":{\"print_error\":83902478}}");
  g_autoptr (PdState) s9 = pd_test_merge_text (s8, "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":0}}");

  assert_doc_string (s2, "status", "cancelled");
  /* the cancel is the status, not an error */
  assert_doc_null (s2, "print_error");
  assert_doc_string (s3, "status", "cancelled");
  assert_doc_string (s4, "status", "idle");
  assert_doc_string (s5, "status", "printing");
  assert_doc_string (s6, "status", "failed");
  assert_doc_string (s6, "print_error.code", "0700_8006");
  assert_doc_string (s9, "status", "cancelled");
}

static void
test_print_error_display (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("00M00A000000001");
  g_autoptr (PdState) paused = pd_test_merge_text (s0, "{\"print\":{\"gcode_state\":\"PAUSE\",\"print_error\":117473286}}");
  /* resumed: the error lingers on some firmware but is no longer current */
  g_autoptr (PdState) resumed = pd_test_merge_text (paused, "{\"print\":{\"gcode_state\":\"RUNNING\"}}");
  /* low word below 0x4000: a status word, not an error */
  g_autoptr (PdState) status_word = pd_test_merge_text (s0, "{\"print\":{\"gcode_state\":\"PAUSE\",\"print_error\":50331649}}");
  /* a module id above 0x0F keeps all 8 digits (no leading-zero trick) */
  g_autoptr (PdState) ams_lite = pd_test_merge_text (s0, "{\"print\":{\"gcode_state\":\"PAUSE\",\"print_error\":\"302022658\"}}");

  assert_doc_string (paused, "status", "paused");
  assert_doc_string (paused, "print_error.code", "0700_8006");
  assert_doc_null (resumed, "print_error");
  assert_doc_null (status_word, "print_error");
  assert_doc_string (ams_lite, "print_error.code", "1200_8002");
}

static void
test_hms_decode (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("20P5BJ661500023");
  /* X2D capture 0500_0600_0002_0070 and the heatbed code 0300_0100_0001_0007;
   * the fatal one is listed first, the duplicate once.
   */
  g_autoptr (PdState) s1 = pd_test_merge_text (s0,
                                               "{\"print\":{\"hms\":[{\"attr\":83887616,\"code\":131184,\"ts_boot\":1},"
                                               "{\"attr\":50331904,\"code\":65543},{\"attr\":\"0x03000100\",\"code\":\"0x00010007\"},"
                                               "{\"attr\":201327360,\"code\":196615},{\"attr\":0,\"code\":5}]}}");
  g_autoptr (PdState) s2 = pd_test_merge_text (s1, "{\"print\":{\"hms\":[{\"attr\":201327360,\"code\":196615}]}}");
  g_autoptr (PdState) s3 = pd_test_merge_text (s2, "{\"print\":{\"hms\":[]}}");
  /* no hms key: unchanged */
  g_autoptr (PdState) s4 = pd_test_merge_text (s2, "{\"print\":{\"mc_percent\":3}}");

  g_assert_cmpuint (pd_test_doc_length (s1, "hms.errors"), ==, 3);
  assert_doc_string (s1, "hms.level", "fatal");
  assert_doc_string (s1, "hms.errors[0].code", "0300_0100_0001_0007");
  assert_doc_string (s1, "hms.errors[0].severity", "fatal");
  assert_doc_string (s1, "hms.errors[0].module", "Motion controller");
  assert_doc_string (s1, "hms.errors[1].code", "0500_0600_0002_0070");
  assert_doc_string (s1, "hms.errors[1].severity", "serious");
  assert_doc_string (s1, "hms.errors[1].module", "Mainboard");
  /* no wiki article for this code: Bambu's page for the code (the serial
   * stays out of documents that may be mirrored)
   */
  assert_doc_string (s1, "hms.errors[1].url",
                     "https://e.bambulab.com/index.php?e=0500060000020070&s=device_hms&lang=en");
  assert_doc_string (s1, "hms.errors[2].code", "0C00_0300_0003_0007");
  assert_doc_string (s1, "hms.errors[2].severity", "common");
  assert_doc_string (s1, "hms.errors[2].module", "AI camera");

  assert_doc_string (s2, "hms.level", "common");
  g_assert_cmpuint (pd_test_doc_length (s2, "hms.errors"), ==, 1);
  assert_doc_string (s3, "hms.level", "ok");
  g_assert_cmpuint (pd_test_doc_length (s3, "hms.errors"), ==, 0);
  g_assert_cmpuint (pd_test_doc_length (s4, "hms.errors"), ==, 1);
}

/* AMS ----------------------------------------------------------------------*/

static void
test_ams_deep_merge (void)
{
  g_autoptr (PdState)   s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  /* one tray's remain; a unit without its tray list; nothing else */
  g_autoptr (PdState)   d1 = pd_test_merge_text (s,
                                                 "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"1\",\"tray\":[{\"id\":\"2\",\"remain\":70}]},"
                                                   "{\"id\":\"0\",\"humidity\":\"2\",\"humidity_raw\":\"41\"}]}}}");
  g_autoptr (GPtrArray) changes = pd_state_diff (s, d1);

  assert_doc_int (d1, "ams.units[1].trays[2].remaining_percent", 70);
  assert_doc_string (d1, "ams.units[1].trays[2].material", "ABS");
  assert_doc_string (d1, "ams.units[1].trays[2].color", "#FFFFFFFF");
  assert_doc_int (d1, "ams.units[0].humidity_level", 4);
  assert_doc_int (d1, "ams.units[0].humidity_percent", 41);
  assert_doc_string (d1, "ams.units[0].trays[0].material", "PLA");
  g_assert_cmpuint (pd_test_doc_length (d1, "ams.units[0].trays"), ==, 4);
  g_assert_cmpuint (changes->len, ==, 3);
}

static void
test_ams_presence (void)
{
  g_autoptr (PdState) s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  /* slot 1.3 taken out: its bit clears */
  g_autoptr (PdState) d1 = pd_test_merge_text (s, "{\"print\":{\"ams\":{\"tray_exist_bits\":\"10e7f\"}}}");
  /* a spool put back that the AMS cannot identify: present, no type ("?") */
  g_autoptr (PdState) d2 = pd_test_merge_text (d1,
                                               "{\"print\":{\"ams\":{\"tray_exist_bits\":\"10eff\",\"ams\":[{\"id\":\"1\",\"tray\":[{\"id\":\"3\",\"tray_type\":\"\",\"tray_color\":\"00000000\"}]}]}}}");
  /* a slot listed with its id only is empty */
  g_autoptr (PdState) d3 = pd_test_merge_text (s, "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"2\"}]}]}}}");
  /* an AMS unplugged */
  g_autoptr (PdState) d4 = pd_test_merge_text (s, "{\"print\":{\"ams\":{\"ams_exist_bits\":\"15\"}}}");

  g_assert_false (pd_test_doc_bool (d1, "ams.units[1].trays[3].present"));
  assert_doc_null (d1, "ams.units[1].trays[3].material");
  assert_doc_null (d1, "ams.units[1].trays[3].remaining_percent");
  g_assert_true (pd_test_doc_bool (d1, "ams.units[1].trays[2].present"));

  g_assert_true (pd_test_doc_bool (d2, "ams.units[1].trays[3].present"));
  assert_doc_null (d2, "ams.units[1].trays[3].material");
  assert_doc_null (d2, "ams.units[1].trays[3].color");

  assert_doc_null (d3, "ams.units[0].trays[2].material");
  assert_doc_string (d3, "ams.units[0].trays[1].material", "PLA");

  g_assert_cmpuint (pd_test_doc_length (d4, "ams.units"), ==, 3);
  assert_doc_int (d4, "ams.units[0].id", 0);
  assert_doc_int (d4, "ams.units[1].id", 2);
  assert_doc_int (d4, "ams.units[2].id", 128);
}

static void
test_ams_humidity (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("00M00A000000001");
  g_autoptr (PdState) wet = pd_test_merge_text (s0, "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"1\"}]}}}");
  g_autoptr (PdState) dry = pd_test_merge_text (s0, "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":5}]}}}");
  g_autoptr (PdState) raw = pd_test_merge_text (dry, "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity_raw\":\"37\"}]}}}");

  /* the wire index runs the other way: 1 = wet = level 5 */
  assert_doc_int (wet, "ams.units[0].humidity_level", 5);
  assert_doc_null (wet, "ams.units[0].humidity_percent");
  assert_doc_int (dry, "ams.units[0].humidity_level", 1);
  assert_doc_int (raw, "ams.units[0].humidity_level", 1);
  assert_doc_int (raw, "ams.units[0].humidity_percent", 37);
}

static void
test_ams_active_slot (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("00M00A000000001");
  g_autoptr (PdState) global = pd_test_merge_text (s0, "{\"print\":{\"ams\":{\"tray_now\":\"6\"}}}");
  g_autoptr (PdState) external = pd_test_merge_text (s0, "{\"print\":{\"ams\":{\"tray_now\":254}}}");
  g_autoptr (PdState) none = pd_test_merge_text (global, "{\"print\":{\"ams\":{\"tray_now\":\"255\"}}}");
  g_autoptr (PdState) ht = pd_test_merge_text (s0, "{\"print\":{\"ams\":{\"tray_now\":\"129\"}}}");
  g_autoptr (PdState) h0 = pd_state_new ("094000000000001");
  /* H2D: the left extruder (1) is active and fed from the external spool */
  g_autoptr (PdState) h2d = pd_test_merge_text (h0,
                                                "{\"print\":{\"device\":{\"extruder\":{\"state\":18,\"info\":[{\"id\":0,\"snow\":259},{\"id\":1,\"snow\":65279}]}},"
                                                "\"ams\":{\"tray_now\":\"3\"}}}");
  g_autoptr (PdState) h2d_right = pd_test_merge_text (h2d, "{\"print\":{\"device\":{\"extruder\":{\"state\":2}}}}");

  assert_doc_int (global, "ams.active_slot.unit", 1);
  assert_doc_int (global, "ams.active_slot.slot", 2);
  assert_doc_null (external, "ams.active_slot.unit");
  assert_doc_int (external, "ams.active_slot.slot", 254);
  assert_doc_null (none, "ams.active_slot");
  assert_doc_int (ht, "ams.active_slot.unit", 129);
  assert_doc_int (ht, "ams.active_slot.slot", 0);
  assert_doc_null (h2d, "ams.active_slot.unit");
  assert_doc_int (h2d, "ams.active_slot.slot", 254);
  /* 259 = 0x0103: AMS 1, slot 3 */
  assert_doc_int (h2d_right, "ams.active_slot.unit", 1);
  assert_doc_int (h2d_right, "ams.active_slot.slot", 3);
}

static void
test_tray_remaining (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("00M00A000000001");
  g_autoptr (PdState) rfid = pd_test_merge_text (s0,
                                                 "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"PLA\",\"remain\":64,"
                                                 "\"tag_uid\":\"DE6CF07300000100\",\"tray_color\":\"FF6A13\"}]}]}}}");
  /* periodic update with an empty tag: the spool is still the RFID one */
  g_autoptr (PdState) periodic = pd_test_merge_text (rfid,
                                                     "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"remain\":63,\"tag_uid\":\"\"}]}]}}}");
  g_autoptr (PdState) untracked = pd_test_merge_text (rfid,
                                                      "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"0\",\"remain\":-1}]}]}}}");

  assert_doc_int (rfid, "ams.units[0].trays[0].remaining_percent", 64);
  /* RRGGBB without alpha is opaque */
  assert_doc_string (rfid, "ams.units[0].trays[0].color", "#FF6A13FF");
  assert_doc_int (periodic, "ams.units[0].trays[0].remaining_percent", 63);
  assert_doc_null (untracked, "ams.units[0].trays[0].remaining_percent");
}

/* Temperatures -------------------------------------------------------------*/

static void
test_temperatures_packed (void)
{
  g_autoptr (PdState) s0 = pd_state_new ("093000000000001");
  /* H2S: single nozzle, packed values only */
  g_autoptr (PdState) s1 = pd_test_merge_text (s0,
                                               "{\"print\":{\"device\":{\"extruder\":{\"state\":1,\"info\":[{\"id\":0,\"temp\":18022675}]},"
                                               "\"bed\":{\"info\":{\"temp\":5898300}},\"ctc\":{\"info\":{\"temp\":2621475}}}}}");
  /* the chamber heater off: a bare current */
  g_autoptr (PdState) s2 = pd_test_merge_text (s1, "{\"print\":{\"device\":{\"ctc\":{\"info\":{\"temp\":31}}}}}");
  g_autoptr (PdState) s3 = pd_test_merge_text (s2, "{\"print\":{\"info\":{\"temp\":3932220}}}");

  assert_doc_double (s1, "temperatures.nozzle.current", 275);
  assert_doc_double (s1, "temperatures.nozzle.target", 275);
  assert_doc_double (s1, "temperatures.bed.current", 60);
  assert_doc_double (s1, "temperatures.bed.target", 90);
  assert_doc_double (s1, "temperatures.chamber.current", 35);
  assert_doc_double (s1, "temperatures.chamber.target", 40);
  assert_doc_null (s1, "temperatures.nozzle_right");
  assert_doc_double (s2, "temperatures.chamber.current", 31);
  assert_doc_double (s2, "temperatures.chamber.target", 0);
  assert_doc_double (s3, "temperatures.chamber.current", 60);
  assert_doc_double (s3, "temperatures.chamber.target", 60);
}

static void
test_temperatures_no_chamber (void)
{
  static const char *serials[] = { "01S00C000000001", "01P00A000000001", "03900A000000001", "03000A000000001" };

  for (guint i = 0; i < G_N_ELEMENTS (serials); i++)
    {
      g_autoptr (PdState) s0 = pd_state_new (serials[i]);
      g_autoptr (PdState) s1 = pd_test_merge_text (s0, "{\"print\":{\"chamber_temper\":5,\"nozzle_temper\":30}}");

      assert_doc_null (s1, "temperatures.chamber");
      assert_doc_double (s1, "temperatures.nozzle.current", 30);
    }
}

static void
test_wifi_and_light (void)
{
  g_autoptr (PdState) s0 = pd_state_new (NULL);
  g_autoptr (PdState) s1 = pd_test_merge_text (s0,
                                               "{\"print\":{\"wifi_signal\":\"-61dBm\",\"lights_report\":[{\"node\":\"work_light\",\"mode\":\"flashing\"},"
                                               "{\"node\":\"chamber_light\",\"mode\":\"on\"}]}}");
  g_autoptr (PdState) s2 = pd_test_merge_text (s1,
                                               "{\"print\":{\"wifi_signal\":-70,\"lights_report\":[{\"node\":\"chamber_light\",\"mode\":\"off\"}]}}");

  assert_doc_int (s1, "wifi_dbm", -61);
  g_assert_true (pd_test_doc_bool (s1, "light"));
  assert_doc_int (s2, "wifi_dbm", -70);
  g_assert_false (pd_test_doc_bool (s2, "light"));
}

static void
test_command_replies_ignored (void)
{
  g_autoptr (PdState)   s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  /* a reply echoes a requested value that is not the printer's state */
  g_autoptr (PdState)   d = pd_test_merge_text (s,
                                                "{\"print\":{\"command\":\"extrusion_cali_get\",\"nozzle_temper\":999,\"sequence_id\":\"5\",\"result\":\"success\"}}");
  g_autoptr (PdState)   other = pd_test_merge_text (s, "{\"system\":{\"command\":\"ledctrl\",\"result\":\"success\"}}");
  g_autoptr (GPtrArray) changes = pd_state_diff (s, d);
  g_autoptr (GPtrArray) other_changes = pd_state_diff (s, other);

  g_assert_cmpuint (changes->len, ==, 0);
  g_assert_cmpuint (other_changes->len, ==, 0);
}

/* The printer object shows what the document says. */
static void
test_printer_matches_document (void)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (NULL);
  PdState              *s;
  PdJob                *job;
  g_autoptr (PdAmsUnit) unit = NULL;
  g_autoptr (PdAmsTray) tray = NULL;

  pd_printer_set_configured_model (printer, "H2D");
  pd_test_apply_fixture (printer, "reports/H2D_running_ams_amsht_encoded_temps_push_status.json");
  s = pd_printer_get_state (printer);

  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_PRINTING);
  g_assert_cmpstr (pd_status_to_string (pd_printer_get_status (printer)), ==, pd_test_doc_string (s, "status"));
  g_assert_cmpstr (pd_printer_get_stage (printer), ==, pd_test_doc_string (s, "stage"));
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "H2D");
  g_assert_cmpstr (pd_printer_get_model_name (printer), ==, "H2D");
  g_assert_cmpfloat (pd_temperature_get_current (pd_printer_get_nozzle_right (printer)), ==, 264);
  g_assert_cmpfloat (pd_temperature_get_target (pd_printer_get_chamber (printer)), ==, 60);

  job = pd_printer_get_job (printer);
  g_assert_nonnull (job);
  g_assert_cmpstr (pd_job_get_name (job), ==, "Number 10 House Numbers_plate_1");
  g_assert_cmpint (pd_job_get_total_layers (job), ==, 26);
  g_assert_cmpint (pd_job_get_remaining_minutes (job), ==, 115);
  /* the finish time is the report's time plus the minutes left */
  g_assert_cmpint (pd_job_get_finish_time (job), ==,
                   pd_printer_get_last_report_time (printer) + (gint64) 115 * 60 * G_USEC_PER_SEC);
  g_assert_true (isnan (pd_job_get_filament_grams_total (job)));

  g_assert_cmpuint (g_list_model_get_n_items (pd_printer_get_ams_units (printer)), ==, 2);
  unit = g_list_model_get_item (pd_printer_get_ams_units (printer), 1);
  g_assert_cmpint (pd_ams_unit_get_id (unit), ==, 128);
  g_assert_cmpint (pd_ams_unit_get_unit_type (unit), ==, PD_AMS_TYPE_AMS_HT);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), ==, 6);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), ==, -1);
  tray = g_list_model_get_item (pd_ams_unit_get_trays (unit), 0);
  g_assert_cmpstr (pd_ams_tray_get_material (tray), ==, "PA-GF");
  g_assert_cmpstr (pd_ams_tray_get_color (tray), ==, "#000000FF");
  g_assert_cmpint (pd_ams_tray_get_nozzle_temp_min (tray), ==, 260);
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, 128);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 0);
  g_assert_cmpint (pd_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_RTSPS);
  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, -55);
  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_YES);
  g_assert_cmpint (pd_printer_get_door_open (printer), ==, PD_TRISTATE_NO);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_NONE);
}

/* Every fixture, through the same path: parse, merge, render, read back. */
static void
test_all_fixtures_render (void)
{
  g_autofree char *dir_path = pd_test_fixture_path ("reports");
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char      *name;
  guint            n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char       *path = g_strconcat ("reports/", name, NULL);
      g_autoptr (PdState)    empty = pd_state_new ("00M00A000000001");
      g_autoptr (PdState)    s = pd_test_merge_fixture (empty, path);
      g_autofree char       *text = pd_state_to_string (s, TRUE);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError)     error = NULL;

      json_parser_load_from_data (parser, text, -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      g_assert_cmpuint (s->n_reports, ==, 1);
      n++;
    }

  g_assert_cmpuint (n, ==, 7);
}

/* Changes -------------------------------------------------------------------*/

/* The reference: two documents compared leaf by leaf, as the state
 * document's contract says (docs/DESIGN.md): a value that differs by its
 * path, an object that appeared or went by its own, a list whose length
 * changed as a whole. */
static void
reference_diff (GString   *path,
                JsonNode  *a,
                JsonNode  *b,
                GPtrArray *changes)
{
  gsize len = path->len;

  if (JSON_NODE_HOLDS_OBJECT (a) && JSON_NODE_HOLDS_OBJECT (b))
    {
      g_autoptr (GList) members = json_object_get_members (json_node_get_object (b));

      for (const GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *na = json_object_get_member (json_node_get_object (a), l->data);

          g_string_append_printf (path, "%s%s", len > 0 ? "." : "", (const char *) l->data);
          if (na == NULL)
            g_ptr_array_add (changes, g_strdup (path->str));
          else
            reference_diff (path, na, json_object_get_member (json_node_get_object (b), l->data), changes);
          g_string_truncate (path, len);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (a) && JSON_NODE_HOLDS_ARRAY (b))
    {
      guint n = json_array_get_length (json_node_get_array (b));

      if (json_array_get_length (json_node_get_array (a)) != n)
        g_ptr_array_add (changes, g_strdup (path->str));
      else
        for (guint i = 0; i < n; i++)
          {
            g_string_append_printf (path, "[%u]", i);
            reference_diff (path, json_array_get_element (json_node_get_array (a), i),
                            json_array_get_element (json_node_get_array (b), i), changes);
            g_string_truncate (path, len);
          }
    }
  else if (!json_node_equal (a, b))
    g_ptr_array_add (changes, g_strdup (path->str));
}

/* The documents of fresh copies: nothing shared with another state */
static GPtrArray *
reference_changes (PdState *a,
                   PdState *b)
{
  g_autoptr (PdState) copy_a = pd_state_copy (a);
  g_autoptr (PdState) copy_b = pd_state_copy (b);
  g_autoptr (GString) path = g_string_new (NULL);
  GPtrArray          *changes = g_ptr_array_new_with_free_func (g_free);

  reference_diff (path, pd_state_to_json (copy_a), pd_state_to_json (copy_b), changes);

  return changes;
}

static void
assert_same_paths (GPtrArray *expected,
                   GPtrArray *changes)
{
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;

  g_ptr_array_add (expected, NULL);
  g_ptr_array_add (changes, NULL);
  want = g_strjoinv (" ", (char **) expected->pdata);
  got = g_strjoinv (" ", (char **) changes->pdata);
  g_ptr_array_remove_index (expected, expected->len - 1);
  g_ptr_array_remove_index (changes, changes->len - 1);
  g_assert_cmpstr (got, ==, want);
}

/* Reports that change each part of the document in turn, and back */
static const char *const sequence[] = {
  "{\"print\":{\"gcode_state\":\"RUNNING\",\"mc_percent\":10,\"layer_num\":3,\"total_layer_num\":100,"
  "\"mc_remaining_time\":50,\"subtask_name\":\"Benchy\",\"nozzle_temper\":220.5,\"nozzle_target_temper\":220,"
  "\"bed_temper\":60,\"bed_target_temper\":60,\"wifi_signal\":\"-50dBm\"}}",
  "{\"print\":{\"hms\":[{\"attr\":117473280,\"code\":131073},{\"attr\":201326848,\"code\":65537}]}}",
  "{\"print\":{\"nozzle_temper\":221.0}}",
  "{\"print\":{\"hms\":[{\"attr\":117473280,\"code\":131073}]}}",
  "{\"print\":{\"gcode_state\":\"PAUSE\",\"print_error\":50364435}}",
  "{\"print\":{\"nozzle_temper\":219.0}}",
  "{\"print\":{\"gcode_state\":\"FAILED\",\"print_error\":117473296}}",
  "{\"print\":{\"print_error\":0,\"gcode_state\":\"IDLE\",\"hms\":[]}}",
  "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"3\",\"temp\":\"25.1\",\"tray\":[{\"id\":\"0\",\"tray_type\":\"PLA\","
  "\"tray_color\":\"FF0000FF\",\"remain\":50},{\"id\":\"1\",\"tray_type\":\"PETG\",\"tray_color\":\"00FF00FF\",\"remain\":20}]}],"
  "\"tray_now\":\"1\",\"tray_exist_bits\":\"3\"}}}",
  "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"2\",\"temp\":\"25.3\",\"tray\":[{\"id\":\"0\",\"remain\":49}]}]}}}",
  "{\"print\":{\"ams\":{\"ams\":[{\"id\":\"0\",\"tray\":[{\"id\":\"1\",\"tray_type\":\"\"}]}],\"tray_exist_bits\":\"1\"}}}",
  "{\"print\":{\"lights_report\":[{\"node\":\"chamber_light\",\"mode\":\"on\"}],\"home_flag\":8388608}}",
  "{\"print\":{\"gcode_state\":\"RUNNING\",\"subtask_name\":\"Cube\",\"mc_percent\":0,\"layer_num\":0,\"stg_cur\":2}}",
  "{\"print\":{\"stg_cur\":4,\"mc_percent\":1}}",
  "{\"print\":{\"gcode_state\":\"FINISH\",\"mc_percent\":100,\"stg_cur\":255}}",
};

/* pd_state_diff() finds the changes without making the documents: it must
 * name exactly what comparing the documents names, for every fixture and
 * model, and through a sequence that changes every part. */
static void
test_diff_matches_documents (void)
{
  const char *const models[] = { NULL, "X1C", "P1S", "A1", "H2D" };
  const char *const fixtures[] = {
    "A1_idle_ams_lite_humidity_index_push_status", "H2D_running_ams_amsht_encoded_temps_push_status",
    "H2D_door_opened_stat_delta", "P1P_failed_push_status", "X1C_finish_2ams_ams2pro_drying_amsht_push_status",
    "X1_idle_ams_generic_spools_push_status", "H2D_get_version_response",
  };
  guint n = 0;

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      g_autoptr (PdState) empty = pd_state_new ("00M00A000000001");
      g_autoptr (PdState) state = pd_state_with_identity (empty, "Desk", models[m]);

      for (guint i = 0; i < G_N_ELEMENTS (fixtures) + G_N_ELEMENTS (sequence); i++)
        {
          g_autoptr (PdState)   next = NULL;
          g_autoptr (GPtrArray) changes = NULL;
          g_autoptr (GPtrArray) expected = NULL;

          if (i < G_N_ELEMENTS (fixtures))
            {
              g_autofree char *path = g_strconcat ("reports/", fixtures[i], ".json", NULL);

              next = pd_test_merge_fixture (state, path);
            }
          else
            next = pd_test_merge_text (state, sequence[i - G_N_ELEMENTS (fixtures)]);

          changes = pd_state_diff (state, next);
          expected = reference_changes (state, next);
          assert_same_paths (expected, changes);
          n += changes->len;
          g_clear_pointer (&state, pd_state_unref);
          state = g_steal_pointer (&next);
        }
    }

  /* the sequence changed something at every step */
  g_assert_cmpuint (n, >, 5 * G_N_ELEMENTS (sequence));
}

static JsonNode *
doc_member (PdState    *state,
            const char *key)
{
  return json_object_get_member (json_node_get_object (pd_state_to_json (state)), key);
}

/* A report that leaves the HMS and the AMS alone shares their parts of the
 * document with the state before; one that changes them does not. */
static void
test_diff_shares_unchanged_parts (void)
{
  g_autoptr (PdState)   s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  g_autoptr (PdState)   with_hms = pd_test_merge_text (s, sequence[1]);
  g_autoptr (PdState)   warmer = pd_test_merge_text (with_hms, sequence[2]);
  g_autoptr (PdState)   ams_changed = pd_test_merge_text (warmer, sequence[9]);
  g_autoptr (GPtrArray) changes = NULL;

  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = pd_state_diff (s, with_hms);
  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = pd_state_diff (with_hms, warmer);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "temperatures.nozzle.current");
  g_assert_true (doc_member (warmer, "hms") == doc_member (with_hms, "hms"));
  g_assert_true (doc_member (warmer, "print_error") == doc_member (with_hms, "print_error"));
  g_assert_true (doc_member (warmer, "ams") == doc_member (with_hms, "ams"));
  g_assert_true (doc_member (with_hms, "hms") != doc_member (s, "hms"));

  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = pd_state_diff (warmer, ams_changed);
  g_assert_true (doc_member (ams_changed, "ams") != doc_member (warmer, "ams"));
  g_assert_true (doc_member (ams_changed, "hms") == doc_member (warmer, "hms"));
}

/* HMS texts that were reloaded are looked up again: the next state's HMS
 * part is made anew, not shared. */
static void
test_diff_hms_texts_reloaded (void)
{
  g_autoptr (PdState)       s = fixture_state ("X1C", "X1C_finish_2ams_ams2pro_drying_amsht_push_status");
  g_autoptr (PdState)       with_hms = pd_test_merge_text (s, sequence[1]);
  g_autoptr (PdState)       warmer = pd_test_merge_text (with_hms, sequence[2]);
  PdHmsDatabase            *database = pd_hms_database_get_default ();
  g_autoptr (GPtrArray)     changes = pd_state_diff (s, with_hms);
  g_autoptr (GError)        error = NULL;
  guint                     generation = pd_hms_database_get_generation ();

  g_assert_true (pd_hms_database_reload (database, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_hms_database_get_generation (), !=, generation);

  g_clear_pointer (&changes, g_ptr_array_unref);
  changes = pd_state_diff (with_hms, warmer);
  g_assert_true (doc_member (warmer, "hms") != doc_member (with_hms, "hms"));
  /* the same texts again: only the temperature changed */
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "temperatures.nozzle.current");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/fixture/a1-idle", test_fixture_a1_idle);
  g_test_add_func ("/report/fixture/p1p-failed", test_fixture_p1p_failed);
  g_test_add_func ("/report/fixture/x1c-finish", test_fixture_x1c_finish);
  g_test_add_func ("/report/fixture/x1-idle", test_fixture_x1_idle);
  g_test_add_func ("/report/fixture/h2d-running", test_fixture_h2d_running);
  g_test_add_func ("/report/fixture/h2d-door-delta", test_fixture_h2d_door_delta);
  g_test_add_func ("/report/fixture/all-render", test_all_fixtures_render);
  g_test_add_func ("/report/model/get-version", test_model_from_get_version);
  g_test_add_func ("/report/model/serial", test_model_from_serial);
  g_test_add_func ("/report/delta/keeps-absent-fields", test_delta_keeps_absent_fields);
  g_test_add_func ("/report/delta/print-sequence", test_delta_print_sequence);
  g_test_add_func ("/report/status/cancel-is-not-failure", test_delta_cancel_is_not_failure);
  g_test_add_func ("/report/status/print-error", test_print_error_display);
  g_test_add_func ("/report/hms/decode", test_hms_decode);
  g_test_add_func ("/report/ams/deep-merge", test_ams_deep_merge);
  g_test_add_func ("/report/ams/presence", test_ams_presence);
  g_test_add_func ("/report/ams/humidity", test_ams_humidity);
  g_test_add_func ("/report/ams/active-slot", test_ams_active_slot);
  g_test_add_func ("/report/ams/remaining", test_tray_remaining);
  g_test_add_func ("/report/temperatures/packed", test_temperatures_packed);
  g_test_add_func ("/report/temperatures/no-chamber", test_temperatures_no_chamber);
  g_test_add_func ("/report/misc/wifi-and-light", test_wifi_and_light);
  g_test_add_func ("/report/misc/command-replies", test_command_replies_ignored);
  g_test_add_func ("/report/printer/matches-document", test_printer_matches_document);
  g_test_add_func ("/report/diff/matches-documents", test_diff_matches_documents);
  g_test_add_func ("/report/diff/shares-unchanged-parts", test_diff_shares_unchanged_parts);
  g_test_add_func ("/report/diff/hms-texts-reloaded", test_diff_hms_texts_reloaded);

  return g_test_run ();
}
