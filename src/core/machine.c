/*
 * machine.c — cache sizes, memory size, CPU count and page sizes, read once from the system.
 *
 * Linux's /sys describes each cache level of a CPU; sysconf is the fallback (some kernels
 * report the whole host's L3 there, so /sys is preferred).
 */
#include "machine.h"

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>
#include <unistd.h>

static struct {
    int64_t cache[4]; /* index = level */
    int64_t memory;
    int64_t page;
    int64_t huge_page;
} facts;
static once_flag facts_once = ONCE_FLAG_INIT;

/* Reads the first line of a small text file; false when absent. */
static bool read_line(const char *path, char *buf, size_t size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return false;
    }
    bool ok = fgets(buf, (int)size, file) != NULL;
    fclose(file);
    if (ok) {
        buf[strcspn(buf, "\n")] = '\0';
    }
    return ok;
}

/* "48K", "1024K", "32M" or a plain byte count -> bytes; 0 when unreadable. */
static int64_t parse_size(const char *text)
{
    long long value = 0;
    char unit = '\0';
    if (sscanf(text, "%lld%c", &value, &unit) < 1 || value < 0) {
        return 0;
    }
    switch (unit) {
    case 'K': return value << 10;
    case 'M': return value << 20;
    case 'G': return value << 30;
    default: return value;
    }
}

static void read_sys_caches(void)
{
    char path[128], line[64];
    for (int index = 0; index < 16; index++) {
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", index);
        if (!read_line(path, line, sizeof line)) {
            break;
        }
        int level = line[0] - '0';
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", index);
        if (level < 1 || level > 3 || !read_line(path, line, sizeof line) ||
            strcmp(line, "Instruction") == 0) {
            continue;
        }
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", index);
        if (read_line(path, line, sizeof line)) {
            facts.cache[level] = parse_size(line);
        }
    }
}

static void read_facts(void)
{
    read_sys_caches();
    static const int sysconf_names[4] = {0, _SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE,
                                         _SC_LEVEL3_CACHE_SIZE};
    for (int level = 1; level <= 3; level++) {
        if (facts.cache[level] == 0) {
            long value = sysconf(sysconf_names[level]);
            facts.cache[level] = value > 0 ? value : 0;
        }
    }
    long page = sysconf(_SC_PAGESIZE), pages = sysconf(_SC_PHYS_PAGES);
    facts.page = page > 0 ? page : 4096;
    facts.memory = pages > 0 ? (int64_t)pages * facts.page : 0;
    char line[64];
    if (read_line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", line, sizeof line)) {
        facts.huge_page = parse_size(line);
    }
}

int64_t rp_machine_cache_bytes(int level)
{
    call_once(&facts_once, read_facts);
    return level >= 1 && level <= 3 ? facts.cache[level] : 0;
}

int64_t rp_machine_memory_bytes(void)
{
    call_once(&facts_once, read_facts);
    return facts.memory;
}

int64_t rp_machine_page_bytes(void)
{
    call_once(&facts_once, read_facts);
    return facts.page;
}

int64_t rp_machine_huge_page_bytes(void)
{
    call_once(&facts_once, read_facts);
    return facts.huge_page;
}

int64_t rp_machine_stream_threshold(void)
{
    int64_t last_level = rp_machine_cache_bytes(3);
    if (last_level == 0) {
        last_level = rp_machine_cache_bytes(2);
    }
    return last_level > 0 ? last_level + last_level / 2 : INT64_MAX;
}

int rp_machine_cpus(void)
{
    /* Not cached: the affinity mask can change (taskset, cgroups) between calls. */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) {
            return count;
        }
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}
