/* Host tests for the UEFI loader's plain-C parts (boot/efi/elfimage.c,
 * efimap.c, cmdline.c) and for the kernel's side of the hand-over
 * (bootinfo_accept_uefi). Inputs are built byte by byte, with a comment
 * for every field, and each validator meets a corrupted input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/efi/cmdline.h"
#include "boot/efi/efimap.h"
#include "boot/efi/elfimage.h"
#include "boot/efi/handoff.h"
#include "kernel/bootinfo.h"
#include "tests/unit/check.h"

/* --- a small ELF64 image ------------------------------------------------- */

enum {
	T_PHOFF = 64,	    /* program headers right after the file header */
	T_SEG_OFF = 0x1000, /* the segment's bytes in the file */
	T_SEG_FILESZ = 0x200,
	T_SEG_MEMSZ = 0x3000, /* 0x2e00 bytes of bss */
	T_PADDR = 0x100000,
	T_HDR_AT = 0x40, /* the Pigeon EFI header, inside the segment */
	T_ENTRY = T_PADDR + 0x100,
	T_FILE_LEN = T_SEG_OFF + T_SEG_FILESZ,
};

static void w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static void w32(uint8_t *p, uint32_t v)
{
	w16(p, (uint16_t)v);
	w16(p + 2, (uint16_t)(v >> 16));
}
static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t elf[T_FILE_LEN + 64];

/* Program header i (56 bytes each). */
static uint8_t *phdr(unsigned i)
{
	return elf + T_PHOFF + 56 * i;
}

static void phdr_set(unsigned i, uint32_t type, uint64_t off, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
	uint8_t *ph = phdr(i);
	w32(ph + 0, type);    /* p_type */
	w32(ph + 4, 7);	      /* p_flags: RWX */
	w64(ph + 8, off);     /* p_offset */
	w64(ph + 16, paddr);  /* p_vaddr */
	w64(ph + 24, paddr);  /* p_paddr */
	w64(ph + 32, filesz); /* p_filesz */
	w64(ph + 40, memsz);  /* p_memsz */
	w64(ph + 48, 0x1000); /* p_align */
}

static void elf_build(void)
{
	uint8_t *h;

	memset(elf, 0, sizeof elf);
	memcpy(elf,
	       "\x7f"
	       "ELF",
	       4);
	elf[4] = 2;		/* EI_CLASS: ELFCLASS64 */
	elf[5] = 1;		/* EI_DATA: little-endian */
	elf[6] = 1;		/* EI_VERSION */
	w16(elf + 16, 2);	/* e_type: ET_EXEC */
	w16(elf + 18, 62);	/* e_machine: EM_X86_64 */
	w32(elf + 20, 1);	/* e_version */
	w64(elf + 24, T_PADDR); /* e_entry: the 32-bit multiboot entry, unused here */
	w64(elf + 32, T_PHOFF); /* e_phoff */
	w16(elf + 52, 64);	/* e_ehsize */
	w16(elf + 54, 56);	/* e_phentsize */
	w16(elf + 56, 2);	/* e_phnum: PT_LOAD and a PT_NOTE-like extra */
	phdr_set(0, 1, T_SEG_OFF, T_PADDR, T_SEG_FILESZ, T_SEG_MEMSZ);
	phdr_set(1, 4, 0, 0, 0, 0); /* PT_NOTE: ignored */
	h = elf + T_SEG_OFF + T_HDR_AT;
	w32(h + 0, PIGEON_EFI_HDR_MAGIC);
	w32(h + 4, PIGEON_EFI_HDR_VERSION);
	w32(h + 8, (uint32_t) - (PIGEON_EFI_HDR_MAGIC + PIGEON_EFI_HDR_VERSION));
	w32(h + 12, 0);
	w64(h + 16, T_ENTRY);
}

