/* pd-job-thumbnail.c — the picture of a job's plate, decoded once
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sliced file carries a PNG of its plate (PdJobDetails). The card and
 * the printer page both show it; it is decoded once per details and the
 * texture kept on the job, so a report that only moves the progress costs
 * nothing and a farm of cards decodes each plate once.
 */

#define G_LOG_DOMAIN "pd-job-thumbnail"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-format.h"
#include "pd-job-thumbnail.h"

typedef struct
{
  PdJobDetails *details; /* what the texture was made from */
  GdkTexture   *texture; /* NULL: no thumbnail, or not a PNG */
} Thumbnail;

static void
thumbnail_free (gpointer data)
{
  Thumbnail *thumbnail = data;

  g_clear_pointer (&thumbnail->details, pd_job_details_unref);
  g_clear_object (&thumbnail->texture);
  g_free (thumbnail);
}

/**
 * pd_job_thumbnail_get:
 * @job: a job
 *
 * Returns: (transfer none) (nullable): the plate's picture from the job's
 *   file, %NULL while its details are not read or when it has none
 */
GdkTexture *
pd_job_thumbnail_get (PdJob *job)
{
  static GQuark      quark;
  PdJobDetails      *details;
  Thumbnail         *thumbnail;
  GBytes            *png;
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (PD_IS_JOB (job), NULL);

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("pd-job-thumbnail");

  details = pd_job_get_details (job);
  thumbnail = g_object_get_qdata (G_OBJECT (job), quark);
  if (thumbnail != NULL && thumbnail->details == details)
    return thumbnail->texture;

  thumbnail = g_new0 (Thumbnail, 1);
  if (details != NULL)
    thumbnail->details = pd_job_details_ref (details);
  png = details != NULL ? pd_job_details_get_thumbnail (details) : NULL;
  if (png != NULL)
    {
      thumbnail->texture = gdk_texture_new_from_bytes (png, &error);
      /* from the printer: a broken picture is no picture, not a problem */
      if (thumbnail->texture == NULL)
        g_debug ("The job's thumbnail is not a picture: %s", error->message);
    }
  g_object_set_qdata_full (G_OBJECT (job), quark, thumbnail, thumbnail_free);

  return thumbnail->texture;
}

/**
 * pd_job_thumbnail_describe:
 * @job: a job
 *
 * Returns: (transfer full): the picture's alternative text: "Plate 2 of
 *   “benchy”, as sliced"
 */
char *
pd_job_thumbnail_describe (PdJob *job)
{
  PdJobDetails    *details;
  g_autofree char *plate = NULL;
  const char      *name;

  g_return_val_if_fail (PD_IS_JOB (job), NULL);

  details = pd_job_get_details (job);
  plate = details != NULL ? pd_format_plate (pd_job_details_get_plate (details)) : NULL;
  name = pd_job_get_name (job);

  if (plate != NULL && name != NULL)
    /* TRANSLATORS: a picture's description for screen readers, "Plate 2 of “benchy”, as sliced" */
    return g_strdup_printf (_("%s of “%s”, as sliced"), plate, name);
  if (name != NULL)
    /* TRANSLATORS: a picture's description for screen readers, "The plate of “benchy”, as sliced" */
    return g_strdup_printf (_("The plate of “%s”, as sliced"), name);

  return g_strdup (_("The job's plate, as sliced"));
}
