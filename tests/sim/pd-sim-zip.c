/* pd-sim-zip.c — building zip archives in memory
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "pd-sim"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zip.h>

#include "pd-sim-zip.h"

struct _PdSimZip
{
  zip_source_t *source;
  zip_t        *archive;
};

PdSimZip *
pd_sim_zip_new (void)
{
  PdSimZip   *zip = g_new0 (PdSimZip, 1);
  zip_error_t error;

  zip_error_init (&error);
  zip->source = zip_source_buffer_create (NULL, 0, 0, &error);
  if (zip->source == NULL)
    g_error ("zip_source_buffer_create: %s", zip_error_strerror (&error));
  /* Kept past zip_close(), which writes the archive into it. */
  zip_source_keep (zip->source);
  zip->archive = zip_open_from_source (zip->source, ZIP_TRUNCATE, &error);
  if (zip->archive == NULL)
    g_error ("zip_open_from_source: %s", zip_error_strerror (&error));
  zip_error_fini (&error);

  return zip;
}

void
pd_sim_zip_add_len (PdSimZip   *zip,
                    const char *name,
                    const void *data,
                    gsize       length,
                    gboolean    store)
{
  void         *copy;
  zip_source_t *source;
  zip_int64_t   index;

  g_return_if_fail (zip != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (data != NULL || length == 0);

  /* libzip reads the data at zip_close(): keep a copy until then (freed by
   * libzip, hence malloc, not g_malloc; an empty entry has no buffer). */
  copy = length > 0 ? malloc (length) : NULL;
  if (length > 0 && copy == NULL)
    g_error ("out of memory");
  if (length > 0)
    memcpy (copy, data, length);
  source = zip_source_buffer (zip->archive, copy, length, length > 0);
  if (source == NULL)
    g_error ("zip_source_buffer: %s", zip_strerror (zip->archive));
  index = zip_file_add (zip->archive, name, source, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8);
  if (index < 0)
    g_error ("zip_file_add %s: %s", name, zip_strerror (zip->archive));
  if (store && zip_set_file_compression (zip->archive, (zip_uint64_t) index, ZIP_CM_STORE, 0) != 0)
    g_error ("zip_set_file_compression: %s", zip_strerror (zip->archive));
}

void
pd_sim_zip_add (PdSimZip   *zip,
                const char *name,
                const char *text)
{
  g_return_if_fail (text != NULL);

  pd_sim_zip_add_len (zip, name, text, strlen (text), FALSE);
}

void
pd_sim_zip_add_bytes (PdSimZip   *zip,
                      const char *name,
                      GBytes     *bytes)
{
  gsize         length = 0;
  gconstpointer data;

  g_return_if_fail (bytes != NULL);

  data = g_bytes_get_data (bytes, &length);
  pd_sim_zip_add_len (zip, name, data, length, FALSE);
}

GBytes *
pd_sim_zip_finish (PdSimZip *zip)
{
  zip_source_t *source;
  zip_int64_t   length;
  guint8       *data;

  g_return_val_if_fail (zip != NULL, NULL);

  source = zip->source;
  if (zip_close (zip->archive) != 0)
    g_error ("zip_close: %s", zip_strerror (zip->archive));
  if (zip_source_open (source) != 0 || zip_source_seek (source, 0, SEEK_END) != 0 ||
      (length = zip_source_tell (source)) <= 0 || zip_source_seek (source, 0, SEEK_SET) != 0)
    g_error ("reading the zip back failed");
  data = g_malloc ((gsize) length);
  if (zip_source_read (source, data, (zip_uint64_t) length) != length)
    g_error ("reading the zip back failed");
  zip_source_close (source);
  zip_source_free (source);
  g_free (zip);

  return g_bytes_new_take (data, (gsize) length);
}
