/* test-mirror.c — PdMirrorServer with real libsoup WebSocket clients
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loopback only; every wait is bounded. The printers are PdPrinter objects
 * fed with reports (the recorded fixtures and random changes from a seeded
 * generator), so what the clients rebuild can be compared with the exact
 * state documents.
 */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/socket.h>

#include "pd-json.h"
#include "pd-mirror-server.h"
#include "pd-sim-crypto.h"
#include "pd-test-util.h"

#define TOKEN "test-token-0123456789abcdefghijklmnopqrstuv"

/* Fixture: printers, a server ---------------------------------------------------*/

typedef struct
{
  GListStore     *printers;
  PdMirrorServer *server;
  SoupSession    *session;
  guint           port;
  gboolean        tls;
} Fixture;

static PdPrinter *
new_printer (const char *serial,
             const char *fixture)
{
  PdPrinter *printer = pd_printer_new (serial);

  pd_printer_set_name (printer, serial + 10);
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);
  pd_test_apply_fixture (printer, fixture);

  return printer;
}

static void
fixture_setup (Fixture      *f,
               gconstpointer data)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (PdPrinter) a = new_printer ("00M00A000000001", "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");
  g_autoptr (PdPrinter) b = new_printer ("03900A000000002", "reports/A1_idle_ams_lite_humidity_index_push_status.json");

  f->printers = g_list_store_new (PD_TYPE_PRINTER);
  g_list_store_append (f->printers, a);
  g_list_store_append (f->printers, b);
  f->server = pd_mirror_server_new (G_LIST_MODEL (f->printers));
  pd_mirror_server_set_token (f->server, TOKEN);
  f->tls = data != NULL;
  if (f->tls)
    {
      g_autoptr (PdSimCa)         ca = pd_sim_ca_new (PD_SIM_KEY_EC, "Mirror test CA", &error);
      g_autoptr (PdSimCert)       cert = NULL;
      g_autofree char            *pem = NULL;
      g_autoptr (GTlsCertificate) certificate = NULL;

      g_assert_no_error (error);
      cert = pd_sim_ca_issue (ca, "127.0.0.1", &error);
      g_assert_no_error (error);
      pem = g_strconcat (cert->cert_pem, cert->key_pem, NULL);
      certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
      g_assert_no_error (error);
      pd_mirror_server_set_tls_certificate (f->server, certificate);
    }
  g_assert_true (pd_mirror_server_start (f->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  f->port = pd_mirror_server_get_port (f->server);
  g_assert_cmpuint (f->port, >, 0);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture      *f,
                  gconstpointer data)
{
  pd_mirror_server_stop (f->server);
  g_assert_finalize_object (f->server);
  g_clear_object (&f->session);
  g_assert_finalize_object (f->printers);
}

/* A report of @body (members of "print"; ' for ") to @printer. */
static void
apply (PdPrinter  *printer,
       const char *body)
{
  g_autofree char *text = g_strdup_printf ("{'print':{'command':'push_status',%s}}", body);

  pd_test_apply_text (printer, g_strdelimit (text, "'", '"'));
}

static PdPrinter *
printer_at (Fixture *f,
            guint    i)
{
  g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (f->printers), i);

  return printer; /* the store holds it */
}

/* HTTP ----------------------------------------------------------------------------*/

static gboolean
accept_any (SoupMessage         *msg,
            GTlsCertificate     *certificate,
            GTlsCertificateFlags errors,
            gpointer             data)
{
  return TRUE;
}

static char *
url (Fixture    *f,
     const char *scheme,
     const char *path_and_query)
{
  return g_strdup_printf ("%s%s://127.0.0.1:%u%s", scheme, f->tls ? "s" : "", f->port, path_and_query);
}

typedef struct
{
  GBytes *body;
  GError *error;
  gboolean done;
} Fetch;

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Fetch *fetch = data;

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &fetch->error);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer data)
{
  return ((Fetch *) data)->done;
}

/* GET @path with @authorization; returns the status, @body set */
static guint
get (Fixture    *f,
     const char *path,
     const char *authorization,
     GBytes    **body,
     char      **content_type)
{
  g_autofree char        *address = url (f, "http", path);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", address);
  Fetch                   fetch = { NULL, NULL, FALSE };

  if (authorization != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization", authorization);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_fetched, &fetch);
  g_assert_true (pd_test_wait_until (fetch_done, &fetch, 10));
  g_assert_no_error (fetch.error);
  if (body != NULL)
    *body = g_steal_pointer (&fetch.body);
  g_clear_pointer (&fetch.body, g_bytes_unref);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));

  return soup_message_get_status (msg);
}

/* WebSocket clients ------------------------------------------------------------*/

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue                   messages; /* JsonNode, not applied yet */
  GHashTable              *docs;     /* serial → JsonNode (applied) */
  GPtrArray               *order;    /* serials, as the server lists them */
  guint64                  seq;
  guint                    n_snapshots;
  guint                    n_resumes;
  guint                    n_deltas;
  gboolean                 closed;
  gushort                  close_code;
  gboolean                 pong;
} Client;

