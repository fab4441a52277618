/* test-camera.c — PdCameraSource, PdSnapshotStore and `printdeck-cli snapshot`
 * against the simulator's real camera servers (RTSPS and port-6000 JPEG)
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loopback only; every wait is bounded in time.
 */

#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "pd-camera-source.h"
#include "pd-snapshot-store.h"
#include "pd-sim.h"
#include "pd-test-util.h"

static PdSim *sim;

enum { JPEG_PRINTER, RTSPS_PRINTER, N_PRINTERS };

static PdSimPrinter *
printer (guint index)
{
  return pd_sim_get_printer (sim, index);
}

static PdCameraSource *
source_for (PdSimPrinter *p)
{
  PdCameraSource *source = pd_camera_source_new (pd_sim_printer_get_camera_kind (p), pd_sim_printer_get_host (p),
                                                 pd_sim_printer_get_camera_port (p), pd_sim_printer_get_serial (p));

  pd_camera_source_set_access_code (source, pd_sim_printer_get_access_code (p));
  pd_camera_source_set_pinned_fingerprint (source, pd_sim_printer_get_fingerprint (p));
  pd_camera_source_set_linger (source, 300);

  return source;
}

typedef struct
{
  PdCameraSource *source;
  guint64         frames;
} FramesWait;

static gboolean
has_frames (gpointer data)
{
  FramesWait *wait = data;

  return pd_camera_source_get_n_frames (wait->source) >= wait->frames;
}

static void
wait_frames (PdCameraSource *source,
             guint64         more)
{
  FramesWait wait = { source, pd_camera_source_get_n_frames (source) + more };

  g_assert_true (pd_test_wait_until (has_frames, &wait, 20));
}

static gboolean
is_idle (gpointer data)
{
  return pd_camera_source_get_state (data) == PD_CAMERA_STATE_IDLE;
}

typedef struct
{
  PdCameraSource *source;
  PdCameraProblem problem;
} ProblemWait;

static gboolean
has_problem (gpointer data)
{
  ProblemWait *wait = data;

  return pd_camera_source_get_problem (wait->source) == wait->problem;
}

static void
wait_problem (PdCameraSource *source,
              PdCameraProblem problem)
{
  ProblemWait wait = { source, problem };

  if (!pd_test_wait_until (has_problem, &wait, 25))
    g_error ("expected problem %d, have %d (%s)", problem, pd_camera_source_get_problem (source),
             pd_camera_source_get_problem_message (source));
}

typedef struct
{
  PdSimPrinter *printer;
  guint         clients;
} ClientsWait;

static gboolean
has_clients (gpointer data)
{
  ClientsWait *wait = data;

  return pd_sim_printer_get_camera_clients (wait->printer) == wait->clients;
}

static void
wait_clients (PdSimPrinter *p,
              guint         clients)
{
  ClientsWait wait = { p, clients };

  if (!pd_test_wait_until (has_clients, &wait, 10))
    g_error ("expected %u camera clients, the simulator has %u", clients, pd_sim_printer_get_camera_clients (p));
}

/* Frames ------------------------------------------------------------------------*/

