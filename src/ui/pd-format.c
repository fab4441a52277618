/* pd-format.c — printer values in words and numbers people read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-format"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <langinfo.h>
#include <math.h>

#include "pd-enums.h"
#include "pd-format.h"
#include "pd-printer.h"

/* Temperature unit ---------------------------------------------------------
 *
 * The unit is a setting of the process, not a parameter of the helpers: it
 * is the person's preference, the same in every window, and temperatures are
 * formatted by a dozen helpers from six widgets. Passing it down would give
 * each widget a property and each owner a binding to keep up, for a value
 * that changes perhaps once in the app's life. So the helpers below read it
 * here; the app points it at its GSettings once (pd_format_follow_settings()),
 * and each widget that shows a temperature asks to be told of a change
 * (pd_format_watch_temperature_unit()) and then sets its temperature labels
 * again, once: no polling, nothing per frame.
 *
 * Only what people read converts. The core, the state document, the mirror
 * and the CLI stay in °C, and so does every value a widget keeps.
 *
 * PdUnitWatch is the one object that says so; it is private to this file
 * (its API is the functions above), so it is not a class of its own file.
 */

#define PD_TYPE_UNIT_WATCH (pd_unit_watch_get_type ())
G_DECLARE_FINAL_TYPE (PdUnitWatch, pd_unit_watch, PD, UNIT_WATCH, GObject)

struct _PdUnitWatch
{
  GObject           parent_instance;
  PdTemperatureUnit unit;
};

G_DEFINE_FINAL_TYPE (PdUnitWatch, pd_unit_watch, G_TYPE_OBJECT)

enum
{
  WATCH_PROP_0,
  WATCH_PROP_TEMPERATURE_UNIT,
  WATCH_N_PROPS
};

static GParamSpec *watch_properties[WATCH_N_PROPS];

