/* pd-bench-util.c — what the benchmarks share: the simulator as a separate
 * process, camera sources for its printers, and this process's CPU and memory
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "pd-bench-util.h"

static void
sim_printer_free (SimPrinter *p)
{
  g_free (p->serial);
  g_free (p->host);
  g_free (p->code);
  g_free (p->fingerprint);
  g_free (p->name);
  g_free (p->model);
  g_free (p->ftp_user);
  g_free (p);
}

static void
sim_bridge_free (SimBridge *bridge)
{
  g_free (bridge->host);
  g_free (bridge->user);
  g_free (bridge->password);
  g_free (bridge->ca_file);
  g_free (bridge);
}

Sim *
sim_start (const char *models,
           const char *size,
           int         fps,
           guint       n)
{
  g_autofree char   *rate = g_strdup_printf ("%d", fps);
  const char *const  args[] = { "--models", models, "--camera-size", size, "--camera-fps", rate, NULL };

  return sim_start_with (n, args);
}

Sim *
sim_start_with (guint              n,
                const char *const *args)
{
  g_autoptr (GError)           error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GPtrArray)        argv = g_ptr_array_new_with_free_func (g_free);
  gboolean                     want_bridge = FALSE;
  Sim                         *sim = g_new0 (Sim, 1);

  g_ptr_array_add (argv, g_strdup (g_getenv ("PRINTDECK_SIM") != NULL ? g_getenv ("PRINTDECK_SIM") : PRINTDECK_SIM));
  g_ptr_array_add (argv, g_strdup ("--printers"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", n));
  g_ptr_array_add (argv, g_strdup ("--list-json"));
  g_ptr_array_add (argv, g_strdup ("--quit-on-eof"));
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      want_bridge |= g_str_has_prefix (args[i], "--bridge");
      g_ptr_array_add (argv, g_strdup (args[i]));
    }
  g_ptr_array_add (argv, NULL);

  sim->printers = g_ptr_array_new_with_free_func ((GDestroyNotify) sim_printer_free);
  sim->process = g_subprocess_newv ((const char *const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  if (sim->process == NULL)
    g_error ("printdeck-sim: %s", error->message);

  /* The printers first, then the bridge. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (sim->process));
  while (sim->printers->len < n || (want_bridge && sim->bridge == NULL))
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autofree char       *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      JsonObject            *obj;
      SimPrinter            *p;
      const char            *camera;

      if (line == NULL || !json_parser_load_from_data (parser, line, -1, &error))
        g_error ("printdeck-sim --list-json: %s", error != NULL ? error->message : "no output");
      obj = json_node_get_object (json_parser_get_root (parser));
      if (json_object_get_boolean_member_with_default (obj, "bridge", FALSE))
        {
          sim->bridge = g_new0 (SimBridge, 1);
          sim->bridge->host = g_strdup (json_object_get_string_member (obj, "host"));
          sim->bridge->port = (guint16) json_object_get_int_member (obj, "port");
          sim->bridge->user = g_strdup (json_object_get_string_member (obj, "user"));
          sim->bridge->password = g_strdup (json_object_get_string_member (obj, "password"));
          sim->bridge->ca_file = g_strdup (json_object_get_string_member (obj, "ca_file"));
          continue;
        }
      if (!json_object_has_member (obj, "serial"))
        continue;

      p = g_new0 (SimPrinter, 1);
      p->serial = g_strdup (json_object_get_string_member (obj, "serial"));
      p->host = g_strdup (json_object_get_string_member (obj, "host"));
      p->code = g_strdup (json_object_get_string_member (obj, "access_code"));
      p->fingerprint = g_strdup (json_object_get_string_member (obj, "fingerprint"));
      p->port = (guint16) json_object_get_int_member_with_default (obj, "camera_port", 0);
      camera = json_object_get_string_member_with_default (obj, "camera", "none");
      p->kind = g_str_equal (camera, "rtsps") ? PD_CAMERA_KIND_RTSPS
              : g_str_equal (camera, "jpeg") ? PD_CAMERA_KIND_JPEG : PD_CAMERA_KIND_NONE;
      p->mqtt_port = (guint16) json_object_get_int_member (obj, "port");
      p->name = g_strdup (json_object_get_string_member_with_default (obj, "name", NULL));
      p->model = g_strdup (json_object_get_string_member_with_default (obj, "model", NULL));
      p->ftp_port = (guint16) json_object_get_int_member_with_default (obj, "ftp_port", 0);
      p->ftp_user = g_strdup (json_object_get_string_member_with_default (obj, "ftp_user", NULL));
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
  g_clear_pointer (&sim->bridge, sim_bridge_free);
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

/* A field of /proc/self/status, in MB. */
static double
status_mb (const char *status,
           const char *field)
{
  const char *line = status != NULL ? strstr (status, field) : NULL;

  return line != NULL ? g_ascii_strtod (line + strlen (field), NULL) / 1024.0 : 0;
}

/* Where the resident memory is: anonymous pages (heaps, stacks, buffers)
 * or mapped files (code, data of libraries and plugins); malloc's heaps
 * (all arenas), what is in use and what is free in them; mmapped blocks
 * (large allocations, video frames among them); threads.
 */
char *
memory_breakdown (void)
{
  g_autofree char *status = NULL;
  struct mallinfo2 info = mallinfo2 ();
  const char      *threads;

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  threads = status != NULL ? strstr (status, "Threads:") : NULL;

  return g_strdup_printf ("RSS %6.1f MB = anon %5.1f + file %5.1f | malloc heaps %5.1f MB (in use %5.1f, free %4.1f), "
                          "mmapped %5.1f MB | %ld threads",
                          rss_mb (), status_mb (status, "RssAnon:"),
                          status_mb (status, "RssFile:") + status_mb (status, "RssShmem:"), info.arena / 1048576.0,
                          info.uordblks / 1048576.0, info.fordblks / 1048576.0, info.hblkhd / 1048576.0,
                          threads != NULL ? strtol (threads + 8, NULL, 10) : 0L);
}

