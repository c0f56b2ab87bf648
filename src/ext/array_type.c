/*
 * array_type.c — the raptors.ndarray heap type: lifetime, attributes, shape methods, basic
 * indexing and the buffer protocol.
 *
 * Sections: object lifetime, attributes, shape and copy methods, element access, indexing,
 * buffer protocol, type spec. Interop methods (DLPack, the array interface) live in interop.c,
 * compute methods and operators in their own files; the tables below only list them. Methods
 * that need NumPy (repr, tolist, pickling) are added by the Python package.
 */
#include "binding.h"
#include "compute_binding.h"

#include <string.h>

#if PY_VERSION_HEX < 0x030C0000
#include <structmember.h>
#define Py_T_PYSSIZET T_PYSSIZET
#define Py_READONLY READONLY
#endif

/* ===================================================================== object lifetime */

static rp_module_state *state_of(PyObject *self) { return rp_state_from_type(Py_TYPE(self)); }

static rp_array *array_of(PyObject *self) { return ((RpArrayObject *)self)->array; }

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
    self->base = NULL;
    return (PyObject *)self;
}


PyObject *rp_wrap_view_of(rp_module_state *state, rp_array *array, PyObject *source)
{
    PyObject *result = rp_wrap_array(state, array);
    if (result != NULL && array->buffer == array_of(source)->buffer) {
        PyObject *base = ((RpArrayObject *)source)->base;
        ((RpArrayObject *)result)->base = Py_NewRef(base != NULL ? base : source);
    }
    return result;
}

/* Wraps the result of a core call on self, raising on failure. */
static PyObject *wrap_result(PyObject *self, rp_status status, rp_array *array)
{
    if (status != RP_OK) {
        return rp_raise_status(state_of(self), status);
    }
    return rp_wrap_view_of(state_of(self), array, self);
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
    self->base = NULL;
    return (PyObject *)self;
}

static void array_dealloc(PyObject *self)
{
    PyTypeObject *type = Py_TYPE(self);
    if (((RpArrayObject *)self)->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
    }
    rp_array_free(array_of(self));
    Py_XDECREF(((RpArrayObject *)self)->base);
    type->tp_free(self);
    Py_DECREF(type);
}

/* ===================================================================== attributes */

static PyObject *get_shape(PyObject *self, void *closure)
{
    (void)closure;
    return rp_int64_tuple(array_of(self)->ndim, array_of(self)->shape);
}

