/* pd-mirror-server.c — the printers' live state for other screens
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup serves the HTTP side (the page, /api, the WebSocket handshake).
 * After the handshake the connection is ours: libsoup's WebSocket queues
 * outgoing frames without a bound and cannot say how much is waiting, so a
 * phone on a bad link would make the desktop's memory grow. Here each
 * client has its own queue, counted in bytes; past the limit the client is
 * closed ("too slow") and can resume later. Messages are encoded once, as
 * frames shared by every client.
 *
 * The protocol is docs/mirror-protocol.md. Everything runs on the main
 * context; nothing here blocks it.
 */

#define G_LOG_DOMAIN "pd-mirror"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "pd-core-resources.h"
#include "pd-json.h"
#include "pd-mirror-server.h"
#include "pd-mirror-ws.h"
#include "pd-printer.h"

#define RESOURCE_PATH  "/io/github/printdeck/Printdeck/mirror/"
#define COOKIE_NAME    "printdeck_mirror"
#define READ_CHUNK     4096
#define CLOSE_TIMEOUT  2 /* s to wait for a closing client before dropping it */

/* WebSocket opcodes and close codes (RFC 6455) */
enum
{
  OP_CONTINUATION = 0x0,
  OP_TEXT = 0x1,
  OP_BINARY = 0x2,
  OP_CLOSE = 0x8,
  OP_PING = 0x9,
  OP_PONG = 0xA,
};

enum
{
  CLOSE_NORMAL = 1000,
  CLOSE_GOING_AWAY = 1001,
  CLOSE_PROTOCOL_ERROR = 1002,
  CLOSE_UNSUPPORTED = 1003,
  CLOSE_POLICY = 1008,
  CLOSE_TOO_BIG = 1009,
};

G_DEFINE_QUARK (pd-mirror-error-quark, pd_mirror_error)

typedef struct _Client Client;

typedef struct
{
  guint64 seq;
  GBytes *frame;
} HistoryEntry;

typedef struct
{
  PdPrinter *printer;
  char      *serial;
  JsonNode  *doc; /* the last one clients were told about */
  gulong     handler;
} Entry;

struct _PdMirrorServer
{
  GObject              parent_instance;

  GListModel          *printers;
  GPtrArray           *entries; /* Entry, in the list's order */
  char                *token;
  GTlsCertificate     *certificate;
  PdMirrorSnapshotFunc snapshot_func;
  gpointer             snapshot_data;
  GDestroyNotify       snapshot_destroy;

  SoupServer          *server;
  GPtrArray           *clients; /* Client */
  guint                ping_id;
  guint64              seq;
  GQueue               history; /* HistoryEntry, oldest first */
  guint                history_limit;
  gsize                queue_limit;
  guint                ping_interval; /* s */
  guint                max_clients;
  GHashTable          *auth_failures; /* peer address → AuthFailures */
  guint                auth_max_failures;
  guint                auth_window;   /* s */
};

/* Wrong tokens from one address: after max_failures in a window, that
 * address is refused (429) until the window ends, right token or not. */
typedef struct
{
  gint64 window_start; /* µs, monotonic */
  guint  failures;
} AuthFailures;

#define DEFAULT_MAX_CLIENTS       64
#define DEFAULT_AUTH_FAILURES     10
#define DEFAULT_AUTH_WINDOW       60
#define MAX_TRACKED_ADDRESSES     4096

G_DEFINE_FINAL_TYPE (PdMirrorServer, pd_mirror_server, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_N_CLIENTS,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Frames ------------------------------------------------------------------------*/

/* A server frame (never masked) with @payload. */
static GBytes *
frame_new (guint8        opcode,
           gconstpointer payload,
           gsize         length)
{
  GByteArray *frame = g_byte_array_sized_new (length + 10);
  guint8      header[10];
  gsize       n = 0;

  header[n++] = 0x80 | opcode;
  if (length < 126)
    header[n++] = (guint8) length;
  else if (length <= G_MAXUINT16)
    {
      header[n++] = 126;
      header[n++] = (guint8) (length >> 8);
      header[n++] = (guint8) length;
    }
  else
    {
      header[n++] = 127;
      for (int shift = 56; shift >= 0; shift -= 8)
        header[n++] = (guint8) ((guint64) length >> shift);
    }
  g_byte_array_append (frame, header, (guint) n);
  if (length > 0)
    g_byte_array_append (frame, payload, (guint) length);

  return g_byte_array_free_to_bytes (frame);
}

static GBytes *
text_frame (const char *text)
{
  return frame_new (OP_TEXT, text, strlen (text));
}

static GBytes *
close_frame (gushort     code,
             const char *reason)
{
  guint8 payload[125];
  gsize  length = MIN (strlen (reason), sizeof payload - 2);

  payload[0] = (guint8) (code >> 8);
  payload[1] = (guint8) code;
  memcpy (payload + 2, reason, length);

  return frame_new (OP_CLOSE, payload, length + 2);
}

static GBytes *
json_frame (JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char     *text = pd_json_to_string (root, FALSE);

  return text_frame (text);
}

/* Clients -----------------------------------------------------------------------*/

struct _Client
{
  gatomicrefcount ref;
  PdMirrorServer *server; /* NULL once dropped */
  GIOStream      *stream;
  GCancellable   *cancellable;
  char           *peer;

  GQueue          queue; /* GBytes frames waiting */
  gsize           queued;
  gboolean        writing;
  gboolean        closing; /* a close frame is queued or sent: nothing more */

  PdWsReader      reader;  /* what it sent, not handled yet */
  gint64          heard_at;
  guint           close_timeout_id;
  guint8          buffer[READ_CHUNK];
};

static Client *
client_ref (Client *client)
{
  g_atomic_ref_count_inc (&client->ref);
  return client;
}

static void
client_unref (Client *client)
{
  if (!g_atomic_ref_count_dec (&client->ref))
    return;

  g_queue_clear_full (&client->queue, (GDestroyNotify) g_bytes_unref);
  g_clear_object (&client->stream);
  g_clear_object (&client->cancellable);
  pd_ws_reader_clear (&client->reader);
  g_free (client->peer);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_unref)

static void
on_stream_closed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  client_unref (data);
}

