#!/usr/bin/env bash
# Builds the pmtud container image (issue 14) from Debian packages and the self-contained
# distribution, with no container registry involved: mmdebstrap unpacks the few Debian packages
# pmtud needs into a root file system, the distribution goes on top, and buildah builds the
# Dockerfile (FROM scratch + those two layers) with normalised timestamps.
#
#   scripts/make-image.sh [--dist DIR] [--out DIR] [--tag NAME] [--lock MODE] [--no-commit] [--no-archive]
#     --dist DIR      the distribution (default dist/pmtud, what `make dist` writes)
#     --out DIR       where the layers, the build context and the OCI archive go (default dist/image)
#     --tag NAME      the local image name (default localhost/pmtud:<version>, also :latest)
#     --lock MODE     strict (default): exactly the packages of the lock file, or stop;
#                     fallback (make test): when the lock is stale (a pinned version gone from the
#                     mirror, or the dependency set changed), warn loudly and build from the suite's
#                     current versions instead; when the mirror cannot be reached, exit 75 (the
#                     caller skips the image check, loudly)
#                     update: resolve the newest package versions of the suite and rewrite the lock
#     --update-lock   the same as --lock update
#     --no-commit     only make the build context (rootfs.tar, pmtud.tar, Dockerfile): for
#                     `docker build dist/image`
#     --no-archive    no OCI archive (make test's image check does not need one)
#   Environment: SOURCE_DATE_EPOCH (default: the last commit's time), DEBIAN_MIRROR,
#   DEBIAN_SECURITY_MIRROR (e.g. a snapshot.debian.org URL where it is reachable), BUILDAH
#   (default buildah), BUILDAH_OPTS (default --storage-driver vfs).
#
# What pins the result (same inputs -> same image ID and manifest digest; docs/image.md):
#   deploy/image/debian.lock   suite and every package=version unpacked (refused when the mirror
#                              no longer serves one: update the lock or point at a snapshot)
#   the distribution           its files as they are (make dist)
#   Dockerfile                 the image configuration
#   SOURCE_DATE_EPOCH          every file time and the image's creation time
#   the buildah version        it writes the layer tars (recorded in the output)
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
DIST="$ROOT/dist/pmtud"
OUT="$ROOT/dist/image"
TAG=""
LOCK_MODE=strict
COMMIT=1
ARCHIVE=1
while [ $# -gt 0 ]; do
  case $1 in
    --dist) DIST=${2:?--dist needs a directory}; shift 2 ;;
    --dist=*) DIST=${1#*=}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --tag) TAG=${2:?--tag needs a name}; shift 2 ;;
    --tag=*) TAG=${1#*=}; shift ;;
    --lock) LOCK_MODE=${2:?--lock needs strict, fallback or update}; shift 2 ;;
    --lock=*) LOCK_MODE=${1#*=}; shift ;;
    --update-lock) LOCK_MODE=update; shift ;;
    --no-commit) COMMIT=0; shift ;;
    --no-archive) ARCHIVE=0; shift ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    *) echo "make-image: unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done

log() { printf 'make-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
case $LOCK_MODE in strict|fallback|update) ;; *) die "--lock is '$LOCK_MODE'; allowed: strict, fallback, update" ;; esac

LOCK="$ROOT/deploy/image/debian.lock"
HOOK="$ROOT/deploy/image/rootfs-hook.sh"
[ -x "$DIST/runtime/bin/java" ] || die "$DIST is not a distribution (no runtime/bin/java); run make dist first"
[ "$(id -u)" -eq 0 ] || die "mmdebstrap --mode=root and buildah's vfs storage need root; run as root (or with sudo)"
tools=(mmdebstrap dpkg-deb)
[ "$COMMIT" = 1 ] && tools+=("${BUILDAH:-buildah}")
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool is missing; make image installs it (apt-get install buildah mmdebstrap)"
done
case $(uname -m) in
  x86_64) DEB_ARCH=amd64 ;;
  aarch64) DEB_ARCH=arm64 ;;
  *) die "no Debian architecture known for $(uname -m)" ;;
esac

# ---- inputs ----
SUITE=$(sed -n 's/^# suite: *//p' "$LOCK")
[ -n "$SUITE" ] || die "$LOCK has no '# suite: NAME' line"
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
# What the image needs; everything else in the lock is their dependencies.
NEEDS=(libc6 libstdc++6 libgcc-s1 zlib1g libpcap0.8 iptables netbase)
CURRENT=$(IFS=,; echo "${NEEDS[*]}")
if [ "$LOCK_MODE" = update ]; then
  INCLUDE=$CURRENT
else
  INCLUDE=$(grep -v '^#' "$LOCK" | grep . | paste -sd,)
  [ -n "$INCLUDE" ] || die "$LOCK lists no packages; run scripts/make-image.sh --update-lock"
