// SPDX-License-Identifier: GPL-2.0
/* netlog's rec_strings.c, built into execlog.ko too (see attr.c). */
#include "../netlog/rec_strings.c"
