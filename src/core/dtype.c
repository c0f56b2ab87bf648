/*
 * dtype.c — the table of element types: sizes, NumPy names, kinds.
 *
 * Type promotion lives with the compute code; this file only describes each type.
 */
#include "raptors/raptors.h"

#include <string.h>

static const struct {
    const char *name;
    size_t size;
} dtype_table[RP_NTYPES] = {
    [RP_BOOL] = {"bool", 1},
    [RP_INT32] = {"int32", 4},
    [RP_INT64] = {"int64", 8},
    [RP_FLOAT32] = {"float32", 4},
    [RP_FLOAT64] = {"float64", 8},
};

static bool dtype_valid(rp_dtype dtype) { return (unsigned)dtype < RP_NTYPES; }

size_t rp_dtype_size(rp_dtype dtype) { return dtype_valid(dtype) ? dtype_table[dtype].size : 0; }

const char *rp_dtype_name(rp_dtype dtype)
{
    return dtype_valid(dtype) ? dtype_table[dtype].name : "?";
}

bool rp_dtype_from_name(const char *name, rp_dtype *out)
{
    for (int t = 0; t < RP_NTYPES; t++) {
        if (strcmp(name, dtype_table[t].name) == 0) {
            *out = (rp_dtype)t;
            return true;
        }
    }
    return false;
}

bool rp_dtype_is_float(rp_dtype dtype) { return dtype == RP_FLOAT32 || dtype == RP_FLOAT64; }

bool rp_dtype_is_integer(rp_dtype dtype) { return dtype == RP_INT32 || dtype == RP_INT64; }

rp_dtype rp_dtype_promote(rp_dtype a, rp_dtype b)
{
    /* Rows and columns in rp_dtype order: bool, int32, int64, float32, float64. */
    static const rp_dtype table[RP_NTYPES][RP_NTYPES] = {
        {RP_BOOL, RP_INT32, RP_INT64, RP_FLOAT32, RP_FLOAT64},
        {RP_INT32, RP_INT32, RP_INT64, RP_FLOAT64, RP_FLOAT64},
        {RP_INT64, RP_INT64, RP_INT64, RP_FLOAT64, RP_FLOAT64},
        {RP_FLOAT32, RP_FLOAT64, RP_FLOAT64, RP_FLOAT32, RP_FLOAT64},
        {RP_FLOAT64, RP_FLOAT64, RP_FLOAT64, RP_FLOAT64, RP_FLOAT64},
    };
    return table[a][b];
}
