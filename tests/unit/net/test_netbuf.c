/* netbuf: the four verbs and their bounds, the pool, queues, clones and
 * large netbufs. */
#include "tests/unit/net/net_fixture.h"

static struct netbuf small_pool[8];

static void test_verbs_and_bounds(void)
{
	struct netbuf *nb;
	uint8_t *p;

	fx_setup();
	nb = netbuf_alloc();
	CHECK(nb != NULL);
	CHECK_EQ_INT(netbuf_headroom(nb), NETBUF_HEADROOM);
	CHECK_EQ_INT(netbuf_tailroom(nb), NETBUF_SIZE - NETBUF_HEADROOM);
	CHECK_EQ_INT(nb->len, 0);
	p = netbuf_put(nb, 100);
	CHECK(p == nb->data);
	memset(p, 0xaa, 100);
	CHECK(netbuf_put(nb, NETBUF_SIZE) == NULL);          /* beyond the tailroom */
	CHECK_EQ_INT(nb->len, 100);
	p = netbuf_push(nb, 20);
	CHECK(p != NULL && p == nb->data);
	CHECK_EQ_INT(nb->len, 120);
	CHECK(netbuf_push(nb, NETBUF_HEADROOM) == NULL);     /* 20 already used */
	CHECK(netbuf_push(nb, NETBUF_HEADROOM - 20) != NULL); /* exactly the rest */
	CHECK_EQ_INT(netbuf_headroom(nb), 0);
	CHECK(netbuf_push(nb, 1) == NULL);
	CHECK(netbuf_pull(nb, nb->len + 1) == NULL);          /* pull is the bounds check */
	CHECK(netbuf_pull(nb, NETBUF_HEADROOM - 20) != NULL);
	CHECK_EQ_INT(nb->len, 120);
	CHECK_EQ_INT(netbuf_trim(nb, 121), -1);
	CHECK_EQ_INT(nb->len, 120);
	CHECK_EQ_INT(netbuf_trim(nb, 20), 0);
	CHECK_EQ_INT(nb->len, 20);
	CHECK(netbuf_pull(nb, 20) != NULL);
	CHECK_EQ_INT(nb->len, 0);
	CHECK(netbuf_pull(nb, 1) == NULL);
	CHECK(netbuf_put(nb, netbuf_tailroom(nb)) != NULL);
	CHECK_EQ_INT(netbuf_tailroom(nb), 0);
	CHECK(netbuf_put(nb, 1) == NULL);
	netbuf_free(nb);
	nb = netbuf_alloc_rx();
	CHECK_EQ_INT(netbuf_headroom(nb), 0);
	CHECK_EQ_INT(netbuf_tailroom(nb), NETBUF_SIZE);
	netbuf_free(nb);
	fx_teardown();
}

static void test_pool_exhaustion_and_stats(void)
{
	struct netbuf *held[8];
	struct netbuf_stats st;

	netbuf_pool_init(small_pool, 8);
	for (int i = 0; i < 8; i++) {
		held[i] = netbuf_alloc();
		CHECK(held[i] != NULL);
	}
	CHECK(netbuf_alloc() == NULL);
	CHECK(netbuf_alloc_rx() == NULL);
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.total, 8);
	CHECK_EQ_INT(st.in_use, 8);
	CHECK_EQ_INT(st.high_water, 8);
	CHECK_EQ_INT(st.alloc_failures, 2);
	for (int i = 0; i < 8; i++)
		netbuf_free(held[i]);
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.in_use, 0);
	CHECK_EQ_INT(st.high_water, 8);
	CHECK(netbuf_alloc() != NULL);  /* usable again (leaked into a re-init below) */
	netbuf_pool_init(small_pool, 8);
}

