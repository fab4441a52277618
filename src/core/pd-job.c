/* pd-job.c — the printer's current (or last) job
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-job"

#include "config.h"

#include "pd-printer-private.h"

struct _PdJob
{
  GObject parent_instance;

  char   *name;
  int     progress;
  int     layer;
  int     total_layers;
  int     remaining_minutes;
  gint64  finish_time;
  double  grams_total;
  double  grams_used;

  PdJobDetailsStatus details_status;
  PdJobDetails      *details;
  char              *details_message;
};

G_DEFINE_FINAL_TYPE (PdJob, pd_job, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_PROGRESS,
  PROP_LAYER,
  PROP_TOTAL_LAYERS,
  PROP_REMAINING_MINUTES,
  PROP_FINISH_TIME,
  PROP_FILAMENT_GRAMS_TOTAL,
  PROP_FILAMENT_GRAMS_USED,
  PROP_DETAILS_STATUS,
  PROP_DETAILS,
  PROP_DETAILS_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pd_job_finalize (GObject *object)
{
  PdJob *self = PD_JOB (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->details, pd_job_details_unref);
  g_clear_pointer (&self->details_message, g_free);

  G_OBJECT_CLASS (pd_job_parent_class)->finalize (object);
}

static void
pd_job_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  PdJob *self = PD_JOB (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_PROGRESS:
      g_value_set_int (value, self->progress);
      break;

    case PROP_LAYER:
      g_value_set_int (value, self->layer);
      break;

    case PROP_TOTAL_LAYERS:
      g_value_set_int (value, self->total_layers);
      break;

    case PROP_REMAINING_MINUTES:
      g_value_set_int (value, self->remaining_minutes);
      break;

    case PROP_FINISH_TIME:
      g_value_set_int64 (value, self->finish_time);
      break;

    case PROP_FILAMENT_GRAMS_TOTAL:
      g_value_set_double (value, self->grams_total);
      break;

    case PROP_FILAMENT_GRAMS_USED:
      g_value_set_double (value, self->grams_used);
      break;

    case PROP_DETAILS_STATUS:
      g_value_set_enum (value, self->details_status);
      break;

    case PROP_DETAILS:
      g_value_set_boxed (value, self->details);
      break;

    case PROP_DETAILS_MESSAGE:
      g_value_set_string (value, self->details_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int_property (const char *name)
{
  return g_param_spec_int (name, NULL, NULL, -1, G_MAXINT, -1,
                           (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
}

static void
pd_job_class_init (PdJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pd_job_finalize;
  object_class->get_property = pd_job_get_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* The integer properties are -1 while not known. */
  properties[PROP_PROGRESS] = int_property ("progress");
  properties[PROP_LAYER] = int_property ("layer");
  properties[PROP_TOTAL_LAYERS] = int_property ("total-layers");
  properties[PROP_REMAINING_MINUTES] = int_property ("remaining-minutes");

  /**
   * PdJob:finish-time:
   *
   * When the job should end, in µs of the clock the reports were merged
   * with (wall-clock time for a live printer), or 0 when not known.
   */
  properties[PROP_FINISH_TIME] =
    g_param_spec_int64 ("finish-time", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* Grams come from the job's file on the printer, NAN until then. */
  properties[PROP_FILAMENT_GRAMS_TOTAL] =
    g_param_spec_double ("filament-grams-total", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_FILAMENT_GRAMS_USED] =
    g_param_spec_double ("filament-grams-used", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DETAILS_STATUS] =
    g_param_spec_enum ("details-status", NULL, NULL, PD_TYPE_JOB_DETAILS_STATUS, PD_JOB_DETAILS_NONE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DETAILS] =
    g_param_spec_boxed ("details", NULL, NULL, PD_TYPE_JOB_DETAILS,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DETAILS_MESSAGE] =
    g_param_spec_string ("details-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_job_init (PdJob *self)
{
  self->progress = -1;
  self->layer = -1;
  self->total_layers = -1;
  self->remaining_minutes = -1;
  self->grams_total = NAN;
  self->grams_used = NAN;
}

PdJob *
_pd_job_new (void)
{
  return g_object_new (PD_TYPE_JOB, NULL);
}

void
_pd_job_update (PdJob         *self,
                const PdState *state)
{
  gint64 finish_time;

  g_return_if_fail (PD_IS_JOB (self));
  g_return_if_fail (state != NULL);

  _pd_update_string (self, &self->name, state->job_name, properties[PROP_NAME]);

  _PD_UPDATE (self, self->progress, state->progress, properties[PROP_PROGRESS]);
  _PD_UPDATE (self, self->layer, state->layer, properties[PROP_LAYER]);
  _PD_UPDATE (self, self->total_layers, pd_state_get_total_layers (state), properties[PROP_TOTAL_LAYERS]);
  _PD_UPDATE (self, self->remaining_minutes, state->remaining_minutes, properties[PROP_REMAINING_MINUTES]);

  finish_time = pd_state_get_finish_time (state);
  _PD_UPDATE (self, self->finish_time, finish_time, properties[PROP_FINISH_TIME]);

  _pd_update_double (self, &self->grams_total, state->grams_total, properties[PROP_FILAMENT_GRAMS_TOTAL]);
  _pd_update_double (self, &self->grams_used, state->grams_used, properties[PROP_FILAMENT_GRAMS_USED]);
}

const char *
pd_job_get_name (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), NULL);

  return self->name;
}

int
pd_job_get_progress (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), -1);

  return self->progress;
}

int
pd_job_get_layer (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), -1);

  return self->layer;
}

int
pd_job_get_total_layers (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), -1);

  return self->total_layers;
}

int
pd_job_get_remaining_minutes (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), -1);

  return self->remaining_minutes;
}

gint64
pd_job_get_finish_time (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), 0);

  return self->finish_time;
}

double
pd_job_get_filament_grams_total (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), NAN);

  return self->grams_total;
}

double
pd_job_get_filament_grams_used (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), NAN);

  return self->grams_used;
}

PdJobDetailsStatus
pd_job_get_details_status (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), PD_JOB_DETAILS_NONE);

  return self->details_status;
}

PdJobDetails *
pd_job_get_details (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), NULL);

  return self->details;
}

const char *
pd_job_get_details_message (PdJob *self)
{
  g_return_val_if_fail (PD_IS_JOB (self), NULL);

  return self->details_message;
}

/* Returns whether anything changed. */
gboolean
_pd_job_set_details (PdJob             *self,
                     PdJobDetailsStatus status,
                     PdJobDetails      *details,
                     const char        *message)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (PD_IS_JOB (self), FALSE);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->details != details)
    {
      g_clear_pointer (&self->details, pd_job_details_unref);
      if (details != NULL)
        self->details = pd_job_details_ref (details);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS]);
      changed = TRUE;
    }
  if (g_strcmp0 (self->details_message, message) != 0)
    {
      g_free (self->details_message);
      self->details_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS_MESSAGE]);
      changed = TRUE;
    }
  if (self->details_status != status)
    {
      self->details_status = status;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAILS_STATUS]);
      changed = TRUE;
    }
  g_object_thaw_notify (G_OBJECT (self));

  return changed;
}
