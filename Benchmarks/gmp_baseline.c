// SPDX-License-Identifier: Apache-2.0
//
// Raw-C GMP baselines for vkcert's benchmark (Benchmarks/run.py), written for this project.
//
//   gmp_baseline sign   N_HEX E_HEX P_HEX Q_HEX DP_HEX DQ_HEX QINV_HEX SECONDS
//       RSA CRT private-key operation: 2 x mpz_powm_sec (1024-bit) + Garner recombination, no
//       padding, no blinding, no fault check: the lower bound a GMP-based signer cannot beat.
//   gmp_baseline verify N_HEX E_HEX SECONDS
//       s^e mod n with mpz_powm (public exponent).
//   gmp_baseline keygen COUNT
//       RSA-2048 key generation shaped like vkcert's: fresh random candidates >= sqrt(2)*2^1023,
//       p mod 65537 != 1, trial division by odd primes < 2^14, 5 Miller-Rabin rounds with
//       mpz_powm_sec and random bases; n, lambda, d, CRT values. Randomness: GMP's Mersenne Twister
//       seeded from getrandom (a baseline, not a CSPRNG).
// Every rate is thread CPU time. Output: one JSON object on stdout.
#include <gmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_hex(mpz_t z, const char *hex) {
    if (mpz_set_str(z, hex, 16) != 0) { fprintf(stderr, "bad hex\n"); exit(2); }
}

static int sign_bench(char **argv) {
    mpz_t n, e, p, q, dp, dq, qinv, m, mp, mq, sp, sq, h, s, check;
    mpz_inits(n, e, p, q, dp, dq, qinv, m, mp, mq, sp, sq, h, s, check, NULL);
    set_hex(n, argv[2]); set_hex(e, argv[3]); set_hex(p, argv[4]); set_hex(q, argv[5]);
    set_hex(dp, argv[6]); set_hex(dq, argv[7]); set_hex(qinv, argv[8]);
    double seconds = atof(argv[9]);
    mpz_set_ui(m, 0x1234567);
    mpz_mul_2exp(m, m, 2000);
    mpz_add_ui(m, m, 12345);
    long count = 0;
    double start = cpu_now(), elapsed;
    do {
        for (int i = 0; i < 16; i++) {
            mpz_mod(mp, m, p);
            mpz_mod(mq, m, q);
            mpz_powm_sec(sp, mp, dp, p);
            mpz_powm_sec(sq, mq, dq, q);
            mpz_sub(h, sp, sq);
            mpz_mul(h, h, qinv);
            mpz_mod(h, h, p);
            mpz_mul(s, h, q);
            mpz_add(s, s, sq);
        }
        count += 16;
        elapsed = cpu_now() - start;
    } while (elapsed < seconds);
    mpz_powm(check, s, e, n);
    if (mpz_cmp(check, m) != 0) { fprintf(stderr, "CRT result wrong\n"); return 1; }
    printf("{\"sign_per_s\":%.1f}\n", count / elapsed);
    return 0;
}

static int verify_bench(char **argv) {
    mpz_t n, e, s, r;
    mpz_inits(n, e, s, r, NULL);
    set_hex(n, argv[2]); set_hex(e, argv[3]);
    double seconds = atof(argv[4]);
    mpz_sub_ui(s, n, 12345);
    long count = 0;
    double start = cpu_now(), elapsed;
    do {
        for (int i = 0; i < 64; i++) mpz_powm(r, s, e, n);
        count += 64;
        elapsed = cpu_now() - start;
    } while (elapsed < seconds);
    printf("{\"verify_per_s\":%.1f}\n", count / elapsed);
    return 0;
}

static unsigned long small_primes[2000];
static int small_count;

