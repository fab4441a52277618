/* pd-secrets.h — access codes in the keyring, and nowhere else
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsecret, schema "io.github.printdeck.Printdeck.AccessCode" with the
 * attribute "serial"; the mirror's access token under a schema of its own,
 * "io.github.printdeck.Printdeck.MirrorToken" with kind=mirror-token.
 * Inside Flatpak libsecret uses the Secret portal by itself. There is no
 * fallback to a file: a locked or missing keyring is an error the user is
 * told about and can retry.
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define PD_SECRETS_ERROR (pd_secrets_error_quark ())

typedef enum
{
  PD_SECRETS_ERROR_UNAVAILABLE, /* no Secret Service (no keyring daemon, no portal) */
  PD_SECRETS_ERROR_LOCKED,      /* the keyring is locked and the user did not unlock it */
  PD_SECRETS_ERROR_FAILED,
} PdSecretsError;

GQuark              pd_secrets_error_quark (void);
void                pd_secrets_set_memory_only (gboolean memory_only);

const SecretSchema *pd_secrets_get_schema (void);
void                pd_secrets_code_free (char *access_code);

void                pd_secrets_store_async (const char         *serial,
                                            const char         *access_code,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean            pd_secrets_store_finish (GAsyncResult *result,
                                             GError      **error);
void                pd_secrets_lookup_async (const char         *serial,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
char               *pd_secrets_lookup_finish (GAsyncResult *result,
                                              GError      **error);
void                pd_secrets_clear_async (const char         *serial,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean            pd_secrets_clear_finish (GAsyncResult *result,
                                             GError      **error);

/* The mirror's access token (free it with pd_secrets_code_free()). */
const SecretSchema *pd_secrets_get_mirror_token_schema (void);
void                pd_secrets_lookup_mirror_token_async (GCancellable       *cancellable,
                                                          GAsyncReadyCallback callback,
                                                          gpointer            user_data);
char               *pd_secrets_lookup_mirror_token_finish (GAsyncResult *result,
                                                           GError      **error);
void                pd_secrets_store_mirror_token_async (const char         *token,
                                                         GCancellable       *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer            user_data);
gboolean            pd_secrets_store_mirror_token_finish (GAsyncResult *result,
                                                          GError      **error);
void                pd_secrets_regenerate_mirror_token_async (GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
char               *pd_secrets_regenerate_mirror_token_finish (GAsyncResult *result,
                                                               GError      **error);

G_END_DECLS
