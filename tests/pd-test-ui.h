/* pd-test-ui.h — shared helpers for the widget tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        pd_test_wait_for_frames (GtkWidget *widget);
/* A printer card's changes wait for the cards' next catch-up (a quarter of
 * a second): waits for it, 2 s at most. */
void        pd_test_card_catch_up (GtkWidget *card);
GdkTexture *pd_test_save_screenshot (GtkWidget  *widget,
                                     const char *name);
/* Every visible, non-empty label's text under @widget, in order, each
 * followed by "|", after a leading "|": "|Plate 2|12.4 g · 4.1 m|". */
char       *pd_test_widget_text (GtkWidget *widget);

G_END_DECLS
