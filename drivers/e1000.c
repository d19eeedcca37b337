/* Intel 8254x Ethernet driver: bring-up (8254x SDM chapter 14), legacy
 * receive and transmit rings (chapter 3), interrupts (13.4.17-13.4.21).
 * The contract with netd is in e1000.h. */
#include "drivers/e1000.h"

#include <stddef.h>
#include <string.h>

#include "drivers/e1000_regs.h"
#include "kernel/clock.h"
#include "kernel/heap.h"
#include "kernel/io.h"
#include "kernel/irq.h"
#include "kernel/pmm.h"
#include "kernel/vmm.h"
#include "net/err.h"
#include "net/perf.h"

enum {
	E1000_MMIO_SIZE = 0x20000,       /* BAR0 of the 82540EM: 128 KiB of registers */
	E1000_RESET_POLL_US = 10,
	E1000_RESET_POLLS = 1000,        /* 10 ms; the manual asks for at least 1 us */
	E1000_EERD_POLL_US = 5,
	E1000_EERD_POLLS = 2000,         /* 10 ms for one EEPROM word */
	/* TCTL (13.4.33): the manual's recommended Collision Threshold, and a
	 * Collision Distance of 64 byte times for full duplex. */
	E1000_TCTL_CT_VALUE = 0x0F,
	E1000_TCTL_COLD_FD = 0x40,
	/* TIPG (13.4.34): IPGT 10, IPGR1 8, IPGR2 6, the values the manual
	 * gives for IEEE 802.3 back-to-back spacing on copper. */
	E1000_TIPG_IPGT = 10,
	E1000_TIPG_IPGR1 = 8,
	E1000_TIPG_IPGR2 = 6,
};

/* RCTL, written exactly once, in e1000_start(): QEMU's e1000 ignores
 * received frames for about a second after every RCTL write. Receiver on,
 * broadcasts accepted, 2048-byte buffers (= NETBUF_SIZE), CRC stripped so
 * the frame length is what the stack sees, no loopback, RXDMT0 at half. */
#define E1000_RCTL_VALUE                                                         \
	(E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC | \
	 E1000_RCTL_LBM_NONE | E1000_RCTL_RDMTS_HALF | E1000_RCTL_MO_36)

/* The causes we take: a frame arrived (RXT0), the ring filled up (RXO) or
 * is getting low (RXDMT0), link change (LSC), and a sent descriptor was
 * written back (TXDW) so its netbuf can be freed. */
#define E1000_IMS_VALUE \
	(E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 | E1000_ICR_LSC | E1000_ICR_TXDW)

/* ITR counts 256 ns units between interrupts. A cap of 20000/s means at
 * most 50 us of added latency for a frame that arrives just after an
 * interrupt, while a full-speed TCP download (about 85000 frames/s) still
 * gets four or more frames per interrupt instead of one. */
#define E1000_ITR_VALUE (1000000000u / (E1000_ITR_UNIT_NS * E1000_ITR_MAX_RATE))

_Static_assert(NETBUF_SIZE >= 2048, "RCTL.BSIZE 2048 needs 2048-byte netbufs");
_Static_assert(E1000_RING_MIN * sizeof(struct e1000_rx_desc) == 128, "RDLEN steps of 128 bytes");
_Static_assert(E1000_RING_MIN * sizeof(struct e1000_tx_desc) == 128, "TDLEN steps of 128 bytes");
_Static_assert(E1000_RX_RING <= E1000_RING_MAX && E1000_TX_RING <= E1000_RING_MAX, "default rings fit");

struct e1000 {
	struct pci_device *pci;
	volatile uint8_t *regs;
	uint8_t mac[6];
	bool started;
	bool link_up;
	uint8_t irq_line;

	/* RX: every slot always holds a netbuf. The NIC owns the slots from
	 * RDH up to RDT - 1; we own RDT itself and the slots we have not yet
	 * cleaned, starting at rx_next_to_clean. */
	volatile struct e1000_rx_desc *rx_ring;
	struct netbuf *rx_nb[E1000_RING_MAX];
	unsigned rx_count;         /* descriptors in the ring */
	unsigned rx_next_to_clean;
	bool rx_discarding;        /* inside a frame that spans descriptors */

