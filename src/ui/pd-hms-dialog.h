/* pd-hms-dialog.h — a printer's health warnings in detail
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_HMS_DIALOG (pd_hms_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PdHmsDialog, pd_hms_dialog, PD, HMS_DIALOG, AdwWindow)

GtkWidget *pd_hms_dialog_new (PdPrinter *printer);
PdPrinter *pd_hms_dialog_get_printer (PdHmsDialog *self);
void       pd_hms_dialog_add_toast (PdHmsDialog *self,
                                    const char  *message);

G_END_DECLS
