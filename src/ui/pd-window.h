/* pd-window.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-application.h"
#include "pd-printer-card.h"
#include "pd-printer-page.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_WINDOW (pd_window_get_type ())

G_DECLARE_FINAL_TYPE (PdWindow, pd_window, PD, WINDOW, AdwApplicationWindow)

PdWindow   *pd_window_new (PdApplication *application);
void        pd_window_show_printer (PdWindow  *self,
                                    PdPrinter *printer);
void        pd_window_add_toast (PdWindow   *self,
                                 const char *title);
gboolean    pd_window_get_cards_in_view (PdWindow *self);
gboolean    pd_window_get_all_cards_made (PdWindow *self);

/* for the tests */
GList         *_pd_window_get_cards     (PdWindow *self);
GtkGridView   *_pd_window_get_grid_view (PdWindow *self);
PdPrinterCard *_pd_window_find_card     (PdWindow   *self,
                                         const char *serial);
PdPrinterPage *_pd_window_get_printer_page (PdWindow *self);

G_END_DECLS
