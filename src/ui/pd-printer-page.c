/* pd-printer-page.c — everything about one printer, and its controls
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-printer-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-application.h"
#include "pd-ams-view.h"
#include "pd-camera-view.h"
#include "pd-enums.h"
#include "pd-format.h"
#include "pd-job-group.h"
#include "pd-model.h"
#include "pd-printer-dialog.h"
#include "pd-printer-page.h"
#include "pd-temperature-chart.h"
#include "pd-widget-util.h"
#include "pd-window.h"

struct _PdPrinterPage
{
  GtkWidget       parent_instance;

  PdPrinterStore *store;
  PdPrinter      *printer;
  PdSession      *session;
  GSignalGroup   *printer_signals;
  GSignalGroup   *hms_signals;   /* on the printer's HMS list */
  GSignalGroup   *units_signals; /* on the printer's AMS units */
  GSignalGroup   *session_signals;
  GSignalGroup   *debug_signals; /* on the printer's debug log */
  gboolean        light_on;
  gboolean        notifications_on;

  AdwWindowTitle *title;
  AdwActionRow   *status_row;
  AdwActionRow   *health_row;
  GtkWidget      *ams_group;
  PdAmsView      *ams_view;
  GtkWidget      *camera_group;
  PdCameraView   *camera_view;
  GtkWidget      *camera_window_button;
  GtkWidget      *snapshot_button;
  GtkWidget      *snapshots_button;
  GtkImage       *health_icon;
  GtkImage       *status_icon;
  AdwActionRow   *job_row;
  GtkProgressBar *progress_bar;
  GtkLabel       *percent_label;
  AdwActionRow   *layer_row;
  GtkLabel       *layer_label;
  AdwActionRow   *time_row;
  GtkLabel       *time_label;
  AdwActionRow   *grams_row;
  GtkLabel       *grams_label;
  PdJobGroup     *job_group;
  AdwActionRow   *light_row;
  AdwActionRow   *notify_row;
  AdwActionRow   *nozzle_row;
  GtkLabel       *nozzle_label;
  AdwActionRow   *nozzle_right_row;
  GtkLabel       *nozzle_right_label;
  GtkLabel       *bed_label;
  AdwActionRow   *chamber_row;
  GtkLabel       *chamber_label;
  GtkWidget      *chart_group;
  GtkWidget      *chart_box;
  GtkWidget      *chart;
  AdwActionRow   *connection_row;
  GtkImage       *connection_icon;
  GtkWidget      *trust_button;
  GtkWidget      *edit_code_button;
  AdwActionRow   *address_row;
  AdwActionRow   *serial_row;
  AdwActionRow   *model_row;
  AdwActionRow   *firmware_row;
  AdwActionRow   *wifi_row;
  AdwActionRow   *fingerprint_row;
  GtkWidget      *debug_group;
  AdwActionRow   *debug_row;
  GtkWidget      *debug_capture_button;
};

G_DEFINE_FINAL_TYPE (PdPrinterPage, pd_printer_page, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_LIGHT_ON,
  PROP_NOTIFICATIONS_ON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Commands ---------------------------------------------------------------------*/

static void
toast (PdPrinterPage *self,
       const char    *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), PD_TYPE_WINDOW);

  if (window != NULL)
    pd_window_add_toast (PD_WINDOW (window), text);
  else
    g_message ("%s", text);
}

typedef struct
{
  PdPrinterPage *page;
  char          *what;
} SendData;

static void
on_command_sent (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  SendData            *send = data;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError)   error = NULL;

  reply = pd_session_send_finish (PD_SESSION (source), result, &error);
  if (error != NULL && send->page != NULL)
    {
      /* TRANSLATORS: "Could not pause: The printer refused the command: verify failed" */
      g_autofree char *text = g_strdup_printf (_("Could not %s: %s"), send->what, error->message);

      toast (send->page, text);
    }

  if (send->page != NULL)
    g_object_remove_weak_pointer (G_OBJECT (send->page), (gpointer *) &send->page);
  g_free (send->what);
  g_free (send);
}

