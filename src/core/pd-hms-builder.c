/* pd-hms-builder.c — Bambu's HMS texts in, the compiled table out
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the build step (src/core/tools/pd-hms-compile, which compiles
 * data/hms/ into the GResource) and by the update, which compiles Bambu's
 * per-model answers into the user's cache. GLib and json-glib only: the
 * build tool links this file alone, before the core library exists.
 *
 * Everything read here comes from outside (a download, a file): sizes are
 * bounded, codes that are not hexadecimal and entries of the wrong shape are
 * skipped and counted, and a document that is not a table at all is refused
 * with a GError.
 */

#define G_LOG_DOMAIN "pd-hms-builder"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pd-hms-database.h"
#include "pd-hms-private.h"
#include "pd-json.h"

/* Digits of a code in each section */
static const guint section_digits[N_SECTIONS] = { 16, 8, 16 };

typedef struct
{
  guint64     key;
  const char *default_text;             /* NULL: none given */
  const char *texts[PD_HMS_MAX_MODELS]; /* per model; NULL: none given */
} Entry;

struct _PdHmsBuilder
{
  char         *language;
  char         *data_version;
  gint64        fetched;
  GPtrArray    *models; /* char *, at most PD_HMS_MAX_MODELS */
  GHashTable   *entries[N_SECTIONS];
  GStringChunk *strings; /* interned: equal texts are equal pointers */
  guint         n_skipped;
  gboolean      raw_version_seen;
};

static gboolean
parse_hex (const char *text,
           guint       digits,
           guint64    *value)
{
  guint64 v = 0;

  if (text == NULL || strlen (text) != digits)
    return FALSE;

  for (guint i = 0; i < digits; i++)
    {
      int d = g_ascii_xdigit_value (text[i]);

      if (d < 0)
        return FALSE;
      v = v << 4 | (guint64) d;
    }

  *value = v;
  return TRUE;
}

static gboolean
model_name_is_valid (const char *name)
{
  gsize n = strlen (name);

  if (n == 0 || n > 32)
    return FALSE;

  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '+')
      return FALSE;

  return TRUE;
}

/* A wiki path: "/en/x1/troubleshooting/hmscode/0300_0100_0001_0007". It is
 * appended to the wiki's address, so it must stay a path on that host.
 */
static gboolean
link_is_valid (const char *path)
{
  gsize n = strlen (path);

  if (n < 2 || n > 512 || path[0] != '/' || path[1] == '/')
    return FALSE;

  for (const char *p = path; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7F || strchr ("\"<>\\^`{|}", *p) != NULL)
      return FALSE;

  return TRUE;
}

/* -1: not a valid name, or a mask has no bit left for it */
static int
builder_model_index (PdHmsBuilder *self,
                     const char   *model)
{
  if (model == NULL || !model_name_is_valid (model))
    return -1;

  for (guint i = 0; i < self->models->len; i++)
    if (g_str_equal (g_ptr_array_index (self->models, i), model))
      return (int) i;

  if (self->models->len >= PD_HMS_MAX_MODELS)
    return -1;

  g_ptr_array_add (self->models, g_strdup (model));
  return (int) self->models->len - 1;
}

static Entry *
builder_entry (PdHmsBuilder *self,
               Section       section,
               guint64       key)
{
  GHashTable *table = self->entries[section];
  Entry      *entry = g_hash_table_lookup (table, &key);

  if (entry != NULL)
    return entry;

  if (g_hash_table_size (table) >= PD_HMS_MAX_CODES)
    return NULL;

  entry = g_new0 (Entry, 1);
  entry->key = key;
  g_hash_table_add (table, entry);

  return entry;
}

/* Interns @text, cleaned for a text section and checked for the links. */
static const char *
builder_intern (PdHmsBuilder *self,
                Section       section,
                const char   *text)
{
  g_autofree char *clean = NULL;

  if (text == NULL || strlen (text) > PD_HMS_MAX_TEXT_LENGTH || !g_utf8_validate (text, -1, NULL))
    return NULL;

  if (section == SECTION_LINKS)
    return link_is_valid (text) ? g_string_chunk_insert_const (self->strings, text) : NULL;

  clean = pd_hms_clean_text (text, self->language);
  return g_string_chunk_insert_const (self->strings, clean);
}

