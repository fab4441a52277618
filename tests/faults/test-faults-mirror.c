/* test-faults-mirror.c — a flood of mirror clients
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The mirror serves the app's printer store (simulated printers, live)
 * while a thread of the test floods it from loopback with plain sockets:
 * hundreds of WebSocket handshakes at once, far beyond the client limit,
 * then messages far beyond the size limit, announced and sent. The limit
 * holds (503 for the rest), oversized messages close their client with
 * 1009, the main loop is never held up for long, and afterwards a good
 * client gets the whole state and its deltas as before.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libsoup/soup.h>

#include "pd-enums.h"
#include "pd-fault-rig.h"
#include "pd-mirror-server.h"
#include "pd-test-util.h"

#define TOKEN    "fault-suite-token-0123456789abcdefghijklmnop"
#define N_FLOOD  256
#define N_BIG    24 /* accepted clients that send a message of 1 MiB */
#define N_HUGE   24 /* accepted clients that announce one of 2^40 bytes */

/* The flood, on a thread with blocking sockets (5 s timeouts) ------------------*/

typedef struct
{
  guint16 port;

  /* results, read once the thread is joined */
  guint   connected;
  guint   upgraded;      /* 101 */
  guint   unavailable;   /* 503 */
  guint   other_status;
  guint   no_answer;
  guint   closed_too_big; /* a close frame with 1009 */
  guint   dropped;        /* the connection ended without a close frame */
  guint   big_sent;
  double  seconds;
  double  connect_seconds; /* to connect and send every handshake */
  double  answer_seconds;  /* until every handshake was answered */
} Flood;

