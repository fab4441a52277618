/* test-discovery.c — PdDiscovery: parsing announcements, the list, expiry, a real socket
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The datagrams are the real ones from docs/protocol-notes.md §6. The socket
 * test sends only to 127.0.0.1.
 */

#include "config.h"

#include <string.h>

#include "pd-discovery.h"

/* As emitted by Bambu printers (docs/protocol-notes.md §6). */
#define NOTIFY_P1S                              \
  "NOTIFY * HTTP/1.1\r\n"                       \
  "Host: 239.255.255.250:1990\r\n"              \
  "Server: UPnP/1.0\r\n"                        \
  "Location: 192.168.1.50\r\n"                  \
  "NT: urn:bambulab-com:device:3dprinter:1\r\n" \
  "NTS: ssdp:alive\r\n"                         \
  "USN: 01P00A123456789\r\n"                    \
  "Cache-Control: max-age=1800\r\n"             \
  "DevModel.bambu.com: C12\r\n"                 \
  "DevName.bambu.com: Garage P1S\r\n"           \
  "DevSignal.bambu.com: -44\r\n"                \
  "DevConnect.bambu.com: lan\r\n"               \
  "DevBind.bambu.com: free\r\n"                 \
  "Devseclink.bambu.com: secure\r\n"            \
  "DevInf.bambu.com: wlan0\r\n"                 \
  "DevVersion.bambu.com: 01.07.00.00\r\n"       \
  "DevCap.bambu.com: 1\r\n"                     \
  "\r\n"

/* An X2D answering an M-SEARCH, captured verbatim (no empty last line). */
#define REPLY_X2D                               \
  "HTTP/1.1 200 OK\r\n"                         \
  "Server: UPnP/1.0\r\n"                        \
  "Date: Fri, 28 Aug 2026 14:50:11 GMT\r\n"     \
  "Location: 192.168.86.97\r\n"                 \
  "ST: urn:bambulab-com:device:3dprinter:1\r\n" \
  "EXT: \r\n"                                   \
  "USN: 20P5BJ661500023\r\n"                    \
  "Cache-Control: max-age=1800\r\n"             \
  "DevModel.bambu.com: N6\r\n"                  \
  "DevName.bambu.com: Claudia\r\n"              \
  "DevConnect.bambu.com: lan\r\n"               \
  "DevBind.bambu.com: free\r\n"                 \
  "Devseclink.bambu.com: secure\r\n"            \
  "DevInf.bambu.com: wlan0\r\n"                 \
  "DevVersion.bambu.com: 01.02.00.00\r\n"       \
  "DevCap.bambu.com: 1\r\n"

/* A minimal valid announcement of @serial, with @extra headers. */
static char *
announcement (const char *serial,
              const char *extra)
{
  return g_strdup_printf ("NOTIFY * HTTP/1.1\r\n"
                          "Location: 192.168.1.60\r\n"
                          "NT: urn:bambulab-com:device:3dprinter:1\r\n"
                          "USN: %s\r\n"
                          "%s"
                          "\r\n",
                          serial, extra != NULL ? extra : "");
}

static gboolean
handle (PdDiscovery *discovery,
        const char  *text,
        const char  *source)
{
  return pd_discovery_handle_datagram (discovery, text, strlen (text), source);
}

static PdDiscoveredPrinter *
get_printer (PdDiscovery *discovery,
             guint        position)
{
  g_autoptr (PdDiscoveredPrinter) printer = g_list_model_get_item (G_LIST_MODEL (discovery), position);

  g_assert_nonnull (printer);
  /* The list holds a reference: return a borrowed one. */
  return printer;
}

static guint
n_items (PdDiscovery *discovery)
{
  return g_list_model_get_n_items (G_LIST_MODEL (discovery));
}

typedef struct
{
  guint emissions;
  guint removed;
  guint added;
} ItemsChanged;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    data)
{
  ItemsChanged *counts = data;

  counts->emissions++;
  counts->removed += removed;
  counts->added += added;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    data)
{
  GHashTable *counts = data;
  guint       n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, pspec->name));

  g_hash_table_insert (counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
notified (GHashTable *counts,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, name));
}

