/* test-ams.c — AMS units and trays from real reports
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the AMS view shows comes from PdAmsUnit and PdAmsTray: their names,
 * types, humidity, drying state and spools are checked against the recorded
 * reports of four printers (tests/fixtures/README.md says what each one
 * holds). Reports written inline use ' for ".
 */

#include "config.h"

#include <math.h>

#include "pd-test-util.h"

#define SERIAL_X1C "00M00A000000001"
#define SERIAL_X1  "00W00A000000001"
#define SERIAL_H2D "094000000000001"
#define SERIAL_A1  "03900A000000001"
#define SERIAL_A2L "26A00A000000001"

#define X1C_FIXTURE "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json"
#define H2D_FIXTURE "reports/H2D_running_ams_amsht_encoded_temps_push_status.json"
#define A1_FIXTURE  "reports/A1_idle_ams_lite_humidity_index_push_status.json"
#define X1_FIXTURE  "reports/X1_idle_ams_generic_spools_push_status.json"

/* Helpers ------------------------------------------------------------------*/

/* Applies a push_status report made of @body (the members of "print",
 * written with ' for ").
 */
static void
apply_print (PdPrinter  *printer,
             const char *body)
{
  g_autofree char *text = g_strdup_printf ("{'print':{'command':'push_status',%s}}", body);

  pd_test_apply_text (printer, g_strdelimit (text, "'", '"'));
}

static PdPrinter *
printer_from_fixture (const char *serial,
                      const char *fixture)
{
  PdPrinter *printer = pd_printer_new (serial);

  pd_test_apply_fixture (printer, fixture);

  return printer;
}

static PdPrinter *
printer_from_report (const char *serial,
                     const char *body)
{
  PdPrinter *printer = pd_printer_new (serial);

  apply_print (printer, body);

  return printer;
}

static guint
n_units (PdPrinter *printer)
{
  return g_list_model_get_n_items (pd_printer_get_ams_units (printer));
}

/* Borrows the unit with @id (the list keeps its reference). */
static PdAmsUnit *
unit_by_id (PdPrinter *printer,
            int        id)
{
  GListModel *units = pd_printer_get_ams_units (printer);

  for (guint i = 0; i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);

      if (pd_ams_unit_get_id (unit) == id)
        return unit;
    }

  g_error ("no AMS unit %d", id);
}

/* Borrows the tray in @slot of unit @id. */
static PdAmsTray *
tray_at (PdPrinter *printer,
         int        id,
         int        slot)
{
  GListModel *trays = pd_ams_unit_get_trays (unit_by_id (printer, id));

  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    {
      g_autoptr (PdAmsTray) tray = g_list_model_get_item (trays, i);

      if (pd_ams_tray_get_slot (tray) == slot)
        return tray;
    }

  g_error ("no slot %d in AMS unit %d", slot, id);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
assert_tray (PdAmsTray  *tray,
             gboolean    present,
             const char *material,
             int         remaining)
{
  g_assert_cmpint (pd_ams_tray_get_present (tray), ==, present);
  g_assert_cmpstr (pd_ams_tray_get_material (tray), ==, material);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, remaining);
}

/* Units from the recorded reports ------------------------------------------*/

