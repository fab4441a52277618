/* pd-sim.c — printdeck-sim: simulated Bambu Lab printers behind a real broker
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pieces, all in one private temporary folder removed at the end:
 *
 *   app ──TLS──> forwarder (printer's port) ──> mosquitto TLS listener
 *                  (pd-sim-forwarder.c)          (CN = serial, bblp + access code,
 *                                                 ACL: its own two topics)
 *   printers ──> PdSimClient ──plain──> mosquitto plain listener (our own user)
 *   farm client ──TLS──> mosquitto "bridge" listener (own user, every printer's topics)
 *   camera viewer ──TLS──> PdSimCamera (RTSP server or JPEG stream, in this process)
 *
 * A printer's reports go from its PdSimPrinter through our one client to the
 * broker, which delivers them to whoever subscribed through that printer's
 * listener (or the bridge). Commands come back the same way.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pd-json.h"
#include "pd-sim-client.h"
#include "pd-sim-forwarder.h"
#include "pd-sim-private.h"

#define SERIAL_CHARS "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define MAX_PRINTERS 1000

struct _PdSim
{
  GObject        parent_instance;

  PdSimOptions   options;
  GStrv          models;    /* owned copy of options.models */
  PdSimScenario *scenarios; /* owned copy of options.scenarios */
  GMainContext  *context;
  GRand         *rand;

  char          *dir;
  char          *ca_file;
  PdSimCa       *ca;
  double         prepare_seconds;
  PdSimBroker   *broker;
  PdSimClient   *client;
  guint          client_listener;
  char          *client_user;
  char          *client_password;

  guint          bridge_listener;
  char          *bridge_user;
  char          *bridge_password;
  char          *bridge_fingerprint;

  GPtrArray     *printers;
  GHashTable    *by_serial; /* serial → PdSimPrinter (not owned) */

  gboolean       running;
  gboolean       dir_removed;
  GTask         *start_task; /* while starting */
  GTask         *op_task;    /* while restarting or reloading the broker */
};

G_DEFINE_FINAL_TYPE (PdSim, pd_sim, G_TYPE_OBJECT)

