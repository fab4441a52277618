/* pd-window.c — the main window: a card per printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pd-hms-dialog.h"
#include "pd-ams-unit.h"
#include "pd-printer-card.h"
#include "pd-printer-page.h"
#include "pd-printer-store.h"
#include "pd-window.h"

struct _PdWindow
{
  AdwApplicationWindow parent_instance;

  PdPrinterStore      *store;
  GtkFilterListModel  *filtered;
  GtkSortListModel    *sorted;
  GtkSliceListModel   *shown; /* the first of sorted: the cards made so far */
  GtkCustomFilter     *filter;
  GtkCustomSorter     *sorter;
  char                *sort_order;
  char                *status_filter;
  guint                humidity_fair;
  guint                humidity_high;
  guint                resort_id;
  guint                visibility_id;
  guint                fill_id;     /* tick callback making more cards */
  gboolean             first_frame; /* the first frame is being drawn or was */
  GHashTable          *watched;   /* PdPrinter → its Placing */
  GHashTable          *sort_keys; /* a name → its collation key */

  AdwToastOverlay     *toast_overlay;
  AdwLeaflet          *leaflet;
  AdwWindowTitle      *window_title;
  GtkRevealer         *keyring_revealer;
  GtkLabel            *keyring_label;
  GtkStack            *stack;
  AdwStatusPage       *empty_page;
  GtkWidget           *demo_button;
  GtkWidget           *view_button;
  GtkGridView         *grid_view;
  PdPrinterPage       *printer_page;
};

G_DEFINE_FINAL_TYPE (PdWindow, pd_window, ADW_TYPE_APPLICATION_WINDOW)

static GSettings *
window_settings (PdWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  return app != NULL ? pd_application_get_settings (PD_APPLICATION (app)) : NULL;
}

/* Sorting and filtering ------------------------------------------------------*/

static gboolean
needs_attention (PdPrinter *printer)
{
  PdStatus status = pd_printer_get_status (printer);

  return status == PD_STATUS_PAUSED || status == PD_STATUS_FAILED ||
         pd_printer_get_hms_level (printer) >= PD_SEVERITY_SERIOUS ||
         pd_printer_get_print_error_code (printer) != 0;
}

static gboolean
is_offline (PdPrinter *printer)
{
  return pd_printer_get_connection (printer) != PD_CONNECTION_CONNECTED;
}

static gboolean
is_printing (PdPrinter *printer)
{
  PdStatus status = pd_printer_get_status (printer);

  return status == PD_STATUS_PRINTING || status == PD_STATUS_PREPARING || status == PD_STATUS_PAUSED;
}

static gboolean
filter_printer (gpointer item,
                gpointer data)
{
  PdWindow  *self = data;
  PdPrinter *printer = item;

  if (g_strcmp0 (self->status_filter, "printing") == 0)
    return is_printing (printer) && !is_offline (printer);
  if (g_strcmp0 (self->status_filter, "attention") == 0)
    return needs_attention (printer) && !is_offline (printer);
  if (g_strcmp0 (self->status_filter, "offline") == 0)
    return is_offline (printer);

  return TRUE;
}

static const char *
sort_name (PdPrinter *printer)
{
  if (pd_printer_get_name (printer) != NULL)
    return pd_printer_get_name (printer);
  if (pd_printer_get_model_name (printer) != NULL)
    return pd_printer_get_model_name (printer);

  return pd_printer_get_serial (printer);
}

/* For a monitoring screen: what needs a person first, what is running next
 * (soonest done first), then what is done or waiting, then what is gone.
 */
static int
status_rank (PdPrinter *printer)
{
  if (is_offline (printer))
    return 5;
  if (needs_attention (printer))
    return 0;

  switch (pd_printer_get_status (printer))
    {
    case PD_STATUS_PRINTING:
    case PD_STATUS_PREPARING:
    case PD_STATUS_PAUSED: return 1;
    case PD_STATUS_FINISHED:
    case PD_STATUS_CANCELLED:
    case PD_STATUS_FAILED: return 2;
    case PD_STATUS_IDLE: return 3;
    case PD_STATUS_OFFLINE:
    case PD_STATUS_UNKNOWN:
    default:
      return 4;
    }
}

