/* test-mirror-page.c — the mirror's web page in a real browser
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three simulated printers (a real broker with TLS), watched by a
 * PdPrinterStore, mirrored by a PdMirrorServer on loopback; headless
 * Chromium (Debian's chromium package) runs the page. Screenshots of a wide
 * window, a phone, the dark style and a lost connection go to
 * $PRINTDECK_SCREENSHOT_DIR (else the test's temporary folder) for people
 * to look at. Skipped when there is no Chromium.
 *
 * The test drives the browser over the DevTools protocol (a libsoup
 * WebSocket client), not with --dump-dom: --virtual-time-budget does not
 * wait for WebSocket messages, so a dump could come before the snapshot
 * (it did, every time, over TLS under AddressSanitizer). Here the test
 * waits, bounded, for what the page says it shows. The browser is a child
 * process and every wait turns the main loop, which the server, the
 * sessions and the simulator run on. Each browser has a profile of its own:
 * no cookie carries over. Loopback only.
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pd-enums.h"
#include "pd-job.h"
#include "pd-mirror-server.h"
#include "pd-printer-store.h"
#include "pd-secrets.h"
#include "pd-sim-crypto.h"
#include "pd-sim.h"
#include "pd-test-util.h"

#define N_PRINTERS 3
#define WAIT_S     30
/* A name the page must show as text, never as markup. */
#define HOSTILE_SUFFIX " <img src=x onerror=alert(1)>"

static char           *chromium;
static char           *tmp_dir;
static PdSim          *sim;
static PdPrinterStore *store;
static PdMirrorServer *server;
static char           *token;
static char           *page_url;
static char           *names[N_PRINTERS];
static char           *serials[N_PRINTERS];

/* The browser, over the DevTools protocol ----------------------------------------*/

typedef struct
{
  int      width;
  int      height;
  gboolean mobile;
  gboolean dark;
  gboolean insecure; /* accept the mirror's own certificate */
} Browse;

typedef struct
{
  GSubprocess             *process;
  gboolean                 exited;
  char                    *profile;
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  char                    *page; /* the page's DevTools session */
  guint                    next_id;
  GHashTable              *replies;  /* id → JsonObject */
  GPtrArray               *problems; /* the page's uncaught exceptions and security errors */
} Browser;

static char *
json_quote (const char *text)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);

  return json_to_string (node, FALSE);
}

static JsonNode *
parse (const char *text,
       gssize      length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  if (!json_parser_load_from_data (parser, text, length, &error))
    g_error ("not JSON (%s): %.*s", error->message, (int) MIN (length, 200), text);

  return json_node_ref (json_parser_get_root (parser));
}

/* A member that is an object, or NULL. */
static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
on_devtools_message (SoupWebsocketConnection *ws,
                     int                      type,
                     GBytes                  *message,
                     Browser                 *browser)
{
  gsize                length;
  const char          *text = g_bytes_get_data (message, &length);
  g_autoptr (JsonNode) root = parse (text, length);
  JsonObject          *object = json_node_get_object (root);

  const char          *method;
  JsonObject          *params;

  if (object == NULL)
    return;
  if (json_object_has_member (object, "id"))
    {
      g_hash_table_insert (browser->replies, GUINT_TO_POINTER (json_object_get_int_member (object, "id")),
                           json_object_ref (object));
      return;
    }

  /* Of the events, only what goes wrong in the page: a script error, or
   * something the Content-Security-Policy blocked. */
  method = json_object_get_string_member_with_default (object, "method", "");
  params = get_object (object, "params");
  if (g_str_equal (method, "Runtime.exceptionThrown"))
    {
      JsonObject *details = get_object (params, "exceptionDetails");
      JsonObject *exception = get_object (details, "exception");

      g_ptr_array_add (browser->problems,
                       g_strdup (exception != NULL ? json_object_get_string_member_with_default (exception, "description", "?")
                                 : details != NULL ? json_object_get_string_member_with_default (details, "text", "?")
                                                   : "?"));
    }
  else if (g_str_equal (method, "Log.entryAdded"))
    {
      JsonObject *entry = get_object (params, "entry");

      if (entry != NULL && g_str_equal (json_object_get_string_member_with_default (entry, "source", ""), "security"))
        g_ptr_array_add (browser->problems, g_strdup (json_object_get_string_member_with_default (entry, "text", "?")));
    }
}

typedef struct
{
  Browser *browser;
  guint    id;
} Reply;

static gboolean
reply_arrived (gpointer data)
{
  Reply *reply = data;

  return g_hash_table_contains (reply->browser->replies, GUINT_TO_POINTER (reply->id));
}

