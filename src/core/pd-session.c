/* pd-session.c — the MQTT session that watches one printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One MQTT 3.1.1 connection over TLS per printer, for weeks:
 *
 *  - A worker thread owns the libmosquitto client and drives it: connect,
 *    TLS (checked by pd-cert-policy), CONNACK, subscribe
 *    device/SERIAL/report, pushall + get_version at QoS 1. It parses each
 *    payload to JSON there; merging into the PdPrinter and every notify
 *    happen on the main thread, to which it posts events. Until CONNACK it
 *    runs mosquitto_loop() (libmosquitto's own wait, which knows what the TLS
 *    handshake waits for; its GLib-main-loop integration spins there, see
 *    docs/environment-notes.md); once connected it sleeps in poll() on the
 *    socket and an event fd the main thread writes to (stop, rebuild, a
 *    command to send), waking once a second for keep-alive otherwise: 100
 *    printers' threads wake about 100 times a second, not 1,000.
 *  - Each attempt uses a new client id, so a half-dead session on the
 *    printer is never resumed, and a failed attempt is followed by a
 *    jittered exponential backoff from 1 s to 30 s, cut short when the
 *    network comes back or the machine resumes from suspend.
 *  - "Connected" means reports arrive, not that TCP is up: a printer that
 *    says nothing is probed with get_version after half the stale timeout
 *    and shown as not responding, and its session rebuilt, after all of it.
 *    A broker that accepts us but never forwards a report most likely has
 *    no printer of that serial.
 */

#define G_LOG_DOMAIN "pd-session"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <mosquitto.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pd-cert-policy.h"
#include "pd-enum-types.h"
#include "pd-enums.h"
#include "pd-report.h"
#include "pd-session.h"

#define KEEPALIVE_SECONDS        30
#define CONNECT_TIMEOUT_USEC     (10 * G_USEC_PER_SEC)
#define NO_REPORTS_USEC          (10 * G_USEC_PER_SEC)
#define COMMAND_TIMEOUT_SECONDS  10
#define REPLY_GRACE_SECONDS      3
#define BACKOFF_MIN_SECONDS      1.0
#define BACKOFF_MAX_SECONDS      30.0
#define LOOP_TIMEOUT_MS          100  /* until CONNACK */
#define IDLE_TIMEOUT_MS          1000 /* connected: keep-alive's granularity */

/* State shared with the worker thread. Everything in it is protected by
 * @lock, except the atomics.
 */
typedef struct
{
  gatomicrefcount   ref;
  GMutex            lock;
  GCond             cond;
  GMainContext     *main_context;
  GWeakRef          session;
  int               wake_fd; /* eventfd: wakes the worker's poll() */

  /* requests from the main thread */
  gboolean          stop;
  gboolean          wake;
  gboolean          rebuild;

  /* configuration, read at each attempt */
  char             *host;
  int               port;
  char             *serial;
  char             *username;
  char             *password;
  gboolean          use_tls;
  char             *pinned;
  guint             pin_epoch; /* counts changes of where to connect and what to trust */
  guint             attempt_epoch; /* pin_epoch when the current attempt read its settings */

  /* the current attempt */
  struct mosquitto *mosq;
  gboolean          connacked;
  int               connack_rc;
  int               tls_verdict; /* PdCertVerdict, -1 before the handshake */
  char             *presented_fingerprint;
  char             *report_topic;
  char             *request_topic;

  gint              received; /* atomic: a message arrived in this attempt */
  gint              sequence; /* atomic */
} Shared;

typedef enum
{
  EVENT_ATTEMPT,
  EVENT_CONNACK,
  EVENT_MESSAGE,
  EVENT_PUBLISHED,
  EVENT_ENDED,
  EVENT_PINNED,
} EventKind;

typedef struct
{
  EventKind          kind;
  Shared            *shared;
  PdMessageDirection direction;
  char              *topic;
  GBytes            *payload;
  JsonNode          *report;
  GPtrArray         *warnings;
  GError            *error;
  int                mid;
  PdSessionReason    reason;
  char              *fingerprint;
  guint              pin_epoch; /* EVENT_PINNED: the configuration it was pinned under */
} Event;

typedef struct
{
  GTask *task;
  char  *sequence_id;
  int    mid;
  guint  timeout_id;
  gboolean published;
} PendingCommand;

struct _PdSession
{
  GObject          parent_instance;

  PdPrinter       *printer;
  Shared          *shared;
  GThread         *thread;

  char            *host;
  guint            port;
  char            *pinned_fingerprint;
  char            *fingerprint;
  PdConnection     connection;
  PdSessionReason  reason;
  guint            stale_timeout;
  guint            n_attempts;

  gint64           connacked_at;
  gint64           last_message_at;
  gint64           probed_at;
  char            *report_topic;
  gboolean         receiving;
  gboolean         ticking; /* in ticking_sessions */
  gint64           last_rejected_log;

  GList           *pending; /* PendingCommand */

  GNetworkMonitor *network_monitor;
  GDBusConnection *system_bus;
  guint            sleep_subscription;
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (PdSession, pd_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PRINTER,
  PROP_HOST,
  PROP_PORT,
  PROP_ACCESS_CODE,
  PROP_PINNED_FINGERPRINT,
  PROP_FINGERPRINT,
  PROP_CONNECTION,
  PROP_REASON,
  PROP_STALE_TIMEOUT,
  N_PROPS
};

enum {
  MESSAGE,
  REPORT_REJECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void session_post (Shared *shared, Event *event);

/* Shared state --------------------------------------------------------------*/

static Shared *
shared_new (PdSession *session)
{
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->lock);
  g_cond_init (&shared->cond);
  shared->wake_fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (shared->wake_fd < 0)
    g_error ("eventfd: %s", g_strerror (errno));
  shared->main_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&shared->session, session);
  shared->username = g_strdup ("bblp");
  shared->use_tls = TRUE;
  shared->port = PD_SESSION_DEFAULT_PORT;
  shared->tls_verdict = -1;

  return shared;
}

/* Wakes the worker wherever it waits: in the backoff (the condition) or in
 * poll() on its connection (the event fd). Called with @lock held after
 * changing a request, or after queueing a message to send.
 */
