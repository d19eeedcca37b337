/* Declares the kernel libc under its host-test names (pg_memcpy, ...) and
 * leaves the plain names to glibc, the reference the tests compare with.
 * Include after the system headers and tests/unit/check.h. */
#ifndef TESTS_UNIT_KERNEL_PG_LIBC_H
#define TESTS_UNIT_KERNEL_PG_LIBC_H

#include "tests/unit/kernel/rename.h"

#include "kernel/libc/include/stdio.h"
#include "kernel/libc/include/stdlib.h"
#include "kernel/libc/include/string.h"
#include "kernel/printf.h"

/* From here on a plain name is glibc's; pg_NAME is the kernel's. */
#undef PG_RENAME
#define PG_RENAME(name) name

#endif
