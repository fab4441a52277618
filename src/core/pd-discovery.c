/* pd-discovery.c — printers announcing themselves on the local network
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Bambu Lab printers broadcast an SSDP-like NOTIFY datagram to UDP port 2021
 * every few seconds, and answer an M-SEARCH with the same headers
 * (docs/protocol-notes.md §6). PdDiscovery only listens: it never sends a
 * datagram (no M-SEARCH, no multicast join, which would make the kernel send
 * IGMP reports), so running it cannot disturb a printer or a print farm's
 * network. Anyone on the LAN can send these datagrams, so everything in them
 * is untrusted input: sizes are bounded, the serial and the address are
 * validated, and text is checked to be UTF-8 before anything shows it.
 */

#define G_LOG_DOMAIN "pd-discovery"

#include "config.h"

#include <string.h>

#include "pd-discovery.h"
#include "pd-model.h"

/* Bounds against a flood of hostile or broken datagrams. */
#define MAX_DATAGRAM     4096
#define MAX_HEADERS      64
#define MAX_PRINTERS     256
#define MAX_SERIAL       32
#define MAX_NAME_CHARS   64
#define MAX_FIRMWARE     32
#define MAX_PER_DISPATCH 64

#define SEARCH_TARGET "urn:bambulab-com:device:3dprinter:1"

/* How long a printer stays listed after its last announcement. Printers
 * announce every few seconds, so 5 minutes rides out lost datagrams and a
 * printer's Wi-Fi reconnecting without the list flickering.
 */
#define DEFAULT_EXPIRY (G_GINT64_CONSTANT (5 * 60) * G_USEC_PER_SEC)
#define MAX_AGE_LIMIT  (G_GINT64_CONSTANT (60 * 60) * G_USEC_PER_SEC)

/* PdDiscoveredPrinter ----------------------------------------------------- */

struct _PdDiscoveredPrinter
{
  GObject  parent_instance;

  char    *serial;
  char    *name;
  char    *model;
  char    *host;
  char    *firmware;
  int      signal;
  gboolean lan_only;
  gint64   last_seen; /* real time, for display */
  gint64   expires;   /* monotonic time: immune to wall-clock jumps */
};

G_DEFINE_FINAL_TYPE (PdDiscoveredPrinter, pd_discovered_printer, G_TYPE_OBJECT)

enum
{
  PRINTER_PROP_0,
  PRINTER_PROP_SERIAL,
  PRINTER_PROP_NAME,
  PRINTER_PROP_MODEL,
  PRINTER_PROP_HOST,
  PRINTER_PROP_FIRMWARE,
  PRINTER_PROP_SIGNAL,
  PRINTER_PROP_LAN_ONLY,
  PRINTER_PROP_LAST_SEEN,
  PRINTER_N_PROPS
};

static GParamSpec *printer_properties[PRINTER_N_PROPS];

/* What one valid announcement says. */
typedef struct
{
  const char *serial;
  char       *name;
  const char *model;
  const char *host;
  const char *firmware;
  int         signal;
  gboolean    lan_only;
  gboolean    byebye;
  gint64      max_age; /* µs, 0 when not given */
} Announcement;

static void
pd_discovered_printer_finalize (GObject *object)
{
  PdDiscoveredPrinter *self = PD_DISCOVERED_PRINTER (object);

  g_free (self->serial);
  g_free (self->name);
  g_free (self->model);
  g_free (self->host);
  g_free (self->firmware);

  G_OBJECT_CLASS (pd_discovered_printer_parent_class)->finalize (object);
}

