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

/* Whether @data nests no deeper than @max_depth (json-glib recurses without
 * a limit: check before parsing text from the network). */
/* Whether the first value (after JSON whitespace) is an object or array:
 * json-glib 1.6 leaks the rest of a text that starts with a plain value and
 * goes on (found by fuzz-report), and every JSON we read is a container. */
gboolean pd_json_starts_with_container (const char *data,
                                        gsize       length);
gboolean pd_json_depth_within (const char *data,
                               gsize       length,
                               guint       max_depth);

/* JSON Merge Patch (RFC 7386) */
JsonNode *pd_json_merge_diff (JsonNode *from,
                              JsonNode *to);
JsonNode *pd_json_merge_apply (JsonNode *target,
                               JsonNode *patch);

G_END_DECLS
