/* test-window.c — the window with simulated printers, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real widgets, a real keyring (gnome-keyring under dbus-run-session, see
 * build-aux/dev.sh), printers simulated behind a real mosquitto with TLS.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <math.h>
#include <string.h>

#include "pd-application.h"
#include "pd-ams-swatch.h"
#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-hms-dialog.h"
#include "pd-printer-card.h"
#include "pd-printer-dialog.h"
#include "pd-sim.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"
#include "pd-window.h"

static PdSim             *sim;
static PdApplication     *app;
static PdWindow          *window;
static char              *config_dir;
static char              *cache_dir;

static const SecretSchema access_code_schema = {
  "io.github.printdeck.Printdeck.AccessCode",
  SECRET_SCHEMA_NONE,
  { { "serial", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
};

static GList *
cards (void)
{
  return _pd_window_get_cards (window);
}

static PdPrinterCard *
card_for (const char *serial)
{
  return _pd_window_find_card (window, serial);
}

/* Looks a label up by its name in the card's template. */
static const char *
card_label (PdPrinterCard *card,
            const char    *child)
{
  GtkWidget *label = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, child));

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_widget_get_visible (label) ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
}

static gboolean
store_has_n (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (pd_application_get_store (app))) == GPOINTER_TO_UINT (data);
}

static gboolean
all_connected (gpointer data)
{
  GListModel *model = G_LIST_MODEL (pd_application_get_store (app));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED)
        return FALSE;
    }

  return g_list_model_get_n_items (model) > 0;
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr (GError)    error = NULL;
  g_autoptr (PdPrinter) printer = pd_printer_store_add_finish (PD_PRINTER_STORE (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (printer);
}

static void
add_sim_printer (PdSimPrinter *sp)
{
  g_autoptr (PdPrinterConfig) config = pd_printer_config_new (pd_sim_printer_get_serial (sp), pd_sim_printer_get_host (sp));

  config->port = pd_sim_printer_get_port (sp);
  config->name = g_strdup (pd_sim_printer_get_name (sp));
  config->ftp_port = pd_sim_printer_get_ftp_port (sp);
  config->ftp_user = g_strdup (pd_sim_printer_get_ftp_user (sp));
  pd_printer_store_add_async (pd_application_get_store (app), config, pd_sim_printer_get_access_code (sp), NULL,
                              on_added, NULL);
}

static gboolean
stack_shows (gpointer data)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PD_TYPE_WINDOW, "stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), data) == 0;
}

/* Tests --------------------------------------------------------------------------*/

static void
test_empty_state (void)
{
  GtkWidget *empty = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PD_TYPE_WINDOW, "empty_page"));

  g_assert_true (pd_test_wait_until (stack_shows, (gpointer) "empty", 5));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==, "No Printers");
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-empty.png"));
}

static gboolean
card_shows_progress (gpointer data)
{
  PdPrinterCard *card = card_for (data);

  return card != NULL && card_label (card, "layer_label") != NULL &&
         g_str_has_prefix (card_label (card, "layer_label"), "Layer ");
}

static gboolean
card_layer_moved_on (gpointer data)
{
  gpointer *args = data;

  return g_strcmp0 (card_label (args[0], "layer_label"), args[1]) != 0;
}

static void
test_cards_follow_printers (void)
{
  PdSimPrinter    *h2d = pd_sim_get_printer (sim, 0);
  PdPrinterCard   *card;
  g_autofree char *first_layer = NULL;
  g_autofree char *description = NULL;
  const char      *nozzle;

  for (guint i = 0; i < pd_sim_get_n_printers (sim); i++)
    add_sim_printer (pd_sim_get_printer (sim, i));
  g_assert_true (pd_test_wait_until (store_has_n, GUINT_TO_POINTER (pd_sim_get_n_printers (sim)), 10));
  g_assert_true (pd_test_wait_until (all_connected, NULL, 15));
  g_assert_true (pd_test_wait_until (stack_shows, (gpointer) "printers", 5));

  pd_sim_printer_start_print (h2d);
  g_assert_true (pd_test_wait_until (card_shows_progress, (gpointer) pd_sim_printer_get_serial (h2d), 15));
  card = card_for (pd_sim_printer_get_serial (h2d));
  g_assert_cmpstr (card_label (card, "name_label"), ==, pd_sim_printer_get_name (h2d));
  g_assert_cmpstr (card_label (card, "model_label"), ==, "H2D");
  g_assert_cmpstr (card_label (card, "connection_label"), ==, "Online");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, "connection_box")),
                                           "connected"));
  nozzle = card_label (card, "nozzle_label");
  g_assert_nonnull (strstr (nozzle, "°C"));
  /* a dual-nozzle printer shows both nozzles */
  g_assert_cmpstr (card_label (card, "nozzle_caption"), ==, "Left nozzle");
  g_assert_nonnull (card_label (card, "nozzle_right_label"));

  /* the simulated print goes on, and the card with it (the next layer
   * comes within about 4 s at this speed: waited for, not slept) */
  first_layer = g_strdup (card_label (card, "layer_label"));
  {
    gpointer args[2] = { card, first_layer };

    g_assert_true (pd_test_wait_until (card_layer_moved_on, args, 15));
  }
  g_assert_cmpstr (card_label (card, "layer_label"), !=, first_layer);

  /* screen readers hear what the card shows */
  description = pd_printer_card_describe (card);
  g_assert_nonnull (strstr (description, "Printing"));
  g_assert_nonnull (strstr (description, "Layer"));
  /* the H2D has two nozzles */
  g_assert_nonnull (strstr (description, "left nozzle "));
  g_assert_nonnull (strstr (description, "°C"));

  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-light.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-dark.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
card_offline (gpointer data)
{
  PdPrinterCard *card = card_for (data);

  return card != NULL && g_strcmp0 (card_label (card, "connection_label"), "Offline") == 0;
}

static gboolean
card_online (gpointer data)
{
  PdPrinterCard *card = card_for (data);

  return card != NULL && g_strcmp0 (card_label (card, "connection_label"), "Online") == 0;
}

static gboolean
tooltip_says_unreachable (gpointer data)
{
  const char *tooltip = gtk_widget_get_tooltip_text (data);

  return tooltip != NULL && strstr (tooltip, "cannot be reached") != NULL;
}

