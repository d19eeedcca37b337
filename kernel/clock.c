/* Clocks: the 8254 PIT interrupts at PIT_HZ, and the TSC, calibrated against
 * PIT channel 2, gives microseconds. Port and mode bits from the Intel 8254
 * datasheet; channel 2's gate is bit 0 of port 0x61. */
#include "kernel/clock.h"

#include <stdbool.h>
#include <stddef.h>

#include "kernel/io.h"
#include "kernel/irq.h"

enum {
	PIT_CH0 = 0x40,
	PIT_CH2 = 0x42,
	PIT_CMD = 0x43,
	PIT_CMD_CH0 = 0x00, PIT_CMD_CH2 = 0x80,
	PIT_CMD_LOHI = 0x30,
	PIT_CMD_MODE0 = 0x00, /* interrupt on terminal count */
	PIT_CMD_MODE2 = 0x04, /* rate generator */
	PIT_INPUT_HZ = 1193182,
	PORT_NMI_SC = 0x61,   /* system control port B */
	NMI_SC_GATE2 = 0x01,
	NMI_SC_SPEAKER = 0x02,
	NMI_SC_OUT2 = 0x20,
	PIT_IRQ = 0,
	CALIBRATE_MS = 3,
	CALIBRATE_RUNS = 5,
};

static uint64_t tsc_khz = 1000000; /* until calibrated: assume 1 GHz */
static uint64_t tsc_boot;
static volatile uint64_t ticks;

/* TSC cycles while PIT channel 2 counts down ms milliseconds. */
static uint64_t clock_measure_cycles(unsigned ms)
{
	uint16_t count = (uint16_t)(PIT_INPUT_HZ * ms / 1000);
	uint8_t sc = inb(PORT_NMI_SC);
	outb(PORT_NMI_SC, (sc & ~NMI_SC_SPEAKER) & ~NMI_SC_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2 | PIT_CMD_LOHI | PIT_CMD_MODE0);
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, count >> 8);
	/* The gate's rising edge starts the count. */
	sc = inb(PORT_NMI_SC);
	outb(PORT_NMI_SC, sc | NMI_SC_GATE2);
	uint64_t start = rdtsc();
	uint64_t spins = 0;
	while (!(inb(PORT_NMI_SC) & NMI_SC_OUT2) && ++spins < 100000000)
		;
	uint64_t cycles = rdtsc() - start;
	outb(PORT_NMI_SC, sc & ~NMI_SC_GATE2);
	return cycles;
}

/* Several short measurements, keeping the smallest: under emulation the
 * virtual CPU can be descheduled in the middle of one, which only ever
 * adds cycles (on a loaded host single 10 ms runs read 30-60% high). */
static uint64_t clock_calibrate_tsc_khz(void)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < CALIBRATE_RUNS; i++) {
		uint64_t c = clock_measure_cycles(CALIBRATE_MS);
		if (c < best)
			best = c;
	}
	uint64_t khz = best / CALIBRATE_MS;
	return khz > 1000 ? khz : 1000000;
}

static void clock_tick(void *arg)
{
	(void)arg;
	ticks++;
}

static void pit_program(uint8_t mode, uint16_t count)
{
	outb(PIT_CMD, PIT_CMD_CH0 | PIT_CMD_LOHI | mode);
	outb(PIT_CH0, count & 0xff);
	outb(PIT_CH0, count >> 8);
}

void clock_init(void)
{
	tsc_boot = rdtsc();
	tsc_khz = clock_calibrate_tsc_khz();
	pit_program(PIT_CMD_MODE2, PIT_INPUT_HZ / PIT_HZ);
	irq_install(PIT_IRQ, clock_tick, NULL);
}

static bool oneshot_armed;

void clock_idle_oneshot(uint64_t us)
{
	uint64_t max_us = 0xffffull * 1000000 / PIT_INPUT_HZ;
	if (us > max_us)
		us = max_us;
	uint64_t count = us * PIT_INPUT_HZ / 1000000;
	pit_program(PIT_CMD_MODE0, (uint16_t)(count ? count : 1));
	oneshot_armed = true;
}

void clock_resume_periodic(void)
{
	if (!oneshot_armed)
		return;
	oneshot_armed = false;
	pit_program(PIT_CMD_MODE2, PIT_INPUT_HZ / PIT_HZ);
}

uint64_t now_us(void)
{
	uint64_t cycles = rdtsc() - tsc_boot;
	/* cycles * 1000 / khz without overflow for centuries of uptime */
	return cycles / tsc_khz * 1000 + (cycles % tsc_khz) * 1000 / tsc_khz;
}

uint64_t now_ms(void) { return now_us() / 1000; }
uint64_t clock_tsc_khz(void) { return tsc_khz; }
uint64_t clock_ticks(void) { return ticks; }

void udelay(uint64_t us)
{
	uint64_t end = now_us() + us;
	while (now_us() < end)
		cpu_relax();
}
