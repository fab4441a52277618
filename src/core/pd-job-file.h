/* pd-job-file.h — what a sliced Bambu project (*.gcode.3mf) says about its job
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads one plate of a sliced 3MF: the plate index, the slicer's time
 * prediction, the grams and metres of each filament (Metadata/slice_info.config),
 * the plate's thumbnail (Metadata/plate_N.png), and from the plate's G-code
 * the layer count and how much is extruded by each layer. The result is
 * immutable and reference counted; reading is blocking and touches no main
 * context, so it belongs on a worker thread.
 *
 * The file comes from the printer, so nothing in it is trusted: at most
 * PD_JOB_FILE_MAX_ENTRIES entries, metadata and thumbnail entries of at most
 * PD_JOB_FILE_MAX_ENTRY_SIZE bytes (checked against the zip's claim and
 * again while decompressing), at most PD_JOB_FILE_MAX_GCODE_SIZE bytes of
 * G-code read. The layout is described in pd-job-file.c.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_JOB_FILE_ERROR (pd_job_file_error_quark ())

typedef enum
{
  PD_JOB_FILE_ERROR_NOT_ZIP,      /* not a zip archive, or a damaged one */
  PD_JOB_FILE_ERROR_NO_METADATA,  /* no Metadata/slice_info.config: not sliced */
  PD_JOB_FILE_ERROR_NO_PLATE,     /* the plate asked for is not in the file, or none is */
  PD_JOB_FILE_ERROR_TOO_LARGE,    /* beyond the limits below (a zip bomb?) */
  PD_JOB_FILE_ERROR_BAD_METADATA, /* slice_info.config is not well-formed XML */
} PdJobFileError;

/* A real project has a few dozen entries (a few hundred with many objects),
 * a slice_info.config of a few KiB and thumbnails under 1 MiB. */
#define PD_JOB_FILE_MAX_ENTRIES    16384
#define PD_JOB_FILE_MAX_ENTRY_SIZE (16 * 1024 * 1024)
/* Thumbnails are 512×512 in Bambu Studio's files; larger ones are dropped. */
#define PD_JOB_FILE_MAX_THUMBNAIL_SIDE 4096
/* Only for the per-layer usage; beyond it the estimate is progress-weighted. */
#define PD_JOB_FILE_MAX_GCODE_SIZE (G_GUINT64_CONSTANT (1024) * 1024 * 1024)

typedef struct
{
  int      id;    /* the 1-based project filament slot (<filament id>), or -1;
                   * MQTT print.ams_mapping[id - 1] gives the tray */
  char    *type;  /* "PLA", "PETG-CF"…; never NULL, may be "" */
  guint32  color; /* 0xRRGGBBAA */
  gboolean has_color;
  double   grams;
  double   meters;
} PdJobFilament;

typedef struct _PdJobDetails PdJobDetails;

#define PD_TYPE_JOB_DETAILS (pd_job_details_get_type ())

GQuark        pd_job_file_error_quark (void);
GType         pd_job_details_get_type (void) G_GNUC_CONST;

/* @plate: the 1-based plate to read, or -1 for the plate this file is for:
 * its only <plate>, else the plate of its only Metadata/plate_N.gcode, else
 * the first plate that has G-code, else the first plate. */
PdJobDetails *pd_job_details_new_from_bytes (GBytes  *zip,
                                             int      plate,
                                             GError **error);
PdJobDetails *pd_job_details_new_from_file (GFile   *file,
                                            int      plate,
                                            GError **error);
PdJobDetails *pd_job_details_ref (PdJobDetails *self);
void          pd_job_details_unref (PdJobDetails *self);

int           pd_job_details_get_plate (PdJobDetails *self);
/* The slicer's estimate; -1 when the file has none. */
gint64        pd_job_details_get_prediction_seconds (PdJobDetails *self);
int           pd_job_details_get_prediction_minutes (PdJobDetails *self);
double        pd_job_details_get_total_grams (PdJobDetails *self);
double        pd_job_details_get_total_meters (PdJobDetails *self);
/* An array of PdJobFilament, in the file's order. */
GArray       *pd_job_details_get_filaments (PdJobDetails *self);
/* PNG data, or NULL. */
GBytes       *pd_job_details_get_thumbnail (PdJobDetails *self);
/* "BambuStudio", "OrcaSlicer" (from the G-code header) and "01.10.01.50"
 * (from slice_info.config), or NULL. */
const char   *pd_job_details_get_slicer (PdJobDetails *self);
const char   *pd_job_details_get_slicer_version (PdJobDetails *self);
/* From the G-code; 0 when unknown. */
int           pd_job_details_get_layer_count (PdJobDetails *self);
gboolean      pd_job_details_has_layer_usage (PdJobDetails *self);

double        pd_job_details_estimate_used_grams (PdJobDetails *self,
                                                  int           progress_percent,
                                                  int           layer,
                                                  int           total_layers);

/* The plate N of a report's print.gcode_file ("/data/Metadata/plate_2.gcode"),
 * or -1 when it names none (P1 firmware reports the .3mf name). */
int           pd_job_plate_from_gcode_file (const char *gcode_file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdJobDetails, pd_job_details_unref)

G_END_DECLS
