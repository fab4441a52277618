/* pd-mirror-manager.c — the app's mirror: settings, token, certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a PdMirrorServer of the store's printers as the settings say
 * (mirror-enabled, mirror-allow-lan, mirror-port, mirror-tls), with the
 * access token from the keyring (made the first time) and, for TLS, the
 * certificate in the config folder. It says how that went for Preferences:
 * whether it runs, why not ("Port 8765 is in use…"), the address to open
 * and the certificate's fingerprint.
 *
 * The server exists only while the mirror is on: a stopped one would still
 * work out and keep a delta for every change of every printer.
 *
 * The token is held here and in the server only; it is never logged.
 */

#define G_LOG_DOMAIN "pd-mirror-manager"

#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>


#include "pd-camera-source.h"
#include "pd-mirror-cert.h"
#include "pd-mirror-manager.h"
#include "pd-secrets.h"

struct _PdMirrorManager
{
  GObject          parent_instance;

  PdPrinterStore  *store;
  GSettings       *settings;
  GCancellable    *cancellable;
  PdMirrorServer  *server; /* while enabled */
  GTlsCertificate *certificate;
  GHashTable      *jpegs; /* serial → Jpeg: the last frame encoded for each camera */
  guint            apply_id;
  gboolean         shut_down;

  char            *token;
  gboolean         looking_up;

  /* what the server was started with, to restart only on a change */
  gboolean         started_lan;
  guint            started_port;
  gboolean         started_tls;

  gboolean         running;
  char            *error;
  char            *url;
  char            *link;
  char            *fingerprint;
};

G_DEFINE_FINAL_TYPE (PdMirrorManager, pd_mirror_manager, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_SETTINGS,
  PROP_RUNNING,
  PROP_ERROR,
  PROP_URL,
  PROP_LINK,
  PROP_FINGERPRINT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  PdCameraFrame *frame;
  GBytes        *jpeg;
} Jpeg;

static void
jpeg_free (Jpeg *jpeg)
{
  pd_camera_frame_unref (jpeg->frame);
  g_bytes_unref (jpeg->jpeg);
  g_free (jpeg);
}

/* State for the UI ----------------------------------------------------------------*/

static void
set_string (PdMirrorManager *self,
            char           **field,
            const char      *value,
            guint            prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  if (*field != NULL)
    memset (*field, 0, strlen (*field)); /* the link holds the token */
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_error (PdMirrorManager *self,
           const char      *message)
{
  set_string (self, &self->error, message, PROP_ERROR);
}

/* The address shown and the link in the QR code, from what runs. */
static void
update_addresses (PdMirrorManager *self)
{
  g_autofree char *host = NULL;
  g_autofree char *link = NULL;
  g_autofree char *url = NULL;
  gboolean         running = self->server != NULL && pd_mirror_server_is_running (self->server);

  if (running)
    {
      char *query;

      host = self->started_lan ? pd_mirror_lan_address () : NULL;
      link = pd_mirror_server_dup_url (self->server, host);
      /* "?token=…" off: what can be shown and read out */
      url = g_strdup (link);
      if (url != NULL && (query = strchr (url, '?')) != NULL)
        *query = '\0';
    }

  if (self->running != running)
    {
      self->running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
    }
  set_string (self, &self->url, url, PROP_URL);
  set_string (self, &self->link, link, PROP_LINK);
  if (link != NULL)
    memset (link, 0, strlen (link));
}

static void
set_fingerprint (PdMirrorManager *self,
                 const char      *fingerprint)
{
  set_string (self, &self->fingerprint, fingerprint, PROP_FINGERPRINT);
}

/* Camera pictures -------------------------------------------------------------------*/

/* /api/printers/SERIAL/snapshot.jpg: the frame views show now, only while the
 * camera streams for them (the mirror never starts a camera: printers serve
 * about one camera client). The port-6000 cameras send JPEG already; an
 * RTSPS frame is encoded here, on the main thread, once per frame whatever
 * the number of screens asking.
 */
static GBytes *
snapshot_jpeg (const char *serial,
               gpointer    data)
{
  PdMirrorManager   *self = data;
  PdPrinter         *printer = pd_printer_store_find (self->store, serial);
  PdCameraSource    *camera;
  PdCameraFrame     *frame;
  Jpeg              *cached;
  g_autoptr (GError) error = NULL;
  GBytes            *jpeg;

  if (printer == NULL)
    return NULL;
  camera = pd_printer_store_get_camera (self->store, printer);
  if (camera == NULL || pd_camera_source_get_state (camera) != PD_CAMERA_STATE_STREAMING)
    return NULL;
  frame = pd_camera_source_get_frame (camera);
  if (frame == NULL)
    return NULL;

  if (pd_camera_frame_get_jpeg (frame) != NULL)
    return g_bytes_ref (pd_camera_frame_get_jpeg (frame));

  cached = g_hash_table_lookup (self->jpegs, serial);
  if (cached != NULL && cached->frame == frame)
    return g_bytes_ref (cached->jpeg);

  jpeg = pd_camera_frame_encode (frame, PD_SNAPSHOT_FORMAT_JPEG, NULL, &error);
  if (jpeg == NULL)
    {
      g_debug ("No picture of %s for the mirror: %s", serial, error->message);
      return NULL;
    }
  cached = g_new (Jpeg, 1);
  cached->frame = pd_camera_frame_ref (frame);
  cached->jpeg = g_bytes_ref (jpeg);
  g_hash_table_replace (self->jpegs, g_strdup (serial), cached);

  return jpeg;
}

/* Running ---------------------------------------------------------------------------*/

static void schedule_apply (PdMirrorManager *self);

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data);

