/* pd-sim-camera.c — a simulated printer's camera: RTSPS or the port-6000 JPEG stream
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Serves what a real printer's camera serves, on a free port of 127.0.0.1,
 * with the printer's own certificate (CN = serial) and its access code:
 *
 *  - RTSPS (X1, H2, X2D, P2S): an RTSP server (gst-rtsp-server) over TLS at
 *    rtsps://127.0.0.1:PORT/streaming/live/1, user bblp, Basic auth with the
 *    access code (a wrong one gets 401), H.264 in RTP. The media is shared,
 *    so any number of viewers cost one encoder, and it only runs while
 *    someone watches.
 *
 *  - JPEG (A1, P1, A2L): TLS, an 80-byte login (u32le 0x40, 0x3000, 0, 0,
 *    "bblp" and the access code, each NUL-padded to 32 bytes), then frames:
 *    a 16-byte header (u32le size, 0, 1, 0) and the JPEG. A wrong login, or
 *    one past the client limit, is closed at once without a byte, as a
 *    printer does. The encoder runs only while someone is served.
 *
 * The picture is GStreamer's bouncing ball with the printer's name and the
 * time, so a screenshot shows whose camera it is and that it is live.
 *
 * Everything runs on the simulator's main context: the RTSP server and its
 * clients are attached to it, JPEG connections are async GIO. Only the
 * encoders run on GStreamer's threads: the JPEG appsink hands its newest
 * frame over under a mutex and wakes the main context with one idle source,
 * so frames that pile up are dropped rather than queued, and every write is
 * async: a client that has not taken the last frame yet skips this one.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>

#include "pd-sim-camera.h"

#define USER             "bblp"
#define LOGIN_SIZE       80
#define LOGIN_TIMEOUT_S  10 /* a JPEG client that has not logged in by then is closed */
#define HEADER_SIZE      16
#define OVERSIZED_LENGTH 0x7FFFFFFFu
#define TRUNCATED_EXTRA  1024 /* what a truncated frame announces beyond its JPEG */
#define FIELD_SIZE       32   /* user and access code in the login, NUL-padded */

/* Frames counted on GStreamer's streaming threads (RTSP) or the main
 * context (JPEG). Reference counted: an RTSP media that is being torn down
 * may still count a frame after its camera is gone.
 */
typedef struct
{
  gsize frames;
} Counter;

typedef struct _JpegClient JpegClient;

/* An RTSP connection; "served" once it got the stream's description. */
typedef struct
{
  PdSimCamera   *camera;
  GstRTSPClient *client;
  gboolean       served;
} RtspClient;

struct _JpegClient
{
  int                refs;
  PdSimCamera       *camera; /* NULL once it left the camera's list */
  GSocketConnection *connection;
  GIOStream         *tls;
  GCancellable      *cancellable;
  GSource           *deadline; /* until it has logged in */
  gboolean           closed;
  gboolean           served;
  gboolean           writing;
  gboolean           whole_frame; /* what is being written is a frame as announced */
  gboolean           end_after;   /* close (cleanly) once it is written */
  gboolean           desynced;    /* it was promised 2 GiB: garbage only from now on */
  GBytes            *sending;
  guint8             login[LOGIN_SIZE];
  guint8             ignored[256]; /* what a client sends after its login */
};

struct _PdSimCamera
{
  GObject          parent_instance;

  PdCameraKind     kind;
  char            *name;
  char            *access_code;
  GTlsCertificate *certificate;
  int              width;
  int              height;
  int              fps;
  GMainContext    *context;

  guint16          port; /* kept while closed: it listens on the same one again */
  guint            max_clients;
  PdSimCameraFault fault;
  GMutex           clients_lock; /* RTSP clients live on the pool's thread */
  guint            n_clients; /* served now */
  guint            n_connections;
  guint            n_sessions;
  Counter         *counter;

  /* RTSPS */
  GstRTSPServer   *server;
  GstRTSPAuth     *auth;
  char            *basic;         /* the Basic credentials auth takes now */
  GSource         *server_source; /* NULL while closed */
  GSource         *pool_source;
  GPtrArray       *rtsp_clients; /* of RtspClient */

  /* JPEG */
  GSocketService  *service;      /* NULL while closed */
  GPtrArray       *jpeg_clients; /* of JpegClient, logged in or not */
  GstElement      *pipeline;     /* while a client is served */
  GSource         *bus_source;
  GMutex           frame_lock;
  GBytes          *latest;       /* under frame_lock: the newest JPEG */
  GSource         *frame_source; /* under frame_lock: the hand-over, while pending */
};

G_DEFINE_FINAL_TYPE (PdSimCamera, pd_sim_camera, G_TYPE_OBJECT)

static void jpeg_client_remove (JpegClient *c);
static void stop_pipeline (PdSimCamera *self);
static void end_served_clients (PdSimCamera *self);
static void send_frame (PdSimCamera *self,
                        GBytes      *jpeg);

/* ---- Helpers ------------------------------------------------------------ */

static void
count_frame (Counter *counter)
{
  g_atomic_pointer_add (&counter->frames, 1);
}

/* @text as a quoted gst-launch value. */
static char *
launch_quote (const char *text)
{
  GString *s = g_string_new ("\"");

  for (; *text != '\0'; text++)
    {
      if (*text == '"' || *text == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *text);
    }
  g_string_append_c (s, '"');

  return g_string_free (s, FALSE);
}

/* The picture, then @encoder: a ball that moves, whose camera it is, and
 * the time, so that a frozen stream shows.
 */
