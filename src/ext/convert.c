/*
 * convert.c — Python objects to core values: dtypes, shapes, scalars and array-likes.
 *
 * Array-likes are taken without copying whenever the core can describe them: a raptors array
 * becomes a view; an object with the buffer protocol (a NumPy array, a memoryview) or with
 * __array_interface__ is wrapped, its exporter kept alive until the last view dies. Only nested
 * sequences and scalars are copied. Scalars stored into a given dtype follow NumPy's setitem
 * rules (range-checked integers, NaN refused by integer dtypes), so no value changes silently.
 */
#include "binding.h"

#include <math.h>
#include <string.h>

/* ===================================================================== dtypes */

PyObject *rp_dtype_object(rp_module_state *state, rp_dtype dtype)
{
    if (state->dtype_objects == NULL) {
        return PyUnicode_FromString(rp_dtype_name(dtype));
    }
    PyObject *obj = PyTuple_GetItem(state->dtype_objects, dtype);
    Py_XINCREF(obj);
    return obj;
}

int rp_dtype_from_object(rp_module_state *state, PyObject *obj, int allow_none)
{
    if (obj == Py_None) {
        if (allow_none) {
            return RP_NTYPES;
        }
        PyErr_SetString(PyExc_TypeError, "a dtype is required");
        return -1;
    }
    if (state->dtype_objects != NULL) {
        for (int t = 0; t < RP_NTYPES; t++) {
            if (PyTuple_GET_ITEM(state->dtype_objects, t) == obj) {
                return t;
            }
        }
    }
    if (state->dtype_normalizer == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "raptors dtypes are not registered");
        return -1;
    }
    PyObject *code = PyObject_CallOneArg(state->dtype_normalizer, obj);
    if (code == NULL) {
        return -1;
    }
    long value = PyLong_AsLong(code);
    Py_DECREF(code);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    return (int)value;
}

/* ===================================================================== shapes */

PyObject *rp_int64_tuple(int n, const int64_t *values)
{
    PyObject *tuple = PyTuple_New(n);
    for (int i = 0; tuple != NULL && i < n; i++) {
        PyObject *item = PyLong_FromLongLong(values[i]);
        if (item == NULL) {
            Py_CLEAR(tuple);
        } else {
            PyTuple_SET_ITEM(tuple, i, item);
        }
    }
    return tuple;
}

int rp_shape_from_object(PyObject *obj, int64_t *shape)
{
    if (PyIndex_Check(obj)) {
        Py_ssize_t extent = PyNumber_AsSsize_t(obj, PyExc_ValueError);
        if (extent == -1 && PyErr_Occurred()) {
            return -1;
        }
        shape[0] = extent;
        return 1;
    }
    if (!PySequence_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "expected a sequence of integers or a single integer, got '%.100R'", obj);
        return -1;
    }
    PyObject *seq = PySequence_Fast(obj, "shape must be an int or a sequence of ints");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t ndim = PySequence_Fast_GET_SIZE(seq);
    if (ndim > RP_MAXDIMS) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError,
                     "maximum supported dimension for an ndarray is currently %d, found %zd",
                     RP_MAXDIMS, ndim);
        return -1;
    }
    for (Py_ssize_t i = 0; i < ndim; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyIndex_Check(item)) {
            Py_DECREF(seq);
            PyErr_Format(PyExc_TypeError, "'%.100s' object cannot be interpreted as an integer",
                         Py_TYPE(item)->tp_name);
            return -1;
        }
        Py_ssize_t extent = PyNumber_AsSsize_t(item, PyExc_ValueError);
        if (extent == -1 && PyErr_Occurred()) {
            Py_DECREF(seq);
            return -1;
        }
        shape[i] = extent;
    }
    Py_DECREF(seq);
    return (int)ndim;
}

/* ===================================================================== what an object is */

int rp_optional_attribute(PyObject *obj, const char *name, PyObject **value)
{
    /* An interned name: CPython's type attribute cache keeps a reference to the name it was
     * asked for, so a fresh string per call would pile up in it. */
    PyObject *key = PyUnicode_InternFromString(name);
    if (key == NULL) {
        *value = NULL;
        return -1;
    }
    *value = PyObject_GetAttr(obj, key);
    Py_DECREF(key);
    if (*value != NULL) {
        return 1;
    }
    if (!PyErr_ExceptionMatches(PyExc_AttributeError)) {
        return -1;
    }
    PyErr_Clear();
    return 0;
}

static int has_attribute(PyObject *obj, const char *name)
{
    PyObject *value;
    int found = rp_optional_attribute(obj, name, &value);
    Py_XDECREF(value);
    return found;
}

