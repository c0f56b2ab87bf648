/*
 * simd_binary.c — add and multiply on float32/float64 with the target's vectors.
 *
 * Compiled once per target (see simd_vec.h). Covers the layouts the elementwise driver hands
 * to its inner loop in the hot cases, all with a contiguous output: contiguous inputs, one
 * input a broadcast scalar (stride 0), in-place (out == a or out == b: each vector is loaded
 * before its own store), and inputs read every 2nd to 4th element (a[::2], a[:, ::2]: one
 * input strided and the other contiguous, broadcast or strided alike), whose vectors are
 * gathered from whole vectors by shuffles, so no element is computed that the scalar loop would
 * skip. Both ops commute exactly in IEEE arithmetic, so the inputs may swap sides. Anything else
 * runs the plain strided loop, as the portable kernel would. Vectors never change results:
 * each lane does the same single IEEE operation as the scalar loop, and raises what it would
 * (idle or skipped elements never enter an operation). With the caller's
 * RP_LOOP_STREAM_OUTPUT hint, contiguous outputs are written with non-temporal stores, which
 * skip reading the destination lines into the cache first (a third of the memory traffic of a
 * large out-of-cache operation). Each function is written once and instantiated for float64
 * and float32 (suffix, element type, vector type); the vec_* operations take their type from
 * their arguments.
 */
#include <stdbool.h>

#include "simd_fill.h"
#include "simd_vec.h"

typedef enum { OP_ADD, OP_MULTIPLY } arith_op;

/* Each table entry gets its own copy of the loops for every combination of operand steps, the
 * steps constants there: a loop left out of line would test them at every vector. */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

enum { UNROLL = 4 }; /* independent vectors in flight per iteration */

/* The operation on whole vectors and on single elements. */
#define DEFINE_APPLY(sfx, T, V)                                                                    \
    static inline V apply_v##sfx(arith_op op, V x, V y)                                            \
    {                                                                                              \
        return op == OP_ADD ? vec_add(x, y) : vec_mul(x, y);                                       \
    }                                                                                              \
    static inline T apply_##sfx(arith_op op, T x, T y)                                             \
    {                                                                                              \
        return op == OP_ADD ? x + y : x * y;                                                       \
    }
DEFINE_APPLY(f64, double, vf64)
DEFINE_APPLY(f32, float, vf32)

/* The steps (in elements) at which the vector loops read an input: 0 a broadcast scalar, 1
 * contiguous, 2..MAX_STEP every step-th element, MAX_STEP_BYTES apart at most. A strided vector
 * costs `step` loads and step - 1 shuffles. Measured against the scalar loop (AVX2 and AVX-512
 * on Zen 5, rows of 256 to 1024 elements from L1, L2 and L3): 1.1x to 9x faster within these
 * limits; two float64 inputs 4 apart ran slower with AVX2, 5 or more apart slower with AVX-512;
 * gather instructions were slower than the scalar loop at every step, so they are not used. */
enum { MAX_STEP = 4, MAX_STEP_BYTES = 24 };

/* The step of a byte stride for elements of `size` bytes, or -1 where the vector loops do not
 * apply (negative, not a whole number of elements, or too wide). */
static inline int step_of(int64_t stride, int64_t size)
{
    if (stride == 0 || stride == size) {
        return stride == 0 ? 0 : 1;
    }
    if (stride > size && stride % size == 0 && stride / size <= MAX_STEP &&
        stride <= MAX_STEP_BYTES) {
        return (int)(stride / size);
    }
    return -1;
}

/* The lanes of an input read at `step` (0: `broadcast`): those from *p on; those ending at
 * *last, whose loads end there too; the first `count` (<= LANES) from *p on with `fill` in the
 * others, reading only those elements. */
#define DEFINE_LANES(sfx, T, V)                                                                    \
    static ALWAYS_INLINE V lanes_from_##sfx(const T *p, int step, V broadcast)                     \
    {                                                                                              \
        return step == 0 ? broadcast : step == 1 ? vec_load(p) : vec_load_every(p, step, 0);       \
    }                                                                                              \
    static ALWAYS_INLINE V lanes_ending_##sfx(const T *last, int step, V broadcast)                \
    {                                                                                              \
        const T *window = last - (int64_t)VEC_LANES(T) * step + 1;                                 \
        return step == 0 ? broadcast                                                               \
               : step == 1 ? vec_load(window)                                                      \
                           : vec_load_every(window, step, step - 1);                               \
    }                                                                                              \
    static ALWAYS_INLINE V lanes_first_##sfx(const T *p, int step, int64_t count, V broadcast,     \
                                             T fill)                                               \
    {                                                                                              \
        return step == 0 ? broadcast : vec_load_every_partial(p, step, count, fill);               \
    }
