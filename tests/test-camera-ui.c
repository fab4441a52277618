/* test-camera-ui.c — camera views, the camera window, the camera wall and the
 * snapshot gallery, against the simulator's real cameras, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app runs as it does for a user (its store, its camera sources, its
 * actions), with four simulated printers: two RTSPS cameras (X1C, H2D) and
 * two port-6000 JPEG cameras (A1, P1P), each serving one client at a time
 * as real printers do. Access codes stay in memory. Every wait is bounded.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pd-application.h"
#include "pd-camera-manager.h"
#include "pd-camera-paintable.h"
#include "pd-camera-throttle.h"
#include "pd-camera-view.h"
#include "pd-camera-window.h"
#include "pd-cameras-window.h"
#include "pd-format.h"
#include "pd-preferences-window.h"
#include "pd-printer-card.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-snapshot-store.h"
#include "pd-snapshot-window.h"
#include "pd-test-app.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

enum
{
  X1C,
  A1,
  H2D,
  P1P,
  N_PRINTERS
};

static PdSim         *sim;
static PdApplication *app;
static PdWindow      *window;
static char          *config_dir;
static char          *cache_dir;
static char          *pictures_dir;
static GHashTable    *saved; /* paths PdSnapshotStore::saved said it wrote */

/* Helpers ------------------------------------------------------------------------*/

static PdSimPrinter *
sim_printer (guint index)
{
  return pd_sim_get_printer (sim, index);
}

static PdPrinter *
app_printer (guint index)
{
  return pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (sim_printer (index)));
}

static PdCameraManager *
cameras (void)
{
  return pd_application_get_cameras (app);
}

static PdCameraSource *
camera (guint index)
{
  return pd_camera_manager_get_camera (cameras (), app_printer (index));
}

static gboolean
view_has_picture (gpointer data)
{
  PdCameraPaintable *paintable = pd_camera_view_get_paintable (data);

  return paintable != NULL && gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)) > 0;
}

static void
wait_for_picture (PdCameraView *view)
{
  if (!pd_test_wait_until (view_has_picture, view, 30))
    g_error ("no picture in 30 s; the view says: %s", pd_camera_view_get_status (view));
}

static gboolean
view_is_viewer (gpointer data)
{
  return pd_camera_view_get_viewer_id (data) != 0;
}

static gboolean
source_is_idle (gpointer data)
{
  return pd_camera_source_get_n_viewers (data) == 0 && pd_camera_source_get_state (data) == PD_CAMERA_STATE_IDLE;
}

static gboolean
sim_has_no_camera_clients (gpointer data)
{
  return pd_sim_printer_get_camera_clients (data) == 0;
}

/* Waits until the printer's camera is off and the simulator has let go of
 * its client (a camera that serves one client takes a moment to notice).
 */
static void
wait_camera_off (guint index)
{
  g_assert_true (pd_test_wait_until (source_is_idle, camera (index), 10));
  g_assert_true (pd_test_wait_until (sim_has_no_camera_clients, sim_printer (index), 10));
}

static char *
snapshot_folder (guint index)
{
  g_autofree char *folder = pd_snapshot_store_folder_name (pd_format_printer_name (app_printer (index)));

  return g_build_filename (pictures_dir, folder, NULL);
}

/* The snapshots in the printer's folder (not the temporary files) */
static GPtrArray *
list_snapshots (guint index)
{
  g_autofree char *folder = snapshot_folder (index);
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  GPtrArray       *files = g_ptr_array_new_with_free_func (g_free);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png") || g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (files, g_build_filename (folder, name, NULL));

  return files;
}

static guint
count_snapshots (guint index)
{
  g_autoptr (GPtrArray) files = list_snapshots (index);

  return files->len;
}

typedef struct
{
  guint index;
  guint count;
} SnapshotCount;

static void
on_saved (PdSnapshotStore *store,
          GFile           *file)
{
  g_hash_table_add (saved, g_file_get_path (file));
}

/* The files are there and written to the end (the store said so). */
static gboolean
has_snapshots (gpointer data)
{
  SnapshotCount        *want = data;
  g_autoptr (GPtrArray) files = list_snapshots (want->index);

  for (guint i = 0; i < files->len; i++)
    if (!g_hash_table_contains (saved, g_ptr_array_index (files, i)))
      return FALSE;

  return files->len >= want->count;
}

static GtkWindow *
find_toplevel (GType      type,
               PdPrinter *printer)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      PdPrinter            *shown = NULL;

      if (!G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type))
        continue;
      if (PD_IS_CAMERA_WINDOW (toplevel))
        shown = pd_camera_window_get_printer (PD_CAMERA_WINDOW (toplevel));
      else if (PD_IS_SNAPSHOT_WINDOW (toplevel))
        shown = pd_snapshot_window_get_printer (PD_SNAPSHOT_WINDOW (toplevel));
      if (printer == NULL || shown == printer)
        return toplevel;
    }

  return NULL;
}

static guint
count_toplevels (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint       n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      n += G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type);
    }

  return n;
}

static void
activate_app_action (const char *name,
                     const char *serial)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), name, serial != NULL ? g_variant_new_string (serial) : NULL);
}

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = find_descendant (child, type)) != NULL)
        return found;
    }

  return NULL;
}

/* Tests ---------------------------------------------------------------------------*/

