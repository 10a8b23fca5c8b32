#!/usr/bin/env bash
# Engine pool benchmark (issue 11): a wide tree of N packages whose scripts sleep S seconds, built cold on one engine
# that shares no files with this machine, then on two such engines, in one run. Prints both makespans and the
# throughput ratio (goal >= 1.8x). The engines are dockerd in their own mount, network and pid namespaces (as the
# tests' ExtraEngine), with tmpfs over /tmp and over the checkout's parent, so every file travels through the Engine
# API; each runs as many packages at once as it reports CPUs. Needs root. Usage: benchmarks/engines.sh [N=16] [S=2]
set -euo pipefail
N=${1:-16}; S=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
IMAGE=dcos/dcos-builder:dcos-builder_dockerdir-latest
PIDS=()

start_engine() {  # name -> sets ADDRESS once it answers (not in a subshell: PIDS must reach the cleanup)
    local name=$1 data=/var/lib/$1 run=/run/$1
    mkdir -p "$data" "$run"
    unshare -m -n -p --fork --mount-proc --kill-child=SIGKILL sh -c "
        set -e; mount --make-rprivate /
        mount -t tmpfs tmpfs /tmp; mount -t tmpfs tmpfs '$(dirname "$ROOT")'
        [ -d /run/containerd ] && mount -t tmpfs tmpfs /run/containerd
        exec dockerd --data-root '$data' --exec-root '$run/exec' --pidfile '$run/docker.pid' -H 'unix://$run/docker.sock' \
            --bridge none --iptables=false --ip-masq=false >'$run/dockerd.log' 2>&1" </dev/null >/dev/null 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 300); do docker -H "unix://$run/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
    docker -H "unix://$run/docker.sock" info >/dev/null
    ADDRESS="unix://$run/docker.sock"
}

cleanup() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done   # --kill-child takes dockerd and its namespace
    wait 2>/dev/null || true
    rm -rf "$WORK" /var/lib/pkgpanda-bench-$$-* /run/pkgpanda-bench-$$-*
}
trap cleanup EXIT

make_tree() {
    for ((i = 0; i < N; i++)); do
        mkdir -p "$1/w$i"
        echo '{}' > "$1/w$i/buildinfo.json"
        printf '#!/bin/sh\nset -e\nsleep %s\nmkdir -p "$PKG_PATH/lib"\necho "$PKG_ID" > "$PKG_PATH/lib/$PKG_NAME.id"\n' "$S" > "$1/w$i/build"
        chmod +x "$1/w$i/build"
    done
}

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
# CPU-seconds the whole machine spent (user, nice, system, irq, softirq), from /proc/stat's clock ticks.
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
TICKS=$(getconf CLK_TCK)
# Runs the tool; CPU keeps the tool's own CPU-seconds and the machine's (both engines run on it) for the last run.
run() {
    local before; before=$(busy)
    if [ -x /usr/bin/time ]; then   # Debian's "time" package
        /usr/bin/time -f "%U %S" -o "$WORK/time" "$ROOT/build.sh" "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; exit 1; }
    else
        echo "? ?" >"$WORK/time"; "$ROOT/build.sh" "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; exit 1; }
    fi
    CPU="tool $(awk '{ if ($1 == "?") print "?"; else printf "%.2f", $1 + $2 }' "$WORK/time") CPU-s, machine $(awk -v a="$before" -v b="$(busy)" -v t="$TICKS" 'BEGIN { printf "%.2f", (b - a) / t }') CPU-s"
}

"$ROOT/build.sh" --target Setup >/dev/null   # the main engine holds the builder image; build.sh is compiled
start_engine pkgpanda-bench-$$-1; E1=$ADDRESS
start_engine pkgpanda-bench-$$-2; E2=$ADDRESS
# The first engine gets the builder image as a user brings it (save/load keeps its id); the tool copies it to the second.
docker save "$IMAGE" | docker -H "$E1" load -q >/dev/null
make_tree "$WORK/one"; make_tree "$WORK/two"; make_tree "$WORK/warm"
# Warm-up on both engines: the tool copies the image to the second (as on the first build of a farm); timed runs
# then measure building, not a one-time copy.
run --target Build --packages-dir "$WORK/warm" --docker-host "$E1" "$E2"
grep -q "building on $E2" "$WORK/last.log" || { echo "warm-up never used the second engine"; exit 1; }

t0=$(now); run --target Build --packages-dir "$WORK/one" --docker-host "$E1"; one=$(calc "$(now) - $t0"); cpu_one=$CPU
t0=$(now); run --target Build --packages-dir "$WORK/two" --docker-host "$E1" "$E2"; two=$(calc "$(now) - $t0"); cpu_two=$CPU
on2=$(grep -c "building on $E2" "$WORK/last.log" || true)
# Start-up (process, Setup, Hash, an up-to-date Build) is the same in both runs and builds nothing: measured as the
# no-op rebuild of the same tree on the same engines, it is taken off both makespans for the throughput ratio.
t0=$(now); run --target Build --packages-dir "$WORK/two" --docker-host "$E1" "$E2"; noop=$(calc "$(now) - $t0")
cmp <(cd "$WORK/one/cache/packages" && find . -name '*.tar.xz' | sort | xargs sha256sum) \
    <(cd "$WORK/two/cache/packages" && find . -name '*.tar.xz' | sort | xargs sha256sum) >/dev/null \
    && same=yes || same=NO

echo "engines: $N packages x sleep $S s, engines report $(docker -H "$E1" info --format '{{.NCPU}}') CPUs each"
echo "one remote engine:  ${one} s ($cpu_one)"
echo "two remote engines: ${two} s ($cpu_two; the second engine built $on2 packages; the tool copied the image to it by save/load in the warm-up)"
echo "start-up (no-op):   ${noop} s"
echo "makespan ratio:     $(calc "$one / $two")x"
echo "throughput ratio:   $(calc "($one - $noop) / ($two - $noop)")x (packages per second while building; goal >= 1.8x); tarballs identical: $same"
