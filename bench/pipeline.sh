#!/bin/sh
# The whole pipeline against its parts (issue 10): upload -> MP3 ready through an in-process gateway +
# converter (embedded store, in-process queue) versus a plain upload of the same multipart bytes to a sink
# on 127.0.0.1 plus the ffmpeg CLI on the same input with the worker's options, alternately, medians.
# The input (a 720p MP4, 5 min of audio by default) is generated once into bench/.cache. A few minutes.
#
#   bench/pipeline.sh [runs=5] [seconds=300]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
exec "$root/bench/run-java.sh" dev.mp3conv.bench.PipelineBench "$root/bench/.cache" "${1:-5}" "${2:-300}"