/* Gone: out of the list, its I/O cancelled, its socket closed. */
static void
client_drop (Client *client)
{
  PdMirrorServer *self = client->server;

  if (self == NULL)
    return;

  g_debug ("client %s gone", client->peer);
  client->server = NULL;
  g_clear_handle_id (&client->close_timeout_id, g_source_remove);
  g_cancellable_cancel (client->cancellable);
  g_queue_clear_full (&client->queue, (GDestroyNotify) g_bytes_unref);
  client->queued = 0;
  g_io_stream_close_async (client->stream, G_PRIORITY_DEFAULT, NULL, on_stream_closed, client_ref (client));

  /* Last: the list holds a reference. */
  g_ptr_array_remove (self->clients, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);
}

static void client_write_next (Client *client);

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (Client) client = data;
  g_autoptr (GError) error = NULL;
  GBytes            *frame;

  client->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (client->server != NULL)
        g_debug ("client %s: %s", client->peer, error->message);
      client_drop (client);
      return;
    }
  if (client->server == NULL)
    return;

  frame = g_queue_pop_head (&client->queue);
  client->queued -= g_bytes_get_size (frame);
  g_bytes_unref (frame);

  /* The close frame went out and nothing follows it: done, once the
   * client answers or the timeout passes.
   */
  if (g_queue_is_empty (&client->queue) && client->closing)
    return;

  client_write_next (client);
}

static void
client_write_next (Client *client)
{
  GBytes *frame;

  if (client->writing || client->server == NULL || g_queue_is_empty (&client->queue))
    return;

  frame = g_queue_peek_head (&client->queue);
  client->writing = TRUE;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (client->stream),
                                   g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), G_PRIORITY_DEFAULT,
                                   client->cancellable, on_written, client_ref (client));
}

static gboolean
on_close_timeout (gpointer data)
{
  Client *client = data;

  client->close_timeout_id = 0;
  client_drop (client);

  return G_SOURCE_REMOVE;
}

/* Queues a close frame (after what is queued, or instead of it when
 * @discard) and drops the client when it is sent and answered, or soon.
 */
static void
client_close (Client     *client,
              gushort     code,
              const char *reason,
              gboolean    discard)
{
  GBytes *frame;

  if (client->closing || client->server == NULL)
    return;

  g_debug ("closing client %s: %u %s", client->peer, code, reason);
  client->closing = TRUE;
  if (discard)
    {
      /* The frame being written stays: it is half out already. */
      GBytes *head = client->writing ? g_queue_pop_head (&client->queue) : NULL;

      g_queue_clear_full (&client->queue, (GDestroyNotify) g_bytes_unref);
      client->queued = 0;
      if (head != NULL)
        {
          g_queue_push_tail (&client->queue, head);
          client->queued = g_bytes_get_size (head);
        }
    }

  frame = close_frame (code, reason);
  client->queued += g_bytes_get_size (frame);
  g_queue_push_tail (&client->queue, frame);
  client->close_timeout_id = g_timeout_add_seconds (CLOSE_TIMEOUT, on_close_timeout, client);
  client_write_next (client);
}

static void
client_send (Client *client,
             GBytes *frame)
{
  PdMirrorServer *self = client->server;

  if (self == NULL || client->closing)
    return;

  if (client->queued + g_bytes_get_size (frame) > self->queue_limit)
    {
      g_message ("Mirror client %s is too slow (%" G_GSIZE_FORMAT " bytes waiting); it is disconnected",
                 client->peer, client->queued);
      client_close (client, CLOSE_POLICY, "too slow", TRUE);
      return;
    }

  client->queued += g_bytes_get_size (frame);
  g_queue_push_tail (&client->queue, g_bytes_ref (frame));
  client_write_next (client);
}

/* Parses what came in (pd-mirror-ws.c). Returns FALSE when the client was
 * closed. */
static gboolean
client_parse (Client *client)
{
  while (client->server != NULL)
    {
      g_autoptr (GBytes) payload = NULL;
      guint16            code;
      const char        *reason;
      PdWsEvent          event = pd_ws_reader_next (&client->reader, &payload, &code, &reason);

      if (event != PD_WS_MORE && event != PD_WS_FAIL)
        client->heard_at = g_get_monotonic_time ();

      switch (event)
        {
        case PD_WS_MORE:
          return TRUE;

        case PD_WS_MESSAGE:
          {
            gsize         length;
            const guint8 *data = g_bytes_get_data (payload, &length);

            if (pd_mirror_client_message_is_ping (data, length, &reason))
              {
                g_autoptr (GBytes) pong = text_frame ("{\"type\":\"pong\"}");

                client_send (client, pong);
              }
            else
              client_close (client, CLOSE_UNSUPPORTED, reason, FALSE);
          }
          break;

        case PD_WS_PING:
          {
            gsize              length;
            gconstpointer      data = g_bytes_get_data (payload, &length);
            g_autoptr (GBytes) pong = frame_new (OP_PONG, data, length);

            client_send (client, pong);
          }
          break;

        case PD_WS_PONG:
          break;

        case PD_WS_CLOSE:
          /* Answered (unless we asked), then gone. */
          if (!client->closing)
            client_close (client, CLOSE_NORMAL, "", FALSE);
          else
            client_drop (client);
          return FALSE;

        case PD_WS_REFUSE:
          client_close (client, code, reason, FALSE);
          return FALSE;

        case PD_WS_FAIL:
        default:
          client_close (client, code, reason, TRUE);
          return FALSE;
        }
    }

  return FALSE;
}

