/*
 * interop.c — zero-copy exchange with other array libraries: DLPack export and import, and
 * NumPy's __array_interface__.
 *
 * Lifetime is the rp_buffer's business: an exported capsule holds a buffer reference (so the
 * memory outlives every Python object), and an imported tensor becomes a wrapped buffer whose
 * release runs the producer's deleter when the last raptors view of it dies. Neither deleter nor
 * release needs the GIL for Raptors' own part, so consumers may drop tensors from any thread.
 */
#include "binding.h"

#include <stdlib.h>

#include "dlpack_abi.h"

/* ===================================================================== array interface */

static const char *interface_typestr(rp_dtype dtype)
{
    switch (dtype) {
    case RP_BOOL: return "|b1";
    case RP_INT32: return RP_NATIVE_ORDER_STR "i4";
    case RP_INT64: return RP_NATIVE_ORDER_STR "i8";
    case RP_FLOAT32: return RP_NATIVE_ORDER_STR "f4";
    default: return RP_NATIVE_ORDER_STR "f8";
    }
}

PyObject *rp_array_interface(PyObject *self, void *closure)
{
    (void)closure;
    const rp_array *a = ((RpArrayObject *)self)->array;
    const char *typestr = interface_typestr(a->dtype);
    PyObject *shape = rp_int64_tuple(a->ndim, a->shape);
    PyObject *strides = rp_array_is_c_contiguous(a) ? Py_NewRef(Py_None)
                                                    : rp_int64_tuple(a->ndim, a->strides);
    PyObject *address = PyLong_FromVoidPtr(a->data);
    if (shape == NULL || strides == NULL || address == NULL) {
        Py_XDECREF(shape);
        Py_XDECREF(strides);
        Py_XDECREF(address);
        return NULL;
    }
    /* NumPy keeps a reference to `self` as the base of what it builds, which keeps the
     * memory alive through self's buffer reference. */
    return Py_BuildValue("{s:N,s:s,s:[(ss)],s:(NO),s:N,s:i}", "shape", shape, "typestr",
                         typestr, "descr", "", typestr, "data", address,
                         (a->flags & RP_ARRAY_WRITEABLE) ? Py_False : Py_True, "strides",
                         strides, "version", 3);
}

/* ===================================================================== DLPack export */

/* One exported tensor: the DLPack struct plus the storage its pointers refer to. */
typedef struct {
    rp_buffer *buffer;                   /* one reference, dropped by the deleter */
    int64_t shape[RP_MAXDIMS];
    int64_t strides[RP_MAXDIMS];         /* in elements */
    union {
        rp_dl_managed legacy;
        rp_dl_managed_versioned versioned;
    } managed;
} dlpack_export;

static void release_export(dlpack_export *export)
{
    rp_buffer_decref(export->buffer);
    free(export);
}

static void delete_legacy_export(rp_dl_managed *self) { release_export(self->manager_ctx); }

static void delete_versioned_export(rp_dl_managed_versioned *self)
{
    release_export(self->manager_ctx);
}

/* A capsule nobody consumed still owns its tensor; a consumed one was renamed "used_...". */
static void legacy_capsule_destructor(PyObject *capsule)
{
    if (PyCapsule_IsValid(capsule, RP_DLPACK_CAPSULE)) {
        rp_dl_managed *managed = PyCapsule_GetPointer(capsule, RP_DLPACK_CAPSULE);
        if (managed->deleter != NULL) {
            managed->deleter(managed);
        }
    }
}

static void versioned_capsule_destructor(PyObject *capsule)
{
    if (PyCapsule_IsValid(capsule, RP_DLPACK_VERSIONED_CAPSULE)) {
        rp_dl_managed_versioned *managed =
            PyCapsule_GetPointer(capsule, RP_DLPACK_VERSIONED_CAPSULE);
        if (managed->deleter != NULL) {
            managed->deleter(managed);
        }
    }
}

