/* lspci: the PCI functions found at boot, their class, interrupt line and
 * BARs; -v adds identity details and the live command/status registers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "drivers/pci.h"
#include "kernel/printf.h"
#include "user/command.h"
#include "user/shell.h"

/* A BAR size in the largest unit that divides it exactly: "128K", "64", "1M". */
static void lspci_size(char *out, size_t n, uint64_t size)
{
	static const char units[] = { 0, 'K', 'M', 'G', 'T' };
	unsigned u = 0;

	while (u + 1 < sizeof units && size >= 1024 && size % 1024 == 0) {
		size /= 1024;
		u++;
	}
	if (units[u])
		snprintf(out, n, "%llu%c", (unsigned long long)size, units[u]);
	else
		snprintf(out, n, "%llu", (unsigned long long)size);
}

static void lspci_bars(const struct pci_device *d, bool verbose)
{
	for (int i = 0; i < PCI_BAR_COUNT; i++) {
		const struct pci_bar *b = &d->bar[i];
		char size[24];

		if (b->type == PCI_BAR_NONE)
			continue;
		lspci_size(size, sizeof size, b->size);
		kprintf("        BAR%d %-5s 0x%08llx size %s%s\n", i, pci_bar_type_name(b->type),
			(unsigned long long)b->base, size,
			verbose && b->prefetchable ? " prefetchable" : "");
	}
}

static void lspci_details(const struct pci_device *d)
{
	uint16_t cmd = pci_config_read16(d, PCI_COMMAND);
	uint16_t status = pci_config_read16(d, PCI_STATUS);

	kprintf("        vendor %s, revision %02x, prog-if %02x, header type %u%s\n",
		pci_vendor_name(d->vendor), d->revision, d->prog_if, d->header_type,
		d->multifunction ? " (multi-function)" : "");
	if (d->header_type == PCI_HEADER_NORMAL)
		kprintf("        subsystem %04x:%04x\n", d->subsys_vendor, d->subsys_id);
	if (d->header_type == PCI_HEADER_BRIDGE)
		kprintf("        bridge to bus %02x, subordinate %02x\n", d->secondary_bus,
			d->subordinate_bus);
	kprintf("        command %04x:%s%s%s%s, status %04x\n", cmd,
		cmd & PCI_COMMAND_IO ? " io" : "", cmd & PCI_COMMAND_MEMORY ? " mem" : "",
		cmd & PCI_COMMAND_MASTER ? " busmaster" : "",
		cmd & PCI_COMMAND_INTX_DISABLE ? " intx-off" : "", status);
	if (d->irq_pin)
		kprintf("        interrupt pin INT%c#, line %u\n", 'A' + d->irq_pin - 1, d->irq_line);
}

static int lspci_run(int argc, char **argv)
{
	bool verbose = false;
	int n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = true;
		else
			return shell_usage_error(argv[0], "unknown option '%s'", argv[i]);
	}

	n = pci_init();
	for (int i = 0; i < n; i++) {
		const struct pci_device *d = pci_get(i);

		kprintf("%02x:%02x.%x %04x:%04x %-28s", d->bus, d->dev, d->fn, d->vendor, d->device,
			pci_class_name(d->class_code, d->subclass));
		if (d->irq_line != PCI_INTERRUPT_LINE_NONE)
			kprintf(" irq %u\n", d->irq_line);
		else
			kprintf(" irq -\n");
		if (verbose)
			lspci_details(d);
		lspci_bars(d, verbose);
	}
	if (pci_overflow())
		kprintf("(%d more functions not kept: table holds %d)\n", pci_overflow(),
			PCI_MAX_DEVICES);
	return 0;
}

COMMAND(lspci,
	.name = "lspci",
	.usage = "lspci [-v]",
	.summary = "list PCI devices with their interrupt lines and BARs",
	.example = "lspci -v",
	.run = lspci_run);
