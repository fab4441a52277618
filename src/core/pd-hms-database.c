/* pd-hms-database.c — what an HMS or print_error code means
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Texts come in layers, each a compiled table (pd-hms-private.h) read in
 * place and searched by bisection: the user's language from the cache, then
 * English from the cache (newer than the app), then the English table built
 * into the core resource. The first layer with a text for the code wins;
 * within a layer, the text for the printer's model, else the code's default.
 *
 * The update downloads Bambu's per-model answers (e.bambulab.com/query.php,
 * docs/protocol-notes.md §DATA), at most four at a time, each bounded in time
 * and size; it compiles them on a worker thread into the cache, reloads and
 * emits "changed".
 */

#define G_LOG_DOMAIN "pd-hms-database"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "pd-core-resources.h"
#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-hms-private.h"
#include "pd-model.h"
#include "pd-state.h"

#define BUILTIN_RESOURCE       "/io/github/printdeck/Printdeck/hms/hms-en.gvariant"
#define WIKI_BASE              "https://wiki.bambulab.com"
#define ERROR_PAGE_BASE        "https://e.bambulab.com/index.php"
#define DEFAULT_TIMEOUT        15                 /* seconds, per request */
#define MAX_ANSWER_SIZE        (8 * 1024 * 1024)  /* bytes, per answer */
#define MAX_CACHE_SIZE         (64 * 1024 * 1024) /* bytes, per cache file */
#define MAX_REQUESTS_IN_FLIGHT 4
#define READ_CHUNK             (64 * 1024)

/* Bambu's languages (BambuStudio resources/hms/hms_<lang>_<prefix>.json) */
static const char *const bambu_languages[] = {
  "en",
  "de",
  "es",
  "fr",
  "hu",
  "it",
  "ja",
  "ko",
  "nl",
  "pl",
  "pt-BR",
  "ru",
  "sv",
  "zh-cn",
};

/* Advice in Bambu's English texts begins with one of these */
static const char *const advice_starts[] = {
  "Please",
  "Check",
  "Try",
  "Make sure",
  "Ensure",
  "You can",
  "You may",
  "Refer to",
  "Clean",
  "Remove",
  "Reconnect",
  "Restart",
  "Replace",
  "Contact",
  "If",
};

typedef struct
{
  GVariant     *root;
  GMappedFile  *file;     /* NULL for the built-in table */
  const char   *language; /* interned: pd_hms_database_get_language() outlives a reload */
  char         *data_version;
  gint64        fetched;
  GVariant     *models_v;
  const char  **models; /* points into root */
  gsize         n_models;
  GVariant     *paths; /* wiki article paths */
  GVariant     *keys[N_SECTIONS];
  GVariant     *values[N_SECTIONS];
  gconstpointer key_data[N_SECTIONS]; /* guint64, or guint32 for print_error */
  gsize         n_keys[N_SECTIONS];
} Layer;

/* The key at @index of a layer's @section: print errors are 32-bit. */
static inline guint64
layer_key (const Layer *layer,
           Section      section,
           gsize        index)
{
  if (section == SECTION_ERROR)
    return ((const guint32 *) layer->key_data[section])[index];

  return ((const guint64 *) layer->key_data[section])[index];
}

/* Lookups may come from any thread (a state document is rendered where it
 * is needed); the layers are swapped whole under the lock, and a lookup
 * holds a reference to the ones it searches.
 */
struct _PdHmsDatabase
{
  GObject     parent_instance;

  char       *cache_dir;
  char      **languages;
  const char *user_language; /* Bambu's name of the user's language */
  GMutex      lock;
  GPtrArray  *layers;  /* Layer *, in lookup order; under the lock */
  guint       n_codes; /* G_MAXUINT: not counted yet; under the lock */
  guint       timeout; /* seconds, per request */
};

G_DEFINE_FINAL_TYPE (PdHmsDatabase, pd_hms_database, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CACHE_DIR,
  PROP_LANGUAGES,
  PROP_LANGUAGE,
  PROP_UPDATED,
  PROP_N_CODES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint          signals[N_SIGNALS];

static GMutex         default_lock;
static PdHmsDatabase *default_database;
static gint           texts_generation; /* see pd_hms_database_get_generation() */

/* Layers ---------------------------------------------------------------------*/

static void
layer_free (Layer *layer)
{
  for (guint i = 0; i < N_SECTIONS; i++)
    {
      g_clear_pointer (&layer->keys[i], g_variant_unref);
      g_clear_pointer (&layer->values[i], g_variant_unref);
    }
  g_free (layer->models);
  g_clear_pointer (&layer->models_v, g_variant_unref);
  g_clear_pointer (&layer->paths, g_variant_unref);
  g_clear_pointer (&layer->root, g_variant_unref);
  g_clear_pointer (&layer->file, g_mapped_file_unref);
  g_free (layer->data_version);
  g_free (layer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Layer, layer_free)

static gboolean
keys_ascending (const Layer *layer,
                Section      section)
{
  gsize n = layer->n_keys[section];

  for (gsize i = 1; i < n; i++)
    {
      if (section == SECTION_ERROR)
        {
          const guint32 *keys = layer->key_data[section];

          if (keys[i - 1] >= keys[i])
            return FALSE;
        }
      else
        {
          const guint64 *keys = layer->key_data[section];

          if (keys[i - 1] >= keys[i])
            return FALSE;
        }
    }

  return TRUE;
}

/* @bytes is read in place. A cache file is not @trusted: GVariant then
 * checks every value it hands out, and the keys are checked here, so a
 * damaged file gives wrong answers at worst, never a crash.
 */
static Layer *
layer_new (GBytes  *bytes,
           gboolean trusted,
           GError **error)
{
  g_autoptr (Layer) layer = g_new0 (Layer, 1);
  guint32           format;

  layer->root = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (PD_HMS_BLOB_TYPE),
                                                              bytes, trusted));
  g_variant_get_child (layer->root, PD_HMS_BLOB_FORMAT, "u", &format);
  if (format == GUINT32_SWAP_LE_BE (PD_HMS_FORMAT_VERSION))
    {
      /* written on a machine of the other byte order: a copy, in ours */
      GVariant *swapped = g_variant_ref_sink (g_variant_byteswap (layer->root));

      g_variant_unref (layer->root);
      layer->root = swapped;
    }
  else if (format != PD_HMS_FORMAT_VERSION)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The saved table of error descriptions is damaged or from another version."));
      return NULL;
    }

  g_variant_get_child (layer->root, PD_HMS_BLOB_LANGUAGE, "&s", &layer->language);
  layer->language = g_intern_string (layer->language);
  g_variant_get_child (layer->root, PD_HMS_BLOB_DATA_VERSION, "s", &layer->data_version);
  g_variant_get_child (layer->root, PD_HMS_BLOB_FETCHED, "x", &layer->fetched);
  layer->models_v = g_variant_get_child_value (layer->root, PD_HMS_BLOB_MODELS);
  layer->models = g_variant_get_strv (layer->models_v, &layer->n_models);

  layer->paths = g_variant_get_child_value (layer->root, PD_HMS_BLOB_LINK_PATHS);

  for (guint s = 0; s < N_SECTIONS; s++)
    {
      static const guint fields[N_SECTIONS][2] = {
        [SECTION_HMS] = { PD_HMS_BLOB_HMS_KEYS, PD_HMS_BLOB_HMS_VALUES },
        [SECTION_ERROR] = { PD_HMS_BLOB_ERROR_KEYS, PD_HMS_BLOB_ERROR_VALUES },
        [SECTION_LINKS] = { PD_HMS_BLOB_LINK_KEYS, PD_HMS_BLOB_LINK_VALUES },
      };
      gsize element_size = s == SECTION_ERROR ? sizeof (guint32) : sizeof (guint64);

      layer->keys[s] = g_variant_get_child_value (layer->root, fields[s][0]);
      layer->values[s] = g_variant_get_child_value (layer->root, fields[s][1]);
      layer->key_data[s] = g_variant_get_fixed_array (layer->keys[s], &layer->n_keys[s], element_size);

      if (layer->n_keys[s] != g_variant_n_children (layer->values[s]) || !keys_ascending (layer, s))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("The saved table of error descriptions is damaged or from another version."));
          return NULL;
        }
    }

  return g_steal_pointer (&layer);
}

