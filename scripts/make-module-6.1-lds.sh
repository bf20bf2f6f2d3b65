#!/usr/bin/env bash
# Regenerates linker/module-6.1.lds: Linux 6.1's scripts/module.lds.S preprocessed for x86_64 exactly as kbuild's
# cmd_cpp_lds_S does it (scripts/Makefile.build: $(CPP) $(cpp_flags) -P -U$(ARCH) -D__ASSEMBLY__ -DLINKER_SCRIPT),
# with Debian's amd64 kernel configuration. Only the preprocessed script is committed, never kernel sources.
#
# Needs: apt-get (linux-source-6.1), gcc, and the amd64 kernel config from scripts/fetch-real.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=linker/module-6.1.lds
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

eval "$(scripts/fetch-real.sh --print | grep -E '^(ROOT|ABI)_amd64=')"
config="$ROOT_amd64/boot/config-$ABI_amd64"
[ -f "$config" ] || { echo "missing $config (run scripts/fetch-real.sh)" >&2; exit 2; }

(cd "$work" && apt-get download linux-source-6.1 >/dev/null 2>&1)
deb=$(ls "$work"/linux-source-6.1_*_all.deb)
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/src/linux-source-6.1.tar.xz
src=linux-source-6.1
tar -xJf "$work/usr/src/linux-source-6.1.tar.xz" -C "$work" \
  $src/scripts/module.lds.S $src/include/asm-generic/module.lds.h \
  $src/include/linux/kconfig.h $src/include/linux/compiler-version.h
tree="$work/$src"

# What kbuild generates before preprocessing: include/generated/autoconf.h from .config (kconfig's rules:
# =y -> 1, =m -> <NAME>_MODULE 1, other values verbatim) and the asm-generic wrapper x86 gets from
# include/asm-generic/Kbuild (mandatory-y += module.lds.h).
mkdir -p "$tree/include/generated" "$tree/arch/x86/include/generated/asm"
sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=y$/#define \1 1/p' \
       -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=m$/#define \1_MODULE 1/p' \
       -e '/=[ym]$/d' -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/#define \1 \2/p' "$config" > "$tree/include/generated/autoconf.h"
echo '#include <asm-generic/module.lds.h>' > "$tree/arch/x86/include/generated/asm/module.lds.h"

# cmd_cpp_lds_S with 6.1's cpp_flags for ARCH=x86_64 (NOSTDINC_FLAGS, LINUXINCLUDE, KBUILD_CPPFLAGS).
(cd "$tree" && gcc -E -Wp,-MMD,"$work/module.lds.d" -nostdinc \
  -I./arch/x86/include -I./arch/x86/include/generated -I./include \
  -I./arch/x86/include/uapi -I./arch/x86/include/generated/uapi -I./include/uapi -I./include/generated/uapi \
  -include ./include/linux/compiler-version.h -include ./include/linux/kconfig.h \
  -D__KERNEL__ -fmacro-prefix-map=./= \
  -P -Ux86_64 -D__ASSEMBLY__ -DLINKER_SCRIPT -x assembler-with-cpp -o "$work/module.lds" scripts/module.lds.S)

{
  echo "/* linker/module-6.1.lds: Linux 6.1 scripts/module.lds.S (Debian linux-source-6.1 $version)"
  echo " * preprocessed for x86_64 as kbuild's cmd_cpp_lds_S does, with Debian's config-$ABI_amd64"
  echo " * ($(gcc --version | head -1)). CONFIG_ARCH_USES_CFI_TRAPS and CONFIG_LTO_CLANG are unset there."
  echo " * Regenerate with scripts/make-module-6.1-lds.sh; do not edit. */"
  cat "$work/module.lds"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out"
