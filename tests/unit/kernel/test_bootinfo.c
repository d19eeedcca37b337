/* Host tests for kernel/bootinfo.c.
 *
 * The blobs mimic what the two loaders really hand over: a multiboot1
 * structure as QEMU's -kernel builds it (hw/i386/multiboot.c: flags 0x24f,
 * boot loader name "qemu", an e820 map in 20-byte entries) and a multiboot2
 * tag list in GRUB 2.06's order (load base, cmdline, loader name, APM,
 * memory map, ELF sections, basic meminfo, boot device, framebuffer, ACPI,
 * end). Offsets are written as numbers from the specifications, not from the
 * parser's own names, and each field is annotated. Then the malformed ones,
 * and a mutation loop under ASan: the parser must never read outside the
 * bytes it was given.
 *
 * Multiboot1 holds 32-bit physical addresses, so its blobs live in memory
 * mapped below 4 GiB (MAP_32BIT) and the pointers are real. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/bootinfo.h"
#include "tests/unit/check.h"

enum { LOW_SIZE = 1 << 16 };

static uint8_t *low; /* LOW_SIZE bytes below 4 GiB, for multiboot1 */
static struct boot_info bi;

static void put8(uint8_t *p, size_t off, uint8_t v) { p[off] = v; }
static void put16(uint8_t *p, size_t off, uint16_t v) { p[off] = (uint8_t)v; p[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, size_t off, uint32_t v) { put16(p, off, (uint16_t)v); put16(p, off + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, size_t off, uint64_t v) { put32(p, off, (uint32_t)v); put32(p, off + 4, (uint32_t)(v >> 32)); }
static uint32_t phys(const void *p) { return (uint32_t)(uintptr_t)p; }

/* ---- multiboot1 --------------------------------------------------------- */

/* The e820 map SeaBIOS reports for -m 128 (as QEMU's multiboot option ROM
 * copies it): base, length, type. */
static const struct { uint64_t base, len; uint32_t type; } e820[] = {
	{ 0x0, 0x9fc00, 1 },          /* conventional memory */
	{ 0x9fc00, 0x400, 2 },        /* EBDA */
	{ 0xf0000, 0x10000, 2 },      /* BIOS ROM */
	{ 0x100000, 0x7ee0000, 1 },   /* RAM above 1 MiB */
	{ 0x7fe0000, 0x20000, 2 },    /* ACPI tables, marked reserved by SeaBIOS */
	{ 0xfffc0000, 0x40000, 2 },   /* BIOS flash */
};
enum { E820_N = sizeof e820 / sizeof e820[0] };

/* Layout inside low: info at 0, strings at 0x200/0x300, map at 0x400. */
enum { MB1_INFO = 0, MB1_CMD = 0x200, MB1_NAME = 0x300, MB1_MAP = 0x400 };

static uint8_t *mb1_qemu(const char *cmdline)
{
	uint8_t *info = low + MB1_INFO, *map = low + MB1_MAP;

	memset(low, 0, LOW_SIZE);
	strcpy((char *)low + MB1_CMD, cmdline);
	strcpy((char *)low + MB1_NAME, "qemu");
	put32(info, 0, 0x24f);                 /* flags: MEMORY|BOOTDEV|CMDLINE|MODS|MMAP|LOADER_NAME */
	put32(info, 4, 639);                   /* mem_lower, KiB */
	put32(info, 8, 0x7ee0000 / 1024);      /* mem_upper, KiB above 1 MiB */
	put32(info, 12, 0x8000ffff);           /* boot_device: QEMU's fixed value */
	put32(info, 16, phys(low + MB1_CMD));  /* cmdline */
	put32(info, 20, 0);                    /* mods_count */
	put32(info, 24, phys(low + 0x180));    /* mods_addr */
	put32(info, 44, E820_N * 24);          /* mmap_length: entries of 4 + 20 bytes */
	put32(info, 48, phys(map));            /* mmap_addr */
	put32(info, 64, phys(low + MB1_NAME)); /* boot_loader_name */
	for (size_t i = 0; i < E820_N; i++) {
		put32(map, i * 24 + 0, 20);          /* size, not counting itself */
		put64(map, i * 24 + 4, e820[i].base); /* base_addr */
		put64(map, i * 24 + 12, e820[i].len); /* length */
		put32(map, i * 24 + 20, e820[i].type); /* type */
	}
	return info;
}

static void test_mb1_qemu(void)
{
	const uint8_t *info = mb1_qemu("autorun=\"uptime; poweroff\" quiet");

	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_STR(bi.loader_kind, "multiboot1");
	CHECK_EQ_STR(bi.loader_name, "qemu");
	CHECK_EQ_STR(bi.cmdline, "autorun=\"uptime; poweroff\" quiet");
	CHECK_EQ_INT(bi.mmap_count, E820_N);
	for (size_t i = 0; i < E820_N && i < bi.mmap_count; i++) {
		CHECK_EQ_INT(bi.mmap[i].base, e820[i].base);
		CHECK_EQ_INT(bi.mmap[i].len, e820[i].len);
		CHECK_EQ_INT(bi.mmap[i].type, e820[i].type);
	}
	CHECK_EQ_INT(bi.fb.addr, 0);
	CHECK_EQ_INT(bi.rsdp_len, 0);
	CHECK_EQ_INT(bi.info_phys, phys(info));
	CHECK_EQ_INT(bi.info_len, 116);
}

/* Types 3, 4, 5 map to their names; anything else is reserved. */
static void test_mb1_types(void)
{
	uint8_t *info = mb1_qemu("");
	static const uint32_t in[] = { 1, 2, 3, 4, 5, 0, 6, 0xffffffff };
	static const uint32_t want[] = { BOOT_MEM_USABLE, BOOT_MEM_RESERVED, BOOT_MEM_ACPI_RECLAIMABLE,
					 BOOT_MEM_ACPI_NVS, BOOT_MEM_BAD, BOOT_MEM_RESERVED, BOOT_MEM_RESERVED,
					 BOOT_MEM_RESERVED };

	put32(info, 44, 8 * 24);
	for (size_t i = 0; i < 8; i++) {
		put32(low + MB1_MAP, i * 24 + 0, 20);
		put32(low + MB1_MAP, i * 24 + 20, in[i]);
	}
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 8);
	for (size_t i = 0; i < 8; i++)
		CHECK_EQ_INT(bi.mmap[i].type, want[i]);
}

/* Flag bit 12: framebuffer fields at 88..115, RGB colour layout. */
static void test_mb1_framebuffer(void)
{
	uint8_t *info = mb1_qemu("");

	put32(info, 0, 0x24f | 1u << 12);
	put64(info, 88, 0xfd000000);  /* framebuffer_addr */
	put32(info, 96, 4096);        /* pitch */
	put32(info, 100, 1024);       /* width */
	put32(info, 104, 768);        /* height */
	put8(info, 108, 32);          /* bpp */
	put8(info, 109, 1);           /* type: direct RGB */
	put8(info, 110, 16);          /* red position */
	put8(info, 111, 8);           /* red mask size */
	put8(info, 112, 8);           /* green position */
	put8(info, 113, 8);
	put8(info, 114, 0);           /* blue position */
	put8(info, 115, 8);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.fb.addr, 0xfd000000);
	CHECK_EQ_INT(bi.fb.pitch, 4096);
	CHECK_EQ_INT(bi.fb.width, 1024);
	CHECK_EQ_INT(bi.fb.height, 768);
	CHECK_EQ_INT(bi.fb.bpp, 32);
	CHECK_EQ_INT(bi.fb.red_pos, 16);
	CHECK_EQ_INT(bi.fb.green_pos, 8);
	CHECK_EQ_INT(bi.fb.blue_size, 8);
	CHECK_EQ_INT(bi.fb.is_text, 0);

	put64(info, 88, 0xb8000);     /* EGA text mode, as GRUB reports it */
	put32(info, 96, 160);
	put32(info, 100, 80);
	put32(info, 104, 25);
	put8(info, 108, 16);
	put8(info, 109, 2);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.fb.is_text, 1);
	CHECK_EQ_INT(bi.fb.width, 80);
	CHECK_EQ_INT(bi.fb.red_size, 0);
}

