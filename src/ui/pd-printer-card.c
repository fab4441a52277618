/* pd-printer-card.c — one printer at a glance
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Read from across the room: the name, whether the printer is there, what
 * it is doing, how far along it is and when it will be done, its
 * temperatures. Every value is a property of the PdPrinter; the card only
 * formats. It refreshes once per report (PdPrinter::state-changed fires
 * after all of a report's properties changed), not once per property, and
 * the cards whose printers reported catch up together four times a second:
 * with 100 printers reporting every second, one layout and one frame for
 * all of them instead of one for each report.
 * The job's file adds the plate's picture, decoded once per file (see
 * pd-job-thumbnail.c), and the filament the job used of what it needs.
 */

#define G_LOG_DOMAIN "pd-printer-card"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "pd-ams-strip.h"
#include "pd-enums.h"
#include "pd-format.h"
#include "pd-job-thumbnail.h"
#include "pd-printer-card.h"
#include "pd-widget-util.h"

struct _PdPrinterCard
{
  GtkWidget       parent_instance;

  PdPrinter      *printer;
  GSignalGroup   *signals;
  GSignalGroup   *hms_signals; /* on the printer's HMS list */
  GSignalGroup   *job_signals; /* on its job, for the file's details */

  GtkWidget      *content;
  GtkLabel       *name_label;
  GtkLabel       *model_label;
  GtkWidget      *connection_box;
  GtkImage       *connection_icon;
  GtkLabel       *connection_label;
  GtkImage       *status_icon;
  GtkLabel       *status_label;
  GtkLabel       *stage_label;
  GtkWidget      *hms_button;
  GtkImage       *hms_icon;
  GtkLabel       *hms_label;
  GtkWidget      *job_box;
  GtkWidget      *thumbnail_frame;
  GtkPicture     *thumbnail_picture;
  GtkLabel       *job_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *percent_label;
  GtkLabel       *layer_label;
  GtkLabel       *time_label;
  GtkLabel       *grams_label;
  GtkLabel       *nozzle_caption;
  GtkLabel       *nozzle_label;
  GtkWidget      *nozzle_right_box;
  GtkLabel       *nozzle_right_label;
  GtkLabel       *bed_label;
  GtkWidget      *chamber_box;
  GtkLabel       *chamber_label;
  GtkWidget      *extras_box;
  GtkWidget      *ams_strip;
  GtkWidget      *camera_button;

  guint           out_of_view : 1; /* reports wait until it is seen */
  guint           stale_view : 1;  /* one came while out of view */
  guint           behind : 1;      /* in cards_behind, catching up soon */
  guint           n_updates;
};

G_DEFINE_FINAL_TYPE (PdPrinterCard, pd_printer_card, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_PRINTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Cards in view whose printers changed since the last catch-up */
#define CATCH_UP_INTERVAL_MS 250
static GPtrArray *cards_behind;
static guint      catch_up_id;

static void
set_label (GtkLabel   *label,
           const char *text)
{
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
  gtk_label_set_label (label, text != NULL ? text : "");
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

static const char *
display_name (PdPrinter *printer)
{
  if (pd_printer_get_name (printer) != NULL)
    return pd_printer_get_name (printer);
  if (pd_printer_get_model_name (printer) != NULL)
    return pd_printer_get_model_name (printer);

  return pd_printer_get_serial (printer);
}

static gboolean
job_is_active (PdStatus status)
{
  return status == PD_STATUS_PREPARING || status == PD_STATUS_PRINTING || status == PD_STATUS_PAUSED;
}

static void
sync_connection (PdPrinterCard *self)
{
  PdConnection     connection = pd_printer_get_connection (self->printer);
  const char      *reason = pd_session_reason_to_label (pd_printer_get_connection_reason (self->printer));
  g_autofree char *text = NULL;
  const char      *classes[] = { "connected", "connecting", "disconnected" };

  pd_widget_set_style_class (self->connection_box, classes, G_N_ELEMENTS (classes),
                             pd_connection_style_class (connection));
  pd_image_set_icon_name (self->connection_icon, pd_connection_icon_name (connection));

  switch (connection)
    {
    case PD_CONNECTION_CONNECTED:
      text = g_strdup (C_("connection", "Online"));
      break;
    case PD_CONNECTION_CONNECTING:
      text = g_strdup (C_("connection", "Connecting…"));
      break;
    case PD_CONNECTION_DISCONNECTED:
    case PD_CONNECTION_NONE:
    default:
      text = g_strdup (C_("connection", "Offline"));
      break;
    }

  /* The last known state, from before Printdeck last quit. */
  if (pd_printer_get_stale (self->printer) && pd_printer_get_last_report_time (self->printer) > 0)
    {
      g_autoptr (GDateTime) seen = g_date_time_new_from_unix_local (pd_printer_get_last_report_time (self->printer) / G_USEC_PER_SEC);
      g_autofree char      *clock = g_date_time_format (seen, "%H:%M");

      g_free (text);
      /* TRANSLATORS: the state shown is the last known one, "Last seen 14:32" */
      text = g_strdup_printf (_("Last seen %s"), clock);
    }

  gtk_label_set_label (self->connection_label, text);
  pd_widget_set_tooltip (self->connection_box, reason);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_icon), TRUE);

  pd_widget_set_class (GTK_WIDGET (self), "stale", pd_printer_get_stale (self->printer));
}