static void
check_streams (guint          index,
               PdCameraPixels format,
               int            width,
               int            height)
{
  PdSimPrinter              *p = printer (index);
  g_autoptr (PdCameraSource) source = source_for (p);
  PdCameraFrame             *frame;
  gint64                     stopped;
  guint                      viewer;

  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_IDLE);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (p), ==, 0);

  viewer = pd_camera_source_add_viewer (source, 0, 0);
  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_CONNECTING);
  wait_frames (source, 3);

  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_STREAMING);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NONE);
  frame = pd_camera_source_get_frame (source);
  g_assert_nonnull (frame);
  g_assert_cmpint (pd_camera_frame_get_format (frame), ==, format);
  g_assert_cmpint (pd_camera_frame_get_width (frame), ==, width);
  g_assert_cmpint (pd_camera_frame_get_height (frame), ==, height);
  g_assert_cmpuint (pd_camera_frame_get_sequence (frame), ==, pd_camera_source_get_n_frames (source));
  /* the printer's own JPEG is kept, for snapshots */
  g_assert_true ((pd_camera_frame_get_jpeg (frame) != NULL) == (index == JPEG_PRINTER));
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (p), ==, 1);
  g_assert_cmpuint (pd_camera_source_get_n_connections (source), ==, 1);

  /* The last viewer goes: the upstream closes after the linger. */
  pd_camera_source_remove_viewer (source, viewer);
  stopped = g_get_monotonic_time ();
  g_assert_true (pd_test_wait_until (is_idle, source, 3));
  wait_clients (p, 0);
  g_test_message ("upstream closed %.2f s after the last viewer left",
                  (double) (g_get_monotonic_time () - stopped) / G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - stopped, <, 2 * G_USEC_PER_SEC);
}

static void
test_jpeg_frames (void)
{
  /* decoded straight into the renderers' order, like RTSPS */
  check_streams (JPEG_PRINTER, PD_CAMERA_PIXELS_BGRA, 640, 360);
}

static void
test_rtsps_frames (void)
{
  check_streams (RTSPS_PRINTER, PD_CAMERA_PIXELS_BGRA, 320, 240);
}

static gboolean
frame_is_small (gpointer data)
{
  PdCameraFrame *frame = pd_camera_source_get_frame (data);

  return frame != NULL && pd_camera_frame_get_width (frame) <= 160;
}

/* Views share one upstream; the stream is scaled to the largest view, and
 * a grab gets the full size. */
static void
check_shared_and_scaled (guint index,
                         int   full_width,
                         int   full_height)
{
  PdSimPrinter              *p = printer (index);
  g_autoptr (PdCameraSource) source = source_for (p);
  g_autoptr (GAsyncResult)   result = NULL;
  g_autoptr (PdCameraFrame)  grabbed = NULL;
  g_autoptr (GError)         error = NULL;
  PdCameraFrame             *frame;
  guint                      a, b;
  guint                      sessions = pd_sim_printer_get_camera_sessions (p);

  a = pd_camera_source_add_viewer (source, 160, 120);
  b = pd_camera_source_add_viewer (source, 100, 100);
  wait_frames (source, 2);
  g_assert_true (pd_test_wait_until (frame_is_small, source, 10));
  frame = pd_camera_source_get_frame (source);
  g_assert_cmpint (pd_camera_frame_get_width (frame), <=, 160);
  g_assert_cmpint (pd_camera_frame_get_height (frame), <=, 120);
  g_assert_cmpint (pd_camera_frame_get_width (frame), >=, 150);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (p), ==, 1);
  g_assert_cmpuint (pd_camera_source_get_n_connections (source), ==, 1);
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 2);

  pd_camera_source_grab_async (source, 15000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  grabbed = pd_camera_source_grab_finish (source, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pd_camera_frame_get_width (grabbed), ==, full_width);
  g_assert_cmpint (pd_camera_frame_get_height (grabbed), ==, full_height);

  /* Still one connection for all of it. */
  g_assert_cmpuint (pd_camera_source_get_n_connections (source), ==, 1);
  g_assert_cmpuint (pd_sim_printer_get_camera_sessions (p), ==, sessions + 1);

  pd_camera_source_remove_viewer (source, a);
  pd_camera_source_remove_viewer (source, b);
  g_assert_true (pd_test_wait_until (is_idle, source, 3));
  wait_clients (p, 0);
}

static void
test_jpeg_shared (void)
{
  check_shared_and_scaled (JPEG_PRINTER, 640, 360);
}

static void
test_rtsps_shared (void)
{
  check_shared_and_scaled (RTSPS_PRINTER, 320, 240);
}

