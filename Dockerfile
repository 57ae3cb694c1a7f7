# syntax=docker/dockerfile:1
# The pmtud image: the self-contained distribution (its own jlink'd Java runtime) on Debian slim,
# which also provides iptables for the rule pmtud manages and libpcap for the pcap source.
#
#   make dist                                   # -> dist/pmtud/{bin,lib,plugins,conf,runtime}
#   docker build -t pmtud -f Dockerfile dist    # the build context is dist/, not the source tree
#   (podman build works the same way)
#
# Users: the image runs as the non-root user pmtud (UID 10001) by default, which is all that
# validate, replay and plugins need:
#   docker run --rm -v "$PWD:/w" pmtud validate --config /w/pmtud.yaml
# The daemon needs NET_ADMIN (NFLOG, iptables) and NET_RAW (raw sockets). Container runtimes give
# added capabilities to UID 0 only (they set no ambient capabilities for other users), so the
# daemon runs as UID 0 holding those two and nothing else, with no_new_privs:
#   docker run -d --network host --user 0 --cap-drop ALL --cap-add NET_ADMIN --cap-add NET_RAW \
#     --security-opt no-new-privileges --read-only --tmpfs /tmp \
#     -v /etc/pmtud:/etc/pmtud:ro -v /run/xtables.lock:/run/xtables.lock pmtud
# deploy/kubernetes does the same with a securityContext. Why not file capabilities on java
# (setcap cap_net_admin,cap_net_raw+ep): exec of such a binary fails with EPERM wherever the two
# are not in the bounding set (every plain `docker run`, so validate and replay would break too),
# it puts java in secure-execution mode (the loader then ignores $ORIGIN and cannot find
# libjli.so), and the iptables commands pmtud runs would not inherit the capabilities anyway.
# On hosts with systemd, deploy/systemd/pmtud.service runs pmtud as a non-root user with
# AmbientCapabilities, which do pass to iptables.
FROM debian:12-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends iptables libpcap0.8 \
 && groupadd --system --gid 10001 pmtud \
 && useradd --system --uid 10001 --gid pmtud --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin pmtud \
 && mkdir -p /etc/pmtud \
 && rm -rf /var/lib/apt/lists/*

# Owned by root and read-only to pmtud: the daemon cannot change its own code or plugins.
COPY --chown=root:root pmtud/ /opt/pmtud/
RUN chmod -R go-w /opt/pmtud && /opt/pmtud/bin/pmtud --version

ENV PATH=/opt/pmtud/bin:$PATH
USER 10001:10001
WORKDIR /opt/pmtud
# Metrics, /healthz and /readyz (go-pmtud's metrics port).
EXPOSE 30040/tcp
# pmtud removes its NFLOG rule on SIGTERM.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/pmtud/bin/pmtud"]
CMD ["run", "--config", "/etc/pmtud/pmtud.yaml"]
