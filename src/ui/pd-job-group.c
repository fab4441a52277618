/* pd-job-group.c — the printer page's group about the job's sliced file
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the job's file on the printer says (PdJob:details): the plate and
 * its picture, the slicer's time estimate, each filament with its colour,
 * grams and metres, and the total. While the file is read, a row says so;
 * when it cannot be, a row says why in plain words. No job, or nothing
 * looked for: no group.
 *
 * A file's filaments are fixed for the job and a handful at most, so their
 * rows are made when the details change (once per job), not bound to a
 * model: AdwPreferencesGroup in libadwaita 1.2 has no bind_model.
 */

#define G_LOG_DOMAIN "pd-job-group"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-ams-swatch.h"
#include "pd-format.h"
#include "pd-job-group.h"
#include "pd-job-thumbnail.h"

#define SWATCH_SIZE 16

struct _PdJobGroup
{
  AdwPreferencesGroup parent_instance;

  PdPrinter          *printer;
  GSignalGroup       *printer_signals;
  GSignalGroup       *job_signals;
  PdJobDetails       *shown;         /* the details the rows below were made for */
  GPtrArray          *filament_rows; /* and the total's */

  AdwActionRow       *fetching_row;
  GtkSpinner         *spinner;
  AdwActionRow       *unavailable_row;
  AdwActionRow       *plate_row;
  GtkWidget          *thumbnail_frame;
  GtkPicture         *thumbnail_picture;
  AdwActionRow       *estimate_row;
  GtkLabel           *estimate_label;
};

G_DEFINE_FINAL_TYPE (PdJobGroup, pd_job_group, ADW_TYPE_PREFERENCES_GROUP)

enum
{
  PROP_0,
  PROP_PRINTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GtkWidget *
amount_row (const char *title,
            const char *subtitle,
            const char *amount,
            GtkWidget  *prefix,
            gboolean    strong)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (amount);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (prefix != NULL)
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), prefix);
  gtk_widget_add_css_class (label, "numeric");
  if (strong)
    gtk_widget_add_css_class (label, "heading");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  /* the amount is part of what the row says */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, amount, -1);

  return row;
}

static void
clear_filament_rows (PdJobGroup *self)
{
  for (guint i = 0; i < self->filament_rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), g_ptr_array_index (self->filament_rows, i));
  g_ptr_array_set_size (self->filament_rows, 0);
}

static void
add_row (PdJobGroup *self,
         GtkWidget  *row)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  g_ptr_array_add (self->filament_rows, row);
}

static void
make_filament_rows (PdJobGroup   *self,
                    PdJobDetails *details)
{
  GArray          *filaments = pd_job_details_get_filaments (details);
  g_autofree char *total = NULL;

  for (guint i = 0; filaments != NULL && i < filaments->len; i++)
    {
      const PdJobFilament *filament = &g_array_index (filaments, PdJobFilament, i);
      const char          *type = filament->type != NULL && *filament->type != '\0' ? filament->type
                                                                                    : C_("filament type", "Unknown");
      g_autofree char *color = filament->has_color ? pd_format_filament_color (filament->color) : NULL;
      g_autofree char *amount = pd_format_filament_amount (filament->grams, filament->meters);
      g_autofree char *slot = NULL;
      g_autofree char *description = NULL;

      if (filament->id > 0)
        /* TRANSLATORS: the project's filament slot in the slicer, "Filament 2" */
        slot = g_strdup_printf (_("Filament %d"), filament->id);
      if (color != NULL)
        /* TRANSLATORS: a filament's colour dot for screen readers, "PLA, colour #FF6A13FF" */
        description = g_strdup_printf (_("%s, colour %s"), type, color);
      else
        /* TRANSLATORS: a filament's colour dot for screen readers, "PLA, colour not known" */
        description = g_strdup_printf (_("%s, colour not known"), type);

      add_row (self, amount_row (type, slot, amount != NULL ? amount : "—",
                                          pd_ams_swatch_new_for_filament (type, color, description, SWATCH_SIZE),
                                          FALSE));
    }

  total = pd_format_filament_amount (pd_job_details_get_total_grams (details),
                                     pd_job_details_get_total_meters (details));
  if (total != NULL)
    add_row (self, amount_row (_("Total"), NULL, total, NULL, TRUE));
}

static void
sync_ready (PdJobGroup *self,
            PdJob      *job)
{
  PdJobDetails    *details = pd_job_get_details (job);
  GdkTexture      *texture = pd_job_thumbnail_get (job);
  g_autofree char *plate = pd_format_plate (pd_job_details_get_plate (details));
  g_autofree char *estimate = pd_format_duration (pd_job_details_get_prediction_minutes (details));
  g_autofree char *slicer = NULL;
  g_autofree char *alt = NULL;
  const char      *name = pd_job_details_get_slicer (details);
  const char      *version = pd_job_details_get_slicer_version (details);

  if (name != NULL && version != NULL)
    /* TRANSLATORS: "Sliced with BambuStudio 01.10.01.50" */
    slicer = g_strdup_printf (_("Sliced with %s %s"), name, version);
  else if (name != NULL)
    /* TRANSLATORS: "Sliced with OrcaSlicer" */
    slicer = g_strdup_printf (_("Sliced with %s"), name);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->plate_row),
                                 plate != NULL ? plate : pd_job_get_name (job) != NULL ? pd_job_get_name (job)
                                                                                       : "");
  adw_action_row_set_subtitle (self->plate_row, slicer != NULL ? slicer : "");

  gtk_widget_set_visible (self->thumbnail_frame, texture != NULL);
  gtk_picture_set_paintable (self->thumbnail_picture, GDK_PAINTABLE (texture));
  alt = texture != NULL ? pd_job_thumbnail_describe (job) : NULL;
  gtk_picture_set_alternative_text (self->thumbnail_picture, alt);

  gtk_widget_set_visible (GTK_WIDGET (self->estimate_row), estimate != NULL);
  gtk_label_set_label (self->estimate_label, estimate != NULL ? estimate : "");

  clear_filament_rows (self);
  make_filament_rows (self, details);
}