/* The texture is the job's, decoded once per file: only a new file or a new
 * job gives the picture anything to do. */
static void
sync_thumbnail (PdPrinterCard *self,
                PdJob         *job)
{
  GdkTexture      *texture = pd_job_thumbnail_get (job);
  g_autofree char *description = NULL;

  if (GDK_PAINTABLE (texture) == gtk_picture_get_paintable (self->thumbnail_picture))
    return;

  gtk_picture_set_paintable (self->thumbnail_picture, GDK_PAINTABLE (texture));
  gtk_widget_set_visible (self->thumbnail_frame, texture != NULL);
  if (texture != NULL)
    description = pd_job_thumbnail_describe (job);
  gtk_picture_set_alternative_text (self->thumbnail_picture, description);
}

static void
sync_grams_tooltip (PdPrinterCard *self,
                    PdJob         *job,
                    gboolean       shown)
{
  PdJobDetails *details = shown ? pd_job_get_details (job) : NULL;
  const char   *how = NULL;

  if (details != NULL && pd_job_details_has_layer_usage (details))
    /* TRANSLATORS: a tooltip: how the filament used so far is known */
    how = _("Estimated from the sliced file: what its layers printed so far use");
  else if (details != NULL)
    /* TRANSLATORS: a tooltip: how the filament used so far is known */
    how = _("Estimated from the sliced file: what the job needs, in step with its progress");
  else if (shown)
    /* TRANSLATORS: a tooltip: how the filament used so far is known */
    how = _("Estimated from the sliced file");

  pd_widget_set_tooltip (GTK_WIDGET (self->grams_label), how);
}

static void
sync_job (PdPrinterCard *self,
          PdStatus       status)
{
  PdJob           *job = pd_printer_get_job (self->printer);
  g_autofree char *percent = NULL;
  g_autofree char *layer = NULL;
  g_autofree char *remaining = NULL;
  g_autofree char *finish = NULL;
  g_autofree char *grams = NULL;
  g_autofree char *time_text = NULL;
  int              progress;

  /* A finished or failed job keeps its name on the card; the numbers are
   * only for a job that runs.
   */
  gtk_widget_set_visible (self->job_box, job != NULL && status != PD_STATUS_IDLE && status != PD_STATUS_OFFLINE &&
                                           status != PD_STATUS_UNKNOWN);
  g_signal_group_set_target (self->job_signals, job);
  if (job == NULL)
    {
      /* not a finished job's picture kept for the next */
      if (gtk_picture_get_paintable (self->thumbnail_picture) != NULL)
        {
          gtk_picture_set_paintable (self->thumbnail_picture, NULL);
          gtk_widget_set_visible (self->thumbnail_frame, FALSE);
        }
      return;
    }

  set_label (self->job_label, pd_job_get_name (job));
  sync_thumbnail (self, job);

  progress = pd_job_get_progress (job);
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->progress_bar)), job_is_active (status));
  gtk_progress_bar_set_fraction (self->progress_bar, progress >= 0 ? progress / 100.0 : 0);
  percent = pd_format_percent (progress);
  gtk_label_set_label (self->percent_label, percent != NULL ? percent : "");

  if (!job_is_active (status))
    {
      set_label (self->layer_label, NULL);
      set_label (self->time_label, NULL);
      set_label (self->grams_label, NULL);
      return;
    }

  layer = pd_format_layer (pd_job_get_layer (job), pd_job_get_total_layers (job));
  set_label (self->layer_label, layer);

  remaining = pd_format_duration (pd_job_get_remaining_minutes (job));
  finish = pd_format_finish_time (pd_job_get_finish_time (job), g_get_real_time ());
  if (remaining != NULL && finish != NULL)
    /* TRANSLATORS: "1 h 13 min left · ends at 14:32" */
    time_text = g_strdup_printf (_("%s left · %s"), remaining, finish);
  else if (remaining != NULL)
    /* TRANSLATORS: "1 h 13 min left" */
    time_text = g_strdup_printf (_("%s left"), remaining);
  set_label (self->time_label, time_text);

  /* Grams come from the job's file on the printer; nothing rather than a
   * made-up number until then.
   */
  grams = pd_format_filament_usage (pd_job_get_filament_grams_used (job), pd_job_get_filament_grams_total (job));
  set_label (self->grams_label, grams);
  sync_grams_tooltip (self, job, grams != NULL);
}

