/* kmain: from the loader's hand-off to a running shell.
 * The order matters: the serial console first (so every later step can
 * report), then the boot information (before anything can overwrite the
 * loader's structures), CPU tables, memory, time, threads, devices. */
#include <stdint.h>
#include <string.h>

#include "boot/efi/handoff.h"
#include "drivers/fbcon.h"
#include "drivers/ps2kbd.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/bootinfo.h"
#include "kernel/clock.h"
#include "kernel/gdt.h"
#include "kernel/heap.h"
#include "kernel/idt.h"
#include "kernel/io.h"
#include "kernel/irq.h"
#include "kernel/kmain.h"
#include "kernel/panic.h"
#include "kernel/pmm.h"
#include "kernel/power.h"
#include "kernel/random.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "kernel/version.h"
#include "kernel/vmm.h"
#include "user/shell.h"

/* Multiboot2 information is at most a few KiB; bound the parser's reads. */
enum { MB2_INFO_MAX = 64 * 1024 };

static struct boot_info boot_info;

const struct boot_info *kernel_boot_info(void) { return &boot_info; }

/* Give the heap a quarter of free memory, between 4 and 64 MiB. */
static void heap_setup(void)
{
	size_t pages = pmm_free_pages() / 4;
	size_t min = (4u << 20) / PAGE_SIZE, max = (64u << 20) / PAGE_SIZE;
	pages = pages < min ? min : pages > max ? max : pages;
	uint64_t arena = pmm_alloc_contig_uninit(pages);
	if (!arena)
		panic("kmain: no memory for a %zu KiB heap", pages * 4);
	heap_init(phys_to_virt(arena), pages * PAGE_SIZE);
}

void kmain(uint32_t magic, uint32_t info_phys, uint32_t info_len)
{
	uint64_t tsc_start = rdtsc();
	serial_init(COM1_BASE);

	int rc = -1;
	if (magic == MULTIBOOT1_BOOTLOADER_MAGIC)
		rc = bootinfo_parse_multiboot1((const void *)(uintptr_t)info_phys, &boot_info);
	else if (magic == MULTIBOOT2_BOOTLOADER_MAGIC)
		rc = bootinfo_parse_multiboot2((const void *)(uintptr_t)info_phys, MB2_INFO_MAX, &boot_info);
	else if (magic == PIGEON_EFI_BOOT_MAGIC)
		rc = bootinfo_accept_uefi((const void *)(uintptr_t)info_phys, info_len, &boot_info);
	/* A graphics framebuffer (UEFI, or GRUB on UEFI) means there may be no
	 * VGA text mode at all: draw the console ourselves. */
	if (boot_info.fb.addr == 0 || boot_info.fb.is_text)
		vga_init();
	else
		fbcon_init(&boot_info.fb);
	kprintf("\n%s %s (%s%s%s)\n", PIGEON_NAME, PIGEON_VERSION, boot_info.loader_kind ? boot_info.loader_kind : "?",
		boot_info.loader_name[0] ? ", " : "", boot_info.loader_name);
	if (rc != 0)
		panic("kmain: unusable boot information (magic 0x%x, info at 0x%x)", magic, info_phys);

	/* ACPI discovery reads the BIOS data area in page 0, which the kernel's
	 * own page tables leave unmapped: do it on the loader's tables. */
	power_init(&boot_info);
	gdt_init();
	idt_init();
	irq_init();
	pmm_init(&boot_info);
	vmm_init_from(&boot_info);
	heap_setup();
	clock_init();
	random_init();
	sched_init();
	sched_start_idle();
	serial_enable_rx_irq(COM1_BASE, COM1_IRQ);
	ps2kbd_init();
	sti();

	struct heap_stats hs;
	heap_get_stats(&hs);
	kprintf("memory: %zu MiB usable, heap %zu KiB; tsc %llu MHz; boot %llu us after entry\n",
		(size_t)(pmm_total_pages() * PAGE_SIZE >> 20), hs.arena_bytes >> 10, (unsigned long long)clock_tsc_khz() / 1000,
		(unsigned long long)((rdtsc() - tsc_start) / (clock_tsc_khz() / 1000)));

	kernel_start_services();
	if (!thread_create("shell", shell_thread, boot_info.cmdline))
		panic("kmain: cannot start the shell");
	thread_exit();
}
