/*
 * array_type.c — the raptors.ndarray heap type: lifetime, attributes, shape methods, basic
 * indexing and the buffer protocol.
 *
 * Sections: object lifetime, attributes, shape and copy methods, indexing, buffer protocol,
 * type spec. Compute methods (sum, mean, operators) live in their own files and are added to
 * the type's method table through rp_array_compute_methods.
 */
#include "binding.h"

#include <string.h>

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* ===================================================================== object lifetime */

int rp_is_array(rp_module_state *state, PyObject *obj)
{
    return PyObject_TypeCheck(obj, state->array_type);
}

PyObject *rp_wrap_array(rp_module_state *state, rp_array *array)
{
    RpArrayObject *self = (RpArrayObject *)state->array_type->tp_alloc(state->array_type, 0);
    if (self == NULL) {
        rp_array_free(array);
        return NULL;
    }
    self->array = array;
    self->weakreflist = NULL;
    return (PyObject *)self;
}

static rp_module_state *state_of(PyObject *self) { return rp_state_from_type(Py_TYPE(self)); }

static rp_array *array_of(PyObject *self) { return ((RpArrayObject *)self)->array; }

/* Wraps the result of a core call that produced `array`, raising on failure. */
static PyObject *wrap_result(PyObject *self, rp_status status, rp_array *array)
{
    if (status != RP_OK) {
        return rp_raise_status(state_of(self), status);
    }
    return rp_wrap_array(state_of(self), array);
}

static PyObject *array_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"shape", "dtype", NULL};
    PyObject *shape_obj, *dtype_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O:ndarray", keywords, &shape_obj,
                                     &dtype_obj)) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_type(type);
    int64_t shape[RP_MAXDIMS];
    int ndim = rp_shape_from_object(shape_obj, shape);
    int dtype = ndim < 0 ? -1 : rp_dtype_from_object(state, dtype_obj, 1);
    if (dtype < 0) {
        return NULL;
    }
    rp_array *array = NULL;
    rp_status status = rp_array_empty(dtype == RP_NTYPES ? RP_FLOAT64 : (rp_dtype)dtype, ndim,
                                      shape, RP_ORDER_C, &array);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    RpArrayObject *self = (RpArrayObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        rp_array_free(array);
        return NULL;
    }
    self->array = array;
    return (PyObject *)self;
}

static void array_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    if (((RpArrayObject *)self)->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
    }
    rp_array_free(array_of(self));
    type->tp_free(self);
    Py_DECREF(type);
}

/* ===================================================================== attributes */

