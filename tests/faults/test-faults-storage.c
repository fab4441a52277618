/* test-faults-storage.c — the disk and the keyring failing under a running app
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PdPrinterStore with simulated printers, as the window uses it, while
 * printers.ini is damaged or cannot be read, its folder cannot be written
 * (read-only, or full), the disk fills up under a snapshot and a debug log
 * export, and the keyring is locked. Each case asserts the message the
 * user gets and that nothing is lost: the list and its settings (never
 * replaced by an empty one), a copy kept, the codes in the keyring and in
 * no file, the snapshots and exports already written.
 *
 * Full and read-only file systems are real ones: small tmpfs and
 * read-only bind mounts, in a mount namespace of the test's own (it runs
 * as root in CI; elsewhere those parts are skipped, and a read-only folder
 * is made with its permissions instead). The locked keyring is a real
 * gnome-keyring-daemon on a private bus, locked over the Secret Service
 * API and unlocked with its password, as a login does.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "pd-enums.h"
#include "pd-fault-rig.h"
#include "pd-secrets.h"
#include "pd-snapshot-store.h"
#include "pd-test-util.h"

/* NULL when the test may mount file systems, else why not. */
static char *no_mounts;

static PdSim *
start_sim (guint n_printers)
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  PdSim             *sim;

  pd_sim_options_init (&options);
  options.n_printers = n_printers;
  /* a port-6000 camera: snapshots need a picture */
  options.models = (const char *const[]){ "P1S", "X1C", "A1", NULL };
  options.scenario = PD_SIM_SCENARIO_IDLE;
  options.no_ftp = TRUE;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);

  return sim;
}

static PdSim *sim;

static guint
n_files (const char *dir,
         const char *prefix)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char      *name;
  guint            n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (prefix == NULL || g_str_has_prefix (name, prefix))
      n++;
  return n;
}

static char *
find_file (const char *dir,
           const char *prefix)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char      *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

static gboolean
is_connected (gpointer data)
{
  return pd_printer_get_connection (data) == PD_CONNECTION_CONNECTED;
}

/* printers.ini damaged or unreadable ----------------------------------------------*/

