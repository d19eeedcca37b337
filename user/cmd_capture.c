/* capture: every frame Pigeon sends and receives, as a pcap stream on COM2
 * (libpcap file format; LINKTYPE_ETHERNET from the tcpdump.org link-type
 * list). `make run PCAP=out.pcap` connects COM2 to a file. */
#include "user/cmd_capture.h"

#include <string.h>

#include "drivers/serial.h"
#include "kernel/clock.h"
#include "kernel/printf.h"
#include "kernel/sched.h"
#include "net/capture.h"
#include "user/command.h"
#include "user/shell.h"

enum {
	PCAP_MAGIC_USEC = 0xa1b2c3d4, /* microsecond timestamps, writer's byte order */
	PCAP_VERSION_MAJOR = 2,
	PCAP_VERSION_MINOR = 4,
	PCAP_LINKTYPE_ETHERNET = 1,
	PCAP_FILE_HLEN = 24,          /* magic, versions, thiszone, sigfigs, snaplen, network */
	PCAP_REC_HLEN = 16,           /* ts_sec, ts_usec, incl_len, orig_len */
	CAPTURE_SNAPLEN = 1514,       /* a whole Ethernet II frame without FCS */
	CAPTURE_SLOTS = 64,           /* ring size: about 100 KB */
	CAPTURE_BURST = 64,           /* bytes written between checks for a full UART */
};

struct capture_slot {
	uint64_t ts_us;
	uint32_t orig_len;
	uint32_t incl_len;
	uint8_t data[CAPTURE_SNAPLEN];
};

/* One capture per machine. Only threads touch it (the hook runs in netd or in
 * the thread that sent), and threads switch only in yield(): no lock. */
static struct capture_slot cap_ring[CAPTURE_SLOTS];  /* bss, not image */

static struct {
	uint32_t head;  /* next slot the hook fills (free-running) */
	uint32_t tail;  /* next slot the drainer writes (free-running) */
	bool running;
	bool header_sent;
	struct thread *drainer;
	struct waitq wake;
	struct capture_stats st;
} cap = { .wake = WAITQ_INIT("capture") };

static void le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* The hook: copy and return. Never blocks, never touches the frame. */
static void capture_hook(enum net_capture_dir dir, const struct netif *nif, const struct netbuf *nb)
{
	(void)dir;
	(void)nif;
	if (cap.head - cap.tail >= CAPTURE_SLOTS) {
		cap.st.not_captured++;
		return;
	}
	struct capture_slot *s = &cap_ring[cap.head % CAPTURE_SLOTS];
	uint32_t n = nb->len > CAPTURE_SNAPLEN ? CAPTURE_SNAPLEN : (uint32_t)nb->len;

	if (n < nb->len)
		cap.st.truncated++;
	s->ts_us = now_us();
	s->orig_len = (uint32_t)nb->len;
	s->incl_len = n;
	memcpy(s->data, nb->data, n);
	cap.head++;
	cap.st.frames++;
	waitq_wake_one(&cap.wake);
}

/* Write n bytes to COM2, yielding whenever the UART has no room, so that a
 * slow port slows the capture and never the network. */
static void capture_write(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i % CAPTURE_BURST == 0)
			while (!serial_tx_ready(COM2_BASE))
				yield();
		serial_putc(COM2_BASE, (char)p[i]);
	}
	cap.st.bytes += n;
}

static void capture_write_file_header(void)
{
	uint8_t h[PCAP_FILE_HLEN];

	le32_put(h + 0, PCAP_MAGIC_USEC);
	le16_put(h + 4, PCAP_VERSION_MAJOR);
	le16_put(h + 6, PCAP_VERSION_MINOR);
	le32_put(h + 8, 0);   /* thiszone: stamps are UTC (here: time since boot) */
	le32_put(h + 12, 0);  /* sigfigs */
	le32_put(h + 16, CAPTURE_SNAPLEN);
	le32_put(h + 20, PCAP_LINKTYPE_ETHERNET);
	capture_write(h, sizeof h);
}

static void capture_write_record(const struct capture_slot *s)
{
	uint8_t h[PCAP_REC_HLEN];

	le32_put(h + 0, (uint32_t)(s->ts_us / 1000000));
	le32_put(h + 4, (uint32_t)(s->ts_us % 1000000));
	le32_put(h + 8, s->incl_len);
	le32_put(h + 12, s->orig_len);
	capture_write(h, sizeof h);
	capture_write(s->data, s->incl_len);
}

/* The drainer: the only writer of COM2. A slot is released only after it
 * is written, so the hook never overwrites a record being sent. */
static void capture_thread(void *arg)
{
	(void)arg;
	for (;;) {
		while (cap.tail == cap.head)
			waitq_wait(&cap.wake, WAIT_FOREVER);
		capture_write_record(&cap_ring[cap.tail % CAPTURE_SLOTS]);
		cap.tail++;
		cap.st.written++;
		/* One record at a time: let netd and the shell run between. */
		yield();
	}
}

bool capture_start(void)
{
	if (!serial_present(COM2_BASE))
		return false;
	if (!cap.header_sent) {
		serial_init(COM2_BASE);
		capture_write_file_header();
		cap.header_sent = true;
	}
	if (!cap.drainer)
		cap.drainer = thread_create("capture", capture_thread, NULL);
	if (!cap.drainer)
		return false;
	cap.running = true;
	net_capture_hook = capture_hook;
	return true;
}

void capture_stop(void)
{
	net_capture_hook = NULL;
	cap.running = false;
}

void capture_stats_get(struct capture_stats *st)
{
	*st = cap.st;
	st->running = cap.running;
	st->pending = cap.head - cap.tail;
}

static void capture_status(void)
{
	struct capture_stats st;

	capture_stats_get(&st);
	kprintf("capture: %s, %llu frames captured, %llu not captured (ring full), %llu truncated\n",
		st.running ? "on" : "off", (unsigned long long)st.frames, (unsigned long long)st.not_captured,
		(unsigned long long)st.truncated);
	kprintf("  %llu records (%llu bytes) written to COM2, %u waiting\n", (unsigned long long)st.written,
		(unsigned long long)st.bytes, (unsigned)st.pending);
}

/* `capture stop` returns only once the ring is empty, so that a script's
 * next `poweroff` does not cut the file short. */
static void capture_flush(void)
{
	while (cap.tail != cap.head)
		sleep_ms(1);
}

static int cmd_capture(int argc, char **argv)
{
	if (argc != 2)
		return shell_usage_error("capture", "one word: start, stop or status");
	if (strcmp(argv[1], "start") == 0) {
		if (cap.running) {
			kprintf("capture: already on\n");
			return 0;
		}
		if (!capture_start()) {
			kprintf("capture: no second serial port (COM2): boot with `make run PCAP=out.pcap`\n");
			return 1;
		}
		kprintf("capture: on, writing pcap to COM2\n");
		return 0;
	}
	if (strcmp(argv[1], "stop") == 0) {
		capture_stop();
		capture_flush();
		capture_status();
		return 0;
	}
	if (strcmp(argv[1], "status") == 0) {
		capture_status();
		return 0;
	}
	return shell_usage_error("capture", "start, stop or status, not %s (try capture status)", argv[1]);
}

COMMAND(capture, .name = "capture", .usage = "capture start|stop|status",
	.summary = "record every frame sent and received as pcap on COM2 (make run PCAP=out.pcap)",
	.example = "capture start; fetch www.google.com; capture stop", .run = cmd_capture);
