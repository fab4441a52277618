/* pd-temperature-history.c — the last hour of a printer's temperatures
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A print farm keeps the app open for weeks with a history per printer, so
 * memory is fixed when the duration and interval are set: one ring of
 * duration / interval + 1 slots, the oldest overwritten. Samples are at least
 * @interval apart and none is older than @duration, so the ring can never be
 * too small.
 *
 * A slot holds one time for all series (they are sampled together) and each
 * series' current and target value in 1/32 °C as a gint16: 24 bytes, where a
 * PdHistorySample per series took 64, so an hour at the default interval is
 * 17 kB a printer instead of 46 kB (a farm of 100: 1.7 MB, not 4.6 MB). A
 * thirty-second of a degree is exact for what printers send (whole degrees;
 * the P1, A1 and X1 sensors read in sixteenths and thirty-seconds) and within
 * 1/64 °C of anything else, far below the whole degrees the app shows; a
 * gint16 of them spans ±1023 °C, beyond what a report may carry (−40 to
 * 500 °C, pd-report.c). Readers get PdHistorySamples made on demand
 * (pd_temperature_history_dup_samples()).
 *
 * The history follows the printer through a GSignalGroup, which holds only a
 * weak reference: a history (held by a chart, say) never keeps a removed
 * printer alive, and simply stops recording when the printer is gone.
 */

#define G_LOG_DOMAIN "pd-temperature-history"

#include "config.h"

#include <math.h>

#include "pd-temperature-history.h"

#define DEFAULT_DURATION 60 /* minutes */
#define DEFAULT_INTERVAL 5  /* seconds */
#define MAX_DURATION     (24 * 60)
#define MAX_INTERVAL     3600

#define STEPS_PER_DEGREE 32
#define NO_VALUE         G_MININT16 /* NAN: not known */

typedef struct
{
  gint64 time; /* µs, g_get_real_time () */
  gint16 current[PD_HISTORY_N_SERIES];
  gint16 target[PD_HISTORY_N_SERIES];
} Slot;

G_STATIC_ASSERT (sizeof (Slot) == 24);

struct _PdTemperatureHistory
{
  GObject       parent_instance;

  GSignalGroup *printer_signals;

  guint         duration; /* minutes */
  guint         interval; /* seconds */

  /* @start is the oldest sample. */
  Slot         *slots;
  guint         capacity;
  guint         start;
  guint         length;
};

G_DEFINE_FINAL_TYPE (PdTemperatureHistory, pd_temperature_history, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PRINTER,
  PROP_DURATION,
  PROP_INTERVAL,
  N_PROPS
};