static char *
make_launch (PdSimCamera *self,
             const char  *encoder)
{
  g_autofree char *text = launch_quote (self->name);

  return g_strdup_printf ("videotestsrc is-live=true pattern=ball"
                          " ! video/x-raw,width=%d,height=%d,framerate=%d/1"
                          " ! textoverlay text=%s valignment=top halignment=left font-desc=\"Sans 12\""
                          " ! clockoverlay valignment=bottom halignment=right time-format=\"%%H:%%M:%%S\""
                          " ! %s",
                          self->width, self->height, self->fps, text, encoder);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;

  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* ---- RTSPS -------------------------------------------------------------- */

/* The default thread pool, remembering each client's context. */
#define PD_TYPE_SIM_RTSP_POOL (pd_sim_rtsp_pool_get_type ())
G_DECLARE_FINAL_TYPE (PdSimRtspPool, pd_sim_rtsp_pool, PD, SIM_RTSP_POOL, GstRTSPThreadPool)

struct _PdSimRtspPool
{
  GstRTSPThreadPool parent_instance;
};

G_DEFINE_FINAL_TYPE (PdSimRtspPool, pd_sim_rtsp_pool, GST_TYPE_RTSP_THREAD_POOL)

#define CLIENT_CONTEXT_KEY "pd-sim-context"

static GstRTSPThread *
pd_sim_rtsp_pool_get_thread (GstRTSPThreadPool *pool,
                             GstRTSPThreadType  type,
                             GstRTSPContext    *ctx)
{
  GstRTSPThread *thread = GST_RTSP_THREAD_POOL_CLASS (pd_sim_rtsp_pool_parent_class)->get_thread (pool, type, ctx);

  /* Before the client is attached: nothing else has it yet. */
  if (thread != NULL && type == GST_RTSP_THREAD_TYPE_CLIENT && ctx != NULL && ctx->client != NULL)
    g_object_set_data_full (G_OBJECT (ctx->client), CLIENT_CONTEXT_KEY, g_main_context_ref (thread->context),
                            (GDestroyNotify) g_main_context_unref);

  return thread;
}

static void
pd_sim_rtsp_pool_class_init (PdSimRtspPoolClass *klass)
{
  GST_RTSP_THREAD_POOL_CLASS (klass)->get_thread = pd_sim_rtsp_pool_get_thread;
}

static void
pd_sim_rtsp_pool_init (PdSimRtspPool *self)
{
}

static gboolean
close_client (gpointer data)
{
  gst_rtsp_client_close (data);

  return G_SOURCE_REMOVE;
}

static void
rtsp_client_free (RtspClient *rc)
{
  g_signal_handlers_disconnect_by_data (rc->client, rc);
  g_object_unref (rc->client);
  g_free (rc);
}

/* Before DESCRIBE and SETUP: a printer serves so many viewers; the next one
 * hears 453 Not Enough Bandwidth.
 */
static GstRTSPStatusCode
on_rtsp_pre_request (GstRTSPClient  *client,
                     GstRTSPContext *ctx,
                     gpointer        user_data)
{
  RtspClient  *rc = user_data;
  PdSimCamera *self = rc->camera;

  gboolean     busy;

  g_mutex_lock (&self->clients_lock);
  busy = !rc->served && self->max_clients > 0 && self->n_clients >= self->max_clients;
  g_mutex_unlock (&self->clients_lock);
  if (busy)
    {
      g_debug ("camera of %s: busy, a client is refused", self->name);
      return GST_RTSP_STS_NOT_ENOUGH_BANDWIDTH;
    }

  return GST_RTSP_STS_OK;
}

/* After a DESCRIBE (or a SETUP) that succeeded: it logged in and gets the stream. */
static void
on_rtsp_served (GstRTSPClient  *client,
                GstRTSPContext *ctx,
                gpointer        user_data)
{
  RtspClient  *rc = user_data;
  PdSimCamera *self = rc->camera;

  g_mutex_lock (&self->clients_lock);
  if (!rc->served)
    {
      rc->served = TRUE;
      self->n_clients++;
      self->n_sessions++;
    }
  g_mutex_unlock (&self->clients_lock);
}

static void
on_rtsp_closed (GstRTSPClient *client,
                gpointer       user_data)
{
  RtspClient  *rc = user_data;
  PdSimCamera *self = rc->camera;

  g_mutex_lock (&self->clients_lock);
  if (rc->served)
    self->n_clients--;
  g_ptr_array_remove_fast (self->rtsp_clients, rc);
  g_mutex_unlock (&self->clients_lock);
}

static void
on_rtsp_client_connected (GstRTSPServer *server,
                          GstRTSPClient *client,
                          gpointer       user_data)
{
  PdSimCamera *self = user_data;
  RtspClient  *rc = g_new0 (RtspClient, 1);

  rc->camera = self;
  rc->client = g_object_ref (client);
  g_signal_connect (client, "pre-describe-request", G_CALLBACK (on_rtsp_pre_request), rc);
  g_signal_connect (client, "pre-setup-request", G_CALLBACK (on_rtsp_pre_request), rc);
  g_signal_connect (client, "describe-request", G_CALLBACK (on_rtsp_served), rc);
  g_signal_connect (client, "setup-request", G_CALLBACK (on_rtsp_served), rc);
  g_signal_connect (client, "closed", G_CALLBACK (on_rtsp_closed), rc);
  g_mutex_lock (&self->clients_lock);
  self->n_connections++;
  g_ptr_array_add (self->rtsp_clients, rc);
  g_mutex_unlock (&self->clients_lock);
}

static GstPadProbeReturn
on_rtsp_frame (GstPad          *pad,
               GstPadProbeInfo *info,
               gpointer         user_data)
{
  count_frame (user_data);

  return GST_PAD_PROBE_OK;
}

/* A new media (the first viewer after none): count what goes to the
 * payloader, one buffer per encoded frame.
 */
static void
on_media_configure (GstRTSPMediaFactory *factory,
                    GstRTSPMedia        *media,
                    gpointer             user_data)
{
  Counter               *counter = user_data;
  g_autoptr (GstElement) element = gst_rtsp_media_get_element (media);
  g_autoptr (GstElement) pay = gst_bin_get_by_name (GST_BIN (element), "pay0");
  g_autoptr (GstPad)     pad = pay != NULL ? gst_element_get_static_pad (pay, "sink") : NULL;

  if (pad != NULL)
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_rtsp_frame, g_atomic_rc_box_acquire (counter),
                       (GDestroyNotify) g_atomic_rc_box_release);
}

