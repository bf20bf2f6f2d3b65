// SPDX-License-Identifier: GPL-2.0
/*
 * gamma.c - sample module "gamma", one file, built WITHOUT CONFIG_JUMP_LABEL:
 * its records have no static key (40 bytes on 64-bit, 24 on 32-bit).
 */
#include "dynamic_debug.h"

int gamma_probe(const char *name, int irq)
{
	pr_debug("probe %s irq=%d\n", name, irq);
	if (irq < 0) {
		pr_debug("probe: no irq for \"%s\"\n", name);
		return -6;
	}
	return 0;
}

void gamma_remove(const char *name)
{
	pr_debug("remove\t%s\n", name);
}

int gamma_irq(int irq)
{
	pr_debug("irq %d\n", irq);
	return 1;
}
