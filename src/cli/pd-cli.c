/* pd-cli.c — printdeck-cli, Printdeck's core without a window
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   printdeck-cli inspect [--model M] [--serial S] [--changes] FILE...
 *   printdeck-cli watch [--port P] [--once] [--fingerprint SHA256] [--timeout S] HOST SERIAL
 *   printdeck-cli job [--port P] [--ftp-port P] [--fingerprint SHA256] [--timeout S] HOST SERIAL
 *   printdeck-cli hms [--model M] CODE...
 *   printdeck-cli snapshot [--camera K] [--port P] [--fingerprint SHA256] HOST SERIAL -o FILE
 *   printdeck-cli demo [--printers N] [--speed F] [--sim PATH]
 *   printdeck-cli serve [--listen ADDR:PORT] [--printer SERIAL@HOST[:PORT]]... [--tls-cert F --tls-key F]
 *   printdeck-cli bridge-config -o FILE [--force] [--verify serial|chain] [--cafile F] [--listener-port N] …
 *
 * The same parser and merger as the app: what this prints is what a card
 * shows.
 */

#define G_LOG_DOMAIN "printdeck-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <glib-unix.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "pd-debug-log.h"
#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-job-fetch.h"
#include "pd-job-file.h"
#include "pd-job-tracker.h"
#include "pd-json.h"
#include "pd-camera-source.h"
#include "pd-core-resources.h"
#include "pd-mirror-server.h"
#include "pd-model.h"
#include "pd-printer.h"
#include "pd-printer-store.h"
#include "pd-report.h"
#include "pd-secrets.h"
#include "pd-session.h"

typedef struct
{
  PdPrinter *printer;
  gboolean   changes;
  gboolean   text;
  guint      n_rejected;
} Inspect;

static void
print_changes (const char *source,
               GPtrArray  *changes)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *line = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, source);
  json_builder_set_member_name (b, "changes");
  json_builder_begin_array (b);
  for (guint i = 0; i < changes->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (changes, i));
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = pd_json_to_string (root, FALSE);
  g_print ("%s\n", line);
}

/* A line of a debug-log export or `watch --record`: {"time", "direction",
 * "topic", "payload"}. Sets *payload to the report's text, or NULL for a
 * message we sent (skipped); FALSE when @data is not such a line. */
static gboolean
unwrap_recorded (const char *data,
                 gsize       length,
                 char      **payload)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject            *object;
  JsonNode              *inner;

  *payload = NULL;
  if (length > PD_REPORT_MAX_SIZE * 4 || !pd_json_starts_with_container (data, length) ||
      !pd_json_depth_within (data, length, PD_REPORT_MAX_DEPTH + 2) ||
      !json_parser_load_from_data (parser, data, (gssize) length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;

  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_size (object) > 6 || !json_object_has_member (object, "direction") ||
      !json_object_has_member (object, "payload") || !json_object_has_member (object, "time"))
    return FALSE;

  if (g_strcmp0 (json_object_get_string_member_with_default (object, "direction", ""), "in") != 0)
    return TRUE;

  inner = json_object_get_member (object, "payload");
  if (JSON_NODE_HOLDS_VALUE (inner) && json_node_get_value_type (inner) == G_TYPE_STRING)
    *payload = g_strdup (json_node_get_string (inner));
  else
    *payload = pd_json_to_string (inner, FALSE);

  return TRUE;
}

static void
feed_report (Inspect    *inspect,
             const char *source,
             const char *data,
             gsize       length);

static void
feed (Inspect    *inspect,
      const char *source,
      const char *data,
      gsize       length)
{
  g_autofree char *payload = NULL;

  if (unwrap_recorded (data, length, &payload))
    {
      if (payload != NULL)
        feed_report (inspect, source, payload, strlen (payload));
      return;
    }

  feed_report (inspect, source, data, length);
}

static void
feed_report (Inspect    *inspect,
             const char *source,
             const char *data,
             gsize       length)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) changes = NULL;
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (GError)    error = NULL;

  report = pd_report_parse (data, length, warnings, &error);
  if (report == NULL ||
      !pd_printer_apply_report (inspect->printer, report, g_get_real_time (),
                                &changes, warnings, &error))
    {
      /* TRANSLATORS: "<file:line>: report rejected: <reason>" */
      g_printerr (_("%s: report rejected: %s\n"), source, error->message);
      inspect->n_rejected++;
      return;
    }

  for (guint i = 0; i < warnings->len; i++)
    g_printerr (_("%s: warning: %s\n"), source, (char *) g_ptr_array_index (warnings, i));

  if (inspect->changes)
    print_changes (source, changes);
}

static gboolean
line_is_blank (const char *line)
{
  for (; *line != '\0'; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;

  return TRUE;
}

/* A file holds one report (pretty-printed or not) or a JSON-lines recording. */
static gboolean
feed_file (Inspect    *inspect,
           const char *path)
{
  g_autoptr (GError)     error = NULL;
  g_autofree char       *contents = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_auto (GStrv)         lines = NULL;
  gsize                  length;
  guint                  n_lines = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s: %s\n", path, error->message);
      inspect->n_rejected++;
      return FALSE;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (!line_is_blank (lines[i]))
      n_lines++;

  /* JSON lines: more than one line, and the first one is a whole document. */
  if (n_lines > 1 && lines[0] != NULL && json_parser_load_from_data (parser, lines[0], -1, NULL))
    {
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autofree char *source = NULL;

          if (line_is_blank (lines[i]))
            continue;

          source = g_strdup_printf ("%s:%u", path, i + 1);
          feed (inspect, source, lines[i], strlen (lines[i]));
        }
      return TRUE;
    }

  feed (inspect, path, contents, length);
  return TRUE;
}

static char *
format_temp (PdTemperature *temp)
{
  double current, target;

  if (temp == NULL)
    return NULL;

  current = pd_temperature_get_current (temp);
  target = pd_temperature_get_target (temp);

  if (isnan (current))
    return g_strdup ("—");
  if (isnan (target) || target <= 0)
    /* TRANSLATORS: a temperature, "27 °C" */
    return g_strdup_printf (_("%.0f °C"), current);

  /* TRANSLATORS: current / target temperature, "219 / 220 °C" */
  return g_strdup_printf (_("%.0f / %.0f °C"), current, target);
}

/* A plain-text card, for people rather than scripts. */
static void
print_text (PdPrinter *printer)
{
  PdJob           *job = pd_printer_get_job (printer);
  GListModel      *units = pd_printer_get_ams_units (printer);
  GListModel      *errors = pd_printer_get_hms_errors (printer);
  g_autofree char *nozzle = format_temp (pd_printer_get_nozzle (printer));
  g_autofree char *nozzle_right = format_temp (pd_printer_get_nozzle_right (printer));
  g_autofree char *bed = format_temp (pd_printer_get_bed (printer));
  g_autofree char *chamber = format_temp (pd_printer_get_chamber (printer));
  const char      *name = pd_printer_get_name (printer);
  const char      *stage = pd_printer_get_stage (printer);

  if (name == NULL)
    name = pd_printer_get_serial (printer);
  if (name == NULL)
    name = _("Printer");

  g_print ("%s — %s\n", name,
           pd_printer_get_model_name (printer) ? pd_printer_get_model_name (printer) : _("unknown model"));
  g_print ("  %s%s%s\n", pd_status_to_label (pd_printer_get_status (printer)),
           stage != NULL ? " · " : "", stage != NULL ? stage : "");

  if (nozzle_right != NULL)
    {
      g_print (_("  Nozzle (left)   %s\n"), nozzle);
      g_print (_("  Nozzle (right)  %s\n"), nozzle_right);
    }
  else
    g_print (_("  Nozzle          %s\n"), nozzle);
  g_print (_("  Bed             %s\n"), bed);
  if (chamber != NULL)
    g_print (_("  Chamber         %s\n"), chamber);

  if (job != NULL)
    {
      int progress = pd_job_get_progress (job);
      int layer = pd_job_get_layer (job);
      int total = pd_job_get_total_layers (job);
      int remaining = pd_job_get_remaining_minutes (job);

      g_print (_("  Job             %s\n"), pd_job_get_name (job) ? pd_job_get_name (job) : "—");
      if (progress >= 0)
        g_print (_("  Progress        %d %%\n"), progress);
      if (layer >= 0 && total > 0)
        g_print (_("  Layer           %d of %d\n"), layer, total);
      if (remaining > 0)
        g_print (_("  Time left       %d h %02d min\n"), remaining / 60, remaining % 60);
    }

  for (guint i = 0; i < g_list_model_get_n_items (errors); i++)
    {
      g_autoptr (PdHmsError) error = g_list_model_get_item (errors, i);

      g_print (_("  HMS             %s %s (%s)\n"), pd_hms_error_get_code (error),
                  pd_severity_to_label (pd_hms_error_get_severity (error)),
                  pd_hms_error_get_module (error));
    }

  for (guint i = 0; i < g_list_model_get_n_items (units); i++)
    {
      g_autoptr (PdAmsUnit) unit = g_list_model_get_item (units, i);
      GListModel           *trays = pd_ams_unit_get_trays (unit);
      g_autoptr (GString)   slots = g_string_new (NULL);
      int                   level = pd_ams_unit_get_humidity_level (unit);
      int                   percent = pd_ams_unit_get_humidity_percent (unit);

      for (guint j = 0; j < g_list_model_get_n_items (trays); j++)
        {
          g_autoptr (PdAmsTray) tray = g_list_model_get_item (trays, j);
          const char           *material = pd_ams_tray_get_material (tray);

          if (!pd_ams_tray_get_present (tray))
            g_string_append (slots, _(" [empty]"));
          else
            g_string_append_printf (slots, " [%s]", material != NULL ? material : "?");
        }

      g_print ("  %-15s", pd_ams_type_to_label (pd_ams_unit_get_unit_type (unit)));
      if (percent >= 0 && level > 0)
        g_print (_("humidity %d %% (level %d)"), percent, level);
      else if (percent >= 0)
        g_print (_("humidity %d %%"), percent);
      else if (level > 0)
        g_print (_("humidity level %d of 5"), level);
      g_print ("%s\n", slots->str);
    }
}

static int
cmd_inspect (int    argc,
             char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *model = NULL;
  g_autofree char           *serial = NULL;
  g_autofree char           *name = NULL;
  g_autofree char           *format = NULL;
  g_auto (GStrv)             files = NULL;
  gboolean                   changes = FALSE;
  Inspect                    inspect = {
                       0,
  };
  const GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("The printer model (X1C, P1S, A1 mini, H2D…); detected from the serial otherwise"), N_("MODEL") },
      { "serial", 's', 0, G_OPTION_ARG_STRING, &serial, N_("The printer's serial number"), N_("SERIAL") },
        { "name", 'n', 0, G_OPTION_ARG_STRING, &name, N_("The printer's name"), N_("NAME") },
          { "changes", 'c', 0, G_OPTION_ARG_NONE, &changes, N_("Print, per report, the fields that changed (JSON lines) instead of the state"), NULL },
            { "format", 'f', 0, G_OPTION_ARG_STRING, &format, N_("Output format: json (default) or text"), N_("FORMAT") },
              { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE…") },
                { NULL } };

  context = g_option_context_new (_("FILE… — merge printer reports and print the state"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
                                    _("Each FILE holds one report as a printer publishes it on device/SERIAL/report,\n"
      "or a recording of many, one JSON document per line. Reports are merged in\n"
      "order, as the app does. Exit status 1 if any report was rejected."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (files == NULL || files[0] == NULL)
    {
      g_printerr (_("No report files given. See “printdeck-cli inspect --help”.\n"));
      return 2;
    }
  if (model != NULL && pd_model_lookup (model) == NULL)
    {
      guint               n_models;
      const PdModelInfo  *models = pd_model_get_all (&n_models);
      g_autoptr (GString) known = g_string_new (NULL);

      for (guint i = 0; i < n_models; i++)
        g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", models[i].id);
      g_printerr (_("Unknown model “%s”. Known models: %s\n"), model, known->str);
      return 2;
    }
  if (format != NULL && !g_str_equal (format, "json") && !g_str_equal (format, "text"))
    {
      g_printerr (_("Unknown format “%s”: use json or text\n"), format);
      return 2;
    }

  inspect.printer = pd_printer_new (serial);
  inspect.changes = changes;
  inspect.text = format != NULL && g_str_equal (format, "text");
  pd_printer_set_name (inspect.printer, name);
  pd_printer_set_configured_model (inspect.printer, model);

  for (guint i = 0; files[i] != NULL; i++)
    feed_file (&inspect, files[i]);

  if (!changes)
    {
      if (inspect.text)
        print_text (inspect.printer);
      else
        {
          g_autofree char *doc = pd_state_to_string (pd_printer_get_state (inspect.printer), TRUE);

          g_print ("%s\n", doc);
        }
    }

  g_clear_object (&inspect.printer);

  return inspect.n_rejected > 0 ? 1 : 0;
}

/* Printers given on the command line ----------------------------------------*/

/* A printer and its session, as watch, serve and demo connect to one: the
 * same path as the app's, without its printers.ini. The caller wipes its
 * copy of @access_code. A NULL @fingerprint pins the certificate on first use
 * when Bambu Lab's CAs do not vouch for it. */
static PdSession *
cli_session_new (const char *serial,
                 const char *name,
                 const char *model,
                 const char *host,
                 guint       port,
                 const char *access_code,
                 const char *fingerprint)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (serial);
  PdSession            *session;

  pd_printer_set_name (printer, name);
  pd_printer_set_configured_model (printer, model);
  session = pd_session_new (printer, host);
  pd_session_set_port (session, port);
  pd_session_set_access_code (session, access_code);
  pd_session_set_pinned_fingerprint (session, fingerprint);

  return session;
}

/* "Connected", or "Disconnected: <why>", one line of watch's and serve's log. */
static char *
describe_connection (PdConnection    connection,
                     PdSessionReason reason)
{
  const char *label = pd_session_reason_to_label (reason);

  if (label != NULL && connection != PD_CONNECTION_CONNECTED)
    return g_strdup_printf ("%s: %s", pd_connection_to_label (connection), label);

  return g_strdup (pd_connection_to_label (connection));
}

/* watch ---------------------------------------------------------------------*/

typedef struct
{
  GMainLoop  *loop;
  PdPrinter  *printer;
  PdSession  *session;
  gboolean    once;
  gboolean    full_report_seen;
  gboolean    text;
  int         status;
  guint       timeout_id;
  FILE       *record;   /* --record: every message, in and out, as JSON lines */
  char       *secret;   /* redacted from the recording */
} Watch;

/* Reads the access code from the terminal without echoing it. */
static char *
prompt_access_code (void)
{
  struct termios saved, quiet;
  char           buf[128] = "";
  FILE          *tty = fopen ("/dev/tty", "r+");
  gboolean       got;

  if (tty == NULL)
    return NULL;

  fputs (_("Access code: "), tty);
  fflush (tty);
  tcgetattr (fileno (tty), &saved);
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (fileno (tty), TCSAFLUSH, &quiet);
  got = fgets (buf, sizeof buf, tty) != NULL;
  tcsetattr (fileno (tty), TCSAFLUSH, &saved);
  fputs ("\n", tty);
  fclose (tty);

  if (!got)
    return NULL;
  g_strchomp (buf);
  return g_strdup (buf);
}

/* From $PRINTDECK_ACCESS_CODE, else asked for; NULL (and said why) if none. */
static char *
read_access_code (void)
{
  char *access_code = g_strdup (g_getenv ("PRINTDECK_ACCESS_CODE"));

  if (access_code == NULL)
    access_code = prompt_access_code ();
  if (access_code == NULL || *access_code == '\0')
    {
      g_free (access_code);
      g_printerr (_("No access code: set PRINTDECK_ACCESS_CODE or run in a terminal.\n"));
      return NULL;
    }

  return access_code;
}

static void
watch_print_changes (PdPrinter *printer,
                     GPtrArray *changes,
                     Watch     *watch)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *line = NULL;
  g_autofree char        *now = NULL;
  g_autoptr (GDateTime)   time = g_date_time_new_now_local ();
  PdState                *state = pd_printer_get_state (printer);

  if (watch->once)
    return;

  b = json_builder_new ();
  now = g_date_time_format_iso8601 (time);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "changes");
  json_builder_begin_object (b);
  for (guint i = 0; i < changes->len; i++)
    {
      const char *path = g_ptr_array_index (changes, i);

      json_builder_set_member_name (b, path);
      json_builder_add_value (b, json_node_copy (pd_state_lookup (state, path)));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = pd_json_to_string (root, FALSE);
  g_print ("%s\n", line);
}

