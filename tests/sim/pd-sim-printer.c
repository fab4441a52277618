/* pd-sim-printer.c — one simulated Bambu Lab printer
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A printer keeps its whole `print` object as JSON, started from a recorded
 * frame of its model, and a small physical model in C (temperatures, the
 * job, the phase) that is rendered into that JSON on every tick. What goes
 * out is what real printers send:
 *
 *  - the full frame (msg 0) in answer to pushall, and every tick on X1
 *    models when full frames are asked for;
 *  - otherwise a delta with only the members that changed since the last
 *    report (objects are compared member by member, arrays whole), about
 *    once a second, and nothing when nothing changed;
 *  - replies to commands, echoing their sequence_id.
 *
 * Field types follow the recording: where the printer sends "15" as a string
 * or 40 as an integer, the simulator does too, because clients must cope.
 *
 * Simulated time runs at options.speed times real time, so a test can watch
 * a 40-minute print in 40 seconds. Timers that stand for something a real
 * printer does in real time (the cancel error clearing after about 2 s) use
 * real time.
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <math.h>
#include <string.h>

#include "pd-json.h"
#include "pd-sim-camera.h"
#include "pd-sim-forwarder.h"
#include "pd-sim-ftp.h"
#include "pd-sim-private.h"

#define AMBIENT            25.0
#define NOZZLE_HEAT_RATE   4.0 /* °C per simulated second */
#define BED_HEAT_RATE      1.2
#define NOZZLE_COOL_TAU    90.0 /* s, exponential cooling */
#define BED_COOL_TAU       400.0
#define CHAMBER_TAU        600.0
#define LEVELING_SECONDS   40.0
#define CHANGE_SECONDS     30.0 /* a filament change */
#define LAYERS_RESET_AFTER 10.0 /* FINISH then total_layer_num 0, as a P1S does */
#define CANCEL_CLEAR_MS    2000 /* real ms before a cancel's print_error is 0 again */
#define MAX_COMMANDS       1000 /* remembered per printer; older ones are dropped */
#define HOME_FLAG_SDCARD   0x100 /* home_flag: an SD card (or USB stick) is in */

typedef enum
{
  PHASE_IDLE,
  PHASE_PREPARE,
  PHASE_RUNNING,
  PHASE_PAUSE,
  PHASE_FINISH,
  PHASE_FAILED,
} Phase;

typedef struct
{
  guint32 attr;
  guint32 code;
} HmsEntry;

/* A spool a job prints from: AMS unit id and slot, or unit -1 for the external spool. */
typedef struct
{
  int unit;
  int slot;
} Tray;

struct _PdSimPrinter
{
  GObject           parent_instance;

  PdSim            *sim; /* not a reference: the simulator owns its printers */
  guint             index;
  const PdSimModel *model;
  char             *serial;
  char             *access_code;
  char             *name;
  char             *report_topic;
  char             *request_topic;
  char             *dir;
  char             *ca_file;
  char             *cert_file; /* what the broker (MQTT) shows */
  char             *key_file;
  char             *ftp_cert_file; /* what vsftpd shows: a copy, unless FTPS has its own */
  char             *ftp_key_file;
  char             *password_file;
  char             *acl_file;
  char             *fingerprint;
  char             *transport_fingerprints[PD_SIM_N_TRANSPORTS]; /* NULL: the printer's */
  char             *cert_pem; /* the printer's own certificate and key */
  char             *key_pem;
  guint             listener;
  guint             max_clients;
  PdSimForwarder   *forwarder;
  PdCameraKind      camera_kind;     /* NONE when the model has none or cameras are off */
  GTlsCertificate  *tls_certificate; /* the certificate with its key, for the camera */
  PdSimCamera      *camera;
  gboolean          camera_enabled; /* LAN live view on */
  PdSimFtp         *ftp;            /* NULL: no FTP (no_ftp, or no vsftpd) */
  gboolean          sdcard;

  gboolean          stalled;
  gboolean          offline;
  gboolean          refusing;
  GPtrArray        *commands;

  /* The simulation */
  GRand            *rand;
  PdSimScenario     scenario;
  double            speed;
  guint             interval_ms;
  gboolean          full_frames;
  GSource          *tick_source;
  GSource          *cancel_clear_source;
  gint64            last_tick;
  double            now; /* simulated seconds since the start */

  JsonObject       *state;     /* the whole print object */
  JsonNode         *published; /* the state as clients last saw it */
  guint64           sequence;
  guint64           n_reports;

  Phase             phase;
  Phase             paused_from;
  double            phase_start;
  double            phase_length;
  double            leveling_start;
  guint             n_nozzles;
  double            nozzle[2];
  double            nozzle_target[2];
  double            bed;
  double            bed_target;
  double            chamber;
  int               stage;
  GArray           *stages; /* stg: the stages the job went through */
  int               print_error;
  int               speed_level;
  int               wifi;
  GArray           *hms; /* of HmsEntry */
  double            next_hms_event;
  guint             next_sample_hms;

  /* The job */
  char             *job_name;
  double            job_total; /* simulated seconds at standard speed */
  double            job_done;
  int               job_layers;
  int               layers_reported;
  double            fail_at; /* fraction of the job; < 0: it will not fail */
  GArray           *trays;   /* of Tray, in the order the job uses them */
  guint             tray_index;
  Tray              loaded; /* the spool tray_now names, while it is not 255 */
  int               tray_now;
  int               tray_pre;
  int               tray_tar;
  double            change_until;
  int               remain_steps;
  guint             n_jobs;
  PdSim3mfSpec      job_spec;     /* name and types point to job_spec_name and job_types */
  char             *job_spec_name;
  char             *job_types[PD_SIM_3MF_MAX_FILAMENTS];
  char             *job_file_path; /* "/Benchy.gcode.3mf", where the job's file is */
  GBytes           *job_file;      /* built when first needed */
  gboolean          job_file_present;

  GHashTable       *humidity_set; /* unit ids whose humidity was set: no drift */
};

G_DEFINE_FINAL_TYPE (PdSimPrinter, pd_sim_printer, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PdSimCommand, pd_sim_command, pd_sim_command_copy, pd_sim_command_free)

static const char *const job_names[] = {
  "Benchy",
  "Calibration cube",
  "Planter_plate_1",
  "Gridfinity bin 2x3",
  "Phone stand",
  "Cable clips x8",
  "Headphone hook",
  "Number 10 House Numbers_plate_1",
  "Fidget Collection",
  "Garden Hose Healer: Male fitting",
};

static const HmsEntry sample_hms[] = {
  { PD_SIM_HMS_FATAL_ATTR, PD_SIM_HMS_FATAL_CODE },
  { PD_SIM_HMS_SERIOUS_ATTR, PD_SIM_HMS_SERIOUS_CODE },
  { PD_SIM_HMS_COMMON_ATTR, PD_SIM_HMS_COMMON_CODE },
};

static void publish_update (PdSimPrinter *self);

/* ---- PdSimCommand ------------------------------------------------------ */

PdSimCommand *
pd_sim_command_copy (const PdSimCommand *command)
{
  PdSimCommand *copy;

  g_return_val_if_fail (command != NULL, NULL);

  copy = g_new0 (PdSimCommand, 1);
  copy->topic = g_strdup (command->topic);
  copy->payload = g_malloc (command->length + 1);
  memcpy (copy->payload, command->payload, command->length + 1);
  copy->length = command->length;
  copy->qos = command->qos;
  copy->time = command->time;

  return copy;
}

void
pd_sim_command_free (PdSimCommand *command)
{
  if (command == NULL)
    return;

  g_free (command->topic);
  g_free (command->payload);
  g_free (command);
}

/* ---- JSON helpers ------------------------------------------------------ */

static gboolean
member_is_string (JsonObject *object,
                  const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
member_is_int (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

/* Reads an integer sent as a number or as a string. */
static gint64
get_int (JsonObject *object,
         const char *member,
         gint64      fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64: return json_node_get_int (node);
    case G_TYPE_DOUBLE: return (gint64) json_node_get_double (node);
    case G_TYPE_STRING: return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
    default: return fallback;
    }
}

/* Sets an integer the way the recording had it: "15" or 15. */
static void
set_int (JsonObject *object,
         const char *member,
         gint64      value)
{
  if (member_is_string (object, member))
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

      json_object_set_string_member (object, member, text);
    }
  else
    json_object_set_int_member (object, member, value);
}

static void
set_int_if_present (JsonObject *object,
                    const char *member,
                    gint64      value)
{
  if (object != NULL && json_object_has_member (object, member))
    set_int (object, member, value);
}

/* ---- Identity and files ----------------------------------------------- */

static gboolean
write_private_file (const char *path,
                    const char *contents,
                    GError    **error)
{
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gboolean
write_password_file (PdSimPrinter *self,
                     const char   *code,
                     GError      **error)
{
  g_autofree char *line = pd_sim_password_line ("bblp", code, error);

  return line != NULL && write_private_file (self->password_file, line, error);
}

/* Gives one transport @cert (files for the broker and vsftpd, which read
 * them at their next start; the camera's at once, for new connections).
 */
static gboolean
install_certificate (PdSimPrinter  *self,
                     PdSimTransport transport,
                     PdSimCert     *cert,
                     GError       **error)
{
  switch (transport)
    {
    case PD_SIM_TRANSPORT_MQTT:
      return write_private_file (self->cert_file, cert->cert_pem, error) &&
             write_private_file (self->key_file, cert->key_pem, error);

    case PD_SIM_TRANSPORT_FTP:
      return write_private_file (self->ftp_cert_file, cert->cert_pem, error) &&
             write_private_file (self->ftp_key_file, cert->key_pem, error);

    case PD_SIM_TRANSPORT_CAMERA:
      if (self->camera_kind != PD_CAMERA_KIND_NONE)
        {
          g_autofree char            *pem = g_strconcat (cert->cert_pem, cert->key_pem, NULL);
          g_autoptr (GTlsCertificate) tls = g_tls_certificate_new_from_pem (pem, -1, error);

          if (tls == NULL)
            return FALSE;
          g_set_object (&self->tls_certificate, tls);
          if (self->camera != NULL)
            pd_sim_camera_set_certificate (self->camera, tls);
        }
      return TRUE;

    case PD_SIM_N_TRANSPORTS:
    default:
      break;
    }
  g_return_val_if_reached (FALSE);
}

/* A new certificate for the printer, shown by every transport (MQTT,
 * camera and FTPS show the same one, as on a printer).
 */
static gboolean
write_certificate (PdSimPrinter *self,
                   PdSimCa      *ca,
                   GError      **error)
{
  g_autoptr (PdSimCert) cert = pd_sim_ca_issue (ca, self->serial, error);

  if (cert == NULL)
    return FALSE;
  for (guint i = 0; i < PD_SIM_N_TRANSPORTS; i++)
    {
      if (!install_certificate (self, (PdSimTransport) i, cert, error))
        return FALSE;
      g_clear_pointer (&self->transport_fingerprints[i], g_free);
    }

  g_free (self->fingerprint);
  self->fingerprint = g_steal_pointer (&cert->fingerprint);
  g_free (self->cert_pem);
  self->cert_pem = g_steal_pointer (&cert->cert_pem);
  if (self->key_pem != NULL)
    memset (self->key_pem, 0, strlen (self->key_pem));
  g_free (self->key_pem);
  self->key_pem = g_steal_pointer (&cert->key_pem);

  return TRUE;
}

/* ---- The physical model ----------------------------------------------- */

static double
random_range (PdSimPrinter *self,
              double        low,
              double        high)
{
  return g_rand_double_range (self->rand, low, high);
}

/* The chance that something with a mean interval of @mean happens in @dt. */
static gboolean
happens (PdSimPrinter *self,
         double        dt,
         double        mean)
{
  return g_rand_double (self->rand) < 1.0 - exp (-dt / mean);
}

static gboolean
in_job (PdSimPrinter *self)
{
  switch (self->phase)
    {
    case PHASE_PREPARE:
    case PHASE_RUNNING:
    case PHASE_PAUSE:
      return TRUE;
    case PHASE_IDLE:
    case PHASE_FINISH:
    case PHASE_FAILED:
    default:
      return FALSE;
    }
}

static const char *
phase_gcode_state (Phase phase)
{
  switch (phase)
    {
    case PHASE_IDLE: return "IDLE";
    case PHASE_PREPARE: return "PREPARE";
    case PHASE_RUNNING: return "RUNNING";
    case PHASE_PAUSE: return "PAUSE";
    case PHASE_FINISH: return "FINISH";
    case PHASE_FAILED: return "FAILED";
    default: return "IDLE";
    }
}

/* How much faster than standard the job advances at a speed level. */
static double
speed_factor (int level)
{
  switch (level)
    {
    case 1: return 0.5;
    case 3: return 1.24;
    case 4: return 1.66;
    default: return 1.0;
    }
}

static int
speed_magnitude (int level)
{
  return (int) lround (speed_factor (level) * 100);
}

/* Heats at a fixed rate towards a target; cools exponentially towards it
 * (or towards the room when the target is 0).
 */
static void
approach (double *value,
          double  target,
          double  rate,
          double  tau,
          double  dt)
{
  double rest = target > 0 ? target : AMBIENT;

  if (target > 0 && *value < target)
    *value = MIN (target, *value + rate * dt);
  else
    *value = rest + (*value - rest) * exp (-dt / tau);
}

static void
push_stage (PdSimPrinter *self,
            int           stage)
{
  if (self->stage == stage)
    return;

  self->stage = stage;
  /* stg lists the stages a job went through; printing itself (0) is not one. */
  if (stage > 0 && stage != 255)
    g_array_append_val (self->stages, stage);
}

/* The spools with filament the AMS reports, in unit then slot order. */
static GArray *
find_trays (PdSimPrinter *self)
{
  GArray    *trays = g_array_new (FALSE, FALSE, sizeof (Tray));
  JsonArray *units = pd_sim_json_get_array (pd_sim_json_get_object (self->state, "ams"), "ams");

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);
      JsonArray  *slots = pd_sim_json_get_array (unit, "tray");

      for (guint j = 0; slots != NULL && j < json_array_get_length (slots); j++)
        {
          JsonObject *slot = json_array_get_object_element (slots, j);
          const char *type = slot != NULL ? json_object_get_string_member_with_default (slot, "tray_type", "") : "";
          Tray        tray;

          if (type == NULL || *type == '\0')
            continue;
          tray.unit = (int) get_int (unit, "id", 0);
          tray.slot = (int) get_int (slot, "id", 0);
          g_array_append_val (trays, tray);
        }
    }

  return trays;
}

