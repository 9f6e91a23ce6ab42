#!/bin/sh
# One local token verification vs one HTTP POST /validate round trip to the same in-process server,
# side by side (alternating batches, medians). Loopback only; about 10-30 s.
#
#   bench/auth-verify.sh [rounds] [batch]
set -eu
exec "$(dirname -- "$0")/run-java.sh" dev.mp3conv.bench.AuthVerifyBench "$@"
