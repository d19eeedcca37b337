/* Normalises the loader's boot information into struct boot_info.
 *
 * Multiboot 0.6.96 section 3.3 (the information structure qemu -kernel and
 * GRUB's "multiboot" command hand over) and Multiboot2 1.0 section 3.6 (the
 * tag list of GRUB's "multiboot2"). The loader's bytes are read with explicit
 * little-endian loads at named offsets, never through a cast struct, and
 * every length is checked against what is left before the bytes it covers
 * are read. Everything kept is copied: the loader's memory may be reused. */
#include "kernel/bootinfo.h"

#include <stdbool.h>
#include <string.h>

/* Multiboot1 information structure: offsets and the flag bit that makes
 * each group of fields valid. */
enum {
	MB1_FLAGS = 0,
	MB1_MEM_LOWER = 4,          /* KiB below 1 MiB */
	MB1_MEM_UPPER = 8,          /* KiB from 1 MiB to the first hole */
	MB1_CMDLINE = 16,           /* physical address of a C string */
	MB1_MMAP_LENGTH = 44,
	MB1_MMAP_ADDR = 48,
	MB1_BOOT_LOADER_NAME = 64,  /* physical address of a C string */
	MB1_FB_ADDR = 88,           /* u64 */
	MB1_FB_PITCH = 96,
	MB1_FB_WIDTH = 100,
	MB1_FB_HEIGHT = 104,
	MB1_FB_BPP = 108,           /* u8 */
	MB1_FB_TYPE = 109,          /* u8 */
	MB1_FB_COLOR_INFO = 110,    /* 6 x u8 for direct RGB */
	MB1_INFO_LEN = 116,
};

enum {
	MB1_INFO_MEMORY = 1u << 0,
	MB1_INFO_CMDLINE = 1u << 2,
	MB1_INFO_MEM_MAP = 1u << 6,
	MB1_INFO_BOOT_LOADER_NAME = 1u << 9,
	MB1_INFO_FRAMEBUFFER = 1u << 12,
};

/* Multiboot1 memory map entry: "size" counts the bytes after itself. */
enum {
	MB1_MMAP_SIZE = 0,
	MB1_MMAP_BASE = 4,          /* u64 */
	MB1_MMAP_LEN = 12,          /* u64 */
	MB1_MMAP_TYPE = 20,
	MB1_MMAP_SIZE_FIELD = 4,
	MB1_MMAP_ENTRY_MIN = 20,    /* minimum "size": base, length, type */
};

/* Multiboot2: the fixed part, then 8-byte aligned tags of {type, size}. */
enum {
	MB2_TOTAL_SIZE = 0,
	MB2_RESERVED = 4,
	MB2_FIRST_TAG = 8,
	MB2_TAG_TYPE = 0,
	MB2_TAG_SIZE = 4,
	MB2_TAG_HLEN = 8,
	MB2_TAG_ALIGN = 8,
};

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_BOOT_LOADER_NAME = 2,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

/* Tag 6: entry_size and entry_version, then entries of entry_size bytes
 * whose first 24 bytes are base, length, type, reserved. */
enum {
	MB2_MMAP_ENTRY_SIZE = 8,
	MB2_MMAP_ENTRY_VERSION = 12,
	MB2_MMAP_ENTRIES = 16,
	MB2_MMAP_BASE = 0,
	MB2_MMAP_LEN = 8,
	MB2_MMAP_TYPE = 16,
	MB2_MMAP_ENTRY_MIN = 24,
};

/* Tag 8: the common part, then colour information for direct RGB. */
enum {
	MB2_FB_ADDR = 8,            /* u64 */
	MB2_FB_PITCH = 16,
	MB2_FB_WIDTH = 20,
	MB2_FB_HEIGHT = 24,
	MB2_FB_BPP = 28,            /* u8 */
	MB2_FB_TYPE = 29,           /* u8 */
	MB2_FB_COLOR_INFO = 32,
	MB2_FB_MIN = 30,            /* through the type byte */
};

/* framebuffer_type, the same in both versions. */
enum { FB_TYPE_INDEXED = 0, FB_TYPE_RGB = 1, FB_TYPE_EGA_TEXT = 2 };
enum { FB_COLOR_RGB_LEN = 6 };  /* red pos, size, green pos, size, blue pos, size */

enum { RSDP_V1_LEN = 20, RSDP_V2_LEN = 36 };

enum {
	MB_MEM_TYPE_MAX = 5,        /* 1 available .. 5 defective, as enum boot_mem_type */
	LOW_MEMORY_END = 0x100000,  /* mem_upper counts from 1 MiB */
	KIB = 1024,
};