enum
{
  SIGNAL_COMMAND_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Small helpers ---------------------------------------------------- */

GQuark
pd_sim_error_quark (void)
{
  return g_quark_from_static_string ("pd-sim-error-quark");
}

const char *
pd_sim_scenario_to_string (PdSimScenario scenario)
{
  switch (scenario)
    {
    case PD_SIM_SCENARIO_MIXED: return "mixed";
    case PD_SIM_SCENARIO_PRINT: return "print";
    case PD_SIM_SCENARIO_IDLE: return "idle";
    case PD_SIM_SCENARIO_FAIL: return "fail";
    case PD_SIM_SCENARIO_HMS: return "hms";
    default: return "mixed";
    }
}

gboolean
pd_sim_scenario_from_string (const char    *text,
                             PdSimScenario *scenario)
{
  static const PdSimScenario all[] = {
    PD_SIM_SCENARIO_MIXED,
    PD_SIM_SCENARIO_PRINT,
    PD_SIM_SCENARIO_IDLE,
    PD_SIM_SCENARIO_FAIL,
    PD_SIM_SCENARIO_HMS,
  };

  g_return_val_if_fail (scenario != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (text, pd_sim_scenario_to_string (all[i])) == 0)
      {
        *scenario = all[i];
        return TRUE;
      }

  return FALSE;
}

const char *
pd_sim_camera_fault_to_string (PdSimCameraFault fault)
{
  switch (fault)
    {
    case PD_SIM_CAMERA_FAULT_NONE: return "none";
    case PD_SIM_CAMERA_FAULT_TRUNCATED: return "truncated";
    case PD_SIM_CAMERA_FAULT_OVERSIZED: return "oversized";
    case PD_SIM_CAMERA_FAULT_GARBAGE: return "garbage";
    case PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME: return "close";
    default: return "none";
    }
}

/* "none", "truncated", "oversized", "garbage" or "close" (mid-frame). */
gboolean
pd_sim_camera_fault_from_string (const char       *text,
                                 PdSimCameraFault *fault)
{
  static const PdSimCameraFault all[] = {
    PD_SIM_CAMERA_FAULT_NONE,
    PD_SIM_CAMERA_FAULT_TRUNCATED,
    PD_SIM_CAMERA_FAULT_OVERSIZED,
    PD_SIM_CAMERA_FAULT_GARBAGE,
    PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME,
  };

  g_return_val_if_fail (fault != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (text, pd_sim_camera_fault_to_string (all[i])) == 0)
      {
        *fault = all[i];
        return TRUE;
      }

  return FALSE;
}

char *
_pd_sim_random_code (GRand *rand)
{
  char code[9];

  for (guint i = 0; i < 8; i++)
    code[i] = (char) ('0' + g_rand_int_range (rand, 0, 10));
  code[8] = '\0';

  return g_strdup (code);
}

static char *
random_text (GRand *rand,
             guint  length)
{
  GString *s = g_string_sized_new (length);

  for (guint i = 0; i < length; i++)
    g_string_append_c (s, SERIAL_CHARS[g_rand_int_range (rand, 0, sizeof SERIAL_CHARS - 1)]);

  return g_string_free (s, FALSE);
}

void
_pd_sim_store_result (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* Runs @context until an operation stored its result in *@result (every
 * operation has its own deadline, so this ends).
 */
GAsyncResult *
_pd_sim_wait (GMainContext  *context,
              GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (context, TRUE);

  return *result;
}

static gboolean
write_private_file (const char *dir,
                    const char *name,
                    const char *contents,
                    GError    **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* The printers' FTP roots are folders in the folder; nothing in it is a
 * link (so nothing outside it goes). */
static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char      *name;

  if ((dir = g_dir_open (path, 0, NULL)) != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *file = g_build_filename (path, name, NULL);

        if (g_file_test (file, G_FILE_TEST_IS_DIR) && !g_file_test (file, G_FILE_TEST_IS_SYMLINK))
          remove_tree (file);
        else if (g_unlink (file) != 0)
          g_message ("cannot remove %s: %s", file, g_strerror (errno));
      }

  if (g_rmdir (path) != 0)
    g_message ("cannot remove %s: %s", path, g_strerror (errno));
}

static void
remove_dir (const char *path)
{
  if (path == NULL)
    return;

  if (g_getenv ("PDSIM_KEEP_DIR") != NULL)
    {
      g_message ("keeping %s (PDSIM_KEEP_DIR is set)", path);
      return;
    }

  remove_tree (path);
}

/* A simulator that crashed (a test that aborted) leaves its folder behind;
 * its mosquitto died with it (PR_SET_PDEATHSIG). The next start removes
 * such folders: ours by name, with an owner.pid naming a dead process.
 */
static void
sweep_stale_dirs (void)
{
  const char      *tmp = g_get_tmp_dir ();
  g_autoptr (GDir) dir = g_dir_open (tmp, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *owner_file = NULL;
      g_autofree char *owner = NULL;
      GStatBuf         st;
      gint64           pid;

      if (!g_str_has_prefix (name, "printdeck-sim-"))
        continue;
      path = g_build_filename (tmp, name, NULL);
      owner_file = g_build_filename (path, "owner.pid", NULL);
      if (g_stat (path, &st) != 0 || st.st_uid != getuid () ||
          !g_file_get_contents (owner_file, &owner, NULL, NULL))
        continue;
      pid = g_ascii_strtoll (owner, NULL, 10);
      if (pid > 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH)
        {
          g_debug ("removing %s, left by process %" G_GINT64_FORMAT, path, pid);
          remove_dir (path);
        }
    }
}

/* ---- Setting up ----------------------------------------------------- */

static const PdSimModel *
model_for (PdSim *self,
           guint  number)
{
  guint n = self->models != NULL ? g_strv_length (self->models) : 0;

  if (n == 0)
    return pd_sim_model_default (number);

  return pd_sim_model_lookup (self->models[number % n]);
}

static char *
make_serial (PdSim            *self,
             const PdSimModel *model)
{
  for (;;)
    {
      g_autofree char *tail = random_text (self->rand, 12);
      char            *serial = g_strconcat (model->info->serial_prefix, tail, NULL);

      if (!g_hash_table_contains (self->by_serial, serial))
        return serial;
      g_free (serial);
    }
}

static gboolean
check_options (PdSim   *self,
               GError **error)
{
  const PdSimOptions *o = &self->options;

  if (o->n_printers < 1 || o->n_printers > MAX_PRINTERS)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "the number of printers must be 1 to %d, not %u",
                   MAX_PRINTERS, o->n_printers);
      return FALSE;
    }
  if (!(o->speed > 0 && o->speed <= 10000))
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "the speed must be above 0 and at most 10000");
      return FALSE;
    }
  if (o->port_base != 0 && (guint) o->port_base + o->n_printers - 1 > G_MAXUINT16)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "ports from %u for %u printers go past 65535",
                   o->port_base, o->n_printers);
      return FALSE;
    }
  if ((o->camera_width != 0 || o->camera_height != 0) &&
      (o->camera_width < 16 || o->camera_width > 3840 || o->camera_width % 2 != 0 ||
       o->camera_height < 16 || o->camera_height > 2160 || o->camera_height % 2 != 0))
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID,
                   "the camera size must be even, 16×16 to 3840×2160, not %d×%d", o->camera_width, o->camera_height);
      return FALSE;
    }
  if (o->camera_fps < 0 || o->camera_fps > 60)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "the camera's frame rate must be 1 to 60, not %d",
                   o->camera_fps);
      return FALSE;
    }
  for (guint i = 0; self->models != NULL && self->models[i] != NULL; i++)
    if (pd_sim_model_lookup (self->models[i]) == NULL)
      {
        g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID,
                     "unknown printer model \"%s\" (known: X1C, X1, X1E, P1P, P1S, P2S, A1, A1 mini, A2L, "
                     "H2D, H2D Pro, H2S, H2C, X2D)",
                     self->models[i]);
        return FALSE;
      }

  return TRUE;
}

