/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SECURE_LOG_INT_H
#define _SECURE_LOG_INT_H

#include "ring.h"

extern struct sl_ring sl_ring;

int sl_chardev_init(void);
void sl_chardev_exit(void);
unsigned int sl_chardev_readers(void);
int sl_ctl_init(void);
void sl_ctl_exit(void);

#endif /* _SECURE_LOG_INT_H */