static rp_dl_dtype dl_dtype_of(rp_dtype dtype)
{
    switch (dtype) {
    case RP_BOOL: return (rp_dl_dtype){RP_DL_BOOL, 8, 1};
    case RP_INT32: return (rp_dl_dtype){RP_DL_INT, 32, 1};
    case RP_INT64: return (rp_dl_dtype){RP_DL_INT, 64, 1};
    case RP_FLOAT32: return (rp_dl_dtype){RP_DL_FLOAT, 32, 1};
    default: return (rp_dl_dtype){RP_DL_FLOAT, 64, 1};
    }
}

static PyObject *export_capsule(const rp_array *a, bool versioned, bool copied)
{
    int64_t itemsize = (int64_t)rp_array_itemsize(a);
    for (int i = 0; i < a->ndim; i++) {
        if (a->strides[i] % itemsize != 0) {
            PyErr_SetString(PyExc_BufferError,
                            "DLPack strides count elements; this array's byte strides are not "
                            "a multiple of its item size");
            return NULL;
        }
    }
    dlpack_export *export = calloc(1, sizeof *export);
    if (export == NULL) {
        return PyErr_NoMemory();
    }
    export->buffer = a->buffer;
    rp_buffer_incref(a->buffer);
    for (int i = 0; i < a->ndim; i++) {
        export->shape[i] = a->shape[i];
        export->strides[i] = a->strides[i] / itemsize;
    }
    rp_dl_tensor tensor = {
        .data = a->data,
        .device = {RP_DL_DEVICE_CPU, 0},
        .ndim = a->ndim,
        .dtype = dl_dtype_of(a->dtype),
        .shape = export->shape,
        .strides = export->strides,
        .byte_offset = 0,
    };
    PyObject *capsule;
    if (versioned) {
        rp_dl_managed_versioned *managed = &export->managed.versioned;
        managed->version = (rp_dl_version){RP_DLPACK_MAJOR, RP_DLPACK_MINOR};
        managed->manager_ctx = export;
        managed->deleter = delete_versioned_export;
        managed->flags = (a->flags & RP_ARRAY_WRITEABLE ? 0 : RP_DL_FLAG_READ_ONLY) |
                         (copied ? RP_DL_FLAG_IS_COPIED : 0);
        managed->tensor = tensor;
        capsule = PyCapsule_New(managed, RP_DLPACK_VERSIONED_CAPSULE,
                                versioned_capsule_destructor);
    } else {
        rp_dl_managed *managed = &export->managed.legacy;
        managed->manager_ctx = export;
        managed->deleter = delete_legacy_export;
        managed->tensor = tensor;
        capsule = PyCapsule_New(managed, RP_DLPACK_CAPSULE, legacy_capsule_destructor);
    }
    if (capsule == NULL) {
        release_export(export);
    }
    return capsule;
}

/* Whether `max_version` (None or a (major, minor) tuple) allows a 1.x capsule; -1 on error. */
static int wants_versioned(PyObject *max_version)
{
    if (max_version == Py_None) {
        return 0;
    }
    if (!PyTuple_Check(max_version) || PyTuple_GET_SIZE(max_version) != 2) {
        PyErr_SetString(PyExc_TypeError, "max_version must be None or a (major, minor) tuple");
        return -1;
    }
    long major = PyLong_AsLong(PyTuple_GET_ITEM(max_version, 0));
    if (major == -1 && PyErr_Occurred()) {
        return -1;
    }
    return major >= RP_DLPACK_MAJOR;
}

/* Accepts None or the CPU device tuple (1, 0); anything else is a device Raptors cannot reach. */
static int check_cpu_device(PyObject *device)
{
    if (device == Py_None) {
        return 0;
    }
    PyObject *cpu = Py_BuildValue("(ii)", RP_DL_DEVICE_CPU, 0);
    int same = cpu == NULL ? -1 : PyObject_RichCompareBool(device, cpu, Py_EQ);
    Py_XDECREF(cpu);
    if (same == 0) {
        PyErr_SetString(PyExc_ValueError, "unsupported device requested: raptors arrays live on "
                                          "the CPU, device (1, 0)");
    }
    return same == 1 ? 0 : -1;
}

