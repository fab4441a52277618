/* pd-camera-source.c — the one upstream camera connection of a printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each attempt to connect is a Connection: it owns the socket or the
 * pipeline, and carries a weak link back to the source that the main thread
 * clears when the attempt is given up. Everything that comes back from I/O
 * callbacks, GStreamer's streaming threads or the decode workers checks that
 * link first, so a stale attempt can never touch the source.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <string.h>

#include "pd-camera-source.h"
#include "pd-cert-policy.h"
#include "pd-enum-types.h"

#define JPEG_AUTH_SIZE        80
#define IO_TIMEOUT_S          15   /* printers send a picture every 1–2 s at least */
#define FIRST_FRAME_TIMEOUT_S 20
#define STALL_TIMEOUT_S       12
#define MAX_BAD_FRAMES        3
#define BUSY_RETRY_S          5
#define MAX_RETRY_S           30
#define RESIZE_DELAY_MS       250

typedef struct _Connection Connection;

struct _PdCameraSource
{
  GObject          parent_instance;

  GMainContext    *context;
  PdCameraKind     kind;
  char            *host;
  guint16          port;
  char            *serial;
  char            *access_code;
  char            *pinned;
  char            *fingerprint;
  gboolean         liveview_disabled;
  gboolean         code_verified;

  GHashTable      *viewers; /* id → Viewer */
  guint            next_viewer_id;
  guint            linger_ms;
  guint            linger_id;
  guint            resize_id;

  PdCameraState    state;
  PdCameraProblem  problem;
  char            *problem_message;
  PdCameraFrame   *frame;
  guint64          n_frames;
  guint64          n_connections;
  int              native_width;
  int              native_height;

  Connection      *conn;
  guint            retry_id;
  guint            n_failures;
  GPtrArray       *grabs; /* GTask */
};

typedef struct
{
  int width;
  int height;
} Viewer;

struct _Connection
{
  gatomicrefcount  ref;
  PdCameraSource  *source; /* main thread only; NULL once given up */
  GMainContext    *context; /* the source's: where results go */
  GCancellable    *cancellable;
  PdCameraKind     kind;
  char            *host;
  guint16          port;
  char            *serial;
  char            *code;
  gint64           started;
  gint64           last_frame;
  gboolean         got_frame;
  guint            watchdog_id;

  GMutex           lock; /* the certificate verdict, and the RTSPS latest sample */
  char            *pinned;
  gboolean         checked;
  PdCertVerdict    verdict;
  char            *presented;

  /* port 6000 */
  GSocketConnection *socket;
  guint8             header[PD_CAMERA_JPEG_HEADER_SIZE];
  guint8            *payload;
  gsize              payload_size;
  guint8             auth[JPEG_AUTH_SIZE];
  GBytes            *pending_jpeg;
  gboolean           decoding;
  guint              n_bad;

  /* RTSPS */
  GstElement        *pipeline;
  GstElement        *capsfilter;
  GstElement        *decoder;
  GSource           *bus_source;
  GstSample         *latest;
  gboolean           sample_pending;
  GstCaps           *last_caps;
  char              *caps_string;
};

enum {
  PROP_0,
  PROP_KIND,
  PROP_STATE,
  PROP_PROBLEM,
  PROP_PROBLEM_MESSAGE,
  PROP_FRAME,
  PROP_N_VIEWERS,
  PROP_FINGERPRINT,
  N_PROPS
};

enum {
  SIGNAL_FRAME,
  SIGNAL_CERTIFICATE_PINNED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PdCameraSource, pd_camera_source, G_TYPE_OBJECT)

static void update_running (PdCameraSource *self);
static void connection_failed (Connection     *conn,
                               PdCameraProblem problem,
                               const char     *message);
static void jpeg_read_header (Connection *conn);

/* Connections --------------------------------------------------------------------*/

static Connection *
connection_ref (Connection *conn)
{
  g_atomic_ref_count_inc (&conn->ref);
  return conn;
}

static void
connection_unref (Connection *conn)
{
  if (!g_atomic_ref_count_dec (&conn->ref))
    return;

  g_assert (conn->pipeline == NULL);
  g_clear_object (&conn->cancellable);
  g_clear_object (&conn->socket);
  g_clear_pointer (&conn->context, g_main_context_unref);
  g_free (conn->payload);
  g_clear_pointer (&conn->pending_jpeg, g_bytes_unref);
  g_clear_pointer (&conn->latest, gst_sample_unref);
  g_clear_pointer (&conn->last_caps, gst_caps_unref);
  g_free (conn->caps_string);
  g_free (conn->host);
  g_free (conn->serial);
  if (conn->code != NULL)
    memset (conn->code, 0, strlen (conn->code));
  g_free (conn->code);
  g_free (conn->pinned);
  g_free (conn->presented);
  explicit_bzero (conn->auth, sizeof conn->auth);
  g_mutex_clear (&conn->lock);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Connection, connection_unref)

static gboolean
connection_is_current (Connection *conn)
{
  return conn->source != NULL && conn->source->conn == conn;
}

/* Both transports: the certificate rules of pd-cert-policy. Called on
 * whatever thread does the handshake. */
static gboolean
connection_check_certificate (Connection      *conn,
                              GTlsCertificate *peer)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GBytes)     leaf = NULL;
  g_autoptr (GPtrArray)  chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char       *fingerprint = NULL;
  g_autofree char       *subject = NULL;
  g_autofree char       *pinned = NULL;
  PdCertVerdict          verdict;

  g_object_get (peer, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  leaf = g_byte_array_free_to_bytes (g_steal_pointer (&der));

  for (GTlsCertificate *issuer = g_tls_certificate_get_issuer (peer);
       issuer != NULL && chain->len < 8;
       issuer = g_tls_certificate_get_issuer (issuer))
    {
      g_autoptr (GByteArray) issuer_der = NULL;

      g_object_get (issuer, "certificate", &issuer_der, NULL);
      if (issuer_der != NULL)
        g_ptr_array_add (chain, g_byte_array_free_to_bytes (g_steal_pointer (&issuer_der)));
    }

  g_mutex_lock (&conn->lock);
  pinned = g_strdup (conn->pinned);
  g_mutex_unlock (&conn->lock);

  verdict = pd_cert_policy_check (leaf, chain, conn->serial, pinned, &fingerprint, &subject);
  g_debug ("%s: camera certificate %s (CN %s): verdict %d", conn->serial, fingerprint, subject, verdict);

  g_mutex_lock (&conn->lock);
  conn->checked = TRUE;
  conn->verdict = verdict;
  g_free (conn->presented);
  conn->presented = g_steal_pointer (&fingerprint);
  g_mutex_unlock (&conn->lock);

  return pd_cert_verdict_is_accepted (verdict);
}

/* TRUE when the certificate was seen and refused; *message says why. */
static gboolean
connection_certificate_refused (Connection *conn,
                                char      **message)
{
  gboolean refused;

  g_mutex_lock (&conn->lock);
  refused = conn->checked && !pd_cert_verdict_is_accepted (conn->verdict);
  if (refused && message != NULL)
    {
      if (conn->verdict == PD_CERT_WRONG_SERIAL)
        *message = g_strdup (_("The camera answered with the certificate of another printer."));
      else
        *message = g_strdup_printf (_("The camera's certificate (%s) is not the one trusted for this printer."),
                                    conn->presented != NULL ? conn->presented : "?");
    }
  g_mutex_unlock (&conn->lock);

  return refused;
}

