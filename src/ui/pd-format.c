/* pd-format.c — printer values in words and numbers people read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-format"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <math.h>

#include "pd-enums.h"
#include "pd-format.h"

/**
 * pd_format_temperature:
 * @current: °C, NAN when not known
 * @target: °C, NAN when not known; 0 when the heater is off
 *
 * Returns: (transfer full): "219 °C", "219 / 220 °C" while heating or
 *   holding a target, "—" when not known
 */
char *
pd_format_temperature (double current,
                       double target)
{
  if (isnan (current))
    return g_strdup ("—");
  if (isnan (target) || target <= 0)
    /* TRANSLATORS: a temperature in degrees Celsius */
    return g_strdup_printf (_("%.0f °C"), current);

  /* TRANSLATORS: current / target temperature in degrees Celsius */
  return g_strdup_printf (_("%.0f / %.0f °C"), current, target);
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
