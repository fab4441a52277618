/* test-farm.c — a print farm's broker mode, end to end (issue 14)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real parts only: simulated printers behind the simulator's mosquitto
 * (TLS, CN = serial, bblp + access code), `printdeck-cli bridge-config`
 * reading printers.ini and the session's gnome-keyring, a second mosquitto
 * started with exactly what it wrote (one bridge per printer, a TLS
 * listener with a password and an ACL for the desktops), and two Printdeck
 * "desktops" — two PdPrinterStores with folders of their own — reading
 * through it. Loopback only, free ports, every wait bounded.
 *
 * On one machine there is one keyring: the farm admin's store puts the
 * printers' access codes in it, the desktops' stores then the broker's
 * password under the same serials (on a farm these are different
 * machines). So each test adds the printers as the admin again before it
 * runs bridge-config. Access codes are never printed: assertions about them
 * use strstr(), whose failure message names the expression, not the text.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pd-mirror-cert.h"
#include "pd-printer-store.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-sim-broker.h"
#include "pd-sim-crypto.h"
#include "pd-test-util.h"

#define N_PRINTERS     3
#define DESK_USER      "farmdesk"
#define BRIDGE_CONF    "printdeck-bridge.conf"
#define START_ATTEMPTS 3

static PdSim *sim;
static char  *desk_password; /* the desktops' password at the farm's broker */

/* Waiting --------------------------------------------------------------------*/

/* Lets pending callbacks (thread results, idle sources) run. */
static void
drain (void)
{
  pd_test_spin (200);
}

static gboolean
printers_have_connections (gpointer data)
{
  guint n = GPOINTER_TO_UINT (data);

  for (guint i = 0; i < N_PRINTERS; i++)
    if (pd_sim_printer_get_n_connections (pd_sim_get_printer (sim, i)) != n)
      return FALSE;

  return TRUE;
}

/* The printer store ------------------------------------------------------------*/

static PdPrinterStore *
store_new_loaded (const char *base,
                  const char *name)
{
  g_autofree char         *config_dir = g_build_filename (base, name, "config", NULL);
  g_autofree char         *cache_dir = g_build_filename (base, name, "cache", NULL);
  PdPrinterStore          *store = pd_printer_store_new (config_dir, cache_dir);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;

  pd_printer_store_load_async (store, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_true (pd_printer_store_load_finish (store, result, &error));
  g_assert_no_error (error);

  return store;
}

static PdPrinter *
store_add (PdPrinterStore        *store,
           const PdPrinterConfig *config,
           const char            *code)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  PdPrinter               *printer;

  pd_printer_store_add_async (store, config, code, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  printer = pd_printer_store_add_finish (store, result, &error);
  g_assert_no_error (error);

  return printer;
}

static void
store_close (PdPrinterStore *store)
{
  pd_printer_store_shutdown (store);
  drain ();
  g_assert_finalize_object (store);
}

static char *
printer_name (guint index)
{
  return g_strdup_printf ("Farm %u", index + 1);
}

/* The farm's admin adds the printers in Printdeck, as on any desktop: the
 * codes go to the keyring, the rest to <base>/admin/config/printers.ini.
 * Then that Printdeck quits, and the printers have no client left.
 *
 * Returns: the config folder bridge-config reads
 */
static char *
admin_add_printers (const char *base)
{
  PdPrinterStore *store = store_new_loaded (base, "admin");

  for (guint i = 0; i < N_PRINTERS; i++)
    {
      PdSimPrinter               *sp = pd_sim_get_printer (sim, i);
      g_autoptr (PdPrinterConfig) config = pd_printer_config_new (pd_sim_printer_get_serial (sp),
                                                                  pd_sim_printer_get_host (sp));
      g_autoptr (PdPrinter)       printer = NULL;

      config->port = pd_sim_printer_get_port (sp);
      config->name = printer_name (i);
      printer = store_add (store, config, pd_sim_printer_get_access_code (sp));
    }
  store_close (store);
  g_assert_true (pd_test_wait_until (printers_have_connections, GUINT_TO_POINTER (0), 10));

  return g_build_filename (base, "admin", "config", NULL);
}

/* printdeck-cli bridge-config ----------------------------------------------------*/


/* Runs `printdeck-cli bridge-config ARGS` on the admin's printers. */
static void
run_bridge_config (PdTestRun         *run,
                   const char        *config_dir,
                   const char *const *args)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray)           argv = g_ptr_array_new ();

  g_subprocess_launcher_setenv (launcher, "PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_ptr_array_add (argv, (gpointer) PRINTDECK_CLI);
  g_ptr_array_add (argv, (gpointer) "bridge-config");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  pd_test_run (run, launcher, (const char *const *) argv->pdata);
}

