#!/usr/bin/env bash
# BenchmarkDotNet suite (DynDbg.ElfSim.Benchmarks) with a short job, its GitHub-Markdown tables written into
# docs/performance.md between the BDN markers, with the machine and the command. Usage: scripts/bench-dotnet.sh [JOB]
# JOB is a BenchmarkDotNet job name (default: short = 1 launch, 3 warm-ups, 3 iterations; "dry" for a smoke run).
# The input is the amd64 vmlinux from scripts/fetch-real.sh when cached (see DynDbg.ElfSim.Benchmarks/BenchmarkInput.cs).
set -euo pipefail
trap 'echo "bench-dotnet.sh: failed at line $LINENO" >&2' ERR
cd "$(dirname "$0")/.."
job=${1:-short}
art=.artifacts/bdn
rm -rf "$art"
cmd=(dotnet run -c Release --project DynDbg.ElfSim.Benchmarks -- --filter '*' --job "$job" --exporters github --artifacts "$art")
log=$(mktemp)
"${cmd[@]}" 2>&1 | tee "$log" >&2
input=$(grep -m1 '^// input:' "$log" | sed 's|^// input: ||' || true)
rm -f "$log"
out=$(mktemp)
{
  echo "<!-- BDN:BEGIN (scripts/bench-dotnet.sh $job, $(date -u +%Y-%m-%d), load average $(cut -d" " -f1 /proc/loadavg), $(nproc) cores, $(awk '/MemTotal/{printf "%d GiB", $2/1048576}' /proc/meminfo)) -->"
  echo
  echo "Command: \`${cmd[*]}\`"
  echo "Input: ${input:-see DynDbg.ElfSim.Benchmarks/BenchmarkInput.cs}"
  for f in "$art"/results/*-report-github.md; do
    echo
    # BenchmarkDotNet's own header (machine, runtime, job) is a code block; keep it as written.
    cat "$f"
  done
  echo
  echo "<!-- BDN:END -->"
} > "$out"
scripts/splice-doc.py BDN "$out" docs/performance.md 'Latest `scripts/bench-dotnet.sh` run (BenchmarkDotNet)'
cat "$out"
rm -f "$out"
