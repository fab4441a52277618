/* pd-mirror-ws.h — what a mirror client sends, read without any socket
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mirror's WebSocket frames from a client (RFC 6455: masked, no
 * extensions) and the one message a client may send, kept apart from the
 * connections so that they can be fuzzed (tests/fuzz/fuzz-mirror-client.c)
 * and reasoned about alone. Private to the core.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PD_WS_MORE,    /* no whole frame yet: read more */
  PD_WS_MESSAGE, /* a whole text message (fragments joined) in *payload */
  PD_WS_PING,    /* *payload is the ping's, to send back in a pong */
  PD_WS_PONG,
  PD_WS_CLOSE,   /* the client closes */
  PD_WS_FAIL,    /* close with *close_code and *reason, dropping what is queued */
  PD_WS_REFUSE,  /* close with *close_code and *reason after what is queued */
} PdWsEvent;

typedef struct
{
  GByteArray *input;   /* bytes read, not parsed yet */
  GByteArray *message; /* a fragmented text message so far */
  gsize       max_message;
} PdWsReader;

void      pd_ws_reader_init (PdWsReader *reader,
                             gsize       max_message);
void      pd_ws_reader_clear (PdWsReader *reader);
void      pd_ws_reader_feed (PdWsReader   *reader,
                             const guint8 *data,
                             gsize         length);
/* The next event from what was fed; call until PD_WS_MORE, or until it
 * says to close. */
PdWsEvent pd_ws_reader_next (PdWsReader  *reader,
                             GBytes     **payload,
                             guint16     *close_code,
                             const char **reason);

/* A client's text message: only {"type":"ping"} is known. FALSE with the
 * close reason for anything else. */
gboolean  pd_mirror_client_message_is_ping (const guint8 *data,
                                            gsize         length,
                                            const char  **reason);

G_END_DECLS