/* Iterates the default main context until @done, for at most 5 s. */
static void
iterate_until (gboolean (*done) (gpointer),
               gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
is_empty (gpointer data)
{
  return n_items (data) == 0;
}

static gboolean
is_not_empty (gpointer data)
{
  return n_items (data) > 0;
}

/* Parsing ------------------------------------------------------------------*/

static void
test_notify_example (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  PdDiscoveredPrinter    *printer;
  gint64                  before = g_get_real_time ();

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (discovery)) == PD_TYPE_DISCOVERED_PRINTER);
  g_assert_cmpuint (n_items (discovery), ==, 0);

  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 1);

  printer = get_printer (discovery, 0);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "01P00A123456789");
  g_assert_cmpstr (pd_discovered_printer_get_name (printer), ==, "Garage P1S");
  g_assert_cmpstr (pd_discovered_printer_get_model (printer), ==, "P1S");
  g_assert_cmpstr (pd_discovered_printer_get_host (printer), ==, "192.168.1.50");
  g_assert_cmpstr (pd_discovered_printer_get_firmware (printer), ==, "01.07.00.00");
  g_assert_cmpint (pd_discovered_printer_get_signal (printer), ==, -44);
  g_assert_true (pd_discovered_printer_get_lan_only (printer));
  g_assert_cmpint (pd_discovered_printer_get_last_seen (printer), >=, before);
  g_assert_cmpint (pd_discovered_printer_get_last_seen (printer), <=, g_get_real_time ());
}

static void
test_search_reply (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  PdDiscoveredPrinter    *printer;

  g_assert_true (handle (discovery, REPLY_X2D, "192.168.86.97"));
  g_assert_cmpuint (n_items (discovery), ==, 1);

  printer = get_printer (discovery, 0);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "20P5BJ661500023");
  g_assert_cmpstr (pd_discovered_printer_get_name (printer), ==, "Claudia");
  g_assert_cmpstr (pd_discovered_printer_get_model (printer), ==, "X2D");
  g_assert_cmpstr (pd_discovered_printer_get_host (printer), ==, "192.168.86.97");
  g_assert_cmpstr (pd_discovered_printer_get_firmware (printer), ==, "01.02.00.00");
  g_assert_cmpint (pd_discovered_printer_get_signal (printer), ==, 0); /* not sent */
  g_assert_true (pd_discovered_printer_get_lan_only (printer));
}

/* The sender's address wins; Location only when there is no usable one. */
static void
test_source_address (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *bad_location = NULL;

  g_assert_true (handle (discovery, NOTIFY_P1S, "192.168.1.77"));
  g_assert_cmpstr (pd_discovered_printer_get_host (get_printer (discovery, 0)), ==, "192.168.1.77");

  g_assert_true (handle (discovery, NOTIFY_P1S, "fe80::1"));
  g_assert_cmpstr (pd_discovered_printer_get_host (get_printer (discovery, 0)), ==, "192.168.1.50");

  /* No source and a Location that is not a bare IPv4 address: nowhere to go. */
  bad_location = g_strdup ("NOTIFY * HTTP/1.1\r\n"
                           "Location: http://192.168.1.61:8883/\r\n"
                           "NT: urn:bambulab-com:device:3dprinter:1\r\n"
                           "USN: 01P00A000000061\r\n\r\n");
  g_assert_false (handle (discovery, bad_location, NULL));
  g_assert_true (handle (discovery, bad_location, "192.168.1.61"));
  g_assert_cmpuint (n_items (discovery), ==, 2);
  g_assert_cmpstr (pd_discovered_printer_get_host (get_printer (discovery, 0)), ==, "192.168.1.61");
}

static void
test_case_insensitive (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  const char             *text = "notify * http/1.1\r\n"
                                 "LOCATION: 10.0.0.9\r\n"
                                 "nt: URN:BAMBULAB-COM:DEVICE:3DPRINTER:1\r\n"
                                 "usn: 00M00A000000009\r\n"
                                 "devmodel.BAMBU.COM: bl-p001\r\n"
                                 "DEVNAME.bambu.com: Loud\r\n"
                                 "devsignal.bambu.com: -70\r\n"
                                 "DEVCONNECT.BAMBU.COM: LAN\r\n"
                                 "\r\n";
  PdDiscoveredPrinter    *printer;

  g_assert_true (handle (discovery, text, NULL));
  printer = get_printer (discovery, 0);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "00M00A000000009");
  g_assert_cmpstr (pd_discovered_printer_get_host (printer), ==, "10.0.0.9");
  g_assert_cmpstr (pd_discovered_printer_get_model (printer), ==, "X1C");
  g_assert_cmpstr (pd_discovered_printer_get_name (printer), ==, "Loud");
  g_assert_cmpint (pd_discovered_printer_get_signal (printer), ==, -70);
  g_assert_true (pd_discovered_printer_get_lan_only (printer));
}

