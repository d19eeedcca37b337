/* Host tests for drivers/pci.c: enumeration, BAR sizing and enabling,
 * against the simulated configuration space of fake_pci.c, laid out like
 * QEMU's i440FX machine plus a bridge with a 64-bit device behind it. */
#include <stdbool.h>

#include "drivers/pci.h"
#include "tests/unit/check.h"
#include "tests/unit/drivers/fake_pci.h"

int host_irq_off;

static struct fake_pci_fn *f_e1000, *f_vga, *f_ide, *f_virtio;

/* 00:00.0 host bridge
 * 00:01.0 ISA bridge (multi-function), 00:01.1 IDE with a 16-byte I/O BAR4,
 *         00:01.3 bridge (ACPI); 00:01.2 absent
 * 00:02.0 VGA: 16 MiB prefetchable mem32 BAR0, 4 KiB mem32 BAR2
 * 00:03.0 e1000: 128 KiB mem32 BAR0, 64-byte I/O BAR1 with a 16-bit decoder,
 *         INTA# on line 11; also "answers" as 00:03.1 like a sloppy
 *         single-function device, which must not be listed
 * 00:04.0 PCI-to-PCI bridge to bus 1; 00:05.0 a second bridge claiming bus 1
 * 01:00.0 virtio: 64-bit prefetchable 16 KiB BAR4/5 above 4 GiB */
static void setup_machine(void)
{
	struct fake_pci_fn *f;

	fake_pci_reset();
	fake_pci_add(0, 0, 0, 0x8086, 0x1237, 0x06, 0x00, PCI_HEADER_NORMAL);
	fake_pci_add(0, 1, 0, 0x8086, 0x7000, 0x06, 0x01, PCI_HEADER_NORMAL | PCI_HEADER_MULTIFUNCTION);
	f_ide = fake_pci_add(0, 1, 1, 0x8086, 0x7010, 0x01, 0x01, PCI_HEADER_NORMAL);
	fake_pci_bar(f_ide, 4, 0xC041, 0xFFFFFFF0);
	fake_pci_add(0, 1, 3, 0x8086, 0x7113, 0x06, 0x80, PCI_HEADER_NORMAL);

	f_vga = fake_pci_add(0, 2, 0, 0x1234, 0x1111, 0x03, 0x00, PCI_HEADER_NORMAL);
	fake_pci_bar(f_vga, 0, 0xFD000008, 0xFF000000);
	fake_pci_bar(f_vga, 2, 0xFEBD0000, 0xFFFFF000);
	fake_pci_set16(f_vga, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);

	f_e1000 = fake_pci_add(0, 3, 0, 0x8086, 0x100E, 0x02, 0x00, PCI_HEADER_NORMAL);
	fake_pci_bar(f_e1000, 0, 0xFEBC0000, 0xFFFE0000);
	fake_pci_bar(f_e1000, 1, 0xC001, 0x0000FFC0);
	fake_pci_set8(f_e1000, PCI_INTERRUPT_LINE, 11);
	fake_pci_set8(f_e1000, PCI_INTERRUPT_PIN, 1);
	fake_pci_set16(f_e1000, PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					     PCI_COMMAND_INTX_DISABLE);
	fake_pci_set16(f_e1000, PCI_SUBSYSTEM_VENDOR_ID, 0x1AF4);
	fake_pci_set16(f_e1000, PCI_SUBSYSTEM_ID, 0x1100);
	fake_pci_add(0, 3, 1, 0x8086, 0x100E, 0x02, 0x00, PCI_HEADER_NORMAL);

	f = fake_pci_add(0, 4, 0, 0x1B36, 0x0001, 0x06, 0x04, PCI_HEADER_BRIDGE);
	fake_pci_set8(f, PCI_SECONDARY_BUS, 1);
	fake_pci_set8(f, PCI_SUBORDINATE_BUS, 1);
	f = fake_pci_add(0, 5, 0, 0x1B36, 0x0001, 0x06, 0x04, PCI_HEADER_BRIDGE);
	fake_pci_set8(f, PCI_SECONDARY_BUS, 1);
	fake_pci_set8(f, PCI_SUBORDINATE_BUS, 1);

	f_virtio = fake_pci_add(1, 0, 0, 0x1AF4, 0x1041, 0x02, 0x00, PCI_HEADER_NORMAL);
	fake_pci_bar(f_virtio, 4, 0x0000000C, 0xFFFFC000);   /* mem64, prefetchable */
	fake_pci_bar(f_virtio, 5, 0x00000008, 0xFFFFFFFF);   /* base 0x8_0000_0000 */
	fake_pci_set16(f_virtio, PCI_COMMAND, PCI_COMMAND_MEMORY);
}

