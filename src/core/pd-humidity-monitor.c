/* pd-humidity-monitor.c — tells when an AMS unit holding filament gets too humid
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The monitor follows each printer's list of AMS units and each unit's
 * humidity, drying and holds-filament properties. Whenever one of those
 * changes (or a unit appears) it rates the unit; a unit that holds filament,
 * is not drying and rates HIGH is announced with ::humid, unless the same
 * unit of the same printer (serial and unit id) was announced less than the
 * cooldown ago. Going back below HIGH does not reset the cooldown, so a
 * reading that wobbles around the threshold is announced once.
 *
 * There is no timer: a unit that stays humid is announced again after the
 * cooldown on its next change of humidity (units report it every few
 * minutes).
 */

#define G_LOG_DOMAIN "pd-humidity-monitor"

#include "config.h"

#include "pd-enum-types.h"
#include "pd-humidity-monitor.h"

typedef struct _PrinterWatch PrinterWatch;

typedef struct
{
  PrinterWatch *printer_watch;
  PdAmsUnit    *unit;
  gulong        notify_id;
} UnitWatch;

struct _PrinterWatch
{
  PdHumidityMonitor *monitor;
  PdPrinter         *printer;
  GListModel        *units;
  gulong             items_changed_id;
  GPtrArray         *unit_watches; /* of UnitWatch, in the order of @units */
};

struct _PdHumidityMonitor
{
  GObject     parent_instance;

  GPtrArray  *printers;  /* of PrinterWatch */
  GHashTable *announced; /* "serial/unit id" → gint64 *, monotonic µs */
  guint       fair_percent;
  guint       high_percent;
  gint64      cooldown; /* µs */
};

G_DEFINE_FINAL_TYPE (PdHumidityMonitor, pd_humidity_monitor, G_TYPE_OBJECT)

enum
{
  HUMID,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
announce_key (PdPrinter *printer,
              PdAmsUnit *unit)
{
  const char *serial = pd_printer_get_serial (printer);

  if (serial != NULL)
    return g_strdup_printf ("%s/%d", serial, pd_ams_unit_get_id (unit));

  /* A printer without a serial (a test's) is known by its address. */
  return g_strdup_printf ("%p/%d", (gpointer) printer, pd_ams_unit_get_id (unit));
}

/* Announces @unit if it is humid, holds filament, is not drying, and was not
 * announced within the cooldown.
 */
static void
check_unit (PdHumidityMonitor *self,
            PdPrinter         *printer,
            PdAmsUnit         *unit)
{
  g_autofree char *key = NULL;
  gint64          *last;
  gint64           now;

  if (!pd_ams_unit_get_holds_filament (unit) || pd_ams_unit_get_drying (unit) ||
      pd_ams_unit_get_humidity (unit, self->fair_percent, self->high_percent) != PD_HUMIDITY_HIGH)
    return;

  key = announce_key (printer, unit);
  now = g_get_monotonic_time ();
  last = g_hash_table_lookup (self->announced, key);
  if (last != NULL && now - *last < self->cooldown)
    return;

  if (last == NULL)
    {
      last = g_new (gint64, 1);
      g_hash_table_insert (self->announced, g_steal_pointer (&key), last);
    }
  *last = now;

  g_debug ("%s: %s is humid", pd_printer_get_serial (printer), pd_ams_unit_get_name (unit));

  /* A handler may remove the printer: keep what the signal carries alive. */
  g_object_ref (printer);
  g_object_ref (unit);
  g_signal_emit (self, signals[HUMID], 0, printer, unit, PD_HUMIDITY_HIGH);
  g_object_unref (unit);
  g_object_unref (printer);
}

static void
on_unit_notify (PdAmsUnit  *unit,
                GParamSpec *pspec,
                gpointer    user_data)
{
  UnitWatch  *watch = user_data;
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "humidity-percent") || g_str_equal (name, "humidity-level") ||
      g_str_equal (name, "drying") || g_str_equal (name, "holds-filament"))
    check_unit (watch->printer_watch->monitor, watch->printer_watch->printer, unit);
}