/* Every class goes away when let go. */
static void
test_new_destroy (void)
{
  PdCameraSource    *source = pd_camera_source_new (PD_CAMERA_KIND_JPEG, "127.0.0.1", 1, "01S00C000000001");
  PdCameraPaintable *paintable = pd_camera_paintable_new (source);
  PdCameraPaintable *shared = pd_camera_paintable_get_for_source (source);
  PdCameraPaintable *again = pd_camera_paintable_get_for_source (source);
  GtkWidget         *view;
  GtkWidget         *toplevel;

  g_assert_true (shared == again);
  g_assert_true (shared != paintable);
  g_object_unref (again);
  g_assert_finalize_object (shared);
  g_assert_finalize_object (paintable);

  view = g_object_ref_sink (pd_camera_view_new (source));
  g_assert_true (pd_camera_view_get_live (PD_CAMERA_VIEW (view)));
  g_assert_cmpuint (pd_camera_view_get_viewer_id (PD_CAMERA_VIEW (view)), ==, 0);
  g_assert_finalize_object (view);
  g_assert_finalize_object (source);

  toplevel = g_object_ref (pd_camera_window_new (cameras (), app_printer (X1C)));
  gtk_window_destroy (GTK_WINDOW (toplevel));
  g_assert_finalize_object (toplevel);

  toplevel = g_object_ref (pd_snapshot_window_new (cameras (), app_printer (X1C)));
  gtk_window_destroy (GTK_WINDOW (toplevel));
  g_assert_finalize_object (toplevel);

  toplevel = g_object_ref (pd_cameras_window_new (cameras ()));
  gtk_window_destroy (GTK_WINDOW (toplevel));
  g_assert_finalize_object (toplevel);

  {
    g_autofree char *other_config = g_dir_make_tmp ("printdeck-config-XXXXXX", NULL);
    g_autofree char *other_cache = g_dir_make_tmp ("printdeck-cache-XXXXXX", NULL);
    PdPrinterStore  *store = pd_printer_store_new (other_config, other_cache);
    PdCameraManager *manager = pd_camera_manager_new (store, NULL, pictures_dir);

    g_assert_true (pd_camera_manager_get_store (manager) == store);
    g_assert_cmpstr (pd_snapshot_store_get_base_dir (pd_camera_manager_get_snapshot_store (manager)), ==, pictures_dir);
    g_assert_finalize_object (manager);
    pd_printer_store_shutdown (store);
    g_object_unref (store);
    pd_test_remove_tree (other_config);
    pd_test_remove_tree (other_cache);
  }
}

/* A mapped view is a viewer and shows the camera; unmapped, or not live,
 * it lets go.
 */
static void
test_view_frames (void)
{
  PdCameraSource    *source = camera (X1C);
  GtkWidget         *toplevel = gtk_window_new ();
  GtkWidget         *view = pd_camera_view_new (source);
  PdCameraPaintable *paintable;
  guint64            frames;

  pd_camera_view_set_printer_name (PD_CAMERA_VIEW (view), "X1C");
  gtk_window_set_child (GTK_WINDOW (toplevel), view);
  gtk_window_set_default_size (GTK_WINDOW (toplevel), 480, 270);
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 0);
  gtk_window_present (GTK_WINDOW (toplevel));

  wait_for_picture (PD_CAMERA_VIEW (view));
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 1);
  g_assert_cmpuint (pd_camera_view_get_viewer_id (PD_CAMERA_VIEW (view)), !=, 0);
  g_assert_true (pd_camera_view_get_has_picture (PD_CAMERA_VIEW (view)));
  g_assert_true (g_str_has_prefix (pd_camera_view_get_status (PD_CAMERA_VIEW (view)), "Live, "));
  g_assert_false (gtk_widget_get_visible (template_child (view, PD_TYPE_CAMERA_VIEW, "status_box")));

  /* A frame becomes a texture when it is drawn, not when it arrives. */
  paintable = pd_camera_view_get_paintable (PD_CAMERA_VIEW (view));
  pd_test_wait_for_frames (view);
  g_assert_cmpuint (pd_camera_paintable_get_n_conversions (paintable), >, 0);
  frames = pd_camera_source_get_n_frames (source);
  pd_test_spin (500);
  g_assert_cmpuint (pd_camera_source_get_n_frames (source), >, frames);
  g_assert_cmpuint (pd_camera_paintable_get_n_conversions (paintable), <=,
                    pd_camera_source_get_n_frames (source));

  /* Not live: no viewer, although on screen; the last picture stays. */
  pd_camera_view_set_live (PD_CAMERA_VIEW (view), FALSE);
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 0);
  g_assert_cmpuint (pd_camera_view_get_viewer_id (PD_CAMERA_VIEW (view)), ==, 0);
  g_assert_true (pd_camera_view_get_has_picture (PD_CAMERA_VIEW (view)));
  pd_camera_view_set_live (PD_CAMERA_VIEW (view), TRUE);
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 1);

  /* Hidden: unmapped, so not a viewer. */
  gtk_widget_set_visible (view, FALSE);
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 0);
  gtk_widget_set_visible (view, TRUE);
  /* a viewer again once it has its size, in the next frame */
  g_assert_true (pd_test_wait_until (view_is_viewer, view, 5));
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 1);

  gtk_window_destroy (GTK_WINDOW (toplevel));
  wait_camera_off (X1C);
}

/* Two views of one printer: one connection to the printer, one texture per
 * frame; closing the window stops the camera within the linger.
 */