static int miller_rabin(const mpz_t w, int rounds, gmp_randstate_t rs) {
    mpz_t w1, m, b, z;
    mpz_inits(w1, m, b, z, NULL);
    mpz_sub_ui(w1, w, 1);
    unsigned long a = mpz_scan1(w1, 0);
    mpz_tdiv_q_2exp(m, w1, a);
    size_t bits = mpz_sizeinbase(w, 2);
    int result = 1;
    for (int r = 0; r < rounds && result; r++) {
        do { mpz_urandomb(b, rs, bits); } while (mpz_cmp_ui(b, 1) <= 0 || mpz_cmp(b, w1) >= 0);
        mpz_powm_sec(z, b, m, w);
        if (mpz_cmp_ui(z, 1) == 0 || mpz_cmp(z, w1) == 0) continue;
        int witness = 1;
        for (unsigned long j = 1; j < a; j++) {
            mpz_mul(z, z, z);
            mpz_mod(z, z, w);
            if (mpz_cmp(z, w1) == 0) { witness = 0; break; }
            if (mpz_cmp_ui(z, 1) == 0) break;
        }
        if (witness) result = 0;
    }
    mpz_clears(w1, m, b, z, NULL);
    return result;
}

static void gen_prime(mpz_t p, const mpz_t bound, gmp_randstate_t rs) {
    for (;;) {
        mpz_urandomb(p, rs, 1024);
        mpz_setbit(p, 0);
        if (mpz_cmp(p, bound) < 0) continue;
        if (mpz_fdiv_ui(p, 65537) == 1) continue;
        int composite = 0;
        for (int i = 0; i < small_count; i++) {
            if (mpz_fdiv_ui(p, small_primes[i]) == 0) { composite = 1; break; }
        }
        if (composite) continue;
        if (miller_rabin(p, 5, rs)) return;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int keygen_bench(char **argv) {
    int count = atoi(argv[2]);
    for (unsigned long c = 3; c < (1u << 14); c += 2) {
        int prime = 1;
        for (unsigned long d = 3; d * d <= c; d += 2) if (c % d == 0) { prime = 0; break; }
        if (prime) small_primes[small_count++] = c;
    }
    unsigned long seed;
    if (getrandom(&seed, sizeof seed, 0) != sizeof seed) return 1;
    gmp_randstate_t rs;
    gmp_randinit_mt(rs);
    gmp_randseed_ui(rs, seed);
    mpz_t bound, p, q, n, p1, q1, lambda, d, e, dp, dq, qinv;
    mpz_inits(bound, p, q, n, p1, q1, lambda, d, e, dp, dq, qinv, NULL);
    mpz_ui_pow_ui(bound, 2, 2047);
    mpz_sub_ui(bound, bound, 1);
    mpz_sqrt(bound, bound);
    mpz_add_ui(bound, bound, 1);
    mpz_set_ui(e, 65537);
    double *times = malloc(sizeof(double) * count);
    for (int k = 0; k < count; k++) {
        double start = cpu_now();
        for (;;) {
            gen_prime(p, bound, rs);
            gen_prime(q, bound, rs);
            mpz_sub(n, p, q);
            mpz_abs(n, n);
            if (mpz_sizeinbase(n, 2) <= 924) continue;
            mpz_mul(n, p, q);
            mpz_sub_ui(p1, p, 1);
            mpz_sub_ui(q1, q, 1);
            mpz_lcm(lambda, p1, q1);
            if (!mpz_invert(d, e, lambda)) continue;
            if (mpz_sizeinbase(d, 2) <= 1024) continue;
            mpz_mod(dp, d, p1);
            mpz_mod(dq, d, q1);
            mpz_invert(qinv, q, p);
            break;
        }
        times[k] = (cpu_now() - start) * 1000;
    }
    qsort(times, count, sizeof(double), cmp_double);
    double sum = 0;
    for (int k = 0; k < count; k++) sum += times[k];
    double p90r = 0.9 * (count - 1);
    int lo = (int)p90r;
    double p90 = times[lo] + (lo + 1 < count ? (times[lo + 1] - times[lo]) * (p90r - lo) : 0);
    double medr = 0.5 * (count - 1);
    int ml = (int)medr;
    double median = times[ml] + (ml + 1 < count ? (times[ml + 1] - times[ml]) * (medr - ml) : 0);
    printf("{\"keygen_median_ms\":%.2f,\"keygen_mean_ms\":%.2f,\"keygen_p90_ms\":%.2f}\n", median, sum / count, p90);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 10 && strcmp(argv[1], "sign") == 0) return sign_bench(argv);
    if (argc >= 5 && strcmp(argv[1], "verify") == 0) return verify_bench(argv);
    if (argc >= 3 && strcmp(argv[1], "keygen") == 0) return keygen_bench(argv);
    fprintf(stderr, "usage: gmp_baseline sign|verify|keygen ...\n");
    return 2;
}
