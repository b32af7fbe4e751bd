#!/usr/bin/env bash
# Builds tskube/base:bookworm from a Debian root filesystem (debootstrap --variant=minbase) and imports it
# into the local engine: no registry is needed (ARCHITECTURE.md section 6). Every other image is FROM it.
# Safe to run again: does nothing when the image exists, unless --force.
set -euo pipefail
IMAGE=${TSKUBE_BASE_IMAGE:-tskube/base:bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-bookworm}

if [[ "${1:-}" != "--force" ]] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "base image $IMAGE already present"
  exit 0
fi

work=$(mktemp -d /tmp/tskube-rootfs.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "debootstrap $SUITE (minbase) from $MIRROR ..."
debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  echo "debootstrap failed (is $MIRROR reachable?)" >&2
  exit 1
}

# Keep it small: what a container never needs. apt can fetch lists again in derived images.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/usr/share/common-licenses
# Never keep docs, man pages or locales when derived images install packages.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-tskube-nodoc" <<'CFG'
path-exclude=/usr/share/doc/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
CFG
cat >"$rootfs/etc/apt/apt.conf.d/01-tskube" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
CFG
echo "deb $MIRROR $SUITE main" >"$rootfs/etc/apt/sources.list"
: >"$rootfs/etc/hostname"
: >"$rootfs/etc/resolv.conf"

tar -C "$rootfs" -c . | docker import \
  -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
  -c 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null
echo "imported $IMAGE ($(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MiB", $1/1048576}'))"