static void
on_ws_message (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               Client                  *c)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  gsize                  length;
  const char            *text = g_bytes_get_data (message, &length);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  json_parser_load_from_data (parser, text, (gssize) length, &error);
  g_assert_no_error (error);
  g_queue_push_tail (&c->messages, json_node_ref (json_parser_get_root (parser)));
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              Client                  *c)
{
  c->closed = TRUE;
  c->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
client_free (Client *c)
{
  if (c->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (c->ws, c);
      if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (c->ws);
    }
  g_queue_clear_full (&c->messages, (GDestroyNotify) json_node_unref);
  g_hash_table_unref (c->docs);
  g_ptr_array_unref (c->order);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 done;
} Connect;

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Connect *connect = data;

  connect->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &connect->error);
  connect->done = TRUE;
}

static gboolean
connect_done (gpointer data)
{
  return ((Connect *) data)->done;
}

/* Connects to /ws with @query (after "?"); NULL and @error set on failure */
static Client *
client_try_new (Fixture    *f,
                const char *query,
                GError    **error)
{
  g_autofree char        *path = g_strdup_printf ("/ws?%s", query);
  g_autofree char        *address = url (f, "ws", path);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", address);
  Connect                 connect = { NULL, NULL, FALSE };
  Client                 *c;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_connected,
                                        &connect);
  g_assert_true (pd_test_wait_until (connect_done, &connect, 10));
  if (connect.ws == NULL)
    {
      g_propagate_error (error, connect.error);
      return NULL;
    }

  c = g_new0 (Client, 1);
  c->ws = connect.ws;
  g_queue_init (&c->messages);
  c->docs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_node_unref);
  c->order = g_ptr_array_new_with_free_func (g_free);
  soup_websocket_connection_set_max_incoming_payload_size (c->ws, 0);
  g_signal_connect (c->ws, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_ws_closed), c);

  return c;
}

static Client *
client_new (Fixture    *f,
            const char *query)
{
  g_autoptr (GError) error = NULL;
  Client            *c = client_try_new (f, query, &error);

  g_assert_no_error (error);
  return c;
}

static const char *
doc_serial (JsonNode *doc)
{
  return json_object_get_string_member (json_node_get_object (doc), "serial");
}

/* Applies what came, checking the protocol as it goes. */
static void
client_apply (Client *c)
{
  JsonNode *node;

  while ((node = g_queue_pop_head (&c->messages)) != NULL)
    {
      JsonObject *m = json_node_get_object (node);
      const char *type = json_object_get_string_member (m, "type");
      guint64     seq = json_object_has_member (m, "seq") ? (guint64) json_object_get_int_member (m, "seq") : 0;

      if (g_str_equal (type, "snapshot"))
        {
          JsonArray *printers = json_object_get_array_member (m, "printers");

          g_assert_cmpint (json_object_get_int_member (m, "version"), ==, 1);
          g_hash_table_remove_all (c->docs);
          g_ptr_array_set_size (c->order, 0);
          for (guint i = 0; i < json_array_get_length (printers); i++)
            {
              JsonNode *doc = json_array_get_element (printers, i);

              g_hash_table_insert (c->docs, g_strdup (doc_serial (doc)), json_node_copy (doc));
              g_ptr_array_add (c->order, g_strdup (doc_serial (doc)));
            }
          c->seq = seq;
          c->n_snapshots++;
        }
      else if (g_str_equal (type, "resume"))
        {
          g_assert_cmpuint ((guint64) json_object_get_int_member (m, "from"), ==, c->seq);
          c->n_resumes++;
        }
      else if (g_str_equal (type, "pong"))
        c->pong = TRUE;
      else
        {
          /* No gap, no duplicate. */
          g_assert_cmpuint (seq, ==, c->seq + 1);
          c->seq = seq;

          if (g_str_equal (type, "delta"))
            {
              const char *serial = json_object_get_string_member (m, "serial");
              JsonNode   *doc = g_hash_table_lookup (c->docs, serial);

              g_assert_nonnull (doc);
              g_hash_table_insert (c->docs, g_strdup (serial),
                                   pd_json_merge_apply (doc, json_object_get_member (m, "patch")));
              c->n_deltas++;
            }
          else if (g_str_equal (type, "printer-added"))
            {
              JsonNode *doc = json_object_get_member (m, "printer");

              guint     index = (guint) json_object_get_int_member (m, "index");

              g_assert_cmpuint (index, <=, c->order->len);
              g_hash_table_insert (c->docs, g_strdup (doc_serial (doc)), json_node_copy (doc));
              g_ptr_array_insert (c->order, (int) index, g_strdup (doc_serial (doc)));
            }
          else if (g_str_equal (type, "printer-removed"))
            {
              const char *serial = json_object_get_string_member (m, "serial");
              guint       index;

              g_assert_true (g_hash_table_remove (c->docs, serial));
              g_assert_true (g_ptr_array_find_with_equal_func (c->order, serial, g_str_equal, &index));
              g_ptr_array_remove_index (c->order, index);
            }
          else
            g_error ("unknown message type %s", type);
        }
      json_node_unref (node);
    }
}

