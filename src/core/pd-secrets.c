/* pd-secrets.c — access codes in the keyring, and nowhere else
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin layer over libsecret's password API, which picks the Secret
 * Service on the session bus (or the Secret portal inside Flatpak). What it
 * adds: one schema, labels people recognise in Seahorse, and errors sorted
 * into the three cases the app treats differently (no keyring at all, a
 * locked one, anything else). An access code is never logged, and the
 * copies this file holds are overwritten before they are freed.
 */

#define G_LOG_DOMAIN "pd-secrets"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pd-mirror-server.h"
#include "pd-secrets.h"

#define MIRROR_TOKEN_KIND "mirror-token"

static const SecretSchema access_code_schema = {
  "io.github.printdeck.Printdeck.AccessCode",
  SECRET_SCHEMA_NONE,
  {
    { "serial", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
};

/* Its own schema: a lookup of printers' codes never finds it, and Seahorse
 * shows it apart. The one attribute says what it is, as the search for a
 * locked item needs one (see search_locked()).
 */
static const SecretSchema mirror_token_schema = {
  "io.github.printdeck.Printdeck.MirrorToken",
  SECRET_SCHEMA_NONE,
  {
    { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
  NULL,
};

GQuark
pd_secrets_error_quark (void)
{
  return g_quark_from_static_string ("pd-secrets-error-quark");
}

/**
 * pd_secrets_get_schema:
 *
 * Returns: (transfer none): the schema access codes are stored under
 */
const SecretSchema *
pd_secrets_get_schema (void)
{
  return &access_code_schema;
}

/**
 * pd_secrets_code_free:
 * @access_code: (nullable) (transfer full): a code from pd_secrets_lookup_finish()
 *
 * Overwrites the code, then frees it.
 */
void
pd_secrets_code_free (char *access_code)
{
  if (access_code == NULL)
    return;

  memset (access_code, 0, strlen (access_code));
  g_free (access_code);
}

static gboolean
remote_name_says_locked (const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error (error);

  return name != NULL && (strstr (name, "Locked") != NULL || strstr (name, "locked") != NULL);
}

/* gnome-keyring 42 without a usable login keyring, when it cannot show the
 * prompt to create or unlock one, answers UnknownMethod "Object does not
 * exist at path “/org/freedesktop/secrets/collection/login”": for the user
 * that is a keyring that has to be unlocked (or set up) first.
 */
static gboolean
is_missing_collection (const GError *error)
{
  return (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)) &&
         strstr (error->message, "/org/freedesktop/secrets/collection/") != NULL;
}

/* The one error a locked (or not yet set up) keyring gives. */
static GError *
locked_error (void)
{
  return g_error_new_literal (PD_SECRETS_ERROR, PD_SECRETS_ERROR_LOCKED, _("The keyring is locked."));
}

/* Sorts libsecret's errors into ours. Takes @error. */
static GError *
map_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  /* The message may name D-Bus paths, never the secret: fine for the log. */
  g_debug ("keyring: %s (%s %d)", error->message, g_quark_to_string (error->domain), error->code);

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) || remote_name_says_locked (error) ||
      is_missing_collection (error))
    mapped = locked_error ();
  else if ((error->domain == G_DBUS_ERROR &&
            (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
             error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
             error->code == G_DBUS_ERROR_NO_SERVER ||
             error->code == G_DBUS_ERROR_DISCONNECTED ||
             error->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
             error->code == G_DBUS_ERROR_SPAWN_FORK_FAILED ||
             error->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED ||
             error->code == G_DBUS_ERROR_SPAWN_CHILD_SIGNALED ||
             error->code == G_DBUS_ERROR_SPAWN_FAILED ||
             error->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND)) ||
           /* Remote errors arrive as G_DBUS_ERROR or SECRET_ERROR; a plain
            * I/O error comes from reaching the bus itself ("Cannot
            * autolaunch D-Bus without X11 $DISPLAY", a missing socket).
            */
           (error->domain == G_IO_ERROR && error->code != G_IO_ERROR_DBUS_ERROR &&
            error->code != G_IO_ERROR_TIMED_OUT))
    mapped = g_error_new_literal (PD_SECRETS_ERROR, PD_SECRETS_ERROR_UNAVAILABLE,
                                  _("No keyring is available. Printdeck keeps access codes only in the keyring."));
  else
    mapped = g_error_new_literal (PD_SECRETS_ERROR, PD_SECRETS_ERROR_FAILED, error->message);

  g_error_free (error);
  return mapped;
}