static PyObject *int64_tuple(int n, const int64_t *values)
{
    PyObject *tuple = PyTuple_New(n);
    if (tuple == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        PyObject *item = PyLong_FromLongLong(values[i]);
        if (item == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

static PyObject *get_shape(PyObject *self, void *closure)
{
    (void)closure;
    return int64_tuple(array_of(self)->ndim, array_of(self)->shape);
}

static PyObject *get_strides(PyObject *self, void *closure)
{
    (void)closure;
    return int64_tuple(array_of(self)->ndim, array_of(self)->strides);
}

static PyObject *get_ndim(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLong(array_of(self)->ndim);
}

static PyObject *get_size(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(rp_array_size(array_of(self)));
}

static PyObject *get_itemsize(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromSize_t(rp_array_itemsize(array_of(self)));
}

static PyObject *get_nbytes(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromLongLong(rp_array_size(array_of(self)) *
                               (int64_t)rp_array_itemsize(array_of(self)));
}

static PyObject *get_dtype(PyObject *self, void *closure)
{
    (void)closure;
    return rp_dtype_object(state_of(self), array_of(self)->dtype);
}

static PyObject *get_writeable(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(array_of(self)->flags & RP_ARRAY_WRITEABLE);
}

static PyObject *get_data_address(PyObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromVoidPtr(array_of(self)->data);
}

static PyObject *get_transposed(PyObject *self, void *closure)
{
    (void)closure;
    rp_array *view = NULL;
    rp_status status = rp_array_transpose(array_of(self), NULL, &view);
    return wrap_result(self, status, view);
}

static PyGetSetDef array_getset[] = {
    {"shape", get_shape, NULL, "Tuple of array dimensions.", NULL},
    {"strides", get_strides, NULL, "Tuple of bytes to step in each dimension.", NULL},
    {"ndim", get_ndim, NULL, "Number of array dimensions.", NULL},
    {"size", get_size, NULL, "Number of elements.", NULL},
    {"itemsize", get_itemsize, NULL, "Bytes per element.", NULL},
    {"nbytes", get_nbytes, NULL, "Bytes consumed by the elements.", NULL},
    {"dtype", get_dtype, NULL, "Data type of the elements.", NULL},
    {"T", get_transposed, NULL, "View with axes reversed.", NULL},
    {"_writeable", get_writeable, NULL, "Whether the data may be written.", NULL},
    {"_data_address", get_data_address, NULL, "Address of the first element.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ===================================================================== shape and copy methods */

static int parse_order(PyObject *obj, rp_order *order)
{
    if (obj == NULL || obj == Py_None) {
        *order = RP_ORDER_C;
        return 0;
    }
    const char *text = PyUnicode_Check(obj) ? PyUnicode_AsUTF8(obj) : NULL;
    if (text != NULL && (strcmp(text, "C") == 0 || strcmp(text, "A") == 0 ||
                         strcmp(text, "K") == 0)) {
        *order = RP_ORDER_C;
        return 0;
    }
    if (text != NULL && strcmp(text, "F") == 0) {
        *order = RP_ORDER_F;
        return 0;
    }
    PyErr_SetString(PyExc_ValueError, "order must be one of 'C', 'F', 'A', or 'K'");
    return -1;
}

/* reshape(*shape, order='C') — a view when the strides allow it. */
static PyObject *array_reshape(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *order_obj = NULL;
    if (kwargs != NULL) {
        order_obj = PyDict_GetItemString(kwargs, "order");
        if (PyDict_Size(kwargs) != (order_obj != NULL)) {
            PyErr_SetString(PyExc_TypeError, "reshape() got an unexpected keyword argument");
            return NULL;
        }
    }
    rp_order order;
    if (parse_order(order_obj, &order) != 0) {
        return NULL;
    }
    PyObject *shape_obj = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
    int64_t shape[RP_MAXDIMS];
    int ndim = rp_shape_from_object(shape_obj, shape);
    if (ndim < 0) {
        return NULL;
    }
    rp_array *result = NULL;
    rp_status status = rp_array_reshape(array_of(self), ndim, shape, order, &result);
    return wrap_result(self, status, result);
}

/* transpose(*axes) — axes as separate ints, one tuple, or none. */
static PyObject *array_transpose(PyObject *self, PyObject *args)
{
    rp_array *a = array_of(self);
    PyObject *axes_obj = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
    int axes[RP_MAXDIMS];
    const int *axes_ptr = NULL;
    if (axes_obj != Py_None && !(PyTuple_Check(axes_obj) && PyTuple_GET_SIZE(axes_obj) == 0)) {
        int64_t values[RP_MAXDIMS];
        int n = rp_shape_from_object(axes_obj, values);
        if (n < 0) {
            return NULL;
        }
        if (n != a->ndim) {
            PyErr_SetString(PyExc_ValueError, "axes don't match array");
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            axes[i] = (int)values[i];
        }
        axes_ptr = axes;
    }
    rp_array *view = NULL;
    rp_status status = rp_array_transpose(a, axes_ptr, &view);
    return wrap_result(self, status, view);
}

/* astype(dtype, order='K', casting='unsafe', subok=True, copy=True) */
static PyObject *array_astype(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"dtype", "order", "casting", "subok", "copy", NULL};
    PyObject *dtype_obj, *order_obj = NULL, *casting = NULL, *subok = NULL;
    int copy = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|OOOp:astype", keywords, &dtype_obj,
                                     &order_obj, &casting, &subok, &copy)) {
        return NULL;
    }
    rp_order order;
    int dtype = rp_dtype_from_object(state_of(self), dtype_obj, 0);
    if (dtype < 0 || parse_order(order_obj, &order) != 0) {
        return NULL;
    }
    rp_array *a = array_of(self);
    if (!copy && a->dtype == (rp_dtype)dtype) {
        return Py_NewRef(self);
    }
    rp_array *result = NULL;
    rp_status status = rp_array_copy(a, (rp_dtype)dtype, order, &result);
    return wrap_result(self, status, result);
}

static PyObject *array_copy(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"order", NULL};
    PyObject *order_obj = NULL;
    rp_order order;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:copy", keywords, &order_obj) ||
        parse_order(order_obj, &order) != 0) {
        return NULL;
    }
    rp_array *result = NULL;
    rp_status status = rp_array_copy(array_of(self), array_of(self)->dtype, order, &result);
    return wrap_result(self, status, result);
}