enum
{
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static guint
ring_index (PdTemperatureHistory *self,
            guint                 i)
{
  return (self->start + i) % self->capacity;
}

static gint64
newest_time (PdTemperatureHistory *self)
{
  g_assert (self->length > 0);

  return self->slots[ring_index (self, self->length - 1)].time;
}

static gint64
oldest_time (PdTemperatureHistory *self)
{
  g_assert (self->length > 0);

  return self->slots[self->start].time;
}

static gint16
encode (double celsius)
{
  if (!isfinite (celsius))
    return NO_VALUE;

  return (gint16) CLAMP (round (celsius * STEPS_PER_DEGREE), G_MININT16 + 1, G_MAXINT16);
}

/* Exact: a gint16 divided by a power of two fits a float. */
static float
decode (gint16 value)
{
  return value == NO_VALUE ? NAN : (float) value / STEPS_PER_DEGREE;
}

/* Drops the samples older than @duration before the newest. */
static gboolean
trim (PdTemperatureHistory *self)
{
  gint64   oldest_kept;
  gboolean trimmed = FALSE;

  if (self->length == 0)
    return FALSE;

  oldest_kept = newest_time (self) - (gint64) self->duration * 60 * G_USEC_PER_SEC;
  while (self->length > 0 && oldest_time (self) < oldest_kept)
    {
      self->start = (self->start + 1) % self->capacity;
      self->length--;
      trimmed = TRUE;
    }

  return trimmed;
}

/* Sizes the ring for the duration and interval, keeping the newest samples
 * that fit, oldest first. Not zeroed: a page of the ring becomes resident
 * when samples reach it.
 */
static void
resize (PdTemperatureHistory *self)
{
  guint seconds = self->duration * 60;
  guint capacity = (seconds + self->interval - 1) / self->interval + 1;
  guint keep = MIN (self->length, capacity);
  Slot *slots = g_new (Slot, capacity);

  for (guint i = 0; i < keep; i++)
    slots[i] = self->slots[ring_index (self, self->length - keep + i)];

  g_free (self->slots);
  self->slots = slots;
  self->capacity = capacity;
  self->start = 0;
  self->length = keep;
}

static void
read_temperature (PdTemperature  *temperature,
                  Slot           *slot,
                  PdHistorySeries series)
{
  slot->current[series] = temperature != NULL ? encode (pd_temperature_get_current (temperature)) : NO_VALUE;
  slot->target[series] = temperature != NULL ? encode (pd_temperature_get_target (temperature)) : NO_VALUE;
}

/* A sample is dated by the report it comes from (the session stamps each
 * report with the time it arrived), so that it is the time the values were
 * measured, also when a report is replayed. A printer going away has no
 * report to date it by: that gap starts now.
 */
static void
on_printer_changed (PdTemperatureHistory *self)
{
  g_autoptr (PdPrinter) printer = pd_temperature_history_dup_printer (self);
  PdConnection          connection;
  gint64                time;

  if (printer == NULL)
    return;

  connection = pd_printer_get_connection (printer);
  time = pd_printer_get_last_report_time (printer);
  if (time <= 0 || connection == PD_CONNECTION_DISCONNECTED || connection == PD_CONNECTION_CONNECTING)
    time = g_get_real_time ();

  pd_temperature_history_add (self, time);
}

static void
pd_temperature_history_finalize (GObject *object)
{
  PdTemperatureHistory *self = PD_TEMPERATURE_HISTORY (object);

  g_free (self->slots);

  G_OBJECT_CLASS (pd_temperature_history_parent_class)->finalize (object);
}

static void
pd_temperature_history_dispose (GObject *object)
{
  PdTemperatureHistory *self = PD_TEMPERATURE_HISTORY (object);

  if (self->printer_signals != NULL)
    g_signal_group_set_target (self->printer_signals, NULL);
  g_clear_object (&self->printer_signals);

  G_OBJECT_CLASS (pd_temperature_history_parent_class)->dispose (object);
}

static void
pd_temperature_history_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PdTemperatureHistory *self = PD_TEMPERATURE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      g_value_take_object (value, pd_temperature_history_dup_printer (self));
      break;

    case PROP_DURATION:
      g_value_set_uint (value, self->duration);
      break;

    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_temperature_history_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PdTemperatureHistory *self = PD_TEMPERATURE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      g_signal_group_set_target (self->printer_signals, g_value_get_object (value));
      break;

    case PROP_DURATION:
      pd_temperature_history_set_duration (self, g_value_get_uint (value));
      break;