typedef enum {
    OBJECT_SCALAR,       /* one value: Python bool/int/float, NumPy scalar, other real numbers */
    OBJECT_SEQUENCE,     /* nested lists, tuples and other sequences, read element by element */
    OBJECT_ARRAY,        /* memory described in one go: raptors array, buffer, array interface */
    OBJECT_UNSUPPORTED   /* strings, bytes, complex numbers, None, arbitrary objects */
} object_kind;

/* Classifies obj; -1 (as an int) with an exception set when looking at it failed. `state` may
 * be NULL: raptors arrays are then recognised by their buffer like any other array. */
static int classify(rp_module_state *state, PyObject *obj)
{
    if (PyFloat_Check(obj) || PyLong_Check(obj)) { /* bool is an int subclass */
        return OBJECT_SCALAR;
    }
    if (PyList_Check(obj) || PyTuple_Check(obj)) {
        return OBJECT_SEQUENCE;
    }
    if (state != NULL && rp_is_array(state, obj)) {
        return OBJECT_ARRAY;
    }
    if (PyUnicode_Check(obj) || PyBytes_Check(obj) || PyByteArray_Check(obj) ||
        PyComplex_Check(obj) || obj == Py_None) {
        return OBJECT_UNSUPPORTED;
    }
    if (PyObject_CheckBuffer(obj)) {
        /* NumPy scalars export a 0-d buffer but are not sequences; arrays and memoryviews are. */
        return PySequence_Check(obj) ? OBJECT_ARRAY : OBJECT_SCALAR;
    }
    int found = has_attribute(obj, "__array_interface__");
    if (found == 0) {
        found = has_attribute(obj, "__array__");
    }
    if (found != 0) {
        return found < 0 ? -1 : OBJECT_ARRAY;
    }
    if (PySequence_Check(obj)) {
        return OBJECT_SEQUENCE;
    }
    if (PyIndex_Check(obj) || (Py_TYPE(obj)->tp_as_number != NULL &&
                               Py_TYPE(obj)->tp_as_number->nb_float != NULL)) {
        return OBJECT_SCALAR;
    }
    return OBJECT_UNSUPPORTED;
}

static PyObject *unsupported_object(PyObject *obj)
{
    PyErr_Format(PyExc_TypeError,
                 "raptors supports only bool, int32, int64, float32 and float64 data; cannot "
                 "make an array from an object of type '%.100s'",
                 Py_TYPE(obj)->tp_name);
    return NULL;
}

/* ===================================================================== foreign memory */

/* The dtype a buffer-protocol format string describes, or -1 (no exception) if unsupported. */
static int dtype_from_format(const char *format, Py_ssize_t itemsize)
{
    if (format == NULL) {
        return -1; /* plain bytes */
    }
    if (format[0] == '@' || format[0] == '=' || format[0] == RP_NATIVE_ORDER_STR[0]) {
        format++;
    }
    if (format[0] == '\0' || format[1] != '\0') {
        return -1;
    }
    switch (format[0]) {
    case '?': return itemsize == 1 ? RP_BOOL : -1;
    case 'i': case 'l': case 'q':
        return itemsize == 4 ? RP_INT32 : itemsize == 8 ? RP_INT64 : -1;
    case 'f': return itemsize == 4 ? RP_FLOAT32 : -1;
    case 'd': return itemsize == 8 ? RP_FLOAT64 : -1;
    default: return -1;
    }
}

static void release_py_buffer(void *context)
{
    Py_buffer *view = context;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyBuffer_Release(view);
    PyGILState_Release(gil);
    PyMem_RawFree(view);
}

static void release_py_object(void *context)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_DECREF((PyObject *)context);
    PyGILState_Release(gil);
}

/* An array over foreign memory; `release(context)` runs when the last view of it dies, and also
 * here when this fails. Returns NULL with an exception set on failure. */
static rp_array *wrap_foreign(char *data, int dtype, int ndim, const int64_t *shape,
                              const int64_t *strides, int flags, rp_release_fn release,
                              void *context)
{
    int64_t size;
    rp_status status = rp_shape_size(ndim, shape, rp_dtype_size((rp_dtype)dtype), &size);
    rp_buffer *buffer = NULL;
    if (status == RP_OK && data == NULL && size > 0) {
        status = rp_error(RP_ERR_VALUE, "foreign array memory has a NULL address");
    }
    if (status == RP_OK) {
        status = rp_buffer_wrap(data, (size_t)size * rp_dtype_size((rp_dtype)dtype), release,
                                context, &buffer);
    }
    if (status != RP_OK) {
        release(context);
        rp_raise_status(NULL, status);
        return NULL;
    }
    rp_array *array = NULL;
    status = rp_array_from_buffer(buffer, data, (rp_dtype)dtype, ndim, shape, strides, flags,
                                  &array);
    rp_buffer_decref(buffer); /* the array holds it now, or it is released here */
    if (status != RP_OK) {
        rp_raise_status(NULL, status);
        return NULL;
    }
    return array;
}

