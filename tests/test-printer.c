/* test-printer.c — PdPrinter and the objects it owns: notifications, identity, lifetime
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every readable property must notify exactly once when a report changes its
 * value and never when a report leaves it as it was; list models emit
 * items-changed instead, and keep their items' identity. Reports are written
 * with ' for " to keep them readable (none of them contains an apostrophe).
 */

#include "config.h"

#include <string.h>

#include "pd-test-util.h"
#include "pd-printer-private.h"

#define SERIAL_X1C     "00M00A000000001"
#define SERIAL_P1P     "01S00C000000001"
#define SERIAL_H2D     "094000000000001"
#define SERIAL_UNKNOWN "FFF00A000000001" /* no model has this prefix */

/* The clock pd_test_apply_text() uses. */
#define TEST_NOW (G_GINT64_CONSTANT (1764115200) * G_USEC_PER_SEC)
#define MINUTE   (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)

#define X1C_FIXTURE "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json"

/* Helpers ------------------------------------------------------------------*/

static char *
quote (const char *text)
{
  return g_strdelimit (g_strdup (text), "'", '"');
}

/* Applies a report written with ' for ". */
static void
apply (PdPrinter  *printer,
       const char *text)
{
  g_autofree char *json = quote (text);

  pd_test_apply_text (printer, json);
}

/* Applies a push_status report made of @body, the members of "print". */
static void
apply_print (PdPrinter  *printer,
             const char *body)
{
  g_autofree char *text = g_strdup_printf ("{'print':{'command':'push_status'%s%s}}",
                                           *body != '\0' ? "," : "", body);

  apply (printer, text);
}

/* Like apply_print(), at the time @now. */
static void
apply_print_at (PdPrinter  *printer,
                const char *body,
                gint64      now)
{
  g_autofree char     *text = g_strdup_printf ("{'print':{'command':'push_status'%s%s}}",
                                           *body != '\0' ? "," : "", body);
  g_autofree char     *json = quote (text);
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;

  report = pd_report_parse (json, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pd_printer_apply_report (printer, report, now, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A printer that has reported once: later reports at the same time leave
 * last-report-time alone.
 */
static PdPrinter *
printer_new_reported (const char *serial,
                      const char *body)
{
  PdPrinter *printer = pd_printer_new (serial);

  apply_print (printer, body);

  return printer;
}

/* Borrows item @index of @model (the model keeps its reference). */
static gpointer
model_peek (GListModel *model,
            guint       position)
{
  gpointer item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  g_object_unref (item);

  return item;
}

static PdAmsUnit *
peek_unit (PdPrinter *printer,
           guint      position)
{
  return model_peek (pd_printer_get_ams_units (printer), position);
}

static PdAmsTray *
peek_tray (PdPrinter *printer,
           guint      unit,
           guint      slot)
{
  return model_peek (pd_ams_unit_get_trays (peek_unit (printer, unit)), slot);
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

/* Everything a printer can signal. */
typedef struct
{
  PdPrinter      *printer;
  PdNotifyCounter notify;
  guint           state_changed;
  GPtrArray      *changes; /* the paths of the last state-changed */
  guint           hms_changed;
  guint           units_changed;
  guint           external_changed;
} Watch;

static void
on_state_changed (PdPrinter *printer,
                  GPtrArray *changes,
                  gpointer   user_data)
{
  Watch *w = user_data;

  w->state_changed++;
  g_clear_pointer (&w->changes, g_ptr_array_unref);
  w->changes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < changes->len; i++)
    g_ptr_array_add (w->changes, g_strdup (g_ptr_array_index (changes, i)));
}

static void
watch_init (Watch     *w,
            PdPrinter *printer)
{
  *w = (Watch){ .printer = printer };
  pd_notify_counter_init (&w->notify, printer);
  g_signal_connect (printer, "state-changed", G_CALLBACK (on_state_changed), w);
  g_signal_connect (pd_printer_get_hms_errors (printer), "items-changed",
                    G_CALLBACK (on_items_changed), &w->hms_changed);
  g_signal_connect (pd_printer_get_ams_units (printer), "items-changed",
                    G_CALLBACK (on_items_changed), &w->units_changed);
  g_signal_connect (pd_printer_get_ams_external (printer), "items-changed",
                    G_CALLBACK (on_items_changed), &w->external_changed);
}

static void
watch_reset (Watch *w)
{
  pd_notify_counter_reset (&w->notify);
  w->state_changed = 0;
  g_clear_pointer (&w->changes, g_ptr_array_unref);
  w->hms_changed = 0;
  w->units_changed = 0;
  w->external_changed = 0;
}

static void
watch_clear (Watch *w)
{
  g_signal_handlers_disconnect_by_data (w->printer, w);
  g_signal_handlers_disconnect_by_data (pd_printer_get_hms_errors (w->printer), &w->hms_changed);
  g_signal_handlers_disconnect_by_data (pd_printer_get_ams_units (w->printer), &w->units_changed);
  g_signal_handlers_disconnect_by_data (pd_printer_get_ams_external (w->printer), &w->external_changed);
  pd_notify_counter_clear (&w->notify);
  g_clear_pointer (&w->changes, g_ptr_array_unref);
}

static guint
watch_get (Watch      *w,
           const char *property)
{
  return pd_notify_counter_get (&w->notify, property);
}

static gboolean
watch_changed (Watch      *w,
               const char *path)
{
  if (w->changes == NULL)
    return FALSE;

  for (guint i = 0; i < w->changes->len; i++)
    if (g_str_equal (g_ptr_array_index (w->changes, i), path))
      return TRUE;

  return FALSE;
}

static void
assert_silent (Watch *w)
{
  g_assert_cmpuint (pd_notify_counter_total (&w->notify), ==, 0);
  g_assert_cmpuint (w->state_changed, ==, 0);
  g_assert_cmpuint (w->hms_changed, ==, 0);
  g_assert_cmpuint (w->units_changed, ==, 0);
  g_assert_cmpuint (w->external_changed, ==, 0);
}

/* Applies @body again: nothing at all may happen. */
static void
assert_repeat_silent (Watch      *w,
                      const char *body)
{
  watch_reset (w);
  apply_print (w->printer, body);
  assert_silent (w);
}

/* Ends a test: no signal handler or reference may be left behind. */
static void
watch_finish (Watch *w)
{
  PdPrinter *printer = w->printer;

  watch_clear (w);
  g_assert_finalize_object (printer);
}

/* Applies @body to the printer and asserts that @counter (on a child object)
 * saw exactly @property change, once, and that a repeat is silent.
 */
static void
assert_child_once (PdPrinter       *printer,
                   PdNotifyCounter *counter,
                   const char      *body,
                   const char      *property)
{
  pd_notify_counter_reset (counter);
  apply_print (printer, body);
  g_assert_cmpuint (pd_notify_counter_get (counter, property), ==, 1);

  pd_notify_counter_reset (counter);
  apply_print (printer, body);
  g_assert_cmpuint (pd_notify_counter_total (counter), ==, 0);
}

/* PdPrinter properties -----------------------------------------------------*/

static void
test_serial (void)
{
  PdPrinter       *printer = pd_printer_new (SERIAL_X1C);
  PdPrinter       *anonymous = pd_printer_new (NULL);
  GParamSpec      *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (printer), "serial");
  g_autofree char *serial = NULL;

  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_CONSTRUCT_ONLY);

  g_assert_cmpstr (pd_printer_get_serial (printer), ==, SERIAL_X1C);
  g_object_get (printer, "serial", &serial, NULL);
  g_assert_cmpstr (serial, ==, SERIAL_X1C);
  g_assert_cmpstr (pd_printer_get_state (printer)->serial, ==, SERIAL_X1C);

  /* A report does not change it. */
  apply_print (printer, "'gcode_state':'IDLE'");
  g_assert_cmpstr (pd_printer_get_serial (printer), ==, SERIAL_X1C);

  g_assert_null (pd_printer_get_serial (anonymous));
  g_assert_null (pd_printer_get_model (anonymous));

  g_assert_finalize_object (anonymous);
  g_assert_finalize_object (printer);
}

static void
test_name (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "");
  Watch      w;

  g_assert_null (pd_printer_get_name (printer));
  watch_init (&w, printer);

  pd_printer_set_name (printer, "Workshop");
  g_assert_cmpuint (watch_get (&w, "name"), ==, 1);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Workshop");
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  g_assert_cmpuint (w.state_changed, ==, 1);
  g_assert_true (watch_changed (&w, "name"));

  /* The same name again, by the setter or the property: nothing. */
  watch_reset (&w);
  pd_printer_set_name (printer, "Workshop");
  g_object_set (printer, "name", "Workshop", NULL);
  assert_silent (&w);

  /* Through the property, as a binding sets it. */
  g_object_set (printer, "name", "Garage", NULL);
  g_assert_cmpuint (watch_get (&w, "name"), ==, 1);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Garage");

  /* And back to none. */
  watch_reset (&w);
  pd_printer_set_name (printer, NULL);
  g_assert_cmpuint (watch_get (&w, "name"), ==, 1);
  g_assert_null (pd_printer_get_name (printer));

  /* A report leaves the name alone. */
  pd_printer_set_name (printer, "Workshop");
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'IDLE'");
  g_assert_cmpuint (watch_get (&w, "name"), ==, 0);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Workshop");

  watch_finish (&w);
}

/* pd_printer_set_state() with a state that names the printer differently,
 * as when the app restores the state it cached when it quit.
 */
static void
test_name_from_state (void)
{
  PdPrinter          *printer = printer_new_reported (SERIAL_X1C, "");
  g_autoptr (PdState) state = pd_state_with_identity (pd_printer_get_state (printer),
                                                      "Workshop", "P1P");
  Watch               w;

  watch_init (&w, printer);
  pd_printer_set_state (printer, state);

  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Workshop");
  g_assert_cmpstr (pd_printer_get_configured_model (printer), ==, "P1P");
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "P1P");
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  /* A name or model that comes with a whole state (the one cached when
   * the app quit) is announced like any other change.
   */
  g_assert_cmpuint (watch_get (&w, "name"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "configured-model"), ==, 1);

  /* The same state again: nothing. */
  watch_reset (&w);
  pd_printer_set_state (printer, state);
  assert_silent (&w);

  watch_finish (&w);
}

static void
test_configured_model (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_UNKNOWN, "");
  Watch      w;

  g_assert_null (pd_printer_get_configured_model (printer));
  g_assert_null (pd_printer_get_model (printer));
  g_assert_null (pd_printer_get_chamber (printer));
  watch_init (&w, printer);

  pd_printer_set_configured_model (printer, "X1C");
  g_assert_cmpuint (watch_get (&w, "configured-model"), ==, 1);
  g_assert_cmpstr (pd_printer_get_configured_model (printer), ==, "X1C");
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "model-name"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 1);
  g_assert_nonnull (pd_printer_get_chamber (printer));
  g_assert_cmpuint (watch_get (&w, "camera-kind"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  g_assert_cmpuint (w.state_changed, ==, 1);

  watch_reset (&w);
  pd_printer_set_configured_model (printer, "X1C");
  g_object_set (printer, "configured-model", "X1C", NULL);
  assert_silent (&w);

  /* Through the property, to another model. */
  g_object_set (printer, "configured-model", "P1P", NULL);
  g_assert_cmpuint (watch_get (&w, "configured-model"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "P1P");
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 1);
  g_assert_null (pd_printer_get_chamber (printer));

  /* Back to detecting it: the serial says nothing. */
  watch_reset (&w);
  pd_printer_set_configured_model (printer, NULL);
  g_assert_cmpuint (watch_get (&w, "configured-model"), ==, 1);
  g_assert_null (pd_printer_get_configured_model (printer));
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_null (pd_printer_get_model (printer));
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 0);

  watch_finish (&w);
}

