# Sourced by the KernelSource oracles' build scripts (scripts/control-oracle/build.sh, scripts/zram-oracle/build.sh).
#
#   oracle_cached CACHE INPUTS    prints ORACLE=<path> and exits 0 when CACHE/*/oracle-INPUTS is already built
#   linux_source CACHE PATH...    the named files and directories of Debian's linux-source-6.1 under
#                                 CACHE/<version>/src (downloaded once with `apt-get download`, no root needed, and
#                                 only those paths kept); sets cc, version and src. Exits 3 when apt/dpkg, tar, xz,
#                                 python3 or the C compiler ($CC, default gcc) are missing, or apt knows no package.
oracle_cached() {
  local built
  for built in "$1"/*/oracle-"$2"; do
    if [ -x "$built" ]; then echo "ORACLE=$built"; exit 0; fi
  done
}

linux_source() {
  local cache=$1 pkg=linux-source-6.1 tool tmp deb
  shift
  cc=${CC:-gcc}
  for tool in apt-get apt-cache dpkg-deb tar xz python3 "$cc"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool is missing" >&2; exit 3; }
  done
  version=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | awk '/^Version:/ {print $2; exit}')
  [ -n "$version" ] || { echo "build.sh: apt knows no $pkg (apt-get update?)" >&2; exit 3; }
  src=$cache/$version/src
  [ -f "$src/.complete" ] && return 0
  tmp=$(mktemp -d "$cache.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "$cache")"; mktemp -d "$cache.tmp.XXXXXX"; })
  trap "rm -rf -- '$tmp'" EXIT   # expanded now: tmp is local to this function
  echo "build.sh: downloading $pkg $version" >&2
  local sandbox=(); [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)  # the cache may be 0700
  (cd "$tmp" && apt-get download -q=2 "${sandbox[@]}" "$pkg=$version" >&2)
  deb=$(ls "$tmp"/*.deb)
  dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz \
    | tar -xJ -C "$tmp" "${@/#/linux-source-6.1/}"
  mkdir -p "$(dirname "$src")"
  rm -rf "$src"
  mv "$tmp/linux-source-6.1" "$src"
  touch "$src/.complete"
  rm -rf -- "$tmp"
  trap - EXIT
}
