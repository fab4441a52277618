/* pd-printer-store.c — the user's printers, each with its session
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three places, three kinds of data:
 *
 *  - config_dir/printers.ini: what the user said (PdPrinterConfig), one
 *    group "printer <serial>" per printer, in the order they were added,
 *    plus [general] version=1. Written whole and atomically (temporary file,
 *    fsync, rename; mode 0600) after every change. Groups and keys this
 *    version does not know are kept as they are, so that an older Printdeck
 *    does not throw away what a newer one wrote.
 *  - the keyring (PdSecrets): the access codes, and nowhere else. An add
 *    stores the code first: if the keyring refuses it, nothing is added.
 *  - cache_dir/state.json: each printer's last known state, written as a
 *    report in the printer's own format (pd_state_to_report()), so that the
 *    app shows the last state at once on start while the sessions connect.
 *    {"version": 1, "printers": {"<serial>": <report>}}, the reports of
 *    pd_state_to_cache() (with the little a report cannot carry beside it).
 *
 * A printers.ini that cannot be read is never overwritten: the load fails
 * with an error that names a copy (printers.ini.corrupt-<time>), and every
 * change (add, update, remove, a newly pinned certificate) is refused until
 * the user fixes the file and loads again, or starts over with
 * pd_printer_store_reset_config(). A damaged state.json only costs the
 * cached states: it is bad input for the report parser like any other.
 *
 * Nothing here blocks the main loop on the keyring; the config is small and
 * written synchronously (like GKeyFile-based settings elsewhere), reading
 * both files and writing the cache in the background happen on a worker.
 */

#define G_LOG_DOMAIN "pd-printer-store"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pd-json.h"
#include "pd-model.h"
#include "pd-printer-store.h"
#include "pd-job-tracker.h"
#include "pd-report.h"
#include "pd-secrets.h"
#include "pd-state-cache.h"

#define CONFIG_FILE        "printers.ini"
#define CACHE_FILE         "state.json"
#define CONFIG_VERSION     1
#define CACHE_VERSION      1
#define GROUP_GENERAL      "general"
#define GROUP_PREFIX       PD_PRINTER_CONFIG_GROUP_PREFIX
#define CACHE_SAVE_SECONDS 60
/* Far more than 1000 printers' reports; a bigger file is not ours. */
#define MAX_CACHE_BYTES (64 * 1024 * 1024)
/* Our own file nests 6 levels; json-glib recurses without a limit. */
#define MAX_CACHE_DEPTH       40
#define DEFAULT_STALE_TIMEOUT 60

/* One printer: its configuration, its live object, its session. Reference
 * counted, because keyring replies may come back after it was removed.
 */
typedef struct
{
  PdPrinterStore  *store; /* NULL once removed, or when the store is gone */
  PdPrinterConfig *config;
  PdPrinter       *printer;
  PdSession       *session;
  gboolean         started;      /* the session has its code and runs */
  gboolean         looking_up;   /* a keyring lookup is under way */
  gboolean         bridge_given; /* the session was given bridge settings */
  gboolean         removing;     /* out of the config, its code being deleted from the keyring */
  PdCameraSource  *camera;       /* made on first use */
  PdDebugLog      *debug_log;    /* made on first use */
  PdJobTracker    *jobs;         /* reads each job's file from the printer */
  char            *code;         /* the printer's access code, for the camera; NULL with a bridge */
} Entry;

struct _PdPrinterStore
{
  GObject       parent_instance;

  char         *config_dir;
  char         *cache_dir;

  GPtrArray    *entries; /* Entry, in list order */
  GKeyFile     *keyfile; /* printers.ini as read and changed since */
  gboolean      loading;
  gboolean      loaded;       /* the config was read: saving is allowed */
  char         *config_error; /* why it could not be, until the user acts */
  GHashTable   *adding;       /* serials being added */

  char         *keyring_error;
  char         *round_error; /* first keyring error of the lookups under way */
  guint         n_lookups;
  guint         stale_timeout;
  GCancellable *cancellable;

  /* The cache: saves are numbered, and a write only happens if no newer
   * one was written already (a background save can end after the final
   * synchronous one).
   */
  GMutex        cache_lock;
  guint64       cache_generation; /* main thread */
  guint64       cache_written;    /* under cache_lock */
  guint         cache_timeout_id;
};

static void pd_printer_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PdPrinterStore, pd_printer_store, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pd_printer_store_list_model_init))

enum
{
  PROP_0,
  PROP_CONFIG_DIR,
  PROP_CACHE_DIR,
  PROP_KEYRING_ERROR,
  PROP_STALE_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Entries ---------------------------------------------------------------------*/

static void
forget_code (Entry *entry)
{
  if (entry->code != NULL)
    memset (entry->code, 0, strlen (entry->code));
  g_clear_pointer (&entry->code, g_free);
}

static void
entry_clear (Entry *entry)
{
  if (entry->camera != NULL)
    g_signal_handlers_disconnect_by_data (entry->camera, entry);
  g_clear_object (&entry->camera);
  if (entry->jobs != NULL)
    pd_job_tracker_stop (entry->jobs);
  g_clear_object (&entry->jobs);
  if (entry->debug_log != NULL)
    pd_debug_log_stop (entry->debug_log);
  g_clear_object (&entry->debug_log);
  forget_code (entry);
  g_clear_object (&entry->session);
  g_clear_object (&entry->printer);
  g_clear_pointer (&entry->config, pd_printer_config_free);
}

static Entry *
entry_ref (Entry *entry)
{
  return g_rc_box_acquire (entry);
}

static void
entry_unref (Entry *entry)
{
  g_rc_box_release_full (entry, (GDestroyNotify) entry_clear);
}

static Entry *
find_entry (PdPrinterStore *self,
            const char     *serial,
            guint          *position)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_strcmp0 (entry->config->serial, serial) == 0)
        {
          if (position != NULL)
            *position = i;
          return entry;
        }
    }

  return NULL;
}

