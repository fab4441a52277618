/* pd-notifier.h — turns printer state changes into notifications
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A pure state machine: fed each printer's state (PdState) and a clock, it
 * says which notification to show, replace or take back. It never sends
 * anything itself and never reads the time: the caller passes "now" and
 * calls pd_notifier_tick() at pd_notifier_get_deadline(). Delivery (a
 * GNotification per printer and kind) is the application's business.
 */

#pragma once

#include <gio/gio.h>

#include "pd-hms-database.h"
#include "pd-state.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_NOTIFIER_DEFAULT_OFFLINE_DELAY      60       /* s */
#define PD_NOTIFIER_DEFAULT_HUMIDITY_COOLDOWN  (6 * 60) /* min */
#define PD_NOTIFIER_DEFAULT_ERROR_CLEAR_DELAY  30       /* s */
#define PD_NOTIFIER_DEFAULT_QUIET_WINDOW       (10 * 60) /* s */
#define PD_NOTIFIER_DEFAULT_FAILURE_SETTLE     5        /* s */

/**
 * PdNoticeCode:
 * @print_error: %TRUE for a print_error (then @code is it, @attr 0)
 * @attr: the HMS entry's attr
 * @code: the HMS entry's code, or the print_error
 * @severity: the HMS severity (a print_error counts as serious)
 * @is_new: it is what this notice announces (not one already shown)
 */
typedef struct
{
  gboolean   print_error;
  guint32    attr;
  guint32    code;
  PdSeverity severity;
  gboolean   is_new;
} PdNoticeCode;

/**
 * PdNoticeUnit:
 * @id: the AMS unit's id
 * @unit_type: its type, for its name
 * @percent: relative humidity in %, -1 when the unit reports a level only
 * @level: humidity level 1 (dry) … 5 (wet), -1 when not reported
 */
typedef struct
{
  int       id;
  PdAmsType unit_type;
  int       percent;
  int       level;
} PdNoticeUnit;

/**
 * PdNotice:
 * @kind: what it is about; one notification per printer and kind
 * @withdraw: %TRUE to take the notification back (no longer true)
 * @serial: the printer
 * @name: the printer's name to show (its name, model or serial)
 * @model: the printer's model id ("X1C"), for the error texts; may be %NULL
 * @alert: a new event: pop up (and play the sound, if @sound). %FALSE for a
 *   quiet update of a notification already shown
 * @sound: the user asked for a sound for this event
 * @priority: how it should be shown
 * @printing: the printer has a job under way (pause and stop make sense)
 * @back_online: (offline kind) the printer is back; replaces "offline"
 * @was_printing: (offline kind) it went offline in the middle of a print
 * @job_name: (finished, failed) the job
 * @codes: (error, failed) the errors shown: most severe first
 * @units: (humidity) the humid units
 *
 * One notification to show, replace or withdraw. Immutable, ref-counted.
 */
typedef struct
{
  PdNoticeKind          kind;
  gboolean              withdraw;
  char                 *serial;
  char                 *name;
  char                 *model;
  gboolean              alert;
  gboolean              sound;
  GNotificationPriority priority;
  gboolean              printing;
  gboolean              back_online;
  gboolean              was_printing;
  char                 *job_name;
  GArray               *codes; /* PdNoticeCode */
  GArray               *units; /* PdNoticeUnit */
} PdNotice;

#define PD_TYPE_NOTICE (pd_notice_get_type ())

GType     pd_notice_get_type (void) G_GNUC_CONST;
PdNotice *pd_notice_ref (PdNotice *notice);
void      pd_notice_unref (PdNotice *notice);
char     *pd_notice_dup_id (const PdNotice *notice);
char     *pd_notice_dup_title (const PdNotice *notice);
char     *pd_notice_dup_body (const PdNotice *notice,
                              PdHmsDatabase  *database);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdNotice, pd_notice_unref)

#define PD_TYPE_NOTIFIER (pd_notifier_get_type ())

G_DECLARE_FINAL_TYPE (PdNotifier, pd_notifier, PD, NOTIFIER, GObject)

PdNotifier *pd_notifier_new (void);

GPtrArray  *pd_notifier_update (PdNotifier *self,
                                PdState    *state,
                                gint64      now);
GPtrArray  *pd_notifier_tick (PdNotifier *self,
                              gint64      now);
gint64      pd_notifier_get_deadline (PdNotifier *self);
GPtrArray  *pd_notifier_forget (PdNotifier *self,
                                const char *serial);

GPtrArray  *pd_notifier_set_enabled (PdNotifier  *self,
                                     PdNoticeKind kind,
                                     gboolean     enabled);
gboolean    pd_notifier_get_enabled (PdNotifier  *self,
                                     PdNoticeKind kind);
GPtrArray  *pd_notifier_set_muted (PdNotifier *self,
                                   const char *serial,
                                   gboolean    muted);
gboolean    pd_notifier_get_muted (PdNotifier *self,
                                   const char *serial);
void        pd_notifier_set_sound (PdNotifier  *self,
                                   PdNoticeKind kind,
                                   gboolean     sound);
void        pd_notifier_set_min_severity (PdNotifier *self,
                                          PdSeverity  severity);
void        pd_notifier_set_offline_delay (PdNotifier *self,
                                           guint       seconds);
void        pd_notifier_set_humidity (PdNotifier *self,
                                      guint       high_percent,
                                      guint       cooldown_minutes);
void        pd_notifier_set_timing (PdNotifier *self,
                                    guint       error_clear_delay,
                                    guint       quiet_window,
                                    guint       failure_settle);

G_END_DECLS