static void
shared_wake_worker (Shared *shared)
{
  guint64 one = 1;

  g_cond_signal (&shared->cond);
  /* EAGAIN: the counter is already non-zero, the worker will wake */
  if (write (shared->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    g_warning ("Could not wake a session's thread: %s", g_strerror (errno));
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;

  g_mutex_clear (&shared->lock);
  g_cond_clear (&shared->cond);
  close (shared->wake_fd);
  g_main_context_unref (shared->main_context);
  g_weak_ref_clear (&shared->session);
  g_free (shared->host);
  g_free (shared->serial);
  g_free (shared->username);
  /* the access code: overwrite before freeing */
  if (shared->password != NULL)
    memset (shared->password, 0, strlen (shared->password));
  g_free (shared->password);
  g_free (shared->pinned);
  g_free (shared->presented_fingerprint);
  g_free (shared->report_topic);
  g_free (shared->request_topic);
  g_free (shared);
}

static void
event_free (Event *event)
{
  g_clear_pointer (&event->shared, shared_unref);
  g_free (event->topic);
  g_clear_pointer (&event->payload, g_bytes_unref);
  g_clear_pointer (&event->report, json_node_unref);
  g_clear_pointer (&event->warnings, g_ptr_array_unref);
  g_clear_error (&event->error);
  g_free (event->fingerprint);
  g_free (event);
}

static Event *
event_new (EventKind kind)
{
  Event *event = g_new0 (Event, 1);

  event->kind = kind;
  return event;
}

static char *
next_sequence_id (Shared *shared)
{
  return g_strdup_printf ("%d", g_atomic_int_add (&shared->sequence, 1) + 1);
}

/* Worker thread -------------------------------------------------------------*/

static void
post_outgoing (Shared     *shared,
               const char *topic,
               const char *payload)
{
  Event *event = event_new (EVENT_MESSAGE);

  event->direction = PD_MESSAGE_OUTGOING;
  event->topic = g_strdup (topic);
  event->payload = g_bytes_new (payload, strlen (payload));
  session_post (shared, event);
}

/* Publishes {"FAMILY":{"sequence_id":"N","command":"COMMAND"}} at QoS 1. */
static void
publish_simple (Shared           *shared,
                struct mosquitto *mosq,
                const char       *family,
                const char       *command)
{
  g_autofree char *sequence_id = next_sequence_id (shared);
  g_autofree char *payload = g_strdup_printf ("{\"%s\":{\"sequence_id\":\"%s\",\"command\":\"%s\"}}",
                                              family, sequence_id, command);

  mosquitto_publish (mosq, NULL, shared->request_topic, (int) strlen (payload), payload, 1, false);
  post_outgoing (shared, shared->request_topic, payload);
}

static void
on_connect (struct mosquitto *mosq,
            void             *data,
            int               rc)
{
  Shared *shared = data;
  Event  *event = event_new (EVENT_CONNACK);

  g_mutex_lock (&shared->lock);
  shared->connack_rc = rc;
  shared->connacked = rc == 0;
  g_mutex_unlock (&shared->lock);

  event->mid = rc;
  session_post (shared, event);

  if (rc != 0)
    return;

  /* Only the report topic: subscribing to the request topic makes some
   * P1S/A1 brokers drop the connection.
   */
  mosquitto_subscribe (mosq, NULL, shared->report_topic, 0);
  publish_simple (shared, mosq, "pushing", "pushall");
  publish_simple (shared, mosq, "info", "get_version");
}

static void
on_message (struct mosquitto                *mosq,
            void                            *data,
            const struct mosquitto_message *message)
{
  Shared *shared = data;
  Event  *event = event_new (EVENT_MESSAGE);

  g_atomic_int_set (&shared->received, TRUE);

  event->direction = PD_MESSAGE_INCOMING;
  event->topic = g_strdup (message->topic);
  event->payload = g_bytes_new (message->payload, message->payloadlen > 0 ? message->payloadlen : 0);
  event->warnings = g_ptr_array_new_with_free_func (g_free);
  /* The expensive part, here rather than on the main thread. */
  event->report = pd_report_parse (g_bytes_get_data (event->payload, NULL),
                                   (gssize) g_bytes_get_size (event->payload),
                                   event->warnings, &event->error);
  session_post (shared, event);
}

static void
on_publish (struct mosquitto *mosq,
            void             *data,
            int               mid)
{
  Shared *shared = data;
  Event  *event = event_new (EVENT_PUBLISHED);

  event->mid = mid;
  session_post (shared, event);
}

static GBytes *
x509_to_der (X509 *cert)
{
  unsigned char *der = NULL;
  int            len = i2d_X509 (cert, &der);
  GBytes        *bytes;

  if (len <= 0)
    return NULL;

  bytes = g_bytes_new (der, len);
  OPENSSL_free (der);
  return bytes;
}

/* OpenSSL asks us, instead of its own chain check, whether to trust the
 * printer: pd-cert-policy decides, so TLS stays strict without hostnames.
 */
static int
verify_certificate (X509_STORE_CTX *store_ctx,
                    void           *data)
{
  Shared               *shared = data;
  g_autoptr (GBytes)    leaf = NULL;
  g_autoptr (GPtrArray) chain = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autofree char      *serial = NULL;
  g_autofree char      *pinned = NULL;
  g_autofree char      *fingerprint = NULL;
  g_autofree char      *subject = NULL;
  STACK_OF (X509)      *untrusted;
  PdCertVerdict         verdict;
  guint                 epoch;
  gboolean              stale;

  leaf = x509_to_der (X509_STORE_CTX_get0_cert (store_ctx));
  if (leaf == NULL)
    return 0;

  untrusted = X509_STORE_CTX_get0_untrusted (store_ctx);
  for (int i = 0; untrusted != NULL && i < sk_X509_num (untrusted); i++)
    {
      GBytes *der = x509_to_der (sk_X509_value (untrusted, i));

      if (der != NULL)
        g_ptr_array_add (chain, der);
    }

  g_mutex_lock (&shared->lock);
  serial = g_strdup (shared->serial);
  pinned = g_strdup (shared->pinned);
  epoch = shared->pin_epoch;
  stale = shared->attempt_epoch != epoch;
  /* This attempt went to a host or port read before the settings changed:
   * its certificate is not to be judged against the new pin (an empty pin
   * would make the old peer's certificate a first-use pin for the new
   * place). Refuse it and start over with the settings as they are now.
   */
  if (stale)
    shared->rebuild = TRUE;
  g_mutex_unlock (&shared->lock);

  if (stale)
    {
      g_debug ("%s: a handshake from before the settings changed; starting over", serial);
      X509_STORE_CTX_set_error (store_ctx, X509_V_ERR_CERT_REJECTED);
      return 0;
    }

  verdict = pd_cert_policy_check (leaf, chain, serial, pinned, &fingerprint, &subject);
  g_debug ("%s: certificate %s (CN %s): verdict %d", serial, fingerprint, subject, verdict);

  g_mutex_lock (&shared->lock);
  shared->tls_verdict = verdict;
  g_free (shared->presented_fingerprint);
  shared->presented_fingerprint = g_strdup (fingerprint);
  /* A pin for a host or bridge the main thread has since left is not kept. */
  if (verdict == PD_CERT_FIRST_USE && epoch == shared->pin_epoch)
    {
      g_free (shared->pinned);
      shared->pinned = g_strdup (fingerprint);
    }
  g_mutex_unlock (&shared->lock);

  if (verdict == PD_CERT_FIRST_USE)
    {
      Event *event = event_new (EVENT_PINNED);

      event->fingerprint = g_strdup (fingerprint);
      event->pin_epoch = epoch;
      session_post (shared, event);
    }

  if (!pd_cert_verdict_is_accepted (verdict))
    {
      X509_STORE_CTX_set_error (store_ctx, X509_V_ERR_CERT_REJECTED);
      return 0;
    }

  return 1;
}

static SSL_CTX *
create_ssl_context (Shared *shared)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());

  /* Printers speak TLS 1.2 only (X1C, H2D measured by peers). */
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
  SSL_CTX_set_cert_verify_callback (ctx, verify_certificate, shared);

  return ctx;
}

