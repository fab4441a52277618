/* pd-snapshot-store.c — camera snapshots on disk, per printer, within a size limit
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pd-snapshot-store.h"

#define MAX_SAME_SECOND 100

struct _PdSnapshotStore
{
  GObject          parent_instance;

  char            *base_dir;
  guint64          limit;
  PdSnapshotFormat format;
  GHashTable      *lists; /* folder name → GListStore of GFileInfo */
};

enum {
  SIGNAL_SAVED,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PdSnapshotStore, pd_snapshot_store, G_TYPE_OBJECT)

/* Names ------------------------------------------------------------------------*/

char *
pd_snapshot_store_folder_name (const char *printer_name)
{
  GString *name = g_string_new (NULL);

  for (const char *p = printer_name != NULL ? printer_name : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if (c == '/' || c == '\\' || g_unichar_iscntrl (c))
        g_string_append_c (name, '_');
      else
        g_string_append_unichar (name, c);
    }
  g_strstrip (name->str);
  g_string_set_size (name, strlen (name->str));

  /* A leading dot would hide the folder; "." and ".." are not folders of ours. */
  while (name->len > 0 && name->str[0] == '.')
    g_string_erase (name, 0, 1);
  if (name->len == 0)
    g_string_assign (name, "Printer");

  return g_string_free (name, FALSE);
}

/* "2026-11-26 04-12-06.jpg", or "… (2).jpg" for a second one in a second. */
static gboolean
is_snapshot_name (const char *name)
{
  static const char pattern[] = "DDDD-DD-DD DD-DD-DD";
  const char       *p = name;

  for (guint i = 0; i < sizeof pattern - 1; i++, p++)
    if (pattern[i] == 'D' ? !g_ascii_isdigit (*p) : *p != pattern[i])
      return FALSE;

  if (g_str_has_prefix (p, " ("))
    {
      p += 2;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
      if (*p++ != ')')
        return FALSE;
    }

  return g_str_equal (p, ".jpg") || g_str_equal (p, ".png");
}

/* Newest first: the names are times, so they sort as the times do; a
 * "(2)" comes after its plain twin. */
static int
compare_names_newest_first (const char *a,
                            const char *b)
{
  size_t stem_a;
  size_t stem_b;
  int    cmp;

  /* Compare the "YYYY-MM-DD HH-MM-SS" part first (19 characters). */
  cmp = strncmp (b, a, 19);
  if (cmp != 0)
    return cmp;

  stem_a = strlen (a);
  stem_b = strlen (b);
  if (stem_a != stem_b)
    return stem_a < stem_b ? 1 : -1;

  return strcmp (b, a);
}

static int
compare_infos (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return compare_names_newest_first (g_file_info_get_name ((GFileInfo *) a), g_file_info_get_name ((GFileInfo *) b));
}

static int
compare_info_pointers (gconstpointer a,
                       gconstpointer b,
                       gpointer      data)
{
  return compare_infos (*(GFileInfo *const *) a, *(GFileInfo *const *) b, data);
}

static GFileInfo *
info_for (GFile *file)
{
  g_autoptr (GFileInfo) info = g_file_query_info (file,
                                                  G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                                  G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                                  G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                  G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                                                  G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);

  if (info == NULL)
    return NULL;
  g_file_info_set_attribute_object (info, "standard::file", G_OBJECT (file));

  return g_steal_pointer (&info);
}

