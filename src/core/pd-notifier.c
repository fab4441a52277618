/* pd-notifier.c — turns printer state changes into notifications
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules, per printer (docs/DESIGN.md, "Notifications"):
 *
 * - Offline: only a printer seen online in this session can go offline, and
 *   only after it stayed offline for the delay (reboots and Wi-Fi blips do
 *   not notify). "Back online" replaces the offline notification, and only
 *   if one was shown; it pops up only if that one did (a printer that keeps
 *   dropping out alerts once per quiet window, coming and going).
 * - Errors: HMS entries at or above the minimum severity, and a blocking
 *   print_error, while the printer is connected. A code is "active" from
 *   when it appears until it has been absent for the clear delay, so a
 *   flapping code stays one notification; one that comes back within the
 *   quiet window after it alerted updates the notification without a new
 *   alert. When no code is active the notification is withdrawn.
 * - Finished / failed: only for a job seen under way in this session (not
 *   the state found at start). FAILED waits a few seconds: a user's stop
 *   shows as FAILED with a cancel print_error that may come a report later,
 *   and a cancel is not a failure. A new job withdraws both.
 * - Humidity: a unit that holds filament, is not drying and rates high;
 *   at most one alert per unit per cooldown; it counts as dry again 5 points
 *   under the threshold (or at level 3), so a reading that wobbles around
 *   the threshold does not flap.
 *
 * Disabled kinds and muted printers are tracked like the others, so that
 * turning them back on does not replay old events; what is shown is
 * withdrawn when they are turned off.
 */

#define G_LOG_DOMAIN "pd-notifier"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pd-ams-unit.h"
#include "pd-enum-types.h"
#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-notifier.h"

#define HUMIDITY_HYSTERESIS 5 /* percent */

/* PdNotice ----------------------------------------------------------------------*/

G_DEFINE_BOXED_TYPE (PdNotice, pd_notice, pd_notice_ref, pd_notice_unref)

/* The kind's name in notification ids and log lines */
static const char *
kind_nick (PdNoticeKind kind)
{
  switch (kind)
    {
    case PD_NOTICE_OFFLINE: return "offline";
    case PD_NOTICE_ERROR: return "error";
    case PD_NOTICE_FINISHED: return "finished";
    case PD_NOTICE_FAILED: return "failed";
    case PD_NOTICE_HUMIDITY: return "humidity";
    default: return "other";
    }
}

static void
notice_clear (PdNotice *notice)
{
  g_free (notice->serial);
  g_free (notice->name);
  g_free (notice->model);
  g_free (notice->job_name);
  g_clear_pointer (&notice->codes, g_array_unref);
  g_clear_pointer (&notice->units, g_array_unref);
}

PdNotice *
pd_notice_ref (PdNotice *notice)
{
  g_return_val_if_fail (notice != NULL, NULL);

  return g_atomic_rc_box_acquire (notice);
}

void
pd_notice_unref (PdNotice *notice)
{
  g_return_if_fail (notice != NULL);

  g_atomic_rc_box_release_full (notice, (GDestroyNotify) notice_clear);
}

/**
 * pd_notice_dup_id:
 * @notice: a notice
 *
 * Returns: the notification's id: one per printer and kind, so a new one
 *   replaces the last ("printer/SERIAL/error")
 */
char *
pd_notice_dup_id (const PdNotice *notice)
{
  g_return_val_if_fail (notice != NULL, NULL);

  return g_strdup_printf ("printer/%s/%s", notice->serial, kind_nick (notice->kind));
}

/**
 * pd_notice_dup_title:
 * @notice: a notice to show
 *
 * Returns: the notification's title, with the printer's name
 */
char *
pd_notice_dup_title (const PdNotice *notice)
{
  g_return_val_if_fail (notice != NULL, NULL);

  switch (notice->kind)
    {
    case PD_NOTICE_OFFLINE:
      if (notice->back_online)
        /* TRANSLATORS: %s is a printer's name */
        return g_strdup_printf (_("%s Is Back Online"), notice->name);
      /* TRANSLATORS: %s is a printer's name */
      return g_strdup_printf (_("%s Is Offline"), notice->name);

    case PD_NOTICE_ERROR:
      {
        PdSeverity severity = notice->codes != NULL && notice->codes->len > 0
                                ? g_array_index (notice->codes, PdNoticeCode, 0).severity
                                : PD_SEVERITY_COMMON;

        if (severity == PD_SEVERITY_FATAL)
          /* TRANSLATORS: %s is a printer's name */
          return g_strdup_printf (_("Fatal Error on %s"), notice->name);
        /* TRANSLATORS: %s is a printer's name */
        return g_strdup_printf (_("Error on %s"), notice->name);
      }

    case PD_NOTICE_FINISHED:
      /* TRANSLATORS: %s is a printer's name */
      return g_strdup_printf (_("Print Finished on %s"), notice->name);

    case PD_NOTICE_FAILED:
      /* TRANSLATORS: %s is a printer's name */
      return g_strdup_printf (_("Print Failed on %s"), notice->name);

    case PD_NOTICE_HUMIDITY:
      /* TRANSLATORS: %s is a printer's name */
      return g_strdup_printf (_("Filament Too Humid on %s"), notice->name);

    default:
      g_return_val_if_reached (g_strdup (notice->name));
    }
}