/* What bridge-config wrote holds every access code, only for mosquitto:
 * mode 0600, none on its output. */
static void
check_generated (const char *path,
                 const PdTestRun  *run)
{
  g_autofree char *text = NULL;
  GStatBuf         st;
  guint            n_connections = 0;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_uid, ==, getuid ());
  g_assert_nonnull (strstr (run->err, "holds the printers' access codes"));
  g_assert_cmpstr (run->out, ==, "");

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      PdSimPrinter    *sp = pd_sim_get_printer (sim, i);
      const char      *code = pd_sim_printer_get_access_code (sp);
      g_autofree char *connection = g_strdup_printf ("\nconnection printdeck-%s\n", pd_sim_printer_get_serial (sp));
      g_autofree char *report = g_strdup_printf ("\ntopic device/%s/report in 0\n", pd_sim_printer_get_serial (sp));
      g_autofree char *request = g_strdup_printf ("\ntopic device/%s/request out 1\n", pd_sim_printer_get_serial (sp));
      g_autofree char *password = g_strdup_printf ("\nremote_password %s\n", code);

      g_assert_nonnull (strstr (text, connection));
      g_assert_nonnull (strstr (text, report));
      g_assert_nonnull (strstr (text, request));
      g_assert_nonnull (strstr (text, password));
      g_assert_null (strstr (run->err, code));
    }
  for (const char *p = text; (p = strstr (p, "\nconnection ")) != NULL; p++)
    n_connections++;
  g_assert_cmpuint (n_connections, ==, N_PRINTERS);
  /* the request topic is never subscribed to at the printer */
  g_assert_null (strstr (text, "request both"));
  g_assert_null (strstr (text, "request in"));
  g_assert_nonnull (strstr (text, "\nbridge_attempt_unsubscribe false\n"));
}

/* The farm's broker ----------------------------------------------------------------*/

typedef struct
{
  char        *dir;    /* main.conf, conf.d/ with the generated file, the log */
  char        *conf_d;
  char        *output; /* conf.d/printdeck-bridge.conf */
  char        *log_file;
  guint16      port;   /* the desktops' listener */
  GSubprocess *process;
} Broker;

static void
broker_init (Broker     *broker,
             const char *base)
{
  memset (broker, 0, sizeof *broker);
  broker->dir = g_build_filename (base, "broker", NULL);
  broker->conf_d = g_build_filename (broker->dir, "conf.d", NULL);
  broker->output = g_build_filename (broker->conf_d, BRIDGE_CONF, NULL);
  broker->log_file = g_build_filename (broker->dir, "mosquitto.log", NULL);
  g_assert_cmpint (g_mkdir_with_parents (broker->conf_d, 0700), ==, 0);
}

static void
broker_stop (Broker *broker)
{
  g_autoptr (GAsyncResult) result = NULL;

  if (broker->process == NULL)
    return;

  g_subprocess_send_signal (broker->process, SIGTERM);
  g_subprocess_wait_async (broker->process, NULL, pd_test_store_result, &result);
  if (!pd_test_wait_for_result (&result, 5))
    {
      g_subprocess_force_exit (broker->process);
      g_subprocess_wait (broker->process, NULL, NULL);
    }
  g_clear_object (&broker->process);
}

static void
broker_clear (Broker *broker)
{
  broker_stop (broker);
  g_free (broker->dir);
  g_free (broker->conf_d);
  g_free (broker->output);
  g_free (broker->log_file);
}

static char *
broker_log (Broker *broker)
{
  char *text = NULL;

  if (!g_file_get_contents (broker->log_file, &text, NULL, NULL))
    return g_strdup ("");

  return text;
}

/* A free TCP port on loopback (mosquitto has no "any port"): bound and let
 * go; a start that finds it taken again is retried. */
static guint16
free_port (void)
{
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GError)         error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

/* The desktops' side of the broker: their password, an ACL that lets them
 * read reports and send commands only, and a TLS certificate (the app's
 * own self-signed kind; the desktops pin it on first use). */
