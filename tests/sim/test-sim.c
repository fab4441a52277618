/* test-sim.c — printdeck-sim against a plain libmosquitto client
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts its own simulator (about 50 ms) and talks to it as an
 * app would: MQTT over TLS to a printer's port with the CA file and the
 * access code. The client runs libmosquitto's own thread; its callbacks
 * record what happened under a lock and wake the main context, which the
 * tests keep running (the simulator lives on it). Every wait is bounded.
 */

#define G_LOG_DOMAIN "test-sim"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <mosquitto.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "pd-job-fetch.h"
#include "pd-job-file.h"
#include "pd-printer.h"
#include "pd-report.h"
#include "pd-sim.h"
#include "pd-sim-ftp.h"

#define WAIT_MS 5000

/* ---- Waiting on the main context ---------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @condition holds or @timeout_ms passed. */
static gboolean
wait_for (Condition condition,
          gpointer  data,
          guint     timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  /* Wakes the loop up now and then, so the deadline is seen. */
  guint    ticker = g_timeout_add (10, on_tick, NULL);
  gboolean ok;

  while (!(ok = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (ticker);
  return ok;
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Keeps the main context running for @ms. */
static void
run_for (guint ms)
{
  wait_for (never, NULL, ms);
}

/* ---- A libmosquitto client, as an app has ----------------------------- */

typedef struct
{
  char   *topic;
  GBytes *payload;
  gint64  time;
} Message;

typedef struct
{
  struct mosquitto *mosq;
  GMutex            lock;
  int               connack; /* -1 until CONNACK */
  gboolean          subscribed;
  gboolean          disconnected;
  GPtrArray        *messages;
  guint             n_puback;
} Client;

static void
message_free (gpointer data)
{
  Message *message = data;

  g_free (message->topic);
  g_bytes_unref (message->payload);
  g_free (message);
}

static void
client_on_connect (struct mosquitto *mosq,
                   void             *obj,
                   int               rc)
{
  Client *c = obj;

  g_mutex_lock (&c->lock);
  c->connack = rc;
  g_mutex_unlock (&c->lock);
  g_main_context_wakeup (NULL);
}

static void
client_on_disconnect (struct mosquitto *mosq,
                      void             *obj,
                      int               rc)
{
  Client *c = obj;

  g_mutex_lock (&c->lock);
  c->disconnected = TRUE;
  g_mutex_unlock (&c->lock);
  g_main_context_wakeup (NULL);
}

static void
client_on_subscribe (struct mosquitto *mosq,
                     void             *obj,
                     int               mid,
                     int               qos_count,
                     const int        *granted_qos)
{
  Client *c = obj;

  g_mutex_lock (&c->lock);
  c->subscribed = TRUE;
  g_mutex_unlock (&c->lock);
  g_main_context_wakeup (NULL);
}

static void
client_on_publish (struct mosquitto *mosq,
                   void             *obj,
                   int               mid)
{
  Client *c = obj;

  g_mutex_lock (&c->lock);
  c->n_puback++;
  g_mutex_unlock (&c->lock);
}

static void
client_on_message (struct mosquitto               *mosq,
                   void                           *obj,
                   const struct mosquitto_message *msg)
{
  Client  *c = obj;
  Message *message = g_new0 (Message, 1);

  message->topic = g_strdup (msg->topic);
  message->payload = g_bytes_new (msg->payload, (gsize) msg->payloadlen);
  message->time = g_get_monotonic_time ();

  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->messages, message);
  g_mutex_unlock (&c->lock);
  g_main_context_wakeup (NULL);
}

/* Starts connecting over TLS; wait_connack() then says how it went. */
static Client *
client_new (guint16     port,
            const char *ca_file,
            const char *user,
            const char *password)
{
  Client *c = g_new0 (Client, 1);

  g_mutex_init (&c->lock);
  c->connack = -1;
  c->messages = g_ptr_array_new_with_free_func (message_free);
  c->mosq = mosquitto_new (NULL, true, c);
  g_assert_nonnull (c->mosq);

  mosquitto_int_option (c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_reconnect_delay_set (c->mosq, 1, 1, false);
  mosquitto_connect_callback_set (c->mosq, client_on_connect);
  mosquitto_disconnect_callback_set (c->mosq, client_on_disconnect);
  mosquitto_subscribe_callback_set (c->mosq, client_on_subscribe);
  mosquitto_publish_callback_set (c->mosq, client_on_publish);
  mosquitto_message_callback_set (c->mosq, client_on_message);
  g_assert_cmpint (mosquitto_username_pw_set (c->mosq, user, password), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_tls_set (c->mosq, ca_file, NULL, NULL, NULL, NULL), ==, MOSQ_ERR_SUCCESS);
  /* The certificate names the serial, not 127.0.0.1, as on a real printer. */
  g_assert_cmpint (mosquitto_tls_insecure_set (c->mosq, true), ==, MOSQ_ERR_SUCCESS);

  g_assert_cmpint (mosquitto_connect_async (c->mosq, "127.0.0.1", port, 30), ==, MOSQ_ERR_SUCCESS);
  g_assert_cmpint (mosquitto_loop_start (c->mosq), ==, MOSQ_ERR_SUCCESS);

  return c;
}

static Client *
client_new_for_printer (PdSimPrinter *printer,
                        const char   *code)
{
  return client_new (pd_sim_printer_get_port (printer), pd_sim_printer_get_ca_file (printer), "bblp",
                     code != NULL ? code : pd_sim_printer_get_access_code (printer));
}

static void
client_free (Client *c)
{
  mosquitto_disconnect (c->mosq);
  mosquitto_loop_stop (c->mosq, false);
  mosquitto_destroy (c->mosq);
  g_ptr_array_unref (c->messages);
  g_mutex_clear (&c->lock);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static gboolean
has_connack (gpointer data)
{
  Client  *c = data;
  gboolean done;

  g_mutex_lock (&c->lock);
  done = c->connack >= 0;
  g_mutex_unlock (&c->lock);

  return done;
}

static int
wait_connack (Client *c)
{
  g_assert_true (wait_for (has_connack, c, WAIT_MS));

  return c->connack;
}

static gboolean
is_subscribed (gpointer data)
{
  Client  *c = data;
  gboolean done;

  g_mutex_lock (&c->lock);
  done = c->subscribed;
  g_mutex_unlock (&c->lock);

  return done;
}

static gboolean
is_disconnected (gpointer data)
{
  Client  *c = data;
  gboolean done;

  g_mutex_lock (&c->lock);
  done = c->disconnected;
  g_mutex_unlock (&c->lock);

  return done;
}

static void
client_subscribe (Client     *c,
                  const char *topic)
{
  g_assert_cmpint (mosquitto_subscribe (c->mosq, NULL, topic, 0), ==, MOSQ_ERR_SUCCESS);
  g_assert_true (wait_for (is_subscribed, c, WAIT_MS));
}

/* Connects to @printer with its code and subscribes to its reports. */
static Client *
client_ready (PdSimPrinter *printer)
{
  Client *c = client_new_for_printer (printer, NULL);

  g_assert_cmpint (wait_connack (c), ==, 0);
  client_subscribe (c, pd_sim_printer_get_report_topic (printer));

  return c;
}

static void
client_publish (Client     *c,
                const char *topic,
                const char *json)
{
  g_assert_cmpint (mosquitto_publish (c->mosq, NULL, topic, (int) strlen (json), json, 1, false), ==, MOSQ_ERR_SUCCESS);
}

static guint
client_n_messages (Client *c)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = c->messages->len;
  g_mutex_unlock (&c->lock);

  return n;
}

static void
client_clear_messages (Client *c)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_set_size (c->messages, 0);
  g_mutex_unlock (&c->lock);
}

/* The @i-th message, or NULL; only the client thread appends, so the
 * pointer stays valid until client_clear_messages().
 */
static Message *
client_message_or_null (Client *c,
                        guint   i)
{
  Message *message = NULL;

  g_mutex_lock (&c->lock);
  if (i < c->messages->len)
    message = g_ptr_array_index (c->messages, i);
  g_mutex_unlock (&c->lock);

  return message;
}

static Message *
client_message (Client *c,
                guint   i)
{
  Message *message = client_message_or_null (c, i);

  if (message == NULL)
    g_error ("no message %u", i);

  return message;
}

static JsonNode *
parse (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  gsize                  len = 0;
  const char            *data = g_bytes_get_data (bytes, &len);

  if (!json_parser_load_from_data (parser, data, (gssize) len, &error))
    return NULL;

  return json_node_ref (json_parser_get_root (parser));
}

typedef struct
{
  Client     *client;
  guint       from;
  const char *family;  /* "print", "info", "system" */
  const char *command; /* its "command" */
  const char *key;     /* nullable: a member the object must have */
  const char *value;   /* nullable: the key's string value */
  JsonNode   *found;
} Match;

static gboolean
message_matches (gpointer data)
{
  Match *m = data;

  for (Message *message; (message = client_message_or_null (m->client, m->from)) != NULL; m->from++)
    {
      g_autoptr (JsonNode) root = parse (message->payload);
      JsonNode            *node;
      JsonObject          *object;

      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        continue;
      node = json_object_get_member (json_node_get_object (root), m->family);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (object, "command", ""), m->command) != 0)
        continue;
      if (m->key != NULL && !json_object_has_member (object, m->key))
        continue;
      if (m->key != NULL && m->value != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (object, m->key, ""), m->value) != 0)
        continue;

      m->found = g_steal_pointer (&root);
      m->from++;
      return TRUE;
    }

  return FALSE;
}

/* Waits for a message of @family with @command (and @key = @value) from
 * message @from on.
 *
 * Returns: (transfer full): the family's object
 */
static JsonObject *
wait_message (Client     *c,
              guint       from,
              const char *family,
              const char *command,
              const char *key,
              const char *value)
{
  Match       m = { c, from, family, command, key, value, NULL };
  JsonObject *object;

  if (!wait_for (message_matches, &m, WAIT_MS))
    g_error ("no %s.%s message%s%s within %d ms", family, command, key != NULL ? " with " : "",
             key != NULL ? key : "", WAIT_MS);

  object = json_object_ref (json_object_get_object_member (json_node_get_object (m.found), family));
  json_node_unref (m.found);

  return object;
}

/* ---- Simulator helpers ------------------------------------------------ */

static PdSim *
start_sim (PdSimScenario scenario,
           double        speed)
{
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;

  pd_sim_options_init (&options);
  options.n_printers = 3;
  options.scenario = scenario;
  options.speed = speed;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("cannot start the simulator: %s", error->message);

  return sim;
}

static void
stop_sim (PdSim *sim)
{
  g_autofree char *dir = g_strdup (pd_sim_get_dir (sim));

  pd_sim_stop (sim);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_assert_finalize_object (sim);
}

static gboolean
process_exists (const char *pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", pid);
  g_autofree char *stat = NULL;
  const char      *end;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  /* A zombie is dead; it only waits for its parent. */
  end = strrchr (stat, ')');
  return end != NULL && end[1] == ' ' && end[2] != 'Z';
}

/* ---- Tests -------------------------------------------------------------- */

static void
test_new_destroy (void)
{
  PdSim *sim = pd_sim_new (NULL);

  g_assert_false (pd_sim_is_running (sim));
  g_assert_cmpuint (pd_sim_get_n_printers (sim), ==, 0);
  g_assert_finalize_object (sim);
}

static gboolean
is_upper_alnum (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s) && !g_ascii_isupper (*s))
      return FALSE;
  return TRUE;
}

static void
test_identities (void)
{
  const char *const  models[] = { "P1S", "A1 mini", "H2S", "X2D", "P2S", "X1", NULL };
  const char *const  prefixes[] = { "01P", "030", "093", "20P", "22E", "00W" };
  const char *const  ids[] = { "P1S", "A1MINI", "H2S", "X2D", "P2S", "X1" };
  const char *const  names[] = { "P1S", "A1 mini", "H2S", "X2D", "P2S", "X1" };
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim, *again;
  GHashTable        *ports = g_hash_table_new (NULL, NULL);

  pd_sim_options_init (&options);
  options.n_printers = 6;
  options.models = models;
  options.use_seed = TRUE;
  options.seed = 42;
  options.scenario = PD_SIM_SCENARIO_IDLE;

  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_is_running (sim));
  g_assert_true (g_file_test (pd_sim_get_ca_file (sim), G_FILE_TEST_IS_REGULAR));
  g_test_message ("certificates %.1f ms, broker start %.1f ms",
                  pd_sim_get_certificate_seconds (sim) * 1000, pd_sim_get_broker_start_seconds (sim) * 1000);

  for (guint i = 0; i < 6; i++)
    {
      PdSimPrinter        *printer = pd_sim_get_printer (sim, i);
      const char          *serial = pd_sim_printer_get_serial (printer);
      const char          *code = pd_sim_printer_get_access_code (printer);
      const char          *fingerprint = pd_sim_printer_get_fingerprint (printer);
      g_autofree char     *name = g_strdup_printf ("Sim %s %u", names[i], i + 1);
      g_autofree char     *line = pd_sim_printer_to_line (printer);
      g_autofree char     *json = pd_sim_printer_to_json (printer);
      g_autoptr (JsonNode) node = json_from_string (json, &error);
      JsonObject          *object;

      g_assert_cmpuint (strlen (serial), ==, 15);
      g_assert_true (g_str_has_prefix (serial, prefixes[i]));
      g_assert_true (is_upper_alnum (serial));
      g_assert_cmpuint (strlen (code), ==, 8);
      for (guint j = 0; j < 8; j++)
        g_assert_true (g_ascii_isdigit (code[j]));
      g_assert_cmpstr (pd_sim_printer_get_model (printer), ==, ids[i]);
      g_assert_cmpstr (pd_sim_printer_get_name (printer), ==, name);
      g_assert_cmpstr (pd_sim_printer_get_host (printer), ==, "127.0.0.1");
      g_assert_cmpuint (pd_sim_printer_get_port (printer), >, 0);
      g_assert_false (g_hash_table_contains (ports, GUINT_TO_POINTER (pd_sim_printer_get_port (printer))));
      g_hash_table_add (ports, GUINT_TO_POINTER (pd_sim_printer_get_port (printer)));
      g_assert_true (pd_sim_find_printer (sim, serial) == printer);
      /* "AB:CD:…": 32 bytes */
      g_assert_cmpuint (strlen (fingerprint), ==, 32 * 3 - 1);
      g_assert_true (g_regex_match_simple ("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", fingerprint, 0, 0));

      g_assert_true (g_str_has_prefix (line, "127.0.0.1 "));
      g_assert_true (g_str_has_suffix (line, name));
      g_assert_no_error (error);
      object = json_node_get_object (node);
      g_assert_cmpstr (json_object_get_string_member (object, "serial"), ==, serial);
      g_assert_cmpstr (json_object_get_string_member (object, "access_code"), ==, code);
      g_assert_cmpint (json_object_get_int_member (object, "port"), ==, pd_sim_printer_get_port (printer));
      g_assert_cmpstr (json_object_get_string_member (object, "fingerprint"), ==, fingerprint);
      g_assert_cmpstr (json_object_get_string_member (object, "ca_file"), ==, pd_sim_get_ca_file (sim));
      g_assert_cmpstr (json_object_get_string_member (object, "model"), ==, ids[i]);

      /* P1S and A1 mini: the JPEG stream; the others RTSPS; each on a port of its own. */
      g_assert_cmpint (pd_sim_printer_get_camera_kind (printer), ==, i < 2 ? PD_CAMERA_KIND_JPEG : PD_CAMERA_KIND_RTSPS);
      g_assert_cmpstr (json_object_get_string_member (object, "camera"), ==, i < 2 ? "jpeg" : "rtsps");
      g_assert_cmpint (json_object_get_int_member (object, "camera_port"), ==, pd_sim_printer_get_camera_port (printer));
      g_assert_false (g_hash_table_contains (ports, GUINT_TO_POINTER (pd_sim_printer_get_camera_port (printer))));
      g_hash_table_add (ports, GUINT_TO_POINTER (pd_sim_printer_get_camera_port (printer)));
      {
        g_autofree char *middle = g_strdup_printf (" %s %s %u %s", ids[i], i < 2 ? "jpeg" : "rtsps",
                                                   pd_sim_printer_get_camera_port (printer), name);

        g_assert_true (g_str_has_suffix (line, middle));
      }
    }

  /* The same seed gives the same serials and codes. */
  again = pd_sim_new (&options);
  g_assert_true (pd_sim_start (again, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_cmpstr (pd_sim_printer_get_serial (pd_sim_get_printer (again, i)), ==,
                       pd_sim_printer_get_serial (pd_sim_get_printer (sim, i)));
      g_assert_cmpstr (pd_sim_printer_get_access_code (pd_sim_get_printer (again, i)), ==,
                       pd_sim_printer_get_access_code (pd_sim_get_printer (sim, i)));
    }

  g_hash_table_unref (ports);
  stop_sim (again);
  stop_sim (sim);
}

