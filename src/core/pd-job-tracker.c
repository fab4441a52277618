/* pd-job-tracker.c — reading each job's file from its printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A job is known by the printer's job generation (a count of job starts the
 * report merger saw) and its name: a reconnect keeps both, so the details
 * read once stay with the printer's PdJob and nothing is fetched again; a
 * new job, even of the same file, starts over.
 *
 * When to fetch (reference/ftps-3mf.md §1.5): the printers put the file on
 * their storage before or shortly after RUNNING begins (X1/H2/P2 only a few
 * seconds into it), so the tracker asks once the job runs and, while the
 * file is not there, tries again every few seconds a bounded number of
 * times. A printer that reports no SD card has nothing to fetch.
 *
 * Printers serve one FTP client at a time and slowly: one transfer per
 * printer, and at most MAX_RUNNING across all printers (which also bounds
 * the memory the downloads take); the others wait their turn in order.
 */

#define G_LOG_DOMAIN "pd-job-tracker"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pd-job-fetch.h"
#include "pd-job-file.h"
#include "pd-job-tracker.h"

#define MAX_RUNNING            2
#define NOT_FOUND_RETRY_S      5
#define NOT_FOUND_TRIES        12
#define TRANSIENT_RETRY_FACTOR 6 /* a link problem waits this many retry intervals */
#define TRANSIENT_TRIES        3

struct _PdJobTracker
{
  GObject       parent_instance;

  PdPrinter    *printer;
  char         *host;
  guint         port;
  char         *access_code;
  char         *fingerprint;
  char         *username;
  gboolean      stopped;
  gboolean      clear_data; /* learned: this printer needs PROT C (A1) */

  /* the job the tracker works on */
  gboolean      have_job;
  guint         generation;
  char         *job_name;
  gboolean      done;       /* read, or given up on */
  guint         not_found;  /* tries that found no file */
  guint         transient;  /* tries that failed on the link */

  GCancellable *cancellable; /* the fetch or read under way */
  gboolean      queued;
  guint         retry_id;

  guint         retry_seconds;
  guint         max_tries;
  guint         stall_seconds;
};

G_DEFINE_FINAL_TYPE (PdJobTracker, pd_job_tracker, G_TYPE_OBJECT)

static guint   n_running;
static GQueue  waiting = G_QUEUE_INIT; /* PdJobTracker, not referenced: dispose leaves */

static void reconsider (PdJobTracker *self);
static void start_fetch (PdJobTracker *self);

/* Paths -----------------------------------------------------------------------*/

static void
add_name (GPtrArray  *names,
          const char *name)
{
  if (name == NULL || *name == '\0' || strchr (name, '/') != NULL)
    return;
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), name))
      return;
  g_ptr_array_add (names, g_strdup (name));
}

static void
add_path (GPtrArray  *paths,
          const char *dir,
          const char *name)
{
  char *path = g_strconcat (dir, name, NULL);

  for (guint i = 0; i < paths->len; i++)
    if (g_str_equal (g_ptr_array_index (paths, i), path))
      {
        g_free (path);
        return;
      }
  g_ptr_array_add (paths, path);
}

/**
 * pd_job_candidate_paths:
 * @state: a printer's state
 *
 * LAN prints from the slicer land in the storage's root as
 * "<subtask_name>.gcode.3mf"; cloud, MakerWorld and Handy prints in /cache
 * as "<subtask_name>.3mf". P1/A1 name the file in gcode_file; X1/H2 name
 * the G-code inside it (/data/Metadata/plate_N.gcode, a RAM disk FTP does
 * not show), which is skipped.
 *
 * Returns: (transfer full) (nullable): the paths to try, in order
 */
GStrv
pd_job_candidate_paths (const PdState *state)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char           *file;
  const char           *name;

  g_return_val_if_fail (state != NULL, NULL);

  file = state->job_file;
  if (file != NULL && *file != '\0' && strstr (file, "etadata/") == NULL && g_str_has_suffix (file, ".3mf"))
    {
      g_autofree char *base = g_path_get_basename (file);

      /* a full path as the printer gave it comes first */
      if (file[0] == '/' && strstr (file, "/../") == NULL)
        g_ptr_array_add (paths, g_strdup (file));
      add_name (names, base);
    }

  name = state->job_name;
  if (name != NULL && *name != '\0')
    {
      if (g_str_has_suffix (name, ".3mf"))
        add_name (names, name);
      else
        {
          g_autofree char *gcode_3mf = g_strconcat (name, ".gcode.3mf", NULL);
          g_autofree char *plain_3mf = g_strconcat (name, ".3mf", NULL);

          add_name (names, gcode_3mf);
          add_name (names, plain_3mf);
        }
    }

  for (guint i = 0; i < names->len; i++)
    add_path (paths, "/", g_ptr_array_index (names, i));
  for (guint i = 0; i < names->len; i++)
    add_path (paths, "/cache/", g_ptr_array_index (names, i));

  if (paths->len == 0)
    return NULL;
  g_ptr_array_add (paths, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&paths), FALSE);
}

