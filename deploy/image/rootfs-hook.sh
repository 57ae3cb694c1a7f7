#!/usr/bin/env bash
# Turns the Debian packages mmdebstrap unpacked into the pmtud image's root file system
# (scripts/make-image.sh). Runs as root on the host; nothing runs inside the tree.
#   rootfs-hook.sh manifest ROOT FILE   (mmdebstrap --extract-hook) writes "package=version", one a
#                                       line, of every package unpacked, while the .debs are there
#   rootfs-hook.sh finish ROOT          (after mmdebstrap) trims the tree and adds the users
# Only what pmtud runs stays: the shared libraries, iptables' binaries and the files glibc and
# iptables read (/etc/protocols, /etc/services, /etc/ethertypes). No shell, no package manager.
set -euo pipefail
step=${1:?rootfs-hook.sh needs a step: manifest or finish}
root=${2:?rootfs-hook.sh needs the root directory}
cd "$root"

if [ "$step" = manifest ]; then
  # What was unpacked, before mmdebstrap's cleanup removes the package cache (the lock file is
  # made from this and every build is checked against it).
  for deb in var/cache/apt/archives/*.deb; do
    dpkg-deb --showformat='${Package}=${Version}\n' --show "$deb"
  done | LC_ALL=C sort >"${3:?rootfs-hook.sh manifest needs the output file}"
  exit 0
fi
[ "$step" = finish ] || { echo "rootfs-hook.sh: unknown step '$step' (manifest or finish)" >&2; exit 2; }

# Package manager state and caches: there is no apt or dpkg in the image.
rm -rf etc/apt etc/dpkg var/cache/apt var/lib/apt var/lib/dpkg var/log
# Host files mmdebstrap copies in; the container runtime supplies its own.
rm -f etc/resolv.conf etc/hostname etc/fstab
# Documentation, manuals, translations, bug-report and debugger helpers: nothing reads them. The
# copyright files stay (they are the licences of what the image redistributes).
find usr/share/doc -mindepth 1 \( -type l -o \( -type f ! -name copyright \) \) -delete
find usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf usr/share/man usr/share/info usr/share/locale usr/share/lintian usr/share/bug usr/share/gcc usr/share/gdb
# glibc's iconv converters (8 MB): nothing in the image calls iconv(3); Java has its own charsets.
rm -rf usr/lib/x86_64-linux-gnu/gconv usr/lib/aarch64-linux-gnu/gconv

# iptables and ip6tables as Debian's alternatives would link them: the nftables backend, which is
# what current distributions and kube-proxy use (pmtud would otherwise pick iptables-legacy).
ln -sfn xtables-nft-multi usr/sbin/iptables
ln -sfn xtables-nft-multi usr/sbin/ip6tables

# Users: root (the daemon, holding only NET_ADMIN and NET_RAW) and pmtud, the default user.
mkdir -p etc
cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/usr/sbin/nologin
pmtud:x:10001:10001:pmtud:/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >etc/group <<'EOF'
root:x:0:
pmtud:x:10001:
nogroup:x:65534:
EOF
chmod 0644 etc/passwd etc/group
# /etc/pmtud: where the configuration is mounted. /tmp: the JVM and the native-library loaders
# (jffi, JNA) unpack their libraries here; a tmpfs or emptyDir covers it when the root is read-only.
mkdir -p etc/pmtud run tmp root
chmod 0755 etc/pmtud run
chmod 0700 root
chmod 1777 tmp