/* "0300_0100_0001_0007: The heatbed temperature is abnormal." */
static void
append_code (GString            *body,
             const PdNoticeCode *code,
             const char         *model,
             PdHmsDatabase      *database)
{
  g_autoptr (PdHmsInfo) info = NULL;
  g_autofree char      *text = NULL;

  if (database != NULL)
    info = code->print_error ? pd_hms_database_lookup_print_error (database, code->code, model)
                             : pd_hms_database_lookup_hms (database, code->attr, code->code, model);

  if (code->print_error)
    text = pd_print_error_format_code (code->code);
  else
    {
      PdHmsEntry entry = { code->attr, code->code };

      text = pd_hms_entry_format_code (&entry);
    }

  if (body->len > 0)
    g_string_append_c (body, '\n');
  if (info != NULL && info->description != NULL)
    /* TRANSLATORS: an error code, then what it means */
    g_string_append_printf (body, _("%s: %s"), text, info->description);
  else
    /* TRANSLATORS: an error code the app has no text for */
    g_string_append_printf (body, _("%s: no description available"), text);
}

/**
 * pd_notice_dup_body:
 * @notice: a notice to show
 * @database: (nullable): where error texts come from
 *
 * Returns: the notification's text
 */
char *
pd_notice_dup_body (const PdNotice *notice,
                    PdHmsDatabase  *database)
{
  g_autoptr (GString) body = g_string_new (NULL);

  g_return_val_if_fail (notice != NULL, NULL);

  switch (notice->kind)
    {
    case PD_NOTICE_OFFLINE:
      if (notice->back_online)
        g_string_append (body, _("The printer is connected again."));
      else if (notice->was_printing)
        g_string_append (body, _("The connection was lost during a print. The printer may still be printing."));
      else
        g_string_append (body, _("The printer does not answer. It may be turned off or out of the network."));
      break;

    case PD_NOTICE_ERROR:
      for (guint i = 0; notice->codes != NULL && i < notice->codes->len; i++)
        {
          /* New first: what the alert is about. */
          const PdNoticeCode *code = &g_array_index (notice->codes, PdNoticeCode, i);

          if (code->is_new)
            append_code (body, code, notice->model, database);
        }
      for (guint i = 0; notice->codes != NULL && i < notice->codes->len; i++)
        {
          const PdNoticeCode *code = &g_array_index (notice->codes, PdNoticeCode, i);

          if (!code->is_new)
            append_code (body, code, notice->model, database);
        }
      break;

    case PD_NOTICE_FINISHED:
      if (notice->job_name != NULL)
        /* TRANSLATORS: %s is the name of a print job */
        g_string_append_printf (body, _("“%s” is done."), notice->job_name);
      else
        g_string_append (body, _("The print is done."));
      break;

    case PD_NOTICE_FAILED:
      if (notice->job_name != NULL)
        /* TRANSLATORS: %s is the name of a print job */
        g_string_append_printf (body, _("“%s” stopped with an error."), notice->job_name);
      else
        g_string_append (body, _("The print stopped with an error."));
      for (guint i = 0; notice->codes != NULL && i < notice->codes->len; i++)
        append_code (body, &g_array_index (notice->codes, PdNoticeCode, i), notice->model, database);
      break;

    case PD_NOTICE_HUMIDITY:
      for (guint i = 0; notice->units != NULL && i < notice->units->len; i++)
        {
          const PdNoticeUnit *unit = &g_array_index (notice->units, PdNoticeUnit, i);
          g_autofree char    *name = pd_ams_unit_name_for (unit->id, unit->unit_type);

          if (body->len > 0)
            g_string_append_c (body, '\n');
          if (unit->percent >= 0)
            /* TRANSLATORS: an AMS unit's name ("AMS A") and its relative humidity */
            g_string_append_printf (body, _("%s: %d %% humidity. Dry the filament or replace the desiccant."),
                                    name, unit->percent);
          else
            /* TRANSLATORS: an AMS unit's name ("AMS A") and its humidity level, 1 dry … 5 wet */
            g_string_append_printf (body, _("%s: humidity level %d of 5. Dry the filament or replace the desiccant."),
                                    name, unit->level);
        }
      break;

    default:
      g_return_val_if_reached (NULL);
    }

  return g_string_free (g_steal_pointer (&body), FALSE);
}

/* Tracking ----------------------------------------------------------------------*/

typedef struct
{
  gboolean   print_error;
  guint32    attr;
  guint32    code;
  PdSeverity severity;
  gboolean   active;       /* part of the error notification */
  gboolean   present;      /* in the last connected state */
  gint64     absent_since; /* connected time it has been missing since; 0 when present */
  gint64     alerted_at;   /* 0 = never */
} CodeTrack;

typedef struct
{
  int       id;
  PdAmsType unit_type;
  int       percent;
  int       level;
  gboolean  humid;
  gint64    alerted_at; /* 0 = never */
} UnitTrack;

typedef struct
{
  char      *serial;
  PdState   *state; /* the last one given */

  /* offline */
  gboolean   seen_online;
  gint64     offline_since; /* 0 = online, or never seen online */
  gboolean   offline_notified;
  gboolean   offline_popped_up; /* the offline notification shown now alerted */
  gint64     offline_alerted_at;

  /* job */
  gboolean   baseline;   /* a connected state was seen: transitions count from here */
  gboolean   job_active; /* in the last connected state */
  char      *job_name;
  gint64     failure_due; /* FAILED seen: announce at this time unless it became a cancel */
  gint64     deadline;    /* when its timers next fire (track_deadline()); G_MAXINT64: none */

  /* errors, keyed by code */
  GArray    *codes; /* CodeTrack */

  /* humidity */
  GArray    *units; /* UnitTrack */

  /* what is shown, per kind */
  gboolean   shown[PD_N_NOTICE_KINDS];
} Track;

