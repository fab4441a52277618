/* pd-test-app.c — the app with simulated printers, for the UI tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pd-test-app.h"
#include "pd-test-util.h"

PdPrinter *
pd_test_app_add_sim_printer (PdApplication *app,
                             PdSimPrinter  *sp)
{
  PdPrinterStore *store = pd_application_get_store (app);

  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr (PdPrinterConfig) config = pd_printer_config_new (pd_sim_printer_get_serial (sp),
                                                                  pd_sim_printer_get_host (sp));
      g_autoptr (GAsyncResult)    result = NULL;
      g_autoptr (GError)          error = NULL;
      g_autoptr (PdPrinter)       printer = NULL;

      config->port = pd_sim_printer_get_port (sp);
      config->name = g_strdup (pd_sim_printer_get_name (sp));
      config->fingerprint = g_strdup (pd_sim_printer_get_fingerprint (sp));
      config->camera_port = pd_sim_printer_get_camera_port (sp);
      config->ftp_port = pd_sim_printer_get_ftp_port (sp);
      config->ftp_user = g_strdup (pd_sim_printer_get_ftp_user (sp));
      pd_printer_store_add_async (store, config, pd_sim_printer_get_access_code (sp), NULL, pd_test_store_result,
                                  &result);
      g_assert_true (pd_test_wait_for_result (&result, 10));
      printer = pd_printer_store_add_finish (store, result, &error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED))
        {
          g_assert_no_error (error);
          return pd_printer_store_find (store, pd_sim_printer_get_serial (sp));
        }
      pd_test_spin (50);
    }

  g_error ("the printer list was never read");
}
