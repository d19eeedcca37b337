/* Host tests for drivers/e1000.c. The NIC is modelled in plain memory: a
 * register file that the driver reads and writes through its usual MMIO
 * accessors, and a DMA engine (fake_nic_*) that the test runs by hand to
 * receive frames into the RX ring, send what the TX ring holds and raise
 * interrupt causes. The kernel services the driver uses (pmm, vmm, irq,
 * clock, heap, netbuf pool) are small stand-ins defined here. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/e1000.h"
#include "drivers/e1000_regs.h"
#include "kernel/clock.h"
#include "kernel/heap.h"
#include "kernel/irq.h"
#include "kernel/pmm.h"
#include "kernel/vmm.h"
#include "net/err.h"
#include "net/netbuf.h"
#include "tests/unit/check.h"
#include "tests/unit/drivers/fake_pci.h"

int host_irq_off;

/* --- the register file and the device model ------------------------------ */

#define FAKE_BAR0 0xFEBC0000u
static uint32_t fake_regs[0x20000 / 4] __attribute__((aligned(4096)));
static uint64_t fake_mapped_phys;
static bool fake_reset_stuck;
static uint16_t fake_eeprom[64];
static int fake_dma_into_held;  /* DMA into a netbuf the stack holds: must stay 0 */

#define R(off) fake_regs[(off) / 4]

static const uint8_t mac_qemu[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* What a reset leaves: QEMU keeps the MAC in RAL0/RAH0, link up at 1 Gb/s. */
static void fake_nic_reset(void)
{
	uint32_t ral = R(E1000_RAL(0)), rah = R(E1000_RAH(0));

	memset(fake_regs, 0, sizeof fake_regs);
	R(E1000_RAL(0)) = ral;
	R(E1000_RAH(0)) = rah;
	R(E1000_STATUS) = E1000_STATUS_LU | E1000_STATUS_FD | 2u << E1000_STATUS_SPEED_SHIFT;
}

/* Time passing: the device finishes a reset or an EEPROM read. */
static void fake_nic_tick(void)
{
	if ((R(E1000_CTRL) & E1000_CTRL_RST) && !fake_reset_stuck)
		fake_nic_reset();
	if (R(E1000_EERD) & E1000_EERD_START) {
		uint32_t word = (R(E1000_EERD) >> E1000_EERD_ADDR_SHIFT) & 0xFF;
		R(E1000_EERD) = (uint32_t)fake_eeprom[word % 64] << E1000_EERD_DATA_SHIFT |
				word << E1000_EERD_ADDR_SHIFT | E1000_EERD_DONE;
	}
}

/* --- kernel stand-ins ---------------------------------------------------- */

#define MAX_PAGES_ALLOCS 64
static void *page_allocs[MAX_PAGES_ALLOCS];
static int page_allocs_live;

volatile void *vmm_map_mmio(uint64_t phys, size_t len)
{
	fake_mapped_phys = phys;
	return len <= sizeof fake_regs ? fake_regs : NULL;
}

uint64_t pmm_alloc_contig(size_t npages)
{
	for (int i = 0; i < MAX_PAGES_ALLOCS; i++) {
		if (page_allocs[i])
			continue;
		page_allocs[i] = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
		memset(page_allocs[i], 0, npages * PAGE_SIZE);
		page_allocs_live++;
		return (uint64_t)(uintptr_t)page_allocs[i];
	}
	return 0;
}

void pmm_free_contig(uint64_t phys, size_t npages)
{
	(void)npages;
	for (int i = 0; i < MAX_PAGES_ALLOCS; i++) {
		if (page_allocs[i] == (void *)(uintptr_t)phys) {
			free(page_allocs[i]);
			page_allocs[i] = NULL;
			page_allocs_live--;
			return;
		}
	}
	abort();
}

static irq_handler_fn fake_isr;
static void *fake_isr_arg;
static unsigned fake_isr_line;

int irq_install(unsigned line, irq_handler_fn fn, void *arg)
{
	fake_isr = fn;
	fake_isr_arg = arg;
	fake_isr_line = line;
	return 0;
}

static uint64_t fake_ms = 1000;
uint64_t now_ms(void) { return fake_ms; }
void udelay(uint64_t us) { (void)us; fake_nic_tick(); }

/* Devices are never freed by design; keep them reachable for LeakSanitizer. */
static void *heap_blocks[64];
static int heap_nblocks;
void *kcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p && heap_nblocks < 64)
		heap_blocks[heap_nblocks++] = p;
	return p;
}
void kfree(void *p)
{
	for (int i = 0; i < heap_nblocks; i++)
		if (heap_blocks[i] == p)
			heap_blocks[i] = NULL;
	free(p);
}

#define POOL 1024
static struct netbuf pool[POOL];
static bool pool_used[POOL], pool_held[POOL];
static int pool_in_use, pool_limit = POOL;

