/* pd-list-sync.h — bring a sorted GListStore in line with new data
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Compares the store's @item with the new data's element @index, in the
 * order both are sorted by: < 0 if @item sorts first, 0 if it is the same
 * entity (to be updated), > 0 if the element sorts first.
 */
typedef int (*PdSyncCompareFunc) (gpointer item,
                                  guint    index,
                                  gpointer user_data);
typedef gpointer (*PdSyncCreateFunc) (guint    index,
                                      gpointer user_data);
typedef void (*PdSyncUpdateFunc) (gpointer item,
                                  guint    index,
                                  gpointer user_data);

void _pd_list_store_sync (GListStore       *store,
                          guint             n_items,
                          PdSyncCompareFunc compare,
                          PdSyncCreateFunc  create,
                          PdSyncUpdateFunc  update,
                          gpointer          user_data);

G_END_DECLS
