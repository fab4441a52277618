/* test-debug-ui.c — the MQTT debug log window, its detail pane, the printer
 * page's debug row and the app's debug actions, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Most cases feed a log directly with recorded reports (tests/fixtures),
 * which makes the list's content exact; the last runs the app against one
 * simulated printer, so capturing, the actions and the page are real. Every
 * wait is bounded.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "pd-application.h"
#include "pd-debug-detail.h"
#include "pd-debug-manager.h"
#include "pd-debug-window.h"
#include "pd-json-item.h"
#include "pd-printer-page.h"
#include "pd-preferences-window.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-app.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

#define SECRET "31415926"

/* Helpers ------------------------------------------------------------------------*/

static void
add_text (PdDebugLog        *log,
          PdMessageDirection direction,
          const char        *text)
{
  g_autoptr (GBytes) payload = g_bytes_new (text, strlen (text));

  pd_debug_log_add (log, direction, direction == PD_MESSAGE_INCOMING ? "device/01S00C000000001/report" : "device/01S00C000000001/request",
                    payload);
}

static void
add_fixture (PdDebugLog *log,
             const char *name)
{
  gsize              length;
  g_autofree char   *text = pd_test_load_fixture (name, &length);
  g_autoptr (GBytes) payload = g_bytes_new (text, length);

  pd_debug_log_add (log, PD_MESSAGE_INCOMING, "device/01S00C000000001/report", payload);
}

static PdDebugWindow *
show_window (PdDebugLog *log,
             PdPrinter  *printer)
{
  GtkWidget *window = pd_debug_window_new (log, printer);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 700);
  gtk_window_present (GTK_WINDOW (window));
  pd_test_wait_for_frames (window);

  return PD_DEBUG_WINDOW (window);
}

typedef struct
{
  GListModel *model;
  guint       n;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n;
}

#define wait_for_rows(w, n) wait_for_rows_at (w, n, __LINE__)

static void
wait_for_rows_at (PdDebugWindow *window,
                  guint          n,
                  int            line)
{
  CountWait wait = { _pd_debug_window_get_shown (window), n };

  if (!pd_test_wait_until (has_n_items, &wait, 5))
    g_error ("line %d: the list has %u rows, not %u", line, g_list_model_get_n_items (wait.model), n);
}

static PdDebugMessage *
shown_message (PdDebugWindow *window,
               guint          position)
{
  g_autoptr (PdDebugMessage) message = g_list_model_get_item (_pd_debug_window_get_shown (window), position);

  return message; /* the log holds it */
}

/* The tree row whose path is @path, or G_MAXUINT */
static guint
find_tree_row (GtkTreeListModel *tree,
               const char       *path)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (tree)); i++)
    {
      g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, i);
      g_autoptr (PdJsonItem)     item = gtk_tree_list_row_get_item (row);

      if (g_strcmp0 (pd_json_item_get_path (item), path) == 0)
        return i;
    }

  return G_MAXUINT;
}

static void
expand_path (GtkTreeListModel *tree,
             const char       *path)
{
  guint                      position = find_tree_row (tree, path);
  g_autoptr (GtkTreeListRow) row = NULL;

  if (position == G_MAXUINT)
    g_error ("no tree row %s", path);
  row = gtk_tree_list_model_get_row (tree, position);
  gtk_tree_list_row_set_expanded (row, TRUE);
}

/* Every label and text in @widget, joined */
static void
collect_text (GtkWidget *widget,
              GString   *text)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (text, "%s\n", gtk_label_get_label (GTK_LABEL (widget)));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer   *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter      start, end;
      g_autofree char *all = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      all = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      g_string_append_printf (text, "%s\n", all);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_text (child, text);
}

static void
select_row (PdDebugWindow *window,
            guint          position)
{
  gtk_single_selection_set_selected (_pd_debug_window_get_selection (window), position);
  g_assert_true (pd_debug_detail_get_message (_pd_debug_window_get_detail (window)) ==
                 shown_message (window, position));
}

static PdDebugLog *
new_log (void)
{
  PdDebugLog *log = pd_debug_log_new (NULL);

  pd_debug_log_set_secret (log, SECRET);
  return log;
}