struct netbuf *netbuf_alloc_rx(void)
{
	if (pool_in_use >= pool_limit)
		return NULL;
	for (int i = 0; i < POOL; i++) {
		if (pool_used[i])
			continue;
		pool_used[i] = true;
		pool_in_use++;
		memset(&pool[i], 0, offsetof(struct netbuf, buf));
		pool[i].data = pool[i].buf;
		return &pool[i];
	}
	return NULL;
}

void netbuf_free(struct netbuf *nb)
{
	long i = nb - pool;
	if (i < 0 || i >= POOL || !pool_used[i])
		abort();   /* double free or foreign pointer */
	pool_used[i] = pool_held[i] = false;
	pool_in_use--;
}

static struct netbuf *pool_of(uint64_t addr)
{
	uintptr_t a = (uintptr_t)addr, base = (uintptr_t)pool;
	if (a < base || a >= base + sizeof pool)
		return NULL;
	return &pool[(a - base) / sizeof pool[0]];
}

/* --- the DMA engine ------------------------------------------------------ */

static struct e1000_rx_desc *fake_rx_ring(void)
{
	return (void *)(uintptr_t)(R(E1000_RDBAL) | (uint64_t)R(E1000_RDBAH) << 32);
}

static struct e1000_tx_desc *fake_tx_ring(void)
{
	return (void *)(uintptr_t)(R(E1000_TDBAL) | (uint64_t)R(E1000_TDBAH) << 32);
}

/* Receive one frame as the NIC does: into descriptors from RDH while RDH !=
 * RDT, splitting at 2048 bytes, DD and EOP set on the last. Returns false
 * (RXO raised, MPC counted) when the ring has no room. */
static bool fake_nic_rx(const uint8_t *frame, size_t len, uint8_t errors)
{
	uint32_t n = R(E1000_RDLEN) / sizeof(struct e1000_rx_desc), rdh = R(E1000_RDH);
	struct e1000_rx_desc *ring = fake_rx_ring();
	size_t off = 0;

	if (!(R(E1000_RCTL) & E1000_RCTL_EN) || n == 0)
		return false;
	do {
		size_t chunk = len - off > 2048 ? 2048 : len - off;
		struct netbuf *nb;

		if (rdh == R(E1000_RDT)) {
			R(E1000_ICR) |= E1000_ICR_RXO;
			R(E1000_MPC)++;
			return false;
		}
		nb = pool_of(ring[rdh].buffer_addr);
		if (!nb || pool_held[nb - pool])
			fake_dma_into_held++;
		memcpy((void *)(uintptr_t)ring[rdh].buffer_addr, frame + off, chunk);
		ring[rdh].length = (uint16_t)chunk;
		ring[rdh].errors = errors;
		ring[rdh].status = E1000_RXD_STAT_DD | (off + chunk == len ? E1000_RXD_STAT_EOP : 0);
		rdh = (rdh + 1) % n;
		off += chunk;
	} while (off < len);
	R(E1000_RDH) = rdh;
	R(E1000_ICR) |= E1000_ICR_RXT0;
	return true;
}

static uint8_t sent[64][2048];
static size_t sent_len[64];
static int nsent, bad_tx_cmd;

/* Send everything from TDH to TDT, writing DD back. */
static void fake_nic_tx(void)
{
	uint32_t n = R(E1000_TDLEN) / sizeof(struct e1000_tx_desc);
	struct e1000_tx_desc *ring = fake_tx_ring();

	if (!(R(E1000_TCTL) & E1000_TCTL_EN))
		return;
	while (R(E1000_TDH) != R(E1000_TDT)) {
		struct e1000_tx_desc *d = &ring[R(E1000_TDH)];
		if (d->cmd != (E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS))
			bad_tx_cmd++;
		if (nsent < 64) {
			memcpy(sent[nsent], (void *)(uintptr_t)d->buffer_addr, d->length);
			sent_len[nsent] = d->length;
		}
		nsent++;
		d->status |= E1000_TXD_STAT_DD;
		R(E1000_TDH) = (R(E1000_TDH) + 1) % n;
	}
	R(E1000_ICR) |= E1000_ICR_TXDW;
}

/* Assert the interrupt if an enabled cause is pending; the ISR's ICR read
 * acknowledges, which plain memory cannot do, so clear it afterwards. */
static void fake_nic_interrupt(void)
{
	if ((R(E1000_ICR) & R(E1000_IMS)) && fake_isr)
		fake_isr(fake_isr_arg);
	R(E1000_ICR) = 0;
}

static void fake_nic_link(bool up)
{
	if (up)
		R(E1000_STATUS) |= E1000_STATUS_LU;
	else
		R(E1000_STATUS) &= ~E1000_STATUS_LU;
	R(E1000_ICR) |= E1000_ICR_LSC;
}

/* --- fixtures ------------------------------------------------------------ */

static int notified;
static void on_notify(void *ctx) { (*(int *)ctx)++; }

