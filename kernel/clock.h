/* Time: the PIT ticks at 1 kHz; the TSC, calibrated against the PIT,
 * gives a monotonic microsecond clock. */
#ifndef KERNEL_CLOCK_H
#define KERNEL_CLOCK_H

#include <stdint.h>

#define PIT_HZ 1000

void clock_init(void);
/* Monotonic time since boot. */
uint64_t now_us(void);
uint64_t now_ms(void);
/* TSC frequency found by calibration, in kHz. */
uint64_t clock_tsc_khz(void);
/* PIT interrupts since boot. */
uint64_t clock_ticks(void);
/* Tickless idle: while nothing runs, replace the 1 kHz tick with one
 * interrupt after us microseconds (at most ~55 ms, the PIT's range); the
 * periodic tick resumes with clock_resume_periodic(). Interrupts off. */
void clock_idle_oneshot(uint64_t us);
void clock_resume_periodic(void);
/* Busy-wait; only for early boot and device resets. */
void udelay(uint64_t us);

#endif
