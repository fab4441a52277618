/* test-job-ui.c — the job's file on the card and the printer page
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person reads once the job's sliced file was read from the printer
 * (PdJob:details): the card's "Filament: 5.2 g of 12.4 g" that follows the
 * progress, the plate's picture, and on the printer page a group with the
 * plate, the slicer's estimate, one row per filament and the total; while
 * the file is read a row says so, when it cannot be a row says why; no
 * grams, no line (never "0 g" or "nan"). Files come from pd_sim_3mf_build(),
 * read by the real reader.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "pd-ams-swatch.h"
#include "pd-job-group.h"
#include "pd-printer-card.h"
#include "pd-printer-page.h"
#include "pd-sim-3mf.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"

#define SERIAL_X1C "00M09A350100001"

#define UNAVAILABLE_MESSAGE "The job’s file is not on the printer’s storage. Jobs started from Bambu Handy " \
                            "or the cloud are not kept there."

/* Helpers -------------------------------------------------------------------*/

static void
collect_type (GtkWidget *widget,
              GType      type,
              gboolean   visible_only,
              GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (visible_only && !gtk_widget_get_visible (child))
        continue;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect_type (child, type, visible_only, found);
    }
}

static GPtrArray *
find_visible (GtkWidget *widget,
              GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_type (widget, type, TRUE, found);
  return found;
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” is not in %s", needle, text);
}

static void
assert_lacks (const char *text,
              const char *needle)
{
  if (strstr (text, needle) != NULL)
    g_error ("“%s” should not be in %s", needle, text);
}

/* What nobody should ever read */
static void
assert_no_bogus_grams (const char *text)
{
  assert_lacks (text, "nan");
  assert_lacks (text, "NaN");
  assert_lacks (text, "|0 g");
  assert_lacks (text, "Filament:");
}

static GtkWidget *
window_with (GtkWidget *child,
             int        width,
             int        height)
{
  GtkWidget *window = adw_window_new ();

  adw_window_set_content (ADW_WINDOW (window), child);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));

  return window;
}

/* A card in a window as the printers' grid shows it */
static GtkWidget *
window_with_card (GtkWidget *card)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_margin_top (card, 18);
  gtk_widget_set_margin_bottom (card, 18);
  gtk_widget_set_margin_start (card, 18);
  gtk_widget_set_margin_end (card, 18);
  gtk_widget_set_valign (card, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), card);

  return window_with (box, 360, 380);
}

/* A printer 0 % into "Benchy", 100 layers. */
static PdPrinter *
printing_printer (void)
{
  PdPrinter *printer = pd_printer_new (SERIAL_X1C);

  pd_test_apply_text (printer,
                      "{\"print\":{\"command\":\"push_status\",\"gcode_state\":\"RUNNING\","
                      "\"subtask_name\":\"Benchy\",\"gcode_file\":\"/data/Metadata/plate_2.gcode\","
                      "\"mc_percent\":0,\"mc_remaining_time\":125,\"layer_num\":0,\"total_layer_num\":100,"
                      "\"nozzle_temper\":220.0,\"nozzle_target_temper\":220,"
                      "\"bed_temper\":55.0,\"bed_target_temper\":55}}");
  pd_printer_set_connection (printer, PD_CONNECTION_CONNECTED);

  return printer;
}

static void
move_progress (PdPrinter *printer,
               int        percent,
               int        layer)
{
  g_autofree char *json = g_strdup_printf ("{\"print\":{\"command\":\"push_status\",\"mc_percent\":%d,"
                                           "\"layer_num\":%d,\"mc_remaining_time\":%d}}",
                                           percent, layer, 125 * (100 - percent) / 100);

  pd_test_apply_text (printer, json);
}

