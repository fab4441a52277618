/* pd-types.h — forward declarations and shared enumerations
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GLib only: this header is shared by the core (no GTK) and the UI.
 * The enumerations get GTypes from glib-mkenums (pd-enum-types.h).
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PdAmsTray     PdAmsTray;
typedef struct _PdAmsUnit     PdAmsUnit;
typedef struct _PdHmsError    PdHmsError;
typedef struct _PdJob         PdJob;
typedef struct _PdPrinter     PdPrinter;
typedef struct _PdState       PdState;
typedef struct _PdTemperature PdTemperature;

/**
 * PdConnection:
 * @PD_CONNECTION_NONE: no session watches this printer (e.g. reports read
 *   from files); shown as `null` in the state document
 * @PD_CONNECTION_DISCONNECTED: not connected (see the reason)
 * @PD_CONNECTION_CONNECTING: connecting or reconnecting
 * @PD_CONNECTION_CONNECTED: connected and receiving reports
 */
typedef enum
{
  PD_CONNECTION_NONE,
  PD_CONNECTION_DISCONNECTED,
  PD_CONNECTION_CONNECTING,
  PD_CONNECTION_CONNECTED,
} PdConnection;

/**
 * PdStatus:
 *
 * What the printer is doing, in the words the printer's own screen uses.
 * %PD_STATUS_CANCELLED is a FAILED job that the user stopped.
 */
typedef enum
{
  PD_STATUS_UNKNOWN,
  PD_STATUS_IDLE,
  PD_STATUS_PREPARING,
  PD_STATUS_PRINTING,
  PD_STATUS_PAUSED,
  PD_STATUS_FINISHED,
  PD_STATUS_FAILED,
  PD_STATUS_CANCELLED,
  PD_STATUS_OFFLINE,
} PdStatus;

/**
 * PdSeverity:
 *
 * HMS severity, ordered so that a larger value is more severe.
 * %PD_SEVERITY_NONE is the level of a printer with no active HMS entry.
 */
typedef enum
{
  PD_SEVERITY_NONE,
  PD_SEVERITY_INFO,
  PD_SEVERITY_COMMON,
  PD_SEVERITY_SERIOUS,
  PD_SEVERITY_FATAL,
} PdSeverity;

typedef enum
{
  PD_AMS_TYPE_UNKNOWN,
  PD_AMS_TYPE_AMS,
  PD_AMS_TYPE_AMS_LITE,
  PD_AMS_TYPE_AMS_2_PRO,
  PD_AMS_TYPE_AMS_HT,
} PdAmsType;

/**
 * PdExtruder:
 *
 * Which nozzle an AMS unit feeds on a dual-nozzle printer (H2D, X2D);
 * %PD_EXTRUDER_UNKNOWN on single-nozzle printers and while not known.
 */
typedef enum
{
  PD_EXTRUDER_UNKNOWN,
  PD_EXTRUDER_LEFT,
  PD_EXTRUDER_RIGHT,
} PdExtruder;

/**
 * PdHumidity:
 *
 * How humid an AMS unit is against the user's thresholds
 * (pd_ams_unit_get_humidity()).
 */
typedef enum
{
  PD_HUMIDITY_UNKNOWN,
  PD_HUMIDITY_OK,
  PD_HUMIDITY_FAIR,
  PD_HUMIDITY_HIGH,
} PdHumidity;

typedef enum
{
  PD_CAMERA_KIND_UNKNOWN,
  PD_CAMERA_KIND_NONE,
  PD_CAMERA_KIND_RTSPS,
  PD_CAMERA_KIND_JPEG,
} PdCameraKind;

/**
 * PdCameraState:
 *
 * What a printer's camera source is doing.
 */
typedef enum
{
  PD_CAMERA_STATE_IDLE,       /* no view wants frames: no connection */
  PD_CAMERA_STATE_CONNECTING, /* connecting, logging in, waiting for the first frame */
  PD_CAMERA_STATE_STREAMING,  /* frames arrive */
  PD_CAMERA_STATE_RETRYING,   /* it failed (see the problem); trying again after a pause */
} PdCameraState;

