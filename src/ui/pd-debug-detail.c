/* pd-debug-detail.c — one debug log message, as a tree, as text and as changes
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tree is a GtkTreeListModel over the message's JSON (PdJsonItem rows,
 * made when expanded); keys and values are coloured by their type through
 * style classes, and a row's path or value can be copied. "Changes" merges
 * the report into the printer's current state and lists what would differ:
 * the same merge and diff the session and the mirror use, so it shows what
 * a report means to Printdeck, not only what it says. A message that is not
 * JSON shows its text only.
 */

#define G_LOG_DOMAIN "pd-debug-detail"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-debug-detail.h"
#include "pd-json-item.h"
#include "pd-report.h"

struct _PdDebugDetail
{
  GtkWidget           parent_instance;

  PdDebugMessage     *message;
  PdPrinter          *printer;
  GtkTreeListModel   *tree;
  GtkSingleSelection *tree_selection;
  GtkStringList      *changes;
  gboolean            changes_done; /* for this message */

  GtkStack           *main_stack;
  GtkStack           *view_stack;
  GtkStackPage       *tree_page;
  GtkStackPage       *changes_page;
  GtkLabel           *topic_label;
  GtkListView        *tree_view;
  GtkTextView        *raw_view;
  GtkStack           *changes_stack;
  GtkListView        *changes_view;
  AdwStatusPage      *changes_status;
};

G_DEFINE_FINAL_TYPE (PdDebugDetail, pd_debug_detail, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers -----------------------------------------------------------------------*/

static PdJsonItem *
selected_item (PdDebugDetail *self)
{
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->tree_selection);

  return row != NULL ? PD_JSON_ITEM (gtk_tree_list_row_get_item (row)) : NULL; /* transfer full */
}

static void
copy_text (PdDebugDetail *self,
           const char    *text,
           const char    *what)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (what));
}

static void
sync_actions (PdDebugDetail *self)
{
  gboolean has_row = gtk_single_selection_get_selected_item (self->tree_selection) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-path", has_row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-value", has_row);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "detail.copy-raw", self->message != NULL);
}

/* Changes -----------------------------------------------------------------------*/

static void
show_no_changes (PdDebugDetail *self,
                 const char    *title,
                 const char    *description)
{
  adw_status_page_set_title (self->changes_status, title);
  adw_status_page_set_description (self->changes_status, description);
  gtk_stack_set_visible_child_name (self->changes_stack, "empty");
}

/* Only when the page is shown: a merge of a full report costs a little. */
static void
update_changes (PdDebugDetail *self)
{
  g_autoptr (PdState)   merged = NULL;
  g_autoptr (GPtrArray) paths = NULL;
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) lines = NULL;
  PdState              *state;
  JsonNode             *json;

  if (self->changes_done || self->message == NULL ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->view_stack), "changes") != 0)
    return;
  self->changes_done = TRUE;

  gtk_string_list_splice (self->changes, 0, g_list_model_get_n_items (G_LIST_MODEL (self->changes)), NULL);
  json = pd_debug_message_get_json (self->message);
  if (pd_debug_message_get_direction (self->message) == PD_MESSAGE_OUTGOING)
    {
      show_no_changes (self, _("Sent by Printdeck"), _("Only the printer's reports change its state"));
      return;
    }
  if (json == NULL || self->printer == NULL)
    {
      show_no_changes (self, _("No Changes"), NULL);
      return;
    }

  state = pd_printer_get_state (self->printer);
  merged = pd_report_merge (state, json, pd_debug_message_get_time (self->message), NULL, &error);
  if (merged == NULL)
    {
      show_no_changes (self, _("Not a Report"), error->message);
      return;
    }

  paths = pd_state_diff (state, merged);
  if (paths->len == 0)
    {
      show_no_changes (self, _("No Changes"),
                                _("The printer's current state already has every value this report carries"));
      return;
    }

  lines = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < paths->len; i++)
    {
      const char      *path = g_ptr_array_index (paths, i);
      g_autofree char *before = pd_json_node_dup_display (pd_state_lookup (state, path));
      g_autofree char *after = pd_json_node_dup_display (pd_state_lookup (merged, path));

      /* TRANSLATORS: a changed field, "temperatures.bed.current: 54.5 → 55.0" */
      g_ptr_array_add (lines, g_strdup_printf (_("%s: %s → %s"), path, before, after));
    }
  g_ptr_array_add (lines, NULL);
  gtk_string_list_splice (self->changes, 0, 0, (const char *const *) lines->pdata);
  gtk_stack_set_visible_child_name (self->changes_stack, "list");
}