/* Sets the text of @code_text for @model (NULL: the default). Counts what
 * it cannot take.
 */
static void
builder_set (PdHmsBuilder *self,
             Section       section,
             const char   *code_text,
             const char   *model,
             const char   *text)
{
  const char *interned;
  Entry      *entry;
  guint64     key;
  int         index = -1;

  if (!parse_hex (code_text, section_digits[section], &key) ||
      (interned = builder_intern (self, section, text)) == NULL ||
      (model != NULL && (index = builder_model_index (self, model)) < 0) ||
      (entry = builder_entry (self, section, key)) == NULL)
    {
      self->n_skipped++;
      return;
    }

  if (index < 0)
    entry->default_text = interned;
  else
    entry->texts[index] = interned;
}

static JsonNode *
parse_json (GBytes  *json,
            GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError)     local_error = NULL;
  gsize                  size = 0;
  const char            *data;

  data = json != NULL ? g_bytes_get_data (json, &size) : NULL;
  if (size == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The table of error descriptions is empty."));
      return NULL;
    }
  if (size > PD_HMS_MAX_INPUT_SIZE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The table of error descriptions is too large."));
      return NULL;
    }

  /* downloaded: json-glib is given containers only (see pd-json.h) */
  if (!pd_json_starts_with_container (data, size))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The table of error descriptions is not a JSON object."));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) size, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("The table of error descriptions is not valid JSON: %s"), local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The table of error descriptions is not a JSON object."));
      return NULL;
    }

  return json_node_ref (json_parser_get_root (parser));
}

static JsonObject *
get_object_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/* A packed table: { "<code>": { "<text>": [models…] } } */
static void
builder_add_table (PdHmsBuilder *self,
                   Section       section,
                   JsonObject   *table)
{
  JsonObjectIter iter;
  const char    *code;
  JsonNode      *value;

  json_object_iter_init (&iter, table);
  while (json_object_iter_next (&iter, &code, &value))
    {
      JsonObjectIter texts;
      const char    *text;
      JsonNode      *models;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          self->n_skipped++;
          continue;
        }

      json_object_iter_init (&texts, json_node_get_object (value));
      while (json_object_iter_next (&texts, &text, &models))
        {
          JsonArray *array;
          guint      n;

          if (!JSON_NODE_HOLDS_ARRAY (models))
            {
              self->n_skipped++;
              continue;
            }

          array = json_node_get_array (models);
          n = json_array_get_length (array);
          if (n == 0)
            builder_set (self, section, code, NULL, text);

          for (guint i = 0; i < n; i++)
            {
              JsonNode *model = json_array_get_element (array, i);

              if (json_node_get_value_type (model) != G_TYPE_STRING)
                self->n_skipped++;
              else
                builder_set (self, section, code, json_node_get_string (model), text);
            }
        }
    }
}

/* Bambu's list: [ { "ecode": "<code>", "intro": "<text>" } ] */
static void
builder_add_list (PdHmsBuilder *self,
                  Section       section,
                  JsonArray    *list,
                  const char   *model)
{
  guint n = json_array_get_length (list);

  for (guint i = 0; i < n; i++)
    {
      JsonNode   *item = json_array_get_element (list, i);
      JsonObject *object;
      const char *code, *text;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          self->n_skipped++;
          continue;
        }

      object = json_node_get_object (item);
      code = get_string_member (object, "ecode");
      text = get_string_member (object, "intro");
      if (code == NULL || text == NULL)
        {
          self->n_skipped++;
          continue;
        }

      builder_set (self, section, code, model, text);
    }
}

/* The list of a raw answer's section: under the builder's language, or the
 * only list there is (Bambu's key for a language may be spelt differently).
 */
static JsonArray *
find_language_list (JsonObject *section,
                    const char *language)
{
  JsonObjectIter iter;
  JsonArray     *found = NULL;
  const char    *name;
  JsonNode      *value;
  guint          n_lists = 0;

  json_object_iter_init (&iter, section);
  while (json_object_iter_next (&iter, &name, &value))
    {
      if (!JSON_NODE_HOLDS_ARRAY (value))
        continue;
      if (g_ascii_strcasecmp (name, language) == 0)
        return json_node_get_array (value);
      found = json_node_get_array (value);
      n_lists++;
    }

  return n_lists == 1 ? found : NULL;
}

