/* pd-fault-rig.c — what the fault suite's programs share
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* unshare() and CLONE_NEWNS */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "pd-enums.h"
#include "pd-fault-rig.h"
#include "pd-secrets.h"
#include "pd-test-util.h"

/* Mounts -----------------------------------------------------------------------*/

gboolean
pd_fault_private_mounts (char **why)
{
  if (geteuid () != 0)
    {
      *why = g_strdup ("not running as root: no tmpfs or read-only mounts");
      return FALSE;
    }
  if (unshare (CLONE_NEWNS) != 0)
    {
      *why = g_strdup_printf ("no mount namespace of our own: %s", g_strerror (errno));
      return FALSE;
    }
  /* Nothing mounted here propagates back to the rest of the system. */
  if (mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      *why = g_strdup_printf ("cannot make our mounts private: %s", g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_errno_error (GError    **error,
                 const char *what,
                 const char *dir)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s %s: %s", what, dir, g_strerror (saved));
  return FALSE;
}

gboolean
pd_fault_mount_tmpfs (const char *dir,
                      gsize       bytes,
                      GError    **error)
{
  g_autofree char *options = g_strdup_printf ("size=%" G_GSIZE_FORMAT ",mode=0700", bytes);

  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    return set_errno_error (error, "cannot mount a tmpfs on", dir);
  return TRUE;
}

gboolean
pd_fault_remount_read_only (const char *dir,
                            gboolean    read_only,
                            GError    **error)
{
  unsigned long flags = MS_REMOUNT | MS_BIND | (read_only ? MS_RDONLY : 0);

  if (mount (NULL, dir, NULL, flags, NULL) != 0)
    return set_errno_error (error, "cannot remount", dir);
  return TRUE;
}

/* @dir on itself, read-only: even root gets EROFS there. */
gboolean
pd_fault_bind_read_only (const char *dir,
                         GError    **error)
{
  if (mount (dir, dir, NULL, MS_BIND, NULL) != 0)
    return set_errno_error (error, "cannot bind-mount", dir);
  return pd_fault_remount_read_only (dir, TRUE, error);
}

gboolean
pd_fault_unmount (const char *dir,
                  GError    **error)
{
  if (umount2 (dir, MNT_DETACH) != 0)
    return set_errno_error (error, "cannot unmount", dir);
  return TRUE;
}

gsize
pd_fault_fill_disk (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "filler", NULL);
  char             block[4096];
  gsize            total = 0;
  int              fd;

  memset (block, 0xA5, sizeof block);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  /* the tmpfs is small: this ends in a few hundred writes at most */
  for (;;)
    {
      ssize_t n = write (fd, block, sizeof block);

      if (n <= 0)
        break;
      total += (gsize) n;
    }
  /* what is left of the last block, byte by byte */
  while (write (fd, block, 1) == 1)
    total++;
  g_assert_cmpint (errno, ==, ENOSPC);
  close (fd);

  return total;
}

/* The store, step by step ------------------------------------------------------------*/

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  if (!pd_test_wait_for_result (result, PD_FAULT_WAIT_S))
    g_error ("an asynchronous call of the store did not finish within %d s", PD_FAULT_WAIT_S);
  return *result;
}

gboolean
pd_fault_store_load (PdPrinterStore *store,
                     GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  pd_printer_store_load_async (store, NULL, pd_test_store_result, &result);
  return pd_printer_store_load_finish (store, wait_result (&result), error);
}

PdPrinter *
pd_fault_store_add (PdPrinterStore        *store,
                    const PdPrinterConfig *config,
                    const char            *code,
                    GError               **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  pd_printer_store_add_async (store, config, code, NULL, pd_test_store_result, &result);
  return pd_printer_store_add_finish (store, wait_result (&result), error);
}

gboolean
pd_fault_store_update (PdPrinterStore        *store,
                       const PdPrinterConfig *config,
                       const char            *code,
                       GError               **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  pd_printer_store_update_async (store, config, code, NULL, pd_test_store_result, &result);
  return pd_printer_store_update_finish (store, wait_result (&result), error);
}

gboolean
pd_fault_store_remove (PdPrinterStore *store,
                       const char     *serial,
                       GError        **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  pd_printer_store_remove_async (store, serial, NULL, pd_test_store_result, &result);
  return pd_printer_store_remove_finish (store, wait_result (&result), error);
}

/* The rig ------------------------------------------------------------------------*/

