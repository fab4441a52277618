/* fuzz-job-file.c — libFuzzer: a job's sliced 3MF as the printer serves it
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file comes from the printer's storage, where anyone with the access
 * code can put anything: a zip with any entries, metadata, G-code and
 * pictures. Each input is read for the file's own plate and for plate 2,
 * and everything the app asks of the result is asked.
 */

#include "config.h"

#include <stdint.h>

#include "pd-job-file.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_plate (GBytes *bytes,
            int     plate)
{
  g_autoptr (PdJobDetails) details = pd_job_details_new_from_bytes (bytes, plate, NULL);
  GArray                  *filaments;

  if (details == NULL)
    return;
  filaments = pd_job_details_get_filaments (details);
  for (guint i = 0; i < filaments->len; i++)
    g_assert (g_array_index (filaments, PdJobFilament, i).type != NULL);
  (void) pd_job_details_get_plate (details);
  (void) pd_job_details_get_prediction_minutes (details);
  (void) pd_job_details_get_total_meters (details);
  (void) pd_job_details_get_thumbnail (details);
  (void) pd_job_details_get_slicer (details);
  for (int layer = 0; layer <= pd_job_details_get_layer_count (details) + 1; layer += 7)
    g_assert (pd_job_details_estimate_used_grams (details, 50, layer, pd_job_details_get_layer_count (details)) <=
              pd_job_details_get_total_grams (details) + 0.001);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);

  read_plate (bytes, -1);
  read_plate (bytes, 2);
  return 0;
}