/* Calls @method (on the page unless @on_browser) with @params (JSON text, or
 * NULL) and returns the reply's "result".
 */
static JsonObject *
devtools_call (Browser    *browser,
               const char *method,
               const char *params,
               gboolean    on_browser)
{
  g_autoptr (GString)    text = g_string_new (NULL);
  g_autoptr (JsonObject) reply_object = NULL;
  Reply                  reply = { browser, ++browser->next_id };

  g_string_printf (text, "{\"id\":%u,\"method\":\"%s\"", reply.id, method);
  if (params != NULL)
    g_string_append_printf (text, ",\"params\":%s", params);
  if (!on_browser)
    g_string_append_printf (text, ",\"sessionId\":\"%s\"", browser->page);
  g_string_append_c (text, '}');
  soup_websocket_connection_send_text (browser->ws, text->str);

  if (!pd_test_wait_until (reply_arrived, &reply, WAIT_S))
    g_error ("no answer to %s within %d s", method, WAIT_S);
  g_hash_table_steal_extended (browser->replies, GUINT_TO_POINTER (reply.id), NULL, (gpointer *) &reply_object);
  if (json_object_has_member (reply_object, "error"))
    g_error ("%s failed: %s", method,
             json_object_get_string_member (json_object_get_object_member (reply_object, "error"), "message"));

  return json_object_ref (json_object_get_object_member (reply_object, "result"));
}

/* The value of a JavaScript expression in the page, as text (strings as
 * they are, anything else as JSON).
 */
static char *
evaluate (Browser    *browser,
          const char *expression)
{
  g_autofree char       *quoted = json_quote (expression);
  g_autofree char       *params = g_strdup_printf ("{\"expression\":%s,\"returnByValue\":true}", quoted);
  g_autoptr (JsonObject) result = devtools_call (browser, "Runtime.evaluate", params, FALSE);
  JsonObject            *value = json_object_get_object_member (result, "result");
  JsonNode              *node;

  if (json_object_has_member (result, "exceptionDetails"))
    g_error ("%s threw: %s", expression,
             json_object_get_string_member (json_object_get_object_member (result, "exceptionDetails"), "text"));
  if (!json_object_has_member (value, "value"))
    return g_strdup ("");
  node = json_object_get_member (value, "value");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  return json_to_string (node, FALSE);
}

static gboolean
devtools_port_written (gpointer data)
{
  Browser         *browser = data;
  g_autofree char *path = g_build_filename (browser->profile, "DevToolsActivePort", NULL);
  g_autofree char *text = NULL;

  return browser->exited ||
         (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, "\n/devtools/browser/") != NULL);
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Browser *browser = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  browser->exited = TRUE;
}

static gboolean
has_exited (gpointer data)
{
  return ((Browser *) data)->exited;
}

static char *
browser_log (Browser *browser)
{
  g_autofree char *path = g_build_filename (browser->profile, "chromium.log", NULL);
  char            *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("(no log)");

  return text;
}