static PdSessionReason
reason_for_failure (Shared  *shared,
                    int      rc,
                    int      saved_errno,
                    char   **detail)
{
  gboolean connacked;
  int      connack_rc;
  int      verdict;

  g_mutex_lock (&shared->lock);
  connacked = shared->connacked;
  connack_rc = shared->connack_rc;
  verdict = shared->tls_verdict;
  g_mutex_unlock (&shared->lock);

  if (connacked)
    return PD_SESSION_REASON_CONNECTION_LOST;

  if (verdict == PD_CERT_CHANGED)
    return PD_SESSION_REASON_CERTIFICATE_CHANGED;
  if (verdict == PD_CERT_WRONG_SERIAL)
    return PD_SESSION_REASON_WRONG_PRINTER;
  if (verdict == PD_CERT_INVALID)
    return PD_SESSION_REASON_TLS_FAILED;

  /* CONNACK 4 bad user name or password, 5 not authorised */
  if (connack_rc == 4 || connack_rc == 5)
    return PD_SESSION_REASON_WRONG_ACCESS_CODE;
  if (connack_rc > 0)
    return PD_SESSION_REASON_REFUSED;

  switch (rc)
    {
    case MOSQ_ERR_TLS:
    case MOSQ_ERR_TLS_HANDSHAKE:
      return PD_SESSION_REASON_TLS_FAILED;
    case MOSQ_ERR_CONN_REFUSED:
      return PD_SESSION_REASON_REFUSED;
    case MOSQ_ERR_EAI:
    case MOSQ_ERR_NO_CONN:
      return PD_SESSION_REASON_UNREACHABLE;
    case MOSQ_ERR_ERRNO:
      *detail = g_strdup (g_strerror (saved_errno));
      return saved_errno == ECONNRESET || saved_errno == EPIPE ? PD_SESSION_REASON_REFUSED
                                                             : PD_SESSION_REASON_UNREACHABLE;
    case MOSQ_ERR_CONN_LOST:
      /* closed during the handshake: a TLS listener that did not like us, or
       * a printer at its client limit
       */
      return verdict >= 0 ? PD_SESSION_REASON_REFUSED : PD_SESSION_REASON_TLS_FAILED;
    default:
      return PD_SESSION_REASON_UNREACHABLE;
    }
}

/* libmosquitto 2.0.11 does not notice a refused TCP connect when TLS is on:
 * mosquitto_loop() keeps returning success on the dead socket. A socket
 * that hung up without ever having been connected tells us.
 */
static gboolean
connect_failed (struct mosquitto *mosq)
{
  struct pollfd           pfd = { mosquitto_socket (mosq), POLLOUT, 0 };
  struct sockaddr_storage peer;
  socklen_t               len = sizeof peer;

  if (pfd.fd < 0 || poll (&pfd, 1, 0) <= 0 || (pfd.revents & (POLLHUP | POLLERR)) == 0)
    return FALSE;

  return getpeername (pfd.fd, (struct sockaddr *) &peer, &len) != 0 && errno == ENOTCONN;
}

/* Connected: one turn of the worker's loop. Sleeps until the printer sends,
 * the socket can take what is queued, the main thread wakes us, or a second
 * has passed; then reads, writes and keeps the connection alive.
 */
static int
run_connected (Shared           *shared,
               struct mosquitto *mosq)
{
  struct pollfd fds[2] = {
    { mosquitto_socket (mosq), POLLIN, 0 },
    { shared->wake_fd, POLLIN, 0 },
  };
  int           rc;

  if (fds[0].fd < 0)
    return MOSQ_ERR_NO_CONN;
  if (mosquitto_want_write (mosq))
    fds[0].events |= POLLOUT;

  if (poll (fds, G_N_ELEMENTS (fds), IDLE_TIMEOUT_MS) < 0 && errno != EINTR)
    return MOSQ_ERR_ERRNO;

