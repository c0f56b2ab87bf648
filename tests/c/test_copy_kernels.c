/*
 * test_copy_kernels.c — the same-dtype cast loops (copies) of every available instruction set.
 *
 * The SIMD tables copy 4- and 8-byte elements read every 2nd to 4th element, or backwards, into
 * a contiguous destination with de-interleaving loads and lane permutes. Each copy must move
 * exactly the bits of the elements at i * step (signaling NaN payloads included, with no
 * floating-point condition raised), write nothing outside the destination, and read nothing
 * outside the source: the source ends right before an inaccessible page (or starts right after
 * one), so a load past either end crashes the test. Lengths run across every vector width, at
 * steps 1 to 5, reversed, and into a strided destination (the portable loop's cases), for
 * float32, float64, int32 and int64.
 */
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "kernels/kernels.h"

enum { MAX_N = 80, MAX_STEP = 5, CANARY = 16 };

/* A page-aligned block of `pages` usable pages between two inaccessible ones. */
static char *guarded_block(size_t pages, size_t *usable)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *mapping = mmap(NULL, (pages + 2) * page, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    mprotect(mapping, page, PROT_NONE);
    mprotect(mapping + (pages + 1) * page, page, PROT_NONE);
    *usable = pages * page;
    return mapping + page;
}

/* Distinct bit patterns, float signaling NaNs among them. */
static void fill_pattern(unsigned char *p, size_t nbytes, unsigned seed)
{
    for (size_t i = 0; i < nbytes; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (unsigned char)(seed >> 16);
    }
    static const uint32_t snan32 = 0x7fa00001u;
    static const uint64_t snan64 = 0x7ff4000000000001u;
    for (size_t at = 0; at + 8 <= nbytes; at += 40) {
        memcpy(p + at, at % 80 == 0 ? (const void *)&snan64 : (const void *)&snan32,
               at % 80 == 0 ? 8 : 4);
    }
}

static void check_copy(const rp_kernel_table *table, rp_dtype dtype, char *block, size_t usable,
                       int64_t step, int64_t out_step, int64_t n, bool at_end)
{
    const int64_t size = (int64_t)rp_dtype_size(dtype);
    const int64_t reach = step < 0 ? -step : step;
    const int64_t span = n == 0 ? 0 : ((n - 1) * reach + 1) * size;
    char *low = at_end ? block + usable - span : block;
    char *src = step < 0 && n > 0 ? low + (n - 1) * reach * size : low;
    fill_pattern((unsigned char *)block, usable, (unsigned)(n * 31 + step));

    unsigned char dst[CANARY + MAX_N * MAX_STEP * 8 + CANARY];
    memset(dst, 0xA5, sizeof dst);
    feclearexcept(FE_ALL_EXCEPT);
    table->cast[dtype][dtype](src, step * size, (char *)dst + CANARY, out_step * size, n);
    bool raised = fetestexcept(FE_ALL_EXCEPT) != 0;
    bool moved = true, kept = true;
    for (int64_t i = 0; i < n; i++) {
        moved &= memcmp(dst + CANARY + i * out_step * size, src + i * step * size,
                        (size_t)size) == 0;
    }
    int64_t written_end = CANARY + (n == 0 ? 0 : ((n - 1) * out_step + 1) * size);
    for (int64_t b = 0; b < (int64_t)sizeof dst; b++) {
        bool element = false;
        if (b >= CANARY && b < written_end) {
            int64_t offset = b - CANARY;
            element = offset % (out_step * size) < size;
        }
        if (!element) {
            kept &= dst[b] == 0xA5;
        }
    }
    if (!moved || !kept || raised) {
        fprintf(stderr, "%s copy of %s: step %lld into step %lld, n %lld, %s: %s%s%s\n",
                table->isa_name, rp_dtype_name(dtype), (long long)step, (long long)out_step,
                (long long)n, at_end ? "at the end" : "at the start", moved ? "" : "bits differ ",
                kept ? "" : "wrote outside ", raised ? "raised a condition" : "");
    }
    CHECK(moved && kept && !raised);
}

int main(void)
{
    size_t usable;
    char *block = guarded_block(2, &usable);
    if (block == NULL) {
        return 2;
    }
    const char *names[8];
    int count = rp_simd_available(names, 8);
    static const rp_dtype dtypes[] = {RP_FLOAT32, RP_FLOAT64, RP_INT32, RP_INT64};
    static const int64_t steps[] = {1, 2, 3, 4, 5, -1, -2};
    for (int t = 0; t < count; t++) {
        const rp_kernel_table *table = rp_kernels_for_isa(names[t]);
        CHECK(table != NULL);
        if (table == NULL) {
            continue;
        }
        for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; d++) {
            for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
                for (int64_t n = 0; n <= MAX_N; n++) {
                    for (int end = 0; end < 2; end++) {
                        check_copy(table, dtypes[d], block, usable, steps[s], 1, n, end);
                    }
                    check_copy(table, dtypes[d], block, usable, steps[s], 2, n, true);
                }
            }
        }
    }
    return check_report("copy kernels");
}
