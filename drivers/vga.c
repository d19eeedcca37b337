/* VGA text console with a tiny ANSI escape interpreter, so the shell can
 * send the same bytes to the serial terminal and to the screen. */
#include "drivers/vga.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/io.h"

enum {
	VGA_COLS = 80,
	VGA_ROWS = 25,
	VGA_ATTR = 0x07, /* light grey on black */
	VGA_CRTC_INDEX = 0x3D4,
	VGA_CRTC_DATA = 0x3D5,
	VGA_CRTC_CURSOR_HI = 0x0E,
	VGA_CRTC_CURSOR_LO = 0x0F,
	ANSI_PARAM_MAX = 4,
};

#define VGA_TEXT_BASE ((volatile uint16_t *)0xB8000)

static struct {
	bool ready;
	int row, col;
	/* ANSI parser: 0 = plain, 1 = after ESC, 2 = inside CSI */
	int esc_state;
	int params[ANSI_PARAM_MAX];
	int nparams;
} vga;

static void vga_cursor_update(void)
{
	uint16_t pos = (uint16_t)(vga.row * VGA_COLS + vga.col);
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_HI);
	outb(VGA_CRTC_DATA, pos >> 8);
	outb(VGA_CRTC_INDEX, VGA_CRTC_CURSOR_LO);
	outb(VGA_CRTC_DATA, pos & 0xff);
}

static void vga_fill(int from, int to)
{
	for (int i = from; i < to; i++)
		VGA_TEXT_BASE[i] = (uint16_t)(VGA_ATTR << 8 | ' ');
}

void vga_clear(void)
{
	if (!vga.ready)
		return;
	vga_fill(0, VGA_COLS * VGA_ROWS);
	vga.row = vga.col = 0;
	vga_cursor_update();
}

void vga_init(void)
{
	vga.ready = true;
	vga_clear();
}

static void vga_scroll(void)
{
	for (int i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
		VGA_TEXT_BASE[i] = VGA_TEXT_BASE[i + VGA_COLS];
	vga_fill(VGA_COLS * (VGA_ROWS - 1), VGA_COLS * VGA_ROWS);
	vga.row = VGA_ROWS - 1;
}

static void vga_newline(void)
{
	vga.col = 0;
	if (++vga.row >= VGA_ROWS)
		vga_scroll();
}

static void vga_csi_final(char c)
{
	int n = vga.nparams > 0 && vga.params[0] > 0 ? vga.params[0] : 1;
	switch (c) {
	case 'C':
		vga.col = vga.col + n < VGA_COLS ? vga.col + n : VGA_COLS - 1;
		break;
	case 'D':
		vga.col = vga.col - n > 0 ? vga.col - n : 0;
		break;
	case 'K': /* erase from the cursor to the end of the line */
		vga_fill(vga.row * VGA_COLS + vga.col, (vga.row + 1) * VGA_COLS);
		break;
	case 'J':
		if (vga.nparams > 0 && vga.params[0] == 2)
			vga_fill(0, VGA_COLS * VGA_ROWS);
		break;
	case 'H':
		vga.row = vga.col = 0;
		break;
	default: /* colours and the rest: ignored */
		break;
	}
}

void vga_putc(char c)
{
	if (!vga.ready)
		return;
	if (vga.esc_state == 1) {
		if (c == '[') {
			vga.esc_state = 2;
			vga.nparams = 0;
			vga.params[0] = 0;
		} else {
			vga.esc_state = 0;
		}
		return;
	}
	if (vga.esc_state == 2) {
		if (c >= '0' && c <= '9') {
			if (vga.nparams == 0)
				vga.nparams = 1;
			int *p = &vga.params[vga.nparams - 1];
			if (*p < 1000)
				*p = *p * 10 + (c - '0');
		} else if (c == ';') {
			if (vga.nparams < ANSI_PARAM_MAX)
				vga.params[vga.nparams++] = 0;
		} else {
			vga.esc_state = 0;
			vga_csi_final(c);
			vga_cursor_update();
		}
		return;
	}
	switch (c) {
	case 0x1b:
		vga.esc_state = 1;
		return;
	case '\n':
		vga_newline();
		break;
	case '\r':
		vga.col = 0;
		break;
	case '\b':
		if (vga.col > 0)
			vga.col--;
		break;
	case '\t':
		do
			vga_putc(' ');
		while (vga.col % 8);
		return;
	case '\a':
		return;
	default:
		if ((unsigned char)c < 0x20)
			return;
		VGA_TEXT_BASE[vga.row * VGA_COLS + vga.col] = (uint16_t)(VGA_ATTR << 8 | (uint8_t)c);
		if (++vga.col >= VGA_COLS)
			vga_newline();
	}
	vga_cursor_update();
}
