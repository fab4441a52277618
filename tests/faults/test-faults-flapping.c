/* test-faults-flapping.c — a printer that keeps dropping out
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One simulated printer goes offline and comes back every few seconds (its
 * port closed, or its connections cut) while another stays up, both
 * watched through a PdPrinterStore as the window does, with the
 * notifications the app would send counted by PdNotifier fed like the
 * app's notification center: once with the default settings, once with
 * "notify at once" (offline-notify-delay 0). No notification storm, no
 * memory growth, nothing lost, the main loop never held up.
 *
 * It runs for 30 s, for the CI's time budget; PD_FAULTS_LONG=1 makes it
 * 10 minutes and PD_FAULTS_LONG=N N seconds (run the program itself then,
 * under build-aux/dev.sh's session: meson's timeout for it is 5 minutes).
 */

#include "config.h"

#include <string.h>

#include "pd-enums.h"
#include "pd-fault-rig.h"
#include "pd-test-util.h"

typedef struct
{
  PdPrinter *printer;
  guint      drops;     /* connected → not connected */
  guint      returns;   /* → connected */
  gboolean   connected;
} Transitions;

static void
on_connection (PdPrinter   *printer,
               GParamSpec  *pspec,
               Transitions *transitions)
{
  gboolean connected = pd_printer_get_connection (printer) == PD_CONNECTION_CONNECTED;

  if (connected == transitions->connected)
    return;
  transitions->connected = connected;
  if (connected)
    transitions->returns++;
  else
    transitions->drops++;
}

static void
transitions_init (Transitions *transitions,
                  PdPrinter   *printer)
{
  memset (transitions, 0, sizeof *transitions);
  transitions->printer = printer;
  transitions->connected = pd_printer_get_connection (printer) == PD_CONNECTION_CONNECTED;
  g_signal_connect (printer, "notify::connection", G_CALLBACK (on_connection), transitions);
}

static void
transitions_clear (Transitions *transitions)
{
  g_signal_handlers_disconnect_by_data (transitions->printer, transitions);
}

/* One drop-out: the port closed (connects refused) or the connections cut
 * (the port still open), for @offline_ms; then back, and up for @online_ms
 * once the card says connected again. */
static void
flap (PdSimPrinter *sp,
      PdPrinter    *printer,
      gboolean      cut,
      guint         offline_ms,
      guint         online_ms)
{
  g_autoptr (GError) error = NULL;

  if (cut)
    {
      /* cut again and again while "off", as a flaky link does */
      for (guint t = 0; t < offline_ms; t += 500)
        {
          pd_sim_printer_drop_connections (sp);
          pd_test_spin (MIN (500, offline_ms - t));
        }
    }
  else
    {
      g_assert_true (pd_sim_printer_set_offline (sp, TRUE, &error));
      g_assert_no_error (error);
      pd_test_spin (offline_ms);
      g_assert_true (pd_sim_printer_set_offline (sp, FALSE, &error));
      g_assert_no_error (error);
    }

  if (!pd_fault_wait_connection (printer, PD_CONNECTION_CONNECTED, 20))
    g_error ("the printer did not come back within 20 s: %s", pd_fault_reason_label (printer));
  pd_test_spin (online_ms);
}

