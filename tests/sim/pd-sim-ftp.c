/* pd-sim-ftp.c — a printer's file storage: Debian's vsftpd over implicit TLS
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * vsftpd runs in the foreground (background=NO) as the user who started
 * it (run_as_launching_user: no root, no "ftp" account, no chroot). Each
 * session is a child of the listener in a session of its own (setsid), so
 * a stall and a stop signal the listener and each of its children, found
 * in /proc. PR_SET_PDEATHSIG kills the listener when the simulator dies,
 * however it dies; its sessions then end at their client's disconnect or
 * vsftpd's idle timeouts (IDLE_TIMEOUT_S).
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pd-sim-ftp.h"
#include "pd-sim-types.h"

#define DEFAULT_PROGRAM  "/usr/sbin/vsftpd"
#define START_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define START_TRIES      3
#define IDLE_TIMEOUT_S   60

struct _PdSimFtp
{
  GObject      parent_instance;

  char        *dir;
  char        *root;
  char        *empty;
  char        *config_file;
  char        *password_file;
  char        *cert_file;
  char        *key_file;
  char        *password;
  guint        max_rate;
  guint16      port;
  GSubprocess *process;
  GPid         pid;
  gboolean     stalled;
};

G_DEFINE_FINAL_TYPE (PdSimFtp, pd_sim_ftp, G_TYPE_OBJECT)

static guint16
free_port (void)
{
  g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, NULL) ||
      (bound = g_socket_get_local_address (socket, NULL)) == NULL)
    return 0;

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static gboolean
is_listening (guint16 port)
{
  g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  /* Connecting to loopback answers at once: refused or accepted. */
  return socket != NULL && g_socket_connect (socket, address, NULL, NULL);
}

/* In the child, before vsftpd runs. */
static void
child_setup (gpointer data)
{
  (void) data;
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The processes whose parent is @parent, from /proc. */
static void
add_children (GArray *pids,
              GPid    parent)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char      *end;
      char             state;
      long             ppid;
      GPid             pid;

      if (!g_ascii_isdigit (name[0]))
        continue;
      path = g_strdup_printf ("/proc/%s/stat", name);
      if (!g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …"; comm may hold spaces and parentheses */
      end = strrchr (stat, ')');
      if (end == NULL || sscanf (end + 1, " %c %ld", &state, &ppid) != 2 || ppid != (long) parent)
        continue;
      pid = (GPid) strtol (name, NULL, 10);
      g_array_append_val (pids, pid);
    }
}

/* The listener first, so that it forks no more sessions meanwhile, then
 * its sessions (and theirs): all found before any dies, as an orphan's
 * parent is no longer the listener. */
static void
signal_server (PdSimFtp *self,
               int       signal_number)
{
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (GPid));

  if (self->pid <= 0)
    return;

  if (signal_number == SIGSTOP)
    kill (self->pid, SIGSTOP);
  g_array_append_val (pids, self->pid);
  for (guint i = 0; i < pids->len; i++)
    add_children (pids, g_array_index (pids, GPid, i));
  for (guint i = 0; i < pids->len; i++)
    kill (g_array_index (pids, GPid, i), signal_number);
}

