#!/usr/bin/env bash
# bench-scale.sh - issue 6: how `load`, `link`, `check` and `compress` grow with the input. Synthesises (with
# `synth`, seed 1) a vmlinux.o of 10k, 100k and 1M call sites and module trees of 100, 1000 and 10 000 modules
# (20 call sites per module on average), runs each command once per input under /usr/bin/time and writes the
# table between the SCALE markers of docs/performance.md (and prints it).
#
# Usage: scripts/bench-scale.sh [-t TOOL] [-n] [-c "10000 100000 1000000"] [-m "100 1000 10000"]
#   -t TOOL  the DynDbg.ElfSim executable (default: publish the native AOT build into the work directory)
#   -n       print the table only; leave docs/performance.md alone
#   -c / -m  the vmlinux.o call-site counts and the module-tree sizes
# Work directory: ${BENCH_DIR:-/tmp/dyndbg-elfsim-scale} (inputs are regenerated each run; ~1.5 GB at 1M).
# Needs: /usr/bin/time, python3, the .NET SDK unless -t is given.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tool=""
write_doc=1
callsites="10000 100000 1000000"
trees="100 1000 10000"
while getopts "t:nc:m:" opt; do
	case $opt in
	t) tool=$(realpath "$OPTARG") ;;
	n) write_doc=0 ;;
	c) callsites=$OPTARG ;;
	m) trees=$OPTARG ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done

work=${BENCH_DIR:-/tmp/dyndbg-elfsim-scale}
mkdir -p "$work"
if [ -z "$tool" ]; then
	dotnet publish "$root/DynDbg.ElfSim" -c Release -r linux-x64 -o "$work/r2r" -v q -nologo >/dev/null
	tool=$work/r2r/DynDbg.ElfSim
fi

rows=$work/rows.md
: >"$rows"

# measure LABEL INPUT-BYTES CMD...: one run, wall seconds and peak RSS; exit status 0 or 1 (a verdict) is fine.
measure() {
	local label=$1 bytes=$2
	shift 2
	local t=$work/time.txt rc=0
	/usr/bin/time -f "%e %M" -o "$t" "$@" >"$work/out.txt" 2>"$work/err.txt" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "failed ($rc): $*" >&2
		cat "$work/err.txt" >&2
		printf '| %s | failed (exit %s) | | |\n' "$label" "$rc" >>"$rows"
		return
	fi
	# time(1) puts "Command exited with non-zero status N" first when the verdict is 1.
	read -r wall rss < <(tail -n 1 "$t")
	local input="-"
	[ "$bytes" -gt 0 ] && input="$((bytes / 1048576)) MB"
	printf '| %s | %s s | %d MB | %s |\n' "$label" "$wall" $((rss / 1024)) "$input" >>"$rows"
	tail -n 1 "$rows"
}

mb() { du -sb "$1" | cut -f1; }

for n in $callsites; do
	d=$work/vmlinux-$n
	rm -rf "$d"
	mkdir -p "$d"
	measure "\`synth --callsites $n\` (vmlinux.o)" 0 "$tool" synth -o "$d" --callsites "$n" --seed 1
	size=$(mb "$d/vmlinux.o")
	measure "\`load\` vmlinux.o, $n call sites" "$size" "$tool" load "$d/vmlinux.o"
	measure "\`link -T linker/vmlinux-dyndbg.lds\` vmlinux.o, $n" "$size" "$tool" link -T "$root/linker/vmlinux-dyndbg.lds" -o "$d/linked.o" "$d/vmlinux.o"
	measure "\`check\` vmlinux.o, $n" "$size" "$tool" check "$d/vmlinux.o"
	measure "\`compress --budget-ms 0\` vmlinux.o, $n" "$size" "$tool" compress --budget-ms 0 "$d/vmlinux.o"
	rm -f "$d/linked.o"
done

for m in $trees; do
	d=$work/tree-$m
	rm -rf "$d"
	mkdir -p "$d"
	n=$((m * 20))
	measure "\`synth --modules $m --callsites $n\`" 0 "$tool" synth -o "$d" --modules "$m" --callsites "$n" --seed 1
	tree=$d/lib/modules/synth
	size=$(mb "$tree")
	measure "\`load --separate\` $m modules, $n call sites" "$size" "$tool" load --separate $(find "$tree" -name '*.ko' | sort)
	measure "\`check\` $m modules" "$size" "$tool" check "$tree"
	measure "\`compress --total --budget-ms 0\` $m modules" "$size" "$tool" compress --total --budget-ms 0 "$tree"
done

date=$(date -u +%Y-%m-%d)
load=$(cut -d' ' -f1 /proc/loadavg)
header="<!-- SCALE:BEGIN (scripts/bench-scale.sh, $date, load average $load, $(nproc) cores) -->"
table=$work/table.md
{
	echo "$header"
	echo
	echo "| command (one run, whole process) | wall | max RSS | input |"
	echo "|---|---|---|---|"
	cat "$rows"
	echo
	echo "<!-- SCALE:END -->"
} >"$table"
cat "$table"

if [ "$write_doc" = 1 ]; then
	python3 - "$root/docs/performance.md" "$table" <<'PY'
import re, sys
doc, table = sys.argv[1], open(sys.argv[2]).read().rstrip("\n")
text = open(doc).read()
pattern = re.compile(r"<!-- SCALE:BEGIN.*?<!-- SCALE:END -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: table, text)
else:
    text = text.rstrip("\n") + "\n\n## Scale (issue 6): synthetic inputs\n\n" + table + "\n"
open(doc + ".tmp", "w").write(text)
import os
os.replace(doc + ".tmp", doc)
PY
fi