static void
watch_notify_connection (PdSession  *session,
                         GParamSpec *pspec,
                         Watch      *watch)
{
  PdConnection     connection = pd_session_get_connection (session);
  g_autofree char *line = describe_connection (connection, pd_session_get_reason (session));

  g_printerr ("%s\n", line);

  if (connection == PD_CONNECTION_CONNECTED)
    g_clear_handle_id (&watch->timeout_id, g_source_remove);
}

static void
watch_notify_pinned (PdSession  *session,
                     GParamSpec *pspec,
                     Watch      *watch)
{
  const char *fingerprint = pd_session_get_pinned_fingerprint (session);

  if (fingerprint != NULL)
    g_printerr (_("The printer's certificate cannot be checked against Bambu Lab's; pinned it: %s\n"
                  "Pass --fingerprint %s to require it next time.\n"),
                fingerprint, fingerprint);
}

static gboolean
watch_print_once (gpointer data)
{
  Watch           *watch = data;
  g_autofree char *doc = pd_state_to_string (pd_printer_get_state (watch->printer), TRUE);

  g_print ("%s\n", doc);
  watch->status = 0;
  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

/* A full report (the answer to pushall) carries the whole print object;
 * deltas carry a few fields.
 */
static gboolean
is_full_report (GBytes *payload)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode              *root;
  JsonObject            *print;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (payload, NULL), (gssize) g_bytes_get_size (payload), NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "print") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (root), "print")))
    return FALSE;

  print = json_object_get_object_member (json_node_get_object (root), "print");
  return json_object_has_member (print, "gcode_state") && json_object_get_size (print) >= 20;
}

static void
watch_message (PdSession          *session,
               PdMessageDirection  direction,
               const char         *topic,
               GBytes             *payload,
               Watch              *watch)
{
  if (watch->record != NULL)
    {
      g_autoptr (PdDebugMessage) message = pd_debug_message_new (g_get_real_time (), direction, topic, payload,
                                                                 watch->secret);
      g_autofree char           *line = pd_debug_message_to_line (message);

      if (fprintf (watch->record, "%s\n", line) < 0 || fflush (watch->record) != 0)
        {
          g_printerr (_("The recording could not be written: %s\n"), g_strerror (errno));
          watch->status = 1;
          g_main_loop_quit (watch->loop);
          return;
        }
    }

  if (!watch->once || watch->full_report_seen || direction != PD_MESSAGE_INCOMING)
    return;

  if (is_full_report (payload))
    {
      watch->full_report_seen = TRUE;
      /* after the session applied it */
      g_idle_add (watch_print_once, watch);
    }
}

/* Why a command gave up waiting for the printer, on stderr. */
static void
print_gave_up (PdSession *session)
{
  const char *label = pd_session_reason_to_label (pd_session_get_reason (session));

  g_printerr (_("Gave up: %s\n"), label != NULL ? label : _("no answer from the printer in time."));
}

static gboolean
watch_timeout (gpointer data)
{
  Watch *watch = data;

  watch->timeout_id = 0;
  print_gave_up (watch->session);
  watch->status = 1;
  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

static gboolean
watch_interrupted (gpointer data)
{
  Watch *watch = data;

  watch->status = 0;
  g_main_loop_quit (watch->loop);

  return G_SOURCE_REMOVE;
}

static int
cmd_watch (int    argc,
           char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *fingerprint = NULL;
  g_autofree char           *model = NULL;
  g_autofree char           *access_code = NULL;
  g_autofree char           *record = NULL;
  gboolean                   once = FALSE;
  int                        port = PD_SESSION_DEFAULT_PORT;
  int                        timeout = 0;
  Watch                      watch = { 0, };
  const GOptionEntry         entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("The MQTT port (default 8883), e.g. of a forwarded port or a bridge"), N_("PORT") },
    { "once", '1', 0, G_OPTION_ARG_NONE, &once, N_("Print the whole state after the first full report and exit"), NULL },
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING, &fingerprint, N_("Require the printer's certificate to have this SHA-256 fingerprint"), N_("SHA256") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Give up after this many seconds without a connection (with --once: without the state)"), N_("SECONDS") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("The printer model, when the serial does not tell"), N_("MODEL") },
    { "record", 'r', 0, G_OPTION_ARG_FILENAME, &record, N_("Also write every message in and out to FILE as JSON lines (what “inspect” reads; secrets redacted)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("HOST SERIAL — connect to a printer and print its state changes"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Prints one JSON line per change. The access code is read from\n"
      "PRINTDECK_ACCESS_CODE, or asked for without echo."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc != 3)
    {
      g_printerr (_("Give the printer's address and serial number. See “printdeck-cli watch --help”.\n"));
      return 2;
    }
  if (port <= 0 || port > 65535)
    {
      g_printerr (_("The port must be between 1 and 65535.\n"));
      return 2;
    }

  if ((access_code = read_access_code ()) == NULL)
    return 2;

  if (record != NULL && (watch.record = fopen (record, "w")) == NULL)
    {
      g_printerr (_("%s cannot be written: %s\n"), record, g_strerror (errno));
      memset (access_code, 0, strlen (access_code));
      return 1;
    }
  watch.secret = g_strdup (access_code);

  watch.loop = g_main_loop_new (NULL, FALSE);
  watch.once = once;
  watch.status = 0;
  watch.session = cli_session_new (argv[2], NULL, model, argv[1], (guint) port, access_code, fingerprint);
  watch.printer = g_object_ref (pd_session_get_printer (watch.session));
  memset (access_code, 0, strlen (access_code));

  g_signal_connect (watch.printer, "state-changed", G_CALLBACK (watch_print_changes), &watch);
  g_signal_connect (watch.session, "notify::connection", G_CALLBACK (watch_notify_connection), &watch);
  g_signal_connect (watch.session, "message", G_CALLBACK (watch_message), &watch);
  if (fingerprint == NULL)
    g_signal_connect (watch.session, "notify::pinned-fingerprint", G_CALLBACK (watch_notify_pinned), &watch);
  if (timeout > 0)
    watch.timeout_id = g_timeout_add_seconds ((guint) timeout, watch_timeout, &watch);
  g_unix_signal_add (SIGINT, watch_interrupted, &watch);
  g_unix_signal_add (SIGTERM, watch_interrupted, &watch);

  pd_session_start (watch.session);
  g_main_loop_run (watch.loop);

  g_clear_handle_id (&watch.timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (watch.printer, &watch);
  g_signal_handlers_disconnect_by_data (watch.session, &watch);
  pd_session_stop (watch.session);
  g_clear_object (&watch.session);
  g_clear_object (&watch.printer);
  g_main_loop_unref (watch.loop);
  if (watch.record != NULL && fclose (watch.record) != 0 && watch.status == 0)
    {
      g_printerr (_("The recording could not be written: %s\n"), g_strerror (errno));
      watch.status = 1;
    }
  if (watch.secret != NULL)
    memset (watch.secret, 0, strlen (watch.secret));
  g_free (watch.secret);

  return watch.status;
}

/* job -----------------------------------------------------------------------*/

#define JOB_DEFAULT_TIMEOUT 30

typedef struct
{
  GMainLoop    *loop;
  PdPrinter    *printer;
  PdSession    *session;
  GCancellable *cancellable;
  char         *host;
  char         *access_code; /* wiped at the end */
  char         *ftp_user;
  guint         ftp_port;
  gboolean      full_report_seen;
  gboolean      fetching;
  int           status;
  guint         timeout_id;
} Job;

static void
job_finish (Job *job,
            int  status)
{
  job->status = status;
  g_main_loop_quit (job->loop);
}

/* The document: what the job's file says, in the units the state document
 * uses (grams, whole minutes, #RRGGBB colours). */
static char *
job_details_to_string (const char   *name,
                       const char   *file,
                       PdJobDetails *details)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  GArray                 *filaments = pd_job_details_get_filaments (details);
  int                     minutes = pd_job_details_get_prediction_minutes (details);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  if (name != NULL)
    json_builder_add_string_value (b, name);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, file);
  json_builder_set_member_name (b, "plate");
  json_builder_add_int_value (b, pd_job_details_get_plate (details));
  json_builder_set_member_name (b, "filament_grams_total");
  json_builder_add_double_value (b, pd_job_details_get_total_grams (details));
  json_builder_set_member_name (b, "filaments");
  json_builder_begin_array (b);
  for (guint i = 0; i < filaments->len; i++)
    {
      const PdJobFilament *filament = &g_array_index (filaments, PdJobFilament, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, filament->type);
      json_builder_set_member_name (b, "color");
      if (filament->has_color)
        {
          g_autofree char *color = g_strdup_printf ("#%06X", filament->color >> 8);

          json_builder_add_string_value (b, color);
        }
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "grams");
      json_builder_add_double_value (b, filament->grams);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "prediction_minutes");
  if (minutes >= 0)
    json_builder_add_int_value (b, minutes);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "thumbnail");
  json_builder_add_boolean_value (b, pd_job_details_get_thumbnail (details) != NULL);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return pd_json_to_string (root, TRUE);
}

static void
job_fetched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job                     *job = user_data;
  PdState                 *state = pd_printer_get_state (job->printer);
  g_autoptr (GError)       error = NULL;
  g_autoptr (GBytes)       bytes = NULL;
  g_autoptr (PdJobDetails) details = NULL;
  g_autofree char         *path = NULL;
  g_autofree char         *doc = NULL;

  job->fetching = FALSE;
  bytes = pd_job_fetch_finish (result, &path, &error);
  if (bytes != NULL)
    /* The plate the printer names; else the one the file is for. */
    details = pd_job_details_new_from_bytes (bytes, pd_job_plate_from_gcode_file (state->job_file), &error);
  if (details == NULL)
    {
      g_autofree char *why = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          job_finish (job, 1);
          return;
        }
      why = pd_job_describe_error (error);
      g_printerr (_("The job’s details could not be read: %s\n"), why);
      job_finish (job, 1);
      return;
    }

  doc = job_details_to_string (state->job_name, path, details);
  g_print ("%s\n", doc);
  job_finish (job, 0);
}

/* After the first full report is applied: the job it names, from the
 * printer's storage, pinned to the certificate its MQTT port showed. */
