/* pd-hms-private.h — the compiled HMS table, shared by the builder and the
 * database
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GVariant, read in place (g_variant_new_from_bytes on the GResource's
 * data or on a mapped cache file) and searched by bisection:
 *
 *   u       format version (PD_HMS_FORMAT_VERSION; byte-swapped when the
 *           table was written on a machine of the other byte order)
 *   s       language, as Bambu names it ("en", "de", "pt-BR", "zh-cn")
 *   s       version of Bambu's data ("202511200930"), or a date
 *   x       when the texts were fetched, Unix seconds (0: not known)
 *   as      model names: bit i of a model mask is models[i]
 *   at      HMS codes, attr << 32 | code, ascending
 *   aa(us)  their variants, one list per code
 *   au      print_error codes, ascending
 *   aa(us)  their variants
 *   as      wiki article paths ("/en/x1/troubleshooting/hmscode/0300_0100_0001_0007");
 *           an article covers several codes: 618 paths serve 3,267 codes
 *   at      codes that have a wiki article, as the HMS codes
 *   aa(uu)  their variants, with an index into the paths in place of a text
 *
 * A variant is (model mask, text). A code's model-specific variants come
 * first; the default (mask 0) is last. Texts are cleaned when the table is
 * built; "" is a code that Bambu knows without a text.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PD_HMS_FORMAT_VERSION 1
#define PD_HMS_BLOB_TYPE      "(ussxasataa(us)auaa(us)asataa(uu))"

enum
{
  PD_HMS_BLOB_FORMAT,
  PD_HMS_BLOB_LANGUAGE,
  PD_HMS_BLOB_DATA_VERSION,
  PD_HMS_BLOB_FETCHED,
  PD_HMS_BLOB_MODELS,
  PD_HMS_BLOB_HMS_KEYS,
  PD_HMS_BLOB_HMS_VALUES,
  PD_HMS_BLOB_ERROR_KEYS,
  PD_HMS_BLOB_ERROR_VALUES,
  PD_HMS_BLOB_LINK_PATHS,
  PD_HMS_BLOB_LINK_KEYS,
  PD_HMS_BLOB_LINK_VALUES,
  PD_HMS_BLOB_N_FIELDS
};

/* A mask has 32 bits. */
#define PD_HMS_MAX_MODELS 32

/* The three tables of a blob, in its order */
typedef enum
{
  SECTION_HMS,
  SECTION_ERROR,
  SECTION_LINKS,
  N_SECTIONS
} Section;

/* Bounds on what the builder accepts: Bambu's biggest per-model answer is
 * about 1.2 MB, its longest text a few hundred characters.
 */
#define PD_HMS_MAX_INPUT_SIZE  (16 * 1024 * 1024)
#define PD_HMS_MAX_TEXT_LENGTH 4096
#define PD_HMS_MAX_CODES       100000
#define PD_HMS_MAX_LINK_PATHS  100000

char    *pd_hms_clean_text (const char *text,
                            const char *language);
gboolean pd_hms_language_is_cjk (const char *language);

G_END_DECLS
