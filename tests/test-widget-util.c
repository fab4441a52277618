/* test-widget-util.c — setters that do nothing when nothing changes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gtk/gtk.h>

#include "pd-widget-util.h"

static void
count (guint *n)
{
  (*n)++;
}

/* GTK notifies (and, shown, asks the X server for the pointer) on every
 * set; the same text again must not reach GTK at all. */
static void
test_tooltip (void)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new ("x"));
  guint      sets = 0;

  g_signal_connect_swapped (label, "notify::tooltip-text", G_CALLBACK (count), &sets);
  pd_widget_set_tooltip (label, "Online");
  g_assert_cmpuint (sets, ==, 1);
  pd_widget_set_tooltip (label, "Online");
  g_assert_cmpuint (sets, ==, 1);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==, "Online");
  pd_widget_set_tooltip (label, "Offline");
  g_assert_cmpuint (sets, ==, 2);
  pd_widget_set_tooltip (label, "");
  g_assert_cmpuint (sets, ==, 3);
  g_assert_null (gtk_widget_get_tooltip_text (label));
  g_assert_false (gtk_widget_get_has_tooltip (label));
  pd_widget_set_tooltip (label, NULL);
  g_assert_cmpuint (sets, ==, 3);

  g_object_unref (label);
}

static void
test_style_class (void)
{
  static const char *const levels[] = { "ok", "serious", "fatal" };
  GtkWidget               *button = g_object_ref_sink (gtk_button_new ());
  guint                    changes = 0;

  g_signal_connect_swapped (button, "notify::css-classes", G_CALLBACK (count), &changes);
  pd_widget_set_style_class (button, levels, G_N_ELEMENTS (levels), "ok");
  g_assert_true (gtk_widget_has_css_class (button, "ok"));
  g_assert_cmpuint (changes, ==, 1);
  pd_widget_set_style_class (button, levels, G_N_ELEMENTS (levels), "ok");
  g_assert_cmpuint (changes, ==, 1);

  pd_widget_set_style_class (button, levels, G_N_ELEMENTS (levels), "fatal");
  g_assert_false (gtk_widget_has_css_class (button, "ok"));
  g_assert_true (gtk_widget_has_css_class (button, "fatal"));
  pd_widget_set_style_class (button, levels, G_N_ELEMENTS (levels), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    g_assert_false (gtk_widget_has_css_class (button, levels[i]));

  changes = 0;
  pd_widget_set_class (button, "stale", FALSE);
  g_assert_cmpuint (changes, ==, 0);
  pd_widget_set_class (button, "stale", TRUE);
  pd_widget_set_class (button, "stale", TRUE);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_true (gtk_widget_has_css_class (button, "stale"));
  pd_widget_set_class (button, "stale", FALSE);
  g_assert_false (gtk_widget_has_css_class (button, "stale"));
  g_assert_cmpuint (changes, ==, 2);

  g_object_unref (button);
}

/* GtkImage clears itself, looks the icon up and queues a resize on every
 * set, also of the icon it shows: the same icon again must not reach it. */
static void
test_image_icon (void)
{
  GtkWidget *image = g_object_ref_sink (gtk_image_new ());
  guint      sets = 0;

  g_signal_connect_swapped (image, "notify::icon-name", G_CALLBACK (count), &sets);
  pd_image_set_icon_name (GTK_IMAGE (image), "network-wireless-symbolic");
  g_assert_cmpuint (sets, ==, 1);
  pd_image_set_icon_name (GTK_IMAGE (image), "network-wireless-symbolic");
  g_assert_cmpuint (sets, ==, 1);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==, "network-wireless-symbolic");
  pd_image_set_icon_name (GTK_IMAGE (image), "network-offline-symbolic");
  g_assert_cmpuint (sets, ==, 2);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==, "network-offline-symbolic");

  /* an image showing something else (nothing) takes the icon */
  gtk_image_clear (GTK_IMAGE (image));
  sets = 0;
  pd_image_set_icon_name (GTK_IMAGE (image), "network-offline-symbolic");
  g_assert_cmpuint (sets, ==, 1);
  g_assert_cmpint (gtk_image_get_storage_type (GTK_IMAGE (image)), ==, GTK_IMAGE_ICON_NAME);

  g_object_unref (image);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/widget-util/tooltip", test_tooltip);
  g_test_add_func ("/widget-util/style-class", test_style_class);
  g_test_add_func ("/widget-util/image-icon", test_image_icon);

  return g_test_run ();
}
