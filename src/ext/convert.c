/*
 * convert.c — Python objects to core values: dtypes, shapes, scalars and array-likes.
 *
 * Array-likes are taken without copying whenever the core can describe them: a raptors array
 * becomes a view, an object with the buffer protocol (a NumPy array, a memoryview) is wrapped
 * with its Py_buffer released when the last view dies. Only nested sequences are copied.
 */
#include "binding.h"

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

/* ===================================================================== buffer import */

/* The dtype a buffer-protocol format string describes, or -1 (no exception) if unsupported. */
static int dtype_from_format(const char *format, Py_ssize_t itemsize)
{
    if (format == NULL) {
        return -1; /* plain bytes */
    }
    if (format[0] == '@' || format[0] == '=' || format[0] == '<') {
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

/* A view of obj's buffer, or NULL with *supported = 0 and no exception when obj has none. */
static rp_array *array_from_buffer_object(PyObject *obj, int *supported)
{
    *supported = 0;
    if (!PyObject_CheckBuffer(obj) || PyBytes_Check(obj) || PyByteArray_Check(obj) ||
        PyUnicode_Check(obj)) {
        return NULL;
    }
    Py_buffer *view = PyMem_RawMalloc(sizeof *view);
    if (view == NULL) {
        PyErr_NoMemory();
        *supported = 1;
        return NULL;
    }
    int flags = RP_ARRAY_WRITEABLE;
    if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS) != 0) {
        PyErr_Clear();
        flags = 0;
        if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO) != 0) {
            PyMem_RawFree(view);
            PyErr_Clear();
            return NULL;
        }
    }
    *supported = 1;
    int dtype = dtype_from_format(view->format, view->itemsize);
    if (dtype < 0) {
        PyErr_Format(PyExc_TypeError, "raptors does not support the buffer format '%s'",
                     view->format ? view->format : "B");
        PyBuffer_Release(view);
        PyMem_RawFree(view);
        return NULL;
    }
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS];
    if (view->ndim > RP_MAXDIMS) {
        PyErr_SetString(PyExc_ValueError, "too many dimensions");
        PyBuffer_Release(view);
        PyMem_RawFree(view);
        return NULL;
    }
    for (int i = 0; i < view->ndim; i++) {
        shape[i] = view->shape[i];
        strides[i] = view->strides[i];
    }
    rp_buffer *buffer;
    rp_status status = rp_buffer_wrap(view->buf, (size_t)view->len, release_py_buffer, view,
                                      &buffer);
    if (status != RP_OK) {
        PyBuffer_Release(view);
        PyMem_RawFree(view);
        rp_raise_status(NULL, status);
        return NULL;
    }
    rp_array *array = NULL;
    status = rp_array_from_buffer(buffer, view->buf, (rp_dtype)dtype, view->ndim, shape, strides,
                                  flags, &array);
    rp_buffer_decref(buffer); /* the array holds it now, or it is released here */
    if (status != RP_OK) {
        rp_raise_status(NULL, status);
        return NULL;
    }
    return array;
}

/* ===================================================================== scalars */

int rp_scalar_from_object(PyObject *obj, rp_scalar *out)
{
    if (PyBool_Check(obj)) {
        out->dtype = RP_BOOL;
        out->value.b = obj == Py_True;
        return 0;
    }
    if (PyLong_Check(obj)) {
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
        if (overflow) {
            PyErr_Format(PyExc_OverflowError, "Python integer %R out of bounds for int64", obj);
            return -1;
        }
        if (value == -1 && PyErr_Occurred()) {
            return -1;
        }
        out->dtype = RP_INT64;
        out->value.i64 = value;
        return 0;
    }
    if (PyFloat_Check(obj)) {
        out->dtype = RP_FLOAT64;
        out->value.f64 = PyFloat_AS_DOUBLE(obj);
        return 0;
    }
    /* NumPy scalars and 0-d arrays expose their value through the buffer protocol. */
    int supported;
    rp_array *array = array_from_buffer_object(obj, &supported);
    if (array != NULL) {
        rp_status status = rp_array_size(array) == 1 ? rp_array_get_flat(array, 0, out)
                                                      : RP_ERR_TYPE;
        rp_array_free(array);
        if (status == RP_OK) {
            return 0;
        }
    } else if (supported) {
        return -1;
    }
    PyErr_Format(PyExc_TypeError, "expected a number, got '%.100s'", Py_TYPE(obj)->tp_name);
    return -1;
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
} sequence_scan;