static void test_elf_good(void)
{
	struct elf_image img;
	elf_build();
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_OK);
	CHECK_EQ_INT(img.nseg, 1);
	CHECK_EQ_INT(img.seg[0].paddr, T_PADDR);
	CHECK_EQ_INT(img.seg[0].offset, T_SEG_OFF);
	CHECK_EQ_INT(img.seg[0].filesz, T_SEG_FILESZ);
	CHECK_EQ_INT(img.seg[0].memsz, T_SEG_MEMSZ);
	CHECK_EQ_INT(img.entry64, T_ENTRY);
}

static void test_elf_bad_header(void)
{
	struct elf_image img;
	elf_build();
	CHECK_EQ_INT(elf_image_parse(elf, 63, &img), ELF_ESHORT);
	CHECK_EQ_INT(elf_image_parse(NULL, 0, &img), ELF_ESHORT);
	elf[1] = 'e';
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EMAGIC);
	elf_build();
	elf[4] = 1; /* ELFCLASS32 */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ECLASS);
	elf_build();
	elf[5] = 2; /* big-endian */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ECLASS);
	elf_build();
	w16(elf + 18, 3); /* EM_386 */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EMACHINE);
	elf_build();
	w16(elf + 16, 3); /* ET_DYN */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ETYPE);
	elf_build();
	w16(elf + 54, 32);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EPHENT);
}

static void test_elf_lying_lengths(void)
{
	struct elf_image img;

	elf_build();
	w64(elf + 32, T_FILE_LEN - 56); /* e_phoff: the table would run 56 bytes past the end */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EPHDRS);
	elf_build();
	w64(elf + 32, UINT64_MAX - 8); /* e_phoff + size wraps */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EPHDRS);
	elf_build();
	w16(elf + 56, 0xffff); /* e_phnum: far more headers than bytes */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EPHDRS);
	elf_build();
	w64(phdr(0) + 32, T_SEG_FILESZ + 1); /* p_filesz one past the end of the file */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ESEGFILE);
	elf_build();
	w64(phdr(0) + 8, UINT64_MAX); /* p_offset wraps */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ESEGFILE);
	elf_build();
	w64(phdr(0) + 40, T_SEG_FILESZ - 1); /* p_memsz < p_filesz */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ESEGSIZE);
	elf_build();
	w64(phdr(0) + 24, 0xfffff000ull); /* ends above 4 GiB */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ESEGADDR);
	elf_build();
	w64(phdr(0) + 24, UINT64_MAX - 0x10); /* wraps */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ESEGADDR);
}

static void test_elf_segments(void)
{
	struct elf_image img;

	elf_build();
	phdr_set(0, 4, 0, 0, 0, 0);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ENOLOAD);
	elf_build();
	/* A second PT_LOAD in the bss's last page: both would allocate it. */
	phdr_set(1, 1, T_SEG_OFF, T_PADDR + T_SEG_MEMSZ - 1, 0, 16);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EOVERLAP);
	elf_build();
	/* ... and the page after it is fine. */
	phdr_set(1, 1, T_SEG_OFF, T_PADDR + T_SEG_MEMSZ, 0, 16);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_OK);
	CHECK_EQ_INT(img.nseg, 2);
}

static void test_elf_entry_header(void)
{
	struct elf_image img;
	uint8_t *h = elf + T_SEG_OFF + T_HDR_AT;

	elf_build();
	w32(h + 8, 0); /* checksum broken */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ENOHDR);
	elf_build();
	w32(h + 4, 2); /* a version we do not know */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ENOHDR);
	elf_build();
	w64(h + 16, T_PADDR + T_SEG_FILESZ); /* in the bss: nothing loaded there */
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EENTRY);
	elf_build();
	w64(h + 16, T_PADDR - 1);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_EENTRY);
	elf_build();
	/* Misaligned headers are not looked at. */
	memmove(h + 4, h, PIGEON_EFI_HDR_LEN);
	memset(h, 0, 4);
	CHECK_EQ_INT(elf_image_parse(elf, T_FILE_LEN, &img), ELF_ENOHDR);
}