static struct netbuf *got[1024];
static int ngot;
static void on_deliver(void *ctx, struct netbuf *nb)
{
	(void)ctx;
	pool_held[nb - pool] = true;
	got[ngot++] = nb;
}

static void free_got(void)
{
	for (int i = 0; i < ngot; i++)
		netbuf_free(got[i]);
	ngot = 0;
}

static void setup_pci(bool with_nic)
{
	fake_pci_reset();
	fake_pci_add(0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, PCI_HEADER_NORMAL);
	if (with_nic) {
		struct fake_pci_fn *f = fake_pci_add(0, 3, 0, E1000_VENDOR_INTEL, E1000_DEV_82540EM,
						     0x02, 0x00, PCI_HEADER_NORMAL);
		fake_pci_bar(f, 0, FAKE_BAR0, 0xFFFE0000);
		fake_pci_bar(f, 1, 0xC001, 0x0000FFC0);
		fake_pci_set8(f, PCI_INTERRUPT_LINE, 11);
		fake_pci_set8(f, PCI_INTERRUPT_PIN, 1);
	}
	pci_init_ops(&fake_pci_ops);
}

/* A fresh machine: the NIC with QEMU's MAC in RAL0/RAH0, an empty pool. */
static void setup_machine(void)
{
	free_got();
	memset(fake_regs, 0, sizeof fake_regs);
	memset(pool_used, 0, sizeof pool_used);
	memset(pool_held, 0, sizeof pool_held);
	pool_in_use = 0;
	pool_limit = POOL;
	fake_reset_stuck = false;
	fake_dma_into_held = 0;
	fake_isr = NULL;
	nsent = bad_tx_cmd = 0;
	notified = 0;
	R(E1000_RAL(0)) = 0x12005452;
	R(E1000_RAH(0)) = 0x5634 | E1000_RAH_AV;
	R(E1000_CTRL) = E1000_CTRL_LRST;   /* as if firmware left the link in reset */
	setup_pci(true);
}

static struct e1000 *started_nic(void)
{
	int err = 1;
	struct e1000 *nic;

	setup_machine();
	nic = e1000_probe(&err);
	CHECK_EQ_INT(err, NET_OK);
	if (!nic)
		abort();
	CHECK_EQ_INT(e1000_start(nic, on_notify, &notified), NET_OK);
	return nic;
}

static void frame_make(uint8_t *f, size_t len, const uint8_t dst[6], uint8_t seq)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, mac_qemu, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	for (size_t i = 14; i < len; i++)
		f[i] = (uint8_t)(seq + i);
}

static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

/* --- probe --------------------------------------------------------------- */

static void test_probe_takes_mac_from_ral(void)
{
	uint8_t mac[6];
	int err;
	struct e1000 *nic;

	setup_machine();
	nic = e1000_probe(&err);
	CHECK(nic != NULL);
	if (!nic)
		return;
	CHECK_EQ_INT(err, NET_OK);
	e1000_mac(nic, mac);
	CHECK_EQ_MEM(mac, mac_qemu, 6);
	CHECK_EQ_INT(fake_mapped_phys, FAKE_BAR0);
	CHECK_EQ_INT(R(E1000_RAH(0)), 0x5634 | E1000_RAH_AV);
	/* Link set up, link reset released, interrupts masked. */
	CHECK(R(E1000_CTRL) & E1000_CTRL_SLU);
	CHECK(R(E1000_CTRL) & E1000_CTRL_ASDE);
	CHECK(!(R(E1000_CTRL) & E1000_CTRL_LRST));
	CHECK_EQ_INT(R(E1000_IMC), E1000_IMC_ALL);
	CHECK(e1000_link_up(nic));
	CHECK(e1000_pci(nic) == pci_find(E1000_VENDOR_INTEL, E1000_DEV_82540EM));
	/* PCI: bus master and memory decoding on. */
	CHECK(pci_config_read16(e1000_pci(nic), PCI_COMMAND) & PCI_COMMAND_MASTER);
	CHECK(pci_config_read16(e1000_pci(nic), PCI_COMMAND) & PCI_COMMAND_MEMORY);
}

static void test_probe_falls_back_to_eeprom(void)
{
	uint8_t mac[6];
	static const uint8_t want[6] = { 0x00, 0x1B, 0x21, 0xAA, 0xBB, 0xCC };
	struct e1000 *nic;

	setup_machine();
	R(E1000_RAL(0)) = 0;
	R(E1000_RAH(0)) = 0;
	fake_eeprom[0] = 0x1B00;
	fake_eeprom[1] = 0xAA21;
	fake_eeprom[2] = 0xCCBB;
	nic = e1000_probe(NULL);
	CHECK(nic != NULL);
	if (!nic)
		return;
	e1000_mac(nic, mac);
	CHECK_EQ_MEM(mac, want, 6);
	CHECK_EQ_INT(R(E1000_RAL(0)), 0xAA211B00);
	CHECK_EQ_INT(R(E1000_RAH(0)), 0xCCBB | E1000_RAH_AV);
}