	/* TX: slots [tx_next_to_clean, tx_next_to_use) hold queued netbufs;
	 * one slot stays empty so that full and empty differ. */
	volatile struct e1000_tx_desc *tx_ring;
	struct netbuf *tx_nb[E1000_RING_MAX];
	unsigned tx_count;
	unsigned tx_next_to_use, tx_next_to_clean;
	unsigned tx_tail;          /* last value written to TDT */

	/* Shared with the interrupt handler; touched with interrupts off. */
	volatile uint32_t pending;
	volatile uint64_t interrupts;
	volatile uint64_t rx_overruns;
	void (*notify)(void *ctx);
	void *notify_ctx;

	struct e1000_stats st;     /* the thread-side counters */
};

static inline uint32_t e1000_read(struct e1000 *dev, uint32_t reg)
{
	return mmio_read32(dev->regs + reg);
}

static inline void e1000_write(struct e1000 *dev, uint32_t reg, uint32_t v)
{
	mmio_write32(dev->regs + reg, v);
}

/* Register writes may be posted; a read forces them out to the device. */
static inline void e1000_flush(struct e1000 *dev)
{
	(void)e1000_read(dev, E1000_STATUS);
}

/* --- bring-up ------------------------------------------------------------ */

/* Global reset (14.3): mask everything, set CTRL.RST, wait for it to clear,
 * then mask again, since the reset restores the interrupt mask. */
static int e1000_reset(struct e1000 *dev)
{
	uint32_t ctrl;
	int polls;

	e1000_write(dev, E1000_IMC, E1000_IMC_ALL);
	e1000_write(dev, E1000_CTRL, e1000_read(dev, E1000_CTRL) | E1000_CTRL_RST);
	udelay(E1000_RESET_POLL_US);
	for (polls = 0; polls < E1000_RESET_POLLS; polls++) {
		if (!(e1000_read(dev, E1000_CTRL) & E1000_CTRL_RST))
			break;
		udelay(E1000_RESET_POLL_US);
	}
	if (polls == E1000_RESET_POLLS)
		return NET_ETIMEDOUT;
	e1000_write(dev, E1000_IMC, E1000_IMC_ALL);
	(void)e1000_read(dev, E1000_ICR);

	/* Link up with speed and duplex from auto-negotiation (14.5). */
	ctrl = e1000_read(dev, E1000_CTRL);
	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_FRCSPD |
		  E1000_CTRL_FRCDPLX | E1000_CTRL_VME);
	e1000_write(dev, E1000_CTRL, ctrl);

	/* No flow control: zero the pause-frame registers (14.3). */
	e1000_write(dev, E1000_FCAL, 0);
	e1000_write(dev, E1000_FCAH, 0);
	e1000_write(dev, E1000_FCT, 0);
	e1000_write(dev, E1000_FCTTV, 0);
	e1000_flush(dev);
	return NET_OK;
}

/* One 16-bit EEPROM word through EERD (13.4.4); -1 on timeout. */
static int e1000_eeprom_read(struct e1000 *dev, uint8_t word)
{
	e1000_write(dev, E1000_EERD, E1000_EERD_START | (uint32_t)word << E1000_EERD_ADDR_SHIFT);
	for (int polls = 0; polls < E1000_EERD_POLLS; polls++) {
		uint32_t v = e1000_read(dev, E1000_EERD);
		if (v & E1000_EERD_DONE)
			return (int)(v >> E1000_EERD_DATA_SHIFT);
		udelay(E1000_EERD_POLL_US);
	}
	return -1;
}

/* The Ethernet address: RAL0/RAH0 as firmware or QEMU left them, else the
 * EEPROM's words 0-2. */
static int e1000_mac_read(struct e1000 *dev)
{
	uint32_t ral = e1000_read(dev, E1000_RAL(0));
	uint32_t rah = e1000_read(dev, E1000_RAH(0));
	static const uint8_t zero[6];

	if (ral != 0 || (rah & 0xFFFF) != 0) {
		for (int i = 0; i < 4; i++)
			dev->mac[i] = (uint8_t)(ral >> (8 * i));
		dev->mac[4] = (uint8_t)rah;
		dev->mac[5] = (uint8_t)(rah >> 8);
	} else {
		for (int w = 0; w < 3; w++) {
			int v = e1000_eeprom_read(dev, E1000_EEPROM_ETH_ADDR_WORD + w);
			if (v < 0)
				return NET_ETIMEDOUT;
			dev->mac[2 * w] = (uint8_t)v;
			dev->mac[2 * w + 1] = (uint8_t)(v >> 8);
		}
	}
	if (memcmp(dev->mac, zero, sizeof zero) == 0 || (dev->mac[0] & 1))
		return NET_EMALFORMED;   /* no address, or a multicast one */
	return NET_OK;
}

