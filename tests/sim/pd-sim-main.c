/* pd-sim-main.c — printdeck-sim, the command-line simulator
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the printers, prints one line per printer on stdout, then reads
 * commands from stdin, one per line, and answers each with "ok" (after the
 * lines it prints, for list) or "error: …". Runs until SIGINT, SIGTERM or
 * "quit"; the end of stdin is not a reason to stop, so that it can run in
 * the background — unless --quit-on-eof: a program that starts it with a
 * pipe (the app's demo) then takes it along when it dies, even killed.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "pd-sim.h"

typedef struct
{
  GMainLoop        *loop;
  PdSim            *sim;
  GDataInputStream *input;
  GCancellable     *cancellable;
  gboolean          json;
  gboolean          quitting;
  gboolean          quit_on_eof;
  int               status;
} App;

static void read_next_command (App *app);

static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

/* stdout is a pipe for the tests and scripts that drive us: flush each line. */
static void
say (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stdout, format, args);
  va_end (args);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
list_printers (App *app)
{
  g_autofree char *bridge = NULL;

  for (guint i = 0; i < pd_sim_get_n_printers (app->sim); i++)
    {
      PdSimPrinter    *printer = pd_sim_get_printer (app->sim, i);
      g_autofree char *line = app->json ? pd_sim_printer_to_json (printer) : pd_sim_printer_to_line (printer);

      say ("%s", line);
    }

  bridge = app->json ? pd_sim_bridge_to_json (app->sim) : pd_sim_bridge_to_line (app->sim);
  if (bridge != NULL)
    say ("%s", bridge);
}

static void
say_done (App          *app,
          const GError *error)
{
  if (error != NULL)
    say ("error: %s", error->message);
  else
    say ("ok");
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  App               *app = user_data;
  g_autoptr (GError) error = NULL;

  if (PD_IS_SIM (source))
    pd_sim_restart_broker_finish (PD_SIM (source), result, &error);
  else if (g_async_result_is_tagged (result, pd_sim_printer_set_refusing_async))
    pd_sim_printer_set_refusing_finish (PD_SIM_PRINTER (source), result, &error);
  else
    pd_sim_printer_regenerate_certificate_finish (PD_SIM_PRINTER (source), result, &error);

  say_done (app, error);
  read_next_command (app);
}

static const char help_text[] =
  "commands (printer numbers count from 1, as in the list):\n"
  "  list                 print the printers again\n"
  "  stall N / resume N   stop / resume publishing (connections stay up: a zombie printer)\n"
  "  drop N               close every connection to printer N now\n"
  "  refuse N / unrefuse N  refuse / accept its access code again (CONNACK 5 meanwhile)\n"
  "  offline N / online N   close its port (connects are refused) / open it again\n"
  "  restart-broker       restart mosquitto on the same ports\n"
  "  malformed N          publish a report that is not JSON\n"
  "  big N                publish a 1 MiB report\n"
  "  cert N               new key and certificate for printer N (restarts the broker)\n"
  "  print N              start a print now\n"
  "  fail N               fail the print now (print_error 0700_8006)\n"
  "  hms N / clear-hms N  raise a real HMS error / clear them all\n"
  "  full N               publish the full report now\n"
  "  remain N UNIT SLOT PERCENT  set what is left on a spool (PERCENT -1: not known;\n"
  "                       UNIT -1: the external spool, SLOT 254 or 255)\n"
  "  tray N UNIT SLOT     load that spool (UNIT -1: the external spool, SLOT 254 or 255)\n"
  "  tray N none          unload (tray_now 255)\n"
  "  humidity N UNIT PERCENT [INDEX]  set an AMS unit's humidity in % (-1: not measured)\n"
  "                       and index as on the wire (1 wet … 5 dry; default: from PERCENT)\n"
  "  scenario N NAME      switch printer N to mixed, print, idle, fail or hms\n"
  "  camera N off|on      LAN live view off (camera port closed, rtsp_url \"disable\") / on\n"
  "  camera-fault N FAULT what the JPEG camera sends wrong: none, truncated (announces more\n"
  "                       than follows), oversized (a 2 GiB header, then garbage), garbage\n"
  "                       (frames that are not JPEG), close (half a frame, then the end)\n"
  "  camera-busy N 0|1    serve any number of camera clients / one at a time\n"
  "  camera-drop N        close every camera connection of printer N now\n"
  "  sdcard N off|on      take the SD card out (home_flag bit 0x100 clear, the job's file\n"
  "                       gone from FTP) / put it back\n"
  "  ftp N stall|resume   stop the FTP server mid-way (SIGSTOP: transfers stop moving,\n"
  "                       new logins get no greeting) / let it go on\n"
  "  jobfile N remove|put delete the job's file from the SD card / put it back\n"
  "  quit                 stop everything and exit";