/* A view of obj's buffer (obj supports the protocol); NULL with an exception set on failure. */
static rp_array *array_from_buffer_object(PyObject *obj)
{
    Py_buffer *view = PyMem_RawMalloc(sizeof *view);
    if (view == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    int flags = RP_ARRAY_WRITEABLE;
    if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS) != 0) {
        PyErr_Clear();
        flags = 0;
        if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO) != 0) {
            PyMem_RawFree(view);
            return NULL;
        }
    }
    int dtype = dtype_from_format(view->format, view->itemsize);
    if (dtype < 0 || view->ndim > RP_MAXDIMS) {
        if (dtype < 0) {
            PyErr_Format(PyExc_TypeError, "raptors does not support the buffer format '%s'",
                         view->format ? view->format : "B");
        } else {
            PyErr_Format(PyExc_ValueError, "raptors supports at most %d dimensions",
                         RP_MAXDIMS);
        }
        PyBuffer_Release(view);
        PyMem_RawFree(view);
        return NULL;
    }
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS];
    for (int i = 0; i < view->ndim; i++) {
        shape[i] = view->shape[i];
        strides[i] = view->strides[i];
    }
    return wrap_foreign(view->buf, dtype, view->ndim, shape, strides, flags, release_py_buffer,
                        view);
}

/* The dtype of an __array_interface__ typestr such as '<f8' or '|b1'; -1 with TypeError. */
static int dtype_from_typestr(PyObject *typestr)
{
    const char *text = PyUnicode_Check(typestr) ? PyUnicode_AsUTF8(typestr) : NULL;
    if (text == NULL) {
        PyErr_Clear();
        PyErr_SetString(PyExc_TypeError, "__array_interface__ typestr must be a string");
        return -1;
    }
    static const struct {
        const char *code;
        rp_dtype dtype;
    } known[] = {{"b1", RP_BOOL}, {"i4", RP_INT32}, {"i8", RP_INT64}, {"f4", RP_FLOAT32},
                 {"f8", RP_FLOAT64}};
    /* Native order only: the machine's own mark, '=' or '|' (order-free single bytes). */
    if (text[0] == RP_NATIVE_ORDER_STR[0] || text[0] == '=' || text[0] == '|') {
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
            if (strcmp(text + 1, known[i].code) == 0) {
                return known[i].dtype;
            }
        }
    }
    PyErr_Format(PyExc_TypeError, "raptors does not support the array interface type '%s'",
                 text);
    return -1;
}

/* Reads an optional tuple of ints from `dict[key]` into values; returns its length (-2 when
 * absent or None), -1 with an exception set on failure. */
static int int64_tuple_item(PyObject *dict, const char *key, int64_t *values)
{
    PyObject *item = PyDict_GetItemString(dict, key);
    if (item == NULL || item == Py_None) {
        return -2;
    }
    if (!PyTuple_Check(item)) {
        PyErr_Format(PyExc_ValueError, "__array_interface__ '%s' must be a tuple", key);
        return -1;
    }
    return rp_shape_from_object(item, values);
}

