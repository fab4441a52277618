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
  return pd_temperature_history_get_n_samples (history);
}

/* A copy of a series, freed when the test ends. */
static const PdHistorySample *
samples_of (PdTemperatureHistory *history,
            PdHistorySeries       series,
            guint                *n)
{
  PdHistorySample *samples = pd_temperature_history_dup_samples (history, series, n);

  g_assert_cmpuint (*n, ==, pd_temperature_history_get_n_samples (history));
  g_assert_true ((*n == 0) == (samples == NULL));
  g_test_queue_free (samples);

  return samples;
}

/* The samples' times are strictly increasing, the same in every series, and
 * span no more than the duration.
 */
static void
assert_consistent (PdTemperatureHistory *history)
{
  guint                  n = 0;
  const PdHistorySample *nozzle = samples_of (history, PD_HISTORY_NOZZLE, &n);
  gint64                 duration = pd_temperature_history_get_duration (history) * MINUTE;
  gint64                 interval = pd_temperature_history_get_interval (history) * SECOND;

  for (PdHistorySeries s = 0; s < PD_HISTORY_N_SERIES; s++)
    {
      guint                  m = 0;
      const PdHistorySample *samples = samples_of (history, s, &m);

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
  samples_of (history, PD_HISTORY_BED, &n);
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

  samples = samples_of (history, PD_HISTORY_NOZZLE, &n);
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

  /* Kept to 1/32 °C: decimals within half of that. */
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpfloat_with_epsilon (s[0].current, 219.8, 1.0 / 64);
  g_assert_cmpfloat (s[0].target, ==, 220);

  s = samples_of (history, PD_HISTORY_BED, &n);
  g_assert_cmpfloat_with_epsilon (s[0].current, 55.1, 1.0 / 64);
  g_assert_cmpfloat (s[0].target, ==, 55);

  /* An X1C has a chamber sensor, no heater. */
  s = samples_of (history, PD_HISTORY_CHAMBER, &n);
  g_assert_cmpfloat (s[0].current, ==, 34);
  g_assert_true (isnan (s[0].target));

  /* And a single nozzle. */
  s = samples_of (history, PD_HISTORY_NOZZLE_RIGHT, &n);
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
  s = samples_of (p1s_history, PD_HISTORY_CHAMBER, &n);
  g_assert_cmpuint (n, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (s[i].time, ==, T0 + i * 5 * SECOND);
      g_assert_true (isnan (s[i].current));
      g_assert_true (isnan (s[i].target));
    }
  s = samples_of (p1s_history, PD_HISTORY_NOZZLE_RIGHT, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (isnan (s[2].current));
  s = samples_of (p1s_history, PD_HISTORY_BED, &n);
  g_assert_cmpfloat (s[2].current, ==, 60);
  assert_consistent (p1s_history);

  /* An H2D: two nozzles. */
  s = samples_of (h2d_history, PD_HISTORY_NOZZLE_RIGHT, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpfloat (s[2].current, ==, 220);
  s = samples_of (h2d_history, PD_HISTORY_NOZZLE, &n);
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
  guint                            n = 0;
  guint                            n_week = 7 * 24 * 60 * 12;
  gint64                           t = T0;

  apply_at (printer, "'nozzle_temper':20,'bed_temper':20", T0);

  for (guint i = 1; i < n_week; i++)
    {
      t = T0 + (gint64) i * 5 * SECOND;
      pd_temperature_history_add (history, t);
      g_assert_cmpuint (n_samples (history), <=, 60 * 12 + 1);
    }

  s = samples_of (history, PD_HISTORY_BED, &n);
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

/* Applies a report of the nozzle's and the bed's current and target values,
 * written with all their digits.
 */
static void
apply_values_at (PdPrinter *printer,
                 double     nozzle,
                 double     nozzle_target,
                 double     bed,
                 double     bed_target,
                 gint64     now)
{
  char             text[4][G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *body = NULL;

  body = g_strdup_printf ("'nozzle_temper':%s,'nozzle_target_temper':%s,'bed_temper':%s,'bed_target_temper':%s",
                          g_ascii_dtostr (text[0], sizeof text[0], nozzle),
                          g_ascii_dtostr (text[1], sizeof text[1], nozzle_target),
                          g_ascii_dtostr (text[2], sizeof text[2], bed),
                          g_ascii_dtostr (text[3], sizeof text[3], bed_target));
  apply_at (printer, body, now);
}

/* What a printer sends comes back exactly: whole degrees, sixteenths and
 * thirty-seconds (the P1, A1 and X1 sensors); anything else within 1/64 °C;
 * over the whole range a report may carry (−40 to 500 °C).
 */
static void
test_round_trip (void)
{
  static const struct
  {
    double   value;
    gboolean exact;
  } values[] = {
    { -40, TRUE },
    { -0.5, TRUE },
    { 0, TRUE },
    { 19.84375, TRUE },
    { 27.8125, TRUE },
    { 29.75, TRUE },
    { 199.96875, TRUE },
    { 350, TRUE },
    { 500, TRUE },
    { 24.3, FALSE },
    { 219.8, FALSE },
    { 0.01, FALSE },
    { -12.34, FALSE },
    { 199.99, FALSE },
    { 499.99, FALSE },
  };
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *nozzle, *bed;
  guint                            n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      /* The bed goes to 200 °C, targets from 0. */
      double v = values[i].value;

      apply_values_at (printer, v, fabs (v), MIN (v, 200), MIN (fabs (v), 200), T0 + i * 5 * SECOND);
    }

  nozzle = samples_of (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (values));
  bed = samples_of (history, PD_HISTORY_BED, &n);
  for (guint i = 0; i < n; i++)
    {
      double v = values[i].value;
      double epsilon = 1.0 / 64;

      g_test_message ("%g °C: %.6f / %.6f, bed %.6f / %.6f", v, nozzle[i].current, nozzle[i].target,
                      bed[i].current, bed[i].target);
      g_assert_cmpfloat_with_epsilon (nozzle[i].current, v, epsilon);
      g_assert_cmpfloat_with_epsilon (nozzle[i].target, fabs (v), epsilon);
      g_assert_cmpfloat_with_epsilon (bed[i].current, MIN (v, 200), epsilon);
      g_assert_cmpfloat_with_epsilon (bed[i].target, MIN (fabs (v), 200), epsilon);
      if (values[i].exact)
        {
          g_assert_cmpfloat (nozzle[i].current, ==, v);
          g_assert_cmpfloat (nozzle[i].target, ==, fabs (v));
        }
    }
}

/* Around the ring: a one-minute history at a sample a second wraps every 61
 * samples; it gives the newest, oldest first, each with its own values,
 * series the printer does not have as NAN, and a gap (NAN in every series)
 * where the printer was not connected, which the next report ends.
 */
static void
test_ring_wrap (void)
{
  g_autoptr (PdPrinter)            printer = pd_printer_new (SERIAL_X1C);
  g_autoptr (PdTemperatureHistory) history = pd_temperature_history_new (printer);
  const PdHistorySample           *s[PD_HISTORY_N_SERIES];
  guint                            n = 0;
  guint                            n_reports = 200;
  gint64                           before;
  /* On the real clock, which dates the gap: the last report a second ago. */
  gint64                           t0 = g_get_real_time () - n_reports * SECOND;

  pd_temperature_history_set_interval (history, 1);
  pd_temperature_history_set_duration (history, 1);

  for (guint i = 0; i < n_reports; i++)
    apply_values_at (printer, 20 + i * 0.25, 220, 60 - (i % 7) / 32.0, i % 2 == 0 ? 60 : 0, t0 + i * SECOND);

  for (PdHistorySeries series = 0; series < PD_HISTORY_N_SERIES; series++)
    s[series] = samples_of (history, series, &n);
  g_assert_cmpuint (n, ==, 61);
  for (guint k = 0; k < n; k++)
    {
      guint i = n_reports - n + k;

      g_assert_cmpint (s[PD_HISTORY_NOZZLE][k].time, ==, t0 + i * SECOND);
      g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][k].current, ==, 20 + i * 0.25);
      g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][k].target, ==, 220);
      g_assert_cmpfloat (s[PD_HISTORY_BED][k].current, ==, 60 - (i % 7) / 32.0);
      g_assert_cmpfloat (s[PD_HISTORY_BED][k].target, ==, i % 2 == 0 ? 60 : 0);
      g_assert_true (isnan (s[PD_HISTORY_NOZZLE_RIGHT][k].current));
      g_assert_true (isnan (s[PD_HISTORY_NOZZLE_RIGHT][k].target));
      /* An X1C's chamber: a sensor the reports here do not mention. */
      g_assert_true (isnan (s[PD_HISTORY_CHAMBER][k].target));
    }
  assert_consistent (history);

  /* Not connected: a gap, dated now. */
  before = g_get_real_time ();
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  for (PdHistorySeries series = 0; series < PD_HISTORY_N_SERIES; series++)
    {
      s[series] = samples_of (history, series, &n);
      g_assert_cmpint (s[series][n - 1].time, >=, before);
      g_assert_true (isnan (s[series][n - 1].current));
      g_assert_true (isnan (s[series][n - 1].target));
    }
  g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][n - 2].current, ==, 20 + (n_reports - 1) * 0.25);

  /* Back: values again, after the gap. */
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  apply_values_at (printer, 215.5, 220, 59.96875, 60, s[PD_HISTORY_NOZZLE][n - 1].time + SECOND);
  s[PD_HISTORY_NOZZLE] = samples_of (history, PD_HISTORY_NOZZLE, &n);
  s[PD_HISTORY_BED] = samples_of (history, PD_HISTORY_BED, &n);
  g_assert_true (isnan (s[PD_HISTORY_NOZZLE][n - 2].current));
  g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][n - 1].current, ==, 215.5);
  g_assert_cmpfloat (s[PD_HISTORY_BED][n - 1].current, ==, 59.96875);
  g_assert_cmpuint (n, <=, 61);
  assert_consistent (history);

  /* A shorter interval re-sizes the ring: the newest samples that fit stay,
   * in order, with their values.
   */
  pd_temperature_history_set_interval (history, 2);
  s[PD_HISTORY_NOZZLE] = samples_of (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 31);
  g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][n - 1].current, ==, 215.5);
  g_assert_true (isnan (s[PD_HISTORY_NOZZLE][n - 2].current));
  g_assert_cmpfloat (s[PD_HISTORY_NOZZLE][n - 3].current, ==, 20 + (n_reports - 1) * 0.25);
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
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
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
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
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
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
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
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (s[0].time, ==, t0 + 10 * SECOND);
  g_assert_cmpfloat (s[0].current, ==, 211);

  /* Gone: the gap starts now, on the real clock. */
  before = g_get_real_time ();
  pd_printer_set_connection (printer, PD_CONNECTION_DISCONNECTED);
  s = samples_of (history, PD_HISTORY_NOZZLE, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpint (s[1].time, >=, before);
  for (PdHistorySeries series = 0; series < PD_HISTORY_N_SERIES; series++)
    {
      s = samples_of (history, series, &n);
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
  g_test_add_func ("/temperature-history/round-trip", test_round_trip);
  g_test_add_func ("/temperature-history/ring-wrap", test_ring_wrap);
  g_test_add_func ("/temperature-history/duration", test_duration);
  g_test_add_func ("/temperature-history/clock-back", test_clock_back);
  g_test_add_func ("/temperature-history/offline-and-stale", test_offline_and_stale);
  g_test_add_func ("/temperature-history/new-destroy", test_new_destroy);
  g_test_add_func ("/temperature-history/weak-printer", test_weak_printer);

  return g_test_run ();
}
