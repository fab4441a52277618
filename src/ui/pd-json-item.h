/* pd-json-item.h — one member of a JSON document, for tree views
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  PD_JSON_KIND_OBJECT,
  PD_JSON_KIND_ARRAY,
  PD_JSON_KIND_STRING,
  PD_JSON_KIND_NUMBER,
  PD_JSON_KIND_BOOL,
  PD_JSON_KIND_NULL,
} PdJsonKind;

#define PD_TYPE_JSON_ITEM (pd_json_item_get_type ())

G_DECLARE_FINAL_TYPE (PdJsonItem, pd_json_item, PD, JSON_ITEM, GObject)

GListModel *pd_json_item_list_children (JsonNode   *node,
                                        const char *path);
GListModel *pd_json_item_get_children (PdJsonItem *self);
const char *pd_json_item_get_key (PdJsonItem *self);
const char *pd_json_item_get_path (PdJsonItem *self);
JsonNode   *pd_json_item_get_node (PdJsonItem *self);
PdJsonKind  pd_json_item_get_kind (PdJsonItem *self);
const char *pd_json_item_get_style_class (PdJsonItem *self);
char       *pd_json_item_dup_display (PdJsonItem *self);
char       *pd_json_item_dup_value (PdJsonItem *self);

char       *pd_json_node_dup_display (JsonNode *node);

G_END_DECLS