static rp_array *array_from_interface(PyObject *obj, PyObject *interface)
{
    if (!PyDict_Check(interface)) {
        PyErr_SetString(PyExc_ValueError, "Invalid __array_interface__ value, must be a dict");
        return NULL;
    }
    PyObject *typestr = PyDict_GetItemString(interface, "typestr");
    PyObject *data = PyDict_GetItemString(interface, "data");
    if (typestr == NULL) {
        PyErr_SetString(PyExc_ValueError, "__array_interface__ has no 'typestr'");
        return NULL;
    }
    int dtype = dtype_from_typestr(typestr);
    if (dtype < 0) {
        return NULL;
    }
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS];
    int ndim = int64_tuple_item(interface, "shape", shape);
    if (ndim == -2) {
        PyErr_SetString(PyExc_ValueError, "__array_interface__ has no 'shape'");
    }
    if (ndim < 0) {
        return NULL;
    }
    int nstrides = int64_tuple_item(interface, "strides", strides);
    if (nstrides == -1) {
        return NULL;
    }
    if (nstrides == -2) {
        int64_t stride = (int64_t)rp_dtype_size((rp_dtype)dtype);
        for (int i = ndim - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i] > 0 ? shape[i] : 1;
        }
    } else if (nstrides != ndim) {
        PyErr_SetString(PyExc_ValueError, "__array_interface__ strides do not match its shape");
        return NULL;
    }
    if (data == NULL || !PyTuple_Check(data) || PyTuple_GET_SIZE(data) != 2) {
        /* The buffer-object form of 'data' is legal but rare; ask for the common one. */
        PyErr_SetString(PyExc_TypeError,
                        "raptors reads __array_interface__ 'data' only as (address, readonly)");
        return NULL;
    }
    void *address = PyLong_AsVoidPtr(PyTuple_GET_ITEM(data, 0));
    int readonly = PyObject_IsTrue(PyTuple_GET_ITEM(data, 1));
    if ((address == NULL && PyErr_Occurred()) || readonly < 0) {
        return NULL;
    }
    /* The exporter owns the memory: hold it until the last view dies. */
    return wrap_foreign(address, dtype, ndim, shape, strides, readonly ? 0 : RP_ARRAY_WRITEABLE,
                        release_py_object, Py_NewRef(obj));
}

/* obj has __array_interface__ or __array__ (NumPy's order: interface first). */
static rp_array *array_from_protocols(rp_module_state *state, PyObject *obj)
{
    PyObject *interface;
    if (rp_optional_attribute(obj, "__array_interface__", &interface) < 0) {
        return NULL;
    }
    if (interface != NULL) {
        rp_array *array = array_from_interface(obj, interface);
        Py_DECREF(interface);
        return array;
    }
    PyObject *method;
    if (rp_optional_attribute(obj, "__array__", &method) <= 0) {
        return NULL; /* classify saw it, so only an error can make it vanish */
    }
    PyObject *result = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    if (result == NULL) {
        return NULL;
    }
    rp_array *array = NULL;
    if ((state != NULL && rp_is_array(state, result)) ||
        (PyObject_CheckBuffer(result) && PySequence_Check(result))) {
        array = rp_array_from_object(state, result, RP_NTYPES);
    } else {
        PyErr_Format(PyExc_TypeError, "__array__ returned a '%.100s', not an array",
                     Py_TYPE(result)->tp_name);
    }
    Py_DECREF(result);
    return array;
}

/* ===================================================================== scalars */

/* A NumPy scalar's value through its 0-d buffer; -1 with an exception set. */
static int scalar_from_buffer(PyObject *obj, rp_scalar *out)
{
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_RECORDS_RO) != 0) {
        return -1;
    }
    int dtype = dtype_from_format(view.format, view.itemsize);
    int ok = dtype >= 0 && view.ndim == 0;
    if (ok) {
        out->dtype = (rp_dtype)dtype;
        memcpy(&out->value, view.buf, rp_dtype_size((rp_dtype)dtype));
    }
    PyBuffer_Release(&view);
    if (!ok) {
        unsupported_object(obj);
        return -1;
    }
    return 0;
}

int rp_scalar_from_object(PyObject *obj, rp_scalar *out)
{
    if (PyBool_Check(obj)) {
        out->dtype = RP_BOOL;
        out->value.b = obj == Py_True;
        return 0;
    }
    if (PyFloat_Check(obj)) {
        out->dtype = RP_FLOAT64;
        out->value.f64 = PyFloat_AS_DOUBLE(obj);
        return 0;
    }
    if (PyLong_Check(obj) || (PyIndex_Check(obj) && !PyObject_CheckBuffer(obj))) {
        PyObject *integer = PyNumber_Index(obj);
        if (integer == NULL) {
            return -1;
        }
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(integer, &overflow);
        if (overflow) {
            PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for int64",
                         integer);
        }
        Py_DECREF(integer);
        if (overflow || (value == -1 && PyErr_Occurred())) {
            return -1;
        }
        out->dtype = RP_INT64;
        out->value.i64 = value;
        return 0;
    }
    int kind = classify(NULL, obj);
    if (kind == OBJECT_ARRAY) {
        /* A 0-d array stands for its one value, as in NumPy's fill(). */
        rp_array *array = rp_array_from_object(NULL, obj, RP_NTYPES);
        if (array == NULL) {
            return -1;
        }
        int is_0d = array->ndim == 0;
        if (is_0d) {
            rp_array_get_flat(array, 0, out);
        } else {
            PyErr_SetString(PyExc_ValueError, "expected a scalar or a 0-d array, got an array");
        }
        rp_array_free(array);
        return is_0d ? 0 : -1;
    }
    if (kind != OBJECT_SCALAR) {
        if (kind >= 0) {
            unsupported_object(obj);
        }
        return -1;
    }
    if (PyObject_CheckBuffer(obj)) {
        return scalar_from_buffer(obj, out);
    }
    double value = PyFloat_AsDouble(obj);
    if (value == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    out->dtype = RP_FLOAT64;
    out->value.f64 = value;
    return 0;
}

