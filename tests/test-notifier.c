/* test-notifier.c — PdNotifier: which notifications, when, with a fake clock
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pd-notifier.h"
#include "pd-test-util.h"

#define SERIAL      "00M00A000000001"
#define OTHER       "01S00A000000002"
#define SEC         G_USEC_PER_SEC
#define START       (1000 * SEC)

#define FATAL_HMS   "{'attr':50331904,'code':65543}"  /* 0300_0100_0001_0007 */
#define SERIOUS_HMS "{'attr':117440768,'code':131078}" /* 0700_2000_0002_0006 */
#define COMMON_HMS  "{'attr':50348032,'code':196610}" /* 0300_4000_0003_0002 */
#define CANCEL      50348044                          /* 0300_400C */
#define NOZZLE_CLOG 117473284                         /* 0700_8004, a real print error */

#define X1_FIXTURE  "reports/X1_idle_ams_generic_spools_push_status.json"
#define X1C_FIXTURE "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json"
#define A1_FIXTURE  "reports/A1_idle_ams_lite_humidity_index_push_status.json"

/* A notifier, one printer's state, a clock, and what came out. */
typedef struct
{
  PdNotifier *notifier;
  PdState    *state;
  gint64      now;
  GQueue      notices;
} Rig;

static void
collect (Rig       *rig,
         GPtrArray *notices)
{
  for (guint i = 0; i < notices->len; i++)
    g_queue_push_tail (&rig->notices, pd_notice_ref (g_ptr_array_index (notices, i)));
  g_ptr_array_unref (notices);
}

static void
rig_init (Rig        *rig,
          const char *serial)
{
  g_autoptr (PdState) state = pd_state_new (serial);

  rig->notifier = pd_notifier_new ();
  rig->state = pd_state_with_identity (state, "Workshop", NULL);
  rig->now = START;
  g_queue_init (&rig->notices);
  /* No failure settling unless a test asks for it. */
  pd_notifier_set_timing (rig->notifier, 30, 600, 0);
}

static void
rig_clear (Rig *rig)
{
  g_queue_clear_full (&rig->notices, (GDestroyNotify) pd_notice_unref);
  g_clear_pointer (&rig->state, pd_state_unref);
  g_assert_finalize_object (rig->notifier);
}

static void
update (Rig *rig)
{
  collect (rig, pd_notifier_update (rig->notifier, rig->state, rig->now));
}

static void
set_connection (Rig         *rig,
                PdConnection connection)
{
  PdState *state = pd_state_with_connection (rig->state, connection);

  pd_state_unref (rig->state);
  rig->state = state;
  update (rig);
}

/* Merges a push_status made of @body (members of "print"; ' for ") and
 * feeds the new state, connected.
 */
static void
feed (Rig        *rig,
      const char *body)
{
  g_autofree char *text = g_strdup_printf ("{'print':{'command':'push_status',%s}}", body);
  PdState         *state;

  state = pd_test_merge_text (rig->state, g_strdelimit (text, "'", '"'));
  pd_state_unref (rig->state);
  rig->state = pd_state_with_connection (state, PD_CONNECTION_CONNECTED);
  pd_state_unref (state);
  update (rig);
}

static void
feed_fixture (Rig        *rig,
              const char *fixture)
{
  PdState *state = pd_test_merge_fixture (rig->state, fixture);

  pd_state_unref (rig->state);
  rig->state = pd_state_with_connection (state, PD_CONNECTION_CONNECTED);
  pd_state_unref (state);
  update (rig);
}

static void
advance (Rig   *rig,
         double seconds)
{
  rig->now += (gint64) (seconds * SEC);
  collect (rig, pd_notifier_tick (rig->notifier, rig->now));
}

/* Runs the clock to the notifier's deadline, as the app's timer does. */
static void
run_to_deadline (Rig *rig)
{
  gint64 deadline = pd_notifier_get_deadline (rig->notifier);

  g_assert_cmpint (deadline, !=, G_MAXINT64);
  g_assert_cmpint (deadline, >=, rig->now);
  rig->now = deadline;
  collect (rig, pd_notifier_tick (rig->notifier, rig->now));
}

static void
assert_none (Rig *rig)
{
  if (!g_queue_is_empty (&rig->notices))
    {
      PdNotice *notice = g_queue_peek_head (&rig->notices);

      g_error ("unexpected notice: kind %d, withdraw %d, alert %d", notice->kind, notice->withdraw, notice->alert);
    }
}

