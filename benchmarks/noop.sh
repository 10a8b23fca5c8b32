#!/usr/bin/env bash
# Wall time of a no-op front door: the second of two identical runs (the first may bootstrap the build).
# Not a test: figures depend on the machine and its load. Usage: benchmarks/noop.sh [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}

measure() {
    "$@" >/dev/null 2>&1   # warm-up: bootstraps the build project and the engine's caches
    local best=999999 total=0
    for _ in $(seq "$runs"); do
        local start end ms
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000000 ))
        total=$((total + ms))
        [ "$ms" -lt "$best" ] && best=$ms
    done
    printf '%-34s best %5d ms   mean %5d ms   (%d runs, load %s)\n' "$*" "$best" "$((total / runs))" "$runs" "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
}

measure ./build.sh --help
measure ./build.sh --target Hash
measure ./build.sh --plan --plan-format json