static void
test_pushall (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_MIXED, 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client)     c = client_ready (printer);
  g_autoptr (JsonObject) print = NULL;
  g_autoptr (GList)      members = NULL;

  client_clear_messages (c);
  client_publish (c, pd_sim_printer_get_request_topic (printer),
                  "{\"pushing\":{\"sequence_id\":\"1\",\"command\":\"pushall\",\"version\":1,\"push_target\":1}}");

  /* The first message with msg 0 is the answer: the full frame. */
  print = wait_message (c, 0, "print", "push_status", "gcode_state", NULL);
  while (json_object_get_int_member_with_default (print, "msg", -1) != 0)
    {
      json_object_unref (print);
      print = wait_message (c, 0, "print", "push_status", "msg", NULL);
      if (json_object_get_int_member_with_default (print, "msg", -1) != 0)
        client_clear_messages (c);
    }

  members = json_object_get_members (print);
  g_assert_cmpuint (g_list_length (members), >, 60);
  g_assert_cmpstr (json_object_get_string_member (print, "command"), ==, "push_status");
  g_assert_true (json_object_has_member (print, "sequence_id"));
  for (const char *const *key = (const char *const[]){ "nozzle_temper", "bed_temper", "gcode_state", "mc_percent",
                                                       "mc_remaining_time", "layer_num", "total_layer_num",
                                                       "hms", "ams", "lights_report", "wifi_signal", "stg_cur", NULL };
       *key != NULL; key++)
    g_assert_true (json_object_has_member (print, *key));
  g_assert_nonnull (json_object_get_object_member (print, "ams"));
  g_assert_nonnull (json_object_get_array_member (json_object_get_object_member (print, "ams"), "ams"));

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_get_version (void)
{
  PdSim *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);

  /* X1C (synthesized) and H2D (recorded) */
  for (guint i = 0; i < 2; i++)
    {
      PdSimPrinter          *printer = pd_sim_get_printer (sim, i);
      g_autoptr (Client)     c = client_ready (printer);
      g_autoptr (JsonObject) info = NULL;
      JsonArray             *modules;
      gboolean               ota = FALSE, ams = FALSE;

      client_publish (c, pd_sim_printer_get_request_topic (printer),
                      "{\"info\":{\"sequence_id\":\"77\",\"command\":\"get_version\"}}");
      info = wait_message (c, 0, "info", "get_version", "sequence_id", "77");
      modules = json_object_get_array_member (info, "module");
      g_assert_nonnull (modules);

      for (guint j = 0; j < json_array_get_length (modules); j++)
        {
          JsonObject *module = json_array_get_object_element (modules, j);
          const char *name = json_object_get_string_member (module, "name");

          if (g_str_equal (name, "ota"))
            {
              ota = TRUE;
              g_assert_cmpstr (json_object_get_string_member (module, "product_name"), ==,
                               i == 0 ? "Bambu Lab X1 Carbon" : "Bambu Lab H2D");
              g_assert_cmpstr (json_object_get_string_member (module, "sn"), ==, pd_sim_printer_get_serial (printer));
              g_assert_nonnull (json_object_get_string_member (module, "sw_ver"));
            }
          if (g_str_equal (name, "ams/0"))
            ams = TRUE;
        }
      g_assert_true (ota);
      g_assert_true (ams);
    }

  stop_sim (sim);
}

/* AMS units (ams.ams) and trays are lists keyed by "id": a delta lists only
 * the ones that changed, with their id.
 */
static gboolean
is_keyed_list (const char *name,
               JsonNode   *node)
{
  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) && (g_str_equal (name, "ams") || g_str_equal (name, "tray"));
}

/* The element of @array whose "id" is @id's, or NULL. */
static JsonNode *
find_by_id (JsonArray *array,
            JsonNode  *element)
{
  JsonNode *id = JSON_NODE_HOLDS_OBJECT (element) ? json_object_get_member (json_node_get_object (element), "id") : NULL;

  for (guint i = 0; id != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *other = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (other) && json_object_has_member (json_node_get_object (other), "id") &&
          json_node_equal (json_object_get_member (json_node_get_object (other), "id"), id))
        return other;
    }

  return NULL;
}

/* Merges a delta into the client's picture of the state. */
static void
merge_delta (JsonObject *state,
             JsonObject *delta)
{
  g_autoptr (GList) members = json_object_get_members (delta);

  for (const GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *new = json_object_get_member (delta, l->data);
      JsonNode *old = json_object_get_member (state, l->data);

      if (old != NULL && JSON_NODE_HOLDS_OBJECT (old) && JSON_NODE_HOLDS_OBJECT (new))
        merge_delta (json_node_get_object (old), json_node_get_object (new));
      else if (is_keyed_list (l->data, old) && JSON_NODE_HOLDS_ARRAY (new))
        {
          JsonArray *elements = json_node_get_array (new);

          for (guint i = 0; i < json_array_get_length (elements); i++)
            {
              JsonNode *element = json_array_get_element (elements, i);
              JsonNode *before = find_by_id (json_node_get_array (old), element);

              if (before != NULL && JSON_NODE_HOLDS_OBJECT (element))
                merge_delta (json_node_get_object (before), json_node_get_object (element));
              else
                json_array_add_element (json_node_get_array (old), json_node_copy (element));
            }
        }
      else
        json_object_set_member (state, l->data, json_node_copy (new));
    }
}

/* Does @delta (member @name) hold anything @state does not already say? */
static gboolean
changes_something (const char *name,
                   JsonNode   *state,
                   JsonNode   *delta)
{
  if (state == NULL)
    return TRUE;

  if (JSON_NODE_HOLDS_OBJECT (state) && JSON_NODE_HOLDS_OBJECT (delta))
    {
      JsonObject       *s = json_node_get_object (state);
      JsonObject       *d = json_node_get_object (delta);
      g_autoptr (GList) members = json_object_get_members (d);
      guint             n = 0;

      /* A unit's or tray's id only says which one it is. */
      for (const GList *l = members; l != NULL; l = l->next)
        {
          if (g_str_equal (l->data, "id"))
            continue;
          if (!changes_something (l->data, json_object_get_member (s, l->data), json_object_get_member (d, l->data)))
            return FALSE;
          n++;
        }

      return n > 0;
    }

  /* Each unit or tray listed must change something. */
  if (name != NULL && is_keyed_list (name, state) && JSON_NODE_HOLDS_ARRAY (delta))
    {
      JsonArray *elements = json_node_get_array (delta);

      for (guint i = 0; i < json_array_get_length (elements); i++)
        {
          JsonNode *element = json_array_get_element (elements, i);

          if (!changes_something (NULL, find_by_id (json_node_get_array (state), element), element))
            return FALSE;
        }

      return json_array_get_length (elements) > 0;
    }

  return !json_node_equal (state, delta);
}

static void
test_deltas (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_PRINT, 60);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client)     c = client_ready (printer);
  g_autoptr (JsonObject) state = NULL;
  guint                  n_full;
  guint                  n_deltas = 0;
  gint64                 last = 0;

  client_clear_messages (c);
  client_publish (c, pd_sim_printer_get_request_topic (printer), "{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}");
  state = wait_message (c, 0, "print", "push_status", "gcode_state", NULL);
  g_assert_cmpint (json_object_get_int_member (state, "msg"), ==, 0);
  {
    g_autoptr (GList) full_members = json_object_get_members (state);

    n_full = g_list_length (full_members) - 3;
  }

  run_for (3600);

  /* Everything after the full frame is a delta, about one a second, and
   * every member of a delta says something new.
   */
  for (guint i = 0; i < client_n_messages (c); i++)
    {
      Message             *message = client_message (c, i);
      g_autoptr (JsonNode) root = parse (message->payload);
      JsonObject          *print = json_object_get_object_member (json_node_get_object (root), "print");
      g_autoptr (GList)    members = NULL;

      if (json_object_get_int_member (print, "msg") == 0)
        {
          g_assert_cmpuint (n_deltas, ==, 0); /* only the pushall answer is full */
          last = message->time;
          continue;
        }

      n_deltas++;
      g_assert_cmpstr (json_object_get_string_member (print, "command"), ==, "push_status");
      json_object_remove_member (print, "command");
      json_object_remove_member (print, "msg");
      json_object_remove_member (print, "sequence_id");
      members = json_object_get_members (print);
      g_assert_cmpuint (g_list_length (members), <, n_full / 2);

      for (const GList *l = members; l != NULL; l = l->next)
        if (!changes_something (l->data, json_object_get_member (state, l->data), json_object_get_member (print, l->data)))
          g_error ("delta %u repeats %s, which did not change", n_deltas, (const char *) l->data);
      merge_delta (state, print);

      if (n_deltas > 1)
        {
          double gap = (double) (message->time - last) / G_USEC_PER_SEC;

          g_test_message ("delta %u after %.2f s: %u members", n_deltas, gap, g_list_length (members));
          g_assert_cmpfloat (gap, >, 0.5);
          g_assert_cmpfloat (gap, <, 1.6);
        }
      last = message->time;
    }
  g_assert_cmpuint (n_deltas, >=, 3);
  g_assert_cmpuint (n_deltas, <=, 5);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_full_frames (void)
{
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;
  PdSimPrinter      *printer;
  g_autoptr (Client) c = NULL;
  guint              n = 0;

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.x1_full_frames = TRUE;
  options.report_interval_ms = 200;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  printer = pd_sim_get_printer (sim, 0);
  g_assert_cmpstr (pd_sim_printer_get_model (printer), ==, "X1C");

  c = client_ready (printer);
  client_clear_messages (c);
  run_for (700);

  for (guint i = 0; i < client_n_messages (c); i++)
    {
      g_autoptr (JsonNode) root = parse (client_message (c, i)->payload);
      JsonObject          *print = json_object_get_object_member (json_node_get_object (root), "print");

      g_assert_cmpint (json_object_get_int_member (print, "msg"), ==, 0);
      g_assert_true (json_object_has_member (print, "ams"));
      n++;
    }
  g_assert_cmpuint (n, >=, 2);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_wrong_code (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client) wrong = client_new_for_printer (printer, "00000000");
  g_autoptr (Client) other = NULL;

  g_assert_cmpint (wait_connack (wrong), ==, 5); /* not authorised */

  /* Another printer's code does not open this one either. */
  other = client_new_for_printer (printer, pd_sim_printer_get_access_code (pd_sim_get_printer (sim, 1)));
  g_assert_cmpint (wait_connack (other), ==, 5);

  client_free (g_steal_pointer (&wrong));
  client_free (g_steal_pointer (&other));
  stop_sim (sim);
}

static void
test_refuse (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client) connected = client_ready (printer);
  g_autoptr (Client) refused = NULL;
  g_autoptr (Client) accepted = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (pd_sim_printer_set_refusing (printer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_printer_get_refusing (printer));

  /* mosquitto drops the session whose code it no longer accepts. */
  g_assert_true (wait_for (is_disconnected, connected, WAIT_MS));
  refused = client_new_for_printer (printer, NULL);
  g_assert_cmpint (wait_connack (refused), ==, 5);

  g_assert_true (pd_sim_printer_set_refusing (printer, FALSE, &error));
  g_assert_no_error (error);
  accepted = client_new_for_printer (printer, NULL);
  g_assert_cmpint (wait_connack (accepted), ==, 0);

  client_free (g_steal_pointer (&connected));
  client_free (g_steal_pointer (&refused));
  client_free (g_steal_pointer (&accepted));
  stop_sim (sim);
}

static void
test_stall (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_PRINT, 60);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 2);
  g_autoptr (Client) c = client_ready (printer);
  guint              n;

  run_for (1200);
  g_assert_cmpuint (client_n_messages (c), >=, 1);

  pd_sim_printer_set_stalled (printer, TRUE);
  client_clear_messages (c);
  /* Commands are not answered either (but are recorded). */
  client_publish (c, pd_sim_printer_get_request_topic (printer), "{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}");
  run_for (3000);

  g_assert_cmpuint (client_n_messages (c), ==, 0);
  g_assert_false (is_disconnected (c));
  g_assert_cmpuint (pd_sim_printer_get_n_connections (printer), ==, 1);
  {
    g_autoptr (GPtrArray) commands = pd_sim_printer_get_commands (printer);

    g_assert_cmpuint (commands->len, ==, 1);
  }

  pd_sim_printer_set_stalled (printer, FALSE);
  json_object_unref (wait_message (c, 0, "print", "push_status", NULL, NULL));
  n = client_n_messages (c);
  g_assert_cmpuint (n, >=, 1);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_drop (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 1);
  g_autoptr (Client) c = client_ready (printer);
  g_autoptr (Client) again = NULL;

  g_assert_cmpuint (pd_sim_printer_get_n_connections (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_drop_connections (printer), ==, 1);
  g_assert_true (wait_for (is_disconnected, c, WAIT_MS));
  g_assert_cmpuint (pd_sim_printer_get_n_connections (printer), ==, 0);

  /* The port still answers. */
  again = client_ready (printer);

  client_free (g_steal_pointer (&c));
  client_free (g_steal_pointer (&again));
  stop_sim (sim);
}

typedef struct
{
  GSocketConnection *connection;
  GError            *error;
  gboolean           done;
} Connect;

static gboolean
connect_done (gpointer data)
{
  return ((Connect *) data)->done;
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Connect *c = user_data;

  c->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &c->error);
  c->done = TRUE;
}

/* A plain TCP connect with GIO. */
static GSocketConnection *
tcp_connect (guint16  port,
             GError **error)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  Connect                   c = { 0 };

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 5);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", port, NULL, on_connected, &c);
  g_assert_true (wait_for (connect_done, &c, WAIT_MS));
  if (c.error != NULL)
    g_propagate_error (error, c.error);

  return c.connection;
}

/* A TLS handshake with OpenSSL, on a thread of its own (the main context
 * must keep running for the forwarder). GIO's TLS would do, but
 * glib-networking leaves threads behind that LeakSanitizer's tracer trips
 * over at exit.
 */
typedef struct
{
  guint16 port;
  char   *fingerprint;
  char   *subject;
  char   *version;
  int     done;
} Handshake;

static gpointer
handshake_thread (gpointer data)
{
  Handshake         *h = data;
  SSL_CTX           *ctx = SSL_CTX_new (TLS_client_method ());
  SSL               *ssl = NULL;
  struct sockaddr_in address = { 0 };
  struct timeval     timeout = { 5, 0 };
  int                fd = socket (AF_INET, SOCK_STREAM, 0);

  address.sin_family = AF_INET;
  address.sin_port = htons (h->port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);

  if (ctx != NULL && fd >= 0 && connect (fd, (struct sockaddr *) &address, sizeof address) == 0)
    {
      /* No verification here: the test compares fingerprints itself. */
      SSL_CTX_set_verify (ctx, SSL_VERIFY_NONE, NULL);
      ssl = SSL_new (ctx);
      SSL_set_fd (ssl, fd);
      if (SSL_connect (ssl) == 1)
        {
          X509         *cert = SSL_get1_peer_certificate (ssl);
          unsigned char md[EVP_MAX_MD_SIZE];
          unsigned int  len = 0;
          char          name[256];

          if (cert != NULL && X509_digest (cert, EVP_sha256 (), md, &len) == 1)
            {
              GString *out = g_string_new (NULL);

              for (unsigned int i = 0; i < len; i++)
                g_string_append_printf (out, i == 0 ? "%02X" : ":%02X", md[i]);
              h->fingerprint = g_string_free (out, FALSE);
              X509_NAME_oneline (X509_get_subject_name (cert), name, sizeof name);
              h->subject = g_strdup (name);
            }
          h->version = g_strdup (SSL_get_version (ssl));
          X509_free (cert);
          SSL_shutdown (ssl);
        }
      SSL_free (ssl);
    }

  if (fd >= 0)
    close (fd);
  SSL_CTX_free (ctx);
  g_atomic_int_set (&h->done, 1);
  g_main_context_wakeup (NULL);

  return NULL;
}

static gboolean
handshake_done (gpointer data)
{
  return g_atomic_int_get (&((Handshake *) data)->done) != 0;
}

static void
handshake (Handshake *h,
           guint16    port)
{
  GThread *thread;

  memset (h, 0, sizeof *h);
  h->port = port;
  thread = g_thread_new ("handshake", handshake_thread, h);
  g_assert_true (wait_for (handshake_done, h, 2 * WAIT_MS));
  g_thread_join (thread);
}

static void
handshake_clear (Handshake *h)
{
  g_clear_pointer (&h->fingerprint, g_free);
  g_clear_pointer (&h->subject, g_free);
  g_clear_pointer (&h->version, g_free);
}

