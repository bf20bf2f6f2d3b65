#!/usr/bin/env bash
# fetch-real.sh - download Debian's real kernel binaries (modules, optionally
# the amd64 debug vmlinux) into a cache OUTSIDE the clone, for DynDbg.ElfSim's
# real-input tests. See docs/real-inputs.md.
#
# Usage:
#   scripts/fetch-real.sh [--arch LIST] [--no-vmlinux] [--prune]
#   scripts/fetch-real.sh --print [--arch LIST]
#
#   --arch LIST    comma-separated subset of:
#                  amd64,arm64,i386,armhf,s390x,ppc64el,mips64el (default: all)
#   --no-vmlinux   skip the -dbg packages (600-860 MB downloads each; amd64,
#                  arm64, i386, armhf, s390x, mips64el) / their vmlinux
#   --prune        delete cached kernel ABIs other than the current one
#   --print        print the KEY=VALUE lines for what is already cached and
#                  exit; never touches apt or the network, works on any OS
#
# Cache root: ${DYNDBG_ELFSIM_CACHE:-$HOME/.cache/dyndbg-elfsim}
#   <cache>/<arch>/<abi>/              extracted linux-image-<abi> package tree
#       lib/modules/<abi>/kernel/...   plain .ko files (decompressed if the
#                                      package shipped .ko.xz/.ko.zst/.ko.gz)
#       boot/...                       vmlinuz, config, placeholder System.map
#       usr/lib/debug/boot/vmlinux-<abi>   every arch but ppc64el, unless --no-vmlinux
#                                      (streamed out of the -dbg .deb, which
#                                      is then deleted)
#       .fetch-complete                stamp: package tree is complete
#       .vmlinux-complete              stamp: vmlinux is complete
#   <cache>/<arch>/CURRENT             which <abi> is current for <arch>
# Trees are extracted under <cache>/<arch>/.tmp.* and renamed into place only
# when complete, so a directory without its stamp is never reported.
# The ABI is never hard-coded: it is the dependency of the arch's kernel
# metapackage (e.g. linux-image-amd64 -> linux-image-6.1.0-56-amd64) in the
# local apt lists. That lookup is cached and redone only when the apt lists
# change, so a warm run does no apt call at all (~0.03 s).
# A fetching run prints the KEY=VALUE lines for the requested arches; --print
# prints them for every cached arch (or for --arch LIST).
#
# OUTPUT CONTRACT (stdout; progress and errors go to stderr). One KEY=VALUE per
# line; VALUE is everything after the first '=' up to the end of the line, not
# quoted. Keys (only arches that are complete in the cache are listed):
#   CACHE=<cache root, absolute>
#   ARCHES=<comma-separated arches listed below, e.g. amd64,arm64,i386>
#   ABI_<arch>=<kernel release, e.g. 6.1.0-56-amd64 (= dir under lib/modules)>
#   PKG_<arch>=<binary package, e.g. linux-image-6.1.0-56-amd64>
#   VERSION_<arch>=<package version, e.g. 6.1.192-2>
#   ROOT_<arch>=<cache>/<arch>/<abi>
#   MODULES_<arch>=<cache>/<arch>/<abi>/lib/modules/<abi>
#   KO_COUNT_<arch>=<number of .ko files under MODULES_<arch>>
#   KO_COMPRESSION_<arch>=none|xz|zstd|gzip  (as shipped; cache holds plain .ko)
#   VMLINUX_<arch>=<absolute path of an ELF vmlinux with symbol table>; only
#                  present when cached: from linux-image-<abi>-dbg
#                  (usr/lib/debug/boot/vmlinux-<abi>), and ppc64el, whose image
#                  package itself ships an unstripped boot/vmlinux-<abi>
#   VMLINUX_PKG_<arch>=<package it came from, e.g. linux-image-<abi>-dbg>
#   VMLINUX_VERSION_<arch>=<its package version>
#
# Exit status: 0 all requested arches present; 1 some arch failed (the lines
# for the others are still printed); 2 usage error; 3 unsupported platform
# (no apt-get/dpkg-deb) or no kernel metapackage could be resolved at all.
set -euo pipefail

readonly ALL_ARCHES=(amd64 arm64 i386 armhf s390x ppc64el mips64el)
readonly VMLINUX_ARCHES=" amd64 arm64 i386 armhf s390x mips64el "

