/* pd-test-util.c — shared helpers for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pd-test-util.h"

/* The test clock: any fixed time will do, the parser never reads a clock. */
#define TEST_NOW (G_GINT64_CONSTANT (1764115200) * G_USEC_PER_SEC)

char *
pd_test_fixture_path (const char *name)
{
  return g_build_filename (FIXTURES_DIR, name, NULL);
}

char *
pd_test_load_fixture (const char *name,
                      gsize      *length)
{
  g_autofree char   *path = pd_test_fixture_path (name);
  g_autoptr (GError) error = NULL;
  char              *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

PdState *
pd_test_merge_text (PdState    *state,
                    const char *json)
{
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;
  PdState             *merged;

  report = pd_report_parse (json, -1, NULL, &error);
  g_assert_no_error (error);
  merged = pd_report_merge (state, report, TEST_NOW, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (merged);

  return merged;
}

PdState *
pd_test_merge_fixture (PdState    *state,
                       const char *name)
{
  g_autofree char *text = pd_test_load_fixture (name, NULL);

  return pd_test_merge_text (state, text);
}

void
pd_test_apply_text (PdPrinter  *printer,
                    const char *json)
{
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (GError)   error = NULL;

  report = pd_report_parse (json, -1, NULL, &error);
  g_assert_no_error (error);
  pd_printer_apply_report (printer, report, TEST_NOW, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
pd_test_apply_fixture (PdPrinter  *printer,
                       const char *name)
{
  g_autofree char *text = pd_test_load_fixture (name, NULL);

  pd_test_apply_text (printer, text);
}

/* Looks a value up in the state document: "temperatures.nozzle.current",
 * "ams.units[1].trays[0].material".
 */
JsonNode *
pd_test_doc_get (PdState    *state,
                 const char *path)
{
  JsonNode      *node = pd_state_to_json (state);
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char            *bracket = strchr (parts[i], '[');
      g_autofree char *key = g_strndup (parts[i], bracket ? (gsize) (bracket - parts[i]) : strlen (parts[i]));

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), key);
      if (node == NULL)
        g_error ("state document has no “%s” (in %s)", key, path);

      while (bracket != NULL)
        {
          guint index = (guint) strtoul (bracket + 1, NULL, 10);

          g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
          if (index >= json_array_get_length (json_node_get_array (node)))
            g_error ("%s: index %u out of range", path, index);
          node = json_array_get_element (json_node_get_array (node), index);
          bracket = strchr (bracket + 1, '[');
        }
    }

  return node;
}

gboolean
pd_test_doc_is_null (PdState    *state,
                     const char *path)
{
  return JSON_NODE_HOLDS_NULL (pd_test_doc_get (state, path));
}

gint64
pd_test_doc_int (PdState    *state,
                 const char *path)
{
  JsonNode *node = pd_test_doc_get (state, path);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("%s is not an integer", path);

  return json_node_get_int (node);
}

double
pd_test_doc_double (PdState    *state,
                    const char *path)
{
  JsonNode *node = pd_test_doc_get (state, path);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_DOUBLE)
    g_error ("%s is not a floating-point number", path);

  return json_node_get_double (node);
}

const char *
pd_test_doc_string (PdState    *state,
                    const char *path)
{
  JsonNode *node = pd_test_doc_get (state, path);

  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("%s is not a string", path);

  return json_node_get_string (node);
}

gboolean
pd_test_doc_bool (PdState    *state,
                  const char *path)
{
  JsonNode *node = pd_test_doc_get (state, path);

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    g_error ("%s is not a boolean", path);

  return json_node_get_boolean (node);
}

guint
pd_test_doc_length (PdState    *state,
                    const char *path)
{
  JsonNode *node = pd_test_doc_get (state, path);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    g_error ("%s is not a list", path);

  return json_array_get_length (json_node_get_array (node));
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  PdNotifyCounter *counter = user_data;
  guint            n = GPOINTER_TO_UINT (g_hash_table_lookup (counter->counts, pspec->name));

  g_hash_table_insert (counter->counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

void
pd_notify_counter_init (PdNotifyCounter *counter,
                        gpointer         object)
{
  counter->counts = g_hash_table_new (g_str_hash, g_str_equal);
  counter->object = object;
  g_object_add_weak_pointer (object, (gpointer *) &counter->object);
  counter->handler = g_signal_connect (object, "notify", G_CALLBACK (on_notify), counter);
}

void
pd_notify_counter_clear (PdNotifyCounter *counter)
{
  if (counter->object != NULL)
    {
      g_clear_signal_handler (&counter->handler, counter->object);
      g_object_remove_weak_pointer (counter->object, (gpointer *) &counter->object);
      counter->object = NULL;
    }
  g_clear_pointer (&counter->counts, g_hash_table_unref);
}

guint
pd_notify_counter_get (PdNotifyCounter *counter,
                       const char      *property)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counter->counts, property));
}

guint
pd_notify_counter_total (PdNotifyCounter *counter)
{
  GHashTableIter iter;
  gpointer       value;
  guint          total = 0;

  g_hash_table_iter_init (&iter, counter->counts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += GPOINTER_TO_UINT (value);

  return total;
}

void
pd_notify_counter_reset (PdNotifyCounter *counter)
{
  g_hash_table_remove_all (counter->counts);
}

gboolean
pd_test_wait_until (PdTestCondition condition,
                    gpointer        data,
                    guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }

  return TRUE;
}

void
pd_test_spin (guint milliseconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) milliseconds * 1000;

  while (g_get_monotonic_time () < until)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

void
pd_test_store_result (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  GAsyncResult **out = data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

static gboolean
result_arrived (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

gboolean
pd_test_wait_for_result (GAsyncResult **result,
                         guint          seconds)
{
  return pd_test_wait_until (result_arrived, result, seconds);
}

void
pd_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        pd_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
pd_test_run_clear (PdTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

void
pd_test_run (PdTestRun           *run,
             GSubprocessLauncher *launcher,
             const char *const   *argv)
{
  g_autoptr (GSubprocessLauncher) own = NULL;
  g_autoptr (GSubprocess)         proc = NULL;
  g_autoptr (GError)              error = NULL;

  if (launcher == NULL)
    launcher = own = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  pd_test_run_clear (run);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
}

/* Not secret_password_lookup_sync(): libsecret 0.20 leaks each of its
 * answers (see pd-secrets.c), and the suite runs under LeakSanitizer. A
 * search that loads the secrets leaks nothing.
 */
char *
pd_test_keyring_lookup (const SecretSchema *schema,
                        const char         *name,
                        const char         *value)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (SecretService) service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &error);
  g_autoptr (GHashTable)    attributes = NULL;
  GList                    *items;
  char                     *secret = NULL;

  g_assert_no_error (error);
  attributes = secret_attributes_build (schema, name, value, NULL);
  items = secret_service_search_sync (service, schema, attributes, SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                                      NULL, &error);
  g_assert_no_error (error);
  if (items != NULL)
    {
      g_autoptr (SecretValue) found = secret_item_get_secret (items->data);

      g_assert_nonnull (found);
      secret = g_strdup (secret_value_get_text (found));
    }
  g_list_free_full (items, g_object_unref);

  return secret;
}