static void
test_offline (void)
{
  PdSim                        *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter                 *printer = pd_sim_get_printer (sim, 0);
  guint16                       port = pd_sim_printer_get_port (printer);
  g_autoptr (Client)            c = client_ready (printer);
  g_autoptr (Client)            back = NULL;
  g_autoptr (GError)            error = NULL;
  g_autoptr (GSocketConnection) connection = NULL;

  g_assert_true (pd_sim_printer_set_offline (printer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (is_disconnected, c, WAIT_MS));

  /* No TCP answer: the connection is refused. */
  connection = tcp_connect (port, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  g_assert_true (pd_sim_printer_set_offline (printer, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_sim_printer_get_port (printer), ==, port);
  back = client_ready (printer);

  client_free (g_steal_pointer (&c));
  client_free (g_steal_pointer (&back));
  stop_sim (sim);
}

static void
test_restart_broker (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autofree char       *pid = g_strdup (pd_sim_get_broker_pid (sim));
  g_autoptr (Client)     c = client_ready (printer);
  g_autoptr (Client)     again = NULL;
  g_autoptr (JsonObject) print = NULL;
  g_autoptr (GError)     error = NULL;
  guint16                port = pd_sim_printer_get_port (printer);

  g_assert_nonnull (pid);
  g_assert_true (pd_sim_restart_broker (sim, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pd_sim_get_broker_pid (sim), !=, pid);
  g_assert_false (process_exists (pid));
  g_assert_true (wait_for (is_disconnected, c, WAIT_MS));
  g_assert_cmpuint (pd_sim_printer_get_port (printer), ==, port);

  /* Same port, same code: it works again, and the printer still reports. */
  again = client_ready (printer);
  client_publish (again, pd_sim_printer_get_request_topic (printer), "{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}");
  print = wait_message (again, 0, "print", "push_status", "gcode_state", NULL);

  client_free (g_steal_pointer (&c));
  client_free (g_steal_pointer (&again));
  stop_sim (sim);
}

static void
test_certificate (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 1);
  g_autofree char   *before = g_strdup (pd_sim_printer_get_fingerprint (printer));
  g_autofree char   *cn = g_strdup_printf ("/CN=%s", pd_sim_printer_get_serial (printer));
  g_autoptr (GError) error = NULL;
  g_autoptr (Client) c = NULL;
  Handshake          h;

  handshake (&h, pd_sim_printer_get_port (printer));
  g_assert_cmpstr (h.fingerprint, ==, before);
  /* CN = the serial, and TLS 1.2, as on a real printer */
  g_assert_cmpstr (h.subject, ==, cn);
  g_assert_cmpstr (h.version, ==, "TLSv1.2");
  handshake_clear (&h);

  g_assert_true (pd_sim_printer_regenerate_certificate (printer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pd_sim_printer_get_fingerprint (printer), !=, before);

  handshake (&h, pd_sim_printer_get_port (printer));
  g_assert_cmpstr (h.fingerprint, !=, before);
  g_assert_cmpstr (h.fingerprint, ==, pd_sim_printer_get_fingerprint (printer));
  g_assert_cmpstr (h.subject, ==, cn);
  handshake_clear (&h);

  /* Still the same CA: a client that checks the chain connects. */
  c = client_ready (printer);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

typedef struct
{
  guint         n;
  PdSimPrinter *printer;
  int           qos;
} Received;

static void
on_command_received (PdSim              *sim,
                     PdSimPrinter       *printer,
                     const PdSimCommand *command,
                     gpointer            user_data)
{
  Received *r = user_data;

  r->n++;
  r->printer = printer;
  r->qos = command->qos;
}

static void
test_commands (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_PRINT, 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client)     c = client_ready (printer);
  g_autoptr (GPtrArray)  commands = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) report = NULL;
  const char            *topic = pd_sim_printer_get_request_topic (printer);
  const PdSimCommand    *command;
  Received               received = { 0 };
  guint                  mark;

  g_signal_connect (sim, "command-received", G_CALLBACK (on_command_received), &received);
  g_assert_cmpstr (pd_sim_printer_get_gcode_state (printer), ==, "PREPARE");

  client_clear_messages (c);
  client_publish (c, topic, "{\"print\":{\"sequence_id\":\"42\",\"command\":\"pause\",\"param\":\"\"}}");
  reply = wait_message (c, 0, "print", "pause", "result", NULL);
  g_assert_cmpstr (json_object_get_string_member (reply, "sequence_id"), ==, "42");
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "success");
  g_assert_cmpstr (json_object_get_string_member (reply, "reason"), ==, "");
  report = wait_message (c, 0, "print", "push_status", "gcode_state", "PAUSE");
  g_assert_cmpstr (pd_sim_printer_get_gcode_state (printer), ==, "PAUSE");

  /* Recorded as sent: topic, text and QoS 1. */
  commands = pd_sim_printer_get_commands (printer);
  g_assert_cmpuint (commands->len, ==, 1);
  command = g_ptr_array_index (commands, 0);
  g_assert_cmpstr (command->topic, ==, topic);
  g_assert_cmpint (command->qos, ==, 1);
  g_assert_nonnull (strstr (command->payload, "\"pause\""));
  g_assert_cmpuint (command->length, ==, strlen (command->payload));
  g_assert_cmpuint (received.n, ==, 1);
  g_assert_true (received.printer == printer);
  g_assert_cmpint (received.qos, ==, 1);

  mark = client_n_messages (c);
  client_publish (c, topic, "{\"print\":{\"sequence_id\":\"43\",\"command\":\"resume\",\"param\":\"\"}}");
  g_clear_pointer (&reply, json_object_unref);
  reply = wait_message (c, mark, "print", "resume", "result", "success");
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "gcode_state", "PREPARE");

  /* A stop is a cancel: FAILED with 0300_400C, which clears after ~2 s. */
  mark = client_n_messages (c);
  client_publish (c, topic, "{\"print\":{\"sequence_id\":\"44\",\"command\":\"stop\",\"param\":\"\"}}");
  g_clear_pointer (&reply, json_object_unref);
  reply = wait_message (c, mark, "print", "stop", "result", "success");
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "gcode_state", "FAILED");
  g_assert_cmpint (json_object_get_int_member (report, "print_error"), ==, PD_SIM_PRINT_ERROR_CANCEL);
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "print_error", NULL);
  while (json_object_get_int_member (report, "print_error") != 0)
    {
      g_clear_pointer (&report, json_object_unref);
      report = wait_message (c, client_n_messages (c), "print", "push_status", "print_error", NULL);
    }

  /* Pause when nothing prints: refused, like a printer. */
  mark = client_n_messages (c);
  client_publish (c, topic, "{\"print\":{\"sequence_id\":\"45\",\"command\":\"pause\",\"param\":\"\"}}");
  g_clear_pointer (&reply, json_object_unref);
  reply = wait_message (c, mark, "print", "pause", "sequence_id", "45");
  g_assert_cmpstr (json_object_get_string_member (reply, "result"), ==, "fail");

  /* The chamber light */
  mark = client_n_messages (c);
  client_publish (c, topic,
                  "{\"system\":{\"sequence_id\":\"46\",\"command\":\"ledctrl\",\"led_node\":\"chamber_light\","
                  "\"led_mode\":\"off\",\"led_on_time\":500,\"led_off_time\":500,\"loop_times\":0,\"interval_time\":0}}");
  g_clear_pointer (&reply, json_object_unref);
  reply = wait_message (c, mark, "system", "ledctrl", "result", "success");
  g_assert_cmpstr (json_object_get_string_member (reply, "sequence_id"), ==, "46");
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "lights_report", NULL);
  {
    JsonArray *lights = json_object_get_array_member (report, "lights_report");
    gboolean   off = FALSE;

    for (guint i = 0; i < json_array_get_length (lights); i++)
      {
        JsonObject *light = json_array_get_object_element (lights, i);

        if (g_str_equal (json_object_get_string_member (light, "node"), "chamber_light"))
          off = g_str_equal (json_object_get_string_member (light, "mode"), "off");
      }
    g_assert_true (off);
  }

  g_clear_pointer (&commands, g_ptr_array_unref);
  commands = pd_sim_printer_get_commands (printer);
  g_assert_cmpuint (commands->len, ==, 5);
  for (guint i = 0; i < commands->len; i++)
    g_assert_cmpint (((PdSimCommand *) g_ptr_array_index (commands, i))->qos, ==, 1);
  pd_sim_printer_clear_commands (printer);
  g_clear_pointer (&commands, g_ptr_array_unref);
  commands = pd_sim_printer_get_commands (printer);
  g_assert_cmpuint (commands->len, ==, 0);

  g_signal_handlers_disconnect_by_data (sim, &received);
  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_scenario_jumps (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 2);
  g_autoptr (Client)     c = client_ready (printer);
  g_autoptr (JsonObject) report = NULL;
  JsonArray             *hms;
  guint                  mark = client_n_messages (c);

  pd_sim_printer_add_hms (printer, PD_SIM_HMS_FATAL_ATTR, PD_SIM_HMS_FATAL_CODE);
  report = wait_message (c, mark, "print", "push_status", "hms", NULL);
  hms = json_object_get_array_member (report, "hms");
  g_assert_cmpuint (json_array_get_length (hms), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (hms, 0), "attr"), ==, 50331904);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (hms, 0), "code"), ==, 65543);

  mark = client_n_messages (c);
  pd_sim_printer_clear_hms (printer);
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "hms", NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "hms")), ==, 0);

  mark = client_n_messages (c);
  pd_sim_printer_fail (printer);
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "gcode_state", "FAILED");
  g_assert_cmpint (json_object_get_int_member (report, "print_error"), ==, 117473286);

  mark = client_n_messages (c);
  pd_sim_printer_start_print (printer);
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (c, mark, "print", "push_status", "gcode_state", "PREPARE");
  g_assert_cmpint (json_object_get_int_member (report, "print_error"), ==, 0);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_bad_reports (void)
{
  PdSim             *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter      *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (Client) c = client_ready (printer);
  gboolean           malformed = FALSE, big = FALSE;
  guint              mark = client_n_messages (c);

  g_assert_true (pd_sim_printer_publish_malformed (printer));
  g_assert_true (pd_sim_printer_publish_big (printer, 1024 * 1024));

  for (gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
       !(malformed && big) && g_get_monotonic_time () < deadline;)
    {
      Message *message;

      run_for (50);
      while ((message = client_message_or_null (c, mark)) != NULL)
        {
          g_autoptr (JsonNode) root = parse (message->payload);
          gsize                len = g_bytes_get_size (message->payload);

          mark++;
          if (root == NULL)
            malformed = TRUE;
          else if (len == 1024 * 1024)
            {
              big = TRUE;
              g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (root), "print"), "command"),
                               ==, "push_status");
            }
        }
    }
  g_assert_true (malformed);
  g_assert_true (big);

  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_bridge (void)
{
  PdSimOptions           options;
  g_autoptr (GError)     error = NULL;
  g_autoptr (Client)     c = NULL;
  g_autoptr (GHashTable) serials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray)  commands = NULL;
  const char            *host, *user, *password;
  guint16                port;
  PdSim                 *sim;
  PdSimPrinter          *second;
  g_autofree char       *line = NULL;
  guint                  n_seen = 0;

  pd_sim_options_init (&options);
  options.bridge = TRUE;
  options.report_interval_ms = 300;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  g_assert_true (pd_sim_get_bridge (sim, &host, &port, &user, &password));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  g_assert_cmpstr (user, !=, "bblp");
  line = pd_sim_bridge_to_line (sim);
  g_assert_true (g_str_has_prefix (line, "# bridge 127.0.0.1 "));

  c = client_new (port, pd_sim_get_ca_file (sim), user, password);
  g_assert_cmpint (wait_connack (c), ==, 0);
  client_subscribe (c, "device/+/report");

  /* Every printer reports through the bridge (an X1 at real speed may have
   * nothing new for a few seconds, hence the loop).
   */
  for (gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
       g_hash_table_size (serials) < 3 && g_get_monotonic_time () < deadline;)
    {
      Message *message;

      run_for (50);
      while ((message = client_message_or_null (c, n_seen)) != NULL)
        {
          g_hash_table_add (serials, g_strdup (message->topic));
          n_seen++;
        }
    }
  g_assert_cmpuint (g_hash_table_size (serials), ==, 3);

  /* Commands go through the bridge too. */
  second = pd_sim_get_printer (sim, 1);
  client_publish (c, pd_sim_printer_get_request_topic (second), "{\"info\":{\"sequence_id\":\"5\",\"command\":\"get_version\"}}");
  g_clear_pointer (&commands, g_ptr_array_unref);
  for (gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000; g_get_monotonic_time () < deadline;)
    {
      g_clear_pointer (&commands, g_ptr_array_unref);
      commands = pd_sim_printer_get_commands (second);
      if (commands->len > 0)
        break;
      run_for (20);
    }
  g_assert_cmpuint (commands->len, ==, 1);

  client_free (g_steal_pointer (&c));

  /* A printer's own code does not open the bridge. */
  c = client_new (port, pd_sim_get_ca_file (sim), "bblp", pd_sim_printer_get_access_code (second));
  g_assert_cmpint (wait_connack (c), ==, 5);
  client_free (g_steal_pointer (&c));

  stop_sim (sim);
}

/* ---- AMS changes by hand ------------------------------------------------- */

/* The print object of a push_status message, or NULL. */
static JsonObject *
message_report (Message *message)
{
  g_autoptr (JsonNode) root = parse (message->payload);
  JsonNode            *node;
  JsonObject          *print;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (node = json_object_get_member (json_node_get_object (root), "print")) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  print = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (print, "command", ""), "push_status") != 0)
    return NULL;

  return json_object_ref (print);
}

typedef gboolean (*ReportCheck) (JsonObject *print,
                                 gpointer    data);

typedef struct
{
  Client     *client;
  guint       from;
  ReportCheck check;
  gpointer    data;
  JsonObject *found;
} ReportWait;

static gboolean
report_found (gpointer data)
{
  ReportWait *w = data;

  for (Message *message; (message = client_message_or_null (w->client, w->from)) != NULL; w->from++)
    {
      g_autoptr (JsonObject) print = message_report (message);

      if (print != NULL && w->check (print, w->data))
        {
          w->found = g_steal_pointer (&print);
          return TRUE;
        }
    }

  return FALSE;
}

/* Waits for a push_status report from message @from on that passes @check.
 *
 * Returns: (transfer full): its print object; @index: its message index
 */
static JsonObject *
wait_report (Client     *c,
             guint       from,
             ReportCheck check,
             gpointer    data,
             guint      *index)
{
  ReportWait w = { c, from, check, data, NULL };

  if (!wait_for (report_found, &w, WAIT_MS))
    g_error ("no such report within %d ms", WAIT_MS);
  if (index != NULL)
    *index = w.from;

  return w.found;
}

static gboolean
is_full (JsonObject *print,
         gpointer    data)
{
  return json_object_get_int_member_with_default (print, "msg", -1) == 0;
}

/* Feeds the push_status reports from message *@from up to @to (excluded) to
 * @printer, as a session would.
 */
