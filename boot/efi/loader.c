/* BOOTX64.EFI: Pigeon's UEFI loader (gnu-efi). It reads pigeon.elf and an
 * optional cmdline file from the root of the volume it was itself loaded
 * from, places the kernel's PT_LOAD segments at their physical addresses,
 * collects the framebuffer (GOP), the ACPI RSDP and the memory map into a
 * struct boot_info, leaves boot services and calls the kernel's 64-bit
 * entry (boot/efi/handoff.h has the contract).
 *
 * UEFI 2.10: 9.1 EFI_LOADED_IMAGE_PROTOCOL, 13.4-13.5 Simple File System
 * and EFI_FILE_PROTOCOL, 12.9 Graphics Output Protocol, 4.6 configuration
 * table (ACPI GUIDs), 7.2 memory services, 7.4 ExitBootServices.
 *
 * Until ExitBootServices every error is shown on the firmware console and
 * on COM1, and the loader waits for a key before returning to the
 * firmware; after it, only COM1 is left to say why it stopped. */
#include <efi.h>
#include <efilib.h>

#include "boot/efi/cmdline.h"
#include "boot/efi/efimap.h"
#include "boot/efi/elfimage.h"
#include "boot/efi/handoff.h"
#include "kernel/bootinfo.h"

#define KERNEL_PATH L"\\pigeon.elf"
#define CMDLINE_PATH L"\\cmdline"
#define LOADER_NAME "BOOTX64.EFI (gnu-efi)"

enum {
	COM1 = 0x3f8,
	COM1_LSR = COM1 + 5,
	LSR_THRE = 0x20,               /* transmit holding register empty */
	COM1_SPIN = 100000,            /* give up on a port that never drains */
	MSG_MAX = 256,
	CMDLINE_FILE_MAX = 4096,
	MAP_SLACK_DESCS = 16,          /* the map grows while we look at it */
	EXIT_TRIES = 8,
	PREFERRED_WIDTH = 1024,
	PREFERRED_HEIGHT = 768,
	RSDP_SIG_LEN = 8,
	RSDP_REVISION = 15,
	RSDP_V1_LEN = 20,
	RSDP_V2_LEN = 36,
};

#define BELOW_4GIB 0xffffffffull

static EFI_HANDLE self;

/* --- saying things ------------------------------------------------------ */

static inline void outb(UINT16 port, UINT8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline UINT8 inb(UINT16 port)
{
	UINT8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void com1_putc(char c)
{
	for (int i = 0; i < COM1_SPIN && !(inb(COM1_LSR) & LSR_THRE); i++)
		;
	outb(COM1, (UINT8)c);
}

/* COM1 as the firmware left it (OVMF: 115200 8N1); works after
 * ExitBootServices too. Lines end in CR LF. */
static void com1_write(const char *s)
{
	for (; *s; s++) {
		if (*s == '\r')
			continue; /* AsciiVSPrint makes \n into \r\n already */
		if (*s == '\n')
			com1_putc('\r');
		com1_putc(*s);
	}
}

static void conout_write(const char *s)
{
	CHAR16 buf[MSG_MAX + 2];
	UINTN n = 0;

	if (!ST->ConOut)
		return; /* a headless machine may have no console */

	for (; *s; s++) {
		if (*s == '\r')
			continue;
		if (*s == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(UINT8)*s;
		if (n >= MSG_MAX) {
			buf[n] = 0;
			uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
			n = 0;
		}
	}
	buf[n] = 0;
	uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
}

/* Progress: COM1 only (the firmware mirrors its console onto the same
 * port, so the screen would show it twice on serial). Formats as gnu-efi's
 * AsciiVSPrint: %a for char strings, %lx/%lu for 64-bit numbers. */
static void say(const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	AsciiVSPrint((CHAR8 *)msg, sizeof msg, (const CHAR8 *)fmt, ap);
	va_end(ap);
	com1_write(msg);
}

/* An error before ExitBootServices: on the console and COM1, then wait for
 * a key so that nobody misses it, and give status back to the firmware. */
static EFI_STATUS fail(EFI_STATUS status, const char *fmt, ...)
{
	char msg[MSG_MAX];
	EFI_INPUT_KEY key;
	va_list ap;

	va_start(ap, fmt);
	AsciiVSPrint((CHAR8 *)msg, sizeof msg, (const CHAR8 *)fmt, ap);
	va_end(ap);
	/* Drop keys typed earlier, before asking: a key typed after reading
	 * the question must count. */
	if (ST->ConIn)
		uefi_call_wrapper(ST->ConIn->Reset, 2, ST->ConIn, FALSE);
	com1_write("\nBOOTX64: ");
	com1_write(msg);
	com1_write("\nBOOTX64: press a key to return to the firmware.\n");
	conout_write("\nPigeon's loader cannot boot: ");
	conout_write(msg);
	conout_write("\nPress a key to return to the firmware.\n");
	if (ST->ConIn) {
		WaitForSingleEvent(ST->ConIn->WaitForKey, 0);
		uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key);
	}
	return status;
}

/* --- files --------------------------------------------------------------- */

static EFI_STATUS volume_open(EFI_FILE_HANDLE *root)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->HandleProtocol, 3, self, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return fail(st, "no EFI_LOADED_IMAGE_PROTOCOL on our own image (%r)", st);
	st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol, (void **)&fs);
	if (EFI_ERROR(st))
		return fail(st, "the volume we were loaded from has no file system (%r)", st);
	st = uefi_call_wrapper(fs->OpenVolume, 2, fs, root);
	if (EFI_ERROR(st))
		return fail(st, "cannot open our volume (%r)", st);
	return EFI_SUCCESS;
}