static gboolean
job_fetch (gpointer data)
{
  Job                     *job = data;
  PdState                 *state = pd_printer_get_state (job->printer);
  g_auto (GStrv)           paths = pd_job_candidate_paths (state);
  g_autofree char         *fingerprint = g_strdup (pd_session_get_fingerprint (job->session));
  const PdJobFetchOptions  options = { .username = job->ftp_user };

  g_clear_handle_id (&job->timeout_id, g_source_remove);
  if (paths == NULL)
    {
      g_printerr (_("The printer has no job: it is idle.\n"));
      job_finish (job, 1);
      return G_SOURCE_REMOVE;
    }

  /* Printers take few MQTT clients: this one is done. */
  pd_session_stop (job->session);
  job->fetching = TRUE;
  pd_job_fetch_async (job->host, job->ftp_port, job->access_code, fingerprint, (const char *const *) paths,
                      PD_JOB_TRACKER_MAX_BYTES, &options, job->cancellable, job_fetched, job);

  return G_SOURCE_REMOVE;
}

static void
job_message (PdSession          *session,
             PdMessageDirection  direction,
             const char         *topic,
             GBytes             *payload,
             Job                *job)
{
  if (job->full_report_seen || direction != PD_MESSAGE_INCOMING || !is_full_report (payload))
    return;

  job->full_report_seen = TRUE;
  /* after the session applied it */
  g_idle_add (job_fetch, job);
}

static gboolean
job_timeout (gpointer data)
{
  Job *job = data;

  job->timeout_id = 0;
  print_gave_up (job->session);
  job_finish (job, 1);

  return G_SOURCE_REMOVE;
}

static gboolean
job_interrupted (gpointer data)
{
  Job *job = data;

  g_cancellable_cancel (job->cancellable);
  job_finish (job, 1);

  return G_SOURCE_REMOVE;
}