static JsonObject *
find_tray_object (PdSimPrinter *self,
                  const Tray   *tray)
{
  JsonArray *units = pd_sim_json_get_array (pd_sim_json_get_object (self->state, "ams"), "ams");

  if (tray->unit < 0)
    {
      /* H2/X2 list their external spools (254, 255) in vir_slot. */
      JsonArray *vir_slot = pd_sim_json_get_array (self->state, "vir_slot");

      for (guint i = 0; vir_slot != NULL && i < json_array_get_length (vir_slot); i++)
        {
          JsonObject *slot = json_array_get_object_element (vir_slot, i);

          if (slot != NULL && get_int (slot, "id", -1) == tray->slot)
            return slot;
        }
      return pd_sim_json_get_object (self->state, "vt_tray");
    }

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);
      JsonArray  *slots = pd_sim_json_get_array (unit, "tray");

      if (get_int (unit, "id", -1) != tray->unit)
        continue;
      for (guint j = 0; slots != NULL && j < json_array_get_length (slots); j++)
        {
          JsonObject *slot = json_array_get_object_element (slots, j);

          if (get_int (slot, "id", -1) == tray->slot)
            return slot;
        }
    }

  return NULL;
}

/* tray_now as the firmware reports it: the global index unit·4 + slot for
 * the classic units, the unit id for an AMS HT, 254 for the external spool.
 * Dual-nozzle printers report the slot within its unit only (the unit is in
 * device.extruder.info[].snow).
 */
static int
tray_report_value (PdSimPrinter *self,
                   const Tray   *tray)
{
  if (tray->unit < 0)
    return 254;
  if (self->model->info->dual_nozzle)
    return tray->slot;
  if (tray->unit >= 128)
    return tray->unit;
  return tray->unit * 4 + tray->slot;
}

/* Loads @tray (NULL: unloads): tray_now names it from the next report on,
 * the one before becomes tray_pre.
 */
static void
load_tray (PdSimPrinter *self,
           const Tray   *tray)
{
  self->tray_pre = self->tray_now;
  self->tray_now = tray != NULL ? tray_report_value (self, tray) : 255;
  self->tray_tar = self->tray_now;
  if (tray != NULL)
    self->loaded = *tray;
}

static void
temperatures_for (const char *material,
                  double     *nozzle,
                  double     *bed)
{
  static const struct
  {
    const char *prefix;
    double      nozzle;
    double      bed;
  } table[] = {
    { "PLA", 220, 55 },
    { "PETG", 250, 70 },
    { "ABS", 260, 90 },
    { "ASA", 260, 90 },
    { "PA", 280, 100 },
    { "PC", 270, 100 },
    { "TPU", 230, 35 },
  };

  for (guint i = 0; material != NULL && i < G_N_ELEMENTS (table); i++)
    if (g_str_has_prefix (material, table[i].prefix))
      {
        *nozzle = table[i].nozzle;
        *bed = table[i].bed;
        return;
      }

  *nozzle = 220;
  *bed = 60;
}

static void
set_phase (PdSimPrinter *self,
           Phase         phase,
           double        length)
{
  self->phase = phase;
  self->phase_start = self->now;
  self->phase_length = length;
}

static double
hold_length (PdSimPrinter *self)
{
  /* The idle, print and fail scenarios cycle; "idle" and "hms" stay idle. */
  switch (self->scenario)
    {
    case PD_SIM_SCENARIO_IDLE:
    case PD_SIM_SCENARIO_HMS:
      return INFINITY;
    case PD_SIM_SCENARIO_MIXED:
    case PD_SIM_SCENARIO_PRINT:
    case PD_SIM_SCENARIO_FAIL:
    default:
      return random_range (self, 120, 420);
    }
}

static void
enter_idle (PdSimPrinter *self)
{
  set_phase (self, PHASE_IDLE, hold_length (self));
  push_stage (self, self->model->idle_stage);
  g_clear_pointer (&self->job_name, g_free);
  self->job_done = 0;
  self->layers_reported = 0;
  self->nozzle_target[0] = self->nozzle_target[1] = 0;
  self->bed_target = 0;
}

static void
begin_running (PdSimPrinter *self)
{
  set_phase (self, PHASE_RUNNING, INFINITY);
  push_stage (self, 0);
  self->layers_reported = self->job_layers;
  if (self->trays->len > 0)
    load_tray (self, &g_array_index (self->trays, Tray, 0));
}

/* The FTP root is the SD card: the job's file is there while a card is in
 * and the file was not removed. */
static void
sync_job_file (PdSimPrinter *self)
{
  g_autoptr (GError) error = NULL;

  if (self->ftp == NULL || self->job_file_path == NULL)
    return;

  if (self->sdcard && self->job_file_present)
    {
      if (self->job_file == NULL)
        self->job_file = pd_sim_3mf_build (&self->job_spec);
      if (!pd_sim_ftp_put_file (self->ftp, self->job_file_path, self->job_file, &error))
        g_warning ("%s: the job file could not be written: %s", self->name, error->message);
    }
  else
    pd_sim_ftp_remove_file (self->ftp, self->job_file_path);
}

static guint32
parse_tray_color (JsonObject *tray)
{
  const char *text = tray != NULL ? json_object_get_string_member_with_default (tray, "tray_color", NULL) : NULL;
  guint64     value = 0;

  if (text == NULL || strlen (text) != 8 || !g_ascii_string_to_unsigned (text, 16, 0, G_MAXUINT32, &value, NULL))
    return 0xB0B0B0FF;
  return (guint32) value;
}

/* What the slicer made of the job: the spools it prints from, in order,
 * as its filaments, and then the file itself (on the SD card). */
static void
make_job_file (PdSimPrinter *self)
{
  guint n = MIN (self->trays->len, PD_SIM_3MF_MAX_FILAMENTS);

  for (guint i = 0; i < PD_SIM_3MF_MAX_FILAMENTS; i++)
    g_clear_pointer (&self->job_types[i], g_free);
  g_clear_pointer (&self->job_file, g_bytes_unref);
  g_clear_pointer (&self->job_file_path, g_free);
  g_free (self->job_spec_name);
  self->job_spec_name = g_strdup (self->job_name);
  memset (&self->job_spec, 0, sizeof self->job_spec);

  self->job_spec.name = self->job_spec_name;
  self->job_spec.plate = 1;
  self->job_spec.layers = self->job_layers;
  self->job_spec.prediction_seconds = (int) self->job_total;
  self->job_spec.thumbnail = TRUE;
  self->job_spec.n_filaments = n;
  for (guint i = 0; i < n; i++)
    {
      JsonObject *tray = find_tray_object (self, &g_array_index (self->trays, Tray, i));
      const char *type = tray != NULL ? json_object_get_string_member_with_default (tray, "tray_type", "") : "";

      self->job_types[i] = g_strdup (type != NULL && *type != '\0' ? type : "PLA");
      self->job_spec.filaments[i].type = self->job_types[i];
      self->job_spec.filaments[i].rgba = parse_tray_color (tray);
      /* Two decimals, as the file has them. */
      self->job_spec.filaments[i].grams = round (random_range (self, 3, 60) * 100) / 100;
    }

  self->job_file_path = g_strdup_printf ("/%s.gcode.3mf", self->job_name);
  self->job_file_present = TRUE;
  sync_job_file (self);
}

/* A new job: heat up for the first spool's material, then print. */
static void
start_job (PdSimPrinter *self)
{
  g_autoptr (GArray) all = find_trays (self);
  const char        *material = "PLA";
  guint              n;

  g_clear_pointer (&self->job_name, g_free);
  self->job_name = g_strdup (job_names[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (job_names))]);
  self->job_total = random_range (self, 20, 75) * 60;
  self->job_done = 0;
  self->job_layers = g_rand_int_range (self->rand, 80, 420);
  self->layers_reported = 0;
  self->print_error = 0;
  self->change_until = 0;
  self->remain_steps = 0;
  self->tray_index = 0;
  self->leveling_start = -1;
  self->n_jobs++;
  g_array_set_size (self->stages, 0);
  self->stage = G_MININT;

  switch (self->scenario)
    {
    case PD_SIM_SCENARIO_FAIL:
      self->fail_at = random_range (self, 0.2, 0.6);
      break;
    case PD_SIM_SCENARIO_MIXED:
      self->fail_at = g_rand_double (self->rand) < 0.2 ? random_range (self, 0.2, 0.7) : -1;
      break;
    case PD_SIM_SCENARIO_PRINT:
    case PD_SIM_SCENARIO_IDLE:
    case PD_SIM_SCENARIO_HMS:
    default:
      self->fail_at = -1;
      break;
    }

  /* One to three spools in a row, as a multi-colour job uses them. */
  g_array_set_size (self->trays, 0);
  if (all->len == 0)
    {
      Tray external = { -1, 254 };

      g_array_append_val (self->trays, external);
    }
  else
    {
      guint first = (guint) g_rand_int_range (self->rand, 0, (gint32) all->len);

      n = MIN (all->len, (guint) g_rand_int_range (self->rand, 1, 4));
      for (guint i = 0; i < n; i++)
        g_array_append_val (self->trays, g_array_index (all, Tray, (first + i) % all->len));
    }
  {
    JsonObject *tray = find_tray_object (self, &g_array_index (self->trays, Tray, 0));

    if (tray != NULL)
      material = json_object_get_string_member_with_default (tray, "tray_type", "PLA");
  }
  temperatures_for (material, &self->nozzle_target[0], &self->bed_target);
  self->tray_tar = tray_report_value (self, &g_array_index (self->trays, Tray, 0));
  make_job_file (self);

  if (json_object_has_member (self->state, "gcode_start_time"))
    {
      g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);

      json_object_set_string_member (self->state, "gcode_start_time", start);
    }

  set_phase (self, PHASE_PREPARE, INFINITY);
  push_stage (self, 2);
}

static void
clear_cancel_timer (PdSimPrinter *self)
{
  if (self->cancel_clear_source != NULL)
    {
      g_source_destroy (self->cancel_clear_source);
      g_clear_pointer (&self->cancel_clear_source, g_source_unref);
    }
}

static gboolean
on_cancel_clear (gpointer user_data)
{
  PdSimPrinter *self = user_data;

  g_clear_pointer (&self->cancel_clear_source, g_source_unref);
  if (self->print_error == (int) PD_SIM_PRINT_ERROR_CANCEL)
    {
      self->print_error = 0;
      publish_update (self);
    }

  return G_SOURCE_REMOVE;
}

static void
enter_failed (PdSimPrinter *self,
              guint32       error)
{
  set_phase (self, PHASE_FAILED, hold_length (self));
  push_stage (self, self->model->idle_stage);
  self->print_error = (int) error;
  self->nozzle_target[0] = self->nozzle_target[1] = 0;
  self->bed_target = 0;

  /* A user's cancel shows 0300_400C for a couple of seconds, then 0. */
  clear_cancel_timer (self);
  if (error == PD_SIM_PRINT_ERROR_CANCEL && self->sim != NULL)
    {
      self->cancel_clear_source = g_timeout_source_new (CANCEL_CLEAR_MS);
      g_source_set_callback (self->cancel_clear_source, on_cancel_clear, self, NULL);
      g_source_attach (self->cancel_clear_source, _pd_sim_get_context (self->sim));
    }
}

static void
enter_finish (PdSimPrinter *self)
{
  set_phase (self, PHASE_FINISH, hold_length (self));
  push_stage (self, self->model->idle_stage);
  self->job_done = self->job_total;
  self->nozzle_target[0] = self->nozzle_target[1] = 0;
  self->bed_target = 0;
  /* The filament is unloaded at the end. */
  load_tray (self, NULL);
}

static void
change_tray (PdSimPrinter *self)
{
  if (self->tray_index + 1 >= self->trays->len)
    return;

  self->tray_index++;
  load_tray (self, &g_array_index (self->trays, Tray, self->tray_index));
  self->change_until = self->now + CHANGE_SECONDS;
  push_stage (self, 4); /* changing filament */
}

/* One percent of filament every few percent of the job, from the spool that
 * is loaded.
 */
static void
use_filament (PdSimPrinter *self,
              double        fraction)
{
  int         steps = (int) (fraction * 25);
  JsonObject *tray;
  gint64      remain;

  if (steps <= self->remain_steps || self->tray_now == 255)
    return;
  self->remain_steps = steps;

  tray = find_tray_object (self, &self->loaded);
  if (tray == NULL || !member_is_int (tray, "remain"))
    return;
  /* -1 means unknown (no RFID); 0 is a generic spool. Neither goes down. */
  remain = json_object_get_int_member (tray, "remain");
  if (remain > 0)
    json_object_set_int_member (tray, "remain", remain - 1);
}

