/* Host tests for the framebuffer console (drivers/fbcon.c): it draws into
 * an ordinary buffer placed below 4 GiB (MAP_32BIT), and every check reads
 * the pixels back: glyphs from the font, the cursor, the ANSI subset the
 * line editor uses, wrapping and scrolling, and each pixel format. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "drivers/fbcon.h"
#include "drivers/fbcon_font.h"
#include "tests/unit/check.h"

enum {
	COLS = 8,
	ROWS = 3,
	W = COLS * FBCON_CELL_W + 5, /* a few pixels that are not a whole cell */
	H = ROWS * FBCON_CELL_H + 3,
	PAD = 24, /* bytes after each line: pitch > width */
	GREY = 0xAA,
};

static uint8_t *fbmem;
static struct boot_framebuffer fb;
static unsigned bypp;

/* A 32 bpp x8r8g8b8 framebuffer, like OVMF's GOP on QEMU. */
static void fb_setup(unsigned bpp, uint8_t rpos, uint8_t rsize, uint8_t gpos, uint8_t gsize, uint8_t bpos,
		     uint8_t bsize)
{
	bypp = bpp / 8;
	memset(&fb, 0, sizeof fb);
	fb.addr = (uintptr_t)fbmem;
	fb.width = W;
	fb.height = H;
	fb.bpp = (uint8_t)bpp;
	fb.pitch = W * bypp + PAD;
	fb.red_pos = rpos, fb.red_size = rsize;
	fb.green_pos = gpos, fb.green_size = gsize;
	fb.blue_pos = bpos, fb.blue_size = bsize;
	memset(fbmem, 0x77, (size_t)fb.pitch * H); /* noise: init must clear it */
}

static void fb32(void)
{
	fb_setup(32, 16, 8, 8, 8, 0, 8);
}

