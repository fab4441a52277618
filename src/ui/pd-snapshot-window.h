/* pd-snapshot-window.h — a printer's camera snapshots
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-camera-manager.h"
#include "pd-printer.h"

G_BEGIN_DECLS

#define PD_TYPE_SNAPSHOT_WINDOW (pd_snapshot_window_get_type ())

G_DECLARE_FINAL_TYPE (PdSnapshotWindow, pd_snapshot_window, PD, SNAPSHOT_WINDOW, AdwApplicationWindow)

GtkWidget  *pd_snapshot_window_new (PdCameraManager *cameras,
                                    PdPrinter       *printer);
PdPrinter  *pd_snapshot_window_get_printer (PdSnapshotWindow *self);
void        pd_snapshot_window_commit_deletions (PdSnapshotWindow *self);

/* for the tests */
GListModel *_pd_snapshot_window_get_model (PdSnapshotWindow *self);
guint       _pd_snapshot_window_get_n_thumbnails (PdSnapshotWindow *self);

G_END_DECLS