/* Reads the integer arguments of a command: words[2] on, @n_required of
 * them, up to @n_max; missing optional ones keep their value in @values.
 */
static gboolean
parse_numbers (char *const *words,
               guint        n_required,
               guint        n_max,
               int         *values)
{
  guint n = 0;

  for (; words[2 + n] != NULL; n++)
    {
      gint64 value;

      if (n == n_max || !g_ascii_string_to_signed (words[2 + n], 10, -1, 255, &value, NULL))
        return FALSE;
      values[n] = (int) value;
    }

  return n >= n_required;
}

/* The AMS commands: remain, tray, humidity. */
static void
run_ams_command (PdSimPrinter *printer,
                 const char   *command,
                 char *const  *words)
{
  int      values[3] = { 0, 0, -1 };
  gboolean done;

  if (g_str_equal (command, "remain"))
    {
      if (!parse_numbers (words, 3, 3, values) || values[2] > 100)
        {
          say ("error: remain N UNIT SLOT PERCENT, with PERCENT -1 to 100");
          return;
        }
      done = pd_sim_printer_set_tray_remaining (printer, values[0], values[1], values[2]);
    }
  else if (g_str_equal (command, "tray"))
    {
      if (words[2] != NULL && g_str_equal (words[2], "none") && words[3] == NULL)
        values[0] = values[1] = -1;
      else if (!parse_numbers (words, 2, 2, values))
        {
          say ("error: tray N UNIT SLOT, or tray N none");
          return;
        }
      done = pd_sim_printer_set_active_tray (printer, values[0], values[1]);
    }
  else
    {
      if (!parse_numbers (words, 2, 3, values) || values[0] < 0 || values[1] > 100 || values[2] > 5)
        {
          say ("error: humidity N UNIT PERCENT [INDEX], with PERCENT -1 to 100 and INDEX 0 to 5");
          return;
        }
      done = pd_sim_printer_set_humidity (printer, values[0], values[1], values[2]);
    }

  if (done)
    say ("ok");
  else if (g_str_equal (command, "humidity"))
    say ("error: no AMS unit %s", words[2]);
  else
    say ("error: no spool in unit %s slot %s", words[2], words[3]);
}

/* The camera commands: camera, camera-fault, camera-busy, camera-drop. */
static void
run_camera_command (PdSimPrinter *printer,
                    const char   *command,
                    char *const  *words)
{
  g_autoptr (GError) error = NULL;
  const char        *argument = words[2];
  gboolean           one_argument = argument != NULL && words[3] == NULL;

  if (pd_sim_printer_get_camera_kind (printer) == PD_CAMERA_KIND_NONE)
    {
      say ("error: printer %s has no camera", words[1]);
      return;
    }

  if (g_str_equal (command, "camera"))
    {
      if (!one_argument || (!g_str_equal (argument, "on") && !g_str_equal (argument, "off")))
        {
          say ("error: camera N off|on");
          return;
        }
      pd_sim_printer_set_camera_enabled (printer, g_str_equal (argument, "on"), &error);
    }
  else if (g_str_equal (command, "camera-fault"))
    {
      PdSimCameraFault fault;

      if (!one_argument || !pd_sim_camera_fault_from_string (argument, &fault))
        {
          say ("error: camera-fault N none|truncated|oversized|garbage|close");
          return;
        }
      pd_sim_printer_set_camera_fault (printer, fault);
    }
  else if (g_str_equal (command, "camera-busy"))
    {
      if (!one_argument || (!g_str_equal (argument, "0") && !g_str_equal (argument, "1")))
        {
          say ("error: camera-busy N 0|1");
          return;
        }
      pd_sim_printer_set_camera_max_clients (printer, g_str_equal (argument, "1") ? 1 : 0);
    }
  else
    pd_sim_printer_drop_camera_clients (printer);

  if (error != NULL)
    say ("error: %s", error->message);
  else
    say ("ok");
}