static void
test_connection_indicator (void)
{
  PdSimPrinter      *a1 = pd_sim_get_printer (sim, 2);
  const char        *serial = pd_sim_printer_get_serial (a1);
  g_autoptr (GError) error = NULL;
  PdPrinterCard     *card;
  GtkWidget         *box;

  g_assert_true (pd_test_wait_until (card_online, (gpointer) serial, 10));
  g_assert_true (pd_sim_printer_set_offline (a1, TRUE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (card_offline, (gpointer) serial, 15));

  card = card_for (serial);
  box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, "connection_box"));
  g_assert_true (gtk_widget_has_css_class (box, "disconnected"));
  /* the reason, on hover: first the connection was lost, then the next
   * attempt finds nobody there
   */
  g_assert_true (pd_test_wait_until (tooltip_says_unreachable, box, 10));

  g_assert_true (pd_sim_printer_set_offline (a1, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (card_online, (gpointer) serial, 20));
}

static gboolean
no_file_contains (const char *dir_path,
                  const char *needle)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      gsize            length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (!no_file_contains (path, needle))
            return FALSE;
          continue;
        }
      if (g_file_get_contents (path, &contents, &length, NULL) &&
          g_strstr_len (contents, (gssize) length, needle) != NULL)
        {
          g_test_message ("%s contains the access code", path);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
dialog_closed (gpointer data)
{
  return *(gpointer *) data == NULL;
}

typedef struct
{
  PdPrinterStore *store;
  const char     *serial;
} Gone;

static gboolean
printer_gone (gpointer data)
{
  Gone *gone = data;

  return pd_printer_store_find (gone->store, gone->serial) == NULL;
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (pd_printer_store_remove_finish (PD_PRINTER_STORE (source), result, &error));
  g_assert_no_error (error);
}

/* Add a printer through the dialog, as a person would; the access code
 * ends up in the keyring and nowhere else; removing the printer removes it.
 */
static void
test_add_and_remove_with_keyring (void)
{
  PdSimPrinter      *p1p = pd_sim_get_printer (sim, 3);
  PdPrinterStore    *store = pd_application_get_store (app);
  GtkWidget         *dialog;
  g_autofree char   *secret = NULL;
  Gone               gone = { store, pd_sim_printer_get_serial (p1p) };

  /* it was added by the test before; remove it to add it again by hand */
  pd_printer_store_remove_async (store, pd_sim_printer_get_serial (p1p), NULL, on_removed, NULL);
  g_assert_true (pd_test_wait_until (printer_gone, &gone, 10));
  secret = pd_test_keyring_lookup (&access_code_schema, "serial", pd_sim_printer_get_serial (p1p));
  g_assert_null (secret);

  dialog = pd_printer_dialog_new_add (store);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  _pd_printer_dialog_fill (PD_PRINTER_DIALOG (dialog), "Shelf P1P", pd_sim_printer_get_host (p1p),
                           pd_sim_printer_get_serial (p1p), pd_sim_printer_get_access_code (p1p),
                           pd_sim_printer_get_port (p1p));
  g_object_unref (pd_test_save_screenshot (dialog, "add-printer.png"));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  g_assert_true (pd_test_wait_until (dialog_closed, &dialog, 10));

  g_assert_nonnull (pd_printer_store_find (store, pd_sim_printer_get_serial (p1p)));
  g_assert_cmpstr (pd_printer_get_name (pd_printer_store_find (store, pd_sim_printer_get_serial (p1p))), ==, "Shelf P1P");
  secret = pd_test_keyring_lookup (&access_code_schema, "serial", pd_sim_printer_get_serial (p1p));
  g_assert_cmpstr (secret, ==, pd_sim_printer_get_access_code (p1p));
  g_clear_pointer (&secret, g_free);

  /* no file of ours holds it */
  pd_printer_store_save_cache (store, NULL);
  g_assert_true (no_file_contains (config_dir, pd_sim_printer_get_access_code (p1p)));
  g_assert_true (no_file_contains (cache_dir, pd_sim_printer_get_access_code (p1p)));

  pd_printer_store_remove_async (store, pd_sim_printer_get_serial (p1p), NULL, on_removed, NULL);
  g_assert_true (pd_test_wait_until (printer_gone, &gone, 10));
  secret = pd_test_keyring_lookup (&access_code_schema, "serial", pd_sim_printer_get_serial (p1p));
  g_assert_null (secret);
}

static gboolean
leaflet_shows_printer (gpointer data)
{
  GtkWidget *leaflet = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), PD_TYPE_WINDOW, "leaflet"));

  return g_strcmp0 (adw_leaflet_get_visible_child_name (ADW_LEAFLET (leaflet)), "printer") == 0;
}

static void
test_printer_page (void)
{
  PdSimPrinter *x1c = pd_sim_get_printer (sim, 1);
  PdPrinter    *printer = pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (x1c));

  g_assert_nonnull (printer);
  pd_window_show_printer (window, printer);
  g_assert_true (pd_test_wait_until (leaflet_shows_printer, NULL, 5));
  /* the history fills from the reports */
  pd_test_spin (2500);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "printer-page.png"));

  /* Controls are actions: pause is possible while printing */
  pd_sim_printer_start_print (x1c);
  pd_test_spin (2500);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-printers", NULL));
}

static gboolean
test_result_ready (gpointer data)
{
  const char *result = _pd_printer_dialog_get_test_result (data);

  return result != NULL && *result != '\0';
}

