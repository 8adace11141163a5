#ifndef TRAPMUX_MALLOC_COUNTER_H
#define TRAPMUX_MALLOC_COUNTER_H

#include <stdint.h>

/// Heap allocations (malloc, calloc, realloc, aligned allocations) made by any thread since the process started.
uint64_t trapmux_allocation_count(void);

#endif
