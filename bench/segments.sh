#!/bin/sh
# Segment-parallel conversion of a long video (issue 18), two harnesses, each side by side with the
# ffmpeg CLI on the same file and bitrate (192k), alternating, medians:
#   1. SegmentBench: the default all-in-one server (embedded store, in-process queue, converter
#      concurrency = cores; two untimed warm-up conversions first), upload -> DONE / CLI; goal <= 0.55 on 2 cores. Also the CPU-bound ceiling the
#      machine allows at that moment: the encode cut in one CLI run per core, all at once.
#   2. SegmentClusterBench: the packaged launcher as processes on RabbitMQ (ProcessCluster), clusters of
#      1, 2 and 4 converter processes with one slot each, against one converter and against that measured
#      ceiling. Run it under `flock /tmp/mp3conv-rabbit.lock` on a shared broker.
# The input (20 min by default; small H.264 picture, AAC of chirps, tones and noise) is generated once into
# bench/.cache. About 15 minutes on 2 cores.
#
#   bench/segments.sh [runs=5] [seconds=1200] [cluster-rounds=3]
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[1-9]* 2>/dev/null | head -n 1)
fi
export JAVA_HOME
# the cluster harness starts the packaged launcher (server/target/mp3conv-server)
./mvnw -q -pl server -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cd server
cp="target/test-classes:target/classes:../shared-model/target/classes:$(cat target/bench.classpath)"
"$JAVA_HOME/bin/java" -Dio.netty.noUnsafe=true ${JAVA_OPTS:-} -cp "$cp" dev.mp3conv.bench.SegmentBench \
    "$root/bench/.cache" "${1:-5}" "${2:-1200}"
"$JAVA_HOME/bin/java" -Dio.netty.noUnsafe=true ${JAVA_OPTS:-} -cp "$cp" dev.mp3conv.server.cluster.SegmentClusterBench \
    "$root/bench/.cache" "${3:-3}" "${2:-1200}"