static int
cmd_job (int    argc,
         char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *fingerprint = NULL;
  g_autofree char           *model = NULL;
  g_autofree char           *ftp_user = NULL;
  int                        port = PD_SESSION_DEFAULT_PORT;
  int                        ftp_port = PD_JOB_FETCH_DEFAULT_PORT;
  int                        timeout = JOB_DEFAULT_TIMEOUT;
  guint                      sigint_id, sigterm_id;
  Job                        job = { 0, };
  const GOptionEntry         entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("The MQTT port (default 8883), e.g. of a forwarded port or a bridge"), N_("PORT") },
    { "ftp-port", 0, 0, G_OPTION_ARG_INT, &ftp_port, N_("The port of the printer’s file storage (FTPS, default 990)"), N_("PORT") },
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING, &fingerprint, N_("Require the printer's certificate to have this SHA-256 fingerprint"), N_("SHA256") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Give up after this many seconds without the printer's state (default 30)"), N_("SECONDS") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("The printer model, when the serial does not tell"), N_("MODEL") },
    /* Hidden: for test servers (printdeck-sim's vsftpd logs in "anonymous");
     * a printer's user is always bblp. */
    { "ftp-user", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &ftp_user, N_("The file storage's user (default bblp)"), N_("USER") },
    { NULL }
  };

  context = g_option_context_new (_("HOST SERIAL — tell what the printer's current job uses, from its file"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Connects as “watch” does, learns the current job from the printer's state, reads the\n"
      "job's sliced file from the printer's storage (FTPS, with the certificate MQTT showed)\n"
      "and prints one JSON document: name, file, plate, filament_grams_total, filaments\n"
      "(type, color, grams), prediction_minutes and thumbnail. The printer needs an SD card\n"
      "or USB stick. The access code is read from PRINTDECK_ACCESS_CODE, or asked for\n"
      "without echo."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc != 3)
    {
      g_printerr (_("Give the printer's address and serial number. See “printdeck-cli job --help”.\n"));
      return 2;
    }
  if (port <= 0 || port > 65535 || ftp_port <= 0 || ftp_port > 65535)
    {
      g_printerr (_("The port must be between 1 and 65535.\n"));
      return 2;
    }
  if (timeout <= 0)
    {
      g_printerr (_("The timeout must be at least one second.\n"));
      return 2;
    }

  if ((job.access_code = read_access_code ()) == NULL)
    return 2;

  job.loop = g_main_loop_new (NULL, FALSE);
  job.cancellable = g_cancellable_new ();
  job.host = g_strdup (argv[1]);
  job.ftp_port = (guint) ftp_port;
  job.ftp_user = g_steal_pointer (&ftp_user);
  job.status = 1;
  job.session = cli_session_new (argv[2], NULL, model, argv[1], (guint) port, job.access_code, fingerprint);
  job.printer = g_object_ref (pd_session_get_printer (job.session));

  g_signal_connect (job.session, "message", G_CALLBACK (job_message), &job);
  job.timeout_id = g_timeout_add_seconds ((guint) timeout, job_timeout, &job);
  sigint_id = g_unix_signal_add (SIGINT, job_interrupted, &job);
  sigterm_id = g_unix_signal_add (SIGTERM, job_interrupted, &job);

  pd_session_start (job.session);
  g_main_loop_run (job.loop);

  g_clear_handle_id (&job.timeout_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (job.session, &job);
  pd_session_stop (job.session);
  /* A fetch still running (interrupted) ends on its worker soon after
   * the cancellation; wait for it, so that it does not outlive @job. */
  g_cancellable_cancel (job.cancellable);
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (job.fetching && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_object (&job.session);
  g_clear_object (&job.printer);
  g_clear_object (&job.cancellable);
  g_main_loop_unref (job.loop);
  memset (job.access_code, 0, strlen (job.access_code));
  g_free (job.access_code);
  g_free (job.host);
  g_free (job.ftp_user);

  return job.status;
}

/* snapshot ------------------------------------------------------------------*/

typedef struct
{
  GMainLoop     *loop;
  PdCameraFrame *frame;
  GError        *error;
  PdCameraProblem problem;
} Snapshot;

static void
on_snapshot_grabbed (GObject      *object,
                     GAsyncResult *result,
                     gpointer      data)
{
  Snapshot *snapshot = data;

  snapshot->frame = pd_camera_source_grab_finish (PD_CAMERA_SOURCE (object), result, &snapshot->error);
  snapshot->problem = pd_camera_source_get_problem (PD_CAMERA_SOURCE (object));
  g_main_loop_quit (snapshot->loop);
}

static void
on_snapshot_pinned (PdCameraSource *source,
                    const char     *fingerprint,
                    gpointer        data)
{
  g_printerr (_("Trusted the camera's certificate on first use: %s\n"), fingerprint);
}

/* Exit statuses, so that scripts can tell why without parsing words. */
static int
snapshot_status (PdCameraProblem problem)
{
  switch (problem)
    {
    case PD_CAMERA_PROBLEM_UNREACHABLE: return 3;
    case PD_CAMERA_PROBLEM_WRONG_CODE: return 4;
    case PD_CAMERA_PROBLEM_BUSY: return 5;
    case PD_CAMERA_PROBLEM_CERTIFICATE:
    case PD_CAMERA_PROBLEM_TLS: return 6;
    case PD_CAMERA_PROBLEM_NO_CAMERA: return 7;
    case PD_CAMERA_PROBLEM_NONE:
    case PD_CAMERA_PROBLEM_NO_ACCESS_CODE:
    case PD_CAMERA_PROBLEM_BAD_DATA:
    case PD_CAMERA_PROBLEM_LOST:
    case PD_CAMERA_PROBLEM_NO_DECODER:
    default: return 1;
    }
}

static int
cmd_snapshot (int    argc,
              char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autoptr (PdCameraSource) source = NULL;
  g_autoptr (GBytes)         data = NULL;
  g_autofree char           *fingerprint = NULL;
  g_autofree char           *model = NULL;
  g_autofree char           *camera = NULL;
  g_autofree char           *output = NULL;
  g_autofree char           *access_code = NULL;
  int                        port = 0;
  int                        timeout = 20;
  PdCameraKind               kind = PD_CAMERA_KIND_UNKNOWN;
  PdSnapshotFormat           format = PD_SNAPSHOT_FORMAT_AUTO;
  Snapshot                   snapshot = { 0, };
  const PdModelInfo         *info;
  const GOptionEntry         entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the picture to FILE (.png or .jpg)"), N_("FILE") },
    { "camera", 'c', 0, G_OPTION_ARG_STRING, &camera, N_("The camera's kind, when the model does not tell: rtsps or jpeg"), N_("KIND") },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, N_("The camera's port (default 322 for rtsps, 6000 for jpeg)"), N_("PORT") },
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING, &fingerprint, N_("Require the printer's certificate to have this SHA-256 fingerprint"), N_("SHA256") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout, N_("Give up after this many seconds (default 20)"), N_("SECONDS") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("The printer model, when the serial does not tell"), N_("MODEL") },
    { NULL }
  };

  context = g_option_context_new (_("HOST SERIAL — save one picture from a printer's camera"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("The access code is read from PRINTDECK_ACCESS_CODE, or asked for without echo.\n"
      "Exit status: 0 saved; 1 failed; 2 wrong use; 3 camera unreachable; 4 wrong\n"
      "access code; 5 camera busy (another app shows it); 6 certificate not trusted;\n"
      "7 no camera (or LAN live view off)."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc != 3 || output == NULL)
    {
      g_printerr (_("Give the printer's address, serial number and -o FILE. See “printdeck-cli snapshot --help”.\n"));
      return 2;
    }
  if (port < 0 || port > 65535 || timeout <= 0)
    {
      g_printerr (_("The port must be between 1 and 65535, and the timeout above 0.\n"));
      return 2;
    }

  if (camera != NULL)
    {
      if (g_ascii_strcasecmp (camera, "rtsps") == 0)
        kind = PD_CAMERA_KIND_RTSPS;
      else if (g_ascii_strcasecmp (camera, "jpeg") == 0)
        kind = PD_CAMERA_KIND_JPEG;
      else
        {
          g_printerr (_("The camera kind must be rtsps or jpeg.\n"));
          return 2;
        }
    }
  else if ((info = model != NULL ? pd_model_lookup (model) : pd_model_lookup_serial (argv[2])) != NULL)
    kind = info->camera;
  if (kind == PD_CAMERA_KIND_UNKNOWN)
    {
      g_printerr (_("The serial number does not tell the printer's model: give --model or --camera.\n"));
      return 2;
    }

  if (g_str_has_suffix (output, ".png") || g_str_has_suffix (output, ".PNG"))
    format = PD_SNAPSHOT_FORMAT_PNG;
  else if (g_str_has_suffix (output, ".jpg") || g_str_has_suffix (output, ".jpeg") ||
           g_str_has_suffix (output, ".JPG") || g_str_has_suffix (output, ".JPEG"))
    format = kind == PD_CAMERA_KIND_JPEG ? PD_SNAPSHOT_FORMAT_AUTO : PD_SNAPSHOT_FORMAT_JPEG;
  else
    {
      g_printerr (_("The output file must end in .png or .jpg.\n"));
      return 2;
    }

  if ((access_code = read_access_code ()) == NULL)
    return 2;

  source = pd_camera_source_new (kind, argv[1], (guint16) port, argv[2]);
  pd_camera_source_set_access_code (source, access_code);
  memset (access_code, 0, strlen (access_code));
  pd_camera_source_set_pinned_fingerprint (source, fingerprint);
  pd_camera_source_set_linger (source, 0);
  g_signal_connect (source, "certificate-pinned", G_CALLBACK (on_snapshot_pinned), NULL);

  snapshot.loop = g_main_loop_new (NULL, FALSE);
  pd_camera_source_grab_async (source, (guint) timeout * 1000, NULL, on_snapshot_grabbed, &snapshot);
  g_main_loop_run (snapshot.loop);
  g_main_loop_unref (snapshot.loop);

  if (snapshot.frame == NULL)
    {
      g_printerr (_("No picture: %s: %s\n"),
                  snapshot.problem != PD_CAMERA_PROBLEM_NONE ? pd_camera_problem_to_label (snapshot.problem)
                                                             : _("Timed out"),
                  snapshot.error->message);
      g_clear_error (&snapshot.error);
      return snapshot_status (snapshot.problem);
    }

  data = pd_camera_frame_encode (snapshot.frame, format, NULL, &error);
  if (data == NULL || !g_file_set_contents (output, g_bytes_get_data (data, NULL), (gssize) g_bytes_get_size (data), &error))
    {
      g_printerr (_("The picture could not be saved: %s\n"), error->message);
      pd_camera_frame_unref (snapshot.frame);
      return 1;
    }

  g_print (_("Saved %d × %d picture to %s\n"), pd_camera_frame_get_width (snapshot.frame),
           pd_camera_frame_get_height (snapshot.frame), output);
  pd_camera_frame_unref (snapshot.frame);

  return 0;
}

/* hms -----------------------------------------------------------------------*/

static void
add_nullable_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
print_hms_info (const PdHmsInfo *info,
                gboolean         is_print_error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *line = NULL;

  json_builder_begin_object (b);
  add_nullable_string (b, "code", info->code);
  add_nullable_string (b, "severity", is_print_error ? NULL : pd_severity_to_string (info->severity));
  add_nullable_string (b, "module", info->module);
  add_nullable_string (b, "description", info->description);
  add_nullable_string (b, "action", info->action);
  add_nullable_string (b, "url", info->url);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  line = pd_json_to_string (root, FALSE);
  g_print ("%s\n", line);
}

static int
cmd_hms (int    argc,
         char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *model = NULL;
  g_auto (GStrv)             codes = NULL;
  const PdModelInfo         *info = NULL;
  PdHmsDatabase             *database;
  gboolean                   all_valid = TRUE;
  const GOptionEntry         entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, N_("The printer model (X1C, P1S, A1 mini, H2D…): some codes have a text of their own for it"), N_("MODEL") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &codes, NULL, N_("CODE…") },
    { NULL }
  };

  context = g_option_context_new (_("CODE… — what HMS codes and print errors mean"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("A CODE is an HMS code as the printer's screen or Bambu's apps show it\n"
      "(0300_0100_0001_0007, HMS_0300-0100-0001-0007: 16 hex digits) or a print\n"
      "error (0300_400C: 8 hex digits). Prints one JSON object per code, one per\n"
      "line. The texts are the app's, with those downloaded by “Update error\n"
      "descriptions” (kept in $PRINTDECK_CACHE_DIR/hms or ~/.cache/printdeck/hms)."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (codes == NULL || codes[0] == NULL)
    {
      g_printerr (_("No codes given. See “printdeck-cli hms --help”.\n"));
      return 2;
    }
  if (model != NULL && (info = pd_model_lookup (model)) == NULL)
    {
      guint               n_models;
      const PdModelInfo  *models = pd_model_get_all (&n_models);
      g_autoptr (GString) known = g_string_new (NULL);

      for (guint i = 0; i < n_models; i++)
        g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", models[i].id);
      g_printerr (_("Unknown model “%s”. Known models: %s\n"), model, known->str);
      return 2;
    }

  for (guint i = 0; codes[i] != NULL; i++)
    if (!pd_hms_parse_code (codes[i], NULL, NULL, NULL))
      {
        /* TRANSLATORS: the codes are examples; keep them as they are */
        g_printerr (_("“%s” is not a code: an HMS code has 16 hex digits (0300_0100_0001_0007), a print error 8 (0300_400C).\n"), codes[i]);
        all_valid = FALSE;
      }
  if (!all_valid)
    return 1;

  database = pd_hms_database_get_default ();
  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autoptr (PdHmsInfo) hms = NULL;
      guint32               attr, code;
      gboolean              is_print_error;

      pd_hms_parse_code (codes[i], &attr, &code, &is_print_error);
      if (is_print_error)
        hms = pd_hms_database_lookup_print_error (database, code, info != NULL ? info->id : NULL);
      else
        hms = pd_hms_database_lookup_hms (database, attr, code, info != NULL ? info->id : NULL);
      print_hms_info (hms, is_print_error);
    }

  return 0;
}

/* demo ----------------------------------------------------------------------*/

typedef struct
{
  GMainLoop   *loop;
  GSubprocess *sim;
  GPtrArray   *sessions;
  gboolean     tty;
} Demo;

static char *
format_temperature_short (PdTemperature *temp)
{
  double current, target;

  if (temp == NULL || isnan (current = pd_temperature_get_current (temp)))
    return g_strdup ("—");

  target = pd_temperature_get_target (temp);
  if (isnan (target) || target <= 0)
    return g_strdup_printf ("%.0f°", current);

  return g_strdup_printf ("%.0f/%.0f°", current, target);
}

/* printf pads by bytes; "°" and translations need padding by characters. */
static void
print_padded (GString    *line,
              const char *text,
              int         width)
{
  long n = g_utf8_strlen (text, -1);

  g_string_append (line, text);
  for (; n < width; n++)
    g_string_append_c (line, ' ');
  g_string_append_c (line, ' ');
}

/* One line per printer, like a row of cards seen from across the room. */
static gboolean
demo_draw (gpointer data)
{
  Demo *demo = data;

  if (demo->tty)
    g_print ("\033[H\033[2J");
  g_print (_("Printdeck demo — simulated printers (Ctrl+C to stop)\n\n"));
  {
    g_autoptr (GString) header = g_string_new (NULL);

    print_padded (header, _("Printer"), 14);
    print_padded (header, _("Model"), 9);
    print_padded (header, _("Status"), 13);
    print_padded (header, _("Nozzle"), 9);
    print_padded (header, _("Bed"), 9);
    print_padded (header, _("Chamber"), 9);
    print_padded (header, _("Progress"), 20);
    g_string_append (header, _("Time left"));
    g_print ("%s\n", header->str);
  }

  for (guint i = 0; i < demo->sessions->len; i++)
    {
      PdSession       *session = g_ptr_array_index (demo->sessions, i);
      PdPrinter       *printer = pd_session_get_printer (session);
      PdJob           *job = pd_printer_get_job (printer);
      g_autofree char *nozzle = format_temperature_short (pd_printer_get_nozzle (printer));
      g_autofree char *bed = format_temperature_short (pd_printer_get_bed (printer));
      g_autofree char *chamber = format_temperature_short (pd_printer_get_chamber (printer));
      g_autofree char *progress = g_strdup ("");
      g_autofree char *left = g_strdup ("");
      const char      *status = pd_status_to_label (pd_printer_get_status (printer));
      PdStatus         st = pd_printer_get_status (printer);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED)
        status = pd_connection_to_label (pd_printer_get_connection (printer));

      if (job != NULL && (st == PD_STATUS_PRINTING || st == PD_STATUS_PAUSED || st == PD_STATUS_PREPARING))
        {
          int layer = pd_job_get_layer (job), total = pd_job_get_total_layers (job);
          int remaining = pd_job_get_remaining_minutes (job);

          g_free (progress);
          if (total > 0)
            /* TRANSLATORS: progress, then "layer X of Y" in short */
            progress = g_strdup_printf (_("%3d %% · %d/%d"), MAX (pd_job_get_progress (job), 0), layer, total);
          else
            progress = g_strdup_printf ("%3d %%", MAX (pd_job_get_progress (job), 0));
          if (remaining >= 0)
            {
              g_free (left);
              left = g_strdup_printf (_("%d h %02d min"), remaining / 60, remaining % 60);
            }
        }

      {
        g_autoptr (GString) row = g_string_new (NULL);
        const char         *model = pd_printer_get_model_name (printer);

        print_padded (row, pd_printer_get_name (printer), 14);
        print_padded (row, model != NULL ? model : "?", 9);
        print_padded (row, status, 13);
        print_padded (row, nozzle, 9);
        print_padded (row, bed, 9);
        print_padded (row, pd_printer_get_chamber (printer) != NULL ? chamber : "", 9);
        print_padded (row, progress, 20);
        g_string_append (row, left);
        g_print ("%s\n", row->str);
      }
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
demo_quit (gpointer data)
{
  g_main_loop_quit (((Demo *) data)->loop);
  return G_SOURCE_REMOVE;
}

static int
cmd_demo (int    argc,
          char **argv)
{
  g_autoptr (GOptionContext)   context = NULL;
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char             *sim = NULL;
  g_autofree char             *printers_arg = NULL;
  int                          n_printers = 4;
  double                       speed = 10;
  Demo                         demo = { 0, };
  const GOptionEntry           entries[] = {
    { "sim", 0, 0, G_OPTION_ARG_FILENAME, &sim, N_("The printdeck-sim program (default: from PATH)"), N_("PATH") },
    { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, N_("How many printers (default 4)"), N_("N") },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, N_("Simulated seconds per second (default 10)"), N_("F") },
    { NULL }
  };

  context = g_option_context_new (_("— watch simulated printers, live"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_printers < 1 || n_printers > 100)
    {
      g_printerr (_("Between 1 and 100 printers.\n"));
      return 2;
    }

  if (sim == NULL)
    sim = g_strdup (g_getenv ("PRINTDECK_SIM"));
  if (sim == NULL)
    sim = g_find_program_in_path ("printdeck-sim");
  if (sim == NULL)
    {
      g_printerr (_("printdeck-sim was not found: pass --sim PATH.\n"));
      return 2;
    }

  printers_arg = g_strdup_printf ("%d", n_printers);
  {
    g_autofree char *speed_arg = g_strdup_printf ("%g", speed);

    demo.sim = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                 sim, "--printers", printers_arg, "--models", "H2D,X1C,A1,P1P,P1S,A1MINI,X1E,H2S",
                                 "--speed", speed_arg, "--list-json", "--quit-on-eof", NULL);
  }
  if (demo.sim == NULL)
    {
      g_printerr ("%s: %s\n", sim, error->message);
      return 1;
    }

  demo.loop = g_main_loop_new (NULL, FALSE);
  demo.sessions = g_ptr_array_new_with_free_func (g_object_unref);
  demo.tty = isatty (STDOUT_FILENO);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (demo.sim));

  for (int i = 0; i < n_printers; i++)
    {
      g_autofree char       *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject            *obj;
      PdSession             *session;

      if (line == NULL || !json_parser_load_from_data (parser, line, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          g_printerr (_("The simulator did not start: %s\n"), error != NULL ? error->message : _("no printers listed"));
          g_subprocess_force_exit (demo.sim);
          return 1;
        }
      obj = json_node_get_object (json_parser_get_root (parser));

      /* the simulator's throw-away codes need no wiping */
      session = cli_session_new (json_object_get_string_member (obj, "serial"),
                                 json_object_get_string_member (obj, "name"), NULL,
                                 json_object_get_string_member (obj, "host"),
                                 (guint) json_object_get_int_member (obj, "port"),
                                 json_object_get_string_member (obj, "access_code"),
                                 json_object_get_string_member (obj, "fingerprint"));
      pd_session_start (session);
      g_ptr_array_add (demo.sessions, session);
    }

  g_timeout_add_seconds (1, demo_draw, &demo);
  g_unix_signal_add (SIGINT, demo_quit, &demo);
  g_unix_signal_add (SIGTERM, demo_quit, &demo);
  g_main_loop_run (demo.loop);

  for (guint i = 0; i < demo.sessions->len; i++)
    pd_session_stop (g_ptr_array_index (demo.sessions, i));
  g_ptr_array_unref (demo.sessions);
  g_subprocess_send_signal (demo.sim, SIGTERM);
  g_subprocess_wait (demo.sim, NULL, NULL);
  g_object_unref (demo.sim);
  g_main_loop_unref (demo.loop);

  return 0;
}

/* serve ---------------------------------------------------------------------*/

#define SERVE_DEFAULT_ADDRESS "127.0.0.1"
#define SERVE_CODE_VARIABLE   "PRINTDECK_ACCESS_CODE"
#define SERVE_TOKEN_VARIABLE  "PRINTDECK_MIRROR_TOKEN"

typedef struct _Serve Serve;

/* One --printer SERIAL@HOST[:PORT]. */
typedef struct
{
  Serve *serve;
  char  *serial;
  char  *host;
  guint  port;
  char  *name;
  char  *fingerprint;
  char  *access_code; /* wiped when freed */
} ServeTarget;

/* One printer's lines in the log. */
typedef struct
{
  PdPrinter      *printer;
  PdConnection    connection; /* as last logged */
  PdSessionReason failure;    /* logged, and not connected since */
  guint           idle_id;
} ServeLog;

struct _Serve
{
  GMainLoop      *loop;
  gboolean        stopping;      /* SIGINT or SIGTERM */
  guint           n_pending;     /* keyring lookups or the store's load under way */
  PdPrinterStore *store;         /* without --printer: the app's printers */
  GError         *load_error;    /* the store's */
  GListStore     *printers;      /* with --printer: those, as PdPrinter */
  GPtrArray      *sessions;      /* with --printer: their sessions */
  GPtrArray      *logs;          /* ServeLog */
  char           *keyring_error; /* the first lookup that failed */
  char           *token;         /* the keyring's; wiped when freed */
};

static void
serve_target_free (ServeTarget *target)
{
  g_free (target->serial);
  g_free (target->host);
  g_free (target->name);
  g_free (target->fingerprint);
  pd_secrets_code_free (target->access_code);
  g_free (target);
}

static void
serve_log_free (ServeLog *log)
{
  g_clear_handle_id (&log->idle_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (log->printer, log);
  g_object_unref (log->printer);
  g_free (log);
}

static const char *
printer_label (PdPrinter *printer)
{
  const char *name = pd_printer_get_name (printer);

  return name != NULL ? name : pd_printer_get_serial (printer);
}

static gboolean
is_host_name (const char *name)
{
  if (g_hostname_is_ip_address (name))
    return TRUE;
  if (*name == '\0' || *name == '-' || *name == '.')
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
      return FALSE;

  return TRUE;
}

/* HOST, HOST:PORT, [IPV6]:PORT or a bare IPv6 address (without a port);
 * FALSE when @text is none of them. */
static gboolean
parse_host_port (const char *text,
                 guint       default_port,
                 guint       min_port,
                 char      **host,
                 guint      *port)
{
  g_autofree char *name = NULL;
  const char      *port_text = NULL;
  const char      *colon = strchr (text, ':');
  guint64          number = default_port;

  if (text[0] == '[')
    {
      const char *end = strchr (text, ']');

      if (end == NULL)
        return FALSE;
      name = g_strndup (text + 1, (gsize) (end - text - 1));
      /* brackets hold an IPv6 address, and nothing else */
      if (strchr (name, ':') == NULL || !g_hostname_is_ip_address (name))
        return FALSE;
      if (end[1] == ':')
        port_text = end + 2;
      else if (end[1] != '\0')
        return FALSE;
    }
  else if (colon != NULL && strchr (colon + 1, ':') == NULL)
    {
      name = g_strndup (text, (gsize) (colon - text));
      port_text = colon + 1;
    }
  else if (colon != NULL)
    {
      if (!g_hostname_is_ip_address (text))
        return FALSE;
      name = g_strdup (text);
    }
  else
    name = g_strdup (text);

  if (!is_host_name (name))
    return FALSE;
  if (port_text != NULL && !g_ascii_string_to_unsigned (port_text, 10, min_port, G_MAXUINT16, &number, NULL))
    return FALSE;

  *host = g_steal_pointer (&name);
  *port = (guint) number;

  return TRUE;
}

/* A serial becomes part of an environment variable's name: letters and
 * digits only, as Bambu Lab's are. */
static gboolean
is_serial (const char *serial)
{
  if (*serial == '\0' || strlen (serial) > 64)
    return FALSE;

  for (const char *p = serial; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;

  return TRUE;
}

static ServeTarget *
find_target (GPtrArray  *targets,
             const char *serial)
{
  for (guint i = 0; i < targets->len; i++)
    {
      ServeTarget *target = g_ptr_array_index (targets, i);

      if (g_str_equal (target->serial, serial))
        return target;
    }

  return NULL;
}

/* --printer SERIAL@HOST[:PORT], each once; FALSE (and said why) on a bad one. */
static gboolean
parse_targets (Serve     *serve,
               char     **specs,
               GPtrArray *targets)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      const char      *at = strchr (specs[i], '@');
      g_autofree char *serial = at != NULL ? g_strndup (specs[i], (gsize) (at - specs[i])) : NULL;
      ServeTarget     *target;

      if (serial == NULL || !is_serial (serial))
        {
          g_printerr (_("“%s” is not a printer: give SERIAL@HOST or SERIAL@HOST:PORT (the serial in letters and digits).\n"),
                      specs[i]);
          return FALSE;
        }
      if (find_target (targets, serial) != NULL)
        {
          g_printerr (_("The printer %s is given twice.\n"), serial);
          return FALSE;
        }

      target = g_new0 (ServeTarget, 1);
      target->serve = serve;
      target->serial = g_steal_pointer (&serial);
      g_ptr_array_add (targets, target);
      if (!parse_host_port (at + 1, PD_SESSION_DEFAULT_PORT, 1, &target->host, &target->port))
        {
          g_printerr (_("“%s” is not a printer's address: give HOST, HOST:PORT or [IPv6]:PORT (port 1 to 65535).\n"),
                      at + 1);
          return FALSE;
        }
    }

  return TRUE;
}

/* --name and --fingerprint: SERIAL=VALUE, for a printer given with --printer. */
static gboolean
parse_per_printer (GPtrArray  *targets,
                   char      **specs,
                   const char *option,
                   gboolean    fingerprint)
{
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      const char      *equals = strchr (specs[i], '=');
      g_autofree char *serial = equals != NULL ? g_strndup (specs[i], (gsize) (equals - specs[i])) : NULL;
      ServeTarget     *target = serial != NULL ? find_target (targets, serial) : NULL;
      char           **value;

      if (target == NULL || equals[1] == '\0')
        {
          /* TRANSLATORS: "--name wants SERIAL=VALUE, …" */
          g_printerr (_("%s wants SERIAL=VALUE, for a printer given with --printer: “%s”\n"), option, specs[i]);
          return FALSE;
        }

      value = fingerprint ? &target->fingerprint : &target->name;
      g_free (*value);
      *value = g_strdup (equals + 1);
    }

  return TRUE;
}

