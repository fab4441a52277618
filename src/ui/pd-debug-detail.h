/* pd-debug-detail.h — one debug log message, as a tree, as text and as changes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-debug-log.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_DEBUG_DETAIL (pd_debug_detail_get_type ())

G_DECLARE_FINAL_TYPE (PdDebugDetail, pd_debug_detail, PD, DEBUG_DETAIL, GtkWidget)

GtkWidget          *pd_debug_detail_new (void);
PdDebugMessage     *pd_debug_detail_get_message (PdDebugDetail *self);
void                pd_debug_detail_set_message (PdDebugDetail  *self,
                                                 PdDebugMessage *message);
void                pd_debug_detail_set_printer (PdDebugDetail *self,
                                                 PdPrinter     *printer);

/* for the tests */
GtkTreeListModel   *_pd_debug_detail_get_tree (PdDebugDetail *self);
GtkSingleSelection *_pd_debug_detail_get_tree_selection (PdDebugDetail *self);
char               *_pd_debug_detail_dup_raw (PdDebugDetail *self);
GListModel         *_pd_debug_detail_get_changes (PdDebugDetail *self);
void                _pd_debug_detail_show (PdDebugDetail *self,
                                           const char    *view);

G_END_DECLS