/* A snapshot without any view: it connects for one frame and goes again. */
static void
test_grab_without_viewers (void)
{
  PdSimPrinter              *p = printer (JPEG_PRINTER);
  g_autoptr (PdCameraSource) source = source_for (p);
  g_autoptr (GAsyncResult)   result = NULL;
  g_autoptr (PdCameraFrame)  frame = NULL;
  g_autoptr (GError)         error = NULL;

  pd_camera_source_grab_async (source, 15000, NULL, pd_test_store_result, &result);
  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_CONNECTING);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  frame = pd_camera_source_grab_finish (source, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pd_camera_frame_get_jpeg (frame));
  g_assert_true (pd_test_wait_until (is_idle, source, 3));
  wait_clients (p, 0);
}

/* Problems -------------------------------------------------------------------------*/

static void
test_wrong_code (gconstpointer data)
{
  guint                      index = GPOINTER_TO_UINT (data);
  PdSimPrinter              *p = printer (index);
  g_autoptr (PdCameraSource) source = source_for (p);
  g_autoptr (GAsyncResult)   result = NULL;
  g_autoptr (PdCameraFrame)  frame = NULL;
  g_autoptr (GError)         error = NULL;

  pd_camera_source_set_access_code (source, "00000000");
  pd_camera_source_add_viewer (source, 0, 0);
  wait_problem (source, PD_CAMERA_PROBLEM_WRONG_CODE);
  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_RETRYING);
  g_assert_nonnull (pd_camera_source_get_problem_message (source));
  g_test_message ("%s", pd_camera_source_get_problem_message (source));

  /* A grab says why at once, rather than at its timeout. */
  pd_camera_source_grab_async (source, 15000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 30));
  frame = pd_camera_source_grab_finish (source, result, &error);
  g_assert_null (frame);
  g_assert_nonnull (error);

  /* The right code: frames come, the problem goes. */
  pd_camera_source_set_access_code (source, pd_sim_printer_get_access_code (p));
  wait_frames (source, 1);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NONE);
}

static void
test_busy (gconstpointer data)
{
  guint                      index = GPOINTER_TO_UINT (data);
  PdSimPrinter              *p = printer (index);
  g_autoptr (PdCameraSource) first = source_for (p);
  g_autoptr (PdCameraSource) second = source_for (p);
  guint                      viewer;

  /* The last test's connection must be gone before the camera takes one. */
  wait_clients (p, 0);
  pd_sim_printer_set_camera_max_clients (p, 1);
  viewer = pd_camera_source_add_viewer (first, 0, 0);
  wait_frames (first, 1);

  /* The printer took our code for MQTT: an EOF is "busy", not "wrong code". */
  pd_camera_source_set_access_code_verified (second, TRUE);
  pd_camera_source_add_viewer (second, 0, 0);
  wait_problem (second, PD_CAMERA_PROBLEM_BUSY);
  g_test_message ("%s", pd_camera_source_get_problem_message (second));

  /* The first keeps its pictures. */
  wait_frames (first, 2);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (p), ==, 1);

  /* The first goes: the second gets the camera on its next try. */
  pd_camera_source_remove_viewer (first, viewer);
  wait_frames (second, 1);
  pd_sim_printer_set_camera_max_clients (p, 0);
}

typedef struct
{
  PdSimCameraFault fault;
  PdCameraProblem  problem;
} FaultCase;

static void
test_jpeg_fault (gconstpointer data)
{
  const FaultCase           *fault = data;
  PdSimPrinter              *p = printer (JPEG_PRINTER);
  g_autoptr (PdCameraSource) source = source_for (p);

  pd_camera_source_add_viewer (source, 0, 0);
  wait_frames (source, 1);

  pd_sim_printer_set_camera_fault (p, fault->fault);
  wait_problem (source, fault->problem);
  g_test_message ("%s", pd_camera_source_get_problem_message (source));
  pd_sim_printer_set_camera_fault (p, PD_SIM_CAMERA_FAULT_NONE);

  /* It tries again and recovers. */
  wait_frames (source, 1);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NONE);
}

