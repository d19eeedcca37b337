/* Formatted output: the formatter shared by kprintf, snprintf and the shell.
 * Formats: %d %i %u %x %X %o %p %s %c %% with flags '-', '0', '+', ' ', '#',
 * width and precision (also '*'), length modifiers hh h l ll z t j. */
#ifndef KERNEL_PRINTF_H
#define KERNEL_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Core formatter: emits each character through out(ctx, c); returns the
 * number of characters produced. */
int vcbprintf(void (*out)(void *ctx, char c), void *ctx, const char *fmt, va_list ap);

/* Print to the console (serial and screen). */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vkprintf(const char *fmt, va_list ap);

#endif
