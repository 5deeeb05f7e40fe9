// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the privmem core: the input is decoded into a
 * configuration and a series of conversion batches (valid or not, with
 * injected op failures), each run through privmem_convert() and through
 * the per-page reference model; any difference in result, progress or
 * state, any contract violation seen by the fakes, or a failed
 * privmem_space_check() aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <urcu.h>
#include "../../../virt/privmem/tests/privmem_fake.h"

#define P2M	PRIVMEM_PAGES_2M

/*
 * The libFuzzer entry points FUZZ_INIT and FUZZ_ONE get their names from
 * the Makefile (-DFUZZ_INIT=... -DFUZZ_ONE=...), so that this file keeps
 * to kernel naming style.
 */

struct input {
	const uint8_t *data;
	size_t size, pos;
};

static unsigned int get8(struct input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static unsigned int get16(struct input *in)
{
	return get8(in) | get8(in) << 8;
}

int FUZZ_INIT(int *argc, char ***argv)
{
	maple_tree_init();
	rcu_register_thread();
	return 0;
}

static void decode_entry(struct input *in, struct fake *f,
			 struct privmem_entry *e)
{
	unsigned int kind = get8(in);
	u64 gfn = f->base + get16(in) % (f->npages + 32) - 16;

	memset(e, 0, sizeof(*e));
	e->attr = kind & 1;
	e->gran = (kind >> 1) & 1;
	if (e->gran) {
		if (!(kind & 0x80))
			gfn &= ~(u64)(P2M - 1);
		e->npages = ((kind >> 2) % 3 + 1) * P2M;
	} else {
		e->npages = (kind >> 2) & 0x10 ? get16(in) % 1500 : (kind >> 2) % 16 + 1;
	}
	e->gfn = gfn;
	if (kind == 0xff)
		e->rsvd[get8(in) % 6] = 1;
}

int FUZZ_ONE(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct privmem_entry e[PRIVMEM_MAX_ENTRIES];
	unsigned int cfg = get8(&in), nr, i, done, mdone, idx, midx;
	u64 base = 2 * P2M + 77, npages = 5 * P2M + 123;
	struct privmem_space *s;
	struct fake *f;
	struct model m;
	int ret, mret;

	f = fake_new(base, npages, cfg & 1, (cfg & 3) == 3);
	f->mode = (cfg >> 2) % 3;
	f->partial = (cfg >> 4) & 1;
	f->merge = (cfg >> 5) % 3;
	f->implicit = (cfg >> 7) & 1;
	f->has_prep = !(get8(&in) & 1);
	s = fake_space(f);
	if (IS_ERR(s))
		abort();
	model_init(&m, f);

	while (in.pos < in.size) {
		unsigned int hdr = get8(&in);
		unsigned int flags = hdr & 0x80 ? PRIVMEM_CONVERT_IMPLICIT : 0;

		if (hdr == 0x7f && m.prelaunch) {
			if (privmem_space_populate_done(s) || privmem_space_launch(s))
				abort();
			m.prelaunch = false;
			continue;
		}
		memset(f->poison, 0, npages);
		for (i = (hdr >> 5) & 3; i > 0; i--) {
			static const u8 pz[] = { PZ_BPREP, PZ_SETP, PZ_SETS,
						 PZ_SPLIT, PZ_DENY, PZ_APREP };
			unsigned int v = get16(&in);

			f->poison[v % npages] |= pz[(v >> 13) % 6];
		}
		nr = hdr & 0x1f;
		if (nr == 0x1f)
			nr = get8(&in) % PRIVMEM_MAX_ENTRIES + 1;
		for (i = 0; i < nr; i++)
			decode_entry(&in, f, &e[i]);

		mret = model_convert(&m, e, nr, flags, &mdone, &midx);
		ret = privmem_convert(s, e, nr, flags, &done, &idx);
		if (ret != mret || done != mdone || idx != midx) {
			fprintf(stderr, "convert %d done %u index %u, model %d done %u index %u\n",
				ret, done, idx, mret, mdone, midx);
			for (i = 0; i < nr; i++)
				fprintf(stderr, "  e[%u] %llx+%llx attr %d gran %d\n",
					i, e[i].gfn, e[i].npages, e[i].attr, e[i].gran);
			abort();
		}
		if (model_compare(&m, s))
			abort();
	}
	model_free(&m);
	privmem_space_destroy(s);
	fake_free(f);
	return 0;
}