struct _PdNotifier
{
  GObject     parent_instance;

  GHashTable *tracks; /* serial → Track */
  GHashTable *muted;  /* serials */
  gboolean    enabled[PD_N_NOTICE_KINDS];
  gboolean    sound[PD_N_NOTICE_KINDS];
  PdSeverity  min_severity;
  gint64      offline_delay;     /* µs */
  guint       humidity_high;     /* % */
  gint64      humidity_cooldown; /* µs */
  gint64      clear_delay;       /* µs */
  gint64      quiet_window;      /* µs */
  gint64      failure_settle;    /* µs */
  gint64      deadline;          /* the earliest track's, unless deadline_dirty */
  gboolean    deadline_dirty;
};

G_DEFINE_FINAL_TYPE (PdNotifier, pd_notifier, G_TYPE_OBJECT)

static void
track_free (Track *track)
{
  g_free (track->serial);
  g_clear_pointer (&track->state, pd_state_unref);
  g_free (track->job_name);
  g_array_unref (track->codes);
  g_array_unref (track->units);
  g_free (track);
}

static Track *
lookup_track (PdNotifier *self,
              const char *serial)
{
  Track *track = g_hash_table_lookup (self->tracks, serial);

  if (track == NULL)
    {
      track = g_new0 (Track, 1);
      track->serial = g_strdup (serial);
      track->deadline = G_MAXINT64;
      track->codes = g_array_new (FALSE, TRUE, sizeof (CodeTrack));
      track->units = g_array_new (FALSE, TRUE, sizeof (UnitTrack));
      g_hash_table_insert (self->tracks, track->serial, track);
    }

  return track;
}

static const char *
display_name (PdState *state)
{
  const PdModelInfo *model;

  if (state->name != NULL && *state->name != '\0')
    return state->name;
  if ((model = pd_state_get_model (state)) != NULL)
    return model->display_name;

  return state->serial;
}

static gboolean
status_is_active (PdStatus status)
{
  return status == PD_STATUS_PRINTING || status == PD_STATUS_PAUSED || status == PD_STATUS_PREPARING;
}

static void
set_job_name (Track      *track,
              const char *name)
{
  if (g_strcmp0 (track->job_name, name) == 0)
    return;
  g_free (track->job_name);
  track->job_name = g_strdup (name);
}


static PdNotice *
notice_new (Track       *track,
            PdNoticeKind kind)
{
  PdNotice          *notice = g_atomic_rc_box_new0 (PdNotice);
  const PdModelInfo *model = track->state != NULL ? pd_state_get_model (track->state) : NULL;

  notice->kind = kind;
  notice->serial = g_strdup (track->serial);
  notice->name = g_strdup (track->state != NULL ? display_name (track->state) : track->serial);
  notice->model = g_strdup (model != NULL ? model->id : NULL);
  notice->priority = G_NOTIFICATION_PRIORITY_NORMAL;
  notice->printing = track->state != NULL &&
                     track->state->connection == PD_CONNECTION_CONNECTED &&
                     status_is_active (pd_state_get_status (track->state));

  return notice;
}

/* Hands @notice (owned) to @out, unless its kind is off or the printer muted:
 * then a new notification is dropped (the tracking already counted it) and
 * only the withdrawal of one that is shown goes out.
 */
static void
emit (PdNotifier *self,
      Track      *track,
      PdNotice   *notice,
      GPtrArray  *out)
{
  gboolean allowed = self->enabled[notice->kind] && !g_hash_table_contains (self->muted, track->serial);

  if (notice->withdraw)
    {
      if (!track->shown[notice->kind])
        {
          pd_notice_unref (notice);
          return;
        }
      track->shown[notice->kind] = FALSE;
    }
  else
    {
      if (!allowed)
        {
          g_debug ("%s: %s not shown (off or muted)", track->serial,
                   kind_nick (notice->kind));
          pd_notice_unref (notice);
          return;
        }
      /* Of the errors, only a fatal one rings. */
      notice->sound = notice->alert && self->sound[notice->kind] &&
                      (notice->kind != PD_NOTICE_ERROR || notice->priority == G_NOTIFICATION_PRIORITY_URGENT);
      track->shown[notice->kind] = TRUE;
    }

  g_debug ("%s: %s %s%s", track->serial,
           notice->withdraw ? "withdraw" : notice->alert ? "show" : "update",
           kind_nick (notice->kind),
           notice->back_online ? " (back online)" : "");
  g_ptr_array_add (out, notice);
}

static void
withdraw (PdNotifier  *self,
          Track       *track,
          PdNoticeKind kind,
          GPtrArray   *out)
{
  PdNotice *notice;

  if (!track->shown[kind])
    return;

  notice = notice_new (track, kind);
  notice->withdraw = TRUE;
  emit (self, track, notice, out);
}

/* Offline -----------------------------------------------------------------------*/

