#include <lzma.h>

/* lzma.h defines these through UINT32_C/UINT64_C, which Swift does not import. */
static inline uint32_t mifa_lzma_concatenated(void) { return LZMA_CONCATENATED; }
static inline uint32_t mifa_lzma_preset_extreme(void) { return LZMA_PRESET_EXTREME; }