/* Pops the next notice: it must be of @kind and, for a shown one, alert
 * as @alert says.
 */
static PdNotice *
expect (Rig         *rig,
        PdNoticeKind kind,
        gboolean     withdraw,
        gboolean     alert)
{
  PdNotice *notice = g_queue_pop_head (&rig->notices);

  g_assert_nonnull (notice);
  g_assert_cmpint (notice->kind, ==, kind);
  g_assert_cmpint (notice->withdraw, ==, withdraw);
  if (!withdraw)
    g_assert_cmpint (notice->alert, ==, alert);

  return notice;
}

#define expect_show(rig, kind)    expect ((rig), (kind), FALSE, TRUE)
#define expect_quiet(rig, kind)   expect ((rig), (kind), FALSE, FALSE)
#define expect_withdraw(rig, kind) expect ((rig), (kind), TRUE, FALSE)

static void
start_printing (Rig *rig)
{
  feed (rig, "'gcode_state':'RUNNING','subtask_name':'Benchy','mc_percent':10,'print_error':0");
}

/* The deadline is kept as printers change, not found by a walk over all of
 * them on every report: it must still be the earliest printer's, also when
 * that printer's timer goes away and a later one's is next. */
static void
test_deadline_many_printers (void)
{
  Rig   rigs[5];
  guint n = G_N_ELEMENTS (rigs);

  rig_init (&rigs[0], "SERIAL-0");
  for (guint i = 1; i < n; i++)
    {
      g_autofree char *serial = g_strdup_printf ("SERIAL-%u", i);
      g_autoptr (PdState) state = pd_state_new (serial);

      rigs[i] = rigs[0];
      g_queue_init (&rigs[i].notices);
      rigs[i].state = pd_state_with_identity (state, "Workshop", NULL);
    }
  /* all online, then offline one after another, 10 s apart */
  for (guint i = 0; i < n; i++)
    {
      rigs[i].now = START;
      feed (&rigs[i], "'gcode_state':'IDLE'");
    }
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, G_MAXINT64);
  for (guint i = 0; i < n; i++)
    {
      rigs[i].now = START + (gint64) (i + 1) * 10 * SEC;
      set_connection (&rigs[i], PD_CONNECTION_DISCONNECTED);
    }
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, START + 10 * SEC + 60 * SEC);

  /* the earliest comes back: the next one's is the deadline */
  rigs[0].now = START + 55 * SEC;
  feed (&rigs[0], "'gcode_state':'IDLE'");
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, START + 20 * SEC + 60 * SEC);
  /* one in the middle comes back: unchanged */
  rigs[2].now = START + 56 * SEC;
  feed (&rigs[2], "'gcode_state':'IDLE'");
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, START + 20 * SEC + 60 * SEC);
  /* forgotten: the next */
  g_ptr_array_unref (pd_notifier_forget (rigs[0].notifier, "SERIAL-1"));
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, START + 40 * SEC + 60 * SEC);
  /* a longer delay moves it */
  pd_notifier_set_offline_delay (rigs[0].notifier, 120);
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, START + 40 * SEC + 120 * SEC);
  /* the rest come back: nothing waits */
  for (guint i = 3; i < n; i++)
    {
      rigs[i].now = START + 60 * SEC;
      feed (&rigs[i], "'gcode_state':'IDLE'");
    }
  g_assert_cmpint (pd_notifier_get_deadline (rigs[0].notifier), ==, G_MAXINT64);

  for (guint i = 1; i < n; i++)
    {
      g_queue_clear_full (&rigs[i].notices, (GDestroyNotify) pd_notice_unref);
      g_clear_pointer (&rigs[i].state, pd_state_unref);
    }
  rig_clear (&rigs[0]);
}

/* Offline ----------------------------------------------------------------------*/

