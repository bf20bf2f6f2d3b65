# Debug sections referring to a discarded section (RELOC_AGAINST_DISCARDED_SECTION): the REL fields are cleared,
# .debug_ranges keeps a 1 so the list does not end early, and the relocations go away except the last of an
# output section, which stays as R_386_NONE.
	.section .discard.x,"ax",@progbits
f:	ret
	ret
	.text
g:	ret
	.section .debug_info,"",@progbits
	.long 0x11111111
	.long f+1
	.long g
	.section .debug_ranges,"",@progbits
	.long f
	.long f+1
	.long g
	.section .debug_line,"",@progbits
	.long f
	.long f+1