static void
test_camera_off (gconstpointer data)
{
  guint                      index = GPOINTER_TO_UINT (data);
  PdSimPrinter              *p = printer (index);
  g_autoptr (PdCameraSource) source = source_for (p);
  g_autoptr (GError)         error = NULL;

  g_assert_true (pd_sim_printer_set_camera_enabled (p, FALSE, &error));
  g_assert_no_error (error);
  pd_camera_source_add_viewer (source, 0, 0);
  wait_problem (source, PD_CAMERA_PROBLEM_UNREACHABLE);
  g_test_message ("%s", pd_camera_source_get_problem_message (source));

  /* What the printer says in its report ("rtsp_url": "disable") wins. */
  pd_camera_source_set_liveview_disabled (source, TRUE);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NO_CAMERA);
  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_IDLE);

  g_assert_true (pd_sim_printer_set_camera_enabled (p, TRUE, &error));
  pd_camera_source_set_liveview_disabled (source, FALSE);
  wait_frames (source, 1);
}

static void
test_certificate_refused (void)
{
  PdSimPrinter              *p = printer (JPEG_PRINTER);
  g_autoptr (PdCameraSource) source = source_for (p);
  const char                *other = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:"
                                     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

  pd_camera_source_set_pinned_fingerprint (source, other);
  pd_camera_source_add_viewer (source, 0, 0);
  wait_problem (source, PD_CAMERA_PROBLEM_CERTIFICATE);
  g_assert_cmpuint (pd_camera_source_get_n_frames (source), ==, 0);
  g_test_message ("%s", pd_camera_source_get_problem_message (source));
}

static void
on_pinned (PdCameraSource *source,
           const char     *fingerprint,
           char          **out)
{
  g_free (*out);
  *out = g_strdup (fingerprint);
}

static void
test_first_use_pins (void)
{
  PdSimPrinter              *p = printer (RTSPS_PRINTER);
  g_autoptr (PdCameraSource) source = source_for (p);
  g_autofree char           *pinned = NULL;

  pd_camera_source_set_pinned_fingerprint (source, NULL);
  g_signal_connect (source, "certificate-pinned", G_CALLBACK (on_pinned), &pinned);
  pd_camera_source_add_viewer (source, 0, 0);
  wait_frames (source, 1);
  g_assert_cmpstr (pinned, ==, pd_sim_printer_get_fingerprint (p));
  g_assert_cmpstr (pd_camera_source_get_fingerprint (source), ==, pd_sim_printer_get_fingerprint (p));
}

static void
test_unreachable (void)
{
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (PdCameraSource) source = NULL;
  guint16                    port;

  /* A port that is free (bound, not listening): connections are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  source = pd_camera_source_new (PD_CAMERA_KIND_JPEG, "127.0.0.1", port, "01S00A000000001");
  pd_camera_source_set_access_code (source, "12345678");
  pd_camera_source_add_viewer (source, 0, 0);
  wait_problem (source, PD_CAMERA_PROBLEM_UNREACHABLE);

  g_clear_object (&source);
  source = pd_camera_source_new (PD_CAMERA_KIND_RTSPS, "127.0.0.1", port, "00M00A000000001");
  pd_camera_source_set_access_code (source, "12345678");
  pd_camera_source_add_viewer (source, 0, 0);
  wait_problem (source, PD_CAMERA_PROBLEM_UNREACHABLE);
}

static void
test_preconditions (void)
{
  g_autoptr (PdCameraSource) source = pd_camera_source_new (PD_CAMERA_KIND_NONE, "127.0.0.1", 0, "S");

  pd_camera_source_add_viewer (source, 0, 0);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NO_CAMERA);
  g_assert_cmpint (pd_camera_source_get_state (source), ==, PD_CAMERA_STATE_IDLE);

  pd_camera_source_set_kind (source, PD_CAMERA_KIND_JPEG);
  g_assert_cmpint (pd_camera_source_get_problem (source), ==, PD_CAMERA_PROBLEM_NO_ACCESS_CODE);
  g_assert_cmpuint (pd_camera_source_get_n_connections (source), ==, 0);
}

/* Snapshots -----------------------------------------------------------------------*/

static PdCameraFrame *
grab (guint index)
{
  g_autoptr (PdCameraSource) source = source_for (printer (index));
  g_autoptr (GAsyncResult)   result = NULL;
  g_autoptr (GError)         error = NULL;
  PdCameraFrame             *frame;

  pd_camera_source_grab_async (source, 15000, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  frame = pd_camera_source_grab_finish (source, result, &error);
  g_assert_no_error (error);

  return frame;
}

static GFile *
save (PdSnapshotStore *store,
      const char      *name,
      PdCameraFrame   *frame,
      GDateTime       *when)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  GFile                   *file;

  pd_snapshot_store_save_async (store, name, frame, when, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 10));
  file = pd_snapshot_store_save_finish (store, result, &error);
  g_assert_no_error (error);

  return file;
}