static void
step_job (PdSimPrinter *self,
          double        dt)
{
  double elapsed = self->now - self->phase_start;

  switch (self->phase)
    {
    case PHASE_IDLE:
      if (elapsed >= self->phase_length)
        start_job (self);
      break;

    case PHASE_PREPARE:
      if (self->bed < self->bed_target - 3)
        push_stage (self, 2); /* heatbed preheating */
      else if (self->nozzle[0] < self->nozzle_target[0] - 3)
        push_stage (self, 7); /* heating hotend */
      else if (self->leveling_start < 0)
        {
          self->leveling_start = self->now;
          push_stage (self, 1); /* auto bed leveling */
        }
      else if (self->now - self->leveling_start >= LEVELING_SECONDS)
        begin_running (self);
      break;

    case PHASE_RUNNING:
      {
        double fraction;

        self->job_done += dt * speed_factor (self->speed_level);
        fraction = MIN (1.0, self->job_done / self->job_total);
        push_stage (self, self->now < self->change_until ? 4 : 0);

        /* Change spools at even points of the job. */
        if (self->trays->len > 1 && fraction >= (double) (self->tray_index + 1) / self->trays->len)
          change_tray (self);
        use_filament (self, fraction);

        if (self->fail_at >= 0 && fraction >= self->fail_at)
          enter_failed (self, PD_SIM_PRINT_ERROR_FEED);
        else if (fraction >= 1.0)
          enter_finish (self);
      }
      break;

    case PHASE_FINISH:
      if (elapsed >= LAYERS_RESET_AFTER)
        self->layers_reported = 0;
      if (elapsed >= self->phase_length)
        enter_idle (self);
      break;

    case PHASE_FAILED:
      if (elapsed >= self->phase_length)
        enter_idle (self);
      break;

    case PHASE_PAUSE:
    default:
      break;
    }
}

static void
step_hms (PdSimPrinter *self)
{
  double low, high;

  switch (self->scenario)
    {
    case PD_SIM_SCENARIO_HMS:
      low = 30, high = 120;
      break;
    case PD_SIM_SCENARIO_MIXED:
      low = 600, high = 1800;
      break;
    case PD_SIM_SCENARIO_PRINT:
    case PD_SIM_SCENARIO_IDLE:
    case PD_SIM_SCENARIO_FAIL:
    default:
      return;
    }

  if (self->now < self->next_hms_event)
    return;
  self->next_hms_event = self->now + random_range (self, low, high);

  /* Appear, then clear: the list is only ever the active errors. */
  if (self->hms->len > 0 && g_rand_boolean (self->rand))
    g_array_remove_index (self->hms, (guint) g_rand_int_range (self->rand, 0, (gint32) self->hms->len));
  else
    pd_sim_printer_add_sample_hms (self);
}

/* The humidity index for a relative humidity. The wire index runs the
 * other way from the level the apps show: 5 = dry.
 */
static int
humidity_index (int percent)
{
  return percent < 20 ? 5 : percent < 30 ? 4
                          : percent < 40 ? 3
                          : percent < 55 ? 2
                                         : 1;
}

static void
drift_humidity (PdSimPrinter *self,
                JsonObject   *unit,
                double        dt)
{
  if (json_object_has_member (unit, "humidity_raw"))
    {
      if (happens (self, dt, 300))
        {
          gint64 raw = CLAMP (get_int (unit, "humidity_raw", 20) + g_rand_int_range (self->rand, -2, 3), 3, 65);

          set_int (unit, "humidity_raw", raw);
          if (get_int (unit, "humidity", 0) != 0) /* 0: not ready, as an AMS HT reports */
            set_int (unit, "humidity", humidity_index ((int) raw));
        }
    }
  else if (json_object_has_member (unit, "humidity") && happens (self, dt, 1200))
    set_int (unit, "humidity", CLAMP (get_int (unit, "humidity", 4) + (g_rand_boolean (self->rand) ? 1 : -1), 2, 5));
}

/* AMS humidity and temperature drift slowly, as the rooms they sit in. A
 * humidity set by hand stays as it was set.
 */
static void
drift_ams (PdSimPrinter *self,
           double        dt)
{
  JsonArray *units = pd_sim_json_get_array (pd_sim_json_get_object (self->state, "ams"), "ams");

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *unit = json_array_get_object_element (units, i);

      if (unit == NULL)
        continue;

      if (!g_hash_table_contains (self->humidity_set, GINT_TO_POINTER (get_int (unit, "id", -1))))
        drift_humidity (self, unit, dt);

      if (member_is_string (unit, "temp") && happens (self, dt, 120))
        {
          double temp = g_ascii_strtod (json_object_get_string_member (unit, "temp"), NULL);
          char   text[G_ASCII_DTOSTR_BUF_SIZE];

          if (temp > 0) /* 0.0: a unit without a sensor */
            {
              temp = CLAMP (temp + (g_rand_boolean (self->rand) ? 0.1 : -0.1), 15, 70);
              g_ascii_formatd (text, sizeof text, "%.1f", temp);
              json_object_set_string_member (unit, "temp", text);
            }
        }
    }
}

static void
step (PdSimPrinter *self,
      double        dt)
{
  /* Small steps, so heating, phases and spool changes keep their order
   * even at 60× speed.
   */
  while (dt > 0)
    {
      double h = MIN (dt, 1.0);
      double chamber_goal;

      dt -= h;
      self->now += h;

      for (guint i = 0; i < self->n_nozzles; i++)
        approach (&self->nozzle[i], self->nozzle_target[i], NOZZLE_HEAT_RATE, NOZZLE_COOL_TAU, h);
      approach (&self->bed, self->bed_target, BED_HEAT_RATE, BED_COOL_TAU, h);
      /* An enclosed printer's chamber warms with its bed. */
      chamber_goal = AMBIENT + MAX (0, self->bed - AMBIENT) * 0.25;
      self->chamber = chamber_goal + (self->chamber - chamber_goal) * exp (-h / CHAMBER_TAU);

      step_job (self, h);
      step_hms (self);
    }
}

/* ---- Rendering the model into the report ------------------------------ */

static double
noisy (PdSimPrinter *self,
       double        value)
{
  return value + random_range (self, -0.25, 0.25);
}

/* Temperatures keep the recording's type: H2D sends 40, X1 26.0, and P1
 * and A1 27.8125 (their sensors read in sixteenths).
 */
static void
set_temperature (PdSimPrinter *self,
                 JsonObject   *object,
                 const char   *member,
                 double        value)
{
  if (object == NULL || !json_object_has_member (object, member))
    return;

  if (member_is_int (object, member))
    json_object_set_int_member (object, member, lround (value));
  else if (self->model->temps_in_sixteenths)
    json_object_set_double_member (object, member, round (value * 16) / 16);
  else
    json_object_set_double_member (object, member, round (value));
}

static gint64
pack (double target,
      double current)
{
  return ((gint64) lround (MAX (target, 0)) << 16) | lround (MAX (current, 0));
}

/* H2/X2 (and newer X1 firmware) repeat the temperatures packed as
 * target << 16 | current in print.device.
 */
static void
render_packed (PdSimPrinter *self,
               double        bed,
               double        chamber)
{
  JsonObject *device = pd_sim_json_get_object (self->state, "device");
  JsonObject *bed_obj = pd_sim_json_get_object (device, "bed");
  JsonObject *ctc = pd_sim_json_get_object (device, "ctc");
  JsonArray  *extruders = pd_sim_json_get_array (pd_sim_json_get_object (device, "extruder"), "info");
  JsonObject *info = pd_sim_json_get_object (self->state, "info");

  set_int_if_present (pd_sim_json_get_object (bed_obj, "info"), "temp", pack (self->bed_target, bed));
  set_int_if_present (device, "bed_temp", pack (self->bed_target, bed));
  set_int_if_present (pd_sim_json_get_object (ctc, "info"), "temp", pack (0, chamber));
  set_int_if_present (device, "cham_temp", pack (0, chamber));
  set_int_if_present (info, "temp", lround (chamber));

  for (guint i = 0; extruders != NULL && i < json_array_get_length (extruders) && i < self->n_nozzles; i++)
    {
      JsonObject *extruder = json_array_get_object_element (extruders, i);

      set_int_if_present (extruder, "temp", pack (self->nozzle_target[i], self->nozzle[i]));
    }
}

/* tray_now, tray_pre and tray_tar; on H2/X2 also the active extruder's
 * "snow", which says which spool it holds: unit << 8 | slot.
 */
static void
render_loaded (PdSimPrinter *self)
{
  JsonObject *ams = pd_sim_json_get_object (self->state, "ams");
  JsonObject *device = pd_sim_json_get_object (self->state, "device");
  JsonArray  *extruders = pd_sim_json_get_array (pd_sim_json_get_object (device, "extruder"), "info");
  JsonObject *extruder = extruders != NULL && json_array_get_length (extruders) > 0 ? json_array_get_object_element (extruders, 0) : NULL;

  if (ams != NULL)
    {
      set_int (ams, "tray_now", self->tray_now);
      set_int (ams, "tray_pre", self->tray_pre);
      set_int (ams, "tray_tar", self->tray_tar);
    }

  if (extruder != NULL)
    {
      gint64 snow = 0xFFFF;

      if (self->tray_now != 255)
        snow = self->loaded.unit < 0 ? 0xFEFF : ((gint64) self->loaded.unit << 8) | self->loaded.slot;
      set_int_if_present (extruder, "snow", snow);
      set_int_if_present (extruder, "star", snow);
    }
}

static JsonNode *
hms_to_json (PdSimPrinter *self)
{
  g_autoptr (JsonArray) array = json_array_sized_new (self->hms->len);

  for (guint i = 0; i < self->hms->len; i++)
    {
      const HmsEntry *entry = &g_array_index (self->hms, HmsEntry, i);
      JsonObject     *object = json_object_new ();

      json_object_set_int_member (object, "attr", entry->attr);
      json_object_set_int_member (object, "code", entry->code);
      json_array_add_object_element (array, object);
    }

  return json_node_init_array (json_node_alloc (), array);
}

/* ipcam.rtsp_url: where the stream is, or "disable" while LAN live view is
 * off. Only RTSPS printers send it; A1 and P1 have no such member.
 */
static void
render_ipcam (PdSimPrinter *self)
{
  JsonObject      *ipcam;
  g_autofree char *url = NULL;

  if (self->model->info->camera != PD_CAMERA_KIND_RTSPS)
    return;

  if ((ipcam = pd_sim_json_get_object (self->state, "ipcam")) == NULL)
    {
      ipcam = json_object_new ();
      json_object_set_object_member (self->state, "ipcam", ipcam);
    }
  if (self->camera != NULL && pd_sim_camera_is_listening (self->camera))
    url = pd_sim_camera_dup_url (self->camera);
  json_object_set_string_member (ipcam, "rtsp_url", url != NULL ? url : "disable");
}

static void
render (PdSimPrinter *self)
{
  JsonObject           *p = self->state;
  /* The top-level nozzle of a dual-nozzle printer is the left one, whether
   * it is active or not (the recorded H2D shows 40 °C while printing right).
   */
  guint                 top = self->n_nozzles > 1 ? 1 : 0;
  double                bed = noisy (self, self->bed);
  double                chamber = noisy (self, self->chamber);
  double                fraction = self->job_total > 0 ? MIN (1.0, self->job_done / self->job_total) : 0;
  double                factor = speed_factor (self->speed_level);
  gint64                percent = 0, remaining = 0, layer = 0;
  g_autoptr (JsonArray) stages = json_array_sized_new (self->stages->len);
  g_autofree char      *wifi = g_strdup_printf ("%ddBm", self->wifi);

  switch (self->phase)
    {
    case PHASE_PREPARE:
      remaining = (gint64) ceil (self->job_total / 60 / factor);
      break;
    case PHASE_RUNNING:
    case PHASE_PAUSE:
    case PHASE_FAILED:
      percent = MIN (99, (gint64) (fraction * 100));
      remaining = (gint64) ceil ((self->job_total - self->job_done) / 60 / factor);
      layer = CLAMP ((gint64) ceil (fraction * self->job_layers), 1, self->job_layers);
      break;
    case PHASE_FINISH:
      percent = 100;
      layer = self->job_layers;
      break;
    case PHASE_IDLE:
    default:
      break;
    }

  set_temperature (self, p, "nozzle_temper", noisy (self, self->nozzle[top]));
  set_temperature (self, p, "nozzle_target_temper", self->nozzle_target[top]);
  set_temperature (self, p, "bed_temper", bed);
  set_temperature (self, p, "bed_target_temper", self->bed_target);
  /* P1 and A1 send a meaningless constant there; leave it be. */
  if (self->model->info->chamber_sensor)
    set_temperature (self, p, "chamber_temper", chamber);
  render_packed (self, bed, chamber);

  json_object_set_string_member (p, "gcode_state", phase_gcode_state (self->phase));
  set_int (p, "stg_cur", self->stage == G_MININT ? self->model->idle_stage : self->stage);
  for (guint i = 0; i < self->stages->len; i++)
    json_array_add_int_element (stages, g_array_index (self->stages, int, i));
  json_object_set_array_member (p, "stg", g_steal_pointer (&stages));
  set_int (p, "mc_print_stage", in_job (self) ? 2 : 1);
  set_int (p, "mc_percent", percent);
  set_int_if_present (p, "percent", percent);
  set_int (p, "mc_remaining_time", remaining);
  set_int_if_present (p, "remain_time", remaining);
  set_int (p, "layer_num", layer);
  set_int (p, "total_layer_num", self->layers_reported);
  set_int_if_present (pd_sim_json_get_object (p, "3D"), "layer_num", layer);
  set_int_if_present (pd_sim_json_get_object (p, "3D"), "total_layer_num", self->layers_reported);
  set_int (p, "print_error", self->print_error);
  set_int (p, "spd_lvl", self->speed_level);
  set_int (p, "spd_mag", speed_magnitude (self->speed_level));
  set_int (p, "gcode_file_prepare_percent",
           self->phase == PHASE_PREPARE ? MIN (100, (gint64) ((self->now - self->phase_start) * 10)) : self->job_name != NULL ? 100
                                                                                                                              : 0);

  if (self->job_name != NULL)
    {
      /* A LAN print, as each family reports it (reference/ftps-3mf.md §1.5). */
      g_autofree char *gcode_file = self->model->gcode_file_3mf ? g_strdup_printf ("%s.gcode.3mf", self->job_name)
                                                                : g_strdup ("/data/Metadata/plate_1.gcode");

      json_object_set_string_member (p, "subtask_name", self->job_name);
      json_object_set_string_member (p, "gcode_file", gcode_file);
      json_object_set_string_member (p, "print_type", "local");
    }
  else
    {
      json_object_set_string_member (p, "subtask_name", "");
      json_object_set_string_member (p, "gcode_file", "");
      json_object_set_string_member (p, "print_type", "idle");
    }

  /* The SD card bit; the recording's other bits stay (the wire value is a
   * signed 32-bit integer on X1 and H2). */
  {
    guint32 flags = (guint32) get_int (p, "home_flag", 0);

    flags = self->sdcard ? flags | HOME_FLAG_SDCARD : flags & ~(guint32) HOME_FLAG_SDCARD;
    set_int (p, "home_flag", (gint32) flags);
    if (json_object_has_member (p, "sdcard"))
      json_object_set_boolean_member (p, "sdcard", self->sdcard);
  }

  set_int (p, "cooling_fan_speed", self->phase == PHASE_RUNNING && layer > 2 ? 15 : 0);
  set_int (p, "heatbreak_fan_speed", self->nozzle[0] > 50 ? 15 : 0);
  json_object_set_string_member (p, "wifi_signal", wifi);
  json_object_set_member (p, "hms", hms_to_json (self));
  render_loaded (self);
  render_ipcam (self);
}

