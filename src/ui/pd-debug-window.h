/* pd-debug-window.h — one printer's MQTT debug log in a window of its own
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-debug-detail.h"
#include "pd-debug-log.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_DEBUG_WINDOW (pd_debug_window_get_type ())

G_DECLARE_FINAL_TYPE (PdDebugWindow, pd_debug_window, PD, DEBUG_WINDOW, AdwApplicationWindow)

GtkWidget          *pd_debug_window_new (PdDebugLog *log,
                                         PdPrinter  *printer);
PdDebugLog         *pd_debug_window_get_log (PdDebugWindow *self);
PdPrinter          *pd_debug_window_get_printer (PdDebugWindow *self);
gboolean            pd_debug_window_get_paused (PdDebugWindow *self);
void                pd_debug_window_set_paused (PdDebugWindow *self,
                                                gboolean       paused);
const char         *pd_debug_window_get_direction (PdDebugWindow *self);
void                pd_debug_window_set_direction (PdDebugWindow *self,
                                                   const char    *direction);
char               *pd_debug_window_dup_export_name (PdDebugWindow *self);
void                pd_debug_window_export (PdDebugWindow *self,
                                            GFile         *file);

/* for the tests and the benchmark */
GtkColumnView      *_pd_debug_window_get_column_view (PdDebugWindow *self);
GListModel         *_pd_debug_window_get_shown (PdDebugWindow *self);
GtkSingleSelection *_pd_debug_window_get_selection (PdDebugWindow *self);
PdDebugDetail      *_pd_debug_window_get_detail (PdDebugWindow *self);
GtkAdjustment      *_pd_debug_window_get_vadjustment (PdDebugWindow *self);
GtkEditable        *_pd_debug_window_get_search (PdDebugWindow *self);
const char         *_pd_debug_window_get_status (PdDebugWindow *self);
const char         *_pd_debug_window_get_empty_title (PdDebugWindow *self);

G_END_DECLS
