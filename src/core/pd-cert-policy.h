/* pd-cert-policy.h — one rule for trusting a printer's certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every connection to a printer (MQTT 8883, RTSPS 322, JPEG 6000, FTPS 990)
 * asks this: accept the certificate if it chains to the Bambu CAs and its
 * CN is the printer's serial; otherwise accept it only if its SHA-256
 * fingerprint is the one pinned for the printer (the first use pins it);
 * otherwise refuse, saying why. A caller that does not know the serial
 * passes %NULL, and then only the pin vouches for a certificate.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  PD_CERT_TRUSTED,      /* chains to a Bambu CA and names the serial */
  PD_CERT_PINNED,       /* the pinned certificate */
  PD_CERT_FIRST_USE,    /* not verifiable and nothing pinned yet: pin it now */
  PD_CERT_CHANGED,      /* not the pinned certificate: refused */
  PD_CERT_WRONG_SERIAL, /* a Bambu certificate of another printer: refused */
  PD_CERT_INVALID,      /* not a certificate */
} PdCertVerdict;

PdCertVerdict pd_cert_policy_check        (GBytes     *leaf_der,
                                           GPtrArray  *chain_der,
                                           const char *serial,
                                           const char *pinned_fingerprint,
                                           char      **fingerprint,
                                           char      **subject);
gboolean      pd_cert_verdict_is_accepted (PdCertVerdict verdict);
char         *pd_cert_fingerprint         (GBytes     *der);
gboolean      pd_cert_fingerprint_equal   (const char *a,
                                           const char *b);

G_END_DECLS