static void
release_counter (gpointer  data,
                 GClosure *closure)
{
  g_atomic_rc_box_release (data);
}

static void
set_basic_auth (PdSimCamera *self)
{
  g_autoptr (GstRTSPToken) token = NULL;

  if (self->basic != NULL)
    gst_rtsp_auth_remove_basic (self->auth, self->basic);
  g_free (self->basic);
  self->basic = gst_rtsp_auth_make_basic (USER, self->access_code);

  token = gst_rtsp_token_new (GST_RTSP_TOKEN_MEDIA_FACTORY_ROLE, G_TYPE_STRING, "user", NULL);
  gst_rtsp_auth_add_basic (self->auth, self->basic, token);
}

static void
setup_rtsp (PdSimCamera *self)
{
  g_autoptr (GstRTSPMountPoints) mounts = NULL;
  g_autoptr (GstRTSPThreadPool)  pool = NULL;
  g_autofree char               *encoder = NULL;
  g_autofree char               *picture = NULL;
  g_autofree char               *launch = NULL;
  GstRTSPMediaFactory           *factory;

  /* A keyframe every 2 s: a viewer that joins a shared stream waits no longer. */
  encoder = g_strdup_printf ("x264enc tune=zerolatency speed-preset=ultrafast key-int-max=%d"
                             " ! rtph264pay name=pay0 pt=96 config-interval=1",
                             self->fps * 2);
  picture = make_launch (self, encoder);
  launch = g_strdup_printf ("( %s )", picture);

  factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, launch);
  /* One encoder for every viewer, as a printer has. Plain RTP/AVP inside
   * the TLS control connection: with SAVP rtspsrc gets SRTP it cannot depay.
   */
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  gst_rtsp_media_factory_add_role (factory, "user",
                                   GST_RTSP_PERM_MEDIA_FACTORY_ACCESS, G_TYPE_BOOLEAN, TRUE,
                                   GST_RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, G_TYPE_BOOLEAN, TRUE,
                                   NULL);
  g_signal_connect_data (factory, "media-configure", G_CALLBACK (on_media_configure),
                         g_atomic_rc_box_acquire (self->counter), release_counter, 0);

  self->server = gst_rtsp_server_new ();
  gst_rtsp_server_set_address (self->server, "127.0.0.1");
  mounts = gst_rtsp_server_get_mount_points (self->server);
  gst_rtsp_mount_points_add_factory (mounts, PD_SIM_CAMERA_RTSP_PATH, factory);

  self->auth = gst_rtsp_auth_new ();
  gst_rtsp_auth_set_tls_certificate (self->auth, self->certificate);
  set_basic_auth (self);
  gst_rtsp_server_set_auth (self->server, self->auth);

  /* The clients' watches run on the pool's thread: note which context each
   * one has, so that dropping a client closes it there (see
   * drop_rtsp_clients()).
   */
  pool = g_object_new (PD_TYPE_SIM_RTSP_POOL, NULL);
  gst_rtsp_server_set_thread_pool (self->server, pool);

  g_signal_connect (self->server, "client-connected", G_CALLBACK (on_rtsp_client_connected), self);
}

/* Removes sessions whose client went away without a TEARDOWN (UDP). */
static gboolean
on_session_pool_check (GstRTSPSessionPool *pool,
                       gpointer            user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_rtsp (PdSimCamera *self,
             GError     **error)
{
  g_autofree char               *service = g_strdup_printf ("%u", self->port);
  g_autoptr (GstRTSPSessionPool) pool = NULL;
  GSource                       *source;

  /* A source of our own rather than gst_rtsp_server_attach(): destroying
   * it closes the listening socket, so "camera off" refuses connections.
   */
  gst_rtsp_server_set_service (self->server, service);
  if ((source = gst_rtsp_server_create_source (self->server, NULL, error)) == NULL)
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "cannot listen on 127.0.0.1:%u: ", self->port);
      else
        g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_PORT_IN_USE, "cannot listen on 127.0.0.1:%u", self->port);
      return FALSE;
    }
  g_source_attach (source, self->context);
  self->server_source = source;
  self->port = (guint16) gst_rtsp_server_get_bound_port (self->server);

  pool = gst_rtsp_server_get_session_pool (self->server);
  self->pool_source = gst_rtsp_session_pool_create_watch (pool);
  g_source_set_callback (self->pool_source, (GSourceFunc) (void (*) (void)) on_session_pool_check, NULL, NULL);
  g_source_attach (self->pool_source, self->context);

  return TRUE;
}

