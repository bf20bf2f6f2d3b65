#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T orphans.lds
#readelf: -S -W
# Orphans get address 0 in ld -r, but they still move the location counter: .data, the one described section,
# has no address and lands after the last allocated orphan before it (.note.test ends at 0x14). Code first, then
# read-only orphans, notes, the script's .data, writable orphans after it, NOBITS after those, non-allocated last.
#...
 +\[ 1\] \.text +PROGBITS +0+ .*
 +\[ 2\] \.sort\.b +PROGBITS +0+ .*
#...
 +\[ *[0-9]+\] \.note\.test +NOTE +0+ [0-9a-f]+ 000014 00 +A +0 +0 +4
 +\[ *[0-9]+\] \.data +PROGBITS +0+14 [0-9a-f]+ 000010 00 +WA +0 +0 +1
 +\[ *[0-9]+\] \.rela\.data +RELA .*
 +\[ *[0-9]+\] \.b +PROGBITS +0+ .*
#...
 +\[ *[0-9]+\] \.bss +NOBITS +0+ [0-9a-f]+ 000010 00 +WA +0 +0 +1
 +\[ *[0-9]+\] \.comment +PROGBITS +0+ [0-9a-f]+ 000010 01 +MS +0 +0 +1
#pass