static gboolean
write_config (PdSimFtp *self,
              GError  **error)
{
  /* Any 100 ports of 40000–60000: each printer's vsftpd picks a free one
   * of its range when a client asks for PASV. */
  guint            pasv = (guint) g_random_int_range (40000, 60000);
  g_autofree char *rate = self->max_rate > 0 ? g_strdup_printf ("anon_max_rate=%u\n", self->max_rate) : g_strdup ("");
  g_autofree char *config = NULL;
  g_autofree char *password = g_strdup_printf ("%s\n", self->password);

  config = g_strdup_printf ("listen=YES\n"
                            "listen_ipv6=NO\n"
                            "listen_address=127.0.0.1\n"
                            "listen_port=%u\n"
                            "background=NO\n"
                            "run_as_launching_user=YES\n"
                            "anonymous_enable=YES\n"
                            "anon_root=%s\n"
                            /* The "e-mail address" anonymous gives must be the access code. */
                            "secure_email_list_enable=YES\n"
                            "email_password_file=%s\n"
                            "%s"
                            "local_enable=NO\n"
                            /* Its files are private to the user running it. */
                            "anon_world_readable_only=NO\n"
                            "write_enable=NO\n"
                            "ssl_enable=YES\n"
                            "implicit_ssl=YES\n"
                            "allow_anon_ssl=YES\n"
                            "force_anon_logins_ssl=YES\n"
                            "force_anon_data_ssl=YES\n"
                            "require_ssl_reuse=YES\n"
                            "ssl_tlsv1=YES\n"
                            "ssl_ciphers=HIGH\n"
                            "rsa_cert_file=%s\n"
                            "rsa_private_key_file=%s\n"
                            "pasv_enable=YES\n"
                            "pasv_address=127.0.0.1\n"
                            "pasv_min_port=%u\n"
                            "pasv_max_port=%u\n"
                            "secure_chroot_dir=%s\n"
                            "seccomp_sandbox=NO\n"
                            "idle_session_timeout=%d\n"
                            "data_connection_timeout=%d\n"
                            "xferlog_enable=NO\n",
                            self->port, self->root, self->password_file, rate, self->cert_file, self->key_file,
                            pasv, pasv + 100, self->empty, IDLE_TIMEOUT_S, IDLE_TIMEOUT_S);

  return g_file_set_contents_full (self->password_file, password, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error) &&
         g_file_set_contents_full (self->config_file, config, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* Spawns vsftpd on @port (0: a free one), without waiting for it. */
static gboolean
spawn (PdSimFtp *self,
       guint16   port,
       GError  **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;

  if ((self->port = port != 0 ? port : free_port ()) == 0)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_PORT_IN_USE, "no free port for vsftpd");
      return FALSE;
    }
  if (!write_config (self, error))
    return FALSE;

  /* Its output would keep a reader of ours waiting (a test's pipe). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, error, pd_sim_ftp_find_program (), self->config_file, NULL);
  if (self->process == NULL)
    return FALSE;
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);

  return TRUE;
}

/* TRUE once it listens, FALSE if it exited (the port was taken meanwhile)
 * or did not listen in time. */
static gboolean
wait_listening (PdSimFtp *self)
{
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  while (g_get_monotonic_time () < deadline)
    {
      if (is_listening (self->port))
        return TRUE;
      /* No identifier: it exited (GLib's worker thread reaps it). */
      if (g_subprocess_get_identifier (self->process) == NULL)
        break;
      g_usleep (2000);
    }

  return FALSE;
}

static char *
server_path (PdSimFtp   *self,
             const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, "/");

  return g_build_filename (self->root, canonical, NULL);
}

static void
pd_sim_ftp_dispose (GObject *object)
{
  pd_sim_ftp_stop (PD_SIM_FTP (object));

  G_OBJECT_CLASS (pd_sim_ftp_parent_class)->dispose (object);
}

static void
pd_sim_ftp_finalize (GObject *object)
{
  PdSimFtp *self = PD_SIM_FTP (object);

  g_free (self->dir);
  g_free (self->root);
  g_free (self->empty);
  g_free (self->config_file);
  g_free (self->password_file);
  g_free (self->cert_file);
  g_free (self->key_file);
  if (self->password != NULL)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);

  G_OBJECT_CLASS (pd_sim_ftp_parent_class)->finalize (object);
}

static void
pd_sim_ftp_class_init (PdSimFtpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_ftp_dispose;
  object_class->finalize = pd_sim_ftp_finalize;
}

static void
pd_sim_ftp_init (PdSimFtp *self)
{
}

const char *
pd_sim_ftp_find_program (void)
{
  const char *program = g_getenv ("PDSIM_VSFTPD");

  if (program == NULL || *program == '\0')
    program = DEFAULT_PROGRAM;

  return g_file_test (program, G_FILE_TEST_IS_EXECUTABLE) ? program : NULL;
}

PdSimFtp *
pd_sim_ftp_new (const char *dir,
                const char *cert_file,
                const char *key_file,
                const char *password)
{
  PdSimFtp *self;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (cert_file != NULL, NULL);
  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (password != NULL && strchr (password, '\n') == NULL, NULL);

  self = g_object_new (PD_TYPE_SIM_FTP, NULL);
  self->dir = g_strdup (dir);
  self->root = g_build_filename (dir, "root", NULL);
  self->empty = g_build_filename (dir, "empty", NULL);
  self->config_file = g_build_filename (dir, "vsftpd.conf", NULL);
  self->password_file = g_build_filename (dir, "passwords", NULL);
  self->cert_file = g_strdup (cert_file);
  self->key_file = g_strdup (key_file);
  self->password = g_strdup (password);

  return self;
}

