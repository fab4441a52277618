/* pd-test-certs.h — throw-away CAs and certificates for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PdTestCert PdTestCert;

PdTestCert *pd_test_cert_new_ca   (const char *common_name);
PdTestCert *pd_test_cert_new_intermediate (PdTestCert *issuer,
                                           const char *common_name);
PdTestCert *pd_test_cert_new_leaf (PdTestCert *issuer,
                                   const char *common_name);
GBytes     *pd_test_cert_get_der  (PdTestCert *cert);
void        pd_test_cert_free     (PdTestCert *cert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdTestCert, pd_test_cert_free)

G_END_DECLS
