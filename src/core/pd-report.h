/* pd-report.h — parse printer reports and merge them into a PdState
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions: no I/O and no clock (the caller passes the time), so the
 * tests, the fuzzer, printdeck-cli and the session all share them.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pd-state.h"

G_BEGIN_DECLS

#define PD_REPORT_ERROR (pd_report_error_quark ())

typedef enum
{
  PD_REPORT_ERROR_TOO_LARGE, /* bigger than PD_REPORT_MAX_SIZE */
  PD_REPORT_ERROR_TOO_DEEP,  /* nested deeper than PD_REPORT_MAX_DEPTH */
  PD_REPORT_ERROR_INVALID_JSON,
  PD_REPORT_ERROR_NOT_A_REPORT, /* valid JSON, but no report family in it */
  PD_REPORT_ERROR_MALFORMED,    /* a container of the wrong kind or too many items */
} PdReportError;

/* A full report of a printer with 4 AMS units and an AMS HT is about 25 KiB. */
#define PD_REPORT_MAX_SIZE  (256 * 1024)
#define PD_REPORT_MAX_DEPTH 32

GQuark    pd_report_error_quark (void);

JsonNode *pd_report_parse (const char *data,
                           gssize      length,
                           GPtrArray  *warnings,
                           GError    **error);
PdState  *pd_report_merge (PdState   *state,
                           JsonNode  *report,
                           gint64     now,
                           GPtrArray *warnings,
                           GError   **error);

G_END_DECLS