static guint
drop_rtsp_clients (PdSimCamera *self)
{
  g_autoptr (GPtrArray) clients = g_ptr_array_new_with_free_func (g_object_unref);

  /* Closing one emits "closed", which changes the list. */
  g_mutex_lock (&self->clients_lock);
  for (guint i = 0; i < self->rtsp_clients->len; i++)
    g_ptr_array_add (clients, g_object_ref (((RtspClient *) g_ptr_array_index (self->rtsp_clients, i))->client));
  g_mutex_unlock (&self->clients_lock);

  /* Each on its own thread: closing a client from another one races with
   * its watch, which may be reading from the connection being freed.
   */
  for (guint i = 0; i < clients->len; i++)
    {
      GstRTSPClient *client = g_ptr_array_index (clients, i);
      GMainContext  *context = g_object_get_data (G_OBJECT (client), CLIENT_CONTEXT_KEY);

      if (context != NULL)
        g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, close_client, g_object_ref (client), g_object_unref);
      else
        gst_rtsp_client_close (client);
    }

  return clients->len;
}

/* ---- JPEG: the encoder ------------------------------------------------ */

static gboolean
on_frame (gpointer user_data)
{
  PdSimCamera       *self = user_data;
  g_autoptr (GBytes) jpeg = NULL;

  g_mutex_lock (&self->frame_lock);
  jpeg = g_steal_pointer (&self->latest);
  g_clear_pointer (&self->frame_source, g_source_unref);
  g_mutex_unlock (&self->frame_lock);

  if (jpeg != NULL)
    send_frame (self, jpeg);

  return G_SOURCE_REMOVE;
}

/* On a streaming thread. stop_pipeline() sets the pipeline to NULL before
 * the camera can go, so @user_data outlives every call.
 */
static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    user_data)
{
  PdSimCamera          *self = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer            *buffer = sample != NULL ? gst_sample_get_buffer (sample) : NULL;
  GstMapInfo            map;
  GBytes               *jpeg;

  if (buffer == NULL || !gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_OK;
  jpeg = g_bytes_new (map.data, map.size);
  gst_buffer_unmap (buffer, &map);

  g_mutex_lock (&self->frame_lock);
  g_clear_pointer (&self->latest, g_bytes_unref);
  self->latest = jpeg;
  if (self->frame_source == NULL)
    {
      self->frame_source = g_idle_source_new ();
      /* Not below the printers' timers: a busy simulator still streams. */
      g_source_set_priority (self->frame_source, G_PRIORITY_DEFAULT);
      g_source_set_callback (self->frame_source, on_frame, self, NULL);
      g_source_attach (self->frame_source, self->context);
    }
  g_mutex_unlock (&self->frame_lock);

  return GST_FLOW_OK;
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  PdSimCamera       *self = user_data;
  g_autoptr (GError) error = NULL;

  if (GST_MESSAGE_TYPE (message) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;

  /* A message, not a warning: the tests make warnings fatal, and a camera
   * without a picture is a failure they see for themselves.
   */
  gst_message_parse_error (message, &error, NULL);
  g_message ("camera of %s: %s", self->name, error->message);
  end_served_clients (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
start_pipeline (PdSimCamera *self,
                GError     **error)
{
  g_autofree char       *launch = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus)     bus = NULL;
  GstAppSinkCallbacks    callbacks = { .new_sample = on_new_sample };

  if (self->pipeline != NULL)
    return TRUE;

  launch = make_launch (self, "jpegenc quality=80 ! appsink name=sink max-buffers=1 drop=true sync=false");
  pipeline = gst_parse_launch_full (launch, NULL, GST_PARSE_FLAG_FATAL_ERRORS, error);
  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);

  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);

  bus = gst_element_get_bus (pipeline);
  self->bus_source = gst_bus_create_watch (bus);
  g_source_set_callback (self->bus_source, (GSourceFunc) (void (*) (void)) on_bus_message, self, NULL);
  g_source_attach (self->bus_source, self->context);

  self->pipeline = g_steal_pointer (&pipeline);
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      stop_pipeline (self);
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_FAILED, "the camera's encoder does not start");
      return FALSE;
    }

  return TRUE;
}

/* Blocks for as long as the encoder takes to finish its frame. */
static void
stop_pipeline (PdSimCamera *self)
{
  clear_source (&self->bus_source);
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_clear_object (&self->pipeline);
    }

  /* No streaming thread is left to hand a frame over. */
  g_mutex_lock (&self->frame_lock);
  clear_source (&self->frame_source);
  g_clear_pointer (&self->latest, g_bytes_unref);
  g_mutex_unlock (&self->frame_lock);
}

/* ---- JPEG: the clients ------------------------------------------------ */

static JpegClient *
jpeg_client_ref (JpegClient *c)
{
  c->refs++;
  return c;
}

static void
jpeg_client_unref (JpegClient *c)
{
  g_assert (c->refs > 0);

  if (--c->refs > 0)
    return;

  /* No operation is pending any more. The TCP connection is closed, not
   * the TLS one: that would try to say goodbye on a socket that is shut.
   */
  if (c->connection != NULL)
    g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  g_clear_object (&c->tls);
  g_clear_object (&c->connection);
  g_clear_object (&c->cancellable);
  g_clear_pointer (&c->sending, g_bytes_unref);
  g_free (c);
}

/* Ends the connection now, without a word: both directions shut down. */
static void
jpeg_client_abort (JpegClient *c)
{
  if (c->closed)
    return;

  c->closed = TRUE;
  clear_source (&c->deadline);
  g_cancellable_cancel (c->cancellable);
  g_socket_shutdown (g_socket_connection_get_socket (c->connection), TRUE, TRUE, NULL);
  jpeg_client_remove (c);
}