static void
send_command (PdPrinterPage *self,
              const char    *json,
              const char    *what)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  SendData              *send;

  if (self->session == NULL)
    return;

  if (!json_parser_load_from_data (parser, json, -1, NULL))
    g_return_if_reached ();

  send = g_new0 (SendData, 1);
  send->page = self;
  send->what = g_strdup (what);
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &send->page);
  pd_session_send_async (self->session, json_parser_get_root (parser), NULL, on_command_sent, send);
}

static void
pause_print (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  /* TRANSLATORS: completes "Could not %s" */
  send_command (PD_PRINTER_PAGE (widget), "{\"print\":{\"command\":\"pause\",\"param\":\"\"}}", _("pause"));
}

static void
resume_print (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  /* TRANSLATORS: completes "Could not %s" */
  send_command (PD_PRINTER_PAGE (widget), "{\"print\":{\"command\":\"resume\",\"param\":\"\"}}", _("resume"));
}

static void
on_stop_response (AdwMessageDialog *dialog,
                  const char       *response,
                  PdPrinterPage    *self)
{
  if (g_strcmp0 (response, "stop") == 0)
    /* TRANSLATORS: completes "Could not %s" */
    send_command (self, "{\"print\":{\"command\":\"stop\",\"param\":\"\"}}", _("stop the print"));
}

