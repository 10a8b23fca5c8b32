#!/usr/bin/env bash
# Big packages on the critical path (issue 14, goal 3): a chain of L packages, each requiring the one before and
# writing M MiB of text (hex of random bytes: xz packs it about 2:1, slowly, as real binaries), cold, for this checkout
# and for a baseline checkout, alternating, in one run. Prints each cold makespan, the median ratio and the size of
# one tarball. Until 8bf4107 a dependant started only once its requires were packed; now it starts from their
# result folders, and a chain packs side by side.
# Not a test: figures depend on the machine and its load (printed). Usage:
#   benchmarks/chain.sh [L=3] [M=8] [runs=2] [baseline-ref=8bf4107]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
L=${1:-3}; M=${2:-8}; RUNS=${3:-2}; BASE_REF=${4:-8bf4107}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
git -C "$ROOT" archive "$BASE_REF" | tar -x -C "$WORK" --one-top-level=base || { echo "cannot check out $BASE_REF"; exit 1; }
mkdir -p "$WORK/base/.nuke"

make_tree() {
    local dir=$1 l req
    for ((l = 0; l < L; l++)); do
        req=""; ((l > 0)) && req="\"c$((l - 1))\""
        mkdir -p "$dir/c$l"
        echo "{\"requires\": [$req]}" >"$dir/c$l/buildinfo.json"
        printf '#!/bin/sh\nset -e\nmkdir -p "$PKG_PATH/lib"\nhead -c %d /dev/urandom | od -An -tx1 > "$PKG_PATH/lib/$PKG_NAME.data"\n' "$((M * 1024 * 1024 / 3))" >"$dir/c$l/build"
        chmod +x "$dir/c$l/build"
    done
}
now() { (cd "$ROOT" && ./build.sh "$@"); }
base() { (cd "$WORK/base" && ./build.sh "$@"); }
run() { "$@" >"$WORK/last.log" 2>&1 || { echo "failed: $*"; tail -20 "$WORK/last.log"; exit 1; }; }
elapsed() { awk "BEGIN { printf \"%.2f\", $(date +%s.%N) - $1 }"; }

make_tree "$WORK/warm"
run now --target Setup --packages-dir "$WORK/warm"
run base --target Setup --packages-dir "$WORK/warm"
printf 'chain of %d packages of ~%d MiB each, %d cores, load %s\n' "$L" "$M" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
declare -a t_now t_base
for ((r = 0; r < RUNS; r++)); do
    for who in base now; do
        rm -rf "$WORK/tree"; make_tree "$WORK/tree"
        t0=$(date +%s.%N); run "$who" --target Build --packages-dir "$WORK/tree"; t=$(elapsed "$t0")
        grep -q "$L built" "$WORK/last.log" || { echo "$who did not build all $L"; cat "$WORK/last.log"; exit 1; }
        printf '  %-4s cold %6.2f s\n' "$who" "$t"
        [ "$who" = now ] && t_now+=("$t") || t_base+=("$t")
    done
done
tarball=$(find "$WORK/tree/cache/packages/c0" -name '*.tar.xz' | head -1)
printf 'one tarball: %s bytes\n' "$(stat -c %s "$tarball")"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mn=$(median "${t_now[@]}"); mb=$(median "${t_base[@]}")
printf 'median cold: now %.2f s, %s %.2f s: %.2fx faster\n' "$mn" "$BASE_REF" "$mb" "$(awk "BEGIN { print $mb / $mn }")"