/* After a handshake that was accepted: pin a first-use certificate. */
static void
connection_take_first_use (Connection *conn)
{
  PdCameraSource  *self = conn->source;
  g_autofree char *fingerprint = NULL;

  g_mutex_lock (&conn->lock);
  if (conn->checked && conn->verdict == PD_CERT_FIRST_USE)
    fingerprint = g_strdup (conn->presented);
  if (conn->presented != NULL && g_strcmp0 (self->fingerprint, conn->presented) != 0)
    {
      g_free (self->fingerprint);
      self->fingerprint = g_strdup (conn->presented);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINGERPRINT]);
    }
  g_mutex_unlock (&conn->lock);

  if (fingerprint != NULL && self->pinned == NULL)
    {
      self->pinned = g_strdup (fingerprint);
      g_signal_emit (self, signals[SIGNAL_CERTIFICATE_PINNED], 0, fingerprint);
    }
}

/* State --------------------------------------------------------------------------*/

static void
set_state (PdCameraSource *self,
           PdCameraState   state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_problem (PdCameraSource *self,
             PdCameraProblem problem,
             const char     *message)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->problem != problem)
    {
      self->problem = problem;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM]);
    }
  if (g_strcmp0 (self->problem_message, message) != 0)
    {
      g_free (self->problem_message);
      self->problem_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEM_MESSAGE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
is_wanted (PdCameraSource *self)
{
  return g_hash_table_size (self->viewers) > 0 || self->grabs->len > 0;
}

/* The box every viewer fits in; 0 × 0 when one wants the full size. */
static void
target_box (PdCameraSource *self,
            int            *width,
            int            *height)
{
  GHashTableIter iter;
  Viewer        *viewer;

  *width = *height = 0;
  if (self->grabs->len > 0)
    return;

  g_hash_table_iter_init (&iter, self->viewers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &viewer))
    {
      if (viewer->width <= 0 || viewer->height <= 0)
        {
          *width = *height = 0;
          return;
        }
      *width = MAX (*width, viewer->width);
      *height = MAX (*height, viewer->height);
    }
}

/* Takes a grab out of the waiting ones (and off its cancellable). */
static GTask *
take_grab (PdCameraSource *self,
           guint           index)
{
  GTask        *task = g_ptr_array_steal_index (self->grabs, index);
  GCancellable *cancellable = g_task_get_cancellable (task);
  gulong        handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "pd-cancel-handler"));
  GSource      *timeout = g_object_get_data (G_OBJECT (task), "pd-timeout");

  if (cancellable != NULL && handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  /* The timeout holds the task, which holds the source: let go now. */
  if (timeout != NULL)
    g_source_destroy (timeout);

  return task;
}

static void
fail_grabs (PdCameraSource *self,
            const char     *message)
{
  while (self->grabs->len > 0)
    {
      g_autoptr (GTask) task = take_grab (self, 0);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
    }
}

/* Tearing down -------------------------------------------------------------------*/

static void
stop_pipeline_in_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  /* rtspsrc sends TEARDOWN and may wait for an answer: not on the main loop. */
  gst_element_set_state (GST_ELEMENT (task_data), GST_STATE_NULL);
  g_task_return_boolean (task, TRUE);
}

static void
connection_close (Connection *conn)
{
  conn->source = NULL;
  g_cancellable_cancel (conn->cancellable);
  g_clear_handle_id (&conn->watchdog_id, g_source_remove);

  /* Close the socket itself, at once: a TLS close would wait for the read
   * still pending (G_IO_ERROR_PENDING), and the printer should see its one
   * camera client go now, not when the last reference does. */
  if (conn->socket != NULL)
    g_socket_close (g_socket_connection_get_socket (conn->socket), NULL);

  if (conn->bus_source != NULL)
    {
      g_source_destroy (conn->bus_source);
      g_clear_pointer (&conn->bus_source, g_source_unref);
    }
  if (conn->pipeline != NULL)
    {
      g_autoptr (GTask) task = g_task_new (NULL, NULL, NULL, NULL);

      g_task_set_task_data (task, g_steal_pointer (&conn->pipeline), gst_object_unref);
      g_task_run_in_thread (task, stop_pipeline_in_thread);
      conn->capsfilter = NULL;
      conn->decoder = NULL;
    }

  connection_unref (conn);
}

static void
drop_connection (PdCameraSource *self)
{
  Connection *conn = g_steal_pointer (&self->conn);

  g_clear_handle_id (&self->resize_id, g_source_remove);
  if (conn != NULL)
    connection_close (conn);
}

/* Frames -------------------------------------------------------------------------*/

static gboolean
grab_is_satisfied (PdCameraSource *self,
                   GTask          *task,
                   PdCameraFrame  *frame)
{
  gint64 asked = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (task), "pd-asked")) ;

  if (pd_camera_frame_get_time (frame) < asked)
    return FALSE;
  /* A full-size picture: the scaled stream switches to it in a frame or two. */
  return self->native_width <= 0 ||
         (pd_camera_frame_get_width (frame) >= self->native_width &&
          pd_camera_frame_get_height (frame) >= self->native_height);
}

static void
deliver_frame (Connection    *conn,
               PdCameraFrame *frame)
{
  PdCameraSource *self = conn->source;

  conn->got_frame = TRUE;
  conn->last_frame = g_get_monotonic_time ();
  conn->n_bad = 0;
  if (self->n_failures > 0 || self->problem != PD_CAMERA_PROBLEM_NONE)
    {
      self->n_failures = 0;
      set_problem (self, PD_CAMERA_PROBLEM_NONE, NULL);
    }

  pd_camera_frame_set_sequence (frame, ++self->n_frames);
  g_clear_pointer (&self->frame, pd_camera_frame_unref);
  self->frame = pd_camera_frame_ref (frame);
  set_state (self, PD_CAMERA_STATE_STREAMING);

  g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAME]);

  for (guint i = 0; i < self->grabs->len;)
    {
      GTask *task = g_ptr_array_index (self->grabs, i);

      if (grab_is_satisfied (self, task, frame))
        {
          g_autoptr (GTask) done = take_grab (self, i);

          g_task_return_pointer (done, pd_camera_frame_ref (frame), (GDestroyNotify) pd_camera_frame_unref);
          update_running (self);
          if (self->conn != conn)
            return;
        }
      else
        i++;
    }
}

/* Checks a connection that should be sending pictures. */
static gboolean
on_watchdog (gpointer data)
{
  Connection *conn = data;
  gint64      now = g_get_monotonic_time ();

  if (!connection_is_current (conn))
    return G_SOURCE_CONTINUE;

  if (!conn->got_frame && now - conn->started > FIRST_FRAME_TIMEOUT_S * G_USEC_PER_SEC)
    {
      connection_failed (conn, PD_CAMERA_PROBLEM_UNREACHABLE,
                         _("The camera did not send a picture within 20 seconds."));
      return G_SOURCE_CONTINUE;
    }
  if (conn->got_frame && now - conn->last_frame > STALL_TIMEOUT_S * G_USEC_PER_SEC)
    connection_failed (conn, PD_CAMERA_PROBLEM_LOST, _("The camera stopped sending pictures."));

  return G_SOURCE_CONTINUE;
}

static void
connection_start_watchdog (Connection *conn)
{
  GSource *source = g_timeout_source_new_seconds (1);

  g_source_set_callback (source, on_watchdog, connection_ref (conn), (GDestroyNotify) connection_unref);
  g_source_set_name (source, "[printdeck] camera watchdog");
  conn->watchdog_id = g_source_attach (source, conn->source->context);
  g_source_unref (source);
}

/* Port 6000: TLS, an 80-byte login, then 16-byte headers and JPEGs ---------------*/

typedef struct
{
  GBytes *jpeg;
  int     max_width;
  int     max_height;
  gint64  time;
} DecodeJob;

static void
decode_job_free (DecodeJob *job)
{
  g_bytes_unref (job->jpeg);
  g_free (job);
}

