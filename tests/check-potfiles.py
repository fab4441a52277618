#!/usr/bin/python3
# check-potfiles.py — po/POTFILES.in lists every file with translatable strings
#
# Copyright 2026 Printdeck developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# Fails when a file under src/ or data/ holds translatable strings but is
# missing from po/POTFILES.in (its strings would silently never reach the
# translators), when POTFILES.in names a file that does not exist (xgettext
# then fails, and with it printdeck-pot) or one without translatable
# strings (left over), or when the list is out of order.

import os
import re
import sys

# Calls of the gettext macros and functions in C. The look-behind keeps
# names that merely end in an underscore (foo_()) out.
C_MARKERS = re.compile(
    r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|Q_|g_dgettext|g_dngettext|g_dpgettext2?|'
    r'ngettext|dngettext|pgettext|npgettext)\s*\('
)
UI_MARKER = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"', re.IGNORECASE)
SCHEMA_MARKER = re.compile(r'<(?:summary|description)\b')

C_SUFFIXES = ('.c', '.h')
UI_SUFFIXES = ('.ui',)
# Desktop entries and AppStream metainfo are always translated (Name,
# Comment, summary, description...).
ALWAYS_SUFFIXES = ('.desktop.in', '.desktop.in.in', '.metainfo.xml.in', '.metainfo.xml.in.in')
SCHEMA_SUFFIXES = ('.gschema.xml', '.gschema.xml.in')


def strip_c_comments(text):
    """Drops C comments, keeping string and character literals, so that a
    comment mentioning _() does not count, while "//" in a URL stays."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '/' and i + 1 < n and text[i + 1] == '*':
            end = text.find('*/', i + 2)
            i = n if end < 0 else end + 2
            out.append(' ')
        elif c == '/' and i + 1 < n and text[i + 1] == '/':
            end = text.find('\n', i)
            i = n if end < 0 else end
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def has_strings(path):
    name = os.path.basename(path)
    if name.endswith(ALWAYS_SUFFIXES):
        return True
    if not name.endswith(C_SUFFIXES + UI_SUFFIXES + SCHEMA_SUFFIXES):
        return False
    with open(path, encoding='utf-8', errors='replace') as f:
        text = f.read()
    if name.endswith(C_SUFFIXES):
        return C_MARKERS.search(strip_c_comments(text)) is not None
    if name.endswith(UI_SUFFIXES):
        return UI_MARKER.search(text) is not None
    return SCHEMA_MARKER.search(text) is not None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    potfiles = os.path.join(root, 'po', 'POTFILES.in')

    listed = []
    with open(potfiles, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)

    found = set()
    for top in ('src', 'data'):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in filenames:
                path = os.path.join(dirpath, filename)
                if has_strings(path):
                    found.add(os.path.relpath(path, root))

    problems = []
    for path in sorted(found - set(listed)):
        problems.append('missing from po/POTFILES.in: ' + path)
    for path in listed:
        if not os.path.isfile(os.path.join(root, path)):
            problems.append('listed in po/POTFILES.in but does not exist: ' + path)
    for path in listed:
        if os.path.isfile(os.path.join(root, path)) and path not in found:
            problems.append('listed in po/POTFILES.in but has no translatable strings: ' + path)
    duplicates = sorted({path for path in listed if listed.count(path) > 1})
    for path in duplicates:
        problems.append('listed more than once in po/POTFILES.in: ' + path)
    if listed != sorted(listed):
        problems.append('po/POTFILES.in is not in alphabetical order')

    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1

    print('po/POTFILES.in lists all {} files with translatable strings'.format(len(found)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