typedef struct
{
  Client *client;
  guint64 seq;
} SeqWait;

static gboolean
client_reached (gpointer data)
{
  SeqWait *wait = data;

  client_apply (wait->client);
  return wait->client->seq >= wait->seq && (wait->client->n_snapshots > 0 || wait->client->n_resumes > 0);
}

static void
client_sync (Client         *c,
             PdMirrorServer *server)
{
  SeqWait wait = { c, pd_mirror_server_get_seq (server) };

  if (!pd_test_wait_until (client_reached, &wait, 10))
    g_error ("the client is at %" G_GUINT64_FORMAT ", the server at %" G_GUINT64_FORMAT, c->seq, wait.seq);
}

/* The document without its null members: null and missing mean the same. */
static JsonNode *
normalize (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr (JsonObject) out = json_object_new ();
      JsonObjectIter         iter;
      const char            *name;
      JsonNode              *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        if (!JSON_NODE_HOLDS_NULL (member))
          json_object_set_member (out, name, normalize (member));

      return json_node_init_object (json_node_alloc (), out);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      g_autoptr (JsonArray) out = json_array_new ();
      JsonArray            *in = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (in); i++)
        json_array_add_element (out, normalize (json_array_get_element (in, i)));

      return json_node_init_array (json_node_alloc (), out);
    }

  return json_node_copy (node);
}

/* The client's documents are the printers' own, in the same order. */
static void
assert_mirrors (Client  *c,
                Fixture *f)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (f->printers));

  g_assert_cmpuint (c->order->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      PdPrinter           *printer = printer_at (f, i);
      JsonNode            *mine = g_hash_table_lookup (c->docs, pd_printer_get_serial (printer));
      g_autoptr (JsonNode) a = NULL;
      g_autoptr (JsonNode) b = NULL;

      g_assert_cmpstr (g_ptr_array_index (c->order, i), ==, pd_printer_get_serial (printer));
      g_assert_nonnull (mine);
      a = normalize (mine);
      b = normalize (pd_state_to_json (pd_printer_get_state (printer)));
      if (!json_node_equal (a, b))
        {
          g_autofree char *x = pd_json_to_string (a, TRUE);
          g_autofree char *y = pd_json_to_string (b, TRUE);

          g_error ("%s differs:\n%s\nvs\n%s", pd_printer_get_serial (printer), x, y);
        }
    }
}

/* A random change, as a print makes them. */
static void
random_change (Fixture *f,
               GRand   *rand)
{
  PdPrinter       *printer = printer_at (f, g_rand_int_range (rand, 0, (int) g_list_model_get_n_items (G_LIST_MODEL (f->printers))));
  g_autofree char *body = NULL;
  const char      *states[] = { "IDLE", "PREPARE", "RUNNING", "PAUSE", "FINISH", "FAILED" };

  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0:
      body = g_strdup_printf ("'mc_percent':%d,'layer_num':%d,'mc_remaining_time':%d", g_rand_int_range (rand, 0, 101),
                              g_rand_int_range (rand, 0, 300), g_rand_int_range (rand, 0, 600));
      break;
    case 1:
      body = g_strdup_printf ("'nozzle_temper':%.1f,'bed_temper':%.1f", g_rand_double_range (rand, 20, 300),
                              g_rand_double_range (rand, 20, 110));
      break;
    case 2:
      body = g_strdup_printf ("'gcode_state':'%s','subtask_name':'job %d'", states[g_rand_int_range (rand, 0, 6)],
                              g_rand_int_range (rand, 0, 5));
      break;
    case 3:
      body = g_strdup ("'hms':[{'attr':50331904,'code':65543},{'attr':117440768,'code':131078}]");
      break;
    case 4:
      body = g_strdup ("'hms':[]");
      break;
    case 5:
      body = g_strdup_printf ("'ams':{'ams':[{'id':'0','humidity_raw':'%d','tray':[{'id':'%d','remain':%d}]}]}",
                              g_rand_int_range (rand, 5, 90), g_rand_int_range (rand, 0, 4), g_rand_int_range (rand, -1, 101));
      break;
    case 6:
      body = g_strdup_printf ("'print_error':%d,'gcode_state':'PAUSE'", g_rand_boolean (rand) ? 117473286 : 0);
      break;
    default:
      body = g_strdup_printf ("'wifi_signal':'-%ddBm','spd_lvl':%d", g_rand_int_range (rand, 30, 90), g_rand_int_range (rand, 1, 5));
      break;
    }
  apply (printer, body);
}