static void
pd_unit_watch_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  switch (prop_id)
    {
    case WATCH_PROP_TEMPERATURE_UNIT:
      g_value_set_uint (value, PD_UNIT_WATCH (object)->unit);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_unit_watch_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case WATCH_PROP_TEMPERATURE_UNIT:
      pd_format_set_temperature_unit (g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_unit_watch_class_init (PdUnitWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pd_unit_watch_get_property;
  object_class->set_property = pd_unit_watch_set_property;

  watch_properties[WATCH_PROP_TEMPERATURE_UNIT] =
    g_param_spec_uint ("temperature-unit", NULL, NULL,
                       PD_TEMPERATURE_UNIT_CELSIUS, PD_TEMPERATURE_UNIT_FAHRENHEIT, PD_TEMPERATURE_UNIT_CELSIUS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, WATCH_N_PROPS, watch_properties);
}

static void
pd_unit_watch_init (PdUnitWatch *self)
{
  self->unit = PD_TEMPERATURE_UNIT_CELSIUS;
}

/* Lives as long as the process: widgets come and go, the unit stays. */
static PdUnitWatch *
unit_watch (void)
{
  static PdUnitWatch *watch;

  if (g_once_init_enter (&watch))
    g_once_init_leave (&watch, g_object_new (PD_TYPE_UNIT_WATCH, NULL));

  return watch;
}

/**
 * pd_format_get_temperature_unit:
 *
 * Returns: the unit the helpers write temperatures in
 */
PdTemperatureUnit
pd_format_get_temperature_unit (void)
{
  return unit_watch ()->unit;
}

/**
 * pd_format_set_temperature_unit:
 * @unit: the unit to write temperatures in from now on
 *
 * Tells the widgets that watch the unit when it changed. Called by
 * pd_format_follow_settings(); tests call it directly.
 */
void
pd_format_set_temperature_unit (PdTemperatureUnit unit)
{
  PdUnitWatch *watch = unit_watch ();

  g_return_if_fail (unit == PD_TEMPERATURE_UNIT_CELSIUS || unit == PD_TEMPERATURE_UNIT_FAHRENHEIT);

  if (watch->unit == unit)
    return;

  watch->unit = unit;
  g_object_notify_by_pspec (G_OBJECT (watch), watch_properties[WATCH_PROP_TEMPERATURE_UNIT]);
}

/**
 * pd_format_get_locale_temperature_unit:
 *
 * Returns: Fahrenheit where the locale measures in US units
 *   (LC_MEASUREMENT, as GNOME Settings reads it), else Celsius
 */
PdTemperatureUnit
pd_format_get_locale_temperature_unit (void)
{
#ifdef __GLIBC__
  /* glibc's LC_MEASUREMENT: 1 is metric, 2 is US customary */
  const char *measurement = nl_langinfo (_NL_MEASUREMENT_MEASUREMENT);

  if (measurement != NULL && measurement[0] == 2)
    return PD_TEMPERATURE_UNIT_FAHRENHEIT;
#endif

  return PD_TEMPERATURE_UNIT_CELSIUS;
}

static void
on_temperature_unit_setting_changed (GSettings  *settings,
                                     const char *key,
                                     gpointer    data)
{
  g_autofree char *nick = g_settings_get_string (settings, "temperature-unit");

  if (g_strcmp0 (nick, "fahrenheit") == 0)
    pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_FAHRENHEIT);
  else if (g_strcmp0 (nick, "celsius") == 0)
    pd_format_set_temperature_unit (PD_TEMPERATURE_UNIT_CELSIUS);
  else
    pd_format_set_temperature_unit (pd_format_get_locale_temperature_unit ());
}

/**
 * pd_format_follow_settings:
 * @settings: the app's settings
 *
 * Writes temperatures in the unit of @settings' "temperature-unit" key, now
 * and whenever it changes, for as long as @settings lives.
 */
void
pd_format_follow_settings (GSettings *settings)
{
  g_return_if_fail (G_IS_SETTINGS (settings));

  /* the watch lives longer than any settings: no reference either way */
  g_signal_connect_object (settings, "changed::temperature-unit", G_CALLBACK (on_temperature_unit_setting_changed),
                           unit_watch (), 0);
  on_temperature_unit_setting_changed (settings, "temperature-unit", NULL);
}

/**
 * pd_format_watch_temperature_unit:
 * @instance: a widget (or any object) that shows temperatures
 * @callback: called as `callback (instance)` when the unit changed
 *
 * Connected for as long as @instance lives.
 */
void
pd_format_watch_temperature_unit (gpointer  instance,
                                  GCallback callback)
{
  g_return_if_fail (G_IS_OBJECT (instance));
  g_return_if_fail (callback != NULL);

  g_signal_connect_object (unit_watch (), "notify::temperature-unit", callback, instance, G_CONNECT_SWAPPED);
}

/**
 * pd_format_celsius_to_unit:
 * @celsius: °C
 *
 * Returns: @celsius in the current unit, not rounded
 */
double
pd_format_celsius_to_unit (double celsius)
{
  switch (pd_format_get_temperature_unit ())
    {
    case PD_TEMPERATURE_UNIT_FAHRENHEIT:
      return celsius * 9.0 / 5.0 + 32.0;
    case PD_TEMPERATURE_UNIT_CELSIUS:
    default:
      return celsius;
    }
}

/**
 * pd_format_unit_to_celsius:
 * @degrees: a temperature in the current unit
 *
 * Returns: @degrees in °C
 */
double
pd_format_unit_to_celsius (double degrees)
{
  switch (pd_format_get_temperature_unit ())
    {
    case PD_TEMPERATURE_UNIT_FAHRENHEIT:
      return (degrees - 32.0) * 5.0 / 9.0;
    case PD_TEMPERATURE_UNIT_CELSIUS:
    default:
      return degrees;
    }
}

/* Whole degrees in the current unit, halves away from zero (printf would
 * round them to even), and never "-0 °C".
 */
static double
whole_degrees (double celsius)
{
  double degrees = round (pd_format_celsius_to_unit (celsius));

  return degrees == 0 ? 0 : degrees;
}

/**
 * pd_format_degrees:
 * @celsius: °C, NAN when not known
 *
 * Returns: (transfer full): "219 °C" or "426 °F", in whole degrees; "—"
 *   when not known
 */
char *
pd_format_degrees (double celsius)
{
  if (!isfinite (celsius))
    return g_strdup ("—");

  switch (pd_format_get_temperature_unit ())
    {
    case PD_TEMPERATURE_UNIT_FAHRENHEIT:
      /* TRANSLATORS: a temperature in degrees Fahrenheit */
      return g_strdup_printf (_("%.0f °F"), whole_degrees (celsius));
    case PD_TEMPERATURE_UNIT_CELSIUS:
    default:
      /* TRANSLATORS: a temperature in degrees Celsius */
      return g_strdup_printf (_("%.0f °C"), whole_degrees (celsius));
    }
}

/**
 * pd_format_temperature:
 * @current: °C, NAN when not known
 * @target: °C, NAN when not known; 0 when the heater is off
 *
 * Returns: (transfer full): "219 °C", "219 / 220 °C" while heating or
 *   holding a target ("426 / 428 °F" in Fahrenheit), "—" when not known
 */
char *
pd_format_temperature (double current,
                       double target)
{
  if (!isfinite (current))
    return g_strdup ("—");
  if (!isfinite (target) || target <= 0)
    return pd_format_degrees (current);

  switch (pd_format_get_temperature_unit ())
    {
    case PD_TEMPERATURE_UNIT_FAHRENHEIT:
      /* TRANSLATORS: current / target temperature in degrees Fahrenheit */
      return g_strdup_printf (_("%.0f / %.0f °F"), whole_degrees (current), whole_degrees (target));
    case PD_TEMPERATURE_UNIT_CELSIUS:
    default:
      /* TRANSLATORS: current / target temperature in degrees Celsius */
      return g_strdup_printf (_("%.0f / %.0f °C"), whole_degrees (current), whole_degrees (target));
    }
}

/**
 * pd_format_duration:
 * @minutes: minutes, -1 when not known
 *
 * Returns: (transfer full) (nullable): "1 h 13 min", "45 min", %NULL when not known
 */
char *
pd_format_duration (int minutes)
{
  if (minutes < 0)
    return NULL;
  if (minutes < 60)
    /* TRANSLATORS: a duration, "45 min" */
    return g_strdup_printf (_("%d min"), minutes);
  if (minutes % 60 == 0)
    /* TRANSLATORS: a duration in whole hours, "2 h" */
    return g_strdup_printf (_("%d h"), minutes / 60);

  /* TRANSLATORS: a duration, "1 h 13 min" */
  return g_strdup_printf (_("%d h %d min"), minutes / 60, minutes % 60);
}

/* GNOME's clock format, when the desktop has one; else 24 hours. */
static gboolean
use_12_hour_clock (void)
{
  static int                  twelve = -1;
  GSettingsSchemaSource      *source;
  g_autoptr (GSettingsSchema) schema = NULL;

  if (twelve >= 0)
    return twelve;

  twelve = 0;
  source = g_settings_schema_source_get_default ();
  if (source != NULL &&
      (schema = g_settings_schema_source_lookup (source, "org.gnome.desktop.interface", TRUE)) != NULL &&
      g_settings_schema_has_key (schema, "clock-format"))
    {
      g_autoptr (GSettings) settings = g_settings_new ("org.gnome.desktop.interface");
      g_autofree char      *format = g_settings_get_string (settings, "clock-format");

      twelve = g_strcmp0 (format, "12h") == 0;
    }

  return twelve;
}

/**
 * pd_format_finish_time:
 * @finish_time: when a job ends, µs of g_get_real_time(); 0 when not known
 * @now: the current time, same clock
 *
 * Returns: (transfer full) (nullable): "ends at 14:32", "ends tomorrow at
 *   02:10", "ends Friday at 09:00"; %NULL when not known
 */
char *
pd_format_finish_time (gint64 finish_time,
                       gint64 now)
{
  g_autoptr (GDateTime) end = NULL;
  g_autoptr (GDateTime) today = NULL;
  g_autofree char      *clock = NULL;
  int                   days;

  if (finish_time <= 0)
    return NULL;

  end = g_date_time_new_from_unix_local (finish_time / G_USEC_PER_SEC);
  today = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  if (end == NULL || today == NULL)
    return NULL;

  clock = g_date_time_format (end, use_12_hour_clock () ? "%l:%M %p" : "%H:%M");
  g_strstrip (clock);
  days = g_date_time_get_day_of_year (end) - g_date_time_get_day_of_year (today) +
         (g_date_time_get_year (end) - g_date_time_get_year (today)) * 365;

  if (days <= 0)
    /* TRANSLATORS: when a print ends, "ends at 14:32" */
    return g_strdup_printf (_("ends at %s"), clock);
  if (days == 1)
    /* TRANSLATORS: when a print ends, "ends tomorrow at 02:10" */
    return g_strdup_printf (_("ends tomorrow at %s"), clock);

  {
    g_autofree char *weekday = g_date_time_format (end, "%A");

    /* TRANSLATORS: when a print ends, "ends Friday at 09:00" */
    return g_strdup_printf (_("ends %s at %s"), weekday, clock);
  }
}

/**
 * pd_format_layer:
 * @layer: the current layer, -1 when not known
 * @total_layers: the job's layers, -1 when not known
 *
 * Returns: (transfer full) (nullable): "Layer 57 of 240", or %NULL while the
 *   total is not known (a layer count alone says little)
 */
char *
pd_format_layer (int layer,
                 int total_layers)
{
  if (layer < 0 || total_layers <= 0)
    return NULL;

  /* TRANSLATORS: "Layer 57 of 240" */
  return g_strdup_printf (_("Layer %d of %d"), layer, total_layers);
}

char *
pd_format_percent (int percent)
{
  if (percent < 0)
    return NULL;

  /* TRANSLATORS: a percentage, "42 %" */
  return g_strdup_printf (_("%d %%"), percent);
}

char *
pd_format_grams (double grams)
{
  if (isnan (grams))
    return NULL;

  /* TRANSLATORS: filament weight, "12.4 g" */
  return g_strdup_printf (_("%.1f g"), grams);
}

/**
 * pd_format_grams_of:
 * @used: grams used so far, NAN when not known
 * @total: grams the job needs, NAN when not known
 *
 * Returns: (transfer full) (nullable): "5.2 g of 12.4 g", "12.4 g" without
 *   @used, %NULL without @total
 */
char *
pd_format_grams_of (double used,
                    double total)
{
  g_autofree char *total_text = pd_format_grams (total);
  g_autofree char *used_text = NULL;

  if (total_text == NULL)
    return NULL;

  used_text = pd_format_grams (used);
  if (used_text == NULL)
    return g_steal_pointer (&total_text);

  /* TRANSLATORS: filament used so far of what the job needs, "5.2 g of 12.4 g" */
  return g_strdup_printf (C_("filament", "%s of %s"), used_text, total_text);
}

/**
 * pd_format_filament_usage:
 * @used: grams used so far, NAN when not known
 * @total: grams the job needs, NAN when not known
 *
 * Returns: (transfer full) (nullable): "Filament: 5.2 g of 12.4 g",
 *   "Filament: 12.4 g" without @used, %NULL without @total
 */
char *
pd_format_filament_usage (double used,
                          double total)
{
  g_autofree char *grams = pd_format_grams_of (used, total);

  if (grams == NULL)
    return NULL;

  /* TRANSLATORS: on a printer's card, "Filament: 5.2 g of 12.4 g" */
  return g_strdup_printf (_("Filament: %s"), grams);
}

/**
 * pd_format_filament_amount:
 * @grams: grams, NAN or negative when not known
 * @meters: metres, NAN or not above 0 when not known
 *
 * Returns: (transfer full) (nullable): "12.4 g · 4.1 m", "12.4 g", "4.1 m",
 *   %NULL when neither is known
 */
char *
pd_format_filament_amount (double grams,
                           double meters)
{
  g_autofree char *grams_text = !isnan (grams) && grams >= 0 ? pd_format_grams (grams) : NULL;
  g_autofree char *meters_text = NULL;

  if (!isnan (meters) && meters > 0)
    /* TRANSLATORS: filament length, "4.1 m" */
    meters_text = g_strdup_printf (_("%.1f m"), meters);

  if (grams_text != NULL && meters_text != NULL)
    /* TRANSLATORS: filament weight and length, "12.4 g · 4.1 m" */
    return g_strdup_printf (C_("filament", "%s · %s"), grams_text, meters_text);

  if (grams_text != NULL)
    return g_steal_pointer (&grams_text);

  return g_steal_pointer (&meters_text);
}

/**
 * pd_format_plate:
 * @plate: the 1-based plate of a project, or less than 1 when not known
 *
 * Returns: (transfer full) (nullable): "Plate 2"
 */
char *
pd_format_plate (int plate)
{
  if (plate < 1)
    return NULL;

  /* TRANSLATORS: a build plate of a sliced project, counted from 1 as in the slicer: "Plate 2" */
  return g_strdup_printf (_("Plate %d"), plate);
}

/**
 * pd_format_filament_color:
 * @rgba: 0xRRGGBBAA
 *
 * Returns: (transfer full): "#RRGGBBAA", as gdk_rgba_parse() and PdAmsTray:color
 *   spell a colour
 */
char *
pd_format_filament_color (guint32 rgba)
{
  return g_strdup_printf ("#%08X", rgba);
}

/**
 * pd_format_wifi:
 * @dbm: the signal, 0 when not known
 *
 * Returns: (transfer full) (nullable): "−52 dBm (good)"
 */
char *
pd_format_wifi (int dbm)
{
  const char *quality;

  if (dbm == 0)
    return NULL;

  if (dbm >= -55)
    quality = C_("wifi signal", "excellent");
  else if (dbm >= -67)
    quality = C_("wifi signal", "good");
  else if (dbm >= -75)
    quality = C_("wifi signal", "fair");
  else
    quality = C_("wifi signal", "weak");

  /* TRANSLATORS: Wi-Fi signal strength, "-52 dBm (good)" */
  return g_strdup_printf (_("%d dBm (%s)"), dbm, quality);
}

const char *
pd_connection_icon_name (PdConnection connection)
{
  switch (connection)
    {
    case PD_CONNECTION_CONNECTED: return "emblem-ok-symbolic";
    case PD_CONNECTION_CONNECTING: return "emblem-synchronizing-symbolic";
    case PD_CONNECTION_DISCONNECTED:
    case PD_CONNECTION_NONE:
    default:
      return "network-offline-symbolic";
    }
}

/* Style classes from style.css: colour is never the only signal, the
 * icon and the words say it too.
 */
const char *
pd_connection_style_class (PdConnection connection)
{
  switch (connection)
    {
    case PD_CONNECTION_CONNECTED: return "connected";
    case PD_CONNECTION_CONNECTING: return "connecting";
    case PD_CONNECTION_DISCONNECTED:
    case PD_CONNECTION_NONE:
    default:
      return "disconnected";
    }
}

const char *
pd_status_icon_name (PdStatus status)
{
  switch (status)
    {
    case PD_STATUS_PRINTING:
    case PD_STATUS_PREPARING: return "printer-printing-symbolic";
    case PD_STATUS_PAUSED: return "media-playback-pause-symbolic";
    case PD_STATUS_FINISHED: return "emblem-ok-symbolic";
    case PD_STATUS_FAILED: return "printer-error-symbolic";
    case PD_STATUS_CANCELLED: return "process-stop-symbolic";
    case PD_STATUS_OFFLINE: return "network-offline-symbolic";
    case PD_STATUS_IDLE:
    case PD_STATUS_UNKNOWN:
    default:
      return "printer-symbolic";
    }
}

/**
 * pd_severity_icon_name:
 * @severity: the highest active HMS severity, or %PD_SEVERITY_NONE
 *
 * Returns: a symbolic icon that says the same as the colour
 */
const char *
pd_severity_icon_name (PdSeverity severity)
{
  switch (severity)
    {
    case PD_SEVERITY_INFO: return "dialog-information-symbolic";
    case PD_SEVERITY_COMMON: return "dialog-warning-symbolic";
    case PD_SEVERITY_SERIOUS: return "dialog-warning-symbolic";
    case PD_SEVERITY_FATAL: return "dialog-error-symbolic";
    case PD_SEVERITY_NONE:
    default:
      return "emblem-ok-symbolic";
    }
}

/**
 * pd_severity_style_class:
 * @severity: an HMS severity, or %PD_SEVERITY_NONE
 *
 * Returns: the style class that colours it (style.css): "ok", "info",
 *   "common", "serious" or "fatal"
 */
const char *
pd_severity_style_class (PdSeverity severity)
{
  switch (severity)
    {
    case PD_SEVERITY_INFO: return "info";
    case PD_SEVERITY_COMMON: return "common";
    case PD_SEVERITY_SERIOUS: return "serious";
    case PD_SEVERITY_FATAL: return "fatal";
    case PD_SEVERITY_NONE:
    default:
      return "ok";
    }
}

/**
 * pd_format_hms_summary:
 * @level: the highest active severity
 * @n_errors: how many HMS entries are listed
 *
 * Returns: (transfer full): the health indicator in words, for screen
 *   readers and tooltips: "2 health warnings, highest: serious"
 */
char *
pd_format_hms_summary (PdSeverity level,
                       guint      n_errors)
{
  g_autofree char *severity = NULL;

  if (n_errors == 0 || level == PD_SEVERITY_NONE)
    return g_strdup (_("No health warnings"));

  severity = g_utf8_strdown (pd_severity_to_label (level), -1);
  /* TRANSLATORS: "2 health warnings, highest: serious"; the severity is
   * one of fatal, serious, common, info
   */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u health warning, highest: %s",
                                       "%u health warnings, highest: %s", n_errors),
                          n_errors, severity);
}

