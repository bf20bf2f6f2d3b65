#!/bin/sh
# /init of the dyndbg-qemu initramfs (busybox ash, PID 1), built by scripts/qemu/boot.sh.
#
# Captures, into /out, what the booted kernel really shows, and hands /out to the host as one tar on a raw
# virtio disk (the console on ttyS0 carries kernel messages and CR/LF translation, so it only gets the progress
# markers "=== dyndbg-qemu: ... t=<uptime>").
#   version, cmdline, kptr_restrict   /proc/version, /proc/cmdline, /proc/sys/kernel/kptr_restrict
#   kernel-notes                      /sys/kernel/notes: the running kernel's ELF notes, GNU build ID included
#   builtin.control                   /proc/dynamic_debug/control before any insmod (the built-ins)
#   modules.tsv                       seq, name, path, status (loaded|failed), insmod's message
#   insmod.dmesg                      kernel messages of each insmod, after a "## <seq> <name>" line
#   insmod.control                    the control file once every module of the list was tried
#   proc-modules                      /proc/modules (name size refs deps state core-base)
#   module-sizes.tsv                  name, coresize, initsize (from /sys/module/<name>/)
#   sections/<name>                   "<section> <address>" for every /sys/module/<name>/sections/* entry
#   kallsyms                          /proc/kallsyms once every module was tried (what undefined symbols resolved to)
#   core/<name>                       the module's core allocation (base and coresize from /proc/modules) as the
#                                     kernel holds it after init, read through /proc/kcore (armhf has none: there
#                                     boot.sh saves it through the qemu monitor after "done", see memsave)
#   steps/<NNN>.query                 bytes written to the control file by step NNN (one write(2) each)
#   steps/<NNN>.rc                    "<rc> <message>": rc is what the write returned (the byte count) or -errno
#   steps/<NNN>.control               the control file after step NNN
#   steps/<NNN>.dmesg                 kernel messages of step NNN (parse errors and the like)
# Never exits: PID 1 exiting would panic. Every path ends in poweroff -f; the host bounds the run with a timeout.

PATH=/bin
export PATH
CONTROL=/proc/dynamic_debug/control
CFG=/etc/dyndbg-qemu
OUT=/out

# every marker ends with the guest's uptime, so the console log shows where the time goes
mark() { read -r up idle < /proc/uptime; echo "=== dyndbg-qemu: $* t=$up"; }

finish() {
  mark "$@"
  poweroff -f
  while :; do sleep 60; done
}

# line count and md5 of a file, for the console markers
summary() { echo "lines=$(wc -l < "$1") md5=$(md5sum < "$1" | cut -d' ' -f1)"; }

# dd reports a failed write as "...: <strerror>"; the kernel returned -errno. A 6.1 control write fails only
# with these (lib/dynamic_debug.c ddebug_proc_write); -1000 marks anything else, and the message is kept.
errno_of() {
  case $1 in
    *"Invalid argument"*) echo -22 ;;
    *"Argument list too long"*) echo -7 ;;
    *"Cannot allocate memory"*) echo -12 ;;
    *"Bad address"*) echo -14 ;;
    *"Operation not permitted"*) echo -1 ;;
    *) echo -1000 ;;
  esac
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p $OUT/steps $OUT/sections

read -r abi < $CFG/abi
mark "start"
cat /proc/version > $OUT/version
cat /proc/cmdline > $OUT/cmdline
cat /proc/sys/kernel/kptr_restrict > $OUT/kptr_restrict
cat /sys/kernel/notes > $OUT/kernel-notes
mark "version $(cat $OUT/version)"
[ -e $CONTROL ] || finish "FAIL no $CONTROL"

cat $CONTROL > $OUT/builtin.control
mark "builtin-control $(summary $OUT/builtin.control)"

# ---- insmod, in the order boot.sh resolved from modules.dep -------------------------------------------------
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

cat $CONTROL > $OUT/insmod.control
cat /proc/modules > $OUT/proc-modules
mark "insmod-control $(summary $OUT/insmod.control)"

