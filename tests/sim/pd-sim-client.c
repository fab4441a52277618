/* pd-sim-client.c — the simulator's own MQTT connection to its broker
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printers publish their reports and receive their commands through one
 * plain-TCP connection to the private broker. libmosquitto runs it on its own
 * thread (mosquitto_loop_start); its callbacks only copy what they got and
 * queue it on the main context as an idle source. They reach the client through a small
 * refcounted Handle holding a GWeakRef made on the main thread, so a message
 * that arrives while the client is being destroyed is simply dropped.
 *
 * The subscription is made at QoS 2 so that a message arrives with the QoS
 * its publisher used (the broker delivers min(publish, subscribe)): the tests
 * check that the app sends its commands at QoS 1.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <unistd.h>

#include <mosquitto.h>

#include "pd-sim-client.h"

#define CONNECT_TIMEOUT_MS 5000

typedef struct
{
  GWeakRef      self;
  guint         generation;
  GMainContext *context;
  char         *subscription;
} Handle;

struct _PdSimClient
{
  GObject           parent_instance;

  char             *user;
  char             *password;
  char             *subscription;

  struct mosquitto *mosq;
  Handle           *handle;
  guint             generation;
  gboolean          connected;
  GTask            *connect_task;
  GSource          *connect_timeout;
};

G_DEFINE_FINAL_TYPE (PdSimClient, pd_sim_client, G_TYPE_OBJECT)

enum
{
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  EVENT_READY,
  EVENT_REFUSED,
  EVENT_DISCONNECTED,
  EVENT_MESSAGE,
} EventKind;

typedef struct
{
  Handle   *handle;
  EventKind kind;
  int       rc;
  char     *topic;
  GBytes   *payload;
  int       qos;
} Event;

static void
handle_clear (gpointer data)
{
  Handle *handle = data;

  g_weak_ref_clear (&handle->self);
  g_main_context_unref (handle->context);
  g_free (handle->subscription);
}

static void
event_free (gpointer data)
{
  Event *event = data;

  g_atomic_rc_box_release_full (event->handle, handle_clear);
  g_free (event->topic);
  g_clear_pointer (&event->payload, g_bytes_unref);
  g_free (event);
}

static void
complete_connect (PdSimClient *self,
                  GError      *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

  if (self->connect_timeout != NULL)
    {
      g_source_destroy (self->connect_timeout);
      g_clear_pointer (&self->connect_timeout, g_source_unref);
    }

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
dispatch_event (gpointer data)
{
  Event                  *event = data;
  g_autoptr (PdSimClient) self = g_weak_ref_get (&event->handle->self);

  if (self == NULL || event->handle->generation != self->generation)
    return G_SOURCE_REMOVE;

  switch (event->kind)
    {
    case EVENT_READY:
      self->connected = TRUE;
      complete_connect (self, NULL);
      break;

    case EVENT_REFUSED:
      complete_connect (self, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_BROKER,
                                           "the broker refused the simulator's connection: %s",
                                           mosquitto_connack_string (event->rc)));
      break;

    case EVENT_DISCONNECTED:
      if (self->connected)
        g_debug ("simulator client disconnected (rc %d); libmosquitto reconnects", event->rc);
      self->connected = FALSE;
      complete_connect (self, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_BROKER,
                                           "the simulator's connection to the broker closed: %s",
                                           mosquitto_strerror (event->rc)));
      break;

    case EVENT_MESSAGE:
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, event->topic, event->payload, event->qos);
      break;

    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* On libmosquitto's thread. Always through a source attached to the
 * context, never g_main_context_invoke(): that runs the function right here
 * when the context is this thread's thread-default (the global default
 * context, for a thread that pushed none) and nobody iterates it at that
 * moment, which is exactly when the main thread is busy elsewhere.
 */
static void
queue_event (Handle *handle,
             Event  *event)
{
  g_autoptr (GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_event, event, event_free);
  g_source_set_static_name (source, "[pd-sim] mqtt event");
  g_source_attach (source, handle->context);
}