static void
on_client_message (PdSimClient *client,
                   const char  *topic,
                   GBytes      *payload,
                   int          qos,
                   gpointer     user_data)
{
  PdSim         *self = user_data;
  g_auto (GStrv) parts = g_strsplit (topic, "/", 4);
  PdSimPrinter  *printer;

  /* device/<serial>/request */
  if (g_strv_length (parts) != 3 || !g_str_equal (parts[0], "device") || !g_str_equal (parts[2], "request"))
    return;

  if ((printer = g_hash_table_lookup (self->by_serial, parts[1])) != NULL)
    _pd_sim_printer_handle_request (printer, topic, payload, qos);
}

/* Everything that needs no broker: folder, certificates, files, printers. */
static gboolean
prepare (PdSim   *self,
         GError **error)
{
  g_autofree char    *line = NULL;
  PdSimListenerConfig config = { 0 };
  gint64              start;

  if (!check_options (self, error))
    return FALSE;

  self->rand = self->options.use_seed ? g_rand_new_with_seed (self->options.seed) : g_rand_new ();

  sweep_stale_dirs ();
  if ((self->dir = g_dir_make_tmp ("printdeck-sim-XXXXXX", error)) == NULL)
    return FALSE;
  if (strpbrk (self->dir, " \t\n\"'#") != NULL)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID,
                   "the temporary folder %s has a character mosquitto's configuration cannot take; set TMPDIR",
                   self->dir);
      return FALSE;
    }

  {
    g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());

    if (!write_private_file (self->dir, "owner.pid", pid, error))
      return FALSE;
  }

  start = g_get_monotonic_time ();
  if ((self->ca = pd_sim_ca_new (self->options.key_type, "printdeck-sim CA", error)) == NULL ||
      !write_private_file (self->dir, "ca.crt", pd_sim_ca_get_pem (self->ca), error))
    return FALSE;
  self->ca_file = g_build_filename (self->dir, "ca.crt", NULL);
  self->broker = pd_sim_broker_new (self->dir, self->ca_file);

  /* Our own client: plain TCP on loopback, its own random password. */
  self->client_user = g_strdup ("printdeck-sim");
  self->client_password = random_text (self->rand, 24);
  if ((line = pd_sim_password_line (self->client_user, self->client_password, error)) == NULL ||
      !write_private_file (self->dir, "simulator.passwd", line, error))
    return FALSE;
  config.password_file = g_build_filename (self->dir, "simulator.passwd", NULL);
  self->client_listener = pd_sim_broker_add_listener (self->broker, &config);
  g_free ((char *) config.password_file);
  self->client = pd_sim_client_new (self->client_user, self->client_password, "device/+/request");
  g_signal_connect (self->client, "message", G_CALLBACK (on_client_message), self);

  for (guint i = 0; i < self->options.n_printers; i++)
    {
      const PdSimModel *model = model_for (self, i);
      g_autofree char  *serial = make_serial (self, model);
      g_autofree char  *code = _pd_sim_random_code (self->rand);
      PdSimPrinter     *printer;

      printer = _pd_sim_printer_new (self, i, model, serial, code, g_rand_int (self->rand),
                                     &self->options, self->dir, error);
      if (printer != NULL && self->options.n_scenarios > 0)
        pd_sim_printer_set_scenario (printer, self->scenarios[i % self->options.n_scenarios]);
      if (printer == NULL)
        return FALSE;
      g_ptr_array_add (self->printers, printer);
      g_hash_table_insert (self->by_serial, (char *) pd_sim_printer_get_serial (printer), printer);

      _pd_sim_printer_get_listener (printer, &config);
      _pd_sim_printer_set_broker_listener (printer, pd_sim_broker_add_listener (self->broker, &config));
    }

  if (self->options.bridge)
    {
      g_autoptr (PdSimCert) cert = pd_sim_ca_issue (self->ca, "printdeck-sim bridge", error);
      g_autofree char      *bridge_line = NULL;
      g_autofree char      *acl = NULL;
      g_autofree char      *passwd_file = g_build_filename (self->dir, "bridge.passwd", NULL);
      g_autofree char      *acl_file = g_build_filename (self->dir, "bridge.acl", NULL);
      g_autofree char      *cert_file = g_build_filename (self->dir, "bridge.crt", NULL);
      g_autofree char      *key_file = g_build_filename (self->dir, "bridge.key", NULL);

      self->bridge_user = g_strdup ("farm");
      self->bridge_password = random_text (self->rand, 16);
      acl = g_strdup_printf ("user %s\ntopic read device/+/report\ntopic write device/+/request\n", self->bridge_user);
      if (cert == NULL ||
          (bridge_line = pd_sim_password_line (self->bridge_user, self->bridge_password, error)) == NULL ||
          !write_private_file (self->dir, "bridge.passwd", bridge_line, error) ||
          !write_private_file (self->dir, "bridge.acl", acl, error) ||
          !write_private_file (self->dir, "bridge.crt", cert->cert_pem, error) ||
          !write_private_file (self->dir, "bridge.key", cert->key_pem, error))
        return FALSE;
      self->bridge_fingerprint = g_steal_pointer (&cert->fingerprint);

      memset (&config, 0, sizeof config);
      config.port = self->options.bridge_port;
      config.password_file = passwd_file;
      config.acl_file = acl_file;
      config.cert_file = cert_file;
      config.key_file = key_file;
      self->bridge_listener = pd_sim_broker_add_listener (self->broker, &config);
    }

  self->prepare_seconds = (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
  g_debug ("%u printers prepared in %.0f ms, of which %.0f ms making keys and certificates",
           self->printers->len, self->prepare_seconds * 1000, pd_sim_ca_get_seconds (self->ca) * 1000);

  return TRUE;
}

