#!/usr/bin/env bash
# Builds the control-file oracle: the real lib/dynamic_debug.c of Debian's linux-source-6.1, compiled for
# userspace with kshim.h and driven by harness.c (see docs/control.md, "Oracle"). Prints ORACLE=<path> on stdout.
#
# The kernel files come from `apt-get download linux-source-6.1` (no root needed) and only the ones below are
# kept, under ${DYNDBG_ELFSIM_CACHE:-~/.cache/dyndbg-elfsim}/control-oracle; nothing is written to the clone.
# A warm run (same harness inputs) calls neither apt nor the compiler. Exit 3 when apt/dpkg or cc are missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${DYNDBG_ELFSIM_CACHE:-$HOME/.cache/dyndbg-elfsim}/control-oracle
pkg=linux-source-6.1
files=(lib/dynamic_debug.c lib/string_helpers.c lib/parser.c lib/kstrtox.c lib/kstrtox.h lib/ctype.c lib/hexdump.c
       kernel/jump_label.c include/linux/dynamic_debug.h include/linux/string_helpers.h include/linux/ctype.h)

inputs=$(cat "$here/build.sh" "$here/kshim.h" "$here/harness.c" "$here/extract.py" | sha256sum | cut -c1-16)
for built in "$cache"/*/oracle-"$inputs"; do
  if [ -x "$built" ]; then echo "ORACLE=$built"; exit 0; fi
done

cc=${CC:-gcc}
for tool in apt-get apt-cache dpkg-deb tar xz python3 "$cc"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool is missing" >&2; exit 3; }
done

version=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
[ -n "$version" ] || { echo "build.sh: apt knows no $pkg (apt-get update?)" >&2; exit 3; }
src=$cache/$version/src
if [ ! -f "$src/.complete" ]; then
  tmp=$(mktemp -d "$cache.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "$cache")"; mktemp -d "$cache.tmp.XXXXXX"; })
  trap 'rm -rf "$tmp"' EXIT
  echo "build.sh: downloading $pkg $version" >&2
  sandbox=(); [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)  # the cache may be 0700
  (cd "$tmp" && apt-get download -q=2 "${sandbox[@]}" "$pkg=$version" >&2)
  deb=$(ls "$tmp"/*.deb)
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz \
    | tar -xJ -C "$tmp" "${files[@]/#/linux-source-6.1/}"
  mkdir -p "$(dirname "$src")"
  rm -rf "$src"
  mv "$tmp/linux-source-6.1" "$src"
  touch "$src/.complete"
fi

build=$cache/$version/build
rm -rf "$build"
mkdir -p "$build/inc"
# The kernel files' #include <...> lines are pointed at inc/ (quoted, so the C library's own <linux/*.h> stay
# intact): every header they name is an empty stub there, kshim.h providing what it would have, except the three
# real headers the code takes its types, flag values and ctype macros from.
real=(include/linux/dynamic_debug.h include/linux/string_helpers.h include/linux/ctype.h)
redirect() { sed 's|^#include <\(.*\)>|#include "inc/\1"|' "$1" >"$2"; }
grep -ho '^#include <[^>]*>' "$src/lib/dynamic_debug.c" "${real[@]/#/$src/}" | sed 's/#include <\(.*\)>/\1/' | sort -u \
  | while read -r h; do mkdir -p "$build/inc/$(dirname "$h")"; : >"$build/inc/$h"; done
for h in "${real[@]}"; do redirect "$src/$h" "$build/inc/linux/$(basename "$h")"; done
redirect "$src/lib/dynamic_debug.c" "$build/dynamic_debug.c"
cp "$src/lib/kstrtox.h" "$here/harness.c" "$here/kshim.h" "$build/"
{
  echo '#include "inc/linux/ctype.h"'
  echo '#include "inc/linux/string_helpers.h"'
  echo '#include "kstrtox.h"'
  python3 "$here/extract.py" "$src/lib/ctype.c" _ctype
  python3 "$here/extract.py" "$src/lib/hexdump.c" hex_to_bin
  python3 "$here/extract.py" "$src/lib/parser.c" match_wildcard
  python3 "$here/extract.py" "$src/lib/kstrtox.c" _parse_integer_fixup_radix _parse_integer_limit _parse_integer \
    _kstrtoull kstrtoull kstrtouint
  python3 "$here/extract.py" "$src/lib/string_helpers.c" unescape_space unescape_octal unescape_hex unescape_special \
    string_unescape escape_passthrough escape_space escape_special escape_null escape_octal escape_hex \
    string_escape_mem skip_spaces match_string
  python3 "$here/extract.py" "$src/kernel/jump_label.c" static_key_enable_cpuslocked static_key_disable_cpuslocked
} >"$build/helpers.c"
"$cc" -std=gnu11 -O1 -w -include "$build/kshim.h" -iquote "$build" -o "$build/oracle" "$build/harness.c"
rm -f "$cache/$version"/oracle-*
mv "$build/oracle" "$cache/$version/oracle-$inputs"
echo "ORACLE=$cache/$version/oracle-$inputs"
