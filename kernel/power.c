/* Power off through ACPI S5 and reboot through the reset register or the
 * keyboard controller. Table layouts from the ACPI specification 6.x:
 * RSDP (5.2.5.3), RSDT/XSDT (5.2.7/5.2.8), FADT (5.2.9), \_S5 (7.4.2). */
#include "kernel/power.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/io.h"
#include "kernel/printf.h"

enum {
	RSDP_RSDT_ADDR = 16,
	RSDP_REVISION = 15,
	RSDP_XSDT_ADDR = 24,
	SDT_LENGTH = 4,
	SDT_HEADER_LEN = 36,
	FADT_FIRMWARE_CTRL = 36,
	FADT_DSDT = 40,
	FADT_SMI_CMD = 48,
	FADT_ACPI_ENABLE = 52,
	FADT_PM1A_CNT_BLK = 64,
	FADT_PM1B_CNT_BLK = 68,
	FADT_RESET_REG = 116,  /* Generic Address Structure, 12 bytes */
	FADT_RESET_VALUE = 128,
	FADT_FLAGS = 112,
	FADT_FLAG_RESET_REG_SUP = 1 << 10,
	FADT_X_DSDT = 140,
	PM1_CNT_SCI_EN = 1 << 0,
	PM1_CNT_SLP_TYP_SHIFT = 10,
	PM1_CNT_SLP_EN = 1 << 13,
	AML_NAME_OP = 0x08,
	AML_PACKAGE_OP = 0x12,
	AML_ZERO_OP = 0x00,
	AML_ONE_OP = 0x01,
	AML_BYTE_PREFIX = 0x0A,
	GAS_SPACE_IO = 1,
	KBC_STATUS = 0x64,
	KBC_STATUS_INPUT_FULL = 0x02,
	KBC_CMD_PULSE_RESET = 0xFE,
};

static struct {
	bool found;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t slp_typa, slp_typb;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	bool reset_io;
	uint16_t reset_port;
	uint8_t reset_value;
} acpi;

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* A table at phys whose signature and checksum are right, or NULL. ACPI
 * tables live in RAM the kernel maps; anything above 4 GiB is ignored. */
static const uint8_t *acpi_table(uint64_t phys, const char *sig)
{
	if (phys == 0 || phys >= 0x100000000ull)
		return NULL;
	const uint8_t *t = (const uint8_t *)(uintptr_t)phys;
	uint32_t len = rd32(t + SDT_LENGTH);
	if (memcmp(t, sig, 4) != 0 || len < SDT_HEADER_LEN || len > (1u << 20) || !checksum_ok(t, len))
		return NULL;
	return t;
}

/* The legacy BIOS places the RSDP on a 16-byte boundary in the EBDA's first
 * KiB or in 0xE0000-0xFFFFF. */
enum { BDA_EBDA_SEGMENT = 0x40E };

static const uint8_t *acpi_find_rsdp(const struct boot_info *bi)
{
	if (bi->rsdp_len >= 20)
		return bi->rsdp;
	/* The BIOS data area's word at 0x40E holds the EBDA segment. */
	uint32_t seg;
	__asm__ volatile("movzwl (%1), %0" : "=r"(seg) : "r"((uintptr_t)BDA_EBDA_SEGMENT));
	uint64_t ebda = (uint64_t)seg << 4;
	uint64_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xE0000, 0x100000 } };
	for (int r = 0; r < 2; r++) {
		if (ranges[r][0] < 0x1000)
			continue;
		for (uint64_t a = ranges[r][0]; a + 20 <= ranges[r][1]; a += 16) {
			const uint8_t *p = (const uint8_t *)(uintptr_t)a;
			if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
				return p;
		}
	}
	return NULL;
}

/* Find "\_S5_" in the DSDT's AML: NameOp "_S5_" PackageOp PkgLength
 * NumElements, then SLP_TYPa and SLP_TYPb as integers. */
static bool acpi_parse_s5(const uint8_t *dsdt)
{
	uint32_t len = rd32(dsdt + SDT_LENGTH);
	for (uint32_t i = SDT_HEADER_LEN; i + 12 < len; i++) {
		if (memcmp(dsdt + i, "_S5_", 4) != 0 || dsdt[i + 4] != AML_PACKAGE_OP)
			continue;
		if (!(dsdt[i - 1] == AML_NAME_OP || (dsdt[i - 2] == AML_NAME_OP && dsdt[i - 1] == '\\')))
			continue;
		const uint8_t *p = dsdt + i + 5;
		p += ((*p >> 6) & 3) + 1; /* PkgLength: lead byte bits 7:6 count extra bytes */
		p++;                      /* NumElements */
		uint16_t typ[2];
		for (int k = 0; k < 2; k++) {
			if (*p == AML_BYTE_PREFIX) {
				typ[k] = p[1];
				p += 2;
			} else if (*p == AML_ZERO_OP || *p == AML_ONE_OP) {
				typ[k] = *p;
				p++;
			} else {
				return false;
			}
		}
		acpi.slp_typa = typ[0];
		acpi.slp_typb = typ[1];
		return true;
	}
	return false;
}

