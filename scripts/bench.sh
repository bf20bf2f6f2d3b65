#!/usr/bin/env bash
# Whole-process timings of DynDbg.ElfSim against readelf on the same Debian inputs (best of N runs), written into
# docs/performance.md between the BENCH markers. Usage: scripts/bench.sh [RUNS]   (default 3)
# Publishes the native AOT build to .artifacts/bench first; inputs come from scripts/fetch-real.sh (cached).
set -euo pipefail
trap 'echo "bench.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
runs=${1:-3}
command -v /usr/bin/time >/dev/null || { echo "bench.sh: needs /usr/bin/time (Debian package 'time')" >&2; exit 3; }

eval "$(scripts/fetch-real.sh --arch amd64 | sed -n 's/^\(VMLINUX_amd64\|MODULES_amd64\|ABI_amd64\)=\(.*\)$/\1="\2"/p')"
V=$VMLINUX_amd64 M=$MODULES_amd64
tool=.artifacts/bench/DynDbg.ElfSim
dotnet publish DynDbg.ElfSim -c Release -r linux-x64 -o .artifacts/bench -v q >&2
mapfile -t kos < <(find "$M" -name '*.ko' | sort)

# best wall seconds and its max RSS (KB) of `runs` runs of a shell command line
best() {
  local b="" rss="" t r tf
  tf=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tf" -f "%e %M" bash -c "$1" >/dev/null 2>&1 || true
    read -r t r < "$tf"
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; rss=$r; fi
  done
  rm -f "$tf"
  echo "$b $rss"
}

row() { # label command
  read -r t r < <(best "$2")
  printf '| %s | %s s | %s MB |\n' "$1" "$t" "$((r / 1024))"
}

list=$(mktemp)
printf '%s\n' "${kos[@]}" > "$list"
many="xargs -d '\\n' -a $list -s 2000000" # one process for all modules (a single bash -c argument is capped at 128 KB)
out=$(mktemp)
{
  echo "<!-- BENCH:BEGIN (scripts/bench.sh $runs, $(date -u +%Y-%m-%d), load average $(cut -d" " -f1 /proc/loadavg), $(nproc) cores, $(awk '/MemTotal/{printf "%d GiB", $2/1048576}' /proc/meminfo), ABI $ABI_amd64) -->"
  echo
  echo "| command (best of $runs, whole process) | wall | max RSS |"
  echo "|---|---|---|"
  row "\`readelf -sW vmlinux \\| grep __start___dyndbg\`" "readelf -sW '$V' | grep -E '__(start|stop)___dyndbg\$'"
  row "\`DynDbg.ElfSim load vmlinux\`" "$tool load '$V'"
  row "\`DynDbg.ElfSim load --control vmlinux\`" "$tool load --control '$V'"
  row "\`DynDbg.ElfSim compress vmlinux\`" "$tool compress --budget-ms 0 '$V'"
  row "\`readelf -SW\` over the ${#kos[@]} amd64 modules (one process)" "$many readelf -SW"
  row "\`DynDbg.ElfSim load --control --separate\` over the same modules (one process)" "$many $tool load --control --separate"
  row "\`DynDbg.ElfSim check\` of the module tree (all cores)" "$tool check '$M'"
  row "\`DynDbg.ElfSim control vmlinux + all modules, 3 writes\`" "$many $tool control '$V' --query 'module bnep +p' --query 'func *probe* +pmf' --query 'file drivers/usb/* =_'"
  echo
  echo "<!-- BENCH:END -->"
} > "$out"

scripts/splice-doc.py BENCH "$out" docs/performance.md 'Latest `scripts/bench.sh` run'
cat "$out"
