#!/usr/bin/env bash
# Fixed cost of one package build on the local engine (issue 14, goal 3): a one-package tree whose build script does
# nothing, built RUNS times (a new id each time), phase by phase. Our phases come from --verbose ("<phase> at <s>")
# and are what the rows add up; the container's life (create, start, die, destroy) from the engine's own event stream,
# for the containers this run created (label io.pkgpanda.owner-pid), shown beside them: since containers are made ahead
# and removed off the slot, create -> start and die -> destroy overlap our phases and are not added. On a checkout
# from before that change the rows mean: prepare = sources only, activate = requires and pkginfo, run = create too.
# Not a test: figures depend on the machine and its load (printed).
# Usage: benchmarks/overhead.sh [runs=5]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-5}
WORK=$(mktemp -d)
events_pid=
cleanup() { [ -n "$events_pid" ] && kill "$events_pid" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

mkdir -p "$WORK/tree/empty"
echo '{}' >"$WORK/tree/empty/buildinfo.json"
run() { "$ROOT/build.sh" "$@" >"$WORK/last.log" 2>&1 || { echo "failed: $*"; tail -20 "$WORK/last.log"; exit 1; }; }
now() { date +%s%N; }
ms() { awk "BEGIN { printf \"%.0f\", ($1) / 1000000 }"; }

printf '#!/bin/sh\n' >"$WORK/tree/empty/build"; chmod +x "$WORK/tree/empty/build"
run --target Build --packages-dir "$WORK/tree"          # bootstrap, engine, builder image: warm before timing
t0=$(now); run --target Build --packages-dir "$WORK/tree"; startup=$(( $(now) - t0 ))   # no-op: start-up only

sums=(0 0 0 0 0 0 0 0 0 0 0); containers=0
for i in $(seq "$RUNS"); do
    printf '#!/bin/sh\n# run %s\n' "$i" >"$WORK/tree/empty/build"   # a new id: a real build every time
    docker events --filter type=container --format '{{.TimeNano}} {{.Action}} {{index .Actor.Attributes "io.pkgpanda.owner-pid"}} {{.ID}}' >"$WORK/events" 2>/dev/null &
    events_pid=$!
    sleep 0.3
    "$ROOT/build.sh" --target Build --packages-dir "$WORK/tree" --verbose >"$WORK/build.log" 2>&1 &
    pid=$!; t0=$(now); wait "$pid" || { echo "build failed"; tail -20 "$WORK/build.log"; exit 1; }; total=$(( $(now) - t0 ))
    sleep 0.3; kill "$events_pid" 2>/dev/null; wait "$events_pid" 2>/dev/null; events_pid=
    grep -q "1 built" "$WORK/build.log" || { echo "nothing was built"; tail -20 "$WORK/build.log"; exit 1; }
    phase() { sed -n "s/.*empty: $1 at \([0-9.]*\)s.*/\1/p" "$WORK/build.log" | tail -n1; }
    # Since the run path prepares ahead, "fetching" covers the sources, the files the build reads and the container's
    # create and attach; "activating" the requires; "building" the start, the script, the wait and the log stream.
    # A phase the build did not report (fetching, when preparing was done before the package was due) takes the next.
    read -r fetch activate building packing done <<<"$(phase fetching) $(phase activating) $(phase building) $(phase packing) $(phase done)"
    [ -n "$fetch" ] || fetch=$activate
    # The engine's view: build.sh execs the program, so its pid is the owner label on our containers.
    mine=$(awk -v p="$pid" '$3 == p { print }' "$WORK/events")
    ev() { awk -v a="$1" -v id="$2" '$2 == a && $4 == id { print $1; exit }' <<<"$mine"; }
    create=0; start=0; die=0; destroy=0; n=0
    for id in $(awk '$2 == "create" { print $4 }' <<<"$mine"); do
        c=$(ev create "$id"); s=$(ev start "$id"); d=$(ev die "$id"); x=$(ev destroy "$id")
        [ -n "$c" ] && [ -n "$s" ] && [ -n "$d" ] && [ -n "$x" ] || continue
        create=$((create + s - c)); start=$((start + d - s)); die=$((die + x - d)); n=$((n + 1))
    done
    containers=$n
    vals=("$total" \
        "$(awk "BEGIN { print ($activate - $fetch) * 1e9 }")" \
        "$(awk "BEGIN { print ($building - $activate) * 1e9 }")" \
        "$create" "$start" "$die" \
        "$(awk "BEGIN { print ($packing - $building) * 1e9 - $start }")" \
        "$(awk "BEGIN { print ($done - $packing) * 1e9 }")" \
        "$(awk "BEGIN { print $total - $startup }")" \
        "$(awk "BEGIN { print ($packing - $building) * 1e9 }")")
    for k in "${!vals[@]}"; do sums[k]=$(awk "BEGIN { print ${sums[k]:-0} + ${vals[k]} }"); done
done

avg() { ms "${sums[$1]} / $RUNS"; }
echo "one package, empty build script, $RUNS builds, local engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null)), $(nproc) cores"
printf '  %-52s %6d ms\n' "whole run (./build.sh --target Build)" "$(avg 0)"
printf '  %-52s %6d ms\n' "  start-up and no-op work (a no-op run)" "$(ms "$startup")"
printf '  %-52s %6d ms\n' "  fixed cost of the package (run - no-op)" "$(avg 8)"
printf '  %-52s %6d ms\n' "    prepare: sources, pkginfo, container create+attach" "$(avg 1)"
printf '  %-52s %6d ms\n' "    activate requires" "$(avg 2)"
printf '  %-52s %6d ms\n' "    run: start, script, wait, log stream (our view)" "$(avg 9)"
printf '  %-52s %6d ms\n' "      of it the script (engine: start -> die)" "$(avg 4)"
printf '  %-52s %6d ms\n' "      of it the rest (start call, wait, logs)" "$(avg 6)"
printf '  %-52s %6d ms\n' "    pack, check, write latest" "$(avg 7)"
parts=$(awk "BEGIN { print ${sums[1]} + ${sums[2]} + ${sums[9]} + ${sums[7]} }")
printf '  %-52s %6d ms\n' "    other (client start, sweep, removal before exit)" "$(ms "(${sums[8]} - $parts) / $RUNS")"
printf '  %-52s %6d ms\n' "  engine's view: create -> start (made ahead: waits)" "$(avg 3)"
printf '  %-52s %6d ms\n' "  engine's view: die -> destroy (off the slot)" "$(avg 5)"
echo "  containers per package: $containers"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