/* "Test" connects once with what was typed and says what is wrong. */
static void
test_dialog_test_connection (void)
{
  PdSimPrinter *a1 = pd_sim_get_printer (sim, 2);
  GtkWidget    *dialog = pd_printer_dialog_new_add (pd_application_get_store (app));

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));

  _pd_printer_dialog_fill (PD_PRINTER_DIALOG (dialog), "", pd_sim_printer_get_host (a1),
                           pd_sim_printer_get_serial (a1), "00000000", pd_sim_printer_get_port (a1));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.test", NULL));
  g_assert_true (pd_test_wait_until (test_result_ready, dialog, 15));
  g_assert_nonnull (strstr (_pd_printer_dialog_get_test_result (PD_PRINTER_DIALOG (dialog)), "Wrong access code"));

  _pd_printer_dialog_fill (PD_PRINTER_DIALOG (dialog), "", pd_sim_printer_get_host (a1),
                           pd_sim_printer_get_serial (a1), pd_sim_printer_get_access_code (a1),
                           pd_sim_printer_get_port (a1));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.test", NULL));
  g_assert_true (pd_test_wait_until (test_result_ready, dialog, 15));
  g_assert_nonnull (strstr (_pd_printer_dialog_get_test_result (PD_PRINTER_DIALOG (dialog)), "Connected to A1"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
discovery_has_printer (gpointer data)
{
  return g_list_model_get_n_items (G_LIST_MODEL (pd_application_get_discovery (app))) > 0;
}

/* A printer announcing itself (over loopback only) is offered in the dialog. */
static void
test_dialog_discovered_printer (void)
{
  const char                *notify = "NOTIFY * HTTP/1.1\r\nHost: 239.255.255.250:1990\r\nServer: UPnP/1.0\r\n"
                                      "Location: 127.0.0.1\r\nNT: urn:bambulab-com:device:3dprinter:1\r\nNTS: ssdp:alive\r\n"
                                      "USN: 01P00A123456789\r\nCache-Control: max-age=1800\r\nDevModel.bambu.com: C12\r\n"
                                      "DevName.bambu.com: Garage P1S\r\nDevSignal.bambu.com: -44\r\nDevConnect.bambu.com: lan\r\n"
                                      "DevBind.bambu.com: free\r\nDevVersion.bambu.com: 01.07.00.00\r\n\r\n";
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) to = NULL;
  g_autoptr (GError)         error = NULL;
  PdDiscovery               *discovery = pd_application_get_discovery (app);
  GtkWidget                 *dialog;
  GtkWidget                 *list;

  g_assert_nonnull (discovery);
  g_assert_cmpuint (pd_discovery_get_port (discovery), !=, 0);
  g_assert_cmpuint (pd_discovery_get_port (discovery), !=, PD_DISCOVERY_PORT);

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  to = g_inet_socket_address_new (loopback, pd_discovery_get_port (discovery));
  g_socket_send_to (socket, to, notify, strlen (notify), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pd_test_wait_until (discovery_has_printer, NULL, 5));

  dialog = pd_printer_dialog_new_add (pd_application_get_store (app));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  list = GTK_WIDGET (gtk_widget_get_template_child (dialog, PD_TYPE_PRINTER_DIALOG, "discovered_list"));
  g_assert_true (ADW_IS_ACTION_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0))),
                   ==, "Garage P1S");
  g_object_unref (pd_test_save_screenshot (dialog, "add-printer-found.png"));

  /* choosing it fills in what it announced */
  g_signal_emit_by_name (list, "row-activated", gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (dialog, PD_TYPE_PRINTER_DIALOG, "serial_row"))),
                   ==, "01P00A123456789");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (gtk_widget_get_template_child (dialog, PD_TYPE_PRINTER_DIALOG, "host_row"))),
                   ==, "127.0.0.1");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
card_named (gpointer data)
{
  PdPrinterCard *card = card_for (pd_sim_printer_get_serial (pd_sim_get_printer (sim, 1)));

  return card != NULL && g_strcmp0 (card_label (card, "name_label"), data) == 0;
}

/* Editing applies to the live printer: a new name shows on its card. */
static void
test_edit_printer (void)
{
  PdSimPrinter *x1c = pd_sim_get_printer (sim, 1);
  PdPrinter    *printer = pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (x1c));
  GtkWidget    *dialog = pd_printer_dialog_new_edit (pd_application_get_store (app), printer);
  GtkWidget    *name_row = GTK_WIDGET (gtk_widget_get_template_child (dialog, PD_TYPE_PRINTER_DIALOG, "name_row"));

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, pd_sim_printer_get_name (x1c));

  gtk_editable_set_text (GTK_EDITABLE (name_row), "Workshop X1C");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  g_assert_true (pd_test_wait_until (dialog_closed, &dialog, 10));
  g_assert_true (pd_test_wait_until (card_named, (gpointer) "Workshop X1C", 5));
  /* still connected: the code in the keyring was kept */
  pd_test_spin (1500);
  g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
}

/* One column in a narrow window, several in a wide one. */
static void
test_reflow (void)
{
  g_autoptr (GList) list = NULL;
  graphene_point_t  first, second;

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  pd_test_spin (500);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-narrow.png"));
  list = cards ();
  g_assert_cmpuint (g_list_length (list), >=, 2);
  g_assert_true (gtk_widget_compute_point (list->data, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0), &first));
  g_assert_true (gtk_widget_compute_point (list->next->data, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0), &second));
  g_assert_cmpfloat (first.x, ==, second.x);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  pd_test_spin (500);
  g_assert_true (gtk_widget_compute_point (list->data, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0), &first));
  g_assert_true (gtk_widget_compute_point (list->next->data, GTK_WIDGET (window), &GRAPHENE_POINT_INIT (0, 0), &second));
  g_assert_cmpfloat (first.x, !=, second.x);
}

static gboolean
all_cards_made (gpointer data)
{
  return pd_window_get_all_cards_made (data);
}

/* A window is drawn before its cards are made (a few a frame after its
 * first frame): a new window for the printers already there, as when the
 * app runs on in the background and a window is opened again. */
static void
test_cards_after_first_frame (void)
{
  GListModel       *store = G_LIST_MODEL (pd_application_get_store (app));
  guint             n = g_list_model_get_n_items (store);
  PdWindow         *second, *closed;
  g_autoptr (GList) list = NULL;

  g_assert_cmpuint (n, >, 0);
  second = pd_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (second), 1280, 800);
  list = _pd_window_get_cards (second);
  g_assert_null (list);
  g_assert_false (pd_window_get_all_cards_made (second));

  gtk_window_present (GTK_WINDOW (second));
  g_assert_true (pd_test_wait_until (all_cards_made, second, 10));
  pd_test_wait_for_frames (GTK_WIDGET (second));
  g_assert_true (pd_window_get_cards_in_view (second));
  list = _pd_window_get_cards (second);
  g_assert_cmpuint (g_list_length (list), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (store, i);

      g_assert_nonnull (_pd_window_find_card (second, pd_printer_get_serial (printer)));
    }
  gtk_window_destroy (GTK_WINDOW (second));

  /* closed before its cards were made */
  closed = pd_window_new (app);
  gtk_window_present (GTK_WINDOW (closed));
  gtk_window_destroy (GTK_WINDOW (closed));
  pd_test_spin (200);
  gtk_window_present (GTK_WINDOW (window));
}

static void
count_change (guint *count)
{
  (*count)++;
}