/* ---- Starting ----------------------------------------------------------- */

static void
fail_start (PdSim  *self,
            GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->start_task);

  pd_sim_stop (self);
  g_task_return_error (task, error);
}

static void
on_start_client_connected (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr (PdSim)  self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask)  task = NULL;
  guint              n = self->printers->len;

  if (!pd_sim_client_connect_finish (PD_SIM_CLIENT (source), result, &error))
    {
      if (self->start_task != NULL)
        fail_start (self, g_steal_pointer (&error));
      return;
    }
  if (self->start_task == NULL)
    return; /* stopped meanwhile */

  for (guint i = 0; i < n; i++)
    {
      PdSimPrinter *printer = g_ptr_array_index (self->printers, i);
      guint16       broker_port = pd_sim_broker_get_port (self->broker, _pd_sim_printer_get_broker_listener (printer));
      guint16       public_port = self->options.port_base != 0 ? (guint16) (self->options.port_base + i) : 0;

      if (!_pd_sim_printer_attach (printer, broker_port, public_port, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            {
              error->domain = PD_SIM_ERROR;
              error->code = PD_SIM_ERROR_PORT_IN_USE;
            }
          fail_start (self, g_steal_pointer (&error));
          return;
        }
    }
  for (guint i = 0; i < n; i++)
    if (!_pd_sim_printer_wait_ready (g_ptr_array_index (self->printers, i), &error))
      {
        fail_start (self, g_steal_pointer (&error));
        return;
      }

  for (guint i = 0; i < n; i++)
    _pd_sim_printer_start (g_ptr_array_index (self->printers, i),
                           MAX (1u, self->options.report_interval_ms * i / n));

  self->running = TRUE;
  task = g_steal_pointer (&self->start_task);
  g_task_return_boolean (task, TRUE);
}

