#!/usr/bin/env bash
# Measures `report` pages in headless Chromium (docs/report.md): file size; the time until the page's own script
# has run (parse + script, from the page's performance clock, read back through --dump-dom); and the wall time of a
# full --screenshot (start-up, load, layout, paint) minus the same for an empty page, median of 5 runs each.
# Usage: scripts/report-timing.sh PAGE.html...
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo '<!DOCTYPE html><html><body></body></html>' > "$work/empty.html"

shot() { # wall seconds of one screenshot of $1
  local t0 t1
  t0=$(date +%s.%N)
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1280,1400 --screenshot="$work/shot.png" "file://$1" >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

base=$(for _ in 1 2 3 4 5; do shot "$work/empty.html"; done | median)
printf '%-40s %12s %14s %16s\n' page bytes "script ms" "render ms"
for page in "$@"; do
  full=$(readlink -f "$page")
  # The same page with one more script after the report's own: it stamps the clock once that has run.
  sed 's|</body></html>|<script>document.body.setAttribute("data-ready-ms", performance.now().toFixed(0))</script></body></html>|' "$full" > "$work/timed.html"
  ready=$(for _ in 1 2 3 4 5; do
    chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" --dump-dom "file://$work/timed.html" 2>/dev/null |
      grep -o 'data-ready-ms="[0-9]*"' | grep -o '[0-9]*'
  done | median)
  render=$(for _ in 1 2 3 4 5; do shot "$full"; done | median)
  printf '%-40s %12s %14s %16.0f\n' "$(basename "$page")" "$(stat -c %s "$full")" "$ready" "$(echo "($render - $base) * 1000" | bc)"
done
echo "(render ms: screenshot wall time minus an empty page's, $(echo "$base * 1000" | bc | cut -d. -f1) ms)"
