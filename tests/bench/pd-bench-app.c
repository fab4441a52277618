/* pd-bench-app.c — the app itself in a benchmark: PdApplication with its
 * window, fed by printdeck-sim's printers, and what the benchmarks watch
 * in it
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app runs in the benchmark's process as it runs for a user (its store,
 * the keyring, its sessions, its window and cards), so the process's CPU
 * and memory are the app's, plus the little the benchmark keeps.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pd-bench-app.h"
#include "pd-printer-card.h"

static char *prepared_dir;

void
bench_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char      *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        bench_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
bench_app_prepare (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char   *config = NULL;
  g_autofree char   *cache = NULL;
  g_autofree char   *pictures = NULL;

  prepared_dir = g_dir_make_tmp ("printdeck-bench-XXXXXX", &error);
  if (prepared_dir == NULL)
    g_error ("no temporary folder: %s", error->message);
  config = g_build_filename (prepared_dir, "config", NULL);
  cache = g_build_filename (prepared_dir, "cache", NULL);
  pictures = g_build_filename (prepared_dir, "Pictures", NULL);

  g_setenv ("PRINTDECK_CONFIG_DIR", config, TRUE);
  g_setenv ("PRINTDECK_CACHE_DIR", cache, TRUE);
  g_setenv ("PRINTDECK_PICTURES_DIR", pictures, TRUE);
  /* A port of its own: a test running beside must not get our datagrams. */
  g_setenv ("PRINTDECK_DISCOVERY_PORT", "0", TRUE);
  /* The build's schema, so the app has its settings (kept in memory). */
  g_setenv ("GSETTINGS_SCHEMA_DIR", SCHEMA_DIR, FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);
  /* No accessibility bus in the benchmark's session, as in the tests. */
  g_setenv ("GTK_A11Y", "none", FALSE);
  g_setenv ("NO_AT_BRIDGE", "1", FALSE);
  /* as the app's main() does */
  pd_application_prepare_process ();
}

gboolean
bench_app_init (const char *program)
{
  bench_app_prepare ();
  if (!gtk_init_check ())
    {
      g_printerr ("%s needs a display (build-aux/dev.sh bench gives one)\n", program);
      return FALSE;
    }
  adw_init ();

  return TRUE;
}

static gboolean
window_mapped (gpointer data)
{
  BenchApp *app = data;

  return app->window != NULL && gtk_widget_get_mapped (GTK_WIDGET (app->window));
}

BenchApp *
bench_app_start (void)
{
  g_autoptr (GError) error = NULL;
  BenchApp          *app = g_new0 (BenchApp, 1);

  g_assert (prepared_dir != NULL);
  app->dir = g_steal_pointer (&prepared_dir);
  app->app = pd_application_new (APPLICATION_ID ".Bench", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app->app), NULL, &error))
    g_error ("the app could not start: %s", error->message);
  g_application_activate (G_APPLICATION (app->app));
  app->window = gtk_application_get_active_window (GTK_APPLICATION (app->app));
  if (!wait_until (window_mapped, app, 10))
    g_error ("the window was not shown");

  return app;
}

typedef struct
{
  guint added;
  guint failed;
  guint wanted;
} Adding;

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  Adding               *adding = data;
  g_autoptr (GError)    error = NULL;
  g_autoptr (PdPrinter) printer = pd_printer_store_add_finish (PD_PRINTER_STORE (source), result, &error);

  if (printer != NULL)
    adding->added++;
  else
    {
      g_printerr ("a printer could not be added: %s\n", error->message);
      adding->failed++;
    }
}

static PdPrinterConfig *
config_for (SimPrinter *p)
{
  PdPrinterConfig *config = pd_printer_config_new (p->serial, p->host);

  config->port = p->mqtt_port;
  config->name = g_strdup (p->name);
  config->fingerprint = g_strdup (p->fingerprint);
  config->camera_port = p->port;
  config->ftp_port = p->ftp_port;
  config->ftp_user = g_strdup (p->ftp_user);

  return config;
}

static gboolean
adding_done (gpointer data)
{
  const Adding *adding = data;

  return adding->added + adding->failed >= adding->wanted;
}

static gboolean
all_connected (gpointer data)
{
  GListModel *model = data;
  guint       n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED)
        return FALSE;
    }

  return n > 0;
}

