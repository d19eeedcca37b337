# Pigeon: build, run and test. `make run` boots it; `make test` proves it.
# One source list for net/ (net/sources.mk) serves the kernel and the host tests.

BUILD := build
CC := gcc
LD := ld
HOSTCC := gcc
PYTHON := /usr/bin/python3
QEMU := qemu-system-x86_64
ACCEL ?= tcg
MEM ?= 128

# Speed where packets go (-O2); size for the shell and its commands (-Os),
# which run once per line typed: about 18 KiB less image.
KERNEL_OPT = -O2
KERNEL_CFLAGS = -std=gnu11 $(KERNEL_OPT) -g -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror -I. -isystem kernel/libc/include -MMD -MP
KERNEL_ASFLAGS := -I. -MMD -MP
KERNEL_LDFLAGS := -n -nostdlib -z noexecstack -z max-page-size=0x1000 --no-warn-rwx-segments -T linker.ld
HOST_CFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -I.

NET_SRCS :=
-include net/sources.mk

KERNEL_SRCS := $(wildcard kernel/*.c kernel/libc/*.c drivers/*.c user/*.c) $(NET_SRCS)
KERNEL_ASMS := $(wildcard boot/*.S kernel/*.S)
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(KERNEL_SRCS)) $(patsubst %.S,$(BUILD)/obj/%.o,$(KERNEL_ASMS))
USER_HOT_SRCS := user/fetch.c user/http.c user/http_wire.c user/sha256.c
$(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(USER_HOT_SRCS),$(wildcard user/*.c))): KERNEL_OPT = -Os

# Host unit tests: each tests/unit/<area>/unit.mk appends to UNIT_TESTS.
UNIT_TESTS :=
include $(wildcard tests/unit/*/unit.mk)
# Fuzzing (tests/fuzz/): make fuzz, make fuzz-test; FUZZ_BINS, FUZZ_TESTS.
include tests/fuzz/fuzz.mk
# make test replays every saved input and smokes each target briefly.
FUZZ_TEST_SMOKE_SECONDS ?= 8
FUZZ_TEST_TARGETS := $(FUZZ_ALL)

# Packages a fresh Debian/Ubuntu machine needs for build, run and test.
DEB_PACKAGES := build-essential binutils qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common \
	xorriso mtools dnsmasq-base iproute2 nginx-light iputils-ping python3 python3-scapy tcpdump ovmf gnu-efi clang \
	tshark gdb bear cppcheck clang-tidy clang-format gnuplot-nox ipxe-qemu curl wrk nftables libclang-rt-14-dev
# The tools whose absence means `make deps` has not run yet.
DEP_TOOLS := $(QEMU) grub-mkrescue xorriso mformat dnsmasq ip nginx ping nft wrk curl

QEMU_BASE := $(QEMU) -accel $(ACCEL) -m $(MEM) -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_NET_USER := -netdev user,id=net0 -device e1000,netdev=net0
QEMU_CONSOLE := -display none -chardev stdio,id=con,mux=on,signal=off -serial chardev:con \
	-mon chardev=con,mode=readline
# PCAP=out.pcap: COM2 (Pigeon's `capture start`) goes to that file.
# PCAP_HOST=out.pcap: QEMU's own capture of the NIC, to compare with.
QEMU_FILTER_DUMP = -object filter-dump,id=f0,netdev=net0,file=$(PCAP_HOST)
QEMU_CAPTURE = $(if $(PCAP),-serial file:$(PCAP)) $(if $(PCAP_HOST),$(QEMU_FILTER_DUMP))
NETLAB_CAPTURE = $(if $(PCAP),--pcap $(PCAP)) $(if $(PCAP_HOST),--pcap-host $(PCAP_HOST))

.PHONY: all iso run run-direct tap demo netlab-shell soak bench matrix test unit qemu-test clean deps check-deps \
	debug gdb format lint compile_commands.json
.DEFAULT_GOAL := all

all: $(BUILD)/pigeon.elf $(BUILD)/pigeon.iso

iso: $(BUILD)/pigeon.iso

