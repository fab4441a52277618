/* pd-json-item.c — one member of a JSON document, for tree views
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GtkTreeListModel shows a JSON document as a tree when each row knows its
 * children: a PdJsonItem is a member of an object or an element of an array,
 * with its key (or [index]) and its path from the root in the notation of
 * pd_state_diff(): "print.ams.ams[0].humidity". Children are made when a
 * row is expanded, never before, so a 25 KiB report costs nothing until
 * someone looks into it.
 */

#define G_LOG_DOMAIN "pd-json-item"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-json-item.h"

struct _PdJsonItem
{
  GObject   parent_instance;

  char     *key; /* "humidity" or "[0]" */
  char     *path;
  JsonNode *node;
};

G_DEFINE_FINAL_TYPE (PdJsonItem, pd_json_item, G_TYPE_OBJECT)

static PdJsonItem *
pd_json_item_new (const char *key,
                  char       *path, /* transfer full */
                  JsonNode   *node)
{
  PdJsonItem *self = g_object_new (PD_TYPE_JSON_ITEM, NULL);

  self->key = g_strdup (key);
  self->path = path;
  self->node = json_node_ref (node);

  return self;
}

static void
pd_json_item_finalize (GObject *object)
{
  PdJsonItem *self = PD_JSON_ITEM (object);

  g_free (self->key);
  g_free (self->path);
  g_clear_pointer (&self->node, json_node_unref);

  G_OBJECT_CLASS (pd_json_item_parent_class)->finalize (object);
}

static void
pd_json_item_class_init (PdJsonItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pd_json_item_finalize;
}

static void
pd_json_item_init (PdJsonItem *self)
{
}

/**
 * pd_json_item_list_children:
 * @node: an object or an array
 * @path: (nullable): @node's path, %NULL or "" for the root
 *
 * Returns: (transfer full) (nullable): the members or elements of @node as
 *   PdJsonItems, in their order; %NULL when @node has none
 */
GListModel *
pd_json_item_list_children (JsonNode   *node,
                            const char *path)
{
  GListStore *store;

  g_return_val_if_fail (node != NULL, NULL);

  if (path == NULL)
    path = "";

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject           *object = json_node_get_object (node);
      JsonObjectIter        iter;
      const char           *name;
      JsonNode             *member;
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      if (json_object_get_size (object) == 0)
        return NULL;
      json_object_iter_init_ordered (&iter, object);
      while (json_object_iter_next_ordered (&iter, &name, &member))
        g_ptr_array_add (items, pd_json_item_new (name, *path != '\0' ? g_strconcat (path, ".", name, NULL) : g_strdup (name),
                                                  member));
      store = g_list_store_new (PD_TYPE_JSON_ITEM);
      g_list_store_splice (store, 0, 0, items->pdata, items->len);
      return G_LIST_MODEL (store);
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray            *array = json_node_get_array (node);
      guint                 n = json_array_get_length (array);
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      if (n == 0)
        return NULL;
      for (guint i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("[%u]", i);

          g_ptr_array_add (items, pd_json_item_new (key, g_strconcat (path, key, NULL),
                                                    json_array_get_element (array, i)));
        }
      store = g_list_store_new (PD_TYPE_JSON_ITEM);
      g_list_store_splice (store, 0, 0, items->pdata, items->len);
      return G_LIST_MODEL (store);
    }

  return NULL;
}

/**
 * pd_json_item_get_children:
 * @self: an item
 *
 * A GtkTreeListModelCreateModelFunc.
 *
 * Returns: (transfer full) (nullable): the item's children, %NULL for a value
 */
GListModel *
pd_json_item_get_children (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return pd_json_item_list_children (self->node, self->path);
}

const char *
pd_json_item_get_key (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return self->key;
}

/* "print.ams.ams[0].humidity" */
const char *
pd_json_item_get_path (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return self->path;
}

JsonNode *
pd_json_item_get_node (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return self->node;
}

PdJsonKind
pd_json_item_get_kind (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), PD_JSON_KIND_NULL);

  switch (json_node_get_node_type (self->node))
    {
    case JSON_NODE_OBJECT: return PD_JSON_KIND_OBJECT;
    case JSON_NODE_ARRAY: return PD_JSON_KIND_ARRAY;
    case JSON_NODE_NULL: return PD_JSON_KIND_NULL;
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (self->node))
    {
    case G_TYPE_STRING: return PD_JSON_KIND_STRING;
    case G_TYPE_BOOLEAN: return PD_JSON_KIND_BOOL;
    default: return PD_JSON_KIND_NUMBER;
    }
}

/* The style class of the value's colour (style.css: .json-string …). */
const char *
pd_json_item_get_style_class (PdJsonItem *self)
{
  static const char *const classes[] = {
    [PD_JSON_KIND_OBJECT] = "json-object",
    [PD_JSON_KIND_ARRAY] = "json-array",
    [PD_JSON_KIND_STRING] = "json-string",
    [PD_JSON_KIND_NUMBER] = "json-number",
    [PD_JSON_KIND_BOOL] = "json-bool",
    [PD_JSON_KIND_NULL] = "json-null",
  };

  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return classes[pd_json_item_get_kind (self)];
}

/**
 * pd_json_node_dup_display:
 * @node: a JSON node
 *
 * Returns: (transfer full): what a tree row shows for @node: a value as JSON
 *   writes it ("PLA" with its quotes, 42, true, null), a container by its
 *   size ("14 fields", "4 items")
 */
char *
pd_json_node_dup_display (JsonNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      guint n = json_object_get_size (json_node_get_object (node));

      /* TRANSLATORS: the size of a JSON object in the debug log's tree */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "{ %u field }", "{ %u fields }", n), n);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      guint n = json_array_get_length (json_node_get_array (node));

      /* TRANSLATORS: the size of a JSON array in the debug log's tree */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "[ %u item ]", "[ %u items ]", n), n);
    }

  return json_to_string (node, FALSE);
}

char *
pd_json_item_dup_display (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  return pd_json_node_dup_display (self->node);
}

/**
 * pd_json_item_dup_value:
 * @self: an item
 *
 * Returns: (transfer full): the value to copy: a string as it is (without
 *   quotes), anything else as pretty-printed JSON
 */
char *
pd_json_item_dup_value (PdJsonItem *self)
{
  g_return_val_if_fail (PD_IS_JSON_ITEM (self), NULL);

  if (pd_json_item_get_kind (self) == PD_JSON_KIND_STRING)
    return g_strdup (json_node_get_string (self->node));

  return json_to_string (self->node, TRUE);
}
