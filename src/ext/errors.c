/*
 * errors.c — rp_status to Python exception, one table for the whole binding; cast warnings.
 */
#include "binding.h"

PyObject *rp_raise_status(rp_module_state *state, rp_status status)
{
    PyObject *type;
    switch (status) {
    case RP_ERR_NOMEM: type = PyExc_MemoryError; break;
    case RP_ERR_TYPE: type = PyExc_TypeError; break;
    case RP_ERR_INDEX: type = PyExc_IndexError; break;
    case RP_ERR_AXIS:
        type = state != NULL && state->axis_error != NULL ? state->axis_error : PyExc_IndexError;
        break;
    case RP_ERR_INTERNAL: type = PyExc_SystemError; break;
    case RP_ERR_OUT_OF_RANGE: type = PyExc_OverflowError; break;
    case RP_ERR_VALUE:
    case RP_ERR_OVERFLOW:
    case RP_ERR_READONLY:
    default: type = PyExc_ValueError; break;
    }
    const char *message = rp_last_error();
    PyErr_SetString(type, message[0] ? message : rp_status_name(status));
    return NULL;
}

int rp_warn_cast(int warnings)
{
    if ((warnings & RP_CAST_OVERFLOW) &&
        PyErr_WarnEx(PyExc_RuntimeWarning, "overflow encountered in cast", 1) != 0) {
        return -1;
    }
    if ((warnings & RP_CAST_INVALID) &&
        PyErr_WarnEx(PyExc_RuntimeWarning, "invalid value encountered in cast", 1) != 0) {
        return -1;
    }
    return 0;
}
