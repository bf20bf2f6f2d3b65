// SPDX-License-Identifier: GPL-2.0
/*
 * delta.c - sample module "delta", one file, built with DEBUG defined:
 * every record has flags = _DPRINTK_FLAGS_PRINT (p) and key (1, 1).
 * It declares one class map (__dyndbg_classes) and has one classed callsite.
 */
#define DEBUG

#include "dynamic_debug.h"

enum delta_debug_category {
	DELTA_CORE,		/* 0 */
	DELTA_IO,		/* 1 */
	DELTA_STATE,		/* 2 */
};

DECLARE_DYNDBG_CLASSMAP(delta_debug_classes, DD_CLASS_TYPE_DISJOINT_BITS, 0,
			"DELTA_CORE",
			"DELTA_IO",
			"DELTA_STATE");

int delta_start(const char *who)
{
	pr_debug("start by %s\n", who);
	pr_debug_cls(DELTA_IO, "io class callsite: %s\n", who);
	return 0;
}

void delta_set_state(int from, int to)
{
	pr_debug("state %d -> %d\n", from, to);
	if (to == 0)
		pr_debug("state:\t\"idle\"\n");
}

void delta_stop(void)
{
	pr_debug("stop\n");
}
