/*
 * fp_flags.h — for C tests that check warnings the core reads from the CPU's floating-point
 * status flags (float division by zero, casts with no result, as NumPy reports them). Valgrind
 * does not emulate those flags: its synthetic CPU always reads them back clear. Such checks are
 * skipped there, with a note, and only there; they run in the normal and ASan stages and under
 * qemu for aarch64, and fail anywhere else the flags cannot be seen.
 */
#ifndef RAPTORS_TEST_FP_FLAGS_H
#define RAPTORS_TEST_FP_FLAGS_H

#include <fenv.h>
#include <stdbool.h>
#include <stdio.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define RP_TEST_ON_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef RP_TEST_ON_VALGRIND
#define RP_TEST_ON_VALGRIND() false
#endif

/* False (after printing why) only under valgrind when the flags cannot be observed; `what`
 * names the skipped checks. */
static inline bool fp_flag_checks_apply(const char *what)
{
    feclearexcept(FE_INVALID);
    feraiseexcept(FE_INVALID);
    bool observable = fetestexcept(FE_INVALID) != 0;
    feclearexcept(FE_INVALID);
    if (!observable && RP_TEST_ON_VALGRIND()) {
        printf("note: valgrind does not emulate floating-point status flags; skipping %s\n",
               what);
        return false;
    }
    return true;
}

#endif
