// SPDX-License-Identifier: GPL-2.0
/*
 * beta_core.c - sample module "beta", file 1 of 2 (with beta_proto.c).
 * Defines pr_fmt() like many drivers do: the record's format is the bare
 * string, only the call gets the "beta: " prefix (v6.1 dynamic_pr_debug).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "dynamic_debug.h"

struct beta_queue {
	const char *name;
	unsigned int head, tail;
};

int beta_enqueue(struct beta_queue *q, int item)
{
	pr_debug("enqueue %d on %s\n", item, q->name);
	q->tail++;
	if (q->tail - q->head > 64) {
		pr_debug("queue %s full\r\n", q->name);
		return -28;
	}
	return 0;
}

int beta_dequeue(struct beta_queue *q)
{
	if (q->head == q->tail) {
		pr_debug("dequeue on empty \"%s\"\n", q->name);
		return -11;
	}
	pr_debug("dequeue %s head=%u\n", q->name, q->head);
	return (int)q->head++;
}

void beta_reset(struct beta_queue *q)
{
	pr_debug("reset\n");
	q->head = q->tail = 0;
}