static void
test_model (void)
{
  const char *get_version =
    "{'info':{'command':'get_version','module':[{'name':'ota','product_name':'Bambu Lab X1 Carbon'}]}}";
  PdPrinter *printer = printer_new_reported (SERIAL_UNKNOWN, "");
  Watch      w;

  g_assert_null (pd_printer_get_model (printer));
  watch_init (&w, printer);

  /* The printer names itself in its get_version reply. */
  apply (printer, get_version);
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "X1C");
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  g_assert_true (watch_changed (&w, "model"));

  watch_reset (&w);
  apply (printer, get_version);
  assert_silent (&w);

  /* What the user chose wins, and the detected model comes back after. */
  pd_printer_set_configured_model (printer, "P1S");
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "P1S");
  watch_reset (&w);
  pd_printer_set_configured_model (printer, NULL);
  g_assert_cmpuint (watch_get (&w, "model"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "X1C");

  watch_finish (&w);
}

static void
test_model_name (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "");
  Watch      w;

  g_assert_cmpstr (pd_printer_get_model_name (printer), ==, "X1 Carbon");
  watch_init (&w, printer);

  pd_printer_set_configured_model (printer, "A1 mini");
  g_assert_cmpuint (watch_get (&w, "model-name"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model_name (printer), ==, "A1 mini");

  /* Another spelling of the same model: the name stays. */
  watch_reset (&w);
  pd_printer_set_configured_model (printer, "A1MINI");
  g_assert_cmpuint (watch_get (&w, "configured-model"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "model"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "model-name"), ==, 0);

  watch_reset (&w);
  pd_printer_set_configured_model (printer, NULL);
  g_assert_cmpuint (watch_get (&w, "model-name"), ==, 1);
  g_assert_cmpstr (pd_printer_get_model_name (printer), ==, "X1 Carbon");

  watch_finish (&w);
}

static void
test_connection (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'IDLE'");
  Watch      w;

  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_NONE);
  watch_init (&w, printer);

  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  g_assert_cmpuint (watch_get (&w, "connection"), ==, 1);
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
  g_assert_cmpuint (watch_get (&w, "status"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  g_assert_cmpuint (w.state_changed, ==, 1);
  g_assert_true (watch_changed (&w, "connection"));

  watch_reset (&w);
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  assert_silent (&w);

  /* A disconnected printer is offline… */
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpuint (watch_get (&w, "connection"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_OFFLINE);

  /* …and back where it was when it reconnects. */
  watch_reset (&w);
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  g_assert_cmpuint (watch_get (&w, "connection"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_IDLE);

  /* Reports do not touch it. */
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'RUNNING'");
  g_assert_cmpuint (watch_get (&w, "connection"), ==, 0);

  watch_finish (&w);
}

static void
test_status (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'IDLE'");
  Watch      w;

  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_IDLE);
  watch_init (&w, printer);

  apply_print (printer, "'gcode_state':'RUNNING'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_PRINTING);
  g_assert_true (watch_changed (&w, "status"));
  assert_repeat_silent (&w, "'gcode_state':'RUNNING'");

  apply_print (printer, "'gcode_state':'PAUSE'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_PAUSED);

  watch_reset (&w);
  apply_print (printer, "'gcode_state':'FINISH'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_FINISHED);

  /* A delta without gcode_state keeps the status. */
  watch_reset (&w);
  apply_print (printer, "'mc_percent':100");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 0);

  watch_reset (&w);
  apply_print (printer, "'gcode_state':'IDLE'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_IDLE);

  watch_finish (&w);
}

static void
test_status_cancelled (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'RUNNING'");
  Watch      w;

  watch_init (&w, printer);

  /* 50348044 = 0x0300400C, "task cancelled" */
  apply_print (printer, "'gcode_state':'FAILED','print_error':50348044");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_CANCELLED);
  /* A cancel is no error to show. */
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 0);
  assert_repeat_silent (&w, "'gcode_state':'FAILED','print_error':50348044");

  /* The error goes away a moment later: still cancelled. */
  assert_repeat_silent (&w, "'gcode_state':'FAILED','print_error':0");
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_CANCELLED);

  /* A new job, then a real failure. */
  apply_print (printer, "'gcode_state':'RUNNING'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'FAILED'");
  g_assert_cmpuint (watch_get (&w, "status"), ==, 1);
  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_FAILED);

  watch_finish (&w);
}

static void
test_stage (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'RUNNING','stg_cur':2");
  Watch      w;

  g_assert_cmpstr (pd_printer_get_stage (printer), ==, "Heating the bed");
  watch_init (&w, printer);

  apply_print (printer, "'stg_cur':7");
  g_assert_cmpuint (watch_get (&w, "stage"), ==, 1);
  g_assert_cmpstr (pd_printer_get_stage (printer), ==, "Heating the nozzle");
  g_assert_true (watch_changed (&w, "stage"));
  assert_repeat_silent (&w, "'stg_cur':7");

  /* Idle: no stage, whatever stg_cur says. */
  apply_print (printer, "'gcode_state':'IDLE'");
  g_assert_cmpuint (watch_get (&w, "stage"), ==, 1);
  g_assert_null (pd_printer_get_stage (printer));
  assert_repeat_silent (&w, "'gcode_state':'IDLE','stg_cur':0");

  /* Busy again: the stage it still reports. */
  apply_print (printer, "'gcode_state':'RUNNING'");
  g_assert_cmpuint (watch_get (&w, "stage"), ==, 1);
  g_assert_cmpstr (pd_printer_get_stage (printer), ==, "Printing");

  watch_reset (&w);
  apply_print (printer, "'stg_cur':255");
  g_assert_cmpuint (watch_get (&w, "stage"), ==, 1);
  g_assert_null (pd_printer_get_stage (printer));

  watch_finish (&w);
}

static void
test_nozzle (void)
{
  PdPrinter      *printer = printer_new_reported (SERIAL_X1C, "'nozzle_temper':25,'nozzle_target_temper':0");
  PdTemperature  *nozzle = pd_printer_get_nozzle (printer);
  PdNotifyCounter counter;
  Watch           w;

  g_assert_nonnull (nozzle);
  watch_init (&w, printer);
  pd_notify_counter_init (&counter, nozzle);

  apply_print (printer, "'nozzle_temper':210.5,'nozzle_target_temper':220");
  /* The object stays: only its values change. */
  g_assert_cmpuint (watch_get (&w, "nozzle"), ==, 0);
  g_assert_true (pd_printer_get_nozzle (printer) == nozzle);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "current"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "target"), ==, 1);
  g_assert_cmpfloat (pd_temperature_get_current (nozzle), ==, 210.5);
  g_assert_cmpfloat (pd_temperature_get_target (nozzle), ==, 220);
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);

  pd_notify_counter_reset (&counter);
  assert_repeat_silent (&w, "'nozzle_temper':210.5,'nozzle_target_temper':220");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);

  pd_notify_counter_clear (&counter);
  watch_finish (&w);
}

static void
test_nozzle_right (void)
{
  const char    *extruders = "'device':{'extruder':{'state':2,'info':[{'id':0,'temp':220},{'id':1,'temp':215}]}}";
  PdPrinter     *printer = printer_new_reported (SERIAL_UNKNOWN, "");
  PdPrinter     *h2d;
  PdTemperature *right;
  Watch          w;

  g_assert_null (pd_printer_get_nozzle_right (printer));
  watch_init (&w, printer);

  /* A printer of no known model that lists two extruders has two nozzles. */
  apply_print (printer, extruders);
  g_assert_cmpuint (watch_get (&w, "nozzle-right"), ==, 1);
  right = pd_printer_get_nozzle_right (printer);
  g_assert_nonnull (right);
  g_assert_cmpfloat (pd_temperature_get_current (right), ==, 220);
  g_assert_cmpfloat (pd_temperature_get_current (pd_printer_get_nozzle (printer)), ==, 215);
  assert_repeat_silent (&w, extruders);
  g_assert_true (pd_printer_get_nozzle_right (printer) == right);
  watch_finish (&w);

  /* An H2D has it from the start; it goes with a single-nozzle model and
   * comes back, with its last value, without one.
   */
  h2d = printer_new_reported (SERIAL_H2D, extruders);
  g_assert_nonnull (pd_printer_get_nozzle_right (h2d));
  watch_init (&w, h2d);

  pd_printer_set_configured_model (h2d, "X1C");
  g_assert_cmpuint (watch_get (&w, "nozzle-right"), ==, 1);
  g_assert_null (pd_printer_get_nozzle_right (h2d));

  watch_reset (&w);
  pd_printer_set_configured_model (h2d, NULL);
  g_assert_cmpuint (watch_get (&w, "nozzle-right"), ==, 1);
  right = pd_printer_get_nozzle_right (h2d);
  g_assert_nonnull (right);
  g_assert_cmpfloat (pd_temperature_get_current (right), ==, 220);

  watch_finish (&w);
}

static void
test_bed (void)
{
  PdPrinter      *printer = printer_new_reported (SERIAL_X1C, "'bed_temper':24,'bed_target_temper':0");
  PdTemperature  *bed = pd_printer_get_bed (printer);
  PdNotifyCounter counter;
  Watch           w;

  g_assert_nonnull (bed);
  watch_init (&w, printer);
  pd_notify_counter_init (&counter, bed);

  apply_print (printer, "'bed_temper':55,'bed_target_temper':60");
  g_assert_cmpuint (watch_get (&w, "bed"), ==, 0);
  g_assert_true (pd_printer_get_bed (printer) == bed);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "current"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "target"), ==, 1);
  g_assert_cmpfloat (pd_temperature_get_current (bed), ==, 55);
  g_assert_cmpfloat (pd_temperature_get_target (bed), ==, 60);
  g_assert_true (watch_changed (&w, "temperatures.bed.current"));
  g_assert_true (watch_changed (&w, "temperatures.bed.target"));

  pd_notify_counter_reset (&counter);
  assert_repeat_silent (&w, "'bed_temper':55,'bed_target_temper':60");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);

  pd_notify_counter_clear (&counter);
  watch_finish (&w);
}

static void
test_chamber (void)
{
  PdPrinter     *printer = printer_new_reported (SERIAL_UNKNOWN, "'chamber_temper':31");
  PdPrinter     *x1c;
  PdTemperature *chamber;
  Watch          w;

  /* No model, no sensor to believe. */
  g_assert_null (pd_printer_get_chamber (printer));
  watch_init (&w, printer);

  pd_printer_set_configured_model (printer, "X1C");
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 1);
  chamber = pd_printer_get_chamber (printer);
  g_assert_nonnull (chamber);
  g_assert_cmpfloat (pd_temperature_get_current (chamber), ==, 31);
  /* The X1C has no chamber heater. */
  g_assert_true (isnan (pd_temperature_get_target (chamber)));
  g_assert_true (watch_changed (&w, "temperatures.chamber"));

  /* A new reading changes the object's value, not the object. */
  watch_reset (&w);
  apply_print (printer, "'chamber_temper':33");
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 0);
  g_assert_true (pd_printer_get_chamber (printer) == chamber);
  g_assert_cmpfloat (pd_temperature_get_current (chamber), ==, 33);
  assert_repeat_silent (&w, "'chamber_temper':33");

  /* A model without a sensor: it goes. */
  pd_printer_set_configured_model (printer, "P1P");
  g_assert_cmpuint (watch_get (&w, "chamber"), ==, 1);
  g_assert_null (pd_printer_get_chamber (printer));
  assert_repeat_silent (&w, "'chamber_temper':33");
  watch_finish (&w);

  /* An X1C has one from the start. */
  x1c = pd_printer_new (SERIAL_X1C);
  g_assert_nonnull (pd_printer_get_chamber (x1c));
  g_assert_finalize_object (x1c);
}

