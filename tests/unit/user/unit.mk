# Host tests for the shell's pure parts: the line editor and line parsing.

UNIT_TESTS += $(BUILD)/unit/user/test_lineedit $(BUILD)/unit/user/test_cmdline_parse

$(BUILD)/unit/user/test_lineedit: tests/unit/user/test_lineedit.c user/lineedit.c \
		user/lineedit.h kernel/console.h tests/unit/check.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/user/test_lineedit.c user/lineedit.c

$(BUILD)/unit/user/test_cmdline_parse: tests/unit/user/test_cmdline_parse.c user/cmdline_parse.c \
		user/cmdline_parse.h tests/unit/check.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/user/test_cmdline_parse.c user/cmdline_parse.c

# The shell and the basic commands, against stand-ins for the kernel services
# (defined in the test). The commands are found through the "commands"
# section, as in the kernel: the host linker provides __start_/__stop_commands.
USER_SHELL_SRCS := user/shell.c user/cmdline_parse.c user/lineedit.c \
	user/cmd_help.c user/cmd_echo.c user/cmd_uptime.c user/cmd_mem.c user/cmd_ps.c \
	user/cmd_clear.c user/cmd_reboot.c user/cmd_poweroff.c user/cmd_panic_test.c \
	user/cmd_history.c

UNIT_TESTS += $(BUILD)/unit/user/test_shell

$(BUILD)/unit/user/test_shell: tests/unit/user/test_shell.c $(USER_SHELL_SRCS) \
		$(wildcard user/*.h) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) -o $@ tests/unit/user/test_shell.c $(USER_SHELL_SRCS)
