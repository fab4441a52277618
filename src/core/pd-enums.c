/* pd-enums.c — names and labels of the shared enumerations
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-enums"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pd-enums.h"

const char *
pd_connection_to_string (PdConnection connection)
{
  switch (connection)
    {
    case PD_CONNECTION_DISCONNECTED: return "disconnected";
    case PD_CONNECTION_CONNECTING: return "connecting";
    case PD_CONNECTION_CONNECTED: return "connected";
    case PD_CONNECTION_NONE:
    default:
      return NULL;
    }
}

const char *
pd_connection_to_label (PdConnection connection)
{
  switch (connection)
    {
    case PD_CONNECTION_DISCONNECTED: return _("Disconnected");
    case PD_CONNECTION_CONNECTING: return _("Connecting");
    case PD_CONNECTION_CONNECTED: return _("Connected");
    case PD_CONNECTION_NONE:
    default:
      return _("Not watched");
    }
}

const char *
pd_status_to_string (PdStatus status)
{
  switch (status)
    {
    case PD_STATUS_IDLE: return "idle";
    case PD_STATUS_PREPARING: return "preparing";
    case PD_STATUS_PRINTING: return "printing";
    case PD_STATUS_PAUSED: return "paused";
    case PD_STATUS_FINISHED: return "finished";
    case PD_STATUS_FAILED: return "failed";
    case PD_STATUS_CANCELLED: return "cancelled";
    case PD_STATUS_OFFLINE: return "offline";
    case PD_STATUS_UNKNOWN:
    default:
      return "unknown";
    }
}

const char *
pd_status_to_label (PdStatus status)
{
  switch (status)
    {
    case PD_STATUS_IDLE: return C_("printer status", "Idle");
    case PD_STATUS_PREPARING: return C_("printer status", "Preparing");
    case PD_STATUS_PRINTING: return C_("printer status", "Printing");
    case PD_STATUS_PAUSED: return C_("printer status", "Paused");
    case PD_STATUS_FINISHED: return C_("printer status", "Finished");
    case PD_STATUS_FAILED: return C_("printer status", "Failed");
    case PD_STATUS_CANCELLED: return C_("printer status", "Cancelled");
    case PD_STATUS_OFFLINE: return C_("printer status", "Offline");
    case PD_STATUS_UNKNOWN:
    default:
      return C_("printer status", "Unknown");
    }
}

const char *
pd_severity_to_string (PdSeverity severity)
{
  switch (severity)
    {
    case PD_SEVERITY_INFO: return "info";
    case PD_SEVERITY_COMMON: return "common";
    case PD_SEVERITY_SERIOUS: return "serious";
    case PD_SEVERITY_FATAL: return "fatal";
    case PD_SEVERITY_NONE:
    default:
      return "ok";
    }
}

const char *
pd_severity_to_label (PdSeverity severity)
{
  switch (severity)
    {
    case PD_SEVERITY_INFO: return C_("HMS severity", "Info");
    case PD_SEVERITY_COMMON: return C_("HMS severity", "Common");
    case PD_SEVERITY_SERIOUS: return C_("HMS severity", "Serious");
    case PD_SEVERITY_FATAL: return C_("HMS severity", "Fatal");
    case PD_SEVERITY_NONE:
    default:
      return C_("HMS severity", "OK");
    }
}

const char *
pd_ams_type_to_string (PdAmsType type)
{
  switch (type)
    {
    case PD_AMS_TYPE_AMS: return "ams";
    case PD_AMS_TYPE_AMS_LITE: return "ams_lite";
    case PD_AMS_TYPE_AMS_2_PRO: return "ams_2_pro";
    case PD_AMS_TYPE_AMS_HT: return "ams_ht";
    case PD_AMS_TYPE_UNKNOWN:
    default:
      return NULL;
    }
}

const char *
pd_ams_type_to_label (PdAmsType type)
{
  /* Product names: not translated. */
  switch (type)
    {
    case PD_AMS_TYPE_AMS: return "AMS";
    case PD_AMS_TYPE_AMS_LITE: return "AMS lite";
    case PD_AMS_TYPE_AMS_2_PRO: return "AMS 2 Pro";
    case PD_AMS_TYPE_AMS_HT: return "AMS HT";
    case PD_AMS_TYPE_UNKNOWN:
    default:
      return _("Unknown AMS");
    }
}

const char *
pd_camera_kind_to_string (PdCameraKind kind)
{
  switch (kind)
    {
    case PD_CAMERA_KIND_NONE: return "none";
    case PD_CAMERA_KIND_RTSPS: return "rtsps";
    case PD_CAMERA_KIND_JPEG: return "jpeg";
    case PD_CAMERA_KIND_UNKNOWN:
    default:
      return NULL;
    }
}