    case PROP_INTERVAL:
      pd_temperature_history_set_interval (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_temperature_history_class_init (PdTemperatureHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_temperature_history_dispose;
  object_class->finalize = pd_temperature_history_finalize;
  object_class->get_property = pd_temperature_history_get_property;
  object_class->set_property = pd_temperature_history_set_property;

  /**
   * PdTemperatureHistory:printer:
   *
   * The printer recorded; a weak reference, %NULL once it was finalized.
   */
  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PdTemperatureHistory:duration:
   *
   * How many minutes of samples are kept.
   */
  properties[PROP_DURATION] =
    g_param_spec_uint ("duration", NULL, NULL, 1, MAX_DURATION, DEFAULT_DURATION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PdTemperatureHistory:interval:
   *
   * The least number of seconds between two samples.
   */
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 1, MAX_INTERVAL, DEFAULT_INTERVAL,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PdTemperatureHistory::changed:
   * @self: the history
   *
   * Emitted when samples were added or dropped.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
pd_temperature_history_init (PdTemperatureHistory *self)
{
  self->duration = DEFAULT_DURATION;
  self->interval = DEFAULT_INTERVAL;
  resize (self);

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  /* Every report, also one that changes nothing (a printer holding its
   * temperatures), and every change of the state, such as a disconnection.
   */
  g_signal_group_connect_object (self->printer_signals, "notify::last-report-time",
                                 G_CALLBACK (on_printer_changed), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->printer_signals, "state-changed",
                                 G_CALLBACK (on_printer_changed), self, G_CONNECT_SWAPPED);
  /* The first report after a cached state is restored changes the state
   * while the printer is still stale; the sample is taken when it is not.
   */
  g_signal_group_connect_object (self->printer_signals, "notify::stale",
                                 G_CALLBACK (on_printer_changed), self, G_CONNECT_SWAPPED);
}

/**
 * pd_temperature_history_new:
 * @printer: the printer to record
 *
 * Returns: (transfer full): a history recording @printer's temperatures
 *   whenever it reports
 */
PdTemperatureHistory *
pd_temperature_history_new (PdPrinter *printer)
{
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  return g_object_new (PD_TYPE_TEMPERATURE_HISTORY, "printer", printer, NULL);
}

/**
 * pd_temperature_history_dup_printer:
 * @self: a history
 *
 * Returns: (transfer full) (nullable): the printer, or %NULL once it is gone
 */
PdPrinter *
pd_temperature_history_dup_printer (PdTemperatureHistory *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_HISTORY (self), NULL);

  return g_signal_group_dup_target (self->printer_signals);
}

/**
 * pd_temperature_history_set_duration:
 * @self: a history
 * @minutes: how much to keep, 1 minute to 24 hours
 *
 * The oldest samples are dropped if they no longer fit.
 */
void
pd_temperature_history_set_duration (PdTemperatureHistory *self,
                                     guint                 minutes)
{
  gboolean trimmed;
  guint    old_length;

  g_return_if_fail (PD_IS_TEMPERATURE_HISTORY (self));

  minutes = CLAMP (minutes, 1, MAX_DURATION);
  if (self->duration == minutes)
    return;

  old_length = self->length;
  self->duration = minutes;
  resize (self);
  trimmed = trim (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DURATION]);

  if (trimmed || self->length != old_length)
    g_signal_emit (self, signals[CHANGED], 0);
}

guint
pd_temperature_history_get_duration (PdTemperatureHistory *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_HISTORY (self), DEFAULT_DURATION);

  return self->duration;
}

/**
 * pd_temperature_history_set_interval:
 * @self: a history
 * @seconds: the least time between two samples, 1 second to 1 hour
 *
 * The samples recorded so far are kept as they are, the newest that fit in
 * the resized rings.
 */
void
pd_temperature_history_set_interval (PdTemperatureHistory *self,
                                     guint                 seconds)
{
  guint old_length;

  g_return_if_fail (PD_IS_TEMPERATURE_HISTORY (self));

  seconds = CLAMP (seconds, 1, MAX_INTERVAL);
  if (self->interval == seconds)
    return;

  old_length = self->length;
  self->interval = seconds;
  resize (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);

  if (self->length != old_length)
    g_signal_emit (self, signals[CHANGED], 0);
}

guint
pd_temperature_history_get_interval (PdTemperatureHistory *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_HISTORY (self), DEFAULT_INTERVAL);

  return self->interval;
}

/**
 * pd_temperature_history_get_n_samples:
 * @self: a history
 *
 * Returns: how many samples every series has
 */
guint
pd_temperature_history_get_n_samples (PdTemperatureHistory *self)
{
  g_return_val_if_fail (PD_IS_TEMPERATURE_HISTORY (self), 0);

  return self->length;
}