static void
on_finished (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  JpegClient *c = user_data;

  g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, NULL);
  g_cancellable_cancel (c->cancellable);
  g_socket_shutdown (g_socket_connection_get_socket (c->connection), TRUE, TRUE, NULL);
  jpeg_client_unref (c);
}

/* Ends the connection cleanly: TLS close_notify, so that the client reads
 * an end of stream (0 bytes) rather than an error. Nothing may be being
 * written.
 */
static void
jpeg_client_finish (JpegClient *c)
{
  if (c->closed)
    return;

  c->closed = TRUE;
  clear_source (&c->deadline);
  g_output_stream_close_async (g_io_stream_get_output_stream (c->tls), G_PRIORITY_DEFAULT, NULL,
                               on_finished, jpeg_client_ref (c));
  jpeg_client_remove (c);
}

/* Takes @c out of its camera's list (which may drop the last reference). */
static void
jpeg_client_remove (JpegClient *c)
{
  PdSimCamera *self = c->camera;

  if (self == NULL)
    return;

  c->camera = NULL;
  if (c->served)
    {
      self->n_clients--;
      if (self->n_clients == 0)
        stop_pipeline (self);
    }
  g_ptr_array_remove_fast (self->jpeg_clients, c);
}

static void
end_served_clients (PdSimCamera *self)
{
  g_autoptr (GPtrArray) served = g_ptr_array_new ();

  for (guint i = 0; i < self->jpeg_clients->len; i++)
    {
      JpegClient *c = g_ptr_array_index (self->jpeg_clients, i);

      if (c->served)
        g_ptr_array_add (served, c);
    }
  for (guint i = 0; i < served->len; i++)
    {
      JpegClient *c = g_ptr_array_index (served, i);

      if (c->writing)
        jpeg_client_abort (c);
      else
        jpeg_client_finish (c);
    }
}

static void
on_frame_written (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  JpegClient *c = user_data;
  gboolean    ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);

  c->writing = FALSE;
  g_clear_pointer (&c->sending, g_bytes_unref);

  if (!c->closed)
    {
      if (!ok)
        jpeg_client_abort (c);
      else
        {
          if (c->whole_frame && c->camera != NULL)
            count_frame (c->camera->counter);
          if (c->end_after)
            jpeg_client_finish (c);
        }
    }

  jpeg_client_unref (c);
}

static void
jpeg_client_send (JpegClient *c,
                  GBytes     *bytes,
                  gboolean    whole_frame,
                  gboolean    end_after)
{
  gsize       size;
  const void *data = g_bytes_get_data (bytes, &size);

  c->writing = TRUE;
  c->whole_frame = whole_frame;
  c->end_after = end_after;
  c->sending = g_bytes_ref (bytes);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (c->tls), data, size, G_PRIORITY_DEFAULT,
                                   c->cancellable, on_frame_written, jpeg_client_ref (c));
}

static void
put_le32 (guint8 *p,
          guint32 value)
{
  p[0] = (guint8) value;
  p[1] = (guint8) (value >> 8);
  p[2] = (guint8) (value >> 16);
  p[3] = (guint8) (value >> 24);
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
fill_garbage (guint8 *data,
              gsize   length)
{
  static const char filler[] = "printdeck-sim: this is not a JPEG. ";

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) filler[i % (sizeof filler - 1)];
}

/* A header announcing @announced bytes, then @length bytes of @payload
 * (NULL: garbage).
 */
static GBytes *
make_frame (guint32       announced,
            const guint8 *payload,
            gsize         length)
{
  guint8 *data = g_malloc (HEADER_SIZE + length);

  put_le32 (data, announced);
  put_le32 (data + 4, 0);
  put_le32 (data + 8, 1);
  put_le32 (data + 12, 0);
  if (payload != NULL)
    memcpy (data + HEADER_SIZE, payload, length);
  else
    fill_garbage (data + HEADER_SIZE, length);

  return g_bytes_new_take (data, HEADER_SIZE + length);
}

static GBytes *
make_garbage (gsize length)
{
  guint8 *data = g_malloc (length);

  fill_garbage (data, length);

  return g_bytes_new_take (data, length);
}

/* Hands the newest frame to every served client that has taken the last. */
static void
send_frame (PdSimCamera *self,
            GBytes      *jpeg)
{
  gsize              size;
  const guint8      *data = g_bytes_get_data (jpeg, &size);
  g_autoptr (GBytes) frame = NULL;
  g_autoptr (GBytes) garbage = NULL;
  g_autoptr (GBytes) noise = NULL;

  for (guint i = 0; i < self->jpeg_clients->len; i++)
    {
      JpegClient *c = g_ptr_array_index (self->jpeg_clients, i);

      /* Still busy with an earlier frame: this one is skipped. */
      if (!c->served || c->closed || c->writing)
        continue;

      /* After a 2 GiB promise: more of it, never a header again. */
      if (c->desynced)
        {
          if (noise == NULL)
            noise = make_garbage (size);
          jpeg_client_send (c, noise, FALSE, FALSE);
          continue;
        }

      switch (self->fault)
        {
        case PD_SIM_CAMERA_FAULT_TRUNCATED:
          {
            g_autoptr (GBytes) truncated = make_frame ((guint32) size + TRUNCATED_EXTRA, data, size);

            jpeg_client_send (c, truncated, FALSE, TRUE);
          }
          break;
        case PD_SIM_CAMERA_FAULT_OVERSIZED:
          {
            g_autoptr (GBytes) oversized = make_frame (OVERSIZED_LENGTH, NULL, size);

            c->desynced = TRUE;
            jpeg_client_send (c, oversized, FALSE, FALSE);
          }
          break;
        case PD_SIM_CAMERA_FAULT_GARBAGE:
          if (garbage == NULL)
            garbage = make_frame ((guint32) size, NULL, size);
          jpeg_client_send (c, garbage, TRUE, FALSE);
          break;
        case PD_SIM_CAMERA_FAULT_CLOSE_MID_FRAME:
          {
            g_autoptr (GBytes) half = make_frame ((guint32) size, data, size / 2);

            jpeg_client_send (c, half, FALSE, TRUE);
          }
          break;
        case PD_SIM_CAMERA_FAULT_NONE:
        default:
          if (frame == NULL)
            frame = make_frame ((guint32) size, data, size);
          jpeg_client_send (c, frame, TRUE, FALSE);
          break;
        }
    }
}

