/* pd-model.c — the model table
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Facts from Bambu Studio's resources/printers/<model>.json and the peers'
 * serial-prefix tables (docs/protocol-notes.md, "Model table").
 */

#define G_LOG_DOMAIN "pd-model"

#include "config.h"

#include <string.h>

#include "pd-model.h"
#include "pd-text.h"

#define RTSPS PD_CAMERA_KIND_RTSPS
#define JPEG  PD_CAMERA_KIND_JPEG

/*  id        display        prefix  codes                         product name            camera chamber heater dual lite homeflag door */
static const PdModelInfo models[] = {
  { "X1C", "X1 Carbon", "00M", "BL-P001;3DPrinter-X1-Carbon", "Bambu Lab X1 Carbon", RTSPS, 1, 0, 0, 0, 1, 1 },
  { "X1", "X1", "00W", "BL-P002;3DPrinter-X1", "Bambu Lab X1", RTSPS, 1, 0, 0, 0, 1, 1 },
  { "X1E", "X1E", "03W", "C13", "Bambu Lab X1E", RTSPS, 1, 0, 0, 0, 1, 1 },
  { "P1P", "P1P", "01S", "C11", "Bambu Lab P1P", JPEG, 0, 0, 0, 0, 0, 0 },
  { "P1S", "P1S", "01P", "C12", "Bambu Lab P1S", JPEG, 0, 0, 0, 0, 0, 0 },
  { "P2S", "P2S", "22E", "N7", "Bambu Lab P2S", RTSPS, 1, 0, 0, 0, 0, 1 },
  { "A1MINI", "A1 mini", "030", "N1", "Bambu Lab A1 mini", JPEG, 0, 0, 0, 1, 0, 0 },
  { "A1", "A1", "039", "N2S", "Bambu Lab A1", JPEG, 0, 0, 0, 1, 0, 0 },
  { "A2L", "A2L", "26A", "N9", "Bambu Lab A2L", JPEG, 0, 0, 0, 1, 0, 0 },
  { "H2D", "H2D", "094", "O1D;O1D-V2", "Bambu Lab H2D", RTSPS, 1, 1, 1, 0, 0, 1 },
  { "H2DPRO", "H2D Pro", "239", "O1E;O2D", "Bambu Lab H2D Pro", RTSPS, 1, 1, 1, 0, 0, 1 },
  { "H2S", "H2S", "093", "O1S", "Bambu Lab H2S", RTSPS, 1, 1, 0, 0, 0, 1 },
  { "H2C", "H2C", "31B", "O1C;O1C2", "Bambu Lab H2C", RTSPS, 1, 1, 1, 0, 0, 1 },
  { "X2D", "X2D", "20P", "N6", "Bambu Lab X2D", RTSPS, 1, 1, 1, 0, 0, 1 },
};

#undef RTSPS
#undef JPEG

static gboolean
codes_contain (const char *codes,
               const char *name)
{
  gsize       len = strlen (name);
  const char *p = codes;

  while (p != NULL && *p != '\0')
    {
      const char *end = strchr (p, ';');
      gsize       n = end != NULL ? (gsize) (end - p) : strlen (p);

      if (n == len && g_ascii_strncasecmp (p, name, n) == 0)
        return TRUE;
      p = end != NULL ? end + 1 : NULL;
    }

  return FALSE;
}

static const char *
skip_vendor (const char *name)
{
  return g_ascii_strncasecmp (name, "Bambu Lab ", 10) == 0 ? name + 10 : name;
}

/* Ignores case, spaces, dashes and a leading "Bambu Lab ", so that "a1 mini",
 * "A1-mini", "A1MINI" and "Bambu Lab A1 mini" all compare equal. Without
 * copying either: it runs for every report (pd_state_get_model()).
 */
static gboolean
same_name (const char *a,
           const char *b)
{
  return pd_text_equal_loosely (skip_vendor (a), skip_vendor (b), " -_");
}

/**
 * pd_model_lookup:
 * @name: a model id ("X1C"), display name ("X1 Carbon"), model code
 *   ("BL-P001", "N2S") or product name ("Bambu Lab A1 mini")
 *
 * Returns: (nullable): the model, or %NULL if @name is none of these
 */
const PdModelInfo *
pd_model_lookup (const char *name)
{
  if (name == NULL || *name == '\0')
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      if (same_name (name, models[i].id) || same_name (name, models[i].display_name))
        return &models[i];
    }

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      if (codes_contain (models[i].codes, name))
        return &models[i];
    }

  return NULL;
}

/**
 * pd_model_lookup_serial:
 * @serial: a printer serial number
 *
 * The first three characters of a Bambu Lab serial name the model.
 *
 * Returns: (nullable): the model, or %NULL if the prefix is unknown
 */
const PdModelInfo *
pd_model_lookup_serial (const char *serial)
{
  if (serial == NULL || strlen (serial) < 3)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      if (g_ascii_strncasecmp (serial, models[i].serial_prefix, 3) == 0)
        return &models[i];
    }

  return NULL;
}

/**
 * pd_model_lookup_product_name:
 * @product_name: a get_version product name, "Bambu Lab H2D"
 *
 * Returns: (nullable): the model, or %NULL for other modules' names
 */
const PdModelInfo *
pd_model_lookup_product_name (const char *product_name)
{
  if (product_name == NULL || g_ascii_strncasecmp (product_name, "Bambu Lab ", 10) != 0)
    return NULL;

  return pd_model_lookup (product_name);
}

const PdModelInfo *
pd_model_get_all (guint *n_models)
{
  g_return_val_if_fail (n_models != NULL, NULL);

  *n_models = G_N_ELEMENTS (models);
  return models;
}
