// The compiler's cache prefetch hint, which Swift cannot spell: `__builtin_prefetch` is a builtin,
// and the intrinsics headers wrap it in macros that Swift does not import.
#ifndef MIFAKIT_CPREFETCH_H
#define MIFAKIT_CPREFETCH_H

/// Asks the CPU to bring the cache line holding `address` into the cache, ready to be written.
/// A hint only: it never faults, and an address that is not mapped is ignored.
static inline void mifa_prefetch_for_writing(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