static void
broker_write_listener_files (Broker *broker)
{
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *line = pd_sim_password_line (DESK_USER, desk_password, &error);
  g_autofree char            *passwd = g_build_filename (broker->dir, "desktops.passwd", NULL);
  g_autofree char            *acl = g_build_filename (broker->dir, "desktops.acl", NULL);

  g_assert_no_error (error);
  write_file (passwd, line);
  write_file (acl, "user " DESK_USER "\ntopic read device/+/report\ntopic write device/+/request\n");
  certificate = pd_mirror_certificate_load_or_create (broker->dir, &error);
  g_assert_no_error (error);
}

/* bridge-config's arguments for a listener on @port in @broker's folder. */
static GStrv
listener_args (Broker            *broker,
               const char *const *extra)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, g_strconcat ("--output=", broker->output, NULL));
  g_ptr_array_add (args, g_strdup ("--listener-address=127.0.0.1"));
  g_ptr_array_add (args, g_strdup_printf ("--listener-port=%u", broker->port));
  g_ptr_array_add (args, g_strdup ("--bridge-user=" DESK_USER));
  g_ptr_array_add (args, g_strconcat ("--password-file=", broker->dir, "/desktops.passwd", NULL));
  g_ptr_array_add (args, g_strconcat ("--acl-file=", broker->dir, "/desktops.acl", NULL));
  g_ptr_array_add (args, g_strconcat ("--tls-cert=", broker->dir, "/" PD_MIRROR_CERT_FILE, NULL));
  g_ptr_array_add (args, g_strconcat ("--tls-key=", broker->dir, "/" PD_MIRROR_KEY_FILE, NULL));
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (extra[i]));
  g_ptr_array_add (args, NULL);

  return (GStrv) g_ptr_array_free (args, FALSE);
}

#ifdef __linux__
static void
child_setup (gpointer data)
{
  /* Don't outlive the test, even when it aborts. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}
#endif

static gboolean
broker_accepts (gpointer data)
{
  Broker                       *broker = data;
  g_autoptr (GSocketClient)     client = g_socket_client_new ();
  g_autoptr (GSocketConnection) connection = NULL;

  if (broker->process == NULL || g_subprocess_get_identifier (broker->process) == NULL)
    return TRUE; /* exited: no use waiting */

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", broker->port, NULL, NULL);
  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  return connection != NULL;
}

/* Starts mosquitto the way Debian's does it: a main configuration that
 * includes conf.d/, where the generated file is. With @hosts, in a mount
 * namespace of its own whose /etc/hosts is that file (for the bridges that
 * reach printers by serial). Returns whether the listener accepts. */
static gboolean
broker_start (Broker     *broker,
              const char *hosts)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GError)              error = NULL;
  g_autofree char                *mosquitto = pd_sim_find_mosquitto (&error);
  g_autofree char                *main_conf = g_build_filename (broker->dir, "main.conf", NULL);
  g_autofree char                *conf = NULL;

  g_assert_no_error (error);
  conf = g_strdup_printf ("# The test's broker: Debian's layout, the generated file in conf.d/.\n"
                          /* As root mosquitto would become the user "mosquitto",
                           * which cannot read our 0600 files; others ignore it. */
                          "user root\n"
                          "persistence false\n"
                          "log_dest stderr\n"
                          "log_type all\n"
                          "log_timestamp_format %%H:%%M:%%S\n"
                          "include_dir %s\n",
                          broker->conf_d);
  write_file (main_conf, conf);

  g_subprocess_launcher_set_stderr_file_path (launcher, broker->log_file);
  g_subprocess_launcher_set_cwd (launcher, broker->dir);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif

  if (hosts != NULL)
    broker->process = g_subprocess_launcher_spawn (launcher, &error, "unshare", geteuid () == 0 ? "-m" : "-rm", "--",
                                                   "/bin/sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$1\" -c \"$2\"",
                                                   hosts, mosquitto, main_conf, NULL);
  else
    broker->process = g_subprocess_launcher_spawn (launcher, &error, mosquitto, "-c", main_conf, NULL);
  g_assert_no_error (error);

  g_assert_true (pd_test_wait_until (broker_accepts, broker, 10));
  if (g_subprocess_get_identifier (broker->process) != NULL)
    return TRUE;

  g_test_message ("mosquitto exited on start; its log:\n%s", broker_log (broker));
  g_clear_object (&broker->process);
  return FALSE;
}