/* The file storage commands: sdcard, ftp, jobfile. */
static void
run_storage_command (PdSimPrinter *printer,
                     const char   *command,
                     char *const  *words)
{
  const char *argument = words[2];
  gboolean    one_argument = argument != NULL && words[3] == NULL;

  if (g_str_equal (command, "sdcard"))
    {
      if (!one_argument || (!g_str_equal (argument, "on") && !g_str_equal (argument, "off")))
        {
          say ("error: sdcard N off|on");
          return;
        }
      pd_sim_printer_set_sdcard (printer, g_str_equal (argument, "on"));
      say ("ok");
      return;
    }

  if (pd_sim_printer_get_ftp_port (printer) == 0)
    {
      say ("error: printer %s has no FTP server (--no-ftp, or no vsftpd)", words[1]);
      return;
    }

  if (g_str_equal (command, "ftp"))
    {
      if (!one_argument || (!g_str_equal (argument, "stall") && !g_str_equal (argument, "resume")))
        {
          say ("error: ftp N stall|resume");
          return;
        }
      pd_sim_printer_set_ftp_stalled (printer, g_str_equal (argument, "stall"));
    }
  else
    {
      if (!one_argument || (!g_str_equal (argument, "remove") && !g_str_equal (argument, "put")))
        {
          say ("error: jobfile N remove|put");
          return;
        }
      if (!pd_sim_printer_set_job_file_present (printer, g_str_equal (argument, "put")))
        {
          say ("error: printer %s has no job", words[1]);
          return;
        }
    }

  say ("ok");
}

