/* The console: every byte of output goes to COM1 and the screen (VGA text,
 * or the framebuffer console when the loader set a graphics mode); input
 * from COM1 (ANSI escape sequences decoded here) and the PS/2 keyboard is
 * merged into one bounded queue of key codes. */
#include "kernel/console.h"

#include "drivers/fbcon.h"
#include "drivers/serial.h"
#include "drivers/vga.h"
#include "kernel/io.h"
#include "kernel/printf.h"
#include "kernel/sched.h"

enum { INPUT_QUEUE_SIZE = 256 }; /* power of two */

static struct {
	int keys[INPUT_QUEUE_SIZE];
	unsigned head, tail; /* head: next to read; tail: next to write */
	uint64_t dropped;    /* keys lost because nobody read them */
	volatile bool interrupted;
	/* serial escape decoder: 0 plain, 1 after ESC, 2 after ESC [ or ESC O */
	int esc_state;
	int esc_param;
	struct waitq readers;
	const struct thread *foreground; /* whose Ctrl-C it is; NULL: anyone's */
} con = { .readers = WAITQ_INIT("console") };

void console_putc(char c)
{
	/* Serial terminals want CRLF; a writer that already sent CR gets none added. */
	static char last;
	if (c == '\n' && last != '\r')
		serial_putc(COM1_BASE, '\r');
	last = c;
	serial_putc(COM1_BASE, c);
	vga_putc(c);
	fbcon_putc(c);
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_putc(s[i]);
}

void console_clear(void)
{
	console_write("\x1b[2J\x1b[H", 7);
	vga_clear();
	fbcon_clear();
}

static void console_out(void *ctx, char c)
{
	(void)ctx;
	console_putc(c);
}

int vkprintf(const char *fmt, va_list ap)
{
	return vcbprintf(console_out, NULL, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

static struct {
	void (*redraw)(void *ctx);
	void *ctx;
} line_owner;

void console_set_line_owner(void (*redraw)(void *ctx), void *ctx)
{
	line_owner.redraw = redraw;
	line_owner.ctx = ctx;
}

void console_notice_begin(void)
{
	if (line_owner.redraw)
		console_write("\r\x1b[K", 4);
}

void console_notice_end(void)
{
	if (line_owner.redraw)
		line_owner.redraw(line_owner.ctx);
}

int console_notice(const char *fmt, ...)
{
	console_notice_begin();
	va_list ap;
	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	console_putc('\n');
	console_notice_end();
	return n;
}

/* Called with interrupts off (from an ISR, or wrapped by the caller). */
void console_input_key(int key)
{
	if (key == KEY_CTRL('c'))
		con.interrupted = true;
	if (con.tail - con.head >= INPUT_QUEUE_SIZE) {
		con.dropped++;
		return;
	}
	con.keys[con.tail++ % INPUT_QUEUE_SIZE] = key;
	waitq_wake_all(&con.readers);
}

/* VT100/xterm sequences for the keys the line editor knows. */
static int console_decode_csi(char final, int param)
{
	switch (final) {
	case 'A': return KEY_UP;
	case 'B': return KEY_DOWN;
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case '~':
		switch (param) {
		case 1: case 7: return KEY_HOME;
		case 4: case 8: return KEY_END;
		case 3: return KEY_DELETE;
		}
		return -1;
	}
	return -1;
}

void console_input_byte(uint8_t b)
{
	switch (con.esc_state) {
	case 0:
		if (b == 0x1b) {
			con.esc_state = 1;
			return;
		}
		console_input_key(b);
		return;
	case 1:
		if (b == '[' || b == 'O') {
			con.esc_state = 2;
			con.esc_param = 0;
			return;
		}
		/* A lone ESC followed by a key: deliver both. */
		con.esc_state = 0;
		console_input_key(0x1b);
		console_input_key(b);
		return;
	default:
		if (b >= '0' && b <= '9') {
			if (con.esc_param < 1000)
				con.esc_param = con.esc_param * 10 + (b - '0');
			return;
		}
		if (b == ';')
			return;
		con.esc_state = 0;
		int key = console_decode_csi((char)b, con.esc_param);
		if (key >= 0)
			console_input_key(key);
		return;
	}
}

int console_getkey(uint64_t timeout_ms)
{
	for (;;) {
		/* Interrupts stay off from the check until we are on the wait
		 * queue: a key arriving in between would otherwise wake nobody. */
		uint64_t flags = irq_save();
		if (con.head != con.tail) {
			int key = con.keys[con.head++ % INPUT_QUEUE_SIZE];
			irq_restore(flags);
			return key;
		}
		bool woken = waitq_wait(&con.readers, timeout_ms);
		irq_restore(flags);
		if (!woken)
			return -1;
	}
}

void console_set_foreground(const struct thread *t)
{
	con.foreground = t;
}

/* The Ctrl-C that stopped a command is spent: take it out of the
 * type-ahead queue too, or the line editor would cancel the next line
 * with it. Other keys typed meanwhile stay, in order. Interrupts off. */
static void console_drop_queued_interrupts(void)
{
	unsigned w = con.head;

	for (unsigned r = con.head; r != con.tail; r++) {
		int key = con.keys[r % INPUT_QUEUE_SIZE];
		if (key != KEY_CTRL('c'))
			con.keys[w++ % INPUT_QUEUE_SIZE] = key;
	}
	con.tail = w;
}

bool console_interrupted(void)
{
	/* Ctrl-C belongs to the foreground (the shell and the command it
	 * runs); a background thread asking must not consume it. */
	if (con.foreground && thread_current() != con.foreground)
		return false;
	uint64_t flags = irq_save();
	bool was = con.interrupted;
	con.interrupted = false;
	if (was)
		console_drop_queued_interrupts();
	irq_restore(flags);
	return was;
}