PyObject *rp_array_dlpack(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"stream", "max_version", "dl_device", "copy", NULL};
    PyObject *stream = Py_None, *max_version = Py_None, *dl_device = Py_None, *copy_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOOO:__dlpack__", keywords, &stream,
                                     &max_version, &dl_device, &copy_obj)) {
        return NULL;
    }
    if (stream != Py_None) {
        PyErr_SetString(PyExc_RuntimeError, "raptors only supports stream=None.");
        return NULL;
    }
    int versioned = wants_versioned(max_version);
    int copy = copy_obj == Py_None ? 0 : PyObject_IsTrue(copy_obj);
    if (versioned < 0 || copy < 0 || check_cpu_device(dl_device) != 0) {
        return NULL;
    }
    rp_array *a = ((RpArrayObject *)self)->array, *copied = NULL;
    if (!versioned && !(a->flags & RP_ARRAY_WRITEABLE) && !copy) {
        PyErr_SetString(PyExc_BufferError,
                        "cannot export a read-only array as a legacy DLPack capsule, which has "
                        "no read-only flag; pass max_version=(1, 0) or copy=True");
        return NULL;
    }
    if (copy) {
        rp_status status = rp_array_copy(a, a->dtype, RP_ORDER_C, &copied);
        if (status != RP_OK) {
            return rp_raise_status(rp_state_from_type(Py_TYPE(self)), status);
        }
        a = copied;
    }
    PyObject *capsule = export_capsule(a, versioned, copy);
    rp_array_free(copied); /* the capsule holds its own buffer reference */
    return capsule;
}

PyObject *rp_array_dlpack_device(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return Py_BuildValue("(ii)", RP_DL_DEVICE_CPU, 0);
}

/* ===================================================================== DLPack import */

static void release_legacy_import(void *context)
{
    rp_dl_managed *managed = context;
    if (managed->deleter != NULL) {
        managed->deleter(managed);
    }
}

static void release_versioned_import(void *context)
{
    rp_dl_managed_versioned *managed = context;
    if (managed->deleter != NULL) {
        managed->deleter(managed);
    }
}

static int dtype_of_dl(rp_dl_dtype dtype)
{
    if (dtype.lanes != 1) {
        return -1;
    }
    switch (dtype.code) {
    case RP_DL_BOOL: return dtype.bits == 8 ? RP_BOOL : -1;
    case RP_DL_INT: return dtype.bits == 32 ? RP_INT32 : dtype.bits == 64 ? RP_INT64 : -1;
    case RP_DL_FLOAT: return dtype.bits == 32 ? RP_FLOAT32 : dtype.bits == 64 ? RP_FLOAT64 : -1;
    default: return -1;
    }
}

/* Shape and byte strides of a tensor, checked; -1 with an exception set. Sets *size. */
static int read_tensor_layout(const rp_dl_tensor *tensor, int dtype, int64_t *shape,
                              int64_t *strides, int64_t *size)
{
    if (tensor->ndim < 0 || tensor->ndim > RP_MAXDIMS) {
        PyErr_Format(PyExc_BufferError, "DLPack tensor has %d dimensions; raptors supports 0 "
                                        "to %d",
                     (int)tensor->ndim, RP_MAXDIMS);
        return -1;
    }
    int64_t itemsize = (int64_t)rp_dtype_size((rp_dtype)dtype);
    for (int i = 0; i < tensor->ndim; i++) {
        shape[i] = tensor->shape[i];
    }
    rp_status status = rp_shape_size(tensor->ndim, shape, (size_t)itemsize, size);
    if (status != RP_OK) {
        rp_raise_status(NULL, status);
        return -1;
    }
    int64_t compact = itemsize;
    for (int i = tensor->ndim - 1; i >= 0; i--) {
        if (tensor->strides == NULL) {
            strides[i] = compact;
            compact *= shape[i] > 0 ? shape[i] : 1;
        } else if (__builtin_mul_overflow(tensor->strides[i], itemsize, &strides[i])) {
            PyErr_SetString(PyExc_BufferError, "DLPack tensor strides overflow");
            return -1;
        }
    }
    return 0;
}

