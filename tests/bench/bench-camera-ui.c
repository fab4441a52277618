/* bench-camera-ui.c — what a camera costs on screen: decode, scale, convert,
 * and GTK drawing, in camera views like the app's
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like bench-camera (printdeck-sim in its own process, its encoders not
 * counted) but the frames go to PdCameraView widgets in real windows, so the
 * figure includes the texture and the renderer (GSK_RENDERER decides which;
 * this machine has no GPU). Needs a display (Xvfb of at least 1920×1080:
 * build-aux/dev.sh bench gives one).
 *
 *   baseline     an empty window, for the same time
 *   tile         one 1080p30 RTSPS stream in a 640×360 view
 *   second-tile  + a second 640×360 window on the same printer (the printer
 *                page and the camera wall at once)
 *   same-window  two 640×360 views of the printer side by side in one window
 *   second-tile-app, second-view-app, camera-wall: the same with the second
 *                view or the wall's tiles at the app's tile rate (10 fps)
 *   full         the same stream in a 1920×1080 view
 *   second-view  full + a second 640×360 window on the same printer
 *   four-tiles   four 720p30 RTSPS printers, 2×2 views of 640×360
 *   jpeg         one port-6000 camera (1280×720, 5 fps) in a 640×360 view
 *
 *   bench-camera-ui [--seconds S] [--quick]
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>

#include "pd-bench-util.h"
#include "pd-camera-paintable.h"
#include "pd-camera-view.h"

typedef struct
{
  double cpu_percent;
  double decoded_fps;
  double drawn_fps;
  double rss_mb;
} Figures;

/* Tiles redraw at the app's default camera-tile-fps; 0: every frame. */
#define TILE_FPS 10

static GtkWidget *
show_views_at (PdCameraSource **sources,
               guint            n,
               int              width,
               int              height,
               guint            columns,
               guint            max_fps)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *grid = gtk_grid_new ();

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *view = pd_camera_view_new (sources[i]);

      gtk_widget_set_size_request (view, width, height);
      pd_camera_view_set_max_fps (PD_CAMERA_VIEW (view), max_fps);
      gtk_grid_attach (GTK_GRID (grid), view, (int) (i % columns), (int) (i / columns), 1, 1);
    }
  gtk_window_set_child (GTK_WINDOW (window), grid);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

static GtkWidget *
show_views (PdCameraSource **sources,
            guint            n,
            int              width,
            int              height,
            guint            columns)
{
  return show_views_at (sources, n, width, height, columns, 0);
}

static guint
conversions (PdCameraSource **sources,
             guint            n)
{
  guint total = 0;

  for (guint i = 0; i < n; i++)
    total += pd_camera_paintable_get_n_conversions (pd_camera_paintable_get_for_source (sources[i]));

  return total;
}

static guint64
decoded (PdCameraSource **sources,
         guint            n)
{
  guint64 total = 0;

  for (guint i = 0; i < n; i++)
    total += pd_camera_source_get_n_frames (sources[i]);

  return total;
}

