/*
 * binary.c — portable arithmetic kernels: add, subtract, multiply, divide, maximum, minimum and
 * float power, one loop per (op, dtype) column of the kernel table.
 *
 * NumPy's semantics per dtype: integers wrap on overflow (done in unsigned arithmetic, so there
 * is no undefined behaviour), bool add/multiply are logical or/and, maximum/minimum propagate
 * NaN. Floor division, remainder and integer power live in divmod.c.
 */
#include <math.h>

#include "loops.h"

/* Element operations: (x, y, raised) -> result. `raised` is unused here: integer arithmetic
 * wraps silently in NumPy and float conditions come from the FP status flags. */
#define ADD(x, y, raised) ((x) + (y))
#define SUB(x, y, raised) ((x) - (y))
#define MUL(x, y, raised) ((x) * (y))
#define DIV(x, y, raised) ((x) / (y))
#define ADD_WRAP32(x, y, raised) ((rp_i32)((uint32_t)(x) + (uint32_t)(y)))
#define SUB_WRAP32(x, y, raised) ((rp_i32)((uint32_t)(x) - (uint32_t)(y)))
#define MUL_WRAP32(x, y, raised) ((rp_i32)((uint32_t)(x) * (uint32_t)(y)))
#define ADD_WRAP64(x, y, raised) ((rp_i64)((uint64_t)(x) + (uint64_t)(y)))
#define SUB_WRAP64(x, y, raised) ((rp_i64)((uint64_t)(x) - (uint64_t)(y)))
#define MUL_WRAP64(x, y, raised) ((rp_i64)((uint64_t)(x) * (uint64_t)(y)))
#define BOOL_OR(x, y, raised) ((rp_b8)(((x) | (y)) != 0))
#define BOOL_AND(x, y, raised) ((rp_b8)(((x) != 0) & ((y) != 0)))
/* NaN in either input wins; otherwise the larger (smaller) value, the second on ties (so
 * maximum(0.0, -0.0) is -0.0, as in NumPy). */
#define MAX_NAN(x, y, raised) (((x) > (y) || (x) != (x)) ? (x) : (y))
#define MIN_NAN(x, y, raised) (((x) < (y) || (x) != (x)) ? (x) : (y))
#define MAX_INT(x, y, raised) ((x) >= (y) ? (x) : (y))
#define MIN_INT(x, y, raised) ((x) <= (y) ? (x) : (y))
#define POW_F32(x, y, raised) powf((x), (y))
#define POW_F64(x, y, raised) pow((x), (y))

DEFINE_BINARY_LOOP(add_b8, b8, b8, BOOL_OR)
DEFINE_BINARY_LOOP(add_i32, i32, i32, ADD_WRAP32)
DEFINE_BINARY_LOOP(add_i64, i64, i64, ADD_WRAP64)
DEFINE_BINARY_LOOP(add_f32, f32, f32, ADD)
DEFINE_BINARY_LOOP(add_f64, f64, f64, ADD)

DEFINE_BINARY_LOOP(subtract_i32, i32, i32, SUB_WRAP32)
DEFINE_BINARY_LOOP(subtract_i64, i64, i64, SUB_WRAP64)
DEFINE_BINARY_LOOP(subtract_f32, f32, f32, SUB)
DEFINE_BINARY_LOOP(subtract_f64, f64, f64, SUB)

DEFINE_BINARY_LOOP(multiply_b8, b8, b8, BOOL_AND)
DEFINE_BINARY_LOOP(multiply_i32, i32, i32, MUL_WRAP32)
DEFINE_BINARY_LOOP(multiply_i64, i64, i64, MUL_WRAP64)
DEFINE_BINARY_LOOP(multiply_f32, f32, f32, MUL)
DEFINE_BINARY_LOOP(multiply_f64, f64, f64, MUL)

DEFINE_BINARY_LOOP(divide_f32, f32, f32, DIV)
DEFINE_BINARY_LOOP(divide_f64, f64, f64, DIV)

DEFINE_BINARY_LOOP(maximum_b8, b8, b8, BOOL_OR)
DEFINE_BINARY_LOOP(maximum_i32, i32, i32, MAX_INT)
DEFINE_BINARY_LOOP(maximum_i64, i64, i64, MAX_INT)
DEFINE_BINARY_LOOP(maximum_f32, f32, f32, MAX_NAN)
DEFINE_BINARY_LOOP(maximum_f64, f64, f64, MAX_NAN)

DEFINE_BINARY_LOOP(minimum_b8, b8, b8, BOOL_AND)
DEFINE_BINARY_LOOP(minimum_i32, i32, i32, MIN_INT)
DEFINE_BINARY_LOOP(minimum_i64, i64, i64, MIN_INT)
DEFINE_BINARY_LOOP(minimum_f32, f32, f32, MIN_NAN)
DEFINE_BINARY_LOOP(minimum_f64, f64, f64, MIN_NAN)

DEFINE_BINARY_LOOP(power_f32, f32, f32, POW_F32)
DEFINE_BINARY_LOOP(power_f64, f64, f64, POW_F64)

void RP_PORTABLE_FN(rp_kernels_fill_scalar_binary)(rp_kernel_table *table)
{
    static const rp_binary_loop loops[][RP_NTYPES] = {
        [RP_BIN_ADD] = {add_b8, add_i32, add_i64, add_f32, add_f64},
        [RP_BIN_SUBTRACT] = {NULL, subtract_i32, subtract_i64, subtract_f32, subtract_f64},
        [RP_BIN_MULTIPLY] = {multiply_b8, multiply_i32, multiply_i64, multiply_f32, multiply_f64},
        [RP_BIN_DIVIDE] = {NULL, NULL, NULL, divide_f32, divide_f64},
        [RP_BIN_MAXIMUM] = {maximum_b8, maximum_i32, maximum_i64, maximum_f32, maximum_f64},
        [RP_BIN_MINIMUM] = {minimum_b8, minimum_i32, minimum_i64, minimum_f32, minimum_f64},
    };
    static const rp_binary_op ops[] = {RP_BIN_ADD,     RP_BIN_SUBTRACT, RP_BIN_MULTIPLY,
                                       RP_BIN_DIVIDE,  RP_BIN_MAXIMUM,  RP_BIN_MINIMUM};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        memcpy(table->binary[ops[k]], loops[ops[k]], sizeof loops[0]);
    }
    table->binary[RP_BIN_POWER][RP_FLOAT32] = power_f32;
    table->binary[RP_BIN_POWER][RP_FLOAT64] = power_f64;
}
