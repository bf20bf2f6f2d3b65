	.text
	.globl	z_func
z_func:	ret
	.section ___ksymtab+z_func,"a"
	.balign	4
	.long	z_func - ., 0, 0
	.section __jump_table,"aw"
	.balign	8
	.long	z_func - ., z_func - .
	.quad	0
	.section __patchable_function_entries,"aw"
	.balign	8
	.quad	z_func
	.section .init_array.00100,"aw",@init_array
	.balign	8
	.quad	z_func