static Layer *
layer_new_builtin (void)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  Layer             *layer;

  bytes = g_resource_lookup_data (pd_core_get_resource (), BUILTIN_RESOURCE, 0, &error);
  if (bytes == NULL)
    g_error ("%s missing from the core resources: %s", BUILTIN_RESOURCE, error->message);

  layer = layer_new (bytes, TRUE, &error);
  if (layer == NULL)
    g_error ("%s: %s", BUILTIN_RESOURCE, error->message);

  return layer;
}

static char *
cache_file_path (const char *cache_dir,
                 const char *language)
{
  g_autofree char *name = g_strdup_printf ("hms-%s.db", language);

  return g_build_filename (cache_dir, name, NULL);
}

/* NULL without an error when there is no such file */
static Layer *
layer_new_cached (const char *cache_dir,
                  const char *language,
                  GError    **error)
{
  g_autofree char        *path = cache_file_path (cache_dir, language);
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GBytes)      bytes = NULL;
  g_autoptr (GError)      local_error = NULL;
  Layer                  *layer;

  file = g_mapped_file_new (path, FALSE, &local_error);
  if (file == NULL)
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (g_mapped_file_get_length (file) > MAX_CACHE_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: too large", path);
      return NULL;
    }

  bytes = g_mapped_file_get_bytes (file);
  layer = layer_new (bytes, FALSE, error);
  if (layer == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  if (g_strcmp0 (layer->language, language) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s holds the language “%s”", path, layer->language);
      layer_free (layer);
      return NULL;
    }

  layer->file = g_steal_pointer (&file);
  return layer;
}

static int
layer_model_bit (const Layer *layer,
                 const char  *model)
{
  if (model == NULL)
    return -1;

  for (gsize i = 0; i < layer->n_models && i < PD_HMS_MAX_MODELS; i++)
    if (g_str_equal (layer->models[i], model))
      return (int) i;

  return -1;
}

static gboolean
layer_bisect (const Layer *layer,
              Section      section,
              guint64      key,
              gsize       *index)
{
  gsize lo = 0;
  gsize hi = layer->n_keys[section];

  while (lo < hi)
    {
      gsize   mid = lo + (hi - lo) / 2;
      guint64 k = layer_key (layer, section, mid);

      if (k < key)
        lo = mid + 1;
      else if (k > key)
        hi = mid;
      else
        {
          *index = mid;
          return TRUE;
        }
    }

  return FALSE;
}

/* The text of @key for @model in this layer; points into the layer's data.
 * NULL when the layer does not have the code.
 */
static const char *
layer_lookup (const Layer *layer,
              Section      section,
              guint64      key,
              const char  *model)
{
  g_autoptr (GVariant) variants = NULL;
  const char          *fallback = NULL;
  gsize                index, n;
  int                  bit;

  if (!layer_bisect (layer, section, key, &index))
    return NULL;

  bit = layer_model_bit (layer, model);
  variants = g_variant_get_child_value (layer->values[section], index);
  n = g_variant_n_children (variants);
  for (gsize i = 0; i < n; i++)
    {
      const char *text;
      guint32     mask;

      if (section == SECTION_LINKS)
        {
          guint32 path;

          g_variant_get_child (variants, i, "(uu)", &mask, &path);
          if (path >= g_variant_n_children (layer->paths))
            continue;
          g_variant_get_child (layer->paths, path, "&s", &text);
        }
      else
        g_variant_get_child (variants, i, "(u&s)", &mask, &text);

      if (mask == 0)
        fallback = text;
      else if (bit >= 0 && (mask & (1u << bit)) != 0)
        return text;
    }

  return fallback;
}

/* Language names ------------------------------------------------------------*/

/**
 * pd_hms_language_from_locale:
 * @locale: a locale or language name: "de_DE.UTF-8", "pt_BR", "zh_CN", "C",
 *   or one of Bambu's names ("pt-BR")
 *
 * Returns: (nullable): Bambu's name of the language ("de", "pt-BR",
 *   "zh-cn", "en" for "C"), or %NULL when Bambu has no texts in it
 */
const char *
pd_hms_language_from_locale (const char *locale)
{
  g_autofree char *name = NULL;
  char            *territory;
  gsize            n;

  g_return_val_if_fail (locale != NULL, NULL);

  name = g_ascii_strdown (locale, -1);
  n = strcspn (name, ".@");
  name[n] = '\0';
  if (g_str_equal (name, "c") || g_str_equal (name, "posix"))
    return "en";

  g_strdelimit (name, "-", '_');
  territory = strchr (name, '_');
  if (territory != NULL)
    *territory++ = '\0';

  if (g_str_equal (name, "pt"))
    return "pt-BR";
  if (g_str_equal (name, "zh"))
    {
      /* Bambu writes simplified Chinese only */
      if (territory == NULL || g_str_equal (territory, "cn") || g_str_equal (territory, "sg") ||
          g_str_equal (territory, "hans"))
        return "zh-cn";
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (bambu_languages); i++)
    if (g_str_equal (name, bambu_languages[i]))
      return bambu_languages[i];

  return NULL;
}

