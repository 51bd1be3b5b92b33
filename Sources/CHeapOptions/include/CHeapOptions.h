#ifndef C_HEAP_OPTIONS_H
#define C_HEAP_OPTIONS_H

/// Sets the C allocator's mmap threshold (allocations at least this large are mapped and unmapped
/// one by one) and trim threshold (free memory at the top of the heap kept before it is returned to
/// the kernel), both in bytes. Returns 1 when the allocator took both, 0 when it refused one, and -1
/// where the allocator has no such settings (not glibc).
int mrp_set_heap_thresholds(long mmap_threshold, long trim_threshold);

#endif
