/* main.c
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pd-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (PdApplication) app = NULL;

  pd_application_prepare_process ();
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Once per process; notifications carry it as the sender's name. */
  g_set_application_name (_("Printdeck"));

  app = pd_application_new (APPLICATION_ID, G_APPLICATION_DEFAULT_FLAGS);

  return g_application_run (G_APPLICATION (app), argc, argv);
}