static PyObject *get_strides(PyObject *self, void *closure)
{
    (void)closure;
    return rp_int64_tuple(array_of(self)->ndim, array_of(self)->strides);
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

static PyObject *get_base(PyObject *self, void *closure)
{
    (void)closure;
    PyObject *base = ((RpArrayObject *)self)->base;
    return Py_NewRef(base != NULL ? base : Py_None);
}

static PyObject *get_writeable(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(array_of(self)->flags & RP_ARRAY_WRITEABLE);
}

/* Any array may become read-only; only memory Raptors allocated may become writeable again,
 * because a view cannot know whether its memory (bytes, a read-only export) allows writing. */
static int set_writeable(PyObject *self, PyObject *value, void *closure)
{
    (void)closure;
    rp_array *a = array_of(self);
    int writeable = value == NULL ? -1 : PyObject_IsTrue(value);
    if (writeable < 0) {
        if (value == NULL) {
            PyErr_SetString(PyExc_AttributeError, "cannot delete the writeable flag");
        }
        return -1;
    }
    if (!writeable) {
        a->flags &= ~RP_ARRAY_WRITEABLE;
    } else if (a->flags & RP_ARRAY_OWNDATA) {
        a->flags |= RP_ARRAY_WRITEABLE;
    } else if (!(a->flags & RP_ARRAY_WRITEABLE)) {
        PyErr_SetString(PyExc_ValueError, "cannot set WRITEABLE flag to True of this array");
        return -1;
    }
    return 0;
}

static PyObject *get_owndata(PyObject *self, void *closure)
{
    (void)closure;
    return PyBool_FromLong(array_of(self)->flags & RP_ARRAY_OWNDATA);
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
    {"base", get_base, NULL, "The array this view was taken from, or None.", NULL},
    {"__array_interface__", rp_array_interface, NULL, "NumPy's array interface (version 3).",
     NULL},
    {"_writeable", get_writeable, set_writeable, "Whether the data may be written.", NULL},
    {"_owndata", get_owndata, NULL, "Whether this array allocated its memory.", NULL},
    {"_data_address", get_data_address, NULL, "Address of the first element.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

/* ===================================================================== shape and copy methods */

/* reshape(*shape, order='C', copy=None) — a view when the strides allow it. */
static PyObject *array_reshape(PyObject *self, PyObject *args, PyObject *kwargs)
{
    PyObject *order_obj = NULL, *copy_obj = NULL, *shape_kw = NULL;
    if (kwargs != NULL) {
        order_obj = PyDict_GetItemString(kwargs, "order");
        copy_obj = PyDict_GetItemString(kwargs, "copy");
        shape_kw = PyDict_GetItemString(kwargs, "shape");
        if (PyDict_Size(kwargs) != (order_obj != NULL) + (copy_obj != NULL) + (shape_kw != NULL)) {
            PyErr_SetString(PyExc_TypeError, "reshape() got an unexpected keyword argument");
            return NULL;
        }
    }
    if ((shape_kw != NULL) == (PyTuple_GET_SIZE(args) > 0)) {
        PyErr_SetString(PyExc_TypeError, shape_kw != NULL
                                             ? "reshape() got multiple values for 'shape'"
                                             : "reshape() missing required argument 'shape'");
        return NULL;
    }
    char order;
    int copy = rp_copy_from_object(copy_obj);
    if (copy == -2 || rp_order_from_object(order_obj, 'C', &order) != 0) {
        return NULL;
    }
    if (order == 'K') {
        PyErr_SetString(PyExc_ValueError, "order 'K' is not permitted for reshaping");
        return NULL;
    }
    PyObject *shape_obj = shape_kw != NULL               ? shape_kw
                          : PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0)
                                                        : args;
    int64_t shape[RP_MAXDIMS];
    int ndim = rp_shape_from_object(shape_obj, shape);
    if (ndim < 0) {
        return NULL;
    }
    rp_array *a = array_of(self), *result = NULL;
    rp_order layout = rp_resolve_order(a, order);
    rp_status status;
    if (copy == 1) {
        rp_array *copied;
        status = rp_array_copy(a, a->dtype, layout, &copied);
        if (status == RP_OK) {
            status = rp_array_reshape(copied, ndim, shape, layout, &result);
            rp_array_free(copied);
        }
    } else {
        status = rp_array_reshape_view(a, ndim, shape, layout, &result);
        if (status == RP_OK && result == NULL) {
            if (copy == 0) {
                PyErr_SetString(PyExc_ValueError,
                                "Unable to avoid creating a copy while reshaping.");
                return NULL;
            }
            status = rp_array_reshape(a, ndim, shape, layout, &result);
        }
    }
    return wrap_result(self, status, result);
}

/* transpose(*axes) — axes as separate ints, one sequence, or none (also None): reversed. An
 * explicit empty sequence, transpose(()), names no axes, which only fits a 0-d array. */
static PyObject *array_transpose(PyObject *self, PyObject *args)
{
    rp_array *a = array_of(self);
    PyObject *axes_obj = PyTuple_GET_SIZE(args) == 1 ? PyTuple_GET_ITEM(args, 0) : args;
    int axes[RP_MAXDIMS];
    const int *axes_ptr = NULL;
    if (axes_obj != Py_None && PyTuple_GET_SIZE(args) > 0) {
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
            if (values[i] < -a->ndim || values[i] >= a->ndim) {
                rp_status status = rp_error(RP_ERR_AXIS,
                                            "axis %lld is out of bounds for array of dimension %d",
                                            (long long)values[i], a->ndim);
                return rp_raise_status(state_of(self), status);
            }
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
    if (casting != NULL && casting != Py_None &&
        !(PyUnicode_Check(casting) && PyUnicode_CompareWithASCIIString(casting, "unsafe") == 0)) {
        PyErr_SetString(PyExc_NotImplementedError, "raptors casts with casting='unsafe' only");
        return NULL;
    }
    char order;
    int dtype = rp_dtype_from_object(state_of(self), dtype_obj, 0);
    if (dtype < 0 || rp_order_from_object(order_obj, 'K', &order) != 0) {
        return NULL;
    }
    rp_array *a = array_of(self);
    bool layout_ok = order == 'K' || order == 'A' ||
                     (order == 'C' ? rp_array_is_c_contiguous(a) : rp_array_is_f_contiguous(a));
    if (!copy && a->dtype == (rp_dtype)dtype && layout_ok) {
        return Py_NewRef(self);
    }
    rp_array *result = NULL;
    int warnings = 0;
    rp_status status = rp_copy_in_order(a, (rp_dtype)dtype, order, &result, &warnings);
    if (status == RP_OK && rp_warn_cast(warnings) != 0) {
        rp_array_free(result);
        return NULL;
    }
    return wrap_result(self, status, result);
}

/* copy(order='C') */
static PyObject *array_copy(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"order", NULL};
    PyObject *order_obj = NULL;
    char order;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:copy", keywords, &order_obj) ||
        rp_order_from_object(order_obj, 'C', &order) != 0) {
        return NULL;
    }
    rp_array *result = NULL;
    int no_cast = 0;
    rp_status status = rp_copy_in_order(array_of(self), array_of(self)->dtype, order, &result,
                                        &no_cast);
    return wrap_result(self, status, result);
}

/* __copy__() and __deepcopy__(memo): a copy keeping the memory order, as NumPy's. */
static PyObject *array_copy_keep_order(PyObject *self, PyObject *args)
{
    (void)args;
    rp_array *result = NULL;
    int no_cast = 0;
    rp_status status = rp_copy_in_order(array_of(self), array_of(self)->dtype, 'K', &result,
                                        &no_cast);
    return wrap_result(self, status, result);
}

/* The 1-D reading of a in NumPy's `order`; a view when one exists unless `force_copy`. 'K'
 * reads in memory order: the axes sorted by |stride|, each walked in index order. */
static rp_status flatten_in_order(const rp_array *a, char order, bool force_copy,
                                  rp_array **out)
{
    rp_array *source = NULL;
    rp_status status;
    if (order == 'K') {
        int axes[RP_MAXDIMS];
        rp_array_memory_order(a, axes);
        status = rp_array_transpose(a, axes, &source);
        if (status != RP_OK) {
            return status;
        }
        a = source;
    }
    rp_order layout = order == 'K' ? RP_ORDER_C : rp_resolve_order(a, order);
    if (force_copy) {
        status = rp_array_copy(a, a->dtype, layout, out);
        if (status == RP_OK) {
            (*out)->shape[0] = rp_array_size(a);
            (*out)->strides[0] = (int64_t)rp_array_itemsize(a);
            (*out)->ndim = 1;
        }
    } else {
        status = rp_array_ravel(a, layout, out);
    }
    rp_array_free(source);
    return status;
}

static PyObject *flatten_method(PyObject *self, PyObject *args, PyObject *kwargs,
                                bool force_copy, const char *format)
{
    static char *keywords[] = {"order", NULL};
    PyObject *order_obj = NULL;
    char order;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, format, keywords, &order_obj) ||
        rp_order_from_object(order_obj, 'C', &order) != 0) {
        return NULL;
    }
    rp_array *result = NULL;
    rp_status status = flatten_in_order(array_of(self), order, force_copy, &result);
    return wrap_result(self, status, result);
}

