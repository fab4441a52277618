/* pd-text.h — small text comparisons shared by the core
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean pd_text_equal_loosely (const char *a,
                                const char *b,
                                const char *ignored);

G_END_DECLS