static const char *const reports[] = {
  "reports/X1C_finish_2ams_ams2pro_drying_amsht_push_status.json",
  "reports/H2D_get_version_response.json",
  "reports/H2D_door_opened_stat_delta.json",
};

/* Tests ---------------------------------------------------------------------------*/

static void
test_new_destroy (void)
{
  g_autoptr (PdPrinter) printer = pd_printer_new ("01S00C000000001");
  PdDebugLog           *log = new_log ();
  GtkWidget            *widget;

  widget = g_object_ref (pd_debug_window_new (log, printer));
  gtk_window_destroy (GTK_WINDOW (widget));
  g_assert_finalize_object (widget);

  widget = g_object_ref_sink (pd_debug_detail_new ());
  g_assert_finalize_object (widget);

  {
    g_autoptr (JsonNode) node = json_from_string ("{\"a\":{\"b\":[1,2]}}", NULL);
    GListModel          *children = pd_json_item_list_children (node, NULL);
    PdJsonItem          *item = g_list_model_get_item (children, 0);
    GListModel          *grandchildren = pd_json_item_get_children (item);
    PdJsonItem          *b = g_list_model_get_item (grandchildren, 0);
    GListModel          *elements = pd_json_item_get_children (b);
    PdJsonItem          *second = g_list_model_get_item (elements, 1);

    g_assert_cmpstr (pd_json_item_get_path (second), ==, "a.b[1]");
    g_assert_cmpstr (pd_json_item_get_key (second), ==, "[1]");
    g_assert_cmpint (pd_json_item_get_kind (second), ==, PD_JSON_KIND_NUMBER);
    /* the lists hold their items */
    g_object_unref (second);
    g_object_unref (b);
    g_object_unref (item);
    g_assert_finalize_object (elements);
    g_assert_finalize_object (grandchildren);
    g_assert_finalize_object (children);
  }

  g_assert_finalize_object (log);
}

/* Rows come in order, newest last, with the core's summaries; the empty
 * state says why there are none.
 */
static void
test_rows (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  GListModel            *columns = gtk_column_view_get_columns (_pd_debug_window_get_column_view (window));
  const char            *titles[] = { "Time", "Direction", "Summary", "Size" };

  g_assert_cmpstr (_pd_debug_window_get_empty_title (window), ==, "Not Capturing");
  g_assert_cmpuint (g_list_model_get_n_items (columns), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      g_assert_cmpstr (gtk_column_view_column_get_title (column), ==, titles[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
    add_fixture (log, reports[i]);
  add_text (log, PD_MESSAGE_OUTGOING, "{\"pushing\":{\"sequence_id\":\"1\",\"command\":\"pushall\"}}");
  wait_for_rows (window, 4);
  g_assert_null (_pd_debug_window_get_empty_title (window));

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr (PdDebugMessage) in_log = g_list_model_get_item (G_LIST_MODEL (log), i);

      g_assert_true (shown_message (window, i) == in_log);
    }
  g_assert_cmpstr (pd_debug_message_get_summary (shown_message (window, 3)), ==, "pushing.pushall");
  g_assert_true (g_str_has_prefix (pd_debug_message_get_summary (shown_message (window, 0)), "print.push_status"));
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "4 messages"));
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "0 dropped"));
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "keeps the newest 2000"));

  /* the rows show what the model says */
  pd_test_wait_for_frames (GTK_WIDGET (window));
  {
    g_autoptr (GString) text = g_string_new (NULL);

    collect_text (GTK_WIDGET (_pd_debug_window_get_column_view (window)), text);
    g_assert_nonnull (strstr (text->str, "pushing.pushall"));
    g_assert_nonnull (strstr (text->str, "Out"));
    g_assert_nonnull (strstr (text->str, "In"));
  }

  /* the ring drops the oldest, and the list follows */
  pd_debug_log_set_capacity (log, 100);
  for (guint i = 0; i < 150; i++)
    add_text (log, PD_MESSAGE_INCOMING, "{\"print\":{\"command\":\"push_status\",\"nozzle_temper\":220}}");
  wait_for_rows (window, 100);
  {
    g_autoptr (PdDebugMessage) last = g_list_model_get_item (G_LIST_MODEL (log), 99);

    g_assert_true (shown_message (window, 99) == last);
  }
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "54 dropped"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear", NULL);
  wait_for_rows (window, 0);
  g_assert_cmpstr (_pd_debug_window_get_empty_title (window), ==, "Not Capturing");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Direction and search narrow the list; together they both apply. */