static void
serve_done_one (Serve *serve)
{
  g_assert (serve->n_pending > 0);

  if (--serve->n_pending == 0)
    g_main_loop_quit (serve->loop);
}

/* Runs the loop until every lookup and load is in, or a signal came. */
static void
serve_wait (Serve *serve)
{
  if (serve->n_pending > 0 && !serve->stopping)
    g_main_loop_run (serve->loop);
}

static gboolean
serve_stop (gpointer data)
{
  Serve *serve = data;

  serve->stopping = TRUE;
  g_main_loop_quit (serve->loop);

  return G_SOURCE_CONTINUE;
}

static void
on_serve_code_looked_up (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data)
{
  ServeTarget       *target = data;
  g_autoptr (GError) error = NULL;

  target->access_code = pd_secrets_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_debug ("%s: keyring: %s", target->serial, error->message);
      if (target->serve->keyring_error == NULL)
        target->serve->keyring_error = g_strdup (error->message);
    }

  serve_done_one (target->serve);
}

/* Each printer's code from the keyring, else $PRINTDECK_ACCESS_CODE_<SERIAL>,
 * else $PRINTDECK_ACCESS_CODE; FALSE (and said which is missing) if any has none. */
static gboolean
serve_find_codes (Serve     *serve,
                  GPtrArray *targets)
{
  gboolean complete = TRUE;

  for (guint i = 0; i < targets->len; i++)
    {
      serve->n_pending++;
      pd_secrets_lookup_async (((ServeTarget *) g_ptr_array_index (targets, i))->serial, NULL,
                               on_serve_code_looked_up, g_ptr_array_index (targets, i));
    }
  serve_wait (serve);
  if (serve->stopping)
    return FALSE;

  for (guint i = 0; i < targets->len; i++)
    {
      ServeTarget     *target = g_ptr_array_index (targets, i);
      g_autofree char *variable = g_strdup_printf ("%s_%s", SERVE_CODE_VARIABLE, target->serial);
      const char      *code;

      if (target->access_code != NULL && *target->access_code != '\0')
        continue;

      if ((code = g_getenv (variable)) == NULL || *code == '\0')
        code = g_getenv (SERVE_CODE_VARIABLE);
      if (code != NULL && *code != '\0')
        {
          pd_secrets_code_free (target->access_code);
          target->access_code = g_strdup (code);
          continue;
        }

      /* TRANSLATORS: "<serial>: no access code. Set PRINTDECK_ACCESS_CODE_<serial>, …" */
      g_printerr (_("%s: no access code. Set %s, or add the printer in Printdeck to keep its code in the keyring.\n"),
                  target->serial, variable);
      complete = FALSE;
    }

  if (!complete && serve->keyring_error != NULL)
    g_printerr (_("The keyring could not be asked: %s\n"), serve->keyring_error);

  return complete;
}

static void
on_serve_token_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  Serve             *serve = data;
  g_autoptr (GError) error = NULL;

  serve->token = pd_secrets_lookup_mirror_token_finish (result, &error);
  if (error != NULL)
    {
      g_debug ("mirror token: keyring: %s", error->message);
      if (serve->keyring_error == NULL)
        serve->keyring_error = g_strdup (error->message);
    }

  serve_done_one (serve);
}

/* The mirror's token: $PRINTDECK_MIRROR_TOKEN, else the app's from the
 * keyring, else a new one for this run (and said so). */
static char *
serve_find_token (Serve *serve)
{
  const char *token = g_getenv (SERVE_TOKEN_VARIABLE);

  if (token != NULL && *token != '\0')
    return g_strdup (token);

  serve->n_pending++;
  pd_secrets_lookup_mirror_token_async (NULL, on_serve_token_looked_up, serve);
  serve_wait (serve);
  if (serve->token != NULL && *serve->token != '\0')
    return g_steal_pointer (&serve->token);
  if (serve->stopping)
    return NULL;

  g_printerr (_("No mirror token in %s or the keyring: using a new one for this run.\n"), SERVE_TOKEN_VARIABLE);
  if (serve->keyring_error != NULL)
    g_printerr (_("The keyring could not be asked: %s\n"), serve->keyring_error);

  return pd_mirror_generate_token ();
}

static void
on_serve_store_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      data)
{
  Serve *serve = data;

  pd_printer_store_load_finish (PD_PRINTER_STORE (source), result, &serve->load_error);
  serve_done_one (serve);
}

static void
on_serve_keyring_error (PdPrinterStore *store,
                        GParamSpec     *pspec,
                        Serve          *serve)
{
  const char *message = pd_printer_store_get_keyring_error (store);

  if (message != NULL)
    g_printerr (_("The keyring could not be asked: %s\n"), message);
}

/* After both the connection and its reason changed (the session sets the
 * reason first, the store last). */
static gboolean
serve_log_connection (gpointer data)
{
  ServeLog        *log = data;
  PdConnection     connection = pd_printer_get_connection (log->printer);
  PdSessionReason  reason = pd_printer_get_connection_reason (log->printer);
  g_autofree char *line = NULL;

  log->idle_id = 0;

  /* A printer that stays away (switched off for the night) is tried again
   * every half minute: its failure is logged once, not every attempt. */
  switch (connection)
    {
    case PD_CONNECTION_CONNECTED:
      if (log->connection == connection)
        return G_SOURCE_REMOVE;
      log->failure = PD_SESSION_REASON_NONE;
      break;
    case PD_CONNECTION_CONNECTING:
      if (log->connection == connection || log->failure != PD_SESSION_REASON_NONE)
        return G_SOURCE_REMOVE;
      break;
    case PD_CONNECTION_DISCONNECTED:
      if (log->connection == connection && log->failure == reason)
        return G_SOURCE_REMOVE;
      log->failure = reason;
      break;
    case PD_CONNECTION_NONE:
    default:
      return G_SOURCE_REMOVE;
    }

  log->connection = connection;
  line = describe_connection (connection, reason);
  g_printerr ("%s: %s\n", printer_label (log->printer), line);

  return G_SOURCE_REMOVE;
}

static void
on_serve_connection (PdPrinter  *printer,
                     GParamSpec *pspec,
                     ServeLog   *log)
{
  if (log->idle_id == 0)
    log->idle_id = g_idle_add (serve_log_connection, log);
}

/* --printer printers pin on first use, as watch does; the app's printers
 * are pinned by the store, which keeps the fingerprint in printers.ini. */
static void
on_serve_pinned (PdSession  *session,
                 GParamSpec *pspec,
                 gpointer    data)
{
  PdPrinter  *printer = pd_session_get_printer (session);
  const char *fingerprint = pd_session_get_pinned_fingerprint (session);
  gboolean    hint = GPOINTER_TO_INT (data);

  if (fingerprint == NULL)
    return;

  g_printerr (_("%s: the printer's certificate cannot be checked against Bambu Lab's; pinned it: %s\n"),
              printer_label (printer), fingerprint);
  if (hint)
    g_printerr (_("Pass --fingerprint %s=%s to require it next time.\n"), pd_printer_get_serial (printer), fingerprint);
}

static void
serve_follow (Serve     *serve,
              PdSession *session,
              gboolean   hint)
{
  ServeLog *log = g_new0 (ServeLog, 1);

  log->printer = g_object_ref (pd_session_get_printer (session));
  log->connection = pd_printer_get_connection (log->printer);
  g_signal_connect (log->printer, "notify::connection", G_CALLBACK (on_serve_connection), log);
  g_signal_connect (log->printer, "notify::connection-reason", G_CALLBACK (on_serve_connection), log);
  g_ptr_array_add (serve->logs, log);

  g_signal_connect (session, "notify::pinned-fingerprint", G_CALLBACK (on_serve_pinned), GINT_TO_POINTER (hint));
}

static void
serve_unfollow (PdSession *session)
{
  g_signal_handlers_disconnect_matched (session, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_serve_pinned, NULL);
}

/* What people open: the address listened on, or for 0.0.0.0 and :: the
 * machine's own (loopback first); link-local ones would need a zone. */
static GPtrArray *
serve_hosts (const char *address)
{
  GPtrArray               *hosts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GInetAddress) any = g_inet_address_new_from_string (address);
  GSocketFamily            family;
  struct ifaddrs          *list;

  if (any == NULL || !g_inet_address_get_is_any (any) || getifaddrs (&list) != 0)
    {
      g_ptr_array_add (hosts, g_strdup (address));
      return hosts;
    }

  family = g_inet_address_get_family (any);
  for (int loopback = 1; loopback >= 0; loopback--)
    for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
      {
        g_autoptr (GSocketAddress) socket_address = NULL;
        GInetAddress              *inet;
        char                      *text;
        gsize                      size;

        if (ifa->ifa_addr == NULL || (ifa->ifa_flags & IFF_UP) == 0 ||
            ((ifa->ifa_flags & IFF_LOOPBACK) != 0) != loopback)
          continue;
        if (ifa->ifa_addr->sa_family == AF_INET)
          size = sizeof (struct sockaddr_in);
        else if (ifa->ifa_addr->sa_family == AF_INET6 && family == G_SOCKET_FAMILY_IPV6)
          size = sizeof (struct sockaddr_in6);
        else
          continue;

        socket_address = g_socket_address_new_from_native (ifa->ifa_addr, size);
        if (socket_address == NULL)
          continue;
        inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address));
        if (g_inet_address_get_is_link_local (inet))
          continue;

        text = g_inet_address_to_string (inet);
        if (g_ptr_array_find_with_equal_func (hosts, text, g_str_equal, NULL))
          g_free (text);
        else
          g_ptr_array_add (hosts, text);
      }
  freeifaddrs (list);

  if (hosts->len == 0)
    g_ptr_array_add (hosts, g_strdup (address));

  return hosts;
}

static void
serve_usage_hint (void)
{
  g_printerr (_("See “printdeck-cli serve --help”.\n"));
}

