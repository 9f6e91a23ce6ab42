#!/bin/sh
# Compiles the server with its test classes and runs a benchmark main class on the full test
# classpath. Benchmark harnesses live in server/src/test/java/dev/mp3conv/bench/ (named *Bench, so
# neither Surefire nor Failsafe runs them); each bench/*.sh script calls this one.
#
#   bench/run-java.sh dev.mp3conv.bench.SomeBench [args...]
#
# JAVA_OPTS is passed to the benchmark JVM (e.g. JAVA_OPTS=-Xmx256m).
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
cd "$root"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_HOME=$(ls -d /usr/lib/jvm/temurin-2[5-9]* /usr/lib/jvm/*-2[1-9]* 2>/dev/null | head -n 1)
fi
export JAVA_HOME
./mvnw -q -pl server -am -DskipTests test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >&2
cp="server/target/test-classes:server/target/classes:shared-model/target/classes:$(cat server/target/bench.classpath)"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" -Dio.netty.noUnsafe=true ${JAVA_OPTS:-} -cp "$cp" "$@"