static void test_probe_rejects_multicast_mac(void)
{
	int err;

	setup_machine();
	R(E1000_RAL(0)) = 0x12005401;   /* 01:54:...: group bit set */
	CHECK(e1000_probe(&err) == NULL);
	CHECK_EQ_INT(err, NET_EMALFORMED);
}

static void test_probe_without_nic(void)
{
	int err;

	setup_machine();
	setup_pci(false);
	CHECK(e1000_probe(&err) == NULL);
	CHECK_EQ_INT(err, NET_ENODEV);
}

static void test_probe_reset_timeout(void)
{
	int err;

	setup_machine();
	fake_reset_stuck = true;
	CHECK(e1000_probe(&err) == NULL);
	CHECK_EQ_INT(err, NET_ETIMEDOUT);
}

/* --- start --------------------------------------------------------------- */

static void test_start_programs_rings_and_filters(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_rx_desc *rx = fake_rx_ring();
	uint32_t rctl = R(E1000_RCTL);

	CHECK_EQ_INT(R(E1000_RDLEN), E1000_RX_RING * 16);
	CHECK_EQ_INT(R(E1000_TDLEN), E1000_TX_RING * 16);
	CHECK_EQ_INT(R(E1000_RDH), 0);
	CHECK_EQ_INT(R(E1000_RDT), E1000_RX_RING - 1);
	CHECK_EQ_INT(R(E1000_TDH), 0);
	CHECK_EQ_INT(R(E1000_TDT), 0);
	CHECK_EQ_INT(R(E1000_RDBAL) % 16, 0);
	/* Every descriptor has its own netbuf's buffer. */
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
	for (int i = 0; i < E1000_RX_RING; i++) {
		struct netbuf *nb = pool_of(rx[i].buffer_addr);
		CHECK(nb != NULL && rx[i].buffer_addr == (uintptr_t)nb->buf);
	}
	CHECK(rctl & E1000_RCTL_EN);
	CHECK(rctl & E1000_RCTL_BAM);
	CHECK(rctl & E1000_RCTL_SECRC);
	CHECK(!(rctl & (E1000_RCTL_BSEX | E1000_RCTL_LPE | E1000_RCTL_UPE | E1000_RCTL_SBP)));
	CHECK_EQ_INT((rctl >> 16) & 3, 0);   /* BSIZE 2048 */
	CHECK_EQ_INT((rctl >> 6) & 3, 0);    /* no loopback */
	CHECK(R(E1000_TCTL) & E1000_TCTL_EN);
	CHECK(R(E1000_TCTL) & E1000_TCTL_PSP);
	CHECK_EQ_INT((R(E1000_TCTL) >> E1000_TCTL_CT_SHIFT) & 0xFF, 0x0F);
	CHECK_EQ_INT((R(E1000_TCTL) >> E1000_TCTL_COLD_SHIFT) & 0x3FF, 0x40);
	CHECK_EQ_INT(R(E1000_TIPG), 10 | 8 << 10 | 6 << 20);
	CHECK_EQ_INT(R(E1000_ITR), 195);
	CHECK_EQ_INT(R(E1000_IMS), E1000_ICR_RXT0 | E1000_ICR_RXO | E1000_ICR_RXDMT0 |
					 E1000_ICR_LSC | E1000_ICR_TXDW);
	CHECK_EQ_INT(fake_isr_line, 11);
	for (int i = 0; i < E1000_MTA_ENTRIES; i++)
		CHECK_EQ_INT(R(E1000_MTA + 4 * i), 0);
	CHECK_EQ_INT(e1000_start(nic, on_notify, &notified), NET_EINVAL);
}

static void test_start_without_netbufs_gives_back_everything(void)
{
	struct e1000 *nic;
	int pages;

	setup_machine();
	nic = e1000_probe(NULL);
	pool_limit = 100;
	pages = page_allocs_live;
	CHECK_EQ_INT(e1000_start(nic, on_notify, &notified), NET_ENOMEM);
	CHECK_EQ_INT(pool_in_use, 0);
	CHECK_EQ_INT(page_allocs_live, pages);
	/* It was not started: transmit refuses, receive finds nothing. */
	CHECK_EQ_INT(e1000_tx(nic, &pool[0]), NET_ENODEV);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 0);
}

/* --- receive ------------------------------------------------------------- */

