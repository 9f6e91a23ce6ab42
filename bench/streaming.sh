#!/bin/sh
# Converting while the upload arrives (issue 24): the time from an upload's last byte to its MP3, on a server
# that converts streamable uploads as they arrive (UPLOAD_STREAM=true) against one that converts every upload
# after it (UPLOAD_STREAM=false, as before), side by side, alternated, medians. Each upload goes through the
# CLI (`mp3conv upload --limit-rate`, tus) or, with the client `multipart`, through curl's multipart POST to
# /api/v1/jobs (`curl --limit-rate -F file=@…`), at a rate below the conversion speed, so the streaming
# conversion keeps up with the bytes. Files (10 minutes each, generated once into bench/.cache): a Matroska video, a
# faststart MP4 (index first), and the same MP4 with its index at the end, which both servers convert after
# the upload (it must be no slower on the streaming server).
#
# "Last byte" and "MP3 ready" are the server's own times: a job's created_at is when its upload's last byte
# was stored, its updated_at when it became DONE (the MP3 durable).
#
#   bench/streaming.sh [rounds] [rate] [client]   # defaults: 3 rounds, 400k (bytes/s, as curl's --limit-rate), tus
#
# Ports 23101/23102 (API) and 23111/23112 (admin), or PORT_BASE+101/102 and +111/112 with PORT_BASE set. Run it
# without nice; it prints uptime before and after.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
rounds=${1:-3}
rate=${2:-400k}
client=${3:-tus}
case "$client" in tus|multipart) ;; *) echo "client: tus or multipart" >&2; exit 2 ;; esac
base=${PORT_BASE:-23000}
api_s=$((base + 101)); api_a=$((base + 102)); admin_s=$((base + 111)); admin_a=$((base + 112))
cache="$root/bench/.cache/streaming"
work=$(mktemp -d "${TMPDIR:-/tmp}/mp3conv-streaming.XXXXXX")
mkdir -p "$cache"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[1-9]* 2>/dev/null | head -n 1)
fi
export JAVA_HOME

server="$root/server/target/mp3conv-server"
cli="$root/cli/target/mp3conv"
if [ ! -x "$server" ] || [ ! -x "$cli" ]; then
    (cd "$root" && nice -n 15 ./mvnw -q -pl server,cli -am -DskipTests -Dlauncher.aot-training.skip=true package >&2)
fi

make() { # name, extra ffmpeg options...
    out="$cache/$1"
    shift
    if [ ! -s "$out" ]; then
        ffmpeg -v error -nostdin -y -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=600" \
            -f lavfi -i "testsrc=size=320x240:rate=10:duration=600" -ac 2 -c:v libx264 -preset ultrafast \
            -b:v 64k -c:a aac -b:a 96k -shortest "$@" "$out"
    fi
}
make talk.mkv
make faststart.mp4 -movflags +faststart
make moov-at-end.mp4

pids=""
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null || true; done
    for pid in $pids; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

password="bench-password-$$"
start() { # name, api port, admin port, UPLOAD_STREAM
    mkdir -p "$work/$1"
    env APP_ROLES=auth,gateway,converter,notifier MP3CONV_DATA_DIR="$work/$1/data" SERVER_HOST=127.0.0.1 \
        SERVER_PORT="$2" ADMIN_PORT="$3" PUBLIC_URL="http://127.0.0.1:$2" MONGODB_URI= AMQP_URI= \
        CONVERTER_CONCURRENCY=2 UPLOAD_STREAM="$4" MP3CONV_ADMIN_EMAIL=bench@example.test \
        MP3CONV_ADMIN_PASSWORD="$password" "$server" >"$work/$1/server.log" 2>&1 &
    pids="$pids $!"
}
start streaming "$api_s" "$admin_s" true
start after "$api_a" "$admin_a" false
for port in "$admin_s" "$admin_a"; do
    i=0
    until curl -fs "http://127.0.0.1:$port/observe/health/ready" >/dev/null 2>&1; do
        i=$((i + 1)); [ "$i" -lt 600 ] || { echo "server on admin port $port not ready" >&2; exit 1; }
        sleep 0.2
    done
