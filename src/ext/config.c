/*
 * config.c — the engine's controls and diagnostics for Python: threads, SIMD choice, buffer
 * cache, backend counters, machine facts and bandwidth passes.
 *
 * Thin wrappers over raptors/runtime.h; the package's _config.py gives them their public names
 * (raptors.set_num_threads, raptors.show_config, ...). Also refuses the import on a CPU below the
 * build's baseline.
 */
#include "binding.h"

static PyObject *config_simd_isa(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyUnicode_FromString(rp_simd_isa());
}

static PyObject *config_simd_available(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    const char *names[16];
    int count = rp_simd_available(names, 16);
    count = count < 16 ? count : 16;
    PyObject *result = PyTuple_New(count);
    for (int i = 0; result != NULL && i < count; i++) {
        PyObject *name = PyUnicode_FromString(names[i]);
        if (name == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyTuple_SET_ITEM(result, i, name);
    }
    return result;
}

static PyObject *config_simd_select(PyObject *module, PyObject *arg)
{
    const char *name = PyUnicode_Check(arg) ? PyUnicode_AsUTF8(arg) : NULL;
    if (name == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "the instruction set must be given as a str");
        }
        return NULL;
    }
    rp_status status = rp_simd_select(name);
    if (status != RP_OK) {
        return rp_raise_status(rp_state_from_module(module), status);
    }
    Py_RETURN_NONE;
}

static PyObject *config_set_num_threads(PyObject *module, PyObject *arg)
{
    if (PyBool_Check(arg) || !PyIndex_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "the number of threads must be an integer, not %.100s",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    PyObject *index = PyNumber_Index(arg);
    if (index == NULL) {
        return NULL;
    }
    int overflow = 0;
    long n = PyLong_AsLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (overflow != 0 || n < 1 || n > RP_MAX_THREADS) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be between 1 and %d",
                     RP_MAX_THREADS);
        return NULL;
    }
    rp_status status = rp_set_num_threads((int)n);
    if (status != RP_OK) {
        return rp_raise_status(rp_state_from_module(module), status);
    }
    Py_RETURN_NONE;
}

static PyObject *config_get_num_threads(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return PyLong_FromLong(rp_get_num_threads());
}

static PyObject *config_cache_info(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    rp_cache_stats stats;
    rp_cache_info(&stats);
    return Py_BuildValue("{s:n,s:n,s:n,s:n,s:K,s:K,s:K}", "bytes_held",
                         (Py_ssize_t)stats.bytes_held, "blocks_held",
                         (Py_ssize_t)stats.blocks_held, "limit", (Py_ssize_t)stats.limit,
                         "min_block", (Py_ssize_t)stats.min_block, "hits",
                         (unsigned long long)stats.hits, "misses",
                         (unsigned long long)stats.misses, "evictions",
                         (unsigned long long)stats.evictions);
}

static PyObject *config_cache_clear(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    rp_cache_clear();
    Py_RETURN_NONE;
}

static PyObject *config_cache_set_limit(PyObject *module, PyObject *arg)
{
    (void)module;
    if (PyBool_Check(arg) || !PyIndex_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "the cache limit must be an integer number of bytes");
        return NULL;
    }
    Py_ssize_t bytes = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (bytes == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (bytes < 0) {
        PyErr_SetString(PyExc_ValueError, "the cache limit must not be negative");
        return NULL;
    }
    rp_cache_set_limit((size_t)bytes);
    Py_RETURN_NONE;
}

/* {op name: {backend name: runs}} for every operation that ran. */
static PyObject *config_stats(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    rp_stats_entry entries[64];
    int count = rp_stats_snapshot(entries, 64);
    count = count < 64 ? count : 64;
    PyObject *result = PyDict_New();
    for (int i = 0; result != NULL && i < count; i++) {
        PyObject *runs = PyDict_New();
        for (int backend = 0; runs != NULL && backend < RP_NBACKENDS; backend++) {
            PyObject *value = PyLong_FromUnsignedLongLong(entries[i].runs[backend]);
            if (value == NULL ||
                PyDict_SetItemString(runs, rp_backend_name((rp_backend)backend), value) != 0) {
                Py_XDECREF(value);
                Py_CLEAR(runs);
                break;
            }
            Py_DECREF(value);
        }
        if (runs == NULL || PyDict_SetItemString(result, entries[i].name, runs) != 0) {
            Py_XDECREF(runs);
            Py_CLEAR(result);
            break;
        }
        Py_DECREF(runs);
    }
    return result;
}

static PyObject *config_stats_reset(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    rp_stats_reset();
    Py_RETURN_NONE;
}