static void
test_filter_search (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  GtkEditable           *search = _pd_debug_window_get_search (window);

  for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
    add_fixture (log, reports[i]);
  add_text (log, PD_MESSAGE_OUTGOING, "{\"pushing\":{\"sequence_id\":\"1\",\"command\":\"pushall\"}}");
  add_text (log, PD_MESSAGE_OUTGOING, "{\"system\":{\"sequence_id\":\"2\",\"command\":\"ledctrl\",\"led_node\":\"chamber_light\"}}");
  add_text (log, PD_MESSAGE_INCOMING, "not json at all");
  wait_for_rows (window, 6);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.direction", "s", "out");
  g_assert_cmpstr (pd_debug_window_get_direction (window), ==, "out");
  wait_for_rows (window, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpint (pd_debug_message_get_direction (shown_message (window, i)), ==, PD_MESSAGE_OUTGOING);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.direction", "s", "in");
  wait_for_rows (window, 4);

  /* search: topic and payload, any case */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.direction", "s", "all");
  gtk_editable_set_text (search, "LEDCTRL");
  wait_for_rows (window, 1);
  g_assert_cmpstr (pd_debug_message_get_summary (shown_message (window, 0)), ==, "system.ledctrl");
  gtk_editable_set_text (search, "000001/REQUEST");
  wait_for_rows (window, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.direction", "s", "in");
  wait_for_rows (window, 0);
  g_assert_cmpstr (_pd_debug_window_get_empty_title (window), ==, "No Matching Messages");
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "0 shown"));

  gtk_editable_set_text (search, "");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.direction", "s", "all");
  wait_for_rows (window, 6);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The tree opens objects and arrays, the raw view is pretty JSON, the
 * changes list what the report changes; a message that is not JSON shows
 * its text.
 */
static void
test_detail (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  PdDebugDetail         *detail = _pd_debug_window_get_detail (window);
  GtkTreeListModel      *tree;
  g_autofree char       *raw = NULL;
  g_autofree char       *pretty = NULL;
  guint                  position;
  guint                  before;

  add_fixture (log, reports[0]);
  add_text (log, PD_MESSAGE_INCOMING, "not json at all");
  add_text (log, PD_MESSAGE_OUTGOING, "{\"pushing\":{\"sequence_id\":\"1\",\"command\":\"pushall\"}}");
  wait_for_rows (window, 3);

  select_row (window, 0);
  tree = _pd_debug_detail_get_tree (detail);
  /* one family ("print"), open at once */
  g_assert_cmpuint (find_tree_row (tree, "print"), ==, 0);
  g_assert_cmpuint (find_tree_row (tree, "print.ams"), !=, G_MAXUINT);
  g_assert_cmpuint (find_tree_row (tree, "print.ams.ams"), ==, G_MAXUINT);

  before = g_list_model_get_n_items (G_LIST_MODEL (tree));
  expand_path (tree, "print.ams");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tree)), >, before);
  g_assert_cmpuint (find_tree_row (tree, "print.ams.ams"), !=, G_MAXUINT);
  expand_path (tree, "print.ams.ams");
  expand_path (tree, "print.ams.ams[0]");
  position = find_tree_row (tree, "print.ams.ams[0].humidity");
  g_assert_cmpuint (position, !=, G_MAXUINT);
  {
    g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, position);
    g_autoptr (PdJsonItem)     item = gtk_tree_list_row_get_item (row);
    g_autofree char           *value = pd_json_item_dup_value (item);

    g_assert_false (gtk_tree_list_row_is_expandable (row));
    g_assert_cmpstr (pd_json_item_get_style_class (item), ==, "json-string");
    g_assert_cmpstr (value, !=, "");
  }

  /* copy the key path of the selected row */
  gtk_single_selection_set_selected (_pd_debug_detail_get_tree_selection (detail), position);
  gtk_widget_activate_action (GTK_WIDGET (detail), "detail.copy-path", NULL);
  {
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *copied = NULL;
    GdkClipboard            *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (detail));

    gdk_clipboard_read_text_async (clipboard, NULL, pd_test_store_result, &result);
    g_assert_true (pd_test_wait_for_result (&result, 5));
    copied = gdk_clipboard_read_text_finish (clipboard, result, NULL);
    g_assert_cmpstr (copied, ==, "print.ams.ams[0].humidity");
  }

  /* the raw view: pretty JSON */
  raw = _pd_debug_detail_dup_raw (detail);
  pretty = pd_debug_message_dup_pretty (shown_message (window, 0));
  g_assert_cmpstr (raw, ==, pretty);
  g_assert_true (g_str_has_prefix (raw, "{\n  \"print\""));

  /* against a printer that never reported, a full report changes much */
  _pd_debug_detail_show (detail, "changes");
  g_assert_cmpuint (g_list_model_get_n_items (_pd_debug_detail_get_changes (detail)), >, 5);
  {
    g_autoptr (GtkStringObject) first = g_list_model_get_item (_pd_debug_detail_get_changes (detail), 0);

    g_assert_nonnull (strstr (gtk_string_object_get_string (first), " → "));
  }

  /* screenshots: a report selected, the tree open */
  _pd_debug_detail_show (detail, "tree");
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "debug-window.png"));
  _pd_debug_detail_show (detail, "changes");
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "debug-window-changes.png"));

  /* not JSON: the text only */
  select_row (window, 1);
  g_clear_pointer (&raw, g_free);
  raw = _pd_debug_detail_dup_raw (detail);
  g_assert_cmpstr (raw, ==, "not json at all");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (_pd_debug_detail_get_tree (detail))), ==, 0);

  /* a command: nothing to change */
  select_row (window, 2);
  _pd_debug_detail_show (detail, "changes");
  g_assert_cmpuint (g_list_model_get_n_items (_pd_debug_detail_get_changes (detail)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A secret is "[redacted]" and appears nowhere on screen. */
static void
test_redaction (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  PdDebugDetail         *detail = _pd_debug_window_get_detail (window);
  GtkTreeListModel      *tree;
  g_autoptr (GString)    text = g_string_new (NULL);
  guint                  position;

  add_text (log, PD_MESSAGE_OUTGOING,
            "{\"print\":{\"command\":\"connect\",\"password\":\"hunter2-secret\",\"url\":\"rtsps://bblp:" SECRET "@10.0.0.2/\"}}");
  wait_for_rows (window, 1);
  select_row (window, 0);
  tree = _pd_debug_detail_get_tree (detail);
  position = find_tree_row (tree, "print.password");
  g_assert_cmpuint (position, !=, G_MAXUINT);
  {
    g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, position);
    g_autoptr (PdJsonItem)     item = gtk_tree_list_row_get_item (row);
    g_autofree char           *value = pd_json_item_dup_value (item);

    g_assert_cmpstr (value, ==, PD_DEBUG_REDACTED);
  }

  for (guint i = 0; i < 3; i++)
    {
      const char *view = (const char *[]){ "tree", "raw", "changes" }[i];

      _pd_debug_detail_show (detail, view);
      pd_test_wait_for_frames (GTK_WIDGET (window));
      collect_text (GTK_WIDGET (window), text);
    }
  g_assert_nonnull (strstr (text->str, "\"[redacted]\""));
  g_assert_null (strstr (text->str, "hunter2"));
  g_assert_null (strstr (text->str, SECRET));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
at_bottom (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) &&
         gtk_adjustment_get_value (adjustment) >=
           gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 1;
}

static void
add_many (PdDebugLog *log,
          guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"print\":{\"command\":\"push_status\",\"mc_percent\":%u}}", i);

      add_text (log, PD_MESSAGE_INCOMING, text);
    }
}