/* Read a whole file into pool memory. EFI_NOT_FOUND is returned quietly
 * (the caller decides whether that is an error); other errors too, for the
 * caller to report. */
static EFI_STATUS file_read(EFI_FILE_HANDLE root, CHAR16 *path, UINTN max, UINT8 **data, UINTN *size)
{
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN len, done = 0;

	st = uefi_call_wrapper(root->Open, 5, root, &fh, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st))
		return st;
	info = LibFileInfo(fh);
	if (!info) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_DEVICE_ERROR;
	}
	len = info->FileSize;
	FreePool(info);
	if (len > max) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_BAD_BUFFER_SIZE;
	}
	*data = AllocatePool(len ? len : 1);
	if (!*data) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_OUT_OF_RESOURCES;
	}
	/* Read may return less than asked; an empty read before the end means
	 * the file shrank under us. */
	while (done < len) {
		UINTN chunk = len - done;
		st = uefi_call_wrapper(fh->Read, 3, fh, &chunk, *data + done);
		if (EFI_ERROR(st) || chunk == 0) {
			FreePool(*data);
			uefi_call_wrapper(fh->Close, 1, fh);
			return EFI_ERROR(st) ? st : EFI_END_OF_FILE;
		}
		done += chunk;
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	*size = len;
	return EFI_SUCCESS;
}

/* --- the kernel ---------------------------------------------------------- */

static UINTN pages_for(UINT64 start, UINT64 len)
{
	return (UINTN)((((start & EFI_PAGE_MASK) + len) + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE);
}

/* Each segment into pages allocated exactly at its physical address. The
 * pages are EfiLoaderCode: firmware that maps data types no-execute must
 * still let us jump there. */
static EFI_STATUS kernel_place(const UINT8 *file, const struct elf_image *img)
{
	for (UINTN i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		EFI_PHYSICAL_ADDRESS at = s->paddr & ~(UINT64)EFI_PAGE_MASK;
		UINTN pages = pages_for(s->paddr, s->memsz);
		EFI_STATUS st;

		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderCode, pages, &at);
		if (EFI_ERROR(st))
			return fail(st, "the kernel needs memory 0x%lx-0x%lx, which is not free (%r)",
				    s->paddr, s->paddr + s->memsz - 1, st);
		CopyMem((void *)(UINTN)s->paddr, (void *)(file + s->offset), s->filesz);
		ZeroMem((void *)(UINTN)(s->paddr + s->filesz), s->memsz - s->filesz);
	}
	return EFI_SUCCESS;
}

/* --- what the kernel needs to know ------------------------------------- */

static EFI_STATUS cmdline_get(EFI_FILE_HANDLE root, struct boot_info *bi)
{
	EFI_LOADED_IMAGE *li;
	UINT8 *data;
	UINTN size;
	EFI_STATUS st;
	int n;

	st = file_read(root, CMDLINE_PATH, CMDLINE_FILE_MAX, &data, &size);
	if (st == EFI_SUCCESS) {
		n = cmdline_from_file(data, size, bi->cmdline, sizeof bi->cmdline);
		FreePool(data);
		if (n == CMDLINE_ETOOLONG)
			return fail(EFI_BAD_BUFFER_SIZE, "\\cmdline is longer than %d characters",
				    BOOT_CMDLINE_MAX - 1);
		return EFI_SUCCESS;
	}
	if (st != EFI_NOT_FOUND)
		return fail(st, "cannot read \\cmdline (%r)", st);

	st = uefi_call_wrapper(BS->HandleProtocol, 3, self, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st) || !li->LoadOptions)
		return EFI_SUCCESS;
	n = cmdline_from_ucs2(li->LoadOptions, li->LoadOptionsSize, bi->cmdline, sizeof bi->cmdline);
	if (n == CMDLINE_ETOOLONG)
		return fail(EFI_BAD_BUFFER_SIZE, "the load options are longer than %d characters",
			    BOOT_CMDLINE_MAX - 1);
	return EFI_SUCCESS; /* CMDLINE_ENOTTEXT: a boot entry's binary data, not ours */
}