static void
test_offline_debounce (void)
{
  Rig                   rig;
  g_autoptr (PdNotice)  notice = NULL;
  g_autofree char      *id = NULL;
  g_autofree char      *title = NULL;

  rig_init (&rig, SERIAL);

  /* Never seen online: a printer that is off when the app starts. */
  set_connection (&rig, PD_CONNECTION_CONNECTING);
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 3600);
  assert_none (&rig);
  g_assert_cmpint (pd_notifier_get_deadline (rig.notifier), ==, G_MAXINT64);

  feed (&rig, "'gcode_state':'IDLE'");
  assert_none (&rig);

  /* A blip shorter than the delay: nothing, not even "back online". */
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpint (pd_notifier_get_deadline (rig.notifier), ==, rig.now + 60 * SEC);
  advance (&rig, 59);
  set_connection (&rig, PD_CONNECTION_CONNECTING);
  advance (&rig, 0.5);
  feed (&rig, "'gcode_state':'IDLE'");
  assert_none (&rig);

  /* Offline for the delay: one notification, at the deadline. */
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 30);
  assert_none (&rig);
  run_to_deadline (&rig);
  notice = expect_show (&rig, PD_NOTICE_OFFLINE);
  g_assert_false (notice->back_online);
  g_assert_false (notice->was_printing);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_NORMAL);
  g_assert_cmpstr (notice->name, ==, "Workshop");
  id = pd_notice_dup_id (notice);
  g_assert_cmpstr (id, ==, "printer/" SERIAL "/offline");
  title = pd_notice_dup_title (notice);
  g_assert_cmpstr (title, ==, "Workshop Is Offline");
  g_clear_pointer (&notice, pd_notice_unref);

  /* Only once, however long it stays away. */
  advance (&rig, 3600);
  set_connection (&rig, PD_CONNECTION_CONNECTING);
  assert_none (&rig);

  /* Back: replaces the offline notification. */
  feed (&rig, "'gcode_state':'IDLE'");
  notice = expect_show (&rig, PD_NOTICE_OFFLINE);
  g_assert_true (notice->back_online);
  g_clear_pointer (&id, g_free);
  id = pd_notice_dup_id (notice);
  g_assert_cmpstr (id, ==, "printer/" SERIAL "/offline");
  assert_none (&rig);

  rig_clear (&rig);
}

/* Gone during a print: more urgent, and said so. Gone again soon after:
 * updated without a second alert.
 */
static void
test_offline_printing (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, SERIAL);
  pd_notifier_set_offline_delay (rig.notifier, 10);
  start_printing (&rig);

  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 10);
  notice = expect_show (&rig, PD_NOTICE_OFFLINE);
  g_assert_true (notice->was_printing);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_HIGH);
  body = pd_notice_dup_body (notice, NULL);
  g_assert_nonnull (strstr (body, "during a print"));
  g_clear_pointer (&notice, pd_notice_unref);

  start_printing (&rig);
  pd_notice_unref (expect_show (&rig, PD_NOTICE_OFFLINE));
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 20);
  pd_notice_unref (expect_quiet (&rig, PD_NOTICE_OFFLINE));

  /* Back after a quiet "offline": quietly too (no popup every return). */
  start_printing (&rig);
  pd_notice_unref (expect_quiet (&rig, PD_NOTICE_OFFLINE));

  /* After the quiet window it alerts again. */
  advance (&rig, 700);
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 10);
  pd_notice_unref (expect_show (&rig, PD_NOTICE_OFFLINE));

  rig_clear (&rig);
}

/* A printer flapping every few seconds for ten minutes: no notification. */
static void
test_offline_flapping (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE'");
  for (guint i = 0; i < 200; i++)
    {
      set_connection (&rig, PD_CONNECTION_DISCONNECTED);
      advance (&rig, 2);
      set_connection (&rig, PD_CONNECTION_CONNECTING);
      advance (&rig, 1);
      feed (&rig, "'gcode_state':'IDLE'");
    }
  assert_none (&rig);

  /* No delay: at once. */
  pd_notifier_set_offline_delay (rig.notifier, 0);
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  pd_notice_unref (expect_show (&rig, PD_NOTICE_OFFLINE));

  rig_clear (&rig);
}

/* Errors -----------------------------------------------------------------------*/

