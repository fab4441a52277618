/* pd-sim-crypto.h — throw-away certificates and password hashes for printdeck-sim
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-sim-types.h"

G_BEGIN_DECLS

typedef struct _PdSimCa PdSimCa;

/* A certificate and its private key, both PEM, plus the SHA-256 fingerprint
 * of the certificate's DER as "AB:CD:…".
 */
typedef struct
{
  char *cert_pem;
  char *key_pem;
  char *fingerprint;
} PdSimCert;

PdSimCa    *pd_sim_ca_new (PdSimKeyType key_type,
                           const char  *common_name,
                           GError     **error);
void        pd_sim_ca_free (PdSimCa *ca);
const char *pd_sim_ca_get_pem (PdSimCa *ca);
double      pd_sim_ca_get_seconds (PdSimCa *ca);
PdSimCert  *pd_sim_ca_issue (PdSimCa    *ca,
                             const char *common_name,
                             GError    **error);

void        pd_sim_cert_free (PdSimCert *cert);

char       *pd_sim_password_line (const char *user,
                                  const char *password,
                                  GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdSimCa, pd_sim_ca_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdSimCert, pd_sim_cert_free)

G_END_DECLS
