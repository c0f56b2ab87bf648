/*
 * print_isa.c — prints the name of the kernel table the run-time dispatch picked on this CPU.
 *
 * scripts/cross_aarch64.sh builds it for aarch64 and runs it under qemu-user, to show (and check)
 * that the portable build selects the NEON kernels there rather than falling back to scalar loops.
 */
#include <stdio.h>

#include "kernels/kernels.h"

int main(void)
{
    printf("%s\n", rp_kernels()->isa_name);
    return 0;
}
