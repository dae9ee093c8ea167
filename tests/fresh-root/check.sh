#!/usr/bin/env bash
# Proves that ./build.sh sets a fresh machine up by itself: runs "./build.sh build" in a Debian 12 minbase root
# that has only what a newcomer's machine has (the .NET SDK, git, ca-certificates, libicu72, libssl3, the host's
# apt sources and CA certificates). Prints "fresh-root: passed" or "fresh-root: FAILED ..." and exits 0 or 1.
#
# The pristine root is made once with debootstrap and kept under $CACHE; every run starts from it afresh through an
# overlay (its writes go to a temporary upper layer), so no run sees what an earlier one installed. Everything runs
# in a private mount namespace, so the overlay and its mounts vanish with it; processes the build started inside
# (PostgreSQL) are stopped by their ids before it ends. A download cache of .deb files is kept beside the root: it
# saves time, and apt still installs each package the build asks for.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${CPE_FRESH_ROOT_CACHE:-/var/cache/cpe-fresh-root}
SUITE=bookworm
INCLUDE=ca-certificates,git,libicu72,libssl3
PRISTINE=$CACHE/$SUITE-minbase
LOG=${CPE_FRESH_ROOT_LOG:-$REPO/out/fresh-root.log}

fail() { echo "fresh-root: FAILED: $*"; exit 1; }

make_pristine() {
  [ -f "$PRISTINE/.complete" ] && return
  command -v debootstrap >/dev/null 2>&1 || fail "debootstrap is not installed (build.sh setup installs it)"
  local mirror
  mirror=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\/\?\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 || true)
  echo "fresh-root: making a $SUITE minbase root in $PRISTINE (once)"
  rm -rf "$PRISTINE"; mkdir -p "$PRISTINE"
  debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$PRISTINE" "${mirror:-http://deb.debian.org/debian}" >>"$LOG" 2>&1 ||
    { rm -rf "$PRISTINE"; fail "debootstrap failed (see $LOG)"; }
  touch "$PRISTINE/.complete"
}

# Runs inside the private mount namespace: everything mounted here goes when it ends.
inside_namespace() {
  local work; work=$(mktemp -d /tmp/cpe-fresh-root.XXXXXX)
  local root=$work/root
  mkdir -p "$root" "$work/upper" "$work/work" "$CACHE/apt-archives/partial"
  mount --make-rprivate /
  mount -t overlay overlay -o "lowerdir=$PRISTINE,upperdir=$work/upper,workdir=$work/work" "$root"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  mount -t tmpfs tmpfs "$root/run"
  mount -t tmpfs tmpfs "$root/tmp"
  # What a newcomer's machine has: the SDK, the machine's apt sources and CA certificates, its name resolution.
  local sdk; sdk=$(dirname "$(readlink -f "$(command -v dotnet)")")
  mkdir -p "$root$sdk"; mount --bind -o ro "$sdk" "$root$sdk"
  ln -sf "$sdk/dotnet" "$root/usr/bin/dotnet"
  rm -f "$root/etc/apt/sources.list"   # debootstrap's own: the machine's sources replace it
  cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
  if [ -f /etc/apt/sources.list ]; then cp /etc/apt/sources.list "$root/etc/apt/"; fi
  cp -a /etc/apt/apt.conf.d/. "$root/etc/apt/apt.conf.d/"
  rm -f "$root/etc/apt/apt.conf.d/docker-clean"   # keep downloaded .debs in the cache below
  cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount --bind "$CACHE/apt-archives" "$root/var/cache/apt/archives"
  chroot "$root" update-ca-certificates >>"$LOG" 2>&1 || true
  # The sources as a clean clone would have them: tracked files and new ones git does not ignore, nothing built.
  mkdir -p "$root/src"
  git -C "$REPO" ls-files -z --cached --others --exclude-standard | (cd "$REPO" && tar --null -T - -cf -) | tar -xf - -C "$root/src"

  local status=0
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    bash -c 'cd /src && ./build.sh build' >>"$LOG" 2>&1 || status=$?

  # Daemons the build started inside (PostgreSQL) hold the root: stop them by their ids.
  local pids=()
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && pids+=("${p#/proc/}")
  done
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true; sleep 2; kill -9 "${pids[@]}" 2>/dev/null || true
  fi
  umount -R "$root" 2>/dev/null || umount -lR "$root"
  rm -rf "$work"
  return $status
}

main() {
  mkdir -p "$(dirname "$LOG")" "$CACHE"; : >"$LOG"
  make_pristine
  local started=$SECONDS status=0
  unshare --mount --propagation private -- "$0" --inside || status=$?
  local took=$((SECONDS - started))
  if ((status == 0)); then
    echo "fresh-root: passed (./build.sh build on a fresh $SUITE minbase root in ${took} s)"
  else
    echo "fresh-root: FAILED: ./build.sh build exited with $status on a fresh $SUITE root after ${took} s; its last lines:"
    tail -25 "$LOG" | sed 's/^/  /'
    exit 1
  fi
}

if [ "${1:-}" = "--inside" ]; then inside_namespace; else main; fi
