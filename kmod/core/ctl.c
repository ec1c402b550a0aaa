// SPDX-License-Identifier: GPL-2.0
/*
 * The stats parameter's text: the sink of a module's counter walk that
 * prints a line per row, "[hook |cache ]NAME KEY=VALUE ...". The control plane's
 * STATS command is the other sink (secure_log's ctl.c). Built into netlog
 * and execlog.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "ctl.h"

struct stats_text {
	struct secure_log_stats s;
	char *buf;
	int len;
};

static int text_row(struct secure_log_stats *s, const char *kind,
		    const char *name)
{
	struct stats_text *t = container_of(s, struct stats_text, s);
	bool named = !strcmp(kind, "hook") || !strcmp(kind, "cache") ||
		     !strcmp(kind, "snapshot");

	t->len += scnprintf(t->buf + t->len, PAGE_SIZE - t->len, "%s%s%s%s",
			    t->len ? "\n" : "", named ? kind : "",
			    named ? " " : "", name);
	return 0;
}

static int text_val(struct secure_log_stats *s, const char *key, u64 val,
		    bool gauge)
{
	struct stats_text *t = container_of(s, struct stats_text, s);

	t->len += scnprintf(t->buf + t->len, PAGE_SIZE - t->len, " %s=%llu",
			    key, val);
	return 0;
}

static int stats_get(char *buf, const struct kernel_param *kp)
{
	int (*const *walk)(struct secure_log_stats *s) = kp->arg;
	struct stats_text t = {
		.s = { .row = text_row, .val = text_val },
		.buf = buf,
	};
	int ret = (*walk)(&t.s);

	if (ret)
		return ret;
	if (t.len)
		t.len += scnprintf(buf + t.len, PAGE_SIZE - t.len, "\n");
	return t.len;
}

const struct kernel_param_ops nl_stats_ops = {
	.get = stats_get,
};
