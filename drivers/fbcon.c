/* Framebuffer text console: a grid of 8x16 cells drawn with the built-in
 * font into a linear framebuffer (UEFI 2.x 12.9 GOP, or a multiboot2
 * framebuffer tag), with the same tiny ANSI interpreter as drivers/vga.c
 * so the shell sends one byte stream to serial, VGA text and this.
 *
 * The cursor is an underline drawn by XOR over the cell's last two pixel
 * rows: it is hidden before every change to the screen and shown after, so
 * drawing code never has to know about it. */
#include "drivers/fbcon.h"

#include <stdint.h>
#include <string.h>

#include "drivers/fbcon_font.h"

enum {
	FB_4GIB_PAGES = 1 << 20, /* the boot tables map the first 4 GiB */
	COLOUR_MAX_BITS = 8,
	CURSOR_FIRST_LINE = FBCON_CELL_H - 2,
	TAB_WIDTH = 8,
	ANSI_PARAM_MAX = 4,
	ANSI_PARAM_LIMIT = 1000,
	/* VGA attribute 0x07: light grey (0xAA per channel) on black. */
	FG_LEVEL = 0xAA,
	BG_LEVEL = 0x00,
};

enum ansi_state { ANSI_PLAIN, ANSI_ESC, ANSI_CSI };

static struct {
	bool ready;
	uint8_t *base;
	uint32_t pitch;		/* bytes per scan line */
	unsigned bypp;		/* bytes per pixel: 2, 3 or 4 */
	uint32_t fg, bg;	/* pixel values in the framebuffer's format */
	uint32_t width, height; /* pixels, including any partial cell at the edges */
	int cols, rows;
	int row, col;
	bool cursor_on;
	enum ansi_state esc_state;
	int params[ANSI_PARAM_MAX];
	int nparams;
} fbc;

/* An 8-bit level as a field of size bits at pos (the top bits are kept). */
static uint32_t colour_field(unsigned level, uint8_t pos, uint8_t size)
{
	return (uint32_t)(level >> (COLOUR_MAX_BITS - size)) << pos;
}

static uint32_t colour(const struct boot_framebuffer *fb, unsigned level)
{
	return colour_field(level, fb->red_pos, fb->red_size) | colour_field(level, fb->green_pos, fb->green_size) |
	       colour_field(level, fb->blue_pos, fb->blue_size);
}

static bool field_ok(uint8_t pos, uint8_t size, unsigned bpp)
{
	return size >= 1 && size <= COLOUR_MAX_BITS && pos + size <= bpp;
}

