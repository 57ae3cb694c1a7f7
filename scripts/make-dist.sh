#!/usr/bin/env bash
# Builds the self-contained distribution (issue 7): a directory that runs on a Linux host with no
# Java installed, and a tarball of it.
#
#   scripts/make-dist.sh [--build-dir NAME] [--out DIR] [--compress LEVEL] [--rebuild] [--verify]
#     --build-dir NAME  Maven output directory name (-Dpmtud.build.dir), default: target (what
#                       `make build` uses); parallel builds in one tree use their own, e.g. target-dist
#     --out DIR         where pmtud/ and the tarball go, default: dist/ at the top of the tree
#     --compress LEVEL  jlink's --compress: default 0 (none: a bigger directory, but a smaller
#                       tarball and ~3 MiB less RSS, docs/deployment.md); 2 (zip-6 on JDK 21+) for
#                       the smallest directory
#     --rebuild         run Maven even when the reactor's jars look current
#     --verify          then run scripts/verify-dist.sh on the result
#     --for-image       only what the container image takes (make image): the directory, no
#                       tarball; use it with its own --out
#   Environment: MVN (mvn), MVN_FLAGS (-B; add -o to stay offline), JAVA_HOME (the JDK whose jlink
#   and jdeps are used; default: the one javac on PATH belongs to), EXTRA_MODULES (comma list added
#   to the computed modules).
#
# Result:
#   DIR/pmtud/bin/pmtud          the launcher: ../runtime/bin/java with conf/jvm.options
#   DIR/pmtud/runtime/           a jlink'd Java runtime with only the modules pmtud needs
#   DIR/pmtud/lib/               pmtud's jars and every runtime dependency
#   DIR/pmtud/plugins/           empty but for a README: third-party plugin jars go here
#   DIR/pmtud/conf/pmtud.yaml    a production-style example pipeline (nflog -> filters -> raw l3)
#   DIR/pmtud/conf/jvm.options   the JVM options, taken from the repository launcher (one source of truth)
#   DIR/pmtud/docs/              README.md and docs/*.md
#   DIR/pmtud-<version>-linux-<arch>.tar.gz
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
BUILD_DIR=target
OUT="$ROOT/dist"
REBUILD=0
VERIFY=0
FOR_IMAGE=0
COMPRESS=""
while [ $# -gt 0 ]; do
  case $1 in
    --build-dir) BUILD_DIR=${2:?--build-dir needs a name}; shift 2 ;;
    --build-dir=*) BUILD_DIR=${1#*=}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --compress) COMPRESS=${2:?--compress needs a level}; shift 2 ;;
    --compress=*) COMPRESS=${1#*=}; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --verify) VERIFY=1; shift ;;
    --for-image) FOR_IMAGE=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "make-dist: unknown argument '$1'; see --help" >&2; exit 2 ;;
  esac