static UnitWatch *
unit_watch_new (PrinterWatch *printer_watch,
                PdAmsUnit    *unit)
{
  UnitWatch *watch = g_new0 (UnitWatch, 1);

  watch->printer_watch = printer_watch;
  watch->unit = g_object_ref (unit);
  watch->notify_id = g_signal_connect (unit, "notify", G_CALLBACK (on_unit_notify), watch);

  return watch;
}

static void
unit_watch_free (gpointer data)
{
  UnitWatch *watch = data;

  g_clear_signal_handler (&watch->notify_id, watch->unit);
  g_clear_object (&watch->unit);
  g_free (watch);
}

static void
on_units_changed (GListModel *units,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  PrinterWatch         *watch = user_data;
  PdHumidityMonitor    *self = watch->monitor;
  g_autoptr (PdPrinter) printer = g_object_ref (watch->printer);
  g_autoptr (GPtrArray) new_units = g_ptr_array_new_with_free_func (g_object_unref);

  g_ptr_array_remove_range (watch->unit_watches, position, removed);
  for (guint i = 0; i < added; i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, position + i);

      g_ptr_array_insert (watch->unit_watches, (int) (position + i), unit_watch_new (watch, unit));
      g_ptr_array_add (new_units, g_steal_pointer (&unit));
    }

  /* A new unit may be humid from its first report. (A handler of ::humid
   * may remove the printer, and @watch with it.)
   */
  for (guint i = 0; i < new_units->len; i++)
    check_unit (self, printer, g_ptr_array_index (new_units, i));
}

static void
printer_watch_free (gpointer data)
{
  PrinterWatch *watch = data;

  g_clear_signal_handler (&watch->items_changed_id, watch->units);
  g_clear_pointer (&watch->unit_watches, g_ptr_array_unref);
  g_clear_object (&watch->units);
  g_clear_object (&watch->printer);
  g_free (watch);
}

static PrinterWatch *
find_printer (PdHumidityMonitor *self,
              PdPrinter         *printer,
              guint             *index)
{
  for (guint i = 0; i < self->printers->len; i++)
    {
      PrinterWatch *watch = g_ptr_array_index (self->printers, i);

      if (watch->printer == printer)
        {
          if (index != NULL)
            *index = i;
          return watch;
        }
    }

  return NULL;
}

/* Rates every unit again, e.g. after the thresholds changed. */
static void
check_all (PdHumidityMonitor *self)
{
  g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_object_unref);

  /* Collected first: a handler of ::humid may change the lists. */
  for (guint i = 0; i < self->printers->len; i++)
    {
      PrinterWatch *watch = g_ptr_array_index (self->printers, i);

      for (guint j = 0; j < watch->unit_watches->len; j++)
        {
          UnitWatch *unit_watch = g_ptr_array_index (watch->unit_watches, j);

          g_ptr_array_add (pairs, g_object_ref (watch->printer));
          g_ptr_array_add (pairs, g_object_ref (unit_watch->unit));
        }
    }

  for (guint i = 0; i + 1 < pairs->len; i += 2)
    check_unit (self, g_ptr_array_index (pairs, i), g_ptr_array_index (pairs, i + 1));
}

static void
pd_humidity_monitor_dispose (GObject *object)
{
  PdHumidityMonitor *self = PD_HUMIDITY_MONITOR (object);

  if (self->printers != NULL)
    g_ptr_array_set_size (self->printers, 0);

  G_OBJECT_CLASS (pd_humidity_monitor_parent_class)->dispose (object);
}

static void
pd_humidity_monitor_finalize (GObject *object)
{
  PdHumidityMonitor *self = PD_HUMIDITY_MONITOR (object);

  g_clear_pointer (&self->printers, g_ptr_array_unref);
  g_clear_pointer (&self->announced, g_hash_table_unref);

  G_OBJECT_CLASS (pd_humidity_monitor_parent_class)->finalize (object);
}

static void
pd_humidity_monitor_class_init (PdHumidityMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_humidity_monitor_dispose;
  object_class->finalize = pd_humidity_monitor_finalize;

  /**
   * PdHumidityMonitor::humid:
   * @self: the monitor
   * @printer: the printer
   * @unit: its AMS unit that is humid
   * @level: how humid: %PD_HUMIDITY_HIGH
   *
   * Emitted when a unit that holds filament and is not drying is above the
   * high threshold (or at level 4–5), at most once per unit per cooldown.
   */
  signals[HUMID] =
    g_signal_new ("humid",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, PD_TYPE_PRINTER, PD_TYPE_AMS_UNIT, PD_TYPE_HUMIDITY);
}