static int
time_left (PdPrinter *printer)
{
  PdJob *job = pd_printer_get_job (printer);

  if (job == NULL || !is_printing (printer) || pd_job_get_remaining_minutes (job) < 0)
    return G_MAXINT;

  return pd_job_get_remaining_minutes (job);
}

/* Names collate by keys, made once per name: a sort compares hundreds of
 * times a second with a farm. */
static const char *
collate_key (PdWindow   *self,
             const char *name)
{
  const char *key = g_hash_table_lookup (self->sort_keys, name);

  if (key == NULL)
    {
      key = g_utf8_collate_key_for_filename (name, -1);
      g_hash_table_insert (self->sort_keys, g_strdup (name), (char *) key);
    }

  return key;
}

static int
sort_printers (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  PdWindow  *self = data;
  PdPrinter *pa = (PdPrinter *) a;
  PdPrinter *pb = (PdPrinter *) b;
  int        cmp = 0;

  if (g_strcmp0 (self->sort_order, "status") == 0)
    {
      cmp = status_rank (pa) - status_rank (pb);
      if (cmp == 0)
        cmp = (time_left (pa) > time_left (pb)) - (time_left (pa) < time_left (pb));
    }
  else if (g_strcmp0 (self->sort_order, "time-left") == 0)
    cmp = (time_left (pa) > time_left (pb)) - (time_left (pa) < time_left (pb));

  if (cmp == 0)
    cmp = strcmp (collate_key (self, sort_name (pa)), collate_key (self, sort_name (pb)));
  if (cmp == 0)
    cmp = g_strcmp0 (pd_printer_get_serial (pa), pd_printer_get_serial (pb));

  return cmp;
}

static void
update_summary (PdWindow *self)
{
  GListModel         *model = G_LIST_MODEL (self->store);
  guint               n = g_list_model_get_n_items (model);
  guint               printing = 0, attention = 0, offline = 0;
  g_autoptr (GString) summary = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (is_offline (printer))
        offline++;
      else if (needs_attention (printer))
        attention++;
      else if (is_printing (printer))
        printing++;
    }

  /* TRANSLATORS: parts of the window subtitle, "3 printing · 1 needs attention · 2 offline" */
  if (printing > 0)
    g_string_append_printf (summary, ngettext ("%u printing", "%u printing", printing), printing);
  if (attention > 0)
    {
      g_autofree char *part = g_strdup_printf (ngettext ("%u needs attention", "%u need attention", attention), attention);

      g_string_append_printf (summary, "%s%s", summary->len > 0 ? " · " : "", part);
    }
  if (offline > 0)
    {
      g_autofree char *part = g_strdup_printf (ngettext ("%u offline", "%u offline", offline), offline);

      g_string_append_printf (summary, "%s%s", summary->len > 0 ? " · " : "", part);
    }

  adw_window_title_set_subtitle (self->window_title, summary->str);
}

static void
update_page (PdWindow *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));

  /* nothing to sort or filter yet */
  gtk_widget_set_visible (self->view_button, n_all > 0);

  if (n_all == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (n_shown == 0)
    gtk_stack_set_visible_child_name (self->stack, "no-match");
  else
    gtk_stack_set_visible_child_name (self->stack, "printers");
}

/* Re-sorting moves cards, so it is done at most once a second, however many
 * printers report.
 */
static gboolean
resort (gpointer data)
{
  PdWindow *self = data;

  self->resort_id = 0;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  update_summary (self);
  update_page (self);

  return G_SOURCE_REMOVE;
}

/* What places a printer: its rank, time left, the filters it passes, its
 * name. A report that changes none of it (most do not) moves no card. */
typedef struct
{
  int      rank;
  int      time_left;
  guint    flags;
  char    *name;
} Placing;

static void
placing_free (Placing *placing)
{
  g_free (placing->name);
  g_free (placing);
}

static void queue_resort (PdWindow *self);

static void
on_printer_placing (PdWindow  *self,
                    gpointer   arg,
                    PdPrinter *printer)
{
  Placing *placing = g_hash_table_lookup (self->watched, printer);
  int      rank = status_rank (printer);
  int      left = time_left (printer);
  guint    flags = is_offline (printer) | needs_attention (printer) << 1 | is_printing (printer) << 2;

  if (placing == NULL)
    return;
  if (placing->rank == rank && placing->time_left == left && placing->flags == flags &&
      g_strcmp0 (placing->name, sort_name (printer)) == 0)
    return;

  placing->rank = rank;
  placing->time_left = left;
  placing->flags = flags;
  g_free (placing->name);
  placing->name = g_strdup (sort_name (printer));
  queue_resort (self);
}

