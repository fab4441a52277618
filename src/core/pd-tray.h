/* pd-tray.h — the printers' state in the desktop's tray (StatusNotifierItem)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_TYPE_TRAY (pd_tray_get_type ())

G_DECLARE_FINAL_TYPE (PdTray, pd_tray, PD, TRAY, GObject)

PdTray  *pd_tray_new (GDBusConnection *connection,
                      const char      *app_id,
                      GListModel      *printers,
                      GActionGroup    *actions);
void     pd_tray_start (PdTray *self);
void     pd_tray_stop (PdTray *self);
gboolean pd_tray_is_registered (PdTray *self);

G_END_DECLS
