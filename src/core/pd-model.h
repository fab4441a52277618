/* pd-model.h — what Printdeck knows about each Bambu Lab printer model
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-types.h"

G_BEGIN_DECLS

typedef struct
{
  const char  *id;            /* stable key: "X1C", "A1MINI", … (also the HMS table's model name) */
  const char  *display_name;  /* "X1 Carbon", "A1 mini" — a product name, not translated */
  const char  *serial_prefix; /* first three characters of the serial */
  const char  *codes;         /* model codes (SSDP DevModel, printer_type), ';'-separated */
  const char  *product_name;  /* get_version product_name */
  PdCameraKind camera;
  guint        chamber_sensor : 1;
  guint        chamber_heater : 1;
  guint        dual_nozzle : 1;
  guint        ams_lite_default : 1;  /* units without an "info" field are AMS lite */
  guint        door_in_home_flag : 1; /* door bit lives in home_flag (X1) rather than stat */
  guint        door_sensor : 1;
} PdModelInfo;

const PdModelInfo *pd_model_lookup (const char *name);
const PdModelInfo *pd_model_lookup_serial (const char *serial);
const PdModelInfo *pd_model_lookup_product_name (const char *product_name);
const PdModelInfo *pd_model_get_all (guint *n_models);

G_END_DECLS