static Browser *
browser_open (const Browse *how,
              const char   *url)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GError)              error = NULL;
  g_autoptr (GAsyncResult)        result = NULL;
  g_autoptr (SoupMessage)         msg = NULL;
  g_autoptr (JsonObject)          target = NULL;
  g_autoptr (JsonObject)          attached = NULL;
  g_autoptr (JsonObject)          done = NULL;
  g_autofree char                *log = NULL;
  g_autofree char                *port_file = NULL;
  g_autofree char                *port_text = NULL;
  g_autofree char                *profile_arg = NULL;
  g_autofree char                *size_arg = NULL;
  g_autofree char                *devtools_url = NULL;
  g_autofree char                *params = NULL;
  g_autofree char                *quoted = NULL;
  g_auto (GStrv)                  lines = NULL;
  Browser                        *browser = g_new0 (Browser, 1);
  const char                     *argv[16];
  guint                           n = 0;

  browser->profile = g_build_filename (tmp_dir, "profile-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (browser->profile));
  browser->replies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) json_object_unref);
  browser->problems = g_ptr_array_new_with_free_func (g_free);
  log = g_build_filename (browser->profile, "chromium.log", NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  /* Chromium also writes outside its profile (~/.pki): not in the user's home. */
  g_subprocess_launcher_setenv (launcher, "HOME", browser->profile, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", browser->profile, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", browser->profile, TRUE);

  profile_arg = g_strdup_printf ("--user-data-dir=%s", browser->profile);
  size_arg = g_strdup_printf ("--window-size=%d,%d", how->width, how->height);
  argv[n++] = chromium;
  argv[n++] = "--headless=new";
  argv[n++] = "--no-sandbox";
  argv[n++] = "--disable-gpu";
  argv[n++] = "--no-first-run";
  argv[n++] = "--disable-extensions";
  argv[n++] = "--disable-background-networking";
  argv[n++] = "--disable-component-update";
  argv[n++] = "--password-store=basic";
  argv[n++] = "--hide-scrollbars";
  argv[n++] = "--remote-debugging-port=0"; /* on 127.0.0.1; the port goes into the profile */
  argv[n++] = profile_arg;
  argv[n++] = size_arg;
  if (how->insecure)
    argv[n++] = "--ignore-certificate-errors";
  argv[n++] = "about:blank";
  argv[n] = NULL;
  g_assert_cmpuint (n, <, G_N_ELEMENTS (argv));

  browser->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (browser->process, NULL, on_exited, browser);

  if (!pd_test_wait_until (devtools_port_written, browser, WAIT_S) || browser->exited)
    {
      g_autofree char *said = browser_log (browser);

      g_error ("Chromium did not open its DevTools port; it said:\n%s", said);
    }
  port_file = g_build_filename (browser->profile, "DevToolsActivePort", NULL);
  g_assert_true (g_file_get_contents (port_file, &port_text, NULL, NULL));
  lines = g_strsplit (port_text, "\n", 3);
  devtools_url = g_strdup_printf ("ws://127.0.0.1:%s%s", lines[0], lines[1]);

  browser->session = soup_session_new ();
  msg = soup_message_new ("GET", devtools_url);
  soup_session_websocket_connect_async (browser->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  browser->ws = soup_session_websocket_connect_finish (browser->session, result, &error);
  g_assert_no_error (error);
  /* screenshots come as one message of base64 */
  soup_websocket_connection_set_max_incoming_payload_size (browser->ws, 0);
  g_signal_connect (browser->ws, "message", G_CALLBACK (on_devtools_message), browser);

  target = devtools_call (browser, "Target.createTarget", "{\"url\":\"about:blank\"}", TRUE);
  params = g_strdup_printf ("{\"targetId\":\"%s\",\"flatten\":true}", json_object_get_string_member (target, "targetId"));
  attached = devtools_call (browser, "Target.attachToTarget", params, TRUE);
  browser->page = g_strdup (json_object_get_string_member (attached, "sessionId"));

  json_object_unref (devtools_call (browser, "Runtime.enable", NULL, FALSE));
  json_object_unref (devtools_call (browser, "Log.enable", NULL, FALSE));
  g_free (params);
  params = g_strdup_printf ("{\"width\":%d,\"height\":%d,\"deviceScaleFactor\":1,\"mobile\":%s}",
                            how->width, how->height, how->mobile ? "true" : "false");
  json_object_unref (devtools_call (browser, "Emulation.setDeviceMetricsOverride", params, FALSE));
  json_object_unref (devtools_call (browser, "Emulation.setEmulatedMedia",
                                    how->dark ? "{\"features\":[{\"name\":\"prefers-color-scheme\",\"value\":\"dark\"}]}"
                                              : "{\"features\":[{\"name\":\"prefers-color-scheme\",\"value\":\"light\"}]}",
                                    FALSE));
  quoted = json_quote (url);
  g_free (params);
  params = g_strdup_printf ("{\"url\":%s}", quoted);
  done = devtools_call (browser, "Page.navigate", params, FALSE);

  return browser;
}

static void
browser_close (Browser *browser)
{
  g_autofree char *problems = NULL;

  /* Browser.close may not answer before the process goes */
  soup_websocket_connection_send_text (browser->ws, "{\"id\":999999,\"method\":\"Browser.close\"}");
  if (!pd_test_wait_until (has_exited, browser, 15))
    {
      g_subprocess_force_exit (browser->process);
      g_assert_true (pd_test_wait_until (has_exited, browser, 15));
    }
  if (soup_websocket_connection_get_state (browser->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (browser->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_signal_handlers_disconnect_by_data (browser->ws, browser);
  g_clear_object (&browser->ws);
  g_clear_object (&browser->session);
  g_clear_object (&browser->process);
  g_clear_pointer (&browser->replies, g_hash_table_unref);
  g_ptr_array_add (browser->problems, NULL);
  problems = g_strjoinv ("\n", (char **) browser->problems->pdata);
  g_clear_pointer (&browser->problems, g_ptr_array_unref);
  pd_test_remove_tree (browser->profile);
  g_free (browser->profile);
  g_free (browser->page);
  g_free (browser);

  if (*problems != '\0')
    g_error ("the page went wrong:\n%s", problems);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Browser, browser_close)

typedef struct
{
  Browser    *browser;
  const char *expression;
  const char *expected;
} Until;

static gboolean
evaluates_to (gpointer data)
{
  Until           *until = data;
  g_autofree char *value = evaluate (until->browser, until->expression);

  if (g_strcmp0 (value, until->expected) == 0)
    return TRUE;
  pd_test_spin (50);

  return FALSE;
}

/* Waits until @expression has the value @expected. */
static void
wait_for (Browser    *browser,
          const char *expression,
          const char *expected,
          guint       seconds)
{
  Until until = { browser, expression, expected };

  if (!pd_test_wait_until (evaluates_to, &until, seconds))
    {
      g_autofree char *value = evaluate (browser, expression);
      g_autofree char *text = evaluate (browser, "document.body ? document.body.innerText : ''");

      g_error ("after %u s, %s is “%s”, not “%s”; the page shows:\n%s", seconds, expression, value, expected, text);
    }
}

#define CONNECTION "(document.body && document.body.dataset.connection) || ''"

static void
wait_for_connection (Browser    *browser,
                     const char *state,
                     guint       seconds)
{
  wait_for (browser, CONNECTION, state, seconds);
}

static char *
screenshot_path (const char *name)
{
  const char *dir = g_getenv ("PRINTDECK_SCREENSHOT_DIR");

  if (dir == NULL || *dir == '\0')
    dir = tmp_dir;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  return g_build_filename (dir, name, NULL);
}

/* Saves what the page shows (the viewport) as @name and checks the PNG. */
static void
screenshot (Browser    *browser,
            const char *name,
            int         width,
            int         height)
{
  g_autoptr (JsonObject) result = devtools_call (browser, "Page.captureScreenshot", "{\"format\":\"png\"}", FALSE);
  g_autofree char       *path = screenshot_path (name);
  g_autofree guchar     *png = NULL;
  g_autoptr (GError)     error = NULL;
  gsize                  length = 0;

  png = g_base64_decode (json_object_get_string_member (result, "data"), &length);
  g_assert_cmpuint (length, >, 24);
  g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
  /* IHDR: width and height, big-endian, after the signature and chunk header */
  g_assert_cmpint ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], ==, width);
  g_assert_cmpint ((png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23], ==, height);
  g_assert_true (g_file_set_contents (path, (const char *) png, length, &error));
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* What the page shows -------------------------------------------------------------*/

/* Text as Chromium serialises a text node. */
static char *
as_html_text (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      default: g_string_append_c (out, *p); break;
      }

  return g_string_free (out, FALSE);
}

/* [[name, percent, layer, time, grams], …] of the cards, in their order */
#define CARDS_JS                                                                   \
  "JSON.stringify([...document.querySelectorAll('.card')].map(c => ["              \
  "c.querySelector('.name').textContent, c.querySelector('.percent').textContent," \
  " c.querySelector('.layer').textContent, c.querySelector('.time').textContent,"  \
  " c.querySelector('.grams').hidden ? '' : c.querySelector('.grams').textContent]))"

/* The card row showing @name, or NULL. */
static JsonArray *
find_card (JsonArray  *cards,
           const char *name)
{
  for (guint i = 0; i < json_array_get_length (cards); i++)
    {
      JsonArray *card = json_array_get_array_element (cards, i);

      if (g_strcmp0 (json_array_get_string_element (card, 0), name) == 0)
        return card;
    }

  return NULL;
}

/* Every printer, named as text, with its progress, layer and time left; no
 * value the document did not have.
 */
static void
assert_printers_shown (Browser *browser)
{
  g_autofree char     *html = evaluate (browser, "document.documentElement.outerHTML");
  g_autofree char     *text = evaluate (browser, "document.body.innerText");
  g_autofree char     *cards_json = evaluate (browser, CARDS_JS);
  g_autoptr (JsonNode) cards = parse (cards_json, -1);
  /* every <img> is a card's camera picture, nothing from a printer's name */
  g_autofree char     *images = evaluate (browser, "String(document.querySelectorAll('img:not(.camera)').length)");
  g_autoptr (GRegex)   percent = g_regex_new ("^[0-9]{1,3} %$", 0, 0, NULL);

  g_assert_cmpuint (json_array_get_length (json_node_get_array (cards)), ==, N_PRINTERS);
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      JsonArray       *card = find_card (json_node_get_array (cards), names[i]);
      g_autofree char *escaped = as_html_text (names[i]);

      if (card == NULL)
        g_error ("no card shows “%s”: %s", names[i], cards_json);
      g_assert_nonnull (strstr (html, escaped));
      g_assert_true (g_regex_match (percent, json_array_get_string_element (card, 1), 0, NULL));
      g_assert_true (g_str_has_prefix (json_array_get_string_element (card, 2), "Layer "));
      g_assert_nonnull (strstr (json_array_get_string_element (card, 3), " left"));
    }
  g_assert_nonnull (strstr (text, "°C"));
  g_assert_nonnull (strstr (html, "<progress "));

  /* the hostile name is text, not an element */
  g_assert_cmpstr (images, ==, "0");
  g_assert_null (strstr (text, "NaN"));
  g_assert_null (strstr (text, "undefined"));
  g_assert_null (strstr (text, "null"));
}

/* What a printer's card must say now: progress, layer, grams; NULL while
 * the job or its file's grams are not known yet. */
static GStrv
expected_card (PdPrinter *printer)
{
  PdJob *job = pd_printer_get_job (printer);
  GStrv  expected;

  /* the grams the printer's job file gave, once it was read */
  if (job == NULL || isnan (pd_job_get_filament_grams_total (job)))
    return NULL;
  expected = g_new0 (char *, 4);
  expected[0] = g_strdup_printf ("%d %%", pd_job_get_progress (job));
  expected[1] = g_strdup_printf ("Layer %d of %d", pd_job_get_layer (job), pd_job_get_total_layers (job));
  expected[2] = g_strdup_printf ("Filament: %.1f g of %.1f g", pd_job_get_filament_grams_used (job),
                                 pd_job_get_filament_grams_total (job));

  return expected;
}

static gboolean
card_says (JsonArray   *card,
           const GStrv  expected)
{
  return expected != NULL && g_strcmp0 (json_array_get_string_element (card, 1), expected[0]) == 0 &&
         g_strcmp0 (json_array_get_string_element (card, 2), expected[1]) == 0 &&
         g_strcmp0 (json_array_get_string_element (card, 4), expected[2]) == 0;
}

/* The cards' progress and layer are the store's printers' own: the deltas
 * reached the page and were applied. Reports keep coming while the page is
 * read (slowly, under AddressSanitizer), so a card may show what its
 * printer said just before the reading or just after it. */
static gboolean
page_matches_store (gpointer data)
{
  Browser             *browser = data;
  g_autoptr (GPtrArray) before = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autofree char     *cards_json = NULL;
  g_autoptr (JsonNode) cards = NULL;

  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (store), i);

      g_ptr_array_add (before, expected_card (printer));
    }
  cards_json = evaluate (browser, CARDS_JS);
  cards = parse (cards_json, -1);

  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_auto (GStrv)        after = expected_card (printer);
      JsonArray            *card = find_card (json_node_get_array (cards), pd_printer_get_name (printer));

      if (card == NULL || after == NULL)
        return FALSE;
      if (!card_says (card, g_ptr_array_index (before, i)) && !card_says (card, after))
        {
          pd_test_spin (100);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
seq_reached (gpointer data)
{
  const guint64 *target = data;

  return pd_mirror_server_get_seq (server) >= *target;
}

static void
assert_page_follows_store (Browser *browser)
{
  guint64 target = pd_mirror_server_get_seq (server) + 3;

  /* some deltas first, then the same numbers on both sides */
  if (!pd_test_wait_until (seq_reached, &target, WAIT_S))
    g_error ("the mirror sent no deltas in %d s", WAIT_S);
  if (!pd_test_wait_until (page_matches_store, browser, WAIT_S))
    {
      g_autofree char *cards = evaluate (browser, CARDS_JS);

      g_error ("the page does not follow the printers: %s", cards);
    }
}

static int
n_columns (Browser *browser)
{
  g_autofree char *n = evaluate (browser, "String(new Set([...document.querySelectorAll('.card')]"
                                          ".map(c => Math.round(c.getBoundingClientRect().left))).size)");

  return atoi (n);
}

/* Tests ----------------------------------------------------------------------------*/

#define SKIP_WITHOUT_CHROMIUM()                                 \
  G_STMT_START                                                  \
  {                                                             \
    if (chromium == NULL)                                       \
      {                                                         \
        g_test_skip ("no chromium (apt-get install chromium)"); \
        return;                                                 \
      }                                                         \
  }                                                             \
  G_STMT_END

static void
test_wide (void)
{
  Browse              how = { 1280, 900, FALSE, FALSE, FALSE };
  g_autoptr (Browser) browser = NULL;
  g_autofree char    *search = NULL;
  g_autofree char    *kept = NULL;
  g_autofree char    *background = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);
  assert_printers_shown (browser);
  g_assert_cmpint (n_columns (browser), ==, 3);
  background = evaluate (browser, "getComputedStyle(document.body).backgroundColor");
  g_assert_cmpstr (background, ==, "rgb(250, 250, 250)");

  /* the token left the address bar, and stays with the tab */
  search = evaluate (browser, "location.search");
  g_assert_cmpstr (search, ==, "");
  kept = evaluate (browser, "sessionStorage.getItem('printdeck-mirror-token')");
  g_assert_cmpstr (kept, ==, token);

  assert_page_follows_store (browser);
  screenshot (browser, "mirror-page-wide.png", 1280, 900);
}