DEFINE_LANES(f64, double, vf64)
DEFINE_LANES(f32, float, vf32)

/* out[i] = a[i * step_a] op b[i * step_b] for a contiguous out: step_a is 1 or a stride, step_b
 * 0 (b's element is `broadcast`), 1, or step_a. `stream` writes whole vectors with non-temporal
 * stores (out aligned to VECTOR_BYTES).
 * A strided vector's loads reach step - 1 elements past its last lane, so with a strided input
 * the vectors stop one element early, and the last LANES elements are one vector whose loads
 * end at the last element (recomputing a few: the same values, the same floating-point
 * conditions), computed before anything is stored since out may be b's own memory (in-place).
 * Fewer than LANES elements are one partial vector whose idle lanes compute -0.0 + y or 1.0 * y
 * (y: 0, that same value, or b's broadcast element), exact and raising nothing an element does
 * not. Never a scalar loop over strided elements: compilers may vectorize one with skipped
 * elements in the spare lanes of a wider operation (gcc 12 does), raising their flags. Strided
 * loops are not unrolled: that gained nothing there, and would double their code. */
#define DEFINE_RUN(sfx, T, V)                                                                      \
    static ALWAYS_INLINE void run_##sfx(arith_op op, const T *a, int step_a, const T *b,           \
                                        int step_b, V broadcast, T *out, int64_t n, bool stream)   \
    {                                                                                              \
        enum { LANES = VEC_LANES(T) };                                                             \
        const bool strided = step_a > 1;                                                           \
        if (strided && n <= LANES) {                                                               \
            if (n > 0) {                                                                           \
                T neutral = op == OP_ADD ? (T)-0.0 : (T)1.0;                                       \
                V x = lanes_first_##sfx(a, step_a, n, broadcast, neutral);                         \
                V y = step_b == 1 ? vec_load_partial(b, n)                                         \
                                  : lanes_first_##sfx(b, step_b, n, broadcast, neutral);           \
                vec_store_partial(out, apply_v##sfx(op, x, y), n);                                 \
            }                                                                                      \
            return;                                                                                \
        }                                                                                          \
        const int64_t end = strided ? n - 1 : n;                                                   \
        V last = broadcast;                                                                        \
        if (strided) {                                                                             \
            last = apply_v##sfx(op, lanes_ending_##sfx(a + (n - 1) * step_a, step_a, broadcast),   \
                                lanes_ending_##sfx(b + (n - 1) * step_b, step_b, broadcast));      \
        }                                                                                          \
        int64_t i = 0;                                                                             \
        for (; !strided && i + UNROLL * LANES <= end; i += UNROLL * LANES) {                       \
            for (int k = 0; k < UNROLL; k++) {                                                     \
                int64_t j = i + k * LANES;                                                         \
                V y = lanes_from_##sfx(b + j * step_b, step_b, broadcast);                         \
                V r = apply_v##sfx(op, vec_load(a + j), y);                                        \
                if (stream) {                                                                      \
                    vec_stream(out + j, r);                                                        \
                } else {                                                                           \
                    vec_store(out + j, r);                                                         \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (; i + LANES <= end; i += LANES) {                                                     \
            V r = apply_v##sfx(op, lanes_from_##sfx(a + i * step_a, step_a, broadcast),            \
                               lanes_from_##sfx(b + i * step_b, step_b, broadcast));               \
            if (stream) {                                                                          \
                vec_stream(out + i, r);                                                            \
            } else {                                                                               \
                vec_store(out + i, r);                                                             \
            }                                                                                      \
        }                                                                                          \
        if (strided) {                                                                             \
            vec_store(out + n - LANES, last);                                                      \
            return;                                                                                \
        }                                                                                          \
        /* The last elements one by one: a partial vector's idle lanes would compute 0 * inf       \
         * for a broadcast infinity and raise an invalid-operation flag no element raised. */      \
        for (; i < n; i++) {                                                                       \
            T x, y, r;                                                                             \
            memcpy(&x, a + i, sizeof x);                                                           \
            memcpy(&y, b + i * step_b, sizeof y);                                                  \
            r = apply_##sfx(op, x, y);                                                             \
            memcpy(out + i, &r, sizeof r);                                                         \
        }                                                                                          \
    }
DEFINE_RUN(f64, double, vf64)
DEFINE_RUN(f32, float, vf32)

/* run_ over a whole contiguous output: streaming (when asked and possible) from the first
 * vector-aligned output element on, plain stores before it. */
#define DEFINE_TO_CONTIGUOUS(sfx, T, V)                                                            \
    static ALWAYS_INLINE void to_contiguous_##sfx(arith_op op, const T *a, int step_a,             \
                                                  const T *b, int step_b, T *out, int64_t n,       \
                                                  bool stream)                                     \
    {                                                                                              \
        T b0 = 0;                                                                                  \
        if (step_b == 0) {                                                                         \
            memcpy(&b0, b, sizeof b0);                                                             \
        }                                                                                          \
        const V broadcast = vec_set1(b0);                                                          \
        uintptr_t address = (uintptr_t)out;                                                        \
        if (!HAS_STREAM || !stream || address % sizeof(T) != 0) {                                  \
            run_##sfx(op, a, step_a, b, step_b, broadcast, out, n, false);                         \
            return;                                                                                \
        }                                                                                          \
        uintptr_t misalignment = address % VECTOR_BYTES;                                           \
        int64_t head =                                                                             \
            misalignment == 0 ? 0 : (int64_t)((VECTOR_BYTES - misalignment) / sizeof(T));          \
        head = head < n ? head : n;                                                                \
        run_##sfx(op, a, step_a, b, step_b, broadcast, out, head, false);                          \
        run_##sfx(op, a + head * step_a, step_a, b + head * step_b, step_b, broadcast, out + head, \
                  n - head, true);                                                                 \
        stream_fence();                                                                            \
    }
DEFINE_TO_CONTIGUOUS(f64, double, vf64)
DEFINE_TO_CONTIGUOUS(f32, float, vf32)

/* to_contiguous_ for a's step `step`, a constant at each call below, and b's 0, 1 or the same:
 * each combination compiles to its own loop (none where step is beyond MAX_STEP_BYTES). */
#define DEFINE_WITH_STEP(sfx, T)                                                                   \
    static ALWAYS_INLINE void with_step_##sfx(arith_op op, const T *a, const int step,             \
                                              const T *b, int step_b, T *out, int64_t n,           \
                                              bool stream)                                         \
    {                                                                                              \
        if (step * (int)sizeof(T) > MAX_STEP_BYTES) {                                              \
            return;                                                                                \
        }                                                                                          \
        if (step_b == 0) {                                                                         \
            to_contiguous_##sfx(op, a, step, b, 0, out, n, stream);                                \
        } else if (step_b == 1) {                                                                  \
            to_contiguous_##sfx(op, a, step, b, 1, out, n, stream);                                \
        } else if (step > 1) {                                                                     \
            to_contiguous_##sfx(op, a, step, b, step, out, n, stream);                             \
        }                                                                                          \
    }
DEFINE_WITH_STEP(f64, double)
DEFINE_WITH_STEP(f32, float)

#define DEFINE_STRIDED(sfx, T)                                                                     \
    static inline void strided_##sfx(arith_op op, const char *a, int64_t sa, const char *b,        \
                                     int64_t sb, char *out, int64_t so, int64_t n)                 \
    {                                                                                              \
        for (int64_t i = 0; i < n; i++) {                                                          \
            T x, y;                                                                                \
            memcpy(&x, a + i * sa, sizeof x);                                                      \
            memcpy(&y, b + i * sb, sizeof y);                                                      \
            T r = apply_##sfx(op, x, y);                                                           \
            memcpy(out + i * so, &r, sizeof r);                                                    \
        }                                                                                          \
    }