static void
update_offline (PdNotifier *self,
                Track      *track,
                gboolean    online,
                gint64      now,
                GPtrArray  *out)
{
  if (online)
    {
      track->seen_online = TRUE;
      if (track->offline_since == 0)
        return;

      track->offline_since = 0;
      if (track->offline_notified)
        {
          PdNotice *notice = notice_new (track, PD_NOTICE_OFFLINE);

          track->offline_notified = FALSE;
          notice->back_online = TRUE;
          /* Only after an "offline" that popped up: one that was updated
           * quietly (a printer that keeps dropping out) comes back quietly
           * too, or every return would pop up. */
          notice->alert = track->offline_popped_up;
          notice->priority = G_NOTIFICATION_PRIORITY_LOW;
          emit (self, track, notice, out);
        }
      return;
    }

  if (track->seen_online && track->offline_since == 0)
    track->offline_since = now;
}

static void
tick_offline (PdNotifier *self,
              Track      *track,
              gint64      now,
              GPtrArray  *out)
{
  PdNotice *notice;

  if (track->offline_since == 0 || track->offline_notified || now - track->offline_since < self->offline_delay)
    return;

  track->offline_notified = TRUE;
  notice = notice_new (track, PD_NOTICE_OFFLINE);
  notice->was_printing = track->job_active;
  notice->priority = track->job_active ? G_NOTIFICATION_PRIORITY_HIGH : G_NOTIFICATION_PRIORITY_NORMAL;
  /* A printer that keeps dropping out alerts once per quiet window. */
  notice->alert = track->offline_alerted_at == 0 || now - track->offline_alerted_at >= self->quiet_window;
  if (notice->alert)
    track->offline_alerted_at = now;
  track->offline_popped_up = notice->alert;
  emit (self, track, notice, out);
}

/* Errors ------------------------------------------------------------------------*/

static CodeTrack *
find_code (Track   *track,
           gboolean print_error,
           guint32  attr,
           guint32  code)
{
  for (guint i = 0; i < track->codes->len; i++)
    {
      CodeTrack *c = &g_array_index (track->codes, CodeTrack, i);

      if (c->print_error == print_error && c->attr == attr && c->code == code)
        return c;
    }

  return NULL;
}

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  const PdNoticeCode *ca = a, *cb = b;

  if (ca->severity != cb->severity)
    return ca->severity > cb->severity ? -1 : 1;
  if (ca->print_error != cb->print_error)
    return ca->print_error ? -1 : 1;
  if (ca->attr != cb->attr)
    return ca->attr < cb->attr ? -1 : 1;
  if (ca->code != cb->code)
    return ca->code < cb->code ? -1 : 1;

  return 0;
}

static GArray *
active_codes (Track   *track,
              gboolean mark_new,
              gint64   now)
{
  GArray *codes = g_array_new (FALSE, TRUE, sizeof (PdNoticeCode));

  for (guint i = 0; i < track->codes->len; i++)
    {
      CodeTrack   *c = &g_array_index (track->codes, CodeTrack, i);
      PdNoticeCode code = { c->print_error, c->attr, c->code, c->severity, FALSE };

      if (!c->active)
        continue;
      code.is_new = mark_new && c->alerted_at == now;
      g_array_append_val (codes, code);
    }
  g_array_sort (codes, compare_codes);

  return codes;
}

/* Shows, updates or withdraws the error notification after the active set
 * changed. @alert: a code became active that may alert.
 */
static void
publish_errors (PdNotifier *self,
                Track      *track,
                gboolean    alert,
                gint64      now,
                GPtrArray  *out)
{
  g_autoptr (GArray) codes = active_codes (track, alert, now);
  PdNotice          *notice;

  if (codes->len == 0)
    {
      withdraw (self, track, PD_NOTICE_ERROR, out);
      return;
    }

  notice = notice_new (track, PD_NOTICE_ERROR);
  notice->alert = alert;
  notice->priority = g_array_index (codes, PdNoticeCode, 0).severity == PD_SEVERITY_FATAL
                       ? G_NOTIFICATION_PRIORITY_URGENT
                       : G_NOTIFICATION_PRIORITY_HIGH;
  if (!alert)
    notice->priority = G_NOTIFICATION_PRIORITY_LOW;
  notice->codes = g_steal_pointer (&codes);
  emit (self, track, notice, out);
}

static void
see_code (PdNotifier *self,
          Track      *track,
          gboolean    print_error,
          guint32     attr,
          guint32     code,
          PdSeverity  severity,
          gint64      now,
          gboolean   *changed,
          gboolean   *alert)
{
  CodeTrack *c = find_code (track, print_error, attr, code);

  if (severity < self->min_severity)
    return;

  if (c == NULL)
    {
      CodeTrack fresh = { print_error, attr, code, severity, FALSE, FALSE, 0, 0 };

      g_array_append_val (track->codes, fresh);
      c = &g_array_index (track->codes, CodeTrack, track->codes->len - 1);
    }

  c->present = TRUE;
  c->absent_since = 0;
  if (c->active)
    return;

  c->active = TRUE;
  *changed = TRUE;
  /* Back within the quiet window after it alerted: a flapping code. */
  if (c->alerted_at == 0 || now - c->alerted_at >= self->quiet_window)
    {
      c->alerted_at = now;
      *alert = TRUE;
    }
}

