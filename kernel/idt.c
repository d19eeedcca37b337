/* IDT setup and the first-level dispatch: exceptions to the panic report,
 * hardware interrupts to kernel/irq.c. */
#include "kernel/idt.h"

#include "kernel/gdt.h"
#include "kernel/irq.h"
#include "kernel/panic_report.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate is 16 bytes");

enum { IDT_INTERRUPT_GATE = 0x8E, IDT_ENTRIES = 256 };

extern const uint64_t isr_stub_table[48];
extern void isr_stub_255(void);

static struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16)));

static void idt_set(unsigned v, uint64_t handler, uint8_t ist)
{
	idt[v] = (struct idt_gate){
		.offset_lo = handler & 0xffff,
		.selector = GDT_KERNEL_CODE,
		.ist = ist,
		.type_attr = IDT_INTERRUPT_GATE,
		.offset_mid = (handler >> 16) & 0xffff,
		.offset_hi = handler >> 32,
	};
}

void idt_init(void)
{
	for (unsigned v = 0; v < 48; v++)
		idt_set(v, isr_stub_table[v], 0);
	idt_set(VEC_DOUBLE_FAULT, isr_stub_table[VEC_DOUBLE_FAULT], IST_DOUBLE_FAULT);
	idt_set(VEC_NMI, isr_stub_table[VEC_NMI], IST_NMI);
	idt_set(VEC_MACHINE_CHECK, isr_stub_table[VEC_MACHINE_CHECK], IST_MACHINE_CHECK);
	idt_set(VEC_SPURIOUS, (uint64_t)isr_stub_255, 0);
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = { sizeof idt - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

static const char *const exception_names[32][2] = {
	{ "Divide Error", "#DE" },
	{ "Debug", "#DB" },
	{ "Non-Maskable Interrupt", "NMI" },
	{ "Breakpoint", "#BP" },
	{ "Overflow", "#OF" },
	{ "BOUND Range Exceeded", "#BR" },
	{ "Invalid Opcode", "#UD" },
	{ "Device Not Available", "#NM" },
	{ "Double Fault", "#DF" },
	{ "Coprocessor Segment Overrun", "CSO" },
	{ "Invalid TSS", "#TS" },
	{ "Segment Not Present", "#NP" },
	{ "Stack-Segment Fault", "#SS" },
	{ "General Protection", "#GP" },
	{ "Page Fault", "#PF" },
	{ "Reserved", "-" },
	{ "x87 Floating-Point Error", "#MF" },
	{ "Alignment Check", "#AC" },
	{ "Machine Check", "#MC" },
	{ "SIMD Floating-Point", "#XM" },
	{ "Virtualization", "#VE" },
	{ "Control Protection", "#CP" },
	{ "Reserved", "-" }, { "Reserved", "-" }, { "Reserved", "-" }, { "Reserved", "-" },
	{ "Reserved", "-" }, { "Reserved", "-" },
	{ "Hypervisor Injection", "#HV" },
	{ "VMM Communication", "#VC" },
	{ "Security", "#SX" },
	{ "Reserved", "-" },
};

const char *exception_name(unsigned v) { return v < 32 ? exception_names[v][0] : "Interrupt"; }
const char *exception_mnemonic(unsigned v) { return v < 32 ? exception_names[v][1] : "IRQ"; }

void isr_dispatch(struct int_frame *f)
{
	if (f->vector < 32)
		panic_exception(f);
	if (f->vector >= IRQ_VECTOR_BASE && f->vector < IRQ_VECTOR_BASE + IRQ_LINES) {
		irq_dispatch((unsigned)(f->vector - IRQ_VECTOR_BASE));
		return;
	}
	/* Vector 255: the spurious vector; nothing to acknowledge. */
}