static void
apply_reports (Client    *c,
               guint     *from,
               guint      to,
               PdPrinter *printer)
{
  for (; *from < to; (*from)++)
    {
      Message               *message = client_message (c, *from);
      g_autoptr (JsonObject) print = message_report (message);
      g_autoptr (JsonNode)   report = NULL;
      g_autoptr (GError)     error = NULL;
      gsize                  length;
      const char            *text = g_bytes_get_data (message->payload, &length);

      if (print == NULL)
        continue;
      report = pd_report_parse (text, (gssize) length, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (pd_printer_apply_report (printer, report, g_get_real_time (), NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

/* A client's printer: connected, with the answer to pushall applied. */
typedef struct
{
  PdSimPrinter *sim_printer;
  Client       *client;
  PdPrinter    *printer;
  guint         applied; /* messages fed to @printer */
} AmsClient;

static void
ams_client_init (AmsClient    *a,
                 PdSimPrinter *sim_printer)
{
  guint       full;
  JsonObject *print;

  a->sim_printer = sim_printer;
  a->client = client_ready (sim_printer);
  a->printer = pd_printer_new (pd_sim_printer_get_serial (sim_printer));
  pd_printer_set_configured_model (a->printer, pd_sim_printer_get_model (sim_printer));

  client_publish (a->client, pd_sim_printer_get_request_topic (sim_printer),
                  "{\"pushing\":{\"sequence_id\":\"0\",\"command\":\"pushall\"}}");
  print = wait_report (a->client, 0, is_full, NULL, &full);
  json_object_unref (print);
  a->applied = full;
  apply_reports (a->client, &a->applied, full + 1, a->printer);
}

static void
ams_client_clear (AmsClient *a)
{
  client_free (g_steal_pointer (&a->client));
  g_assert_finalize_object (g_steal_pointer (&a->printer));
}

/* Changes the simulated printer with @set, checks that it published a
 * report at once, waits for the report that passes @check and feeds the
 * client's printer up to it.
 *
 * Returns: (transfer full): the report
 */
static JsonObject *
ams_client_expect (AmsClient *a,
                   gboolean (*set) (PdSimPrinter *printer, gpointer data),
                   gpointer    set_data,
                   ReportCheck check,
                   gpointer    check_data)
{
  guint64     before = pd_sim_printer_get_n_reports (a->sim_printer);
  guint       mark = client_n_messages (a->client);
  guint       index;
  JsonObject *print;

  g_assert_true (set (a->sim_printer, set_data));
  /* Published by the call itself: the very next report says it. */
  g_assert_cmpuint (pd_sim_printer_get_n_reports (a->sim_printer), ==, before + 1);

  print = wait_report (a->client, mark, check, check_data, &index);
  apply_reports (a->client, &a->applied, index + 1, a->printer);

  return print;
}

/* Member names of @object, sorted and joined with ",". */
static char *
members_of (JsonObject *object)
{
  g_autoptr (GList)   members = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);
  g_autoptr (GString) text = g_string_new (NULL);

  for (const GList *l = members; l != NULL; l = l->next)
    g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", (const char *) l->data);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The only AMS unit a delta lists, with @id. */
static JsonObject *
only_unit (JsonObject *print,
           const char *id)
{
  JsonObject *ams = json_object_get_object_member (print, "ams");
  JsonArray  *units = json_object_get_array_member (ams, "ams");
  JsonObject *unit;

  g_assert_cmpuint (json_array_get_length (units), ==, 1);
  unit = json_array_get_object_element (units, 0);
  g_assert_cmpstr (json_object_get_string_member (unit, "id"), ==, id);

  return unit;
}

static PdAmsUnit *
find_unit (PdPrinter *printer,
           int        id)
{
  GListModel *units = pd_printer_get_ams_units (printer);

  for (guint i = 0; i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);

      if (pd_ams_unit_get_id (unit) == id)
        return unit; /* the list keeps its reference */
    }

  g_error ("no AMS unit %d", id);
}

static PdAmsTray *
find_tray (PdPrinter *printer,
           int        unit,
           int        slot)
{
  GListModel *trays = pd_ams_unit_get_trays (find_unit (printer, unit));

  for (guint i = 0; i < g_list_model_get_n_items (trays); i++)
    {
      g_autoptr (PdAmsTray) tray = g_list_model_get_item (trays, i);

      if (pd_ams_tray_get_slot (tray) == slot)
        return tray;
    }

  g_error ("no slot %d in AMS unit %d", slot, unit);
}

/* What a setter is called with, and what the report must say. */
typedef struct
{
  int         unit;
  int         slot;
  int         value;
  int         index;
  const char *expect; /* a member's value in the report, as text */
} AmsChange;

static gboolean
set_remaining (PdSimPrinter *printer,
               gpointer      data)
{
  AmsChange *change = data;

  return pd_sim_printer_set_tray_remaining (printer, change->unit, change->slot, change->value);
}

/* A report that lists unit @id with @member = @value (as text). */
typedef struct
{
  const char *id;
  const char *member;
  const char *value;
} UnitHas;

static gboolean
unit_has (JsonObject *print,
          gpointer    data)
{
  UnitHas    *has = data;
  JsonObject *ams = json_object_has_member (print, "ams") ? json_object_get_object_member (print, "ams") : NULL;
  JsonArray  *units = ams != NULL && json_object_has_member (ams, "ams") ? json_object_get_array_member (ams, "ams") : NULL;

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (unit, "id", NULL), has->id) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (unit, has->member, NULL), has->value) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
has_remain_55 (JsonObject *print,
               gpointer    data)
{
  JsonObject *ams = json_object_has_member (print, "ams") ? json_object_get_object_member (print, "ams") : NULL;
  JsonArray  *units = ams != NULL && json_object_has_member (ams, "ams") ? json_object_get_array_member (ams, "ams") : NULL;

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);
      JsonArray  *trays = json_object_has_member (unit, "tray") ? json_object_get_array_member (unit, "tray") : NULL;

      for (guint j = 0; trays != NULL && j < json_array_get_length (trays); j++)
        if (json_object_get_int_member_with_default (json_array_get_object_element (trays, j), "remain", -2) == 55)
          return TRUE;
    }

  return FALSE;
}

static void
test_ams_remain (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  PdSimPrinter          *x1c = pd_sim_get_printer (sim, 0);
  AmsClient              a = { 0 };
  AmsChange              change = { 1, 2, 55 };
  g_autoptr (JsonObject) report = NULL;
  g_autofree char       *names = NULL;
  PdAmsTray             *tray;
  JsonObject            *unit, *slot;
  JsonArray             *slots;

  ams_client_init (&a, x1c);
  tray = find_tray (a.printer, 1, 2);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, 71);

  report = ams_client_expect (&a, set_remaining, &change, has_remain_55, NULL);

  /* Only what changed, as the firmware sends it: unit 1, its slot 2, remain. */
  names = members_of (report);
  g_assert_cmpstr (names, ==, "ams,command,msg,sequence_id");
  g_clear_pointer (&names, g_free);
  names = members_of (json_object_get_object_member (report, "ams"));
  g_assert_cmpstr (names, ==, "ams");
  unit = only_unit (report, "1");
  g_clear_pointer (&names, g_free);
  names = members_of (unit);
  g_assert_cmpstr (names, ==, "id,tray");
  slots = json_object_get_array_member (unit, "tray");
  g_assert_cmpuint (json_array_get_length (slots), ==, 1);
  slot = json_array_get_object_element (slots, 0);
  g_clear_pointer (&names, g_free);
  names = members_of (slot);
  g_assert_cmpstr (names, ==, "id,remain");
  g_assert_cmpstr (json_object_get_string_member (slot, "id"), ==, "2");
  g_assert_cmpint (json_object_get_int_member (slot, "remain"), ==, 55);

  /* The client's tray is the same object, with the new value. */
  g_assert_true (find_tray (a.printer, 1, 2) == tray);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (tray), ==, 55);
  g_assert_cmpint (pd_ams_tray_get_remaining_percent (find_tray (a.printer, 1, 1)), ==, 20);

  /* No spool there: an empty slot, a unit that is not, an empty external spool */
  g_assert_false (pd_sim_printer_set_tray_remaining (x1c, 2, 0, 50));
  g_assert_false (pd_sim_printer_set_tray_remaining (x1c, 9, 0, 50));
  g_assert_false (pd_sim_printer_set_tray_remaining (x1c, -1, 254, 50));

  ams_client_clear (&a);
  stop_sim (sim);
}

static gboolean
set_active (PdSimPrinter *printer,
            gpointer      data)
{
  AmsChange *change = data;

  return pd_sim_printer_set_active_tray (printer, change->unit, change->slot);
}

static gboolean
has_tray_now (JsonObject *print,
              gpointer    data)
{
  AmsChange  *change = data;
  JsonObject *ams = json_object_has_member (print, "ams") ? json_object_get_object_member (print, "ams") : NULL;

  return ams != NULL && json_object_has_member (ams, "tray_now") &&
         g_strcmp0 (json_object_get_string_member (ams, "tray_now"), change->expect) == 0;
}

/* The snow of the first extruder in a report. */
static gint64
report_snow (JsonObject *print)
{
  JsonObject *device = json_object_get_object_member (print, "device");
  JsonObject *extruder = json_object_get_object_member (device, "extruder");
  JsonArray  *info = json_object_get_array_member (extruder, "info");

  return json_object_get_int_member (json_array_get_object_element (info, 0), "snow");
}

static void
test_ams_active_tray (void)
{
  PdSim    *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  AmsClient a = { 0 };
  AmsClient h2d = { 0 };
  /* X1C: the global index unit·4 + slot, 254, 255 */
  AmsChange x1c_changes[] = {
    { 1, 2, 0, 0, "6" },
    { 128, 0, 0, 0, "128" },
    { -1, 254, 0, 0, "254" },
    { -1, -1, 0, 0, "255" },
  };
  /* H2D: the slot in its unit; the unit is in the snow */
  AmsChange h2d_changes[] = {
    { 128, 0, 0, 0, "0" },
    { 0, 3, 0, 0, "3" },
  };
  const int x1c_expect[][3] = { { 1, 2, 0x0102 }, { 128, 0, 0x8000 }, { -1, 254, 0xFEFF }, { -1, -1, 0xFFFF } };
  const int h2d_expect[][3] = { { 128, 0, 0x8000 }, { 0, 3, 0x0003 } };

  ams_client_init (&a, pd_sim_get_printer (sim, 0));
  g_assert_cmpint (pd_printer_get_active_unit (a.printer), ==, -1);

  for (guint i = 0; i < G_N_ELEMENTS (x1c_changes); i++)
    {
      g_autoptr (JsonObject) report = ams_client_expect (&a, set_active, &x1c_changes[i], has_tray_now, &x1c_changes[i]);
      JsonObject            *ams = json_object_get_object_member (report, "ams");

      g_assert_false (json_object_has_member (ams, "ams")); /* no unit changed */
      /* The spool before is tray_pre (255 at first: no change, not in the delta). */
      if (i > 0)
        g_assert_cmpstr (json_object_get_string_member (ams, "tray_pre"), ==, x1c_changes[i - 1].expect);
      g_assert_cmpint (report_snow (report), ==, x1c_expect[i][2]);
      g_assert_cmpint (pd_printer_get_active_unit (a.printer), ==, x1c_expect[i][0]);
      g_assert_cmpint (pd_printer_get_active_slot (a.printer), ==, x1c_expect[i][1]);
    }
  g_assert_false (pd_sim_printer_set_active_tray (a.sim_printer, 9, 0));
  g_assert_false (pd_sim_printer_set_active_tray (a.sim_printer, -1, 3));
  g_assert_false (pd_sim_printer_set_active_tray (a.sim_printer, 2, 0)); /* empty */

  ams_client_init (&h2d, pd_sim_get_printer (sim, 1));
  for (guint i = 0; i < G_N_ELEMENTS (h2d_changes); i++)
    {
      g_autoptr (JsonObject) report = ams_client_expect (&h2d, set_active, &h2d_changes[i], has_tray_now, &h2d_changes[i]);

      g_assert_cmpint (report_snow (report), ==, h2d_expect[i][2]);
      g_assert_cmpint (pd_printer_get_active_unit (h2d.printer), ==, h2d_expect[i][0]);
      g_assert_cmpint (pd_printer_get_active_slot (h2d.printer), ==, h2d_expect[i][1]);
    }

  ams_client_clear (&h2d);
  ams_client_clear (&a);
  stop_sim (sim);
}

static gboolean
set_humidity (PdSimPrinter *printer,
              gpointer      data)
{
  AmsChange *change = data;

  return pd_sim_printer_set_humidity (printer, change->unit, change->value, change->index);
}

static void
test_ams_humidity (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_IDLE, 1);
  AmsClient              a = { 0 };
  AmsClient              a1 = { 0 };
  AmsChange              wet = { 2, 0, 70, -1 };
  AmsChange              unmeasured = { 2, 0, -1, -1 };
  AmsChange              level = { 0, 0, -1, 1 };
  UnitHas                wet_raw = { "2", "humidity_raw", "70" };
  UnitHas                zero_raw = { "2", "humidity_raw", "0" };
  UnitHas                wet_index = { "0", "humidity", "1" };
  g_autoptr (JsonObject) report = NULL;
  g_autofree char       *names = NULL;
  JsonObject            *unit;

  /* X1C: the AMS 2 Pro (id 2) measures it; the index follows */
  ams_client_init (&a, pd_sim_get_printer (sim, 0));
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (find_unit (a.printer, 2)), ==, 9);
  report = ams_client_expect (&a, set_humidity, &wet, unit_has, &wet_raw);
  unit = only_unit (report, "2");
  names = members_of (unit);
  g_assert_cmpstr (names, ==, "humidity,humidity_raw,id");
  g_assert_cmpstr (json_object_get_string_member (unit, "humidity_raw"), ==, "70");
  g_assert_cmpstr (json_object_get_string_member (unit, "humidity"), ==, "1");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (find_unit (a.printer, 2)), ==, 70);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (find_unit (a.printer, 2)), ==, 5);

  /* No longer measured: 0, as units without the sensor send */
  g_clear_pointer (&report, json_object_unref);
  report = ams_client_expect (&a, set_humidity, &unmeasured, unit_has, &zero_raw);
  g_assert_cmpstr (json_object_get_string_member (only_unit (report, "2"), "humidity_raw"), ==, "0");
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (find_unit (a.printer, 2)), ==, -1);
  g_assert_cmpint (pd_ams_unit_get_humidity_level (find_unit (a.printer, 2)), ==, 5);
  g_assert_false (pd_sim_printer_set_humidity (a.sim_printer, 9, 50, -1));

  /* A1: the AMS lite reports the index only */
  ams_client_init (&a1, pd_sim_get_printer (sim, 2));
  g_assert_cmpint (pd_ams_unit_get_humidity_level (find_unit (a1.printer, 0)), ==, 1);
  g_clear_pointer (&report, json_object_unref);
  report = ams_client_expect (&a1, set_humidity, &level, unit_has, &wet_index);
  g_clear_pointer (&names, g_free);
  names = members_of (only_unit (report, "0"));
  g_assert_cmpstr (names, ==, "humidity,id");
  g_assert_cmpint (pd_ams_unit_get_humidity_level (find_unit (a1.printer, 0)), ==, 5);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (find_unit (a1.printer, 0)), ==, -1);

  ams_client_clear (&a1);
  ams_client_clear (&a);
  stop_sim (sim);
}

/* Changes by hand while a print runs at 60×: each is in the very next
 * report, the print goes on, and a humidity set stays put.
 */
static void
test_ams_while_printing (void)
{
  PdSim                 *sim = start_sim (PD_SIM_SCENARIO_PRINT, 60);
  AmsClient              a = { 0 };
  AmsChange              wet = { 0, 0, 70, 1 };
  AmsChange              remain = { 0, 3, 55 };
  AmsChange              active = { 1, 1, 0, 0, "5" };
  UnitHas                wet_raw = { "0", "humidity_raw", "70" };
  g_autoptr (JsonObject) report = NULL;
  g_autoptr (JsonNode)   state = NULL;
  JsonObject            *unit;
  guint                  mark;

  ams_client_init (&a, pd_sim_get_printer (sim, 0));

  report = ams_client_expect (&a, set_humidity, &wet, unit_has, &wet_raw);
  g_clear_pointer (&report, json_object_unref);
  report = ams_client_expect (&a, set_remaining, &remain, has_remain_55, NULL);
  g_clear_pointer (&report, json_object_unref);
  report = ams_client_expect (&a, set_active, &active, has_tray_now, &active);
  g_assert_cmpint (pd_printer_get_active_unit (a.printer), ==, 1);
  g_assert_cmpint (pd_printer_get_active_slot (a.printer), ==, 1);

  /* The print goes on (heating, levelling, then printing: about 2 s at 60×). */
  mark = client_n_messages (a.client);
  g_clear_pointer (&report, json_object_unref);
  report = wait_message (a.client, mark, "print", "push_status", "gcode_state", "RUNNING");

  /* Minutes of simulated time later, the humidity is still as set. */
  run_for (1500);
  state = pd_sim_printer_dup_state (a.sim_printer);
  unit = json_array_get_object_element (json_object_get_array_member (json_object_get_object_member (json_node_get_object (state), "ams"), "ams"), 0);
  g_assert_cmpstr (json_object_get_string_member (unit, "humidity_raw"), ==, "70");
  g_assert_cmpstr (json_object_get_string_member (unit, "humidity"), ==, "1");
  apply_reports (a.client, &a.applied, client_n_messages (a.client), a.printer);
  g_assert_cmpint (pd_ams_unit_get_humidity_percent (find_unit (a.printer, 0)), ==, 70);

  ams_client_clear (&a);
  stop_sim (sim);
}

/* ---- Cameras -------------------------------------------------------------- */

#define CAMERA_WAIT_MS 15000 /* the first RTSP frame: TLS, DESCRIBE, an encoder starting (slow under ASan) */

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
put_le32 (guint8 *p,
          guint32 value)
{
  p[0] = (guint8) value;
  p[1] = (guint8) (value >> 8);
  p[2] = (guint8) (value >> 16);
  p[3] = (guint8) (value >> 24);
}

/* One printer of @model, idle, its camera serving @max_clients at once. */
static PdSim *
start_camera_sim (const char *model,
                  guint       max_clients)
{
  const char *const  models[] = { model, NULL };
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  options.camera_max_clients = max_clients;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("cannot start the simulator: %s", error->message);

  return sim;
}

/* The printer's ipcam.rtsp_url as a full report (pushall) has it. */
static char *
dup_rtsp_url (PdSimPrinter *printer)
{
  g_autoptr (JsonNode) state = pd_sim_printer_dup_state (printer);
  JsonObject          *print = json_node_get_object (state);
  JsonObject          *ipcam = json_object_has_member (print, "ipcam") ? json_object_get_object_member (print, "ipcam") : NULL;

  return g_strdup (ipcam != NULL ? json_object_get_string_member_with_default (ipcam, "rtsp_url", NULL) : NULL);
}

static gboolean
camera_has_no_clients (gpointer data)
{
  return pd_sim_printer_get_camera_clients (data) == 0;
}

/* An RTSPS viewer as the app has: rtspsrc, the H.264 decoder, an appsink,
 * on GStreamer's threads; the simulator's server runs on the main context,
 * which the waits keep running.
 */
typedef struct
{
  GstElement *pipeline;
  GMutex      lock;
  guint       n_frames;
  int         width;
  int         height;
  char       *error; /* the first error, with its details */
  gboolean    ended; /* an error, or the end of the stream (the server closed) */
} RtspViewer;

