/* test-mirror-prefs.c — the mirror in the app: its token, its manager and
 * its page in Preferences, under Xvfb
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Real widgets driving a real PdMirrorManager over real settings
 * (GSETTINGS_BACKEND=memory), the session's gnome-keyring
 * (build-aux/dev.sh), libsoup clients on loopback, and two simulated
 * printers for the camera pictures. Ports are picked free; every wait is
 * bounded.
 */

#include "config.h"

#include <adwaita.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <qrencode.h>
#include <string.h>

#include "pd-camera-source.h"
#include "pd-cert-policy.h"
#include "pd-mirror-cert.h"
#include "pd-mirror-manager.h"
#include "pd-preferences-window.h"
#include "pd-printer-store.h"
#include "pd-secrets.h"
#include "pd-sim.h"
#include "pd-test-ui.h"
#include "pd-test-util.h"

static GSettings       *settings;
static PdPrinterStore  *store;
static PdMirrorManager *manager;
static PdSim           *sim;
static char            *config_dir;
static char            *cache_dir;

enum
{
  JPEG_PRINTER,
  RTSPS_PRINTER,
  N_PRINTERS
};

/* Helpers -------------------------------------------------------------------------*/

static guint
free_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError)          error = NULL;
  guint16                     port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);

  return port;
}

static char *
keyring_token (void)
{
  return pd_test_keyring_lookup (pd_secrets_get_mirror_token_schema (), "kind", "mirror-token");
}

static char *
link_token (void)
{
  g_autofree char *link = pd_mirror_manager_dup_link (manager);
  const char      *token;

  g_assert_nonnull (link);
  token = strstr (link, "?token=");
  g_assert_nonnull (token);

  return g_strdup (token + strlen ("?token="));
}

static gboolean
is_running (gpointer data)
{
  return pd_mirror_manager_get_running (manager) == GPOINTER_TO_INT (data);
}

static void
wait_running (gboolean running)
{
  g_assert_true (pd_test_wait_until (is_running, GINT_TO_POINTER (running), 20));
}

static gboolean
has_error (gpointer data)
{
  return pd_mirror_manager_get_error (manager) != NULL;
}

typedef struct
{
  guint   status;
  GBytes *body;
  char   *content_type;
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->content_type, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reply, reply_clear)

static gboolean
accept_mirror_certificate (SoupMessage         *msg,
                           GTlsCertificate     *peer,
                           GTlsCertificateFlags errors,
                           gpointer             data)
{
  g_autofree char *fingerprint = pd_mirror_certificate_dup_fingerprint (peer);

  return pd_cert_fingerprint_equal (fingerprint, pd_mirror_manager_get_fingerprint (manager));
}

/* GET @url (http or https, the mirror's certificate pinned), with @token as
 * a bearer token when given. The server answers on this thread: async.
 */
static void
get (const char *url,
     const char *token,
     Reply      *reply)
{
  g_autoptr (SoupSession)  session = soup_session_new ();
  g_autoptr (SoupMessage)  msg = soup_message_new ("GET", url);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *header = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_mirror_certificate), NULL);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  reply->body = soup_session_send_and_read_finish (session, result, &error);
  if (error != NULL)
    {
      /* refused: no server */
      g_test_message ("GET %s: %s", url, error->message);
      reply->status = 0;
      return;
    }
  reply->status = soup_message_get_status (msg);
  reply->content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                                         NULL));
}

static guint
get_status (const char *base,
            const char *path,
            const char *token)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_auto (Reply)   reply = { 0 };

  get (url, token, &reply);
  return reply.status;
}

static char *
loopback_base (void)
{
  return g_strdup_printf ("%s://127.0.0.1:%u/", g_settings_get_boolean (settings, "mirror-tls") ? "https" : "http",
                          g_settings_get_uint (settings, "mirror-port"));
}

static GtkWidget *
child (GtkWidget  *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (window, PD_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static GtkWidget *
new_window (void)
{
  GtkWidget *window = pd_preferences_window_new (settings);

  pd_preferences_window_set_mirror_manager (PD_PREFERENCES_WINDOW (window), manager);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "mirror");
  gtk_window_set_default_size (GTK_WINDOW (window), 700, 1000);
  gtk_window_present (GTK_WINDOW (window));
  pd_test_wait_for_frames (window);

  return window;
}

static void
reset_settings (void)
{
  const char *keys[] = { "mirror-enabled", "mirror-allow-lan", "mirror-tls" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (settings, keys[i]);
  g_settings_set_uint (settings, "mirror-port", free_port ());
  wait_running (FALSE);
}

/* The texture against the code libqrencode makes of @link: its size, its
 * quiet zone, every module (read at its centre).
 */
static void
assert_qr_code (GtkWidget  *window,
                const char *link)
{
  GtkPicture        *picture = GTK_PICTURE (child (window, "mirror_qr_picture"));
  GdkPaintable      *paintable = gtk_picture_get_paintable (picture);
  QRcode            *code = QRcode_encodeString (link, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  int                scale = 5 * gtk_widget_get_scale_factor (window);
  g_autofree guint8 *pixels = NULL;
  int                size;

  g_assert_nonnull (code);
  g_assert_true (GDK_IS_MEMORY_TEXTURE (paintable));
  size = gdk_texture_get_width (GDK_TEXTURE (paintable));
  g_assert_cmpint (size, ==, (code->width + 8) * scale);
  g_assert_cmpint (gdk_texture_get_height (GDK_TEXTURE (paintable)), ==, size);

  pixels = g_malloc ((gsize) size * size * 4);
  gdk_texture_download (GDK_TEXTURE (paintable), pixels, (gsize) size * 4);
  for (int y = -4; y < code->width + 4; y++)
    for (int x = -4; x < code->width + 4; x++)
      {
        gsize    at = ((gsize) ((y + 4) * scale + scale / 2) * size + (gsize) ((x + 4) * scale + scale / 2)) * 4;
        gboolean dark = pixels[at] < 128; /* B of BGRA */
        gboolean quiet = x < 0 || y < 0 || x >= code->width || y >= code->width;
        gboolean expected = !quiet && (code->data[y * code->width + x] & 1) != 0;

        if (dark != expected)
          g_error ("module %d,%d is %s", x, y, dark ? "dark" : "light");
      }
  QRcode_free (code);

  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL));
}

static GdkTexture *
qr_texture (GtkWidget *window)
{
  GdkPaintable *paintable = gtk_picture_get_paintable (GTK_PICTURE (child (window, "mirror_qr_picture")));

  return paintable != NULL ? g_object_ref (GDK_TEXTURE (paintable)) : NULL;
}

static gboolean
textures_differ (GdkTexture *a,
                 GdkTexture *b)
{
  int                width = gdk_texture_get_width (a);
  int                height = gdk_texture_get_height (a);
  g_autofree guint8 *pa = NULL;
  g_autofree guint8 *pb = NULL;

  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    return TRUE;
  pa = g_malloc ((gsize) width * height * 4);
  pb = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (a, pa, (gsize) width * 4);
  gdk_texture_download (b, pb, (gsize) width * 4);

  return memcmp (pa, pb, (gsize) width * height * 4) != 0;
}

/* Tests -----------------------------------------------------------------------------*/

static void
test_new_destroy (void)
{
  PdMirrorManager *other = pd_mirror_manager_new (store, NULL);
  GtkWidget       *window;

  g_assert_false (pd_mirror_manager_get_running (other));
  g_assert_null (pd_mirror_manager_get_server (other));
  g_assert_null (pd_mirror_manager_dup_link (other));
  g_assert_true (pd_mirror_manager_get_store (other) == store);
  g_assert_null (pd_mirror_manager_get_settings (other));
  pd_test_spin (50);
  g_assert_finalize_object (other);

  /* without a mirror, no page for it */
  window = pd_preferences_window_new (settings);
  gtk_window_present (GTK_WINDOW (window));
  pd_test_wait_for_frames (window);
  g_assert_null (pd_preferences_window_get_mirror_manager (PD_PREFERENCES_WINDOW (window)));
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (child (window, "mirror_enabled_switch"),
                                                                   ADW_TYPE_PREFERENCES_PAGE)));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_token_keyring (void)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  char                    *first;
  char                    *second;
  char                    *looked_up;
  g_autofree char         *stored = NULL;

  /* Regenerate is also how the first one is made. */
  pd_secrets_regenerate_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  first = pd_secrets_regenerate_mirror_token_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (strlen (first), ==, 43);
  g_assert_null (strpbrk (first, "+/="));
  stored = keyring_token ();
  g_assert_cmpstr (stored, ==, first);
  g_clear_pointer (&stored, g_free);

  pd_secrets_lookup_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  looked_up = pd_secrets_lookup_mirror_token_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (looked_up, ==, first);
  pd_secrets_code_free (looked_up);

  /* a printer's lookup never finds it, nor the other way round */
  pd_secrets_lookup_async ("mirror-token", NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_null (pd_secrets_lookup_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  pd_secrets_regenerate_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  second = pd_secrets_regenerate_mirror_token_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (second, !=, first);
  stored = keyring_token ();
  g_assert_cmpstr (stored, ==, second);

  pd_secrets_store_mirror_token_async (first, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_true (pd_secrets_store_mirror_token_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_clear_pointer (&stored, g_free);
  stored = keyring_token ();
  g_assert_cmpstr (stored, ==, first);

  pd_secrets_code_free (first);
  pd_secrets_code_free (second);
}

/* The demo's: in memory, never in the keyring, gone when it ends. */
static void
test_token_memory_only (void)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError)       error = NULL;
  g_autofree char         *before = keyring_token ();
  g_autofree char         *after = NULL;
  char                    *token;
  char                    *looked_up;

  pd_secrets_set_memory_only (TRUE);

  pd_secrets_lookup_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_null (pd_secrets_lookup_mirror_token_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  pd_secrets_regenerate_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  token = pd_secrets_regenerate_mirror_token_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);

  pd_secrets_lookup_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  looked_up = pd_secrets_lookup_mirror_token_finish (result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (looked_up, ==, token);
  pd_secrets_code_free (looked_up);

  after = keyring_token ();
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (after, !=, token);

  pd_secrets_set_memory_only (FALSE);
  pd_secrets_set_memory_only (TRUE);
  pd_secrets_lookup_mirror_token_async (NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_null (pd_secrets_lookup_mirror_token_finish (result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  pd_secrets_set_memory_only (FALSE);

  pd_secrets_code_free (token);
}

static void
assert_labelled (GtkWidget  *window,
                 const char *row_name,
                 const char *widget_name)
{
  GtkWidget *widget = child (window, widget_name);
  GtkWidget *row = child (window, row_name);

  g_test_message ("row %s", row_name);
  g_assert_true (gtk_widget_is_ancestor (widget, row));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), !=, "");
  g_assert_true (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row)) == widget);
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY));
  g_assert_true (gtk_widget_get_focusable (widget) || GTK_IS_SPIN_BUTTON (widget));
}

