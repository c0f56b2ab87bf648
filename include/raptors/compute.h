/*
 * compute.h — the public C API for computing on Raptors arrays: elementwise operations with
 * broadcasting, reductions, and NumPy 2's type promotion (NEP 50) that decides their dtypes.
 *
 * Same conventions as raptors.h (which this header includes): functions return rp_status, new
 * arrays are owned by the caller, nothing aborts. Every function here is safe to call without any
 * Python runtime and from several threads at once. Results follow NumPy 2.x: dtypes, values,
 * error conditions and the warnings NumPy would print (reported as RP_WARN_* bits, never printed).
 */
#ifndef RAPTORS_COMPUTE_H
#define RAPTORS_COMPUTE_H

#include "raptors/raptors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================================================================== operations */

/* Binary elementwise operations, named after the NumPy ufunc each one reproduces. The same codes
 * index the kernel table, one column per loop dtype. */
typedef enum rp_binary_op {
    RP_BIN_ADD = 0,
    RP_BIN_SUBTRACT,
    RP_BIN_MULTIPLY,
    RP_BIN_DIVIDE,          /* true division; only float columns are filled */
    RP_BIN_FLOOR_DIVIDE,
    RP_BIN_REMAINDER,
    RP_BIN_POWER,
    RP_BIN_MAXIMUM,
    RP_BIN_MINIMUM,
    RP_BIN_EQUAL,           /* comparisons write bool */
    RP_BIN_NOT_EQUAL,
    RP_BIN_LESS,
    RP_BIN_LESS_EQUAL,
    RP_BIN_GREATER,
    RP_BIN_GREATER_EQUAL,
    RP_BIN_LOGICAL_AND,     /* logical ops write bool */
    RP_BIN_LOGICAL_OR,
    RP_BIN_BITWISE_AND,     /* bitwise ops: bool and integer columns */
    RP_BIN_BITWISE_OR,
    RP_BIN_BITWISE_XOR,
    RP_NBINARY_OPS
} rp_binary_op;

typedef enum rp_unary_op {
    RP_UN_NEGATIVE = 0,
    RP_UN_ABSOLUTE,
    RP_UN_ISNAN,            /* writes bool */
    RP_UN_ISFINITE,         /* writes bool */
    RP_UN_LOGICAL_NOT,      /* writes bool */
    RP_UN_INVERT,           /* bitwise not; logical not for bool */
    RP_UN_SQRT,             /* float columns only (std is the square root of var) */
    RP_NUNARY_OPS
} rp_unary_op;

/* Reductions over some or all axes of one array. */
typedef enum rp_reduction {
    RP_REDUCE_SUM = 0,      /* bool and integers accumulate in int64 */
    RP_REDUCE_PROD,
    RP_REDUCE_MIN,          /* NaN propagates; no identity: an empty reduction is an error */
    RP_REDUCE_MAX,
    RP_REDUCE_ARGMIN,       /* int64 index of the first extreme (first NaN); one axis or all */
    RP_REDUCE_ARGMAX,
    RP_REDUCE_MEAN,         /* float64 for bool and integers */
    RP_REDUCE_VAR,          /* two-pass, divided by (count - ddof) */
    RP_REDUCE_STD,
    RP_REDUCE_ANY,          /* bool result; NaN counts as true */
    RP_REDUCE_ALL,
    RP_NREDUCTIONS
} rp_reduction;

/* NumPy's ufunc name for each operation ("add", "floor_divide", "absolute", "minimum", ...),
 * used in warnings and error messages. Never NULL. */
const char *rp_binary_op_name(rp_binary_op op);
const char *rp_unary_op_name(rp_unary_op op);
const char *rp_reduction_name(rp_reduction op);

/* Warning bits an operation reports through its `warnings` argument (OR-ed in, never cleared);
 * each stands for the RuntimeWarning NumPy would emit. */
enum {
    RP_WARN_DIVIDE_BY_ZERO = 1 << 0,   /* "divide by zero encountered in <op>" */
    RP_WARN_OVERFLOW = 1 << 1,         /* "overflow encountered in <op>" */
    RP_WARN_INVALID = 1 << 2,          /* "invalid value encountered in <op>" */
    RP_WARN_EMPTY_MEAN = 1 << 3,       /* "Mean of empty slice" */
    RP_WARN_DEGREES_OF_FREEDOM = 1 << 4 /* "Degrees of freedom <= 0 for slice" */
};

/* mean, var and std are several steps, and NumPy names the step in its message. The three
 * floating-point bits of a step appear shifted by the step's offset: for instance
 * (RP_WARN_INVALID << RP_WARN_STEP_DIVIDE) is "invalid value encountered in divide". Unshifted
 * bits belong to the reduction itself ("... encountered in reduce"). */
enum {
    RP_WARN_STEP_DIVIDE = 5,           /* the closing division by the count */
    RP_WARN_STEP_MEAN_DIVIDE = 8,      /* var/std: the division that computes the mean */
    RP_WARN_STEP_SUBTRACT = 11,        /* var/std: x - mean */
    RP_WARN_STEP_SQUARE = 14           /* var/std: squaring the deviations */
};
#define RP_WARN_FP_BITS (RP_WARN_DIVIDE_BY_ZERO | RP_WARN_OVERFLOW | RP_WARN_INVALID)

/* ===================================================================== operands and dtypes */

/* One input of an elementwise operation: an array, or a scalar broadcast against the other
 * input. A weak scalar is a Python-style literal (int, float, bool) in the sense of NEP 50: it
 * takes the other operand's dtype when its kind (bool < integer < float) does not exceed that
 * dtype's kind, so float32_array * 2.0 stays float32 and int32_array + 1 stays int32. A strong
 * scalar (a typed value such as NumPy's np.float32(2)) promotes like a 0-d array. Integer weak
 * scalars are held as RP_INT64, floats as RP_FLOAT64, bools as RP_BOOL. */