/* Without flag bit 6 the map is built from mem_lower and mem_upper. */
static void test_mb1_mem_only(void)
{
	uint8_t *info = mb1_qemu("");

	put32(info, 0, 0x1); /* MEMORY only */
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 2);
	CHECK_EQ_INT(bi.mmap[0].base, 0);
	CHECK_EQ_INT(bi.mmap[0].len, 639 * 1024);
	CHECK_EQ_INT(bi.mmap[1].base, 0x100000);
	CHECK_EQ_INT(bi.mmap[1].len, 0x7ee0000);
	CHECK_EQ_STR(bi.cmdline, "");    /* flag 2 clear: pointer ignored */
	CHECK_EQ_STR(bi.loader_name, "");
	put32(info, 0, 0);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 0);
	CHECK(bootinfo_parse_multiboot1(NULL, &bi) < 0);
}

static void test_mb1_mmap_malformed(void)
{
	uint8_t *info = mb1_qemu("");

	put32(low + MB1_MAP, 2 * 24, 0); /* entry 2 claims size 0 */
	CHECK(bootinfo_parse_multiboot1(info, &bi) < 0);
	CHECK_EQ_INT(bi.mmap_count, 2); /* the entries before it are kept */

	info = mb1_qemu("");
	put32(low + MB1_MAP, 5 * 24, 24); /* the last entry runs 4 bytes past mmap_length */
	CHECK(bootinfo_parse_multiboot1(info, &bi) < 0);
	CHECK_EQ_INT(bi.mmap_count, 5);

	info = mb1_qemu("");
	put32(info, 44, E820_N * 24 + 3); /* 3 trailing bytes: not even a size field */
	CHECK(bootinfo_parse_multiboot1(info, &bi) < 0);
	CHECK_EQ_INT(bi.mmap_count, E820_N);

	info = mb1_qemu("");
	put32(low + MB1_MAP, 0, 0xffffffff); /* size that would wrap the offset */
	CHECK(bootinfo_parse_multiboot1(info, &bi) < 0);
	CHECK_EQ_INT(bi.mmap_count, 0);

	info = mb1_qemu("");
	put32(info, 44, 0); /* empty map: valid, just nothing in it */
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 0);
}

