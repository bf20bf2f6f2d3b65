# Inputs for the construct goldens (keep-sort, patterns, assign, address, orphans): sections in a deliberately
# unsorted order, with varied alignments, in two files.
	.text
	.globl	fa
fa:	ret
	.section .b,"aw"
	.byte	0xb1
	.section .a,"aw"
	.byte	0xa1
	.section .sort.b,"a"
	.byte	2
	.section .sort.c,"a"
	.byte	3
	.section .sort.a,"a"
	.byte	1
	.section .al.1,"a"
	.byte	1
	.section .al.16,"a"
	.balign	16
	.byte	16
	.section .al.4,"a"
	.balign	4
	.byte	4
	.section .init_array.00300,"aw",@init_array
	.balign	8
	.quad	fa
	.section .init_array.00050,"aw",@init_array
	.balign	8
	.quad	fa
	.section .x,"aw"
	.long	0x78
	.section .y,"aw"
	.long	0x79
	.section .keepme,"a"
	.long	0x6b
	.section .discard.foo,"a"
	.quad	fa
	.section .rodata,"a"
	.asciz	"ro"
	.section .note.test,"a",@note
	.balign	4
	.long	4, 4, 1
	.asciz	"GNU"
	.long	0
	.data
	.quad	0
	.bss
	.zero	16
	.ident	"feat-a"