static void
update_raw_version (PdHmsBuilder *self,
                    JsonObject   *root)
{
  JsonNode        *node = json_object_get_member (root, "ver");
  g_autofree char *version = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return;

  if (json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) > 0)
    version = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (json_node_get_value_type (node) == G_TYPE_STRING && strlen (json_node_get_string (node)) < 64)
    version = g_strdup (json_node_get_string (node));
  else
    return;

  /* The newest of the answers: Bambu's versions are dates, 202503231214 */
  if (!self->raw_version_seen ||
      strlen (version) > strlen (self->data_version) ||
      (strlen (version) == strlen (self->data_version) && strcmp (version, self->data_version) > 0))
    {
      g_free (self->data_version);
      self->data_version = g_steal_pointer (&version);
      self->raw_version_seen = TRUE;
    }
}

static void
entry_free (gpointer data)
{
  g_free (data);
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *x = *(const Entry *const *) a;
  const Entry *y = *(const Entry *const *) b;

  return x->key < y->key ? -1 : x->key > y->key;
}

typedef struct
{
  guint32     mask;
  const char *text;
} Variant;

/* The variants of one code, into @variants (room for PD_HMS_MAX_MODELS + 1):
 * the text most models share becomes the default when none was given,
 * models with the default text need no variant, and models sharing another
 * text share one variant. The default (mask 0) comes last.
 */
static guint
entry_get_variants (const Entry *entry,
                    Variant     *variants)
{
  const char *fallback = entry->default_text;
  guint       n_variants = 0;

  if (fallback == NULL)
    {
      guint best = 0;

      for (guint i = 0; i < PD_HMS_MAX_MODELS; i++)
        {
          guint n = 0;

          if (entry->texts[i] == NULL)
            continue;
          for (guint j = i; j < PD_HMS_MAX_MODELS; j++)
            n += entry->texts[j] == entry->texts[i];
          if (n > best)
            {
              best = n;
              fallback = entry->texts[i];
            }
        }
    }

  for (guint i = 0; i < PD_HMS_MAX_MODELS; i++)
    {
      const char *text = entry->texts[i];
      gboolean    seen = FALSE;
      guint32     mask = 0;

      if (text == NULL || text == fallback)
        continue;
      for (guint j = 0; j < i && !seen; j++)
        seen = entry->texts[j] == text;
      if (seen)
        continue;

      for (guint j = i; j < PD_HMS_MAX_MODELS; j++)
        if (entry->texts[j] == text)
          mask |= 1u << j;
      variants[n_variants++] = (Variant){ mask, text };
    }
  if (fallback != NULL)
    variants[n_variants++] = (Variant){ 0, fallback };

  return n_variants;
}

static GPtrArray *
sorted_entries (GHashTable *table)
{
  GPtrArray     *entries = g_ptr_array_sized_new (g_hash_table_size (table));
  GHashTableIter iter;
  gpointer       value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    g_ptr_array_add (entries, value);
  g_ptr_array_sort (entries, compare_entries);

  return entries;
}

/* Adds the keys (at, or au for print_error) and the texts (aa(us)) */
static void
add_section (GVariantBuilder *b,
             GHashTable      *table,
             gboolean         wide_keys)
{
  g_autoptr (GPtrArray) entries = sorted_entries (table);
  g_autofree guint64   *keys64 = g_new (guint64, MAX (entries->len, 1));
  g_autofree guint32   *keys32 = g_new (guint32, MAX (entries->len, 1));
  GVariantBuilder       values;

  g_variant_builder_init (&values, G_VARIANT_TYPE ("aa(us)"));
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      Variant      variants[PD_HMS_MAX_MODELS + 1];
      guint        n = entry_get_variants (entry, variants);

      keys64[i] = entry->key;
      keys32[i] = (guint32) entry->key;
      g_variant_builder_open (&values, G_VARIANT_TYPE ("a(us)"));
      for (guint j = 0; j < n; j++)
        g_variant_builder_add (&values, "(us)", variants[j].mask, variants[j].text);
      g_variant_builder_close (&values);
    }

  if (wide_keys)
    g_variant_builder_add_value (b, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, keys64,
                                                               entries->len, sizeof (guint64)));
  else
    g_variant_builder_add_value (b, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT32, keys32,
                                                               entries->len, sizeof (guint32)));
  g_variant_builder_add_value (b, g_variant_builder_end (&values));
}

