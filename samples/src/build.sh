#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Rebuild the DynDbg.ElfSim sample objects in samples/objs/ from the sources here.
# Deterministic: the same toolchain gives the same bytes on every run (no debug info,
# no .comment, relative __FILE__, no build-id, no timestamps), and
# samples/objs/MANIFEST.txt records the sha256 of every object.
#
# Toolchain (Debian 12): clang-14, lld-14 (ld.lld-14), llvm-14 (llvm-readelf-14),
# binutils (ld.bfd, for x86_64 and i386) and binutils-s390x-linux-gnu
# (s390x-linux-gnu-ld: ld.lld 14 has no SystemZ support and crashes on s390x input).
#
#   usage: samples/src/build.sh [--no-verify]
#
# Per arch it writes samples/objs/<arch>/:
#   <file>.o          every source file, compiled as a module object (-DMODULE)
#   <module>.ko       ld -r of the module's files (GNU ld.bfd on x86, else ld.lld)
#   vmlinux.o         x86_64 and s390x only: ld -r of all builtin-compiled files (no -DMODULE)
#                     except gamma.c (CONFIG_JUMP_LABEL off), so every record has one size
#   legacy/pre59.o    x86_64 only: legacy.c with the pre-5.9 layout (section __verbose)
#   legacy/v59.o      x86_64 only: legacy.c with the 5.9..6.0 layout (__dyndbg, no class_id)
# and, for the dynamic debug diet plan (include/dynamic_debug_diet.h), per arch and variant
# (v5, v5-nosite, v6) samples/objs/<arch>/diet/<variant>/:
#   <file>.o          every diet source file, compiled as a module object (-DMODULE)
#   <module>.ko       ld -r -T linker/module-diet-v5-rules.lds (v6: module-diet-v6-rules.lds) of its files
#   alpha.noscript.ko v5 only: alpha linked by plain ld -r, the negative sample (the
#                     header pair stays in its .gnu.linkonce.* sections)
#   vmlinux.o         x86_64 only: ld -r of the builtin-compiled diet files (no script)
#   vmlinux           x86_64 only: ET_EXEC, ld.bfd -T linker/vmlinux-diet-<v5|v6>.lds
#                     of vmlinux.o and dyndbg_stub.o
set -euo pipefail

VERIFY=1
case "${1:-}" in
	--no-verify) VERIFY=0 ;;
	"") ;;
	*) echo "usage: $0 [--no-verify]" >&2; exit 2 ;;
esac

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OBJS=$(cd "$SRC/.." && pwd)/objs
LINKER=$(cd "$SRC/../../linker" && pwd)
cd "$SRC"	# every __FILE__ is the bare file name, relative to here

export LC_ALL=C
export TZ=UTC
export SOURCE_DATE_EPOCH=0

CC=${CC:-clang-14}
LLD=${LLD:-ld.lld-14}
BFD=${BFD:-ld.bfd}
S390LD=${S390LD:-s390x-linux-gnu-ld}

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "build.sh: '$1' not found ($2)" >&2
		exit 2
	}
}
need "$CC" "apt-get install clang-14"
need "$LLD" "apt-get install lld-14"
need "$BFD" "apt-get install binutils"
need "$S390LD" "apt-get install binutils-s390x-linux-gnu"
need sha256sum "coreutils"

ARCHES="x86_64 i386 aarch64 armhf s390x ppc64le mips64el riscv64"

# module -> files (order = link order)
declare -A MODFILES=(
	[alpha]="alpha_main alpha_util"
	[beta]="beta_core beta_proto"
	[gamma]="gamma"
	[delta]="delta"
	[epsilon]="epsilon"
	[zeta]="zeta"
)
MODULES="alpha beta gamma delta"
# the diet base (v5.13) has no class maps, so delta is left out; epsilon takes its
# DEBUG part and zeta has no pr_debug at all (a header-only __dyndbg)
DIET_MODULES="alpha beta gamma epsilon zeta"
DIET_VARIANTS="v5 v5-nosite v6"
# per-file CONFIG_ options (kbuild passes them through include/generated/autoconf.h)
declare -A FILECONF=(
	[alpha_main]="-DCONFIG_JUMP_LABEL"
	[alpha_util]="-DCONFIG_JUMP_LABEL"
	[beta_core]="-DCONFIG_JUMP_LABEL"
	[beta_proto]="-DCONFIG_JUMP_LABEL"
	[gamma]=""
	[delta]="-DCONFIG_JUMP_LABEL"
	[epsilon]="-DCONFIG_JUMP_LABEL"
	[zeta]="-DCONFIG_JUMP_LABEL"
)
# files of the builtin table (vmlinux.o): all modules but gamma (JUMP_LABEL off)
VMLINUX_FILES="alpha_main alpha_util beta_core beta_proto delta"
DIET_VMLINUX_FILES="alpha_main alpha_util beta_core beta_proto epsilon"

