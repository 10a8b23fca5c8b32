#!/usr/bin/env bash
# Against real pkgpanda (issue 14): the same L x W tree of `sleep S` packages (each requiring two packages of the layer
# below, as benchmarks/scheduler.sh makes it, plus a treeinfo.json, which `mkpanda tree` needs), built cold and then
# again with nothing to do, by upstream `mkpanda tree` and by ours (`./build.sh --target Build --parallel P`), in one
# run on the same engine and builder image. Prints both figures and the ratios against the goals (>= 10x cold,
# >= 4x no-op), whether both tools gave the same package ids, the tarball sizes of both per package, the docker
# commands pkgpanda runs per package (traced on a 2-package tree), and, unless BLOB=0, both tools' tarballs and build
# times for one package of real binaries (url_extract from a throw-away HTTP server on 127.0.0.1), and, with CC_IMAGE,
# a real compile built by both.
#
# pkgpanda is set up from its upstream source (SRC: a folder holding pkgpanda/, or a git directory of dcos/dcos) in a
# throw-away virtualenv on Debian's python3 with Debian's python3-docopt, -requests, -retrying and -yaml (installed
# with apt-get when missing; PyPI is not reachable here). Nothing of pkgpanda's is copied into this repository. Three
# stand-ins make its code (written for Python 3.6) import on 3.11 without the rest of dcos/dcos, none used by
# `mkpanda tree`: collections.Iterable (gone since 3.10) is aliased to collections.abc's, `teamcity` (TeamCity's log
# helper, not in Debian) reports "not under TeamCity", and `gen` (the config generator, imported by pkgpanda.actions for
# `pkgpanda activate`) is an empty module when SRC has none.
#
# Never pulls: pkgpanda runs `docker pull` when `docker inspect` of the builder image fails, and cleans src/ and
# result/ of every package in an `ubuntu:14.04.4` container (hard-coded, so `docker run` would pull it). The builder
# image must be local (`./build.sh --target Setup`), and when ubuntu:14.04.4 is not, this run tags the builder image
# (busybox: it has rm) under that name and removes the tag at the end. The traced run refuses `docker pull`; a timed
# run whose log shows docker pulling fails.
#
# Usage: benchmarks/pkgpanda.sh [SRC=/work/dcos] [L=5] [W=6] [S=1] [P=6]    (RUNS=5 no-op runs of each, interleaved)
#        BLOB=0 skips the real-binaries package; BLOB_FILES="file..." chooses its content (default gcc's cc1, cc1plus).
#        CC_IMAGE=<local image with sh, cc, make> adds a real compile: SQLite from its autoconf tarball (from the npm
#        package sqlite3, which ships it in deps/: `npm pack`, or COMPILE_TARBALL=<path>) and a C program linked against
#        it, built by both. One way to make such an image without a registry: `debootstrap --variant=minbase
#        --include=gcc,make,libc6-dev bookworm DIR <your Debian mirror>` then `tar -C DIR -c . | docker import - NAME`.
# Not a test: figures depend on the machine and its load (printed).
set -euo pipefail
SRC=${1:-/work/dcos}; L=${2:-5}; W=${3:-6}; S=${4:-1}; P=${5:-6}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=dcos/dcos-builder:dcos-builder_dockerdir-latest
CLEANER=ubuntu:14.04.4
WORK=$(mktemp -d /tmp/pkgpanda-bench.XXXXXX)
STARTED=$(date +%s)
tagged=; http_pid=
cleanup() {
    [ -n "$http_pid" ] && kill "$http_pid" 2>/dev/null
    # Containers pkgpanda left behind after a failure: its names, with a mount in this run's folder.
    for id in $(docker ps -aq --filter name=package-builder- --filter name=package-cleaner- 2>/dev/null); do
        docker inspect -f '{{range .Mounts}}{{.Source}} {{end}}' "$id" 2>/dev/null | grep -q "$WORK" &&
            docker rm -f -v "$id" >/dev/null 2>&1
    done
    [ -n "$tagged" ] && docker rmi "$CLEANER" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
fail() { echo "pkgpanda.sh: $*" >&2; exit 1; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# timed NAME command...: runs the command in this shell; sets NAME_wall and NAME_cpu (user + system time of the command
# and its children: the CPU time is the fairer figure on a loaded machine; the engine's own work is in neither tool's).
TIMEFORMAT='%R %U %S'
timed() {
    local name=$1 wall user sys; shift
    exec 3>&2; { time "$@" 2>&3; } 2>"$WORK/time.out"; exec 3>&-
    read -r wall user sys <"$WORK/time.out"
    printf -v "${name}_wall" '%s' "$wall"; printf -v "${name}_cpu" '%s' "$(calc "$user + $sys")"
}

# --- pkgpanda from its source, in a throw-away virtualenv -------------------------------------------------------
setup_pkgpanda() {
    mkdir -p "$WORK/pkgpanda-src" "$WORK/tmp"
    if [ -f "$SRC/pkgpanda/build/cli.py" ]; then
        cp -r "$SRC/pkgpanda" "$WORK/pkgpanda-src/"
        [ -d "$SRC/gen" ] && cp -r "$SRC/gen" "$WORK/pkgpanda-src/"
        src_rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo "folder $SRC")
    elif git --git-dir="$SRC" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        git --git-dir="$SRC" archive HEAD pkgpanda | tar -x -C "$WORK/pkgpanda-src"
        src_rev="$(git --git-dir="$SRC" rev-parse --short HEAD) of $SRC"
    else
        fail "$SRC holds neither pkgpanda/build/cli.py nor a git repository (give the dcos/dcos source as the first argument)"
    fi
    local py=/usr/bin/python3 mods="docopt requests retrying yaml"
    if ! "$py" -c "import ${mods// /, }" 2>/dev/null; then
        [ "$(id -u)" = 0 ] || fail "pkgpanda needs Debian's python3-docopt python3-requests python3-retrying python3-yaml python3-venv"
        echo "installing Debian's python3-docopt python3-requests python3-retrying python3-yaml python3-venv"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-docopt python3-requests python3-retrying \
            python3-yaml python3-venv >"$WORK/apt.log" 2>&1 || { tail -5 "$WORK/apt.log"; fail "apt-get install failed"; }
    fi
    "$py" -m venv --system-site-packages "$WORK/venv" >/dev/null || fail "python3 -m venv failed (python3-venv missing?)"
    local site; site=$("$WORK/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$WORK/pkgpanda-src" >"$site/pkgpanda-src.pth"
    echo 'import collections, collections.abc; collections.Iterable = collections.abc.Iterable; collections.Mapping = collections.abc.Mapping' \
        >"$site/zz-collections-compat.pth"
    if ! "$WORK/venv/bin/python" -c 'import teamcity' 2>/dev/null; then
        mkdir -p "$site/teamcity"
        printf 'def is_running_under_teamcity():\n    return False\n' >"$site/teamcity/__init__.py"
        printf 'class TeamcityServiceMessages:\n    def __getattr__(self, name):\n        return lambda *a, **k: None\n' \
            >"$site/teamcity/messages.py"
    fi
    [ -d "$WORK/pkgpanda-src/gen" ] || printf '# stand-in: pkgpanda.actions imports these names; mkpanda tree never calls them\ndo_gen_package = resolve_late_package = None\n' >"$site/gen.py"
    cat >"$WORK/mkpanda" <<EOF
#!/bin/sh
TMPDIR="$WORK/tmp" PYTHONDONTWRITEBYTECODE=1 exec "$WORK/venv/bin/python" -c 'import sys; sys.argv[0] = "mkpanda"; from pkgpanda.build.cli import main; main()' "\$@"
EOF
    chmod +x "$WORK/mkpanda"
    "$WORK/mkpanda" --version >/dev/null 2>&1 || { "$WORK/mkpanda" --version; fail "mkpanda does not start"; }
}

# --- the trees ----------------------------------------------------------------------------------------------------
. "$ROOT/benchmarks/layered-tree.sh"
make_tree() {
    local dir=$1
    mkdir -p "$dir"; echo '{}' >"$dir/treeinfo.json"
    layered_tree "$dir" "$L" "$W" "$S"
}

pp_run() {
    local dir=$1 log=$2
    (cd "$dir" && "$WORK/mkpanda" tree) >"$log" 2>&1 || { tail -30 "$log"; fail "mkpanda tree failed in $dir (log above)"; }
    # docker run says "Unable to find image" before it pulls; the traced run refuses `docker pull` itself.
    ! grep -q -e 'Unable to find image' -e 'Pulling from' "$log" || fail "an image was pulled during pkgpanda's run in $dir"
}
# The engine is named with #P, as benchmarks/scheduler.sh does: an engine runs as many packages at once as it reports
# CPUs unless told (--parallel only caps the total), and the comparison is about P builds at once.
ENGINE="${DOCKER_HOST:-unix:///var/run/docker.sock}#$P"
ours() { "$ROOT/build.sh" --target Build --packages-dir "$1" --docker-host "$ENGINE" --parallel "$P" >"$2" 2>&1 || { tail -30 "$2"; fail "build.sh failed in $1 (log above)"; }; }

# --- preconditions -------------------------------------------------------------------------------------------------
# One run at a time on this machine: a second one would remove the cleaner tag under the first one's feet.
exec 9>/tmp/pkgpanda-bench.lock
flock -n 9 || { echo "pkgpanda.sh: waiting for another run of this benchmark to end"; flock 9; }
docker image inspect "$IMAGE" >/dev/null 2>&1 || fail "builder image $IMAGE is not on the engine: run ./build.sh --target Setup first (this script never pulls)"
if ! docker image inspect "$CLEANER" >/dev/null 2>&1; then
    docker tag "$IMAGE" "$CLEANER"; tagged=1
fi
N=$((L * W))
echo "pkgpanda vs pkgpanda.NET: $L x $W tree (N=$N), sleep ${S}s, ours --parallel $P on $ENGINE; $(nproc) cores, load $(load) at start"
setup_pkgpanda
make_tree "$WORK/pp"; make_tree "$WORK/ours"
echo "pkgpanda: $src_rev, $("$WORK/venv/bin/python" --version), engine $(docker version --format '{{.Server.Version}}'), image $(docker image inspect -f '{{.Id}}' "$IMAGE" | cut -c1-19)"
[ -n "$tagged" ] && echo "(tagged $IMAGE as $CLEANER for pkgpanda's cleaner container; removed at the end)"
"$ROOT/build.sh" --target Setup --packages-dir "$WORK/ours" >"$WORK/setup.log" 2>&1 || { tail -20 "$WORK/setup.log"; fail "Setup failed"; }

# --- what pkgpanda does per package: a traced 2-package tree (b requires a), cold then no-op ---------------------------
mkdir -p "$WORK/bin" "$WORK/trace/a" "$WORK/trace/b"
cat >"$WORK/bin/docker" <<EOF
#!/bin/sh
[ "\$1" = pull ] && { echo "pkgpanda.sh: refused docker pull \$*" >&2; echo "0 0 \$*" >>"$WORK/docker.trace"; exit 1; }
s=\$(date +%s.%N); "$(command -v docker)" "\$@"; rc=\$?
echo "\$s \$(date +%s.%N) \$*" >>"$WORK/docker.trace"; exit \$rc
EOF
chmod +x "$WORK/bin/docker"
echo '{}' >"$WORK/trace/treeinfo.json"; echo '{}' >"$WORK/trace/a/buildinfo.json"; echo '{"requires": ["a"]}' >"$WORK/trace/b/buildinfo.json"
printf '#!/bin/sh\nmkdir -p "$PKG_PATH/lib"; echo "$PKG_ID" > "$PKG_PATH/lib/$PKG_NAME.id"\n' | tee "$WORK/trace/a/build" >"$WORK/trace/b/build"
chmod +x "$WORK/trace/a/build" "$WORK/trace/b/build"
PATH="$WORK/bin:$PATH" pp_run "$WORK/trace" "$WORK/trace-cold.log"
cp "$WORK/docker.trace" "$WORK/trace-cold"; : >"$WORK/docker.trace"
PATH="$WORK/bin:$PATH" pp_run "$WORK/trace" "$WORK/trace-noop.log"
cp "$WORK/docker.trace" "$WORK/trace-noop"
grep -q "^0 0 pull" "$WORK/docker.trace" "$WORK/trace-cold" && fail "pkgpanda tried to pull an image"
echo "pkgpanda's docker commands per package built (package b, one require; ids and paths shortened):"
# Print the half of the cold trace that belongs to b (a's and b's sequences have the same shape), with the time of
# each command; the rest of b's span (first command's start to last one's end) is pkgpanda's own Python work.
half=$(( $(wc -l <"$WORK/trace-cold") / 2 ))
tail -n "$half" "$WORK/trace-cold" | awk '
    { t = $2 - $1; sum += t; if (NR == 1) first = $1; last = $2
      $1 = ""; $2 = ""; sub(/^  /, "") }
    /^run / { n = split($0, w, " "); img = ""; cmd = ""; vols = 0; envs = 0
              for (i = 2; i <= n; i++) { if (w[i] == "-v") vols++; if (w[i] == "-e") envs++
                                         if (img != "") cmd = cmd " " w[i]; else if (w[i] ~ /^(dcos\/|ubuntu:)/) img = w[i] }
              name = w[2]; sub(/--name=/, "", name); sub(/-[a-z]+$/, "-<random>", name)
              printf "  %5.0f ms  docker run --name=%s (%d -v, %d -e, network on, no --rm) %s%s\n", t * 1000, name, vols, envs, img, cmd; next }
    /^rm / { printf "  %5.0f ms  docker rm -v <that container>\n", t * 1000; next }
    { printf "  %5.0f ms  docker %s\n", t * 1000, $0 }
    END { printf "  %5.0f ms  in docker commands, %.0f ms in pkgpanda between them (hashing, unpacking each require, activation, tar.xz), %.0f ms in all\n", sum * 1000, (last - first - sum) * 1000, (last - first) * 1000 }'
printf '  no-op, per package: %s docker command(s) (%s)\n' "$(( $(wc -l <"$WORK/trace-noop") / 2 ))" "$(cut -d' ' -f3-4 "$WORK/trace-noop" | sort -u | tr '\n' ' ' | sed 's/ $//')"

# --- the timed runs --------------------------------------------------------------------------------------------------
timed ppc pp_run "$WORK/pp" "$WORK/pp-cold.log"; pp_cold=$ppc_wall
[ "$(grep -c '^Package built.' "$WORK/pp-cold.log")" = "$N" ] || fail "pkgpanda's cold run did not build $N packages"
timed oc ours "$WORK/ours" "$WORK/ours-cold.log"; ours_cold=$oc_wall
grep -q "$N built" "$WORK/ours-cold.log" || { tail -5 "$WORK/ours-cold.log"; fail "our cold run did not build $N packages"; }
RUNS=${RUNS:-5}; pp_noops=(); ours_noops=(); pp_cpus=(); ours_cpus=()
for ((r = 0; r < RUNS; r++)); do   # interleaved; medians
    timed ppn pp_run "$WORK/pp" "$WORK/pp-noop.log"; pp_noops+=("$ppn_wall"); pp_cpus+=("$ppn_cpu")
    [ "$(grep -c 'Package up to date. Not re-building.' "$WORK/pp-noop.log")" = "$N" ] || fail "pkgpanda's no-op run rebuilt something"
    timed on ours "$WORK/ours" "$WORK/ours-noop.log"; ours_noops+=("$on_wall"); ours_cpus+=("$on_cpu")
    grep -q "0 built, $N up to date" "$WORK/ours-noop.log" || { tail -5 "$WORK/ours-noop.log"; fail "our no-op run rebuilt something"; }
done
pp_noop=$(echo "${pp_noops[*]}" | median); ours_noop=$(echo "${ours_noops[*]}" | median)
pp_noop_cpu=$(echo "${pp_cpus[*]}" | median); ours_noop_cpu=$(echo "${ours_cpus[*]}" | median)

# --- ids and tarballs --------------------------------------------------------------------------------------------------
same=0; pp_bytes=0; ours_bytes=0; sizes=""
for ((l = 0; l < L; l++)); do for ((i = 0; i < W; i++)); do
    name="p$l-$i"
    pt=$(ls "$WORK/pp/cache/packages/$name/"*.tar.xz); ot=$(ls "$WORK/ours/cache/packages/$name/"*.tar.xz)
    [ "$(basename "$pt")" = "$(basename "$ot")" ] && same=$((same + 1))
    ps=$(stat -c %s "$pt"); os=$(stat -c %s "$ot"); pp_bytes=$((pp_bytes + ps)); ours_bytes=$((ours_bytes + os))
    sizes="$sizes $ps/$os"
done; done

printf '\n%-34s %10s %10s %9s  %s\n' "" "pkgpanda" "ours" "ratio" "goal"
printf '%-34s %9.2fs %9.2fs %8.2fx  >= 10x %s\n' "cold build of the tree" "$pp_cold" "$ours_cold" "$(calc "$pp_cold / $ours_cold")" \
    "$(awk "BEGIN { print ($pp_cold / $ours_cold >= 10) ? \"(met)\" : \"(not met)\" }")"
printf '%-34s %9.2fs %9.2fs %8.2fx  >= 4x %s\n' "no-op rebuild (median of $RUNS)" "$pp_noop" "$ours_noop" "$(calc "$pp_noop / $ours_noop")" \
    "$(awk "BEGIN { print ($pp_noop / $ours_noop >= 4) ? \"(met)\" : \"(not met)\" }")"
printf '%-34s %9.2fs %9.2fs %8.2fx\n' "  no-op, CPU of the tool (median)" "$pp_noop_cpu" "$ours_noop_cpu" "$(calc "$pp_noop_cpu / $ours_noop_cpu")"
printf '  (CPU: user + sys of the tool and its children, the engine excluded; cold: pkgpanda %.2f s, ours %.2f s, most of\n' "$ppc_cpu" "$oc_cpu"
printf '  pkgpanda'"'"'s cost is in the engine, which runs its containers)\n'
printf '  no-op runs, wall: pkgpanda %s s; ours %s s\n' "${pp_noops[*]}" "${ours_noops[*]}"
printf '  pkgpanda cold: one package at a time, %.2f s per package (%.2f s over the sleep); no image pulled\n' \
    "$(calc "$pp_cold / $N")" "$(calc "$pp_cold / $N - $S")"
printf '  package ids equal in both: %s of %s\n' "$same" "$N"
printf '  tarballs of the %s packages: pkgpanda %s B, ours %s B (ours/pkgpanda %.4f); per package (pkgpanda/ours B):%s\n' \
    "$N" "$pp_bytes" "$ours_bytes" "$(calc "$ours_bytes / $pp_bytes")" "$(echo "$sizes" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/^ / /')"

# A throw-away HTTP server for $WORK/www on 127.0.0.1 (sources of url_extract packages); sets $port.
serve() {
    [ -n "$http_pid" ] && return
    mkdir -p "$WORK/www"
    port=$("$WORK/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$WORK/venv/bin/python" -m http.server --bind 127.0.0.1 --directory "$WORK/www" "$port" >"$WORK/http.log" 2>&1 &
    http_pid=$!
    for _ in $(seq 50); do "$WORK/venv/bin/python" -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return; sleep 0.1; done
    fail "the HTTP server on 127.0.0.1:$port did not start"
}

# --- one package of real binaries, url_extract from 127.0.0.1 -----------------------------------------------------------
if [ "${BLOB:-1}" != 0 ]; then
    files=${BLOB_FILES:-/usr/lib/gcc/x86_64-linux-gnu/12/cc1 /usr/lib/gcc/x86_64-linux-gnu/12/cc1plus}
    mkdir -p "$WORK/www" "$WORK/blobsrc/blob-1/bin"
    # shellcheck disable=SC2086
    cp $files "$WORK/blobsrc/blob-1/bin/"
    tar -C "$WORK/blobsrc" -czf "$WORK/www/blob-1.tar.gz" blob-1
    sha=$(sha1sum "$WORK/www/blob-1.tar.gz" | cut -d' ' -f1)
    serve
    for t in pp-blob ours-blob; do
        mkdir -p "$WORK/$t/blob"; echo '{}' >"$WORK/$t/treeinfo.json"
        printf '{"single_source": {"kind": "url_extract", "url": "http://127.0.0.1:%s/blob-1.tar.gz", "sha1": "%s"}}\n' "$port" "$sha" >"$WORK/$t/blob/buildinfo.json"
        printf '#!/bin/sh\nset -e\ncp -a /pkg/src/blob/. "$PKG_PATH/"\n' >"$WORK/$t/blob/build"; chmod +x "$WORK/$t/blob/build"
    done
    : >"$WORK/docker.trace"
    PATH="$WORK/bin:$PATH" timed ppb pp_run "$WORK/pp-blob" "$WORK/pp-blob.log"; pp_blob_t=$ppb_wall
    ours_verbose() { "$ROOT/build.sh" --target Build --packages-dir "$1" --verbose >"$2" 2>&1 || { tail -30 "$2"; fail "build.sh failed in $1"; }; }
    timed ob ours_verbose "$WORK/ours-blob" "$WORK/ours-blob.log"; ours_blob_t=$ob_wall
    # pkgpanda's phases from its docker commands (inspect, cleaner, builder, cleaner): fetch + extract + activation
    # lie between the first cleaner and the builder, tar.xz between the builder and the second cleaner.
    pp_phases=$(grep -v '^0 0' "$WORK/docker.trace" | awk '/ run /{ r[++n] = $1 " " $2 } / rm /{ e[n] = $2 }
        END { split(r[1], a); split(r[2], b); split(r[3], c)
              printf "fetch+extract+activate %.1f s, container %.1f s, tar.xz %.1f s", b[1] - e[1], e[2] - b[1], c[1] - e[2] }')
    phase() { sed -n "s/.*blob: $1 at \([0-9.]*\)s.*/\1/p" "$WORK/ours-blob.log" | tail -n1; }
    ours_phases=$(awk -v f="$(phase fetching)" -v a="$(phase activating)" -v b="$(phase building)" -v p="$(phase packing)" -v d="$(phase done)" \
        'BEGIN { printf "fetch+extract %.1f s, activate %.1f s, container %.1f s, pack %.1f s", a - f, b - a, p - b, d - p }')
    pt=$(ls "$WORK/pp-blob/cache/packages/blob/"*.tar.xz); ot=$(ls "$WORK/ours-blob/cache/packages/blob/"*.tar.xz)
    ps=$(stat -c %s "$pt"); os=$(stat -c %s "$ot")
    raw=$(du -cb $files | tail -1 | cut -f1)
    # The same content as pkgpanda's tarball, single-stream `xz -6` of a plain tar (the issue's baseline).
    mkdir -p "$WORK/x"; tar -C "$WORK/x" -xJf "$pt"
    xz6=$(tar -C "$WORK/x" -c . | xz -6 -T1 | wc -c)
    printf '\none package of real binaries (%s, %s MB), url_extract from 127.0.0.1, cold build:\n' \
        "$(for f in $files; do basename "$f"; done | tr '\n' ' ' | sed 's/ $//')" "$(calc "$raw / 1000000")"
    printf '  pkgpanda %6.2f s, CPU %6.2f s (%s), tarball %s B\n' "$pp_blob_t" "$ppb_cpu" "$pp_phases" "$ps"
    printf '  ours     %6.2f s, CPU %6.2f s (%s), tarball %s B\n' "$ours_blob_t" "$ob_cpu" "$ours_phases" "$os"
    printf '  time ours/pkgpanda %.2f (CPU %.2f); size ours/pkgpanda %.4f; tar | xz -6 -T1 of the same files %s B (ours/that %.4f); ids %s\n' \
        "$(calc "$ours_blob_t / $pp_blob_t")" "$(calc "$ob_cpu / $ppb_cpu")" "$(calc "$os / $ps")" "$xz6" "$(calc "$os / $xz6")" \
        "$([ "$(basename "$pt")" = "$(basename "$ot")" ] && echo equal || echo differ)"
fi
# --- a real compile: SQLite from its autoconf tarball, and a C program using it, in a local image with cc -------------
if [ -n "${CC_IMAGE:-}" ]; then
    docker image inspect "$CC_IMAGE" >/dev/null 2>&1 || fail "CC_IMAGE $CC_IMAGE is not on the engine (this script never pulls)"
    docker run --rm --network none "$CC_IMAGE" sh -c 'command -v cc && command -v make' >/dev/null || fail "CC_IMAGE $CC_IMAGE has no cc or make"
    serve
    tarball=${COMPILE_TARBALL:-}
    if [ -z "$tarball" ]; then   # the npm package sqlite3 ships SQLite's autoconf tarball in deps/
        mkdir -p "$WORK/npm"
        (cd "$WORK/npm" && npm pack --silent "${COMPILE_NPM:-sqlite3@6.0.1}" >/dev/null 2>"$WORK/npm.log") || { cat "$WORK/npm.log"; fail "npm pack ${COMPILE_NPM:-sqlite3@6.0.1} failed"; }
        tar -C "$WORK/npm" -xzf "$WORK/npm/"*.tgz --wildcards 'package/deps/sqlite-autoconf-*.tar.gz'
        tarball=$(ls "$WORK/npm/package/deps/"sqlite-autoconf-*.tar.gz)
    fi
    cp "$tarball" "$WORK/www/"; tname=$(basename "$tarball"); sha=$(sha1sum "$tarball" | cut -d' ' -f1)
    for t in pp-cc ours-cc; do
        mkdir -p "$WORK/$t/sqlite" "$WORK/$t/sqlite-user"; echo '{}' >"$WORK/$t/treeinfo.json"
        printf '{"docker": "%s", "single_source": {"kind": "url_extract", "url": "http://127.0.0.1:%s/%s", "sha1": "%s"}}\n' \
            "$CC_IMAGE" "$port" "$tname" "$sha" >"$WORK/$t/sqlite/buildinfo.json"
        printf '#!/bin/sh\nset -e\ncd /pkg/src/sqlite\n./configure --prefix="$PKG_PATH" >/dev/null\nmake -j"$NUM_CORES" >/dev/null\nmake install >/dev/null\n' >"$WORK/$t/sqlite/build"
        printf '{"docker": "%s", "requires": ["sqlite"]}\n' "$CC_IMAGE" >"$WORK/$t/sqlite-user/buildinfo.json"
        cat >"$WORK/$t/sqlite-user/build" <<'SH'
#!/bin/sh
set -e
mkdir -p "$PKG_PATH/bin" /tmp/u
cat >/tmp/u/main.c <<'C'
#include <stdio.h>
#include <sqlite3.h>
static int row(void *u, int n, char **v, char **c) { (void)u; (void)n; (void)c; printf("%s\n", v[0]); return 0; }
int main(void) {
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    return sqlite3_exec(db, "select 'sqlite ' || sqlite_version() || ', ' || (6 * 7)", row, 0, 0) != SQLITE_OK;
}
C
cc -O2 -I/opt/mesosphere/include -o "$PKG_PATH/bin/sqlite-user" /tmp/u/main.c -L/opt/mesosphere/lib -lsqlite3
LD_LIBRARY_PATH=/opt/mesosphere/lib "$PKG_PATH/bin/sqlite-user"
SH
        chmod +x "$WORK/$t/sqlite/build" "$WORK/$t/sqlite-user/build"
    done
    timed ppcc pp_run "$WORK/pp-cc" "$WORK/pp-cc.log"; pp_cc_t=$ppcc_wall
    timed occ ours "$WORK/ours-cc" "$WORK/ours-cc.log"; ours_cc_t=$occ_wall
    grep -q 'sqlite 3.*, 42' "$WORK/pp-cc.log" || { tail -20 "$WORK/pp-cc.log"; fail "pkgpanda's sqlite-user did not run"; }
    grep -q 'sqlite 3.*, 42' "$WORK/ours-cc.log" || { tail -20 "$WORK/ours-cc.log"; fail "our sqlite-user did not run"; }
    printf '\nreal compile in %s: %s (./configure, make -j, make install) and a C program linked against it, cold:\n' "$CC_IMAGE" "$tname"
    printf '  pkgpanda %.2f s, ours %.2f s (ours/pkgpanda %.2f; host CPU outside the containers %.2f s vs %.2f s; %s)\n' \
        "$pp_cc_t" "$ours_cc_t" "$(calc "$ours_cc_t / $pp_cc_t")" "$ppcc_cpu" "$occ_cpu" \
        "$(grep -o 'sqlite 3[0-9.]*, 42' "$WORK/ours-cc.log" | head -1)"
    for name in sqlite sqlite-user; do
        pt=$(ls "$WORK/pp-cc/cache/packages/$name/"*.tar.xz); ot=$(ls "$WORK/ours-cc/cache/packages/$name/"*.tar.xz)
        ps=$(stat -c %s "$pt"); os=$(stat -c %s "$ot")
        rm -rf "$WORK/x"; mkdir -p "$WORK/x"; tar -C "$WORK/x" -xJf "$pt"; xz6=$(tar -C "$WORK/x" -c . | xz -6 -T1 | wc -c)
        printf '  %-12s tarball pkgpanda %9s B, ours %9s B (ours/pkgpanda %.4f), tar | xz -6 -T1 %9s B (ours/that %.4f); ids %s\n' \
            "$name" "$ps" "$os" "$(calc "$os / $ps")" "$xz6" "$(calc "$os / $xz6")" \
            "$([ "$(basename "$pt")" = "$(basename "$ot")" ] && echo equal || echo differ)"
    done
fi
echo "load $(load) at the end; $(( $(date +%s) - STARTED )) s in all"