/* ---- Reports ------------------------------------------------------------ */

static JsonNode *diff_node (JsonNode *old,
                            JsonNode *new,
                            const char *name);

/* The "id" of an element of a list of units or trays, or NULL. */
static JsonNode *
element_id (JsonNode *element)
{
  if (element == NULL || !JSON_NODE_HOLDS_OBJECT (element))
    return NULL;

  return json_object_get_member (json_node_get_object (element), "id");
}

static JsonNode *
find_element (JsonArray *array,
              JsonNode  *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *other = element_id (json_array_get_element (array, i));

      if (other != NULL && json_node_equal (other, id))
        return json_array_get_element (array, i);
    }

  return NULL;
}

/* AMS units (ams.ams) and their trays are lists keyed by "id": a delta
 * lists only the elements that changed, each with its id and only the
 * members that changed, as the firmware sends them. FALSE when that cannot
 * be said (an element without an id, or one that went away): the list is
 * then sent whole.
 */
static gboolean
diff_keyed (JsonArray *old,
            JsonArray *new,
            JsonNode **out)
{
  g_autoptr (JsonArray) changed = json_array_new ();

  for (guint i = 0; i < json_array_get_length (old); i++)
    {
      JsonNode *id = element_id (json_array_get_element (old, i));

      if (id == NULL || find_element (new, id) == NULL)
        return FALSE;
    }

  for (guint i = 0; i < json_array_get_length (new); i++)
    {
      JsonNode            *element = json_array_get_element (new, i);
      JsonNode            *id = element_id (element);
      JsonNode            *before;
      g_autoptr (JsonNode) diff = NULL;

      if (id == NULL)
        return FALSE;
      if ((before = find_element (old, id)) == NULL)
        {
          json_array_add_element (changed, json_node_copy (element));
          continue;
        }
      if ((diff = diff_node (before, element, NULL)) != NULL)
        {
          JsonObject       *members = json_node_get_object (diff);
          g_autoptr (GList) names = json_object_get_members (members);
          JsonObject       *object = json_object_new ();

          json_object_set_member (object, "id", json_node_copy (id));
          for (const GList *l = names; l != NULL; l = l->next)
            json_object_set_member (object, l->data, json_node_copy (json_object_get_member (members, l->data)));
          json_array_add_object_element (changed, object);
        }
    }

  *out = json_array_get_length (changed) > 0 ? json_node_init_array (json_node_alloc (), changed) : NULL;
  return TRUE;
}

/* What changed from @old to @new (member @name of its parent, or NULL):
 * objects member by member, units and trays by id, anything else whole.
 * NULL when nothing did. Members that disappear cannot be said in a delta,
 * and the model never removes any.
 */
static JsonNode *
diff_node (JsonNode *old,
           JsonNode *new,
           const char *name)
{
  if (old != NULL && JSON_NODE_HOLDS_OBJECT (old) && JSON_NODE_HOLDS_OBJECT (new))
    {
      JsonObject            *old_object = json_node_get_object (old);
      JsonObject            *new_object = json_node_get_object (new);
      g_autoptr (GList)      members = json_object_get_members (new_object);
      g_autoptr (JsonObject) out = NULL;

      for (const GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *changed = diff_node (json_object_get_member (old_object, l->data),
                                         json_object_get_member (new_object, l->data), l->data);

          if (changed == NULL)
            continue;
          if (out == NULL)
            out = json_object_new ();
          json_object_set_member (out, l->data, changed);
        }

      return out != NULL ? json_node_init_object (json_node_alloc (), out) : NULL;
    }

  if (old != NULL && json_node_equal (old, new))
    return NULL;

  if (old != NULL && name != NULL && (g_str_equal (name, "ams") || g_str_equal (name, "tray")) &&
      JSON_NODE_HOLDS_ARRAY (old) && JSON_NODE_HOLDS_ARRAY (new))
    {
      JsonNode *out = NULL;

      if (diff_keyed (json_node_get_array (old), json_node_get_array (new), &out))
        return out;
    }

  return json_node_copy (new);
}

static void
publish_node (PdSimPrinter *self,
              JsonNode     *root)
{
  g_autofree char *text = pd_json_to_string (root, FALSE);

  if (self->sim != NULL)
    _pd_sim_publish (self->sim, self->report_topic, text, strlen (text));
}

/* A push_status message around @print (taken), with the printer's counter. */
static JsonNode *
wrap_push_status (PdSimPrinter *self,
                  JsonObject   *print,
                  gboolean      full)
{
  g_autoptr (JsonObject) root = json_object_new ();
  g_autofree char       *sequence = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->sequence);

  json_object_set_string_member (print, "command", "push_status");
  json_object_set_int_member (print, "msg", full ? 0 : 1);
  json_object_set_string_member (print, "sequence_id", sequence);
  json_object_set_object_member (root, "print", print);

  return json_node_init_object (json_node_alloc (), root);
}

/* A copy of the state that shares nothing with it. */
static JsonNode *
copy_state (PdSimPrinter *self)
{
  g_autoptr (JsonNode) state = json_node_init_object (json_node_alloc (), self->state);

  return pd_sim_json_deep_copy (state);
}

static void
remember_published (PdSimPrinter *self)
{
  g_clear_pointer (&self->published, json_node_unref);
  self->published = copy_state (self);
}

static void
publish_full (PdSimPrinter *self)
{
  g_autoptr (JsonNode) copy = copy_state (self);
  g_autoptr (JsonNode) root = wrap_push_status (self, json_object_ref (json_node_get_object (copy)), TRUE);

  publish_node (self, root);
  remember_published (self);
  self->n_reports++;
}

/* Sends what changed in the state since the last report, unless the
 * printer is silent.
 */
static void
publish_changes (PdSimPrinter *self)
{
  g_autoptr (JsonNode) state = NULL;
  g_autoptr (JsonNode) delta = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (self->stalled || self->offline)
    return;

  if (self->full_frames || self->published == NULL)
    {
      publish_full (self);
      return;
    }

  state = json_node_init_object (json_node_alloc (), self->state);
  delta = diff_node (self->published, state, NULL);
  if (delta == NULL)
    return;

  root = wrap_push_status (self, json_object_ref (json_node_get_object (delta)), FALSE);
  publish_node (self, root);
  remember_published (self);
  self->n_reports++;
}

/* Renders the model and sends what changed, unless the printer is silent. */
static void
publish_update (PdSimPrinter *self)
{
  render (self);
  publish_changes (self);
}

