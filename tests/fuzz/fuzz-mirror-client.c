/* fuzz-mirror-client.c — libFuzzer: what a mirror client sends
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With the mirror on, anyone on the LAN can open a WebSocket to it (before
 * and after the token). Each input is fed to the client reader in pieces
 * of varying size, as reads come, and every whole message is handled as
 * the server handles it, until the reader says to close.
 */

#include "config.h"

#include <stdint.h>

#include "pd-mirror-server.h"
#include "pd-mirror-ws.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PdWsReader reader;
  size_t     offset = 0;
  gboolean   open = TRUE;

  pd_ws_reader_init (&reader, PD_MIRROR_MAX_CLIENT_MESSAGE);
  /* the first byte picks the read size (1 to 256), the rest is the stream */
  while (open && offset < size)
    {
      size_t chunk = size > 0 ? (size_t) data[0] + 1 : 1;

      chunk = MIN (chunk, size - offset);
      pd_ws_reader_feed (&reader, data + offset, chunk);
      offset += chunk;

      for (;;)
        {
          g_autoptr (GBytes) payload = NULL;
          guint16            code;
          const char        *reason;
          PdWsEvent          event = pd_ws_reader_next (&reader, &payload, &code, &reason);

          if (event == PD_WS_MORE)
            break;
          if (event == PD_WS_MESSAGE)
            {
              gsize         length;
              const guint8 *text = g_bytes_get_data (payload, &length);

              g_assert (length <= PD_MIRROR_MAX_CLIENT_MESSAGE);
              if (!pd_mirror_client_message_is_ping (text, length, &reason))
                g_assert (reason != NULL);
              continue;
            }
          if (event == PD_WS_PING)
            {
              g_assert (g_bytes_get_size (payload) <= 125);
              continue;
            }
          if (event == PD_WS_PONG)
            continue;
          if (event == PD_WS_FAIL || event == PD_WS_REFUSE)
            g_assert (code >= 1000 && reason != NULL);
          open = FALSE;
          break;
        }
    }
  pd_ws_reader_clear (&reader);
  return 0;
}