/* Builds an array from a capsule's tensor and takes ownership of it (renaming the capsule).
 * On failure nothing is taken: the capsule's destructor will still free the tensor. */
static PyObject *consume_capsule(rp_module_state *state, PyObject *capsule)
{
    bool versioned = PyCapsule_IsValid(capsule, RP_DLPACK_VERSIONED_CAPSULE);
    if (!versioned && !PyCapsule_IsValid(capsule, RP_DLPACK_CAPSULE)) {
        PyErr_SetString(PyExc_TypeError, "expected an unconsumed DLPack capsule ('dltensor' or "
                                         "'dltensor_versioned')");
        return NULL;
    }
    void *managed;
    const rp_dl_tensor *tensor;
    int flags = RP_ARRAY_WRITEABLE;
    if (versioned) {
        rp_dl_managed_versioned *v = PyCapsule_GetPointer(capsule, RP_DLPACK_VERSIONED_CAPSULE);
        if (v->version.major != RP_DLPACK_MAJOR) {
            PyErr_Format(PyExc_BufferError, "DLPack version %u.%u is not supported",
                         (unsigned)v->version.major, (unsigned)v->version.minor);
            return NULL;
        }
        if (v->flags & RP_DL_FLAG_READ_ONLY) {
            flags = 0;
        }
        managed = v;
        tensor = &v->tensor;
    } else {
        rp_dl_managed *legacy = PyCapsule_GetPointer(capsule, RP_DLPACK_CAPSULE);
        managed = legacy;
        tensor = &legacy->tensor;
    }
    if (tensor->device.device_type != RP_DL_DEVICE_CPU) {
        PyErr_Format(PyExc_BufferError, "raptors can only import CPU memory; the DLPack tensor "
                                        "is on device type %d",
                     (int)tensor->device.device_type);
        return NULL;
    }
    int dtype = dtype_of_dl(tensor->dtype);
    if (dtype < 0) {
        PyErr_Format(PyExc_BufferError,
                     "raptors does not support the DLPack dtype (code %u, %u bits, %u lanes)",
                     (unsigned)tensor->dtype.code, (unsigned)tensor->dtype.bits,
                     (unsigned)tensor->dtype.lanes);
        return NULL;
    }
    int64_t shape[RP_MAXDIMS], strides[RP_MAXDIMS], size;
    if (read_tensor_layout(tensor, dtype, shape, strides, &size) != 0) {
        return NULL;
    }
    const char *used_name = versioned ? RP_DLPACK_VERSIONED_CAPSULE_USED : RP_DLPACK_CAPSULE_USED;
    rp_release_fn release = versioned ? release_versioned_import : release_legacy_import;
    rp_array *array = NULL;
    rp_status status;
    if (size == 0) {
        /* Nothing to share: an empty array of our own, and the tensor goes back right away. */
        status = rp_array_empty((rp_dtype)dtype, tensor->ndim, shape, RP_ORDER_C, &array);
        if (status != RP_OK) {
            return rp_raise_status(state, status);
        }
        PyCapsule_SetName(capsule, used_name);
        release(managed);
        return rp_wrap_array(state, array);
    }
    char *data = (char *)tensor->data + tensor->byte_offset;
    rp_buffer *buffer;
    status = rp_buffer_wrap(data, (size_t)(size * (int64_t)rp_dtype_size((rp_dtype)dtype)),
                            release, managed, &buffer);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    /* From here the buffer owns the tensor: its release runs the deleter exactly once. */
    PyCapsule_SetName(capsule, used_name);
    status = rp_array_from_buffer(buffer, data, (rp_dtype)dtype, tensor->ndim, shape, strides,
                                  flags, &array);
    rp_buffer_decref(buffer);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, array);
}

