/* The kernel's string.h: memory and C-string primitives (C11 7.24 and the
 * BSD strlcpy/strlcat contracts).
 *
 * gcc emits calls to memcpy, memmove, memset and memcmp on its own (struct
 * copies, zeroing, loops it recognises), so these four must never be compiled
 * back into calls to themselves: NO_LIBCALL turns that recognition off for
 * each function body. Bulk copies move 8-byte words through an unaligned,
 * may_alias type: x86-64 allows unaligned loads, and under QEMU TCG a word
 * loop costs an eighth of a byte loop. */
#include <string.h>

#include <stdint.h>

#include <ctype.h>

#if defined(__clang__)
#define NO_LIBCALL __attribute__((no_builtin))
#else
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/* One machine word that may sit at any address and alias any object. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

enum { WORD = sizeof(word_t) };

NO_LIBCALL void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
		*(word_t *)d = *(const word_t *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Copies forward when dst is below src (each word is read before the write
 * that could overlap it), backward otherwise, so overlap never corrupts. */
NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if ((uintptr_t)d < (uintptr_t)s) {
		for (; n >= WORD; n -= WORD, d += WORD, s += WORD) {
			word_t w = *(const word_t *)s;
			*(word_t *)d = w;
		}
		while (n--)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		for (; n >= WORD; n -= WORD) {
			d -= WORD;
			s -= WORD;
			word_t w = *(const word_t *)s;
			*(word_t *)d = w;
		}
		while (n--)
			*--d = *--s;
	}
	return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t w = (unsigned char)c * 0x0101010101010101ull;

	for (; n >= WORD; n -= WORD, d += WORD)
		*(word_t *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Skip equal words quickly; the differing byte is found bytewise. */
	for (; n >= WORD && *(const word_t *)p == *(const word_t *)q; n -= WORD) {
		p += WORD;
		q += WORD;
	}
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

NO_LIBCALL void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			break;
	}
	return 0;
}

int strcasecmp(const char *a, const char *b)
{
	return strncasecmp(a, b, SIZE_MAX);
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		int x = tolower(*p), y = tolower(*q);
		if (x != y)
			return x - y;
		if (!x)
			break;
	}
	return 0;
}

/* strchr(s, 0) finds the terminator, as C requires. */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/* Naive search: kernel strings are short, and it needs no table. */
char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return (char *)hay;
	for (; *hay; hay++)
		if (*hay == *needle && strncmp(hay, needle, n) == 0)
			return (char *)hay;
	return NULL;
}

/* Copies at most size-1 bytes and terminates when size > 0. Returns
 * strlen(src), so truncation is detected by a result >= size. */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* Appends src to the string in dst, a buffer of size bytes. Returns the
 * length it tried to create: strnlen(dst, size) + strlen(src). An
 * unterminated dst (no NUL in size bytes) is left untouched. */
size_t strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return size + strlen(src);
	return dlen + strlcpy(dst + dlen, src, size - dlen);
}

size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;
	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;
	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}
