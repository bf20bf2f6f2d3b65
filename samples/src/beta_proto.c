// SPDX-License-Identifier: GPL-2.0
/*
 * beta_proto.c - sample module "beta", file 2 of 2.
 * The last function sits behind a #line directive, so its records carry line
 * numbers above 65535 (bits 16 and 17 of the 18-bit lineno field are set).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dynamic_debug.h"

int beta_parse(const char *hdr, int len)
{
	pr_debug("parse hdr=%s len=%d\n", hdr, len);
	if (len < 4) {
		pr_debug("short header\n");
		return -22;
	}
	return hdr[0];
}

int beta_checksum(const unsigned char *p, int len)
{
	int i, sum = 0;

	for (i = 0; i < len; i++)
		sum += p[i];
	pr_debug("checksum\t%d bytes\tsum=%d\n", len, sum);
	return sum;
}

#line 200000
void beta_trace(const char *what)
{
	pr_debug("trace: %s\n", what);
	pr_debug("trace: done\n");
}