static void
test_config_corrupt (void)
{
  PdFaultRig                  rig;
  PdSimPrinter               *sp = pd_sim_get_printer (sim, 0);
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autofree char            *good = NULL;
  g_autofree char            *damaged = NULL;
  g_autofree char            *backup = NULL;
  g_autofree char            *kept = NULL;
  g_autofree char            *after = NULL;
  gsize                       damaged_length, kept_length = 0, after_length = 0;

  pd_fault_rig_init (&rig, sim);
  pd_fault_rig_add (&rig, sp, "Left");
  pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 1), "Right");
  good = pd_fault_rig_read_config (&rig);

  /* The file is damaged while the app is away: its first block zeroed,
   * as a power cut can leave a file on a journaled file system. */
  damaged_length = strlen (good);
  damaged = g_memdup2 (good, damaged_length);
  memset (damaged, 0, MIN (damaged_length, 64));
  pd_fault_rig_close (&rig);
  g_assert_true (g_file_set_contents (rig.config_file, damaged, (gssize) damaged_length, NULL));

  /* The next start: a message that says what happened and where the copy
   * is; no printers, and the file is not replaced by an empty list. */
  rig.store = pd_printer_store_new (rig.config_dir, rig.cache_dir);
  g_assert_false (pd_fault_store_load (rig.store, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "cannot be read"));
  g_assert_nonnull (strstr (error->message, "printers.ini.corrupt-"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig.store)), ==, 0);
  backup = find_file (rig.config_dir, "printers.ini.corrupt-");
  g_assert_nonnull (backup);
  g_assert_true (g_file_get_contents (backup, &kept, &kept_length, NULL));
  g_assert_cmpmem (kept, kept_length, damaged, damaged_length);

  /* Nothing may overwrite it meanwhile: no add, no cache. */
  config = pd_fault_config_for (pd_sim_get_printer (sim, 2), "New");
  g_assert_null (pd_fault_store_add (rig.store, config, pd_sim_printer_get_access_code (pd_sim_get_printer (sim, 2)),
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_test_message ("add: %s", error->message);
  g_clear_error (&error);
  g_assert_false (pd_printer_store_save_cache (rig.store, &error));
  g_clear_error (&error);
  pd_fault_rig_close (&rig);
  g_assert_true (g_file_get_contents (rig.config_file, &after, &after_length, NULL));
  g_assert_cmpmem (after, after_length, damaged, damaged_length);
  /* the codes are not thrown away with the list */
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  /* Unreadable (here: a folder where the file should be), not damaged:
   * the same refusal, and the folder is left as it is. */
  {
    g_autofree char *aside = g_strconcat (rig.config_file, ".aside", NULL);

    g_assert_cmpint (g_rename (rig.config_file, aside), ==, 0);
    g_assert_cmpint (g_mkdir (rig.config_file, 0700), ==, 0);
    rig.store = pd_printer_store_new (rig.config_dir, rig.cache_dir);
    g_assert_false (pd_fault_store_load (rig.store, &error));
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, "cannot be read"));
    g_clear_error (&error);
    g_assert_null (pd_fault_store_add (rig.store, config, "12345678", &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
    g_clear_error (&error);
    pd_fault_rig_close (&rig);
    g_assert_true (g_file_test (rig.config_file, G_FILE_TEST_IS_DIR));
    g_assert_cmpint (g_rmdir (rig.config_file), ==, 0);
    g_assert_cmpint (g_unlink (aside), ==, 0);
  }

  /* The user puts the good file back: both printers, connected again. */
  g_assert_true (g_file_set_contents (rig.config_file, good, -1, NULL));
  rig.store = pd_printer_store_new (rig.config_dir, rig.cache_dir);
  g_assert_true (pd_fault_store_load (rig.store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig.store)), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (rig.store), i);

      g_assert_true (pd_test_wait_until (is_connected, printer, PD_FAULT_WAIT_S));
    }
  pd_fault_rig_assert_config (&rig, good);
  pd_fault_rig_assert_codes_safe (&rig, NULL);
  pd_fault_rig_clear (&rig);
}

/* printers.ini cannot be written ---------------------------------------------*/

static PdPrinterConfig *
renamed (PdFaultRig *rig,
         PdPrinter  *printer,
         const char *name)
{
  PdPrinterConfig *config = pd_printer_config_copy (pd_printer_store_get_config (rig->store, printer));

  g_free (config->name);
  config->name = g_strdup (name);
  return config;
}

static gboolean
code_gone (gpointer data)
{
  g_autofree char *code = pd_fault_keyring_lookup (data);

  return code == NULL;
}

/* Every change is refused with a message while printers.ini cannot be
 * written; the list in memory and on disk stays the one the user had, and
 * the printers go on being watched. */