static void
update_errors (PdNotifier *self,
               Track      *track,
               PdState    *state,
               gint64      now,
               GPtrArray  *out)
{
  gboolean changed = FALSE, alert = FALSE;
  guint32  print_error = pd_state_get_print_error (state);

  for (guint i = 0; i < track->codes->len; i++)
    g_array_index (track->codes, CodeTrack, i).present = FALSE;

  for (guint i = 0; i < state->n_hms; i++)
    see_code (self, track, FALSE, state->hms[i].attr, state->hms[i].code,
              pd_hms_entry_get_severity (&state->hms[i]), now, &changed, &alert);
  /* The printer stops and shows it in a dialog: as serious as HMS gets
   * without being fatal.
   */
  if (print_error != 0)
    see_code (self, track, TRUE, 0, print_error, PD_SEVERITY_SERIOUS, now, &changed, &alert);

  for (guint i = 0; i < track->codes->len; i++)
    {
      CodeTrack *c = &g_array_index (track->codes, CodeTrack, i);

      if (!c->present && c->absent_since == 0)
        c->absent_since = now;
    }

  if (changed)
    publish_errors (self, track, alert, now, out);
}

/* Codes gone for the clear delay leave the notification. Forgotten
 * altogether once the quiet window is over too.
 */
static void
tick_errors (PdNotifier *self,
             Track      *track,
             gint64      now,
             GPtrArray  *out)
{
  gboolean changed = FALSE;

  for (guint i = track->codes->len; i-- > 0;)
    {
      CodeTrack *c = &g_array_index (track->codes, CodeTrack, i);

      if (c->present || c->absent_since == 0 || now - c->absent_since < self->clear_delay)
        continue;
      if (c->active)
        {
          c->active = FALSE;
          changed = TRUE;
        }
      if (c->alerted_at == 0 || now - c->alerted_at >= self->quiet_window)
        g_array_remove_index (track->codes, i);
    }

  if (changed)
    publish_errors (self, track, FALSE, now, out);
}

/* While the printer is away nothing is known: a missing code is not gone. */
static void
pause_errors (Track *track)
{
  for (guint i = 0; i < track->codes->len; i++)
    g_array_index (track->codes, CodeTrack, i).absent_since = 0;
}

/* Jobs --------------------------------------------------------------------------*/

static GArray *
failure_codes (PdState *state)
{
  GArray  *codes = g_array_new (FALSE, TRUE, sizeof (PdNoticeCode));
  guint32  print_error = pd_state_get_print_error (state);

  if (print_error != 0)
    {
      PdNoticeCode code = { TRUE, 0, print_error, PD_SEVERITY_SERIOUS, TRUE };

      g_array_append_val (codes, code);
    }
  for (guint i = 0; i < state->n_hms; i++)
    {
      PdNoticeCode code = { FALSE, state->hms[i].attr, state->hms[i].code,
                            pd_hms_entry_get_severity (&state->hms[i]), TRUE };

      if (code.severity >= PD_SEVERITY_COMMON)
        g_array_append_val (codes, code);
    }
  g_array_sort (codes, compare_codes);

  return codes;
}

static void
announce_failure (PdNotifier *self,
                  Track      *track,
                  GPtrArray  *out)
{
  PdNotice *notice = notice_new (track, PD_NOTICE_FAILED);

  notice->alert = TRUE;
  notice->priority = G_NOTIFICATION_PRIORITY_HIGH;
  notice->job_name = g_strdup (track->job_name);
  notice->codes = failure_codes (track->state);
  emit (self, track, notice, out);
}

static void
update_job (PdNotifier *self,
            Track      *track,
            PdState    *state,
            gint64      now,
            GPtrArray  *out)
{
  PdStatus status = pd_state_get_status (state);
  gboolean active = status_is_active (status);
  gboolean was_active = track->job_active;

  /* The state found at the start (or a cached one) is no event. */
  if (!track->baseline)
    {
      track->baseline = TRUE;
      track->job_active = active;
      if (active)
        set_job_name (track, state->job_name);
      return;
    }

  if (active)
    {
      if (!was_active)
        {
          /* A new job: the last one's outcome is old news. */
          withdraw (self, track, PD_NOTICE_FINISHED, out);
          withdraw (self, track, PD_NOTICE_FAILED, out);
          track->failure_due = 0;
        }
      track->job_active = TRUE;
      if (state->job_name != NULL)
        set_job_name (track, state->job_name);
      return;
    }

  /* A pending failure that turned out to be the user's stop. */
  if (track->failure_due != 0 && status != PD_STATUS_FAILED)
    {
      g_debug ("%s: the failure was a cancel", track->serial);
      track->failure_due = 0;
    }

  if (!was_active)
    return;
  track->job_active = FALSE;

  if (status == PD_STATUS_FINISHED)
    {
      PdNotice *notice = notice_new (track, PD_NOTICE_FINISHED);

      notice->alert = TRUE;
      notice->job_name = g_strdup (track->job_name);
      emit (self, track, notice, out);
    }
  else if (status == PD_STATUS_FAILED)
    {
      track->failure_due = now + self->failure_settle;
      if (self->failure_settle == 0)
        {
          track->failure_due = 0;
          announce_failure (self, track, out);
        }
    }
  else
    /* CANCELLED is the user's stop; IDLE straight from a job is a stop
     * from the slicer: neither is a failure.
     */
    g_debug ("%s: the job ended as %s", track->serial, pd_status_to_string (status));
}

static void
tick_job (PdNotifier *self,
          Track      *track,
          gint64      now,
          GPtrArray  *out)
{
  if (track->failure_due == 0 || now < track->failure_due)
    return;

  track->failure_due = 0;
  if (pd_state_get_status (track->state) == PD_STATUS_FAILED)
    announce_failure (self, track, out);
}