static const char *
user_language (const char *const *languages)
{
  for (guint i = 0; languages != NULL && languages[i] != NULL; i++)
    {
      const char *language = pd_hms_language_from_locale (languages[i]);

      if (language != NULL)
        return language;
    }

  return "en";
}

/* Texts ----------------------------------------------------------------------*/

static gboolean
is_advice (const char *p,
           gboolean    lower_case)
{
  for (guint i = 0; i < G_N_ELEMENTS (advice_starts); i++)
    {
      const char *word = advice_starts[i];
      gsize       n = strlen (word);

      if ((strncmp (p, word, n) == 0 ||
           (lower_case && p[0] == g_ascii_tolower (word[0]) && strncmp (p + 1, word + 1, n - 1) == 0)) &&
          !g_ascii_isalnum (p[n]))
        return TRUE;
    }

  return FALSE;
}

/* Bambu writes the problem, then what to do: "The AMS failed to send out
 * filament. You can clip the end of your filament flat, and reinsert." The
 * advice starts at the first sentence that reads like one; a text that
 * starts with advice is kept whole.
 */
static void
split_advice (const char *text,
              char      **description,
              char      **action)
{
  *description = NULL;
  *action = NULL;

  if (!is_advice (text, FALSE))
    for (const char *p = text; *p != '\0'; p++)
      {
        const char *start = p + 1;
        gboolean    semicolon = *p == ';';
        gboolean    comma = *p == ',';

        if (*p != '.' && *p != '!' && *p != '?' && *p != ';' && *p != ',' && *p != '\n')
          continue;
        if (*p != '\n' && *start != ' ' && *start != '\n')
          continue;
        while (*start == ' ' || *start == '\n')
          start++;
        /* "…may have a short circuit, please check…": after a comma only
         * "please" starts the advice.
         */
        if (*start == '\0' || (comma ? g_ascii_strncasecmp (start, "please ", 7) != 0 : !is_advice (start, semicolon)))
          continue;

        if (semicolon || comma)
          *description = g_strdup_printf ("%.*s.", (int) (p - text), text);
        else
          *description = g_strchomp (g_strndup (text, (gsize) (p - text + (*p != '\n'))));
        *action = g_strdup (start);
        (*action)[0] = g_ascii_toupper ((*action)[0]);
        return;
      }

  *description = g_strdup (text);
}

static void
info_set_text (PdHmsInfo  *info,
               const char *text,
               const char *language)
{
  if (text == NULL || *text == '\0')
    return;

  if (g_str_equal (language, "en"))
    split_advice (text, &info->description, &info->action);
  else
    info->description = g_strdup (text);
}

/* "AMS B", "AMS HT 1": which unit, where the code says */
static char *
module_label (guint32 attr)
{
  guint module = attr >> 24;
  guint unit = (attr >> 16) & 0xFF;

  switch (module)
    {
    case 0x07:
    case 0x18:
      if (unit >= 0x80 && unit <= 0x87)
        /* TRANSLATORS: an AMS HT unit, "AMS HT 1"; AMS HT is a product name */
        return g_strdup_printf (_("AMS HT %u"), unit - 0x80 + 1);
      /* Bambu's texts for module 0x18 name its units "AMS-HT A"… "AMS-HT H" */
      if (module == 0x18 && unit < 8)
        return g_strdup_printf (_("AMS HT %u"), unit + 1);
      if (module == 0x07 && unit < 8)
        /* TRANSLATORS: an AMS unit, "AMS B"; AMS is a product name */
        return g_strdup_printf (_("AMS %c"), 'A' + unit);
      break;

    case 0x12:
      if (unit < 4)
        /* TRANSLATORS: an AMS lite unit, "AMS lite A"; AMS lite is a product name */
        return g_strdup_printf (_("AMS lite %c"), 'A' + unit);
      break;

    default:
      break;
    }

  return g_strdup (pd_hms_module_to_label (module));
}

/* The model table's id for what the caller calls the model ("A1 mini",
 * "N1", "A1MINI"); the name itself when the table does not know it.
 */
static const char *
model_id (const char *model)
{
  const PdModelInfo *info;
  const PdModelInfo *all;
  guint              n;

  if (model == NULL)
    return NULL;

  all = pd_model_get_all (&n);
  for (guint i = 0; i < n; i++)
    if (g_str_equal (all[i].id, model))
      return all[i].id;

  info = pd_model_lookup (model);
  return info != NULL ? info->id : model;
}

/* The first layer's text for the code; NULL when none has one. */
static const char *
database_lookup (GPtrArray   *layers,
                 Section      section,
                 guint64      key,
                 const char  *model,
                 const char **language)
{
  for (guint i = 0; i < layers->len; i++)
    {
      const Layer *layer = g_ptr_array_index (layers, i);
      const char  *text = layer_lookup (layer, section, key, model);

      if (text != NULL && *text != '\0')
        {
          if (language != NULL)
            *language = layer->language;
          return text;
        }
    }

  return NULL;
}

static guint
count_codes (GPtrArray *layers,
             Section    section)
{
  guint  n_layers = layers->len;
  gsize *next = g_newa (gsize, n_layers);
  guint  count = 0;

  /* a merge of the layers' sorted keys */
  memset (next, 0, n_layers * sizeof (gsize));
  for (;;)
    {
      gboolean found = FALSE;
      guint64  smallest = 0;

      for (guint i = 0; i < n_layers; i++)
        {
          const Layer *layer = g_ptr_array_index (layers, i);
          guint64      key;

          if (next[i] >= layer->n_keys[section])
            continue;
          key = layer_key (layer, section, next[i]);
          if (!found || key < smallest)
            smallest = key;
          found = TRUE;
        }
      if (!found)
        return count;

      count++;
      for (guint i = 0; i < n_layers; i++)
        {
          const Layer *layer = g_ptr_array_index (layers, i);

          if (next[i] < layer->n_keys[section] && layer_key (layer, section, next[i]) == smallest)
            next[i]++;
        }
    }
}

/* Loading --------------------------------------------------------------------*/

