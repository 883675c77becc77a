// Everything is in include/CPrefetch.h (a static inline function); SwiftPM needs one source file.
#include "CPrefetch.h"
