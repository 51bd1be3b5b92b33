#ifndef CZMQ_SHIM_H
#define CZMQ_SHIM_H
#include <zmq.h>
#ifdef __linux__
#include <sys/eventfd.h>
#include <sys/prctl.h>
/// Names the calling thread (15 bytes at most, as `top -H` and /proc/<pid>/task/<tid>/comm show it).
static inline void czmq_name_this_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0UL, 0UL, 0UL);
}
#endif
#endif