/* X1 Carbon, FINISH: AMS 0 and 1, an AMS 2 Pro (2) that is drying, an AMS HT. */
static void
test_x1c_units (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_X1C, X1C_FIXTURE);
  const struct
  {
    int         id;
    PdAmsType   type;
    const char *name;
    int         percent;
    int         level;
    double      temperature;
  } expected[] = {
    { 0, PD_AMS_TYPE_AMS, "AMS A", 8, 1, 26.2 },
    { 1, PD_AMS_TYPE_AMS, "AMS B", 4, 1, 25.4 },
    { 2, PD_AMS_TYPE_AMS_2_PRO, "AMS C", 9, 2, 65.0 },
    { 128, PD_AMS_TYPE_AMS_HT, "HT-A", 8, 1, 45.2 },
  };
  GListModel *units = pd_printer_get_ams_units (printer);

  g_assert_cmpuint (n_units (printer), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);
      g_autofree char      *name = NULL;

      g_assert_cmpint (pd_ams_unit_get_id (unit), ==, expected[i].id);
      g_assert_cmpint (pd_ams_unit_get_unit_type (unit), ==, expected[i].type);
      g_assert_cmpstr (pd_ams_unit_get_name (unit), ==, expected[i].name);
      g_object_get (unit, "name", &name, NULL);
      g_assert_cmpstr (name, ==, expected[i].name);
      /* humidity_raw is a percentage; the level is the 1–5 index turned round */
      g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), ==, expected[i].percent);
      g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), ==, expected[i].level);
      g_assert_cmpfloat_with_epsilon (pd_ams_unit_get_temperature (unit), expected[i].temperature, 1e-9);
      /* One nozzle: no left or right */
      g_assert_cmpint (pd_ams_unit_get_extruder (unit), ==, PD_EXTRUDER_UNKNOWN);
      g_assert_true (pd_ams_unit_get_holds_filament (unit));
    }

  /* The classic AMS reports dry_time 0, but has no heater. */
  g_assert_false (pd_ams_unit_get_drying_supported (unit_by_id (printer, 0)));
  g_assert_false (pd_ams_unit_get_drying (unit_by_id (printer, 0)));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (unit_by_id (printer, 0)), ==, -1);
  /* The AMS 2 Pro dries: info bits 4–7 = 2, 583 minutes left */
  g_assert_true (pd_ams_unit_get_drying_supported (unit_by_id (printer, 2)));
  g_assert_true (pd_ams_unit_get_drying (unit_by_id (printer, 2)));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (unit_by_id (printer, 2)), ==, 583);
  /* The AMS HT could, and does not */
  g_assert_true (pd_ams_unit_get_drying_supported (unit_by_id (printer, 128)));
  g_assert_false (pd_ams_unit_get_drying (unit_by_id (printer, 128)));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (unit_by_id (printer, 128)), ==, 0);

  /* Nothing is loaded after the print (tray_now 255, snow 0xFFFF). */
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, -1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, -1);
}

static void
test_x1c_trays (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_X1C, X1C_FIXTURE);
  PdAmsTray            *tray;

  g_assert_cmpuint (g_list_model_get_n_items (pd_ams_unit_get_trays (unit_by_id (printer, 0))), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (pd_ams_unit_get_trays (unit_by_id (printer, 128))), ==, 1);

  /* Bambu spools: RFID-tagged, so what is left is known */
  tray = tray_at (printer, 0, 0);
  assert_tray (tray, TRUE, "PLA", 93);
  g_assert_cmpstr (pd_ams_tray_get_name (tray), ==, "PLA Matte");
  g_assert_cmpstr (pd_ams_tray_get_color (tray), ==, "#000000FF");
  g_assert_cmpint (pd_ams_tray_get_drying_temperature (tray), ==, 55);
  g_assert_cmpint (pd_ams_tray_get_drying_hours (tray), ==, 8);
  assert_tray (tray_at (printer, 1, 1), TRUE, "ABS", 20);
  assert_tray (tray_at (printer, 2, 2), TRUE, "ABS", 62);
  assert_tray (tray_at (printer, 128, 0), TRUE, "PA-CF", 100);

  /* The AMS 2 Pro's first slot is empty: {id, state 0}, its bit clear */
  tray = tray_at (printer, 2, 0);
  assert_tray (tray, FALSE, NULL, -1);
  g_assert_null (pd_ams_tray_get_color (tray));
  g_assert_null (pd_ams_tray_get_name (tray));
}

/* H2D: two nozzles; the AMS feeds the left one, the AMS HT the right one,
 * which prints from it.
 */
