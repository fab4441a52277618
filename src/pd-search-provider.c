/* pd-search-provider.c — the printers in GNOME Shell's search
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * org.gnome.Shell.SearchProvider2 on the app's own bus connection, at the
 * app's object path + "/SearchProvider" (data/…search-provider.ini.in says
 * where to the Shell). The interface comes from gdbus-codegen, as in GNOME
 * Calendar and Nautilus.
 *
 * A result is a printer, by serial. A printer matches when every term is
 * the start of a word of its name, model, serial or current job, case and
 * accents aside (g_str_match_string()). Its description says what the card
 * says: "Printing, 42 %, 1 h 13 min left", "Idle", "Offline", an error.
 * Activating a result opens the printer's page (app.show-printer), the app
 * icon opens the window (app.show-window): both make the window if none is
 * open, as when the Shell started the app in the background.
 */

#define G_LOG_DOMAIN "pd-search-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "pd-enums.h"
#include "pd-format.h"
#include "pd-search-provider.h"
#include "pd-shell-search-provider-generated.h"
#include "pd-window.h"

/* The printer list is read on a thread at startup. When the Shell starts
 * the app for a search, its first call comes before the list is there; an
 * empty store that young is waited for, this long at most.
 */
#define STARTUP_GRACE_MS 2000

/* The Shell calls once per key typed. An app it started for a search has
 * no window to keep it running: it stays this long after the last call,
 * so the next call does not start it (and its printer sessions) again.
 */
#define LINGER_SECONDS 10

typedef struct
{
  GDBusMethodInvocation *invocation;
  GStrv                  previous; /* NULL for an initial search */
  GStrv                  terms;
} Query;

struct _PdSearchProvider
{
  GObject                 parent_instance;

  PdApplication          *application; /* weak: it owns us */
  PdShellSearchProvider2 *skeleton;
  gint64                  created; /* monotonic, µs */

  GPtrArray              *pending; /* Query, waiting for the printer list */
  PdPrinterStore         *waited_store;
  gulong                  items_changed_id;
  guint                   grace_id;
  guint                   linger_id; /* holds the app while set */
};

