/* pd-background.h
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PD_TYPE_BACKGROUND (pd_background_get_type ())

G_DECLARE_FINAL_TYPE (PdBackground, pd_background, PD, BACKGROUND, GObject)

PdBackground *pd_background_new (GtkApplication *app,
                                 GSettings      *settings);
gboolean      pd_background_is_holding (PdBackground *self);
void          pd_background_quit (PdBackground *self);
char         *pd_background_get_autostart_path (PdBackground *self);

/* for the tests */
void          _pd_background_set_sandboxed (PdBackground *self,
                                            gboolean      sandboxed);

G_END_DECLS
