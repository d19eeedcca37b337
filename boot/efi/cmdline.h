/* The kernel command line for the UEFI loader, from a `cmdline` file's
 * bytes or from the image's LoadOptions (UCS-2): plain C, host-tested. */
#ifndef BOOT_EFI_CMDLINE_H
#define BOOT_EFI_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

enum {
	CMDLINE_ETOOLONG = -1,         /* does not fit out (with its NUL) */
	CMDLINE_ENOTTEXT = -2,         /* LoadOptions hold something other than text */
};

/* The bytes of a cmdline file as one line: CR, LF and tab become spaces,
 * other control bytes and non-ASCII become '?', white space at both ends
 * is dropped. Returns the length written to out (always terminated), or
 * CMDLINE_ETOOLONG (out is then ""). */
int cmdline_from_file(const uint8_t *bytes, size_t n, char *out, size_t outlen);

/* LoadOptions of `bytes` bytes as UCS-2 little-endian text, up to a NUL.
 * Only printable ASCII, tab, CR and LF count as text (firmware boot
 * entries often carry binary data here). A first word ending in ".efi"
 * (any case) is the image's own name, as the UEFI shell passes it, and is
 * dropped. Returns the length written to out, CMDLINE_ENOTTEXT or
 * CMDLINE_ETOOLONG (out is then ""). */
int cmdline_from_ucs2(const uint8_t *opts, size_t bytes, char *out, size_t outlen);

#endif