static PyObject *array_is_c_contiguous(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(rp_array_is_c_contiguous(array_of(self)));
}

static PyObject *array_is_f_contiguous(PyObject *self, PyObject *unused)
{
    (void)unused;
    return PyBool_FromLong(rp_array_is_f_contiguous(array_of(self)));
}

static PyMethodDef array_methods[] = {
    {"reshape", (PyCFunction)(void (*)(void))array_reshape, METH_VARARGS | METH_KEYWORDS,
     "Array with a new shape; a view when possible."},
    {"transpose", array_transpose, METH_VARARGS, "View with axes permuted."},
    {"astype", (PyCFunction)(void (*)(void))array_astype, METH_VARARGS | METH_KEYWORDS,
     "Copy cast to a dtype."},
    {"copy", (PyCFunction)(void (*)(void))array_copy, METH_VARARGS | METH_KEYWORDS,
     "A copy of the array."},
    {"is_c_contiguous", array_is_c_contiguous, METH_NOARGS, "True if C-contiguous."},
    {"is_f_contiguous", array_is_f_contiguous, METH_NOARGS, "True if Fortran-contiguous."},
    {NULL, NULL, 0, NULL},
};

/* ===================================================================== indexing */

/* Converts one Python index item; returns -1 with an exception set. */
static int parse_index_item(PyObject *obj, rp_index *item)
{
    memset(item, 0, sizeof *item);
    if (obj == Py_Ellipsis) {
        item->kind = RP_INDEX_ELLIPSIS;
        return 0;
    }
    if (obj == Py_None) {
        item->kind = RP_INDEX_NEWAXIS;
        return 0;
    }
    if (PySlice_Check(obj)) {
        Py_ssize_t start, stop, step;
        PySliceObject *slice = (PySliceObject *)obj;
        if (PySlice_Unpack(obj, &start, &stop, &step) != 0) {
            return -1;
        }
        item->kind = RP_INDEX_SLICE;
        item->start = start;
        item->stop = stop;
        item->step = step;
        item->has_start = slice->start != Py_None;
        item->has_stop = slice->stop != Py_None;
        if (step == 0) {
            PyErr_SetString(PyExc_ValueError, "slice step cannot be zero");
            return -1;
        }
        return 0;
    }
    if (PyIndex_Check(obj) && !PyBool_Check(obj)) {
        Py_ssize_t value = PyNumber_AsSsize_t(obj, PyExc_IndexError);
        if (value == -1 && PyErr_Occurred()) {
            return -1;
        }
        item->kind = RP_INDEX_INTEGER;
        item->integer = value;
        return 0;
    }
    PyErr_SetString(PyExc_IndexError,
                    "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and "
                    "integer or boolean arrays are valid indices");
    return -1;
}