/* The tree ------------------------------------------------------------------------*/

static GListModel *
create_children (gpointer item,
                 gpointer data)
{
  return pd_json_item_get_children (item);
}

static void
setup_tree_row (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *key = gtk_label_new (NULL);
  GtkWidget *value = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (key), 0);
  gtk_widget_add_css_class (key, "json-key");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (value, TRUE);
  gtk_box_append (GTK_BOX (box), key);
  gtk_box_append (GTK_BOX (box), value);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_tree_row (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item)
{
  GtkTreeListRow        *row = gtk_list_item_get_item (list_item);
  GtkWidget             *expander = gtk_list_item_get_child (list_item);
  GtkWidget             *box = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  GtkWidget             *key = gtk_widget_get_first_child (box);
  GtkWidget             *value = gtk_widget_get_next_sibling (key);
  g_autoptr (PdJsonItem) item = gtk_tree_list_row_get_item (row);
  g_autofree char       *display = pd_json_item_dup_display (item);
  const char            *old_class = g_object_get_data (G_OBJECT (value), "pd-json-class");

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_label (GTK_LABEL (key), pd_json_item_get_key (item));
  gtk_label_set_label (GTK_LABEL (value), display);
  if (old_class != NULL)
    gtk_widget_remove_css_class (value, old_class);
  gtk_widget_add_css_class (value, pd_json_item_get_style_class (item));
  g_object_set_data (G_OBJECT (value), "pd-json-class", (gpointer) pd_json_item_get_style_class (item));
}

static void
unbind_tree_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (gtk_list_item_get_child (list_item)), NULL);
}

static void
setup_change_row (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_change_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkStringObject *line = gtk_list_item_get_item (list_item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), gtk_string_object_get_string (line));
}

/* Enter (or a double click) opens and closes a row. */
static void
on_tree_activate (PdDebugDetail *self,
                  guint          position)
{
  g_autoptr (GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree_selection), position);

  if (row != NULL && gtk_tree_list_row_is_expandable (row))
    gtk_tree_list_row_set_expanded (row, !gtk_tree_list_row_get_expanded (row));
}

/* Right and Left (and + and −) open and close the selected row, as in other
 * trees; GtkTreeExpander's own keys only work while it has the focus, which
 * a GtkListView row keeps for itself.
 */
static void
expand_selected (GtkWidget  *widget,
                 const char *action,
                 GVariant   *parameter)
{
  PdDebugDetail  *self = PD_DEBUG_DETAIL (widget);
  GtkTreeListRow *row = gtk_single_selection_get_selected_item (self->tree_selection);
  gboolean        expand = g_variant_get_boolean (parameter);

  if (row == NULL)
    return;
  if (expand && gtk_tree_list_row_is_expandable (row))
    gtk_tree_list_row_set_expanded (row, TRUE);
  else if (!expand && gtk_tree_list_row_get_expanded (row))
    gtk_tree_list_row_set_expanded (row, FALSE);
  else if (!expand && gtk_tree_list_row_get_parent (row) != NULL)
    {
      g_autoptr (GtkTreeListRow) parent = gtk_tree_list_row_get_parent (row);

      gtk_single_selection_set_selected (self->tree_selection, gtk_tree_list_row_get_position (parent));
      gtk_widget_grab_focus (GTK_WIDGET (self->tree_view));
    }
}

/* Actions -------------------------------------------------------------------------*/

static void
copy_path (GtkWidget  *widget,
           const char *action,
           GVariant   *parameter)
{
  PdDebugDetail         *self = PD_DEBUG_DETAIL (widget);
  g_autoptr (PdJsonItem) item = selected_item (self);

  if (item != NULL)
    copy_text (self, pd_json_item_get_path (item), _("Key path copied"));
}

static void
copy_value (GtkWidget  *widget,
            const char *action,
            GVariant   *parameter)
{
  PdDebugDetail         *self = PD_DEBUG_DETAIL (widget);
  g_autoptr (PdJsonItem) item = selected_item (self);
  g_autofree char       *value = NULL;

  if (item == NULL)
    return;
  value = pd_json_item_dup_value (item);
  copy_text (self, value, _("Value copied"));
}

