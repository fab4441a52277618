/* pd-sim-zip.h — building zip archives in memory (job files for the tests)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin layer over libzip for the simulator's 3MF files and the tests that
 * build broken ones. Nothing here can fail but for a bug or no memory, so
 * a failure is a g_error().
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PdSimZip PdSimZip;

PdSimZip                *pd_sim_zip_new (void);
/* @store: no compression (the entry's bytes appear as they are in the zip). */
void                     pd_sim_zip_add_len (PdSimZip   *zip,
                                             const char *name,
                                             const void *data,
                                             gsize       length,
                                             gboolean    store);
void                     pd_sim_zip_add (PdSimZip   *zip,
                                         const char *name,
                                         const char *text);
void                     pd_sim_zip_add_bytes (PdSimZip   *zip,
                                               const char *name,
                                               GBytes     *bytes);
/* Writes the archive and frees @zip. */
GBytes                  *pd_sim_zip_finish (PdSimZip *zip);

G_END_DECLS
