#!/usr/bin/env bash
# The linux-arm64 native AOT binary, cross-compiled on a linux-x64 host (issue 14): the same `dotnet publish -r
# linux-arm64` an arm64 host runs (the project names aarch64-linux-gnu-objcopy on an x64 host), after checking the
# cross toolchain is there.
#   scripts/publish-arm64.sh [--verify] [DIR]        (DIR: default .artifacts/aot-linux-arm64; the binary is DIR/DynDbg.ElfSim)
# Needs (Debian; installs nothing itself, .ci/run does): clang (the ILCompiler's linker driver, with
# --target=aarch64-linux-gnu; without clang it tries gcc, which fails), binutils-aarch64-linux-gnu
# (aarch64-linux-gnu-ld.bfd, the linker clang runs, and aarch64-linux-gnu-objcopy, which splits DynDbg.ElfSim.dbg
# off: the host objcopy knows no aarch64 and llvm-objcopy comes only with the llvm package), gcc-aarch64-linux-gnu
# (crtbegin.o and libgcc of the target), and through the arm64 foreign architecture zlib1g-dev:arm64 (the runtime
# links -lz; it brings libc6-dev:arm64, the target's crt1.o and libc). --verify also needs qemu-user (qemu-aarch64),
# libc6:arm64 (also from zlib1g-dev:arm64) and, as on the host, libzstd1:arm64 (compress prints which zstd it found,
# and one run uses it).
# On an arm64 host this is a plain native publish (the checks below and the objcopy name only apply on x86_64).
# --verify (what .ci/run runs): runs the arm64 binary under qemu-aarch64 and a framework-dependent Release build of
# the same tree on the host, on six commands (load, check of a tree, load --control, compress with ZstdSharp.Port and
# with the system libzstd, link -T with a map): exit code, stdout, stderr and the files written must be identical, or
# this script exits 1.
# qemu-aarch64 runs without -L: /lib/ld-linux-aarch64.so.1 is libc6:arm64's, the same glibc as the libc it loads
# (with -L /usr/aarch64-linux-gnu the loader of libc6-arm64-cross, a different 2.36 build, meets libc6:arm64's
# libc.so.6 from ld.so.cache and the process spins at start-up).
set -euo pipefail
cd "$(dirname "$0")/.."
verify=0
if [ "${1:-}" = --verify ]; then verify=1; shift; fi
out=$(realpath -m "${1:-.artifacts/aot-linux-arm64}")

if [ "$(uname -m)" = x86_64 ]; then
  for tool in clang aarch64-linux-gnu-ld.bfd aarch64-linux-gnu-objcopy; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (see the header of $0 for the packages)" >&2; exit 2; }
  done
  [ -e /usr/lib/aarch64-linux-gnu/libz.so ] || { echo "error: no /usr/lib/aarch64-linux-gnu/libz.so: install zlib1g-dev:arm64" >&2; exit 2; }
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dyndbg-elfsim-arm64.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
start=$SECONDS
if ! dotnet publish DynDbg.ElfSim -c Release -r linux-arm64 -o "$out" -nologo >"$work/publish.log" 2>&1; then
  cat "$work/publish.log" >&2
  echo "error: dotnet publish -r linux-arm64 failed" >&2
  exit 1
fi
if grep -E ': warning [A-Z]+[0-9]+' "$work/publish.log" >&2; then
  echo "error: dotnet publish -r linux-arm64 printed the warnings above" >&2
  exit 1
fi
exe=$out/DynDbg.ElfSim
case $(file -b "$exe") in
  *"ELF 64-bit LSB executable, ARM aarch64"*) ;; # not a PIE: DynDbg.ElfSim.csproj says why
  *) echo "error: $exe is not an aarch64 executable: $(file -b "$exe")" >&2; exit 1 ;;
esac
echo "published $exe ($(stat -c %s "$exe") bytes, aarch64) in $((SECONDS - start)) s"
[ "$verify" = 1 ] || exit 0

run=()
if [ "$(uname -m)" != aarch64 ]; then
  command -v qemu-aarch64 >/dev/null || { echo "error: qemu-aarch64 not found: install qemu-user" >&2; exit 2; }
  [ -e /lib/ld-linux-aarch64.so.1 ] || { echo "error: no /lib/ld-linux-aarch64.so.1: install libc6:arm64" >&2; exit 2; }
  run=(qemu-aarch64)
fi
start=$SECONDS
# The reference: the framework-dependent (JIT) build of the same tree, what `dotnet run` runs.
if ! dotnet build DynDbg.ElfSim -c Release -o "$work/jit" -nologo >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "error: dotnet build (the reference) failed" >&2
  exit 1
fi
ref=$work/jit/DynDbg.ElfSim

failed=0
root=$PWD
# compare NAME ARGS...: runs ARGS through both binaries, each in its own empty working folder (inputs given by
# absolute path, outputs by relative path, so the outputs name the same paths); exit code, stdout, stderr and every
# file written must be identical.
compare() {
  local name=$1 side dir rc
  shift
  for side in ref arm64; do
    dir=$work/$side-$name
    mkdir -p "$dir/cwd"
    rc=0
    if [ "$side" = ref ]; then
      (cd "$dir/cwd" && "$ref" "$@") >"$dir/stdout" 2>"$dir/stderr" || rc=$?
    else
      (cd "$dir/cwd" && "${run[@]}" "$out/DynDbg.ElfSim" "$@") >"$dir/stdout" 2>"$dir/stderr" || rc=$?
    fi
    echo "$rc" >"$dir/rc"
  done
  if diff -ru "$work/ref-$name" "$work/arm64-$name" >&2; then
    echo "  $name: exit $(cat "$work/ref-$name/rc"), $(wc -l <"$work/ref-$name/stdout") lines, $(find "$work/ref-$name/cwd" -type f | wc -l) files written: identical"
  else
    echo "error: $name: the arm64 binary differs from the reference (above: - reference, + arm64)" >&2
    failed=1
  fi
}
s=$root/samples/objs
compare load load "$s/x86_64/diet/v5/alpha_main.o" "$s/x86_64/diet/v5/alpha_util.o"
compare check check "$s/aarch64"
compare control load --control "$s/x86_64/vmlinux.o"
compare compress compress --budget-ms 0 --zstd managed "$s/x86_64/vmlinux.o" "$s/aarch64/alpha.ko" "$s/aarch64/gamma.o"
compare compress-libzstd compress --budget-ms 0 --zstd system "$s/x86_64/vmlinux.o" "$s/aarch64/alpha.ko" "$s/aarch64/gamma.o"
compare link link -T module.lds -o alpha.ko -Map alpha.map "$s/aarch64/alpha_main.o" "$s/aarch64/alpha_util.o"
[ "$failed" = 0 ] || exit 1
echo "linux-arm64 binary${run:+ under ${run[*]}}: 6 commands identical to the framework-dependent build ($((SECONDS - start)) s)"
