/* Sequence-number arithmetic (RFC 9293 3.4): sequence numbers live on a
 * circle of 2^32, so "a is before b" means the signed 32-bit distance from
 * a to b is positive. Every comparison of two sequence or acknowledgment
 * numbers in TCP goes through these; a plain < on them breaks at the wrap. */
#ifndef NET_TCP_SEQ_H
#define NET_TCP_SEQ_H

#include <stdint.h>

#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) >= 0)

/* The later / earlier of two sequence numbers. */
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (uint32_t)(a) : (uint32_t)(b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (uint32_t)(a) : (uint32_t)(b))

/* lo <= x < hi on the circle (an empty range when lo == hi). */
#define SEQ_IN(x, lo, hi) (SEQ_LEQ(lo, x) && SEQ_LT(x, hi))

#endif