static PdPrinterStore *
loaded_store (PdFaultRig *rig)
{
  PdPrinterStore    *store = pd_printer_store_new (rig->config_dir, rig->cache_dir);
  g_autoptr (GError) error = NULL;

  if (!pd_fault_store_load (store, &error))
    g_error ("the store did not load: %s", error->message);
  /* Found out in seconds, not the minute the app waits: the cases are
   * bounded in time. */
  pd_printer_store_set_stale_timeout (store, 4);

  return store;
}

/* The rigs' folders, removed again at the end. */
static GPtrArray *swept;

static void
sweep (void)
{
  for (guint i = 0; i < swept->len; i++)
    pd_test_remove_tree (g_ptr_array_index (swept, i));
  g_clear_pointer (&swept, g_ptr_array_unref);
}

void
pd_fault_rig_init (PdFaultRig *rig,
                   PdSim      *sim)
{
  g_autoptr (GError) error = NULL;

  memset (rig, 0, sizeof *rig);
  rig->sim = sim;
  rig->base = g_dir_make_tmp ("pd-faults-XXXXXX", &error);
  g_assert_no_error (error);
  rig->config_dir = g_build_filename (rig->base, "config", NULL);
  rig->cache_dir = g_build_filename (rig->base, "cache", NULL);
  rig->config_file = g_build_filename (rig->config_dir, "printers.ini", NULL);
  rig->serials = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (g_mkdir_with_parents (rig->config_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (rig->cache_dir, 0700), ==, 0);
  rig->store = loaded_store (rig);
}

/* Lets the store's last background work (cache, keyring replies) end. */
static void
drain (void)
{
  pd_test_spin (200);
}

void
pd_fault_rig_close (PdFaultRig *rig)
{
  if (rig->store == NULL)
    return;
  pd_printer_store_shutdown (rig->store);
  drain ();
  g_assert_finalize_object (g_steal_pointer (&rig->store));
}

void
pd_fault_rig_restart (PdFaultRig *rig)
{
  pd_fault_rig_close (rig);
  rig->store = loaded_store (rig);
}

void
pd_fault_rig_clear (PdFaultRig *rig)
{
  pd_fault_rig_close (rig);
  for (guint i = 0; i < rig->serials->len; i++)
    pd_fault_keyring_clear (g_ptr_array_index (rig->serials, i));
  pd_test_remove_tree (rig->base);
  /* A cache save the store started on a worker may still end after the
   * store is gone (slowly, under AddressSanitizer) and make the folder
   * again: looked at once more when the program ends. */
  if (swept == NULL)
    {
      swept = g_ptr_array_new_with_free_func (g_free);
      atexit (sweep);
    }
  g_ptr_array_add (swept, g_strdup (rig->base));
  g_free (rig->base);
  g_free (rig->config_dir);
  g_free (rig->cache_dir);
  g_free (rig->config_file);
  g_ptr_array_unref (rig->serials);
  memset (rig, 0, sizeof *rig);
}

PdPrinterConfig *
pd_fault_config_for (PdSimPrinter *sp,
                     const char   *name)
{
  PdPrinterConfig *config = pd_printer_config_new (pd_sim_printer_get_serial (sp), pd_sim_printer_get_host (sp));

  config->port = pd_sim_printer_get_port (sp);
  config->name = g_strdup (name);
  config->camera_port = pd_sim_printer_get_camera_port (sp);
  config->ftp_port = pd_sim_printer_get_ftp_port (sp);
  if (config->ftp_port != 0)
    config->ftp_user = g_strdup (pd_sim_printer_get_ftp_user (sp));

  return config;
}

typedef struct
{
  PdFaultRig *rig;
  PdPrinter  *printer;
} PinWait;

static gboolean
is_connected_and_pinned (gpointer data)
{
  PinWait *wait = data;

  return pd_printer_get_connection (wait->printer) == PD_CONNECTION_CONNECTED &&
         pd_printer_get_status (wait->printer) != PD_STATUS_UNKNOWN &&
         pd_printer_store_get_config (wait->rig->store, wait->printer)->fingerprint != NULL;
}

PdPrinter *
pd_fault_rig_add (PdFaultRig   *rig,
                  PdSimPrinter *sp,
                  const char   *name)
{
  g_autoptr (PdPrinterConfig) config = pd_fault_config_for (sp, name);
  g_autoptr (GError)          error = NULL;
  g_autoptr (PdPrinter)       printer = NULL;
  PinWait                     wait;

  pd_fault_keyring_clear (pd_sim_printer_get_serial (sp));
  printer = pd_fault_store_add (rig->store, config, pd_sim_printer_get_access_code (sp), &error);
  g_assert_no_error (error);
  g_ptr_array_add (rig->serials, g_strdup (pd_sim_printer_get_serial (sp)));

  wait = (PinWait){ rig, printer };
  if (!pd_test_wait_until (is_connected_and_pinned, &wait, PD_FAULT_WAIT_S))
    g_error ("%s did not connect: %s", name, pd_fault_reason_label (printer));

  return printer; /* the store holds it */
}

/* Files and the keyring ------------------------------------------------------------*/

char *
pd_fault_rig_read_config (PdFaultRig *rig)
{
  g_autoptr (GError) error = NULL;
  char              *contents = NULL;

  g_file_get_contents (rig->config_file, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

void
pd_fault_rig_assert_config (PdFaultRig *rig,
                            const char *expected)
{
  g_autofree char *now = pd_fault_rig_read_config (rig);

  g_assert_cmpstr (now, ==, expected);
}

char *
pd_fault_keyring_lookup (const char *serial)
{
  return pd_test_keyring_lookup (pd_secrets_get_schema (), "serial", serial);
}

void
pd_fault_keyring_clear (const char *serial)
{
  g_autoptr (GError) error = NULL;

  secret_password_clear_sync (pd_secrets_get_schema (), NULL, &error, "serial", serial, NULL);
  g_assert_no_error (error);
}

gboolean
pd_fault_tree_contains (const char *path,
                        const char *needle)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  if (dir == NULL)
    {
      g_autofree char *contents = NULL;
      gsize            length = 0;
      gsize            n = strlen (needle);

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return FALSE;
      /* byte by byte: the files may hold anything */
      for (gsize i = 0; i + n <= length; i++)
        if (memcmp (contents + i, needle, n) == 0)
          return TRUE;
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && pd_fault_tree_contains (child, needle))
        return TRUE;
    }
  return FALSE;
}

void
pd_fault_rig_assert_codes_safe (PdFaultRig *rig,
                                const char *also)
{
  for (guint i = 0; i < rig->serials->len; i++)
    {
      const char      *serial = g_ptr_array_index (rig->serials, i);
      PdSimPrinter    *sp = pd_sim_find_printer (rig->sim, serial);
      g_autofree char *stored = pd_fault_keyring_lookup (serial);

      g_assert_nonnull (sp);
      /* the code the user gave is where it belongs… */
      g_assert_cmpstr (stored, ==, pd_sim_printer_get_access_code (sp));
      /* …and in no file (never printed: the comparison says only yes or no) */
      if (pd_fault_tree_contains (rig->base, stored))
        g_error ("the access code of %s is in a file under %s", serial, rig->base);
      if (also != NULL && pd_fault_tree_contains (also, stored))
        g_error ("the access code of %s is in a file under %s", serial, also);
    }
}

/* What the user sees ----------------------------------------------------------------*/

const char *
pd_fault_reason_label (PdPrinter *printer)
{
  const char *label = pd_session_reason_to_label (pd_printer_get_connection_reason (printer));

  return label != NULL ? label : pd_connection_to_label (pd_printer_get_connection (printer));
}

typedef struct
{
  PdPrinter      *printer;
  PdConnection    connection;
  PdSessionReason reason;
} ConnectionWait;

static gboolean
has_connection (gpointer data)
{
  ConnectionWait *wait = data;

  return pd_printer_get_connection (wait->printer) == wait->connection;
}

gboolean
pd_fault_wait_connection (PdPrinter   *printer,
                          PdConnection connection,
                          guint        seconds)
{
  ConnectionWait wait = { printer, connection, PD_SESSION_REASON_NONE };

  if (pd_test_wait_until (has_connection, &wait, seconds))
    return TRUE;
  g_test_message ("%s is %s (%s), not %s after %u s", pd_printer_get_name (printer),
                  pd_connection_to_string (pd_printer_get_connection (printer)), pd_fault_reason_label (printer),
                  pd_connection_to_string (connection), seconds);
  return FALSE;
}

static gboolean
has_reason (gpointer data)
{
  ConnectionWait *wait = data;

  return pd_printer_get_connection (wait->printer) != PD_CONNECTION_CONNECTED &&
         pd_printer_get_connection_reason (wait->printer) == wait->reason;
}

gboolean
pd_fault_wait_reason (PdPrinter      *printer,
                      PdSessionReason reason,
                      guint           seconds)
{
  ConnectionWait wait = { printer, PD_CONNECTION_NONE, reason };

  if (pd_test_wait_until (has_reason, &wait, seconds))
    {
      g_test_message ("%s: “%s”", pd_printer_get_name (printer), pd_fault_reason_label (printer));
      return TRUE;
    }
  g_test_message ("%s is %s: “%s”, not %s after %u s", pd_printer_get_name (printer),
                  pd_connection_to_string (pd_printer_get_connection (printer)), pd_fault_reason_label (printer),
                  pd_session_reason_to_string (reason), seconds);
  return FALSE;
}

typedef struct
{
  PdCameraSource *camera;
  PdCameraProblem problem;
  guint64         frames;
} CameraWait;

static gboolean
has_problem (gpointer data)
{
  CameraWait *wait = data;

  return pd_camera_source_get_problem (wait->camera) == wait->problem;
}

gboolean
pd_fault_wait_camera_problem (PdCameraSource *camera,
                              PdCameraProblem problem,
                              guint           seconds)
{
  CameraWait wait = { camera, problem, 0 };

  if (pd_test_wait_until (has_problem, &wait, seconds))
    {
      g_test_message ("camera: %s — %s", pd_camera_problem_to_label (problem),
                      pd_camera_source_get_problem_message (camera));
      return TRUE;
    }
  g_test_message ("camera problem %d (%s), not %d after %u s", pd_camera_source_get_problem (camera),
                  pd_camera_source_get_problem_message (camera), problem, seconds);
  return FALSE;
}

static gboolean
has_frames (gpointer data)
{
  CameraWait *wait = data;

  return pd_camera_source_get_n_frames (wait->camera) >= wait->frames;
}

gboolean
pd_fault_wait_camera_frames (PdCameraSource *camera,
                             guint64         n,
                             guint           seconds)
{
  CameraWait wait = { camera, PD_CAMERA_PROBLEM_NONE, pd_camera_source_get_n_frames (camera) + n };

  if (pd_test_wait_until (has_frames, &wait, seconds))
    return TRUE;
  g_test_message ("camera: %" G_GUINT64_FORMAT " frames, not %" G_GUINT64_FORMAT " after %u s (problem %d: %s)",
                  pd_camera_source_get_n_frames (camera), wait.frames, seconds, pd_camera_source_get_problem (camera),
                  pd_camera_source_get_problem_message (camera));
  return FALSE;
}

typedef struct
{
  PdPrinter         *printer;
  PdJobDetailsStatus status;
  guint              before;
  gboolean           next;       /* only a later job's */
  gboolean           seen_other; /* the later job was seen in another status first */
} DetailsWait;

static gboolean
has_details (gpointer data)
{
  DetailsWait       *wait = data;
  PdJobDetailsStatus status = pd_printer_get_job_details_status (wait->printer);

  if (wait->next)
    {
      if (pd_printer_get_state (wait->printer)->job_generation <= wait->before)
        return FALSE;
      /* the new job's details start over: not the last job's any more */
      if (status != wait->status)
        wait->seen_other = TRUE;
      if (!wait->seen_other)
        return FALSE;
    }
  return status == wait->status;
}

gboolean
pd_fault_wait_details (PdPrinter         *printer,
                       PdJobDetailsStatus status,
                       guint              seconds)
{
  DetailsWait wait = { printer, status, 0, FALSE, FALSE };

  if (pd_test_wait_until (has_details, &wait, seconds))
    return TRUE;
  g_test_message ("job details %d (%s), not %d after %u s", pd_printer_get_job_details_status (printer),
                  pd_job_get_details_message (pd_printer_get_job (printer)), status, seconds);
  return FALSE;
}

gboolean
pd_fault_wait_next_details (PdPrinter         *printer,
                            guint              before,
                            PdJobDetailsStatus status,
                            guint              seconds)
{
  /* the last job's own details, if they are what is waited for, do not
   * count: the new job's must be seen go through another status first */
  DetailsWait wait = { printer, status, before, TRUE, pd_printer_get_job_details_status (printer) != status };

  if (pd_test_wait_until (has_details, &wait, seconds))
    return TRUE;
  g_test_message ("job %u details %d (%s), not %d after %u s", pd_printer_get_state (printer)->job_generation,
                  pd_printer_get_job_details_status (printer), pd_job_get_details_message (pd_printer_get_job (printer)),
                  status, seconds);
  return FALSE;
}

/* The main loop ------------------------------------------------------------------*/

static gboolean
on_meter_tick (gpointer data)
{
  PdFaultStallMeter *meter = data;
  gint64             now = g_get_monotonic_time ();

  meter->longest = MAX (meter->longest, now - meter->last);
  meter->last = now;
  meter->ticks++;
  return G_SOURCE_CONTINUE;
}

void
pd_fault_stall_meter_start (PdFaultStallMeter *meter)
{
  meter->last = g_get_monotonic_time ();
  meter->longest = 0;
  meter->ticks = 0;
  meter->id = g_timeout_add (10, on_meter_tick, meter);
}

void
pd_fault_stall_meter_stop (PdFaultStallMeter *meter)
{
  on_meter_tick (meter);
  g_clear_handle_id (&meter->id, g_source_remove);
}

double
pd_fault_stall_meter_longest_ms (PdFaultStallMeter *meter)
{
  return meter->longest / 1000.0;
}

/* Notifications ----------------------------------------------------------------------*/

static void notices_schedule (PdFaultNotices *notices);

static void
notices_count (PdFaultNotices *notices,
               GPtrArray      *out)
{
  for (guint i = 0; i < out->len; i++)
    {
      PdNotice        *notice = g_ptr_array_index (out, i);
      g_autofree char *title = pd_notice_dup_title (notice);

      notices->n_notices++;
      if (notice->withdraw)
        continue;
      if (notice->kind == PD_NOTICE_OFFLINE && !notice->back_online)
        notices->n_offline_shown++;
      if (!notice->alert)
        continue;
      notices->n_alerts++;
      if (notice->kind == PD_NOTICE_OFFLINE)
        {
          if (notice->back_online)
            notices->n_online_alerts++;
          else
            notices->n_offline_alerts++;
        }
      g_test_message ("notification: %s", title);
    }
  g_ptr_array_unref (out);
}

static gboolean
on_notices_timer (gpointer data)
{
  PdFaultNotices *notices = data;

  notices->timer_id = 0;
  notices_count (notices, pd_notifier_tick (notices->notifier, g_get_monotonic_time ()));
  notices_schedule (notices);
  return G_SOURCE_REMOVE;
}

/* One timeout at the notifier's next deadline, as the app has. */
static void
notices_schedule (PdFaultNotices *notices)
{
  gint64 deadline = pd_notifier_get_deadline (notices->notifier);
  gint64 delay;

  g_clear_handle_id (&notices->timer_id, g_source_remove);
  if (deadline == G_MAXINT64)
    return;
  delay = MAX (0, deadline - g_get_monotonic_time ());
  notices->timer_id = g_timeout_add ((guint) MIN ((delay + 999) / 1000, G_MAXUINT), on_notices_timer, notices);
}

static void
on_notices_state (PdPrinter      *printer,
                  GParamSpec     *pspec,
                  PdFaultNotices *notices)
{
  notices_count (notices, pd_notifier_update (notices->notifier, pd_printer_get_state (printer),
                                              g_get_monotonic_time ()));
  notices_schedule (notices);
}

void
pd_fault_notices_init (PdFaultNotices *notices)
{
  memset (notices, 0, sizeof *notices);
  notices->notifier = pd_notifier_new ();
  notices->printers = g_ptr_array_new_with_free_func (g_object_unref);
}

void
pd_fault_notices_watch (PdFaultNotices *notices,
                        PdPrinter      *printer)
{
  g_ptr_array_add (notices->printers, g_object_ref (printer));
  g_signal_connect (printer, "notify::state", G_CALLBACK (on_notices_state), notices);
  on_notices_state (printer, NULL, notices);
}

void
pd_fault_notices_clear (PdFaultNotices *notices)
{
  for (guint i = 0; i < notices->printers->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (notices->printers, i), notices);
  g_clear_handle_id (&notices->timer_id, g_source_remove);
  g_ptr_array_unref (notices->printers);
  g_object_unref (notices->notifier);
}

/* Memory ---------------------------------------------------------------------------*/

gsize
pd_fault_rss_kib (void)
{
  g_autofree char *statm = NULL;
  unsigned long    size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return 0;

  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE) / 1024;
}

gsize
pd_fault_heap_kib (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks / 1024;
}

guint
pd_fault_duration (guint normal,
                   guint long_seconds)
{
  const char *env = g_getenv ("PD_FAULTS_LONG");
  guint64     seconds;

  if (env == NULL || *env == '\0')
    return normal;
  seconds = g_ascii_strtoull (env, NULL, 10);

  return seconds > 0 ? (guint) MIN (seconds, 24 * 3600) : long_seconds;
}

GFile *
pd_fault_save_snapshot (PdSnapshotStore *snapshots,
                        const char      *name,
                        PdCameraFrame   *frame,
                        GError         **error)
{
  g_autoptr (GDateTime)    now = g_date_time_new_now_local ();
  g_autoptr (GAsyncResult) result = NULL;

  pd_snapshot_store_save_async (snapshots, name, frame, now, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, PD_FAULT_WAIT_S));
  return pd_snapshot_store_save_finish (snapshots, result, error);
}