static void
on_start_broker_started (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr (PdSim)  self = user_data;
  g_autoptr (GError) error = NULL;

  if (!pd_sim_broker_start_finish (PD_SIM_BROKER (source), result, &error))
    {
      if (self->start_task != NULL)
        fail_start (self, g_steal_pointer (&error));
      return;
    }
  if (self->start_task == NULL)
    return;

  pd_sim_client_connect_async (self->client, pd_sim_broker_get_port (self->broker, self->client_listener),
                               NULL, on_start_client_connected, g_object_ref (self));
}

/* ---- Broker operations ----------------------------------------------- */

static void
complete_op (PdSim  *self,
             GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->op_task);

  if (task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
begin_op (PdSim *self,
          GTask *task)
{
  if (!self->running)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator is not running");
      return FALSE;
    }
  if (self->op_task != NULL)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_BUSY,
                               "another broker operation (restart or reload) is in progress");
      return FALSE;
    }

  self->op_task = g_object_ref (task);
  return TRUE;
}

static void
on_restart_client_connected (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr (PdSim)  self = user_data;
  g_autoptr (GError) error = NULL;

  if (!pd_sim_client_connect_finish (PD_SIM_CLIENT (source), result, &error))
    complete_op (self, g_steal_pointer (&error));
  else
    complete_op (self, NULL);
}

static void
on_restart_broker_started (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr (PdSim)  self = user_data;
  g_autoptr (GError) error = NULL;

  if (!pd_sim_broker_start_finish (PD_SIM_BROKER (source), result, &error))
    {
      complete_op (self, g_steal_pointer (&error));
      return;
    }
  if (self->op_task == NULL)
    return;

  pd_sim_client_connect_async (self->client, pd_sim_broker_get_port (self->broker, self->client_listener),
                               NULL, on_restart_client_connected, g_object_ref (self));
}

void
_pd_sim_restart_broker_internal_async (PdSim              *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _pd_sim_restart_broker_internal_async);
  if (!begin_op (self, task))
    return;

  /* Our client says goodbye first, so that libmosquitto does not sit in its
   * reconnect sleep while the new broker is already up.
   */
  pd_sim_client_disconnect (self->client);
  pd_sim_broker_start_async (self->broker, NULL, on_restart_broker_started, g_object_ref (self));
}

gboolean
_pd_sim_restart_broker_internal_finish (PdSim        *self,
                                        GAsyncResult *result,
                                        GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_reloaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (PdSim)  self = user_data;
  g_autoptr (GError) error = NULL;

  if (!pd_sim_broker_reload_finish (PD_SIM_BROKER (source), result, &error))
    complete_op (self, g_steal_pointer (&error));
  else
    complete_op (self, NULL);
}

void
_pd_sim_reload_broker_async (PdSim              *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, _pd_sim_reload_broker_async);
  if (!begin_op (self, task))
    return;

  pd_sim_broker_reload_async (self->broker, NULL, on_reloaded, g_object_ref (self));
}