void power_init(const struct boot_info *bi)
{
	const uint8_t *rsdp = acpi_find_rsdp(bi);
	if (!rsdp)
		return;
	const uint8_t *fadt = NULL;
	if (rsdp[RSDP_REVISION] >= 2 && rd64(rsdp + RSDP_XSDT_ADDR)) {
		const uint8_t *xsdt = acpi_table(rd64(rsdp + RSDP_XSDT_ADDR), "XSDT");
		for (uint32_t off = SDT_HEADER_LEN; xsdt && off + 8 <= rd32(xsdt + SDT_LENGTH) && !fadt; off += 8)
			fadt = acpi_table(rd64(xsdt + off), "FACP");
	}
	if (!fadt) {
		const uint8_t *rsdt = acpi_table(rd32(rsdp + RSDP_RSDT_ADDR), "RSDT");
		for (uint32_t off = SDT_HEADER_LEN; rsdt && off + 4 <= rd32(rsdt + SDT_LENGTH) && !fadt; off += 4)
			fadt = acpi_table(rd32(rsdt + off), "FACP");
	}
	if (!fadt)
		return;
	uint32_t fadt_len = rd32(fadt + SDT_LENGTH);
	acpi.pm1a_cnt = (uint16_t)rd32(fadt + FADT_PM1A_CNT_BLK);
	acpi.pm1b_cnt = (uint16_t)rd32(fadt + FADT_PM1B_CNT_BLK);
	acpi.smi_cmd = rd32(fadt + FADT_SMI_CMD);
	acpi.acpi_enable = fadt[FADT_ACPI_ENABLE];
	if (fadt_len >= FADT_RESET_VALUE + 1 && (rd32(fadt + FADT_FLAGS) & FADT_FLAG_RESET_REG_SUP) &&
	    fadt[FADT_RESET_REG] == GAS_SPACE_IO) {
		acpi.reset_io = true;
		acpi.reset_port = (uint16_t)rd64(fadt + FADT_RESET_REG + 4);
		acpi.reset_value = fadt[FADT_RESET_VALUE];
	}
	uint64_t dsdt_phys = rd32(fadt + FADT_DSDT);
	if (fadt_len >= FADT_X_DSDT + 8 && rd64(fadt + FADT_X_DSDT))
		dsdt_phys = rd64(fadt + FADT_X_DSDT);
	const uint8_t *dsdt = acpi_table(dsdt_phys, "DSDT");
	acpi.found = acpi.pm1a_cnt && dsdt && acpi_parse_s5(dsdt);
}

void power_off(void)
{
	cli();
	if (acpi.found) {
		/* Firmware may leave ACPI in legacy mode: ask it to switch first. */
		if (!(inw(acpi.pm1a_cnt) & PM1_CNT_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
			outb((uint16_t)acpi.smi_cmd, acpi.acpi_enable);
			for (int i = 0; i < 300 && !(inw(acpi.pm1a_cnt) & PM1_CNT_SCI_EN); i++)
				udelay(1000);
		}
		outw(acpi.pm1a_cnt, (uint16_t)(acpi.slp_typa << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN));
		if (acpi.pm1b_cnt)
			outw(acpi.pm1b_cnt, (uint16_t)(acpi.slp_typb << PM1_CNT_SLP_TYP_SHIFT | PM1_CNT_SLP_EN));
		udelay(100000);
	}
	kprintf("poweroff: ACPI S5 %s; it is now safe to turn off the machine.\n",
		acpi.found ? "did not take effect" : "is not available (no FADT or \\_S5)");
	for (;;)
		hlt();
}

void reboot(void)
{
	cli();
	if (acpi.reset_io)
		outb(acpi.reset_port, acpi.reset_value);
	udelay(50000);
	for (int i = 0; i < 100000 && (inb(KBC_STATUS) & KBC_STATUS_INPUT_FULL); i++)
		cpu_relax();
	outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
	udelay(50000);
	/* Last resort: a triple fault resets every PC. */
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) null_idt = { 0, 0 };
	__asm__ volatile("lidt %0; int3" : : "m"(null_idt));
	for (;;)
		hlt();
}
