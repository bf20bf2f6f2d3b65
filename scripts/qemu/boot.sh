#!/usr/bin/env bash
# boot.sh - ground truth from the real kernel: boot Debian's amd64 kernel (from the fetch-real.sh cache) under
# qemu-system-x86_64 with software emulation (TCG), or with --arch arm64 its arm64 kernel under
# qemu-system-aarch64 -M virt -cpu cortex-a57 (--arch s390x: qemu-system-s390x -M s390-ccw-virtio), with a
# busybox-static initramfs whose /init (init.sh) captures
# the built-in control file, insmods a module list in modules.dep order, reads /sys/module/<name>/sections/*,
# and replays a query list against /proc/dynamic_debug/control. See docs/ground-truth.md.
#
# Usage:
#   scripts/qemu/boot.sh [--arch amd64|arm64|s390x|armhf|i386|ppc64el|mips64el [--cpu NAME]] [--modules FILE] [--queries FILE] [--timeout SECONDS] [--rebuild] [--no-install]
#   scripts/qemu/boot.sh --print [--arch amd64|arm64|s390x|armhf|i386|ppc64el|mips64el [--cpu NAME]] [--modules FILE] [--queries FILE]
#   scripts/qemu/boot.sh --zram BLOBDIR [--modules FILE] [--timeout SECONDS] [--rebuild] [--no-install] [--print]
#
#   --arch A         the Debian architecture to boot (default amd64). s390x needs qemu-system-misc and
#                    busybox-static:s390x, as arm64 does its own. arm64 needs qemu-system-arm and the
#                    busybox-static:arm64 package (downloaded with apt-get into the cache; dpkg --add-architecture
#                    arm64 first when root). armhf: qemu-system-arm -M virt,highmem=off -cpu cortex-a15, the
#                    armmp zImage, busybox-static:armhf, modules-armhf.list. i386: qemu-system-i386 -M pc
#                    -cpu qemu32, the 686 bzImage, busybox-static:i386, modules-i386.list. ppc64el:
#                    qemu-system-ppc64 -M pseries,x-vof=on -cpu power9, the vmlinux ELF, modules-ppc64el.list.
#                    mips64el: qemu-system-mips64el -M malta -cpu 5KEc, modules-mips64el.list
#   --cpu NAME       qemu's -cpu (arm64: default cortex-a57; cortex-a53 has erratum 843419, which changes how
#                    arm64's module_frob_arch_sections sizes .plt and aligns text)
#   --modules FILE   module names to load (default scripts/qemu/modules.list; arm64: modules-arm64.list)
#   --queries FILE   queries to replay (default scripts/qemu/queries.list; format in that file's header)
#   --timeout S      wall-clock bound of the boot (default 600); qemu is killed after it
#   --rebuild        boot again even if the capture for these inputs is cached
#   --no-install     never apt-get install qemu-system-x86 (arm64: qemu-system-arm), busybox-static or cpio
#   --print          only report the cached capture for these inputs; never boots (exit 4 if not cached)
#   --zram BLOBDIR   the zram ground truth instead (amd64; issue 16): /init is zram-init.sh, the modules are
#                    modules-zram.list (zsmalloc, zram, lz4, lz4hc, zstd), and every file of BLOBDIR (make them with
#                    zram-blobs.py) is zero-padded to whole 4 KiB pages and written to a fresh /dev/zram0 with each
#                    of lzo-rle, lz4, lz4hc and zstd; mm_stat, stat and debugfs are captured per (algorithm, blob).
#                    Captures go to <fetch cache>/qemu/zram/<hash>/, with the padded blobs in capture/blobs/.
#
# Captures are cached by a hash of every input (vmlinuz, each module file, busybox, init.sh, the query bytes,
# the qemu version and command line) under <fetch cache>/qemu/<hash>/ (arm64: <fetch cache>/qemu/arm64/<hash>/),
# so a repeated run does not boot again. The newest four captures of each arch are kept; older ones are deleted
# after a successful boot.
#
# OUTPUT CONTRACT (stdout, KEY=VALUE, VALUE up to the end of the line, unquoted; progress goes to stderr):
#   CAPTURE=<dir>        the capture: builtin.control, modules.tsv, sections/, steps/... (list in init.sh)
#   CACHED=1|0           1 when no boot was needed
#   HASH=<16 hex>        hash of the inputs (inputs.txt in the capture dir lists them)
#   ABI=, PKG=, VERSION= the booted kernel (as fetch-real.sh reports it)
#   VMLINUZ=<path>       the booted image
#   and the figures of the boot that made the capture (boot.env): BOOT_SECONDS, KERNEL_UP_SECONDS,
#   GUEST_SECONDS, MODULES_TRIED, MODULES_LOADED, SECTIONS, STEPS, BUILTIN_LINES, INSMOD_LINES, DATA_BYTES
#   (--zram: BOOT_SECONDS, KERNEL_UP_SECONDS, ZRAM_SECONDS, GUEST_SECONDS, MODULES_TRIED, MODULES_LOADED, BLOBS,
#   ZRAM_RUNS, DATA_BYTES)
#
# Exit status: 0 capture present; 1 the boot or the capture failed (one line on stderr says why and where the
# console log is); 2 usage; 3 this platform cannot run the harness (no qemu and no way to install it, no Debian
# kernel in the cache and none fetchable); 4 --print and nothing cached.
set -euo pipefail
# set -e must never end the script silently: one line says where
trap 'printf "qemu-harness: error: unexpected failure (exit %s) at %s line %s\n" "$?" "${BASH_SOURCE[0]}" "$LINENO" >&2' ERR

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
readonly FORMAT=1
readonly AMD64_APPEND="console=ttyS0 panic=-1 quiet loglevel=3 nokaslr"
# Everything but the paths; part of the hash. TCG and a fixed CPU model, so that the same modules load (or fail)
# on every host: -cpu qemu64 has no VMX and no AES-NI.
readonly AMD64_QEMU_ARGS=(-accel tcg -machine pc -cpu qemu64 -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)