static Entry *
find_entry_by_printer (PdPrinterStore *self,
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

/* The camera follows the printer: its kind (from the model), address,
 * access code, pinned certificate, and whether LAN live view is on. */
static void
camera_sync (Entry *entry)
{
  const PdPrinterConfig *config = entry->config;
  PdState               *state;
  gboolean               disabled = FALSE;

  if (entry->camera == NULL)
    return;

  state = pd_printer_get_state (entry->printer);
  if (state != NULL && state->rtsp_url != NULL)
    disabled = g_str_equal (state->rtsp_url, "disable");

  pd_camera_source_set_pinned_fingerprint (entry->camera, config->fingerprint);
  pd_camera_source_set_address (entry->camera, config->host, (guint16) config->camera_port);
  pd_camera_source_set_access_code (entry->camera, entry->code);
  pd_camera_source_set_liveview_disabled (entry->camera, disabled);
  pd_camera_source_set_access_code_verified (entry->camera,
                                             entry->code != NULL &&
                                             pd_printer_get_connection (entry->printer) == PD_CONNECTION_CONNECTED);
  pd_camera_source_set_kind (entry->camera, entry->store != NULL ? pd_printer_get_camera_kind (entry->printer)
                                                                 : PD_CAMERA_KIND_NONE);
}

/* The job tracker follows the config: address, FTPS port and user, the
 * access code (none through a bridge), the pinned certificate. */
static void
jobs_sync (Entry *entry)
{
  const PdPrinterConfig *config = entry->config;

  if (entry->store == NULL)
    {
      pd_job_tracker_stop (entry->jobs);
      return;
    }
  pd_job_tracker_set_pinned_fingerprint (entry->jobs, config->fingerprint);
  pd_job_tracker_set_address (entry->jobs, config->host, config->ftp_port, config->ftp_user);
  pd_job_tracker_set_access_code (entry->jobs, entry->code);
}

/* Gives the session the code: a printer's (user bblp, TLS) or a bridge's. */
static void
entry_apply_code (Entry      *entry,
                  const char *code)
{
  const PdPrinterConfig *config = entry->config;

  /* A bridge's password is not the printer's access code: no camera then. */
  forget_code (entry);
  if (config->bridge_user == NULL)
    entry->code = g_strdup (code);
  camera_sync (entry);
  jobs_sync (entry);
  /* a printer's code or a bridge's password: neither may show in the log */
  if (entry->debug_log != NULL)
    pd_debug_log_set_secret (entry->debug_log, code);

  if (config->bridge_user != NULL || entry->bridge_given)
    {
      /* A NULL user puts the session back to a printer's settings. */
      pd_session_set_bridge (entry->session, config->bridge_user, code,
                             config->bridge_user != NULL ? config->bridge_tls : TRUE);
      entry->bridge_given = config->bridge_user != NULL;
    }
  else
    pd_session_set_access_code (entry->session, code);
}

static void
entry_start (Entry      *entry,
             const char *code)
{
  entry_apply_code (entry, code);
  if (!entry->started)
    {
      entry->started = TRUE;
      pd_session_start (entry->session);
    }
}

/* Takes @entry out of the store: no more saves or signals from it. */
static void
entry_detach (Entry *entry)
{
  if (entry->store == NULL)
    return;

  g_signal_handlers_disconnect_by_data (entry->session, entry);
  g_signal_handlers_disconnect_by_data (entry->printer, entry);
  entry->store = NULL;
  /* Views of a removed printer show "no camera" and let go. */
  camera_sync (entry);
  jobs_sync (entry);
  /* A clean DISCONNECT, so the printer frees our client slot at once. */
  pd_session_stop (entry->session);
  entry->started = FALSE;
}

/* The config file -------------------------------------------------------------*/

static char *
group_name (const char *serial)
{
  return g_strconcat (GROUP_PREFIX, serial, NULL);
}

static void
set_or_remove_string (GKeyFile   *keyfile,
                      const char *group,
                      const char *key,
                      const char *value)
{
  if (value != NULL)
    g_key_file_set_string (keyfile, group, key, value);
  else
    g_key_file_remove_key (keyfile, group, key, NULL);
}

static void
write_group (GKeyFile              *keyfile,
             const PdPrinterConfig *config)
{
  g_autofree char *group = group_name (config->serial);

  set_or_remove_string (keyfile, group, "name", config->name);
  g_key_file_set_string (keyfile, group, "host", config->host);
  g_key_file_set_integer (keyfile, group, "port", (int) config->port);
  set_or_remove_string (keyfile, group, "model", config->model);
  set_or_remove_string (keyfile, group, "fingerprint", config->fingerprint);
  set_or_remove_string (keyfile, group, "bridge-user", config->bridge_user);
  if (config->bridge_user != NULL)
    g_key_file_set_boolean (keyfile, group, "bridge-tls", config->bridge_tls);
  else
    g_key_file_remove_key (keyfile, group, "bridge-tls", NULL);
  if (config->camera_port != 0)
    g_key_file_set_integer (keyfile, group, "camera-port", (int) config->camera_port);
  else
    g_key_file_remove_key (keyfile, group, "camera-port", NULL);
  if (config->ftp_port != 0)
    g_key_file_set_integer (keyfile, group, "ftp-port", (int) config->ftp_port);
  else
    g_key_file_remove_key (keyfile, group, "ftp-port", NULL);
  set_or_remove_string (keyfile, group, "ftp-user", config->ftp_user);
}

static char *
config_path (PdPrinterStore *self)
{
  return g_build_filename (self->config_dir, CONFIG_FILE, NULL);
}

static char *
cache_path (PdPrinterStore *self)
{
  return g_build_filename (self->cache_dir, CACHE_FILE, NULL);
}

static gboolean
refuse_changes (PdPrinterStore *self,
                GError        **error)
{
  if (self->loaded)
    return FALSE;

  if (self->config_error != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, self->config_error);
  else
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                         _("The list of printers has not been read yet"));
  return TRUE;
}

static gboolean
write_file (const char           *dir,
            const char           *path,
            const char           *data,
            gsize                 length,
            GFileSetContentsFlags flags,
            GError              **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  return g_file_set_contents_full (path, data, length, flags, 0600, error);
}

/* Writes printers.ini from self->keyfile. On failure the keyfile is put
 * back as it was (@before), so memory and disk agree.
 */