static void
test_view_shared (void)
{
  PdCameraSource *source = camera (A1);
  GtkWidget      *toplevel = gtk_window_new ();
  GtkWidget      *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget      *first = pd_camera_view_new (source);
  GtkWidget      *second = pd_camera_view_new (source);
  gint64          closed;

  gtk_widget_set_size_request (first, 320, 180);
  gtk_widget_set_size_request (second, 160, 90);
  gtk_box_append (GTK_BOX (box), first);
  gtk_box_append (GTK_BOX (box), second);
  gtk_window_set_child (GTK_WINDOW (toplevel), box);
  gtk_window_present (GTK_WINDOW (toplevel));

  wait_for_picture (PD_CAMERA_VIEW (first));
  wait_for_picture (PD_CAMERA_VIEW (second));
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 2);
  g_assert_cmpuint (pd_sim_printer_get_camera_clients (sim_printer (A1)), ==, 1);
  g_assert_true (pd_camera_view_get_paintable (PD_CAMERA_VIEW (first)) ==
                 pd_camera_view_get_paintable (PD_CAMERA_VIEW (second)));

  gtk_window_destroy (GTK_WINDOW (toplevel));
  closed = g_get_monotonic_time ();
  g_assert_cmpuint (pd_camera_source_get_n_viewers (source), ==, 0);
  g_assert_true (pd_test_wait_until (source_is_idle, source, 3));
  g_test_message ("idle %.1f s after the window closed", (g_get_monotonic_time () - closed) / 1e6);
  g_assert_cmpint (g_get_monotonic_time () - closed, <, (PD_CAMERA_SOURCE_LINGER_MS + 1000) * 1000);
  g_assert_true (pd_test_wait_until (sim_has_no_camera_clients, sim_printer (A1), 10));
}

static gboolean
view_says (gpointer data)
{
  PdCameraView *view = ((gpointer *) data)[0];
  const char   *words = ((gpointer *) data)[1];

  return pd_camera_view_get_status (view) != NULL && strstr (pd_camera_view_get_status (view), words) != NULL;
}

static gboolean
view_spins_or_fails (gpointer data)
{
  return gtk_widget_get_visible (template_child (data, PD_TYPE_CAMERA_VIEW, "spinner")) ||
         pd_camera_source_get_problem (pd_camera_view_get_source (data)) != PD_CAMERA_PROBLEM_NONE;
}

/* Problems in plain words, with where to fix them. */
static void
test_view_problems (void)
{
  PdSimPrinter              *p = sim_printer (P1P);
  g_autoptr (PdCameraSource) wrong = pd_camera_source_new (PD_CAMERA_KIND_JPEG, pd_sim_printer_get_host (p),
                                                           pd_sim_printer_get_camera_port (p),
                                                           pd_sim_printer_get_serial (p));
  GtkWidget                 *toplevel = gtk_window_new ();
  GtkWidget                 *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget                 *view = pd_camera_view_new (wrong);
  GtkWidget                 *none = pd_camera_view_new (NULL);
  gpointer                   wait[2] = { view, (gpointer) "Wrong access code" };
  GtkWidget                 *title;
  GtkWidget                 *hint;

  pd_camera_source_set_access_code (wrong, "00000000");
  pd_camera_source_set_pinned_fingerprint (wrong, pd_sim_printer_get_fingerprint (p));
  gtk_widget_set_size_request (view, 480, 270);
  gtk_widget_set_size_request (none, 480, 270);
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), none);
  gtk_window_set_child (GTK_WINDOW (toplevel), box);
  gtk_window_present (GTK_WINDOW (toplevel));

  /* Connecting first, with a spinner. */
  g_assert_true (pd_test_wait_until (view_spins_or_fails, view, 5));

  g_assert_true (pd_test_wait_until (view_says, wait, 20));
  title = template_child (view, PD_TYPE_CAMERA_VIEW, "title_label");
  hint = template_child (view, PD_TYPE_CAMERA_VIEW, "hint_label");
  g_assert_true (gtk_widget_get_visible (template_child (view, PD_TYPE_CAMERA_VIEW, "status_box")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Wrong access code");
  g_assert_true (gtk_widget_get_visible (hint));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (hint)), "access code"));
  g_assert_false (gtk_widget_get_visible (template_child (view, PD_TYPE_CAMERA_VIEW, "spinner")));
  /* the code itself is never shown */
  g_assert_null (strstr (pd_camera_view_get_status (PD_CAMERA_VIEW (view)), "00000000"));

  /* No camera at all: said so, and why. */
  g_assert_cmpstr (pd_camera_view_get_status (PD_CAMERA_VIEW (none)), ==, "No camera");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (template_child (none, PD_TYPE_CAMERA_VIEW, "title_label"))), ==,
                   "No Camera");

  g_object_unref (pd_test_save_screenshot (toplevel, "camera-problems.png"));
  gtk_window_destroy (GTK_WINDOW (toplevel));
  g_assert_true (pd_test_wait_until (source_is_idle, wrong, 5));
  g_assert_true (pd_test_wait_until (sim_has_no_camera_clients, p, 10));
}

/* The card offers the camera; the printer page shows it while it is open. */
static void
test_card_and_page (void)
{
  g_autoptr (GList) cards = _pd_window_get_cards (window);
  PdPrinter     *printer = app_printer (H2D);
  PdPrinterPage *page = _pd_window_get_printer_page (window);
  GtkWidget     *button = NULL;
  GtkWidget     *page_view;

  for (const GList *l = cards; l != NULL; l = l->next)
    if (pd_printer_card_get_printer (l->data) == printer)
      button = template_child (l->data, PD_TYPE_PRINTER_CARD, "camera_button");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "app.show-camera");
  g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (button)), NULL), ==,
                   pd_printer_get_serial (printer));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Show Camera");

  pd_window_show_printer (window, printer);
  g_assert_true (gtk_widget_get_visible (template_child (page, PD_TYPE_PRINTER_PAGE, "camera_group")));
  page_view = template_child (page, PD_TYPE_PRINTER_PAGE, "camera_view");
  wait_for_picture (PD_CAMERA_VIEW (page_view));
  g_assert_cmpuint (pd_camera_source_get_n_viewers (camera (H2D)), ==, 1);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "printer-page-camera.png"));

  /* Back to the cards: the page is out of sight, the camera stops. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-printers", NULL));
  g_assert_true (pd_test_wait_until (source_is_idle, camera (H2D), 10));
}

/* The camera window: one per printer, the stream's size and rate in its
 * title, a snapshot at the camera's full size.
 */