/**
 * pd_job_describe_error:
 * @error: why a job's file could not be fetched or read
 *
 * Returns: (transfer full): what it means for the user, and what to do
 */
char *
pd_job_describe_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == PD_JOB_FETCH_ERROR)
    {
      switch ((PdJobFetchError) error->code)
        {
        case PD_JOB_FETCH_ERROR_UNREACHABLE:
          return g_strdup_printf (_("The printer’s file storage could not be reached (%s). Another app may be "
                                    "transferring a file, or the printer’s network is slow."),
                                  error->message);
        case PD_JOB_FETCH_ERROR_LOGIN:
          return g_strdup (_("The printer refused the access code for its files. Check the access code on the "
                             "printer’s screen."));
        case PD_JOB_FETCH_ERROR_NOT_FOUND:
          return g_strdup (_("The job’s file is not on the printer’s storage. Jobs started from Bambu Handy, "
                             "MakerWorld or the cloud may be kept where the app cannot read them."));
        case PD_JOB_FETCH_ERROR_TOO_LARGE:
          {
            g_autofree char *size = g_format_size_full (PD_JOB_TRACKER_MAX_BYTES, G_FORMAT_SIZE_IEC_UNITS);

            return g_strdup_printf (_("The job’s file is larger than %s, so it was not read."), size);
          }
        case PD_JOB_FETCH_ERROR_STALLED:
          return g_strdup (_("The printer stopped sending the job’s file part-way."));
        case PD_JOB_FETCH_ERROR_CERTIFICATE:
          return g_strdup (_("The printer’s file storage presented a different certificate than the one trusted "
                             "for this printer, so nothing was read from it."));
        case PD_JOB_FETCH_ERROR_FAILED:
        default:
          return g_strdup_printf (_("The job’s file could not be fetched: %s"), error->message);
        }
    }

  if (error->domain == PD_JOB_FILE_ERROR)
    {
      switch ((PdJobFileError) error->code)
        {
        case PD_JOB_FILE_ERROR_NOT_ZIP:
          return g_strdup (_("The job’s file on the printer is damaged: it is not a readable 3MF file."));
        case PD_JOB_FILE_ERROR_NO_METADATA:
          return g_strdup (_("The job’s file holds no slicing results, so it tells no filament amounts."));
        case PD_JOB_FILE_ERROR_NO_PLATE:
          return g_strdup (_("The job’s file holds no slicing results for the plate being printed."));
        case PD_JOB_FILE_ERROR_TOO_LARGE:
          return g_strdup (_("The job’s file has parts too large to read safely."));
        case PD_JOB_FILE_ERROR_BAD_METADATA:
        default:
          return g_strdup (_("The slicing results in the job’s file are damaged."));
        }
    }

  return g_strdup (error->message);
}

/* Taking turns ----------------------------------------------------------------*/

static void
leave_queue (PdJobTracker *self)
{
  if (self->queued)
    g_queue_remove (&waiting, self);
  self->queued = FALSE;
}

static void
next_in_queue (void)
{
  while (n_running < MAX_RUNNING && !g_queue_is_empty (&waiting))
    {
      PdJobTracker *next = g_queue_pop_head (&waiting);

      next->queued = FALSE;
      start_fetch (next);
    }
}

/* Attempts --------------------------------------------------------------------*/

typedef struct
{
  PdJobTracker *self;
  GCancellable *cancellable;
  int           plate;
  gboolean      clear_data;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_clear_object (&attempt->self);
  g_clear_object (&attempt->cancellable);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static gboolean
is_a1 (PdJobTracker *self)
{
  const char *model = pd_printer_get_model (self->printer);

  return model != NULL && g_str_has_prefix (model, "A1");
}

static gboolean
on_retry (gpointer data)
{
  PdJobTracker *self = data;

  self->retry_id = 0;
  reconsider (self);
  return G_SOURCE_REMOVE;
}

static void
retry_in (PdJobTracker *self,
          guint         seconds)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add_seconds (seconds, on_retry, self);
}

