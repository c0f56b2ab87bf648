/*
 * compare.c — portable comparison, logical and bitwise kernels.
 *
 * Comparisons and logical and/or read any dtype and write bool (a byte 0 or 1); any NaN
 * compares unequal and unordered, as in NumPy. Bitwise and/or/xor exist for bool and integers
 * only: the type resolution refuses floats before a loop is looked up.
 */
#include "loops.h"

#define EQUAL(x, y, raised) ((rp_b8)((x) == (y)))
#define NOT_EQUAL(x, y, raised) ((rp_b8)((x) != (y)))
#define LESS(x, y, raised) ((rp_b8)((x) < (y)))
#define LESS_EQUAL(x, y, raised) ((rp_b8)((x) <= (y)))
#define GREATER(x, y, raised) ((rp_b8)((x) > (y)))
#define GREATER_EQUAL(x, y, raised) ((rp_b8)((x) >= (y)))
#define LOGICAL_AND(x, y, raised) ((rp_b8)(((x) != 0) & ((y) != 0)))
#define LOGICAL_OR(x, y, raised) ((rp_b8)(((x) != 0) | ((y) != 0)))
#define BIT_AND(x, y, raised) ((x) & (y))
#define BIT_OR(x, y, raised) ((x) | (y))
#define BIT_XOR(x, y, raised) ((x) ^ (y))

/* Every dtype column of one bool-producing op. */
#define DEFINE_TO_BOOL_FAMILY(NAME, OP)                                                          \
    DEFINE_BINARY_LOOP(NAME##_b8, b8, b8, OP)                                                    \
    DEFINE_BINARY_LOOP(NAME##_i32, i32, b8, OP)                                                  \
    DEFINE_BINARY_LOOP(NAME##_i64, i64, b8, OP)                                                  \
    DEFINE_BINARY_LOOP(NAME##_f32, f32, b8, OP)                                                  \
    DEFINE_BINARY_LOOP(NAME##_f64, f64, b8, OP)

DEFINE_TO_BOOL_FAMILY(equal, EQUAL)
DEFINE_TO_BOOL_FAMILY(not_equal, NOT_EQUAL)
DEFINE_TO_BOOL_FAMILY(less, LESS)
DEFINE_TO_BOOL_FAMILY(less_equal, LESS_EQUAL)
DEFINE_TO_BOOL_FAMILY(greater, GREATER)
DEFINE_TO_BOOL_FAMILY(greater_equal, GREATER_EQUAL)
DEFINE_TO_BOOL_FAMILY(logical_and, LOGICAL_AND)
DEFINE_TO_BOOL_FAMILY(logical_or, LOGICAL_OR)

DEFINE_BINARY_LOOP(bitwise_and_b8, b8, b8, BIT_AND)
DEFINE_BINARY_LOOP(bitwise_and_i32, i32, i32, BIT_AND)
DEFINE_BINARY_LOOP(bitwise_and_i64, i64, i64, BIT_AND)
DEFINE_BINARY_LOOP(bitwise_or_b8, b8, b8, BIT_OR)
DEFINE_BINARY_LOOP(bitwise_or_i32, i32, i32, BIT_OR)
DEFINE_BINARY_LOOP(bitwise_or_i64, i64, i64, BIT_OR)
DEFINE_BINARY_LOOP(bitwise_xor_b8, b8, b8, BIT_XOR)
DEFINE_BINARY_LOOP(bitwise_xor_i32, i32, i32, BIT_XOR)
DEFINE_BINARY_LOOP(bitwise_xor_i64, i64, i64, BIT_XOR)

#define FAMILY(NAME) {NAME##_b8, NAME##_i32, NAME##_i64, NAME##_f32, NAME##_f64}

void RP_PORTABLE_FN(rp_kernels_fill_scalar_compare)(rp_kernel_table *table)
{
    static const struct {
        rp_binary_op op;
        rp_binary_loop loops[RP_NTYPES];
    } families[] = {
        {RP_BIN_EQUAL, FAMILY(equal)},
        {RP_BIN_NOT_EQUAL, FAMILY(not_equal)},
        {RP_BIN_LESS, FAMILY(less)},
        {RP_BIN_LESS_EQUAL, FAMILY(less_equal)},
        {RP_BIN_GREATER, FAMILY(greater)},
        {RP_BIN_GREATER_EQUAL, FAMILY(greater_equal)},
        {RP_BIN_LOGICAL_AND, FAMILY(logical_and)},
        {RP_BIN_LOGICAL_OR, FAMILY(logical_or)},
        {RP_BIN_BITWISE_AND, {bitwise_and_b8, bitwise_and_i32, bitwise_and_i64, NULL, NULL}},
        {RP_BIN_BITWISE_OR, {bitwise_or_b8, bitwise_or_i32, bitwise_or_i64, NULL, NULL}},
        {RP_BIN_BITWISE_XOR, {bitwise_xor_b8, bitwise_xor_i32, bitwise_xor_i64, NULL, NULL}},
    };
    for (size_t k = 0; k < sizeof families / sizeof families[0]; k++) {
        memcpy(table->binary[families[k].op], families[k].loops, sizeof families[k].loops);
    }
}