static void
on_first_added (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

gboolean
bench_app_add_sim (BenchApp *app,
                   Sim      *sim,
                   double    timeout)
{
  return store_add_sim (pd_application_get_store (app->app), sim, timeout);
}

gboolean
store_add_sim (PdPrinterStore *store,
               Sim            *sim,
               double          timeout)
{
  gint64          until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  Adding          adding = { 0, 0, sim->printers->len };
  guint           first = 0;

  /* The store takes changes once it has read printers.ini: the first
   * printer is tried until then (as pd-test-app does), the others follow
   * all at once, as a farm's would be pasted in. */
  for (guint attempt = 0; attempt < 200 && sim->printers->len > 0; attempt++)
    {
      g_autoptr (PdPrinterConfig) config = config_for (g_ptr_array_index (sim->printers, 0));
      g_autoptr (GAsyncResult)    result = NULL;
      g_autoptr (GError)          error = NULL;
      g_autoptr (PdPrinter)       printer = NULL;

      pd_printer_store_add_async (store, config, ((SimPrinter *) g_ptr_array_index (sim->printers, 0))->code, NULL,
                                  on_first_added, &result);
      if (!wait_until (has_result, &result, 10))
        return FALSE;
      printer = pd_printer_store_add_finish (store, result, &error);
      if (printer != NULL)
        {
          adding.added++;
          first = 1;
          break;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED))
        {
          g_printerr ("a printer could not be added: %s\n", error->message);
          return FALSE;
        }
      run_for (0.05);
    }
  if (first == 0)
    return FALSE;

  for (guint i = 1; i < sim->printers->len; i++)
    {
      SimPrinter                 *p = g_ptr_array_index (sim->printers, i);
      g_autoptr (PdPrinterConfig) config = config_for (p);

      pd_printer_store_add_async (store, config, p->code, NULL, on_added, &adding);
    }

  wait_until (adding_done, &adding, MAX (1.0, (double) (until - g_get_monotonic_time ()) / G_USEC_PER_SEC));
  if (adding.added != sim->printers->len)
    return FALSE;

  return wait_until (all_connected, store, MAX (1.0, (double) (until - g_get_monotonic_time ()) / G_USEC_PER_SEC));
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr (GError) error = NULL;

  if (!pd_printer_store_remove_finish (PD_PRINTER_STORE (source), result, &error))
    g_printerr ("a printer could not be removed: %s\n", error->message);
}

static gboolean
store_empty (gpointer data)
{
  return g_list_model_get_n_items (data) == 0;
}

void
bench_app_remove_all (BenchApp *app)
{
  PdPrinterStore       *store = pd_application_get_store (app->app);
  GListModel           *model = G_LIST_MODEL (store);
  g_autoptr (GPtrArray) serials = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      g_ptr_array_add (serials, g_strdup (pd_printer_get_serial (printer)));
    }
  for (guint i = 0; i < serials->len; i++)
    pd_printer_store_remove_async (store, g_ptr_array_index (serials, i), NULL, on_removed, NULL);
  if (!wait_until (store_empty, model, 60))
    g_printerr ("the printers were not all removed\n");
}

void
bench_app_stop (BenchApp *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app->app)));

  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (windows);
  pd_printer_store_shutdown (pd_application_get_store (app->app));
  g_application_quit (G_APPLICATION (app->app));
  run_for (0.2);
  g_clear_object (&app->app);
  bench_remove_tree (app->dir);
  /* A save of the state cache already under way may write it again. */
  run_for (0.5);
  bench_remove_tree (app->dir);
  g_free (app->dir);
  g_free (app);
}

/* Reports, end to end ---------------------------------------------------------*/

static void
on_message (PdSession         *session,
            PdMessageDirection direction,
            const char        *topic,
            GBytes            *payload,
            Watched           *watched)
{
  gsize       size = 0;
  const char *text = payload != NULL ? g_bytes_get_data (payload, &size) : NULL;
  const char *found;
  const char *end;
  guint64     sequence = 0;

  if (direction != PD_MESSAGE_INCOMING || text == NULL || g_strstr_len (text, (gssize) size, "\"push_status\"") == NULL ||
      (found = g_strstr_len (text, (gssize) size, "\"sequence_id\":\"")) == NULL)
    return;

  /* The digits, within the payload (which has no NUL of its own). */
  end = text + size;
  for (found += strlen ("\"sequence_id\":\""); found < end && g_ascii_isdigit (*found); found++)
    sequence = sequence * 10 + (guint64) (*found - '0');
  if (sequence == 0)
    return;

  watched->received++;
  if (watched->next != 0 && sequence > watched->next)
    watched->gaps += sequence - watched->next;
  watched->next = MAX (watched->next, sequence + 1);
  /* Merged, if it is, before the signal's emitter returns. */
  watched->pending = sequence;
}

