/* pd-debug-log.c — what a printer said and what we sent, for people to read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pd-debug-log.h"
#include "pd-json.h"

/* Bigger or deeper payloads are shown as text, not parsed: json-glib
 * recurses without a limit, and a debug log must survive what it logs. */
#define MAX_PARSE_SIZE  (1024 * 1024)
#define MAX_PARSE_DEPTH 64
#define MIN_SECRET_LEN  4

/* Redaction --------------------------------------------------------------------*/

static gboolean
is_secret_key (const char *name)
{
  static const char *const words[] = {
    "password", "passwd", "access_code", "accesscode", "access-code", "token", "secret", "credential",
    "authorization", "auth_key", "private_key",
  };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (lower, words[i]) != NULL)
      return TRUE;

  return FALSE;
}

/* Replaces @secret in @text; NULL when it is not there. */
static char *
replace_secret (const char *text,
                const char *secret)
{
  GString    *out;
  const char *p;
  const char *hit;
  gsize       length;

  if (secret == NULL || strlen (secret) < MIN_SECRET_LEN || text == NULL || strstr (text, secret) == NULL)
    return NULL;

  out = g_string_new (NULL);
  length = strlen (secret);
  for (p = text; (hit = strstr (p, secret)) != NULL; p = hit + length)
    {
      g_string_append_len (out, p, hit - p);
      g_string_append (out, PD_DEBUG_REDACTED);
    }
  g_string_append (out, p);

  return g_string_free (out, FALSE);
}

static gboolean
redact_node (JsonNode   *node,
             const char *secret,
             guint       depth)
{
  gboolean changed = FALSE;

  if (node == NULL || depth > MAX_PARSE_DEPTH)
    return FALSE;

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      GList      *members = json_object_get_members (object);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *name = l->data;
          JsonNode   *child = json_object_get_member (object, name);

          if (is_secret_key (name) && !(JSON_NODE_HOLDS_VALUE (child) &&
                                        json_node_get_value_type (child) == G_TYPE_STRING &&
                                        g_str_equal (json_node_get_string (child), PD_DEBUG_REDACTED)))
            {
              json_object_set_string_member (object, name, PD_DEBUG_REDACTED);
              changed = TRUE;
            }
          else
            changed |= redact_node (child, secret, depth + 1);
        }
      g_list_free (members);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        changed |= redact_node (json_array_get_element (array, i), secret, depth + 1);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autofree char *replaced = replace_secret (json_node_get_string (node), secret);

      if (replaced != NULL)
        {
          json_node_set_string (node, replaced);
          changed = TRUE;
        }
    }

  return changed;
}

/**
 * pd_debug_redact_json:
 * @node: a JSON tree, changed in place
 * @secret: (nullable): the access code, replaced wherever it appears
 */
void
pd_debug_redact_json (JsonNode   *node,
                      const char *secret)
{
  redact_node (node, secret, 0);
}

/* Messages ---------------------------------------------------------------------*/

struct _PdDebugMessage
{
  GObject            parent_instance;

  guint64            sequence;
  gint64             time;
  PdMessageDirection direction;
  char              *topic;
  gsize              size;
  char              *text;
  gboolean           is_json; /* text is a JSON document (checked at capture) */
  JsonNode          *json;    /* parsed again when asked for: a tree is ~20× its text */
  char              *summary;
};

G_DEFINE_FINAL_TYPE (PdDebugMessage, pd_debug_message, G_TYPE_OBJECT)

static void
pd_debug_message_finalize (GObject *object)
{
  PdDebugMessage *self = PD_DEBUG_MESSAGE (object);

  g_free (self->topic);
  g_free (self->text);
  g_clear_pointer (&self->json, json_node_unref);
  g_free (self->summary);

  G_OBJECT_CLASS (pd_debug_message_parent_class)->finalize (object);
}

static void
pd_debug_message_class_init (PdDebugMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pd_debug_message_finalize;
}

static void
pd_debug_message_init (PdDebugMessage *self)
{
}

/* "print.push_status · 14 fields": the family, its command, and how much
 * else the message carries. */