# V=1 shows every command.
Q := $(if $(V),,@)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(KERNEL_ASFLAGS) -c $< -o $@

# The image, plus a disassembly and a symbol listing to look fault addresses up in.
# Two links: the first, with an empty symbol table, gives the function
# addresses; tools/ksyms.awk turns them into the table kernel/ksyms.c searches
# (for named panic backtraces); the second link adds it. The table lives in
# .rodata, after .text, so no function moves: checked below.
$(BUILD)/pigeon.elf: $(KERNEL_OBJS) linker.ld tools/ksyms.awk
	@$(if $(Q),echo "  LD      $@")
	$(Q)awk -f tools/ksyms.awk < /dev/null > $(BUILD)/ksyms0.S
	$(Q)$(CC) -c $(BUILD)/ksyms0.S -o $(BUILD)/ksyms0.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $(BUILD)/pigeon.pass1.elf $(KERNEL_OBJS) $(BUILD)/ksyms0.o
	$(Q)nm -n -S --defined-only $(BUILD)/pigeon.pass1.elf | awk -f tools/ksyms.awk > $(BUILD)/ksyms.S
	$(Q)$(CC) -c $(BUILD)/ksyms.S -o $(BUILD)/ksyms.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.o
	$(Q)nm -n $(BUILD)/pigeon.pass1.elf | grep ' [TtWw] ' > $(BUILD)/ksyms.pass1.txt
	$(Q)nm -n $@ | grep ' [TtWw] ' | cmp -s - $(BUILD)/ksyms.pass1.txt || \
		{ echo "ksyms: the symbol table moved functions; see tools/ksyms.awk"; rm -f $@; exit 1; }
	$(Q)objdump -d -M intel -S $@ > $(BUILD)/pigeon.asm
	$(Q)nm -n $@ > $(BUILD)/pigeon.sym
	@size $@

$(BUILD)/pigeon.iso: $(BUILD)/pigeon.elf boot/grub.cfg
	@$(MAKE) --no-print-directory check-deps
	@rm -rf $(BUILD)/isodir && mkdir -p $(BUILD)/isodir/boot/grub
	cp $(BUILD)/pigeon.elf $(BUILD)/isodir/boot/pigeon.elf
	cp boot/grub.cfg $(BUILD)/isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/isodir 2> $(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }

# `make run`: GRUB from the ISO, user-mode networking, serial on this terminal.
# Quit with `poweroff` at the prompt, or Ctrl-A then X.
run: $(BUILD)/pigeon.iso
	@$(MAKE) --no-print-directory check-deps
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) $(QEMU_CAPTURE) -cdrom $(BUILD)/pigeon.iso -boot d

# The fast path: qemu loads the ELF directly (multiboot1).
run-direct: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) $(QEMU_CAPTURE) -kernel $(BUILD)/pigeon.elf -append '$(APPEND)'

# `make debug`: QEMU paused at the first instruction, its gdb stub on :1234;
# then `make gdb` in another terminal stops in kmain (tools/pigeon.gdb).
debug: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) $(QEMU_CAPTURE) -kernel $(BUILD)/pigeon.elf \
		-append '$(APPEND)' -s -S

gdb: $(BUILD)/pigeon.elf
	gdb -q -x tools/pigeon.gdb -ex 'hbreak kmain' -ex continue

# The offline internet on this terminal: DHCP, DNS for www.google.com, the
# test web server. `make netlab-shell` (another terminal) opens a shell in it.
tap: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/netlab/interactive.py tap $(NETLAB_CAPTURE) $(if $(TOPO),--topo $(TOPO))

# The journey, told: boots with autorun="dhcp -s -w; fetch -v www.google.com; poweroff".
# TOPO=story: two Pigeons, client and server, and both ends of one fetch.
demo: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/netlab/interactive.py demo $(NETLAB_CAPTURE) $(if $(TOPO),--topo $(TOPO))

netlab-shell:
	@test -s $(BUILD)/netlab.ns || { echo "no netlab is running (start one with make tap)"; exit 1; }
	ip netns exec $$(cat $(BUILD)/netlab.ns) bash

