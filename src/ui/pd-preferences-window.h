/* pd-preferences-window.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pd-mirror-manager.h"

G_BEGIN_DECLS

#define PD_TYPE_PREFERENCES_WINDOW (pd_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PdPreferencesWindow, pd_preferences_window, PD, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget       *pd_preferences_window_new (GSettings *settings);
PdMirrorManager *pd_preferences_window_get_mirror_manager (PdPreferencesWindow *self);
void             pd_preferences_window_set_mirror_manager (PdPreferencesWindow *self,
                                                           PdMirrorManager     *manager);

G_END_DECLS