static void test_rx_delivers_frames_in_order(void)
{
	struct e1000 *nic = started_nic();
	uint8_t f[3][100];
	static const uint8_t other[6] = { 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 };

	frame_make(f[0], 60, bcast, 1);
	frame_make(f[1], 100, mac_qemu, 2);
	frame_make(f[2], 64, other, 3);
	CHECK(fake_nic_rx(f[0], 60, 0));
	CHECK(fake_nic_rx(f[1], 100, 0));
	CHECK(fake_nic_rx(f[2], 64, 0));
	fake_ms = 4242;
	fake_nic_interrupt();
	CHECK_EQ_INT(notified, 1);
	CHECK(e1000_take_events(nic) & E1000_ICR_RXT0);
	CHECK_EQ_INT(e1000_take_events(nic), 0);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 3);
	CHECK_EQ_INT(ngot, 3);
	if (ngot != 3)
		return;
	CHECK_EQ_INT(got[0]->len, 60);
	CHECK(got[0]->data == got[0]->buf);
	CHECK_EQ_MEM(got[0]->data, f[0], 60);
	CHECK_EQ_MEM(got[1]->data, f[1], 100);
	CHECK_EQ_INT(got[0]->flags, NETBUF_F_BROADCAST);
	CHECK_EQ_INT(got[1]->flags, 0);
	CHECK_EQ_INT(got[2]->flags, NETBUF_F_MULTICAST);
	CHECK_EQ_INT(got[2]->rx_time_ms, 4242);
	/* Three refilled: the tail now trails the next slot to clean by one. */
	CHECK_EQ_INT(R(E1000_RDT), 2);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING + 3);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 0);

	struct e1000_stats st;
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_packets, 3);
	CHECK_EQ_INT(st.rx_bytes, 224);
	CHECK_EQ_INT(st.interrupts, 1);
	free_got();
}

static void test_rx_respects_budget(void)
{
	struct e1000 *nic = started_nic();
	uint8_t f[60];

	frame_make(f, sizeof f, mac_qemu, 0);
	for (int i = 0; i < 10; i++)
		CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 4), 4);
	CHECK_EQ_INT(R(E1000_RDT), 3);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 4), 4);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 4), 2);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 4), 0);
	free_got();
}

/* Fill the ring until the NIC overruns, drain, and go round several times:
 * the ring wraps, nothing leaks, and the NIC never writes into a netbuf
 * the stack holds. */
static void test_rx_overrun_wrap_and_recovery(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	uint8_t f[80];
	int accepted = 0, delivered = 0;

	frame_make(f, sizeof f, mac_qemu, 9);
	while (fake_nic_rx(f, sizeof f, 0))
		accepted++;
	CHECK_EQ_INT(accepted, E1000_RX_RING - 1);
	fake_nic_interrupt();
	CHECK(e1000_take_events(nic) & E1000_ICR_RXO);
	for (int round = 0; round < 5; round++) {
		int n;
		while ((n = e1000_rx(nic, on_deliver, NULL, 64)) > 0)
			delivered += n;
		free_got();
		for (int i = 0; i < 200; i++)
			CHECK(fake_nic_rx(f, sizeof f, 0));
		accepted += 200;
	}
	while (e1000_rx(nic, on_deliver, NULL, 64) > 0)
		;
	delivered += ngot;
	free_got();
	CHECK_EQ_INT(delivered, accepted);
	CHECK_EQ_INT(fake_dma_into_held, 0);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_overruns, 1);
	CHECK_EQ_INT(st.rx_missed, 1);
	CHECK_EQ_INT(st.rx_packets, accepted);
}

/* D4 with the smallest ring (e1000.ring=8): sizes that are not a multiple
 * of 8 descriptors or out of range are refused, and so is any change
 * once started; 8 descriptors give RDLEN 128 and frames still flow in
 * order through many wraps. */
static void test_small_rings(void)
{
	struct e1000_stats st;
	uint8_t f[80];
	int err = 1, accepted = 0, delivered = 0;

	setup_machine();
	struct e1000 *nic = e1000_probe(&err);
	if (!nic)
		abort();
	CHECK_EQ_INT(e1000_set_rings(nic, 0), NET_EINVAL);
	CHECK_EQ_INT(e1000_set_rings(nic, 7), NET_EINVAL);
	CHECK_EQ_INT(e1000_set_rings(nic, 12), NET_EINVAL);
	CHECK_EQ_INT(e1000_set_rings(nic, E1000_RING_MAX + 8), NET_EINVAL);
	CHECK_EQ_INT(e1000_set_rings(nic, 8), NET_OK);
	CHECK_EQ_INT(e1000_start(nic, on_notify, &notified), NET_OK);
	CHECK_EQ_INT(e1000_set_rings(nic, 16), NET_EINVAL);
	CHECK_EQ_INT(R(E1000_RDLEN), 128);
	CHECK_EQ_INT(R(E1000_TDLEN), 128);
	CHECK_EQ_INT(R(E1000_RDT), 7);
	CHECK_EQ_INT(pool_in_use, 8);
	frame_make(f, sizeof f, mac_qemu, 3);
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 5; i++)
			accepted += fake_nic_rx(f, sizeof f, 0);
		int n;
		while ((n = e1000_rx(nic, on_deliver, NULL, 64)) > 0)
			delivered += n;
		free_got();
	}
	CHECK_EQ_INT(accepted, 100);
	CHECK_EQ_INT(delivered, accepted);
	CHECK_EQ_INT(fake_dma_into_held, 0);
	CHECK_EQ_INT(pool_in_use, 8);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_ring, 8);
	CHECK_EQ_INT(st.tx_ring, 8);
}

