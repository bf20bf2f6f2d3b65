# A 6.1-layout (v6.1-64le-jl) struct _ddebug in .gnu.linkonce.dyndbg, module "alpha": the shape of the diet plan's
# table header (reference 6.8) without the v5 record split, so today's decoder reads it. Linked after alpha's own
# objects with module.lds, it must still come out as record 0 (invariant 3); with module-6.1.lds it stays outside
# __dyndbg.
	.section .rodata.str1.1,"aMS",@progbits,1
.Lmod:	.asciz	"alpha"
.Lfn:	.asciz	"dyndbg_header"
.Lfile:	.asciz	"header.c"
.Lfmt:	.asciz	"header\n"
	.section .gnu.linkonce.dyndbg,"aw"
	.balign 8
	.weak	_LINKONCE_dyndbg_header
_LINKONCE_dyndbg_header:		# modname, function, filename, format
	.quad	.Lmod, .Lfn, .Lfile, .Lfmt
	.long	0x00fc0000		# lineno 0, class_id 63 (_DPRINTK_CLASS_DFLT), flags 0
	.long	0
	.quad	0, 0			# static key