log() { printf 'qemu-harness: %s\n' "$*" >&2; }
die() { printf 'qemu-harness: error: %s\n' "$1" >&2; exit "${2:-1}"; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

modules_list= queries_list=$here/queries.list timeout_s=600 rebuild=0 install=1 print_only=0 arch=amd64 cpu= zram_blobs=
# the zram ground truth's algorithms, in the order the guest runs them (zram-init.sh); part of the hash
readonly ZRAM_ALGORITHMS="lzo-rle lz4 lz4hc zstd"
while (($#)); do
  case $1 in
    --arch) (($# >= 2)) || die "--arch needs amd64, arm64, s390x, armhf, i386, ppc64el or mips64el" 2; arch=$2; shift ;;
    --cpu) (($# >= 2)) || die "--cpu needs a qemu CPU name" 2; cpu=$2; shift ;;
    --modules) (($# >= 2)) || die "--modules needs a file" 2; modules_list=$2; shift ;;
    --queries) (($# >= 2)) || die "--queries needs a file" 2; queries_list=$2; shift ;;
    --timeout) (($# >= 2)) || die "--timeout needs seconds" 2; timeout_s=$2; shift ;;
    --rebuild) rebuild=1 ;;
    --no-install) install=0 ;;
    --print) print_only=1 ;;
    --zram) (($# >= 2)) || die "--zram needs a directory of blobs" 2; zram_blobs=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" 2 ;;
  esac
  shift
done
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "--timeout: not a number of seconds: $timeout_s" 2
if [[ -n $zram_blobs ]]; then
  [[ $arch == amd64 ]] || die "--zram boots amd64 only" 2
  [[ -d $zram_blobs ]] || die "--zram: not a directory: $zram_blobs" 2
  : "${modules_list:=$here/modules-zram.list}"
fi
init_sh=$here/init.sh
[[ -z $zram_blobs ]] || init_sh=$here/zram-init.sh
# Per-architecture boot: the emulator, its arguments (part of the hash), the console, the packages.
case $arch in
  amd64)
    [[ -z $cpu ]] || die "--cpu is for --arch arm64/armhf (amd64 always boots -cpu qemu64)" 2
    QEMU=qemu-system-x86_64 QEMU_PKG=qemu-system-x86 APPEND=$AMD64_APPEND
    QEMU_ARGS_ARCH=("${AMD64_QEMU_ARGS[@]}")
    : "${modules_list:=$here/modules.list}" ;;
  arm64)
    # -M virt has a PL011 UART (ttyAMA0) and PCIe, so the data disk is virtio-blk-pci as on amd64. cortex-a57
    # is not affected by erratum 843419, so module_frob_arch_sections sizes no ADRP veneers.
    [[ ${cpu:=cortex-a57} =~ ^[a-z0-9.-]+$ ]] || die "--cpu: not a qemu CPU name: $cpu" 2
    QEMU=qemu-system-aarch64 QEMU_PKG=qemu-system-arm
    APPEND="console=ttyAMA0 panic=-1 quiet loglevel=3 nokaslr"
    QEMU_ARGS_ARCH=(-accel tcg -machine virt -cpu "$cpu" -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)
    : "${modules_list:=$here/modules-arm64.list}" ;;
  s390x)
    # -M s390-ccw-virtio: the SCLP console (ttysclp0) takes -serial, virtio-ccw (built into Debian's kernel) is
    # the transport, so if=virtio is a virtio-blk-ccw disk. Debian builds without CONFIG_EXPOLINE, so
    # module_frob_arch_sections adds no expoline thunk to the PLT whatever the CPU.
    [[ -z $cpu ]] || die "--cpu is for --arch arm64 (s390x boots qemu's default TCG CPU)" 2
    QEMU=qemu-system-s390x QEMU_PKG=qemu-system-misc
    APPEND="console=ttysclp0 panic=-1 quiet loglevel=3 nokaslr"
    QEMU_ARGS_ARCH=(-accel tcg -machine s390-ccw-virtio -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)
    : "${modules_list:=$here/modules-s390x.list}" ;;
  armhf)
    # 32-bit ARM (the armmp zImage, which qemu -kernel boots as it is): -M virt,highmem=off keeps PCIe and RAM
    # below 4 GiB for the non-LPAE kernel; cortex-a15 is what armmp is tuned for. No KASLR on arm32.
    [[ ${cpu:=cortex-a15} =~ ^[a-z0-9.-]+$ ]] || die "--cpu: not a qemu CPU name: $cpu" 2
    QEMU=qemu-system-arm QEMU_PKG=qemu-system-arm
    APPEND="console=ttyAMA0 panic=-1 quiet loglevel=3"
    # arm32 has no /proc/kcore: the modules' core memory is read by the host through the qemu monitor (memsave)
    # once the guest is done, so the monitor is a unix socket here (added at run time: its path is not an input)
    QEMU_ARGS_ARCH=(-accel tcg -machine virt,highmem=off -cpu "$cpu" -smp 1 -m 1024 -nodefaults -display none -no-reboot)
    HOST_MEMSAVE=1
    : "${modules_list:=$here/modules-armhf.list}" ;;
  i386)
    # 32-bit x86 (Debian's 686 flavour, non-PAE): the same -M pc, serial console and virtio-blk-pci disk as amd64,
    # with qemu-system-i386's own fixed CPU model, qemu32 (i686 with CMOV, no VMX, no AES-NI).
    [[ -z $cpu ]] || die "--cpu is for --arch arm64/armhf (i386 always boots -cpu qemu32)" 2
    QEMU=qemu-system-i386 QEMU_PKG=qemu-system-x86 APPEND=$AMD64_APPEND
    QEMU_ARGS_ARCH=(-accel tcg -machine pc -cpu qemu32 -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)
    : "${modules_list:=$here/modules-i386.list}" ;;
  ppc64el)
    # 64-bit little-endian POWER: -M pseries with qemu's Virtual Open Firmware (x-vof=on: no SLOF, so the
    # kernel starts in about a second), power9 (Debian's ppc64el baseline is POWER8), the spapr-vty console
    # (hvc0) on -serial, and virtio-blk-pci on the default PHB. The image is the unstripped boot/vmlinux ELF.
    [[ ${cpu:=power9} =~ ^[a-z0-9.-]+$ ]] || die "--cpu: not a qemu CPU name: $cpu" 2
    QEMU=qemu-system-ppc64 QEMU_PKG=qemu-system-ppc
    APPEND="console=hvc0 panic=-1 quiet loglevel=3 nokaslr"
    QEMU_ARGS_ARCH=(-accel tcg -machine pseries,x-vof=on -cpu "$cpu" -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)
    IMAGE=vmlinux
    : "${modules_list:=$here/modules-ppc64el.list}" ;;
  mips64el)
    # 64-bit little-endian MIPS: -M malta with qemu's 5KEc (the 5kc-malta flavour's CPU), the Malta's 8250 UART
    # (ttyS0) and virtio-blk-pci behind its GT-64120. The image is boot/vmlinuz, a self-decompressing ELF.
    [[ ${cpu:=5KEc} =~ ^[A-Za-z0-9.-]+$ ]] || die "--cpu: not a qemu CPU name: $cpu" 2
    QEMU=qemu-system-mips64el QEMU_PKG=qemu-system-mips
    APPEND="console=ttyS0 panic=-1 quiet loglevel=3 nokaslr"
    QEMU_ARGS_ARCH=(-accel tcg -machine malta -cpu "$cpu" -smp 1 -m 1024 -nodefaults -display none -monitor none -no-reboot)
    : "${modules_list:=$here/modules-mips64el.list}" ;;
  *) die "--arch: amd64, arm64, s390x, armhf, i386, ppc64el or mips64el, not '$arch'" 2 ;;