static GPtrArray *
load_layers (PdHmsDatabase *self)
{
  GPtrArray  *layers = g_ptr_array_new_with_free_func ((GDestroyNotify) layer_free);
  const char *cached[2] = { self->user_language, "en" };

  for (guint i = 0; i < G_N_ELEMENTS (cached) && self->cache_dir != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      Layer             *layer;

      if (i > 0 && g_str_equal (cached[i], cached[0]))
        break;

      layer = layer_new_cached (self->cache_dir, cached[i], &error);
      if (layer != NULL)
        g_ptr_array_add (layers, layer);
      else if (error != NULL)
        g_message ("Ignoring the saved error descriptions: %s", error->message);
    }

  g_ptr_array_add (layers, layer_new_builtin ());

  return layers;
}

static GPtrArray *
database_ref_layers (PdHmsDatabase *self)
{
  GPtrArray *layers;

  g_mutex_lock (&self->lock);
  layers = g_ptr_array_ref (self->layers);
  g_mutex_unlock (&self->lock);

  return layers;
}

static void
set_layers (PdHmsDatabase *self,
            GPtrArray     *layers)
{
  const char *old_language = pd_hms_database_get_language (self);
  gint64      old_updated = pd_hms_database_get_updated (self);
  GPtrArray  *old_layers;
  guint       old_n_codes;

  g_mutex_lock (&self->lock);
  old_layers = g_steal_pointer (&self->layers);
  old_n_codes = self->n_codes;
  self->layers = layers;
  self->n_codes = G_MAXUINT;
  g_mutex_unlock (&self->lock);
  g_ptr_array_unref (old_layers);
  g_atomic_int_inc (&texts_generation);

  if (g_strcmp0 (old_language, pd_hms_database_get_language (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANGUAGE]);
  if (old_updated != pd_hms_database_get_updated (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UPDATED]);
  if (old_n_codes != G_MAXUINT && old_n_codes != pd_hms_database_get_n_codes (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_CODES]);
}

/* GObject ---------------------------------------------------------------------*/

static void
pd_hms_database_finalize (GObject *object)
{
  PdHmsDatabase *self = PD_HMS_DATABASE (object);

  g_clear_pointer (&self->layers, g_ptr_array_unref);
  g_clear_pointer (&self->languages, g_strfreev);
  g_clear_pointer (&self->cache_dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pd_hms_database_parent_class)->finalize (object);
}

static void
pd_hms_database_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PdHmsDatabase *self = PD_HMS_DATABASE (object);

  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      g_value_set_string (value, self->cache_dir);
      break;

    case PROP_LANGUAGES:
      g_value_set_boxed (value, self->languages);
      break;

    case PROP_LANGUAGE:
      g_value_set_string (value, pd_hms_database_get_language (self));
      break;

    case PROP_UPDATED:
      g_value_set_int64 (value, pd_hms_database_get_updated (self));
      break;

    case PROP_N_CODES:
      g_value_set_uint (value, pd_hms_database_get_n_codes (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_hms_database_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PdHmsDatabase *self = PD_HMS_DATABASE (object);

  switch (prop_id)
    {
    case PROP_CACHE_DIR:
      g_free (self->cache_dir);
      self->cache_dir = g_value_dup_string (value);
      break;

    case PROP_LANGUAGES:
      g_strfreev (self->languages);
      self->languages = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_hms_database_constructed (GObject *object)
{
  PdHmsDatabase *self = PD_HMS_DATABASE (object);

  G_OBJECT_CLASS (pd_hms_database_parent_class)->constructed (object);

  if (self->languages == NULL)
    self->languages = g_strdupv ((char **) g_get_language_names ());
  self->user_language = user_language ((const char *const *) self->languages);
  self->layers = load_layers (self);
}

static void
pd_hms_database_class_init (PdHmsDatabaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pd_hms_database_finalize;
  object_class->get_property = pd_hms_database_get_property;
  object_class->set_property = pd_hms_database_set_property;
  object_class->constructed = pd_hms_database_constructed;

  /**
   * PdHmsDatabase:cache-dir:
   *
   * Where downloaded tables live (hms-<lang>.db); %NULL: the built-in
   * English table only, and no updates.
   */
  properties[PROP_CACHE_DIR] =
    g_param_spec_string ("cache-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PdHmsDatabase:languages:
   *
   * The user's languages, most wanted first, as g_get_language_names()
   * gives them; %NULL: those of the process.
   */
  properties[PROP_LANGUAGES] =
    g_param_spec_boxed ("languages", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PdHmsDatabase:language:
   *
   * The language of the texts in use, as Bambu names it ("en", "de").
   */
  properties[PROP_LANGUAGE] =
    g_param_spec_string ("language", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdHmsDatabase:updated:
   *
   * When the newest texts in use were fetched from Bambu, in seconds since
   * 1970 (UTC); for the built-in table, the day its data was taken.
   */
  properties[PROP_UPDATED] =
    g_param_spec_int64 ("updated", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * PdHmsDatabase:n-codes:
   *
   * How many HMS and print_error codes the texts cover.
   */
  properties[PROP_N_CODES] =
    g_param_spec_uint ("n-codes", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PdHmsDatabase::changed:
   *
   * The texts were reloaded or updated: look the codes up again.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pd_hms_database_init (PdHmsDatabase *self)
{
  g_mutex_init (&self->lock);
  self->n_codes = G_MAXUINT;
  self->timeout = DEFAULT_TIMEOUT;
}

/* Public API -----------------------------------------------------------------*/

void
pd_hms_info_free (PdHmsInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->code);
  g_free (info->module);
  g_free (info->description);
  g_free (info->action);
  g_free (info->url);
  g_free (info);
}

PdHmsInfo *
pd_hms_info_copy (const PdHmsInfo *info)
{
  PdHmsInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (PdHmsInfo, 1);
  copy->code = g_strdup (info->code);
  copy->severity = info->severity;
  copy->module = g_strdup (info->module);
  copy->description = g_strdup (info->description);
  copy->action = g_strdup (info->action);
  copy->url = g_strdup (info->url);

  return copy;
}

/**
 * pd_hms_database_new:
 * @cache_dir: (nullable): where downloaded tables live; %NULL for the
 *   built-in English texts only
 * @languages: (nullable) (array zero-terminated=1): the user's languages,
 *   most wanted first; %NULL for g_get_language_names()
 *
 * Loads the built-in English table and, if present, the downloaded ones:
 * the first of @languages that Bambu writes in, and English.
 *
 * Returns: (transfer full): a database
 */
PdHmsDatabase *
pd_hms_database_new (const char        *cache_dir,
                     const char *const *languages)
{
  return g_object_new (PD_TYPE_HMS_DATABASE,
                       "cache-dir", cache_dir,
                       "languages", languages,
                       NULL);
}

/**
 * pd_hms_database_get_default:
 *
 * The database the app shares: its downloads live in
 * $PRINTDECK_CACHE_DIR/hms, else in the user's cache folder/printdeck/hms.
 *
 * Returns: (transfer none): the shared database
 */
PdHmsDatabase *
pd_hms_database_get_default (void)
{
  PdHmsDatabase *database;

  g_mutex_lock (&default_lock);
  if (default_database == NULL)
    {
      const char      *env = g_getenv ("PRINTDECK_CACHE_DIR");
      g_autofree char *cache_dir = NULL;

      if (env != NULL && *env != '\0')
        cache_dir = g_build_filename (env, "hms", NULL);
      else
        cache_dir = g_build_filename (g_get_user_cache_dir (), "printdeck", "hms", NULL);

      default_database = pd_hms_database_new (cache_dir, NULL);
    }
  database = default_database;
  g_mutex_unlock (&default_lock);

  return database;
}

/**
 * pd_hms_database_set_default:
 * @database: (nullable): the database to share from now on; %NULL drops it
 *   (the next pd_hms_database_get_default() makes a new one)
 *
 * For tests.
 */
void
pd_hms_database_set_default (PdHmsDatabase *database)
{
  g_return_if_fail (database == NULL || PD_IS_HMS_DATABASE (database));

  g_mutex_lock (&default_lock);
  g_set_object (&default_database, database);
  g_mutex_unlock (&default_lock);
  g_atomic_int_inc (&texts_generation);
}

/**
 * pd_hms_database_get_generation:
 *
 * Counts the times the texts that lookups give may have changed: a reload of
 * any database, a new default database. What was looked up under another
 * generation should be looked up again.
 *
 * Returns: the current generation
 */
guint
pd_hms_database_get_generation (void)
{
  return (guint) g_atomic_int_get (&texts_generation);
}

/**
 * pd_hms_database_reload:
 * @self: a database
 * @error: return location for an error
 *
 * Reads the downloaded tables again and emits #PdHmsDatabase::changed. A
 * damaged download is left out (and logged): the built-in texts remain.
 *
 * Returns: %TRUE
 */
gboolean
pd_hms_database_reload (PdHmsDatabase *self,
                        GError       **error)
{
  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  set_layers (self, load_layers (self));
  g_signal_emit (self, signals[CHANGED], 0);

  return TRUE;
}

/**
 * pd_hms_database_lookup_hms:
 * @self: a database
 * @attr: the entry's attr, as the printer sends it
 * @code: the entry's code
 * @model: (nullable): the printer's model id ("X1C", "H2D"); some codes
 *   have a text of their own for a model
 *
 * Returns: (transfer full): what the code means; unknown codes too, with a
 *   %NULL description
 */
PdHmsInfo *
pd_hms_database_lookup_hms (PdHmsDatabase *self,
                            guint32        attr,
                            guint32        code,
                            const char    *model)
{
  g_autoptr (GPtrArray) layers = NULL;
  PdHmsEntry            entry = { attr, code };
  guint64               key = (guint64) attr << 32 | code;
  const char           *language = NULL;
  const char           *text, *link;
  PdHmsInfo            *info;

  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), NULL);

  layers = database_ref_layers (self);
  model = model_id (model);
  info = g_new0 (PdHmsInfo, 1);
  info->code = pd_hms_entry_format_code (&entry);
  info->severity = pd_hms_entry_get_severity (&entry);
  info->module = module_label (attr);

  text = database_lookup (layers, SECTION_HMS, key, model, &language);
  info_set_text (info, text, language);

  link = database_lookup (layers, SECTION_LINKS, key, model, NULL);
  if (link != NULL && link[0] == '/' && link[1] != '/')
    info->url = g_strconcat (WIKI_BASE, link, NULL);
  else
    info->url = g_strdup_printf (ERROR_PAGE_BASE "?e=%08X%08X&s=device_hms&lang=%s",
                                 attr, code, self->user_language);

  return info;
}

/**
 * pd_hms_database_lookup_print_error:
 * @self: a database
 * @print_error: the printer's print_error value
 * @model: (nullable): the printer's model id
 *
 * Returns: (transfer full): what the value means; the severity is
 *   %PD_SEVERITY_NONE, as a print_error does not carry one
 */
PdHmsInfo *
pd_hms_database_lookup_print_error (PdHmsDatabase *self,
                                    guint32        print_error,
                                    const char    *model)
{
  g_autoptr (GPtrArray) layers = NULL;
  const char           *language = NULL;
  const char           *text;
  PdHmsInfo            *info;

  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), NULL);

  layers = database_ref_layers (self);
  model = model_id (model);
  info = g_new0 (PdHmsInfo, 1);
  info->code = pd_print_error_format_code (print_error);
  info->severity = PD_SEVERITY_NONE;
  info->module = module_label (print_error);

  text = database_lookup (layers, SECTION_ERROR, print_error, model, &language);
  info_set_text (info, text, language);

  info->url = g_strdup_printf (ERROR_PAGE_BASE "?e=%08X&s=device_error&lang=%s",
                               print_error, self->user_language);

  return info;
}

/**
 * pd_hms_database_get_language:
 * @self: a database
 *
 * Returns: the language of the texts in use, as Bambu names it: the user's
 *   when it was downloaded, else "en"
 */
const char *
pd_hms_database_get_language (PdHmsDatabase *self)
{
  const char *language = NULL;

  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->layers != NULL && self->layers->len > 0)
    language = ((const Layer *) g_ptr_array_index (self->layers, 0))->language;
  g_mutex_unlock (&self->lock);

  return language;
}

/**
 * pd_hms_database_get_updated:
 * @self: a database
 *
 * Returns: when the newest texts in use were fetched from Bambu, in seconds
 *   since 1970 (UTC) — for the built-in table, the day its data was taken;
 *   0 when not known
 */
gint64
pd_hms_database_get_updated (PdHmsDatabase *self)
{
  gint64 updated = 0;

  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), 0);

  g_mutex_lock (&self->lock);
  for (guint i = 0; self->layers != NULL && i < self->layers->len; i++)
    updated = MAX (updated, ((const Layer *) g_ptr_array_index (self->layers, i))->fetched);
  g_mutex_unlock (&self->lock);

  return updated;
}

/**
 * pd_hms_database_get_n_codes:
 * @self: a database
 *
 * Returns: how many HMS and print_error codes the layers know, together
 */
guint
pd_hms_database_get_n_codes (PdHmsDatabase *self)
{
  guint n_codes;

  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), 0);

  g_mutex_lock (&self->lock);
  if (self->n_codes == G_MAXUINT)
    self->n_codes = count_codes (self->layers, SECTION_HMS) + count_codes (self->layers, SECTION_ERROR);
  n_codes = self->n_codes;
  g_mutex_unlock (&self->lock);

  return n_codes;
}