static void test_elf_header_beyond_scan(void)
{
	struct elf_image img;
	size_t len = PIGEON_EFI_HDR_SCAN + 0x1000;
	uint8_t *big = calloc(1, len);

	elf_build();
	memcpy(big, elf, T_PHOFF + 2 * 56);
	/* The segment covers the whole file; the header sits just past the
	 * scanned window, so it is not found. */
	w64(big + T_PHOFF + 8, 0);
	w64(big + T_PHOFF + 32, len);
	w64(big + T_PHOFF + 40, len);
	memcpy(big + PIGEON_EFI_HDR_SCAN, elf + T_SEG_OFF + T_HDR_AT, PIGEON_EFI_HDR_LEN);
	CHECK_EQ_INT(elf_image_parse(big, len, &img), ELF_ENOHDR);
	/* The last place it may start. */
	memcpy(big + PIGEON_EFI_HDR_SCAN - PIGEON_EFI_HDR_LEN, elf + T_SEG_OFF + T_HDR_AT, PIGEON_EFI_HDR_LEN);
	CHECK_EQ_INT(elf_image_parse(big, len, &img), ELF_OK);
	free(big);
}

static void test_elf_strerror(void)
{
	for (int e = ELF_OK; e >= ELF_EENTRY; e--)
		CHECK(strcmp(elf_strerror(e), "unknown error") != 0);
	CHECK_EQ_STR(elf_strerror(-99), "unknown error");
}

/* --- the memory map ------------------------------------------------------- */

enum { T_DESC = 48 }; /* OVMF's descriptor size: 40 defined + 8 padding */

static uint8_t map[T_DESC * 200];

static void desc_set(unsigned i, uint32_t type, uint64_t base, uint64_t pages)
{
	uint8_t *d = map + T_DESC * i;
	memset(d, 0xee, T_DESC); /* padding and unused fields: noise */
	w32(d + 0, type);	 /* Type */
	w32(d + 4, 0);		 /* padding */
	w64(d + 8, base);	 /* PhysicalStart */
	w64(d + 16, 0);		 /* VirtualStart */
	w64(d + 24, pages);	 /* NumberOfPages */
	w64(d + 32, 0xf);	 /* Attribute: UC WC WT WB */
}

