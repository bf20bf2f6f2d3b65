#source: module-61-a.s
#source: module-61-b.s
#as: --64
#ld: -r -m elf_x86_64 -T module-61.lds
#readelf: -S -W
#map: module-61.map
# Mainline 6.1's module script: explicit 0 addresses, ALIGN(8), KEEP, SORT of ___ksymtab+* by name, .init_array.*
# before .init_array, /DISCARD/ of .discard.*, and __patchable_function_entries, which has no address, placed by
# ld -r right after __jump_table (0 + 0x30): ld -r addresses are not all 0. Empty script sections are dropped;
# .data/.bss orphans go after the last writable data section (here at the very end of the statement list).
#...
 +\[ 1\] \.text +PROGBITS +0+ [0-9a-f]+ 000003 00 +AX +0 +0 +1
 +\[ 2\] __ksymtab +PROGBITS +0+ [0-9a-f]+ 000024 00 +A +0 +0 +4
 +\[ 3\] \.rela__ksymtab +RELA +0+ [0-9a-f]+ 000048 18 +I +15 +2 +8
 +\[ 4\] __ksymtab_gpl +PROGBITS +0+ [0-9a-f]+ 00000c 00 +A +0 +0 +4
 +\[ 5\] \.init_array +INIT_ARRAY +0+ [0-9a-f]+ 000018 08 +WA +0 +0 +8
 +\[ 6\] \.rela\.init_array +RELA .*
 +\[ 7\] __bug_table +PROGBITS +0+ [0-9a-f]+ 00000c 00 +WA +0 +0 +8
 +\[ 8\] \.rela__bug_table +RELA .*
 +\[ 9\] __jump_table +PROGBITS +0+ [0-9a-f]+ 000030 00 +WA +0 +0 +8
 +\[10\] \.rela__jump_table +RELA .*
 +\[11\] __patchable_function_entries +PROGBITS +0+30 [0-9a-f]+ 000010 00 +WA +0 +0 +8
 +\[12\] \.rela__patchable_function_entries +RELA .*
 +\[13\] \.data +PROGBITS +0+ [0-9a-f]+ 000004 00 +WA +0 +0 +1
 +\[14\] \.bss +NOBITS +0+ [0-9a-f]+ 000000 00 +WA +0 +0 +1
 +\[15\] \.symtab +SYMTAB .*
#pass
