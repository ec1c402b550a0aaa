# SPDX-License-Identifier: GPL-2.0
# compat.h's feature tests, run once per build against this kernel, for a
# module directory whose objects include compat.h (netlog, execlog).
$(addprefix $(obj)/,lockless.o attr.o exe_set.o hooks.o): $(obj)/compat_features.h
quiet_cmd_conftest = CONFTEST $@
      cmd_conftest = bash $(src)/../compat/conftest.sh $@ \
		     $(CC) $(filter-out -Wp%,$(c_flags))
$(obj)/compat_features.h: $(src)/../compat/conftest.sh FORCE
	$(call if_changed,conftest)
targets += compat_features.h
clean-files += compat_features.h
