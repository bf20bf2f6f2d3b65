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
files=(lib/dynamic_debug.c lib/string_helpers.c lib/parser.c lib/kstrtox.c lib/kstrtox.h lib/ctype.c lib/hexdump.c
       kernel/jump_label.c include/linux/dynamic_debug.h include/linux/string_helpers.h include/linux/ctype.h)

. "$here/../lib/linux-source.sh"
inputs=$(cat "$here/build.sh" "$here/kshim.h" "$here/harness.c" "$here/extract.py" "$here/../lib/linux-source.sh" | sha256sum | cut -c1-16)
oracle_cached "$cache" "$inputs"
linux_source "$cache" "${files[@]}"

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
