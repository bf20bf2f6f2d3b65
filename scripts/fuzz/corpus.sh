#!/usr/bin/env bash
# Rebuilds DynDbg.ElfSim.Fuzz/Corpus/<target>/ (issue 18): raw seeds per target, minimised with afl-cmin against the
# instrumented build that `dotnet cake --target=FuzzCoverage` leaves in .artifacts/fuzz/bin (run that once first).
#   ELF targets: every sample object of the 8 architectures (samples/objs/<arch>/, diet/ and legacy/ too) and the
#                smallest real Debian module with __dyndbg of each cached architecture (scripts/fetch-real.sh).
#   script: linker/*.lds.   query: the control writes below.   compress: the ELF seeds and a few raw site tables.
#   zram: a few sample objects and scripts (pages of real bytes), a same-filled page, short lzo streams.
# Usage: scripts/fuzz/corpus.sh [TARGET...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
bin=${FUZZ_BIN:-$root/.artifacts/fuzz/bin}/DynDbg.ElfSim.Fuzz.dll
[ -f "$bin" ] || { echo "error: $bin missing: run dotnet cake --target=FuzzCoverage --minutes=0 first" >&2; exit 2; }
seeds=$root/.artifacts/fuzz/seeds
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(elf profile script link loader diet query compress zram)
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1

elf_seeds() { # $1: directory to fill
  mkdir -p "$1"
  find samples/objs -type f \( -name '*.o' -o -name '*.ko' -o -name vmlinux \) | while read -r f; do
    cp "$f" "$1/$(echo "${f#samples/objs/}" | tr / _)"
  done
  local cache=${DYNDBG_REAL_CACHE:-$HOME/.cache/dyndbg-elfsim}
  for arch in amd64 arm64 armhf i386 ppc64el s390x mips64el; do
    local d; d=$(ls -d "$cache/$arch"/*/lib/modules/*/kernel 2>/dev/null | head -1) || true
    [ -n "$d" ] || continue
    # the smallest module (under 14 KiB) that has a __dyndbg section
    find "$d" -name '*.ko' -size -14k -printf '%s %p\n' | sort -n | awk '{print $2}' | while read -r m; do
      if readelf -SW "$m" 2>/dev/null | grep -c ' __dyndbg ' >/dev/null; then cp "$m" "$1/real_${arch}_$(basename "$m")"; break; fi
    done || true # the break closes the pipe under sort
  done
}

for t in "${targets[@]}"; do
  rm -rf "${seeds:?}/$t"; mkdir -p "$seeds/$t"
  case $t in
    script) cp linker/*.lds "$seeds/$t/" ;;
    query)
      i=0
      while IFS= read -r q; do i=$((i+1)); printf '%s' "$q" > "$seeds/$t/q$i"; done <<'Q'
+p
module alpha +p
func alpha_open =pmflt
file alpha_main.c:10-20 +l
file beta_proto.c:beta_trace +p
format "^%s: " +t; line 100-200 +l
module beta* func *_open -p
class DRM_UT_KMS +p
module alpha class DRM_UT_CORE -p
format 'hello world' =_
file a.c:3 line 2 +p
module !alpha +p
# comment
  func alpha_init +mflt ;  module beta -p
line -5 +p
module alpha format \x41bc +pD
Q
      ;;
    compress)
      elf_seeds "$seeds/$t"
      python3 - "$seeds/$t" <<'PY'
import struct, sys, random
d = sys.argv[1]; r = random.Random(18)
for flags, n in [(1, 12), (0, 9), (3, 7), (5, 20), (2, 5)]:
    ptr = 8 if flags & 1 else 4; end = '>' if flags & 2 else '<'; fmt = end + ('Q' if ptr == 8 else 'I')
    base = 0xffffffffc0000000 if ptr == 8 else 0xc0000000
    body = b''.join(struct.pack(fmt, base + 0x100 * (i // 4)) + struct.pack(fmt, base + 0x1000 + 0x10 * (i // 3)) +
                    struct.pack(fmt, base + 0x2000 + 0x10 * r.randrange(4)) for i in range(n))
    open(f'{d}/table_{flags}_{n}', 'wb').write(bytes([flags]) + body)
PY
      ;;
    zram)
      cp samples/objs/x86_64/alpha.ko samples/objs/s390x/delta.o samples/objs/i386/beta_core.o linker/module.lds "$seeds/$t/"
      head -c 4096 /dev/zero > "$seeds/$t/zero-page"
      python3 - "$seeds/$t" <<'PY'
import sys
d = sys.argv[1]
# lzo1x streams: a literal run then the end marker (0x11 0 0); the lzo-rle header byte 17 with version 1
open(f'{d}/lzo-literals', 'wb').write(bytes([0x11 + 3]) + b'abc' + bytes([0x11, 0, 0]))
open(f'{d}/lzo-rle', 'wb').write(bytes([17, 1, 0x11 + 3]) + b'xyz' + bytes([0x11, 0, 0]))
open(f'{d}/pool-ops', 'wb').write(bytes([0, 40, 1, 0, 0x80, 0, 0x0f, 0xff, 0x80, 1]))
PY
      ;;
    *) elf_seeds "$seeds/$t" ;;
  esac
  out=DynDbg.ElfSim.Fuzz/Corpus/$t
  rm -rf "$out"
  afl-cmin -i "$seeds/$t" -o "$out" -t 5000 -m none -- "$(command -v dotnet)" "$bin" "$t" >/dev/null
  echo "$t: $(ls "$seeds/$t" | wc -l) seeds -> $(ls "$out" | wc -l) after afl-cmin ($(du -sh "$out" | cut -f1))"
done