static void
test_lf_only (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autoptr (GString)     text = g_string_new (NOTIFY_P1S);
  PdDiscoveredPrinter    *printer;

  g_string_replace (text, "\r\n", "\n", 0);
  g_assert_null (strchr (text->str, '\r'));

  g_assert_true (handle (discovery, text->str, NULL));
  printer = get_printer (discovery, 0);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "01P00A123456789");
  g_assert_cmpstr (pd_discovered_printer_get_name (printer), ==, "Garage P1S");
  g_assert_cmpstr (pd_discovered_printer_get_firmware (printer), ==, "01.07.00.00");
}

static void
test_unknown_model (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *unknown = announcement ("ZZZ00A000000001", "DevModel.bambu.com: Q42\r\n");
  g_autofree char        *no_header = announcement ("03900A000000001", NULL);

  /* A model newer than this build: listed, model unknown. */
  g_assert_true (handle (discovery, unknown, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 1);
  g_assert_null (pd_discovered_printer_get_model (get_printer (discovery, 0)));
  g_assert_null (pd_discovered_printer_get_name (get_printer (discovery, 0)));
  g_assert_null (pd_discovered_printer_get_firmware (get_printer (discovery, 0)));
  g_assert_false (pd_discovered_printer_get_lan_only (get_printer (discovery, 0)));

  /* No DevModel at all: the serial's prefix names it (039 = A1). */
  g_assert_true (handle (discovery, no_header, NULL));
  g_assert_cmpstr (pd_discovered_printer_get_model (get_printer (discovery, 0)), ==, "A1");
}

static void
test_name_cleanup (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *long_name = g_strnfill (100, 'x');
  g_autofree char        *long_header = g_strdup_printf ("DevName.bambu.com: %s\r\n", long_name);
  g_autofree char        *spaced = announcement ("01P00A000000001", "DevName.bambu.com:   Drucker \xc3\xa4   \r\n");
  g_autofree char        *control = announcement ("01P00A000000002", "DevName.bambu.com: A\tB\x1b"
                                                                            "C\r\n");
  g_autofree char        *too_long = announcement ("01P00A000000003", long_header);
  g_autofree char        *blank = announcement ("01P00A000000004", "DevName.bambu.com:    \r\n");

  g_assert_true (handle (discovery, spaced, NULL));
  g_assert_cmpstr (pd_discovered_printer_get_name (get_printer (discovery, 0)), ==, "Drucker \xc3\xa4");

  g_assert_true (handle (discovery, control, NULL));
  g_assert_cmpstr (pd_discovered_printer_get_name (get_printer (discovery, 0)), ==, "A B C");

  g_assert_true (handle (discovery, too_long, NULL));
  g_assert_cmpuint (g_utf8_strlen (pd_discovered_printer_get_name (get_printer (discovery, 0)), -1), ==, 64);

  g_assert_true (handle (discovery, blank, NULL));
  g_assert_null (pd_discovered_printer_get_name (get_printer (discovery, 0)));
}

/* Everything that is not a valid announcement is ignored, and lists nothing. */
static void
test_malformed (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autoptr (GString)     huge = g_string_new (NULL);
  g_autoptr (GString)     many = g_string_new ("NOTIFY * HTTP/1.1\r\n"
                                                   "Location: 192.168.1.50\r\n"
                                                   "NT: urn:bambulab-com:device:3dprinter:1\r\n"
                                                   "USN: 01P00A123456789\r\n");
  g_autofree char        *long_serial = g_strnfill (33, 'A');
  g_autofree char        *long_usn = g_strdup_printf ("%s", long_serial);
  const char             *bad_serials[] = {
                "01P00A-12345",
                "uuid:01P00A123456789",
                "01P 00A",
                "",
                "01P00A12345678\xc3\xa4",
  };
  const char *garbage[] = {
    "",
    "garbage",
    "\r\n\r\n",
    "NOTIFY * HTTP/1.1",
    "NOTIFY * HTTP/1.1\r\n\r\n",
    /* A search from Bambu Studio on the same network is not a printer. */
    "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:2021\r\nMAN: \"ssdp:discover\"\r\nMX: 3\r\n"
    "ST: urn:bambulab-com:device:3dprinter:1\r\n\r\n",
    /* Other SSDP devices. */
    "HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:MediaRenderer:1\r\n"
    "USN: uuid:1234::urn:schemas-upnp-org:device:MediaRenderer:1\r\nLocation: 192.168.1.9\r\n\r\n",
    /* Wrong NT. */
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: urn:bambulab-com:device:3dprinter:2\r\n"
    "USN: 01P00A123456789\r\n\r\n",
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: upnp:rootdevice\r\nUSN: 01P00A123456789\r\n\r\n",
    /* Missing USN. */
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n\r\n",
    /* The USN after the empty line is a body, not a header. */
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n\r\n"
    "USN: 01P00A123456789\r\n",
    /* Truncated: cut before the serial. */
    "NOTIFY * HTTP/1.1\r\nHost: 239.255.255.250:1990\r\nServer: UPnP/1.0\r\nLocation: 192.168.1.50\r\n"
    "NT: urn:bambulab-com:device:3dprinter:1\r\nNTS: ssdp:alive\r\nUS",
    "NOTIFY * HTT",
    /* Not UTF-8 in the name. */
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n"
    "USN: 01P00A123456789\r\nDevName.bambu.com: Garage \xff\xfe P1S\r\n\r\n",
    "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n"
    "USN: 01P00A123456789\r\nDevName.bambu.com: \xc3\r\n\r\n",
    /* No usable address. */
    "NOTIFY * HTTP/1.1\r\nNT: urn:bambulab-com:device:3dprinter:1\r\nUSN: 01P00A123456789\r\n\r\n",
    "NOTIFY * HTTP/1.1\r\nLocation: 999.1.1.1\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n"
    "USN: 01P00A123456789\r\n\r\n",
    "NOTIFY * HTTP/1.1\r\nLocation: fe80::1\r\nNT: urn:bambulab-com:device:3dprinter:1\r\n"
    "USN: 01P00A123456789\r\n\r\n",
  };
  static const char with_nul[] = "NOTIFY * HTTP/1.1\r\nLocation: 192.168.1.50\r\n"
                                 "NT: urn:bambulab-com:device:3dprinter:1\r\nUSN: 01P00A12\0003456789\r\n\r\n";

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_test_message ("garbage %u", i);
      g_assert_false (handle (discovery, garbage[i], NULL));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_serials); i++)
    {
      g_autofree char *text = announcement (bad_serials[i], NULL);

      g_assert_false (handle (discovery, text, NULL));
    }
  {
    g_autofree char *text = announcement (long_usn, NULL);

    g_assert_false (handle (discovery, text, NULL));
  }

  /* A NUL inside. */
  g_assert_false (pd_discovery_handle_datagram (discovery, with_nul, sizeof with_nul - 1, NULL));

  /* Over 4 KiB, even though it is otherwise valid. */
  g_string_append (huge, NOTIFY_P1S);
  g_string_truncate (huge, huge->len - 2);
  while (huge->len <= 4096)
    g_string_append (huge, "X-Padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");
  g_string_append (huge, "\r\n");
  g_assert_false (handle (discovery, huge->str, NULL));

  /* More than 64 headers. */
  for (guint i = 0; i < 64; i++)
    g_string_append_printf (many, "X-Header-%u: %u\r\n", i, i);
  g_string_append (many, "\r\n");
  g_assert_false (handle (discovery, many->str, NULL));

  g_assert_cmpuint (n_items (discovery), ==, 0);

  /* 64 headers are fine. */
  g_string_assign (many, "NOTIFY * HTTP/1.1\r\n"
                         "Location: 192.168.1.50\r\n"
                         "NT: urn:bambulab-com:device:3dprinter:1\r\n"
                         "USN: 01P00A123456789\r\n");
  for (guint i = 0; i < 60; i++)
    g_string_append_printf (many, "X-Header-%u: %u\r\n", i, i);
  g_assert_true (handle (discovery, many->str, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 1);

  /* Values out of range are dropped, the printer stays listed. */
  {
    g_autofree char     *odd = announcement ("01P00A123456789",
                                             "DevSignal.bambu.com: strong\r\n"
                                                 "DevVersion.bambu.com: 01.07 beta \xc3\xa4\r\n"
                                                 "Cache-Control: max-age=forever\r\n");
    PdDiscoveredPrinter *printer;

    g_assert_true (handle (discovery, odd, NULL));
    printer = get_printer (discovery, 0);
    g_assert_cmpint (pd_discovered_printer_get_signal (printer), ==, 0);
    g_assert_null (pd_discovered_printer_get_firmware (printer));
  }
}