static void
test_phone (void)
{
  Browse              how = { 390, 844, TRUE, FALSE, FALSE };
  g_autoptr (Browser) browser = NULL;
  g_autofree char    *width = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);
  assert_printers_shown (browser);
  g_assert_cmpint (n_columns (browser), ==, 1);
  /* nothing wider than the phone */
  width = evaluate (browser, "String(document.documentElement.scrollWidth)");
  g_assert_cmpint (atoi (width), <=, 390);
  screenshot (browser, "mirror-page-phone.png", 390, 844);
}

static void
test_dark (void)
{
  Browse              how = { 1280, 900, FALSE, TRUE, FALSE };
  g_autoptr (Browser) browser = NULL;
  g_autofree char    *background = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);
  assert_printers_shown (browser);
  background = evaluate (browser, "getComputedStyle(document.body).backgroundColor");
  g_assert_cmpstr (background, ==, "rgb(36, 36, 36)");
  screenshot (browser, "mirror-page-dark.png", 1280, 900);
}

/* A picture the first printer's "camera" has: 160×90, JPEG. */
static GBytes *
camera_picture (const char *serial,
                gpointer    data)
{
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  char                 *buffer = NULL;
  gsize                 size = 0;

  if (!g_str_equal (serial, serials[0]))
    return NULL;

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 160, 90);
  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "jpeg", NULL, NULL));

  return g_bytes_new_take (buffer, size);
}