/* At the bottom, new rows scroll into view; scrolled back, nothing moves. */
static void
test_follow (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  GtkAdjustment         *adjustment = _pd_debug_window_get_vadjustment (window);

  add_many (log, 200);
  wait_for_rows (window, 200);
  g_assert_true (pd_test_wait_until (at_bottom, adjustment, 5));

  /* more, a few at a time, as a printer sends them */
  for (guint i = 0; i < 10; i++)
    {
      add_many (log, 3);
      pd_test_spin (20);
    }
  wait_for_rows (window, 230);
  g_assert_true (pd_test_wait_until (at_bottom, adjustment, 5));

  /* scrolled back: the view stays where the user put it */
  gtk_adjustment_set_value (adjustment, 0);
  pd_test_wait_for_frames (GTK_WIDGET (window));
  for (guint i = 0; i < 10; i++)
    {
      add_many (log, 3);
      pd_test_spin (20);
    }
  wait_for_rows (window, 260);
  pd_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0);

  /* back at the bottom, it follows again */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  pd_test_wait_for_frames (GTK_WIDGET (window));
  add_many (log, 20);
  wait_for_rows (window, 280);
  g_assert_true (pd_test_wait_until (at_bottom, adjustment, 5));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Paused, the list keeps what it shows; resumed, it catches up. */