static void
on_token_made (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr (PdMirrorManager) self = data;
  g_autoptr (GError)          error = NULL;
  char                       *token = pd_secrets_regenerate_mirror_token_finish (result, &error);

  self->looking_up = FALSE;
  if (token == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("The mirror's access code could not be stored: %s", error->message);
      set_error (self, error->message);
      return;
    }

  if (self->token == NULL)
    self->token = token;
  else
    pd_secrets_code_free (token); /* regenerated meanwhile */
  schedule_apply (self);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr (PdMirrorManager) self = data;
  g_autoptr (GError)          error = NULL;
  char                       *token = pd_secrets_lookup_mirror_token_finish (result, &error);

  if (error != NULL)
    {
      self->looking_up = FALSE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_message ("The mirror's access code could not be read: %s", error->message);
      set_error (self, error->message);
      return;
    }

  if (token == NULL)
    {
      /* The first time: a new one, in the keyring before it is used. */
      g_debug ("No mirror access code yet; making one");
      pd_secrets_regenerate_mirror_token_async (self->cancellable, on_token_made, g_object_ref (self));
      return;
    }

  self->looking_up = FALSE;
  if (self->token == NULL)
    self->token = token;
  else
    pd_secrets_code_free (token);
  schedule_apply (self);
}

static void
stop_server (PdMirrorManager *self)
{
  if (self->server == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->server, self);
  pd_mirror_server_stop (self->server);
  g_clear_object (&self->server);
  g_hash_table_remove_all (self->jpegs);
}

/* Makes what runs match the settings. Runs from an idle: a few settings
 * changed together restart the server once.
 */
static void
apply (PdMirrorManager *self)
{
  g_autoptr (GError) error = NULL;
  gboolean           enabled;
  gboolean           lan;
  gboolean           tls;
  guint              port;

  if (self->shut_down || self->settings == NULL)
    return;

  enabled = g_settings_get_boolean (self->settings, "mirror-enabled");
  lan = g_settings_get_boolean (self->settings, "mirror-allow-lan");
  tls = g_settings_get_boolean (self->settings, "mirror-tls");
  port = g_settings_get_uint (self->settings, "mirror-port");

  if (!enabled)
    {
      stop_server (self);
      set_error (self, NULL);
      set_fingerprint (self, NULL);
      update_addresses (self);
      return;
    }

  if (self->token == NULL)
    {
      if (!self->looking_up)
        {
          self->looking_up = TRUE;
          pd_secrets_lookup_mirror_token_async (self->cancellable, on_token_looked_up, g_object_ref (self));
        }
      return;
    }

  if (tls && self->certificate == NULL)
    {
      g_autofree char *dir = NULL;

      g_object_get (self->store, "config-dir", &dir, NULL);
      self->certificate = pd_mirror_certificate_load_or_create (dir, &error);
      if (self->certificate == NULL)
        {
          g_warning ("The mirror has no certificate: %s", error->message);
          stop_server (self);
          set_fingerprint (self, NULL);
          set_error (self, error->message);
          update_addresses (self);
          return;
        }
    }
  if (tls)
    {
      g_autofree char *fingerprint = pd_mirror_certificate_dup_fingerprint (self->certificate);

      set_fingerprint (self, fingerprint);
    }
  else
    set_fingerprint (self, NULL);

  if (self->server == NULL)
    {
      self->server = pd_mirror_server_new (G_LIST_MODEL (self->store));
      pd_mirror_server_set_snapshot_func (self->server, snapshot_jpeg, self, NULL);
      g_signal_connect_object (self->server, "notify::running", G_CALLBACK (update_addresses), self,
                               G_CONNECT_SWAPPED);
    }
  pd_mirror_server_set_token (self->server, self->token);

  if (pd_mirror_server_is_running (self->server) && self->started_lan == lan && self->started_port == port &&
      self->started_tls == tls)
    {
      update_addresses (self);
      return;
    }

  self->started_lan = lan;
  self->started_port = port;
  self->started_tls = tls;
  pd_mirror_server_set_tls_certificate (self->server, tls ? self->certificate : NULL);
  /* NULL: loopback only, IPv4 and IPv6 */
  if (!pd_mirror_server_start (self->server, lan ? "0.0.0.0" : NULL, port, &error))
    {
      g_message ("The mirror could not start: %s", error->message);
      set_error (self, error->message);
    }
  else
    set_error (self, NULL);
  update_addresses (self);
}