done
case $BUILD_DIR in */*|""|.|..) echo "make-dist: --build-dir is a directory name like target-dist, not a path" >&2; exit 2 ;; esac
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

log() { printf 'make-dist: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- the JDK that links the runtime ----
if [ -n "${JAVA_HOME:-}" ]; then
  JDK=$JAVA_HOME
else
  javac_path=$(command -v javac) || die "no javac on PATH; install a JDK 17+ (apt-get install openjdk-17-jdk-headless) or set JAVA_HOME"
  JDK=$(dirname "$(dirname "$(readlink -f "$javac_path")")")
fi
for tool in java jlink jdeps; do
  [ -x "$JDK/bin/$tool" ] || die "$JDK/bin/$tool is missing; JAVA_HOME must be a full JDK (with jlink and jdeps)"
done
[ -d "$JDK/jmods" ] || die "$JDK/jmods is missing; jlink needs the JDK's jmods (Debian: apt-get install openjdk-17-jdk-headless)"
JDK_FEATURE=$("$JDK/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ "${JDK_FEATURE:-0}" -ge 17 ] 2>/dev/null || die "$JDK is Java ${JDK_FEATURE:-?}; pmtud needs 17 or newer"

# ---- build the reactor when needed ----
LIB="$ROOT/pmtud-app/$BUILD_DIR/dist/lib"
app_jar() { compgen -G "$LIB/pmtud-app-*.jar" | head -n1; }
# Current when no build input is newer than the app jar or than the stamp of the last build made
# here (Maven leaves an unchanged jar alone, so after a pom-only change the jar stays older).
STAMP="$ROOT/pmtud-app/$BUILD_DIR/dist/.make-dist-built"
newer_than() { [ -e "$1" ] && [ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o -name 'target*' -prune -o -path "$ROOT/dist" -prune -o \
                \( -name pom.xml -o -path '*/src/main/*' -o -path '*/src/dist/*' \) -type f -newer "$1" -print -quit)" ]; }
stale=$REBUILD
if [ "$stale" = 0 ]; then
  jar=$(app_jar || true)
  if [ -z "$jar" ]; then
    stale=1
  elif newer_than "$jar" && { [ ! -e "$STAMP" ] || newer_than "$STAMP"; }; then
    stale=1
  fi
fi
if [ "$stale" = 1 ]; then
  log "building the reactor into */$BUILD_DIR (mvn package, tests not compiled)"
  # shellcheck disable=SC2086  # MVN_FLAGS is a word list on purpose
  (cd "$ROOT" && ${MVN:-mvn} ${MVN_FLAGS:--B} -q -Dpmtud.build.dir="$BUILD_DIR" -Dmaven.test.skip=true -pl pmtud-app -am package)
  touch "$STAMP"
fi
jar=$(app_jar || true)
[ -n "$jar" ] || die "no pmtud-app jar in $LIB after the build"

VERSION=$(unzip -p "$jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Implementation-Version: *//p')
[ -n "$VERSION" ] || VERSION=$(basename "$jar" .jar | sed 's/^pmtud-app-//')
case $(uname -m) in
  x86_64|amd64) ARCH=amd64 ;;
  aarch64|arm64) ARCH=arm64 ;;
  *) ARCH=$(uname -m) ;;
esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pmtud-dist.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- the Java modules pmtud needs ----
# jdeps over every jar, all as class path. Jars with a module-info are analysed without it:
# pcap4j-core's requires 'slf4j.api', a module name no slf4j jar has, so jdeps's module
# resolution fails on it even with --ignore-missing-deps.
mkdir -p "$WORK/jdeps"
cp "$LIB"/*.jar "$WORK/jdeps/"
for j in "$WORK/jdeps"/*.jar; do
  entries=$(unzip -Z1 "$j" 2>/dev/null || true)  # not piped into grep -q: pipefail + SIGPIPE
  if grep -qE '(^|/)module-info\.class$' <<<"$entries"; then
    if command -v zip >/dev/null 2>&1; then
      zip -q -d "$j" 'module-info.class' 'META-INF/versions/*/module-info.class' >/dev/null 2>&1 || true
    elif command -v python3 >/dev/null 2>&1; then
      python3 - "$j" <<'PY'
import sys, zipfile, shutil
src = sys.argv[1]; tmp = src + ".tmp"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        if not item.filename.endswith("module-info.class"):
            zout.writestr(item, zin.read(item.filename))
shutil.move(tmp, src)
PY
    else
      die "needs zip or python3 to analyse $(basename "$j") with jdeps"
    fi
  fi