esac
[[ -f $modules_list ]] || die "module list not found: $modules_list" 2
[[ -f $queries_list ]] || die "query list not found: $queries_list" 2

# ---- tools: qemu, busybox-static, cpio (installed when root on Debian, as fetch-real.sh does for kernels) ----
busybox_static() { # /bin/busybox from the busybox-static package (the dynamic "busybox" package won't do)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' && [[ -x /bin/busybox ]]
}
tools_ok() { command -v $QEMU >/dev/null && command -v cpio >/dev/null && busybox_static; }
if ! tools_ok; then
  ((print_only == 0 && install)) || die "$QEMU, busybox-static or cpio missing" 3
  command -v apt-get >/dev/null && command -v dpkg-query >/dev/null ||
    die "$QEMU, busybox-static or cpio missing and this is not a Debian/Ubuntu host" 3
  ((EUID == 0)) || die "$QEMU, busybox-static or cpio missing; install them as root: apt-get install $QEMU_PKG busybox-static cpio" 3
  log "installing $QEMU_PKG busybox-static cpio"
  export DEBIAN_FRONTEND=noninteractive
  pkgs=($QEMU_PKG busybox-static cpio)
  apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2 ||
    { apt-get update -q >&2 || true; apt-get install -y -q --no-install-recommends "${pkgs[@]}" >&2; } ||
    die "apt-get install ${pkgs[*]} failed" 3
  tools_ok || die "$QEMU, busybox-static or cpio still missing after apt-get install" 3