static gboolean
on_tick (gpointer user_data)
{
  PdSimPrinter *self = user_data;
  gint64        now = g_get_monotonic_time ();
  double        dt = (double) (now - self->last_tick) / G_USEC_PER_SEC;

  self->last_tick = now;
  /* After a suspend, do not replay a week of printing. */
  dt = MIN (dt, 600);
  step (self, dt * self->speed);

  /* Wi-Fi strength wanders; P1 and A1 report it often. */
  if (g_rand_double (self->rand) < 0.3)
    self->wifi = CLAMP (self->wifi + (g_rand_boolean (self->rand) ? 1 : -1), -80, -30);
  drift_ams (self, dt * self->speed);

  publish_update (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_tick (gpointer user_data)
{
  PdSimPrinter *self = user_data;

  g_clear_pointer (&self->tick_source, g_source_unref);
  on_tick (self);

  self->tick_source = g_timeout_source_new (self->interval_ms);
  g_source_set_callback (self->tick_source, on_tick, self, NULL);
  g_source_attach (self->tick_source, _pd_sim_get_context (self->sim));

  return G_SOURCE_REMOVE;
}

/* ---- Commands ----------------------------------------------------------- */

static void
reply (PdSimPrinter *self,
       const char   *family,
       JsonObject   *request,
       gboolean      success,
       const char   *reason)
{
  g_autoptr (JsonObject) root = json_object_new ();
  g_autoptr (JsonNode)   node = NULL;
  g_autoptr (GList)      members = json_object_get_members (request);
  JsonObject            *body = json_object_new ();

  /* A printer echoes the request (command, sequence_id, param…). */
  for (const GList *l = members; l != NULL; l = l->next)
    json_object_set_member (body, l->data, json_node_copy (json_object_get_member (request, l->data)));
  json_object_set_string_member (body, "result", success ? "success" : "fail");
  json_object_set_string_member (body, "reason", reason != NULL ? reason : "");
  json_object_set_object_member (root, family, body);

  node = json_node_init_object (json_node_alloc (), root);
  publish_node (self, node);
}

static void
set_light (PdSimPrinter *self,
           const char   *node_name,
           const char   *mode)
{
  JsonArray  *lights = pd_sim_json_get_array (self->state, "lights_report");
  JsonObject *light;

  if (lights == NULL)
    {
      lights = json_array_new ();
      json_object_set_array_member (self->state, "lights_report", lights);
    }

  for (guint i = 0; i < json_array_get_length (lights); i++)
    {
      light = json_array_get_object_element (lights, i);
      if (light != NULL && g_strcmp0 (json_object_get_string_member_with_default (light, "node", NULL), node_name) == 0)
        {
          json_object_set_string_member (light, "mode", mode);
          return;
        }
    }

  light = json_object_new ();
  json_object_set_string_member (light, "node", node_name);
  json_object_set_string_member (light, "mode", mode);
  json_array_add_object_element (lights, light);
}

/* "M104 S200\nM140 S60" sets the nozzle and bed targets. */
static void
run_gcode (PdSimPrinter *self,
           const char   *gcode)
{
  g_auto (GStrv) lines = g_strsplit (gcode, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *s = strstr (lines[i], " S");
      double      value = s != NULL ? g_ascii_strtod (s + 2, NULL) : 0;

      if (s == NULL)
        continue;
      if (g_str_has_prefix (lines[i], "M104") || g_str_has_prefix (lines[i], "M109"))
        self->nozzle_target[0] = CLAMP (value, 0, 350);
      else if (g_str_has_prefix (lines[i], "M140") || g_str_has_prefix (lines[i], "M190"))
        self->bed_target = CLAMP (value, 0, 120);
    }
}

static void
handle_print_command (PdSimPrinter *self,
                      JsonObject   *request,
                      const char   *command)
{
  if (g_str_equal (command, "pause"))
    {
      if (self->phase != PHASE_PREPARE && self->phase != PHASE_RUNNING)
        {
          reply (self, "print", request, FALSE, "not printing");
          return;
        }
      self->paused_from = self->phase;
      set_phase (self, PHASE_PAUSE, INFINITY);
      push_stage (self, 16); /* paused by the user */
    }
  else if (g_str_equal (command, "resume"))
    {
      if (self->phase != PHASE_PAUSE)
        {
          reply (self, "print", request, FALSE, "not paused");
          return;
        }
      set_phase (self, self->paused_from, INFINITY);
      push_stage (self, self->paused_from == PHASE_RUNNING ? 0 : 2);
    }
  else if (g_str_equal (command, "stop"))
    {
      if (!in_job (self))
        {
          reply (self, "print", request, FALSE, "not printing");
          return;
        }
      enter_failed (self, PD_SIM_PRINT_ERROR_CANCEL);
    }
  else if (g_str_equal (command, "print_speed"))
    {
      int level = (int) get_int (request, "param", 0);

      if (level < 1 || level > 4)
        {
          reply (self, "print", request, FALSE, "bad speed level");
          return;
        }
      self->speed_level = level;
    }
  else if (g_str_equal (command, "clean_print_error"))
    {
      self->print_error = 0;
    }
  else if (g_str_equal (command, "gcode_line"))
    {
      const char *gcode = json_object_get_string_member_with_default (request, "param", "");

      run_gcode (self, gcode != NULL ? gcode : "");
    }
  else
    {
      g_debug ("%s: ignoring print.%s", self->serial, command);
      return;
    }

  reply (self, "print", request, TRUE, NULL);
  publish_update (self);
}

static void
handle_system_command (PdSimPrinter *self,
                       JsonObject   *request,
                       const char   *command)
{
  const char *node_name;
  const char *mode;

  if (!g_str_equal (command, "ledctrl"))
    {
      g_debug ("%s: ignoring system.%s", self->serial, command);
      return;
    }

  node_name = json_object_get_string_member_with_default (request, "led_node", NULL);
  mode = json_object_get_string_member_with_default (request, "led_mode", NULL);
  if (node_name == NULL || mode == NULL ||
      (!g_str_equal (mode, "on") && !g_str_equal (mode, "off") && !g_str_equal (mode, "flashing")))
    {
      reply (self, "system", request, FALSE, "bad led_node or led_mode");
      return;
    }

  set_light (self, node_name, mode);
  reply (self, "system", request, TRUE, NULL);
  publish_update (self);
}

static void
record_command (PdSimPrinter *self,
                const char   *topic,
                GBytes       *payload,
                int           qos)
{
  gsize         length = 0;
  const void   *data = g_bytes_get_data (payload, &length);
  PdSimCommand *command = g_new0 (PdSimCommand, 1);

  command->topic = g_strdup (topic);
  command->payload = g_malloc (length + 1);
  if (length > 0)
    memcpy (command->payload, data, length);
  command->payload[length] = '\0';
  command->length = length;
  command->qos = qos;
  command->time = g_get_real_time ();

  /* Bounded, for simulators that run for weeks. */
  if (self->commands->len >= MAX_COMMANDS)
    g_ptr_array_remove_index (self->commands, 0);
  g_ptr_array_add (self->commands, command);

  if (self->sim != NULL)
    _pd_sim_emit_command (self->sim, self, command);
}

void
_pd_sim_printer_handle_request (PdSimPrinter *self,
                                const char   *topic,
                                GBytes       *payload,
                                int           qos)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  gsize                  length = 0;
  const char            *data = g_bytes_get_data (payload, &length);
  JsonNode              *root;
  JsonObject            *object;
  JsonObject            *request;
  const char            *command;

  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  record_command (self, topic, payload, qos);

  /* A stalled or switched-off printer hears nothing. */
  if (self->stalled || self->offline)
    return;

  if (length == 0 || !json_parser_load_from_data (parser, data, (gssize) length, &error))
    {
      g_debug ("%s: request is not JSON: %s", self->serial, error != NULL ? error->message : "empty");
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);

  if ((request = pd_sim_json_get_object (object, "pushing")) != NULL)
    {
      command = json_object_get_string_member_with_default (request, "command", "");
      if (g_strcmp0 (command, "pushall") == 0)
        {
          render (self);
          publish_full (self);
        }
      /* "start" and "stop" need no answer. */
    }
  else if ((request = pd_sim_json_get_object (object, "info")) != NULL)
    {
      command = json_object_get_string_member_with_default (request, "command", "");
      if (g_strcmp0 (command, "get_version") == 0)
        {
          g_autoptr (JsonNode) version = pd_sim_model_make_version (self->model, self->serial, self->state,
                                                                    json_object_get_member (request, "sequence_id"));

          publish_node (self, version);
        }
    }
  else if ((request = pd_sim_json_get_object (object, "print")) != NULL)
    {
      command = json_object_get_string_member_with_default (request, "command", NULL);
      if (command != NULL)
        handle_print_command (self, request, command);
    }
  else if ((request = pd_sim_json_get_object (object, "system")) != NULL)
    {
      command = json_object_get_string_member_with_default (request, "command", NULL);
      if (command != NULL)
        handle_system_command (self, request, command);
    }
}

/* ---- Where each printer starts -------------------------------------- */

static void
set_initial_phase (PdSimPrinter *self)
{
  /* Mixed: each printer at a different point, so a demo shows everything at once. */
  guint where = self->scenario == PD_SIM_SCENARIO_MIXED ? self->index % 5 : 0;

  self->stage = G_MININT;
  self->tray_now = self->tray_pre = self->tray_tar = 255;
  self->print_error = 0;
  g_array_set_size (self->hms, 0);

  switch (self->scenario)
    {
    case PD_SIM_SCENARIO_IDLE:
    case PD_SIM_SCENARIO_HMS:
      enter_idle (self);
      self->next_hms_event = 20;
      return;
    case PD_SIM_SCENARIO_PRINT:
    case PD_SIM_SCENARIO_FAIL:
      start_job (self);
      return;
    case PD_SIM_SCENARIO_MIXED:
    default:
      break;
    }

  self->next_hms_event = random_range (self, 300, 1800);
  switch (where)
    {
    case 0: /* printing, a third done */
    case 3: /* printing, nearly done */
      start_job (self);
      self->fail_at = -1;
      self->nozzle[0] = self->nozzle_target[0];
      self->bed = self->bed_target;
      push_stage (self, 7);
      push_stage (self, 1);
      begin_running (self);
      self->job_done = self->job_total * (where == 0 ? 0.35 : 0.85);
      if (self->trays->len > 1 && where == 3)
        {
          self->tray_index = self->trays->len - 1;
          self->loaded = g_array_index (self->trays, Tray, self->tray_index);
          self->tray_now = tray_report_value (self, &self->loaded);
          self->tray_tar = self->tray_now;
        }
      self->remain_steps = (int) (self->job_done / self->job_total * 25);
      break;
    case 1: /* heating up */
      start_job (self);
      break;
    case 4: /* just finished */
      start_job (self);
      self->fail_at = -1;
      begin_running (self);
      enter_finish (self);
      self->nozzle[0] = 180;
      self->bed = 50;
      break;
    case 2: /* idle, with an HMS warning */
    default:
      enter_idle (self);
      self->phase_length = random_range (self, 60, 240);
      pd_sim_printer_add_hms (self, PD_SIM_HMS_COMMON_ATTR, PD_SIM_HMS_COMMON_CODE);
      break;
    }
}

/* ---- GObject ------------------------------------------------------------ */

static void
pd_sim_printer_dispose (GObject *object)
{
  PdSimPrinter *self = PD_SIM_PRINTER (object);

  _pd_sim_printer_stop (self);
  g_clear_object (&self->forwarder);
  g_clear_object (&self->camera);
  g_clear_object (&self->ftp);

  G_OBJECT_CLASS (pd_sim_printer_parent_class)->dispose (object);
}

static void
pd_sim_printer_finalize (GObject *object)
{
  PdSimPrinter *self = PD_SIM_PRINTER (object);

  g_free (self->serial);
  g_free (self->access_code);
  g_free (self->name);
  g_free (self->report_topic);
  g_free (self->request_topic);
  g_free (self->dir);
  g_free (self->ca_file);
  g_free (self->cert_file);
  g_free (self->key_file);
  g_free (self->ftp_cert_file);
  g_free (self->ftp_key_file);
  g_free (self->cert_pem);
  if (self->key_pem != NULL)
    memset (self->key_pem, 0, strlen (self->key_pem));
  g_free (self->key_pem);
  for (guint i = 0; i < PD_SIM_N_TRANSPORTS; i++)
    g_free (self->transport_fingerprints[i]);
  g_free (self->password_file);
  g_free (self->acl_file);
  g_free (self->fingerprint);
  g_clear_object (&self->tls_certificate);
  g_free (self->job_name);
  for (guint i = 0; i < PD_SIM_3MF_MAX_FILAMENTS; i++)
    g_free (self->job_types[i]);
  g_free (self->job_file_path);
  g_free (self->job_spec_name);
  g_clear_pointer (&self->job_file, g_bytes_unref);
  g_ptr_array_unref (self->commands);
  g_clear_pointer (&self->state, json_object_unref);
  g_clear_pointer (&self->published, json_node_unref);
  g_array_unref (self->stages);
  g_array_unref (self->hms);
  g_array_unref (self->trays);
  g_clear_pointer (&self->humidity_set, g_hash_table_unref);
  g_clear_pointer (&self->rand, g_rand_free);

  G_OBJECT_CLASS (pd_sim_printer_parent_class)->finalize (object);
}

static void
pd_sim_printer_class_init (PdSimPrinterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pd_sim_printer_dispose;
  object_class->finalize = pd_sim_printer_finalize;
}

static void
pd_sim_printer_init (PdSimPrinter *self)
{
  self->commands = g_ptr_array_new_with_free_func ((GDestroyNotify) pd_sim_command_free);
  self->stages = g_array_new (FALSE, FALSE, sizeof (int));
  self->hms = g_array_new (FALSE, FALSE, sizeof (HmsEntry));
  self->trays = g_array_new (FALSE, FALSE, sizeof (Tray));
  self->humidity_set = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->speed_level = 2;
  self->sdcard = TRUE;
}

/* ---- Private API, for PdSim --------------------------------------------- */

PdSimPrinter *
_pd_sim_printer_new (PdSim              *sim,
                     guint               number,
                     const PdSimModel   *model,
                     const char         *serial,
                     const char         *access_code,
                     guint32             seed,
                     const PdSimOptions *options,
                     const char         *dir,
                     GError            **error)
{
  g_autoptr (PdSimPrinter) self = g_object_new (PD_TYPE_SIM_PRINTER, NULL);
  g_autofree char         *acl = NULL;

  self->sim = sim;
  self->index = number;
  self->model = model;
  self->serial = g_strdup (serial);
  self->access_code = g_strdup (access_code);
  /* "Sim X1C 1", "Sim A1 mini 3": the short product name, else the id. */
  self->name = g_strdup_printf ("Sim %s %u",
                                strlen (model->info->display_name) <= 7 ? model->info->display_name : model->info->id,
                                number + 1);
  self->report_topic = g_strdup_printf ("device/%s/report", serial);
  self->request_topic = g_strdup_printf ("device/%s/request", serial);
  self->dir = g_strdup (dir);
  self->ca_file = g_build_filename (dir, "ca.crt", NULL);
  self->cert_file = g_strdup_printf ("%s/%s.crt", dir, serial);
  self->key_file = g_strdup_printf ("%s/%s.key", dir, serial);
  self->ftp_cert_file = g_strdup_printf ("%s/%s.ftp.crt", dir, serial);
  self->ftp_key_file = g_strdup_printf ("%s/%s.ftp.key", dir, serial);
  self->password_file = g_strdup_printf ("%s/%s.passwd", dir, serial);
  self->acl_file = g_strdup_printf ("%s/%s.acl", dir, serial);
  self->max_clients = options->max_clients;
  self->camera_kind = options->no_cameras ? PD_CAMERA_KIND_NONE : model->info->camera;
  if (self->camera_kind != PD_CAMERA_KIND_RTSPS && self->camera_kind != PD_CAMERA_KIND_JPEG)
    self->camera_kind = PD_CAMERA_KIND_NONE;
  self->camera_enabled = TRUE;

  self->rand = g_rand_new_with_seed (seed);
  self->scenario = options->scenario;
  self->speed = options->speed;
  self->interval_ms = MAX (options->report_interval_ms, 10);
  self->full_frames = options->x1_full_frames && model->full_frames_capable;

  if ((self->state = pd_sim_model_load_print (model, error)) == NULL)
    return NULL;
  self->sequence = (guint64) g_rand_int_range (self->rand, 100, 5000);

  /* Like a printer: its own report and request topics, nothing else. */
  acl = g_strdup_printf ("user bblp\ntopic read %s\ntopic write %s\n", self->report_topic, self->request_topic);
  if (!write_private_file (self->acl_file, acl, error) ||
      !write_password_file (self, access_code, error) ||
      !write_certificate (self, _pd_sim_get_ca (sim), error))
    return NULL;

  if (self->camera_kind != PD_CAMERA_KIND_NONE)
    {
      int width, height, fps;

      if (!pd_sim_camera_init_gstreamer (error))
        return NULL;
      pd_sim_camera_default_size (self->camera_kind, &width, &height, &fps);
      if (options->camera_width > 0 && options->camera_height > 0)
        {
          width = options->camera_width;
          height = options->camera_height;
        }
      if (options->camera_fps > 0)
        fps = options->camera_fps;
      self->camera = pd_sim_camera_new (self->camera_kind, self->name, access_code, self->tls_certificate,
                                        width, height, fps, _pd_sim_get_context (sim));
      pd_sim_camera_set_max_clients (self->camera, options->camera_max_clients);
    }

  /* Its SD card over FTPS, with the same certificate as its MQTT port. */
  if (!options->no_ftp)
    {
      if (pd_sim_ftp_find_program () != NULL)
        {
          g_autofree char *ftp_dir = g_strdup_printf ("%s/%s-ftp", dir, serial);

          self->ftp = pd_sim_ftp_new (ftp_dir, self->ftp_cert_file, self->ftp_key_file, access_code);
          pd_sim_ftp_set_max_rate (self->ftp, options->ftp_max_rate);
        }
      else
        g_debug ("No vsftpd: %s serves no files", self->name);
    }

  self->n_nozzles = model->info->dual_nozzle ? 2 : 1;
  self->nozzle[0] = self->nozzle[1] = AMBIENT + random_range (self, -2, 2);
  self->bed = AMBIENT + random_range (self, -2, 2);
  self->chamber = AMBIENT + random_range (self, -1, 1);
  self->wifi = (int) get_int (self->state, "wifi_signal", -50);
  if (self->wifi >= 0)
    self->wifi = -50;

  set_initial_phase (self);
  render (self);

  return g_steal_pointer (&self);
}

void
_pd_sim_printer_get_listener (PdSimPrinter        *self,
                              PdSimListenerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->password_file = self->password_file;
  config->acl_file = self->acl_file;
  config->cert_file = self->cert_file;
  config->key_file = self->key_file;
  config->max_connections = self->max_clients;
}

void
_pd_sim_printer_set_broker_listener (PdSimPrinter *self,
                                     guint         listener)
{
  self->listener = listener;
}

guint
_pd_sim_printer_get_broker_listener (PdSimPrinter *self)
{
  return self->listener;
}

/* Puts the forwarder in front of the broker's port for this printer. */
gboolean
_pd_sim_printer_attach (PdSimPrinter *self,
                        guint16       broker_port,
                        guint16       public_port,
                        GError      **error)
{
  g_clear_object (&self->forwarder);
  self->forwarder = pd_sim_forwarder_new (broker_port);

  if (!pd_sim_forwarder_listen (self->forwarder, public_port, error))
    return FALSE;

  /* An RTSP server's port is only a socket until someone watches: cheap. */
  if (self->camera != NULL && self->camera_enabled && !pd_sim_camera_listen (self->camera, error))
    return FALSE;
  render_ipcam (self);

  /* Started here, waited for in _pd_sim_printer_wait_ready(): a hundred
   * start at once. */
  if (self->ftp != NULL && !pd_sim_ftp_spawn (self->ftp, error))
    return FALSE;

  return TRUE;
}

/* After _pd_sim_printer_attach(): its FTP server listens. */
gboolean
_pd_sim_printer_wait_ready (PdSimPrinter *self,
                            GError      **error)
{
  if (self->ftp == NULL)
    return TRUE;
  if (!pd_sim_ftp_wait (self->ftp, error))
    return FALSE;
  sync_job_file (self);

  return TRUE;
}

void
_pd_sim_printer_start (PdSimPrinter *self,
                       guint         delay_ms)
{
  g_return_if_fail (self->sim != NULL);

  if (self->tick_source != NULL)
    return;

  self->last_tick = g_get_monotonic_time ();
  /* Printers are spread over the interval rather than all reporting at once. */
  self->tick_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->tick_source, on_first_tick, self, NULL);
  g_source_attach (self->tick_source, _pd_sim_get_context (self->sim));
}

