	.text
	.globl	fb
fb:	ret
	.section .a,"aw"
	.byte	0xa2
	.section .b,"aw"
	.byte	0xb2
	.section .sort.a,"a"
	.byte	4
	.section .al.16,"a"
	.balign	16
	.byte	32
	.section .init_array.00100,"aw",@init_array
	.balign	8
	.quad	fb
	.section .x,"aw"
	.long	0x58
	.section .y,"aw"
	.long	0x59
	.section .rodata,"a"
	.asciz	"RO"
	.data
	.quad	fb
	.ident	"feat-b"
