/* pd-sim-model.c — the simulated printer models and their starting reports
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every simulated printer starts from a push_status frame recorded from a
 * real printer (tests/fixtures/reports, compiled into the program as a
 * GResource so that an installed printdeck-sim needs no source tree). Models
 * without a recording start from the closest one, adjusted where it matters
 * to a client (an H2S has one extruder, not two).
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pd-sim-model.h"

#define RESOURCE_DIR "/io/github/printdeck/Printdeck/sim/reports/"

#define X1C_FRAME "X1C_finish_2ams_ams2pro_drying_amsht_push_status.json"
#define X1_FRAME  "X1_idle_ams_generic_spools_push_status.json"
#define H2D_FRAME "H2D_running_ams_amsht_encoded_temps_push_status.json"
#define A1_FRAME  "A1_idle_ams_lite_humidity_index_push_status.json"
#define P1P_FRAME "P1P_failed_push_status.json"

typedef struct
{
  const char *id;
  const char *fixture;
  const char *firmware;
  int         idle_stage;
  gboolean    full_frames_capable;
  gboolean    sixteenths;
  gboolean    gcode_file_3mf;
} ModelRow;

/* Firmware versions are plausible releases of each model, not the newest.
 * The last column: P1 and A1 firmware report the job's .3mf name in
 * gcode_file, X1/H2/P2 the plate's G-code (reference/ftps-3mf.md §1.5). */
static const ModelRow rows[] = {
  { "X1C", X1C_FRAME, "01.08.02.00", -1, TRUE, FALSE, FALSE },
  { "X1", X1_FRAME, "01.08.02.00", -1, TRUE, FALSE, FALSE },
  { "X1E", X1_FRAME, "01.01.03.00", -1, TRUE, FALSE, FALSE },
  { "P1P", P1P_FRAME, "01.07.00.00", 255, FALSE, TRUE, TRUE },
  { "P1S", P1P_FRAME, "01.07.00.00", 255, FALSE, TRUE, TRUE },
  { "P2S", X1C_FRAME, "01.00.01.00", -1, FALSE, FALSE, FALSE },
  { "A1MINI", A1_FRAME, "01.04.00.00", 0, FALSE, TRUE, TRUE },
  { "A1", A1_FRAME, "01.04.00.00", 0, FALSE, TRUE, TRUE },
  { "A2L", A1_FRAME, "01.00.00.00", 0, FALSE, TRUE, TRUE },
  { "H2D", H2D_FRAME, "01.01.02.07", -1, FALSE, FALSE, FALSE },
  { "H2DPRO", H2D_FRAME, "01.01.02.07", -1, FALSE, FALSE, FALSE },
  { "H2S", H2D_FRAME, "01.01.00.00", -1, FALSE, FALSE, FALSE },
  { "H2C", H2D_FRAME, "01.00.00.00", -1, FALSE, FALSE, FALSE },
  { "X2D", H2D_FRAME, "01.02.00.00", -1, FALSE, FALSE, FALSE },
};

/* The order printers cycle through when no --models is given. */
static const char *const default_cycle[] = { "X1C", "H2D", "A1", "P1P", "X1" };

static PdSimModel        models[G_N_ELEMENTS (rows)];

static void
init_models (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        {
          models[i].info = pd_model_lookup (rows[i].id);
          g_assert (models[i].info != NULL);
          models[i].fixture = rows[i].fixture;
          models[i].firmware = rows[i].firmware;
          models[i].idle_stage = rows[i].idle_stage;
          models[i].full_frames_capable = rows[i].full_frames_capable;
          models[i].temps_in_sixteenths = rows[i].sixteenths;
          models[i].gcode_file_3mf = rows[i].gcode_file_3mf;
        }
      g_once_init_leave (&initialized, 1);
    }
}

/**
 * pd_sim_model_lookup:
 * @name: a model as the app's table knows it ("X1C", "A1 mini", "N2S"…)
 *
 * Returns: (nullable): the simulated model
 */