void
_pd_sim_printer_stop (PdSimPrinter *self)
{
  if (self->tick_source != NULL)
    {
      g_source_destroy (self->tick_source);
      g_clear_pointer (&self->tick_source, g_source_unref);
    }
  clear_cancel_timer (self);
  if (self->forwarder != NULL)
    pd_sim_forwarder_close (self->forwarder);
  if (self->camera != NULL)
    pd_sim_camera_close (self->camera);
  if (self->ftp != NULL)
    pd_sim_ftp_stop (self->ftp);
}

void
_pd_sim_printer_detach (PdSimPrinter *self)
{
  _pd_sim_printer_stop (self);
  self->sim = NULL;
}

/* ---- Public API --------------------------------------------------------- */

/**
 * pd_sim_printer_get_index:
 *
 * Returns: the printer's position, from 0 (the command line counts from 1)
 */
guint
pd_sim_printer_get_index (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->index;
}

const char *
pd_sim_printer_get_serial (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->serial;
}

const char *
pd_sim_printer_get_access_code (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->access_code;
}

/**
 * pd_sim_printer_get_host:
 *
 * Returns: the address to connect to: always "127.0.0.1"
 */
const char *
pd_sim_printer_get_host (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return "127.0.0.1";
}

/**
 * pd_sim_printer_get_port:
 *
 * Returns: the printer's MQTT port (its "8883"); it stays the same while
 *   offline and across broker restarts
 */
guint16
pd_sim_printer_get_port (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->forwarder != NULL ? pd_sim_forwarder_get_port (self->forwarder) : 0;
}

/**
 * pd_sim_printer_get_model:
 *
 * Returns: the model id of the app's model table ("X1C", "A1MINI"…)
 */
const char *
pd_sim_printer_get_model (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->model->info->id;
}

const char *
pd_sim_printer_get_name (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->name;
}

/**
 * pd_sim_printer_get_fingerprint:
 *
 * Returns: the SHA-256 of the current leaf certificate's DER, "AB:CD:…"
 */
const char *
pd_sim_printer_get_fingerprint (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->fingerprint;
}

/**
 * pd_sim_printer_get_ca_file:
 *
 * Returns: the PEM file of the CA that signed the printer's certificate
 */
const char *
pd_sim_printer_get_ca_file (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->ca_file;
}

const char *
pd_sim_printer_get_report_topic (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->report_topic;
}

const char *
pd_sim_printer_get_request_topic (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->request_topic;
}

static const char *
camera_kind_to_string (PdCameraKind kind)
{
  switch (kind)
    {
    case PD_CAMERA_KIND_RTSPS: return "rtsps";
    case PD_CAMERA_KIND_JPEG: return "jpeg";
    case PD_CAMERA_KIND_UNKNOWN:
    case PD_CAMERA_KIND_NONE:
    default: return "none";
    }
}

/**
 * pd_sim_printer_to_line:
 *
 * Returns: (transfer full): "HOST PORT SERIAL ACCESS_CODE MODEL CAMERA
 *   CAMERA_PORT NAME", CAMERA being rtsps, jpeg or none (CAMERA_PORT 0);
 *   the name, which may hold spaces, comes last
 */
char *
pd_sim_printer_to_line (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return g_strdup_printf ("%s %u %s %s %s %s %u %s", pd_sim_printer_get_host (self), pd_sim_printer_get_port (self),
                          self->serial, self->access_code, self->model->info->id,
                          camera_kind_to_string (self->camera_kind), pd_sim_printer_get_camera_port (self), self->name);
}

/**
 * pd_sim_printer_to_json:
 *
 * Returns: (transfer full): one line of JSON with host, port, serial,
 *   access_code, model, name, fingerprint, ca_file, camera ("rtsps", "jpeg"
 *   or "none"), camera_port (0 without a camera), ftp_port (0 without FTP)
 *   and ftp_user
 */
char *
pd_sim_printer_to_json (PdSimPrinter *self)
{
  g_autoptr (JsonObject) object = json_object_new ();
  g_autoptr (JsonNode)   node = NULL;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  json_object_set_string_member (object, "host", pd_sim_printer_get_host (self));
  json_object_set_int_member (object, "port", pd_sim_printer_get_port (self));
  json_object_set_string_member (object, "serial", self->serial);
  json_object_set_string_member (object, "access_code", self->access_code);
  json_object_set_string_member (object, "model", self->model->info->id);
  json_object_set_string_member (object, "name", self->name);
  json_object_set_string_member (object, "fingerprint", self->fingerprint);
  json_object_set_string_member (object, "ca_file", self->ca_file);
  json_object_set_string_member (object, "camera", camera_kind_to_string (self->camera_kind));
  json_object_set_int_member (object, "camera_port", pd_sim_printer_get_camera_port (self));
  json_object_set_int_member (object, "ftp_port", pd_sim_printer_get_ftp_port (self));
  json_object_set_string_member (object, "ftp_user", pd_sim_printer_get_ftp_user (self));
  node = json_node_init_object (json_node_alloc (), object);

  return pd_json_to_string (node, FALSE);
}

/**
 * pd_sim_printer_dup_state:
 *
 * Returns: (transfer full): a copy of the whole current print object
 */
JsonNode *
pd_sim_printer_dup_state (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return copy_state (self);
}

const char *
pd_sim_printer_get_gcode_state (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return phase_gcode_state (self->phase);
}

/**
 * pd_sim_printer_get_n_connections:
 *
 * Returns: how many TCP connections the printer's port relays now
 */
guint
pd_sim_printer_get_n_connections (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->forwarder != NULL ? pd_sim_forwarder_get_n_connections (self->forwarder) : 0;
}

/**
 * pd_sim_printer_get_n_reports:
 *
 * Returns: how many push_status reports the printer has published
 */
guint64
pd_sim_printer_get_n_reports (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->n_reports;
}

/**
 * pd_sim_printer_get_commands:
 *
 * The last 1000 messages received on the request topic, oldest first,
 * including those ignored while stalled or offline and those that were not
 * JSON.
 *
 * Returns: (transfer full) (element-type PdSimCommand): copies
 */
GPtrArray *
pd_sim_printer_get_commands (PdSimPrinter *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  copy = g_ptr_array_new_full (self->commands->len, (GDestroyNotify) pd_sim_command_free);
  for (guint i = 0; i < self->commands->len; i++)
    g_ptr_array_add (copy, pd_sim_command_copy (g_ptr_array_index (self->commands, i)));

  return copy;
}

void
pd_sim_printer_clear_commands (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  g_ptr_array_set_size (self->commands, 0);
}

/**
 * pd_sim_printer_set_scenario:
 *
 * Changes what the printer does from now on: its current phase goes on, and
 * the next ones follow @scenario ("idle" and "hms" printers finish their job,
 * then stay idle). A new printer starts with the simulator's scenario.
 */
void
pd_sim_printer_set_scenario (PdSimPrinter *self,
                             PdSimScenario scenario)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  if (self->scenario == scenario)
    return;

  self->scenario = scenario;
  if (self->tick_source == NULL)
    {
      /* Not started yet: start where this scenario starts. */
      set_initial_phase (self);
      render (self);
      return;
    }

  if (!in_job (self))
    self->phase_length = hold_length (self);
  self->next_hms_event = self->now + 20;
}

PdSimScenario
pd_sim_printer_get_scenario (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), PD_SIM_SCENARIO_MIXED);

  return self->scenario;
}

/**
 * pd_sim_printer_start_print:
 *
 * Starts a new job now (heating first), whatever the printer was doing.
 */
void
pd_sim_printer_start_print (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  clear_cancel_timer (self);
  start_job (self);
  publish_update (self);
}

/**
 * pd_sim_printer_fail:
 *
 * Fails the job now with print_error 0700_8006 (117473286). An idle printer
 * first gets a job, so that the failure has a name.
 */
void
pd_sim_printer_fail (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  if (!in_job (self))
    {
      start_job (self);
      begin_running (self);
      self->job_done = self->job_total * 0.1;
    }
  enter_failed (self, PD_SIM_PRINT_ERROR_FEED);
  publish_update (self);
}

/**
 * pd_sim_printer_add_hms:
 * @attr: the HMS attr (e.g. %PD_SIM_HMS_FATAL_ATTR)
 * @code: the HMS code
 *
 * Adds an active HMS error (nothing if it is already active).
 */
void
pd_sim_printer_add_hms (PdSimPrinter *self,
                        guint32       attr,
                        guint32       code)
{
  HmsEntry entry = { attr, code };

  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  for (guint i = 0; i < self->hms->len; i++)
    {
      const HmsEntry *e = &g_array_index (self->hms, HmsEntry, i);

      if (e->attr == attr && e->code == code)
        return;
    }

  g_array_append_val (self->hms, entry);
  if (self->tick_source != NULL)
    publish_update (self);
}

/**
 * pd_sim_printer_add_sample_hms:
 *
 * Adds the next of three real HMS codes (fatal, serious, common) that is not
 * active yet.
 */
void
pd_sim_printer_add_sample_hms (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  for (guint tries = 0; tries < G_N_ELEMENTS (sample_hms); tries++)
    {
      const HmsEntry *entry = &sample_hms[self->next_sample_hms++ % G_N_ELEMENTS (sample_hms)];
      gboolean        active = FALSE;

      for (guint i = 0; i < self->hms->len; i++)
        active = active || g_array_index (self->hms, HmsEntry, i).attr == entry->attr;
      if (!active)
        {
          pd_sim_printer_add_hms (self, entry->attr, entry->code);
          return;
        }
    }
}

/**
 * pd_sim_printer_clear_hms:
 *
 * Clears every active HMS error: the printer then reports "hms": [].
 */
void
pd_sim_printer_clear_hms (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  g_array_set_size (self->hms, 0);
  if (self->tick_source != NULL)
    publish_update (self);
}

/**
 * pd_sim_printer_publish_full:
 *
 * Publishes the full report now, as in answer to pushall.
 */
void
pd_sim_printer_publish_full (PdSimPrinter *self)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  render (self);
  if (!self->stalled && !self->offline)
    publish_full (self);
}

/* An AMS unit's object in the state, or NULL. */
static JsonObject *
find_unit_object (PdSimPrinter *self,
                  int           unit)
{
  JsonArray *units = pd_sim_json_get_array (pd_sim_json_get_object (self->state, "ams"), "ams");

  for (guint i = 0; units != NULL && i < json_array_get_length (units); i++)
    {
      JsonObject *object = json_array_get_object_element (units, i);

      if (object != NULL && get_int (object, "id", -1) == unit)
        return object;
    }

  return NULL;
}

/* A tray that holds a spool names its material. */
static gboolean
holds_spool (JsonObject *tray)
{
  const char *type = json_object_get_string_member_with_default (tray, "tray_type", "");

  return type != NULL && *type != '\0';
}

/* After a change by hand: the next report says it at once (a delta with
 * only what changed), as the firmware does.
 */
static void
publish_set (PdSimPrinter *self)
{
  if (self->tick_source != NULL)
    publish_changes (self);
}

/**
 * pd_sim_printer_set_tray_remaining:
 * @unit: an AMS unit id, or -1 for an external spool
 * @slot: the slot in the unit (254/255 for an external spool)
 * @percent: what is left, 0–100, or -1 for not known
 *
 * Sets a spool's "remain"; a running print goes on using filament from the
 * loaded spool.
 *
 * Returns: %FALSE if there is no spool there
 */
gboolean
pd_sim_printer_set_tray_remaining (PdSimPrinter *self,
                                   int           unit,
                                   int           slot,
                                   int           percent)
{
  Tray        tray = { unit, slot };
  JsonObject *object;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (percent >= -1 && percent <= 100, FALSE);

  if ((object = find_tray_object (self, &tray)) == NULL || !holds_spool (object))
    return FALSE;

  set_int (object, "remain", percent);
  publish_set (self);

  return TRUE;
}