static void
test_snapshots (void)
{
  g_autofree char            *dir = g_dir_make_tmp ("printdeck-snapshots-XXXXXX", NULL);
  g_autoptr (PdSnapshotStore) store = pd_snapshot_store_new (dir);
  g_autoptr (PdCameraFrame)   jpeg_frame = grab (JPEG_PRINTER);
  g_autoptr (PdCameraFrame)   rtsps_frame = grab (RTSPS_PRINTER);
  g_autoptr (GDateTime)       when = g_date_time_new_local (2026, 11, 26, 4, 12, 6);
  g_autoptr (GFile)           first = NULL;
  g_autoptr (GFile)           second = NULL;
  g_autoptr (GFile)           third = NULL;
  g_autoptr (GdkPixbuf)       pixbuf = NULL;
  g_autoptr (GError)          error = NULL;
  g_autoptr (GListModel)      list = NULL;
  g_autofree char            *path = NULL;
  g_autofree char            *folder = pd_snapshot_store_folder_name ("Shop/A1 ");
  guint64                     size;

  g_assert_cmpstr (folder, ==, "Shop_A1");
  g_clear_pointer (&folder, g_free);
  folder = pd_snapshot_store_folder_name ("..");
  g_assert_cmpstr (folder, ==, "Printer");

  /* The printer's JPEG as sent; RTSPS frames as PNG. */
  first = save (store, "Shop/A1", jpeg_frame, when);
  path = g_file_get_path (first);
  g_assert_true (g_str_has_suffix (path, "/Shop_A1/2026-11-26 04-12-06.jpg"));
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, pd_camera_frame_get_width (jpeg_frame));
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, pd_camera_frame_get_height (jpeg_frame));
  g_clear_object (&pixbuf);
  g_clear_pointer (&path, g_free);

  second = save (store, "Shop/A1", rtsps_frame, when);
  path = g_file_get_path (second);
  g_assert_true (g_str_has_suffix (path, "/Shop_A1/2026-11-26 04-12-06.png"));
  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 320);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 240);
  g_clear_object (&pixbuf);
  g_clear_pointer (&path, g_free);

  /* The same second again: a new name, never an overwrite. */
  third = save (store, "Shop/A1", jpeg_frame, when);
  path = g_file_get_path (third);
  g_assert_true (g_str_has_suffix (path, "/2026-11-26 04-12-06 (2).jpg"));

  /* The gallery's list, newest first. */
  list = pd_snapshot_store_list (store, "Shop/A1");
  pd_test_spin (300);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  {
    g_autoptr (GFileInfo) newest = g_list_model_get_item (list, 0);

    g_assert_cmpstr (g_file_info_get_name (newest), ==, "2026-11-26 04-12-06 (2).jpg");
  }

  /* The limit: room for about one picture; the oldest go, the new one stays. */
  size = (guint64) g_bytes_get_size (pd_camera_frame_get_jpeg (jpeg_frame));
  pd_snapshot_store_set_limit (store, size + size / 2);
  {
    g_autoptr (GDateTime) later = g_date_time_add_seconds (when, 60);
    g_autoptr (GFile)     fourth = save (store, "Shop/A1", jpeg_frame, later);

    g_assert_true (g_file_query_exists (fourth, NULL));
    g_assert_false (g_file_query_exists (first, NULL));
    g_assert_false (g_file_query_exists (second, NULL));
    g_assert_false (g_file_query_exists (third, NULL));
    g_assert_cmpuint (g_list_model_get_n_items (list), ==, 1);

    g_assert_true (pd_snapshot_store_delete (store, fourth, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (list), ==, 0);
  }

  /* A folder that cannot be made: an error, not a crash. */
  {
    g_autofree char            *blocker = g_build_filename (dir, "file", NULL);
    g_autofree char            *base = g_build_filename (blocker, "sub", NULL);
    g_autoptr (PdSnapshotStore) bad = pd_snapshot_store_new (base);
    g_autoptr (GAsyncResult)    result = NULL;
    g_autoptr (GFile)           none = NULL;

    g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
    pd_snapshot_store_save_async (bad, "P", jpeg_frame, when, NULL, pd_test_store_result, &result);
    g_assert_true (pd_test_wait_for_result (&result, 10));
    none = pd_snapshot_store_save_finish (bad, result, &error);
    g_assert_null (none);
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_unlink (blocker);
  }

  pd_test_remove_tree (dir);
}

