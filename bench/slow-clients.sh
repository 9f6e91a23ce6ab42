#!/bin/sh
# Slow-header clients (slowloris) against a whole server in its own -Xmx256m JVM: the API's latency
# before, during and after, the server's threads, heap and resident memory, and how the flood ended
# (cut by the header timeout). The clients stop after [seconds] whatever happens. Loopback only; the
# shell's open-file limit must allow [clients] + a few hundred descriptors (ulimit -n).
#
#   bench/slow-clients.sh [clients=10000] [seconds=75] [max-connections=server default] [header-timeout=30s]
set -eu
exec "$(dirname -- "$0")/run-java.sh" dev.mp3conv.bench.SlowClientsBench "$@"