/* Every snapshot in @folder, newest first. */
static GPtrArray *
read_folder (GFile *folder)
{
  g_autoptr (GFileEnumerator) children = NULL;
  GPtrArray                  *infos = g_ptr_array_new_with_free_func (g_object_unref);
  GFileInfo                  *child;

  children = g_file_enumerate_children (folder,
                                        G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                                        G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE ","
                                        G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (child = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      if (g_file_info_get_file_type (child) == G_FILE_TYPE_REGULAR && is_snapshot_name (g_file_info_get_name (child)))
        {
          g_autoptr (GFile) file = g_file_get_child (folder, g_file_info_get_name (child));

          g_file_info_set_attribute_object (child, "standard::file", G_OBJECT (file));
          g_ptr_array_add (infos, child);
        }
      else
        g_object_unref (child);
    }
  g_ptr_array_sort_with_data (infos, compare_info_pointers, NULL);

  return infos;
}

/* Saving (on a worker) --------------------------------------------------------*/

typedef struct
{
  char            *folder_name;
  GFile           *folder;
  PdCameraFrame   *frame;
  PdSnapshotFormat format;
  char            *stem;
  guint64          limit;
  GFile           *saved;
  GPtrArray       *pruned; /* names */
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_free (job->folder_name);
  g_clear_object (&job->folder);
  g_clear_pointer (&job->frame, pd_camera_frame_unref);
  g_free (job->stem);
  g_clear_object (&job->saved);
  g_clear_pointer (&job->pruned, g_ptr_array_unref);
  g_free (job);
}

/* Deletes the oldest snapshots until the folder fits the limit; never @keep. */
static void
prune (SaveJob *job)
{
  g_autoptr (GPtrArray) infos = read_folder (job->folder);
  g_autofree char      *keep = g_file_get_basename (job->saved);
  guint64               total = 0;

  for (guint i = 0; i < infos->len; i++)
    total += (guint64) g_file_info_get_size (g_ptr_array_index (infos, i));

  for (guint i = infos->len; i > 0 && total > job->limit; i--)
    {
      GFileInfo        *info = g_ptr_array_index (infos, i - 1);
      const char       *name = g_file_info_get_name (info);
      g_autoptr (GFile) file = NULL;
      g_autoptr (GError) error = NULL;

      if (g_str_equal (name, keep))
        continue;
      file = g_file_get_child (job->folder, name);
      if (!g_file_delete (file, NULL, &error))
        {
          g_warning ("Old snapshot %s could not be deleted: %s", name, error->message);
          continue;
        }
      total -= (guint64) g_file_info_get_size (info);
      g_ptr_array_add (job->pruned, g_strdup (name));
    }
}

static void
save_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SaveJob           *job = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autofree char   *path = g_file_get_path (job->folder);
  g_autofree char   *tmp = NULL;
  const char        *extension = "png";
  int                fd;

  data = pd_camera_frame_encode (job->frame, job->format, &extension, &error);
  if (data == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("The folder %s could not be made: %s"), path, g_strerror (saved_errno));
      return;
    }

  /* Written whole under a hidden name, then linked to its own: a gallery or
   * file manager never sees half a picture, and link() (unlike rename())
   * refuses a name that exists, so a snapshot never replaces another. */
  tmp = g_build_filename (path, ".snapshot-XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("The snapshot could not be saved in %s: %s"), path, g_strerror (saved_errno));
      return;
    }
  {
    g_autoptr (GOutputStream) out = g_unix_output_stream_new (fd, TRUE);

    if (!g_output_stream_write_all (out, g_bytes_get_data (data, NULL), g_bytes_get_size (data), NULL, cancellable,
                                    &error) ||
        !g_output_stream_close (out, cancellable, &error))
      {
        /* Disk full, or the like: no half picture left behind. */
        g_unlink (tmp);
        g_prefix_error (&error, _("The snapshot could not be saved: "));
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }

  for (guint n = 1; n <= MAX_SAME_SECOND && job->saved == NULL; n++)
    {
      g_autofree char *name = n == 1 ? g_strdup_printf ("%s.%s", job->stem, extension)
                                     : g_strdup_printf ("%s (%u).%s", job->stem, n, extension);
      g_autofree char *final = g_build_filename (path, name, NULL);

      if (link (tmp, final) == 0)
        job->saved = g_file_new_for_path (final);
      else if (errno != EEXIST)
        {
          int saved_errno = errno;

          g_unlink (tmp);
          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("The snapshot could not be saved as %s: %s"), final, g_strerror (saved_errno));
          return;
        }
    }
  g_unlink (tmp);

  if (job->saved == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS, _("Too many snapshots in the same second"));
      return;
    }

  if (job->limit > 0)
    prune (job);

  g_task_return_boolean (task, TRUE);
}

static GListStore *
lookup_list (PdSnapshotStore *self,
             const char      *folder_name)
{
  return g_hash_table_lookup (self->lists, folder_name);
}

static void
list_remove_name (GListStore *list,
                  const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr (GFileInfo) info = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_str_equal (g_file_info_get_name (info), name))
        {
          g_list_store_remove (list, i);
          return;
        }
    }
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      data)
{
  PdSnapshotStore   *self = PD_SNAPSHOT_STORE (object);
  GTask             *task = G_TASK (result);
  SaveJob           *job = g_task_get_task_data (task);
  GTask             *outer = data;
  g_autoptr (GError) error = NULL;
  GListStore        *list;

  if (!g_task_propagate_boolean (task, &error))
    {
      g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
      return;
    }

  if ((list = lookup_list (self, job->folder_name)) != NULL)
    {
      g_autoptr (GFileInfo) info = info_for (job->saved);

      for (guint i = 0; i < job->pruned->len; i++)
        list_remove_name (list, g_ptr_array_index (job->pruned, i));
      if (info != NULL)
        g_list_store_insert_sorted (list, info, compare_infos, NULL);
    }

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, job->saved, job->folder_name);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, job->folder_name);

  g_task_return_pointer (outer, g_object_ref (job->saved), g_object_unref);
  g_object_unref (outer);
}

