#!/usr/bin/python3
# check-flatpak-manifest.py — what the Flatpak manifests must say, checked offline
#
# Copyright 2026 Printdeck developers
# SPDX-License-Identifier: GPL-3.0-or-later
#
# No runtime can be downloaded where the tests run, so the manifests cannot be
# built there. This checks what a build would otherwise find out late, or what
# a reviewer on Flathub would refuse:
#   - both manifests parse (with flatpak-builder --show-manifest when it is
#     installed) and differ only in id, tags and the app's own options;
#   - the sandbox holds no more than the app needs (an allow-list, and the
#     holes Flathub refuses);
#   - every module's sources are pinned: archives with a SHA-256, git with a
#     commit; only the app itself is built from the checkout;
#   - every pkg-config dependency in the meson files is in the runtime or
#     built by a module;
#   - H.264 for the RTSPS cameras: a runtime that brings the codecs-extra
#     extension (GNOME 49 and later), or the ffmpeg-full extension wired in.
#
# Usage: check-flatpak-manifest.py SOURCE_ROOT APP_ID

import json
import pathlib
import re
import shutil
import subprocess
import sys

# What org.gnome.Platform (49, freedesktop-sdk 25.08) provides of what we use.
RUNTIME_PROVIDES = {
    "gdk-pixbuf-2.0", "gio-2.0", "gio-unix-2.0", "glib-2.0", "gobject-2.0",
    "gstreamer-1.0", "gstreamer-app-1.0", "gstreamer-video-1.0", "gtk4",
    "json-glib-1.0", "libadwaita-1", "libcurl", "libsecret-1", "libsoup-3.0",
    "openssl", "libssl", "libcrypto",
    # libjpeg-turbo, which gdk-pixbuf needs too (JCS_EXT_BGRA is turbo's)
    "libjpeg",
}

# What each module of ours installs, as pkg-config names.
MODULE_PROVIDES = {
    "libmosquitto": {"libmosquitto"},
    "libportal": {"libportal", "libportal-gtk4"},
    "libcanberra": {"libcanberra"},
    "gsound": {"gsound"},
    "libqrencode": {"libqrencode"},
    "libzip": {"libzip"},
}

# Only for tests, the simulator or the benchmarks: not in the app.
TEST_ONLY = {"gstreamer-rtsp-server-1.0"}

# The sandbox: what the app needs, and why.
ALLOWED_FINISH_ARGS = {
    "--share=network",                               # printers, the mirror
    "--share=ipc",                                   # X11 shared memory
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",                                  # GL rendering
    "--socket=pulseaudio",                           # notification sounds (gsound)
    "--filesystem=xdg-pictures/Printdeck:create",    # snapshots
    "--talk-name=org.kde.StatusNotifierWatcher",     # the tray icon
    "--own-name=org.kde.StatusNotifierItem-2-1",     # the tray icon's name (pid 2 in the sandbox)
}
REQUIRED_FINISH_ARGS = {"--share=network", "--socket=wayland", "--socket=fallback-x11"}
# Holes Flathub refuses, or that portals make needless: secrets go through the
# Secret portal, notifications and background through theirs.
FORBIDDEN_PATTERNS = [
    r"^--filesystem=(home|host|host-os|host-etc)",
    r"^--socket=(x11|session-bus|system-bus|ssh-auth)$",
    r"^--device=all$",
    r"^--talk-name=org\.freedesktop\.(secrets|Flatpak|Notifications)$",
    r"^--system-talk-name=",
]

HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX40 = re.compile(r"^[0-9a-f]{40}$")

errors = []


def fail(message):
    errors.append(message)