/* Receive filters (14.4): our address in RAL0/RAH0 marked valid, the other
 * fifteen entries and the whole multicast table cleared. */
static void e1000_filters_program(struct e1000 *dev)
{
	const uint8_t *m = dev->mac;

	e1000_write(dev, E1000_RAL(0), (uint32_t)m[0] | (uint32_t)m[1] << 8 |
					   (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24);
	e1000_write(dev, E1000_RAH(0), (uint32_t)m[4] | (uint32_t)m[5] << 8 | E1000_RAH_AV);
	for (int i = 1; i < E1000_RA_ENTRIES; i++) {
		e1000_write(dev, E1000_RAL(i), 0);
		e1000_write(dev, E1000_RAH(i), 0);
	}
	for (int i = 0; i < E1000_MTA_ENTRIES; i++)
		e1000_write(dev, E1000_MTA + 4 * i, 0);
}

static struct pci_device *e1000_pci_find(void)
{
	static const uint16_t ids[] = { E1000_DEV_82540EM, E1000_DEV_82545EM };

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		struct pci_device *p = pci_find(E1000_VENDOR_INTEL, ids[i]);
		if (p)
			return p;
	}
	return NULL;
}

struct e1000 *e1000_probe(int *err)
{
	struct pci_device *pci;
	struct e1000 *dev = NULL;
	volatile void *regs;
	int e;

	pci_init();
	pci = e1000_pci_find();
	if (!pci) {
		e = NET_ENODEV;
		goto fail;
	}
	if ((pci->bar[0].type != PCI_BAR_MEM32 && pci->bar[0].type != PCI_BAR_MEM64) ||
	    pci->bar[0].size < E1000_MMIO_SIZE) {
		e = NET_ENOTSUP;
		goto fail;
	}
	if (pci_enable(pci) != 0) {
		e = NET_ENODEV;
		goto fail;
	}
	regs = vmm_map_mmio(pci->bar[0].base, E1000_MMIO_SIZE);
	dev = kcalloc(1, sizeof *dev);
	if (!regs || !dev) {
		e = NET_ENOMEM;
		goto fail;
	}
	dev->pci = pci;
	dev->regs = (volatile uint8_t *)regs;
	dev->irq_line = PCI_INTERRUPT_LINE_NONE;
	dev->rx_count = E1000_RX_RING;
	dev->tx_count = E1000_TX_RING;
	e = e1000_reset(dev);
	if (e == NET_OK)
		e = e1000_mac_read(dev);
	if (e != NET_OK)
		goto fail;
	e1000_filters_program(dev);
	dev->link_up = (e1000_read(dev, E1000_STATUS) & E1000_STATUS_LU) != 0;
	if (err)
		*err = NET_OK;
	return dev;
fail:
	kfree(dev);
	if (err)
		*err = e;
	return NULL;
}

int e1000_set_rings(struct e1000 *dev, unsigned n)
{
	if (dev->started || n < E1000_RING_MIN || n > E1000_RING_MAX || n % E1000_RING_MIN)
		return NET_EINVAL;
	dev->rx_count = dev->tx_count = n;
	return NET_OK;
}

/* --- interrupts ---------------------------------------------------------- */

/* Reading ICR acknowledges every cause in it (13.4.17). A zero ICR means the
 * interrupt was another device's on a shared line. Rings are never touched
 * here: netd drains them when notify wakes it. */
static void e1000_isr(void *arg)
{
	struct e1000 *dev = arg;
	uint32_t icr = e1000_read(dev, E1000_ICR);

	if (icr == 0)
		return;
	dev->pending |= icr;
	dev->interrupts++;
	perf_count(PERF_EV_INTERRUPTS, 1);
	if (icr & E1000_ICR_RXO)
		dev->rx_overruns++;
	if (dev->notify)
		dev->notify(dev->notify_ctx);
}

