/*
 * operators.c — elementwise operations as Python sees them: raptors.ndarray's operators (number
 * protocol and rich comparison), the ufunc-named module functions (add, less, isnan, ...), and
 * the original Raptors names (a.add, a.scale, broadcast_add, scale_inplace,
 * broadcast_add_inplace). Each is one call into compute.c's rp_binary_call / rp_unary_call.
 */
#include "compute_binding.h"

/* ===================================================================== operators */

#define DEFINE_OPERATOR(NAME, OP)                                                                \
    PyObject *rp_array_##NAME(PyObject *a, PyObject *b)                                          \
    {                                                                                            \
        rp_module_state *state = rp_state_of_operands(a, b);                                     \
        return state == NULL ? NULL : rp_binary_call(state, OP, a, b, NULL, 1);                  \
    }                                                                                            \
    PyObject *rp_array_inplace_##NAME(PyObject *a, PyObject *b)                                  \
    {                                                                                            \
        rp_module_state *state = rp_state_of_operands(a, b);                                     \
        return state == NULL ? NULL : rp_binary_call(state, OP, a, b, a, 1);                     \
    }

DEFINE_OPERATOR(add, RP_BIN_ADD)
DEFINE_OPERATOR(subtract, RP_BIN_SUBTRACT)
DEFINE_OPERATOR(multiply, RP_BIN_MULTIPLY)
DEFINE_OPERATOR(true_divide, RP_BIN_DIVIDE)
DEFINE_OPERATOR(floor_divide, RP_BIN_FLOOR_DIVIDE)
DEFINE_OPERATOR(remainder, RP_BIN_REMAINDER)
DEFINE_OPERATOR(and, RP_BIN_BITWISE_AND)
DEFINE_OPERATOR(or, RP_BIN_BITWISE_OR)
DEFINE_OPERATOR(xor, RP_BIN_BITWISE_XOR)

static int check_no_modulo(PyObject *modulo)
{
    if (modulo != Py_None) {
        PyErr_SetString(PyExc_TypeError, "pow() with a modulo is not supported by raptors");
        return -1;
    }
    return 0;
}

PyObject *rp_array_power(PyObject *a, PyObject *b, PyObject *modulo)
{
    rp_module_state *state = rp_state_of_operands(a, b);
    if (state == NULL || check_no_modulo(modulo) != 0) {
        return NULL;
    }
    return rp_binary_call(state, RP_BIN_POWER, a, b, NULL, 1);
}

PyObject *rp_array_inplace_power(PyObject *a, PyObject *b, PyObject *modulo)
{
    rp_module_state *state = rp_state_of_operands(a, b);
    if (state == NULL || check_no_modulo(modulo) != 0) {
        return NULL;
    }
    return rp_binary_call(state, RP_BIN_POWER, a, b, a, 1);
}

#define DEFINE_UNARY_OPERATOR(NAME, OP)                                                          \
    PyObject *rp_array_##NAME(PyObject *a)                                                       \
    {                                                                                            \
        return rp_unary_call(rp_state_from_type(Py_TYPE(a)), OP, a, NULL);                       \
    }

DEFINE_UNARY_OPERATOR(negative, RP_UN_NEGATIVE)
DEFINE_UNARY_OPERATOR(absolute, RP_UN_ABSOLUTE)
DEFINE_UNARY_OPERATOR(invert, RP_UN_INVERT)

/* +a: a copy, as NumPy's positive (which refuses bool). */
PyObject *rp_array_positive(PyObject *a)
{
    rp_module_state *state = rp_state_from_type(Py_TYPE(a));
    rp_array *array = ((RpArrayObject *)a)->array;
    if (array->dtype == RP_BOOL) {
        PyErr_SetString(PyExc_TypeError,
                        "ufunc 'positive' did not contain a loop with signature matching types "
                        "<class 'numpy.dtypes.BoolDType'> -> None");
        return NULL;
    }
    rp_array *copy = NULL;
    rp_status status = rp_array_copy(array, array->dtype, RP_ORDER_C, &copy);
    return status != RP_OK ? rp_raise_status(state, status) : rp_compute_result(state, copy);
}

