/*
 * fp_status.h — the floating-point conditions a thread's float kernels raised (internal to the
 * core).
 *
 * Float kernels leave overflow, invalid and divide-by-zero in the CPU's status flags, as SIMD
 * code naturally does; a driver clears them before its loops and collects them after, on each
 * thread, and turns them into RP_LOOP_* bits for NumPy-style warnings.
 */
#ifndef RAPTORS_CORE_FP_STATUS_H
#define RAPTORS_CORE_FP_STATUS_H

#include "kernels/kernels.h"

#if defined(__x86_64__)
#include <xmmintrin.h>

/* On x86-64 every float kernel computes in SSE/AVX registers, whose conditions land in MXCSR
 * alone. glibc's feclearexcept also rewrites the x87 environment (fnstenv/fldenv, hundreds of
 * cycles), which cost a tenth of a short parallel reduction, so read and clear MXCSR directly. */
enum { MXCSR_INVALID = 1 << 0, MXCSR_DIVIDE_BY_ZERO = 1 << 2, MXCSR_OVERFLOW = 1 << 3 };
#define RP_FP_WATCHED (MXCSR_INVALID | MXCSR_DIVIDE_BY_ZERO | MXCSR_OVERFLOW)

static inline void rp_fp_clear(void) { _mm_setcsr(_mm_getcsr() & ~(unsigned)RP_FP_WATCHED); }

/* RP_LOOP_* bits for the conditions raised since rp_fp_clear on this thread. */
static inline int rp_fp_collect(void)
{
    unsigned raised = _mm_getcsr();
    return (raised & MXCSR_DIVIDE_BY_ZERO ? RP_LOOP_DIVIDE_BY_ZERO : 0) |
           (raised & MXCSR_OVERFLOW ? RP_LOOP_OVERFLOW : 0) |
           (raised & MXCSR_INVALID ? RP_LOOP_INVALID : 0);
}
#else
#include <fenv.h>

#define RP_FP_WATCHED (FE_DIVBYZERO | FE_OVERFLOW | FE_INVALID)

static inline void rp_fp_clear(void) { feclearexcept(RP_FP_WATCHED); }

/* RP_LOOP_* bits for the conditions raised since rp_fp_clear on this thread. */
static inline int rp_fp_collect(void)
{
    int raised = fetestexcept(RP_FP_WATCHED);
    return (raised & FE_DIVBYZERO ? RP_LOOP_DIVIDE_BY_ZERO : 0) |
           (raised & FE_OVERFLOW ? RP_LOOP_OVERFLOW : 0) |
           (raised & FE_INVALID ? RP_LOOP_INVALID : 0);
}
#endif

#endif
