/*
 * check.h — the tiny assertion harness shared by the C unit tests.
 *
 * CHECK records a failure (with the core's last error message) and carries on, so one run
 * reports every broken check; a test's main returns check_report()'s status.
 */
#ifndef RAPTORS_TESTS_CHECK_H
#define RAPTORS_TESTS_CHECK_H

#include <stdio.h>

#include "raptors/raptors.h"

static int failures;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond,        \
                    rp_last_error());                                                          \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

#endif
