/*
 * simd_copy.c — same-dtype copies of 4- and 8-byte elements from every 2nd to 4th element of
 * the source, or from a reversed source, into a contiguous destination, with the target's
 * de-interleaving loads and lane permutes.
 *
 * Compiled once per target (see simd_vec.h). A cast to the same dtype is a copy, so these are
 * the cast table's [t][t] entries for float32, float64, int32 and int64. The reductions compact
 * a strided input row this way before a combine loop that has no strided vector form of its
 * own (min/max along axis 0 of a[::2, ::2]), and the elementwise loops compact such inputs
 * (np.maximum(a[::-1], b)), where the portable loop moved one element at a time. Bits are only
 * moved, never computed on (shuffles), so the float vectors carry the
 * integer elements as well, NaN payloads are kept and nothing is raised. A vector's loads span
 * `step` whole vectors, up to step - 1 elements past its last lane, so the loop stops one
 * element early and the last LANES elements are one vector whose loads end at the last
 * element. Contiguous copies are memcpy; other strides, short rows and strided destinations
 * take the portable loop.
 */
#include <string.h>

#include "simd_fill.h"
#include "simd_vec.h"

enum { MAX_STEP = 4 };

#define DEFINE_COPY(sfx, T, portable_from, portable_to)                                            \
    static void copy_##sfx(const char *src, int64_t ss, char *dst, int64_t ds, int64_t n)          \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const int64_t size = sizeof(T);                                                            \
        int64_t step = ss / size;                                                                  \
        const T *in = (const T *)src;                                                              \
        T *out = (T *)dst;                                                                         \
        if (ds == size && ss == size) {                                                            \
            memcpy(dst, src, (size_t)(n * size));                                                  \
            return;                                                                                \
        }                                                                                          \
        if (ds == size && ss == -size && n >= LANES) {                                             \
            /* Element i is in[-i]: vectors ending at in[-i], lanes turned around. */              \
            int64_t i = 0;                                                                         \
            for (; i + LANES <= n; i += LANES) {                                                   \
                vec_store(out + i, vec_reversed(vec_load(in - i - (LANES - 1))));                  \
            }                                                                                      \
            if (i < n) {                                                                           \
                vec_store(out + n - LANES, vec_reversed(vec_load(in - (n - 1))));                  \
            }                                                                                      \
            return;                                                                                \
        }                                                                                          \
        if (ds != size || ss % size != 0 || step < 2 || step > MAX_STEP || n <= LANES) {           \
            rp_portable_cast(portable_from, portable_to)(src, ss, dst, ds, n);                     \
            return;                                                                                \
        }                                                                                          \
        const int s = (int)step;                                                                   \
        int64_t i = 0;                                                                             \
        for (; i + LANES < n; i += LANES) {                                                        \
            vec_store(out + i, vec_load_every(in + i * step, s, 0));                               \
        }                                                                                          \
        const T *window = in + (n - 1) * step - (int64_t)(LANES - 1) * step - (step - 1);          \
        vec_store(out + n - LANES, vec_load_every(window, s, s - 1));                              \
    }
DEFINE_COPY(f64, double, RP_FLOAT64, RP_FLOAT64)
DEFINE_COPY(f32, float, RP_FLOAT32, RP_FLOAT32)
DEFINE_COPY(i64, double, RP_INT64, RP_INT64)
DEFINE_COPY(i32, float, RP_INT32, RP_INT32)

void RP_SIMD_FN(rp_simd_fill_copy)(rp_kernel_table *table)
{
    table->cast[RP_FLOAT64][RP_FLOAT64] = copy_f64;
    table->cast[RP_FLOAT32][RP_FLOAT32] = copy_f32;
    table->cast[RP_INT64][RP_INT64] = copy_i64;
    table->cast[RP_INT32][RP_INT32] = copy_i32;
}