/* Adds the paths (as), the keys (at) and the variants (aa(uu)): an article
 * covers several codes, so each path is written once.
 */
static void
add_links (GVariantBuilder *b,
           GHashTable      *table)
{
  g_autoptr (GPtrArray)  entries = sorted_entries (table);
  g_autoptr (GPtrArray)  paths = g_ptr_array_new ();
  g_autoptr (GHashTable) indices = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint64    *keys = g_new (guint64, MAX (entries->len, 1));
  GVariantBuilder        values;

  g_variant_builder_init (&values, G_VARIANT_TYPE ("aa(uu)"));
  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      Variant      variants[PD_HMS_MAX_MODELS + 1];
      guint        n = entry_get_variants (entry, variants);

      keys[i] = entry->key;
      g_variant_builder_open (&values, G_VARIANT_TYPE ("a(uu)"));
      for (guint j = 0; j < n; j++)
        {
          gpointer index;

          /* interned: one pointer per path */
          if (!g_hash_table_lookup_extended (indices, variants[j].text, NULL, &index))
            {
              index = GUINT_TO_POINTER (paths->len);
              g_hash_table_insert (indices, (gpointer) variants[j].text, index);
              g_ptr_array_add (paths, (gpointer) variants[j].text);
            }
          g_variant_builder_add (&values, "(uu)", variants[j].mask, GPOINTER_TO_UINT (index));
        }
      g_variant_builder_close (&values);
    }

  g_variant_builder_add_value (b, g_variant_new_strv ((const char *const *) paths->pdata, paths->len));
  g_variant_builder_add_value (b, g_variant_new_fixed_array (G_VARIANT_TYPE_UINT64, keys,
                                                             entries->len, sizeof (guint64)));
  g_variant_builder_add_value (b, g_variant_builder_end (&values));
}

/**
 * pd_hms_builder_new:
 * @language: the language of the texts, as Bambu names it ("en", "de",
 *   "zh-cn"); it decides how the texts are cleaned
 *
 * Returns: (transfer full): an empty table. Free with pd_hms_builder_free().
 */
PdHmsBuilder *
pd_hms_builder_new (const char *language)
{
  PdHmsBuilder *self;

  g_return_val_if_fail (language != NULL, NULL);

  self = g_new0 (PdHmsBuilder, 1);
  self->language = g_strdup (language);
  self->data_version = g_strdup ("");
  self->models = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < N_SECTIONS; i++)
    self->entries[i] = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, entry_free);
  self->strings = g_string_chunk_new (64 * 1024);

  return self;
}

void
pd_hms_builder_free (PdHmsBuilder *builder)
{
  if (builder == NULL)
    return;

  for (guint i = 0; i < N_SECTIONS; i++)
    g_hash_table_unref (builder->entries[i]);
  g_ptr_array_unref (builder->models);
  g_string_chunk_free (builder->strings);
  g_free (builder->data_version);
  g_free (builder->language);
  g_free (builder);
}

/**
 * pd_hms_builder_set_version:
 * @builder: a table
 * @data_version: (nullable): the version of Bambu's data, e.g. the date the
 *   texts were taken; %NULL keeps the one found in raw answers
 * @fetched: when the texts were fetched, Unix seconds (0: not known)
 */
void
pd_hms_builder_set_version (PdHmsBuilder *builder,
                            const char   *data_version,
                            gint64        fetched)
{
  g_return_if_fail (builder != NULL);

  if (data_version != NULL)
    {
      g_free (builder->data_version);
      builder->data_version = g_strdup (data_version);
    }
  builder->fetched = fetched;
}

/**
 * pd_hms_builder_get_n_skipped:
 * @builder: a table
 *
 * Returns: how many entries of the inputs were left out: codes that are not
 *   hexadecimal or have the wrong length, texts that are too long or not
 *   UTF-8, entries of the wrong shape, models beyond the 32 a mask holds
 */
guint
pd_hms_builder_get_n_skipped (PdHmsBuilder *builder)
{
  g_return_val_if_fail (builder != NULL, 0);

  return builder->n_skipped;
}