static gboolean
save_config (PdPrinterStore *self,
             const char     *before,
             GError        **error)
{
  g_autofree char   *path = config_path (self);
  g_autofree char   *data = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize              length;

  if (refuse_changes (self, error))
    return FALSE;

  g_key_file_set_integer (self->keyfile, GROUP_GENERAL, "version", CONFIG_VERSION);
  data = g_key_file_to_data (self->keyfile, &length, NULL);

  if (!write_file (self->config_dir, path, data, length,
                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, &local_error))
    {
      if (before != NULL)
        g_key_file_load_from_data (self->keyfile, before, (gsize) -1,
                                   G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, NULL);
      g_set_error (error, local_error->domain, local_error->code,
                   _("Cannot save the list of printers: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}

static char *
snapshot_config (PdPrinterStore *self)
{
  return g_key_file_to_data (self->keyfile, NULL, NULL);
}

/* The cache file --------------------------------------------------------------*/

typedef struct
{
  char    *serial;
  PdState *state;
} CacheItem;

static void
cache_item_free (CacheItem *item)
{
  g_free (item->serial);
  g_clear_pointer (&item->state, pd_state_unref);
  g_free (item);
}

typedef struct
{
  char      *dir;
  char      *path;
  GPtrArray *items; /* CacheItem */
  guint64    generation;
} CacheSave;

static void
cache_save_free (CacheSave *save)
{
  g_free (save->dir);
  g_free (save->path);
  g_ptr_array_unref (save->items);
  g_free (save);
}

/* Takes the states now, on the main thread; they are immutable. */
static CacheSave *
cache_save_new (PdPrinterStore *self)
{
  CacheSave *save = g_new0 (CacheSave, 1);

  save->dir = g_strdup (self->cache_dir);
  save->path = cache_path (self);
  save->items = g_ptr_array_new_with_free_func ((GDestroyNotify) cache_item_free);
  save->generation = ++self->cache_generation;

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry     *entry = g_ptr_array_index (self->entries, i);
      PdState   *state = pd_printer_get_state (entry->printer);
      CacheItem *item;

      /* Nothing heard yet: nothing to remember. */
      if (state->n_reports == 0)
        continue;

      item = g_new0 (CacheItem, 1);
      item->serial = g_strdup (entry->config->serial);
      item->state = pd_state_ref (state);
      g_ptr_array_add (save->items, item);
    }

  return save;
}

static char *
cache_to_text (GPtrArray *items)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CACHE_VERSION);
  json_builder_set_member_name (b, "printers");
  json_builder_begin_object (b);
  for (guint i = 0; i < items->len; i++)
    {
      CacheItem *item = g_ptr_array_index (items, i);

      json_builder_set_member_name (b, item->serial);
      json_builder_add_value (b, pd_state_to_cache (item->state));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pd_json_to_string (root, FALSE);
}

/* Runs on any thread. */
static gboolean
cache_save_run (PdPrinterStore *self,
                CacheSave      *save,
                GError        **error)
{
  g_autofree char *text = cache_to_text (save->items);
  gboolean         ok = TRUE;

  g_mutex_lock (&self->cache_lock);
  if (save->generation > self->cache_written)
    {
      ok = write_file (save->dir, save->path, text, strlen (text), G_FILE_SET_CONTENTS_CONSISTENT, error);
      if (ok)
        self->cache_written = save->generation;
    }
  g_mutex_unlock (&self->cache_lock);

  return ok;
}

static void
cache_save_thread (GTask        *task,
                   gpointer      source,
                   gpointer      data,
                   GCancellable *cancellable)
{
  g_autoptr (GError) error = NULL;

  if (!cache_save_run (source, data, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_cache_saved (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not save the printers’ last state: %s", error->message);
}

static void
save_cache_in_background (PdPrinterStore *self)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, on_cache_saved, NULL);

  g_task_set_source_tag (task, save_cache_in_background);
  g_task_set_name (task, "[printdeck] save state cache");
  g_task_set_task_data (task, cache_save_new (self), (GDestroyNotify) cache_save_free);
  g_task_run_in_thread (task, cache_save_thread);
}

static gboolean
on_cache_timeout (gpointer data)
{
  PdPrinterStore *self = data;

  self->cache_timeout_id = 0;
  save_cache_in_background (self);

  return G_SOURCE_REMOVE;
}

/* A crash or a power cut then loses at most a minute of state. */
static void
on_printer_state_changed (PdPrinter *printer,
                          GPtrArray *changes,
                          Entry     *entry)
{
  PdPrinterStore *self = entry->store;

  camera_sync (entry);
  if (self != NULL && self->cache_timeout_id == 0)
    self->cache_timeout_id = g_timeout_add_seconds (CACHE_SAVE_SECONDS, on_cache_timeout, self);
}

/* Loading -----------------------------------------------------------------------*/

typedef struct
{
  PdPrinterConfig *config;
  PdState         *cached; /* nullable: the restored state */
} LoadedPrinter;

static void
loaded_printer_free (LoadedPrinter *loaded)
{
  pd_printer_config_free (loaded->config);
  g_clear_pointer (&loaded->cached, pd_state_unref);
  g_free (loaded);
}

typedef struct
{
  char      *config_dir;
  char      *config_path;
  char      *cache_path;
  GKeyFile  *keyfile;
  GPtrArray *printers; /* LoadedPrinter */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->config_dir);
  g_free (data->config_path);
  g_free (data->cache_path);
  g_clear_pointer (&data->keyfile, g_key_file_unref);
  g_clear_pointer (&data->printers, g_ptr_array_unref);
  g_free (data);
}

/* Keeps the file the user may want back before anything else happens. */
static char *
keep_copy (LoadData   *data,
           const char *contents,
           gsize       length)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char      *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char      *path = g_strdup_printf ("%s.corrupt-%s", data->config_path, stamp);
  g_autoptr (GError)    error = NULL;

  if (!g_file_set_contents_full (path, contents, length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, &error))
    {
      g_warning ("Could not keep a copy of %s: %s", data->config_path, error->message);
      return NULL;
    }

  return g_steal_pointer (&path);
}

static void
set_unreadable_error (LoadData   *data,
                      const char *contents,
                      gsize       length,
                      const char *reason,
                      GError    **error)
{
  g_autofree char *copy = keep_copy (data, contents, length);

  if (copy != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("The list of printers in %s cannot be read (%s). A copy was kept as %s. "
                   "Printdeck will not change the list until the file is fixed or you start over."),
                    data->config_path, reason, copy);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("The list of printers in %s cannot be read (%s). "
                   "Printdeck will not change the list until the file is fixed or you start over."),
                    data->config_path, reason);
}

static gboolean
load_config (LoadData *data,
             GError  **error)
{
  g_autofree char   *contents = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv)     groups = NULL;
  gsize              length = 0;
  int                version;

  data->keyfile = g_key_file_new ();
  data->printers = g_ptr_array_new_with_free_func ((GDestroyNotify) loaded_printer_free);

  if (!g_file_get_contents (data->config_path, &contents, &length, &local_error))
    {
      /* The first start: no printers yet. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_key_file_set_integer (data->keyfile, GROUP_GENERAL, "version", CONFIG_VERSION);
          return TRUE;
        }

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The list of printers cannot be read: %s"), local_error->message);
      return FALSE;
    }

  if (!g_key_file_load_from_data (data->keyfile, contents, length,
                                  G_KEY_FILE_KEEP_COMMENTS | G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    {
      set_unreadable_error (data, contents, length, local_error->message, error);
      return FALSE;
    }

  if (g_key_file_has_key (data->keyfile, GROUP_GENERAL, "version", NULL))
    {
      version = g_key_file_get_integer (data->keyfile, GROUP_GENERAL, "version", &local_error);
      if (local_error != NULL)
        {
          set_unreadable_error (data, contents, length, local_error->message, error);
          return FALSE;
        }
      if (version > CONFIG_VERSION)
        {
          g_autofree char *reason = g_strdup_printf (_("it was written by a newer version of Printdeck, format %d"),
                                                        version);

          set_unreadable_error (data, contents, length, reason, error);
          return FALSE;
        }
    }

  groups = g_key_file_get_groups (data->keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr (GError) group_error = NULL;
      LoadedPrinter     *loaded;
      PdPrinterConfig   *config;

      if (!g_str_has_prefix (groups[i], GROUP_PREFIX))
        continue;

      /* Kept in the file as it is, so a fix by hand is not lost. */
      if ((config = pd_printer_config_new_from_key_file (data->keyfile, groups[i], &group_error)) == NULL)
        {
          g_message ("%s: [%s] is ignored: %s", data->config_path, groups[i], group_error->message);
          continue;
        }

      loaded = g_new0 (LoadedPrinter, 1);
      loaded->config = config;
      g_ptr_array_add (data->printers, loaded);
    }

  return TRUE;
}