static void
queue_resort (PdWindow *self)
{
  if (self->resort_id == 0)
    self->resort_id = g_timeout_add (1000, resort, self);
}

static void
watch_printer (PdWindow  *self,
               PdPrinter *printer)
{
  Placing *placing;

  if (g_hash_table_contains (self->watched, printer))
    return;

  placing = g_new0 (Placing, 1);
  placing->rank = -1;
  g_hash_table_insert (self->watched, g_object_ref (printer), placing);
  g_signal_connect_object (printer, "state-changed", G_CALLBACK (on_printer_placing), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (printer, "notify::connection", G_CALLBACK (on_printer_placing), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (printer, "notify::name", G_CALLBACK (on_printer_placing), self, G_CONNECT_SWAPPED);
  on_printer_placing (self, NULL, printer);
}

static void
on_store_items_changed (PdWindow   *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *model)
{
  for (guint i = 0; i < added; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, position + i);

      watch_printer (self, printer);
    }

  /* A printer removed while its page is open: back to the cards. */
  if (removed > 0)
    {
      PdPrinter *shown = pd_printer_page_get_printer (self->printer_page);

      if (shown != NULL && pd_printer_store_find (self->store, pd_printer_get_serial (shown)) == NULL)
        {
          adw_leaflet_set_visible_child_name (self->leaflet, "printers");
          pd_printer_page_set_printer (self->printer_page, NULL, NULL);
        }
    }

  update_summary (self);
  update_page (self);
}

static void
on_sorted_items_changed (PdWindow *self)
{
  update_page (self);
}

/* Cards: the grid makes them only for the printers in view and gives them
 * to other printers as the view scrolls, so a farm of a hundred costs
 * about a screenful of cards, and one out of view costs no redraw.
 */
/* Enter on a card (a click is the grid's "activate") */
static void
on_card_activate (PdPrinterCard *card,
                  GtkListItem   *item)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (card));

  if (PD_IS_WINDOW (root) && gtk_list_item_get_item (item) != NULL)
    pd_window_show_printer (PD_WINDOW (root), gtk_list_item_get_item (item));
}

static void
setup_card (PdWindow                 *self,
            GtkListItem              *item,
            GtkSignalListItemFactory *factory)
{
  GtkWidget *card = pd_printer_card_new (NULL);

  /* the item lives as long as its card */
  g_signal_connect (card, "activate", G_CALLBACK (on_card_activate), item);
  gtk_list_item_set_child (item, card);
}

/* The cards the grid has made now (those in view and a few around), each
 * grid cell's child. */
static GPtrArray *
made_cards (PdWindow *self)
{
  GPtrArray *cards = g_ptr_array_new ();

  for (GtkWidget *cell = gtk_widget_get_first_child (GTK_WIDGET (self->grid_view)); cell != NULL;
       cell = gtk_widget_get_next_sibling (cell))
    {
      GtkWidget *child = gtk_widget_get_first_child (cell);

      if (child != NULL && PD_IS_PRINTER_CARD (child) && pd_printer_card_get_printer (PD_PRINTER_CARD (child)) != NULL)
        g_ptr_array_add (cards, child);
    }

  return cards;
}

/* Which cards are seen: those within the scrolled area, or half a screen
 * from it (so a card scrolled into view is up to date already). Run after
 * layout (an idle below the redraw priority), when every card is where it
 * will be drawn. */
static gboolean
check_visibility (gpointer data)
{
  PdWindow             *self = data;
  GtkWidget            *scrolled = gtk_widget_get_parent (GTK_WIDGET (self->grid_view));
  int                   height = gtk_widget_get_height (scrolled);
  g_autoptr (GPtrArray) cards = made_cards (self);

  self->visibility_id = 0;
  for (guint i = 0; i < cards->len; i++)
    {
      GtkWidget      *card = g_ptr_array_index (cards, i);
      graphene_rect_t bounds;
      gboolean        seen;

      seen = gtk_widget_get_mapped (card) && gtk_widget_compute_bounds (card, scrolled, &bounds) &&
             bounds.origin.y + bounds.size.height > -height / 2 && bounds.origin.y < height + height / 2;
      pd_printer_card_set_in_view (PD_PRINTER_CARD (card), seen);
    }

  return G_SOURCE_REMOVE;
}

