// Two hints Swift cannot spell: the compiler's cache prefetch (`__builtin_prefetch` is a builtin,
// and the intrinsics headers wrap it in macros that Swift does not import), and glibc's
// `malloc_trim` (declared in <malloc.h>, which Swift's Glibc module does not include).
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

#endif
