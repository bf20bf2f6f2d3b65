/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the kernel facilities lib/dynamic_debug.c (6.1) touches, so that the real file can be
 * compiled and driven by harness.c as the oracle for DynDbg.ElfSim's control-file emulation. Only plumbing lives
 * here (lists, allocation, printk to stdout, seq_file to stdout); every decision the control file makes is taken
 * by kernel code: dynamic_debug.c itself plus helpers copied verbatim by build.sh (match_wildcard, string_unescape,
 * string_escape_mem, skip_spaces, match_string, kstrtouint, _ctype, hex_to_bin, static_key_enable/disable).
 */
#ifndef KSHIM_H
#define KSHIM_H

#define _GNU_SOURCE
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <errno.h>
#include <sys/types.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef unsigned int gfp_t;
typedef struct { int counter; } atomic_t;

#define CONFIG_DYNAMIC_DEBUG 1
#define CONFIG_DYNAMIC_DEBUG_CORE 1
#define CONFIG_JUMP_LABEL 1
#define __KERNEL__ 1

#define __init
#define __initdata
#define __user
#define __used __attribute__((used))
#define __aligned(x) __attribute__((aligned(x)))
#define __section(s) __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __must_check
#define noinline __attribute__((noinline))
#define likely(x) (x)
#define unlikely(x) (x)
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define module_param(n, t, p)
#define MODULE_PARM_DESC(a, b)
#define __setup(s, f)
#define early_initcall(f)
#define fs_initcall(f)
#define THIS_MODULE NULL
#define IS_ENABLED(x) 0
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1UL << (n))
#define GENMASK(h, l) (((~0UL) << (l)) & (~0UL >> (sizeof(long) * 8 - 1 - (h))))
#define BUG_ON(c) do { if (c) abort(); } while (0)
#define PAGE_SIZE 4096
#define GFP_KERNEL 0
#define USHRT_MAX 0xffff

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* include/linux/list.h, the part dynamic_debug.c uses */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{ next->prev = n; n->next = next; n->prev = prev; prev->next = n; }
static inline void list_add(struct list_head *n, struct list_head *head) { __list_add(n, head, head->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *head) { __list_add(n, head->prev, head); }
static inline void list_del_init(struct list_head *e)
{ e->next->prev = e->prev; e->prev->next = e->next; INIT_LIST_HEAD(e); }
static inline int list_empty(const struct list_head *head) { return head->next == head; }
static inline int list_is_last(const struct list_head *l, const struct list_head *head) { return l->next == head; }
#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_for_each_entry(pos, head, member) \
	for (pos = list_first_entry(head, __typeof__(*pos), member); &pos->member != (head); \
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = list_first_entry(head, __typeof__(*pos), member), n = list_next_entry(pos, member); \
	     &pos->member != (head); pos = n, n = list_next_entry(n, member))

struct mutex { int unused; };
#define DEFINE_MUTEX(m) struct mutex m
#define mutex_lock(m) ((void)(m))
#define mutex_unlock(m) ((void)(m))

/* printk: one "L <level> <text>" line per message on stdout, control bytes as \xNN; pr_cont joins lines. */
#define KERN_SOH "\001"
#define KERN_ERR KERN_SOH "3"
#define KERN_WARNING KERN_SOH "4"
#define KERN_INFO KERN_SOH "6"
#define KERN_DEBUG KERN_SOH "7"
#define KERN_CONT KERN_SOH "c"
#define LOGLEVEL_DEBUG 7
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define pr_err(fmt, ...) printk(KERN_ERR pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) printk(KERN_WARNING pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) printk(KERN_INFO pr_fmt(fmt), ##__VA_ARGS__)
#define pr_cont(fmt, ...) printk(KERN_CONT fmt, ##__VA_ARGS__)
/* A real WARN prints a backtrace; the oracle keeps the one line DynDbg.ElfSim writes for it. */
#define WARN_ON_ONCE(c) ({ static bool __warned; int __c = !!(c); \
	if (__c && !__warned) { __warned = true; printk(KERN_WARNING "WARNING: kernel/jump_label.c: %s: WARN_ON_ONCE(%s)\n", __func__, #c); } \
	__c; })
#define WARN(c, ...) ({ int __c = !!(c); if (__c) printk(KERN_WARNING __VA_ARGS__); __c; })

/* include/linux/jump_label.h types, and the jump_label.c plumbing around static_key_{en,dis}able_cpuslocked */
struct static_key { atomic_t enabled; unsigned long type; };
struct static_key_true { struct static_key key; };
struct static_key_false { struct static_key key; };
#define atomic_read(v) ((v)->counter)
#define atomic_set(v, i) ((v)->counter = (i))
#define atomic_set_release(v, i) ((v)->counter = (i))
static inline int atomic_cmpxchg(atomic_t *v, int old, int new)
{ int r = v->counter; if (r == old) v->counter = new; return r; }
#define STATIC_KEY_CHECK_USE(key) ((void)0)
#define lockdep_assert_cpus_held() ((void)0)
#define jump_label_lock() ((void)0)
#define jump_label_unlock() ((void)0)
extern int jump_label_updates;
#define jump_label_update(key) ((void)(key), jump_label_updates++)
void static_key_enable_cpuslocked(struct static_key *key);
void static_key_disable_cpuslocked(struct static_key *key);
#define static_branch_enable(x) static_key_enable_cpuslocked(&(x)->key)
#define static_branch_disable(x) static_key_disable_cpuslocked(&(x)->key)

/* allocation, user copies, strings */
#define kzalloc(size, gfp) calloc(1, (size))
#define kfree(p) free((void *)(p))
#define kstrdup(s, gfp) strdup(s)
static inline void *memdup_user_nul(const void *src, size_t len)
{ char *p = malloc(len + 1); memcpy(p, src, len); p[len] = '\0'; return p; }
#define IS_ERR(p) 0
#define PTR_ERR(p) 0L
#define scnprintf(buf, size, ...) snprintf(buf, size, __VA_ARGS__)
static const char hex_asc[] = "0123456789abcdef";
#define hex_asc_lo(x) hex_asc[((x) & 0x0f)]
#define hex_asc_hi(x) hex_asc[((x) & 0xf0) >> 4]
static inline u64 div_u64(u64 a, u32 b) { return a / b; }
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
static inline int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{ return kstrtoull(s, base, (unsigned long long *)res); }
int hex_to_bin(unsigned char ch);
char *skip_spaces(const char *str);
int match_string(const char * const *array, size_t n, const char *string);
bool match_wildcard(const char *pattern, const char *str);
static inline const char *kbasename(const char *path) { const char *t = strrchr(path, '/'); return t ? t + 1 : path; }
static inline int test_bit(long nr, const unsigned long *addr) { return (*addr >> nr) & 1; }

/* seq_file: output goes to stdout as "O <line>" records, assembled by harness.c */
struct seq_file { void *private; };
#define SEQ_START_TOKEN ((void *)1)
void seq_write_bytes(struct seq_file *m, const char *s, size_t n);
static inline void seq_puts(struct seq_file *m, const char *s) { seq_write_bytes(m, s, strlen(s)); }
static inline void seq_putc(struct seq_file *m, char c) { seq_write_bytes(m, &c, 1); }
void seq_printf(struct seq_file *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_escape_str(struct seq_file *m, const char *src, unsigned int flags, const char *esc);
int seq_open_private(void *f, const void *ops, int size);
#define seq_read NULL
#define seq_lseek NULL
#define seq_release_private NULL
struct seq_operations { void *(*start)(struct seq_file *, loff_t *); void (*stop)(struct seq_file *, void *);
	void *(*next)(struct seq_file *, void *, loff_t *); int (*show)(struct seq_file *, void *); };
struct inode;
struct file;
struct file_operations { void *owner; int (*open)(struct inode *, struct file *); void *read; void *llseek;
	void *release; ssize_t (*write)(struct file *, const char *, size_t, loff_t *); };
struct proc_ops { int (*proc_open)(struct inode *, struct file *); void *proc_read; void *proc_lseek;
	void *proc_release; ssize_t (*proc_write)(struct file *, const char *, size_t, loff_t *); };
struct proc_dir_entry;
struct dentry;
#define proc_mkdir(name, parent) ((struct proc_dir_entry *)NULL)
#define proc_create(name, mode, parent, ops) ((void)(ops), (struct proc_dir_entry *)NULL)
#define debugfs_initialized() 0
#define debugfs_create_dir(name, parent) ((struct dentry *)NULL)
#define debugfs_create_file(name, mode, parent, data, fops) ((void)(fops), (struct dentry *)NULL)

/* the rest of the kernel the file mentions but the oracle never runs */
struct module { int unused; };
struct kernel_param;
struct kernel_param_ops { int (*set)(const char *, const struct kernel_param *);
	int (*get)(char *, const struct kernel_param *); };
struct kernel_param { const char *name; const struct kernel_param_ops *ops; void *arg; };
struct va_format { const char *fmt; va_list *va; };
struct device { int unused; };
static inline const char *dev_driver_string(const struct device *d) { (void)d; return ""; }
static inline const char *dev_name(const struct device *d) { (void)d; return ""; }
#define dev_printk_emit(...) 0
extern int harness_pid, harness_in_interrupt;
#define in_interrupt() harness_in_interrupt
#define current NULL
#define task_pid_vnr(t) harness_pid
extern char *saved_command_line;
#define parse_args(...) NULL

#endif