static char *
make_summary (JsonNode *json,
              gsize     size)
{
  JsonObject      *root;
  GList           *members;
  char            *summary = NULL;
  /* "15 bytes", "2.1 kB": a number inside _() would cut the string for
   * translators at its format macro */
  g_autofree char *size_text = g_format_size (size);

  if (json == NULL)
    return g_strdup_printf (_("not JSON · %s"), size_text);
  if (!JSON_NODE_HOLDS_OBJECT (json))
    return g_strdup_printf (_("JSON %s · %s"), json_node_type_name (json), size_text);

  root = json_node_get_object (json);
  members = json_object_get_members (root);
  for (GList *l = members; l != NULL && summary == NULL; l = l->next)
    {
      const char *family = l->data;
      JsonNode   *node = json_object_get_member (root, family);
      JsonObject *object;
      const char *command = NULL;
      guint       fields;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      object = json_node_get_object (node);
      if (json_object_has_member (object, "command") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "command")) &&
          json_node_get_value_type (json_object_get_member (object, "command")) == G_TYPE_STRING)
        command = json_object_get_string_member (object, "command");

      fields = json_object_get_size (object);
      if (command != NULL)
        fields--;
      if (json_object_has_member (object, "sequence_id"))
        fields--;

      if (command != NULL && fields > 1)
        summary = g_strdup_printf (ngettext ("%s.%s · %u field", "%s.%s · %u fields", fields), family, command, fields);
      else if (command != NULL)
        summary = g_strdup_printf ("%s.%s", family, command);
      else
        summary = g_strdup_printf (ngettext ("%s · %u field", "%s · %u fields", fields), family, fields);
    }
  g_list_free (members);

  if (summary == NULL)
    summary = g_strdup_printf (_("JSON object · %s"), size_text);

  return summary;
}

/* Text for people: valid UTF-8, whatever came. */
static char *
make_valid_text (const char *data,
                 gsize       length)
{
  return g_utf8_make_valid (data, (gssize) length);
}

/**
 * pd_debug_message_new:
 * @time_us: real time, µs since the epoch
 * @secret: (nullable): the access code, to redact
 *
 * Returns: (transfer full): the message, redacted
 */
/* The text as JSON, if it is, within the limits; NULL otherwise. */
static JsonNode *
parse_text (const char *text)
{
  g_autoptr (JsonParser) parser = NULL;
  gsize                  length = strlen (text);

  if (length == 0 || length > MAX_PARSE_SIZE || !pd_json_starts_with_container (text, length) ||
      !pd_json_depth_within (text, length, MAX_PARSE_DEPTH))
    return NULL;

  parser = json_parser_new (); /* mutable: redacted in place */
  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;

  return json_node_copy (json_parser_get_root (parser));
}

PdDebugMessage *
pd_debug_message_new (gint64             time_us,
                      PdMessageDirection direction,
                      const char        *topic,
                      GBytes            *payload,
                      const char        *secret)
{
  PdDebugMessage      *self = g_object_new (PD_TYPE_DEBUG_MESSAGE, NULL);
  gsize                length = 0;
  const char          *data = payload != NULL ? g_bytes_get_data (payload, &length) : NULL;
  g_autofree char     *text = make_valid_text (data != NULL ? data : "", length);
  g_autoptr (JsonNode) json = NULL;

  self->time = time_us;
  self->direction = direction;
  self->topic = g_strdup (topic != NULL ? topic : "");
  self->size = length;

  /* Parsed once here for the redaction and the summary, then let go: the
   * text stays (redacted), the tree is made again only for the message a
   * person opens. */
  json = parse_text (text);
  self->is_json = json != NULL;
  /* redacted, or on several lines (an export is one message a line):
   * written again, compact */
  if (json != NULL && (redact_node (json, secret, 0) || strpbrk (text, "\r\n") != NULL))
    self->text = pd_json_to_string (json, FALSE);
  else
    {
      self->text = replace_secret (text, secret);
      if (self->text == NULL)
        self->text = g_steal_pointer (&text);
    }
  self->summary = make_summary (json, length);

  return self;
}

guint64
pd_debug_message_get_sequence (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), 0);
  return self->sequence;
}

gint64
pd_debug_message_get_time (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), 0);
  return self->time;
}

PdMessageDirection
pd_debug_message_get_direction (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), PD_MESSAGE_INCOMING);
  return self->direction;
}

const char *
pd_debug_message_get_topic (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);
  return self->topic;
}

gsize
pd_debug_message_get_size (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), 0);
  return self->size;
}

const char *
pd_debug_message_get_text (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);
  return self->text;
}

/**
 * pd_debug_message_get_json:
 *
 * Returns: (transfer none) (nullable): the payload's JSON, redacted; do not
 *   change it (it is shared)
 */
