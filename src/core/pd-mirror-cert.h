/* pd-mirror-cert.h — the mirror's own TLS certificate
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A self-signed certificate (EC P-256, CN "Printdeck mirror", valid for
 * localhost, 127.0.0.1, ::1 and this computer's name, for five years), made
 * once and kept as PEM files in the app's config folder. Browsers cannot
 * verify it; people compare its fingerprint, which Preferences shows.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_MIRROR_CERT_FILE "mirror-cert.pem"
#define PD_MIRROR_KEY_FILE  "mirror-key.pem"

GTlsCertificate *pd_mirror_certificate_load_or_create (const char *dir,
                                                       GError    **error);
char            *pd_mirror_certificate_dup_fingerprint (GTlsCertificate *certificate);

G_END_DECLS
