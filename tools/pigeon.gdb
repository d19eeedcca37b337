# gdb script for Pigeon: `make debug` in one terminal (QEMU paused, gdb stub
# on :1234), `make gdb` in another. Set $pigeon_port first for another port.
#
# The kernel starts in 32-bit protected mode (multiboot) and switches to long
# mode in boot/: gdb is told the architecture is x86-64 from the start so it
# reads QEMU's 64-bit register set. Use hardware breakpoints (`hbreak kmain`)
# for anything before the kernel is loaded: QEMU copies the image into RAM
# after gdb attaches, which would overwrite a software breakpoint's int3.
set confirm off
set pagination off
set architecture i386:x86-64
file build/pigeon.elf
if $_isvoid($pigeon_port)
	set $pigeon_port = 1234
end
eval "target remote localhost:%d", $pigeon_port