/* Memory only ---------------------------------------------------------------*/

/* The demo's simulated printers have throw-away codes: they are kept in this
 * process's memory and never reach the user's keyring (nor any file).
 */
static GMutex      memory_lock;
static GHashTable *memory;       /* serial → code, NULL unless memory-only */
static char       *memory_token; /* the mirror's, while memory-only */

static void
wipe_and_free (gpointer code)
{
  pd_secrets_code_free (code);
}

/**
 * pd_secrets_set_memory_only:
 * @memory_only: whether codes stay in memory instead of the keyring
 *
 * For the demo only: its simulated printers' codes must not end up in the
 * user's keyring. Codes stored while it is on are forgotten when it goes off.
 */
void
pd_secrets_set_memory_only (gboolean memory_only)
{
  g_mutex_lock (&memory_lock);
  if (memory_only && memory == NULL)
    memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_and_free);
  else if (!memory_only)
    {
      g_clear_pointer (&memory, g_hash_table_unref);
      g_clear_pointer (&memory_token, pd_secrets_code_free);
    }
  g_mutex_unlock (&memory_lock);
}

static gboolean
memory_only (void)
{
  gboolean on;

  g_mutex_lock (&memory_lock);
  on = memory != NULL;
  g_mutex_unlock (&memory_lock);

  return on;
}

static void
memory_store (const char *serial,
              const char *access_code)
{
  g_mutex_lock (&memory_lock);
  if (memory != NULL)
    g_hash_table_replace (memory, g_strdup (serial), g_strdup (access_code));
  g_mutex_unlock (&memory_lock);
}

static char *
memory_lookup (const char *serial)
{
  char *code = NULL;

  g_mutex_lock (&memory_lock);
  if (memory != NULL)
    code = g_strdup (g_hash_table_lookup (memory, serial));
  g_mutex_unlock (&memory_lock);

  return code;
}

/* The mirror's token, while memory-only. */
static void
memory_store_token (const char *token)
{
  g_mutex_lock (&memory_lock);
  if (memory != NULL)
    {
      pd_secrets_code_free (memory_token);
      memory_token = g_strdup (token);
    }
  g_mutex_unlock (&memory_lock);
}

static char *
memory_lookup_token (void)
{
  char *token;

  g_mutex_lock (&memory_lock);
  token = memory != NULL ? g_strdup (memory_token) : NULL;
  g_mutex_unlock (&memory_lock);

  return token;
}

static void
memory_clear (const char *serial)
{
  g_mutex_lock (&memory_lock);
  if (memory != NULL)
    g_hash_table_remove (memory, serial);
  g_mutex_unlock (&memory_lock);
}


