/* pd-json.c — JSON text the way people and browsers like to read it
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 writes doubles with 17 significant digits (26.2 becomes
 * 26.199999999999999) and puts a space before colons. This writer prints the
 * shortest text that reads back as the same double, and "key": value.
 */

#define G_LOG_DOMAIN "pd-json"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pd-json.h"

static void
append_string (GString    *out,
               const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_double (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  /* The shortest of %.15g … %.17g that reads back exactly. */
  for (int digits = 15; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, value);
      if (g_ascii_strtod (buf, NULL) == value)
        break;
    }

  g_string_append (out, buf);
  /* Keep doubles recognisable as such: 40 → 40.0 */
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

static void
newline (GString *out,
         gboolean pretty,
         guint    depth)
{
  if (!pretty)
    return;

  g_string_append_c (out, '\n');
  for (guint i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

static void
append_node (GString  *out,
             JsonNode *node,
             gboolean  pretty,
             guint     depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject       *obj = json_node_get_object (node);
        g_autoptr (GList) members = json_object_get_members (obj);

        if (members == NULL)
          {
            g_string_append (out, "{}");
            break;
          }
        g_string_append_c (out, '{');
        for (const GList *l = members; l != NULL; l = l->next)
          {
            newline (out, pretty, depth + 1);
            append_string (out, l->data);
            g_string_append (out, pretty ? ": " : ":");
            append_node (out, json_object_get_member (obj, l->data), pretty, depth + 1);
            if (l->next != NULL)
              g_string_append_c (out, ',');
          }
        newline (out, pretty, depth);
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint      n = json_array_get_length (array);

        if (n == 0)
          {
            g_string_append (out, "[]");
            break;
          }
        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            newline (out, pretty, depth + 1);
            append_node (out, json_array_get_element (array, i), pretty, depth + 1);
            if (i + 1 < n)
              g_string_append_c (out, ',');
          }
        newline (out, pretty, depth);
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          append_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_STRING:
          append_string (out, json_node_get_string (node));
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

/**
 * pd_json_to_string:
 * @node: a JSON node
 * @pretty: indent with two spaces, one member per line
 *
 * Returns: (transfer full): @node as JSON text
 */
char *
pd_json_to_string (JsonNode *node,
                   gboolean  pretty)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (node != NULL, NULL);

  append_node (out, node, pretty, 0);

  return g_string_free (out, FALSE);
}

/* Checks that the text nests no deeper than @max_depth before json-glib,
 * which recurses without a limit, reads it. The reports in it are checked
 * again, with all the report limits, by pd_report_parse().
 */
/**
 * pd_json_starts_with_container:
 * @data: JSON text
 * @length: its length in bytes
 *
 * Returns: %TRUE if the text's first value is an object or an array
 */
gboolean
pd_json_starts_with_container (const char *data,
                               gsize       length)
{
  gsize i = 0;

  /* a byte order mark, which json-glib skips */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
    i++;

  return i < length && (data[i] == '{' || data[i] == '[');
}

gboolean
pd_json_depth_within (const char *data,
                      gsize       length,
                      guint       max_depth)
{
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      switch (data[i])
        {
        case '"':
          for (i++; i < length && data[i] != '"'; i++)
            if (data[i] == '\\')
              i++;
          break;
        case '{':
        case '[':
          if (++depth > max_depth)
            return FALSE;
          break;
        case '}':
        case ']':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }

  return TRUE;
}

/* JSON Merge Patch ------------------------------------------------------------*/

/**
 * pd_json_merge_diff:
 * @from: (nullable): a document
 * @to: the document it became
 *
 * The JSON Merge Patch (RFC 7386) that turns @from into @to: objects member
 * by member, anything else whole; a member @to no longer has is %null.
 *
 * Returns: (transfer full) (nullable): the patch, or %NULL when the two are
 *   equal
 */
JsonNode *
pd_json_merge_diff (JsonNode *from,
                    JsonNode *to)
{
  g_autoptr (JsonObject) patch = NULL;
  JsonObject            *a, *b;
  JsonObjectIter         iter;
  const char            *name;
  JsonNode              *member;

  g_return_val_if_fail (to != NULL, NULL);

  if (from == NULL || !JSON_NODE_HOLDS_OBJECT (from) || !JSON_NODE_HOLDS_OBJECT (to))
    return from != NULL && json_node_equal (from, to) ? NULL : json_node_copy (to);

  a = json_node_get_object (from);
  b = json_node_get_object (to);
  patch = json_object_new ();

  json_object_iter_init (&iter, b);
  while (json_object_iter_next (&iter, &name, &member))
    {
      JsonNode *old = json_object_get_member (a, name);
      JsonNode *change;

      if (old == NULL)
        change = json_node_copy (member);
      else if (JSON_NODE_HOLDS_OBJECT (old) && JSON_NODE_HOLDS_OBJECT (member))
        change = pd_json_merge_diff (old, member);
      else
        change = json_node_equal (old, member) ? NULL : json_node_copy (member);

      if (change != NULL)
        json_object_set_member (patch, name, change);
    }

  json_object_iter_init (&iter, a);
  while (json_object_iter_next (&iter, &name, &member))
    if (!json_object_has_member (b, name))
      json_object_set_null_member (patch, name);

  if (json_object_get_size (patch) == 0)
    return NULL;

  return json_node_init_object (json_node_alloc (), patch);
}

/**
 * pd_json_merge_apply:
 * @target: (nullable): a document
 * @patch: a JSON Merge Patch
 *
 * Applies @patch as RFC 7386 says: an object patches @target member by
 * member (%null removes one), anything else replaces it.
 *
 * Returns: (transfer full): the patched document; @target is not changed
 */
JsonNode *
pd_json_merge_apply (JsonNode *target,
                     JsonNode *patch)
{
  g_autoptr (JsonObject) result = json_object_new ();
  JsonObjectIter         iter;
  const char            *name;
  JsonNode              *member;

  g_return_val_if_fail (patch != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (patch))
    return json_node_copy (patch);

  if (target != NULL && JSON_NODE_HOLDS_OBJECT (target))
    {
      json_object_iter_init (&iter, json_node_get_object (target));
      while (json_object_iter_next (&iter, &name, &member))
        json_object_set_member (result, name, json_node_copy (member));
    }

  json_object_iter_init (&iter, json_node_get_object (patch));
  while (json_object_iter_next (&iter, &name, &member))
    {
      if (JSON_NODE_HOLDS_NULL (member))
        json_object_remove_member (result, name);
      else
        json_object_set_member (result, name,
                                pd_json_merge_apply (json_object_get_member (result, name), member));
    }

  return json_node_init_object (json_node_alloc (), result);
}
