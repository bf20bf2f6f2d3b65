// trace.c - print, in first-call order, which of the given functions a process calls (scripts/startup-order.sh).
// Usage: trace OFFSETS OUT PROGRAM ARGS...   OFFSETS: one hex offset from the executable's start per line.
// Puts an int3 on each function's first byte under ptrace; a hit logs the offset and restores the byte, so each
// function costs one stop. Threads are followed (PTRACE_O_TRACECLONE), other signals are passed on.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static int by_value(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: trace OFFSETS OUT PROGRAM ARGS...\n");
		return 2;
	}
	FILE *in = fopen(argv[1], "r"), *out = fopen(argv[2], "w");
	char *program = realpath(argv[3], NULL);
	if (!in || !out || !program) {
		perror("trace");
		return 2;
	}
	size_t n = 0, cap = 1 << 16;
	unsigned long *offs = malloc(cap * sizeof *offs), v;
	while (fscanf(in, "%lx", &v) == 1) {
		if (n == cap)
			offs = realloc(offs, (cap *= 2) * sizeof *offs);
		offs[n++] = v;
	}
	fclose(in);
	qsort(offs, n, sizeof *offs, by_value);
	unsigned char *saved = malloc(n);

	pid_t pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[3], argv + 3);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0); // stopped at the exec
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL);

	// A PIE's symbol values are offsets from where it is mapped; an ET_EXEC's are its addresses.
	unsigned char ehdr[18] = {0};
	FILE *elf = fopen(program, "rb");
	if (!elf || fread(ehdr, 1, sizeof ehdr, elf) != sizeof ehdr) {
		perror("trace: read ELF header");
		return 2;
	}
	fclose(elf);
	int pie = ehdr[16] == 3; // e_type ET_DYN
	char maps[64], line[4096];
	unsigned long base = 0;
	int mapped = 0;
	snprintf(maps, sizeof maps, "/proc/%d/maps", pid);
	FILE *m = fopen(maps, "r");
	while (m && fgets(line, sizeof line, m)) {
		unsigned long lo, hi, off;
		if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 && off == 0 && strstr(line, program)) {
			base = pie ? lo : 0;
			mapped = 1;
			break;
		}
	}
	if (m)
		fclose(m);
	if (!mapped) {
		fprintf(stderr, "trace: %s is not mapped\n", program);
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		errno = 0;
		long word = ptrace(PTRACE_PEEKTEXT, pid, base + offs[i], 0);
		if (errno) {
			perror("trace: peek");
			return 2;
		}
		saved[i] = word & 0xff;
		ptrace(PTRACE_POKETEXT, pid, base + offs[i], (word & ~0xffL) | 0xcc);
	}

	ptrace(PTRACE_CONT, pid, 0, 0);
	int rc = 2;
	for (;;) {
		pid_t t = waitpid(-1, &status, __WALL);
		if (t < 0)
			break;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (t == pid) {
				rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
				break;
			}
			continue;
		}
		int sig = WSTOPSIG(status);
		if (sig == SIGTRAP && (status >> 16) == 0) {
			struct user_regs_struct regs;
			ptrace(PTRACE_GETREGS, t, 0, &regs);
			unsigned long off = regs.rip - 1 - base;
			unsigned long *hit = bsearch(&off, offs, n, sizeof *offs, by_value);
			if (hit) {
				long word = ptrace(PTRACE_PEEKTEXT, t, regs.rip - 1, 0);
				ptrace(PTRACE_POKETEXT, t, regs.rip - 1, (word & ~0xffL) | saved[hit - offs]);
				regs.rip--;
				ptrace(PTRACE_SETREGS, t, 0, &regs);
				fprintf(out, "%lx\n", off);
				sig = 0;
			}
		} else if (sig == SIGTRAP || sig == SIGSTOP) {
			sig = 0; // a clone event, or a new thread's first stop
		}
		ptrace(PTRACE_CONT, t, 0, sig);
	}
	fclose(out);
	return rc;
}
