/* pd-preferences-window.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-preferences-window"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <qrencode.h>

#include "pd-preferences-window.h"
#include "pd-secrets.h"

/* The QR code: modules of 5 × 5 logical pixels, and the quiet zone of four
 * modules around it that the standard asks for (readers need the margin to
 * find the code on a dark background).
 */
#define QR_MODULE_SIZE 5
#define QR_QUIET_ZONE  4

struct _PdPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GtkAdjustment       *stale_adjustment;
  GtkAdjustment       *history_adjustment;
  GtkAdjustment       *humidity_fair_adjustment;
  GtkAdjustment       *humidity_high_adjustment;
  GtkWidget           *stale_spin;
  GtkWidget           *history_spin;
  GtkAdjustment       *snapshot_limit_adjustment;
  GtkWidget           *snapshot_limit_spin;
  GtkAdjustment       *tile_fps_adjustment;
  GtkWidget           *tile_fps_spin;
  GtkWidget           *auto_snapshots_switch;
  AdwComboRow         *snapshot_format_row;
  AdwComboRow         *temperature_unit_row;
  GtkAdjustment       *debug_capacity_adjustment;
  GtkWidget           *debug_capacity_spin;

  /* Background */
  GtkWidget           *run_in_background_switch;
  GtkWidget           *autostart_row;
  GtkWidget           *autostart_switch;

  /* Notifications */
  GtkWidget           *notify_offline_switch;
  GtkWidget           *offline_delay_row;
  GtkAdjustment       *offline_delay_adjustment;
  GtkWidget           *offline_delay_spin;
  GtkWidget           *notify_error_switch;
  AdwComboRow         *severity_row;
  GtkWidget           *notify_finished_switch;
  GtkWidget           *notify_failed_switch;
  GtkWidget           *notify_humidity_switch;
  GtkWidget           *humidity_cooldown_row;
  GtkAdjustment       *humidity_cooldown_adjustment;
  GtkWidget           *humidity_cooldown_spin;
  GtkWidget           *sound_errors_row;
  GtkWidget           *sound_errors_switch;
  GtkWidget           *sound_finished_row;
  GtkWidget           *sound_finished_switch;

  /* Mirror */
  PdMirrorManager     *mirror_manager;
  GSignalGroup        *mirror_signals;
  GCancellable        *cancellable;
  gboolean             regenerating;
  GtkWidget           *mirror_enabled_row;
  GtkWidget           *mirror_enabled_switch;
  GtkWidget           *mirror_allow_lan_row;
  GtkWidget           *mirror_allow_lan_switch;
  GtkWidget           *mirror_port_row;
  GtkAdjustment       *mirror_port_adjustment;
  GtkWidget           *mirror_port_spin;
  GtkWidget           *mirror_tls_row;
  GtkWidget           *mirror_tls_switch;
  GtkWidget           *mirror_error_row;
  GtkWidget           *mirror_fingerprint_row;
  GtkWidget           *mirror_link_group;
  GtkWidget           *mirror_address_row;
  GtkWidget           *mirror_copy_button;
  AdwClamp            *mirror_qr_clamp;
  GtkPicture          *mirror_qr_picture;
  GtkWidget           *mirror_regenerate_button;
};

G_DEFINE_FINAL_TYPE (PdPreferencesWindow, pd_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum
{
  PROP_0,
  PROP_MIRROR_MANAGER,
  N_PROPS
};

static GParamSpec       *properties[N_PROPS];

/* Combo rows that list a string key's choices, in the schema's order: the
 * mapping's data is the NULL-terminated list. */
static const char *const snapshot_formats[] = { "auto", "png", "jpeg", NULL };
static const char *const temperature_units[] = { "auto", "celsius", "fahrenheit", NULL };

static gboolean
choice_to_row (GValue   *value,
               GVariant *variant,
               gpointer  data)
{
  const char *const *choices = data;
  const char        *choice = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices[i] != NULL; i++)
    if (g_strcmp0 (choice, choices[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
row_to_choice (const GValue       *value,
               const GVariantType *type,
               gpointer            data)
{
  const char *const *choices = data;
  guint              selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) choices))
    return NULL;

  return g_variant_new_string (choices[selected]);
}

/* The severity row lists the schema's nicks from the most severe down. */
static const char *const severities[] = { "fatal", "serious", "common", "info" };

static gboolean
severity_to_row (GValue   *value,
                 GVariant *variant,
                 gpointer  data)
{
  const char *severity = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (severities); i++)
    if (g_strcmp0 (severity, severities[i]) == 0)
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  return FALSE;
}