/* Reads what a served client sends (nothing, normally) to see it leave. */
static void
on_client_data (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  JpegClient *c = user_data;
  gssize      n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (!c->closed)
    {
      if (n <= 0)
        jpeg_client_abort (c);
      else
        {
          g_input_stream_read_async (G_INPUT_STREAM (source), c->ignored, sizeof c->ignored, G_PRIORITY_DEFAULT,
                                     c->cancellable, on_client_data, jpeg_client_ref (c));
        }
    }

  jpeg_client_unref (c);
}

/* A field of the login: @text, then NULs up to 32 bytes. */
static gboolean
field_equals (const guint8 *field,
              const char   *text)
{
  gsize length = strlen (text);

  if (length > FIELD_SIZE || memcmp (field, text, length) != 0)
    return FALSE;
  for (gsize i = length; i < FIELD_SIZE; i++)
    if (field[i] != 0)
      return FALSE;

  return TRUE;
}

static gboolean
login_is_valid (PdSimCamera  *self,
                const guint8 *login)
{
  return get_le32 (login) == 0x40 && get_le32 (login + 4) == 0x3000 &&
         get_le32 (login + 8) == 0 && get_le32 (login + 12) == 0 &&
         field_equals (login + 16, USER) && field_equals (login + 16 + FIELD_SIZE, self->access_code);
}

static void
on_login (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  JpegClient        *c = user_data;
  PdSimCamera       *self = c->camera;
  g_autoptr (GError) error = NULL;
  gsize              n = 0;
  gboolean           ok = g_input_stream_read_all_finish (G_INPUT_STREAM (source), result, &n, &error);

  if (c->closed || self == NULL)
    {
      jpeg_client_unref (c);
      return;
    }

  if (!ok || n < LOGIN_SIZE)
    {
      g_debug ("camera of %s: no login (%s)", self->name, error != NULL ? error->message : "end of stream");
      jpeg_client_abort (c);
    }
  else if (!login_is_valid (self, c->login))
    {
      /* A printer says nothing to a wrong access code: the stream ends. */
      g_debug ("camera of %s: wrong login", self->name);
      jpeg_client_finish (c);
    }
  else if (self->max_clients > 0 && self->n_clients >= self->max_clients)
    {
      g_debug ("camera of %s: busy, a client is refused", self->name);
      jpeg_client_finish (c);
    }
  else
    {
      clear_source (&c->deadline);
      c->served = TRUE;
      self->n_clients++;
      self->n_sessions++;
      if (!start_pipeline (self, &error))
        {
          g_message ("camera of %s: %s", self->name, error->message);
          jpeg_client_finish (c);
        }
      else
        g_input_stream_read_async (G_INPUT_STREAM (source), c->ignored, sizeof c->ignored, G_PRIORITY_DEFAULT,
                                   c->cancellable, on_client_data, jpeg_client_ref (c));
    }

  jpeg_client_unref (c);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  JpegClient        *c = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (!c->closed && c->camera != NULL)
        g_debug ("camera of %s: TLS handshake: %s", c->camera->name, error->message);
      jpeg_client_abort (c);
    }
  else if (!c->closed)
    g_input_stream_read_all_async (g_io_stream_get_input_stream (c->tls), c->login, sizeof c->login,
                                   G_PRIORITY_DEFAULT, c->cancellable, on_login, jpeg_client_ref (c));

  jpeg_client_unref (c);
}

static gboolean
on_login_timeout (gpointer user_data)
{
  JpegClient *c = user_data;

  jpeg_client_abort (c);

  return G_SOURCE_REMOVE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  PdSimCamera       *self = user_data;
  g_autoptr (GError) error = NULL;
  JpegClient        *c = g_new0 (JpegClient, 1);

  self->n_connections++;
  c->refs = 1; /* the list's */
  c->camera = self;
  c->connection = g_object_ref (connection);
  c->cancellable = g_cancellable_new ();
  g_ptr_array_add (self->jpeg_clients, c);

  /* No database: the camera asks for no client certificate, and without
   * one glib-networking does not load the system's CAs again for every
   * connection (6 ms each; seconds under ASan).
   */
  c->tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()), NULL, &error,
                           "base-io-stream", connection,
                           "certificate", self->certificate,
                           "database", NULL,
                           NULL);
  if (c->tls == NULL)
    {
      g_message ("camera of %s: %s", self->name, error->message);
      jpeg_client_abort (c);
      return TRUE;
    }

  /* A client that never logs in does not keep its connection. */
  c->deadline = g_timeout_source_new_seconds (LOGIN_TIMEOUT_S);
  g_source_set_callback (c->deadline, on_login_timeout, c, NULL);
  g_source_attach (c->deadline, self->context);

  g_tls_connection_handshake_async (G_TLS_CONNECTION (c->tls), G_PRIORITY_DEFAULT, c->cancellable,
                                    on_handshake, jpeg_client_ref (c));

  return TRUE;
}

