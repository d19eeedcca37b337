/* PCI bus driver: configuration space through mechanism #1 (ports 0xCF8 and
 * 0xCFC), enumeration of every function into a table, BAR decoding and
 * sizing. Follows the PCI Local Bus Specification 3.0, section 3.2.2.3.2
 * (configuration mechanism #1) and chapter 6 (configuration space), and the
 * PCI-to-PCI Bridge Architecture Specification 1.2 (type 1 header).
 *
 * Enumeration is recursive, not a blind scan of 256 buses: bus 0 is scanned
 * (and bus N for function N of a multi-function host bridge at 00:00), and
 * each PCI-to-PCI bridge found is followed to its secondary bus. Firmware
 * (SeaBIOS, OVMF) has already numbered the buses and assigned the BARs;
 * Pigeon reads that assignment and never moves anything.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Configuration space offsets common to all headers (PCI 3.0, 6.1). */
enum {
	PCI_VENDOR_ID = 0x00,      /* 16 bits; 0xFFFF: no function here */
	PCI_DEVICE_ID = 0x02,      /* 16 bits */
	PCI_COMMAND = 0x04,        /* 16 bits */
		PCI_COMMAND_IO = 1 << 0,         /* I/O Space decode */
		PCI_COMMAND_MEMORY = 1 << 1,     /* Memory Space decode */
		PCI_COMMAND_MASTER = 1 << 2,     /* Bus Master (DMA) */
		PCI_COMMAND_INTX_DISABLE = 1 << 10,
	PCI_STATUS = 0x06,         /* 16 bits; error bits are write-1-to-clear */
		PCI_STATUS_CAP_LIST = 1 << 4,
	PCI_REVISION_ID = 0x08,    /* 8 bits */
	PCI_PROG_IF = 0x09,        /* 8 bits: programming interface */
	PCI_SUBCLASS = 0x0A,       /* 8 bits */
	PCI_CLASS = 0x0B,          /* 8 bits: base class */
	PCI_HEADER_TYPE = 0x0E,    /* 8 bits */
		PCI_HEADER_TYPE_MASK = 0x7F,
		PCI_HEADER_MULTIFUNCTION = 0x80,
		PCI_HEADER_NORMAL = 0x00,
		PCI_HEADER_BRIDGE = 0x01,        /* PCI-to-PCI bridge */
		PCI_HEADER_CARDBUS = 0x02,
	PCI_BAR0 = 0x10,           /* 32 bits each, PCI_BAR0 + 4 * n */
		PCI_BAR_SPACE_IO = 1 << 0,       /* bit 0: 1 = I/O, 0 = memory */
		PCI_BAR_MEM_TYPE_MASK = 3 << 1,  /* bits 2:1 of a memory BAR */
		PCI_BAR_MEM_TYPE_32 = 0 << 1,
		PCI_BAR_MEM_TYPE_64 = 2 << 1,
		PCI_BAR_MEM_PREFETCH = 1 << 3,
	PCI_SUBSYSTEM_VENDOR_ID = 0x2C, /* type 0 only */
	PCI_SUBSYSTEM_ID = 0x2E,
	PCI_CAPABILITIES_PTR = 0x34,
	PCI_INTERRUPT_LINE = 0x3C, /* 8 bits: PIC line firmware routed INTx to */
		PCI_INTERRUPT_LINE_NONE = 0xFF,
	PCI_INTERRUPT_PIN = 0x3D,  /* 8 bits: 0 none, 1-4 INTA#-INTD# */
};

/* Type 1 (PCI-to-PCI bridge) header fields (PCI-PCI Bridge spec 1.2, 3.2). */
enum {
	PCI_PRIMARY_BUS = 0x18,
	PCI_SECONDARY_BUS = 0x19,
	PCI_SUBORDINATE_BUS = 0x1A,
};

enum {
	PCI_CLASS_BRIDGE = 0x06,
		PCI_SUBCLASS_BRIDGE_HOST = 0x00,
		PCI_SUBCLASS_BRIDGE_PCI = 0x04,
	PCI_CLASS_NETWORK = 0x02,
		PCI_SUBCLASS_NETWORK_ETHERNET = 0x00,
};

enum {
	PCI_MAX_BUS = 256,
	PCI_MAX_DEV = 32,
	PCI_MAX_FN = 8,
	PCI_BAR_COUNT = 6,        /* type 0 has six BARs, type 1 two */
	PCI_MAX_DEVICES = 64,     /* table size; further functions are counted, not kept */
};

enum pci_bar_type {
	PCI_BAR_NONE = 0,         /* unimplemented, or the upper half of a 64-bit BAR */
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetchable;
	uint64_t base;            /* address firmware assigned (flag bits removed) */
	uint64_t size;            /* bytes decoded, from all-ones sizing */
};

/* One function, as found at enumeration; host byte order throughout. */
struct pci_device {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type;      /* PCI_HEADER_* without the multi-function bit */
	bool multifunction;
	uint8_t irq_line;         /* PCI_INTERRUPT_LINE_NONE when not routed */
	uint8_t irq_pin;          /* 0 none, 1 = INTA# ... 4 = INTD# */
	uint16_t subsys_vendor, subsys_id;   /* type 0 only, else 0 */
	uint8_t secondary_bus, subordinate_bus; /* bridges only */
	struct pci_bar bar[PCI_BAR_COUNT];
};

/* How configuration space is reached: width is 1, 2 or 4 bytes and off is
 * aligned to it. Mechanism #1 is the default; host tests plug in a
 * simulated configuration space. */
struct pci_config_ops {
	uint32_t (*read)(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width);
	void (*write)(uint8_t bus, uint8_t dev, uint8_t fn, uint8_t off, int width, uint32_t v);
};

/* Enumerate once through mechanism #1 and fill the table; later calls do
 * nothing. Returns the number of functions found. Call with interrupts on
 * or off; nothing else may touch configuration space meanwhile. */
int pci_init(void);
/* Throw the table away and enumerate again through ops (host tests). */
int pci_init_ops(const struct pci_config_ops *ops);

/* Configuration reads and writes through the current ops. A read of a
 * function that does not exist returns all ones. */
uint8_t pci_config_read8(const struct pci_device *d, uint8_t off);
uint16_t pci_config_read16(const struct pci_device *d, uint8_t off);
uint32_t pci_config_read32(const struct pci_device *d, uint8_t off);
void pci_config_write8(const struct pci_device *d, uint8_t off, uint8_t v);
void pci_config_write16(const struct pci_device *d, uint8_t off, uint16_t v);
void pci_config_write32(const struct pci_device *d, uint8_t off, uint32_t v);

/* Functions in the table, and the i-th (NULL past the end). */
int pci_count(void);
/* Functions found beyond PCI_MAX_DEVICES and not kept. */
int pci_overflow(void);
struct pci_device *pci_get(int i);
/* First function with that vendor and device ID, or NULL. */
struct pci_device *pci_find(uint16_t vendor, uint16_t device);
/* First function with that class and subclass, or NULL. */
struct pci_device *pci_find_class(uint8_t class_code, uint8_t subclass);

/* Turn on bus mastering and memory decoding (and I/O decoding if the
 * function has an I/O BAR), and clear INTx Disable so its interrupt line
 * works. Returns 0, or -1 if the function no longer answers. */
int pci_enable(struct pci_device *d);

/* Human-readable names for lspci: never NULL. */
const char *pci_class_name(uint8_t class_code, uint8_t subclass);
const char *pci_vendor_name(uint16_t vendor);
const char *pci_bar_type_name(enum pci_bar_type t);

#endif