static gboolean
apply_cb (gpointer data)
{
  PdMirrorManager *self = data;

  self->apply_id = 0;
  apply (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_apply (PdMirrorManager *self)
{
  if (self->apply_id == 0 && !self->shut_down)
    self->apply_id = g_idle_add_full (G_PRIORITY_DEFAULT, apply_cb, self, NULL);
}

static void
on_setting_changed (PdMirrorManager *self,
                    const char      *key,
                    GSettings       *settings)
{
  schedule_apply (self);
}

/* Another network, another address to show. */
static void
on_network_changed (PdMirrorManager *self,
                    gboolean         available,
                    GNetworkMonitor *monitor)
{
  update_addresses (self);
}

/* GObject ----------------------------------------------------------------------------*/

static void
pd_mirror_manager_constructed (GObject *object)
{
  PdMirrorManager *self = PD_MIRROR_MANAGER (object);

  G_OBJECT_CLASS (pd_mirror_manager_parent_class)->constructed (object);

  if (self->settings != NULL)
    {
      const char *keys[] = { "mirror-enabled", "mirror-allow-lan", "mirror-port", "mirror-tls" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          g_autofree char *signal = g_strconcat ("changed::", keys[i], NULL);

          g_signal_connect_object (self->settings, signal, G_CALLBACK (on_setting_changed), self, G_CONNECT_SWAPPED);
        }
      schedule_apply (self);
    }
  g_signal_connect_object (g_network_monitor_get_default (), "network-changed", G_CALLBACK (on_network_changed), self,
                           G_CONNECT_SWAPPED);
}

static void
pd_mirror_manager_dispose (GObject *object)
{
  PdMirrorManager *self = PD_MIRROR_MANAGER (object);

  pd_mirror_manager_shutdown (self);
  g_clear_object (&self->certificate);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (pd_mirror_manager_parent_class)->dispose (object);
}

static void
pd_mirror_manager_finalize (GObject *object)
{
  PdMirrorManager *self = PD_MIRROR_MANAGER (object);

  g_clear_pointer (&self->token, pd_secrets_code_free);
  g_clear_pointer (&self->link, pd_secrets_code_free);
  g_free (self->url);
  g_free (self->error);
  g_free (self->fingerprint);
  g_hash_table_unref (self->jpegs);

  G_OBJECT_CLASS (pd_mirror_manager_parent_class)->finalize (object);
}

static void
pd_mirror_manager_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PdMirrorManager *self = PD_MIRROR_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;

    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_LINK:
      g_value_set_string (value, self->link);
      break;

    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_mirror_manager_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PdMirrorManager *self = PD_MIRROR_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_mirror_manager_class_init (PdMirrorManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pd_mirror_manager_constructed;
  object_class->dispose = pd_mirror_manager_dispose;
  object_class->finalize = pd_mirror_manager_finalize;
  object_class->get_property = pd_mirror_manager_get_property;
  object_class->set_property = pd_mirror_manager_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PD_TYPE_PRINTER_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PdMirrorManager:running:
   *
   * Whether the mirror listens.
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdMirrorManager:error:
   *
   * Why the mirror is on in the settings but does not run, for people.
   */
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdMirrorManager:url:
   *
   * The address of the mirror's page, without the access code: what can be
   * shown. On this computer's first IPv4 address on the network when other
   * devices are allowed, else on 127.0.0.1.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdMirrorManager:link:
   *
   * The address with the access code, for the QR code and the clipboard. A
   * secret: never log it.
   */
  properties[PROP_LINK] =
    g_param_spec_string ("link", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdMirrorManager:fingerprint:
   *
   * The SHA-256 fingerprint of the mirror's certificate while TLS is on.
   */
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_mirror_manager_init (PdMirrorManager *self)
{
  self->cancellable = g_cancellable_new ();
  self->jpegs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) jpeg_free);
}

/* API ----------------------------------------------------------------------------------*/

/**
 * pd_mirror_manager_new:
 * @store: the app's printers
 * @settings: (nullable): the app's settings; without them the mirror stays off
 *
 * Returns: (transfer full): the mirror, started at once if the settings say so
 */
PdMirrorManager *
pd_mirror_manager_new (PdPrinterStore *store,
                       GSettings      *settings)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (PD_TYPE_MIRROR_MANAGER, "store", store, "settings", settings, NULL);
}

/**
 * pd_mirror_manager_shutdown:
 * @self: the mirror
 *
 * Stops the server for good (the app quits): clients are closed, and
 * settings changes no longer start it.
 */
void
pd_mirror_manager_shutdown (PdMirrorManager *self)
{
  g_return_if_fail (PD_IS_MIRROR_MANAGER (self));

  self->shut_down = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->apply_id, g_source_remove);
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_signal_handlers_disconnect_by_data (g_network_monitor_get_default (), self);
  stop_server (self);
  update_addresses (self);
}

