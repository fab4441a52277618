/* pd-job-fetch.c — downloading a job's file from the printer over FTPS
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libcurl rather than GIO: the printers' vsFTPd requires the data
 * connection's TLS session to resume the control connection's
 * (require_ssl_reuse, "522 … session reuse required"), which libcurl does
 * with its session-ID cache and GIO's FTP-less stack would have to rebuild.
 *
 * The certificate is checked inside the handshake (an OpenSSL verify
 * callback installed through CURLOPT_SSL_CTX_FUNCTION) by the same rule as
 * MQTT and the cameras (pd_cert_policy_check(): Bambu-signed for the
 * serial, or the pinned fingerprint), so a wrong server never sees the
 * access code. The credentials travel only as
 * CURLOPT_USERNAME/PASSWORD, never in a URL, and nothing here logs them.
 */

#define G_LOG_DOMAIN "pd-job-fetch"

#include "config.h"

#include <string.h>

#include <curl/curl.h>
#include <glib/gi18n-lib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "pd-cert-policy.h"
#include "pd-job-fetch.h"

/* Printers sustain 50–150 KB/s; a link that moves nothing for this long is
 * dead (a slow one still moves bytes). */
#define LOW_SPEED_LIMIT_BYTES 1
#define LOW_SPEED_TIME_SECONDS 30
#define CONNECT_TIMEOUT_SECONDS 15

typedef struct
{
  char        *host;
  char        *username;
  guint        port;
  char        *access_code;
  char        *serial; /* NULL: not known, only the pin vouches */
  char        *pinned; /* NULL: nothing pinned yet */
  GStrv        paths;
  gsize        max_bytes;
  gboolean     clear_data;
  guint        stall_seconds;

  /* Written by the worker, read after the task returned. */
  GByteArray  *buffer;
  gboolean     too_large;
  gboolean     wrong_certificate;
  PdCertVerdict verdict;
  char        *fingerprint;
  char        *fetched_path;
  GCancellable *cancellable;
} FetchData;

G_DEFINE_QUARK (pd-job-fetch-error-quark, pd_job_fetch_error)

static void
fetch_data_free (gpointer data)
{
  FetchData *fetch = data;

  g_free (fetch->host);
  g_free (fetch->username);
  if (fetch->access_code != NULL)
    {
      /* Not kept in freed memory longer than needed. */
      memset (fetch->access_code, 0, strlen (fetch->access_code));
      g_free (fetch->access_code);
    }
  g_free (fetch->serial);
  g_free (fetch->pinned);
  g_strfreev (fetch->paths);
  g_clear_pointer (&fetch->buffer, g_byte_array_unref);
  g_free (fetch->fingerprint);
  g_free (fetch->fetched_path);
  g_free (fetch);
}

static GBytes *
x509_to_der (X509 *cert)
{
  unsigned char *der = NULL;
  int            length = i2d_X509 (cert, &der);
  GBytes        *bytes;

  if (length <= 0)
    return NULL;
  bytes = g_bytes_new (der, (gsize) length);
  OPENSSL_free (der);
  return bytes;
}

/* Called by OpenSSL on the worker thread in place of the chain check, for
 * every full handshake (resumed data-connection sessions skip it: they
 * carry the control connection's verified session). The printer's rule,
 * as for MQTT and the cameras: pd-cert-policy decides. */