/**
 * pd_temperature_history_dup_samples:
 * @self: a history
 * @series: which heater
 * @n_samples: (out): the number of samples
 *
 * Every series has the same number of samples, taken at the same times;
 * a series the printer does not have (or a time it was not connected) has
 * NAN values. Values are kept to 1/32 °C.
 *
 * Returns: (array length=n_samples) (transfer full) (nullable): the
 *   samples, oldest first, %NULL when there are none; free with g_free()
 */
PdHistorySample *
pd_temperature_history_dup_samples (PdTemperatureHistory *self,
                                    PdHistorySeries       series,
                                    guint                *n_samples)
{
  PdHistorySample *samples;

  g_return_val_if_fail (PD_IS_TEMPERATURE_HISTORY (self), NULL);
  g_return_val_if_fail (series < PD_HISTORY_N_SERIES, NULL);
  g_return_val_if_fail (n_samples != NULL, NULL);

  *n_samples = self->length;
  if (self->length == 0)
    return NULL;

  samples = g_new (PdHistorySample, self->length);
  for (guint i = 0; i < self->length; i++)
    {
      const Slot *slot = &self->slots[ring_index (self, i)];

      samples[i].time = slot->time;
      samples[i].current = decode (slot->current[series]);
      samples[i].target = decode (slot->target[series]);
    }

  return samples;
}

/**
 * pd_temperature_history_add:
 * @self: a history
 * @time: now, in µs of g_get_real_time()
 *
 * Records the printer's temperatures at @time, unless the last sample is
 * less than the interval older. This is what every change of the printer
 * does, with the time of its last report; tests call it with times of
 * their own.
 *
 * Nothing is recorded once the printer is gone, nor while its state is only
 * the cached one from an earlier run. While it is not connected the sample
 * is NAN, a gap in the chart: the values it still shows are not current.
 */
void
pd_temperature_history_add (PdTemperatureHistory *self,
                            gint64                time)
{
  g_autoptr (PdPrinter) printer = NULL;
  PdConnection          connection;
  Slot                  slot;

  g_return_if_fail (PD_IS_TEMPERATURE_HISTORY (self));

  printer = pd_temperature_history_dup_printer (self);
  if (printer == NULL || pd_printer_get_stale (printer))
    return;

  if (self->length > 0)
    {
      gint64 newest = newest_time (self);

      /* Further back than the whole window: the wall clock was set back (a
       * wrong clock after resume, corrected). The samples would all be "in
       * the future" from now on, so the history starts over. A time only a
       * little older than the newest sample is just not due yet: a small
       * NTP step costs a few seconds of samples.
       */
      if (time < newest - (gint64) self->duration * 60 * G_USEC_PER_SEC)
        {
          self->start = 0;
          self->length = 0;
        }
      else if (time - newest < (gint64) self->interval * G_USEC_PER_SEC)
        return;
    }

  slot.time = time;
  connection = pd_printer_get_connection (printer);
  if (connection == PD_CONNECTION_DISCONNECTED || connection == PD_CONNECTION_CONNECTING)
    {
      for (guint s = 0; s < PD_HISTORY_N_SERIES; s++)
        slot.current[s] = slot.target[s] = NO_VALUE;
    }
  else
    {
      read_temperature (pd_printer_get_nozzle (printer), &slot, PD_HISTORY_NOZZLE);
      read_temperature (pd_printer_get_nozzle_right (printer), &slot, PD_HISTORY_NOZZLE_RIGHT);
      read_temperature (pd_printer_get_bed (printer), &slot, PD_HISTORY_BED);
      read_temperature (pd_printer_get_chamber (printer), &slot, PD_HISTORY_CHAMBER);
    }

  /* A full ring overwrites its oldest sample. */
  if (self->length == self->capacity)
    {
      self->start = (self->start + 1) % self->capacity;
      self->length--;
    }

  self->slots[ring_index (self, self->length)] = slot;
  self->length++;
  trim (self);

  g_signal_emit (self, signals[CHANGED], 0);
}