/* ravel(order='C') — a view when the elements are contiguous in that order. */
static PyObject *array_ravel(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return flatten_method(self, args, kwargs, false, "|O:ravel");
}

/* flatten(order='C') — always a copy. */
static PyObject *array_flatten(PyObject *self, PyObject *args, PyObject *kwargs)
{
    return flatten_method(self, args, kwargs, true, "|O:flatten");
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

/* ===================================================================== element access */

/* fill(value) — value is a scalar (or 0-d array), stored with NumPy's setitem checks. */
static PyObject *array_fill(PyObject *self, PyObject *value)
{
    rp_array *a = array_of(self);
    if (!(a->flags & RP_ARRAY_WRITEABLE)) {
        PyErr_SetString(PyExc_ValueError, "assignment destination is read-only");
        return NULL;
    }
    rp_scalar converted;
    if (rp_scalar_from_object_as(value, a->dtype, &converted) != 0) {
        return NULL;
    }
    rp_status status = rp_array_fill(a, &converted);
    if (status != RP_OK) {
        return rp_raise_status(state_of(self), status);
    }
    Py_RETURN_NONE;
}

/* item(*args) — one element as a Python scalar: no argument (size-1 arrays), a flat index, or
 * one index per axis (given separately or as a tuple). */
static PyObject *array_item_method(PyObject *self, PyObject *args)
{
    rp_array *a = array_of(self);
    Py_ssize_t nargs = PyTuple_GET_SIZE(args);
    if (nargs == 1 && PyTuple_Check(PyTuple_GET_ITEM(args, 0))) {
        args = PyTuple_GET_ITEM(args, 0);
        nargs = PyTuple_GET_SIZE(args);
        if (nargs != a->ndim) {
            PyErr_SetString(PyExc_ValueError, "incorrect number of indices for array");
            return NULL;
        }
    }
    rp_scalar value;
    rp_status status;
    if (nargs == 0 && a->ndim > 0) {
        if (rp_array_size(a) != 1) {
            PyErr_SetString(PyExc_ValueError,
                            "can only convert an array of size 1 to a Python scalar");
            return NULL;
        }
        status = rp_array_get_flat(a, 0, &value);
    } else if (nargs == 1 && a->ndim != 1) {
        /* NumPy: an index beyond int64 is an OverflowError here. */
        Py_ssize_t flat = PyNumber_AsSsize_t(PyTuple_GET_ITEM(args, 0), PyExc_OverflowError);
        if (flat == -1 && PyErr_Occurred()) {
            return NULL;
        }
        int64_t size = rp_array_size(a);
        if (flat < -size || flat >= size) {
            PyErr_Format(PyExc_IndexError, "index %zd is out of bounds for size %lld", flat,
                         (long long)size);
            return NULL;
        }
        status = rp_array_get_flat(a, flat < 0 ? flat + size : flat, &value);
    } else {
        if (nargs != a->ndim) {
            PyErr_SetString(PyExc_ValueError, "incorrect number of indices for array");
            return NULL;
        }
        rp_index items[RP_MAXDIMS];
        for (Py_ssize_t i = 0; i < nargs; i++) {
            Py_ssize_t position =
                PyNumber_AsSsize_t(PyTuple_GET_ITEM(args, i), PyExc_OverflowError);
            if (position == -1 && PyErr_Occurred()) {
                return NULL;
            }
            items[i] = (rp_index){.kind = RP_INDEX_INTEGER, .integer = position};
        }
        rp_array *element = NULL;
        status = rp_array_index(a, items, (int)nargs, &element);
        if (status == RP_OK) {
            status = rp_array_get_flat(element, 0, &value);
            rp_array_free(element);
        }
    }
    if (status != RP_OK) {
        return rp_raise_status(state_of(self), status);
    }
    return rp_scalar_to_object(&value);
}

static PyMethodDef array_methods[] = {
    {"reshape", (PyCFunction)(void (*)(void))array_reshape, METH_VARARGS | METH_KEYWORDS,
     "reshape(*shape, order='C', copy=None): a new shape, a view when possible."},
    {"transpose", array_transpose, METH_VARARGS, "transpose(*axes): view with axes permuted."},
    {"astype", (PyCFunction)(void (*)(void))array_astype, METH_VARARGS | METH_KEYWORDS,
     "astype(dtype, order='K', casting='unsafe', subok=True, copy=True): cast copy."},
    {"copy", (PyCFunction)(void (*)(void))array_copy, METH_VARARGS | METH_KEYWORDS,
     "copy(order='C'): a copy of the array."},
    {"__copy__", array_copy_keep_order, METH_NOARGS, "A copy in the same memory order."},
    {"__deepcopy__", array_copy_keep_order, METH_O, "A copy in the same memory order."},
    {"ravel", (PyCFunction)(void (*)(void))array_ravel, METH_VARARGS | METH_KEYWORDS,
     "ravel(order='C'): 1-D, a view when the data is contiguous in that order."},
    {"flatten", (PyCFunction)(void (*)(void))array_flatten, METH_VARARGS | METH_KEYWORDS,
     "flatten(order='C'): 1-D copy."},
    {"fill", array_fill, METH_O, "fill(value): set every element to a scalar."},
    {"item", array_item_method, METH_VARARGS,
     "item(*args): one element as a Python scalar (flat index or one index per axis)."},
    {"is_c_contiguous", array_is_c_contiguous, METH_NOARGS, "True if C-contiguous."},
    {"is_f_contiguous", array_is_f_contiguous, METH_NOARGS, "True if Fortran-contiguous."},
    {"__dlpack__", (PyCFunction)(void (*)(void))rp_array_dlpack, METH_VARARGS | METH_KEYWORDS,
     "__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None): a DLPack "
     "capsule sharing this array's memory."},
    {"__dlpack_device__", rp_array_dlpack_device, METH_NOARGS,
     "__dlpack_device__(): (1, 0), the CPU."},
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
        PyObject *integer = PyNumber_Index(obj);
        if (integer == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
                return -1;
            }
            PyErr_Clear(); /* an array with __index__, e.g. a NumPy integer array */
        } else {
            int overflow;
            long long value = PyLong_AsLongLongAndOverflow(integer, &overflow);
            /* Beyond int64, NumPy reads the int as an array index: one that fits uint64 then
             * fails to convert (OverflowError), a larger one is not a valid index at all. */
            bool fits_uint64 = false;
            if (overflow > 0) {
                PyLong_AsUnsignedLongLong(integer);
                fits_uint64 = !PyErr_Occurred();
                PyErr_Clear();
            }
            Py_DECREF(integer);
            if (overflow == 0) {
                item->kind = RP_INDEX_INTEGER;
                item->integer = value;
                return 0;
            }
            if (fits_uint64) {
                PyErr_SetString(PyExc_OverflowError, "Python int too large to convert to C long");
                return -1;
            }
        }
    }
    PyErr_SetString(PyExc_IndexError,
                    "only integers, slices (`:`), ellipsis (`...`) and None (`newaxis`) are "
                    "valid indices; raptors does not support integer or boolean array indices");
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