static void
test_job (void)
{
  PdPrinter          *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'IDLE'");
  g_autoptr (PdState) fresh = NULL;
  PdJob              *job;
  Watch               w;

  g_assert_null (pd_printer_get_job (printer));
  watch_init (&w, printer);

  apply_print (printer, "'gcode_state':'RUNNING','subtask_name':'benchy','mc_percent':3");
  g_assert_cmpuint (watch_get (&w, "job"), ==, 1);
  job = pd_printer_get_job (printer);
  g_assert_nonnull (job);
  g_assert_cmpstr (pd_job_get_name (job), ==, "benchy");
  g_assert_cmpint (pd_job_get_progress (job), ==, 3);
  assert_repeat_silent (&w, "'gcode_state':'RUNNING','subtask_name':'benchy','mc_percent':3");

  /* Progress changes the job, not which job object there is. */
  apply_print (printer, "'mc_percent':4");
  g_assert_cmpuint (watch_get (&w, "job"), ==, 0);
  g_assert_true (pd_printer_get_job (printer) == job);

  /* Nor does a new job. */
  apply_print (printer, "'gcode_state':'FINISH'");
  apply_print (printer, "'gcode_state':'RUNNING','subtask_name':'cube'");
  g_assert_cmpuint (watch_get (&w, "job"), ==, 0);
  g_assert_true (pd_printer_get_job (printer) == job);
  g_assert_cmpstr (pd_job_get_name (job), ==, "cube");

  /* Which job it is counts: a reconnect's repeat is the same job; a new
   * start, even of the same name, or back to preparing is the next. */
  {
    guint generation = pd_printer_get_state (printer)->job_generation;

    apply_print (printer, "'gcode_state':'RUNNING','subtask_name':'cube'");
    g_assert_cmpuint (pd_printer_get_state (printer)->job_generation, ==, generation);
    apply_print (printer, "'gcode_state':'PREPARE','subtask_name':'cube'");
    g_assert_cmpuint (pd_printer_get_state (printer)->job_generation, ==, generation + 1);
    apply_print (printer, "'gcode_state':'RUNNING'");
    apply_print (printer, "'gcode_state':'PAUSE'");
    g_assert_cmpuint (pd_printer_get_state (printer)->job_generation, ==, generation + 1);
    apply_print (printer, "'gcode_state':'IDLE'");
    apply_print (printer, "'gcode_state':'RUNNING','subtask_name':'cube'");
    g_assert_cmpuint (pd_printer_get_state (printer)->job_generation, ==, generation + 2);
  }

  /* A state that never saw a job has none. */
  fresh = pd_state_new (SERIAL_X1C);
  watch_reset (&w);
  pd_printer_set_state (printer, fresh);
  g_assert_cmpuint (watch_get (&w, "job"), ==, 1);
  g_assert_null (pd_printer_get_job (printer));

  watch_finish (&w);
}

static void
test_hms (void)
{
  /* attr 0x03000100, code 0x00010007: fatal; code 0x00040002 is info */
  const char *one = "'hms':[{'attr':50331904,'code':65543}]";
  const char *two = "'hms':[{'attr':50331904,'code':65543},{'attr':50331904,'code':262146}]";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "'hms':[]");
  GListModel *errors = pd_printer_get_hms_errors (printer);
  PdHmsError *first;
  Watch       w;

  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_NONE);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 0);
  /* cleared entries go at once here; lingering has its own test */
  pd_printer_set_hms_linger (printer, 0);
  watch_init (&w, printer);

  apply_print (printer, one);
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 1);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_FATAL);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  g_assert_cmpuint (watch_get (&w, "hms-errors"), ==, 0);
  g_assert_true (pd_printer_get_hms_errors (printer) == errors);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 1);
  first = model_peek (errors, 0);
  g_assert_cmpstr (pd_hms_error_get_code (first), ==, "0300_0100_0001_0007");
  /* described from the HMS database */
  g_assert_nonnull (strstr (pd_hms_error_get_description (first), "heatbed temperature is abnormal"));
  g_assert_cmpstr (pd_hms_error_get_module (first), ==, "Motion controller");
  g_assert_nonnull (strstr (pd_hms_error_get_url (first), "0300_0100_0001_0007"));
  g_assert_true (pd_hms_error_get_active (first));
  g_assert_true (watch_changed (&w, "hms.level"));
  g_assert_true (watch_changed (&w, "hms.errors"));
  assert_repeat_silent (&w, one);

  /* A less severe entry joins: the level stays, the first entry too. */
  apply_print (printer, two);
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 0);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 2);
  g_assert_true (model_peek (errors, 0) == first);
  assert_repeat_silent (&w, two);

  /* The fatal one is gone. */
  apply_print (printer, "'hms':[{'attr':50331904,'code':262146}]");
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 1);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_INFO);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 1);

  /* A delta without hms keeps the list. */
  assert_repeat_silent (&w, "'mc_percent':5");
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 1);

  /* And all clear. */
  apply_print (printer, "'hms':[]");
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 1);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_NONE);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 0);
  assert_repeat_silent (&w, "'hms':[]");

  watch_finish (&w);
}

static gboolean
list_is_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

/* A flapping error (reported, cleared, reported…) stays listed: no
 * items-changed, no level change, the same object; only when it stays away
 * longer than the linger does it go.
 */
static void
test_hms_linger (void)
{
  const char *fatal = "'hms':[{'attr':50331904,'code':65543}]";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "'hms':[]");
  GListModel *errors = pd_printer_get_hms_errors (printer);
  PdHmsError *entry;
  Watch       w;
  gint64      start;

  pd_printer_set_hms_linger (printer, 400);
  watch_init (&w, printer);
  apply_print (printer, fatal);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  entry = model_peek (errors, 0);
  g_assert_true (pd_hms_error_get_active (entry));
  watch_reset (&w);

  /* Flapping: cleared and back three times, faster than the linger. */
  for (guint i = 0; i < 3; i++)
    {
      apply_print (printer, "'hms':[]");
      g_assert_false (pd_hms_error_get_active (entry));
      apply_print (printer, fatal);
      g_assert_true (pd_hms_error_get_active (entry));
    }
  g_assert_cmpuint (w.hms_changed, ==, 0);
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 0);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_FATAL);
  g_assert_true (model_peek (errors, 0) == entry);

  /* Cleared for good: listed (inactive) during the linger, then gone. */
  start = g_get_monotonic_time ();
  apply_print (printer, "'hms':[]");
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, 1);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_FATAL);
  g_assert_true (pd_test_wait_until (list_is_empty, errors, 5));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 390 * 1000);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_NONE);
  g_assert_cmpuint (w.hms_changed, ==, 1);
  g_assert_cmpuint (watch_get (&w, "hms-level"), ==, 1);

  watch_finish (&w);
}

static void
test_print_error (void)
{
  /* 83902467 = 0x05004003 */
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'gcode_state':'RUNNING','print_error':0");
  Watch      w;

  g_assert_null (pd_printer_get_print_error (printer));
  g_assert_cmpuint (pd_printer_get_print_error_code (printer), ==, 0);
  watch_init (&w, printer);

  /* While printing, an error is not shown… */
  apply_print (printer, "'print_error':83902467");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 0);
  g_assert_null (pd_printer_get_print_error (printer));

  /* …when it pauses the job, it is. */
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'PAUSE'");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 1);
  g_assert_cmpstr (pd_printer_get_print_error (printer), ==, "0500_4003");
  g_assert_cmpuint (pd_printer_get_print_error_code (printer), ==, 0x05004003);
  g_assert_true (watch_changed (&w, "print_error"));
  assert_repeat_silent (&w, "'gcode_state':'PAUSE','print_error':83902467");

  /* Another error. */
  apply_print (printer, "'print_error':'0x0C004001'");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 1);
  g_assert_cmpstr (pd_printer_get_print_error (printer), ==, "0C00_4001");

  /* A status word below 0x4000 is no error. */
  watch_reset (&w);
  apply_print (printer, "'print_error':50331905");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 1);
  g_assert_null (pd_printer_get_print_error (printer));
  g_assert_cmpuint (pd_printer_get_print_error_code (printer), ==, 0);

  /* Failed with an error, then resumed printing with it lingering. */
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'FAILED','print_error':83902467");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 1);
  watch_reset (&w);
  apply_print (printer, "'gcode_state':'RUNNING'");
  g_assert_cmpuint (watch_get (&w, "print-error"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "print-error-code"), ==, 1);
  g_assert_null (pd_printer_get_print_error (printer));

  watch_finish (&w);
}

static void
test_ams_units (void)
{
  const char *unit0 = "'ams':{'ams':[{'id':'0','humidity':'4','tray':[{'id':'0','tray_type':'PLA'}]}]}";
  const char *unit1 = "'ams':{'ams':[{'id':'1','humidity':'3','tray':[{'id':'0','tray_type':'PETG'}]}]}";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "");
  GListModel *units = pd_printer_get_ams_units (printer);
  PdAmsUnit  *first;
  Watch       w;

  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 0);
  watch_init (&w, printer);

  apply_print (printer, unit0);
  g_assert_cmpuint (w.units_changed, ==, 1);
  g_assert_cmpuint (watch_get (&w, "ams-units"), ==, 0);
  g_assert_true (pd_printer_get_ams_units (printer) == units);
  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 1);
  first = peek_unit (printer, 0);
  g_assert_cmpint (pd_ams_unit_get_id (first), ==, 0);
  g_assert_true (watch_changed (&w, "ams.units"));
  assert_repeat_silent (&w, unit0);
  g_assert_true (peek_unit (printer, 0) == first);

  /* A second unit: one insertion, the first unit stays the same object. */
  apply_print (printer, unit1);
  g_assert_cmpuint (w.units_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 2);
  g_assert_true (peek_unit (printer, 0) == first);
  g_assert_cmpint (pd_ams_unit_get_id (peek_unit (printer, 1)), ==, 1);
  assert_repeat_silent (&w, unit1);

  /* Unit 1 unplugged. */
  apply_print (printer, "'ams':{'ams_exist_bits':'1'}");
  g_assert_cmpuint (w.units_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 1);
  g_assert_true (peek_unit (printer, 0) == first);
  assert_repeat_silent (&w, "'ams':{'ams_exist_bits':'1'}");

  watch_finish (&w);
}

static void
test_ams_external (void)
{
  const char *spool = "'vt_tray':{'id':'254','tray_type':'PLA','tray_color':'FF0000FF'}";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "");
  GListModel *external = pd_printer_get_ams_external (printer);
  PdAmsTray  *tray;
  Watch       w;

  g_assert_cmpuint (g_list_model_get_n_items (external), ==, 0);
  watch_init (&w, printer);

  apply_print (printer, spool);
  g_assert_cmpuint (w.external_changed, ==, 1);
  g_assert_cmpuint (watch_get (&w, "ams-external"), ==, 0);
  g_assert_true (pd_printer_get_ams_external (printer) == external);
  g_assert_cmpuint (g_list_model_get_n_items (external), ==, 1);
  tray = model_peek (external, 0);
  g_assert_cmpint (pd_ams_tray_get_slot (tray), ==, 254);
  g_assert_cmpstr (pd_ams_tray_get_material (tray), ==, "PLA");
  g_assert_cmpstr (pd_ams_tray_get_color (tray), ==, "#FF0000FF");
  assert_repeat_silent (&w, spool);

  /* A change of filament changes the tray, not the list. */
  apply_print (printer, "'vt_tray':{'id':'254','tray_type':'PETG'}");
  g_assert_cmpuint (w.external_changed, ==, 0);
  g_assert_true (model_peek (external, 0) == tray);
  g_assert_cmpstr (pd_ams_tray_get_material (tray), ==, "PETG");

  /* vir_slot is the complete list: an empty one removes the spool. */
  watch_reset (&w);
  apply_print (printer, "'vir_slot':[]");
  g_assert_cmpuint (w.external_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (external), ==, 0);
  assert_repeat_silent (&w, "'vir_slot':[]");

  watch_finish (&w);
}