/* Merges each printer's cached report into a new state of that printer,
 * through the same parser as live reports.
 */
static void
load_cache (LoadData *data)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autofree char       *contents = NULL;
  g_autoptr (GError)     error = NULL;
  JsonNode              *root;
  JsonNode              *version;
  JsonObject            *printers;
  gsize                  length = 0;
  gint64                 now = g_get_real_time ();

  if (!g_file_get_contents (data->cache_path, &contents, &length, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_message ("The printers’ last state is not restored: %s", error->message);
      return;
    }

  if (length > MAX_CACHE_BYTES || !pd_json_starts_with_container (contents, length) ||
      !pd_json_depth_within (contents, length, MAX_CACHE_DEPTH))
    {
      g_message ("The printers’ last state is not restored: %s is not a state cache", data->cache_path);
      return;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, contents, (gssize) length, &error))
    {
      g_message ("The printers’ last state is not restored: %s", error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      (version = json_object_get_member (json_node_get_object (root), "version")) == NULL ||
      !JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64 ||
      json_node_get_int (version) != CACHE_VERSION ||
      !json_object_has_member (json_node_get_object (root), "printers") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "printers")))
    {
      g_message ("The printers’ last state is not restored: %s is not a state cache of this version",
                 data->cache_path);
      return;
    }
  printers = json_object_get_object_member (json_node_get_object (root), "printers");

  for (guint i = 0; i < data->printers->len; i++)
    {
      LoadedPrinter       *loaded = g_ptr_array_index (data->printers, i);
      const char          *serial = loaded->config->serial;
      JsonNode            *node = json_object_get_member (printers, serial);
      g_autofree char     *text = NULL;
      g_autoptr (JsonNode) report = NULL;
      g_autoptr (PdState)  empty = NULL;
      g_autoptr (PdState)  base = NULL;
      g_autoptr (PdState)  state = NULL;
      g_autoptr (GError)   report_error = NULL;

      if (node == NULL)
        continue;

      /* Back to text, so the report limits apply to it as to a live one. */
      text = pd_json_to_string (node, FALSE);
      if ((report = pd_report_parse (text, -1, NULL, &report_error)) == NULL)
        {
          g_message ("%s: the last state is not restored: %s", serial, report_error->message);
          continue;
        }

      empty = pd_state_new (serial);
      base = pd_state_with_identity (empty, loaded->config->name, loaded->config->model);
      if ((state = pd_state_from_cache (base, report, now, &report_error)) == NULL)
        {
          g_message ("%s: the last state is not restored: %s", serial, report_error->message);
          continue;
        }

      loaded->cached = g_steal_pointer (&state);
    }
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData          *data = task_data;
  g_autoptr (GError) error = NULL;

  if (!load_config (data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  load_cache (data);

  g_task_return_boolean (task, TRUE);
}

/* Keyring lookups -----------------------------------------------------------------*/

static void
set_keyring_error (PdPrinterStore *self,
                   const char     *message)
{
  if (g_strcmp0 (self->keyring_error, message) == 0)
    return;

  g_free (self->keyring_error);
  self->keyring_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEYRING_ERROR]);
}

typedef struct
{
  GWeakRef store;
  Entry   *entry;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_weak_ref_clear (&lookup->store);
  entry_unref (lookup->entry);
  g_free (lookup);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Lookup, lookup_free)

static void
on_code_looked_up (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr (Lookup)         lookup = data;
  g_autoptr (PdPrinterStore) self = g_weak_ref_get (&lookup->store);
  Entry                     *entry = lookup->entry;
  g_autoptr (GError)         error = NULL;
  char                      *code = pd_secrets_lookup_finish (result, &error);

  entry->looking_up = FALSE;
  if (self == NULL)
    {
      pd_secrets_code_free (code);
      return;
    }

  /* Still in the list, and not given a code meanwhile (by an update). */
  if (entry->store == self && !entry->started && !entry->removing)
    {
      if (code != NULL)
        entry_start (entry, code);
      else
        {
          if (error == NULL)
            g_message ("%s: no access code in the keyring; not connecting", entry->config->serial);
          pd_printer_set_connection (entry->printer, PD_CONNECTION_DISCONNECTED);
          pd_printer_set_connection_reason (entry->printer,
                                            error == NULL ? PD_SESSION_REASON_NO_ACCESS_CODE
                                                          : PD_SESSION_REASON_KEYRING_FAILED);
        }
    }
  pd_secrets_code_free (code);

  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && self->round_error == NULL)
    self->round_error = g_strdup (error->message);

  g_assert (self->n_lookups > 0);
  if (--self->n_lookups == 0)
    {
      g_autofree char *message = g_steal_pointer (&self->round_error);

      set_keyring_error (self, message);
    }
}

static void
look_up_code (PdPrinterStore *self,
              Entry          *entry)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  g_weak_ref_init (&lookup->store, self);
  lookup->entry = entry_ref (entry);
  entry->looking_up = TRUE;
  self->n_lookups++;

  pd_secrets_lookup_async (entry->config->serial, self->cancellable, on_code_looked_up, lookup);
}

/* Sessions and printers -----------------------------------------------------------*/

static void
on_pinned_fingerprint (PdSession  *session,
                       GParamSpec *pspec,
                       Entry      *entry)
{
  PdPrinterStore    *self = entry->store;
  const char        *fingerprint = pd_session_get_pinned_fingerprint (session);
  g_autofree char   *before = NULL;
  g_autoptr (GError) error = NULL;

  if (self == NULL || g_strcmp0 (fingerprint, entry->config->fingerprint) == 0)
    return;

  /* Pinned on first use (or accepted by the user): keep it, so the next
   * start refuses a different certificate.
   */
  before = snapshot_config (self);
  g_free (entry->config->fingerprint);
  entry->config->fingerprint = g_strdup (fingerprint);
  jobs_sync (entry);
  write_group (self->keyfile, entry->config);
  if (!save_config (self, before, &error))
    g_warning ("%s: the pinned certificate is not saved: %s", entry->config->serial, error->message);
}