/* Writes the configuration with bridge-config (checking what it wrote) and
 * starts mosquitto with it; on a free port, tried again if it was taken. */
static void
broker_generate_and_start (Broker            *broker,
                           const char        *config_dir,
                           const char *const *extra,
                           const char        *hosts)
{
  for (guint attempt = 1;; attempt++)
    {
      g_auto (PdTestRun) run = { 0, };
      g_auto (GStrv) args = NULL;

      broker->port = free_port ();
      args = listener_args (broker, extra);
      g_unlink (broker->output);
      run_bridge_config (&run, config_dir, (const char *const *) args);
      check_generated (broker->output, &run);
      if (broker_start (broker, hosts))
        return;
      g_assert_cmpuint (attempt, <, START_ATTEMPTS);
    }
}

typedef struct
{
  Broker     *broker;
  const char *needle;
} LogWait;

typedef struct
{
  Broker     *broker;
  const char *serial;
} BridgeWait;

static gboolean
log_contains (gpointer data)
{
  LogWait         *wait = data;
  g_autofree char *text = broker_log (wait->broker);

  return strstr (text, wait->needle) != NULL;
}

/* Whether mosquitto logged a CONNACK from the printer's broker on the bridge
 * to @serial, i.e. the bridge got through TLS and the login. */
static gboolean
bridge_connected (Broker     *broker,
                  const char *serial)
{
  g_autofree char *text = broker_log (broker);
  g_auto (GStrv)   lines = g_strsplit (text, "\n", -1);
  g_autofree char *name = g_strdup_printf ("printdeck-%s.", serial);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strconcat (lines[i], ".", NULL);

      if (strstr (line, "Received CONNACK on connection") != NULL && strstr (line, name) != NULL)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_bridge_connected (gpointer data)
{
  BridgeWait *wait = data;

  return bridge_connected (wait->broker, wait->serial);
}

/* The desktops ---------------------------------------------------------------------*/

/* A Printdeck desktop of the farm: its own folders, the printers added
 * through the broker ("Port and Farm Bridge" in the Add Printer dialog). */
typedef struct
{
  PdPrinterStore *store;
  PdPrinter      *printers[N_PRINTERS];
} Desktop;

static void
desktop_start (Desktop    *desk,
               const char *base,
               const char *name,
               guint16     port)
{
  desk->store = store_new_loaded (base, name);
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      PdSimPrinter               *sp = pd_sim_get_printer (sim, i);
      g_autoptr (PdPrinterConfig) config = pd_printer_config_new (pd_sim_printer_get_serial (sp), "127.0.0.1");

      config->port = port;
      config->name = printer_name (i);
      config->bridge_user = g_strdup (DESK_USER);
      config->bridge_tls = TRUE;
      desk->printers[i] = store_add (desk->store, config, desk_password);
    }
}

static void
desktop_stop (Desktop *desk)
{
  for (guint i = 0; i < N_PRINTERS; i++)
    g_clear_object (&desk->printers[i]);
  store_close (g_steal_pointer (&desk->store));
}

static PdSession *
desktop_session (Desktop *desk,
                 guint    index)
{
  return pd_printer_store_get_session (desk->store, desk->printers[index]);
}

static gboolean
desktops_ready (gpointer data)
{
  Desktop *desks = data;

  for (guint d = 0; d < 2; d++)
    for (guint i = 0; i < N_PRINTERS; i++)
      {
        PdPrinter *printer = desks[d].printers[i];

        /* the model comes from get_version: a command out, its answer in */
        if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED ||
            pd_printer_get_status (printer) == PD_STATUS_UNKNOWN || pd_printer_get_model (printer) == NULL)
          return FALSE;
      }

  return TRUE;
}

/* The two desktops' state documents of printer @index, if they are the same. */
static gboolean
documents_agree (Desktop *desks,
                 guint    index)
{
  g_autofree char *a = pd_state_to_string (pd_printer_get_state (desks[0].printers[index]), FALSE);
  g_autofree char *b = pd_state_to_string (pd_printer_get_state (desks[1].printers[index]), FALSE);

  return g_str_equal (a, b);
}

typedef struct
{
  Desktop *desks;
  PdStatus status[N_PRINTERS];     /* PD_STATUS_UNKNOWN: any */
  gboolean in_job[N_PRINTERS];     /* preparing or printing */
  guint32  hms_attr[N_PRINTERS];   /* 0: none wanted */
  guint32  print_error[N_PRINTERS];
} Expect;