  if (fds[1].revents & POLLIN)
    {
      guint64 count;

      if (read (shared->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
        g_debug ("wake fd: %s", g_strerror (errno));
    }

  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    {
      rc = mosquitto_loop_read (mosq, 1);
      if (rc != MOSQ_ERR_SUCCESS)
        return rc;
    }

  /* what we were woken for, acknowledgements of what was just read */
  if (mosquitto_want_write (mosq))
    {
      rc = mosquitto_loop_write (mosq, 1);
      if (rc != MOSQ_ERR_SUCCESS)
        return rc;
    }

  return mosquitto_loop_misc (mosq);
}

/* One connection, from connect to its end. Returns why it ended, or
 * PD_SESSION_REASON_NONE when it was asked to (stop or rebuild).
 */
static PdSessionReason
run_connection (Shared   *shared,
                gboolean *received)
{
  g_autofree char  *host = NULL;
  g_autofree char  *detail = NULL;
  g_autofree char  *client_id = NULL;
  struct mosquitto *mosq;
  SSL_CTX          *ctx = NULL;
  PdSessionReason   reason = PD_SESSION_REASON_NONE;
  gint64            deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_USEC;
  int               port;
  int               rc;
  static gint       counter;

  /* Unique per process and attempt: a second client with the same id
   * would make the printer drop the first.
   */
  client_id = g_strdup_printf ("printdeck-%d-%08x-%d", (int) getpid (), g_random_int (),
                               g_atomic_int_add (&counter, 1));
  mosq = mosquitto_new (client_id, true, shared);
  mosquitto_int_option (mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  /* libmosquitto must only queue what other threads publish; our loop writes. */
  mosquitto_threaded_set (mosq, true);
  /* Bambu brokers mismatch PUBACKs under load; a small window wedges (#1164). */
  mosquitto_int_option (mosq, MOSQ_OPT_SEND_MAXIMUM, 1000);
  mosquitto_connect_callback_set (mosq, on_connect);
  mosquitto_message_callback_set (mosq, on_message);
  mosquitto_publish_callback_set (mosq, on_publish);

  g_mutex_lock (&shared->lock);
  host = g_strdup (shared->host);
  port = shared->port;
  shared->attempt_epoch = shared->pin_epoch;
  mosquitto_username_pw_set (mosq, shared->username, shared->password);
  if (shared->use_tls)
    {
      ctx = create_ssl_context (shared);
      mosquitto_void_option (mosq, MOSQ_OPT_SSL_CTX, ctx);
      /* Our context as it is: with the library's defaults it would want a
       * CA file and do its own checks.
       */
      mosquitto_int_option (mosq, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0);
      /* The certificate names the serial, not the address: pd-cert-policy
       * checks that instead of the host name.
       */
      mosquitto_tls_insecure_set (mosq, true);
    }
  shared->mosq = mosq;
  shared->connacked = FALSE;
  shared->connack_rc = -1;
  shared->tls_verdict = -1;
  g_mutex_unlock (&shared->lock);

  rc = mosquitto_connect_async (mosq, host, port, KEEPALIVE_SECONDS);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      int saved_errno = errno;

      gboolean rebuild;

      g_debug ("%s:%d: connect: %s", host, port, rc == MOSQ_ERR_ERRNO ? g_strerror (saved_errno) : mosquitto_strerror (rc));
      g_mutex_lock (&shared->lock);
      rebuild = shared->rebuild;
      g_mutex_unlock (&shared->lock);
      /* refused for being stale: not the printer's fault */
      if (!rebuild)
        reason = reason_for_failure (shared, rc, saved_errno, &detail);
    }

  while (reason == PD_SESSION_REASON_NONE)
    {
      gboolean stop, rebuild, connacked;

      g_mutex_lock (&shared->lock);
      connacked = shared->connacked;
      g_mutex_unlock (&shared->lock);

      if (connacked)
        rc = run_connected (shared, mosq);
      else
        rc = mosquitto_loop (mosq, LOOP_TIMEOUT_MS, 1);

      g_mutex_lock (&shared->lock);
      stop = shared->stop;
      rebuild = shared->rebuild;
      connacked = shared->connacked;
      g_mutex_unlock (&shared->lock);

      if (stop || rebuild)
        break;
      if (rc != MOSQ_ERR_SUCCESS)
        {
          int saved_errno = errno;

          g_debug ("%s:%d: %s", host, port, rc == MOSQ_ERR_ERRNO ? g_strerror (saved_errno) : mosquitto_strerror (rc));
          reason = reason_for_failure (shared, rc, saved_errno, &detail);
        }
      else if (!connacked && connect_failed (mosq))
        reason = PD_SESSION_REASON_UNREACHABLE;
      else if (!connacked && g_get_monotonic_time () > deadline)
        reason = PD_SESSION_REASON_UNREACHABLE;
    }

  *received = g_atomic_int_get (&shared->received);
  if (detail != NULL)
    g_debug ("connection to %s:%d ended: %s", host, port, detail);

  g_mutex_lock (&shared->lock);
  shared->mosq = NULL;
  shared->connacked = FALSE;
  g_mutex_unlock (&shared->lock);

  /* A clean DISCONNECT, so the printer frees our slot at once (printers
   * accept very few clients and release stale ones only after hours).
   */
  if (reason == PD_SESSION_REASON_NONE || reason == PD_SESSION_REASON_CONNECTION_LOST)
    {
      mosquitto_disconnect (mosq);
      for (int i = 0; i < 3 && mosquitto_want_write (mosq); i++)
        mosquitto_loop_write (mosq, 1);
    }
  mosquitto_destroy (mosq);
  if (ctx != NULL)
    SSL_CTX_free (ctx);

  return reason;
}

static double
backoff_seconds (guint failures)
{
  double delay = BACKOFF_MIN_SECONDS;

  for (guint i = 1; i < failures && delay < BACKOFF_MAX_SECONDS; i++)
    delay *= 2;
  delay = MIN (delay, BACKOFF_MAX_SECONDS);

  /* ±25 %, so that many printers that went away together (a switch
   * rebooting) do not all come back in the same second.
   */
  delay *= g_random_double_range (0.75, 1.25);

  return CLAMP (delay, BACKOFF_MIN_SECONDS, BACKOFF_MAX_SECONDS);
}

static gpointer
session_thread (gpointer data)
{
  Shared *shared = data;
  guint   failures = 0;

  for (;;)
    {
      PdSessionReason reason;
      gboolean        received = FALSE;
      gboolean        rebuilt;
      Event          *event;
      gint64          until;

      g_mutex_lock (&shared->lock);
      if (shared->stop)
        {
          g_mutex_unlock (&shared->lock);
          break;
        }
      shared->rebuild = FALSE;
      shared->wake = FALSE;
      g_mutex_unlock (&shared->lock);

      session_post (shared, event_new (EVENT_ATTEMPT));
      g_atomic_int_set (&shared->received, FALSE);
      reason = run_connection (shared, &received);

      g_mutex_lock (&shared->lock);
      rebuilt = shared->rebuild;
      if (shared->stop)
        {
          g_mutex_unlock (&shared->lock);
          break;
        }
      g_mutex_unlock (&shared->lock);

      event = event_new (EVENT_ENDED);
      event->reason = reason;
      session_post (shared, event);

      /* A session that delivered reports starts the backoff afresh. */
      failures = received ? 0 : failures + 1;
      until = g_get_monotonic_time ();
      if (!rebuilt)
        until += (gint64) (backoff_seconds (MAX (failures, 1)) * G_USEC_PER_SEC);

      g_mutex_lock (&shared->lock);
      while (!shared->stop && !shared->wake && !shared->rebuild && g_get_monotonic_time () < until)
        g_cond_wait_until (&shared->cond, &shared->lock, until);
      g_mutex_unlock (&shared->lock);
    }

  shared_unref (shared);
  return NULL;
}

/* Main thread ---------------------------------------------------------------*/

static void     set_connection     (PdSession *self, PdConnection connection, PdSessionReason reason);
static gboolean on_command_timeout (gpointer data);
static void handle_message (PdSession *self, Event *event);
static void fail_pending (PdSession *self, const char *message);

/* PdSession:fingerprint follows the certificate of the last handshake. */
static void
take_presented_fingerprint (PdSession *self)
{
  g_autofree char *fingerprint = NULL;

  g_mutex_lock (&self->shared->lock);
  fingerprint = g_strdup (self->shared->presented_fingerprint);
  g_mutex_unlock (&self->shared->lock);
  if (g_strcmp0 (fingerprint, self->fingerprint) == 0)
    return;
  g_free (self->fingerprint);
  self->fingerprint = g_steal_pointer (&fingerprint);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FINGERPRINT]);
}

static gboolean
dispatch_event (gpointer data)
{
  Event                *event = data;
  g_autoptr (PdSession) self = g_weak_ref_get (&event->shared->session);

  if (self == NULL || self->shared != event->shared)
    return G_SOURCE_REMOVE;

  switch (event->kind)
    {
    case EVENT_ATTEMPT:
      self->n_attempts++;
      self->receiving = FALSE;
      self->connacked_at = 0;
      self->probed_at = 0;
      set_connection (self, PD_CONNECTION_CONNECTING, self->reason);
      break;

    case EVENT_CONNACK:
      if (event->mid == 0)
        self->connacked_at = g_get_monotonic_time ();
      take_presented_fingerprint (self);
      break;

    case EVENT_MESSAGE:
      handle_message (self, event);
      break;

    case EVENT_PUBLISHED:
      for (GList *l = self->pending; l != NULL; l = l->next)
        {
          PendingCommand *pending = l->data;

          /* The broker has it: give the printer a moment to answer. */
          if (pending->mid == event->mid && !pending->published)
            {
              pending->published = TRUE;
              g_clear_handle_id (&pending->timeout_id, g_source_remove);
              pending->timeout_id = g_timeout_add_seconds (REPLY_GRACE_SECONDS, on_command_timeout, pending);
            }
        }
      break;

    case EVENT_ENDED:
      {
        take_presented_fingerprint (self);

        /* A rebuild asked by the main thread keeps the reason it gave. */
        if (event->reason != PD_SESSION_REASON_NONE)
          set_connection (self, PD_CONNECTION_DISCONNECTED, event->reason);
        fail_pending (self, pd_session_reason_to_label (event->reason != PD_SESSION_REASON_NONE
                                                                      ? event->reason
                                                                      : PD_SESSION_REASON_CONNECTION_LOST));
      }
      break;

    case EVENT_PINNED:
      {
        gboolean current;

        /* The pin and the host or bridge may have changed since the worker
         * pinned: its certificate is not the new place's. */
        g_mutex_lock (&self->shared->lock);
        current = event->pin_epoch == self->shared->pin_epoch;
        g_mutex_unlock (&self->shared->lock);
        if (!current)
          {
            g_debug ("%s: a pin from before the settings changed; ignored", pd_printer_get_serial (self->printer));
            break;
          }
        g_message ("%s: pinned the certificate %s on first use",
                   pd_printer_get_serial (self->printer), event->fingerprint);
        pd_session_set_pinned_fingerprint (self, event->fingerprint);
      }
      break;

    default:
      break;
    }

  return G_SOURCE_REMOVE;
}

/* Always a source on the session's context, never g_main_context_invoke():
 * that runs the function right here, on the worker thread, whenever no
 * thread happens to own the context at that moment.
 */
