/* Command line sources for the UEFI loader: a text file beside the kernel
 * (preferred: easy to edit with mtools) or the image's LoadOptions (UEFI
 * 2.10 section 9.1, EFI_LOADED_IMAGE_PROTOCOL: LoadOptionsSize bytes,
 * UCS-2 when set by the UEFI shell or a boot entry made for it). */
#include "boot/efi/cmdline.h"

#include <stdbool.h>

enum { UCS2_SPACE = 0x20, UCS2_TILDE = 0x7e };

static bool is_space(char c)
{
	return c == ' ';
}

/* Drop white space at both ends of out[0..len) and terminate it. */
static int trim(char *out, size_t len)
{
	size_t start = 0;

	while (len > 0 && is_space(out[len - 1]))
		len--;
	while (start < len && is_space(out[start]))
		start++;
	for (size_t i = start; i < len; i++)
		out[i - start] = out[i];
	out[len - start] = '\0';
	return (int)(len - start);
}

static char line_char(unsigned c)
{
	if (c == '\r' || c == '\n' || c == '\t')
		return ' ';
	if (c < UCS2_SPACE || c > UCS2_TILDE)
		return '?';
	return (char)c;
}

int cmdline_from_file(const uint8_t *bytes, size_t n, char *out, size_t outlen)
{
	size_t len = 0;

	if (!outlen)
		return CMDLINE_ETOOLONG;
	out[0] = '\0';
	/* Trailing white space may be what makes it too long: keep counting. */
	for (size_t i = 0; i < n; i++) {
		char c = line_char(bytes[i]);
		if (len + 1 < outlen)
			out[len] = c;
		else if (!is_space(c))
			return out[0] = '\0', CMDLINE_ETOOLONG;
		else
			continue;
		len++;
	}
	return trim(out, len);
}

/* Does the word out[0..len) end in ".efi", in any case? */
static bool ends_in_efi(const char *w, size_t len)
{
	static const char suffix[] = ".efi";
	if (len < sizeof suffix - 1)
		return false;
	for (size_t i = 0; i < sizeof suffix - 1; i++) {
		char c = w[len - (sizeof suffix - 1) + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != suffix[i])
			return false;
	}
	return true;
}

int cmdline_from_ucs2(const uint8_t *opts, size_t bytes, char *out, size_t outlen)
{
	size_t len = 0, word;
	int n;

	if (!outlen)
		return CMDLINE_ETOOLONG;
	out[0] = '\0';
	for (size_t i = 0; i + 1 < bytes; i += 2) {
		unsigned c = (unsigned)opts[i] | (unsigned)opts[i + 1] << 8;
		if (c == 0)
			break;
		if (line_char(c) == '?' && c != '?')
			return CMDLINE_ENOTTEXT;
		if (len + 1 >= outlen)
			return out[0] = '\0', CMDLINE_ETOOLONG;
		out[len++] = line_char(c);
	}
	n = trim(out, len);
	for (word = 0; word < (size_t)n && !is_space(out[word]); word++)
		;
	if (ends_in_efi(out, word)) {
		for (size_t i = word; i <= (size_t)n; i++)
			out[i - word] = out[i];
		n = trim(out, (size_t)n - word);
	}
	return n;
}
