#!/usr/bin/env bash
# zram-blobs.sh - the blobs of the zram ground truth (issue 16; boot.sh --zram), cut from Debian's amd64 kernel in
# the fetch-real.sh cache by zram-blobs.py, bytes exactly as stored in the files:
#   vmlinux.dyndbg        the -dbg vmlinux from __start___dyndbg to __stop___dyndbg (final addresses in the pointers)
#   vmlinux.sites         the v5 site columns of those records: { modname, filename, function } per record, as
#                         `zram` writes them for a linked vmlinux (no header element)
#   <module>.dyndbg       each module's __dyndbg section as stored in its .ko (RELA: the pointers are zero there)
#   <name>.v5-sites       __dyndbg_sites of `diet <name> -o DIR --link` (v5), as stored in the linked output
#   <name>.v5-dyndbg      __dyndbg of the same diet output (the v5 records: site, format, lineno/_index/flags, key)
# for the vmlinux and the modules of DIET_MODULES below, and one synthetic blob for the paths real tables do not take:
#   synthetic.huge-same   4 pages: random bytes (incompressible: huge), all 0xff (same-filled, element not 0),
#                         3400 random bytes then zeros (compresses to more than huge_class_size: huge), zeros (same)
#
# Usage: scripts/qemu/zram-blobs.sh OUTDIR [--diet-tool "COMMAND"]
#   --diet-tool  how to run DynDbg.ElfSim (default: dotnet run --project DynDbg.ElfSim -c Release --), e.g.
#                "dotnet DynDbg.ElfSim.Tests/bin/Debug/net10.0/DynDbg.ElfSim.dll" or the AOT binary
# Prints zram-blobs.py's line per blob. Exit 2 on usage, 3 when fetch-real.sh cannot provide the amd64 tree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# modules of Debian's amd64 tree, by size of __dyndbg: two, 1 page or less (fuse, nbd), up to 33 pages (amdgpu)
MODULES=(net/bluetooth/bluetooth.ko fs/smb/client/cifs.ko drivers/gpu/drm/amd/amdgpu/amdgpu.ko net/ceph/libceph.ko
         fs/btrfs/btrfs.ko drivers/net/ethernet/intel/e1000e/e1000e.ko drivers/usb/host/xhci-hcd.ko net/sctp/sctp.ko
         drivers/md/raid456.ko fs/fuse/fuse.ko drivers/block/nbd.ko)
DIET_MODULES=(net/bluetooth/bluetooth.ko drivers/gpu/drm/amd/amdgpu/amdgpu.ko)

out= tool=
while (($#)); do
  case $1 in
    --diet-tool) (($# >= 2)) || { echo "zram-blobs.sh: --diet-tool needs a command" >&2; exit 2; }; tool=$2; shift ;;
    -*) echo "zram-blobs.sh: unknown option $1" >&2; exit 2 ;;
    *) [[ -z $out ]] || { echo "zram-blobs.sh: one OUTDIR only" >&2; exit 2; }; out=$1 ;;
  esac
  shift
done
[[ -n $out ]] || { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; exit 2; }
[[ -n $tool ]] || tool="dotnet run --project $repo/DynDbg.ElfSim -c Release --"

declare -A real=()
fetch_rc=0
fetch_out=$("$repo/scripts/fetch-real.sh" --arch amd64) || fetch_rc=$?
while IFS='=' read -r k v; do [[ -n $k ]] && real[$k]=$v; done <<<"$fetch_out"
[[ -n ${real[MODULES_amd64]:-} && -n ${real[VMLINUX_amd64]:-} ]] ||
  { echo "zram-blobs.sh: fetch-real.sh --arch amd64 (exit $fetch_rc) gave no module tree or vmlinux" >&2; exit 3; }
kernel=${real[MODULES_amd64]}/kernel vmlinux=${real[VMLINUX_amd64]}

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT
specs=("vmlinux.dyndbg=$vmlinux:__start___dyndbg:__stop___dyndbg" "vmlinux.sites=$vmlinux:__start___dyndbg:__stop___dyndbg:v5-sites/56")
for m in "${MODULES[@]}"; do
  n=${m##*/}
  specs+=("${n%.ko}.dyndbg=$kernel/$m:__dyndbg")
done
# the diet outputs: `diet X -o DIR --link` writes DIR/<name>.ko (a module) or DIR/vmlinux.o (a vmlinux)
$tool diet "$vmlinux" -o "$tmp/vmlinux" --link >/dev/null
specs+=("vmlinux.v5-sites=$tmp/vmlinux/vmlinux.o:__start___dyndbg_sites:__stop___dyndbg_sites"
        "vmlinux.v5-dyndbg=$tmp/vmlinux/vmlinux.o:__start___dyndbg:__stop___dyndbg")
for m in "${DIET_MODULES[@]}"; do
  n=${m##*/} n=${n%.ko}
  $tool diet "$kernel/$m" -o "$tmp/$n" --link >/dev/null
  specs+=("$n.v5-sites=$tmp/$n/$n.ko:__dyndbg_sites" "$n.v5-dyndbg=$tmp/$n/$n.ko:__dyndbg")
done
python3 "$here/zram-blobs.py" "$out" "${specs[@]}"
python3 - "$out/synthetic.huge-same" <<'PY'
import random, sys
r = random.Random(16)   # fixed: the blob's bytes are part of boot.sh's cache key
data = r.randbytes(4096) + b"\xff" * 4096 + r.randbytes(3400) + bytes(696) + bytes(4096)
open(sys.argv[1], "wb").write(data)
print(f"synthetic.huge-same {len(data)} (python random.Random(16)) random, 0xff, random+zeros, zeros")
PY
