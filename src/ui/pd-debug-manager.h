/* pd-debug-manager.h — the app's MQTT debug log features
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer-store.h"

G_BEGIN_DECLS

#define PD_TYPE_DEBUG_MANAGER (pd_debug_manager_get_type ())

G_DECLARE_FINAL_TYPE (PdDebugManager, pd_debug_manager, PD, DEBUG_MANAGER, GObject)

PdDebugManager *pd_debug_manager_new (PdPrinterStore *store,
                                      GSettings      *settings);
void            pd_debug_manager_add_actions (PdDebugManager *self,
                                              GtkApplication *app);
PdDebugLog     *pd_debug_manager_get_log (PdDebugManager *self,
                                          PdPrinter      *printer);
GtkWindow      *pd_debug_manager_show_log (PdDebugManager *self,
                                           PdPrinter      *printer);
void            pd_debug_manager_toggle (PdDebugManager *self,
                                         PdPrinter      *printer);

G_END_DECLS