bool fbcon_init(const struct boot_framebuffer *fb)
{
	uint64_t bytes, end;

	fbc.ready = false;
	if (!fb->addr || fb->is_text)
		return false;
	if (fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return false;
	if (!field_ok(fb->red_pos, fb->red_size, fb->bpp) || !field_ok(fb->green_pos, fb->green_size, fb->bpp) ||
	    !field_ok(fb->blue_pos, fb->blue_size, fb->bpp))
		return false;
	if (fb->width < FBCON_CELL_W || fb->height < FBCON_CELL_H)
		return false;
	if ((uint64_t)fb->pitch < (uint64_t)fb->width * (fb->bpp / 8))
		return false;
	bytes = (uint64_t)fb->pitch * fb->height;
	end = fb->addr + bytes;
	if (end < fb->addr || end > (uint64_t)FB_4GIB_PAGES * 4096)
		return false;

	fbc.base = (uint8_t *)(uintptr_t)fb->addr;
	fbc.pitch = fb->pitch;
	fbc.bypp = fb->bpp / 8;
	fbc.width = fb->width;
	fbc.height = fb->height;
	fbc.fg = colour(fb, FG_LEVEL);
	fbc.bg = colour(fb, BG_LEVEL);
	fbc.cols = (int)(fb->width / FBCON_CELL_W);
	fbc.rows = (int)(fb->height / FBCON_CELL_H);
	fbc.esc_state = ANSI_PLAIN;
	fbc.cursor_on = false;
	fbc.ready = true;
	fbcon_clear();
	return true;
}

static void pixel_put(uint8_t *p, uint32_t v)
{
	switch (fbc.bypp) {
	case 4:
		*(uint32_t *)p = v;
		break;
	case 3:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	default:
		*(uint16_t *)p = (uint16_t)v;
		break;
	}
}

static uint32_t pixel_get(const uint8_t *p)
{
	switch (fbc.bypp) {
	case 4:
		return *(const uint32_t *)p;
	case 3:
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	default:
		return *(const uint16_t *)p;
	}
}

/* First byte of pixel line y (0-15) of the cell at row, col. */
static uint8_t *cell_line(int row, int col, int y)
{
	return fbc.base + ((size_t)row * FBCON_CELL_H + (size_t)y) * fbc.pitch + (size_t)col * FBCON_CELL_W * fbc.bypp;
}

/* Printable ASCII from the font; anything else shows as '?'. */
static const uint8_t *glyph(char c)
{
	unsigned char u = (unsigned char)c;
	if (u < FONT_FIRST || u > FONT_LAST)
		u = '?';
	return fbcon_font[u - FONT_FIRST];
}

/* Each font row covers two pixel lines (8x8 glyphs in 8x16 cells). */
static void cell_draw(int row, int col, char c)
{
	const uint8_t *g = glyph(c);
	for (int y = 0; y < FBCON_CELL_H; y++) {
		uint8_t bits = g[y * FONT_ROWS / FBCON_CELL_H];
		uint8_t *p = cell_line(row, col, y);
		for (int x = 0; x < FBCON_CELL_W; x++, p += fbc.bypp)
			pixel_put(p, bits & (0x80 >> x) ? fbc.fg : fbc.bg);
	}
}

/* Cells [col_from, col_to) of one text row back to the background. */
static void row_erase(int row, int col_from, int col_to)
{
	for (int y = 0; y < FBCON_CELL_H; y++) {
		uint8_t *p = cell_line(row, col_from, y);
		for (int x = col_from * FBCON_CELL_W; x < col_to * FBCON_CELL_W; x++, p += fbc.bypp)
			pixel_put(p, fbc.bg);
	}
}

static void cursor_flip(void)
{
	for (int y = CURSOR_FIRST_LINE; y < FBCON_CELL_H; y++) {
		uint8_t *p = cell_line(fbc.row, fbc.col, y);
		for (int x = 0; x < FBCON_CELL_W; x++, p += fbc.bypp)
			pixel_put(p, pixel_get(p) ^ fbc.fg ^ fbc.bg);
	}
}

static void cursor_hide(void)
{
	if (fbc.cursor_on) {
		cursor_flip();
		fbc.cursor_on = false;
	}
}

static void cursor_show(void)
{
	if (!fbc.cursor_on) {
		cursor_flip();
		fbc.cursor_on = true;
	}
}

/* Every pixel, the margins beyond the last whole cell included (firmware
 * may have drawn there). */
static void screen_erase(void)
{
	for (uint32_t y = 0; y < fbc.height; y++) {
		uint8_t *p = fbc.base + (size_t)y * fbc.pitch;
		for (uint32_t x = 0; x < fbc.width; x++, p += fbc.bypp)
			pixel_put(p, fbc.bg);
	}
}

void fbcon_clear(void)
{
	if (!fbc.ready)
		return;
	fbc.cursor_on = false; /* erased with everything else */
	screen_erase();
	fbc.row = fbc.col = 0;
	cursor_show();
}

/* Move every text row up by one (one block copy of the pixel lines) and
 * blank the last. */
static void scroll(void)
{
	size_t row_bytes = (size_t)FBCON_CELL_H * fbc.pitch;
	memmove(fbc.base, fbc.base + row_bytes, row_bytes * (size_t)(fbc.rows - 1));
	row_erase(fbc.rows - 1, 0, fbc.cols);
	fbc.row = fbc.rows - 1;
}

static void newline(void)
{
	fbc.col = 0;
	if (++fbc.row >= fbc.rows)
		scroll();
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* A parameter, 1-based as ANSI counts, with 0 or absent meaning 1. */
static int param_or_one(int i)
{
	return i < fbc.nparams && fbc.params[i] > 0 ? fbc.params[i] : 1;
}

static void csi_final(char c)
{
	int n = param_or_one(0);
	switch (c) {
	case 'C':
		fbc.col = clamp(fbc.col + n, 0, fbc.cols - 1);
		break;
	case 'D':
		fbc.col = clamp(fbc.col - n, 0, fbc.cols - 1);
		break;
	case 'K': /* erase from the cursor to the end of the line */
		row_erase(fbc.row, fbc.col, fbc.cols);
		break;
	case 'J':
		if (fbc.nparams > 0 && fbc.params[0] == 2)
			screen_erase();
		break;
	case 'H':
		fbc.row = clamp(param_or_one(0) - 1, 0, fbc.rows - 1);
		fbc.col = clamp(param_or_one(1) - 1, 0, fbc.cols - 1);
		break;
	default: /* colours and the rest: ignored, as on VGA */
		break;
	}
}

/* Feed one byte to the escape parser; true when it was part of a sequence. */
static bool ansi_feed(char c)
{
	switch (fbc.esc_state) {
	case ANSI_PLAIN:
		if (c != 0x1b)
			return false;
		fbc.esc_state = ANSI_ESC;
		return true;
	case ANSI_ESC:
		fbc.esc_state = c == '[' ? ANSI_CSI : ANSI_PLAIN;
		fbc.nparams = 0;
		fbc.params[0] = 0;
		return true;
	case ANSI_CSI:
		if (c >= '0' && c <= '9') {
			if (fbc.nparams == 0)
				fbc.nparams = 1;
			int *p = &fbc.params[fbc.nparams - 1];
			if (*p < ANSI_PARAM_LIMIT)
				*p = *p * 10 + (c - '0');
		} else if (c == ';') {
			if (fbc.nparams == 0)
				fbc.nparams = 1; /* an empty first parameter */
			if (fbc.nparams < ANSI_PARAM_MAX)
				fbc.params[fbc.nparams++] = 0;
		} else {
			fbc.esc_state = ANSI_PLAIN;
			csi_final(c);
		}
		return true;
	}
	return false;
}

static void put_plain(char c)
{
	switch (c) {
	case '\n':
		newline();
		break;
	case '\r':
		fbc.col = 0;
		break;
	case '\b':
		if (fbc.col > 0)
			fbc.col--;
		break;
	case '\t':
		do
			put_plain(' ');
		while (fbc.col % TAB_WIDTH);
		break;
	default:
		if ((unsigned char)c < 0x20 || c == 0x7f)
			break; /* the bell and other controls draw nothing */
		cell_draw(fbc.row, fbc.col, c);
		if (++fbc.col >= fbc.cols)
			newline();
	}
}

void fbcon_putc(char c)
{
	if (!fbc.ready)
		return;
	cursor_hide();
	if (!ansi_feed(c))
		put_plain(c);
	cursor_show();
}