/* Printers discovered: one entry per serial, updated in place ------------*/

static void
test_repeat (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autoptr (GHashTable)  notifies = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GString)     renamed = g_string_new (NOTIFY_P1S);
  ItemsChanged            changes = { 0 };
  PdDiscoveredPrinter    *printer;
  gint64                  first_seen;

  g_signal_connect (discovery, "items-changed", G_CALLBACK (on_items_changed), &changes);

  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_cmpuint (changes.added, ==, 1);
  printer = get_printer (discovery, 0);
  first_seen = pd_discovered_printer_get_last_seen (printer);
  g_signal_connect (printer, "notify", G_CALLBACK (on_notify), notifies);

  /* The same announcement again: only last-seen moves. */
  g_usleep (2000);
  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 1);
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_true (get_printer (discovery, 0) == printer);
  g_assert_cmpint (pd_discovered_printer_get_last_seen (printer), >, first_seen);
  g_assert_cmpuint (notified (notifies, "last-seen"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (notifies), ==, 1);

  /* Renamed, moved, weaker signal: those properties notify, once each. */
  g_string_replace (renamed, "Garage P1S", "Shed P1S", 0);
  g_string_replace (renamed, "-44", "-61", 0);
  g_assert_true (handle (discovery, renamed->str, "192.168.1.51"));
  g_assert_cmpuint (n_items (discovery), ==, 1);
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_true (get_printer (discovery, 0) == printer);
  g_assert_cmpstr (pd_discovered_printer_get_name (printer), ==, "Shed P1S");
  g_assert_cmpstr (pd_discovered_printer_get_host (printer), ==, "192.168.1.51");
  g_assert_cmpint (pd_discovered_printer_get_signal (printer), ==, -61);
  g_assert_cmpuint (notified (notifies, "name"), ==, 1);
  g_assert_cmpuint (notified (notifies, "host"), ==, 1);
  g_assert_cmpuint (notified (notifies, "signal"), ==, 1);
  g_assert_cmpuint (notified (notifies, "model"), ==, 0);
  g_assert_cmpuint (notified (notifies, "firmware"), ==, 0);
  g_assert_cmpuint (notified (notifies, "lan-only"), ==, 0);
  g_assert_cmpuint (notified (notifies, "serial"), ==, 0);

  g_signal_handlers_disconnect_by_data (printer, notifies);
}

