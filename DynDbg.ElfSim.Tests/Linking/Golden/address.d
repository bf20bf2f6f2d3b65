#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T address.lds
#readelf: -S -W
# .odd at 0x104 holds 16-aligned input: the inputs are aligned inside it and sh_addralign says 4, the largest
# power of two the address allows (GNU ld >= 2.35; lld warns instead). .next follows it by expression. (NOLOAD)
# makes .bss NOBITS, and it gets the address the location counter had after the orphans before it (0x14).
#...
 +\[ *[0-9]+\] \.zero +PROGBITS +0+ [0-9a-f]+ 000002 00 +WA +0 +0 +1
#...
 +\[ *[0-9]+\] \.odd +PROGBITS +0+104 [0-9a-f]+ 00001d 00 +A +0 +0 +4
 +\[ *[0-9]+\] \.next +PROGBITS +0+121 [0-9a-f]+ 000004 00 +A +0 +0 +1
#...
 +\[ *[0-9]+\] \.bss +NOBITS +0+14 [0-9a-f]+ 000018 00 +WA +0 +0 +1
#pass