/* API ----------------------------------------------------------------------------*/

static void
pd_snapshot_store_finalize (GObject *object)
{
  PdSnapshotStore *self = PD_SNAPSHOT_STORE (object);

  g_free (self->base_dir);
  g_hash_table_unref (self->lists);

  G_OBJECT_CLASS (pd_snapshot_store_parent_class)->finalize (object);
}

static void
pd_snapshot_store_class_init (PdSnapshotStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pd_snapshot_store_finalize;

  /**
   * PdSnapshotStore::saved:
   * @file: the new snapshot
   * @folder_name: the printer's folder
   */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_STRING);

  /**
   * PdSnapshotStore::changed:
   * @folder_name: the printer's folder, after a save, a delete or pruning
   */
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pd_snapshot_store_init (PdSnapshotStore *self)
{
  self->limit = (guint64) PD_SNAPSHOT_DEFAULT_LIMIT_MB * 1024 * 1024;
  self->lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/**
 * pd_snapshot_store_new:
 * @base_dir: (nullable): where the printers' folders go; %NULL:
 *   $PRINTDECK_PICTURES_DIR, else the Pictures folder + "Printdeck"
 */
PdSnapshotStore *
pd_snapshot_store_new (const char *base_dir)
{
  PdSnapshotStore *self = g_object_new (PD_TYPE_SNAPSHOT_STORE, NULL);
  const char      *env = g_getenv ("PRINTDECK_PICTURES_DIR");

  if (base_dir != NULL)
    self->base_dir = g_strdup (base_dir);
  else if (env != NULL && *env != '\0')
    self->base_dir = g_strdup (env);
  else
    {
      const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

      if (pictures != NULL)
        self->base_dir = g_build_filename (pictures, "Printdeck", NULL);
      else
        self->base_dir = g_build_filename (g_get_home_dir (), "Pictures", "Printdeck", NULL);
    }

  return self;
}

const char *
pd_snapshot_store_get_base_dir (PdSnapshotStore *self)
{
  g_return_val_if_fail (PD_IS_SNAPSHOT_STORE (self), NULL);
  return self->base_dir;
}

/**
 * pd_snapshot_store_get_folder:
 *
 * Returns: (transfer full): the printer's folder (it may not exist yet)
 */
GFile *
pd_snapshot_store_get_folder (PdSnapshotStore *self,
                              const char      *printer_name)
{
  g_autofree char *name = pd_snapshot_store_folder_name (printer_name);
  g_autofree char *path = NULL;

  g_return_val_if_fail (PD_IS_SNAPSHOT_STORE (self), NULL);

  path = g_build_filename (self->base_dir, name, NULL);
  return g_file_new_for_path (path);
}

void
pd_snapshot_store_set_limit (PdSnapshotStore *self,
                             guint64          bytes_per_printer)
{
  g_return_if_fail (PD_IS_SNAPSHOT_STORE (self));
  self->limit = bytes_per_printer;
}

guint64
pd_snapshot_store_get_limit (PdSnapshotStore *self)
{
  g_return_val_if_fail (PD_IS_SNAPSHOT_STORE (self), 0);
  return self->limit;
}

void
pd_snapshot_store_set_format (PdSnapshotStore *self,
                              PdSnapshotFormat format)
{
  g_return_if_fail (PD_IS_SNAPSHOT_STORE (self));
  self->format = format;
}

/**
 * pd_snapshot_store_save_async:
 * @when: (nullable): the time in the name; %NULL: now
 */
void
pd_snapshot_store_save_async (PdSnapshotStore    *self,
                              const char         *printer_name,
                              PdCameraFrame      *frame,
                              GDateTime          *when,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask)     outer = NULL;
  g_autoptr (GTask)     task = NULL;
  g_autoptr (GDateTime) now = NULL;
  SaveJob              *job;

  g_return_if_fail (PD_IS_SNAPSHOT_STORE (self));
  g_return_if_fail (frame != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, pd_snapshot_store_save_async);

  if (when == NULL)
    when = now = g_date_time_new_now_local ();

  job = g_new0 (SaveJob, 1);
  job->folder_name = pd_snapshot_store_folder_name (printer_name);
  job->folder = pd_snapshot_store_get_folder (self, printer_name);
  job->frame = pd_camera_frame_ref (frame);
  job->format = self->format;
  job->stem = g_date_time_format (when, "%Y-%m-%d %H-%M-%S");
  job->limit = self->limit;
  job->pruned = g_ptr_array_new_with_free_func (g_free);

  task = g_task_new (self, cancellable, on_saved, g_steal_pointer (&outer));
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_in_thread);
}