/* The tests ------------------------------------------------------------------------*/

static void
test_auth (Fixture      *f,
           gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autofree char   *type = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (Client) c = NULL;

  g_assert_cmpuint (get (f, "/api/printers", NULL, &body, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (get (f, "/api/printers", "Bearer wrong", &body, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (g_bytes_get_size (body), ==, 0);
  g_clear_pointer (&body, g_bytes_unref);
  g_assert_cmpuint (get (f, "/api/printers?token=" TOKEN "x", NULL, NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get (f, "/api/printers?token=" "test", NULL, NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get (f, "/", NULL, NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get (f, "/api/printers/00M00A000000001/snapshot.jpg", NULL, NULL, NULL), ==,
                    SOUP_STATUS_UNAUTHORIZED);

  /* The WebSocket too: the handshake gets 401. */
  c = client_try_new (f, "since=0", &error);
  g_assert_null (c);
  g_assert_nonnull (error);
  g_test_message ("without the token: %s", error->message);
  g_clear_error (&error);
  c = client_try_new (f, "token=nope", &error);
  g_assert_null (c);
  g_clear_error (&error);

  /* With it, as a header or in the query */
  g_assert_cmpuint (get (f, "/api/printers", "Bearer " TOKEN, &body, &type), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (type, ==, "application/json");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), "\"snapshot\""));
  g_assert_null (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), "access"));
  g_assert_cmpuint (get (f, "/api/printers?token=" TOKEN, NULL, NULL, NULL), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (get (f, "/nothing-here?token=" TOKEN, NULL, NULL, NULL), ==, SOUP_STATUS_NOT_FOUND);
  c = client_new (f, "token=" TOKEN);
  client_sync (c, f->server);
  g_assert_cmpuint (c->n_snapshots, ==, 1);
}

static gboolean n_clients_is (gpointer data);

/* Wrong tokens from one address: after the limit, that address waits out
 * the window (429), even with the right token; then it is let in again. */
static void
test_auth_rate_limit (Fixture      *f,
                      gconstpointer data)
{
  pd_mirror_server_set_auth_limit (f->server, 3, 2);

  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (get (f, "/api/printers", "Bearer guess", NULL, NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get (f, "/api/printers", "Bearer " TOKEN, NULL, NULL), ==, 429);
  g_assert_cmpuint (get (f, "/api/printers?token=" TOKEN, NULL, NULL, NULL), ==, 429);

  pd_test_spin (2200);
  g_assert_cmpuint (get (f, "/api/printers", "Bearer " TOKEN, NULL, NULL), ==, SOUP_STATUS_OK);
}

/* Each client costs a send queue: beyond the limit the handshake gets 503,
 * and a place that frees up can be taken. */
static void
test_max_clients (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (Client) a = NULL;
  g_autoptr (Client) b = NULL;
  g_autoptr (Client) c = NULL;
  g_autoptr (GError) error = NULL;
  gpointer           one[] = { f->server, GUINT_TO_POINTER (1) };

  pd_mirror_server_set_max_clients (f->server, 2);
  a = client_new (f, "token=" TOKEN);
  b = client_new (f, "token=" TOKEN);
  c = client_try_new (f, "token=" TOKEN, &error);
  g_assert_null (c);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpuint (pd_mirror_server_get_n_clients (f->server), ==, 2);

  g_clear_pointer (&a, client_free);
  g_assert_true (pd_test_wait_until (n_clients_is, one, 10));
  c = client_new (f, "token=" TOKEN);
  client_sync (c, f->server);
}

/* Only the page's own files are served: no path reaches the file system. */
static void
test_no_traversal (Fixture      *f,
                   gconstpointer data)
{
  static const char *const paths[] = {
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/mirror.js/../../etc/passwd",
    "/api/printers/..%2f..%2fetc%2fpasswd", "/api/printers/../../etc/passwd/snapshot.jpg", "/etc/passwd",
    "//etc/passwd", "/mirror.css%00.js",
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr (GBytes) body = NULL;
      guint              status = get (f, paths[i], "Bearer " TOKEN, &body, NULL);

      g_test_message ("%s: %u", paths[i], status);
      if (body != NULL && g_bytes_get_size (body) > 0)
        g_assert_null (g_strstr_len (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body), "root:"));
      g_assert_cmpuint (status, !=, SOUP_STATUS_INTERNAL_SERVER_ERROR);
    }
}

/* The page is locked down: its own scripts only, no referrer (the token is
 * in its address), no sniffing, nothing cached. */
static void
test_security_headers (Fixture      *f,
                       gconstpointer data)
{
  g_autofree char        *address = url (f, "http", "/?token=" TOKEN);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", address);
  Fetch                   fetch = { NULL, NULL, FALSE };
  SoupMessageHeaders     *headers;
  const char             *csp;

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_fetched, &fetch);
  g_assert_true (pd_test_wait_until (fetch_done, &fetch, 10));
  g_assert_no_error (fetch.error);
  g_clear_pointer (&fetch.body, g_bytes_unref);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);

  headers = soup_message_get_response_headers (msg);
  csp = soup_message_headers_get_one (headers, "Content-Security-Policy");
  g_assert_nonnull (csp);
  g_assert_nonnull (strstr (csp, "default-src 'self'"));
  g_assert_nonnull (strstr (csp, "frame-ancestors 'none'"));
  g_assert_null (strstr (csp, "unsafe-inline"));
  g_assert_null (strstr (csp, "unsafe-eval"));
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Referrer-Policy"), ==, "no-referrer");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-Content-Type-Options"), ==, "nosniff");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Cache-Control"), ==, "no-store");
}