fi
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(cd "$ROOT" && git log -1 --format=%ct 2>/dev/null) || die "set SOURCE_DATE_EPOCH (no git history here)"
fi
export SOURCE_DATE_EPOCH
VERSION=$("$DIST/runtime/bin/java" -cp "$DIST/lib/*" dev.pmtud.app.Main --version 2>/dev/null | sed -n 's/^pmtud //p')
[ -n "$VERSION" ] || die "cannot read the version of $DIST"
TAG=${TAG:-localhost/pmtud:$VERSION}

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pmtud-image.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- layer 1: the Debian root file system ----
# unpack INCLUDE: 0 done; 1 a pinned version is gone from the mirror; 2 the mirror cannot be
# reached; 3 anything else (the log says)
unpack() {
  rm -rf "$WORK/rootfs" "$WORK/manifest"
  if mmdebstrap --variant=extract --mode=root --architectures="$DEB_ARCH" --include="$1" \
      --extract-hook="\"$HOOK\" manifest \"\$1\" \"$WORK/manifest\"" --format=directory "$SUITE" "$WORK/rootfs" \
      "deb $MIRROR $SUITE main" "deb $MIRROR $SUITE-updates main" "deb $SECURITY $SUITE-security main" \
      >"$WORK/mmdebstrap.log" 2>&1; then
    return 0
  fi
  if grep -q "Version '.*' for '.*' was not found" "$WORK/mmdebstrap.log"; then return 1; fi
  if grep -Eq "Failed to fetch|Could not resolve|Temporary failure resolving|Could not connect|Unable to connect" "$WORK/mmdebstrap.log"; then
    return 2
  fi
  return 3
}
# A stale lock in fallback mode: said loudly, at once and again at the end.
STALE=""
stale() {
  STALE=$1
  { echo "make-image: ======================================================================"
    echo "make-image: WARNING: $(basename "$LOCK") is stale: $STALE."
    echo "make-image: WARNING: building from $SUITE's CURRENT packages instead: this image tests the code,"
    echo "make-image: WARNING: but it is not the reproducible one the lock describes (dist/image/packages.txt lists"
    echo "make-image: WARNING: what went in). Refresh the lock: sudo make image IMAGE_LOCK=update, review the"
    echo "make-image: WARNING: diff of deploy/image/debian.lock, commit it (docs/image.md)."
    echo "make-image: ======================================================================"; } >&2
}
unreachable() {
  tail -n 5 "$WORK/mmdebstrap.log" >&2
  if [ "$LOCK_MODE" = fallback ]; then
    log "cannot reach the Debian mirror ($MIRROR, $SECURITY): no image can be built here now (exit 75: make test skips the image check, loudly)"
    exit 75
  fi
  die "cannot reach the Debian mirror ($MIRROR, $SECURITY); check the network, or set DEBIAN_MIRROR/DEBIAN_SECURITY_MIRROR"
}

log "root file system: $SUITE ($DEB_ARCH) from $MIRROR, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH"
status=0
unpack "$INCLUDE" || status=$?
if [ "$status" = 1 ]; then
  gone=$(grep -o "Version '[^']*' for '[^']*' was not found" "$WORK/mmdebstrap.log" | sed "s/Version '\(.*\)' for '\(.*\)' was not found/\2=\1/" | paste -sd' ')
  if [ "$LOCK_MODE" != fallback ]; then
    tail -n 20 "$WORK/mmdebstrap.log" >&2
    die "a version pinned in $LOCK is no longer served by $MIRROR ($gone); refresh the lock (sudo make image IMAGE_LOCK=update, then review and commit it) or set DEBIAN_MIRROR/DEBIAN_SECURITY_MIRROR to a snapshot that has it"
  fi
  stale "the mirror no longer serves $gone"
  status=0
  unpack "$CURRENT" || status=$?
fi
case $status in
  0) ;;
  2) unreachable ;;
  *) tail -n 20 "$WORK/mmdebstrap.log" >&2; die "mmdebstrap failed (log above)" ;;
esac
if [ "$LOCK_MODE" = update ]; then
  { printf '# Debian packages of the pmtud image, every one pinned (sudo make image IMAGE_LOCK=update rewrites it).\n'
    printf '# Wanted: %s; the rest are their dependencies.\n' "${NEEDS[*]}"
    printf '# suite: %s\n' "$SUITE"
    cat "$WORK/manifest"; } >"$LOCK"
  log "wrote $LOCK ($(grep -vc '^#' "$LOCK") packages)"
elif ! diff -u <(grep -v '^#' "$LOCK" | grep . | LC_ALL=C sort) "$WORK/manifest" >"$WORK/lock.diff"; then
  cat "$WORK/lock.diff" >&2
  if [ "$LOCK_MODE" != fallback ]; then
    die "the packages unpacked differ from $LOCK (diff above): a dependency changed; refresh the lock (sudo make image IMAGE_LOCK=update)"
  fi
  [ -n "$STALE" ] || stale "the packages unpacked differ from it (diff above: a dependency changed)"
fi
cp "$WORK/manifest" "$OUT/packages.txt"
"$HOOK" finish "$WORK/rootfs"

