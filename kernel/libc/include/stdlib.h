/* The freestanding kernel's stdlib.h: number parsing. */
#ifndef PIGEON_STDLIB_H
#define PIGEON_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);
unsigned long long strtoull(const char *s, char **end, int base);

#endif
