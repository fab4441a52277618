/* pd-debug-log.h — what a printer said and what we sent, for people to read
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PdDebugLog captures every message of one printer's session, in and out,
 * while it is started: a bounded ring (the oldest go first), as a GListModel
 * of PdDebugMessage in arrival order (newest last). While stopped it is not
 * even connected to the session, so capturing costs nothing. Secrets never
 * enter it: values of password/access-code/token-like keys, and the access
 * code wherever it appears, are replaced by "[redacted]" when a message is
 * captured — the window, the export and the CLI see the same redacted text.
 *
 * The export is JSON lines, one message per line:
 *   {"time":"2026-11-26T04:12:06.123Z","direction":"in","topic":"device/S/report","size":1234,"payload":{…}}
 * ("payload" is the JSON, or a string when the message was not JSON), which
 * `printdeck-cli inspect` reads back (incoming messages only).
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pd-session.h"
#include "pd-types.h"

G_BEGIN_DECLS

#define PD_DEBUG_LOG_DEFAULT_CAPACITY 2000
#define PD_DEBUG_REDACTED             "[redacted]"

#define PD_TYPE_DEBUG_MESSAGE (pd_debug_message_get_type ())

G_DECLARE_FINAL_TYPE (PdDebugMessage, pd_debug_message, PD, DEBUG_MESSAGE, GObject)

PdDebugMessage    *pd_debug_message_new           (gint64              time_us,
                                                   PdMessageDirection  direction,
                                                   const char         *topic,
                                                   GBytes             *payload,
                                                   const char         *secret);
guint64            pd_debug_message_get_sequence  (PdDebugMessage     *self);
gint64             pd_debug_message_get_time      (PdDebugMessage     *self); /* real time, µs */
PdMessageDirection pd_debug_message_get_direction (PdDebugMessage     *self);
const char        *pd_debug_message_get_topic     (PdDebugMessage     *self);
gsize              pd_debug_message_get_size      (PdDebugMessage     *self); /* bytes as sent */
/* The payload as text (redacted, valid UTF-8). */
const char        *pd_debug_message_get_text      (PdDebugMessage     *self);
/* The payload as JSON (redacted), NULL when it is not JSON; parsed from
 * the text when first asked for and kept until released (main thread). */
JsonNode          *pd_debug_message_get_json      (PdDebugMessage     *self);
void               pd_debug_message_release_json  (PdDebugMessage     *self);
/* Pretty-printed JSON, or the text when it is not JSON. */
char              *pd_debug_message_dup_pretty    (PdDebugMessage     *self);
/* "print.push_status · 14 fields", "pushing.pushall", "not JSON · 12 bytes" */
const char        *pd_debug_message_get_summary   (PdDebugMessage     *self);
/* Whether @needle (case-insensitive) is in the topic or the payload text. */
gboolean           pd_debug_message_matches       (PdDebugMessage     *self,
                                                   const char         *needle);
/* One export line, without the newline. */
char              *pd_debug_message_to_line       (PdDebugMessage     *self);

#define PD_TYPE_DEBUG_LOG (pd_debug_log_get_type ())

G_DECLARE_FINAL_TYPE (PdDebugLog, pd_debug_log, PD, DEBUG_LOG, GObject)

PdDebugLog *pd_debug_log_new           (PdSession    *session);
PdSession  *pd_debug_log_get_session   (PdDebugLog   *self);
void        pd_debug_log_start         (PdDebugLog   *self);
void        pd_debug_log_stop          (PdDebugLog   *self);
gboolean    pd_debug_log_get_capturing (PdDebugLog   *self);
void        pd_debug_log_clear         (PdDebugLog   *self);
void        pd_debug_log_set_capacity  (PdDebugLog   *self,
                                        guint         capacity);
guint       pd_debug_log_get_capacity  (PdDebugLog   *self);
/* Messages that fell out of the ring since the last clear. */
guint64     pd_debug_log_get_n_dropped (PdDebugLog   *self);
/* The access code: redacted wherever it appears. */
void        pd_debug_log_set_secret    (PdDebugLog   *self,
                                        const char   *secret);
/* Adds a message as if the session had said it (the session's handler). */
void        pd_debug_log_add           (PdDebugLog        *self,
                                        PdMessageDirection direction,
                                        const char        *topic,
                                        GBytes            *payload);

/* Writes the messages captured so far as JSON lines (on a worker). */
void        pd_debug_log_export_async  (PdDebugLog         *self,
                                        GFile              *file,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean    pd_debug_log_export_finish (PdDebugLog   *self,
                                        GAsyncResult *result,
                                        GError      **error);

/* Replaces secret values in @node, in place (see the top of this file). */
void        pd_debug_redact_json       (JsonNode     *node,
                                        const char   *secret);

/* Properties: "capturing" (gboolean), "capacity" (guint), "n-dropped" (guint64).
 * GListModel: items-changed when messages come and old ones go. */

G_END_DECLS