G_DEFINE_FINAL_TYPE (PdSearchProvider, pd_search_provider, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APPLICATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
on_linger_over (gpointer data)
{
  PdSearchProvider *self = data;

  self->linger_id = 0;
  if (self->application != NULL)
    g_application_release (G_APPLICATION (self->application));

  return G_SOURCE_REMOVE;
}

/* Each call holds the app: one the Shell started in the background quits
 * once idle, and must not do so with a call half done (Nautilus does the
 * same); then it lingers (LINGER_SECONDS).
 */
static void
hold (PdSearchProvider *self)
{
  if (self->application == NULL)
    return;

  g_application_hold (G_APPLICATION (self->application));
  if (self->linger_id != 0)
    g_source_remove (self->linger_id);
  else
    g_application_hold (G_APPLICATION (self->application));
  self->linger_id = g_timeout_add_seconds (LINGER_SECONDS, on_linger_over, self);
}

static void
release (PdSearchProvider *self)
{
  if (self->application != NULL)
    g_application_release (G_APPLICATION (self->application));
}

static PdPrinterStore *
get_store (PdSearchProvider *self)
{
  return self->application != NULL ? pd_application_get_store (self->application) : NULL;
}

static void
query_free (Query *query)
{
  g_clear_object (&query->invocation);
  g_strfreev (query->previous);
  g_strfreev (query->terms);
  g_free (query);
}

/* Matching ------------------------------------------------------------------------*/

static gboolean
term_matches (PdPrinter  *printer,
              const char *term)
{
  PdJob      *job = pd_printer_get_job (printer);
  const char *fields[] = {
    pd_printer_get_name (printer),
    pd_printer_get_model_name (printer),
    pd_printer_get_model (printer),
    pd_printer_get_serial (printer),
    job != NULL ? pd_job_get_name (job) : NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (fields[i] != NULL && g_str_match_string (term, fields[i], TRUE))
      return TRUE;

  return FALSE;
}

static gboolean
printer_matches (PdPrinter         *printer,
                 const char *const *terms)
{
  if (terms == NULL || terms[0] == NULL)
    return FALSE;

  for (guint i = 0; terms[i] != NULL; i++)
    if (!term_matches (printer, terms[i]))
      return FALSE;

  return TRUE;
}

/* The serials of the printers that match: of all of them, in the store's
 * order, or of @previous (a subsearch), in its order.
 */
static GStrv
find_printers (PdSearchProvider  *self,
               const char *const *previous,
               const char *const *terms)
{
  PdPrinterStore          *store = get_store (self);
  g_autoptr (GStrvBuilder) results = g_strv_builder_new ();

  if (store == NULL)
    return g_strv_builder_end (results);

  if (previous != NULL)
    {
      for (guint i = 0; previous[i] != NULL; i++)
        {
          PdPrinter *printer = pd_printer_store_find (store, previous[i]);

          if (printer != NULL && printer_matches (printer, terms))
            g_strv_builder_add (results, previous[i]);
        }
    }
  else
    {
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++)
        {
          g_autoptr (PdPrinter) printer = g_list_model_get_item (G_LIST_MODEL (store), i);

          if (printer_matches (printer, terms))
            g_strv_builder_add (results, pd_printer_get_serial (printer));
        }
    }

  return g_strv_builder_end (results);
}

/* Metas ---------------------------------------------------------------------------*/

static gboolean
is_offline (PdPrinter *printer)
{
  return pd_printer_get_status (printer) == PD_STATUS_OFFLINE ||
         pd_printer_get_connection (printer) == PD_CONNECTION_DISCONNECTED;
}

/* What the card says, in one line. */
static char *
describe (PdPrinter *printer)
{
  PdStatus         status = pd_printer_get_status (printer);
  PdJob           *job = pd_printer_get_job (printer);
  int              progress = job != NULL ? pd_job_get_progress (job) : -1;
  int              remaining = job != NULL ? pd_job_get_remaining_minutes (job) : -1;
  const char      *print_error = pd_printer_get_print_error (printer);
  PdSeverity       hms = pd_printer_get_hms_level (printer);
  g_autofree char *text = NULL;

  if (is_offline (printer))
    return g_strdup (pd_status_to_label (PD_STATUS_OFFLINE));

  switch (status)
    {
    case PD_STATUS_PRINTING:
      if (progress >= 0 && remaining >= 0)
        {
          g_autofree char *left = pd_format_duration (remaining);

          /* TRANSLATORS: a printer in GNOME Shell's search, "Printing, 42 %, 1 h 13 min left" */
          text = g_strdup_printf (_("Printing, %d %%, %s left"), progress, left);
        }
      else if (progress >= 0)
        /* TRANSLATORS: a printer in GNOME Shell's search, "Printing, 42 %" */
        text = g_strdup_printf (_("Printing, %d %%"), progress);
      break;

    case PD_STATUS_PAUSED:
      if (progress >= 0)
        /* TRANSLATORS: a printer in GNOME Shell's search, "Paused, 42 %" */
        text = g_strdup_printf (_("Paused, %d %%"), progress);
      break;

    case PD_STATUS_UNKNOWN:
      if (pd_printer_get_connection (printer) == PD_CONNECTION_CONNECTING)
        text = g_strdup (pd_connection_to_label (PD_CONNECTION_CONNECTING));
      break;

    case PD_STATUS_IDLE:
    case PD_STATUS_PREPARING:
    case PD_STATUS_FINISHED:
    case PD_STATUS_FAILED:
    case PD_STATUS_CANCELLED:
    case PD_STATUS_OFFLINE:
    default:
      break;
    }
  if (text == NULL)
    text = g_strdup (pd_status_to_label (status));

  /* A cancelled job carries the print error that says so: not a fault. */
  if (print_error != NULL && status != PD_STATUS_CANCELLED)
    {
      g_autofree char *with_error = NULL;

      /* TRANSLATORS: a printer's state and the error that stopped it, "Failed, error 0700_8006" */
      with_error = g_strdup_printf (_("%s, error %s"), text, print_error);
      g_free (text);
      text = g_steal_pointer (&with_error);
    }

  if (hms >= PD_SEVERITY_SERIOUS)
    {
      guint            n = g_list_model_get_n_items (pd_printer_get_hms_errors (printer));
      g_autofree char *summary = pd_format_hms_summary (hms, n);
      g_autofree char *with_hms = NULL;

      /* TRANSLATORS: a printer's state and its health warnings, "Printing, 42 % — 1 health warning, highest: serious" */
      with_hms = g_strdup_printf (_("%s — %s"), text, summary);
      g_free (text);
      text = g_steal_pointer (&with_hms);
    }

  return g_steal_pointer (&text);
}

/* The card's status icon (its health icon when that is worse), falling
 * back on the app's own.
 */
static GIcon *
printer_icon (PdPrinter *printer)
{
  PdSeverity  hms = pd_printer_get_hms_level (printer);
  const char *names[] = { NULL, APPLICATION_ID, NULL };

  if (is_offline (printer))
    names[0] = pd_status_icon_name (PD_STATUS_OFFLINE);
  else if (hms >= PD_SEVERITY_SERIOUS)
    names[0] = pd_severity_icon_name (hms);
  else
    names[0] = pd_status_icon_name (pd_printer_get_status (printer));

  return g_themed_icon_new_from_names ((char **) names, -1);
}

static GVariant *
printer_meta (PdPrinter *printer)
{
  g_autoptr (GIcon)    icon = printer_icon (printer);
  g_autoptr (GVariant) serialized = g_icon_serialize (icon);
  g_autofree char     *icon_string = g_icon_to_string (icon);
  g_autofree char     *description = describe (printer);
  GVariantDict         meta;

  g_variant_dict_init (&meta, NULL);
  g_variant_dict_insert (&meta, "id", "s", pd_printer_get_serial (printer));
  g_variant_dict_insert (&meta, "name", "s", pd_format_printer_name (printer));
  g_variant_dict_insert (&meta, "description", "s", description);
  /* Both forms the interface knows: a serialized GIcon, and its string. */
  g_variant_dict_insert_value (&meta, "icon", serialized);
  g_variant_dict_insert (&meta, "gicon", "s", icon_string);

  return g_variant_dict_end (&meta);
}

/* Waiting for the printer list -------------------------------------------------------*/

/* Returns @invocation (and the reference to it). */
static void
answer (PdSearchProvider      *self,
        GDBusMethodInvocation *invocation,
        const char *const     *previous,
        const char *const     *terms)
{
  g_auto (GStrv) results = find_printers (self, previous, terms);

  g_debug ("%u result(s) for %u term(s)", g_strv_length (results), g_strv_length ((GStrv) terms));
  /* Both result-set methods return (as). */
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", results));
}

static void
answer_pending (PdSearchProvider *self)
{
  g_autoptr (GPtrArray) pending = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) query_free);
  g_clear_handle_id (&self->grace_id, g_source_remove);
  if (self->waited_store != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->waited_store);
  g_clear_object (&self->waited_store);

  for (guint i = 0; i < pending->len; i++)
    {
      Query *query = g_ptr_array_index (pending, i);

      answer (self, g_steal_pointer (&query->invocation), (const char *const *) query->previous,
              (const char *const *) query->terms);
      release (self);
    }
}