/* Snapshot, then deltas: applied, they are the printers' documents. Over
 * random changes from several seeds.
 */
static void
test_deltas (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (Client) c = client_new (f, "token=" TOKEN);
  gsize              delta_bytes = 0, doc_bytes = 0;
  guint              n_updates = 0;

  client_sync (c, f->server);
  g_assert_cmpuint (c->n_snapshots, ==, 1);
  assert_mirrors (c, f);

  for (guint seed = 1; seed <= 4; seed++)
    {
      g_autoptr (GRand) rand = g_rand_new_with_seed (seed);

      for (guint step = 0; step < 150; step++)
        {
          guint64 before = pd_mirror_server_get_seq (f->server);

          random_change (f, rand);
          if (pd_mirror_server_get_seq (f->server) != before)
            n_updates++;
          /* Sometimes several changes before the client looks. */
          if (g_rand_int_range (rand, 0, 3) == 0)
            {
              client_sync (c, f->server);
              assert_mirrors (c, f);
            }
        }
      client_sync (c, f->server);
      assert_mirrors (c, f);
    }
  g_assert_cmpuint (c->n_snapshots, ==, 1);
  g_assert_cmpuint (c->n_deltas, ==, n_updates);
  g_assert_cmpuint (n_updates, >, 300);

  /* A delta is much smaller than the document it changes. */
  {
    PdPrinter            *printer = printer_at (f, 0);
    g_autofree char      *doc = pd_json_to_string (pd_state_to_json (pd_printer_get_state (printer)), FALSE);
    g_autoptr (JsonNode)  before = json_node_ref (pd_state_to_json (pd_printer_get_state (printer)));
    g_autoptr (JsonNode)  patch = NULL;
    g_autofree char      *text = NULL;

    apply (printer, "'mc_percent':57");
    patch = pd_json_merge_diff (before, pd_state_to_json (pd_printer_get_state (printer)));
    text = pd_json_to_string (patch, FALSE);
    delta_bytes = strlen (text);
    doc_bytes = strlen (doc);
    g_test_message ("a progress delta: %" G_GSIZE_FORMAT " bytes, the document %" G_GSIZE_FORMAT, delta_bytes,
                    doc_bytes);
    g_assert_cmpuint (delta_bytes * 20, <, doc_bytes);
  }
}

/* Printers added and removed have their own messages. */
static void
test_added_removed (Fixture      *f,
                    gconstpointer data)
{
  g_autoptr (Client)    c = client_new (f, "token=" TOKEN);
  g_autoptr (PdPrinter) p = new_printer ("01S00C000000003", "reports/P1P_failed_push_status.json");

  client_sync (c, f->server);
  g_list_store_insert (f->printers, 1, p);
  client_sync (c, f->server);
  assert_mirrors (c, f);
  apply (p, "'mc_percent':12");
  client_sync (c, f->server);
  assert_mirrors (c, f);
  g_list_store_remove (f->printers, 0);
  client_sync (c, f->server);
  assert_mirrors (c, f);
  g_assert_cmpuint (c->order->len, ==, 2);
}

/* Reconnecting with ?since= gives what was missed: no gap, no duplicate.
 * Too old: a snapshot.
 */
