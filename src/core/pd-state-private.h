/* pd-state-private.h — helpers shared by the state and the report merger
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-state.h"

G_BEGIN_DECLS

void     _pd_tray_state_init (PdTrayState *tray,
                              int          slot);
void     _pd_tray_state_clear (PdTrayState *tray);
gboolean _pd_state_is_dual_nozzle (const PdState *state);
gboolean _pd_state_ams_equal      (const PdState *a,
                                   const PdState *b);
gboolean _pd_state_tray_bit_says_empty (const PdState *state,
                                        int            unit_id,
                                        int            slot);

G_END_DECLS