/**
 * pd_hms_builder_add_packed:
 * @builder: a table
 * @json: a table in ha-bambulab's packed format (data/hms/hms_en.json):
 *   `{"device_error": {"<8 hex>": {"<text>": [models…]}}, "device_hms":
 *   {"<16 hex>": {"<text>": [models…]}}}`; an empty model list is the default
 * @error: return location for an error
 *
 * Adds the texts of @json; a later text for the same code and model
 * replaces an earlier one.
 *
 * Returns: %FALSE, with @error set, when @json is not such a table
 */
gboolean
pd_hms_builder_add_packed (PdHmsBuilder *builder,
                           GBytes       *json,
                           GError      **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject          *object, *hms, *errors;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((root = parse_json (json, error)) == NULL)
    return FALSE;

  object = json_node_get_object (root);
  hms = get_object_member (object, "device_hms");
  errors = get_object_member (object, "device_error");
  if (hms == NULL && errors == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The table of error descriptions has no codes."));
      return FALSE;
    }

  if (hms != NULL)
    builder_add_table (builder, SECTION_HMS, hms);
  if (errors != NULL)
    builder_add_table (builder, SECTION_ERROR, errors);

  return TRUE;
}

/**
 * pd_hms_builder_add_wiki_links:
 * @builder: a table
 * @json: the wiki articles of HMS codes (data/hms/hms_wiki_links.json):
 *   `{"<16 hex>": {"/en/…/<code>": [models…]}}`, or the same under a
 *   "device_hms" member
 * @error: return location for an error
 *
 * Returns: %FALSE, with @error set, when @json is not such a table
 */
gboolean
pd_hms_builder_add_wiki_links (PdHmsBuilder *builder,
                               GBytes       *json,
                               GError      **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject          *object, *hms;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((root = parse_json (json, error)) == NULL)
    return FALSE;

  object = json_node_get_object (root);
  if ((hms = get_object_member (object, "device_hms")) != NULL)
    {
      /* print_error codes have no wiki articles of their own */
      if (json_object_has_member (object, "device_error"))
        builder->n_skipped++;
      object = hms;
    }

  builder_add_table (builder, SECTION_LINKS, object);

  return TRUE;
}

/**
 * pd_hms_builder_add_raw:
 * @builder: a table
 * @json: Bambu's answer to `query.php?lang=<lang>&d=<serial prefix>`:
 *   `{"result": 0, "ver": …, "data": {"device_error": {"<lang>": [{"ecode":
 *   "07FFC010", "intro": "…"}]}, "device_hms": {"<lang>": […]}}}`
 * @model: (nullable): the model the answer is for ("X2D"); %NULL for texts
 *   that hold for every model
 * @error: return location for an error
 *
 * Adds one model's texts. Once every model's answer is in, a text that most
 * models share becomes the code's default.
 *
 * Returns: %FALSE, with @error set (and @builder unchanged), when @json is
 *   not such an answer
 */
gboolean
pd_hms_builder_add_raw (PdHmsBuilder *builder,
                        GBytes       *json,
                        const char   *model,
                        GError      **error)
{
  g_autoptr (JsonNode) root = NULL;
  JsonObject          *object, *data, *hms, *errors;
  JsonArray           *hms_list = NULL, *error_list = NULL;
  JsonNode            *result;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((root = parse_json (json, error)) == NULL)
    return FALSE;

  object = json_node_get_object (root);
  result = json_object_get_member (object, "result");
  if (result != NULL && json_node_get_value_type (result) == G_TYPE_INT64 && json_node_get_int (result) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The server refused the request (result %d)."), (int) json_node_get_int (result));
      return FALSE;
    }

  if ((data = get_object_member (object, "data")) != NULL)
    {
      if ((hms = get_object_member (data, "device_hms")) != NULL)
        hms_list = find_language_list (hms, builder->language);
      if ((errors = get_object_member (data, "device_error")) != NULL)
        error_list = find_language_list (errors, builder->language);
    }
  if (hms_list == NULL && error_list == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The server's answer is not a table of error descriptions."));
      return FALSE;
    }
  if (model != NULL && builder_model_index (builder, model) < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The printer model “%s” cannot be added to the table."), model);
      return FALSE;
    }

  if (hms_list != NULL)
    builder_add_list (builder, SECTION_HMS, hms_list, model);
  if (error_list != NULL)
    builder_add_list (builder, SECTION_ERROR, error_list, model);
  update_raw_version (builder, object);

  return TRUE;
}

