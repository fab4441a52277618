/* pd-test-ui.c — shared helpers for the widget tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "pd-printer-card.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_drawn (gpointer data)
{
  return *(guint *) data >= 3;
}

/**
 * pd_test_wait_for_frames:
 * @widget: a widget in a shown window
 *
 * A widget can only be rendered once it was painted: waits (at most 5 s)
 * for a few frames of its window.
 */
void
pd_test_wait_for_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  gtk_widget_queue_draw (widget);
  g_assert_true (pd_test_wait_until (frames_drawn, &frames, 5));
  gtk_widget_remove_tick_callback (widget, id);
}

static gboolean
card_caught_up (gpointer data)
{
  return !_pd_printer_card_is_behind (data);
}

void
pd_test_card_catch_up (GtkWidget *card)
{
  g_assert_true (PD_IS_PRINTER_CARD (card));
  g_assert_true (pd_test_wait_until (card_caught_up, card, 2));
}

/**
 * pd_test_save_screenshot:
 * @widget: a widget in a shown window
 * @name: the file name, "window-light.png"
 *
 * Renders @widget into $PRINTDECK_SCREENSHOT_DIR/@name, or
 * tests/screenshots/@name in the build folder.
 *
 * Returns: (transfer full): what was saved
 */
GdkTexture *
pd_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  g_autoptr (GdkPaintable)  paintable = NULL;
  g_autoptr (GtkSnapshot)   snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture)    texture = NULL;
  const char               *env_dir = g_getenv ("PRINTDECK_SCREENSHOT_DIR");
  g_autofree char          *dir = env_dir != NULL ? g_strdup (env_dir)
                                                  : g_build_filename (g_test_get_dir (G_TEST_BUILT), "screenshots", NULL);
  g_autofree char          *path = NULL;
  int                       w, h;

  /* A window still being laid out (slow under ASan) draws nothing yet:
   * try again for a few frames, bounded in time. */
  paintable = gtk_widget_paintable_new (widget);
  for (guint attempt = 0; attempt < 50 && node == NULL; attempt++)
    {
      pd_test_wait_for_frames (widget);
      w = gtk_widget_get_width (widget);
      h = gtk_widget_get_height (widget);
      if (w <= 0 || h <= 0)
        continue;
      if (snapshot == NULL)
        snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));

  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);

  return g_steal_pointer (&texture);
}

static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && *gtk_label_get_label (GTK_LABEL (child)) != '\0')
        g_string_append_printf (text, "%s|", gtk_label_get_label (GTK_LABEL (child)));
      collect_text (child, text);
    }
}

char *
pd_test_widget_text (GtkWidget *widget)
{
  GString *text = g_string_new ("|");

  collect_text (widget, text);
  return g_string_free (text, FALSE);
}