static void
test_newest_first (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *a = announcement ("01P00A000000001", NULL);
  g_autofree char        *b = announcement ("01P00A000000002", NULL);
  ItemsChanged            changes = { 0 };

  g_signal_connect (discovery, "items-changed", G_CALLBACK (on_items_changed), &changes);

  g_assert_true (handle (discovery, a, NULL));
  g_assert_true (handle (discovery, b, NULL));
  g_assert_true (handle (discovery, a, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 2);
  g_assert_cmpuint (changes.emissions, ==, 2);
  g_assert_cmpstr (pd_discovered_printer_get_serial (get_printer (discovery, 0)), ==, "01P00A000000002");
  g_assert_cmpstr (pd_discovered_printer_get_serial (get_printer (discovery, 1)), ==, "01P00A000000001");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (discovery), 2));
}

static void
test_byebye (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *bye = announcement ("01P00A123456789", "NTS: ssdp:byebye\r\n");
  ItemsChanged            changes = { 0 };

  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_signal_connect (discovery, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_assert_true (handle (discovery, bye, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 0);
  g_assert_cmpuint (changes.removed, ==, 1);

  /* A goodbye from a printer not listed changes nothing. */
  g_assert_true (handle (discovery, bye, NULL));
  g_assert_cmpuint (changes.emissions, ==, 1);
}

static void
test_limit (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *first = NULL;

  for (guint i = 0; i < 256; i++)
    {
      g_autofree char *serial = g_strdup_printf ("01P00A%09u", i);
      g_autofree char *text = announcement (serial, NULL);

      g_assert_true (handle (discovery, text, NULL));
    }
  g_assert_cmpuint (n_items (discovery), ==, 256);

  /* A newcomer is not listed; those listed still update. */
  g_assert_false (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 256);
  first = announcement ("01P00A000000000", "DevName.bambu.com: Still here\r\n");
  g_assert_true (handle (discovery, first, NULL));
  g_assert_cmpstr (pd_discovered_printer_get_name (get_printer (discovery, 255)), ==, "Still here");
}

/* Expiry --------------------------------------------------------------------*/

static void
test_expiry (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *other = announcement ("01P00A000000001", NULL);
  ItemsChanged            changes = { 0 };
  gint64                  start = g_get_monotonic_time ();

  pd_discovery_set_expiry_for_testing (discovery, 300);
  g_signal_connect (discovery, "items-changed", G_CALLBACK (on_items_changed), &changes);

  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_true (handle (discovery, other, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 2);

  iterate_until (is_empty, discovery);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_cmpuint (changes.removed, ==, 2);

  /* Heard again: listed again. */
  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 1);
}

/* A printer's own max-age shortens its stay; the others keep 5 minutes. */
typedef struct
{
  PdDiscovery *discovery;
  guint        expected;
} CountData;

static gboolean
has_count (gpointer data)
{
  CountData *count = data;

  return n_items (count->discovery) == count->expected;
}

static void
test_max_age (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autofree char        *short_lived = announcement ("01P00A000000001", "Cache-Control: max-age=1\r\n");
  CountData               count = { discovery, 1 };
  gint64                  start = g_get_monotonic_time ();

  g_assert_true (handle (discovery, NOTIFY_P1S, NULL)); /* max-age=1800 */
  g_assert_true (handle (discovery, short_lived, NULL));
  g_assert_cmpuint (n_items (discovery), ==, 2);

  iterate_until (has_count, &count);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  g_assert_cmpstr (pd_discovered_printer_get_serial (get_printer (discovery, 0)), ==, "01P00A123456789");
}

/* A real socket ------------------------------------------------------------*/

static void
send_to (guint       port,
         const char *data,
         gsize       length)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                                    G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, (guint16) port);
  gssize                     sent;

  g_assert_no_error (error);
  sent = g_socket_send_to (socket, address, data, length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sent, ==, (gssize) length);
}