static void
pd_discovered_printer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PdDiscoveredPrinter *self = PD_DISCOVERED_PRINTER (object);

  switch (prop_id)
    {
    case PRINTER_PROP_SERIAL: g_value_set_string (value, self->serial); break;
    case PRINTER_PROP_NAME: g_value_set_string (value, self->name); break;
    case PRINTER_PROP_MODEL: g_value_set_string (value, self->model); break;
    case PRINTER_PROP_HOST: g_value_set_string (value, self->host); break;
    case PRINTER_PROP_FIRMWARE: g_value_set_string (value, self->firmware); break;
    case PRINTER_PROP_SIGNAL: g_value_set_int (value, self->signal); break;
    case PRINTER_PROP_LAN_ONLY: g_value_set_boolean (value, self->lan_only); break;
    case PRINTER_PROP_LAST_SEEN: g_value_set_int64 (value, self->last_seen); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_discovered_printer_class_init (PdDiscoveredPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pd_discovered_printer_finalize;
  object_class->get_property = pd_discovered_printer_get_property;

  /**
   * PdDiscoveredPrinter:serial:
   *
   * The printer's serial number (the announcement's USN); never changes.
   */
  printer_properties[PRINTER_PROP_SERIAL] = g_param_spec_string ("serial", NULL, NULL, NULL, ro);
  /**
   * PdDiscoveredPrinter:name:
   *
   * The name the user gave the printer, or %NULL.
   */
  printer_properties[PRINTER_PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  /**
   * PdDiscoveredPrinter:model:
   *
   * The model's id ("X1C", "P1S"…), or %NULL for a model Printdeck does
   * not know yet.
   */
  printer_properties[PRINTER_PROP_MODEL] = g_param_spec_string ("model", NULL, NULL, NULL, ro);
  /**
   * PdDiscoveredPrinter:host:
   *
   * The printer's IPv4 address.
   */
  printer_properties[PRINTER_PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, ro);
  /**
   * PdDiscoveredPrinter:firmware:
   *
   * The firmware version, or %NULL.
   */
  printer_properties[PRINTER_PROP_FIRMWARE] = g_param_spec_string ("firmware", NULL, NULL, NULL, ro);
  /**
   * PdDiscoveredPrinter:signal:
   *
   * The Wi-Fi signal in dBm, 0 when not known.
   */
  printer_properties[PRINTER_PROP_SIGNAL] = g_param_spec_int ("signal", NULL, NULL, G_MININT, 0, 0, ro);
  /**
   * PdDiscoveredPrinter:lan-only:
   *
   * The printer is in LAN-only mode (not connected to Bambu's cloud).
   */
  printer_properties[PRINTER_PROP_LAN_ONLY] = g_param_spec_boolean ("lan-only", NULL, NULL, FALSE, ro);
  /**
   * PdDiscoveredPrinter:last-seen:
   *
   * When the printer last announced itself, in µs of g_get_real_time().
   */
  printer_properties[PRINTER_PROP_LAST_SEEN] = g_param_spec_int64 ("last-seen", NULL, NULL, 0, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, PRINTER_N_PROPS, printer_properties);
}

static void
pd_discovered_printer_init (PdDiscoveredPrinter *self)
{
}

static void
printer_set_string (PdDiscoveredPrinter *self,
                    char               **field,
                    const char          *value,
                    guint                prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), printer_properties[prop_id]);
}

/* Assigns what an announcement says; notifies only what changed. */
static void
printer_update (PdDiscoveredPrinter *self,
                const Announcement  *ann,
                gint64               real_now)
{
  g_object_freeze_notify (G_OBJECT (self));

  printer_set_string (self, &self->name, ann->name, PRINTER_PROP_NAME);
  printer_set_string (self, &self->model, ann->model, PRINTER_PROP_MODEL);
  printer_set_string (self, &self->host, ann->host, PRINTER_PROP_HOST);
  printer_set_string (self, &self->firmware, ann->firmware, PRINTER_PROP_FIRMWARE);

  if (self->signal != ann->signal)
    {
      self->signal = ann->signal;
      g_object_notify_by_pspec (G_OBJECT (self), printer_properties[PRINTER_PROP_SIGNAL]);
    }

  if (self->lan_only != ann->lan_only)
    {
      self->lan_only = ann->lan_only;
      g_object_notify_by_pspec (G_OBJECT (self), printer_properties[PRINTER_PROP_LAN_ONLY]);
    }

  if (self->last_seen != real_now)
    {
      self->last_seen = real_now;
      g_object_notify_by_pspec (G_OBJECT (self), printer_properties[PRINTER_PROP_LAST_SEEN]);
    }

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
pd_discovered_printer_get_serial (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), NULL);

  return self->serial;
}