static void test_enumerates_every_function_once(void)
{
	setup_machine();
	CHECK_EQ_INT(pci_init_ops(&fake_pci_ops), 9);
	CHECK_EQ_INT(pci_count(), 9);
	CHECK_EQ_INT(pci_overflow(), 0);
	/* Order: depth-first, bridges followed where found. */
	CHECK_EQ_INT(pci_get(0)->dev, 0);
	CHECK_EQ_INT(pci_get(2)->fn, 1);
	CHECK_EQ_INT(pci_get(3)->fn, 3);
	CHECK_EQ_INT(pci_get(7)->bus, 1);   /* behind the first bridge */
	CHECK_EQ_INT(pci_get(8)->dev, 5);   /* second bridge: bus 1 not scanned again */
	CHECK(pci_get(9) == NULL);
	CHECK(pci_get(-1) == NULL);
}

static void test_single_function_device_not_probed_beyond_fn0(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	for (int i = 0; i < pci_count(); i++)
		CHECK(!(pci_get(i)->dev == 3 && pci_get(i)->fn == 1));
}

static void test_identity_and_irq(void)
{
	struct pci_device *d;

	setup_machine();
	pci_init_ops(&fake_pci_ops);
	d = pci_find(0x8086, 0x100E);
	CHECK(d != NULL);
	if (!d)
		return;
	CHECK_EQ_INT(d->bus, 0);
	CHECK_EQ_INT(d->dev, 3);
	CHECK_EQ_INT(d->class_code, 0x02);
	CHECK_EQ_INT(d->irq_line, 11);
	CHECK_EQ_INT(d->irq_pin, 1);
	CHECK_EQ_INT(d->subsys_vendor, 0x1AF4);
	CHECK_EQ_INT(d->subsys_id, 0x1100);
	CHECK(!d->multifunction);
	CHECK(pci_find(0x8086, 0x7000)->multifunction);
	/* No interrupt pin: the line is reported as none, whatever it holds. */
	CHECK_EQ_INT(pci_find(0x8086, 0x1237)->irq_line, PCI_INTERRUPT_LINE_NONE);
	CHECK(pci_find(0xDEAD, 0xBEEF) == NULL);
	CHECK(pci_find_class(0x01, 0x01) == pci_find(0x8086, 0x7010));
	CHECK(pci_find_class(0x0C, 0x03) == NULL);
}

static void test_bar_mem32(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	const struct pci_bar *b = &pci_find(0x8086, 0x100E)->bar[0];
	CHECK_EQ_INT(b->type, PCI_BAR_MEM32);
	CHECK_EQ_INT(b->base, 0xFEBC0000);
	CHECK_EQ_INT(b->size, 0x20000);
	CHECK(!b->prefetchable);

	b = &pci_find(0x1234, 0x1111)->bar[0];
	CHECK_EQ_INT(b->type, PCI_BAR_MEM32);
	CHECK_EQ_INT(b->base, 0xFD000000);
	CHECK_EQ_INT(b->size, 16 << 20);
	CHECK(b->prefetchable);
	CHECK_EQ_INT(pci_find(0x1234, 0x1111)->bar[1].type, PCI_BAR_NONE);
	CHECK_EQ_INT(pci_find(0x1234, 0x1111)->bar[2].size, 4096);
}

static void test_bar_io_with_16_bit_decoder(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	const struct pci_bar *b = &pci_find(0x8086, 0x100E)->bar[1];
	CHECK_EQ_INT(b->type, PCI_BAR_IO);
	CHECK_EQ_INT(b->base, 0xC000);
	CHECK_EQ_INT(b->size, 64);
	b = &pci_find(0x8086, 0x7010)->bar[4];
	CHECK_EQ_INT(b->type, PCI_BAR_IO);
	CHECK_EQ_INT(b->base, 0xC040);
	CHECK_EQ_INT(b->size, 16);
}

static void test_bar_mem64_above_4g(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	const struct pci_device *d = pci_find(0x1AF4, 0x1041);
	CHECK_EQ_INT(d->bar[4].type, PCI_BAR_MEM64);
	CHECK_EQ_INT(d->bar[4].base, 0x800000000ll);
	CHECK_EQ_INT(d->bar[4].size, 0x4000);
	CHECK(d->bar[4].prefetchable);
	CHECK_EQ_INT(d->bar[5].type, PCI_BAR_NONE);   /* the upper half */
}

