/*
 * promote.c — NumPy 2's type resolution for Raptors' five dtypes: which loop an operation runs
 * and what dtype it produces, Python scalars included (NEP 50), plus the ufunc names used in
 * messages.
 *
 * The rules in one place: array and typed-scalar dtypes promote with rp_dtype_promote; a weak
 * (Python) scalar adopts the other operand's dtype unless its kind is higher (then it brings the
 * default dtype of its kind: int64 or float64). Each op then maps the promoted dtype to its
 * loop: true division of integers runs in float64, comparisons and logical ops write bool, and
 * bool arithmetic that has no bool loop (floor_divide, remainder, power) runs in int32, the
 * smallest integer Raptors has (NumPy uses int8).
 */
#include "raptors/compute.h"

static const char *const binary_names[RP_NBINARY_OPS] = {
    [RP_BIN_ADD] = "add",
    [RP_BIN_SUBTRACT] = "subtract",
    [RP_BIN_MULTIPLY] = "multiply",
    [RP_BIN_DIVIDE] = "divide",
    [RP_BIN_FLOOR_DIVIDE] = "floor_divide",
    [RP_BIN_REMAINDER] = "remainder",
    [RP_BIN_POWER] = "power",
    [RP_BIN_MAXIMUM] = "maximum",
    [RP_BIN_MINIMUM] = "minimum",
    [RP_BIN_EQUAL] = "equal",
    [RP_BIN_NOT_EQUAL] = "not_equal",
    [RP_BIN_LESS] = "less",
    [RP_BIN_LESS_EQUAL] = "less_equal",
    [RP_BIN_GREATER] = "greater",
    [RP_BIN_GREATER_EQUAL] = "greater_equal",
    [RP_BIN_LOGICAL_AND] = "logical_and",
    [RP_BIN_LOGICAL_OR] = "logical_or",
    [RP_BIN_BITWISE_AND] = "bitwise_and",
    [RP_BIN_BITWISE_OR] = "bitwise_or",
    [RP_BIN_BITWISE_XOR] = "bitwise_xor",
};

static const char *const unary_names[RP_NUNARY_OPS] = {
    [RP_UN_NEGATIVE] = "negative",
    [RP_UN_ABSOLUTE] = "absolute",
    [RP_UN_ISNAN] = "isnan",
    [RP_UN_ISFINITE] = "isfinite",
    [RP_UN_LOGICAL_NOT] = "logical_not",
    [RP_UN_INVERT] = "invert",
    [RP_UN_SQRT] = "sqrt",
};

static const char *const reduction_names[RP_NREDUCTIONS] = {
    [RP_REDUCE_SUM] = "sum",
    [RP_REDUCE_PROD] = "prod",
    [RP_REDUCE_MIN] = "min",
    [RP_REDUCE_MAX] = "max",
    [RP_REDUCE_ARGMIN] = "argmin",
    [RP_REDUCE_ARGMAX] = "argmax",
    [RP_REDUCE_MEAN] = "mean",
    [RP_REDUCE_VAR] = "var",
    [RP_REDUCE_STD] = "std",
    [RP_REDUCE_ANY] = "any",
    [RP_REDUCE_ALL] = "all",
};

const char *rp_binary_op_name(rp_binary_op op)
{
    return (unsigned)op < RP_NBINARY_OPS ? binary_names[op] : "?";
}

const char *rp_unary_op_name(rp_unary_op op)
{
    return (unsigned)op < RP_NUNARY_OPS ? unary_names[op] : "?";
}

const char *rp_reduction_name(rp_reduction op)
{
    return (unsigned)op < RP_NREDUCTIONS ? reduction_names[op] : "?";
}

/* 0 bool, 1 integer, 2 float: the order NEP 50 compares weak scalars by. */
static int kind_of(rp_dtype dtype)
{
    return rp_dtype_is_float(dtype) ? 2 : rp_dtype_is_integer(dtype) ? 1 : 0;
}

bool rp_can_cast_same_kind(rp_dtype from, rp_dtype to) { return kind_of(from) <= kind_of(to); }

static bool is_comparison(rp_binary_op op)
{
    return op >= RP_BIN_EQUAL && op <= RP_BIN_GREATER_EQUAL;
}

/* Ops whose answer for a Python int that does not fit the array's integer type NumPy 2 still
 * computes (in a wider loop: int64, or float64 for true division) instead of raising. */
static bool takes_any_python_int(rp_binary_op op)
{
    return is_comparison(op) || op == RP_BIN_LOGICAL_AND || op == RP_BIN_LOGICAL_OR ||
           op == RP_BIN_DIVIDE;
}

static rp_dtype operand_dtype_alone(const rp_operand *operand)
{
    return operand->array != NULL ? operand->array->dtype : operand->scalar.dtype;
}

