#!/usr/bin/env bash
# TLS engine benchmark (issue 11): what client-certificate TLS costs a build on a remote engine. One engine that shares
# no files with this machine (dockerd in its own mount, network and pid namespaces, as the tests' ExtraEngine) listens
# with --tlsverify on tcp://127.0.0.1:2376 inside its namespace. The host reaches it two ways over the same relays
# (socat in the namespace onto a socket under /run, socat on the host onto a 127.0.0.1 port): TLS end to end, and the
# engine's plain unix socket relayed the same way (the baseline: same hops, no TLS). A wide tree of N packages whose
# scripts do almost nothing (so the API traffic per package dominates) is built cold R times over each, alternating.
# Prints the median makespans and their ratio. Needs root, socat, openssl. Usage: benchmarks/tls.sh [N=16] [R=3]
set -euo pipefail
N=${1:-16}; R=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
IMAGE=dcos/dcos-builder:dcos-builder_dockerdir-latest
NAME=pkgpanda-bench-tls-$$
DATA=/var/lib/$NAME RUN=/run/$NAME
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done   # --kill-child takes dockerd and its namespace
    wait 2>/dev/null || true
    rm -rf "$WORK" "$DATA" "$RUN"
}
trap cleanup EXIT

# A CA, the engine's certificate for 127.0.0.1 and a client certificate, in the docker CLI's file names.
certs() {
    local d=$RUN/tls c=$WORK/client ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
    mkdir -p "$d" "$c"
    openssl req -x509 "${ec[@]}" -keyout "$WORK/ca-key.pem" -out "$d/ca.pem" -days 2 -subj /CN=bench-ca 2>/dev/null
    openssl req "${ec[@]}" -keyout "$d/server-key.pem" -out "$WORK/server.csr" -subj /CN=bench-engine 2>/dev/null
    openssl x509 -req -in "$WORK/server.csr" -CA "$d/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 2 -out "$d/server-cert.pem" \
        -extfile <(printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') 2>/dev/null
    openssl req "${ec[@]}" -keyout "$c/key.pem" -out "$WORK/client.csr" -subj /CN=bench-client 2>/dev/null
    openssl x509 -req -in "$WORK/client.csr" -CA "$d/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 2 -out "$c/cert.pem" \
        -extfile <(printf 'extendedKeyUsage=clientAuth\n') 2>/dev/null
    cp "$d/ca.pem" "$c/ca.pem"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }

mkdir -p "$DATA" "$RUN"
certs
unshare -m -n -p --fork --mount-proc --kill-child=SIGKILL sh -c "
    set -e; mount --make-rprivate /
    mount -t tmpfs tmpfs /tmp; mount -t tmpfs tmpfs '$(dirname "$ROOT")'
    [ -d /run/containerd ] && mount -t tmpfs tmpfs /run/containerd
    ip link set lo up
    socat UNIX-LISTEN:'$RUN/tls-relay.sock',fork TCP:127.0.0.1:2376 &
    socat UNIX-LISTEN:'$RUN/plain-relay.sock',fork UNIX-CONNECT:'$RUN/docker.sock' &
    exec dockerd --data-root '$DATA' --exec-root '$RUN/exec' --pidfile '$RUN/docker.pid' -H 'unix://$RUN/docker.sock' \
        --tlsverify --tlscacert '$RUN/tls/ca.pem' --tlscert '$RUN/tls/server-cert.pem' --tlskey '$RUN/tls/server-key.pem' -H tcp://127.0.0.1:2376 \
        --bridge none --iptables=false --ip-masq=false >'$RUN/dockerd.log' 2>&1" </dev/null >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do docker -H "unix://$RUN/docker.sock" info >/dev/null 2>&1 && break; sleep 0.2; done
docker -H "unix://$RUN/docker.sock" info >/dev/null
TLS_PORT=$(free_port); socat TCP-LISTEN:"$TLS_PORT",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$RUN/tls-relay.sock" & PIDS+=($!)
PLAIN_PORT=$(free_port); socat TCP-LISTEN:"$PLAIN_PORT",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$RUN/plain-relay.sock" & PIDS+=($!)
TLS=tcp://127.0.0.1:$TLS_PORT PLAIN=tcp://127.0.0.1:$PLAIN_PORT
sleep 0.5
docker --tlsverify --tlscacert "$WORK/client/ca.pem" --tlscert "$WORK/client/cert.pem" --tlskey "$WORK/client/key.pem" -H "$TLS" info >/dev/null
docker -H "$PLAIN" info >/dev/null

make_tree() {
    for ((i = 0; i < N; i++)); do
        mkdir -p "$1/w$i"
        echo '{}' > "$1/w$i/buildinfo.json"
        printf '#!/bin/sh\nset -e\nmkdir -p "$PKG_PATH/lib"\necho "$PKG_ID" > "$PKG_PATH/lib/$PKG_NAME.id"\n' > "$1/w$i/build"
        chmod +x "$1/w$i/build"
    done
}
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
run() { env -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_HOST "$ROOT/build.sh" "$@" >"$WORK/last.log" 2>&1 || { cat "$WORK/last.log"; exit 1; }; }

"$ROOT/build.sh" --target Setup >/dev/null   # the main engine holds the builder image; build.sh is compiled
docker save "$IMAGE" | docker -H "unix://$RUN/docker.sock" load -q >/dev/null
make_tree "$WORK/warm"; run --target Build --packages-dir "$WORK/warm" --docker-host "$TLS" --docker-cert-path "$WORK/client"
plain=() tls=()
for ((r = 0; r < R; r++)); do
    make_tree "$WORK/p$r"; make_tree "$WORK/t$r"
    t0=$(now); run --target Build --packages-dir "$WORK/p$r" --docker-host "$PLAIN"; plain+=("$(calc "$(now) - $t0")")
    t0=$(now); run --target Build --packages-dir "$WORK/t$r" --docker-host "$TLS" --docker-cert-path "$WORK/client"; tls+=("$(calc "$(now) - $t0")")
done
cmp <(cd "$WORK/p0/cache/packages" && find . -name '*.tar.xz' | sort | xargs sha256sum) \
    <(cd "$WORK/t0/cache/packages" && find . -name '*.tar.xz' | sort | xargs sha256sum) >/dev/null && same=yes || same=NO
mp=$(printf '%s\n' "${plain[@]}" | median); mt=$(printf '%s\n' "${tls[@]}" | median)
echo "tls: $N packages, $R cold builds each, engine reports $(docker -H "unix://$RUN/docker.sock" info --format '{{.NCPU}}') CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "plain HTTP over the relays: ${plain[*]} s (median $mp s)"
echo "TLS with client certificate: ${tls[*]} s (median $mt s)"
echo "TLS / plain:                 $(calc "$mt / $mp")x; tarballs identical: $same"