static void client_read (Client *client);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr (Client) client = data;
  g_autoptr (GError) error = NULL;
  gssize             n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (client->server == NULL)
    return;
  if (n <= 0)
    {
      if (n < 0)
        g_debug ("client %s: %s", client->peer, error->message);
      client_drop (client);
      return;
    }

  pd_ws_reader_feed (&client->reader, client->buffer, (gsize) n);
  if (client_parse (client))
    client_read (client);
  else if (client->server != NULL && client->closing)
    client_read (client); /* for its close frame, or the end */
}

static void
client_read (Client *client)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (client->stream), client->buffer, sizeof client->buffer,
                             G_PRIORITY_DEFAULT, client->cancellable, on_read, client_ref (client));
}

/* Messages ----------------------------------------------------------------------*/

static Entry *
find_entry (PdMirrorServer *self,
            PdPrinter      *printer)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (entry->printer == printer)
        return entry;
    }

  return NULL;
}

static JsonNode *
printer_doc (PdPrinter *printer)
{
  PdState *state = pd_printer_get_state (printer);

  return state != NULL ? json_node_ref (pd_state_to_json (state)) : json_node_new (JSON_NODE_NULL);
}

static void
history_entry_free (HistoryEntry *kept)
{
  g_bytes_unref (kept->frame);
  g_free (kept);
}

static char *
snapshot_text (PdMirrorServer *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr (JsonNode)    root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "snapshot");
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, PD_MIRROR_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, (gint64) self->seq);
  json_builder_set_member_name (builder, "printers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      json_builder_add_value (builder, json_node_copy (entry->doc));
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return pd_json_to_string (root, FALSE);
}

static GBytes *
snapshot_frame (PdMirrorServer *self)
{
  g_autofree char *text = snapshot_text (self);

  return text_frame (text);
}

/* Numbers @frame (built with @seq), keeps it for ?since=, sends it to all. */
static void
broadcast (PdMirrorServer *self,
           GBytes         *frame)
{
  HistoryEntry *kept;

  /* Stopped: no client to send it to, and the history starts again with
   * the next start (pd_mirror_server_stop() cleared it). */
  if (self->server == NULL)
    return;

  kept = g_new (HistoryEntry, 1);
  kept->seq = self->seq;
  kept->frame = g_bytes_ref (frame);
  g_queue_push_tail (&self->history, kept);
  while (self->history.length > self->history_limit)
    {
      history_entry_free (g_queue_pop_head (&self->history));
    }

  /* A copy of the list: a client too slow for this one leaves it. */
  {
    g_autoptr (GPtrArray) clients = g_ptr_array_copy (self->clients, (GCopyFunc) (void (*) (void)) client_ref, NULL);

    g_ptr_array_set_free_func (clients, (GDestroyNotify) client_unref);
    for (guint i = 0; i < clients->len; i++)
      client_send (g_ptr_array_index (clients, i), frame);
  }
}

static void
begin_message (JsonBuilder *builder,
               const char  *type,
               guint64      seq)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, (gint64) seq);
}

static void
on_state (PdPrinter      *printer,
          GParamSpec     *pspec,
          PdMirrorServer *self)
{
  Entry                  *entry = find_entry (self, printer);
  g_autoptr (JsonNode)    doc = NULL;
  g_autoptr (JsonNode)    patch = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (GBytes)      frame = NULL;

  if (entry == NULL)
    return;

  doc = printer_doc (printer);
  patch = pd_json_merge_diff (entry->doc, doc);
  json_node_unref (entry->doc);
  entry->doc = g_steal_pointer (&doc);
  if (patch == NULL)
    return;

  self->seq++;
  builder = json_builder_new_immutable ();
  begin_message (builder, "delta", self->seq);
  json_builder_set_member_name (builder, "serial");
  json_builder_add_string_value (builder, entry->serial);
  json_builder_set_member_name (builder, "patch");
  json_builder_add_value (builder, g_steal_pointer (&patch));
  json_builder_end_object (builder);
  frame = json_frame (builder);
  broadcast (self, frame);
}

static void
entry_free (Entry *entry)
{
  g_clear_signal_handler (&entry->handler, entry->printer);
  g_object_unref (entry->printer);
  g_free (entry->serial);
  json_node_unref (entry->doc);
  g_free (entry);
}

static Entry *
entry_new (PdMirrorServer *self,
           PdPrinter      *printer)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->printer = g_object_ref (printer);
  entry->serial = g_strdup (pd_printer_get_serial (printer));
  entry->doc = printer_doc (printer);
  entry->handler = g_signal_connect (printer, "notify::state", G_CALLBACK (on_state), self);

  return entry;
}