# ---- where the kernel put every section (nokaslr) -----------------------------------------------------------
: > $OUT/module-sizes.tsv
nsec=0
while IFS="$(printf '\t')" read -r seq name path status msg; do
  [ "$status" = loaded ] || continue
  read -r core < /sys/module/$name/coresize
  read -r init < /sys/module/$name/initsize
  printf '%s\t%s\t%s\n' "$name" "$core" "$init" >> $OUT/module-sizes.tsv
  # The attribute answers only a read at offset 0 (module_sect_read), so not the shell's byte-wise `read`:
  # grep reads each file whole and prints "<path>:<address>".
  d=/sys/module/$name/sections
  grep -H . $d/.[!.]* $d/* 2> /dev/null | sed "s|^$d/||; s|:| |" > $OUT/sections/$name
  nsec=$((nsec + $(wc -l < $OUT/sections/$name)))
done < $OUT/modules.tsv
mark "sections modules=$loaded sections=$nsec"

# ---- the loaded bytes: each module's core allocation, read through /proc/kcore (nokaslr) -----------------------
# kcore is an ELF core file: a PT_LOAD per region, p_offset = where its p_vaddr is in the file. The header is
# parsed here, in the guest's own byte order (od), with the shell's 64-bit wrap-around arithmetic (addresses above
# 2^63 are negative, but differences are right).
cat /proc/kallsyms > $OUT/kallsyms
ncore=0
if [ -r /proc/kcore ] && dd if=/proc/kcore of=/tmp/kcore.head bs=4096 count=16 2> /dev/null; then
  mkdir -p $OUT/core
  hx() { od -A n -t x$2 -j $1 -N $2 /tmp/kcore.head | tr -d ' \n'; }
  if [ "$(hx 4 1)" = 02 ]; then
    phoff=$((0x$(hx 32 8))) phnum=$((0x$(hx 56 2))) phent=56 w=8 o_off=8 o_vaddr=16 o_filesz=32
  else
    phoff=$((0x$(hx 28 4))) phnum=$((0x$(hx 44 2))) phent=32 w=4 o_off=4 o_vaddr=8 o_filesz=16
  fi
  while read -r name size refs deps state base rest; do
    base=$((base)) i=0 found=
    while [ $i -lt $phnum ]; do
      ph=$((phoff + i * phent))
      if [ "$(hx $ph 4)" = 00000001 ]; then
        d=$((base - 0x$(hx $((ph + o_vaddr)) $w)))
        if [ $d -ge 0 ] && [ $d -lt $((0x$(hx $((ph + o_filesz)) $w))) ]; then
          found=$((0x$(hx $((ph + o_off)) $w) + d))
          break
        fi
      fi
      i=$((i + 1))
    done
    [ -n "$found" ] || continue
    dd if=/proc/kcore of=$OUT/core/$name bs=4096 skip=$((found / 4096)) count=$(((size + 4095) / 4096)) 2> /dev/null &&
      ncore=$((ncore + 1))
  done < $OUT/proc-modules
fi
if [ ! -r /proc/kcore ] && [ -e $CFG/memsave ]; then
  # no kcore (arm32): boot.sh saves each core allocation through the qemu monitor after "done"
  while read -r name size refs deps state base rest; do
    mark "memsave $name $base $size"
    ncore=$((ncore + 1))
  done < $OUT/proc-modules
fi
mark "core modules=$ncore"

# ---- the query list: one write(2) per step (dd with one block larger than any query) ------------------------
nq=0
for q in $CFG/queries/*; do
  [ -f "$q" ] || continue
  n=${q##*/}
  cp "$q" $OUT/steps/$n.query
  dmesg -c > /dev/null
  if err=$(dd if="$q" of=$CONTROL bs=1M count=1 conv=notrunc 2>&1); then
    rc=$(stat -c %s "$q")
    echo "$rc ok" > $OUT/steps/$n.rc
  else
    err=$(echo "$err" | grep -v ' records ' | head -n 1)
    rc=$(errno_of "$err")
    echo "$rc ${err##*: }" > $OUT/steps/$n.rc
  fi
  cat $CONTROL > $OUT/steps/$n.control
  dmesg -r -c > $OUT/steps/$n.dmesg
  nq=$((nq + 1))
  mark "query $n rc=$rc $(summary $OUT/steps/$n.control)"
done
mark "queries-done steps=$nq"

# ---- ship /out to the host: a header line "DYNDBG-QEMU-DATA <bytes> <md5>" and then a tar of /out, written to
# the raw virtio disk the host attached. Its modules are loaded only now, when everything has been captured;
# the 8250 serial port would move the 50 MB of snapshots at about 0.4 MB/s under TCG.
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
if [ -e $CFG/memsave ]; then
  mark "done"   # and wait: the host reads the modules' memory through the monitor, then quits qemu
  while :; do sleep 60; done
fi
finish "done"