static void
test_enable (void)
{
  GtkWidget       *window;
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *link = NULL;
  g_autofree char *expected_url = NULL;
  g_auto (Reply)   reply = { 0 };
  g_autofree char *url = NULL;

  reset_settings ();
  window = new_window ();

  /* the page, its controls labelled and reachable */
  g_assert_cmpstr (adw_preferences_page_get_title (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (window))),
                   ==, "Mirror");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (adw_preferences_window_get_visible_page (ADW_PREFERENCES_WINDOW (window)))));
  assert_labelled (window, "mirror_enabled_row", "mirror_enabled_switch");
  assert_labelled (window, "mirror_allow_lan_row", "mirror_allow_lan_switch");
  assert_labelled (window, "mirror_port_row", "mirror_port_spin");
  assert_labelled (window, "mirror_tls_row", "mirror_tls_switch");
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (child (window, "mirror_port_spin")),
                                                   GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_true (gtk_test_accessible_has_property (GTK_ACCESSIBLE (child (window, "mirror_copy_button")),
                                                   GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_nonnull (gtk_widget_get_tooltip_text (child (window, "mirror_copy_button")));
  g_assert_true (gtk_widget_get_focusable (child (window, "mirror_regenerate_button")));

  /* off: nothing listens, nothing to show, the details insensitive */
  g_assert_false (pd_mirror_manager_get_running (manager));
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_link_group")));
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_error_row")));
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_fingerprint_row")));
  g_assert_false (gtk_widget_get_sensitive (child (window, "mirror_port_row")));
  g_assert_null (gtk_picture_get_paintable (GTK_PICTURE (child (window, "mirror_qr_picture"))));
  base = loopback_base ();
  g_assert_cmpuint (get_status (base, "api/printers", NULL), ==, 0);

  /* The switch, as a click would: the server starts. */
  gtk_switch_set_active (GTK_SWITCH (child (window, "mirror_enabled_switch")), TRUE);
  g_assert_true (g_settings_get_boolean (settings, "mirror-enabled"));
  wait_running (TRUE);
  pd_test_wait_for_frames (window);
  g_assert_true (gtk_widget_get_sensitive (child (window, "mirror_port_row")));
  g_assert_null (pd_mirror_manager_get_error (manager));
  g_assert_true (gtk_widget_get_visible (child (window, "mirror_link_group")));
  g_assert_true (gtk_widget_get_sensitive (child (window, "mirror_copy_button")));

  /* The token: made once, in the keyring, in the link, not in the URL. */
  token = link_token ();
  stored = keyring_token ();
  g_assert_cmpstr (token, ==, stored);
  expected_url = g_strdup_printf ("http://127.0.0.1:%u/", g_settings_get_uint (settings, "mirror-port"));
  g_assert_cmpstr (pd_mirror_manager_get_url (manager), ==, expected_url);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (window, "mirror_address_row"))), ==,
                   expected_url);
  g_assert_null (strstr (pd_mirror_manager_get_url (manager), token));
  link = pd_mirror_manager_dup_link (manager);
  g_assert_true (g_str_has_prefix (link, expected_url));

  /* What a script does: with the token 200, without 401. */
  url = g_strconcat (base, "api/printers", NULL);
  get (url, token, &reply);
  g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (reply.content_type, ==, "application/json");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (reply.body, NULL), (gssize) g_bytes_get_size (reply.body),
                                  "\"snapshot\""));
  g_assert_cmpuint (get_status (base, "api/printers", NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get_status (base, "api/printers", "not-the-token"), ==, SOUP_STATUS_UNAUTHORIZED);

  /* the QR code is the link */
  assert_qr_code (window, link);

  /* copy: the link with the code, to the clipboard */
  g_assert_true (gtk_widget_activate_action (window, "mirror.copy-link", NULL));
  {
    GdkClipboard            *clipboard = gtk_widget_get_clipboard (window);
    g_autoptr (GAsyncResult) result = NULL;
    g_autofree char         *text = NULL;

    gdk_clipboard_read_text_async (clipboard, NULL, pd_test_store_result, &result);
    g_assert_true (pd_test_wait_for_result (&result, 10));
    text = gdk_clipboard_read_text_finish (clipboard, result, NULL);
    g_assert_cmpstr (text, ==, link);
  }

  /* the same token after a restart of the mirror */
  g_settings_set_boolean (settings, "mirror-enabled", FALSE);
  wait_running (FALSE);
  g_assert_null (pd_mirror_manager_dup_link (manager));
  g_assert_null (pd_mirror_manager_get_server (manager));
  g_assert_cmpuint (get_status (base, "api/printers", token), ==, 0);
  pd_test_wait_for_frames (window);
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_link_group")));
  g_assert_false (gtk_widget_get_sensitive (child (window, "mirror_copy_button")));
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  {
    g_autofree char *again = link_token ();

    g_assert_cmpstr (again, ==, token);
  }
  g_assert_cmpuint (get_status (base, "api/printers", token), ==, SOUP_STATUS_OK);

  g_object_unref (pd_test_save_screenshot (window, "preferences-mirror.png"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (toplevel) && gtk_widget_get_visible (GTK_WIDGET (toplevel)))
        return ADW_MESSAGE_DIALOG (toplevel);
    }

  return NULL;
}