JsonNode *
pd_debug_message_get_json (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);

  if (self->json == NULL && self->is_json)
    {
      self->json = parse_text (self->text);
      if (self->json != NULL)
        json_node_seal (self->json);
    }

  return self->json;
}

/* Lets go of the tree made for a person (the text stays). */
void
pd_debug_message_release_json (PdDebugMessage *self)
{
  g_return_if_fail (PD_IS_DEBUG_MESSAGE (self));
  g_clear_pointer (&self->json, json_node_unref);
}

char *
pd_debug_message_dup_pretty (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);

  if (pd_debug_message_get_json (self) != NULL)
    return pd_json_to_string (self->json, TRUE);
  return g_strdup (self->text);
}

const char *
pd_debug_message_get_summary (PdDebugMessage *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);
  return self->summary;
}

gboolean
pd_debug_message_matches (PdDebugMessage *self,
                          const char     *needle)
{
  g_autofree char *folded_needle = NULL;
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_topic = NULL;

  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), FALSE);

  if (needle == NULL || *needle == '\0')
    return TRUE;

  folded_needle = g_utf8_casefold (needle, -1);
  folded_topic = g_utf8_casefold (self->topic, -1);
  if (strstr (folded_topic, folded_needle) != NULL)
    return TRUE;
  folded_text = g_utf8_casefold (self->text, -1);

  return strstr (folded_text, folded_needle) != NULL;
}

char *
pd_debug_message_to_line (PdDebugMessage *self)
{
  g_autoptr (GDateTime) time = NULL;
  g_autofree char      *seconds = NULL;
  g_autofree char      *topic = NULL;
  g_autofree char      *payload = NULL;
  g_autoptr (JsonNode)  topic_node = json_node_new (JSON_NODE_VALUE);
  g_autoptr (JsonNode)  text_node = NULL;

  g_return_val_if_fail (PD_IS_DEBUG_MESSAGE (self), NULL);

  time = g_date_time_new_from_unix_utc (self->time / G_USEC_PER_SEC);
  seconds = time != NULL ? g_date_time_format (time, "%Y-%m-%dT%H:%M:%S") : g_strdup ("1970-01-01T00:00:00");

  json_node_set_string (topic_node, self->topic);
  topic = pd_json_to_string (topic_node, FALSE);
  /* A JSON payload goes in as it is (a compact document, already
   * redacted): no tree is built, on whatever thread this runs. */
  if (self->is_json)
    payload = g_strdup (self->text);
  else
    {
      text_node = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (text_node, self->text);
      payload = pd_json_to_string (text_node, FALSE);
    }

  return g_strdup_printf ("{\"time\":\"%s.%03dZ\",\"direction\":\"%s\",\"topic\":%s,\"size\":%" G_GSIZE_FORMAT
                          ",\"payload\":%s}",
                          seconds, (int) ((self->time % G_USEC_PER_SEC) / 1000),
                          self->direction == PD_MESSAGE_INCOMING ? "in" : "out", topic, self->size, payload);
}

/* The log ----------------------------------------------------------------------*/

struct _PdDebugLog
{
  GObject     parent_instance;

  PdSession  *session;
  gulong      handler;   /* connected only while capturing */
  char       *secret;
  guint       capacity;
  /* a ring: count messages from head, oldest first, in alloc slots */
  PdDebugMessage **ring;
  guint            alloc;
  guint            head;
  guint            count;
  guint64     next_sequence;
  guint64     n_dropped;
};

enum {
  PROP_0,
  PROP_CAPTURING,
  PROP_CAPACITY,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pd_debug_log_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PdDebugLog, pd_debug_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pd_debug_log_model_init))

static GType
pd_debug_log_get_item_type (GListModel *model)
{
  return PD_TYPE_DEBUG_MESSAGE;
}

static guint
pd_debug_log_get_n_items (GListModel *model)
{
  return PD_DEBUG_LOG (model)->count;
}

static PdDebugMessage *
nth (PdDebugLog *self,
     guint       position)
{
  return self->ring[(self->head + position) % self->alloc];
}

static gpointer
pd_debug_log_get_item (GListModel *model,
                       guint       position)
{
  PdDebugLog *self = PD_DEBUG_LOG (model);

  return position < self->count ? g_object_ref (nth (self, position)) : NULL;
}

