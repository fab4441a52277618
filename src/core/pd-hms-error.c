/* pd-hms-error.c — one active HMS (health management) entry
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The code, severity and module are decoded from the printer's attr/code
 * pair (docs/protocol-notes.md §3); the description, action and the wiki
 * page come from the HMS database.
 */

#define G_LOG_DOMAIN "pd-hms-error"

#include "config.h"

#include "pd-enums.h"
#include "pd-hms-database.h"
#include "pd-printer-private.h"

struct _PdHmsError
{
  GObject    parent_instance;

  guint32    attr;
  guint32    code_word;
  char      *code;
  PdSeverity severity;
  char      *module;
  char      *description;
  char      *action;
  char      *url;
  gint64     cleared_at; /* monotonic µs; 0 while the printer reports it */
};

G_DEFINE_FINAL_TYPE (PdHmsError, pd_hms_error, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_CODE,
  PROP_ATTR,
  PROP_CODE_WORD,
  PROP_SEVERITY,
  PROP_MODULE,
  PROP_DESCRIPTION,
  PROP_ACTION,
  PROP_URL,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pd_hms_error_finalize (GObject *object)
{
  PdHmsError *self = PD_HMS_ERROR (object);

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->module, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->action, g_free);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (pd_hms_error_parent_class)->finalize (object);
}

static void
pd_hms_error_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PdHmsError *self = PD_HMS_ERROR (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;

    case PROP_ATTR:
      g_value_set_uint (value, self->attr);
      break;

    case PROP_CODE_WORD:
      g_value_set_uint (value, self->code_word);
      break;

    case PROP_SEVERITY:
      g_value_set_enum (value, self->severity);
      break;

    case PROP_MODULE:
      g_value_set_string (value, self->module);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    case PROP_ACTION:
      g_value_set_string (value, self->action);
      break;

    case PROP_URL:
      g_value_set_string (value, self->url);
      break;

    case PROP_ACTIVE:
      g_value_set_boolean (value, self->cleared_at == 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pd_hms_error_class_init (PdHmsErrorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pd_hms_error_finalize;
  object_class->get_property = pd_hms_error_get_property;

  /**
   * PdHmsError:code:
   *
   * The code as Bambu's apps show it, "0300_0100_0001_0007".
   */
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_ATTR] = g_param_spec_uint ("attr", NULL, NULL, 0, G_MAXUINT32, 0, flags);
  properties[PROP_CODE_WORD] = g_param_spec_uint ("code-word", NULL, NULL, 0, G_MAXUINT32, 0, flags);
  properties[PROP_SEVERITY] =
    g_param_spec_enum ("severity", NULL, NULL,
                       PD_TYPE_SEVERITY, PD_SEVERITY_COMMON, flags);
  /**
   * PdHmsError:module:
   *
   * The printer part the entry is about, "Motion controller".
   */
  properties[PROP_MODULE] = g_param_spec_string ("module", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_ACTION] = g_param_spec_string ("action", NULL, NULL, NULL, flags);
  /**
   * PdHmsError:url:
   *
   * The code's support article.
   */
  properties[PROP_URL] = g_param_spec_string ("url", NULL, NULL, NULL, flags);
  /**
   * PdHmsError:active:
   *
   * %FALSE for a few seconds after the printer stopped reporting the entry:
   * it lingers, so that an error that comes and goes does not make the
   * window flicker.
   */
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, TRUE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pd_hms_error_init (PdHmsError *self)
{
}

PdHmsError *
_pd_hms_error_new (const PdHmsEntry *entry,
                   const char       *model)
{
  PdHmsError *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (PD_TYPE_HMS_ERROR, NULL);
  self->attr = entry->attr;
  self->code_word = entry->code;
  self->code = pd_hms_entry_format_code (entry);
  self->severity = pd_hms_entry_get_severity (entry);
  _pd_hms_error_describe (self, pd_hms_database_get_default (), model);

  return self;
}

static void
update_string (PdHmsError *self,
               char      **field,
               const char *value,
               guint       prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

/* Fills in what @database knows (again, after it was updated). */
void
_pd_hms_error_describe (PdHmsError    *self,
                        PdHmsDatabase *database,
                        const char    *model)
{
  g_autoptr (PdHmsInfo) info = NULL;

  g_return_if_fail (PD_IS_HMS_ERROR (self));
  g_return_if_fail (PD_IS_HMS_DATABASE (database));

  info = pd_hms_database_lookup_hms (database, self->attr, self->code_word, model);
  update_string (self, &self->module, info->module, PROP_MODULE);
  update_string (self, &self->description, info->description, PROP_DESCRIPTION);
  update_string (self, &self->action, info->action, PROP_ACTION);
  update_string (self, &self->url, info->url, PROP_URL);
}

/* Marks the entry as no longer reported (at @now, monotonic µs), or as
 * reported again (@now 0).
 */
void
_pd_hms_error_set_cleared_at (PdHmsError *self,
                              gint64      now)
{
  gboolean was_active;

  g_return_if_fail (PD_IS_HMS_ERROR (self));

  was_active = self->cleared_at == 0;
  self->cleared_at = now;
  if (was_active != (now == 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

gint64
_pd_hms_error_get_cleared_at (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), 0);

  return self->cleared_at;
}

gboolean
_pd_hms_error_matches (PdHmsError       *self,
                       const PdHmsEntry *entry)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), FALSE);

  return self->attr == entry->attr && self->code_word == entry->code;
}

const char *
pd_hms_error_get_code (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), NULL);

  return self->code;
}

guint32
pd_hms_error_get_attr (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), 0);

  return self->attr;
}

guint32
pd_hms_error_get_code_word (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), 0);

  return self->code_word;
}

PdSeverity
pd_hms_error_get_severity (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), PD_SEVERITY_NONE);

  return self->severity;
}

const char *
pd_hms_error_get_module (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), NULL);

  return self->module;
}

const char *
pd_hms_error_get_description (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), NULL);

  return self->description;
}

const char *
pd_hms_error_get_action (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), NULL);

  return self->action;
}

const char *
pd_hms_error_get_url (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), NULL);

  return self->url;
}

gboolean
pd_hms_error_get_active (PdHmsError *self)
{
  g_return_val_if_fail (PD_IS_HMS_ERROR (self), FALSE);

  return self->cleared_at == 0;
}
