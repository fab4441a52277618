/* pd-state.h — the merged state of one printer, as plain immutable data
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A PdState is what pd_report_merge() produces: the typed, merged state of
 * one printer after a series of reports. It is reference counted and never
 * changed once returned, so it can be shared by the printer object, the
 * state-document renderer and (later) the mirror without copying.
 *
 * The struct keeps what the printer *said* (raw, per field); the accessors
 * below apply the per-model rules (no chamber sensor, dual nozzles, which
 * field carries the door bit, …) so that every consumer shows the same thing.
 */

#pragma once

#include <json-glib/json-glib.h>

#include "pd-model.h"
#include "pd-types.h"

G_BEGIN_DECLS

/* Limits: a report that exceeds them is rejected as malformed. Real printers
 * stay far below (4 AMS + 8 AMS HT units, 4 slots, a handful of HMS entries).
 */
#define PD_MAX_AMS_UNITS 16
#define PD_MAX_TRAYS     8
#define PD_MAX_EXTERNAL  2
#define PD_MAX_HMS       64
#define PD_MAX_EXTRUDERS 2

/* Integer fields use -1 for "not reported" where their range is >= 0. */
#define PD_UNSET (-1)

typedef struct
{
  double current; /* °C, NAN when not reported */
  double target;  /* °C, NAN when not reported; 0 = heater off */
} PdTemp;

typedef struct
{
  int      slot;      /* 0…7 in a unit, 254/255 for external spools */
  gboolean seen;      /* the printer listed this slot */
  char    *material;  /* tray_type, NULL when none */
  char    *sub_brand; /* tray_sub_brands */
  char    *info_idx;  /* tray_info_idx, Bambu's filament preset id */
  gboolean has_color;
  guint32  color;       /* 0xRRGGBBAA */
  int      remain;      /* %, PD_UNSET when -1 or not reported */
  gboolean rfid_tag;    /* tag_uid is not all zeros */
  gboolean rfid_uuid;   /* tray_uuid is not all zeros */
  int      drying_temp; /* recommended drying °C */
  int      drying_hours;
  int      nozzle_temp_min;
  int      nozzle_temp_max;
} PdTrayState;

typedef struct
{
  int         id; /* 0–3, 128–135 (AMS HT), 16 (A2L AMS lite) */
  gboolean    has_info;
  guint32     info;           /* "info" bits: type, drying status, extruder */
  int         humidity_index; /* wire value 1 (wet) … 5 (dry); 0 unknown */
  int         humidity_raw;   /* %, PD_UNSET when not reported */
  double      temperature;    /* °C, NAN when not reported / no sensor */
  int         dry_time;       /* minutes left, PD_UNSET when not reported */
  guint       n_trays;
  PdTrayState trays[PD_MAX_TRAYS];
} PdAmsUnitState;

typedef struct
{
  guint32 attr;
  guint32 code;
} PdHmsEntry;

typedef enum
{
  PD_GCODE_UNKNOWN,
  PD_GCODE_IDLE,
  PD_GCODE_INIT,
  PD_GCODE_SLICING,
  PD_GCODE_PREPARE,
  PD_GCODE_RUNNING,
  PD_GCODE_PAUSE,
  PD_GCODE_FINISH,
  PD_GCODE_FAILED,
} PdGcodeState;

struct _PdState
{
  /*< private >*/
  gatomicrefcount ref_count;
  JsonNode      *doc;           /* rendered lazily, see pd_state_to_json() */
  JsonNode      *sections[3];   /* its costly parts, made or shared lazily */
  guint          section_texts; /* pd_hms_database_get_generation() when they were made */
  /*< public >*/

  /* identity (from the configuration, not from reports) */
  char          *serial;
  char          *name;
  char          *model_config;   /* model chosen by the user or --model */
  char          *model_detected; /* from get_version product_name */
  PdConnection   connection;

  /* print status */
  PdGcodeState   gcode_state;
  gboolean       cancel_seen; /* a cancel print_error was seen during this job */
  int            stg_cur;     /* G_MININT when not reported */
  guint32        print_error;

  /* temperatures as reported (see the accessors for what is shown) */
  PdTemp         nozzle;       /* single nozzle, or the left/main one */
  PdTemp         nozzle_right; /* right/auxiliary nozzle on dual-nozzle models */
  PdTemp         bed;
  PdTemp         chamber;
  int            n_extruders;                     /* from device.extruder.info, 0 when not reported */
  int            active_extruder;                 /* PD_UNSET when not reported */
  int            extruder_snow[PD_MAX_EXTRUDERS]; /* PD_UNSET when not reported */