const char *
pd_discovered_printer_get_name (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), NULL);

  return self->name;
}

/**
 * pd_discovered_printer_get_model:
 * @self: a discovered printer
 *
 * Returns: (nullable): the model's id (see pd_model_lookup()), or %NULL when
 *   the printer announced a model code Printdeck does not know
 */
const char *
pd_discovered_printer_get_model (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), NULL);

  return self->model;
}

const char *
pd_discovered_printer_get_host (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), NULL);

  return self->host;
}

const char *
pd_discovered_printer_get_firmware (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), NULL);

  return self->firmware;
}

int
pd_discovered_printer_get_signal (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), 0);

  return self->signal;
}

gboolean
pd_discovered_printer_get_lan_only (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), FALSE);

  return self->lan_only;
}

gint64
pd_discovered_printer_get_last_seen (PdDiscoveredPrinter *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERED_PRINTER (self), 0);

  return self->last_seen;
}

/* PdDiscovery ------------------------------------------------------------- */

struct _PdDiscovery
{
  GObject       parent_instance;

  guint         port;       /* as asked; 0 = any */
  guint         bound_port; /* as bound, while running */
  GSocket      *socket;
  GSource      *socket_source;

  /* A second, optional port (PD_DISCOVERY_ALT_PORT): some firmware sends
   * its NOTIFY there. Failing to bind it is not an error.
   */
  guint         alt_port;
  GSocket      *alt_socket;
  GSource      *alt_source;
  GSource      *expiry_source;
  GMainContext *context;

  /* Newest first; at most MAX_PRINTERS, so a linear search is cheap. */
  GPtrArray    *printers;
  gint64        expiry_cap; /* µs, 0 = none; see pd_discovery_set_expiry_for_testing() */
};

static void pd_discovery_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PdDiscovery, pd_discovery, G_TYPE_OBJECT, G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pd_discovery_list_model_init))

enum
{
  PROP_0,
  PROP_PORT,
  PROP_ALT_PORT,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
pd_discovery_get_item_type (GListModel *model)
{
  return PD_TYPE_DISCOVERED_PRINTER;
}

static guint
pd_discovery_get_n_items (GListModel *model)
{
  return PD_DISCOVERY (model)->printers->len;
}

static gpointer
pd_discovery_get_item (GListModel *model,
                       guint       position)
{
  PdDiscovery *self = PD_DISCOVERY (model);

  if (position >= self->printers->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->printers, position));
}

static void
pd_discovery_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pd_discovery_get_item_type;
  iface->get_n_items = pd_discovery_get_n_items;
  iface->get_item = pd_discovery_get_item;
}

static void
items_changed (PdDiscovery *self,
               guint        position,
               guint        removed,
               guint        added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
  if (removed != added)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Parsing ----------------------------------------------------------------- */

static gboolean
is_valid_serial (const char *serial)
{
  gsize len = strlen (serial);

  if (len == 0 || len > MAX_SERIAL)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (serial[i]))
        return FALSE;
    }

  return TRUE;
}

/* A dotted-quad IPv4 address, nothing else (no scheme, port or path). */
static gboolean
is_ipv4 (const char *text)
{
  g_autoptr (GInetAddress) address = NULL;

  if (text == NULL || *text == '\0' || strlen (text) > 15)
    return FALSE;

  address = g_inet_address_new_from_string (text);
  return address != NULL && g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4;
}

/* A version is short printable ASCII ("01.07.00.00"): it ends up in labels. */
static gboolean
is_valid_firmware (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > MAX_FIRMWARE)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isgraph (text[i]))
        return FALSE;
    }

  return TRUE;
}

/* The user-given name, fit for a label: valid UTF-8 (else the datagram is
 * rejected, as a corrupted one), control characters turned into spaces,
 * trimmed, at most MAX_NAME_CHARS characters. NULL when nothing is left.
 */