static gboolean
count_reaches_three (gpointer data)
{
  return *(guint *) data >= 3;
}

static gboolean
card_in_view (gpointer data)
{
  return pd_printer_card_get_in_view (data);
}

static gboolean
first_seen_last_not (gpointer data)
{
  g_autoptr (GList) list = cards ();

  return g_list_length (list) >= 3 && pd_printer_card_get_in_view (list->data) &&
         !pd_printer_card_get_in_view (g_list_last (list)->data);
}

/* A card out of view does not follow its printer (no layout, no redraw);
 * scrolled into view, it shows the printer as it is at once. */
static void
test_cards_out_of_view (void)
{
  g_autoptr (GList) list = NULL;
  PdPrinterCard    *seen, *hidden;
  PdPrinter        *printer;
  GtkAdjustment    *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (_pd_window_get_grid_view (window)));
  guint             seen_updates, hidden_updates, changes = 0, seen_changes = 0;
  gulong            handler, seen_handler;

  /* one column, about one card high: once laid out (the window tells the
   * cards after layout), the first card is in view and the last is not */
  gtk_adjustment_set_value (adjustment, 0);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 320);
  g_assert_true (pd_test_wait_until (first_seen_last_not, NULL, 5));
  list = cards ();
  g_assert_cmpuint (g_list_length (list), >=, 3);
  seen = list->data;
  hidden = g_list_last (list)->data;
  g_assert_true (pd_printer_card_get_in_view (seen));
  g_assert_false (pd_printer_card_get_in_view (hidden));

  printer = pd_printer_card_get_printer (hidden);
  handler = g_signal_connect_swapped (printer, "state-changed", G_CALLBACK (count_change), &changes);
  seen_handler = g_signal_connect_swapped (pd_printer_card_get_printer (seen), "state-changed",
                                           G_CALLBACK (count_change), &seen_changes);
  seen_updates = _pd_printer_card_get_n_updates (seen);
  hidden_updates = _pd_printer_card_get_n_updates (hidden);
  g_assert_true (pd_test_wait_until (count_reaches_three, &changes, 20));
  g_assert_true (pd_test_wait_until (count_reaches_three, &seen_changes, 20));
  g_test_message ("out of view: %u reports, %u card updates; in view: %u reports, %u card updates", changes,
                  _pd_printer_card_get_n_updates (hidden) - hidden_updates, seen_changes,
                  _pd_printer_card_get_n_updates (seen) - seen_updates);
  g_assert_cmpuint (_pd_printer_card_get_n_updates (hidden), ==, hidden_updates);
  g_assert_cmpuint (_pd_printer_card_get_n_updates (seen), >, seen_updates);

  /* to the bottom: it catches up */
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_true (pd_test_wait_until (card_in_view, hidden, 5));
  g_assert_cmpuint (_pd_printer_card_get_n_updates (hidden), >, hidden_updates);
  g_assert_cmpstr (card_label (hidden, "status_label"), ==, pd_status_to_label (pd_printer_get_status (printer)));
  g_assert_false (pd_printer_card_get_in_view (seen));

  g_signal_handler_disconnect (printer, handler);
  g_signal_handler_disconnect (pd_printer_card_get_printer (seen), seen_handler);
  gtk_adjustment_set_value (adjustment, 0);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  pd_test_spin (500);
}

typedef struct
{
  PdPrinterCard *card;
  guint          before;
} UpdateWatch;

static gboolean
card_updated (gpointer data)
{
  UpdateWatch *watch = data;

  return _pd_printer_card_get_n_updates (watch->card) > watch->before;
}

/* Many changes of a printer in view between two frames are one update of
 * its card, a quarter of a second later at most: cards catch up together. */
static void
test_cards_catch_up_together (void)
{
  g_autoptr (GList) list = cards ();
  PdPrinter        *printer;
  UpdateWatch       watch;
  guint             reports = 0;
  gulong            handler;
  gint64            start;

  g_assert_nonnull (list);
  watch.card = list->data;
  g_assert_true (pd_test_wait_until (card_in_view, watch.card, 5));
  printer = pd_printer_card_get_printer (watch.card);
  /* let an update already due pass */
  pd_test_spin (400);

  handler = g_signal_connect_swapped (printer, "state-changed", G_CALLBACK (count_change), &reports);
  watch.before = _pd_printer_card_get_n_updates (watch.card);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 20; i++)
    g_object_notify (G_OBJECT (printer), "name");
  /* not one update per change, and none before the others' turn */
  g_assert_cmpuint (_pd_printer_card_get_n_updates (watch.card), ==, watch.before);
  g_assert_true (pd_test_wait_until (card_updated, &watch, 2));
  g_test_message ("caught up after %.0f ms", (g_get_monotonic_time () - start) / 1000.0);
  pd_test_spin (600);
  g_test_message ("20 changes and %u reports: %u card updates", reports,
                  _pd_printer_card_get_n_updates (watch.card) - watch.before);
  /* the 20 changes are one update; a report in the meantime may add one */
  g_assert_cmpuint (_pd_printer_card_get_n_updates (watch.card) - watch.before, <=, 1 + reports);
  g_signal_handler_disconnect (printer, handler);
}

/* Keyboard: a card is focusable and Enter opens its page; Escape goes back. */
/* A name a screen reader can say for a focus stop: its label, the tooltip
 * of it or of the control it is part of (a menu button's inner button), or
 * for a card the printer's name.
 */
static GtkWidget *find_descendant (GtkWidget  *widget,
                                   GType       type,
                                   const char *name);