  /* job */
  gboolean       job_seen;
  char          *job_name;
  char          *job_file;       /* print.gcode_file as reported, NULL when not */
  guint          job_generation; /* counts the job starts merged; not saved */
  int            progress;
  int            layer;
  int            total_layers;
  int            remaining_minutes;
  gint64         remaining_at; /* µs (caller's clock) when remaining_minutes was reported */
  double         grams_total;
  double         grams_used;

  /* HMS, sorted by severity (most severe first), then code */
  guint          n_hms;
  PdHmsEntry     hms[PD_MAX_HMS];

  /* AMS, units sorted by id */
  guint          n_units;
  PdAmsUnitState units[PD_MAX_AMS_UNITS];
  guint          n_external;
  PdTrayState    external[PD_MAX_EXTERNAL];
  guint8         ams_version_types[256]; /* PdAmsType by unit id, from get_version */
  gboolean       has_tray_exist_bits;
  guint64        tray_exist_bits;
  int            tray_now; /* PD_UNSET when not reported */

  /* other */
  char          *rtsp_url;
  int            wifi_dbm; /* 0 when not reported */
  PdTristate     light;
  gboolean       has_home_flag;
  guint32        home_flag;
  gboolean       has_stat;
  guint64        stat;
  char          *firmware;
  gint64         last_report_at; /* µs (caller's clock), 0 before the first report */
  guint64        n_reports;
};

#define PD_TYPE_STATE (pd_state_get_type ())

GType              pd_state_get_type (void) G_GNUC_CONST;
PdState           *pd_state_new (const char *serial);
PdState           *pd_state_ref (PdState *state);
void               pd_state_unref (PdState *state);
PdState           *pd_state_copy (const PdState *state);

PdState           *pd_state_with_identity (PdState    *state,
                                           const char *name,
                                           const char *model);
PdState           *pd_state_with_connection (PdState     *state,
                                             PdConnection connection);

/* Derived, display-ready values: these apply the model rules. */
const PdModelInfo *pd_state_get_model (const PdState *state);
PdStatus           pd_state_get_status (const PdState *state);
int                pd_state_get_stage_id (const PdState *state);
gboolean           pd_state_get_nozzle_right (const PdState *state,
                                              PdTemp        *temp);
gboolean           pd_state_get_chamber (const PdState *state,
                                         PdTemp        *temp);
int                pd_state_get_total_layers (const PdState *state);
gint64             pd_state_get_finish_time (const PdState *state);
PdSeverity         pd_state_get_hms_level (const PdState *state);
guint32            pd_state_get_print_error (const PdState *state);
PdAmsType          pd_state_get_unit_type (const PdState        *state,
                                           const PdAmsUnitState *unit);
int                pd_state_get_humidity_level (const PdAmsUnitState *unit);
gboolean           pd_state_get_unit_drying (const PdAmsUnitState *unit,
                                             gboolean             *active,
                                             int                  *remaining_minutes);
gboolean           pd_state_get_tray_present (const PdState        *state,
                                              const PdAmsUnitState *unit,
                                              const PdTrayState    *tray);
int                pd_state_get_tray_remaining (const PdTrayState *tray);
char              *pd_tray_state_format_color (const PdTrayState *tray);
const char        *pd_tray_state_get_display_name (const PdTrayState *tray);
gboolean           pd_state_get_active_slot (const PdState *state,
                                             int           *unit,
                                             int           *slot);
gboolean           pd_state_get_unit_drying_supported (const PdState        *state,
                                                       const PdAmsUnitState *unit);
gboolean           pd_state_get_unit_is_drying (const PdState        *state,
                                                const PdAmsUnitState *unit);
gboolean           pd_state_get_unit_holds_filament (const PdState        *state,
                                                     const PdAmsUnitState *unit);
PdHumidity         pd_humidity_rate (int   percent,
                                     int   level,
                                     guint fair_percent,
                                     guint high_percent);
PdCameraKind       pd_state_get_camera_kind (const PdState *state);
PdTristate         pd_state_get_door_open (const PdState *state);
PdTristate         pd_state_get_sd_card (const PdState *state);

/* HMS helpers */
PdSeverity         pd_hms_entry_get_severity (const PdHmsEntry *entry);
int                pd_hms_entry_compare (const PdHmsEntry *a,
                                         const PdHmsEntry *b);
char              *pd_hms_entry_format_code (const PdHmsEntry *entry);
char              *pd_print_error_format_code (guint32 print_error);
gboolean           pd_print_error_is_cancel (guint32 print_error);

/* The state document (docs/DESIGN.md, "The printer state document") */
JsonNode          *pd_state_to_json (PdState *state);
char              *pd_state_to_string (PdState *state,
                                       gboolean pretty);
JsonNode          *pd_state_lookup (PdState    *state,
                                   const char *path);
GPtrArray         *pd_state_diff (PdState *old_state,
                                  PdState *new_state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdState, pd_state_unref)

G_END_DECLS
