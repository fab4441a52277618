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
#include "pd-hms-database.h"
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

/* The property setters of the printer's objects: each assigns the field and
 * notifies only when the value really changed.
 */
#define _PD_UPDATE(object, field, value, pspec)                \
  G_STMT_START                                                 \
  {                                                            \
    if ((field) != (value))                                    \
      {                                                        \
        (field) = (value);                                     \
        g_object_notify_by_pspec (G_OBJECT (object), (pspec)); \
      }                                                        \
  }                                                            \
  G_STMT_END

static inline void
_pd_update_double (gpointer    object,
                   double     *field,
                   double      value,
                   GParamSpec *pspec)
{
  if (_pd_double_equal (*field, value))
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
}

static inline void
_pd_update_string (gpointer    object,
                   char      **field,
                   const char *value,
                   GParamSpec *pspec)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (object), pspec);
}

PdTemperature *_pd_temperature_new (void);
void           _pd_temperature_update (PdTemperature *self,
                                       const PdTemp  *temp);

PdJob         *_pd_job_new (void);
void           _pd_job_update (PdJob         *self,
                               const PdState *state);
gboolean       _pd_job_set_details (PdJob             *self,
                                    PdJobDetailsStatus status,
                                    PdJobDetails      *details,
                                    const char        *message);

PdHmsError    *_pd_hms_error_new (const PdHmsEntry *entry,
                                  const char       *model);
void           _pd_hms_error_describe (PdHmsError    *self,
                                       PdHmsDatabase *database,
                                       const char    *model);
void           _pd_hms_error_set_cleared_at (PdHmsError *self,
                                             gint64      now);
gint64         _pd_hms_error_get_cleared_at (PdHmsError *self);
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
