/* pd-state-cache.h — a printer's last known state, kept across restarts
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The state is written as a report in the printer's own format, and read
 * back through the same parser as a live report: a damaged cache file is
 * just bad input, handled by the parser's rules.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pd-state.h"

G_BEGIN_DECLS

JsonNode *pd_state_to_report (PdState *state);

/* The cache's own form: the report, plus what a report cannot carry (the
 * times, whether a job or a cancel was seen) under a "printdeck" member
 * that the parser ignores.
 */
JsonNode *pd_state_to_cache (PdState *state);
PdState  *pd_state_from_cache (PdState  *state,
                               JsonNode *report,
                               gint64    now,
                               GError  **error);

G_END_DECLS
