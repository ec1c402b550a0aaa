// SPDX-License-Identifier: GPL-2.0
/* netlog's table.c, built into execlog.ko too (see attr.c). */
#include "../netlog/table.c"
