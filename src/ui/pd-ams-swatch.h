/* pd-ams-swatch.h — one AMS slot as a dot of its filament's colour
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-ams-tray.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_AMS_SWATCH (pd_ams_swatch_get_type ())

G_DECLARE_FINAL_TYPE (PdAmsSwatch, pd_ams_swatch, PD, AMS_SWATCH, GtkWidget)

GtkWidget *pd_ams_swatch_new (PdAmsTray  *tray,
                              const char *slot_name,
                              int         size);
GtkWidget *pd_ams_swatch_new_for_filament (const char *material,
                                           const char *color,
                                           const char *description,
                                           int         size);
PdAmsTray *pd_ams_swatch_get_tray (PdAmsSwatch *self);
gboolean   pd_ams_swatch_get_active (PdAmsSwatch *self);
void       pd_ams_swatch_set_active (PdAmsSwatch *self,
                                     gboolean     active);
void       pd_ams_swatch_set_unit_id (PdAmsSwatch *self,
                                      int          unit_id);
void       pd_ams_swatch_ring_active (GtkWidget *container,
                                      PdPrinter *printer);

G_END_DECLS
