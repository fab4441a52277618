/* pd-discovery.h — printers announcing themselves on the local network
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bambu Lab printers broadcast an SSDP NOTIFY datagram to UDP port 2021
 * (some firmware to 1990)
 * every few seconds (docs/protocol-notes.md §6). We only listen: nothing is
 * ever sent.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_DISCOVERY_PORT     2021
#define PD_DISCOVERY_ALT_PORT 1990

#define PD_TYPE_DISCOVERED_PRINTER (pd_discovered_printer_get_type ())

G_DECLARE_FINAL_TYPE (PdDiscoveredPrinter, pd_discovered_printer, PD, DISCOVERED_PRINTER, GObject)

const char *pd_discovered_printer_get_serial (PdDiscoveredPrinter *self);
const char *pd_discovered_printer_get_name (PdDiscoveredPrinter *self);
const char *pd_discovered_printer_get_model (PdDiscoveredPrinter *self); /* PdModelInfo id, or NULL */
const char *pd_discovered_printer_get_host (PdDiscoveredPrinter *self);
const char *pd_discovered_printer_get_firmware (PdDiscoveredPrinter *self);
int         pd_discovered_printer_get_signal (PdDiscoveredPrinter *self); /* dBm, 0 unknown */
gboolean    pd_discovered_printer_get_lan_only (PdDiscoveredPrinter *self);
gint64      pd_discovered_printer_get_last_seen (PdDiscoveredPrinter *self);

#define PD_TYPE_DISCOVERY (pd_discovery_get_type ())

/* A GListModel of PdDiscoveredPrinter, one per serial, newest first. */
G_DECLARE_FINAL_TYPE (PdDiscovery, pd_discovery, PD, DISCOVERY, GObject)

PdDiscovery *pd_discovery_new (guint port);
gboolean     pd_discovery_start (PdDiscovery *self,
                                 GError     **error);
void         pd_discovery_stop (PdDiscovery *self);
guint        pd_discovery_get_port (PdDiscovery *self);
gboolean     pd_discovery_is_listening_on_alt_port (PdDiscovery *self);
gboolean     pd_discovery_handle_datagram (PdDiscovery *self,
                                           const char  *data,
                                           gsize        length,
                                           const char  *source_address);
void         pd_discovery_set_expiry_for_testing (PdDiscovery *self,
                                                  guint        msec);

G_END_DECLS