static void test_rx_drops_errored_frames(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	uint8_t f[60];

	frame_make(f, sizeof f, mac_qemu, 0);
	CHECK(fake_nic_rx(f, sizeof f, E1000_RXD_ERR_RXE));
	CHECK(fake_nic_rx(f, sizeof f, E1000_RXD_ERR_CE));
	CHECK(fake_nic_rx(f, 0, 0));     /* a length of zero is nonsense */
	CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 1);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_errors, 3);
	CHECK_EQ_INT(st.rx_packets, 1);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING + 1);   /* dropped buffers reused */
	CHECK_EQ_INT(R(E1000_RDT), 3);
	free_got();
}

static void test_rx_drops_frames_without_eop(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	static uint8_t big[5000];
	uint8_t f[60];

	frame_make(big, sizeof big, mac_qemu, 0);
	frame_make(f, sizeof f, mac_qemu, 1);
	CHECK(fake_nic_rx(big, sizeof big, 0));   /* three descriptors */
	CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 1);
	CHECK_EQ_INT(ngot, 1);
	if (ngot == 1)
		CHECK_EQ_MEM(got[0]->data, f, sizeof f);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_oversize, 1);
	CHECK_EQ_INT(st.rx_packets, 1);
	free_got();
}

static void test_rx_pool_empty_drops_and_keeps_ring_full(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	uint8_t f[60];

	frame_make(f, sizeof f, mac_qemu, 0);
	pool_limit = pool_in_use;   /* no netbuf left to refill with */
	CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 0);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.rx_no_buffer, 2);
	CHECK_EQ_INT(R(E1000_RDT), 1);   /* the slots went back to the NIC */
	pool_limit = POOL;
	CHECK(fake_nic_rx(f, sizeof f, 0));
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 1);
	CHECK_EQ_INT(fake_dma_into_held, 0);
	free_got();
}

/* --- transmit ------------------------------------------------------------ */

static struct netbuf *tx_frame(size_t len, uint8_t seq)
{
	struct netbuf *nb = netbuf_alloc_rx();
	nb->data = nb->buf + NETBUF_HEADROOM - 14;   /* as the stack leaves it */
	nb->len = len;
	frame_make(nb->data, len, bcast, seq);
	return nb;
}

static void test_tx_sends_zero_copy_and_reclaims(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	struct netbuf *nb = tx_frame(42, 7);
	uint8_t copy[42];

	memcpy(copy, nb->data, 42);
	CHECK_EQ_INT(e1000_tx(nic, nb), NET_OK);
	CHECK_EQ_INT(R(E1000_TDT), 1);
	CHECK(fake_tx_ring()[0].buffer_addr == (uintptr_t)nb->data);
	fake_nic_tx();
	CHECK_EQ_INT(nsent, 1);
	CHECK_EQ_INT(sent_len[0], 42);
	CHECK_EQ_MEM(sent[0], copy, 42);
	CHECK_EQ_INT(bad_tx_cmd, 0);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING + 1);   /* still the driver's */
	fake_nic_interrupt();
	CHECK(e1000_take_events(nic) & E1000_ICR_TXDW);
	e1000_tx_reclaim(nic);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.tx_packets, 1);
	CHECK_EQ_INT(st.tx_bytes, 42);
}

static void test_tx_queue_defers_tail_until_flush(void)
{
	struct e1000 *nic = started_nic();

	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(e1000_tx_queue(nic, tx_frame(60, (uint8_t)i)), NET_OK);
	CHECK_EQ_INT(R(E1000_TDT), 0);
	e1000_tx_flush(nic);
	CHECK_EQ_INT(R(E1000_TDT), 5);
	fake_nic_tx();
	CHECK_EQ_INT(nsent, 5);
	CHECK_EQ_INT(sent[4][14], (uint8_t)(4 + 14));
	e1000_tx_reclaim(nic);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
}

static void test_tx_ring_full_returns_eagain(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	struct netbuf *extra;

	for (int i = 0; i < E1000_TX_RING - 1; i++)
		CHECK_EQ_INT(e1000_tx(nic, tx_frame(60, 0)), NET_OK);
	extra = tx_frame(60, 1);
	CHECK_EQ_INT(e1000_tx(nic, extra), NET_EAGAIN);   /* NIC has sent nothing yet */
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.tx_ring_full, 1);
	fake_nic_tx();
	CHECK_EQ_INT(e1000_tx(nic, extra), NET_OK);       /* the full path reclaims */
	fake_nic_tx();
	e1000_tx_reclaim(nic);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.tx_packets, E1000_TX_RING);
}

