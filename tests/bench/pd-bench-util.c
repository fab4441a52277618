/* pd-bench-util.c — what the benchmarks share: the simulator as a separate
 * process, camera sources for its printers, and this process's CPU and memory
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pd-bench-util.h"

static void
sim_printer_free (SimPrinter *p)
{
  g_free (p->serial);
  g_free (p->host);
  g_free (p->code);
  g_free (p->fingerprint);
  g_free (p);
}

Sim *
sim_start (const char *models,
           const char *size,
           int         fps,
           guint       n)
{
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autofree char             *printers = g_strdup_printf ("%u", n);
  g_autofree char             *rate = g_strdup_printf ("%d", fps);
  Sim                         *sim = g_new0 (Sim, 1);

  sim->printers = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_printer_free);
  sim->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                   PRINTDECK_SIM, "--printers", printers, "--models", models,
                                   "--camera-size", size, "--camera-fps", rate, "--list-json",
                                   "--quit-on-eof", NULL);
  if (sim->process == NULL)
    g_error ("printdeck-sim: %s", error->message);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));
  while (sim->printers->len < n)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autofree char       *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      JsonObject            *obj;
      SimPrinter            *p;
      const char            *camera;

      if (line == NULL || !json_parser_load_from_data (parser, line, -1, &error))
        g_error ("printdeck-sim --list-json: %s", error != NULL ? error->message : "no output");
      obj = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_has_member (obj, "serial"))
        continue;

      p = g_new0 (SimPrinter, 1);
      p->serial = g_strdup (json_object_get_string_member (obj, "serial"));
      p->host = g_strdup (json_object_get_string_member (obj, "host"));
      p->code = g_strdup (json_object_get_string_member (obj, "access_code"));
      p->fingerprint = g_strdup (json_object_get_string_member (obj, "fingerprint"));
      p->port = (guint16) json_object_get_int_member (obj, "camera_port");
      camera = json_object_get_string_member_with_default (obj, "camera", "none");
      p->kind = g_str_equal (camera, "rtsps") ? PD_CAMERA_KIND_RTSPS
              : g_str_equal (camera, "jpeg") ? PD_CAMERA_KIND_JPEG : PD_CAMERA_KIND_NONE;
      g_ptr_array_add (sim->printers, p);
    }

  return sim;
}

void
sim_stop (Sim *sim)
{
  g_subprocess_send_signal (sim->process, SIGTERM);
  g_subprocess_wait (sim->process, NULL, NULL);
  g_object_unref (sim->process);
  g_ptr_array_unref (sim->printers);
  g_free (sim);
}

PdCameraSource *
source_for (SimPrinter *p)
{
  PdCameraSource *source = pd_camera_source_new (p->kind, p->host, p->port, p->serial);

  pd_camera_source_set_access_code (source, p->code);
  pd_camera_source_set_pinned_fingerprint (source, p->fingerprint);

  return source;
}

double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

double
rss_mb (void)
{
  g_autofree char *statm = NULL;
  long             pages = 0;
  long             resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    sscanf (statm, "%ld %ld", &pages, &resident);

  return (double) resident * (double) sysconf (_SC_PAGESIZE) / (1024.0 * 1024.0);
}

void
spin (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

void
json_line (const char *bench,
           const char *metric,
           double      value,
           const char *unit)
{
  g_print ("{\"bench\": \"%s\", \"metric\": \"%s\", \"value\": %.2f, \"unit\": \"%s\"}\n", bench, metric, value, unit);
}