static uint32_t px(unsigned x, unsigned y)
{
	const uint8_t *p = fbmem + (size_t)y * fb.pitch + (size_t)x * bypp;
	uint32_t v = 0;
	for (unsigned i = 0; i < bypp; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static uint32_t fg32(void)
{
	return GREY << 16 | GREY << 8 | GREY;
}

static void puts_fb(const char *s)
{
	for (; *s; s++)
		fbcon_putc(*s);
}

/* Does the cell at row, col show ch (in fg on bg = 0)? The cursor cell's
 * last two lines are inverted; with_cursor says whether to expect that. */
static int cell_is(int row, int col, char ch, uint32_t fg, int with_cursor)
{
	const uint8_t *g = fbcon_font[(unsigned char)ch - FONT_FIRST];
	for (int y = 0; y < FBCON_CELL_H; y++) {
		for (int x = 0; x < FBCON_CELL_W; x++) {
			int on = (g[y / 2] >> (7 - x)) & 1;
			if (with_cursor && y >= FBCON_CELL_H - 2)
				on = !on;
			if (px((unsigned)(col * FBCON_CELL_W + x), (unsigned)(row * FBCON_CELL_H + y)) != (on ? fg : 0))
				return 0;
		}
	}
	return 1;
}

/* The whole row shows text, padded with blanks (no cursor on it). */
static int row_is(int row, const char *text, uint32_t fg)
{
	size_t len = strlen(text);
	for (int c = 0; c < COLS; c++)
		if (!cell_is(row, c, (size_t)c < len ? text[c] : ' ', fg, 0))
			return 0;
	return 1;
}

static void test_init_rejects(void)
{
	fb32();
	fb.addr = 0;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.is_text = 1;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.bpp = 8;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.green_size = 0;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.blue_pos = 30; /* runs past 32 bits */
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.width = 7;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.pitch = W * 4 - 1;
	CHECK(!fbcon_init(&fb));
	fb32();
	fb.addr = 0xfffff000u; /* the buffer would end above 4 GiB */
	CHECK(!fbcon_init(&fb));
	/* Refused: nothing drawn, and putc does nothing. */
	fbcon_putc('A');
	CHECK_EQ_INT(px(0, 0), 0x77777777u);
}

static void test_init_clears(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	CHECK(cell_is(0, 0, ' ', fg32(), 1)); /* the cursor at home */
	CHECK(row_is(1, "", fg32()));
	CHECK(row_is(2, "", fg32()));
	CHECK_EQ_INT(px(W - 1, H - 1), 0);
	/* Bytes past the width in each line are not ours. */
	CHECK_EQ_INT(fbmem[W * 4], 0x77);
}

static void test_glyphs(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	puts_fb("pigeon> ");
	CHECK(row_is(0, "pigeon> ", fg32()));
	CHECK(cell_is(1, 0, ' ', fg32(), 1)); /* the cursor wrapped to row 1 */
	/* Outside printable ASCII: '?'. */
	fbcon_putc((char)0xe9);
	CHECK(cell_is(1, 0, '?', fg32(), 0));
}

static void test_controls(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	puts_fb("abc\bX"); /* backspace, then overwrite */
	CHECK(cell_is(0, 2, 'X', fg32(), 0));
	puts_fb("\rY"); /* carriage return */
	CHECK(cell_is(0, 0, 'Y', fg32(), 0));
	puts_fb("\tZ"); /* tab to column 8: the next row here */
	CHECK(cell_is(1, 0, 'Z', fg32(), 0));
	puts_fb("\a\x01"); /* bell and other controls draw nothing */
	CHECK(cell_is(1, 1, ' ', fg32(), 1));
	puts_fb("\n");
	CHECK(cell_is(2, 0, ' ', fg32(), 1));
}

static void test_ansi(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	puts_fb("abcdef\x1b[3D\x1b[K");	      /* back 3, erase to end of line */
	CHECK(row_is(0, "abc", fg32()) == 0); /* cursor sits on column 3 */
	CHECK(cell_is(0, 2, 'c', fg32(), 0));
	CHECK(cell_is(0, 3, ' ', fg32(), 1));
	CHECK(cell_is(0, 4, ' ', fg32(), 0));
	puts_fb("\x1b[2C!"); /* forward 2 */
	CHECK(cell_is(0, 5, '!', fg32(), 0));
	puts_fb("\x1b[99D#"); /* clamped at column 0 */
	CHECK(cell_is(0, 0, '#', fg32(), 0));
	puts_fb("\x1b[3;2H$"); /* row 3, column 2 (1-based) */
	CHECK(cell_is(2, 1, '$', fg32(), 0));
	puts_fb("\x1b[;4H%"); /* empty row: 1 */
	CHECK(cell_is(0, 3, '%', fg32(), 0));
	puts_fb("\x1b[1;31m&"); /* colours: ignored */
	CHECK(cell_is(0, 4, '&', fg32(), 0));
	puts_fb("\x1b[2J\x1b[H"); /* clear, home */
	CHECK(cell_is(0, 0, ' ', fg32(), 1));
	CHECK(row_is(2, "", fg32()));
	puts_fb("\x1b"
		"7q"); /* ESC and a non-'[' byte: both swallowed */
	CHECK(cell_is(0, 0, 'q', fg32(), 0));
}

static void test_scroll(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	puts_fb("one\ntwo\nthree\nfour");
	CHECK(row_is(0, "two", fg32()));
	CHECK(row_is(1, "three", fg32()));
	CHECK(cell_is(2, 3, 'r', fg32(), 0));
	CHECK(cell_is(2, 4, ' ', fg32(), 1));
	/* A full row wraps; the last row's wrap scrolls. */
	puts_fb("\r12345678");
	CHECK(row_is(1, "12345678", fg32()));
	CHECK(cell_is(2, 0, ' ', fg32(), 1));
	puts_fb("\nx");
	CHECK(row_is(0, "12345678", fg32()));
}

static void test_clear(void)
{
	fb32();
	CHECK(fbcon_init(&fb));
	puts_fb("abc\ndef");
	fbcon_clear();
	CHECK(cell_is(0, 0, ' ', fg32(), 1));
	CHECK(row_is(1, "", fg32()));
}

static void test_formats(void)
{
	/* Red in the low byte (GOP's RGB order): grey is grey either way. */
	fb_setup(32, 0, 8, 8, 8, 16, 8);
	CHECK(fbcon_init(&fb));
	puts_fb("H");
	CHECK(cell_is(0, 0, 'H', fg32(), 0));
	/* 24 bpp. */
	fb_setup(24, 16, 8, 8, 8, 0, 8);
	CHECK(fbcon_init(&fb));
	puts_fb("H");
	CHECK(cell_is(0, 0, 'H', fg32(), 0));
	/* 16 bpp 5:6:5: each level cut to its field's top bits. */
	fb_setup(16, 11, 5, 5, 6, 0, 5);
	CHECK(fbcon_init(&fb));
	puts_fb("H");
	CHECK(cell_is(0, 0, 'H', (GREY >> 3) << 11 | (GREY >> 2) << 5 | (GREY >> 3), 0));
}

int main(void)
{
	fbmem = mmap(NULL, (size_t)(W * 4 + PAD) * H, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		     -1, 0);
	if (fbmem == MAP_FAILED) {
		printf("FAIL uefi.fbcon.setup: no memory below 4 GiB\n");
		return 1;
	}
	check_suite = "uefi.fbcon";
	RUN(test_init_rejects);
	RUN(test_init_clears);
	RUN(test_glyphs);
	RUN(test_controls);
	RUN(test_ansi);
	RUN(test_scroll);
	RUN(test_clear);
	RUN(test_formats);
	return check_report();
}
