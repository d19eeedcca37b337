/* PS/2 keyboard driver: scancode set 1 to key codes, with Shift, Ctrl and
 * Caps Lock, and the E0-prefixed cursor keys. */
#include "drivers/ps2kbd.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/irq.h"

enum {
	KBC_DATA = 0x60,
	KBC_STATUS = 0x64,
	KBC_STATUS_OUTPUT_FULL = 0x01,
	KBC_STATUS_AUX = 0x20, /* byte is from the mouse port */
	KBD_IRQ = 1,
	SC_RELEASE = 0x80,
	SC_EXTENDED = 0xE0,
	SC_LSHIFT = 0x2A, SC_RSHIFT = 0x36, SC_CTRL = 0x1D, SC_CAPS = 0x3A,
	SC_E0_UP = 0x48, SC_E0_DOWN = 0x50, SC_E0_LEFT = 0x4B, SC_E0_RIGHT = 0x4D,
	SC_E0_HOME = 0x47, SC_E0_END = 0x4F, SC_E0_DELETE = 0x53, SC_E0_KP_ENTER = 0x1C,
};

static const char keymap[0x3A] = {
	0, 0x1b, '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', 0x7f, '\t',
	'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\r', 0, 'a', 's',
	'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\'', '`', 0, '\\', 'z', 'x', 'c', 'v',
	'b', 'n', 'm', ',', '.', '/', 0, '*', 0, ' ',
};
static const char keymap_shift[0x3A] = {
	0, 0x1b, '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', 0x7f, '\t',
	'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\r', 0, 'A', 'S',
	'D', 'F', 'G', 'H', 'J', 'K', 'L', ':', '"', '~', 0, '|', 'Z', 'X', 'C', 'V',
	'B', 'N', 'M', '<', '>', '?', 0, '*', 0, ' ',
};

static struct {
	bool shift, ctrl, caps, extended;
} kbd;

static void ps2kbd_scancode(uint8_t sc)
{
	if (sc == SC_EXTENDED) {
		kbd.extended = true;
		return;
	}
	bool release = sc & SC_RELEASE;
	uint8_t code = sc & ~SC_RELEASE;
	if (kbd.extended) {
		kbd.extended = false;
		if (code == SC_CTRL) {
			kbd.ctrl = !release;
			return;
		}
		if (release)
			return;
		static const struct { uint8_t sc; int key; } ext[] = {
			{ SC_E0_UP, KEY_UP }, { SC_E0_DOWN, KEY_DOWN }, { SC_E0_LEFT, KEY_LEFT },
			{ SC_E0_RIGHT, KEY_RIGHT }, { SC_E0_HOME, KEY_HOME }, { SC_E0_END, KEY_END },
			{ SC_E0_DELETE, KEY_DELETE }, { SC_E0_KP_ENTER, '\r' },
		};
		for (unsigned i = 0; i < sizeof ext / sizeof ext[0]; i++)
			if (ext[i].sc == code)
				console_input_key(ext[i].key);
		return;
	}
	switch (code) {
	case SC_LSHIFT:
	case SC_RSHIFT:
		kbd.shift = !release;
		return;
	case SC_CTRL:
		kbd.ctrl = !release;
		return;
	case SC_CAPS:
		if (!release)
			kbd.caps = !kbd.caps;
		return;
	}
	if (release || code >= sizeof keymap)
		return;
	char c = kbd.shift ? keymap_shift[code] : keymap[code];
	if (!c)
		return;
	if (kbd.caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (kbd.ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c = (char)KEY_CTRL(c);
	console_input_key((unsigned char)c);
}

static void ps2kbd_irq(void *arg)
{
	(void)arg;
	for (int n = 0; n < 16; n++) {
		uint8_t st = inb(KBC_STATUS);
		if (!(st & KBC_STATUS_OUTPUT_FULL))
			break;
		uint8_t b = inb(KBC_DATA);
		if (!(st & KBC_STATUS_AUX))
			ps2kbd_scancode(b);
	}
}

void ps2kbd_init(void)
{
	/* Discard whatever the firmware left in the output buffer. */
	for (int n = 0; n < 32 && (inb(KBC_STATUS) & KBC_STATUS_OUTPUT_FULL); n++)
		(void)inb(KBC_DATA);
	irq_install(KBD_IRQ, ps2kbd_irq, NULL);
}