static void
assert_changes_refused (PdFaultRig   *rig,
                        PdPrinter    *left,
                        PdPrinter    *right,
                        PdSimPrinter *third,
                        const char   *saved,
                        const char   *why)
{
  g_autoptr (PdPrinterConfig) config = renamed (rig, left, "Renamed");
  g_autoptr (PdPrinterConfig) other = pd_fault_config_for (third, "Third");
  g_autoptr (GError)          error = NULL;

  /* an edit */
  g_assert_false (pd_fault_store_update (rig->store, config, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("edit: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "Cannot save the list of printers: "));
  g_assert_nonnull (strstr (error->message, why));
  g_clear_error (&error);
  g_assert_cmpstr (pd_printer_get_name (left), ==, "Left");
  g_assert_cmpstr (pd_printer_store_get_config (rig->store, left)->name, ==, "Left");

  /* an add: refused, and its code taken out of the keyring again */
  g_assert_null (pd_fault_store_add (rig->store, other, pd_sim_printer_get_access_code (third), &error));
  g_assert_nonnull (error);
  g_test_message ("add: %s", error->message);
  g_assert_nonnull (strstr (error->message, why));
  g_clear_error (&error);
  g_assert_null (pd_printer_store_find (rig->store, pd_sim_printer_get_serial (third)));
  g_assert_true (pd_test_wait_until (code_gone, (gpointer) pd_sim_printer_get_serial (third), PD_FAULT_WAIT_S));

  /* a remove: refused, the printer stays and is still watched */
  g_assert_false (pd_fault_store_remove (rig->store, pd_printer_get_serial (right), &error));
  g_assert_nonnull (error);
  g_test_message ("remove: %s", error->message);
  g_clear_error (&error);
  g_assert_true (pd_printer_store_find (rig->store, pd_printer_get_serial (right)) == right);
  g_assert_true (pd_test_wait_until (is_connected, right, PD_FAULT_WAIT_S));
  g_assert_true (pd_test_wait_until (is_connected, left, PD_FAULT_WAIT_S));

  /* the cache lives elsewhere and is still saved */
  g_assert_true (pd_printer_store_save_cache (rig->store, &error));
  g_assert_no_error (error);

  /* on disk: the same list, and no temporary file left behind */
  pd_fault_rig_assert_config (rig, saved);
  g_assert_cmpuint (n_files (rig->config_dir, NULL), ==, 1);
}

static void
test_config_unwritable (void)
{
  PdFaultRig                  rig;
  PdPrinter                  *left, *right;
  PdSimPrinter               *third = pd_sim_get_printer (sim, 2);
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *saved = NULL;
  g_autofree char            *after = NULL;
  g_autofree char            *serial = NULL;
  gboolean                    mounted = FALSE;
  guint                       index;

  if (no_mounts != NULL && geteuid () == 0)
    {
      /* root ignores permissions, and no mount may be made */
      g_test_skip (no_mounts);
      return;
    }

  pd_fault_rig_init (&rig, sim);
  if (no_mounts == NULL)
    {
      /* a small file system of its own for the config folder */
      g_assert_true (pd_fault_mount_tmpfs (rig.config_dir, 64 * 1024, &error));
      g_assert_no_error (error);
      mounted = TRUE;
    }
  left = pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 0), "Left");
  right = pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 1), "Right");
  saved = pd_fault_rig_read_config (&rig);

  /* Full: the atomic write fails before the rename, the old file stays. */
  if (mounted)
    {
      g_autofree char *filler = g_build_filename (rig.config_dir, "filler", NULL);

      g_test_message ("filled the config's file system with %" G_GSIZE_FORMAT " bytes",
                      pd_fault_fill_disk (rig.config_dir));
      config = renamed (&rig, left, "Renamed");
      g_assert_false (pd_fault_store_update (rig.store, config, NULL, &error));
      g_test_message ("full: %s", error->message);
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_clear_error (&error);
      g_clear_pointer (&config, pd_printer_config_free);
      g_assert_cmpstr (pd_printer_get_name (left), ==, "Left");
      g_assert_cmpint (g_unlink (filler), ==, 0);
      pd_fault_rig_assert_config (&rig, saved);
    }

  /* Read-only: for root too, a read-only mount; else its permissions. */
  if (mounted)
    {
      g_assert_true (pd_fault_remount_read_only (rig.config_dir, TRUE, &error));
      g_assert_no_error (error);
      assert_changes_refused (&rig, left, right, third, saved, g_strerror (EROFS));
      g_assert_true (pd_fault_remount_read_only (rig.config_dir, FALSE, &error));
      g_assert_no_error (error);
    }
  else
    {
      g_assert_cmpint (g_chmod (rig.config_dir, 0500), ==, 0);
      assert_changes_refused (&rig, left, right, third, saved, g_strerror (EACCES));
      g_assert_cmpint (g_chmod (rig.config_dir, 0700), ==, 0);
    }

  /* Writable again: the next change saves the whole list, not defaults. */
  config = renamed (&rig, left, "Renamed");
  g_assert_true (pd_fault_store_update (rig.store, config, NULL, &error));
  g_assert_no_error (error);
  after = pd_fault_rig_read_config (&rig);
  g_assert_nonnull (strstr (after, "name=Renamed"));
  g_assert_nonnull (strstr (after, "name=Right"));
  g_assert_nonnull (strstr (after, pd_printer_store_get_config (rig.store, left)->fingerprint));
  g_assert_nonnull (strstr (after, pd_printer_store_get_config (rig.store, right)->fingerprint));
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  /* And a remove goes through, as the printer page asks for it: with the
   * printer's own serial string, which the session's stop replaces. */
  serial = g_strdup (pd_printer_get_serial (right));
  g_assert_true (pd_fault_store_remove (rig.store, pd_printer_get_serial (right), &error));
  g_assert_no_error (error);
  g_assert_null (pd_printer_store_find (rig.store, serial));
  g_assert_true (code_gone (serial));
  g_clear_pointer (&after, g_free);
  after = pd_fault_rig_read_config (&rig);
  g_assert_null (strstr (after, serial));
  g_assert_true (g_ptr_array_find_with_equal_func (rig.serials, serial, g_str_equal, &index));
  g_ptr_array_remove_index (rig.serials, index);
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  pd_fault_rig_close (&rig);
  if (mounted)
    {
      g_assert_true (pd_fault_unmount (rig.config_dir, &error));
      g_assert_no_error (error);
    }
  pd_fault_rig_clear (&rig);
}