/* The camera pictures the app has, on the cards that have one. */
static void
test_camera (void)
{
  Browse              how = { 1280, 900, FALSE, FALSE, FALSE };
  g_autoptr (Browser) browser = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  pd_mirror_server_set_snapshot_func (server, camera_picture, NULL, NULL);
  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);
  wait_for (browser, "String(document.querySelectorAll('img.camera:not([hidden])').length)", "1", 20);
  wait_for (browser, "String(document.querySelector('img.camera:not([hidden])').naturalWidth)", "160", 10);
  screenshot (browser, "mirror-page-camera.png", 1280, 900);
  pd_mirror_server_set_snapshot_func (server, NULL, NULL, NULL);
}

/* https:// → wss://, with the mirror's own certificate. */
static void
test_https (void)
{
  Browse                      how = { 1024, 768, FALSE, FALSE, TRUE };
  g_autoptr (PdMirrorServer)  secure = NULL;
  g_autoptr (PdSimCa)         ca = NULL;
  g_autoptr (PdSimCert)       cert = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *pem = NULL;
  g_autofree char            *url = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  ca = pd_sim_ca_new (PD_SIM_KEY_EC, "Mirror page test CA", &error);
  g_assert_no_error (error);
  cert = pd_sim_ca_issue (ca, "127.0.0.1", &error);
  g_assert_no_error (error);
  pem = g_strconcat (cert->cert_pem, cert->key_pem, NULL);
  certificate = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);

  secure = pd_mirror_server_new (G_LIST_MODEL (store));
  pd_mirror_server_set_token (secure, token);
  pd_mirror_server_set_tls_certificate (secure, certificate);
  g_assert_true (pd_mirror_server_start (secure, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  url = pd_mirror_server_dup_url (secure, "127.0.0.1");
  g_assert_true (g_str_has_prefix (url, "https://"));

  {
    g_autoptr (Browser) browser = browser_open (&how, url);

    wait_for_connection (browser, "live", WAIT_S);
    assert_printers_shown (browser);
    g_assert_cmpuint (pd_mirror_server_get_n_clients (secure), ==, 1);
  }

  pd_mirror_server_stop (secure);
}

static gboolean
no_clients (gpointer data)
{
  return pd_mirror_server_get_n_clients (server) == 0;
}

/* Dropped (and resumed), then the server gone: the last state, marked
 * stale, until it is back.
 */
static void
test_reconnect (void)
{
  Browse              how = { 1280, 900, FALSE, FALSE, FALSE };
  g_autoptr (Browser) browser = NULL;
  g_autoptr (GError)  error = NULL;
  g_autofree char    *banner = NULL;
  g_autofree char    *dimmed = NULL;
  guint               port;

  SKIP_WITHOUT_CHROMIUM ();

  port = pd_mirror_server_get_port (server);

  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);

  /* "too slow": the server drops the page, which comes back with ?since= */
  pd_mirror_server_set_limits (server, PD_MIRROR_DEFAULT_HISTORY, 1);
  g_assert_true (pd_test_wait_until (no_clients, NULL, WAIT_S));
  pd_mirror_server_set_limits (server, PD_MIRROR_DEFAULT_HISTORY, PD_MIRROR_DEFAULT_QUEUE);
  wait_for_connection (browser, "live", WAIT_S);
  assert_page_follows_store (browser);

  /* the server goes away */
  pd_mirror_server_stop (server);
  wait_for_connection (browser, "stale", WAIT_S);
  banner = evaluate (browser, "document.getElementById('banner').hidden ? '' : document.getElementById('banner').textContent");
  g_assert_true (g_str_has_prefix (banner, "Not connected — showing the state at "));
  g_assert_true (g_str_has_suffix (banner, "; reconnecting…"));
  dimmed = evaluate (browser, "String(document.body.classList.contains('stale'))");
  g_assert_cmpstr (dimmed, ==, "true");
  assert_printers_shown (browser); /* still there */
  screenshot (browser, "mirror-page-stale.png", 1280, 900);

  /* and comes back on the same port: a new run, so a new snapshot */
  g_assert_true (pd_mirror_server_start (server, "127.0.0.1", port, &error));
  g_assert_no_error (error);
  wait_for_connection (browser, "live", 45); /* backoff: up to 30 s */
  assert_printers_shown (browser);
  assert_page_follows_store (browser);
}

