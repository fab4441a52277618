/* pd-printer-dialog.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer-store.h"

G_BEGIN_DECLS

#define PD_TYPE_PRINTER_DIALOG (pd_printer_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PdPrinterDialog, pd_printer_dialog, PD, PRINTER_DIALOG, AdwWindow)

GtkWidget  *pd_printer_dialog_new_add (PdPrinterStore *store);
GtkWidget  *pd_printer_dialog_new_edit (PdPrinterStore *store,
                                        PdPrinter      *printer);

/* for the tests */
void        _pd_printer_dialog_fill (PdPrinterDialog *self,
                                     const char      *name,
                                     const char      *host,
                                     const char      *serial,
                                     const char      *access_code,
                                     guint            port);
const char *_pd_printer_dialog_get_test_result (PdPrinterDialog *self);

G_END_DECLS
