/* VGA text mode (80x25 at 0xB8000): the screen half of the console. */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

void vga_init(void);
/* Write one character; understands \r \n \b \t and the few ANSI sequences
 * the line editor sends (ESC[K, ESC[nC, ESC[nD, ESC[2J, ESC[H). */
void vga_putc(char c);
void vga_clear(void);

#endif
