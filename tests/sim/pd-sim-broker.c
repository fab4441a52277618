/* pd-sim-broker.c — a private mosquitto broker as a child process
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mosquitto has no "any free port" setting ("listener 0" makes a unix socket
 * named after the address), so free ports are found first by binding
 * 127.0.0.1:0 and closing again. Another process can take a port in between;
 * the first start therefore retries with new ports (three attempts) when
 * mosquitto reports "Address already in use". Restarts keep their ports, as
 * the forwarders in front of the broker point at them.
 *
 * mosquitto logs to its stderr, which goes to a file in the simulator's
 * folder: it can never block on a full pipe, the file is there to read when a
 * test fails, and a start failure quotes its last lines.
 *
 * Waiting is always bounded: 5 s for the listeners to accept, 5 s for a
 * reload, 2 s for the process to exit on SIGTERM before SIGKILL.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "pd-sim-broker.h"
#include "pd-sim-forwarder.h"

#define START_ATTEMPTS    3
#define READY_TIMEOUT_MS  5000
#define RELOAD_TIMEOUT_MS 5000
#define EXIT_TIMEOUT_MS   2000
#define POLL_MS           10

typedef struct
{
  guint16 requested_port;
  guint16 port;
  char   *password_file;
  char   *acl_file;
  char   *cert_file;
  char   *key_file;
  guint   max_connections;
} Listener;

struct _PdSimBroker
{
  GObject       parent_instance;

  char         *dir;
  char         *ca_file;
  char         *config_file;
  char         *openssl_conf;
  char         *log_file;
  GArray       *listeners; /* of Listener */
  gboolean      ports_assigned;
  guint         n_spawns;

  GSubprocess  *process;
  GCancellable *process_cancellable; /* cancels the wait on process */
  GTask        *start_task;          /* while a start is in progress */
  double        start_seconds;
};

G_DEFINE_FINAL_TYPE (PdSimBroker, pd_sim_broker, G_TYPE_OBJECT)

typedef struct
{
  guint         attempt;
  gint64        spawn_time;
  gint64        deadline;
  gboolean     *ready;
  gboolean     *probing;
  GCancellable *probe_cancellable;
  GSource      *timer;
  gboolean      done;
} StartData;

static void start_attempt (GTask *task);

static void
listener_clear (gpointer data)
{
  Listener *l = data;

  g_free (l->password_file);
  g_free (l->acl_file);
  g_free (l->cert_file);
  g_free (l->key_file);
}

static void
start_data_free (gpointer data)
{
  StartData *d = data;

  if (d->timer != NULL)
    {
      g_source_destroy (d->timer);
      g_source_unref (d->timer);
    }
  if (d->probe_cancellable != NULL)
    {
      g_cancellable_cancel (d->probe_cancellable);
      g_object_unref (d->probe_cancellable);
    }
  g_free (d->ready);
  g_free (d->probing);
  g_free (d);
}

/**
 * pd_sim_find_mosquitto:
 *
 * mosquitto lives in /usr/sbin on Debian, which is not on a normal user's
 * PATH; $PDSIM_MOSQUITTO overrides the search.
 *
 * Returns: (transfer full) (nullable): the path of the mosquitto binary
 */
char *
pd_sim_find_mosquitto (GError **error)
{
  static const char *const dirs[] = { "/usr/sbin", "/usr/local/sbin", "/sbin" };
  const char              *env = g_getenv ("PDSIM_MOSQUITTO");
  char                    *path;

  if (env != NULL && *env != '\0')
    {
      if (g_file_test (env, G_FILE_TEST_IS_EXECUTABLE))
        return g_strdup (env);
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_NOT_INSTALLED,
                   "PDSIM_MOSQUITTO is set to %s, which is not an executable", env);
      return NULL;
    }

  if ((path = g_find_program_in_path ("mosquitto")) != NULL)
    return path;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      path = g_build_filename (dirs[i], "mosquitto", NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return path;
      g_free (path);
    }

  g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_NOT_INSTALLED,
               "mosquitto not installed: printdeck-sim needs the mosquitto broker "
               "(Debian: apt-get install mosquitto), looked in PATH, /usr/sbin and /usr/local/sbin; "
               "or set PDSIM_MOSQUITTO to its path");
  return NULL;
}