meta_of() {   # metapackage for an arch
  case $1 in
    amd64) echo linux-image-amd64 ;;
    arm64) echo linux-image-arm64 ;;
    i386) echo linux-image-686 ;;
    armhf) echo linux-image-armmp ;;
    s390x) echo linux-image-s390x ;;
    ppc64el) echo linux-image-powerpc64le ;;
    mips64el) echo linux-image-5kc-malta ;;
    *) return 1 ;;
  esac
}
flavour_of() { # kernel flavour suffix of the ABI package the meta depends on
  case $1 in
    amd64) echo amd64 ;; arm64) echo arm64 ;; i386) echo 686 ;;
    armhf) echo armmp ;; s390x) echo s390x ;; ppc64el) echo powerpc64le ;;
    mips64el) echo 5kc-malta ;; *) return 1 ;;
  esac
}

log() { printf 'fetch-real: %s\n' "$*" >&2; }
die() { printf 'fetch-real: error: %s\n' "$1" >&2; exit "${2:-1}"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

# ---- arguments -------------------------------------------------------------
print_only=0 want_vmlinux=1 prune=0 arch_list=""
while (($#)); do
  case $1 in
    --print) print_only=1 ;;
    --no-vmlinux) want_vmlinux=0 ;;
    --prune) prune=1 ;;
    --arch) (($# >= 2)) || die "--arch needs a value" 2; arch_list=$2; shift ;;
    --arch=*) arch_list=${1#--arch=} ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" 2 ;;
  esac
  shift
done

arches=()
if [[ -z $arch_list ]]; then
  arches=("${ALL_ARCHES[@]}")
else
  IFS=', ' read -r -a req <<<"$arch_list"
  for a in "${ALL_ARCHES[@]}"; do          # canonical order, de-duplicated
    for r in "${req[@]}"; do [[ $r == "$a" ]] && { arches+=("$a"); break; }; done
  done
  for r in "${req[@]}"; do
    [[ -z $r ]] && continue
    meta_of "$r" >/dev/null || die "unknown arch '$r' (known: ${ALL_ARCHES[*]})" 2
  done
  ((${#arches[@]})) || die "--arch: empty list" 2
fi

cache=${DYNDBG_ELFSIM_CACHE:-${HOME:?HOME is not set}/.cache/dyndbg-elfsim}
[[ $cache == /* ]] || cache=$PWD/$cache
cache=${cache%/}

# read KEY=VALUE file $1 into associative array named $2 (no sourcing)
read_kv() {
  local -n _kv=$2
  local k v
  _kv=()
  [[ -f $1 ]] || return 1
  while IFS='=' read -r k v; do
    [[ -n $k && $k != \#* ]] && _kv["$k"]=$v
  done <"$1"
}

# ---- printing --------------------------------------------------------------
print_kv() { # print the contract lines for the given arches
  local a abi root listed=() out=()
  local -A cur st vm
  for a in "$@"; do
    read_kv "$cache/$a/CURRENT" cur || continue
    abi=${cur[ABI]:-}
    root=$cache/$a/$abi
    [[ -n $abi ]] || continue
    read_kv "$root/.fetch-complete" st || continue
    [[ -d $root/lib/modules/$abi ]] || continue
    listed+=("$a")
    out+=("ABI_$a=$abi" "PKG_$a=${st[PKG]}" "VERSION_$a=${st[VERSION]}"
      "ROOT_$a=$root" "MODULES_$a=$root/lib/modules/$abi"
      "KO_COUNT_$a=${st[KO_COUNT]}" "KO_COMPRESSION_$a=${st[KO_COMPRESSION]}")
    if read_kv "$root/.vmlinux-complete" vm && [[ -f $root/${vm[PATH]} ]]; then
      out+=("VMLINUX_$a=$root/${vm[PATH]}" "VMLINUX_PKG_$a=${vm[PKG]}"
        "VMLINUX_VERSION_$a=${vm[VERSION]}")
    fi
  done
  local IFS=,
  printf 'CACHE=%s\nARCHES=%s\n' "$cache" "${listed[*]}"
  ((${#out[@]} == 0)) || printf '%s\n' "${out[@]}"
}

if ((print_only)); then
  if [[ -z $arch_list ]]; then   # everything in the cache, canonical order
    print_kv "${ALL_ARCHES[@]}"
  else
    print_kv "${arches[@]}"
  fi
  exit 0
fi

# ---- platform check ----------------------------------------------------------
for tool in apt-get apt-cache dpkg dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || {
    log "'$tool' not found: real kernel inputs can only be fetched on a Debian/Ubuntu host; skipping"
    exit 3
  }
done
for tool in tar find xargs; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found"
done

as_root() {
  if ((EUID == 0)); then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else log "need root for: $*"; return 1
  fi
}

mkdir -p "$cache"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.lock"
  if ! flock -n 9; then
    log "another fetch-real.sh holds $cache/.lock; waiting"
    flock 9
  fi
fi

# Temp dirs of this run are removed on exit; leftovers of killed runs too.
tmp_dirs=()
cleanup() { local d; for d in "${tmp_dirs[@]}"; do rm -rf -- "$d"; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM
rm -rf -- "$cache"/.tmp-apt.*
for a in "${arches[@]}"; do rm -rf -- "$cache/$a"/.tmp.* "$cache/$a"/.old.*; done

# Fingerprint of the apt package lists: resolution (meta -> ABI package and
# version) is cached per arch and redone only when the lists change, so that a
# warm run never calls apt-cache (which can take ~1 s per call).
lists_dir=/var/lib/apt/lists
eval "$(apt-config shell lists_dir Dir::State::lists/d 2>/dev/null || true)"
lists_dir=${lists_dir%/}
lists_fp() {
  local files=()
  shopt -s nullglob
  files=("$lists_dir"/*_Packages* "$lists_dir"/*Release)
  shopt -u nullglob
  ((${#files[@]})) || { echo none; return; }
  stat -c '%n %s %Y' "${files[@]}" | cksum | cut -d' ' -f1
}
fp=$(lists_fp)

# Is arch $1 complete in the cache for the current lists?
up_to_date() {
  local a=$1
  local -A cur
  read_kv "$cache/$a/CURRENT" cur || return 1
  [[ ${cur[LISTS_FP]:-} == "$fp" ]] || return 1
  local root=$cache/$a/${cur[ABI]}
  [[ -f $root/.fetch-complete && -d $root/lib/modules/${cur[ABI]} ]] || return 1
  if ((want_vmlinux)) && [[ $VMLINUX_ARCHES == *" $a "* ]]; then
    local -A vm
    read_kv "$root/.vmlinux-complete" vm && [[ -f $root/${vm[PATH]} ]] || return 1
  fi
}

todo=()
for a in "${arches[@]}"; do up_to_date "$a" || todo+=("$a"); done
if ((${#todo[@]} == 0)); then
  log "cache up to date (${arches[*]}): $cache"
fi

# ---- resolve metapackage -> ABI package --------------------------------------
declare -A R_PKG R_VER
APT_OPTS=()
failed=() FETCHED_VER=""

# One apt-cache call for all metapackages (apt-cache is slow here: it has to
# rebuild its cache each time when Dir::Cache::pkgcache is disabled, as in
# Docker images). Equivalent to `apt-cache depends <meta>:<arch>`, plus the
# exact version the candidate metapackage pins: "Depends: linux-image-X (= V)".
# Prints "<arch> <dependency> [<pinned version>]" lines.
resolve_metas() {
  local args=() a
  for a in "$@"; do args+=("$(meta_of "$a"):$a"); done
  apt-cache "${APT_OPTS[@]}" show --no-all-versions "${args[@]}" 2>/dev/null | awk '
    function flush(  i) { for (i = 1; i <= nd; i++) print arch, dep[i]; nd = 0; arch = "" }
    /^Package: / { flush() }
    /^Architecture: / { arch = $2 }
    /^Depends: / {
      n = split(substr($0, 10), items, /[,|]/)
      for (i = 1; i <= n; i++) {
        it = items[i]; gsub(/^ +| +$/, "", it)
        name = it; sub(/[ :(].*/, "", name); ver = ""
        if (match(it, /\(= [^)]*\)/)) ver = substr(it, RSTART + 3, RLENGTH - 4)
        dep[++nd] = name (ver == "" ? "" : " " ver)
      }
    }
    END { flush() }'
}

if ((${#todo[@]})); then
  # Docker images disable apt's binary cache (Dir::Cache::pkgcache ""), so
  # every apt-cache/apt-get call re-parses all lists (~4 s with 7 arches).
  # Give this run a private one; it is deleted on exit.
  pkgcache=""
  eval "$(apt-config shell pkgcache Dir::Cache::pkgcache 2>/dev/null || true)"
  if [[ -z $pkgcache ]]; then
    apt_tmp=$(mktemp -d "$cache/.tmp-apt.XXXXXX")
    tmp_dirs+=("$apt_tmp")
    APT_OPTS+=(-o "Dir::Cache::pkgcache=$apt_tmp/pkgcache.bin")
  fi

  # enable foreign architectures that are needed
  native=$(dpkg --print-architecture)
  foreign=" $(dpkg --print-foreign-architectures | tr '\n' ' ') "
  for a in "${todo[@]}"; do
    if [[ $a != "$native" && $foreign != *" $a "* ]]; then
      log "dpkg --add-architecture $a"
      as_root dpkg --add-architecture "$a" || log "could not add architecture $a"
    fi
  done

  # pick, per arch, the linux-image-<abi>-<flavour> dependency of the meta
  pick() {
    local a p v flav
    while read -r a p v; do
      flav=$(flavour_of "$a") || continue
      [[ $p =~ ^linux-image-[0-9][^\ ]*-$flav$ ]] || continue  # not -686-pae
      R_PKG[$a]=$p R_VER[$a]=$v
    done < <(resolve_metas "$@")
  }
  pick "${todo[@]}"
  # An added architecture without package lists needs one apt-get update.
  need_update=()
  for a in "${todo[@]}"; do
    [[ -n ${R_PKG[$a]:-} ]] && continue
    shopt -s nullglob
    l=("$lists_dir"/*_binary-"$a"_Packages*)
    shopt -u nullglob
    ((${#l[@]})) || need_update+=("$a")
  done
  if ((${#need_update[@]})); then
    log "no package lists for: ${need_update[*]}; running apt-get update"
    as_root apt-get update -q >&2 || log "apt-get update reported errors (continuing)"
    fp=$(lists_fp)
    pick "${need_update[@]}"
  fi
  for a in "${todo[@]}"; do
    [[ -n ${R_PKG[$a]:-} ]] || log "$a: cannot resolve $(meta_of "$a"):$a (metapackage missing?)"
  done

  # All arches are built from one source upload; differing versions usually
  # mean some arch's package lists are stale or failed to update.
  declare -A seen_ver=()
  for a in "${todo[@]}"; do [[ -n ${R_VER[$a]:-} ]] && seen_ver[${R_VER[$a]}]+="$a "; done
  if ((${#seen_ver[@]} > 1)); then
    msg=""
    for v in "${!seen_ver[@]}"; do msg+="; $v: ${seen_ver[$v]% }"; done
    log "note: arches resolve to different kernel versions (${msg#; }) -- apt lists of some arch may be stale (apt-get update errors?)"
  fi

  # nothing resolvable at all -> treat like an unsupported platform
  if ((${#R_PKG[@]} == 0)); then
    ok_cached=0
    for a in "${arches[@]}"; do [[ -f $cache/$a/CURRENT ]] && ok_cached=1; done
    if ((ok_cached == 0)); then
      log "no Debian kernel metapackage could be resolved (not a Debian host, or no network?); skipping"
      exit 3
    fi
  fi
fi

# ---- fetching ----------------------------------------------------------------
apt_dl() { # apt-get download into the current directory, quietly
  local opts=(-q=2)
  ((EUID == 0)) && opts+=(-o APT::Sandbox::User=root)  # cache may be 0700
  apt-get "${APT_OPTS[@]}" download "${opts[@]}" "$@" >&2
}

write_kv() { # write_kv FILE KEY=VALUE... (atomically)
  local f=$1; shift
  printf '%s\n' "$@" >"$f.tmp.$$" && mv -f -- "$f.tmp.$$" "$f"
}

fetch_tree() { # fetch_tree ARCH PKG [VERSION] -> <cache>/<arch>/<abi>; sets FETCHED_VER
  local a=$1 pkg=$2 ver=$3 abi=${2#linux-image-} t0
  local dir=$cache/$a root=$cache/$a/$abi
  local -A st
  if read_kv "$root/.fetch-complete" st && [[ -z $ver || ${st[VERSION]} == "$ver" ]] &&
    [[ -d $root/lib/modules/$abi ]]; then
    FETCHED_VER=${st[VERSION]}
    return 0
  fi
  t0=$(now)
  mkdir -p "$dir"
  local tmp
  tmp=$(mktemp -d "$dir/.tmp.$abi.XXXXXX")
  tmp_dirs+=("$tmp")
  log "$a: downloading $pkg${ver:+=$ver}"
  (cd "$tmp" && apt_dl "$pkg:$a${ver:+=$ver}") || { log "$a: download of $pkg failed"; return 1; }
  local deb
  deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
  [[ -n $deb ]] || { log "$a: no .deb downloaded"; return 1; }
  ver=$(dpkg-deb -f "$deb" Version)
  log "$a: extracting $(basename "$deb") ($(du -h "$deb" | cut -f1))"
  mkdir "$tmp/tree"
  dpkg-deb -x "$deb" "$tmp/tree" || { log "$a: dpkg-deb -x failed"; return 1; }
  # list of regular files in the package, to check the tree is complete
  dpkg-deb -I "$deb" md5sums | cut -c35- >"$tmp/files" ||
    { log "$a: cannot read md5sums of $pkg"; return 1; }
  rm -f -- "$deb"
  if [[ ! -d $tmp/tree/lib/modules/$abi ]]; then
    log "$a: $pkg has no lib/modules/$abi"; return 1
  fi
  # compressed modules? decompress so that consumers see plain .ko files
  local comp=none n
  local mods=$tmp/tree/lib/modules/$abi
  for ext in xz zst gz; do
    n=$(find "$mods" -name "*.ko.$ext" | wc -l)
    ((n)) || continue
    case $ext in
      xz) comp=xz; command -v xz >/dev/null || { log "$a: need xz"; return 1; }
        find "$mods" -name '*.ko.xz' -print0 | xargs -0 -r -P "$(nproc)" -n 64 xz -d ;;
      zst) comp=zstd; command -v zstd >/dev/null || { log "$a: need zstd (apt-get install zstd)"; return 1; }
        find "$mods" -name '*.ko.zst' -print0 | xargs -0 -r -P "$(nproc)" -n 64 zstd -q -d --rm ;;
      gz) comp=gzip
        find "$mods" -name '*.ko.gz' -print0 | xargs -0 -r -P "$(nproc)" -n 64 gzip -d ;;
    esac
    log "$a: decompressed $n .ko.$ext modules"
  done
  local count
  count=$(find "$mods" -name '*.ko' -type f | wc -l)
  local f missing=0 nfiles=0
  while IFS= read -r f; do
    [[ $f == *.ko.xz || $f == *.ko.zst || $f == *.ko.gz ]] && f=${f%.*}  # decompressed
    nfiles=$((nfiles + 1))
    [[ -f $tmp/tree/$f ]] || missing=$((missing + 1))
  done <"$tmp/files"
  if ((missing)); then
    log "$a: $missing of $nfiles packaged files missing after extraction"; return 1
  fi
  # ppc64el's image package ships an unstripped ELF boot/vmlinux-<abi> (with
  # __start___dyndbg/__stop___dyndbg); report it as VMLINUX_<arch> for free.
  local bootelf=boot/vmlinux-$abi
  if [[ -f $tmp/tree/$bootelf && $(head -c4 "$tmp/tree/$bootelf" | tr -d '\0') == $'\x7fELF' ]]; then
    write_kv "$tmp/tree/.vmlinux-complete" "PATH=$bootelf" "PKG=$pkg" "VERSION=$ver" \
      "SIZE=$(stat -c %s "$tmp/tree/$bootelf")"
  fi
  write_kv "$tmp/tree/.fetch-complete" "ARCH=$a" "PKG=$pkg" "VERSION=$ver" \
    "ABI=$abi" "KO_COUNT=$count" "KO_COMPRESSION=$comp" \
    "FETCHED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  # swap into place (an old tree of the same ABI but another version is
  # replaced; its vmlinux stamp goes with it)
  if [[ -e $root ]]; then
    local old="$dir/.old.$abi.$$"
    tmp_dirs+=("$old")
    mv -- "$root" "$old"
  fi
  mv -- "$tmp/tree" "$root"
  FETCHED_VER=$ver
  log "$a: $pkg $ver ready: $count .ko (shipped compression: $comp) in $(elapsed "$t0") s"
}

fetch_vmlinux() { # fetch_vmlinux ARCH ABI (tree must exist)
  local a=$1 abi=$2 root=$cache/$1/$2 t0
  local dbg=linux-image-$abi-dbg
  local -A vm st
  read_kv "$root/.fetch-complete" st || return 1
  if read_kv "$root/.vmlinux-complete" vm && [[ -f $root/${vm[PATH]} ]]; then
    return 0
  fi
  t0=$(now)
  local tmp
  tmp=$(mktemp -d "$cache/$a/.tmp.dbg.XXXXXX")
  tmp_dirs+=("$tmp")
  log "$a: downloading $dbg (large: ~860 MB .deb; --no-vmlinux skips this)"
  # same source version as the image package when available
  (cd "$tmp" && { apt_dl "$dbg:$a=${st[VERSION]}" 2>/dev/null || apt_dl "$dbg:$a"; }) ||
    { log "$a: download of $dbg failed"; return 1; }
  local deb
  deb=$(find "$tmp" -maxdepth 1 -name '*.deb' -print -quit)
  [[ -n $deb ]] || { log "$a: no .deb downloaded"; return 1; }
  local ver
  ver=$(dpkg-deb -f "$deb" Version)
  log "$a: downloaded $(du -h "$deb" | cut -f1) in $(elapsed "$t0") s"
  # locate the vmlinux via the md5sums control member (cheap; no data scan)
  local sum path
  read -r sum path < <(dpkg-deb -I "$deb" md5sums |
    awk '$2 ~ "^usr/lib/debug/boot/vmlinux-" { print; exit }') || true
  [[ -n ${path:-} ]] || { log "$a: no usr/lib/debug/boot/vmlinux-* in $dbg"; return 1; }
  local t1
  t1=$(now)
  mkdir "$tmp/x"
  # Stream only that member; tar stops at the first occurrence, after which
  # dpkg-deb dies of SIGPIPE (expected) -- integrity is checked via md5 below.
  local rc=()
  set +e +o pipefail
  dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -x --occurrence=1 -C "$tmp/x" "./$path"
  rc=("${PIPESTATUS[@]}")
  set -e -o pipefail
  rm -f -- "$deb"
  if ((rc[1] != 0)) || [[ ! -f $tmp/x/$path ]]; then
    log "$a: extracting $path failed (dpkg-deb=${rc[0]} tar=${rc[1]})"; return 1
  fi
  local got
  got=$(md5sum <"$tmp/x/$path" | cut -d' ' -f1)
  [[ $got == "$sum" ]] || { log "$a: md5 mismatch for $path"; return 1; }
  mkdir -p "$root/$(dirname "$path")"
  mv -f -- "$tmp/x/$path" "$root/$path"
  write_kv "$root/.vmlinux-complete" "PATH=$path" "PKG=$dbg" "VERSION=$ver" \
    "SIZE=$(stat -c %s "$root/$path")" "MD5=$sum"
  log "$a: vmlinux extracted (streamed, md5 ok) in $(elapsed "$t1") s; total $(elapsed "$t0") s: $root/$path"
}

for a in "${todo[@]}"; do
  if [[ -z ${R_PKG[$a]:-} ]]; then
    # not resolvable now (offline?): fall back to whatever is cached
    if [[ -f $cache/$a/CURRENT ]]; then
      log "$a: using cached tree (could not resolve the current ABI)"
    else
      failed+=("$a")
    fi
    continue
  fi
  pkg=${R_PKG[$a]} abi=${R_PKG[$a]#linux-image-}
  if ! fetch_tree "$a" "$pkg" "${R_VER[$a]:-}"; then failed+=("$a"); continue; fi
  write_kv "$cache/$a/CURRENT" "ABI=$abi" "PKG=$pkg" "VERSION=$FETCHED_VER" "LISTS_FP=$fp"
  if ((want_vmlinux)) && [[ $VMLINUX_ARCHES == *" $a "* ]]; then
    fetch_vmlinux "$a" "$abi" || failed+=("$a (vmlinux)")
  fi
done

if ((prune)); then
  for a in "${arches[@]}"; do
    declare -A cur=()
    read_kv "$cache/$a/CURRENT" cur || continue
    for d in "$cache/$a"/*/; do
      d=${d%/}
      [[ ${d##*/} == "${cur[ABI]}" ]] && continue
      log "$a: pruning $d"
      rm -rf -- "$d"
    done
  done
fi

print_kv "${arches[@]}"
if ((${#failed[@]})); then
  log "FAILED: ${failed[*]}"
  exit 1
fi
