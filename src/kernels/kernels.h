/*
 * kernels.h — the internal interface between the core and its inner loops.
 *
 * Kernels are plain 1-D loops over raw memory: pointers and byte strides in, nothing Python, no
 * allocation. The core calls them only through the table returned by rp_kernels(), so a build can
 * carry several variants of a kernel (one per instruction set) and pick one at run time.
 */
#ifndef RAPTORS_KERNELS_H
#define RAPTORS_KERNELS_H

#include <stdint.h>

#include "raptors/raptors.h"

/* dst[i * dst_stride] = (dst type) src[i * src_stride] for i in [0, n). */
typedef void (*rp_cast_loop)(const char *src, int64_t src_stride, char *dst, int64_t dst_stride,
                             int64_t n);

typedef struct rp_kernel_table {
    const char *isa_name;                     /* "scalar", "avx2", ... */
    rp_cast_loop cast[RP_NTYPES][RP_NTYPES];  /* [from][to] */
} rp_kernel_table;

/* The table in use; filled once, on first call. Never NULL. */
const rp_kernel_table *rp_kernels(void);

/* The portable loops every table starts from (defined in cast.c and friends). */
void rp_kernels_fill_scalar(rp_kernel_table *table);

#endif
