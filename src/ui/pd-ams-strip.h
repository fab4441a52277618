/* pd-ams-strip.h — a card's row of filament swatches
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_AMS_STRIP (pd_ams_strip_get_type ())

G_DECLARE_FINAL_TYPE (PdAmsStrip, pd_ams_strip, PD, AMS_STRIP, GtkWidget)

GtkWidget *pd_ams_strip_new (void);
PdPrinter *pd_ams_strip_get_printer (PdAmsStrip *self);
void       pd_ams_strip_set_printer (PdAmsStrip *self,
                                     PdPrinter  *printer);
gboolean   pd_ams_strip_get_has_ams (PdAmsStrip *self);

G_END_DECLS
