// SPDX-License-Identifier: GPL-2.0
/*
 * legacy.c - built twice (x86_64 only), with the pre-v5.9 layout
 * (-DDYNDBG_LAYOUT_PRE59: section __verbose) and the v5.9..v6.0 layout
 * (-DDYNDBG_LAYOUT_59: section __dyndbg). Neither has class_id: the word after
 * the four pointers is lineno:18 then flags:8 (flags in bits 18..25).
 */
#define DEBUG	/* flags = p, so the flags bits (18..25 here) are visible */

#include "dynamic_debug.h"

int legacy_one(int x)
{
	pr_debug("legacy one x=%d\n", x);
	return x + 1;
}

void legacy_two(const char *s)
{
	pr_debug("legacy two\t\"%s\"\n", s);
	pr_debug("legacy two done\n");
}