static const char *
focus_stop_name (GtkWidget *widget)
{
  if (PD_IS_PRINTER_CARD (widget))
    return pd_printer_get_name (pd_printer_card_get_printer (PD_PRINTER_CARD (widget)));

  /* A plain list row is named by what it says (its first label); PdAmsView
   * also gives its rows a label in words.
   */
  if (GTK_IS_LIST_BOX_ROW (widget) && !ADW_IS_PREFERENCES_ROW (widget))
    {
      GtkWidget *label = find_descendant (widget, GTK_TYPE_LABEL, NULL);

      if (label != NULL && *gtk_label_get_label (GTK_LABEL (label)) != '\0')
        return gtk_label_get_label (GTK_LABEL (label));
    }

  /* A row is named by its title. */
  if (ADW_IS_PREFERENCES_ROW (widget) && *adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)) != '\0')
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));

  /* A row's control (switch, spin button) is labelled by the row
   * (labelled-by in the .ui, which GTK 4.8 cannot read back).
   */
  {
    GtkWidget *row = gtk_widget_get_ancestor (widget, ADW_TYPE_ACTION_ROW);

    if (row != NULL && adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget)
      return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  }

  /* A toast's close button: libadwaita labels it ("Dismiss"). */
  if (gtk_widget_get_ancestor (widget, g_type_from_name ("AdwToastWidget")) != NULL)
    return "Dismiss";

  for (guint depth = 0; widget != NULL && depth < 3; depth++, widget = gtk_widget_get_parent (widget))
    {
      if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
        return gtk_button_get_label (GTK_BUTTON (widget));
      if (gtk_widget_get_tooltip_text (widget) != NULL)
        return gtk_widget_get_tooltip_text (widget);
    }

  return NULL;
}

/* Walks the focus chain with Tab (bounded): every card and every header
 * control is reached, and each stop has a name.
 */
static void add_name (GHashTable *names,
                      const char *name);

/* Tab stops at one card of the grid; the arrow keys go to the others, as
 * in any GTK grid. Walks them from @cell, right and down, and back. */
static void
walk_grid (GtkWidget  *card,
           GHashTable *names)
{
  GtkWidget             *grid = GTK_WIDGET (_pd_window_get_grid_view (window));
  GtkRoot               *root = gtk_widget_get_root (card);
  g_autoptr (GHashTable) visited = g_hash_table_new (NULL, NULL);

  /* to the first card, then right along each row; at a row's end, back to
   * its start and down (below the last row, GTK goes to the last card) */
  for (guint i = 0; i < 200; i++)
    if (!gtk_widget_child_focus (grid, GTK_DIR_LEFT) && !gtk_widget_child_focus (grid, GTK_DIR_UP))
      break;
  for (guint i = 0; i < 200; i++)
    {
      GtkWidget *focus = gtk_root_get_focus (root);

      g_assert_true (PD_IS_PRINTER_CARD (focus));
      if (!g_hash_table_add (visited, focus))
        break;
      g_test_message ("Arrow: %s \"%s\"", G_OBJECT_TYPE_NAME (focus), focus_stop_name (focus));
      add_name (names, focus_stop_name (focus));
      if (!gtk_widget_child_focus (grid, GTK_DIR_RIGHT) || gtk_root_get_focus (root) == focus)
        {
          for (guint j = 0; j < 50 && gtk_widget_child_focus (grid, GTK_DIR_LEFT); j++)
            ;
          if (!gtk_widget_child_focus (grid, GTK_DIR_DOWN))
            break;
        }
    }
  g_assert_cmpuint (g_hash_table_size (visited), ==, g_list_model_get_n_items (G_LIST_MODEL (gtk_grid_view_get_model (GTK_GRID_VIEW (grid)))));
  gtk_widget_grab_focus (card);
}

static void
walk_focus_chain (GtkWidget  *root,
                  GHashTable *names)
{
  GtkWidget *first = NULL;

  gtk_root_set_focus (GTK_ROOT (root), NULL);
  for (guint i = 0; i < 200; i++)
    {
      GtkWidget  *focus;
      const char *name;

      if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
        {
          /* Off the end: start over from the top, as Tab does. */
          gtk_root_set_focus (GTK_ROOT (root), NULL);
          if (!gtk_widget_child_focus (root, GTK_DIR_TAB_FORWARD))
            break;
        }
      focus = gtk_root_get_focus (GTK_ROOT (root));
      g_assert_nonnull (focus);
      if (focus == first)
        return;
      if (first == NULL)
        first = focus;

      name = focus_stop_name (focus);
      if (name == NULL)
        {
          g_autoptr (GString) path = g_string_new (NULL);

          for (GtkWidget *w = focus; w != NULL; w = gtk_widget_get_parent (w))
            g_string_append_printf (path, " < %s%s%s", G_OBJECT_TYPE_NAME (w),
                                    gtk_widget_get_name (w) != NULL ? "#" : "", gtk_widget_get_name (w));
          g_error ("focus stop without a name: %s", path->str);
        }
      g_test_message ("Tab: %s \"%s\"", G_OBJECT_TYPE_NAME (focus), name);
      if (PD_IS_PRINTER_CARD (focus))
        walk_grid (focus, names);
      add_name (names, name);
    }
  g_error ("the focus chain did not come round in 200 steps");
}

/* without mnemonic underlines */
static void
add_name (GHashTable *names,
          const char *name)
{
  g_autofree char *plain = g_strdup (name);
  char            *out = plain;

  for (const char *in = name; *in != '\0'; in++)
    if (*in != '_')
      *out++ = *in;
  *out = '\0';
  g_hash_table_add (names, g_steal_pointer (&plain));
}

static void
test_keyboard (void)
{
  g_autoptr (GList)      all_cards = cards ();
  GtkWidget             *child = all_cards->data;
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GListModel            *store = G_LIST_MODEL (pd_application_get_store (app));

  walk_focus_chain (GTK_WIDGET (window), names);
  for (guint i = 0; i < g_list_model_get_n_items (store); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (store, i);

      if (!g_hash_table_contains (names, pd_printer_get_name (printer)))
        g_error ("no focus stop for %s", pd_printer_get_name (printer));
    }
  g_assert_true (g_hash_table_contains (names, "Add Printer"));
  g_assert_true (g_hash_table_contains (names, "Main Menu"));
  g_assert_true (g_hash_table_contains (names, "Sort and Filter"));
  g_assert_cmpuint (g_list_model_get_n_items (store), >, 0);

  /* Enter on a card opens its page. */
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (child)));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (child)));
  /* what Enter does on a card */
  g_assert_true (gtk_widget_activate (child));
  g_assert_true (pd_test_wait_until (leaflet_shows_printer, NULL, 5));

  /* The printer page: its controls are reachable and named too. */
  pd_test_spin (300);
  g_hash_table_remove_all (names);
  walk_focus_chain (GTK_WIDGET (window), names);
  g_assert_true (g_hash_table_contains (names, "Back to All Printers"));
  g_assert_true (g_hash_table_contains (names, "Pause"));
  g_assert_true (g_hash_table_contains (names, "Stop…"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-printers", NULL));
}

/* Health: the simulator raises a fatal HMS error, the card's indicator turns
 * red and says so, the dialog explains it; the error clears, back to OK.
 */
#define NOZZLE_SHORT_ATTR 0x03000200u /* 0300_0200_0001_0006: nozzle sensor short circuit */
#define NOZZLE_SHORT_CODE 0x00010006u

static gboolean
printer_is_fatal (gpointer data)
{
  return pd_printer_get_hms_level (data) == PD_SEVERITY_FATAL;
}

static gboolean
printer_is_healthy (gpointer data)
{
  return pd_printer_get_hms_level (data) == PD_SEVERITY_NONE &&
         g_list_model_get_n_items (pd_printer_get_hms_errors (data)) == 0;
}

static gboolean
has_print_error (gpointer data)
{
  return pd_printer_get_print_error_code (data) != 0;
}

static PdHmsDialog *
find_health_dialog (PdPrinter *printer)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (PD_IS_HMS_DIALOG (toplevel) && pd_hms_dialog_get_printer (PD_HMS_DIALOG (toplevel)) == printer &&
          gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return PD_HMS_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
has_health_dialog (gpointer data)
{
  return find_health_dialog (data) != NULL;
}

/* The first descendant of @widget of @type (and @name, if given). */
static GtkWidget *
find_descendant (GtkWidget  *widget,
                 GType       type,
                 const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) && (name == NULL || g_strcmp0 (gtk_widget_get_name (child), name) == 0))
        return child;
      if ((found = find_descendant (child, type, name)) != NULL)
        return found;
    }

  return NULL;
}

