/* pd-list-sync.c — bring a sorted GListStore in line with new data
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Items that stay keep their object (and so their bindings and widgets);
 * only real insertions and removals emit items-changed.
 */

#define G_LOG_DOMAIN "pd-list-sync"

#include "config.h"

#include "pd-list-sync.h"

void
_pd_list_store_sync (GListStore       *store,
                     guint             n_items,
                     PdSyncCompareFunc compare,
                     PdSyncCreateFunc  create,
                     PdSyncUpdateFunc  update,
                     gpointer          user_data)
{
  guint pos = 0;
  guint i = 0;

  g_return_if_fail (G_IS_LIST_STORE (store));

  for (;;)
    {
      guint               n_store = g_list_model_get_n_items (G_LIST_MODEL (store));
      g_autoptr (GObject) item = NULL;
      int                 cmp;

      if (pos >= n_store && i >= n_items)
        break;

      if (pos >= n_store)
        cmp = 1;
      else if (i >= n_items)
        cmp = -1;
      else
        {
          item = g_list_model_get_item (G_LIST_MODEL (store), pos);
          cmp = compare (item, i, user_data);
        }

      if (cmp < 0)
        g_list_store_remove (store, pos);
      else if (cmp > 0)
        {
          g_autoptr (GObject) created = create (i, user_data);

          g_list_store_insert (store, pos, created);
          pos++;
          i++;
        }
      else
        {
          update (item, i, user_data);
          pos++;
          i++;
        }
    }
}
