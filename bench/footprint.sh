#!/bin/sh
# Resident memory after six conversions (issue 19 point 4): the launcher's memory defaults against the
# JVM's ergonomics, for the embedded all-in-one server and for a converter-only process (RabbitMQ on
# 127.0.0.1:5672 and an in-process MongoDB-wire store), alternated, medians. See FootprintBench.
#
#   bench/footprint.sh [rounds]      (default 2)
#
# For looking into a run: FOOTPRINT_ONLY=all-in-one|converter, FOOTPRINT_EXTRA_OPTS="-XX:NativeMemoryTracking=summary"
# (added to both modes' JAVA_OPTS), FOOTPRINT_HOLD=seconds (each process stays that long after its figures,
# for jcmd PID VM.native_memory summary and /proc/PID/smaps).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[1-9]* 2>/dev/null | head -n 1)
fi
export JAVA_HOME
./mvnw -q -DskipTests package >&2
./mvnw -q -pl server -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="$root/server/target/test-classes:$root/server/target/classes:$root/shared-model/target/classes:$(cat server/target/bench.classpath)"
# the cluster harness starts server/target/mp3conv-server relative to the server module
cd server
exec "$JAVA_HOME/bin/java" -Dio.netty.noUnsafe=true -cp "$cp" dev.mp3conv.server.cluster.FootprintBench "$@"
