/* Validating the kernel's ELF64 file before the UEFI loader places it:
 * plain C over a byte buffer, no firmware calls, so it is tested on the
 * host (tests/unit/efi). */
#ifndef BOOT_EFI_ELFIMAGE_H
#define BOOT_EFI_ELFIMAGE_H

#include <stddef.h>
#include <stdint.h>

enum { ELF_SEGS_MAX = 8 };

/* One PT_LOAD segment: file bytes [offset, offset + filesz) go to physical
 * address paddr, and the memory up to paddr + memsz is zeroed. */
struct elf_seg {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
};

struct elf_image {
	uint64_t entry64;              /* from the Pigeon EFI header (boot/efi/handoff.h) */
	size_t nseg;
	struct elf_seg seg[ELF_SEGS_MAX];
};

enum elf_err {
	ELF_OK = 0,
	ELF_ESHORT = -1,       /* file shorter than the ELF header */
	ELF_EMAGIC = -2,       /* not \x7fELF */
	ELF_ECLASS = -3,       /* not ELFCLASS64 little-endian, version 1 */
	ELF_EMACHINE = -4,     /* not x86-64 */
	ELF_ETYPE = -5,        /* not ET_EXEC */
	ELF_EPHENT = -6,       /* program header entries of the wrong size */
	ELF_EPHDRS = -7,       /* program header table runs past the file */
	ELF_ESEGFILE = -8,     /* a segment's file bytes run past the file */
	ELF_ESEGSIZE = -9,     /* filesz > memsz */
	ELF_ESEGADDR = -10,    /* a segment wraps or ends above 4 GiB */
	ELF_ETOOMANY = -11,    /* more than ELF_SEGS_MAX PT_LOAD segments */
	ELF_ENOLOAD = -12,     /* no PT_LOAD segment with memory */
	ELF_EOVERLAP = -13,    /* two segments share a page */
	ELF_ENOHDR = -14,      /* no valid Pigeon EFI header in the first 32 KiB */
	ELF_EENTRY = -15,      /* entry64 is not inside a segment's file bytes */
};

/* Check file (size bytes) and describe what to load in out. Every offset
 * and size from the file is checked against size (and for wrap-around)
 * before use; segments must lie below 4 GiB and not share pages; the
 * 64-bit entry comes from the Pigeon EFI header and must point into loaded
 * bytes. Returns ELF_OK or a negative enum elf_err; out is then partial. */
int elf_image_parse(const uint8_t *file, size_t size, struct elf_image *out);

/* A sentence for an enum elf_err, for the loader's error screen. */
const char *elf_strerror(int err);

#endif