/* Printers that came and went: their own messages. */
static void
on_printers_changed (PdMirrorServer *self,
                     guint           position,
                     guint           removed,
                     guint           added,
                     GListModel     *model)
{
  for (guint i = 0; i < removed; i++)
    {
      Entry                  *entry = g_ptr_array_steal_index (self->entries, position);
      g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
      g_autoptr (GBytes)      frame = NULL;

      self->seq++;
      begin_message (builder, "printer-removed", self->seq);
      json_builder_set_member_name (builder, "serial");
      json_builder_add_string_value (builder, entry->serial);
      json_builder_end_object (builder);
      frame = json_frame (builder);
      broadcast (self, frame);
      entry_free (entry);
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (PdPrinter)   printer = g_list_model_get_item (model, i);
      Entry                  *entry = entry_new (self, printer);
      g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
      g_autoptr (GBytes)      frame = NULL;

      g_ptr_array_insert (self->entries, (int) i, entry);
      self->seq++;
      begin_message (builder, "printer-added", self->seq);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, i);
      json_builder_set_member_name (builder, "printer");
      json_builder_add_value (builder, json_node_copy (entry->doc));
      json_builder_end_object (builder);
      frame = json_frame (builder);
      broadcast (self, frame);
    }
}

/* What a new client gets: the messages after @since when they are all
 * still here, else a snapshot.
 */
static void
greet (PdMirrorServer *self,
       Client         *client,
       gboolean        resume,
       guint64         since)
{
  HistoryEntry *oldest = g_queue_peek_head (&self->history);
  gboolean      can_resume = resume && since <= self->seq &&
                             (since == self->seq || (oldest != NULL && oldest->seq <= since + 1));

  if (!can_resume)
    {
      g_autoptr (GBytes) frame = snapshot_frame (self);

      client_send (client, frame);
      return;
    }

  {
    g_autoptr (JsonBuilder) builder = json_builder_new_immutable ();
    g_autoptr (GBytes)      frame = NULL;

    begin_message (builder, "resume", self->seq);
    json_builder_set_member_name (builder, "version");
    json_builder_add_int_value (builder, PD_MIRROR_PROTOCOL_VERSION);
    json_builder_set_member_name (builder, "from");
    json_builder_add_int_value (builder, (gint64) since);
    json_builder_end_object (builder);
    frame = json_frame (builder);
    client_send (client, frame);
  }

  for (GList *l = self->history.head; l != NULL; l = l->next)
    {
      HistoryEntry *kept = l->data;

      if (kept->seq > since)
        client_send (client, kept->frame);
    }
}

/* Liveness: a ping to everyone; silent for two intervals, closed. */
static gboolean
on_ping (gpointer data)
{
  PdMirrorServer       *self = data;
  g_autoptr (GBytes)    ping = frame_new (OP_PING, NULL, 0);
  g_autoptr (GPtrArray) clients = g_ptr_array_copy (self->clients, (GCopyFunc) (void (*) (void)) client_ref, NULL);
  gint64                now = g_get_monotonic_time ();

  g_ptr_array_set_free_func (clients, (GDestroyNotify) client_unref);
  for (guint i = 0; i < clients->len; i++)
    {
      Client *client = g_ptr_array_index (clients, i);

      if (now - client->heard_at > 2 * (gint64) self->ping_interval * G_USEC_PER_SEC)
        client_close (client, CLOSE_GOING_AWAY, "no answer", TRUE);
      else
        client_send (client, ping);
    }

  return G_SOURCE_CONTINUE;
}

/* HTTP --------------------------------------------------------------------------*/

/* Compares in a time that does not depend on where they differ. */
static gboolean
token_equal (const char *given,
             const char *token)
{
  gsize  a, b;
  guint8 diff;

  if (given == NULL || token == NULL)
    return FALSE;

  a = strlen (given);
  b = strlen (token);
  diff = a != b;
  for (gsize i = 0; i < b; i++)
    diff |= (guint8) (token[i] ^ (i < a ? given[i] : 0));

  return diff == 0;
}

static char *
cookie_token (SoupServerMessage *msg)
{
  const char     *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Cookie");
  g_auto (GStrv)  parts = NULL;

  if (header == NULL)
    return NULL;

  parts = g_strsplit (header, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *part = g_strstrip (parts[i]);

      if (g_str_has_prefix (part, COOKIE_NAME "="))
        return g_strdup (part + strlen (COOKIE_NAME "="));
    }

  return NULL;
}

/* Which of the ways the request carries the token; NULL for none that fits. */
static const char *
authorize (PdMirrorServer    *self,
           SoupServerMessage *msg,
           GHashTable        *query)
{
  const char      *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                          "Authorization");
  g_autofree char *cookie = NULL;

  if (self->token == NULL)
    return NULL;
  if (header != NULL && g_ascii_strncasecmp (header, "Bearer ", 7) == 0 && token_equal (header + 7, self->token))
    return "header";
  if (query != NULL && token_equal (g_hash_table_lookup (query, "token"), self->token))
    return "query";
  if ((cookie = cookie_token (msg)) != NULL && token_equal (cookie, self->token))
    return "cookie";

  return NULL;
}

static void
set_common_headers (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  /* The token is in the page's address: never tell another site. */
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *content_type,
       GBytes            *body)
{
  set_common_headers (msg);
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, g_bytes_get_data (body, NULL),
                                      g_bytes_get_size (body));
}