static int
verify_certificate_cb (X509_STORE_CTX *store,
                       void           *user_data)
{
  FetchData            *fetch = user_data;
  X509                 *cert = X509_STORE_CTX_get0_cert (store);
  STACK_OF (X509)      *untrusted = X509_STORE_CTX_get0_untrusted (store);
  g_autoptr (GBytes)    leaf = NULL;
  g_autoptr (GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char      *fingerprint = NULL;

  if (cert == NULL || (leaf = x509_to_der (cert)) == NULL)
    {
      fetch->wrong_certificate = TRUE;
      fetch->verdict = PD_CERT_INVALID;
      return 0;
    }
  for (int i = 0; untrusted != NULL && i < sk_X509_num (untrusted); i++)
    {
      GBytes *der = x509_to_der (sk_X509_value (untrusted, i));

      if (der != NULL)
        g_ptr_array_add (chain, der);
    }

  fetch->verdict = pd_cert_policy_check (leaf, chain, fetch->serial, fetch->pinned, &fingerprint, NULL);
  g_free (fetch->fingerprint);
  fetch->fingerprint = g_steal_pointer (&fingerprint);
  if (!pd_cert_verdict_is_accepted (fetch->verdict))
    {
      fetch->wrong_certificate = TRUE;
      X509_STORE_CTX_set_error (store, X509_V_ERR_CERT_REJECTED);
      return 0;
    }
  return 1;
}

static CURLcode
ssl_ctx_cb (CURL *curl,
            void *ssl_ctx,
            void *user_data)
{
  (void) curl;

  /* libcurl sets SSL_VERIFY_NONE (VERIFYPEER is off: the printers' CA is
   * not ours to trust) before calling us; with VERIFY_NONE OpenSSL would
   * ignore our callback's verdict, so ask for verification again and let
   * the callback be the whole check. */
  SSL_CTX_set_verify (ssl_ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_cert_verify_callback (ssl_ctx, verify_certificate_cb, user_data);
  return CURLE_OK;
}

static size_t
write_cb (char  *data,
          size_t size,
          size_t count,
          void  *user_data)
{
  FetchData *fetch = user_data;
  gsize      length = size * count;

  if (length > fetch->max_bytes - MIN (fetch->buffer->len, fetch->max_bytes))
    {
      fetch->too_large = TRUE;
      return 0; /* CURLE_WRITE_ERROR */
    }
  g_byte_array_append (fetch->buffer, (const guint8 *) data, length);
  return length;
}

static int
xferinfo_cb (void      *user_data,
             curl_off_t dltotal,
             curl_off_t dlnow,
             curl_off_t ultotal,
             curl_off_t ulnow)
{
  FetchData *fetch = user_data;

  (void) dltotal;
  (void) dlnow;
  (void) ultotal;
  (void) ulnow;

  return g_cancellable_is_cancelled (fetch->cancellable) ? 1 : 0;
}

static char *
build_url (FetchData  *fetch,
           const char *path)
{
  g_autofree char *escaped = NULL;
  gboolean         ipv6 = strchr (fetch->host, ':') != NULL;

  while (*path == '/')
    path++;
  /* FTP URL paths are relative to the login directory, which is the
   * storage root on the printers. */
  escaped = g_uri_escape_string (path, "/", FALSE);
  return g_strdup_printf ("ftps://%s%s%s:%u/%s",
                          ipv6 ? "[" : "", fetch->host, ipv6 ? "]" : "",
                          fetch->port, escaped);
}

static void
set_curl_error (GError    **error,
                FetchData  *fetch,
                CURL       *curl,
                CURLcode    code,
                const char *detail)
{
  curl_off_t connected = 0;
  const char *why = detail[0] != '\0' ? detail : curl_easy_strerror (code);

  /* An if chain: a switch would have to list all of CURLcode (-Wswitch-enum). */
  if (code == CURLE_ABORTED_BY_CALLBACK)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The download of the job file was cancelled"));
      return;
    }
  if (code == CURLE_LOGIN_DENIED)
    {
      g_set_error_literal (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_LOGIN,
                           _("The printer refused the access code for its file storage"));
      return;
    }
  if (code == CURLE_FILESIZE_EXCEEDED || (code == CURLE_WRITE_ERROR && fetch->too_large))
    {
      g_autofree char *limit = g_format_size_full (fetch->max_bytes, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_TOO_LARGE,
                   _("The job file is larger than %s"), limit);
      return;
    }
  if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT)
    {
      g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_UNREACHABLE,
                   _("Could not connect to the printer's file storage: %s"), why);
      return;
    }
  if (code == CURLE_OPERATION_TIMEDOUT)
    {
      /* Both the connect timeout and the low-speed limit end here; only
       * a connection that finished its handshake can have stalled. */
      curl_easy_getinfo (curl, CURLINFO_APPCONNECT_TIME_T, &connected);
      if (connected == 0)
        g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_UNREACHABLE,
                     _("The printer's file storage did not answer in time"));
      else
        g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_STALLED,
                     _("The download of the job file stalled for %u seconds"),
                     fetch->stall_seconds);
      return;
    }

  if (fetch->wrong_certificate && fetch->verdict == PD_CERT_WRONG_SERIAL)
    g_set_error_literal (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE,
                         _("The printer's file storage presented the certificate of another printer"));
  else if (fetch->wrong_certificate)
    g_set_error_literal (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_CERTIFICATE,
                         _("The printer's file storage presented a different certificate than the one trusted for this printer"));
  else if (code == CURLE_SSL_CONNECT_ERROR)
    g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_UNREACHABLE,
                 _("Could not open a secure connection to the printer's file storage: %s"), why);
  else
    g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                 _("Could not download the job file: %s"), why);
}

