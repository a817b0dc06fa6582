// SPDX-License-Identifier: Apache-2.0
// The only C in vkcert's core: GMP plus three tiny helpers that Swift cannot reach directly.
#ifndef VKCERT_CGMP_SHIM_H
#define VKCERT_CGMP_SHIM_H

#include <gmp.h>
#include <stddef.h>
#include <string.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/random.h>

/// Fills `buf` with `len` bytes from the kernel CSPRNG (getrandom(2), blocking until seeded).
/// Returns 0 on success, -1 on a failure other than EINTR.
static inline int cgmp_getrandom(void *buf, size_t len) {
    unsigned char *p = (unsigned char *)buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR) { continue; }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/// Zeroes `len` bytes in a way the optimiser may not remove.
static inline void cgmp_wipe(void *p, size_t len) {
    if (p != NULL && len > 0) { explicit_bzero(p, len); }
}

static void *cgmp_zeroing_alloc(size_t n) {
    void *p = malloc(n);
    if (p == NULL) { abort(); }
    return p;
}

static void *cgmp_zeroing_realloc(void *old, size_t old_size, size_t new_size) {
    void *p = malloc(new_size);
    if (p == NULL) { abort(); }
    if (old != NULL) {
        memcpy(p, old, old_size < new_size ? old_size : new_size);
        explicit_bzero(old, old_size);
        free(old);
    }
    return p;
}

static void cgmp_zeroing_free(void *p, size_t size) {
    if (p != NULL) {
        explicit_bzero(p, size);
        free(p);
    }
}

/// Makes every block GMP frees or reallocates (limbs of our numbers *and* GMP's internal temporaries,
/// e.g. in division) zeroed first, so no secret outlives its use on the heap. (Scratch GMP takes with
/// TMP_ALLOC may live on the stack instead: secret arithmetic brings its own, see SecretArithmetic.)
/// Idempotent; memory allocated earlier by the default allocator is compatible (both are malloc).
static inline void cgmp_install_zeroing_allocator(void) {
    mp_set_memory_functions(cgmp_zeroing_alloc, cgmp_zeroing_realloc, cgmp_zeroing_free);
}

static inline int cgmp_sgn(mpz_srcptr z) { return mpz_sgn(z); }
static inline int cgmp_odd_p(mpz_srcptr z) { return mpz_odd_p(z); }

#endif