static void test_bad_frees_refused(void)
{
	struct netbuf foreign;
	struct netbuf *nb;
	struct netbuf_stats st;

	netbuf_pool_init(small_pool, 8);
	nb = netbuf_alloc();
	netbuf_free(nb);
	netbuf_free(nb);          /* double free */
	netbuf_free(&foreign);    /* not from the pool */
	netbuf_free(NULL);        /* allowed, nothing happens */
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.bad_frees, 2);
	CHECK_EQ_INT(st.in_use, 0);
	/* The free list is intact: all 8 can still be taken, no more. */
	for (int i = 0; i < 8; i++)
		CHECK(netbuf_alloc() != NULL);
	CHECK(netbuf_alloc() == NULL);
	CHECK(fake_log_contains("double free"));
	netbuf_pool_init(small_pool, 8);
}

static void test_queue_bound(void)
{
	struct netbuf_queue q;
	struct netbuf *a, *b, *c;

	fx_setup();
	netbuf_queue_init(&q, 2);
	a = netbuf_alloc();
	b = netbuf_alloc();
	c = netbuf_alloc();
	CHECK_EQ_INT(netbuf_queue_push(&q, a), 0);
	CHECK_EQ_INT(netbuf_queue_push(&q, b), 0);
	CHECK_EQ_INT(netbuf_queue_push(&q, c), -1);  /* full: c freed and counted */
	CHECK_EQ_INT(q.dropped, 1);
	CHECK_EQ_INT(q.count, 2);
	CHECK(netbuf_queue_pop(&q) == a);
	CHECK(netbuf_queue_pop(&q) == b);
	CHECK(netbuf_queue_pop(&q) == NULL);
	netbuf_queue_push(&q, a);
	netbuf_queue_push(&q, b);
	netbuf_queue_flush(&q);
	CHECK_EQ_INT(q.count, 0);
	fx_teardown();
}

static void test_clone_and_chain(void)
{
	struct netbuf *nb, *c;

	fx_setup();
	nb = netbuf_alloc();
	memcpy(netbuf_put(nb, 5), "hello", 5);
	netbuf_push(nb, 3);
	memcpy(nb->data, "abc", 3);
	c = netbuf_clone(nb);
	CHECK(c != NULL && c != nb);
	CHECK_EQ_INT(c->len, 8);
	CHECK_EQ_MEM(c->data, "abchello", 8);
	CHECK_EQ_INT(netbuf_headroom(c), netbuf_headroom(nb));
	nb->next = c;
	netbuf_free_chain(nb);
	fx_teardown();
}

static void test_large_netbuf(void)
{
	struct netbuf *nb, *c;
	struct netbuf_stats st;

	fx_setup();
	nb = netbuf_alloc_large(100);  /* fits: an ordinary one */
	CHECK(nb != NULL && nb->ext == NULL);
	netbuf_free(nb);
	nb = netbuf_alloc_large(9000);
	CHECK(nb != NULL && nb->ext != NULL);
	CHECK_EQ_INT(netbuf_headroom(nb), NETBUF_HEADROOM);
	CHECK_EQ_INT(netbuf_tailroom(nb), 9000);
	CHECK(netbuf_put(nb, 9000) != NULL);
	CHECK(netbuf_put(nb, 1) == NULL);
	memset(nb->data, 0x5a, 9000);
	CHECK(netbuf_push(nb, 20) != NULL);
	c = netbuf_clone(nb);
	CHECK(c != NULL && c->ext != NULL && c->len == 9020);
	CHECK(c->data[9019] == 0x5a);
	netbuf_get_stats(&st);
	CHECK_EQ_INT(st.large_in_use, 2);
	netbuf_free(c);
	netbuf_free(nb);
	fake_alloc_fail_next(1);
	CHECK(netbuf_alloc_large(9000) == NULL);  /* no memory: the pool netbuf goes back */
	fx_teardown();
}

int main(void)
{
	check_suite = "net.netbuf";
	RUN(test_verbs_and_bounds);
	RUN(test_pool_exhaustion_and_stats);
	RUN(test_bad_frees_refused);
	RUN(test_queue_bound);
	RUN(test_clone_and_chain);
	RUN(test_large_netbuf);
	return check_report();
}