static void
test_hms_severity (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  const PdNoticeCode  *code;
  g_autofree char     *title = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE','hms':[]");

  /* Common: below the default minimum (serious). */
  feed (&rig, "'hms':[" COMMON_HMS "]");
  assert_none (&rig);

  /* Fatal: urgent, with a sound (the default for fatal errors). */
  feed (&rig, "'hms':[" COMMON_HMS "," FATAL_HMS "]");
  notice = expect_show (&rig, PD_NOTICE_ERROR);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_URGENT);
  g_assert_true (notice->sound);
  g_assert_cmpuint (notice->codes->len, ==, 1);
  code = &g_array_index (notice->codes, PdNoticeCode, 0);
  g_assert_false (code->print_error);
  g_assert_cmphex (code->attr, ==, 0x03000100);
  g_assert_cmphex (code->code, ==, 0x00010007);
  g_assert_cmpint (code->severity, ==, PD_SEVERITY_FATAL);
  g_assert_true (code->is_new);
  title = pd_notice_dup_title (notice);
  g_assert_cmpstr (title, ==, "Fatal Error on Workshop");
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "0300_0100_0001_0007: no description available");
  g_clear_pointer (&notice, pd_notice_unref);

  /* The same report again, and again: nothing new. */
  for (guint i = 0; i < 10; i++)
    {
      advance (&rig, 1);
      feed (&rig, "'hms':[" COMMON_HMS "," FATAL_HMS "]");
    }
  assert_none (&rig);

  /* A serious one joins: a new alert listing both, the new one marked;
   * serious alone would not ring.
   */
  feed (&rig, "'hms':[" FATAL_HMS "," SERIOUS_HMS "]");
  notice = expect_show (&rig, PD_NOTICE_ERROR);
  g_assert_cmpuint (notice->codes->len, ==, 2);
  g_assert_cmpint (g_array_index (notice->codes, PdNoticeCode, 0).severity, ==, PD_SEVERITY_FATAL);
  g_assert_false (g_array_index (notice->codes, PdNoticeCode, 0).is_new);
  g_assert_true (g_array_index (notice->codes, PdNoticeCode, 1).is_new);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_URGENT);
  g_clear_pointer (&notice, pd_notice_unref);

  /* The fatal one clears: after the clear delay, a quiet update. */
  feed (&rig, "'hms':[" SERIOUS_HMS "]");
  assert_none (&rig);
  run_to_deadline (&rig);
  notice = expect_quiet (&rig, PD_NOTICE_ERROR);
  g_assert_cmpuint (notice->codes->len, ==, 1);
  g_assert_cmpint (g_array_index (notice->codes, PdNoticeCode, 0).severity, ==, PD_SEVERITY_SERIOUS);
  g_assert_false (notice->sound);
  g_clear_pointer (&notice, pd_notice_unref);

  /* All clear: withdrawn. */
  feed (&rig, "'hms':[]");
  advance (&rig, 29);
  assert_none (&rig);
  advance (&rig, 1);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));
  assert_none (&rig);

  rig_clear (&rig);
}

/* A code that comes and goes: one alert. */
static void
test_hms_flapping (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE','hms':[]");

  feed (&rig, "'hms':[" SERIOUS_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));

  /* Gone and back within the clear delay: still the same notification. */
  for (guint i = 0; i < 20; i++)
    {
      advance (&rig, 4);
      feed (&rig, "'hms':[]");
      advance (&rig, 4);
      feed (&rig, "'hms':[" SERIOUS_HMS "]");
    }
  assert_none (&rig);

  /* Gone long enough to be withdrawn, back within the quiet window: shown
   * again, quietly.
   */
  feed (&rig, "'hms':[]");
  advance (&rig, 31);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));
  feed (&rig, "'hms':[" SERIOUS_HMS "]");
  pd_notice_unref (expect_quiet (&rig, PD_NOTICE_ERROR));

  /* Back after the quiet window: a real alert again. */
  feed (&rig, "'hms':[]");
  advance (&rig, 31);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));
  advance (&rig, 600);
  feed (&rig, "'hms':[" SERIOUS_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));

  rig_clear (&rig);
}

/* While the printer is away an error is not "gone". */
static void
test_hms_offline (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE','hms':[" FATAL_HMS "]");
  /* The first state counts for errors: they are there now. */
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));

  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 45);
  set_connection (&rig, PD_CONNECTION_CONNECTING);
  advance (&rig, 15);
  pd_notice_unref (expect_show (&rig, PD_NOTICE_OFFLINE));
  assert_none (&rig);

  feed (&rig, "'hms':[" FATAL_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_OFFLINE)); /* back online */
  assert_none (&rig);
  advance (&rig, 60);
  assert_none (&rig);

  rig_clear (&rig);
}