/* The last lines of the current log, for an error message. */
static char *
log_tail (PdSimBroker *self,
          guint        n_lines)
{
  g_autofree char *text = NULL;
  g_auto (GStrv)   lines = NULL;
  GString         *out = g_string_new (NULL);
  guint            n;

  if (self->log_file == NULL || !g_file_get_contents (self->log_file, &text, NULL, NULL))
    return g_string_free (out, FALSE);

  g_strchomp (text);
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = n > n_lines ? n - n_lines : 0; i < n; i++)
    g_string_append_printf (out, "\n  %s", lines[i]);

  return g_string_free (out, FALSE);
}

static gboolean
log_contains (PdSimBroker *self,
              const char  *needle,
              goffset      from)
{
  g_autofree char *text = NULL;
  gsize            len = 0;

  if (self->log_file == NULL || !g_file_get_contents (self->log_file, &text, &len, NULL))
    return FALSE;
  if (from < 0 || (gsize) from > len)
    return FALSE;

  return strstr (text + from, needle) != NULL;
}

static goffset
log_size (PdSimBroker *self)
{
  g_autoptr (GFile)     file = NULL;
  g_autoptr (GFileInfo) info = NULL;

  if (self->log_file == NULL)
    return 0;

  file = g_file_new_for_path (self->log_file);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);

  return info != NULL ? g_file_info_get_size (info) : 0;
}

/* Every printer measured speaks TLS 1.2 only, and a client that insists on
 * 1.3 must fail here as it fails there. mosquitto 2.0's tls_version is only
 * a minimum, so mosquitto gets an OpenSSL configuration of its own
 * (OPENSSL_CONF) with the maximum.
 */
static const char openssl_conf[] =
  "# Written by printdeck-sim: the broker speaks TLS 1.2 only, like a printer.\n"
  "openssl_conf = openssl_init\n"
  "[openssl_init]\n"
  "ssl_conf = ssl_section\n"
  "[ssl_section]\n"
  "system_default = system_default_section\n"
  "[system_default_section]\n"
  "MinProtocol = TLSv1.2\n"
  "MaxProtocol = TLSv1.2\n";

static gboolean
write_config (PdSimBroker *self,
              GError     **error)
{
  g_autoptr (GString) conf = g_string_new (NULL);

  g_string_append (conf,
                   "# Written by printdeck-sim; removed when it exits.\n"
                   "per_listener_settings true\n"
                   "persistence false\n"
                   "log_dest stderr\n"
                   "log_type error\n"
                   "log_type warning\n"
                   "log_type notice\n"
                   /* "Reloading config." is an information line: reload waits for it */
                   "log_type information\n"
                   "connection_messages true\n"
                   "log_timestamp true\n"
                   "log_timestamp_format %Y-%m-%dT%H:%M:%S\n");

  /* As root, mosquitto otherwise drops to the user "mosquitto", which
   * cannot read our 0600 key and password files.
   */
  if (geteuid () == 0)
    g_string_append (conf, "user root\n");

  for (guint i = 0; i < self->listeners->len; i++)
    {
      const Listener *l = &g_array_index (self->listeners, Listener, i);

      g_string_append_printf (conf, "\nlistener %u 127.0.0.1\n", l->port);
      g_string_append (conf, "allow_anonymous false\n");
      g_string_append_printf (conf, "password_file %s\n", l->password_file);
      if (l->acl_file != NULL)
        g_string_append_printf (conf, "acl_file %s\n", l->acl_file);
      if (l->max_connections > 0)
        g_string_append_printf (conf, "max_connections %u\n", l->max_connections);
      if (l->cert_file != NULL)
        {
          g_string_append_printf (conf, "cafile %s\n", self->ca_file);
          g_string_append_printf (conf, "certfile %s\n", l->cert_file);
          g_string_append_printf (conf, "keyfile %s\n", l->key_file);
          /* A minimum in mosquitto 2.0; openssl.cnf sets the maximum. */
          g_string_append (conf, "tls_version tlsv1.2\n");
        }
    }

  return g_file_set_contents_full (self->config_file, conf->str, (gssize) conf->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
         g_file_set_contents_full (self->openssl_conf, openssl_conf, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Binding 127.0.0.1:0 and closing at once can give the same port twice
 * (about one start in five with 100 printers), so every socket stays bound
 * until all ports are picked.
 */
static gboolean
assign_ports (PdSimBroker *self,
              GError     **error)
{
  g_autoptr (GPtrArray)      held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

  for (guint i = 0; i < self->listeners->len; i++)
    {
      Listener                  *l = &g_array_index (self->listeners, Listener, i);
      g_autoptr (GSocket)        socket = NULL;
      g_autoptr (GSocketAddress) bound = NULL;

      if (l->requested_port != 0)
        {
          l->port = l->requested_port;
          continue;
        }

      socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
      if (socket == NULL ||
          !g_socket_bind (socket, any, FALSE, error) ||
          (bound = g_socket_get_local_address (socket, error)) == NULL)
        return FALSE;
      l->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      g_ptr_array_add (held, g_steal_pointer (&socket));
    }

  return TRUE;
}

#ifdef __linux__
static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  /* Don't outlive the simulator, even when it is killed with SIGKILL or a
   * test crashes. (The parent is the thread that spawned us: always the main
   * thread here.)
   */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != parent)
    _exit (1);
}
#endif

static gboolean
wait_for_exit (GSubprocess *process,
               guint        timeout_ms)
{
  /* GSubprocess reaps the child in GLib's worker thread; the identifier
   * becomes NULL then, without our main context being run.
   */
  for (guint waited = 0; g_subprocess_get_identifier (process) != NULL; waited += 2)
    {
      if (waited >= timeout_ms)
        return FALSE;
      g_usleep (2000);
    }

  return TRUE;
}

static void
kill_process (PdSimBroker *self)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&self->process);

  if (self->process_cancellable != NULL)
    {
      g_cancellable_cancel (self->process_cancellable);
      g_clear_object (&self->process_cancellable);
    }

  if (process == NULL)
    return;

  g_subprocess_send_signal (process, SIGTERM);
  if (!wait_for_exit (process, EXIT_TIMEOUT_MS))
    {
      g_message ("mosquitto did not exit on SIGTERM within %u ms; killing it", EXIT_TIMEOUT_MS);
      g_subprocess_force_exit (process);
      wait_for_exit (process, EXIT_TIMEOUT_MS);
    }
}