static gboolean
subtitle_has_rate (gpointer data)
{
  const char *subtitle = _pd_camera_window_get_subtitle (data);

  return subtitle != NULL && strstr (subtitle, " fps") != NULL;
}

static void
test_camera_window (void)
{
  PdPrinter            *printer = app_printer (X1C);
  PdCameraWindow       *camera_window;
  PdCameraView         *view;
  SnapshotCount         want = { X1C, 1 };
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GError)    error = NULL;
  PdCameraFrame        *frame;
  GtkWidget            *header;

  g_assert_cmpuint (count_snapshots (X1C), ==, 0);

  activate_app_action ("show-camera", pd_printer_get_serial (printer));
  camera_window = PD_CAMERA_WINDOW (find_toplevel (PD_TYPE_CAMERA_WINDOW, printer));
  g_assert_nonnull (camera_window);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (camera_window)), ==, pd_format_printer_name (printer));
  gtk_window_set_default_size (GTK_WINDOW (camera_window), 640, 420);

  /* Asked again: the same window, raised. */
  activate_app_action ("show-camera", pd_printer_get_serial (printer));
  g_assert_cmpuint (count_toplevels (PD_TYPE_CAMERA_WINDOW), ==, 1);

  view = _pd_camera_window_get_view (camera_window);
  wait_for_picture (view);
  g_assert_true (pd_test_wait_until (subtitle_has_rate, camera_window, 10));
  g_test_message ("subtitle: %s", _pd_camera_window_get_subtitle (camera_window));
  g_assert_nonnull (strstr (_pd_camera_window_get_subtitle (camera_window), " × "));

  /* Ctrl+S's action: a file in the printer's folder, as large as the camera's picture. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (camera_window), "win.snapshot", NULL));
  g_assert_true (pd_test_wait_until (has_snapshots, &want, 20));
  files = list_snapshots (X1C);
  g_assert_cmpuint (files->len, ==, 1);
  pixbuf = gdk_pixbuf_new_from_file (g_ptr_array_index (files, 0), &error);
  g_assert_no_error (error);
  frame = pd_camera_source_get_frame (camera (X1C));
  g_assert_nonnull (frame);
  g_test_message ("snapshot %d × %d, last frame %d × %d", gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                  pd_camera_frame_get_width (frame), pd_camera_frame_get_height (frame));
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 320);
  g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, 240);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), >=, pd_camera_frame_get_width (frame));

  pd_test_spin (300);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (camera_window), "camera-window.png"));

  /* Compact mode: no header bar, one button back; Escape leaves it. */
  header = template_child (camera_window, PD_TYPE_CAMERA_WINDOW, "header_bar");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (camera_window), "win.compact", NULL));
  g_assert_true (pd_camera_window_get_compact (camera_window));
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_true (gtk_widget_get_visible (template_child (camera_window, PD_TYPE_CAMERA_WINDOW, "leave_button")));
  pd_test_spin (200);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (camera_window), "camera-window-compact.png"));
  /* the picture takes the whole window */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (view)), ==, gtk_widget_get_height (GTK_WIDGET (camera_window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (camera_window), "win.leave", NULL));
  g_assert_false (pd_camera_window_get_compact (camera_window));
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_false (gtk_widget_get_visible (template_child (camera_window, PD_TYPE_CAMERA_WINDOW, "leave_button")));
}

static const char *
first_words (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *words;

      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && *gtk_label_get_label (GTK_LABEL (child)) != '\0')
        return gtk_label_get_label (GTK_LABEL (child));
      if ((words = first_words (child)) != NULL)
        return words;
    }

  return NULL;
}

/* A name a screen reader can say for a focus stop. */
static const char *
focus_stop_name (GtkWidget *widget)
{
  /* a tile: the first words it shows, its caption's printer name */
  if (GTK_IS_FLOW_BOX_CHILD (widget))
    return first_words (widget);

  if (gtk_widget_get_ancestor (widget, g_type_from_name ("AdwToastWidget")) != NULL)
    {
      if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
        return gtk_button_get_label (GTK_BUTTON (widget));
      return "Dismiss";
    }

  for (guint depth = 0; widget != NULL && depth < 3; depth++, widget = gtk_widget_get_parent (widget))
    {
      if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
        return gtk_button_get_label (GTK_BUTTON (widget));
      if (gtk_widget_get_tooltip_text (widget) != NULL)
        return gtk_widget_get_tooltip_text (widget);
    }

  return NULL;
}

/* Walks the focus chain with Tab (bounded); every stop has a name. */
static GHashTable *
walk_focus_chain (GtkWidget *root)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget  *first = NULL;

  gtk_root_set_focus (GTK_ROOT (root), NULL);
  for (guint i = 0; i < 100; i++)
    {
      GtkWidget  *focus;
      const char *name;

      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        {
          gtk_root_set_focus (GTK_ROOT (root), NULL);
          if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
            break;
        }
      focus = gtk_root_get_focus (GTK_ROOT (root));
      g_assert_nonnull (focus);
      if (focus == first)
        return names;
      if (first == NULL)
        first = focus;

      name = focus_stop_name (focus);
      if (name == NULL)
        g_error ("focus stop without a name: %s", G_OBJECT_TYPE_NAME (focus));
      g_test_message ("Tab: %s \"%s\"", G_OBJECT_TYPE_NAME (focus), name);
      g_hash_table_add (names, g_strdup (name));
    }

  g_error ("the focus chain did not come round in 100 steps");
}