done
MODULES=$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 \
            --class-path "$WORK/jdeps/*" "$WORK/jdeps"/*.jar) || die "jdeps failed"
[ -n "$MODULES" ] || die "jdeps printed no modules"
log "jdeps: $MODULES"
# Not visible to jdeps (loaded by name at run time):
#   jdk.crypto.ec  the SunEC provider: ECDHE key exchange and ECDSA certificates in the TLS the
#                  kubernetes peer provider speaks to the API server (JDK 17 keeps EC out of java.base)
EXTRA="jdk.crypto.ec${EXTRA_MODULES:+,$EXTRA_MODULES}"
MODULES="$MODULES,$EXTRA"
for required in java.base jdk.httpserver jdk.unsupported; do
  [[ ",$MODULES," == *",$required,"* ]] || die "jdeps did not report $required, which pmtud uses; check the jars in $LIB"
done

# ---- lay out the directory ----
DIST="$OUT/pmtud"
rm -rf "$DIST"
mkdir -p "$DIST"/{bin,lib,plugins,conf,docs}

log "jlink ($JDK, Java $JDK_FEATURE): $MODULES"
# Uncompressed by default: the JVM reads classes straight from the mapped lib/modules instead of
# inflating copies, ~3 MiB less RSS (docs/performance.md, "Footprint").
[ -n "$COMPRESS" ] || COMPRESS=0
[ "$COMPRESS" != 2 ] || [ "$JDK_FEATURE" -lt 21 ] || COMPRESS=zip-6
# No CDS archive (no --generate-cds-archive, no application archive): conf/jvm.options runs with
# -Xshare:off, which needs less resident memory on JDK 17 (see there).
"$JDK/bin/jlink" --add-modules "$MODULES" --output "$DIST/runtime" \
  --strip-debug --no-man-pages --no-header-files --compress="$COMPRESS"
# legal/ holds the JDK's license notices: required when redistributing it; kept.

cp "$LIB"/*.jar "$DIST/lib/"
if [ -d "$ROOT/pmtud-app/src/dist/plugins" ]; then
  cp -R "$ROOT/pmtud-app/src/dist/plugins/." "$DIST/plugins/"
fi
[ -e "$DIST/plugins/README.txt" ] || cat >"$DIST/plugins/README.txt" <<'EOF'
Third-party pmtud plugins go here: a jar, or a directory of jars, per plugin.
Each gets its own class loader that sees only dev.pmtud.api and the JDK.
Run `bin/pmtud plugins` to list what was found.
EOF
cp "$ROOT/README.md" "$DIST/docs/README.md"
cp "$ROOT"/docs/*.md "$DIST/docs/" 2>/dev/null || true

# JVM options: one source of truth, bin/jvm.options, read by both launchers.
[ -f "$ROOT/bin/jvm.options" ] || die "bin/jvm.options is missing"
cp "$ROOT/bin/jvm.options" "$DIST/conf/jvm.options"

cat >"$DIST/bin/pmtud" <<'EOF'
#!/usr/bin/env bash
# Runs pmtud on the Java runtime of this distribution (../runtime), whatever Java the host has.
#   PMTUD_JAVA_OPTS  extra JVM options, after conf/jvm.options (so they win)
# The plugin directory defaults to ../plugins (override with --plugin-dir).
set -euo pipefail

self="$(readlink -f "${BASH_SOURCE[0]}")"
home="$(cd "$(dirname "$self")/.." && pwd)"
java="$home/runtime/bin/java"
if [ ! -x "$java" ]; then
  echo "pmtud: $java is missing; this distribution is incomplete, unpack it again" >&2
  exit 1
fi

opts=()
if [ -f "$home/conf/jvm.options" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="${line#"${line%%[![:space:]]*}"}"   # trim leading
    line="${line%"${line##*[![:space:]]}"}"   # and trailing blanks
    [ -n "$line" ] && opts+=("$line")
  done <"$home/conf/jvm.options"
fi

# One malloc arena (glibc's default is up to 8 per core): pmtud's packet path never calls
# malloc, the JVM's threads rarely, and every extra arena keeps its own free memory resident.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"

# shellcheck disable=SC2086  # PMTUD_JAVA_OPTS is a word list on purpose
exec "$java" "${opts[@]}" ${PMTUD_JAVA_OPTS:-} \
  -Dpmtud.home="$home" -cp "$home/lib/*" dev.pmtud.app.Main "$@"
EOF
chmod 0755 "$DIST/bin/pmtud"

# A production-style pipeline: the daemon on a node, NFLOG rule managed by pmtud itself.
cat >"$DIST/conf/pmtud.yaml" <<'EOF'
# pmtud on an ECMP node: messages logged by the NFLOG rule pmtud installs, filtered, and sent to the
# other nodes as ICMP in a fresh IP header (go-pmtud's replication). Check it with:
#   NODE_NAME=$(hostname) bin/pmtud validate --config conf/pmtud.yaml
# The reference of every key: docs/configuration.md.

# This node's name (metric label, log field). Set NODE_NAME (systemd: Environment=NODE_NAME=%H;
# Kubernetes: the downward API's spec.nodeName); there is no default on purpose.
node: ${NODE_NAME}

# /metrics (Prometheus), /healthz and /readyz; go-pmtud's port.
metrics:
  listen: "${PMTUD_METRICS_LISTEN:-0.0.0.0:30040}"

# CHANGE ME: the other nodes behind the same ECMP / load-balancer address (IP literals).
# pmtud leaves its own addresses out, so one list can serve every node.
peers:
  - { type: static, addresses: [192.0.2.11, 192.0.2.12, 192.0.2.13] }

# NFLOG group 33, fed by the rule under rules: below.
sources:
  - { type: nflog, group: 33 }

filters:
  # CHANGE ME: the networks the nodes' addresses are in. Replicas arrive from there and are never
  # replicated again; the managed rule skips them too (! -s).
  - { type: exclude-networks, networks: [192.0.2.0/24] }
  # Linux ignores next-hop MTUs under 552 (min_pmtu); anything above jumbo frames is bogus.
  - { type: mtu-range, min: 552, max: 9216 }
  # A burst of errors for one flow becomes one replicated message.
  - { type: dedup, window: 1s }
  # Per router 1/s (2 at once) and 100/s in total: a forged flood is not amplified to every node.
  - { type: rate-limit, per-source: 1/s, burst: 2, total: 100/s }

sinks:
  # The ICMP message in a fresh IP header to each peer; TTL 1: the peers share the segment.
  - { type: raw, mode: l3, ttl: 1 }

# pmtud adds its NFLOG rule at start and removes it at stop: its own nftables table over netlink
# (`bin/pmtud rules print --config FILE` shows it), or with backend: iptables
#   iptables -t raw -A PREROUTING -i <default route interface> ! -s 192.0.2.0/24 \
#            -p icmp -m icmp --icmp-type 3/4 -m comment --comment pmtud -j NFLOG --nflog-group 33
rules:
  manage: true
EOF

if [ "$FOR_IMAGE" = 1 ]; then
  log "done: pmtud $VERSION (linux-$ARCH) for the image: $DIST ($(du -sh --apparent-size "$DIST" | cut -f1))"
  exit 0
fi

# ---- tarball ----
TARBALL="$OUT/pmtud-$VERSION-linux-$ARCH.tar.gz"
mtime=$(cd "$ROOT" && git log -1 --format=%ct 2>/dev/null || date +%s)
tar -C "$OUT" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -cf - pmtud \
  | gzip -9n >"$TARBALL.tmp"
mv "$TARBALL.tmp" "$TARBALL"

size() { du -sh --apparent-size "$1" | cut -f1; }
log "done: pmtud $VERSION (linux-$ARCH)"
printf '%-40s %s\n' "directory $DIST" "$(size "$DIST")" \
                    "  runtime/" "$(size "$DIST/runtime")" \
                    "  lib/" "$(size "$DIST/lib")" \
                    "tarball $TARBALL" "$(size "$TARBALL")"

if [ "$VERIFY" = 1 ]; then
  "$ROOT/scripts/verify-dist.sh" "$DIST"
fi