/* Store ---------------------------------------------------------------------*/

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr (GTask) task = data;
  GError           *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, map_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pd_secrets_store_async:
 * @serial: the printer's serial number
 * @access_code: its access code (for a farm bridge: the bridge's password)
 * @cancellable: (nullable): a cancellable
 * @callback: called when the code is stored or could not be
 * @user_data: data for @callback
 *
 * Stores the code in the default collection, replacing any earlier code of
 * @serial. The keyring may ask the user to unlock it.
 */
void
pd_secrets_store_async (const char         *serial,
                        const char         *access_code,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char  *label = NULL;

  g_return_if_fail (serial != NULL && *serial != '\0');
  g_return_if_fail (access_code != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_store_async);
  g_task_set_name (task, "[printdeck] store access code");

  if (memory_only ())
    {
      memory_store (serial, access_code);
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* TRANSLATORS: the label of the keyring item, as Passwords and Keys shows it */
  label = g_strdup_printf (_("Printdeck: access code of printer %s"), serial);
  secret_password_store (&access_code_schema, SECRET_COLLECTION_DEFAULT, label, access_code,
                         cancellable, on_stored, g_steal_pointer (&task),
                         "serial", serial,
                         NULL);
}

gboolean
pd_secrets_store_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}


/* Lookup --------------------------------------------------------------------*/

/* After a lookup found no code: is there one, in a locked collection?
 * libsecret asks to unlock it; where no prompt can be shown (or the user
 * dismissed it) the lookup just reports nothing, which would read as
 * "no code saved" in the window. A search that does not unlock tells the
 * two apart. Any failure here keeps the answer "no code".
 */
typedef struct
{
  const SecretSchema *schema;
  GHashTable         *attributes;        /* for the schema */
  GHashTable         *locked_attributes; /* the one attribute alone */
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_hash_table_unref (lookup->attributes);
  g_hash_table_unref (lookup->locked_attributes);
  g_free (lookup);
}

static void
on_locked_searched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      data)
{
  g_autoptr (GTask)  task = data;
  g_autoptr (GError) error = NULL;
  GList             *items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  gboolean           locked = FALSE;

  for (GList *l = items; l != NULL; l = l->next)
    locked |= secret_item_get_locked (l->data);
  g_list_free_full (items, g_object_unref);

  if (error != NULL)
    g_debug ("keyring: search for a locked code: %s", error->message);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (locked)
    g_task_return_error (task, locked_error ());
  else
    g_task_return_pointer (task, NULL, NULL);
}

/* No code came back: tells a locked one from none at all. By our attribute
 * alone: gnome-keyring matches the hashed attributes of a locked keyring,
 * but not its "xdg:schema" (which libsecret adds when given the schema).
 * Takes @task.
 */
static void
search_locked (SecretService *service,
               GTask         *task)
{
  const Lookup *lookup = g_task_get_task_data (task);

  secret_service_search (service, NULL, lookup->locked_attributes, SECRET_SEARCH_ALL, g_task_get_cancellable (task),
                         on_locked_searched, task);
}

static void
on_service_for_search (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr (GTask)         task = data;
  g_autoptr (GError)        error = NULL;
  g_autoptr (SecretService) service = secret_service_get_finish (result, &error);

  if (service == NULL)
    {
      g_debug ("keyring: no service to search: %s", error->message);
      if (!g_task_return_error_if_cancelled (task))
        g_task_return_pointer (task, NULL, NULL);
      return;
    }

  search_locked (service, g_steal_pointer (&task));
}

/* Gives @task libsecret's @error, sorted. Takes both. */
static void
return_error (GTask  *task,
              GError *error)
{
  g_task_return_error (task, map_error (error));
  g_object_unref (task);
}

/* Gives @task its answer: @code, else a locked code or none. Takes both. */
static void
return_code (GTask *task,
             char  *code)
{
  if (code != NULL)
    {
      g_task_return_pointer (task, code, (GDestroyNotify) pd_secrets_code_free);
      g_object_unref (task);
    }
  else
    {
      /* The cancellable first: the task is given away in the same call. */
      GCancellable *cancellable = g_task_get_cancellable (task);

      secret_service_get (SECRET_SERVICE_NONE, cancellable, on_service_for_search, task);
    }
}

/* A copy of @value's text (taken), or NULL. */
static char *
code_from_value (SecretValue *value)
{
  const char *text = value != NULL ? secret_value_get_text (value) : NULL;
  char       *code = text != NULL ? g_strdup (text) : NULL;

  g_clear_pointer (&value, secret_value_unref);

  return code;
}

/* The answer of secret_password_lookup() (inside Flatpak). */
static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GTask  *task = data;
  GError *error = NULL;
  char   *code = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    return_error (task, error);
  else
    return_code (task, code);
}

