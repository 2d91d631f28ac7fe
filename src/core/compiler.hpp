// Compiler hints shared by the hot loops.
#pragma once

/// Forces inlining: the helpers of a vectorised loop must be compiled inside the loop (and inside
/// each target_clones version of it), never called.
#if defined(__GNUC__)
#define LAMINAR_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define LAMINAR_ALWAYS_INLINE inline
#endif