DEFINE_STRIDED(f64, double)
DEFINE_STRIDED(f32, float)

/* Picks the loop for the operands' layout: the vector loops when the output is contiguous, each
 * input's step is in their range (step_of), not both are broadcast, and two strided inputs share
 * their step; the plain strided loop otherwise. The input with the larger step goes first: both
 * operations commute, values and floating-point conditions alike (of two NaN operands either
 * may come back, as from compiled scalar code). */
#define DEFINE_BINARY(sfx, T)                                                                      \
    static ALWAYS_INLINE void binary_##sfx(arith_op op, const char *a, int64_t sa, const char *b,  \
                                           int64_t sb, char *out, int64_t so, int64_t n,           \
                                           const int *flags)                                       \
    {                                                                                              \
        const int64_t size = sizeof(T);                                                            \
        const bool stream = flags != NULL && (*flags & RP_LOOP_STREAM_OUTPUT);                     \
        if (n < VEC_LANES(T)) {                                                                    \
            /* Shorter than a vector (rows of a narrow slice): the vector loops would end in a \
             * scalar loop anyway, after choosing among themselves. */                         \
            strided_##sfx(op, a, sa, b, sb, out, so, n);                                           \
            return;                                                                                \
        }                                                                                          \
        const int step_a = step_of(sa, size), step_b = step_of(sb, size);                          \
        if (so != size || step_a < 0 || step_b < 0 || (step_a == 0 && step_b == 0) ||              \
            (step_a > 1 && step_b > 1 && step_a != step_b)) {                                      \
            strided_##sfx(op, a, sa, b, sb, out, so, n);                                           \
            return;                                                                                \
        }                                                                                          \
        const bool swap = step_b > step_a;                                                         \
        const T *x = (const T *)(swap ? b : a), *y = (const T *)(swap ? a : b);                    \
        const int step_x = swap ? step_b : step_a, step_y = swap ? step_a : step_b;                \
        switch (step_x) {                                                                          \
        case 1:                                                                                    \
            with_step_##sfx(op, x, 1, y, step_y, (T *)out, n, stream);                             \
            break;                                                                                 \
        case 2:                                                                                    \
            with_step_##sfx(op, x, 2, y, step_y, (T *)out, n, stream);                             \
            break;                                                                                 \
        case 3:                                                                                    \
            with_step_##sfx(op, x, 3, y, step_y, (T *)out, n, stream);                             \
            break;                                                                                 \
        default:                                                                                   \
            with_step_##sfx(op, x, MAX_STEP, y, step_y, (T *)out, n, stream);                      \
            break;                                                                                 \
        }                                                                                          \
    }