/* Failure reasons (all negative, as bootinfo.h promises). */
enum {
	BOOTINFO_ENULL = -1,        /* no structure at all */
	BOOTINFO_ETOTAL = -2,       /* multiboot2 total_size < 8 or > max_len */
	BOOTINFO_ETAG = -3,         /* a tag's size < 8 or past total_size */
	BOOTINFO_ENOEND = -4,       /* multiboot2 tags end without an end tag */
	BOOTINFO_EMMAP = -5,        /* a memory map entry size that cannot be */
	BOOTINFO_ESHORT = -6,       /* a tag too short for its own fields */
	BOOTINFO_ESIZE = -7,        /* UEFI loader built with another struct boot_info */
	BOOTINFO_ERANGE = -8,       /* UEFI loader's count or length past its array */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Loader structures hold physical addresses; all RAM is identity-mapped. */
static const uint8_t *phys_ptr(uint64_t phys)
{
	return (const uint8_t *)(uintptr_t)phys;
}

/* Copies the string at src, reading at most src_max bytes, into dst of
 * dst_size bytes; truncates and always terminates. */
static void string_copy(char *dst, size_t dst_size, const uint8_t *src, size_t src_max)
{
	size_t n = 0;

	while (n < src_max && n + 1 < dst_size && src[n]) {
		dst[n] = (char)src[n];
		n++;
	}
	dst[n] = '\0';
}

static uint32_t mem_type(uint32_t t)
{
	return t >= 1 && t <= MB_MEM_TYPE_MAX ? t : BOOT_MEM_RESERVED;
}

/* Keeps the first BOOT_MMAP_MAX entries; the rest are ignored. */
static void mmap_add(struct boot_info *out, uint64_t base, uint64_t len, uint32_t type)
{
	if (out->mmap_count >= BOOT_MMAP_MAX)
		return;
	out->mmap[out->mmap_count].base = base;
	out->mmap[out->mmap_count].len = len;
	out->mmap[out->mmap_count].type = mem_type(type);
	out->mmap_count++;
}

/* Both versions describe colours the same way from the type byte on. */
static void fb_set(struct boot_framebuffer *fb, uint64_t addr, uint32_t pitch, uint32_t width,
		   uint32_t height, uint8_t bpp, uint8_t type, const uint8_t *color, size_t color_len)
{
	fb->addr = addr;
	fb->pitch = pitch;
	fb->width = width;
	fb->height = height;
	fb->bpp = bpp;
	fb->is_text = type == FB_TYPE_EGA_TEXT;
	if (type == FB_TYPE_RGB && color_len >= FB_COLOR_RGB_LEN) {
		fb->red_pos = color[0];
		fb->red_size = color[1];
		fb->green_pos = color[2];
		fb->green_size = color[3];
		fb->blue_pos = color[4];
		fb->blue_size = color[5];
	}
}

/* The multiboot1 memory map: entries of size+4 bytes in mmap_length bytes.
 * An entry too small for its fields or running past the end stops the walk. */
static int mb1_mmap_parse(const uint8_t *map, uint32_t length, struct boot_info *out)
{
	uint32_t off = 0;

	while (off < length) {
		uint32_t left = length - off;
		uint32_t size;

		if (left < MB1_MMAP_SIZE_FIELD)
			return BOOTINFO_EMMAP;
		size = rd32(map + off + MB1_MMAP_SIZE);
		if (size < MB1_MMAP_ENTRY_MIN || size > left - MB1_MMAP_SIZE_FIELD)
			return BOOTINFO_EMMAP;
		mmap_add(out, rd64(map + off + MB1_MMAP_BASE), rd64(map + off + MB1_MMAP_LEN),
			 rd32(map + off + MB1_MMAP_TYPE));
		off += MB1_MMAP_SIZE_FIELD + size;
	}
	return 0;
}

/* Reads the fixed MB1_INFO_LEN-byte structure at info. Fields are used only
 * when their flag bit is set; a zero string address counts as absent. On a
 * malformed memory map, out keeps the entries before the fault and the
 * result is negative. */
int bootinfo_parse_multiboot1(const void *info, struct boot_info *out)
{
	const uint8_t *mb = info;
	uint32_t flags;
	int err = 0;

	memset(out, 0, sizeof *out);
	out->loader_kind = "multiboot1";
	if (!mb)
		return BOOTINFO_ENULL;
	out->info_phys = (uintptr_t)mb;
	out->info_len = MB1_INFO_LEN;
	flags = rd32(mb + MB1_FLAGS);

	if ((flags & MB1_INFO_CMDLINE) && rd32(mb + MB1_CMDLINE))
		string_copy(out->cmdline, sizeof out->cmdline, phys_ptr(rd32(mb + MB1_CMDLINE)),
			    sizeof out->cmdline);
	if ((flags & MB1_INFO_BOOT_LOADER_NAME) && rd32(mb + MB1_BOOT_LOADER_NAME))
		string_copy(out->loader_name, sizeof out->loader_name,
			    phys_ptr(rd32(mb + MB1_BOOT_LOADER_NAME)), sizeof out->loader_name);

	if ((flags & MB1_INFO_MEM_MAP) && rd32(mb + MB1_MMAP_ADDR)) {
		err = mb1_mmap_parse(phys_ptr(rd32(mb + MB1_MMAP_ADDR)), rd32(mb + MB1_MMAP_LENGTH), out);
	} else if (flags & MB1_INFO_MEMORY) {
		/* No map: the two classic ranges are all we know of RAM. */
		mmap_add(out, 0, (uint64_t)rd32(mb + MB1_MEM_LOWER) * KIB, BOOT_MEM_USABLE);
		mmap_add(out, LOW_MEMORY_END, (uint64_t)rd32(mb + MB1_MEM_UPPER) * KIB, BOOT_MEM_USABLE);
	}

	if (flags & MB1_INFO_FRAMEBUFFER)
		fb_set(&out->fb, rd64(mb + MB1_FB_ADDR), rd32(mb + MB1_FB_PITCH), rd32(mb + MB1_FB_WIDTH),
		       rd32(mb + MB1_FB_HEIGHT), mb[MB1_FB_BPP], mb[MB1_FB_TYPE], mb + MB1_FB_COLOR_INFO,
		       FB_COLOR_RGB_LEN);
	return err;
}

/* Tag 6. entry_version only ever extends entries (the spec promises
 * backward compatibility), so any version with entries of >= 24 bytes is
 * read; leftover bytes shorter than an entry are ignored. */
static int mb2_mmap_parse(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
	uint32_t esize;

	if (size < MB2_MMAP_ENTRIES)
		return BOOTINFO_ESHORT;
	esize = rd32(tag + MB2_MMAP_ENTRY_SIZE);
	if (esize < MB2_MMAP_ENTRY_MIN)
		return BOOTINFO_EMMAP;
	for (uint32_t off = MB2_MMAP_ENTRIES; size - off >= esize; off += esize)
		mmap_add(out, rd64(tag + off + MB2_MMAP_BASE), rd64(tag + off + MB2_MMAP_LEN),
			 rd32(tag + off + MB2_MMAP_TYPE));
	return 0;
}

static int mb2_framebuffer_parse(const uint8_t *tag, uint32_t size, struct boot_info *out)
{
	if (size < MB2_FB_MIN)
		return BOOTINFO_ESHORT;
	fb_set(&out->fb, rd64(tag + MB2_FB_ADDR), rd32(tag + MB2_FB_PITCH), rd32(tag + MB2_FB_WIDTH),
	       rd32(tag + MB2_FB_HEIGHT), tag[MB2_FB_BPP], tag[MB2_FB_TYPE], tag + MB2_FB_COLOR_INFO,
	       size > MB2_FB_COLOR_INFO ? size - MB2_FB_COLOR_INFO : 0);
	return 0;
}

/* Tags 14 and 15 carry a copy of the RSDP; the newer one wins. */
static int mb2_acpi_parse(const uint8_t *tag, uint32_t size, uint32_t rsdp_len, struct boot_info *out)
{
	if (size - MB2_TAG_HLEN < rsdp_len)
		return BOOTINFO_ESHORT;
	if (out->rsdp_len > rsdp_len)
		return 0;
	memcpy(out->rsdp, tag + MB2_TAG_HLEN, rsdp_len);
	out->rsdp_len = rsdp_len;
	out->rsdp_phys = (uintptr_t)(tag + MB2_TAG_HLEN);
	return 0;
}

/* Walks the tags. A tag whose framing is broken (size < 8, or past
 * total_size) ends the walk; a tag whose contents are malformed is skipped
 * and remembered. Either way the result is negative and out keeps what
 * was read before. */
int bootinfo_parse_multiboot2(const void *info, size_t max_len, struct boot_info *out)
{
	const uint8_t *mb = info;
	uint32_t total, off;
	int err = 0;

	memset(out, 0, sizeof *out);
	out->loader_kind = "multiboot2";
	if (!mb)
		return BOOTINFO_ENULL;
	if (max_len < MB2_FIRST_TAG)
		return BOOTINFO_ETOTAL;
	total = rd32(mb + MB2_TOTAL_SIZE);
	if (total < MB2_FIRST_TAG || total > max_len)
		return BOOTINFO_ETOTAL;
	out->info_phys = (uintptr_t)mb;
	out->info_len = total;

	for (off = MB2_FIRST_TAG;;) {
		const uint8_t *tag = mb + off;
		uint32_t type, size;
		int r = 0;

		if (off > total || total - off < MB2_TAG_HLEN)
			return BOOTINFO_ENOEND;
		type = rd32(tag + MB2_TAG_TYPE);
		size = rd32(tag + MB2_TAG_SIZE);
		if (size < MB2_TAG_HLEN || size > total - off)
			return BOOTINFO_ETAG;

		switch (type) {
		case MB2_TAG_END:
			return err;
		case MB2_TAG_CMDLINE:
			string_copy(out->cmdline, sizeof out->cmdline, tag + MB2_TAG_HLEN, size - MB2_TAG_HLEN);
			break;
		case MB2_TAG_BOOT_LOADER_NAME:
			string_copy(out->loader_name, sizeof out->loader_name, tag + MB2_TAG_HLEN,
				    size - MB2_TAG_HLEN);
			break;
		case MB2_TAG_MMAP:
			r = mb2_mmap_parse(tag, size, out);
			break;
		case MB2_TAG_FRAMEBUFFER:
			r = mb2_framebuffer_parse(tag, size, out);
			break;
		case MB2_TAG_ACPI_OLD:
			r = mb2_acpi_parse(tag, size, RSDP_V1_LEN, out);
			break;
		case MB2_TAG_ACPI_NEW:
			r = mb2_acpi_parse(tag, size, RSDP_V2_LEN, out);
			break;
		default:
			break; /* modules, ELF sections, APM, ...: not needed */
		}
		if (r && !err)
			err = r;
		/* Tags start 8-byte aligned; size <= total - off keeps this in range. */
		off += (size + MB2_TAG_ALIGN - 1) & ~(uint32_t)(MB2_TAG_ALIGN - 1);
	}
}

/* The UEFI loader fills a struct boot_info itself; trust its layout (same
 * header, same size) but not its counts. */
int bootinfo_accept_uefi(const void *info, size_t len, struct boot_info *out)
{
	int err = 0;

	memset(out, 0, sizeof *out);
	out->loader_kind = "uefi";
	if (!info)
		return BOOTINFO_ENULL;
	if (len != sizeof *out)
		return BOOTINFO_ESIZE;
	memcpy(out, info, sizeof *out);
	/* The loader's pointer would point into memory the kernel reuses. */
	out->loader_kind = "uefi";
	out->loader_name[sizeof out->loader_name - 1] = '\0';
	out->cmdline[sizeof out->cmdline - 1] = '\0';
	if (out->mmap_count > BOOT_MMAP_MAX) {
		out->mmap_count = 0;
		err = BOOTINFO_ERANGE;
	}
	if (out->rsdp_len > sizeof out->rsdp) {
		out->rsdp_len = 0;
		err = BOOTINFO_ERANGE;
	}
	out->info_phys = (uintptr_t)info;
	out->info_len = len;
	return err;
}

static bool option_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Options are words separated by white space: KEY, KEY=value or
 * KEY="value with spaces; or semicolons". A quote toggles quoting anywhere
 * in a word and is itself dropped, as in a shell. KEY must be a whole word
 * before '=' ("run" does not match "autorun=..."); a bare KEY has the empty
 * value. When KEY appears more than once the last one counts. */
int bootinfo_cmdline_get(const char *cmdline, const char *key, char *buf, size_t buflen)
{
	size_t klen;
	int result = -1;
	const char *p = cmdline;

	if (buf && buflen)
		buf[0] = '\0';
	if (!cmdline || !key || !buf || !buflen || (klen = strlen(key)) == 0)
		return -1;

	while (*p) {
		const char *word, *q;
		bool match, quoted = false, fits = true;
		size_t n = 0;

		while (option_sep(*p))
			p++;
		if (!*p)
			break;
		word = p;
		for (q = word; *q && *q != '=' && *q != '"' && !option_sep(*q); q++)
			;
		match = (size_t)(q - word) == klen && strncmp(word, key, klen) == 0 && *q != '"';
		p = q;
		if (*p == '=')
			p++;
		/* The rest of the word is the value; skip it unless it is ours. */
		for (; *p && (quoted || !option_sep(*p)); p++) {
			if (*p == '"') {
				quoted = !quoted;
			} else if (match) {
				if (n + 1 < buflen && n < (size_t)__INT_MAX__)
					buf[n] = *p;
				else
					fits = false;
				n++;
			}
		}
		if (match) {
			buf[fits ? n : 0] = '\0';
			result = fits ? (int)n : -1;
		}
	}
	return result;
}
