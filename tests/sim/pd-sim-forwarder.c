/* pd-sim-forwarder.c — a TCP relay in front of a printer's broker listener
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app connects here, not to mosquitto: owning the TCP connection is what
 * lets the simulator cut it ("drop"), stop answering ("offline": the port is
 * closed, so connects are refused) and come back on the same port, whatever
 * the broker behind does. Bytes pass through untouched, TLS included; the
 * broker terminates TLS with the printer's certificate.
 *
 * Each accepted connection becomes a Link: an upstream connection to the
 * broker and two pumps (read → write all → read …), all async on the main
 * context. A Link is reference counted by its pending operations and by the
 * forwarder's list, so cancelling never frees memory a callback still needs.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "pd-sim-forwarder.h"

#define BUFFER_SIZE 16384

typedef struct _Link Link;

typedef struct
{
  Link          *link;
  GInputStream  *in;
  GOutputStream *out;
  gsize          parked; /* bytes read while frozen, not written yet */
  guint8         buffer[BUFFER_SIZE];
} Pump;

struct _Link
{
  int                refs;
  PdSimForwarder    *forwarder; /* NULL once removed from its list */
  GSocketConnection *client;
  GSocketConnection *upstream;
  GCancellable      *cancellable;
  gboolean           closed;
  Pump               pumps[2];
};

struct _PdSimForwarder
{
  GObject         parent_instance;

  guint16         target_port;
  guint16         port;
  GSocketService *service; /* NULL while not listening */
  GPtrArray      *links;
  guint64         n_accepted;
  gboolean        frozen;
  GSocket        *hole;      /* the black hole's listening socket, or NULL */
  GSocket        *hole_fill; /* the connection that fills its queue */
};

G_DEFINE_FINAL_TYPE (PdSimForwarder, pd_sim_forwarder, G_TYPE_OBJECT)

static Link *
link_ref (Link *link)
{
  link->refs++;
  return link;
}

static void
link_unref (Link *link)
{
  g_assert (link->refs > 0);

  if (--link->refs > 0)
    return;

  /* No operation is pending any more, so the streams can be closed. */
  if (link->client != NULL)
    g_io_stream_close (G_IO_STREAM (link->client), NULL, NULL);
  if (link->upstream != NULL)
    g_io_stream_close (G_IO_STREAM (link->upstream), NULL, NULL);
  g_clear_object (&link->client);
  g_clear_object (&link->upstream);
  g_clear_object (&link->cancellable);
  g_free (link);
}

static void
shutdown_connection (GSocketConnection *connection)
{
  if (connection != NULL)
    g_socket_shutdown (g_socket_connection_get_socket (connection), TRUE, TRUE, NULL);
}

/* Ends a link now: both peers see the connection close at once (the
 * shutdown sends FIN before the cancelled operations have even returned).
 */
static void
link_close (Link *link)
{
  PdSimForwarder *self = link->forwarder;

  if (link->closed)
    return;

  link->closed = TRUE;
  g_cancellable_cancel (link->cancellable);
  shutdown_connection (link->client);
  shutdown_connection (link->upstream);

  /* A parked pump holds the reference of its finished read. */
  link_ref (link);
  if (self != NULL)
    {
      link->forwarder = NULL;
      g_ptr_array_remove_fast (self->links, link); /* drops the list's reference */
    }
  for (guint i = 0; i < G_N_ELEMENTS (link->pumps); i++)
    if (link->pumps[i].parked > 0)
      {
        link->pumps[i].parked = 0;
        link_unref (link);
      }
  link_unref (link);
}

