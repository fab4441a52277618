/* test-printer-store.c — the user's printers: config, keyring, cache, sessions
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real parts: a real gnome-keyring on the session bus (build-aux/dev.sh
 * starts one, unlocked), a simulated printer behind a real mosquitto with
 * TLS, real files in a fresh folder per test. Every wait is bounded.
 */

#include "config.h"

#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pd-cert-policy.h"
#include "pd-enums.h"
#include "pd-printer-store.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-util.h"

static PdSim *sim;

/* Waiting ----------------------------------------------------------------------*/

/* Lets pending callbacks (thread results, idle sources) run. */
static void
drain (void)
{
  gint64 until = g_get_monotonic_time () + 200 * 1000;

  while (g_get_monotonic_time () < until)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

typedef struct
{
  GAsyncResult *result;
} Async;

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  ((Async *) data)->result = g_object_ref (result);
}

static gboolean
async_done (gpointer data)
{
  return ((Async *) data)->result != NULL;
}

static GAsyncResult *
wait_async (Async *async)
{
  if (!pd_test_wait_until (async_done, async, 20))
    g_error ("an asynchronous call did not finish within 20 s");

  return async->result;
}

static gboolean
is_connected (gpointer data)
{
  return pd_session_get_connection (data) == PD_CONNECTION_CONNECTED;
}

static gboolean
has_reason_set (gpointer data)
{
  PdSessionReason reason = pd_printer_get_connection_reason (data);

  return reason == PD_SESSION_REASON_NO_ACCESS_CODE || reason == PD_SESSION_REASON_KEYRING_FAILED;
}

static gboolean
is_disconnected (gpointer data)
{
  return pd_printer_get_connection (data) == PD_CONNECTION_DISCONNECTED;
}

static gboolean
is_not_stale (gpointer data)
{
  return !pd_printer_get_stale (data);
}

static gboolean
has_status (gpointer data)
{
  return pd_printer_get_status (data) != PD_STATUS_UNKNOWN;
}

static gboolean
has_firmware (gpointer data)
{
  return pd_printer_get_firmware (data) != NULL;
}

/* Folders and files ---------------------------------------------------------------*/

typedef struct
{
  char *base;
  char *config_dir;
  char *cache_dir;
  char *config_file;
  char *cache_file;
} Dirs;

static void
dirs_init (Dirs *dirs)
{
  g_autoptr (GError) error = NULL;

  dirs->base = g_dir_make_tmp ("printdeck-store-XXXXXX", &error);
  g_assert_no_error (error);
  dirs->config_dir = g_build_filename (dirs->base, "config", NULL);
  dirs->cache_dir = g_build_filename (dirs->base, "cache", NULL);
  dirs->config_file = g_build_filename (dirs->config_dir, "printers.ini", NULL);
  dirs->cache_file = g_build_filename (dirs->cache_dir, "state.json", NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char      *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

static void
dirs_clear (Dirs *dirs)
{
  remove_tree (dirs->base);
  g_free (dirs->base);
  g_free (dirs->config_dir);
  g_free (dirs->cache_dir);
  g_free (dirs->config_file);
  g_free (dirs->cache_file);
}

/* Whether any file below @path holds @needle (an access code must not). */
static gboolean
tree_contains (const char *path,
               const char *needle)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char      *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (tree_contains (child, needle))
            return TRUE;
        }
      return FALSE;
    }
  else
    {
      g_autofree char *contents = NULL;
      gsize            length = 0;
      gsize            needle_length = strlen (needle);

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return FALSE;

      /* byte by byte: the files may hold anything */
      for (gsize i = 0; i + needle_length <= length; i++)
        if (memcmp (contents + i, needle, needle_length) == 0)
          return TRUE;
      return FALSE;
    }
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  return strstr (contents, needle) != NULL;
}

typedef struct
{
  const char *path;
  const char *needle;
} FileWait;

static gboolean
lacks (gpointer data)
{
  FileWait *wait = data;

  return !file_contains (wait->path, wait->needle);
}

static GKeyFile *
read_ini (Dirs *dirs)
{
  GKeyFile          *keyfile = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_key_file_load_from_file (keyfile, dirs->config_file, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  return keyfile;
}

static guint
count_backups (Dirs *dirs)
{
  g_autoptr (GDir) dir = g_dir_open (dirs->config_dir, 0, NULL);
  const char      *name;
  guint            n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "printers.ini.corrupt-"))
      n++;

  return n;
}

/* The keyring, read directly ----------------------------------------------------------*/

static char *
keyring_lookup (const char *serial)
{
  return pd_test_keyring_lookup (pd_secrets_get_schema (), "serial", serial);
}

static void
keyring_clear (const char *serial)
{
  g_autoptr (GError) error = NULL;

  secret_password_clear_sync (pd_secrets_get_schema (), NULL, &error, "serial", serial, NULL);
  g_assert_no_error (error);
}

/* The store, step by step -----------------------------------------------------------*/

static gboolean
load (PdPrinterStore *store,
      GError        **error)
{
  Async    async = { NULL };
  gboolean ok;

  pd_printer_store_load_async (store, NULL, on_async_done, &async);
  ok = pd_printer_store_load_finish (store, wait_async (&async), error);
  g_object_unref (async.result);

  return ok;
}