static void
queue_visibility_check (PdWindow *self)
{
  if (self->visibility_id == 0)
    self->visibility_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, check_visibility, self, NULL);
}

/* Making a card (its template, its AMS strip, its tooltips) takes a few
 * milliseconds, and GTK 4.8's grid makes one for every printer, not only for
 * those in view: a hundred printers put whole seconds before the window's
 * first frame. So the grid's model grows by a few cards a frame, in sorted
 * order: the window is drawn first, the cards in view next, the rest while
 * the window stays responsive. The same after a filter shows many again.
 */
#define FILL_BUDGET_US      (20 * 1000) /* a frame's share, once the view is full */
#define FILL_VIEW_BUDGET_US (60 * 1000) /* until the view is full */

/* Whether every card the view has room for is made and placed: all of
 * them, or the last one made reaches below the view. */
static gboolean
view_filled (PdWindow *self)
{
  GtkWidget            *scrolled = gtk_widget_get_parent (GTK_WIDGET (self->grid_view));
  int                   height = gtk_widget_get_height (scrolled);
  g_autoptr (GPtrArray) cards = NULL;

  if (gtk_slice_list_model_get_size (self->shown) >= g_list_model_get_n_items (G_LIST_MODEL (self->sorted)))
    return TRUE;

  cards = made_cards (self);
  for (guint i = 0; i < cards->len; i++)
    {
      graphene_rect_t bounds;

      if (gtk_widget_compute_bounds (g_ptr_array_index (cards, i), scrolled, &bounds) &&
          bounds.size.height > 0 && bounds.origin.y + bounds.size.height >= height)
        return TRUE;
    }

  return FALSE;
}

static gboolean
fill_tick (GtkWidget     *widget,
           GdkFrameClock *clock,
           gpointer       data)
{
  PdWindow *self = PD_WINDOW (widget);
  guint     n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  guint     size = gtk_slice_list_model_get_size (self->shown);
  gint64    budget, start;

  /* The first tick is in the window's first frame: that one is drawn
   * without cards. */
  if (!self->first_frame)
    {
      self->first_frame = TRUE;
      return G_SOURCE_CONTINUE;
    }

  /* Fewer to show (filtered out, removed): the next ones are made anew. */
  if (size > n)
    gtk_slice_list_model_set_size (self->shown, size = n);

  budget = view_filled (self) ? FILL_BUDGET_US : FILL_VIEW_BUDGET_US;
  start = g_get_monotonic_time ();
  /* One at a time: the grid makes a card as its item is added. At least
   * one a frame, however slow the machine. */
  while (size < n)
    {
      gtk_slice_list_model_set_size (self->shown, ++size);
      if (g_get_monotonic_time () - start >= budget)
        break;
    }

  if (size < n)
    return G_SOURCE_CONTINUE;

  self->fill_id = 0;
  return G_SOURCE_REMOVE;
}

static void
queue_fill (PdWindow *self)
{
  if (self->fill_id == 0 &&
      gtk_slice_list_model_get_size (self->shown) != g_list_model_get_n_items (G_LIST_MODEL (self->sorted)))
    self->fill_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), fill_tick, NULL, NULL);
}

static void
bind_card (PdWindow                 *self,
           GtkListItem              *item,
           GtkSignalListItemFactory *factory)
{
  PdPrinterCard *card = PD_PRINTER_CARD (gtk_list_item_get_child (item));

  pd_printer_card_set_humidity_thresholds (card, self->humidity_fair, self->humidity_high);
  /* parented by now: the card names the grid's cell as well */
  pd_printer_card_set_printer (card, gtk_list_item_get_item (item));
  queue_visibility_check (self);
}

static void
unbind_card (PdWindow                 *self,
             GtkListItem              *item,
             GtkSignalListItemFactory *factory)
{
  pd_printer_card_set_printer (PD_PRINTER_CARD (gtk_list_item_get_child (item)), NULL);
}

static void
on_card_activated (PdWindow    *self,
                   guint        position,
                   GtkGridView *grid_view)
{
  g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (printer != NULL)
    pd_window_show_printer (self, printer);
}