/* Entries of size 24 (with 4 bytes of extension) are stepped over whole. */
static void test_mb1_mmap_larger_entries(void)
{
	uint8_t *info = mb1_qemu(""), *map = low + MB1_MAP;

	memset(map, 0xcc, 3 * 28);
	for (size_t i = 0; i < 3; i++) {
		put32(map, i * 28, 24);
		put64(map, i * 28 + 4, i * 0x1000);
		put64(map, i * 28 + 12, 0x1000);
		put32(map, i * 28 + 20, 1);
	}
	put32(info, 44, 3 * 28);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 3);
	CHECK_EQ_INT(bi.mmap[2].base, 0x2000);
}

static void test_mb1_too_many_entries(void)
{
	uint8_t *info = mb1_qemu("");
	enum { N = BOOT_MMAP_MAX + 72 };

	for (size_t i = 0; i < N; i++) {
		put32(low + MB1_MAP, i * 24, 20);
		put64(low + MB1_MAP, i * 24 + 4, (uint64_t)i << 20);
		put64(low + MB1_MAP, i * 24 + 12, 1 << 20);
		put32(low + MB1_MAP, i * 24 + 20, 1);
	}
	put32(info, 44, N * 24);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, BOOT_MMAP_MAX);
	CHECK_EQ_INT(bi.mmap[BOOT_MMAP_MAX - 1].base, (uint64_t)(BOOT_MMAP_MAX - 1) << 20);
}