void
pd_sim_ftp_set_max_rate (PdSimFtp *self,
                         guint     bytes_per_second)
{
  g_return_if_fail (PD_IS_SIM_FTP (self));

  self->max_rate = bytes_per_second;
}

gboolean
pd_sim_ftp_spawn (PdSimFtp *self,
                  GError  **error)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);

  if (self->process != NULL)
    return TRUE;

  if (pd_sim_ftp_find_program () == NULL)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_NOT_INSTALLED, "vsftpd is not installed (%s)", DEFAULT_PROGRAM);
      return FALSE;
    }
  if (g_mkdir_with_parents (self->root, 0700) != 0 || g_mkdir_with_parents (self->empty, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", self->dir, g_strerror (saved));
      return FALSE;
    }

  return spawn (self, 0, error);
}

gboolean
pd_sim_ftp_wait (PdSimFtp *self,
                 GError  **error)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);
  g_return_val_if_fail (self->process != NULL, FALSE);

  /* The free port can be taken before vsftpd binds it: try another. */
  for (guint i = 0; i < START_TRIES; i++)
    {
      if (wait_listening (self))
        {
          g_debug ("vsftpd %d serves %s on 127.0.0.1:%u", (int) self->pid, self->root, self->port);
          return TRUE;
        }
      pd_sim_ftp_stop (self);
      if (i + 1 < START_TRIES && !spawn (self, 0, error))
        return FALSE;
    }

  g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_PORT_IN_USE, "vsftpd did not listen on 127.0.0.1 (%u tries)",
               START_TRIES);
  return FALSE;
}

gboolean
pd_sim_ftp_start (PdSimFtp *self,
                  GError  **error)
{
  return pd_sim_ftp_spawn (self, error) && pd_sim_ftp_wait (self, error);
}

gboolean
pd_sim_ftp_restart (PdSimFtp *self,
                    GError  **error)
{
  guint16 port;

  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);

  if (self->process == NULL)
    return TRUE;
  port = self->port;
  pd_sim_ftp_stop (self);
  /* vsftpd binds with SO_REUSEADDR: the same port is free again at once. */
  return spawn (self, port, error) && pd_sim_ftp_wait (self, error);
}

void
pd_sim_ftp_stop (PdSimFtp *self)
{
  g_return_if_fail (PD_IS_SIM_FTP (self));

  if (self->process == NULL)
    return;

  /* A stopped process takes SIGKILL too, but its sessions should not be
   * left stopped should one escape the group. */
  signal_server (self, SIGCONT);
  signal_server (self, SIGKILL);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);
  self->pid = 0;
  self->stalled = FALSE;
}

gboolean
pd_sim_ftp_is_running (PdSimFtp *self)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);

  return self->process != NULL;
}

guint16
pd_sim_ftp_get_port (PdSimFtp *self)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), 0);

  return self->process != NULL ? self->port : 0;
}

const char *
pd_sim_ftp_get_root (PdSimFtp *self)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), NULL);

  return self->root;
}

gboolean
pd_sim_ftp_put_file (PdSimFtp   *self,
                     const char *path,
                     GBytes     *contents,
                     GError    **error)
{
  g_autofree char *file = NULL;
  g_autofree char *parent = NULL;
  gsize            length = 0;
  const char      *data;

  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/', FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  file = server_path (self, path);
  parent = g_path_get_dirname (file);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", parent, g_strerror (saved));
      return FALSE;
    }
  data = g_bytes_get_data (contents, &length);

  /* Atomic: a client never reads half a file. */
  return g_file_set_contents_full (file, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
pd_sim_ftp_remove_file (PdSimFtp   *self,
                        const char *path)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/', FALSE);

  file = server_path (self, path);
  return g_unlink (file) == 0;
}

gboolean
pd_sim_ftp_has_file (PdSimFtp   *self,
                     const char *path)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/', FALSE);

  file = server_path (self, path);
  return g_file_test (file, G_FILE_TEST_IS_REGULAR);
}

void
pd_sim_ftp_set_stalled (PdSimFtp *self,
                        gboolean  stalled)
{
  g_return_if_fail (PD_IS_SIM_FTP (self));

  stalled = !!stalled;
  if (self->process == NULL || self->stalled == stalled)
    return;

  signal_server (self, stalled ? SIGSTOP : SIGCONT);
  self->stalled = stalled;
}

gboolean
pd_sim_ftp_get_stalled (PdSimFtp *self)
{
  g_return_val_if_fail (PD_IS_SIM_FTP (self), FALSE);

  return self->stalled;
}