static GtkWindow *
page_window (PdPrinterPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static const char *
printer_name (PdPrinter *printer)
{
  if (pd_printer_get_name (printer) != NULL)
    return pd_printer_get_name (printer);
  if (pd_printer_get_model_name (printer) != NULL)
    return pd_printer_get_model_name (printer);

  return pd_printer_get_serial (printer);
}

static void
stop_print (GtkWidget  *widget,
            const char *action,
            GVariant   *parameter)
{
  PdPrinterPage    *self = PD_PRINTER_PAGE (widget);
  AdwMessageDialog *dialog;
  g_autofree char  *heading = g_strdup_printf (_("Stop the Print on “%s”?"), printer_name (self->printer));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (page_window (self), heading,
                                                       _("The job cannot be resumed once stopped.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "stop", _("_Stop Print"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stop_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
send_light (PdPrinterPage *self,
            gboolean       on)
{
  const char      *mode = on ? "on" : "off";
  g_autofree char *json = g_strdup_printf ("{\"system\":{\"command\":\"ledctrl\",\"led_node\":\"chamber_light\","
                                           "\"led_mode\":\"%s\",\"led_on_time\":500,\"led_off_time\":500,"
                                           "\"loop_times\":0,\"interval_time\":0}}",
                                           mode);

  /* TRANSLATORS: completes "Could not %s" */
  send_command (self, json, on ? _("turn the light on") : _("turn the light off"));

  /* H2 printers have a second chamber light, switched separately. */
  if (g_str_has_prefix (pd_printer_get_model (self->printer) ? pd_printer_get_model (self->printer) : "", "H2"))
    {
      g_autofree char *second = g_strdup_printf ("{\"system\":{\"command\":\"ledctrl\",\"led_node\":\"chamber_light2\","
                                                 "\"led_mode\":\"%s\",\"led_on_time\":500,\"led_off_time\":500,"
                                                 "\"loop_times\":0,\"interval_time\":0}}",
                                                 mode);

      send_command (self, second, on ? _("turn the light on") : _("turn the light off"));
    }
}

static void
refresh (GtkWidget  *widget,
         const char *action,
         GVariant   *parameter)
{
  /* TRANSLATORS: completes "Could not %s" */
  send_command (PD_PRINTER_PAGE (widget), "{\"pushing\":{\"command\":\"pushall\"}}", _("refresh"));
}

static void
edit_printer (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  PdPrinterPage *self = PD_PRINTER_PAGE (widget);
  GtkWidget     *dialog;

  dialog = pd_printer_dialog_new_edit (self->store, self->printer);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), page_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autofree char   *name = data;
  g_autoptr (GError) error = NULL;
  GApplication      *app = g_application_get_default ();
  GtkWindow         *window = app != NULL ? gtk_application_get_active_window (GTK_APPLICATION (app)) : NULL;
  g_autofree char   *text = NULL;

  if (pd_printer_store_remove_finish (PD_PRINTER_STORE (source), result, &error))
    /* TRANSLATORS: a toast, "Removed “X1C Left”" */
    text = g_strdup_printf (_("Removed “%s”"), name);
  else
    /* TRANSLATORS: a toast, "Removed “X1C Left”, but: The keyring is locked." */
    text = g_strdup_printf (_("Could not remove “%s” completely: %s"), name, error->message);

  if (PD_IS_WINDOW (window))
    pd_window_add_toast (PD_WINDOW (window), text);
}

static void
on_remove_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PdPrinterPage    *self)
{
  if (g_strcmp0 (response, "remove") != 0 || self->printer == NULL)
    return;

  pd_printer_store_remove_async (self->store, pd_printer_get_serial (self->printer), NULL, on_removed,
                                 g_strdup (printer_name (self->printer)));
}

static void
remove_printer (GtkWidget  *widget,
                const char *action,
                GVariant   *parameter)
{
  PdPrinterPage    *self = PD_PRINTER_PAGE (widget);
  AdwMessageDialog *dialog;
  g_autofree char  *heading = g_strdup_printf (_("Remove “%s”?"), printer_name (self->printer));

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (page_window (self), heading,
                                                       _("Printdeck stops watching it and forgets its access code. "
                                                         "The printer itself is not changed.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_trust_response (AdwMessageDialog *dialog,
                   const char       *response,
                   PdPrinterPage    *self)
{
  if (g_strcmp0 (response, "trust") == 0 && self->session != NULL)
    pd_session_accept_certificate (self->session);
}

static void
trust_certificate (GtkWidget  *widget,
                   const char *action,
                   GVariant   *parameter)
{
  PdPrinterPage    *self = PD_PRINTER_PAGE (widget);
  AdwMessageDialog *dialog;
  g_autofree char  *body = NULL;

  body = g_strdup_printf (_("The printer now presents a different certificate. This happens when its "
                            "firmware was reset or replaced; it also happens when another device pretends to "
                            "be the printer. Compare the fingerprint with the printer's if you can.\n\n"
                            "New: %s\nBefore: %s"),
                             pd_session_get_fingerprint (self->session),
                             pd_session_get_pinned_fingerprint (self->session));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (page_window (self), _("Trust the New Certificate?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust and Connect"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "trust", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_trust_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Showing the state ----------------------------------------------------------*/

static void
set_row (AdwActionRow *row,
         GtkLabel     *label,
         const char   *text)
{
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL);
  if (label != NULL)
    gtk_label_set_label (label, text != NULL ? text : "");
  else
    adw_action_row_set_subtitle (row, text != NULL ? text : "");
}

static void
set_temperature (GtkLabel      *label,
                 PdTemperature *temp)
{
  g_autofree char *text = NULL;

  if (temp != NULL)
    text = pd_format_temperature (pd_temperature_get_current (temp), pd_temperature_get_target (temp));
  gtk_label_set_label (label, text != NULL ? text : "—");
}

/* Also all a change of the temperature unit needs here; the chart and the
 * AMS view watch the unit themselves.
 */
static void
sync_temperatures (PdPrinterPage *self)
{
  PdPrinter *printer = self->printer;

  if (printer == NULL)
    return;

  set_temperature (self->nozzle_label, pd_printer_get_nozzle (printer));
  set_temperature (self->nozzle_right_label, pd_printer_get_nozzle_right (printer));
  set_temperature (self->bed_label, pd_printer_get_bed (printer));
  set_temperature (self->chamber_label, pd_printer_get_chamber (printer));
}

static void
sync_actions (PdPrinterPage *self)
{
  gboolean connected = self->printer != NULL && pd_printer_get_connection (self->printer) == PD_CONNECTION_CONNECTED;
  PdStatus status = self->printer != NULL ? pd_printer_get_status (self->printer) : PD_STATUS_UNKNOWN;
  gboolean running = status == PD_STATUS_PRINTING || status == PD_STATUS_PREPARING;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.pause", connected && running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.resume", connected && status == PD_STATUS_PAUSED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.stop", connected && (running || status == PD_STATUS_PAUSED));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.light",
                                 connected && pd_printer_get_light (self->printer) != PD_TRISTATE_UNKNOWN);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.refresh", connected);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.edit", self->printer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.remove", self->printer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.toggle-debug", self->printer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.show-debug-log", self->printer != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "printer.trust-certificate",
                                 self->session != NULL &&
                                   pd_session_get_reason (self->session) == PD_SESSION_REASON_CERTIFICATE_CHANGED);
}

/* MQTT debug log ------------------------------------------------------------------*/

static PdDebugManager *
debug_manager (void)
{
  GApplication *app = g_application_get_default ();

  return PD_IS_APPLICATION (app) ? pd_application_get_debug (PD_APPLICATION (app)) : NULL;
}

static void
sync_debug (PdPrinterPage *self)
{
  PdDebugLog *log = g_signal_group_dup_target (self->debug_signals);
  gboolean    capturing = log != NULL && pd_debug_log_get_capturing (log);

  gtk_widget_set_visible (self->debug_group, log != NULL);
  gtk_button_set_label (GTK_BUTTON (self->debug_capture_button), capturing ? _("Stop") : _("Start MQTT Debug"));
  adw_action_row_set_subtitle (self->debug_row, capturing ? _("Capturing every message to and from the printer")
                                                          : _("Every message to and from the printer, for bug reports"));
  g_clear_object (&log);
}

static void
update_debug (PdPrinterPage *self)
{
  PdDebugManager *manager = debug_manager ();

  g_signal_group_set_target (self->debug_signals, manager != NULL && self->printer != NULL
                                                    ? pd_debug_manager_get_log (manager, self->printer)
                                                    : NULL);
  sync_debug (self);
}

static void
toggle_debug (GtkWidget  *widget,
              const char *action,
              GVariant   *parameter)
{
  PdPrinterPage *self = PD_PRINTER_PAGE (widget);

  if (self->printer != NULL)
    gtk_widget_activate_action (widget, "app.toggle-debug", "s", pd_printer_get_serial (self->printer));
}

static void
show_debug_log (GtkWidget  *widget,
                const char *action,
                GVariant   *parameter)
{
  PdPrinterPage *self = PD_PRINTER_PAGE (widget);

  if (self->printer != NULL)
    gtk_widget_activate_action (widget, "app.show-debug-log", "s", pd_printer_get_serial (self->printer));
}

/* No camera, no camera section. The view is a viewer only while the page is
 * on screen, so the printer's camera runs only while someone looks.
 */

/* A small, secondary view: redrawn at the camera wall's rate (see
 * pd_camera_view_set_max_fps()); bound once. */
static void
bind_tile_fps (PdCameraView *view)
{
  GApplication *app = g_application_get_default ();

  if (g_object_get_data (G_OBJECT (view), "pd-fps-bound") != NULL || !PD_IS_APPLICATION (app) ||
      pd_application_get_settings (PD_APPLICATION (app)) == NULL)
    return;

  g_settings_bind (pd_application_get_settings (PD_APPLICATION (app)), "camera-tile-fps", view, "max-fps",
                   G_SETTINGS_BIND_GET);
  g_object_set_data (G_OBJECT (view), "pd-fps-bound", GINT_TO_POINTER (TRUE));
}

static void
update_camera (PdPrinterPage *self)
{
  PdCameraKind    kind = self->printer != NULL ? pd_printer_get_camera_kind (self->printer) : PD_CAMERA_KIND_UNKNOWN;
  PdCameraSource *camera = NULL;
  GtkWidget      *buttons[] = { self->camera_window_button, self->snapshot_button, self->snapshots_button };
  const char     *actions[] = { "app.show-camera", "app.take-snapshot", "app.show-snapshots" };

  if (self->store != NULL && (kind == PD_CAMERA_KIND_RTSPS || kind == PD_CAMERA_KIND_JPEG))
    camera = pd_printer_store_get_camera (self->store, self->printer);

  gtk_widget_set_visible (self->camera_group, camera != NULL);
  pd_camera_view_set_source (self->camera_view, camera);
  bind_tile_fps (self->camera_view);
  if (self->printer == NULL)
    return;

  pd_camera_view_set_printer_name (self->camera_view, printer_name (self->printer));
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    {
      /* The target first: an action name without its target is a mismatch. */
      gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "s", pd_printer_get_serial (self->printer));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (buttons[i]), actions[i]);
    }
}

/* No AMS, no filament section. */
static void
update_ams_group (PdPrinterPage *self)
{
  gtk_widget_set_visible (self->ams_group, self->printer != NULL &&
                                             g_list_model_get_n_items (pd_printer_get_ams_units (self->printer)) > 0);
}

static void
sync_health (PdPrinterPage *self,
             PdPrinter     *printer)
{
  PdSeverity       level = pd_printer_get_hms_level (printer);
  guint            n = g_list_model_get_n_items (pd_printer_get_hms_errors (printer));
  g_autofree char *summary = pd_format_hms_summary (level, n);
  const char      *classes[] = { "ok", "info", "common", "serious", "fatal" };

  adw_action_row_set_subtitle (self->health_row, summary);
  pd_image_set_icon_name (self->health_icon, pd_severity_icon_name (n > 0 ? level : PD_SEVERITY_NONE));
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->health_icon), classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->health_icon), pd_severity_style_class (n > 0 ? level : PD_SEVERITY_NONE));
  if (pd_printer_get_serial (printer) != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->health_row), "s", pd_printer_get_serial (printer));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->health_row), "win.show-health");
    }
}