# Minutes, not seconds: 1000 fetches and 10 DHCP renewals with the counters
# back at their baseline every 100, then 64 MiB into Pigeon through hostile
# links for ten seeds (the relay and netem).
soak: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/qemu/soak_fetch.py --fetches 1000 --renewals 10
	$(PYTHON) tests/qemu/soak_tcp.py --mib 64 --seeds 1-10
	$(PYTHON) tests/qemu/soak_httpd.py --seconds 30 --connections 50

unit: $(UNIT_TESTS)
	@$(PYTHON) tests/run unit $(UNIT_TESTS)

qemu-test: all
	@$(PYTHON) tests/run qemu $(PYTHON) tests/qemu/run.py

# Everything: host unit tests, then the QEMU tests; one summary line at the end.
test: check-deps all $(UNIT_TESTS) $(FUZZ_BINS)
	@$(PYTHON) tests/run all --unit $(UNIT_TESTS) --qemu $(PYTHON) tests/qemu/run.py \
		--cmd $(PYTHON) tests/bench/bench.py --quick \
		--cmd env FUZZ_SMOKE_SECONDS=$(FUZZ_TEST_SMOKE_SECONDS) $(PYTHON) $(FUZZ_TESTS) $(FUZZ_TEST_TARGETS)

# Pigeon against a Linux guest and iPXE on the same virtual NIC, five runs
# interleaved: build/bench/results.md, results.json and throughput.png.
bench: all
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/bench/bench.py

# The impairment matrix (catalog E1): fetch 10 MiB and the home page under
# every fault profile P0-P12; MATRIX_ARGS="--runs 20 --via relay,netem".
matrix: all
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/bench/matrix.py $(MATRIX_ARGS)

check-deps:
	@missing=""; for t in $(DEP_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then echo "missing:$$missing; running make deps"; $(MAKE) --no-print-directory deps; fi

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEB_PACKAGES)

# Code health. `make format` rewrites our C files in place (.clang-format);
# `make lint` must stay at zero findings:
#  clang-tidy bugprone-*, without the checks that flag our conventions, not bugs:
#   easily-swappable-parameters (every (addr, port) pair), reserved-identifier
#   (linker symbols such as _kernel_start), macro-parentheses (macros that
#   paste names or take statements), implicit-widening-of-multiplication-result
#   and narrowing-conversions (small constant products, char arithmetic on
#   checked ranges), branch-clone (one branch per RFC step, even when two
#   do the same), signed-char-misuse (printf's %hhd is signed on purpose);
#  cppcheck warning+portability, with tools/cppcheck.supp.
LINT_SRCS = $(sort $(wildcard kernel/*.c kernel/libc/*.c drivers/*.c net/*.c user/*.c))
TIDY_CHECKS := -*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,\
-bugprone-macro-parentheses,-bugprone-implicit-widening-of-multiplication-result,\
-bugprone-narrowing-conversions,-bugprone-branch-clone,-bugprone-signed-char-misuse
TIDY_CFLAGS := -std=gnu11 -ffreestanding -fno-pic -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-I. -isystem kernel/libc/include

format:
	clang-format -i $(sort $(wildcard boot/*.c kernel/*.[ch] kernel/libc/*.c kernel/libc/include/*.h \
		drivers/*.[ch] net/*.[ch] user/*.[ch] tests/unit/*/*.[ch]))

lint:
	clang-tidy --quiet --warnings-as-errors='*' -checks='$(TIDY_CHECKS)' $(LINT_SRCS) -- $(TIDY_CFLAGS)
	cppcheck --quiet --enable=warning,portability --inline-suppr --suppressions-list=tools/cppcheck.supp \
		--std=c11 -I. -Ikernel/libc/include -D__x86_64__ --error-exitcode=1 kernel drivers net user
	@echo "lint: clean"

