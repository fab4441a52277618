/* pd-sim-3mf.h — sliced Bambu project files (*.gcode.3mf) for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What Bambu Studio sends a printer for a LAN print, generated from a few
 * numbers: Metadata/slice_info.config in Studio's layout (reference/ftps-3mf.md
 * §2.2), the plate's G-code with Studio's header block and per-layer markers
 * (M73 L<n>, M620 S<n>A, relative G1 E moves; §2.4), a PNG thumbnail of the
 * plate, and the 3MF packaging. Each simulated printer keeps its job's file
 * on its FTP storage; UI tests build files of their own.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PD_SIM_3MF_MAX_FILAMENTS 8

typedef struct
{
  const char *name;               /* the project ("Benchy"); NULL: "Untitled" */
  int         plate;              /* 1-based; 0: 1 */
  int         layers;             /* 0: 100 */
  int         prediction_seconds; /* the slicer's estimate */
  guint       n_filaments;        /* up to PD_SIM_3MF_MAX_FILAMENTS; 0: none used */
  struct
  {
    const char *type;   /* "PLA"; NULL: "PLA" */
    guint32     rgba;   /* 0xRRGGBBAA; written as "#RRGGBB", as Studio does */
    double      grams;  /* used_g (written with 2 decimals) */
    double      meters; /* used_m; 0: from the grams (1.75 mm, 1.24 g/cm³) */
    int         id;     /* the 1-based project filament slot; 0: its position + 1 */
  } filaments[PD_SIM_3MF_MAX_FILAMENTS];
  gboolean thumbnail; /* Metadata/plate_N.png (and _small), a 256×256 picture */
} PdSim3mfSpec;

/* The layers print the filaments in turn, in equal shares, so the G-code's
 * per-layer usage adds up to each filament's metres; the plate's weight is
 * the sum of the (rounded) grams, as in Studio's files. */
GBytes *pd_sim_3mf_build (const PdSim3mfSpec *spec);

/* "#RRGGBB" of a filament's 0xRRGGBBAA, as slice_info.config writes it. */
char   *pd_sim_3mf_color_string (guint32 rgba);

G_END_DECLS
