/* The console: output to serial and screen; input merged from serial and
 * the PS/2 keyboard into one queue of key codes. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Key codes: ASCII (including control characters such as 0x03 for Ctrl-C,
 * 0x7f/0x08 for backspace, '\r' or '\n' for Enter) and these above 0xff. */
enum {
	KEY_UP = 0x100,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
};

#define KEY_CTRL(c) ((c) & 0x1f)

void console_write(const char *s, size_t n);
void console_putc(char c);
/* Blocking read of one key; timeout_ms WAIT_FOREVER to wait forever.
 * Returns the key, or -1 on timeout. */
int console_getkey(uint64_t timeout_ms);
/* Has Ctrl-C been typed since the last call? Clears the flag. Long-running
 * commands poll this to stop. */
bool console_interrupted(void);
/* Make t the foreground thread: only it sees Ctrl-C through
 * console_interrupted() (background servers and tellers never do). */
struct thread;
void console_set_foreground(const struct thread *t);
/* Clear the screen (and send the ANSI clear sequence on serial). */
void console_clear(void);

/* Messages that arrive on their own (a DHCP lease, link changes) while
 * someone may be typing: the line being edited is cleared, the message
 * printed on its own line, and the owner's redraw callback puts the prompt
 * and the half-typed line back. */
int console_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same for output printed in pieces: begin clears the edited line,
 * end redraws it. */
void console_notice_begin(void);
void console_notice_end(void);
/* The shell registers redraw while it waits for input, NULL otherwise. */
void console_set_line_owner(void (*redraw)(void *ctx), void *ctx);

/* Fed by the input drivers, from interrupt context. */
void console_input_byte(uint8_t b);   /* raw serial byte: ANSI escapes decoded here */
void console_input_key(int key);      /* already-decoded key (keyboard) */

#endif