static GstFlowReturn
rtsp_viewer_on_sample (GstAppSink *sink,
                       gpointer    user_data)
{
  RtspViewer           *v = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstCaps              *caps = sample != NULL ? gst_sample_get_caps (sample) : NULL;
  int                   width = 0, height = 0;

  if (caps != NULL)
    {
      gst_structure_get_int (gst_caps_get_structure (caps, 0), "width", &width);
      gst_structure_get_int (gst_caps_get_structure (caps, 0), "height", &height);
    }

  g_mutex_lock (&v->lock);
  v->n_frames++;
  v->width = width;
  v->height = height;
  g_mutex_unlock (&v->lock);
  g_main_context_wakeup (NULL);

  return GST_FLOW_OK;
}

static RtspViewer *
rtsp_viewer_new (PdSimPrinter *printer,
                 const char   *code)
{
  RtspViewer            *v = g_new0 (RtspViewer, 1);
  GstAppSinkCallbacks    callbacks = { .new_sample = rtsp_viewer_on_sample };
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *launch = NULL;

  launch = g_strdup_printf ("rtspsrc location=rtsps://127.0.0.1:%u/streaming/live/1 user-id=bblp user-pw=%s"
                            " tls-validation-flags=0 protocols=tcp latency=100"
                            " ! rtph264depay ! h264parse ! avdec_h264 ! videoconvert"
                            " ! appsink name=sink sync=false max-buffers=2 drop=true",
                            pd_sim_printer_get_camera_port (printer),
                            code != NULL ? code : pd_sim_printer_get_access_code (printer));
  g_mutex_init (&v->lock);
  v->pipeline = gst_parse_launch_full (launch, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (v->pipeline);
  sink = gst_bin_get_by_name (GST_BIN (v->pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, v, NULL);
  g_assert_cmpint (gst_element_set_state (v->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  return v;
}

static void
rtsp_viewer_poll (RtspViewer *v)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (v->pipeline);
  GstMessage        *message;

  while ((message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS)) != NULL)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char   *debug = NULL;

      v->ended = TRUE;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          gst_message_parse_error (message, &error, &debug);
          if (v->error == NULL)
            v->error = g_strdup_printf ("%s (%s)", error->message, debug != NULL ? debug : "");
        }
      gst_message_unref (message);
    }
}

static guint
rtsp_viewer_n_frames (RtspViewer *v)
{
  guint n;

  g_mutex_lock (&v->lock);
  n = v->n_frames;
  g_mutex_unlock (&v->lock);

  return n;
}

typedef struct
{
  RtspViewer *viewer;
  guint       n;
} RtspWait;

static gboolean
rtsp_viewer_has_frames (gpointer data)
{
  RtspWait *w = data;

  rtsp_viewer_poll (w->viewer);
  return rtsp_viewer_n_frames (w->viewer) >= w->n || w->viewer->ended;
}

static gboolean
rtsp_viewer_failed (gpointer data)
{
  RtspViewer *v = data;

  rtsp_viewer_poll (v);
  return v->error != NULL;
}

static gboolean
rtsp_viewer_ended (gpointer data)
{
  RtspViewer *v = data;

  rtsp_viewer_poll (v);
  return v->ended;
}

/* Waits for @n frames in all (any error fails the test). */
static void
rtsp_viewer_wait_frames (RtspViewer *v,
                         guint       n)
{
  RtspWait w = { v, n };

  wait_for (rtsp_viewer_has_frames, &w, CAMERA_WAIT_MS);
  g_assert_null (v->error);
  g_assert_false (v->ended);
  g_assert_cmpuint (rtsp_viewer_n_frames (v), >=, n);
}

static const char *
rtsp_viewer_wait_error (RtspViewer *v)
{
  g_assert_true (wait_for (rtsp_viewer_failed, v, CAMERA_WAIT_MS));
  g_test_message ("RTSPS viewer: %s", v->error);

  return v->error;
}

static void
rtsp_viewer_free (RtspViewer *v)
{
  /* It sends TEARDOWN and waits 100 ms for an answer that cannot come while
   * this thread, the server's, waits here; then it closes.
   */
  gst_element_set_state (v->pipeline, GST_STATE_NULL);
  gst_object_unref (v->pipeline);
  g_mutex_clear (&v->lock);
  g_free (v->error);
  g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RtspViewer, rtsp_viewer_free)

/* A port-6000 JPEG client with GIO's TLS, as the app has: it sends the
 * login and reads everything that comes, until the end.
 */
typedef struct
{
  GSocketConnection *connection;
  GIOStream         *tls;
  GCancellable      *cancellable;
  GByteArray        *data;
  gboolean           eof;
  GError            *error;
  int                pending;
  gboolean           paused; /* logged in, but not reading */
  guint8             login[80];
  guint8             buffer[16384];
} JpegViewer;

static gboolean
accept_any_certificate (GTlsConnection      *connection,
                        GTlsCertificate     *certificate,
                        GTlsCertificateFlags errors,
                        gpointer             user_data)
{
  return TRUE;
}

static void jpeg_viewer_read (JpegViewer *v);

static void
jpeg_viewer_on_read (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  JpegViewer *v = user_data;
  GError     *error = NULL;
  gssize      n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  v->pending--;
  if (n > 0)
    {
      g_byte_array_append (v->data, v->buffer, (guint) n);
      jpeg_viewer_read (v);
    }
  else if (n == 0)
    v->eof = TRUE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error_free (error);
  else
    v->error = error;
}

static void
jpeg_viewer_read (JpegViewer *v)
{
  v->pending++;
  g_input_stream_read_async (g_io_stream_get_input_stream (v->tls), v->buffer, sizeof v->buffer, G_PRIORITY_DEFAULT,
                             v->cancellable, jpeg_viewer_on_read, v);
}

static void
jpeg_viewer_on_sent (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  JpegViewer *v = user_data;
  GError     *error = NULL;

  v->pending--;
  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      if (!v->paused)
        jpeg_viewer_read (v);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_error_free (error);
  else
    v->error = error;
}

/* Connects and logs in as bblp with @code (NULL: the printer's); @paused:
 * then reads nothing until jpeg_viewer_resume(), with a small socket buffer.
 */
static JpegViewer *
jpeg_viewer_new_full (PdSimPrinter *printer,
                      const char   *code,
                      gboolean      paused)
{
  JpegViewer        *v = g_new0 (JpegViewer, 1);
  g_autoptr (GError) error = NULL;

  v->cancellable = g_cancellable_new ();
  v->data = g_byte_array_new ();
  v->paused = paused;
  v->connection = tcp_connect (pd_sim_printer_get_camera_port (printer), &error);
  g_assert_no_error (error);
  if (paused)
    g_socket_set_option (g_socket_connection_get_socket (v->connection), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  /* No database: the certificate names the serial, not 127.0.0.1, and
   * another test checks it; and glib-networking would load the system's
   * CAs for this connection (seconds under ASan).
   */
  v->tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()), NULL, &error,
                           "base-io-stream", v->connection,
                           "database", NULL,
                           NULL);
  g_assert_no_error (error);
  g_signal_connect (v->tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);

  put_le32 (v->login, 0x40);
  put_le32 (v->login + 4, 0x3000);
  memcpy (v->login + 16, "bblp", 4);
  code = code != NULL ? code : pd_sim_printer_get_access_code (printer);
  memcpy (v->login + 48, code, MIN (strlen (code), 32));

  v->pending++;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (v->tls), v->login, sizeof v->login,
                                   G_PRIORITY_DEFAULT, v->cancellable, jpeg_viewer_on_sent, v);

  return v;
}

static JpegViewer *
jpeg_viewer_new (PdSimPrinter *printer,
                 const char   *code)
{
  return jpeg_viewer_new_full (printer, code, FALSE);
}

static void
jpeg_viewer_resume (JpegViewer *v)
{
  g_assert_true (v->paused);
  v->paused = FALSE;
  jpeg_viewer_read (v);
}

static gboolean
jpeg_viewer_idle (gpointer data)
{
  return ((JpegViewer *) data)->pending == 0;
}

static void
jpeg_viewer_free (JpegViewer *v)
{
  g_cancellable_cancel (v->cancellable);
  /* The cancelled operations point into @v. */
  g_assert_true (wait_for (jpeg_viewer_idle, v, WAIT_MS));
  /* The TCP connection, not the TLS one: no goodbye on a socket that may be gone. */
  g_io_stream_close (G_IO_STREAM (v->connection), NULL, NULL);
  g_clear_object (&v->tls);
  g_clear_object (&v->connection);
  g_clear_object (&v->cancellable);
  g_byte_array_unref (v->data);
  g_clear_error (&v->error);
  g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JpegViewer, jpeg_viewer_free)

/* The whole frames read so far, as the JPEGs their headers announce (the
 * header's other words checked on the way).
 */
static GPtrArray *
jpeg_viewer_frames (JpegViewer *v)
{
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize      offset = 0;

  while (offset + 16 <= v->data->len)
    {
      const guint8 *header = v->data->data + offset;
      gsize         size = get_le32 (header);

      g_assert_cmpuint (get_le32 (header + 4), ==, 0);
      g_assert_cmpuint (get_le32 (header + 8), ==, 1);
      g_assert_cmpuint (get_le32 (header + 12), ==, 0);
      if (offset + 16 + size > v->data->len)
        break;
      g_ptr_array_add (frames, g_bytes_new (header + 16, size));
      offset += 16 + size;
    }

  return frames;
}

typedef struct
{
  JpegViewer *viewer;
  guint       n;
} JpegWait;

static gboolean
jpeg_viewer_has_frames (gpointer data)
{
  JpegWait             *w = data;
  g_autoptr (GPtrArray) frames = NULL;

  if (w->viewer->eof || w->viewer->error != NULL)
    return TRUE;
  frames = jpeg_viewer_frames (w->viewer);
  return frames->len >= w->n;
}

static gboolean
jpeg_viewer_has_bytes (gpointer data)
{
  JpegWait *w = data;

  return w->viewer->data->len >= w->n || w->viewer->eof || w->viewer->error != NULL;
}

static gboolean
jpeg_viewer_ended (gpointer data)
{
  JpegViewer *v = data;

  return v->eof || v->error != NULL;
}

/* Waits for @n whole frames in all. */
static GPtrArray *
jpeg_viewer_wait_frames (JpegViewer *v,
                         guint       n)
{
  JpegWait   w = { v, n };
  GPtrArray *frames;

  g_assert_true (wait_for (jpeg_viewer_has_frames, &w, CAMERA_WAIT_MS));
  g_assert_no_error (v->error);
  g_assert_false (v->eof);
  frames = jpeg_viewer_frames (v);
  g_assert_cmpuint (frames->len, >=, n);

  return frames;
}

/* Waits for the end of the stream: a clean one (TLS close_notify, read 0). */
static void
jpeg_viewer_wait_eof (JpegViewer *v)
{
  g_assert_true (wait_for (jpeg_viewer_ended, v, CAMERA_WAIT_MS));
  g_assert_no_error (v->error);
  g_assert_true (v->eof);
}

static gboolean
is_jpeg (GBytes *bytes)
{
  gsize         size;
  const guint8 *p = g_bytes_get_data (bytes, &size);

  return size > 4 && p[0] == 0xFF && p[1] == 0xD8 && p[size - 2] == 0xFF && p[size - 1] == 0xD9;
}

/* A whole JPEG that decodes to @width × @height. */
static void
assert_jpeg (GBytes *jpeg,
             int     width,
             int     height)
{
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autoptr (GError)          error = NULL;
  gsize                       size;
  const guint8               *data = g_bytes_get_data (jpeg, &size);
  GdkPixbuf                  *pixbuf;

  g_assert_true (is_jpeg (jpeg));
  loader = gdk_pixbuf_loader_new_with_type ("jpeg", &error);
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_write (loader, data, size, &error));
  g_assert_no_error (error);
  g_assert_true (gdk_pixbuf_loader_close (loader, &error));
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  g_assert_nonnull (pixbuf);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, height);
}

static void
test_camera_rtsps (void)
{
  PdSim                 *sim = start_camera_sim ("X1C", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  guint16                port = pd_sim_printer_get_camera_port (printer);
  g_autofree char       *url = g_strdup_printf ("rtsps://127.0.0.1:%u/streaming/live/1", port);
  g_autofree char       *reported = dup_rtsp_url (printer);
  g_autoptr (RtspViewer) viewer = NULL;
  guint64                frames;

  g_assert_cmpint (pd_sim_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_RTSPS);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpuint (port, !=, pd_sim_printer_get_port (printer));
  g_assert_cmpstr (reported, ==, url);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_frames_sent (printer), ==, 0);

  viewer = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (viewer, 3);
  g_assert_cmpint (viewer->width, ==, 320);
  g_assert_cmpint (viewer->height, ==, 240);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), ==, 1);
  frames = pd_sim_printer_get_camera_frames_sent (printer);
  g_assert_cmpuint (frames, >=, 3);

  /* The viewer goes: the server sees it leave, and the encoder stops. */
  rtsp_viewer_free (g_steal_pointer (&viewer));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));
  run_for (300);
  frames = pd_sim_printer_get_camera_frames_sent (printer);
  run_for (500);
  g_assert_cmpuint (pd_sim_printer_get_camera_frames_sent (printer), ==, frames);

  /* And it comes back. */
  viewer = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (viewer, 3);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 2);

  rtsp_viewer_free (g_steal_pointer (&viewer));
  stop_sim (sim);
}

static void
test_camera_rtsps_wrong_code (void)
{
  PdSim                 *sim = start_camera_sim ("H2D", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (RtspViewer) viewer = rtsp_viewer_new (printer, "00000000");
  g_autoptr (GError)     error = NULL;

  g_assert_nonnull (strstr (rtsp_viewer_wait_error (viewer), "Unauthorized"));
  g_assert_cmpuint (rtsp_viewer_n_frames (viewer), ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), >=, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 0);
  rtsp_viewer_free (g_steal_pointer (&viewer));

  /* A printer whose code was renewed refuses the old one on its camera too. */
  g_assert_true (pd_sim_printer_set_refusing (printer, TRUE, &error));
  g_assert_no_error (error);
  viewer = rtsp_viewer_new (printer, NULL);
  g_assert_nonnull (strstr (rtsp_viewer_wait_error (viewer), "Unauthorized"));
  rtsp_viewer_free (g_steal_pointer (&viewer));
  g_assert_true (pd_sim_printer_set_refusing (printer, FALSE, &error));
  g_assert_no_error (error);
  viewer = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (viewer, 1);

  rtsp_viewer_free (g_steal_pointer (&viewer));
  stop_sim (sim);
}

static void
test_camera_rtsps_busy (void)
{
  PdSim                 *sim = start_camera_sim ("P2S", 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (RtspViewer) first = rtsp_viewer_new (printer, NULL);
  g_autoptr (RtspViewer) second = NULL;
  guint                  n;

  g_assert_cmpuint (pd_sim_printer_get_camera_max_clients (printer), ==, 1);
  rtsp_viewer_wait_frames (first, 3);

  /* One viewer at a time, as on a printer: the next hears 453. */
  second = rtsp_viewer_new (printer, NULL);
  g_assert_nonnull (strstr (rtsp_viewer_wait_error (second), "453"));
  g_assert_cmpuint (rtsp_viewer_n_frames (second), ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), ==, 2);
  rtsp_viewer_free (g_steal_pointer (&second));

  /* The first one goes on. */
  n = rtsp_viewer_n_frames (first);
  rtsp_viewer_wait_frames (first, n + 3);

  /* Without the limit, two share one stream. */
  pd_sim_printer_set_camera_max_clients (printer, 0);
  second = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (second, 3);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 2);
  n = rtsp_viewer_n_frames (first);
  rtsp_viewer_wait_frames (first, n + 3);

  rtsp_viewer_free (g_steal_pointer (&second));
  rtsp_viewer_free (g_steal_pointer (&first));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));
  stop_sim (sim);
}

static gboolean
has_disabled_ipcam (JsonObject *print,
                    gpointer    data)
{
  JsonObject *ipcam = json_object_has_member (print, "ipcam") ? json_object_get_object_member (print, "ipcam") : NULL;

  return ipcam != NULL && g_strcmp0 (json_object_get_string_member_with_default (ipcam, "rtsp_url", ""), "disable") == 0;
}