static void
session_post (Shared *shared,
              Event  *event)
{
  GSource *source = g_idle_source_new ();

  event->shared = shared_ref (shared);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_event, event, (GDestroyNotify) event_free);
  g_source_set_static_name (source, "[printdeck] session event");
  g_source_attach (source, shared->main_context);
  g_source_unref (source);
}

static void
set_connection (PdSession       *self,
                PdConnection     connection,
                PdSessionReason  reason)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->reason != reason)
    {
      self->reason = reason;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
    }
  if (self->connection != connection)
    {
      self->connection = connection;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  pd_printer_set_connection_reason (self->printer, reason);
  pd_printer_set_connection (self->printer, connection);
}

/* Commands ------------------------------------------------------------------*/

static void
pending_free (PendingCommand *pending)
{
  g_clear_handle_id (&pending->timeout_id, g_source_remove);
  g_clear_object (&pending->task);
  g_free (pending->sequence_id);
  g_free (pending);
}

static void
pending_remove (PdSession      *self,
                PendingCommand *pending)
{
  self->pending = g_list_remove (self->pending, pending);
  pending_free (pending);
}

static void
fail_pending (PdSession  *self,
              const char *message)
{
  GList *pending = g_steal_pointer (&self->pending);

  for (GList *l = pending; l != NULL; l = l->next)
    {
      PendingCommand *command = l->data;

      g_task_return_new_error (command->task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "%s", message);
      pending_free (command);
    }
  g_list_free (pending);
}

static gboolean
on_command_timeout (gpointer data)
{
  PendingCommand *pending = data;
  PdSession      *self = g_task_get_source_object (pending->task);

  pending->timeout_id = 0;
  /* Confirmed by the broker but not answered: printers do not answer every
   * command, so that is success.
   */
  if (pending->published)
    g_task_return_pointer (pending->task, NULL, NULL);
  else
    g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                             _("The printer did not confirm the command."));
  pending_remove (self, pending);

  return G_SOURCE_REMOVE;
}

/* A reply echoes the command's sequence_id, with result "success" or
 * "failed" and sometimes a reason ("verify failed": developer mode off).
 */
static void
match_reply (PdSession *self,
             JsonNode  *report)
{
  JsonObject *root;
  g_autoptr (GList) families = NULL;

  if (self->pending == NULL || !JSON_NODE_HOLDS_OBJECT (report))
    return;

  root = json_node_get_object (report);
  families = json_object_get_members (root);
  for (const GList *f = families; f != NULL; f = f->next)
    {
      JsonNode   *family = json_object_get_member (root, f->data);
      JsonObject *obj;
      const char *sequence_id, *result;

      if (!JSON_NODE_HOLDS_OBJECT (family))
        continue;
      obj = json_node_get_object (family);
      sequence_id = json_object_get_string_member_with_default (obj, "sequence_id", NULL);
      result = json_object_get_string_member_with_default (obj, "result", NULL);
      if (sequence_id == NULL || result == NULL)
        continue;

      for (GList *l = self->pending; l != NULL; l = l->next)
        {
          PendingCommand *pending = l->data;

          if (!g_str_equal (pending->sequence_id, sequence_id))
            continue;

          if (g_ascii_strcasecmp (result, "success") == 0)
            g_task_return_pointer (pending->task, json_node_ref (report), (GDestroyNotify) json_node_unref);
          else
            {
              const char *why = json_object_get_string_member_with_default (obj, "reason", NULL);

              if (why != NULL && *why != '\0')
                g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                         _("The printer refused the command: %s"), why);
              else
                g_task_return_new_error (pending->task, G_IO_ERROR, G_IO_ERROR_FAILED,
                                         _("The printer refused the command."));
            }
          pending_remove (self, pending);
          break;
        }
    }
}

/* Publishes @payload on the request topic at QoS 1; returns the message id,
 * or -1 when not connected.
 */
static int
publish_request (PdSession  *self,
                 const char *payload)
{
  Shared *shared = self->shared;
  int     mid = -1;
  int     rc = MOSQ_ERR_NO_CONN;

  if (shared == NULL)
    return -1;

  g_mutex_lock (&shared->lock);
  if (shared->mosq != NULL && shared->connacked)
    rc = mosquitto_publish (shared->mosq, &mid, shared->request_topic, (int) strlen (payload), payload, 1, false);
  /* queued: the worker writes it */
  if (rc == MOSQ_ERR_SUCCESS)
    shared_wake_worker (shared);
  g_mutex_unlock (&shared->lock);

  if (rc != MOSQ_ERR_SUCCESS)
    return -1;

  {
    g_autoptr (GBytes) bytes = g_bytes_new (payload, strlen (payload));
    g_autofree char   *topic = NULL;

    g_mutex_lock (&shared->lock);
    topic = g_strdup (shared->request_topic);
    g_mutex_unlock (&shared->lock);
    g_signal_emit (self, signals[MESSAGE], 0, PD_MESSAGE_OUTGOING, topic, bytes);
  }

  return mid;
}

/* Messages ------------------------------------------------------------------*/

static void
report_rejected (PdSession  *self,
                 const char *message)
{
  gint64 now = g_get_monotonic_time ();

  g_signal_emit (self, signals[REPORT_REJECTED], 0, message);

  /* A printer that sends garbage every second must not flood the log. */
  if (now - self->last_rejected_log > 60 * G_USEC_PER_SEC)
    {
      g_message ("%s: a report was rejected: %s", pd_printer_get_serial (self->printer), message);
      self->last_rejected_log = now;
    }
}

static void
handle_message (PdSession *self,
                Event     *event)
{
  g_autoptr (GError) error = NULL;

  g_signal_emit (self, signals[MESSAGE], 0, event->direction, event->topic, event->payload);

  if (event->direction != PD_MESSAGE_INCOMING || g_strcmp0 (event->topic, self->report_topic) != 0)
    return;

  self->last_message_at = g_get_monotonic_time ();

  if (event->report == NULL)
    {
      report_rejected (self, event->error->message);
      return;
    }

  match_reply (self, event->report);

  if (!pd_printer_apply_report (self->printer, event->report, g_get_real_time (), NULL, event->warnings, &error))
    {
      report_rejected (self, error->message);
      return;
    }

  for (guint i = 0; i < event->warnings->len; i++)
    g_debug ("%s: %s", pd_printer_get_serial (self->printer), (char *) g_ptr_array_index (event->warnings, i));

  if (!self->receiving)
    {
      self->receiving = TRUE;
      set_connection (self, PD_CONNECTION_CONNECTED, PD_SESSION_REASON_NONE);
    }
}

/* Liveness ------------------------------------------------------------------*/

static void
request_rebuild (PdSession *self)
{
  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->lock);
  self->shared->rebuild = TRUE;
  /* The next attempt trusts what the main thread knows, not a first-use pin
   * the worker took for a place it has since been moved from. */
  if (g_strcmp0 (self->shared->pinned, self->pinned_fingerprint) != 0)
    {
      g_free (self->shared->pinned);
      self->shared->pinned = g_strdup (self->pinned_fingerprint);
    }
  shared_wake_worker (self->shared);
  g_mutex_unlock (&self->shared->lock);
}

static void
wake_thread (PdSession *self)
{
  if (self->shared == NULL)
    return;

  g_mutex_lock (&self->shared->lock);
  self->shared->wake = TRUE;
  shared_wake_worker (self->shared);
  g_mutex_unlock (&self->shared->lock);
}