static void
import_variant (PdHmsBuilder *self,
                Section       section,
                const char   *code,
                guint32       mask,
                const char   *text,
                const char  **models,
                gsize         n_models)
{
  if (mask == 0)
    builder_set (self, section, code, NULL, text);

  for (guint bit = 0; bit < PD_HMS_MAX_MODELS; bit++)
    if (mask & (1u << bit))
      {
        if (bit < n_models)
          builder_set (self, section, code, models[bit], text);
        else
          self->n_skipped++;
      }
}

static void
import_section (PdHmsBuilder *self,
                Section       section,
                GVariant     *root,
                const char  **models,
                gsize         n_models)
{
  static const guint fields[N_SECTIONS][2] = {
    [SECTION_HMS] = { PD_HMS_BLOB_HMS_KEYS, PD_HMS_BLOB_HMS_VALUES },
    [SECTION_ERROR] = { PD_HMS_BLOB_ERROR_KEYS, PD_HMS_BLOB_ERROR_VALUES },
    [SECTION_LINKS] = { PD_HMS_BLOB_LINK_KEYS, PD_HMS_BLOB_LINK_VALUES },
  };
  g_autoptr (GVariant)    keys = g_variant_get_child_value (root, fields[section][0]);
  g_autoptr (GVariant)    values = g_variant_get_child_value (root, fields[section][1]);
  g_autoptr (GVariant)    paths_v = g_variant_get_child_value (root, PD_HMS_BLOB_LINK_PATHS);
  g_autofree const char **paths = NULL;
  gsize                   n_paths = 0;
  gsize                   n_values = g_variant_n_children (values);
  gsize                   n_keys = 0;
  const guint64          *keys64 = NULL;
  const guint32          *keys32 = NULL;

  if (section == SECTION_ERROR)
    keys32 = g_variant_get_fixed_array (keys, &n_keys, sizeof (guint32));
  else
    keys64 = g_variant_get_fixed_array (keys, &n_keys, sizeof (guint64));
  if (section == SECTION_LINKS)
    paths = g_variant_get_strv (paths_v, &n_paths);

  if (n_keys != n_values)
    {
      self->n_skipped += (guint) MAX (n_keys, n_values);
      return;
    }

  for (gsize i = 0; i < n_keys; i++)
    {
      g_autoptr (GVariant) variants = g_variant_get_child_value (values, i);
      g_autofree char     *code = NULL;
      gsize                n = g_variant_n_children (variants);

      if (section == SECTION_ERROR)
        code = g_strdup_printf ("%08X", keys32[i]);
      else
        code = g_strdup_printf ("%016" G_GINT64_MODIFIER "X", keys64[i]);

      for (gsize j = 0; j < n; j++)
        {
          const char *text;
          guint32     mask, index;

          if (section == SECTION_LINKS)
            {
              g_variant_get_child (variants, j, "(uu)", &mask, &index);
              if (index >= n_paths)
                {
                  self->n_skipped++;
                  continue;
                }
              text = paths[index];
            }
          else
            g_variant_get_child (variants, j, "(u&s)", &mask, &text);

          import_variant (self, section, code, mask, text, models, n_models);
        }
    }
}

/**
 * pd_hms_builder_add_compiled:
 * @builder: a table
 * @blob: a table made by pd_hms_builder_end()
 * @error: return location for an error
 *
 * Adds every text of a compiled table, as if its inputs were added again:
 * an update of some models keeps what an earlier update fetched for the
 * others.
 *
 * Returns: %FALSE, with @error set, when @blob is not a compiled table of
 *   this version
 */
