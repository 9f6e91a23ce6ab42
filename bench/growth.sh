#!/bin/sh
# Cost that grows with the data (issue 19 point 5): the packaged all-roles server with its launcher's
# defaults on a fresh data dir; jobs are inserted into its embedded store through the MongoDB driver,
# and at 1k, 10k, 30k jobs the jobs list (first page and the next) is timed and VmRSS/VmHWM read.
# See GrowthBench.
#
#   bench/growth.sh [levels] [requests]      (default 1000,10000,30000 and 50)
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[1-9]* 2>/dev/null | head -n 1)
fi
export JAVA_HOME
if [ -z "${SKIP_PACKAGE:-}" ]; then
    ./mvnw -q -DskipTests package >&2
fi
./mvnw -q -pl server -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="$root/server/target/test-classes:$root/server/target/classes:$root/shared-model/target/classes:$(cat server/target/bench.classpath)"
# the harness starts server/target/mp3conv-server relative to the server module
cd server
exec "$JAVA_HOME/bin/java" -Djdk.httpclient.allowRestrictedHeaders=connection -cp "$cp" dev.mp3conv.bench.GrowthBench "$@"