static gboolean
clean_name (const char *raw,
            char      **name)
{
  g_autoptr (GString) s = NULL;
  glong               n_chars = 0;

  *name = NULL;

  if (!g_utf8_validate (raw, -1, NULL))
    return FALSE;

  s = g_string_new (NULL);
  for (const char *p = raw; *p != '\0' && n_chars < MAX_NAME_CHARS; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT)
        c = ' ';
      g_string_append_unichar (s, c);
      n_chars++;
    }

  g_strstrip (s->str);
  if (s->str[0] != '\0')
    *name = g_strdup (s->str);

  return TRUE;
}

/* "max-age=1800" (possibly among other directives) → µs, 0 if absent. */
static gint64
parse_max_age (const char *value)
{
  g_auto (GStrv) directives = g_strsplit (value, ",", 16);

  for (guint i = 0; directives[i] != NULL; i++)
    {
      char   *d = g_strstrip (directives[i]);
      guint64 seconds;

      if (g_ascii_strncasecmp (d, "max-age", 7) != 0)
        continue;
      d = g_strstrip (d + 7);
      if (*d != '=')
        continue;
      d = g_strstrip (d + 1);
      if (g_ascii_string_to_unsigned (d, 10, 1, G_MAXUINT32, &seconds, NULL))
        return (gint64) seconds * G_USEC_PER_SEC;
    }

  return 0;
}

static void
announcement_clear (Announcement *ann)
{
  g_clear_pointer (&ann->name, g_free);
}

/* Reads a datagram (@text, NUL-terminated, cut up in place) into @ann:
 * the start line, then up to MAX_HEADERS "Name: value" lines ending in CRLF
 * or LF, up to the first empty line. Header names are compared without
 * case, as in HTTP. Returns FALSE for anything that is not a printer's
 * announcement; its strings point into @text or @source_address, except the name.
 */
