#!/usr/bin/env bash
# Smoke test of the server image: runs it as the chart's pods do (read-only root filesystem, /data
# and /tmp writable tmpfs, no capabilities, no privilege escalation; host networking on loopback
# ports below 32768), waits for health on the admin port, registers a user, uploads a generated
# video, waits for DONE, downloads and probes the MP3, checks that the server does not run as root,
# then stops and removes the container.
#
#   server/container/smoke.sh [IMAGE]      (default: localhost/mp3conv-server:dev, as build-local.sh makes)
#
# Environment: MP3CONV_SMOKE_HTTP_PORT (default 18080), MP3CONV_SMOKE_ADMIN_PORT (default 19080).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

image=${1:-$MP3CONV_IMAGE}
http_port=${MP3CONV_SMOKE_HTTP_PORT:-18080}
admin_port=${MP3CONV_SMOKE_ADMIN_PORT:-19080}
expected_uid=10001
video_seconds=6

problem=$(container_support_problem)
[ -z "$problem" ] || die "podman cannot run here: $problem"
ensure_commands podman=podman runc=runc curl=curl jq=jq ffmpeg=ffmpeg ffprobe=ffmpeg
use_containers_conf
podman image exists "$image" || die "no image $image (run server/container/build-local.sh first)"

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$http_port" "$admin_port"; do
    ! port_taken "$port" || die "127.0.0.1:$port is already in use (set MP3CONV_SMOKE_HTTP_PORT / MP3CONV_SMOKE_ADMIN_PORT)"
done

started=$(date +%s)
work=$(mktemp -d)
name="mp3conv-smoke-$$"
cleanup() {
    local rc=$?
    if [ $rc -ne 0 ] && podman container exists "$name"; then
        log "server log (last 40 lines):"
        podman logs --tail 40 "$name" >&2 || true
    fi
    podman rm -f --time 5 "$name" >/dev/null 2>&1 || true
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

# The upload: a short video with a tone, made with the host's ffmpeg.
ffmpeg -loglevel error -f lavfi -i "testsrc=size=320x240:rate=25:duration=$video_seconds" \
    -f lavfi -i "sine=frequency=440:duration=$video_seconds" \
    -c:v libx264 -preset ultrafast -c:a aac -shortest -movflags +faststart "$work/smoke.mp4"

api="http://127.0.0.1:$http_port"
admin="http://127.0.0.1:$admin_port"
# Both sockets bind to loopback only: host networking would otherwise expose them on every interface.
# /data: a tmpfs owned by the image's user (U), as the chart's emptyDir with fsGroup is.
podman run --detach --pull=never --name "$name" --network host \
    --read-only --tmpfs /tmp:rw,size=256m,mode=1777 \
    --cap-drop ALL --security-opt no-new-privileges \
    --tmpfs /data:rw,size=512m,mode=0700,U \
    --memory 1g \
    -e SERVER_HOST=127.0.0.1 -e SERVER_PORT="$http_port" -e ADMIN_PORT="$admin_port" \
    -e PUBLIC_URL="$api" -e AUTH_OPEN_REGISTRATION=true \
    -e JAVA_OPTS="-XX:+ExitOnOutOfMemoryError -Dadmin.host=127.0.0.1" \
    "$image" >/dev/null

# Waits (up to $1 seconds) until the command after it succeeds; fails at once if the server exited.
await() {
    local seconds=$1; shift
    local deadline=$(( $(date +%s) + seconds ))
    until "$@"; do
        [ "$(podman inspect --format '{{.State.Running}}' "$name")" = true ] || die "the server exited"
        [ "$(date +%s)" -lt "$deadline" ] || die "timed out after ${seconds}s waiting for: $*"
        sleep 0.5
    done
}
healthy() { curl -fsS --max-time 2 "$admin/observe/health" 2>/dev/null | jq -e '.status == "UP"' >/dev/null; }
await 120 healthy
health_at=$(date +%s)
log "health UP after $(( health_at - started ))s"

email="smoke-$$-$RANDOM@example.org"
password="smoke-$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
credentials=$(jq -n --arg email "$email" --arg password "$password" '{email: $email, password: $password}')
status=$(curl -sS -o "$work/user.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$credentials" "$api/api/v1/users")
[ "$status" = 201 ] || die "register answered $status: $(cat "$work/user.json")"
token=$(curl -fsS -H 'Content-Type: application/json' -d "$credentials" "$api/api/v1/auth/token" | jq -er .access_token)
auth=(-H "Authorization: Bearer $token")

status=$(curl -sS -o "$work/job.json" -w '%{http_code}' "${auth[@]}" \
    -F "file=@$work/smoke.mp4;type=video/mp4" -F bitrate=128k "$api/api/v1/jobs")
[ "$status" = 202 ] || die "upload answered $status: $(cat "$work/job.json")"
job=$(jq -er .id "$work/job.json")
log "uploaded job $job"

job_state() { curl -fsS "${auth[@]}" "$api/api/v1/jobs/$job" > "$work/job.json" && jq -er .state "$work/job.json"; }
finished() { case "$(job_state)" in DONE | FAILED) return 0 ;; *) return 1 ;; esac; }
await 120 finished
[ "$(job_state)" = DONE ] || die "job $job ended $(jq -c '{state, error}' "$work/job.json")"
done_at=$(date +%s)

curl -fsS "${auth[@]}" -o "$work/out.mp3" "$api/api/v1/jobs/$job/mp3"
probe=$(ffprobe -v error -show_entries stream=codec_name:format=duration -of json "$work/out.mp3")
codec=$(jq -r '.streams[0].codec_name' <<< "$probe")
duration=$(jq -r '.format.duration' <<< "$probe")
[ "$codec" = mp3 ] || die "download is not MP3: $probe"
awk -v d="$duration" -v want="$video_seconds" 'BEGIN { exit !(d >= want - 0.2 && d <= want + 0.2) }' \
    || die "MP3 lasts ${duration}s, the video ${video_seconds}s"
log "MP3: codec $codec, ${duration}s, $(stat -c %s "$work/out.mp3") bytes"

# Every process of the container, as the host's kernel sees it: real, effective, saved and fs uid.
pids=$(podman top "$name" hpid | tail -n +2)
[ -n "$pids" ] || die "no processes listed for the container"
for pid in $pids; do
    uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
    [ "$uids" = "$expected_uid $expected_uid $expected_uid $expected_uid" ] \
        || die "process $pid ($(cat "/proc/$pid/comm")) runs with uids $uids, not $expected_uid"
done
log "container processes run as uid $expected_uid: $(for pid in $pids; do cat "/proc/$pid/comm"; done | tr '\n' ' ')"

podman stop --time 30 "$name" >/dev/null
log "stopped (exit code $(podman inspect --format '{{.State.ExitCode}}' "$name")); smoke test passed in $(( $(date +%s) - started ))s (health $(( health_at - started ))s, upload to DONE $(( done_at - health_at ))s)"