/* printdeck-cli snapshot ---------------------------------------------------------*/

static int
run_cli (PdSimPrinter *p,
         const char   *code,
         const char   *output,
         char        **err)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess)         process = NULL;
  g_autoptr (GError)              error = NULL;
  g_autoptr (GAsyncResult)        result = NULL;
  g_autofree char                *port = g_strdup_printf ("%u", pd_sim_printer_get_camera_port (p));
  const char                     *camera = pd_sim_printer_get_camera_kind (p) == PD_CAMERA_KIND_RTSPS ? "rtsps" : "jpeg";

  g_subprocess_launcher_setenv (launcher, "PRINTDECK_ACCESS_CODE", code, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, PRINTDECK_CLI, "snapshot",
                                         pd_sim_printer_get_host (p), pd_sim_printer_get_serial (p),
                                         "--camera", camera, "--port", port,
                                         "--fingerprint", pd_sim_printer_get_fingerprint (p),
                                         "--timeout", "15", "-o", output, NULL);
  g_assert_no_error (error);
  /* The simulator runs on this thread's main loop: keep it turning. */
  g_subprocess_communicate_utf8_async (process, NULL, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 40));
  g_assert_true (g_subprocess_communicate_utf8_finish (process, result, NULL, err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("printdeck-cli snapshot: %s", *err);

  return g_subprocess_get_exit_status (process);
}

static void
test_cli_snapshot (void)
{
  g_autofree char      *dir = g_dir_make_tmp ("printdeck-cli-snapshot-XXXXXX", NULL);
  g_autofree char      *png = g_build_filename (dir, "x1c.png", NULL);
  g_autofree char      *jpg = g_build_filename (dir, "a1.jpg", NULL);
  g_autofree char      *err = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError)    error = NULL;

  g_assert_cmpint (run_cli (printer (RTSPS_PRINTER), pd_sim_printer_get_access_code (printer (RTSPS_PRINTER)), png, &err),
                   ==, 0);
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 320);
  g_clear_object (&pixbuf);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_cli (printer (JPEG_PRINTER), pd_sim_printer_get_access_code (printer (JPEG_PRINTER)), jpg, &err),
                   ==, 0);
  pixbuf = gdk_pixbuf_new_from_file (jpg, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 640);
  g_clear_pointer (&err, g_free);

  /* Exit status 4 and the reason for a wrong code; the code never printed. */
  g_assert_cmpint (run_cli (printer (RTSPS_PRINTER), "87654321", png, &err), ==, 4);
  g_test_message ("%s", err);
  g_assert_nonnull (strstr (err, "Wrong access code"));
  g_assert_null (strstr (err, "87654321"));

  pd_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr (GError) error = NULL;
  static const char *const models[] = { "A1", "X1C", NULL };
  static const FaultCase truncated = { PD_SIM_CAMERA_FAULT_TRUNCATED, PD_CAMERA_PROBLEM_LOST };
  static const FaultCase oversized = { PD_SIM_CAMERA_FAULT_OVERSIZED, PD_CAMERA_PROBLEM_BAD_DATA };
  static const FaultCase garbage = { PD_SIM_CAMERA_FAULT_GARBAGE, PD_CAMERA_PROBLEM_BAD_DATA };
  static const FaultCase mid_frame = { PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME, PD_CAMERA_PROBLEM_LOST };
  PdSimOptions       options;
  int                status;

  g_test_init (&argc, &argv, NULL);

  pd_sim_options_init (&options);
  options.n_printers = N_PRINTERS;
  options.models = models;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("the simulator did not start: %s", error->message);
  g_assert_cmpint (pd_sim_printer_get_camera_kind (printer (JPEG_PRINTER)), ==, PD_CAMERA_KIND_JPEG);
  g_assert_cmpint (pd_sim_printer_get_camera_kind (printer (RTSPS_PRINTER)), ==, PD_CAMERA_KIND_RTSPS);

  g_test_add_func ("/camera/jpeg/frames", test_jpeg_frames);
  g_test_add_func ("/camera/rtsps/frames", test_rtsps_frames);
  g_test_add_func ("/camera/jpeg/shared-and-scaled", test_jpeg_shared);
  g_test_add_func ("/camera/rtsps/shared-and-scaled", test_rtsps_shared);
  g_test_add_func ("/camera/grab-without-viewers", test_grab_without_viewers);
  g_test_add_data_func ("/camera/jpeg/wrong-code", GUINT_TO_POINTER (JPEG_PRINTER), test_wrong_code);
  g_test_add_data_func ("/camera/rtsps/wrong-code", GUINT_TO_POINTER (RTSPS_PRINTER), test_wrong_code);
  g_test_add_data_func ("/camera/jpeg/busy", GUINT_TO_POINTER (JPEG_PRINTER), test_busy);
  g_test_add_data_func ("/camera/rtsps/busy", GUINT_TO_POINTER (RTSPS_PRINTER), test_busy);
  g_test_add_data_func ("/camera/jpeg/fault/truncated", &truncated, test_jpeg_fault);
  g_test_add_data_func ("/camera/jpeg/fault/oversized", &oversized, test_jpeg_fault);
  g_test_add_data_func ("/camera/jpeg/fault/garbage", &garbage, test_jpeg_fault);
  g_test_add_data_func ("/camera/jpeg/fault/close-mid-frame", &mid_frame, test_jpeg_fault);
  g_test_add_data_func ("/camera/jpeg/off", GUINT_TO_POINTER (JPEG_PRINTER), test_camera_off);
  g_test_add_data_func ("/camera/rtsps/off", GUINT_TO_POINTER (RTSPS_PRINTER), test_camera_off);
  g_test_add_func ("/camera/certificate-refused", test_certificate_refused);
  g_test_add_func ("/camera/first-use-pins", test_first_use_pins);
  g_test_add_func ("/camera/unreachable", test_unreachable);
  g_test_add_func ("/camera/preconditions", test_preconditions);
  g_test_add_func ("/camera/snapshots", test_snapshots);
  g_test_add_func ("/camera/cli-snapshot", test_cli_snapshot);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