/* Humidity ----------------------------------------------------------------------*/

static UnitTrack *
find_unit (Track *track,
           int    id)
{
  for (guint i = 0; i < track->units->len; i++)
    if (g_array_index (track->units, UnitTrack, i).id == id)
      return &g_array_index (track->units, UnitTrack, i);

  return NULL;
}

static gboolean
unit_is_humid (PdNotifier           *self,
               PdState              *state,
               const PdAmsUnitState *unit,
               gboolean              was_humid)
{
  int        level = pd_state_get_humidity_level (unit);
  int        percent = unit->humidity_raw;
  guint      high = self->humidity_high;
  PdHumidity rating;

  if (!pd_state_get_unit_holds_filament (state, unit) || pd_state_get_unit_is_drying (state, unit))
    return FALSE;

  /* Humid until clearly dry again. */
  if (was_humid && percent >= 0)
    high = high > HUMIDITY_HYSTERESIS ? high - HUMIDITY_HYSTERESIS : 0;

  rating = pd_humidity_rate (percent, level, high, high);
  return rating == PD_HUMIDITY_HIGH;
}

static void
update_humidity (PdNotifier *self,
                 Track      *track,
                 PdState    *state,
                 gint64      now,
                 GPtrArray  *out)
{
  g_autoptr (GArray) humid = g_array_new (FALSE, TRUE, sizeof (PdNoticeUnit));
  gboolean           alert = FALSE, changed = FALSE;
  PdNotice          *notice;

  for (guint i = 0; i < track->units->len; i++)
    {
      UnitTrack *u = &g_array_index (track->units, UnitTrack, i);
      gboolean   still_there = FALSE;

      for (guint j = 0; j < state->n_units && !still_there; j++)
        still_there = state->units[j].id == u->id;
      if (!still_there && u->humid)
        {
          u->humid = FALSE;
          changed = TRUE;
        }
    }

  for (guint i = 0; i < state->n_units; i++)
    {
      const PdAmsUnitState *unit = &state->units[i];
      UnitTrack            *u = find_unit (track, unit->id);
      gboolean              humid_now;

      if (u == NULL)
        {
          UnitTrack fresh = { unit->id, PD_AMS_TYPE_UNKNOWN, -1, -1, FALSE, 0 };

          g_array_append_val (track->units, fresh);
          u = &g_array_index (track->units, UnitTrack, track->units->len - 1);
        }
      u->unit_type = pd_state_get_unit_type (state, unit);
      u->percent = unit->humidity_raw;
      u->level = pd_state_get_humidity_level (unit);

      humid_now = unit_is_humid (self, state, unit, u->humid);
      if (humid_now != u->humid)
        {
          u->humid = humid_now;
          changed = TRUE;
          if (humid_now && (u->alerted_at == 0 || now - u->alerted_at >= self->humidity_cooldown))
            {
              u->alerted_at = now;
              alert = TRUE;
            }
        }
    }

  if (!changed)
    return;

  for (guint i = 0; i < track->units->len; i++)
    {
      UnitTrack   *u = &g_array_index (track->units, UnitTrack, i);
      PdNoticeUnit unit = { u->id, u->unit_type, u->percent, u->level };

      if (u->humid)
        g_array_append_val (humid, unit);
    }

  if (humid->len == 0)
    {
      withdraw (self, track, PD_NOTICE_HUMIDITY, out);
      return;
    }

  /* Within the cooldown a unit that is humid again says nothing new. */
  notice = notice_new (track, PD_NOTICE_HUMIDITY);
  notice->alert = alert;
  notice->priority = alert ? G_NOTIFICATION_PRIORITY_NORMAL : G_NOTIFICATION_PRIORITY_LOW;
  notice->units = g_steal_pointer (&humid);
  emit (self, track, notice, out);
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_notifier_finalize (GObject *object)
{
  PdNotifier *self = PD_NOTIFIER (object);

  g_hash_table_unref (self->tracks);
  g_hash_table_unref (self->muted);

  G_OBJECT_CLASS (pd_notifier_parent_class)->finalize (object);
}

static void
pd_notifier_class_init (PdNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pd_notifier_finalize;
}

static void
pd_notifier_init (PdNotifier *self)
{
  self->tracks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) track_free);
  self->muted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < PD_N_NOTICE_KINDS; i++)
    self->enabled[i] = TRUE;
  self->sound[PD_NOTICE_ERROR] = TRUE;
  self->min_severity = PD_SEVERITY_SERIOUS;
  self->offline_delay = PD_NOTIFIER_DEFAULT_OFFLINE_DELAY * G_USEC_PER_SEC;
  self->humidity_high = PD_HUMIDITY_DEFAULT_HIGH;
  self->humidity_cooldown = (gint64) PD_NOTIFIER_DEFAULT_HUMIDITY_COOLDOWN * 60 * G_USEC_PER_SEC;
  self->clear_delay = PD_NOTIFIER_DEFAULT_ERROR_CLEAR_DELAY * G_USEC_PER_SEC;
  self->quiet_window = PD_NOTIFIER_DEFAULT_QUIET_WINDOW * G_USEC_PER_SEC;
  self->deadline = G_MAXINT64;
  self->failure_settle = PD_NOTIFIER_DEFAULT_FAILURE_SETTLE * G_USEC_PER_SEC;
}

/* API ---------------------------------------------------------------------------*/