/* The empty page points at printers that announced themselves. */
static void
on_discovered_changed (PdWindow *self)
{
  GtkApplication  *app = gtk_window_get_application (GTK_WINDOW (self));
  PdDiscovery     *discovery = app != NULL ? pd_application_get_discovery (PD_APPLICATION (app)) : NULL;
  guint            n = discovery != NULL ? g_list_model_get_n_items (G_LIST_MODEL (discovery)) : 0;
  g_autofree char *description = NULL;

  if (n == 0)
    description = g_strdup (_("Add a Bambu Lab printer with its address, serial number and access code. "
                              "Printers on this network are found for you."));
  else
    description = g_strdup_printf (ngettext ("%u printer was found on this network. Add it with its access code.",
                                             "%u printers were found on this network. Add them with their access codes.", n),
                                   n);
  adw_status_page_set_description (self->empty_page, description);
}

static void
on_keyring_error (PdWindow *self)
{
  const char *error = pd_printer_store_get_keyring_error (self->store);

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Access codes cannot be read: %s"), error);

      gtk_label_set_label (self->keyring_label, text);
    }
  gtk_revealer_set_reveal_child (self->keyring_revealer, error != NULL);
}

/* Actions ---------------------------------------------------------------------*/

static void
on_sort_order_changed (PdWindow   *self,
                       const char *key,
                       GSettings  *settings)
{
  g_free (self->sort_order);
  self->sort_order = g_settings_get_string (settings, "sort-order");
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
on_status_filter_changed (PdWindow   *self,
                          const char *key,
                          GSettings  *settings)
{
  g_free (self->status_filter);
  self->status_filter = g_settings_get_string (settings, "status-filter");
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_page (self);
}

static void
retry_keyring (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  PdWindow *self = PD_WINDOW (widget);

  pd_printer_store_retry_secrets (self->store);
}

static void
show_printers (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  PdWindow *self = PD_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "printers");
}

/* Opens the health dialog of the printer named by its serial; one dialog
 * per printer, presented again if it is open.
 */
