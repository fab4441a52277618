/* pd-text.c — small text comparisons shared by the core
 *
 * Copyright 2026 Printdeck developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "pd-text.h"

/**
 * pd_text_equal_loosely:
 * @a: a text
 * @b: another
 * @ignored: characters that do not count wherever they are (" -_" for
 *   model names, ": " for certificate fingerprints)
 *
 * Compares without copying either (model names are compared on every
 * report): ASCII case does not count, nor do the characters in @ignored.
 *
 * Returns: whether @a and @b are the same text that way
 */
gboolean
pd_text_equal_loosely (const char *a,
                       const char *b,
                       const char *ignored)
{
  g_return_val_if_fail (a != NULL && b != NULL && ignored != NULL, FALSE);

  for (;;)
    {
      while (*a != '\0' && strchr (ignored, *a) != NULL)
        a++;
      while (*b != '\0' && strchr (ignored, *b) != NULL)
        b++;
      if (*a == '\0' || *b == '\0')
        return *a == *b;
      if (g_ascii_toupper (*a) != g_ascii_toupper (*b))
        return FALSE;
      a++;
      b++;
    }
}