static void
test_h2d_extruders (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_H2D, H2D_FIXTURE);
  PdAmsUnit            *ams, *ht;
  PdNotifyCounter       counter;

  g_assert_cmpuint (n_units (printer), ==, 2);
  ams = unit_by_id (printer, 0);
  ht = unit_by_id (printer, 128);

  g_assert_cmpstr (pd_ams_unit_get_name (ams), ==, "AMS A");
  g_assert_cmpint (pd_ams_unit_get_unit_type (ams), ==, PD_AMS_TYPE_AMS);
  g_assert_cmpint (pd_ams_unit_get_extruder (ams), ==, PD_EXTRUDER_LEFT); /* info 1101 */
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (ams), ==, 24);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (ams), ==, 2);
  g_assert_false (pd_ams_unit_get_drying_supported (ams));

  g_assert_cmpstr (pd_ams_unit_get_name (ht), ==, "HT-A");
  g_assert_cmpint (pd_ams_unit_get_unit_type (ht), ==, PD_AMS_TYPE_AMS_HT);
  g_assert_cmpint (pd_ams_unit_get_extruder (ht), ==, PD_EXTRUDER_RIGHT); /* info 2004 */
  /* humidity "0": the index is not ready; the percentage is there */
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (ht), ==, 6);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (ht), ==, -1);
  g_assert_true (pd_ams_unit_get_drying_supported (ht));
  g_assert_false (pd_ams_unit_get_drying (ht));
  assert_tray (tray_at (printer, 128, 0), TRUE, "PA-GF", 100);
  assert_tray (tray_at (printer, 0, 3), TRUE, "PETG", 26);

  /* The right extruder prints from the AMS HT (snow 0x8000). */
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, 128);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 0);

  /* 0xE in bits 8–11: not initialised */
  pd_notify_counter_init (&counter, ams);
  apply_print (printer, "'ams':{'ams':[{'id':'0','info':'1E01'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "extruder"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 1);
  g_assert_cmpint (pd_ams_unit_get_extruder (ams), ==, PD_EXTRUDER_UNKNOWN);
  pd_notify_counter_reset (&counter);
  apply_print (printer, "'ams':{'ams':[{'id':'0','info':'1001'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "extruder"), ==, 1);
  g_assert_cmpint (pd_ams_unit_get_extruder (ams), ==, PD_EXTRUDER_RIGHT);
  pd_notify_counter_clear (&counter);
}

/* A1: an AMS lite that reports the humidity index only. */
static void
test_a1_ams_lite (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_A1, A1_FIXTURE);
  PdAmsUnit            *unit;

  g_assert_cmpuint (n_units (printer), ==, 1);
  unit = unit_by_id (printer, 0);
  g_assert_cmpint (pd_ams_unit_get_unit_type (unit), ==, PD_AMS_TYPE_AMS_LITE);
  g_assert_cmpstr (pd_ams_unit_get_name (unit), ==, "AMS lite");
  g_assert_cmpint (pd_ams_unit_get_extruder (unit), ==, PD_EXTRUDER_UNKNOWN);

  /* Wire index 5 (dry) is level 6 − 5 = 1, not a percentage. */
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), ==, -1);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), ==, 1);
  g_assert_cmpint (pd_ams_unit_get_humidity (unit, 40, 60), ==, PD_HUMIDITY_OK);
  g_assert_true (isnan (pd_ams_unit_get_temperature (unit))); /* 0.0: no sensor */
  g_assert_false (pd_ams_unit_get_drying_supported (unit));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (unit), ==, -1);

  /* Spools without a Bambu tag: remain 100 is not a measurement. */
  for (int slot = 0; slot < 4; slot++)
    assert_tray (tray_at (printer, 0, slot), TRUE, "PLA", -1);
  g_assert_cmpstr (pd_ams_tray_get_color (tray_at (printer, 0, 2)), ==, "#FF80FFFF");
  g_assert_true (pd_ams_unit_get_holds_filament (unit));

  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, -1);

  /* The wettest index is level 5. */
  apply_print (printer, "'ams':{'ams':[{'id':'0','humidity':'1'}]}");
  g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), ==, 5);
  g_assert_cmpint (pd_ams_unit_get_humidity (unit, 40, 60), ==, PD_HUMIDITY_HIGH);
}