static void test_map_types(void)
{
	CHECK_EQ_INT(efimap_type(EFIMAP_CONVENTIONAL), BOOT_MEM_USABLE);
	CHECK_EQ_INT(efimap_type(EFIMAP_LOADER_CODE), BOOT_MEM_USABLE);
	CHECK_EQ_INT(efimap_type(EFIMAP_LOADER_DATA), BOOT_MEM_USABLE);
	CHECK_EQ_INT(efimap_type(EFIMAP_BOOT_SERVICES_CODE), BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ_INT(efimap_type(EFIMAP_BOOT_SERVICES_DATA), BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ_INT(efimap_type(EFIMAP_RUNTIME_SERVICES_CODE), BOOT_MEM_RESERVED);
	CHECK_EQ_INT(efimap_type(EFIMAP_RUNTIME_SERVICES_DATA), BOOT_MEM_RESERVED);
	CHECK_EQ_INT(efimap_type(EFIMAP_ACPI_RECLAIM), BOOT_MEM_ACPI_RECLAIMABLE);
	CHECK_EQ_INT(efimap_type(EFIMAP_ACPI_NVS), BOOT_MEM_ACPI_NVS);
	CHECK_EQ_INT(efimap_type(EFIMAP_UNUSABLE), BOOT_MEM_BAD);
	CHECK_EQ_INT(efimap_type(EFIMAP_MMIO), BOOT_MEM_RESERVED);
	CHECK_EQ_INT(efimap_type(EFIMAP_PERSISTENT), BOOT_MEM_RESERVED);
	CHECK_EQ_INT(efimap_type(0x80000000u), BOOT_MEM_RESERVED); /* OEM types */
}

static void test_map_convert_merge(void)
{
	static struct boot_info bi;

	/* A slice of an OVMF map: low memory, then loader and boot-services
	 * pieces that all end up usable, ACPI, and an MMIO range. */
	desc_set(0, EFIMAP_BOOT_SERVICES_CODE, 0x0, 1);
	desc_set(1, EFIMAP_CONVENTIONAL, 0x1000, 0x9f);
	desc_set(2, EFIMAP_CONVENTIONAL, 0x100000, 0x100);
	desc_set(3, EFIMAP_LOADER_CODE, 0x200000, 0x10); /* merges with 2 */
	desc_set(4, EFIMAP_BOOT_SERVICES_DATA, 0x210000, 0x20);
	desc_set(5, EFIMAP_BOOT_SERVICES_CODE, 0x230000, 0x10); /* merges with 4 */
	desc_set(6, EFIMAP_ACPI_RECLAIM, 0x240000, 0x4);
	desc_set(7, EFIMAP_ACPI_NVS, 0x244000, 0x4);
	desc_set(8, EFIMAP_CONVENTIONAL, 0x300000, 0); /* empty: dropped */
	desc_set(9, EFIMAP_MMIO, 0xffc00000, 0x400);
	CHECK_EQ_INT(efimap_convert(map, T_DESC * 10, T_DESC, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 7);
	CHECK_EQ_INT(bi.mmap[0].type, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ_INT(bi.mmap[1].base, 0x1000);
	CHECK_EQ_INT(bi.mmap[1].len, 0x9f000);
	CHECK_EQ_INT(bi.mmap[2].base, 0x100000);
	CHECK_EQ_INT(bi.mmap[2].len, 0x110000);
	CHECK_EQ_INT(bi.mmap[2].type, BOOT_MEM_USABLE);
	CHECK_EQ_INT(bi.mmap[3].base, 0x210000);
	CHECK_EQ_INT(bi.mmap[3].len, 0x30000);
	CHECK_EQ_INT(bi.mmap[3].type, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ_INT(bi.mmap[4].type, BOOT_MEM_ACPI_RECLAIMABLE);
	CHECK_EQ_INT(bi.mmap[5].type, BOOT_MEM_ACPI_NVS);
	CHECK_EQ_INT(bi.mmap[6].base, 0xffc00000);
	CHECK_EQ_INT(bi.mmap[6].len, 0x400000);
	CHECK_EQ_INT(bi.mmap[6].type, BOOT_MEM_RESERVED);
}

static void test_map_bad_input(void)
{
	static struct boot_info bi;

	desc_set(0, EFIMAP_CONVENTIONAL, 0x100000, 16);
	desc_set(1, EFIMAP_CONVENTIONAL, 0xfffffffffffff000ull, 16); /* wraps: ignored */
	desc_set(2, EFIMAP_CONVENTIONAL, 0x0, UINT64_MAX / 2);	     /* pages * 4096 overflows */
	bi.mmap_count = 99;
	CHECK_EQ_INT(efimap_convert(map, T_DESC * 3, 39, &bi), -1);
	CHECK_EQ_INT(bi.mmap_count, 0);
	/* A trailing partial descriptor is not read. */
	CHECK_EQ_INT(efimap_convert(map, T_DESC * 3 + 20, T_DESC, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 1);
	CHECK_EQ_INT(efimap_convert(map, 0, T_DESC, &bi), 0);
	CHECK_EQ_INT(bi.mmap_count, 0);
}

static void test_map_overflow(void)
{
	static struct boot_info bi;
	unsigned n = 0;

	/* 100 usable ranges with 100 reserved holes between them: 200 entries
	 * do not fit, the 100 usable ones do. */
	for (unsigned i = 0; i < 100; i++) {
		desc_set(n++, EFIMAP_CONVENTIONAL, 0x100000 + i * 0x20000ull, 0x10);
		desc_set(n++, EFIMAP_RESERVED, 0x110000 + i * 0x20000ull, 0x10);
	}
	CHECK_EQ_INT(efimap_convert(map, T_DESC * n, T_DESC, &bi), 200 - BOOT_MMAP_MAX);
	CHECK_EQ_INT(bi.mmap_count, 100);
	for (size_t i = 0; i < bi.mmap_count; i++)
		CHECK_EQ_INT(bi.mmap[i].type, BOOT_MEM_USABLE);
	/* 200 usable ranges: the first BOOT_MMAP_MAX are kept. */
	for (unsigned i = 0; i < 200; i++)
		desc_set(i, i % 2 ? EFIMAP_ACPI_NVS : EFIMAP_CONVENTIONAL, 0x100000 + i * 0x10000ull, 0x10);
	CHECK_EQ_INT(efimap_convert(map, T_DESC * 200, T_DESC, &bi), 200 - BOOT_MMAP_MAX);
	CHECK_EQ_INT(bi.mmap_count, BOOT_MMAP_MAX);
	CHECK_EQ_INT(bi.mmap[BOOT_MMAP_MAX - 1].base, 0x100000 + (BOOT_MMAP_MAX - 1) * 0x10000ull);
}

/* --- the command line ------------------------------------------------------ */

static void test_cmdline_file(void)
{
	char out[32];
	const char *f = "  autorun=\"uptime; poweroff\"\r\n";
	CHECK_EQ_INT(cmdline_from_file((const uint8_t *)f, strlen(f), out, sizeof out), 26);
	CHECK_EQ_STR(out, "autorun=\"uptime; poweroff\"");
	f = "a\tb\nc\x01\xff";
	CHECK_EQ_INT(cmdline_from_file((const uint8_t *)f, strlen(f), out, sizeof out), 7);
	CHECK_EQ_STR(out, "a b c??");
	CHECK_EQ_INT(cmdline_from_file((const uint8_t *)"", 0, out, sizeof out), 0);
	CHECK_EQ_STR(out, "");
}

static void test_cmdline_file_too_long(void)
{
	char out[8];
	/* Seven characters fit with the NUL; trailing blanks do not count. */
	CHECK_EQ_INT(cmdline_from_file((const uint8_t *)"1234567\n\n  ", 11, out, sizeof out), 7);
	CHECK_EQ_STR(out, "1234567");
	CHECK_EQ_INT(cmdline_from_file((const uint8_t *)"12345678", 8, out, sizeof out), CMDLINE_ETOOLONG);
	CHECK_EQ_STR(out, "");
}

/* ASCII text as UCS-2 little-endian bytes, with a NUL if asked. */
static size_t ucs2(uint8_t *dst, const char *s, int nul)
{
	size_t n = 0;
	for (; *s; s++, n += 2)
		w16(dst + n, (uint8_t)*s);
	if (nul) {
		w16(dst + n, 0);
		n += 2;
	}
	return n;
}

static void test_cmdline_ucs2(void)
{
	uint8_t b[200];
	char out[64];
	size_t n;

	n = ucs2(b, "autorun=\"ps; poweroff\"", 1);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n, out, sizeof out), 22);
	CHECK_EQ_STR(out, "autorun=\"ps; poweroff\"");
	/* The UEFI shell's own first word, the image path, is dropped. */
	n = ucs2(b, "fs0:\\EFI\\BOOT\\BOOTX64.EFI  console=x", 0);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n, out, sizeof out), 9);
	CHECK_EQ_STR(out, "console=x");
	n = ucs2(b, "BOOTX64.efi", 1);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n, out, sizeof out), 0);
	/* A word that merely contains .efi stays. */
	n = ucs2(b, "x.efix y", 1);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n, out, sizeof out), 8);
	/* An odd trailing byte is not half a character. */
	n = ucs2(b, "ab", 0);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n + 1, out, sizeof out), 2);
	CHECK_EQ_STR(out, "ab");
}

