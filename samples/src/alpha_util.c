// SPDX-License-Identifier: GPL-2.0
/*
 * alpha_util.c - sample module "alpha", file 2 of 2.
 * Contains the long format and a format with a double quote.
 */
#include "dynamic_debug.h"

int alpha_hash(const char *s)
{
	unsigned int h = 5381;
	const char *p;

	for (p = s; *p; p++)
		h = h * 33 + (unsigned char)*p;

	pr_debug("hash \"%s\" = %u\n", s, h);
	return (int)(h & 0x7fffffff);
}



void alpha_dump(const unsigned char *buf, int len)
{
	int i;

	pr_debug("dump len=%d\n", len);
	for (i = 0; i < len; i += 16)
		pr_debug("%04x:\t%02x %02x %02x %02x\n", i, buf[i], buf[i + 1], buf[i + 2], buf[i + 3]);
	pr_debug("this is a deliberately long dynamic debug format string used to check that decoders do "
		 "not truncate formats: len=%d first=%02x last=%02x and it goes on for a while longer, "
		 "well past one hundred and twenty-eight characters, ending here\n",
		 len, buf[0], buf[len - 1]);
}