/* Stops the polling of the current attempt. */
static void
stop_probing (StartData *d)
{
  if (d->timer != NULL)
    {
      g_source_destroy (d->timer);
      g_clear_pointer (&d->timer, g_source_unref);
    }
  if (d->probe_cancellable != NULL)
    {
      g_cancellable_cancel (d->probe_cancellable);
      g_clear_object (&d->probe_cancellable);
    }
}

/* Completes the start task; @error NULL for success. */
static void
start_complete (GTask  *task,
                GError *error)
{
  g_autoptr (GTask) ref = g_object_ref (task);
  PdSimBroker      *self = g_task_get_source_object (task);
  StartData        *d = g_task_get_task_data (task);

  d->done = TRUE;
  stop_probing (d);
  if (self->start_task == task)
    g_clear_object (&self->start_task);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->ports_assigned = TRUE;
  self->start_seconds = (double) (g_get_monotonic_time () - d->spawn_time) / G_USEC_PER_SEC;
  g_debug ("mosquitto accepted on all %u listeners %.0f ms after spawn (attempt %u)",
           self->listeners->len, self->start_seconds * 1000, d->attempt);
  g_task_return_boolean (task, TRUE);
}

/* An attempt failed: try again or give up. */
static void
start_attempt_failed (GTask      *task,
                      const char *reason)
{
  PdSimBroker       *self = g_task_get_source_object (task);
  StartData         *d = g_task_get_task_data (task);
  g_autofree char   *tail = log_tail (self, 8);
  gboolean           in_use = log_contains (self, "Address already in use", 0);
  g_autoptr (GError) error = NULL;

  kill_process (self);
  stop_probing (d);

  if (d->attempt < START_ATTEMPTS)
    {
      g_message ("mosquitto start attempt %u failed (%s)%s", d->attempt, reason,
                 in_use ? "; retrying with other ports" : "; retrying");
      /* Ports picked for us can be picked again; fixed ones stay. */
      if (in_use && !self->ports_assigned && !assign_ports (self, &error))
        {
          start_complete (task, g_steal_pointer (&error));
          return;
        }
      start_attempt (task);
      return;
    }

  start_complete (task, g_error_new (PD_SIM_ERROR, in_use ? PD_SIM_ERROR_PORT_IN_USE : PD_SIM_ERROR_BROKER,
                                     "mosquitto did not start after %u attempts: %s; its log (%s) ends with:%s",
                                     START_ATTEMPTS, reason, self->log_file, tail));
}

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (PdSimBroker) self = user_data;
  g_autoptr (GError)      error = NULL;
  GSubprocess            *process = G_SUBPROCESS (source);

  if (!g_subprocess_wait_finish (process, result, &error))
    return; /* cancelled: we are stopping it */

  if (self->process != process)
    return;

  if (self->start_task != NULL)
    {
      g_autoptr (GTask) task = g_object_ref (self->start_task);
      g_autofree char  *reason = g_strdup_printf ("it exited with status %d", g_subprocess_get_status (process));

      start_attempt_failed (task, reason);
      return;
    }

  /* Not a warning: GTest makes warnings fatal, and a test may kill it on purpose. */
  g_message ("mosquitto exited unexpectedly (status %d); see %s", g_subprocess_get_status (process), self->log_file);
  g_clear_object (&self->process);
}