PdPrinterStore *
pd_mirror_manager_get_store (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->store;
}

GSettings *
pd_mirror_manager_get_settings (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->settings;
}

/**
 * pd_mirror_manager_get_server:
 * @self: the mirror
 *
 * Returns: (transfer none) (nullable): the server, %NULL while the mirror is off
 */
PdMirrorServer *
pd_mirror_manager_get_server (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->server;
}

gboolean
pd_mirror_manager_get_running (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), FALSE);

  return self->running;
}

const char *
pd_mirror_manager_get_error (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->error;
}

const char *
pd_mirror_manager_get_url (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->url;
}

const char *
pd_mirror_manager_get_fingerprint (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return self->fingerprint;
}

/**
 * pd_mirror_manager_dup_link:
 * @self: the mirror
 *
 * Returns: (transfer full) (nullable): the page's address with the access
 *   code, %NULL while the mirror does not run; free it with
 *   pd_secrets_code_free()
 */
char *
pd_mirror_manager_dup_link (PdMirrorManager *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), NULL);

  return g_strdup (self->link);
}

static void
on_regenerated (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr (GTask) task = data;
  PdMirrorManager  *self = g_task_get_source_object (task);
  GError           *error = NULL;
  char             *token = pd_secrets_regenerate_mirror_token_finish (result, &error);

  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&self->token, pd_secrets_code_free);
  self->token = token;
  /* The old code's screens are closed; the address is a new one. */
  if (self->server != NULL)
    pd_mirror_server_set_token (self->server, self->token);
  update_addresses (self);
  g_message ("The mirror has a new access code");
  g_task_return_boolean (task, TRUE);
}

/**
 * pd_mirror_manager_regenerate_token_async:
 * @self: the mirror
 * @cancellable: (nullable): a cancellable
 * @callback: called when the new code is in the keyring and in use
 * @user_data: for @callback
 *
 * Replaces the access code: the old one stops working at once, and the
 * screens that use it are disconnected. Cancelling @cancellable only stops
 * @callback from being told of the new code, which is in use all the same.
 */
void
pd_mirror_manager_regenerate_token_async (PdMirrorManager    *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (PD_IS_MIRROR_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_mirror_manager_regenerate_token_async);
  /* Not cancelled with the caller (a closed window): a code that reached
   * the keyring is the one to serve, or the two would differ. */
  pd_secrets_regenerate_mirror_token_async (NULL, on_regenerated, g_steal_pointer (&task));
}

gboolean
pd_mirror_manager_regenerate_token_finish (PdMirrorManager *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  g_return_val_if_fail (PD_IS_MIRROR_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_mirror_manager_regenerate_token_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_mirror_lan_address:
 *
 * The address other devices reach this computer by: the first IPv4
 * address of an interface that is up and not the loopback (nor a
 * link-local 169.254.x.x one).
 *
 * Returns: (transfer full): that address, or "127.0.0.1" when there is none
 */
char *
pd_mirror_lan_address (void)
{
  struct ifaddrs *list = NULL;
  char           *found = NULL;

  if (getifaddrs (&list) != 0)
    return g_strdup ("127.0.0.1");

  for (struct ifaddrs *ifa = list; ifa != NULL && found == NULL; ifa = ifa->ifa_next)
    {
      const struct sockaddr_in *in;
      char                      text[INET_ADDRSTRLEN];
      guint32                   address;

      if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET || (ifa->ifa_flags & IFF_UP) == 0 ||
          (ifa->ifa_flags & IFF_LOOPBACK) != 0)
        continue;
      in = (const struct sockaddr_in *) (gconstpointer) ifa->ifa_addr;
      address = ntohl (in->sin_addr.s_addr);
      if ((address >> 24) == 127 || (address >> 16) == 0xa9fe)
        continue;
      if (inet_ntop (AF_INET, &in->sin_addr, text, sizeof text) != NULL)
        found = g_strdup (text);
    }
  freeifaddrs (list);

  return found != NULL ? found : g_strdup ("127.0.0.1");
}