static void
set_no_delay (GSocketConnection *connection)
{
  /* MQTT packets are small; Nagle + delayed ACK would add 40 ms hops. */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

static void pump_read (Pump *pump);
static void on_written (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data);

/* Writes what @pump read; the read's reference passes to the write. */
static void
pump_write (Pump *pump,
            gsize n)
{
  g_output_stream_write_all_async (pump->out, pump->buffer, n, G_PRIORITY_DEFAULT,
                                   pump->link->cancellable, on_written, pump);
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pump    *pump = user_data;
  Link    *link = pump->link;
  gboolean ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  if (!link->closed)
    {
      if (ok)
        pump_read (pump);
      else
        link_close (link);
    }

  link_unref (link);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Pump  *pump = user_data;
  Link  *link = pump->link;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (link->closed)
    {
      link_unref (link);
      return;
    }

  if (n <= 0)
    {
      /* EOF or error on one side ends both: MQTT has no use for half-open. */
      link_close (link);
      link_unref (link);
      return;
    }

  /* Frozen: kept (with the read's reference) until thawed, and nothing
   * more is read, so the peer's sends back up in TCP. */
  if (link->forwarder != NULL && link->forwarder->frozen)
    {
      pump->parked = (gsize) n;
      return;
    }

  pump_write (pump, (gsize) n);
}

static void
pump_read (Pump *pump)
{
  link_ref (pump->link);
  g_input_stream_read_async (pump->in, pump->buffer, sizeof pump->buffer, G_PRIORITY_DEFAULT,
                             pump->link->cancellable, on_read, pump);
}

static void
on_upstream_connected (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  Link                         *link = user_data;
  g_autoptr (GSocketConnection) upstream = NULL;
  g_autoptr (GError)            error = NULL;

  upstream = pd_sim_connect_local_finish (result, &error);

  if (link->closed)
    {
      if (upstream != NULL)
        g_io_stream_close (G_IO_STREAM (upstream), NULL, NULL);
      link_unref (link);
      return;
    }

  if (upstream == NULL)
    {
      /* The broker is down (restarting): the client sees its connection
       * close right after it was accepted, as with a printer rebooting.
       */
      g_debug ("forwarder: no broker behind port %u: %s",
               link->forwarder != NULL ? link->forwarder->port : 0, error->message);
      link_close (link);
      link_unref (link);
      return;
    }

  set_no_delay (upstream);
  link->upstream = g_steal_pointer (&upstream);

  link->pumps[0].link = link;
  link->pumps[0].in = g_io_stream_get_input_stream (G_IO_STREAM (link->client));
  link->pumps[0].out = g_io_stream_get_output_stream (G_IO_STREAM (link->upstream));
  link->pumps[1].link = link;
  link->pumps[1].in = g_io_stream_get_input_stream (G_IO_STREAM (link->upstream));
  link->pumps[1].out = g_io_stream_get_output_stream (G_IO_STREAM (link->client));
  pump_read (&link->pumps[0]);
  pump_read (&link->pumps[1]);

  link_unref (link);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  PdSimForwarder *self = user_data;
  Link           *link = g_new0 (Link, 1);

  self->n_accepted++;
  set_no_delay (connection);

  link->refs = 1; /* the list's */
  link->forwarder = self;
  link->client = g_object_ref (connection);
  link->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->links, link);

  pd_sim_connect_local_async (self->target_port, link->cancellable, on_upstream_connected, link_ref (link));

  return TRUE;
}

static void
stop_service (PdSimForwarder *self)
{
  g_autoptr (GSocketService) service = g_steal_pointer (&self->service);

  if (service == NULL)
    return;

  /* Stop first: it cancels the pending accept, which would otherwise fail
   * with "socket closed" and make GSocketService print a warning.
   */
  g_signal_handlers_disconnect_by_data (service, self);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

static void
pd_sim_forwarder_dispose (GObject *object)
{
  PdSimForwarder *self = PD_SIM_FORWARDER (object);

  pd_sim_forwarder_close (self);
  pd_sim_forwarder_set_black_hole (self, FALSE, NULL);

  G_OBJECT_CLASS (pd_sim_forwarder_parent_class)->dispose (object);
}

static void
pd_sim_forwarder_finalize (GObject *object)
{
  PdSimForwarder *self = PD_SIM_FORWARDER (object);

  g_ptr_array_unref (self->links);

  G_OBJECT_CLASS (pd_sim_forwarder_parent_class)->finalize (object);
}

static void
pd_sim_forwarder_class_init (PdSimForwarderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_forwarder_dispose;
  object_class->finalize = pd_sim_forwarder_finalize;
}

static void
pd_sim_forwarder_init (PdSimForwarder *self)
{
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_unref);
}

/**
 * pd_sim_forwarder_new:
 * @target_port: the broker's port on 127.0.0.1
 *
 * Returns: (transfer full): a forwarder, not yet listening
 */
PdSimForwarder *
pd_sim_forwarder_new (guint16 target_port)
{
  PdSimForwarder *self = g_object_new (PD_TYPE_SIM_FORWARDER, NULL);

  self->target_port = target_port;

  return self;
}

/**
 * pd_sim_forwarder_listen:
 * @port: the port to listen on; 0 for the one used before, or any free
 *   port the first time
 *
 * Starts accepting on 127.0.0.1. Does nothing if already listening.
 */
gboolean
pd_sim_forwarder_listen (PdSimForwarder *self,
                         guint16         port,
                         GError        **error)
{
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) effective = NULL;

  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), FALSE);

  if (self->service != NULL)
    return TRUE;

  if (port == 0)
    port = self->port;
  /* the port is ours again */
  pd_sim_forwarder_set_black_hole (self, FALSE, NULL);

  service = g_socket_service_new ();
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 64);
  address = g_inet_socket_address_new (loopback, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "cannot listen on 127.0.0.1:%u: ", port);
      return FALSE;
    }

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);

  return TRUE;
}

/**
 * pd_sim_forwarder_close:
 *
 * Stops listening (connects are refused from now on) and drops every
 * connection. pd_sim_forwarder_listen() reopens the same port.
 */
void
pd_sim_forwarder_close (PdSimForwarder *self)
{
  g_return_if_fail (PD_IS_SIM_FORWARDER (self));

  stop_service (self);
  pd_sim_forwarder_drop_connections (self);
}

gboolean
pd_sim_forwarder_is_listening (PdSimForwarder *self)
{
  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), FALSE);

  return self->service != NULL;
}

guint16
pd_sim_forwarder_get_port (PdSimForwarder *self)
{
  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), 0);

  return self->port;
}

/**
 * pd_sim_forwarder_get_n_connections:
 *
 * Returns: the number of connections being relayed now
 */
