/* pd-hms-dialog.c — a printer's health warnings in detail
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One row per HMS entry the printer reports (and the print error of a
 * paused or failed job): severity, the part, the code to quote to support,
 * what is wrong, what to do, and the code's own support article. The rows
 * follow the printer's list as entries appear and clear.
 */

#define G_LOG_DOMAIN "pd-hms-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-enums.h"
#include "pd-format.h"
#include "pd-hms-database.h"
#include "pd-hms-dialog.h"

struct _PdHmsDialog
{
  AdwWindow        parent_instance;

  PdPrinter       *printer;
  GSignalGroup    *printer_signals;
  GSignalGroup    *list_signals;
  GSignalGroup    *database_signals;

  AdwWindowTitle  *window_title;
  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkWidget       *print_error_group;
  GtkListBox      *print_error_list;
  GtkWidget       *hms_group;
  GtkListBox      *hms_list;
  GtkLabel        *source_label;
};

G_DEFINE_FINAL_TYPE (PdHmsDialog, pd_hms_dialog, ADW_TYPE_WINDOW)

/* Rows ------------------------------------------------------------------------*/

static void
on_copy_clicked (GtkButton *button,
                 gpointer   data)
{
  const char *code = g_object_get_data (G_OBJECT (button), "code");
  GtkRoot    *root = gtk_widget_get_root (GTK_WIDGET (button));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), code);
  if (PD_IS_HMS_DIALOG (root))
    adw_toast_overlay_add_toast (PD_HMS_DIALOG (root)->toast_overlay, adw_toast_new (_("Code copied")));
}

static GtkWidget *
wrapped_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);

  return label;
}

/* A row for one code. @error is the live entry (its "active" shows as
 * "Cleared" while it lingers), or %NULL for a print error.
 */
static GtkWidget *
create_row (const PdHmsInfo *info,
            PdHmsError      *error)
{
  GtkWidget       *row = gtk_list_box_row_new ();
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget       *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget       *label;
  GtkWidget       *copy;
  GtkWidget       *link;
  g_autofree char *copy_name = NULL;
  g_autofree char *row_name = NULL;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_box_append (GTK_BOX (box), top);

  if (info->severity != PD_SEVERITY_NONE)
    {
      label = gtk_label_new (pd_severity_to_label (info->severity));
      gtk_widget_add_css_class (label, "severity-badge");
      gtk_widget_add_css_class (label, pd_severity_style_class (info->severity));
      gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (top), label);
    }

  label = gtk_label_new (info->module);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (top), label);

  if (error != NULL)
    {
      label = gtk_label_new (C_("HMS entry", "Cleared"));
      gtk_widget_add_css_class (label, "dim-label");
      g_object_bind_property (error, "active", label, "visible", G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
      gtk_box_append (GTK_BOX (top), label);
    }

  label = gtk_label_new (info->code);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "hms-code");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), label);

  copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (copy, _("Copy Code"));
  /* TRANSLATORS: the accessible name of the copy button, "Copy code 0300_0100_0001_0007" */
  copy_name = g_strdup_printf (_("Copy code %s"), info->code);
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy), GTK_ACCESSIBLE_PROPERTY_LABEL, copy_name, -1);
  g_object_set_data_full (G_OBJECT (copy), "code", g_strdup (info->code), g_free);
  g_signal_connect (copy, "clicked", G_CALLBACK (on_copy_clicked), NULL);
  gtk_box_append (GTK_BOX (top), copy);

  if (info->description != NULL)
    label = wrapped_label (info->description);
  else
    {
      label = wrapped_label (_("No description available"));
      gtk_widget_add_css_class (label, "dim-label");
    }
  gtk_widget_set_name (label, "description");
  gtk_box_append (GTK_BOX (box), label);

  if (info->action != NULL)
    {
      label = gtk_label_new (_("What to do"));
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_set_margin_top (label, 6);
      gtk_box_append (GTK_BOX (box), label);
      label = wrapped_label (info->action);
      gtk_widget_set_name (label, "action");
      gtk_box_append (GTK_BOX (box), label);
    }

  if (info->url != NULL)
    {
      /* GtkLinkButton opens it with gtk_show_uri(). */
      link = gtk_link_button_new_with_label (info->url, _("Open Support Article"));
      gtk_widget_set_halign (link, GTK_ALIGN_START);
      gtk_widget_add_css_class (link, "hms-link");
      gtk_widget_set_tooltip_text (link, info->url);
      gtk_box_append (GTK_BOX (box), link);
    }

  /* TRANSLATORS: a health warning row for screen readers: "Serious: Motion controller, 0300_0100_0001_0007" */
  row_name = info->severity != PD_SEVERITY_NONE
    ? g_strdup_printf (_("%s: %s, %s"), pd_severity_to_label (info->severity), info->module, info->code)
    : g_strdup_printf (_("%s, %s"), info->module, info->code);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, row_name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  info->description != NULL ? info->description : _("No description available"), -1);

  return row;
}

static GtkWidget *
create_hms_row (gpointer item,
                gpointer data)
{
  PdHmsDialog          *self = data;
  PdHmsError           *error = item;
  g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_hms (pd_hms_database_get_default (),
                                                           pd_hms_error_get_attr (error),
                                                           pd_hms_error_get_code_word (error),
                                                           pd_printer_get_model (self->printer));

  return create_row (info, error);
}