static gboolean
parse_announcement (char         *text,
                    const char   *source_address,
                    Announcement *ann)
{
  const char *names[MAX_HEADERS];
  const char *values[MAX_HEADERS];
  guint       n_headers = 0;
  const char *nt = NULL, *st = NULL, *nts = NULL, *usn = NULL, *location = NULL;
  const char *dev_model = NULL, *dev_name = NULL, *dev_version = NULL;
  const char *dev_signal = NULL, *dev_connect = NULL, *cache_control = NULL;
  char       *line = text;
  char       *next;
  gboolean    first = TRUE;

  for (; line != NULL; line = next)
    {
      char *colon;
      char *end;

      next = strchr (line, '\n');
      if (next != NULL)
        *next++ = '\0';
      end = line + strlen (line);
      if (end > line && end[-1] == '\r')
        *--end = '\0';

      if (first)
        {
          g_strchomp (line);
          if (g_ascii_strcasecmp (line, "NOTIFY * HTTP/1.1") != 0 &&
              g_ascii_strcasecmp (line, "HTTP/1.1 200 OK") != 0)
            return FALSE;
          first = FALSE;
          continue;
        }

      if (*line == '\0')
        break;

      /* A line that is not a header is skipped: it says nothing we use, and
       * the headers that matter are validated on their own below.
       */
      colon = strchr (line, ':');
      if (colon == NULL || colon == line)
        continue;

      if (n_headers == MAX_HEADERS)
        return FALSE;

      *colon = '\0';
      names[n_headers] = g_strstrip (line);
      values[n_headers] = g_strstrip (colon + 1);
      n_headers++;
    }

  if (first)
    return FALSE;

  /* The first of repeated headers wins. */
  for (guint i = n_headers; i-- > 0;)
    {
      const char *name = names[i];
      const char *value = values[i];

      if (g_ascii_strcasecmp (name, "NT") == 0)
        nt = value;
      else if (g_ascii_strcasecmp (name, "ST") == 0)
        st = value;
      else if (g_ascii_strcasecmp (name, "NTS") == 0)
        nts = value;
      else if (g_ascii_strcasecmp (name, "USN") == 0)
        usn = value;
      else if (g_ascii_strcasecmp (name, "Location") == 0)
        location = value;
      else if (g_ascii_strcasecmp (name, "Cache-Control") == 0)
        cache_control = value;
      else if (g_ascii_strcasecmp (name, "DevModel.bambu.com") == 0)
        dev_model = value;
      else if (g_ascii_strcasecmp (name, "DevName.bambu.com") == 0)
        dev_name = value;
      else if (g_ascii_strcasecmp (name, "DevVersion.bambu.com") == 0)
        dev_version = value;
      else if (g_ascii_strcasecmp (name, "DevSignal.bambu.com") == 0)
        dev_signal = value;
      else if (g_ascii_strcasecmp (name, "DevConnect.bambu.com") == 0)
        dev_connect = value;
    }

  if ((nt == NULL || g_ascii_strcasecmp (nt, SEARCH_TARGET) != 0) &&
      (st == NULL || g_ascii_strcasecmp (st, SEARCH_TARGET) != 0))
    return FALSE;

  if (usn == NULL || !is_valid_serial (usn))
    return FALSE;
  ann->serial = usn;

  ann->byebye = nts != NULL && g_ascii_strcasecmp (nts, "ssdp:byebye") == 0;
  if (ann->byebye)
    return TRUE;

  /* The address the datagram came from wins over Location. Location is what
   * the printer believes its address is, and can be out of date (a DHCP
   * lease renewed while the firmware kept the old one, a second interface);
   * the source is where its packets really come from, hence where MQTT will
   * reach it. It also means a third host on the LAN cannot announce a
   * printer at somebody else's address. Location is used only when there
   * is no usable source (unit tests, or an IPv6 source).
   */
  if (is_ipv4 (source_address))
    ann->host = source_address;
  else if (is_ipv4 (location))
    ann->host = location;
  else
    return FALSE;

  if (dev_name != NULL && !clean_name (dev_name, &ann->name))
    return FALSE;

  /* The model comes from the model code; without the header at all, the
   * serial's prefix names it. A code we do not know (a model newer than
   * this build) leaves it unknown: the printer is still listed.
   */
  if (dev_model != NULL)
    {
      const PdModelInfo *info = pd_model_lookup (dev_model);

      ann->model = info != NULL ? info->id : NULL;
    }
  else
    {
      const PdModelInfo *info = pd_model_lookup_serial (usn);

      ann->model = info != NULL ? info->id : NULL;
    }

  if (dev_version != NULL && is_valid_firmware (dev_version))
    ann->firmware = dev_version;

  if (dev_signal != NULL)
    {
      gint64 dbm;

      if (g_ascii_string_to_signed (dev_signal, 10, -200, -1, &dbm, NULL))
        ann->signal = (int) dbm;
    }

  ann->lan_only = dev_connect != NULL && g_ascii_strcasecmp (dev_connect, "lan") == 0;

  if (cache_control != NULL)
    ann->max_age = parse_max_age (cache_control);

  return TRUE;
}

/* Expiry ------------------------------------------------------------------ */

static gboolean
expiry_source_dispatch (GSource    *source,
                        GSourceFunc callback,
                        gpointer    user_data)
{
  return callback (user_data);
}

/* A source that fires at its ready time, which is moved to the next printer
 * to expire: one wake-up per expiry, none while nothing is due.
 */
static GSourceFuncs expiry_source_funcs = {
  .dispatch = expiry_source_dispatch,
};

static void
schedule_expiry (PdDiscovery *self)
{
  gint64 earliest = G_MAXINT64;

  if (self->expiry_source == NULL)
    return;

  for (guint i = 0; i < self->printers->len; i++)
    {
      PdDiscoveredPrinter *printer = g_ptr_array_index (self->printers, i);

      earliest = MIN (earliest, printer->expires);
    }

  g_source_set_ready_time (self->expiry_source, earliest == G_MAXINT64 ? -1 : earliest);
}

