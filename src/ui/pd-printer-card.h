/* pd-printer-card.h — one printer at a glance
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_PRINTER_CARD (pd_printer_card_get_type ())

G_DECLARE_FINAL_TYPE (PdPrinterCard, pd_printer_card, PD, PRINTER_CARD, GtkWidget)

GtkWidget *pd_printer_card_new (PdPrinter *printer);
PdPrinter *pd_printer_card_get_printer (PdPrinterCard *self);
void       pd_printer_card_set_printer (PdPrinterCard *self,
                                        PdPrinter     *printer);
void       pd_printer_card_set_in_view (PdPrinterCard *self,
                                        gboolean       in_view);
gboolean   pd_printer_card_get_in_view (PdPrinterCard *self);
char      *pd_printer_card_describe (PdPrinterCard *self);
guint      _pd_printer_card_get_n_updates (PdPrinterCard *self);
gboolean   _pd_printer_card_is_behind     (PdPrinterCard *self);
void       pd_printer_card_set_humidity_thresholds (PdPrinterCard *self,
                                                    guint          fair,
                                                    guint          high);

G_END_DECLS
