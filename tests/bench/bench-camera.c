/* bench-camera.c — what a live camera costs this process
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts printdeck-sim (a separate process, as printers are: its H.264
 * encoding is not counted) with cameras of a given size and rate, watches
 * them with PdCameraSource in this process, and measures this process's CPU
 * (all threads: GStreamer's decoders and converters included) and memory:
 *
 *   baseline      the same process with no camera, for the same time
 *   tile          one RTSPS stream shown in a 640×360 tile (scaled in YUV)
 *   full          the same stream at its full size
 *   second-view   full + another view of the same printer (no new connection)
 *   four-tiles    four RTSPS printers, each in a 640×360 tile
 *   jpeg          one port-6000 JPEG camera at full size, its native rate
 *
 *   bench-camera [--seconds S] [--size WxH] [--fps N] [--quick]
 *   bench-camera --soak S      an RTSPS and a JPEG camera streaming for S
 *                              seconds: RSS at the start and the end (leaks),
 *                              and where it is every 10 s for the first two
 *                              minutes, then every minute (anonymous or
 *                              file pages, malloc's heap, threads)
 *   --soak-cameras MODELS      the soak's cameras (X1C: RTSPS, A1: JPEG)
 *   --soak-stall MS            the main thread busy for MS every 5 s, as in
 *                              an app whose main thread is sometimes late
 *                              (a long frame, a burst of reports): what the
 *                              pipelines keep for it shows at once instead
 *                              of whenever the machine's load makes it late
 *
 * Prints figures for people, then one JSON line per figure. The CPU figure is
 * a percentage of ONE core; on this 2-core machine the simulator's encoders
 * run on the other core, so numbers with four 1080p encoders are not useful:
 * four-tiles uses 1280×720.
 */

#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "pd-bench-util.h"

/* Measuring --------------------------------------------------------------------*/

typedef struct
{
  double cpu_percent;
  double fps;
  double rss_start_mb;
  double rss_end_mb;
  int    width;
  int    height;
} Figures;




static gboolean
all_streaming (PdCameraSource **sources,
               guint            n)
{
  for (guint i = 0; i < n; i++)
    if (pd_camera_source_get_n_frames (sources[i]) < 5)
      return FALSE;
  return TRUE;
}

/* Lets the streams settle (connect, first key frame, scaling), then measures. */
static Figures
measure (PdCameraSource **sources,
         guint            n,
         double           seconds)
{
  Figures figures = { 0, };
  gint64  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint64 before = 0;
  guint64 after = 0;
  double  cpu;
  gint64  start;

  while (n > 0 && !all_streaming (sources, n) && g_get_monotonic_time () < deadline)
    spin (0.05);
  spin (1.0);

  for (guint i = 0; i < n; i++)
    before += pd_camera_source_get_n_frames (sources[i]);
  figures.rss_start_mb = rss_mb ();
  cpu = cpu_seconds ();
  start = g_get_monotonic_time ();

  spin (seconds);

  figures.cpu_percent = 100.0 * (cpu_seconds () - cpu) / ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  for (guint i = 0; i < n; i++)
    after += pd_camera_source_get_n_frames (sources[i]);
  figures.fps = n > 0 ? (double) (after - before) / seconds / n : 0;
  figures.rss_end_mb = rss_mb ();
  if (n > 0 && pd_camera_source_get_frame (sources[0]) != NULL)
    {
      figures.width = pd_camera_frame_get_width (pd_camera_source_get_frame (sources[0]));
      figures.height = pd_camera_frame_get_height (pd_camera_source_get_frame (sources[0]));
    }

  return figures;
}

static void
print_memory (const char *label)
{
  g_autofree char *memory = memory_breakdown ();

  g_print ("soak: %-8s %s\n", label, memory);
}

static gboolean
stall (gpointer data)
{
  g_usleep (GPOINTER_TO_INT (data) * 1000);

  return G_SOURCE_CONTINUE;
}

static void
report (const char *name,
        Figures     f,
        double      baseline)
{
  g_print ("%-12s %6.1f %% of a core (%+.1f vs baseline)  %5.1f fps per stream  %4d×%-4d  RSS %.1f → %.1f MB\n",
           name, f.cpu_percent, f.cpu_percent - baseline, f.fps, f.width, f.height, f.rss_start_mb, f.rss_end_mb);
}