gboolean
_pd_sim_reload_broker_finish (PdSim        *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- For the printers ------------------------------------------------- */

GMainContext *
_pd_sim_get_context (PdSim *self)
{
  return self->context != NULL ? self->context : g_main_context_get_thread_default ();
}

PdSimCa *
_pd_sim_get_ca (PdSim *self)
{
  return self->ca;
}

gboolean
_pd_sim_publish (PdSim      *self,
                 const char *topic,
                 const void *data,
                 gsize       length)
{
  return self->client != NULL && pd_sim_client_publish (self->client, topic, data, length, 0);
}

void
_pd_sim_emit_command (PdSim              *self,
                      PdSimPrinter       *printer,
                      const PdSimCommand *command)
{
  g_signal_emit (self, signals[SIGNAL_COMMAND_RECEIVED], 0, printer, command);
}

/* ---- GObject ------------------------------------------------------------ */

static void
pd_sim_dispose (GObject *object)
{
  PdSim *self = PD_SIM (object);

  pd_sim_stop (self);

  for (guint i = 0; i < self->printers->len; i++)
    _pd_sim_printer_detach (g_ptr_array_index (self->printers, i));
  g_hash_table_remove_all (self->by_serial);
  g_ptr_array_set_size (self->printers, 0);
  g_clear_object (&self->client);
  g_clear_object (&self->broker);

  G_OBJECT_CLASS (pd_sim_parent_class)->dispose (object);
}

static void
pd_sim_finalize (GObject *object)
{
  PdSim *self = PD_SIM (object);

  g_strfreev (self->models);
  g_free (self->scenarios);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->rand, g_rand_free);
  g_free (self->dir);
  g_free (self->ca_file);
  g_clear_pointer (&self->ca, pd_sim_ca_free);
  g_free (self->client_user);
  g_free (self->client_password);
  g_free (self->bridge_user);
  g_free (self->bridge_password);
  g_free (self->bridge_fingerprint);
  g_ptr_array_unref (self->printers);
  g_hash_table_unref (self->by_serial);

  G_OBJECT_CLASS (pd_sim_parent_class)->finalize (object);
}