/* The answer of the Secret Service's search, secrets loaded. */
static void
on_code_searched (GObject      *source,
                  GAsyncResult *result,
                  gpointer      data)
{
  GTask       *task = data;
  GError      *error = NULL;
  GList       *items = secret_service_search_finish (SECRET_SERVICE (source), result, &error);
  SecretItem  *item = items != NULL ? items->data : NULL;
  SecretValue *value = item != NULL ? secret_item_get_secret (item) : NULL;

  if (error != NULL)
    return_error (task, error);
  else if (item != NULL && secret_item_get_locked (item))
    {
      /* The user declined to unlock the keyring, or could not be asked. */
      g_task_return_error (task, locked_error ());
      g_object_unref (task);
    }
  else if (value != NULL)
    return_code (task, code_from_value (g_steal_pointer (&value)));
  else
    search_locked (SECRET_SERVICE (source), task);

  g_list_free_full (items, g_object_unref);
}

static void
on_service_for_lookup (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  GTask         *task = data;
  GError        *error = NULL;
  SecretService *service = secret_service_get_finish (result, &error);
  const Lookup  *lookup = g_task_get_task_data (task);

  if (service == NULL)
    {
      return_error (task, error);
      return;
    }

  secret_service_search (service, lookup->schema, lookup->attributes, SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                         g_task_get_cancellable (task), on_code_searched, task);
  g_object_unref (service);
}

/* libsecret 0.20's secret_password_lookup() leaks the Secret Service's
 * GetSecrets answer (a GVariant tree, about 1 kB a lookup; seen with
 * LeakSanitizer), where a search of the service that loads the secrets
 * leaks nothing. Inside Flatpak libsecret keeps the secrets in a file of
 * its own, opened with the Secret portal's key, which only its password
 * API reaches: there the lookup stays.
 */
static gboolean
use_password_api (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* Looks up the one secret of @schema whose @name is @value, for @task. */
static void
look_up (GTask              *task,
         const SecretSchema *schema,
         const char         *name,
         const char         *value)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->schema = schema;
  lookup->attributes = secret_attributes_build (schema, name, value, NULL);
  lookup->locked_attributes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (lookup->locked_attributes, g_strdup (name), g_strdup (value));
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  if (use_password_api ())
    secret_password_lookupv (schema, lookup->attributes, g_task_get_cancellable (task), on_looked_up, task);
  else
    secret_service_get (SECRET_SERVICE_OPEN_SESSION, g_task_get_cancellable (task), on_service_for_lookup, task);
}

/**
 * pd_secrets_lookup_async:
 * @serial: the printer's serial number
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Looks the access code of @serial up. The keyring may ask the user to
 * unlock it; if the user declines (or no prompt can be shown) and the code
 * is there but locked away, the result is %PD_SECRETS_ERROR_LOCKED.
 */
void
pd_secrets_lookup_async (const char         *serial,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (serial != NULL && *serial != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_lookup_async);
  g_task_set_name (task, "[printdeck] look up access code");

  if (memory_only ())
    {
      g_task_return_pointer (task, memory_lookup (serial), (GDestroyNotify) pd_secrets_code_free);
      g_object_unref (task);
      return;
    }

  look_up (task, &access_code_schema, "serial", serial);
}

/**
 * pd_secrets_lookup_finish:
 * @result: the result
 * @error: return location for a %PD_SECRETS_ERROR
 *
 * Returns: (transfer full) (nullable): the code, to be freed with
 *   pd_secrets_code_free(); %NULL without @error set when the keyring has
 *   no code for the serial
 */
