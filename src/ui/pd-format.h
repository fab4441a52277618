/* pd-format.h — printer values in words and numbers people read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "pd-types.h"

G_BEGIN_DECLS

char       *pd_format_temperature (double current,
                                   double target);
char       *pd_format_duration (int minutes);
char       *pd_format_finish_time (gint64 finish_time,
                                   gint64 now);
char       *pd_format_layer (int layer,
                             int total_layers);
char       *pd_format_percent (int percent);
char       *pd_format_grams (double grams);
char       *pd_format_wifi (int dbm);
const char *pd_connection_icon_name (PdConnection connection);
const char *pd_connection_style_class (PdConnection connection);
const char *pd_status_icon_name (PdStatus status);

G_END_DECLS
