/* Filled ranges of the receive window, for out-of-order segments. */
#include "net/tcp_reass.h"

#include <string.h>

void tcp_reass_init(struct tcp_reass *q)
{
	q->count = 0;
}

static void reass_remove(struct tcp_reass *q, uint32_t i, uint32_t n)
{
	memmove(&q->r[i], &q->r[i + n], (q->count - i - n) * sizeof q->r[0]);
	q->count -= n;
}

int tcp_reass_add(struct tcp_reass *q, uint32_t start, uint32_t end)
{
	uint32_t i = 0;

	/* Skip ranges wholly before the new one (not even touching it). */
	while (i < q->count && q->r[i].end < start)
		i++;
	/* Ranges from i to j-1 overlap or touch [start, end): merge them. */
	uint32_t j = i;
	while (j < q->count && q->r[j].start <= end) {
		if (q->r[j].start < start)
			start = q->r[j].start;
		if (q->r[j].end > end)
			end = q->r[j].end;
		j++;
	}
	if (j > i) {
		q->r[i].start = start;
		q->r[i].end = end;
		reass_remove(q, i + 1, j - i - 1);
		return 0;
	}
	if (q->count >= TCP_REASS_MAX)
		return -1;
	memmove(&q->r[i + 1], &q->r[i], (q->count - i) * sizeof q->r[0]);
	q->r[i].start = start;
	q->r[i].end = end;
	q->count++;
	return 0;
}

uint32_t tcp_reass_advance(struct tcp_reass *q, uint32_t n)
{
	uint32_t more = 0;

	/* Drop what the in-order bytes cover. */
	while (q->count && q->r[0].end <= n)
		reass_remove(q, 0, 1);
	/* A range reaching back to n continues the in-order data. */
	if (q->count && q->r[0].start <= n) {
		more = q->r[0].end - n;
		reass_remove(q, 0, 1);
	}
	uint32_t shift = n + more;
	for (uint32_t i = 0; i < q->count; i++) {
		q->r[i].start -= shift;
		q->r[i].end -= shift;
	}
	return more;
}

uint32_t tcp_reass_bytes(const struct tcp_reass *q)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < q->count; i++)
		n += q->r[i].end - q->r[i].start;
	return n;
}

uint32_t tcp_reass_end(const struct tcp_reass *q)
{
	return q->count ? q->r[q->count - 1].end : 0;
}

uint32_t tcp_reass_trim(struct tcp_reass *q, uint32_t end)
{
	uint32_t dropped = 0, n = 0;
	for (uint32_t i = 0; i < q->count; i++) {
		struct tcp_reass_range r = q->r[i];
		if (r.start >= end) {
			dropped += r.end - r.start;
			continue;
		}
		if (r.end > end) {
			dropped += r.end - end;
			r.end = end;
		}
		q->r[n++] = r;
	}
	q->count = n;
	return dropped;
}
