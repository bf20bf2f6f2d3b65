// SPDX-License-Identifier: GPL-2.0
/*
 * The control-file oracle: the real 6.1 lib/dynamic_debug.c (included below, unmodified) driven over stdin.
 * DynDbg.ElfSim's tests feed it the same sites and writes as the C# emulation and compare every answer.
 *
 * Commands, one per line; byte strings are hex, "." for an empty one. Every command's output ends with ".".
 *   V n                                  dynamic_debug.verbose = n
 *   I pid in_interrupt                   what task_pid_vnr()/in_interrupt() return for prefixes
 *   S mod func file fmt line class flags key_enabled key_type   a site for the next table (key_enabled -1:
 *                                        the site has no static key; the kernel code still toggles one, K hides it)
 *   C mod base type name...              a class map offered to the next table
 *   T mod                                ddebug_add_module() of the pending sites and class maps
 *   W bytes                              ddebug_proc_write(); prints "R rc"
 *   P                                    cat control; prints "O bytes"
 *   K                                    every site in list/array order; prints "K flags:enabled ..."
 *   F                                    dynamic_emit_prefix() of every site; prints "F bytes ..."
 *   H                                    FNV-1a 64 of what P, K and F would print: "H control keys prefixes"
 * printk lines come out as "L level text" ("L c text" for pr_cont), text in hex.
 */
#include "helpers.c"
#include "dynamic_debug.c"

int harness_pid = 1, harness_in_interrupt;
int jump_label_updates;
char *saved_command_line = "";

static void put_hex(const char *s, size_t n)
{
	if (!n)
		putchar('.');
	for (size_t i = 0; i < n; i++)
		printf("%02x", (unsigned char)s[i]);
}

int printk(const char *fmt, ...)
{
	char buf[8192];
	char level = 'd';
	va_list ap;
	int n;

	if (fmt[0] == KERN_SOH[0] && fmt[1]) {
		level = fmt[1];
		fmt += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	printf("L %c ", level);
	put_hex(buf, n);
	putchar('\n');
	return n;
}

static char *seq_out;
static size_t seq_len, seq_cap;

void seq_write_bytes(struct seq_file *m, const char *s, size_t n)
{
	(void)m;
	if (seq_len + n > seq_cap) {
		seq_cap = (seq_len + n) * 2 + 4096;
		seq_out = realloc(seq_out, seq_cap);
	}
	memcpy(seq_out + seq_len, s, n);
	seq_len += n;
}

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	seq_write_bytes(m, s, n);
	free(s);
}

/* 6.1 seq_escape_str → seq_escape_mem → string_escape_mem into the seq buffer */
void seq_escape_str(struct seq_file *m, const char *src, unsigned int flags, const char *esc)
{
	size_t len = strlen(src), cap = len * 4 + 1;
	char *buf = malloc(cap);
	int n = string_escape_mem(src, len, buf, cap, flags, esc);

	seq_write_bytes(m, buf, n);
	free(buf);
}

int seq_open_private(void *f, const void *ops, int size) { (void)f; (void)ops; (void)size; return 0; }

static int unhex(const char *h, char **out)
{
	size_t n = strcmp(h, ".") ? strlen(h) / 2 : 0;
	char *b = malloc(n + 1);

	for (size_t i = 0; i < n; i++)
		sscanf(h + 2 * i, "%2hhx", (unsigned char *)&b[i]);
	b[n] = '\0';
	*out = b;
	return (int)n;
}

