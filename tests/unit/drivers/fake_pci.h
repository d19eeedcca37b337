/* A simulated PCI configuration space for host tests: functions with
 * 256-byte headers and BARs that behave like real decoders under sizing
 * (only the writable address bits stick). */
#ifndef TESTS_UNIT_DRIVERS_FAKE_PCI_H
#define TESTS_UNIT_DRIVERS_FAKE_PCI_H

#include <stdint.h>

#include "drivers/pci.h"

struct fake_pci_fn {
	uint8_t bus, dev, fn;
	uint8_t cfg[256];
	uint32_t bar_writable[PCI_BAR_COUNT];
};

/* Forget every function and counter. */
void fake_pci_reset(void);
/* Add a function; header is the raw header-type byte (multi-function bit
 * included). Class, IDs and header type are filled in; the rest is zero. */
struct fake_pci_fn *fake_pci_add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor,
				 uint16_t device, uint8_t class_code, uint8_t subclass,
				 uint8_t header);
/* BAR i holds value (flag bits included); writable marks the address bits
 * the decoder implements. */
void fake_pci_bar(struct fake_pci_fn *f, int i, uint32_t value, uint32_t writable);
void fake_pci_set8(struct fake_pci_fn *f, uint8_t off, uint8_t v);
void fake_pci_set16(struct fake_pci_fn *f, uint8_t off, uint16_t v);
uint16_t fake_pci_get16(const struct fake_pci_fn *f, uint8_t off);

/* Answer for every bus:dev.fn with the same multi-function device (to
 * overflow the table); 0 turns it off. */
void fake_pci_everywhere(int on);

extern const struct pci_config_ops fake_pci_ops;
/* All-ones written to a BAR while its function decoded memory or I/O. */
extern int fake_pci_decode_violations;
/* Configuration writes seen (all widths). */
extern int fake_pci_writes;

#endif