static void
test_active_slot (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'ams':{'tray_now':'255'}");
  Watch      w;

  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, -1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, -1);
  watch_init (&w, printer);

  /* tray_now 5: unit 1, slot 1 */
  apply_print (printer, "'ams':{'tray_now':'5'}");
  g_assert_cmpuint (watch_get (&w, "active-unit"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "active-slot"), ==, 1);
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, 1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 1);
  g_assert_true (watch_changed (&w, "ams.active_slot"));
  assert_repeat_silent (&w, "'ams':{'tray_now':'5'}");

  /* Same unit, next slot. */
  apply_print (printer, "'ams':{'tray_now':6}");
  g_assert_cmpuint (watch_get (&w, "active-unit"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "active-slot"), ==, 1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 2);

  /* Same slot, other unit. */
  watch_reset (&w);
  apply_print (printer, "'ams':{'tray_now':'2'}");
  g_assert_cmpuint (watch_get (&w, "active-unit"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "active-slot"), ==, 0);
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, 0);

  /* The external spool. */
  watch_reset (&w);
  apply_print (printer, "'ams':{'tray_now':'254'}");
  g_assert_cmpuint (watch_get (&w, "active-unit"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "active-slot"), ==, 1);
  g_assert_cmpint (pd_printer_get_active_unit (printer), ==, -1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 254);

  /* Unloaded. */
  watch_reset (&w);
  apply_print (printer, "'ams':{'tray_now':'255'}");
  g_assert_cmpuint (watch_get (&w, "active-unit"), ==, 0);
  g_assert_cmpuint (watch_get (&w, "active-slot"), ==, 1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, -1);

  watch_finish (&w);
}

static void
test_camera_kind (void)
{
  const char *ipcam = "'ipcam':{'rtsp_url':'rtsps://192.0.2.1/streaming/live/1'}";
  PdPrinter  *printer = printer_new_reported (SERIAL_UNKNOWN, "");
  Watch       w;

  g_assert_cmpint (pd_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_UNKNOWN);
  watch_init (&w, printer);

  apply_print (printer, ipcam);
  g_assert_cmpuint (watch_get (&w, "camera-kind"), ==, 1);
  g_assert_cmpint (pd_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_RTSPS);
  g_assert_true (watch_changed (&w, "camera"));
  assert_repeat_silent (&w, ipcam);

  /* The model knows better. */
  pd_printer_set_configured_model (printer, "P1P");
  g_assert_cmpuint (watch_get (&w, "camera-kind"), ==, 1);
  g_assert_cmpint (pd_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_JPEG);

  watch_reset (&w);
  pd_printer_set_configured_model (printer, NULL);
  g_assert_cmpuint (watch_get (&w, "camera-kind"), ==, 1);
  g_assert_cmpint (pd_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_RTSPS);

  watch_finish (&w);
}

static void
test_wifi_dbm (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "");
  Watch      w;

  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, 0);
  watch_init (&w, printer);

  apply_print (printer, "'wifi_signal':'-52dBm'");
  g_assert_cmpuint (watch_get (&w, "wifi-dbm"), ==, 1);
  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, -52);
  g_assert_true (watch_changed (&w, "wifi_dbm"));
  assert_repeat_silent (&w, "'wifi_signal':'-52dBm'");
  /* The same value as a number. */
  assert_repeat_silent (&w, "'wifi_signal':-52");

  apply_print (printer, "'wifi_signal':'-60dBm'");
  g_assert_cmpuint (watch_get (&w, "wifi-dbm"), ==, 1);
  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, -60);

  watch_reset (&w);
  apply_print (printer, "'wifi_signal':'-52dBm'");
  g_assert_cmpuint (watch_get (&w, "wifi-dbm"), ==, 1);
  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, -52);

  watch_finish (&w);
}

static void
test_light (void)
{
  const char *on = "'lights_report':[{'node':'chamber_light','mode':'on'},{'node':'work_light','mode':'flashing'}]";
  const char *off = "'lights_report':[{'node':'chamber_light','mode':'off'}]";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "");
  Watch       w;

  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_UNKNOWN);
  watch_init (&w, printer);

  apply_print (printer, on);
  g_assert_cmpuint (watch_get (&w, "light"), ==, 1);
  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_YES);
  g_assert_true (watch_changed (&w, "light"));
  assert_repeat_silent (&w, on);

  apply_print (printer, off);
  g_assert_cmpuint (watch_get (&w, "light"), ==, 1);
  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_NO);
  assert_repeat_silent (&w, off);
  /* Another light does not count. */
  assert_repeat_silent (&w, "'lights_report':[{'node':'work_light','mode':'on'}]");

  apply_print (printer, on);
  g_assert_cmpuint (watch_get (&w, "light"), ==, 1);
  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_YES);

  watch_finish (&w);
}

static void
test_door_open (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "");
  PdPrinter *h2d;
  Watch      w;

  /* X1: bit 23 of home_flag */
  g_assert_cmpint (pd_printer_get_door_open (printer), ==, PD_TRISTATE_UNKNOWN);
  watch_init (&w, printer);

  apply_print (printer, "'home_flag':0");
  g_assert_cmpuint (watch_get (&w, "door-open"), ==, 1);
  g_assert_cmpint (pd_printer_get_door_open (printer), ==, PD_TRISTATE_NO);
  assert_repeat_silent (&w, "'home_flag':0");

  apply_print (printer, "'home_flag':8388608");
  g_assert_cmpuint (watch_get (&w, "door-open"), ==, 1);
  g_assert_cmpint (pd_printer_get_door_open (printer), ==, PD_TRISTATE_YES);
  g_assert_true (watch_changed (&w, "door_open"));
  assert_repeat_silent (&w, "'home_flag':8388608");
  /* Other bits: still open. */
  assert_repeat_silent (&w, "'home_flag':8388609");
  /* stat is not where an X1 keeps it. */
  assert_repeat_silent (&w, "'stat':'0'");

  apply_print (printer, "'home_flag':0");
  g_assert_cmpuint (watch_get (&w, "door-open"), ==, 1);
  g_assert_cmpint (pd_printer_get_door_open (printer), ==, PD_TRISTATE_NO);
  watch_finish (&w);

  /* H2D: bit 23 of the stat hex string */
  h2d = printer_new_reported (SERIAL_H2D, "'stat':'00000000'");
  g_assert_cmpint (pd_printer_get_door_open (h2d), ==, PD_TRISTATE_NO);
  watch_init (&w, h2d);

  apply_print (h2d, "'stat':'46A58008'");
  g_assert_cmpuint (watch_get (&w, "door-open"), ==, 1);
  g_assert_cmpint (pd_printer_get_door_open (h2d), ==, PD_TRISTATE_YES);
  assert_repeat_silent (&w, "'stat':'46A58008'");

  apply_print (h2d, "'stat':'46258008'");
  g_assert_cmpuint (watch_get (&w, "door-open"), ==, 1);
  g_assert_cmpint (pd_printer_get_door_open (h2d), ==, PD_TRISTATE_NO);

  watch_finish (&w);
}

static void
test_firmware (void)
{
  const char *v1 = "{'info':{'command':'get_version','module':[{'name':'ota','sw_ver':'01.08.02.00'}]}}";
  const char *v2 = "{'info':{'command':'get_version','module':[{'name':'ota','sw_ver':'01.09.00.00'}]}}";
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, "");
  Watch       w;

  g_assert_null (pd_printer_get_firmware (printer));
  watch_init (&w, printer);

  apply (printer, v1);
  g_assert_cmpuint (watch_get (&w, "firmware"), ==, 1);
  g_assert_cmpstr (pd_printer_get_firmware (printer), ==, "01.08.02.00");
  g_assert_true (watch_changed (&w, "firmware"));

  watch_reset (&w);
  apply (printer, v1);
  assert_silent (&w);

  /* Other modules' versions are not the printer's. */
  apply (printer, "{'info':{'command':'get_version','module':[{'name':'ams/0','sw_ver':'00.01.06.62'}]}}");
  assert_silent (&w);

  apply (printer, v2);
  g_assert_cmpuint (watch_get (&w, "firmware"), ==, 1);
  g_assert_cmpstr (pd_printer_get_firmware (printer), ==, "01.09.00.00");

  watch_finish (&w);
}

static void
test_last_report_time (void)
{
  PdPrinter *printer = pd_printer_new (SERIAL_X1C);
  gint64     reported = 0;
  Watch      w;

  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, 0);
  watch_init (&w, printer);

  /* The first report: nothing of the state document changed. */
  apply_print_at (printer, "", TEST_NOW);
  g_assert_cmpuint (watch_get (&w, "last-report-time"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&w.notify), ==, 1);
  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, TEST_NOW);
  g_object_get (printer, "last-report-time", &reported, NULL);
  g_assert_cmpint (reported, ==, TEST_NOW);
  g_assert_cmpuint (w.state_changed, ==, 0);

  /* The same time again. */
  watch_reset (&w);
  apply_print_at (printer, "", TEST_NOW);
  assert_silent (&w);

  /* Later: the only thing that changes. */
  apply_print_at (printer, "", TEST_NOW + MINUTE);
  g_assert_cmpuint (watch_get (&w, "last-report-time"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&w.notify), ==, 1);
  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, TEST_NOW + MINUTE);
  g_assert_cmpuint (w.state_changed, ==, 0);

  /* With a change in it. */
  watch_reset (&w);
  apply_print_at (printer, "'nozzle_temper':30", TEST_NOW + 2 * MINUTE);
  g_assert_cmpuint (watch_get (&w, "last-report-time"), ==, 1);
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);

  watch_finish (&w);
}

static void
test_state (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, "'nozzle_temper':25");
  PdState   *before = pd_printer_get_state (printer);
  PdState   *state = NULL;
  Watch      w;

  g_assert_nonnull (before);
  g_assert_cmpfloat (pd_test_doc_double (before, "temperatures.nozzle.current"), ==, 25);
  watch_init (&w, printer);

  apply_print (printer, "'nozzle_temper':200");
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);
  g_object_get (printer, "state", &state, NULL);
  g_assert_true (state == pd_printer_get_state (printer));
  g_assert_cmpfloat (pd_test_doc_double (state, "temperatures.nozzle.current"), ==, 200);
  g_clear_pointer (&state, pd_state_unref);

  assert_repeat_silent (&w, "'nozzle_temper':200");
  /* A report with nothing new in it. */
  assert_repeat_silent (&w, "");
  g_assert_cmpfloat (pd_test_doc_double (pd_printer_get_state (printer),
                                         "temperatures.nozzle.current"),
                     ==, 200);

  /* And back. */
  apply_print (printer, "'nozzle_temper':25");
  g_assert_cmpuint (watch_get (&w, "state"), ==, 1);

  watch_finish (&w);
}

/* A report that is rejected changes nothing. */
static void
test_rejected_report (void)
{
  PdPrinter           *printer = printer_new_reported (SERIAL_X1C, "'nozzle_temper':25");
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;
  PdState             *before = pd_printer_get_state (printer);
  Watch                w;

  watch_init (&w, printer);

  report = pd_report_parse ("{\"print\":{\"nozzle_temper\":200,\"ams\":\"not an object\"}}", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pd_printer_apply_report (printer, report, TEST_NOW + MINUTE, NULL, NULL, &error));
  g_assert_error (error, PD_REPORT_ERROR, PD_REPORT_ERROR_MALFORMED);
  assert_silent (&w);
  g_assert_true (pd_printer_get_state (printer) == before);
  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, TEST_NOW);

  watch_finish (&w);
}

/* PdTemperature ------------------------------------------------------------*/

