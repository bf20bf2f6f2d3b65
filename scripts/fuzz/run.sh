#!/usr/bin/env bash
# Coverage-guided fuzzing with SharpFuzz + AFL++ (issue 18), what `dotnet cake --target=FuzzCoverage` runs:
#   scripts/fuzz/run.sh TARGETS SECONDS
# TARGETS: one of the DynDbg.ElfSim.Fuzz targets, a comma-separated list, or `all`. Installs afl++ (Debian, when
# root) and the sharpfuzz tool (dotnet tool restore), builds DynDbg.ElfSim.Fuzz into .artifacts/fuzz/bin, instruments
# DynDbg.ElfSim.dll there, and runs afl-fuzz for SECONDS on each target in turn, from DynDbg.ElfSim.Fuzz/Corpus/<t>
# with its dictionary, into .artifacts/fuzz/out/<t>. Every crash and hang is copied into
# DynDbg.ElfSim.Tests/Fuzz/Findings/<t>/ (named by kind and content hash) and replayed through the uninstrumented entry
# point, which prints the input (base64) and the exception; then the run fails. Env FUZZ_NICE (default 10).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
targets=${1:?usage: run.sh TARGETS SECONDS}
seconds=${2:?usage: run.sh TARGETS SECONDS}
all=(elf profile script link loader diet query compress zram)
[ "$targets" = all ] && targets=$(IFS=,; echo "${all[*]}")

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
  else
    echo "error: afl-fuzz not found: install afl++ (Debian: apt-get install afl++)" >&2; exit 2
  fi
fi
dotnet tool restore >/dev/null

bin=$root/.artifacts/fuzz/bin
rm -rf "$bin"
dotnet build DynDbg.ElfSim.Fuzz -c Release -o "$bin" -v q -nologo >/dev/null
# An uninstrumented copy replays the findings: the exception the product throws, without the fuzzing hooks.
rm -rf "$bin-plain"; cp -r "$bin" "$bin-plain"
# Only the library is instrumented: the coverage AFL steers by is the product's, not the harness's or the runtime's.
dotnet sharpfuzz "$bin/DynDbg.ElfSim.dll"

# AFL's system checks, and why each is relaxed here:
#   AFL_SKIP_BIN_CHECK: the target binary is `dotnet`; the instrumentation is in the managed DynDbg.ElfSim.dll.
#   AFL_SKIP_CPUFREQ: VMs and containers have no cpufreq governor to check (this machine has none).
#   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: a core_pattern that pipes to a crash handler (apport, systemd-coredump)
#     makes AFL refuse to start; a managed crash is reported by SharpFuzz's fork server, not by a core dump.
#   AFL_NO_AFFINITY: do not pin to a core; the machine is shared (CI, other builds).
#   AFL_NO_UI: plain log lines instead of the curses screen (CI logs, background runs).
#   DOTNET_GCHeapHardLimit: the "bounded memory" oracle: past 2 GiB of managed heap an input ends in an
#     OutOfMemoryException, which is a crash (the product itself refuses images past 1 GiB: LDR009, LNK017).
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1
export DOTNET_GCHeapHardLimit=0x80000000
dotnet=$(command -v dotnet)
nice_level=${FUZZ_NICE:-10}
status=0
IFS=, read -r -a list <<<"$targets"
for t in "${list[@]}"; do
  case $t in
    script) dict=script.dict ;; query) dict=query.dict ;; zram) dict= ;; *) dict=elf.dict ;;
  esac
  dictargs=(); [ -z "$dict" ] || dictargs=(-x "DynDbg.ElfSim.Fuzz/Dictionaries/$dict")
  out=$root/.artifacts/fuzz/out/$t
  rm -rf "$out"; mkdir -p "$out"
  echo "== $t: afl-fuzz for ${seconds}s (corpus $(ls DynDbg.ElfSim.Fuzz/Corpus/$t | wc -l) seeds, dictionary ${dict:-none})"
  # -t 5000: an input that runs 5 s is a hang (a typical one takes well under 10 ms); -m none: the CLR reserves far
  # more address space than it uses (the heap bound is the GC limit above). timeout: AFL's own -V ends the run; the
  # outer bound catches a fuzzer that does not stop.
  rc=0
  timeout -k 10 $((seconds + 120)) nice -n "$nice_level" afl-fuzz -V "$seconds" -i "DynDbg.ElfSim.Fuzz/Corpus/$t" -o "$out" \
    "${dictargs[@]}" -t 5000 -m none -- "$dotnet" "$bin/DynDbg.ElfSim.Fuzz.dll" "$t" >"$out/afl.log" 2>&1 || rc=$?
  stats=$out/default/fuzzer_stats
  if [ ! -f "$stats" ]; then
    echo "error: afl-fuzz did not run for $t (exit $rc); its log:" >&2; tail -30 "$out/afl.log" >&2; status=1; continue
  fi
  # afl-fuzz ends with 0 when -V runs out. Anything else stopped it early: "Unable to communicate with fork server"
  # is the target process dying outside SharpFuzz's reach (a stack overflow, a runtime abort), an input AFL cannot
  # save as a crash; it fails the run like a crash.
  if [ "$rc" -ne 0 ]; then
    echo "error: afl-fuzz stopped $t early (exit $rc) after $(awk -F' *: *' '/^run_time/ {print $2}' "$stats") s; the end of its log:" >&2
    grep -v 'Fuzzing test case' "$out/afl.log" | tail -15 >&2
    status=1
  fi
  awk -F' *: *' -v t="$t" '/^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|total_edges|bitmap_cvg|stability|saved_crashes|saved_hangs)/ {s = s $1 "=" $2 " "} END {print t ": " s}' "$stats"
  found=0
  findings=DynDbg.ElfSim.Tests/Fuzz/Findings/$t
  for kind in crashes hangs; do
    for f in "$out"/default/$kind/id:*; do
      [ -e "$f" ] || continue
      found=$((found + 1)); mkdir -p "$findings"
      name=${kind%es}; name=${name%s}-$(sha1sum "$f" | cut -c1-12)
      cp "$f" "$findings/$name"
      echo "$t: $kind: $findings/$name (from $(basename "$f"))"
    done
  done
  if [ "$found" -gt 0 ]; then
    status=1
    echo "$t: $found finding(s); the uninstrumented replay of each (input as base64, then the exception):"
    DOTNET_GCHeapHardLimit=0x80000000 timeout -k 5 120 "$dotnet" "$bin-plain/DynDbg.ElfSim.Fuzz.dll" "$t" "$findings"/* || true
  fi
done
exit "$status"
