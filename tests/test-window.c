/* test-window.c — the main window, under a real X server (Xvfb)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "pd-application.h"
#include "pd-window.h"

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
widget_is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  guint *frames = data;

  (*frames)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frames_drawn (gpointer data)
{
  return *(guint *) data >= 3;
}

/* A widget can only be rendered once it was painted: wait for frames. */
static void
wait_for_frames (GtkWidget *widget)
{
  guint frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);

  gtk_widget_queue_draw (widget);
  iterate_until (frames_drawn, &frames);
  gtk_widget_remove_tick_callback (widget, id);
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = g_build_filename (g_test_get_dir (G_TEST_BUILT), "screenshots", NULL);
  g_autofree char *path = NULL;

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));

  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (g_type_is_a (G_OBJECT_TYPE (root), type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_window_empty_state (void)
{
  g_autoptr(PdApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  GtkWidget *status, *menu;
  GSettings *settings;

  app = pd_application_new (APPLICATION_ID ".Test", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (PD_IS_WINDOW (window));
  iterate_until (widget_is_mapped, window);

  /* No printers yet: the empty state says so, in words. */
  status = find_by_type (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Printers");
  g_assert_true (gtk_widget_get_visible (status));

  /* The icon-only menu button has a tooltip and is reachable by keyboard. */
  menu = find_by_type (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (menu), ==, "Main Menu");
  g_assert_true (gtk_widget_get_focusable (menu) || gtk_widget_get_focusable (gtk_widget_get_first_child (menu)));

  if (DEVELOPMENT_BUILD)
    g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"));

  wait_for_frames (GTK_WIDGET (window));
  save_screenshot (GTK_WIDGET (window), "window-empty.png");

  /* The window remembers its size. */
  settings = pd_application_get_settings (app);
  g_assert_nonnull (settings);
  gtk_window_set_default_size (window, 800, 600);
  gtk_window_close (window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 800);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 600);
}

static void
test_actions (void)
{
  /* Another id: the first test's application is still exported on the bus. */
  g_autoptr(PdApplication) app = pd_application_new (APPLICATION_ID ".Test2", G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) quit = NULL;

  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));

  quit = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");
  g_assert_cmpstr (quit[0], ==, "<Control>q");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/window/empty-state", test_window_empty_state);
  g_test_add_func ("/window/actions", test_actions);

  return g_test_run ();
}