char *
pd_secrets_lookup_finish (GAsyncResult *result,
                          GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear ---------------------------------------------------------------------*/

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (GTask) task = data;
  GError           *error = NULL;

  /* FALSE without an error: there was nothing to delete, which is fine. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, map_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pd_secrets_clear_async:
 * @serial: the printer's serial number
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Deletes the access code of @serial from the keyring.
 */
void
pd_secrets_clear_async (const char         *serial,
                        GCancellable       *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (serial != NULL && *serial != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_clear_async);
  g_task_set_name (task, "[printdeck] clear access code");

  if (memory_only ())
    {
      memory_clear (serial);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  secret_password_clear (&access_code_schema, cancellable, on_cleared, task,
                         "serial", serial,
                         NULL);
}

/**
 * pd_secrets_clear_finish:
 * @result: the result
 * @error: return location for a %PD_SECRETS_ERROR
 *
 * Returns: %TRUE if the keyring holds no code for the serial any more
 *   (also when it held none)
 */
gboolean
pd_secrets_clear_finish (GAsyncResult *result,
                         GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The mirror's token ------------------------------------------------------------*/

/**
 * pd_secrets_get_mirror_token_schema:
 *
 * Returns: (transfer none): the schema the mirror's token is stored under
 */
const SecretSchema *
pd_secrets_get_mirror_token_schema (void)
{
  return &mirror_token_schema;
}

/**
 * pd_secrets_lookup_mirror_token_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Looks the mirror's access token up, as pd_secrets_lookup_async() does a
 * printer's code (the keyring may ask to be unlocked).
 */
void
pd_secrets_lookup_mirror_token_async (GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_lookup_mirror_token_async);
  g_task_set_name (task, "[printdeck] look up mirror token");

  if (memory_only ())
    {
      g_task_return_pointer (task, memory_lookup_token (), (GDestroyNotify) pd_secrets_code_free);
      g_object_unref (task);
      return;
    }

  look_up (task, &mirror_token_schema, "kind", MIRROR_TOKEN_KIND);
}

/**
 * pd_secrets_lookup_mirror_token_finish:
 * @result: the result
 * @error: return location for a %PD_SECRETS_ERROR
 *
 * Returns: (transfer full) (nullable): the token, to be freed with
 *   pd_secrets_code_free(); %NULL without @error set when there is none yet
 */
char *
pd_secrets_lookup_mirror_token_finish (GAsyncResult *result,
                                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_lookup_mirror_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
store_mirror_token (const char   *token,
                    GCancellable *cancellable,
                    GTask        *task)
{
  if (memory_only ())
    {
      memory_store_token (token);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  /* TRANSLATORS: the label of the keyring item, as Passwords and Keys shows it */
  secret_password_store (&mirror_token_schema, SECRET_COLLECTION_DEFAULT, _("Printdeck: mirror access code"), token, cancellable, on_stored, task, "kind", MIRROR_TOKEN_KIND, NULL);
}

/**
 * pd_secrets_store_mirror_token_async:
 * @token: the mirror's access token
 * @cancellable: (nullable): a cancellable
 * @callback: called when the token is stored or could not be
 * @user_data: data for @callback
 *
 * Stores the token in the default collection, replacing the one before.
 */
void
pd_secrets_store_mirror_token_async (const char         *token,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (token != NULL && *token != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_store_mirror_token_async);
  g_task_set_name (task, "[printdeck] store mirror token");
  store_mirror_token (token, cancellable, task);
}

gboolean
pd_secrets_store_mirror_token_finish (GAsyncResult *result,
                                      GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_store_mirror_token_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_regenerated_stored (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  g_autoptr (GTask) task = data;
  GError           *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (g_task_get_task_data (task)), (GDestroyNotify) pd_secrets_code_free);
}

/**
 * pd_secrets_regenerate_mirror_token_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called with the new token, or why it could not be stored
 * @user_data: data for @callback
 *
 * Makes a new access token for the mirror (pd_mirror_generate_token()) and
 * stores it in place of the old one. Also how the first one is made.
 */
void
pd_secrets_regenerate_mirror_token_async (GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  GTask *task;
  GTask *store;
  char  *token;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_secrets_regenerate_mirror_token_async);
  g_task_set_name (task, "[printdeck] regenerate mirror token");
  token = pd_mirror_generate_token ();
  g_task_set_task_data (task, token, (GDestroyNotify) pd_secrets_code_free);

  /* The new token is the result only once it is stored: a token that is
   * not in the keyring would be lost with the next start. */
  store = g_task_new (NULL, cancellable, on_regenerated_stored, task);
  g_task_set_source_tag (store, pd_secrets_store_mirror_token_async);
  store_mirror_token (token, cancellable, store);
}

/**
 * pd_secrets_regenerate_mirror_token_finish:
 * @result: the result
 * @error: return location for a %PD_SECRETS_ERROR
 *
 * Returns: (transfer full): the new token, to be freed with
 *   pd_secrets_code_free(), or %NULL with @error
 */
char *
pd_secrets_regenerate_mirror_token_finish (GAsyncResult *result,
                                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_secrets_regenerate_mirror_token_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
