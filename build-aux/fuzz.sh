#!/bin/bash
# fuzz.sh — builds the libFuzzer targets (clang, ASan + UBSan) and runs each
# for a while on its seeds; exits non-zero when one crashes, leaks, hangs or
# runs out of memory. Called as `build-aux/dev.sh fuzz [--seconds N] [TARGET…]`.
#
# Seeds: tests/fuzz/corpus/<target>/ (committed; regressions are kept there),
# plus the recorded printer reports for fuzz-report. Each run works on a copy
# in $builddir/corpus/<target>/, so what a run finds never lands in the tree;
# crashes are saved as $builddir/artifacts/<target>-crash-… to be reproduced
# with `$builddir/tests/fuzz/<target> FILE`.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
builddir=${PRINTDECK_FUZZ_BUILDDIR:-$top/_build-fuzz}
seconds=60
targets=()

while [ $# -gt 0 ]; do
  case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-report fuzz-job-file fuzz-ssdp fuzz-camera-jpeg fuzz-mirror-client)

log() { printf '[fuzz] %s\n' "$*" >&2; }

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true -Dtests=false --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$builddir" $(printf 'tests/fuzz/%s ' "${targets[@]}") >/dev/null

# intercept_tls_get_addr=0: see cmd_asan in dev.sh (LeakSanitizer's tracer crash)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/build-aux/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export G_SLICE=always-malloc G_DEBUG=gc-friendly

mkdir -p "$builddir/artifacts"
failed=0
for target in "${targets[@]}"; do
  work="$builddir/corpus/$target"
  mkdir -p "$work"
  cp -n "$top/tests/fuzz/corpus/$target"/* "$work"/ 2>/dev/null || true
  if [ "$target" = fuzz-report ]; then
    cp -n "$top"/tests/fixtures/reports/*.json "$top"/tests/fixtures/ha-bambulab/*.json "$work"/ 2>/dev/null || true
  fi
  log "$target: ${seconds} s on $(ls "$work" | wc -l) inputs"
  set +e
  "$builddir/tests/fuzz/$target" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$builddir/artifacts/$target-" \
    >"$builddir/$target.log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$builddir/$target.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$builddir/$target.log")
  if [ $rc -ne 0 ]; then
    failed=$((failed + 1))
    log "$target: FAILED (exit $rc) after ${runs:-?} runs:"
    grep -E 'ERROR|SUMMARY|Test unit written' "$builddir/$target.log" | head -5 >&2 || true
  else
    log "$target: ${runs:-?} runs (${speed:-?}/s), corpus $(ls "$work" | wc -l), no crash"
  fi
done

log "${#targets[@]} targets, $failed failed"
[ $failed -eq 0 ]
