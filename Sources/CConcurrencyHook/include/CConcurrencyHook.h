#ifndef C_CONCURRENCY_HOOK_H
#define C_CONCURRENCY_HOOK_H

/// The address of the Swift concurrency runtime's global-enqueue hook (a function pointer the runtime
/// calls, when set, instead of its own global executor). Resolved at link time, so it works when the
/// standard library is linked statically and the symbol is not in the dynamic symbol table.
void **mrp_concurrency_enqueue_global_hook(void);

#endif