static Figures
measure (PdCameraSource **sources,
         guint            n,
         double           seconds)
{
  Figures figures = { 0, };
  gint64  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  guint64 frames;
  guint   drawn;
  double  cpu;
  gint64  start;

  while (n > 0 && decoded (sources, n) < 5 * n && g_get_monotonic_time () < deadline)
    spin (0.05);
  spin (1.5); /* scaling settles after the views' sizes are known */

  frames = decoded (sources, n);
  drawn = conversions (sources, n);
  cpu = cpu_seconds ();
  start = g_get_monotonic_time ();

  spin (seconds);

  figures.cpu_percent = 100.0 * (cpu_seconds () - cpu) / ((double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  if (n > 0)
    {
      figures.decoded_fps = (double) (decoded (sources, n) - frames) / seconds / n;
      figures.drawn_fps = (double) (conversions (sources, n) - drawn) / seconds / n;
    }
  figures.rss_mb = rss_mb ();

  return figures;
}

static void
report (const char *name,
        Figures     f,
        double      baseline)
{
  g_print ("%-12s %6.1f %% of a core (%+.1f vs baseline)  decoded %5.1f fps, drawn %5.1f fps per stream  RSS %.1f MB\n",
           name, f.cpu_percent, f.cpu_percent - baseline, f.decoded_fps, f.drawn_fps, f.rss_mb);
}

static void
close_all (GtkWidget      **windows,
           guint            n_windows,
           PdCameraSource **sources,
           guint            n)
{
  for (guint i = 0; i < n_windows; i++)
    gtk_window_destroy (GTK_WINDOW (windows[i]));
  spin (2.0); /* the sources linger, then close */
  for (guint i = 0; i < n; i++)
    g_clear_object (&sources[i]);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("— what a camera costs on screen");
  g_autoptr (GError)         error = NULL;
  double                     seconds = 10;
  gboolean                   quick = FALSE;
  const GOptionEntry         entries[] = {
    { "seconds", 's', 0, G_OPTION_ARG_DOUBLE, &seconds, "Seconds per measurement (10)", "S" },
    { "quick", 'q', 0, G_OPTION_ARG_NONE, &quick, "Shorter measurements (4 s)", NULL },
    { NULL }
  };
  PdCameraSource *sources[4] = { NULL, };
  GtkWidget      *windows[2] = { NULL, };
  Figures         base, tile, second_tile, same_window, full, second, four, jpeg;
  Figures         second_tile_app, second_app, wall;
  Sim            *sim;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (quick)
    seconds = 4;
  if (!gtk_init_check ())
    {
      g_printerr ("bench-camera-ui needs a display (build-aux/dev.sh bench gives one)\n");
      return 77;
    }
  adw_init ();

  g_print ("bench-camera-ui: GSK_RENDERER=%s, %.0f s per measurement\n\n",
           g_getenv ("GSK_RENDERER") != NULL ? g_getenv ("GSK_RENDERER") : "(default)", seconds);

  windows[0] = show_views (NULL, 0, 640, 360, 1);
  base = measure (NULL, 0, seconds);
  report ("baseline", base, base.cpu_percent);
  close_all (windows, 1, NULL, 0);

  sim = sim_start ("X1C", "1920x1080", 30, 1);
  sources[0] = source_for (g_ptr_array_index (sim->printers, 0));
  windows[0] = show_views (sources, 1, 640, 360, 1);
  tile = measure (sources, 1, seconds);
  report ("tile", tile, base.cpu_percent);
  windows[1] = show_views (sources, 1, 640, 360, 1);
  second_tile = measure (sources, 1, seconds);
  report ("second-tile", second_tile, base.cpu_percent);
  gtk_window_destroy (GTK_WINDOW (windows[1]));
  windows[1] = show_views_at (sources, 1, 640, 360, 1, TILE_FPS);
  second_tile_app = measure (sources, 1, seconds);
  report ("2nd-tile-app", second_tile_app, base.cpu_percent);
  gtk_window_destroy (GTK_WINDOW (windows[0]));
  gtk_window_destroy (GTK_WINDOW (windows[1]));
  sources[1] = g_object_ref (sources[0]);
  windows[0] = show_views (sources, 2, 640, 360, 2);
  same_window = measure (sources, 1, seconds);
  report ("same-window", same_window, base.cpu_percent);
  g_clear_object (&sources[1]);
  close_all (windows, 1, sources, 1);

  sources[0] = source_for (g_ptr_array_index (sim->printers, 0));
  windows[0] = show_views (sources, 1, 1920, 1080, 1);
  full = measure (sources, 1, seconds);
  report ("full", full, base.cpu_percent);

  windows[1] = show_views (sources, 1, 640, 360, 1);
  second = measure (sources, 1, seconds);
  report ("second-view", second, base.cpu_percent);
  gtk_window_destroy (GTK_WINDOW (windows[1]));
  windows[1] = show_views_at (sources, 1, 640, 360, 1, TILE_FPS);
  second_app = measure (sources, 1, seconds);
  report ("2nd-view-app", second_app, base.cpu_percent);
  g_print ("             connections to the camera: %" G_GUINT64_FORMAT "\n",
           pd_camera_source_get_n_connections (sources[0]));
  close_all (windows, 2, sources, 1);
  sim_stop (sim);

  sim = sim_start ("X1C,X1C,X1C,X1C", "1280x720", 30, 4);
  for (guint i = 0; i < 4; i++)
    sources[i] = source_for (g_ptr_array_index (sim->printers, i));
  windows[0] = show_views (sources, 4, 640, 360, 2);
  four = measure (sources, 4, seconds);
  report ("four-tiles", four, base.cpu_percent);
  gtk_window_destroy (GTK_WINDOW (windows[0]));
  windows[0] = show_views_at (sources, 4, 640, 360, 2, TILE_FPS);
  wall = measure (sources, 4, seconds);
  report ("camera-wall", wall, base.cpu_percent);
  close_all (windows, 1, sources, 4);
  sim_stop (sim);

  sim = sim_start ("A1", "1280x720", 5, 1);
  sources[0] = source_for (g_ptr_array_index (sim->printers, 0));
  windows[0] = show_views (sources, 1, 640, 360, 1);
  jpeg = measure (sources, 1, seconds);
  report ("jpeg", jpeg, base.cpu_percent);
  close_all (windows, 1, sources, 1);
  sim_stop (sim);

  g_print ("\n");
  json_line ("camera-ui", "baseline_cpu_percent", base.cpu_percent, "%");
  json_line ("camera-ui", "rtsps_1080p_tile_cpu_percent", tile.cpu_percent, "%");
  json_line ("camera-ui", "rtsps_1080p_full_cpu_percent", full.cpu_percent, "%");
  json_line ("camera-ui", "tile_vs_full_ratio", full.cpu_percent > 0 ? tile.cpu_percent / full.cpu_percent : 0, "x");
  json_line ("camera-ui", "second_tile_extra_cpu_percent", second_tile.cpu_percent - tile.cpu_percent, "%");
  json_line ("camera-ui", "second_view_same_window_extra_cpu_percent", same_window.cpu_percent - tile.cpu_percent, "%");
  json_line ("camera-ui", "second_view_of_full_extra_cpu_percent", second.cpu_percent - full.cpu_percent, "%");
  json_line ("camera-ui", "four_tiles_720p_cpu_percent", four.cpu_percent, "%");
  json_line ("camera-ui", "camera_wall_4x720p_tile_fps_cpu_percent", wall.cpu_percent, "%");
  json_line ("camera-ui", "second_tile_at_tile_fps_extra_cpu_percent", second_tile_app.cpu_percent - tile.cpu_percent, "%");
  json_line ("camera-ui", "second_view_of_full_at_tile_fps_extra_cpu_percent", second_app.cpu_percent - full.cpu_percent, "%");
  json_line ("camera-ui", "jpeg_tile_cpu_percent", jpeg.cpu_percent, "%");
  json_line ("camera-ui", "four_tiles_drawn_fps", four.drawn_fps, "fps");

  return 0;
}
