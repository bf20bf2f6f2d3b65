# Module "alpha", first object: the diet plan v5 header pair (DEFINE_DYNAMIC_DEBUG_TABLE, reference 6.8)
# and two call sites, each a site record in __dyndbg_sites and a descriptor in __dyndbg.
	.section .rodata.str1.1,"aMS",@progbits,1
.Lmod:	.asciz	"alpha"
.Lfile:	.asciz	"alpha_main.c"
.Lfn:	.asciz	"alpha_init"
.Lfmt:	.asciz	"hello %d\n"
	.section .gnu.linkonce.dyndbg_site,"aw"
	.balign 8
	.weak	_LINKONCE_dyndbg_site_header
_LINKONCE_dyndbg_site_header:			# modname, filename (loopback), function
	.quad	.Lmod, _LINKONCE_dyndbg_header, .Lmod
	.section .gnu.linkonce.dyndbg,"aw"
	.balign 8
	.weak	_LINKONCE_dyndbg_header
_LINKONCE_dyndbg_header:			# site, format, lineno:18 _index:14, flags
	.quad	_LINKONCE_dyndbg_site_header, .Lmod
	.long	0, 0
	.section __dyndbg_sites,"aw"
	.balign 8
site1:	.quad	.Lmod, .Lfile, .Lfn
site2:	.quad	.Lmod, .Lfile, .Lfn
	.section __dyndbg,"aw"
	.balign 8
desc1:	.quad	site1, .Lfmt
	.long	12, 0
desc2:	.quad	site2, .Lfmt
	.long	14, 0
