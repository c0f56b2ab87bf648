/*
 * unary.c — portable one-input kernels: negative, absolute, isnan, isfinite, logical_not,
 * invert and sqrt.
 *
 * Integer negative/absolute wrap (abs(INT_MIN) == INT_MIN, as NumPy gives) through unsigned
 * arithmetic. isnan/isfinite on bool and integers are constant, as in NumPy. sqrt exists for
 * floats only; the type resolution runs integers through float64.
 */
#include <math.h>

#include "loops.h"

#define NEGATE(x) (-(x))
#define NEGATE_WRAP32(x) ((rp_i32)(0u - (uint32_t)(x)))
#define NEGATE_WRAP64(x) ((rp_i64)(0u - (uint64_t)(x)))
#define IDENTITY(x) (x)
#define ABS_WRAP32(x) ((x) < 0 ? NEGATE_WRAP32(x) : (x))
#define ABS_WRAP64(x) ((x) < 0 ? NEGATE_WRAP64(x) : (x))
#define ABS_F32(x) fabsf(x)
#define ABS_F64(x) fabs(x)
#define ALWAYS_FALSE(x) ((rp_b8)((void)(x), 0))
#define ALWAYS_TRUE(x) ((rp_b8)((void)(x), 1))
#define IS_NAN(x) ((rp_b8)(isnan(x) != 0))
#define IS_FINITE(x) ((rp_b8)(isfinite(x) != 0))
#define LOGICAL_NOT(x) ((rp_b8)((x) == 0))
#define BIT_NOT(x) (~(x))
#define SQRT_F32(x) sqrtf(x)
#define SQRT_F64(x) sqrt(x)

DEFINE_UNARY_LOOP(negative_i32, i32, i32, NEGATE_WRAP32)
DEFINE_UNARY_LOOP(negative_i64, i64, i64, NEGATE_WRAP64)
DEFINE_UNARY_LOOP(negative_f32, f32, f32, NEGATE)
DEFINE_UNARY_LOOP(negative_f64, f64, f64, NEGATE)

DEFINE_UNARY_LOOP(absolute_b8, b8, b8, IDENTITY)
DEFINE_UNARY_LOOP(absolute_i32, i32, i32, ABS_WRAP32)
DEFINE_UNARY_LOOP(absolute_i64, i64, i64, ABS_WRAP64)
DEFINE_UNARY_LOOP(absolute_f32, f32, f32, ABS_F32)
DEFINE_UNARY_LOOP(absolute_f64, f64, f64, ABS_F64)

DEFINE_UNARY_LOOP(isnan_b8, b8, b8, ALWAYS_FALSE)
DEFINE_UNARY_LOOP(isnan_i32, i32, b8, ALWAYS_FALSE)
DEFINE_UNARY_LOOP(isnan_i64, i64, b8, ALWAYS_FALSE)
DEFINE_UNARY_LOOP(isnan_f32, f32, b8, IS_NAN)
DEFINE_UNARY_LOOP(isnan_f64, f64, b8, IS_NAN)

DEFINE_UNARY_LOOP(isfinite_b8, b8, b8, ALWAYS_TRUE)
DEFINE_UNARY_LOOP(isfinite_i32, i32, b8, ALWAYS_TRUE)
DEFINE_UNARY_LOOP(isfinite_i64, i64, b8, ALWAYS_TRUE)
DEFINE_UNARY_LOOP(isfinite_f32, f32, b8, IS_FINITE)
DEFINE_UNARY_LOOP(isfinite_f64, f64, b8, IS_FINITE)

DEFINE_UNARY_LOOP(logical_not_b8, b8, b8, LOGICAL_NOT)
DEFINE_UNARY_LOOP(logical_not_i32, i32, b8, LOGICAL_NOT)
DEFINE_UNARY_LOOP(logical_not_i64, i64, b8, LOGICAL_NOT)
DEFINE_UNARY_LOOP(logical_not_f32, f32, b8, LOGICAL_NOT)
DEFINE_UNARY_LOOP(logical_not_f64, f64, b8, LOGICAL_NOT)

DEFINE_UNARY_LOOP(invert_i32, i32, i32, BIT_NOT)
DEFINE_UNARY_LOOP(invert_i64, i64, i64, BIT_NOT)

DEFINE_UNARY_LOOP(sqrt_f32, f32, f32, SQRT_F32)
DEFINE_UNARY_LOOP(sqrt_f64, f64, f64, SQRT_F64)

void RP_PORTABLE_FN(rp_kernels_fill_scalar_unary)(rp_kernel_table *table)
{
    static const rp_unary_loop loops[RP_NUNARY_OPS][RP_NTYPES] = {
        [RP_UN_NEGATIVE] = {NULL, negative_i32, negative_i64, negative_f32, negative_f64},
        [RP_UN_ABSOLUTE] = {absolute_b8, absolute_i32, absolute_i64, absolute_f32, absolute_f64},
        [RP_UN_ISNAN] = {isnan_b8, isnan_i32, isnan_i64, isnan_f32, isnan_f64},
        [RP_UN_ISFINITE] = {isfinite_b8, isfinite_i32, isfinite_i64, isfinite_f32, isfinite_f64},
        [RP_UN_LOGICAL_NOT] = {logical_not_b8, logical_not_i32, logical_not_i64, logical_not_f32,
                               logical_not_f64},
        /* Inverting a bool is logical not, as NumPy's ~ on bool arrays. */
        [RP_UN_INVERT] = {logical_not_b8, invert_i32, invert_i64, NULL, NULL},
        [RP_UN_SQRT] = {NULL, NULL, NULL, sqrt_f32, sqrt_f64},
    };
    memcpy(table->unary, loops, sizeof loops);
}