static gboolean
has_dialog (gpointer data)
{
  return find_dialog () != NULL;
}

static gboolean
link_changed (gpointer data)
{
  g_autofree char *token = pd_mirror_manager_get_running (manager) ? link_token () : NULL;

  return token != NULL && g_strcmp0 (token, data) != 0;
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  SoupWebsocketConnection **connection = data;
  g_autoptr (GError)        error = NULL;

  *connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_not_null (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static gboolean
ws_closed (gpointer data)
{
  return soup_websocket_connection_get_state (data) == SOUP_WEBSOCKET_STATE_CLOSED;
}

static void
test_regenerate (void)
{
  GtkWidget                          *window;
  g_autofree char                    *base = NULL;
  g_autofree char                    *old_token = NULL;
  g_autofree char                    *new_token = NULL;
  g_autofree char                    *stored = NULL;
  g_autofree char                    *ws_url = NULL;
  g_autofree char                    *link = NULL;
  g_autoptr (GdkTexture)              old_qr = NULL;
  g_autoptr (GdkTexture)              new_qr = NULL;
  g_autoptr (SoupSession)             session = soup_session_new ();
  g_autoptr (SoupWebsocketConnection) connection = NULL;
  AdwMessageDialog                   *dialog;

  reset_settings ();
  window = new_window ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  pd_test_wait_for_frames (window);
  base = loopback_base ();
  old_token = link_token ();
  old_qr = qr_texture (window);
  g_assert_nonnull (old_qr);

  /* a screen watching with the current code */
  ws_url = g_strdup_printf ("ws://127.0.0.1:%u/ws?token=%s", g_settings_get_uint (settings, "mirror-port"), old_token);
  {
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", ws_url);

    soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_ws_connected,
                                          &connection);
    g_assert_true (pd_test_wait_until (is_not_null, &connection, 20));
  }
  g_assert_cmpint (soup_websocket_connection_get_state (connection), ==, SOUP_WEBSOCKET_STATE_OPEN);

  /* Asked first; "Cancel" changes nothing. */
  g_assert_true (gtk_widget_activate_action (window, "mirror.regenerate", NULL));
  g_assert_true (pd_test_wait_until (has_dialog, NULL, 10));
  dialog = find_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "regenerate"), ==, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_response (dialog, "cancel");
  pd_test_spin (300);
  {
    g_autofree char *same = link_token ();

    g_assert_cmpstr (same, ==, old_token);
  }
  g_assert_cmpint (soup_websocket_connection_get_state (connection), ==, SOUP_WEBSOCKET_STATE_OPEN);

  /* "Regenerate": a new code everywhere, the old one refused. */
  g_assert_true (gtk_widget_activate_action (window, "mirror.regenerate", NULL));
  g_assert_true (pd_test_wait_until (has_dialog, NULL, 10));
  adw_message_dialog_response (find_dialog (), "regenerate");
  g_assert_true (pd_test_wait_until (link_changed, old_token, 20));
  new_token = link_token ();
  stored = keyring_token ();
  g_assert_cmpstr (stored, ==, new_token);
  g_assert_cmpuint (get_status (base, "api/printers", old_token), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (get_status (base, "api/printers", new_token), ==, SOUP_STATUS_OK);
  /* the watching screen was let go */
  g_assert_true (pd_test_wait_until (ws_closed, connection, 20));
  g_assert_cmpint (soup_websocket_connection_get_close_code (connection), ==, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);

  /* the URL without the code stays; the QR code changes with the link */
  g_assert_null (strstr (pd_mirror_manager_get_url (manager), new_token));
  link = pd_mirror_manager_dup_link (manager);
  assert_qr_code (window, link);
  new_qr = qr_texture (window);
  g_assert_true (textures_differ (old_qr, new_qr));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_port_in_use (void)
{
  g_autoptr (GSocketListener) squatter = g_socket_listener_new ();
  g_autoptr (GInetAddress)    loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress)  address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress)  bound = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *expected = NULL;
  GtkWidget                  *window;
  guint                       port;

  reset_settings ();
  window = new_window ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);

  /* another program on the port it is moved to */
  g_socket_listener_add_address (squatter, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (window, "mirror_port_spin")), port);
  g_assert_cmpuint (g_settings_get_uint (settings, "mirror-port"), ==, port);
  g_assert_true (pd_test_wait_until (has_error, NULL, 20));
  wait_running (FALSE);
  pd_test_wait_for_frames (window);

  expected = g_strdup_printf ("Port %u is in use", port);
  g_assert_nonnull (strstr (pd_mirror_manager_get_error (manager), expected));
  g_assert_true (gtk_widget_get_visible (child (window, "mirror_error_row")));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (window, "mirror_error_row"))), ==,
                   pd_mirror_manager_get_error (manager));
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_link_group")));
  g_object_unref (pd_test_save_screenshot (window, "preferences-mirror-port-in-use.png"));

  /* the port free again: a try on a setting change */
  g_socket_listener_close (squatter);
  g_settings_set_uint (settings, "mirror-port", free_port ());
  wait_running (TRUE);
  g_assert_null (pd_mirror_manager_get_error (manager));
  pd_test_wait_for_frames (window);
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_error_row")));
  g_assert_true (gtk_widget_get_visible (child (window, "mirror_link_group")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
url_has_prefix (gpointer data)
{
  return pd_mirror_manager_get_url (manager) != NULL && g_str_has_prefix (pd_mirror_manager_get_url (manager), data);
}

static void
test_tls (void)
{
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError)          error = NULL;
  g_autofree char            *fingerprint = NULL;
  g_autofree char            *token = NULL;
  g_autofree char            *base = NULL;
  GtkWidget                  *window;

  reset_settings ();
  window = new_window ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  token = link_token ();

  gtk_switch_set_active (GTK_SWITCH (child (window, "mirror_tls_switch")), TRUE);
  g_assert_true (pd_test_wait_until (url_has_prefix, (gpointer) "https://127.0.0.1:", 20));
  wait_running (TRUE);
  pd_test_wait_for_frames (window);

  /* the certificate in the config folder, its fingerprint shown */
  certificate = pd_mirror_certificate_load_or_create (config_dir, &error);
  g_assert_no_error (error);
  fingerprint = pd_mirror_certificate_dup_fingerprint (certificate);
  g_assert_cmpstr (pd_mirror_manager_get_fingerprint (manager), ==, fingerprint);
  g_assert_true (gtk_widget_get_visible (child (window, "mirror_fingerprint_row")));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (window, "mirror_fingerprint_row"))), ==,
                   fingerprint);
  g_assert_true (adw_preferences_row_get_title_selectable (ADW_PREFERENCES_ROW (child (window, "mirror_fingerprint_row"))));
  {
    g_autofree char *link = pd_mirror_manager_dup_link (manager);

    g_assert_true (g_str_has_prefix (link, "https://"));
    assert_qr_code (window, link);
  }

  /* HTTPS with the pinned certificate; the same token */
  base = loopback_base ();
  g_assert_true (g_str_has_prefix (base, "https://"));
  g_assert_cmpuint (get_status (base, "api/printers", token), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (get_status (base, "api/printers", NULL), ==, SOUP_STATUS_UNAUTHORIZED);
  g_object_unref (pd_test_save_screenshot (window, "preferences-mirror-tls.png"));

  /* off again: plain HTTP, no fingerprint */
  g_settings_set_boolean (settings, "mirror-tls", FALSE);
  g_assert_true (pd_test_wait_until (url_has_prefix, (gpointer) "http://127.0.0.1:", 20));
  pd_test_wait_for_frames (window);
  g_assert_null (pd_mirror_manager_get_fingerprint (manager));
  g_assert_false (gtk_widget_get_visible (child (window, "mirror_fingerprint_row")));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_allow_lan (void)
{
  g_autofree char *lan = pd_mirror_lan_address ();
  g_autofree char *expected = NULL;
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;
  GtkWidget       *window;

  reset_settings ();
  window = new_window ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  token = link_token ();

  gtk_switch_set_active (GTK_SWITCH (child (window, "mirror_allow_lan_switch")), TRUE);
  expected = g_strdup_printf ("http://%s:%u/", lan, g_settings_get_uint (settings, "mirror-port"));
  g_assert_true (pd_test_wait_until (url_has_prefix, expected, 20));
  g_assert_cmpstr (pd_mirror_manager_get_url (manager), ==, expected);
  g_assert_false (g_str_has_prefix (lan, "127.") && !g_str_equal (lan, "127.0.0.1"));
  /* every interface: this computer too (no other address is asked here) */
  base = loopback_base ();
  g_assert_cmpuint (get_status (base, "api/printers", token), ==, SOUP_STATUS_OK);

  g_settings_set_boolean (settings, "mirror-allow-lan", FALSE);
  g_assert_true (pd_test_wait_until (url_has_prefix, (gpointer) "http://127.0.0.1:", 20));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_streaming (gpointer data)
{
  return pd_camera_source_get_state (data) == PD_CAMERA_STATE_STREAMING && pd_camera_source_get_frame (data) != NULL;
}

/* /api/printers/SERIAL/snapshot.jpg: a picture only while a view streams. */
static void
test_snapshot (void)
{
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;

  reset_settings ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  base = loopback_base ();
  token = link_token ();

  for (guint i = 0; i < N_PRINTERS; i++)
    {
      const char      *serial = pd_sim_printer_get_serial (pd_sim_get_printer (sim, i));
      PdPrinter       *printer = pd_printer_store_find (store, serial);
      PdCameraSource  *camera = pd_printer_store_get_camera (store, printer);
      g_autofree char *path = g_strdup_printf ("api/printers/%s/snapshot.jpg", serial);
      g_autofree char *url = g_strconcat (base, path, NULL);
      g_auto (Reply)   reply = { 0 };
      guint            viewer;

      g_test_message ("camera of %s", serial);
      g_assert_nonnull (camera);
      pd_camera_source_set_linger (camera, 0);
      g_assert_cmpint (pd_camera_source_get_state (camera), ==, PD_CAMERA_STATE_IDLE);
      /* not streaming: none, and the mirror does not start the camera */
      g_assert_cmpuint (get_status (base, path, token), ==, SOUP_STATUS_NOT_FOUND);
      g_assert_cmpint (pd_camera_source_get_state (camera), ==, PD_CAMERA_STATE_IDLE);

      viewer = pd_camera_source_add_viewer (camera, 0, 0);
      g_assert_true (pd_test_wait_until (is_streaming, camera, 60));
      get (url, token, &reply);
      g_assert_cmpuint (reply.status, ==, SOUP_STATUS_OK);
      g_assert_cmpstr (reply.content_type, ==, "image/jpeg");
      g_assert_cmpuint (g_bytes_get_size (reply.body), >, 100);
      g_assert_cmpmem (g_bytes_get_data (reply.body, NULL), 3, "\xff\xd8\xff", 3);
      g_assert_cmpuint (get_status (base, path, NULL), ==, SOUP_STATUS_UNAUTHORIZED);

      pd_camera_source_remove_viewer (camera, viewer);
    }

  g_assert_cmpuint (get_status (base, "api/printers/NO-SUCH-PRINTER/snapshot.jpg", token), ==, SOUP_STATUS_NOT_FOUND);
  g_settings_set_boolean (settings, "mirror-enabled", FALSE);
  wait_running (FALSE);
}

/* The app quits: the server stops, and stays stopped. */
static void
test_shutdown (void)
{
  g_autofree char *base = NULL;

  reset_settings ();
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  wait_running (TRUE);
  base = loopback_base ();

  pd_mirror_manager_shutdown (manager);
  g_assert_false (pd_mirror_manager_get_running (manager));
  g_assert_cmpuint (get_status (base, "api/printers", NULL), ==, 0);
  /* settings no longer start it */
  g_settings_set_boolean (settings, "mirror-enabled", FALSE);
  g_settings_set_boolean (settings, "mirror-enabled", TRUE);
  pd_test_spin (300);
  g_assert_false (pd_mirror_manager_get_running (manager));
}

/* Set-up ---------------------------------------------------------------------------*/

static gboolean
printers_ready (gpointer data)
{
  GListModel *model = G_LIST_MODEL (store);

  if (g_list_model_get_n_items (model) != N_PRINTERS)
    return FALSE;
  for (guint i = 0; i < N_PRINTERS; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED ||
          pd_printer_get_camera_kind (printer) == PD_CAMERA_KIND_UNKNOWN)
        return FALSE;
    }

  return TRUE;
}

static void
add_sim_printer (PdSimPrinter *sp)
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
  pd_printer_store_add_async (store, config, pd_sim_printer_get_access_code (sp), NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  printer = pd_printer_store_add_finish (store, result, &error);
  g_assert_no_error (error);
}

/* Lets GLib's idle worker threads, which ran the TLS handshakes inside
 * glib-networking, end before the process does: LeakSanitizer (GCC 12)
 * crashes at exit on the dynamic TLS that GnuTLS leaves in a thread still
 * alive ("Tracer caught signal 11" after a "DTLS" range that makes no sense).
 * A pool thread idles half a second before it joins the unused ones.
 */
static void
end_worker_threads (void)
{
  pd_test_spin (1000);
  g_thread_pool_set_max_unused_threads (0);
  g_thread_pool_stop_unused_threads ();
  for (guint i = 0; i < 100 && g_thread_pool_get_num_unused_threads () > 0; i++)
    g_usleep (20000);
  g_usleep (100000);
}

int
main (int   argc,
      char *argv[])
{
  static const char *const models[] = { "A1", "X1C", NULL };
  g_autoptr (GError)       error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  PdSimOptions             options;
  int                      status;

  /* Accessible names and relations, without AT-SPI: with "none" (the
   * suite's setting) GTK keeps none of them.
   */
  g_setenv ("GTK_A11Y", "test", TRUE);
  /* Loopback only, never through a proxy (nor libproxy's threads). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("no_proxy", "*", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  config_dir = g_dir_make_tmp ("printdeck-config-XXXXXX", &error);
  g_assert_no_error (error);
  cache_dir = g_dir_make_tmp ("printdeck-cache-XXXXXX", &error);
  g_assert_no_error (error);
  settings = g_settings_new (BASE_ID);

  /* The session's keyring (build-aux/dev.sh): no token from an earlier run. */
  secret_password_clear_sync (pd_secrets_get_mirror_token_schema (), NULL, &error, "kind", "mirror-token", NULL);
  g_assert_no_error (error);

  pd_sim_options_init (&options);
  options.n_printers = N_PRINTERS;
  options.models = models;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 20;
  sim = pd_sim_new (&options);
  if (!pd_sim_start (sim, &error))
    g_error ("simulator: %s", error->message);

  store = pd_printer_store_new (config_dir, cache_dir);
  pd_printer_store_load_async (store, NULL, pd_test_store_result, &result);
  g_assert_true (pd_test_wait_for_result (&result, 20));
  g_assert_true (pd_printer_store_load_finish (store, result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < N_PRINTERS; i++)
    add_sim_printer (pd_sim_get_printer (sim, i));
  if (!pd_test_wait_until (printers_ready, NULL, 60))
    g_error ("the simulated printers did not connect");

  manager = pd_mirror_manager_new (store, settings);

  g_test_add_func ("/mirror-prefs/new-destroy", test_new_destroy);
  g_test_add_func ("/mirror-prefs/token-keyring", test_token_keyring);
  g_test_add_func ("/mirror-prefs/token-memory-only", test_token_memory_only);
  g_test_add_func ("/mirror-prefs/enable", test_enable);
  g_test_add_func ("/mirror-prefs/regenerate", test_regenerate);
  g_test_add_func ("/mirror-prefs/port-in-use", test_port_in_use);
  g_test_add_func ("/mirror-prefs/tls", test_tls);
  g_test_add_func ("/mirror-prefs/allow-lan", test_allow_lan);
  g_test_add_func ("/mirror-prefs/snapshot", test_snapshot);
  g_test_add_func ("/mirror-prefs/shutdown", test_shutdown);

  status = g_test_run ();

  pd_mirror_manager_shutdown (manager);
  g_assert_finalize_object (manager);
  pd_printer_store_shutdown (store);
  g_clear_object (&store);
  g_clear_object (&settings);
  pd_sim_stop (sim);
  g_clear_object (&sim);
  pd_test_remove_tree (config_dir);
  pd_test_remove_tree (cache_dir);
  g_free (config_dir);
  g_free (cache_dir);
  end_worker_threads ();

  return status;
}
