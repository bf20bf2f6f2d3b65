/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dynamic_debug.h - self-contained replica of the Linux dynamic-debug callsite
 * descriptor, for building the DynDbg.ElfSim sample objects.
 *
 * Replicates (layout, initialisers and section placement):
 *   include/linux/dynamic_debug.h  Linux v6.1  (struct _ddebug, struct ddebug_class_map,
 *                                  DEFINE_DYNAMIC_DEBUG_METADATA[_CLS], DECLARE_DYNDBG_CLASSMAP,
 *                                  _dynamic_func_call_cls, dynamic_pr_debug_cls)
 * The layout-independent parts (compiler helpers, jump_label.h, flags, the
 * __dynamic_func_call factory, printk.h) are in ddebug_kernel.h, shared with
 * dynamic_debug_diet.h.
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

#include "ddebug_kernel.h"

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
	/* the flags field controls the behaviour at the callsite (_DPRINTK_FLAGS_*) */
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

/*
 * Factory macros, class flavour (v6.1); the plain ones are in ddebug_kernel.h.
 */
#define __dynamic_func_call_cls(id, cls, fmt, func, ...) do {	\
	DEFINE_DYNAMIC_DEBUG_METADATA_CLS(id, cls, fmt);	\
	if (DYNAMIC_DEBUG_BRANCH(id))				\
		func(&id, ##__VA_ARGS__);			\
} while (0)

#define _dynamic_func_call_cls(cls, fmt, func, ...)		\
	__dynamic_func_call_cls(__UNIQUE_ID(ddebug), cls, fmt, func, ##__VA_ARGS__)

#define dynamic_pr_debug_cls(cls, fmt, ...)			\
	_dynamic_func_call_cls(cls, fmt, __dynamic_pr_debug,	\
			       pr_fmt(fmt), ##__VA_ARGS__)
/* v6.1 spells this __pr_debug_cls(cls, fmt, ...); cls must be a constant < 63 */
#define pr_debug_cls(cls, fmt, ...)	dynamic_pr_debug_cls(cls, fmt, ##__VA_ARGS__)

#endif /* _DYNAMIC_DEBUG_H */
