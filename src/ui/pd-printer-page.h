/* pd-printer-page.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-printer-store.h"

G_BEGIN_DECLS

#define PD_TYPE_PRINTER_PAGE (pd_printer_page_get_type ())

G_DECLARE_FINAL_TYPE (PdPrinterPage, pd_printer_page, PD, PRINTER_PAGE, GtkWidget)

void       pd_printer_page_set_store (PdPrinterPage  *self,
                                      PdPrinterStore *store);
PdPrinter *pd_printer_page_get_printer (PdPrinterPage *self);
void       pd_printer_page_set_printer (PdPrinterPage *self,
                                        PdPrinter     *printer,
                                        PdSession     *session);
void       pd_printer_page_set_humidity_thresholds (PdPrinterPage *self,
                                                    guint          fair,
                                                    guint          high);

G_END_DECLS
