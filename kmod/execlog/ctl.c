// SPDX-License-Identifier: GPL-2.0
/* netlog's ctl.c, built into execlog.ko too (see attr.c). */
#include "../netlog/ctl.c"
