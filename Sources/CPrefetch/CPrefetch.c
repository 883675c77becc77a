// The prefetch and trim hints are static inline functions in include/CPrefetch.h. The thread hints
// are here: SCHED_BATCH and pthread_setname_np are declared only under _GNU_SOURCE.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include "CPrefetch.h"

int mifa_thread_mark_batch(void) {
#if defined(__linux__) && defined(SCHED_BATCH)
    struct sched_param parameter = {0};
    return sched_setscheduler(0, SCHED_BATCH, &parameter);
#else
    return -1;
#endif
}

int mifa_thread_set_name(const char *name) {
#if defined(__linux__) && defined(__GLIBC__)
    char kept[16];
    strncpy(kept, name, sizeof kept - 1);
    kept[sizeof kept - 1] = 0;
    return pthread_setname_np(pthread_self(), kept) == 0 ? 0 : -1;
#else
    (void)name;
    return -1;
#endif
}