/* Returns TRUE when the command finishes later (and reads the next line then). */
static gboolean
run_command (App        *app,
             const char *line)
{
  g_auto (GStrv)     words = g_strsplit_set (g_strstrip ((char *) line), " \t", -1);
  g_autoptr (GError) error = NULL;
  const char        *command = words[0];
  PdSimPrinter      *printer = NULL;
  guint              n = pd_sim_get_n_printers (app->sim);

  if (*command == '\0' || *command == '#')
    return FALSE;

  if (g_str_equal (command, "quit") || g_str_equal (command, "exit"))
    {
      say ("ok");
      g_main_loop_quit (app->loop);
      return TRUE; /* read no more */
    }
  if (g_str_equal (command, "help"))
    {
      say ("%s", help_text);
      say ("ok");
      return FALSE;
    }
  if (g_str_equal (command, "list"))
    {
      list_printers (app);
      say ("ok");
      return FALSE;
    }
  if (g_str_equal (command, "restart-broker"))
    {
      pd_sim_restart_broker_async (app->sim, NULL, on_async_done, app);
      return TRUE;
    }

  /* Every other command names a printer. */
  if (words[1] == NULL)
    {
      say ("error: \"%s\" needs a printer number (1 to %u); try help", command, n);
      return FALSE;
    }
  {
    guint64 number = 0;

    if (!g_ascii_string_to_unsigned (words[1], 10, 1, n, &number, NULL))
      {
        say ("error: no printer \"%s\" (there are %u, numbered from 1)", words[1], n);
        return FALSE;
      }
    printer = pd_sim_get_printer (app->sim, (guint) number - 1);
  }

  if (g_str_equal (command, "stall"))
    pd_sim_printer_set_stalled (printer, TRUE);
  else if (g_str_equal (command, "resume"))
    pd_sim_printer_set_stalled (printer, FALSE);
  else if (g_str_equal (command, "drop"))
    pd_sim_printer_drop_connections (printer);
  else if (g_str_equal (command, "offline"))
    pd_sim_printer_set_offline (printer, TRUE, &error);
  else if (g_str_equal (command, "online"))
    pd_sim_printer_set_offline (printer, FALSE, &error);
  else if (g_str_equal (command, "malformed"))
    pd_sim_printer_publish_malformed (printer);
  else if (g_str_equal (command, "big"))
    pd_sim_printer_publish_big (printer, 1024 * 1024);
  else if (g_str_equal (command, "print"))
    pd_sim_printer_start_print (printer);
  else if (g_str_equal (command, "fail"))
    pd_sim_printer_fail (printer);
  else if (g_str_equal (command, "hms"))
    pd_sim_printer_add_sample_hms (printer);
  else if (g_str_equal (command, "clear-hms"))
    pd_sim_printer_clear_hms (printer);
  else if (g_str_equal (command, "full"))
    pd_sim_printer_publish_full (printer);
  else if (g_str_equal (command, "remain") || g_str_equal (command, "tray") || g_str_equal (command, "humidity"))
    {
      run_ams_command (printer, command, words);
      return FALSE;
    }
  else if (g_str_equal (command, "camera") || g_str_equal (command, "camera-fault") ||
           g_str_equal (command, "camera-busy") || g_str_equal (command, "camera-drop"))
    {
      run_camera_command (printer, command, words);
      return FALSE;
    }
  else if (g_str_equal (command, "sdcard") || g_str_equal (command, "ftp") || g_str_equal (command, "jobfile"))
    {
      run_storage_command (printer, command, words);
      return FALSE;
    }
  else if (g_str_equal (command, "scenario"))
    {
      PdSimScenario scenario;

      if (words[2] == NULL || !pd_sim_scenario_from_string (words[2], &scenario))
        {
          say ("error: scenario N NAME, with NAME mixed, print, idle, fail or hms");
          return FALSE;
        }
      pd_sim_printer_set_scenario (printer, scenario);
    }
  else if (g_str_equal (command, "refuse") || g_str_equal (command, "unrefuse"))
    {
      pd_sim_printer_set_refusing_async (printer, g_str_equal (command, "refuse"), NULL, on_async_done, app);
      return TRUE;
    }
  else if (g_str_equal (command, "cert"))
    {
      pd_sim_printer_regenerate_certificate_async (printer, NULL, on_async_done, app);
      return TRUE;
    }
  else
    {
      say ("error: unknown command \"%s\"; try help", command);
      return FALSE;
    }

  say_done (app, error);
  return FALSE;
}

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  App               *app = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char   *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);

  if (line == NULL)
    {
      /* End of input (or a closed stdin): keep running until a signal,
       * or stop now when asked to (the program that started us is gone). */
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr ("printdeck-sim: stdin: %s\n", error->message);
      if (app->quit_on_eof && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          app->quitting = TRUE;
          g_main_loop_quit (app->loop);
        }
      return;
    }

  if (!run_command (app, line))
    read_next_command (app);
}

static void
read_next_command (App *app)
{
  g_data_input_stream_read_line_async (app->input, G_PRIORITY_DEFAULT, app->cancellable, on_line, app);
}