/* stg_cur → text. The ids are the firmware's (Bambu Studio get_stage_string,
 * ha-bambulab CURRENT_STAGE_IDS); the words are ours.
 */
static const char *const stage_labels[] = {
  [0] = N_("Printing"),
            [1] = N_("Auto bed leveling"),
                      [2] = N_("Heating the bed"),
                                [3] = N_("Vibration compensation"),
                                          [4] = N_("Changing filament"),
                                                    [5] = N_("Paused (M400)"),
                                                              [6] = N_("Paused: filament ran out"),
                                                                        [7] = N_("Heating the nozzle"),
                                                                                  [8] = N_("Calibrating extrusion"),
                                                                                            [9] = N_("Scanning the bed surface"),
                                                                                                      [10] = N_("Inspecting the first layer"),
                                                                                                                 [11] = N_("Identifying the build plate"),
                                                                                                                            [12] = N_("Calibrating the micro lidar"),
                                                                                                                                       [13] = N_("Homing the toolhead"),
                                                                                                                                                  [14] = N_("Cleaning the nozzle tip"),
                                                                                                                                                             [15] = N_("Checking extruder temperature"),
                                                                                                                                                                        [16] = N_("Paused by the user"),
                                                                                                                                                                                   [17] = N_("Paused: front cover fell off"),
                                                                                                                                                                                              [18] = N_("Calibrating the micro lidar"),
                                                                                                                                                                                                         [19] = N_("Calibrating extrusion flow"),
                                                                                                                                                                                                                    [20] = N_("Paused: nozzle temperature fault"),
                                                                                                                                                                                                                               [21] = N_("Paused: bed temperature fault"),
                                                                                                                                                                                                                                          [22] = N_("Unloading filament"),
                                                                                                                                                                                                                                                     [23] = N_("Paused: skipped step"),
                                                                                                                                                                                                                                                                [24] = N_("Loading filament"),
                                                                                                                                                                                                                                                                           [25] = N_("Calibrating motor noise"),
                                                                                                                                                                                                                                                                                      [26] = N_("Paused: AMS lost"),
                                                                                                                                                                                                                                                                                                 [27] = N_("Paused: heatbreak fan too slow"),
                                                                                                                                                                                                                                                                                                            [28] = N_("Paused: chamber temperature fault"),
                                                                                                                                                                                                                                                                                                                       [29] = N_("Cooling the chamber"),
                                                                                                                                                                                                                                                                                                                                  [30] = N_("Paused by G-code"),
                                                                                                                                                                                                                                                                                                                                             [31] = N_("Motor noise showoff"),
                                                                                                                                                                                                                                                                                                                                                        [32] = N_("Paused: nozzle covered with filament"),
                                                                                                                                                                                                                                                                                                                                                                   [33] = N_("Paused: cutter error"),
                                                                                                                                                                                                                                                                                                                                                                              [34] = N_("Paused: first layer error"),
                                                                                                                                                                                                                                                                                                                                                                                         [35] = N_("Paused: nozzle clog"),
                                                                                                                                                                                                                                                                                                                                                                                                    [36] = N_("Checking absolute accuracy"),
                                                                                                                                                                                                                                                                                                                                                                                                               [37] = N_("Calibrating absolute accuracy"),
                                                                                                                                                                                                                                                                                                                                                                                                                          [38] = N_("Checking absolute accuracy"),
                                                                                                                                                                                                                                                                                                                                                                                                                                     [39] = N_("Calibrating nozzle offset"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                [40] = N_("High-temperature bed leveling"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                           [41] = N_("Checking the quick release"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                      [42] = N_("Checking the door and cover"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 [43] = N_("Calibrating the laser"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            [44] = N_("Checking the platform"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       [45] = N_("Checking the bird's-eye camera"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  [46] = N_("Calibrating the bird's-eye camera"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             [47] = N_("Bed leveling, phase 1"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        [48] = N_("Bed leveling, phase 2"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   [49] = N_("Heating the chamber"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              [50] = N_("Cooling the bed"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         [51] = N_("Printing calibration lines"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                    [52] = N_("Checking the material"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                               [53] = N_("Calibrating the live view camera"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          [54] = N_("Waiting for the bed temperature"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     [55] = N_("Checking the material position"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                [56] = N_("Calibrating the cutter offset"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                           [57] = N_("Measuring the surface"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      [58] = N_("Thermal preconditioning"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 [59] = N_("Homing the blade holder"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            [60] = N_("Calibrating the camera offset"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       [61] = N_("Calibrating the blade holder"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                  [62] = N_("Hotend pick and place test"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                             [63] = N_("Waiting for the chamber temperature"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                        [64] = N_("Preparing the hotend"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                   [65] = N_("Calibrating nozzle clump detection"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                              [66] = N_("Purifying the chamber air"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                         [67] = N_("Measuring the rotary attachment"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                    [68] = N_("Moving to the purge chute"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                               [69] = N_("Cooling the nozzle"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          [70] = N_("Moving to the bed center"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                     [71] = N_("Arc fitting"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                [72] = N_("Detecting the hotend type"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                           [73] = N_("Detecting build plate alignment"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                      [74] = N_("Checking the bed for foreign objects"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                 [75] = N_("Checking under the bed for foreign objects"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                            [76] = N_("Pre-extruding"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       [77] = N_("Preparing the AMS"),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       };

/**
 * pd_stage_to_label:
 * @stage_id: a stg_cur value
 *
 * Returns: (nullable): the translated stage text, or %NULL for idle (-1, 255)
 *   and for ids this version does not know
 */
const char *
pd_stage_to_label (int stage_id)
{
  if (stage_id < 0 || stage_id >= (int) G_N_ELEMENTS (stage_labels))
    return NULL;

  return _(stage_labels[stage_id]);
}

/**
 * pd_hms_module_to_label:
 * @module_id: the module byte of an HMS attr (attr >> 24)
 *
 * Returns: the translated name of the printer part an HMS code is about
 */
const char *
pd_hms_module_to_label (guint module_id)
{
  switch (module_id)
    {
    case 0x03: return _("Motion controller");
    case 0x05: return _("Mainboard");
    case 0x07: return "AMS";
    case 0x08: return _("Toolhead");
    case 0x0C: return _("AI camera");
    case 0x10: return _("Print options");
    case 0x12: return "AMS lite";
    case 0x18: return "AMS";
    default: return _("Unknown part");
    }
}

const char *
pd_session_reason_to_string (PdSessionReason reason)
{
  switch (reason)
    {
    case PD_SESSION_REASON_STOPPED: return "stopped";
    case PD_SESSION_REASON_UNREACHABLE: return "unreachable";
    case PD_SESSION_REASON_REFUSED: return "refused";
    case PD_SESSION_REASON_WRONG_ACCESS_CODE: return "wrong-access-code";
    case PD_SESSION_REASON_TLS_FAILED: return "tls-failed";
    case PD_SESSION_REASON_CERTIFICATE_CHANGED: return "certificate-changed";
    case PD_SESSION_REASON_WRONG_PRINTER: return "wrong-printer";
    case PD_SESSION_REASON_CONNECTION_LOST: return "connection-lost";
    case PD_SESSION_REASON_NOT_RESPONDING: return "not-responding";
    case PD_SESSION_REASON_NO_REPORTS: return "no-reports";
    case PD_SESSION_REASON_NO_NETWORK: return "no-network";
    case PD_SESSION_REASON_NO_ACCESS_CODE: return "no-access-code";
    case PD_SESSION_REASON_KEYRING_FAILED: return "keyring-failed";
    case PD_SESSION_REASON_NONE:
    default:
      return NULL;
    }
}

/**
 * pd_session_reason_to_label:
 * @reason: why a session is not receiving reports
 *
 * Returns: (nullable): a sentence for the user, or %NULL for no reason
 */
const char *
pd_session_reason_to_label (PdSessionReason reason)
{
  switch (reason)
    {
    case PD_SESSION_REASON_STOPPED: return _("Not connected");
    case PD_SESSION_REASON_UNREACHABLE: return _("The printer cannot be reached. Check that it is on and that the address is right.");
    case PD_SESSION_REASON_REFUSED: return _("The printer refused the connection. It may have too many clients connected.");
    case PD_SESSION_REASON_WRONG_ACCESS_CODE: return _("Wrong access code. The printer shows it under Settings → Network (LAN only mode).");
    case PD_SESSION_REASON_TLS_FAILED: return _("The secure connection to the printer failed.");
    case PD_SESSION_REASON_CERTIFICATE_CHANGED: return _("The printer's certificate has changed. Connect only if you expected this.");
    case PD_SESSION_REASON_WRONG_PRINTER: return _("This address belongs to another printer: its certificate names another serial number.");
    case PD_SESSION_REASON_CONNECTION_LOST: return _("The connection to the printer was lost.");
    case PD_SESSION_REASON_NOT_RESPONDING: return _("The printer is not responding.");
    case PD_SESSION_REASON_NO_REPORTS: return _("Connected, but the printer sends no reports. Check the serial number.");
    case PD_SESSION_REASON_NO_NETWORK: return _("No network connection.");
    case PD_SESSION_REASON_NO_ACCESS_CODE: return _("No access code is saved for this printer. Edit the printer to enter it.");
    case PD_SESSION_REASON_KEYRING_FAILED: return _("The access code could not be read from the keyring.");
    case PD_SESSION_REASON_NONE:
    default:
      return NULL;
    }
}