static void
give_up (PdJobTracker *self,
         const GError *error)
{
  g_autofree char *message = pd_job_describe_error (error);

  g_message ("%s: no job details: %s", pd_printer_get_serial (self->printer), error->message);
  self->done = TRUE;
  pd_printer_set_job_details (self->printer, PD_JOB_DETAILS_UNAVAILABLE, NULL, message);
}

/* Whether @attempt still matters: the tracker may have moved on. */
static gboolean
attempt_current (Attempt *attempt)
{
  return !g_cancellable_is_cancelled (attempt->cancellable) &&
         attempt->self->cancellable == attempt->cancellable;
}

static void
attempt_end (Attempt *attempt)
{
  PdJobTracker *self = attempt->self;

  if (self->cancellable == attempt->cancellable)
    g_clear_object (&self->cancellable);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Attempt      *attempt = task_data;
  GBytes       *bytes = g_object_get_data (G_OBJECT (task), "bytes");
  PdJobDetails *details;
  GError       *error = NULL;

  (void) source_object;
  (void) cancellable;
  details = pd_job_details_new_from_bytes (bytes, attempt->plate, &error);
  if (details == NULL && g_error_matches (error, PD_JOB_FILE_ERROR, PD_JOB_FILE_ERROR_NO_PLATE) &&
      attempt->plate > 0)
    {
      /* a plate number that does not match the file: take the file's own */
      g_clear_error (&error);
      details = pd_job_details_new_from_bytes (bytes, -1, &error);
    }
  if (details != NULL)
    g_task_return_pointer (task, details, (GDestroyNotify) pd_job_details_unref);
  else
    g_task_return_error (task, error);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  g_autoptr (Attempt)      attempt = data;
  g_autoptr (PdJobDetails) details = NULL;
  g_autoptr (GError)       error = NULL;
  PdJobTracker            *self = attempt->self;

  (void) source;
  details = g_task_propagate_pointer (G_TASK (result), &error);
  if (!attempt_current (attempt))
    return;
  attempt_end (attempt);

  if (details == NULL)
    {
      give_up (self, error);
      return;
    }

  g_debug ("%s: job details read: plate %d, %.2f g", pd_printer_get_serial (self->printer),
           pd_job_details_get_plate (details), pd_job_details_get_total_grams (details));
  self->done = TRUE;
  pd_printer_set_job_details (self->printer, PD_JOB_DETAILS_READY, details, NULL);
}