/* x.__dlpack__(max_version=(1, 0)), falling back to x.__dlpack__() for pre-1.0 producers. */
static PyObject *request_capsule(PyObject *x)
{
    PyObject *method;
    int found = rp_optional_attribute(x, "__dlpack__", &method);
    if (found <= 0) {
        if (found == 0) {
            PyErr_Format(PyExc_TypeError, "'%.100s' object does not support DLPack",
                         Py_TYPE(x)->tp_name);
        }
        return NULL;
    }
    PyObject *kwargs = Py_BuildValue("{s:(ii)}", "max_version", RP_DLPACK_MAJOR,
                                     RP_DLPACK_MINOR);
    PyObject *empty = PyTuple_New(0);
    PyObject *capsule = NULL;
    if (kwargs != NULL && empty != NULL) {
        capsule = PyObject_Call(method, empty, kwargs);
        if (capsule == NULL && PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            capsule = PyObject_CallNoArgs(method);
        }
    }
    Py_XDECREF(kwargs);
    Py_XDECREF(empty);
    Py_DECREF(method);
    return capsule;
}

/* The producer must say its memory is on the CPU before we ask for it. */
static int check_producer_device(PyObject *x)
{
    PyObject *method;
    int found = rp_optional_attribute(x, "__dlpack_device__", &method);
    if (found <= 0) {
        return found; /* optional for old producers: the tensor's own device is checked too */
    }
    PyObject *device = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    if (device == NULL) {
        return -1;
    }
    long device_type = -1;
    if (PyTuple_Check(device) && PyTuple_GET_SIZE(device) == 2) {
        device_type = PyLong_AsLong(PyTuple_GET_ITEM(device, 0));
    }
    Py_DECREF(device);
    if (device_type == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (device_type != RP_DL_DEVICE_CPU) {
        PyErr_Format(PyExc_BufferError,
                     "raptors can only import CPU memory; the producer is on device type %ld",
                     device_type);
        return -1;
    }
    return 0;
}

/* from_dlpack(x, /, *, device=None, copy=None) */
static PyObject *interop_from_dlpack(PyObject *module, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"", "device", "copy", NULL};
    PyObject *x, *device = Py_None, *copy_obj = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$OO:from_dlpack", keywords, &x, &device,
                                     &copy_obj)) {
        return NULL;
    }
    if (!(device == Py_None ||
          (PyUnicode_Check(device) && PyUnicode_CompareWithASCIIString(device, "cpu") == 0)) &&
        check_cpu_device(device) != 0) {
        return NULL;
    }
    int copy = copy_obj == Py_None ? 0 : PyObject_IsTrue(copy_obj);
    if (copy < 0) {
        return NULL;
    }
    rp_module_state *state = rp_state_from_module(module);
    PyObject *capsule;
    if (PyCapsule_CheckExact(x)) {
        capsule = Py_NewRef(x);
    } else {
        capsule = check_producer_device(x) == 0 ? request_capsule(x) : NULL;
    }
    if (capsule == NULL) {
        return NULL;
    }
    PyObject *result = consume_capsule(state, capsule);
    Py_DECREF(capsule);
    if (result == NULL || !copy) {
        return result;
    }
    rp_array *copied;
    rp_status status = rp_array_copy(((RpArrayObject *)result)->array,
                                     ((RpArrayObject *)result)->array->dtype, RP_ORDER_C, &copied);
    Py_DECREF(result);
    if (status != RP_OK) {
        return rp_raise_status(state, status);
    }
    return rp_wrap_array(state, copied);
}

static PyObject *interop_live_wrapped_buffers(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLongLong(rp_buffer_wrapped_live_count());
}

PyMethodDef rp_interop_functions[] = {
    {"from_dlpack", (PyCFunction)(void (*)(void))interop_from_dlpack,
     METH_VARARGS | METH_KEYWORDS,
     "from_dlpack(x, /, *, device=None, copy=None): a raptors array sharing the memory of any "
     "DLPack producer (or of a DLPack capsule), with no copy unless copy=True."},
    {"_live_wrapped_buffers", interop_live_wrapped_buffers, METH_NOARGS,
     "Number of wrapped foreign buffers alive (for leak tests)."},
    {NULL, NULL, 0, NULL},
};