static void
test_pause (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);

  add_many (log, 10);
  wait_for_rows (window, 10);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  g_assert_true (pd_debug_window_get_paused (window));
  add_many (log, 15);
  pd_test_spin (200);
  pd_test_wait_for_frames (GTK_WIDGET (window));
  g_assert_cmpuint (g_list_model_get_n_items (_pd_debug_window_get_shown (window)), ==, 10);
  g_assert_nonnull (strstr (_pd_debug_window_get_status (window), "paused"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  g_assert_false (pd_debug_window_get_paused (window));
  wait_for_rows (window, 25);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A name a screen reader can say for a focus stop (GTK 4.8 has no getter
 * for accessible properties: the visible label, the tooltip, the entry's
 * placeholder or the row's text stand in for it).
 */
static char *
focus_stop_name (GtkWidget *widget)
{
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_SEARCH_ENTRY) != NULL)
    {
      char *placeholder = NULL;

      g_object_get (gtk_widget_get_ancestor (widget, GTK_TYPE_SEARCH_ENTRY), "placeholder-text", &placeholder, NULL);
      return placeholder;
    }
  /* a button showing a label of its own (the stack switcher's): its text */
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL &&
      gtk_widget_get_tooltip_text (widget) == NULL)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      collect_text (widget, text);
      g_strstrip (text->str);
      if (text->str[0] != '\0')
        return g_strdup (text->str);
    }
  /* a selectable label: its text */
  if (GTK_IS_LABEL (widget) && gtk_label_get_label (GTK_LABEL (widget))[0] != '\0')
    return g_strdup (gtk_label_get_label (GTK_LABEL (widget)));
  /* rows of the lists: what they show */
  if (gtk_widget_get_ancestor (widget, GTK_TYPE_COLUMN_VIEW) != NULL || gtk_widget_get_ancestor (widget, GTK_TYPE_LIST_VIEW) != NULL ||
      GTK_IS_TEXT_VIEW (widget))
    {
      g_autoptr (GString) text = g_string_new (NULL);

      collect_text (widget, text);
      g_strstrip (text->str);
      return text->str[0] != '\0' ? g_strdup (text->str) : g_strdup (G_OBJECT_TYPE_NAME (widget));
    }

  for (guint depth = 0; widget != NULL && depth < 3; depth++, widget = gtk_widget_get_parent (widget))
    {
      if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
        return g_strdup (gtk_button_get_label (GTK_BUTTON (widget)));
      if (gtk_widget_get_tooltip_text (widget) != NULL)
        return g_strdup (gtk_widget_get_tooltip_text (widget));
    }

  return NULL;
}

static GHashTable *
walk_focus_chain (GtkWidget *root)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWidget  *first = NULL;

  gtk_root_set_focus (GTK_ROOT (root), NULL);
  /* GTK 4.8's list views stop at every row (4.12 has GtkListTabBehavior),
   * and the open tree has about a hundred.
   */
  for (guint i = 0; i < 400; i++)
    {
      GtkWidget *focus;
      char      *name;

      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        {
          gtk_root_set_focus (GTK_ROOT (root), NULL);
          if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
            g_error ("nothing takes the focus");
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
      g_hash_table_add (names, name);
    }

  g_error ("the focus chain did not come round in 400 steps");
}

