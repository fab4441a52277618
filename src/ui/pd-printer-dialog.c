/* pd-printer-dialog.c — adding a printer, and changing one
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Found printers fill in the address, serial and model; only the access
 * code is typed. "Test" connects once with what was typed and says in plain
 * words what went wrong. Editing applies to the live session instead of
 * testing: printers accept very few clients, so no second connection is
 * opened to one that is already watched.
 */

#define G_LOG_DOMAIN "pd-printer-dialog"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "pd-application.h"
#include "pd-discovery.h"
#include "pd-enums.h"
#include "pd-model.h"
#include "pd-printer-dialog.h"
#include "pd-window.h"

#define TEST_TIMEOUT_SECONDS 20

struct _PdPrinterDialog
{
  AdwWindow       parent_instance;

  PdPrinterStore *store;
  PdPrinter      *editing;
  char           *fingerprint; /* pinned by a test connection */

  PdPrinter      *test_printer;
  PdSession      *test_session;
  guint           test_timeout_id;
  gboolean        saving;

  GtkWidget      *save_button;
  GtkRevealer    *error_revealer;
  GtkLabel       *error_label;
  GtkWidget      *discovered_group;
  GtkListBox     *discovered_list;
  AdwEntryRow    *name_row;
  AdwEntryRow    *host_row;
  AdwEntryRow    *serial_row;
  AdwEntryRow    *code_row;
  AdwComboRow    *model_row;
  GtkWidget      *code_group;
  GtkWidget      *test_group;
  AdwActionRow   *test_row;
  GtkSpinner     *test_spinner;
  AdwExpanderRow *advanced_row;
  AdwEntryRow    *port_row;
  AdwEntryRow    *bridge_user_row;
  GtkSwitch      *bridge_tls_switch;
};

G_DEFINE_FINAL_TYPE (PdPrinterDialog, pd_printer_dialog, ADW_TYPE_WINDOW)

static const char *
text_of (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
stripped (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (text_of (row)));
}

/* The model row: 0 is "Detect automatically", then the table's models. */
static const char *
selected_model (PdPrinterDialog *self)
{
  guint              selected = adw_combo_row_get_selected (self->model_row);
  guint              n_models;
  const PdModelInfo *models = pd_model_get_all (&n_models);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || selected > n_models)
    return NULL;

  return models[selected - 1].id;
}

static void
select_model (PdPrinterDialog *self,
              const char      *model)
{
  const PdModelInfo *info = pd_model_lookup (model);
  guint              n_models;
  const PdModelInfo *models = pd_model_get_all (&n_models);

  adw_combo_row_set_selected (self->model_row, info != NULL ? (guint) (info - models) + 1 : 0);
}

static PdPrinterConfig *
read_config (PdPrinterDialog *self)
{
  g_autofree char *serial = stripped (self->serial_row);
  g_autofree char *host = stripped (self->host_row);
  g_autofree char *name = stripped (self->name_row);
  g_autofree char *port = stripped (self->port_row);
  g_autofree char *bridge_user = stripped (self->bridge_user_row);
  PdPrinterConfig *config = pd_printer_config_new (serial, host);
  char            *end = NULL;
  guint64          port_number = g_ascii_strtoull (port, &end, 10);

  config->name = *name != '\0' ? g_steal_pointer (&name) : NULL;
  config->model = g_strdup (selected_model (self));
  /* 0 is refused by the validation */
  config->port = (end != NULL && *end == '\0' && port_number <= 65535) ? (guint) port_number : 0;
  config->bridge_user = *bridge_user != '\0' ? g_steal_pointer (&bridge_user) : NULL;
  config->bridge_tls = gtk_switch_get_active (self->bridge_tls_switch);

  if (self->editing != NULL)
    {
      const PdPrinterConfig *old = pd_printer_store_get_config (self->store, self->editing);

      if (old != NULL && g_strcmp0 (old->host, config->host) == 0 && old->port == config->port)
        config->fingerprint = g_strdup (old->fingerprint);
    }
  else
    config->fingerprint = g_strdup (self->fingerprint);

  return config;
}