const PdSimModel *
pd_sim_model_lookup (const char *name)
{
  const PdModelInfo *info = pd_model_lookup (name);

  init_models ();

  if (info == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (models[i].info == info)
      return &models[i];

  return NULL;
}

/**
 * pd_sim_model_default:
 * @index: a printer's index
 *
 * Returns: the model printer @index gets without --models
 */
const PdSimModel *
pd_sim_model_default (guint index)
{
  return pd_sim_model_lookup (default_cycle[index % G_N_ELEMENTS (default_cycle)]);
}

static JsonNode *
load_resource (const char *name,
               GError    **error)
{
  g_autofree char       *path = g_strconcat (RESOURCE_DIR, name, NULL);
  g_autoptr (GBytes)     bytes = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize                  len = 0;
  const char            *data;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &len);
  if (!json_parser_load_from_data (parser, data, (gssize) len, error))
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

/* Keeps the first @n elements of @array. */
static void
truncate_array (JsonArray *array,
                guint      n)
{
  while (array != NULL && json_array_get_length (array) > n)
    json_array_remove_element (array, json_array_get_length (array) - 1);
}

/* An H2D frame made into a single-extruder H2S or P2S-like frame. */
static void
make_single_extruder (JsonObject *print)
{
  JsonObject *device = pd_sim_json_get_object (print, "device");
  JsonObject *extruder = pd_sim_json_get_object (device, "extruder");
  JsonObject *nozzle = pd_sim_json_get_object (device, "nozzle");

  truncate_array (pd_sim_json_get_array (extruder, "info"), 1);
  if (extruder != NULL)
    json_object_set_int_member (extruder, "state", 1); /* one extruder, the first active */
  truncate_array (pd_sim_json_get_array (nozzle, "info"), 1);
  if (nozzle != NULL)
    json_object_set_int_member (nozzle, "exist", 1);
  truncate_array (pd_sim_json_get_array (print, "vir_slot"), 1);
}

/**
 * pd_sim_model_load_print:
 *
 * Returns: (transfer full) (nullable): the content of the model's recorded
 *   "print" object, without its command, msg and sequence_id
 */
JsonObject *
pd_sim_model_load_print (const PdSimModel *model,
                         GError          **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject          *print;
  JsonObject          *ipcam;

  g_return_val_if_fail (model != NULL, NULL);

  if ((root = load_resource (model->fixture, error)) == NULL)
    return NULL;

  print = pd_sim_json_get_object (JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL, "print");
  if (print == NULL)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_FAILED, "fixture %s has no print object", model->fixture);
      return NULL;
    }
  json_object_ref (print);

  json_object_remove_member (print, "command");
  json_object_remove_member (print, "msg");
  json_object_remove_member (print, "sequence_id");

  /* The simulator serves no camera (yet): say so the way a printer with
   * LAN live view switched off does, rather than point at a dead URL.
   */
  if ((ipcam = pd_sim_json_get_object (print, "ipcam")) != NULL && json_object_has_member (ipcam, "rtsp_url"))
    json_object_set_string_member (ipcam, "rtsp_url", "disable");

  if (!model->info->dual_nozzle && g_str_equal (model->fixture, H2D_FRAME))
    make_single_extruder (print);

  return print;
}

typedef struct
{
  const char *name;
  const char *hw_ver;
  const char *sw_ver;
  const char *sn_prefix;
  const char *product;
  gboolean    numbered; /* "AMS (1)", "AMS HT (1)"; but just "AMS Lite" */
} AmsKind;

/* From the AMS `info` type nibble (reference protocol notes, AMS section). */
static const AmsKind *
ams_kind (JsonObject       *unit,
          const PdSimModel *model)
{
  static const AmsKind ams = { "ams", "AMS08", "00.00.06.49", "006", "AMS", TRUE };
  static const AmsKind lite = { "ams_f1", "AMS_F102", "00.00.07.89", "03C", "AMS Lite", FALSE };
  static const AmsKind pro = { "n3f", "N3F05", "00.00.06.26", "19C", "AMS 2 Pro", TRUE };
  static const AmsKind ht = { "n3s", "N3S05", "02.00.19.67", "19F", "AMS HT", TRUE };
  const char          *info = json_object_get_string_member_with_default (unit, "info", NULL);
  guint64              type = info != NULL ? g_ascii_strtoull (info, NULL, 16) & 0xF : 0;

  switch (type)
    {
    case 1: return &ams;
    case 2: return &lite;
    case 3: return &pro;
    case 4: return &ht;
    default: return model->info->ams_lite_default ? &lite : &ams;
    }
}

static void
add_module (JsonArray  *modules,
            const char *name,
            const char *hw_ver,
            const char *sw_ver,
            const char *sn,
            const char *product_name,
            gboolean    visible)
{
  JsonObject *module = json_object_new ();

  json_object_set_int_member (module, "flag", 0);
  json_object_set_string_member (module, "hw_ver", hw_ver);
  json_object_set_string_member (module, "loader_ver", "00.00.00.00");
  json_object_set_string_member (module, "name", name);
  json_object_set_string_member (module, "product_name", product_name);
  json_object_set_string_member (module, "sn", sn);
  json_object_set_string_member (module, "sw_ver", sw_ver);
  json_object_set_boolean_member (module, "visible", visible);
  json_array_add_object_element (modules, module);
}

/* Replaces the recorded printer's serial by ours. */
static void
rewrite_serials (JsonArray  *modules,
                 const char *recorded,
                 const char *serial)
{
  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonObject *module = json_array_get_object_element (modules, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (module, "sn", NULL), recorded) == 0)
        json_object_set_string_member (module, "sn", serial);
    }
}