int rp_array_bool(PyObject *a)
{
    rp_array *array = ((RpArrayObject *)a)->array;
    int64_t size = rp_array_size(array);
    if (size != 1) {
        PyErr_SetString(PyExc_ValueError,
                        size == 0 ? "The truth value of an empty array is ambiguous. Use "
                                    "`array.size > 0` to check that an array is not empty."
                                  : "The truth value of an array with more than one element is "
                                    "ambiguous. Use a.any() or a.all()");
        return -1;
    }
    rp_scalar value, truth;
    rp_array_get_flat(array, 0, &value);
    rp_scalar_cast(&value, RP_BOOL, &truth);
    return truth.value.b;
}

PyObject *rp_array_richcompare(PyObject *a, PyObject *b, int op)
{
    static const rp_binary_op ops[] = {
        [Py_LT] = RP_BIN_LESS,  [Py_LE] = RP_BIN_LESS_EQUAL,    [Py_EQ] = RP_BIN_EQUAL,
        [Py_NE] = RP_BIN_NOT_EQUAL, [Py_GT] = RP_BIN_GREATER, [Py_GE] = RP_BIN_GREATER_EQUAL,
    };
    rp_module_state *state = rp_state_of_operands(a, b);
    return state == NULL ? NULL : rp_binary_call(state, ops[op], a, b, NULL, 1);
}

/* ===================================================================== module functions */

/* f(x1, x2, out=None) */
static PyObject *binary_function(PyObject *module, rp_binary_op op, PyObject *const *args,
                                 Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"x1", "x2", "out"};
    PyObject *values[3];
    if (rp_parse_arguments(rp_binary_op_name(op), args, nargs, kwnames, names, 3, 3, 2, values) !=
        0) {
        return NULL;
    }
    return rp_binary_call(rp_state_from_module(module), op, values[0], values[1], values[2], 0);
}

/* f(x, out=None) */
static PyObject *unary_function(PyObject *module, rp_unary_op op, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"x", "out"};
    PyObject *values[2];
    if (rp_parse_arguments(rp_unary_op_name(op), args, nargs, kwnames, names, 2, 2, 1, values) !=
        0) {
        return NULL;
    }
    return rp_unary_call(rp_state_from_module(module), op, values[0], values[1]);
}

#define DEFINE_BINARY_FUNCTION(NAME, OP)                                                         \
    static PyObject *function_##NAME(PyObject *module, PyObject *const *args,                    \
                                     Py_ssize_t nargs, PyObject *kwnames)                        \
    {                                                                                            \
        return binary_function(module, OP, args, nargs, kwnames);                                \
    }
#define DEFINE_UNARY_FUNCTION(NAME, OP)                                                          \
    static PyObject *function_##NAME(PyObject *module, PyObject *const *args,                    \
                                     Py_ssize_t nargs, PyObject *kwnames)                        \
    {                                                                                            \
        return unary_function(module, OP, args, nargs, kwnames);                                 \
    }