static void
pd_debug_log_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pd_debug_log_get_item_type;
  iface->get_n_items = pd_debug_log_get_n_items;
  iface->get_item = pd_debug_log_get_item;
}

/* Drops the oldest until at most @keep are left; returns how many went. */
static guint
trim (PdDebugLog *self,
      guint       keep)
{
  guint removed = 0;

  while (self->count > keep)
    {
      g_clear_object (&self->ring[self->head]);
      self->head = (self->head + 1) % self->alloc;
      self->count--;
      removed++;
    }

  return removed;
}

/* Room for @capacity, oldest first from slot 0 (after a trim to it). */
static void
resize_ring (PdDebugLog *self,
             guint       capacity)
{
  PdDebugMessage **ring = g_new0 (PdDebugMessage *, capacity);

  for (guint i = 0; i < self->count; i++)
    ring[i] = nth (self, i);
  g_free (self->ring);
  self->ring = ring;
  self->alloc = capacity;
  self->head = 0;
}

void
pd_debug_log_add (PdDebugLog        *self,
                  PdMessageDirection direction,
                  const char        *topic,
                  GBytes            *payload)
{
  PdDebugMessage *message;
  guint           removed;

  g_return_if_fail (PD_IS_DEBUG_LOG (self));

  message = pd_debug_message_new (g_get_real_time (), direction, topic, payload, self->secret);
  message->sequence = ++self->next_sequence;

  /* The oldest go first, and the model says so before the new one comes:
   * at each signal its items are what the signal says. */
  removed = trim (self, self->capacity - 1);
  if (removed > 0)
    {
      self->n_dropped += removed;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }
  /* the ring grows to the capacity as messages come, not before */
  if (self->count == self->alloc)
    resize_ring (self, MIN (self->capacity, MAX (16, self->alloc * 2)));
  self->ring[(self->head + self->count) % self->alloc] = message;
  self->count++;
  g_list_model_items_changed (G_LIST_MODEL (self), self->count - 1, 0, 1);
}

static void
on_session_message (PdSession         *session,
                    PdMessageDirection direction,
                    const char        *topic,
                    GBytes            *payload,
                    PdDebugLog        *self)
{
  pd_debug_log_add (self, direction, topic, payload);
}

static void
pd_debug_log_dispose (GObject *object)
{
  PdDebugLog *self = PD_DEBUG_LOG (object);

  if (self->session != NULL && self->handler != 0)
    g_clear_signal_handler (&self->handler, self->session);
  g_clear_object (&self->session);
  if (self->ring != NULL)
    {
      trim (self, 0);
      g_clear_pointer (&self->ring, g_free);
      self->alloc = 0;
    }

  G_OBJECT_CLASS (pd_debug_log_parent_class)->dispose (object);
}

static void
pd_debug_log_finalize (GObject *object)
{
  PdDebugLog *self = PD_DEBUG_LOG (object);

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);

  G_OBJECT_CLASS (pd_debug_log_parent_class)->finalize (object);
}

static void
pd_debug_log_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PdDebugLog *self = PD_DEBUG_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPTURING:
      g_value_set_boolean (value, self->handler != 0);
      break;
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_log_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PdDebugLog *self = PD_DEBUG_LOG (object);

  switch (prop_id)
    {
    case PROP_CAPTURING:
      if (g_value_get_boolean (value))
        pd_debug_log_start (self);
      else
        pd_debug_log_stop (self);
      break;
    case PROP_CAPACITY:
      pd_debug_log_set_capacity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_debug_log_class_init (PdDebugLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_debug_log_dispose;
  object_class->finalize = pd_debug_log_finalize;
  object_class->get_property = pd_debug_log_get_property;
  object_class->set_property = pd_debug_log_set_property;

  properties[PROP_CAPTURING] = g_param_spec_boolean ("capturing", NULL, NULL, FALSE, rw);
  properties[PROP_CAPACITY] = g_param_spec_uint ("capacity", NULL, NULL, 1, 1000000, PD_DEBUG_LOG_DEFAULT_CAPACITY, rw);
  properties[PROP_N_DROPPED] =
    g_param_spec_uint64 ("n-dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_debug_log_init (PdDebugLog *self)
{
  self->capacity = PD_DEBUG_LOG_DEFAULT_CAPACITY;
}

/**
 * pd_debug_log_new:
 * @session: (nullable): the session to capture; NULL for a log fed with
 *   pd_debug_log_add() only
 */
PdDebugLog *
pd_debug_log_new (PdSession *session)
{
  PdDebugLog *self;

  g_return_val_if_fail (session == NULL || PD_IS_SESSION (session), NULL);

  self = g_object_new (PD_TYPE_DEBUG_LOG, NULL);
  self->session = session != NULL ? g_object_ref (session) : NULL;

  return self;
}

PdSession *
pd_debug_log_get_session (PdDebugLog *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_LOG (self), NULL);
  return self->session;
}

void
pd_debug_log_start (PdDebugLog *self)
{
  g_return_if_fail (PD_IS_DEBUG_LOG (self));

  if (self->handler != 0 || self->session == NULL)
    return;
  self->handler = g_signal_connect (self->session, "message", G_CALLBACK (on_session_message), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURING]);
}

void
pd_debug_log_stop (PdDebugLog *self)
{
  g_return_if_fail (PD_IS_DEBUG_LOG (self));

  if (self->handler == 0)
    return;
  g_clear_signal_handler (&self->handler, self->session);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURING]);
}

