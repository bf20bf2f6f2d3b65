// SPDX-License-Identifier: GPL-2.0
/*
 * alpha_main.c - sample module "alpha", file 1 of 2 (with alpha_util.c).
 * Built with CONFIG_JUMP_LABEL, without DEBUG: every record has flags 0,
 * class_id 63 and key (enabled, type) = (0, 0).
 */
#include "dynamic_debug.h"

struct alpha_dev {
	const char *name;
	int id;
	unsigned int mode;
};

extern int alpha_hash(const char *s);

int alpha_open(struct alpha_dev *dev, unsigned int flags)
{
	pr_debug("open %s id=%d flags=%#x\n", dev->name, dev->id, flags);
	if (flags & 1) {
		pr_debug("open: read-only\n");
		dev->mode = 1;
	}
	return 0;
}

void alpha_release(struct alpha_dev *dev)
{
	pr_debug("release %s\tmode=%u\n", dev->name, dev->mode);
}

/*
 * An ioctl with a few call sites in one function, so that several records share
 * one function pointer.
 */
long alpha_ioctl(struct alpha_dev *dev, unsigned int cmd, unsigned long arg)
{
	switch (cmd) {
	case 1:
		pr_debug("ioctl GET\targ=%lu\n", arg);
		return dev->id;
	case 2:
		pr_debug("ioctl SET\targ=%lu\n", arg);
		dev->id = (int)arg;
		return 0;
	default:
		pr_debug("ioctl unknown cmd %u on %s\n", cmd, dev->name);
		return -25;
	}
}

int alpha_init(void)
{
	int h = alpha_hash("alpha");

	pr_debug("init: hash=%d\n", h);
	return 0;
}