static void
test_health (void)
{
  PdSimPrinter  *x1c = pd_sim_get_printer (sim, 1);
  PdPrinter     *printer = pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (x1c));
  PdPrinterCard *card;
  GtkWidget     *button;
  GtkLabel      *badge;
  PdHmsDialog   *dialog;
  GtkListBox    *list;
  GtkWidget     *row;
  GtkWidget     *link;
  GtkStack      *stack;
  const char    *uri;

  g_assert_nonnull (printer);
  pd_printer_set_hms_linger (printer, 300);
  pd_sim_printer_clear_hms (x1c);
  g_assert_true (pd_test_wait_until (printer_is_healthy, printer, 10));

  card = card_for (pd_sim_printer_get_serial (x1c));
  g_assert_nonnull (card);
  pd_test_card_catch_up (GTK_WIDGET (card));
  button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, "hms_button"));
  badge = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (card), PD_TYPE_PRINTER_CARD, "hms_label"));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_has_css_class (button, "ok"));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "OK");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "No health warnings");

  /* Fatal: red, with the word and the count */
  pd_sim_printer_add_hms (x1c, NOZZLE_SHORT_ATTR, NOZZLE_SHORT_CODE);
  g_assert_true (pd_test_wait_until (printer_is_fatal, printer, 10));
  pd_test_card_catch_up (GTK_WIDGET (card));
  g_assert_true (gtk_widget_has_css_class (button, "fatal"));
  g_assert_false (gtk_widget_has_css_class (button, "ok"));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "Fatal");
  /* the tooltip carries the accessible label's words (GTK 4.8 cannot read
   * an accessible property back)
   */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "1 health warning, highest: fatal");
  pd_test_spin (500);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-health.png"));

  /* The dialog: description, what to do, the code's article */
  gtk_widget_activate (button);
  g_assert_true (pd_test_wait_until (has_health_dialog, printer, 5));
  dialog = find_health_dialog (printer);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 520);
  list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (dialog), PD_TYPE_HMS_DIALOG, "hms_list"));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, 0));
  g_assert_nonnull (row);
  g_assert_null (gtk_list_box_get_row_at_index (list, 1));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (find_descendant (row, GTK_TYPE_LABEL, "description"))),
                            "nozzle temperature is abnormal"));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (find_descendant (row, GTK_TYPE_LABEL, "action"))),
                            "connector"));
  link = find_descendant (row, GTK_TYPE_LINK_BUTTON, NULL);
  g_assert_nonnull (link);
  uri = gtk_link_button_get_uri (GTK_LINK_BUTTON (link));
  g_test_message ("support article: %s", uri);
  g_assert_true (g_str_has_prefix (uri, "https://"));
  g_assert_true (strstr (uri, "0300_0200_0001_0006") != NULL || strstr (uri, "0300020000010006") != NULL);
  g_assert_true (gtk_widget_is_sensitive (find_descendant (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "update_button")));
  pd_test_spin (300);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (dialog), "health-dialog.png"));

  /* Cleared: after the linger, back to OK, and the dialog says so */
  pd_sim_printer_clear_hms (x1c);
  g_assert_true (pd_test_wait_until (printer_is_healthy, printer, 10));
  pd_test_card_catch_up (GTK_WIDGET (card));
  g_assert_true (gtk_widget_has_css_class (button, "ok"));
  g_assert_cmpstr (gtk_label_get_label (badge), ==, "OK");
  stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (dialog), PD_TYPE_HMS_DIALOG, "stack"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");

  /* A failed print: its print error is explained too */
  pd_sim_printer_fail (x1c);
  g_assert_true (pd_test_wait_until (has_print_error, printer, 10));
  pd_test_spin (100);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");
  g_assert_true (gtk_widget_get_visible (
    GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), PD_TYPE_HMS_DIALOG, "print_error_group"))));
  list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (dialog), PD_TYPE_HMS_DIALOG, "print_error_list"));
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (list, 0));
  g_assert_nonnull (row);
  g_test_message ("print error: %s",
                  gtk_label_get_label (GTK_LABEL (find_descendant (row, GTK_TYPE_LABEL, "description"))));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (find_descendant (row, GTK_TYPE_LABEL, "description"))),
                            "feed"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  pd_sim_printer_start_print (x1c);
}

static gboolean
action_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (app), data);
}

/* "Update Error Descriptions" when Bambu's server cannot be reached (a
 * closed port on loopback): the app says so and the action comes back.
 */
