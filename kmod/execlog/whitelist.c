// SPDX-License-Identifier: GPL-2.0
/* netlog's whitelist.c, built into execlog.ko too (see attr.c). */
#include "../netlog/whitelist.c"