static u64 fnv(u64 h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static int key_of(const struct _ddebug *dp)
{
	return dp->key.dd_key_true.key.type == 2 ? -1 : dp->key.dd_key_true.key.enabled.counter;
}

static void cat_control(struct seq_file *m)
{
	loff_t pos = 0;
	void *p;

	seq_len = 0;
	for (p = ddebug_proc_start(m, &pos); p; p = ddebug_proc_next(m, p, &pos))
		ddebug_proc_show(m, p);
	ddebug_proc_stop(m, NULL);
}

static struct _ddebug *pending;
static int npending, cappending;
static struct ddebug_class_map *pclasses;
static int npclasses;

int main(void)
{
	static char line[1 << 20];
	struct seq_file m = { 0 };
	struct ddebug_iter iter;

	m.private = &iter;
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	while (fgets(line, sizeof(line), stdin)) {
		char *argv[80];
		int argc = 0;

		for (char *t = strtok(line, " \n"); t && argc < 80; t = strtok(NULL, " \n"))
			argv[argc++] = t;
		if (!argc)
			continue;
		switch (argv[0][0]) {
		case 'V':
			verbose = atoi(argv[1]);
			break;
		case 'I':
			harness_pid = atoi(argv[1]);
			harness_in_interrupt = atoi(argv[2]);
			break;
		case 'S': {
			struct _ddebug *d;
			char *s;

			if (npending == cappending) {
				cappending = cappending * 2 + 64;
				pending = realloc(pending, cappending * sizeof(*pending));
			}
			d = &pending[npending++];
			memset(d, 0, sizeof(*d));
			unhex(argv[1], &s); d->modname = s;
			unhex(argv[2], &s); d->function = s;
			unhex(argv[3], &s); d->filename = s;
			unhex(argv[4], &s); d->format = s;
			d->lineno = strtoul(argv[5], NULL, 10);
			d->class_id = strtoul(argv[6], NULL, 10);
			d->flags = strtoul(argv[7], NULL, 10);
			d->key.dd_key_true.key.enabled.counter = atoi(argv[8]) < 0 ? 0 : atoi(argv[8]);
			/* type 2 is no JUMP_TYPE: it marks a site without a key (dyndbg never reads the type) */
			d->key.dd_key_true.key.type = atoi(argv[8]) < 0 ? 2 : strtoul(argv[9], NULL, 10);
			break;
		}
		case 'C': {
			const char **names = calloc(argc, sizeof(char *));
			char *s;

			pclasses = realloc(pclasses, (npclasses + 1) * sizeof(*pclasses));
			unhex(argv[1], &s);
			for (int i = 4; i < argc; i++)
				unhex(argv[i], (char **)&names[i - 4]);
			memcpy(&pclasses[npclasses++], &(struct ddebug_class_map){
				.mod_name = s, .class_names = names, .length = argc - 4,
				.base = atoi(argv[2]), .map_type = atoi(argv[3]) }, sizeof(*pclasses));
			break;
		}
		case 'T': {
			struct _ddebug_info di = { .descs = pending, .classes = pclasses,
						   .num_descs = npending, .num_classes = npclasses };
			char *name;

			unhex(argv[1], &name);
			ddebug_add_module(&di, name);
			pending = NULL;
			npending = cappending = 0;
			pclasses = NULL;
			npclasses = 0;
			break;
		}
		case 'W': {
			char *buf;
			int n = unhex(argv[1], &buf);
			loff_t pos = 0;

			printf("R %zd\n", ddebug_proc_write(NULL, buf, n, &pos));
			free(buf);
			break;
		}
		case 'P':
			cat_control(&m);
			printf("O ");
			put_hex(seq_out, seq_len);
			putchar('\n');
			break;
		case 'H': {
			const u64 basis = 0xcbf29ce484222325ULL;
			u64 hk = basis, hf = basis;
			struct ddebug_table *dt;

			cat_control(&m);
			list_for_each_entry(dt, &ddebug_tables, link) {
				for (unsigned int i = 0; i < dt->num_ddebugs; i++) {
					struct _ddebug *dp = &dt->ddebugs[i];
					char buf[PREFIX_SIZE] = "", k[32];

					hk = fnv(hk, k, snprintf(k, sizeof(k), "%u:%d ", dp->flags, key_of(dp)));
					dynamic_emit_prefix(dp, buf);
					hf = fnv(hf, buf, strlen(buf) + 1);
				}
			}
			printf("H %016llx %016llx %016llx\n", (unsigned long long)fnv(basis, seq_out, seq_len),
			       (unsigned long long)hk, (unsigned long long)hf);
			break;
		}
		case 'K':
		case 'F': {
			struct ddebug_table *dt;

			printf("%c", argv[0][0]);
			list_for_each_entry(dt, &ddebug_tables, link) {
				for (unsigned int i = 0; i < dt->num_ddebugs; i++) {
					struct _ddebug *dp = &dt->ddebugs[i];
					char buf[PREFIX_SIZE] = "";

					putchar(' ');
					if (argv[0][0] == 'K') {
						printf("%u:%d", dp->flags, key_of(dp));
					} else {
						dynamic_emit_prefix(dp, buf);
						put_hex(buf, strlen(buf));
					}
				}
			}
			putchar('\n');
			break;
		}
		default:
			fprintf(stderr, "harness: unknown command %s\n", argv[0]);
			return 2;
		}
		puts(".");
		fflush(stdout);
	}
	return 0;
}