/* Syncing ----------------------------------------------------------------------*/

static void
update_source (PdHmsDialog *self)
{
  PdHmsDatabase   *database = pd_hms_database_get_default ();
  gint64           updated = pd_hms_database_get_updated (database);
  g_autofree char *text = NULL;

  if (updated > 0)
    {
      g_autoptr (GDateTime) time = g_date_time_new_from_unix_local (updated);
      g_autofree char      *date = g_date_time_format (time, "%x");

      /* TRANSLATORS: where the descriptions come from; %s is a date */
      text = g_strdup_printf (_("Descriptions by Bambu Lab, updated %s."), date);
    }
  else
    text = g_strdup (_("Descriptions by Bambu Lab, as shipped with Printdeck."));
  gtk_label_set_label (self->source_label, text);
}

static void
update_print_error (PdHmsDialog *self)
{
  guint32    code = pd_printer_get_print_error_code (self->printer);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->print_error_list))) != NULL)
    gtk_list_box_remove (self->print_error_list, child);

  if (code != 0)
    {
      g_autoptr (PdHmsInfo) info = pd_hms_database_lookup_print_error (pd_hms_database_get_default (), code,
                                                                       pd_printer_get_model (self->printer));

      gtk_list_box_append (self->print_error_list, create_row (info, NULL));
    }
  gtk_widget_set_visible (self->print_error_group, code != 0);
}

static void
update_page (PdHmsDialog *self)
{
  guint       n = g_list_model_get_n_items (pd_printer_get_hms_errors (self->printer));
  gboolean    has_print_error = pd_printer_get_print_error_code (self->printer) != 0;
  const char *name = pd_printer_get_name (self->printer);

  adw_window_title_set_subtitle (self->window_title,
                                 name != NULL ? name : pd_printer_get_serial (self->printer));
  gtk_widget_set_visible (self->hms_group, n > 0);
  gtk_stack_set_visible_child_name (self->stack, n > 0 || has_print_error ? "list" : "empty");
}

static void
on_print_error_changed (PdHmsDialog *self)
{
  update_print_error (self);
  update_page (self);
}

static void
bind_list (PdHmsDialog *self)
{
  gtk_list_box_bind_model (self->hms_list, pd_printer_get_hms_errors (self->printer), create_hms_row, self, NULL);
}

/* The texts were updated: show the new ones. */
static void
on_database_changed (PdHmsDialog *self)
{
  bind_list (self);
  update_print_error (self);
  update_source (self);
}

/* GObject ----------------------------------------------------------------------*/

static void
pd_hms_dialog_dispose (GObject *object)
{
  PdHmsDialog *self = PD_HMS_DIALOG (object);

  if (self->hms_list != NULL)
    gtk_list_box_bind_model (self->hms_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->printer_signals);
  g_clear_object (&self->list_signals);
  g_clear_object (&self->database_signals);
  g_clear_object (&self->printer);
  gtk_widget_dispose_template (GTK_WIDGET (object), PD_TYPE_HMS_DIALOG);

  G_OBJECT_CLASS (pd_hms_dialog_parent_class)->dispose (object);
}

static void
pd_hms_dialog_class_init (PdHmsDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_hms_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-hms-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, print_error_group);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, print_error_list);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, hms_group);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, hms_list);
  gtk_widget_class_bind_template_child (widget_class, PdHmsDialog, source_label);
}

static void
pd_hms_dialog_init (PdHmsDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->printer_signals, "notify::print-error-code",
                                  G_CALLBACK (on_print_error_changed), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::name", G_CALLBACK (update_page), self);

  self->list_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->list_signals, "items-changed", G_CALLBACK (update_page), self);

  self->database_signals = g_signal_group_new (PD_TYPE_HMS_DATABASE);
  g_signal_group_connect_swapped (self->database_signals, "changed", G_CALLBACK (on_database_changed), self);
  g_signal_group_set_target (self->database_signals, pd_hms_database_get_default ());
}

/**
 * pd_hms_dialog_new:
 * @printer: the printer whose health to show
 *
 * Returns: (transfer floating): the dialog; set its transient parent
 */
GtkWidget *
pd_hms_dialog_new (PdPrinter *printer)
{
  PdHmsDialog *self;

  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  self = g_object_new (PD_TYPE_HMS_DIALOG, NULL);
  self->printer = g_object_ref (printer);
  g_signal_group_set_target (self->printer_signals, printer);
  g_signal_group_set_target (self->list_signals, pd_printer_get_hms_errors (printer));
  bind_list (self);
  update_print_error (self);
  update_source (self);
  update_page (self);

  return GTK_WIDGET (self);
}

/**
 * pd_hms_dialog_get_printer:
 * @self: a dialog
 *
 * Returns: (transfer none): the printer it shows
 */
PdPrinter *
pd_hms_dialog_get_printer (PdHmsDialog *self)
{
  g_return_val_if_fail (PD_IS_HMS_DIALOG (self), NULL);

  return self->printer;
}

/**
 * pd_hms_dialog_add_toast:
 * @self: a dialog
 * @message: what to say
 */
void
pd_hms_dialog_add_toast (PdHmsDialog *self,
                         const char  *message)
{
  g_return_if_fail (PD_IS_HMS_DIALOG (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}