static void
test_camera_window_keyboard (void)
{
  PdCameraWindow        *camera_window = PD_CAMERA_WINDOW (find_toplevel (PD_TYPE_CAMERA_WINDOW, app_printer (X1C)));
  g_autoptr (GHashTable) names = NULL;

  g_assert_nonnull (camera_window);
  names = walk_focus_chain (GTK_WIDGET (camera_window));
  g_assert_true (g_hash_table_contains (names, "Take Snapshot"));
  g_assert_true (g_hash_table_contains (names, "Snapshots"));
  g_assert_true (g_hash_table_contains (names, "Fullscreen"));
  g_assert_true (g_hash_table_contains (names, "Compact Mode"));

  /* In compact mode the way back is reachable too. */
  pd_camera_window_set_compact (camera_window, TRUE);
  g_hash_table_unref (g_steal_pointer (&names));
  names = walk_focus_chain (GTK_WIDGET (camera_window));
  g_assert_true (g_hash_table_contains (names, "Leave Compact Mode"));
  pd_camera_window_set_compact (camera_window, FALSE);
}

/* The gallery lists the snapshot with its thumbnail; deleting it waits for
 * the toast (undo brings it back), then the file is gone.
 */
static gboolean
has_thumbnail (gpointer data)
{
  return _pd_snapshot_window_get_n_thumbnails (data) > 0;
}

static gboolean
clipboard_has_texture (gpointer data)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (data);

  return gdk_content_formats_contain_gtype (gdk_clipboard_get_formats (clipboard), GDK_TYPE_TEXTURE);
}

static gboolean
model_has_n (gpointer data)
{
  GListModel *model = ((gpointer *) data)[0];

  return g_list_model_get_n_items (model) == GPOINTER_TO_UINT (((gpointer *) data)[1]);
}

static gboolean
stack_shows (gpointer data)
{
  GtkStack *stack = ((gpointer *) data)[0];

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), ((gpointer *) data)[1]) == 0;
}

static void
test_gallery (void)
{
  PdPrinter            *printer = app_printer (X1C);
  PdCameraWindow       *camera_window = PD_CAMERA_WINDOW (find_toplevel (PD_TYPE_CAMERA_WINDOW, printer));
  PdSnapshotWindow     *gallery;
  GListModel           *model;
  GtkSingleSelection   *selection;
  g_autoptr (GPtrArray) files = list_snapshots (X1C);
  g_autoptr (GFileInfo) info = NULL;
  GFile                *file;
  SnapshotCount         want = { X1C, 2 };

  g_assert_cmpuint (files->len, ==, 1);

  /* A second snapshot, from the app's action (the window's camera streams). */
  activate_app_action ("take-snapshot", pd_printer_get_serial (printer));
  g_assert_true (pd_test_wait_until (has_snapshots, &want, 20));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (camera_window), "win.show-snapshots", NULL));
  gallery = PD_SNAPSHOT_WINDOW (find_toplevel (PD_TYPE_SNAPSHOT_WINDOW, printer));
  g_assert_nonnull (gallery);
  gtk_window_set_default_size (GTK_WINDOW (gallery), 760, 520);
  model = _pd_snapshot_window_get_model (gallery);
  selection = GTK_SINGLE_SELECTION (gtk_grid_view_get_model (GTK_GRID_VIEW (template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW,
                                                                                            "grid_view"))));
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  /* the folder is read in a thread */
  {
    gpointer two[2] = { model, GUINT_TO_POINTER (2) };

    g_assert_true (pd_test_wait_until (model_has_n, two, 5));
  }
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW, "stack"))),
                   ==, "snapshots");
  g_assert_true (pd_test_wait_until (has_thumbnail, gallery, 10));
  pd_test_spin (200);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (gallery), "snapshot-gallery.png"));
  g_test_message ("usage: %s", gtk_label_get_label (GTK_LABEL (template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW, "usage_label"))));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW, "usage_label"))),
                            "of 500 MB used"));

  /* Copy: the picture itself goes to the clipboard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.copy", NULL));
  g_assert_true (pd_test_wait_until (clipboard_has_texture, gallery, 10));

  /* The newest is selected; delete it, undo, delete it again. */
  info = g_list_model_get_item (model, 0);
  file = G_FILE (g_file_info_get_attribute_object (info, "standard::file"));
  g_assert_true (g_file_query_exists (file, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.delete", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_true (g_file_query_exists (file, NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.undo-delete", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);

  /* the selection stayed on the snapshot that moved up: back to the newest */
  gtk_single_selection_set_selected (selection, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (gallery), "gallery.delete", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  pd_snapshot_window_commit_deletions (gallery);
  g_assert_false (g_file_query_exists (file, NULL));
  pd_test_spin (100);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_ptr_array_unref (files);
  files = list_snapshots (X1C);
  g_assert_cmpuint (files->len, ==, 1);

  gtk_window_destroy (GTK_WINDOW (gallery));
  gtk_window_destroy (GTK_WINDOW (camera_window));
  wait_camera_off (X1C);
}

/* The empty gallery says where snapshots go. */
static void
test_gallery_empty (void)
{
  PdPrinter        *printer = app_printer (H2D);
  PdSnapshotWindow *gallery;
  const char       *description;

  activate_app_action ("show-snapshots", pd_printer_get_serial (printer));
  gallery = PD_SNAPSHOT_WINDOW (find_toplevel (PD_TYPE_SNAPSHOT_WINDOW, printer));
  g_assert_nonnull (gallery);
  {
    gpointer empty[2] = { template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW, "stack"), (gpointer) "empty" };

    g_assert_true (pd_test_wait_until (stack_shows, empty, 5));
  }
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (gallery), "snapshot-gallery-empty.png"));
  description = adw_status_page_get_description (ADW_STATUS_PAGE (template_child (gallery, PD_TYPE_SNAPSHOT_WINDOW, "empty_page")));
  g_assert_nonnull (strstr (description, pictures_dir));
  gtk_window_destroy (GTK_WINDOW (gallery));
}