static gboolean
state_matches (PdState      *state,
               const Expect *expect,
               guint         i)
{
  PdStatus status = pd_state_get_status (state);
  gboolean hms = expect->hms_attr[i] == 0;

  for (guint j = 0; j < state->n_hms; j++)
    hms = hms || state->hms[j].attr == expect->hms_attr[i];

  return hms && (expect->status[i] == PD_STATUS_UNKNOWN || status == expect->status[i]) &&
         (!expect->in_job[i] || status == PD_STATUS_PREPARING || status == PD_STATUS_PRINTING) &&
         (expect->print_error[i] == 0 || pd_state_get_print_error (state) == expect->print_error[i]);
}

/* Both desktops show what was expected, in the very same documents. */
static gboolean
desktops_agree (gpointer data)
{
  Expect *expect = data;

  for (guint i = 0; i < N_PRINTERS; i++)
    if (!state_matches (pd_printer_get_state (expect->desks[0].printers[i]), expect, i) ||
        !documents_agree (expect->desks, i))
      return FALSE;

  return TRUE;
}

static double
wait_for_agreement (Expect *expect)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_true (pd_test_wait_until (desktops_agree, expect, 20));

  return (double) (g_get_monotonic_time () - start) / 1000;
}

/* For @ms, the longest time the two desktops' documents differed: a report
 * reaches one desktop a moment before the other. */
static double
longest_disagreement (Desktop *desks,
                      guint    ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  gint64 since = 0;
  gint64 longest = 0;
  gint64 now;

  while ((now = g_get_monotonic_time ()) < end)
    {
      gboolean agree = TRUE;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      for (guint i = 0; agree && i < N_PRINTERS; i++)
        agree = documents_agree (desks, i);
      if (!agree && since == 0)
        since = now;
      else if (agree && since != 0)
        {
          longest = MAX (longest, now - since);
          since = 0;
        }
      g_usleep (1000);
    }
  if (since != 0)
    longest = MAX (longest, end - since);

  return (double) longest / 1000;
}

