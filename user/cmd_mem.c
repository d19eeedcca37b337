/* mem: physical page and kernel heap usage. */
#include <stddef.h>

#include "kernel/heap.h"
#include "kernel/pmm.h"
#include "kernel/printf.h"
#include "net/netbuf.h"
#include "user/command.h"
#include "user/shell.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)

/* KiB always; MiB with one decimal as well once there is at least one. */
static void mem_row(const char *what, unsigned long long bytes)
{
	kprintf("  %-8s %10llu KiB", what, bytes / KIB);
	if (bytes >= MIB)
		kprintf("  (%llu.%llu MiB)", bytes / MIB, bytes % MIB * 10 / MIB);
	kprintf("\n");
}

static int mem_run(int argc, char **argv)
{
	struct heap_stats hs;
	unsigned long long total, free;

	if (argc > 1)
		return shell_usage_error(argv[0], "unexpected argument '%s'", argv[1]);

	total = (unsigned long long)pmm_total_pages() * PAGE_SIZE;
	free = (unsigned long long)pmm_free_pages() * PAGE_SIZE;
	kprintf("physical memory (%zu pages of %llu bytes)\n", pmm_total_pages(), PAGE_SIZE);
	mem_row("total", total);
	mem_row("free", free);
	mem_row("used", total - free);

	heap_get_stats(&hs);
	kprintf("kernel heap\n");
	mem_row("arena", hs.arena_bytes);
	mem_row("used", hs.used_bytes);
	mem_row("peak", hs.peak_bytes);
	mem_row("free", hs.free_bytes);
	mem_row("largest", hs.largest_free);
	kprintf("  %zu live allocations (%llu allocs, %llu frees, %llu failed)\n", hs.live,
		(unsigned long long)hs.allocs, (unsigned long long)hs.frees,
		(unsigned long long)hs.failures);

	/* Packet buffers: the e1000 receive ring holds its share for good. */
	struct netbuf_stats ns;
	netbuf_get_stats(&ns);
	kprintf("packet buffers (%u of %u bytes each)\n", ns.total, (unsigned)NETBUF_SIZE);
	kprintf("  %u in use, high water %u, %llu allocs, %llu failed\n", ns.in_use, ns.high_water,
		(unsigned long long)ns.allocs, (unsigned long long)ns.alloc_failures);
	return 0;
}

COMMAND(mem,
	.name = "mem",
	.usage = "mem",
	.summary = "physical memory and kernel heap usage",
	.example = "mem",
	.run = mem_run);
