/*
 * stats.c — counters of which backend ran each operation (raptors.threading_info()).
 *
 * Drivers call rp_stats_record once per operation; counters are relaxed C11 atomics in a fixed
 * table indexed by (family, op, backend), so recording never locks or allocates.
 */
#include "raptors/runtime.h"

#include <stdatomic.h>

#include "kernels/kernels.h"

#define MAX_OPS_PER_FAMILY 32

_Static_assert((int)RP_NBINARY_OPS <= MAX_OPS_PER_FAMILY &&
                   (int)RP_NUNARY_OPS <= MAX_OPS_PER_FAMILY &&
                   (int)RP_NREDUCE_OPS <= MAX_OPS_PER_FAMILY,
               "every op needs a counter row");

static atomic_ullong counters[RP_NSTATS_FAMILIES][MAX_OPS_PER_FAMILY][RP_NBACKENDS];

/* NumPy's names, in the order of the op enums of kernels.h. */
static const char *const binary_names[RP_NBINARY_OPS] = {
    "add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "power",
    "maximum", "minimum", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "bitwise_and", "bitwise_or", "bitwise_xor",
};
static const char *const unary_names[RP_NUNARY_OPS] = {
    "negative", "absolute", "isnan", "isfinite", "logical_not", "invert", "sqrt",
};
static const char *const reduce_names[RP_NREDUCE_OPS] = {"sum", "prod", "min", "max"};

static int family_size(rp_stats_family family)
{
    switch (family) {
    case RP_STATS_BINARY: return RP_NBINARY_OPS;
    case RP_STATS_UNARY: return RP_NUNARY_OPS;
    case RP_STATS_REDUCE: return RP_NREDUCE_OPS;
    case RP_STATS_COPY: return 1;
    default: return 0;
    }
}

static const char *op_name(rp_stats_family family, int op)
{
    switch (family) {
    case RP_STATS_BINARY: return binary_names[op];
    case RP_STATS_UNARY: return unary_names[op];
    case RP_STATS_REDUCE: return reduce_names[op];
    default: return "copy";
    }
}

void rp_stats_record(rp_stats_family family, int op, rp_backend backend)
{
    if (family == RP_STATS_COPY) {
        op = 0;
    }
    if (op < 0 || op >= family_size(family) || (int)backend < 0 || backend >= RP_NBACKENDS) {
        return;
    }
    atomic_fetch_add_explicit(&counters[family][op][backend], 1, memory_order_relaxed);
}

rp_backend rp_backend_for(bool simd, int threads_used)
{
    if (threads_used > 1) {
        return simd ? RP_BACKEND_PARALLEL_SIMD : RP_BACKEND_PARALLEL_SCALAR;
    }
    return simd ? RP_BACKEND_SIMD : RP_BACKEND_SCALAR;
}

int rp_stats_snapshot(rp_stats_entry *out, int capacity)
{
    int count = 0;
    for (int family = 0; family < RP_NSTATS_FAMILIES; family++) {
        for (int op = 0; op < family_size(family); op++) {
            rp_stats_entry entry = {.name = op_name(family, op)};
            uint64_t total = 0;
            for (int backend = 0; backend < RP_NBACKENDS; backend++) {
                entry.runs[backend] =
                    atomic_load_explicit(&counters[family][op][backend], memory_order_relaxed);
                total += entry.runs[backend];
            }
            if (total == 0) {
                continue;
            }
            if (count < capacity) {
                out[count] = entry;
            }
            count++;
        }
    }
    return count;
}

const char *rp_backend_name(rp_backend backend)
{
    static const char *const names[RP_NBACKENDS] = {"scalar", "simd", "parallel_scalar",
                                                    "parallel_simd"};
    return (int)backend >= 0 && backend < RP_NBACKENDS ? names[backend] : "?";
}

void rp_stats_reset(void)
{
    for (int family = 0; family < RP_NSTATS_FAMILIES; family++) {
        for (int op = 0; op < MAX_OPS_PER_FAMILY; op++) {
            for (int backend = 0; backend < RP_NBACKENDS; backend++) {
                atomic_store_explicit(&counters[family][op][backend], 0, memory_order_relaxed);
            }
        }
    }
}
