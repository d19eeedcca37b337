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

KERNEL_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-stack-protector -fno-pic -fno-pie \
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

# Host unit tests: each tests/unit/<area>/unit.mk appends to UNIT_TESTS.
UNIT_TESTS :=
include $(wildcard tests/unit/*/unit.mk)

# Packages a fresh Debian/Ubuntu machine needs for build, run and test.
DEB_PACKAGES := build-essential binutils qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common \
	xorriso mtools dnsmasq-base iproute2 nginx-light iputils-ping python3 python3-scapy tcpdump ovmf gnu-efi clang
# The tools whose absence means `make deps` has not run yet.
DEP_TOOLS := $(QEMU) grub-mkrescue xorriso mformat dnsmasq ip nginx ping

QEMU_BASE := $(QEMU) -accel $(ACCEL) -m $(MEM) -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_NET_USER := -netdev user,id=net0 -device e1000,netdev=net0
QEMU_CONSOLE := -display none -chardev stdio,id=con,mux=on,signal=off -serial chardev:con \
	-mon chardev=con,mode=readline

.PHONY: all iso run run-direct tap demo netlab-shell soak test unit qemu-test clean deps check-deps
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
$(BUILD)/pigeon.elf: $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)
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
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) -cdrom $(BUILD)/pigeon.iso -boot d

# The fast path: qemu loads the ELF directly (multiboot1).
run-direct: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(QEMU_BASE) $(QEMU_CONSOLE) $(QEMU_NET_USER) -kernel $(BUILD)/pigeon.elf -append '$(APPEND)'

# The offline internet on this terminal: DHCP, DNS for www.google.com, the
# test web server. `make netlab-shell` (another terminal) opens a shell in it.
tap: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/netlab/interactive.py tap

# The journey, told: boots with autorun="dhcp -s -w; fetch -v www.google.com; poweroff".
demo: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/netlab/interactive.py demo

netlab-shell:
	@test -s $(BUILD)/netlab.ns || { echo "no netlab is running (start one with make tap)"; exit 1; }
	ip netns exec $$(cat $(BUILD)/netlab.ns) bash

# Large transfers into Pigeon through hostile links, ten seeds (minutes).
soak: $(BUILD)/pigeon.elf
	@$(MAKE) --no-print-directory check-deps
	$(PYTHON) tests/qemu/soak_tcp.py --mib 64 --seeds 1-10

unit: $(UNIT_TESTS)
	@$(PYTHON) tests/run unit $(UNIT_TESTS)

qemu-test: all
	@$(PYTHON) tests/run qemu $(PYTHON) tests/qemu/run.py

# Everything: host unit tests, then the QEMU tests; one summary line at the end.
test: check-deps all $(UNIT_TESTS)
	@$(PYTHON) tests/run all --unit $(UNIT_TESTS) --qemu $(PYTHON) tests/qemu/run.py

check-deps:
	@missing=""; for t in $(DEP_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then echo "missing:$$missing; running make deps"; $(MAKE) --no-print-directory deps; fi

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(DEB_PACKAGES)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