static void
sync_health (PdPrinterCard *self)
{
  PdSeverity       level = pd_printer_get_hms_level (self->printer);
  guint            n = g_list_model_get_n_items (pd_printer_get_hms_errors (self->printer));
  g_autofree char *badge = pd_format_hms_badge (level, n);
  g_autofree char *summary = pd_format_hms_summary (level, n);
  const char      *classes[] = { "ok", "info", "common", "serious", "fatal" };

  pd_widget_set_style_class (self->hms_button, classes, G_N_ELEMENTS (classes),
                             pd_severity_style_class (n > 0 ? level : PD_SEVERITY_NONE));
  pd_image_set_icon_name (self->hms_icon, pd_severity_icon_name (n > 0 ? level : PD_SEVERITY_NONE));
  gtk_label_set_label (self->hms_label, badge);
  pd_widget_set_tooltip (self->hms_button, summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->hms_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary,
                                  -1);
  if (pd_printer_get_serial (self->printer) != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->hms_button), "s", pd_printer_get_serial (self->printer));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->hms_button), "win.show-health");
    }
}

/* The extras row: the AMS strip, the camera button, or nothing at all. */
static void
sync_extras (PdPrinterCard *self)
{
  PdCameraKind kind = self->printer != NULL ? pd_printer_get_camera_kind (self->printer) : PD_CAMERA_KIND_UNKNOWN;
  gboolean     camera = kind == PD_CAMERA_KIND_RTSPS || kind == PD_CAMERA_KIND_JPEG;
  gboolean     ams = pd_ams_strip_get_has_ams (PD_AMS_STRIP (self->ams_strip));

  gtk_widget_set_visible (self->ams_strip, ams);
  gtk_widget_set_visible (self->camera_button, camera);
  /* on the right, beside the strip or on its own */
  gtk_widget_set_hexpand (self->camera_button, !ams);
  gtk_widget_set_visible (self->extras_box, camera || ams);

  /* The target first: an action name without its target is a mismatch. */
  if (camera && pd_printer_get_serial (self->printer) != NULL)
    {
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->camera_button), "s", pd_printer_get_serial (self->printer));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->camera_button), "app.show-camera");
    }
}

static void
sync_accessible (PdPrinterCard *self,
                 PdStatus       status)
{
  g_autofree char *description = pd_printer_card_describe (self);
  GtkWidget       *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, display_name (self->printer),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  /* The grid's cell is what keyboard focus lands on. */
  if (parent != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, display_name (self->printer),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);
}

/* Also all a change of the temperature unit needs: four labels a card. */
static void
sync_temperatures (PdPrinterCard *self)
{
  if (self->printer == NULL)
    return;
  if (self->out_of_view)
    {
      self->stale_view = TRUE;
      return;
    }

  set_temperature (self->nozzle_label, pd_printer_get_nozzle (self->printer));
  set_temperature (self->nozzle_right_label, pd_printer_get_nozzle_right (self->printer));
  set_temperature (self->bed_label, pd_printer_get_bed (self->printer));
  set_temperature (self->chamber_label, pd_printer_get_chamber (self->printer));
}