static void
serve_resource (SoupServerMessage *msg,
                const char        *name,
                const char        *content_type,
                const char        *token_from_query,
                PdMirrorServer    *self)
{
  g_autofree char   *path = g_strconcat (RESOURCE_PATH, name, NULL);
  g_autoptr (GBytes) data = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  if (data == NULL)
    {
      reply (msg, SOUP_STATUS_NOT_FOUND, NULL, NULL);
      return;
    }

  if (token_from_query != NULL)
    {
      g_autofree char *cookie = g_strdup_printf (COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s",
                                                 self->token, self->certificate != NULL ? "; Secure" : "");

      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Security-Policy",
                                "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; "
                                "style-src 'self'; script-src 'self'; frame-ancestors 'none'");
  reply (msg, SOUP_STATUS_OK, content_type, data);
}

static void
serve_snapshot_image (PdMirrorServer    *self,
                      SoupServerMessage *msg,
                      const char        *path)
{
  g_autofree char   *serial = NULL;
  g_autoptr (GBytes) jpeg = NULL;
  const char        *start = path + strlen ("/api/printers/");
  const char        *end = strchr (start, '/');

  if (end == NULL || !g_str_equal (end, "/snapshot.jpg") || end == start)
    {
      reply (msg, SOUP_STATUS_NOT_FOUND, NULL, NULL);
      return;
    }
  serial = g_strndup (start, (gsize) (end - start));

  for (guint i = 0; i < self->entries->len && jpeg == NULL; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (entry->serial, serial) && self->snapshot_func != NULL)
        jpeg = self->snapshot_func (serial, self->snapshot_data);
    }

  if (jpeg == NULL)
    reply (msg, SOUP_STATUS_NOT_FOUND, NULL, NULL);
  else
    reply (msg, SOUP_STATUS_OK, "image/jpeg", jpeg);
}

typedef struct
{
  PdMirrorServer *server;
  gboolean        resume;
  guint64         since;
} Upgrade;

static void
on_upgraded (SoupServerMessage *msg,
             gpointer           data)
{
  Upgrade        *upgrade = data;
  PdMirrorServer *self = upgrade->server;
  Client         *client;
  GSocketAddress *remote;

  if (self == NULL || self->server == NULL)
    return;

  client = g_new0 (Client, 1);
  g_atomic_ref_count_init (&client->ref);
  client->server = self;
  client->stream = soup_server_message_steal_connection (msg);
  client->cancellable = g_cancellable_new ();
  pd_ws_reader_init (&client->reader, PD_MIRROR_MAX_CLIENT_MESSAGE);
  client->heard_at = g_get_monotonic_time ();
  g_queue_init (&client->queue);
  remote = soup_server_message_get_remote_address (msg);
  client->peer = remote != NULL ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote)) : g_strdup ("?");

  /* Deltas are small and must not wait: no Nagle (with the client's
   * delayed ACKs it holds a small write back for up to 40 ms).
   */
  {
    GIOStream *base = client->stream;

    if (G_IS_TLS_CONNECTION (base))
      g_object_get (base, "base-io-stream", &base, NULL);
    else
      g_object_ref (base);
    if (G_IS_SOCKET_CONNECTION (base))
      g_socket_set_option (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), IPPROTO_TCP, TCP_NODELAY, 1,
                           NULL);
    g_object_unref (base);
  }

  g_ptr_array_add (self->clients, client);
  g_debug ("client %s connected (%u)", client->peer, self->clients->len);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CLIENTS]);

  greet (self, client, upgrade->resume, upgrade->since);
  client_read (client);
}

static void
upgrade_free (gpointer  data,
              GClosure *closure)
{
  Upgrade *upgrade = data;

  g_clear_weak_pointer (&upgrade->server);
  g_free (upgrade);
}

static void
serve_websocket (PdMirrorServer    *self,
                 SoupServerMessage *msg,
                 GHashTable        *query)
{
  g_autoptr (GError) error = NULL;
  Upgrade           *upgrade;
  const char        *since = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  guint64            value = 0;

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      reply (msg, SOUP_STATUS_BAD_REQUEST, NULL, NULL);
      return;
    }
  /* each client costs a send queue: a bounded number of them */
  if (self->clients->len >= self->max_clients)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "30");
      reply (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);
      return;
    }
  if (since != NULL && !g_ascii_string_to_unsigned (since, 10, 0, G_MAXUINT64, &value, NULL))
    {
      reply (msg, SOUP_STATUS_BAD_REQUEST, NULL, NULL);
      return;
    }
  if (!soup_websocket_server_process_handshake (msg, NULL, NULL, NULL, NULL))
    return;

  upgrade = g_new0 (Upgrade, 1);
  g_set_weak_pointer (&upgrade->server, self);
  upgrade->resume = since != NULL;
  upgrade->since = value;
  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (on_upgraded), upgrade, upgrade_free, 0);
}