/**
 * pd_sim_model_make_version:
 * @serial: the printer's serial
 * @print: the printer's current state (for its AMS units)
 * @sequence_id: (nullable): the request's sequence_id, echoed
 *
 * The H2D answers with its recorded reply; the others with a reply in the
 * same shape: "ota" (firmware, product name), "mc", "th", and one module per
 * AMS unit named as the firmware names them (ams/0, ams_f1/0, n3f/2, n3s/128).
 *
 * Returns: (transfer full): a whole get_version message, {"info": {…}}
 */
JsonNode *
pd_sim_model_make_version (const PdSimModel *model,
                           const char       *serial,
                           JsonObject       *print,
                           JsonNode         *sequence_id)
{
  g_autoptr (JsonObject) info = NULL;
  g_autoptr (JsonObject) root = json_object_new ();
  JsonArray             *modules;
  JsonArray             *units;
  JsonNode              *node;

  g_return_val_if_fail (model != NULL && serial != NULL, NULL);

  if (g_str_equal (model->info->id, "H2D"))
    {
      g_autoptr (JsonNode) recorded = load_resource ("H2D_get_version_response.json", NULL);
      JsonObject          *recorded_info = recorded != NULL ? pd_sim_json_get_object (json_node_get_object (recorded), "info") : NULL;

      if (recorded_info != NULL)
        {
          info = json_object_ref (recorded_info);
          modules = pd_sim_json_get_array (info, "module");
          if (modules != NULL)
            rewrite_serials (modules, "H2DH2DH2DH2DH2D", serial);
        }
    }

  if (info == NULL)
    {
      g_autofree char *product = g_strdup (model->info->product_name);
      g_autofree char *mc_sn = g_strdup_printf ("01%s", serial + 3);
      g_autofree char *th_sn = g_strdup_printf ("09%s", serial + 3);

      info = json_object_new ();
      json_object_set_string_member (info, "command", "get_version");
      modules = json_array_new ();
      json_object_set_array_member (info, "module", modules);

      add_module (modules, "ota", "OTA", model->firmware, serial, product, TRUE);
      add_module (modules, "mc", "MC07", "00.00.25.42", mc_sn, "", FALSE);
      add_module (modules, "th", "TH07", "00.00.07.71", th_sn, "", FALSE);

      units = pd_sim_json_get_array (pd_sim_json_get_object (print, "ams"), "ams");
      for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
        {
          JsonObject      *unit = json_array_get_object_element (units, i);
          const char      *id = unit != NULL ? json_object_get_string_member_with_default (unit, "id", NULL) : NULL;
          const AmsKind   *kind;
          guint            n;
          g_autofree char *name = NULL;
          g_autofree char *sn = NULL;
          g_autofree char *product_name = NULL;

          if (id == NULL)
            continue;
          kind = ams_kind (unit, model);
          n = (guint) g_ascii_strtoull (id, NULL, 10);
          name = g_strdup_printf ("%s/%s", kind->name, id);
          sn = g_strdup_printf ("%s%s%02u", kind->sn_prefix, serial + 5, n % 100);
          /* "AMS HT (1)" is unit 128; the others count from unit 0. */
          if (kind->numbered)
            product_name = g_strdup_printf ("%s (%u)", kind->product, n >= 128 ? n - 127 : n + 1);
          else
            product_name = g_strdup (kind->product);
          add_module (modules, name, kind->hw_ver, kind->sw_ver, sn, product_name, TRUE);
        }
    }

  node = sequence_id != NULL ? json_node_copy (sequence_id) : json_node_init_string (json_node_alloc (), "0");
  json_object_set_member (info, "sequence_id", node);
  json_object_set_object_member (root, "info", g_steal_pointer (&info));

  return json_node_init_object (json_node_alloc (), root);
}

/**
 * pd_sim_json_deep_copy:
 *
 * json_node_copy() shares objects and arrays with the original; a report
 * snapshot must not change when the state does.
 *
 * Returns: (transfer full): a copy of @node sharing nothing with it
 */
JsonNode *
pd_sim_json_deep_copy (JsonNode *node)
{
  JsonNode *copy;

  g_return_val_if_fail (node != NULL, NULL);

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject       *source = json_node_get_object (node);
        JsonObject       *object = json_object_new ();
        g_autoptr (GList) members = json_object_get_members (source);

        for (const GList *l = members; l != NULL; l = l->next)
          json_object_set_member (object, l->data, pd_sim_json_deep_copy (json_object_get_member (source, l->data)));
        copy = json_node_new (JSON_NODE_OBJECT);
        json_node_take_object (copy, object);
        return copy;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *source = json_node_get_array (node);
        guint      n = json_array_get_length (source);
        JsonArray *array = json_array_sized_new (n);

        for (guint i = 0; i < n; i++)
          json_array_add_element (array, pd_sim_json_deep_copy (json_array_get_element (source, i)));
        copy = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (copy, array);
        return copy;
      }

    case JSON_NODE_VALUE:
    case JSON_NODE_NULL:
    default:
      return json_node_copy (node);
    }
}
