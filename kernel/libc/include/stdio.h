/* The freestanding kernel's small stdio: string formatting only. */
#ifndef PIGEON_STDIO_H
#define PIGEON_STDIO_H

#include <stdarg.h>
#include <stddef.h>

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