/* The disk fills up under a snapshot ------------------------------------------*/

static gboolean
export_log (PdDebugLog *log,
            const char *path,
            GError    **error)
{
  g_autoptr (GFile)        file = g_file_new_for_path (path);
  g_autoptr (GAsyncResult) result = NULL;

  pd_debug_log_export_async (log, file, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, PD_FAULT_WAIT_S));
  return pd_debug_log_export_finish (log, result, error);
}

static PdCameraFrame *
grab (PdCameraSource *camera)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  PdCameraFrame           *frame;

  pd_camera_source_grab_async (camera, 20000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, PD_FAULT_WAIT_S));
  frame = pd_camera_source_grab_finish (camera, result, &error);
  g_assert_no_error (error);
  return frame;
}

static gboolean
has_messages (gpointer data)
{
  return g_list_model_get_n_items (data) >= 3;
}

static void
test_disk_full_snapshot (void)
{
  PdFaultRig                  rig;
  PdPrinter                  *printer;
  PdCameraSource             *camera;
  PdDebugLog                 *debug_log;
  g_autoptr (PdSnapshotStore) snapshots = NULL;
  g_autoptr (PdCameraFrame)   frame = NULL;
  g_autoptr (GListModel)      listed = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (GFile)           first = NULL;
  g_autoptr (GFile)           second = NULL;
  g_autoptr (GFile)           third = NULL;
  g_autoptr (GFile)           folder = NULL;
  g_autofree char            *disk = NULL;
  g_autofree char            *export_path = NULL;
  g_autofree char            *new_export = NULL;
  g_autofree char            *first_bytes = NULL;
  g_autofree char            *export_bytes = NULL;
  g_autofree char            *folder_path = NULL;
  gsize                       first_length = 0, export_length = 0;
  gboolean                    exported;

  if (no_mounts != NULL)
    {
      g_test_skip (no_mounts);
      return;
    }

  pd_fault_rig_init (&rig, sim);
  printer = pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 0), "Workshop");
  camera = pd_printer_store_get_camera (rig.store, printer);
  g_assert_nonnull (camera);
  debug_log = pd_printer_store_get_debug_log (rig.store, printer);
  pd_debug_log_start (debug_log);

  /* the Pictures folder on a small disk of its own */
  disk = g_build_filename (rig.base, "disk", NULL);
  g_assert_cmpint (g_mkdir (disk, 0700), ==, 0);
  /* room for two snapshots (a few hundred kB each, as the picture goes)
   * and an export, whatever the camera showed */
  g_assert_true (pd_fault_mount_tmpfs (disk, 8 * 1024 * 1024, &error));
  g_assert_no_error (error);
  snapshots = pd_snapshot_store_new (disk);
  listed = pd_snapshot_store_list (snapshots, pd_printer_get_name (printer));

  /* Two snapshots and a debug log export while there is room. */
  frame = grab (camera);
  first = pd_fault_save_snapshot (snapshots, pd_printer_get_name (printer), frame, &error);
  g_assert_no_error (error);
  second = pd_fault_save_snapshot (snapshots, pd_printer_get_name (printer), frame, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_load_contents (first, NULL, &first_bytes, &first_length, NULL, NULL));
  g_assert_true (pd_test_wait_until (has_messages, debug_log, PD_FAULT_WAIT_S));
  export_path = g_build_filename (disk, "debug-log.jsonl", NULL);
  exported = export_log (debug_log, export_path, &error);
  g_assert_no_error (error);
  g_assert_true (exported);
  g_assert_true (g_file_get_contents (export_path, &export_bytes, &export_length, NULL));

  /* The disk fills up. */
  g_test_message ("filled the disk with %" G_GSIZE_FORMAT " bytes", pd_fault_fill_disk (disk));

  /* A snapshot now: a message that says why, and no half picture. */
  third = pd_fault_save_snapshot (snapshots, pd_printer_get_name (printer), frame, &error);
  g_assert_null (third);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_test_message ("snapshot: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "The snapshot could not be saved"));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_clear_error (&error);
  folder = pd_snapshot_store_get_folder (snapshots, pd_printer_get_name (printer));
  folder_path = g_file_get_path (folder);
  g_assert_cmpuint (n_files (folder_path, NULL), ==, 2);
  g_assert_cmpuint (n_files (folder_path, ".snapshot-"), ==, 0);

  /* An export over the last one, and a new one: refused, the old export
   * as it was, nothing half written. */
  pd_test_spin (1100); /* newer messages */
  g_assert_false (export_log (debug_log, export_path, &error));
  g_test_message ("export: %s", error->message);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
  g_clear_error (&error);
  new_export = g_build_filename (disk, "debug-log-2.jsonl", NULL);
  g_assert_false (export_log (debug_log, new_export, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (new_export, G_FILE_TEST_EXISTS));
  {
    g_autofree char *now = NULL;
    gsize            now_length = 0;

    g_assert_true (g_file_get_contents (export_path, &now, &now_length, NULL));
    g_assert_cmpmem (now, now_length, export_bytes, export_length);
  }
  /* files the user had: disk, filler, the export, the printer's folder */
  g_assert_cmpuint (n_files (disk, NULL), ==, 3);

  /* What was saved before is whole, and still listed. */
  {
    g_autofree char *now = NULL;
    gsize            now_length = 0;

    g_assert_true (g_file_load_contents (first, NULL, &now, &now_length, NULL, NULL));
    g_assert_cmpmem (now, now_length, first_bytes, first_length);
  }
  g_assert_true (g_file_query_exists (second, NULL));
  g_assert_cmpuint (g_list_model_get_n_items (listed), ==, 2);

  /* The app goes on: the printer, its camera. */
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
  g_clear_pointer (&frame, pd_camera_frame_unref);
  frame = grab (camera);

  /* Room again: saving works. */
  {
    g_autofree char *filler = g_build_filename (disk, "filler", NULL);

    g_assert_cmpint (g_unlink (filler), ==, 0);
  }
  third = pd_fault_save_snapshot (snapshots, pd_printer_get_name (printer), frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
  g_assert_cmpuint (n_files (folder_path, NULL), ==, 3);

  pd_fault_rig_assert_codes_safe (&rig, disk);
  pd_debug_log_stop (debug_log);
  g_clear_object (&listed);
  g_clear_object (&snapshots);
  g_assert_true (pd_fault_unmount (disk, &error));
  g_assert_no_error (error);
  pd_fault_rig_clear (&rig);
}

/* The keyring is locked --------------------------------------------------------*/

/* What gnome-keyring asks when something must be unlocked: the system
 * prompter. Ours declines every prompt, as a user who cancels the dialog
 * (or a session where no dialog can be shown). */
static const char prompter_xml[] =
  "<node><interface name='org.gnome.keyring.internal.Prompter'>"
  "<method name='BeginPrompting'><arg type='o' direction='in'/></method>"
  "<method name='PerformPrompt'><arg type='o' direction='in'/><arg type='s' direction='in'/>"
  "<arg type='a{sv}' direction='in'/><arg type='s' direction='in'/></method>"
  "<method name='StopPrompting'><arg type='o' direction='in'/></method>"
  "</interface></node>";

static guint n_prompts;

static void
on_prompter_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *path,
                  const char            *interface,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               data)
{
  if (g_str_equal (method, "BeginPrompting"))
    n_prompts++;
  g_dbus_method_invocation_return_dbus_error (invocation, "org.freedesktop.DBus.Error.Failed", "declined");
}

static const GDBusInterfaceVTable prompter_vtable = { on_prompter_call, NULL, NULL, { NULL } };

static void
lock_keyring (GDBusConnection *bus)
{
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new_parsed ("([objectpath '/org/freedesktop/secrets/aliases/default'],)"),
                                       G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

/* As a login does: gnome-keyring's own call that unlocks with the password. */
static void
unlock_keyring (GDBusConnection *bus,
                const char      *password)
{
  g_autoptr (GVariant) session = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError)   error = NULL;
  const char          *session_path;

  session = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                         "org.freedesktop.Secret.Service", "OpenSession",
                                         g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                         G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
  g_variant_get_child (session, 1, "&o", &session_path);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                       "UnlockWithMasterPassword",
                                       g_variant_new ("(o(o@ay@ays))", "/org/freedesktop/secrets/collection/login",
                                                      session_path,
                                                      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                                      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password,
                                                                                 strlen (password), 1),
                                                      "text/plain"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
has_keyring_error (gpointer data)
{
  return pd_printer_store_get_keyring_error (data) != NULL;
}

static void
test_keyring_locked (void)
{
  g_autofree char            *daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autoptr (GTestDBus)       dbus = NULL;
  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (GDBusNodeInfo)   prompter = NULL;
  g_autoptr (PdSim)           own_sim = NULL;
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autoptr (PdPrinterConfig) other = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdCameraFrame)   frame = NULL;
  g_autofree char            *home = NULL;
  g_autofree char            *services = NULL;
  g_autofree char            *service = NULL;
  g_autofree char            *saved = NULL;
  PdFaultRig                  rig;
  PdPrinter                  *printer;
  PdSimPrinter               *sp;

  if (daemon == NULL)
    {
      g_test_skip ("gnome-keyring-daemon is not installed");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* A private bus, a keyring daemon of its own in an empty home (its login
   * keyring made with a password we know), and our prompter. */
  home = g_dir_make_tmp ("pd-faults-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  services = g_build_filename (home, "services", NULL);
  g_assert_cmpint (g_mkdir (services, 0700), ==, 0);
  {
    g_autofree char *runtime = g_build_filename (home, "runtime", NULL);

    g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
    g_setenv ("HOME", home, TRUE);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
    g_unsetenv ("XDG_DATA_HOME");
    g_unsetenv ("GNOME_KEYRING_CONTROL");
    g_unsetenv ("DISPLAY");
  }
  service = g_strdup_printf ("[D-BUS Service]\nName=org.freedesktop.secrets\n"
                             "Exec=/bin/sh -c \"printf l0gin | exec %s --unlock --foreground --components=secrets\"\n",
                             daemon);
  {
    g_autofree char *path = g_build_filename (services, "org.freedesktop.secrets.service", NULL);

    g_assert_true (g_file_set_contents (path, service, -1, NULL));
  }
  dbus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_add_service_dir (dbus, services);
  g_test_dbus_up (dbus);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  prompter = g_dbus_node_info_new_for_xml (prompter_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/gnome/keyring/Prompter", prompter->interfaces[0], &prompter_vtable,
                                     NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.gnome.keyring.SystemPrompter", G_BUS_NAME_OWNER_FLAGS_REPLACE, NULL,
                                NULL, NULL, NULL);

  own_sim = start_sim (2);
  sp = pd_sim_get_printer (own_sim, 0);
  pd_fault_rig_init (&rig, own_sim);
  printer = pd_fault_rig_add (&rig, sp, "Locked");
  saved = pd_fault_rig_read_config (&rig);

  /* Locked while the app runs (a screen lock that locks it, Seahorse). */
  lock_keyring (bus);

  /* What was read before still works: the printer, its camera. */
  pd_test_spin (1500);
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
  frame = grab (pd_printer_store_get_camera (rig.store, printer));

  /* Saving a code needs the keyring: refused with a message, the unlock
   * prompt declined, nothing changed. */
  config = renamed (&rig, printer, "Renamed");
  g_assert_false (pd_fault_store_update (rig.store, config, "87654321", &error));
  g_assert_error (error, PD_SECRETS_ERROR, PD_SECRETS_ERROR_LOCKED);
  g_test_message ("edit: %s", error->message);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_clear_error (&error);
  g_assert_cmpstr (pd_printer_get_name (printer), ==, "Locked");
  other = pd_fault_config_for (pd_sim_get_printer (own_sim, 1), "Another");
  g_assert_null (pd_fault_store_add (rig.store, other, pd_sim_printer_get_access_code (pd_sim_get_printer (own_sim, 1)),
                                     &error));
  g_assert_error (error, PD_SECRETS_ERROR, PD_SECRETS_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig.store)), ==, 1);
  pd_fault_rig_assert_config (&rig, saved);

  /* The next start, still locked: the printer is listed, says the keyring
   * is in the way, and is not tried without its code. */
  pd_fault_rig_restart (&rig);
  printer = pd_printer_store_find (rig.store, pd_sim_printer_get_serial (sp));
  g_assert_nonnull (printer);
  g_assert_true (pd_fault_wait_reason (printer, PD_SESSION_REASON_KEYRING_FAILED, PD_FAULT_WAIT_S));
  g_assert_true (pd_test_wait_until (has_keyring_error, rig.store, PD_FAULT_WAIT_S));
  g_test_message ("keyring: %s", pd_printer_store_get_keyring_error (rig.store));
  g_assert_nonnull (strstr (pd_printer_store_get_keyring_error (rig.store), "locked"));
  g_assert_cmpuint (pd_session_get_n_attempts (pd_printer_store_get_session (rig.store, printer)), ==, 0);
  g_assert_cmpuint (n_prompts, >, 0);
  pd_fault_rig_assert_config (&rig, saved);

  /* Unlocked (the user logs in again), "Try again": connected. */
  unlock_keyring (bus, "l0gin");
  pd_printer_store_retry_secrets (rig.store);
  g_assert_true (pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, PD_FAULT_WAIT_S));
  g_assert_null (pd_printer_store_get_keyring_error (rig.store));
  pd_fault_rig_assert_config (&rig, saved);
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  pd_fault_rig_clear (&rig);
  pd_sim_stop (own_sim);
  pd_test_remove_tree (home);
  /* libsecret keeps a reference to the bus after a prompt: stop the bus
   * daemon and leave at once (see test-printer-store's keyring tests) */
  secret_service_disconnect ();
  g_test_dbus_stop (dbus);
  fflush (stdout);
  fflush (stderr);
  _exit (0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* First, while there is one thread only. */
  pd_fault_private_mounts (&no_mounts);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults/keyring-locked", test_keyring_locked);
  g_test_add_func ("/faults/config-corrupt", test_config_corrupt);
  g_test_add_func ("/faults/config-unwritable", test_config_unwritable);
  g_test_add_func ("/faults/disk-full-snapshot", test_disk_full_snapshot);

  /* The subprocess runs the keyring case, with a simulator of its own. */
  if (g_test_subprocess ())
    return g_test_run ();

  if (no_mounts != NULL)
    g_test_message ("%s", no_mounts);
  sim = start_sim (3);
  status = g_test_run ();
  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