static void
test_resume (Fixture      *f,
             gconstpointer data)
{
  g_autoptr (Client) c = client_new (f, "token=" TOKEN);
  g_autoptr (GRand)  rand = g_rand_new_with_seed (7);
  g_autofree char   *query = NULL;
  Client            *again;
  guint64            last;

  for (guint i = 0; i < 20; i++)
    random_change (f, rand);
  client_sync (c, f->server);
  last = c->seq;

  /* Gone; meanwhile changes. */
  soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&c->ws);
  for (guint i = 0; i < 40; i++)
    random_change (f, rand);
  g_assert_cmpuint (pd_mirror_server_get_seq (f->server), >, last + 10);

  /* Back: the same client state, resumed. */
  query = g_strdup_printf ("token=" TOKEN "&since=%" G_GUINT64_FORMAT, last);
  again = client_new (f, query);
  again->seq = c->seq;
  again->n_snapshots = c->n_snapshots;
  g_hash_table_unref (again->docs);
  again->docs = g_hash_table_ref (c->docs);
  g_ptr_array_unref (again->order);
  again->order = g_ptr_array_ref (c->order);
  client_sync (again, f->server);
  g_assert_cmpuint (again->n_resumes, ==, 1);
  g_assert_cmpuint (again->n_snapshots, ==, 1);
  assert_mirrors (again, f);

  /* Up to date: a resume and nothing else. */
  g_clear_pointer (&query, g_free);
  query = g_strdup_printf ("token=" TOKEN "&since=%" G_GUINT64_FORMAT, again->seq);
  {
    g_autoptr (Client) current = client_new (f, query);

    current->seq = again->seq;
    pd_test_spin (300);
    client_apply (current);
    g_assert_cmpuint (current->n_resumes, ==, 1);
    g_assert_cmpuint (current->n_snapshots, ==, 0);
  }

  /* Too old for the history kept: a fresh snapshot. */
  pd_mirror_server_set_limits (f->server, 5, PD_MIRROR_DEFAULT_QUEUE);
  for (guint i = 0; i < 30; i++)
    random_change (f, rand);
  g_clear_pointer (&query, g_free);
  query = g_strdup_printf ("token=" TOKEN "&since=%" G_GUINT64_FORMAT, last);
  {
    g_autoptr (Client) old = client_new (f, query);

    client_sync (old, f->server);
    g_assert_cmpuint (old->n_snapshots, ==, 1);
    g_assert_cmpuint (old->n_resumes, ==, 0);
    assert_mirrors (old, f);
  }

  /* A since from the future (another run): a snapshot too. */
  {
    g_autoptr (Client) future = client_new (f, "token=" TOKEN "&since=18446744073709551000");

    client_sync (future, f->server);
    g_assert_cmpuint (future->n_snapshots, ==, 1);
  }

  client_free (again);
}

/* A raw WebSocket client that reads nothing, with a tiny receive buffer. */
static GSocketConnection *
stalled_client (Fixture *f)
{
  g_autoptr (GSocketClient)    client = g_socket_client_new ();
  g_autoptr (GError)           error = NULL;
  g_autoptr (GSocket)          socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress)     loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress)   address = g_inet_socket_address_new (loopback, (guint16) f->port);
  GSocketConnection           *connection;
  g_autofree char             *request = NULL;
  char                         answer[1024];
  gssize                       n;

  g_assert_no_error (error);
  g_assert_true (g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 4096, &error));
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);
  connection = g_socket_connection_factory_create_connection (socket);
  request = g_strdup_printf ("GET /ws?token=" TOKEN " HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\n"
                             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                             "Sec-WebSocket-Version: 13\r\n\r\n", f->port);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                            strlen (request), NULL, NULL, &error));
  /* The answer, read on a worker while the server runs here */
  g_socket_set_blocking (socket, FALSE);
  for (guint i = 0; i < 200; i++)
    {
      pd_test_spin (10);
      n = g_socket_receive (socket, answer, sizeof answer - 1, NULL, NULL);
      if (n > 0)
        {
          answer[n] = '\0';
          g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 101"));
          return connection;
        }
    }
  g_error ("no handshake answer");
}

static gboolean
n_clients_is (gpointer data)
{
  gpointer *args = data;

  return pd_mirror_server_get_n_clients (args[0]) == GPOINTER_TO_UINT (args[1]);
}

/* A client that stops reading is dropped; a fast one keeps up, with every
 * message, all along.
 */
static void
test_slow_client (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (Client)            fast = client_new (f, "token=" TOKEN);
  g_autoptr (GSocketConnection) slow = NULL;
  g_autoptr (GRand)             rand = g_rand_new_with_seed (11);
  gpointer                      args[2] = { f->server, GUINT_TO_POINTER (1) };
  guint64                       first;

  pd_mirror_server_set_limits (f->server, 64, 32 * 1024);
  client_sync (fast, f->server);
  first = fast->seq;
  slow = stalled_client (f);
  g_assert_cmpuint (pd_mirror_server_get_n_clients (f->server), ==, 2);

  /* Big messages: printers added and removed carry whole documents. */
  for (guint i = 0; i < 4000 && pd_mirror_server_get_n_clients (f->server) == 2; i++)
    {
      g_autoptr (PdPrinter) p = new_printer ("00M00A0000009XX", "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json");

      g_list_store_append (f->printers, p);
      random_change (f, rand);
      g_list_store_remove (f->printers, g_list_model_get_n_items (G_LIST_MODEL (f->printers)) - 1);
      client_sync (fast, f->server);
    }
  g_assert_true (pd_test_wait_until (n_clients_is, args, 10));
  g_assert_false (fast->closed);
  g_test_message ("the stalled client was dropped after %" G_GUINT64_FORMAT " messages", fast->seq - first);

  /* The fast one still gets everything. */
  for (guint i = 0; i < 20; i++)
    random_change (f, rand);
  client_sync (fast, f->server);
  assert_mirrors (fast, f);
}

