#!/usr/bin/env bash
# make check-image (issue 14): the image `make image` built, run by podman in a network namespace of
# the end-to-end rig with only NET_ADMIN and NET_RAW, fixing the ECMP black hole for IPv4 and IPv6,
# then `podman stop` (SIGTERM): exit 0, rules gone. That is dev.pmtud.it.ImageE2eTest, run from the
# built test classpath (no Maven build when pmtud-it's test classes are current).
#
#   scripts/check-image.sh [IMAGE]      default: the image make image built (dist/image/image.env)
#   Environment: PODMAN_OPTS (default "--storage-driver vfs --runtime runc": the storage make image
#   used; crun 1.8 refuses hosts with a cgroup v1/v2 hybrid, this VM kind, where runc works), MVN.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"
log() { printf 'check-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, podman with vfs storage)"
if [ $# -gt 0 ]; then
  IMAGE=$1
else
  [ -f dist/image/image.env ] || die "no image given and no dist/image/image.env; run make image first"
  # shellcheck disable=SC1091  # written by make-image.sh
  . dist/image/image.env
fi
PODMAN_OPTS=${PODMAN_OPTS:---storage-driver vfs --runtime runc}
# shellcheck disable=SC2086  # PODMAN_OPTS is a word list on purpose
podman $PODMAN_OPTS image exists "$IMAGE" || die "podman ($PODMAN_OPTS) has no image $IMAGE; run make image"

# Current when no source is newer than the class path file (what `make test` leaves) or than the
# stamp of the last build made here (Maven does not rewrite an unchanged class path file).
cpfile=pmtud-it/target/test-classpath.txt
stamp=pmtud-it/target/.check-image-built
newer_than() { [ -e "$1" ] && [ -n "$(find . -path ./.git -prune -o -name 'target*' -prune -o -path ./dist -prune -o \
      \( -name pom.xml -o -path '*/src/*' \) -type f -newer "$1" -print -quit)" ]; }
if [ ! -f "$cpfile" ] || { newer_than "$cpfile" && { [ ! -e "$stamp" ] || newer_than "$stamp"; }; }; then
  log "building pmtud-it's test classes (mvn package, tests not run)"
  ${MVN:-mvn} -B -q -pl pmtud-it -am package -DskipTests
  touch "$stamp"
fi

start=$(date +%s)
java -Dpmtud.image="$IMAGE" -Dpmtud.podman="$PODMAN_OPTS" \
  -cp "pmtud-it/target/test-classes:$(cat "$cpfile")" dev.pmtud.it.RunTests dev.pmtud.it.ImageE2eTest
log "passed in $(( $(date +%s) - start )) s ($IMAGE)"