static gboolean
listen_jpeg (PdSimCamera *self,
             GError     **error)
{
  g_autoptr (GSocketService) service = g_socket_service_new ();
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, self->port);
  g_autoptr (GSocketAddress) effective = NULL;

  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    {
      if (error != NULL && *error != NULL)
        g_prefix_error (error, "cannot listen on 127.0.0.1:%u: ", self->port);
      return FALSE;
    }

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), self);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);

  return TRUE;
}

static guint
drop_jpeg_clients (PdSimCamera *self)
{
  guint n = self->jpeg_clients->len;

  while (self->jpeg_clients->len > 0)
    jpeg_client_abort (g_ptr_array_index (self->jpeg_clients, self->jpeg_clients->len - 1));

  return n;
}

/* ---- GObject ------------------------------------------------------------ */

static void
pd_sim_camera_dispose (GObject *object)
{
  PdSimCamera *self = PD_SIM_CAMERA (object);

  pd_sim_camera_close (self);
  stop_pipeline (self);
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_clear_object (&self->server);
  g_clear_object (&self->auth);

  G_OBJECT_CLASS (pd_sim_camera_parent_class)->dispose (object);
}

static void
pd_sim_camera_finalize (GObject *object)
{
  PdSimCamera *self = PD_SIM_CAMERA (object);

  g_free (self->name);
  g_free (self->access_code);
  g_free (self->basic);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_atomic_rc_box_release (self->counter);
  g_ptr_array_unref (self->rtsp_clients);
  g_ptr_array_unref (self->jpeg_clients);
  g_mutex_clear (&self->frame_lock);
  g_mutex_clear (&self->clients_lock);

  G_OBJECT_CLASS (pd_sim_camera_parent_class)->finalize (object);
}

static void
pd_sim_camera_class_init (PdSimCameraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_camera_dispose;
  object_class->finalize = pd_sim_camera_finalize;
}

static void
pd_sim_camera_init (PdSimCamera *self)
{
  self->counter = g_atomic_rc_box_new0 (Counter);
  self->rtsp_clients = g_ptr_array_new_with_free_func ((GDestroyNotify) rtsp_client_free);
  self->jpeg_clients = g_ptr_array_new_with_free_func ((GDestroyNotify) jpeg_client_unref);
  g_mutex_init (&self->frame_lock);
  g_mutex_init (&self->clients_lock);
}

/* ---- API ---------------------------------------------------------------- */

/**
 * pd_sim_camera_init_gstreamer:
 *
 * Initialises GStreamer once per process (loading its plugin registry).
 */
gboolean
pd_sim_camera_init_gstreamer (GError **error)
{
  return gst_init_check (NULL, NULL, error);
}

/**
 * pd_sim_camera_default_size:
 *
 * What a camera of @kind streams unless told otherwise: small, because a
 * live encoder costs CPU (x264 at 1080p takes 61 % of a core, at 320×240
 * 3 %), and tests and the demo run many at once. A real printer sends
 * 1080p H.264, or 1280×720 JPEG every second or two.
 */
void
pd_sim_camera_default_size (PdCameraKind kind,
                            int         *width,
                            int         *height,
                            int         *fps)
{
  gboolean jpeg = kind == PD_CAMERA_KIND_JPEG;

  *width = jpeg ? 640 : 320;
  *height = jpeg ? 360 : 240;
  *fps = jpeg ? 5 : 15;
}

/**
 * pd_sim_camera_new:
 * @kind: %PD_CAMERA_KIND_RTSPS or %PD_CAMERA_KIND_JPEG
 * @name: the printer's name, shown in the picture
 * @access_code: the password it takes
 * @certificate: the printer's certificate, with its key
 * @context: the main context it runs on
 *
 * GStreamer must be initialised (pd_sim_camera_init_gstreamer()).
 *
 * Returns: (transfer full): a camera, not yet listening
 */
PdSimCamera *
pd_sim_camera_new (PdCameraKind     kind,
                   const char      *name,
                   const char      *access_code,
                   GTlsCertificate *certificate,
                   int              width,
                   int              height,
                   int              fps,
                   GMainContext    *context)
{
  PdSimCamera *self;

  g_return_val_if_fail (kind == PD_CAMERA_KIND_RTSPS || kind == PD_CAMERA_KIND_JPEG, NULL);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);
  g_return_val_if_fail (width > 0 && height > 0 && fps > 0, NULL);

  self = g_object_new (PD_TYPE_SIM_CAMERA, NULL);
  self->kind = kind;
  self->name = g_strdup (name);
  self->access_code = g_strdup (access_code);
  self->certificate = g_object_ref (certificate);
  self->width = width;
  self->height = height;
  self->fps = fps;
  self->context = g_main_context_ref (context);

  if (kind == PD_CAMERA_KIND_RTSPS)
    setup_rtsp (self);

  return self;
}

/**
 * pd_sim_camera_listen:
 *
 * Opens the camera's port on 127.0.0.1: a free one the first time, the
 * same one afterwards. Does nothing if it is open.
 */
gboolean
pd_sim_camera_listen (PdSimCamera *self,
                      GError     **error)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), FALSE);

  if (pd_sim_camera_is_listening (self))
    return TRUE;

  return self->kind == PD_CAMERA_KIND_RTSPS ? listen_rtsp (self, error) : listen_jpeg (self, error);
}

/**
 * pd_sim_camera_close:
 *
 * Closes the port (connects are refused) and every connection; the encoder
 * stops. pd_sim_camera_listen() opens the same port again.
 */
