/* pd-test-app.h — the app with simulated printers, for the UI tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pd-application.h"
#include "pd-sim.h"

G_BEGIN_DECLS

/* Adds @printer (its address, ports, name, pinned certificate and access
 * code) to the app's printers, waiting until the printer list has been
 * read (the store refuses changes before). Returns the store's printer.
 */
PdPrinter *pd_test_app_add_sim_printer (PdApplication *app,
                                        PdSimPrinter  *printer);

G_END_DECLS