static GVariant *
row_to_severity (const GValue       *value,
                 const GVariantType *type,
                 gpointer            data)
{
  guint selected = g_value_get_uint (value);

  if (selected >= G_N_ELEMENTS (severities))
    return NULL;

  return g_variant_new_string (severities[selected]);
}

/* Mirror ---------------------------------------------------------------------------*/

static gboolean
is_not_null (gpointer object,
             gpointer value)
{
  return value != NULL;
}

static gboolean
has_text (gpointer    object,
          const char *text)
{
  return text != NULL && *text != '\0';
}

static char *
text_or_empty (gpointer    object,
               const char *text)
{
  return g_strdup (text != NULL ? text : "");
}

/* @text as a QR code, black on white with its quiet zone, @scale pixels a
 * module. *@modules: the code's width in modules, without the quiet zone.
 */
static GdkTexture *
qr_texture_new (const char *text,
                int         scale,
                int        *modules)
{
  QRcode            *code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_autoptr (GBytes) bytes = NULL;
  guint8            *pixels;
  gsize              size;
  gsize              stride;

  if (code == NULL)
    {
      g_warning ("No QR code for the mirror's address: %s", g_strerror (errno));
      return NULL;
    }

  size = (gsize) (code->width + 2 * QR_QUIET_ZONE) * (gsize) scale;
  stride = size * 3;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);
  for (int y = 0; y < code->width; y++)
    for (int x = 0; x < code->width; x++)
      {
        /* bit 0 of each module: dark */
        if ((code->data[y * code->width + x] & 1) == 0)
          continue;
        for (int row = 0; row < scale; row++)
          memset (pixels + ((gsize) (y + QR_QUIET_ZONE) * scale + row) * stride +
                    (gsize) (x + QR_QUIET_ZONE) * scale * 3,
                  0, (gsize) scale * 3);
      }

  *modules = code->width;
  /* the code is the link, token and all: cleared before it is freed */
  memset (code->data, 0, (gsize) code->width * code->width);
  QRcode_free (code);
  bytes = g_bytes_new_take (pixels, stride * size);

  return gdk_memory_texture_new ((int) size, (int) size, GDK_MEMORY_R8G8B8, bytes, stride);
}

/* GTK 4.8 draws a texture with linear filtering when it is scaled, and has
 * no nearest filter to ask for (gtk_snapshot_append_scaled_texture() is
 * 4.10): so the texture is made at the display's scale, and the picture is
 * held at the code's size in logical pixels (its size request, and the clamp
 * against the larger natural size of a scaled texture), so that each pixel
 * of the texture lands on one pixel of the screen and the modules stay crisp.
 */
static void
render_qr_code (PdPreferencesWindow *self)
{
  g_autoptr (GdkTexture) texture = NULL;
  char                  *link = NULL;
  int                    scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int                    modules = 0;

  if (self->mirror_manager != NULL)
    link = pd_mirror_manager_dup_link (self->mirror_manager);
  if (link != NULL)
    texture = qr_texture_new (link, QR_MODULE_SIZE * MAX (scale, 1), &modules);
  pd_secrets_code_free (link);

  gtk_picture_set_paintable (self->mirror_qr_picture, GDK_PAINTABLE (texture));
  if (texture != NULL)
    {
      int size = (modules + 2 * QR_QUIET_ZONE) * QR_MODULE_SIZE;

      gtk_widget_set_size_request (GTK_WIDGET (self->mirror_qr_picture), size, size);
      adw_clamp_set_maximum_size (self->mirror_qr_clamp, size);
      adw_clamp_set_tightening_threshold (self->mirror_qr_clamp, size);
    }
}

static void
update_mirror_actions (PdPreferencesWindow *self)
{
  gboolean running = self->mirror_manager != NULL && pd_mirror_manager_get_running (self->mirror_manager);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "mirror.copy-link", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "mirror.regenerate",
                                 self->mirror_manager != NULL && !self->regenerating);
}

static void
on_mirror_link_changed (PdPreferencesWindow *self)
{
  render_qr_code (self);
}

static void
on_mirror_running_changed (PdPreferencesWindow *self)
{
  update_mirror_actions (self);
}

static void
copy_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PdPreferencesWindow *self = PD_PREFERENCES_WINDOW (widget);
  char                *link;

  if (self->mirror_manager == NULL || (link = pd_mirror_manager_dup_link (self->mirror_manager)) == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), link);
  pd_secrets_code_free (link);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Link with code copied")));
}