static void
on_last_report (PdPrinter  *printer,
                GParamSpec *pspec,
                Watched    *watched)
{
  Watch  *watch = g_object_get_data (G_OBJECT (printer), "bench-watch");
  guint64 sequence = watched->pending;

  if (sequence == 0)
    return;

  watched->pending = 0;
  watched->merged++;
  if (watch != NULL && watch->merged != NULL)
    watch->merged (watched, sequence, g_get_monotonic_time (), watch->data);
}

static void
watched_free (Watched *watched)
{
  g_clear_signal_handler (&watched->message_id, watched->session);
  g_clear_signal_handler (&watched->notify_id, watched->printer);
  g_object_set_data (G_OBJECT (watched->printer), "bench-watch", NULL);
  g_clear_object (&watched->session);
  g_clear_object (&watched->printer);
  g_free (watched);
}

Watch *
watch_printers (PdPrinterStore *store,
                WatchMerged     merged,
                gpointer        data)
{
  Watch      *watch = g_new0 (Watch, 1);
  GListModel *model = G_LIST_MODEL (store);

  watch->watched = g_ptr_array_new_with_free_func ((GDestroyNotify) watched_free);
  watch->merged = merged;
  watch->data = data;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      Watched *watched = g_new0 (Watched, 1);

      watched->printer = g_list_model_get_item (model, i);
      watched->session = g_object_ref (pd_printer_store_get_session (store, watched->printer));
      watched->index = i;
      g_object_set_data (G_OBJECT (watched->printer), "bench-watch", watch);
      watched->message_id = g_signal_connect (watched->session, "message", G_CALLBACK (on_message), watched);
      watched->notify_id = g_signal_connect (watched->printer, "notify::last-report-time", G_CALLBACK (on_last_report),
                                             watched);
      g_ptr_array_add (watch->watched, watched);
    }

  return watch;
}

void
watch_reset (Watch *watch)
{
  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i);

      /* The numbering goes on: the next report is expected as before. */
      watched->received = 0;
      watched->gaps = 0;
      watched->merged = 0;
    }
}

WatchTotals
watch_totals (Watch *watch)
{
  WatchTotals totals = { 0, };

  for (guint i = 0; i < watch->watched->len; i++)
    {
      Watched *watched = g_ptr_array_index (watch->watched, i);

      totals.received += watched->received;
      totals.published += watched->received + watched->gaps;
      totals.merged += watched->merged;
    }
  totals.dropped = totals.published - totals.merged;

  return totals;
}

void
watch_free (Watch *watch)
{
  g_ptr_array_unref (watch->watched);
  g_free (watch);
}

/* Card repaints ---------------------------------------------------------------*/

static struct
{
  void        (*snapshot) (GtkWidget   *widget,
                           GtkSnapshot *snapshot);
  CardPainted painted;
  gpointer    data;
} probe;

static void
probe_snapshot (GtkWidget   *widget,
                GtkSnapshot *snapshot)
{
  PdPrinter *printer;

  probe.snapshot (widget, snapshot);
  printer = pd_printer_card_get_printer (PD_PRINTER_CARD (widget));
  if (printer != NULL && probe.painted != NULL)
    probe.painted (printer, probe.data);
}

void
card_probe_install (CardPainted painted,
                    gpointer    data)
{
  GtkWidgetClass *klass = g_type_class_ref (PD_TYPE_PRINTER_CARD);

  probe.painted = painted;
  probe.data = data;
  if (probe.snapshot == NULL)
    {
      probe.snapshot = klass->snapshot;
      klass->snapshot = probe_snapshot;
    }
  /* The class stays: the reference is never given back. */
}

static gboolean
keep_going (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
wait_until (gboolean (*done) (gpointer data),
            gpointer  data,
            double    timeout)
{
  gint64   until = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  guint    tick;
  gboolean result;

  /* Blocking in poll, but looking at least every 10 ms: the deadline must
   * be noticed when nothing happens, and a busy wait would compete with
   * what is measured. */
  tick = g_timeout_add (10, keep_going, NULL);
  while (!(result = done (data)) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);

  return result;
}