static int
cmd_serve (int    argc,
           char **argv)
{
  g_autoptr (GOptionContext)  context = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (GPtrArray)       targets = g_ptr_array_new_with_free_func ((GDestroyNotify) serve_target_free);
  g_autoptr (GPtrArray)       hosts = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (PdMirrorServer)  server = NULL;
  g_autofree char            *listen = NULL;
  g_autofree char            *address = NULL;
  g_autofree char            *tls_cert = NULL;
  g_autofree char            *tls_key = NULL;
  g_autofree char            *token = NULL;
  g_auto (GStrv)              printer_specs = NULL;
  g_auto (GStrv)              name_specs = NULL;
  g_auto (GStrv)              fingerprint_specs = NULL;
  GListModel                 *model;
  guint                       port = PD_MIRROR_DEFAULT_PORT;
  guint                       sigint_id, sigterm_id;
  guint                       n_printers;
  int                         status = 0;
  Serve                       serve = { 0, };
  const GOptionEntry          entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, N_("Listen on this address and port (default 127.0.0.1:8765; 0.0.0.0:PORT or [::]:PORT for every network, port 0 for any free one)"), N_("ADDRESS:PORT") },
    { "printer", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &printer_specs, N_("Mirror this printer instead of the app's (repeatable; port 8883 by default)"), N_("SERIAL@HOST[:PORT]") },
    { "name", 'n', 0, G_OPTION_ARG_STRING_ARRAY, &name_specs, N_("The name shown for a --printer printer (default: its serial)"), N_("SERIAL=NAME") },
    { "fingerprint", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &fingerprint_specs, N_("Require a --printer printer's certificate to have this SHA-256 fingerprint"), N_("SERIAL=SHA256") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("Serve HTTPS and wss:// with this certificate (PEM; with --tls-key)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The certificate's private key (PEM)"), N_("FILE") },
    { NULL }
  };

  context = g_option_context_new (_("— mirror the printers' live state to browsers and scripts"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Runs the mirror of the app's Preferences without the app (docs/mirror-protocol.md):\n"
      "a web page, a WebSocket and /api/printers, read-only, until SIGINT or SIGTERM.\n"
      "\n"
      "Without --printer it mirrors the printers added in Printdeck ($PRINTDECK_CONFIG_DIR\n"
      "or ~/.config/printdeck), with their access codes from the keyring. With --printer\n"
      "it mirrors those only and reads no configuration; each access code comes from the\n"
      "keyring, else $PRINTDECK_ACCESS_CODE_<SERIAL>, else $PRINTDECK_ACCESS_CODE.\n"
      "\n"
      "The access token is $PRINTDECK_MIRROR_TOKEN when set, else the app's from the\n"
      "keyring, else one made for this run. It is printed only inside the addresses to\n"
      "open (“Mirror: http://…/?token=…”), on standard output; connection changes go to\n"
      "standard error.\n"
      "Exit status: 0 stopped by a signal; 1 failed; 2 wrong use or no access code."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      serve_usage_hint ();
      return 2;
    }
  if (argc > 1)
    {
      g_printerr (_("Unexpected argument “%s”.\n"), argv[1]);
      serve_usage_hint ();
      return 2;
    }
  if (!parse_host_port (listen != NULL ? listen : SERVE_DEFAULT_ADDRESS, PD_MIRROR_DEFAULT_PORT, 0, &address, &port) ||
      !g_hostname_is_ip_address (address))
    {
      g_printerr (_("“%s” is not an address to listen on: give IP:PORT, e.g. 127.0.0.1:8765, 0.0.0.0:8765 or [::]:8765 (port 0 to 65535).\n"),
                  listen);
      serve_usage_hint ();
      return 2;
    }
  if (!parse_targets (&serve, printer_specs, targets) ||
      !parse_per_printer (targets, name_specs, "--name", FALSE) ||
      !parse_per_printer (targets, fingerprint_specs, "--fingerprint", TRUE))
    {
      serve_usage_hint ();
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr (_("--tls-cert and --tls-key go together.\n"));
      serve_usage_hint ();
      return 2;
    }
  if (tls_cert != NULL && (certificate = g_tls_certificate_new_from_files (tls_cert, tls_key, &error)) == NULL)
    {
      g_printerr (_("The TLS certificate cannot be used: %s\n"), error->message);
      return 1;
    }

  /* A log, read as it is written (a pipe, the journal). */
  setvbuf (stdout, NULL, _IOLBF, 0);

  serve.loop = g_main_loop_new (NULL, FALSE);
  serve.logs = g_ptr_array_new_with_free_func ((GDestroyNotify) serve_log_free);
  sigint_id = g_unix_signal_add (SIGINT, serve_stop, &serve);
  sigterm_id = g_unix_signal_add (SIGTERM, serve_stop, &serve);

  if (targets->len > 0)
    {
      if (!serve_find_codes (&serve, targets))
        {
          status = serve.stopping ? 0 : 2;
          goto out;
        }

      serve.printers = g_list_store_new (PD_TYPE_PRINTER);
      serve.sessions = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; i < targets->len; i++)
        {
          ServeTarget *target = g_ptr_array_index (targets, i);
          PdSession   *session = cli_session_new (target->serial, target->name != NULL ? target->name : target->serial,
                                                  NULL, target->host, target->port, target->access_code,
                                                  target->fingerprint);

          g_clear_pointer (&target->access_code, pd_secrets_code_free);
          g_ptr_array_add (serve.sessions, session);
          g_list_store_append (serve.printers, pd_session_get_printer (session));
        }
      model = G_LIST_MODEL (serve.printers);
    }
  else
    {
      /* Where the app finds them (pd-application.c). */
      serve.store = pd_printer_store_new (g_getenv ("PRINTDECK_CONFIG_DIR"), g_getenv ("PRINTDECK_CACHE_DIR"));
      model = G_LIST_MODEL (serve.store);
    }

  if ((token = serve_find_token (&serve)) == NULL)
    goto out;
  server = pd_mirror_server_new (model);
  pd_mirror_server_set_token (server, token);
  if (certificate != NULL)
    pd_mirror_server_set_tls_certificate (server, certificate);

  /* Listening first: a port that is taken costs no printer connection
   * (printers take only a few). */
  if (!pd_mirror_server_start (server, address, port, &error))
    {
      g_printerr (_("The mirror cannot listen on %s: %s\n"), listen != NULL ? listen : SERVE_DEFAULT_ADDRESS,
                  error->message);
      status = 1;
      goto out;
    }

  if (serve.store != NULL)
    {
      serve.n_pending++;
      pd_printer_store_load_async (serve.store, NULL, on_serve_store_loaded, &serve);
      serve_wait (&serve);
      if (serve.stopping)
        goto out;
      if (serve.load_error != NULL)
        {
          g_printerr (_("The app's printers cannot be read: %s\n"), serve.load_error->message);
          status = 1;
          goto out;
        }
      g_signal_connect (serve.store, "notify::keyring-error", G_CALLBACK (on_serve_keyring_error), &serve);
    }

  n_printers = g_list_model_get_n_items (model);
  if (n_printers == 0)
    {
      g_printerr (_("No printers: add them in Printdeck, or give --printer SERIAL@HOST.\n"));
      status = 1;
      goto out;
    }

  hosts = serve_hosts (address);
  for (guint i = 0; i < hosts->len; i++)
    {
      g_autofree char *url = pd_mirror_server_dup_url (server, g_ptr_array_index (hosts, i));

      /* TRANSLATORS: the address to open in a browser, token included */
      g_print (_("Mirror: %s\n"), url);
    }
  g_print (ngettext ("Mirroring %u printer.\n", "Mirroring %u printers.\n", n_printers), n_printers);

  for (guint i = 0; i < n_printers; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (serve.store != NULL)
        serve_follow (&serve, pd_printer_store_get_session (serve.store, printer), FALSE);
      else
        {
          PdSession *session = g_ptr_array_index (serve.sessions, i);

          serve_follow (&serve, session, pd_session_get_pinned_fingerprint (session) == NULL);
          pd_session_start (session);
        }
    }

  g_main_loop_run (serve.loop);

out:
  if (server != NULL)
    pd_mirror_server_stop (server);
  /* Quietly: "Disconnected: Stopped" for each printer says nothing. */
  g_clear_pointer (&serve.logs, g_ptr_array_unref);
  if (serve.store != NULL)
    {
      g_signal_handlers_disconnect_by_data (serve.store, &serve);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (serve.store)); i++)
        {
          g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (serve.store), i);

          serve_unfollow (pd_printer_store_get_session (serve.store, printer));
        }
      pd_printer_store_shutdown (serve.store);
    }
  for (guint i = 0; serve.sessions != NULL && i < serve.sessions->len; i++)
    {
      PdSession *session = g_ptr_array_index (serve.sessions, i);

      serve_unfollow (session);
      pd_session_stop (session);
    }
  g_clear_object (&server);
  g_clear_pointer (&serve.sessions, g_ptr_array_unref);
  g_clear_object (&serve.printers);
  g_clear_object (&serve.store);
  g_clear_error (&serve.load_error);
  g_free (serve.keyring_error);
  pd_secrets_code_free (serve.token);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_main_loop_unref (serve.loop);
  if (token != NULL)
    memset (token, 0, strlen (token));

  if (status == 0 && serve.stopping)
    g_printerr (_("Stopped.\n"));

  return status;
}

/* bridge-config -------------------------------------------------------------*/

/* Where the files go on a Debian broker; the configuration names them there. */
#define BRIDGE_DEFAULT_CAFILE        "/etc/mosquitto/ca_certificates/bambu-lab.pem"
#define BRIDGE_DEFAULT_PASSWORD_FILE "/etc/mosquitto/printdeck.passwd"
#define BRIDGE_DEFAULT_ACL_FILE      "/etc/mosquitto/printdeck.acl"
#define BRIDGE_DEFAULT_CERT_FILE     "/etc/mosquitto/certs/printdeck-bridge.crt"
#define BRIDGE_DEFAULT_KEY_FILE      "/etc/mosquitto/certs/printdeck-bridge.key"
#define BRIDGE_DEFAULT_USER          "printdeck"
#define BRIDGE_TEMPLATE_PORT         8883
#define BRIDGE_CODE_VARIABLE         "PRINTDECK_ACCESS_CODE"
#define BRIDGE_CA_RESOURCE           "/io/github/printdeck/Printdeck/certs/"

typedef struct _BridgeLookups BridgeLookups;

/* A printer that Printdeck reaches directly: it gets a bridge. */
typedef struct
{
  BridgeLookups *lookups;
  char          *serial;
  char          *name; /* nullable */
  char          *host;
  guint          port;
  char          *code; /* wiped when freed */
} BridgePrinter;

struct _BridgeLookups
{
  GMainLoop *loop;
  guint      n_pending;
  char      *keyring_error; /* the first lookup that failed */
};

typedef struct
{
  gboolean    by_serial; /* --verify serial: the certificate's name is checked too */
  const char *cafile;
  gboolean    listener;  /* --listener-port given: a listener, not a template */
  const char *listener_address;
  guint       listener_port;
  const char *password_file;
  const char *acl_file;
  const char *tls_cert;
  const char *tls_key;
  const char *user;
} BridgeOptions;

static void
bridge_printer_free (BridgePrinter *printer)
{
  g_free (printer->serial);
  g_free (printer->name);
  g_free (printer->host);
  pd_secrets_code_free (printer->code);
  g_free (printer);
}

/* The app's own folder (pd-application.c): $PRINTDECK_CONFIG_DIR, else
 * ~/.config/printdeck. */
static char *
bridge_config_file (void)
{
  const char *dir = g_getenv ("PRINTDECK_CONFIG_DIR");

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, "printers.ini", NULL);

  return g_build_filename (g_get_user_config_dir (), "printdeck", "printers.ini", NULL);
}

/* mosquitto reads a value to the end of its line, without the blanks at
 * either end: nothing that would end the line early (and start another
 * directive) or lose a blank may go into one. Access codes have no blanks
 * at all. */
static gboolean
bridge_value_is_safe (const char *value,
                      gboolean    blanks)
{
  gsize length = strlen (value);

  if (length == 0 || value[0] == ' ' || value[length - 1] == ' ')
    return FALSE;

  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    if (*p < 0x20 || *p == 0x7F || (!blanks && (*p == ' ' || *p > 0x7F)))
      return FALSE;

  return TRUE;
}

/* The printers of printers.ini that Printdeck reaches directly, read from
 * the app's file without a PdPrinterStore: loading one would connect to
 * every printer, and a printer takes only a few clients. Printers read
 * through a bridge already, or not in @wanted (when given), are left out;
 * @seen gets every serial found. */