static void
on_fetched (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (Attempt) attempt = data;
  g_autoptr (GBytes)  bytes = NULL;
  g_autoptr (GError)  error = NULL;
  g_autofree char    *path = NULL;
  PdJobTracker       *self = attempt->self;
  g_autoptr (GTask)   task = NULL;

  (void) source;
  bytes = pd_job_fetch_finish (result, &path, &error);
  n_running--;
  next_in_queue ();

  if (!attempt_current (attempt))
    return;

  if (bytes != NULL)
    {
      g_debug ("%s: fetched %s (%" G_GSIZE_FORMAT " bytes)", pd_printer_get_serial (self->printer), path,
               g_bytes_get_size (bytes));
      if (attempt->clear_data)
        self->clear_data = TRUE;
      task = g_task_new (NULL, attempt->cancellable, on_read, attempt);
      g_task_set_name (task, "[printdeck] job file read");
      g_object_set_data_full (G_OBJECT (task), "bytes", g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
      g_task_set_task_data (task, g_steal_pointer (&attempt), NULL);
      g_task_run_in_thread (task, read_thread);
      return;
    }

  attempt_end (attempt);

  if (g_error_matches (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_NOT_FOUND))
    {
      /* X1/H2/P2 write the file a few seconds into the job */
      if (++self->not_found < self->max_tries)
        {
          g_debug ("%s: the job's file is not there yet (%u)", pd_printer_get_serial (self->printer),
                   self->not_found);
          retry_in (self, self->retry_seconds);
          return;
        }
    }
  else if (g_error_matches (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_UNREACHABLE) ||
           g_error_matches (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_STALLED) ||
           g_error_matches (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED))
    {
      /* A1 data connections over TLS can hang: try them in the clear once */
      if (is_a1 (self) && !self->clear_data && !attempt->clear_data)
        {
          g_message ("%s: job file: %s; trying a clear data connection", pd_printer_get_serial (self->printer),
                     error->message);
          self->clear_data = TRUE;
          start_fetch (self);
          return;
        }
      if (++self->transient < MIN (TRANSIENT_TRIES, self->max_tries))
        {
          g_message ("%s: job file: %s; trying again", pd_printer_get_serial (self->printer), error->message);
          retry_in (self, self->retry_seconds * TRANSIENT_RETRY_FACTOR);
          return;
        }
    }

  give_up (self, error);
}

static void
start_fetch (PdJobTracker *self)
{
  PdState                *state = pd_printer_get_state (self->printer);
  g_auto (GStrv)          paths = pd_job_candidate_paths (state);
  PdJobFetchOptions       options = { 0 };
  Attempt                *attempt;

  if (self->stopped)
    return;

  if (paths == NULL)
    {
      g_autoptr (GError) error = g_error_new_literal (PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_NOT_FOUND,
                                                      "the printer names no job file");

      give_up (self, error);
      return;
    }

  if (n_running >= MAX_RUNNING)
    {
      if (!self->queued)
        g_queue_push_tail (&waiting, self);
      self->queued = TRUE;
      return;
    }

  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  attempt = g_new0 (Attempt, 1);
  attempt->self = g_object_ref (self);
  attempt->cancellable = g_object_ref (self->cancellable);
  attempt->plate = pd_job_plate_from_gcode_file (state->job_file);
  attempt->clear_data = self->clear_data;

  options.username = self->username;
  options.clear_data = self->clear_data;
  options.stall_seconds = self->stall_seconds;
  /* the printer's certificate rule needs its serial (pd-cert-policy) */
  options.serial = pd_printer_get_serial (self->printer);

  n_running++;
  pd_job_fetch_async (self->host, self->port != 0 ? self->port : PD_JOB_FETCH_DEFAULT_PORT, self->access_code,
                      self->fingerprint, (const char *const *) paths, PD_JOB_TRACKER_MAX_BYTES, &options,
                      attempt->cancellable, on_fetched, attempt);
}

/* Deciding --------------------------------------------------------------------*/

static void
cancel_work (PdJobTracker *self)
{
  g_clear_handle_id (&self->retry_id, g_source_remove);
  leave_queue (self);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static gboolean
busy (PdJobTracker *self)
{
  return self->cancellable != NULL || self->queued || self->retry_id != 0;
}

static void
set_unavailable (PdJobTracker *self,
                 const char   *message)
{
  pd_printer_set_job_details (self->printer, PD_JOB_DETAILS_UNAVAILABLE, NULL, message);
}

static void
reconsider (PdJobTracker *self)
{
  PdState      *state = pd_printer_get_state (self->printer);
  gboolean      running;

  if (self->stopped)
    return;

  /* a new job: start over */
  if (!self->have_job || state->job_generation != self->generation ||
      g_strcmp0 (state->job_name, self->job_name) != 0)
    {
      cancel_work (self);
      self->have_job = state->job_name != NULL;
      self->generation = state->job_generation;
      g_free (self->job_name);
      self->job_name = g_strdup (state->job_name);
      self->done = FALSE;
      self->not_found = 0;
      self->transient = 0;
    }

  if (!self->have_job || self->done || busy (self))
    return;

  running = state->gcode_state == PD_GCODE_RUNNING || state->gcode_state == PD_GCODE_PAUSE;
  if (!running || pd_printer_get_connection (self->printer) != PD_CONNECTION_CONNECTED)
    return;

  if (self->host == NULL)
    return;

  if (self->access_code == NULL)
    {
      set_unavailable (self, _("The printer is read through a broker: the app has no access code to read the "
                               "job’s file from the printer."));
      return;
    }

  /* Without an SD card (or USB stick) the printer keeps the job in memory
   * FTP does not show. */
  if (pd_state_get_sd_card (state) == PD_TRISTATE_NO)
    {
      set_unavailable (self, _("The printer has no SD card or USB stick, where it would keep the job’s file."));
      return;
    }

  if (pd_printer_get_job_details_status (self->printer) != PD_JOB_DETAILS_FETCHING)
    pd_printer_set_job_details (self->printer, PD_JOB_DETAILS_FETCHING, NULL, NULL);
  start_fetch (self);
}

static void
on_state_changed (PdPrinter *printer,
                  GPtrArray *changes,
                  gpointer   data)
{
  (void) printer;
  (void) changes;
  reconsider (data);
}

/* Settings changed: what failed may work now. */
static void
settings_changed (PdJobTracker *self)
{
  if (pd_printer_get_job_details_status (self->printer) == PD_JOB_DETAILS_READY)
    return;
  cancel_work (self);
  self->done = FALSE;
  self->not_found = 0;
  self->transient = 0;
  if (pd_printer_get_job_details_status (self->printer) == PD_JOB_DETAILS_UNAVAILABLE)
    pd_printer_set_job_details (self->printer, PD_JOB_DETAILS_NONE, NULL, NULL);
  reconsider (self);
}

/* Object ----------------------------------------------------------------------*/

static void
pd_job_tracker_dispose (GObject *object)
{
  PdJobTracker *self = PD_JOB_TRACKER (object);

  cancel_work (self);
  if (self->printer != NULL)
    g_signal_handlers_disconnect_by_data (self->printer, self);
  g_clear_object (&self->printer);

  G_OBJECT_CLASS (pd_job_tracker_parent_class)->dispose (object);
}

static void
forget_code (PdJobTracker *self)
{
  if (self->access_code != NULL)
    memset (self->access_code, 0, strlen (self->access_code));
  g_clear_pointer (&self->access_code, g_free);
}

static void
pd_job_tracker_finalize (GObject *object)
{
  PdJobTracker *self = PD_JOB_TRACKER (object);

  forget_code (self);
  g_free (self->host);
  g_free (self->fingerprint);
  g_free (self->username);
  g_free (self->job_name);

  G_OBJECT_CLASS (pd_job_tracker_parent_class)->finalize (object);
}

static void
pd_job_tracker_class_init (PdJobTrackerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_job_tracker_dispose;
  object_class->finalize = pd_job_tracker_finalize;
}

static void
pd_job_tracker_init (PdJobTracker *self)
{
  self->retry_seconds = NOT_FOUND_RETRY_S;
  self->max_tries = NOT_FOUND_TRIES;
}

/**
 * pd_job_tracker_new:
 * @printer: the printer whose jobs to read
 *
 * Returns: (transfer full): a tracker; it does nothing until it has an
 *   address and an access code
 */
PdJobTracker *
pd_job_tracker_new (PdPrinter *printer)
{
  PdJobTracker *self;

  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  self = g_object_new (PD_TYPE_JOB_TRACKER, NULL);
  self->printer = g_object_ref (printer);
  g_signal_connect (printer, "state-changed", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (printer, "notify::connection", G_CALLBACK (reconsider), self);
  return self;
}

void
pd_job_tracker_set_address (PdJobTracker *self,
                            const char   *host,
                            guint         port,
                            const char   *username)
{
  g_return_if_fail (PD_IS_JOB_TRACKER (self));

  if (g_strcmp0 (host, self->host) == 0 && port == self->port && g_strcmp0 (username, self->username) == 0)
    return;
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = port;
  g_free (self->username);
  self->username = g_strdup (username);
  settings_changed (self);
}

void
pd_job_tracker_set_access_code (PdJobTracker *self,
                                const char   *access_code)
{
  g_return_if_fail (PD_IS_JOB_TRACKER (self));

  if (g_strcmp0 (access_code, self->access_code) == 0)
    return;
  forget_code (self);
  self->access_code = g_strdup (access_code);
  settings_changed (self);
}

void
pd_job_tracker_set_pinned_fingerprint (PdJobTracker *self,
                                       const char   *fingerprint)
{
  g_return_if_fail (PD_IS_JOB_TRACKER (self));

  if (g_strcmp0 (fingerprint, self->fingerprint) == 0)
    return;
  g_free (self->fingerprint);
  self->fingerprint = g_strdup (fingerprint);
  settings_changed (self);
}

void
pd_job_tracker_stop (PdJobTracker *self)
{
  g_return_if_fail (PD_IS_JOB_TRACKER (self));

  self->stopped = TRUE;
  cancel_work (self);
}

void
pd_job_tracker_set_timing (PdJobTracker *self,
                           guint         retry_seconds,
                           guint         tries,
                           guint         stall_seconds)
{
  g_return_if_fail (PD_IS_JOB_TRACKER (self));
  g_return_if_fail (retry_seconds > 0 && tries > 0);

  self->retry_seconds = retry_seconds;
  self->max_tries = tries;
  self->stall_seconds = stall_seconds;
}