static void
test_camera_rtsps_off (void)
{
  PdSim                        *sim = start_camera_sim ("X1E", 0);
  PdSimPrinter                 *printer = pd_sim_get_printer (sim, 0);
  guint16                       port = pd_sim_printer_get_camera_port (printer);
  g_autoptr (Client)            c = client_ready (printer);
  g_autoptr (RtspViewer)        viewer = rtsp_viewer_new (printer, NULL);
  g_autoptr (GError)            error = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (JsonObject)        print = NULL;
  g_autofree char              *url = NULL;

  rtsp_viewer_wait_frames (viewer, 3);
  client_clear_messages (c);

  /* LAN live view off: the viewer is dropped, the port closed, and the
   * printer says so at once and in its full report.
   */
  g_assert_true (pd_sim_printer_set_camera_enabled (printer, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (pd_sim_printer_get_camera_enabled (printer));
  g_assert_true (wait_for (rtsp_viewer_ended, viewer, CAMERA_WAIT_MS));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));
  connection = tcp_connect (port, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);
  print = wait_report (c, 0, has_disabled_ipcam, NULL, NULL);
  g_clear_pointer (&print, json_object_unref);
  client_clear_messages (c);
  client_publish (c, pd_sim_printer_get_request_topic (printer), "{\"pushing\":{\"sequence_id\":\"1\",\"command\":\"pushall\"}}");
  print = wait_report (c, 0, is_full, NULL, NULL);
  g_assert_true (has_disabled_ipcam (print, NULL));
  rtsp_viewer_free (g_steal_pointer (&viewer));

  /* On again: the same port, and the URL is back. */
  g_assert_true (pd_sim_printer_set_camera_enabled (printer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_sim_printer_get_camera_port (printer), ==, port);
  url = dup_rtsp_url (printer);
  g_assert_true (g_str_has_prefix (url, "rtsps://127.0.0.1:"));
  viewer = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (viewer, 3);

  /* Dropped, it can come back at once. */
  g_assert_cmpuint (pd_sim_printer_drop_camera_clients (printer), ==, 1);
  g_assert_true (wait_for (rtsp_viewer_ended, viewer, CAMERA_WAIT_MS));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));
  rtsp_viewer_free (g_steal_pointer (&viewer));

  /* Offline, the camera is gone too; online, it is back on its port. */
  g_assert_true (pd_sim_printer_set_offline (printer, TRUE, &error));
  g_assert_no_error (error);
  connection = tcp_connect (port, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);
  g_assert_true (pd_sim_printer_set_offline (printer, FALSE, &error));
  g_assert_no_error (error);
  viewer = rtsp_viewer_new (printer, NULL);
  rtsp_viewer_wait_frames (viewer, 1);

  rtsp_viewer_free (g_steal_pointer (&viewer));
  client_free (g_steal_pointer (&c));
  stop_sim (sim);
}

static void
test_camera_certificate (void)
{
  const char *const  models[] = { "X1C", "A1", NULL };
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;

  pd_sim_options_init (&options);
  options.n_printers = 2;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);

  /* Both cameras show the printer's own certificate (CN = serial), the one
   * of its MQTT port, also after it was renewed.
   */
  for (guint i = 0; i < 2; i++)
    {
      PdSimPrinter    *printer = pd_sim_get_printer (sim, i);
      g_autofree char *cn = g_strdup_printf ("/CN=%s", pd_sim_printer_get_serial (printer));
      g_autofree char *before = g_strdup (pd_sim_printer_get_fingerprint (printer));
      Handshake        h;

      handshake (&h, pd_sim_printer_get_camera_port (printer));
      g_assert_cmpstr (h.fingerprint, ==, before);
      g_assert_cmpstr (h.subject, ==, cn);
      handshake_clear (&h);

      g_assert_true (pd_sim_printer_regenerate_certificate (printer, &error));
      g_assert_no_error (error);
      handshake (&h, pd_sim_printer_get_camera_port (printer));
      g_assert_cmpstr (h.fingerprint, !=, before);
      g_assert_cmpstr (h.fingerprint, ==, pd_sim_printer_get_fingerprint (printer));
      handshake_clear (&h);
    }

  stop_sim (sim);
}

static void
test_camera_jpeg (void)
{
  PdSim                 *sim = start_camera_sim ("P1S", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (JpegViewer) viewer = NULL;
  g_autoptr (GPtrArray)  frames = NULL;
  g_autofree char       *reported = dup_rtsp_url (printer);

  g_assert_cmpint (pd_sim_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_JPEG);
  g_assert_cmpuint (pd_sim_printer_get_camera_port (printer), >, 0);
  /* P1 and A1 say nothing of RTSP. */
  g_assert_null (reported);

  viewer = jpeg_viewer_new (printer, NULL);
  frames = jpeg_viewer_wait_frames (viewer, 3);
  for (guint i = 0; i < 3; i++)
    assert_jpeg (g_ptr_array_index (frames, i), 640, 360);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_frames_sent (printer), >=, 3);

  jpeg_viewer_free (g_steal_pointer (&viewer));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));

  stop_sim (sim);
}

static void
test_camera_jpeg_wrong_code (void)
{
  PdSim                 *sim = start_camera_sim ("A1", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (JpegViewer) viewer = jpeg_viewer_new (printer, "00000000");
  g_autoptr (GPtrArray)  frames = NULL;
  g_autoptr (GError)     error = NULL;

  /* As a printer: the stream just ends, without a byte. */
  jpeg_viewer_wait_eof (viewer);
  g_assert_cmpuint (viewer->data->len, ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 0);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* A code that is too short is as wrong. */
  viewer = jpeg_viewer_new (printer, "1234567");
  jpeg_viewer_wait_eof (viewer);
  g_assert_cmpuint (viewer->data->len, ==, 0);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* A printer whose code was renewed refuses the old one on its camera too. */
  g_assert_true (pd_sim_printer_set_refusing (printer, TRUE, &error));
  g_assert_no_error (error);
  viewer = jpeg_viewer_new (printer, NULL);
  jpeg_viewer_wait_eof (viewer);
  g_assert_cmpuint (viewer->data->len, ==, 0);
  jpeg_viewer_free (g_steal_pointer (&viewer));
  g_assert_true (pd_sim_printer_set_refusing (printer, FALSE, &error));
  g_assert_no_error (error);
  viewer = jpeg_viewer_new (printer, NULL);
  frames = jpeg_viewer_wait_frames (viewer, 1);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  stop_sim (sim);
}

static void
test_camera_jpeg_busy (void)
{
  PdSim                 *sim = start_camera_sim ("A1MINI", 1);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (JpegViewer) first = jpeg_viewer_new (printer, NULL);
  g_autoptr (JpegViewer) second = NULL;
  g_autoptr (GPtrArray)  frames = jpeg_viewer_wait_frames (first, 2);
  guint                  n = frames->len;

  /* The second one logs in and the stream ends: it is busy. */
  second = jpeg_viewer_new (printer, NULL);
  jpeg_viewer_wait_eof (second);
  g_assert_cmpuint (second->data->len, ==, 0);
  g_assert_cmpuint (pd_sim_printer_get_camera_connections (printer), ==, 2);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (printer), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 1);
  jpeg_viewer_free (g_steal_pointer (&second));

  /* The first goes on. */
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (first, n + 2);

  /* Once it left, the next one is served. */
  jpeg_viewer_free (g_steal_pointer (&first));
  g_assert_true (wait_for (camera_has_no_clients, printer, CAMERA_WAIT_MS));
  second = jpeg_viewer_new (printer, NULL);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (second, 1);

  jpeg_viewer_free (g_steal_pointer (&second));
  stop_sim (sim);
}

/* A viewer that does not read does not hold up the others; it misses
 * frames, and gets whole ones once it reads again.
 */
static void
test_camera_jpeg_slow_client (void)
{
  PdSim                 *sim = start_camera_sim ("P1S", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (JpegViewer) slow = jpeg_viewer_new_full (printer, NULL, TRUE);
  g_autoptr (JpegViewer) fast = jpeg_viewer_new (printer, NULL);
  g_autoptr (GPtrArray)  frames = jpeg_viewer_wait_frames (fast, 2);
  guint                  n = frames->len;

  /* 6 frames, 50 kB: more than the slow one's buffers hold. */
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (fast, n + 6);
  n = frames->len;
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 2);

  /* What was waiting for it is fewer frames, all whole; then more come. */
  jpeg_viewer_resume (slow);
  run_for (100);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_frames (slow);
  g_test_message ("the slow viewer had %u frames waiting, the other got %u meanwhile", frames->len, n);
  g_assert_cmpuint (frames->len, <, n);
  n = frames->len;
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (slow, n + 3);
  for (guint i = 0; i < frames->len; i++)
    g_assert_true (is_jpeg (g_ptr_array_index (frames, i)));
  assert_jpeg (g_ptr_array_index (frames, frames->len - 1), 640, 360);

  jpeg_viewer_free (g_steal_pointer (&fast));
  jpeg_viewer_free (g_steal_pointer (&slow));
  stop_sim (sim);
}

static void
test_camera_jpeg_faults (void)
{
  PdSim                 *sim = start_camera_sim ("P1P", 0);
  PdSimPrinter          *printer = pd_sim_get_printer (sim, 0);
  g_autoptr (JpegViewer) viewer = jpeg_viewer_new (printer, NULL);
  g_autoptr (GPtrArray)  frames = jpeg_viewer_wait_frames (viewer, 2);
  guint                  n = frames->len;
  gsize                  announced, size;

  g_assert_true (is_jpeg (g_ptr_array_index (frames, 0)));

  /* Garbage: frames as announced, but not JPEG. */
  pd_sim_printer_set_camera_fault (printer, PD_SIM_CAMERA_FAULT_GARBAGE);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (viewer, n + 3);
  g_assert_false (is_jpeg (g_ptr_array_index (frames, frames->len - 1)));
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (frames, frames->len - 1)), >, 1000);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* Truncated: the header announces more than the JPEG that follows, then the end. */
  pd_sim_printer_set_camera_fault (printer, PD_SIM_CAMERA_FAULT_TRUNCATED);
  viewer = jpeg_viewer_new (printer, NULL);
  jpeg_viewer_wait_eof (viewer);
  g_assert_cmpuint (viewer->data->len, >, 16 + 4);
  announced = get_le32 (viewer->data->data);
  size = viewer->data->len - 16;
  g_assert_cmpuint (announced, >, size);
  {
    g_autoptr (GBytes) jpeg = g_bytes_new (viewer->data->data + 16, size);

    g_assert_true (is_jpeg (jpeg));
  }
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* Close mid-frame: a right header, half the JPEG, the end. */
  pd_sim_printer_set_camera_fault (printer, PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME);
  viewer = jpeg_viewer_new (printer, NULL);
  jpeg_viewer_wait_eof (viewer);
  g_assert_cmpuint (viewer->data->len, >, 16);
  announced = get_le32 (viewer->data->data);
  g_assert_cmpuint (viewer->data->len - 16, ==, announced / 2);
  g_assert_cmpuint (viewer->data->data[16], ==, 0xFF);
  g_assert_cmpuint (viewer->data->data[17], ==, 0xD8);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* Oversized: 2 GiB announced, then garbage that goes on. */
  pd_sim_printer_set_camera_fault (printer, PD_SIM_CAMERA_FAULT_OVERSIZED);
  viewer = jpeg_viewer_new (printer, NULL);
  {
    JpegWait w = { viewer, 16 + 20000 };

    g_assert_true (wait_for (jpeg_viewer_has_bytes, &w, CAMERA_WAIT_MS));
  }
  g_assert_false (viewer->eof);
  g_assert_no_error (viewer->error);
  g_assert_cmpuint (get_le32 (viewer->data->data), ==, 0x7FFFFFFF);
  g_assert_cmpuint (viewer->data->data[16], !=, 0xFF);
  jpeg_viewer_free (g_steal_pointer (&viewer));

  /* Well again. */
  pd_sim_printer_set_camera_fault (printer, PD_SIM_CAMERA_FAULT_NONE);
  viewer = jpeg_viewer_new (printer, NULL);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (viewer, 2);
  assert_jpeg (g_ptr_array_index (frames, 1), 640, 360);

  jpeg_viewer_free (g_steal_pointer (&viewer));
  stop_sim (sim);
}

static void
test_camera_jpeg_off (void)
{
  PdSim                        *sim = start_camera_sim ("A2L", 0);
  PdSimPrinter                 *printer = pd_sim_get_printer (sim, 0);
  guint16                       port = pd_sim_printer_get_camera_port (printer);
  g_autoptr (JpegViewer)        viewer = jpeg_viewer_new (printer, NULL);
  g_autoptr (GPtrArray)         frames = jpeg_viewer_wait_frames (viewer, 1);
  g_autoptr (GError)            error = NULL;
  g_autoptr (GSocketConnection) connection = NULL;

  /* Dropped: the stream stops; a new one is served. */
  g_assert_cmpuint (pd_sim_printer_drop_camera_clients (printer), ==, 1);
  g_assert_true (wait_for (jpeg_viewer_ended, viewer, CAMERA_WAIT_MS));
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (printer), ==, 0);
  jpeg_viewer_free (g_steal_pointer (&viewer));
  viewer = jpeg_viewer_new (printer, NULL);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (viewer, 1);

  /* Off: connections are refused. */
  g_assert_true (pd_sim_printer_set_camera_enabled (printer, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (wait_for (jpeg_viewer_ended, viewer, CAMERA_WAIT_MS));
  jpeg_viewer_free (g_steal_pointer (&viewer));
  connection = tcp_connect (port, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  /* On: the same port. */
  g_assert_true (pd_sim_printer_set_camera_enabled (printer, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_sim_printer_get_camera_port (printer), ==, port);
  viewer = jpeg_viewer_new (printer, NULL);
  g_clear_pointer (&frames, g_ptr_array_unref);
  frames = jpeg_viewer_wait_frames (viewer, 1);

  jpeg_viewer_free (g_steal_pointer (&viewer));
  stop_sim (sim);
}

static void
test_camera_options (void)
{
  const char *const  models[] = { "X1C", "A1", NULL };
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;
  PdSimPrinter      *printer;

  /* Another size and rate for both kinds. */
  pd_sim_options_init (&options);
  options.n_printers = 2;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  options.camera_width = 176;
  options.camera_height = 144;
  options.camera_fps = 10;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  {
    g_autoptr (RtspViewer) viewer = rtsp_viewer_new (pd_sim_get_printer (sim, 0), NULL);
    g_autoptr (JpegViewer) jpeg = jpeg_viewer_new (pd_sim_get_printer (sim, 1), NULL);
    g_autoptr (GPtrArray)  frames = NULL;

    rtsp_viewer_wait_frames (viewer, 2);
    g_assert_cmpint (viewer->width, ==, 176);
    g_assert_cmpint (viewer->height, ==, 144);
    frames = jpeg_viewer_wait_frames (jpeg, 2);
    assert_jpeg (g_ptr_array_index (frames, 1), 176, 144);
  }
  stop_sim (sim);

  /* No cameras: no ports, and LAN live view off in the reports. */
  options.no_cameras = TRUE;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  printer = pd_sim_get_printer (sim, 0);
  g_assert_cmpint (pd_sim_printer_get_camera_kind (printer), ==, PD_CAMERA_KIND_NONE);
  g_assert_cmpuint (pd_sim_printer_get_camera_port (printer), ==, 0);
  {
    g_autofree char     *url = dup_rtsp_url (printer);
    g_autofree char     *json = pd_sim_printer_to_json (printer);
    g_autofree char     *line = pd_sim_printer_to_line (printer);
    g_autoptr (JsonNode) node = json_from_string (json, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (url, ==, "disable");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "camera"), ==, "none");
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "camera_port"), ==, 0);
    g_assert_true (g_str_has_suffix (line, " X1C none 0 Sim X1C 1"));
  }
  g_assert_false (pd_sim_printer_set_camera_enabled (printer, TRUE, &error));
  g_assert_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID);
  g_clear_error (&error);
  stop_sim (sim);

  /* A size a camera cannot have. */
  options.no_cameras = FALSE;
  options.camera_width = 101;
  sim = pd_sim_new (&options);
  g_assert_false (pd_sim_start (sim, &error));
  g_assert_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID);
  g_assert_finalize_object (sim);
}

/* A hundred printers, 60 of them with an RTSP server and 40 with a JPEG
 * port, still start in well under a second: the encoders only run for
 * viewers. Under ASan, where a time says nothing and every malloc unwinds
 * its stack, 20 do.
 */
static void
test_camera_many (void)
{
#ifdef __SANITIZE_ADDRESS__
  const guint n = 20;
#else
  const guint n = 100;
#endif
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;
  gint64             start;
  double             seconds;

  pd_sim_options_init (&options);
  options.n_printers = n;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  sim = pd_sim_new (&options);
  start = g_get_monotonic_time ();
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_test_message ("%u printers with cameras started in %.0f ms", n, seconds * 1000);
  g_assert_cmpfloat (seconds, <, 5); /* about 0.55 s, with cameras or without; room for a busy machine */

  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (pd_sim_printer_get_camera_port (pd_sim_get_printer (sim, i)), >, 0);
  {
    /* The last A1 (the models go X1C, H2D, A1, P1P, X1 in turn) */
    g_autoptr (JpegViewer) viewer = jpeg_viewer_new (pd_sim_get_printer (sim, n - 3), NULL);
    g_autoptr (GPtrArray)  frames = jpeg_viewer_wait_frames (viewer, 1);
  }

  stop_sim (sim);
}

/* ---- The program ---------------------------------------------------------- */

typedef struct
{
  GDataInputStream *stream;
  GPtrArray        *lines;
  gboolean          eof;
  gboolean          pending;
} Reader;

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Reader *r = user_data;
  char   *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);

  r->pending = FALSE;
  if (line == NULL)
    r->eof = TRUE;
  else
    g_ptr_array_add (r->lines, line);
}