static void
update_page (PdPrinterPage *self)
{
  PdPrinter             *printer = self->printer;
  PdJob                 *job;
  PdStatus               status;
  PdConnection           connection;
  const PdPrinterConfig *config;
  const char            *reason;
  const char            *stage;
  g_autofree char       *status_text = NULL;
  g_autofree char       *percent = NULL;
  g_autofree char       *layer = NULL;
  g_autofree char       *remaining = NULL;
  g_autofree char       *finish = NULL;
  g_autofree char       *time_text = NULL;
  g_autofree char       *grams = NULL;
  g_autofree char       *address = NULL;
  g_autofree char       *wifi = NULL;
  gboolean               light;
  gboolean               active;

  if (printer == NULL)
    return;

  status = pd_printer_get_status (printer);
  connection = pd_printer_get_connection (printer);
  job = pd_printer_get_job (printer);
  active = job != NULL && (status == PD_STATUS_PRINTING || status == PD_STATUS_PREPARING || status == PD_STATUS_PAUSED);

  adw_window_title_set_title (self->title, printer_name (printer));
  pd_camera_view_set_printer_name (self->camera_view, printer_name (printer));
  adw_window_title_set_subtitle (self->title, pd_printer_get_model_name (printer));

  stage = pd_printer_get_stage (printer);
  /* "Printing · Printing" says nothing twice */
  if (stage != NULL && g_strcmp0 (stage, pd_status_to_label (status)) != 0)
    status_text = g_strdup_printf ("%s · %s", pd_status_to_label (status), stage);
  else
    status_text = g_strdup (pd_status_to_label (status));
  adw_action_row_set_subtitle (self->status_row, status_text);
  sync_health (self, printer);
  pd_image_set_icon_name (self->status_icon, pd_status_icon_name (status));

  gtk_widget_set_visible (GTK_WIDGET (self->job_row), job != NULL && pd_job_get_name (job) != NULL);
  if (job != NULL)
    {
      adw_action_row_set_subtitle (self->job_row, pd_job_get_name (job) ? pd_job_get_name (job) : "");
      gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->progress_bar)), active);
      gtk_progress_bar_set_fraction (self->progress_bar, MAX (pd_job_get_progress (job), 0) / 100.0);
      percent = pd_format_percent (pd_job_get_progress (job));
      gtk_label_set_label (self->percent_label, percent != NULL ? percent : "");

      if (active)
        {
          layer = pd_format_layer (pd_job_get_layer (job), pd_job_get_total_layers (job));
          remaining = pd_format_duration (pd_job_get_remaining_minutes (job));
          finish = pd_format_finish_time (pd_job_get_finish_time (job), g_get_real_time ());
          if (remaining != NULL)
            time_text = finish != NULL ? g_strdup_printf ("%s · %s", remaining, finish) : g_strdup (remaining);
          grams = pd_format_grams_of (pd_job_get_filament_grams_used (job), pd_job_get_filament_grams_total (job));
        }
    }
  set_row (self->layer_row, self->layer_label, layer);
  set_row (self->time_row, self->time_label, time_text);
  set_row (self->grams_row, self->grams_label, grams);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->nozzle_row),
                                 pd_printer_get_nozzle_right (printer) != NULL ? _("Left Nozzle") : _("Nozzle"));
  gtk_widget_set_visible (GTK_WIDGET (self->nozzle_right_row), pd_printer_get_nozzle_right (printer) != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->chamber_row), pd_printer_get_chamber (printer) != NULL);
  sync_temperatures (self);

  light = pd_printer_get_light (printer) == PD_TRISTATE_YES;
  if (self->light_on != light)
    {
      self->light_on = light;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIGHT_ON]);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->light_row), pd_printer_get_light (printer) != PD_TRISTATE_UNKNOWN);

  reason = pd_session_reason_to_label (pd_printer_get_connection_reason (printer));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->connection_row), pd_connection_to_label (connection));
  adw_action_row_set_subtitle (self->connection_row,
                               connection == PD_CONNECTION_CONNECTED || reason == NULL ? "" : reason);
  pd_image_set_icon_name (self->connection_icon, pd_connection_icon_name (connection));
  for (guint i = 0; i < 3; i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->connection_icon),
                                 (const char *[]){ "connected", "connecting", "disconnected" }[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->connection_icon), pd_connection_style_class (connection));
  gtk_widget_set_visible (self->trust_button,
                          pd_printer_get_connection_reason (printer) == PD_SESSION_REASON_CERTIFICATE_CHANGED);
  gtk_widget_set_visible (self->edit_code_button,
                          connection != PD_CONNECTION_CONNECTED &&
                            (pd_printer_get_connection_reason (printer) == PD_SESSION_REASON_WRONG_ACCESS_CODE ||
                             pd_printer_get_connection_reason (printer) == PD_SESSION_REASON_NO_ACCESS_CODE));

  config = self->store != NULL ? pd_printer_store_get_config (self->store, printer) : NULL;
  if (config != NULL)
    address = config->port == PD_SESSION_DEFAULT_PORT ? g_strdup (config->host)
                                                      : g_strdup_printf ("%s:%u", config->host, config->port);
  adw_action_row_set_subtitle (self->address_row, address != NULL ? address : "—");
  adw_action_row_set_subtitle (self->serial_row, pd_printer_get_serial (printer));
  adw_action_row_set_subtitle (self->model_row,
                               pd_printer_get_model_name (printer) ? pd_printer_get_model_name (printer)
                                                                   : _("Not known yet"));
  set_row (self->firmware_row, NULL, pd_printer_get_firmware (printer));
  wifi = pd_format_wifi (pd_printer_get_wifi_dbm (printer));
  set_row (self->wifi_row, NULL, wifi);
  set_row (self->fingerprint_row, NULL,
           self->session != NULL ? pd_session_get_pinned_fingerprint (self->session) : NULL);

  sync_actions (self);
}