gboolean
pd_hms_builder_add_compiled (PdHmsBuilder *builder,
                             GBytes       *blob,
                             GError      **error)
{
  g_autoptr (GVariant)    root = NULL;
  g_autoptr (GVariant)    models_v = NULL;
  g_autofree const char **models = NULL;
  gsize                   n_models = 0;
  guint32                 format;

  g_return_val_if_fail (builder != NULL, FALSE);
  g_return_val_if_fail (blob != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (PD_HMS_BLOB_TYPE), blob, FALSE));
  g_variant_get_child (root, PD_HMS_BLOB_FORMAT, "u", &format);
  if (format == GUINT32_SWAP_LE_BE (PD_HMS_FORMAT_VERSION))
    {
      GVariant *swapped = g_variant_byteswap (root);

      g_variant_unref (root);
      root = g_variant_ref_sink (swapped);
    }
  else if (format != PD_HMS_FORMAT_VERSION)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The saved table of error descriptions is damaged or from another version."));
      return FALSE;
    }

  models_v = g_variant_get_child_value (root, PD_HMS_BLOB_MODELS);
  models = g_variant_get_strv (models_v, &n_models);

  import_section (builder, SECTION_HMS, root, models, n_models);
  import_section (builder, SECTION_ERROR, root, models, n_models);
  import_section (builder, SECTION_LINKS, root, models, n_models);

  return TRUE;
}

/**
 * pd_hms_builder_end:
 * @builder: a table
 *
 * Compiles what was added (see pd-hms-private.h for the format). The
 * builder stays usable.
 *
 * Returns: (transfer full): the compiled table
 */
GBytes *
pd_hms_builder_end (PdHmsBuilder *builder)
{
  g_autoptr (GVariant) table = NULL;
  GVariantBuilder      b;

  g_return_val_if_fail (builder != NULL, NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE (PD_HMS_BLOB_TYPE));
  g_variant_builder_add (&b, "u", (guint32) PD_HMS_FORMAT_VERSION);
  g_variant_builder_add (&b, "s", builder->language);
  g_variant_builder_add (&b, "s", builder->data_version);
  g_variant_builder_add (&b, "x", builder->fetched);
  g_variant_builder_add_value (&b, g_variant_new_strv ((const char *const *) builder->models->pdata,
                                                       builder->models->len));
  add_section (&b, builder->entries[SECTION_HMS], TRUE);
  add_section (&b, builder->entries[SECTION_ERROR], FALSE);
  add_links (&b, builder->entries[SECTION_LINKS]);

  table = g_variant_ref_sink (g_variant_builder_end (&b));

  return g_variant_get_data_as_bytes (table);
}

/* Text cleaning --------------------------------------------------------------*/

gboolean
pd_hms_language_is_cjk (const char *language)
{
  return language != NULL &&
         (g_ascii_strncasecmp (language, "zh", 2) == 0 ||
          g_ascii_strncasecmp (language, "ja", 2) == 0 ||
          g_ascii_strncasecmp (language, "ko", 2) == 0);
}

/**
 * pd_hms_clean_text:
 * @text: a text as Bambu wrote it
 * @language: its language
 *
 * Trims, collapses runs of spaces, turns "\r\n", "\r" and a literal "\n"
 * into line breaks (at most one empty line in a row), and outside Chinese,
 * Japanese and Korean writes a full-width comma "，" as ", ".
 *
 * Returns: (transfer full): the cleaned text, "" for a text of only spaces
 */
char *
pd_hms_clean_text (const char *text,
                   const char *language)
{
  GString    *s = g_string_sized_new (strlen (text));
  gboolean    cjk = pd_hms_language_is_cjk (language);
  gboolean    space = FALSE;
  guint       breaks = 0;
  const char *p = text;

  while (*p != '\0')
    {
      if (p[0] == '\r' && p[1] == '\n')
        {
          breaks++;
          p += 2;
        }
      else if (*p == '\r' || *p == '\n')
        {
          breaks++;
          p++;
        }
      else if (p[0] == '\\' && p[1] == 'n')
        {
          breaks++;
          p += 2;
        }
      else if ((guchar) *p <= 0x20 || *p == 0x7F)
        {
          space = TRUE;
          p++;
        }
      else if (!cjk && strncmp (p, "\xef\xbc\x8c", 3) == 0) /* U+FF0C "，" */
        {
          g_string_append_c (s, ',');
          space = TRUE;
          p += 3;
        }
      else
        {
          if (s->len > 0 && breaks > 0)
            g_string_append (s, breaks > 1 ? "\n\n" : "\n");
          else if (s->len > 0 && space)
            g_string_append_c (s, ' ');
          breaks = 0;
          space = FALSE;
          g_string_append_c (s, *p);
          p++;
        }
    }

  return g_string_free (s, FALSE);
}