/* app.take-snapshot with no view open: the camera connects for one frame
 * and stops again after its linger.
 */
static void
test_snapshot_without_view (void)
{
  SnapshotCount         want = { P1P, 1 };
  g_autoptr (GPtrArray) files = NULL;

  g_assert_true (source_is_idle (camera (P1P)));
  activate_app_action ("take-snapshot", pd_sim_printer_get_serial (sim_printer (P1P)));
  g_assert_true (pd_test_wait_until (has_snapshots, &want, 20));
  files = list_snapshots (P1P);
  /* "auto": the printer's own JPEG, kept as it came */
  g_assert_true (g_str_has_suffix (g_ptr_array_index (files, 0), ".jpg"));
  g_assert_true (pd_test_wait_until (source_is_idle, camera (P1P), 5));
}

/* A print that fails on its own gets its picture taken. */
static gboolean
printer_has_status (gpointer data)
{
  PdStatus want = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return pd_printer_get_status (((gpointer *) data)[0]) == want;
}

static void
test_auto_snapshot (void)
{
  GSettings    *settings = pd_application_get_settings (app);
  PdPrinter    *printer = app_printer (A1);
  gpointer      printing[2] = { printer, GUINT_TO_POINTER (PD_STATUS_PRINTING) };
  gpointer      failed[2] = { printer, GUINT_TO_POINTER (PD_STATUS_FAILED) };
  SnapshotCount want = { A1, 1 };

  g_assert_nonnull (settings);
  g_assert_cmpuint (count_snapshots (A1), ==, 0);
  g_settings_set_boolean (settings, "auto-snapshots", TRUE);

  if (pd_printer_get_status (printer) != PD_STATUS_PRINTING)
    pd_sim_printer_start_print (sim_printer (A1));
  g_assert_true (pd_test_wait_until (printer_has_status, printing, 40));
  pd_sim_printer_fail (sim_printer (A1));
  g_assert_true (pd_test_wait_until (printer_has_status, failed, 15));
  g_assert_true (pd_test_wait_until (has_snapshots, &want, 20));

  g_settings_set_boolean (settings, "auto-snapshots", FALSE);
  wait_camera_off (A1);
}

/* The camera wall: four tiles by default, each with its printer's words;
 * tiles out of sight are not live.
 */
/* Live, and streaming: the picture is today's, not the source's last one. */
static gboolean
all_views_stream (gpointer data)
{
  GPtrArray *views = data;

  for (guint i = 0; i < views->len; i++)
    {
      PdCameraView *view = g_ptr_array_index (views, i);

      if (!pd_camera_view_get_live (view) || !view_has_picture (view) ||
          pd_camera_source_get_state (pd_camera_view_get_source (view)) != PD_CAMERA_STATE_STREAMING)
        return FALSE;
    }

  return views->len > 0;
}

static gboolean
last_not_live (gpointer data)
{
  g_autoptr (GPtrArray) views = _pd_cameras_window_get_views (data);

  return views->len > 1 && pd_camera_view_get_live (g_ptr_array_index (views, 0)) &&
         !pd_camera_view_get_live (g_ptr_array_index (views, views->len - 1));
}

static gboolean
first_not_live (gpointer data)
{
  g_autoptr (GPtrArray) views = _pd_cameras_window_get_views (data);

  return views->len > 1 && !pd_camera_view_get_live (g_ptr_array_index (views, 0)) &&
         pd_camera_view_get_live (g_ptr_array_index (views, views->len - 1));
}

