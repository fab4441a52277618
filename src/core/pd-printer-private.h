/* pd-printer-private.h — how the printer updates the objects it owns
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printer's child objects are read-only views: only PdPrinter changes
 * them, from a new PdState, through these functions.
 */

#pragma once

#include <math.h>

#include "pd-ams-tray.h"
#include "pd-ams-unit.h"
#include "pd-enum-types.h"
#include "pd-hms-error.h"
#include "pd-job.h"
#include "pd-printer.h"
#include "pd-state.h"
#include "pd-temperature.h"

G_BEGIN_DECLS

/* Equal, with "not known" (NAN) equal to itself. */
static inline gboolean
_pd_double_equal (double a,
                  double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

/* Sets a string field; TRUE if it changed. */
static inline gboolean
_pd_set_string (char      **field,
                const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

PdTemperature *_pd_temperature_new (void);
void           _pd_temperature_update (PdTemperature *self,
                                       const PdTemp  *temp);

PdJob         *_pd_job_new (void);
void           _pd_job_update (PdJob         *self,
                               const PdState *state);

PdHmsError    *_pd_hms_error_new (const PdHmsEntry *entry,
                                  const char       *serial);
gboolean       _pd_hms_error_matches (PdHmsError       *self,
                                      const PdHmsEntry *entry);

PdAmsTray     *_pd_ams_tray_new (int slot);
void           _pd_ams_tray_update (PdAmsTray            *self,
                                    const PdState        *state,
                                    const PdAmsUnitState *unit,
                                    const PdTrayState    *tray);
void           _pd_ams_trays_sync (GListStore           *store,
                                   const PdState        *state,
                                   const PdAmsUnitState *unit,
                                   const PdTrayState    *trays,
                                   guint                 n_trays);

PdAmsUnit     *_pd_ams_unit_new (int id);
void           _pd_ams_unit_update (PdAmsUnit            *self,
                                    const PdState        *state,
                                    const PdAmsUnitState *unit);

G_END_DECLS