static void
show_error (PdPrinterDialog *self,
            const char      *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
mark_row (gpointer row,
          gboolean bad)
{
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static void
on_changed (PdPrinterDialog *self)
{
  g_autoptr (PdPrinterConfig) config = read_config (self);
  g_autoptr (GError)          error = NULL;
  gboolean                    valid = pd_printer_config_validate (config, &error);
  gboolean                    have_code = *text_of (self->code_row) != '\0';

  /* Mark what is wrong only once something was typed there. */
  mark_row (self->host_row, *text_of (self->host_row) != '\0' && error != NULL &&
                              config->host != NULL && strchr (config->host, ' ') != NULL);
  mark_row (self->serial_row, *text_of (self->serial_row) != '\0' && !valid &&
                                strspn (config->serial, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
                                  strlen (config->serial));
  mark_row (self->port_row, config->port == 0);

  gtk_widget_set_sensitive (self->save_button, valid && (have_code || self->editing != NULL) && !self->saving);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dialog.test",
                                 valid && have_code && self->test_session == NULL);
}

/* Found printers ---------------------------------------------------------------*/

static void
use_discovered (PdPrinterDialog     *self,
                PdDiscoveredPrinter *found)
{
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), pd_discovered_printer_get_host (found));
  gtk_editable_set_text (GTK_EDITABLE (self->serial_row), pd_discovered_printer_get_serial (found));
  if (*text_of (self->name_row) == '\0' && pd_discovered_printer_get_name (found) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_row), pd_discovered_printer_get_name (found));
  select_model (self, pd_discovered_printer_get_model (found));
  gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
}

static void
on_discovered_activated (PdPrinterDialog *self,
                         GtkListBoxRow   *row)
{
  PdDiscoveredPrinter *found = g_object_get_data (G_OBJECT (row), "printer");

  if (found != NULL)
    use_discovered (self, found);
}

static GtkWidget *
create_discovered_row (gpointer item,
                       gpointer data)
{
  PdDiscoveredPrinter *found = item;
  const PdModelInfo   *model = pd_model_lookup (pd_discovered_printer_get_model (found));
  GtkWidget           *row = adw_action_row_new ();
  GtkWidget           *icon = gtk_image_new_from_icon_name ("go-next-symbolic");
  g_autofree char     *subtitle = NULL;
  const char          *name = pd_discovered_printer_get_name (found);

  subtitle = g_strdup_printf ("%s · %s · %s", model != NULL ? model->display_name : _("Unknown model"), pd_discovered_printer_get_host (found), pd_discovered_printer_get_serial (found));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? name : pd_discovered_printer_get_serial (found));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_sensitive (row, data == NULL);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  g_object_set_data_full (G_OBJECT (row), "printer", g_object_ref (found), g_object_unref);

  return row;
}

/* Testing -------------------------------------------------------------------------*/

static void
stop_test (PdPrinterDialog *self)
{
  g_clear_handle_id (&self->test_timeout_id, g_source_remove);
  if (self->test_session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->test_session, self);
      pd_session_stop (self->test_session);
    }
  g_clear_object (&self->test_session);
  g_clear_object (&self->test_printer);
  gtk_spinner_stop (self->test_spinner);
  on_changed (self);
}

static void
finish_test (PdPrinterDialog *self,
             const char      *result,
             gboolean         success)
{
  adw_action_row_set_subtitle (self->test_row, result);
  mark_row (self->test_row, !success);
  if (success)
    gtk_widget_add_css_class (GTK_WIDGET (self->test_row), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "success");
  stop_test (self);
}

static void
on_test_state (PdPrinterDialog *self)
{
  PdConnection    connection = pd_session_get_connection (self->test_session);
  PdSessionReason reason = pd_session_get_reason (self->test_session);

  if (connection == PD_CONNECTION_CONNECTED)
    {
      const char      *model = pd_printer_get_model_name (self->test_printer);
      g_autofree char *text = NULL;

      g_free (self->fingerprint);
      self->fingerprint = g_strdup (pd_session_get_pinned_fingerprint (self->test_session));
      if (model != NULL && selected_model (self) == NULL)
        select_model (self, pd_printer_get_model (self->test_printer));

      /* TRANSLATORS: test result, "Connected to an X1 Carbon." */
      text = g_strdup_printf (_("Connected to %s. It reports its state."),
                                 model != NULL ? model : _("the printer"));
      finish_test (self, text, TRUE);
    }
  else if (connection == PD_CONNECTION_DISCONNECTED && reason != PD_SESSION_REASON_NONE &&
           reason != PD_SESSION_REASON_STOPPED)
    finish_test (self, pd_session_reason_to_label (reason), FALSE);
}

static gboolean
on_test_timeout (gpointer data)
{
  PdPrinterDialog *self = data;
  PdSessionReason  reason = pd_session_get_reason (self->test_session);
  const char      *label = pd_session_reason_to_label (reason);

  self->test_timeout_id = 0;
  finish_test (self, label != NULL && reason != PD_SESSION_REASON_STOPPED ? label
                                                                          : _("The printer did not answer in time."),
                                                                               FALSE);

  return G_SOURCE_REMOVE;
}