/**
 * pd_hms_database_get_user_language:
 * @self: a database
 *
 * Returns: Bambu's name of the language an update fetches besides English
 *   (the first of the user's languages that Bambu writes in), or "en"
 */
const char *
pd_hms_database_get_user_language (PdHmsDatabase *self)
{
  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), NULL);

  return self->user_language;
}

/**
 * pd_hms_database_set_request_timeout:
 * @self: a database
 * @seconds: how long an update waits for each answer (default 15)
 *
 * For tests.
 */
void
pd_hms_database_set_request_timeout (PdHmsDatabase *self,
                                     guint          seconds)
{
  g_return_if_fail (PD_IS_HMS_DATABASE (self));
  g_return_if_fail (seconds > 0);

  self->timeout = seconds;
}

/* Codes as people type them ---------------------------------------------------*/

/**
 * pd_hms_parse_code:
 * @text: "0300_0100_0001_0007", "HMS_0300-0100-0001-0007",
 *   "0300010000010007" (an HMS code: 16 hex digits), or "0300_400C",
 *   "0300400c" (a print_error: 8 hex digits); separators "_", "-" and " ",
 *   any case
 * @attr: (out) (optional): the HMS attr; 0 for a print_error
 * @code: (out) (optional): the HMS code, or the print_error value
 * @is_print_error: (out) (optional): whether @text is a print_error
 *
 * Returns: whether @text is a code
 */