static void
test_temperature_current (void)
{
  PdPrinter      *printer = printer_new_reported (SERIAL_X1C, "'bed_temper':24,'bed_target_temper':0");
  PdTemperature  *bed = pd_printer_get_bed (printer);
  PdNotifyCounter counter;

  pd_notify_counter_init (&counter, bed);

  assert_child_once (printer, &counter, "'bed_temper':24.5", "current");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);
  g_assert_cmpfloat (pd_temperature_get_current (bed), ==, 24.5);
  g_assert_cmpfloat (pd_temperature_get_target (bed), ==, 0);
  /* As text, the same value: nothing. */
  apply_print (printer, "'bed_temper':'24.5'");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);
  /* And back. */
  assert_child_once (printer, &counter, "'bed_temper':24", "current");
  g_assert_true (pd_printer_get_bed (printer) == bed);

  pd_notify_counter_clear (&counter);
  g_assert_finalize_object (printer);
}

static void
test_temperature_target (void)
{
  PdPrinter      *printer = printer_new_reported (SERIAL_X1C, "'bed_temper':24,'bed_target_temper':0");
  PdTemperature  *bed = pd_printer_get_bed (printer);
  PdNotifyCounter counter;

  pd_notify_counter_init (&counter, bed);

  pd_notify_counter_reset (&counter);
  apply_print (printer, "'bed_target_temper':60");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "target"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "current"), ==, 0);
  g_assert_cmpfloat (pd_temperature_get_target (bed), ==, 60);
  assert_child_once (printer, &counter, "'bed_target_temper':0", "target");
  g_assert_cmpfloat (pd_temperature_get_target (bed), ==, 0);

  pd_notify_counter_clear (&counter);
  g_assert_finalize_object (printer);
}

/* "Not known" (NAN) equals itself: no notification for it. */
static void
test_temperature_nan (void)
{
  PdPrinter      *printer = pd_printer_new (SERIAL_X1C);
  PdTemperature  *chamber = pd_printer_get_chamber (printer);
  PdTemperature  *nozzle = pd_printer_get_nozzle (printer);
  PdNotifyCounter chamber_counter, nozzle_counter;

  g_assert_nonnull (chamber);
  g_assert_true (isnan (pd_temperature_get_current (nozzle)));
  g_assert_true (isnan (pd_temperature_get_target (nozzle)));
  pd_notify_counter_init (&chamber_counter, chamber);
  pd_notify_counter_init (&nozzle_counter, nozzle);

  /* The X1C chamber has no target: it stays NAN through reports. */
  apply_print (printer, "'chamber_temper':30,'nozzle_temper':25");
  g_assert_cmpuint (pd_notify_counter_get (&chamber_counter, "current"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&chamber_counter, "target"), ==, 0);
  g_assert_true (isnan (pd_temperature_get_target (chamber)));
  /* The nozzle target was not reported: still not known. */
  g_assert_cmpuint (pd_notify_counter_get (&nozzle_counter, "current"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&nozzle_counter, "target"), ==, 0);

  pd_notify_counter_reset (&chamber_counter);
  pd_notify_counter_reset (&nozzle_counter);
  apply_print (printer, "'chamber_temper':30,'mc_target_cham':45");
  g_assert_cmpuint (pd_notify_counter_total (&chamber_counter), ==, 0);
  g_assert_cmpuint (pd_notify_counter_total (&nozzle_counter), ==, 0);

  pd_notify_counter_clear (&chamber_counter);
  pd_notify_counter_clear (&nozzle_counter);
  g_assert_finalize_object (printer);
}

/* H2D: packed target << 16 | current, both notified once. */
static void
test_temperature_packed (void)
{
  PdPrinter      *printer = printer_new_reported (SERIAL_H2D, "'device':{'ctc':{'info':{'temp':30}}}");
  PdTemperature  *chamber = pd_printer_get_chamber (printer);
  PdNotifyCounter counter;

  g_assert_nonnull (chamber);
  g_assert_cmpfloat (pd_temperature_get_current (chamber), ==, 30);
  g_assert_cmpfloat (pd_temperature_get_target (chamber), ==, 0);
  pd_notify_counter_init (&counter, chamber);

  /* 3932208 = 60 << 16 | 48 */
  apply_print (printer, "'device':{'ctc':{'info':{'temp':3932208}}}");
  g_assert_cmpuint (pd_notify_counter_get (&counter, "current"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&counter, "target"), ==, 1);
  g_assert_cmpfloat (pd_temperature_get_current (chamber), ==, 48);
  g_assert_cmpfloat (pd_temperature_get_target (chamber), ==, 60);

  pd_notify_counter_reset (&counter);
  apply_print (printer, "'device':{'ctc':{'info':{'temp':3932208}}}");
  g_assert_cmpuint (pd_notify_counter_total (&counter), ==, 0);
  g_assert_true (pd_printer_get_chamber (printer) == chamber);

  pd_notify_counter_clear (&counter);
  g_assert_finalize_object (printer);
}

/* PdJob --------------------------------------------------------------------*/

#define JOB_BASE "'gcode_state':'RUNNING','subtask_name':'benchy','mc_percent':10," \
                 "'layer_num':5,'total_layer_num':100,'mc_remaining_time':60"

typedef struct
{
  PdPrinter      *printer;
  PdJob          *job;
  PdNotifyCounter counter;
} JobFixture;

static void
job_fixture_init (JobFixture *f)
{
  f->printer = printer_new_reported (SERIAL_X1C, JOB_BASE);
  f->job = pd_printer_get_job (f->printer);
  g_assert_nonnull (f->job);
  pd_notify_counter_init (&f->counter, f->job);
}

static void
job_fixture_clear (JobFixture *f)
{
  /* The job object stays for the whole test. */
  g_assert_true (pd_printer_get_job (f->printer) == f->job);
  pd_notify_counter_clear (&f->counter);
  g_assert_finalize_object (f->printer);
}

static void
test_job_name (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpstr (pd_job_get_name (f.job), ==, "benchy");

  assert_child_once (f.printer, &f.counter, "'subtask_name':'cube'", "name");
  g_assert_cmpstr (pd_job_get_name (f.job), ==, "cube");
  /* gcode_file only names a job that has no name. */
  apply_print (f.printer, "'gcode_file':'/data/Metadata/plate_1.gcode'");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  assert_child_once (f.printer, &f.counter, "'subtask_name':'benchy'", "name");
  g_assert_cmpstr (pd_job_get_name (f.job), ==, "benchy");

  job_fixture_clear (&f);
}

static void
test_job_progress (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpint (pd_job_get_progress (f.job), ==, 10);

  assert_child_once (f.printer, &f.counter, "'mc_percent':42", "progress");
  g_assert_cmpint (pd_job_get_progress (f.job), ==, 42);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  assert_child_once (f.printer, &f.counter, "'mc_percent':'43'", "progress");
  g_assert_cmpint (pd_job_get_progress (f.job), ==, 43);

  job_fixture_clear (&f);
}

static void
test_job_layer (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpint (pd_job_get_layer (f.job), ==, 5);

  assert_child_once (f.printer, &f.counter, "'layer_num':6", "layer");
  g_assert_cmpint (pd_job_get_layer (f.job), ==, 6);
  /* The X1's place for it. */
  assert_child_once (f.printer, &f.counter, "'3D':{'layer_num':7}", "layer");
  g_assert_cmpint (pd_job_get_layer (f.job), ==, 7);

  job_fixture_clear (&f);
}

static void
test_job_total_layers (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpint (pd_job_get_total_layers (f.job), ==, 100);

  assert_child_once (f.printer, &f.counter, "'total_layer_num':120", "total-layers");
  g_assert_cmpint (pd_job_get_total_layers (f.job), ==, 120);
  /* 0 is what a P1S says at the end of a job: kept. */
  apply_print (f.printer, "'total_layer_num':0");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  g_assert_cmpint (pd_job_get_total_layers (f.job), ==, 120);

  job_fixture_clear (&f);
}

static void
test_job_remaining_minutes (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpint (pd_job_get_remaining_minutes (f.job), ==, 60);

  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'mc_remaining_time':59");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "remaining-minutes"), ==, 1);
  g_assert_cmpint (pd_job_get_remaining_minutes (f.job), ==, 59);
  /* Reported at the same time: the finish time moved a minute. */
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "finish-time"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 2);

  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'mc_remaining_time':59");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);

  job_fixture_clear (&f);
}

static void
test_job_finish_time (void)
{
  JobFixture f;

  job_fixture_init (&f);
  g_assert_cmpint (pd_job_get_finish_time (f.job), ==, TEST_NOW + 60 * MINUTE);

  /* A minute later, a minute less: the same finish time. */
  pd_notify_counter_reset (&f.counter);
  apply_print_at (f.printer, "'mc_remaining_time':59", TEST_NOW + MINUTE);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "remaining-minutes"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "finish-time"), ==, 0);
  g_assert_cmpint (pd_job_get_finish_time (f.job), ==, TEST_NOW + 60 * MINUTE);

  /* The same estimate later on does not move it either. */
  pd_notify_counter_reset (&f.counter);
  apply_print_at (f.printer, "'mc_remaining_time':59", TEST_NOW + 2 * MINUTE);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);

  /* A new estimate does. */
  pd_notify_counter_reset (&f.counter);
  apply_print_at (f.printer, "'mc_remaining_time':30", TEST_NOW + 2 * MINUTE);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "finish-time"), ==, 1);
  g_assert_cmpint (pd_job_get_finish_time (f.job), ==, TEST_NOW + 32 * MINUTE);

  pd_notify_counter_reset (&f.counter);
  apply_print_at (f.printer, "'mc_remaining_time':30", TEST_NOW + 2 * MINUTE);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);

  job_fixture_clear (&f);
}

/* PdAmsUnit ----------------------------------------------------------------*/

typedef struct
{
  PdPrinter      *printer;
  PdAmsUnit      *unit;
  PdNotifyCounter counter;
} UnitFixture;

static void
unit_fixture_init (UnitFixture *f)
{
  f->printer = printer_new_reported (SERIAL_X1C,
                                     "'ams':{'ams':[{'id':'0','tray':[{'id':'0','tray_type':'PLA'}]}]}");
  g_assert_cmpuint (g_list_model_get_n_items (pd_printer_get_ams_units (f->printer)), ==, 1);
  f->unit = peek_unit (f->printer, 0);
  pd_notify_counter_init (&f->counter, f->unit);
}

static void
unit_fixture_clear (UnitFixture *f)
{
  /* The unit object stays for the whole test. */
  g_assert_true (peek_unit (f->printer, 0) == f->unit);
  pd_notify_counter_clear (&f->counter);
  g_assert_finalize_object (f->printer);
}

/* Applies the members @unit_body to unit 0. */
static void
assert_unit_once (UnitFixture *f,
                  const char  *unit_body,
                  const char  *property)
{
  g_autofree char *body = g_strdup_printf ("'ams':{'ams':[{'id':'0',%s}]}", unit_body);

  assert_child_once (f->printer, &f->counter, body, property);
}

static void
test_unit_type (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  /* No info bits on an X1C: a classic AMS. */
  g_assert_cmpint (pd_ams_unit_get_unit_type (f.unit), ==, PD_AMS_TYPE_AMS);

  assert_unit_once (&f, "'info':'1003'", "unit-type");
  g_assert_cmpint (pd_ams_unit_get_unit_type (f.unit), ==, PD_AMS_TYPE_AMS_2_PRO);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  assert_unit_once (&f, "'info':'1001'", "unit-type");
  g_assert_cmpint (pd_ams_unit_get_unit_type (f.unit), ==, PD_AMS_TYPE_AMS);

  unit_fixture_clear (&f);
}

static void
test_unit_humidity_percent (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (f.unit), ==, -1);

  assert_unit_once (&f, "'humidity_raw':'30'", "humidity-percent");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (f.unit), ==, 30);
  assert_unit_once (&f, "'humidity_raw':31", "humidity-percent");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (f.unit), ==, 31);
  /* 0 % is a unit without the sensor. */
  assert_unit_once (&f, "'humidity_raw':'0'", "humidity-percent");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (f.unit), ==, -1);

  unit_fixture_clear (&f);
}