/* On libmosquitto's thread. */
static void
post_event (Handle   *handle,
            EventKind kind,
            int       rc)
{
  Event *event = g_new0 (Event, 1);

  event->handle = g_atomic_rc_box_acquire (handle);
  event->kind = kind;
  event->rc = rc;
  queue_event (handle, event);
}

/* On libmosquitto's thread. */
static void
on_connect (struct mosquitto *mosq,
            void             *obj,
            int               rc)
{
  Handle *handle = obj;

  if (rc != 0)
    {
      post_event (handle, EVENT_REFUSED, rc);
      return;
    }

  /* Also after libmosquitto reconnected by itself. */
  rc = mosquitto_subscribe (mosq, NULL, handle->subscription, 2);
  if (rc != MOSQ_ERR_SUCCESS)
    post_event (handle, EVENT_DISCONNECTED, rc);
}

/* On libmosquitto's thread. */
static void
on_subscribe (struct mosquitto *mosq,
              void             *obj,
              int               mid,
              int               qos_count,
              const int        *granted_qos)
{
  post_event (obj, EVENT_READY, 0);
}

/* On libmosquitto's thread. */
static void
on_disconnect (struct mosquitto *mosq,
               void             *obj,
               int               rc)
{
  post_event (obj, EVENT_DISCONNECTED, rc);
}

/* On libmosquitto's thread. */
static void
on_message (struct mosquitto               *mosq,
            void                           *obj,
            const struct mosquitto_message *message)
{
  Handle *handle = obj;
  Event  *event = g_new0 (Event, 1);

  event->handle = g_atomic_rc_box_acquire (handle);
  event->kind = EVENT_MESSAGE;
  event->topic = g_strdup (message->topic);
  event->payload = g_bytes_new (message->payload, (gsize) MAX (message->payloadlen, 0));
  event->qos = message->qos;
  queue_event (handle, event);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  PdSimClient *self = user_data;

  g_clear_pointer (&self->connect_timeout, g_source_unref);
  complete_connect (self, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_TIMEOUT,
                                       "the simulator could not connect to its broker within %d ms",
                                       CONNECT_TIMEOUT_MS));

  return G_SOURCE_REMOVE;
}

static void
pd_sim_client_dispose (GObject *object)
{
  PdSimClient *self = PD_SIM_CLIENT (object);

  pd_sim_client_disconnect (self);

  G_OBJECT_CLASS (pd_sim_client_parent_class)->dispose (object);
}

static void
pd_sim_client_finalize (GObject *object)
{
  PdSimClient *self = PD_SIM_CLIENT (object);

  g_free (self->user);
  g_free (self->password);
  g_free (self->subscription);

  G_OBJECT_CLASS (pd_sim_client_parent_class)->finalize (object);
}

static void
pd_sim_client_class_init (PdSimClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_client_dispose;
  object_class->finalize = pd_sim_client_finalize;

  /**
   * PdSimClient::message:
   * @topic: the topic
   * @payload: the payload
   * @qos: the QoS it was delivered with
   */
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BYTES, G_TYPE_INT);

  mosquitto_lib_init ();
}

static void
pd_sim_client_init (PdSimClient *self)
{
}

/**
 * pd_sim_client_new:
 * @user: the broker user
 * @password: its password
 * @subscription: the topic filter to subscribe to on every connect
 *
 * Returns: (transfer full): a client, not connected
 */
PdSimClient *
pd_sim_client_new (const char *user,
                   const char *password,
                   const char *subscription)
{
  PdSimClient *self = g_object_new (PD_TYPE_SIM_CLIENT, NULL);

  self->user = g_strdup (user);
  self->password = g_strdup (password);
  self->subscription = g_strdup (subscription);

  return self;
}

/**
 * pd_sim_client_connect_async:
 * @port: the broker's plain listener on 127.0.0.1
 *
 * Connects and subscribes; completes when the subscription is acknowledged,
 * or fails after 5 s. Messages are then emitted on the thread-default main
 * context of this call. After a lost connection libmosquitto reconnects (and
 * resubscribes) by itself every second.
 */
