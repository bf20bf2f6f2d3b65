/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ddebug_kernel.h - the kernel pieces that both dyndbg replicas need, so that
 * dynamic_debug.h (mainline v6.1) and dynamic_debug_diet.h (Jim Cromie's diet plan,
 * v5.13-based) share one copy. Nothing here depends on the _ddebug layout.
 *
 * Replicates:
 *   include/linux/compiler*.h, build_bug.h, types.h, module.h  (the few helpers used)
 *   include/linux/jump_label.h     (struct static_key, static_key_true/false,
 *                                   STATIC_KEY_{TRUE,FALSE}_INIT, JUMP_TYPE_*): v5.13 = v6.1
 *   include/linux/dynamic_debug.h  _DPRINTK_FLAGS_*, _DPRINTK_KEY_INIT, the
 *                                  __dynamic_func_call factory, dynamic_pr_debug: v5.13 = v6.1
 *   include/linux/printk.h         pr_fmt, pr_debug -> dynamic_pr_debug
 * The _DPRINTK_FLAGS_* defines sit inside struct _ddebug in the kernel; here they are
 * outside it (same values, no effect on the layout).
 *
 * Deliberate difference from the kernel (see samples/README.md): DYNAMIC_DEBUG_BRANCH()
 * always tests descriptor.flags & _DPRINTK_FLAGS_PRINT (the !CONFIG_JUMP_LABEL form),
 * so there is no asm goto and no __jump_table; the static key is still laid out and
 * initialised.
 */
#ifndef _DDEBUG_KERNEL_H
#define _DDEBUG_KERNEL_H

/* ---- compiler_types.h / compiler.h / compiler_attributes.h ---------------------- */
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __section(s)		__attribute__((__section__(s)))
#define __used			__attribute__((__used__))
#define __weak			__attribute__((__weak__))
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
/* kernel: __UNIQUE_ID(prefix) __PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__) */
#define __UNIQUE_ID(prefix)	__PASTE(__PASTE(__UNIQUE_ID_, prefix), __COUNTER__)
/* build_bug.h: BUILD_BUG_ON_MSG(cond, msg) */
#define BUILD_BUG_ON_MSG(cond, msg) _Static_assert(!(cond), msg)

/* ---- types.h / module.h ----------------------------------------------------------- */
typedef struct {
	int counter;
} atomic_t;

struct list_head {
	struct list_head *next, *prev;
};

struct module;
#ifdef MODULE
extern struct module __this_module;
#define THIS_MODULE (&__this_module)
#else
#define THIS_MODULE ((struct module *)0)
#endif

/* ---- jump_label.h ----------------------------------------------------------------- */
#ifdef CONFIG_JUMP_LABEL
struct jump_entry;
struct static_key_mod;

struct static_key {
	atomic_t enabled;
	/*
	 * bit 0 => 1 if key is initially true, 0 if initially false
	 * bit 1 => 1 if points to struct static_key_mod, 0 if points to struct jump_entry
	 */
	union {
		unsigned long type;
		struct jump_entry *entries;
		struct static_key_mod *next;
	};
};

struct static_key_true {
	struct static_key key;
};

struct static_key_false {
	struct static_key key;
};

#define JUMP_TYPE_FALSE		0UL
#define JUMP_TYPE_TRUE		1UL
#define JUMP_TYPE_LINKED	2UL
#define JUMP_TYPE_MASK		3UL

#define STATIC_KEY_INIT_TRUE					\
	{ .enabled = { 1 },					\
	  { .type = JUMP_TYPE_TRUE } }
#define STATIC_KEY_INIT_FALSE					\
	{ .enabled = { 0 },					\
	  { .type = JUMP_TYPE_FALSE } }

#define STATIC_KEY_TRUE_INIT  (struct static_key_true) { .key = STATIC_KEY_INIT_TRUE,  }
#define STATIC_KEY_FALSE_INIT (struct static_key_false){ .key = STATIC_KEY_INIT_FALSE, }
#endif /* CONFIG_JUMP_LABEL */

