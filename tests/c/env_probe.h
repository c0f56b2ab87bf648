/*
 * env_probe.h — what a fresh process computes under one environment variable, for the C tests
 * of settings that the core reads once, at first use (RAPTORS_CACHE_MB, RAPTORS_THREADS).
 *
 * Setting the variable in the test process itself would come too late once the setting has been
 * read, and would leak into later tests; a fork child sets it instead, computes, and sends the
 * number back through a pipe. The child inherits the parent's state, so a test calls this
 * before its own process reads the setting.
 */
#ifndef RAPTORS_TESTS_ENV_PROBE_H
#define RAPTORS_TESTS_ENV_PROBE_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* probe()'s result in a fork child that first sets the environment variable `name` to `value`
 * (or unsets it, when value is NULL); -1 when no result came back. */
static inline int64_t probe_in_child(const char *name, const char *value, int64_t (*probe)(void))
{
    int ends[2];
    if (pipe(ends) != 0) {
        return -1;
    }
    pid_t child = fork();
    if (child == 0) {
        if (value != NULL) {
            setenv(name, value, 1);
        } else {
            unsetenv(name);
        }
        int64_t result = probe();
        _exit(write(ends[1], &result, sizeof result) == sizeof result ? 0 : 1);
    }
    close(ends[1]);
    int64_t result = -1;
    if (read(ends[0], &result, sizeof result) != sizeof result) {
        result = -1;
    }
    close(ends[0]);
    waitpid(child, NULL, 0);
    return result;
}

#endif