/* The A2L reports its AMS lite as unit 16. */
static void
test_a2l_ams_lite (void)
{
  g_autoptr (PdPrinter) printer =
    printer_from_report (SERIAL_A2L, "'ams':{'ams':[{'id':'16','humidity':'4','tray':[{'id':'0','tray_type':'PLA'}]}]}");
  g_autoptr (PdPrinter) other =
    printer_from_report (SERIAL_X1C, "'ams':{'ams':[{'id':'16','tray':[{'id':'0','tray_type':'PLA'}]}]}");

  g_assert_cmpstr (pd_ams_unit_get_name (unit_by_id (printer, 16)), ==, "AMS lite");
  g_assert_cmpint (pd_ams_unit_get_unit_type (unit_by_id (printer, 16)), ==, PD_AMS_TYPE_AMS_LITE);
  g_assert_cmpstr (pd_ams_unit_get_name (unit_by_id (other, 16)), ==, "AMS lite");
}

/* X1, idle: one AMS with generic spools (no tag), slot 0 empty. */
static void
test_x1_generic_spools (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_X1, X1_FIXTURE);
  PdAmsUnit            *unit;
  PdAmsTray            *first;
  PdNotifyCounter       counter;

  g_assert_cmpuint (n_units (printer), ==, 1);
  unit = unit_by_id (printer, 0);
  g_assert_cmpstr (pd_ams_unit_get_name (unit), ==, "AMS A");
  g_assert_cmpint (pd_ams_unit_get_unit_type (unit), ==, PD_AMS_TYPE_AMS);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), ==, -1);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (unit), ==, 2);
  g_assert_false (pd_ams_unit_get_drying_supported (unit));
  g_assert_true (pd_ams_unit_get_holds_filament (unit));

  first = tray_at (printer, 0, 0);
  assert_tray (first, FALSE, NULL, -1);
  /* remain 0 on a generic spool is not "empty": not known */
  assert_tray (tray_at (printer, 0, 1), TRUE, "PLA", -1);
  g_assert_cmpstr (pd_ams_tray_get_name (tray_at (printer, 0, 1)), ==, "Bambu PLA Basic");
  assert_tray (tray_at (printer, 0, 2), TRUE, "PLA", -1);
  g_assert_cmpstr (pd_ams_tray_get_color (tray_at (printer, 0, 2)), ==, "#DFE2E3FF");
  assert_tray (tray_at (printer, 0, 3), TRUE, "PLA", -1);

  /* A spool the AMS could not identify: present, no material ("?") */
  apply_print (printer, "'ams':{'tray_exist_bits':'f'}");
  g_assert_true (tray_at (printer, 0, 0) == first);
  assert_tray (first, TRUE, NULL, -1);

  /* Every spool taken out */
  pd_notify_counter_init (&counter, unit);
  apply_print (printer, "'ams':{'tray_exist_bits':'0'}");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "holds-filament"), ==, 1);
  g_assert_false (pd_ams_unit_get_holds_filament (unit));
  for (int slot = 0; slot < 4; slot++)
    assert_tray (tray_at (printer, 0, slot), FALSE, NULL, -1);
  pd_notify_counter_reset (&counter);
  apply_print (printer, "'ams':{'tray_exist_bits':'0'}");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);
  pd_notify_counter_clear (&counter);
}

