/* Host builds of the kernel's libc: the one list of renamed names.
 *
 * kernel/libc/string.c, stdlib.c and kernel/printf.c define memcpy, strtoul,
 * snprintf and friends, which would clash with glibc's in a host test. They
 * are compiled with "-include tests/unit/kernel/rename.h", so each name
 * below becomes pg_NAME. A test reaches them by including
 * tests/unit/kernel/pg_libc.h, which declares the pg_ names from the kernel's
 * own headers and then switches the renaming off (PG_RENAME becomes the
 * identity), so the plain names mean glibc's again: the reference.
 * Add a name here when a kernel libc header gains a function. */
#ifndef TESTS_UNIT_KERNEL_RENAME_H
#define TESTS_UNIT_KERNEL_RENAME_H

#define PG_RENAME(name) pg_##name

/* kernel/libc/include/string.h */
#define memcpy PG_RENAME(memcpy)
#define memmove PG_RENAME(memmove)
#define memset PG_RENAME(memset)
#define memcmp PG_RENAME(memcmp)
#define memchr PG_RENAME(memchr)
#define strlen PG_RENAME(strlen)
#define strnlen PG_RENAME(strnlen)
#define strcmp PG_RENAME(strcmp)
#define strncmp PG_RENAME(strncmp)
#define strcasecmp PG_RENAME(strcasecmp)
#define strncasecmp PG_RENAME(strncasecmp)
#define strchr PG_RENAME(strchr)
#define strrchr PG_RENAME(strrchr)
#define strstr PG_RENAME(strstr)
#define strspn PG_RENAME(strspn)
#define strcspn PG_RENAME(strcspn)
#define strlcpy PG_RENAME(strlcpy)
#define strlcat PG_RENAME(strlcat)

/* kernel/libc/include/stdlib.h */
#define strtoul PG_RENAME(strtoul)
#define strtol PG_RENAME(strtol)
#define strtoull PG_RENAME(strtoull)

/* kernel/libc/include/stdio.h */
#define snprintf PG_RENAME(snprintf)
#define vsnprintf PG_RENAME(vsnprintf)

#endif
