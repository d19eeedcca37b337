/* The framebuffer text console: the screen half of the console when the
 * loader left a graphics mode (UEFI GOP, or GRUB on UEFI) instead of VGA
 * text. 8x16 character cells, the built-in font of drivers/fbcon_font.c,
 * light grey on black as in VGA text. */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>

#include "kernel/bootinfo.h"

enum {
	FBCON_CELL_W = 8,
	FBCON_CELL_H = 16,
};

/* Take over the framebuffer fb describes and clear it. Accepted: direct
 * colour at 16, 24 or 32 bits per pixel with each colour 1-8 bits wide,
 * room for at least one cell, pitch >= width, the whole buffer below 4 GiB
 * (the boot page tables map only that much). Returns false, and draws
 * nothing ever, otherwise. */
bool fbcon_init(const struct boot_framebuffer *fb);
/* Write one character; understands \r \n \b \t and the ANSI sequences the
 * line editor sends (ESC[K, ESC[nC, ESC[nD, ESC[2J, ESC[H, ESC[r;cH),
 * the same subset as drivers/vga.c. A no-op before fbcon_init. */
void fbcon_putc(char c);
/* Clear the screen and home the cursor. A no-op before fbcon_init. */
void fbcon_clear(void);

#endif