/* A client that answers nothing (no pong, nothing read) is closed after
 * two ping intervals; one that answers stays.
 */
static void
test_dead_client (Fixture      *f,
                  gconstpointer data)
{
  g_autoptr (GError)            error = NULL;
  g_autoptr (GSocketConnection) dead = NULL;
  g_autoptr (Client)            alive = NULL;
  gpointer                      args[2] = { f->server, GUINT_TO_POINTER (1) };

  pd_mirror_server_stop (f->server);
  pd_mirror_server_set_ping_interval (f->server, 1);
  g_assert_true (pd_mirror_server_start (f->server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  f->port = pd_mirror_server_get_port (f->server);

  alive = client_new (f, "token=" TOKEN);
  dead = stalled_client (f);
  g_assert_cmpuint (pd_mirror_server_get_n_clients (f->server), ==, 2);
  /* libsoup answers the pings of the live one by itself. */
  g_assert_true (pd_test_wait_until (n_clients_is, args, 10));
  pd_test_spin (2500);
  g_assert_cmpuint (pd_mirror_server_get_n_clients (f->server), ==, 1);
  g_assert_false (alive->closed);
}

static gboolean
client_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

/* Bad client messages close that client only; a ping is answered. */
static void
test_client_messages (Fixture      *f,
                      gconstpointer data)
{
  g_autoptr (Client) good = client_new (f, "token=" TOKEN);
  g_autoptr (Client) garbage = client_new (f, "token=" TOKEN);
  g_autoptr (Client) big = client_new (f, "token=" TOKEN);
  g_autoptr (Client) binary = client_new (f, "token=" TOKEN);
  g_autoptr (Client) unknown = client_new (f, "token=" TOKEN);
  g_autofree char   *huge = g_strnfill (PD_MIRROR_MAX_CLIENT_MESSAGE + 10, 'x');

  client_sync (good, f->server);
  soup_websocket_connection_send_text (good->ws, "{\"type\":\"ping\"}");
  soup_websocket_connection_send_text (garbage->ws, "this is not JSON");
  soup_websocket_connection_send_text (big->ws, huge);
  soup_websocket_connection_send_binary (binary->ws, "\x01\x02", 2);
  soup_websocket_connection_send_text (unknown->ws, "{\"type\":\"pause\",\"serial\":\"00M00A000000001\"}");

  g_assert_true (pd_test_wait_until (client_closed, garbage, 10));
  g_assert_cmpuint (garbage->close_code, ==, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA);
  g_assert_true (pd_test_wait_until (client_closed, big, 10));
  g_assert_cmpuint (big->close_code, ==, SOUP_WEBSOCKET_CLOSE_TOO_BIG);
  g_assert_true (pd_test_wait_until (client_closed, binary, 10));
  g_assert_cmpuint (binary->close_code, ==, SOUP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA);
  g_assert_true (pd_test_wait_until (client_closed, unknown, 10));

  apply (printer_at (f, 0), "'mc_percent':77");
  client_sync (good, f->server);
  g_assert_true (good->pong);
  g_assert_false (good->closed);
  assert_mirrors (good, f);
}

/* A new token closes the clients that came with the old one. */
static void
test_token_change (Fixture      *f,
                   gconstpointer data)
{
  g_autoptr (Client) c = client_new (f, "token=" TOKEN);
  g_autoptr (GError) error = NULL;
  Client            *refused;

  client_sync (c, f->server);
  pd_mirror_server_set_token (f->server, "another-token");
  g_assert_true (pd_test_wait_until (client_closed, c, 10));
  g_assert_cmpuint (c->close_code, ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  refused = client_try_new (f, "token=" TOKEN, &error);
  g_assert_null (refused);
  g_assert_cmpuint (get (f, "/api/printers", "Bearer another-token", NULL, NULL), ==, SOUP_STATUS_OK);
}

static GBytes *
fake_snapshot (const char *serial,
               gpointer    data)
{
  if (!g_str_equal (serial, "00M00A000000001"))
    return NULL;

  return g_bytes_new_static ("\xff\xd8\xff\xe0 fake jpeg", 15);
}

static void
test_snapshot_image (Fixture      *f,
                     gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autofree char   *type = NULL;

  g_assert_cmpuint (get (f, "/api/printers/00M00A000000001/snapshot.jpg", "Bearer " TOKEN, NULL, NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
  pd_mirror_server_set_snapshot_func (f->server, fake_snapshot, NULL, NULL);
  g_assert_cmpuint (get (f, "/api/printers/00M00A000000001/snapshot.jpg", "Bearer " TOKEN, &body, &type), ==,
                    SOUP_STATUS_OK);
  g_assert_cmpstr (type, ==, "image/jpeg");
  g_assert_cmpuint (g_bytes_get_size (body), ==, 15);
  /* Its camera is not running; a printer that is not there */
  g_assert_cmpuint (get (f, "/api/printers/03900A000000002/snapshot.jpg", "Bearer " TOKEN, NULL, NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (get (f, "/api/printers/nobody/snapshot.jpg", "Bearer " TOKEN, NULL, NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
  g_assert_cmpuint (get (f, "/api/printers/00M00A000000001/other", "Bearer " TOKEN, NULL, NULL), ==,
                    SOUP_STATUS_NOT_FOUND);
}

/* Over TLS: https and wss. */
static void
test_tls (Fixture      *f,
          gconstpointer data)
{
  g_autoptr (Client) c = client_new (f, "token=" TOKEN);
  g_autofree char   *address = pd_mirror_server_dup_url (f->server, NULL);

  g_assert_true (g_str_has_prefix (address, "https://127.0.0.1:"));
  g_assert_cmpuint (get (f, "/api/printers", "Bearer " TOKEN, NULL, NULL), ==, SOUP_STATUS_OK);
  client_sync (c, f->server);
  apply (printer_at (f, 1), "'mc_percent':33");
  client_sync (c, f->server);
  assert_mirrors (c, f);
}

/* Merge patch, by itself */
static void
test_merge_patch (void)
{
  const char *cases[][3] = {
    /* from, to, patch */
    { "{\"a\":1,\"b\":{\"c\":2,\"d\":3}}", "{\"a\":1,\"b\":{\"c\":2,\"d\":4}}", "{\"b\":{\"d\":4}}" },
    { "{\"a\":[1,2]}", "{\"a\":[1,3]}", "{\"a\":[1,3]}" },
    { "{\"a\":1,\"b\":2}", "{\"a\":1}", "{\"b\":null}" },
    { "{\"a\":{\"x\":1}}", "{\"a\":null}", "{\"a\":null}" },
    { "{\"a\":null}", "{\"a\":{\"x\":1}}", "{\"a\":{\"x\":1}}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) from = json_from_string (cases[i][0], NULL);
      g_autoptr (JsonNode) to = json_from_string (cases[i][1], NULL);
      g_autoptr (JsonNode) expected = json_from_string (cases[i][2], NULL);
      g_autoptr (JsonNode) patch = pd_json_merge_diff (from, to);
      g_autoptr (JsonNode) applied = pd_json_merge_apply (from, patch);
      g_autoptr (JsonNode) a = normalize (applied);
      g_autoptr (JsonNode) b = normalize (to);

      g_assert_true (json_node_equal (patch, expected));
      g_assert_true (json_node_equal (a, b));
    }

  {
    g_autoptr (JsonNode) same = json_from_string ("{\"a\":[1,{\"b\":2}]}", NULL);

    g_assert_null (pd_json_merge_diff (same, same));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/mirror/merge-patch", test_merge_patch);
  g_test_add ("/mirror/auth", Fixture, NULL, fixture_setup, test_auth, fixture_teardown);
  g_test_add ("/mirror/auth-rate-limit", Fixture, NULL, fixture_setup, test_auth_rate_limit, fixture_teardown);
  g_test_add ("/mirror/max-clients", Fixture, NULL, fixture_setup, test_max_clients, fixture_teardown);
  g_test_add ("/mirror/no-traversal", Fixture, NULL, fixture_setup, test_no_traversal, fixture_teardown);
  g_test_add ("/mirror/security-headers", Fixture, NULL, fixture_setup, test_security_headers, fixture_teardown);
  g_test_add ("/mirror/deltas", Fixture, NULL, fixture_setup, test_deltas, fixture_teardown);
  g_test_add ("/mirror/added-removed", Fixture, NULL, fixture_setup, test_added_removed, fixture_teardown);
  g_test_add ("/mirror/resume", Fixture, NULL, fixture_setup, test_resume, fixture_teardown);
  g_test_add ("/mirror/slow-client", Fixture, NULL, fixture_setup, test_slow_client, fixture_teardown);
  g_test_add ("/mirror/dead-client", Fixture, NULL, fixture_setup, test_dead_client, fixture_teardown);
  g_test_add ("/mirror/client-messages", Fixture, NULL, fixture_setup, test_client_messages, fixture_teardown);
  g_test_add ("/mirror/token-change", Fixture, NULL, fixture_setup, test_token_change, fixture_teardown);
  g_test_add ("/mirror/snapshot-image", Fixture, NULL, fixture_setup, test_snapshot_image, fixture_teardown);
  g_test_add ("/mirror/tls", Fixture, GINT_TO_POINTER (1), fixture_setup, test_tls, fixture_teardown);

  return g_test_run ();
}
