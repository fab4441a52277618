/* pd-widget-util.c — changing a widget only when something changes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cards, strips and swatches follow reports that come every second from a
 * hundred printers, and mostly say what was said before. GTK 4.8 does work
 * for a setter even then: a tooltip set asks the X server where the pointer
 * is (a round trip), a style class taken off and put back restyles the
 * widget and its children. These setters do nothing when nothing changes.
 */

#include "config.h"

#include "pd-widget-util.h"

/**
 * pd_widget_set_tooltip:
 * @widget: a widget
 * @text: (nullable): its tooltip, %NULL or "" for none
 */
void
pd_widget_set_tooltip (GtkWidget  *widget,
                       const char *text)
{
  const char *now = gtk_widget_get_tooltip_text (widget);

  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (now, text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/**
 * pd_widget_set_style_class:
 * @widget: a widget
 * @classes: (array length=n_classes): the classes of which it has one
 * @n_classes: how many
 * @wanted: (nullable): the one it should have, or %NULL for none
 */
void
pd_widget_set_style_class (GtkWidget         *widget,
                           const char *const *classes,
                           guint              n_classes,
                           const char        *wanted)
{
  for (guint i = 0; i < n_classes; i++)
    if (g_strcmp0 (classes[i], wanted) != 0 && gtk_widget_has_css_class (widget, classes[i]))
      gtk_widget_remove_css_class (widget, classes[i]);
  if (wanted != NULL && !gtk_widget_has_css_class (widget, wanted))
    gtk_widget_add_css_class (widget, wanted);
}

/**
 * pd_image_set_icon_name:
 * @image: an image
 * @icon_name: (nullable): the icon it should show
 *
 * Like gtk_image_set_from_icon_name(), which clears the image, looks the
 * icon up again and queues a resize even for the icon it already shows: a
 * card does this on every update.
 */
void
pd_image_set_icon_name (GtkImage   *image,
                        const char *icon_name)
{
  if (gtk_image_get_storage_type (image) == GTK_IMAGE_ICON_NAME &&
      g_strcmp0 (gtk_image_get_icon_name (image), icon_name) == 0)
    return;
  gtk_image_set_from_icon_name (image, icon_name);
}

/**
 * pd_widget_set_class:
 * @widget: a widget
 * @css_class: a style class
 * @set: whether it has it
 */
void
pd_widget_set_class (GtkWidget  *widget,
                     const char *css_class,
                     gboolean    set)
{
  if (!set == !gtk_widget_has_css_class (widget, css_class))
    return;
  if (set)
    gtk_widget_add_css_class (widget, css_class);
  else
    gtk_widget_remove_css_class (widget, css_class);
}