static void
decode_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  DecodeJob     *job = task_data;
  GError        *error = NULL;
  PdCameraFrame *frame;

  frame = pd_camera_frame_new_from_jpeg (job->jpeg, job->max_width, job->max_height, job->time, &error);
  if (frame == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, frame, (GDestroyNotify) pd_camera_frame_unref);
}

static void jpeg_decode_next (Connection *conn);

static void
on_decoded (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (Connection)    conn = data;
  g_autoptr (PdCameraFrame) frame = NULL;
  g_autoptr (GError)        error = NULL;

  conn->decoding = FALSE;
  frame = g_task_propagate_pointer (G_TASK (result), &error);
  if (!connection_is_current (conn))
    return;

  if (frame == NULL)
    {
      g_message ("%s: camera picture skipped: %s", conn->serial, error->message);
      if (++conn->n_bad >= MAX_BAD_FRAMES)
        {
          connection_failed (conn, PD_CAMERA_PROBLEM_BAD_DATA, error->message);
          return;
        }
    }
  else
    {
      deliver_frame (conn, frame);
      if (!connection_is_current (conn))
        return;
    }

  jpeg_decode_next (conn);
}

/* One decode at a time per camera; a picture that arrives meanwhile waits,
 * and a newer one replaces it: views want the latest, not every one. */
static void
jpeg_decode_next (Connection *conn)
{
  PdCameraSource   *self = conn->source;
  g_autoptr (GTask) task = NULL;
  DecodeJob        *job;

  if (conn->decoding || conn->pending_jpeg == NULL)
    return;

  job = g_new0 (DecodeJob, 1);
  job->jpeg = g_steal_pointer (&conn->pending_jpeg);
  target_box (self, &job->max_width, &job->max_height);
  job->time = g_get_monotonic_time ();

  conn->decoding = TRUE;
  task = g_task_new (NULL, conn->cancellable, on_decoded, connection_ref (conn));
  g_task_set_task_data (task, job, (GDestroyNotify) decode_job_free);
  g_task_run_in_thread (task, decode_in_thread);
}

static void
jpeg_closed_early (Connection *conn,
                   const char *what)
{
  PdCameraSource *self = conn->source;

  if (conn->got_frame)
    connection_failed (conn, PD_CAMERA_PROBLEM_LOST, what);
  else if (self->code_verified)
    /* The access code is right (the printer took it for MQTT): the camera
     * turned us away because it serves someone else. */
    connection_failed (conn, PD_CAMERA_PROBLEM_BUSY,
                       _("The camera closed the connection at once: another app is showing it."));
  else
    connection_failed (conn, PD_CAMERA_PROBLEM_WRONG_CODE,
                       _("The camera closed the connection without a picture: the access code is wrong, or another app is showing it."));
}

static void
on_jpeg_payload (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr (Connection) conn = data;
  g_autoptr (GError)     error = NULL;
  gsize                  n_read = 0;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &n_read, &error))
    {
      if (connection_is_current (conn))
        connection_failed (conn, PD_CAMERA_PROBLEM_LOST, error->message);
      return;
    }
  if (!connection_is_current (conn))
    return;

  if (n_read < conn->payload_size)
    {
      g_clear_pointer (&conn->payload, g_free);
      connection_failed (conn, PD_CAMERA_PROBLEM_LOST, _("The camera stopped in the middle of a picture."));
      return;
    }

  if (conn->payload_size < 4 || conn->payload[0] != 0xFF || conn->payload[1] != 0xD8)
    {
      g_clear_pointer (&conn->payload, g_free);
      g_message ("%s: camera sent %zu bytes that are not a JPEG; skipped", conn->serial, conn->payload_size);
      if (++conn->n_bad >= MAX_BAD_FRAMES)
        {
          connection_failed (conn, PD_CAMERA_PROBLEM_BAD_DATA, _("The camera sends pictures that are not JPEGs."));
          return;
        }
    }
  else
    {
      g_clear_pointer (&conn->pending_jpeg, g_bytes_unref);
      conn->pending_jpeg = g_bytes_new_take (g_steal_pointer (&conn->payload), conn->payload_size);
      jpeg_decode_next (conn);
    }

  jpeg_read_header (conn);
}

static void
on_jpeg_header (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  g_autoptr (Connection) conn = data;
  g_autoptr (GError)     error = NULL;
  gsize                  n_read = 0;
  guint32                size;

  if (!g_input_stream_read_all_finish (G_INPUT_STREAM (object), result, &n_read, &error))
    {
      if (!connection_is_current (conn))
        return;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        connection_failed (conn, conn->got_frame ? PD_CAMERA_PROBLEM_LOST : PD_CAMERA_PROBLEM_UNREACHABLE,
                           _("The camera stopped sending pictures."));
      else if (!conn->got_frame && !conn->decoding && n_read == 0)
        jpeg_closed_early (conn, error->message);
      else
        connection_failed (conn, PD_CAMERA_PROBLEM_LOST, error->message);
      return;
    }
  if (!connection_is_current (conn))
    return;

  if (n_read == 0)
    {
      /* A picture may still be decoding: it counts as one received. */
      if (!conn->got_frame && conn->decoding)
        connection_failed (conn, PD_CAMERA_PROBLEM_LOST, _("The camera closed the connection."));
      else
        jpeg_closed_early (conn, _("The camera closed the connection."));
      return;
    }
  if (n_read < PD_CAMERA_JPEG_HEADER_SIZE)
    {
      connection_failed (conn, PD_CAMERA_PROBLEM_LOST, _("The camera stopped in the middle of a picture."));
      return;
    }

  size = pd_camera_jpeg_frame_size (conn->header);
  if (size == 0)
    {
      guint32          claimed = ((guint32) conn->header[3] << 24) | ((guint32) conn->header[2] << 16) |
                                 ((guint32) conn->header[1] << 8) | conn->header[0];
      g_autofree char *message =
        g_strdup_printf (_("The camera announced a picture of %u bytes, which cannot be right."), claimed);

      connection_failed (conn, PD_CAMERA_PROBLEM_BAD_DATA, message);
      return;
    }

  conn->payload_size = size;
  conn->payload = g_try_malloc (size);
  if (conn->payload == NULL)
    {
      connection_failed (conn, PD_CAMERA_PROBLEM_BAD_DATA, _("There is not enough memory for the camera's picture."));
      return;
    }
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->socket)),
                                 conn->payload, size, G_PRIORITY_DEFAULT, conn->cancellable,
                                 on_jpeg_payload, connection_ref (conn));
}

static void
jpeg_read_header (Connection *conn)
{
  g_input_stream_read_all_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->socket)),
                                 conn->header, sizeof conn->header, G_PRIORITY_DEFAULT, conn->cancellable,
                                 on_jpeg_header, connection_ref (conn));
}

static void
on_jpeg_auth_written (GObject      *object,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr (Connection) conn = data;
  g_autoptr (GError)     error = NULL;

  explicit_bzero (conn->auth, sizeof conn->auth);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      if (connection_is_current (conn))
        jpeg_closed_early (conn, error->message);
      return;
    }
  if (!connection_is_current (conn))
    return;

  jpeg_read_header (conn);
}

static gboolean
on_jpeg_accept_certificate (GTlsConnection      *tls,
                            GTlsCertificate     *peer,
                            GTlsCertificateFlags errors,
                            Connection          *conn)
{
  return connection_check_certificate (conn, peer);
}

static void
on_socket_client_event (GSocketClient      *client,
                        GSocketClientEvent  event,
                        GSocketConnectable *connectable,
                        GIOStream          *connection,
                        Connection         *conn)
{
  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING || !G_IS_TLS_CLIENT_CONNECTION (connection))
    return;

  /* No database: every certificate goes through accept-certificate, so the
   * printer's certificate is judged by our rules alone, never by the
   * system's CAs. */
  g_tls_connection_set_database (G_TLS_CONNECTION (connection), NULL);
  /* No reference: the connect call holds one until the handshake is over,
   * and one here would be a cycle (connection → handler → conn → socket). */
  g_signal_connect (connection, "accept-certificate", G_CALLBACK (on_jpeg_accept_certificate), conn);
}

