/* pd-format.h — printer values in words and numbers people read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-types.h"

G_BEGIN_DECLS

/**
 * PdTemperatureUnit:
 * @PD_TEMPERATURE_UNIT_CELSIUS: degrees Celsius, what printers report
 * @PD_TEMPERATURE_UNIT_FAHRENHEIT: degrees Fahrenheit
 *
 * The unit temperatures are shown in. The schema's "temperature-unit" also
 * has "auto", which is one of these by the locale.
 */
typedef enum
{
  PD_TEMPERATURE_UNIT_CELSIUS,
  PD_TEMPERATURE_UNIT_FAHRENHEIT,
} PdTemperatureUnit;

PdTemperatureUnit pd_format_get_temperature_unit (void);
void              pd_format_set_temperature_unit (PdTemperatureUnit unit);
PdTemperatureUnit pd_format_get_locale_temperature_unit (void);
void              pd_format_follow_settings (GSettings *settings);
void              pd_format_watch_temperature_unit (gpointer  instance,
                                                    GCallback callback);
double            pd_format_celsius_to_unit (double celsius);
double            pd_format_unit_to_celsius (double degrees);

char             *pd_format_degrees (double celsius);
char             *pd_format_temperature (double current,
                                         double target);
char             *pd_format_duration (int minutes);
char             *pd_format_finish_time (gint64 finish_time,
                                         gint64 now);
char             *pd_format_layer (int layer,
                                   int total_layers);
char             *pd_format_percent (int percent);
char             *pd_format_grams (double grams);
char             *pd_format_grams_of (double used,
                                      double total);
char             *pd_format_filament_usage (double used,
                                            double total);
char             *pd_format_filament_amount (double grams,
                                             double meters);
char             *pd_format_plate (int plate);
char             *pd_format_filament_color (guint32 rgba);
char             *pd_format_wifi (int dbm);
const char       *pd_connection_icon_name (PdConnection connection);
const char       *pd_connection_style_class (PdConnection connection);
const char       *pd_status_icon_name (PdStatus status);
const char       *pd_severity_icon_name (PdSeverity severity);
const char       *pd_severity_style_class (PdSeverity severity);
char             *pd_format_hms_summary (PdSeverity level,
                                         guint      n_errors);
char             *pd_format_hms_badge (PdSeverity level,
                                       guint      n_errors);

char             *pd_format_humidity (int percent,
                                      int level);
const char       *pd_humidity_to_label (PdHumidity humidity);
char             *pd_format_remaining (int percent);
char             *pd_format_nozzle_range (int min,
                                          int max);
char             *pd_format_drying_advice (int temperature,
                                           int hours);
char             *pd_format_drying_state (gboolean supported,
                                          gboolean drying,
                                          int      minutes_left);
char             *pd_format_slot_name (int      slot,
                                       gboolean dual_nozzle);
char             *pd_format_tray_summary (const char *slot_name,
                                          gboolean    present,
                                          const char *material,
                                          const char *name,
                                          int         remaining);

const char       *pd_format_printer_name (PdPrinter *printer);

G_END_DECLS
