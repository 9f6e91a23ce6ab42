#!/bin/sh
# GridFS uploads at once into a gateway at the launcher's default heap (its memory options from
# server/pom.xml plus -XX:+ExitOnOutOfMemoryError, as the chart runs it), in its own JVM; the store is
# mongo-java-server's memory backend in the harness JVM. Multipart, then tus; per batch: the uploads that
# succeeded, whether the gateway survived, its peak live heap above the post-GC baseline, and per upload.
#
#   bench/concurrent-uploads.sh [MiB per upload] [counts, e.g. 1,4,8] [tus PATCH MiB]
#
# -Dbench.server.jvm="..." in JAVA_OPTS replaces the server JVM's options (e.g. -Xmx256m).
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
JAVA_OPTS="${JAVA_OPTS:--Xmx5g} -Djava.util.logging.config.file=/dev/null" \
    exec "$here/run-java.sh" dev.mp3conv.bench.ConcurrentUploadBench "${1:-64}" "${2:-1,4,8}" "${3:-32}"
