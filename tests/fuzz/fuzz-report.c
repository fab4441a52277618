/* fuzz-report.c — libFuzzer: a printer's report, parsed, merged and rendered
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reports come from the network: anything may arrive on a printer's report
 * topic. Each input is parsed, merged twice (onto a fresh state and onto a
 * state that already holds a full X1C report, as a delta), rendered as the
 * state document and diffed, which is everything the session does with it.
 */

#include "config.h"

#include <stdint.h>

#include "pd-report.h"
#include "pd-state.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A small but rich state: job, temperatures, an AMS unit, HMS. */
static const char base_report[] =
  "{\"print\":{\"command\":\"push_status\",\"gcode_state\":\"RUNNING\",\"subtask_name\":\"Benchy\","
  "\"gcode_file\":\"/data/Metadata/plate_1.gcode\",\"mc_percent\":42,\"layer_num\":12,\"total_layer_num\":100,"
  "\"mc_remaining_time\":73,\"nozzle_temper\":219.5,\"nozzle_target_temper\":220,\"bed_temper\":55,"
  "\"bed_target_temper\":55,\"chamber_temper\":30,\"home_flag\":-1067070064,\"hms\":[{\"attr\":50331904,"
  "\"code\":65543}],\"ams\":{\"ams\":[{\"id\":\"0\",\"humidity\":\"4\",\"humidity_raw\":\"31\",\"temp\":\"24.1\","
  "\"tray\":[{\"id\":\"0\",\"tray_type\":\"PLA\",\"tray_color\":\"FF6A13FF\",\"remain\":80},{\"id\":\"1\"}]}],"
  "\"tray_now\":\"0\",\"tray_exist_bits\":\"1\"}}}";

static PdState *fresh;
static PdState *rich;

static void
init_states (void)
{
  g_autoptr (JsonNode) report = NULL;

  fresh = pd_state_new ("01S00A000000001");
  report = pd_report_parse (base_report, -1, NULL, NULL);
  g_assert (report != NULL);
  rich = pd_report_merge (fresh, report, 1000000, NULL, NULL);
  g_assert (rich != NULL);
}

static void
merge_onto (PdState  *state,
            JsonNode *report)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (PdState)   merged = pd_report_merge (state, report, 2000000, warnings, NULL);
  g_autoptr (GPtrArray) changes = NULL;

  if (merged == NULL)
    return;
  (void) pd_state_to_json (merged);
  changes = pd_state_diff (state, merged);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr (JsonNode)  report = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);

  if (fresh == NULL)
    init_states ();

  report = pd_report_parse ((const char *) data, (gssize) size, warnings, NULL);
  if (report == NULL)
    return 0;
  merge_onto (fresh, report);
  merge_onto (rich, report);
  return 0;
}