/* A print error is an error too (but not a cancel, nor a status word). */
static void
test_print_error (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, SERIAL);
  start_printing (&rig);

  feed (&rig, "'gcode_state':'PAUSE','print_error':" G_STRINGIFY (NOZZLE_CLOG));
  notice = expect_show (&rig, PD_NOTICE_ERROR);
  g_assert_true (notice->printing);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_HIGH);
  g_assert_false (notice->sound);
  g_assert_true (g_array_index (notice->codes, PdNoticeCode, 0).print_error);
  g_assert_cmphex (g_array_index (notice->codes, PdNoticeCode, 0).code, ==, NOZZLE_CLOG);
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "0700_8004: no description available");
  g_clear_pointer (&notice, pd_notice_unref);

  feed (&rig, "'gcode_state':'RUNNING','print_error':0");
  advance (&rig, 30);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));

  /* Status words (below 0x4000) are not errors. */
  feed (&rig, "'gcode_state':'PAUSE','print_error':50339842");
  assert_none (&rig);

  rig_clear (&rig);
}

/* Jobs -------------------------------------------------------------------------*/

static void
test_finished (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *title = NULL;
  g_autofree char     *body = NULL;
  g_autofree char     *id = NULL;

  rig_init (&rig, SERIAL);
  pd_notifier_set_sound (rig.notifier, PD_NOTICE_FINISHED, TRUE);

  /* Found finished at the start: old news. */
  feed (&rig, "'gcode_state':'FINISH','subtask_name':'Old'");
  assert_none (&rig);

  start_printing (&rig);
  assert_none (&rig);
  feed (&rig, "'mc_percent':100,'gcode_state':'FINISH'");
  notice = expect_show (&rig, PD_NOTICE_FINISHED);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_NORMAL);
  g_assert_true (notice->sound);
  g_assert_false (notice->printing);
  g_assert_cmpstr (notice->job_name, ==, "Benchy");
  title = pd_notice_dup_title (notice);
  g_assert_cmpstr (title, ==, "Print Finished on Workshop");
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "“Benchy” is done.");
  id = pd_notice_dup_id (notice);
  g_assert_cmpstr (id, ==, "printer/" SERIAL "/finished");

  /* Repeated reports: once. */
  for (guint i = 0; i < 5; i++)
    feed (&rig, "'gcode_state':'FINISH'");
  assert_none (&rig);

  /* The next job takes it back. */
  start_printing (&rig);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_FINISHED));
  assert_none (&rig);

  rig_clear (&rig);
}

/* A print that finished while the app was disconnected from the printer. */
static void
test_finished_while_away (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  start_printing (&rig);
  set_connection (&rig, PD_CONNECTION_DISCONNECTED);
  advance (&rig, 20);
  set_connection (&rig, PD_CONNECTION_CONNECTING);
  feed (&rig, "'gcode_state':'FINISH','mc_percent':100");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_FINISHED));
  assert_none (&rig);

  rig_clear (&rig);
}

static void
test_failed (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, SERIAL);
  pd_notifier_set_timing (rig.notifier, 30, 600, 5);

  /* A failure waits a few seconds, then is announced. */
  start_printing (&rig);
  feed (&rig, "'gcode_state':'FAILED','print_error':" G_STRINGIFY (NOZZLE_CLOG));
  /* The error itself is announced at once, */
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));
  assert_none (&rig);
  g_assert_cmpint (pd_notifier_get_deadline (rig.notifier), ==, rig.now + 5 * SEC);
  advance (&rig, 4);
  assert_none (&rig);
  run_to_deadline (&rig);
  /* and the failure with its reason. */
  notice = expect_show (&rig, PD_NOTICE_FAILED);
  g_assert_cmpint (notice->priority, ==, G_NOTIFICATION_PRIORITY_HIGH);
  g_assert_cmpstr (notice->job_name, ==, "Benchy");
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "“Benchy” stopped with an error.\n0700_8004: no description available");
  assert_none (&rig);

  /* A new job withdraws it. */
  start_printing (&rig);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_FAILED));

  rig_clear (&rig);
}

/* The user's stop: FAILED with the cancel code, in the same report or in
 * the next one. Not a failure.
 */