/* Strings are C strings of any length: copies stop at the buffer. */
static void test_mb1_long_strings(void)
{
	uint8_t *info = mb1_qemu("");

	memset(low + MB1_CMD, 'c', 0x100); /* runs on into the name */
	memset(low + MB1_NAME, 'n', 0x80);
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(strlen(bi.cmdline), 0x180);
	CHECK_EQ_INT(strlen(bi.loader_name), BOOT_LOADER_MAX - 1);
	memset(low + 0x800, 'x', 0x1000);
	put32(info, 16, phys(low + 0x800));
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_INT(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	put32(info, 16, 0); /* flag set, address 0: treated as absent */
	CHECK_EQ_INT(bootinfo_parse_multiboot1(info, &bi), 0);
	CHECK_EQ_STR(bi.cmdline, "");
}

/* ---- multiboot2 --------------------------------------------------------- */

/* Appends tags to an 8-byte aligned buffer and fixes up sizes. */
struct mb2 {
	uint8_t *b;
	size_t off, tag;
};

static void mb2_begin(struct mb2 *m, uint8_t *buf)
{
	m->b = buf;
	m->off = 8; /* total_size and reserved come first */
	put32(buf, 4, 0);
}

static void tag_open(struct mb2 *m, uint32_t type)
{
	m->tag = m->off;
	put32(m->b, m->off, type); /* type */
	m->off += 8;               /* size is written by tag_close */
}

static void add8(struct mb2 *m, uint8_t v) { put8(m->b, m->off, v); m->off += 1; }
static void add16(struct mb2 *m, uint16_t v) { put16(m->b, m->off, v); m->off += 2; }
static void add32(struct mb2 *m, uint32_t v) { put32(m->b, m->off, v); m->off += 4; }
static void add64(struct mb2 *m, uint64_t v) { put64(m->b, m->off, v); m->off += 8; }

static void add_str(struct mb2 *m, const char *s)
{
	size_t n = strlen(s) + 1;
	memcpy(m->b + m->off, s, n);
	m->off += n;
}

/* Writes the size (not counting padding), then pads to 8 with zeros. */
static void tag_close(struct mb2 *m)
{
	put32(m->b, m->tag + 4, (uint32_t)(m->off - m->tag));
	while (m->off % 8)
		m->b[m->off++] = 0;
}

static size_t mb2_end(struct mb2 *m)
{
	tag_open(m, 0);            /* end tag: type 0, size 8 */
	tag_close(m);
	put32(m->b, 0, (uint32_t)m->off); /* total_size */
	return m->off;
}

static const char grub_cmdline[] = "autorun=\"uptime; mem; poweroff\" quiet";
static const char grub_name[] = "GRUB 2.06-13+deb12u1";

/* Where the parser should find things in the GRUB blob. */
static size_t grub_acpi_at;

static const uint8_t rsdp_v1[20] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0x4a, 'B', 'O', 'C', 'H', 'S',
				     ' ', 0, 0x40, 0x1a, 0xfe, 0x07 };

/* The memory map section (tag 6) with n e820-like entries. */
static void add_mmap(struct mb2 *m, size_t n, uint32_t entry_size)
{
	tag_open(m, 6);
	add32(m, entry_size);            /* entry_size */
	add32(m, 0);                     /* entry_version */
	for (size_t i = 0; i < n; i++) {
		size_t start = m->off;
		add64(m, e820[i % E820_N].base); /* base_addr */
		add64(m, e820[i % E820_N].len);  /* length */
		add32(m, e820[i % E820_N].type); /* type */
		add32(m, 0);                     /* reserved */
		while (m->off - start < entry_size)
			add8(m, 0xee);           /* a newer version's extension */
	}
	tag_close(m);
}

static size_t grub_blob(uint8_t *buf, const char *cmdline)
{
	struct mb2 m;

	mb2_begin(&m, buf);
	tag_open(&m, 21);                /* image load base physical address */
	add32(&m, 0x100000);
	tag_close(&m);
	tag_open(&m, 1);                 /* boot command line */
	add_str(&m, cmdline);
	tag_close(&m);
	tag_open(&m, 2);                 /* boot loader name */
	add_str(&m, grub_name);
	tag_close(&m);
	tag_open(&m, 10);                /* APM table: version, cseg, offset, ... */
	add16(&m, 0x0102);
	add16(&m, 0xf000);
	add32(&m, 0xa5f0);
	add16(&m, 0xf000);
	add16(&m, 0xf000);
	add16(&m, 0x3);
	add16(&m, 0xffff);
	add16(&m, 0xffff);
	add16(&m, 0xffff);
	tag_close(&m);
	add_mmap(&m, E820_N, 24);        /* memory map */
	tag_open(&m, 9);                 /* ELF sections: num, entsize, shndx, headers */
	add32(&m, 2);
	add32(&m, 64);
	add32(&m, 1);
	for (int i = 0; i < 128; i++)
		add8(&m, (uint8_t)i);
	tag_close(&m);
	tag_open(&m, 4);                 /* basic meminfo: mem_lower, mem_upper */
	add32(&m, 639);
	add32(&m, 0x7ee0000 / 1024);
	tag_close(&m);
	tag_open(&m, 5);                 /* BIOS boot device: biosdev, partition, sub */
	add32(&m, 0xe0);
	add32(&m, 0xffffffff);
	add32(&m, 0xffffffff);
	tag_close(&m);
	tag_open(&m, 8);                 /* framebuffer: EGA text mode */
	add64(&m, 0xb8000);              /* framebuffer_addr */
	add32(&m, 160);                  /* pitch */
	add32(&m, 80);                   /* width */
	add32(&m, 25);                   /* height */
	add8(&m, 16);                    /* bpp */
	add8(&m, 2);                     /* type: EGA text */
	add16(&m, 0);                    /* reserved */
	tag_close(&m);
	tag_open(&m, 14);                /* ACPI old RSDP, a copy */
	grub_acpi_at = m.off;
	memcpy(m.b + m.off, rsdp_v1, sizeof rsdp_v1);
	m.off += sizeof rsdp_v1;
	tag_close(&m);
	return mb2_end(&m);
}

static _Alignas(8) uint8_t blob[16384];

static void test_mb2_grub(void)
{
	size_t len = grub_blob(blob, grub_cmdline);

	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
	CHECK_EQ_STR(bi.loader_kind, "multiboot2");
	CHECK_EQ_STR(bi.loader_name, grub_name);
	CHECK_EQ_STR(bi.cmdline, grub_cmdline);
	CHECK_EQ_INT(bi.mmap_count, E820_N);
	for (size_t i = 0; i < E820_N && i < bi.mmap_count; i++) {
		CHECK_EQ_INT(bi.mmap[i].base, e820[i].base);
		CHECK_EQ_INT(bi.mmap[i].len, e820[i].len);
		CHECK_EQ_INT(bi.mmap[i].type, e820[i].type);
	}
	CHECK_EQ_INT(bi.fb.addr, 0xb8000);
	CHECK_EQ_INT(bi.fb.pitch, 160);
	CHECK_EQ_INT(bi.fb.width, 80);
	CHECK_EQ_INT(bi.fb.height, 25);
	CHECK_EQ_INT(bi.fb.bpp, 16);
	CHECK_EQ_INT(bi.fb.is_text, 1);
	CHECK_EQ_INT(bi.rsdp_len, 20);
	CHECK_EQ_MEM(bi.rsdp, rsdp_v1, 20);
	CHECK(bi.rsdp_phys == (uintptr_t)(blob + grub_acpi_at));
	CHECK(bi.info_phys == (uintptr_t)blob);
	CHECK_EQ_INT(bi.info_len, len);
	/* max_len exactly total_size is fine. */
	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, len, &bi), 0);
}

/* GRUB with a linear framebuffer (gfxpayload=1024x768x32) and both RSDPs. */
static void test_mb2_rgb_and_acpi_new(void)
{
	struct mb2 m;
	uint8_t rsdp_v2[36];

	for (int i = 0; i < 36; i++)
		rsdp_v2[i] = (uint8_t)(0x80 + i);
	for (int order = 0; order < 2; order++) {
		mb2_begin(&m, blob);
		tag_open(&m, 8);
		add64(&m, 0xfd000000);   /* framebuffer_addr */
		add32(&m, 4096);         /* pitch */
		add32(&m, 1024);         /* width */
		add32(&m, 768);          /* height */
		add8(&m, 32);            /* bpp */
		add8(&m, 1);             /* type: direct RGB */
		add16(&m, 0);            /* reserved */
		add8(&m, 16);            /* red field position */
		add8(&m, 8);             /* red mask size */
		add8(&m, 8);             /* green */
		add8(&m, 8);
		add8(&m, 0);             /* blue */
		add8(&m, 8);
		tag_close(&m);
		for (int k = 0; k < 2; k++) {
			if ((k == 0) == (order == 0)) {
				tag_open(&m, 14); /* old RSDP */
				memcpy(m.b + m.off, rsdp_v1, 20);
				m.off += 20;
			} else {
				tag_open(&m, 15); /* new RSDP (ACPI 2.0+) */
				memcpy(m.b + m.off, rsdp_v2, 36);
				m.off += 36;
			}
			tag_close(&m);
		}
		mb2_end(&m);
		CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
		CHECK_EQ_INT(bi.fb.addr, 0xfd000000);
		CHECK_EQ_INT(bi.fb.bpp, 32);
		CHECK_EQ_INT(bi.fb.red_pos, 16);
		CHECK_EQ_INT(bi.fb.red_size, 8);
		CHECK_EQ_INT(bi.fb.green_pos, 8);
		CHECK_EQ_INT(bi.fb.blue_pos, 0);
		CHECK_EQ_INT(bi.fb.blue_size, 8);
		CHECK_EQ_INT(bi.fb.is_text, 0);
		CHECK_EQ_INT(bi.rsdp_len, 36); /* the new one wins, in either order */
		CHECK_EQ_MEM(bi.rsdp, rsdp_v2, 36);
		CHECK_EQ_STR(bi.cmdline, "");
		CHECK_EQ_INT(bi.mmap_count, 0);
	}
}