PdNotifier *
pd_notifier_new (void)
{
  return g_object_new (PD_TYPE_NOTIFIER, NULL);
}

static GPtrArray *
new_out (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) pd_notice_unref);
}

/* When pd_notifier_tick() has something to do for @track */
static gint64
track_deadline (PdNotifier *self,
                Track      *track)
{
  gint64 deadline = G_MAXINT64;

  if (track->offline_since != 0 && !track->offline_notified)
    deadline = MIN (deadline, track->offline_since + self->offline_delay);
  if (track->failure_due != 0)
    deadline = MIN (deadline, track->failure_due);
  for (guint i = 0; i < track->codes->len; i++)
    {
      CodeTrack *c = &g_array_index (track->codes, CodeTrack, i);

      if (c->present || c->absent_since == 0)
        continue;
      if (c->active)
        deadline = MIN (deadline, c->absent_since + self->clear_delay);
      else
        deadline = MIN (deadline, MAX (c->absent_since + self->clear_delay, c->alerted_at + self->quiet_window));
    }

  return deadline;
}

/* Every track's deadline again, and the earliest */
static void
refresh_deadlines (PdNotifier *self)
{
  GHashTableIter iter;
  gpointer       value;

  self->deadline = G_MAXINT64;
  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Track *track = value;

      track->deadline = track_deadline (self, track);
      self->deadline = MIN (self->deadline, track->deadline);
    }
  self->deadline_dirty = FALSE;
}

/* One track changed: the earliest deadline follows without a walk over
 * every printer (an update per report, 100 printers: no quadratic cost),
 * unless the track that had it moved it later.
 */
static void
refresh_track_deadline (PdNotifier *self,
                        Track      *track)
{
  gint64 before = track->deadline;

  track->deadline = track_deadline (self, track);
  if (track->deadline <= self->deadline)
    self->deadline = track->deadline;
  else if (before == self->deadline)
    self->deadline_dirty = TRUE;
}

static void
tick_track (PdNotifier *self,
            Track      *track,
            gint64      now,
            GPtrArray  *out)
{
  tick_offline (self, track, now, out);
  tick_errors (self, track, now, out);
  tick_job (self, track, now, out);
}

/**
 * pd_notifier_update:
 * @self: a notifier
 * @state: a printer's new state
 * @now: the time, in µs of a monotonic clock (g_get_monotonic_time())
 *
 * Takes in a printer's state. Feed every state, or at least every state
 * whose connection, status, HMS, print_error or AMS changed.
 *
 * Returns: (transfer container) (element-type PdNotice): what to show or
 *   withdraw, in order; often empty
 */
GPtrArray *
pd_notifier_update (PdNotifier *self,
                    PdState    *state,
                    gint64      now)
{
  GPtrArray *out = new_out ();
  Track     *track;
  gboolean   online;

  g_return_val_if_fail (PD_IS_NOTIFIER (self), out);
  g_return_val_if_fail (state != NULL && state->serial != NULL, out);

  /* Reports read from a file watch nothing. */
  if (state->connection == PD_CONNECTION_NONE)
    return out;

  track = lookup_track (self, state->serial);
  if (track->state != state)
    {
      g_clear_pointer (&track->state, pd_state_unref);
      track->state = pd_state_ref (state);
    }

  online = state->connection == PD_CONNECTION_CONNECTED;
  update_offline (self, track, online, now, out);
  if (online)
    {
      update_job (self, track, state, now, out);
      update_errors (self, track, state, now, out);
      update_humidity (self, track, state, now, out);
    }
  else
    pause_errors (track);

  tick_track (self, track, now, out);
  refresh_track_deadline (self, track);

  return out;
}

/**
 * pd_notifier_tick:
 * @self: a notifier
 * @now: the time, in µs of the clock given to pd_notifier_update()
 *
 * Lets time pass: offline delays, cleared errors, a failure that was not a
 * cancel after all.
 *
 * Returns: (transfer container) (element-type PdNotice): what to show or
 *   withdraw
 */
GPtrArray *
pd_notifier_tick (PdNotifier *self,
                  gint64      now)
{
  GPtrArray     *out = new_out ();
  GHashTableIter iter;
  gpointer       track;

  g_return_val_if_fail (PD_IS_NOTIFIER (self), out);

  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, &track))
    tick_track (self, track, now, out);
  refresh_deadlines (self);

  return out;
}

/**
 * pd_notifier_get_deadline:
 * @self: a notifier
 *
 * Returns: when pd_notifier_tick() has something to do, in the clock of
 *   the updates; %G_MAXINT64 when nothing waits
 */
gint64
pd_notifier_get_deadline (PdNotifier *self)
{
  g_return_val_if_fail (PD_IS_NOTIFIER (self), G_MAXINT64);

  if (self->deadline_dirty)
    refresh_deadlines (self);

  return self->deadline;
}

/**
 * pd_notifier_forget:
 * @self: a notifier
 * @serial: a printer that was removed
 *
 * Returns: (transfer container) (element-type PdNotice): the withdrawal of
 *   each of its notifications that is shown
 */
GPtrArray *
pd_notifier_forget (PdNotifier *self,
                    const char *serial)
{
  GPtrArray *out = new_out ();
  Track     *track;

  g_return_val_if_fail (PD_IS_NOTIFIER (self), out);
  g_return_val_if_fail (serial != NULL, out);

  if ((track = g_hash_table_lookup (self->tracks, serial)) == NULL)
    return out;

  for (guint kind = 0; kind < PD_N_NOTICE_KINDS; kind++)
    withdraw (self, track, kind, out);
  g_hash_table_remove (self->tracks, serial);
  self->deadline_dirty = TRUE;

  return out;
}