/* GObject ------------------------------------------------------------------------*/

static void
pd_printer_page_dispose (GObject *object)
{
  GtkWidget     *child;
  PdPrinterPage *self = PD_PRINTER_PAGE (object);

  g_signal_group_set_target (self->printer_signals, NULL);
  g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->printer_signals);
  if (self->hms_signals != NULL)
    g_signal_group_set_target (self->hms_signals, NULL);
  g_clear_object (&self->hms_signals);
  if (self->units_signals != NULL)
    g_signal_group_set_target (self->units_signals, NULL);
  g_clear_object (&self->units_signals);
  g_clear_object (&self->session_signals);
  if (self->debug_signals != NULL)
    g_signal_group_set_target (self->debug_signals, NULL);
  g_clear_object (&self->debug_signals);
  g_clear_object (&self->printer);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_PRINTER_PAGE);
  /* A plain GtkWidget unparents its children itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pd_printer_page_parent_class)->dispose (object);
}

static PdNotificationCenter *
notification_center (void)
{
  GApplication *app = g_application_get_default ();

  return PD_IS_APPLICATION (app) ? pd_application_get_notifications (PD_APPLICATION (app)) : NULL;
}

/* The switch shows whether this printer notifies; only with the app. */
static void
update_notifications (PdPrinterPage *self)
{
  PdNotificationCenter *center = notification_center ();
  gboolean              on = self->printer != NULL && center != NULL &&
                             !pd_notification_center_get_muted (center, pd_printer_get_serial (self->printer));

  gtk_widget_set_visible (GTK_WIDGET (self->notify_row), self->printer != NULL && center != NULL);
  if (self->notifications_on == on)
    return;

  self->notifications_on = on;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTIFICATIONS_ON]);
}