typedef struct
{
  Reader *reader;
  guint   n;
} LineWait;

static gboolean
has_lines (gpointer data)
{
  LineWait *w = data;

  if (w->reader->lines->len >= w->n || w->reader->eof)
    return TRUE;
  if (!w->reader->pending)
    {
      w->reader->pending = TRUE;
      g_data_input_stream_read_line_async (w->reader->stream, G_PRIORITY_DEFAULT, NULL, on_line, w->reader);
    }
  return FALSE;
}

static const char *
read_line (Reader *r,
           guint   n)
{
  LineWait w = { r, n + 1 };

  g_assert_true (wait_for (has_lines, &w, 10000));
  g_assert_cmpuint (r->lines->len, >, n);

  return g_ptr_array_index (r->lines, n);
}

static gboolean
subprocess_exited (gpointer data)
{
  return g_subprocess_get_identifier (G_SUBPROCESS (data)) == NULL;
}

/* It ended by itself with status 0; a signal that killed it shows by
 * number (a sanitizer's report or a message of its own would be on
 * stderr, but a SIGKILL or SIGTERM leaves nothing else to go on). */
static void
assert_exited_cleanly (GSubprocess *sim)
{
  g_assert_cmpint (g_subprocess_get_if_signaled (sim) ? g_subprocess_get_term_sig (sim) : 0, ==, 0);
  g_assert_true (g_subprocess_get_if_exited (sim));
  g_assert_cmpint (g_subprocess_get_exit_status (sim), ==, 0);
}

/* The children of @pid, from /proc. */
static GPtrArray *
children_of (const char *pid)
{
  GPtrArray       *children = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *stat = NULL;
      const char      *end;
      char             state;
      long             ppid;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …"; comm may hold spaces and parentheses */
      end = strrchr (stat, ')');
      if (end == NULL || sscanf (end + 1, " %c %ld", &state, &ppid) != 2)
        continue;
      if (ppid == strtol (pid, NULL, 10))
        g_ptr_array_add (children, g_strdup (name));
    }

  return children;
}

static void
test_program (void)
{
  g_autoptr (GSubprocess) sim = NULL;
  g_autoptr (GError)      error = NULL;
  g_autoptr (GPtrArray)   children = NULL;
  g_autofree char        *pid = NULL;
  g_autofree char        *dir = NULL;
  Reader                  reader = { 0 };

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          PRINTDECK_SIM, "--printers", "3", "--list-json", NULL);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (sim));
  reader.stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  reader.lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (read_line (&reader, i), &error);
      JsonObject          *object;

      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      object = json_node_get_object (node);
      for (const char *const *key = (const char *const[]){ "host", "port", "serial", "access_code", "model",
                                                           "name", "fingerprint", "ca_file", "camera",
                                                           "camera_port", "ftp_port", "ftp_user", NULL };
           *key != NULL; key++)
        g_assert_true (json_object_has_member (object, *key));
      /* X1C, H2D, A1 */
      g_assert_cmpstr (json_object_get_string_member (object, "camera"), ==, i < 2 ? "rtsps" : "jpeg");
      g_assert_cmpint (json_object_get_int_member (object, "camera_port"), >, 0);
      g_assert_cmpstr (json_object_get_string_member (object, "host"), ==, "127.0.0.1");
      g_assert_true (g_file_test (json_object_get_string_member (object, "ca_file"), G_FILE_TEST_IS_REGULAR));
      if (dir == NULL)
        dir = g_path_get_dirname (json_object_get_string_member (object, "ca_file"));
    }

  /* Commands on stdin */
  {
    GOutputStream *in = g_subprocess_get_stdin_pipe (sim);
    const char     commands[] = "stall 1\nresume 1\nbogus 1\nstall 9\nhms 2\n"
                                "remain 1 1 2 55\nremain 1 2 0 50\nremain 1 1 2 101\n"
                                "tray 1 -1 254\ntray 1 none\ntray 1 2 0\ntray 1 x 0\n"
                                "humidity 1 2 70\nhumidity 1 0 -1 2\nhumidity 1 9 50\nhumidity 1 2\n"
                                "camera 1 off\ncamera 1 on\ncamera 1 maybe\ncamera-fault 3 garbage\n"
                                "camera-fault 3 worse\ncamera-busy 3 1\ncamera-busy 3 2\ncamera-drop 2\n";

    g_assert_true (g_output_stream_write_all (in, commands, sizeof commands - 1, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (read_line (&reader, 3), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 4), ==, "ok");
    g_assert_true (g_str_has_prefix (read_line (&reader, 5), "error: unknown command"));
    g_assert_true (g_str_has_prefix (read_line (&reader, 6), "error: no printer"));
    g_assert_cmpstr (read_line (&reader, 7), ==, "ok");
    /* The AMS of printer 1, an X1C: two AMS, an AMS 2 Pro (2, slot 0 empty), an AMS HT */
    g_assert_cmpstr (read_line (&reader, 8), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 9), ==, "error: no spool in unit 2 slot 0");
    g_assert_true (g_str_has_prefix (read_line (&reader, 10), "error: remain N UNIT SLOT PERCENT"));
    g_assert_cmpstr (read_line (&reader, 11), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 12), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 13), ==, "error: no spool in unit 2 slot 0");
    g_assert_true (g_str_has_prefix (read_line (&reader, 14), "error: tray N UNIT SLOT"));
    g_assert_cmpstr (read_line (&reader, 15), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 16), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 17), ==, "error: no AMS unit 9");
    g_assert_true (g_str_has_prefix (read_line (&reader, 18), "error: humidity N UNIT PERCENT [INDEX]"));
    g_assert_cmpstr (read_line (&reader, 19), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 20), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 21), ==, "error: camera N off|on");
    g_assert_cmpstr (read_line (&reader, 22), ==, "ok");
    g_assert_true (g_str_has_prefix (read_line (&reader, 23), "error: camera-fault N none|truncated"));
    g_assert_cmpstr (read_line (&reader, 24), ==, "ok");
    g_assert_cmpstr (read_line (&reader, 25), ==, "error: camera-busy N 0|1");
    g_assert_cmpstr (read_line (&reader, 26), ==, "ok");
  }

  /* Its children are mosquitto and, when installed, a vsftpd per printer. */
  children = children_of (pid);
  g_assert_cmpuint (children->len, ==, pd_sim_ftp_find_program () != NULL ? 4 : 1);
  for (guint i = 0; i < children->len; i++)
    g_assert_true (process_exists (g_ptr_array_index (children, i)));

  g_subprocess_send_signal (sim, SIGTERM);
  g_assert_true (wait_for (subprocess_exited, sim, 10000));
  assert_exited_cleanly (sim);

  /* No orphan broker or FTP server, no leftover folder. */
  for (guint i = 0; i < children->len; i++)
    g_assert_false (process_exists (g_ptr_array_index (children, i)));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  g_clear_object (&reader.stream);
  g_ptr_array_unref (reader.lines);
}

static void
test_program_quit (void)
{
  g_autoptr (GSubprocess) sim = NULL;
  g_autoptr (GError)      error = NULL;
  const char              quit[] = "list\nquit\n";
  Reader                  reader = { 0 };

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          PRINTDECK_SIM, "-n", "2", "--models", "P1S,A1 mini", "--bridge", NULL);
  g_assert_no_error (error);
  reader.stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  reader.lines = g_ptr_array_new_with_free_func (g_free);

  /* HOST PORT SERIAL ACCESS_CODE MODEL CAMERA CAMERA_PORT NAME */
  g_assert_true (g_regex_match_simple ("^127\\.0\\.0\\.1 [0-9]+ 01P[0-9A-Z]{12} [0-9]{8} P1S jpeg [0-9]+ Sim P1S 1$",
                                       read_line (&reader, 0), 0, 0));
  g_assert_true (g_regex_match_simple (" A1MINI jpeg [0-9]+ Sim A1 mini 2$", read_line (&reader, 1), 0, 0));
  g_assert_true (g_str_has_prefix (read_line (&reader, 2), "# bridge 127.0.0.1 "));

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (sim), quit, sizeof quit - 1, NULL, NULL, &error));
  g_assert_cmpstr (read_line (&reader, 3), ==, read_line (&reader, 0));
  g_assert_cmpstr (read_line (&reader, 6), ==, "ok"); /* after the list */
  g_assert_cmpstr (read_line (&reader, 7), ==, "ok"); /* quit */

  g_assert_true (wait_for (subprocess_exited, sim, 10000));
  assert_exited_cleanly (sim);

  g_clear_object (&reader.stream);
  g_ptr_array_unref (reader.lines);
}

/* --quit-on-eof: the program that started it is gone (its end of the pipe
 * closed, as when it is killed): the simulator stops, no orphan left. */
static void
test_program_quit_on_eof (void)
{
  g_autoptr (GSubprocess) sim = NULL;
  g_autoptr (GError)      error = NULL;
  Reader                  reader = { 0 };

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          PRINTDECK_SIM, "-n", "1", "--no-cameras", "--quit-on-eof", NULL);
  g_assert_no_error (error);
  reader.stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  reader.lines = g_ptr_array_new_with_free_func (g_free);
  g_assert_nonnull (read_line (&reader, 0));

  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (sim), NULL, &error));
  g_assert_true (wait_for (subprocess_exited, sim, 10000));
  assert_exited_cleanly (sim);

  g_clear_object (&reader.stream);
  g_ptr_array_unref (reader.lines);
}

static void
test_program_bad_option (void)
{
  g_autoptr (GSubprocess) sim = NULL;
  g_autoptr (GError)      error = NULL;
  g_autofree char        *err = NULL;

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                          PRINTDECK_SIM, "--models", "X9", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (sim, NULL, NULL, NULL, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (sim), !=, 0);
  g_assert_nonnull (strstr (err, "unknown printer model \"X9\""));
}

/* ---- File storage: FTPS and the job's 3MF ------------------------------- */

#define FETCH_WAIT_MS 30000

static gboolean
have_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Fetches @path from @printer's FTP server as an app would (pinned to the
 * certificate its MQTT port shows), with @access_code. */
static GBytes *
fetch_job_file (PdSimPrinter *printer,
                const char   *path,
                const char   *access_code,
                guint         stall_seconds,
                GError      **error)
{
  const char *const        paths[] = { path, NULL };
  PdJobFetchOptions        options = { .username = pd_sim_printer_get_ftp_user (printer),
                                       .stall_seconds = stall_seconds };
  g_autoptr (GAsyncResult) result = NULL;

  g_assert_cmpuint (pd_sim_printer_get_ftp_port (printer), >, 0);
  pd_job_fetch_async (pd_sim_printer_get_host (printer), pd_sim_printer_get_ftp_port (printer), access_code,
                      pd_sim_printer_get_fingerprint (printer), paths, 64 * 1024 * 1024, &options, NULL,
                      store_result, &result);
  g_assert_true (wait_for (have_result, &result, FETCH_WAIT_MS));

  return pd_job_fetch_finish (result, NULL, error);
}

static PdSim *
start_ftp_sim (const char *models,
               guint       ftp_max_rate)
{
  g_auto (GStrv)     list = g_strsplit (models, ",", -1);
  PdSimOptions       options;
  g_autoptr (GError) error = NULL;
  PdSim             *sim;

  pd_sim_options_init (&options);
  options.n_printers = g_strv_length (list);
  options.models = (const char *const *) list;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.no_cameras = TRUE;
  options.ftp_max_rate = ftp_max_rate;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("cannot start the simulator: %s", error->message);

  return sim;
}

/* The file says what @spec says: plate, time, grams and filaments, thumbnail. */
static void
assert_job_file_matches (GBytes             *file,
                         const PdSim3mfSpec *spec)
{
  g_autoptr (GError)       error = NULL;
  g_autoptr (PdJobDetails) details = pd_job_details_new_from_bytes (file, -1, &error);
  GArray                  *filaments;
  double                   total = 0;

  g_assert_no_error (error);
  g_assert_nonnull (details);
  g_assert_cmpint (pd_job_details_get_plate (details), ==, spec->plate > 0 ? spec->plate : 1);
  g_assert_cmpint (pd_job_details_get_prediction_seconds (details), ==, spec->prediction_seconds);
  g_assert_cmpint (pd_job_details_get_layer_count (details), ==, spec->layers);
  /* Nothing extruded, nothing to estimate from. */
  g_assert_true (pd_job_details_has_layer_usage (details) == (spec->n_filaments > 0));
  g_assert_cmpstr (pd_job_details_get_slicer (details), ==, "BambuStudio");

  filaments = pd_job_details_get_filaments (details);
  g_assert_cmpuint (filaments->len, ==, spec->n_filaments);
  for (guint i = 0; i < spec->n_filaments; i++)
    {
      const PdJobFilament *f = &g_array_index (filaments, PdJobFilament, i);

      g_assert_cmpint (f->id, ==, spec->filaments[i].id > 0 ? spec->filaments[i].id : (int) i + 1);
      g_assert_cmpstr (f->type, ==, spec->filaments[i].type != NULL ? spec->filaments[i].type : "PLA");
      g_assert_true (f->has_color);
      g_assert_cmphex (f->color, ==, spec->filaments[i].rgba | 0xFF);
      g_assert_cmpfloat_with_epsilon (f->grams, spec->filaments[i].grams, 0.005);
      g_assert_cmpfloat (f->meters, >, 0);
      total += spec->filaments[i].grams;
    }
  g_assert_cmpfloat_with_epsilon (pd_job_details_get_total_grams (details), total, 0.01);
  /* By the last layer, all of it; by the middle, the first filaments' grams
   * (the layers print them in turn). */
  g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 100, spec->layers, spec->layers),
                                  total, 0.05);
  if (spec->n_filaments == 2)
    g_assert_cmpfloat_with_epsilon (pd_job_details_estimate_used_grams (details, 50, spec->layers / 2 + 1, spec->layers),
                                    spec->filaments[0].grams, total * 0.05);

  if (spec->thumbnail)
    {
      GBytes                 *png = pd_job_details_get_thumbnail (details);
      g_autoptr (GInputStream) stream = NULL;
      g_autoptr (GdkPixbuf)   picture = NULL;

      g_assert_nonnull (png);
      stream = g_memory_input_stream_new_from_bytes (png);
      picture = gdk_pixbuf_new_from_stream (stream, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (picture), ==, 256);
      g_assert_cmpint (gdk_pixbuf_get_height (picture), ==, 256);
    }
  else
    g_assert_null (pd_job_details_get_thumbnail (details));
}

static void
test_3mf_build (void)
{
  PdSim3mfSpec spec = {
    .name = "Calibration <cube> & co",
    .plate = 2,
    .layers = 57,
    .prediction_seconds = 3725,
    .n_filaments = 3,
    .filaments = {
      { .type = "PLA", .rgba = 0xF2754EFF, .grams = 12.345 },
      { .type = "PETG-CF", .rgba = 0x00AE42FF, .grams = 3.1, .meters = 1.25 },
      { .type = "TPU", .rgba = 0x000000FF, .grams = 0.92, .id = 7 },
    },
    .thumbnail = TRUE,
  };
  g_autoptr (GBytes)       file = pd_sim_3mf_build (&spec);
  g_autoptr (GBytes)       bare = NULL;
  g_autoptr (PdJobDetails) other_plate = NULL;
  g_autoptr (GError)       error = NULL;

  /* used_g has two decimals, as in Studio's files */
  spec.filaments[0].grams = 12.35;
  assert_job_file_matches (file, &spec);

  /* The plate is the one in the file, no other. */
  other_plate = pd_job_details_new_from_bytes (file, 1, &error);
  g_assert_error (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NO_PLATE);
  g_assert_null (other_plate);

  /* No thumbnail, no filament: still a sliced file. */
  memset (&spec, 0, sizeof spec);
  spec.name = "Empty";
  spec.layers = 3;
  bare = pd_sim_3mf_build (&spec);
  assert_job_file_matches (bare, &spec);
}

/* A printer in a job: the report names the file as its family does, says
 * that a card is in, and the file is on its FTP server, over implicit TLS
 * with the MQTT certificate and session reuse, made from its AMS spools. */