/* Tab reaches every control, and each has a name. */
static void
test_keyboard (void)
{
  g_autoptr (PdPrinter)  printer = pd_printer_new ("01S00C000000001");
  g_autoptr (PdDebugLog) log = new_log ();
  PdDebugWindow         *window = show_window (log, printer);
  g_autoptr (GHashTable) names = NULL;

  add_fixture (log, reports[0]);
  wait_for_rows (window, 1);
  select_row (window, 0);
  /* the copy buttons work on a field */
  gtk_single_selection_set_selected (_pd_debug_detail_get_tree_selection (_pd_debug_window_get_detail (window)), 0);
  pd_test_wait_for_frames (GTK_WIDGET (window));

  names = walk_focus_chain (GTK_WIDGET (window));
  for (guint i = 0; i < 10; i++)
    {
      const char *name = (const char *[]){ "Start MQTT Debug", "Pause Auto-Refresh", "Export… (Ctrl+S)", "Clear (Ctrl+L)",
                                           "All", "Incoming", "Outgoing", "Search topics and payloads", "Copy Key Path",
                                           "Copy Value" }[i];

      if (!g_hash_table_contains (names, name))
        g_error ("Tab does not reach \"%s\"", name);
    }

  /* Right and Left open and close the selected tree row */
  {
    PdDebugDetail             *detail = _pd_debug_window_get_detail (window);
    GtkTreeListModel          *tree = _pd_debug_detail_get_tree (detail);
    guint                      position = find_tree_row (tree, "print.ams");
    g_autoptr (GtkTreeListRow) row = gtk_tree_list_model_get_row (tree, position);

    gtk_single_selection_set_selected (_pd_debug_detail_get_tree_selection (detail), position);
    gtk_widget_activate_action (GTK_WIDGET (detail), "detail.expand", "b", TRUE);
    g_assert_true (gtk_tree_list_row_get_expanded (row));
    gtk_widget_activate_action (GTK_WIDGET (detail), "detail.expand", "b", FALSE);
    g_assert_false (gtk_tree_list_row_get_expanded (row));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The app: one simulated printer ----------------------------------------------------*/

static PdSim *sim;

static gboolean
printer_connected (gpointer data)
{
  return data != NULL && pd_printer_get_connection (data) == PD_CONNECTION_CONNECTED;
}

static guint
count_debug_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint       n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      n += PD_IS_DEBUG_WINDOW (toplevel);
    }

  return n;
}

static gboolean
has_both_directions (gpointer data)
{
  GListModel *model = data;
  gboolean    in = FALSE, out = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdDebugMessage) message = g_list_model_get_item (model, i);

      in |= pd_debug_message_get_direction (message) == PD_MESSAGE_INCOMING;
      out |= pd_debug_message_get_direction (message) == PD_MESSAGE_OUTGOING;
    }

  return in && out;
}

/* app.toggle-debug, app.show-debug-log (one window per printer), the
 * printer page's row and Ctrl+Shift+D, and the capacity setting.
 */
