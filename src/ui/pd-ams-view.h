/* pd-ams-view.h — a printer's AMS units and spools in detail
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_AMS_VIEW (pd_ams_view_get_type ())

G_DECLARE_FINAL_TYPE (PdAmsView, pd_ams_view, PD, AMS_VIEW, GtkWidget)

GtkWidget *pd_ams_view_new (PdPrinter *printer);
PdPrinter *pd_ams_view_get_printer (PdAmsView *self);
void       pd_ams_view_set_printer (PdAmsView *self,
                                    PdPrinter *printer);

G_END_DECLS