# Every layer tar is written the same way: sorted, root-owned as in the tree, one time for all.
reproducible_tar() { # DIR OUTPUT PATHS...
  local dir=$1 out=$2; shift 2
  tar -C "$dir" --sort=name --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" --clamp-mtime --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$out" "$@"
}
reproducible_tar "$WORK/rootfs" "$WORK/rootfs.tar" .

# ---- layer 2: the distribution in /opt/pmtud ----
# Without bin/pmtud (a bash script: the image has no shell). conf/jvm.options becomes the java
# @argfile of the ENTRYPOINT. (The distribution has no class-data sharing archives: JDK 17 would
# write them differently on every run, and -Xshare:off needs less memory; docs/image.md.)
stage="$WORK/stage"
mkdir -p "$stage/opt"
cp -a "$DIST" "$stage/opt/pmtud"
rm -f "$stage/opt/pmtud/bin/pmtud"
rmdir "$stage/opt/pmtud/bin" 2>/dev/null || true
{ printf '# The JVM options of the image: conf/jvm.options (scripts/make-image.sh made this file).\n'
  printf '# Add options at run time with JDK_JAVA_OPTIONS.\n'
  sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$DIST/conf/jvm.options" | grep .
  printf '%s\n' -Dpmtud.home=/opt/pmtud '-cp /opt/pmtud/lib/*'; } >"$stage/opt/pmtud/conf/java.args"
chmod -R u=rwX,go=rX "$stage/opt"
chown -R 0:0 "$stage/opt"
reproducible_tar "$stage" "$WORK/pmtud.tar" opt

# ---- the build context ----
install -m 0644 "$WORK/rootfs.tar" "$OUT/rootfs.tar"
install -m 0644 "$WORK/pmtud.tar" "$OUT/pmtud.tar"
install -m 0644 "$ROOT/Dockerfile" "$OUT/Dockerfile"
if [ "$COMMIT" = 0 ]; then
  log "build context in $OUT (docker build -t pmtud $OUT)"
  exit 0
fi

# ---- the image ----
BUILDAH=${BUILDAH:-buildah}
read -r -a BOPTS <<<"${BUILDAH_OPTS:---storage-driver vfs}"
# The image this tag named before, removed once replaced (vfs keeps full copies of every layer).
previous=$("$BUILDAH" "${BOPTS[@]}" images --quiet --no-trunc "$TAG" 2>/dev/null | sed -n 1p || true)
log "buildah build ($($BUILDAH --version))"
"$BUILDAH" "${BOPTS[@]}" build --quiet --timestamp "$SOURCE_DATE_EPOCH" --identity-label=false --pull=never \
  --layers=false -f "$OUT/Dockerfile" -t "$TAG" -t "${TAG%:*}:latest" "$OUT" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; die "buildah build failed"; }
id=$("$BUILDAH" "${BOPTS[@]}" inspect --type image --format '{{.FromImageID}}' "$TAG")
digest=$("$BUILDAH" "${BOPTS[@]}" inspect --type image --format '{{.FromImageDigest}}' "$TAG")
if [ -n "$previous" ] && [ "${previous#sha256:}" != "$id" ]; then
  "$BUILDAH" "${BOPTS[@]}" rmi "$previous" >/dev/null 2>&1 || log "note: could not remove the replaced image $previous (in use?)"
fi
archive="$OUT/pmtud-$VERSION-oci.tar"
rm -f "$archive"
if [ "$ARCHIVE" = 1 ]; then
  "$BUILDAH" "${BOPTS[@]}" push --quiet "$TAG" "oci-archive:$archive:pmtud:$VERSION" >/dev/null
  archived="$archive ($(du -h --apparent-size "$archive" | cut -f1), compressed layers)"
else
  archived="none (--no-archive)"
fi
size=$("$BUILDAH" "${BOPTS[@]}" images --format '{{.Size}}' "$TAG" | sed -n 1p)
if [ -n "$STALE" ]; then
  packages="STALE LOCK ($STALE): the suite's current packages, see packages.txt"
else
  packages="$(basename "$LOCK") sha256:$(sha256sum "$LOCK" | cut -c1-64)"
fi
{ echo "image        $TAG"
  echo "image id     sha256:$id"
  echo "digest       $digest"
  echo "size         $size (uncompressed layers: rootfs $(du -h --apparent-size "$OUT/rootfs.tar" | cut -f1), pmtud $(du -h --apparent-size "$OUT/pmtud.tar" | cut -f1))"
  echo "oci archive  $archived"
  echo "inputs       $packages, SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH, $($BUILDAH --version)"; } | tee "$OUT/image.txt"
[ -z "$STALE" ] || stale "$STALE"
# For scripts (check-image.sh): shell assignments.
printf 'IMAGE=%q\nIMAGE_ID=%q\nIMAGE_DIGEST=%q\n' "$TAG" "sha256:$id" "$digest" >"$OUT/image.env"
