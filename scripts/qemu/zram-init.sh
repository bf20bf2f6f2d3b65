#!/bin/sh
# /init of the zram ground-truth initramfs (busybox ash, PID 1), built by scripts/qemu/boot.sh --zram.
#
# Loads zsmalloc, zram and the crypto drivers (modules in /etc/dyndbg-qemu/modules, in modules.dep order), then,
# for each algorithm and each blob in /etc/dyndbg-qemu/blobs (already zero-padded to whole 4 KiB pages by the
# host): resets /dev/zram0, sets comp_algorithm and disksize, writes the blob from offset 0 (dd bs=4096 with
# fsync, so every page goes through zram's write path once), syncs, and records into /out:
#   version, cmdline, kernel-notes          /proc/version, /proc/cmdline, /sys/kernel/notes
#   modules.tsv, insmod.dmesg               as init.sh: seq, name, path, loaded|failed, insmod's message
#   comp_algorithm                          /sys/block/zram0/comp_algorithm after zram loaded (what it offers)
#   debugfs                                 the files under /sys/kernel/debug/zram and /sys/kernel/debug/zsmalloc
#   zram/<algorithm>/<blob>/mm_stat         /sys/block/zram0/mm_stat after the write
#   zram/<algorithm>/<blob>/stat, io_stat   /sys/block/zram0/stat and io_stat
#   zram/<algorithm>/<blob>/comp_algorithm  the selected algorithm, in brackets
#   zram/<algorithm>/<blob>/block_state     debugfs zram0/block_state (CONFIG_ZRAM_MEMORY_TRACKING): per stored
#                                           page its index, access time and flags s(ame) w(ritten back) h(uge) i(dle)
#   zram/<algorithm>/<blob>/classes         debugfs zsmalloc/<pool>/classes, only with CONFIG_ZSMALLOC_STAT
#   zram/<algorithm>/<blob>/rc              "0" or the step that failed and its message
# and hands /out to the host as init.sh does: a header line and a tar on the raw virtio disk.
# Never exits: PID 1 exiting would panic. Every path ends in poweroff -f; the host bounds the run with a timeout.

PATH=/bin
export PATH
CFG=/etc/dyndbg-qemu
OUT=/out
Z=/sys/block/zram0
# larger than any blob; zram allocates nothing for a page until it is written
DISKSIZE=67108864

mark() { read -r up idle < /proc/uptime; echo "=== dyndbg-qemu: $* t=$up"; }

finish() {
  mark "$@"
  poweroff -f
  while :; do sleep 60; done
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2> /dev/null
mkdir -p $OUT/zram

read -r abi < $CFG/abi
mark "start"
cat /proc/version > $OUT/version
cat /proc/cmdline > $OUT/cmdline
cat /sys/kernel/notes > $OUT/kernel-notes
mark "version $(cat $OUT/version)"

dmesg -c > /dev/null
: > $OUT/modules.tsv
: > $OUT/insmod.dmesg
loaded=0 failed=0
while read -r seq name path; do
  msg=$(insmod "/lib/modules/$abi/$path" 2>&1)
  state=
  [ -r /sys/module/$name/initstate ] && read -r state < /sys/module/$name/initstate
  if [ "$state" = live ]; then
    status=loaded loaded=$((loaded + 1))
  else
    status=failed failed=$((failed + 1))
    [ -n "$msg" ] || msg="initstate '$state'"
  fi
  msg=$(echo "$msg" | tr '\t\n' '  ' | sed 's/ *$//')
  printf '%s\t%s\t%s\t%s\t%s\n' "$seq" "$name" "$path" "$status" "$msg" >> $OUT/modules.tsv
  echo "## $seq $name" >> $OUT/insmod.dmesg
  dmesg -r -c >> $OUT/insmod.dmesg
  mark "insmod $seq $name $status${msg:+ ($msg)}"
done < $CFG/modules
mark "insmod-done loaded=$loaded failed=$failed"
[ -e $Z/mm_stat ] || finish "FAIL no $Z after insmod zram"
cat $Z/comp_algorithm > $OUT/comp_algorithm

runs=0 bad=0
for alg in $(cat $CFG/algorithms); do
  for b in $CFG/blobs/*; do
    [ -f "$b" ] || continue
    name=${b##*/}
    d=$OUT/zram/$alg/$name
    mkdir -p $d
    rc=0
    echo 1 > $Z/reset 2> $d/err || rc="reset $(cat $d/err)"
    [ "$rc" = 0 ] && { echo $alg > $Z/comp_algorithm 2> $d/err || rc="comp_algorithm $(cat $d/err)"; }
    [ "$rc" = 0 ] && { echo $DISKSIZE > $Z/disksize 2> $d/err || rc="disksize $(cat $d/err)"; }
    [ "$rc" = 0 ] && { dd if=$b of=/dev/zram0 bs=4096 conv=fsync 2> $d/err || rc="dd $(cat $d/err | tr '\n' ' ')"; }
    sync
    cat $Z/mm_stat > $d/mm_stat
    cat $Z/stat > $d/stat
    cat $Z/io_stat > $d/io_stat 2> /dev/null
    cat $Z/comp_algorithm > $d/comp_algorithm
    cat /sys/kernel/debug/zram/zram0/block_state > $d/block_state 2> /dev/null
    for c in /sys/kernel/debug/zsmalloc/*/classes; do
      [ -r "$c" ] && cat "$c" > $d/classes
    done
    echo "$rc" > $d/rc
    rm -f $d/err
    runs=$((runs + 1))
    [ "$rc" = 0 ] || bad=$((bad + 1))
    mark "zram $alg $name rc=$rc mm_stat $(cat $d/mm_stat)"
  done
done
# what debugfs offers (with the last device still set up): zram0's files, and zsmalloc's only with CONFIG_ZSMALLOC_STAT
(cd /sys/kernel/debug 2> /dev/null && find zram zsmalloc 2> /dev/null) > $OUT/debugfs
echo 1 > $Z/reset
mark "zram-done runs=$runs failed=$bad"

mark "packing"
(cd $OUT && tar -cf - .) > /tmp/out.tar
size=$(stat -c %s /tmp/out.tar)
sum=$(md5sum < /tmp/out.tar | cut -d' ' -f1)
while read -r seq name path; do
  insmod "/lib/modules/$abi/$path" 2> /dev/null
done < $CFG/transport
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -b /dev/vda ] || finish "FAIL no /dev/vda to write the data to"
echo "DYNDBG-QEMU-DATA $size $sum" > /tmp/header
cat /tmp/header /tmp/out.tar > /dev/vda || finish "FAIL writing the data to /dev/vda"
sync
mark "data bytes=$size md5=$sum"
finish "done"