static void
test_cancel (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  pd_notifier_set_timing (rig.notifier, 30, 600, 5);

  start_printing (&rig);
  feed (&rig, "'gcode_state':'FAILED','print_error':" G_STRINGIFY (CANCEL));
  advance (&rig, 10);
  assert_none (&rig);

  start_printing (&rig);
  feed (&rig, "'gcode_state':'FAILED','print_error':0");
  advance (&rig, 1.5);
  feed (&rig, "'print_error':" G_STRINGIFY (CANCEL));
  advance (&rig, 2);
  feed (&rig, "'print_error':0");
  advance (&rig, 10);
  assert_none (&rig);
  g_assert_cmpint (pd_notifier_get_deadline (rig.notifier), ==, G_MAXINT64);

  /* Stopped from the slicer: straight to IDLE. Not a failure either. */
  start_printing (&rig);
  feed (&rig, "'gcode_state':'IDLE'");
  advance (&rig, 10);
  assert_none (&rig);

  rig_clear (&rig);
}

/* The recorded P1P report of a failed print, after a print under way. */
static void
test_failed_fixture (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;

  rig_init (&rig, "01S00C000000001");
  feed (&rig, "'gcode_state':'PREPARE','subtask_name':'Fidget Collection'");
  feed_fixture (&rig, "reports/P1P_failed_push_status.json");
  notice = expect_show (&rig, PD_NOTICE_FAILED);
  g_assert_cmpstr (notice->job_name, ==, "Fidget Collection");
  g_assert_cmpstr (notice->model, ==, "P1P");

  rig_clear (&rig);
}

/* Preferences ------------------------------------------------------------------*/

static void
test_muted (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  g_ptr_array_unref (pd_notifier_set_muted (rig.notifier, SERIAL, TRUE));
  g_assert_true (pd_notifier_get_muted (rig.notifier, SERIAL));
  g_assert_false (pd_notifier_get_muted (rig.notifier, OTHER));

  start_printing (&rig);
  feed (&rig, "'gcode_state':'FINISH','hms':[" FATAL_HMS "]");
  assert_none (&rig);

  /* Unmuted: nothing replayed; new events come. */
  g_ptr_array_unref (pd_notifier_set_muted (rig.notifier, SERIAL, FALSE));
  assert_none (&rig);
  feed (&rig, "'hms':[" FATAL_HMS "," SERIOUS_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));

  /* Muted while shown: withdrawn. */
  collect (&rig, pd_notifier_set_muted (rig.notifier, SERIAL, TRUE));
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));
  assert_none (&rig);

  rig_clear (&rig);
}

static void
test_disabled (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  g_ptr_array_unref (pd_notifier_set_enabled (rig.notifier, PD_NOTICE_FINISHED, FALSE));
  g_assert_false (pd_notifier_get_enabled (rig.notifier, PD_NOTICE_FINISHED));
  pd_notifier_set_min_severity (rig.notifier, PD_SEVERITY_COMMON);

  start_printing (&rig);
  feed (&rig, "'gcode_state':'FINISH'");
  assert_none (&rig);

  /* Common errors now count; turning errors off withdraws the one shown. */
  feed (&rig, "'hms':[" COMMON_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));
  collect (&rig, pd_notifier_set_enabled (rig.notifier, PD_NOTICE_ERROR, FALSE));
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_ERROR));
  feed (&rig, "'hms':[" COMMON_HMS "," FATAL_HMS "]");
  assert_none (&rig);

  rig_clear (&rig);
}

/* Two printers keep apart; a removed printer's notifications go. */
static void
test_forget (void)
{
  Rig                  rig;
  g_autoptr (PdState)  other = pd_state_new (OTHER);
  g_autoptr (PdState)  merged = NULL;
  g_autoptr (PdState)  online = NULL;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *title = NULL;
  g_autofree char     *report = g_strdup ("{'print':{'command':'push_status','hms':[" FATAL_HMS "]}}");

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE','hms':[" FATAL_HMS "]");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_ERROR));

  merged = pd_test_merge_text (other, g_strdelimit (report, "'", '"'));
  online = pd_state_with_connection (merged, PD_CONNECTION_CONNECTED);
  collect (&rig, pd_notifier_update (rig.notifier, online, rig.now));
  notice = expect_show (&rig, PD_NOTICE_ERROR);
  g_assert_cmpstr (notice->serial, ==, OTHER);
  /* No name configured: the model's name. */
  title = pd_notice_dup_title (notice);
  g_assert_cmpstr (title, ==, "Fatal Error on P1P");

  collect (&rig, pd_notifier_forget (rig.notifier, SERIAL));
  g_clear_pointer (&notice, pd_notice_unref);
  notice = expect_withdraw (&rig, PD_NOTICE_ERROR);
  g_assert_cmpstr (notice->serial, ==, SERIAL);
  assert_none (&rig);
  /* Forgetting again, or one never seen, does nothing. */
  collect (&rig, pd_notifier_forget (rig.notifier, SERIAL));
  collect (&rig, pd_notifier_forget (rig.notifier, "nobody"));
  assert_none (&rig);

  rig_clear (&rig);
}

