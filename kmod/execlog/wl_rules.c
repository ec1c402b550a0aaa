// SPDX-License-Identifier: GPL-2.0
/* netlog's wl_rules.c, built into execlog.ko too (see attr.c). */
#include "../netlog/wl_rules.c"