static void
test_update_descriptions_unreachable (void)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GSocket)        socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) local = NULL;
  g_autofree char           *url = NULL;
  guint                      codes = pd_hms_database_get_n_codes (pd_hms_database_get_default ());

  /* A port that was free a moment ago: bound, never listened on, closed. */
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u/query.php",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  g_socket_close (socket, NULL);
  g_setenv ("PRINTDECK_HMS_URL", url, TRUE);

  g_test_expect_message ("printdeck", G_LOG_LEVEL_WARNING, "The error descriptions could not be updated: *");
  g_action_group_activate_action (G_ACTION_GROUP (app), "update-hms", NULL);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (app), "update-hms"));
  g_assert_true (pd_test_wait_until (action_enabled, (gpointer) "update-hms", 30));
  g_test_assert_expected_messages ();
  g_unsetenv ("PRINTDECK_HMS_URL");

  /* The shipped descriptions are still there. */
  g_assert_cmpuint (pd_hms_database_get_n_codes (pd_hms_database_get_default ()), ==, codes);
}

/* The AMS on the printer page follows the simulator: a spool's amount and
 * the slot in use change, the same row widgets show it.
 */
typedef struct
{
  GtkWidget  *widget;
  const char *text;
} TextWait;

static gboolean
label_has_text (GtkWidget  *widget,
                const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (child)), text) == 0)
        return TRUE;
      if (label_has_text (child, text))
        return TRUE;
    }

  return FALSE;
}

static gboolean
shows_text (gpointer data)
{
  TextWait *wait = data;

  return label_has_text (wait->widget, wait->text);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_BOX_ROW (child))
        g_ptr_array_add (rows, child);
      collect_rows (child, rows);
    }
}

static gboolean
swatch_is_active (gpointer data)
{
  return pd_ams_swatch_get_active (data);
}

static void
test_ams_follows_simulator (void)
{
  PdSimPrinter         *x1c = pd_sim_get_printer (sim, 1);
  PdPrinter            *printer = pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (x1c));
  GtkWidget            *page;
  GtkWidget            *view;
  PdAmsUnit            *unit;
  g_autoptr (GPtrArray) before = g_ptr_array_new ();
  g_autoptr (GPtrArray) after = g_ptr_array_new ();
  GtkWidget            *first_row;
  GtkWidget            *second_row;
  GtkWidget            *swatch;
  TextWait              wait;
  int                   unit_id;

  g_assert_nonnull (printer);
  g_assert_cmpuint (g_list_model_get_n_items (pd_printer_get_ams_units (printer)), >, 0);
  unit = g_list_model_get_item (pd_printer_get_ams_units (printer), 0);
  unit_id = pd_ams_unit_get_id (unit);
  g_object_unref (unit);

  /* a print would move the amount and the slot by itself */
  pd_sim_printer_set_scenario (x1c, PD_SIM_SCENARIO_IDLE);
  pd_window_show_printer (window, printer);
  g_assert_true (pd_test_wait_until (leaflet_shows_printer, NULL, 5));
  page = GTK_WIDGET (_pd_window_get_printer_page (window));
  view = GTK_WIDGET (gtk_widget_get_template_child (page, PD_TYPE_PRINTER_PAGE, "ams_view"));
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (view, ADW_TYPE_PREFERENCES_GROUP)));
  collect_rows (view, before);
  g_assert_cmpuint (before->len, >=, 2);
  first_row = g_ptr_array_index (before, 0);
  second_row = g_ptr_array_index (before, 1);

  g_assert_true (pd_sim_printer_set_tray_remaining (x1c, unit_id, 0, 37));
  wait = (TextWait){ first_row, "37 %" };
  g_assert_true (pd_test_wait_until (shows_text, &wait, 10));

  g_assert_true (pd_sim_printer_set_active_tray (x1c, unit_id, 1));
  swatch = find_descendant (second_row, PD_TYPE_AMS_SWATCH, NULL);
  g_assert_true (PD_IS_AMS_SWATCH (swatch));
  g_assert_true (pd_test_wait_until (swatch_is_active, swatch, 10));
  pd_test_spin (300);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "printer-page-ams.png"));

  /* the same rows, changed in place */
  collect_rows (view, after);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    g_assert_true (g_ptr_array_index (after, i) == g_ptr_array_index (before, i));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-printers", NULL));
  pd_sim_printer_set_scenario (x1c, PD_SIM_SCENARIO_PRINT);
  pd_sim_printer_start_print (x1c);
}

/* The job's file comes from the simulated printer's FTPS storage: the card
 * says how much filament the print used of what it needs, the total is the
 * file's own, and the used grams grow with the print. */
typedef struct
{
  PdSimPrinter  *sim_printer;
  PdPrinterCard *card;
  PdPrinter     *printer;
  double         more_than;
} GramsWait;

/* Σ used_g as slice_info.config writes them (2 decimals) */
static double
spec_total (const PdSim3mfSpec *spec)
{
  double total = 0;

  for (guint i = 0; i < spec->n_filaments; i++)
    total += round (spec->filaments[i].grams * 100) / 100;
  return total;
}

static gboolean
card_shows_grams (gpointer data)
{
  GramsWait          *wait = data;
  PdJob              *job = pd_printer_get_job (wait->printer);
  const char         *shown = card_label (wait->card, "grams_label");
  const PdSim3mfSpec *spec = pd_sim_printer_get_job_spec (wait->sim_printer);
  g_autofree char    *expected = NULL;

  if (job == NULL || shown == NULL || spec == NULL || isnan (pd_job_get_filament_grams_total (job)) ||
      pd_job_get_filament_grams_used (job) <= wait->more_than)
    return FALSE;
  /* the simulator's job now, not one it has left behind */
  if (g_strcmp0 (pd_job_get_name (job), spec->name) != 0 ||
      fabs (pd_job_get_filament_grams_total (job) - spec_total (spec)) > 0.001)
    return FALSE;
  expected = g_strdup_printf ("Filament: %.1f g of %.1f g", pd_job_get_filament_grams_used (job),
                              pd_job_get_filament_grams_total (job));
  return g_strcmp0 (shown, expected) == 0;
}

static void
test_job_grams_follow_print (void)
{
  PdSimPrinter *h2d = pd_sim_get_printer (sim, 0);
  PdPrinter    *printer = pd_printer_store_find (pd_application_get_store (app), pd_sim_printer_get_serial (h2d));
  GramsWait     wait;
  const char   *tooltip;

  if (pd_sim_printer_get_ftp_port (h2d) == 0)
    {
      g_test_skip ("the simulator serves no files (no vsftpd)");
      return;
    }

  pd_sim_printer_start_print (h2d);
  wait = (GramsWait){ h2d, card_for (pd_sim_printer_get_serial (h2d)), printer, -1 };
  g_assert_true (pd_test_wait_until (card_shows_grams, &wait, 30));
  tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (wait.card),
                                                                                   PD_TYPE_PRINTER_CARD,
                                                                                   "grams_label")));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "Estimated"));

  /* …and grow with the print */
  wait.more_than = pd_job_get_filament_grams_used (pd_printer_get_job (printer));
  g_assert_true (pd_test_wait_until (card_shows_grams, &wait, 30));
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (window), "window-job-grams.png"));
}

