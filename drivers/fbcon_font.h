/* The framebuffer console's built-in font: printable ASCII in 8x8 cells,
 * drawn with every row doubled into the console's 8x16 character cells. */
#ifndef DRIVERS_FBCON_FONT_H
#define DRIVERS_FBCON_FONT_H

#include <stdint.h>

enum {
	FONT_FIRST = 0x20, /* ' ' */
	FONT_LAST = 0x7e,  /* '~' */
	FONT_COUNT = FONT_LAST - FONT_FIRST + 1,
	FONT_ROWS = 8, /* rows per glyph in the table */
};

/* fbcon_font[c - FONT_FIRST][row]: one byte per row, top row first, the
 * most significant bit the leftmost pixel. Rows 0-6 hold capitals and
 * digits (baseline under row 6), row 7 the descenders of g j p q y , _. */
extern const uint8_t fbcon_font[FONT_COUNT][FONT_ROWS];

#endif