static void test_cmdline_ucs2_binary(void)
{
	/* What an auto-created boot entry carries: a GUID, not text. */
	static const uint8_t guid[16] = {0x9b, 0x3a, 0x0e, 0x1b, 0xa2, 0x47, 0x4c, 0x1f,
					 0x8a, 0x0e, 0x13, 0x62, 0x55, 0x01, 0x9f, 0x3c};
	char out[64];
	uint8_t b[300];
	size_t n;

	CHECK_EQ_INT(cmdline_from_ucs2(guid, sizeof guid, out, sizeof out), CMDLINE_ENOTTEXT);
	CHECK_EQ_STR(out, "");
	n = ucs2(b, "this line is longer than sixty-four characters, which does not fit", 1);
	CHECK_EQ_INT(cmdline_from_ucs2(b, n, out, sizeof out), CMDLINE_ETOOLONG);
	CHECK_EQ_STR(out, "");
	CHECK_EQ_INT(cmdline_from_ucs2(b, 0, out, sizeof out), 0);
}

/* --- the kernel takes the struct over --------------------------------------- */

static void test_accept_uefi(void)
{
	static struct boot_info in, out;

	memset(&in, 0x5a, sizeof in);
	in.loader_kind = (const char *)0x1234; /* the loader's own pointer */
	in.mmap_count = 2;
	in.rsdp_len = 36;
	strcpy(in.cmdline, "autorun=uptime");
	CHECK_EQ_INT(bootinfo_accept_uefi(&in, sizeof in, &out), 0);
	CHECK_EQ_STR(out.loader_kind, "uefi");
	CHECK_EQ_STR(out.cmdline, "autorun=uptime");
	CHECK_EQ_INT(out.mmap_count, 2);
	CHECK_EQ_INT(out.rsdp_len, 36);
	CHECK_EQ_INT(out.loader_name[BOOT_LOADER_MAX - 1], 0); /* 0x5a noise re-terminated */
	CHECK(out.info_phys == (uintptr_t)&in);
	CHECK_EQ_INT(out.info_len, sizeof in);
}

static void test_accept_uefi_bad(void)
{
	static struct boot_info in, out;

	memset(&in, 0, sizeof in);
	CHECK(bootinfo_accept_uefi(NULL, sizeof in, &out) < 0);
	CHECK_EQ_STR(out.loader_kind, "uefi");
	CHECK(bootinfo_accept_uefi(&in, sizeof in - 8, &out) < 0);
	CHECK_EQ_INT(out.mmap_count, 0);
	in.mmap_count = BOOT_MMAP_MAX + 1;
	CHECK(bootinfo_accept_uefi(&in, sizeof in, &out) < 0);
	CHECK_EQ_INT(out.mmap_count, 0);
	in.mmap_count = 1;
	in.rsdp_len = 37;
	CHECK(bootinfo_accept_uefi(&in, sizeof in, &out) < 0);
	CHECK_EQ_INT(out.rsdp_len, 0);
	CHECK_EQ_INT(out.mmap_count, 1);
}

int main(void)
{
	check_suite = "uefi.elf";
	RUN(test_elf_good);
	RUN(test_elf_bad_header);
	RUN(test_elf_lying_lengths);
	RUN(test_elf_segments);
	RUN(test_elf_entry_header);
	RUN(test_elf_header_beyond_scan);
	RUN(test_elf_strerror);
	check_suite = "uefi.mmap";
	RUN(test_map_types);
	RUN(test_map_convert_merge);
	RUN(test_map_bad_input);
	RUN(test_map_overflow);
	check_suite = "uefi.cmdline";
	RUN(test_cmdline_file);
	RUN(test_cmdline_file_too_long);
	RUN(test_cmdline_ucs2);
	RUN(test_cmdline_ucs2_binary);
	check_suite = "uefi.bootinfo";
	RUN(test_accept_uefi);
	RUN(test_accept_uefi_bad);
	return check_report();
}
