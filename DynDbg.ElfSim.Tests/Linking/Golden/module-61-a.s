# A module object as gcc emits them for 6.1: exported-symbol entries (one section per symbol, sorted by name in
# the module script), bug and jump tables, patchable function entries, a .discard section, constructors.
	.text
	.globl	b_func
b_func:	ret
	.globl	a_func
a_func:	ret
	.section ___ksymtab+b_func,"a"
	.balign	4
	.long	b_func - ., 0, 0
	.section ___ksymtab+a_func,"a"
	.balign	4
	.long	a_func - ., 0, 0
	.section ___ksymtab_gpl+c_func,"a"
	.balign	4
	.long	0, 0, 0
	.section __bug_table,"aw"
	.balign	4
	.long	b_func - ., 0
	.short	7, 0
	.section __jump_table,"aw"
	.balign	8
	.long	a_func - ., b_func - .
	.quad	0
	.long	b_func - ., a_func - .
	.quad	0
	.section __patchable_function_entries,"aw"
	.balign	8
	.quad	a_func
	.section .discard.addressable,"aw"
	.quad	b_func
	.section .init_array.00200,"aw",@init_array
	.balign	8
	.quad	b_func
	.section .init_array,"aw",@init_array
	.balign	8
	.quad	a_func
	.data
	.long	1
