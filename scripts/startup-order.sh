#!/usr/bin/env bash
# startup-order.sh - regenerate DynDbg.ElfSim/startup.order, the ILCompiler's method order (IlcOrderFile): the
# managed methods the native binary runs, in first-call order, link's first and then the other commands'. Laid out
# together they fill a few hundred KB of code pages instead of ~3.5 MB (the kernel maps executable pages in 64 KB
# windows around each fault, and start-up code is spread over nearly all of __managedcode in the default order).
# A name the order no longer matches is ignored, so a stale file only costs memory: rerun this after larger changes
# (docs/performance.md, "Start-up memory of the native binary").
#
# Usage: scripts/startup-order.sh [-t DIR] [OBJECT...]
#   -t DIR     a published linux-x64 build (DIR/DynDbg.ElfSim and DIR/DynDbg.ElfSim.dbg); default: publish one
#   OBJECT...  more objects to link in the traced runs (e.g. a large module), right after an empty one
# Needs: a C compiler (cc), binutils (nm, readelf), python3; ptrace of a child process (no root).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=""
while getopts "t:" opt; do
	case $opt in
	t) bin=$(realpath "$OPTARG") ;;
	*) sed -n '2,12p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$bin" ]; then
	dotnet publish "$root/DynDbg.ElfSim" -c Release -r linux-x64 -o "$work/bin" -v q -nologo >/dev/null
	bin=$work/bin
fi
tool=$bin/DynDbg.ElfSim
cc -O2 -o "$work/trace" "$root/scripts/startup-order/trace.c"

# The managed methods: function symbols of the .dbg inside __managedcode (the native runtime is laid out by the
# C linker, not by this order).
read -r start size < <(readelf -SW "$tool" | awk '$2 == "__managedcode" { print $4, $6 }')
nm "$bin/DynDbg.ElfSim.dbg" | awk -v lo=$((16#$start)) -v hi=$((16#$start + 16#$size)) '
	$2 ~ /^[tT]$/ { a = 0; for (i = 1; i <= length($1); i++) a = a * 16 + index("0123456789abcdef", substr($1, i, 1)) - 1;
	                if (a >= lo && a < hi) print $1, $3 }' > "$work/syms"
awk '{ print $1 }' "$work/syms" | sort -u > "$work/offsets"

x86=$root/samples/objs/x86_64
run() { "$work/trace" "$work/offsets" "$work/hits.$((++runs))" "$tool" "$@" >/dev/null 2>&1 || true; }
runs=0
printf 'int x;\n' | cc -c -x c -o "$work/empty.o" - # what every link runs, whatever its inputs
run link -T "$root/linker/module.lds" -o "$work/out.o" "$work/empty.o"
for o in "$@"; do
	run link -T "$root/linker/module.lds" -o "$work/out.o" "$(realpath "$o")"
done
run link -T "$root/linker/module.lds" -o "$work/out.o" "$x86/gamma.o"
run link -T "$root/linker/module.lds" -o "$work/out.o" -Map "$work/out.map" "$x86/alpha_main.o" "$x86/alpha_util.o"
run link -T "$root/linker/module.lds" -o "$work/out.o" --format json "$x86/diet/v5/beta_core.o" "$x86/diet/v5/beta_proto.o"
run link -T "$root/linker/module.lds" -o "$work/out.o" "$work/missing.o"
run load "$x86/alpha.ko" --sections
run load "$x86/vmlinux.o"
run check "$x86/diet/v5/alpha.ko"
run control "$x86/alpha.ko"
run explain -T "$root/linker/module.lds" "$x86/diet/v5/alpha_main.o" "$x86/diet/v5/alpha_util.o"
run compress "$x86/vmlinux.o"
run zram "$x86/alpha.ko"
run diet "$x86/gamma.ko" -o "$work/diet"
run report -o "$work/report.html" "$x86/diet/v5/alpha_main.o" "$x86/diet/v5/alpha_util.o"
run --help

python3 - "$work" "$runs" > "$root/DynDbg.ElfSim/startup.order" <<'PY'
import sys
work, runs = sys.argv[1], int(sys.argv[2])
names = {}
for line in open(f"{work}/syms"):
    offset, name = line.split()
    names.setdefault(int(offset, 16), []).append(name)
seen = set()
for i in range(1, runs + 1):
    for line in open(f"{work}/hits.{i}"):
        offset = int(line, 16)
        if offset not in seen:
            seen.add(offset)
            print("\n".join(names[offset]))  # every name of a folded body: the order file matches by name
PY
echo "$(wc -l < "$root/DynDbg.ElfSim/startup.order") methods in DynDbg.ElfSim/startup.order" >&2