/**
 * pd_format_hms_badge:
 * @level: the highest active severity
 * @n_errors: how many HMS entries are listed
 *
 * Returns: (transfer full): the short text on the indicator: "OK",
 *   "Serious", "Serious · 3"
 */
char *
pd_format_hms_badge (PdSeverity level,
                     guint      n_errors)
{
  if (n_errors == 0 || level == PD_SEVERITY_NONE)
    return g_strdup (C_("HMS severity", "OK"));
  if (n_errors == 1)
    return g_strdup (pd_severity_to_label (level));

  /* TRANSLATORS: the highest severity and the number of health warnings, "Serious · 3" */
  return g_strdup_printf (C_("HMS badge", "%s · %u"), pd_severity_to_label (level), n_errors);
}

/* AMS -------------------------------------------------------------------------*/

/**
 * pd_format_humidity:
 * @percent: relative humidity in %, -1 when the unit does not measure it
 * @level: the 1–5 level as Bambu Studio shows it (1 dry … 5 wet), -1 unknown
 *
 * A level is never written as a percentage.
 *
 * Returns: (transfer full) (nullable): "23 %", "level 2 of 5", %NULL when
 *   neither is known
 */
char *
pd_format_humidity (int percent,
                    int level)
{
  if (percent >= 0)
    /* TRANSLATORS: relative humidity, "23 %" */
    return g_strdup_printf (_("%d %%"), percent);
  if (level >= 1 && level <= 5)
    /* TRANSLATORS: the AMS humidity level as Bambu Studio shows it, 1 = dry … 5 = wet */
    return g_strdup_printf (_("level %d of 5"), level);

  return NULL;
}