uint32_t e1000_take_events(struct e1000 *dev)
{
	uint64_t flags = irq_save();
	uint32_t ev = dev->pending;

	dev->pending = 0;
	irq_restore(flags);

	if (ev & E1000_ICR_LSC) {
		bool up = (e1000_read(dev, E1000_STATUS) & E1000_STATUS_LU) != 0;
		if (up != dev->link_up)
			dev->st.link_changes++;
		dev->link_up = up;
	}
	return ev;
}

/* --- rings --------------------------------------------------------------- */

static size_t e1000_ring_pages(size_t bytes)
{
	return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void e1000_rx_ring_free(struct e1000 *dev)
{
	for (unsigned i = 0; i < dev->rx_count; i++) {
		if (dev->rx_nb[i])
			netbuf_free(dev->rx_nb[i]);
		dev->rx_nb[i] = NULL;
	}
	pmm_free_contig(virt_to_phys((const void *)dev->rx_ring),
			e1000_ring_pages(dev->rx_count * sizeof(struct e1000_rx_desc)));
	dev->rx_ring = NULL;
}

/* Receive ring (14.4): every descriptor gets a netbuf; the NIC may use all
 * but the one at RDT = N - 1. */
static int e1000_rx_ring_init(struct e1000 *dev)
{
	size_t bytes = dev->rx_count * sizeof(struct e1000_rx_desc);
	uint64_t phys = pmm_alloc_contig(e1000_ring_pages(bytes));

	if (!phys)
		return NET_ENOMEM;
	dev->rx_ring = phys_to_virt(phys);
	for (unsigned i = 0; i < dev->rx_count; i++) {
		struct netbuf *nb = netbuf_alloc_rx();
		if (!nb) {
			e1000_rx_ring_free(dev);
			return NET_ENOMEM;
		}
		dev->rx_nb[i] = nb;
		dev->rx_ring[i].buffer_addr = virt_to_phys(nb->buf);
		dev->rx_ring[i].status = 0;
	}
	dev->rx_next_to_clean = 0;
	dev->rx_discarding = false;

	e1000_write(dev, E1000_RDBAL, (uint32_t)phys);
	e1000_write(dev, E1000_RDBAH, (uint32_t)(phys >> 32));
	e1000_write(dev, E1000_RDLEN, (uint32_t)bytes);
	e1000_write(dev, E1000_RDH, 0);
	e1000_write(dev, E1000_RDT, dev->rx_count - 1);
	/* No receive delay: ITR alone paces the interrupts. */
	e1000_write(dev, E1000_RDTR, 0);
	e1000_write(dev, E1000_RADV, 0);
	return NET_OK;
}

/* Transmit ring (14.5): empty, TDH = TDT = 0. */
static int e1000_tx_ring_init(struct e1000 *dev)
{
	size_t bytes = dev->tx_count * sizeof(struct e1000_tx_desc);
	uint64_t phys = pmm_alloc_contig(e1000_ring_pages(bytes));

	if (!phys)
		return NET_ENOMEM;
	dev->tx_ring = phys_to_virt(phys);
	dev->tx_next_to_use = dev->tx_next_to_clean = dev->tx_tail = 0;

	e1000_write(dev, E1000_TDBAL, (uint32_t)phys);
	e1000_write(dev, E1000_TDBAH, (uint32_t)(phys >> 32));
	e1000_write(dev, E1000_TDLEN, (uint32_t)bytes);
	e1000_write(dev, E1000_TDH, 0);
	e1000_write(dev, E1000_TDT, 0);
	e1000_write(dev, E1000_TIDV, 0);
	e1000_write(dev, E1000_TADV, 0);
	e1000_write(dev, E1000_TIPG, E1000_TIPG_IPGT << E1000_TIPG_IPGT_SHIFT |
				     E1000_TIPG_IPGR1 << E1000_TIPG_IPGR1_SHIFT |
				     E1000_TIPG_IPGR2 << E1000_TIPG_IPGR2_SHIFT);
	e1000_write(dev, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP |
				     E1000_TCTL_CT_VALUE << E1000_TCTL_CT_SHIFT |
				     E1000_TCTL_COLD_FD << E1000_TCTL_COLD_SHIFT);
	return NET_OK;
}

int e1000_start(struct e1000 *dev, void (*notify)(void *ctx), void *ctx)
{
	uint8_t line = dev->pci->irq_line;
	int e;

	if (dev->started)
		return NET_EINVAL;
	e = e1000_rx_ring_init(dev);
	if (e != NET_OK)
		return e;
	e = e1000_tx_ring_init(dev);
	if (e != NET_OK) {
		e1000_rx_ring_free(dev);
		return e;
	}
	e1000_write(dev, E1000_ITR, E1000_ITR_VALUE);

	dev->notify = notify;
	dev->notify_ctx = ctx;
	if (line < IRQ_LINES && irq_install(line, e1000_isr, dev) == 0)
		dev->irq_line = line;

	e1000_write(dev, E1000_RCTL, E1000_RCTL_VALUE);   /* the one RCTL write */
	(void)e1000_read(dev, E1000_ICR);                 /* drop stale causes */
	dev->started = true;
	dev->link_up = (e1000_read(dev, E1000_STATUS) & E1000_STATUS_LU) != 0;
	if (dev->irq_line != PCI_INTERRUPT_LINE_NONE)
		e1000_write(dev, E1000_IMS, E1000_IMS_VALUE);
	e1000_flush(dev);
	return NET_OK;
}

/* Put slot i back in the NIC's hands with the netbuf it already has (the
 * buffer address is unchanged); only the written-back fields are reset. */
static void e1000_rx_desc_recycle(volatile struct e1000_rx_desc *d)
{
	d->length = 0;
	d->errors = 0;
	d->status = 0;
}

static void e1000_rx_mark(struct netbuf *nb)
{
	static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

	nb->flags = 0;
	if (nb->len < 6)
		return;
	if (memcmp(nb->data, bcast, 6) == 0)
		nb->flags |= NETBUF_F_BROADCAST;
	else if (nb->data[0] & 1)
		nb->flags |= NETBUF_F_MULTICAST;
}

int e1000_rx(struct e1000 *dev, void (*deliver)(void *ctx, struct netbuf *nb), void *ctx,
	     int budget)
{
	unsigned i = dev->rx_next_to_clean;
	int cleaned = 0, delivered = 0;

	if (!dev->started)
		return 0;
	while (cleaned < budget) {
		volatile struct e1000_rx_desc *d = &dev->rx_ring[i];
		struct netbuf *nb, *fresh;
		uint8_t status, errors;
		uint16_t len;

		if (!(d->status & E1000_RXD_STAT_DD))
			break;
		/* DD is written last; no read of the descriptor or the buffer
		 * may be satisfied from before we saw it. */
		rmb();
		status = d->status;
		errors = d->errors;
		len = d->length;
		nb = dev->rx_nb[i];
		cleaned++;

		if (!(status & E1000_RXD_STAT_EOP)) {
			/* Larger than one buffer: drop this part and the rest. */
			if (!dev->rx_discarding)
				dev->st.rx_oversize++;
			dev->rx_discarding = true;
			goto recycle;
		}
		if (dev->rx_discarding) {
			dev->rx_discarding = false;   /* the tail of an oversize frame */
			goto recycle;
		}
		if (errors & E1000_RXD_ERR_FRAME) {
			dev->st.rx_errors++;
			goto recycle;
		}
		if (len == 0 || len > NETBUF_SIZE) {
			dev->st.rx_errors++;
			goto recycle;
		}
		fresh = netbuf_alloc_rx();
		if (!fresh) {
			dev->st.rx_no_buffer++;   /* keep the old netbuf in the ring */
			goto recycle;
		}
		dev->rx_nb[i] = fresh;
		d->buffer_addr = virt_to_phys(fresh->buf);
		e1000_rx_desc_recycle(d);

		nb->data = nb->buf;
		nb->len = len;
		nb->next = NULL;
		nb->rx_time_ms = now_ms();
		e1000_rx_mark(nb);
		dev->st.rx_packets++;
		dev->st.rx_bytes += len;
		perf_count(PERF_EV_RX_BYTES, len);
		deliver(ctx, nb);
		delivered++;
		i = (i + 1) % dev->rx_count;
		continue;
recycle:
		e1000_rx_desc_recycle(d);
		i = (i + 1) % dev->rx_count;
	}
	if (cleaned) {
		dev->rx_next_to_clean = i;
		/* The new buffer addresses and cleared status bytes must reach
		 * memory before the tail write lets the NIC fetch those
		 * descriptors again, or it could DMA into a netbuf already
		 * handed up. One tail write per batch: each is an MMIO exit. */
		wmb();
		e1000_write(dev, E1000_RDT, (i + dev->rx_count - 1) % dev->rx_count);
		perf_count(PERF_EV_RDT_WRITES, 1);
	}
	if (delivered) {
		perf_count(PERF_EV_RX_BATCHES, 1);
		perf_count(PERF_EV_RX_FRAMES, (uint64_t)delivered);
	}
	return delivered;
}

int e1000_tx_queue(struct e1000 *dev, struct netbuf *nb)
{
	unsigned use = dev->tx_next_to_use;
	unsigned next = (use + 1) % dev->tx_count;
	volatile struct e1000_tx_desc *d;

	if (!dev->started)
		return NET_ENODEV;
	if (nb->len == 0 || nb->len > E1000_TX_FRAME_MAX)
		return NET_EMSGSIZE;
	if (next == dev->tx_next_to_clean) {
		/* Full: let the NIC see what is queued, then take back what it
		 * has finished (QEMU sends synchronously on the tail write). */
		e1000_tx_flush(dev);
		e1000_tx_reclaim(dev);
		if (next == dev->tx_next_to_clean) {
			dev->st.tx_ring_full++;
			return NET_EAGAIN;
		}
	}
	d = &dev->tx_ring[use];
	d->buffer_addr = virt_to_phys(nb->data);
	d->length = (uint16_t)nb->len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	/* One descriptor per frame, FCS by the NIC, DD written back for reclaim. */
	d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
	dev->tx_nb[use] = nb;
	dev->tx_next_to_use = next;
	perf_count(PERF_EV_TX_FRAMES, 1);
	perf_count(PERF_EV_TX_BYTES, nb->len);
	return NET_OK;
}

void e1000_tx_flush(struct e1000 *dev)
{
	if (!dev->started || dev->tx_tail == dev->tx_next_to_use)
		return;
	/* The descriptors (and the frame bytes) must be in memory before the
	 * tail write tells the NIC to fetch them. */
	wmb();
	dev->tx_tail = dev->tx_next_to_use;
	e1000_write(dev, E1000_TDT, dev->tx_tail);
	perf_count(PERF_EV_TDT_WRITES, 1);
}

int e1000_tx(struct e1000 *dev, struct netbuf *nb)
{
	int e = e1000_tx_queue(dev, nb);

	if (e == NET_OK)
		e1000_tx_flush(dev);
	return e;
}

void e1000_tx_reclaim(struct e1000 *dev)
{
	unsigned c = dev->tx_next_to_clean;

	if (!dev->started)
		return;
	while (c != dev->tx_tail) {
		volatile struct e1000_tx_desc *d = &dev->tx_ring[c];
		uint8_t status = d->status;

		if (!(status & E1000_TXD_STAT_DD))
			break;
		rmb();
		if (status & (E1000_TXD_STAT_EC | E1000_TXD_STAT_LC)) {
			dev->st.tx_errors++;
		} else {
			dev->st.tx_packets++;
			dev->st.tx_bytes += d->length;
		}
		netbuf_free(dev->tx_nb[c]);
		dev->tx_nb[c] = NULL;
		c = (c + 1) % dev->tx_count;
	}
	dev->tx_next_to_clean = c;
}

/* --- state --------------------------------------------------------------- */

bool e1000_link_up(struct e1000 *dev)
{
	return dev->link_up;
}

void e1000_mac(struct e1000 *dev, uint8_t mac[6])
{
	memcpy(mac, dev->mac, 6);
}

struct pci_device *e1000_pci(struct e1000 *dev)
{
	return dev->pci;
}

void e1000_get_stats(struct e1000 *dev, struct e1000_stats *st)
{
	uint64_t flags;

	dev->st.rx_missed += e1000_read(dev, E1000_MPC);
	*st = dev->st;
	flags = irq_save();
	st->interrupts = dev->interrupts;
	st->rx_overruns = dev->rx_overruns;
	irq_restore(flags);
	st->link_up = dev->link_up;
	st->irq_line = dev->irq_line;
	st->rx_ring = (uint16_t)dev->rx_count;
	st->tx_ring = (uint16_t)dev->tx_count;
}
