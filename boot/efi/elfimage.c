/* ELF64 validation for the UEFI loader (System V gABI, ELF-64 Object File
 * Format 1.5: the file header and program headers; only PT_LOAD matters).
 * Fields are read with explicit little-endian loads at named offsets, and
 * each length is checked before the bytes it covers are touched. */
#include "boot/efi/elfimage.h"

#include <stdbool.h>

#include "boot/efi/handoff.h"

/* ELF64 file header. */
enum {
	EH_IDENT_CLASS = 4,
	EH_IDENT_DATA = 5,
	EH_IDENT_VERSION = 6,
	EH_TYPE = 16,                  /* u16 */
	EH_MACHINE = 18,               /* u16 */
	EH_PHOFF = 32,                 /* u64 */
	EH_PHENTSIZE = 54,             /* u16 */
	EH_PHNUM = 56,                 /* u16 */
	EH_LEN = 64,
	ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	EV_CURRENT = 1,
	ET_EXEC = 2,
	EM_X86_64 = 62,
};

/* ELF64 program header. */
enum {
	PH_TYPE = 0,                   /* u32 */
	PH_OFFSET = 8,                 /* u64 */
	PH_PADDR = 24,                 /* u64 */
	PH_FILESZ = 32,                /* u64 */
	PH_MEMSZ = 40,                 /* u64 */
	PH_LEN = 56,
	PT_LOAD = 1,
};

#define LIMIT_4GIB 0x100000000ull
#define PAGE_MASK 0xfffull

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Is [off, off + len) inside a buffer of size bytes (no wrap-around)? */
static bool span_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int header_check(const uint8_t *f, size_t size)
{
	if (size < EH_LEN)
		return ELF_ESHORT;
	if (f[0] != 0x7f || f[1] != 'E' || f[2] != 'L' || f[3] != 'F')
		return ELF_EMAGIC;
	if (f[EH_IDENT_CLASS] != ELFCLASS64 || f[EH_IDENT_DATA] != ELFDATA2LSB || f[EH_IDENT_VERSION] != EV_CURRENT)
		return ELF_ECLASS;
	if (rd16(f + EH_MACHINE) != EM_X86_64)
		return ELF_EMACHINE;
	if (rd16(f + EH_TYPE) != ET_EXEC)
		return ELF_ETYPE;
	if (rd16(f + EH_PHENTSIZE) != PH_LEN)
		return ELF_EPHENT;
	if (!span_ok(rd64(f + EH_PHOFF), (uint64_t)rd16(f + EH_PHNUM) * PH_LEN, size))
		return ELF_EPHDRS;
	return ELF_OK;
}

/* Page ranges [a, b) of two segments intersect? */
static bool pages_overlap(const struct elf_seg *x, const struct elf_seg *y)
{
	uint64_t x0 = x->paddr & ~PAGE_MASK, x1 = (x->paddr + x->memsz + PAGE_MASK) & ~PAGE_MASK;
	uint64_t y0 = y->paddr & ~PAGE_MASK, y1 = (y->paddr + y->memsz + PAGE_MASK) & ~PAGE_MASK;
	return x0 < y1 && y0 < x1;
}

static int segments_read(const uint8_t *f, size_t size, struct elf_image *out)
{
	uint64_t phoff = rd64(f + EH_PHOFF);
	unsigned phnum = rd16(f + EH_PHNUM);

	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * PH_LEN;
		struct elf_seg s;

		if (rd32(ph + PH_TYPE) != PT_LOAD)
			continue;
		s.paddr = rd64(ph + PH_PADDR);
		s.offset = rd64(ph + PH_OFFSET);
		s.filesz = rd64(ph + PH_FILESZ);
		s.memsz = rd64(ph + PH_MEMSZ);
		if (s.memsz == 0)
			continue;
		if (!span_ok(s.offset, s.filesz, size))
			return ELF_ESEGFILE;
		if (s.filesz > s.memsz)
			return ELF_ESEGSIZE;
		if (!span_ok(s.paddr, s.memsz, LIMIT_4GIB))
			return ELF_ESEGADDR;
		if (out->nseg == ELF_SEGS_MAX)
			return ELF_ETOOMANY;
		for (size_t k = 0; k < out->nseg; k++)
			if (pages_overlap(&s, &out->seg[k]))
				return ELF_EOVERLAP;
		out->seg[out->nseg++] = s;
	}
	return out->nseg ? ELF_OK : ELF_ENOLOAD;
}

