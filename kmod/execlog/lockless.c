// SPDX-License-Identifier: GPL-2.0
/* netlog's lockless.c, built into execlog.ko too (see attr.c). */
#include "../netlog/lockless.c"