static void
test_camera_wall (void)
{
  PdCamerasWindow      *wall;
  g_autoptr (GPtrArray) views = NULL;
  g_auto (GStrv)        chosen = NULL;
  GtkAdjustment        *vadjustment;
  PdCameraSource       *last;

  activate_app_action ("show-cameras", NULL);
  wall = PD_CAMERAS_WINDOW (find_toplevel (PD_TYPE_CAMERAS_WINDOW, NULL));
  g_assert_nonnull (wall);
  gtk_window_set_default_size (GTK_WINDOW (wall), 1100, 720);
  g_assert_cmpstr (_pd_cameras_window_get_page (wall), ==, "cameras");

  views = _pd_cameras_window_get_views (wall);
  g_assert_cmpuint (views->len, ==, N_PRINTERS);
  if (!pd_test_wait_until (all_views_stream, views, 40))
    for (guint i = 0; i < views->len; i++)
      g_error ("tile %u: live %d, %s", i, pd_camera_view_get_live (g_ptr_array_index (views, i)),
               pd_camera_view_get_status (g_ptr_array_index (views, i)));
  /* a JPEG camera sends a picture every 200 ms */
  pd_test_spin (1000);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (wall), "camera-wall.png"));

  /* Every tile is a focus stop named by its printer. */
  {
    g_autoptr (GHashTable) names = walk_focus_chain (GTK_WIDGET (wall));

    for (guint i = 0; i < N_PRINTERS; i++)
      g_assert_true (g_hash_table_contains (names, pd_format_printer_name (app_printer (i))));
    g_assert_true (g_hash_table_contains (names, "Choose Printers"));
  }

  /* The popover lists the printers with cameras, checked as shown;
   * unchecking one takes its tile away and is remembered.
   */
  {
    GtkWidget            *choose = template_child (wall, PD_TYPE_CAMERAS_WINDOW, "choose_button");
    GtkWidget            *list = template_child (wall, PD_TYPE_CAMERAS_WINDOW, "choose_list");
    g_autoptr (GPtrArray) checks = g_ptr_array_new ();
    g_auto (GStrv)        three = NULL;

    gtk_menu_button_popup (GTK_MENU_BUTTON (choose));
    pd_test_spin (100);
    for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
      if (find_descendant (row, GTK_TYPE_CHECK_BUTTON) != NULL)
        g_ptr_array_add (checks, find_descendant (row, GTK_TYPE_CHECK_BUTTON));
    g_assert_cmpuint (checks->len, ==, N_PRINTERS);
    for (guint i = 0; i < checks->len; i++)
      g_assert_true (gtk_check_button_get_active (g_ptr_array_index (checks, i)));
    gtk_check_button_set_active (g_ptr_array_index (checks, N_PRINTERS - 1), FALSE);
    three = g_settings_get_strv (pd_application_get_settings (app), "camera-page-printers");
    g_assert_cmpuint (g_strv_length (three), ==, N_PRINTERS - 1);
    g_ptr_array_unref (views);
    views = _pd_cameras_window_get_views (wall);
    g_assert_cmpuint (views->len, ==, N_PRINTERS - 1);
    gtk_menu_button_popdown (GTK_MENU_BUTTON (choose));
  }

  /* Choosing two printers: two tiles, remembered. */
  {
    const char *two[] = { pd_sim_printer_get_serial (sim_printer (X1C)), pd_sim_printer_get_serial (sim_printer (P1P)), NULL };

    pd_cameras_window_set_chosen (wall, two);
    g_ptr_array_unref (views);
    views = _pd_cameras_window_get_views (wall);
    g_assert_cmpuint (views->len, ==, 2);
    chosen = g_settings_get_strv (pd_application_get_settings (app), "camera-page-printers");
    g_assert_cmpstrv (chosen, two);
    pd_cameras_window_set_chosen (wall, NULL);
    g_ptr_array_unref (views);
    views = _pd_cameras_window_get_views (wall);
    g_assert_cmpuint (views->len, ==, N_PRINTERS);
  }
  gtk_window_destroy (GTK_WINDOW (wall));
  for (guint i = 0; i < N_PRINTERS; i++)
    g_assert_true (pd_test_wait_until (source_is_idle, camera (i), 10));

  /* A small wall: one column, the last tile below the fold. */
  wall = PD_CAMERAS_WINDOW (pd_cameras_window_new (cameras ()));
  gtk_window_set_application (GTK_WINDOW (wall), GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (wall), 420, 400);
  gtk_window_present (GTK_WINDOW (wall));
  g_assert_true (pd_test_wait_until (last_not_live, wall, 10));
  g_ptr_array_unref (views);
  views = _pd_cameras_window_get_views (wall);
  last = pd_camera_view_get_source (g_ptr_array_index (views, views->len - 1));
  g_assert_true (pd_test_wait_until (source_is_idle, last, 5));
  wait_for_picture (g_ptr_array_index (views, 0));

  /* Scrolled to the end: the last tile is live, the first is not. */
  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (_pd_cameras_window_get_scrolled (wall)));
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
  g_assert_true (pd_test_wait_until (first_not_live, wall, 10));
  g_assert_true (pd_camera_view_get_live (g_ptr_array_index (views, views->len - 1)));
  wait_for_picture (g_ptr_array_index (views, views->len - 1));

  gtk_window_destroy (GTK_WINDOW (wall));
  for (guint i = 0; i < N_PRINTERS; i++)
    g_assert_true (pd_test_wait_until (source_is_idle, camera (i), 10));
}

static gboolean
widget_is_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0 && gtk_widget_get_height (data) > 0;
}

/* The Cameras group of the preferences follows the settings. */
static void
test_preferences (void)
{
  GSettings *settings = pd_application_get_settings (app);
  GtkWidget *preferences = pd_preferences_window_new (settings);
  GtkWidget *format = template_child (preferences, PD_TYPE_PREFERENCES_WINDOW, "snapshot_format_row");
  GtkWidget *auto_switch = template_child (preferences, PD_TYPE_PREFERENCES_WINDOW, "auto_snapshots_switch");
  GtkWidget *limit = template_child (preferences, PD_TYPE_PREFERENCES_WINDOW, "snapshot_limit_spin");

  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (window));
  gtk_window_set_default_size (GTK_WINDOW (preferences), 640, 780);
  gtk_window_present (GTK_WINDOW (preferences));

  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (format)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (format), 2);
  g_assert_cmpint (g_settings_get_enum (settings, "snapshot-format"), ==, PD_SNAPSHOT_FORMAT_JPEG);
  g_settings_set_string (settings, "snapshot-format", "png");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (format)), ==, 1);
  g_settings_reset (settings, "snapshot-format");

  g_assert_false (gtk_switch_get_active (GTK_SWITCH (auto_switch)));
  gtk_switch_set_active (GTK_SWITCH (auto_switch), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "auto-snapshots"));
  gtk_switch_set_active (GTK_SWITCH (auto_switch), FALSE);

  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (limit)), ==, 500);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (limit), 50);
  g_assert_cmpuint (g_settings_get_uint (settings, "snapshot-limit-mb"), ==, 50);
  g_assert_cmpuint (pd_snapshot_store_get_limit (pd_application_get_snapshot_store (app)), ==, 50 * 1000 * 1000);
  g_settings_reset (settings, "snapshot-limit-mb");
  g_assert_cmpuint (pd_snapshot_store_get_limit (pd_application_get_snapshot_store (app)), ==, 500 * 1000 * 1000);

  g_assert_true (pd_test_wait_until (widget_is_drawn, preferences, 5));
  g_object_unref (pd_test_save_screenshot (preferences, "preferences-cameras.png"));
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* Setup ------------------------------------------------------------------------------*/

