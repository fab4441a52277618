/* fuzz-ssdp.c — libFuzzer: a discovery datagram
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Anyone on the LAN can send datagrams to the discovery port. Each input is
 * handled as one from a LAN address, then its serial is looked up in the
 * list, as the add-printer dialog does.
 */

#include "config.h"

#include <stdint.h>

#include "pd-discovery.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static PdDiscovery *discovery;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GListModel *list;

  if (discovery == NULL)
    discovery = pd_discovery_new (0);

  pd_discovery_handle_datagram (discovery, (const char *) data, size, "192.168.1.20");
  pd_discovery_handle_datagram (discovery, (const char *) data, size, "fe80::1");
  list = G_LIST_MODEL (discovery);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (PdDiscoveredPrinter) printer = g_list_model_get_item (list, i);

      g_assert (pd_discovered_printer_get_serial (printer) != NULL);
      (void) pd_discovered_printer_get_name (printer);
      (void) pd_discovered_printer_get_model (printer);
    }
  return 0;
}