void
pd_sim_client_connect_async (PdSimClient        *self,
                             guint16             port,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char  *client_id = NULL;
  int               rc;

  g_return_if_fail (PD_IS_SIM_CLIENT (self));

  pd_sim_client_disconnect (self);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_client_connect_async);

  self->generation++;
  self->handle = g_atomic_rc_box_new0 (Handle);
  g_weak_ref_init (&self->handle->self, self);
  self->handle->generation = self->generation;
  self->handle->context = g_main_context_ref_thread_default ();
  self->handle->subscription = g_strdup (self->subscription);

  client_id = g_strdup_printf ("printdeck-sim-%d-%u", (int) getpid (), self->generation);
  self->mosq = mosquitto_new (client_id, true, self->handle);
  if (self->mosq == NULL)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_FAILED, "cannot create an MQTT client");
      return;
    }

  mosquitto_int_option (self->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_username_pw_set (self->mosq, self->user, self->password);
  mosquitto_reconnect_delay_set (self->mosq, 1, 1, false);
  mosquitto_connect_callback_set (self->mosq, on_connect);
  mosquitto_subscribe_callback_set (self->mosq, on_subscribe);
  mosquitto_disconnect_callback_set (self->mosq, on_disconnect);
  mosquitto_message_callback_set (self->mosq, on_message);

  self->connect_task = g_steal_pointer (&task);

  if ((rc = mosquitto_connect_async (self->mosq, "127.0.0.1", port, 30)) != MOSQ_ERR_SUCCESS ||
      (rc = mosquitto_loop_start (self->mosq)) != MOSQ_ERR_SUCCESS)
    {
      complete_connect (self, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_BROKER,
                                           "cannot connect to the broker on port %u: %s",
                                           port, mosquitto_strerror (rc)));
      return;
    }

  self->connect_timeout = g_timeout_source_new (CONNECT_TIMEOUT_MS);
  g_source_set_callback (self->connect_timeout, on_connect_timeout, self, NULL);
  g_source_attach (self->connect_timeout, self->handle->context);
}

gboolean
pd_sim_client_connect_finish (PdSimClient  *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_client_disconnect:
 *
 * Sends DISCONNECT and joins libmosquitto's thread. Blocks for at most the
 * reconnect delay (1 s) when the broker is gone, usually not at all.
 */
void
pd_sim_client_disconnect (PdSimClient *self)
{
  g_return_if_fail (PD_IS_SIM_CLIENT (self));

  if (self->mosq != NULL)
    {
      mosquitto_disconnect (self->mosq);
      mosquitto_loop_stop (self->mosq, false);
      mosquitto_destroy (self->mosq);
      self->mosq = NULL;
    }

  /* Events still queued for the old connection are dropped by generation. */
  self->generation++;
  if (self->handle != NULL)
    g_atomic_rc_box_release_full (g_steal_pointer (&self->handle), handle_clear);
  self->connected = FALSE;

  if (self->connect_task != NULL)
    complete_connect (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "disconnected"));
}

gboolean
pd_sim_client_is_connected (PdSimClient *self)
{
  g_return_val_if_fail (PD_IS_SIM_CLIENT (self), FALSE);

  return self->connected;
}

/**
 * pd_sim_client_publish:
 *
 * Queues a message; libmosquitto's thread sends it. Safe to call while
 * disconnected (the message is then lost, as a printer's would be).
 *
 * Returns: whether the message was queued
 */
gboolean
pd_sim_client_publish (PdSimClient *self,
                       const char  *topic,
                       const void  *payload,
                       gsize        length,
                       int          qos)
{
  int rc;

  g_return_val_if_fail (PD_IS_SIM_CLIENT (self), FALSE);
  g_return_val_if_fail (length <= G_MAXINT, FALSE);

  if (self->mosq == NULL)
    return FALSE;

  rc = mosquitto_publish (self->mosq, NULL, topic, (int) length, payload, qos, false);
  if (rc != MOSQ_ERR_SUCCESS)
    g_debug ("cannot publish on %s: %s", topic, mosquitto_strerror (rc));

  return rc == MOSQ_ERR_SUCCESS;
}
