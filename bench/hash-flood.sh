#!/bin/sh
# Admin health latency (p50/p95/max of /observe/health, probed every 100 ms) while clients register and
# log in as fast as they can: the argon2id pool as configured by default vs the pool off, alternating
# phases in one run. Loopback only; about (2 x seconds + 10) x rounds seconds.
#
#   bench/hash-flood.sh [clients] [seconds] [rounds]
set -eu
exec "$(dirname -- "$0")/run-java.sh" dev.mp3conv.bench.HashFloodBench "$@"
