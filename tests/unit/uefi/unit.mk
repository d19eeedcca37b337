# Host unit tests for the UEFI path: the loader's plain-C parts
# (boot/efi/elfimage.c, efimap.c, cmdline.c), the kernel's acceptance of
# the loader's boot_info (kernel/bootinfo.c), and the framebuffer console
# (drivers/fbcon.c with its font). loader.c itself needs gnu-efi and the
# firmware: tests/qemu/test_uefi.py boots it under OVMF.

UEFI_UNIT_DIR := $(BUILD)/unit/uefi
UEFI_UNIT_LOADER_SRCS := boot/efi/elfimage.c boot/efi/efimap.c boot/efi/cmdline.c kernel/bootinfo.c
UEFI_UNIT_LOADER_HDRS := boot/efi/elfimage.h boot/efi/efimap.h boot/efi/cmdline.h boot/efi/handoff.h \
	kernel/bootinfo.h tests/unit/check.h
UEFI_UNIT_FBCON_SRCS := drivers/fbcon.c drivers/fbcon_font.c
UEFI_UNIT_FBCON_HDRS := drivers/fbcon.h drivers/fbcon_font.h kernel/bootinfo.h tests/unit/check.h

UNIT_TESTS += $(UEFI_UNIT_DIR)/test_loader $(UEFI_UNIT_DIR)/test_fbcon

$(UEFI_UNIT_DIR)/test_loader: tests/unit/uefi/test_loader.c $(UEFI_UNIT_LOADER_SRCS) $(UEFI_UNIT_LOADER_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(UEFI_UNIT_LOADER_SRCS)

$(UEFI_UNIT_DIR)/test_fbcon: tests/unit/uefi/test_fbcon.c $(UEFI_UNIT_FBCON_SRCS) $(UEFI_UNIT_FBCON_HDRS)
	@mkdir -p $(@D)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ $< $(UEFI_UNIT_FBCON_SRCS)
