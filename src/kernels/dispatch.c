/*
 * dispatch.c — builds the kernel table once and hands it out.
 *
 * Today every entry is the portable loop; per-ISA variants plug in here, chosen from the CPU's
 * features when the table is first built.
 */
#include <threads.h>

#include "kernels.h"

static rp_kernel_table active_table;
static once_flag table_once = ONCE_FLAG_INIT;

static void build_table(void) { rp_kernels_fill_scalar(&active_table); }

const rp_kernel_table *rp_kernels(void)
{
    call_once(&table_once, build_table);
    return &active_table;
}
