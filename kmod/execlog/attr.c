// SPDX-License-Identifier: GPL-2.0
/* netlog's attr.c, built into execlog.ko too (see attr.c). */
#include "../netlog/attr.c"
