/* Initial sequence numbers (RFC 6528; RFC 9293 3.4.1):
 *
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
 *
 * M is a clock ticking every 4 microseconds, F a keyed hash (SipHash-2-4)
 * of the 4-tuple with a 128-bit key drawn from sys_random32() at start-up.
 * Each 4-tuple gets its own sequence space that still moves forward with
 * time, so an off-path attacker cannot guess the ISN of someone else's
 * connection, and a new incarnation of a 4-tuple starts above the old. */
#ifndef NET_TCP_ISN_H
#define NET_TCP_ISN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 (Aumasson and Bernstein, 2012) of len bytes with a 16-byte
 * key; the key and the message are read as little-endian 64-bit words. */
uint64_t tcp_siphash24(const uint8_t key[16], const void *data, size_t len);

/* Draw a fresh secret key. tcp_init calls it. */
void tcp_isn_init(void);

/* The ISN for a connection between these endpoints at time now_ms. */
uint32_t tcp_isn(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport, uint64_t now_ms);

/* For tests: make tcp_isn return isn for every connection (on = false
 * goes back to RFC 6528). Never used by the kernel. */
void tcp_isn_set_fixed(bool on, uint32_t isn);

#endif
