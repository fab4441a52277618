/* pd-widget-util.h — changing a widget only when something changes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void pd_widget_set_tooltip     (GtkWidget         *widget,
                                const char        *text);
void pd_widget_set_style_class (GtkWidget         *widget,
                                const char *const *classes,
                                guint              n_classes,
                                const char        *wanted);
void pd_image_set_icon_name    (GtkImage          *image,
                                const char        *icon_name);
void pd_widget_set_class       (GtkWidget         *widget,
                                const char        *css_class,
                                gboolean           set);

G_END_DECLS
