/*
 * status.c — error reporting for the C core.
 *
 * The core never raises, aborts or prints: a failing function returns an rp_status and leaves a
 * message in a thread-local buffer, so callers on different threads never see each other's errors.
 */
#include "raptors/raptors.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error_message[512];

const char *rp_last_error(void) { return last_error_message; }

const char *rp_status_name(rp_status status)
{
    switch (status) {
    case RP_OK: return "ok";
    case RP_ERR_NOMEM: return "out of memory";
    case RP_ERR_VALUE: return "invalid value";
    case RP_ERR_TYPE: return "unsupported type";
    case RP_ERR_INDEX: return "index out of range";
    case RP_ERR_AXIS: return "axis out of range";
    case RP_ERR_OVERFLOW: return "size overflow";
    case RP_ERR_READONLY: return "array is read-only";
    case RP_ERR_INTERNAL: return "internal error";
    case RP_ERR_OUT_OF_RANGE: return "value out of range";
    }
    return "unknown status";
}

rp_status rp_error(rp_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error_message, sizeof last_error_message, fmt, args);
    va_end(args);
    return status;
}