static PyObject *config_runtime_info(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    rp_runtime_info info;
    rp_get_runtime_info(&info);
    return Py_BuildValue("{s:L,s:L,s:L,s:L,s:L,s:L,s:i,s:i,s:L,s:L,s:K}", "l1d_cache",
                         (long long)info.l1d_bytes, "l2_cache", (long long)info.l2_bytes,
                         "l3_cache", (long long)info.l3_bytes, "memory",
                         (long long)info.memory_bytes, "page", (long long)info.page_bytes,
                         "huge_page", (long long)info.huge_page_bytes, "cpus", info.cpus,
                         "threads", info.threads, "grain_bytes", (long long)info.grain_bytes,
                         "stream_bytes", (long long)info.stream_bytes,
                         "parallel_jobs", (unsigned long long)info.parallel_jobs);
}

/* _bandwidth(kind, nbytes, repeats[, source]) -> median seconds per pass; kind is "read" or
 * "copy"; source, when given, is a contiguous buffer of at least nbytes that the passes read. */
static PyObject *config_bandwidth(PyObject *module, PyObject *args)
{
    const char *kind_name;
    Py_ssize_t nbytes;
    int repeats;
    PyObject *source = NULL;
    if (!PyArg_ParseTuple(args, "sni|O:_bandwidth", &kind_name, &nbytes, &repeats, &source)) {
        return NULL;
    }
    rp_bandwidth_kind kind;
    if (strcmp(kind_name, "read") == 0) {
        kind = RP_BANDWIDTH_READ;
    } else if (strcmp(kind_name, "copy") == 0) {
        kind = RP_BANDWIDTH_COPY;
    } else {
        PyErr_Format(PyExc_ValueError, "bandwidth kind must be 'read' or 'copy', not '%s'",
                     kind_name);
        return NULL;
    }
    if (nbytes < 8 || repeats < 1) {
        PyErr_SetString(PyExc_ValueError, "nbytes must be >= 8 and repeats >= 1");
        return NULL;
    }
    Py_buffer view = {0};
    if (source != NULL && source != Py_None) {
        if (PyObject_GetBuffer(source, &view, PyBUF_ANY_CONTIGUOUS) != 0) {
            return NULL;
        }
        if (view.len < nbytes) {
            PyBuffer_Release(&view);
            PyErr_Format(PyExc_ValueError, "source holds %zd bytes, fewer than nbytes (%zd)",
                         view.len, nbytes);
            return NULL;
        }
    }
    double seconds = 0.0;
    rp_status status;
    Py_BEGIN_ALLOW_THREADS
    status = view.buf != NULL
                 ? rp_measure_bandwidth_of(kind, view.buf, (size_t)nbytes, repeats, &seconds)
                 : rp_measure_bandwidth(kind, (size_t)nbytes, repeats, &seconds);
    Py_END_ALLOW_THREADS
    if (view.obj != NULL) {
        PyBuffer_Release(&view);
    }
    if (status != RP_OK) {
        return rp_raise_status(rp_state_from_module(module), status);
    }
    return PyFloat_FromDouble(seconds);
}

int rp_config_check_cpu(void)
{
    if (rp_simd_check_baseline() != RP_OK) {
        PyErr_Format(PyExc_ImportError, "raptors cannot run here: %s", rp_last_error());
        return -1;
    }
    return 0;
}

PyMethodDef rp_config_functions[] = {
    {"_simd_isa", config_simd_isa, METH_NOARGS, "The instruction set whose kernels run."},
    {"_simd_available", config_simd_available, METH_NOARGS,
     "Instruction sets this build and CPU support, best last."},
    {"_simd_select", config_simd_select, METH_O, "Switch kernels to an instruction set."},
    {"_set_num_threads", config_set_num_threads, METH_O, "Set the thread count."},
    {"_get_num_threads", config_get_num_threads, METH_NOARGS, "The thread count."},
    {"_cache_info", config_cache_info, METH_NOARGS, "Counters of the buffer cache."},
    {"_cache_clear", config_cache_clear, METH_NOARGS, "Empty the buffer cache."},
    {"_cache_set_limit", config_cache_set_limit, METH_O, "Set the buffer cache limit (bytes)."},
    {"_stats", config_stats, METH_NOARGS, "Runs per operation and backend."},
    {"_stats_reset", config_stats_reset, METH_NOARGS, "Zero the backend counters."},
    {"_runtime_info", config_runtime_info, METH_NOARGS, "Machine facts and thresholds."},
    {"_bandwidth", config_bandwidth, METH_VARARGS,
     "_bandwidth(kind, nbytes, repeats): median seconds of a 'read' or 'copy' pass."},
    {NULL, NULL, 0, NULL},
};