static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  app->quitting = TRUE;
  g_main_loop_quit (app->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  App                     *app = user_data;
  g_autoptr (GInputStream) stdin_stream = NULL;
  g_autoptr (GError)       error = NULL;

  if (!pd_sim_start_finish (PD_SIM (source), result, &error))
    {
      if (app->quitting)
        return; /* a signal during the start: not a failure */
      g_printerr ("printdeck-sim: %s\n", error->message);
      app->status = EXIT_FAILURE;
      g_main_loop_quit (app->loop);
      return;
    }

  list_printers (app);
  g_printerr ("printdeck-sim: %u printers ready (broker up in %.0f ms, certificates in %.0f ms); "
              "commands on stdin, \"help\" lists them\n",
              pd_sim_get_n_printers (app->sim), pd_sim_get_broker_start_seconds (app->sim) * 1000,
              pd_sim_get_certificate_seconds (app->sim) * 1000);

  stdin_stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  app->input = g_data_input_stream_new (stdin_stream);
  read_next_command (app);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_auto (GStrv)             models = NULL;
  g_autofree char           *models_text = NULL;
  g_autofree char           *scenario_text = NULL;
  g_autoptr (GArray)         scenarios = NULL;
  PdSimOptions               options;
  App                        app = { 0 };
  int                        n_printers = 3;
  double                     speed = 1.0;
  int                        interval = 1000;
  gint64                     seed = -1;
  int                        port_base = 0;
  int                        bridge_port = -1;
  int                        max_clients = 0;
  g_autofree char           *camera_size = NULL;
  int                        camera_fps = 0;
  int                        camera_max_clients = 0;
  gboolean                   no_cameras = FALSE;
  gboolean                   no_ftp = FALSE;
  int                        ftp_max_rate = 0;
  gboolean                   bridge = FALSE;
  gboolean                   rsa = FALSE;
  gboolean                   full_frames = FALSE;
  gboolean                   list = FALSE;
  gboolean                   list_json = FALSE;
  gboolean                   verbose = FALSE;
  gboolean                   quit_on_eof = FALSE;
  guint                      sigint, sigterm;
  const GOptionEntry         entries[] = {
            { "printers", 'n', 0, G_OPTION_ARG_INT, &n_printers, "Number of printers (default 3)", "N" },
            { "models", 'm', 0, G_OPTION_ARG_STRING, &models_text,
              "Comma-separated models, used in turn (default X1C,H2D,A1,P1P,X1; also X1E, P1S, P2S, A1MINI, A2L, H2DPRO, H2S, H2C, X2D)", "LIST" },
            { "scenario", 's', 0, G_OPTION_ARG_STRING, &scenario_text,
              "mixed (each printer at another phase), print, idle, fail or hms (default mixed); a comma-separated list is used in turn", "NAME" },
            { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed, "Simulated seconds per real second (default 1; tests use 60)", "F" },
            { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Milliseconds between reports (default 1000)", "MS" },
            { "x1-full-frames", 0, 0, G_OPTION_ARG_NONE, &full_frames, "X1 models send the full report every time, as in LAN mode", NULL },
            { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Same serials, access codes and scenarios on every run", "N" },
            { "port-base", 0, 0, G_OPTION_ARG_INT, &port_base, "Printer 1 listens on port P, printer 2 on P+1... (default: free ports)", "P" },
            { "bridge", 0, 0, G_OPTION_ARG_NONE, &bridge, "Open a farm-bridge listener: one TLS port, its own user, every printer's topics", NULL },
            { "bridge-port", 0, 0, G_OPTION_ARG_INT, &bridge_port, "The farm bridge's port (implies --bridge)", "P" },
            { "rsa", 0, 0, G_OPTION_ARG_NONE, &rsa, "RSA 2048 keys, as real printers have (slower to make) instead of EC P-256", NULL },
            { "max-clients", 0, 0, G_OPTION_ARG_INT, &max_clients, "MQTT connections each printer accepts (default: no limit; real ones take about 4)", "N" },
            { "no-cameras", 0, 0, G_OPTION_ARG_NONE, &no_cameras, "No camera servers (printers report LAN live view off)", NULL },
            { "camera-size", 0, 0, G_OPTION_ARG_STRING, &camera_size,
              "Size of every camera's picture (default 320x240 for RTSPS, 640x360 for JPEG)", "WxH" },
            { "camera-fps", 0, 0, G_OPTION_ARG_INT, &camera_fps, "Camera frames per second (default 15 for RTSPS, 5 for JPEG)", "N" },
            { "camera-max-clients", 0, 0, G_OPTION_ARG_INT, &camera_max_clients,
              "Camera clients each printer serves at once (default: no limit; real ones about 1)", "N" },
            { "no-ftp", 0, 0, G_OPTION_ARG_NONE, &no_ftp, "No FTPS servers (the printers' SD cards are not served)", NULL },
            { "ftp-max-rate", 0, 0, G_OPTION_ARG_INT, &ftp_max_rate,
              "Bytes per second each FTP transfer gets (default: no limit; a printer does 75-150 KB/s)", "N" },
            { "list", 0, 0, G_OPTION_ARG_NONE, &list, "Print \"HOST PORT SERIAL ACCESS_CODE MODEL CAMERA CAMERA_PORT NAME\" per printer (the default)", NULL },
            { "list-json", 0, 0, G_OPTION_ARG_NONE, &list_json,
              "Print one JSON object per printer: host, port, serial, access_code, model, name, fingerprint, ca_file, camera, camera_port, ftp_port, ftp_user", NULL },
            { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Show debug messages", NULL },
            { "quit-on-eof", 0, 0, G_OPTION_ARG_NONE, &quit_on_eof,
              "Stop when stdin ends (for a program that starts the simulator with a pipe)", NULL },
            { NULL },
  };

  setlocale (LC_ALL, "");
  /* stdout carries the list and the answers; every log line goes to stderr
   * (GLib sends debug and info messages to stdout otherwise).
   */
  g_log_writer_default_set_use_stderr (TRUE);

  context = g_option_context_new ("- simulated Bambu Lab printers for Printdeck");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Runs simulated printers behind a private mosquitto broker on 127.0.0.1: "
                                "MQTT over TLS with a certificate whose CN is the serial, user bblp and the "
                                "access code, as a real printer. They report like real ones (full frame on "
                                "pushall, then deltas), obey pause, resume, stop and the chamber light, and "
                                "stream their camera.");
  g_option_context_set_description (context,
                                    "After the list, commands are read from stdin, one per line, each answered "
                                    "with \"ok\" or \"error: ...\":\n\n"
                                    "  stall N, resume N, drop N, refuse N, unrefuse N, offline N, online N,\n"
                                    "  restart-broker, malformed N, big N, cert N, print N, fail N, hms N,\n"
                                    "  clear-hms N, full N, scenario N NAME, remain N UNIT SLOT PERCENT,\n"
                                    "  tray N UNIT SLOT, tray N none, humidity N UNIT PERCENT [INDEX],\n"
                                    "  camera N off|on, camera-fault N FAULT, camera-busy N 0|1, camera-drop N,\n"
                                    "  sdcard N off|on, ftp N stall|resume, jobfile N remove|put,\n"
                                    "  list, help, quit\n\n"
                                    "Each printer serves its model's camera on a port of its own (camera_port in "
                                    "the list): RTSPS at rtsps://127.0.0.1:PORT/streaming/live/1 (X1, H2, X2D, "
                                    "P2S) or the port-6000 TLS JPEG stream (A1, P1, A2L), user bblp and the access "
                                    "code, with the printer's certificate.\n\n"
                                    "Each printer also serves its SD card over implicit FTPS (vsftpd, when installed) "
                                    "on a port of its own (ftp_port), with the printer's certificate: user "
                                    "anonymous (a printer has bblp) and the access code as password. The current "
                                    "job's sliced file is at /<subtask_name>.gcode.3mf, as for a LAN print.\n\n"
                                    "It runs until SIGINT, SIGTERM or quit, then stops the broker and removes "
                                    "its temporary folder (PDSIM_KEEP_DIR=1 keeps it). mosquitto is looked for "
                                    "on PATH and in /usr/sbin; PDSIM_MOSQUITTO names another.\n\n"
                                    "Example: printdeck-sim -n 5 --speed 60 --list-json");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("printdeck-sim: %s\n", error->message);
      return 2;
    }

  pd_sim_options_init (&options);
  if (n_printers < 1)
    {
      g_printerr ("printdeck-sim: --printers must be at least 1\n");
      return 2;
    }
  options.n_printers = (guint) n_printers;
  if (models_text != NULL)
    {
      models = g_strsplit (models_text, ",", -1);
      for (guint i = 0; models[i] != NULL; i++)
        g_strstrip (models[i]);
      options.models = (const char *const *) models;
    }
  if (scenario_text != NULL)
    {
      g_auto (GStrv) names = g_strsplit (scenario_text, ",", -1);

      scenarios = g_array_new (FALSE, FALSE, sizeof (PdSimScenario));
      for (guint i = 0; names[i] != NULL; i++)
        {
          PdSimScenario scenario;

          if (!pd_sim_scenario_from_string (g_strstrip (names[i]), &scenario))
            {
              g_printerr ("printdeck-sim: unknown scenario \"%s\" (mixed, print, idle, fail or hms)\n", names[i]);
              return 2;
            }
          g_array_append_val (scenarios, scenario);
        }
      options.scenario = g_array_index (scenarios, PdSimScenario, 0);
      options.scenarios = (const PdSimScenario *) (gpointer) scenarios->data;
      options.n_scenarios = scenarios->len;
    }
  if (interval < 10 || port_base < 0 || port_base > 65535 || bridge_port > 65535 || max_clients < 0)
    {
      g_printerr ("printdeck-sim: --interval must be at least 10 ms, ports 1 to 65535, --max-clients 0 or more\n");
      return 2;
    }
  options.speed = speed;
  options.report_interval_ms = (guint) interval;
  options.x1_full_frames = full_frames;
  if (seed >= 0)
    {
      options.use_seed = TRUE;
      options.seed = (guint32) seed;
    }
  options.port_base = (guint16) port_base;
  options.bridge = bridge || bridge_port >= 0;
  options.bridge_port = bridge_port > 0 ? (guint16) bridge_port : 0;
  options.key_type = rsa ? PD_SIM_KEY_RSA : PD_SIM_KEY_EC;
  options.max_clients = (guint) max_clients;
  if (camera_size != NULL)
    {
      char  *end = NULL;
      gint64 width = g_ascii_strtoll (camera_size, &end, 10);
      gint64 height = end != NULL && (*end == 'x' || *end == 'X') ? g_ascii_strtoll (end + 1, &end, 10) : 0;

      if (end == NULL || *end != '\0' || width <= 0 || width > 3840 || height <= 0 || height > 2160)
        {
          g_printerr ("printdeck-sim: --camera-size takes WIDTHxHEIGHT, as 640x360\n");
          return 2;
        }
      options.camera_width = (int) width;
      options.camera_height = (int) height;
    }
  if (camera_fps < 0 || camera_max_clients < 0 || ftp_max_rate < 0)
    {
      g_printerr ("printdeck-sim: --camera-fps, --camera-max-clients and --ftp-max-rate take 0 or more\n");
      return 2;
    }
  options.camera_fps = camera_fps;
  options.camera_max_clients = (guint) camera_max_clients;
  options.no_cameras = no_cameras;
  options.no_ftp = no_ftp;
  options.ftp_max_rate = (guint) ftp_max_rate;
  (void) list; /* the plain list is the default */

  /* Our debug messages only, not GIO's. */
  if (verbose && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    g_setenv ("G_MESSAGES_DEBUG", G_LOG_DOMAIN, TRUE);

  /* A reader that goes away must not kill us in the middle of a shutdown. */
  signal (SIGPIPE, SIG_IGN);

  app.loop = g_main_loop_new (NULL, FALSE);
  app.cancellable = g_cancellable_new ();
  app.json = list_json;
  app.quit_on_eof = quit_on_eof;
  app.status = EXIT_SUCCESS;
  app.sim = pd_sim_new (&options);

  sigint = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &app);

  pd_sim_start_async (app.sim, NULL, on_started, &app);
  g_main_loop_run (app.loop);

  g_cancellable_cancel (app.cancellable);
  pd_sim_stop (app.sim);

  /* Let the cancelled read finish before its stream goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_clear_object (&app.input);
  g_clear_object (&app.sim);
  g_clear_object (&app.cancellable);
  g_main_loop_unref (app.loop);

  return app.status;
}