static void
test_socket (void)
{
  g_autoptr (PdDiscovery) discovery = pd_discovery_new (0);
  g_autoptr (GError)      error = NULL;
  g_autofree char        *huge = g_malloc0 (8000);
  g_autofree char        *other = announcement ("01P00A000000002", NULL);
  CountData               count = { discovery, 2 };
  guint                   port;
  PdDiscoveredPrinter    *printer;

  g_assert_cmpuint (pd_discovery_get_port (discovery), ==, 0);
  g_assert_true (pd_discovery_start (discovery, &error));
  g_assert_no_error (error);
  port = pd_discovery_get_port (discovery);
  g_assert_cmpuint (port, >, 0);

  /* Started twice: still the same socket. */
  g_assert_true (pd_discovery_start (discovery, &error));
  g_assert_cmpuint (pd_discovery_get_port (discovery), ==, port);

  /* Too big (and with NULs): dropped, and nothing blocks. */
  memcpy (huge, NOTIFY_P1S, strlen (NOTIFY_P1S));
  send_to (port, huge, 8000);
  send_to (port, "garbage", 7);
  send_to (port, NOTIFY_P1S, strlen (NOTIFY_P1S));
  iterate_until (is_not_empty, discovery);

  g_assert_cmpuint (n_items (discovery), ==, 1);
  printer = get_printer (discovery, 0);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "01P00A123456789");
  /* The sender's address, not the Location header's. */
  g_assert_cmpstr (pd_discovered_printer_get_host (printer), ==, "127.0.0.1");

  send_to (port, other, strlen (other));
  iterate_until (has_count, &count);

  pd_discovery_stop (discovery);
  pd_discovery_stop (discovery);
  g_assert_cmpuint (pd_discovery_get_port (discovery), ==, 0);
  /* Stopping keeps what was found. */
  g_assert_cmpuint (n_items (discovery), ==, 2);
}

/* A free UDP port on loopback, found by binding port 0 and closing. */
static guint
free_udp_port (void)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                                    G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) local = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}

/* Announcements on the second port are heard too, and one printer heard on
 * both is listed once.
 */