/**
 * PdCameraProblem:
 *
 * Why a camera shows no picture.
 */
typedef enum
{
  PD_CAMERA_PROBLEM_NONE,
  PD_CAMERA_PROBLEM_NO_CAMERA,      /* the model has none, or LAN live view is off */
  PD_CAMERA_PROBLEM_NO_ACCESS_CODE, /* no access code to log in with */
  PD_CAMERA_PROBLEM_UNREACHABLE,    /* no answer / connection refused */
  PD_CAMERA_PROBLEM_WRONG_CODE,     /* the camera refused the access code */
  PD_CAMERA_PROBLEM_BUSY,           /* another client holds the camera */
  PD_CAMERA_PROBLEM_CERTIFICATE,    /* the certificate is not the printer's (changed / other printer) */
  PD_CAMERA_PROBLEM_TLS,            /* the TLS handshake failed */
  PD_CAMERA_PROBLEM_BAD_DATA,       /* the stream sent something that is not a frame */
  PD_CAMERA_PROBLEM_LOST,           /* the stream stopped */
  PD_CAMERA_PROBLEM_NO_DECODER,     /* a GStreamer element (H.264 decoder) is missing */
} PdCameraProblem;

/**
 * PdNoticeKind:
 * @PD_NOTICE_OFFLINE: the printer went offline (or came back)
 * @PD_NOTICE_ERROR: HMS errors or a print error
 * @PD_NOTICE_FINISHED: a print finished
 * @PD_NOTICE_FAILED: a print failed (a cancel is not a failure)
 * @PD_NOTICE_HUMIDITY: an AMS unit holding filament is too humid
 *
 * What a notification is about: each printer has at most one of each.
 */
typedef enum
{
  PD_NOTICE_OFFLINE,
  PD_NOTICE_ERROR,
  PD_NOTICE_FINISHED,
  PD_NOTICE_FAILED,
  PD_NOTICE_HUMIDITY,
} PdNoticeKind;

#define PD_N_NOTICE_KINDS (PD_NOTICE_HUMIDITY + 1)

/**
 * PdTristate:
 *
 * A yes/no value that may not be known (yet), e.g. the chamber light.
 */
typedef enum
{
  PD_TRISTATE_UNKNOWN,
  PD_TRISTATE_NO,
  PD_TRISTATE_YES,
} PdTristate;

/**
 * PdSessionReason:
 *
 * Why a session is not (or not yet) receiving reports, in words a person
 * can act on (pd_session_reason_to_label()).
 */
typedef enum
{
  PD_SESSION_REASON_NONE,
  PD_SESSION_REASON_STOPPED,
  PD_SESSION_REASON_UNREACHABLE,
  PD_SESSION_REASON_REFUSED,
  PD_SESSION_REASON_WRONG_ACCESS_CODE,
  PD_SESSION_REASON_TLS_FAILED,
  PD_SESSION_REASON_CERTIFICATE_CHANGED,
  PD_SESSION_REASON_WRONG_PRINTER,
  PD_SESSION_REASON_CONNECTION_LOST,
  PD_SESSION_REASON_NOT_RESPONDING,
  PD_SESSION_REASON_NO_REPORTS,
  PD_SESSION_REASON_NO_NETWORK,
  PD_SESSION_REASON_NO_ACCESS_CODE,
  PD_SESSION_REASON_KEYRING_FAILED,
} PdSessionReason;

/**
 * PdJobDetailsStatus:
 *
 * Whether the job's details (grams, plate, thumbnail) were read from its
 * file on the printer; when %PD_JOB_DETAILS_UNAVAILABLE, a message says why.
 */
typedef enum
{
  PD_JOB_DETAILS_NONE,        /* no job under way, or not looked for yet */
  PD_JOB_DETAILS_FETCHING,    /* the file is being fetched or read */
  PD_JOB_DETAILS_READY,
  PD_JOB_DETAILS_UNAVAILABLE, /* the file could not be fetched or read */
} PdJobDetailsStatus;

typedef enum
{
  PD_MESSAGE_INCOMING,
  PD_MESSAGE_OUTGOING,
} PdMessageDirection;

G_END_DECLS