static void
copy_raw (GtkWidget  *widget,
          const char *action,
          GVariant   *parameter)
{
  PdDebugDetail   *self = PD_DEBUG_DETAIL (widget);
  g_autofree char *text = NULL;

  if (self->message == NULL)
    return;
  text = pd_debug_message_dup_pretty (self->message);
  copy_text (self, text, _("Message copied"));
}

/* GObject -------------------------------------------------------------------------*/

static void
pd_debug_detail_dispose (GObject *object)
{
  PdDebugDetail *self = PD_DEBUG_DETAIL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_DEBUG_DETAIL);
  g_clear_object (&self->tree_selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->changes);
  g_clear_object (&self->message);
  g_clear_object (&self->printer);

  G_OBJECT_CLASS (pd_debug_detail_parent_class)->dispose (object);
}

static void
pd_debug_detail_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PdDebugDetail *self = PD_DEBUG_DETAIL (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_detail_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PdDebugDetail *self = PD_DEBUG_DETAIL (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      pd_debug_detail_set_message (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_detail_class_init (PdDebugDetailClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pd_debug_detail_dispose;
  object_class->get_property = pd_debug_detail_get_property;
  object_class->set_property = pd_debug_detail_set_property;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, PD_TYPE_DEBUG_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-debug-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, main_stack);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, view_stack);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, tree_page);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, changes_page);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, topic_label);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, tree_view);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, raw_view);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, changes_stack);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, changes_view);
  gtk_widget_class_bind_template_child (widget_class, PdDebugDetail, changes_status);

  gtk_widget_class_install_action (widget_class, "detail.copy-path", NULL, copy_path);
  gtk_widget_class_install_action (widget_class, "detail.copy-value", NULL, copy_value);
  gtk_widget_class_install_action (widget_class, "detail.copy-raw", NULL, copy_raw);
  gtk_widget_class_install_action (widget_class, "detail.expand", "b", expand_selected);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "detail.copy-path", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "detail.expand", "b", TRUE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "detail.expand", "b", TRUE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "detail.expand", "b", TRUE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "detail.expand", "b", FALSE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "detail.expand", "b", FALSE);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "detail.expand", "b", FALSE);
}

static void
pd_debug_detail_init (PdDebugDetail *self)
{
  g_autoptr (GtkListItemFactory) tree_factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkListItemFactory) changes_factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkNoSelection)     changes_selection = NULL;
  GtkShortcutController         *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->tree = gtk_tree_list_model_new (G_LIST_MODEL (g_list_store_new (PD_TYPE_JSON_ITEM)), FALSE, FALSE,
                                        create_children, NULL, NULL);
  self->tree_selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->tree)));
  gtk_single_selection_set_autoselect (self->tree_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->tree_selection, TRUE);
  g_signal_connect_swapped (self->tree_selection, "notify::selected", G_CALLBACK (sync_actions), self);
  g_signal_connect (tree_factory, "setup", G_CALLBACK (setup_tree_row), NULL);
  g_signal_connect (tree_factory, "bind", G_CALLBACK (bind_tree_row), NULL);
  g_signal_connect (tree_factory, "unbind", G_CALLBACK (unbind_tree_row), NULL);
  gtk_list_view_set_factory (self->tree_view, tree_factory);
  gtk_list_view_set_model (self->tree_view, GTK_SELECTION_MODEL (self->tree_selection));
  g_signal_connect_swapped (self->tree_view, "activate", G_CALLBACK (on_tree_activate), self);

  /* Ctrl+C copies the value only in the tree: the text view copies its own
   * selection.
   */
  shortcuts = GTK_SHORTCUT_CONTROLLER (gtk_shortcut_controller_new ());
  gtk_shortcut_controller_add_shortcut (shortcuts,
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_c, GDK_CONTROL_MASK),
                                                          gtk_named_action_new ("detail.copy-value")));
  gtk_widget_add_controller (GTK_WIDGET (self->tree_view), GTK_EVENT_CONTROLLER (shortcuts));

  self->changes = gtk_string_list_new (NULL);
  g_signal_connect (changes_factory, "setup", G_CALLBACK (setup_change_row), NULL);
  g_signal_connect (changes_factory, "bind", G_CALLBACK (bind_change_row), NULL);
  gtk_list_view_set_factory (self->changes_view, changes_factory);
  changes_selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->changes)));
  gtk_list_view_set_model (self->changes_view, GTK_SELECTION_MODEL (changes_selection));
  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (update_changes), self);

  sync_actions (self);
}