/* Seconds this address must still wait, or 0. */
static guint
auth_blocked_for (PdMirrorServer *self,
                  const char     *peer,
                  gint64          now)
{
  AuthFailures *record = peer != NULL ? g_hash_table_lookup (self->auth_failures, peer) : NULL;
  gint64        window = (gint64) self->auth_window * G_USEC_PER_SEC;

  if (record == NULL || now - record->window_start >= window || record->failures < self->auth_max_failures)
    return 0;
  return (guint) ((record->window_start + window - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

static gboolean
auth_record_expired (gpointer key,
                     gpointer value,
                     gpointer data)
{
  PdMirrorServer *self = data;
  AuthFailures   *record = value;

  return g_get_monotonic_time () - record->window_start >= (gint64) self->auth_window * G_USEC_PER_SEC;
}

static void
auth_failed (PdMirrorServer *self,
             const char     *peer,
             gint64          now)
{
  AuthFailures *record;

  if (peer == NULL)
    return;
  /* bounded: a flood from many addresses cannot grow it without end */
  if (g_hash_table_size (self->auth_failures) >= MAX_TRACKED_ADDRESSES)
    g_hash_table_foreach_remove (self->auth_failures, auth_record_expired, self);
  if (g_hash_table_size (self->auth_failures) >= MAX_TRACKED_ADDRESSES)
    g_hash_table_remove_all (self->auth_failures);

  record = g_hash_table_lookup (self->auth_failures, peer);
  if (record == NULL)
    {
      record = g_new0 (AuthFailures, 1);
      record->window_start = now;
      g_hash_table_insert (self->auth_failures, g_strdup (peer), record);
    }
  else if (now - record->window_start >= (gint64) self->auth_window * G_USEC_PER_SEC)
    {
      record->window_start = now;
      record->failures = 0;
    }
  if (++record->failures == self->auth_max_failures)
    g_message ("mirror: %u wrong tokens from %s; refusing it for %u s", record->failures, peer, self->auth_window);
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           data)
{
  PdMirrorServer *self = data;
  const char     *method = soup_server_message_get_method (msg);
  const char     *peer = soup_server_message_get_remote_host (msg);
  gint64          now = g_get_monotonic_time ();
  const char     *how;
  guint           wait;

  if ((wait = auth_blocked_for (self, peer, now)) > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
      reply (msg, 429 /* Too Many Requests: libsoup 3.2 has no name for it */, NULL, NULL);
      return;
    }

  if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET, HEAD");
      reply (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, NULL);
      return;
    }

  if ((how = authorize (self, msg, query)) == NULL)
    {
      auth_failed (self, peer, now);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "WWW-Authenticate",
                                    "Bearer realm=\"Printdeck\"");
      reply (msg, SOUP_STATUS_UNAUTHORIZED, NULL, NULL);
      return;
    }

  if (g_str_equal (path, "/ws"))
    serve_websocket (self, msg, query);
  else if (g_str_equal (path, "/") || g_str_equal (path, "/index.html"))
    serve_resource (msg, "index.html", "text/html; charset=utf-8", g_str_equal (how, "query") ? how : NULL, self);
  else if (g_str_equal (path, "/mirror.css"))
    serve_resource (msg, "mirror.css", "text/css; charset=utf-8", NULL, self);
  else if (g_str_equal (path, "/mirror.js"))
    serve_resource (msg, "mirror.js", "text/javascript; charset=utf-8", NULL, self);
  else if (g_str_equal (path, "/api/printers"))
    {
      char              *text = snapshot_text (self);
      g_autoptr (GBytes) body = g_bytes_new_take (text, strlen (text));

      reply (msg, SOUP_STATUS_OK, "application/json", body);
    }
  else if (g_str_has_prefix (path, "/api/printers/"))
    serve_snapshot_image (self, msg, path);
  else
    reply (msg, SOUP_STATUS_NOT_FOUND, NULL, NULL);
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_mirror_server_dispose (GObject *object)
{
  PdMirrorServer *self = PD_MIRROR_SERVER (object);

  pd_mirror_server_stop (self);
  g_queue_clear_full (&self->history, (GDestroyNotify) history_entry_free);
  if (self->printers != NULL)
    g_signal_handlers_disconnect_by_data (self->printers, self);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_object (&self->printers);
  g_clear_object (&self->certificate);
  if (self->snapshot_destroy != NULL)
    self->snapshot_destroy (self->snapshot_data);
  self->snapshot_destroy = NULL;
  self->snapshot_func = NULL;

  G_OBJECT_CLASS (pd_mirror_server_parent_class)->dispose (object);
}

static void
pd_mirror_server_finalize (GObject *object)
{
  PdMirrorServer *self = PD_MIRROR_SERVER (object);

  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  g_ptr_array_unref (self->clients);
  g_hash_table_unref (self->auth_failures);

  G_OBJECT_CLASS (pd_mirror_server_parent_class)->finalize (object);
}

static void
pd_mirror_server_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PdMirrorServer *self = PD_MIRROR_SERVER (object);

  switch (prop_id)
    {
    case PROP_N_CLIENTS:
      g_value_set_uint (value, pd_mirror_server_get_n_clients (self));
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, pd_mirror_server_is_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_mirror_server_class_init (PdMirrorServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  /* The page is in the core's resources: referring to them keeps them
   * linked in (and registered) in every program.
   */
  g_resources_register (pd_core_get_resource ());

  object_class->dispose = pd_mirror_server_dispose;
  object_class->finalize = pd_mirror_server_finalize;
  object_class->get_property = pd_mirror_server_get_property;

  properties[PROP_N_CLIENTS] =
    g_param_spec_uint ("n-clients", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_mirror_server_init (PdMirrorServer *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_unref);
  self->history_limit = PD_MIRROR_DEFAULT_HISTORY;
  self->queue_limit = PD_MIRROR_DEFAULT_QUEUE;
  self->ping_interval = PD_MIRROR_PING_INTERVAL;
  self->max_clients = DEFAULT_MAX_CLIENTS;
  self->auth_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->auth_max_failures = DEFAULT_AUTH_FAILURES;
  self->auth_window = DEFAULT_AUTH_WINDOW;
  g_queue_init (&self->history);
}

/* API ---------------------------------------------------------------------------*/

/**
 * pd_mirror_server_new:
 * @printers: a list of #PdPrinter (the #PdPrinterStore)
 *
 * Returns: (transfer full): a mirror of @printers, not listening yet
 */
PdMirrorServer *
pd_mirror_server_new (GListModel *printers)
{
  PdMirrorServer *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (printers), NULL);

  self = g_object_new (PD_TYPE_MIRROR_SERVER, NULL);
  self->printers = g_object_ref (printers);
  for (guint i = 0; i < g_list_model_get_n_items (printers); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (printers, i);

      g_ptr_array_add (self->entries, entry_new (self, printer));
    }
  g_signal_connect_object (printers, "items-changed", G_CALLBACK (on_printers_changed), self, G_CONNECT_SWAPPED);

  return self;
}

/**
 * pd_mirror_server_set_token:
 * @self: a mirror
 * @token: (nullable): what clients must present; %NULL refuses everyone
 *
 * A new token closes the clients that came with the old one.
 */
void
pd_mirror_server_set_token (PdMirrorServer *self,
                            const char     *token)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;

  if (self->token != NULL)
    explicit_bzero (self->token, strlen (self->token));
  g_free (self->token);
  self->token = g_strdup (token);

  {
    g_autoptr (GPtrArray) clients = g_ptr_array_copy (self->clients, (GCopyFunc) (void (*) (void)) client_ref, NULL);

    g_ptr_array_set_free_func (clients, (GDestroyNotify) client_unref);
    for (guint i = 0; i < clients->len; i++)
      client_close (g_ptr_array_index (clients, i), CLOSE_POLICY, "the access code changed", TRUE);
  }
}

/**
 * pd_mirror_server_set_tls_certificate:
 * @self: a mirror
 * @certificate: (nullable): a certificate with its private key: HTTPS and
 *   wss:// from the next start; %NULL for plain HTTP
 */
void
pd_mirror_server_set_tls_certificate (PdMirrorServer  *self,
                                      GTlsCertificate *certificate)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  g_set_object (&self->certificate, certificate);
}

/**
 * pd_mirror_server_set_snapshot_func:
 * @self: a mirror
 * @func: (nullable): what serves /api/printers/SERIAL/snapshot.jpg
 * @user_data: for @func
 * @destroy: (nullable): frees @user_data
 */
void
pd_mirror_server_set_snapshot_func (PdMirrorServer      *self,
                                    PdMirrorSnapshotFunc func,
                                    gpointer             user_data,
                                    GDestroyNotify       destroy)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));

  if (self->snapshot_destroy != NULL)
    self->snapshot_destroy (self->snapshot_data);
  self->snapshot_func = func;
  self->snapshot_data = user_data;
  self->snapshot_destroy = destroy;
}

