#!/usr/bin/env bash
# No-op front door (issue 14, goal 1): wall and CPU time of runs that have nothing to do, for this checkout and for a
# baseline checkout (by default the commit before the no-op work), both measured in this run on the same trees:
#   --help;  --target Build on an up-to-date 5x6 tree (30 packages);  --target Hash of a copy of the DC/OS tree.
# "now" is what build.sh runs (the composite program once its background compile is done: waited for), "quick" the
# ReadyToRun program it compiles first (PKGPANDA_COMPOSITE=0).
# Not a test: figures depend on the machine and its load (printed). Usage:
#   benchmarks/noop.sh [runs=7] [baseline-ref=d31af48]     DCOS_PACKAGES=/work/dcos/packages (skipped when absent)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-7}
BASE_REF=${2:-d31af48}
DCOS=${DCOS_PACKAGES:-/work/dcos/packages}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# The baseline: the same project at BASE_REF, bootstrapped by its own build.sh.
git -C "$ROOT" archive "$BASE_REF" | tar -x -C "$WORK" --one-top-level=base || { echo "cannot check out $BASE_REF"; exit 1; }
mkdir -p "$WORK/base/.nuke"

# A 5x6 tree: each package requires two of the layer below, as benchmarks/scheduler.sh builds it.
for l in 0 1 2 3 4; do for i in 0 1 2 3 4 5; do
    d="$WORK/tree/p$l-$i"; mkdir -p "$d"
    req=""; [ "$l" -gt 0 ] && req="\"p$((l - 1))-$i\", \"p$((l - 1))-$(((i + 1) % 6))\""
    echo "{\"requires\": [$req]}" >"$d/buildinfo.json"
    printf '#!/bin/sh\nmkdir -p "$PKG_PATH/lib"\necho "$PKG_ID" > "$PKG_PATH/lib/$PKG_NAME.id"\n' >"$d/build"; chmod +x "$d/build"
done; done

# The DC/OS tree, inside a git repository (its dcos-image package is a git_local source of "../../"). Images that
# cannot be made offline (FROM ubuntu, calico, golang) are replaced by the default builder: ids differ, work does not.
if [ -d "$DCOS" ]; then
    mkdir -p "$WORK/dcos" && cp -r "$DCOS" "$WORK/dcos/packages"
    echo 'FROM dcos/dcos-builder:dcos-builder_dockerdir-latest' >"$WORK/dcos/packages/adminrouter/docker/Dockerfile"
    grep -rlE '"docker": *"(calico|golang)' "$WORK/dcos/packages" --include='*buildinfo.json' |
        xargs -r sed -i -E 's#"docker": *"(calico|golang)[^"]*"#"docker": "dcos/dcos-builder:dcos-builder_dockerdir-latest"#'
    printf 'packages/cache/\n' >"$WORK/dcos/.gitignore"
    git -C "$WORK/dcos" init -q && git -C "$WORK/dcos" add -A && git -C "$WORK/dcos" -c user.name=bench -c user.email=bench@localhost commit -qm tree
fi

# Each checkout runs from its own folder: a build program finds its root (.nuke/) from the current directory, and
# the baseline must not rewrite this checkout's generated files.
now() { (cd "$ROOT" && ./build.sh "$@"); }
quick() { (cd "$ROOT" && PKGPANDA_COMPOSITE=0 ./build.sh "$@"); }
base() { (cd "$WORK/base" && ./build.sh "$@"); }
run() { "$@" >"$WORK/last.log" 2>&1 || { echo "failed: $*"; tail -20 "$WORK/last.log"; exit 1; }; }
run now --target Build --packages-dir "$WORK/tree"          # bootstraps this checkout, builds the tree once
run base --target Build --packages-dir "$WORK/tree"         # bootstraps the baseline (same ids: no-op)
grep -q "0 built, 30 up to date" "$WORK/last.log" || { echo "the baseline rebuilt something"; cat "$WORK/last.log"; exit 1; }
if [ -d "$WORK/dcos" ]; then
    run now --target Hash --packages-dir "$WORK/dcos/packages"   # builds adminrouter's stand-in builder
fi
# build.sh compiles the composite program in the background after a quick compile; wait for it (PKGPANDA_COMPOSITE=0: no).
composite=no
if [ "${PKGPANDA_COMPOSITE:-}" != 0 ]; then
    for _ in $(seq 900); do
        [ -f "$ROOT/.nuke/temp/composite.stamp" ] && [ "$(tail -n +2 "$ROOT/.nuke/temp/composite.stamp")" = "$(tail -n +2 "$ROOT/.nuke/temp/build.stamp")" ] && { composite=yes; break; }
        [ "$_" = 1 ] && echo "waiting for build.sh's composite program (up to 15 min; PKGPANDA_COMPOSITE=0 to skip)..."
        sleep 1
    done
fi

# Best and median wall time, and median CPU (user + system) of RUNS runs after one warm-up; prints "best median cpu".
measure() {
    local times=() cpus=() line
    "$@" >/dev/null 2>&1
    for _ in $(seq "$RUNS"); do
        line=$( { TIMEFORMAT='%R %U %S'; time "$@" >/dev/null 2>&1; } 2>&1 )
        read -r real user sys <<<"$line"
        times+=("$real"); cpus+=("$(awk "BEGIN { print $user + $sys }")")
    done
    local best median cpu
    best=$(printf '%s\n' "${times[@]}" | sort -n | head -n1)
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
    echo "$best $median $cpu"
}

row() {
    local name=$1 goal=$2; shift 2
    read -r nb nm nc <<<"$(measure now "$@")"
    read -r qb qm qc <<<"$(measure quick "$@")"
    read -r bb bm bc <<<"$(measure base "$@")"
    printf '%-26s now (composite: %s): best %5.3f s median %5.3f s cpu %5.3f s | quick program: best %5.3f s median %5.3f s cpu %5.3f s | %s: best %5.3f s median %5.3f s cpu %5.3f s | ratio (median) %4.1fx, quick %4.1fx | goal <= %s s\n' \
        "$name" "$composite" "$nb" "$nm" "$nc" "$qb" "$qm" "$qc" "$BASE_REF" "$bb" "$bm" "$bc" "$(awk "BEGIN { print $bm / $nm }")" "$(awk "BEGIN { print $bm / $qm }")" "$goal"
}

echo "$(nproc) cores, $RUNS runs each, baseline $BASE_REF ($(git -C "$ROOT" log -1 --format=%s "$BASE_REF" | cut -c1-60)...)"
row "--help" 0.10 --help
row "Build, 30 up to date" 0.15 --target Build --packages-dir "$WORK/tree"
[ -d "$WORK/dcos" ] && row "Hash, DC/OS (81 variants)" 0.25 --target Hash --packages-dir "$WORK/dcos/packages"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') (wall times grow with load; cpu much less)"