static void
update_card (PdPrinterCard *self)
{
  PdStatus       status;
  PdTemperature *right;
  const char    *model;
  const char    *stage;

  if (self->printer == NULL)
    return;

  status = pd_printer_get_status (self->printer);
  model = pd_printer_get_model_name (self->printer);

  gtk_label_set_label (self->name_label, display_name (self->printer));
  set_label (self->model_label, model != NULL ? model : _("Unknown model"));
  sync_connection (self);
  sync_health (self);

  pd_image_set_icon_name (self->status_icon, pd_status_icon_name (status));
  gtk_label_set_label (self->status_label, pd_status_to_label (status));
  stage = pd_printer_get_stage (self->printer);
  set_label (self->stage_label, status == PD_STATUS_PRINTING && g_strcmp0 (stage, _("Printing")) == 0 ? NULL : stage);

  sync_job (self, status);

  right = pd_printer_get_nozzle_right (self->printer);
  gtk_label_set_label (self->nozzle_caption, right != NULL ? _("Left nozzle") : _("Nozzle"));
  gtk_widget_set_visible (self->nozzle_right_box, right != NULL);
  gtk_widget_set_visible (self->chamber_box, pd_printer_get_chamber (self->printer) != NULL);
  sync_temperatures (self);

  sync_extras (self);
  sync_accessible (self, status);
}

static gboolean
catch_up_cards (gpointer data)
{
  g_autoptr (GPtrArray) cards = g_steal_pointer (&cards_behind);

  catch_up_id = 0;
  for (guint i = 0; i < cards->len; i++)
    {
      PdPrinterCard *self = g_ptr_array_index (cards, i);

      self->behind = FALSE;
      if (self->out_of_view)
        {
          self->stale_view = TRUE;
          continue;
        }
      self->n_updates++;
      update_card (self);
    }

  return G_SOURCE_REMOVE;
}

static void
drop_behind (PdPrinterCard *self)
{
  if (!self->behind)
    return;
  self->behind = FALSE;
  g_ptr_array_remove_fast (cards_behind, self);
}

/* A card out of view changes nothing, so it costs no layout and no redraw
 * however often its printer reports; it catches up when it comes into view.
 * One in view catches up with the others in view at the next quarter
 * second; any number of reports in between are one update.
 */
static void
on_printer_changed (PdPrinterCard *self)
{
  if (self->out_of_view)
    {
      self->stale_view = TRUE;
      return;
    }
  if (self->behind)
    return;

  if (cards_behind == NULL)
    cards_behind = g_ptr_array_new ();
  g_ptr_array_add (cards_behind, self);
  self->behind = TRUE;
  if (catch_up_id == 0)
    {
      catch_up_id = g_timeout_add (CATCH_UP_INTERVAL_MS, catch_up_cards, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, catch_up_id), "[printdeck] cards catch up");
    }
}

static void
pd_printer_card_dispose (GObject *object)
{
  GtkWidget     *child;
  PdPrinterCard *self = PD_PRINTER_CARD (object);

  if (self->signals != NULL)
    g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->signals);
  if (self->hms_signals != NULL)
    g_signal_group_set_target (self->hms_signals, NULL);
  g_clear_object (&self->hms_signals);
  if (self->job_signals != NULL)
    g_signal_group_set_target (self->job_signals, NULL);
  g_clear_object (&self->job_signals);
  drop_behind (self);
  g_clear_object (&self->printer);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_PRINTER_CARD);
  /* A plain GtkWidget unparents its children itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pd_printer_card_parent_class)->dispose (object);
}

static void
pd_printer_card_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PdPrinterCard *self = PD_PRINTER_CARD (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_card_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PdPrinterCard *self = PD_PRINTER_CARD (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      pd_printer_card_set_printer (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Keyboard: the card is a focus stop of its own (named by its printer, with
 * its summary as description), Enter opens its page, Tab goes on into its
 * buttons and Shift+Tab comes back to it. The arrow keys are the grid's:
 * from card to card. */
static gboolean
pd_printer_card_focus (GtkWidget        *widget,
                       GtkDirectionType  direction)
{
  GtkWidgetClass *parent_class = GTK_WIDGET_CLASS (pd_printer_card_parent_class);

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    {
      if (gtk_widget_is_focus (widget) || gtk_widget_get_focus_child (widget) != NULL)
        return FALSE;
      return gtk_widget_grab_focus (widget);
    }

  if (gtk_widget_is_focus (widget))
    return direction == GTK_DIR_TAB_FORWARD && parent_class->focus (widget, direction);

  if (gtk_widget_get_focus_child (widget) != NULL)
    {
      if (parent_class->focus (widget, direction))
        return TRUE;
      return direction == GTK_DIR_TAB_BACKWARD && gtk_widget_grab_focus (widget);
    }

  /* coming from outside: backwards, its last button first */
  if (direction == GTK_DIR_TAB_BACKWARD && parent_class->focus (widget, direction))
    return TRUE;
  return gtk_widget_grab_focus (widget);
}