static int integer_out_of_bounds(PyObject *value, rp_dtype dtype)
{
    PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for %s", value,
                 rp_dtype_name(dtype));
    return -1;
}

/* `value` (a whole number in double) as an integer of `dtype`, range-checked. */
static int store_whole_float(double value, rp_dtype dtype, rp_scalar *out)
{
    double low = dtype == RP_INT32 ? -2147483648.0 : -9223372036854775808.0;
    double high = dtype == RP_INT32 ? 2147483648.0 : 9223372036854775808.0;
    if (!(value >= low && value < high)) {
        PyObject *as_int = PyLong_FromDouble(value);
        if (as_int != NULL) {
            integer_out_of_bounds(as_int, dtype);
            Py_DECREF(as_int);
        }
        return -1;
    }
    rp_scalar whole = {.dtype = RP_FLOAT64, .value.f64 = value};
    rp_scalar_cast(&whole, dtype, out);
    return 0;
}

/* A typed scalar stored into `dtype` with NumPy's setitem checks. */
static int store_checked(const rp_scalar *value, rp_dtype dtype, rp_scalar *out)
{
    if (rp_dtype_is_integer(dtype) && rp_dtype_is_float(value->dtype)) {
        double v = value->dtype == RP_FLOAT32 ? value->value.f32 : value->value.f64;
        if (isnan(v)) {
            PyErr_SetString(PyExc_ValueError, "cannot convert float NaN to integer");
            return -1;
        }
        if (isinf(v)) {
            PyErr_SetString(PyExc_OverflowError, "cannot convert float infinity to integer");
            return -1;
        }
        return store_whole_float(trunc(v), dtype, out);
    }
    if (dtype == RP_INT32 && value->dtype == RP_INT64 &&
        (value->value.i64 < INT32_MIN || value->value.i64 > INT32_MAX)) {
        PyObject *as_int = PyLong_FromLongLong(value->value.i64);
        if (as_int != NULL) {
            integer_out_of_bounds(as_int, dtype);
            Py_DECREF(as_int);
        }
        return -1;
    }
    rp_scalar_cast(value, dtype, out);
    if (dtype == RP_FLOAT32 && isinf(out->value.f32) && value->dtype == RP_FLOAT64 &&
        isfinite(value->value.f64)) {
        return PyErr_WarnEx(PyExc_RuntimeWarning, "overflow encountered in cast", 1);
    }
    return 0;
}

int rp_scalar_from_object_as(PyObject *obj, rp_dtype dtype, rp_scalar *out)
{
    /* Python ints are exact: check them against the target before any rounding. */
    if (PyLong_Check(obj) && !PyBool_Check(obj) && dtype == RP_BOOL) {
        int truth = PyObject_IsTrue(obj); /* nonzero, whatever its size */
        out->dtype = RP_BOOL;
        out->value.b = truth > 0;
        return truth < 0 ? -1 : 0;
    }
    if (PyLong_Check(obj) && !PyBool_Check(obj)) {
        if (rp_dtype_is_float(dtype)) {
            double value = PyLong_AsDouble(obj);
            if (value == -1.0 && PyErr_Occurred()) {
                return -1;
            }
            rp_scalar exact = {.dtype = RP_FLOAT64, .value.f64 = value};
            return store_checked(&exact, dtype, out);
        }
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow) {
            return integer_out_of_bounds(obj, dtype);
        }
        if (value == -1 && PyErr_Occurred()) {
            return -1;
        }
        rp_scalar exact = {.dtype = RP_INT64, .value.i64 = value};
        return store_checked(&exact, dtype, out);
    }
    rp_scalar found;
    if (rp_scalar_from_object(obj, &found) != 0) {
        return -1;
    }
    return store_checked(&found, dtype, out);
}

PyObject *rp_scalar_to_object(const rp_scalar *value)
{
    switch (value->dtype) {
    case RP_BOOL: return PyBool_FromLong(value->value.b);
    case RP_INT32: return PyLong_FromLong(value->value.i32);
    case RP_INT64: return PyLong_FromLongLong(value->value.i64);
    case RP_FLOAT32: return PyFloat_FromDouble(value->value.f32);
    case RP_FLOAT64: return PyFloat_FromDouble(value->value.f64);
    default: break;
    }
    PyErr_SetString(PyExc_SystemError, "invalid dtype in scalar");
    return NULL;
}