static PdCameraProblem
problem_from_connect_error (Connection *conn,
                            GError     *error,
                            char      **message)
{
  if (connection_certificate_refused (conn, message))
    return PD_CAMERA_PROBLEM_CERTIFICATE;

  if (error->domain == G_TLS_ERROR)
    {
      *message = g_strdup_printf (_("The secure connection to the camera failed: %s"), error->message);
      return PD_CAMERA_PROBLEM_TLS;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    *message = g_strdup_printf (_("Nothing answers on port %u: the printer is off, or its LAN live view is turned off."),
                                conn->port);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    *message = g_strdup (_("The printer did not answer in time."));
  else
    *message = g_strdup (error->message);

  return PD_CAMERA_PROBLEM_UNREACHABLE;
}

static void
on_jpeg_connected (GObject      *object,
                   GAsyncResult *result,
                   gpointer      data)
{
  g_autoptr (Connection) conn = data;
  g_autoptr (GError)     error = NULL;
  g_autofree char       *message = NULL;
  GSocketConnection     *socket;
  PdCameraProblem        problem;
  gsize                  user_length = strlen ("bblp");
  gsize                  code_length = strlen (conn->code);

  socket = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (object), result, &error);
  if (!connection_is_current (conn))
    {
      g_clear_object (&socket);
      return;
    }
  if (socket == NULL)
    {
      problem = problem_from_connect_error (conn, error, &message);
      connection_failed (conn, problem, message);
      return;
    }
  conn->socket = socket;
  connection_take_first_use (conn);

  /* Little-endian: payload size 0x40, type 0x3000, two zero words, then the
   * user and the access code, each NUL-padded to 32 bytes. */
  memset (conn->auth, 0, sizeof conn->auth);
  conn->auth[0] = 0x40;
  conn->auth[5] = 0x30;
  memcpy (conn->auth + 16, "bblp", user_length);
  memcpy (conn->auth + 48, conn->code, MIN (code_length, 32));

  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (socket)),
                                   conn->auth, sizeof conn->auth, G_PRIORITY_DEFAULT, conn->cancellable,
                                   on_jpeg_auth_written, connection_ref (conn));
}

static void
jpeg_start (Connection *conn)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();

  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, IO_TIMEOUT_S);
  g_signal_connect (client, "event", G_CALLBACK (on_socket_client_event), conn);
  g_socket_client_connect_to_host_async (client, conn->host, conn->port, conn->cancellable,
                                         on_jpeg_connected, connection_ref (conn));
}

/* RTSPS: rtspsrc ! depay ! parse ! decode ! scale ! convert ! appsink ------------*/

static void
free_mapped_frame (gpointer data)
{
  GstVideoFrame *frame = data;

  gst_video_frame_unmap (frame);
  g_free (frame);
}

/* The decoder's own size: what "full size" means. */
static void
rtsps_read_native_size (Connection *conn)
{
  PdCameraSource     *self = conn->source;
  g_autoptr (GstPad)  pad = gst_element_get_static_pad (conn->decoder, "src");
  g_autoptr (GstCaps) caps = pad != NULL ? gst_pad_get_current_caps (pad) : NULL;
  GstVideoInfo        info;

  if (caps == NULL || !gst_video_info_from_caps (&info, caps))
    return;
  self->native_width = GST_VIDEO_INFO_WIDTH (&info);
  self->native_height = GST_VIDEO_INFO_HEIGHT (&info);
}

static void
rtsps_apply_size (Connection *conn)
{
  PdCameraSource      *self = conn->source;
  g_autoptr (GstCaps)  caps = NULL;
  g_autofree char     *string = NULL;
  int                  box_width;
  int                  box_height;

  target_box (self, &box_width, &box_height);
  if (box_width > 0 && self->native_width > 0 &&
      (box_width < self->native_width || box_height < self->native_height))
    {
      double scale = MIN ((double) box_width / self->native_width, (double) box_height / self->native_height);
      int    width = MAX (2, ((int) (self->native_width * scale + 1)) & ~1);
      int    height = MAX (2, ((int) (self->native_height * scale + 1)) & ~1);

      string = g_strdup_printf ("video/x-raw,format=BGRA,width=%d,height=%d,pixel-aspect-ratio=1/1", width, height);
    }
  else
    string = g_strdup ("video/x-raw,format=BGRA,pixel-aspect-ratio=1/1");

  if (g_strcmp0 (string, conn->caps_string) == 0)
    return;

  g_debug ("%s: camera caps %s", conn->serial, string);
  caps = gst_caps_from_string (string);
  g_object_set (conn->capsfilter, "caps", caps, NULL);
  g_free (conn->caps_string);
  conn->caps_string = g_steal_pointer (&string);
}

static void
show_rtsps_sample (Connection *conn,
                   GstSample  *sample)
{
  g_autoptr (GBytes)        pixels = NULL;
  g_autoptr (PdCameraFrame) frame = NULL;
  GstVideoFrame            *mapped;
  GstVideoInfo              info;
  GstCaps                  *caps;
  GstBuffer                *buffer;

  caps = gst_sample_get_caps (sample);
  buffer = gst_sample_get_buffer (sample);
  if (caps == NULL || buffer == NULL || !gst_video_info_from_caps (&info, caps) ||
      GST_VIDEO_INFO_FORMAT (&info) != GST_VIDEO_FORMAT_BGRA)
    return;

  if (conn->last_caps == NULL || !gst_caps_is_equal (caps, conn->last_caps))
    {
      gst_caps_replace (&conn->last_caps, caps);
      rtsps_read_native_size (conn);
      rtsps_apply_size (conn);
    }

  /* Zero-copy: the frame's bytes keep the buffer mapped until the last view
   * lets go of them. */
  mapped = g_new0 (GstVideoFrame, 1);
  if (!gst_video_frame_map (mapped, &info, buffer, GST_MAP_READ))
    {
      g_free (mapped);
      return;
    }
  pixels = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (mapped, 0),
                                       (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (mapped, 0) *
                                       (gsize) GST_VIDEO_FRAME_HEIGHT (mapped),
                                       free_mapped_frame, mapped);
  frame = pd_camera_frame_new (GST_VIDEO_FRAME_WIDTH (mapped), GST_VIDEO_FRAME_HEIGHT (mapped),
                               PD_CAMERA_PIXELS_BGRA, pixels, (gsize) GST_VIDEO_FRAME_PLANE_STRIDE (mapped, 0),
                               NULL, g_get_monotonic_time ());
  if (frame != NULL)
    {
      if (!conn->got_frame)
        connection_take_first_use (conn);
      deliver_frame (conn, frame);
    }
}

/* The sample is pending from when the appsink has it until it was shown and
 * the frame before it let go of (deliver_frame() replaces the source's
 * frame): while it is, on_decoded_frame() converts nothing, so that the
 * converter's buffer pool needs no more than CONVERTED_BUFFERS however late
 * the main context is (a pool never shrinks: 3.5 MB a buffer at 720p), and
 * no frame is converted only to be replaced unseen.
 */