gboolean
pd_hms_parse_code (const char *text,
                   guint32    *attr,
                   guint32    *code,
                   gboolean   *is_print_error)
{
  guint64 value = 0;
  guint   digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);

  while (g_ascii_isspace (*text))
    text++;
  if (g_ascii_strncasecmp (text, "HMS", 3) == 0)
    {
      text += 3;
      if (*text == '_' || *text == '-' || *text == ' ')
        text++;
    }

  for (const char *p = text; *p != '\0'; p++)
    {
      int d = g_ascii_xdigit_value (*p);

      if (d >= 0)
        {
          if (++digits > 16)
            return FALSE;
          value = value << 4 | (guint64) d;
        }
      else if (*p == '_' || *p == '-' || *p == ' ')
        {
          /* a separator between digits, or trailing spaces */
          if (digits == 0)
            return FALSE;
        }
      else if (g_ascii_isspace (*p))
        continue;
      else
        return FALSE;
    }

  if (digits != 16 && digits != 8)
    return FALSE;

  if (attr != NULL)
    *attr = digits == 16 ? (guint32) (value >> 32) : 0;
  if (code != NULL)
    *code = (guint32) value;
  if (is_print_error != NULL)
    *is_print_error = digits == 8;

  return TRUE;
}

/* Update ---------------------------------------------------------------------*/

typedef struct _Update Update;

typedef struct
{
  Update       *update;
  char         *language;
  char         *model;
  char         *url;
  GCancellable *cancellable;
  GCancellable *parent_cancellable;
  gulong        cancelled_id;
  GSource      *timeout;
  gboolean      timed_out;
  SoupMessage  *message;
  GInputStream *stream;
  GByteArray   *body;
  GBytes       *answer; /* when it arrived */
  GError       *error;  /* when it did not */
} Request;

struct _Update
{
  GTask        *task; /* owns this */
  SoupSession  *session;
  GPtrArray    *requests;
  guint         next;
  guint         n_running;
  guint         n_done;
  guint         timeout;
  gboolean      all_models;
  gboolean      downloaded;
  GMainContext *context;
};

/* What the worker thread gets of a request */
typedef struct
{
  char   *language;
  char   *model;
  char   *url;
  GBytes *answer; /* NULL: the request failed */
} Answer;

typedef struct
{
  char      *cache_dir;
  char     **languages;
  GPtrArray *answers; /* Answer * */
  gboolean   all_models;
} Compile;

static void update_pump (Update *update);

static void
request_free (Request *request)
{
  g_assert (request->timeout == NULL);
  g_assert (request->cancelled_id == 0);

  g_clear_object (&request->message);
  g_clear_object (&request->stream);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->parent_cancellable);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_clear_pointer (&request->answer, g_bytes_unref);
  g_clear_error (&request->error);
  g_free (request->language);
  g_free (request->model);
  g_free (request->url);
  g_free (request);
}

static void
update_free (Update *update)
{
  g_clear_pointer (&update->requests, g_ptr_array_unref);
  g_clear_object (&update->session);
  g_main_context_unref (update->context);
  g_free (update);
}

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->answer, g_bytes_unref);
  g_free (answer->language);
  g_free (answer->model);
  g_free (answer->url);
  g_free (answer);
}

static void
compile_free (Compile *compile)
{
  g_ptr_array_unref (compile->answers);
  g_strfreev (compile->languages);
  g_free (compile->cache_dir);
  g_free (compile);
}

/* Sentences for people: "The server did not answer in time." */
static char *
sentence (const char *text)
{
  gsize n = strlen (text);

  if (n > 0 && strchr (".!?", text[n - 1]) == NULL)
    return g_strconcat (text, ".", NULL);

  return g_strdup (text);
}

static void
request_done (Request *request)
{
  Update *update = request->update;
  GTask  *task = update->task;

  if (request->timeout != NULL)
    {
      g_source_destroy (request->timeout);
      g_clear_pointer (&request->timeout, g_source_unref);
    }
  if (request->cancelled_id != 0)
    {
      g_cancellable_disconnect (request->parent_cancellable, request->cancelled_id);
      request->cancelled_id = 0;
    }
  g_clear_object (&request->stream);

  if (request->error != NULL)
    g_debug ("%s: %s", request->url, request->error->message);
  else
    g_debug ("%s: %" G_GSIZE_FORMAT " bytes", request->url, g_bytes_get_size (request->answer));

  update->n_running--;
  update->n_done++;
  update_pump (update);

  /* the request held the task */
  g_object_unref (task);
}

