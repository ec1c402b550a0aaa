# SPDX-License-Identifier: GPL-2.0
# The code both sensor modules build in (kmod/core/): attribution, the
# lock-free path walker, record strings, the whitelist grammar and its
# parameter, the tables and shares, the control-plane and config-record
# helpers. Each module compiles it in its own directory, so that it takes
# that module's name (KBUILD_MODNAME: its messages and parameters) and no
# object is shared between two parallel builds.
nl_core_objs := attr.o ctl.o hooks.o lockless.o rec_strings.o table.o \
		whitelist.o wl_rules.o

$(obj)/%.o: $(src)/../core/%.c FORCE
	$(call if_changed_rule,cc_o_c)
