# pmtud: `make run` replays the sample capture, `make test` runs every test (as root: the
# network-namespace ones too). Both install what a fresh Debian 12 machine lacks, and only that.

SHELL       := /bin/bash
MVN         ?= mvn
MVN_FLAGS   ?= -B
DIST        := pmtud-app/target/dist
DIST_STAMP  := $(DIST)/.built

# What each target needs from the OS (Debian package names).
RUN_PKGS    := libpcap0.8
DIST_PKGS   := unzip zip nftables
BENCH_PKGS  := time curl
# make image / check-image only: the root file system, the image builder, the engine and an OCI
# runtime (runc: crun 1.8 refuses this VM kind's cgroup v1/v2 hybrid).
IMAGE_PKGS  := mmdebstrap buildah podman runc uidmap
# prometheus: the server and promtool for the deploy tests (~15 s to install). Its package enables a
# service on :9090 (started only where systemd runs and policy-rc.d allows); the tests never use it:
# their server listens on a free port inside a network namespace of their own.
TEST_PKGS   := libpcap0.8 iptables nftables iproute2 tcpdump tcpreplay dnsmasq-base kubectl util-linux openssl procps prometheus

# Rebuild the distribution only when a source or build file changed.
SOURCES     := $(shell find . -path ./.git -prune -o \( -name 'target*' -prune \) -o \
                 \( -name pom.xml -o -path '*/src/main/*' \) -type f -print 2>/dev/null)

.PHONY: help build run test test-image demo deps-run deps-test sample dist dist-verify image check-image check-systemd bench bench-load

help:
	@echo "make run    replay examples/capture.pcap through examples/pmtud.yaml (no root needed)"
	@echo "make test   build and run every test (as root, also the network-namespace tests and the image check)"
	@echo "make build  build the distribution bin/pmtud runs ($(DIST))"
	@echo "make demo   the ECMP black-hole demo in network namespaces (root)"
	@echo "make sample regenerate examples/capture.pcap from pmtud-testkit's SampleCapture"
	@echo "make dist   dist/pmtud/ (own jlink'd Java runtime) and dist/pmtud-<version>-linux-<arch>.tar.gz"
	@echo "make dist-verify  run the dist with its own runtime only (version, plugins, validate, replay)"
	@echo "make image  the container image (root; mmdebstrap + buildah, no registry; docs/image.md)"
	@echo "make check-image  the image fixing the e2e rig's black hole under podman (root; make test runs it too)"
	@echo "make check-systemd  systemd-analyze verify + security of deploy/systemd/pmtud.service"
	@echo "make bench  JMH + CPU-time runs of the hot path (no root; ~12 min; docs/performance.md)"
	@echo "make bench-load  load, relay latency and footprint in namespaces (root; ~40 min)"

build: deps-run $(DIST_STAMP)

$(DIST_STAMP): $(SOURCES)
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl pmtud-app -am package
	@touch $@

run: build
	bin/pmtud --log-level warn replay --config examples/pmtud.yaml --input examples/capture.pcap

# Every Maven test, then (as root) the container image check: the image built and run under podman
# in the e2e rig (test-image). CI runs exactly this (.ci/run). SKIP_IMAGE=1 leaves the image out,
# loudly, for quicker runs as root while working.
test: deps-test
	$(MVN) $(MVN_FLAGS) verify
	@if [ -n "$(SKIP_IMAGE)" ]; then \
	  echo "!!! SKIPPED: the container image check (SKIP_IMAGE is set; CI runs it: make test as root, or sudo make check-image)" >&2; \
	elif [ "$$(id -u)" -ne 0 ]; then \
	  echo "!!! SKIPPED: the container image check needs root (mmdebstrap, buildah and podman with vfs storage; CI is root): sudo make check-image" >&2; \
	else $(MAKE) --no-print-directory test-image; fi

# make test's image check (~2-3 min on 2 cores, docs/image.md): like check-image, but a stale
# deploy/image/debian.lock (a pinned Debian version gone from the mirror after a point release or a
# security update) is a loud warning and the image is built from the current packages, so CI never
# breaks by itself; an unreachable mirror skips the check, loudly. Its image has a tag of its own
# and is removed afterwards. Release images: make image.
test-image:
	@$(call ensure,$(DIST_PKGS) $(IMAGE_PKGS))
	scripts/test-image.sh

demo: build
	@if [ -x scripts/demo.sh ]; then scripts/demo.sh; \
	else echo "scripts/demo.sh is not there yet; showing the replay instead"; $(MAKE) --no-print-directory run; fi

sample:
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl pmtud-testkit -am compile
	java -cp pmtud-testkit/target/classes:pmtud-api/target/classes dev.pmtud.testkit.SampleCapture examples/capture.pcap

dist: deps-run
	@$(call ensure,$(DIST_PKGS))
	scripts/make-dist.sh

dist-verify: dist
	scripts/verify-dist.sh dist/pmtud

# The image from Debian packages and the distribution, reproducible (docs/image.md); as root. Its
# own distribution (dist/image-dist): without the CDS archives and the tarball, which it leaves out.
# IMAGE_LOCK=strict (default: exactly deploy/image/debian.lock), fallback (what make test uses) or
# update (rewrite the lock from the suite's current versions; review and commit it).
IMAGE_LOCK ?= strict
image: deps-run
	@$(call ensure,$(DIST_PKGS) $(IMAGE_PKGS))
	scripts/make-dist.sh --for-image --out dist/image-dist
	scripts/make-image.sh --dist dist/image-dist/pmtud --lock $(IMAGE_LOCK)

# The image fixing the e2e rig's black hole under podman (make test runs the same as test-image).
check-image: image
	scripts/check-image.sh

check-systemd:
	@$(call ensure,systemd)
	scripts/check-systemd.sh

# Benchmarks are not part of `make test`: they take long and their figures go to docs/performance.md.
BENCH_BUILD := -Dpmtud.build.dir=target-bench
bench: deps-run
	$(MVN) $(MVN_FLAGS) -q $(BENCH_BUILD) -pl pmtud-bench -am package -DskipTests
	scripts/bench-jmh.sh -f 5

bench-load: deps-test
	@$(call ensure,$(BENCH_PKGS))
	$(MVN) $(MVN_FLAGS) -q $(BENCH_BUILD) -pl pmtud-bench,pmtud-app -am package -DskipTests
	scripts/bench-load.sh -r 5 -s 2 -n 100000
	scripts/bench-latency.sh -r 5
	scripts/bench-footprint.sh -r 5

deps-run:
	@$(call ensure,$(RUN_PKGS))

deps-test:
	@$(call ensure,$(TEST_PKGS))

# Installs, with apt-get, the packages in $(1) that are missing plus a JDK 17+ and Maven when absent.
# Does nothing (and needs no root) when everything is present.
define ensure
	missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	  done; \
	fi; \
	jv=$$(javac -version 2>&1 | sed -n 's/^javac \([0-9]*\).*/\1/p'); \
	if [ -z "$$jv" ] || [ "$$jv" -lt 17 ]; then missing="$$missing openjdk-17-jdk-headless"; fi; \
	command -v $(MVN) >/dev/null 2>&1 || missing="$$missing maven"; \
	if [ -n "$$missing" ]; then \
	  if ! command -v apt-get >/dev/null 2>&1; then \
	    echo "missing:$$missing; install them with your package manager" >&2; exit 1; fi; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	  echo "installing:$$missing"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef
