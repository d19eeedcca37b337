/* Address-to-name lookup over the table the build embeds (kernel/ksyms.h). */
#include "kernel/ksyms.h"

#include <stddef.h>

/* One function, as tools/ksyms.awk writes it. size is 0 when nm did not know
 * it (assembly labels): such a symbol then covers up to the next one. */
struct ksym {
	uint64_t addr;
	uint64_t size;
	const char *name;
};

extern const struct ksym ksyms_table[];
extern const uint64_t ksyms_count;

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = (size_t)ksyms_count;

	/* Binary search for the last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct ksym *s = &ksyms_table[lo - 1];
	if (s->size != 0 && addr - s->addr >= s->size)
		return NULL;
	*offset = addr - s->addr;
	return s->name;
}
