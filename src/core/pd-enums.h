/* pd-enums.h — names and labels of the shared enumerations
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each enumeration has a stable machine name (the state document, the mirror,
 * the CLI) and a translated label (what a person reads).
 */

#pragma once

#include "pd-types.h"

G_BEGIN_DECLS

const char *pd_connection_to_string (PdConnection connection);
const char *pd_connection_to_label (PdConnection connection);
const char *pd_status_to_string (PdStatus status);
const char *pd_status_to_label (PdStatus status);
const char *pd_severity_to_string (PdSeverity severity);
const char *pd_severity_to_label (PdSeverity severity);
const char *pd_ams_type_to_string (PdAmsType type);
const char *pd_ams_type_to_label (PdAmsType type);
const char *pd_camera_kind_to_string (PdCameraKind kind);
const char *pd_stage_to_label (int stage_id);
const char *pd_hms_module_to_label (guint module_id);
const char *pd_session_reason_to_string (PdSessionReason reason);
const char *pd_session_reason_to_label (PdSessionReason reason);

G_END_DECLS