# Flags common to every target: kernel-like C dialect, freestanding, small objects.
# -fno-addrsig: otherwise clang adds .llvm_addrsig, which GNU ld -r copies with stale
# symbol indices (the kernel passes -fno-addrsig only for the EFI stub).
COMMON="-std=gnu11 -O2 -ffreestanding -nostdinc -fno-common -fno-strict-aliasing
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-ident -fno-addrsig
	-fno-stack-protector -Wall -Werror"

# Per-arch: clang target, arch CFLAGS (kernel arch/*/Makefile, v6.1), extra CFLAGS for
# module objects (KBUILD_CFLAGS_MODULE besides -DMODULE), and the ld -r command.
arch_target() {
	case $1 in
	x86_64)   echo x86_64-linux-gnu ;;
	i386)     echo i686-linux-gnu ;;
	aarch64)  echo aarch64-linux-gnu ;;
	armhf)    echo armv7a-linux-gnueabihf ;;
	s390x)    echo s390x-linux-gnu ;;
	ppc64le)  echo powerpc64le-linux-gnu ;;
	mips64el) echo mips64el-linux-gnuabi64 ;;
	riscv64)  echo riscv64-linux-gnu ;;
	esac
}
arch_cflags() {
	case $1 in
	x86_64)   echo "-fno-pic -mcmodel=kernel -mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx" ;;
	i386)     echo "-fno-pic -march=i686 -mregparm=3 -mstack-alignment=4 -mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx" ;;
	aarch64)  echo "-fno-pic -mgeneral-regs-only" ;;
	armhf)    echo "-fno-pic -marm -march=armv7-a -mabi=aapcs-linux -mfloat-abi=soft" ;;
	s390x)    echo "-fno-pic -march=z10 -mbackchain -msoft-float" ;;
	ppc64le)  echo "-fno-pic -mabi=elfv2 -mcmodel=medium -msoft-float -mno-altivec -mno-vsx" ;;
	mips64el) echo "-fno-pic -mno-abicalls -G0 -mabi=64 -march=mips64r2 -msoft-float" ;;
	riscv64)  echo "-fno-pic -march=rv64imac -mabi=lp64 -mcmodel=medany -mno-relax -mno-save-restore" ;;
	esac
}
arch_module_cflags() {
	case $1 in
	s390x)    echo "-fPIC" ;;		# arch/s390/Makefile: KBUILD_CFLAGS_MODULE
	mips64el) echo "-mlong-calls" ;;	# arch/mips/Makefile: KBUILD_CFLAGS_MODULE
	*)        echo "" ;;
	esac
}
arch_ld() {	# ld -r command line prefix
	case $1 in
	x86_64)   echo "$BFD -r -m elf_x86_64" ;;
	i386)     echo "$BFD -r -m elf_i386" ;;
	s390x)    echo "$S390LD -r -m elf64_s390" ;;
	*)        echo "$LLD -r" ;;
	esac
}

# Diet variant -> its -D switch (include/dynamic_debug_diet.h) and module linker script.
diet_define() {
	case $1 in
	v5)        echo -DDIET_V5 ;;
	v5-nosite) echo -DDIET_V5_NOSITE ;;
	v6)        echo -DDIET_V6 ;;
	esac
}
diet_script() {
	case $1 in
	v6) echo "$LINKER/module-diet-v6-rules.lds" ;;
	*)  echo "$LINKER/module-diet-v5-rules.lds" ;;
	esac
}
# include/diet/ first: its dynamic_debug.h is the diet replica. CONFIG_DYNAMIC_DEBUG
# switches on the header pair at the bottom of dynamic_debug_diet.h, as in the patch.
diet_cflags() {
	echo "-Iinclude/diet $(diet_define "$1") -DCONFIG_DYNAMIC_DEBUG"
}

# compile ARCH FILE OUT [extra flags...]; extra flags go before -Iinclude, so an
# extra -I directory overrides include/
compile() {
	local arch=$1 file=$2 out=$3
	shift 3
	local mod="" m
	for m in "${!MODFILES[@]}"; do
		case " ${MODFILES[$m]} " in *" $file "*) mod=$m ;; esac
	done
	[ -n "$mod" ] || mod=$file
	# word splitting of the flag lists is intended
	# shellcheck disable=SC2046,SC2086
	"$CC" --target="$(arch_target "$arch")" $COMMON $(arch_cflags "$arch") \
		${FILECONF[$file]-"-DCONFIG_JUMP_LABEL"} "$@" -Iinclude \
		-DKBUILD_MODFILE="\"samples/$mod\"" -DKBUILD_BASENAME="\"$file\"" \
		-DKBUILD_MODNAME="\"$mod\"" -D__KBUILD_MODNAME="kmod_$mod" \
		-c "$file.c" -o "$out"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