/**
 * pd_humidity_to_label:
 * @humidity: a unit's humidity against the thresholds
 *
 * Returns: (nullable): the warning to show, %NULL when there is none
 */
const char *
pd_humidity_to_label (PdHumidity humidity)
{
  switch (humidity)
    {
    case PD_HUMIDITY_FAIR: return _("Humidity fair");
    case PD_HUMIDITY_HIGH: return _("Humidity high");
    case PD_HUMIDITY_OK:
    case PD_HUMIDITY_UNKNOWN:
    default:
      return NULL;
    }
}

/**
 * pd_format_remaining:
 * @percent: filament left in %, -1 when the spool is not tracked
 *
 * Returns: (transfer full): "80 %", or "Unknown" for spools the AMS does not
 *   track (no Bambu RFID tag)
 */
char *
pd_format_remaining (int percent)
{
  if (percent < 0)
    return g_strdup (C_("filament left", "Unknown"));

  /* TRANSLATORS: filament left on a spool, "80 %" */
  return g_strdup_printf (_("%d %%"), percent);
}

/**
 * pd_format_nozzle_range:
 * @min: the filament's lowest nozzle temperature in °C, 0 or less when none
 * @max: its highest, 0 or less when none
 *
 * Returns: (transfer full) (nullable): "190–240 °C" ("374–464 °F"), %NULL
 *   when not known
 */
