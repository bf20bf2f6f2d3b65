# Module "alpha", second object: its own copy of the weak header pair (discarded by GNU ld: .gnu.linkonce, one
# per name) and one call site.
	.section .rodata.str1.1,"aMS",@progbits,1
.Lmod:	.asciz	"alpha"
.Lfile:	.asciz	"alpha_util.c"
.Lfn:	.asciz	"alpha_util"
.Lfmt:	.asciz	"util\n"
	.section .gnu.linkonce.dyndbg_site,"aw"
	.balign 8
	.weak	_LINKONCE_dyndbg_site_header
_LINKONCE_dyndbg_site_header:
	.quad	.Lmod, _LINKONCE_dyndbg_header, .Lmod
	.section .gnu.linkonce.dyndbg,"aw"
	.balign 8
	.weak	_LINKONCE_dyndbg_header
_LINKONCE_dyndbg_header:
	.quad	_LINKONCE_dyndbg_site_header, .Lmod
	.long	0, 0
	.text
	.globl	alpha_util
alpha_util:
	ret
	.section __dyndbg_sites,"aw"
	.balign 8
site3:	.quad	.Lmod, .Lfile, .Lfn
	.section __dyndbg,"aw"
	.balign 8
desc3:	.quad	site3, .Lfmt
	.long	30, 0