static void
test_unit_humidity_level (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (f.unit), ==, -1);

  /* The wire index runs the other way. */
  assert_unit_once (&f, "'humidity':'4'", "humidity-level");
  g_assert_cmpint (pd_ams_unit_get_humidity_level (f.unit), ==, 2);
  assert_unit_once (&f, "'humidity':'1'", "humidity-level");
  g_assert_cmpint (pd_ams_unit_get_humidity_level (f.unit), ==, 5);

  unit_fixture_clear (&f);
}

static void
test_unit_temperature (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  g_assert_true (isnan (pd_ams_unit_get_temperature (f.unit)));

  assert_unit_once (&f, "'temp':'26.2'", "temperature");
  g_assert_cmpfloat (pd_ams_unit_get_temperature (f.unit), ==, 26.2);
  /* 0.0 is no sensor: not known again, and that is stable. */
  assert_unit_once (&f, "'temp':'0.0'", "temperature");
  g_assert_true (isnan (pd_ams_unit_get_temperature (f.unit)));

  unit_fixture_clear (&f);
}

static void
test_unit_drying_supported (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  g_assert_false (pd_ams_unit_get_drying_supported (f.unit));

  /* A classic AMS reports dry_time 0 too, but cannot dry. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','info':'1001','dry_time':0}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying-supported"), ==, 0);
  g_assert_false (pd_ams_unit_get_drying_supported (f.unit));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, -1);

  /* An AMS 2 Pro can. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','info':'1003'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying-supported"), ==, 1);
  g_assert_true (pd_ams_unit_get_drying_supported (f.unit));
  g_assert_false (pd_ams_unit_get_drying (f.unit));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, 0);

  unit_fixture_clear (&f);
}

static void
test_unit_drying (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  /* An AMS HT without info bits (the type from its id) */
  apply_print (f.printer, "'ams':{'ams':[{'id':'128','dry_time':0,'tray':[{'id':'0','tray_type':'PLA'}]}]}");
  f.unit = peek_unit (f.printer, 1);
  pd_notify_counter_clear (&f.counter);
  pd_notify_counter_init (&f.counter, f.unit);
  g_assert_true (pd_ams_unit_get_drying_supported (f.unit));
  g_assert_false (pd_ams_unit_get_drying (f.unit));

  /* Without info bits, the minutes left say it. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'128','dry_time':120}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying"), ==, 1);
  g_assert_true (pd_ams_unit_get_drying (f.unit));
  /* Info bits 4–7 = 2: drying, while the time says 0. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'128','dry_time':0,'info':'2024'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying"), ==, 0);
  g_assert_true (pd_ams_unit_get_drying (f.unit));
  /* 3 = cooling down is still the drying cycle. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'128','info':'2034'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying"), ==, 0);
  /* 0 = off: the firmware's state wins over minutes left over. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'128','dry_time':5,'info':'2004'}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying"), ==, 1);
  g_assert_false (pd_ams_unit_get_drying (f.unit));
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, 0);

  /* The unit of the fixture stays, as unit_fixture_clear() checks. */
  f.unit = peek_unit (f.printer, 0);
  unit_fixture_clear (&f);
}

static void
test_unit_drying_remaining_minutes (void)
{
  UnitFixture f;

  unit_fixture_init (&f);
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, -1);
  /* An AMS 2 Pro that is drying (bits 4–7 = 2), the time not reported yet */
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','info':'1023'}]}");
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, -1);

  assert_unit_once (&f, "'dry_time':120", "drying-remaining-minutes");
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, 120);

  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','dry_time':119}]}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying-remaining-minutes"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 1);
  g_assert_cmpint (pd_ams_unit_get_drying_remaining_minutes (f.unit), ==, 119);

  unit_fixture_clear (&f);
}

static void
test_unit_trays (void)
{
  const char *two = "'ams':{'ams':[{'id':'0','tray':[{'id':'1','tray_type':'PETG'}]}]}";
  UnitFixture f;
  GListModel *trays;
  PdAmsTray  *slot0;
  guint       changed = 0;

  unit_fixture_init (&f);
  trays = pd_ams_unit_get_trays (f.unit);
  g_assert_cmpuint (g_list_model_get_n_items (trays), ==, 1);
  slot0 = model_peek (trays, 0);
  g_signal_connect (trays, "items-changed", G_CALLBACK (on_items_changed), &changed);

  apply_print (f.printer, two);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "trays"), ==, 0);
  g_assert_true (pd_ams_unit_get_trays (f.unit) == trays);
  g_assert_cmpuint (g_list_model_get_n_items (trays), ==, 2);
  g_assert_true (model_peek (trays, 0) == slot0);
  g_assert_cmpint (pd_ams_tray_get_slot (model_peek (trays, 1)), ==, 1);

  changed = 0;
  apply_print (f.printer, two);
  g_assert_cmpuint (changed, ==, 0);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);

  g_signal_handlers_disconnect_by_data (trays, &changed);
  unit_fixture_clear (&f);
}

/* PdAmsTray ----------------------------------------------------------------*/

typedef struct
{
  PdPrinter      *printer;
  PdAmsTray      *tray;
  PdNotifyCounter counter;
} TrayFixture;

static void
tray_fixture_init (TrayFixture *f)
{
  f->printer = printer_new_reported (SERIAL_X1C,
                                     "'ams':{'ams':[{'id':'0','tray':[{'id':'0','tray_type':'PLA',"
                                     "'tray_sub_brands':'PLA Basic','tray_color':'FF0000FF',"
                                     "'tag_uid':'DE6CF07300000100','remain':90,"
                                     "'drying_temp':'55','drying_time':'8',"
                                     "'nozzle_temp_min':'190','nozzle_temp_max':'230'}]}]}");
  f->tray = peek_tray (f->printer, 0, 0);
  pd_notify_counter_init (&f->counter, f->tray);
}

static void
tray_fixture_clear (TrayFixture *f)
{
  /* The tray object stays for the whole test. */
  g_assert_true (peek_tray (f->printer, 0, 0) == f->tray);
  pd_notify_counter_clear (&f->counter);
  g_assert_finalize_object (f->printer);
}

/* Applies the members @tray_body to slot 0 of unit 0. */
static void
assert_tray_once (TrayFixture *f,
                  const char  *tray_body,
                  const char  *property)
{
  g_autofree char *body = g_strdup_printf ("'ams':{'ams':[{'id':'0','tray':[{'id':'0',%s}]}]}",
                                           tray_body);

  assert_child_once (f->printer, &f->counter, body, property);
}

static void
test_tray_present (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_true (pd_ams_tray_get_present (f.tray));

  /* The spool is taken out: everything about it goes, once each. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'tray_exist_bits':'0'}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "present"), ==, 1);
  g_assert_false (pd_ams_tray_get_present (f.tray));
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "material"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "name"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "color"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "remaining-percent"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying-temperature"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "drying-hours"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "nozzle-temp-min"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "nozzle-temp-max"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 9);
  g_assert_null (pd_ams_tray_get_material (f.tray));
  g_assert_null (pd_ams_tray_get_color (f.tray));
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (f.tray), ==, -1);

  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'tray_exist_bits':'0'}");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);

  /* A spool is put in; the AMS has not read it yet. */
  apply_print (f.printer, "'ams':{'tray_exist_bits':'1'}");
  g_assert_cmpuint (pd_notify_counter_get (&f.counter, "present"), ==, 1);
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 1);
  g_assert_true (pd_ams_tray_get_present (f.tray));
  g_assert_null (pd_ams_tray_get_material (f.tray));

  tray_fixture_clear (&f);
}

static void
test_tray_material (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpstr (pd_ams_tray_get_material (f.tray), ==, "PLA");

  assert_tray_once (&f, "'tray_type':'PETG'", "material");
  g_assert_cmpstr (pd_ams_tray_get_material (f.tray), ==, "PETG");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  assert_tray_once (&f, "'tray_type':'PLA'", "material");
  g_assert_cmpstr (pd_ams_tray_get_material (f.tray), ==, "PLA");

  tray_fixture_clear (&f);
}

static void
test_tray_name (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpstr (pd_ams_tray_get_name (f.tray), ==, "PLA Basic");

  assert_tray_once (&f, "'tray_sub_brands':'PLA Matte'", "name");
  g_assert_cmpstr (pd_ams_tray_get_name (f.tray), ==, "PLA Matte");
  /* No sub-brand: the preset's name. */
  assert_tray_once (&f, "'tray_sub_brands':'','tray_info_idx':'GFA00'", "name");
  g_assert_cmpstr (pd_ams_tray_get_name (f.tray), ==, "Bambu PLA Basic");

  tray_fixture_clear (&f);
}

static void
test_tray_color (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpstr (pd_ams_tray_get_color (f.tray), ==, "#FF0000FF");

  assert_tray_once (&f, "'tray_color':'00FF00FF'", "color");
  g_assert_cmpstr (pd_ams_tray_get_color (f.tray), ==, "#00FF00FF");
  /* Six digits are opaque: the same colour. */
  pd_notify_counter_reset (&f.counter);
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','tray':[{'id':'0','tray_color':'00FF00'}]}]}");
  g_assert_cmpuint (pd_notify_counter_total (&f.counter), ==, 0);
  assert_tray_once (&f, "'tray_color':'00000000'", "color");
  g_assert_null (pd_ams_tray_get_color (f.tray));

  tray_fixture_clear (&f);
}

static void
test_tray_remaining_percent (void)
{
  const char     *untagged = "'ams':{'ams':[{'id':'0','tray':[{'id':'1','tray_type':'PLA',"
                             "'tag_uid':'0000000000000000','tray_uuid':'00000000000000000000000000000000',"
                             "'remain':50}]}]}";
  TrayFixture     f;
  PdAmsTray      *other;
  PdNotifyCounter other_counter;

  tray_fixture_init (&f);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (f.tray), ==, 90);

  assert_tray_once (&f, "'remain':80", "remaining-percent");
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (f.tray), ==, 80);
  /* An empty tag_uid in a periodic update does not forget the tag. */
  assert_tray_once (&f, "'remain':79,'tag_uid':''", "remaining-percent");
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (f.tray), ==, 79);
  assert_tray_once (&f, "'remain':-1", "remaining-percent");
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (f.tray), ==, -1);

  /* A spool without a tag: not known, whatever remain says. */
  apply_print (f.printer, untagged);
  other = peek_tray (f.printer, 0, 1);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (other), ==, -1);
  pd_notify_counter_init (&other_counter, other);
  apply_print (f.printer, "'ams':{'ams':[{'id':'0','tray':[{'id':'1','remain':40}]}]}");
  g_assert_cmpuint (pd_notify_counter_total (&other_counter), ==, 0);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (other), ==, -1);
  pd_notify_counter_clear (&other_counter);

  tray_fixture_clear (&f);
}

static void
test_tray_drying_temperature (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpint (pd_ams_tray_get_drying_temperature (f.tray), ==, 55);

  assert_tray_once (&f, "'drying_temp':'60'", "drying-temperature");
  g_assert_cmpint (pd_ams_tray_get_drying_temperature (f.tray), ==, 60);
  assert_tray_once (&f, "'drying_temp':'0'", "drying-temperature");
  g_assert_cmpint (pd_ams_tray_get_drying_temperature (f.tray), ==, -1);

  tray_fixture_clear (&f);
}

static void
test_tray_drying_hours (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpint (pd_ams_tray_get_drying_hours (f.tray), ==, 8);

  assert_tray_once (&f, "'drying_time':'12'", "drying-hours");
  g_assert_cmpint (pd_ams_tray_get_drying_hours (f.tray), ==, 12);

  tray_fixture_clear (&f);
}