static void
test_names (void)
{
  g_autoptr (PdPrinter) printer =
    printer_from_report (SERIAL_X1C,
                         "'ams':{'ams':[{'id':'0'},{'id':'1'},{'id':'2'},{'id':'3'},{'id':'4'},"
                         "{'id':'128'},{'id':'129'},{'id':'135'}]}");
  const struct
  {
    int         id;
    const char *name;
  } expected[] = {
    { 0, "AMS A" },
    { 1, "AMS B" },
    { 2, "AMS C" },
    { 3, "AMS D" },
    { 4, "AMS E" },
    { 128, "HT-A" },
    { 129, "HT-B" },
    { 135, "HT-H" },
  };

  g_assert_cmpuint (n_units (printer), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (pd_ams_unit_get_name (unit_by_id (printer, expected[i].id)), ==, expected[i].name);

  /* No spool listed: the units hold no filament. */
  g_assert_false (pd_ams_unit_get_holds_filament (unit_by_id (printer, 0)));
}

/* A unit's name follows its type: info bits say AMS lite. */
static void
test_name_notify (void)
{
  g_autoptr (PdPrinter) printer = printer_from_report (SERIAL_X1C, "'ams':{'ams':[{'id':'0'}]}");
  PdAmsUnit            *unit = unit_by_id (printer, 0);
  PdNotifyCounter       counter;

  pd_notify_counter_init (&counter, unit);
  apply_print (printer, "'ams':{'ams':[{'id':'0','info':'1002'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "name"), ==, 1);
  g_assert_cmpstr (pd_ams_unit_get_name (unit), ==, "AMS lite");
  pd_notify_counter_reset (&counter);
  apply_print (printer, "'ams':{'ams':[{'id':'0','info':'1002'}]}");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);
  pd_notify_counter_clear (&counter);
}

/* A delta with one tray's remain: the same objects, one notify. */
static void
test_remain_delta (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_X1C, X1C_FIXTURE);
  PdAmsUnit            *unit = unit_by_id (printer, 1);
  PdAmsTray            *tray = tray_at (printer, 1, 2);
  PdAmsTray            *neighbour = tray_at (printer, 1, 1);
  PdNotifyCounter       tray_counter, neighbour_counter, unit_counter;
  guint                 trays_changed = 0, units_changed = 0;

  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, 71);
  pd_notify_counter_init (&tray_counter, tray);
  pd_notify_counter_init (&neighbour_counter, neighbour);
  pd_notify_counter_init (&unit_counter, unit);
  g_signal_connect (pd_ams_unit_get_trays (unit), "items-changed", G_CALLBACK (on_items_changed), &trays_changed);
  g_signal_connect (pd_printer_get_ams_units (printer), "items-changed", G_CALLBACK (on_items_changed), &units_changed);

  apply_print (printer, "'ams':{'ams':[{'id':'1','tray':[{'id':'2','remain':55}]}]}");

  g_assert_true (unit_by_id (printer, 1) == unit);
  g_assert_true (tray_at (printer, 1, 2) == tray);
  g_assert_cmpuint (trays_changed, ==, 0);
  g_assert_cmpuint (units_changed, ==, 0);
  g_assert_cmpuint (pd_notify_counter_get (&tray_counter, "remaining-percent"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&tray_counter), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&neighbour_counter), ==, 0);
  g_assert_cmpuint (pd_notify_counter_total (&unit_counter), ==, 0);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, 55);
  /* Everything else as it was */
  g_assert_cmpstr (pd_ams_tray_get_material (tray), ==, "ABS");
  g_assert_cmpstr (pd_ams_tray_get_color (tray), ==, "#FFFFFFFF");

  g_signal_handlers_disconnect_by_data (pd_ams_unit_get_trays (unit), &trays_changed);
  g_signal_handlers_disconnect_by_data (pd_printer_get_ams_units (printer), &units_changed);
  pd_notify_counter_clear (&tray_counter);
  pd_notify_counter_clear (&neighbour_counter);
  pd_notify_counter_clear (&unit_counter);
}

/* Most reports change no AMS: the units are left alone (not even compared);
 * an AMS change in a report that also changes other things still reaches
 * them. */
static void
test_unchanged_ams (void)
{
  g_autoptr (PdPrinter) printer = printer_from_fixture (SERIAL_X1C, X1C_FIXTURE);
  PdAmsUnit            *unit = unit_by_id (printer, 0);
  PdNotifyCounter       unit_counter;

  pd_notify_counter_init (&unit_counter, unit);
  apply_print (printer, "'nozzle_temper':201.5,'mc_percent':12");
  g_assert_cmpfloat_with_epsilon (pd_temperature_get_current (pd_printer_get_nozzle (printer)), 201.5, 1e-9);
  g_assert_cmpuint (pd_notify_counter_total (&unit_counter), ==, 0);

  apply_print (printer, "'nozzle_temper':202.5,'ams':{'ams':[{'id':'0','humidity_raw':'33'}]}");
  g_assert_true (unit_by_id (printer, 0) == unit);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (unit), ==, 33);
  g_assert_cmpuint (pd_notify_counter_get (&unit_counter, "humidity-percent"), ==, 1);
  g_assert_cmpfloat_with_epsilon (pd_temperature_get_current (pd_printer_get_nozzle (printer)), 202.5, 1e-9);
  pd_notify_counter_clear (&unit_counter);
}