static Entry *
entry_new (PdPrinterStore        *self,
           const PdPrinterConfig *config,
           PdState               *cached)
{
  Entry *entry = g_rc_box_new0 (Entry);

  entry->store = self;
  entry->config = pd_printer_config_copy (config);
  entry->printer = pd_printer_new (config->serial);
  pd_printer_set_name (entry->printer, config->name);
  pd_printer_set_configured_model (entry->printer, config->model);

  /* The last known state at once, marked as such until a report comes. */
  if (cached != NULL)
    {
      pd_printer_set_state (entry->printer, cached);
      pd_printer_set_stale (entry->printer, TRUE);
    }

  entry->session = pd_session_new (entry->printer, config->host);
  pd_session_set_port (entry->session, config->port);
  pd_session_set_pinned_fingerprint (entry->session, config->fingerprint);
  pd_session_set_stale_timeout (entry->session, self->stale_timeout);

  g_signal_connect (entry->session, "notify::pinned-fingerprint", G_CALLBACK (on_pinned_fingerprint), entry);
  g_signal_connect (entry->printer, "state-changed", G_CALLBACK (on_printer_state_changed), entry);

  entry->jobs = pd_job_tracker_new (entry->printer);
  jobs_sync (entry);

  return entry;
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PdPrinterStore    *self = PD_PRINTER_STORE (source);
  g_autoptr (GTask)  task = user_data;
  LoadData          *data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  guint              first = self->entries->len;

  self->loading = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Reported by the caller; remembered for every change refused. */
      g_free (self->config_error);
      self->config_error = g_strdup (error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Cancelled: as if the load never happened. */
  if (g_task_return_error_if_cancelled (task))
    return;

  g_clear_pointer (&self->keyfile, g_key_file_unref);
  self->keyfile = g_steal_pointer (&data->keyfile);
  g_clear_pointer (&self->config_error, g_free);
  self->loaded = TRUE;

  for (guint i = 0; i < data->printers->len; i++)
    {
      LoadedPrinter *loaded = g_ptr_array_index (data->printers, i);

      /* A serial twice in the file (a merge by hand): the first one wins. */
      if (find_entry (self, loaded->config->serial, NULL) != NULL)
        continue;
      g_ptr_array_add (self->entries, entry_new (self, loaded->config, loaded->cached));
    }
  if (self->entries->len > first)
    g_list_model_items_changed (G_LIST_MODEL (self), first, 0, self->entries->len - first);

  /* The config is read: the caller can show the list now; the sessions
   * start one by one as the keyring hands out their codes.
   */
  for (guint i = first; i < self->entries->len; i++)
    look_up_code (self, g_ptr_array_index (self->entries, i));

  g_task_return_boolean (task, TRUE);
}

/* GListModel ----------------------------------------------------------------------*/

static GType
pd_printer_store_get_item_type (GListModel *model)
{
  return PD_TYPE_PRINTER;
}

static guint
pd_printer_store_get_n_items (GListModel *model)
{
  return PD_PRINTER_STORE (model)->entries->len;
}

static gpointer
pd_printer_store_get_item (GListModel *model,
                           guint       position)
{
  PdPrinterStore *self = PD_PRINTER_STORE (model);
  Entry          *entry;

  if (position >= self->entries->len)
    return NULL;

  entry = g_ptr_array_index (self->entries, position);
  return g_object_ref (entry->printer);
}

static void
pd_printer_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pd_printer_store_get_item_type;
  iface->get_n_items = pd_printer_store_get_n_items;
  iface->get_item = pd_printer_store_get_item;
}

/* GObject -------------------------------------------------------------------------*/

static void
detach_all (PdPrinterStore *self)
{
  for (guint i = 0; i < self->entries->len; i++)
    entry_detach (g_ptr_array_index (self->entries, i));
}

static void
pd_printer_store_dispose (GObject *object)
{
  PdPrinterStore *self = PD_PRINTER_STORE (object);

  g_clear_handle_id (&self->cache_timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  detach_all (self);
  g_ptr_array_set_size (self->entries, 0);

  G_OBJECT_CLASS (pd_printer_store_parent_class)->dispose (object);
}

static void
pd_printer_store_finalize (GObject *object)
{
  PdPrinterStore *self = PD_PRINTER_STORE (object);

  g_ptr_array_unref (self->entries);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_hash_table_unref (self->adding);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->cache_lock);
  g_free (self->config_dir);
  g_free (self->cache_dir);
  g_free (self->config_error);
  g_free (self->keyring_error);
  g_free (self->round_error);

  G_OBJECT_CLASS (pd_printer_store_parent_class)->finalize (object);
}

static void
pd_printer_store_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PdPrinterStore *self = PD_PRINTER_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG_DIR:
      g_value_set_string (value, self->config_dir);
      break;

    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;

    case PROP_KEYRING_ERROR:
      g_value_set_string (value, self->keyring_error);
      break;

    case PROP_STALE_TIMEOUT:
      g_value_set_uint (value, self->stale_timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_store_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PdPrinterStore *self = PD_PRINTER_STORE (object);

  switch (prop_id)
    {
    case PROP_CONFIG_DIR:
      g_free (self->config_dir);
      self->config_dir = g_value_dup_string (value);
      break;

    case PROP_CACHE_DIR:
      g_free (self->cache_dir);
      self->cache_dir = g_value_dup_string (value);
      break;

    case PROP_STALE_TIMEOUT:
      pd_printer_store_set_stale_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_printer_store_constructed (GObject *object)
{
  PdPrinterStore *self = PD_PRINTER_STORE (object);

  G_OBJECT_CLASS (pd_printer_store_parent_class)->constructed (object);

  if (self->config_dir == NULL)
    self->config_dir = g_build_filename (g_get_user_config_dir (), "printdeck", NULL);
  if (self->cache_dir == NULL)
    self->cache_dir = g_build_filename (g_get_user_cache_dir (), "printdeck", NULL);
}

static void
pd_printer_store_class_init (PdPrinterStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_printer_store_dispose;
  object_class->finalize = pd_printer_store_finalize;
  object_class->get_property = pd_printer_store_get_property;
  object_class->set_property = pd_printer_store_set_property;
  object_class->constructed = pd_printer_store_constructed;

  /**
   * PdPrinterStore:config-dir:
   *
   * Where printers.ini lives; %NULL: the user's config folder/printdeck.
   */
  properties[PROP_CONFIG_DIR] =
    g_param_spec_string ("config-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PdPrinterStore:cache-dir:
   *
   * Where state.json lives; %NULL: the user's cache folder/printdeck.
   */
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PdPrinterStore:keyring-error:
   *
   * Why the access codes could not be read from the keyring, for people;
   * %NULL when they could. pd_printer_store_retry_secrets() tries again.
   */
  properties[PROP_KEYRING_ERROR] =
    g_param_spec_string ("keyring-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdPrinterStore:stale-timeout:
   *
   * The #PdSession:stale-timeout of every printer's session.
   */
  properties[PROP_STALE_TIMEOUT] =
    g_param_spec_uint ("stale-timeout", NULL, NULL, 2, 3600, DEFAULT_STALE_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_printer_store_init (PdPrinterStore *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_unref);
  self->adding = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stale_timeout = DEFAULT_STALE_TIMEOUT;
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->cache_lock);
}

/* Public API ----------------------------------------------------------------------*/

/**
 * pd_printer_store_new:
 * @config_dir: (nullable): where printers.ini lives, %NULL for the user's
 *   config folder
 * @cache_dir: (nullable): where state.json lives, %NULL for the user's
 *   cache folder
 *
 * Returns: (transfer full): an empty store; pd_printer_store_load_async()
 *   reads the printers
 */
PdPrinterStore *
pd_printer_store_new (const char *config_dir,
                      const char *cache_dir)
{
  return g_object_new (PD_TYPE_PRINTER_STORE,
                       "config-dir", config_dir,
                       "cache-dir", cache_dir,
                       NULL);
}

/**
 * pd_printer_store_load_async:
 * @self: a store
 * @cancellable: (nullable): a cancellable
 * @callback: called when the config was read
 * @user_data: data for @callback
 *
 * Reads printers.ini and the cached states in the background, adds the
 * printers (showing their last known state, #PdPrinter:stale), and then
 * looks their access codes up and starts each session when its code
 * arrives. It does not wait for the keyring: a keyring problem shows in
 * #PdPrinterStore:keyring-error.
 *
 * If printers.ini cannot be read, the load fails with an error that says
 * where a copy was kept, and the store refuses every change until a load
 * succeeds or pd_printer_store_reset_config() is called.
 */
void
pd_printer_store_load_async (PdPrinterStore     *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) thread_task = NULL;
  LoadData         *data;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_printer_store_load_async);
  g_task_set_name (task, "[printdeck] load printers");

  if (self->loaded || self->loading)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _("The list of printers is already read"));
      return;
    }
  self->loading = TRUE;

  data = g_new0 (LoadData, 1);
  data->config_dir = g_strdup (self->config_dir);
  data->config_path = config_path (self);
  data->cache_path = cache_path (self);

  thread_task = g_task_new (self, cancellable, on_loaded, g_steal_pointer (&task));
  g_task_set_source_tag (thread_task, pd_printer_store_load_async);
  g_task_set_name (thread_task, "[printdeck] read printers.ini");
  g_task_set_task_data (thread_task, data, (GDestroyNotify) load_data_free);
  /* A half-read list must not replace anything: the result is applied on
   * the main thread even when the caller gave up waiting.
   */
  g_task_set_check_cancellable (thread_task, FALSE);
  g_task_run_in_thread (thread_task, load_thread);
}

