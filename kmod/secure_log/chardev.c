// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/secure_log: the read side of the ring.
 *
 * One opener at a time; a second open() gets -EBUSY. The ring keeps no
 * per-reader cursor, so two readers would each see a random half of the
 * stream, which is worse for an audit trail than a clear refusal.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>

#include "secure_log_int.h"

static unsigned long sl_busy;
static DEFINE_MUTEX(sl_read_mutex);

static int sl_open(struct inode *inode, struct file *file)
{
	/* The node is 0400 root, but its mode can be changed: check here. */
	if (!capable(CAP_SYS_ADMIN) && !capable(CAP_SYSLOG))
		return -EPERM;
	if (file->f_mode & FMODE_WRITE)
		return -EINVAL;
	if (test_and_set_bit_lock(0, &sl_busy))
		return -EBUSY;
	return stream_open(inode, file);
}

/* Opens of the device now: one or none. */
unsigned int sl_chardev_readers(void)
{
	return test_bit(0, &sl_busy);
}

static int sl_release(struct inode *inode, struct file *file)
{
	clear_bit_unlock(0, &sl_busy);
	return 0;
}

static ssize_t sl_read(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos)
{
	ssize_t ret;

	if (mutex_lock_interruptible(&sl_read_mutex))
		return -ERESTARTSYS;
	for (;;) {
		ret = sl_ring_read(&sl_ring, buf, count);
		if (ret != -EAGAIN || (file->f_flags & O_NONBLOCK))
			break;
		ret = wait_event_interruptible(sl_ring.wait,
					       sl_ring_readable(&sl_ring));
		if (ret)
			break;
	}
	mutex_unlock(&sl_read_mutex);
	return ret;
}

static __poll_t sl_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &sl_ring.wait, wait);
	return sl_ring_readable(&sl_ring) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations sl_fops = {
	.owner = THIS_MODULE,
	.open = sl_open,
	.release = sl_release,
	.read = sl_read,
	.poll = sl_poll,
};

static struct miscdevice sl_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "secure_log",
	.fops = &sl_fops,
	.mode = 0400,
};

int sl_chardev_init(void)
{
	return misc_register(&sl_miscdev);
}

void sl_chardev_exit(void)
{
	misc_deregister(&sl_miscdev);
}