static void
test_tray_nozzle_temp_min (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpint (pd_ams_tray_get_nozzle_temp_min (f.tray), ==, 190);

  assert_tray_once (&f, "'nozzle_temp_min':'200'", "nozzle-temp-min");
  g_assert_cmpint (pd_ams_tray_get_nozzle_temp_min (f.tray), ==, 200);

  tray_fixture_clear (&f);
}

static void
test_tray_nozzle_temp_max (void)
{
  TrayFixture f;

  tray_fixture_init (&f);
  g_assert_cmpint (pd_ams_tray_get_nozzle_temp_max (f.tray), ==, 230);

  assert_tray_once (&f, "'nozzle_temp_max':'240'", "nozzle-temp-max");
  g_assert_cmpint (pd_ams_tray_get_nozzle_temp_max (f.tray), ==, 240);

  tray_fixture_clear (&f);
}

/* A whole report again ---------------------------------------------------- */

static void
counter_free (gpointer data)
{
  PdNotifyCounter *counter = data;

  pd_notify_counter_clear (counter);
  g_free (counter);
}

static void
counters_add (GPtrArray *counters,
              gpointer   object)
{
  PdNotifyCounter *counter;

  if (object == NULL)
    return;

  counter = g_new0 (PdNotifyCounter, 1);
  pd_notify_counter_init (counter, object);
  g_ptr_array_add (counters, counter);
}

static void
counters_add_trays (GPtrArray  *counters,
                    GListModel *trays)
{
  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    counters_add (counters, model_peek (trays, i));
}

/* Applying the same full report twice: the second time nothing notifies,
 * on the printer or on any object it owns.
 */
static void
test_repeat_fixture (gconstpointer data)
{
  const char           *fixture = data;
  g_autoptr (GPtrArray) counters = g_ptr_array_new_with_free_func (counter_free);
  PdPrinter            *printer = pd_printer_new (NULL);
  GListModel           *units = pd_printer_get_ams_units (printer);
  Watch                 w;

  /* The serial is redacted in the fixtures; the model comes from the name. */
  if (g_str_has_prefix (fixture, "reports/X1C"))
    pd_printer_set_configured_model (printer, "X1C");
  else if (g_str_has_prefix (fixture, "reports/X1_"))
    pd_printer_set_configured_model (printer, "X1");
  else if (g_str_has_prefix (fixture, "reports/H2D"))
    pd_printer_set_configured_model (printer, "H2D");
  else if (g_str_has_prefix (fixture, "reports/A1"))
    pd_printer_set_configured_model (printer, "A1");
  else if (g_str_has_prefix (fixture, "reports/P1P"))
    pd_printer_set_configured_model (printer, "P1P");

  pd_test_apply_fixture (printer, fixture);

  watch_init (&w, printer);
  counters_add (counters, pd_printer_get_nozzle (printer));
  counters_add (counters, pd_printer_get_nozzle_right (printer));
  counters_add (counters, pd_printer_get_bed (printer));
  counters_add (counters, pd_printer_get_chamber (printer));
  counters_add (counters, pd_printer_get_job (printer));
  for (guint i = 0; i < g_list_model_get_n_items (units); i++)
    {
      counters_add (counters, peek_unit (printer, i));
      counters_add_trays (counters, pd_ams_unit_get_trays (peek_unit (printer, i)));
    }
  counters_add_trays (counters, pd_printer_get_ams_external (printer));
  for (guint i = 0; i < g_list_model_get_n_items (pd_printer_get_hms_errors (printer)); i++)
    counters_add (counters, model_peek (pd_printer_get_hms_errors (printer), i));

  pd_test_apply_fixture (printer, fixture);
  assert_silent (&w);
  for (guint i = 0; i < counters->len; i++)
    {
      PdNotifyCounter *counter = g_ptr_array_index (counters, i);

      g_assert_cmpuint (pd_notify_counter_total (counter), ==, 0);
    }

  g_ptr_array_set_size (counters, 0);
  watch_finish (&w);
}

/* Batching -----------------------------------------------------------------*/

typedef struct
{
  guint status_calls;
  guint calls;
} BatchCheck;

/* Every notification of the printer comes after the whole report applied. */
static void
on_printer_notify_check (PdPrinter  *printer,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  BatchCheck *check = user_data;
  PdJob      *job = pd_printer_get_job (printer);

  check->calls++;
  if (g_str_equal (pspec->name, "status"))
    check->status_calls++;

  g_assert_cmpint (pd_printer_get_status (printer), ==, PD_STATUS_PRINTING);
  g_assert_cmpstr (pd_printer_get_stage (printer), ==, "Heating the nozzle");
  g_assert_nonnull (job);
  g_assert_cmpint (pd_job_get_progress (job), ==, 42);
  g_assert_cmpstr (pd_job_get_name (job), ==, "benchy");
  g_assert_cmpfloat (pd_temperature_get_current (pd_printer_get_nozzle (printer)), ==, 210);
  g_assert_cmpint (pd_printer_get_hms_level (printer), ==, PD_SEVERITY_FATAL);
  g_assert_cmpuint (g_list_model_get_n_items (pd_printer_get_ams_units (printer)), ==, 1);
  g_assert_cmpint (pd_printer_get_active_slot (printer), ==, 1);
  g_assert_cmpint (pd_printer_get_wifi_dbm (printer), ==, -40);
  g_assert_cmpint (pd_printer_get_light (printer), ==, PD_TRISTATE_YES);
  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, TEST_NOW);
  g_assert_cmpfloat (pd_test_doc_double (pd_printer_get_state (printer),
                                         "temperatures.nozzle.current"),
                     ==, 210);
}

static void
test_batch_printer (void)
{
  PdPrinter *printer = pd_printer_new (SERIAL_X1C);
  BatchCheck check = {
    0,
  };

  g_signal_connect (printer, "notify", G_CALLBACK (on_printer_notify_check), &check);
  apply_print (printer,
               "'gcode_state':'RUNNING','stg_cur':7,'subtask_name':'benchy','mc_percent':42,"
               "'nozzle_temper':210,'hms':[{'attr':50331904,'code':65543}],"
               "'ams':{'ams':[{'id':'0','tray':[{'id':'1','tray_type':'PLA'}]}],'tray_now':'1'},"
               "'wifi_signal':'-40dBm','lights_report':[{'node':'chamber_light','mode':'on'}]");
  g_assert_cmpuint (check.status_calls, ==, 1);
  /* status, stage, job, hms-level, active-slot, active-unit, wifi-dbm,
   * light, last-report-time, state: each once
   */
  g_assert_cmpuint (check.calls, ==, 10);

  g_signal_handlers_disconnect_by_data (printer, &check);
  g_assert_finalize_object (printer);
}

typedef struct
{
  PdPrinter *printer;
  guint      calls;
} ChildCheck;

static void
on_job_notify_check (PdJob      *job,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  ChildCheck *check = user_data;

  check->calls++;
  g_assert_cmpstr (pd_job_get_name (job), ==, "cube");
  g_assert_cmpint (pd_job_get_progress (job), ==, 42);
  g_assert_cmpint (pd_job_get_layer (job), ==, 12);
  g_assert_cmpint (pd_printer_get_wifi_dbm (check->printer), ==, -40);
}

static void
on_temperature_notify_check (PdTemperature *nozzle,
                             GParamSpec    *pspec,
                             gpointer       user_data)
{
  ChildCheck *check = user_data;

  check->calls++;
  g_assert_cmpfloat (pd_temperature_get_current (nozzle), ==, 210);
  g_assert_cmpfloat (pd_temperature_get_target (nozzle), ==, 220);
  g_assert_cmpfloat (pd_temperature_get_current (pd_printer_get_bed (check->printer)), ==, 60);
  g_assert_cmpint (pd_printer_get_wifi_dbm (check->printer), ==, -40);
}

static void
on_units_changed_check (GListModel *units,
                        guint       position,
                        guint       removed,
                        guint       added,
                        gpointer    user_data)
{
  ChildCheck *check = user_data;

  check->calls++;
  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 1);
  g_assert_cmpint (pd_printer_get_active_unit (check->printer), ==, 0);
  g_assert_cmpint (pd_printer_get_active_slot (check->printer), ==, 1);
  g_assert_cmpint (pd_printer_get_wifi_dbm (check->printer), ==, -40);
}

/* The objects the printer owns are views of the same report: a handler on
 * one of them must not see the report half applied either. The printer is
 * at 10 % of "benchy", Wi-Fi -60 dBm, nozzle and bed at 25 °C, no AMS.
 */
#define CHILD_BASE "'gcode_state':'RUNNING','subtask_name':'benchy','mc_percent':10,'layer_num':3," \
                   "'wifi_signal':'-60dBm','nozzle_temper':25,'nozzle_target_temper':0,'bed_temper':25"
#define CHILD_DELTA "'subtask_name':'cube','mc_percent':42,'layer_num':12,'wifi_signal':'-40dBm'," \
                    "'nozzle_temper':210,'nozzle_target_temper':220,'bed_temper':60,"              \
                    "'ams':{'ams':[{'id':'0','tray':[{'id':'1','tray_type':'PLA'}]}],'tray_now':'1'}"

static void
test_batch_job (void)
{
  PdPrinter *printer = printer_new_reported (SERIAL_X1C, CHILD_BASE);
  ChildCheck check = { printer, 0 };
  PdJob     *job = pd_printer_get_job (printer);

  g_assert_nonnull (job);
  g_signal_connect (job, "notify", G_CALLBACK (on_job_notify_check), &check);

  /* A handler on the job sees the whole report applied: the job's other
   * fields and the printer's later fields (Wi-Fi) are already new.
   */
  apply_print (printer, CHILD_DELTA);
  /* name, progress, layer */
  g_assert_cmpuint (check.calls, ==, 3);

  g_signal_handlers_disconnect_by_data (job, &check);
  g_assert_finalize_object (printer);
}

static void
test_batch_temperature (void)
{
  PdPrinter     *printer = printer_new_reported (SERIAL_X1C, CHILD_BASE);
  ChildCheck     check = { printer, 0 };
  PdTemperature *nozzle = pd_printer_get_nozzle (printer);

  g_signal_connect (nozzle, "notify", G_CALLBACK (on_temperature_notify_check), &check);

  /* A handler on the nozzle sees its new target and the new bed and Wi-Fi
   * values of the same report.
   */
  apply_print (printer, CHILD_DELTA);
  /* current, target */
  g_assert_cmpuint (check.calls, ==, 2);

  g_signal_handlers_disconnect_by_data (nozzle, &check);
  g_assert_finalize_object (printer);
}

static void
test_batch_ams_units (void)
{
  PdPrinter  *printer = printer_new_reported (SERIAL_X1C, CHILD_BASE);
  ChildCheck  check = { printer, 0 };
  GListModel *units = pd_printer_get_ams_units (printer);

  g_signal_connect (units, "items-changed", G_CALLBACK (on_units_changed_check), &check);

  /* items-changed cannot be held back: it comes after every other value
   * (active-unit/active-slot, Wi-Fi) is already the new one.
   */
  apply_print (printer, CHILD_DELTA);
  g_assert_cmpuint (check.calls, ==, 1);

  g_signal_handlers_disconnect_by_data (units, &check);
  g_assert_finalize_object (printer);
}

/* state-changed ------------------------------------------------------------*/