static gboolean
on_expiry (gpointer user_data)
{
  PdDiscovery *self = PD_DISCOVERY (user_data);
  gint64       now = g_get_monotonic_time ();

  g_object_ref (self);

  for (guint i = self->printers->len; i-- > 0;)
    {
      PdDiscoveredPrinter *printer = g_ptr_array_index (self->printers, i);

      if (printer->expires <= now)
        {
          g_debug ("%s not heard from, removed", printer->serial);
          g_ptr_array_remove_index (self->printers, i);
          items_changed (self, i, 1, 0);
        }
    }

  schedule_expiry (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static gint64
entry_lifetime (PdDiscovery        *self,
                const Announcement *ann)
{
  gint64 lifetime = DEFAULT_EXPIRY;

  /* The printer says how long its announcement holds (SSDP's max-age);
   * beyond an hour, a printer that was unplugged would stay listed for too
   * long to be useful, so the default applies.
   */
  if (ann->max_age > 0 && ann->max_age < MAX_AGE_LIMIT)
    lifetime = ann->max_age;

  if (self->expiry_cap > 0)
    lifetime = MIN (lifetime, self->expiry_cap);

  return lifetime;
}

/* Receiving --------------------------------------------------------------- */

static gboolean
on_socket_readable (GSocket     *socket,
                    GIOCondition condition,
                    gpointer     user_data)
{
  PdDiscovery            *self = PD_DISCOVERY (user_data);

  /* A handler of items-changed may stop the discovery or drop it. */
  g_autoptr (PdDiscovery) hold = g_object_ref (self);

  (void) hold;

  /* Bounded, so that a flood of datagrams cannot hold the main loop; what is
   * left is read on the next iteration.
   */
  for (guint i = 0; i < MAX_PER_DISPATCH && (self->socket == socket || self->alt_socket == socket); i++)
    {
      char                       buffer[MAX_DATAGRAM + 1];
      g_autoptr (GSocketAddress) from = NULL;
      g_autoptr (GError)         error = NULL;
      g_autofree char           *source = NULL;
      gssize                     n;

      n = g_socket_receive_from (socket, &from, buffer, sizeof buffer, NULL, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("receive: %s", error->message);
          break;
        }

      /* A datagram that filled the spare byte was larger than MAX_DATAGRAM
       * and arrived truncated.
       */
      if (n > MAX_DATAGRAM)
        continue;

      if (G_IS_INET_SOCKET_ADDRESS (from))
        source = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));

      pd_discovery_handle_datagram (self, buffer, (gsize) n, source);
    }

  return G_SOURCE_CONTINUE;
}

/* GObject ----------------------------------------------------------------- */

static void
pd_discovery_dispose (GObject *object)
{
  PdDiscovery *self = PD_DISCOVERY (object);

  pd_discovery_stop (self);
  if (self->expiry_source != NULL)
    {
      g_source_destroy (self->expiry_source);
      g_clear_pointer (&self->expiry_source, g_source_unref);
    }
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (pd_discovery_parent_class)->dispose (object);
}

static void
pd_discovery_finalize (GObject *object)
{
  PdDiscovery *self = PD_DISCOVERY (object);

  g_ptr_array_unref (self->printers);

  G_OBJECT_CLASS (pd_discovery_parent_class)->finalize (object);
}