/* ===================================================================== nested sequences */

typedef struct {
    rp_module_state *state;
    int ndim;                /* -1 until the first leaf fixes it */
    int64_t shape[RP_MAXDIMS];
    int dtype;               /* promoted dtype of the leaves; -1 before any */
    bool infer_dtype;        /* false when the caller names the dtype */
} sequence_scan;

static int ragged_error(int depth)
{
    PyErr_Format(PyExc_ValueError,
                 "setting an array element with a sequence. The requested array has an "
                 "inhomogeneous shape after %d dimensions.",
                 depth);
    return -1;
}

static void promote_into(sequence_scan *scan, rp_dtype dtype)
{
    scan->dtype = scan->dtype < 0 ? (int)dtype : (int)rp_dtype_promote((rp_dtype)scan->dtype, dtype);
}

/* Records `extent` for axis `depth`, or checks it against the extent seen before. */
static int scan_extent(sequence_scan *scan, int depth, int64_t extent)
{
    if (depth >= RP_MAXDIMS) {
        PyErr_Format(PyExc_ValueError, "raptors supports at most %d dimensions", RP_MAXDIMS);
        return -1;
    }
    if (scan->ndim >= 0 && depth >= scan->ndim) {
        return ragged_error(scan->ndim);
    }
    if (scan->shape[depth] < 0) {
        scan->shape[depth] = extent;
    } else if (scan->shape[depth] != extent) {
        return ragged_error(depth);
    }
    return 0;
}

/* Marks depth as the leaf level (every leaf must sit at the same depth). */
static int scan_leaf_depth(sequence_scan *scan, int depth)
{
    if (scan->ndim >= 0 && scan->ndim != depth) {
        return ragged_error(depth < scan->ndim ? depth : scan->ndim);
    }
    scan->ndim = depth;
    return 0;
}

/* First pass: shape and dtype of a nested sequence. Arrays inside it count as blocks. */
static int scan_sequence(sequence_scan *scan, PyObject *obj, int depth)
{
    int kind = classify(scan->state, obj);
    if (kind < 0) {
        return -1;
    }
    if (kind == OBJECT_UNSUPPORTED) {
        unsupported_object(obj);
        return -1;
    }
    if (kind == OBJECT_SCALAR) {
        rp_scalar value;
        if (scan->infer_dtype) {
            if (rp_scalar_from_object(obj, &value) != 0) {
                return -1;
            }
            promote_into(scan, value.dtype);
        }
        return scan_leaf_depth(scan, depth);
    }
    if (kind == OBJECT_ARRAY) {
        rp_array *block = rp_array_from_object(scan->state, obj, RP_NTYPES);
        if (block == NULL) {
            return -1;
        }
        int status = 0;
        for (int k = 0; k < block->ndim && status == 0; k++) {
            status = scan_extent(scan, depth + k, block->shape[k]);
        }
        if (status == 0) {
            status = scan_leaf_depth(scan, depth + block->ndim);
        }
        if (status == 0 && scan->infer_dtype) {
            promote_into(scan, block->dtype);
        }
        rp_array_free(block);
        return status;
    }
    PyObject *seq = PySequence_Fast(obj, "expected a sequence");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int status = scan_extent(scan, depth, n);
    if (status == 0 && n == 0) {
        status = scan_leaf_depth(scan, depth + 1); /* [] and [[], []]: the empty level is last */
    }
    for (Py_ssize_t i = 0; i < n && status == 0; i++) {
        status = scan_sequence(scan, PySequence_Fast_GET_ITEM(seq, i), depth + 1);
    }
    Py_DECREF(seq);
    return status;
}