/* ---- dynamic_debug.h: flags, key initialiser, branch ------------------------------ */
/*
 * The flags field controls the behaviour at the callsite.
 * The bits here are changed dynamically when the user
 * writes commands to <debugfs>/dynamic_debug/control
 */
#define _DPRINTK_FLAGS_NONE	0
#define _DPRINTK_FLAGS_PRINT	(1<<0) /* printk() a message using the format */
#define _DPRINTK_FLAGS_INCL_MODNAME	(1<<1)
#define _DPRINTK_FLAGS_INCL_FUNCNAME	(1<<2)
#define _DPRINTK_FLAGS_INCL_LINENO	(1<<3)
#define _DPRINTK_FLAGS_INCL_TID		(1<<4)

#define _DPRINTK_FLAGS_INCL_ANY		\
	(_DPRINTK_FLAGS_INCL_MODNAME | _DPRINTK_FLAGS_INCL_FUNCNAME |\
	 _DPRINTK_FLAGS_INCL_LINENO  | _DPRINTK_FLAGS_INCL_TID)

#if defined DEBUG
#define _DPRINTK_FLAGS_DEFAULT _DPRINTK_FLAGS_PRINT
#else
#define _DPRINTK_FLAGS_DEFAULT 0
#endif

#ifdef CONFIG_JUMP_LABEL
#ifdef DEBUG
#define _DPRINTK_KEY_INIT .key.dd_key_true = (STATIC_KEY_TRUE_INIT)
#else
#define _DPRINTK_KEY_INIT .key.dd_key_false = (STATIC_KEY_FALSE_INIT)
#endif
#else
#define _DPRINTK_KEY_INIT
#endif

/*
 * Kernel: with CONFIG_JUMP_LABEL this is static_branch_likely/unlikely() on the
 * key (asm goto + a __jump_table entry). Here: the !CONFIG_JUMP_LABEL form, always.
 */
#ifdef DEBUG
#define DYNAMIC_DEBUG_BRANCH(descriptor) \
	likely(descriptor.flags & _DPRINTK_FLAGS_PRINT)
#else
#define DYNAMIC_DEBUG_BRANCH(descriptor) \
	unlikely(descriptor.flags & _DPRINTK_FLAGS_PRINT)
#endif

struct _ddebug;
__attribute__((format(printf, 2, 3)))
void __dynamic_pr_debug(struct _ddebug *descriptor, const char *fmt, ...);

/*
 * Factory macros: ($prefix)dynamic_func_call($suffix)
 *
 * Lower layer (with __ prefix) gets the callsite metadata, and wraps the
 * func inside a debug-branch/static-key construct.  Upper layer (with _
 * prefix) does the UNIQUE_ID once, so that lower can ref the name 2x.
 * DEFINE_DYNAMIC_DEBUG_METADATA() comes from the including header.
 */
#define __dynamic_func_call(id, fmt, func, ...) do {		\
	DEFINE_DYNAMIC_DEBUG_METADATA(id, fmt);			\
	if (DYNAMIC_DEBUG_BRANCH(id))				\
		func(&id, ##__VA_ARGS__);			\
} while (0)

#define _dynamic_func_call(fmt, func, ...)			\
	__dynamic_func_call(__UNIQUE_ID(ddebug), fmt, func, ##__VA_ARGS__)

/* printk.h */
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

/* the descriptor keeps the bare fmt; the call gets pr_fmt(fmt) (v5.13 and v6.1) */
#define dynamic_pr_debug(fmt, ...)				\
	_dynamic_func_call(fmt, __dynamic_pr_debug,		\
			   pr_fmt(fmt), ##__VA_ARGS__)

#define pr_debug(fmt, ...)	dynamic_pr_debug(fmt, ##__VA_ARGS__)

#endif /* _DDEBUG_KERNEL_H */