DEFINE_BINARY(f64, double)
DEFINE_BINARY(f32, float)

/* The table's entries: name_sfx does operation `op` on that dtype. */
#define DEFINE_ENTRY(name, op, sfx)                                                                \
    static void name##_##sfx(const char *a, int64_t sa, const char *b, int64_t sb, char *out,      \
                             int64_t so, int64_t n, int *flags)                                    \
    {                                                                                              \
        binary_##sfx(op, a, sa, b, sb, out, so, n, flags);                                         \
    }
DEFINE_ENTRY(add, OP_ADD, f64)
DEFINE_ENTRY(multiply, OP_MULTIPLY, f64)
DEFINE_ENTRY(add, OP_ADD, f32)
DEFINE_ENTRY(multiply, OP_MULTIPLY, f32)

void RP_SIMD_FN(rp_simd_fill_binary)(rp_kernel_table *table)
{
    table->binary[RP_BIN_ADD][RP_FLOAT32] = add_f32;
    table->binary[RP_BIN_ADD][RP_FLOAT64] = add_f64;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT32] = multiply_f32;
    table->binary[RP_BIN_MULTIPLY][RP_FLOAT64] = multiply_f64;
    /* step_of's limits: at most MAX_STEP elements and MAX_STEP_BYTES bytes. */
    const int64_t f32_bytes = MAX_STEP * 4 < MAX_STEP_BYTES ? MAX_STEP * 4 : MAX_STEP_BYTES;
    const int64_t f64_bytes = MAX_STEP_BYTES / 8 * 8;
    table->binary_step_bytes[RP_BIN_ADD][RP_FLOAT32] = f32_bytes;
    table->binary_step_bytes[RP_BIN_ADD][RP_FLOAT64] = f64_bytes;
    table->binary_step_bytes[RP_BIN_MULTIPLY][RP_FLOAT32] = f32_bytes;
    table->binary_step_bytes[RP_BIN_MULTIPLY][RP_FLOAT64] = f64_bytes;
}