static gboolean
on_rtsps_sample (gpointer data)
{
  Connection           *conn = data;
  g_autoptr (GstSample) sample = NULL;
  gboolean              more;

  g_mutex_lock (&conn->lock);
  sample = g_steal_pointer (&conn->latest);
  g_mutex_unlock (&conn->lock);

  /* A connection given up stays pending: it converts nothing more. */
  if (!connection_is_current (conn))
    return G_SOURCE_REMOVE;

  if (sample != NULL)
    show_rtsps_sample (conn, sample);
  g_clear_pointer (&sample, gst_sample_unref);
  if (!connection_is_current (conn))
    return G_SOURCE_REMOVE;

  /* One converted before the pending one was taken may have come since. */
  g_mutex_lock (&conn->lock);
  more = conn->latest != NULL;
  conn->sample_pending = more;
  g_mutex_unlock (&conn->lock);

  return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* On a streaming thread: keep only the newest sample, and wake the main
 * context once for however many arrive before it runs. */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    data)
{
  Connection *conn = data;
  GstSample  *sample = gst_app_sink_pull_sample (sink);
  gboolean    schedule;

  if (sample == NULL)
    return GST_FLOW_EOS;

  g_mutex_lock (&conn->lock);
  g_clear_pointer (&conn->latest, gst_sample_unref);
  conn->latest = sample;
  schedule = !conn->sample_pending;
  conn->sample_pending = TRUE;
  g_mutex_unlock (&conn->lock);

  if (schedule)
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, on_rtsps_sample, connection_ref (conn), (GDestroyNotify) connection_unref);
      g_source_set_name (source, "[printdeck] camera frame");
      g_source_attach (source, conn->context);
      g_source_unref (source);
    }

  return GST_FLOW_OK;
}

/* On a streaming thread, a decoded picture on its way to be scaled and
 * converted: dropped while a converted one waits (see on_rtsps_sample()).
 * The main context is then late, and the picture would most likely be
 * replaced before it is shown; the next one after it catches up is.
 */
static GstPadProbeReturn
on_decoded_frame (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         data)
{
  Connection *conn = data;
  gboolean    pending;

  g_mutex_lock (&conn->lock);
  pending = conn->sample_pending;
  g_mutex_unlock (&conn->lock);

  return pending ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

/* The converted pictures a connection can hold at once: one waiting for
 * the main thread, one shown, and the one GTK drew last, which it lets go
 * of only when it draws the next. */
#define CONVERTED_BUFFERS 3

/* On a streaming thread, the converter's allocation query on its way to
 * the appsink (which proposes nothing, and answers FALSE: the converter
 * decides from the query as it is): its pool is made with every buffer the
 * connection can hold, up front. A pool grows by a buffer whenever all of
 * its buffers are in use and never shrinks: it grew by one (3.5 MB at 720p)
 * the first time GTK was late to draw, minutes into a run.
 */
static GstPadProbeReturn
on_convert_allocation (GstPad          *pad,
                       GstPadProbeInfo *info,
                       gpointer         data)
{
  GstQuery     *query = GST_PAD_PROBE_INFO_QUERY (info);
  GstCaps      *caps = NULL;
  GstVideoInfo  video;

  if (GST_QUERY_TYPE (query) != GST_QUERY_ALLOCATION || gst_query_get_n_allocation_pools (query) > 0)
    return GST_PAD_PROBE_OK;

  gst_query_parse_allocation (query, &caps, NULL);
  if (caps != NULL && gst_video_info_from_caps (&video, caps))
    gst_query_add_allocation_pool (query, NULL, (guint) GST_VIDEO_INFO_SIZE (&video), CONVERTED_BUFFERS, 0);

  return GST_PAD_PROBE_OK;
}

static gboolean
on_rtsps_accept_certificate (GstElement          *src,
                             GTlsConnection      *tls,
                             GTlsCertificate     *peer,
                             GTlsCertificateFlags errors,
                             Connection          *conn)
{
  return connection_check_certificate (conn, peer);
}

static void
on_rtsps_pad_added (GstElement *src,
                    GstPad     *pad,
                    GstElement *depay)
{
  g_autoptr (GstPad) sink = gst_element_get_static_pad (depay, "sink");

  if (!gst_pad_is_linked (sink) && gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    g_warning ("The camera stream could not be linked to the H.264 depayloader");
}

static gboolean
text_has (const char *text,
          const char *needle)
{
  return text != NULL && strstr (text, needle) != NULL;
}

static gboolean
on_rtsps_bus (GstBus     *bus,
              GstMessage *message,
              gpointer    data)
{
  Connection        *conn = data;
  g_autoptr (GError) error = NULL;
  g_autofree char   *debug = NULL;
  g_autofree char   *text = NULL;
  PdCameraProblem    problem;

  if (!connection_is_current (conn))
    return G_SOURCE_CONTINUE;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
    {
      connection_failed (conn, PD_CAMERA_PROBLEM_LOST, _("The camera ended the stream."));
      return G_SOURCE_CONTINUE;
    }
  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  gst_message_parse_error (message, &error, &debug);
  g_debug ("%s: camera error: %s (%s)", conn->serial, error->message, debug);

  if (connection_certificate_refused (conn, &text))
    problem = PD_CAMERA_PROBLEM_CERTIFICATE;
  else if (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED) ||
           text_has (debug, "401") || text_has (error->message, "Unauthorized"))
    {
      problem = PD_CAMERA_PROBLEM_WRONG_CODE;
      text = g_strdup (_("The camera refused the access code."));
    }
  else if (text_has (debug, "453") || text_has (debug, "Not Enough Bandwidth") ||
           text_has (debug, "503") || text_has (debug, "Service Unavailable") ||
           text_has (error->message, "Not Enough Bandwidth") || text_has (error->message, "Service Unavailable"))
    {
      problem = PD_CAMERA_PROBLEM_BUSY;
      text = g_strdup (_("The camera serves another app and refused a second viewer."));
    }
  else if (error->domain == GST_CORE_ERROR && error->code == GST_CORE_ERROR_MISSING_PLUGIN)
    {
      problem = PD_CAMERA_PROBLEM_NO_DECODER;
      text = g_strdup (error->message);
    }
  else if (!conn->got_frame &&
           (g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE) ||
            g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ) ||
            g_error_matches (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND)))
    {
      problem = PD_CAMERA_PROBLEM_UNREACHABLE;
      text = g_strdup_printf (_("Nothing answers on port %u: the printer is off, or its LAN live view is turned off."),
                              conn->port);
    }
  else
    {
      problem = PD_CAMERA_PROBLEM_LOST;
      text = g_strdup (error->message);
    }
  connection_failed (conn, problem, text);

  return G_SOURCE_CONTINUE;
}

static GstElement *
make_element (const char *factory,
              const char *name,
              GString    *missing)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", factory);

  return element;
}

static GstElement *
make_h264_decoder (GString *missing)
{
  static const char *const decoders[] = { "avdec_h264", "openh264dec", "vah264dec", "v4l2h264dec" };

  for (guint i = 0; i < G_N_ELEMENTS (decoders); i++)
    {
      GstElement *element = gst_element_factory_make (decoders[i], "decode");

      if (element != NULL)
        return element;
    }
  g_string_append_printf (missing, "%s%s", missing->len > 0 ? ", " : "", "avdec_h264");

  return NULL;
}

