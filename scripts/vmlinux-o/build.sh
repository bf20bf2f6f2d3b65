#!/usr/bin/env bash
# Builds a real x86_64 vmlinux.o from Debian's linux-source-6.1 with Debian's gcc 12 (the compiler the Debian 6.1
# kernels are built with): tinyconfig plus what dynamic debug needs and a few subsystems that carry pr_debug sites
# (config.fragment), then `make vmlinux`: vmlinux.o is the kernel's own `ld -r` of vmlinux.a, and the vmlinux the
# kernel's final link makes from it is kept beside it (same name, .o dropped), the oracle of what the built-in
# table becomes. Debian ships no vmlinux.o, and a defconfig build does not fit CI on two cores; this one takes a
# few minutes and is cached. Prints VMLINUX_O=<path> on stdout.
#
# The source comes from `apt-get download linux-source-6.1` (no root needed), unpacked under
# ${DYNDBG_ELFSIM_CACHE:-~/.cache/dyndbg-elfsim}/vmlinux-o; nothing is written to the clone. A warm run (same
# script and fragment) calls neither apt nor make. Exit 3 when apt/dpkg, cc, make, flex, bison, bc or libelf's
# header are missing (as root on Debian/Ubuntu they are installed first).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DYNDBG_ELFSIM_CACHE:-$HOME/.cache/dyndbg-elfsim}/vmlinux-o
# The cache key: the configuration and the recipe's version (raise it when the build itself changes; edits to
# comments or messages here must not cost a kernel build).
recipe=2
inputs=$( { cat "$here/config.fragment"; echo "recipe $recipe"; } | sha256sum | cut -c1-16)
for built in "$cache"/*/vmlinux-"$inputs".o; do
  if [ -f "$built" ]; then echo "VMLINUX_O=$built"; exit 0; fi
done

need=()
for tool in make flex bison bc; do command -v "$tool" >/dev/null 2>&1 || need+=("$tool"); done
[ -f /usr/include/libelf.h ] || need+=(libelf-dev)
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

out=$cache/$version/build
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
jobs=$(nproc 2>/dev/null || echo 2)
echo "build.sh: building vmlinux.o of linux-source $version (tinyconfig + config.fragment, -j$jobs; log $log)" >&2
mk() { make -C "$src" O="$out" ARCH=x86_64 CC="$cc" -j"$jobs" KBUILD_BUILD_TIMESTAMP=2026-01-01 \
  KBUILD_BUILD_USER=dyndbg KBUILD_BUILD_HOST=elfsim "$@" >>"$log" 2>&1; }
# The fragment is appended to tinyconfig's .config (a later line overrides an earlier one) and olddefconfig
# resolves the dependencies: what merge_config.sh does.
if ! { mk tinyconfig && cat "$here/config.fragment" >>"$out/.config" && mk olddefconfig && mk vmlinux; }; then
  tail -40 "$log" >&2; echo "build.sh: the kernel build failed (log $log)" >&2; exit 1
fi
# Every fragment line must have survived Kconfig (a dependency missed would silently drop dynamic debug).
while IFS= read -r line; do
  case $line in CONFIG_*=y) grep -qx "$line" "$out/.config" || { echo "build.sh: $line did not stick" >&2; exit 1; } ;; esac
done <"$here/config.fragment"
rm -f "$cache/$version"/vmlinux-* "$cache/$version"/config-*   # an older script's products
cp "$out/vmlinux" "$cache/$version/vmlinux-$inputs"
cp "$out/vmlinux.o" "$cache/$version/vmlinux-$inputs.o.tmp"
cp "$out/.config" "$cache/$version/config-$inputs"
mv "$cache/$version/vmlinux-$inputs.o.tmp" "$cache/$version/vmlinux-$inputs.o"
rm -rf "$out"
echo "VMLINUX_O=$cache/$version/vmlinux-$inputs.o"