static PdPrinterStore *
loaded_store (Dirs *dirs)
{
  PdPrinterStore    *store = pd_printer_store_new (dirs->config_dir, dirs->cache_dir);
  g_autoptr (GError) error = NULL;

  g_assert_true (load (store, &error));
  g_assert_no_error (error);

  return store;
}

static PdPrinter *
add (PdPrinterStore        *store,
     const PdPrinterConfig *config,
     const char            *code,
     GError               **error)
{
  Async      async = { NULL };
  PdPrinter *printer;

  pd_printer_store_add_async (store, config, code, NULL, on_async_done, &async);
  printer = pd_printer_store_add_finish (store, wait_async (&async), error);
  g_object_unref (async.result);

  return printer;
}

static gboolean
update (PdPrinterStore        *store,
        const PdPrinterConfig *config,
        const char            *code,
        GError               **error)
{
  Async    async = { NULL };
  gboolean ok;

  pd_printer_store_update_async (store, config, code, NULL, on_async_done, &async);
  ok = pd_printer_store_update_finish (store, wait_async (&async), error);
  g_object_unref (async.result);

  return ok;
}

static gboolean
remove_printer (PdPrinterStore *store,
                const char     *serial,
                GError        **error)
{
  Async    async = { NULL };
  gboolean ok;

  pd_printer_store_remove_async (store, serial, NULL, on_async_done, &async);
  ok = pd_printer_store_remove_finish (store, wait_async (&async), error);
  g_object_unref (async.result);

  return ok;
}

static PdPrinterConfig *
sim_config (PdSimPrinter *sp,
            const char   *name)
{
  PdPrinterConfig *config = pd_printer_config_new (pd_sim_printer_get_serial (sp), pd_sim_printer_get_host (sp));

  config->port = pd_sim_printer_get_port (sp);
  config->name = g_strdup (name);

  return config;
}

/* A TCP port on loopback where nothing listens. */
static guint16
closed_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError)          error = NULL;
  guint16                     port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

typedef struct
{
  PdSession      *session;
  PdSessionReason reasons[3];
} ReasonWait;

static gboolean
has_reason (gpointer data)
{
  ReasonWait     *wait = data;
  PdSessionReason reason = pd_session_get_reason (wait->session);

  for (guint i = 0; i < G_N_ELEMENTS (wait->reasons); i++)
    if (wait->reasons[i] != PD_SESSION_REASON_NONE && reason == wait->reasons[i])
      return TRUE;

  return FALSE;
}

/* The state document without the connection, which the cache does not keep. */
static char *
document_offline (PdState *state)
{
  g_autoptr (PdState) copy = pd_state_with_connection (state, PD_CONNECTION_NONE);

  return pd_state_to_string (copy, TRUE);
}

/* Tests -----------------------------------------------------------------------------*/

static void
test_new_destroy (void)
{
  Dirs               dirs;
  PdPrinterStore    *store;
  g_autoptr (GError) error = NULL;

  dirs_init (&dirs);

  store = pd_printer_store_new (dirs.config_dir, dirs.cache_dir);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (store)) == PD_TYPE_PRINTER);
  g_assert_null (pd_printer_store_get_keyring_error (store));
  g_assert_finalize_object (store);

  /* The first start: no file, no printers, and nothing written yet. */
  store = loaded_store (&dirs);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (dirs.config_file, G_FILE_TEST_EXISTS));
  g_assert_null (pd_printer_store_find (store, "00M09A000000001"));
  g_assert_true (pd_printer_store_save_cache (store, &error));
  g_assert_no_error (error);
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (store);

  /* The defaults are the user's folders. */
  store = pd_printer_store_new (NULL, NULL);
  {
    g_autofree char *config_dir = NULL;
    g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "printdeck", NULL);

    g_object_get (store, "config-dir", &config_dir, NULL);
    g_assert_cmpstr (config_dir, ==, expected);
  }
  g_assert_finalize_object (store);

  dirs_clear (&dirs);
}