fi
for tool in sha256sum md5sum gzip tar timeout awk dpkg-deb; do command -v $tool >/dev/null || die "'$tool' not found" 3; done

# ---- the kernel: fetch-real.sh's tree of the arch (the image package; the -dbg vmlinux is not needed to boot) -
# arm64's boot/vmlinuz is the uncompressed Image (with its EFI stub header), which qemu -kernel boots as it is.
declare -A real=()
fetch_args=(--arch $arch --no-vmlinux)
((print_only)) && fetch_args=(--print --arch $arch)
fetch_rc=0
fetch_out=$("$repo/scripts/fetch-real.sh" "${fetch_args[@]}") || fetch_rc=$?
while IFS='=' read -r k v; do [[ -n $k ]] && real[$k]=$v; done <<<"$fetch_out"
if [[ -z ${real[ROOT_$arch]:-} ]]; then
  ((fetch_rc == 3)) && die "no Debian $arch kernel: scripts/fetch-real.sh cannot fetch on this host" 3
  die "no Debian $arch kernel in the cache (scripts/fetch-real.sh --arch $arch exited $fetch_rc)" 3
fi
abi=${real[ABI_$arch]} root=${real[ROOT_$arch]} moddir=${real[MODULES_$arch]} cache=${real[CACHE]}
vmlinuz=$root/boot/${IMAGE:-vmlinuz}-$abi
[[ -f $vmlinuz ]] || die "no $vmlinuz in the fetched package tree" 3
qdir=$cache/qemu
[[ $arch == amd64 ]] || qdir=$cache/qemu/$arch   # each arch keeps (and prunes) its own captures
[[ -z $zram_blobs ]] || qdir=$cache/qemu/zram     # and so does the zram ground truth
mkdir -p "$qdir"

# ---- the guest's busybox: the host's /bin/busybox (busybox-static) on amd64; on arm64 the busybox-static:arm64
# package, fetched once with apt-get download into the cache (the host's busybox still runs depmod and --list)
guest_busybox=/bin/busybox busybox_version=
if [[ $arch == amd64 ]]; then
  busybox_version=$(dpkg-query -W -f='${Version}' busybox-static)
else
  bbdir=$qdir/busybox
  bbdeb=$(ls -1 "$bbdir"/busybox-static_*_"$arch".deb 2>/dev/null | tail -n 1 || true)
  if [[ -z $bbdeb ]]; then
    ((print_only)) && { log "no capture cached: busybox-static:$arch was never fetched into $bbdir"; exit 4; }
    ((install)) || die "busybox-static:$arch is not in $bbdir" 3
    mkdir -p "$bbdir"
    if ! (cd "$bbdir" && apt-get download "busybox-static:$arch" >&2); then
      ((EUID == 0)) || die "cannot apt-get download busybox-static:$arch; as root: dpkg --add-architecture $arch; apt-get update" 3
      log "adding dpkg architecture $arch for busybox-static:$arch"
      dpkg --add-architecture "$arch"
      apt-get update -q >&2 || log "apt-get update reported errors; trying the download anyway"
      (cd "$bbdir" && apt-get download "busybox-static:$arch" >&2) || die "apt-get download busybox-static:$arch failed" 3
    fi
    bbdeb=$(ls -1 "$bbdir"/busybox-static_*_"$arch".deb | tail -n 1)
  fi
  busybox_version=$(dpkg-deb -f "$bbdeb" Version)
  guest_busybox=$bbdir/$busybox_version/bin/busybox
  if [[ ! -x $guest_busybox ]]; then
    rm -rf -- "$bbdir/.x.$$"
    dpkg-deb -x "$bbdeb" "$bbdir/.x.$$" || die "cannot unpack $bbdeb" 3
    rm -rf -- "${guest_busybox%/bin/busybox}"
    mv -- "$bbdir/.x.$$" "${guest_busybox%/bin/busybox}"
  fi
