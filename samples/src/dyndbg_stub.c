// SPDX-License-Identifier: GPL-2.0
/*
 * dyndbg_stub.c - the two symbols the linked diet vmlinux needs besides vmlinux.o:
 * the callee of every pr_debug (lib/dynamic_debug.c in the kernel) and an entry
 * point (arch/x86/kernel/head_64.S in the kernel). No KBUILD_MODNAME and no
 * dynamic_debug.h, so it adds no header pair and no record.
 */
struct _ddebug;

void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...)
{
	(void)descriptor;
	(void)fmt;
}

void startup_64(void)
{
	for (;;)
		;
}
