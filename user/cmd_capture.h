/* Packet capture to COM2 as a pcap stream (`capture start|stop|status`).
 *
 * Every frame the stack sends or receives is copied (up to the snap length)
 * into a bounded ring by the net/capture.h hook; a kernel thread writes the
 * ring to the second serial port. A full ring costs a capture record, never
 * a packet: the frame goes on and is counted as not captured.
 * Format: the libpcap file format (LINKTYPE_ETHERNET, microsecond stamps),
 * as in https://wiki.wireshark.org/Development/LibpcapFileFormat. */
#ifndef USER_CMD_CAPTURE_H
#define USER_CMD_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

struct capture_stats {
	bool running;
	uint64_t frames;        /* copied into the ring */
	uint64_t not_captured;  /* seen while the ring was full */
	uint64_t truncated;     /* longer than the snap length, cut */
	uint64_t written;       /* records written to the port */
	uint64_t bytes;         /* bytes written to the port, header included */
	uint32_t pending;       /* records waiting in the ring */
};

/* Start capturing (the first start of a boot writes the pcap file header).
 * Returns false when there is no second serial port. */
bool capture_start(void);
void capture_stop(void);
void capture_stats_get(struct capture_stats *st);

#endif