/* The first 8-byte aligned header in the first PIGEON_EFI_HDR_SCAN bytes
 * whose magic, version and checksum all hold. */
static int entry_find(const uint8_t *f, size_t size, uint64_t *entry)
{
	size_t scan = size < PIGEON_EFI_HDR_SCAN ? size : PIGEON_EFI_HDR_SCAN;

	for (size_t off = 0; scan >= PIGEON_EFI_HDR_LEN && off <= scan - PIGEON_EFI_HDR_LEN;
	     off += PIGEON_EFI_HDR_ALIGN) {
		const uint8_t *h = f + off;
		uint32_t magic = rd32(h + PIGEON_EFI_HDR_OFF_MAGIC);
		uint32_t version = rd32(h + PIGEON_EFI_HDR_OFF_VERSION);

		if (magic != PIGEON_EFI_HDR_MAGIC || version != PIGEON_EFI_HDR_VERSION ||
		    (uint32_t)(magic + version + rd32(h + PIGEON_EFI_HDR_OFF_CHECKSUM)) != 0)
			continue;
		*entry = rd64(h + PIGEON_EFI_HDR_OFF_ENTRY64);
		return ELF_OK;
	}
	return ELF_ENOHDR;
}

int elf_image_parse(const uint8_t *file, size_t size, struct elf_image *out)
{
	int err;

	out->nseg = 0;
	out->entry64 = 0;
	if (!file)
		return ELF_ESHORT;
	if ((err = header_check(file, size)) != ELF_OK)
		return err;
	if ((err = segments_read(file, size, out)) != ELF_OK)
		return err;
	if ((err = entry_find(file, size, &out->entry64)) != ELF_OK)
		return err;
	for (size_t k = 0; k < out->nseg; k++)
		if (out->entry64 >= out->seg[k].paddr && out->entry64 - out->seg[k].paddr < out->seg[k].filesz)
			return ELF_OK;
	return ELF_EENTRY;
}

const char *elf_strerror(int err)
{
	switch (err) {
	case ELF_OK: return "no error";
	case ELF_ESHORT: return "the file is shorter than an ELF header";
	case ELF_EMAGIC: return "not an ELF file";
	case ELF_ECLASS: return "not a little-endian ELF64 file (version 1)";
	case ELF_EMACHINE: return "not an x86-64 ELF file";
	case ELF_ETYPE: return "not an executable (ET_EXEC) ELF file";
	case ELF_EPHENT: return "program header entries are not 56 bytes";
	case ELF_EPHDRS: return "the program header table runs past the end of the file";
	case ELF_ESEGFILE: return "a PT_LOAD segment runs past the end of the file";
	case ELF_ESEGSIZE: return "a PT_LOAD segment has more file bytes than memory";
	case ELF_ESEGADDR: return "a PT_LOAD segment is not below 4 GiB";
	case ELF_ETOOMANY: return "too many PT_LOAD segments";
	case ELF_ENOLOAD: return "no PT_LOAD segment";
	case ELF_EOVERLAP: return "two PT_LOAD segments share a page";
	case ELF_ENOHDR: return "no Pigeon EFI header (64-bit entry) in the first 32 KiB";
	case ELF_EENTRY: return "the 64-bit entry is outside the loaded segments";
	default: return "unknown error";
	}
}