typedef struct rp_operand {
    const rp_array *array;   /* NULL for a scalar */
    rp_scalar scalar;        /* the value when array is NULL */
    bool weak;               /* scalars only */
} rp_operand;

static inline rp_operand rp_operand_array(const rp_array *array)
{
    rp_operand operand = {.array = array};
    return operand;
}

static inline rp_operand rp_operand_scalar(rp_scalar value, bool weak)
{
    rp_operand operand = {.array = NULL, .scalar = value, .weak = weak};
    return operand;
}

/* How an elementwise operation will run: the dtype both inputs are cast to (the kernel column)
 * and the dtype it produces. */
typedef struct rp_binary_types {
    rp_dtype loop;
    rp_dtype result;
} rp_binary_types;

/* NumPy 2's type resolution for `a op b`, weak scalars included. Errors: RP_ERR_TYPE when the
 * op has no loop for the promoted type (bitwise ops on floats, subtract on bool);
 * RP_ERR_OUT_OF_RANGE when a weak integer does not fit the integer dtype it must take
 * ("Python integer 3000000000 out of bounds for int32"), except in comparisons, logical and/or
 * and true division, which NumPy 2 computes in int64 (float64 for division) instead. */
rp_status rp_binary_types_resolve(rp_binary_op op, const rp_operand *a, const rp_operand *b,
                                  rp_binary_types *out);
/* Loop and result dtype of a unary op on `dtype` (sqrt of bool or an integer runs in float64, as
 * in NumPy). Errors: RP_ERR_TYPE (invert of a float, negative of bool). */
rp_status rp_unary_types_resolve(rp_unary_op op, rp_dtype dtype, rp_binary_types *out);
/* NumPy's "same_kind" casting test used for in-place results (a += b): float -> int and
 * int -> bool are refused, downcasts within a kind are allowed. */
bool rp_can_cast_same_kind(rp_dtype from, rp_dtype to);

/* ===================================================================== elementwise */

/* out = a OP b with NumPy broadcasting of any number of dimensions.
 *
 * With out == NULL a new array of the broadcast shape is returned in *result (C order, or
 * Fortran order when every full-rank input is Fortran-contiguous, as NumPy's order 'K').
 * With out != NULL the values are written into out (the inputs must broadcast to its shape and
 * the result dtype must cast to its dtype under "same_kind"), *result is left untouched and
 * may be NULL. out may be one of the inputs (a += b); inputs that only partly overlap out are
 * copied first, so the result is as if every input had been read before anything was written.
 * Inputs whose dtype equals the loop dtype are read in place, never copied.
 *
 * Errors: RP_ERR_VALUE (shapes that do not broadcast, out of the wrong shape), RP_ERR_TYPE,
 * RP_ERR_OUT_OF_RANGE (see rp_binary_types_resolve), RP_ERR_READONLY (out not writeable),
 * RP_ERR_NOMEM. Integer power with a negative exponent is RP_ERR_VALUE (when the result is not
 * empty, as NumPy). Every check runs before the first element is written, so on error no array
 * has been modified. */
rp_status rp_binary(rp_binary_op op, const rp_operand *a, const rp_operand *b, rp_array *out,
                    rp_array **result, int *warnings);

/* out = OP a; same contract as rp_binary for out, result and warnings. */
rp_status rp_unary(rp_unary_op op, const rp_array *a, rp_array *out, rp_array **result,
                   int *warnings);

/* ===================================================================== reductions */

/* Which axes to reduce and how. */
typedef struct rp_reduce_spec {
    int naxes;               /* -1: every axis (NumPy's axis=None); 0..ndim: the list below */
    int axes[RP_MAXDIMS];    /* may be negative (counted from the end); no repeats */
    bool keepdims;           /* keep reduced axes with extent 1 */
    double ddof;             /* var/std only: divide by count - ddof */
    int dtype;               /* accumulator/result dtype for sum/prod/mean/var/std, or -1 for
                              * NumPy's default (int64 for integer sums, float64 for integer
                              * means) */
} rp_reduce_spec;

/* A spec reducing every axis, NumPy's defaults otherwise. */
static inline rp_reduce_spec rp_reduce_all_axes(void)
{
    rp_reduce_spec spec = {.naxes = -1, .keepdims = false, .ddof = 0.0, .dtype = -1};
    return spec;
}

/* Reduces `a` over spec->axes into a new array (0-d when every axis is reduced without
 * keepdims). Argmin/argmax accept one axis or every axis (then the index is into the C-order
 * flattening of a; a 0-d array counts as one element of a 1-d array). Float sums are pairwise,
 * so as accurate as NumPy's; an integer spec->dtype narrower than int64 accumulates in int64
 * and wraps at the end, which gives NumPy's values.
 *
 * Errors: RP_ERR_AXIS ("axis 2 is out of bounds for array of dimension 2"), RP_ERR_VALUE
 * (repeated axis; min/max/argmin/argmax over zero elements), RP_ERR_TYPE (argmin/argmax with
 * several axes; a non-float dtype for mean/var/std), RP_ERR_NOMEM. An empty mean/var/std gives
 * NaN and reports RP_WARN_EMPTY_MEAN / RP_WARN_DEGREES_OF_FREEDOM, as NumPy warns. */
rp_status rp_reduce(rp_reduction op, const rp_array *a, const rp_reduce_spec *spec,
                    rp_array **result, int *warnings);

#ifdef __cplusplus
}
#endif

#endif /* RAPTORS_COMPUTE_H */