def load(path):
    if shutil.which("flatpak-builder"):
        result = subprocess.run(["flatpak-builder", "--show-manifest", str(path)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            fail(f"{path.name}: flatpak-builder cannot read it: {result.stderr.strip()}")
            return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        fail(f"{path.name}: {error}")
        return None


def meson_dependencies(root):
    names = set()
    for meson in root.rglob("meson.build"):
        parts = meson.relative_to(root).parts
        # tests are not built in the Flatpak (-Dtests=false)
        if parts[0] == "tests" or any(part.startswith(("_build", ".")) for part in parts):
            continue
        names.update(re.findall(r"dependency\(\s*'([^']+)'", meson.read_text()))
    return names


def check_sources(manifest_name, module):
    name = module.get("name", "?")
    sources = module.get("sources", [])
    if not sources:
        fail(f"{manifest_name}: module {name} has no sources")
    for source in sources:
        kind = source.get("type")
        if name == "printdeck":
            if kind != "dir" or source.get("path") != "..":
                fail(f"{manifest_name}: the app is built from the checkout (type dir, path ..)")
            continue
        if kind in ("archive", "file"):
            if not source.get("url", "").startswith(("https://", "http://")):
                fail(f"{manifest_name}: module {name}: a source without a URL")
            if not HEX64.match(source.get("sha256", "")):
                fail(f"{manifest_name}: module {name}: {source.get('url')} has no SHA-256")
        elif kind == "git":
            if not HEX40.match(source.get("commit", "")):
                fail(f"{manifest_name}: module {name}: git source not pinned to a commit")
        elif kind == "patch":
            if not source.get("path"):
                fail(f"{manifest_name}: module {name}: a patch without a path")
        else:
            fail(f"{manifest_name}: module {name}: source type {kind} is not pinned")


def check(manifest_name, manifest, app_id):
    if manifest.get("id") != app_id:
        fail(f"{manifest_name}: id is {manifest.get('id')}, not {app_id}")
    if manifest.get("runtime") != "org.gnome.Platform" or manifest.get("sdk") != "org.gnome.Sdk":
        fail(f"{manifest_name}: the GNOME runtime and SDK are expected")
    if manifest.get("command") != "printdeck":
        fail(f"{manifest_name}: command is not printdeck")

    args = manifest.get("finish-args", [])
    for arg in args:
        if arg not in ALLOWED_FINISH_ARGS:
            fail(f"{manifest_name}: finish-arg {arg} is not needed by the app")
        for pattern in FORBIDDEN_PATTERNS:
            if re.search(pattern, arg):
                fail(f"{manifest_name}: finish-arg {arg} opens the sandbox too far")
    for arg in REQUIRED_FINISH_ARGS - set(args):
        fail(f"{manifest_name}: finish-arg {arg} is missing")

    modules = manifest.get("modules", [])
    names = [m.get("name") for m in modules if isinstance(m, dict)]
    if len(names) != len(modules):
        fail(f"{manifest_name}: modules must be objects, not file references")
    if len(set(names)) != len(names):
        fail(f"{manifest_name}: module names repeat")
    if not names or names[-1] != "printdeck":
        fail(f"{manifest_name}: the app must be the last module")
    for module in modules:
        if isinstance(module, dict):
            check_sources(manifest_name, module)

    # H.264: freedesktop-sdk 25.08 (GNOME 49) installs codecs-extra with the
    # runtime; older runtimes need the ffmpeg-full extension in the manifest.
    version = str(manifest.get("runtime-version", ""))
    extensions = manifest.get("add-extensions", {})
    if not (version == "master" or (version.isdigit() and int(version) >= 49) or
            "org.freedesktop.Platform.ffmpeg-full" in extensions):
        fail(f"{manifest_name}: runtime {version} has no H.264 decoder for the cameras; "
             "use GNOME 49 or later, or add org.freedesktop.Platform.ffmpeg-full")
    return set(names)


def comparable(manifest):
    copy = json.loads(json.dumps(manifest))
    copy.pop("id", None)
    copy.pop("tags", None)
    for module in copy.get("modules", []):
        if isinstance(module, dict) and module.get("name") == "printdeck":
            module.pop("config-opts", None)
            module.pop("run-tests", None)
    return copy


def check_app_options(manifest_name, manifest):
    for module in manifest.get("modules", []):
        if isinstance(module, dict) and module.get("name") == "printdeck":
            if "-Dtests=false" not in module.get("config-opts", []):
                fail(f"{manifest_name}: the app's tests need what the runtime lacks (vsftpd, a broker): -Dtests=false")


def main():
    if len(sys.argv) != 3:
        print(__doc__ or "usage: check-flatpak-manifest.py SOURCE_ROOT APP_ID", file=sys.stderr)
        return 2
    root = pathlib.Path(sys.argv[1])
    app_id = sys.argv[2]
    stable_path = root / "flatpak" / f"{app_id}.json"
    devel_path = root / "flatpak" / f"{app_id}.Devel.json"
    stable = load(stable_path)
    devel = load(devel_path)
    if stable is None or devel is None:
        print("\n".join(errors), file=sys.stderr)
        return 1

    modules = check(stable_path.name, stable, app_id)
    check(devel_path.name, devel, app_id + ".Devel")
    check_app_options(stable_path.name, stable)
    check_app_options(devel_path.name, devel)
    if comparable(stable) != comparable(devel):
        fail("the stable and Devel manifests differ in more than id, tags and the app's options")

    provided = set(RUNTIME_PROVIDES)
    for module in modules:
        provided |= MODULE_PROVIDES.get(module, set())
    for dependency in sorted(meson_dependencies(root) - TEST_ONLY):
        if dependency not in provided:
            fail(f"the app needs {dependency}, which neither the runtime nor a module provides")

    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(f"{stable_path.name} and {devel_path.name}: {len(modules)} modules, all pinned; sandbox as allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