static gboolean
setup_curl (CURL      *curl,
            FetchData *fetch,
            char      *error_buffer,
            GError   **error)
{
  CURLcode code = CURLE_OK;

#define SETOPT(option, value) \
  if (code == CURLE_OK) \
    code = curl_easy_setopt (curl, option, value)

  SETOPT (CURLOPT_NOSIGNAL, 1L); /* a worker thread: no SIGALRM */
#if LIBCURL_VERSION_NUM >= 0x075500
  SETOPT (CURLOPT_PROTOCOLS_STR, "ftps");
#else
  SETOPT (CURLOPT_PROTOCOLS, (long) CURLPROTO_FTPS);
#endif
  SETOPT (CURLOPT_ERRORBUFFER, error_buffer);
  SETOPT (CURLOPT_USERNAME, fetch->username);
  SETOPT (CURLOPT_PASSWORD, fetch->access_code);
  /* CURLUSESSL_CONTROL is PROT C: the data connection in the clear. */
  SETOPT (CURLOPT_USE_SSL, (long) (fetch->clear_data ? CURLUSESSL_CONTROL : CURLUSESSL_ALL));
  /* X1C/H2D accept only TLS 1.2, and P2S/X2D/H2C break on 1.3
   * (reference/ftps-3mf.md §1.3). */
  SETOPT (CURLOPT_SSLVERSION, (long) (CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
  /* vsFTPd's require_ssl_reuse: the data connection resumes the control
   * connection's session. On by default; said here so nobody turns it off. */
  SETOPT (CURLOPT_SSL_SESSIONID_CACHE, 1L);
  SETOPT (CURLOPT_SSL_VERIFYPEER, 0L);
  SETOPT (CURLOPT_SSL_VERIFYHOST, 0L);
  SETOPT (CURLOPT_SSL_CTX_FUNCTION, ssl_ctx_cb);
  SETOPT (CURLOPT_SSL_CTX_DATA, fetch);
  SETOPT (CURLOPT_FTP_SKIP_PASV_IP, 1L);
  /* "RETR cache/x.3mf" rather than "CWD cache" + "RETR x.3mf": a missing
   * folder then answers 550 like a missing file, in fewer round trips. */
  SETOPT (CURLOPT_FTP_FILEMETHOD, (long) CURLFTPMETHOD_NOCWD);
  SETOPT (CURLOPT_CONNECTTIMEOUT, (long) CONNECT_TIMEOUT_SECONDS);
  SETOPT (CURLOPT_LOW_SPEED_LIMIT, (long) LOW_SPEED_LIMIT_BYTES);
  SETOPT (CURLOPT_LOW_SPEED_TIME, (long) fetch->stall_seconds);
  /* The low-speed limit watches data only; a server that stops answering
   * commands is the same stall. */
  SETOPT (CURLOPT_SERVER_RESPONSE_TIMEOUT, (long) fetch->stall_seconds);
  SETOPT (CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) MIN (fetch->max_bytes, (gsize) G_MAXINT64));
  SETOPT (CURLOPT_WRITEFUNCTION, write_cb);
  SETOPT (CURLOPT_WRITEDATA, fetch);
  SETOPT (CURLOPT_NOPROGRESS, 0L);
  SETOPT (CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
  SETOPT (CURLOPT_XFERINFODATA, fetch);

#undef SETOPT

  if (code != CURLE_OK)
    {
      /* CURLOPT_SSL_CTX_FUNCTION needs libcurl built with OpenSSL; without
       * it the certificate could not be checked, so nothing is sent. */
      g_set_error (error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                   _("Could not set up the download of the job file: %s"),
                   curl_easy_strerror (code));
      return FALSE;
    }
  return TRUE;
}

static void
fetch_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  FetchData   *fetch = task_data;
  CURL        *curl = NULL;
  char         error_buffer[CURL_ERROR_SIZE] = "";
  GError      *error = NULL;

  (void) source_object;
  (void) cancellable;

  curl = curl_easy_init ();
  if (curl == NULL)
    {
      g_task_return_new_error (task, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                               _("Could not set up the download of the job file"));
      return;
    }
  if (!setup_curl (curl, fetch, error_buffer, &error))
    {
      curl_easy_cleanup (curl);
      g_task_return_error (task, error);
      return;
    }

  /* One easy handle for every candidate: libcurl keeps the control
   * connection open between them, and the printer serves one client at a
   * time. */
  for (guint i = 0; fetch->paths[i] != NULL; i++)
    {
      g_autofree char *url = build_url (fetch, fetch->paths[i]);
      curl_off_t       expected = -1;
      CURLcode         code;
      long             response = 0;

      g_byte_array_set_size (fetch->buffer, 0);
      error_buffer[0] = '\0';
      curl_easy_setopt (curl, CURLOPT_URL, url);
      g_debug ("Fetching %s", url);
      code = curl_easy_perform (curl);
      curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &response);

      /* 550 is "no such file" (or folder), to vsFTPd as to the printers. */
      if (code == CURLE_REMOTE_FILE_NOT_FOUND || (code == CURLE_REMOTE_ACCESS_DENIED && response == 550))
        {
          g_debug ("No %s (%ld)", fetch->paths[i], response);
          continue;
        }
      if (code != CURLE_OK)
        {
          set_curl_error (&error, fetch, curl, code, error_buffer);
          break;
        }

      /* A data connection that closes early does not always fail
       * (reference/ftps-3mf.md §1.3): compare with the announced size. */
      curl_easy_getinfo (curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
      if (fetch->buffer->len == 0 || (expected >= 0 && (curl_off_t) fetch->buffer->len != expected))
        {
          g_autofree char *got = g_format_size_full (fetch->buffer->len, G_FORMAT_SIZE_LONG_FORMAT);
          g_autofree char *whole = expected >= 0 ? g_format_size_full ((guint64) expected, G_FORMAT_SIZE_LONG_FORMAT)
                                                 : NULL;

          if (whole != NULL)
            g_set_error (&error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                         _("The job file arrived incomplete (%s of %s)"), got, whole);
          else
            g_set_error_literal (&error, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                                 _("The job file arrived empty"));
          break;
        }

      fetch->fetched_path = g_strdup (fetch->paths[i]);
      break;
    }

  curl_easy_cleanup (curl);

  if (error != NULL)
    g_task_return_error (task, error);
  else if (fetch->fetched_path == NULL)
    g_task_return_new_error (task, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_NOT_FOUND,
                             _("The job file is not on the printer's storage"));
  else
    g_task_return_pointer (task, g_byte_array_free_to_bytes (g_steal_pointer (&fetch->buffer)),
                           (GDestroyNotify) g_bytes_unref);
}

void
pd_job_fetch_async (const char         *host,
                    guint               port,
                    const char         *access_code,
                    const char         *pinned_fingerprint,
                    const char *const  *paths,
                    gsize               max_bytes,
                    const PdJobFetchOptions *options,
                    GCancellable       *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer            user_data)
{
  static gsize  curl_ready = 0;
  g_autoptr (GTask) task = NULL;
  FetchData    *fetch;

  g_return_if_fail (host != NULL && host[0] != '\0');
  g_return_if_fail (port > 0 && port <= G_MAXUINT16);
  g_return_if_fail (access_code != NULL);
  g_return_if_fail (paths != NULL);
  g_return_if_fail (max_bytes > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* curl_global_init() is not thread-safe everywhere; do it once, here. */
  if (g_once_init_enter (&curl_ready))
    g_once_init_leave (&curl_ready, curl_global_init (CURL_GLOBAL_DEFAULT) == CURLE_OK ? 1 : 2);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_job_fetch_async);
  g_task_set_name (task, "[printdeck] job file fetch");

  fetch = g_new0 (FetchData, 1);
  fetch->host = g_strdup (host);
  fetch->username = g_strdup (options != NULL && options->username != NULL ? options->username : "bblp");
  fetch->clear_data = options != NULL && options->clear_data;
  fetch->stall_seconds = options != NULL && options->stall_seconds > 0 ? options->stall_seconds
                                                                      : LOW_SPEED_TIME_SECONDS;
  fetch->port = port;
  fetch->access_code = g_strdup (access_code);
  fetch->serial = options != NULL && options->serial != NULL ? g_strdup (options->serial) : NULL;
  fetch->pinned = pinned_fingerprint != NULL && pinned_fingerprint[0] != '\0' ? g_strdup (pinned_fingerprint) : NULL;
  fetch->verdict = PD_CERT_INVALID;
  fetch->paths = g_strdupv ((char **) paths);
  fetch->max_bytes = max_bytes;
  fetch->buffer = g_byte_array_new ();
  fetch->cancellable = cancellable;
  g_task_set_task_data (task, fetch, fetch_data_free);

  if (curl_ready != 1)
    {
      g_task_return_new_error (task, PD_JOB_FETCH_ERROR, PD_JOB_FETCH_ERROR_FAILED,
                               _("Could not set up the download of the job file"));
      return;
    }

  g_task_run_in_thread (task, fetch_thread);
}

GBytes *
pd_job_fetch_finish (GAsyncResult *result,
                     char        **fetched_path,
                     GError      **error)
{
  GBytes    *bytes;
  FetchData *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_job_fetch_async, NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  bytes = g_task_propagate_pointer (G_TASK (result), error);
  if (fetched_path != NULL)
    *fetched_path = bytes != NULL ? g_strdup (fetch->fetched_path) : NULL;
  return bytes;
}

const char *
pd_job_fetch_get_fingerprint (GAsyncResult *result)
{
  FetchData *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pd_job_fetch_async, NULL);

  fetch = g_task_get_task_data (G_TASK (result));
  return fetch->fingerprint;
}