/* printers.ini that cannot be read: the window says so in a dialog that
 * stays until answered, nothing is overwritten, and "Start Over" gives an
 * empty list that can be changed again.
 */
static AdwMessageDialog *
find_message_dialog (GtkApplication *application)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      GtkWindow            *parent = gtk_window_get_transient_for (toplevel);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && parent != NULL &&
          gtk_window_get_application (parent) == application && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
has_message_dialog (gpointer data)
{
  return find_message_dialog (data) != NULL;
}

/* What a click on a response button does. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

static gboolean
config_is_valid (gpointer data)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();

  return g_key_file_load_from_file (keyfile, data, G_KEY_FILE_NONE, NULL);
}

static void
test_corrupt_config (void)
{
  g_autoptr (GError)        error = NULL;
  g_autofree char          *base = g_dir_make_tmp ("printdeck-corrupt-XXXXXX", &error);
  g_autofree char          *other_config = g_build_filename (base, "config", NULL);
  g_autofree char          *other_cache = g_build_filename (base, "cache", NULL);
  g_autofree char          *ini = g_build_filename (other_config, "printers.ini", NULL);
  const char               *garbage = "[printer 01P00A123456789\nhost=10.0.0.5\n\x01\x02";
  g_autoptr (PdApplication) other = NULL;
  GtkWindow                *other_window;
  AdwMessageDialog         *dialog;
  g_autoptr (GDir)          dir = NULL;
  const char               *name;
  gboolean                  copy_found = FALSE;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (other_config, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ini, garbage, -1, NULL));

  /* A second application on its own folders; the first keeps running. */
  g_test_expect_message ("printdeck", G_LOG_LEVEL_WARNING, "The printer list could not be read: *");
  g_setenv ("PRINTDECK_CONFIG_DIR", other_config, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", other_cache, TRUE);
  other = pd_application_new (APPLICATION_ID ".Test.Corrupt", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (other), NULL, &error);
  g_assert_no_error (error);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  g_application_activate (G_APPLICATION (other));
  other_window = gtk_application_get_active_window (GTK_APPLICATION (other));
  gtk_window_set_default_size (other_window, 900, 600);

  g_assert_true (pd_test_wait_until (has_message_dialog, other, 10));
  dialog = find_message_dialog (GTK_APPLICATION (other));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == other_window);
  g_test_message ("%s", adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "printers.ini.corrupt-"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "try-again");
  pd_test_spin (300);
  g_object_unref (pd_test_save_screenshot (GTK_WIDGET (dialog), "load-error.png"));

  /* Nothing was written over the file. */
  {
    g_autofree char *now = NULL;

    g_assert_true (g_file_get_contents (ini, &now, NULL, NULL));
    g_assert_cmpstr (now, ==, garbage);
  }

  /* Try Again with the file still broken: asked again. */
  g_test_assert_expected_messages ();
  g_test_expect_message ("printdeck", G_LOG_LEVEL_WARNING, "The printer list could not be read: *");
  respond (dialog, "try-again");
  pd_test_spin (100);
  g_assert_true (pd_test_wait_until (has_message_dialog, other, 10));
  g_test_assert_expected_messages ();
  dialog = find_message_dialog (GTK_APPLICATION (other));

  respond (dialog, "start-over");
  g_assert_true (pd_test_wait_until (config_is_valid, ini, 5));
  pd_test_spin (100);
  g_assert_null (find_message_dialog (GTK_APPLICATION (other)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pd_application_get_store (other))), ==, 0);

  /* The copy of the broken file is still there. */
  dir = g_dir_open (other_config, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    copy_found |= g_str_has_prefix (name, "printers.ini.corrupt-");
  g_assert_true (copy_found);

  gtk_window_destroy (other_window);
  g_application_quit (G_APPLICATION (other));
  pd_printer_store_shutdown (pd_application_get_store (other));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  PdSimOptions       options;
  const char        *models[] = { "H2D", "X1C", "A1", "P1P", NULL };
  int                status;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", &error);
  g_assert_no_error (error);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("PRINTDECK_CONFIG_DIR", config_dir, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache_dir, TRUE);
  /* A port of its own: a test run beside this one must not take the
   * announcements sent here.
   */
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);

  pd_sim_options_init (&options);
  options.n_printers = 4;
  options.models = models;
  options.speed = 20;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  app = pd_application_new (APPLICATION_ID ".Test", G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);

  g_test_add_func ("/window/empty-state", test_empty_state);
  g_test_add_func ("/window/cards-follow-printers", test_cards_follow_printers);
  g_test_add_func ("/window/connection-indicator", test_connection_indicator);
  g_test_add_func ("/window/printer-page", test_printer_page);
  g_test_add_func ("/window/add-and-remove-with-keyring", test_add_and_remove_with_keyring);
  g_test_add_func ("/window/edit-printer", test_edit_printer);
  g_test_add_func ("/window/dialog-test-connection", test_dialog_test_connection);
  g_test_add_func ("/window/dialog-discovered-printer", test_dialog_discovered_printer);
  g_test_add_func ("/window/reflow", test_reflow);
  g_test_add_func ("/window/cards-after-first-frame", test_cards_after_first_frame);
  g_test_add_func ("/window/cards-out-of-view", test_cards_out_of_view);
  g_test_add_func ("/window/cards-catch-up-together", test_cards_catch_up_together);
  g_test_add_func ("/window/keyboard", test_keyboard);
  g_test_add_func ("/window/health", test_health);
  g_test_add_func ("/window/ams-follows-simulator", test_ams_follows_simulator);
  g_test_add_func ("/window/job-grams-follow-print", test_job_grams_follow_print);
  g_test_add_func ("/window/update-descriptions-unreachable", test_update_descriptions_unreachable);
  g_test_add_func ("/window/corrupt-config", test_corrupt_config);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (app));
  pd_printer_store_shutdown (pd_application_get_store (app));
  g_clear_object (&app);
  pd_sim_stop (sim);
  g_clear_object (&sim);

  return status;
}
