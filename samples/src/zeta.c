// SPDX-License-Identifier: GPL-2.0
/*
 * zeta.c - diet-plan sample module "zeta", without a single pr_debug. The diet
 * header still emits its header pair, so zeta's __dyndbg holds the header and
 * nothing else: "skip header", no table (reference §6.10, §8 invariant 22).
 */
#include "dynamic_debug.h"

int zeta_triple(int x)
{
	return 3 * x;
}
