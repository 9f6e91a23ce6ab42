#!/bin/sh
# Converter scale-out (issue 10): jobs/min of a fixed batch with two converters (concurrency 1 each)
# against one, sharing the RabbitMQ on 127.0.0.1:5672 (queues unique to the run, deleted after) and one
# store; rounds alternate, medians. Other engineers share the broker: run it under their lock,
#   flock /tmp/mp3conv-rabbit.lock bench/scaling.sh
#
#   bench/scaling.sh [jobs=8] [seconds of audio=60] [rounds=3]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
exec "$root/bench/run-java.sh" dev.mp3conv.bench.ScalingBench "$root/bench/.cache" "${1:-8}" "${2:-60}" "${3:-3}"
