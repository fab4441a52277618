/* pd-test-util.h — shared helpers for the tests
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "pd-printer.h"
#include "pd-report.h"
#include "pd-state.h"

G_BEGIN_DECLS

char       *pd_test_fixture_path (const char *name);
char       *pd_test_load_fixture (const char *name,
                                  gsize      *length);
PdState    *pd_test_merge_text (PdState    *state,
                                const char *json);
PdState    *pd_test_merge_fixture (PdState    *state,
                                   const char *name);
void        pd_test_apply_text (PdPrinter  *printer,
                                const char *json);
void        pd_test_apply_fixture (PdPrinter  *printer,
                                   const char *name);
JsonNode   *pd_test_doc_get (PdState    *state,
                             const char *path);
gboolean    pd_test_doc_is_null (PdState    *state,
                                 const char *path);
gint64      pd_test_doc_int (PdState    *state,
                             const char *path);
double      pd_test_doc_double (PdState    *state,
                                const char *path);
const char *pd_test_doc_string (PdState    *state,
                                const char *path);
gboolean    pd_test_doc_bool (PdState    *state,
                              const char *path);
guint       pd_test_doc_length (PdState    *state,
                                const char *path);

/* Iterates the default main context until @condition holds or @seconds
 * pass; the loop is bounded in time. */
typedef gboolean (*PdTestCondition) (gpointer data);

gboolean pd_test_wait_until (PdTestCondition condition,
                             gpointer        data,
                             guint           seconds);

/* Iterates the default main context for @milliseconds. */
void     pd_test_spin (guint milliseconds);

/* An async call's result: pass pd_test_store_result and a GAsyncResult *
 * (set to NULL) as callback and data, then wait for it, bounded in time. */
void     pd_test_store_result (GObject      *source,
                               GAsyncResult *result,
                               gpointer      data);
gboolean pd_test_wait_for_result (GAsyncResult **result,
                                  guint          seconds);

/* Removes a temporary folder and what is in it. */
void     pd_test_remove_tree (const char *path);

/* Counts notify emissions per property name. */
typedef struct
{
  GHashTable *counts;
  GObject    *object;
  gulong      handler;
} PdNotifyCounter;

void  pd_notify_counter_init (PdNotifyCounter *counter,
                              gpointer         object);
void  pd_notify_counter_clear (PdNotifyCounter *counter);
guint pd_notify_counter_get (PdNotifyCounter *counter,
                             const char      *property);
guint pd_notify_counter_total (PdNotifyCounter *counter);
void  pd_notify_counter_reset (PdNotifyCounter *counter);

/* A program run to its end: its exit status and what it printed. */
typedef struct
{
  int   status;
  char *out;
  char *err;
} PdTestRun;

void pd_test_run_clear (PdTestRun *run);
/* Runs @argv (with @launcher's environment, or this process's when NULL)
 * and waits for it; the program must exit (not be killed). */
void pd_test_run       (PdTestRun           *run,
                        GSubprocessLauncher *launcher,
                        const char *const   *argv);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PdTestRun, pd_test_run_clear)

/* The secret of @schema whose @name is @value, read from the keyring
 * directly (NULL when there is none); fails the test on an error. */
char *pd_test_keyring_lookup (const SecretSchema *schema,
                              const char         *name,
                              const char         *value);

G_END_DECLS