/* Whether any file below @path holds @needle. */
static gboolean
tree_contains (const char *path,
               const char *needle)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize            length = 0;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (child, needle))
            return TRUE;
        }
      else if (g_file_get_contents (child, &contents, &length, NULL) &&
               g_strstr_len (contents, (gssize) length, needle) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
forget_codes (void)
{
  for (guint i = 0; i < N_PRINTERS; i++)
    secret_password_clear_sync (pd_secrets_get_schema (), NULL, NULL,
                                "serial", pd_sim_printer_get_serial (pd_sim_get_printer (sim, i)), NULL);
}

/* Tests --------------------------------------------------------------------------*/

/* Printers → bridging mosquitto → two desktops that see the same thing,
 * while each printer has one connection: the bridge's. */
static void
test_two_desktops (void)
{
  g_autofree char    *base = NULL;
  g_autofree char    *config_dir = NULL;
  g_autofree char    *sim_ca = NULL;
  const char         *extra[] = { "--verify", "chain", NULL, NULL };
  g_autoptr (JsonNode) pause = NULL;
  g_autoptr (GAsyncResult) sent = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError)   error = NULL;
  PdSimPrinter        *printing;
  g_autoptr (GPtrArray) commands = NULL;
  Desktop              desks[2] = { { 0, }, { 0, } };
  Expect               expect = { desks, { 0, }, { 0, }, { 0, }, { 0, } };
  Broker               broker;
  double               ms;
  gboolean             pause_seen = FALSE;

  if (sim == NULL)
    {
      g_test_skip ("mosquitto is not installed");
      return;
    }

  base = g_dir_make_tmp ("printdeck-farm-XXXXXX", NULL);
  g_assert_nonnull (base);
  printing = pd_sim_get_printer (sim, 0);
  /* The simulator's CA signs its printers' certificates. */
  sim_ca = g_strconcat ("--cafile=", pd_sim_get_ca_file (sim), NULL);
  extra[2] = sim_ca;
  config_dir = admin_add_printers (base);
  broker_init (&broker, base);
  broker_write_listener_files (&broker);
  broker_generate_and_start (&broker, config_dir, (const char *const *) extra, NULL);

  /* One bridge per printer, each through TLS (the simulator's CA) and the
   * printer's login. */
  g_assert_true (pd_test_wait_until (printers_have_connections, GUINT_TO_POINTER (1), 15));
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      BridgeWait wait = { &broker, pd_sim_printer_get_serial (pd_sim_get_printer (sim, i)) };

      g_assert_true (pd_test_wait_until (is_bridge_connected, &wait, 5));
    }

  /* Two desktops read through it; they never reach the printers. */
  desktop_start (&desks[0], base, "desk-a", broker.port);
  desktop_start (&desks[1], base, "desk-b", broker.port);
  g_assert_true (pd_test_wait_until (desktops_ready, desks, 20));
  g_assert_true (printers_have_connections (GUINT_TO_POINTER (1)));
  for (guint i = 0; i < N_PRINTERS; i++)
    g_assert_cmpstr (pd_printer_get_model (desks[0].printers[i]), ==,
                     pd_sim_printer_get_model (pd_sim_get_printer (sim, i)));
  ms = wait_for_agreement (&expect);
  g_test_message ("both desktops connected and agreeing; %.0f ms after the last of them was ready", ms);

  /* What a farm sees change: a job, an HMS error, a failed print. */
  pd_sim_printer_start_print (printing);
  pd_sim_printer_add_hms (pd_sim_get_printer (sim, 1), PD_SIM_HMS_SERIOUS_ATTR, PD_SIM_HMS_SERIOUS_CODE);
  pd_sim_printer_fail (pd_sim_get_printer (sim, 2));
  expect.in_job[0] = TRUE;
  expect.hms_attr[1] = PD_SIM_HMS_SERIOUS_ATTR;
  expect.status[2] = PD_STATUS_FAILED;
  expect.print_error[2] = PD_SIM_PRINT_ERROR_FEED;
  ms = wait_for_agreement (&expect);
  g_test_message ("a job, an HMS error and a failure: the same documents on both desktops after %.0f ms", ms);

  /* While it prints (progress, layers, temperatures in every report), the
   * two desktops never differ for long. */
  ms = longest_disagreement (desks, 3000);
  g_test_message ("3 s of a print: the documents differed for %.0f ms at most", ms);
  g_assert_cmpfloat (ms, <, 2000);

  /* A command from one desktop goes out through the bridge (at QoS 1, as
   * sent); the answer and the new state come back to both. */
  pd_sim_printer_clear_commands (printing);
  pause = json_from_string ("{\"print\": {\"command\": \"pause\", \"param\": \"\"}}", &error);
  g_assert_no_error (error);
  pd_session_send_async (desktop_session (&desks[0], 0), pause, NULL, pd_test_store_result, &sent);
  g_assert_true (pd_test_wait_for_result (&sent, 15));
  reply = pd_session_send_finish (desktop_session (&desks[0], 0), sent, &error);
  g_assert_no_error (error);
  expect.in_job[0] = FALSE;
  expect.status[0] = PD_STATUS_PAUSED;
  ms = wait_for_agreement (&expect);
  g_test_message ("paused from one desktop: both show it after %.0f ms", ms);
  commands = pd_sim_printer_get_commands (printing);
  for (guint i = 0; i < commands->len; i++)
    {
      const PdSimCommand *command = g_ptr_array_index (commands, i);

      if (strstr (command->payload, "\"pause\"") != NULL)
        {
          g_assert_cmpint (command->qos, ==, 1);
          pause_seen = TRUE;
        }
    }
  g_assert_true (pause_seen);

  /* Temperatures drift with every report: still the same, a while later. */
  pd_test_spin (1500);
  ms = wait_for_agreement (&expect);
  g_test_message ("1.5 s of reports later: the same documents again after %.0f ms", ms);

  /* Still one connection per printer, the bridge's, with two desktops on. */
  g_assert_true (printers_have_connections (GUINT_TO_POINTER (1)));

  /* The desktops hold the broker's password (in the keyring), never a
   * printer's access code, on disk or anywhere. */
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      const char      *code = pd_sim_printer_get_access_code (pd_sim_get_printer (sim, i));
      g_autofree char *desk_a = g_build_filename (base, "desk-a", NULL);
      g_autofree char *desk_b = g_build_filename (base, "desk-b", NULL);

      g_assert_false (tree_contains (desk_a, code));
      g_assert_false (tree_contains (desk_b, code));
      g_assert_false (tree_contains (desk_a, desk_password));
    }

  desktop_stop (&desks[0]);
  desktop_stop (&desks[1]);
  broker_clear (&broker);
  g_assert_true (pd_test_wait_until (printers_have_connections, GUINT_TO_POINTER (0), 10));
  forget_codes ();
  pd_test_remove_tree (base);
}