guint
pd_sim_forwarder_get_n_connections (PdSimForwarder *self)
{
  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), 0);

  return self->links->len;
}

/**
 * pd_sim_forwarder_get_n_accepted:
 *
 * Returns: the number of connections accepted since the start
 */
guint64
pd_sim_forwarder_get_n_accepted (PdSimForwarder *self)
{
  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), 0);

  return self->n_accepted;
}

/**
 * pd_sim_forwarder_drop_connections:
 *
 * Closes every relayed connection now, on both sides.
 *
 * Returns: how many were closed
 */
guint
pd_sim_forwarder_drop_connections (PdSimForwarder *self)
{
  guint n;

  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), 0);

  n = self->links->len;
  while (self->links->len > 0)
    link_close (g_ptr_array_index (self->links, self->links->len - 1));

  return n;
}

/**
 * pd_sim_forwarder_set_frozen:
 * @frozen: %TRUE to stop relaying
 *
 * Frozen, the relayed connections stay open but no byte passes either way
 * (and new ones are accepted, then frozen too); thawed, what was held back
 * goes on.
 */
void
pd_sim_forwarder_set_frozen (PdSimForwarder *self,
                             gboolean        frozen)
{
  g_autoptr (GPtrArray) links = NULL;

  g_return_if_fail (PD_IS_SIM_FORWARDER (self));

  self->frozen = !!frozen;
  if (self->frozen)
    return;

  /* a copy: a write may fail and close its link meanwhile */
  links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_unref);
  for (guint i = 0; i < self->links->len; i++)
    g_ptr_array_add (links, link_ref (g_ptr_array_index (self->links, i)));
  for (guint i = 0; i < links->len; i++)
    {
      Link *link = g_ptr_array_index (links, i);

      for (guint j = 0; j < G_N_ELEMENTS (link->pumps); j++)
        {
          Pump *pump = &link->pumps[j];
          gsize n = pump->parked;

          if (n == 0 || link->closed)
            continue;
          pump->parked = 0;
          pump_write (pump, n);
        }
    }
}

gboolean
pd_sim_forwarder_get_frozen (PdSimForwarder *self)
{
  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), FALSE);

  return self->frozen;
}

/**
 * pd_sim_forwarder_set_black_hole:
 * @black_hole: %TRUE to swallow connects
 *
 * Stops listening (the relayed connections stay) and holds the port so
 * that connects to it get no answer (they time out) instead of being
 * refused. pd_sim_forwarder_listen() ends it.
 *
 * Returns: %FALSE if the port could not be taken
 */
gboolean
pd_sim_forwarder_set_black_hole (PdSimForwarder *self,
                                 gboolean        black_hole,
                                 GError        **error)
{
  g_autoptr (GInetAddress)   loopback = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocket)        hole = NULL;
  g_autoptr (GSocket)        fill = NULL;

  g_return_val_if_fail (PD_IS_SIM_FORWARDER (self), FALSE);

  if (!black_hole)
    {
      if (self->hole_fill != NULL)
        g_socket_close (self->hole_fill, NULL);
      if (self->hole != NULL)
        g_socket_close (self->hole, NULL);
      g_clear_object (&self->hole_fill);
      g_clear_object (&self->hole);
      return TRUE;
    }

  stop_service (self);
  if (self->hole != NULL)
    return TRUE;

  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->port);
  /* Backlog 0 holds one connection that nobody accepts; the kernel then
   * drops every further SYN (the queue is full), so connects hang. */
  if ((hole = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error)) == NULL ||
      !g_socket_bind (hole, address, TRUE, error))
    return FALSE;
  g_socket_set_listen_backlog (hole, 0);
  if (!g_socket_listen (hole, error) ||
      (fill = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error)) == NULL ||
      !g_socket_connect (fill, address, NULL, error))
    return FALSE;

  self->hole = g_steal_pointer (&hole);
  self->hole_fill = g_steal_pointer (&fill);
  return TRUE;
}

static void
on_local_connected (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError           *error = NULL;

  if (!g_socket_connection_connect_finish (G_SOCKET_CONNECTION (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_object_ref (source), g_object_unref);
}

/**
 * pd_sim_connect_local_async:
 * @port: a TCP port on 127.0.0.1
 *
 * Connects to 127.0.0.1:@port. Unlike GSocketClient it asks no proxy
 * resolver (which loads libproxy and dconf) and logs nothing per connection.
 * On loopback a connect is accepted or refused at once, so no timeout.
 */
void
pd_sim_connect_local_async (guint16             port,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask)             task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GInetAddress)      loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress)    address = g_inet_socket_address_new (loopback, port);
  g_autoptr (GSocket)           socket = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  GError                       *error = NULL;

  g_task_set_source_tag (task, pd_sim_connect_local_async);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  if (socket == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  connection = g_socket_connection_factory_create_connection (socket);
  g_socket_connection_connect_async (connection, address, cancellable, on_local_connected, g_steal_pointer (&task));
}

/**
 * pd_sim_connect_local_finish:
 *
 * Returns: (transfer full) (nullable): the connection
 */
GSocketConnection *
pd_sim_connect_local_finish (GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