static void
on_store_items_changed (PdSearchProvider *self)
{
  answer_pending (self);
}

static gboolean
on_grace_over (gpointer data)
{
  PdSearchProvider *self = data;

  self->grace_id = 0;
  answer_pending (self);

  return G_SOURCE_REMOVE;
}

/* Answers now, or once the printer list is read (see STARTUP_GRACE_MS);
 * takes the reference to @invocation.
 */
static void
search (PdSearchProvider      *self,
        GDBusMethodInvocation *invocation,
        const char *const     *previous,
        const char *const     *terms)
{
  PdPrinterStore *store = get_store (self);
  gint64          waited_ms = (g_get_monotonic_time () - self->created) / 1000;
  Query          *query;

  hold (self);

  if (store == NULL || g_list_model_get_n_items (G_LIST_MODEL (store)) > 0 || waited_ms >= STARTUP_GRACE_MS)
    {
      answer (self, invocation, previous, terms);
      release (self);
      return;
    }

  g_debug ("Waiting for the printer list to answer");
  query = g_new0 (Query, 1);
  query->invocation = invocation;
  query->previous = g_strdupv ((GStrv) previous);
  query->terms = g_strdupv ((GStrv) terms);
  g_ptr_array_add (self->pending, query);

  if (self->waited_store == NULL)
    {
      self->waited_store = g_object_ref (store);
      self->items_changed_id = g_signal_connect_swapped (store, "items-changed", G_CALLBACK (on_store_items_changed),
                                                         self);
    }
  if (self->grace_id == 0)
    self->grace_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (STARTUP_GRACE_MS - waited_ms), on_grace_over,
                                         self, NULL);
}