/**
 * pd_sim_printer_set_active_tray:
 * @unit: an AMS unit id, or -1 for an external spool
 * @slot: the slot in the unit; for @unit -1, 254 or 255 for the external
 *   spool (loaded even when it holds none), or -1: nothing loaded
 *
 * Loads a spool, as a filament change does: the next report carries
 * tray_now as the firmware does (unit·4 + slot, the unit id for an AMS HT,
 * 254 for the external spool, 255 for none; only the slot, with the unit in
 * device.extruder.info[].snow, on dual-nozzle models) and the one before as
 * tray_pre. A dual-nozzle printer loads it into its right extruder (0), so
 * a client shows an external spool as 255 there. A running print changes
 * spools on its own later.
 *
 * Returns: %FALSE if there is no spool in that AMS slot
 */
gboolean
pd_sim_printer_set_active_tray (PdSimPrinter *self,
                                int           unit,
                                int           slot)
{
  Tray        tray = { unit, slot };
  JsonObject *object;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  if (unit == -1 && slot == -1)
    load_tray (self, NULL);
  else if (unit == -1 && (slot == 254 || slot == 255))
    load_tray (self, &tray);
  else if (unit >= 0 && (object = find_tray_object (self, &tray)) != NULL && holds_spool (object))
    load_tray (self, &tray);
  else
    return FALSE;

  render_loaded (self);
  publish_set (self);

  return TRUE;
}

/**
 * pd_sim_printer_set_humidity:
 * @unit: an AMS unit id
 * @raw_percent: relative humidity in % (humidity_raw), or -1: not measured
 *   (a unit that reported it then sends 0, as units without the sensor do)
 * @index: the humidity index as on the wire, 1 (wet) … 5 (dry), 0 for not
 *   ready, or -1 to derive it from @raw_percent
 *
 * Sets a unit's humidity; it then stays as set (no more drift).
 *
 * Returns: %FALSE if there is no such unit
 */
gboolean
pd_sim_printer_set_humidity (PdSimPrinter *self,
                             int           unit,
                             int           raw_percent,
                             int           index)
{
  JsonObject *object;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (raw_percent >= -1 && raw_percent <= 100, FALSE);
  g_return_val_if_fail (index >= -1 && index <= 5, FALSE);

  if ((object = find_unit_object (self, unit)) == NULL)
    return FALSE;

  if (raw_percent >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", raw_percent);

      /* The firmware sends it as a string. */
      if (json_object_has_member (object, "humidity_raw"))
        set_int (object, "humidity_raw", raw_percent);
      else
        json_object_set_string_member (object, "humidity_raw", text);
    }
  else
    set_int_if_present (object, "humidity_raw", 0);

  /* 0 (not ready, as an AMS HT reports) stays unless given. */
  if (index < 0 && raw_percent > 0 && get_int (object, "humidity", 0) != 0)
    index = humidity_index (raw_percent);
  if (index >= 0)
    {
      if (json_object_has_member (object, "humidity"))
        set_int (object, "humidity", index);
      else
        {
          g_autofree char *text = g_strdup_printf ("%d", index);

          json_object_set_string_member (object, "humidity", text);
        }
    }

  g_hash_table_add (self->humidity_set, GINT_TO_POINTER (unit));
  publish_set (self);

  return TRUE;
}

/**
 * pd_sim_printer_set_stalled:
 * @stalled: %TRUE to stop publishing
 *
 * A stalled printer is a "zombie": its TCP connections stay up and the
 * broker still answers keepalive pings, but it publishes nothing and
 * answers no command (they are still recorded). Its state goes on changing;
 * the first report after the stall carries everything that changed.
 */
void
pd_sim_printer_set_stalled (PdSimPrinter *self,
                            gboolean      stalled)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  self->stalled = !!stalled;
}

gboolean
pd_sim_printer_get_stalled (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->stalled;
}

/**
 * pd_sim_printer_drop_connections:
 *
 * Closes every TCP connection to the printer's port now; new ones are
 * accepted as before.
 *
 * Returns: how many were closed
 */
guint
pd_sim_printer_drop_connections (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->forwarder != NULL ? pd_sim_forwarder_drop_connections (self->forwarder) : 0;
}

/**
 * pd_sim_printer_set_offline:
 * @offline: %TRUE to switch the printer off
 *
 * An offline printer drops its connections, refuses new ones (its port is
 * closed, and its camera's) and publishes nothing. Back online it listens
 * on the same ports.
 *
 * Returns: %FALSE if the port could not be opened again
 */
gboolean
pd_sim_printer_set_offline (PdSimPrinter *self,
                            gboolean      offline,
                            GError      **error)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (self->forwarder != NULL, FALSE);

  if (offline)
    {
      self->offline = TRUE;
      pd_sim_forwarder_close (self->forwarder);
      if (self->camera != NULL)
        pd_sim_camera_close (self->camera);
      return TRUE;
    }

  if (!pd_sim_forwarder_listen (self->forwarder, 0, error))
    return FALSE;
  if (self->camera != NULL && self->camera_enabled && !pd_sim_camera_listen (self->camera, error))
    {
      pd_sim_forwarder_close (self->forwarder);
      return FALSE;
    }
  self->offline = FALSE;

  return TRUE;
}

gboolean
pd_sim_printer_get_offline (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->offline;
}

/**
 * pd_sim_printer_set_half_open:
 * @half_open: %TRUE to stop every byte on the printer's MQTT connections
 *
 * Half-open: its connections stay up (no FIN, no RST) but nothing passes
 * through them in either direction, not even the broker's PINGRESP; new
 * connections are accepted and stay silent too. What a printer whose
 * network stack hangs, or a NAT that lost the mapping, looks like. Off
 * again, what was held back goes on.
 */
void
pd_sim_printer_set_half_open (PdSimPrinter *self,
                              gboolean      half_open)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));
  g_return_if_fail (self->forwarder != NULL);

  pd_sim_forwarder_set_frozen (self->forwarder, half_open);
}

gboolean
pd_sim_printer_get_half_open (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->forwarder != NULL && pd_sim_forwarder_get_frozen (self->forwarder);
}

/**
 * pd_sim_printer_set_powered_off:
 * @powered_off: %TRUE to cut the power
 *
 * As without power: nothing more comes from the printer and nothing tells
 * its clients (their connections fall silent, no FIN), connects to its
 * MQTT port get no answer at all (the SYNs go unanswered, unlike
 * pd_sim_printer_set_offline(), whose closed port refuses them), and its
 * camera port closes. Powered on again, the connections from before end
 * (the printer forgot them) and it listens on the same ports.
 *
 * Returns: %FALSE if a port could not be taken or opened again
 */
gboolean
pd_sim_printer_set_powered_off (PdSimPrinter *self,
                                gboolean      powered_off,
                                GError      **error)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (self->forwarder != NULL, FALSE);

  if (powered_off)
    {
      self->offline = TRUE;
      pd_sim_forwarder_set_frozen (self->forwarder, TRUE);
      /* not pd_sim_forwarder_close(): that would end the connections */
      if (!pd_sim_forwarder_set_black_hole (self->forwarder, TRUE, error))
        return FALSE;
      if (self->camera != NULL)
        pd_sim_camera_close (self->camera);
      return TRUE;
    }

  pd_sim_forwarder_drop_connections (self->forwarder);
  pd_sim_forwarder_set_frozen (self->forwarder, FALSE);
  return pd_sim_printer_set_offline (self, FALSE, error);
}

/**
 * pd_sim_printer_publish_raw:
 *
 * Publishes @data as is on the report topic (even while stalled).
 *
 * Returns: whether it was queued
 */
gboolean
pd_sim_printer_publish_raw (PdSimPrinter *self,
                            const void   *data,
                            gsize         length)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  return self->sim != NULL && _pd_sim_publish (self->sim, self->report_topic, data, length);
}

/**
 * pd_sim_printer_publish_malformed:
 *
 * Publishes a report cut short, followed by bytes that are not UTF-8.
 */
gboolean
pd_sim_printer_publish_malformed (PdSimPrinter *self)
{
  static const char bad[] = "{\"print\":{\"mc_percent\":\xff\xfe\x00\x01\x80garbage";

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return pd_sim_printer_publish_raw (self, bad, sizeof bad - 1);
}

/**
 * pd_sim_printer_publish_big:
 * @size: the size of the report in bytes (at least 64)
 *
 * Publishes a valid push_status report of @size bytes: a real delta whose
 * subtask_name is padded out.
 */
gboolean
pd_sim_printer_publish_big (PdSimPrinter *self,
                            gsize         size)
{
  g_autoptr (GString) text = g_string_sized_new (size + 1);
  g_autofree char    *sequence = NULL;
  gsize               padding;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  sequence = g_strdup_printf ("%" G_GUINT64_FORMAT, ++self->sequence);
  g_string_append (text, "{\"print\":{\"subtask_name\":\"");
  padding = size > text->len + 64 ? size - text->len - 64 : 0;
  for (gsize i = 0; i < padding; i++)
    g_string_append_c (text, (char) ('a' + i % 26));
  g_string_append_printf (text, "\",\"command\":\"push_status\",\"msg\":1,\"sequence_id\":\"%s\"}}", sequence);
  while (text->len < size)
    g_string_insert_c (text, 1, ' ');

  return pd_sim_printer_publish_raw (self, text->str, text->len);
}

static void
on_reloaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;

  if (!_pd_sim_reload_broker_finish (PD_SIM (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pd_sim_printer_set_refusing_async:
 * @refusing: %TRUE to refuse the access code
 *
 * Changes the access code the printer's broker listener accepts to another
 * one (or back) and makes mosquitto reload it: the next connection with the
 * real code gets CONNACK 5, "not authorised". mosquitto also disconnects the
 * clients connected with the code it no longer accepts, as a printer does
 * when its code is renewed. The camera takes the same code as the broker
 * from now on (at once; viewers connected already stay). Completes once
 * mosquitto has reloaded.
 */
void
pd_sim_printer_set_refusing_async (PdSimPrinter       *self,
                                   gboolean            refusing,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char   *other = NULL;

  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_printer_set_refusing_async);

  if (self->sim == NULL || !pd_sim_is_running (self->sim))
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator is not running");
      return;
    }

  if (refusing)
    {
      /* Any other 8 digits. */
      do
        {
          g_free (other);
          other = _pd_sim_random_code (self->rand);
        }
      while (g_str_equal (other, self->access_code));
    }

  if (!write_password_file (self, refusing ? other : self->access_code, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->refusing = !!refusing;
  if (self->camera != NULL)
    pd_sim_camera_set_access_code (self->camera, refusing ? other : self->access_code);

  _pd_sim_reload_broker_async (self->sim, cancellable, on_reloaded, g_steal_pointer (&task));
}

gboolean
pd_sim_printer_set_refusing_finish (PdSimPrinter *self,
                                    GAsyncResult *result,
                                    GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_printer_set_refusing:
 *
 * pd_sim_printer_set_refusing_async(), waiting for it on the simulator's main
 * context (at most 5 s).
 */
gboolean
pd_sim_printer_set_refusing (PdSimPrinter *self,
                             gboolean      refusing,
                             GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (self->sim != NULL, FALSE);

  pd_sim_printer_set_refusing_async (self, refusing, NULL, _pd_sim_store_result, &result);

  return pd_sim_printer_set_refusing_finish (self, _pd_sim_wait (_pd_sim_get_context (self->sim), &result), error);
}

gboolean
pd_sim_printer_get_refusing (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->refusing;
}

/* ---- Camera --------------------------------------------------------------- */

/**
 * pd_sim_printer_get_camera_kind:
 *
 * Returns: the model's camera (%PD_CAMERA_KIND_RTSPS or
 *   %PD_CAMERA_KIND_JPEG), or %PD_CAMERA_KIND_NONE when the simulator runs
 *   without cameras
 */
PdCameraKind
pd_sim_printer_get_camera_kind (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), PD_CAMERA_KIND_NONE);

  return self->camera_kind;
}

/**
 * pd_sim_printer_get_camera_port:
 *
 * Returns: the camera's port on 127.0.0.1 (its "322" or "6000"); it stays
 *   the same while the camera is off or the printer offline; 0 without a
 *   camera or before the start
 */
guint16
pd_sim_printer_get_camera_port (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_port (self->camera) : 0;
}

/**
 * pd_sim_printer_get_camera_clients:
 *
 * Returns: the camera clients served now (logged in, or past DESCRIBE for
 *   RTSPS) and still connected
 */
guint
pd_sim_printer_get_camera_clients (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_n_clients (self->camera) : 0;
}

/**
 * pd_sim_printer_get_camera_connections:
 *
 * Returns: every TCP connection the camera accepted since the start,
 *   whatever became of it (wrong access code, busy, served)
 */
guint
pd_sim_printer_get_camera_connections (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_n_connections (self->camera) : 0;
}

/**
 * pd_sim_printer_get_camera_sessions:
 *
 * Returns: the camera connections that were served since the start
 */
guint
pd_sim_printer_get_camera_sessions (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_n_sessions (self->camera) : 0;
}

/**
 * pd_sim_printer_get_camera_frames_sent:
 *
 * Returns: JPEG: the frames written whole, summed over the clients; RTSPS:
 *   the frames the shared stream encoded (one stream for every viewer)
 */
guint64
pd_sim_printer_get_camera_frames_sent (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_n_frames (self->camera) : 0;
}

/**
 * pd_sim_printer_set_camera_max_clients:
 * @max_clients: 0 for no limit (the default); 1 as a real printer
 *
 * How many camera clients are served at once. The next one is refused:
 * RTSPS answers 453 Not Enough Bandwidth; the JPEG stream ends right after
 * the login, without a byte. Clients served already stay.
 */
void
pd_sim_printer_set_camera_max_clients (PdSimPrinter *self,
                                       guint         max_clients)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  if (self->camera != NULL)
    pd_sim_camera_set_max_clients (self->camera, max_clients);
}

guint
pd_sim_printer_get_camera_max_clients (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_get_max_clients (self->camera) : 0;
}

/**
 * pd_sim_printer_set_camera_fault:
 *
 * What the port-6000 JPEG stream does wrong from its next frame on, to
 * every client, until set back to %PD_SIM_CAMERA_FAULT_NONE (see
 * #PdSimCameraFault). RTSPS cameras ignore it.
 */
void
pd_sim_printer_set_camera_fault (PdSimPrinter    *self,
                                 PdSimCameraFault fault)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  if (self->camera != NULL)
    pd_sim_camera_set_fault (self->camera, fault);
}