static void
test_app (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", NULL);
  g_autofree char   *cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", NULL);
  PdApplication     *app;
  PdWindow          *main_window;
  PdPrinter         *printer;
  PdDebugLog        *log;
  GtkWindow         *debug_window;
  PdPrinterPage     *page;
  GtkWidget         *capture_button;
  const char        *serial = pd_sim_printer_get_serial (pd_sim_get_printer (sim, 0));

  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  app = pd_application_new (APPLICATION_ID ".DebugTest", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  main_window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (pd_application_get_debug (app));

  pd_test_app_add_sim_printer (app, pd_sim_get_printer (sim, 0));
  printer = pd_printer_store_find (pd_application_get_store (app), serial);
  g_assert_true (pd_test_wait_until (printer_connected, printer, 30));

  log = pd_debug_manager_get_log (pd_application_get_debug (app), printer);
  g_assert_nonnull (log);
  g_assert_false (pd_debug_log_get_capturing (log));
  g_assert_cmpuint (pd_debug_log_get_capacity (log), ==, 2000);
  g_settings_set_uint (pd_application_get_settings (app), "debug-log-capacity", 500);
  g_assert_cmpuint (pd_debug_log_get_capacity (log), ==, 500);

  /* the page's row */
  page = _pd_window_get_printer_page (main_window);
  pd_printer_page_set_printer (page, printer, pd_printer_store_get_session (pd_application_get_store (app), printer));
  capture_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), PD_TYPE_PRINTER_PAGE, "debug_capture_button"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (capture_button)), ==, "Start MQTT Debug");

  g_action_group_activate_action (G_ACTION_GROUP (app), "toggle-debug", g_variant_new_string (serial));
  g_assert_true (pd_debug_log_get_capturing (log));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (capture_button)), ==, "Stop");

  /* reports come in; a refresh goes out */
  g_action_group_activate_action (G_ACTION_GROUP (app), "refresh", NULL);
  g_assert_true (pd_test_wait_until (has_both_directions, log, 20));

  /* one window per printer, raised again */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-debug-log", g_variant_new_string (serial));
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-debug-log", g_variant_new_string (serial));
  g_assert_cmpuint (count_debug_windows (), ==, 1);
  debug_window = pd_debug_manager_show_log (pd_application_get_debug (app), printer);
  g_assert_true (pd_debug_window_get_log (PD_DEBUG_WINDOW (debug_window)) == log);
  pd_test_wait_for_frames (GTK_WIDGET (debug_window));
  g_assert_true (pd_test_wait_until (has_both_directions, _pd_debug_window_get_shown (PD_DEBUG_WINDOW (debug_window)), 10));
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (debug_window), "debug-window-live.png"));

  /* the window's Start/Stop is the same capture */
  gtk_widget_activate_action (GTK_WIDGET (debug_window), "win.capture", NULL);
  g_assert_false (pd_debug_log_get_capturing (log));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (capture_button)), ==, "Start MQTT Debug");
  gtk_window_destroy (debug_window);

  /* the page's Ctrl+Shift+D action opens it */
  gtk_widget_activate_action (GTK_WIDGET (page), "printer.show-debug-log", NULL);
  g_assert_cmpuint (count_debug_windows (), ==, 1);
  debug_window = pd_debug_manager_show_log (pd_application_get_debug (app), printer);
  gtk_window_destroy (debug_window);

  /* the preference */
  {
    GtkWidget *preferences = pd_preferences_window_new (pd_application_get_settings (app));
    GtkWidget *spin = GTK_WIDGET (gtk_widget_get_template_child (preferences, PD_TYPE_PREFERENCES_WINDOW, "debug_capacity_spin"));

    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (spin)), ==, 500);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3000);
    g_assert_cmpuint (pd_debug_log_get_capacity (log), ==, 3000);
    gtk_window_destroy (GTK_WINDOW (preferences));
  }
  g_settings_reset (pd_application_get_settings (app), "debug-log-capacity");

  gtk_window_destroy (GTK_WINDOW (main_window));
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_object_unref (app);
  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  int                status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  {
    /* the app's colours, as AdwApplication loads them */
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, RESOURCE_BASE_PATH "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  pd_secrets_set_memory_only (TRUE);

  pd_sim_options_init (&options);
  options.n_printers = 1;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.report_interval_ms = 200;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  g_test_add_func ("/debug-ui/new-destroy", test_new_destroy);
  g_test_add_func ("/debug-ui/rows", test_rows);
  g_test_add_func ("/debug-ui/filter-search", test_filter_search);
  g_test_add_func ("/debug-ui/detail", test_detail);
  g_test_add_func ("/debug-ui/redaction", test_redaction);
  g_test_add_func ("/debug-ui/follow", test_follow);
  g_test_add_func ("/debug-ui/pause", test_pause);
  g_test_add_func ("/debug-ui/keyboard", test_keyboard);
  g_test_add_func ("/debug-ui/app", test_app);

  status = g_test_run ();

  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