# For editors and clangd: every kernel compile, as make ran it (a full
# build in a separate directory, so that bear sees every command).
compile_commands.json: $(KERNEL_SRCS)
	rm -rf $(BUILD)/bear
	bear --output $@ -- $(MAKE) --no-print-directory BUILD=$(BUILD)/bear $(BUILD)/bear/pigeon.elf

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- UEFI: the gnu-efi loader (boot/efi/) and a FAT ESP image --------------
# `make efi` builds build/BOOTX64.EFI and build/pigeon-efi.img, a FAT image
# (no partition table) holding EFI/BOOT/BOOTX64.EFI, pigeon.elf and cmdline;
# `make run-efi` boots it with OVMF, serial on this terminal. EFI_CMDLINE
# is the kernel command line written to the image's cmdline file, e.g.
# make run-efi EFI_CMDLINE='autorun="fetch www.google.com"'.
# `make iso` needs nothing from here: grub-mkrescue puts GRUB for BIOS and
# for UEFI in the same ISO, and both boot the kernel through multiboot2.
.PHONY: efi run-efi efi-cmdline-force efi-check-deps
EFI_CMDLINE ?=
OVMF := /usr/share/ovmf/OVMF.fd
EFI_IMG_MIB := 16
EFI_SRCS := $(wildcard boot/efi/*.c)
EFI_OBJS := $(patsubst %.c,$(BUILD)/efi/%.o,$(EFI_SRCS))
EFI_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I. -I/usr/include/efi -I/usr/include/efi/x86_64 \
	-fpic -ffreestanding -fno-stack-protector -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-DEFI_FUNCTION_WRAPPER -MMD -MP
EFI_LDFLAGS := -nostdlib -shared -Bsymbolic -znocombreloc -T /usr/lib/elf_x86_64_efi.lds
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc

all: $(BUILD)/BOOTX64.EFI $(BUILD)/pigeon-efi.img
efi: $(BUILD)/BOOTX64.EFI $(BUILD)/pigeon-efi.img

# gnu-efi is a library, not a tool on PATH: check-deps cannot see it.
efi-check-deps:
	@test -e /usr/lib/crt0-efi-x86_64.o -a -e /usr/include/efi/efi.h -a -e $(OVMF) || \
		{ echo "missing: gnu-efi or ovmf; running make deps"; $(MAKE) --no-print-directory deps; }

$(BUILD)/efi/%.o: %.c | efi-check-deps
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EFICC   $<")
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/loader.so: $(EFI_OBJS)
	$(Q)$(LD) $(EFI_LDFLAGS) /usr/lib/crt0-efi-x86_64.o $(EFI_OBJS) -L/usr/lib -lefi -lgnuefi -o $@

$(BUILD)/BOOTX64.EFI: $(BUILD)/efi/loader.so
	@$(if $(Q),echo "  EFI     $@")
	$(Q)objcopy $(EFI_SECTIONS) --target efi-app-x86_64 $< $@

# Rewritten only when EFI_CMDLINE changed, so the image follows it.
$(BUILD)/efi/cmdline: efi-cmdline-force
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(EFI_CMDLINE)' > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/pigeon-efi.img: $(BUILD)/BOOTX64.EFI $(BUILD)/pigeon.elf $(BUILD)/efi/cmdline
	@$(MAKE) --no-print-directory check-deps
	@$(if $(Q),echo "  ESP     $@")
	$(Q)rm -f $@.tmp && dd if=/dev/zero of=$@.tmp bs=1M count=$(EFI_IMG_MIB) status=none
	$(Q)mformat -i $@.tmp -v PIGEON ::
	$(Q)mmd -i $@.tmp ::/EFI ::/EFI/BOOT
	$(Q)mcopy -i $@.tmp $(BUILD)/BOOTX64.EFI ::/EFI/BOOT/BOOTX64.EFI
	$(Q)mcopy -i $@.tmp $(BUILD)/pigeon.elf ::/pigeon.elf
	$(Q)mcopy -i $@.tmp $(BUILD)/efi/cmdline ::/cmdline
	$(Q)mv $@.tmp $@

run-efi: $(BUILD)/pigeon-efi.img
	@$(MAKE) --no-print-directory check-deps
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) -bios $(OVMF) \
		-drive format=raw,file=$(BUILD)/pigeon-efi.img,snapshot=on

-include $(wildcard $(BUILD)/efi/boot/efi/*.d)