GtkWidget *
pd_debug_detail_new (void)
{
  return g_object_new (PD_TYPE_DEBUG_DETAIL, NULL);
}

PdDebugMessage *
pd_debug_detail_get_message (PdDebugDetail *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_DETAIL (self), NULL);

  return self->message;
}

/**
 * pd_debug_detail_set_message:
 * @self: the detail pane
 * @message: (nullable): the message to show
 */
void
pd_debug_detail_set_message (PdDebugDetail  *self,
                             PdDebugMessage *message)
{
  g_autoptr (GListModel) root = NULL;
  g_autofree char       *pretty = NULL;
  g_autofree char       *topic = NULL;
  JsonNode              *json;

  g_return_if_fail (PD_IS_DEBUG_DETAIL (self));
  g_return_if_fail (message == NULL || PD_IS_DEBUG_MESSAGE (message));

  if (self->message == message)
    return;
  /* The log keeps messages as text; the tree parsed for the one shown goes
   * with it (the rows hold the nodes they show). */
  if (self->message != NULL)
    pd_debug_message_release_json (self->message);
  g_set_object (&self->message, message);

  self->changes_done = FALSE;
  gtk_single_selection_set_selected (self->tree_selection, GTK_INVALID_LIST_POSITION);
  json = message != NULL ? pd_debug_message_get_json (message) : NULL;
  if (json != NULL)
    root = pd_json_item_list_children (json, NULL);
  if (root == NULL)
    root = G_LIST_MODEL (g_list_store_new (PD_TYPE_JSON_ITEM));
  g_clear_object (&self->tree);
  self->tree = gtk_tree_list_model_new (g_object_ref (root), FALSE, FALSE, create_children, NULL, NULL);
  gtk_single_selection_set_model (self->tree_selection, G_LIST_MODEL (self->tree));
  /* {"print": {…}}: the one family open at once */
  if (g_list_model_get_n_items (root) == 1)
    {
      g_autoptr (GtkTreeListRow) first = gtk_tree_list_model_get_row (self->tree, 0);

      if (first != NULL)
        gtk_tree_list_row_set_expanded (first, TRUE);
    }

  if (message != NULL)
    {
      pretty = pd_debug_message_dup_pretty (message);
      topic = g_strdup (pd_debug_message_get_topic (message));
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->raw_view), pretty != NULL ? pretty : "", -1);
  gtk_label_set_label (self->topic_label, topic != NULL ? topic : "");

  /* Not JSON: the text only. */
  gtk_stack_page_set_visible (self->tree_page, message == NULL || json != NULL);
  gtk_stack_page_set_visible (self->changes_page, message == NULL || json != NULL);
  if (message != NULL && json == NULL)
    gtk_stack_set_visible_child_name (self->view_stack, "raw");
  gtk_stack_set_visible_child_name (self->main_stack, message != NULL ? "message" : "none");

  update_changes (self);
  sync_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/**
 * pd_debug_detail_set_printer:
 * @self: the detail pane
 * @printer: (nullable): whose state "Changes" compares with
 */
void
pd_debug_detail_set_printer (PdDebugDetail *self,
                             PdPrinter     *printer)
{
  g_return_if_fail (PD_IS_DEBUG_DETAIL (self));

  if (g_set_object (&self->printer, printer))
    {
      self->changes_done = FALSE;
      update_changes (self);
    }
}

GtkTreeListModel *
_pd_debug_detail_get_tree (PdDebugDetail *self)
{
  return self->tree;
}

GtkSingleSelection *
_pd_debug_detail_get_tree_selection (PdDebugDetail *self)
{
  return self->tree_selection;
}

char *
_pd_debug_detail_dup_raw (PdDebugDetail *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->raw_view);
  GtkTextIter    start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

GListModel *
_pd_debug_detail_get_changes (PdDebugDetail *self)
{
  return G_LIST_MODEL (self->changes);
}

void
_pd_debug_detail_show (PdDebugDetail *self,
                       const char    *view)
{
  gtk_stack_set_visible_child_name (self->view_stack, view);
}