static void
pd_printer_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PdPrinterPage *self = PD_PRINTER_PAGE (object);

  switch (prop_id)
    {
    case PROP_LIGHT_ON:
      g_value_set_boolean (value, self->light_on);
      break;

    case PROP_NOTIFICATIONS_ON:
      g_value_set_boolean (value, self->notifications_on);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PdPrinterPage *self = PD_PRINTER_PAGE (object);

  switch (prop_id)
    {
    case PROP_LIGHT_ON:
      /* Only the action sets it: the switch was flipped. The printer's
       * next report confirms (or corrects) the state.
       */
      if (self->light_on != g_value_get_boolean (value))
        {
          self->light_on = g_value_get_boolean (value);
          send_light (self, self->light_on);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_NOTIFICATIONS_ON:
      /* The switch was flipped: this printer is muted, or not. */
      if (self->notifications_on != g_value_get_boolean (value) && self->printer != NULL &&
          notification_center () != NULL)
        {
          self->notifications_on = g_value_get_boolean (value);
          pd_notification_center_set_muted (notification_center (), pd_printer_get_serial (self->printer),
                                            !self->notifications_on);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_page_class_init (PdPrinterPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_printer_page_dispose;
  object_class->get_property = pd_printer_page_get_property;
  object_class->set_property = pd_printer_page_set_property;

  properties[PROP_LIGHT_ON] =
    g_param_spec_boolean ("light-on", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOTIFICATIONS_ON] =
    g_param_spec_boolean ("notifications-on", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  g_type_ensure (PD_TYPE_AMS_VIEW);
  g_type_ensure (PD_TYPE_CAMERA_VIEW);
  g_type_ensure (PD_TYPE_JOB_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-printer-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, title);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, health_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, ams_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, ams_view);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, camera_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, camera_view);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, camera_window_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, snapshot_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, snapshots_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, health_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, job_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, percent_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, layer_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, layer_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, time_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, time_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, grams_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, grams_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, job_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, light_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, notify_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, nozzle_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, nozzle_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, nozzle_right_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, nozzle_right_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, bed_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, chamber_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, chamber_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, chart_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, chart_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, connection_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, trust_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, edit_code_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, serial_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, model_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, firmware_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, wifi_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, debug_group);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, debug_row);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterPage, debug_capture_button);

  gtk_widget_class_install_action (widget_class, "printer.pause", NULL, pause_print);
  gtk_widget_class_install_action (widget_class, "printer.resume", NULL, resume_print);
  gtk_widget_class_install_action (widget_class, "printer.stop", NULL, stop_print);
  gtk_widget_class_install_property_action (widget_class, "printer.light", "light-on");
  gtk_widget_class_install_property_action (widget_class, "printer.notifications", "notifications-on");
  gtk_widget_class_install_action (widget_class, "printer.refresh", NULL, refresh);
  gtk_widget_class_install_action (widget_class, "printer.edit", NULL, edit_printer);
  gtk_widget_class_install_action (widget_class, "printer.remove", NULL, remove_printer);
  gtk_widget_class_install_action (widget_class, "printer.trust-certificate", NULL, trust_certificate);
  gtk_widget_class_install_action (widget_class, "printer.toggle-debug", NULL, toggle_debug);
  gtk_widget_class_install_action (widget_class, "printer.show-debug-log", NULL, show_debug_log);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "printer.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "printer.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "printer.edit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "printer.show-debug-log", NULL);
}