static void test_mb2_total_size(void)
{
	size_t len = grub_blob(blob, grub_cmdline);

	CHECK(bootinfo_parse_multiboot2(blob, len - 1, &bi) < 0); /* total_size > max_len */
	CHECK(bootinfo_parse_multiboot2(blob, 7, &bi) < 0);
	put32(blob, 0, 4);                                        /* total_size < 8 */
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	put32(blob, 0, 0xfffffff8);
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	put32(blob, 0, 8);                                        /* no room even for the end tag */
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	CHECK(bootinfo_parse_multiboot2(NULL, 64, &bi) < 0);
}

/* Finds the first tag of a type in a well-formed blob. */
static size_t tag_find(const uint8_t *b, uint32_t type)
{
	size_t off = 8;

	for (;;) {
		uint32_t t = b[off] | b[off + 1] << 8 | b[off + 2] << 16 | (uint32_t)b[off + 3] << 24;
		uint32_t sz = b[off + 4] | b[off + 5] << 8 | b[off + 6] << 16 | (uint32_t)b[off + 7] << 24;
		if (t == type || t == 0)
			return off;
		off += (sz + 7) & ~7u;
	}
}

static void test_mb2_tag_past_end(void)
{
	size_t len = grub_blob(blob, grub_cmdline);
	size_t at = tag_find(blob, 9);

	put32(blob, at + 4, (uint32_t)(len - at + 1)); /* one byte past total_size */
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	CHECK_EQ_STR(bi.cmdline, grub_cmdline);        /* what came before is kept */
	put32(blob, at + 4, 0xfffffff0);               /* would wrap a 32-bit offset */
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	/* The end tag itself claiming more than is left. */
	len = grub_blob(blob, grub_cmdline);
	put32(blob, len - 4, 16);
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
}

static void test_mb2_tag_too_small(void)
{
	grub_blob(blob, grub_cmdline);
	size_t at = tag_find(blob, 2);

	for (uint32_t sz = 0; sz < 8; sz++) {
		put32(blob, at + 4, sz); /* size < 8: 0 would loop forever */
		CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	}
}

static void test_mb2_no_end_tag(void)
{
	size_t len = grub_blob(blob, grub_cmdline);

	put32(blob, 0, (uint32_t)(len - 8)); /* total_size stops before the end tag */
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	CHECK_EQ_INT(bi.mmap_count, E820_N);
}

static void test_mb2_mmap_bad_entry_size(void)
{
	static const uint32_t bad[] = { 0, 1, 20, 23 };

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		grub_blob(blob, grub_cmdline);
		put32(blob, tag_find(blob, 6) + 8, bad[i]); /* entry_size */
		CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
		CHECK_EQ_INT(bi.mmap_count, 0);
		CHECK_EQ_INT(bi.fb.addr, 0xb8000); /* later tags are still read */
	}
	/* A map tag too short for entry_size and entry_version. */
	struct mb2 m;
	mb2_begin(&m, blob);
	tag_open(&m, 6);
	add32(&m, 24);
	tag_close(&m);
	mb2_end(&m);
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
}

/* A later entry_version with 32-byte entries: stride by entry_size. */
static void test_mb2_mmap_larger_entries(void)
{
	struct mb2 m;

	mb2_begin(&m, blob);
	add_mmap(&m, E820_N, 32);
	put32(blob, m.tag + 12, 1); /* entry_version 1 */
	mb2_end(&m);
	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, E820_N);
	CHECK_EQ_INT(bi.mmap[3].base, 0x100000);
	CHECK_EQ_INT(bi.mmap[5].len, 0x40000);
}