static UINT8 mask_pos(UINT32 mask)
{
	UINT8 pos = 0;
	while (mask && !(mask & 1)) {
		mask >>= 1;
		pos++;
	}
	return pos;
}

static UINT8 mask_size(UINT32 mask)
{
	UINT8 n = 0;
	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static UINT8 mask_top(UINT32 mask)
{
	UINT8 top = 0;
	for (; mask; mask >>= 1)
		top++;
	return top;
}

static BOOLEAN mode_linear(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info)
{
	return info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ||
	       info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor ||
	       info->PixelFormat == PixelBitMask;
}

/* The current mode, unless 1024x768 exists (a size the console scrolls
 * quickly) or the current one has no linear framebuffer. */
static void gop_choose_mode(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	INT64 best = -1;

	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
		UINTN size;
		if (EFI_ERROR(uefi_call_wrapper(gop->QueryMode, 4, gop, m, &size, &info)))
			continue;
		BOOLEAN ok = mode_linear(info);
		BOOLEAN preferred = info->HorizontalResolution == PREFERRED_WIDTH &&
				    info->VerticalResolution == PREFERRED_HEIGHT;
		FreePool(info);
		if (ok && preferred) {
			best = m;
			break;
		}
		if (ok && best < 0 && !mode_linear(gop->Mode->Info))
			best = m;
	}
	if (best >= 0 && (UINT32)best != gop->Mode->Mode)
		uefi_call_wrapper(gop->SetMode, 2, gop, (UINT32)best);
}

/* No GOP, or no linear framebuffer: fb stays zero and the kernel uses
 * the serial console (and VGA text, if the hardware has it). */
static void framebuffer_get(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	struct boot_framebuffer *fb = &bi->fb;

	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &GraphicsOutputProtocol, NULL, (void **)&gop)))
		return;
	gop_choose_mode(gop);
	info = gop->Mode->Info;
	if (!mode_linear(info))
		return;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->red_pos = 0, fb->green_pos = 8, fb->blue_pos = 16;
		fb->red_size = fb->green_size = fb->blue_size = 8;
		fb->bpp = 32;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->blue_pos = 0, fb->green_pos = 8, fb->red_pos = 16;
		fb->red_size = fb->green_size = fb->blue_size = 8;
		fb->bpp = 32;
		break;
	default: {
		EFI_PIXEL_BITMASK *m = &info->PixelInformation;
		fb->red_pos = mask_pos(m->RedMask), fb->red_size = mask_size(m->RedMask);
		fb->green_pos = mask_pos(m->GreenMask), fb->green_size = mask_size(m->GreenMask);
		fb->blue_pos = mask_pos(m->BlueMask), fb->blue_size = mask_size(m->BlueMask);
		fb->bpp = (UINT8)((mask_top(m->RedMask | m->GreenMask | m->BlueMask | m->ReservedMask) + 7) / 8 * 8);
		break;
	}
	}
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * (fb->bpp / 8);
	fb->is_text = 0;
	fb->addr = gop->Mode->FrameBufferBase;
}

static BOOLEAN guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const UINT8 *x = (const UINT8 *)a, *y = (const UINT8 *)b;
	for (UINTN i = 0; i < sizeof(EFI_GUID); i++)
		if (x[i] != y[i])
			return FALSE;
	return TRUE;
}

/* ACPI 2.0+ RSDP first (it has the XSDT), then the 1.0 one. */
static void rsdp_get(struct boot_info *bi)
{
	static EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	EFI_GUID *want[] = { &acpi20, &acpi10 };

	for (UINTN w = 0; w < 2; w++) {
		for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
			EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
			const UINT8 *r = t->VendorTable;
			if (!guid_eq(&t->VendorGuid, want[w]) || !r)
				continue;
			if (CompareMem((void *)r, "RSD PTR ", RSDP_SIG_LEN) != 0)
				continue;
			bi->rsdp_len = r[RSDP_REVISION] >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN;
			CopyMem(bi->rsdp, (void *)r, bi->rsdp_len);
			bi->rsdp_phys = (UINT64)(UINTN)r;
			return;
		}
	}
}

/* "BOOTX64.EFI (gnu-efi), EDK II": which loader, on which firmware. */
static void loader_name_set(struct boot_info *bi)
{
	static const char me[] = LOADER_NAME ", ";
	UINTN n = 0;

	for (; me[n] && n + 1 < sizeof bi->loader_name; n++)
		bi->loader_name[n] = me[n];
	for (CHAR16 *v = ST->FirmwareVendor; v && *v && n + 1 < sizeof bi->loader_name; v++)
		bi->loader_name[n++] = *v >= 0x20 && *v <= 0x7e ? (char)*v : '?';
	bi->loader_name[n] = '\0';
}

