/* PS/2 keyboard on the 8042 controller (IRQ 1), scancode set 1 as the
 * controller translates it. Keys go to console_input_key(). */
#ifndef DRIVERS_PS2KBD_H
#define DRIVERS_PS2KBD_H

void ps2kbd_init(void);

#endif