/* One connection attempt to one listener. */
typedef struct
{
  GTask *task;
  guint  attempt;
  guint  index;
} Probe;

static void
on_probe_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Probe                        *probe = user_data;
  g_autoptr (GTask)             task = probe->task;
  PdSimBroker                  *self = g_task_get_source_object (task);
  StartData                    *d = g_task_get_task_data (task);
  guint                         attempt = probe->attempt;
  guint                         index = probe->index;
  gboolean                      all = TRUE;
  g_autoptr (GSocketConnection) connection = NULL;

  g_free (probe);
  connection = pd_sim_connect_local_finish (result, NULL);
  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  /* A probe of an earlier attempt says nothing about this one. */
  if (d->done || attempt != d->attempt)
    return;

  d->probing[index] = FALSE;
  if (connection == NULL)
    return; /* refused: the next tick tries again */

  d->ready[index] = TRUE;
  for (guint i = 0; i < self->listeners->len; i++)
    all = all && d->ready[i];
  if (all)
    start_complete (task, NULL);
}

static gboolean
on_start_tick (gpointer user_data)
{
  g_autoptr (GTask) task = g_object_ref (user_data);
  PdSimBroker      *self = g_task_get_source_object (task);
  StartData        *d = g_task_get_task_data (task);

  if (g_get_monotonic_time () > d->deadline)
    {
      g_autofree char *reason = g_strdup_printf ("its listeners did not accept within %d ms", READY_TIMEOUT_MS);

      start_attempt_failed (task, reason);
      return G_SOURCE_REMOVE;
    }

  for (guint i = 0; i < self->listeners->len; i++)
    {
      Probe *probe;

      if (d->ready[i] || d->probing[i])
        continue;

      probe = g_new0 (Probe, 1);
      probe->task = g_object_ref (task);
      probe->attempt = d->attempt;
      probe->index = i;
      d->probing[i] = TRUE;
      pd_sim_connect_local_async (g_array_index (self->listeners, Listener, i).port, d->probe_cancellable,
                                  on_probe_done, probe);
    }

  return G_SOURCE_CONTINUE;
}

