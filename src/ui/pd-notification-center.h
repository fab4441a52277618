/* pd-notification-center.h — the printers' notifications on the desktop
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-notifier.h"
#include "pd-printer-store.h"

G_BEGIN_DECLS

#define PD_TYPE_NOTIFICATION_CENTER (pd_notification_center_get_type ())

G_DECLARE_FINAL_TYPE (PdNotificationCenter, pd_notification_center, PD, NOTIFICATION_CENTER, GObject)

PdNotificationCenter *pd_notification_center_new (GApplication   *application,
                                                  PdPrinterStore *store,
                                                  GSettings      *settings);
PdNotifier           *pd_notification_center_get_notifier (PdNotificationCenter *self);
gboolean              pd_notification_center_get_muted (PdNotificationCenter *self,
                                                        const char           *serial);
void                  pd_notification_center_set_muted (PdNotificationCenter *self,
                                                        const char           *serial,
                                                        gboolean              muted);
gboolean              pd_notification_center_get_do_not_disturb (PdNotificationCenter *self);
guint                 pd_notification_center_get_n_sounds (PdNotificationCenter *self);
void                  pd_notification_center_shutdown (PdNotificationCenter *self);

G_END_DECLS