gboolean
pd_debug_log_get_capturing (PdDebugLog *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_LOG (self), FALSE);
  return self->handler != 0;
}

void
pd_debug_log_clear (PdDebugLog *self)
{
  guint removed;

  g_return_if_fail (PD_IS_DEBUG_LOG (self));

  removed = self->alloc > 0 ? trim (self, 0) : 0;
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  if (self->n_dropped != 0)
    {
      self->n_dropped = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }
}

void
pd_debug_log_set_capacity (PdDebugLog *self,
                           guint       capacity)
{
  guint removed;

  g_return_if_fail (PD_IS_DEBUG_LOG (self));
  g_return_if_fail (capacity > 0);

  if (self->capacity == capacity)
    return;
  self->capacity = capacity;
  removed = self->alloc > 0 ? trim (self, capacity) : 0;
  if (self->alloc > capacity)
    resize_ring (self, capacity);
  if (removed > 0)
    {
      self->n_dropped += removed;
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
}

guint
pd_debug_log_get_capacity (PdDebugLog *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_LOG (self), 0);
  return self->capacity;
}

guint64
pd_debug_log_get_n_dropped (PdDebugLog *self)
{
  g_return_val_if_fail (PD_IS_DEBUG_LOG (self), 0);
  return self->n_dropped;
}

void
pd_debug_log_set_secret (PdDebugLog *self,
                         const char *secret)
{
  g_return_if_fail (PD_IS_DEBUG_LOG (self));

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);
  self->secret = g_strdup (secret);
}

/* Export ---------------------------------------------------------------------*/

static void
export_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GPtrArray                    *messages = task_data;
  GFile              *file = g_object_get_data (G_OBJECT (task), "pd-file");
  g_autoptr (GError)  error = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char    *path = g_file_get_path (file);
  gboolean            ok;

  for (guint i = 0; i < messages->len; i++)
    {
      g_autofree char *line = pd_debug_message_to_line (g_ptr_array_index (messages, i));

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }

  /* Written to a temporary file and renamed, so a failed export leaves the
   * old file as it was. Not g_file_replace_contents() for a local file:
   * GLib 2.74 renames its temporary file over the old one even when the
   * write failed, so a full disk turned the last export into an empty file
   * (tests/faults, /faults/disk-full-snapshot). */
  if (path != NULL)
    ok = g_file_set_contents_full (path, text->str, (gssize) text->len, G_FILE_SET_CONTENTS_CONSISTENT, 0666,
                                   &error);
  else
    ok = g_file_replace_contents (file, text->str, text->len, NULL, FALSE, G_FILE_CREATE_NONE, NULL, cancellable,
                                  &error);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
pd_debug_log_export_async (PdDebugLog         *self,
                           GFile              *file,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  GPtrArray        *messages;

  g_return_if_fail (PD_IS_DEBUG_LOG (self));
  g_return_if_fail (G_IS_FILE (file));

  /* The messages are immutable: the worker reads the ones there now. */
  messages = g_ptr_array_new_full (self->count, g_object_unref);
  for (guint i = 0; i < self->count; i++)
    g_ptr_array_add (messages, g_object_ref (nth (self, i)));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_debug_log_export_async);
  g_task_set_task_data (task, messages, (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (task), "pd-file", g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, export_in_thread);
}

gboolean
pd_debug_log_export_finish (PdDebugLog   *self,
                            GAsyncResult *result,
                            GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