static void
rtsps_start (Connection *conn)
{
  PdCameraSource      *self = conn->source;
  g_autoptr (GString)  missing = g_string_new (NULL);
  g_autofree char     *location = NULL;
  g_autoptr (GstBus)   bus = NULL;
  GstElement          *src, *depay, *parse, *decode, *scale, *convert, *caps, *sink;
  GstAppSinkCallbacks  callbacks = { .new_sample = on_new_sample };
  g_autoptr (GstPad)   scale_sink = NULL;
  g_autoptr (GstPad)   convert_src = NULL;

  src = make_element ("rtspsrc", "src", missing);
  depay = make_element ("rtph264depay", "depay", missing);
  parse = make_element ("h264parse", "parse", missing);
  decode = make_h264_decoder (missing);
  scale = make_element ("videoscale", "scale", missing);
  convert = make_element ("videoconvert", "convert", missing);
  caps = make_element ("capsfilter", "caps", missing);
  sink = make_element ("appsink", "sink", missing);

  if (missing->len > 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("GStreamer elements needed for the camera are missing: %s."), missing->str);
      GstElement *all[] = { src, depay, parse, decode, scale, convert, caps, sink };

      for (guint i = 0; i < G_N_ELEMENTS (all); i++)
        if (all[i] != NULL)
          gst_object_unref (gst_object_ref_sink (all[i]));
      connection_failed (conn, PD_CAMERA_PROBLEM_NO_DECODER, message);
      return;
    }

  conn->pipeline = gst_pipeline_new (NULL);
  gst_bin_add_many (GST_BIN (conn->pipeline), src, depay, parse, decode, scale, convert, caps, sink, NULL);
  if (!gst_element_link_many (depay, parse, decode, scale, convert, caps, sink, NULL))
    {
      connection_failed (conn, PD_CAMERA_PROBLEM_NO_DECODER, _("The camera's decoding pipeline could not be built."));
      return;
    }
  conn->capsfilter = caps;
  conn->decoder = decode;

  if (strchr (conn->host, ':') != NULL) /* an IPv6 address */
    location = g_strdup_printf ("rtsps://[%s]:%u/streaming/live/1", conn->host, conn->port);
  else
    location = g_strdup_printf ("rtsps://%s:%u/streaming/live/1", conn->host, conn->port);

  /* The code goes in properties, never in the URL, which GStreamer logs. */
  g_object_set (src,
                "location", location,
                "user-id", "bblp",
                "user-pw", conn->code,
                "latency", 200,
                "tcp-timeout", (guint64) IO_TIMEOUT_S * G_USEC_PER_SEC,
                NULL);
  gst_util_set_object_arg (G_OBJECT (src), "protocols", "tcp");
  g_signal_connect (src, "pad-added", G_CALLBACK (on_rtsps_pad_added), depay);
  g_signal_connect_data (src, "accept-certificate", G_CALLBACK (on_rtsps_accept_certificate),
                         connection_ref (conn), (GClosureNotify) (void (*) (void)) connection_unref, 0);

  g_object_set (sink, "max-buffers", 1, "drop", TRUE, "sync", FALSE, "enable-last-sample", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, connection_ref (conn),
                              (GDestroyNotify) connection_unref);
  scale_sink = gst_element_get_static_pad (scale, "sink");
  gst_pad_add_probe (scale_sink, GST_PAD_PROBE_TYPE_BUFFER, on_decoded_frame, connection_ref (conn),
                     (GDestroyNotify) connection_unref);
  convert_src = gst_element_get_static_pad (convert, "src");
  gst_pad_add_probe (convert_src, GST_PAD_PROBE_TYPE_QUERY_DOWNSTREAM | GST_PAD_PROBE_TYPE_PUSH, on_convert_allocation,
                     NULL, NULL);

  self->native_width = self->native_height = 0;
  rtsps_apply_size (conn);

  bus = gst_element_get_bus (conn->pipeline);
  conn->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (conn->bus_source, (GSourceFunc) (void (*) (void)) on_rtsps_bus,
                         connection_ref (conn), (GDestroyNotify) connection_unref);
  g_source_attach (conn->bus_source, self->context);

  if (gst_element_set_state (conn->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    connection_failed (conn, PD_CAMERA_PROBLEM_UNREACHABLE, _("The camera stream could not be started."));
}

/* Connecting and retrying ---------------------------------------------------------*/

static gboolean
on_retry (gpointer data)
{
  PdCameraSource *self = data;

  self->retry_id = 0;
  update_running (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (PdCameraSource *self,
                PdCameraProblem problem)
{
  double delay;

  if (problem == PD_CAMERA_PROBLEM_BUSY)
    delay = BUSY_RETRY_S;
  else
    delay = MIN (MAX_RETRY_S, 1u << MIN (self->n_failures - 1, 5u));
  delay *= g_random_double_range (0.75, 1.25);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->retry_id = g_timeout_add ((guint) (delay * 1000), on_retry, self);
}

static void
connection_failed (Connection     *conn,
                   PdCameraProblem problem,
                   const char     *message)
{
  PdCameraSource *self = conn->source;

  if (!connection_is_current (conn))
    return;

  g_message ("%s: camera: %s — %s", conn->serial, pd_camera_problem_to_label (problem), message);
  drop_connection (self);
  self->n_failures++;

  g_object_freeze_notify (G_OBJECT (self));
  set_problem (self, problem, message);
  fail_grabs (self, message);
  if (is_wanted (self))
    {
      set_state (self, PD_CAMERA_STATE_RETRYING);
      schedule_retry (self, problem);
    }
  else
    set_state (self, PD_CAMERA_STATE_IDLE);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Reasons not to try at all; NONE when a connection can be tried. */
static PdCameraProblem
precondition (PdCameraSource *self,
              const char    **message)
{
  if (self->kind == PD_CAMERA_KIND_NONE)
    {
      *message = _("This printer has no camera.");
      return PD_CAMERA_PROBLEM_NO_CAMERA;
    }
  if (self->kind == PD_CAMERA_KIND_UNKNOWN)
    {
      *message = _("The printer's model, and so its camera, is not known yet.");
      return PD_CAMERA_PROBLEM_NO_CAMERA;
    }
  if (self->liveview_disabled)
    {
      *message = _("LAN live view is turned off on the printer. Turn on “LAN Only Liveview” in the printer's settings.");
      return PD_CAMERA_PROBLEM_NO_CAMERA;
    }
  if (self->host == NULL || *self->host == '\0')
    {
      *message = _("The printer's address is not known.");
      return PD_CAMERA_PROBLEM_UNREACHABLE;
    }
  if (self->access_code == NULL || *self->access_code == '\0')
    {
      *message = _("There is no access code for this printer.");
      return PD_CAMERA_PROBLEM_NO_ACCESS_CODE;
    }

  return PD_CAMERA_PROBLEM_NONE;
}

static void
start_connection (PdCameraSource *self)
{
  Connection     *conn;
  const char     *message = NULL;
  PdCameraProblem problem = precondition (self, &message);

  if (problem != PD_CAMERA_PROBLEM_NONE)
    {
      g_object_freeze_notify (G_OBJECT (self));
      set_problem (self, problem, message);
      set_state (self, PD_CAMERA_STATE_IDLE);
      fail_grabs (self, message);
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }

  conn = g_new0 (Connection, 1);
  g_atomic_ref_count_init (&conn->ref);
  g_mutex_init (&conn->lock);
  conn->source = self;
  conn->context = g_main_context_ref (self->context);
  conn->cancellable = g_cancellable_new ();
  conn->kind = self->kind;
  conn->host = g_strdup (self->host);
  conn->port = self->port != 0 ? self->port
                               : (self->kind == PD_CAMERA_KIND_RTSPS ? PD_CAMERA_RTSPS_PORT : PD_CAMERA_JPEG_PORT);
  conn->serial = g_strdup (self->serial);
  conn->code = g_strdup (self->access_code);
  conn->pinned = g_strdup (self->pinned);
  conn->started = g_get_monotonic_time ();
  self->conn = conn;
  self->n_connections++;

  /* After a failure it stays "retrying" (with the problem) until a picture
   * comes, so a view does not flicker between the problem and a spinner. */
  set_state (self, self->n_failures > 0 ? PD_CAMERA_STATE_RETRYING : PD_CAMERA_STATE_CONNECTING);

  connection_start_watchdog (conn);
  if (conn->kind == PD_CAMERA_KIND_RTSPS)
    rtsps_start (conn);
  else
    jpeg_start (conn);
}

static gboolean
on_linger_done (gpointer data)
{
  PdCameraSource *self = data;

  self->linger_id = 0;
  if (is_wanted (self))
    return G_SOURCE_REMOVE;

  drop_connection (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->n_failures = 0;
  g_object_freeze_notify (G_OBJECT (self));
  set_state (self, PD_CAMERA_STATE_IDLE);
  set_problem (self, PD_CAMERA_PROBLEM_NONE, NULL);
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

static void
update_running (PdCameraSource *self)
{
  if (is_wanted (self))
    {
      g_clear_handle_id (&self->linger_id, g_source_remove);
      if (self->conn == NULL && self->retry_id == 0)
        start_connection (self);
      return;
    }

  if (self->linger_id != 0 || (self->conn == NULL && self->retry_id == 0 && self->state == PD_CAMERA_STATE_IDLE))
    return;

  if (self->linger_ms == 0)
    on_linger_done (self);
  else
    self->linger_id = g_timeout_add (self->linger_ms, on_linger_done, self);
}

/* A setting changed: a running connection starts again with it. */
static void
restart (PdCameraSource *self)
{
  drop_connection (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  self->n_failures = 0;

  if (is_wanted (self))
    start_connection (self);
  else
    {
      set_state (self, PD_CAMERA_STATE_IDLE);
      set_problem (self, PD_CAMERA_PROBLEM_NONE, NULL);
    }
}

static gboolean
on_resize (gpointer data)
{
  PdCameraSource *self = data;

  self->resize_id = 0;
  if (self->conn != NULL && self->conn->kind == PD_CAMERA_KIND_RTSPS && self->conn->capsfilter != NULL)
    rtsps_apply_size (self->conn);

  return G_SOURCE_REMOVE;
}

/* Viewers changed: a window being resized changes them many times a second,
 * and each new size makes the pipeline renegotiate; wait for a pause. */
static void
viewers_changed (PdCameraSource *self,
                 gboolean        now)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_VIEWERS]);
  update_running (self);

  g_clear_handle_id (&self->resize_id, g_source_remove);
  if (now)
    on_resize (self);
  else if (self->conn != NULL)
    self->resize_id = g_timeout_add (RESIZE_DELAY_MS, on_resize, self);
}

/* GObject ---------------------------------------------------------------------*/

static void
pd_camera_source_dispose (GObject *object)
{
  PdCameraSource *self = PD_CAMERA_SOURCE (object);

  drop_connection (self);
  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->linger_id, g_source_remove);
  if (self->grabs != NULL && self->grabs->len > 0)
    fail_grabs (self, _("The camera was closed."));

  G_OBJECT_CLASS (pd_camera_source_parent_class)->dispose (object);
}

static void
pd_camera_source_finalize (GObject *object)
{
  PdCameraSource *self = PD_CAMERA_SOURCE (object);

  g_clear_pointer (&self->grabs, g_ptr_array_unref);
  g_clear_pointer (&self->viewers, g_hash_table_unref);
  g_clear_pointer (&self->frame, pd_camera_frame_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->host);
  g_free (self->serial);
  if (self->access_code != NULL)
    memset (self->access_code, 0, strlen (self->access_code));
  g_free (self->access_code);
  g_free (self->pinned);
  g_free (self->fingerprint);
  g_free (self->problem_message);

  G_OBJECT_CLASS (pd_camera_source_parent_class)->finalize (object);
}

static void
pd_camera_source_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PdCameraSource *self = PD_CAMERA_SOURCE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROBLEM:
      g_value_set_enum (value, self->problem);
      break;
    case PROP_PROBLEM_MESSAGE:
      g_value_set_string (value, self->problem_message);
      break;
    case PROP_FRAME:
      g_value_set_boxed (value, self->frame);
      break;
    case PROP_N_VIEWERS:
      g_value_set_uint (value, g_hash_table_size (self->viewers));
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_camera_source_class_init (PdCameraSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pd_camera_source_dispose;
  object_class->finalize = pd_camera_source_finalize;
  object_class->get_property = pd_camera_source_get_property;

  properties[PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, PD_TYPE_CAMERA_KIND, PD_CAMERA_KIND_UNKNOWN, ro);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PD_TYPE_CAMERA_STATE, PD_CAMERA_STATE_IDLE, ro);
  properties[PROP_PROBLEM] =
    g_param_spec_enum ("problem", NULL, NULL, PD_TYPE_CAMERA_PROBLEM, PD_CAMERA_PROBLEM_NONE, ro);
  properties[PROP_PROBLEM_MESSAGE] =
    g_param_spec_string ("problem-message", NULL, NULL, NULL, ro);
  properties[PROP_FRAME] =
    g_param_spec_boxed ("frame", NULL, NULL, PD_TYPE_CAMERA_FRAME, ro);
  properties[PROP_N_VIEWERS] =
    g_param_spec_uint ("n-viewers", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FINGERPRINT] =
    g_param_spec_string ("fingerprint", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PdCameraSource::frame:
   * @frame: the new picture
   *
   * A new picture arrived (on the main context of the source's thread).
   */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, PD_TYPE_CAMERA_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * PdCameraSource::certificate-pinned:
   * @fingerprint: the SHA-256 fingerprint now trusted
   *
   * Nothing was pinned and the certificate could not be verified, so it was
   * trusted on first use; the owner should save the fingerprint.
   */
  signals[SIGNAL_CERTIFICATE_PINNED] =
    g_signal_new ("certificate-pinned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pd_camera_source_init (PdCameraSource *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->viewers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->grabs = g_ptr_array_new_with_free_func (g_object_unref);
  self->linger_ms = PD_CAMERA_SOURCE_LINGER_MS;
  self->kind = PD_CAMERA_KIND_UNKNOWN;
}

/* API ---------------------------------------------------------------------------*/

/**
 * pd_camera_source_new:
 * @port: 0 for the kind's own port
 *
 * Returns: (transfer full): a source that connects once a viewer comes.
 */
PdCameraSource *
pd_camera_source_new (PdCameraKind kind,
                      const char  *host,
                      guint16      port,
                      const char  *serial)
{
  PdCameraSource *self;

  g_return_val_if_fail (serial != NULL, NULL);

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  self = g_object_new (PD_TYPE_CAMERA_SOURCE, NULL);
  self->kind = kind;
  self->host = g_strdup (host);
  self->port = port;
  self->serial = g_strdup (serial);

  return self;
}

PdCameraKind
pd_camera_source_get_kind (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), PD_CAMERA_KIND_UNKNOWN);
  return self->kind;
}

const char *
pd_camera_source_get_host (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), NULL);
  return self->host;
}

guint16
pd_camera_source_get_port (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), 0);
  if (self->port != 0)
    return self->port;
  return self->kind == PD_CAMERA_KIND_RTSPS ? PD_CAMERA_RTSPS_PORT : PD_CAMERA_JPEG_PORT;
}

