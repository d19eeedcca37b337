/* Simulated PCI configuration space; see fake_pci.h. */
#include "tests/unit/drivers/fake_pci.h"

#include <stdbool.h>
#include <string.h>

#define FAKE_PCI_MAX 32

static struct fake_pci_fn fake_fns[FAKE_PCI_MAX];
static int fake_nfns;
static int fake_all;
int fake_pci_decode_violations;
int fake_pci_writes;
void (*host_mmio_write_hook)(volatile void *addr, uint32_t v);   /* see host_io.h */

void fake_pci_reset(void)
{
	memset(fake_fns, 0, sizeof fake_fns);
	fake_nfns = 0;
	fake_all = 0;
	fake_pci_decode_violations = 0;
	fake_pci_writes = 0;
}

void fake_pci_set8(struct fake_pci_fn *f, uint8_t off, uint8_t v)
{
	f->cfg[off] = v;
}

void fake_pci_set16(struct fake_pci_fn *f, uint8_t off, uint16_t v)
{
	f->cfg[off] = (uint8_t)v;
	f->cfg[off + 1] = (uint8_t)(v >> 8);
}

uint16_t fake_pci_get16(const struct fake_pci_fn *f, uint8_t off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

static void fake_set32(struct fake_pci_fn *f, uint8_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		f->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static uint32_t fake_get32(const struct fake_pci_fn *f, uint8_t off)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

struct fake_pci_fn *fake_pci_add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor,
				 uint16_t device, uint8_t class_code, uint8_t subclass,
				 uint8_t header)
{
	struct fake_pci_fn *f = &fake_fns[fake_nfns++];

	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	fake_pci_set16(f, PCI_VENDOR_ID, vendor);
	fake_pci_set16(f, PCI_DEVICE_ID, device);
	f->cfg[PCI_CLASS] = class_code;
	f->cfg[PCI_SUBCLASS] = subclass;
	f->cfg[PCI_HEADER_TYPE] = header;
	return f;
}

void fake_pci_bar(struct fake_pci_fn *f, int i, uint32_t value, uint32_t writable)
{
	fake_set32(f, PCI_BAR0 + 4 * i, value);
	f->bar_writable[i] = writable;
}

void fake_pci_everywhere(int on)
{
	static struct fake_pci_fn generic;

	fake_all = on;
	memset(&generic, 0, sizeof generic);
	fake_pci_set16(&generic, PCI_VENDOR_ID, 0x1234);
	fake_pci_set16(&generic, PCI_DEVICE_ID, 0x5678);
	generic.cfg[PCI_HEADER_TYPE] = PCI_HEADER_MULTIFUNCTION;
	if (on) {
		fake_fns[0] = generic;
		fake_nfns = 1;
	}
}

static struct fake_pci_fn *fake_lookup(uint8_t bus, uint8_t dev, uint8_t fn)
{
	if (fake_all)
		return bus == 0 ? &fake_fns[0] : NULL;
	for (int i = 0; i < fake_nfns; i++)
		if (fake_fns[i].bus == bus && fake_fns[i].dev == dev && fake_fns[i].fn == fn)
			return &fake_fns[i];
	return NULL;
}

static uint32_t fake_read(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width)
{
	struct fake_pci_fn *f = fake_lookup(bus, dev, fn);
	uint32_t v = 0;

	if (!f)
		return width == 4 ? 0xFFFFFFFF : width == 2 ? 0xFFFF : 0xFF;
	for (int i = 0; i < width; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static int fake_nbars(const struct fake_pci_fn *f)
{
	uint8_t t = f->cfg[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK;
	return t == PCI_HEADER_NORMAL ? 6 : t == PCI_HEADER_BRIDGE ? 2 : 0;
}

static void fake_write(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width, uint32_t v)
{
	struct fake_pci_fn *f = fake_lookup(bus, dev, fn);

	fake_pci_writes++;
	if (!f)
		return;
	if (width == 4 && off >= PCI_BAR0 && off < PCI_BAR0 + 4 * fake_nbars(f)) {
		int i = (off - PCI_BAR0) / 4;
		uint32_t old = fake_get32(f, off);
		uint16_t cmd = fake_pci_get16(f, PCI_COMMAND);

		if (v == 0xFFFFFFFF && (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)))
			fake_pci_decode_violations++;
		fake_set32(f, off, (v & f->bar_writable[i]) | (old & ~f->bar_writable[i]));
	} else if (width == 2 && off == PCI_COMMAND) {
		fake_pci_set16(f, off, (uint16_t)v);
	} else if (width == 1 && off == PCI_INTERRUPT_LINE) {
		f->cfg[off] = (uint8_t)v;
	}
	/* Everything else is read-only in this model. */
}

const struct pci_config_ops fake_pci_ops = { .read = fake_read, .write = fake_write };