static int is_nested_sequence(rp_module_state *state, PyObject *obj)
{
    return PyList_Check(obj) || PyTuple_Check(obj) || rp_is_array(state, obj) ||
           (PyObject_CheckBuffer(obj) && !PyBytes_Check(obj) && !PyByteArray_Check(obj) &&
            PySequence_Check(obj));
}

static int ragged_error(int depth)
{
    PyErr_Format(PyExc_ValueError,
                 "setting an array element with a sequence. The requested array has an "
                 "inhomogeneous shape after %d dimensions.",
                 depth);
    return -1;
}

/* First pass: shape and dtype of a nested sequence. */
static int scan_sequence(sequence_scan *scan, PyObject *obj, int depth)
{
    if (!is_nested_sequence(scan->state, obj)) {
        if (scan->ndim >= 0 && scan->ndim != depth) {
            return ragged_error(depth < scan->ndim ? depth : scan->ndim);
        }
        scan->ndim = depth;
        rp_scalar value;
        if (rp_scalar_from_object(obj, &value) != 0) {
            return -1;
        }
        scan->dtype = scan->dtype < 0 ? (int)value.dtype
                                      : (int)rp_dtype_promote((rp_dtype)scan->dtype, value.dtype);
        return 0;
    }
    if (depth >= RP_MAXDIMS) {
        PyErr_SetString(PyExc_ValueError, "nested sequence is too deep");
        return -1;
    }
    if (scan->ndim >= 0 && depth >= scan->ndim) {
        return ragged_error(scan->ndim);
    }
    PyObject *seq = PySequence_Fast(obj, "expected a sequence");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int first_visit = scan->ndim < 0 || scan->shape[depth] < 0;
    if (first_visit) {
        scan->shape[depth] = n;
        for (int d = depth + 1; d < RP_MAXDIMS; d++) {
            scan->shape[d] = -1;
        }
    } else if (scan->shape[depth] != n) {
        Py_DECREF(seq);
        return ragged_error(depth);
    }
    if (n == 0 && scan->ndim < 0) {
        scan->ndim = depth + 1; /* [] and [[], []]: the empty level is the last */
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (scan_sequence(scan, PySequence_Fast_GET_ITEM(seq, i), depth + 1) != 0) {
            Py_DECREF(seq);
            return -1;
        }
    }
    Py_DECREF(seq);
    return 0;
}

/* Second pass: store the leaves into a C-contiguous array. */
static int fill_sequence(rp_array *array, PyObject *obj, int depth, char *data)
{
    if (depth == array->ndim) {
        rp_scalar value, converted;
        if (rp_scalar_from_object(obj, &value) != 0) {
            return -1;
        }
        rp_scalar_cast(&value, array->dtype, &converted);
        memcpy(data, &converted.value, rp_dtype_size(array->dtype));
        return 0;
    }
    PyObject *seq = PySequence_Fast(obj, "expected a sequence");
    if (seq == NULL) {
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (fill_sequence(array, PySequence_Fast_GET_ITEM(seq, i), depth + 1,
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
    sequence_scan scan = {.state = state, .ndim = -1, .dtype = -1};
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
    if (rp_array_size(array) > 0 && fill_sequence(array, obj, 0, array->data) != 0) {
        rp_array_free(array);
        return NULL;
    }
    return array;
}

/* ===================================================================== any array-like */

rp_array *rp_array_from_object(rp_module_state *state, PyObject *obj, int dtype)
{
    rp_array *array = NULL;
    rp_status status;
    if (rp_is_array(state, obj)) {
        status = rp_array_view(((RpArrayObject *)obj)->array, &array);
        if (status != RP_OK) {
            rp_raise_status(state, status);
            return NULL;
        }
    } else if (PyList_Check(obj) || PyTuple_Check(obj)) {
        return array_from_sequence(state, obj, dtype);
    } else {
        int supported;
        array = array_from_buffer_object(obj, &supported);
        if (array == NULL && supported) {
            return NULL;
        }
        if (array == NULL) {
            rp_scalar value;
            if (rp_scalar_from_object(obj, &value) != 0) {
                return NULL;
            }
            status = rp_array_full(value.dtype, 0, NULL, &value, &array);
            if (status != RP_OK) {
                rp_raise_status(state, status);
                return NULL;
            }
        }
    }
    if (dtype != RP_NTYPES && (rp_dtype)dtype != array->dtype) {
        rp_array *cast;
        status = rp_array_copy(array, (rp_dtype)dtype, RP_ORDER_C, &cast);
        rp_array_free(array);
        if (status != RP_OK) {
            rp_raise_status(state, status);
            return NULL;
        }
        array = cast;
    }
    return array;
}
