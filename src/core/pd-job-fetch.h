/* pd-job-fetch.h — downloading a job's file from the printer over FTPS
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printers serve their storage over implicit FTPS (vsFTPd on port 990,
 * user "bblp", the LAN access code as password); reference/ftps-3mf.md §1
 * has the facts. The transfer runs with libcurl on a worker thread, tries
 * the candidate paths in order on one connection, and checks the printer's
 * certificate by its SHA-256 fingerprint (the printers' certificates name
 * their serial, not their address, so a CA check alone proves little).
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_JOB_FETCH_ERROR (pd_job_fetch_error_quark ())

/* Cancellation is G_IO_ERROR_CANCELLED, not an error of this domain. */
typedef enum
{
  PD_JOB_FETCH_ERROR_UNREACHABLE, /* no connection, or no TLS handshake */
  PD_JOB_FETCH_ERROR_LOGIN,       /* 530: the access code was refused */
  PD_JOB_FETCH_ERROR_NOT_FOUND,   /* none of the candidate paths exists */
  PD_JOB_FETCH_ERROR_TOO_LARGE,   /* larger than the caller's limit */
  PD_JOB_FETCH_ERROR_STALLED,     /* the transfer stopped moving */
  PD_JOB_FETCH_ERROR_CERTIFICATE, /* not the pinned certificate */
  PD_JOB_FETCH_ERROR_FAILED,      /* anything else the server or link did */
} PdJobFetchError;

#define PD_JOB_FETCH_DEFAULT_PORT 990

typedef struct
{
  const char *username;      /* NULL: "bblp"; a test server may want "anonymous" */
  gboolean    clear_data;    /* TLS on the control connection only (PROT C), the
                              * fallback A1 printers need (reference/ftps-3mf.md §1.3) */
  guint       stall_seconds; /* a transfer that moves nothing this long fails
                              * (STALLED); 0: 30 */
  const char *serial;        /* the printer's serial, for pd_cert_policy_check():
                              * a Bambu-signed certificate for it is trusted;
                              * NULL: only @pinned_fingerprint vouches */
} PdJobFetchOptions;

GQuark      pd_job_fetch_error_quark (void);

/* The certificate is judged by pd_cert_policy_check(), like MQTT's and the
 * cameras': Bambu-signed for @options->serial, or @pinned_fingerprint (the
 * SHA-256 of the printer's certificate, "AB:CD:…", case and colons
 * ignored); with neither, any certificate is taken as on first use, and
 * pd_job_fetch_get_fingerprint() then tells which one was seen. @paths
 * are tried in order ("/cache/Benchy.3mf", "/Benchy.gcode.3mf"); a missing
 * file moves on to the next. @options may be NULL for the defaults. */
void        pd_job_fetch_async (const char         *host,
                                guint               port,
                                const char         *access_code,
                                const char         *pinned_fingerprint,
                                const char *const  *paths,
                                gsize               max_bytes,
                                const PdJobFetchOptions *options,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data);
GBytes     *pd_job_fetch_finish (GAsyncResult *result,
                                 char        **fetched_path,
                                 GError      **error);

/* The SHA-256 fingerprint of the certificate the server presented, or NULL
 * when no handshake got that far; valid as long as @result. */
const char *pd_job_fetch_get_fingerprint (GAsyncResult *result);

G_END_DECLS