static void
pd_sim_class_init (PdSimClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_dispose;
  object_class->finalize = pd_sim_finalize;

  /**
   * PdSim::command-received:
   * @printer: the printer whose request topic it came on
   * @command: the message, its QoS and arrival time
   *
   * A message arrived on a printer's request topic (before the printer acts
   * on it; also while stalled or offline).
   */
  signals[SIGNAL_COMMAND_RECEIVED] =
    g_signal_new ("command-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, PD_TYPE_SIM_PRINTER, PD_TYPE_SIM_COMMAND | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
pd_sim_init (PdSim *self)
{
  self->printers = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_serial = g_hash_table_new (g_str_hash, g_str_equal);
}

/* ---- Public API --------------------------------------------------------- */

/**
 * pd_sim_options_init:
 *
 * Fills @options with the defaults: 3 printers of the default models, the
 * mixed scenario at real speed, a report a second, free ports, EC keys,
 * cameras at their small default sizes, serving any number of viewers.
 */
void
pd_sim_options_init (PdSimOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->n_printers = 3;
  options->scenario = PD_SIM_SCENARIO_MIXED;
  options->speed = 1.0;
  options->report_interval_ms = 1000;
  options->key_type = PD_SIM_KEY_EC;
}

/**
 * pd_sim_new:
 * @options: (nullable): the options; %NULL for the defaults
 *
 * Returns: (transfer full): a simulator, not started
 */
PdSim *
pd_sim_new (const PdSimOptions *options)
{
  PdSim *self = g_object_new (PD_TYPE_SIM, NULL);

  if (options != NULL)
    self->options = *options;
  else
    pd_sim_options_init (&self->options);

  self->models = g_strdupv ((char **) self->options.models);
  self->options.models = (const char *const *) self->models;
  if (self->options.scenarios != NULL && self->options.n_scenarios > 0)
    self->scenarios = g_memdup2 (self->options.scenarios, self->options.n_scenarios * sizeof (PdSimScenario));
  else
    self->options.n_scenarios = 0;
  self->options.scenarios = self->scenarios;

  return self;
}

/**
 * pd_sim_start_async:
 *
 * Makes the certificates and files, starts mosquitto, connects the
 * simulator's client, opens every printer's port and camera port (an
 * encoder only starts for a viewer) and starts the printers.
 * Runs on the thread-default main context of this call, which must stay the
 * same for the simulator's life. On failure everything is undone.
 */
/* gst-rtsp-server 1.22 can try to send on a client's watch that its own
 * thread has just destroyed when the simulator drops viewers (camera off,
 * a fault): a critical inside the library, about our test server, that the
 * tests' fatal-criticals would turn into an abort. That one message is
 * tolerated; everything else stays fatal. */
static gboolean
tolerate_rtsp_server_race (const char    *log_domain,
                           GLogLevelFlags log_level,
                           const char    *message,
                           gpointer       data)
{
  if (g_strcmp0 (log_domain, "GStreamer-RTSP") == 0 && message != NULL &&
      strstr (message, "gst_rtsp_watch_send_messages: assertion 'watch != NULL' failed") != NULL)
    return FALSE;
  return TRUE;
}

void
pd_sim_start_async (PdSim              *self,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (PD_IS_SIM (self));

  if (g_test_initialized ())
    g_test_log_set_fatal_handler (tolerate_rtsp_server_race, NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_start_async);

  if (self->running || self->start_task != NULL || self->dir != NULL)
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_BUSY,
                               "a simulator can be started once; make a new one");
      return;
    }

  self->context = g_main_context_ref_thread_default ();
  self->start_task = g_steal_pointer (&task);

  if (!prepare (self, &error))
    {
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  pd_sim_broker_start_async (self->broker, NULL, on_start_broker_started, g_object_ref (self));
}

gboolean
pd_sim_start_finish (PdSim        *self,
                     GAsyncResult *result,
                     GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_start:
 *
 * pd_sim_start_async(), iterating the thread-default main context until it
 * is done (at most about 20 s in the worst case of three failed broker
 * starts; usually 50 ms).
 */
gboolean
pd_sim_start (PdSim   *self,
              GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_return_val_if_fail (PD_IS_SIM (self), FALSE);

  pd_sim_start_async (self, NULL, _pd_sim_store_result, &result);

  return pd_sim_start_finish (self, _pd_sim_wait (context, &result), error);
}

/**
 * pd_sim_stop:
 *
 * Stops the printers, closes their ports, stops mosquitto (SIGTERM, SIGKILL
 * after 2 s) and removes the temporary folder (kept if PDSIM_KEEP_DIR is
 * set). Blocks for as long as mosquitto takes to exit, a few milliseconds.
 * The printers' identities stay readable.
 */
void
pd_sim_stop (PdSim *self)
{
  g_autoptr (GTask) start_task = NULL;

  g_return_if_fail (PD_IS_SIM (self));

  /* Taken first: stopping the broker completes its start, whose callback
   * must then find no start to fail.
   */
  start_task = g_steal_pointer (&self->start_task);

  for (guint i = 0; i < self->printers->len; i++)
    _pd_sim_printer_stop (g_ptr_array_index (self->printers, i));

  if (self->client != NULL)
    pd_sim_client_disconnect (self->client);
  if (self->broker != NULL)
    pd_sim_broker_stop (self->broker);

  self->running = FALSE;
  complete_op (self, g_error_new (PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator stopped"));
  if (start_task != NULL)
    g_task_return_new_error (start_task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator was stopped while starting");

  /* The path stays: it says the simulator ran (it cannot start twice). */
  if (self->dir != NULL && !self->dir_removed)
    {
      remove_dir (self->dir);
      self->dir_removed = TRUE;
    }
}

gboolean
pd_sim_is_running (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), FALSE);

  return self->running;
}

guint
pd_sim_get_n_printers (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), 0);

  return self->printers->len;
}

/**
 * pd_sim_get_printer:
 * @index: from 0
 *
 * Returns: (transfer none) (nullable): the printer, or %NULL
 */
PdSimPrinter *
pd_sim_get_printer (PdSim *self,
                    guint  index)
{
  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  return index < self->printers->len ? g_ptr_array_index (self->printers, index) : NULL;
}

/**
 * pd_sim_find_printer:
 *
 * Returns: (transfer none) (nullable): the printer with @serial
 */
PdSimPrinter *
pd_sim_find_printer (PdSim      *self,
                     const char *serial)
{
  g_return_val_if_fail (PD_IS_SIM (self), NULL);
  g_return_val_if_fail (serial != NULL, NULL);

  return g_hash_table_lookup (self->by_serial, serial);
}

/**
 * pd_sim_get_ca_file:
 *
 * Returns: (nullable): the PEM file of the CA behind every certificate
 */
const char *
pd_sim_get_ca_file (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  return self->ca_file;
}

/**
 * pd_sim_get_dir:
 *
 * Returns: (nullable): the private folder (configuration, certificates,
 *   broker logs); removed by pd_sim_stop()
 */
const char *
pd_sim_get_dir (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  return self->dir;
}

/**
 * pd_sim_get_bridge:
 * @host: (out) (optional): "127.0.0.1"
 * @port: (out) (optional): the bridge listener's port (TLS, CA: pd_sim_get_ca_file())
 * @user: (out) (optional): its user
 * @password: (out) (optional): its password
 *
 * The farm bridge, when options.bridge was set: one TLS listener where a
 * client with its own user (not an access code) can subscribe to any
 * printer's device/<SERIAL>/report and publish to device/<SERIAL>/request.
 *
 * Returns: %FALSE if there is no bridge
 */
gboolean
pd_sim_get_bridge (PdSim       *self,
                   const char **host,
                   guint16     *port,
                   const char **user,
                   const char **password)
{
  g_return_val_if_fail (PD_IS_SIM (self), FALSE);

  if (!self->options.bridge || self->bridge_user == NULL)
    return FALSE;

  if (host != NULL)
    *host = "127.0.0.1";
  if (port != NULL)
    *port = pd_sim_broker_get_port (self->broker, self->bridge_listener);
  if (user != NULL)
    *user = self->bridge_user;
  if (password != NULL)
    *password = self->bridge_password;

  return TRUE;
}

/**
 * pd_sim_bridge_to_line:
 *
 * Returns: (transfer full) (nullable): "# bridge HOST PORT USER PASSWORD", or
 *   %NULL without a bridge
 */
char *
pd_sim_bridge_to_line (PdSim *self)
{
  const char *host, *user, *password;
  guint16     port;

  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  if (!pd_sim_get_bridge (self, &host, &port, &user, &password))
    return NULL;

  return g_strdup_printf ("# bridge %s %u %s %s", host, port, user, password);
}

/**
 * pd_sim_bridge_to_json:
 *
 * Returns: (transfer full) (nullable): one line of JSON: {"bridge": true,
 *   host, port, user, password, fingerprint, ca_file}, or %NULL
 */
char *
pd_sim_bridge_to_json (PdSim *self)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonNode)   node = NULL;
  const char            *host, *user, *password;
  guint16                port;

  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  if (!pd_sim_get_bridge (self, &host, &port, &user, &password))
    return NULL;

  json_object_set_boolean_member (object, "bridge", TRUE);
  json_object_set_string_member (object, "host", host);
  json_object_set_int_member (object, "port", port);
  json_object_set_string_member (object, "user", user);
  json_object_set_string_member (object, "password", password);
  json_object_set_string_member (object, "fingerprint", self->bridge_fingerprint);
  json_object_set_string_member (object, "ca_file", self->ca_file);
  node = json_node_init_object (json_node_alloc (), object);

  return pd_json_to_string (node, FALSE);
}