static void test_tx_rejects_bad_lengths(void)
{
	struct e1000 *nic = started_nic();
	struct netbuf *nb = tx_frame(60, 0);

	nb->len = 0;
	CHECK_EQ_INT(e1000_tx(nic, nb), NET_EMSGSIZE);
	nb->len = E1000_TX_FRAME_MAX + 1;
	CHECK_EQ_INT(e1000_tx(nic, nb), NET_EMSGSIZE);
	nb->len = E1000_TX_FRAME_MAX;
	CHECK_EQ_INT(e1000_tx(nic, nb), NET_OK);
	CHECK_EQ_INT(R(E1000_TDT), 1);
}

static void test_tx_excess_collisions_count_as_errors(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;

	CHECK_EQ_INT(e1000_tx(nic, tx_frame(60, 0)), NET_OK);
	CHECK_EQ_INT(e1000_tx(nic, tx_frame(60, 1)), NET_OK);
	fake_nic_tx();
	fake_tx_ring()[0].status |= E1000_TXD_STAT_EC;   /* half duplex gave up */
	e1000_tx_reclaim(nic);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.tx_errors, 1);
	CHECK_EQ_INT(st.tx_packets, 1);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);   /* both freed all the same */
}

/* --- D4: ring programming sanity ----------------------------------------- */

/* Every register write the driver makes, checked as QEMU would use it:
 * QEMU masks RDLEN/TDLEN with 0xfff80 and the bases with ~0xf, and looped
 * forever when a head or tail lay outside the ring (CVE-2016-1981). */
static int d4_bad_len, d4_bad_base, d4_bad_index, d4_index_writes;

static uint32_t d4_ring_slots(uint32_t len_reg)
{
	return R(len_reg) / (uint32_t)sizeof(struct e1000_rx_desc);
}

static void d4_watch(volatile void *addr, uint32_t v)
{
	uint32_t off = (uint32_t)((volatile uint8_t *)addr - (volatile uint8_t *)fake_regs);

	switch (off) {
	case E1000_RDLEN:
	case E1000_TDLEN:
		if (v == 0 || v % 128 != 0 || (v & 0xfff80) != v)
			d4_bad_len++;
		break;
	case E1000_RDBAL:
	case E1000_TDBAL:
		if (v % 16 != 0)
			d4_bad_base++;
		break;
	case E1000_RDH:
	case E1000_RDT:
		d4_index_writes++;
		if (v >= d4_ring_slots(E1000_RDLEN))
			d4_bad_index++;
		break;
	case E1000_TDH:
	case E1000_TDT:
		d4_index_writes++;
		if (v >= d4_ring_slots(E1000_TDLEN))
			d4_bad_index++;
		break;
	default:
		break;
	}
}

/* RCTL.BSIZE (13.4.22): 2048, 1024, 512, 256 bytes, or times 16 with BSEX. */
static uint32_t d4_rctl_bsize(uint32_t rctl)
{
	static const uint32_t sizes[4] = { 2048, 1024, 512, 256 };
	uint32_t size = sizes[(rctl >> 16) & 3];

	return (rctl & E1000_RCTL_BSEX) ? size * 16 : size;
}

/* The ring registers are consistent at start and stay so through hours'
 * worth of ring wraps, overruns, drops and transmit-ring-full cycles:
 * lengths multiples of 128, bases 16-byte aligned, heads and tails always
 * inside the ring, and the buffer size the NIC DMA-writes up to no larger
 * than the netbuf behind each descriptor. */
static void test_d4_ring_programming_sanity(void)
{
	struct e1000 *nic;
	struct e1000_rx_desc *rx;
	uint8_t f[1514];

	d4_bad_len = d4_bad_base = d4_bad_index = d4_index_writes = 0;
	host_mmio_write_hook = d4_watch;
	nic = started_nic();
	rx = fake_rx_ring();
	CHECK_EQ_INT(R(E1000_RDLEN) % 128, 0);
	CHECK_EQ_INT(R(E1000_TDLEN) % 128, 0);
	CHECK_EQ_INT(R(E1000_RDBAL) % 16, 0);
	CHECK_EQ_INT(R(E1000_TDBAL) % 16, 0);
	CHECK_EQ_INT(R(E1000_RDH), 0);
	CHECK_EQ_INT(R(E1000_TDH), 0);
	CHECK(R(E1000_RDT) < d4_ring_slots(E1000_RDLEN));
	CHECK_EQ_INT(d4_rctl_bsize(R(E1000_RCTL)), 2048);
	CHECK(d4_rctl_bsize(R(E1000_RCTL)) <= sizeof pool[0].buf);
	for (int i = 0; i < E1000_RX_RING; i++) {
		CHECK_EQ_INT(rx[i].buffer_addr % 16, 0);
		CHECK(pool_of(rx[i].buffer_addr) != NULL);
	}
	/* Wrap both rings many times, with overruns, bad frames and a full
	 * transmit ring on the way. */
	frame_make(f, sizeof f, mac_qemu, 4);
	for (int round = 0; round < 12; round++) {
		int n = 0;
		while (fake_nic_rx(f, round % 3 ? 60 : sizeof f, round == 5 ? E1000_RXD_ERR_CE : 0) &&
		       n < E1000_RX_RING + 10)
			n++;
		while (e1000_rx(nic, on_deliver, NULL, 1 + round * 7) > 0)
			free_got();
		free_got();
		for (int i = 0; i < E1000_TX_RING / 3 + round; i++) {
			struct netbuf *nb = tx_frame(60, (uint8_t)i);
			if (e1000_tx(nic, nb) != NET_OK)
				netbuf_free(nb);
			if (i % 50 == 0)
				fake_nic_tx();
		}
		fake_nic_tx();
		e1000_tx_reclaim(nic);
		CHECK(R(E1000_RDH) < d4_ring_slots(E1000_RDLEN));
		CHECK(R(E1000_TDH) < d4_ring_slots(E1000_TDLEN));
	}
	host_mmio_write_hook = NULL;
	CHECK(d4_index_writes > 2 * 12);
	CHECK_EQ_INT(d4_bad_len, 0);
	CHECK_EQ_INT(d4_bad_base, 0);
	CHECK_EQ_INT(d4_bad_index, 0);
	CHECK_EQ_INT(fake_dma_into_held, 0);
	CHECK_EQ_INT(pool_in_use, E1000_RX_RING);
}

