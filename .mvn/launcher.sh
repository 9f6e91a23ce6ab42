#!/bin/sh
# @NAME@ launcher, written by the build next to @JAR@ and its lib/ folder.
# Finds a Java @JAVA_MIN@+ runtime: $JAVA_HOME, then `java` on PATH, then the JDKs
# under /usr/lib/jvm (newest first). JAVA_OPTS is passed through to the JVM.
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)

# The major version from the runtime's `release` file, so no JVM starts just to say its version
# (that alone cost a whole JVM start per command); `java -version` only for a runtime without one.
java_major() {
    real=$(readlink -f -- "$1" 2>/dev/null || printf '%s' "$1")
    release="$(dirname -- "$(dirname -- "$real")")/release"
    if [ -r "$release" ]; then
        major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1)
        if [ -n "$major" ]; then
            echo "$major"
            return 0
        fi
    fi
    "$1" -version 2>&1 | sed -n 's/.* version "\([0-9]*\)[.\"].*/\1/p' | head -n 1
}

# The whole JAVA_VERSION of the runtime's `release` file (e.g. 21.0.5), empty without one.
java_release_version() {
    real=$(readlink -f -- "$1" 2>/dev/null || printf '%s' "$1")
    release="$(dirname -- "$(dirname -- "$real")")/release"
    if [ -r "$release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$release" | head -n 1
    fi
}

usable() {
    [ -x "$1" ] || return 1
    major=$(java_major "$1")
    [ -n "$major" ] && [ "$major" -ge @JAVA_MIN@ ]
}

find_java() {
    if [ -n "${JAVA_HOME:-}" ] && usable "$JAVA_HOME/bin/java"; then
        echo "$JAVA_HOME/bin/java"; return 0
    fi
    if command -v java >/dev/null 2>&1 && usable "$(command -v java)"; then
        command -v java; return 0
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/bin/java 2>/dev/null | sort -r); do
        if usable "$candidate"; then echo "$candidate"; return 0; fi
    done
    return 1
}

if ! java=$(find_java); then
    echo "@NAME@: needs Java @JAVA_MIN@ or newer; none found in JAVA_HOME, on PATH or under /usr/lib/jvm. Install a JDK @JAVA_MIN@+ and set JAVA_HOME." >&2
    exit 1
fi

# glibc gives each thread that allocates its own malloc arena (64 MiB reserved, some resident); two
# are plenty for a JVM whose threads are mostly virtual
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export MALLOC_ARENA_MAX

# A converter-only process (APP_ROLES=converter, as the chart's converter pods run) gets the build's
# converter options and cache when it has them: a smaller heap, and a cache of a converter's classes
# alone (every class of a cache is loaded at start). Other roles, or roles set another way, get the
# defaults; either cache serves any role, only start-up and memory differ.
roles=$(printf '%s' "${APP_ROLES:-}" | tr -d ' \t' | tr 'A-Z' 'a-z')
memory="@MEMORY_OPTS@"
aot="$here/@NAME@.aot"
if [ "$roles" = converter ]; then
    if [ -n "@CONVERTER_MEMORY_OPTS@" ]; then
        # the heap: 24 MiB up to two conversions at once, 8 MiB more for each further one (each running
        # conversion streams its MP3 into the store through a chunk buffer the heap's budget must hold);
        # the slots as the server counts them (CONVERTER_CONCURRENCY, else the processors)
        slots=${CONVERTER_CONCURRENCY:-$(nproc 2>/dev/null || echo 2)}
        case "$slots" in
            '' | *[!0-9]*) slots=2 ;;
        esac
        if [ "${#slots}" -gt 3 ] || [ "$slots" -gt 64 ]; then
            slots=64
        fi
        heap=$((8 + 8 * slots))
        if [ "$heap" -lt 24 ]; then
            heap=24
        fi
        memory="@CONVERTER_MEMORY_OPTS@ -Xmx${heap}m"
        # glibc: blocks of 128 KiB and more (the JIT's large arenas, NIO's temporary copies of big
        # buffers) mapped and unmapped on their own, so they go back to the system when freed; the
        # default threshold grows with use and leaves them in the heap until a trim (bench/README.md:
        # resident size at the end of a burst of conversions swings by 10 MiB with such transients)
        MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-131072}
        MALLOC_TRIM_THRESHOLD_=${MALLOC_TRIM_THRESHOLD_:-131072}
        export MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_
    fi
    if [ -r "$here/@NAME@-converter.aot" ]; then
        aot="$here/@NAME@-converter.aot"
    fi
fi

# -XX:TrimNativeHeapInterval came with JDK 21.0.1 (and 22): a 21.0.0 runtime (its release file says
# JAVA_VERSION="21" or "21.0.0") refuses to start with an option it does not know, so it goes without
case "$(java_release_version "$java")" in
    21 | 21.0 | 21.0.0) memory=$(printf '%s' "$memory" | sed 's/ *-XX:TrimNativeHeapInterval=[0-9]*//') ;;
esac

# The build's heap and collector defaults step aside when JAVA_OPTS sizes the heap (a container that
# gives the JVM a share of its memory limit, an operator who knows better).
case " ${JAVA_OPTS:-} " in
    *" -Xmx"* | *"MaxRAMPercentage="* | *"-XX:MaxRAM="*) memory="" ;;
esac

# JDK 25+ maps the ahead-of-time cache the build trained next to the jar (classes loaded and linked
# in a training run); a JVM that cannot use it (another JDK build, a moved jar) runs without it,
# silently. JAVA_OPTS comes last, so -XX:AOTMode=off there turns it off.
# JAVA_OPTS is split on whitespace on purpose, as every JVM launcher does.
if [ -r "$aot" ] && [ "$(java_major "$java")" -ge 25 ]; then
    # shellcheck disable=SC2086
    exec "$java" $memory @JAVA_OPTS@ "-XX:AOTCache=$aot" "-Xlog:aot*=off" "-Xlog:cds*=off" ${JAVA_OPTS:-} -jar "$here/@JAR@" "$@"
fi
# shellcheck disable=SC2086
exec "$java" $memory @JAVA_OPTS@ ${JAVA_OPTS:-} -jar "$here/@JAR@" "$@"
