// SPDX-License-Identifier: GPL-2.0
/*
 * Driver of the zram compressor oracle (scripts/zram-oracle/build.sh): 6.1's own lib/lzo, lib/lz4 and lib/zstd,
 * called as the crypto API drivers zram uses call them, one page at a time, as drivers/block/zram/zcomp.c does
 * (zcomp_compress: src = one PAGE_SIZE page, *dst_len = 2 * PAGE_SIZE):
 *   lzo-rle  crypto/lzo-rle.c  lzorle1x_1_compress_safe(src, slen, dst, &len, wrkmem of LZO1X_MEM_COMPRESS)
 *   lz4      crypto/lz4.c      LZ4_compress_default(src, dst, slen, dlen, wrkmem of LZ4_MEM_COMPRESS)
 *   lz4hc    crypto/lz4hc.c    LZ4_compress_HC(src, dst, slen, dlen, LZ4HC_DEFAULT_CLEVEL, wrkmem of LZ4HC_MEM_COMPRESS)
 *   zstd     crypto/zstd.c     zstd_compress_cctx(cctx, dst, dlen, src, slen, &zstd_get_params(ZSTD_DEF_LEVEL = 3, 0))
 * Each algorithm keeps one context for the whole run, as zram's single stream on one CPU does. Every compressed
 * page is decompressed again by the kernel's own decompressor (lzo1x_decompress_safe, LZ4_decompress_safe,
 * zstd_decompress_dctx) and must give the page back.
 *
 * Usage:
 *   oracle compress FILE...  each file zero-padded to whole 4 KiB pages, then per file
 *                              F <path> <bytes> <pages>
 *                            and per page
 *                              P <page> <same 0|1> <element hex>       (zram_drv.c page_same_filled)
 *                              C <algorithm> <page> <length> <bytes hex>
 *   oracle time ROUNDS FILE...  the cost of zram's Get and stream with the kernel's own code: per file and algorithm,
 *                            every page compressed once, then decompressed ROUNDS times over (thread CPU time,
 *                            so other processes on the machine do not count)
 *                              T <path> <algorithm> <pages> <ns per page compress> <ns per page decompress>
 *   oracle classes           mm/zsmalloc.c's size classes as zs_create_pool builds them
 *                              H <huge_class_size>
 *                              Z <i> <size of i> <class index> <class size> <pages_per_zspage> <objs_per_zspage>
 *                            and the class zs_malloc(size) takes, for every size 1..ZS_MAX_ALLOC_SIZE
 *                              S <size> <class index> <class size> <pages_per_zspage> <objs_per_zspage>
 * Exit 0; 1 on a kernel function's error or a failed round trip (one line on stderr); 2 on usage or I/O errors.
 */
#include "inc/linux/lzo.h"
#include "inc/linux/lz4.h"
#include "inc/linux/zstd.h"
#include "kernel-bits.c"
#include <time.h>

#define ZSTD_DEF_LEVEL 3
#define NALG 4
static const char *const names[NALG] = { "lzo-rle", "lz4", "lz4hc", "zstd" };

static void *lzo_wrk, *lz4_wrk, *lz4hc_wrk;
static zstd_cctx *cctx;
static zstd_dctx *dctx;

static void die(int rc, const char *what, const char *path, long page)
{
	fprintf(stderr, "zram-oracle: %s: %s (page %ld)\n", path, what, page);
	exit(rc);
}

static void init(void)
{
	/* crypto/zstd.c zstd_comp_init / zstd_decomp_init */
	const zstd_parameters params = zstd_get_params(ZSTD_DEF_LEVEL, 0);
	size_t cw = zstd_cctx_workspace_bound(&params.cParams), dw = zstd_dctx_workspace_bound();

	lzo_wrk = malloc(LZO1X_MEM_COMPRESS);
	lz4_wrk = malloc(LZ4_MEM_COMPRESS);
	lz4hc_wrk = malloc(LZ4HC_MEM_COMPRESS);
	cctx = zstd_init_cctx(calloc(1, cw), cw);
	dctx = zstd_init_dctx(calloc(1, dw), dw);
	if (!lzo_wrk || !lz4_wrk || !lz4hc_wrk || !cctx || !dctx)
		die(1, "cannot set up the compressors", "-", -1);
}

