/* pd-snapshot-store.h — camera snapshots on disk, per printer, within a size limit
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Snapshots live in <base>/<printer name>/<YYYY-MM-DD HH-MM-SS>.{jpg,png},
 * base = $XDG_PICTURES_DIR/Printdeck (or $PRINTDECK_PICTURES_DIR). Saving
 * encodes and writes on a worker (a hidden temporary file linked to its
 * name when whole, so never half a picture and never over another), then
 * keeps the printer's folder under the size limit by deleting its oldest
 * snapshots (never the one just saved). Files the user put there that are not
 * snapshots are left alone.
 */

#pragma once

#include <gio/gio.h>

#include "pd-camera-frame.h"

G_BEGIN_DECLS

#define PD_SNAPSHOT_DEFAULT_LIMIT_MB 500

#define PD_TYPE_SNAPSHOT_STORE (pd_snapshot_store_get_type ())

G_DECLARE_FINAL_TYPE (PdSnapshotStore, pd_snapshot_store, PD, SNAPSHOT_STORE, GObject)

PdSnapshotStore *pd_snapshot_store_new             (const char       *base_dir);
const char      *pd_snapshot_store_get_base_dir    (PdSnapshotStore  *self);
GFile           *pd_snapshot_store_get_folder      (PdSnapshotStore  *self,
                                                    const char       *printer_name);
void             pd_snapshot_store_set_limit       (PdSnapshotStore  *self,
                                                    guint64           bytes_per_printer);
guint64          pd_snapshot_store_get_limit       (PdSnapshotStore  *self);
void             pd_snapshot_store_set_format      (PdSnapshotStore  *self,
                                                    PdSnapshotFormat  format);

void             pd_snapshot_store_save_async      (PdSnapshotStore    *self,
                                                    const char         *printer_name,
                                                    PdCameraFrame      *frame,
                                                    GDateTime          *when,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
GFile           *pd_snapshot_store_save_finish     (PdSnapshotStore  *self,
                                                    GAsyncResult     *result,
                                                    GError          **error);

/* The printer's snapshots, newest first: a GListModel of GFileInfo (name,
 * size, modification time; "standard::file" holds the GFile). Kept up to date
 * as this store saves and deletes. */
GListModel      *pd_snapshot_store_list            (PdSnapshotStore  *self,
                                                    const char       *printer_name);
gboolean         pd_snapshot_store_is_listed       (GListModel       *list);
gboolean         pd_snapshot_store_delete          (PdSnapshotStore  *self,
                                                    GFile            *file,
                                                    GError          **error);

/* The folder name used for a printer: its name with '/' and control
 * characters replaced, never "." or "..". */
char            *pd_snapshot_store_folder_name     (const char       *printer_name);

/* Signals: ::saved (GFile *file, const char *folder_name),
 *          ::changed (const char *folder_name) after saves, deletes, pruning,
 *          and when a list's first reading of the folder is done. */

G_END_DECLS
