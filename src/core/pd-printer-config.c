/* pd-printer-config.c — what the user told us about a printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The validation is strict because the values end up in places that care:
 * the serial names MQTT topics and a keyfile group, the host is handed to
 * libmosquitto as is. The messages are written for the "Add Printer" dialog.
 */

#define G_LOG_DOMAIN "pd-printer-config"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pd-model.h"
#include "pd-printer-config.h"
#include "pd-session.h"

#define MAX_SERIAL_LENGTH 32
#define MAX_HOST_LENGTH   253
#define MAX_LABEL_LENGTH  63
#define MAX_NAME_LENGTH   256
#define FINGERPRINT_HEX   64 /* SHA-256 */

G_DEFINE_BOXED_TYPE (PdPrinterConfig, pd_printer_config, pd_printer_config_copy, pd_printer_config_free)

/**
 * pd_printer_config_new:
 * @serial: the printer's serial number
 * @host: (nullable): its IP address or host name
 *
 * Returns: (transfer full): a configuration for a printer on the default
 *   port, its model detected, nothing pinned yet
 */
PdPrinterConfig *
pd_printer_config_new (const char *serial,
                       const char *host)
{
  PdPrinterConfig *config = g_new0 (PdPrinterConfig, 1);

  config->serial = g_strdup (serial);
  config->host = g_strdup (host);
  config->port = PD_SESSION_DEFAULT_PORT;
  /* Farm bridges usually speak TLS; plain TCP has to be chosen on purpose. */
  config->bridge_tls = TRUE;

  return config;
}

PdPrinterConfig *
pd_printer_config_copy (const PdPrinterConfig *config)
{
  PdPrinterConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (PdPrinterConfig, 1);
  copy->serial = g_strdup (config->serial);
  copy->name = g_strdup (config->name);
  copy->host = g_strdup (config->host);
  copy->port = config->port;
  copy->model = g_strdup (config->model);
  copy->fingerprint = g_strdup (config->fingerprint);
  copy->bridge_user = g_strdup (config->bridge_user);
  copy->bridge_tls = config->bridge_tls;
  copy->camera_port = config->camera_port;
  copy->ftp_port = config->ftp_port;
  copy->ftp_user = g_strdup (config->ftp_user);

  return copy;
}

void
pd_printer_config_free (PdPrinterConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->serial);
  g_free (config->name);
  g_free (config->host);
  g_free (config->model);
  g_free (config->fingerprint);
  g_free (config->bridge_user);
  g_free (config->ftp_user);
  g_free (config);
}

gboolean
pd_printer_config_equal (const PdPrinterConfig *a,
                         const PdPrinterConfig *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;

  return g_strcmp0 (a->serial, b->serial) == 0 &&
         g_strcmp0 (a->name, b->name) == 0 &&
         g_strcmp0 (a->host, b->host) == 0 &&
         a->port == b->port &&
         g_strcmp0 (a->model, b->model) == 0 &&
         g_strcmp0 (a->fingerprint, b->fingerprint) == 0 &&
         g_strcmp0 (a->bridge_user, b->bridge_user) == 0 &&
         !a->bridge_tls == !b->bridge_tls &&
         a->camera_port == b->camera_port &&
         a->ftp_port == b->ftp_port &&
         g_strcmp0 (a->ftp_user, b->ftp_user) == 0;
}

static gboolean
is_host_name (const char *host)
{
  const char *label = host;

  /* RFC 1123 labels; "_" too, since home routers hand out such names. */
  while (*label != '\0')
    {
      const char *end = strchr (label, '.');
      gsize       len = end != NULL ? (gsize) (end - label) : strlen (label);

      /* (a trailing dot ends the loop before an empty label is seen) */
      if (len == 0 || len > MAX_LABEL_LENGTH)
        return FALSE;
      if (label[0] == '-' || label[len - 1] == '-')
        return FALSE;
      for (gsize i = 0; i < len; i++)
        if (!g_ascii_isalnum (label[i]) && label[i] != '-' && label[i] != '_')
          return FALSE;

      if (end == NULL)
        break;
      label = end + 1;
    }

  return TRUE;
}

static gboolean
validate_host (const char *host,
               GError    **error)
{
  if (host == NULL || *host == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the printer’s IP address or host name"));
      return FALSE;
    }

  if (strstr (host, "://") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is an address with a scheme; enter only the IP address or host name"), host);
      return FALSE;
    }

  if (strlen (host) > MAX_HOST_LENGTH || !g_utf8_validate (host, -1, NULL) ||
      (!g_hostname_is_ip_address (host) && !is_host_name (host)))
    {
      g_autofree char *shown = g_utf8_make_valid (host, MIN (strlen (host), 64));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address or host name"), shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_fingerprint (const char *fingerprint,
                      GError    **error)
{
  guint n_hex = 0;

  for (const char *p = fingerprint; *p != '\0'; p++)
    {
      if (g_ascii_isxdigit (*p))
        n_hex++;
      else if (*p != ':' && *p != ' ')
        n_hex = G_MAXUINT / 2; /* not a fingerprint at all */
    }

  if (n_hex != FINGERPRINT_HEX)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The certificate fingerprint must be a SHA-256 fingerprint: 64 hexadecimal digits"));
      return FALSE;
    }

  return TRUE;
}

/**
 * pd_printer_config_validate:
 * @config: a configuration
 * @error: return location for a %G_IO_ERROR_INVALID_ARGUMENT that tells the
 *   user what to change
 *
 * Returns: %TRUE if @config can be saved and connected with
 */