/* The crypto driver's compress: 0 and *dlen, or a negative errno as the driver returns it. */
static int compress(int alg, const u8 *src, unsigned int slen, u8 *dst, unsigned int *dlen)
{
	switch (alg) {
	case 0: {
		size_t tmp_len = *dlen;
		int err = lzorle1x_1_compress_safe(src, slen, dst, &tmp_len, lzo_wrk);

		if (err != LZO_E_OK)
			return -EINVAL;
		*dlen = tmp_len;
		return 0;
	}
	case 1: {
		int out_len = LZ4_compress_default((const char *)src, (char *)dst, slen, *dlen, lz4_wrk);

		if (!out_len)
			return -EINVAL;
		*dlen = out_len;
		return 0;
	}
	case 2: {
		int out_len = LZ4_compress_HC((const char *)src, (char *)dst, slen, *dlen, LZ4HC_DEFAULT_CLEVEL, lz4hc_wrk);

		if (!out_len)
			return -EINVAL;
		*dlen = out_len;
		return 0;
	}
	default: {
		const zstd_parameters params = zstd_get_params(ZSTD_DEF_LEVEL, 0);
		size_t out_len = zstd_compress_cctx(cctx, dst, *dlen, src, slen, &params);

		if (zstd_is_error(out_len))
			return -EINVAL;
		*dlen = out_len;
		return 0;
	}
	}
}

static long decompress(int alg, const u8 *src, unsigned int slen, u8 *dst, unsigned int dlen)
{
	switch (alg) {
	case 0: {
		size_t out = dlen;

		return lzo1x_decompress_safe(src, slen, dst, &out) == LZO_E_OK ? (long)out : -1;
	}
	case 1:
	case 2:
		return LZ4_decompress_safe((const char *)src, (char *)dst, slen, dlen);
	default: {
		size_t out = zstd_decompress_dctx(dctx, dst, dlen, src, slen);

		return zstd_is_error(out) ? -1 : (long)out;
	}
	}
}

static void hex(const u8 *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		putchar(digits[p[i] >> 4]);
		putchar(digits[p[i] & 15]);
	}
}

/* The whole file, zero-padded to whole pages (the blob goes to /dev/zram0 from offset 0, the last page padded). */
static u8 *read_pages(const char *path, size_t *size, size_t *pages)
{
	FILE *f = fopen(path, "rb");
	u8 *data = NULL;
	size_t cap = 0, n;

	*size = 0;
	if (!f)
		die(2, "cannot open", path, -1);
	do {
		if (*size + 65536 > cap) {
			cap = (*size + 65536) * 2;
			data = realloc(data, cap);
			if (!data)
				die(2, "out of memory", path, -1);
		}
		n = fread(data + *size, 1, 65536, f);
		*size += n;
	} while (n > 0);
	if (ferror(f))
		die(2, "read error", path, -1);
	fclose(f);
	*pages = (*size + PAGE_SIZE - 1) / PAGE_SIZE;
	data = realloc(data, *pages * PAGE_SIZE + 1);
	if (!data)
		die(2, "out of memory", path, -1);
	memset(data + *size, 0, *pages * PAGE_SIZE - *size);
	return data;
}

static int compress_file(const char *path)
{
	size_t size, pages;
	u8 *data = read_pages(path, &size, &pages);

	/* the blob goes to /dev/zram0 from offset 0; the last page is zero-padded (the harness writes whole pages) */
	static u8 page[PAGE_SIZE] __aligned(8), dst[2 * PAGE_SIZE], back[2 * PAGE_SIZE];

	printf("F %s %zu %zu\n", path, size, pages);
	for (size_t p = 0; p < pages; p++) {
		size_t len = size - p * PAGE_SIZE < PAGE_SIZE ? size - p * PAGE_SIZE : PAGE_SIZE;
		unsigned long element = 0;
		bool same;

		memset(page, 0, PAGE_SIZE);
		memcpy(page, data + p * PAGE_SIZE, len);
		same = page_same_filled(page, &element);
		printf("P %zu %d %lx\n", p, same ? 1 : 0, same ? element : 0UL);
		for (int alg = 0; alg < NALG; alg++) {
			unsigned int dlen = 2 * PAGE_SIZE; /* zcomp_compress */
			int rc = compress(alg, page, PAGE_SIZE, dst, &dlen);

			if (rc)
				die(1, names[alg], path, (long)p);
			memset(back, 0xa5, sizeof(back));
			if (decompress(alg, dst, dlen, back, PAGE_SIZE) != (long)PAGE_SIZE || memcmp(back, page, PAGE_SIZE))
				{
				fprintf(stderr, "zram-oracle: %s: ", names[alg]);
				die(1, "the round trip through the kernel's decompressor failed", path, (long)p);
			}
			printf("C %s %zu %u ", names[alg], p, dlen);
			hex(dst, dlen);
			putchar('\n');
		}
	}
	free(data);
	return 0;
}