/* The view selected by a Python index, or NULL with an exception set. */
static rp_array *index_view(PyObject *self, PyObject *key)
{
    rp_index items[RP_MAXDIMS * 2];
    int nitems;
    if (PyTuple_Check(key)) {
        Py_ssize_t n = PyTuple_GET_SIZE(key);
        if (n > RP_MAXDIMS * 2) {
            PyErr_SetString(PyExc_IndexError, "too many indices for array");
            return NULL;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            if (parse_index_item(PyTuple_GET_ITEM(key, i), &items[i]) != 0) {
                return NULL;
            }
        }
        nitems = (int)n;
    } else {
        if (parse_index_item(key, &items[0]) != 0) {
            return NULL;
        }
        nitems = 1;
    }
    rp_array *view;
    rp_status status = rp_array_index(array_of(self), items, nitems, &view);
    if (status != RP_OK) {
        rp_raise_status(state_of(self), status);
        return NULL;
    }
    return view;
}

static PyObject *array_subscript(PyObject *self, PyObject *key)
{
    rp_array *view = index_view(self, key);
    if (view == NULL) {
        return NULL;
    }
    /* An index made only of integers selects one element: NumPy gives a scalar for it. */
    int only_integers = view->ndim == 0;
    if (PyTuple_Check(key)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(key) && only_integers; i++) {
            only_integers = PyIndex_Check(PyTuple_GET_ITEM(key, i));
        }
    } else {
        only_integers = only_integers && PyIndex_Check(key);
    }
    if (only_integers) {
        rp_scalar value;
        rp_array_get_flat(view, 0, &value);
        rp_array_free(view);
        return rp_scalar_to_object(&value);
    }
    return rp_wrap_array(state_of(self), view);
}

static int array_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_ValueError, "cannot delete array elements");
        return -1;
    }
    rp_module_state *state = state_of(self);
    rp_array *target = index_view(self, key);
    if (target == NULL) {
        return -1;
    }
    rp_array *source = rp_array_from_object(state, value, RP_NTYPES);
    if (source == NULL) {
        rp_array_free(target);
        return -1;
    }
    rp_status status = rp_array_assign(target, source);
    rp_array_free(source);
    rp_array_free(target);
    if (status != RP_OK) {
        rp_raise_status(state, status);
        return -1;
    }
    return 0;
}

/* a[i] through the sequence protocol, so that iter(a) walks the first axis. */
static PyObject *array_item(PyObject *self, Py_ssize_t i)
{
    PyObject *key = PyLong_FromSsize_t(i);
    if (key == NULL) {
        return NULL;
    }
    PyObject *result = array_subscript(self, key);
    Py_DECREF(key);
    return result;
}

static Py_ssize_t array_length(PyObject *self)
{
    rp_array *a = array_of(self);
    if (a->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "len() of unsized object");
        return -1;
    }
    return a->shape[0];
}

/* ===================================================================== buffer protocol */

static const char *buffer_format(rp_dtype dtype)
{
    switch (dtype) {
    case RP_BOOL: return "?";
    case RP_INT32: return "i";
    case RP_INT64: return "q";
    case RP_FLOAT32: return "f";
    case RP_FLOAT64: return "d";
    default: return "B";
    }
}