static void
request_fail (Request    *request,
              GError     *error,
              const char *message)
{
  if (request->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      g_clear_error (&error);
      request->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                            _("The server did not answer in time."));
    }
  else if (error != NULL && message == NULL)
    {
      g_autofree char *text = sentence (error->message);

      request->error = g_error_new_literal (error->domain, error->code, text);
      g_error_free (error);
    }
  else
    {
      g_clear_error (&error);
      request->error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
    }

  request_done (request);
}

static void
request_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Request           *request = data;
  GError            *error = NULL;
  g_autoptr (GBytes) chunk = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      request_fail (request, error, NULL);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      request->answer = g_byte_array_free_to_bytes (g_steal_pointer (&request->body));
      request_done (request);
      return;
    }

  if (request->body->len + g_bytes_get_size (chunk) > MAX_ANSWER_SIZE)
    {
      request_fail (request, NULL, _("The server's answer is too large."));
      return;
    }

  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), (guint) g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, request_read_cb, request);
}

static void
request_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Request *request = data;
  GError  *error = NULL;
  guint    status;
  goffset  length;

  request->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (request->stream == NULL)
    {
      request_fail (request, error, NULL);
      return;
    }

  status = soup_message_get_status (request->message);
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *message = NULL;

      /* TRANSLATORS: an HTTP status, "500 (Internal Server Error)" */
      message = g_strdup_printf (_("The server answered with error %u (%s)."), status, soup_message_get_reason_phrase (request->message));
      request_fail (request, NULL, message);
      return;
    }

  length = soup_message_headers_get_content_length (soup_message_get_response_headers (request->message));
  if (length > MAX_ANSWER_SIZE)
    {
      request_fail (request, NULL, _("The server's answer is too large."));
      return;
    }

  request->body = g_byte_array_sized_new ((guint) CLAMP (length, READ_CHUNK, MAX_ANSWER_SIZE));
  g_input_stream_read_bytes_async (request->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   request->cancellable, request_read_cb, request);
}

static gboolean
request_timeout_cb (gpointer data)
{
  Request *request = data;

  request->timed_out = TRUE;
  g_cancellable_cancel (request->cancellable);
  g_clear_pointer (&request->timeout, g_source_unref);

  return G_SOURCE_REMOVE;
}

static void
request_cancel_cb (GCancellable *parent,
                   GCancellable *child)
{
  g_cancellable_cancel (child);
}

static void
request_start (Request *request)
{
  Update *update = request->update;

  update->n_running++;
  g_object_ref (update->task);

  request->cancellable = g_cancellable_new ();
  request->parent_cancellable = g_task_get_cancellable (update->task);
  if (request->parent_cancellable != NULL)
    {
      g_object_ref (request->parent_cancellable);
      request->cancelled_id = g_cancellable_connect (request->parent_cancellable,
                                                     G_CALLBACK (request_cancel_cb),
                                                     g_object_ref (request->cancellable),
                                                     g_object_unref);
    }

  request->message = soup_message_new (SOUP_METHOD_GET, request->url);
  if (request->message == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The address “%s” is not valid."), request->url);

      request_fail (request, NULL, message);
      return;
    }

  request->timeout = g_timeout_source_new_seconds (update->timeout);
  g_source_set_callback (request->timeout, request_timeout_cb, request, NULL);
  g_source_attach (request->timeout, update->context);

  soup_session_send_async (update->session, request->message, G_PRIORITY_DEFAULT,
                           request->cancellable, request_sent_cb, request);
}

static void
compile_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Compile           *compile = task_data;
  g_autoptr (GError) first_error = NULL;
  gint64             now = g_get_real_time () / G_USEC_PER_SEC;
  guint              n_compiled = 0;

  for (guint i = 0; compile->languages[i] != NULL; i++)
    {
      const char              *language = compile->languages[i];
      g_autoptr (PdHmsBuilder) builder = pd_hms_builder_new (language);
      g_autofree char         *path = cache_file_path (compile->cache_dir, language);
      g_autoptr (GBytes)       blob = NULL;
      g_autoptr (GError)       error = NULL;
      guint                    n_ok = 0, n_failed = 0;

      for (guint j = 0; j < compile->answers->len; j++)
        {
          const Answer *request = g_ptr_array_index (compile->answers, j);

          if (g_str_equal (request->language, language) && request->answer == NULL)
            n_failed++;
        }

      /* Keep what an earlier update fetched for the models this one did not
       * get; a complete update starts afresh.
       */
      if (!compile->all_models || n_failed > 0)
        {
          g_autofree char *contents = NULL;
          gsize            length;

          if (g_file_get_contents (path, &contents, &length, NULL) && length <= MAX_CACHE_SIZE)
            {
              g_autoptr (GBytes) old = g_bytes_new_take (g_steal_pointer (&contents), length);

              if (!pd_hms_builder_add_compiled (builder, old, &error))
                {
                  g_debug ("%s: %s", path, error->message);
                  g_clear_error (&error);
                }
            }
        }

      for (guint j = 0; j < compile->answers->len; j++)
        {
          const Answer *request = g_ptr_array_index (compile->answers, j);

          if (!g_str_equal (request->language, language) || request->answer == NULL)
            continue;

          if (pd_hms_builder_add_raw (builder, request->answer, request->model, &error))
            n_ok++;
          else
            {
              g_debug ("%s: %s", request->url, error->message);
              /* a web page, an empty answer: not the builder's words for it */
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA))
                {
                  g_clear_error (&error);
                  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                               _("The server's answer is not a table of error descriptions."));
                }
              if (first_error == NULL)
                first_error = g_steal_pointer (&error);
              g_clear_error (&error);
            }
        }

      if (n_ok == 0)
        continue;

      pd_hms_builder_set_version (builder, NULL, now);
      blob = pd_hms_builder_end (builder);
      if (g_mkdir_with_parents (compile->cache_dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                                   _("The error descriptions could not be saved: %s"), g_strerror (saved_errno));
          return;
        }
      if (!g_file_set_contents_full (path, g_bytes_get_data (blob, NULL), (gssize) g_bytes_get_size (blob),
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                   _("The error descriptions could not be saved: %s"), error->message);
          return;
        }
      g_debug ("%s: %" G_GSIZE_FORMAT " bytes, %u texts skipped", path, g_bytes_get_size (blob),
               pd_hms_builder_get_n_skipped (builder));
      n_compiled++;
    }

  if (n_compiled == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, first_error != NULL ? first_error->code : G_IO_ERROR_FAILED,
                               _("The error descriptions could not be updated. %s"), first_error != NULL ? first_error->message : "");
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
compile_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  PdHmsDatabase    *self = PD_HMS_DATABASE (source);
  g_autoptr (GTask) task = data;
  GError           *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  pd_hms_database_reload (self, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
update_downloaded (Update *update)
{
  GTask            *task = update->task;
  PdHmsDatabase    *self = g_task_get_source_object (task);
  g_autoptr (GTask) compile_task = NULL;
  Compile          *compile;
  GError           *first_error = NULL;
  guint             n_answers = 0;

  if (update->downloaded)
    return;
  update->downloaded = TRUE;

  if (g_task_return_error_if_cancelled (task))
    return;

  for (guint i = 0; i < update->requests->len; i++)
    {
      Request *request = g_ptr_array_index (update->requests, i);

      if (request->answer != NULL)
        n_answers++;
      else if (first_error == NULL)
        first_error = request->error;
    }

  if (n_answers == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR,
                               first_error != NULL ? first_error->code : G_IO_ERROR_FAILED,
                               _("The error descriptions could not be updated. %s"), first_error != NULL ? first_error->message : "");
      return;
    }

  compile = g_new0 (Compile, 1);
  compile->cache_dir = g_strdup (self->cache_dir);
  compile->answers = g_ptr_array_new_with_free_func ((GDestroyNotify) answer_free);
  for (guint i = 0; i < update->requests->len; i++)
    {
      Request *request = g_ptr_array_index (update->requests, i);
      Answer  *answer = g_new0 (Answer, 1);

      answer->language = g_strdup (request->language);
      answer->model = g_strdup (request->model);
      answer->url = g_strdup (request->url);
      answer->answer = request->answer != NULL ? g_bytes_ref (request->answer) : NULL;
      g_ptr_array_add (compile->answers, answer);
    }
  compile->all_models = update->all_models;
  compile->languages = g_new0 (char *, 3);
  compile->languages[0] = g_strdup ("en");
  if (!g_str_equal (self->user_language, "en"))
    compile->languages[1] = g_strdup (self->user_language);

  compile_task = g_task_new (self, g_task_get_cancellable (task), compile_cb, g_object_ref (task));
  g_task_set_source_tag (compile_task, update_downloaded);
  /* once the files are written, the texts are reloaded, cancelled or not */
  g_task_set_check_cancellable (compile_task, FALSE);
  g_task_set_task_data (compile_task, compile, (GDestroyNotify) compile_free);
  g_task_run_in_thread (compile_task, compile_thread);
}

