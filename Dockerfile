# syntax=docker/dockerfile:1
# The pmtud image: no base image, nothing pulled from a registry. Two layers that
# scripts/make-image.sh (`make image`) prepares in dist/image/ and then builds with buildah:
#   rootfs.tar  the Debian packages pmtud needs, unpacked by mmdebstrap (glibc, libstdc++, zlib,
#               libpcap and iptables with their libraries; pinned in deploy/image/debian.lock),
#               no shell, no package manager (deploy/image/rootfs-hook.sh)
#   pmtud.tar   the self-contained distribution (`make dist`) in /opt/pmtud, its jlink'd runtime
#               included; the JVM options of conf/jvm.options as the java @argfile conf/java.args
# docker works too: scripts/make-image.sh --no-commit && docker build -t pmtud dist/image
# docs/image.md says what is pinned, the size of each part and why it is there.
#
# Users: the image runs as the non-root user pmtud (UID 10001) by default, which is all that
# validate, replay and plugins need:
#   podman run --rm -v "$PWD:/w:ro" pmtud validate --config /w/pmtud.yaml
# The daemon needs NET_ADMIN (NFLOG, iptables) and NET_RAW (raw sockets). Container runtimes give
# added capabilities to UID 0 only (they set no ambient capabilities for other users), so the
# daemon runs as UID 0 holding those two and nothing else, with no_new_privs:
#   podman run -d --network host --user 0 --cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW \
#     --security-opt no-new-privileges --read-only --tmpfs /tmp:rw,exec,size=16m \
#     -v /etc/pmtud:/etc/pmtud:ro -v /run/xtables.lock:/run/xtables.lock pmtud
# (/tmp must allow exec: jffi and JNA unpack their native libraries there.) deploy/kubernetes and
# deploy/helm do the same with a securityContext. Why not file capabilities on java (setcap
# cap_net_admin,cap_net_raw+ep): exec of such a binary fails with EPERM wherever the two are not in
# the bounding set (every plain `podman run`, so validate and replay would break too), it puts java
# in secure-execution mode (the loader then ignores $ORIGIN and cannot find libjli.so), and the
# iptables commands pmtud runs would not inherit the capabilities anyway. On hosts with systemd,
# deploy/systemd/pmtud.service runs pmtud as a non-root user with AmbientCapabilities, which do
# pass to iptables.
FROM scratch

ADD rootfs.tar /
# Owned by root and read-only to pmtud: the daemon cannot change its own code or plugins.
ADD pmtud.tar /

ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin
# One malloc arena, as bin/pmtud sets it: every extra arena keeps free memory resident (docs/performance.md, section 6).
ENV MALLOC_ARENA_MAX=1
USER 10001:10001
WORKDIR /opt/pmtud
# Metrics, /healthz and /readyz (go-pmtud's metrics port).
EXPOSE 30040/tcp
# pmtud removes its NFLOG rule on SIGTERM.
STOPSIGNAL SIGTERM
# No shell in the image: java itself, with the options of conf/jvm.options (JDK_JAVA_OPTIONS adds).
ENTRYPOINT ["/opt/pmtud/runtime/bin/java", "@/opt/pmtud/conf/java.args", "dev.pmtud.app.Main"]
CMD ["run", "--config", "/etc/pmtud/pmtud.yaml"]