char *
pd_format_nozzle_range (int min,
                        int max)
{
  double low = whole_degrees (min);
  double high = whole_degrees (max);

  if (min <= 0 && max <= 0)
    return NULL;
  if (min <= 0 || max <= 0 || min == max)
    return pd_format_degrees (MAX (min, max));

  switch (pd_format_get_temperature_unit ())
    {
    case PD_TEMPERATURE_UNIT_FAHRENHEIT:
      /* TRANSLATORS: a nozzle temperature range in degrees Fahrenheit */
      return g_strdup_printf (_("%.0f–%.0f °F"), low, high);
    case PD_TEMPERATURE_UNIT_CELSIUS:
    default:
      /* TRANSLATORS: a nozzle temperature range in degrees Celsius */
      return g_strdup_printf (_("%.0f–%.0f °C"), low, high);
    }
}

/**
 * pd_format_drying_advice:
 * @temperature: the recommended drying temperature in °C, 0 or less when none
 * @hours: the recommended drying time, 0 or less when none
 *
 * Returns: (transfer full) (nullable): "Dry at 55 °C for 8 h" ("Dry at
 *   131 °F for 8 h")
 */
char *
pd_format_drying_advice (int temperature,
                         int hours)
{
  g_autofree char *degrees = NULL;

  if (temperature <= 0)
    return NULL;

  degrees = pd_format_degrees (temperature);
  if (hours <= 0)
    /* TRANSLATORS: the filament maker's drying advice, "Dry at 55 °C"; the
     * temperature comes with its unit
     */
    return g_strdup_printf (_("Dry at %s"), degrees);

  /* TRANSLATORS: the filament maker's drying advice, "Dry at 55 °C for 8 h";
   * the temperature comes with its unit
   */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Dry at %s for %d h", "Dry at %s for %d h", hours),
                          degrees, hours);
}

/**
 * pd_format_drying_state:
 * @supported: the unit can dry filament
 * @drying: it is drying now
 * @minutes_left: time left, -1 when not known
 *
 * Returns: (transfer full) (nullable): "Drying, 3 h 20 min left", "Not
 *   drying", %NULL for units that cannot dry
 */
char *
pd_format_drying_state (gboolean supported,
                        gboolean drying,
                        int      minutes_left)
{
  g_autofree char *left = NULL;

  if (!drying)
    return supported ? g_strdup (_("Not drying")) : NULL;

  left = pd_format_duration (minutes_left);
  if (left == NULL)
    return g_strdup (_("Drying"));

  /* TRANSLATORS: an AMS drying its filament, "Drying, 3 h 20 min left" */
  return g_strdup_printf (_("Drying, %s left"), left);
}

/**
 * pd_format_slot_name:
 * @slot: 0… in a unit, 254/255 for external spools
 * @dual_nozzle: the printer has two nozzles (254 is then the left spool)
 *
 * Returns: (transfer full): "Slot 1", "External spool", "Right external spool"
 */
char *
pd_format_slot_name (int      slot,
                     gboolean dual_nozzle)
{
  if (slot == 254)
    return g_strdup (dual_nozzle ? _("Left external spool") : _("External spool"));
  if (slot == 255)
    return g_strdup (_("Right external spool"));

  /* TRANSLATORS: an AMS slot, counted from 1 as on the printer: "Slot 1" */
  return g_strdup_printf (_("Slot %d"), slot + 1);
}

