#!/usr/bin/env bash
# Measures `report` pages in headless Chromium (docs/report.md): the file's size, and on the page's own clock
# (performance.now(), from the start of the navigation) when the report's script has run ("ready": parse and
# script) and when the second animation frame after it comes ("painted": style, layout and the first paint done).
# Medians of 5 runs. Chromium's start-up is not in either figure, so a busy machine disturbs them less.
# Usage: scripts/report-timing.sh PAGE.html...
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-36s %10s %9s %11s\n' page bytes "ready ms" "painted ms"
for page in "$@"; do
  # The same page with one more script after the report's own; it logs the clock to the console (stderr).
  sed 's|</body></html>|<script>console.log("ready-ms " + performance.now().toFixed(0)); requestAnimationFrame(function () { requestAnimationFrame(function () { console.log("painted-ms " + performance.now().toFixed(0)); }); });</script></body></html>|' \
    "$page" > "$work/timed.html"
  for _ in 1 2 3 4 5; do
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 --user-data-dir="$work/profile" \
      --window-size=1280,1400 --screenshot="$work/shot.png" "file://$work/timed.html" 2>&1 | grep -o '"[a-z]*-ms [0-9]*"' | tr -d '"'
  done > "$work/times"
  ready=$(awk '$1 == "ready-ms" {print $2}' "$work/times" | median)
  painted=$(awk '$1 == "painted-ms" {print $2}' "$work/times" | median)
  printf '%-36s %10s %9s %11s\n' "$(basename "$page")" "$(stat -c %s "$page")" "$ready" "$painted"
done