/* Second pass: store the leaves (and array blocks) into a C-contiguous array. */
static int fill_sequence(rp_module_state *state, rp_array *array, PyObject *obj, int depth,
                         char *data)
{
    int kind = classify(state, obj);
    if (kind < 0) {
        return -1;
    }
    if (kind == OBJECT_SCALAR) {
        rp_scalar value;
        if (rp_scalar_from_object_as(obj, array->dtype, &value) != 0) {
            return -1;
        }
        memcpy(data, &value.value, rp_dtype_size(array->dtype));
        return 0;
    }
    if (kind == OBJECT_ARRAY) {
        rp_array *block = rp_array_from_object(state, obj, RP_NTYPES);
        if (block == NULL) {
            return -1;
        }
        /* The sub-array of `array` at this position, as a header on the stack. */
        rp_array target = *array;
        target.data = data;
        target.ndim = array->ndim - depth;
        memmove(target.shape, array->shape + depth, (size_t)target.ndim * sizeof(int64_t));
        memmove(target.strides, array->strides + depth, (size_t)target.ndim * sizeof(int64_t));
        int warnings = 0;
        rp_status status = rp_array_assign_checked(&target, block, &warnings);
        rp_array_free(block);
        if (status != RP_OK) {
            rp_raise_status(state, status);
            return -1;
        }
        return rp_warn_cast(warnings);
    }
    PyObject *seq = PySequence_Fast(obj, "expected a sequence");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (fill_sequence(state, array, PySequence_Fast_GET_ITEM(seq, i), depth + 1,
                          data + i * array->strides[depth]) != 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

static rp_array *array_from_sequence(rp_module_state *state, PyObject *obj, int dtype)
{
    sequence_scan scan = {.state = state, .ndim = -1, .dtype = -1,
                          .infer_dtype = dtype == RP_NTYPES};
    for (int d = 0; d < RP_MAXDIMS; d++) {
        scan.shape[d] = -1;
    }
    if (scan_sequence(&scan, obj, 0) != 0) {
        return NULL;
    }
    int target = dtype != RP_NTYPES ? dtype : scan.dtype >= 0 ? scan.dtype : RP_FLOAT64;
    rp_array *array = NULL;
    rp_status status = rp_array_empty((rp_dtype)target, scan.ndim, scan.shape, RP_ORDER_C, &array);
    if (status != RP_OK) {
        rp_raise_status(state, status);
        return NULL;
    }
    if (rp_array_size(array) > 0 && fill_sequence(state, array, obj, 0, array->data) != 0) {
        rp_array_free(array);
        return NULL;
    }
    return array;
}

/* ===================================================================== any array-like */

static rp_array *array_from_scalar(rp_module_state *state, PyObject *obj, int dtype)
{
    rp_scalar value;
    int status = dtype == RP_NTYPES ? rp_scalar_from_object(obj, &value)
                                    : rp_scalar_from_object_as(obj, (rp_dtype)dtype, &value);
    if (status != 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status core_status = rp_array_full(value.dtype, 0, NULL, &value, &array);
    if (core_status != RP_OK) {
        rp_raise_status(state, core_status);
        return NULL;
    }
    return array;
}

rp_array *rp_array_convert(rp_module_state *state, PyObject *obj, int dtype, int *copied)
{
    int kind = classify(state, obj);
    *copied = kind == OBJECT_SCALAR || kind == OBJECT_SEQUENCE;
    rp_array *array = NULL;
    switch (kind) {
    case OBJECT_SCALAR:
        return array_from_scalar(state, obj, dtype);
    case OBJECT_SEQUENCE:
        return array_from_sequence(state, obj, dtype);
    case OBJECT_UNSUPPORTED:
        unsupported_object(obj);
        return NULL;
    case OBJECT_ARRAY:
        break;
    default:
        return NULL; /* classify raised */
    }
    if (state != NULL && rp_is_array(state, obj)) {
        rp_status status = rp_array_view(((RpArrayObject *)obj)->array, &array);
        if (status != RP_OK) {
            rp_raise_status(state, status);
            return NULL;
        }
    } else if (PyObject_CheckBuffer(obj)) {
        array = array_from_buffer_object(obj);
    } else {
        array = array_from_protocols(state, obj);
    }
    if (array == NULL || dtype == RP_NTYPES || (rp_dtype)dtype == array->dtype) {
        return array;
    }
    /* A cast copies, keeping the source's memory order as NumPy's astype does. */
    rp_array *cast = NULL;
    int warnings = 0;
    rp_status status = rp_copy_in_order(array, (rp_dtype)dtype, 'K', &cast, &warnings);
    rp_array_free(array);
    if (status != RP_OK) {
        rp_raise_status(state, status);
        return NULL;
    }
    if (rp_warn_cast(warnings) != 0) {
        rp_array_free(cast);
        return NULL;
    }
    *copied = 1;
    return cast;
}

rp_array *rp_array_from_object(rp_module_state *state, PyObject *obj, int dtype)
{
    int copied;
    return rp_array_convert(state, obj, dtype, &copied);
}

/* a[i, j] = value where value is a sequence or an array with axes (a 0-d array is cast as an
 * array): NumPy stores one element the way its dtype's scalar conversion reads the value. A bool
 * takes the value's truth (bool([0]) is True, a size-1 array its element's truth, other arrays
 * are ambiguous: ValueError); integers and floats refuse it, with a TypeError for a sequence into
 * an integer (int() of a list) and a ValueError otherwise. */
static int assign_sequence_to_element(rp_array *target, PyObject *value, bool is_sequence)
{
    if (target->dtype == RP_BOOL) {
        int truth = PyObject_IsTrue(value);
        if (truth < 0) {
            return -1;
        }
        rp_scalar converted = {.dtype = RP_BOOL, .value.b = truth};
        rp_array_fill(target, &converted); /* target is writeable: checked by the caller */
        return 0;
    }
    if (is_sequence && rp_dtype_is_integer(target->dtype)) {
        PyErr_Format(PyExc_TypeError,
                     "int() argument must be a string, a bytes-like object or a real number, "
                     "not '%s'", Py_TYPE(value)->tp_name);
        return -1;
    }
    PyErr_SetString(PyExc_ValueError, "setting an array element with a sequence.");
    return -1;
}

int rp_assign_from_object(rp_module_state *state, rp_array *target, PyObject *value,
                          bool one_element)
{
    if (!(target->flags & RP_ARRAY_WRITEABLE)) {
        PyErr_SetString(PyExc_ValueError, "assignment destination is read-only");
        return -1;
    }
    int kind = classify(state, value);
    if (kind < 0) {
        return -1;
    }
    rp_status status;
    int warnings = 0;
    if (kind == OBJECT_SEQUENCE && one_element) {
        return assign_sequence_to_element(target, value, true);
    }
    if (kind == OBJECT_SCALAR) {
        rp_scalar converted;
        if (rp_scalar_from_object_as(value, target->dtype, &converted) != 0) {
            return -1;
        }
        status = rp_array_fill(target, &converted);
    } else {
        /* Sequences are built in the target's dtype so each element gets setitem's checks;
         * arrays keep their dtype and are cast on assignment. */
        rp_array *source = rp_array_from_object(
            state, value, kind == OBJECT_SEQUENCE ? (int)target->dtype : RP_NTYPES);
        if (source == NULL) {
            return -1;
        }
        if (one_element && source->ndim > 0) {
            rp_array_free(source);
            return assign_sequence_to_element(target, value, false);
        }
        if (kind == OBJECT_SEQUENCE && source->ndim > target->ndim) {
            PyErr_Format(PyExc_ValueError,
                         "setting an array element with a sequence. The requested array would "
                         "exceed the maximum number of dimension of %d.",
                         target->ndim);
            rp_array_free(source);
            return -1;
        }
        status = rp_array_assign_checked(target, source, &warnings);
        rp_array_free(source);
    }
    if (status != RP_OK) {
        rp_raise_status(state, status);
        return -1;
    }
    return rp_warn_cast(warnings);
}

/* ===================================================================== order and copy flags */

int rp_order_from_object(PyObject *obj, char fallback, char *order)
{
    if (obj == NULL || obj == Py_None) {
        *order = fallback;
        return 0;
    }
    const char *text = PyUnicode_Check(obj) ? PyUnicode_AsUTF8(obj) : NULL;
    if (text != NULL && text[0] != '\0' && text[1] == '\0' && strchr("CFAKcfak", text[0])) {
        *order = (char)(text[0] & ~0x20); /* upper case */
        return 0;
    }
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "order must be one of 'C', 'F', 'A', or 'K'");
    return -1;
}

rp_order rp_resolve_order(const rp_array *a, char order)
{
    if (order == 'F' || (order != 'C' && rp_array_is_f_contiguous(a) &&
                         !rp_array_is_c_contiguous(a))) {
        return RP_ORDER_F;
    }
    return RP_ORDER_C;
}

rp_status rp_copy_in_order(const rp_array *a, rp_dtype dtype, char order, rp_array **out,
                           int *warnings)
{
    rp_array *copy;
    rp_status status = order == 'K'
                           ? rp_array_empty_like(a, dtype, &copy)
                           : rp_array_empty(dtype, a->ndim, a->shape, rp_resolve_order(a, order),
                                            &copy);
    if (status == RP_OK) {
        status = rp_array_assign_checked(copy, a, warnings);
        if (status != RP_OK) {
            rp_array_free(copy);
        } else {
            *out = copy;
        }
    }
    return status;
}

int rp_copy_from_object(PyObject *obj)
{
    if (obj == NULL || obj == Py_None) {
        return -1;
    }
    int value = PyObject_IsTrue(obj);
    return value < 0 ? -2 : value;
}
