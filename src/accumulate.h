/*
 * accumulate.h - exact, order-independent sums of float64 values.
 *
 * sq_xacc holds the exact sum of any number of doubles (up to 2^62 of them) as a fixed-point
 * integer whose unit is 2^-1074, the smallest subnormal: every double is a whole number of units,
 * so every addition is exact and the value does not depend on the order of the additions, on how
 * the terms were split among threads and ranks, or on how partial sums were merged. Rounding it
 * once gives the correctly rounded sum, identical for every decomposition.
 *
 * The digits are 32-bit values kept in int64 slots (carry-save): an addition touches at most three
 * slots with no carry propagation, and normalisation runs only every 2^29 additions.
 *
 * sq_xacc_add_block adds a whole block fast: the terms are split by pre-rounding against two
 * boundaries derived from the block's largest magnitude (Demmel and Nguyen's error-free
 * extraction); the parts are summed in plain float64 without rounding error, and only the last
 * bits of a term more than about 2^33 below the block's largest are added one by one. A block
 * whose terms all lie within 2^36 of its largest needs one boundary only
 * (sq_xacc_add_blocks3_ranged).
 *
 * Non-finite terms are counted, not added: the result is NaN if any term is NaN or both infinities
 * occur, otherwise the infinity that occurred, otherwise the rounded exact sum (which is +-Inf if
 * it overflows). Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_ACCUMULATE_H
#define SQCUBE_ACCUMULATE_H

#include <stdint.h>

/* 32-bit digits from 2^-1074 up to above 2^1024 * 2^64 (sums of 2^62 terms of any magnitude). */
#define SQ_XACC_DIGITS 70

typedef struct sq_xacc {
    int64_t digit[SQ_XACC_DIGITS]; /* value = sum of digit[i] * 2^(32 i - 1074) */
    int64_t pending;               /* additions since the digits were last normalised */
    int64_t nan, pinf, ninf;       /* non-finite terms seen */
} sq_xacc;

void sq_xacc_init(sq_xacc *a);

/* a += v exactly (v any double). */
void sq_xacc_add(sq_xacc *a, double v);

/* a += v[0] + ... + v[n-1] exactly, for n <= SQ_XACC_BLOCK_MAX. */
#define SQ_XACC_BLOCK_MAX 256
void sq_xacc_add_block(sq_xacc *a, const double *v, int n);

/* The same, for a caller that knows a bound: every v[i] is finite with |v[i]| <= bound, or bound is
 * +Inf (the block may hold non-finite terms: it goes term by term). Saves the pass that finds the
 * largest magnitude. */
void sq_xacc_add_block_bounded(sq_xacc *a, const double *v, int n, double bound);

/* a[k] += the block vk, for three blocks of n terms with bounds as above, in one pass. */
void sq_xacc_add_blocks3_bounded(sq_xacc *a[3], const double *v0, const double *v1,
                                 const double *v2, int n, const double bound[3]);

/* The same, for a caller that also knows a lower bound: lower[k] <= |vk[i]| for every i (0 when
 * unknown). A block whose terms all lie within 2^36 of its bound takes a cheaper exact path (one
 * pre-rounding boundary, and the remainders summed in float64, exactly). The result is the same
 * exact sum as adding the terms one by one. */
void sq_xacc_add_blocks3_ranged(sq_xacc *a[3], const double *v0, const double *v1, const double *v2,
                                int n, const double bound[3], const double lower[3]);

/* a += b exactly. */
void sq_xacc_merge(sq_xacc *a, const sq_xacc *b);

/* The correctly rounded (to nearest, ties to even) value of the exact sum, with the non-finite
 * rules above. An exact zero is +0.0 (the representation has no signed zero). */
double sq_xacc_value(const sq_xacc *a);

#endif