void
spin (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

static gboolean
set_done (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

void
run_for (double seconds)
{
  gboolean done = FALSE;

  g_timeout_add_full (G_PRIORITY_HIGH, (guint) MAX (seconds * 1000, 0), set_done, &done, NULL);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
json_line (const char *bench,
           const char *metric,
           double      value,
           const char *unit)
{
  g_print ("{\"bench\": \"%s\", \"metric\": \"%s\", \"value\": %.2f, \"unit\": \"%s\"}\n", bench, metric, value, unit);
}

double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return NAN;

  return g_ascii_strtod (text, NULL);
}

int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
sorted_percentile (GArray *sorted,
                   double  p)
{
  guint rank;

  if (sorted == NULL || sorted->len == 0)
    return NAN;

  /* nearest rank: the smallest value with at least p % of them at or below */
  rank = (guint) ceil (p / 100.0 * sorted->len);
  rank = CLAMP (rank, 1, sorted->len);

  return g_array_index (sorted, double, rank - 1);
}

/* Main-loop stalls ----------------------------------------------------------*/

#define STALL_BIN_USEC 50
#define STALL_BINS     2000 /* 100 ms; longer ones go to the last bin */

static struct
{
  GPollFunc original;
  gint64    returned; /* when the last poll returned; 0 before the first */
  gint64    returned_cpu; /* the thread's CPU time then */
  guint64   over_16ms_cpu;
  guint64   bins[STALL_BINS];
  guint64   iterations;
  gint64    longest;
  gint64    worst[STALLS_WORST];    /* µs, longest first */
  gint64    worst_at[STALLS_WORST];
  gint64    worst_cpu[STALLS_WORST];
} stalls;

static gint64
thread_cpu_usec (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Keeps the few longest, with when they happened, to compare with events. */
static void
note_worst (gint64 busy,
            gint64 at,
            gint64 cpu)
{
  guint i = STALLS_WORST;

  while (i > 0 && busy > stalls.worst[i - 1])
    i--;
  if (i == STALLS_WORST)
    return;
  memmove (&stalls.worst[i + 1], &stalls.worst[i], (STALLS_WORST - 1 - i) * sizeof (gint64));
  memmove (&stalls.worst_at[i + 1], &stalls.worst_at[i], (STALLS_WORST - 1 - i) * sizeof (gint64));
  memmove (&stalls.worst_cpu[i + 1], &stalls.worst_cpu[i], (STALLS_WORST - 1 - i) * sizeof (gint64));
  stalls.worst[i] = busy;
  stalls.worst_at[i] = at;
  stalls.worst_cpu[i] = cpu;
}

static gint
timed_poll (GPollFD *fds,
            guint    nfds,
            gint     timeout)
{
  gint64 now = g_get_monotonic_time ();
  gint   result;

  if (stalls.returned != 0)
    {
      gint64 busy = now - stalls.returned;

      stalls.bins[MIN (busy / STALL_BIN_USEC, STALL_BINS - 1)]++;
      stalls.iterations++;
      stalls.longest = MAX (stalls.longest, busy);
      if (busy > stalls.worst[STALLS_WORST - 1] || busy >= 16000)
        {
          gint64 cpu = thread_cpu_usec () - stalls.returned_cpu;

          note_worst (busy, now, cpu);
          if (cpu >= 16000)
            stalls.over_16ms_cpu++;
        }
    }
  result = stalls.original (fds, nfds, timeout);
  stalls.returned = g_get_monotonic_time ();
  stalls.returned_cpu = thread_cpu_usec ();

  return result;
}

void
stalls_install (void)
{
  if (stalls.original != NULL)
    return;

  stalls.original = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, timed_poll);
}

void
stalls_reset (void)
{
  memset (stalls.bins, 0, sizeof stalls.bins);
  stalls.iterations = 0;
  stalls.longest = 0;
  stalls.returned = 0;
  stalls.over_16ms_cpu = 0;
  memset (stalls.worst_cpu, 0, sizeof stalls.worst_cpu);
  memset (stalls.worst, 0, sizeof stalls.worst);
  memset (stalls.worst_at, 0, sizeof stalls.worst_at);
}

static double
stall_bin_percentile (double p)
{
  guint64 want = (guint64) ceil (p / 100.0 * (double) stalls.iterations);
  guint64 seen = 0;

  for (guint i = 0; i < STALL_BINS; i++)
    {
      seen += stalls.bins[i];
      if (seen >= want && seen > 0)
        return (double) MIN ((gint64) (i + 1) * STALL_BIN_USEC, stalls.longest) / 1000.0;
    }

  return (double) stalls.longest / 1000.0;
}

Stalls
stalls_read (void)
{
  Stalls result = { 0, };

  result.iterations = stalls.iterations;
  result.longest_ms = (double) stalls.longest / 1000.0;
  result.p99_ms = stall_bin_percentile (99);
  result.p50_ms = stall_bin_percentile (50);
  for (guint i = 16000 / STALL_BIN_USEC; i < STALL_BINS; i++)
    result.over_16ms += stalls.bins[i];
  result.over_16ms_cpu = stalls.over_16ms_cpu;
  for (guint i = 0; i < STALLS_WORST; i++)
    {
      result.worst_ms[i] = (double) stalls.worst[i] / 1000.0;
      result.worst_at[i] = stalls.worst_at[i];
      result.worst_cpu_ms[i] = (double) stalls.worst_cpu[i] / 1000.0;
    }

  return result;
}