/* The dtype `self` contributes to the promotion next to `other`. */
static rp_status contributed_dtype(rp_binary_op op, const rp_operand *self,
                                   const rp_operand *other, rp_dtype *out)
{
    *out = operand_dtype_alone(self);
    bool other_weak = other->array == NULL && other->weak;
    if (self->array != NULL || !self->weak || other_weak) {
        return RP_OK;
    }
    rp_dtype other_dtype = operand_dtype_alone(other);
    if (kind_of(self->scalar.dtype) > kind_of(other_dtype)) {
        return RP_OK; /* bool array + 1 -> int64; int array + 1.5 -> float64 */
    }
    if (other_dtype == RP_INT32 && self->scalar.dtype == RP_INT64) {
        int64_t value = self->scalar.value.i64;
        if (value < INT32_MIN || value > INT32_MAX) {
            if (takes_any_python_int(op)) {
                return RP_OK; /* stays int64 */
            }
            return rp_error(RP_ERR_OUT_OF_RANGE, "Python integer %lld out of bounds for int32",
                            (long long)value);
        }
    }
    *out = other_dtype;
    return RP_OK;
}

static rp_status unsupported(const char *name)
{
    return rp_error(RP_ERR_TYPE,
                    "ufunc '%s' not supported for the input types, and the inputs could not be "
                    "safely coerced to any supported types according to the casting rule "
                    "''safe''",
                    name);
}

rp_status rp_binary_types_resolve(rp_binary_op op, const rp_operand *a, const rp_operand *b,
                                  rp_binary_types *out)
{
    if ((unsigned)op >= RP_NBINARY_OPS) {
        return rp_error(RP_ERR_VALUE, "invalid binary operation code %d", (int)op);
    }
    rp_dtype da, db;
    rp_status status = contributed_dtype(op, a, b, &da);
    if (status == RP_OK) {
        status = contributed_dtype(op, b, a, &db);
    }
    if (status != RP_OK) {
        return status;
    }
    rp_dtype promoted = rp_dtype_promote(da, db);
    rp_binary_types types = {.loop = promoted, .result = promoted};
    switch (op) {
    case RP_BIN_SUBTRACT:
        if (promoted == RP_BOOL) {
            return rp_error(RP_ERR_TYPE,
                            "numpy boolean subtract, the `-` operator, is not supported, use the "
                            "bitwise_xor, the `^` operator, or the logical_xor function instead.");
        }
        break;
    case RP_BIN_DIVIDE:
        if (!rp_dtype_is_float(promoted)) {
            types.loop = types.result = RP_FLOAT64;
        }
        break;
    case RP_BIN_FLOOR_DIVIDE:
    case RP_BIN_REMAINDER:
    case RP_BIN_POWER:
        if (promoted == RP_BOOL) {
            types.loop = types.result = RP_INT32;
        }
        break;
    case RP_BIN_BITWISE_AND:
    case RP_BIN_BITWISE_OR:
    case RP_BIN_BITWISE_XOR:
        if (rp_dtype_is_float(promoted)) {
            return unsupported(binary_names[op]);
        }
        break;
    default:
        if (is_comparison(op) || op == RP_BIN_LOGICAL_AND || op == RP_BIN_LOGICAL_OR) {
            types.result = RP_BOOL;
        }
        break;
    }
    *out = types;
    return RP_OK;
}

rp_status rp_unary_types_resolve(rp_unary_op op, rp_dtype dtype, rp_binary_types *out)
{
    if ((unsigned)op >= RP_NUNARY_OPS || (unsigned)dtype >= RP_NTYPES) {
        return rp_error(RP_ERR_VALUE, "invalid unary operation %d on dtype %d", (int)op,
                        (int)dtype);
    }
    rp_binary_types types = {.loop = dtype, .result = dtype};
    switch (op) {
    case RP_UN_NEGATIVE:
        if (dtype == RP_BOOL) {
            return rp_error(RP_ERR_TYPE,
                            "The numpy boolean negative, the `-` operator, is not supported, use "
                            "the `~` operator or the logical_not function instead.");
        }
        break;
    case RP_UN_INVERT:
        if (rp_dtype_is_float(dtype)) {
            return unsupported(unary_names[op]);
        }
        break;
    case RP_UN_ISNAN:
    case RP_UN_ISFINITE:
    case RP_UN_LOGICAL_NOT:
        types.result = RP_BOOL;
        break;
    case RP_UN_SQRT:
        if (!rp_dtype_is_float(dtype)) {
            types.loop = types.result = dtype == RP_BOOL ? RP_FLOAT32 : RP_FLOAT64;
        }
        break;
    default:
        break;
    }
    *out = types;
    return RP_OK;
}
