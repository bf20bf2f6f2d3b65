#source: dyndbg-v5-a.s
#source: dyndbg-v5-b.s
#as: --64
#ld: -r -m elf_x86_64 -T dyndbg-v5.lds
#readelf: -S -s -W
#map: dyndbg-v5.map
# The diet plan's point (reference 6.9, invariants 3 and 4): one header pair survives (GNU linkonce rule) and it
# is element 0 of both arrays. __dyndbg_sites and __dyndbg have no address in the script, so ld -r places them
# after the previous allocated section (.rodata.str1.1, 0x4c bytes): 0x50 and 0x50 + 0x60.
#...
 +\[ *[0-9]+\] \.text +PROGBITS +0+ [0-9a-f]+ 000001 00 +AX +0 +0 +1
 +\[ *[0-9]+\] \.rodata\.str1\.1 +PROGBITS +0+ [0-9a-f]+ 00004c 01 AMS +0 +0 +1
 +\[ *[0-9]+\] __dyndbg_sites +PROGBITS +0+50 [0-9a-f]+ 000060 00 +WA +0 +0 +8
 +\[ *[0-9]+\] \.rela__dyndbg_sites +RELA .*
 +\[ *[0-9]+\] __dyndbg +PROGBITS +0+b0 [0-9a-f]+ 000060 00 +WA +0 +0 +8
 +\[ *[0-9]+\] \.rela__dyndbg +RELA .*
#...
Symbol table '\.symtab' contains 18 entries:
#...
 +[0-9]+: 0+18 +0 NOTYPE +LOCAL +DEFAULT +[0-9]+ site1
#...
 +[0-9]+: 0+48 +0 NOTYPE +LOCAL +DEFAULT +[0-9]+ site3
 +[0-9]+: 0+48 +0 NOTYPE +LOCAL +DEFAULT +[0-9]+ desc3
 +[0-9]+: 0+ +0 NOTYPE +WEAK +DEFAULT +[0-9]+ _LINKONCE_dyndbg_header
 +[0-9]+: 0+ +0 NOTYPE +GLOBAL +DEFAULT +[0-9]+ alpha_util
 +[0-9]+: 0+ +0 NOTYPE +WEAK +DEFAULT +[0-9]+ _LINKONCE_dyndbg_site_header