static void
test_ftp_job_file (void)
{
  PdSim *sim;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  sim = start_ftp_sim ("P1S,X1C", 0);
  for (guint i = 0; i < pd_sim_get_n_printers (sim); i++)
    {
      PdSimPrinter        *printer = pd_sim_get_printer (sim, i);
      const PdSim3mfSpec  *spec = pd_sim_printer_get_job_spec (printer);
      g_autoptr (JsonNode) state = pd_sim_printer_dup_state (printer);
      JsonObject          *print = json_node_get_object (state);
      g_autofree char     *path = NULL;
      g_autofree char     *p1_file = NULL;
      g_autoptr (GBytes)   expected = NULL;
      g_autoptr (GBytes)   file = NULL;
      g_autoptr (GError)   error = NULL;
      JsonArray           *units;
      guint                n_trays = 0;

      g_assert_nonnull (spec);
      g_assert_cmpstr (pd_sim_printer_get_ftp_user (printer), ==, "anonymous");
      g_assert_cmpstr (json_object_get_string_member (print, "subtask_name"), ==, spec->name);
      path = g_strdup_printf ("/%s.gcode.3mf", spec->name);
      g_assert_cmpstr (pd_sim_printer_get_job_file_path (printer), ==, path);
      p1_file = g_strdup_printf ("%s.gcode.3mf", spec->name);
      g_assert_cmpstr (json_object_get_string_member (print, "gcode_file"), ==,
                       i == 0 ? p1_file : "/data/Metadata/plate_1.gcode");
      g_assert_cmpint (json_object_get_int_member (print, "home_flag") & 0x100, ==, 0x100);
      g_assert_cmpint (spec->layers, >=, 80);
      g_assert_cmpint (spec->prediction_seconds, >, 0);
      g_assert_true (spec->thumbnail);

      /* Its filaments are spools of its AMS. */
      units = json_object_get_array_member (json_object_get_object_member (print, "ams"), "ams");
      g_assert_cmpuint (spec->n_filaments, >=, 1);
      for (guint f = 0; f < spec->n_filaments; f++)
        {
          gboolean found = FALSE;

          for (guint u = 0; u < json_array_get_length (units); u++)
            {
              JsonArray *trays = json_object_get_array_member (json_array_get_object_element (units, u), "tray");

              for (guint t = 0; t < json_array_get_length (trays); t++)
                {
                  JsonObject      *tray = json_array_get_object_element (trays, t);
                  g_autofree char *color = g_strdup_printf ("%08X", spec->filaments[f].rgba);

                  n_trays++;
                  if (g_strcmp0 (json_object_get_string_member_with_default (tray, "tray_type", ""), spec->filaments[f].type) == 0 &&
                      g_strcmp0 (json_object_get_string_member_with_default (tray, "tray_color", ""), color) == 0)
                    found = TRUE;
                }
            }
          g_assert_true (found);
        }
      g_assert_cmpuint (n_trays, >, 0);

      file = fetch_job_file (printer, path, pd_sim_printer_get_access_code (printer), 0, &error);
      g_assert_no_error (error);
      expected = pd_sim_printer_dup_job_file (printer);
      g_assert_true (g_bytes_equal (file, expected));
      assert_job_file_matches (file, spec);
    }

  stop_sim (sim);
}

/* A wrong access code: 530, as from a printer. */
static void
test_ftp_wrong_code (void)
{
  PdSim              *sim;
  PdSimPrinter       *printer;
  g_autoptr (GBytes)  file = NULL;
  g_autoptr (GError)  error = NULL;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  sim = start_ftp_sim ("A1", 0);
  printer = pd_sim_get_printer (sim, 0);
  file = fetch_job_file (printer, pd_sim_printer_get_job_file_path (printer), "00000000", 0, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_LOGIN);
  g_assert_null (file);

  stop_sim (sim);
}

/* A new certificate (cert N): the FTP server shows it too, on the same
 * port; a client that pinned the old one refuses it. */
static void
test_ftp_certificate (void)
{
  PdSim                   *sim;
  PdSimPrinter            *printer;
  g_autofree char         *old = NULL;
  const char              *paths[2] = { NULL, NULL };
  PdJobFetchOptions        options = { .username = "anonymous" };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes)       file = NULL;
  g_autoptr (GError)       error = NULL;
  guint16                  port;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  sim = start_ftp_sim ("P1P", 0);
  printer = pd_sim_get_printer (sim, 0);
  old = g_strdup (pd_sim_printer_get_fingerprint (printer));
  port = pd_sim_printer_get_ftp_port (printer);
  paths[0] = pd_sim_printer_get_job_file_path (printer);
  g_assert_true (pd_sim_printer_regenerate_certificate (printer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pd_sim_printer_get_fingerprint (printer), !=, old);
  g_assert_cmpuint (pd_sim_printer_get_ftp_port (printer), ==, port);

  file = fetch_job_file (printer, paths[0], pd_sim_printer_get_access_code (printer), 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);

  pd_job_fetch_async ("127.0.0.1", port, pd_sim_printer_get_access_code (printer), old, paths, 1024 * 1024,
                      &options, NULL, store_result, &result);
  g_assert_true (wait_for (have_result, &result, FETCH_WAIT_MS));
  g_clear_pointer (&file, g_bytes_unref);
  file = pd_job_fetch_finish (result, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE);
  g_assert_null (file);

  stop_sim (sim);
}

/* No SD card: home_flag says so and the file is not there; nor when the
 * file is removed; both come back. */
static void
test_ftp_sdcard (void)
{
  PdSim        *sim;
  PdSimPrinter *printer;
  const char   *path;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  sim = start_ftp_sim ("H2D", 0);
  printer = pd_sim_get_printer (sim, 0);
  path = pd_sim_printer_get_job_file_path (printer);
  g_assert_true (pd_sim_printer_get_sdcard (printer));

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr (JsonNode) state = NULL;
      g_autoptr (GBytes)   file = NULL;
      g_autoptr (GError)   error = NULL;
      gint64               flags;

      if (round == 0)
        pd_sim_printer_set_sdcard (printer, FALSE);
      else
        g_assert_true (pd_sim_printer_set_job_file_present (printer, FALSE));
      state = pd_sim_printer_dup_state (printer);
      flags = json_object_get_int_member (json_node_get_object (state), "home_flag");
      g_assert_cmpint (flags & 0x100, ==, round == 0 ? 0 : 0x100);
      /* The recording's other bits stay. */
      g_assert_cmpint (flags & ~(gint64) 0x100, !=, 0);

      file = fetch_job_file (printer, path, pd_sim_printer_get_access_code (printer), 0, &error);
      g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_NOT_FOUND);
      g_assert_null (file);
      g_clear_error (&error);

      if (round == 0)
        pd_sim_printer_set_sdcard (printer, TRUE);
      else
        g_assert_true (pd_sim_printer_set_job_file_present (printer, TRUE));
      file = fetch_job_file (printer, path, pd_sim_printer_get_access_code (printer), 0, &error);
      g_assert_no_error (error);
      g_assert_nonnull (file);
    }

  /* A file of a test's own. */
  {
    PdSim3mfSpec       spec = { .name = "Own", .layers = 5, .n_filaments = 1,
                                .filaments = { { .type = "ASA", .rgba = 0x123456FF, .grams = 1.5 } } };
    g_autoptr (GBytes) own = pd_sim_3mf_build (&spec);
    g_autoptr (GBytes) file = NULL;
    g_autoptr (GError) error = NULL;

    g_assert_true (pd_sim_printer_put_file (printer, "/cache/Own.3mf", own, &error));
    g_assert_no_error (error);
    file = fetch_job_file (printer, "/cache/Own.3mf", pd_sim_printer_get_access_code (printer), 0, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (file, own));
    g_assert_true (pd_sim_printer_remove_file (printer, "/cache/Own.3mf"));
    g_assert_false (pd_sim_printer_remove_file (printer, "/cache/Own.3mf"));
  }

  stop_sim (sim);
}

static gboolean
port_refuses (gpointer data)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", GPOINTER_TO_UINT (data), NULL, NULL);
  return connection == NULL;
}

/* A stalled server stops a transfer mid-way (throttled, and a file large
 * enough that vsftpd's 64 KiB buffer does not hold it, so that one is
 * under way); resumed, it serves again; stopped, it is gone. */
static void
test_ftp_stall (void)
{
  PdSim                   *sim;
  PdSimPrinter            *printer;
  const char              *paths[2] = { "/cache/Big.3mf", NULL };
  PdJobFetchOptions        options = { .username = "anonymous", .stall_seconds = 2 };
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes)       big = NULL;
  g_autoptr (GBytes)       file = NULL;
  g_autoptr (GError)       error = NULL;
  guint8                  *data;
  guint16                  port;
  gint64                   stalled_at;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  /* 1 MiB at 128 KiB/s: eight seconds if nothing stopped it. */
  sim = start_ftp_sim ("X1C", 128 * 1024);
  printer = pd_sim_get_printer (sim, 0);
  port = pd_sim_printer_get_ftp_port (printer);
  data = g_malloc (1024 * 1024);
  for (guint i = 0; i < 1024 * 1024; i++)
    data[i] = (guint8) (i * 7 + i / 1024);
  big = g_bytes_new_take (data, 1024 * 1024);
  g_assert_true (pd_sim_printer_put_file (printer, paths[0], big, &error));
  g_assert_no_error (error);

  pd_job_fetch_async ("127.0.0.1", port, pd_sim_printer_get_access_code (printer),
                      pd_sim_printer_get_fingerprint (printer), paths, 1024 * 1024, &options, NULL,
                      store_result, &result);
  run_for (1200);
  g_assert_null (result);
  g_assert_true (pd_sim_printer_set_ftp_stalled (printer, TRUE));
  g_assert_true (pd_sim_printer_get_ftp_stalled (printer));
  stalled_at = g_get_monotonic_time ();
  g_assert_true (wait_for (have_result, &result, 10000));
  g_assert_cmpint (g_get_monotonic_time () - stalled_at, >=, G_USEC_PER_SEC);
  file = pd_job_fetch_finish (result, NULL, &error);
  g_assert_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_STALLED);
  g_assert_null (file);
  g_clear_error (&error);

  g_assert_true (pd_sim_printer_set_ftp_stalled (printer, FALSE));
  file = fetch_job_file (printer, pd_sim_printer_get_job_file_path (printer), pd_sim_printer_get_access_code (printer),
                         0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);

  /* Stopped while stalled: killed all the same, the port closed. */
  g_assert_true (pd_sim_printer_set_ftp_stalled (printer, TRUE));
  stop_sim (sim);
  g_assert_true (port_refuses (GUINT_TO_POINTER (port)));
}

/* No FTP asked for, or no vsftpd: the printers run all the same, with
 * FTP port 0 and a card in. */
static void
test_ftp_none (void)
{
  for (guint i = 0; i < 2; i++)
    {
      PdSimOptions       options;
      g_autoptr (GError) error = NULL;
      PdSim             *sim;
      PdSimPrinter      *printer;

      pd_sim_options_init (&options);
      options.n_printers = 1;
      options.no_cameras = TRUE;
      options.scenario = PD_SIM_SCENARIO_PRINT;
      if (i == 0)
        options.no_ftp = TRUE;
      else
        g_setenv ("PDSIM_VSFTPD", "/nonexistent/vsftpd", TRUE);
      sim = pd_sim_new (&options);
      g_assert_true (pd_sim_start (sim, &error));
      g_assert_no_error (error);
      printer = pd_sim_get_printer (sim, 0);
      g_assert_cmpuint (pd_sim_printer_get_ftp_port (printer), ==, 0);
      g_assert_false (pd_sim_printer_set_ftp_stalled (printer, TRUE));
      g_assert_false (pd_sim_printer_set_job_file_present (printer, FALSE));
      g_assert_nonnull (pd_sim_printer_get_job_spec (printer));
      g_assert_true (pd_sim_printer_get_sdcard (printer));
      g_unsetenv ("PDSIM_VSFTPD");
      stop_sim (sim);
    }
}

/* The commands, and vsftpd dies with a killed simulator. */
static void
test_program_ftp (void)
{
  g_autoptr (GSubprocess) sim = NULL;
  g_autoptr (GError)      error = NULL;
  g_autoptr (JsonNode)    node = NULL;
  g_autoptr (GPtrArray)   children = NULL;
  g_autofree char        *pid = NULL;
  Reader                  reader = { 0 };
  const char              commands[] = "sdcard 1 off\nsdcard 1 on\nsdcard 1 maybe\nftp 1 stall\nftp 1 resume\n"
                                       "ftp 1 sleep\njobfile 1 remove\njobfile 1 put\njobfile 1 eat\n";
  JsonObject             *object;
  guint16                 port;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_test_skip ("no vsftpd");
      return;
    }

  sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                          PRINTDECK_SIM, "-n", "1", "--no-cameras", "--scenario", "print", "--list-json", NULL);
  g_assert_no_error (error);
  pid = g_strdup (g_subprocess_get_identifier (sim));
  reader.stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim));
  reader.lines = g_ptr_array_new_with_free_func (g_free);
  node = json_from_string (read_line (&reader, 0), &error);
  g_assert_no_error (error);
  object = json_node_get_object (node);
  port = (guint16) json_object_get_int_member (object, "ftp_port");
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "ftp_user"), ==, "anonymous");

  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (sim), commands, sizeof commands - 1, NULL, NULL, &error));
  g_assert_cmpstr (read_line (&reader, 1), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 2), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 3), ==, "error: sdcard N off|on");
  g_assert_cmpstr (read_line (&reader, 4), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 5), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 6), ==, "error: ftp N stall|resume");
  g_assert_cmpstr (read_line (&reader, 7), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 8), ==, "ok");
  g_assert_cmpstr (read_line (&reader, 9), ==, "error: jobfile N remove|put");

  /* Killed: no chance to clean up; vsftpd goes all the same. */
  children = children_of (pid);
  g_assert_cmpuint (children->len, ==, 2);
  g_subprocess_force_exit (sim);
  g_assert_true (wait_for (subprocess_exited, sim, 10000));
  for (guint i = 0; i < children->len; i++)
    {
      g_autofree char *child = g_strdup (g_ptr_array_index (children, i));
      gint64           deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      while (process_exists (child) && g_get_monotonic_time () < deadline)
        g_usleep (10000);
      g_assert_false (process_exists (child));
    }
  g_assert_true (port_refuses (GUINT_TO_POINTER (port)));

  g_clear_object (&reader.stream);
  g_ptr_array_unref (reader.lines);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  mosquitto_lib_init ();

  g_test_add_func ("/sim/new-destroy", test_new_destroy);
  g_test_add_func ("/sim/identities", test_identities);
  g_test_add_func ("/sim/pushall", test_pushall);
  g_test_add_func ("/sim/get-version", test_get_version);
  g_test_add_func ("/sim/deltas", test_deltas);
  g_test_add_func ("/sim/full-frames", test_full_frames);
  g_test_add_func ("/sim/wrong-code", test_wrong_code);
  g_test_add_func ("/sim/refuse", test_refuse);
  g_test_add_func ("/sim/stall", test_stall);
  g_test_add_func ("/sim/drop", test_drop);
  g_test_add_func ("/sim/offline", test_offline);
  g_test_add_func ("/sim/restart-broker", test_restart_broker);
  g_test_add_func ("/sim/certificate", test_certificate);
  g_test_add_func ("/sim/commands", test_commands);
  g_test_add_func ("/sim/scenario-jumps", test_scenario_jumps);
  g_test_add_func ("/sim/bad-reports", test_bad_reports);
  g_test_add_func ("/sim/bridge", test_bridge);
  g_test_add_func ("/sim/ams/remain", test_ams_remain);
  g_test_add_func ("/sim/ams/active-tray", test_ams_active_tray);
  g_test_add_func ("/sim/ams/humidity", test_ams_humidity);
  g_test_add_func ("/sim/ams/while-printing", test_ams_while_printing);
  g_test_add_func ("/sim/camera/rtsps", test_camera_rtsps);
  g_test_add_func ("/sim/camera/rtsps-wrong-code", test_camera_rtsps_wrong_code);
  g_test_add_func ("/sim/camera/rtsps-busy", test_camera_rtsps_busy);
  g_test_add_func ("/sim/camera/rtsps-off", test_camera_rtsps_off);
  g_test_add_func ("/sim/camera/certificate", test_camera_certificate);
  g_test_add_func ("/sim/camera/jpeg", test_camera_jpeg);
  g_test_add_func ("/sim/camera/jpeg-wrong-code", test_camera_jpeg_wrong_code);
  g_test_add_func ("/sim/camera/jpeg-busy", test_camera_jpeg_busy);
  g_test_add_func ("/sim/camera/jpeg-slow-client", test_camera_jpeg_slow_client);
  g_test_add_func ("/sim/camera/jpeg-faults", test_camera_jpeg_faults);
  g_test_add_func ("/sim/camera/jpeg-off", test_camera_jpeg_off);
  g_test_add_func ("/sim/camera/options", test_camera_options);
  g_test_add_func ("/sim/camera/many", test_camera_many);
  g_test_add_func ("/sim/3mf/build", test_3mf_build);
  g_test_add_func ("/sim/ftp/job-file", test_ftp_job_file);
  g_test_add_func ("/sim/ftp/wrong-code", test_ftp_wrong_code);
  g_test_add_func ("/sim/ftp/certificate", test_ftp_certificate);
  g_test_add_func ("/sim/ftp/sdcard", test_ftp_sdcard);
  g_test_add_func ("/sim/ftp/stall", test_ftp_stall);
  g_test_add_func ("/sim/ftp/none", test_ftp_none);
  g_test_add_func ("/sim/program", test_program);
  g_test_add_func ("/sim/program-ftp", test_program_ftp);
  g_test_add_func ("/sim/program-quit", test_program_quit);
  g_test_add_func ("/sim/program-quit-on-eof", test_program_quit_on_eof);
  g_test_add_func ("/sim/program-bad-option", test_program_bad_option);

  result = g_test_run ();
  mosquitto_lib_cleanup ();

  return result;
}