/**
 * pd_printer_store_load_finish:
 * @self: a store
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE once the printers are in the list (their sessions may
 *   still wait for the keyring)
 */
gboolean
pd_printer_store_load_finish (PdPrinterStore *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_printer_store_reset_config:
 * @self: a store whose load failed
 * @error: return location for an error
 *
 * Starts over with no printers after printers.ini could not be read (the
 * user chose so; a copy of the file was kept when the load failed). The
 * empty list is written at once.
 *
 * Returns: %TRUE if the store can be changed again
 */
gboolean
pd_printer_store_reset_config (PdPrinterStore *self,
                               GError        **error)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), FALSE);

  if (self->loading)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                           _("The list of printers is being read"));
      return FALSE;
    }
  if (self->loaded)
    return TRUE;

  g_clear_pointer (&self->keyfile, g_key_file_unref);
  self->keyfile = g_key_file_new ();
  g_key_file_set_integer (self->keyfile, GROUP_GENERAL, "version", CONFIG_VERSION);
  g_clear_pointer (&self->config_error, g_free);
  self->loaded = TRUE;

  return save_config (self, NULL, error);
}

/* A validated config as it is kept: no empty name, the model by its id
 * ("X1 Carbon" → "X1C"), so the file reads the same whoever wrote it.
 */
static PdPrinterConfig *
normalized_config (const PdPrinterConfig *config)
{
  PdPrinterConfig *copy = pd_printer_config_copy (config);

  if (copy->name != NULL && *copy->name == '\0')
    g_clear_pointer (&copy->name, g_free);
  if (copy->model != NULL)
    {
      const PdModelInfo *model = pd_model_lookup (copy->model);

      g_free (copy->model);
      copy->model = g_strdup (model->id);
    }

  return copy;
}

static gboolean
check_access_code (const char *access_code,
                   GError    **error)
{
  if (access_code == NULL || *access_code == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the printer’s access code"));
      return FALSE;
    }

  return TRUE;
}

/* Add ------------------------------------------------------------------------------*/

typedef struct
{
  PdPrinterConfig *config;
  char            *code;
} AddData;

static void
add_data_free (AddData *data)
{
  pd_printer_config_free (data->config);
  pd_secrets_code_free (data->code);
  g_free (data);
}

static void
on_rollback_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  g_autofree char   *serial = data;
  g_autoptr (GError) error = NULL;

  if (!pd_secrets_clear_finish (result, &error))
    g_message ("%s: the access code stays in the keyring: %s", serial, error->message);
}

/* The printer was not added after all: its code goes again. */
static void
roll_back_secret (const char *serial)
{
  pd_secrets_clear_async (serial, NULL, on_rollback_cleared, g_strdup (serial));
}

static void
on_add_stored (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  PdPrinterStore    *self = g_task_get_source_object (task);
  AddData           *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char   *before = NULL;
  Entry             *entry;

  g_hash_table_remove (self->adding, data->config->serial);

  if (!pd_secrets_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task) || refuse_changes (self, &error))
    {
      roll_back_secret (data->config->serial);
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  before = snapshot_config (self);
  write_group (self->keyfile, data->config);
  if (!save_config (self, before, &error))
    {
      roll_back_secret (data->config->serial);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  entry = entry_new (self, data->config, NULL);
  g_ptr_array_add (self->entries, entry);
  g_list_model_items_changed (G_LIST_MODEL (self), self->entries->len - 1, 0, 1);
  entry_start (entry, data->code);

  /* The keyring works (again): the other printers may get their codes now. */
  if (self->keyring_error != NULL)
    pd_printer_store_retry_secrets (self);

  g_task_return_pointer (task, g_object_ref (entry->printer), g_object_unref);
}

/**
 * pd_printer_store_add_async:
 * @self: a loaded store
 * @config: the new printer
 * @access_code: its access code (for a farm bridge: the bridge's password)
 * @cancellable: (nullable): a cancellable
 * @callback: called when the printer was added, or could not be
 * @user_data: data for @callback
 *
 * Stores the access code in the keyring first; if that fails, nothing is
 * added (the code is kept nowhere else). Then saves the config, adds the
 * printer to the list and starts its session.
 */
void
pd_printer_store_add_async (PdPrinterStore        *self,
                            const PdPrinterConfig *config,
                            const char            *access_code,
                            GCancellable          *cancellable,
                            GAsyncReadyCallback    callback,
                            gpointer               user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  AddData           *data;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_printer_store_add_async);
  g_task_set_name (task, "[printdeck] add printer");
  /* Cancellation is checked at the steps where it can still be undone. */
  g_task_set_check_cancellable (task, FALSE);

  if (!pd_printer_config_validate (config, &error) || !check_access_code (access_code, &error) ||
      refuse_changes (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (find_entry (self, config->serial, NULL) != NULL || g_hash_table_contains (self->adding, config->serial))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _("A printer with the serial number %s is already in the list"),
                                  config->serial);
      return;
    }

  data = g_new0 (AddData, 1);
  data->config = normalized_config (config);
  data->code = g_strdup (access_code);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);
  g_hash_table_add (self->adding, g_strdup (config->serial));

  pd_secrets_store_async (config->serial, access_code, cancellable, on_add_stored, g_steal_pointer (&task));
}

