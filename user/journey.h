/* The journey: the stack's trace events (net/trace.h) told as lines a
 * student can follow, layer by layer, in the order packets live them.
 * Events are queued by the observer (in whatever thread caused them) and
 * printed by a thread of their own, so the stack never waits on the slow
 * console. */
#ifndef USER_JOURNEY_H
#define USER_JOURNEY_H

#include <stdbool.h>

/* Start telling (a new session: times count from now, caches of what was
 * already said are forgotten). Returns false if it was already on. */
bool journey_start(void);
/* Stop, after everything queued so far has been printed. */
void journey_stop(void);
bool journey_active(void);
/* Queue a line from an application layer (fetch's [url] and [http]
 * steps), so it prints in order with the stack's events. */
void journey_say(const char *layer, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Wait until every queued event has been printed. */
void journey_flush(void);

#endif
