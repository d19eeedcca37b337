/* The fake link (see fake_link.h). */
#include "tests/unit/net/fake_link.h"

#include <string.h>

#include "net/err.h"
#include "net/sys.h"

enum { FAKE_LINK_TX_MAX = 65536 };

static void pcap_record(struct fake_link *fl, const uint8_t *p, size_t len)
{
	uint64_t now = sys_now_ms();
	uint32_t rec[4] = { (uint32_t)(now / 1000), (uint32_t)(now % 1000) * 1000, (uint32_t)len,
			    (uint32_t)len };

	if (!fl->pcap)
		return;
	fwrite(rec, sizeof rec, 1, fl->pcap);
	fwrite(p, 1, len, fl->pcap);
	fflush(fl->pcap);
}

static int fake_link_transmit(struct netif *nif, struct netbuf *nb)
{
	struct fake_link *fl = (struct fake_link *)nif;

	if (fl->tx_result != NET_OK) {
		netbuf_free(nb);
		return fl->tx_result;
	}
	pcap_record(fl, nb->data, nb->len);
	fl->tx_count++;
	netbuf_queue_push(&fl->tx, nb);
	return NET_OK;
}

void fake_link_init(struct fake_link *fl, const char *name, const uint8_t mac[6])
{
	memset(fl, 0, sizeof *fl);
	snprintf(fl->nif.name, sizeof fl->nif.name, "%s", name);
	memcpy(fl->nif.mac, mac, 6);
	fl->nif.mtu = 1500;
	fl->nif.link_up = true;
	fl->nif.transmit = fake_link_transmit;
	netbuf_queue_init(&fl->tx, FAKE_LINK_TX_MAX);
}

struct netbuf *fake_link_pop(struct fake_link *fl)
{
	return netbuf_queue_pop(&fl->tx);
}

void fake_link_flush(struct fake_link *fl)
{
	netbuf_queue_flush(&fl->tx);
}

void fake_link_inject(struct fake_link *fl, const uint8_t *frame, size_t len)
{
	struct netbuf *nb = netbuf_alloc_rx();

	if (!nb)
		return;
	if (len > NETBUF_SIZE)
		len = NETBUF_SIZE;
	memcpy(netbuf_put(nb, len), frame, len);
	nb->rx_time_ms = sys_now_ms();
	pcap_record(fl, frame, len);
	netif_input(&fl->nif, nb);
}

void fake_link_pcap(struct fake_link *fl, const char *path)
{
	static const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 /* Ethernet */ };

	if (fl->pcap) {
		fclose(fl->pcap);
		fl->pcap = NULL;
	}
	if (!path)
		return;
	fl->pcap = fopen(path, "wb");
	if (fl->pcap)
		fwrite(hdr, sizeof hdr, 1, fl->pcap);
}
