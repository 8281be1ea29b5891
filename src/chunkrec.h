/*
 * chunkrec.h - the checkpoint record of one work chunk: its partial reductions, in a fixed-size,
 * self-checking byte encoding, and how a resumed run takes records over.
 *
 * Every chunk a run writes gets a record in /checkpoint/records (h5io_chunkrec.c) before its done
 * flag: the chunk's sq_stats, exactly (the 256-bit integer sums, or the exact float accumulators
 * normalised to 32-bit digits), with the chunk number, the session that wrote it and a checksum.
 * Exact sums merge in any order, so a resumed run merges the records of every flagged chunk, of
 * any earlier session (killed ones included), and ends with the reductions of an uninterrupted
 * run, bit for bit. A record that does not decode (torn, or from another chunk or session) makes
 * its chunk count as not done.
 * Pure: no MPI, no HDF5.
 */
#ifndef SQCUBE_CHUNKREC_H
#define SQCUBE_CHUNKREC_H

#include <stdint.h>

#include "checkpoint.h"
#include "stats.h"

/* Bytes of one record (little-endian, whatever the host):
 *    0 u32 magic "SQCR"     4 u32 format (1)      8 i64 chunk     16 i32 session   20 i32 type
 *   24 i64 count, nonfinite, nan, has_minmax, negzero, poszero, imin, imax (8 x 8)
 *   88 f64 fmin, fmax (their bits)
 *  104 sums: int64 data: 3 x 32 bytes (sq_i256 limbs); float64 data: 3 x 308 bytes (69 digits
 *      as u32, the top digit as i64, then the nan, +inf and -inf counts as i64)
 * 1028 u32 0 (padding)   1032 u64 FNV-1a 64 of bytes 0..1031 */
#define SQ_CHUNKREC_BYTES 1040

/* Encodes the reductions of chunk `chunk` written by `session` into buf (SQ_CHUNKREC_BYTES). */
void sq_chunkrec_encode(const sq_stats *s, int64_t chunk, int32_t session, unsigned char *buf);

/* Decodes buf into *s when it is a whole record of chunk `chunk` by `session`, of data type
 * `type`, holding `count` elements. Returns 0, or -1 (and *s untouched) otherwise. */
int sq_chunkrec_decode(const unsigned char *buf, int64_t chunk, int32_t session, sq_dtype type,
                       int64_t count, sq_stats *s);

/* Takes chunk record s, flagged by session `session`, over into r: merges it into r->prev and
 * counts it as done by that session. */
void sq_resume_take(sq_resume *r, int32_t session, const sq_stats *s);

#endif