static void
test_connection (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  PdPrinterDialog            *self = PD_PRINTER_DIALOG (widget);
  g_autoptr (PdPrinterConfig) config = read_config (self);

  if (self->test_session != NULL)
    return;

  self->test_printer = pd_printer_new (config->serial);
  pd_printer_set_configured_model (self->test_printer, config->model);
  self->test_session = pd_session_new (self->test_printer, config->host);
  pd_session_set_port (self->test_session, config->port);
  if (config->bridge_user != NULL)
    pd_session_set_bridge (self->test_session, config->bridge_user, text_of (self->code_row), config->bridge_tls);
  else
    pd_session_set_access_code (self->test_session, text_of (self->code_row));
  g_signal_connect_swapped (self->test_session, "notify::connection", G_CALLBACK (on_test_state), self);

  adw_action_row_set_subtitle (self->test_row, _("Connecting…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_row), "success");
  gtk_spinner_start (self->test_spinner);
  self->test_timeout_id = g_timeout_add_seconds (TEST_TIMEOUT_SECONDS, on_test_timeout, self);
  pd_session_start (self->test_session);
  on_changed (self);
}

/* Saving ------------------------------------------------------------------------------*/

static void
saved (PdPrinterDialog *self,
       const char      *toast)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (PD_IS_WINDOW (parent))
    pd_window_add_toast (PD_WINDOW (parent), toast);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr (PdPrinterDialog) self = data;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (GError)          error = NULL;

  self->saving = FALSE;
  printer = pd_printer_store_add_finish (PD_PRINTER_STORE (source), result, &error);
  if (printer == NULL)
    {
      show_error (self, error->message);
      on_changed (self);
      return;
    }

  {
    /* TRANSLATORS: a toast, "Added “X1C Left”" */
    g_autofree char *text = g_strdup_printf (_("Added “%s”"), pd_printer_get_name (printer) ? pd_printer_get_name (printer)
                                                                                             : pd_printer_get_serial (printer));
    saved (self, text);
  }
}

static void
on_updated (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (PdPrinterDialog) self = data;
  g_autoptr (GError)          error = NULL;

  self->saving = FALSE;
  if (!pd_printer_store_update_finish (PD_PRINTER_STORE (source), result, &error))
    {
      show_error (self, error->message);
      on_changed (self);
      return;
    }

  saved (self, _("Printer changed"));
}

static void
save (GtkWidget  *widget,
      const char *action,
      GVariant   *parameter)
{
  PdPrinterDialog            *self = PD_PRINTER_DIALOG (widget);
  g_autoptr (PdPrinterConfig) config = read_config (self);
  g_autoptr (GError)          error = NULL;
  const char                 *code = text_of (self->code_row);

  if (!pd_printer_config_validate (config, &error))
    {
      show_error (self, error->message);
      return;
    }

  stop_test (self);
  show_error (self, NULL);
  self->saving = TRUE;
  gtk_widget_set_sensitive (self->save_button, FALSE);

  if (self->editing != NULL)
    pd_printer_store_update_async (self->store, config, *code != '\0' ? code : NULL, NULL, on_updated,
                                   g_object_ref (self));
  else
    pd_printer_store_add_async (self->store, config, code, NULL, on_added, g_object_ref (self));
}

/* GObject ---------------------------------------------------------------------------------*/

static void
pd_printer_dialog_dispose (GObject *object)
{
  PdPrinterDialog *self = PD_PRINTER_DIALOG (object);

  stop_test (self);
  g_clear_object (&self->store);
  g_clear_object (&self->editing);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_PRINTER_DIALOG);

  G_OBJECT_CLASS (pd_printer_dialog_parent_class)->dispose (object);
}

static void
pd_printer_dialog_finalize (GObject *object)
{
  PdPrinterDialog *self = PD_PRINTER_DIALOG (object);

  g_free (self->fingerprint);

  G_OBJECT_CLASS (pd_printer_dialog_parent_class)->finalize (object);
}

