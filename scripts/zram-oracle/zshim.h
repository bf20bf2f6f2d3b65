/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel facilities that 6.1's lib/lzo, lib/lz4, lib/zstd, lib/xxhash.c and the few
 * lines taken from mm/zsmalloc.c and drivers/block/zram/zram_drv.c touch, so that the real files compile in
 * userspace as the oracle for DynDbg.ElfSim's zram compressors (scripts/zram-oracle/build.sh). Only plumbing
 * lives here: types, unaligned access, min/max, export and module macros. Every compression decision is taken by
 * the kernel's own code. The configuration is amd64's (Debian's 6.1 amd64 kernel): 64-bit, little-endian,
 * efficient unaligned access, 4 KiB pages.
 */
#ifndef ZSHIM_H
#define ZSHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <errno.h>
#include <sys/types.h>

#define __KERNEL__ 1
#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_X86 1
#define CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS 1
/* the kernel's byte-order test is defined(__LITTLE_ENDIAN) / defined(__BIG_ENDIAN); glibc defines both */
#undef __BIG_ENDIAN
#undef __LITTLE_ENDIAN
#define __LITTLE_ENDIAN 1234
#define BITS_PER_LONG 64
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
/* arch/x86/include/asm/pgtable_64_types.h with CONFIG_X86_5LEVEL=y (Debian's amd64 config) */
#define MAX_POSSIBLE_PHYSMEM_BITS 52

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
typedef uint16_t __le16;
typedef uint32_t __le32;
typedef uint64_t __le64;
typedef unsigned int gfp_t;

#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __maybe_unused __attribute__((unused))
#define __unused __attribute__((unused))
#define __aligned(x) __attribute__((aligned(x)))
#define __packed __attribute__((packed))
#define __force
#define __user
#define __init
#define __exit
#define __must_check
#define fallthrough __attribute__((fallthrough))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define MODULE_LICENSE(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_AUTHOR(x)
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define WARN_ON(c) ({ int __c = !!(c); if (__c) fprintf(stderr, "WARN_ON %s:%d\n", __FILE__, __LINE__); __c; })
#define BUG_ON(c) do { if (c) abort(); } while (0)
#define pr_debug(...) do { } while (0)
#define pr_err(...) fprintf(stderr, __VA_ARGS__)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define _AC(x, y) (x##y)

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define MAX(a, b) ((a) > (b) ? (a) : (b)) /* constant expressions too, as the kernel's */

/* include/asm-generic/unaligned.h */
#define __get_unaligned_t(type, ptr) ({ const struct { type x; } __packed *__pptr = (__typeof__(__pptr))(ptr); __pptr->x; })
#define __put_unaligned_t(type, val, ptr) do { struct { type x; } __packed *__pptr = (__typeof__(__pptr))(ptr); __pptr->x = (val); } while (0)
#define get_unaligned(ptr) __get_unaligned_t(__typeof__(*(ptr)), (ptr))
#define put_unaligned(val, ptr) __put_unaligned_t(__typeof__(*(ptr)), (val), (ptr))
static inline u16 get_unaligned_le16(const void *p) { return __get_unaligned_t(u16, p); }
static inline u32 get_unaligned_le32(const void *p) { return __get_unaligned_t(u32, p); }
static inline u64 get_unaligned_le64(const void *p) { return __get_unaligned_t(u64, p); }
static inline void put_unaligned_le16(u16 v, void *p) { __put_unaligned_t(u16, v, p); }
static inline void put_unaligned_le32(u32 v, void *p) { __put_unaligned_t(u32, v, p); }
static inline void put_unaligned_le64(u64 v, void *p) { __put_unaligned_t(u64, v, p); }
#define le16_to_cpu(x) (x)
#define le32_to_cpu(x) (x)
#define le64_to_cpu(x) (x)
#define cpu_to_le16(x) (x)
#define cpu_to_le32(x) (x)
#define cpu_to_le64(x) (x)
#define le32_to_cpup(p) (*(p))
#define le64_to_cpup(p) (*(p))

/* include/linux/swab.h, include/linux/math64.h, include/linux/bitops.h */
#define swab32(x) __builtin_bswap32(x)
#define swab64(x) __builtin_bswap64(x)
static inline u64 div_u64(u64 dividend, u32 divisor) { return dividend / divisor; }
static inline unsigned long __ffs(unsigned long w) { return __builtin_ctzl(w); }
static inline unsigned long __fls(unsigned long w) { return 63 - __builtin_clzl(w); }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline unsigned long __ffs64(u64 w) { return __builtin_ctzll(w); }
static inline u32 rol32(u32 w, unsigned int s) { return (w << (s & 31)) | (w >> ((-s) & 31)); }
static inline u64 rol64(u64 w, unsigned int s) { return (w << (s & 63)) | (w >> ((-s) & 63)); }

#endif