/**
 * pd_format_tray_summary:
 * @slot_name: from pd_format_slot_name(), or with the unit's name
 * @present: a spool is in the slot
 * @material: (nullable): its material, %NULL for a spool the AMS could not
 *   identify
 * @name: (nullable): the filament's name
 * @remaining: filament left in %, -1 when not tracked
 *
 * Returns: (transfer full): what a swatch's tooltip says: "AMS A, Slot 2:
 *   PLA, Bambu PLA Basic, 80 % left"
 */
char *
pd_format_tray_summary (const char *slot_name,
                        gboolean    present,
                        const char *material,
                        const char *name,
                        int         remaining)
{
  GString *text = g_string_new (slot_name);

  g_string_append (text, ": ");
  if (!present)
    g_string_append (text, C_("AMS slot", "empty"));
  else if (material == NULL)
    g_string_append (text, _("unknown spool"));
  else
    {
      g_string_append (text, material);
      if (name != NULL && g_strcmp0 (name, material) != 0)
        g_string_append_printf (text, ", %s", name);
      if (remaining >= 0)
        /* TRANSLATORS: part of a swatch's tooltip, ", 80 % left" */
        g_string_append_printf (text, _(", %d %% left"), remaining);
      else
        g_string_append (text, _(", amount left unknown"));
    }

  return g_string_free (text, FALSE);
}

/**
 * pd_format_printer_name:
 * @printer: a printer
 *
 * Returns: what a printer is called: its name, else its model, else its
 *   serial number (also the name of its snapshot folder)
 */
const char *
pd_format_printer_name (PdPrinter *printer)
{
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  if (pd_printer_get_name (printer) != NULL)
    return pd_printer_get_name (printer);
  if (pd_printer_get_model_name (printer) != NULL)
    return pd_printer_get_model_name (printer);

  return pd_printer_get_serial (printer);
}