static void test_mb2_too_many_entries(void)
{
	struct mb2 m;

	mb2_begin(&m, blob);
	add_mmap(&m, BOOT_MMAP_MAX + 50, 24);
	tag_open(&m, 1);
	add_str(&m, "after");
	tag_close(&m);
	mb2_end(&m);
	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, BOOT_MMAP_MAX);
	CHECK_EQ_STR(bi.cmdline, "after");
}

/* A cmdline tag without its NUL: the string ends with the tag. */
static void test_mb2_unterminated_cmdline(void)
{
	struct mb2 m;

	mb2_begin(&m, blob);
	tag_open(&m, 1);
	memcpy(m.b + m.off, "quiet", 5); /* no terminator */
	m.off += 5;
	tag_close(&m);
	tag_open(&m, 2);
	memset(m.b + m.off, 'G', 200);   /* longer than loader_name */
	m.off += 200;
	tag_close(&m);
	mb2_end(&m);
	blob[8 + 8 + 5] = 'X';           /* make the padding non-zero */
	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
	CHECK_EQ_STR(bi.cmdline, "quiet");
	CHECK_EQ_INT(strlen(bi.loader_name), BOOT_LOADER_MAX - 1);

	char big[1000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	grub_blob(blob, big);
	CHECK_EQ_INT(bootinfo_parse_multiboot2(blob, sizeof blob, &bi), 0);
	CHECK_EQ_INT(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
}

static void test_mb2_short_tags(void)
{
	struct mb2 m;

	mb2_begin(&m, blob);
	tag_open(&m, 8);                 /* framebuffer with only an address */
	add64(&m, 0xfd000000);
	tag_close(&m);
	tag_open(&m, 15);                /* "new" RSDP of 20 bytes */
	memcpy(m.b + m.off, rsdp_v1, 20);
	m.off += 20;
	tag_close(&m);
	mb2_end(&m);
	CHECK(bootinfo_parse_multiboot2(blob, sizeof blob, &bi) < 0);
	CHECK_EQ_INT(bi.fb.addr, 0);
	CHECK_EQ_INT(bi.rsdp_len, 0);
}

/* Random corruption of a real blob, placed at the very end of a heap block
 * so that ASan catches any read past max_len. Any result is acceptable;
 * reading outside, crashing or hanging is not. */
static void test_mb2_mutations(void)
{
	static _Alignas(8) uint8_t good[4096];
	size_t len = grub_blob(good, grub_cmdline);
	uint64_t x = 0x2545f4914f6cdd1dull;
	int ok = 0;

	for (int round = 0; round < 20000; round++) {
		uint8_t *b = malloc(len);
		memcpy(b, good, len);
		int flips = 1 + (int)(x % 4);
		for (int f = 0; f < flips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			size_t at = (size_t)(x % len);
			/* Bias towards the size fields, where the danger is. */
			if (x & 0x100)
				at &= ~(size_t)7, at += 4;
			b[at % len] = (uint8_t)(x >> 24);
		}
		if (bootinfo_parse_multiboot2(b, len, &bi) == 0)
			ok++;
		CHECK(bi.mmap_count <= BOOT_MMAP_MAX);
		CHECK(strlen(bi.cmdline) < BOOT_CMDLINE_MAX);
		free(b);
	}
	CHECK(ok > 0); /* some mutations only touch data */
}

/* ---- the command line ---------------------------------------------------- */

static void test_cmdline_get(void)
{
	const char *cl = "console=ttyS0 autorun=\"uptime; mem; poweroff\" quiet";
	char buf[64];

	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "autorun", buf, sizeof buf), 21);
	CHECK_EQ_STR(buf, "uptime; mem; poweroff");
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "console", buf, sizeof buf), 5);
	CHECK_EQ_STR(buf, "ttyS0");
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "quiet", buf, sizeof buf), 0); /* bare flag */
	CHECK_EQ_STR(buf, "");
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "run", buf, sizeof buf), -1);  /* not "autorun" */
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "auto", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "uptime;", buf, sizeof buf), -1); /* inside quotes */
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "mem", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "quie", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get(cl, "quiet2", buf, sizeof buf), -1);
}