/* The token changes (regenerated in Preferences): the page says so. */
static void
test_refused (void)
{
  Browse              how = { 1024, 768, FALSE, FALSE, FALSE };
  g_autoptr (Browser) browser = NULL;
  g_autofree char    *other = pd_mirror_generate_token ();
  g_autofree char    *banner = NULL;

  SKIP_WITHOUT_CHROMIUM ();

  browser = browser_open (&how, page_url);
  wait_for_connection (browser, "live", WAIT_S);

  pd_mirror_server_set_token (server, other);
  /* three failed handshakes (1 + 2 + 4 s of backoff), then the page asks */
  wait_for_connection (browser, "refused", 45);
  banner = evaluate (browser, "document.getElementById('banner').textContent");
  g_assert_cmpstr (banner, ==, "The access token was refused — scan the code in Printdeck’s Preferences again.");

  pd_mirror_server_set_token (server, token);
}

/* Without the token (or with another one) the server answers 401 and the
 * browser has nothing of the printers to show.
 */
static void
test_no_token (void)
{
  g_autofree char *base = NULL;
  g_autofree char *wrong = NULL;
  const char      *urls[2];
  Browse           how = { 800, 600, FALSE, FALSE, FALSE };

  SKIP_WITHOUT_CHROMIUM ();

  urls[0] = base = g_strdup_printf ("http://127.0.0.1:%u/", pd_mirror_server_get_port (server));
  urls[1] = wrong = g_strconcat (base, "?token=not-the-token", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr (SoupSession)  session = soup_session_new ();
      g_autoptr (SoupMessage)  msg = soup_message_new ("GET", urls[i]);
      g_autoptr (GAsyncResult) result = NULL;
      g_autoptr (GBytes)       body = NULL;
      g_autoptr (GError)       error = NULL;
      g_autoptr (Browser)      browser = NULL;
      g_autofree char         *html = NULL;

      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
      g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
      body = soup_session_send_and_read_finish (session, result, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_UNAUTHORIZED);
      g_assert_cmpuint (g_bytes_get_size (body), ==, 0);

      browser = browser_open (&how, urls[i]);
      wait_for (browser, "document.readyState", "complete", WAIT_S);
      pd_test_spin (500);
      html = evaluate (browser, "document.documentElement.outerHTML");
      g_assert_null (strstr (html, "<article"));
      g_assert_null (strstr (html, "Printing"));
      for (guint p = 0; p < N_PRINTERS; p++)
        {
          g_assert_null (strstr (html, serials[p]));
          g_assert_null (strstr (html, pd_sim_printer_get_name (pd_sim_get_printer (sim, p))));
        }
    }
}