static void
show_health (GtkWidget  *widget,
             const char *action,
             GVariant   *parameter)
{
  PdWindow   *self = PD_WINDOW (widget);
  const char *serial = g_variant_get_string (parameter, NULL);
  PdPrinter  *printer = self->store != NULL ? pd_printer_store_find (self->store, serial) : NULL;
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget  *dialog;

  if (printer == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (PD_IS_HMS_DIALOG (toplevel) && pd_hms_dialog_get_printer (PD_HMS_DIALOG (toplevel)) == printer &&
          gtk_window_get_transient_for (toplevel) == GTK_WINDOW (self))
        {
          gtk_window_present (toplevel);
          return;
        }
    }

  dialog = pd_hms_dialog_new (printer);
  /* for its app.update-hms button */
  gtk_window_set_application (GTK_WINDOW (dialog), gtk_window_get_application (GTK_WINDOW (self)));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject -----------------------------------------------------------------------*/

static gboolean
pd_window_close_request (GtkWindow *window)
{
  PdWindow  *self = PD_WINDOW (window);
  GSettings *settings = window_settings (self);
  int        width, height;

  if (settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (pd_window_parent_class)->close_request (window);
}

/* After construction: GtkWindow:application is only set once constructed()
 * has run.
 */
/* The AMS humidity thresholds, for every card and the page */
static void
on_humidity_changed (PdWindow   *self,
                     const char *key,
                     GSettings  *settings)
{
  self->humidity_fair = g_settings_get_uint (settings, "humidity-fair");
  self->humidity_high = g_settings_get_uint (settings, "humidity-high");

  {
    g_autoptr (GPtrArray) cards = made_cards (self);

    for (guint i = 0; i < cards->len; i++)
      pd_printer_card_set_humidity_thresholds (g_ptr_array_index (cards, i), self->humidity_fair, self->humidity_high);
  }
  pd_printer_page_set_humidity_thresholds (self->printer_page, self->humidity_fair, self->humidity_high);
}

static void
setup (PdWindow *self)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
  GSettings      *settings;

  self->filter = gtk_custom_filter_new (filter_printer, self, NULL);
  self->sorter = gtk_custom_sorter_new (sort_printers, self, NULL);

  self->store = g_object_ref (pd_application_get_store (PD_APPLICATION (app)));
  g_signal_connect_object (self->store, "items-changed", G_CALLBACK (on_store_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->store, "notify::keyring-error", G_CALLBACK (on_keyring_error), self, G_CONNECT_SWAPPED);

  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (GTK_SORTER (self->sorter)));
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (on_sorted_items_changed), self, G_CONNECT_SWAPPED);
  {
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

    g_signal_connect_object (factory, "setup", G_CALLBACK (setup_card), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (factory, "bind", G_CALLBACK (bind_card), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_card), self, G_CONNECT_SWAPPED);
    gtk_grid_view_set_factory (self->grid_view, factory);
    g_object_unref (factory);
    self->shown = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->sorted)), 0, 0);
    gtk_grid_view_set_model (self->grid_view,
                             GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->shown)))));
  }
  /* the cards are made after the first frame, a few a frame */
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (queue_fill), self, G_CONNECT_SWAPPED);
  queue_fill (self);
  /* scrolled, resized, or the cards moved */
  {
    GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->grid_view));

    g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (queue_visibility_check), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (adjustment, "changed", G_CALLBACK (queue_visibility_check), self, G_CONNECT_SWAPPED);
    g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (queue_visibility_check), self, G_CONNECT_SWAPPED);
  }

  if ((settings = window_settings (self)) != NULL)
    {
      g_autoptr (GAction) sort_action = g_settings_create_action (settings, "sort-order");
      g_autoptr (GAction) filter_action = g_settings_create_action (settings, "status-filter");

      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));

      g_action_map_add_action (G_ACTION_MAP (self), sort_action);
      g_action_map_add_action (G_ACTION_MAP (self), filter_action);
      g_signal_connect_object (settings, "changed::sort-order", G_CALLBACK (on_sort_order_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::status-filter", G_CALLBACK (on_status_filter_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::humidity-fair", G_CALLBACK (on_humidity_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (settings, "changed::humidity-high", G_CALLBACK (on_humidity_changed), self, G_CONNECT_SWAPPED);
      on_sort_order_changed (self, "sort-order", settings);
      on_status_filter_changed (self, "status-filter", settings);
      on_humidity_changed (self, "humidity-fair", settings);
    }

  on_store_items_changed (self, 0, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)), G_LIST_MODEL (self->store));
  on_keyring_error (self);
  pd_printer_page_set_store (self->printer_page, self->store);

  gtk_widget_set_visible (self->demo_button, pd_application_can_demo (PD_APPLICATION (app)));
  if (pd_application_get_discovery (PD_APPLICATION (app)) != NULL)
    g_signal_connect_object (pd_application_get_discovery (PD_APPLICATION (app)), "items-changed",
                             G_CALLBACK (on_discovered_changed), self, G_CONNECT_SWAPPED);
  on_discovered_changed (self);
}

static void
pd_window_dispose (GObject *object)
{
  PdWindow *self = PD_WINDOW (object);

  g_clear_handle_id (&self->resort_id, g_source_remove);
  g_clear_handle_id (&self->visibility_id, g_source_remove);
  if (self->fill_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->fill_id);
  self->fill_id = 0;
  if (self->grid_view != NULL)
    gtk_grid_view_set_model (self->grid_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PD_TYPE_WINDOW);
  g_clear_object (&self->shown);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->sorter);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->watched, g_hash_table_unref);
  g_clear_pointer (&self->sort_keys, g_hash_table_unref);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pd_window_parent_class)->dispose (object);
}

static void
pd_window_finalize (GObject *object)
{
  PdWindow *self = PD_WINDOW (object);

  g_free (self->sort_order);
  g_free (self->status_filter);

  G_OBJECT_CLASS (pd_window_parent_class)->finalize (object);
}

