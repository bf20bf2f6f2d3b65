#!/usr/bin/env bash
# bench-link.sh - time `ld.bfd -r -T SCRIPT` against DynDbg.ElfSim's `link -T SCRIPT` on synthetic objects of
# 10k dynamic-debug call sites each (1, 10 and 100 objects by default), whole process, best of three.
# See docs/linking.md for the figures and what the objects hold.
#
# Usage: scripts/bench-link.sh [-s SITES] [-S SCRIPT] [-t TOOL] [COUNT...]
#   -s SITES   call sites per object (default 10000)
#   -S SCRIPT  linker script (default linker/module.lds)
#   -t TOOL    the DynDbg.ElfSim executable (default: publish the native AOT build into the work directory)
#   COUNT...   object counts to link (default: 1 10 100)
# Work directory: ${BENCH_DIR:-/tmp/dyndbg-elfsim-bench} (objects are reused when present; delete it after
# changing the generator below).
# Needs: GNU as and ld.bfd (binutils), python3, /usr/bin/time, the .NET SDK unless -t is given.
set -euo pipefail

sites=10000
root=$(cd "$(dirname "$0")/.." && pwd)
script=$root/linker/module.lds
tool=""
while getopts "s:S:t:" opt; do
	case $opt in
	s) sites=$OPTARG ;;
	S) script=$(realpath "$OPTARG") ;;
	t) tool=$(realpath "$OPTARG") ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1 10 100)

work=${BENCH_DIR:-/tmp/dyndbg-elfsim-bench}
mkdir -p "$work/objs-$sites"
if [ -z "$tool" ]; then
	dotnet publish "$root/DynDbg.ElfSim" -c Release -r linux-x64 -o "$work/r2r" -v q -nologo >/dev/null
	tool=$work/r2r/DynDbg.ElfSim
fi

# One object: per call site a function that passes its descriptor to __dynamic_pr_debug (R_X86_64_PC32 and
# PLT32), a 6.1 struct _ddebug in __dyndbg (56 bytes, modname/function/filename/format relocated against
# .rodata.str1.1 as gas emits them) and its strings; every tenth object also carries the diet plan's
# .gnu.linkonce.dyndbg header, so the GNU linkonce rule has copies to drop.
gen() {
	python3 - "$1" "$2" <<'PY'
import sys
n, sites = int(sys.argv[1]), int(sys.argv[2])
o = []
w = o.append
w('\t.section .rodata.str1.1,"aMS",@progbits,1')
w(f'.Lmod:\t.asciz "bench"')
w(f'.Lfile:\t.asciz "drivers/bench/obj{n}.c"')
for i in range(sites):
    w(f'.Lfn{i}:\t.asciz "bench{n}_fn{i}"')
    w(f'.Lfmt{i}:\t.asciz "obj {n} site {i}: value %d\\n"')
w('\t.text')
for i in range(sites):
    w(f'\t.globl bench{n}_fn{i}\n\t.type bench{n}_fn{i},@function\nbench{n}_fn{i}:')
    w(f'\tleaq .Ldesc{i}(%rip), %rdi\n\tjmp __dynamic_pr_debug\n\t.size bench{n}_fn{i}, .-bench{n}_fn{i}')
w('\t.section __dyndbg,"aw"\n\t.balign 8')
for i in range(sites):
    w(f'.Ldesc{i}:\t.quad .Lmod, .Lfn{i}, .Lfile, .Lfmt{i}')
    w(f'\t.long {(i % 0x3ffff) | (63 << 18)}, 0\n\t.quad 0, 0')
if n % 10 == 0:
    w('\t.section .gnu.linkonce.dyndbg,"aw"\n\t.balign 8\n\t.weak _LINKONCE_dyndbg_header')
    w('_LINKONCE_dyndbg_header:\t.quad .Lmod, .Lmod, .Lmod, .Lmod\n\t.long 63 << 18, 0\n\t.quad 0, 0')
print('\n'.join(o))
PY
}

max=0
for c in "${counts[@]}"; do [ "$c" -gt "$max" ] && max=$c; done
for ((n = 0; n < max; n++)); do
	obj=$work/objs-$sites/o$n.o
	[ -s "$obj" ] || { gen "$n" "$sites" >"$work/gen.s" && as --64 -o "$obj" "$work/gen.s"; }
done

# best of three: wall seconds and max RSS (MB) of the fastest run
best() {
	local b="" line
	for _ in 1 2 3; do
		/usr/bin/time -o "$work/time.txt" -f "%e %M" "$@" >/dev/null 2>&1
		line=$(tail -1 "$work/time.txt")
		if [ -z "$b" ] || awk -v a="${line%% *}" -v b="${b%% *}" 'BEGIN { exit !(a < b) }'; then b=$line; fi
	done
	awk -v l="$b" 'BEGIN { split(l, f, " "); printf "%.2f s, %d MB", f[1], f[2] / 1024 }'
}

echo "script: ${script#"$root"/}; $sites call sites per object; $(ld.bfd -V | head -1); tool: $tool"
printf '| objects | call sites | input MB | ld.bfd -r -T | DynDbg.ElfSim link -T | output identical |\n|---|---|---|---|---|---|\n'
for c in "${counts[@]}"; do
	objs=()
	for ((n = 0; n < c; n++)); do objs+=("$work/objs-$sites/o$n.o"); done
	mb=$(du -cm "${objs[@]}" | tail -1 | cut -f1)
	ld_t=$(best ld.bfd -r -m elf_x86_64 -T "$script" -o "$work/ld.o" "${objs[@]}")
	our_t=$(best "$tool" link -T "$script" -o "$work/our.o" "${objs[@]}")
	same=no
	if diff <(readelf -W -S -s -r "$work/ld.o" | sed -E 's/^(  \[[ 0-9]+\] +[^ ]+ +[A-Z_]+ +[0-9a-f]+) [0-9a-f]+/\1/; s/at offset 0x[0-9a-f]+//') \
		<(readelf -W -S -s -r "$work/our.o" | sed -E 's/^(  \[[ 0-9]+\] +[^ ]+ +[A-Z_]+ +[0-9a-f]+) [0-9a-f]+/\1/; s/at offset 0x[0-9a-f]+//') >/dev/null; then
		same=yes
	fi
	printf '| %d | %d | %d | %s | %s | %s |\n' "$c" $((c * sites)) "$mb" "$ld_t" "$our_t" "$same"
done
