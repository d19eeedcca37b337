/* PCI enumeration and configuration access (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2 and chapter 6; PCI-to-PCI Bridge Architecture 1.2). See pci.h
 * for the scanning strategy. */
#include "drivers/pci.h"

#include <stddef.h>

#include "kernel/io.h"

/* Configuration mechanism #1: write an address to CONFIG_ADDRESS, then move
 * data through CONFIG_DATA (PCI 3.0, 3.2.2.3.2). */
enum {
	PCI_CONFIG_ADDRESS = 0xCF8,
	PCI_CONFIG_DATA = 0xCFC,
	PCI_CONFIG_ENABLE = 1u << 31,
	PCI_CONFIG_BUS_SHIFT = 16,
	PCI_CONFIG_DEV_SHIFT = 11,
	PCI_CONFIG_FN_SHIFT = 8,
	PCI_CONFIG_REG_MASK = 0xFC,  /* bits 7:2: the dword; bits 1:0 must be 0 */
};

static uint32_t pci_mech1_address(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off)
{
	return PCI_CONFIG_ENABLE | (uint32_t)bus << PCI_CONFIG_BUS_SHIFT |
	       (uint32_t)(dev & 31) << PCI_CONFIG_DEV_SHIFT |
	       (uint32_t)(fn & 7) << PCI_CONFIG_FN_SHIFT | (off & PCI_CONFIG_REG_MASK);
}

/* The address/data pair is one shared register: keep an interrupt handler
 * from slipping a configuration access in between the two steps. */
static uint32_t pci_mech1_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width)
{
	uint64_t flags = irq_save();
	uint32_t v;

	outl(PCI_CONFIG_ADDRESS, pci_mech1_address(bus, dev, fn, off));
	if (width == 1)
		v = inb(PCI_CONFIG_DATA + (off & 3));
	else if (width == 2)
		v = inw(PCI_CONFIG_DATA + (off & 2));
	else
		v = inl(PCI_CONFIG_DATA);
	irq_restore(flags);
	return v;
}

static void pci_mech1_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width, uint32_t v)
{
	uint64_t flags = irq_save();

	outl(PCI_CONFIG_ADDRESS, pci_mech1_address(bus, dev, fn, off));
	if (width == 1)
		outb(PCI_CONFIG_DATA + (off & 3), (uint8_t)v);
	else if (width == 2)
		outw(PCI_CONFIG_DATA + (off & 2), (uint16_t)v);
	else
		outl(PCI_CONFIG_DATA, v);
	irq_restore(flags);
}

static const struct pci_config_ops pci_mech1_ops = {
	.read = pci_mech1_read,
	.write = pci_mech1_write,
};

static const struct pci_config_ops *pci_ops = &pci_mech1_ops;
static struct pci_device pci_table[PCI_MAX_DEVICES];
static int pci_nr_devices;
static int pci_nr_overflow;
static bool pci_scanned;
static bool pci_bus_seen[PCI_MAX_BUS];  /* guards against bridge loops */

static uint32_t pci_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width)
{
	return pci_ops->read(bus, dev, fn, off, width);
}

static void pci_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width, uint32_t v)
{
	pci_ops->write(bus, dev, fn, off, width, v);
}

uint8_t pci_config_read8(const struct pci_device *d, uint8_t off)
{
	return (uint8_t)pci_read(d->bus, d->dev, d->fn, off, 1);
}

uint16_t pci_config_read16(const struct pci_device *d, uint8_t off)
{
	return (uint16_t)pci_read(d->bus, d->dev, d->fn, off & ~1u, 2);
}

uint32_t pci_config_read32(const struct pci_device *d, uint8_t off)
{
	return pci_read(d->bus, d->dev, d->fn, off & ~3u, 4);
}

void pci_config_write8(const struct pci_device *d, uint8_t off, uint8_t v)
{
	pci_write(d->bus, d->dev, d->fn, off, 1, v);
}

void pci_config_write16(const struct pci_device *d, uint8_t off, uint16_t v)
{
	pci_write(d->bus, d->dev, d->fn, off & ~1u, 2, v);
}

