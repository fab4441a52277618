/* pd-sim-ftp.h — a printer's file storage: Debian's vsftpd over implicit TLS
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The printers serve their SD card with vsFTPd: implicit TLS, PASV, and
 * TLS session reuse required on the data connections (reference/ftps-3mf.md
 * §1). A PdSimFtp runs the real thing as a child process on a free port of
 * 127.0.0.1, with the certificate it is given. vsftpd's named users would
 * need system accounts and PAM, so the login is its anonymous user
 * (PD_SIM_FTP_USER), whose password must be the printer's access code
 * (secure_email_list): a wrong code gets 530, as on a printer.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PD_SIM_FTP_USER "anonymous"

#define PD_TYPE_SIM_FTP (pd_sim_ftp_get_type ())

G_DECLARE_FINAL_TYPE (PdSimFtp, pd_sim_ftp, PD, SIM_FTP, GObject)

/* The vsftpd program ($PDSIM_VSFTPD, else /usr/sbin/vsftpd), or NULL when
 * it is not installed. */
const char *pd_sim_ftp_find_program (void);

/* @dir is the server's own folder (made if missing): its root (the "SD
 * card"), configuration and password list. @cert_file and @key_file are PEM. */
PdSimFtp   *pd_sim_ftp_new (const char *dir,
                            const char *cert_file,
                            const char *key_file,
                            const char *password);
/* Bytes per second per transfer (vsftpd's anon_max_rate); 0: no limit.
 * Takes effect at the next start. */
void        pd_sim_ftp_set_max_rate (PdSimFtp *self,
                                     guint     bytes_per_second);
/* Starts vsftpd and waits (at most 10 s) until it listens. vsftpd dies
 * with the thread that started it, even when that crashes. */
gboolean    pd_sim_ftp_start (PdSimFtp *self,
                              GError  **error);
/* pd_sim_ftp_start() in two halves, so that many start at once: spawn
 * returns at once, wait until it listens (on another port, should the
 * first have been taken meanwhile). */
gboolean    pd_sim_ftp_spawn (PdSimFtp *self,
                              GError  **error);
gboolean    pd_sim_ftp_wait (PdSimFtp *self,
                             GError  **error);
/* Stops and starts it again on the same port, with the certificate and
 * key files as they are now (vsftpd reads them once). */
gboolean    pd_sim_ftp_restart (PdSimFtp *self,
                                GError  **error);
void        pd_sim_ftp_stop (PdSimFtp *self);
gboolean    pd_sim_ftp_is_running (PdSimFtp *self);
/* 0 until started */
guint16     pd_sim_ftp_get_port (PdSimFtp *self);
const char *pd_sim_ftp_get_root (PdSimFtp *self);

/* @path is absolute on the server ("/Benchy.gcode.3mf", "/cache/x.3mf");
 * folders are made as needed. */
gboolean    pd_sim_ftp_put_file (PdSimFtp   *self,
                                 const char *path,
                                 GBytes     *contents,
                                 GError    **error);
/* FALSE if there was no such file. */
gboolean    pd_sim_ftp_remove_file (PdSimFtp   *self,
                                    const char *path);
gboolean    pd_sim_ftp_has_file (PdSimFtp   *self,
                                 const char *path);

/* SIGSTOP / SIGCONT to vsftpd and each of its sessions: a transfer under way stops
 * moving, new connections get no greeting. Stopping resumes it first. */
void        pd_sim_ftp_set_stalled (PdSimFtp *self,
                                    gboolean  stalled);
gboolean    pd_sim_ftp_get_stalled (PdSimFtp *self);

G_END_DECLS