const char *
pd_camera_source_get_serial (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), NULL);
  return self->serial;
}

void
pd_camera_source_set_kind (PdCameraSource *self,
                           PdCameraKind    kind)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  restart (self);
}

void
pd_camera_source_set_address (PdCameraSource *self,
                              const char     *host,
                              guint16         port)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (g_strcmp0 (self->host, host) == 0 && self->port == port)
    return;
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = port;
  restart (self);
}

void
pd_camera_source_set_access_code (PdCameraSource *self,
                                  const char     *access_code)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (g_strcmp0 (self->access_code, access_code) == 0)
    return;
  if (self->access_code != NULL)
    memset (self->access_code, 0, strlen (self->access_code));
  g_free (self->access_code);
  self->access_code = g_strdup (access_code);
  restart (self);
}

void
pd_camera_source_set_pinned_fingerprint (PdCameraSource *self,
                                         const char     *fingerprint)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (g_strcmp0 (self->pinned, fingerprint) == 0)
    return;
  g_free (self->pinned);
  self->pinned = g_strdup (fingerprint);
  /* A certificate refused before may be the one trusted now. */
  if (self->problem == PD_CAMERA_PROBLEM_CERTIFICATE || self->conn != NULL)
    restart (self);
}

void
pd_camera_source_set_liveview_disabled (PdCameraSource *self,
                                        gboolean        disabled)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (!self->liveview_disabled == !disabled)
    return;
  self->liveview_disabled = !!disabled;
  restart (self);
}