/**
 * pd_mirror_server_set_limits:
 * @self: a mirror
 * @history: how many messages are kept for clients that resume
 * @queue_bytes: how far behind a client may fall before it is closed
 */
void
pd_mirror_server_set_limits (PdMirrorServer *self,
                             guint           history,
                             gsize           queue_bytes)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));
  g_return_if_fail (queue_bytes > 0);

  self->history_limit = history;
  self->queue_limit = queue_bytes;
  while (self->history.length > self->history_limit)
    {
      history_entry_free (g_queue_pop_head (&self->history));
    }
}

/**
 * pd_mirror_server_set_ping_interval:
 * @self: a mirror
 * @seconds: how often clients are pinged; one silent for two intervals is
 *   closed (from the next start)
 */
void
pd_mirror_server_set_ping_interval (PdMirrorServer *self,
                                    guint           seconds)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));
  g_return_if_fail (seconds > 0);

  self->ping_interval = seconds;
}

/**
 * pd_mirror_server_set_max_clients:
 * @self: a mirror server
 * @max_clients: WebSocket clients at most (default 64); more get 503
 */
void
pd_mirror_server_set_max_clients (PdMirrorServer *self,
                                  guint           max_clients)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));
  g_return_if_fail (max_clients > 0);

  self->max_clients = max_clients;
}

/**
 * pd_mirror_server_set_auth_limit:
 * @self: a mirror server
 * @max_failures: wrong tokens from one address (default 10)…
 * @window_seconds: …within this many seconds (default 60) after which the
 *   address gets 429 until the window ends
 */
void
pd_mirror_server_set_auth_limit (PdMirrorServer *self,
                                 guint           max_failures,
                                 guint           window_seconds)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));
  g_return_if_fail (max_failures > 0 && window_seconds > 0);

  self->auth_max_failures = max_failures;
  self->auth_window = window_seconds;
  g_hash_table_remove_all (self->auth_failures);
}

/**
 * pd_mirror_server_start:
 * @self: a mirror
 * @address: (nullable): %NULL for this computer only (127.0.0.1 and ::1),
 *   "0.0.0.0" or "::" for every interface, or one address to listen on
 * @port: the TCP port, 0 for any free one
 * @error: where to say why not
 *
 * Starts listening; HTTPS when a certificate was set. Needs a token.
 *
 * Returns: whether it listens
 */