static void
start_attempt (GTask *task)
{
  PdSimBroker                    *self = g_task_get_source_object (task);
  StartData                      *d = g_task_get_task_data (task);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError)              error = NULL;
  g_autofree char                *mosquitto = NULL;
  g_autofree char                *log_name = NULL;
  const char                     *argv[4];

  d->attempt++;

  if ((mosquitto = pd_sim_find_mosquitto (&error)) == NULL ||
      !write_config (self, &error))
    {
      start_complete (task, g_steal_pointer (&error));
      return;
    }

  self->n_spawns++;
  log_name = g_strdup_printf ("broker-%u.log", self->n_spawns);
  g_free (self->log_file);
  self->log_file = g_build_filename (self->dir, log_name, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_stderr_file_path (launcher, self->log_file);
  g_subprocess_launcher_set_cwd (launcher, self->dir);
  g_subprocess_launcher_setenv (launcher, "OPENSSL_CONF", self->openssl_conf, TRUE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (getpid ()), NULL);
#endif

  argv[0] = mosquitto;
  argv[1] = "-c";
  argv[2] = self->config_file;
  argv[3] = NULL;

  d->spawn_time = g_get_monotonic_time ();
  self->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (self->process == NULL)
    {
      g_prefix_error (&error, "cannot run %s: ", mosquitto);
      start_complete (task, g_steal_pointer (&error));
      return;
    }

  self->process_cancellable = g_cancellable_new ();
  g_subprocess_wait_async (self->process, self->process_cancellable, on_process_exited, g_object_ref (self));

  g_free (d->ready);
  g_free (d->probing);
  d->ready = g_new0 (gboolean, self->listeners->len);
  d->probing = g_new0 (gboolean, self->listeners->len);
  d->deadline = d->spawn_time + READY_TIMEOUT_MS * 1000;
  d->probe_cancellable = g_cancellable_new ();

  d->timer = g_timeout_source_new (POLL_MS);
  g_source_set_callback (d->timer, on_start_tick, task, NULL);
  g_source_attach (d->timer, g_task_get_context (task));
}

static void
pd_sim_broker_dispose (GObject *object)
{
  PdSimBroker *self = PD_SIM_BROKER (object);

  pd_sim_broker_stop (self);

  G_OBJECT_CLASS (pd_sim_broker_parent_class)->dispose (object);
}

static void
pd_sim_broker_finalize (GObject *object)
{
  PdSimBroker *self = PD_SIM_BROKER (object);

  g_free (self->dir);
  g_free (self->ca_file);
  g_free (self->config_file);
  g_free (self->openssl_conf);
  g_free (self->log_file);
  g_array_unref (self->listeners);

  G_OBJECT_CLASS (pd_sim_broker_parent_class)->finalize (object);
}

static void
pd_sim_broker_class_init (PdSimBrokerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_broker_dispose;
  object_class->finalize = pd_sim_broker_finalize;
}

static void
pd_sim_broker_init (PdSimBroker *self)
{
  self->listeners = g_array_new (FALSE, TRUE, sizeof (Listener));
  g_array_set_clear_func (self->listeners, listener_clear);
}

/**
 * pd_sim_broker_new:
 * @dir: a private folder for the configuration and the log
 * @ca_file: the CA certificate the TLS listeners name
 *
 * Returns: (transfer full): a broker, not started
 */
PdSimBroker *
pd_sim_broker_new (const char *dir,
                   const char *ca_file)
{
  PdSimBroker *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (PD_TYPE_SIM_BROKER, NULL);
  self->dir = g_strdup (dir);
  self->ca_file = g_strdup (ca_file);
  self->config_file = g_build_filename (dir, "mosquitto.conf", NULL);
  self->openssl_conf = g_build_filename (dir, "openssl.cnf", NULL);

  return self;
}

/**
 * pd_sim_broker_add_listener:
 *
 * Returns: the listener's index
 */
guint
pd_sim_broker_add_listener (PdSimBroker               *self,
                            const PdSimListenerConfig *config)
{
  Listener l = { 0 };

  g_return_val_if_fail (PD_IS_SIM_BROKER (self), 0);
  g_return_val_if_fail (config != NULL && config->password_file != NULL, 0);
  g_return_val_if_fail (config->cert_file == NULL || config->key_file != NULL, 0);
  g_return_val_if_fail (!self->ports_assigned, 0);

  l.requested_port = config->port;
  l.password_file = g_strdup (config->password_file);
  l.acl_file = g_strdup (config->acl_file);
  l.cert_file = g_strdup (config->cert_file);
  l.key_file = g_strdup (config->key_file);
  l.max_connections = config->max_connections;
  g_array_append_val (self->listeners, l);

  return self->listeners->len - 1;
}

guint16
pd_sim_broker_get_port (PdSimBroker *self,
                        guint        listener)
{
  g_return_val_if_fail (PD_IS_SIM_BROKER (self), 0);
  g_return_val_if_fail (listener < self->listeners->len, 0);

  return g_array_index (self->listeners, Listener, listener).port;
}

gboolean
pd_sim_broker_is_running (PdSimBroker *self)
{
  g_return_val_if_fail (PD_IS_SIM_BROKER (self), FALSE);

  return self->process != NULL && self->start_task == NULL &&
         g_subprocess_get_identifier (self->process) != NULL;
}