fi

# ---- modules.dep: busybox depmod over the fetched tree, written to our cache (the tree is never modified) -----
depfile=$qdir/depmod/$abi-${real[VERSION_$arch]}.dep
if [[ ! -s $depfile ]]; then
  mkdir -p "$qdir/depmod"
  log "depmod: busybox depmod -n -b $root $abi"
  /bin/busybox depmod -n -b "$root" "$abi" | grep '\.ko:' >"$depfile.tmp.$$" ||
    { rm -f "$depfile.tmp.$$"; die "busybox depmod failed on $root"; }
  mv -f "$depfile.tmp.$$" "$depfile"
fi
declare -A deps=() path_of=()
while IFS= read -r line; do
  p=${line%%:*} name=${p##*/}
  name=${name%.ko} name=${name//-/_}
  path_of[$name]=$p
  deps[$name]=${line#*:}
done <"$depfile"

# Load order: for "M: d1 ... dn", load dn ... d1 (each with its own dependencies first), then M: modprobe's order.
order=()
declare -A seen=()
want() {
  local m=$1 d i
  [[ -n ${seen[$m]:-} ]] && return 0
  [[ -n ${path_of[$m]:-} ]] || die "module '$m' is not in $moddir (list: $modules_list)" 2
  seen[$m]=1
  local -a ds
  read -r -a ds <<<"${deps[$m]}"
  for ((i = ${#ds[@]} - 1; i >= 0; i--)); do
    d=${ds[i]##*/} d=${d%.ko} d=${d//-/_}
    want "$d"
  done
  order+=("$m")
}
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%%#*} line=${line//[[:space:]]/}
  [[ -n $line ]] && want "${line//-/_}"
done <"$modules_list"
((${#order[@]})) || die "no modules in $modules_list" 2
modules=("${order[@]}")
# The data goes back on a virtio disk; its drivers are loaded after everything was captured (init.sh).
order=()
[[ $arch == s390x ]] || want virtio_pci   # s390x: virtio_ccw is built in
want virtio_blk
transport=("${order[@]}")

# ---- queries: one file per write, exact bytes (format in the header of queries.list) -------------------------
work=$(mktemp -d "$qdir/.tmp.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/root/etc/dyndbg-qemu/queries"
qout=$work/root/etc/dyndbg-qemu/queries
nq=0 lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
  nq=$((nq + 1))
  f=$(printf '%s/%03d' "$qout" "$nq")
  case $line in
    '%b '*) printf '%b' "${line#%b }" >"$f" ;;
    '%pad '*)
      rest=${line#%pad } width=${rest%% *} payload=${rest#* }
      [[ $width =~ ^[0-9]+$ ]] && ((width > ${#payload} + 1)) || die "$queries_list:$lineno: bad %pad width" 2
      printf '%*s\n' "$((width - 1))" "$payload" >"$f" ;;
    '%'*) die "$queries_list:$lineno: unknown directive ${line%% *}" 2 ;;
    *) printf '%s\n' "$line" >"$f" ;;
  esac
done <"$queries_list"
[[ -n $zram_blobs ]] && { rm -rf -- "$qout"; nq=0; }   # --zram replays no queries
((nq)) || [[ -n $zram_blobs ]] || die "no queries in $queries_list" 2
# --zram: the blobs, each zero-padded to whole 4 KiB pages (what the guest writes, byte for byte)
nblobs=0
if [[ -n $zram_blobs ]]; then
  bout=$work/root/etc/dyndbg-qemu/blobs
  mkdir -p "$bout"
  for f in "$zram_blobs"/*; do
    [[ -f $f ]] || continue
    b=${f##*/}
    [[ $b =~ ^[A-Za-z0-9._+-]+$ ]] || die "--zram: blob name '$b' is not a plain file name" 2
    [[ -s $f ]] || die "--zram: blob $f is empty" 2
    cp -- "$f" "$bout/$b"
    truncate -s $((($(stat -c %s "$f") + 4095) / 4096 * 4096)) "$bout/$b"
    nblobs=$((nblobs + 1))
  done
  ((nblobs)) || die "--zram: no blobs in $zram_blobs" 2
  echo "$ZRAM_ALGORITHMS" >"$work/root/etc/dyndbg-qemu/algorithms"
fi

# ---- the hash of every input ---------------------------------------------------------------------------------
qemu_version=$($QEMU --version | head -n 1)
{
  echo "FORMAT=$FORMAT"
  [[ -z $zram_blobs ]] || echo "MODE=zram $ZRAM_ALGORITHMS"   # the other modes' inputs (and hashes) are as before
  [[ $arch == amd64 ]] || echo "ARCH=$arch"   # amd64's inputs (and so its cached hash) are as before --arch
  echo "QEMU=$qemu_version"
  echo "QEMU_ARGS=${QEMU_ARGS_ARCH[*]}"
  echo "APPEND=$APPEND"
  echo "KERNEL=${real[PKG_$arch]} ${real[VERSION_$arch]} $(sha256sum <"$vmlinuz" | cut -c1-64)"
  echo "BUSYBOX=$busybox_version $(sha256sum <"$guest_busybox" | cut -c1-64)"
  echo "INIT=$(sha256sum <"$init_sh" | cut -c1-64)"
  i=0
  for m in "${modules[@]}"; do
    i=$((i + 1))
    echo "MODULE=$i $m ${path_of[$m]} $(sha256sum <"$moddir/${path_of[$m]}" | cut -c1-64)"
  done
  for m in "${transport[@]}"; do
    echo "TRANSPORT=$m ${path_of[$m]} $(sha256sum <"$moddir/${path_of[$m]}" | cut -c1-64)"
  done
  [[ -n $zram_blobs ]] || for f in "$qout"/*; do echo "QUERY=${f##*/} $(sha256sum <"$f" | cut -c1-64)"; done
  [[ -z $zram_blobs ]] || for f in "$bout"/*; do echo "BLOB=${f##*/} $(stat -c %s "$f") $(sha256sum <"$f" | cut -c1-64)"; done
} >"$work/inputs.txt"
hash=$(sha256sum <"$work/inputs.txt" | cut -c1-16)
dest=$qdir/$hash

report() { # the contract lines for a finished capture
  printf 'CAPTURE=%s\nCACHED=%s\nHASH=%s\nABI=%s\nPKG=%s\nVERSION=%s\nVMLINUZ=%s\n' \
    "$dest/capture" "$1" "$hash" "$abi" "${real[PKG_$arch]}" "${real[VERSION_$arch]}" "$vmlinuz"
  cat "$dest/boot.env"
}

if command -v flock >/dev/null; then   # one boot at a time per cache
  exec 9>"$qdir/.lock"
  if ! flock -n 9; then
    log "another boot.sh holds $qdir/.lock; waiting"
    flock 9
  fi
fi
if [[ -f $dest/.complete && $rebuild == 0 ]]; then
  report 1
  exit 0
fi
((print_only)) && { log "no capture cached for these inputs (hash $hash)"; exit 4; }

# ---- initramfs: busybox-static, /init, the modules at their lib/modules paths, the lists ---------------------
t0=$(now)
r=$work/root
mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/out" "$r/tmp" "$r/lib/modules/$abi"
cp "$guest_busybox" "$r/bin/busybox"
# every applet under /bin, except the module tools: no /sbin/modprobe, so request_module() loads nothing (the
# host's busybox-static lists them: the guest's, of another arch, cannot run here; same Debian version and config)
for a in $(/bin/busybox --list); do
  case $a in busybox|modprobe|depmod|rmmod|init|linuxrc) continue ;; esac
  ln -s busybox "$r/bin/$a"
done
install -m 0755 "$init_sh" "$r/init"
echo "$abi" >"$r/etc/dyndbg-qemu/abi"
((${HOST_MEMSAVE:-0})) && : >"$r/etc/dyndbg-qemu/memsave"   # init.sh: announce the modules and wait for the host
add_modules() { # add_modules LISTFILE NAME...: copy the modules in, list them as "<seq> <name> <path>"
  local list=$1 m p i=0
  shift
  : >"$list"
  for m in "$@"; do
    i=$((i + 1))
    p=${path_of[$m]}
    mkdir -p "$r/lib/modules/$abi/${p%/*}"
    cp "$moddir/$p" "$r/lib/modules/$abi/$p"
    printf '%03d %s %s\n' "$i" "$m" "$p" >>"$list"
  done
}
add_modules "$r/etc/dyndbg-qemu/modules" "${modules[@]}"
add_modules "$r/etc/dyndbg-qemu/transport" "${transport[@]}"
(cd "$r" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$work/initrd.gz"
log "initramfs: ${#modules[@]} modules, $nq queries, $nblobs blobs, $(du -h "$work/initrd.gz" | cut -f1) ($(elapsed "$t0") s); booting $abi under TCG (hash $hash)"

# ---- boot -----------------------------------------------------------------------------------------------------
truncate -s 2G "$work/data.img"   # sparse; the guest writes the header and the tar at its start
t1=$(now)
qrc=0
if ((${HOST_MEMSAVE:-0})); then
  # the guest ends with "memsave NAME BASE SIZE" markers and "done", then waits: each module's core allocation is
  # saved through the monitor (memsave: virtual addresses, through the guest's page tables), then qemu quits
  mkdir -p "$work/memsave"
  timeout --kill-after=10 "$timeout_s" $QEMU "${QEMU_ARGS_ARCH[@]}" \
    -kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "$APPEND" -monitor "unix:$work/monitor.sock,server,nowait" \
    -serial "file:$work/console.log" -drive "file=$work/data.img,format=raw,if=virtio" \
    </dev/null >"$work/qemu.out" 2>&1 &
  qpid=$!
  while kill -0 "$qpid" 2>/dev/null && ! grep -aq '=== dyndbg-qemu: done' "$work/console.log" 2>/dev/null; do sleep 1; done
  if kill -0 "$qpid" 2>/dev/null; then
    python3 - "$work" <<'PY' || log "memsave through the monitor failed: the capture has no core/ for this boot"
import re, socket, sys, time
work = sys.argv[1]
console = open(f"{work}/console.log", "rb").read().decode("latin-1")
s = socket.socket(socket.AF_UNIX)
s.connect(f"{work}/monitor.sock")
s.settimeout(60)
def until_prompt():
    buf = b""
    while not buf.endswith(b"(qemu) "):
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("monitor closed")
        buf += chunk
    return buf.decode("latin-1")
until_prompt()
for name, base, size in re.findall(r"=== dyndbg-qemu: memsave (\S+) (0x[0-9a-f]+) (\d+)", console):
    s.sendall(f'memsave {base} {size} "{work}/memsave/{name}"\n'.encode())
    out = until_prompt()
    if "rror" in out or "nvalid" in out:
        raise SystemExit(f"memsave {name}: {out.strip()}")
s.sendall(b"quit\n")
time.sleep(1)
PY
    for _ in $(seq 40); do kill -0 "$qpid" 2>/dev/null || break; sleep 0.5; done
    kill "$qpid" 2>/dev/null || true   # quit was sent; this only ends a qemu the script could not talk to
  fi
  wait "$qpid" || qrc=$?
else
  timeout --kill-after=10 "$timeout_s" $QEMU "${QEMU_ARGS_ARCH[@]}" \
    -kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "$APPEND" \
    -serial "file:$work/console.log" -drive "file=$work/data.img,format=raw,if=virtio" \
    </dev/null >"$work/qemu.out" 2>&1 || qrc=$?
fi
boot_s=$(elapsed "$t1")

failed_dir=$qdir/failed
fail() { # keep the failed run for inspection, then one line
  rm -rf -- "$failed_dir"
  rm -f -- "$work/initrd.gz" "$work/data.img"
  mv -- "$work" "$failed_dir" 2>/dev/null || true
  die "$1 (console: $failed_dir/console.log)" "${2:-1}"
}
last_mark() { grep -ao '=== dyndbg-qemu: .*' "$work/console.log" 2>/dev/null | tail -n 1 | tr -d '\r' || true; }
if ((qrc == 124 || qrc == 137)); then
  fail "qemu timed out after ${timeout_s} s; last marker: '$(last_mark)'"
fi
if [[ ! -s $work/console.log ]]; then
  fail "$QEMU cannot run here (exit $qrc): $(head -n 1 "$work/qemu.out")" 3
fi
grep -aq '=== dyndbg-qemu: done' "$work/console.log" ||
  fail "the guest did not finish (qemu exit $qrc); last marker: '$(last_mark)'"
((qrc == 0)) || fail "qemu exited $qrc"

# ---- unpack the data: "DYNDBG-QEMU-DATA <bytes> <md5>\n" then the tar, at the start of the virtio disk -------
IFS= read -r header < <(head -c 256 "$work/data.img" | tr -d '\0') || true
read -r magic size sum <<<"$header" || true
[[ ${magic:-} == DYNDBG-QEMU-DATA && ${size:-} =~ ^[0-9]+$ ]] || fail "no data header on the virtio disk"
dd if="$work/data.img" of="$work/out.tar" bs=1M iflag=skip_bytes,count_bytes skip=$((${#header} + 1)) count="$size" status=none ||
  fail "cannot read the data from the virtio disk image"
[[ $(stat -c %s "$work/out.tar") == "$size" ]] || fail "data truncated: $(stat -c %s "$work/out.tar") of $size bytes"
[[ $(md5sum <"$work/out.tar" | cut -c1-32) == "$sum" ]] || fail "data md5 mismatch"
mkdir "$work/capture"
tar -xf "$work/out.tar" -C "$work/capture" || fail "cannot unpack the data tar"
c=$work/capture
if [[ -n $zram_blobs ]]; then
  [[ -f $c/modules.tsv && -s $c/comp_algorithm ]] || fail "capture incomplete"
  runs=$(find "$c/zram" -name mm_stat | wc -l)
  ((runs == nblobs * $(wc -w <<<"$ZRAM_ALGORITHMS"))) || fail "capture has $runs zram runs, expected $nblobs blobs x $(wc -w <<<"$ZRAM_ALGORITHMS") algorithms"
  bad=$(grep -lvx 0 "$c"/zram/*/*/rc | head -n 1 || true)
  [[ -z $bad ]] || fail "a zram step failed: ${bad#$c/zram/}: $(cat "$bad")"
  cp -r -- "$bout" "$c/blobs"   # the exact bytes the guest wrote (padded)
else
[[ -s $c/builtin.control && -s $c/insmod.control && -f $c/modules.tsv ]] || fail "capture incomplete"
steps=$(find "$c/steps" -name '*.control' | wc -l)
((steps == nq)) || fail "capture has $steps query steps, expected $nq"
! grep -q '^-1000 ' "$c"/steps/*.rc || fail "a query write failed with an error init.sh does not know: $(grep -h '^-1000 ' "$c"/steps/*.rc | head -n 1)"
fi
if ((${HOST_MEMSAVE:-0})) && [[ -d $work/memsave ]]; then
  mkdir -p "$c/core" && find "$work/memsave" -type f -exec mv -t "$c/core" {} +
fi
tried=$(wc -l <"$c/modules.tsv")
((tried == ${#modules[@]})) || fail "capture has $tried modules, expected ${#modules[@]}"

# figures of this boot
# hvc0 (ppc64el) can put a marker after the kernel's unfinished line, so markers are matched anywhere on a line
marker_field() { grep -ao "=== dyndbg-qemu: $1.*" "$work/console.log" | head -n 1 | tr -d '\r' | awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'; }
marker_time() { marker_field "$1" t; }
if [[ -n $zram_blobs ]]; then
{
  echo "BOOT_SECONDS=$boot_s"
  echo "KERNEL_UP_SECONDS=$(marker_time start)"
  echo "ZRAM_SECONDS=$(awk -v a="$(marker_time insmod-done)" -v b="$(marker_time zram-done)" 'BEGIN { printf "%.2f", b - a }')"
  echo "GUEST_SECONDS=$(marker_time data)"
  echo "MODULES_TRIED=$tried"
  echo "MODULES_LOADED=$(awk -F'\t' '$4 == "loaded"' "$c/modules.tsv" | wc -l)"
  echo "BLOBS=$nblobs"
  echo "ZRAM_RUNS=$runs"
  echo "DATA_BYTES=$size"
  echo "BOOTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$work/boot.env"
else
{
  echo "BOOT_SECONDS=$boot_s"
  echo "KERNEL_UP_SECONDS=$(marker_time start)"
  echo "INSMOD_SECONDS=$(awk -v a="$(marker_time builtin-control)" -v b="$(marker_time insmod-done)" 'BEGIN { printf "%.2f", b - a }')"
  echo "QUERY_SECONDS=$(awk -v a="$(marker_time sections)" -v b="$(marker_time queries-done)" 'BEGIN { printf "%.2f", b - a }')"
  echo "GUEST_SECONDS=$(marker_time data)"
  echo "MODULES_TRIED=$tried"
  echo "MODULES_LOADED=$(awk -F'\t' '$4 == "loaded"' "$c/modules.tsv" | wc -l)"
  echo "SECTIONS=$(cat "$c"/sections/* /dev/null | wc -l)"
  echo "STEPS=$steps"
  echo "BUILTIN_LINES=$(wc -l <"$c/builtin.control")"
  echo "INSMOD_LINES=$(wc -l <"$c/insmod.control")"
  echo "DATA_BYTES=$size"
  echo "BOOTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$work/boot.env"
fi
rm -f -- "$work/initrd.gz" "$work/data.img" "$work/out.tar" "$work/qemu.out"
rm -rf -- "$work/root"
touch "$work/.complete"
rm -rf -- "$dest"
mv -- "$work" "$dest"
trap - EXIT
# a capture is ~50 MB: keep the newest four
ls -1dt "$qdir"/*/.complete 2>/dev/null | tail -n +5 | while IFS= read -r old; do
  log "pruning old capture ${old%/.complete}"
  rm -rf -- "${old%/.complete}"
done
log "captured in $boot_s s: $dest"
report 0