static void
pd_humidity_monitor_init (PdHumidityMonitor *self)
{
  self->printers = g_ptr_array_new_with_free_func (printer_watch_free);
  self->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->fair_percent = PD_HUMIDITY_DEFAULT_FAIR;
  self->high_percent = PD_HUMIDITY_DEFAULT_HIGH;
  self->cooldown = (gint64) PD_HUMIDITY_DEFAULT_COOLDOWN * G_USEC_PER_SEC;
}

PdHumidityMonitor *
pd_humidity_monitor_new (void)
{
  return g_object_new (PD_TYPE_HUMIDITY_MONITOR, NULL);
}

/**
 * pd_humidity_monitor_add_printer:
 * @self: a monitor
 * @printer: a printer
 *
 * Watches @printer's AMS units until pd_humidity_monitor_remove_printer()
 * (the monitor holds a reference on it meanwhile). A unit that is already
 * humid is announced at once. Adding a printer twice does nothing.
 */
void
pd_humidity_monitor_add_printer (PdHumidityMonitor *self,
                                 PdPrinter         *printer)
{
  PrinterWatch *watch;
  guint         n;

  g_return_if_fail (PD_IS_HUMIDITY_MONITOR (self));
  g_return_if_fail (PD_IS_PRINTER (printer));

  if (find_printer (self, printer, NULL) != NULL)
    return;

  watch = g_new0 (PrinterWatch, 1);
  watch->monitor = self;
  watch->printer = g_object_ref (printer);
  watch->units = g_object_ref (pd_printer_get_ams_units (printer));
  watch->unit_watches = g_ptr_array_new_with_free_func (unit_watch_free);
  watch->items_changed_id = g_signal_connect (watch->units, "items-changed", G_CALLBACK (on_units_changed), watch);
  g_ptr_array_add (self->printers, watch);

  n = g_list_model_get_n_items (watch->units);
  if (n > 0)
    on_units_changed (watch->units, 0, 0, n, watch);
}

/**
 * pd_humidity_monitor_remove_printer:
 * @self: a monitor
 * @printer: a printer given to pd_humidity_monitor_add_printer()
 *
 * Stops watching @printer. When each unit was last announced is kept, so a
 * printer removed and added again is not announced again before the
 * cooldown.
 */
void
pd_humidity_monitor_remove_printer (PdHumidityMonitor *self,
                                    PdPrinter         *printer)
{
  guint index;

  g_return_if_fail (PD_IS_HUMIDITY_MONITOR (self));
  g_return_if_fail (PD_IS_PRINTER (printer));

  if (find_printer (self, printer, &index) != NULL)
    g_ptr_array_remove_index (self->printers, index);
}

/**
 * pd_humidity_monitor_set_thresholds:
 * @self: a monitor
 * @fair_percent: above this relative humidity a unit is "fair"
 * @high_percent: above this it is "high" and announced
 *
 * Sets the thresholds (%PD_HUMIDITY_DEFAULT_FAIR, %PD_HUMIDITY_DEFAULT_HIGH
 * by default) and rates every unit again.
 */
void
pd_humidity_monitor_set_thresholds (PdHumidityMonitor *self,
                                    guint              fair_percent,
                                    guint              high_percent)
{
  g_return_if_fail (PD_IS_HUMIDITY_MONITOR (self));
  g_return_if_fail (fair_percent <= high_percent);
  g_return_if_fail (high_percent <= 100);

  if (self->fair_percent == fair_percent && self->high_percent == high_percent)
    return;

  self->fair_percent = fair_percent;
  self->high_percent = high_percent;
  check_all (self);
}

/**
 * pd_humidity_monitor_set_cooldown:
 * @self: a monitor
 * @seconds: the least time between two announcements of one unit
 *
 * %PD_HUMIDITY_DEFAULT_COOLDOWN by default; 0 announces every change.
 */
void
pd_humidity_monitor_set_cooldown (PdHumidityMonitor *self,
                                  guint              seconds)
{
  g_return_if_fail (PD_IS_HUMIDITY_MONITOR (self));

  self->cooldown = (gint64) seconds * G_USEC_PER_SEC;
}
