/*
 * loops.h — shared pieces of the portable compute kernels (internal to src/kernels).
 *
 * Element access goes through memcpy so views of foreign memory that are not aligned to their
 * element size stay safe; gcc turns each into a plain (unaligned) load or store and still
 * vectorises the loops. The skeletons below give every elementwise kernel the same shape:
 * contiguous path, broadcast-scalar paths, then the general strided path, each a simple counted
 * loop the compiler can vectorise.
 */
#ifndef RAPTORS_KERNELS_LOOPS_H
#define RAPTORS_KERNELS_LOOPS_H

#include <stdint.h>
#include <string.h>

#include "kernels.h"

/* One C type per dtype, named by the suffix the kernels use. Bool is a byte holding 0 or 1. */
typedef uint8_t rp_b8;
typedef int32_t rp_i32;
typedef int64_t rp_i64;
typedef float rp_f32;
typedef double rp_f64;

#define DEFINE_ACCESS(SUFFIX)                                                                    \
    static inline rp_##SUFFIX load_##SUFFIX(const char *p)                                       \
    {                                                                                            \
        rp_##SUFFIX v;                                                                           \
        memcpy(&v, p, sizeof v);                                                                 \
        return v;                                                                                \
    }                                                                                            \
    static inline void store_##SUFFIX(char *p, rp_##SUFFIX v) { memcpy(p, &v, sizeof v); }

DEFINE_ACCESS(b8)
DEFINE_ACCESS(i32)
DEFINE_ACCESS(i64)
DEFINE_ACCESS(f32)
DEFINE_ACCESS(f64)

/* The kernel contract allows out to alias an input exactly (a += b), never partially: every
 * element is read before it is written in the same iteration, so there is no loop-carried
 * dependence, and this tells gcc not to fall back to scalar code when the pointers are equal. */
#define RP_NO_LOOP_CARRIED_DEPENDENCE _Pragma("GCC ivdep")

/* A binary kernel from an element operation OP(x, y, &raised) -> result. `raised` collects
 * RP_LOOP_* flags for integer conditions (division by zero); float conditions are left to the
 * CPU's floating-point status flags, which the drivers read once per worker. */
#define DEFINE_BINARY_LOOP(NAME, IN, OUT, OP)                                                    \
    static void NAME(const char *a, int64_t sa, const char *b, int64_t sb, char *out,            \
                     int64_t so, int64_t n, int *flags)                                          \
    {                                                                                            \
        const int64_t w = (int64_t)sizeof(rp_##IN), wo = (int64_t)sizeof(rp_##OUT);              \
        int raised = 0;                                                                          \
        if (sa == w && sb == w && so == wo) {                                                    \
            RP_NO_LOOP_CARRIED_DEPENDENCE                                                        \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * wo,                                                        \
                            OP(load_##IN(a + i * w), load_##IN(b + i * w), &raised));            \
            }                                                                                    \
        } else if (sa == w && sb == 0 && so == wo) {                                             \
            const rp_##IN y = load_##IN(b);                                                      \
            RP_NO_LOOP_CARRIED_DEPENDENCE                                                        \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * wo, OP(load_##IN(a + i * w), y, &raised));                 \
            }                                                                                    \
        } else if (sa == 0 && sb == w && so == wo) {                                             \
            const rp_##IN x = load_##IN(a);                                                      \
            RP_NO_LOOP_CARRIED_DEPENDENCE                                                        \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * wo, OP(x, load_##IN(b + i * w), &raised));                 \
            }                                                                                    \
        } else {                                                                                 \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * so,                                                        \
                            OP(load_##IN(a + i * sa), load_##IN(b + i * sb), &raised));          \
            }                                                                                    \
        }                                                                                        \
        *flags |= raised;                                                                        \
    }

/* A unary kernel from an element operation OP(x) -> result. */
#define DEFINE_UNARY_LOOP(NAME, IN, OUT, OP)                                                     \
    static void NAME(const char *in, int64_t si, char *out, int64_t so, int64_t n, int *flags)   \
    {                                                                                            \
        (void)flags;                                                                             \
        const int64_t w = (int64_t)sizeof(rp_##IN), wo = (int64_t)sizeof(rp_##OUT);              \
        if (si == w && so == wo) {                                                               \
            RP_NO_LOOP_CARRIED_DEPENDENCE                                                        \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * wo, OP(load_##IN(in + i * w)));                            \
            }                                                                                    \
        } else {                                                                                 \
            for (int64_t i = 0; i < n; i++) {                                                    \
                store_##OUT(out + i * so, OP(load_##IN(in + i * si)));                           \
            }                                                                                    \
        }                                                                                        \
    }

#endif
