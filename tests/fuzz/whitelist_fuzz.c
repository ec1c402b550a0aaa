// libFuzzer target for the whitelist rules (kmod/core/wl_rules.c).
// Properties: parsing never crashes; a failed parse leaves an empty set and
// names why; a parsed set prints a canonical form that parses back to the
// same canonical form; matching any connection is safe; an exe's standing
// agrees with the match.
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "kernel_types.h"
#include "wl_rules.h"

static struct nlwl_set set, again;
static char text[NLWL_TEXT_MAX + 1], text2[NLWL_TEXT_MAX + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlwl_error err;
	struct nlwl_conn conn;
	uint8_t addr[16] = { 0 };
	int n, m;

	if (nlwl_parse((const char *)data, size, &set, &err)) {
		assert(set.count == 0);
		assert(err.why != NULL);
		return 0;
	}
	n = nlwl_format(&set, text, sizeof(text));
	assert(n >= 0 && n <= NLWL_TEXT_MAX);
	assert(nlwl_parse(text, n, &again, &err) == 0);
	assert(again.count == set.count);
	m = nlwl_format(&again, text2, sizeof(text2));
	assert(m == n && memcmp(text, text2, n) == 0);

	/* Match the first rule's own address, ports and uid: it must match. */
	if (set.count) {
		const struct nlwl_rule *r = &set.rules[0];
		enum nlwl_standing standing;

		memset(&conn, 0, sizeof(conn));
		memcpy(addr, r->addr, sizeof(addr));
		conn.family = r->family ? r->family : 4;
		conn.raddr = addr;
		conn.rport = r->has_rport ? r->rport.hi : 1;
		conn.lport = r->has_lport ? r->lport.lo : 1;
		conn.uid = r->has_uid ? r->uid.hi : 0;
		conn.preload = r->allow_preload;
		conn.exe_hash = 0;	/* computed */
		assert(nlwl_match(&set, r->exe, r->exe_len, &conn));
		conn.exe_hash = nlwl_hash(r->exe, r->exe_len);	/* given */
		assert(nlwl_match(&set, r->exe, r->exe_len, &conn));
		/* At a call's entry only a rule on the local port waits. */
		conn.lport_unknown = true;
		assert(r->has_lport ||
		       nlwl_match(&set, r->exe, r->exe_len, &conn));

		/* A rule names the exe; one for it alone matches anything. */
		standing = nlwl_exe_standing(&set, r->exe, r->exe_len, 0);
		assert(standing >= NLWL_SOME);
		memset(addr, 0, sizeof(addr));
		conn.family = 6;
		conn.rport = 0;
		conn.lport = 0;
		conn.uid = 0xfffffffe;
		conn.preload = standing == NLWL_ANY_PRELOAD;
		assert(standing < NLWL_ANY ||
		       nlwl_match(&set, r->exe, r->exe_len, &conn));
	}
	return 0;
}