static void test_sizing_disables_decode_and_restores(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	CHECK_EQ_INT(fake_pci_decode_violations, 0);
	/* BARs and command registers are back as firmware left them. */
	CHECK_EQ_INT(fake_pci_get16(f_e1000, PCI_BAR0), 0x0000);
	CHECK_EQ_INT(fake_pci_get16(f_e1000, PCI_BAR0 + 2), 0xFEBC);
	CHECK_EQ_INT(fake_pci_get16(f_e1000, PCI_BAR0 + 4), 0xC001);
	CHECK_EQ_INT(fake_pci_get16(f_virtio, PCI_BAR0 + 20), 0x0008);
	CHECK_EQ_INT(fake_pci_get16(f_e1000, PCI_COMMAND),
		     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ_INT(fake_pci_get16(f_vga, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
}

static void test_enable_sets_master_and_decoders(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	fake_pci_set16(f_e1000, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
	CHECK_EQ_INT(pci_enable(pci_find(0x8086, 0x100E)), 0);
	CHECK_EQ_INT(fake_pci_get16(f_e1000, PCI_COMMAND),
		     PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
	/* No I/O BAR: I/O decoding stays as it was (off). */
	fake_pci_set16(f_virtio, PCI_COMMAND, 0);
	CHECK_EQ_INT(pci_enable(pci_find(0x1AF4, 0x1041)), 0);
	CHECK_EQ_INT(fake_pci_get16(f_virtio, PCI_COMMAND), PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
}

static void test_enable_refuses_vanished_function(void)
{
	struct pci_device gone = { .bus = 7, .dev = 1, .fn = 0, .vendor = 0x8086 };

	setup_machine();
	pci_init_ops(&fake_pci_ops);
	CHECK_EQ_INT(pci_enable(&gone), -1);
}

static void test_config_access_widths(void)
{
	setup_machine();
	pci_init_ops(&fake_pci_ops);
	const struct pci_device *d = pci_find(0x8086, 0x100E);
	CHECK_EQ_INT(pci_config_read8(d, PCI_INTERRUPT_LINE), 11);
	CHECK_EQ_INT(pci_config_read16(d, PCI_DEVICE_ID), 0x100E);
	CHECK_EQ_INT(pci_config_read32(d, PCI_VENDOR_ID), 0x100E8086);
	pci_config_write8(d, PCI_INTERRUPT_LINE, 10);
	CHECK_EQ_INT(f_e1000->cfg[PCI_INTERRUPT_LINE], 10);
}

static void test_table_overflow_is_counted(void)
{
	fake_pci_reset();
	fake_pci_everywhere(1);   /* 32 devices x 8 functions on bus 0 */
	CHECK_EQ_INT(pci_init_ops(&fake_pci_ops), PCI_MAX_DEVICES);
	CHECK_EQ_INT(pci_overflow(), 256 - PCI_MAX_DEVICES);
	fake_pci_everywhere(0);
}

static void test_empty_bus(void)
{
	fake_pci_reset();
	CHECK_EQ_INT(pci_init_ops(&fake_pci_ops), 0);
	CHECK(pci_find(0x8086, 0x100E) == NULL);
}

static void test_names(void)
{
	CHECK_EQ_STR(pci_class_name(0x02, 0x00), "Ethernet controller");
	CHECK_EQ_STR(pci_class_name(0x02, 0x80), "Network controller");
	CHECK_EQ_STR(pci_class_name(0x06, 0x04), "PCI bridge");
	CHECK_EQ_STR(pci_class_name(0x06, 0x00), "Host bridge");
	CHECK_EQ_STR(pci_class_name(0x42, 0x00), "Unknown class");
	CHECK_EQ_STR(pci_vendor_name(0x8086), "Intel");
	CHECK_EQ_STR(pci_vendor_name(0x0001), "unknown vendor");
	CHECK_EQ_STR(pci_bar_type_name(PCI_BAR_MEM64), "mem64");
	CHECK_EQ_STR(pci_bar_type_name(PCI_BAR_NONE), "none");
}

int main(void)
{
	check_suite = "pci";
	RUN(test_enumerates_every_function_once);
	RUN(test_single_function_device_not_probed_beyond_fn0);
	RUN(test_identity_and_irq);
	RUN(test_bar_mem32);
	RUN(test_bar_io_with_16_bit_decoder);
	RUN(test_bar_mem64_above_4g);
	RUN(test_sizing_disables_decode_and_restores);
	RUN(test_enable_sets_master_and_decoders);
	RUN(test_enable_refuses_vanished_function);
	RUN(test_config_access_widths);
	RUN(test_table_overflow_is_counted);
	RUN(test_empty_bus);
	RUN(test_names);
	return check_report();
}