static gboolean
bridge_read_printers (const char *path,
                      GHashTable *wanted,
                      GHashTable *seen,
                      GPtrArray  *printers)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();
  g_autoptr (GError)   error = NULL;
  g_auto (GStrv)       groups = NULL;

  if (!g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error))
    {
      /* No file: no printers added yet, said by the caller. */
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_printerr (_("The app's printers cannot be read from %s: %s\n"), path, error->message);
      return FALSE;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr (PdPrinterConfig) config = NULL;
      g_autoptr (GError)          invalid = NULL;
      BridgePrinter              *printer;
      const char                 *serial;

      if (!g_str_has_prefix (groups[i], PD_PRINTER_CONFIG_GROUP_PREFIX))
        continue;
      serial = groups[i] + strlen (PD_PRINTER_CONFIG_GROUP_PREFIX);
      if (wanted != NULL && !g_hash_table_contains (wanted, serial))
        continue;
      g_hash_table_add (seen, g_strdup (serial));

      config = pd_printer_config_new_from_key_file (keyfile, groups[i], &invalid);
      if (config == NULL)
        {
          /* TRANSLATORS: "<serial>: left out: <what is wrong in its settings>" */
          g_printerr (_("%s: left out: %s\n"), serial, invalid->message);
          continue;
        }
      /* Its keyring entry is a bridge's password, not the printer's code. */
      if (config->bridge_user != NULL)
        {
          g_printerr (_("%s: left out: Printdeck reads it through a bridge already.\n"), serial);
          continue;
        }

      printer = g_new0 (BridgePrinter, 1);
      printer->serial = g_strdup (serial);
      printer->name = g_steal_pointer (&config->name);
      printer->host = g_steal_pointer (&config->host);
      printer->port = config->port;
      g_ptr_array_add (printers, printer);
    }

  return TRUE;
}

static void
on_bridge_code_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      data)
{
  BridgePrinter     *printer = data;
  BridgeLookups     *lookups = printer->lookups;
  g_autoptr (GError) error = NULL;

  printer->code = pd_secrets_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_debug ("%s: keyring: %s", printer->serial, error->message);
      if (lookups->keyring_error == NULL)
        lookups->keyring_error = g_strdup (error->message);
    }

  if (--lookups->n_pending == 0)
    g_main_loop_quit (lookups->loop);
}

/* Each printer's code from the keyring, else $PRINTDECK_ACCESS_CODE_<SERIAL>
 * (a broker's machine may have no keyring); FALSE (and said which) if any has
 * none, or one a configuration line cannot hold. */
static gboolean
bridge_find_codes (GPtrArray *printers)
{
  BridgeLookups lookups = { 0, };
  gboolean      complete = TRUE;

  lookups.loop = g_main_loop_new (NULL, FALSE);
  for (guint i = 0; i < printers->len; i++)
    {
      BridgePrinter *printer = g_ptr_array_index (printers, i);

      printer->lookups = &lookups;
      lookups.n_pending++;
      pd_secrets_lookup_async (printer->serial, NULL, on_bridge_code_looked_up, printer);
    }
  if (lookups.n_pending > 0)
    g_main_loop_run (lookups.loop);
  g_main_loop_unref (lookups.loop);

  for (guint i = 0; i < printers->len; i++)
    {
      BridgePrinter   *printer = g_ptr_array_index (printers, i);
      g_autofree char *variable = g_strdup_printf ("%s_%s", BRIDGE_CODE_VARIABLE, printer->serial);
      const char      *code;

      printer->lookups = NULL;
      if ((printer->code == NULL || *printer->code == '\0') &&
          (code = g_getenv (variable)) != NULL && *code != '\0')
        {
          pd_secrets_code_free (printer->code);
          printer->code = g_strdup (code);
        }

      if (printer->code == NULL || *printer->code == '\0')
        {
          /* TRANSLATORS: "<serial>: no access code in the keyring or in PRINTDECK_ACCESS_CODE_<serial>." */
          g_printerr (_("%s: no access code in the keyring or in %s.\n"), printer->serial, variable);
          complete = FALSE;
        }
      else if (!bridge_value_is_safe (printer->code, FALSE))
        {
          g_printerr (_("%s: the access code has blanks or other characters a mosquitto configuration cannot hold.\n"),
                      printer->serial);
          complete = FALSE;
        }
    }

  if (!complete && lookups.keyring_error != NULL)
    g_printerr (_("The keyring could not be asked: %s\n"), lookups.keyring_error);
  g_free (lookups.keyring_error);

  return complete;
}

/* @text as comment lines: each of its lines (a translation may break them
 * anywhere) behind "#", control characters (a printer's name may hold
 * anything) made blanks, so that none of it is ever read as a directive. */
static void
bridge_comment (GString    *out,
                const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_string_append (out, *lines[i] != '\0' ? "# " : "#");
      for (const guchar *p = (const guchar *) lines[i]; *p != '\0'; p++)
        g_string_append_c (out, *p < 0x20 || *p == 0x7F ? ' ' : (char) *p);
      g_string_append_c (out, '\n');
    }
}

/* "connection" blocks, one per printer: what mosquitto needs to hold the
 * printer's one MQTT connection and pass its two topics. */
static void
bridge_write_printer (GString             *out,
                      const BridgePrinter *printer,
                      const BridgeOptions *options)
{
  g_autofree char *title = NULL;

  /* TRANSLATORS: a comment above a printer's bridge: "<name> (<serial> at <address>:<port>)" */
  title = g_strdup_printf (_("%s (%s at %s:%u)"), printer->name != NULL ? printer->name : printer->serial,
                           printer->serial, printer->host, printer->port);
  g_string_append_c (out, '\n');
  bridge_comment (out, title);
  g_string_append_printf (out, "connection printdeck-%s\n", printer->serial);
  g_string_append_printf (out, "address %s:%u\n", options->by_serial ? printer->serial : printer->host, printer->port);
  g_string_append (out, "bridge_protocol_version mqttv311\n");
  g_string_append_printf (out, "bridge_cafile %s\n", options->cafile);
  g_string_append_printf (out, "bridge_insecure %s\n", options->by_serial ? "false" : "true");
  g_string_append (out, "bridge_tls_version tlsv1.2\n");
  g_string_append (out, "remote_username bblp\n");
  g_string_append_printf (out, "remote_password %s\n", printer->code);
  g_string_append (out,
                   "try_private false\n"
                   "cleansession true\n"
                   "keepalive_interval 30\n"
                   "restart_timeout 5 60\n"
                   "start_type automatic\n"
                   "notifications true\n"
                   "notifications_local_only true\n"
                   "bridge_attempt_unsubscribe false\n");
  g_string_append_printf (out, "topic device/%s/report in 0\n", printer->serial);
  g_string_append_printf (out, "topic device/%s/request out 1\n", printer->serial);
}

/* The desktops' listener: written as is with --listener-port, else as a
 * template in comments (the broker may have a listener of its own). */
static void
bridge_write_listener (GString             *out,
                       const BridgeOptions *options)
{
  g_autoptr (GString) section = g_string_new (NULL);
  g_autofree char    *help = NULL;
  const char         *prefix = options->listener ? "" : "#";
  gboolean            tls = options->tls_cert != NULL;

  help = g_strdup_printf (_("The listener the Printdeck desktops and mirrors read from. Each desktop adds\n"
                            "the printers (“Add Printer”, “Port and Farm Bridge”) with this machine as the\n"
                            "address, this listener's port, “%s” as the bridge user name and its password\n"
                            "as the access code; “Bridge Uses TLS” on when certfile and keyfile are set.\n"
                            "Make the password file with:\n"
                            "  mosquitto_passwd -c %s %s\n"
                            "With acl_file, a file with these three lines lets the desktops read the\n"
                            "printers' reports and send them commands, and nothing else:\n"
                            "  user %s\n"
                            "  topic read device/+/report\n"
                            "  topic write device/+/request"),
                          options->user, options->password_file, options->user, options->user);
  g_string_append_c (out, '\n');
  bridge_comment (out, help);

  if (options->listener_address != NULL)
    g_string_append_printf (section, "%slistener %u %s\n", prefix, options->listener ? options->listener_port : BRIDGE_TEMPLATE_PORT,
                            options->listener_address);
  else
    g_string_append_printf (section, "%slistener %u\n", prefix, options->listener ? options->listener_port : BRIDGE_TEMPLATE_PORT);
  g_string_append_printf (section, "%sallow_anonymous false\n", prefix);
  g_string_append_printf (section, "%spassword_file %s\n", prefix, options->password_file);
  g_string_append_printf (section, "%sacl_file %s\n", options->acl_file != NULL ? prefix : "#",
                          options->acl_file != NULL ? options->acl_file : BRIDGE_DEFAULT_ACL_FILE);
  /* Without a certificate the lines stay comments: the password would
   * otherwise go over the network readable, which the warning says. */
  g_string_append_printf (section, "%scertfile %s\n", tls ? prefix : "#", tls ? options->tls_cert : BRIDGE_DEFAULT_CERT_FILE);
  g_string_append_printf (section, "%skeyfile %s\n", tls ? prefix : "#", tls ? options->tls_key : BRIDGE_DEFAULT_KEY_FILE);
  g_string_append_printf (section, "%stls_version tlsv1.2\n", tls ? prefix : "#");
  g_string_append (out, section->str);
}

static char *
bridge_render (GPtrArray           *printers,
               const BridgeOptions *options)
{
  GString *out = g_string_new (NULL);

  bridge_comment (out, _("Printdeck's farm bridge for mosquitto 2.0, written by “printdeck-cli bridge-config”."));
  g_string_append (out, "#\n");
  bridge_comment (out, _("THIS FILE HOLDS THE PRINTERS' ACCESS CODES: whoever reads it can control the\n"
                         "printers. Keep it readable by mosquitto only, e.g.\n"
                         "  chown mosquitto:mosquitto FILE && chmod 600 FILE"));
  g_string_append (out, "#\n");
  bridge_comment (out, _("One bridge (“connection”) per printer: this broker holds the one MQTT\n"
                         "connection each printer gets, and any number of Printdeck desktops and\n"
                         "mirrors read through it (Printdeck's docs/farms.md explains it all).\n"
                         "Each bridge's state (1 connected, 0 not) is published on this broker,\n"
                         "retained, at $SYS/broker/connection/<host name>.printdeck-<serial>/state."));
  g_string_append (out, "#\n");
  if (options->by_serial)
    {
      bridge_comment (out, _("Each bridge reaches its printer by the printer's serial number, the name its\n"
                             "certificate carries, so that mosquitto checks the certificate fully: signed\n"
                             "by a CA in bridge_cafile, and issued to that printer. The serial numbers\n"
                             "must therefore resolve to the printers' addresses on this machine, e.g. with\n"
                             "these lines in /etc/hosts:"));
      g_string_append (out, "#\n");
      for (guint i = 0; i < printers->len; i++)
        {
          const BridgePrinter *printer = g_ptr_array_index (printers, i);
          g_autofree char     *address = NULL;
          g_autofree char     *line = NULL;

          if (g_hostname_is_ip_address (printer->host))
            address = g_strdup (printer->host);
          else
            /* TRANSLATORS: stands for an IP address in an /etc/hosts line, e.g. "<the address of printer1.lan>" */
            address = g_strdup_printf (_("<the address of %s>"), printer->host);
          line = g_strdup_printf ("  %s  %s", address, printer->serial);
          bridge_comment (out, line);
        }
    }
  else
    bridge_comment (out, _("Each bridge reaches its printer by its address. A printer's certificate names\n"
                           "its serial number, not its address, so mosquitto's host name check is off\n"
                           "(bridge_insecure true): it still requires a certificate signed by a CA in\n"
                           "bridge_cafile, but a certificate of any printer that CA signed would pass.\n"
                           "“--verify serial” checks the name too."));
  g_string_append (out, "#\n");
  bridge_comment (out, _("The printers speak MQTT 3.1.1 over TLS 1.2. The bridge subscribes only to\n"
                         "the printer's report topic: some printers drop a client that subscribes to\n"
                         "their request topic, so that topic only goes out (and is never unsubscribed\n"
                         "from); commands go out at QoS 1, as printers may ignore QoS 0 commands while\n"
                         "busy. A printer is not a mosquitto: no bridge handshake (try_private), no\n"
                         "notifications sent to it. Clean sessions; a lost connection is retried after\n"
                         "5 s, backing off to 60 s, as a printer may keep a dropped client's slot."));

  for (guint i = 0; i < printers->len; i++)
    bridge_write_printer (out, g_ptr_array_index (printers, i), options);

  bridge_write_listener (out, options);

  return g_string_free (out, FALSE);
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }

  return TRUE;
}

/* Writes @data to a new file @path that is never more open than @mode, not
 * even while it is written: created with O_EXCL (an existing file is
 * refused, G_IO_ERROR_EXISTS) or, with @replace, written beside it and
 * renamed over it. A failure leaves nothing behind. */