static void
pd_printer_dialog_class_init (PdPrinterDialogClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_printer_dialog_dispose;
  object_class->finalize = pd_printer_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-printer-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, discovered_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, discovered_list);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, serial_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, code_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, model_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, code_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, test_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, bridge_user_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterDialog, bridge_tls_switch);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save);
  gtk_widget_class_install_action (widget_class, "dialog.test", NULL, test_connection);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pd_printer_dialog_init (PdPrinterDialog *self)
{
  g_autoptr (GtkStringList) models = gtk_string_list_new (NULL);
  guint                     n_models;
  const PdModelInfo        *table = pd_model_get_all (&n_models);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (models, _("Detect automatically"));
  for (guint i = 0; i < n_models; i++)
    gtk_string_list_append (models, table[i].display_name);
  adw_combo_row_set_model (self->model_row, G_LIST_MODEL (models));
  g_signal_connect_swapped (self->model_row, "notify::selected", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->bridge_tls_switch, "notify::active", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->discovered_list, "row-activated", G_CALLBACK (on_discovered_activated), self);

  on_changed (self);
}

static PdPrinterDialog *
dialog_new (PdPrinterStore *store)
{
  PdPrinterDialog *self = g_object_new (PD_TYPE_PRINTER_DIALOG, NULL);
  GApplication    *app = g_application_get_default ();
  PdDiscovery     *discovery = PD_IS_APPLICATION (app) ? pd_application_get_discovery (PD_APPLICATION (app)) : NULL;
  GtkWidget       *placeholder;

  self->store = g_object_ref (store);

  placeholder = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (placeholder), _("No printer has announced itself yet"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (placeholder),
                               _("Printers on another network or behind a firewall are added by their address."));
  gtk_list_box_set_placeholder (self->discovered_list, placeholder);
  if (discovery != NULL)
    gtk_list_box_bind_model (self->discovered_list, G_LIST_MODEL (discovery), create_discovered_row, NULL, NULL);
  gtk_widget_set_visible (self->discovered_group, discovery != NULL);

  return self;
}

/**
 * pd_printer_dialog_new_add:
 * @store: the printers
 *
 * Returns: (transfer floating): a dialog that adds a printer to @store
 */
GtkWidget *
pd_printer_dialog_new_add (PdPrinterStore *store)
{
  PdPrinterDialog *self;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);

  self = dialog_new (store);
  gtk_window_set_title (GTK_WINDOW (self), _("Add Printer"));
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Add"));

  return GTK_WIDGET (self);
}

/**
 * pd_printer_dialog_new_edit:
 * @store: the printers
 * @printer: one of them
 *
 * Returns: (transfer floating): a dialog that changes @printer
 */
GtkWidget *
pd_printer_dialog_new_edit (PdPrinterStore *store,
                            PdPrinter      *printer)
{
  PdPrinterDialog       *self;
  const PdPrinterConfig *config;
  g_autofree char       *port = NULL;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  self = dialog_new (store);
  self->editing = g_object_ref (printer);
  config = pd_printer_store_get_config (store, printer);

  gtk_window_set_title (GTK_WINDOW (self), _("Edit Printer"));
  gtk_button_set_label (GTK_BUTTON (self->save_button), _("_Save"));
  gtk_widget_set_visible (self->discovered_group, FALSE);
  gtk_widget_set_visible (self->test_group, FALSE);
  /* The serial is who the printer is: another serial is another printer. */
  gtk_editable_set_editable (GTK_EDITABLE (self->serial_row), FALSE);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->code_group),
                                         _("Leave the access code empty to keep the one in your keyring."));

  if (config != NULL)
    {
      port = g_strdup_printf ("%u", config->port);
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), config->name != NULL ? config->name : "");
      gtk_editable_set_text (GTK_EDITABLE (self->host_row), config->host);
      gtk_editable_set_text (GTK_EDITABLE (self->serial_row), config->serial);
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
      gtk_editable_set_text (GTK_EDITABLE (self->bridge_user_row), config->bridge_user != NULL ? config->bridge_user : "");
      gtk_switch_set_active (self->bridge_tls_switch, config->bridge_tls);
      select_model (self, config->model);
      adw_expander_row_set_expanded (self->advanced_row, config->port != PD_SESSION_DEFAULT_PORT || config->bridge_user != NULL);
    }

  on_changed (self);
  return GTK_WIDGET (self);
}

/* for the tests */
void
_pd_printer_dialog_fill (PdPrinterDialog *self,
                         const char      *name,
                         const char      *host,
                         const char      *serial,
                         const char      *access_code,
                         guint            port)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host);
  gtk_editable_set_text (GTK_EDITABLE (self->serial_row), serial);
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), access_code);
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port_text);
}

const char *
_pd_printer_dialog_get_test_result (PdPrinterDialog *self)
{
  return self->test_session != NULL ? NULL : adw_action_row_get_subtitle (self->test_row);
}
