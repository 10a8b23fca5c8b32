#!/usr/bin/env bash
# Scheduler benchmark (issue 6): a synthetic tree of L layers x W packages, each requiring two packages of the
# layer below, each build script sleeping S seconds. Prints the cold makespan, the lower bound
#   start-up + max(L, ceil(N/P)) x t_pkg
# (t_pkg: wall time of building one package of the tree alone; start-up: the no-op time), their ratio, and the
# no-op rebuild time; and issue 14's strict bound, start-up + max(L, ceil(N/P)) x S (no per-package cost at all).
# The engine is named with #P, so that it runs P containers at once (since the engine pool, an engine runs as many as
# it reports CPUs unless told; --parallel only caps the total): the subject here is the scheduler, not the CPU count.
# Usage: benchmarks/scheduler.sh [L=5] [W=6] [S=1] [P=6]
set -euo pipefail
L=${1:-5}; W=${2:-6}; S=${3:-1}; P=${4:-6}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

. "$ROOT/benchmarks/layered-tree.sh"
make_tree() {
    local dir=$1
    layered_tree "$dir" "$L" "$W" "$S"
}

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
elapsed() { calc "$(now) - $1"; }
ENGINE="${DOCKER_HOST:-unix:///var/run/docker.sock}#$P"
run() { "$ROOT/build.sh" "$@" --docker-host "$ENGINE" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; exit 1; }; }

make_tree "$WORK/tree"
make_tree "$WORK/single"
run --target Setup --packages-dir "$WORK/tree"   # engine, image and bootstrap of build.sh are warm before timing

t0=$(now); run --target Build --packages-dir "$WORK/single" --package p0-0; t_pkg=$(elapsed "$t0")
t0=$(now); run --target Build --packages-dir "$WORK/tree" --parallel "$P"; cold=$(elapsed "$t0")
t0=$(now); run --target Build --packages-dir "$WORK/tree" --parallel "$P"; noop=$(elapsed "$t0")
grep -q "0 built, $((L * W)) up to date" "$WORK/last.log" || { echo "no-op run rebuilt something"; cat "$WORK/last.log"; exit 1; }

N=$((L * W))
steps=$(( L > (N + P - 1) / P ? L : (N + P - 1) / P ))
bound=$(calc "$noop + $steps * $t_pkg")
strict=$(calc "$noop + $steps * ($t_pkg - $noop)")
floor=$(calc "$noop + $steps * $S")
printf 'tree: %d layers x %d packages (N=%d), sleep %ss, --parallel %d on %s, %d cores, load %s\n' "$L" "$W" "$N" "$S" "$P" "$ENGINE" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 't_pkg (one package alone):        %6.2f s\n' "$t_pkg"
printf 'start-up (no-op run):             %6.2f s\n' "$noop"
printf 'cold makespan:                    %6.2f s\n' "$cold"
printf 'lower bound (issue definition):   %6.2f s   ratio %.2f (target <= 1.25)\n' "$bound" "$(calc "$cold / $bound")"
printf 'lower bound (t_pkg minus start):  %6.2f s   ratio %.2f\n' "$strict" "$(calc "$cold / $strict")"
printf 'strict bound (start-up + %d x %ss): %5.2f s   ratio %.2f (issue 14 goal <= 1.15)\n' "$steps" "$S" "$floor" "$(calc "$cold / $floor")"
printf 'no-op rebuild:                    %6.2f s   (target < 1 s)\n' "$noop"
printf 'serial estimate (pkgpanda-like):  %6.2f s   (N x t_pkg)\n' "$(calc "$N * $t_pkg")"
