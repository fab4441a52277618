/* pd-cert-policy-private.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-cert-policy.h"

G_BEGIN_DECLS

gboolean _pd_cert_policy_add_trusted_root (GBytes *der);

G_END_DECLS
