/* pd-printer-config.h — what the user told us about a printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Persisted in a keyfile under the user's config folder. The access code is
 * NOT part of it: it lives in the keyring (PdSecrets), keyed by serial.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PD_TYPE_PRINTER_CONFIG (pd_printer_config_get_type ())

/* printers.ini has a group "printer <serial>" per printer */
#define PD_PRINTER_CONFIG_GROUP_PREFIX "printer "

typedef struct
{
  char    *serial;        /* required: the printer's serial number (case matters) */
  char    *name;          /* what the user calls it; NULL: the model's name */
  char    *host;          /* IP address or host name */
  guint    port;          /* 8883 for a printer; a bridge's port otherwise */
  char    *model;         /* a PdModelInfo id ("X1C"); NULL: detect */
  char    *fingerprint;   /* pinned certificate, "AB:CD:…"; NULL: pin on first use */
  char    *bridge_user;   /* farm bridge: its user name; NULL: a printer (user bblp) */
  gboolean bridge_tls;    /* farm bridge: whether it speaks TLS */
  guint    camera_port;   /* 0: the camera kind's own (322 RTSPS, 6000 JPEG) */
  guint    ftp_port;      /* 0: 990, the printers' FTPS */
  char    *ftp_user;      /* NULL: bblp; a test server's user otherwise */
} PdPrinterConfig;

GType            pd_printer_config_get_type  (void) G_GNUC_CONST;
PdPrinterConfig *pd_printer_config_new       (const char            *serial,
                                              const char            *host);
PdPrinterConfig *pd_printer_config_copy      (const PdPrinterConfig *config);
void             pd_printer_config_free      (PdPrinterConfig       *config);
gboolean         pd_printer_config_equal     (const PdPrinterConfig *a,
                                              const PdPrinterConfig *b);
gboolean         pd_printer_config_validate  (const PdPrinterConfig *config,
                                              GError               **error);
PdPrinterConfig *pd_printer_config_new_from_key_file (GKeyFile   *keyfile,
                                                      const char *group,
                                                      GError    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdPrinterConfig, pd_printer_config_free)

G_END_DECLS