rm -rf "$OBJS"
mkdir -p "$OBJS"

for arch in $ARCHES; do
	out=$OBJS/$arch
	mkdir -p "$out"
	LD=$(arch_ld "$arch")

	# module objects and modules
	for m in $MODULES; do
		objs=""
		for f in ${MODFILES[$m]}; do
			# shellcheck disable=SC2046
			compile "$arch" "$f" "$out/$f.o" -DMODULE $(arch_module_cflags "$arch")
			objs="$objs $out/$f.o"
		done
		# shellcheck disable=SC2086
		$LD -o "$out/$m.ko" $objs
	done

	# builtin table (vmlinux.o): same sources compiled without -DMODULE
	if [ "$arch" = x86_64 ] || [ "$arch" = s390x ]; then
		objs=""
		mkdir -p "$TMP/$arch"
		for f in $VMLINUX_FILES; do
			compile "$arch" "$f" "$TMP/$arch/$f.o"
			objs="$objs $TMP/$arch/$f.o"
		done
		# shellcheck disable=SC2086
		$LD -o "$out/vmlinux.o" $objs
	fi

	# legacy layouts
	if [ "$arch" = x86_64 ]; then
		mkdir -p "$out/legacy"
		compile "$arch" legacy "$out/legacy/pre59.o" -DMODULE -DDYNDBG_LAYOUT_PRE59
		compile "$arch" legacy "$out/legacy/v59.o" -DMODULE -DDYNDBG_LAYOUT_59
	fi

	# diet plan: module objects, modules linked by the diet module script, and one
	# module linked without it
	for v in $DIET_VARIANTS; do
		dout=$out/diet/$v
		mkdir -p "$dout"
		for m in $DIET_MODULES; do
			objs=""
			for f in ${MODFILES[$m]}; do
				# shellcheck disable=SC2046
				compile "$arch" "$f" "$dout/$f.o" -DMODULE $(arch_module_cflags "$arch") \
					$(diet_cflags "$v")
				objs="$objs $dout/$f.o"
			done
			# shellcheck disable=SC2086
			$LD -T "$(diet_script "$v")" -o "$dout/$m.ko" $objs
		done
		if [ "$v" = v5 ]; then
			objs=""
			for f in ${MODFILES[alpha]}; do
				objs="$objs $dout/$f.o"
			done
			# shellcheck disable=SC2086
			$LD -o "$dout/alpha.noscript.ko" $objs
		fi

		# x86_64 builtin table: vmlinux.o (ld -r, no script, as kbuild links it) and a
		# linked vmlinux whose .data holds the diet's DYNAMIC_DEBUG_DATA() block
		if [ "$arch" = x86_64 ]; then
			objs=""
			mkdir -p "$TMP/$arch/diet-$v"
			for f in $DIET_VMLINUX_FILES; do
				# shellcheck disable=SC2046
				compile "$arch" "$f" "$TMP/$arch/diet-$v/$f.o" $(diet_cflags "$v")
				objs="$objs $TMP/$arch/diet-$v/$f.o"
			done
			# shellcheck disable=SC2086
			$LD -o "$dout/vmlinux.o" $objs
			compile "$arch" dyndbg_stub "$TMP/$arch/diet-$v/dyndbg_stub.o"
			$BFD -m elf_x86_64 -T "$LINKER/vmlinux-diet-${v%-nosite}.lds" --build-id=none \
				-o "$dout/vmlinux" "$dout/vmlinux.o" "$TMP/$arch/diet-$v/dyndbg_stub.o"
		fi
	done
done

# MANIFEST.txt: "<arch> <path relative to samples/objs> <sha256>", sorted by path
(
	cd "$OBJS"
	find . -type f ! -name MANIFEST.txt | sed 's|^\./||' | sort | while read -r p; do
		printf '%s %s %s\n' "${p%%/*}" "$p" "$(sha256sum "$p" | cut -d' ' -f1)"
	done
) >"$TMP/MANIFEST.txt"
{
	echo "# DynDbg.ElfSim sample objects: <arch> <path relative to samples/objs> <sha256>"
	echo "# generated by samples/src/build.sh ($("$CC" --version | head -1))"
	cat "$TMP/MANIFEST.txt"
} >"$OBJS/MANIFEST.txt"

echo "built $(grep -vc '^#' "$OBJS/MANIFEST.txt") objects, $(du -sb "$OBJS" | cut -f1) bytes in $OBJS"

if [ "$VERIFY" = 1 ]; then
	if command -v python3 >/dev/null 2>&1; then
		python3 "$SRC/verify.py" "$OBJS"
	else
		echo "python3 not found: skipped verify.py" >&2
	fi
fi