/* The main window, made if needed, brought up with the Shell's timestamp. */
static void
present_with_time (PdSearchProvider *self,
                   guint32           timestamp)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self->application)); l != NULL; l = l->next)
    if (PD_IS_WINDOW (l->data))
      {
        gtk_window_present_with_time (l->data, timestamp);
        break;
      }
}

/* D-Bus methods -----------------------------------------------------------------------*/

/* The handlers own @invocation: each returns it, now or later (the return
 * takes the reference), and tells the skeleton so.
 */

static gboolean
on_get_initial_result_set (PdSearchProvider       *self,
                           GDBusMethodInvocation  *invocation,
                           const char *const      *terms,
                           PdShellSearchProvider2 *skeleton)
{
  search (self, invocation, NULL, terms);

  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_get_subsearch_result_set (PdSearchProvider       *self,
                             GDBusMethodInvocation  *invocation,
                             const char *const      *previous,
                             const char *const      *terms,
                             PdShellSearchProvider2 *skeleton)
{
  search (self, invocation, previous, terms);

  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_get_result_metas (PdSearchProvider       *self,
                     GDBusMethodInvocation  *invocation,
                     const char *const      *identifiers,
                     PdShellSearchProvider2 *skeleton)
{
  PdPrinterStore *store = get_store (self);
  GVariantBuilder metas;

  hold (self);
  g_variant_builder_init (&metas, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; store != NULL && identifiers[i] != NULL; i++)
    {
      PdPrinter *printer = pd_printer_store_find (store, identifiers[i]);

      /* Removed since the search: left out, the Shell drops the result. */
      if (printer != NULL)
        g_variant_builder_add_value (&metas, printer_meta (printer));
    }
  pd_shell_search_provider2_complete_get_result_metas (skeleton, invocation, g_variant_builder_end (&metas));
  release (self);

  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
on_activate_result (PdSearchProvider       *self,
                    GDBusMethodInvocation  *invocation,
                    const char             *identifier,
                    const char *const      *terms,
                    guint                   timestamp,
                    PdShellSearchProvider2 *skeleton)
{
  hold (self);
  g_debug ("Showing %s, from a search", identifier);
  g_action_group_activate_action (G_ACTION_GROUP (self->application), "show-printer",
                                  g_variant_new_string (identifier));
  present_with_time (self, timestamp);
  pd_shell_search_provider2_complete_activate_result (skeleton, invocation);
  release (self);

  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* The app's icon in the results: the window, all printers. */
static gboolean
on_launch_search (PdSearchProvider       *self,
                  GDBusMethodInvocation  *invocation,
                  const char *const      *terms,
                  guint                   timestamp,
                  PdShellSearchProvider2 *skeleton)
{
  hold (self);
  g_action_group_activate_action (G_ACTION_GROUP (self->application), "show-window", NULL);
  present_with_time (self, timestamp);
  pd_shell_search_provider2_complete_launch_search (skeleton, invocation);
  release (self);

  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* GObject -----------------------------------------------------------------------*/

static void
pd_search_provider_set_application (PdSearchProvider *self,
                                    PdApplication    *application)
{
  g_assert (self->application == NULL);

  self->application = application;
  if (application != NULL)
    g_object_add_weak_pointer (G_OBJECT (application), (gpointer *) &self->application);
}

static void
pd_search_provider_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PdSearchProvider *self = PD_SEARCH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      g_value_set_object (value, self->application);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_search_provider_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PdSearchProvider *self = PD_SEARCH_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_APPLICATION:
      pd_search_provider_set_application (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_search_provider_dispose (GObject *object)
{
  PdSearchProvider *self = PD_SEARCH_PROVIDER (object);

  /* Calls still waiting get what there is. */
  if (self->pending != NULL)
    answer_pending (self);
  pd_search_provider_unexport (self);
  if (self->linger_id != 0)
    {
      g_clear_handle_id (&self->linger_id, g_source_remove);
      if (self->application != NULL)
        g_application_release (G_APPLICATION (self->application));
    }
  if (self->application != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->application), (gpointer *) &self->application);
  self->application = NULL;

  G_OBJECT_CLASS (pd_search_provider_parent_class)->dispose (object);
}

static void
pd_search_provider_finalize (GObject *object)
{
  PdSearchProvider *self = PD_SEARCH_PROVIDER (object);

  g_clear_object (&self->skeleton);
  g_clear_pointer (&self->pending, g_ptr_array_unref);

  G_OBJECT_CLASS (pd_search_provider_parent_class)->finalize (object);
}

static void
pd_search_provider_class_init (PdSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pd_search_provider_get_property;
  object_class->set_property = pd_search_provider_set_property;
  object_class->dispose = pd_search_provider_dispose;
  object_class->finalize = pd_search_provider_finalize;

  /**
   * PdSearchProvider:application:
   *
   * The app whose printers are searched and whose window shows them.
   */
  properties[PROP_APPLICATION] =
    g_param_spec_object ("application", NULL, NULL, PD_TYPE_APPLICATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                           G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_search_provider_init (PdSearchProvider *self)
{
  self->created = g_get_monotonic_time ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) query_free);
  self->skeleton = pd_shell_search_provider2_skeleton_new ();

  g_signal_connect_object (self->skeleton, "handle-get-initial-result-set", G_CALLBACK (on_get_initial_result_set),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-get-subsearch-result-set",
                           G_CALLBACK (on_get_subsearch_result_set), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-get-result-metas", G_CALLBACK (on_get_result_metas), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-activate-result", G_CALLBACK (on_activate_result), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->skeleton, "handle-launch-search", G_CALLBACK (on_launch_search), self,
                           G_CONNECT_SWAPPED);
}

/* Public API ----------------------------------------------------------------------*/

/**
 * pd_search_provider_new:
 * @application: the app (not referenced: it owns the provider)
 *
 * Returns: (transfer full): a search provider, not exported yet
 */
PdSearchProvider *
pd_search_provider_new (PdApplication *application)
{
  g_return_val_if_fail (PD_IS_APPLICATION (application), NULL);

  return g_object_new (PD_TYPE_SEARCH_PROVIDER, "application", application, NULL);
}

/**
 * pd_search_provider_export:
 * @self: a search provider
 * @connection: the app's bus connection
 * @object_path: where, the app's object path + "/SearchProvider"
 * @error: where to put an error
 *
 * Returns: whether the provider is on the bus now
 */
gboolean
pd_search_provider_export (PdSearchProvider *self,
                           GDBusConnection  *connection,
                           const char       *object_path,
                           GError          **error)
{
  g_return_val_if_fail (PD_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->skeleton), connection, object_path,
                                           error);
}

/**
 * pd_search_provider_unexport:
 * @self: a search provider
 *
 * Takes the provider off the bus, if it is on it.
 */
void
pd_search_provider_unexport (PdSearchProvider *self)
{
  g_return_if_fail (PD_IS_SEARCH_PROVIDER (self));

  if (self->skeleton != NULL && g_dbus_interface_skeleton_get_connection (G_DBUS_INTERFACE_SKELETON (self->skeleton)))
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->skeleton));
}
