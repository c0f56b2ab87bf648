/*
 * divmod.c — portable floor_divide, remainder and integer power kernels.
 *
 * Python's rules, as NumPy follows them: the quotient rounds toward minus infinity and the
 * remainder takes the sign of the divisor. Integer division by zero gives 0 and raises
 * RP_LOOP_DIVIDE_BY_ZERO; INT_MIN // -1 gives INT_MIN and raises RP_LOOP_OVERFLOW, computed
 * without the trapping (undefined) C division. Float versions derive quotient and remainder
 * from fmod so that q * b + r reproduces a as closely as rounding allows, and only raise the FP
 * flags NumPy reports (division by zero, or invalid for 0/0, inf and NaN operands).
 */
#include <math.h>

#include "loops.h"

#define DEFINE_INT_DIVMOD(SUFFIX, MIN)                                                           \
    static inline rp_##SUFFIX floor_divide_##SUFFIX(rp_##SUFFIX a, rp_##SUFFIX b, int *raised)   \
    {                                                                                            \
        if (b == 0) {                                                                            \
            *raised |= RP_LOOP_DIVIDE_BY_ZERO;                                                   \
            return 0;                                                                            \
        }                                                                                        \
        if (b == -1) {                                                                           \
            if (a == MIN) {                                                                      \
                *raised |= RP_LOOP_OVERFLOW;                                                     \
                return MIN;                                                                      \
            }                                                                                    \
            return -a;                                                                           \
        }                                                                                        \
        rp_##SUFFIX q = a / b;                                                                   \
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;                                   \
    }                                                                                            \
    static inline rp_##SUFFIX remainder_##SUFFIX(rp_##SUFFIX a, rp_##SUFFIX b, int *raised)      \
    {                                                                                            \
        if (b == 0) {                                                                            \
            *raised |= RP_LOOP_DIVIDE_BY_ZERO;                                                   \
            return 0;                                                                            \
        }                                                                                        \
        if (b == -1) {                                                                           \
            return 0;                                                                            \
        }                                                                                        \
        rp_##SUFFIX r = a % b;                                                                   \
        return (r != 0 && (r < 0) != (b < 0)) ? r + b : r;                                       \
    }

DEFINE_INT_DIVMOD(i32, INT32_MIN)
DEFINE_INT_DIVMOD(i64, INT64_MIN)

/* Exponentiation by squaring in unsigned arithmetic, so overflow wraps as NumPy's does. A
 * negative exponent gives 0: the driver rejects those before any loop runs, as NumPy raises. */
#define DEFINE_INT_POWER(SUFFIX, UNSIGNED)                                                       \
    static inline rp_##SUFFIX power_##SUFFIX(rp_##SUFFIX base, rp_##SUFFIX exponent,             \
                                             int *raised)                                        \
    {                                                                                            \
        (void)raised;                                                                            \
        if (exponent < 0) {                                                                      \
            return 0;                                                                            \
        }                                                                                        \
        UNSIGNED result = 1, factor = (UNSIGNED)base, e = (UNSIGNED)exponent;                    \
        while (e != 0) {                                                                         \
            if (e & 1) {                                                                         \
                result *= factor;                                                                \
            }                                                                                    \
            factor *= factor;                                                                    \
            e >>= 1;                                                                             \
        }                                                                                        \
        return (rp_##SUFFIX)result;                                                              \
    }

DEFINE_INT_POWER(i32, uint32_t)
DEFINE_INT_POWER(i64, uint64_t)

/* Float floor division and remainder. isless/isgreater are the quiet comparisons: a NaN
 * operand must not raise "invalid" a second time. */
#define DEFINE_FLOAT_DIVMOD(SUFFIX, FMOD, FLOOR, COPYSIGN)                                       \
    static inline rp_##SUFFIX floor_divide_##SUFFIX(rp_##SUFFIX a, rp_##SUFFIX b, int *raised)   \
    {                                                                                            \
        (void)raised;                                                                            \
        if (b == 0) {                                                                            \
            return a / b;                                                                        \
        }                                                                                        \
        rp_##SUFFIX mod = FMOD(a, b);                                                            \
        rp_##SUFFIX div = (a - mod) / b;                                                         \
        if (mod != 0 && isless(b, 0) != isless(mod, 0)) {                                        \
            div -= 1;                                                                            \
        }                                                                                        \
        if (div == 0) {                                                                          \
            return COPYSIGN(0, a / b);                                                           \
        }                                                                                        \
        rp_##SUFFIX floored = FLOOR(div);                                                        \
        return isgreater(div - floored, (rp_##SUFFIX)0.5) ? floored + 1 : floored;               \
    }                                                                                            \
    static inline rp_##SUFFIX remainder_##SUFFIX(rp_##SUFFIX a, rp_##SUFFIX b, int *raised)      \
    {                                                                                            \
        (void)raised;                                                                            \
        rp_##SUFFIX mod = FMOD(a, b);                                                            \
        if (b == 0) {                                                                            \
            return mod;                                                                          \
        }                                                                                        \
        if (mod == 0) {                                                                          \
            return COPYSIGN(0, b);                                                               \
        }                                                                                        \
        return isless(b, 0) != isless(mod, 0) ? mod + b : mod;                                   \
    }

DEFINE_FLOAT_DIVMOD(f32, fmodf, floorf, copysignf)
DEFINE_FLOAT_DIVMOD(f64, fmod, floor, copysign)

DEFINE_BINARY_LOOP(floor_divide_loop_i32, i32, i32, floor_divide_i32)
DEFINE_BINARY_LOOP(floor_divide_loop_i64, i64, i64, floor_divide_i64)
DEFINE_BINARY_LOOP(floor_divide_loop_f32, f32, f32, floor_divide_f32)
DEFINE_BINARY_LOOP(floor_divide_loop_f64, f64, f64, floor_divide_f64)
DEFINE_BINARY_LOOP(remainder_loop_i32, i32, i32, remainder_i32)
DEFINE_BINARY_LOOP(remainder_loop_i64, i64, i64, remainder_i64)
DEFINE_BINARY_LOOP(remainder_loop_f32, f32, f32, remainder_f32)
DEFINE_BINARY_LOOP(remainder_loop_f64, f64, f64, remainder_f64)
DEFINE_BINARY_LOOP(power_loop_i32, i32, i32, power_i32)
DEFINE_BINARY_LOOP(power_loop_i64, i64, i64, power_i64)

void RP_PORTABLE_FN(rp_kernels_fill_scalar_divmod)(rp_kernel_table *table)
{
    table->binary[RP_BIN_FLOOR_DIVIDE][RP_INT32] = floor_divide_loop_i32;
    table->binary[RP_BIN_FLOOR_DIVIDE][RP_INT64] = floor_divide_loop_i64;
    table->binary[RP_BIN_FLOOR_DIVIDE][RP_FLOAT32] = floor_divide_loop_f32;
    table->binary[RP_BIN_FLOOR_DIVIDE][RP_FLOAT64] = floor_divide_loop_f64;
    table->binary[RP_BIN_REMAINDER][RP_INT32] = remainder_loop_i32;
    table->binary[RP_BIN_REMAINDER][RP_INT64] = remainder_loop_i64;
    table->binary[RP_BIN_REMAINDER][RP_FLOAT32] = remainder_loop_f32;
    table->binary[RP_BIN_REMAINDER][RP_FLOAT64] = remainder_loop_f64;
    table->binary[RP_BIN_POWER][RP_INT32] = power_loop_i32;
    table->binary[RP_BIN_POWER][RP_INT64] = power_loop_i64;
}