static int
flood_connect (guint16 port)
{
  struct sockaddr_in address = { 0 };
  struct timeval     timeout = { 5, 0 };
  int                fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  address.sin_family = AF_INET;
  address.sin_port = htons (port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gboolean
send_all (int         fd,
          const void *data,
          gsize       length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = send (fd, p, length, MSG_NOSIGNAL);

      if (n <= 0)
        return FALSE;
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

static gboolean
recv_all (int    fd,
          void  *data,
          gsize  length)
{
  guint8 *p = data;

  while (length > 0)
    {
      ssize_t n = recv (fd, p, length, 0);

      if (n <= 0)
        return FALSE;
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* The status of the handshake's answer, 0 if none came; reads up to the
 * end of its headers, not further. */
static guint
read_status (int fd)
{
  char  head[8192];
  gsize length = 0;

  while (length < sizeof head - 1)
    {
      if (recv (fd, head + length, 1, 0) != 1)
        return 0;
      length++;
      head[length] = '\0';
      if (length >= 4 && memcmp (head + length - 4, "\r\n\r\n", 4) == 0)
        break;
    }
  if (!g_str_has_prefix (head, "HTTP/1.1 "))
    return 0;
  return (guint) g_ascii_strtoull (head + 9, NULL, 10);
}

/* A client's frame header for @length bytes of text (masked, as clients
 * must), the mask key zero so that the payload goes as it is. */
static gsize
frame_header (guint8  header[14],
              guint64 length)
{
  header[0] = 0x81; /* FIN, text */
  if (length < 126)
    {
      header[1] = 0x80 | (guint8) length;
      memset (header + 2, 0, 4);
      return 6;
    }
  if (length <= G_MAXUINT16)
    {
      header[1] = 0x80 | 126;
      header[2] = (guint8) (length >> 8);
      header[3] = (guint8) length;
      memset (header + 4, 0, 4);
      return 8;
    }
  header[1] = 0x80 | 127;
  for (guint i = 0; i < 8; i++)
    header[2 + i] = (guint8) (length >> (56 - 8 * i));
  memset (header + 10, 0, 4);
  return 14;
}

/* Reads the server's frames until its close frame: its code, or 0 when the
 * connection ended (or stayed silent for 5 s) without one. */
static guint
read_close_code (int fd)
{
  for (guint frames = 0; frames < 10000; frames++)
    {
      guint8  head[2];
      guint64 length;

      if (!recv_all (fd, head, 2))
        return 0;
      length = head[1] & 0x7F;
      if (length == 126 || length == 127)
        {
          guint8 ext[8];
          gsize  n = length == 126 ? 2 : 8;

          if (!recv_all (fd, ext, n))
            return 0;
          length = 0;
          for (gsize i = 0; i < n; i++)
            length = (length << 8) | ext[i];
        }
      if ((head[0] & 0x0F) == 0x8)
        {
          guint8 code[2];

          return length >= 2 && recv_all (fd, code, 2) ? (guint) ((code[0] << 8) | code[1]) : 0;
        }
      /* the snapshot, deltas: skipped */
      while (length > 0)
        {
          guint8 skip[4096];
          gsize  n = (gsize) MIN (length, sizeof skip);

          if (!recv_all (fd, skip, n))
            return 0;
          length -= n;
        }
    }
  return 0;
}

static gpointer
flood_thread (gpointer data)
{
  Flood           *flood = data;
  g_autofree char *request = g_strdup_printf ("GET /ws?token=" TOKEN " HTTP/1.1\r\n"
                                              "Host: 127.0.0.1:%u\r\n"
                                              "Upgrade: websocket\r\n"
                                              "Connection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                              "Sec-WebSocket-Version: 13\r\n\r\n",
                                              flood->port);
  g_autofree guint8 *payload = g_malloc (64 * 1024);
  int                fds[N_FLOOD];
  guint              statuses[N_FLOOD];
  guint              n_accepted = 0;
  gint64             start = g_get_monotonic_time ();

  memset (payload, 'x', 64 * 1024);

  /* All the handshakes at once: every request is sent before any answer
   * is read. In bursts of 4 with 20 ms between them: libsoup listens with
   * GLib's default backlog of 10, and SYNs beyond it are dropped and sent
   * again a second later, which would only make the test slow. */
  for (guint i = 0; i < N_FLOOD; i++)
    {
      if (i % 4 == 3)
        g_usleep (20 * 1000);
      fds[i] = flood_connect (flood->port);
      if (fds[i] >= 0)
        {
          flood->connected++;
          if (!send_all (fds[i], request, strlen (request)))
            {
              close (fds[i]);
              fds[i] = -1;
            }
        }
    }
  flood->connect_seconds = (g_get_monotonic_time () - start) / 1e6;
  for (guint i = 0; i < N_FLOOD; i++)
    {
      statuses[i] = fds[i] >= 0 ? read_status (fds[i]) : 0;
      if (statuses[i] == 101)
        flood->upgraded++;
      else if (statuses[i] == 503)
        flood->unavailable++;
      else if (statuses[i] == 0)
        flood->no_answer++;
      else
        flood->other_status++;
    }

  flood->answer_seconds = (g_get_monotonic_time () - start) / 1e6;

  /* Messages beyond the limit from some of the accepted: one sent (its
   * first 64 KiB), one only announced. */
  for (guint i = 0; i < N_FLOOD && n_accepted < N_BIG + N_HUGE; i++)
    {
      guint8 header[14];
      gsize  header_length;

      if (statuses[i] != 101)
        continue;
      if (n_accepted < N_BIG)
        {
          header_length = frame_header (header, 1024 * 1024);
          if (send_all (fds[i], header, header_length) && send_all (fds[i], payload, 64 * 1024))
            flood->big_sent++;
        }
      else
        {
          header_length = frame_header (header, G_GUINT64_CONSTANT (1) << 40);
          send_all (fds[i], header, header_length);
        }
      n_accepted++;
      if (read_close_code (fds[i]) == 1009)
        flood->closed_too_big++;
      else
        flood->dropped++;
    }

  for (guint i = 0; i < N_FLOOD; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  flood->seconds = (g_get_monotonic_time () - start) / 1e6;

  return NULL;
}

/* A good client, with libsoup on the main thread ----------------------------------*/

typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  gboolean                 done;
  guint                    n_snapshots;
  guint                    n_deltas;
  guint                    n_printers;
} Good;

static void
on_good_message (SoupWebsocketConnection *ws,
                 int                      type,
                 GBytes                  *message,
                 Good                    *good)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize                  length;
  const char            *text = g_bytes_get_data (message, &length);
  JsonObject            *object;
  const char            *kind;

  if (!json_parser_load_from_data (parser, text, (gssize) length, NULL))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  kind = json_object_get_string_member_with_default (object, "type", "");
  if (g_str_equal (kind, "snapshot"))
    {
      good->n_snapshots++;
      good->n_printers = json_array_get_length (json_object_get_array_member (object, "printers"));
    }
  else if (g_str_equal (kind, "delta"))
    good->n_deltas++;
}

static void
on_good_connected (GObject      *source,
                   GAsyncResult *result,
                   gpointer      data)
{
  Good *good = data;

  good->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &good->error);
  good->done = TRUE;
}

static gboolean
good_done (gpointer data)
{
  return ((Good *) data)->done;
}

static gboolean
good_has_deltas (gpointer data)
{
  Good *good = data;

  return good->n_snapshots == 1 && good->n_deltas >= 3;
}

static gboolean
thread_done (gpointer data)
{
  return g_atomic_int_get ((int *) data) != 0;
}

static gpointer
flood_thread_main (gpointer data)
{
  gpointer *args = data;

  flood_thread (args[0]);
  g_atomic_int_set ((int *) args[1], 1);
  return NULL;
}

static gboolean
n_clients_at_most (gpointer data)
{
  gpointer *args = data;

  return pd_mirror_server_get_n_clients (args[0]) <= GPOINTER_TO_UINT (args[1]);
}

static void
test_mirror_flood (void)
{
  g_autoptr (PdSim)          sim = NULL;
  g_autoptr (PdMirrorServer) mirror = NULL;
  g_autoptr (SoupSession)    session = soup_session_new ();
  g_autoptr (SoupMessage)    msg = NULL;
  g_autoptr (GError)         error = NULL;
  g_autoptr (GThread)        thread = NULL;
  g_autofree char           *address = NULL;
  PdSimOptions               options;
  PdFaultRig                 rig;
  PdFaultStallMeter          meter;
  Flood                      flood = { 0 };
  Good                       good = { NULL, NULL, FALSE, 0, 0, 0 };
  gpointer                   args[2];
  gpointer                   at_most[2];
  int                        finished = 0;
  guint                      max_clients = 64; /* the app's default */

  pd_sim_options_init (&options);
  options.n_printers = 2;
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 5;
  options.no_cameras = TRUE;
  options.no_ftp = TRUE;
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);

  /* the app's printers, mirrored as the app does it */
  pd_fault_rig_init (&rig, sim);
  pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 0), "One");
  pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 1), "Two");
  mirror = pd_mirror_server_new (G_LIST_MODEL (rig.store));
  pd_mirror_server_set_token (mirror, TOKEN);
  g_assert_true (pd_mirror_server_start (mirror, "127.0.0.1", 0, &error));
  g_assert_no_error (error);

  /* The flood, while the main loop serves it and the printers. */
  flood.port = (guint16) pd_mirror_server_get_port (mirror);
  args[0] = &flood;
  args[1] = &finished;
  pd_fault_stall_meter_start (&meter);
  thread = g_thread_new ("flood", flood_thread_main, args);
  if (!pd_test_wait_until (thread_done, &finished, 120))
    g_error ("the flood did not end within 120 s");
  g_thread_join (g_steal_pointer (&thread));
  pd_fault_stall_meter_stop (&meter);

  g_test_message ("%u connections in %.1f s (connected and asked in %.1f s, answered in %.1f s): "
                  "%u accepted (101), %u refused (503), %u other, %u unanswered",
                  flood.connected, flood.seconds, flood.connect_seconds, flood.answer_seconds, flood.upgraded,
                  flood.unavailable, flood.other_status, flood.no_answer);
  g_test_message ("oversized messages: %u closed with 1009, %u dropped otherwise (%u sent 64 KiB of 1 MiB)",
                  flood.closed_too_big, flood.dropped, flood.big_sent);
  g_test_message ("main loop: longest gap %.0f ms over %u ticks", pd_fault_stall_meter_longest_ms (&meter),
                  meter.ticks);

  /* Every connection was answered, and the limit held. */
  g_assert_cmpuint (flood.connected, ==, N_FLOOD);
  g_assert_cmpuint (flood.no_answer + flood.other_status, ==, 0);
  g_assert_cmpuint (flood.upgraded, <=, max_clients);
  g_assert_cmpuint (flood.upgraded, >=, N_BIG + N_HUGE);
  g_assert_cmpuint (flood.unavailable, ==, N_FLOOD - flood.upgraded);
  /* Oversized messages: closed with "too big", each. */
  g_assert_cmpuint (flood.closed_too_big, ==, N_BIG + N_HUGE);
  /* Never held up: a frame of the window is 16 ms; a second is generous. */
  g_assert_cmpfloat (pd_fault_stall_meter_longest_ms (&meter), <, 1000);

  /* The flood's clients are gone… */
  at_most[0] = mirror;
  at_most[1] = GUINT_TO_POINTER (0);
  g_assert_true (pd_test_wait_until (n_clients_at_most, at_most, PD_FAULT_WAIT_S));

  /* …and a good client gets the state and its deltas, as before. */
  address = g_strdup_printf ("ws://127.0.0.1:%u/ws?token=" TOKEN, pd_mirror_server_get_port (mirror));
  msg = soup_message_new ("GET", address);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_good_connected, &good);
  g_assert_true (pd_test_wait_until (good_done, &good, PD_FAULT_WAIT_S));
  g_assert_no_error (good.error);
  g_signal_connect (good.ws, "message", G_CALLBACK (on_good_message), &good);
  g_assert_true (pd_test_wait_until (good_has_deltas, &good, PD_FAULT_WAIT_S));
  g_assert_cmpuint (good.n_printers, ==, 2);
  g_assert_cmpuint (pd_mirror_server_get_n_clients (mirror), ==, 1);

  /* The printers were watched all along. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (rig.store), i);

      g_assert_cmpint (pd_printer_get_connection (printer), ==, PD_CONNECTION_CONNECTED);
    }
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  g_signal_handlers_disconnect_by_data (good.ws, &good);
  soup_websocket_connection_close (good.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&good.ws);
  pd_mirror_server_stop (mirror);
  g_clear_object (&mirror);
  pd_fault_rig_clear (&rig);
  pd_sim_stop (sim);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults/mirror-flood", test_mirror_flood);

  return g_test_run ();
}