/**
 * pd_snapshot_store_save_finish:
 *
 * Returns: (transfer full): the file written, or %NULL with @error
 */
GFile *
pd_snapshot_store_save_finish (PdSnapshotStore *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
list_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_task_return_pointer (task, read_folder (G_FILE (task_data)), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_listed (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  PdSnapshotStore       *self = PD_SNAPSHOT_STORE (object);
  g_autoptr (GListStore) list = data;
  g_autoptr (GPtrArray)  infos = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char       *folder_name = g_object_get_data (G_OBJECT (list), "pd-folder-name") != NULL
                                         ? g_strdup (g_object_get_data (G_OBJECT (list), "pd-folder-name"))
                                         : NULL;

  g_object_set_data (G_OBJECT (list), "pd-loaded", GINT_TO_POINTER (TRUE));
  if (infos == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, folder_name);
      return;
    }

  /* Saves that landed while the folder was read are in the list already. */
  for (guint i = 0; i < infos->len; i++)
    {
      GFileInfo *info = g_ptr_array_index (infos, i);
      guint      position;
      gboolean   found = FALSE;

      for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (list)) && !found; position++)
        {
          g_autoptr (GFileInfo) have = g_list_model_get_item (G_LIST_MODEL (list), position);

          found = g_str_equal (g_file_info_get_name (have), g_file_info_get_name (info));
        }
      if (!found)
        g_list_store_insert_sorted (list, info, compare_infos, NULL);
    }

  /* The list is complete now: an empty one means no snapshots. */
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0, folder_name);
}

/**
 * pd_snapshot_store_is_listed:
 * @list: a list from pd_snapshot_store_list()
 *
 * Returns: whether the folder has been read (until then an empty list says
 *   nothing); ::changed is emitted when it has.
 */
gboolean
pd_snapshot_store_is_listed (GListModel *list)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (list), "pd-loaded"));
}

/**
 * pd_snapshot_store_list:
 *
 * Returns: (transfer full): a GListModel of GFileInfo, newest first; filled
 *   in the background the first time.
 */
GListModel *
pd_snapshot_store_list (PdSnapshotStore *self,
                        const char      *printer_name)
{
  g_autofree char  *name = pd_snapshot_store_folder_name (printer_name);
  GListStore       *list;
  g_autoptr (GTask) task = NULL;

  g_return_val_if_fail (PD_IS_SNAPSHOT_STORE (self), NULL);

  if ((list = lookup_list (self, name)) != NULL)
    return g_object_ref (G_LIST_MODEL (list));

  list = g_list_store_new (G_TYPE_FILE_INFO);
  g_object_set_data_full (G_OBJECT (list), "pd-folder-name", g_strdup (name), g_free);
  g_hash_table_insert (self->lists, g_strdup (name), g_object_ref (list));

  task = g_task_new (self, NULL, on_listed, g_object_ref (list));
  g_task_set_task_data (task, pd_snapshot_store_get_folder (self, printer_name), g_object_unref);
  g_task_run_in_thread (task, list_in_thread);

  return G_LIST_MODEL (list);
}

/**
 * pd_snapshot_store_delete:
 *
 * Deletes a snapshot (a local file: quick) and takes it out of the lists.
 */
gboolean
pd_snapshot_store_delete (PdSnapshotStore *self,
                          GFile           *file,
                          GError         **error)
{
  g_autoptr (GFile) parent = NULL;
  g_autofree char  *folder_name = NULL;
  g_autofree char  *name = NULL;
  GListStore       *list;

  g_return_val_if_fail (PD_IS_SNAPSHOT_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (!g_file_delete (file, NULL, error))
    return FALSE;

  parent = g_file_get_parent (file);
  folder_name = parent != NULL ? g_file_get_basename (parent) : NULL;
  name = g_file_get_basename (file);
  if (folder_name != NULL && (list = lookup_list (self, folder_name)) != NULL)
    list_remove_name (list, name);
  if (folder_name != NULL)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0, folder_name);

  return TRUE;
}
