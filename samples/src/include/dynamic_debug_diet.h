/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dynamic_debug_diet.h - replica of include/linux/dynamic_debug.h as Jim Cromie's
 * "dynamic debug diet plan" RFC series left it (v5.13-era base: no class_id), for
 * building the DynDbg.ElfSim diet sample objects. Reference: dyndbg-internals.md §4, §6.
 *
 * Choose exactly one variant:
 *   -DDIET_V5         [RFC PATCH v5 27/28] state, SITE_CHK defined: every descriptor
 *                     keeps its .site pointer; unionized header pair.
 *   -DDIET_V5_NOSITE  [RFC PATCH v5 28/28] "dyndbg: RFC drop _ddebug.site pointer":
 *                     SITE_CHK commented out; the header's .site is SITE_INIT_() = nothing,
 *                     so it is NULL in the object (28/28 fixes it up in add_module).
 *   -DDIET_V6         [RFC PATCH v6 30/34] "split/copy ._index into 2 new fields:
 *                     ._back, ._map"; descriptors in "__dyndbgs" (v6 04/34); header .site
 *                     always set (v6 28/34); no site pointer (v6 29/34).
 *
 * Patch Message-IDs: v5 <20210511185057.3815777-(k+1)-jim.cromie@gmail.com>,
 * v6 <20210529200029.205306-(k+1)-jim.cromie@gmail.com>, for patch k.
 *
 * Layouts are reproduced as the patches define them, including where they break
 * (reference §7): without the site pointer the header union's fields do not line up
 * with struct _ddebug's (§7.1), and on 64-bit with CONFIG_JUMP_LABEL off the header
 * union is 24 bytes against a 16-byte descriptor (§7.2). Nothing here "fixes" them.
 *
 * The header pair is emitted at the bottom of this file, as [v5 18/28] does, when
 * (CONFIG_DYNAMIC_DEBUG || (CONFIG_DYNAMIC_DEBUG_CORE && DYNAMIC_DEBUG_MODULE)) &&
 * KBUILD_MODNAME && !NO_DYNAMIC_DEBUG_TABLE; build.sh passes -DCONFIG_DYNAMIC_DEBUG
 * (kbuild would take it from autoconf.h).
 *
 * Needs no libc header: compile with -ffreestanding -nostdinc -std=gnu11.
 * Optional: CONFIG_JUMP_LABEL (adds the key), DEBUG (flags = p, key true), pr_fmt.
 * Not in the diet base: class_id, class maps, pr_debug_cls (they came with v6.1).
 */
#ifndef _DYNAMIC_DEBUG_H
#define _DYNAMIC_DEBUG_H

#if defined(DIET_V5) + defined(DIET_V5_NOSITE) + defined(DIET_V6) != 1
#error "define exactly one of DIET_V5, DIET_V5_NOSITE, DIET_V6"
#endif

#include "ddebug_kernel.h"

/* [v5 24/28] "make site pointer and checks on it optional"; [v5 28/28] turns it off */
#ifdef DIET_V5
#define SITE_CHK /* include .site pointer and checks on it */
#endif

#ifdef SITE_CHK
#define SITE_CHK_(...)		__VA_ARGS__
#define SITE_COND(_i, _s)	(_s == _i->site)
#define SITE_INIT_(_name)	.site = &_name,
#else
#define SITE_CHK_(...)
#define SITE_COND(_i, _s)	(true)
#define SITE_INIT_(name)
#endif

/* [v6 04/34]: "__dyndbg" is renamed "__dyndbgs"; [v5 03/28] adds "__dyndbg_sites" */
#ifdef DIET_V6
#define _DDEBUG_SECTION		"__dyndbgs"
#else
#define _DDEBUG_SECTION		"__dyndbg"
#endif

/*
 * A pair of these structs are created in 2 special ELF sections
 * (__dyndbg, __dyndbg_sites) for every dynamic debug callsite.
 * At runtime, the sections are treated as arrays.
 */
struct _ddebug;

/*
 * [v5 03/28] "dyndbg: split struct _ddebug's display fields to new _ddebug_site":
 * the three display fields, reordered to the hierarchy modname, filename, function.
 */
struct _ddebug_site {
	/*
	 * These fields (and lineno) are used to:
	 * - decorate log messages per _ddebug.flags
	 * - select callsites for modification via >control
	 * - display callsites & settings in `cat control`
	 */
	const char *modname;
	const char *filename;
	const char *function;
} __aligned(8);

/* [v5 27/28] "dyndbg: unionize _ddebug*_headers with struct _ddebug*" */
/* verbatim copy of struct _ddebug_site. nothing to save here. */
union _ddebug_site_header {
	struct _ddebug_site __;		/* inherit footprint */
	struct {			/* header validation */
		const char *modname;
		const char *filename;
		const char *function;
	};
};

/*
 * [v5 03/28] site pointer + format + lineno:18 + flags:8 + key;
 * [v5 16/28] "dyndbg: add _index to struct _ddebug" (_index:14 fills lineno's word);
 * [v5 24/28] the site pointer only under SITE_CHK;
 * [v6 30/34] _index split into _back:14 (lineno's word) and _map:14 (flags' word).
 */
