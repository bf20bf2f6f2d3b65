#!/usr/bin/env bash
# Usage: build.sh [ARCH]   (a Debian release architecture: amd64 (the default), i386, arm64, armhf, ppc64el, s390x,
# mips64el)
#
# Builds a real vmlinux.o of ARCH from Debian's linux-source-6.1 with Debian's gcc 12 (the compiler the Debian 6.1
# kernels are built with; the gcc-<triplet> cross compiler for arm64, armhf, ppc64el, s390x and mips64el, the native
# one with -m32 for i386): tinyconfig plus what dynamic debug needs and a few subsystems that carry pr_debug sites
# (config.fragment, then config.ARCH for the architecture's word size, endianness, platform and console), then
# `make vmlinux`: vmlinux.o is the kernel's own `ld -r` of vmlinux.a, and the vmlinux the kernel's final link makes
# from it is kept beside it (same name, .o dropped), the oracle of what the built-in table becomes. Debian ships no
# vmlinux.o, and a defconfig build does not fit CI on two cores; this one takes a few minutes per architecture and
# is cached. Prints VMLINUX_O=<path> on stdout.
#
# The source comes from `apt-get download linux-source-6.1` (no root needed), unpacked under
# ${DYNDBG_ELFSIM_CACHE:-~/.cache/dyndbg-elfsim}/vmlinux-o; nothing is written to the clone. A warm run (same
# script and fragments) calls neither apt nor make. Builds of several architectures started together take turns
# (one lock). Exit 3 when apt/dpkg, the compiler, make, flex, bison, bc or libelf's header are missing (as root on
# Debian/Ubuntu they are installed first); exit 2 on an unknown ARCH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DYNDBG_ELFSIM_CACHE:-$HOME/.cache/dyndbg-elfsim}/vmlinux-o
arch=${1:-amd64}
# Debian architecture -> the kernel's ARCH and the cross toolchain's prefix (and its Debian package)
case $arch in
  amd64) karch=x86_64 cross= ;;
  i386) karch=i386 cross= ;;
  arm64) karch=arm64 cross=aarch64-linux-gnu- ;;
  armhf) karch=arm cross=arm-linux-gnueabihf- ;;
  ppc64el) karch=powerpc cross=powerpc64le-linux-gnu- ;;
  s390x) karch=s390 cross=s390x-linux-gnu- ;;
  mips64el) karch=mips cross=mips64el-linux-gnuabi64- ;;
  *) echo "build.sh: unknown architecture '$arch' (amd64, i386, arm64, armhf, ppc64el, s390x, mips64el)" >&2; exit 2 ;;
esac
# The cache key: the configuration and the recipe's version (raise it when the build itself changes; edits to
# comments or messages here must not cost a kernel build).
recipe=3
inputs=$( { cat "$here/config.fragment" "$here/config.$arch"; echo "recipe $recipe $arch"; } | sha256sum | cut -c1-16)
for built in "$cache"/*/"$arch"/vmlinux-"$inputs".o; do
  if [ -f "$built" ]; then echo "VMLINUX_O=$built"; exit 0; fi
done

# One build at a time: they share the unpacked source, and two kernel builds on two cores gain nothing.
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
for built in "$cache"/*/"$arch"/vmlinux-"$inputs".o; do   # built while this one waited
  if [ -f "$built" ]; then echo "VMLINUX_O=$built"; exit 0; fi
done

need=()
for tool in make flex bison bc; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
[ -f /usr/include/libelf.h ] || need+=(libelf-dev)
[ -z "$cross" ] || command -v "${cross}gcc" >/dev/null 2>&1 || need+=("gcc-${cross%-}")
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "build.sh: installing ${need[*]}" >&2
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
  else
    echo "build.sh: missing ${need[*]} (Debian: apt-get install ${need[*]})" >&2; exit 3
  fi
fi

. "$here/../lib/linux-source.sh"
linux_source "$cache"   # no paths: the whole tree

dest=$cache/$version/$arch
out=$dest/build
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
jobs=$(nproc 2>/dev/null || echo 2)
echo "build.sh: building the $arch vmlinux.o of linux-source $version (tinyconfig + config.fragment + config.$arch, -j$jobs; log $log)" >&2
mk() { make -C "$src" O="$out" ARCH="$karch" ${cross:+CROSS_COMPILE="$cross"} CC="${cross}$cc" -j"$jobs" KBUILD_BUILD_TIMESTAMP=2026-01-01 \
  KBUILD_BUILD_USER=dyndbg KBUILD_BUILD_HOST=elfsim "$@" >>"$log" 2>&1; }
# The fragment is appended to tinyconfig's .config (a later line overrides an earlier one) and olddefconfig
# resolves the dependencies: what merge_config.sh does.
if ! { mk tinyconfig && cat "$here/config.fragment" "$here/config.$arch" >>"$out/.config" && mk olddefconfig && mk vmlinux; }; then
  tail -40 "$log" >&2; echo "build.sh: the kernel build failed (log $log)" >&2; exit 1
fi
# Every fragment line must have survived Kconfig (a dependency missed would silently drop dynamic debug).
while IFS= read -r line; do
  case $line in CONFIG_*=y) grep -qx "$line" "$out/.config" || { echo "build.sh: $line did not stick" >&2; exit 1; } ;; esac
done < <(cat "$here/config.fragment" "$here/config.$arch")
rm -f "$dest"/vmlinux-* "$dest"/config-*   # an older recipe's products
cp "$out/vmlinux" "$dest/vmlinux-$inputs"
cp "$out/vmlinux.o" "$dest/vmlinux-$inputs.o.tmp"
cp "$out/.config" "$dest/config-$inputs"
mv "$dest/vmlinux-$inputs.o.tmp" "$dest/vmlinux-$inputs.o"
rm -rf "$out"
echo "VMLINUX_O=$dest/vmlinux-$inputs.o"