void pci_config_write32(const struct pci_device *d, uint8_t off, uint32_t v)
{
	pci_write(d->bus, d->dev, d->fn, off & ~3u, 4, v);
}

/* Size one BAR the standard way: write all ones, read back which address
 * bits stick (the decoder's mask), put the original back. Decoding is
 * already off, so the transient all-ones address claims nothing. */
static uint32_t pci_bar_probe(const struct pci_device *d, uint8_t off, uint32_t *orig)
{
	uint32_t mask;

	*orig = pci_config_read32(d, off);
	pci_config_write32(d, off, 0xFFFFFFFF);
	mask = pci_config_read32(d, off);
	pci_config_write32(d, off, *orig);
	return mask;
}

/* Decode and size the first nbars BARs of d into d->bar[]. A 64-bit BAR
 * takes two slots; the upper slot is left PCI_BAR_NONE. */
static void pci_bars_decode(struct pci_device *d, int nbars)
{
	uint16_t cmd = pci_config_read16(d, PCI_COMMAND);

	pci_config_write16(d, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < nbars; i++) {
		struct pci_bar *bar = &d->bar[i];
		uint8_t off = PCI_BAR0 + 4 * i;
		uint32_t orig, mask = pci_bar_probe(d, off, &orig);

		if (mask == 0 || mask == 0xFFFFFFFF)
			continue;   /* unimplemented (or the function vanished) */
		if (orig & PCI_BAR_SPACE_IO) {
			uint32_t m = mask & ~3u;
			/* I/O decoders may implement only 16 address bits. */
			if (!(m & 0xFFFF0000))
				m |= 0xFFFF0000;
			bar->type = PCI_BAR_IO;
			bar->base = orig & ~3u;
			bar->size = (uint32_t)(~m + 1);
			continue;
		}
		bar->prefetchable = (orig & PCI_BAR_MEM_PREFETCH) != 0;
		if ((orig & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64 && i + 1 < nbars) {
			uint32_t orig_hi, mask_hi = pci_bar_probe(d, off + 4, &orig_hi);
			uint64_t m = (uint64_t)mask_hi << 32 | (mask & ~0xFu);

			bar->type = PCI_BAR_MEM64;
			bar->base = (uint64_t)orig_hi << 32 | (orig & ~0xFu);
			bar->size = ~m + 1;
			i++;    /* the next slot is the upper half */
			continue;
		}
		bar->type = PCI_BAR_MEM32;
		bar->base = orig & ~0xFu;
		bar->size = (uint32_t)(~(mask & ~0xFu) + 1);
	}
	pci_config_write16(d, PCI_COMMAND, cmd);
}

static void pci_scan_bus(uint8_t bus);

/* Record one function, then follow it if it is a PCI-to-PCI bridge. */
static void pci_scan_function(uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_device tmp = { .bus = bus, .dev = dev, .fn = fn };
	struct pci_device *d;
	uint8_t ht;

	if (pci_nr_devices >= PCI_MAX_DEVICES) {
		pci_nr_overflow++;
		d = &tmp;   /* still decode enough to follow bridges */
	} else {
		d = &pci_table[pci_nr_devices++];
		*d = tmp;
	}
	d->vendor = pci_config_read16(d, PCI_VENDOR_ID);
	d->device = pci_config_read16(d, PCI_DEVICE_ID);
	d->revision = pci_config_read8(d, PCI_REVISION_ID);
	d->prog_if = pci_config_read8(d, PCI_PROG_IF);
	d->subclass = pci_config_read8(d, PCI_SUBCLASS);
	d->class_code = pci_config_read8(d, PCI_CLASS);
	ht = pci_config_read8(d, PCI_HEADER_TYPE);
	d->header_type = ht & PCI_HEADER_TYPE_MASK;
	d->multifunction = (ht & PCI_HEADER_MULTIFUNCTION) != 0;
	d->irq_line = pci_config_read8(d, PCI_INTERRUPT_LINE);
	d->irq_pin = pci_config_read8(d, PCI_INTERRUPT_PIN);
	if (d->irq_pin == 0)
		d->irq_line = PCI_INTERRUPT_LINE_NONE;

	if (d->header_type == PCI_HEADER_NORMAL) {
		d->subsys_vendor = pci_config_read16(d, PCI_SUBSYSTEM_VENDOR_ID);
		d->subsys_id = pci_config_read16(d, PCI_SUBSYSTEM_ID);
		pci_bars_decode(d, PCI_BAR_COUNT);
	} else if (d->header_type == PCI_HEADER_BRIDGE) {
		d->secondary_bus = pci_config_read8(d, PCI_SECONDARY_BUS);
		d->subordinate_bus = pci_config_read8(d, PCI_SUBORDINATE_BUS);
		pci_bars_decode(d, 2);
		/* Firmware numbered the buses; an unnumbered bridge (secondary 0)
		 * leads nowhere we could reach without renumbering. */
		if (d->secondary_bus != 0)
			pci_scan_bus(d->secondary_bus);
	}
}

static void pci_scan_slot(uint8_t bus, uint8_t dev)
{
	if (pci_read(bus, dev, 0, PCI_VENDOR_ID, 2) == 0xFFFF)
		return;
	pci_scan_function(bus, dev, 0);
	/* Functions 1-7 exist only if function 0 says it is multi-function. */
	if (!(pci_read(bus, dev, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTIFUNCTION))
		return;
	for (unsigned fn = 1; fn < PCI_MAX_FN; fn++)
		if (pci_read(bus, dev, fn, PCI_VENDOR_ID, 2) != 0xFFFF)
			pci_scan_function(bus, dev, fn);
}

static void pci_scan_bus(uint8_t bus)
{
	if (pci_bus_seen[bus])
		return;
	pci_bus_seen[bus] = true;
	for (unsigned dev = 0; dev < PCI_MAX_DEV; dev++)
		pci_scan_slot(bus, dev);
}

int pci_init_ops(const struct pci_config_ops *ops)
{
	pci_ops = ops;
	pci_nr_devices = 0;
	pci_nr_overflow = 0;
	for (int b = 0; b < PCI_MAX_BUS; b++)
		pci_bus_seen[b] = false;

	/* A multi-function host bridge at 00:00 means several host
	 * controllers: function N is the root of bus N. */
	if (pci_read(0, 0, 0, PCI_HEADER_TYPE, 1) & PCI_HEADER_MULTIFUNCTION) {
		for (unsigned fn = 0; fn < PCI_MAX_FN; fn++)
			if (pci_read(0, 0, fn, PCI_VENDOR_ID, 2) != 0xFFFF)
				pci_scan_bus(fn);
	} else {
		pci_scan_bus(0);
	}
	pci_scanned = true;
	return pci_nr_devices;
}

int pci_init(void)
{
	if (pci_scanned)
		return pci_nr_devices;
	return pci_init_ops(&pci_mech1_ops);
}

int pci_count(void)
{
	return pci_nr_devices;
}

int pci_overflow(void)
{
	return pci_nr_overflow;
}

struct pci_device *pci_get(int i)
{
	if (i < 0 || i >= pci_nr_devices)
		return NULL;
	return &pci_table[i];
}

struct pci_device *pci_find(uint16_t vendor, uint16_t device)
{
	for (int i = 0; i < pci_nr_devices; i++)
		if (pci_table[i].vendor == vendor && pci_table[i].device == device)
			return &pci_table[i];
	return NULL;
}

struct pci_device *pci_find_class(uint8_t class_code, uint8_t subclass)
{
	for (int i = 0; i < pci_nr_devices; i++)
		if (pci_table[i].class_code == class_code && pci_table[i].subclass == subclass)
			return &pci_table[i];
	return NULL;
}

int pci_enable(struct pci_device *d)
{
	uint16_t cmd = pci_config_read16(d, PCI_COMMAND);

	if (pci_config_read16(d, PCI_VENDOR_ID) != d->vendor)
		return -1;
	cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	cmd &= ~PCI_COMMAND_INTX_DISABLE;
	for (int i = 0; i < PCI_BAR_COUNT; i++)
		if (d->bar[i].type == PCI_BAR_IO)
			cmd |= PCI_COMMAND_IO;
	pci_config_write16(d, PCI_COMMAND, cmd);
	return 0;
}

/* Base class and subclass names (PCI Code and ID Assignment Specification
 * 1.x, chapter 1). A subclass of 0xFF matches any subclass: those rows name
 * the base class and come after the specific rows of that class. */
#define PCI_ANY_SUBCLASS 0xFF
static const struct {
	uint8_t class_code, subclass;
	const char *name;
} pci_class_names[] = {
	{ 0x00, 0x01, "VGA-compatible device" },
	{ 0x00, PCI_ANY_SUBCLASS, "Unclassified device" },
	{ 0x01, 0x00, "SCSI storage controller" },
	{ 0x01, 0x01, "IDE interface" },
	{ 0x01, 0x05, "ATA controller" },
	{ 0x01, 0x06, "SATA controller" },
	{ 0x01, 0x08, "Non-volatile memory controller" },
	{ 0x01, PCI_ANY_SUBCLASS, "Mass storage controller" },
	{ 0x02, 0x00, "Ethernet controller" },
	{ 0x02, PCI_ANY_SUBCLASS, "Network controller" },
	{ 0x03, 0x00, "VGA compatible controller" },
	{ 0x03, PCI_ANY_SUBCLASS, "Display controller" },
	{ 0x04, 0x01, "Audio device" },
	{ 0x04, 0x03, "Audio device" },
	{ 0x04, PCI_ANY_SUBCLASS, "Multimedia controller" },
	{ 0x05, 0x00, "RAM memory" },
	{ 0x05, PCI_ANY_SUBCLASS, "Memory controller" },
	{ 0x06, 0x00, "Host bridge" },
	{ 0x06, 0x01, "ISA bridge" },
	{ 0x06, 0x04, "PCI bridge" },
	{ 0x06, 0x80, "Bridge" },
	{ 0x06, PCI_ANY_SUBCLASS, "Bridge" },
	{ 0x07, 0x00, "Serial controller" },
	{ 0x07, PCI_ANY_SUBCLASS, "Communication controller" },
	{ 0x08, PCI_ANY_SUBCLASS, "System peripheral" },
	{ 0x09, PCI_ANY_SUBCLASS, "Input device controller" },
	{ 0x0C, 0x03, "USB controller" },
	{ 0x0C, 0x05, "SMBus" },
	{ 0x0C, PCI_ANY_SUBCLASS, "Serial bus controller" },
	{ 0x0D, PCI_ANY_SUBCLASS, "Wireless controller" },
	{ 0xFF, PCI_ANY_SUBCLASS, "Unassigned class" },
};

const char *pci_class_name(uint8_t class_code, uint8_t subclass)
{
	for (size_t i = 0; i < sizeof pci_class_names / sizeof pci_class_names[0]; i++) {
		if (pci_class_names[i].class_code != class_code)
			continue;
		if (pci_class_names[i].subclass == subclass ||
		    pci_class_names[i].subclass == PCI_ANY_SUBCLASS)
			return pci_class_names[i].name;
	}
	return "Unknown class";
}

static const struct {
	uint16_t vendor;
	const char *name;
} pci_vendor_names[] = {
	{ 0x8086, "Intel" },
	{ 0x1234, "QEMU/Bochs" },   /* the standard VGA; 1234 is not assigned */
	{ 0x1B36, "Red Hat (QEMU)" },
	{ 0x1AF4, "Red Hat (virtio)" },
	{ 0x1022, "AMD" },
	{ 0x10EC, "Realtek" },
	{ 0x15AD, "VMware" },
	{ 0x80EE, "VirtualBox" },
};

const char *pci_vendor_name(uint16_t vendor)
{
	for (size_t i = 0; i < sizeof pci_vendor_names / sizeof pci_vendor_names[0]; i++)
		if (pci_vendor_names[i].vendor == vendor)
			return pci_vendor_names[i].name;
	return "unknown vendor";
}

const char *pci_bar_type_name(enum pci_bar_type t)
{
	switch (t) {
	case PCI_BAR_IO: return "io";
	case PCI_BAR_MEM32: return "mem32";
	case PCI_BAR_MEM64: return "mem64";
	case PCI_BAR_NONE: break;
	}
	return "none";
}
