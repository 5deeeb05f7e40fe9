// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's slab: replaces tools/testing/shared/linux.c in the
 * bench build only.
 *
 * The shared test allocator is built to catch bugs: it never recycles an
 * object of an aligned cache (the maple node cache is one), it poisons
 * every object it frees and it gives each prefilled sheaf its own
 * calloc().  That is right for the tests and wrong for timing, because
 * the kernel's slab hands a freed node straight back out of a per-CPU
 * sheaf.  This one keeps every freed object on a per-cache free list
 * and carves new objects out of aligned chunks, so both sides of the
 * benchmark (maple nodes and xa_nodes) pay roughly what they pay in the
 * kernel.  Objects are counted in nr_allocated as before: the memory
 * figures are live objects, not chunk sizes.
 *
 * The maple tree frees some nodes with kfree(), as the kernel allows for
 * slab objects: the build wraps kfree() (-Wl,--wrap=kfree), and the
 * wrapper sends an object that lies in one of our chunks back to its
 * cache.  Chunks are aligned to their size, so a chunk is found by
 * masking the address and looking it up in a small hash table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <errno.h>

#include <linux/gfp.h>
#include <linux/slab.h>
#include <urcu/uatomic.h>

#define BENCH_CHUNK	(64 * 1024)
#define BENCH_HASH	BIT(18)

int nr_allocated;
int preempt_count;
int test_verbose;

struct bench_free {
	struct bench_free *next;
};

/* Chunk base -> cache; open addressing, never shrinks. */
static struct {
	uintptr_t base;
	struct kmem_cache *cache;
} bench_chunks[BENCH_HASH];
static pthread_mutex_t bench_chunks_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * One spinlock for every cache: the only other thread is liburcu's
 * worker, which frees in batches, and a mutex would put futex calls
 * into the timed paths when the two meet.
 */
static pthread_spinlock_t bench_lock;

static void __attribute__((constructor)) bench_slab_init(void)
{
	pthread_spin_init(&bench_lock, PTHREAD_PROCESS_PRIVATE);
}

static unsigned int bench_hash(uintptr_t base)
{
	return (base / BENCH_CHUNK * 0x9e3779b1u) % BENCH_HASH;
}

static void bench_chunk_add(uintptr_t base, struct kmem_cache *c)
{
	unsigned int h = bench_hash(base);

	pthread_mutex_lock(&bench_chunks_lock);
	while (bench_chunks[h].base)
		h = (h + 1) % BENCH_HASH;
	bench_chunks[h].cache = c;
	bench_chunks[h].base = base;
	pthread_mutex_unlock(&bench_chunks_lock);
}

static struct kmem_cache *bench_chunk_cache(const void *p)
{
	uintptr_t base = (uintptr_t)p & ~(uintptr_t)(BENCH_CHUNK - 1);
	struct kmem_cache *c = NULL;
	unsigned int h = bench_hash(base);

	pthread_mutex_lock(&bench_chunks_lock);
	for (; bench_chunks[h].base; h = (h + 1) % BENCH_HASH) {
		if (bench_chunks[h].base == base) {
			c = bench_chunks[h].cache;
			break;
		}
	}
	pthread_mutex_unlock(&bench_chunks_lock);
	return c;
}

void kmem_cache_set_callback(struct kmem_cache *cachep, void (*callback)(void *))
{
	cachep->callback = callback;
}

void kmem_cache_set_private(struct kmem_cache *cachep, void *private)
{
	cachep->private = private;
}

void kmem_cache_set_non_kernel(struct kmem_cache *cachep, unsigned int val)
{
	cachep->non_kernel = val;
}

unsigned long kmem_cache_get_alloc(struct kmem_cache *cachep)
{
	return cachep->size * cachep->nr_allocated;
}

unsigned long kmem_cache_nr_allocated(struct kmem_cache *cachep)
{
	return cachep->nr_allocated;
}

unsigned long kmem_cache_nr_tallocated(struct kmem_cache *cachep)
{
	return cachep->nr_tallocated;
}

void kmem_cache_zero_nr_tallocated(struct kmem_cache *cachep)
{
	cachep->nr_tallocated = 0;
}

void kmem_cache_shrink(struct kmem_cache *cachep)
{
}

/* Refill the free list with a chunk of objects; the lock is held. */
static bool bench_grow(struct kmem_cache *c)
{
	size_t align = c->align ? c->align : sizeof(void *);
	size_t sz = (c->size + align - 1) & ~(align - 1);
	size_t i, n = BENCH_CHUNK / sz;
	char *chunk;

	if (posix_memalign((void **)&chunk, BENCH_CHUNK, BENCH_CHUNK))
		return false;
	bench_chunk_add((uintptr_t)chunk, c);
	for (i = 0; i < n; i++) {
		struct bench_free *f = (void *)(chunk + i * sz);

		f->next = c->objs;
		c->objs = f;
	}
	c->nr_objs += n;
	return true;
}