void
pd_sim_camera_close (PdSimCamera *self)
{
  g_return_if_fail (PD_IS_SIM_CAMERA (self));

  clear_source (&self->server_source);
  clear_source (&self->pool_source);

  if (self->service != NULL)
    {
      g_autoptr (GSocketService) service = g_steal_pointer (&self->service);

      /* Stopped first: that cancels the pending accept, which would
       * otherwise fail with "socket closed" and make GLib warn.
       */
      g_signal_handlers_disconnect_by_data (service, self);
      g_socket_service_stop (service);
      g_socket_listener_close (G_SOCKET_LISTENER (service));
    }

  pd_sim_camera_drop_clients (self);
}

gboolean
pd_sim_camera_is_listening (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), FALSE);

  return self->server_source != NULL || self->service != NULL;
}

/**
 * pd_sim_camera_get_port:
 *
 * Returns: the port, also while closed; 0 before it first listened
 */
guint16
pd_sim_camera_get_port (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  return self->port;
}

/**
 * pd_sim_camera_dup_url:
 *
 * Returns: (transfer full) (nullable): what the printer reports as its
 *   ipcam.rtsp_url: "rtsps://127.0.0.1:PORT/streaming/live/1"; %NULL for a
 *   JPEG camera
 */
char *
pd_sim_camera_dup_url (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), NULL);

  if (self->kind != PD_CAMERA_KIND_RTSPS)
    return NULL;

  return g_strdup_printf ("rtsps://127.0.0.1:%u" PD_SIM_CAMERA_RTSP_PATH, self->port);
}

/**
 * pd_sim_camera_set_certificate:
 *
 * New connections get @certificate; open ones keep theirs.
 */
void
pd_sim_camera_set_certificate (PdSimCamera     *self,
                               GTlsCertificate *certificate)
{
  g_return_if_fail (PD_IS_SIM_CAMERA (self));
  g_return_if_fail (G_IS_TLS_CERTIFICATE (certificate));

  g_set_object (&self->certificate, certificate);
  if (self->auth != NULL)
    gst_rtsp_auth_set_tls_certificate (self->auth, certificate);
}

/**
 * pd_sim_camera_set_access_code:
 *
 * The password the next logins need; open connections stay.
 */
void
pd_sim_camera_set_access_code (PdSimCamera *self,
                               const char  *access_code)
{
  g_return_if_fail (PD_IS_SIM_CAMERA (self));
  g_return_if_fail (access_code != NULL);

  g_free (self->access_code);
  self->access_code = g_strdup (access_code);
  if (self->auth != NULL)
    set_basic_auth (self);
}

/**
 * pd_sim_camera_get_n_clients:
 *
 * Returns: the clients being served now: logged in (JPEG) or past DESCRIBE
 *   (RTSPS), and still connected
 */
guint
pd_sim_camera_get_n_clients (PdSimCamera *self)
{
  guint n;

  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  g_mutex_lock (&self->clients_lock);
  n = self->n_clients;
  g_mutex_unlock (&self->clients_lock);

  return n;
}

/**
 * pd_sim_camera_get_n_connections:
 *
 * Returns: every TCP connection accepted since the start, whatever became
 *   of it (wrong password, busy, served)
 */
guint
pd_sim_camera_get_n_connections (PdSimCamera *self)
{
  guint n;

  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  g_mutex_lock (&self->clients_lock);
  n = self->n_connections;
  g_mutex_unlock (&self->clients_lock);

  return n;
}

/**
 * pd_sim_camera_get_n_sessions:
 *
 * Returns: the connections that were served since the start
 */
guint
pd_sim_camera_get_n_sessions (PdSimCamera *self)
{
  guint n;

  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  g_mutex_lock (&self->clients_lock);
  n = self->n_sessions;
  g_mutex_unlock (&self->clients_lock);

  return n;
}

/**
 * pd_sim_camera_get_n_frames:
 *
 * Returns: JPEG: the frames written whole to a client, summed over the
 *   clients; RTSPS: the frames the shared stream encoded (one stream for
 *   all its viewers)
 */
guint64
pd_sim_camera_get_n_frames (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  return g_atomic_pointer_get (&self->counter->frames);
}

/**
 * pd_sim_camera_set_max_clients:
 * @max_clients: 0 for no limit
 *
 * How many clients are served at once; the next one is refused (RTSPS: 453
 * Not Enough Bandwidth; JPEG: the stream ends after the login). Clients
 * served already stay.
 */
void
pd_sim_camera_set_max_clients (PdSimCamera *self,
                               guint        max_clients)
{
  g_return_if_fail (PD_IS_SIM_CAMERA (self));

  self->max_clients = max_clients;
}

guint
pd_sim_camera_get_max_clients (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  return self->max_clients;
}

/**
 * pd_sim_camera_set_fault:
 *
 * What the JPEG stream does wrong from the next frame on (see
 * #PdSimCameraFault). An RTSPS camera ignores it.
 */
void
pd_sim_camera_set_fault (PdSimCamera     *self,
                         PdSimCameraFault fault)
{
  g_return_if_fail (PD_IS_SIM_CAMERA (self));

  self->fault = fault;
}

/**
 * pd_sim_camera_drop_clients:
 *
 * Closes every camera connection now (served or not); new ones are accepted.
 *
 * Returns: how many were closed
 */
guint
pd_sim_camera_drop_clients (PdSimCamera *self)
{
  g_return_val_if_fail (PD_IS_SIM_CAMERA (self), 0);

  return drop_rtsp_clients (self) + drop_jpeg_clients (self);
}