static void
pd_printer_card_class_init (PdPrinterCardClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_printer_card_dispose;
  object_class->get_property = pd_printer_card_get_property;
  object_class->set_property = pd_printer_card_set_property;

  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->focus = pd_printer_card_focus;
  /**
   * PdPrinterCard::activate:
   *
   * Enter or Space on the card: whoever shows it opens the printer's page.
   */
  signals[SIGNAL_ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  gtk_widget_class_set_activate_signal (widget_class, signals[SIGNAL_ACTIVATE]);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_Return, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_ISO_Enter, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Enter, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_space, 0, "activate", NULL);
  gtk_widget_class_add_binding_signal (widget_class, GDK_KEY_KP_Space, 0, "activate", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "printercard");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-printer-card.ui");
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, content);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, model_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, connection_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, connection_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, status_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, stage_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, hms_button);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, hms_icon);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, hms_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, job_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, thumbnail_frame);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, thumbnail_picture);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, job_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, percent_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, layer_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, time_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, grams_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, nozzle_caption);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, nozzle_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, nozzle_right_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, nozzle_right_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, bed_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, chamber_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, chamber_label);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, extras_box);
  gtk_widget_class_bind_template_child (widget_class, PdPrinterCard, camera_button);
}

static void
pd_printer_card_init (PdPrinterCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), FALSE);

  self->signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->signals, "state-changed", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::connection", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::connection-reason", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::stale", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::name", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::hms-level", G_CALLBACK (on_printer_changed), self);
  g_signal_group_connect_swapped (self->signals, "notify::camera-kind", G_CALLBACK (sync_extras), self);
  self->hms_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->hms_signals, "items-changed", G_CALLBACK (on_printer_changed), self);
  /* A file read without changing the grams (no thumbnail before, say) is
   * no report: the job tells. */
  self->job_signals = g_signal_group_new (PD_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify::details", G_CALLBACK (on_printer_changed), self);
  pd_format_watch_temperature_unit (self, G_CALLBACK (sync_temperatures));

  /* The AMS strip: shown only for printers with an AMS */
  self->ams_strip = pd_ams_strip_new ();
  gtk_widget_set_hexpand (self->ams_strip, TRUE);
  gtk_box_prepend (GTK_BOX (self->extras_box), self->ams_strip);
  g_signal_connect_object (self->ams_strip, "notify::has-ams", G_CALLBACK (sync_extras), self, G_CONNECT_SWAPPED);
  sync_extras (self);
}

GtkWidget *
pd_printer_card_new (PdPrinter *printer)
{
  return g_object_new (PD_TYPE_PRINTER_CARD, "printer", printer, NULL);
}

PdPrinter *
pd_printer_card_get_printer (PdPrinterCard *self)
{
  g_return_val_if_fail (PD_IS_PRINTER_CARD (self), NULL);

  return self->printer;
}

void
pd_printer_card_set_printer (PdPrinterCard *self,
                             PdPrinter     *printer)
{
  g_return_if_fail (PD_IS_PRINTER_CARD (self));
  g_return_if_fail (printer == NULL || PD_IS_PRINTER (printer));

  if (!g_set_object (&self->printer, printer))
    return;

  g_signal_group_set_target (self->signals, printer);
  g_signal_group_set_target (self->hms_signals, printer != NULL ? pd_printer_get_hms_errors (printer) : NULL);
  pd_ams_strip_set_printer (PD_AMS_STRIP (self->ams_strip), printer);
  self->stale_view = FALSE;
  drop_behind (self);
  update_card (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER]);
}

/**
 * pd_printer_card_set_in_view:
 * @self: a card
 * @in_view: whether the card is on screen (or about to be)
 *
 * A card out of view does not follow its printer until it is in view
 * again; then it shows the printer as it is at once.
 */
void
pd_printer_card_set_in_view (PdPrinterCard *self,
                             gboolean       in_view)
{
  g_return_if_fail (PD_IS_PRINTER_CARD (self));

  if (!self->out_of_view == !!in_view)
    return;
  self->out_of_view = !in_view;
  if (in_view && self->stale_view)
    {
      self->stale_view = FALSE;
      drop_behind (self);
      self->n_updates++;
      update_card (self);
    }
}

gboolean
pd_printer_card_get_in_view (PdPrinterCard *self)
{
  g_return_val_if_fail (PD_IS_PRINTER_CARD (self), FALSE);

  return !self->out_of_view;
}