/* Set-up -------------------------------------------------------------------------*/

static gboolean
all_printing (gpointer data)
{
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (store), i);
      PdJob                *job;

      if (printer == NULL || pd_printer_get_status (printer) != PD_STATUS_PRINTING)
        return FALSE;
      job = pd_printer_get_job (printer);
      if (job == NULL || pd_job_get_progress (job) < 0 || pd_job_get_total_layers (job) <= 0)
        return FALSE;
    }

  return TRUE;
}

static void
start_printers (void)
{
  g_autofree char         *config_dir = g_build_filename (tmp_dir, "config", NULL);
  g_autofree char         *cache_dir = g_build_filename (tmp_dir, "cache", NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  PdSimOptions             options;

  pd_sim_options_init (&options);
  options.n_printers = N_PRINTERS;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 20;
  options.no_cameras = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  store = pd_printer_store_new (config_dir, cache_dir);
  pd_printer_store_load_async (store, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
  g_assert_true (pd_printer_store_load_finish (store, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  for (guint i = 0; i < N_PRINTERS; i++)
    {
      PdSimPrinter               *sp = pd_sim_get_printer (sim, i);
      g_autoptr (PdPrinterConfig) config = pd_printer_config_new (pd_sim_printer_get_serial (sp),
                                                                  pd_sim_printer_get_host (sp));
      g_autoptr (PdPrinter)       printer = NULL;

      names[i] = i == 0 ? g_strconcat (pd_sim_printer_get_name (sp), HOSTILE_SUFFIX, NULL)
                        : g_strdup (pd_sim_printer_get_name (sp));
      serials[i] = g_strdup (pd_sim_printer_get_serial (sp));
      config->port = pd_sim_printer_get_port (sp);
      config->name = g_strdup (names[i]);
      config->fingerprint = g_strdup (pd_sim_printer_get_fingerprint (sp));
      config->ftp_port = pd_sim_printer_get_ftp_port (sp);
      config->ftp_user = g_strdup (pd_sim_printer_get_ftp_user (sp));
      pd_printer_store_add_async (store, config, pd_sim_printer_get_access_code (sp), NULL,
                                  pd_test_store_result, &result);
      g_assert_true (pd_test_wait_for_result (&result, WAIT_S));
      printer = pd_printer_store_add_finish (store, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
    }

  server = pd_mirror_server_new (G_LIST_MODEL (store));
  token = pd_mirror_generate_token ();
  pd_mirror_server_set_token (server, token);
  g_assert_true (pd_mirror_server_start (server, "127.0.0.1", 0, &error));
  g_assert_no_error (error);
  page_url = pd_mirror_server_dup_url (server, "127.0.0.1");

  if (!pd_test_wait_until (all_printing, NULL, 90))
    g_error ("the simulated printers did not start printing");
}

static void
stop_printers (void)
{
  pd_mirror_server_stop (server);
  g_assert_finalize_object (server);
  pd_printer_store_shutdown (store);
  pd_test_spin (200);
  g_assert_finalize_object (store);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  g_clear_pointer (&page_url, g_free);
  g_clear_pointer (&token, g_free);
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_clear_pointer (&names[i], g_free);
      g_clear_pointer (&serials[i], g_free);
    }
}

static char *
find_chromium (void)
{
  const char *candidates[] = { "chromium", "chromium-browser", "google-chrome-stable", "google-chrome" };
  const char *chosen = g_getenv ("PRINTDECK_CHROMIUM");

  if (chosen != NULL && *chosen != '\0')
    return g_find_program_in_path (chosen);
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      char *path = g_find_program_in_path (candidates[i]);

      if (path != NULL)
        return path;
    }

  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  int                status;

  g_test_init (&argc, &argv, NULL);
  pd_secrets_set_memory_only (TRUE);

  g_test_add_func ("/mirror-page/wide", test_wide);
  g_test_add_func ("/mirror-page/phone", test_phone);
  g_test_add_func ("/mirror-page/dark", test_dark);
  g_test_add_func ("/mirror-page/camera", test_camera);
  g_test_add_func ("/mirror-page/https", test_https);
  g_test_add_func ("/mirror-page/no-token", test_no_token);
  g_test_add_func ("/mirror-page/reconnect", test_reconnect);
  g_test_add_func ("/mirror-page/refused", test_refused);

  chromium = find_chromium ();
  if (chromium == NULL)
    return g_test_run (); /* every case skips */

  tmp_dir = g_dir_make_tmp ("test-mirror-page-XXXXXX", &error);
  g_assert_no_error (error);
  start_printers ();

  status = g_test_run ();

  stop_printers ();
  pd_test_remove_tree (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
  g_clear_pointer (&chromium, g_free);

  return status;
}