static void
on_tick (PdSession *self)
{
  gint64 now = g_get_monotonic_time ();
  gint64 stale = (gint64) self->stale_timeout * G_USEC_PER_SEC;
  gint64 last;

  if (self->connacked_at == 0)
    return;

  last = MAX (self->last_message_at, self->connacked_at);

  /* Accepted, subscribed, asked for everything, and nothing came back: most
   * likely the serial names no printer here (topics are case-sensitive).
   */
  if (!self->receiving && now - self->connacked_at > MIN (NO_REPORTS_USEC, stale / 2) &&
      self->reason != PD_SESSION_REASON_NO_REPORTS)
    set_connection (self, PD_CONNECTION_CONNECTING, PD_SESSION_REASON_NO_REPORTS);

  /* Idle P1/A1 printers can be quiet for a while: ask for the version (cheap,
   * unlike pushall, which a P1P should get at most every few minutes) before
   * calling the printer silent.
   */
  if (self->receiving && now - last > stale / 2 && self->probed_at < last)
    {
      g_autofree char *sequence_id = next_sequence_id (self->shared);
      g_autofree char *probe = g_strdup_printf ("{\"info\":{\"sequence_id\":\"%s\",\"command\":\"get_version\"}}",
                                                sequence_id);

      self->probed_at = now;
      publish_request (self, probe);
    }

  if (now - last > stale)
    {
      g_message ("%s: nothing heard for %u s; starting a new session",
                 pd_printer_get_serial (self->printer), self->stale_timeout);
      self->connacked_at = 0;
      set_connection (self, PD_CONNECTION_DISCONNECTED,
                      self->receiving ? PD_SESSION_REASON_NOT_RESPONDING : PD_SESSION_REASON_NO_REPORTS);
      request_rebuild (self);
    }
}

/* The running sessions share one clock: one timer for a farm of 100
 * printers instead of one each (every source costs each main-loop
 * iteration its prepare and check, and there is an iteration per report).
 */
static GPtrArray *ticking_sessions;
static guint      ticking_id;

static gboolean
on_shared_tick (gpointer data)
{
  /* a tick may lead to a session being stopped or dropped */
  g_autoptr (GPtrArray) sessions = g_ptr_array_new_full (ticking_sessions->len, g_object_unref);

  for (guint i = 0; i < ticking_sessions->len; i++)
    g_ptr_array_add (sessions, g_object_ref (g_ptr_array_index (ticking_sessions, i)));
  for (guint i = 0; i < sessions->len; i++)
    {
      PdSession *self = g_ptr_array_index (sessions, i);

      if (self->ticking)
        on_tick (self);
    }

  return G_SOURCE_CONTINUE;
}

static void
start_ticking (PdSession *self)
{
  if (self->ticking)
    return;
  if (ticking_sessions == NULL)
    ticking_sessions = g_ptr_array_new ();
  g_ptr_array_add (ticking_sessions, self);
  self->ticking = TRUE;
  if (ticking_id == 0)
    {
      ticking_id = g_timeout_add_seconds (1, on_shared_tick, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, ticking_id), "[printdeck] sessions' clock");
    }
}

static void
stop_ticking (PdSession *self)
{
  if (!self->ticking)
    return;
  self->ticking = FALSE;
  g_ptr_array_remove_fast (ticking_sessions, self);
  if (ticking_sessions->len == 0)
    g_clear_handle_id (&ticking_id, g_source_remove);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    PdSession       *self)
{
  if (self->shared == NULL)
    return;

  if (available)
    {
      g_debug ("network available: reconnecting now");
      wake_thread (self);
    }
  else if (self->connection != PD_CONNECTION_CONNECTED)
    set_connection (self, self->connection, PD_SESSION_REASON_NO_NETWORK);
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender,
                      const char      *path,
                      const char      *interface,
                      const char      *signal,
                      GVariant        *parameters,
                      gpointer         data)
{
  PdSession *self = data;
  gboolean   sleeping = FALSE;

  g_variant_get (parameters, "(b)", &sleeping);
  /* After a suspend the TCP connection is most likely dead without anybody
   * having said so: start a fresh session at once.
   */
  if (!sleeping && self->shared != NULL)
    {
      g_debug ("resumed from suspend: new session");
      self->connacked_at = 0;
      request_rebuild (self);
    }
}

static void
on_system_bus (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  PdSession          *self = data;
  g_autoptr (GError) error = NULL;
  GDBusConnection   *bus = g_bus_get_finish (result, &error);

  /* cancelled in dispose: @self may be gone */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bus == NULL)
    {
      /* No system bus (a container, a test): no suspend notices, that is all. */
      g_debug ("no system bus: %s", error->message);
      return;
    }

  self->system_bus = bus;
  self->sleep_subscription =
    g_dbus_connection_signal_subscribe (bus, "org.freedesktop.login1", "org.freedesktop.login1.Manager",
                                        "PrepareForSleep", "/org/freedesktop/login1", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep, self, NULL);
}

/* GObject -------------------------------------------------------------------*/

static void
pd_session_dispose (GObject *object)
{
  PdSession *self = PD_SESSION (object);

  pd_session_stop (self);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->system_bus != NULL && self->sleep_subscription != 0)
    g_dbus_connection_signal_unsubscribe (self->system_bus, self->sleep_subscription);
  self->sleep_subscription = 0;
  g_clear_object (&self->system_bus);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->network_monitor, self);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->printer);

  G_OBJECT_CLASS (pd_session_parent_class)->dispose (object);
}

static void
pd_session_finalize (GObject *object)
{
  PdSession *self = PD_SESSION (object);

  g_clear_pointer (&self->shared, shared_unref);
  g_free (self->host);
  g_free (self->pinned_fingerprint);
  g_free (self->fingerprint);
  g_free (self->report_topic);

  G_OBJECT_CLASS (pd_session_parent_class)->finalize (object);
}