static long long thread_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* zram_read_from_zspool decompresses one whole page per read: a Get of one record costs one page's decompression,
 * a stream (cat control) every page's. The compression side is zram_write_page's. */
static int time_file(const char *path, int rounds)
{
	size_t size, pages;
	u8 *data = read_pages(path, &size, &pages);
	static u8 back[2 * PAGE_SIZE];
	u8 *dst = malloc(pages * 2 * PAGE_SIZE + 1);
	unsigned int *lens = malloc(pages * sizeof(*lens) + 1);

	if (!dst || !lens)
		die(2, "out of memory", path, -1);
	for (int alg = 0; alg < NALG; alg++) {
		long long t0 = thread_ns(), t1, t2;

		for (size_t p = 0; p < pages; p++) {
			lens[p] = 2 * PAGE_SIZE;
			if (compress(alg, data + p * PAGE_SIZE, PAGE_SIZE, dst + p * 2 * PAGE_SIZE, &lens[p]))
				die(1, names[alg], path, (long)p);
		}
		t1 = thread_ns();
		for (int r = 0; r < rounds; r++)
			for (size_t p = 0; p < pages; p++)
				if (decompress(alg, dst + p * 2 * PAGE_SIZE, lens[p], back, PAGE_SIZE) != (long)PAGE_SIZE)
					die(1, "decompression failed", path, (long)p);
		t2 = thread_ns();
		printf("T %s %s %zu %lld %lld\n", path, names[alg], pages, pages ? (t1 - t0) / (long long)pages : 0,
		       pages && rounds ? (t2 - t1) / ((long long)pages * rounds) : 0);
	}
	free(lens);
	free(dst);
	free(data);
	return 0;
}

static int classes(void)
{
	static struct zs_pool pool;

	if (zs_create_classes(&pool))
		die(1, "zs_create_pool's class loop failed", "-", -1);
	printf("H %zu\n", huge_class_size);
	for (int i = 0; i < (int)ZS_SIZE_CLASSES; i++) {
		struct size_class *c = pool.size_class[i];
		int size = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;

		if (size > ZS_MAX_ALLOC_SIZE)
			size = ZS_MAX_ALLOC_SIZE;
		printf("Z %d %d %u %d %d %d\n", i, size, c->index, c->size, c->pages_per_zspage, c->objs_per_zspage);
	}
	for (int size = 1; size <= (int)ZS_MAX_ALLOC_SIZE; size++) {
		/* zs_malloc: "extra space in chunk to keep the handle", then the class lookup */
		struct size_class *c = pool.size_class[get_size_class_index(size + ZS_HANDLE_SIZE)];

		printf("S %d %u %d %d %d\n", size, c->index, c->size, c->pages_per_zspage, c->objs_per_zspage);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "classes") && argc == 2)
		return classes();
	if (argc >= 3 && !strcmp(argv[1], "compress")) {
		init();
		for (int i = 2; i < argc; i++)
			compress_file(argv[i]);
		return fflush(stdout) ? 2 : 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "time") && atoi(argv[2]) > 0) {
		init();
		for (int i = 3; i < argc; i++)
			time_file(argv[i], atoi(argv[2]));
		return fflush(stdout) ? 2 : 0;
	}
	fprintf(stderr, "usage: %s compress FILE... | time ROUNDS FILE... | classes\n", argv[0]);
	return 2;
}