static gboolean
write_new_file (const char *path,
                const char *data,
                gsize       length,
                mode_t      mode,
                gboolean    replace,
                GError    **error)
{
  g_autofree char *tmp = NULL;
  const char      *written;
  int              fd;
  int              saved;

  if (replace)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *name = g_strdup_printf (".%s.XXXXXX", base);

      tmp = g_build_filename (dir, name, NULL);
      fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, (int) mode);
      written = tmp;
    }
  else
    {
      fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
      written = path;
    }

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }

  /* The umask can only take permissions away; a default ACL on the folder
   * could add some, which fchmod() takes back before the first byte. */
  if (fchmod (fd, mode) != 0 || !write_all (fd, data, length) || fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      unlink (written);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (close (fd) != 0 || (tmp != NULL && rename (tmp, path) != 0))
    {
      saved = errno;
      unlink (written);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

/* Bambu Lab's roots and per-model intermediates, as the app checks printers
 * against them (pd-cert-policy.c): one PEM file for bridge_cafile. */
static gboolean
bridge_write_cafile (const char *path,
                     gboolean    replace,
                     GError    **error)
{
  static const char *const names[] = { "bbl_printer_ca_bundle.pem", "bbl_device_intermediate_cas.pem" };
  g_autoptr (GString)      pem = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char   *resource = g_strconcat (BRIDGE_CA_RESOURCE, names[i], NULL);
      g_autoptr (GBytes) data = g_resource_lookup_data (pd_core_get_resource (), resource, 0, error);

      if (data == NULL)
        return FALSE;
      g_string_append_len (pem, g_bytes_get_data (data, NULL), (gssize) g_bytes_get_size (data));
      if (pem->len > 0 && pem->str[pem->len - 1] != '\n')
        g_string_append_c (pem, '\n');
    }

  /* Certificates are public: readable by all, mosquitto included. */
  return write_new_file (path, pem->str, pem->len, 0644, replace, error);
}

static void
bridge_usage_hint (void)
{
  g_printerr (_("See “printdeck-cli bridge-config --help”.\n"));
}

/* --cafile and the like end up on configuration lines, as paths on the
 * broker: mosquitto would resolve a relative one against its own folder. */
static gboolean
bridge_check_path (const char *option,
                   const char *path)
{
  if (path == NULL)
    return TRUE;

  if (!bridge_value_is_safe (path, TRUE))
    {
      /* TRANSLATORS: "--cafile: “<path>” cannot go into a mosquitto configuration …" */
      g_printerr (_("%s: “%s” cannot go into a mosquitto configuration (blanks at either end, or control characters).\n"),
                  option, path);
      return FALSE;
    }
  if (!g_path_is_absolute (path))
    {
      /* TRANSLATORS: "--cafile: give the whole path of “<path>” …" */
      g_printerr (_("%s: give the whole path of “%s”, as the broker will find it.\n"), option, path);
      return FALSE;
    }

  return TRUE;
}

static int
cmd_bridge_config (int    argc,
                   char **argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autoptr (GPtrArray)      printers = g_ptr_array_new_with_free_func ((GDestroyNotify) bridge_printer_free);
  g_autoptr (GHashTable)     wanted = NULL;
  g_autoptr (GHashTable)     seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char           *output = NULL;
  g_autofree char           *verify = NULL;
  g_autofree char           *cafile = NULL;
  g_autofree char           *write_cafile = NULL;
  g_autofree char           *listener_address = NULL;
  g_autofree char           *password_file = NULL;
  g_autofree char           *acl_file = NULL;
  g_autofree char           *tls_cert = NULL;
  g_autofree char           *tls_key = NULL;
  g_autofree char           *user = NULL;
  g_autofree char           *config_file = NULL;
  g_auto (GStrv)             only = NULL;
  char                      *text = NULL;
  gboolean                   force = FALSE;
  gboolean                   to_stdout;
  int                        listener_port = -1; /* not given */
  int                        status = 0;
  BridgeOptions              options = { 0, };
  const GOptionEntry         entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the configuration to FILE, created readable by you only (“-”: standard output, when it is not a terminal)"), N_("FILE") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace FILE (and --write-cafile's) if it exists"), NULL },
    { "printer", 'p', 0, G_OPTION_ARG_STRING_ARRAY, &only, N_("Only this printer (repeatable; default: every printer Printdeck reaches directly)"), N_("SERIAL") },
    { "verify", 0, 0, G_OPTION_ARG_STRING, &verify, N_("How the bridges check the printers' certificates: “serial” (default: the CA and the name; the serial numbers must resolve to the printers) or “chain” (the CA only; by address)"), N_("MODE") },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile, N_("The CA certificates the printers' certificates are checked against, where the broker finds them (default /etc/mosquitto/ca_certificates/bambu-lab.pem, or --write-cafile's)"), N_("FILE") },
    { "write-cafile", 0, 0, G_OPTION_ARG_FILENAME, &write_cafile, N_("Also write Bambu Lab's CA certificates to FILE"), N_("FILE") },
    { "listener-port", 0, 0, G_OPTION_ARG_INT, &listener_port, N_("Add a listener for the desktops on this port (default: a template in comments)"), N_("PORT") },
    { "listener-address", 0, 0, G_OPTION_ARG_STRING, &listener_address, N_("The address the listener binds to (default: all)"), N_("ADDRESS") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, N_("The desktops' password file (default /etc/mosquitto/printdeck.passwd)"), N_("FILE") },
    { "acl-file", 0, 0, G_OPTION_ARG_FILENAME, &acl_file, N_("The listener's ACL file (default: none)"), N_("FILE") },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, N_("The listener's TLS certificate (PEM; with --tls-key)"), N_("FILE") },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, N_("The certificate's private key (PEM)"), N_("FILE") },
    { "bridge-user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The user name the desktops log in with (default printdeck)"), N_("USER") },
    { NULL }
  };

  context = g_option_context_new (_("— write the mosquitto bridges for a print farm"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_description (context,
    _("Writes a mosquitto 2.0 configuration with one bridge per printer: the broker\n"
      "holds the one MQTT connection each printer gets, and any number of Printdeck\n"
      "desktops and mirrors read through it (docs/farms.md).\n"
      "\n"
      "The printers are those added in Printdeck ($PRINTDECK_CONFIG_DIR or\n"
      "~/.config/printdeck) that it reaches directly; their access codes come from\n"
      "the keyring, else $PRINTDECK_ACCESS_CODE_<SERIAL>. Nothing connects to them.\n"
      "\n"
      "The file holds the access codes: it is created readable by you only (mode\n"
      "0600) and never replaced without --force.\n"
      "Exit status: 0 written; 1 failed; 2 wrong use."));

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      bridge_usage_hint ();
      return 2;
    }
  if (argc > 1)
    {
      g_printerr (_("Unexpected argument “%s”.\n"), argv[1]);
      bridge_usage_hint ();
      return 2;
    }
  if (output == NULL)
    {
      g_printerr (_("Give --output FILE: the configuration holds the printers' access codes.\n"));
      bridge_usage_hint ();
      return 2;
    }
  to_stdout = g_str_equal (output, "-");
  if (to_stdout && isatty (STDOUT_FILENO))
    {
      g_printerr (_("The configuration holds the printers' access codes: not on a terminal. Give --output FILE, or pipe it.\n"));
      return 2;
    }
  if (verify != NULL && !g_str_equal (verify, "serial") && !g_str_equal (verify, "chain"))
    {
      g_printerr (_("--verify is “serial” or “chain”, not “%s”.\n"), verify);
      bridge_usage_hint ();
      return 2;
    }
  if (listener_port != -1 && (listener_port < 1 || listener_port > 65535))
    {
      g_printerr (_("The listener's port is a number from 1 to 65535.\n"));
      bridge_usage_hint ();
      return 2;
    }
  if ((tls_cert == NULL) != (tls_key == NULL))
    {
      g_printerr (_("--tls-cert and --tls-key go together.\n"));
      bridge_usage_hint ();
      return 2;
    }
  if (listener_address != NULL && !is_host_name (listener_address))
    {
      g_printerr (_("“%s” is not an address to listen on.\n"), listener_address);
      bridge_usage_hint ();
      return 2;
    }
  if (user != NULL && (!bridge_value_is_safe (user, FALSE) || strchr (user, ':') != NULL))
    {
      g_printerr (_("“%s” cannot be a user name at the broker (no blanks, no “:”).\n"), user);
      bridge_usage_hint ();
      return 2;
    }
  /* Said before anything else happens (the keyring may ask to be unlocked);
   * O_EXCL still decides when the file is written. */
  for (guint i = 0; !force && i < 2; i++)
    {
      const char *path = i == 0 ? (to_stdout ? NULL : output) : write_cafile;

      if (path != NULL && g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
        {
          g_printerr (_("%s exists: pass --force to replace it.\n"), path);
          return 1;
        }
    }
  if (cafile == NULL && write_cafile != NULL)
    {
      /* Written where it belongs: the configuration names that file. */
      g_autoptr (GFile) file = g_file_new_for_path (write_cafile);

      cafile = g_file_get_path (file);
    }
  if (!bridge_check_path ("--cafile", cafile) || !bridge_check_path ("--password-file", password_file) ||
      !bridge_check_path ("--acl-file", acl_file) || !bridge_check_path ("--tls-cert", tls_cert) ||
      !bridge_check_path ("--tls-key", tls_key))
    {
      bridge_usage_hint ();
      return 2;
    }

  options.by_serial = verify == NULL || g_str_equal (verify, "serial");
  options.cafile = cafile != NULL ? cafile : BRIDGE_DEFAULT_CAFILE;
  options.listener = listener_port > 0;
  options.listener_port = options.listener ? (guint) listener_port : 0;
  options.listener_address = listener_address;
  options.password_file = password_file != NULL ? password_file : BRIDGE_DEFAULT_PASSWORD_FILE;
  options.acl_file = acl_file;
  options.tls_cert = tls_cert;
  options.tls_key = tls_key;
  options.user = user != NULL ? user : BRIDGE_DEFAULT_USER;

  if (only != NULL)
    {
      wanted = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; only[i] != NULL; i++)
        g_hash_table_add (wanted, only[i]);
    }

  config_file = bridge_config_file ();
  if (!bridge_read_printers (config_file, wanted, seen, printers))
    return 1;
  for (guint i = 0; only != NULL && only[i] != NULL; i++)
    if (!g_hash_table_contains (seen, only[i]))
      {
        g_printerr (_("No printer %s in %s.\n"), only[i], config_file);
        return 1;
      }
  if (printers->len == 0)
    {
      g_printerr (_("No printers to bridge in %s: add them in Printdeck first.\n"), config_file);
      return 1;
    }

  /* mosquitto splits "address" at the first colon: an IPv6 address cannot
   * be given as such. */
  for (guint i = 0; !options.by_serial && i < printers->len; i++)
    {
      const BridgePrinter *printer = g_ptr_array_index (printers, i);

      if (strchr (printer->host, ':') != NULL)
        {
          g_printerr (_("%s: mosquitto cannot reach the IPv6 address %s directly: use “--verify serial”, or a host name.\n"),
                      printer->serial, printer->host);
          return 1;
        }
    }

  if (!bridge_find_codes (printers))
    return 1;

  text = bridge_render (printers, &options);
  if (to_stdout)
    {
      if (fputs (text, stdout) == EOF || fflush (stdout) != 0)
        {
          g_printerr (_("The configuration could not be written: %s\n"), g_strerror (errno));
          status = 1;
        }
    }
  else if (!write_new_file (output, text, strlen (text), 0600, force, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        g_printerr (_("%s exists: pass --force to replace it.\n"), output);
      else
        g_printerr (_("The configuration could not be written: %s\n"), error->message);
      status = 1;
    }
  /* It held every access code. */
  memset (text, 0, strlen (text));
  g_free (text);
  if (status != 0)
    return status;

  if (to_stdout)
    g_printerr (_("Warning: this configuration holds the printers' access codes: whoever reads it can control them. Keep it readable by mosquitto only (mode 0600).\n"));
  else
    g_printerr (_("Warning: %s holds the printers' access codes: whoever reads it can control them. It is readable by you only (mode 0600): keep it so, owned by the user mosquitto runs as.\n"),
                output);
  g_printerr (ngettext ("Wrote a bridge for %u printer.\n", "Wrote bridges for %u printers.\n", printers->len),
              printers->len);
  if (options.by_serial)
    g_printerr (_("Each printer's serial number must resolve to its address on the broker's machine: the /etc/hosts lines are at the top of the configuration.\n"));

  if (write_cafile != NULL)
    {
      if (!bridge_write_cafile (write_cafile, force, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
            g_printerr (_("%s exists: pass --force to replace it.\n"), write_cafile);
          else
            g_printerr (_("Bambu Lab's CA certificates could not be written: %s\n"), error->message);
          return 1;
        }
      g_printerr (_("Wrote Bambu Lab's CA certificates to %s.\n"), write_cafile);
    }
  else if (!g_file_test (options.cafile, G_FILE_TEST_EXISTS))
    g_printerr (_("The bridges check the printers' certificates against %s: write it with --write-cafile.\n"),
                options.cafile);

  if (options.listener && tls_cert == NULL)
    g_printerr (_("The listener speaks plain MQTT: the desktops' password crosses the network readable. Give --tls-cert and --tls-key.\n"));

  return 0;
}

static void
usage (void)
{
  g_printerr ("%s",
              _("Usage: printdeck-cli COMMAND [OPTION…]\n"
                "\n"
                "Commands:\n"
                "  inspect        Merge report files and print the printer's state\n"
                "  watch          Connect to a printer and print its state as it changes\n"
                "  job            Tell what the printer's current job uses, from its file\n"
                "  hms            Tell what HMS codes and print errors mean\n"
                "  snapshot       Save one picture from a printer's camera\n"
                "  demo           Watch simulated printers (printdeck-sim), live\n"
                "  serve          Mirror printers to browsers and scripts (the app's mirror, headless)\n"
                "  bridge-config  Write the mosquitto bridges for a print farm\n"
                "\n"
                "Run “printdeck-cli COMMAND --help” for a command's options.\n"));
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      usage ();
      return 2;
    }

  if (g_str_equal (argv[1], "inspect"))
    return cmd_inspect (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "watch"))
    return cmd_watch (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "job"))
    return cmd_job (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "demo"))
    return cmd_demo (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "hms"))
    return cmd_hms (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "snapshot"))
    return cmd_snapshot (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "serve"))
    return cmd_serve (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "bridge-config"))
    return cmd_bridge_config (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("printdeck-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (!g_str_equal (argv[1], "--help") && !g_str_equal (argv[1], "-h"))
    g_printerr (_("Unknown command “%s”\n\n"), argv[1]);
  usage ();
  return 2;
}