/**
 * pd_printer_store_add_finish:
 * @self: a store
 * @result: the result
 * @error: return location for an error: %G_IO_ERROR_INVALID_ARGUMENT (the
 *   message says what to change), %G_IO_ERROR_EXISTS, a %PD_SECRETS_ERROR,
 *   or why the config could not be saved
 *
 * Returns: (transfer full) (nullable): the new printer
 */
PdPrinter *
pd_printer_store_add_finish (PdPrinterStore *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Update ---------------------------------------------------------------------------*/

typedef struct
{
  Entry           *entry;
  PdPrinterConfig *config;
  char            *code;        /* the new code, or NULL: unchanged */
  gboolean         code_stored; /* the keyring has the new code */
  char            *looked_up;   /* the current code, for new bridge settings */
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  entry_unref (data->entry);
  pd_printer_config_free (data->config);
  pd_secrets_code_free (data->code);
  pd_secrets_code_free (data->looked_up);
  g_free (data);
}

static gboolean
bridge_changed (const PdPrinterConfig *a,
                const PdPrinterConfig *b)
{
  return g_strcmp0 (a->bridge_user, b->bridge_user) != 0 ||
         (a->bridge_user != NULL && !a->bridge_tls != !b->bridge_tls);
}

static void
update_apply (GTask *task)
{
  PdPrinterStore    *self = g_task_get_source_object (task);
  UpdateData        *data = g_task_get_task_data (task);
  Entry             *entry = data->entry;
  PdPrinterConfig   *old = entry->config;
  const char        *code = data->code != NULL ? data->code : data->looked_up;
  g_autofree char   *before = NULL;
  g_autoptr (GError) error = NULL;
  gboolean           fingerprint_changed;

  if (entry->store != self)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no printer with the serial number %s"), data->config->serial);
      return;
    }

  before = snapshot_config (self);
  write_group (self->keyfile, data->config);
  if (!save_config (self, before, &error))
    {
      /* The keyring has the new code already: use it, as a restart would. */
      if (data->code_stored)
        entry_start (entry, data->code);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  fingerprint_changed = g_strcmp0 (old->fingerprint, data->config->fingerprint) != 0;
  entry->config = g_steal_pointer (&data->config);

  pd_printer_set_name (entry->printer, entry->config->name);
  pd_printer_set_configured_model (entry->printer, entry->config->model);

  /* The config is the new one already, so the notify is no save. */
  pd_session_set_pinned_fingerprint (entry->session, entry->config->fingerprint);
  pd_session_set_host (entry->session, entry->config->host);
  pd_session_set_port (entry->session, entry->config->port);
  camera_sync (entry);
  jobs_sync (entry);
  if (code != NULL)
    entry_start (entry, code);
  else if (fingerprint_changed)
    pd_session_reconnect (entry->session);

  pd_printer_config_free (old);
  g_task_return_boolean (task, TRUE);
}

static void
on_update_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  UpdateData        *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  data->looked_up = pd_secrets_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  update_apply (task);
}

static void
on_update_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  UpdateData        *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!pd_secrets_store_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->code_stored = TRUE;
  update_apply (task);
}

/**
 * pd_printer_store_update_async:
 * @self: a loaded store
 * @config: the printer's new configuration (its serial names the printer)
 * @access_code: (nullable): a new access code, or %NULL to keep the code
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stores a new code first (if that fails, nothing changes), saves the
 * config, and applies it to the live printer and session.
 */