/* True when `key` (which selected `view`) is made only of integers, or is `()` on a 0-d array:
 * NumPy reads such an element as a scalar and writes it from a scalar only. */
static bool selects_one_element(const rp_array *view, PyObject *key)
{
    bool only_integers = view->ndim == 0;
    if (PyTuple_Check(key)) {
        for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(key) && only_integers; i++) {
            only_integers = PyIndex_Check(PyTuple_GET_ITEM(key, i));
        }
    } else {
        only_integers = only_integers && PyIndex_Check(key);
    }
    return only_integers;
}

static PyObject *array_subscript(PyObject *self, PyObject *key)
{
    rp_array *view = index_view(self, key);
    if (view == NULL) {
        return NULL;
    }
    if (selects_one_element(view, key)) {
        return rp_compute_result(state_of(self), view); /* a NumPy scalar, as NumPy gives */
    }
    return wrap_result(self, RP_OK, view);
}

static int array_ass_subscript(PyObject *self, PyObject *key, PyObject *value)
{
    if (value == NULL) {
        PyErr_SetString(PyExc_ValueError, "cannot delete array elements");
        return -1;
    }
    if (!(array_of(self)->flags & RP_ARRAY_WRITEABLE)) {
        PyErr_SetString(PyExc_ValueError, "assignment destination is read-only");
        return -1;
    }
    rp_array *target = index_view(self, key);
    if (target == NULL) {
        return -1;
    }
    int result = rp_assign_from_object(state_of(self), target, value,
                                       selects_one_element(target, key));
    rp_array_free(target);
    return result;
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

static PyObject *array_iter(PyObject *self)
{
    if (array_of(self)->ndim == 0) {
        PyErr_SetString(PyExc_TypeError, "iteration over a 0-d array");
        return NULL;
    }
    return PySeqIter_New(self);
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
    case RP_INT64: return sizeof(long) == 8 ? "l" : "q"; /* NumPy's int64 is 'l' on LP64 */
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
    {Py_tp_iter, array_iter},
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