static void
test_state_changed (void)
{
  PdPrinter            *printer = printer_new_reported (SERIAL_X1C, "'nozzle_temper':25,'mc_percent':3,'gcode_state':'RUNNING'");
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (GError)    error = NULL;
  Watch                 w;

  watch_init (&w, printer);

  apply_print (printer, "'nozzle_temper':200");
  g_assert_cmpuint (w.state_changed, ==, 1);
  g_assert_nonnull (w.changes);
  g_assert_cmpuint (w.changes->len, ==, 1);
  g_assert_true (watch_changed (&w, "temperatures.nozzle.current"));

  assert_repeat_silent (&w, "'nozzle_temper':200");
  g_assert_null (w.changes);

  /* Two values: one emission naming both. */
  apply_print (printer, "'nozzle_temper':201,'mc_percent':4");
  g_assert_cmpuint (w.state_changed, ==, 1);
  g_assert_cmpuint (w.changes->len, ==, 2);
  g_assert_true (watch_changed (&w, "temperatures.nozzle.current"));
  g_assert_true (watch_changed (&w, "job.progress"));

  /* pd_printer_apply_report() hands out the same paths. */
  watch_reset (&w);
  report = pd_report_parse ("{\"print\":{\"nozzle_temper\":202}}", -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pd_printer_apply_report (printer, report, TEST_NOW, &changes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (w.state_changed, ==, 1);
  g_assert_nonnull (changes);
  g_assert_cmpuint (changes->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (changes, 0), ==, "temperatures.nozzle.current");
  g_clear_pointer (&changes, g_ptr_array_unref);

  /* And none on a repeat. */
  watch_reset (&w);
  g_assert_true (pd_printer_apply_report (printer, report, TEST_NOW, &changes, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (w.state_changed, ==, 0);
  g_assert_nonnull (changes);
  g_assert_cmpuint (changes->len, ==, 0);

  watch_finish (&w);
}

/* new-destroy --------------------------------------------------------------*/

static void
test_printer_new_destroy (void)
{
  PdPrinter *printer = pd_printer_new (SERIAL_P1P);

  g_assert_true (PD_IS_PRINTER (printer));
  g_assert_cmpstr (pd_printer_get_model (printer), ==, "P1P");
  g_assert_finalize_object (printer);
}

static void
test_temperature_new_destroy (void)
{
  PdTemperature *temperature = _pd_temperature_new ();

  g_assert_true (PD_IS_TEMPERATURE (temperature));
  g_assert_true (isnan (pd_temperature_get_current (temperature)));
  g_assert_true (isnan (pd_temperature_get_target (temperature)));
  g_assert_finalize_object (temperature);
}

static void
test_job_new_destroy (void)
{
  PdJob *job = _pd_job_new ();

  g_assert_true (PD_IS_JOB (job));
  g_assert_null (pd_job_get_name (job));
  g_assert_cmpint (pd_job_get_progress (job), ==, -1);
  g_assert_cmpint (pd_job_get_finish_time (job), ==, 0);
  g_assert_finalize_object (job);
}

static void
test_ams_unit_new_destroy (void)
{
  PdAmsUnit *unit = _pd_ams_unit_new (0);

  g_assert_true (PD_IS_AMS_UNIT (unit));
  g_assert_cmpint (pd_ams_unit_get_id (unit), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (pd_ams_unit_get_trays (unit)), ==, 0);
  g_assert_finalize_object (unit);
}

static void
test_ams_tray_new_destroy (void)
{
  PdAmsTray *tray = _pd_ams_tray_new (0);

  g_assert_true (PD_IS_AMS_TRAY (tray));
  g_assert_cmpint (pd_ams_tray_get_slot (tray), ==, 0);
  g_assert_false (pd_ams_tray_get_present (tray));
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, -1);
  g_assert_finalize_object (tray);
}

static void
test_hms_error_new_destroy (void)
{
  const PdHmsEntry entry = { 0x03000100, 0x00010007 };
  PdHmsError      *error = _pd_hms_error_new (&entry, NULL);

  g_assert_true (PD_IS_HMS_ERROR (error));
  g_assert_cmpstr (pd_hms_error_get_code (error), ==, "0300_0100_0001_0007");
  g_assert_cmpint (pd_hms_error_get_severity (error), ==, PD_SEVERITY_FATAL);
  g_assert_cmpstr (pd_hms_error_get_module (error), ==, "Motion controller");
  g_assert_cmpuint (pd_hms_error_get_attr (error), ==, 0x03000100);
  g_assert_cmpuint (pd_hms_error_get_code_word (error), ==, 0x00010007);
  g_assert_true (_pd_hms_error_matches (error, &entry));
  g_assert_nonnull (pd_hms_error_get_url (error));
  g_assert_finalize_object (error);
}

/* A printer after a full report still goes, and takes its objects along. */
static void
test_printer_finalize_full (void)
{
  PdPrinter     *printer = pd_printer_new (SERIAL_X1C);
  PdAmsUnit     *unit;
  PdAmsTray     *tray;
  PdJob         *job;
  PdTemperature *chamber;
  GListModel    *units;

  pd_test_apply_fixture (printer, X1C_FIXTURE);
  units = pd_printer_get_ams_units (printer);
  g_assert_cmpuint (g_list_model_get_n_items (units), ==, 4);

  /* Someone held on to a unit for a while, then let go. */
  unit = g_list_model_get_item (units, 2);
  g_assert_nonnull (unit);
  g_object_unref (unit);

  tray = peek_tray (printer, 0, 0);
  job = pd_printer_get_job (printer);
  chamber = pd_printer_get_chamber (printer);
  g_assert_nonnull (job);
  g_assert_nonnull (chamber);
  g_object_add_weak_pointer (G_OBJECT (unit), (gpointer *) &unit);
  g_object_add_weak_pointer (G_OBJECT (tray), (gpointer *) &tray);
  g_object_add_weak_pointer (G_OBJECT (job), (gpointer *) &job);
  g_object_add_weak_pointer (G_OBJECT (chamber), (gpointer *) &chamber);
  g_object_add_weak_pointer (G_OBJECT (units), (gpointer *) &units);

  g_assert_finalize_object (printer);
  g_assert_null (unit);
  g_assert_null (tray);
  g_assert_null (job);
  g_assert_null (chamber);
  g_assert_null (units);
}

int
main (int   argc,
      char *argv[])
{
  static const char *const fixtures[] = {
    "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json",
    "reports/H2D_running_ams_amsht_encoded_temps_push_status.json",
    "reports/H2D_get_version_response.json",
    "reports/A1_idle_ams_lite_humidity_index_push_status.json",
    "reports/P1P_failed_push_status.json",
    "reports/X1_idle_ams_generic_spools_push_status.json",
  };

  g_test_init (&argc, &argv, NULL);
  /* A failing check fails its test case and the others still run. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/printer/notify/serial", test_serial);
  g_test_add_func ("/printer/notify/name", test_name);
  g_test_add_func ("/printer/notify/name-from-state", test_name_from_state);
  g_test_add_func ("/printer/notify/configured-model", test_configured_model);
  g_test_add_func ("/printer/notify/model", test_model);
  g_test_add_func ("/printer/notify/model-name", test_model_name);
  g_test_add_func ("/printer/notify/connection", test_connection);
  g_test_add_func ("/printer/notify/status", test_status);
  g_test_add_func ("/printer/notify/status-cancelled", test_status_cancelled);
  g_test_add_func ("/printer/notify/stage", test_stage);
  g_test_add_func ("/printer/notify/nozzle", test_nozzle);
  g_test_add_func ("/printer/notify/nozzle-right", test_nozzle_right);
  g_test_add_func ("/printer/notify/bed", test_bed);
  g_test_add_func ("/printer/notify/chamber", test_chamber);
  g_test_add_func ("/printer/notify/job", test_job);
  g_test_add_func ("/printer/notify/hms", test_hms);
  g_test_add_func ("/printer/notify/print-error", test_print_error);
  g_test_add_func ("/printer/notify/ams-units", test_ams_units);
  g_test_add_func ("/printer/notify/ams-external", test_ams_external);
  g_test_add_func ("/printer/notify/active-slot", test_active_slot);
  g_test_add_func ("/printer/notify/camera-kind", test_camera_kind);
  g_test_add_func ("/printer/notify/wifi-dbm", test_wifi_dbm);
  g_test_add_func ("/printer/notify/light", test_light);
  g_test_add_func ("/printer/notify/door-open", test_door_open);
  g_test_add_func ("/printer/notify/firmware", test_firmware);
  g_test_add_func ("/printer/notify/last-report-time", test_last_report_time);
  g_test_add_func ("/printer/notify/state", test_state);
  g_test_add_func ("/printer/notify/rejected-report", test_rejected_report);

  g_test_add_func ("/temperature/notify/current", test_temperature_current);
  g_test_add_func ("/temperature/notify/target", test_temperature_target);
  g_test_add_func ("/temperature/notify/nan", test_temperature_nan);
  g_test_add_func ("/temperature/notify/packed", test_temperature_packed);

  g_test_add_func ("/job/notify/name", test_job_name);
  g_test_add_func ("/job/notify/progress", test_job_progress);
  g_test_add_func ("/job/notify/layer", test_job_layer);
  g_test_add_func ("/job/notify/total-layers", test_job_total_layers);
  g_test_add_func ("/job/notify/remaining-minutes", test_job_remaining_minutes);
  g_test_add_func ("/job/notify/finish-time", test_job_finish_time);

  g_test_add_func ("/ams-unit/notify/unit-type", test_unit_type);
  g_test_add_func ("/ams-unit/notify/humidity-percent", test_unit_humidity_percent);
  g_test_add_func ("/ams-unit/notify/humidity-level", test_unit_humidity_level);
  g_test_add_func ("/ams-unit/notify/temperature", test_unit_temperature);
  g_test_add_func ("/ams-unit/notify/drying-supported", test_unit_drying_supported);
  g_test_add_func ("/ams-unit/notify/drying", test_unit_drying);
  g_test_add_func ("/ams-unit/notify/drying-remaining-minutes", test_unit_drying_remaining_minutes);
  g_test_add_func ("/ams-unit/notify/trays", test_unit_trays);

  g_test_add_func ("/ams-tray/notify/present", test_tray_present);
  g_test_add_func ("/ams-tray/notify/material", test_tray_material);
  g_test_add_func ("/ams-tray/notify/name", test_tray_name);
  g_test_add_func ("/ams-tray/notify/color", test_tray_color);
  g_test_add_func ("/ams-tray/notify/remaining-percent", test_tray_remaining_percent);
  g_test_add_func ("/ams-tray/notify/drying-temperature", test_tray_drying_temperature);
  g_test_add_func ("/ams-tray/notify/drying-hours", test_tray_drying_hours);
  g_test_add_func ("/ams-tray/notify/nozzle-temp-min", test_tray_nozzle_temp_min);
  g_test_add_func ("/ams-tray/notify/nozzle-temp-max", test_tray_nozzle_temp_max);

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *base = g_path_get_basename (fixtures[i]);
      g_autofree char *path = NULL;
      char            *dot = strrchr (base, '.');

      if (dot != NULL)
        *dot = '\0';
      path = g_strdup_printf ("/printer/repeat/%s", base);
      g_test_add_data_func (path, fixtures[i], test_repeat_fixture);
    }

  g_test_add_func ("/printer/batch/printer", test_batch_printer);
  g_test_add_func ("/printer/batch/job", test_batch_job);
  g_test_add_func ("/printer/batch/temperature", test_batch_temperature);
  g_test_add_func ("/printer/batch/ams-units", test_batch_ams_units);
  g_test_add_func ("/printer/state-changed", test_state_changed);

  g_test_add_func ("/printer/new-destroy", test_printer_new_destroy);
  g_test_add_func ("/printer/finalize-after-report", test_printer_finalize_full);
  g_test_add_func ("/temperature/new-destroy", test_temperature_new_destroy);
  g_test_add_func ("/job/new-destroy", test_job_new_destroy);
  g_test_add_func ("/ams-unit/new-destroy", test_ams_unit_new_destroy);
  g_test_add_func ("/ams-tray/new-destroy", test_ams_tray_new_destroy);
  g_test_add_func ("/hms-error/new-destroy", test_hms_error_new_destroy);
  g_test_add_func ("/printer/hms-linger", test_hms_linger);

  return g_test_run ();
}