struct _ddebug {
	SITE_CHK_(struct _ddebug_site *site;)
	/* format is always needed, lineno shares word with flags */
	const char *format;
	const unsigned lineno:18;
#ifdef DIET_V6
	unsigned _back:14;
	unsigned _map:14;
#else
	unsigned _index:14;
#endif
	/* the flags field controls the behaviour at the callsite (_DPRINTK_FLAGS_*) */
	unsigned int flags:8;

#ifdef CONFIG_JUMP_LABEL
	union {
		struct static_key_true dd_key_true;
		struct static_key_false dd_key_false;
	} key;
#endif
} __aligned(8);

/*
 * [v5 27/28] (v6 28/34; v6 30/34 splits _index in the anonymous struct too):
 * specialized version of struct _ddebug.  The only field we NEED is
 * .site, since keeping it here allows dropping from struct _ddebug
 * itself.  format, lineno are used to validate header records.
 */
union _ddebug_header {
	struct _ddebug __;		/* inherit footprint */
	struct {			/* header validation */
		union _ddebug_site_header *site;
		const char *format;
		const unsigned lineno:18;
#ifdef DIET_V6
		unsigned _back:14;
		unsigned _map:14;
#else
		unsigned _index:14;
#endif
		unsigned int flags:8;
	};
};

/*
 * [v5 03/28] two statics per callsite, the site first; [v5 24/28] SITE_INIT_;
 * [v5 28/28] / [v6 29/34] add __used to the site, which nothing references any more.
 */
#ifdef SITE_CHK
#define _DDEBUG_SITE_USED
#else
#define _DDEBUG_SITE_USED	__used
#endif

#define DEFINE_DYNAMIC_DEBUG_METADATA(name, fmt)		\
	static struct _ddebug_site  __aligned(8) _DDEBUG_SITE_USED \
	__section("__dyndbg_sites") name##_site = {		\
		.modname = KBUILD_MODNAME,			\
		.filename = __FILE__,				\
		.function = __func__,				\
	};							\
	static struct _ddebug  __aligned(8)			\
	__section(_DDEBUG_SECTION) name = {			\
		SITE_INIT_(name##_site)				\
		.format = (fmt),				\
		.lineno = __LINE__,				\
		.flags = _DPRINTK_FLAGS_DEFAULT,		\
		_DPRINTK_KEY_INIT				\
	}

/*
 * [v5 18/28] "dyndbg: RFC - DEFINE_DYNAMIC_DEBUG_TABLE", unionized by [v5 27/28]:
 * DEFINE_DYNAMIC_DEBUG_TABLE(): This is a special version of
 * DEFINE_DYNAMIC_DEBUG_METADATA().  It creates a single pair of
 * header records, which linker scripts place into __dyndbg[0] &
 * __dyndbg_sites[0].
 * To allow a robust runtime test for is_dyndbg_header_pair(I,S),
 * force-initialize S->filename to point back to I, an otherwize
 * pathological condition.
 * The header's .site: SITE_INIT_() in v5 (nothing without SITE_CHK),
 * always &_LINKONCE_dyndbg_site_header in v6 (28/34).
 */
#ifdef DIET_V6
#define _DDEBUG_HEADER_SITE_INIT(_name)	.site = &_name,
#else
#define _DDEBUG_HEADER_SITE_INIT(_name)	SITE_INIT_(_name)
#endif

#define DEFINE_DYNAMIC_DEBUG_TABLE()				\
	/* forward decl, allowing loopback pointer */		\
	__weak union _ddebug_header __used __aligned(8)		\
		__section(".gnu.linkonce.dyndbg")		\
		_LINKONCE_dyndbg_header;			\
	__weak union _ddebug_site_header __used __aligned(8)	\
		__section(".gnu.linkonce.dyndbg_site")		\
	_LINKONCE_dyndbg_site_header = {			\
		.modname = KBUILD_MODNAME,			\
		.function = KBUILD_MODNAME,			\
		/* forced pointer loopback, for distinction */	\
		.filename = (void *) &_LINKONCE_dyndbg_header	\
	};							\
	__weak union _ddebug_header __used __aligned(8)		\
		__section(".gnu.linkonce.dyndbg")		\
	_LINKONCE_dyndbg_header = {				\
		_DDEBUG_HEADER_SITE_INIT(_LINKONCE_dyndbg_site_header) \
		.format = KBUILD_MODNAME			\
	}

/* [v5 18/28], [v5 24/28]: the header initializations as a distinguishing predicate */
#define is_dyndbg_header_pair(iter, sitep)			\
	(SITE_COND(iter, sitep)					\
	 && (!iter->lineno)					\
	 && (iter->format == sitep->modname)			\
	 && (sitep->modname == sitep->function)			\
	 && ((void *)sitep->filename == (void *)iter))

#if ((defined(CONFIG_DYNAMIC_DEBUG) ||					\
      (defined(CONFIG_DYNAMIC_DEBUG_CORE) && defined(DYNAMIC_DEBUG_MODULE)))	\
     && defined(KBUILD_MODNAME) && !defined(NO_DYNAMIC_DEBUG_TABLE))

/* transparently invoked, except when -DNO_DYNAMIC_DEBUG_TABLE */
DEFINE_DYNAMIC_DEBUG_TABLE();
#endif

#endif /* _DYNAMIC_DEBUG_H */
