/* test-temperature-history.c — PdTemperatureHistory: interval, bounds, series, lifetime
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real PdPrinter is fed reports (written with ' for "), each dated by the
 * test, so that no test depends on the clock.
 */

#include "config.h"

#include <math.h>

#include "pd-report.h"
#include "pd-temperature-history.h"

#define SERIAL_X1C "00M00A000000001"
#define SERIAL_P1S "01P00A000000001"
#define SERIAL_H2D "094000000000001"

#define T0     (G_GINT64_CONSTANT (1764115200) * G_USEC_PER_SEC)
#define SECOND ((gint64) G_USEC_PER_SEC)
#define MINUTE (60 * SECOND)

/* Applies a push_status report made of @body, the members of "print",
 * received at @now.
 */
static void
apply_at (PdPrinter  *printer,
          const char *body,
          gint64      now)
{
  g_autofree char     *text = g_strdup_printf ("{'print':{'command':'push_status'%s%s}}",
                                           *body != '\0' ? "," : "", body);
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;

  g_strdelimit (text, "'", '"');
  report = pd_report_parse (text, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pd_printer_apply_report (printer, report, now, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
on_changed (PdTemperatureHistory *history,
            gpointer              data)
{
  (*(guint *) data)++;
}

static guint
n_samples (PdTemperatureHistory *history)
{
  guint n = 0;

  pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  return n;
}

/* The samples' times are strictly increasing, the same in every series, and
 * span no more than the duration.
 */
static void
assert_consistent (PdTemperatureHistory *history)
{
  guint                  n = 0;
  const PdHistorySample *nozzle = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  gint64                 duration = pd_temperature_history_get_duration (history) * MINUTE;
  gint64                 interval = pd_temperature_history_get_interval (history) * SECOND;

  for (PdHistorySeries s = 0; s < PD_HISTORY_N_SERIES; s++)
    {
      guint                  m = 0;
      const PdHistorySample *samples = pd_temperature_history_get_samples (history, s, &m);

      g_assert_cmpuint (m, ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (samples[i].time, ==, nozzle[i].time);
    }

  for (guint i = 1; i < n; i++)
    g_assert_cmpint (nozzle[i].time - nozzle[i - 1].time, >=, interval);
  if (n > 0)
    g_assert_cmpint (nozzle[n - 1].time - nozzle[0].time, <=, duration);
}

static void
test_defaults (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  g_autoptr (PdPrinter)            target = pd_temperature_history_dup_printer (history);
  guint                            n = 99;

  g_assert_true (target == printer);
  g_assert_cmpuint (pd_temperature_history_get_duration (history), ==, 60);
  g_assert_cmpuint (pd_temperature_history_get_interval (history), ==, 5);
  pd_temperature_history_get_samples (history, PD_HISTORY_BED, &n);
  g_assert_cmpuint (n, ==, 0);
}

/* Every report adds a sample, dated by the report, at most one per interval. */
static void
test_interval (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *samples;
  guint                            changed = 0;
  guint                            n = 0;

  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);

  apply_at (printer, "'nozzle_temper':25,'nozzle_target_temper':0", T0);
  g_assert_cmpuint (n_samples (history), ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  /* Sooner than the interval: not recorded. */
  apply_at (printer, "'nozzle_temper':26", T0 + SECOND);
  apply_at (printer, "'nozzle_temper':27", T0 + 5 * SECOND - 1);
  pd_temperature_history_add (history, T0 + 3 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  /* Due: the printer's current values. */
  apply_at (printer, "'nozzle_temper':28", T0 + 5 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 2);
  g_assert_cmpuint (changed, ==, 2);

  pd_temperature_history_add (history, T0 + 10 * SECOND);
  g_assert_cmpuint (changed, ==, 3);

  samples = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpint (samples[0].time, ==, T0);
  g_assert_cmpfloat (samples[0].current, ==, 25);
  g_assert_cmpfloat (samples[0].target, ==, 0);
  g_assert_cmpint (samples[1].time, ==, T0 + 5 * SECOND);
  g_assert_cmpfloat (samples[1].current, ==, 28);
  g_assert_cmpint (samples[2].time, ==, T0 + 10 * SECOND);
  g_assert_cmpfloat (samples[2].current, ==, 28);

  assert_consistent (history);

  /* A longer interval: for the samples to come. */
  pd_temperature_history_set_interval (history, 30);
  g_assert_cmpuint (pd_temperature_history_get_interval (history), ==, 30);
  pd_temperature_history_add (history, T0 + 39 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 3);
  pd_temperature_history_add (history, T0 + 40 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 4);
}

static void
test_values (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *s;
  guint                            n = 0;

  apply_at (printer,
            "'nozzle_temper':219.8,'nozzle_target_temper':220,"
            "'bed_temper':55.1,'bed_target_temper':55,'chamber_temper':34",
            T0);

  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat_with_epsilon (s[0].current, 219.8, 0.001);
  g_assert_cmpfloat (s[0].target, ==, 220);

  s = pd_temperature_history_get_samples (history, PD_HISTORY_BED, &n);
  g_assert_cmpfloat_with_epsilon (s[0].current, 55.1, 0.001);
  g_assert_cmpfloat (s[0].target, ==, 55);

  /* An X1C has a chamber sensor, no heater. */
  s = pd_temperature_history_get_samples (history, PD_HISTORY_CHAMBER, &n);
  g_assert_cmpfloat (s[0].current, ==, 34);
  g_assert_true (isnan (s[0].target));

  /* And a single nozzle. */
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE_RIGHT, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (isnan (s[0].current));
  g_assert_true (isnan (s[0].target));
}

/* Series a printer does not have are NAN, with the same times. */
static void
test_nan_series (void)
{
  g_autoptr (PdPrinter)            p1s = pd_printer_new (SERIAL_P1S);
  g_autoptr (PdPrinter)            h2d = pd_printer_new (SERIAL_H2D);
  g_autoptr (PdTemperatureHistory) p1s_history = pd_temperature_history_new (p1s);
  g_autoptr (PdTemperatureHistory) h2d_history = pd_temperature_history_new (h2d);
  const PdHistorySample           *s;
  guint                            n = 0;

  for (guint i = 0; i < 3; i++)
    {
      gint64 t = T0 + i * 5 * SECOND;

      apply_at (p1s, "'nozzle_temper':200,'bed_temper':60,'chamber_temper':31", t);
      apply_at (h2d,
                "'bed_temper':90,'device':{'extruder':{'state':2,'info':[{'id':0,'temp':220},{'id':1,'temp':215}]}}",
                t);
    }

  /* A P1S: no chamber sensor (its chamber_temper means nothing), one nozzle. */
  s = pd_temperature_history_get_samples (p1s_history, PD_HISTORY_CHAMBER, &n);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (s[i].time, ==, T0 + i * 5 * SECOND);
      g_assert_true (isnan (s[i].current));
      g_assert_true (isnan (s[i].target));
    }
  s = pd_temperature_history_get_samples (p1s_history, PD_HISTORY_NOZZLE_RIGHT, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (isnan (s[2].current));
  s = pd_temperature_history_get_samples (p1s_history, PD_HISTORY_BED, &n);
  g_assert_cmpfloat (s[2].current, ==, 60);
  assert_consistent (p1s_history);

  /* An H2D: two nozzles. */
  s = pd_temperature_history_get_samples (h2d_history, PD_HISTORY_NOZZLE_RIGHT, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (s[2].current, ==, 220);
  s = pd_temperature_history_get_samples (h2d_history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpfloat (s[2].current, ==, 215);
  assert_consistent (h2d_history);
}

/* A week at the default settings: the rings stay at one hour. */
static void
test_ring_bounded (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *s;
  const PdHistorySample           *first = NULL;
  guint                            n = 0;
  guint                            n_week = 7 * 24 * 60 * 12;
  gint64                           t = T0;

  apply_at (printer, "'nozzle_temper':20,'bed_temper':20", T0);

  for (guint i = 1; i < n_week; i++)
    {
      t = T0 + (gint64) i * 5 * SECOND;
      pd_temperature_history_add (history, t);
      g_assert_cmpuint (n_samples (history), <=, 60 * 12 + 1);

      /* The storage never moves nor grows once the ring is full. */
      if (i == 60 * 12)
        first = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
      else if (i > 60 * 12 && i % 997 == 0)
        g_assert_true (pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n) == first);
    }

  s = pd_temperature_history_get_samples (history, PD_HISTORY_BED, &n);
  g_assert_cmpuint (n, ==, 60 * 12 + 1);
  g_assert_cmpint (s[n - 1].time, ==, t);
  g_assert_cmpint (s[0].time, ==, t - 60 * MINUTE);
  for (guint i = 1; i < n; i++)
    g_assert_cmpint (s[i].time - s[i - 1].time, ==, 5 * SECOND);
  assert_consistent (history);

  /* Irregular times: never more than fit. */
  pd_temperature_history_set_interval (history, 1);
  pd_temperature_history_set_duration (history, 1);
  for (guint i = 0; i < 5000; i++)
    {
      t += SECOND + g_test_rand_int_range (0, 3) * SECOND / 2;
      pd_temperature_history_add (history, t);
      g_assert_cmpuint (n_samples (history), <=, 61);
    }
  assert_consistent (history);
}

/* Samples older than the duration go, also across a gap in the reports. */
static void
test_duration (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *s;
  guint                            changed = 0;
  guint                            n = 0;
  gint64                           t = T0;

  apply_at (printer, "'nozzle_temper':20", T0);
  for (guint i = 1; i <= 120; i++)
    pd_temperature_history_add (history, t = T0 + i * 5 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 121);

  /* Shorter: the oldest go, at once. */
  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);
  pd_temperature_history_set_duration (history, 5);
  g_assert_cmpuint (pd_temperature_history_get_duration (history), ==, 5);
  g_assert_cmpuint (changed, ==, 1);
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 61);
  g_assert_cmpint (s[0].time, ==, t - 5 * MINUTE);
  g_assert_cmpint (s[n - 1].time, ==, t);

  /* Longer again: what is left stays. */
  pd_temperature_history_set_duration (history, 60);
  g_assert_cmpuint (n_samples (history), ==, 61);
  g_assert_cmpuint (changed, ==, 1);

  /* A sample after a long silence drops what is now too old. */
  pd_temperature_history_add (history, t + 30 * MINUTE);
  g_assert_cmpuint (n_samples (history), ==, 62);
  pd_temperature_history_add (history, t + 61 * MINUTE);
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (s[0].time, ==, t + 30 * MINUTE);
  assert_consistent (history);
}

/* A clock set back a little is waited out; set back by more than the
 * window, the history starts over.
 */
static void
test_clock_back (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *s;
  guint                            n = 0;

  apply_at (printer, "'nozzle_temper':20", T0);
  pd_temperature_history_add (history, T0 + 5 * SECOND);
  pd_temperature_history_add (history, T0 + 2 * SECOND);
  pd_temperature_history_add (history, T0 - 10 * MINUTE);
  g_assert_cmpuint (n_samples (history), ==, 2);

  pd_temperature_history_add (history, T0 - 2 * 60 * MINUTE);
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (s[0].time, ==, T0 - 2 * 60 * MINUTE);
}

/* Not connected: a gap (NAN), not the values it last reported. A state
 * restored from the cache is not recorded until the printer reports.
 */
static void
test_offline_and_stale (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = NULL;
  const PdHistorySample           *s;
  guint                            n = 0;
  gint64                           before;
  /* On the real clock: the gap is dated by it. */
  gint64                           t0 = g_get_real_time () - MINUTE;

  apply_at (printer, "'nozzle_temper':210,'bed_temper':60", t0);
  pd_printer_set_stale (printer, TRUE);
  history = pd_temperature_history_new (printer);

  pd_temperature_history_add (history, t0 + 5 * SECOND);
  g_assert_cmpuint (n_samples (history), ==, 0);

  /* The first live report: recorded once it is no longer stale. */
  apply_at (printer, "'nozzle_temper':211", t0 + 10 * SECOND);
  g_assert_false (pd_printer_get_stale (printer));
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (s[0].time, ==, t0 + 10 * SECOND);
  g_assert_cmpfloat (s[0].current, ==, 211);

  /* Gone: the gap starts now, on the real clock. */
  before = g_get_real_time ();
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  s = pd_temperature_history_get_samples (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (s[1].time, >=, before);
  for (PdHistorySeries series = 0; series < PD_HISTORY_N_SERIES; series++)
    {
      s = pd_temperature_history_get_samples (history, series, &n);
      g_assert_true (isnan (s[1].current));
      g_assert_true (isnan (s[1].target));
    }
}

static void
test_new_destroy (void)
{
  PdPrinter            *printer = pd_printer_new (SERIAL_X1C);
  PdTemperatureHistory *history = pd_temperature_history_new (printer);

  apply_at (printer, "'nozzle_temper':20", T0);
  g_assert_cmpuint (n_samples (history), ==, 1);

  g_assert_finalize_object (history);
  /* The printer goes on without it. */
  apply_at (printer, "'nozzle_temper':21", T0 + MINUTE);
  g_assert_finalize_object (printer);
}

/* The history does not keep the printer alive, and stops when it goes. */
static void
test_weak_printer (void)
{
  PdPrinter            *printer = pd_printer_new (SERIAL_X1C);
  PdTemperatureHistory *history = pd_temperature_history_new (printer);
  g_autoptr (PdPrinter) none = NULL;
  guint                 changed = 0;

  g_signal_connect (history, "changed", G_CALLBACK (on_changed), &changed);
  apply_at (printer, "'nozzle_temper':20", T0);
  g_assert_cmpuint (changed, ==, 1);

  g_assert_finalize_object (printer);
  none = pd_temperature_history_dup_printer (history);
  g_assert_null (none);

  /* What was recorded stays; nothing more is. */
  pd_temperature_history_add (history, T0 + MINUTE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (n_samples (history), ==, 1);

  g_assert_finalize_object (history);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/temperature-history/defaults", test_defaults);
  g_test_add_func ("/temperature-history/interval", test_interval);
  g_test_add_func ("/temperature-history/values", test_values);
  g_test_add_func ("/temperature-history/nan-series", test_nan_series);
  g_test_add_func ("/temperature-history/ring-bounded", test_ring_bounded);
  g_test_add_func ("/temperature-history/duration", test_duration);
  g_test_add_func ("/temperature-history/clock-back", test_clock_back);
  g_test_add_func ("/temperature-history/offline-and-stale", test_offline_and_stale);
  g_test_add_func ("/temperature-history/new-destroy", test_new_destroy);
  g_test_add_func ("/temperature-history/weak-printer", test_weak_printer);

  return g_test_run ();
}