static void
pd_window_class_init (PdWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pd_window_dispose;
  object_class->finalize = pd_window_finalize;
  window_class->close_request = pd_window_close_request;

  g_type_ensure (PD_TYPE_PRINTER_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE_PATH "/ui/pd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, keyring_revealer);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, view_button);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, grid_view);
  gtk_widget_class_bind_template_child (widget_class, PdWindow, printer_page);
  gtk_widget_class_bind_template_callback (widget_class, on_card_activated);

  gtk_widget_class_install_action (widget_class, "win.retry-keyring", NULL, retry_keyring);
  gtk_widget_class_install_action (widget_class, "win.show-printers", NULL, show_printers);
  gtk_widget_class_install_action (widget_class, "win.show-health", "s", show_health);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.show-printers", NULL);
}

static void
pd_window_init (PdWindow *self)
{
  self->watched = g_hash_table_new_full (NULL, NULL, g_object_unref, (GDestroyNotify) placing_free);
  self->sort_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->sort_order = g_strdup ("name");
  self->humidity_fair = PD_HUMIDITY_DEFAULT_FAIR;
  self->humidity_high = PD_HUMIDITY_DEFAULT_HIGH;
  self->status_filter = g_strdup ("all");

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The symbolic icon is in the GResource, under the release id. */
  adw_status_page_set_icon_name (self->empty_page, BASE_ID "-symbolic");

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

PdWindow *
pd_window_new (PdApplication *application)
{
  PdWindow *self;

  g_return_val_if_fail (PD_IS_APPLICATION (application), NULL);

  self = g_object_new (PD_TYPE_WINDOW, "application", application, NULL);
  setup (self);

  return self;
}

/**
 * pd_window_show_printer:
 * @self: the window
 * @printer: one of the store's printers
 *
 * Opens the printer's page.
 */
void
pd_window_show_printer (PdWindow  *self,
                        PdPrinter *printer)
{
  g_return_if_fail (PD_IS_WINDOW (self));
  g_return_if_fail (PD_IS_PRINTER (printer));

  pd_printer_page_set_printer (self->printer_page, printer, pd_printer_store_get_session (self->store, printer));
  adw_leaflet_set_visible_child_name (self->leaflet, "printer");
}

/**
 * pd_window_add_toast:
 * @self: the window
 * @title: what to say, briefly
 */
void
pd_window_add_toast (PdWindow   *self,
                     const char *title)
{
  g_return_if_fail (PD_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b,
                   gpointer      data)
{
  GListModel *model = data;
  guint       n = g_list_model_get_n_items (model);
  PdPrinter  *printer_a = pd_printer_card_get_printer ((PdPrinterCard *) a);
  PdPrinter  *printer_b = pd_printer_card_get_printer ((PdPrinterCard *) b);
  guint       position_a = n, position_b = n;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PdPrinter) printer = g_list_model_get_item (model, i);

      if (printer == printer_a)
        position_a = i;
      if (printer == printer_b)
        position_b = i;
    }

  return position_a < position_b ? -1 : position_a > position_b;
}

/* (transfer container): the cards made now, in the order shown */
GList *
_pd_window_get_cards (PdWindow *self)
{
  g_autoptr (GPtrArray) cards = made_cards (self);
  GList                *list = NULL;

  for (guint i = cards->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (cards, i - 1));

  return g_list_sort_with_data (list, compare_positions, self->sorted);
}

/* (nullable): the card made now for the printer with @serial */
PdPrinterCard *
_pd_window_find_card (PdWindow   *self,
                      const char *serial)
{
  g_autoptr (GPtrArray) cards = made_cards (self);

  for (guint i = 0; i < cards->len; i++)
    if (g_strcmp0 (pd_printer_get_serial (pd_printer_card_get_printer (g_ptr_array_index (cards, i))), serial) == 0)
      return g_ptr_array_index (cards, i);

  return NULL;
}

/**
 * pd_window_get_cards_in_view:
 * @self: the window
 *
 * The cards are made after the window's first frame, a few a frame (those
 * in view first): for the start-up timing.
 *
 * Returns: %TRUE once every card the view has room for is made and placed
 */
gboolean
pd_window_get_cards_in_view (PdWindow *self)
{
  g_return_val_if_fail (PD_IS_WINDOW (self), FALSE);

  return view_filled (self);
}

/**
 * pd_window_get_all_cards_made:
 * @self: the window
 *
 * Returns: %TRUE once every printer shown (after the filter) has its card
 */
gboolean
pd_window_get_all_cards_made (PdWindow *self)
{
  g_return_val_if_fail (PD_IS_WINDOW (self), FALSE);

  return gtk_slice_list_model_get_size (self->shown) >= g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

GtkGridView *
_pd_window_get_grid_view (PdWindow *self)
{
  return self->grid_view;
}

PdPrinterPage *
_pd_window_get_printer_page (PdWindow *self)
{
  return self->printer_page;
}