DEFINE_BINARY_FUNCTION(add, RP_BIN_ADD)
DEFINE_BINARY_FUNCTION(subtract, RP_BIN_SUBTRACT)
DEFINE_BINARY_FUNCTION(multiply, RP_BIN_MULTIPLY)
DEFINE_BINARY_FUNCTION(divide, RP_BIN_DIVIDE)
DEFINE_BINARY_FUNCTION(floor_divide, RP_BIN_FLOOR_DIVIDE)
DEFINE_BINARY_FUNCTION(remainder, RP_BIN_REMAINDER)
DEFINE_BINARY_FUNCTION(power, RP_BIN_POWER)
DEFINE_BINARY_FUNCTION(maximum, RP_BIN_MAXIMUM)
DEFINE_BINARY_FUNCTION(minimum, RP_BIN_MINIMUM)
DEFINE_BINARY_FUNCTION(equal, RP_BIN_EQUAL)
DEFINE_BINARY_FUNCTION(not_equal, RP_BIN_NOT_EQUAL)
DEFINE_BINARY_FUNCTION(less, RP_BIN_LESS)
DEFINE_BINARY_FUNCTION(less_equal, RP_BIN_LESS_EQUAL)
DEFINE_BINARY_FUNCTION(greater, RP_BIN_GREATER)
DEFINE_BINARY_FUNCTION(greater_equal, RP_BIN_GREATER_EQUAL)
DEFINE_BINARY_FUNCTION(logical_and, RP_BIN_LOGICAL_AND)
DEFINE_BINARY_FUNCTION(logical_or, RP_BIN_LOGICAL_OR)
DEFINE_BINARY_FUNCTION(bitwise_and, RP_BIN_BITWISE_AND)
DEFINE_BINARY_FUNCTION(bitwise_or, RP_BIN_BITWISE_OR)
DEFINE_BINARY_FUNCTION(bitwise_xor, RP_BIN_BITWISE_XOR)
DEFINE_UNARY_FUNCTION(negative, RP_UN_NEGATIVE)
DEFINE_UNARY_FUNCTION(absolute, RP_UN_ABSOLUTE)
DEFINE_UNARY_FUNCTION(isnan, RP_UN_ISNAN)
DEFINE_UNARY_FUNCTION(isfinite, RP_UN_ISFINITE)
DEFINE_UNARY_FUNCTION(logical_not, RP_UN_LOGICAL_NOT)
DEFINE_UNARY_FUNCTION(invert, RP_UN_INVERT)

/* ===================================================================== original names */

/* a.add(b) == a + b */
static PyObject *method_add(PyObject *self, PyObject *other)
{
    return rp_binary_call(rp_state_from_type(Py_TYPE(self)), RP_BIN_ADD, self, other, NULL, 0);
}

/* a.scale(f) == a * f */
static PyObject *method_scale(PyObject *self, PyObject *factor)
{
    return rp_binary_call(rp_state_from_type(Py_TYPE(self)), RP_BIN_MULTIPLY, self, factor, NULL,
                       0);
}

/* broadcast_add(a, v) == a + v */
static PyObject *function_broadcast_add(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "broadcast_add() takes exactly 2 arguments");
        return NULL;
    }
    return rp_binary_call(rp_state_from_module(module), RP_BIN_ADD, args[0], args[1], NULL, 0);
}

/* The in-place originals write into `target`'s own memory: a raptors array, or a NumPy array
 * (or any writable buffer) through a zero-copy view. */
static PyObject *inplace_original(PyObject *module, rp_binary_op op, const char *name,
                                  PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes exactly 2 arguments", name);
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    PyObject *target = args[0];
    if (!rp_is_array(state, target) && !PyObject_CheckBuffer(target)) {
        PyErr_Format(PyExc_TypeError, "%s() needs an array to modify in place, got '%.100s'",
                     name, Py_TYPE(target)->tp_name);
        return NULL;
    }
    PyObject *result = rp_binary_call(state, op, target, args[1], target, 0);
    if (result == NULL) {
        return NULL;
    }
    Py_DECREF(result);
    Py_RETURN_NONE;
}

/* scale_inplace(a, f): a *= f */
static PyObject *function_scale_inplace(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    return inplace_original(module, RP_BIN_MULTIPLY, "scale_inplace", args, nargs);
}

/* broadcast_add_inplace(a, v): a += v */
static PyObject *function_broadcast_add_inplace(PyObject *module, PyObject *const *args,
                                                Py_ssize_t nargs)
{
    return inplace_original(module, RP_BIN_ADD, "broadcast_add_inplace", args, nargs);
}

/* ===================================================================== tables */

#define FASTCALL_KW(fn) (PyCFunction)(void (*)(void))(fn), METH_FASTCALL | METH_KEYWORDS
#define FASTCALL(fn) (PyCFunction)(void (*)(void))(fn), METH_FASTCALL

