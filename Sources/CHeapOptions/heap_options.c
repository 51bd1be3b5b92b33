#include "CHeapOptions.h"
#include <stdlib.h> /* defines __GLIBC__ on glibc */

#if defined(__GLIBC__)
#include <malloc.h>

int mrp_set_heap_thresholds(long mmap_threshold, long trim_threshold) {
    int trim = mallopt(M_TRIM_THRESHOLD, (int)trim_threshold);
    int mmap = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold);
    return trim == 1 && mmap == 1 ? 1 : 0;
}
#else
int mrp_set_heap_thresholds(long mmap_threshold, long trim_threshold) {
    (void)mmap_threshold;
    (void)trim_threshold;
    return -1;
}
#endif
