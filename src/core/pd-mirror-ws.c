/* pd-mirror-ws.c — what a mirror client sends, read without any socket
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-mirror"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pd-json.h"
#include "pd-mirror-ws.h"

enum
{
  OP_CONTINUATION = 0x0,
  OP_TEXT = 0x1,
  OP_BINARY = 0x2,
  OP_CLOSE = 0x8,
  OP_PING = 0x9,
  OP_PONG = 0xA,
};

enum
{
  CLOSE_PROTOCOL_ERROR = 1002,
  CLOSE_UNSUPPORTED = 1003,
  CLOSE_TOO_BIG = 1009,
};

void
pd_ws_reader_init (PdWsReader *reader,
                   gsize       max_message)
{
  reader->input = g_byte_array_new ();
  reader->message = g_byte_array_new ();
  reader->max_message = max_message;
}

void
pd_ws_reader_clear (PdWsReader *reader)
{
  g_clear_pointer (&reader->input, g_byte_array_unref);
  g_clear_pointer (&reader->message, g_byte_array_unref);
}

void
pd_ws_reader_feed (PdWsReader   *reader,
                   const guint8 *data,
                   gsize         length)
{
  g_byte_array_append (reader->input, data, (guint) length);
}

static PdWsEvent
fail (guint16     *close_code,
      const char **reason,
      guint16      code,
      const char  *why)
{
  *close_code = code;
  *reason = why;
  return PD_WS_FAIL;
}

/* Reads one frame from the input; PD_WS_MORE also for a fragment that
 * leaves its message unfinished (@more_frames then says to go on). */
static PdWsEvent
next_frame (PdWsReader  *reader,
            GBytes     **payload,
            guint16     *close_code,
            const char **reason,
            gboolean    *more_frames)
{
  const guint8 *p = reader->input->data;
  gsize         have = reader->input->len;
  gsize         header = 2, length;
  guint8        opcode, mask[4];
  gboolean      fin;
  guint8       *unmasked;

  *more_frames = FALSE;
  if (have < 2)
    return PD_WS_MORE;

  fin = (p[0] & 0x80) != 0;
  opcode = p[0] & 0x0F;
  /* Reserved bits (no extension was agreed), or unmasked */
  if ((p[0] & 0x70) != 0 || (p[1] & 0x80) == 0)
    return fail (close_code, reason, CLOSE_PROTOCOL_ERROR, "bad frame");

  length = p[1] & 0x7F;
  if (length == 126)
    {
      if (have < 4)
        return PD_WS_MORE;
      length = ((gsize) p[2] << 8) | p[3];
      header = 4;
    }
  else if (length == 127)
    /* Never needed for what a client may send. */
    return fail (close_code, reason, CLOSE_TOO_BIG, "message too big");

  if (length > reader->max_message || reader->message->len + length > reader->max_message)
    return fail (close_code, reason, CLOSE_TOO_BIG, "message too big");
  /* Control frames are short and whole (RFC 6455 §5.5). */
  if ((opcode & 0x8) != 0 && (length > 125 || !fin))
    return fail (close_code, reason, CLOSE_PROTOCOL_ERROR, "bad control frame");
  if (have < header + 4 + length)
    return PD_WS_MORE;

  memcpy (mask, p + header, 4);
  header += 4;
  unmasked = g_malloc (length + 1);
  for (gsize i = 0; i < length; i++)
    unmasked[i] = p[header + i] ^ mask[i % 4];
  unmasked[length] = 0;
  g_byte_array_remove_range (reader->input, 0, (guint) (header + length));

  switch (opcode)
    {
    case OP_TEXT:
    case OP_CONTINUATION:
      if ((opcode == OP_TEXT) != (reader->message->len == 0))
        {
          g_free (unmasked);
          return fail (close_code, reason, CLOSE_PROTOCOL_ERROR, "bad fragment");
        }
      g_byte_array_append (reader->message, unmasked, (guint) length);
      g_free (unmasked);
      if (!fin)
        {
          *more_frames = TRUE;
          return PD_WS_MORE;
        }
      *payload = g_bytes_new (reader->message->data, reader->message->len);
      g_byte_array_set_size (reader->message, 0);
      return PD_WS_MESSAGE;

    case OP_BINARY:
      g_free (unmasked);
      *close_code = CLOSE_UNSUPPORTED;
      *reason = "binary messages are not understood";
      return PD_WS_REFUSE;

    case OP_PING:
      *payload = g_bytes_new_take (unmasked, length);
      return PD_WS_PING;

    case OP_PONG:
      g_free (unmasked);
      return PD_WS_PONG;

    case OP_CLOSE:
      g_free (unmasked);
      return PD_WS_CLOSE;

    default:
      g_free (unmasked);
      return fail (close_code, reason, CLOSE_PROTOCOL_ERROR, "unknown opcode");
    }
}

PdWsEvent
pd_ws_reader_next (PdWsReader  *reader,
                   GBytes     **payload,
                   guint16     *close_code,
                   const char **reason)
{
  gboolean  more_frames;
  PdWsEvent event;

  *payload = NULL;
  *close_code = 0;
  *reason = NULL;

  do
    event = next_frame (reader, payload, close_code, reason, &more_frames);
  while (event == PD_WS_MORE && more_frames);

  return event;
}

gboolean
pd_mirror_client_message_is_ping (const guint8 *data,
                                  gsize         length,
                                  const char  **reason)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode              *root;

  if (!g_utf8_validate ((const char *) data, (gssize) length, NULL) ||
      !pd_json_starts_with_container ((const char *) data, length) ||
      !pd_json_depth_within ((const char *) data, length, 8) ||
      !json_parser_load_from_data (parser, (const char *) data, (gssize) length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *reason = "not a JSON object";
      return FALSE;
    }

  if (g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (root), "type", NULL), "ping") != 0)
    {
      *reason = "unknown message";
      return FALSE;
    }

  return TRUE;
}