static void
pd_discovery_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PdDiscovery *self = PD_DISCOVERY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, pd_discovery_get_port (self));
      break;

    case PROP_ALT_PORT:
      g_value_set_uint (value, self->alt_port);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->printers->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_discovery_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PdDiscovery *self = PD_DISCOVERY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      self->port = g_value_get_uint (value);
      break;

    case PROP_ALT_PORT:
      self->alt_port = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_discovery_class_init (PdDiscoveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_discovery_dispose;
  object_class->finalize = pd_discovery_finalize;
  object_class->get_property = pd_discovery_get_property;
  object_class->set_property = pd_discovery_set_property;

  /**
   * PdDiscovery:port:
   *
   * The UDP port to listen on: %PD_DISCOVERY_PORT for printers, 0 for any
   * free port (tests). While running, the port actually bound.
   */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, PD_DISCOVERY_PORT,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PdDiscovery:alt-port:
   *
   * A second UDP port to listen on as well, %PD_DISCOVERY_ALT_PORT for
   * printers, 0 for none. If it cannot be bound, the discovery runs on
   * #PdDiscovery:port alone.
   */
  properties[PROP_ALT_PORT] =
    g_param_spec_uint ("alt-port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * PdDiscovery:n-items:
   *
   * The number of printers listed.
   */
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_discovery_init (PdDiscovery *self)
{
  self->printers = g_ptr_array_new_with_free_func (g_object_unref);
  self->context = g_main_context_ref_thread_default ();

  self->expiry_source = g_source_new (&expiry_source_funcs, sizeof (GSource));
  g_source_set_name (self->expiry_source, "[printdeck] discovery expiry");
  g_source_set_callback (self->expiry_source, on_expiry, self, NULL);
  g_source_set_ready_time (self->expiry_source, -1);
  g_source_attach (self->expiry_source, self->context);
}

/* Public API -------------------------------------------------------------- */

/**
 * pd_discovery_new:
 * @port: the UDP port, %PD_DISCOVERY_PORT (or 0 for any free port)
 *
 * The discovery uses the thread-default main context of the thread that
 * creates it.
 *
 * Returns: (transfer full): a discovery, not listening yet
 */
PdDiscovery *
pd_discovery_new (guint port)
{
  g_return_val_if_fail (port <= G_MAXUINT16, NULL);

  return g_object_new (PD_TYPE_DISCOVERY, "port", port, NULL);
}

/**
 * pd_discovery_start:
 * @self: a discovery
 * @error: return location for an error
 *
 * Listens on 0.0.0.0:port. The port is shared (SO_REUSEADDR, and
 * SO_REUSEPORT where there is one), as Bambu Studio on the same computer may
 * listen on it too; broadcasts reach every listener.
 *
 * Returns: %TRUE if listening (or already listening)
 */
static gboolean
open_listener (PdDiscovery *self,
               guint        port,
               GSocket    **out_socket,
               GSource    **out_source,
               guint       *out_bound,
               GError     **error)
{
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GInetAddress)   any = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  GSource                   *source;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return FALSE;

  /* Never block the main loop: reads return WOULD_BLOCK instead. */
  g_socket_set_blocking (socket, FALSE);

  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (any, (guint16) port);

  /* allow_reuse sets SO_REUSEADDR, and SO_REUSEPORT on datagram sockets
   * where the platform has it (gsocket.c, g_socket_bind()).
   */
  if (!g_socket_bind (socket, address, TRUE, error))
    return FALSE;

  local = g_socket_get_local_address (socket, error);
  if (local == NULL)
    return FALSE;

  source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_name (source, "[printdeck] discovery");
  g_source_set_callback (source, G_SOURCE_FUNC (on_socket_readable), self, NULL);
  g_source_attach (source, self->context);

  *out_bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  *out_socket = g_steal_pointer (&socket);
  *out_source = source;
  g_debug ("listening on UDP port %u", *out_bound);

  return TRUE;
}

static void
close_listener (GSocket **socket,
                GSource **source)
{
  if (*socket == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
  g_socket_close (*socket, NULL);
  g_clear_object (socket);
}

/**
 * pd_discovery_start:
 * @self: a discovery
 * @error: return location for an error
 *
 * Listens on 0.0.0.0:port (and on 0.0.0.0:alt-port if one is set and free).
 * The ports are shared (SO_REUSEADDR, and SO_REUSEPORT where there is one),
 * as Bambu Studio on the same computer may listen on them too; broadcasts
 * reach every listener.
 *
 * Returns: %TRUE if listening (or already listening)
 */
gboolean
pd_discovery_start (PdDiscovery *self,
                    GError     **error)
{
  g_return_val_if_fail (PD_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->socket != NULL)
    return TRUE;

  if (!open_listener (self, self->port, &self->socket, &self->socket_source, &self->bound_port, error))
    return FALSE;

  if (self->alt_port != 0)
    {
      g_autoptr (GError) alt_error = NULL;
      guint              alt_bound = 0;

      if (!open_listener (self, self->alt_port, &self->alt_socket, &self->alt_source, &alt_bound, &alt_error))
        g_debug ("not listening on UDP port %u as well: %s", self->alt_port, alt_error->message);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);

  return TRUE;
}

/**
 * pd_discovery_stop:
 * @self: a discovery
 *
 * Closes the sockets. The printers found so far stay listed until they
 * expire.
 */
void
pd_discovery_stop (PdDiscovery *self)
{
  g_return_if_fail (PD_IS_DISCOVERY (self));

  if (self->socket == NULL)
    return;

  close_listener (&self->socket, &self->socket_source);
  close_listener (&self->alt_socket, &self->alt_source);
  self->bound_port = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

/**
 * pd_discovery_is_listening_on_alt_port:
 * @self: a discovery
 *
 * Returns: %TRUE while the second port is bound too
 */
gboolean
pd_discovery_is_listening_on_alt_port (PdDiscovery *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERY (self), FALSE);

  return self->alt_socket != NULL;
}

/**
 * pd_discovery_get_port:
 * @self: a discovery
 *
 * Returns: the UDP port bound while running, else the port asked for
 */
guint
pd_discovery_get_port (PdDiscovery *self)
{
  g_return_val_if_fail (PD_IS_DISCOVERY (self), 0);

  return self->socket != NULL ? self->bound_port : self->port;
}

/**
 * pd_discovery_handle_datagram:
 * @self: a discovery
 * @data: (array length=length): a datagram's bytes
 * @length: its length
 * @source_address: (nullable): the IPv4 address it came from
 *
 * Lists, updates or (on "ssdp:byebye") removes the printer a datagram
 * announces. Anything that is not a valid announcement is ignored.
 *
 * Returns: %TRUE if the datagram was a printer's announcement
 */
gboolean
pd_discovery_handle_datagram (PdDiscovery *self,
                              const char  *data,
                              gsize        length,
                              const char  *source_address)
{
  g_autofree char     *text = NULL;
  Announcement         ann = { 0 };
  PdDiscoveredPrinter *printer = NULL;
  guint                position = 0;
  gboolean             ok;

  g_return_val_if_fail (PD_IS_DISCOVERY (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (length == 0 || length > MAX_DATAGRAM || memchr (data, '\0', length) != NULL)
    return FALSE;

  text = g_strndup (data, length);
  ok = parse_announcement (text, source_address, &ann);
  if (!ok)
    {
      announcement_clear (&ann);
      return FALSE;
    }

  for (guint i = 0; i < self->printers->len; i++)
    {
      PdDiscoveredPrinter *p = g_ptr_array_index (self->printers, i);

      if (g_str_equal (p->serial, ann.serial))
        {
          printer = p;
          position = i;
          break;
        }
    }

  if (ann.byebye)
    {
      if (printer != NULL)
        {
          g_ptr_array_remove_index (self->printers, position);
          items_changed (self, position, 1, 0);
          schedule_expiry (self);
        }
      announcement_clear (&ann);
      return TRUE;
    }

  if (printer == NULL)
    {
      /* A full list ignores newcomers rather than dropping printers already
       * listed: a flood of fake serials cannot push real printers out.
       */
      if (self->printers->len >= MAX_PRINTERS)
        {
          announcement_clear (&ann);
          return FALSE;
        }

      printer = g_object_new (PD_TYPE_DISCOVERED_PRINTER, NULL);
      printer->serial = g_strdup (ann.serial);
      printer_update (printer, &ann, g_get_real_time ());
      printer->expires = g_get_monotonic_time () + entry_lifetime (self, &ann);
      g_ptr_array_insert (self->printers, 0, printer);
      g_debug ("found %s at %s", printer->serial, printer->host);
      items_changed (self, 0, 0, 1);
    }
  else
    {
      printer->expires = g_get_monotonic_time () + entry_lifetime (self, &ann);
      printer_update (printer, &ann, g_get_real_time ());
    }

  schedule_expiry (self);
  announcement_clear (&ann);

  return TRUE;
}

/**
 * pd_discovery_set_expiry_for_testing:
 * @self: a discovery
 * @msec: how long a printer stays listed after its last announcement
 *
 * Caps how long printers stay listed (5 minutes, or the announcement's
 * max-age), so that a test can see printers expire.
 */
void
pd_discovery_set_expiry_for_testing (PdDiscovery *self,
                                     guint        msec)
{
  g_return_if_fail (PD_IS_DISCOVERY (self));
  g_return_if_fail (msec > 0);

  self->expiry_cap = (gint64) msec * 1000;
}
