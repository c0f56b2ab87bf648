/*
 * cast.c — conversion loops between every pair of dtypes.
 *
 * Follows NumPy's unsafe casting: float -> int truncates toward zero, and a NaN or out-of-range
 * float becomes the integer minimum (what x86 produces), computed here without undefined
 * behaviour and with the floating-point "invalid" flag raised explicitly, as x86's conversion
 * does, so callers can warn as NumPy does on every target. float64 -> float32 overflow raises the
 * "overflow" flag by itself. Anything -> bool is "!= 0" (so NaN is True).
 */
#include <fenv.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "kernels.h"

static inline int64_t float_to_int64(double v)
{
    /* 2^63 is exactly representable; anything at or past it (or NaN) has no int64 value. */
    if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) {
        feraiseexcept(FE_INVALID);
        return INT64_MIN;
    }
    return (int64_t)v;
}

static inline int32_t float_to_int32(double v)
{
    if (!(v > -2147483649.0 && v < 2147483648.0)) {
        feraiseexcept(FE_INVALID);
        return INT32_MIN;
    }
    return (int32_t)v;
}

/* Each loop is one instantiation of the same shape: load, convert, store. The loads and stores go
 * through memcpy so unaligned views (from foreign buffers) are safe. Contiguous operands get a
 * loop of their own with the steps as constants, which the compiler vectorises (with runtime
 * steps it would not, and a float32 -> float64 astype ran at half NumPy's speed). */
#define DEFINE_CAST(NAME, SRC_T, DST_T, CONVERT)                                                 \
    static void NAME(const char *src, int64_t ss, char *dst, int64_t ds, int64_t n)            \
    {                                                                                          \
        if (ss == (int64_t)sizeof(SRC_T) && ds == (int64_t)sizeof(DST_T)) {                    \
            for (int64_t i = 0; i < n; i++) {                                                  \
                SRC_T v;                                                                       \
                memcpy(&v, src + i * (int64_t)sizeof(SRC_T), sizeof v);                        \
                DST_T r = CONVERT(v);                                                          \
                memcpy(dst + i * (int64_t)sizeof(DST_T), &r, sizeof r);                        \
            }                                                                                  \
            return;                                                                            \
        }                                                                                      \
        for (int64_t i = 0; i < n; i++) {                                                      \
            SRC_T v;                                                                           \
            memcpy(&v, src + i * ss, sizeof v);                                                \
            DST_T r = CONVERT(v);                                                              \
            memcpy(dst + i * ds, &r, sizeof r);                                                \
        }                                                                                      \
    }

#define PLAIN(v) (v)
#define NONZERO(v) ((v) != 0)

DEFINE_CAST(cast_bool_bool, bool, bool, PLAIN)
DEFINE_CAST(cast_bool_i32, bool, int32_t, PLAIN)
DEFINE_CAST(cast_bool_i64, bool, int64_t, PLAIN)
DEFINE_CAST(cast_bool_f32, bool, float, PLAIN)
DEFINE_CAST(cast_bool_f64, bool, double, PLAIN)
DEFINE_CAST(cast_i32_bool, int32_t, bool, NONZERO)
DEFINE_CAST(cast_i32_i32, int32_t, int32_t, PLAIN)
DEFINE_CAST(cast_i32_i64, int32_t, int64_t, PLAIN)
DEFINE_CAST(cast_i32_f32, int32_t, float, PLAIN)
DEFINE_CAST(cast_i32_f64, int32_t, double, PLAIN)
DEFINE_CAST(cast_i64_bool, int64_t, bool, NONZERO)
DEFINE_CAST(cast_i64_i32, int64_t, int32_t, PLAIN)
DEFINE_CAST(cast_i64_i64, int64_t, int64_t, PLAIN)
DEFINE_CAST(cast_i64_f32, int64_t, float, PLAIN)
DEFINE_CAST(cast_i64_f64, int64_t, double, PLAIN)
DEFINE_CAST(cast_f32_bool, float, bool, NONZERO)
DEFINE_CAST(cast_f32_i32, float, int32_t, float_to_int32)
DEFINE_CAST(cast_f32_i64, float, int64_t, float_to_int64)
DEFINE_CAST(cast_f32_f32, float, float, PLAIN)
DEFINE_CAST(cast_f32_f64, float, double, PLAIN)
DEFINE_CAST(cast_f64_bool, double, bool, NONZERO)
DEFINE_CAST(cast_f64_i32, double, int32_t, float_to_int32)
DEFINE_CAST(cast_f64_i64, double, int64_t, float_to_int64)
DEFINE_CAST(cast_f64_f32, double, float, PLAIN)
DEFINE_CAST(cast_f64_f64, double, double, PLAIN)

static const rp_cast_loop casts[RP_NTYPES][RP_NTYPES] = {
    [RP_BOOL] = {cast_bool_bool, cast_bool_i32, cast_bool_i64, cast_bool_f32, cast_bool_f64},
    [RP_INT32] = {cast_i32_bool, cast_i32_i32, cast_i32_i64, cast_i32_f32, cast_i32_f64},
    [RP_INT64] = {cast_i64_bool, cast_i64_i32, cast_i64_i64, cast_i64_f32, cast_i64_f64},
    [RP_FLOAT32] = {cast_f32_bool, cast_f32_i32, cast_f32_i64, cast_f32_f32, cast_f32_f64},
    [RP_FLOAT64] = {cast_f64_bool, cast_f64_i32, cast_f64_i64, cast_f64_f32, cast_f64_f64},
};

#ifndef RP_WIDEN /* one of each: the plain compilation's */
rp_cast_loop rp_portable_cast(rp_dtype from, rp_dtype to) { return casts[from][to]; }
#endif

void RP_PORTABLE_FN(rp_kernels_fill_scalar)(rp_kernel_table *table)
{
    table->isa_name = "scalar";
    memcpy(table->cast, casts, sizeof casts);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_binary)(table);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_divmod)(table);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_compare)(table);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_unary)(table);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_reduce)(table);
    RP_PORTABLE_FN(rp_kernels_fill_scalar_colsum)(table);
}
