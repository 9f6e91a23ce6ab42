#!/usr/bin/env bash
# Builds the server image on a machine without any container registry: installs podman, runc and
# debootstrap if missing, makes the local base images server/Dockerfile needs (cached: made once),
# builds the jars on the host and then localhost/mp3conv-server:dev, and prints the image name as
# its last line.
#
#   server/container/build-local.sh [--skip-jars]
#
#   --skip-jars   use server/target as a previous Maven build left it (CI has just run verify)
#
# Environment: MP3CONV_IMAGE (image to build, default localhost/mp3conv-server:dev),
# MP3CONV_DEBIAN_MIRROR (default: the mirror of this machine's apt sources),
# JDK_HOME (JDK 21+ whose runtime jlink links from; default: the build's JAVA_HOME or Temurin 25).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

skip_jars=false
for arg in "$@"; do
    case "$arg" in
        --skip-jars) skip_jars=true ;;
        *) die "unknown argument: $arg (usage: build-local.sh [--skip-jars])" ;;
    esac
done

problem=$(container_support_problem)
[ -z "$problem" ] || die "podman cannot run here: $problem"

BASE_IMAGE=localhost/debian:bookworm-slim
SUITE=bookworm

ensure_commands podman=podman runc=runc debootstrap=debootstrap
use_containers_conf
cd "$MP3CONV_ROOT"
mkdir -p server/target/container
build_log=$MP3CONV_ROOT/server/target/container/build.log

pick_jdk() {
    local candidate
    for candidate in "${JDK_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-2[1-9]*; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/jlink" ] \
            && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
            echo "$candidate"; return 0
        fi
    done
    return 1
}
JDK=$(pick_jdk) || die "no JDK 21+ with jlink found (set JDK_HOME)"
# named after the JDK's directory, so another JDK gets its own image
JDK_IMAGE="localhost/jdk:$(basename -- "$JDK")"

# --- base images, each made once and kept ---

# Debian bookworm, minimal, trimmed as the official slim image is.
if ! podman image exists "$BASE_IMAGE"; then
    mirror=$(debian_mirror)
    log "making $BASE_IMAGE with debootstrap from $mirror"
    phase=$SECONDS
    rootfs=$(mktemp -d /var/tmp/mp3conv-rootfs.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" > "$build_log" 2>&1 \
        || { tail -n 20 "$build_log" "$rootfs/debootstrap/debootstrap.log" >&2 || true; die "debootstrap failed"; }
    cat > "$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
    find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    rm -rf "$rootfs"/usr/share/{man,info,locale,lintian}/* "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/var/log/* "$rootfs"/tmp/*
    tar --numeric-owner -C "$rootfs" -c . | podman import --quiet --change 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
    log "made $BASE_IMAGE in $(( SECONDS - phase ))s"
fi

# The host's JDK on that base: the stage that runs jlink (this JDK has no jmods; jlink links from
# its runtime image). Symlinks are followed (Debian points lib/security/cacerts into /etc/ssl).
if ! podman image exists "$JDK_IMAGE"; then
    log "making $JDK_IMAGE from $JDK"
    phase=$SECONDS
    ctr=$(podman create --pull=never "$BASE_IMAGE" true)
    trap 'podman rm -f "$ctr" >/dev/null' EXIT
    tar -C "$JDK" -ch --transform 's,^\.,opt/java/openjdk,' . | podman cp - "$ctr:/"
    podman commit --quiet \
        --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        "$ctr" "$JDK_IMAGE" >/dev/null
    podman rm -f "$ctr" >/dev/null
    trap - EXIT
    log "made $JDK_IMAGE in $(( SECONDS - phase ))s"
fi

# --- the jars, built on the host ---
if ! $skip_jars; then
    log "building the server jars (./mvnw -pl server -am -DskipTests package)"
    phase=$SECONDS
    JAVA_HOME=$JDK ./mvnw -B -q -pl server -am -DskipTests package
    log "built the jars in $(( SECONDS - phase ))s"
fi
for f in server/target/mp3conv-server.jar server/target/mp3conv-server server/target/lib; do
    [ -e "$f" ] || die "$f is missing: build the server first (without --skip-jars)"
done

# The Dockerfile's module list must cover what jdeps finds, or the image fails at run time.
dockerfile_modules=$(sed -n 's/^ARG JAVA_MODULES=//p' server/Dockerfile | tr ',' '\n' | sort)
classpath=$(find server/target/lib -name '*.jar' ! -name 'jave-nativebin-*' | sort | tr '\n' ':')
jdeps_modules=$("$JDK/bin/jdeps" --ignore-missing-deps --multi-release 21 --print-module-deps \
    --class-path "$classpath" server/target/mp3conv-server.jar | tail -n 1 | tr ',' '\n' | sort)
unlisted=$(comm -23 <(echo "$jdeps_modules") <(echo "$dockerfile_modules"))
[ -z "$unlisted" ] || die "server/Dockerfile's JAVA_MODULES lacks modules jdeps finds: $(echo "$unlisted" | tr '\n' ' ')"

# --- the image ---
old_id=$(podman image inspect --format '{{.Id}}' "$MP3CONV_IMAGE" 2>/dev/null || true)
log "building $MP3CONV_IMAGE"
phase=$SECONDS
podman build --pull=never --network host \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "JDK_IMAGE=$JDK_IMAGE" \
    -f server/Dockerfile -t "$MP3CONV_IMAGE" . > "$build_log" 2>&1 \
    || { tail -n 40 "$build_log" >&2; die "podman build failed (whole log: $build_log)"; }

# Disk: the image this build replaced, and images left untagged by earlier builds (not the layers
# this build just cached).
new_id=$(podman image inspect --format '{{.Id}}' "$MP3CONV_IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    podman rmi "$old_id" >/dev/null 2>&1 || true
fi
podman image prune --force --filter until=1h >/dev/null

log "built $MP3CONV_IMAGE in $(( SECONDS - phase ))s ($(podman image inspect --format '{{.Size}}' "$MP3CONV_IMAGE" \
    | awk '{ printf "%.0f MB", $1 / 1e6 }')); $SECONDS s in all"
echo "$MP3CONV_IMAGE"
