/* pd-printer-store.h — the user's printers, each with its session
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pd-printer-config.h"
#include "pd-camera-source.h"
#include "pd-debug-log.h"
#include "pd-printer.h"
#include "pd-session.h"

G_BEGIN_DECLS

#define PD_TYPE_PRINTER_STORE (pd_printer_store_get_type ())

/* A GListModel of PdPrinter, sorted as added. */
G_DECLARE_FINAL_TYPE (PdPrinterStore, pd_printer_store, PD, PRINTER_STORE, GObject)

PdPrinterStore        *pd_printer_store_new             (const char          *config_dir,
                                                         const char          *cache_dir);
void                   pd_printer_store_load_async      (PdPrinterStore      *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean               pd_printer_store_load_finish     (PdPrinterStore      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
gboolean               pd_printer_store_reset_config    (PdPrinterStore      *self,
                                                         GError             **error);
void                   pd_printer_store_add_async       (PdPrinterStore        *self,
                                                         const PdPrinterConfig *config,
                                                         const char            *access_code,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
PdPrinter             *pd_printer_store_add_finish      (PdPrinterStore      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void                   pd_printer_store_update_async    (PdPrinterStore        *self,
                                                         const PdPrinterConfig *config,
                                                         const char            *access_code,
                                                         GCancellable          *cancellable,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
gboolean               pd_printer_store_update_finish   (PdPrinterStore      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void                   pd_printer_store_remove_async    (PdPrinterStore      *self,
                                                         const char          *serial,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean               pd_printer_store_remove_finish   (PdPrinterStore      *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);
void                   pd_printer_store_retry_secrets   (PdPrinterStore      *self);
gboolean               pd_printer_store_save_cache      (PdPrinterStore      *self,
                                                         GError             **error);
void                   pd_printer_store_shutdown        (PdPrinterStore      *self);

PdPrinter             *pd_printer_store_find            (PdPrinterStore      *self,
                                                         const char          *serial);
PdSession             *pd_printer_store_get_session     (PdPrinterStore      *self,
                                                         PdPrinter           *printer);
/* The printer's MQTT debug log (one per printer, stopped until started);
 * made on first use, its secret the printer's access code. */
PdDebugLog            *pd_printer_store_get_debug_log   (PdPrinterStore      *self,
                                                         PdPrinter           *printer);
/* The printer's camera (one per printer, shared by every view); made on first
 * use, kept configured (address, access code, pinned certificate) by the
 * store; NULL when the printer has no camera the app can show. */
PdCameraSource        *pd_printer_store_get_camera      (PdPrinterStore      *self,
                                                         PdPrinter           *printer);
const PdPrinterConfig *pd_printer_store_get_config      (PdPrinterStore      *self,
                                                         PdPrinter           *printer);
const char            *pd_printer_store_get_keyring_error (PdPrinterStore    *self);
void                   pd_printer_store_set_stale_timeout (PdPrinterStore    *self,
                                                           guint              seconds);

G_END_DECLS
