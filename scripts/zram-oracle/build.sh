#!/usr/bin/env bash
# Builds the zram compressor oracle: the real lib/lzo, lib/lz4, lib/zstd and lib/xxhash.c of Debian's
# linux-source-6.1 (and the size-class lines of mm/zsmalloc.c, page_same_filled of drivers/block/zram/zram_drv.c),
# compiled for userspace with zshim.h and driven by harness.c (see docs/compression.md, "zram's compressors
# against the kernel's own code"). Prints ORACLE=<path> on stdout.
#
# The kernel files come from `apt-get download linux-source-6.1` (no root needed) and only the ones below are
# kept, under ${DYNDBG_ELFSIM_CACHE:-~/.cache/dyndbg-elfsim}/zram-oracle; nothing is written to the clone.
# A warm run (same inputs) calls neither apt nor the compiler. Exit 3 when apt/dpkg or cc are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DYNDBG_ELFSIM_CACHE:-$HOME/.cache/dyndbg-elfsim}/zram-oracle
files=(lib/lzo lib/lz4 lib/zstd lib/xxhash.c include/linux/lzo.h include/linux/lz4.h include/linux/zstd.h
       include/linux/zstd_errors.h include/linux/zstd_lib.h include/linux/xxhash.h crypto/lzo-rle.c crypto/lz4.c
       crypto/lz4hc.c crypto/zstd.c mm/zsmalloc.c drivers/block/zram/zram_drv.c drivers/block/zram/zcomp.c)

. "$here/../lib/linux-source.sh"
inputs=$(cat "$here/build.sh" "$here/zshim.h" "$here/harness.c" "$here/../control-oracle/extract.py" "$here/../lib/linux-source.sh" | sha256sum | cut -c1-16)
oracle_cached "$cache" "$inputs"
linux_source "$cache" "${files[@]}"

build=$cache/$version/build
rm -rf "$build"
mkdir -p "$build/inc/linux" "$build/inc/asm"
# Every <...> include of the kernel files is pointed at inc/ (quoted, so the C library's own headers stay intact):
# the six real headers the code takes its API from are copied there, every other one is an empty stub, zshim.h
# (force-included) providing what it would have.
redirect() { sed 's|^\([ \t]*#[ \t]*include[ \t]*\)<\(.*\)>|\1"inc/\2"|' "$1" >"$2"; }
mkdir -p "$build/lib"
cp -r "$src/lib/lzo" "$src/lib/lz4" "$src/lib/zstd" "$build/lib/"
cp "$src/lib/xxhash.c" "$build/lib/"
find "$build/lib" -name '*.[ch]' -print0 | while IFS= read -r -d '' f; do redirect "$f" "$f.r" && mv "$f.r" "$f"; done
for h in lzo lz4 zstd zstd_errors zstd_lib xxhash; do redirect "$src/include/linux/$h.h" "$build/inc/linux/$h.h"; done
grep -rhoE '^[ 	]*#[ 	]*include[ 	]*"inc/[^"]*"' "$build/lib" "$build/inc" | sed 's/.*"inc\/\(.*\)"/\1/' | sort -u \
  | while read -r h; do [ -f "$build/inc/$h" ] || { mkdir -p "$build/inc/$(dirname "$h")"; : >"$build/inc/$h"; }; done
cp "$here/harness.c" "$here/zshim.h" "$build/"
{
  # mm/zsmalloc.c: the size-class constants, get_size_class_index, get_pages_per_zspage and can_merge as they are, and the class loop
  # of zs_create_pool verbatim (its kzalloc is zshim's calloc; a failure jumps to err)
  sed -n '/^#define ZS_ALIGN/,/^#define ZS_SIZE_CLASSES/{p};/^#define ZS_SIZE_CLASSES/{n;p}' "$src/mm/zsmalloc.c"
  sed -n '/^enum fullness_group {/,/^};/p' "$src/mm/zsmalloc.c"
  echo 'struct list_head { struct list_head *next, *prev; };'
  echo 'static void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }'
  sed -n '/^struct size_class {/,/^};/p' "$src/mm/zsmalloc.c" | grep -v 'spinlock_t\|struct zs_size_stat\|CONFIG_ZSMALLOC_STAT\|^#'
  echo 'struct zs_pool { struct size_class *size_class[ZS_SIZE_CLASSES]; };'
  echo 'static size_t huge_class_size;'
  python3 "$here/../control-oracle/extract.py" "$src/mm/zsmalloc.c" get_size_class_index get_pages_per_zspage can_merge
  echo 'static int zs_create_classes(struct zs_pool *pool)'
  echo '{'
  echo '	int i;'
  echo '	struct size_class *prev_class = NULL;'
  echo '#define kzalloc(n, f) calloc(1, n)'
  sed -n '/^struct zs_pool \*zs_create_pool/,/^}/p' "$src/mm/zsmalloc.c" | sed -n '/^\tfor (i = ZS_SIZE_CLASSES - 1/,/^\t}/p'
  echo '#undef kzalloc'
  echo '	return 0;'
  echo 'err:'
  echo '	return -1;'
  echo '}'
  # drivers/block/zram/zram_drv.c: the same-filled test zram runs before it compresses a page
  python3 "$here/../control-oracle/extract.py" "$src/drivers/block/zram/zram_drv.c" page_same_filled
} >"$build/kernel-bits.c"
objs=()
# the kernel's own code-generation flags that change meaning (Makefile: -fno-strict-aliasing, -fno-strict-overflow,
# -fno-delete-null-pointer-checks); without the first, gcc -O2 miscompiles lzo1x_decompress_safe's copies
cflags=(-std=gnu11 -O2 -fno-strict-aliasing -fno-strict-overflow -fno-delete-null-pointer-checks -w -Werror=implicit-function-declaration -Werror=implicit-int -Werror=int-conversion -include "$build/zshim.h" -iquote "$build")
for f in lib/lzo/lzo1x_compress_safe.c lib/lzo/lzo1x_decompress_safe.c lib/lz4/lz4_compress.c lib/lz4/lz4hc_compress.c \
         lib/lz4/lz4_decompress.c lib/xxhash.c lib/zstd/zstd_compress_module.c lib/zstd/zstd_decompress_module.c \
         $(cd "$build" && ls lib/zstd/common/*.c lib/zstd/compress/*.c lib/zstd/decompress/*.c) harness.c; do
  o=$build/obj/${f//\//_}.o
  mkdir -p "$build/obj"
  "$cc" "${cflags[@]}" -c -o "$o" "$build/$f"
  objs+=("$o")
done
"$cc" -o "$build/oracle" "${objs[@]}"
rm -f "$cache/$version"/oracle-*
mv "$build/oracle" "$cache/$version/oracle-$inputs"
echo "ORACLE=$cache/$version/oracle-$inputs"
