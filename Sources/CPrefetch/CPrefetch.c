// The prefetch and trim hints are static inline functions in include/CPrefetch.h. The thread hints
// are here: SCHED_BATCH and pthread_setname_np are declared only under _GNU_SOURCE; so is the
// openat2 call (through `syscall`).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__) && __has_include(<linux/openat2.h>)
#include <sys/syscall.h>
#include <linux/openat2.h>
#define MIFA_HAVE_OPENAT2 1
#endif
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

int mifa_open_without_links(const char *path) {
#if defined(MIFA_HAVE_OPENAT2) && defined(SYS_openat2)
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
    how.resolve = RESOLVE_NO_SYMLINKS;
    return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
#else
    (void)path;
    errno = ENOSYS;
    return -1;
#endif
}