/* for the tests: how often the card followed its printer */
guint
_pd_printer_card_get_n_updates (PdPrinterCard *self)
{
  return self->n_updates;
}

/* for the tests: changes wait for the cards' next catch-up */
gboolean
_pd_printer_card_is_behind (PdPrinterCard *self)
{
  return self->behind;
}

/**
 * pd_printer_card_describe:
 * @self: a card
 *
 * Returns: (transfer full): what the card shows, in one sentence, for
 *   screen readers: "Printing, 42 %, layer 57 of 240, 1 h 13 min left"
 */
char *
pd_printer_card_describe (PdPrinterCard *self)
{
  GString *text = g_string_new (NULL);
  PdStatus status;
  PdJob   *job;

  g_return_val_if_fail (PD_IS_PRINTER_CARD (self), NULL);

  if (self->printer == NULL)
    return g_string_free (text, FALSE);

  status = pd_printer_get_status (self->printer);
  job = pd_printer_get_job (self->printer);
  g_string_append (text, pd_status_to_label (status));

  if (job != NULL && job_is_active (status))
    {
      g_autofree char *percent = pd_format_percent (pd_job_get_progress (job));
      g_autofree char *layer = pd_format_layer (pd_job_get_layer (job), pd_job_get_total_layers (job));
      g_autofree char *remaining = pd_format_duration (pd_job_get_remaining_minutes (job));
      g_autofree char *grams = pd_format_filament_usage (pd_job_get_filament_grams_used (job),
                                                         pd_job_get_filament_grams_total (job));

      if (percent != NULL)
        g_string_append_printf (text, ", %s", percent);
      if (layer != NULL)
        g_string_append_printf (text, ", %s", layer);
      if (remaining != NULL)
        /* TRANSLATORS: part of a sentence read by a screen reader: ", 1 h 13 min left" */
        g_string_append_printf (text, _(", %s left"), remaining);
      if (grams != NULL)
        /* TRANSLATORS: part of a sentence read by a screen reader: ", Filament: 5.2 g of 12.4 g (estimated)" */
        g_string_append_printf (text, _(", %s (estimated)"), grams);
    }

  /* the nozzle, the temperature people check first ("nozzle 220 °C") */
  {
    PdTemperature   *left = pd_printer_get_nozzle (self->printer);
    PdTemperature   *right = pd_printer_get_nozzle_right (self->printer);
    g_autofree char *left_text = left != NULL && isfinite (pd_temperature_get_current (left))
                                   ? pd_format_degrees (pd_temperature_get_current (left)) : NULL;
    g_autofree char *right_text = right != NULL && isfinite (pd_temperature_get_current (right))
                                    ? pd_format_degrees (pd_temperature_get_current (right)) : NULL;

    if (left_text != NULL && right_text != NULL)
      /* TRANSLATORS: part of a sentence read by a screen reader: ", left nozzle 220 °C, right nozzle 25 °C" */
      g_string_append_printf (text, _(", left nozzle %s, right nozzle %s"), left_text, right_text);
    else if (left_text != NULL)
      /* TRANSLATORS: part of a sentence read by a screen reader: ", nozzle 220 °C" */
      g_string_append_printf (text, _(", nozzle %s"), left_text);
  }

  if (pd_printer_get_connection (self->printer) != PD_CONNECTION_CONNECTED)
    {
      const char *reason = pd_session_reason_to_label (pd_printer_get_connection_reason (self->printer));

      g_string_append_printf (text, ". %s", pd_connection_to_label (pd_printer_get_connection (self->printer)));
      if (reason != NULL)
        g_string_append_printf (text, ": %s", reason);
    }

  if (g_list_model_get_n_items (pd_printer_get_hms_errors (self->printer)) > 0)
    {
      g_autofree char *health = pd_format_hms_summary (pd_printer_get_hms_level (self->printer),
                                                       g_list_model_get_n_items (pd_printer_get_hms_errors (self->printer)));

      g_string_append_printf (text, ". %s", health);
    }

  return g_string_free (text, FALSE);
}

/**
 * pd_printer_card_set_humidity_thresholds:
 * @self: a card
 * @fair: above this relative humidity in %, "fair"
 * @high: above this, "high"
 */
void
pd_printer_card_set_humidity_thresholds (PdPrinterCard *self,
                                         guint          fair,
                                         guint          high)
{
  g_return_if_fail (PD_IS_PRINTER_CARD (self));

  g_object_set (self->ams_strip, "humidity-fair", fair, "humidity-high", high, NULL);
}