static void
sync_group (PdJobGroup *self)
{
  PdJob             *job = self->printer != NULL ? pd_printer_get_job (self->printer) : NULL;
  PdJobDetailsStatus status = job != NULL ? pd_job_get_details_status (job) : PD_JOB_DETAILS_NONE;
  PdJobDetails      *details = job != NULL ? pd_job_get_details (job) : NULL;
  gboolean           ready = FALSE;

  g_signal_group_set_target (self->job_signals, job);

  switch (status)
    {
    case PD_JOB_DETAILS_FETCHING:
      break;

    case PD_JOB_DETAILS_UNAVAILABLE:
      adw_action_row_set_subtitle (self->unavailable_row,
                                   pd_job_get_details_message (job) != NULL ? pd_job_get_details_message (job)
                                                                            : _("The printer did not give the job's file."));
      break;

    case PD_JOB_DETAILS_READY:
      ready = details != NULL;
      break;

    case PD_JOB_DETAILS_NONE:
    default:
      break;
    }

  gtk_widget_set_visible (GTK_WIDGET (self), status != PD_JOB_DETAILS_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->fetching_row), status == PD_JOB_DETAILS_FETCHING);
  gtk_spinner_set_spinning (self->spinner, status == PD_JOB_DETAILS_FETCHING);
  gtk_widget_set_visible (GTK_WIDGET (self->unavailable_row), status == PD_JOB_DETAILS_UNAVAILABLE);
  gtk_widget_set_visible (GTK_WIDGET (self->plate_row), ready);
  if (!ready)
    gtk_widget_set_visible (GTK_WIDGET (self->estimate_row), FALSE);

  /* Rows are remade only for other details: a name change keeps them. */
  if (ready && details != self->shown)
    sync_ready (self, job);
  else if (!ready)
    clear_filament_rows (self);

  if (details != self->shown)
    {
      g_clear_pointer (&self->shown, pd_job_details_unref);
      if (ready)
        self->shown = pd_job_details_ref (details);
    }
}

static void
pd_job_group_dispose (GObject *object)
{
  PdJobGroup *self = PD_JOB_GROUP (object);

  if (self->printer_signals != NULL)
    g_signal_group_set_target (self->printer_signals, NULL);
  g_clear_object (&self->printer_signals);
  if (self->job_signals != NULL)
    g_signal_group_set_target (self->job_signals, NULL);
  g_clear_object (&self->job_signals);
  g_clear_object (&self->printer);
  g_clear_pointer (&self->shown, pd_job_details_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_JOB_GROUP);

  G_OBJECT_CLASS (pd_job_group_parent_class)->dispose (object);
}

static void
pd_job_group_finalize (GObject *object)
{
  PdJobGroup *self = PD_JOB_GROUP (object);

  g_ptr_array_unref (self->filament_rows);

  G_OBJECT_CLASS (pd_job_group_parent_class)->finalize (object);
}

static void
pd_job_group_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PdJobGroup *self = PD_JOB_GROUP (object);

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
pd_job_group_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PdJobGroup *self = PD_JOB_GROUP (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      pd_job_group_set_printer (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_job_group_class_init (PdJobGroupClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_job_group_dispose;
  object_class->finalize = pd_job_group_finalize;
  object_class->get_property = pd_job_group_get_property;
  object_class->set_property = pd_job_group_set_property;

  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-job-group.ui");
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, fetching_row);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, spinner);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, unavailable_row);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, plate_row);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, thumbnail_frame);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, thumbnail_picture);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, estimate_row);
  gtk_widget_class_bind_template_child (widget_class, PdJobGroup, estimate_label);
}

static void
pd_job_group_init (PdJobGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->filament_rows = g_ptr_array_new ();

  self->printer_signals = g_signal_group_new (PD_TYPE_PRINTER);
  g_signal_group_connect_swapped (self->printer_signals, "notify::job", G_CALLBACK (sync_group), self);
  self->job_signals = g_signal_group_new (PD_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify::details-status", G_CALLBACK (sync_group), self);
  g_signal_group_connect_swapped (self->job_signals, "notify::details", G_CALLBACK (sync_group), self);
  g_signal_group_connect_swapped (self->job_signals, "notify::details-message", G_CALLBACK (sync_group), self);
}

GtkWidget *
pd_job_group_new (void)
{
  return g_object_new (PD_TYPE_JOB_GROUP, NULL);
}

PdPrinter *
pd_job_group_get_printer (PdJobGroup *self)
{
  g_return_val_if_fail (PD_IS_JOB_GROUP (self), NULL);

  return self->printer;
}

void
pd_job_group_set_printer (PdJobGroup *self,
                          PdPrinter  *printer)
{
  g_return_if_fail (PD_IS_JOB_GROUP (self));
  g_return_if_fail (printer == NULL || PD_IS_PRINTER (printer));

  if (!g_set_object (&self->printer, printer))
    return;

  g_signal_group_set_target (self->printer_signals, printer);
  g_clear_pointer (&self->shown, pd_job_details_unref);
  sync_group (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRINTER]);
}
