/* pd-search-provider.h — the printers in GNOME Shell's search
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-application.h"

G_BEGIN_DECLS

#define PD_TYPE_SEARCH_PROVIDER (pd_search_provider_get_type ())

G_DECLARE_FINAL_TYPE (PdSearchProvider, pd_search_provider, PD, SEARCH_PROVIDER, GObject)

PdSearchProvider *pd_search_provider_new (PdApplication *application);
gboolean          pd_search_provider_export (PdSearchProvider *self,
                                             GDBusConnection  *connection,
                                             const char       *object_path,
                                             GError          **error);
void              pd_search_provider_unexport (PdSearchProvider *self);

G_END_DECLS
