/* pd-json.h — JSON text the way people and browsers like to read it
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

char *pd_json_to_string (JsonNode *node,
                         gboolean  pretty);

G_END_DECLS
