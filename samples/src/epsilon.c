// SPDX-License-Identifier: GPL-2.0
/*
 * epsilon.c - diet-plan sample module "epsilon", one file, built with DEBUG and
 * CONFIG_JUMP_LABEL: every record has flags = p and key (1, 1), so the flags bits
 * (which move between the diet variants) are not all zero. Diet builds only: delta.c
 * plays this part for 6.1, but it needs class maps, which the diet base lacks.
 */
#define DEBUG

#include "dynamic_debug.h"

int epsilon_step(int n)
{
	pr_debug("step %d\n", n);
	if (n > 9)
		pr_debug("step %d: large\n", n);
	return n + 1;
}

void epsilon_done(void)
{
	pr_debug("done\n");
}