static void *bench_get(struct kmem_cache *c, gfp_t gfp)
{
	struct bench_free *f;

	if (!c->objs && !bench_grow(c))
		return NULL;
	f = c->objs;
	c->objs = f->next;
	c->nr_objs--;
	if (c->ctor)
		c->ctor(f);
	else if (gfp & __GFP_ZERO)
		memset(f, 0, c->size);
	c->nr_allocated++;
	c->nr_tallocated++;
	uatomic_inc(&nr_allocated);
	return f;
}

static void bench_put(struct kmem_cache *c, void *p)
{
	struct bench_free *f = p;

	f->next = c->objs;
	c->objs = f;
	c->nr_objs++;
	c->nr_allocated--;
	uatomic_dec(&nr_allocated);
}

void *kmem_cache_alloc_lru(struct kmem_cache *cachep, struct list_lru *lru,
			   int gfp)
{
	void *p;

	pthread_spin_lock(&bench_lock);
	p = bench_get(cachep, gfp);
	pthread_spin_unlock(&bench_lock);
	return p;
}

void kmem_cache_free(struct kmem_cache *cachep, void *objp)
{
	pthread_spin_lock(&bench_lock);
	bench_put(cachep, objp);
	pthread_spin_unlock(&bench_lock);
}

void __wrap_kfree(void *p)
{
	struct kmem_cache *c = p ? bench_chunk_cache(p) : NULL;

	if (c)
		kmem_cache_free(c, p);
	else
		free(p);	/* kmalloc() memory, as tools/lib/slab.c frees it */
}

void kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size, void **list)
{
	size_t i;

	pthread_spin_lock(&bench_lock);
	for (i = 0; i < size; i++)
		bench_put(cachep, list[i]);
	pthread_spin_unlock(&bench_lock);
}

bool kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp, size_t size,
			   void **p)
{
	size_t i;

	pthread_spin_lock(&bench_lock);
	for (i = 0; i < size; i++) {
		p[i] = bench_get(cachep, gfp);
		if (!p[i])
			break;
	}
	if (i < size)
		while (i--)
			bench_put(cachep, p[i]);
	pthread_spin_unlock(&bench_lock);
	return i == size;
}

struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int size,
					    struct kmem_cache_args *args,
					    unsigned int flags)
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	c->size = size < sizeof(struct bench_free) ? sizeof(struct bench_free) : size;
	c->align = args->align;
	c->sheaf_capacity = args->sheaf_capacity;
	c->ctor = args->ctor;
	return c;
}

struct slab_sheaf *kmem_cache_prefill_sheaf(struct kmem_cache *s, gfp_t gfp,
					    unsigned int size)
{
	unsigned int cap = size > s->sheaf_capacity ? size : s->sheaf_capacity;
	struct slab_sheaf *sheaf;

	sheaf = malloc(sizeof(*sheaf) + sizeof(void *) * cap);
	if (!sheaf)
		return NULL;
	sheaf->cache = s;
	sheaf->capacity = cap;
	sheaf->size = size;
	if (!kmem_cache_alloc_bulk(s, gfp, size, sheaf->objects)) {
		free(sheaf);
		return NULL;
	}
	return sheaf;
}

void kmem_cache_return_sheaf(struct kmem_cache *s, gfp_t gfp,
			     struct slab_sheaf *sheaf)
{
	kmem_cache_free_bulk(s, sheaf->size, sheaf->objects);
	free(sheaf);
}

int kmem_cache_refill_sheaf(struct kmem_cache *s, gfp_t gfp,
			    struct slab_sheaf **sheafp, unsigned int size)
{
	struct slab_sheaf *sheaf = *sheafp;

	if (sheaf->size >= size)
		return 0;
	if (size > sheaf->capacity) {
		sheaf = kmem_cache_prefill_sheaf(s, gfp, size);
		if (!sheaf)
			return -ENOMEM;
		kmem_cache_return_sheaf(s, gfp, *sheafp);
		*sheafp = sheaf;
		return 0;
	}
	if (!kmem_cache_alloc_bulk(s, gfp, size - sheaf->size,
				   &sheaf->objects[sheaf->size]))
		return -ENOMEM;
	sheaf->size = size;
	return 0;
}

void *kmem_cache_alloc_from_sheaf(struct kmem_cache *s, gfp_t gfp,
				  struct slab_sheaf *sheaf)
{
	if (!sheaf->size)
		return NULL;
	return sheaf->objects[--sheaf->size];
}
