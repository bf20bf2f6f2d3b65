#!/usr/bin/env bash
# The .NET tool `dyndbg-elfsim` as .NET 10 RID-specific tool packages (issue 14): the tool a package install gives is
# the native AOT binary, not the JIT one.
#   scripts/tool-package.sh [--verify] [DIR]        (DIR: default .artifacts/tool-packages)
# Packs three packages into DIR (after emptying it):
#   dyndbg-elfsim.<V>.nupkg            what users install: no code, only a DotnetToolSettings.xml naming the two below
#   dyndbg-elfsim.<RID>.<V>.nupkg      the native AOT binary (tools/any/<RID>/DynDbg.ElfSim); RID is this host's,
#                                      linux-x64 or linux-arm64 (the arm64 binary cross-compiled on x64 by
#                                      scripts/publish-arm64.sh is not packed: the arm64 pick can't be checked there)
#   dyndbg-elfsim.any.<V>.nupkg        framework-dependent (needs the .NET 10 runtime), for every other host
# Then `dotnet tool install -g dyndbg-elfsim --add-source DIR` (or `dotnet dnx dyndbg-elfsim --add-source DIR`) picks
# the package of the host's RID, or `any` when there is none. A feed holding both native packages needs a pointer
# package naming both: pack it with -p:ToolPackageRuntimeIdentifiers="linux-x64;linux-arm64;any" (a RID named there
# without its package in the feed makes the install fail on that host; it does not fall back to `any`).
# --verify (what .ci/run runs): installs from DIR into a temporary --tool-path (DIR plus the normal NuGet sources, a
# failing remote source only a warning), checks that the command is the native ELF executable (not the 78 KB
# apphost of the framework-dependent package; no DynDbg.ElfSim.dll installed), and runs the bundled sample through
# it and through `dotnet run`: exit 0 and identical output, or this script exits 1.
# Trim/AOT warnings are errors (TreatWarningsAsErrors in Directory.Build.props is also ILC's --warnaserror); any
# other warning in the pack output is printed and fails too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
verify=0
if [ "${1:-}" = --verify ]; then verify=1; shift; fi
out=$(realpath -m "${1:-.artifacts/tool-packages}")

case $(uname -m) in
  x86_64) rid=linux-x64 ;;
  aarch64) rid=linux-arm64 ;;
  *) echo "error: no native AOT package for $(uname -m); use the framework-dependent tool (dotnet pack -r any)" >&2; exit 2 ;;
esac
# The project lists linux-x64;any; an arm64 host names its own RID instead.
rids="-p:ToolPackageRuntimeIdentifiers=\"$rid;any\""

work=$(mktemp -d "${TMPDIR:-/tmp}/dyndbg-elfsim-toolpkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# Each pack publishes into its own empty folder: PackTool takes everything in the publish folder, so a shared
# bin/.../publish/ could carry files of an earlier `dotnet publish` into the package.
pack() {  # pack NAME [RID]
  local name=$1 log=$work/pack-$1.log start=$SECONDS
  shift
  if ! dotnet pack DynDbg.ElfSim -c Release "$@" "$rids" -o "$out" -p:PublishDir="$work/publish-$name/" -nologo >"$log" 2>&1; then
    cat "$log" >&2
    echo "error: dotnet pack ($name) failed" >&2
    return 1
  fi
  if grep -E ': warning [A-Z]+[0-9]+' "$log" >&2; then
    echo "error: dotnet pack ($name) printed the warnings above" >&2
    return 1
  fi
  echo "packed $name in $((SECONDS - start)) s"
}
pack "$rid" -r "$rid"
pack any -r any
# The pointer package holds no code: nothing to compile (the two packs above restored the project).
pack pointer --no-build
version=$(dotnet msbuild DynDbg.ElfSim -getProperty:Version -nologo)
for id in dyndbg-elfsim dyndbg-elfsim.$rid dyndbg-elfsim.any; do
  [ -f "$out/$id.$version.nupkg" ] || { echo "error: $out/$id.$version.nupkg was not made" >&2; exit 1; }
done
echo "tool packages ($rid, any, pointer; 0 warnings) in $out:"
ls -l "$out"
[ "$verify" = 1 ] || exit 0

tools=$work/tools
dotnet tool install --tool-path "$tools" dyndbg-elfsim --version "$version" \
  --add-source "$out" --ignore-failed-sources >"$work/install.log" 2>&1 || {
  cat "$work/install.log" >&2; echo "error: dotnet tool install from $out failed" >&2; exit 1; }
cmd=$tools/dyndbg-elfsim
exe=$(readlink -f "$cmd")
fail() { echo "error: the installed tool: $*" >&2; exit 1; }
[ -x "$exe" ] || fail "$cmd is not an executable"
[ "$(head -c 4 "$exe" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || fail "$exe is not an ELF file"
case $exe in */dyndbg-elfsim.$rid/*/tools/any/$rid/DynDbg.ElfSim) ;; *) fail "$cmd resolves to $exe, not the $rid package's binary" ;; esac
[ "$(stat -c %s "$exe")" -gt 1000000 ] || fail "$exe is $(stat -c %s "$exe") bytes: an apphost shim, not the native binary"
if find "$tools/.store" -name 'DynDbg.ElfSim.dll' | grep -q .; then fail "a DynDbg.ElfSim.dll was installed (the framework-dependent package)"; fi

sample=(load samples/objs/x86_64/diet/v5/alpha_main.o samples/objs/x86_64/diet/v5/alpha_util.o)
rc=0
"$cmd" "${sample[@]}" >"$work/installed.out" 2>"$work/installed.err" || rc=$?
[ "$rc" = 0 ] || { cat "$work/installed.err" >&2; fail "${sample[*]} exited $rc"; }
jrc=0
dotnet run --project DynDbg.ElfSim -- "${sample[@]}" >"$work/jit.out" 2>"$work/jit.err" || jrc=$?
[ "$jrc" = 0 ] || { cat "$work/jit.err" >&2; echo "error: dotnet run ${sample[*]} exited $jrc" >&2; exit 1; }
if ! diff -u "$work/jit.out" "$work/installed.out" >&2 || ! diff -u "$work/jit.err" "$work/installed.err" >&2; then
  fail "${sample[*]} output differs from dotnet run's (above: - dotnet run, + installed)"
fi
echo "installed tool: $(file -b "$exe" 2>/dev/null | cut -d, -f1-2), $(stat -c %s "$exe") bytes; ${sample[*]}: exit 0, output identical to dotnet run ($(wc -l <"$work/installed.out") lines)"