static void
pd_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PdSession *self = PD_SESSION (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      g_value_set_object (value, self->printer);
      break;

    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;

    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;

    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned_fingerprint);
      break;

    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;

    case PROP_CONNECTION:
      g_value_set_enum (value, self->connection);
      break;

    case PROP_REASON:
      g_value_set_enum (value, self->reason);
      break;

    case PROP_STALE_TIMEOUT:
      g_value_set_uint (value, self->stale_timeout);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PdSession *self = PD_SESSION (object);

  switch (prop_id)
    {
    case PROP_PRINTER:
      self->printer = g_value_dup_object (value);
      break;

    case PROP_HOST:
      pd_session_set_host (self, g_value_get_string (value));
      break;

    case PROP_PORT:
      pd_session_set_port (self, g_value_get_uint (value));
      break;

    case PROP_ACCESS_CODE:
      pd_session_set_access_code (self, g_value_get_string (value));
      break;

    case PROP_PINNED_FINGERPRINT:
      pd_session_set_pinned_fingerprint (self, g_value_get_string (value));
      break;

    case PROP_STALE_TIMEOUT:
      pd_session_set_stale_timeout (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_session_constructed (GObject *object)
{
  PdSession *self = PD_SESSION (object);

  G_OBJECT_CLASS (pd_session_parent_class)->constructed (object);

  g_assert (self->printer != NULL);

  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, self);
}

static void
pd_session_class_init (PdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  /* libmosquitto writes TLS records with write(2), not send() with
   * MSG_NOSIGNAL: a printer that drops the connection would otherwise kill
   * the whole process with SIGPIPE at the next write. EPIPE is handled.
   */
  signal (SIGPIPE, SIG_IGN);

  object_class->dispose = pd_session_dispose;
  object_class->finalize = pd_session_finalize;
  object_class->get_property = pd_session_get_property;
  object_class->set_property = pd_session_set_property;
  object_class->constructed = pd_session_constructed;

  /* Once per process; never cleaned up (other sessions may still run). */
  mosquitto_lib_init ();

  properties[PROP_PRINTER] =
    g_param_spec_object ("printer", NULL, NULL, PD_TYPE_PRINTER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] = g_param_spec_string ("host", NULL, NULL, NULL, rw);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 1, 65535, PD_SESSION_DEFAULT_PORT, rw);
  /**
   * PdSession:access-code:
   *
   * The printer's LAN access code (the MQTT password). Write-only: it is
   * never read back, logged or shown.
   */
  properties[PROP_ACCESS_CODE] =
    g_param_spec_string ("access-code", NULL, NULL, NULL, G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  /**
   * PdSession:pinned-fingerprint:
   *
   * The SHA-256 fingerprint the printer's certificate must have when it
   * cannot be verified against Bambu's CAs. Set by the session on first use.
   */
  properties[PROP_PINNED_FINGERPRINT] = g_param_spec_string ("pinned-fingerprint", NULL, NULL, NULL, rw);
  /**
   * PdSession:fingerprint:
   *
   * The fingerprint of the certificate the printer presented last.
   */
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, ro);
  properties[PROP_CONNECTION] =
    g_param_spec_enum ("connection", NULL, NULL, PD_TYPE_CONNECTION, PD_CONNECTION_DISCONNECTED, ro);
  /**
   * PdSession:reason:
   *
   * Why the session is not receiving reports (pd_session_reason_to_label()).
   */
  properties[PROP_REASON] =
    g_param_spec_enum ("reason", NULL, NULL, PD_TYPE_SESSION_REASON, PD_SESSION_REASON_STOPPED, ro);
  /**
   * PdSession:stale-timeout:
   *
   * Seconds of silence after which the printer is shown as not responding
   * and the session is rebuilt.
   */
  properties[PROP_STALE_TIMEOUT] = g_param_spec_uint ("stale-timeout", NULL, NULL, 2, 3600, 60, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PdSession::message:
   * @self: the session
   * @direction: incoming report or outgoing command
   * @topic: the MQTT topic
   * @payload: the bytes as sent
   *
   * Every message in and out, for the debug log.
   */
  signals[MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, PD_TYPE_MESSAGE_DIRECTION, G_TYPE_STRING, G_TYPE_BYTES);

  /**
   * PdSession::report-rejected:
   * @self: the session
   * @message: why, for people
   *
   * A message on the report topic could not be read; the state is as before.
   */
  signals[REPORT_REJECTED] =
    g_signal_new ("report-rejected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pd_session_init (PdSession *self)
{
  self->port = PD_SESSION_DEFAULT_PORT;
  self->stale_timeout = 60;
  self->connection = PD_CONNECTION_DISCONNECTED;
  self->reason = PD_SESSION_REASON_STOPPED;
  self->cancellable = g_cancellable_new ();
  self->shared = shared_new (self);
}

/* Public API ----------------------------------------------------------------*/

/**
 * pd_session_new:
 * @printer: the printer to keep up to date
 * @host: (nullable): its address
 *
 * Returns: (transfer full): a session, not started yet
 */
PdSession *
pd_session_new (PdPrinter  *printer,
                const char *host)
{
  g_return_val_if_fail (PD_IS_PRINTER (printer), NULL);

  return g_object_new (PD_TYPE_SESSION, "printer", printer, "host", host, NULL);
}

PdPrinter *
pd_session_get_printer (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), NULL);

  return self->printer;
}

const char *
pd_session_get_host (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), NULL);

  return self->host;
}

static void
update_shared (PdSession  *self,
               char      **field,
               const char *value)
{
  g_mutex_lock (&self->shared->lock);
  if (field == &self->shared->password && *field != NULL)
    memset (*field, 0, strlen (*field));
  if (field != &self->shared->password && g_strcmp0 (*field, value) != 0)
    self->shared->pin_epoch++;
  g_free (*field);
  *field = g_strdup (value);
  g_mutex_unlock (&self->shared->lock);
}

void
pd_session_set_host (PdSession  *self,
                     const char *host)
{
  g_return_if_fail (PD_IS_SESSION (self));

  if (g_strcmp0 (self->host, host) == 0)
    return;

  g_free (self->host);
  self->host = g_strdup (host);
  update_shared (self, &self->shared->host, host);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
  pd_session_reconnect (self);
}

guint
pd_session_get_port (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), 0);

  return self->port;
}

void
pd_session_set_port (PdSession *self,
                     guint      port)
{
  g_return_if_fail (PD_IS_SESSION (self));
  g_return_if_fail (port > 0 && port < 65536);

  if (self->port == port)
    return;

  self->port = port;
  g_mutex_lock (&self->shared->lock);
  self->shared->port = (int) port;
  self->shared->pin_epoch++;
  g_mutex_unlock (&self->shared->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  pd_session_reconnect (self);
}

/**
 * pd_session_set_access_code:
 * @self: a session
 * @access_code: (nullable): the printer's LAN access code
 *
 * Reconnects with the new code if the session runs.
 */
void
pd_session_set_access_code (PdSession  *self,
                            const char *access_code)
{
  g_return_if_fail (PD_IS_SESSION (self));

  update_shared (self, &self->shared->password, access_code);
  pd_session_reconnect (self);
}

/**
 * pd_session_set_bridge:
 * @self: a session
 * @username: (nullable): the user name at the bridge, or %NULL for a printer ("bblp")
 * @password: (nullable): its password (for a printer: the access code)
 * @use_tls: whether the bridge speaks TLS
 *
 * Print farms bridge their printers into one broker (mosquitto, EMQX) so
 * that many desktops share one connection per printer. The session then
 * connects to the bridge's host and port and reads the same topics.
 */
void
pd_session_set_bridge (PdSession  *self,
                       const char *username,
                       const char *password,
                       gboolean    use_tls)
{
  g_return_if_fail (PD_IS_SESSION (self));

  update_shared (self, &self->shared->username, username != NULL ? username : "bblp");
  update_shared (self, &self->shared->password, password);
  g_mutex_lock (&self->shared->lock);
  self->shared->use_tls = use_tls;
  g_mutex_unlock (&self->shared->lock);
  pd_session_reconnect (self);
}

const char *
pd_session_get_pinned_fingerprint (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), NULL);

  return self->pinned_fingerprint;
}

/**
 * pd_session_set_pinned_fingerprint:
 * @self: a session
 * @fingerprint: (nullable): "AB:CD:…", or %NULL to pin the next certificate
 *   seen
 */
void
pd_session_set_pinned_fingerprint (PdSession  *self,
                                   const char *fingerprint)
{
  g_return_if_fail (PD_IS_SESSION (self));

  if (g_strcmp0 (self->pinned_fingerprint, fingerprint) == 0)
    return;

  g_free (self->pinned_fingerprint);
  self->pinned_fingerprint = g_strdup (fingerprint);
  update_shared (self, &self->shared->pinned, fingerprint);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PINNED_FINGERPRINT]);
}

const char *
pd_session_get_fingerprint (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), NULL);

  return self->fingerprint;
}