/**
 * pd_sim_restart_broker_async:
 *
 * Stops mosquitto and starts it again on the same ports (every MQTT
 * connection drops; the printers' ports stay open). Completes when the
 * simulator's own client is connected again.
 */
void
pd_sim_restart_broker_async (PdSim              *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_return_if_fail (PD_IS_SIM (self));

  _pd_sim_restart_broker_internal_async (self, cancellable, callback, user_data);
}

gboolean
pd_sim_restart_broker_finish (PdSim        *self,
                              GAsyncResult *result,
                              GError      **error)
{
  return _pd_sim_restart_broker_internal_finish (self, result, error);
}

/**
 * pd_sim_restart_broker:
 *
 * pd_sim_restart_broker_async(), iterating the simulator's main context
 * until it is done.
 */
gboolean
pd_sim_restart_broker (PdSim   *self,
                       GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (PD_IS_SIM (self), FALSE);

  pd_sim_restart_broker_async (self, NULL, _pd_sim_store_result, &result);

  return pd_sim_restart_broker_finish (self, _pd_sim_wait (_pd_sim_get_context (self), &result), error);
}

/**
 * pd_sim_get_broker_pid:
 *
 * Returns: (nullable): mosquitto's process id as text, while it runs
 */
const char *
pd_sim_get_broker_pid (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), NULL);

  return self->broker != NULL ? pd_sim_broker_get_pid (self->broker) : NULL;
}

/**
 * pd_sim_get_certificate_seconds:
 *
 * Returns: how long making the keys and certificates took (the CA, every
 *   printer's, the bridge's and any regenerated one)
 */
double
pd_sim_get_certificate_seconds (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), 0);

  return self->ca != NULL ? pd_sim_ca_get_seconds (self->ca) : 0;
}

/**
 * pd_sim_get_broker_start_seconds:
 *
 * Returns: how long the last broker start took, from spawning mosquitto to
 *   every listener accepting
 */
double
pd_sim_get_broker_start_seconds (PdSim *self)
{
  g_return_val_if_fail (PD_IS_SIM (self), 0);

  return self->broker != NULL ? pd_sim_broker_get_start_seconds (self->broker) : 0;
}