/* Plate 2 of "Benchy": 8.4 g of PLA and 4.0 g of PETG, 2 h 5 min */
static PdJobDetails *
benchy_details (gboolean thumbnail)
{
  PdSim3mfSpec spec = {
    .name = "Benchy",
    .plate = 2,
    .layers = 100,
    .prediction_seconds = 125 * 60,
    .n_filaments = 2,
    .filaments = {
      { .type = "PLA", .rgba = 0xFF6A13FF, .grams = 8.4, .meters = 2.8 },
      { .type = "PETG", .rgba = 0xFFFFFFFF, .grams = 4.0, .meters = 1.3 },
    },
    .thumbnail = thumbnail,
  };
  g_autoptr (GBytes) zip = pd_sim_3mf_build (&spec);
  g_autoptr (GError) error = NULL;
  PdJobDetails      *details = pd_job_details_new_from_bytes (zip, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (details);

  return details;
}

static void
set_ready (PdPrinter *printer,
           gboolean   thumbnail)
{
  g_autoptr (PdJobDetails) details = benchy_details (thumbnail);

  pd_printer_set_job_details (printer, PD_JOB_DETAILS_READY, details, NULL);
}

static GtkPicture *
card_picture (GtkWidget *card)
{
  return GTK_PICTURE (gtk_widget_get_template_child (card, PD_TYPE_PRINTER_CARD, "thumbnail_picture"));
}

static GtkWidget *
card_frame (GtkWidget *card)
{
  return GTK_WIDGET (gtk_widget_get_template_child (card, PD_TYPE_PRINTER_CARD, "thumbnail_frame"));
}

static GtkWidget *
card_grams_label (GtkWidget *card)
{
  return GTK_WIDGET (gtk_widget_get_template_child (card, PD_TYPE_PRINTER_CARD, "grams_label"));
}

/* The card ---------------------------------------------------------------------*/

static void
test_card_grams (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *card = pd_printer_card_new (printer);
  GtkWidget            *window = window_with_card (card);
  g_autofree char      *text = NULL;
  g_autofree char      *later = NULL;
  g_autofree char      *described = NULL;
  GdkPaintable         *picture;
  const char           *tooltip;

  /* before the file is read: no grams, no picture */
  text = pd_test_widget_text (card);
  assert_contains (text, "|Benchy|");
  assert_no_bogus_grams (text);
  g_assert_false (gtk_widget_get_visible (card_frame (card)));
  g_clear_pointer (&text, g_free);

  set_ready (printer, TRUE);
  pd_test_card_catch_up (card);
  text = pd_test_widget_text (card);
  g_test_message ("%s", text);
  assert_contains (text, "|Filament: 0.0 g of 12.4 g|");
  tooltip = gtk_widget_get_tooltip_text (card_grams_label (card));
  g_assert_nonnull (tooltip);
  g_assert_true (g_str_has_prefix (tooltip, "Estimated from the sliced file"));

  /* the plate's picture, with words for it */
  picture = gtk_picture_get_paintable (card_picture (card));
  g_assert_true (GDK_IS_TEXTURE (picture));
  g_assert_true (gtk_widget_get_visible (card_frame (card)));
  g_assert_cmpstr (gtk_picture_get_alternative_text (card_picture (card)), ==, "Plate 2 of “Benchy”, as sliced");

  g_object_unref (pd_test_save_screenshot (window, "job-card.png"));

  /* halfway: more used; the picture is the same texture (not decoded again) */
  move_progress (printer, 50, 50);
  pd_test_card_catch_up (card);
  later = pd_test_widget_text (card);
  g_test_message ("%s", later);
  assert_lacks (later, "|Filament: 0.0 g of 12.4 g|");
  assert_contains (later, " of 12.4 g|");
  assert_contains (later, "|Filament: ");
  g_assert_true (gtk_picture_get_paintable (card_picture (card)) == picture);

  /* and a screen reader hears it */
  described = pd_printer_card_describe (PD_PRINTER_CARD (card));
  assert_contains (described, "Filament: ");

  g_object_unref (pd_test_save_screenshot (window, "job-card-halfway.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_card_no_grams (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *card = pd_printer_card_new (printer);
  GtkWidget            *window = window_with_card (card);
  g_autofree char      *fetching = NULL;
  g_autofree char      *unavailable = NULL;
  g_autofree char      *none = NULL;

  pd_printer_set_job_details (printer, PD_JOB_DETAILS_FETCHING, NULL, NULL);
  pd_test_card_catch_up (card);
  fetching = pd_test_widget_text (card);
  assert_no_bogus_grams (fetching);

  pd_printer_set_job_details (printer, PD_JOB_DETAILS_UNAVAILABLE, NULL, UNAVAILABLE_MESSAGE);
  pd_test_card_catch_up (card);
  unavailable = pd_test_widget_text (card);
  assert_no_bogus_grams (unavailable);
  g_assert_null (gtk_picture_get_paintable (card_picture (card)));

  /* read, then the job's details dropped: the line and picture go again */
  set_ready (printer, TRUE);
  pd_test_card_catch_up (card);
  g_assert_nonnull (gtk_picture_get_paintable (card_picture (card)));
  pd_printer_set_job_details (printer, PD_JOB_DETAILS_NONE, NULL, NULL);
  pd_test_card_catch_up (card);
  none = pd_test_widget_text (card);
  g_test_message ("%s", none);
  assert_no_bogus_grams (none);
  g_assert_null (gtk_picture_get_paintable (card_picture (card)));
  g_assert_false (gtk_widget_get_visible (card_frame (card)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_card_no_thumbnail (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *card = pd_printer_card_new (printer);
  GtkWidget            *window = window_with_card (card);
  g_autofree char      *text = NULL;

  set_ready (printer, FALSE);
  pd_test_card_catch_up (card);
  text = pd_test_widget_text (card);
  assert_contains (text, "|Filament: 0.0 g of 12.4 g|");
  g_assert_null (gtk_picture_get_paintable (card_picture (card)));
  g_assert_false (gtk_widget_get_visible (card_frame (card)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The printer page ------------------------------------------------------------*/

static GtkWidget *
page_for (PdPrinter  *printer,
          GtkWidget **window)
{
  GtkWidget *page = g_object_new (PD_TYPE_PRINTER_PAGE, NULL);

  pd_printer_page_set_printer (PD_PRINTER_PAGE (page), printer, NULL);
  *window = window_with (page, 720, 1400);

  return page;
}

/* Scrolls @page so that @widget is at the top. */
static void
scroll_to (GtkWidget *page,
           GtkWidget *widget)
{
  g_autoptr (GPtrArray) scrolled = g_ptr_array_new ();
  GtkAdjustment        *adjustment;
  GtkWidget            *viewport;
  double                x, y;

  collect_type (page, GTK_TYPE_SCROLLED_WINDOW, TRUE, scrolled);
  g_assert_cmpuint (scrolled->len, >, 0);
  viewport = gtk_scrolled_window_get_child (g_ptr_array_index (scrolled, 0));
  pd_test_wait_for_frames (widget);
  g_assert_true (gtk_widget_translate_coordinates (widget, viewport, 0, 0, &x, &y));
  adjustment = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrolled, 0));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + y - 12);
  pd_test_spin (50);
}

static GtkWidget *
page_job_group (GtkWidget *page)
{
  return GTK_WIDGET (gtk_widget_get_template_child (page, PD_TYPE_PRINTER_PAGE, "job_group"));
}

static void
test_page_ready (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *window;
  GtkWidget            *page = page_for (printer, &window);
  GtkWidget            *group = page_job_group (page);
  g_autofree char      *text = NULL;
  g_autofree char      *page_text = NULL;
  g_autoptr (GPtrArray) swatches = NULL;
  g_autoptr (GPtrArray) spinners = NULL;
  g_autoptr (GPtrArray) pictures = NULL;

  set_ready (printer, TRUE);
  pd_test_spin (100);
  g_assert_true (gtk_widget_get_visible (group));
  text = pd_test_widget_text (group);
  g_test_message ("%s", text);

  assert_contains (text, "|Job Details|");
  assert_contains (text, "|Plate 2|");
  assert_contains (text, "|Estimated Print Time|2 h 5 min|");
  /* one row per filament, in the file's order, then the total */
  assert_contains (text, "|PLA|Filament 1|8.4 g · 2.8 m|PETG|Filament 2|4.0 g · 1.3 m|Total|12.4 g · 4.1 m|");
  assert_lacks (text, "Reading the job");
  assert_no_bogus_grams (text);

  /* a colour dot per filament, each with words */
  swatches = find_visible (group, PD_TYPE_AMS_SWATCH);
  g_assert_cmpuint (swatches->len, ==, 2);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (g_ptr_array_index (swatches, 0)), ==, "PLA, colour #FF6A13FF");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (g_ptr_array_index (swatches, 1)), ==, "PETG, colour #FFFFFFFF");

  /* the plate's picture, with words */
  pictures = find_visible (group, GTK_TYPE_PICTURE);
  g_assert_cmpuint (pictures->len, ==, 1);
  g_assert_true (GDK_IS_TEXTURE (gtk_picture_get_paintable (g_ptr_array_index (pictures, 0))));
  g_assert_cmpstr (gtk_picture_get_alternative_text (g_ptr_array_index (pictures, 0)), ==,
                   "Plate 2 of “Benchy”, as sliced");

  spinners = find_visible (group, GTK_TYPE_SPINNER);
  g_assert_cmpuint (spinners->len, ==, 0);

  /* the "Now" group: used of total, following the progress */
  page_text = pd_test_widget_text (page);
  assert_contains (page_text, "|Filament|0.0 g of 12.4 g|");
  move_progress (printer, 50, 50);
  g_clear_pointer (&page_text, g_free);
  page_text = pd_test_widget_text (page);
  assert_lacks (page_text, "|0.0 g of 12.4 g|");
  assert_contains (page_text, " of 12.4 g|");

  g_object_unref (pd_test_save_screenshot (window, "job-page.png"));
  /* the whole group, then in the dark (the near-white filament keeps its outline) */
  scroll_to (page, group);
  g_object_unref (pd_test_save_screenshot (window, "job-page-details.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  pd_test_spin (50);
  g_object_unref (pd_test_save_screenshot (window, "job-page-details-dark.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* the same rows, not made again, for a report */
  {
    g_autoptr (GPtrArray) again = find_visible (group, PD_TYPE_AMS_SWATCH);

    g_assert_true (g_ptr_array_index (again, 0) == g_ptr_array_index (swatches, 0));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_page_no_thumbnail (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *window;
  GtkWidget            *page = page_for (printer, &window);
  GtkWidget            *group = page_job_group (page);
  g_autoptr (GPtrArray) pictures = NULL;
  g_autofree char      *text = NULL;

  set_ready (printer, FALSE);
  pd_test_spin (20);
  text = pd_test_widget_text (group);
  assert_contains (text, "|Plate 2|");
  pictures = find_visible (group, GTK_TYPE_PICTURE);
  g_assert_cmpuint (pictures->len, ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_page_fetching (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *window;
  GtkWidget            *page = page_for (printer, &window);
  GtkWidget            *group = page_job_group (page);
  g_autofree char      *text = NULL;
  g_autoptr (GPtrArray) spinners = NULL;
  g_autoptr (GPtrArray) swatches = NULL;

  pd_printer_set_job_details (printer, PD_JOB_DETAILS_FETCHING, NULL, NULL);
  pd_test_spin (50);
  g_assert_true (gtk_widget_get_visible (group));
  text = pd_test_widget_text (group);
  g_test_message ("%s", text);
  assert_contains (text, "|Reading the job's file from the printer…|");
  assert_lacks (text, "Total");
  assert_no_bogus_grams (text);

  spinners = find_visible (group, GTK_TYPE_SPINNER);
  g_assert_cmpuint (spinners->len, ==, 1);
  g_assert_true (gtk_spinner_get_spinning (g_ptr_array_index (spinners, 0)));
  swatches = find_visible (group, PD_TYPE_AMS_SWATCH);
  g_assert_cmpuint (swatches->len, ==, 0);

  g_object_unref (pd_test_save_screenshot (group, "job-page-fetching.png"));

  /* read: the spinner goes, the rows come */
  set_ready (printer, TRUE);
  pd_test_spin (20);
  g_clear_pointer (&text, g_free);
  text = pd_test_widget_text (group);
  assert_lacks (text, "Reading the job");
  assert_contains (text, "|Total|12.4 g · 4.1 m|");
  g_assert_false (gtk_spinner_get_spinning (g_ptr_array_index (spinners, 0)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_page_unavailable (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *window;
  GtkWidget            *page = page_for (printer, &window);
  GtkWidget            *group = page_job_group (page);
  g_autofree char      *text = NULL;
  g_autoptr (GPtrArray) swatches = NULL;

  /* after a file was read, another job's file cannot be */
  set_ready (printer, TRUE);
  pd_test_spin (20);
  pd_printer_set_job_details (printer, PD_JOB_DETAILS_UNAVAILABLE, NULL, UNAVAILABLE_MESSAGE);
  pd_test_spin (50);
  g_assert_true (gtk_widget_get_visible (group));
  text = pd_test_widget_text (group);
  g_test_message ("%s", text);
  assert_contains (text, "|No details for this job|" UNAVAILABLE_MESSAGE "|");
  assert_lacks (text, "Total");
  assert_lacks (text, "Plate 2");
  assert_no_bogus_grams (text);
  swatches = find_visible (group, PD_TYPE_AMS_SWATCH);
  g_assert_cmpuint (swatches->len, ==, 0);

  g_object_unref (pd_test_save_screenshot (group, "job-page-unavailable.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_page_none (void)
{
  g_autoptr (PdPrinter) printer = pd_printer_new (SERIAL_X1C);
  GtkWidget            *window;
  GtkWidget            *page;
  GtkWidget            *group;

  pd_test_apply_text (printer, "{\"print\":{\"command\":\"push_status\",\"gcode_state\":\"IDLE\"}}");
  page = page_for (printer, &window);
  group = page_job_group (page);
  pd_test_spin (20);
  g_assert_false (gtk_widget_get_visible (group));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_group_new_destroy (void)
{
  g_autoptr (PdPrinter) printer = printing_printer ();
  GtkWidget            *group = pd_job_group_new ();

  g_object_ref_sink (group);
  set_ready (printer, TRUE);
  pd_job_group_set_printer (PD_JOB_GROUP (group), printer);
  g_assert_true (pd_job_group_get_printer (PD_JOB_GROUP (group)) == printer);
  g_assert_true (gtk_widget_get_visible (group));
  pd_job_group_set_printer (PD_JOB_GROUP (group), NULL);
  g_assert_false (gtk_widget_get_visible (group));
  g_assert_finalize_object (group);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/job-ui/card/grams", test_card_grams);
  g_test_add_func ("/job-ui/card/no-grams", test_card_no_grams);
  g_test_add_func ("/job-ui/card/no-thumbnail", test_card_no_thumbnail);
  g_test_add_func ("/job-ui/page/ready", test_page_ready);
  g_test_add_func ("/job-ui/page/no-thumbnail", test_page_no_thumbnail);
  g_test_add_func ("/job-ui/page/fetching", test_page_fetching);
  g_test_add_func ("/job-ui/page/unavailable", test_page_unavailable);
  g_test_add_func ("/job-ui/page/none", test_page_none);
  g_test_add_func ("/job-ui/group/new-destroy", test_group_new_destroy);

  return g_test_run ();
}
