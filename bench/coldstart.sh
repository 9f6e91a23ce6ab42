#!/bin/bash
# Cold starts (issue 19 point 6), measured side by side in one run, alternating, medians:
#  1. `mp3conv status` against a running server, with the build's AOT cache and without it
#     (JAVA_OPTS=-XX:AOTMode=off), against a trivial Java program's start on the same JDK;
#  2. the first upload to a freshly started server against a warm one (the 6th), with and without
#     the server's AOT cache, each on a fresh data directory.
# Wall time and CPU time (user+sys) are both printed: this machine is shared, and CPU time is the
# steadier of the two under load.
#
#   bench/coldstart.sh [rounds]      (default 7)
set -euo pipefail
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
rounds=${1:-7}
if [ -z "${JAVA_HOME:-}" ]; then JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* | head -n 1); fi
export JAVA_HOME
[ -x server/target/mp3conv-server ] && [ -x cli/target/mp3conv ] || ./mvnw -q -DskipTests package
for f in server/target/mp3conv-server.aot cli/target/mp3conv.aot; do
    [ -r "$f" ] || { echo "no $f: the build needs JDK 25+ for the AOT cache" >&2; exit 1; }
done
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=25380; admin=25381   # below the ephemeral range (FINDINGS: ports)

# seconds of wall and cpu of one command: "wall cpu"
measure() {
    /usr/bin/time -o "$work/time.txt" -f "%e %U %S" "$@" >/dev/null 2>&1 || true
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$work/time.txt"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

start_server() { # data dir, extra JAVA_OPTS
    SERVER_PORT=$port ADMIN_PORT=$admin SERVER_HOST=127.0.0.1 MP3CONV_DATA_DIR=$1 JAVA_OPTS="${2:-}" \
        server/target/mp3conv-server >"$1.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 600); do
        curl -fs "http://127.0.0.1:$admin/observe/health/ready" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "server did not become ready; log: $1.log" >&2; exit 1
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }

mkdir -p "$work/hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hi"); } }\n' > "$work/Hello.java"
"$JAVA_HOME/bin/javac" -d "$work/hello" "$work/Hello.java"
ffmpeg -loglevel error -f lavfi -i sine=duration=3 -ac 1 "$work/tone.wav"

echo "== 1. mp3conv status, $rounds rounds"
start_server "$work/data-cli"
export MP3CONV_CONFIG_DIR="$work/cli-config" MP3CONV_SERVER="http://127.0.0.1:$port"
echo "bench-password-1" | cli/target/mp3conv register --email bench@example.org --password-stdin >/dev/null
echo "bench-password-1" | cli/target/mp3conv login --email bench@example.org --password-stdin >/dev/null
cli/target/mp3conv upload "$work/tone.wav" --wait -o "$work" >/dev/null 2>&1
: > "$work/hello.txt"; : > "$work/aot.txt"; : > "$work/noaot.txt"
for r in $(seq 1 "$rounds"); do
    measure "$JAVA_HOME/bin/java" -cp "$work/hello" Hello >> "$work/hello.txt"
    measure cli/target/mp3conv status >> "$work/aot.txt"
    JAVA_OPTS=-XX:AOTMode=off measure cli/target/mp3conv status >> "$work/noaot.txt"
done
stop_server
for kind in hello aot noaot; do
    eval "${kind}_wall=$(cut -d' ' -f1 "$work/$kind.txt" | median)"
    eval "${kind}_cpu=$(cut -d' ' -f2 "$work/$kind.txt" | median)"
done
printf 'trivial java: wall %.3f s, cpu %.3f s\n' "$hello_wall" "$hello_cpu"
printf 'status with AOT cache: wall %.3f s, cpu %.3f s; without: wall %.3f s, cpu %.3f s\n' \
    "$aot_wall" "$aot_cpu" "$noaot_wall" "$noaot_cpu"
awk -v a="$aot_wall" -v n="$noaot_wall" -v h="$hello_wall" -v ac="$aot_cpu" -v nc="$noaot_cpu" -v hc="$hello_cpu" \
    'BEGIN {printf "RESULT status/trivial-java wall %.1fx (goal <= 10), without AOT %.1fx; cpu %.1fx, without AOT %.1fx\n", a/h, n/h, ac/hc, nc/hc}'

echo "== 2. first upload to a fresh server against a warm one, $rounds rounds"
upload_once() { # prints seconds of one multipart upload until its 202
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $1" -F "file=@$work/tone.wav" \
        "http://127.0.0.1:$port/api/v1/jobs"
}
: > "$work/first-aot.txt"; : > "$work/first-noaot.txt"
for r in $(seq 1 "$rounds"); do
    for mode in aot noaot; do
        opts=""; [ "$mode" = noaot ] && opts="-XX:AOTMode=off"
        data="$work/data-$mode-$r"
        start_server "$data" "$opts"
        curl -fs -o /dev/null -H 'Content-Type: application/json' \
            -d '{"email":"b@example.org","password":"bench-password-1"}' "http://127.0.0.1:$port/api/v1/users"
        token=$(curl -fs -H 'Content-Type: application/json' -d '{"email":"b@example.org","password":"bench-password-1"}' \
            "http://127.0.0.1:$port/api/v1/auth/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
        first=$(upload_once "$token")
        for _ in 1 2 3 4; do upload_once "$token" >/dev/null; done
        warm=$(upload_once "$token")
        echo "$first $warm" >> "$work/first-$mode.txt"
        stop_server
        rm -rf "$data"
    done
done
for mode in aot noaot; do
    eval "${mode}_ratio=$(awk '{print $1/$2}' "$work/first-$mode.txt" | median)"
    eval "${mode}_first=$(cut -d' ' -f1 "$work/first-$mode.txt" | median)"
    eval "${mode}_warm=$(cut -d' ' -f2 "$work/first-$mode.txt" | median)"
done
printf 'first upload with AOT cache %.3f s, warm %.3f s; without: first %.3f s, warm %.3f s\n' \
    "$aot_first" "$aot_warm" "$noaot_first" "$noaot_warm"
printf 'RESULT first/warm upload %.1fx (goal <= 3), without AOT %.1fx (medians of per-round ratios)\n' "$aot_ratio" "$noaot_ratio"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
