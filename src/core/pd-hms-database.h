/* pd-hms-database.h — what an HMS or print_error code means
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bambu Lab's official texts for the printers' health codes, compiled at
 * build time from data/hms/ into a GVariant blob in the core GResource, and
 * refreshed on request from Bambu's endpoint into the user's cache (newer
 * models, other languages). docs/protocol-notes.md §3 and §DATA.
 */

#pragma once

#include <gio/gio.h>

#include "pd-types.h"

G_BEGIN_DECLS

/* Where "Update error descriptions" asks; $PRINTDECK_HMS_URL replaces it
 * (tests point it at a server on loopback).
 */
#define PD_HMS_DEFAULT_URL "https://e.bambulab.com/query.php"

/**
 * PdHmsInfo:
 * @code: as Bambu's apps show it: "0300_0100_0001_0007" (HMS) or "0300_400C"
 *   (print_error)
 * @severity: from the code for HMS entries; %PD_SEVERITY_NONE for a
 *   print_error, which does not encode one
 * @module: the printer part, translated: "Motion controller", "AMS B",
 *   "AMS HT 1", "Toolhead"…
 * @description: what is wrong, cleaned of stray whitespace; %NULL when the
 *   database has no text for the code (the UI says "No description available")
 * @action: what to do, when the text has a separate piece of advice ("Please
 *   check …"); else %NULL
 * @url: the code's own support article (wiki page for the model, or Bambu's
 *   per-code page), never a generic start page
 *
 * What the database knows about one code. Free with pd_hms_info_free().
 */
typedef struct
{
  char      *code;
  PdSeverity severity;
  char      *module;
  char      *description;
  char      *action;
  char      *url;
} PdHmsInfo;

void       pd_hms_info_free (PdHmsInfo *info);
PdHmsInfo *pd_hms_info_copy (const PdHmsInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdHmsInfo, pd_hms_info_free)

#define PD_TYPE_HMS_DATABASE (pd_hms_database_get_type ())

G_DECLARE_FINAL_TYPE (PdHmsDatabase, pd_hms_database, PD, HMS_DATABASE, GObject)

PdHmsDatabase *pd_hms_database_new (const char         *cache_dir,
                                    const char * const *languages);
PdHmsDatabase *pd_hms_database_get_default (void);
guint          pd_hms_database_get_generation (void);
void           pd_hms_database_set_default (PdHmsDatabase *database);
gboolean       pd_hms_database_reload (PdHmsDatabase *self,
                                       GError       **error);

PdHmsInfo     *pd_hms_database_lookup_hms (PdHmsDatabase *self,
                                           guint32        attr,
                                           guint32        code,
                                           const char    *model);
PdHmsInfo     *pd_hms_database_lookup_print_error (PdHmsDatabase *self,
                                                   guint32        print_error,
                                                   const char    *model);

const char    *pd_hms_database_get_language (PdHmsDatabase *self);
gint64         pd_hms_database_get_updated (PdHmsDatabase *self);
guint          pd_hms_database_get_n_codes (PdHmsDatabase *self);
const char    *pd_hms_database_get_user_language (PdHmsDatabase *self);
void           pd_hms_database_set_request_timeout (PdHmsDatabase *self,
                                                    guint          seconds);

void           pd_hms_database_update_async (PdHmsDatabase      *self,
                                             const char * const *models,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean       pd_hms_database_update_finish (PdHmsDatabase *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Codes as people type them. A print_error's value is returned in @code
 * (and @attr is 0).
 */
gboolean       pd_hms_parse_code (const char *text,
                                  guint32    *attr,
                                  guint32    *code,
                                  gboolean   *is_print_error);

/* "de_DE.UTF-8" → "de", "pt_BR" → "pt-BR", "zh_CN" → "zh-cn", "C" → "en";
 * NULL for a language Bambu does not write in.
 */
const char    *pd_hms_language_from_locale (const char *locale);

/* The build step (src/core/tools/pd-hms-compile) and the update share the
 * builder: Bambu's texts in, the compiled blob out.
 */
typedef struct _PdHmsBuilder PdHmsBuilder;

PdHmsBuilder  *pd_hms_builder_new (const char *language);
gboolean       pd_hms_builder_add_packed (PdHmsBuilder *builder,
                                          GBytes       *json,
                                          GError      **error);
gboolean       pd_hms_builder_add_wiki_links (PdHmsBuilder *builder,
                                              GBytes       *json,
                                              GError      **error);
gboolean       pd_hms_builder_add_raw (PdHmsBuilder *builder,
                                       GBytes       *json,
                                       const char   *model,
                                       GError      **error);
GBytes        *pd_hms_builder_end (PdHmsBuilder *builder);
void           pd_hms_builder_free (PdHmsBuilder *builder);
gboolean       pd_hms_builder_add_compiled (PdHmsBuilder *builder,
                                            GBytes       *blob,
                                            GError      **error);
void           pd_hms_builder_set_version (PdHmsBuilder *builder,
                                           const char   *data_version,
                                           gint64        fetched);
guint          pd_hms_builder_get_n_skipped (PdHmsBuilder *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdHmsBuilder, pd_hms_builder_free)

G_END_DECLS