/* Humidity ---------------------------------------------------------------------*/

static void
set_raw (Rig *rig,
         int  id,
         int  percent)
{
  g_autofree char *body = g_strdup_printf ("'ams':{'ams':[{'id':'%d','humidity_raw':'%d'}]}", id, percent);

  feed (rig, body);
}

static void
test_humidity_once (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;
  g_autofree char     *title = NULL;

  rig_init (&rig, "00W00A000000001");
  feed_fixture (&rig, X1_FIXTURE);
  assert_none (&rig); /* level 2: fine */

  set_raw (&rig, 0, 45); /* fair */
  assert_none (&rig);

  set_raw (&rig, 0, 65);
  notice = expect_show (&rig, PD_NOTICE_HUMIDITY);
  g_assert_cmpuint (notice->units->len, ==, 1);
  g_assert_cmpint (g_array_index (notice->units, PdNoticeUnit, 0).id, ==, 0);
  g_assert_cmpint (g_array_index (notice->units, PdNoticeUnit, 0).percent, ==, 65);
  title = pd_notice_dup_title (notice);
  g_assert_cmpstr (title, ==, "Filament Too Humid on Workshop");
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "AMS A: 65 % humidity. Dry the filament or replace the desiccant.");

  /* Still humid; wobbling just under the threshold is still humid. */
  set_raw (&rig, 0, 70);
  set_raw (&rig, 0, 58);
  set_raw (&rig, 0, 63);
  assert_none (&rig);

  /* Clearly dry: withdrawn. Humid again within the cooldown: quietly. */
  set_raw (&rig, 0, 30);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_HUMIDITY));
  set_raw (&rig, 0, 75);
  pd_notice_unref (expect_quiet (&rig, PD_NOTICE_HUMIDITY));

  /* After the cooldown, an alert again. */
  set_raw (&rig, 0, 30);
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_HUMIDITY));
  advance (&rig, 6 * 3600);
  set_raw (&rig, 0, 67);
  pd_notice_unref (expect_show (&rig, PD_NOTICE_HUMIDITY));

  rig_clear (&rig);
}

/* A drying unit is not humid; when drying ends, it is. */
static void
test_humidity_drying (void)
{
  Rig rig;

  rig_init (&rig, SERIAL);
  feed_fixture (&rig, X1C_FIXTURE);
  assert_none (&rig);

  set_raw (&rig, 2, 80);
  assert_none (&rig);

  feed (&rig, "'ams':{'ams':[{'id':'2','info':'3','dry_time':0}]}");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_HUMIDITY));

  rig_clear (&rig);
}

/* A unit without spools is not humid; a spool put into it is. */
static void
test_humidity_empty (void)
{
  Rig rig;

  rig_init (&rig, "00W00A000000001");
  feed_fixture (&rig, X1_FIXTURE);
  feed (&rig, "'ams':{'tray_exist_bits':'0'}");
  set_raw (&rig, 0, 80);
  assert_none (&rig);

  feed (&rig, "'ams':{'tray_exist_bits':'2'}");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_HUMIDITY));

  /* Emptied: not humid any more. */
  feed (&rig, "'ams':{'tray_exist_bits':'0'}");
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_HUMIDITY));

  rig_clear (&rig);
}

/* Units that report a level only: 4 and 5 are humid. */
static void
test_humidity_level (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, "03900A000000001");
  feed_fixture (&rig, A1_FIXTURE);
  feed (&rig, "'ams':{'ams':[{'id':'0','humidity':'3'}]}"); /* level 3 */
  assert_none (&rig);
  feed (&rig, "'ams':{'ams':[{'id':'0','humidity':'2'}]}"); /* level 4 */
  notice = expect_show (&rig, PD_NOTICE_HUMIDITY);
  body = pd_notice_dup_body (notice, NULL);
  g_assert_cmpstr (body, ==, "AMS lite: humidity level 4 of 5. Dry the filament or replace the desiccant.");

  rig_clear (&rig);
}