/**
 * pd_sim_broker_get_pid:
 *
 * Returns: (nullable): mosquitto's process id as text, or %NULL
 */
const char *
pd_sim_broker_get_pid (PdSimBroker *self)
{
  g_return_val_if_fail (PD_IS_SIM_BROKER (self), NULL);

  return self->process != NULL ? g_subprocess_get_identifier (self->process) : NULL;
}

/**
 * pd_sim_broker_get_start_seconds:
 *
 * Returns: how long the last start took, from spawning mosquitto to every
 *   listener accepting
 */
double
pd_sim_broker_get_start_seconds (PdSimBroker *self)
{
  g_return_val_if_fail (PD_IS_SIM_BROKER (self), 0);

  return self->start_seconds;
}

/**
 * pd_sim_broker_start_async:
 *
 * Writes the configuration, starts mosquitto and completes when every
 * listener accepts TCP connections (or fails after three attempts of 5 s at
 * most). A running broker is stopped first; its ports are kept.
 */
void
pd_sim_broker_start_async (PdSimBroker        *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  StartData         *d;

  g_return_if_fail (PD_IS_SIM_BROKER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_broker_start_async);

  if (self->start_task != NULL)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_BUSY, "the broker is already starting");
      return;
    }
  if (self->listeners->len == 0)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "the broker has no listener");
      return;
    }

  kill_process (self);

  if (!self->ports_assigned && !assign_ports (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  d = g_new0 (StartData, 1);
  g_task_set_task_data (task, d, start_data_free);

  self->start_task = g_object_ref (task);
  start_attempt (task);
}

gboolean
pd_sim_broker_start_finish (PdSimBroker  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  goffset from;
  gint64  deadline;
} ReloadData;

static gboolean
on_reload_tick (gpointer user_data)
{
  GTask       *task = user_data;
  PdSimBroker *self = g_task_get_source_object (task);
  ReloadData  *d = g_task_get_task_data (task);

  if (self->process == NULL)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "mosquitto stopped during a reload");
      return G_SOURCE_REMOVE;
    }
  if (log_contains (self, "Reloading config.", d->from))
    {
      g_task_return_boolean (task, TRUE);
      return G_SOURCE_REMOVE;
    }
  if (g_get_monotonic_time () > d->deadline)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_TIMEOUT,
                               "mosquitto did not reload its configuration within %d ms", RELOAD_TIMEOUT_MS);
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

/**
 * pd_sim_broker_reload_async:
 *
 * Sends SIGHUP and completes once mosquitto has logged that it reloads.
 * mosquitto 2.0.11 then re-reads every listener's password and ACL files
 * (also with per_listener_settings) and disconnects the clients whose
 * credentials are no longer valid.
 */
void
pd_sim_broker_reload_async (PdSimBroker        *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask)   task = NULL;
  g_autoptr (GSource) timer = NULL;
  ReloadData         *d;

  g_return_if_fail (PD_IS_SIM_BROKER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_broker_reload_async);

  if (!pd_sim_broker_is_running (self))
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the broker is not running");
      return;
    }

  d = g_new0 (ReloadData, 1);
  d->from = log_size (self);
  d->deadline = g_get_monotonic_time () + RELOAD_TIMEOUT_MS * 1000;
  g_task_set_task_data (task, d, g_free);

  g_subprocess_send_signal (self->process, SIGHUP);

  timer = g_timeout_source_new (POLL_MS);
  g_source_set_callback (timer, on_reload_tick, g_object_ref (task), g_object_unref);
  g_source_attach (timer, g_task_get_context (task));
}

gboolean
pd_sim_broker_reload_finish (PdSimBroker  *self,
                             GAsyncResult *result,
                             GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_broker_stop:
 *
 * Stops mosquitto: SIGTERM, then SIGKILL after 2 s. Blocks until it has
 * exited (mosquitto takes a few milliseconds). A start in progress fails.
 */
void
pd_sim_broker_stop (PdSimBroker *self)
{
  g_return_if_fail (PD_IS_SIM_BROKER (self));

  if (self->start_task != NULL)
    {
      g_autoptr (GTask) task = g_object_ref (self->start_task);

      start_complete (task, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING,
                                         "the broker was stopped while starting"));
    }

  kill_process (self);
}
