/* pd-sim-model.h — the simulated printer models and their starting reports
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pd-model.h"
#include "pd-sim-types.h"

G_BEGIN_DECLS

typedef struct
{
  const PdModelInfo *info;                    /* the app's model table: prefix, product name… */
  const char        *fixture;                 /* recorded push_status frame it starts from */
  const char        *firmware;                /* ota sw_ver in get_version */
  int                idle_stage;              /* stg_cur while idle: -1 on X1/H2, 255 on P1, 0 on A1 */
  guint              full_frames_capable : 1; /* X1 family: may send full frames every second */
  guint              temps_in_sixteenths : 1; /* P1/A1 report 27.8125-style temperatures */
  guint              gcode_file_3mf : 1;      /* P1/A1: gcode_file is "<name>.gcode.3mf", not the plate's G-code */
} PdSimModel;

const PdSimModel *pd_sim_model_lookup (const char *name);
const PdSimModel *pd_sim_model_default (guint index);
JsonObject       *pd_sim_model_load_print (const PdSimModel *model,
                                           GError          **error);
JsonNode         *pd_sim_model_make_version (const PdSimModel *model,
                                             const char       *serial,
                                             JsonObject       *print,
                                             JsonNode         *sequence_id);
JsonNode         *pd_sim_json_deep_copy (JsonNode *node);

/* A member of @object if it is an object (a list); NULL otherwise, and for
 * a NULL @object.
 */
static inline JsonObject *
pd_sim_json_get_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static inline JsonArray *
pd_sim_json_get_array (JsonObject *object,
                       const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

G_END_DECLS
