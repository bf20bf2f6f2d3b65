/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dynamic_debug.h - self-contained replica of the Linux dynamic-debug callsite
 * descriptor, for building the DynDbg.ElfSim sample objects.
 *
 * Replicates (layout, initialisers and section placement):
 *   include/linux/dynamic_debug.h  Linux v6.1  (struct _ddebug, struct ddebug_class_map,
 *                                  DEFINE_DYNAMIC_DEBUG_METADATA[_CLS], DECLARE_DYNDBG_CLASSMAP,
 *                                  _dynamic_func_call*, dynamic_pr_debug)
 *   include/linux/jump_label.h     Linux v6.1  (struct static_key, static_key_true/false,
 *                                  STATIC_KEY_{TRUE,FALSE}_INIT, JUMP_TYPE_*)
 *   include/linux/printk.h         Linux v6.1  (pr_fmt, pr_debug -> dynamic_pr_debug)
 *   include/linux/compiler*.h, types.h, module.h  (only the few helpers used below)
 * With -DDYNDBG_LAYOUT_59 it emits the v5.9..v6.0 layout instead (section __dyndbg,
 * "lineno:18; flags:8", no class_id), and with -DDYNDBG_LAYOUT_PRE59 the pre-v5.9
 * layout (section __verbose, same fields).
 *
 * Deliberate differences from the kernel header (documented in samples/README.md):
 *  - DYNAMIC_DEBUG_BRANCH() always tests descriptor.flags & _DPRINTK_FLAGS_PRINT (the
 *    kernel's !CONFIG_JUMP_LABEL form), even when CONFIG_JUMP_LABEL is defined. So no
 *    asm goto and no __jump_table; the static key is still laid out and initialised.
 *  - BUILD_BUG_ON_MSG() is a C11 _Static_assert.
 *
 * Needs no libc header: compile with -ffreestanding -nostdinc -std=gnu11.
 * Expects KBUILD_MODNAME on the command line, as kbuild passes it:
 *   -DKBUILD_MODNAME='"alpha"'
 * Optional: CONFIG_JUMP_LABEL (adds the 8/16-byte key), DEBUG (flags = p, key true),
 * MODULE (THIS_MODULE = &__this_module, else NULL), pr_fmt (defined before inclusion).
 */
#ifndef _DYNAMIC_DEBUG_H
#define _DYNAMIC_DEBUG_H

#ifndef KBUILD_MODNAME
#error "KBUILD_MODNAME must be defined, e.g. -DKBUILD_MODNAME='\"alpha\"'"
#endif

#if defined(DYNDBG_LAYOUT_PRE59) && defined(DYNDBG_LAYOUT_59)
#error "choose at most one of DYNDBG_LAYOUT_PRE59 and DYNDBG_LAYOUT_59"
#endif

/* ---- compiler_types.h / compiler.h / compiler_attributes.h ---------------------- */
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __section(s)		__attribute__((__section__(s)))
#define __used			__attribute__((__used__))
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

/* ---- jump_label.h (v6.1) ---------------------------------------------------------- */
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

/* ---- dynamic_debug.h -------------------------------------------------------------- */

/*
 * An instance of this structure is created in a special
 * ELF section at every dynamic debug callsite.  At runtime,
 * the special section is treated as an array of these.
 */
struct _ddebug {
	/*
	 * These fields are used to drive the user interface
	 * for selecting and displaying debug callsites.
	 */
	const char *modname;
	const char *function;
	const char *filename;
	const char *format;
	unsigned int lineno:18;
#if !defined(DYNDBG_LAYOUT_PRE59) && !defined(DYNDBG_LAYOUT_59)
#define CLS_BITS 6
	unsigned int class_id:CLS_BITS;
#define _DPRINTK_CLASS_DFLT		((1 << CLS_BITS) - 1)
#endif
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
	unsigned int flags:8;
#ifdef CONFIG_JUMP_LABEL
	union {
		struct static_key_true dd_key_true;
		struct static_key_false dd_key_false;
	} key;
#endif
} __attribute__((aligned(8)));

#if defined(DYNDBG_LAYOUT_PRE59)
#define __DYNDBG_SECTION "__verbose"	/* v2.6.30 .. v5.8 */
#else
#define __DYNDBG_SECTION "__dyndbg"	/* v5.9 .. */
#endif

#if !defined(DYNDBG_LAYOUT_PRE59) && !defined(DYNDBG_LAYOUT_59)
enum class_map_type {
	DD_CLASS_TYPE_DISJOINT_BITS,
	DD_CLASS_TYPE_LEVEL_NUM,
	DD_CLASS_TYPE_DISJOINT_NAMES,
	DD_CLASS_TYPE_LEVEL_NAMES,
};

struct ddebug_class_map {
	struct list_head link;
	struct module *mod;
	const char *mod_name;	/* needed for builtins */
	const char **class_names;
	const int length;
	const int base;		/* index of 1st .class_id, allows split/shared space */
	enum class_map_type map_type;
};

/**
 * DECLARE_DYNDBG_CLASSMAP - declare classnames known by a module
 * @_var:   a struct ddebug_class_map, passed to module_param_cb
 * @_type:  enum class_map_type, chooses bits/verbose, numeric/symbolic
 * @_base:  offset of 1st class-name. splits .class_id space
 * @classes: class-names used to control class'd prdbgs
 */
#define DECLARE_DYNDBG_CLASSMAP(_var, _maptype, _base, ...)		\
	static const char *_var##_classnames[] = { __VA_ARGS__ };	\
	static struct ddebug_class_map __aligned(8) __used		\
		__section("__dyndbg_classes") _var = {			\
		.mod = THIS_MODULE,					\
		.mod_name = KBUILD_MODNAME,				\
		.base = _base,						\
		.map_type = _maptype,					\
		.length = NUM_TYPE_ARGS(char*, __VA_ARGS__),		\
		.class_names = _var##_classnames,			\
	}
#define NUM_TYPE_ARGS(eltype, ...)				\
        (sizeof((eltype[]){__VA_ARGS__}) / sizeof(eltype))

#define DEFINE_DYNAMIC_DEBUG_METADATA_CLS(name, cls, fmt)	\
	static struct _ddebug  __aligned(8)			\
	__section("__dyndbg") name = {				\
		.modname = KBUILD_MODNAME,			\
		.function = __func__,				\
		.filename = __FILE__,				\
		.format = (fmt),				\
		.lineno = __LINE__,				\
		.flags = _DPRINTK_FLAGS_DEFAULT,		\
		.class_id = cls,				\
		_DPRINTK_KEY_INIT				\
	};							\
	BUILD_BUG_ON_MSG(cls > _DPRINTK_CLASS_DFLT,		\
			 "classid value overflow")

#define DEFINE_DYNAMIC_DEBUG_METADATA(name, fmt)		\
	DEFINE_DYNAMIC_DEBUG_METADATA_CLS(name, _DPRINTK_CLASS_DFLT, fmt)

#else /* v5.9..v6.0 and pre-v5.9: no class_id, no class maps */

#define DEFINE_DYNAMIC_DEBUG_METADATA(name, fmt)		\
	static struct _ddebug  __aligned(8)			\
	__section(__DYNDBG_SECTION) name = {			\
		.modname = KBUILD_MODNAME,			\
		.function = __func__,				\
		.filename = __FILE__,				\
		.format = (fmt),				\
		.lineno = __LINE__,				\
		.flags = _DPRINTK_FLAGS_DEFAULT,		\
		_DPRINTK_KEY_INIT				\
	}

#define DEFINE_DYNAMIC_DEBUG_METADATA_CLS(name, cls, fmt)	\
	_Static_assert(0, "class_id needs the v6.1 layout")
#define DECLARE_DYNDBG_CLASSMAP(_var, _maptype, _base, ...)	\
	_Static_assert(0, "class maps need the v6.1 layout")

#endif /* layout */

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
 * Kernel (v6.1): with CONFIG_JUMP_LABEL this is static_branch_likely/unlikely() on the
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
 */
#define __dynamic_func_call_cls(id, cls, fmt, func, ...) do {	\
	DEFINE_DYNAMIC_DEBUG_METADATA_CLS(id, cls, fmt);	\
	if (DYNAMIC_DEBUG_BRANCH(id))				\
		func(&id, ##__VA_ARGS__);			\
} while (0)
#define __dynamic_func_call(id, fmt, func, ...) do {		\
	DEFINE_DYNAMIC_DEBUG_METADATA(id, fmt);			\
	if (DYNAMIC_DEBUG_BRANCH(id))				\
		func(&id, ##__VA_ARGS__);			\
} while (0)

#define _dynamic_func_call_cls(cls, fmt, func, ...)		\
	__dynamic_func_call_cls(__UNIQUE_ID(ddebug), cls, fmt, func, ##__VA_ARGS__)
#define _dynamic_func_call(fmt, func, ...)			\
	__dynamic_func_call(__UNIQUE_ID(ddebug), fmt, func, ##__VA_ARGS__)

/* printk.h */
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

/* the descriptor keeps the bare fmt; the call gets pr_fmt(fmt) (as in v6.1) */
#define dynamic_pr_debug_cls(cls, fmt, ...)			\
	_dynamic_func_call_cls(cls, fmt, __dynamic_pr_debug,	\
			       pr_fmt(fmt), ##__VA_ARGS__)
#define dynamic_pr_debug(fmt, ...)				\
	_dynamic_func_call(fmt, __dynamic_pr_debug,		\
			   pr_fmt(fmt), ##__VA_ARGS__)

#define pr_debug(fmt, ...)	dynamic_pr_debug(fmt, ##__VA_ARGS__)
/* v6.1 spells this __pr_debug_cls(cls, fmt, ...); cls must be a constant < 63 */
#define pr_debug_cls(cls, fmt, ...)	dynamic_pr_debug_cls(cls, fmt, ##__VA_ARGS__)

#endif /* _DYNAMIC_DEBUG_H */