/**
 * pd_sim_printer_set_camera_enabled:
 * @enabled: %FALSE to switch LAN live view off
 *
 * Off, the camera's port is closed (connects are refused) and its clients
 * are dropped; an RTSPS printer reports ipcam.rtsp_url "disable" (at once,
 * and in every full report) instead of its URL. On again, it listens on the
 * same port.
 *
 * Returns: %FALSE if the printer has no camera or its port could not be
 *   opened again
 */
gboolean
pd_sim_printer_set_camera_enabled (PdSimPrinter *self,
                                   gboolean      enabled,
                                   GError      **error)
{
  gboolean running;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  if (self->camera == NULL)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_INVALID, "%s has no camera", self->name);
      return FALSE;
    }

  running = self->sim != NULL && pd_sim_is_running (self->sim);
  if (!enabled)
    pd_sim_camera_close (self->camera);
  /* Before the start, or offline, it opens when the printer does. */
  else if (running && !self->offline && !pd_sim_camera_listen (self->camera, error))
    return FALSE;
  self->camera_enabled = !!enabled;

  if (running)
    publish_update (self);
  else
    render (self);

  return TRUE;
}

gboolean
pd_sim_printer_get_camera_enabled (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->camera != NULL && self->camera_enabled;
}

/**
 * pd_sim_printer_drop_camera_clients:
 *
 * Closes every camera connection now, served or not; new ones are accepted.
 *
 * Returns: how many were closed
 */
guint
pd_sim_printer_drop_camera_clients (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->camera != NULL ? pd_sim_camera_drop_clients (self->camera) : 0;
}

/* ---- File storage ------------------------------------------------------- */

/**
 * pd_sim_printer_get_ftp_port:
 *
 * Returns: the port of the printer's FTPS server (implicit TLS, the
 *   printer's certificate; a real printer uses 990), or 0 when it has none
 *   (no_ftp, or vsftpd is not installed) or it is not started
 */
guint16
pd_sim_printer_get_ftp_port (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), 0);

  return self->ftp != NULL ? pd_sim_ftp_get_port (self->ftp) : 0;
}

/**
 * pd_sim_printer_get_ftp_user:
 *
 * Returns: the user to log in as: "anonymous" (vsftpd's named users need
 *   system accounts), where a real printer has "bblp"; the password is the
 *   access code all the same
 */
const char *
pd_sim_printer_get_ftp_user (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return PD_SIM_FTP_USER;
}

/**
 * pd_sim_printer_set_sdcard:
 * @present: %FALSE to take the SD card out
 *
 * Without a card, home_flag loses bit 0x100 and the job's file is not on
 * the FTP server (a real printer keeps it in memory that FTP does not
 * show); with it again, the file is back. Published at once.
 */
void
pd_sim_printer_set_sdcard (PdSimPrinter *self,
                           gboolean      present)
{
  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  present = !!present;
  if (self->sdcard == present)
    return;
  self->sdcard = present;
  sync_job_file (self);
  if (self->sim != NULL && pd_sim_is_running (self->sim))
    publish_update (self);
  else
    render (self);
}

gboolean
pd_sim_printer_get_sdcard (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->sdcard;
}

/**
 * pd_sim_printer_set_ftp_stalled:
 * @stalled: %TRUE to stop the FTP server (SIGSTOP) mid-way, %FALSE to go on
 *
 * A transfer under way stops moving; new connections are accepted by the
 * kernel but get no greeting. Stopping the simulator resumes it first.
 *
 * Returns: %FALSE if the printer has no FTP server running
 */
gboolean
pd_sim_printer_set_ftp_stalled (PdSimPrinter *self,
                                gboolean      stalled)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  if (self->ftp == NULL || !pd_sim_ftp_is_running (self->ftp))
    return FALSE;
  pd_sim_ftp_set_stalled (self->ftp, stalled);

  return TRUE;
}

gboolean
pd_sim_printer_get_ftp_stalled (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  return self->ftp != NULL && pd_sim_ftp_get_stalled (self->ftp);
}

/**
 * pd_sim_printer_get_job_spec:
 *
 * Returns: (nullable): what the current job's sliced file says (its name
 *   is the report's subtask_name, its filaments the job's spools in
 *   order), or %NULL between jobs; valid until the next job
 */
const PdSim3mfSpec *
pd_sim_printer_get_job_spec (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->job_name != NULL && self->job_file_path != NULL ? &self->job_spec : NULL;
}

/**
 * pd_sim_printer_get_job_file_path:
 *
 * Returns: (nullable): where the current job's file is on the FTP server,
 *   as for a LAN print: "/<subtask_name>.gcode.3mf"; %NULL between jobs
 */
const char *
pd_sim_printer_get_job_file_path (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  return self->job_name != NULL ? self->job_file_path : NULL;
}

/**
 * pd_sim_printer_dup_job_file:
 *
 * Returns: (transfer full) (nullable): the current job's .gcode.3mf, as
 *   the FTP server serves it (whether it does now or not); %NULL between jobs
 */
GBytes *
pd_sim_printer_dup_job_file (PdSimPrinter *self)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);

  if (pd_sim_printer_get_job_spec (self) == NULL)
    return NULL;
  if (self->job_file == NULL)
    self->job_file = pd_sim_3mf_build (&self->job_spec);

  return g_bytes_ref (self->job_file);
}

/**
 * pd_sim_printer_set_job_file_present:
 * @present: %FALSE to delete the job's file from the SD card, %TRUE to put
 *   it back (when a card is in)
 *
 * Returns: %FALSE if there is no job, or no FTP server
 */
gboolean
pd_sim_printer_set_job_file_present (PdSimPrinter *self,
                                     gboolean      present)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);

  if (self->ftp == NULL || pd_sim_printer_get_job_spec (self) == NULL)
    return FALSE;
  self->job_file_present = !!present;
  sync_job_file (self);

  return TRUE;
}

/**
 * pd_sim_printer_put_file:
 * @path: absolute, on the server: "/cache/Benchy.3mf"
 *
 * Puts any file on the printer's storage (a test's own 3MF, see
 * pd_sim_3mf_build()), whether a card is in or not.
 */
gboolean
pd_sim_printer_put_file (PdSimPrinter *self,
                         const char   *path,
                         GBytes       *contents,
                         GError      **error)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/', FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);

  if (self->ftp == NULL)
    {
      g_set_error (error, PD_SIM_ERROR, PD_SIM_ERROR_NOT_INSTALLED, "%s has no FTP server", self->name);
      return FALSE;
    }

  return pd_sim_ftp_put_file (self->ftp, path, contents, error);
}

gboolean
pd_sim_printer_remove_file (PdSimPrinter *self,
                            const char   *path)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (path != NULL && path[0] == '/', FALSE);

  return self->ftp != NULL && pd_sim_ftp_remove_file (self->ftp, path);
}

static void
on_restarted_for_certificate (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;

  if (!_pd_sim_restart_broker_internal_finish (PD_SIM (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * pd_sim_printer_regenerate_certificate_async:
 *
 * Gives the printer a new key and certificate (same CN, same CA) and restarts
 * the broker and its FTP server (on the same ports), as after a printer's
 * mainboard is replaced: a pinned fingerprint no longer matches. Every
 * connection to the broker and the FTP server drops.
 */
void
pd_sim_printer_regenerate_certificate_async (PdSimPrinter       *self,
                                             GCancellable       *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data)
{
  g_autoptr (GTask)  task = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (PD_IS_SIM_PRINTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_printer_regenerate_certificate_async);

  if (self->sim == NULL || !pd_sim_is_running (self->sim))
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator is not running");
      return;
    }

  /* Its FTP server shows the new certificate too (vsftpd reads it once). */
  if (!write_certificate (self, _pd_sim_get_ca (self->sim), &error) ||
      (self->ftp != NULL && !pd_sim_ftp_restart (self->ftp, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  _pd_sim_restart_broker_internal_async (self->sim, cancellable, on_restarted_for_certificate, g_steal_pointer (&task));
}

gboolean
pd_sim_printer_regenerate_certificate_finish (PdSimPrinter *self,
                                              GAsyncResult *result,
                                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_printer_regenerate_certificate:
 *
 * pd_sim_printer_regenerate_certificate_async(), waiting for it on the
 * simulator's main context (bounded by the broker's start timeouts).
 */
gboolean
pd_sim_printer_regenerate_certificate (PdSimPrinter *self,
                                       GError      **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (self->sim != NULL, FALSE);

  pd_sim_printer_regenerate_certificate_async (self, NULL, _pd_sim_store_result, &result);

  return pd_sim_printer_regenerate_certificate_finish (self, _pd_sim_wait (_pd_sim_get_context (self->sim), &result), error);
}

/**
 * pd_sim_printer_set_transport_certificate_async:
 * @transport: MQTT, the camera or FTPS
 * @own: %TRUE for a certificate of its own, %FALSE for the printer's again
 *
 * Gives one transport a certificate of its own (a new key, the same CN and
 * CA) while the others keep the printer's, or the printer's back: the case
 * of an impostor on one port, or a pin that must hold for each transport.
 * MQTT restarts the broker (every printer's MQTT connections drop), FTPS
 * restarts the printer's vsftpd on the same port, the camera drops its
 * viewers (new connections get the certificate).
 * pd_sim_printer_get_transport_fingerprint() tells what each shows.
 */
void
pd_sim_printer_set_transport_certificate_async (PdSimPrinter       *self,
                                                PdSimTransport      transport,
                                                gboolean            own,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data)
{
  g_autoptr (GTask)     task = NULL;
  g_autoptr (GError)    error = NULL;
  g_autoptr (PdSimCert) cert = NULL;

  g_return_if_fail (PD_IS_SIM_PRINTER (self));
  g_return_if_fail ((guint) transport < PD_SIM_N_TRANSPORTS);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pd_sim_printer_set_transport_certificate_async);

  if (self->sim == NULL || !pd_sim_is_running (self->sim))
    {
      g_task_return_new_error (task, PD_SIM_ERROR, PD_SIM_ERROR_NOT_RUNNING, "the simulator is not running");
      return;
    }

  if (own)
    cert = pd_sim_ca_issue (_pd_sim_get_ca (self->sim), self->serial, &error);
  else
    {
      /* the printer's own, kept from write_certificate() */
      cert = g_new0 (PdSimCert, 1);
      cert->cert_pem = g_strdup (self->cert_pem);
      cert->key_pem = g_strdup (self->key_pem);
      cert->fingerprint = g_strdup (self->fingerprint);
    }
  if (cert == NULL || !install_certificate (self, transport, cert, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->transport_fingerprints[transport]);
  self->transport_fingerprints[transport] = own ? g_strdup (cert->fingerprint) : NULL;

  switch (transport)
    {
    case PD_SIM_TRANSPORT_MQTT:
      _pd_sim_restart_broker_internal_async (self->sim, cancellable, on_restarted_for_certificate,
                                             g_steal_pointer (&task));
      return;

    case PD_SIM_TRANSPORT_FTP:
      if (self->ftp != NULL && !pd_sim_ftp_restart (self->ftp, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      break;

    case PD_SIM_TRANSPORT_CAMERA:
      if (self->camera != NULL)
        pd_sim_camera_drop_clients (self->camera);
      break;

    case PD_SIM_N_TRANSPORTS:
    default:
      g_assert_not_reached ();
    }

  g_task_return_boolean (task, TRUE);
}

gboolean
pd_sim_printer_set_transport_certificate_finish (PdSimPrinter *self,
                                                 GAsyncResult *result,
                                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pd_sim_printer_set_transport_certificate:
 *
 * pd_sim_printer_set_transport_certificate_async(), waiting for it on the
 * simulator's main context (bounded by the broker's start timeouts).
 */
gboolean
pd_sim_printer_set_transport_certificate (PdSimPrinter  *self,
                                          PdSimTransport transport,
                                          gboolean       own,
                                          GError       **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), FALSE);
  g_return_val_if_fail (self->sim != NULL, FALSE);

  pd_sim_printer_set_transport_certificate_async (self, transport, own, NULL, _pd_sim_store_result, &result);

  return pd_sim_printer_set_transport_certificate_finish (self, _pd_sim_wait (_pd_sim_get_context (self->sim), &result),
                                                          error);
}

/**
 * pd_sim_printer_get_transport_fingerprint:
 *
 * Returns: the SHA-256 of the certificate @transport shows, "AB:CD:…"
 *   (the printer's, pd_sim_printer_get_fingerprint(), unless it was given
 *   its own)
 */
const char *
pd_sim_printer_get_transport_fingerprint (PdSimPrinter  *self,
                                          PdSimTransport transport)
{
  g_return_val_if_fail (PD_IS_SIM_PRINTER (self), NULL);
  g_return_val_if_fail ((guint) transport < PD_SIM_N_TRANSPORTS, NULL);

  return self->transport_fingerprints[transport] != NULL ? self->transport_fingerprints[transport]
                                                         : self->fingerprint;
}
