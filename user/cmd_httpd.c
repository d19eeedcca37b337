/* httpd: start, stop and show Pigeon's background web server
 * (user/httpd.h). The shell stays usable while it serves. */
#include <string.h>

#include "kernel/printf.h"
#include "net/err.h"
#include "net/netif.h"
#include "user/command.h"
#include "user/httpd.h"
#include "user/netfmt.h"
#include "user/shell.h"

static void httpd_print_status(void)
{
	struct httpd_status st;
	httpd_get_status(&st);
	if (!st.running) {
		kprintf("httpd: not running (start it with httpd [PORT])\n");
		return;
	}
	kprintf("httpd: port %u, up %llu s, %llu connections, %llu requests (%llu errors), %u active (peak %u, at most %u)\n",
		st.port, (unsigned long long)(st.up_ms / 1000), (unsigned long long)st.connections,
		(unsigned long long)st.requests, (unsigned long long)st.errors, st.active, st.peak, HTTPD_CONNS_MAX);
}

static int httpd_run(int argc, char **argv)
{
	unsigned long port = HTTPD_PORT_DEFAULT;
	struct httpd_status st;

	if (argc > 2)
		return shell_usage_error("httpd", "one argument at most");
	if (argc == 2 && strcmp(argv[1], "stop") == 0) {
		int err = httpd_stop();
		if (err == NET_ENOTCONN) {
			kprintf("httpd: not running\n");
			return 1;
		}
		kprintf(err ? "httpd: stopped (some connections were still closing)\n" : "httpd: stopped\n");
		return 0;
	}
	httpd_get_status(&st);
	if (argc == 2 && strcmp(argv[1], "status") == 0) {
		httpd_print_status();
		return st.running ? 0 : 1;
	}
	if (argc == 1 && st.running) {
		httpd_print_status();
		return 0;
	}
	if (argc == 2 && netfmt_parse_uint(argv[1], 1, 65535, &port) != 0)
		return shell_usage_error("httpd", "PORT is a number from 1 to 65535, or stop, or status; not %s", argv[1]);
	int err = httpd_start((uint16_t)port);
	if (err) {
		kprintf("httpd: port %lu: %s\n", port, st.running ? "already serving (httpd stop first)" : net_strerror(err));
		return 1;
	}
	struct netif *nif = netif_default();
	kprintf("httpd: serving http://%s:%lu/ in the background (httpd stop ends it)\n",
		nif && nif->ip ? netfmt_ip(nif->ip) : "0.0.0.0", port);
	return 0;
}

COMMAND(httpd, .name = "httpd", .usage = "httpd [PORT | stop | status]",
	.summary = "serve HTTP/1.1 in the background: a status page, /hello.txt, /pigeon.html, /whoami",
	.example = "httpd 80   (then httpd shows its counters; httpd stop ends it)", .run = httpd_run);