static int array_getbuffer(PyObject *self, Py_buffer *view, int flags)
{
    rp_array *a = array_of(self);
    if ((flags & PyBUF_WRITABLE) && !(a->flags & RP_ARRAY_WRITEABLE)) {
        PyErr_SetString(PyExc_BufferError, "raptors array is read-only");
        return -1;
    }
    bool c_contiguous = rp_array_is_c_contiguous(a);
    if ((flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS && !c_contiguous) {
        PyErr_SetString(PyExc_BufferError, "raptors array is not C-contiguous");
        return -1;
    }
    if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && !rp_array_is_f_contiguous(a)) {
        PyErr_SetString(PyExc_BufferError, "raptors array is not Fortran-contiguous");
        return -1;
    }
    if ((flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS && !c_contiguous &&
        !rp_array_is_f_contiguous(a)) {
        PyErr_SetString(PyExc_BufferError, "raptors array is not contiguous");
        return -1;
    }
    if (!(flags & PyBUF_STRIDES) && !c_contiguous) {
        PyErr_SetString(PyExc_BufferError, "raptors array is not C-contiguous");
        return -1;
    }
    view->buf = a->data;
    view->obj = Py_NewRef(self);
    view->itemsize = (Py_ssize_t)rp_array_itemsize(a);
    view->len = (Py_ssize_t)(rp_array_size(a) * view->itemsize);
    view->readonly = !(a->flags & RP_ARRAY_WRITEABLE);
    view->ndim = a->ndim;
    view->format = (flags & PyBUF_FORMAT) ? (char *)buffer_format(a->dtype) : NULL;
    view->shape = (flags & PyBUF_ND) ? (Py_ssize_t *)a->shape : NULL;
    view->strides = (flags & PyBUF_STRIDES) ? (Py_ssize_t *)a->strides : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

/* ===================================================================== type spec */

static PyMemberDef array_members[] = {
    {"__weaklistoffset__", Py_T_PYSSIZET, offsetof(RpArrayObject, weakreflist), Py_READONLY,
     NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot array_slots[] = {
    {Py_tp_new, array_new},
    {Py_tp_dealloc, array_dealloc},
    {Py_tp_getset, array_getset},
    {Py_tp_methods, array_methods},
    {Py_tp_members, array_members},
    {Py_tp_doc, "An N-dimensional strided array backed by the Raptors C core."},
    /* as mapping */
    {Py_mp_subscript, array_subscript},
    {Py_mp_ass_subscript, array_ass_subscript},
    {Py_mp_length, array_length},
    /* as sequence (len() and iteration over the first axis) */
    {Py_sq_length, array_length},
    {Py_sq_item, array_item},
    /* as buffer */
    {Py_bf_getbuffer, array_getbuffer},
    /* as number, and comparisons (compute.c) */
    {Py_nb_add, rp_array_add},
    {Py_nb_subtract, rp_array_subtract},
    {Py_nb_multiply, rp_array_multiply},
    {Py_nb_true_divide, rp_array_true_divide},
    {Py_nb_floor_divide, rp_array_floor_divide},
    {Py_nb_remainder, rp_array_remainder},
    {Py_nb_power, rp_array_power},
    {Py_nb_and, rp_array_and},
    {Py_nb_or, rp_array_or},
    {Py_nb_xor, rp_array_xor},
    {Py_nb_inplace_add, rp_array_inplace_add},
    {Py_nb_inplace_subtract, rp_array_inplace_subtract},
    {Py_nb_inplace_multiply, rp_array_inplace_multiply},
    {Py_nb_inplace_true_divide, rp_array_inplace_true_divide},
    {Py_nb_inplace_floor_divide, rp_array_inplace_floor_divide},
    {Py_nb_inplace_remainder, rp_array_inplace_remainder},
    {Py_nb_inplace_power, rp_array_inplace_power},
    {Py_nb_inplace_and, rp_array_inplace_and},
    {Py_nb_inplace_or, rp_array_inplace_or},
    {Py_nb_inplace_xor, rp_array_inplace_xor},
    {Py_nb_negative, rp_array_negative},
    {Py_nb_positive, rp_array_positive},
    {Py_nb_absolute, rp_array_absolute},
    {Py_nb_invert, rp_array_invert},
    {Py_nb_bool, rp_array_bool},
    {Py_tp_richcompare, rp_array_richcompare},
    {0, NULL},
};

PyType_Spec rp_array_type_spec = {
    .name = "raptors.ndarray",
    .basicsize = sizeof(RpArrayObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = array_slots,
};
