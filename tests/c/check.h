/*
 * check.h — the tiny assertion harness shared by the C unit tests.
 *
 * CHECK records a failure (with the core's last error message) and carries on, so one run
 * reports every broken check. The counter is atomic because several tests check from pool
 * workers and helper threads. A test's main returns check_report()'s status.
 */
#ifndef RAPTORS_TESTS_CHECK_H
#define RAPTORS_TESTS_CHECK_H

#include <stdatomic.h>
#include <stdio.h>

#include "raptors/raptors.h"

static atomic_int failures;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond,        \
                    rp_last_error());                                                          \
            atomic_fetch_add(&failures, 1);                                                    \
        }                                                                                      \
    } while (0)

/* Prints the outcome of the suite named `suite`; returns main's exit status. */
static inline int check_report(const char *suite)
{
    int failed = atomic_load(&failures);
    if (failed != 0) {
        fprintf(stderr, "%s: %d check(s) failed\n", suite, failed);
        return 1;
    }
    printf("%s: all checks passed\n", suite);
    return 0;
}

#endif