void
pd_camera_source_set_access_code_verified (PdCameraSource *self,
                                           gboolean        verified)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  self->code_verified = !!verified;
}

guint
pd_camera_source_add_viewer (PdCameraSource *self,
                             int             width,
                             int             height)
{
  Viewer *viewer;
  guint   id;

  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), 0);

  viewer = g_new0 (Viewer, 1);
  viewer->width = MAX (width, 0);
  viewer->height = MAX (height, 0);
  id = ++self->next_viewer_id;
  g_hash_table_insert (self->viewers, GUINT_TO_POINTER (id), viewer);
  viewers_changed (self, TRUE);

  return id;
}

void
pd_camera_source_update_viewer (PdCameraSource *self,
                                guint           viewer_id,
                                int             width,
                                int             height)
{
  Viewer *viewer;

  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  viewer = g_hash_table_lookup (self->viewers, GUINT_TO_POINTER (viewer_id));
  if (viewer == NULL || (viewer->width == MAX (width, 0) && viewer->height == MAX (height, 0)))
    return;
  viewer->width = MAX (width, 0);
  viewer->height = MAX (height, 0);
  g_clear_handle_id (&self->resize_id, g_source_remove);
  if (self->conn != NULL)
    self->resize_id = g_timeout_add (RESIZE_DELAY_MS, on_resize, self);
}

void
pd_camera_source_remove_viewer (PdCameraSource *self,
                                guint           viewer_id)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  if (g_hash_table_remove (self->viewers, GUINT_TO_POINTER (viewer_id)))
    viewers_changed (self, FALSE);
}

guint
pd_camera_source_get_n_viewers (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), 0);
  return g_hash_table_size (self->viewers);
}

void
pd_camera_source_set_linger (PdCameraSource *self,
                             guint           linger_ms)
{
  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));
  self->linger_ms = linger_ms;
}

PdCameraState
pd_camera_source_get_state (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), PD_CAMERA_STATE_IDLE);
  return self->state;
}

PdCameraProblem
pd_camera_source_get_problem (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), PD_CAMERA_PROBLEM_NONE);
  return self->problem;
}

const char *
pd_camera_source_get_problem_message (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), NULL);
  return self->problem_message;
}

/**
 * pd_camera_source_get_frame:
 *
 * Returns: (transfer none) (nullable): the latest picture
 */
PdCameraFrame *
pd_camera_source_get_frame (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), NULL);
  return self->frame;
}

guint64
pd_camera_source_get_n_frames (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), 0);
  return self->n_frames;
}

guint64
pd_camera_source_get_n_connections (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), 0);
  return self->n_connections;
}

const char *
pd_camera_source_get_fingerprint (PdCameraSource *self)
{
  g_return_val_if_fail (PD_IS_CAMERA_SOURCE (self), NULL);
  return self->fingerprint;
}

/* Grabbing one picture --------------------------------------------------------------*/

static gboolean
on_grab_timeout (gpointer data)
{
  GTask          *task = data;
  PdCameraSource *self = g_task_get_source_object (task);
  g_autofree char *message = NULL;

  guint            index;
  g_autoptr (GTask) taken = NULL;

  if (!g_ptr_array_find (self->grabs, task, &index))
    return G_SOURCE_REMOVE;

  if (self->problem_message != NULL)
    message = g_strdup_printf (_("The camera sent no picture in time: %s"), self->problem_message);
  else
    message = g_strdup (_("The camera sent no picture in time."));
  taken = take_grab (self, index);
  g_task_return_new_error (taken, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s", message);
  update_running (self);

  return G_SOURCE_REMOVE;
}

static gboolean
on_grab_cancelled_idle (gpointer data)
{
  GTask          *task = data;
  PdCameraSource *self = g_task_get_source_object (task);

  guint             index;
  g_autoptr (GTask) taken = NULL;

  if (!g_ptr_array_find (self->grabs, task, &index))
    return G_SOURCE_REMOVE;

  taken = take_grab (self, index);
  g_task_return_error_if_cancelled (taken);
  update_running (self);

  return G_SOURCE_REMOVE;
}

/* May run on any thread: finish on the source's context. */
static void
on_grab_cancelled (GCancellable *cancellable,
                   GTask        *task)
{
  PdCameraSource *self = g_task_get_source_object (task);
  GSource        *idle = g_idle_source_new ();

  g_source_set_callback (idle, on_grab_cancelled_idle, g_object_ref (task), g_object_unref);
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

void
pd_camera_source_grab_async (PdCameraSource     *self,
                             guint               timeout_ms,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  GSource          *timeout;

  g_return_if_fail (PD_IS_CAMERA_SOURCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_camera_source_grab_async);
  g_task_set_check_cancellable (task, TRUE);
  g_object_set_data (G_OBJECT (task), "pd-asked", GSIZE_TO_POINTER ((gsize) g_get_monotonic_time ()));
  /* The handler holds no reference: it is disconnected when the grab ends,
   * which always happens before the task goes (it waits in self->grabs). */
  if (cancellable != NULL)
    g_object_set_data (G_OBJECT (task), "pd-cancel-handler",
                       GSIZE_TO_POINTER (g_cancellable_connect (cancellable, G_CALLBACK (on_grab_cancelled),
                                                                task, NULL)));

  timeout = g_timeout_source_new (timeout_ms > 0 ? timeout_ms : 15000);
  g_source_set_callback (timeout, on_grab_timeout, g_object_ref (task), g_object_unref);
  g_source_attach (timeout, self->context);
  g_object_set_data_full (G_OBJECT (task), "pd-timeout", timeout, (GDestroyNotify) g_source_unref);

  g_ptr_array_add (self->grabs, g_steal_pointer (&task));
  viewers_changed (self, TRUE);
}

/**
 * pd_camera_source_grab_finish:
 *
 * Returns: (transfer full): the picture, or %NULL with @error saying why.
 */
PdCameraFrame *
pd_camera_source_grab_finish (PdCameraSource *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Words --------------------------------------------------------------------------*/

const char *
pd_camera_problem_to_label (PdCameraProblem problem)
{
  switch (problem)
    {
    case PD_CAMERA_PROBLEM_NONE: return "";
    case PD_CAMERA_PROBLEM_NO_CAMERA: return _("No camera");
    case PD_CAMERA_PROBLEM_NO_ACCESS_CODE: return _("No access code");
    case PD_CAMERA_PROBLEM_UNREACHABLE: return _("Camera unreachable");
    case PD_CAMERA_PROBLEM_WRONG_CODE: return _("Wrong access code");
    case PD_CAMERA_PROBLEM_BUSY: return _("Camera busy");
    case PD_CAMERA_PROBLEM_CERTIFICATE: return _("Certificate not trusted");
    case PD_CAMERA_PROBLEM_TLS: return _("Secure connection failed");
    case PD_CAMERA_PROBLEM_BAD_DATA: return _("Damaged pictures");
    case PD_CAMERA_PROBLEM_LOST: return _("Connection lost");
    case PD_CAMERA_PROBLEM_NO_DECODER: return _("Video decoder missing");
    default: return _("Camera problem");
    }
}

const char *
pd_camera_state_to_label (PdCameraState state)
{
  switch (state)
    {
    case PD_CAMERA_STATE_IDLE: return _("Off");
    case PD_CAMERA_STATE_CONNECTING: return _("Connecting…");
    case PD_CAMERA_STATE_STREAMING: return _("Live");
    case PD_CAMERA_STATE_RETRYING: return _("Retrying…");
    default: return "";
    }
}