void
pd_printer_store_update_async (PdPrinterStore        *self,
                               const PdPrinterConfig *config,
                               const char            *access_code,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  UpdateData        *data;
  Entry             *entry;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));
  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_printer_store_update_async);
  g_task_set_name (task, "[printdeck] update printer");
  g_task_set_check_cancellable (task, FALSE);

  if (!pd_printer_config_validate (config, &error) ||
      (access_code != NULL && !check_access_code (access_code, &error)) ||
      refuse_changes (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if ((entry = find_entry (self, config->serial, NULL)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no printer with the serial number %s"), config->serial);
      return;
    }
  if (entry->removing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The printer %s is being removed"), config->serial);
      return;
    }

  data = g_new0 (UpdateData, 1);
  data->entry = entry_ref (entry);
  data->config = normalized_config (config);
  data->code = g_strdup (access_code);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);

  if (access_code != NULL)
    pd_secrets_store_async (config->serial, access_code, cancellable, on_update_stored, g_steal_pointer (&task));
  else if (entry->started && bridge_changed (entry->config, config))
    /* New bridge settings go to the session together with the code. */
    pd_secrets_lookup_async (config->serial, cancellable, on_update_looked_up, g_steal_pointer (&task));
  else
    update_apply (task);
}

gboolean
pd_printer_store_update_finish (PdPrinterStore *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Remove ---------------------------------------------------------------------------*/

static void
on_remove_cleared (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  PdPrinterStore    *self = g_task_get_source_object (task);
  Entry             *entry = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint              position;

  /* A locked keyring keeps the code, but the printer goes all the same
   * (it is out of the config already): the caller tells the user where
   * the code still is.
   */
  pd_secrets_clear_finish (result, &error);

  entry->removing = FALSE;
  if (entry->store == self && g_ptr_array_find (self->entries, entry, &position))
    {
      entry_detach (entry);
      g_ptr_array_remove_index (self->entries, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);

      /* Its last state goes from the cache file now, not at the next save. */
      save_cache_in_background (self);
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pd_printer_store_remove_async:
 * @self: a loaded store
 * @serial: the printer's serial number
 * @cancellable: (nullable): a cancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Removes the printer from the config (if that cannot be saved, nothing
 * changes: the printer stays, watched, its code in the keyring), stops its
 * session, deletes its access code from the keyring, then takes it out of
 * the list and the cache. If the keyring cannot delete the code (it is
 * locked), the printer is removed all the same and the error (a
 * %PD_SECRETS_ERROR) says so.
 */
void
pd_printer_store_remove_async (PdPrinterStore     *self,
                               const char         *serial,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *before = NULL;
  g_autofree char   *group = NULL;
  Entry             *entry;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));
  g_return_if_fail (serial != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_printer_store_remove_async);
  g_task_set_name (task, "[printdeck] remove printer");
  /* Once the printer is out of the config, the rest has to follow. */
  g_task_set_check_cancellable (task, FALSE);

  if (refuse_changes (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((entry = find_entry (self, serial, NULL)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("There is no printer with the serial number %s"), serial);
      return;
    }
  if (entry->removing)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("The printer %s is being removed"), serial);
      return;
    }

  /* The config first: a list that cannot be saved keeps the printer, and
   * the keyring its code (deleted first, it would be lost at the next
   * start). */
  before = snapshot_config (self);
  group = group_name (entry->config->serial);
  g_key_file_remove_group (self->keyfile, group, NULL);
  if (!save_config (self, before, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A clean DISCONNECT, so the printer frees our client slot. */
  entry->removing = TRUE;
  pd_session_stop (entry->session);
  g_task_set_task_data (task, entry_ref (entry), (GDestroyNotify) entry_unref);

  /* The entry's serial, not @serial: that may be the printer's own
   * (pd_printer_get_serial()), which the stop just freed with its state. */
  pd_secrets_clear_async (entry->config->serial, NULL, on_remove_cleared, g_steal_pointer (&task));
}

gboolean
pd_printer_store_remove_finish (PdPrinterStore *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The rest -------------------------------------------------------------------------*/

/**
 * pd_printer_store_retry_secrets:
 * @self: a store
 *
 * Looks up the access codes of the printers whose sessions do not run yet
 * (after the keyring was unlocked or started). #PdPrinterStore:keyring-error
 * is updated when all answers are in.
 */
void
pd_printer_store_retry_secrets (PdPrinterStore *self)
{
  guint n = 0;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (!entry->started && !entry->looking_up && !entry->removing)
        {
          look_up_code (self, entry);
          n++;
        }
    }

  /* Every session has its code: whatever went wrong before is moot. */
  if (n == 0 && self->n_lookups == 0)
    set_keyring_error (self, NULL);
}

/**
 * pd_printer_store_save_cache:
 * @self: a store
 * @error: return location for an error
 *
 * Writes every printer's current state to state.json, now (on quit; the
 * store also saves a minute after a change, in the background).
 *
 * Returns: %TRUE if the file was written
 */
gboolean
pd_printer_store_save_cache (PdPrinterStore *self,
                             GError        **error)
{
  CacheSave *save;
  gboolean   ok;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), FALSE);

  /* Before the list is read, an empty list would wipe the cache. */
  if (refuse_changes (self, error))
    return FALSE;

  g_clear_handle_id (&self->cache_timeout_id, g_source_remove);
  save = cache_save_new (self);
  ok = cache_save_run (self, save, error);
  cache_save_free (save);

  return ok;
}

/**
 * pd_printer_store_shutdown:
 * @self: a store
 *
 * Stops every session with a clean DISCONNECT and saves the cache. For
 * the application's shutdown.
 */
void
pd_printer_store_shutdown (PdPrinterStore *self)
{
  g_autoptr (GError) error = NULL;

  g_return_if_fail (PD_IS_PRINTER_STORE (self));

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      pd_session_stop (entry->session);
      entry->started = FALSE;
    }

  if (self->loaded && !pd_printer_store_save_cache (self, &error))
    g_warning ("Could not save the printers’ last state: %s", error->message);
}

/**
 * pd_printer_store_find:
 * @self: a store
 * @serial: a serial number
 *
 * Returns: (transfer none) (nullable): the printer, or %NULL
 */
PdPrinter *
pd_printer_store_find (PdPrinterStore *self,
                       const char     *serial)
{
  Entry *entry;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (serial != NULL, NULL);

  entry = find_entry (self, serial, NULL);
  return entry != NULL ? entry->printer : NULL;
}

/**
 * pd_printer_store_get_session:
 * @self: a store
 * @printer: one of its printers
 *
 * Returns: (transfer none) (nullable): the printer's session
 */
PdSession *
pd_printer_store_get_session (PdPrinterStore *self,
                              PdPrinter      *printer)
{
  Entry *entry;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  entry = find_entry_by_printer (self, printer);
  return entry != NULL ? entry->session : NULL;
}

static void
on_camera_pinned (PdCameraSource *camera,
                  const char     *fingerprint,
                  Entry          *entry)
{
  /* The session saves what it pins; it is the same printer certificate. */
  if (entry->store != NULL && entry->config->fingerprint == NULL)
    pd_session_set_pinned_fingerprint (entry->session, fingerprint);
}

static void
on_camera_printer_changed (PdPrinter  *printer,
                           GParamSpec *pspec,
                           Entry      *entry)
{
  camera_sync (entry);
}

/**
 * pd_printer_store_get_debug_log:
 * @self: a store
 * @printer: one of its printers
 *
 * Returns: (transfer none) (nullable): the printer's debug log (stopped until
 *   started), or %NULL when the printer is not in the store
 */
PdDebugLog *
pd_printer_store_get_debug_log (PdPrinterStore *self,
                                PdPrinter      *printer)
{
  Entry *entry;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  entry = find_entry_by_printer (self, printer);
  if (entry == NULL)
    return NULL;

  if (entry->debug_log == NULL)
    {
      entry->debug_log = pd_debug_log_new (entry->session);
      pd_debug_log_set_secret (entry->debug_log, entry->code);
    }

  return entry->debug_log;
}

/**
 * pd_printer_store_get_camera:
 * @self: a store
 * @printer: one of its printers
 *
 * Returns: (transfer none) (nullable): the printer's camera source, or %NULL
 *   when the printer is not in the store.
 */
PdCameraSource *
pd_printer_store_get_camera (PdPrinterStore *self,
                             PdPrinter      *printer)
{
  Entry *entry;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  entry = find_entry_by_printer (self, printer);
  if (entry == NULL)
    return NULL;

  if (entry->camera == NULL)
    {
      entry->camera = pd_camera_source_new (pd_printer_get_camera_kind (printer), entry->config->host,
                                            (guint16) entry->config->camera_port, entry->config->serial);
      g_signal_connect (entry->camera, "certificate-pinned", G_CALLBACK (on_camera_pinned), entry);
      g_signal_connect (printer, "notify::camera-kind", G_CALLBACK (on_camera_printer_changed), entry);
      g_signal_connect (printer, "notify::connection", G_CALLBACK (on_camera_printer_changed), entry);
      camera_sync (entry);
    }

  return entry->camera;
}

/**
 * pd_printer_store_get_config:
 * @self: a store
 * @printer: one of its printers
 *
 * Returns: (transfer none) (nullable): the printer's configuration, valid
 *   until the next change of the store
 */
const PdPrinterConfig *
pd_printer_store_get_config (PdPrinterStore *self,
                             PdPrinter      *printer)
{
  Entry *entry;

  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  entry = find_entry_by_printer (self, printer);
  return entry != NULL ? entry->config : NULL;
}

const char *
pd_printer_store_get_keyring_error (PdPrinterStore *self)
{
  g_return_val_if_fail (PD_IS_PRINTER_STORE (self), NULL);

  return self->keyring_error;
}

void
pd_printer_store_set_stale_timeout (PdPrinterStore *self,
                                    guint           seconds)
{
  g_return_if_fail (PD_IS_PRINTER_STORE (self));
  g_return_if_fail (seconds >= 2 && seconds <= 3600);

  if (self->stale_timeout == seconds)
    return;

  self->stale_timeout = seconds;
  for (guint i = 0; i < self->entries->len; i++)
    pd_session_set_stale_timeout (((Entry *) g_ptr_array_index (self->entries, i))->session, seconds);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE_TIMEOUT]);
}
