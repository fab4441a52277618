/* pd-hms-error.h — one active HMS (health management) entry
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "pd-types.h"

G_BEGIN_DECLS

#define PD_TYPE_HMS_ERROR (pd_hms_error_get_type ())

G_DECLARE_FINAL_TYPE (PdHmsError, pd_hms_error, PD, HMS_ERROR, GObject)

const char *pd_hms_error_get_code (PdHmsError *self);
guint32     pd_hms_error_get_attr (PdHmsError *self);
guint32     pd_hms_error_get_code_word (PdHmsError *self);
PdSeverity  pd_hms_error_get_severity (PdHmsError *self);
const char *pd_hms_error_get_module (PdHmsError *self);
const char *pd_hms_error_get_description (PdHmsError *self);
const char *pd_hms_error_get_action (PdHmsError *self);
const char *pd_hms_error_get_url (PdHmsError *self);
gboolean    pd_hms_error_get_active (PdHmsError *self);

G_END_DECLS