static void
on_token_regenerated (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr (PdPreferencesWindow) self = data;
  g_autoptr (GError)              error = NULL;
  AdwToast                       *toast;

  if (!pd_mirror_manager_regenerate_token_finish (PD_MIRROR_MANAGER (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->regenerating = FALSE;
  update_mirror_actions (self);
  if (error != NULL)
    toast = adw_toast_new_format (_("No new code: %s"), error->message);
  else
    toast = adw_toast_new (_("New code made: other screens need the new link or QR code"));
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static void
on_regenerate_response (AdwMessageDialog    *dialog,
                        const char          *response,
                        PdPreferencesWindow *self)
{
  if (g_strcmp0 (response, "regenerate") != 0 || self->mirror_manager == NULL)
    return;

  self->regenerating = TRUE;
  update_mirror_actions (self);
  pd_mirror_manager_regenerate_token_async (self->mirror_manager, self->cancellable, on_token_regenerated,
                                            g_object_ref (self));
}

static void
regenerate_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PdPreferencesWindow *self = PD_PREFERENCES_WINDOW (widget);
  GtkWidget           *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Regenerate Code?"),
                                                         _("Screens that use the current code are disconnected, and need the new link or QR code to watch again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "regenerate", _("_Regenerate"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "regenerate", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_regenerate_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject ----------------------------------------------------------------------------*/

static void
pd_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PdPreferencesWindow *self = PD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MIRROR_MANAGER:
      g_value_set_object (value, self->mirror_manager);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  PdPreferencesWindow *self = PD_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_MIRROR_MANAGER:
      pd_preferences_window_set_mirror_manager (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_preferences_window_dispose (GObject *object)
{
  PdPreferencesWindow *self = PD_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->mirror_signals != NULL)
    g_signal_group_set_target (self->mirror_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), PD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->mirror_manager);
  g_clear_object (&self->mirror_signals);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_preferences_window_parent_class)->dispose (object);
}

static void
pd_preferences_window_class_init (PdPreferencesWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_preferences_window_dispose;
  object_class->get_property = pd_preferences_window_get_property;
  object_class->set_property = pd_preferences_window_set_property;

  /**
   * PdPreferencesWindow:mirror-manager:
   *
   * The app's mirror, for its page; without it the page is hidden.
   */
  properties[PROP_MIRROR_MANAGER] =
    g_param_spec_object ("mirror-manager", NULL, NULL, PD_TYPE_MIRROR_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PD_TYPE_MIRROR_MANAGER);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, stale_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, history_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_fair_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_high_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, stale_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, history_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_limit_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_limit_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, tile_fps_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, tile_fps_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, auto_snapshots_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, snapshot_format_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, temperature_unit_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, debug_capacity_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, debug_capacity_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, run_in_background_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, autostart_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, autostart_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_offline_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, offline_delay_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_error_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, severity_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_finished_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_failed_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, notify_humidity_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, humidity_cooldown_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_errors_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_errors_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_finished_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, sound_finished_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_enabled_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_enabled_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_allow_lan_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_allow_lan_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_port_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_port_adjustment);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_port_spin);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_tls_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_tls_switch);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_error_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_link_group);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_address_row);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_copy_button);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_qr_clamp);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_qr_picture);
  gtk_widget_class_bind_template_child (widget_class, PdPreferencesWindow, mirror_regenerate_button);
  gtk_widget_class_bind_template_callback (widget_class, is_not_null);
  gtk_widget_class_bind_template_callback (widget_class, has_text);
  gtk_widget_class_bind_template_callback (widget_class, text_or_empty);

  gtk_widget_class_install_action (widget_class, "mirror.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "mirror.regenerate", NULL, regenerate_action);
}

static void
pd_preferences_window_init (PdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->mirror_signals = g_signal_group_new (PD_TYPE_MIRROR_MANAGER);
  g_signal_group_connect_swapped (self->mirror_signals, "notify::link", G_CALLBACK (on_mirror_link_changed), self);
  g_signal_group_connect_swapped (self->mirror_signals, "notify::running", G_CALLBACK (on_mirror_running_changed),
                                  self);
  /* a texture for the display's scale: see render_qr_code() */
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (on_mirror_link_changed), NULL);
  update_mirror_actions (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stale_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Seconds before a silent printer is not responding"), -1);
  /* "Unit" reads well under its group's title, not alone */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->temperature_unit_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Temperature unit"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->history_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Minutes of temperature history"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->snapshot_limit_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Megabytes of snapshots kept per printer"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->tile_fps_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Pictures a second in camera tiles"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->debug_capacity_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Messages kept in each printer's debug log"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->offline_delay_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Seconds offline before a notification"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->humidity_cooldown_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Minutes between humidity notifications for a unit"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->mirror_port_spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Port of the mirror's web page"), -1);
}