/* --- interrupts and link ------------------------------------------------- */

static void test_link_down_and_up(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;
	uint8_t f[60];

	fake_nic_link(false);
	fake_nic_interrupt();
	CHECK(e1000_take_events(nic) & E1000_ICR_LSC);
	CHECK(!e1000_link_up(nic));
	fake_nic_link(true);
	fake_nic_interrupt();
	e1000_take_events(nic);
	CHECK(e1000_link_up(nic));
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.link_changes, 2);
	CHECK(st.link_up);
	CHECK_EQ_INT(st.irq_line, 11);
	/* Frames flow again, and RCTL was never written after start. */
	R(E1000_RCTL) |= 1u << 31;   /* a marker: a later RCTL write would erase it */
	frame_make(f, sizeof f, mac_qemu, 0);
	CHECK(fake_nic_rx(f, sizeof f, 0));
	fake_nic_interrupt();
	e1000_take_events(nic);
	CHECK_EQ_INT(e1000_rx(nic, on_deliver, NULL, 64), 1);
	e1000_tx(nic, tx_frame(60, 0));
	fake_nic_tx();
	e1000_tx_reclaim(nic);
	e1000_get_stats(nic, &st);
	CHECK(R(E1000_RCTL) & (1u << 31));
	free_got();
}

static void test_isr_ignores_foreign_interrupt(void)
{
	struct e1000 *nic = started_nic();
	struct e1000_stats st;

	R(E1000_ICR) = 0;
	fake_isr(fake_isr_arg);
	CHECK_EQ_INT(notified, 0);
	CHECK_EQ_INT(e1000_take_events(nic), 0);
	e1000_get_stats(nic, &st);
	CHECK_EQ_INT(st.interrupts, 0);
}

static void test_events_taken_with_interrupts_off(void)
{
	struct e1000 *nic = started_nic();

	/* The ISR's pending word is cleared under irq_save; the depth is back
	 * to zero afterwards. */
	R(E1000_ICR) = E1000_ICR_RXT0 | E1000_ICR_TXDW;
	fake_isr(fake_isr_arg);
	CHECK_EQ_INT(e1000_take_events(nic), E1000_ICR_RXT0 | E1000_ICR_TXDW);
	CHECK_EQ_INT(host_irq_off, 0);
}

int main(void)
{
	check_suite = "e1000";
	RUN(test_probe_takes_mac_from_ral);
	RUN(test_probe_falls_back_to_eeprom);
	RUN(test_probe_rejects_multicast_mac);
	RUN(test_probe_without_nic);
	RUN(test_probe_reset_timeout);
	RUN(test_start_programs_rings_and_filters);
	RUN(test_start_without_netbufs_gives_back_everything);
	RUN(test_rx_delivers_frames_in_order);
	RUN(test_rx_respects_budget);
	RUN(test_rx_overrun_wrap_and_recovery);
	RUN(test_small_rings);
	RUN(test_rx_drops_errored_frames);
	RUN(test_rx_drops_frames_without_eop);
	RUN(test_rx_pool_empty_drops_and_keeps_ring_full);
	RUN(test_tx_sends_zero_copy_and_reclaims);
	RUN(test_tx_queue_defers_tail_until_flush);
	RUN(test_tx_ring_full_returns_eagain);
	RUN(test_tx_rejects_bad_lengths);
	RUN(test_tx_excess_collisions_count_as_errors);
	RUN(test_d4_ring_programming_sanity);
	RUN(test_link_down_and_up);
	RUN(test_isr_ignores_foreign_interrupt);
	RUN(test_events_taken_with_interrupts_off);
	return check_report();
}