static void test_cmdline_words(void)
{
	char buf[64];

	CHECK_EQ_INT(bootinfo_cmdline_get("autorun=2 run=1", "run", buf, sizeof buf), 1);
	CHECK_EQ_STR(buf, "1");
	CHECK_EQ_INT(bootinfo_cmdline_get("run=1 autorun=2", "autorun", buf, sizeof buf), 1);
	CHECK_EQ_STR(buf, "2");
	CHECK_EQ_INT(bootinfo_cmdline_get("x=\"run=5 y\" run=7", "run", buf, sizeof buf), 1);
	CHECK_EQ_STR(buf, "7");
	CHECK_EQ_INT(bootinfo_cmdline_get("x=\"a run=5\"", "run", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get("a=1 a=2", "a", buf, sizeof buf), 1); /* last wins */
	CHECK_EQ_STR(buf, "2");
	CHECK_EQ_INT(bootinfo_cmdline_get("  \tip=10.0.2.15\t\tgw=10.0.2.2  ", "ip", buf, sizeof buf), 9);
	CHECK_EQ_STR(buf, "10.0.2.15");
	CHECK_EQ_INT(bootinfo_cmdline_get("k= other", "k", buf, sizeof buf), 0);
	CHECK_EQ_STR(buf, "");
	CHECK_EQ_INT(bootinfo_cmdline_get("k=\"\"", "k", buf, sizeof buf), 0);
	CHECK_EQ_INT(bootinfo_cmdline_get("k=\"open quote; never closed", "k", buf, sizeof buf), 24);
	CHECK_EQ_STR(buf, "open quote; never closed");
	CHECK_EQ_INT(bootinfo_cmdline_get("k=a\"b c\"d", "k", buf, sizeof buf), 5); /* shell-like */
	CHECK_EQ_STR(buf, "ab cd");
	CHECK_EQ_INT(bootinfo_cmdline_get("k=a=b", "k", buf, sizeof buf), 3);
	CHECK_EQ_STR(buf, "a=b");
	CHECK_EQ_INT(bootinfo_cmdline_get("\"k=1\"", "k", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get("k\"x\"=1", "k", buf, sizeof buf), -1);
}

static void test_cmdline_limits(void)
{
	char buf[6];

	CHECK_EQ_INT(bootinfo_cmdline_get("k=hello", "k", buf, 6), 5); /* exactly fits */
	CHECK_EQ_STR(buf, "hello");
	CHECK_EQ_INT(bootinfo_cmdline_get("k=hello!", "k", buf, 6), -1); /* one too many */
	CHECK_EQ_STR(buf, "");
	CHECK_EQ_INT(bootinfo_cmdline_get("k=hello", "k", buf, 0), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get("", "k", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get(NULL, "k", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get("k=1", "", buf, sizeof buf), -1);
	CHECK_EQ_INT(bootinfo_cmdline_get("k=1", NULL, buf, sizeof buf), -1);
}

int main(void)
{
	low = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED) {
		perror("mmap MAP_32BIT");
		return 1;
	}
	check_suite = "kernel.bootinfo";
	RUN(test_mb1_qemu);
	RUN(test_mb1_types);
	RUN(test_mb1_framebuffer);
	RUN(test_mb1_mem_only);
	RUN(test_mb1_mmap_malformed);
	RUN(test_mb1_mmap_larger_entries);
	RUN(test_mb1_too_many_entries);
	RUN(test_mb1_long_strings);
	RUN(test_mb2_grub);
	RUN(test_mb2_rgb_and_acpi_new);
	RUN(test_mb2_total_size);
	RUN(test_mb2_tag_past_end);
	RUN(test_mb2_tag_too_small);
	RUN(test_mb2_no_end_tag);
	RUN(test_mb2_mmap_bad_entry_size);
	RUN(test_mb2_mmap_larger_entries);
	RUN(test_mb2_too_many_entries);
	RUN(test_mb2_unterminated_cmdline);
	RUN(test_mb2_short_tags);
	RUN(test_mb2_mutations);
	RUN(test_cmdline_get);
	RUN(test_cmdline_words);
	RUN(test_cmdline_limits);
	munmap(low, LOW_SIZE);
	return check_report();
}