static void
test_flapping (void)
{
  g_autoptr (PdSim)  sim = NULL;
  g_autoptr (GRand)  rand = g_rand_new_with_seed (15);
  g_autoptr (GError) error = NULL;
  g_autofree char   *config = NULL;
  PdSimOptions       options;
  PdFaultRig         rig;
  PdFaultNotices     app_notices, at_once;
  PdFaultStallMeter  meter;
  Transitions        flapper_seen, steady_seen;
  PdSimPrinter      *sp;
  PdPrinter         *flapper, *steady;
  guint              seconds = pd_fault_duration (30, 600);
  guint              cycles = 0;
  gsize              heap_before, heap_after, rss_before, rss_after;
  gint64             start, end, next_sample;

  pd_sim_options_init (&options);
  options.n_printers = 2;
  options.models = (const char *const[]){ "X1C", "P1S", NULL };
  options.scenario = PD_SIM_SCENARIO_PRINT;
  options.speed = 5;
  options.no_cameras = TRUE; /* not watched here: the network's case */
  sim = pd_sim_new (&options);
  g_assert_true (pd_sim_start (sim, &error));
  g_assert_no_error (error);
  sp = pd_sim_get_printer (sim, 0);

  pd_fault_rig_init (&rig, sim);
  flapper = pd_fault_rig_add (&rig, sp, "Flaky");
  steady = pd_fault_rig_add (&rig, pd_sim_get_printer (sim, 1), "Steady");
  config = pd_fault_rig_read_config (&rig);

  /* the app's defaults, and the user who asked to be told at once */
  pd_fault_notices_init (&app_notices);
  pd_fault_notices_init (&at_once);
  pd_notifier_set_offline_delay (at_once.notifier, 0);
  pd_fault_notices_watch (&app_notices, flapper);
  pd_fault_notices_watch (&app_notices, steady);
  pd_fault_notices_watch (&at_once, flapper);
  transitions_init (&flapper_seen, flapper);
  transitions_init (&steady_seen, steady);

  /* Two rounds first, so that what is made once (TLS contexts, the
   * notifier's tracks, GIO's modules) is not counted as growth. */
  flap (sp, flapper, FALSE, 1500, 500);
  flap (sp, flapper, TRUE, 1500, 500);
  heap_before = pd_fault_heap_kib ();
  rss_before = pd_fault_rss_kib ();

  pd_fault_stall_meter_start (&meter);
  start = g_get_monotonic_time ();
  end = start + (gint64) seconds * G_USEC_PER_SEC;
  next_sample = start + 30 * G_USEC_PER_SEC;
  /* every few seconds: off 1.5–2.5 s, back, up about a second */
  while (g_get_monotonic_time () < end && cycles < 100000)
    {
      flap (sp, flapper, cycles % 3 == 2, (guint) g_rand_int_range (rand, 1500, 2500),
            (guint) g_rand_int_range (rand, 500, 1500));
      cycles++;
      /* the curve, for the long runs: growth that levels off, or a leak */
      if (g_get_monotonic_time () >= next_sample)
        {
          g_test_message ("after %3.0f s: heap %" G_GSIZE_FORMAT " KiB, resident %" G_GSIZE_FORMAT " KiB",
                          (g_get_monotonic_time () - start) / 1e6, pd_fault_heap_kib (), pd_fault_rss_kib ());
          next_sample += 30 * G_USEC_PER_SEC;
        }
    }
  pd_fault_stall_meter_stop (&meter);

  heap_after = pd_fault_heap_kib ();
  rss_after = pd_fault_rss_kib ();
  g_test_message ("%u drop-outs in %.0f s (%u seen by the card, %u returns)", cycles,
                  (g_get_monotonic_time () - start) / 1e6, flapper_seen.drops, flapper_seen.returns);
  g_test_message ("memory: heap %" G_GSIZE_FORMAT " → %" G_GSIZE_FORMAT " KiB, resident %" G_GSIZE_FORMAT
                  " → %" G_GSIZE_FORMAT " KiB",
                  heap_before, heap_after, rss_before, rss_after);
  g_test_message ("notifications: defaults %u (offline %u), at once %u alerts (offline %u, back online %u, "
                  "offline shown %u times)",
                  app_notices.n_alerts, app_notices.n_offline_shown, at_once.n_alerts, at_once.n_offline_alerts,
                  at_once.n_online_alerts, at_once.n_offline_shown);
  g_test_message ("main loop: longest gap %.0f ms", pd_fault_stall_meter_longest_ms (&meter));

  /* It did flap, and the card followed every time. */
  g_assert_cmpuint (cycles, >=, seconds / 8);
  g_assert_cmpuint (flapper_seen.drops, >=, cycles);
  g_assert_cmpuint (flapper_seen.returns, >=, cycles);
  g_assert_cmpuint (steady_seen.drops, ==, 0);

  /* No storm: with the defaults (a minute offline first) nothing at all;
   * told at once, one "offline" and one "back online" popup per quiet
   * window (10 min), the rest quiet updates of the same notification. */
  g_assert_cmpuint (app_notices.n_offline_shown, ==, 0);
  g_assert_cmpuint (app_notices.n_offline_alerts + app_notices.n_online_alerts, ==, 0);
  g_assert_cmpuint (at_once.n_offline_shown, >=, cycles / 2);
  g_assert_cmpuint (at_once.n_offline_alerts, <=, 1 + seconds / PD_NOTIFIER_DEFAULT_QUIET_WINDOW);
  g_assert_cmpuint (at_once.n_online_alerts, <=, 1 + seconds / PD_NOTIFIER_DEFAULT_QUIET_WINDOW);

  g_assert_cmpfloat (pd_fault_stall_meter_longest_ms (&meter), <, 1000);

  /* No growth: what a flap costs is given back. The bounds leave room for
   * the simulator, which runs in this process and keeps every command it
   * was sent, and for malloc's per-thread caches (heaptrack finds the app's
   * own live memory the same after 30 s and after 150 s of this).
   * AddressSanitizer keeps freed memory in quarantine (and LeakSanitizer
   * checks leaks there), so the numbers only mean something in a normal
   * build. */
#if defined(__SANITIZE_ADDRESS__)
  g_test_message ("AddressSanitizer: memory growth not asserted");
#else
  g_assert_cmpuint (heap_after, <, heap_before + 2048);
  g_assert_cmpuint (rss_after, <, rss_before + 8192);
#endif

  /* Nothing lost. */
  g_assert_true (pd_fault_wait_connection (flapper, PD_CONNECTION_CONNECTED, 20));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rig.store)), ==, 2);
  pd_fault_rig_assert_config (&rig, config);
  pd_fault_rig_assert_codes_safe (&rig, NULL);

  transitions_clear (&flapper_seen);
  transitions_clear (&steady_seen);
  pd_fault_notices_clear (&at_once);
  pd_fault_notices_clear (&app_notices);
  pd_fault_rig_clear (&rig);
  pd_sim_stop (sim);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/faults/flapping", test_flapping);

  return g_test_run ();
}