static gboolean
printers_ready (gpointer data)
{
  GListModel *model = G_LIST_MODEL (pd_application_get_store (app));

  if (g_list_model_get_n_items (model) != N_PRINTERS)
    return FALSE;
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED ||
          pd_printer_get_camera_kind (printer) == PD_CAMERA_KIND_UNKNOWN)
        return FALSE;
    }

  return TRUE;
}

/* Throttle: a paintable that changes 100 times in a second --------------------*/

typedef struct
{
  GObject parent_instance;
} TestPicture;

typedef struct
{
  GObjectClass parent_class;
} TestPictureClass;

static void
test_picture_snapshot (GdkPaintable *paintable,
                       GdkSnapshot  *snapshot,
                       double        width,
                       double        height)
{
}

static void
test_picture_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = test_picture_snapshot;
}

static GType test_picture_get_type (void);
G_DEFINE_TYPE_WITH_CODE (TestPicture, test_picture, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, test_picture_iface_init))

static void
test_picture_class_init (TestPictureClass *klass)
{
}

static void
test_picture_init (TestPicture *self)
{
}

static void
count_call (guint *count)
{
  (*count)++;
}

static guint
changes_passed_on (guint max_fps)
{
  g_autoptr (GObject)          inner = g_object_new (test_picture_get_type (), NULL);
  g_autoptr (PdCameraThrottle) throttle = pd_camera_throttle_new (GDK_PAINTABLE (inner));
  guint                        count = 0;

  pd_camera_throttle_set_max_fps (throttle, max_fps);
  g_signal_connect_swapped (throttle, "invalidate-contents", G_CALLBACK (count_call), &count);
  for (guint i = 0; i < 100; i++)
    {
      gdk_paintable_invalidate_contents (GDK_PAINTABLE (inner));
      pd_test_spin (10);
    }
  /* the last change arrives, late */
  pd_test_spin (250);

  return count;
}

static void
test_throttle (void)
{
  guint at_10 = changes_passed_on (10);
  guint at_0 = changes_passed_on (0);

  g_test_message ("100 changes in ~1.2 s: %u passed on at 10 fps, %u at no limit", at_10, at_0);
  g_assert_cmpuint (at_0, ==, 100);
  g_assert_cmpuint (at_10, >=, 8);
  g_assert_cmpuint (at_10, <=, 16);
}

int
main (int   argc,
      char *argv[])
{
  static const char *const models[] = { "X1C", "A1", "H2D", "P1P", NULL };
  g_autoptr (GError)       error = NULL;
  PdSimOptions             options;
  int                      status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", &error);
  g_assert_no_error (error);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", &error);
  g_assert_no_error (error);
  pictures_dir = g_dir_make_tmp ("printdeck-pictures-XXXXXX", &error);
  g_assert_no_error (error);
  saved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  g_setenv ("PRINTDECK_PICTURES_DIR", pictures_dir, TRUE);
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  /* No keyring needed here: test-window covers it. */
  pd_secrets_set_memory_only (TRUE);

  pd_sim_options_init (&options);
  options.n_printers = N_PRINTERS;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 20;
  /* as a real printer: one camera client */
  options.camera_max_clients = 1;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  app = pd_application_new (APPLICATION_ID ".CameraTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  g_assert_nonnull (pd_application_get_settings (app));
  g_assert_nonnull (pd_application_get_snapshot_store (app));
  g_signal_connect (pd_application_get_snapshot_store (app), "saved", G_CALLBACK (on_saved), NULL);
  /* Only the snapshots a test asks for. */
  g_settings_set_boolean (pd_application_get_settings (app), "auto-snapshots", FALSE);

  for (guint i = 0; i < N_PRINTERS; i++)
    pd_test_app_add_sim_printer (app, pd_sim_get_printer (sim, i));
  if (!pd_test_wait_until (printers_ready, NULL, 30))
    g_error ("the simulated printers did not connect");
  for (guint i = 0; i < N_PRINTERS; i++)
    pd_sim_printer_start_print (pd_sim_get_printer (sim, i));
  pd_test_spin (1500);

  g_test_add_func ("/camera-ui/new-destroy", test_new_destroy);
  g_test_add_func ("/camera-ui/view-frames", test_view_frames);
  g_test_add_func ("/camera-ui/view-shared", test_view_shared);
  g_test_add_func ("/camera-ui/view-problems", test_view_problems);
  g_test_add_func ("/camera-ui/card-and-page", test_card_and_page);
  g_test_add_func ("/camera-ui/window", test_camera_window);
  g_test_add_func ("/camera-ui/window-keyboard", test_camera_window_keyboard);
  g_test_add_func ("/camera-ui/gallery", test_gallery);
  g_test_add_func ("/camera-ui/gallery-empty", test_gallery_empty);
  g_test_add_func ("/camera-ui/snapshot-without-view", test_snapshot_without_view);
  g_test_add_func ("/camera-ui/auto-snapshot", test_auto_snapshot);
  g_test_add_func ("/camera-ui/camera-wall", test_camera_wall);
  g_test_add_func ("/camera-ui/preferences", test_preferences);
  g_test_add_func ("/camera-ui/throttle", test_throttle);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_clear_object (&app);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  pd_test_remove_tree (pictures_dir);
  g_clear_pointer (&saved, g_hash_table_unref);
  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);

  return status;
}