gboolean
pd_printer_config_validate (const PdPrinterConfig *config,
                            GError               **error)
{
  gsize len;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (config->serial == NULL || *config->serial == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Enter the printer’s serial number"));
      return FALSE;
    }

  /* The serial becomes an MQTT topic level and a keyfile group name. */
  len = strlen (config->serial);
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (config->serial[i]))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("A serial number has only letters and digits"));
          return FALSE;
        }
    }
  if (len > MAX_SERIAL_LENGTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A serial number has at most %d characters"), MAX_SERIAL_LENGTH);
      return FALSE;
    }

  if (config->name != NULL &&
      (!g_utf8_validate (config->name, -1, NULL) || g_utf8_strlen (config->name, -1) > MAX_NAME_LENGTH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("A printer name has at most %d characters"), MAX_NAME_LENGTH);
      return FALSE;
    }

  if (!validate_host (config->host, error))
    return FALSE;

  if (config->port < 1 || config->port > 65535)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The port must be a number from 1 to 65535 (printers use %d)"), PD_SESSION_DEFAULT_PORT);
      return FALSE;
    }

  if (config->model != NULL && pd_model_lookup (config->model) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a printer model Printdeck knows"), config->model);
      return FALSE;
    }

  if (config->fingerprint != NULL && !validate_fingerprint (config->fingerprint, error))
    return FALSE;

  if (config->bridge_user != NULL)
    {
      gboolean ok = *config->bridge_user != '\0' && g_utf8_validate (config->bridge_user, -1, NULL);

      for (const char *p = config->bridge_user; ok && *p != '\0'; p++)
        ok = !g_ascii_iscntrl (*p);
      if (!ok)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Enter the user name at the bridge, or none for a printer"));
          return FALSE;
        }
    }

  if (config->ftp_port > 65535)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The file storage port must be a number from 0 to 65535"));
      return FALSE;
    }

  /* It goes into an FTP command line: no control characters, no spaces. */
  if (config->ftp_user != NULL)
    {
      gboolean ok = *config->ftp_user != '\0' && g_utf8_validate (config->ftp_user, -1, NULL);

      for (const char *p = config->ftp_user; ok && *p != '\0'; p++)
        ok = !g_ascii_iscntrl (*p) && *p != ' ';
      if (!ok)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("The file storage user name must have no spaces or control characters"));
          return FALSE;
        }
    }

  return TRUE;
}

static char *
get_optional_string (GKeyFile   *keyfile,
                     const char *group,
                     const char *key)
{
  char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);

  return value;
}

/* A port key, if there: @min to 65535, else @message. */
static gboolean
get_optional_port (GKeyFile   *keyfile,
                   const char *group,
                   const char *key,
                   guint       min,
                   const char *message,
                   guint      *port,
                   GError    **error)
{
  g_autoptr (GError) local_error = NULL;
  int                value;

  if (!g_key_file_has_key (keyfile, group, key, NULL))
    return TRUE;

  value = g_key_file_get_integer (keyfile, group, key, &local_error);
  if (local_error != NULL || value < (int) min || value > 65535)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
      return FALSE;
    }
  *port = (guint) value;

  return TRUE;
}

/**
 * pd_printer_config_new_from_key_file:
 * @keyfile: printers.ini, read
 * @group: a group of it, "printer <serial>"
 * @error: why it is not usable
 *
 * Reads one printer's group, as the app and printdeck-cli do; nothing
 * connects.
 *
 * Returns: (transfer full) (nullable): the printer's configuration, valid,
 *   or %NULL with @error
 */
PdPrinterConfig *
pd_printer_config_new_from_key_file (GKeyFile   *keyfile,
                                     const char *group,
                                     GError    **error)
{
  g_autoptr (PdPrinterConfig) config = NULL;
  g_autofree char            *host = NULL;
  g_autoptr (GError)          local_error = NULL;

  g_return_val_if_fail (keyfile != NULL, NULL);
  g_return_val_if_fail (g_str_has_prefix (group, PD_PRINTER_CONFIG_GROUP_PREFIX), NULL);

  host = get_optional_string (keyfile, group, "host");
  config = pd_printer_config_new (group + strlen (PD_PRINTER_CONFIG_GROUP_PREFIX), host);
  config->name = get_optional_string (keyfile, group, "name");
  config->model = get_optional_string (keyfile, group, "model");
  config->fingerprint = get_optional_string (keyfile, group, "fingerprint");
  config->bridge_user = get_optional_string (keyfile, group, "bridge-user");
  config->ftp_user = get_optional_string (keyfile, group, "ftp-user");

  if (!get_optional_port (keyfile, group, "port", 1, _("the port is not a number from 1 to 65535"),
                          &config->port, error) ||
      !get_optional_port (keyfile, group, "camera-port", 0, _("the camera port is not a number from 0 to 65535"),
                          &config->camera_port, error) ||
      !get_optional_port (keyfile, group, "ftp-port", 0,
                          _("the file storage port is not a number from 0 to 65535"), &config->ftp_port, error))
    return NULL;

  if (g_key_file_has_key (keyfile, group, "bridge-tls", NULL))
    {
      config->bridge_tls = g_key_file_get_boolean (keyfile, group, "bridge-tls", &local_error);
      if (local_error != NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("bridge-tls is not true or false"));
          return NULL;
        }
    }

  if (!pd_printer_config_validate (config, error))
    return NULL;

  return g_steal_pointer (&config);
}