static void
test_config_validate (void)
{
  g_autoptr (PdPrinterConfig) config = pd_printer_config_new ("01P00A123456789", "192.168.1.20");
  g_autoptr (PdPrinterConfig) copy = NULL;
  g_autoptr (GError)          error = NULL;
  static const char *const    good_hosts[] = { "printer.local", "printer.local.", "fe80::1", "10.0.0.7", "x1c_left" };
  static const struct
  {
    const char *serial;
    const char *host;
    guint       port;
    const char *model;
    const char *fingerprint;
  } bad[] = {
    { "", "192.168.1.20", 8883, NULL, NULL },
    { "01P00A12345678/", "192.168.1.20", 8883, NULL, NULL },
    { "01P 00A", "192.168.1.20", 8883, NULL, NULL },
    { "0123456789012345678901234567890123", "192.168.1.20", 8883, NULL, NULL },
    { "01P00A123456789", "", 8883, NULL, NULL },
    { "01P00A123456789", NULL, 8883, NULL, NULL },
    { "01P00A123456789", "mqtts://192.168.1.20", 8883, NULL, NULL },
    { "01P00A123456789", "192.168.1.20 ", 8883, NULL, NULL },
    { "01P00A123456789", "printer..local", 8883, NULL, NULL },
    { "01P00A123456789", "-printer", 8883, NULL, NULL },
    { "01P00A123456789", "192.168.1.20:8883", 8883, NULL, NULL },
    { "01P00A123456789", "192.168.1.20", 0, NULL, NULL },
    { "01P00A123456789", "192.168.1.20", 65536, NULL, NULL },
    { "01P00A123456789", "192.168.1.20", 8883, "X9Z", NULL },
    { "01P00A123456789", "192.168.1.20", 8883, NULL, "AB:CD" },
  };

  g_assert_cmpuint (config->port, ==, 8883);
  g_assert_true (pd_printer_config_validate (config, &error));
  g_assert_no_error (error);

  /* what users type */
  for (guint i = 0; i < G_N_ELEMENTS (good_hosts); i++)
    {
      g_free (config->host);
      config->host = g_strdup (good_hosts[i]);
      g_assert_true (pd_printer_config_validate (config, &error));
      g_assert_no_error (error);
    }
  config->model = g_strdup ("X1 Carbon");
  config->fingerprint = g_strdup ("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
  config->bridge_user = g_strdup ("farm");
  g_assert_true (pd_printer_config_validate (config, &error));

  copy = pd_printer_config_copy (config);
  g_assert_true (pd_printer_config_equal (config, copy));
  copy->bridge_tls = !copy->bridge_tls;
  g_assert_false (pd_printer_config_equal (config, copy));
  g_assert_false (pd_printer_config_equal (config, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (PdPrinterConfig) c = pd_printer_config_new (bad[i].serial, bad[i].host);

      c->port = bad[i].port;
      c->model = g_strdup (bad[i].model);
      c->fingerprint = g_strdup (bad[i].fingerprint);
      g_assert_false (pd_printer_config_validate (c, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_test_message ("%s / %s: %s", bad[i].serial, bad[i].host, error->message);
      g_assert_cmpuint (strlen (error->message), >, 10);
      g_clear_error (&error);
    }
}

/* Add, connect, restart with the cached state, update, remove. */
static void
test_lifecycle (void)
{
  PdSimPrinter               *sp = pd_sim_get_printer (sim, 0);
  const char                 *serial = pd_sim_printer_get_serial (sp);
  const char                 *code = pd_sim_printer_get_access_code (sp);
  g_autoptr (PdPrinterConfig) config = sim_config (sp, "Left");
  g_autoptr (PdPrinterConfig) changed = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (PdSession)       session = NULL;
  g_autoptr (PdState)         saved = NULL;
  g_autoptr (GKeyFile)        ini = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *stored = NULL;
  g_autofree char            *pinned = NULL;
  g_autofree char            *expected = NULL;
  g_autofree char            *restored = NULL;
  g_autofree char            *group = g_strconcat ("printer ", serial, NULL);
  ReasonWait                  reason_wait = { NULL, { 0 } };
  FileWait                    cache_wait = { NULL, NULL };
  Dirs                        dirs;
  PdPrinter                  *second;
  gint64                      start;

  dirs_init (&dirs);
  keyring_clear (serial);

  /* Add: the code goes to the keyring, the session connects. */
  store = loaded_store (&dirs);
  start = g_get_monotonic_time ();
  printer = add (store, config, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (printer);
  g_test_message ("added in %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  second = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (second == printer);
  g_object_unref (second);
  g_assert_true (pd_printer_store_find (store, serial) == printer);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Left");

  stored = keyring_lookup (serial);
  g_assert_cmpstr (stored, ==, code);

  session = g_object_ref (pd_printer_store_get_session (store, printer));
  g_assert_cmpstr (pd_session_get_host (session), ==, pd_sim_printer_get_host (sp));
  g_assert_cmpuint (pd_session_get_port (session), ==, pd_sim_printer_get_port (sp));
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  g_test_message ("connected %.0f ms after the add", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpstr (pd_printer_get_model (printer), ==, pd_sim_printer_get_model (sp));
  /* The first report may come a moment after the connection. */
  g_assert_true (pd_test_wait_until (has_status, printer, 10));
  g_assert_true (pd_test_wait_until (has_firmware, printer, 10));

  /* The certificate pinned on first use is in the config. */
  g_assert_true (pd_cert_fingerprint_equal (pd_printer_store_get_config (store, printer)->fingerprint,
                                            pd_sim_printer_get_fingerprint (sp)));
  ini = read_ini (&dirs);
  pinned = g_key_file_get_string (ini, group, "fingerprint", &error);
  g_assert_no_error (error);
  g_assert_true (pd_cert_fingerprint_equal (pinned, pd_sim_printer_get_fingerprint (sp)));
  g_assert_cmpint (g_key_file_get_integer (ini, "general", "version", NULL), ==, 1);
  {
    g_autofree char *host = g_key_file_get_string (ini, group, "host", NULL);
    g_autofree char *name = g_key_file_get_string (ini, group, "name", NULL);

    g_assert_cmpstr (host, ==, pd_sim_printer_get_host (sp));
    g_assert_cmpstr (name, ==, "Left");
    g_assert_cmpint (g_key_file_get_integer (ini, group, "port", NULL), ==, pd_sim_printer_get_port (sp));
  }
  g_clear_pointer (&ini, g_key_file_unref);

  /* The last state, cached; the code is in no file. */
  g_assert_true (pd_printer_store_save_cache (store, &error));
  g_assert_no_error (error);
  saved = pd_state_ref (pd_printer_get_state (printer));
  pd_printer_store_shutdown (store);
  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_DISCONNECTED);
  g_assert_true (g_file_test (dirs.cache_file, G_FILE_TEST_IS_REGULAR));
  g_assert_true (file_contains (dirs.cache_file, serial));
  g_assert_false (tree_contains (dirs.base, code));
  g_clear_object (&session);
  g_clear_object (&printer);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));

  /* The next start: the last state at once, stale, then live. */
  store = pd_printer_store_new (dirs.config_dir, dirs.cache_dir);
  g_assert_true (load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  printer = g_list_model_get_item (G_LIST_MODEL (store), 0);
  session = g_object_ref (pd_printer_store_get_session (store, printer));
  g_assert_true (pd_printer_get_stale (printer));
  g_assert_cmpint (pd_session_get_connection (session), !=, PD_CONNECTION_CONNECTED);
  expected = document_offline (saved);
  restored = document_offline (pd_printer_get_state (printer));
  g_assert_cmpstr (restored, ==, expected);
  g_assert_cmpint (pd_printer_get_last_report_time (printer), ==, saved->last_report_at);
  start = g_get_monotonic_time ();
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  g_assert_true (pd_test_wait_until (is_not_stale, printer, 10));
  g_test_message ("live %.0f ms after the load", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_null (pd_printer_store_get_keyring_error (store));

  /* Update: a new name and a wrong code apply at once. */
  changed = pd_printer_config_copy (pd_printer_store_get_config (store, printer));
  g_free (changed->name);
  changed->name = g_strdup ("Right");
  g_assert_true (update (store, changed, "wrongcode1", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Right");
  g_clear_pointer (&stored, g_free);
  stored = keyring_lookup (serial);
  g_assert_cmpstr (stored, ==, "wrongcode1");
  reason_wait.session = session;
  reason_wait.reasons[0] = PD_SESSION_REASON_WRONG_ACCESS_CODE;
  g_assert_true (pd_test_wait_until (has_reason, &reason_wait, 15));
  g_assert_true (file_contains (dirs.config_file, "name=Right"));

  /* A new port (nothing there) with the right code. */
  changed->port = closed_port ();
  g_assert_true (update (store, changed, code, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_session_get_port (session), ==, changed->port);
  ini = read_ini (&dirs);
  g_assert_cmpint (g_key_file_get_integer (ini, group, "port", NULL), ==, changed->port);
  g_clear_pointer (&ini, g_key_file_unref);
  reason_wait.reasons[0] = PD_SESSION_REASON_REFUSED;
  reason_wait.reasons[1] = PD_SESSION_REASON_UNREACHABLE;
  g_assert_true (pd_test_wait_until (has_reason, &reason_wait, 15));

  /* Back to the printer's port; the code stays as it is. */
  changed->port = pd_sim_printer_get_port (sp);
  g_assert_true (update (store, changed, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  g_clear_pointer (&stored, g_free);
  stored = keyring_lookup (serial);
  g_assert_cmpstr (stored, ==, code);
  g_assert_false (tree_contains (dirs.base, code));
  g_assert_false (tree_contains (dirs.base, "wrongcode1"));

  /* Remove: gone from the list, the config, the cache and the keyring. */
  g_assert_true (remove_printer (store, serial, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null (pd_printer_store_find (store, serial));
  g_assert_cmpint (pd_session_get_connection (session), ==, PD_CONNECTION_DISCONNECTED);
  g_clear_pointer (&stored, g_free);
  stored = keyring_lookup (serial);
  g_assert_null (stored);
  g_assert_false (file_contains (dirs.config_file, serial));
  /* the cache is rewritten in the background */
  cache_wait.path = dirs.cache_file;
  cache_wait.needle = serial;
  g_assert_true (pd_test_wait_until (lacks, &cache_wait, 10));

  /* and a second remove is an error */
  g_assert_false (remove_printer (store, serial, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_clear_object (&session);
  g_clear_object (&printer);
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  dirs_clear (&dirs);
}

static void
test_refused (void)
{
  PdSimPrinter               *sp = pd_sim_get_printer (sim, 0);
  const char                 *serial = pd_sim_printer_get_serial (sp);
  g_autoptr (PdPrinterConfig) config = sim_config (sp, "Twice");
  g_autoptr (PdPrinterConfig) invalid = sim_config (sp, NULL);
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (PdPrinter)       again = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *stored = NULL;
  Dirs                        dirs;

  dirs_init (&dirs);
  keyring_clear (serial);
  store = loaded_store (&dirs);

  /* An invalid config: a message, and nothing anywhere. */
  g_free (invalid->host);
  invalid->host = g_strdup ("https://printer");
  g_assert_null (add (store, invalid, "12345678", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_null (add (store, config, "", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_null ((stored = keyring_lookup (serial)));
  g_assert_false (g_file_test (dirs.config_file, G_FILE_TEST_EXISTS));

  /* The same serial twice (the first time with the model as people name
   * it, kept by its id)
   */
  config->model = g_strdup (pd_model_lookup (pd_sim_printer_get_model (sp))->display_name);
  printer = add (store, config, pd_sim_printer_get_access_code (sp), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pd_printer_store_get_config (store, printer)->model, ==, pd_sim_printer_get_model (sp));
  g_assert_cmpstr (pd_printer_get_configured_model (printer), ==, pd_sim_printer_get_model (sp));
  {
    g_autofree char *line = g_strdup_printf ("model=%s\n", pd_sim_printer_get_model (sp));

    g_assert_true (file_contains (dirs.config_file, line));
  }
  again = add (store, config, "other-code", &error);
  g_assert_null (again);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
  stored = keyring_lookup (serial);
  g_assert_cmpstr (stored, ==, pd_sim_printer_get_access_code (sp));

  /* An update of a printer that is not there, and an invalid one */
  {
    g_autoptr (PdPrinterConfig) unknown = pd_printer_config_new ("00M09A999999999", "10.0.0.1");

    g_assert_false (update (store, unknown, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_free (invalid->host);
    invalid->host = g_strdup ("10.0.0.1");
    invalid->port = 70000;
    g_assert_false (update (store, invalid, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  g_assert_true (remove_printer (store, serial, &error));
  g_assert_no_error (error);
  g_clear_object (&printer);
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  dirs_clear (&dirs);
}

typedef struct
{
  PdPrinterStore *store;
  PdPrinter      *printer;
  const char     *not_fingerprint;
} PinnedWait;

/* Connected to a peer other than @not_fingerprint, and its certificate pinned. */
static gboolean
is_connected_and_pinned_elsewhere (gpointer data)
{
  PinnedWait            *wait = data;
  PdSession             *session = pd_printer_store_get_session (wait->store, wait->printer);
  const PdPrinterConfig *config = pd_printer_store_get_config (wait->store, wait->printer);
  const char            *presented = pd_session_get_fingerprint (session);

  return pd_session_get_connection (session) == PD_CONNECTION_CONNECTED && presented != NULL &&
         g_strcmp0 (presented, wait->not_fingerprint) != 0 && g_strcmp0 (config->fingerprint, presented) == 0;
}

/* A farm bridge: its password is the code; switching to the printer and
 * back takes the code from the keyring when none is given.
 */
static void
test_bridge (void)
{
  PdSimPrinter               *sp = pd_sim_get_printer (sim, 0);
  const char                 *serial = pd_sim_printer_get_serial (sp);
  g_autoptr (PdPrinterConfig) config = pd_printer_config_new (serial, NULL);
  g_autoptr (PdPrinterConfig) changed = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *group = g_strconcat ("printer ", serial, NULL);
  ReasonWait                  reason_wait = { NULL, { 0 } };
  g_autofree char            *bridge_fingerprint = NULL;
  const char                 *host, *user, *password;
  PdSession                  *session;
  guint16                     port;
  Dirs                        dirs;

  dirs_init (&dirs);
  keyring_clear (serial);
  g_assert_true (pd_sim_get_bridge (sim, &host, &port, &user, &password));

  store = loaded_store (&dirs);
  pd_printer_store_set_stale_timeout (store, 30);
  config->host = g_strdup (host);
  config->port = port;
  config->bridge_user = g_strdup (user);
  config->bridge_tls = TRUE;
  printer = add (store, config, password, &error);
  g_assert_no_error (error);
  session = pd_printer_store_get_session (store, printer);
  g_assert_cmpuint (pd_session_get_stale_timeout (session), ==, 30);
  g_assert_true (pd_test_wait_until (is_connected, session, 15));
  g_assert_cmpstr (pd_printer_get_model (printer), ==, pd_sim_printer_get_model (sp));
  {
    g_autoptr (GKeyFile) ini = read_ini (&dirs);
    g_autofree char     *bridge_user = g_key_file_get_string (ini, group, "bridge-user", NULL);

    g_assert_cmpstr (bridge_user, ==, user);
    g_assert_true (g_key_file_get_boolean (ini, group, "bridge-tls", NULL));
  }
  g_assert_false (tree_contains (dirs.base, password));

  /* Straight to the printer, with its own code (and its own certificate). */
  changed = pd_printer_config_copy (pd_printer_store_get_config (store, printer));
  g_clear_pointer (&changed->bridge_user, g_free);
  g_clear_pointer (&changed->fingerprint, g_free);
  g_free (changed->host);
  changed->host = g_strdup (pd_sim_printer_get_host (sp));
  changed->port = pd_sim_printer_get_port (sp);
  bridge_fingerprint = g_strdup (pd_session_get_fingerprint (session));
  g_assert_nonnull (bridge_fingerprint);
  g_assert_true (update (store, changed, pd_sim_printer_get_access_code (sp), &error));
  g_assert_no_error (error);
  /* "Connected" holds on for the bridge until the session has left it:
   * wait for the printer itself, its certificate pinned on first use. */
  {
    PinnedWait wait = { store, printer, bridge_fingerprint };

    g_assert_true (pd_test_wait_until (is_connected_and_pinned_elsewhere, &wait, 15));
  }
  g_assert_false (file_contains (dirs.config_file, "bridge-user"));

  /* Back to the bridge without a code: the keyring's (the printer's) is
   * used, which the bridge refuses; then the bridge's password.
   */
  g_clear_pointer (&changed, pd_printer_config_free);
  changed = pd_printer_config_copy (config);
  g_assert_true (update (store, changed, NULL, &error));
  g_assert_no_error (error);
  reason_wait.session = session;
  reason_wait.reasons[0] = PD_SESSION_REASON_WRONG_ACCESS_CODE;
  g_assert_true (pd_test_wait_until (has_reason, &reason_wait, 15));
  g_assert_true (update (store, changed, password, &error));
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (is_connected, session, 15));

  g_assert_true (remove_printer (store, serial, &error));
  g_assert_no_error (error);
  g_clear_object (&printer);
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  dirs_clear (&dirs);
}

static void
test_corrupt_config (void)
{
  static const char           garbage[] = "[printer 01P00A123456789\nhost=10.0.0.7\n\xff\xfe not a key file\n";
  PdSimPrinter               *sp = pd_sim_get_printer (sim, 0);
  g_autoptr (PdPrinterConfig) config = sim_config (sp, NULL);
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *after = NULL;
  g_autofree char            *stored = NULL;
  gsize                       length = 0;
  Dirs                        dirs;

  dirs_init (&dirs);
  keyring_clear (pd_sim_printer_get_serial (sp));
  g_assert_cmpint (g_mkdir_with_parents (dirs.config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dirs.config_file, garbage, sizeof garbage - 1, NULL));

  store = pd_printer_store_new (dirs.config_dir, dirs.cache_dir);
  g_assert_false (load (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "printers.ini.corrupt-"));
  g_clear_error (&error);
  g_assert_cmpuint (count_backups (&dirs), ==, 1);

  /* Nothing may overwrite it: not an add (which does not touch the keyring
   * either), not the cache.
   */
  g_assert_null (add (store, config, pd_sim_printer_get_access_code (sp), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error (&error);
  g_assert_false (pd_printer_store_save_cache (store, &error));
  g_clear_error (&error);
  pd_printer_store_shutdown (store);
  g_assert_true (g_file_get_contents (dirs.config_file, &after, &length, NULL));
  g_assert_cmpmem (after, length, garbage, sizeof garbage - 1);
  g_assert_null ((stored = keyring_lookup (pd_sim_printer_get_serial (sp))));
  g_assert_false (g_file_test (dirs.cache_file, G_FILE_TEST_EXISTS));

  /* The user starts over: an empty list, and changes work again. */
  g_assert_true (pd_printer_store_reset_config (store, &error));
  g_assert_no_error (error);
  {
    g_autoptr (GKeyFile) ini = read_ini (&dirs);
    g_auto (GStrv)       groups = g_key_file_get_groups (ini, NULL);

    g_assert_cmpstrv (groups, ((const char *const[]){ "general", NULL }));
  }
  g_assert_cmpuint (count_backups (&dirs), ==, 1);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));

  /* A newer format is not overwritten either. */
  g_assert_true (g_file_set_contents (dirs.config_file, "[general]\nversion=7\n", -1, NULL));
  store = pd_printer_store_new (dirs.config_dir, dirs.cache_dir);
  g_assert_false (load (store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (count_backups (&dirs), >=, 1);
  g_assert_true (file_contains (dirs.config_file, "version=7"));
  g_assert_finalize_object (g_steal_pointer (&store));

  dirs_clear (&dirs);
}

static void
test_damaged_cache (void)
{
  static const char *const caches[] = {
    "{\"version\":1,\"printers\":{\"00M09A000000001\":{\"print\":{\"gcode_state\":\"RUNNING\",\"mc_perc",
    "\x00\x01\x02 garbage \xff",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"version\":1,\"printers\":{\"00M09A000000001\":{\"print\":\"oops\"}}}",
    "{\"version\":1,\"printers\":{\"00M09A000000001\":{\"print\":{\"gcode_state\":\"IDLE\"},\"printdeck\":7}}}",
    "{\"version\":99,\"printers\":{}}",
  };
  g_autoptr (GError) error = NULL;
  Dirs               dirs;

  dirs_init (&dirs);
  g_assert_cmpint (g_mkdir_with_parents (dirs.config_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (dirs.cache_dir, 0700), ==, 0);
  /* a printer whose code is not in the keyring: it must stay unconnected */
  keyring_clear ("00M09A000000001");
  g_assert_true (g_file_set_contents (dirs.config_file,
                                      "[general]\nversion=1\n\n[printer 00M09A000000001]\nname=Back\nhost=127.0.0.1\nport=9\n"
                                      "# a group this version cannot use is kept\n[printer 01P00A1]\nhost=no host\n",
                                      -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (caches); i++)
    {
      g_autoptr (PdPrinterStore) store = NULL;
      g_autoptr (PdPrinter)      printer = NULL;
      PdSession                 *session;

      g_assert_true (g_file_set_contents (dirs.cache_file, caches[i], i == 1 ? 13 : -1, NULL));
      store = loaded_store (&dirs);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 1);
      printer = g_list_model_get_item (G_LIST_MODEL (store), 0);
      g_assert_cmpstr (pd_printer_get_name (printer), ==, "Back");
      /* nothing restored, nothing shown as the last known state */
      g_assert_false (pd_printer_get_stale (printer));
      g_assert_cmpuint (pd_printer_get_state (printer)->n_reports, ==, 0);
      g_assert_true (pd_test_doc_is_null (pd_printer_get_state (printer), "job"));

      /* no code: looked up, not found, not connected, no keyring error */
      session = pd_printer_store_get_session (store, printer);
      g_assert_true (pd_test_wait_until (is_disconnected, printer, 10));
      g_assert_cmpint (pd_session_get_n_attempts (session), ==, 0);
      g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_DISCONNECTED);
      g_assert_null (pd_printer_store_get_keyring_error (store));

      /* A save keeps what it could not use. */
      if (i == 0)
        {
          g_autoptr (PdPrinterConfig) config = pd_printer_config_copy (pd_printer_store_get_config (store, printer));

          g_assert_true (update (store, config, NULL, &error));
          g_assert_no_error (error);
        }

      pd_printer_store_shutdown (store);
      g_clear_object (&printer);
      drain ();
      g_assert_finalize_object (g_steal_pointer (&store));
    }

  /* the group it could not use is still there */
  g_assert_true (file_contains (dirs.config_file, "[printer 01P00A1]"));
  g_assert_no_error (error);
  dirs_clear (&dirs);
}

static gboolean
has_keyring_error (gpointer data)
{
  return pd_printer_store_get_keyring_error (data) != NULL;
}

/* No Secret Service on the bus: told, not connected, nothing written. */
static void
test_keyring_unavailable (void)
{
  g_autoptr (GTestDBus)       bus = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (GError)          error = NULL;
  PdSession                  *session;
  Dirs                        dirs;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }

  /* An empty private bus: no keyring daemon can be started on it. */
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  dirs_init (&dirs);
  store = loaded_store (&dirs);

  /* An add fails and leaves nothing behind. */
  config = pd_printer_config_new ("00M09A000000007", "127.0.0.1");
  g_assert_null (add (store, config, "s3cr3tc0de", &error));
  g_assert_error (error, PD_SECRETS_ERROR, PD_SECRETS_ERROR_UNAVAILABLE);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (dirs.config_file, G_FILE_TEST_EXISTS));
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));

  /* A configured printer: keyring-error, and its session does not start. */
  g_assert_cmpint (g_mkdir_with_parents (dirs.config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dirs.config_file,
                                      "[printer 00M09A000000007]\nhost=127.0.0.1\nport=8883\n", -1, NULL));
  store = loaded_store (&dirs);
  printer = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (pd_test_wait_until (has_keyring_error, store, 10));
  g_test_message ("%s", pd_printer_store_get_keyring_error (store));
  g_assert_nonnull (strstr (pd_printer_store_get_keyring_error (store), "keyring"));
  session = pd_printer_store_get_session (store, printer);
  g_assert_cmpint (pd_session_get_n_attempts (session), ==, 0);
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_DISCONNECTED);
  g_assert_cmpint (pd_printer_get_connection_reason (printer), ==, PD_SESSION_REASON_KEYRING_FAILED);

  /* Trying again tells the same. */
  pd_printer_store_retry_secrets (store);
  drain ();
  g_assert_nonnull (pd_printer_store_get_keyring_error (store));
  g_assert_cmpint (pd_session_get_n_attempts (session), ==, 0);

  pd_printer_store_shutdown (store);
  g_assert_false (tree_contains (dirs.base, "s3cr3tc0de"));
  g_clear_object (&printer);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  dirs_clear (&dirs);

  /* libsecret keeps its connection to the bus: let go before the bus goes. */
  secret_service_disconnect ();
  g_test_dbus_down (bus);
}

/* Ends a keyring test's subprocess once every check has passed.
 * libsecret keeps a reference to the bus connection after an unlock prompt
 * that could not be shown, so g_test_dbus_down() would wait 30 s for it and
 * then fail; the bus daemon is stopped and the subprocess leaves at once.
 */
G_GNUC_NORETURN static void
stop_bus_and_exit (GTestDBus *bus)
{
  g_test_dbus_stop (bus);
  fflush (stdout);
  fflush (stderr);
  _exit (0);
}

/* Writes a D-Bus service file that starts a keyring daemon; with @password,
 * the daemon creates (or unlocks) the login keyring with it.
 */
static void
write_keyring_service (const char *services,
                       const char *daemon,
                       const char *password)
{
  g_autofree char *path = g_build_filename (services, "org.freedesktop.secrets.service", NULL);
  g_autofree char *text = NULL;

  if (password != NULL)
    text = g_strdup_printf ("[D-BUS Service]\nName=org.freedesktop.secrets\n"
                            "Exec=/bin/sh -c \"printf %s | exec %s --unlock --foreground --components=secrets\"\n",
                            password, daemon);
  else
    text = g_strdup_printf ("[D-BUS Service]\nName=org.freedesktop.secrets\n"
                            "Exec=%s --start --foreground --components=secrets\n",
                            daemon);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

/* An empty home, runtime and D-Bus services folder under @dirs, made the
 * process's own: a keyring daemon started on a private bus then has no
 * login keyring until one is made. Returns the services folder.
 */
static char *
private_keyring_home (Dirs *dirs)
{
  g_autofree char *home = g_build_filename (dirs->base, "home", NULL);
  g_autofree char *runtime = g_build_filename (dirs->base, "runtime", NULL);
  char            *services = g_build_filename (dirs->base, "services", NULL);

  g_assert_cmpint (g_mkdir_with_parents (home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (services, 0700), ==, 0);
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_unsetenv ("XDG_DATA_HOME");
  g_unsetenv ("GNOME_KEYRING_CONTROL");
  g_unsetenv ("DISPLAY");

  return services;
}

/* A keyring daemon whose default keyring cannot be opened (no login
 * keyring, and no display for its prompt): an add is refused with "locked"
 * and adds nothing.
 */
static void
test_keyring_locked (void)
{
  g_autoptr (GTestDBus)       bus = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autofree char            *services = NULL;
  g_autofree char            *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  Dirs                        dirs;

  if (daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed");
      return;
    }

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }

  /* A private bus that starts a keyring daemon of its own, in empty
   * folders: it has no login keyring and cannot ask for one.
   */
  dirs_init (&dirs);
  services = private_keyring_home (&dirs);
  write_keyring_service (services, daemon, NULL);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, services);
  g_test_dbus_up (bus);

  store = loaded_store (&dirs);
  config = pd_printer_config_new ("00M09A000000008", "127.0.0.1");
  g_assert_null (add (store, config, "l0ck3dc0de", &error));
  g_assert_error (error, PD_SECRETS_ERROR, PD_SECRETS_ERROR_LOCKED);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 0);
  g_assert_false (g_file_test (dirs.config_file, G_FILE_TEST_EXISTS));
  g_assert_false (tree_contains (dirs.config_dir, "l0ck3dc0de"));
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));

  /* A configured printer whose code was never saved: no code, and the
   * printer says so.
   */
  g_assert_cmpint (g_mkdir_with_parents (dirs.config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (dirs.config_file,
                                      "[printer 00M09A000000008]\nhost=127.0.0.1\nport=8883\n", -1, NULL));
  store = loaded_store (&dirs);
  printer = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (pd_test_wait_until (has_reason_set, printer, 20));
  g_assert_cmpint (pd_printer_get_connection_reason (printer), ==, PD_SESSION_REASON_NO_ACCESS_CODE);
  g_assert_cmpint (pd_session_get_n_attempts (pd_printer_store_get_session (store, printer)), ==, 0);
  g_clear_object (&printer);

  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  secret_service_disconnect ();
  dirs_clear (&dirs);
  stop_bus_and_exit (bus);
}


/* The code is saved, but the login keyring is locked at the next start and
 * no unlock prompt can be shown: the printer says "the keyring", not "no
 * access code", and the store reports the keyring as locked.
 */
static void
test_keyring_locked_code (void)
{
  g_autoptr (GTestDBus)       bus = NULL;
  g_autoptr (PdPrinterStore)  store = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char            *services = NULL;
  g_autofree char            *keyring = NULL;
  Dirs                        dirs;

  if (daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed");
      return;
    }

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 90 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }

  dirs_init (&dirs);
  services = private_keyring_home (&dirs);
  keyring = g_build_filename (g_getenv ("HOME"), ".local", "share", "keyrings", "login.keyring", NULL);

  /* A session with an unlocked login keyring: the printer is added. */
  write_keyring_service (services, daemon, "l0gin");
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, services);
  g_test_dbus_up (bus);

  store = loaded_store (&dirs);
  config = pd_printer_config_new ("00M09A000000009", "127.0.0.1");
  config->port = 9; /* the discard port on loopback: never a broker */
  printer = add (store, config, "k33pc0de", &error);
  g_assert_no_error (error);
  g_assert_nonnull (printer);
  g_clear_object (&printer);
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_true (g_file_test (keyring, G_FILE_TEST_EXISTS));
  secret_service_disconnect ();
  g_test_dbus_down (bus);
  g_clear_object (&bus);

  /* The next session: the login keyring stays locked. */
  write_keyring_service (services, daemon, NULL);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (bus, services);
  g_test_dbus_up (bus);

  store = loaded_store (&dirs);
  printer = g_list_model_get_item (G_LIST_MODEL (store), 0);
  g_assert_true (pd_test_wait_until (has_reason_set, printer, 30));
  g_assert_cmpint (pd_printer_get_connection_reason (printer), ==, PD_SESSION_REASON_KEYRING_FAILED);
  g_assert_true (pd_test_wait_until (has_keyring_error, store, 10));
  g_test_message ("keyring error: %s", pd_printer_store_get_keyring_error (store));
  g_assert_nonnull (strstr (pd_printer_store_get_keyring_error (store), "locked"));
  g_assert_cmpint (pd_session_get_n_attempts (pd_printer_store_get_session (store, printer)), ==, 0);
  g_assert_false (tree_contains (dirs.config_dir, "k33pc0de"));
  g_clear_object (&printer);

  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&store));
  secret_service_disconnect ();
  dirs_clear (&dirs);
  stop_bus_and_exit (bus);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  int                status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/printer-store/new-destroy", test_new_destroy);
  g_test_add_func ("/printer-store/config-validate", test_config_validate);
  g_test_add_func ("/printer-store/keyring-unavailable", test_keyring_unavailable);
  g_test_add_func ("/printer-store/keyring-locked", test_keyring_locked);
  g_test_add_func ("/printer-store/keyring-locked-code", test_keyring_locked_code);
  g_test_add_func ("/printer-store/damaged-cache", test_damaged_cache);
  g_test_add_func ("/printer-store/corrupt-config", test_corrupt_config);
  g_test_add_func ("/printer-store/refused", test_refused);
  g_test_add_func ("/printer-store/lifecycle", test_lifecycle);
  g_test_add_func ("/printer-store/bridge", test_bridge);

  /* The subprocess runs one test that needs no printer. */
  if (g_test_subprocess ())
    return g_test_run ();

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 20;
  options.bridge = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