/**
 * pd_notifier_set_enabled:
 * @self: a notifier
 * @kind: a kind of event
 * @enabled: whether it notifies
 *
 * Returns: (transfer container) (element-type PdNotice): when turned off,
 *   the withdrawal of those shown
 */
GPtrArray *
pd_notifier_set_enabled (PdNotifier  *self,
                         PdNoticeKind kind,
                         gboolean     enabled)
{
  GPtrArray     *out = new_out ();
  GHashTableIter iter;
  gpointer       track;

  g_return_val_if_fail (PD_IS_NOTIFIER (self), out);
  g_return_val_if_fail (kind < PD_N_NOTICE_KINDS, out);

  self->enabled[kind] = !!enabled;
  if (enabled)
    return out;

  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, &track))
    withdraw (self, track, kind, out);

  return out;
}

gboolean
pd_notifier_get_enabled (PdNotifier  *self,
                         PdNoticeKind kind)
{
  g_return_val_if_fail (PD_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (kind < PD_N_NOTICE_KINDS, FALSE);

  return self->enabled[kind];
}

/**
 * pd_notifier_set_muted:
 * @self: a notifier
 * @serial: a printer
 * @muted: whether it stays silent
 *
 * Returns: (transfer container) (element-type PdNotice): when muted, the
 *   withdrawal of its notifications that are shown
 */
GPtrArray *
pd_notifier_set_muted (PdNotifier *self,
                       const char *serial,
                       gboolean    muted)
{
  GPtrArray *out = new_out ();
  Track     *track;

  g_return_val_if_fail (PD_IS_NOTIFIER (self), out);
  g_return_val_if_fail (serial != NULL, out);

  if (!muted)
    {
      g_hash_table_remove (self->muted, serial);
      return out;
    }

  g_hash_table_add (self->muted, g_strdup (serial));
  if ((track = g_hash_table_lookup (self->tracks, serial)) != NULL)
    for (guint kind = 0; kind < PD_N_NOTICE_KINDS; kind++)
      withdraw (self, track, kind, out);

  return out;
}

gboolean
pd_notifier_get_muted (PdNotifier *self,
                       const char *serial)
{
  g_return_val_if_fail (PD_IS_NOTIFIER (self), FALSE);

  return serial != NULL && g_hash_table_contains (self->muted, serial);
}

/**
 * pd_notifier_set_sound:
 * @self: a notifier
 * @kind: %PD_NOTICE_ERROR (fatal errors only) or %PD_NOTICE_FINISHED
 * @sound: whether its alerts ask for a sound
 */
void
pd_notifier_set_sound (PdNotifier  *self,
                       PdNoticeKind kind,
                       gboolean     sound)
{
  g_return_if_fail (PD_IS_NOTIFIER (self));
  g_return_if_fail (kind < PD_N_NOTICE_KINDS);

  self->sound[kind] = !!sound;
}

/**
 * pd_notifier_set_min_severity:
 * @self: a notifier
 * @severity: HMS errors below it do not notify (default: serious)
 */
void
pd_notifier_set_min_severity (PdNotifier *self,
                              PdSeverity  severity)
{
  g_return_if_fail (PD_IS_NOTIFIER (self));

  self->min_severity = CLAMP (severity, PD_SEVERITY_INFO, PD_SEVERITY_FATAL);
}

/**
 * pd_notifier_set_offline_delay:
 * @self: a notifier
 * @seconds: how long a printer must stay offline before it notifies
 */
void
pd_notifier_set_offline_delay (PdNotifier *self,
                               guint       seconds)
{
  g_return_if_fail (PD_IS_NOTIFIER (self));

  self->offline_delay = (gint64) seconds * G_USEC_PER_SEC;
  self->deadline_dirty = TRUE;
}

/**
 * pd_notifier_set_humidity:
 * @self: a notifier
 * @high_percent: above this relative humidity a unit is too humid
 * @cooldown_minutes: the least time between two alerts for one unit
 */
void
pd_notifier_set_humidity (PdNotifier *self,
                          guint       high_percent,
                          guint       cooldown_minutes)
{
  g_return_if_fail (PD_IS_NOTIFIER (self));

  self->humidity_high = high_percent;
  self->humidity_cooldown = (gint64) cooldown_minutes * 60 * G_USEC_PER_SEC;
}

/**
 * pd_notifier_set_timing:
 * @self: a notifier
 * @error_clear_delay: seconds an error must be gone before it leaves the
 *   notification
 * @quiet_window: seconds in which the same error or offline printer does
 *   not alert twice
 * @failure_settle: seconds a FAILED print waits to see whether it was a
 *   cancel
 */
void
pd_notifier_set_timing (PdNotifier *self,
                        guint       error_clear_delay,
                        guint       quiet_window,
                        guint       failure_settle)
{
  g_return_if_fail (PD_IS_NOTIFIER (self));

  self->clear_delay = (gint64) error_clear_delay * G_USEC_PER_SEC;
  self->quiet_window = (gint64) quiet_window * G_USEC_PER_SEC;
  self->failure_settle = (gint64) failure_settle * G_USEC_PER_SEC;
  self->deadline_dirty = TRUE;
}