/* Units humid at the first report, or when they appear; a unit that goes
 * and comes back is the same unit.
 */
static void
test_humidity_units (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;

  rig_init (&rig, SERIAL);
  pd_notifier_set_humidity (rig.notifier, 60, 60);
  feed (&rig, "'ams':{'ams':[{'id':'0','humidity_raw':'70','tray':[{'id':'0','tray_type':'PLA'}]}]}");
  pd_notice_unref (expect_show (&rig, PD_NOTICE_HUMIDITY));

  feed (&rig, "'ams':{'ams':[{'id':'1','humidity_raw':'70','tray':[{'id':'0','tray_type':'PLA'}]}]}");
  notice = expect_show (&rig, PD_NOTICE_HUMIDITY);
  g_assert_cmpuint (notice->units->len, ==, 2);
  g_clear_pointer (&notice, pd_notice_unref);

  feed (&rig, "'ams':{'ams_exist_bits':'1'}");
  notice = expect_quiet (&rig, PD_NOTICE_HUMIDITY);
  g_assert_cmpuint (notice->units->len, ==, 1);
  g_clear_pointer (&notice, pd_notice_unref);
  feed (&rig, "'ams':{'ams_exist_bits':'3','ams':[{'id':'1','humidity_raw':'71','tray':[{'id':'0','tray_type':'PLA'}]}]}");
  notice = expect_quiet (&rig, PD_NOTICE_HUMIDITY);
  g_assert_cmpuint (notice->units->len, ==, 2);
  g_clear_pointer (&notice, pd_notice_unref);

  /* A higher threshold: rated again at the next report. */
  pd_notifier_set_humidity (rig.notifier, 80, 60);
  feed (&rig, "'ams':{'ams':[{'id':'0','humidity_raw':'70'},{'id':'1','humidity_raw':'70'}]}");
  pd_notice_unref (expect_withdraw (&rig, PD_NOTICE_HUMIDITY));

  rig_clear (&rig);
}

/* Texts ------------------------------------------------------------------------*/

/* With the bundled database, an error says what it means. */
static void
test_texts (void)
{
  Rig                  rig;
  g_autoptr (PdNotice) notice = NULL;
  g_autofree char     *body = NULL;

  rig_init (&rig, SERIAL);
  feed (&rig, "'gcode_state':'IDLE','hms':[" FATAL_HMS "]");
  notice = expect_show (&rig, PD_NOTICE_ERROR);
  body = pd_notice_dup_body (notice, pd_hms_database_get_default ());
  g_test_message ("%s", body);
  g_assert_true (g_str_has_prefix (body, "0300_0100_0001_0007: "));
  g_assert_null (strstr (body, "no description"));

  rig_clear (&rig);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/notifier/offline/debounce", test_offline_debounce);
  g_test_add_func ("/notifier/deadline/many-printers", test_deadline_many_printers);
  g_test_add_func ("/notifier/offline/printing", test_offline_printing);
  g_test_add_func ("/notifier/offline/flapping", test_offline_flapping);
  g_test_add_func ("/notifier/error/severity", test_hms_severity);
  g_test_add_func ("/notifier/error/flapping", test_hms_flapping);
  g_test_add_func ("/notifier/error/offline", test_hms_offline);
  g_test_add_func ("/notifier/error/print-error", test_print_error);
  g_test_add_func ("/notifier/job/finished", test_finished);
  g_test_add_func ("/notifier/job/finished-while-away", test_finished_while_away);
  g_test_add_func ("/notifier/job/failed", test_failed);
  g_test_add_func ("/notifier/job/cancel", test_cancel);
  g_test_add_func ("/notifier/job/failed-fixture", test_failed_fixture);
  g_test_add_func ("/notifier/prefs/muted", test_muted);
  g_test_add_func ("/notifier/prefs/disabled", test_disabled);
  g_test_add_func ("/notifier/forget", test_forget);
  g_test_add_func ("/notifier/humidity/once", test_humidity_once);
  g_test_add_func ("/notifier/humidity/drying", test_humidity_drying);
  g_test_add_func ("/notifier/humidity/empty", test_humidity_empty);
  g_test_add_func ("/notifier/humidity/level", test_humidity_level);
  g_test_add_func ("/notifier/humidity/units", test_humidity_units);
  g_test_add_func ("/notifier/texts", test_texts);

  return g_test_run ();
}