static void
pd_printer_page_init (PdPrinterPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->printer_signals, "state-changed", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::connection", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::connection-reason", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::name", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::hms-level", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->printer_signals, "notify::camera-kind", G_CALLBACK (update_camera), self);
  self->hms_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->hms_signals, "items-changed", G_CALLBACK (update_page), self);
  self->units_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->units_signals, "items-changed", G_CALLBACK (update_ams_group), self);

  self->session_signals = g_signal_group_new (PD_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::pinned-fingerprint", G_CALLBACK (update_page), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::reason", G_CALLBACK (update_page), self);

  self->debug_signals = g_signal_group_new (PD_TYPE_DEBUG_LOG);
  g_signal_group_connect_swapped (self->debug_signals, "notify::capturing", G_CALLBACK (sync_debug), self);

  pd_format_watch_temperature_unit (self, G_CALLBACK (sync_temperatures));
  sync_actions (self);

  /* Muted or not from elsewhere (another window's page, the settings) */
  if (PD_IS_APPLICATION (g_application_get_default ()) &&
      pd_application_get_settings (PD_APPLICATION (g_application_get_default ())) != NULL)
    g_signal_connect_object (pd_application_get_settings (PD_APPLICATION (g_application_get_default ())),
                             "changed::notify-muted-printers", G_CALLBACK (update_notifications), self,
                             G_CONNECT_SWAPPED);
}