PdConnection
pd_session_get_connection (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), PD_CONNECTION_DISCONNECTED);

  return self->connection;
}

PdSessionReason
pd_session_get_reason (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), PD_SESSION_REASON_NONE);

  return self->reason;
}

guint
pd_session_get_stale_timeout (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), 0);

  return self->stale_timeout;
}

void
pd_session_set_stale_timeout (PdSession *self,
                              guint      seconds)
{
  g_return_if_fail (PD_IS_SESSION (self));
  g_return_if_fail (seconds >= 2);

  if (self->stale_timeout == seconds)
    return;

  self->stale_timeout = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STALE_TIMEOUT]);
}

/**
 * pd_session_get_n_attempts:
 * @self: a session
 *
 * Returns: how many connections were attempted since the session started
 */
guint
pd_session_get_n_attempts (PdSession *self)
{
  g_return_val_if_fail (PD_IS_SESSION (self), 0);

  return self->n_attempts;
}

/**
 * pd_session_start:
 * @self: a session
 *
 * Connects, and keeps connecting until pd_session_stop(). Nothing blocks:
 * the state is reported through #PdSession:connection and the printer.
 */
void
pd_session_start (PdSession *self)
{
  const char *serial;
  Shared     *shared;

  g_return_if_fail (PD_IS_SESSION (self));

  if (self->thread != NULL)
    return;

  serial = pd_printer_get_serial (self->printer);
  g_return_if_fail (serial != NULL && *serial != '\0');
  g_return_if_fail (self->host != NULL);

  /* A fresh shared state per run: events of a stopped run are dropped. */
  shared = self->shared;
  g_mutex_lock (&shared->lock);
  shared->stop = FALSE;
  shared->rebuild = FALSE;
  g_free (shared->serial);
  shared->serial = g_strdup (serial);
  g_free (shared->report_topic);
  shared->report_topic = g_strdup_printf ("device/%s/report", serial);
  g_free (shared->request_topic);
  shared->request_topic = g_strdup_printf ("device/%s/request", serial);
  g_mutex_unlock (&shared->lock);

  g_free (self->report_topic);
  self->report_topic = g_strdup_printf ("device/%s/report", serial);
  self->n_attempts = 0;
  set_connection (self, PD_CONNECTION_CONNECTING, PD_SESSION_REASON_NONE);
  self->thread = g_thread_new ("pd-session", session_thread, shared_ref (shared));
  start_ticking (self);
}

static Shared *
shared_copy_config (PdSession *self,
                    Shared    *old)
{
  Shared *shared = shared_new (self);

  g_mutex_lock (&old->lock);
  shared->host = g_strdup (old->host);
  shared->port = old->port;
  g_free (shared->username);
  shared->username = g_strdup (old->username);
  shared->password = g_strdup (old->password);
  shared->use_tls = old->use_tls;
  g_mutex_unlock (&old->lock);
  /* The pin as the main thread knows it, not the old worker's copy: that
   * one may hold a first-use pin from a handshake that raced a change of
   * address or pin (whose event is dropped with the old shared), and would
   * make the new connection refuse the new peer's certificate.
   */
  shared->pinned = g_strdup (self->pinned_fingerprint);

  return shared;
}

/**
 * pd_session_stop:
 * @self: a session
 *
 * Disconnects cleanly (the printer frees our client slot at once).
 */
void
pd_session_stop (PdSession *self)
{
  Shared *old;

  g_return_if_fail (PD_IS_SESSION (self));

  if (self->thread == NULL)
    return;

  old = self->shared;
  g_mutex_lock (&old->lock);
  old->stop = TRUE;
  shared_wake_worker (old);
  g_mutex_unlock (&old->lock);
  g_thread_join (g_steal_pointer (&self->thread));
  stop_ticking (self);

  self->shared = shared_copy_config (self, old);
  shared_unref (old);

  self->connacked_at = 0;
  self->receiving = FALSE;
  fail_pending (self, pd_session_reason_to_label (PD_SESSION_REASON_STOPPED));
  if (self->printer != NULL)
    set_connection (self, PD_CONNECTION_DISCONNECTED, PD_SESSION_REASON_STOPPED);
}

/**
 * pd_session_reconnect:
 * @self: a session
 *
 * Drops the current connection, if any, and connects again at once (after
 * a change of address or access code, or when the user asks).
 */
void
pd_session_reconnect (PdSession *self)
{
  g_return_if_fail (PD_IS_SESSION (self));

  if (self->thread == NULL)
    return;

  self->connacked_at = 0;
  request_rebuild (self);
}

/**
 * pd_session_accept_certificate:
 * @self: a session
 *
 * Pins the certificate the printer presented last (after
 * %PD_SESSION_REASON_CERTIFICATE_CHANGED, when the user trusts it) and
 * connects again.
 */
void
pd_session_accept_certificate (PdSession *self)
{
  g_autofree char *fingerprint = NULL;

  g_return_if_fail (PD_IS_SESSION (self));

  if (self->fingerprint == NULL)
    return;

  fingerprint = g_strdup (self->fingerprint);
  pd_session_set_pinned_fingerprint (self, fingerprint);
  pd_session_reconnect (self);
  wake_thread (self);
}

/**
 * pd_session_send_async:
 * @self: a session
 * @command: a command, `{"print": {"command": "pause", "param": ""}}`; its
 *   sequence_id is filled in
 * @cancellable: (nullable): a cancellable
 * @callback: called when the printer answered or the command failed
 * @user_data: data for @callback
 *
 * Publishes @command on the printer's request topic at QoS 1. It succeeds
 * when the printer answers with result "success" (or, for commands it does
 * not answer, when the broker confirmed it), and fails with the printer's
 * reason ("verify failed": LAN developer mode is off), on disconnection or
 * after a timeout.
 */
void
pd_session_send_async (PdSession           *self,
                       JsonNode            *command,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr (GTask)    task = NULL;
  g_autoptr (JsonNode) copy = NULL;
  g_autoptr (GList)    members = NULL;
  g_autofree char     *payload = NULL;
  g_autofree char     *sequence_id = NULL;
  PendingCommand      *pending;
  JsonObject          *family;
  int                  mid;

  g_return_if_fail (PD_IS_SESSION (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_session_send_async);

  if (JSON_NODE_HOLDS_OBJECT (command))
    members = json_object_get_members (json_node_get_object (command));
  if (members == NULL || members->next != NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (command), members->data)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "A command is an object with one family object");
      return;
    }

  copy = json_node_copy (command);
  family = json_node_get_object (json_object_get_member (json_node_get_object (copy), members->data));
  sequence_id = next_sequence_id (self->shared);
  json_object_set_string_member (family, "sequence_id", sequence_id);
  payload = json_to_string (copy, FALSE);

  mid = publish_request (self, payload);
  if (mid < 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The printer is not connected."));
      return;
    }

  pending = g_new0 (PendingCommand, 1);
  pending->task = g_steal_pointer (&task);
  pending->sequence_id = g_steal_pointer (&sequence_id);
  pending->mid = mid;
  pending->timeout_id = g_timeout_add_seconds (COMMAND_TIMEOUT_SECONDS, on_command_timeout, pending);
  self->pending = g_list_append (self->pending, pending);
}

/**
 * pd_session_send_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the printer's reply, %NULL with no
 *   @error when it did not reply; %NULL with @error set on failure
 */
JsonNode *
pd_session_send_finish (PdSession     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (PD_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