PyMethodDef rp_compute_functions[] = {
    {"add", FASTCALL_KW(function_add), "add(x1, x2, out=None): x1 + x2 elementwise."},
    {"subtract", FASTCALL_KW(function_subtract), "subtract(x1, x2, out=None)"},
    {"multiply", FASTCALL_KW(function_multiply), "multiply(x1, x2, out=None)"},
    {"divide", FASTCALL_KW(function_divide), "divide(x1, x2, out=None): true division."},
    {"true_divide", FASTCALL_KW(function_divide), "true_divide(x1, x2, out=None)"},
    {"floor_divide", FASTCALL_KW(function_floor_divide), "floor_divide(x1, x2, out=None)"},
    {"remainder", FASTCALL_KW(function_remainder), "remainder(x1, x2, out=None)"},
    {"mod", FASTCALL_KW(function_remainder), "mod(x1, x2, out=None): remainder."},
    {"power", FASTCALL_KW(function_power), "power(x1, x2, out=None)"},
    {"maximum", FASTCALL_KW(function_maximum), "maximum(x1, x2, out=None): NaN propagates."},
    {"minimum", FASTCALL_KW(function_minimum), "minimum(x1, x2, out=None): NaN propagates."},
    {"equal", FASTCALL_KW(function_equal), "equal(x1, x2, out=None)"},
    {"not_equal", FASTCALL_KW(function_not_equal), "not_equal(x1, x2, out=None)"},
    {"less", FASTCALL_KW(function_less), "less(x1, x2, out=None)"},
    {"less_equal", FASTCALL_KW(function_less_equal), "less_equal(x1, x2, out=None)"},
    {"greater", FASTCALL_KW(function_greater), "greater(x1, x2, out=None)"},
    {"greater_equal", FASTCALL_KW(function_greater_equal), "greater_equal(x1, x2, out=None)"},
    {"logical_and", FASTCALL_KW(function_logical_and), "logical_and(x1, x2, out=None)"},
    {"logical_or", FASTCALL_KW(function_logical_or), "logical_or(x1, x2, out=None)"},
    {"bitwise_and", FASTCALL_KW(function_bitwise_and), "bitwise_and(x1, x2, out=None)"},
    {"bitwise_or", FASTCALL_KW(function_bitwise_or), "bitwise_or(x1, x2, out=None)"},
    {"bitwise_xor", FASTCALL_KW(function_bitwise_xor), "bitwise_xor(x1, x2, out=None)"},
    {"negative", FASTCALL_KW(function_negative), "negative(x, out=None)"},
    {"absolute", FASTCALL_KW(function_absolute), "absolute(x, out=None)"},
    {"abs", FASTCALL_KW(function_absolute), "abs(x, out=None): absolute."},
    {"isnan", FASTCALL_KW(function_isnan), "isnan(x, out=None)"},
    {"isfinite", FASTCALL_KW(function_isfinite), "isfinite(x, out=None)"},
    {"logical_not", FASTCALL_KW(function_logical_not), "logical_not(x, out=None)"},
    {"invert", FASTCALL_KW(function_invert), "invert(x, out=None): bitwise not."},
    {"broadcast_add", FASTCALL(function_broadcast_add),
     "broadcast_add(a, v): a + v with broadcasting (original Raptors name)."},
    {"scale_inplace", FASTCALL(function_scale_inplace),
     "scale_inplace(a, f): a *= f in a's own memory (original Raptors name)."},
    {"broadcast_add_inplace", FASTCALL(function_broadcast_add_inplace),
     "broadcast_add_inplace(a, v): a += v in a's own memory (original Raptors name)."},
    {NULL, NULL, 0, NULL},
};

/* The original Raptors methods of raptors.ndarray; the reductions come from reductions.c. */
PyMethodDef rp_elementwise_methods[] = {
    {"add", method_add, METH_O, "a.add(b) == a + b (original Raptors name)."},
    {"scale", method_scale, METH_O, "a.scale(f) == a * f (original Raptors name)."},
    {NULL, NULL, 0, NULL},
};

