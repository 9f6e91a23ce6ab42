#!/bin/sh
# Upload throughput and server heap (issue 4): a gateway started in its own JVM with -Xmx256m receives a
# generated multipart upload over 127.0.0.1; the same bytes are also written straight into the same
# BlobStore in the same run. Filesystem store with 2 GiB uploads, then GridFS on mongo-java-server's
# memory backend (in the harness JVM) with 256 MiB uploads (the memory backend keeps blobs on the heap).
#
#   bench/upload.sh [fs-MiB] [gridfs-MiB] [rounds]
#   bench/upload.sh tus [fs-MiB] [rounds]     the same through tus (/api/v1/uploads, 32 MiB PATCHes as the
#                                             CLI sends them; TUS_CHUNK_MIB to change) on the filesystem store
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
if [ "${1:-}" = tus ]; then
    JAVA_OPTS="${JAVA_OPTS:--Xmx3g} -Dtus.chunk.mib=${TUS_CHUNK_MIB:-32}" \
        exec "$here/run-java.sh" dev.mp3conv.bench.UploadBench tus-fs "${2:-2048}" "${3:-3}"
fi
fs_mib=${1:-2048}
gridfs_mib=${2:-256}
rounds=${3:-3}
JAVA_OPTS="${JAVA_OPTS:--Xmx3g}" "$here/run-java.sh" dev.mp3conv.bench.UploadBench fs "$fs_mib" "$rounds"
JAVA_OPTS="${JAVA_OPTS:--Xmx3g}" "$here/run-java.sh" dev.mp3conv.bench.UploadBench gridfs "$gridfs_mib" "$rounds"