void
pd_printer_page_set_store (PdPrinterPage  *self,
                           PdPrinterStore *store)
{
  g_return_if_fail (PD_IS_PRINTER_PAGE (self));

  g_set_object (&self->store, store);
}

PdPrinter *
pd_printer_page_get_printer (PdPrinterPage *self)
{
  g_return_val_if_fail (PD_IS_PRINTER_PAGE (self), NULL);

  return self->printer;
}

/**
 * pd_printer_page_set_printer:
 * @self: the page
 * @printer: (nullable): the printer to show
 * @session: (nullable): its session, for the controls
 */
void
pd_printer_page_set_printer (PdPrinterPage *self,
                             PdPrinter     *printer,
                             PdSession     *session)
{
  PdTemperatureHistory *history = NULL;

  g_return_if_fail (PD_IS_PRINTER_PAGE (self));

  g_set_object (&self->printer, printer);
  g_set_object (&self->session, session);
  g_signal_group_set_target (self->printer_signals, printer);
  g_signal_group_set_target (self->hms_signals, printer != NULL ? pd_printer_get_hms_errors (printer) : NULL);
  g_signal_group_set_target (self->units_signals, printer != NULL ? pd_printer_get_ams_units (printer) : NULL);
  pd_ams_view_set_printer (self->ams_view, printer);
  pd_job_group_set_printer (self->job_group, printer);
  update_ams_group (self);
  update_camera (self);
  update_debug (self);
  update_notifications (self);
  g_signal_group_set_target (self->session_signals, session);

  if (self->chart != NULL)
    {
      gtk_box_remove (GTK_BOX (self->chart_box), self->chart);
      self->chart = NULL;
    }
  if (printer != NULL && g_application_get_default () != NULL)
    history = pd_application_get_history (PD_APPLICATION (g_application_get_default ()), printer);
  gtk_widget_set_visible (self->chart_group, history != NULL);
  if (history != NULL)
    {
      self->chart = pd_temperature_chart_new (history);
      gtk_widget_set_hexpand (self->chart, TRUE);
      gtk_widget_set_size_request (self->chart, -1, 220);
      gtk_box_append (GTK_BOX (self->chart_box), self->chart);
    }

  update_page (self);
}

/**
 * pd_printer_page_set_humidity_thresholds:
 * @self: a page
 * @fair: above this relative humidity in %, "fair"
 * @high: above this, "high"
 */
void
pd_printer_page_set_humidity_thresholds (PdPrinterPage *self,
                                         guint          fair,
                                         guint          high)
{
  g_return_if_fail (PD_IS_PRINTER_PAGE (self));

  g_object_set (self->ams_view, "humidity-fair", fair, "humidity-high", high, NULL);
}