static void
stop_all (PdCameraSource **sources,
          guint           *viewers,
          guint            n)
{
  for (guint i = 0; i < n; i++)
    {
      pd_camera_source_remove_viewer (sources[i], viewers[i]);
      g_clear_object (&sources[i]);
    }
  spin (0.5);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— what a live camera costs");
  g_autoptr (GError)         error = NULL;
  g_autofree char           *size = g_strdup ("1920x1080");
  double                     seconds = 10;
  int                        fps = 30;
  gboolean                   quick = FALSE;
  double                     soak = 0;
  g_autofree char           *soak_cameras = g_strdup ("X1C,A1");
  int                        soak_stall = 0;
  const GOptionEntry         entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per measurement (10)", "S" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size, "The RTSPS camera size (1920x1080)", "WxH" },
    { "fps", 0, 0, G_OPTION_ARG_INT, &fps, "The RTSPS camera rate (30)", "N" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Shorter measurements (4 s)", NULL },
    { "soak", 0, 0, G_OPTION_ARG_DOUBLE, &soak, "Stream for S seconds and report memory growth", "S" },
    { "soak-cameras", 0, 0, G_OPTION_ARG_STRING, &soak_cameras, "The soak's cameras (X1C,A1: RTSPS and JPEG)", "MODELS" },
    { "soak-stall", 0, 0, G_OPTION_ARG_INT, &soak_stall, "Keep the main thread busy for MS every 5 s", "MS" },
    { NULL }
  };
  PdCameraSource *sources[4] = { NULL, };
  guint           viewers[4] = { 0, };
  Figures         base, tile, full, second, four, jpeg;
  Sim            *sim;
  guint           extra;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    seconds = 4;

  if (soak > 0)
    {
      Figures f;
      guint   n = 1; /* one camera per model */
      double  t = 0;

      for (const char *c = soak_cameras; (c = strchr (c, ',')) != NULL; c++)
        n++;
      n = MIN (n, G_N_ELEMENTS (sources));

      sim = sim_start (soak_cameras, "1280x720", fps, n);
      print_memory ("no cam");
      for (guint i = 0; i < n; i++)
        {
          sources[i] = source_for (g_ptr_array_index (sim->printers, i));
          viewers[i] = pd_camera_source_add_viewer (sources[i], 0, 0);
        }
      /* The first minute warms up (plugins, pools, arenas); then the
       * figure that matters is the slope. */
      f = measure (sources, n, 0.1);
      print_memory ("start");
      if (soak_stall > 0)
        g_timeout_add_seconds (5, stall, GINT_TO_POINTER (soak_stall));
      while (t < soak)
        {
          double           step = MIN (t < 120 ? 10 : 60, soak - t);
          g_autofree char *label = NULL;
          guint64          frames = 0;

          spin (step);
          t += step;
          for (guint i = 0; i < n; i++)
            frames += pd_camera_source_get_n_frames (sources[i]);
          label = g_strdup_printf ("%4.0f s", t);
          print_memory (label);
          g_print ("soak:          frames %" G_GUINT64_FORMAT "\n", frames);
        }
      f.rss_end_mb = rss_mb ();
      g_print ("soak: %.0f s, %s (1280×720): RSS %.1f → %.1f MB (%+.2f MB)\n",
               soak, soak_cameras, f.rss_start_mb, f.rss_end_mb, f.rss_end_mb - f.rss_start_mb);
      json_line ("camera-soak", "rss_growth_mb", f.rss_end_mb - f.rss_start_mb, "MB");
      stop_all (sources, viewers, n);
      sim_stop (sim);
      return 0;
    }

  g_print ("bench-camera: %s at %d fps, %.0f s per measurement\n\n", size, fps, seconds);

  base = measure (NULL, 0, seconds);
  report ("baseline", base, base.cpu_percent);

  sim = sim_start ("X1C", size, fps, 1);
  sources[0] = source_for (g_ptr_array_index (sim->printers, 0));
  viewers[0] = pd_camera_source_add_viewer (sources[0], 640, 360);
  tile = measure (sources, 1, seconds);
  report ("tile", tile, base.cpu_percent);

  pd_camera_source_update_viewer (sources[0], viewers[0], 0, 0);
  full = measure (sources, 1, seconds);
  report ("full", full, base.cpu_percent);

  extra = pd_camera_source_add_viewer (sources[0], 640, 360);
  second = measure (sources, 1, seconds);
  report ("second-view", second, base.cpu_percent);
  g_print ("             connections to the camera: %" G_GUINT64_FORMAT "\n",
           pd_camera_source_get_n_connections (sources[0]));
  pd_camera_source_remove_viewer (sources[0], extra);
  stop_all (sources, viewers, 1);
  sim_stop (sim);

  sim = sim_start ("X1C,X1C,X1C,X1C", "1280x720", fps, 4);
  for (guint i = 0; i < 4; i++)
    {
      sources[i] = source_for (g_ptr_array_index (sim->printers, i));
      viewers[i] = pd_camera_source_add_viewer (sources[i], 640, 360);
    }
  four = measure (sources, 4, seconds);
  report ("four-tiles", four, base.cpu_percent);
  stop_all (sources, viewers, 4);
  sim_stop (sim);

  sim = sim_start ("A1", "1280x720", 5, 1);
  sources[0] = source_for (g_ptr_array_index (sim->printers, 0));
  viewers[0] = pd_camera_source_add_viewer (sources[0], 0, 0);
  jpeg = measure (sources, 1, seconds);
  report ("jpeg", jpeg, base.cpu_percent);
  stop_all (sources, viewers, 1);
  sim_stop (sim);

  g_print ("\n");
  json_line ("camera", "baseline_cpu_percent", base.cpu_percent, "%");
  json_line ("camera", "rtsps_tile_cpu_percent", tile.cpu_percent, "%");
  json_line ("camera", "rtsps_full_cpu_percent", full.cpu_percent, "%");
  json_line ("camera", "rtsps_tile_vs_full_ratio", full.cpu_percent > 0 ? tile.cpu_percent / full.cpu_percent : 0, "x");
  json_line ("camera", "second_view_extra_cpu_percent", second.cpu_percent - full.cpu_percent, "%");
  json_line ("camera", "four_tiles_720p_cpu_percent", four.cpu_percent, "%");
  json_line ("camera", "jpeg_cpu_percent", jpeg.cpu_percent, "%");
  json_line ("camera", "rtsps_fps", full.fps, "fps");
  json_line ("camera", "jpeg_fps", jpeg.fps, "fps");

  return 0;
}
