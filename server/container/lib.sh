# Shared by build-local.sh and smoke.sh (sourced, not run). Podman settings for machines like the
# project's CI: rootful podman, no container registry, no bridge networking, hybrid cgroups.
# shellcheck shell=bash

# Repository root (this file lives in server/container/).
MP3CONV_ROOT=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
# The image build-local.sh makes and smoke.sh runs.
MP3CONV_IMAGE=${MP3CONV_IMAGE:-localhost/mp3conv-server:dev}

log() { printf '%s: %s\n' "$(basename -- "$0")" "$*" >&2; }
die() { log "$*"; exit 1; }

# Podman reads this file instead of /etc/containers/containers.conf, so the machine's own
# configuration is left alone. An existing CONTAINERS_CONF wins.
#  - netns "host": every container and build step shares the host's network (no bridge is created);
#  - default_ulimits: podman's defaults raise nofile/nproc, which root without CAP_SYS_RESOURCE cannot;
#  - runc + cgroupfs: crun fails on hybrid (v1 + v2) cgroup hosts; cgroupfs needs no systemd;
#  - events to a file: no journald needed.
use_containers_conf() {
    if [ -n "${CONTAINERS_CONF:-}" ]; then
        return 0
    fi
    local dir="$MP3CONV_ROOT/server/target/container"
    mkdir -p "$dir"
    cat > "$dir/containers.conf" <<'CONF'
[containers]
netns = "host"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
CONF
    export CONTAINERS_CONF="$dir/containers.conf"
}

# Why podman cannot run on this machine at all (empty when it can). Rootful podman needs root;
# rootless podman would need user namespaces and /dev/fuse, which CI machines here do not offer.
container_support_problem() {
    if [ "$(id -u)" != 0 ]; then
        echo "not root (these scripts run rootful podman and install packages with apt-get)"
    elif ! command -v podman >/dev/null 2>&1 && ! command -v apt-get >/dev/null 2>&1; then
        echo "podman is not installed and there is no apt-get to install it"
    elif ! unshare --mount --pid --fork true 2>/dev/null; then
        echo "cannot create mount and PID namespaces (no CAP_SYS_ADMIN: a container without privileges?)"
    fi
}

# Installs the Debian packages given whose commands are missing (arguments: command=package ...).
ensure_commands() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The Debian mirror this machine's apt uses (first non-security "deb" source), so images are built
# from the same mirror without naming it here. MP3CONV_DEBIAN_MIRROR overrides it.
debian_mirror() {
    if [ -n "${MP3CONV_DEBIAN_MIRROR:-}" ]; then
        echo "$MP3CONV_DEBIAN_MIRROR"; return 0
    fi
    local uri
    uri=$(
        {
            # one-line style: deb [options] URI suite components
            cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
                | sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\)[[:space:]]\+\([^[:space:]]\+\).*/\2 \3/p'
            # deb822 style: stanzas with Types, URIs, Suites
            for f in /etc/apt/sources.list.d/*.sources; do
                [ -f "$f" ] || continue
                awk 'BEGIN { RS = ""; FS = "\n" }
                     { types = uris = suites = ""
                       for (i = 1; i <= NF; i++) {
                           if ($i ~ /^Types:/) types = $i
                           else if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
                           else if ($i ~ /^Suites:/) { suites = $i; sub(/^Suites:[ \t]*/, "", suites) }
                       }
                       if (types ~ /(^|[ \t])deb([ \t]|$)/) { split(uris, u, /[ \t]+/); split(suites, s, /[ \t]+/); print u[1], s[1] }
                     }' "$f"
            done
        } | awk '$2 !~ /-security$/ && $1 ~ /^https?:\/\// { print $1; exit }'
    )
    echo "${uri:-http://deb.debian.org/debian}"
}