gboolean
pd_mirror_server_start (PdMirrorServer *self,
                        const char     *address,
                        guint           port,
                        GError        **error)
{
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GError)     local_error = NULL;
  SoupServerListenOptions options = 0;
  gboolean               ok;

  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), FALSE);
  g_return_val_if_fail (port <= G_MAXUINT16, FALSE);

  pd_mirror_server_stop (self);

  if (self->token == NULL || *self->token == '\0')
    {
      g_set_error_literal (error, PD_MIRROR_ERROR, PD_MIRROR_ERROR_NO_TOKEN, _("The mirror has no access code."));
      return FALSE;
    }

  server = soup_server_new ("server-header", "Printdeck", NULL);
  if (self->certificate != NULL)
    {
      g_object_set (server, "tls-certificate", self->certificate, NULL);
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  soup_server_add_handler (server, NULL, handle_request, self, NULL);

  if (address == NULL)
    ok = soup_server_listen_local (server, port, options, &local_error);
  else if (g_str_equal (address, "0.0.0.0") || g_str_equal (address, "::") || g_str_equal (address, "all"))
    ok = soup_server_listen_all (server, port, options, &local_error);
  else
    {
      g_autoptr (GInetAddress)   inet = g_inet_address_new_from_string (address);
      g_autoptr (GSocketAddress) socket_address = NULL;

      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("“%s” is not an IP address."), address);
          return FALSE;
        }
      socket_address = g_inet_socket_address_new (inet, (guint16) port);
      ok = soup_server_listen (server, socket_address, options, &local_error);
    }

  if (!ok)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                     _("Port %u is in use by another program."), port);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->server = g_steal_pointer (&server);
  self->ping_id = g_timeout_add_seconds (self->ping_interval, on_ping, self);
  /* An earlier run's "since" is older than anything this one has. */
  self->seq = MAX (self->seq, (guint64) (g_get_real_time () / 1000));
  g_message ("Mirror listening on port %u%s", pd_mirror_server_get_port (self),
             self->certificate != NULL ? " (TLS)" : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  return TRUE;
}

/**
 * pd_mirror_server_stop:
 * @self: a mirror
 *
 * Closes every client and stops listening.
 */
void
pd_mirror_server_stop (PdMirrorServer *self)
{
  g_return_if_fail (PD_IS_MIRROR_SERVER (self));

  if (self->server == NULL)
    return;

  while (self->clients->len > 0)
    client_drop (g_ptr_array_index (self->clients, self->clients->len - 1));
  g_clear_handle_id (&self->ping_id, g_source_remove);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_queue_clear_full (&self->history, (GDestroyNotify) history_entry_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

gboolean
pd_mirror_server_is_running (PdMirrorServer *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), FALSE);

  return self->server != NULL;
}

/**
 * pd_mirror_server_get_port:
 * @self: a mirror
 *
 * Returns: the port it listens on, 0 when stopped
 */
guint
pd_mirror_server_get_port (PdMirrorServer *self)
{
  GSList *listeners;

  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), 0);

  if (self->server == NULL)
    return 0;

  listeners = soup_server_get_listeners (self->server);
  for (GSList *l = listeners; l != NULL; l = l->next)
    {
      g_autoptr (GSocketAddress) address = g_socket_get_local_address (l->data, NULL);

      if (G_IS_INET_SOCKET_ADDRESS (address))
        {
          guint port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));

          g_slist_free (listeners);
          return port;
        }
    }
  g_slist_free (listeners);

  return 0;
}

/**
 * pd_mirror_server_dup_url:
 * @self: a running mirror
 * @host: (nullable): the host name or address clients use; "127.0.0.1"
 *   when %NULL
 *
 * Returns: (transfer full) (nullable): the page's address with the token,
 *   for the QR code; %NULL when stopped
 */
char *
pd_mirror_server_dup_url (PdMirrorServer *self,
                          const char     *host)
{
  g_autofree char *bracketed = NULL;

  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), NULL);

  if (self->server == NULL || self->token == NULL)
    return NULL;
  if (host == NULL)
    host = "127.0.0.1";
  if (strchr (host, ':') != NULL)
    host = bracketed = g_strdup_printf ("[%s]", host);

  return g_strdup_printf ("%s://%s:%u/?token=%s", self->certificate != NULL ? "https" : "http", host,
                          pd_mirror_server_get_port (self), self->token);
}

guint
pd_mirror_server_get_n_clients (PdMirrorServer *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), 0);

  return self->clients->len;
}

/**
 * pd_mirror_server_get_seq:
 * @self: a mirror
 *
 * Returns: the number of the last message sent
 */
guint64
pd_mirror_server_get_seq (PdMirrorServer *self)
{
  g_return_val_if_fail (PD_IS_MIRROR_SERVER (self), 0);

  return self->seq;
}

/**
 * pd_mirror_generate_token:
 *
 * Returns: (transfer full): a new random access token: 32 bytes from the
 *   system's random source, base64url without padding (43 characters)
 */
char *
pd_mirror_generate_token (void)
{
  guint8 bytes[32];
  char  *token;
  gsize  n = 0;

  /* GRand is not meant for secrets: the kernel's generator is. */
  {
    g_autoptr (GFile)        file = g_file_new_for_path ("/dev/urandom");
    g_autoptr (GInputStream) in = G_INPUT_STREAM (g_file_read (file, NULL, NULL));

    if (in == NULL || !g_input_stream_read_all (in, bytes, sizeof bytes, &n, NULL, NULL) || n != sizeof bytes)
      g_error ("No random bytes for the mirror's access code");
  }

  token = g_base64_encode (bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);
  g_strdelimit (token, "+", '-');
  g_strdelimit (token, "/", '_');
  g_strdelimit (token, "=", '\0');

  return token;
}