static void
update_pump (Update *update)
{
  while (update->n_running < MAX_REQUESTS_IN_FLIGHT && update->next < update->requests->len)
    request_start (g_ptr_array_index (update->requests, update->next++));

  if (update->n_done == update->requests->len)
    update_downloaded (update);
}

/**
 * pd_hms_database_update_async:
 * @self: a database with a cache folder
 * @models: (nullable) (array zero-terminated=1): model ids ("X1C", "H2D")
 *   whose texts to fetch; %NULL for every model
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: for @callback
 *
 * Fetches Bambu's current texts, in English and in the user's language,
 * from $PRINTDECK_HMS_URL or %PD_HMS_DEFAULT_URL, one request per model and
 * language, at most four at a time, each given 15 seconds and 8 MiB. Saves
 * them in the cache folder, reloads and emits #PdHmsDatabase::changed. The
 * update succeeds when at least one model's texts arrived; otherwise the
 * texts in use stay as they were.
 */
void
pd_hms_database_update_async (PdHmsDatabase      *self,
                              const char *const  *models,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask)   task = NULL;
  g_autoptr (GString) base = NULL;
  const PdModelInfo  *all;
  const char         *languages[2];
  const char         *env;
  Update             *update;
  guint               n_all;

  g_return_if_fail (PD_IS_HMS_DATABASE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_hms_database_update_async);

  if (self->cache_dir == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("There is no folder to keep downloaded error descriptions in."));
      return;
    }

  env = g_getenv ("PRINTDECK_HMS_URL");
  base = g_string_new (env != NULL && *env != '\0' ? env : PD_HMS_DEFAULT_URL);
  g_string_append_c (base, strchr (base->str, '?') != NULL ? '&' : '?');

  update = g_new0 (Update, 1);
  update->task = task;
  update->timeout = self->timeout;
  update->context = g_main_context_ref_thread_default ();
  update->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) request_free);
  update->session = soup_session_new_with_options ("timeout", self->timeout,
                                                   "idle-timeout", self->timeout,
                                                   "max-conns-per-host", MAX_REQUESTS_IN_FLIGHT,
                                                   "user-agent", "Printdeck/" PACKAGE_VERSION " ",
                                                   NULL);
  update->all_models = models == NULL;
  g_task_set_task_data (task, update, (GDestroyNotify) update_free);

  languages[0] = "en";
  languages[1] = g_str_equal (self->user_language, "en") ? NULL : self->user_language;

  all = pd_model_get_all (&n_all);
  for (guint i = 0; i < n_all; i++)
    {
      const PdModelInfo *info = &all[i];

      if (info->serial_prefix == NULL || *info->serial_prefix == '\0')
        continue;
      if (models != NULL)
        {
          gboolean wanted = FALSE;

          for (guint j = 0; models[j] != NULL && !wanted; j++)
            wanted = pd_model_lookup (models[j]) == info;
          if (!wanted)
            continue;
        }

      for (guint j = 0; j < G_N_ELEMENTS (languages) && languages[j] != NULL; j++)
        {
          Request         *request = g_new0 (Request, 1);
          g_autofree char *lang = g_uri_escape_string (languages[j], NULL, FALSE);
          g_autofree char *prefix = g_uri_escape_string (info->serial_prefix, NULL, FALSE);

          request->update = update;
          request->language = g_strdup (languages[j]);
          request->model = g_strdup (info->id);
          request->url = g_strdup_printf ("%slang=%s&d=%s", base->str, lang, prefix);
          g_ptr_array_add (update->requests, request);
        }
    }

  if (update->requests->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("No printer model to fetch error descriptions for."));
      return;
    }

  update_pump (update);
}

/**
 * pd_hms_database_update_finish:
 * @self: a database
 * @result: the result given to the callback
 * @error: return location for an error, a sentence for people
 *
 * Returns: whether new texts were saved and are in use
 */
gboolean
pd_hms_database_update_finish (PdHmsDatabase *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (PD_IS_HMS_DATABASE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
