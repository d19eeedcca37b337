/* Driver for the Intel 8254x Gigabit Ethernet controller as QEMU emulates
 * it (82540EM 8086:100E, 82545EM 8086:100F), after Intel's PCI/PCI-X Family
 * of Gigabit Ethernet Controllers Software Developer's Manual, chapter 14
 * (general initialisation) and chapter 3 (receive and transmit).
 *
 * Execution model. The interrupt handler only reads ICR (which acknowledges
 * the interrupt), ORs the cause bits into a pending word and calls the
 * notify callback given to e1000_start(). Everything else - draining the
 * receive ring, reclaiming sent buffers, link state - runs in one thread
 * (netd), which calls the functions below. None of them may be called from
 * an interrupt handler, and only one thread may call them.
 *
 * A typical netd loop:
 *
 *     uint32_t ev = e1000_take_events(nic);      // link state updated here
 *     e1000_rx(nic, deliver, ctx, 64);           // repeat while it returns 64
 *     e1000_tx_reclaim(nic);
 *     ... protocol work that calls e1000_tx_queue() ...
 *     e1000_tx_flush(nic);
 *
 * Buffers are zero-copy netbufs: the NIC receives straight into netbuf->buf
 * and transmits straight from netbuf->data (RAM is identity-mapped, so the
 * pointer is the DMA address). The driver keeps NETBUF_SIZE-byte receive
 * buffers for the whole receive ring, so E1000_RX_RING netbufs of the pool
 * are the driver's from e1000_start() on.
 */
#ifndef DRIVERS_E1000_H
#define DRIVERS_E1000_H

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pci.h"
#include "net/netbuf.h"

enum {
	E1000_RX_RING = 256,          /* descriptors by default; 16 bytes each, one page */
	E1000_TX_RING = 256,
	E1000_RING_MAX = 256,         /* e1000_set_rings() bounds: RDLEN and TDLEN */
	E1000_RING_MIN = 8,           /* must be multiples of 128 bytes (8 descriptors) */
	E1000_TX_FRAME_MAX = 1518,    /* 1514-byte frame plus an 802.1Q tag, FCS not counted */
	E1000_ITR_MAX_RATE = 20000,   /* interrupts per second at most, see e1000.c */
};

struct e1000;

struct e1000_stats {
	uint64_t rx_packets, rx_bytes;   /* frames delivered upward */
	uint64_t tx_packets, tx_bytes;   /* frames the NIC reported sent */
	uint64_t rx_no_buffer;    /* frames dropped: netbuf pool empty */
	uint64_t rx_oversize;     /* frames dropped: spanned descriptors (no EOP) */
	uint64_t rx_errors;       /* frames dropped: CRC/symbol/sequence/data error, bad length */
	uint64_t rx_overruns;     /* RXO interrupts: the ring was full */
	uint64_t rx_missed;       /* MPC: frames the NIC itself had to drop */
	uint64_t tx_ring_full;    /* transmits refused with NET_EAGAIN */
	uint64_t tx_errors;       /* frames given up on (excess or late collisions) */
	uint64_t interrupts;      /* interrupts that had a cause for us */
	uint64_t link_changes;    /* LSC events that changed the link state */
	bool link_up;
	uint8_t irq_line;         /* PIC line in use, PCI_INTERRUPT_LINE_NONE if polling */
	uint16_t rx_ring, tx_ring; /* descriptors in each ring */
};

/* Find the first supported NIC, enable it on PCI, map its registers, reset
 * it, and read its Ethernet address (RAL0/RAH0, else the EEPROM). Runs
 * pci_init() if nobody has. Interrupts stay masked and the rings are not
 * set up until e1000_start(). Returns the device (heap memory, never freed),
 * or NULL with *err (if err is not NULL) set to NET_ENODEV (no NIC),
 * NET_ENOTSUP (BAR0 is not memory), NET_ENOMEM (mapping or allocation
 * failed), NET_ETIMEDOUT (reset or EEPROM read never finished) or
 * NET_EMALFORMED (no valid unicast address). */
struct e1000 *e1000_probe(int *err);

/* Descriptors per ring (both), before e1000_start(): a multiple of 8 from
 * E1000_RING_MIN to E1000_RING_MAX (RDLEN/TDLEN are multiples of 128
 * bytes, 14.4); NET_EINVAL otherwise or once started. Default 256. */
int e1000_set_rings(struct e1000 *dev, unsigned n);

/* Set up both rings (taking E1000_RX_RING netbufs from the pool, so
 * netbuf_pool_init() must have run), enable receive and transmit, install
 * the interrupt handler on the function's PCI interrupt line and unmask the
 * interrupt causes. notify(ctx) is called from the interrupt handler with
 * interrupts off; it must only wake a thread. If firmware routed no
 * interrupt line, the driver works polled and notify is never called.
 * Returns NET_OK, NET_ENOMEM, or NET_EINVAL if already started. */
int e1000_start(struct e1000 *dev, void (*notify)(void *ctx), void *ctx);

/* Interrupt causes (E1000_ICR_* bits) noted since the last call, read and
 * cleared with interrupts off. On E1000_ICR_LSC it also re-reads the link
 * state (see e1000_link_up()). */
uint32_t e1000_take_events(struct e1000 *dev);

/* Hand up to budget received frames to deliver(ctx, nb), oldest first, with
 * nb->data at the Ethernet header, nb->len the frame length without FCS,
 * nb->rx_time_ms set and NETBUF_F_BROADCAST/MULTICAST from the destination
 * address. deliver consumes nb, and must not call e1000_rx(). Damaged and
 * oversized frames, and frames that arrive when the pool has no netbuf to
 * replace the receiving one, are dropped and counted (the ring never runs
 * dry). Returns the number of frames delivered; budget descriptors were
 * consumed if the return equals budget, so call again. */
int e1000_rx(struct e1000 *dev, void (*deliver)(void *ctx, struct netbuf *nb), void *ctx,
	     int budget);

/* Queue the frame nb->data[0..len) (Ethernet header included, FCS added by
 * the NIC, short frames padded by it) and tell the NIC at once. On NET_OK
 * the driver owns nb and frees it when the NIC is done with it. On error the
 * caller still owns nb and must free it or retry later: NET_EAGAIN when the
 * ring is full even after a reclaim, NET_EMSGSIZE for len 0 or above
 * E1000_TX_FRAME_MAX, NET_ENODEV before e1000_start(). */
int e1000_tx(struct e1000 *dev, struct netbuf *nb);
/* As e1000_tx(), but the NIC is not told until e1000_tx_flush(): each tail
 * write is a costly exit to the emulator, so a burst is queued first and
 * flushed once. */
int e1000_tx_queue(struct e1000 *dev, struct netbuf *nb);
/* Hand all queued frames to the NIC with one TDT write (nothing if none). */
void e1000_tx_flush(struct e1000 *dev);
/* Free the netbufs of frames the NIC has finished sending. */
void e1000_tx_reclaim(struct e1000 *dev);

/* Link state as of the last LSC event (or start). */
bool e1000_link_up(struct e1000 *dev);
void e1000_mac(struct e1000 *dev, uint8_t mac[6]);
/* Counters; also folds in the NIC's clear-on-read MPC register. */
void e1000_get_stats(struct e1000 *dev, struct e1000_stats *st);
/* The PCI function the device sits on. */
struct pci_device *e1000_pci(struct e1000 *dev);

#endif
