#!/bin/sh
# Converter speed: the worker against the plain ffmpeg CLI (same binary, 192k CBR) on a 10-minute
# 720p MP4, alternately, and MP3 stream copy against re-encode. Inputs are generated once into
# bench/.cache (git-ignored). Takes a few minutes.
#
#   bench/convert.sh [runs] [ffmpeg path or "bundled"]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
exec "$root/bench/run-java.sh" dev.mp3conv.bench.ConvertBench "$root/bench/.cache" "${1:-3}" "${2:-}"
