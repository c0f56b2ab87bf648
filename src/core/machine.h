/*
 * machine.h — facts about the machine that size thresholds (internal to the core).
 *
 * Read once from the operating system and cached; every size-dependent choice in the core
 * (when to split work, when to cache a block) starts from these numbers, never from a list of
 * known array shapes.
 */
#ifndef RAPTORS_CORE_MACHINE_H
#define RAPTORS_CORE_MACHINE_H

#include <stdint.h>

/* Size in bytes of the level-1, -2 or -3 data (or unified) cache seen by one CPU; 0 when the
 * system does not say. */
int64_t rp_machine_cache_bytes(int level);
/* Physical memory in bytes (0 when unknown). */
int64_t rp_machine_memory_bytes(void);
/* The number of CPUs this process may run on (its affinity mask), at least 1. */
int rp_machine_cpus(void);
/* The base page size in bytes. */
int64_t rp_machine_page_bytes(void);
/* The size of a transparent huge page in bytes (0 when the kernel has none). */
int64_t rp_machine_huge_page_bytes(void);
/* The working set (bytes an operation reads plus writes) above which its output should be
 * written with non-temporal stores (RP_LOOP_STREAM_OUTPUT): half again the last-level cache,
 * where the output can no longer stay cached for a next operation anyway. INT64_MAX when the
 * cache size is unknown. */
int64_t rp_machine_stream_threshold(void);

#endif