static void
test_alt_port (void)
{
  guint                   alt_port = free_udp_port ();
  g_autoptr (PdDiscovery) discovery = g_object_new (PD_TYPE_DISCOVERY, "port", 0, "alt-port", alt_port, NULL);
  g_autoptr (GError)      error = NULL;
  g_autofree char        *other = announcement ("01P00A000000003", NULL);
  CountData               count = { discovery, 2 };
  guint                   port;

  g_assert_true (pd_discovery_start (discovery, &error));
  g_assert_no_error (error);
  g_assert_true (pd_discovery_is_listening_on_alt_port (discovery));
  port = pd_discovery_get_port (discovery);
  g_assert_cmpuint (port, !=, alt_port);

  send_to (alt_port, NOTIFY_P1S, strlen (NOTIFY_P1S));
  send_to (port, NOTIFY_P1S, strlen (NOTIFY_P1S));
  send_to (alt_port, other, strlen (other));
  iterate_until (has_count, &count);

  /* Let any late datagram arrive: still two printers. */
  for (guint i = 0; i < 50; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (n_items (discovery), ==, 2);

  pd_discovery_stop (discovery);
  g_assert_false (pd_discovery_is_listening_on_alt_port (discovery));
}

/* A second port that is taken (by a listener without SO_REUSEADDR) is not
 * an error: the discovery runs on its main port.
 */
static void
test_alt_port_taken (void)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GSocket)        holder = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                                    G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr (GInetAddress)   any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (PdDiscovery)    discovery = NULL;
  guint                      taken;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (holder, address, FALSE, &error));
  local = g_socket_get_local_address (holder, &error);
  g_assert_no_error (error);
  taken = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  discovery = g_object_new (PD_TYPE_DISCOVERY, "port", 0, "alt-port", taken, NULL);
  g_assert_true (pd_discovery_start (discovery, &error));
  g_assert_no_error (error);
  g_assert_false (pd_discovery_is_listening_on_alt_port (discovery));
  g_assert_cmpuint (pd_discovery_get_port (discovery), !=, 0);
}

/* The port can be shared with another listener (Bambu Studio). */
static void
test_shared_port (void)
{
  g_autoptr (PdDiscovery) first = pd_discovery_new (0);
  g_autoptr (PdDiscovery) second = NULL;
  g_autoptr (GError)      error = NULL;

  g_assert_true (pd_discovery_start (first, &error));
  g_assert_no_error (error);

  second = pd_discovery_new (pd_discovery_get_port (first));
  g_assert_true (pd_discovery_start (second, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pd_discovery_get_port (second), ==, pd_discovery_get_port (first));
}

static void
test_new_destroy (void)
{
  PdDiscovery         *discovery = pd_discovery_new (0);
  g_autoptr (GError)   error = NULL;
  PdDiscoveredPrinter *printer;

  g_assert_true (pd_discovery_start (discovery, &error));
  g_assert_no_error (error);
  g_assert_true (handle (discovery, NOTIFY_P1S, NULL));
  printer = g_list_model_get_item (G_LIST_MODEL (discovery), 0);

  /* Disposed while running: the socket closes and the sources go. */
  g_assert_finalize_object (discovery);
  g_assert_cmpstr (pd_discovered_printer_get_serial (printer), ==, "01P00A123456789");
  g_assert_finalize_object (printer);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/discovery/notify-example", test_notify_example);
  g_test_add_func ("/discovery/alt-port", test_alt_port);
  g_test_add_func ("/discovery/alt-port-taken", test_alt_port_taken);
  g_test_add_func ("/discovery/search-reply", test_search_reply);
  g_test_add_func ("/discovery/source-address", test_source_address);
  g_test_add_func ("/discovery/case-insensitive", test_case_insensitive);
  g_test_add_func ("/discovery/lf-only", test_lf_only);
  g_test_add_func ("/discovery/unknown-model", test_unknown_model);
  g_test_add_func ("/discovery/name-cleanup", test_name_cleanup);
  g_test_add_func ("/discovery/malformed", test_malformed);
  g_test_add_func ("/discovery/repeat", test_repeat);
  g_test_add_func ("/discovery/newest-first", test_newest_first);
  g_test_add_func ("/discovery/byebye", test_byebye);
  g_test_add_func ("/discovery/limit", test_limit);
  g_test_add_func ("/discovery/expiry", test_expiry);
  g_test_add_func ("/discovery/max-age", test_max_age);
  g_test_add_func ("/discovery/socket", test_socket);
  g_test_add_func ("/discovery/shared-port", test_shared_port);
  g_test_add_func ("/discovery/new-destroy", test_new_destroy);

  return g_test_run ();
}