/* pd_ams_unit_get_humidity() ----------------------------------------------*/

static PdHumidity
rate (const char *unit_body,
      guint       fair,
      guint       high)
{
  g_autofree char      *body = g_strdup_printf ("'ams':{'ams':[{'id':'0'%s%s}]}", *unit_body != '\0' ? "," : "", unit_body);
  g_autoptr (PdPrinter) printer = printer_from_report (SERIAL_X1C, body);

  return pd_ams_unit_get_humidity (unit_by_id (printer, 0), fair, high);
}

static void
test_humidity_thresholds (void)
{
  /* A percentage against the thresholds: above fair, above high */
  g_assert_cmpint (rate ("'humidity_raw':'41'", 40, 60), ==, PD_HUMIDITY_FAIR);
  g_assert_cmpint (rate ("'humidity_raw':'61'", 40, 60), ==, PD_HUMIDITY_HIGH);
  g_assert_cmpint (rate ("'humidity_raw':'60'", 40, 60), ==, PD_HUMIDITY_FAIR);
  g_assert_cmpint (rate ("'humidity_raw':'40'", 40, 60), ==, PD_HUMIDITY_OK);
  g_assert_cmpint (rate ("'humidity_raw':'12'", 40, 60), ==, PD_HUMIDITY_OK);
  g_assert_cmpint (rate ("'humidity_raw':'61'", 40, 70), ==, PD_HUMIDITY_FAIR);

  /* A level only: 4 and 5 are humid, whatever the thresholds */
  g_assert_cmpint (rate ("'humidity':'2'", 40, 60), ==, PD_HUMIDITY_HIGH); /* level 4 */
  g_assert_cmpint (rate ("'humidity':'1'", 40, 60), ==, PD_HUMIDITY_HIGH); /* level 5 */
  g_assert_cmpint (rate ("'humidity':'3'", 40, 60), ==, PD_HUMIDITY_OK);   /* level 3 */
  g_assert_cmpint (rate ("'humidity':'5'", 40, 60), ==, PD_HUMIDITY_OK);   /* level 1 */

  /* The percentage wins over the level. */
  g_assert_cmpint (rate ("'humidity':'1','humidity_raw':'30'", 40, 60), ==, PD_HUMIDITY_OK);

  /* Neither: not known ("0" is a unit that is not ready) */
  g_assert_cmpint (rate ("", 40, 60), ==, PD_HUMIDITY_UNKNOWN);
  g_assert_cmpint (rate ("'humidity':'0','humidity_raw':'0'", 40, 60), ==, PD_HUMIDITY_UNKNOWN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ams/unit/x1c", test_x1c_units);
  g_test_add_func ("/ams/unit/h2d-extruders", test_h2d_extruders);
  g_test_add_func ("/ams/unit/a1-ams-lite", test_a1_ams_lite);
  g_test_add_func ("/ams/unit/a2l-ams-lite", test_a2l_ams_lite);
  g_test_add_func ("/ams/unit/names", test_names);
  g_test_add_func ("/ams/unit/name-notify", test_name_notify);
  g_test_add_func ("/ams/unit/humidity", test_humidity_thresholds);
  g_test_add_func ("/ams/tray/x1c", test_x1c_trays);
  g_test_add_func ("/ams/tray/x1-generic-spools", test_x1_generic_spools);
  g_test_add_func ("/ams/tray/remain-delta", test_remain_delta);
  g_test_add_func ("/ams/unit/unchanged", test_unchanged_ams);

  return g_test_run ();
}