done
for name in streaming after; do
    port=$([ "$name" = streaming ] && echo "$api_s" || echo "$api_a")
    printf '%s\n' "$password" | MP3CONV_CONFIG_DIR="$work/$name/cli" "$cli" --server "http://127.0.0.1:$port" \
        login --email bench@example.test --password-stdin >/dev/null
    curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"bench@example.test\",\"password\":\"$password\"}" \
        "http://127.0.0.1:$port/api/v1/auth/token" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])' >"$work/$name/token"
done

# one upload through the CLI; prints "<ready - last byte in s> <upload s> <mode>"
run() { # server name, port, file
    dir="$work/$1/cli"
    t0=$(date +%s.%N)
    if [ "$client" = tus ]; then
        id=$(MP3CONV_CONFIG_DIR="$dir" "$cli" --server "http://127.0.0.1:$2" upload "$cache/$3" --limit-rate "$rate" \
            2>/dev/null | tail -n 1)
    else
        id=$(curl -fs --limit-rate "$rate" -H "Authorization: Bearer $(cat "$work/$1/token")" \
            -F "file=@$cache/$3" "http://127.0.0.1:$2/api/v1/jobs" \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    fi
    t1=$(date +%s.%N)
    while :; do
        job=$(MP3CONV_CONFIG_DIR="$dir" "$cli" --server "http://127.0.0.1:$2" --json status "$id")
        state=$(printf '%s' "$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
        case "$state" in DONE|FAILED) break ;; esac
        sleep 0.2
    done
    [ "$state" = DONE ] || { echo "job $id on $1: $state: $job" >&2; exit 1; }
    printf '%s' "$job" | python3 -c '
import json, sys
from datetime import datetime
j = json.load(sys.stdin)
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
s = j.get("streaming") or {}
print("%.3f %.1f %s" % (t(j["updated_at"]) - t(j["created_at"]), float(sys.argv[1]) - float(sys.argv[2]),
                         s.get("mode", "-")))' "$t1" "$t0"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "before: $(uptime)"
for f in talk.mkv faststart.mp4 moov-at-end.mp4; do
    echo "$f: $(stat -c %s "$cache/$f") bytes at --limit-rate $rate through $client"
done
: >"$work/results"
r=1
while [ "$r" -le "$rounds" ]; do
    for f in talk.mkv faststart.mp4 moov-at-end.mp4; do
        # alternate which server goes first
        if [ $((r % 2)) -eq 1 ]; then order="streaming after"; else order="after streaming"; fi
        for name in $order; do
            port=$([ "$name" = streaming ] && echo "$api_s" || echo "$api_a")
            line=$(run "$name" "$port" "$f")
            echo "round $r $f $name: ready-last-byte/upload/mode $line"
            echo "$f $name $line" >>"$work/results"
        done
    done
    r=$((r + 1))
done
echo "after: $(uptime)"
for f in talk.mkv faststart.mp4 moov-at-end.mp4; do
    s=$(awk -v f="$f" '$1 == f && $2 == "streaming" {print $3}' "$work/results" | median)
    a=$(awk -v f="$f" '$1 == f && $2 == "after" {print $3}' "$work/results" | median)
    mode=$(awk -v f="$f" '$1 == f && $2 == "streaming" {print $5}' "$work/results" | sort -u | tr '\n' ' ')
    awk -v f="$f" -v s="$s" -v a="$a" -v m="$mode" 'BEGIN {
        printf "%s: MP3 ready - last byte, median: streaming server %.3f s (%s), after-upload server %.3f s, ratio %.3f\n",
            f, s, m, a, (a > 0 ? s / a : 0) }'
done