/* Whether this machine lets a test give a process /etc/hosts of its own. */
static gboolean
can_replace_hosts (void)
{
  g_autoptr (GSubprocess) proc = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL,
                           "unshare", geteuid () == 0 ? "-m" : "-rm", "--", "/bin/sh", "-c",
                           "mount --bind /dev/null /etc/hosts", NULL);

  return proc != NULL && g_subprocess_wait_check (proc, NULL, NULL);
}

/* The default, "--verify serial": the bridges reach the printers by serial,
 * and mosquitto checks the certificate's name as well as its CA. Printers
 * whose addresses were swapped (DHCP gave one's to the other) are refused;
 * the one in its place is bridged. */
static void
test_verify_serial (void)
{
  g_autofree char  *base = NULL;
  g_autofree char  *config_dir = NULL;
  g_autofree char  *hosts = NULL;
  g_autofree char  *text = NULL;
  g_autofree char  *log = NULL;
  g_autofree char  *sim_ca = NULL;
  g_autoptr (GString) hosts_text = g_string_new ("127.0.0.1 localhost\n");
  const char       *extra[] = { NULL, NULL };
  PdSimPrinter     *p0, *p1, *p2;
  LogWait           wait;
  Broker            broker;

  if (sim == NULL)
    {
      g_test_skip ("mosquitto is not installed");
      return;
    }

  if (!can_replace_hosts ())
    {
      g_test_skip ("no mount namespace for a private /etc/hosts (unshare -m)");
      return;
    }

  p0 = pd_sim_get_printer (sim, 0);
  p1 = pd_sim_get_printer (sim, 1);
  p2 = pd_sim_get_printer (sim, 2);
  sim_ca = g_strconcat ("--cafile=", pd_sim_get_ca_file (sim), NULL);
  extra[0] = sim_ca;
  base = g_dir_make_tmp ("printdeck-farm-XXXXXX", NULL);
  config_dir = admin_add_printers (base);
  broker_init (&broker, base);
  broker_write_listener_files (&broker);
  for (guint i = 0; i < N_PRINTERS; i++)
    g_string_append_printf (hosts_text, "127.0.0.1 %s\n", pd_sim_printer_get_serial (pd_sim_get_printer (sim, i)));
  hosts = g_build_filename (base, "hosts", NULL);
  write_file (hosts, hosts_text->str);

  {
    g_auto (PdTestRun) run = { 0, };
    g_auto (GStrv) args = NULL;
    g_autofree char *by_serial = NULL;
    g_autofree char *swapped = NULL;
    g_autofree char *port0 = g_strdup_printf (":%u\n", pd_sim_printer_get_port (p0));
    g_autofree char *port1 = g_strdup_printf (":%u\n", pd_sim_printer_get_port (p1));
    g_auto (GStrv)   parts = NULL;

    broker.port = free_port ();
    args = listener_args (&broker, (const char *const *) extra);
    run_bridge_config (&run, config_dir, (const char *const *) args);
    check_generated (broker.output, &run);
    g_assert_true (g_file_get_contents (broker.output, &text, NULL, NULL));
    by_serial = g_strdup_printf ("\naddress %s:%u\nbridge_protocol_version mqttv311\nbridge_cafile %s\nbridge_insecure false\n",
                                 pd_sim_printer_get_serial (p2), pd_sim_printer_get_port (p2), pd_sim_get_ca_file (sim));
    g_assert_nonnull (strstr (text, by_serial));
    /* the /etc/hosts line the operator needs, in the header */
    g_assert_nonnull (strstr (text, pd_sim_printer_get_serial (p2)));
    g_assert_nonnull (strstr (run.err, "/etc/hosts"));

    /* Swap the first two printers' ports: each bridge meets the other's
     * certificate. */
    parts = g_strsplit (text, port0, -1);
    swapped = g_strjoinv ("\1", parts);
    g_strfreev (g_steal_pointer (&parts));
    parts = g_strsplit (swapped, port1, -1);
    g_free (g_steal_pointer (&swapped));
    swapped = g_strjoinv (port0, parts);
    g_strfreev (g_steal_pointer (&parts));
    parts = g_strsplit (swapped, "\1", -1);
    g_free (g_steal_pointer (&swapped));
    swapped = g_strjoinv (port1, parts);
    g_assert_true (g_file_set_contents_full (broker.output, swapped, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
    memset (swapped, 0, strlen (swapped));
    memset (text, 0, strlen (text));
  }

  g_assert_true (broker_start (&broker, hosts));
  wait.broker = &broker;
  wait.needle = "host name verification failed";
  g_assert_true (pd_test_wait_until (log_contains, &wait, 10));
  {
    BridgeWait connected = { &broker, pd_sim_printer_get_serial (p2) };

    g_assert_true (pd_test_wait_until (is_bridge_connected, &connected, 10));
  }
  g_assert_cmpuint (pd_sim_printer_get_n_connections (p2), ==, 1);
  /* a while later, still refused */
  pd_test_spin (500);
  g_assert_false (bridge_connected (&broker, pd_sim_printer_get_serial (p0)));
  g_assert_false (bridge_connected (&broker, pd_sim_printer_get_serial (p1)));
  log = broker_log (&broker);
  g_assert_nonnull (strstr (log, "certificate verify failed"));

  broker_clear (&broker);
  g_assert_true (pd_test_wait_until (printers_have_connections, GUINT_TO_POINTER (0), 10));
  forget_codes ();
  pd_test_remove_tree (base);
}

/* A bridge whose CA file did not sign the printer's certificate never gets
 * through: mosquitto checks the chain also with "--verify chain". */
static void
test_wrong_ca (void)
{
  g_autofree char   *base = NULL;
  g_autofree char   *config_dir = NULL;
  g_autofree char   *other_ca = NULL;
  g_autofree char   *cafile = NULL;
  g_autoptr (PdSimCa) ca = NULL;
  g_autoptr (GError) error = NULL;
  const char        *extra[] = { "--verify", "chain", NULL, NULL };
  LogWait            wait;
  Broker             broker;

  if (sim == NULL)
    {
      g_test_skip ("mosquitto is not installed");
      return;
    }

  base = g_dir_make_tmp ("printdeck-farm-XXXXXX", NULL);
  g_assert_nonnull (base);
  /* A CA like the simulator's, that signed none of its printers. */
  other_ca = g_build_filename (base, "other-ca.pem", NULL);
  cafile = g_strconcat ("--cafile=", other_ca, NULL);
  extra[2] = cafile;
  config_dir = admin_add_printers (base);
  ca = pd_sim_ca_new (PD_SIM_KEY_EC, "printdeck-sim CA", &error);
  g_assert_no_error (error);
  write_file (other_ca, pd_sim_ca_get_pem (ca));
  broker_init (&broker, base);
  broker_write_listener_files (&broker);
  broker_generate_and_start (&broker, config_dir, (const char *const *) extra, NULL);

  wait.broker = &broker;
  wait.needle = "certificate verify failed";
  g_assert_true (pd_test_wait_until (log_contains, &wait, 10));
  pd_test_spin (500);
  for (guint i = 0; i < N_PRINTERS; i++)
    g_assert_false (bridge_connected (&broker, pd_sim_printer_get_serial (pd_sim_get_printer (sim, i))));

  broker_clear (&broker);
  g_assert_true (pd_test_wait_until (printers_have_connections, GUINT_TO_POINTER (0), 10));
  forget_codes ();
  pd_test_remove_tree (base);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *mosquitto = NULL;
  const char        *models[] = { "X1C", "P1S", "H2D", NULL };
  PdSimOptions       options;
  int                status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/farm/bridge/two-desktops", test_two_desktops);
  g_test_add_func ("/farm/bridge/verify-serial", test_verify_serial);
  g_test_add_func ("/farm/bridge/wrong-ca", test_wrong_ca);

  /* Without mosquitto every test says so and skips. */
  if ((mosquitto = pd_sim_find_mosquitto (&error)) == NULL)
    {
      g_test_message ("%s", error->message);
      return g_test_run ();
    }

  pd_sim_options_init (&options);
  options.n_printers = N_PRINTERS;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_IDLE;
  options.speed = 10;
  options.no_cameras = TRUE;
  options.no_ftp = TRUE;
  /* As real printers: few clients. The bridge needs one. */
  options.max_clients = 4;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);
  {
    g_autoptr (GRand) rand = g_rand_new ();

    desk_password = g_strdup_printf ("desk-%08x%08x", g_rand_int (rand), g_rand_int (rand));
  }

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);
  g_free (desk_password);

  return status;
}