/**
 * pd_preferences_window_new:
 * @settings: (nullable): the app's settings; without them nothing can be changed
 *
 * Returns: (transfer floating): the preferences window
 */
GtkWidget *
pd_preferences_window_new (GSettings *settings)
{
  PdPreferencesWindow *self = g_object_new (PD_TYPE_PREFERENCES_WINDOW, NULL);

  if (settings != NULL)
    {
      g_settings_bind (settings, "stale-timeout", self->stale_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "temperature-history-minutes", self->history_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "temperature-unit", self->temperature_unit_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, choice_to_row, row_to_choice, (gpointer) temperature_units, NULL);
      g_settings_bind (settings, "humidity-fair", self->humidity_fair_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "humidity-high", self->humidity_high_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "auto-snapshots", self->auto_snapshots_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "snapshot-limit-mb", self->snapshot_limit_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "camera-tile-fps", self->tile_fps_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "debug-log-capacity", self->debug_capacity_adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "snapshot-format", self->snapshot_format_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, choice_to_row, row_to_choice, (gpointer) snapshot_formats, NULL);

      g_settings_bind (settings, "run-in-background", self->run_in_background_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "autostart", self->autostart_switch, "active", G_SETTINGS_BIND_DEFAULT);
      /* Starting at login only makes sense for an app that keeps running. */
      g_settings_bind (settings, "run-in-background", self->autostart_row, "sensitive", G_SETTINGS_BIND_GET);

      g_settings_bind (settings, "notify-offline", self->notify_offline_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "offline-notify-delay", self->offline_delay_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-offline", self->offline_delay_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-error", self->notify_error_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind_with_mapping (settings, "hms-notify-min-severity", self->severity_row, "selected",
                                    G_SETTINGS_BIND_DEFAULT, severity_to_row, row_to_severity, NULL, NULL);
      g_settings_bind (settings, "notify-error", self->severity_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-finished", self->notify_finished_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-failed", self->notify_failed_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-humidity", self->notify_humidity_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "humidity-notify-cooldown", self->humidity_cooldown_adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-humidity", self->humidity_cooldown_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-sound-errors", self->sound_errors_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "notify-sound-finished", self->sound_finished_switch, "active", G_SETTINGS_BIND_DEFAULT);
      /* A sound comes with a notification, or not at all. */
      g_settings_bind (settings, "notify-error", self->sound_errors_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "notify-finished", self->sound_finished_row, "sensitive", G_SETTINGS_BIND_GET);

      g_settings_bind (settings, "mirror-enabled", self->mirror_enabled_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "mirror-allow-lan", self->mirror_allow_lan_switch, "active", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "mirror-port", self->mirror_port_adjustment, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "mirror-tls", self->mirror_tls_switch, "active", G_SETTINGS_BIND_DEFAULT);
      /* How the mirror runs matters only while it does. */
      g_settings_bind (settings, "mirror-enabled", self->mirror_allow_lan_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "mirror-enabled", self->mirror_port_row, "sensitive", G_SETTINGS_BIND_GET);
      g_settings_bind (settings, "mirror-enabled", self->mirror_tls_row, "sensitive", G_SETTINGS_BIND_GET);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self), FALSE);

  return GTK_WIDGET (self);
}

/**
 * pd_preferences_window_get_mirror_manager:
 * @self: the preferences
 *
 * Returns: (transfer none) (nullable): the mirror its page shows
 */
PdMirrorManager *
pd_preferences_window_get_mirror_manager (PdPreferencesWindow *self)
{
  g_return_val_if_fail (PD_IS_PREFERENCES_WINDOW (self), NULL);

  return self->mirror_manager;
}

/**
 * pd_preferences_window_set_mirror_manager:
 * @self: the preferences
 * @manager: (nullable): the app's mirror; %NULL hides the Mirror page
 */
void
pd_preferences_window_set_mirror_manager (PdPreferencesWindow *self,
                                          PdMirrorManager     *manager)
{
  g_return_if_fail (PD_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (manager == NULL || PD_IS_MIRROR_MANAGER (manager));

  if (!g_set_object (&self->mirror_manager, manager))
    return;

  g_signal_group_set_target (self->mirror_signals, manager);
  render_qr_code (self);
  update_mirror_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MIRROR_MANAGER]);
}