/* --- leaving ------------------------------------------------------------- */

static void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* GetMemoryMap, convert, ExitBootServices; when the key is stale (the map
 * changed in between) ExitBootServices fails with EFI_INVALID_PARAMETER and
 * the spec wants GetMemoryMap again, with no other boot service between.
 * The buffer is allocated once, with slack, before the first try. Returns
 * only on success, or with an error before the first ExitBootServices. */
static EFI_STATUS boot_services_exit(struct boot_info *bi)
{
	UINTN map_size = 0, key, desc_size, buf_size;
	UINT32 desc_version;
	UINT8 *map;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &desc_size, &desc_version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return fail(st, "GetMemoryMap did not report its size (%r)", st);
	buf_size = map_size + MAP_SLACK_DESCS * desc_size;
	map = AllocatePool(buf_size);
	if (!map)
		return fail(EFI_OUT_OF_RESOURCES, "no memory for the memory map (%lu bytes)", (UINT64)buf_size);

	for (int tries = 0; tries < EXIT_TRIES; tries++) {
		map_size = buf_size;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, map, &key, &desc_size, &desc_version);
		if (EFI_ERROR(st)) {
			if (tries == 0)
				return fail(st, "GetMemoryMap failed (%r)", st);
			break;
		}
		if (efimap_convert(map, map_size, desc_size, bi) < 0) {
			if (tries == 0)
				return fail(EFI_UNSUPPORTED, "memory descriptors of %lu bytes", (UINT64)desc_size);
			break;
		}
		st = uefi_call_wrapper(BS->ExitBootServices, 2, self, key);
		if (!EFI_ERROR(st))
			return EFI_SUCCESS;
		if (st != EFI_INVALID_PARAMETER)
			break;
	}
	/* Boot services may be half gone: COM1 is all we can trust. */
	com1_write("\nBOOTX64: ExitBootServices kept failing; cannot start the kernel. Halted.\n");
	halt_forever();
	return EFI_ABORTED;
}

typedef void (*kernel_entry)(struct boot_info *bi, UINT64 bi_size);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_FILE_HANDLE root;
	EFI_PHYSICAL_ADDRESS bi_addr = BELOW_4GIB;
	struct boot_info *bi;
	struct elf_image img;
	UINT8 *file;
	UINTN size;
	EFI_STATUS st;
	int err;

	InitializeLib(image, systab);
	self = image;
	/* The boot manager's 5-minute watchdog would reset a machine that
	 * waits on an error message. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);

	if ((st = volume_open(&root)) != EFI_SUCCESS)
		return st;
	st = file_read(root, KERNEL_PATH, (UINTN)-1, &file, &size);
	if (EFI_ERROR(st))
		return fail(st, "cannot read \\pigeon.elf from our volume (%r)", st);
	if ((err = elf_image_parse(file, size, &img)) != ELF_OK)
		return fail(EFI_LOAD_ERROR, "\\pigeon.elf: %a", elf_strerror(err));

	/* The kernel reads boot_info on its 4 GiB boot tables. */
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(sizeof *bi), &bi_addr);
	if (EFI_ERROR(st))
		return fail(st, "no memory below 4 GiB for the boot information (%r)", st);
	bi = (struct boot_info *)(UINTN)bi_addr;
	ZeroMem(bi, sizeof *bi);
	bi->loader_kind = "uefi";

	if ((st = kernel_place(file, &img)) != EFI_SUCCESS)
		return st;
	FreePool(file);
	if ((st = cmdline_get(root, bi)) != EFI_SUCCESS)
		return st;
	uefi_call_wrapper(root->Close, 1, root);
	framebuffer_get(bi);
	rsdp_get(bi);
	loader_name_set(bi);

	say("BOOTX64: pigeon.elf %lu bytes, 64-bit entry 0x%lx; framebuffer %dx%d at 0x%lx; ACPI RSDP %a\n",
	    (UINT64)size, img.entry64, bi->fb.width, bi->fb.height, bi->fb.addr,
	    bi->rsdp_len == RSDP_V2_LEN ? "2.0" : bi->rsdp_len ? "1.0" : "none");

	if ((st = boot_services_exit(bi)) != EFI_SUCCESS)
		return st;
	/* No firmware from here on: interrupts stay off until the kernel has
	 * its own IDT. */
	__asm__ volatile("cli");
	((kernel_entry)(UINTN)img.entry64)(bi, sizeof *bi);
	com1_write("\nBOOTX64: the kernel returned. Halted.\n");
	halt_forever();
	return EFI_ABORTED;
}
