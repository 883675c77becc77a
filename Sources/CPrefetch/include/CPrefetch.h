// Hints Swift cannot spell: the compiler's cache prefetch (`__builtin_prefetch` is a builtin, and
// the intrinsics headers wrap it in macros that Swift does not import), glibc's `malloc_trim`
// (declared in <malloc.h>, which Swift's Glibc module does not include), and a thread's scheduling
// policy and name (SCHED_BATCH and pthread_setname_np are declared only under _GNU_SOURCE, so they
// are called in CPrefetch.c), and Linux's openat2 (a system call without a C library wrapper, reached
// through the variadic `syscall`, which Swift does not import).
#ifndef MIFAKIT_CPREFETCH_H
#define MIFAKIT_CPREFETCH_H

#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/// Asks the CPU to bring the cache line holding `address` into the cache, ready to be written.
/// A hint only: it never faults, and an address that is not mapped is ignored.
static inline void mifa_prefetch_for_writing(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

/// Gives the memory that the C allocator keeps after frees back to the system (glibc's
/// `malloc_trim(0)`); 1 if some was given back. Does nothing (0) with other C libraries.
static inline int mifa_release_free_memory(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

/// Marks the calling thread as batch work for the scheduler (Linux's SCHED_BATCH: it keeps its fair
/// share of the CPU but does not preempt a running thread when it wakes up), for the rest of its
/// life. 0 when done; -1 when refused or not available (other systems). The nice value is unchanged.
int mifa_thread_mark_batch(void);

/// Names the calling thread `name` (its first 15 bytes) where ps, perf and /proc show thread names
/// (Linux's pthread_setname_np). 0 when done; -1 when refused or not available.
int mifa_thread_set_name(const char *name);

/// Opens `path` read-only (O_RDONLY | O_CLOEXEC | O_NONBLOCK) only if no symbolic link, of any kind,
/// is met while resolving it (Linux's openat2 with RESOLVE_NO_SYMLINKS, kernel 5.6 and later).
/// Returns the descriptor, or -1 with errno set: ELOOP when a link was met, ENOENT or ENOTDIR when
/// a component is missing or not a folder, ENOSYS (or EPERM, from a sandbox) where openat2 is not
/// available, anything open(2) reports otherwise.
int mifa_open_without_links(const char *path);

#endif
