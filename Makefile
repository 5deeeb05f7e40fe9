# SPDX-License-Identifier: GPL-2.0
#
# privmem: the commands.  See README.md.
#
#   make run     boot the privmem kernel in QEMU and run the demo
#                (ARCH=arm64: the pKVM protected-VM demo)
#   make test    every test: KUnit (UML), userspace + fuzzer, x86_64 boot
#   make kunit   only the KUnit suites on UML
#   make check   checkpatch, sparse, W=1, coccicheck, kernel-doc
#   make bench   the conversion benchmark
#   make soak    boot the privmem guest tests N times (N=20)
#   make fuzz    the core's fuzzer for FUZZ_SECONDS (3600), from the seed corpus
#   make tree    assemble the kernel work tree only
#
# The pristine kernel, the work tree, the build directories and ccache
# live under $(PRIVMEM_CACHE) (default ~/.cache/privmem).

H := harness
POLICY ?= cc

.PHONY: all run test kunit check bench soak fuzz tree deps clean

all: test

deps:
	@$(H)/deps.sh

tree: deps
	@$(H)/assemble.sh

test:
	@$(H)/test.sh

kunit: tree
	@flock /tmp/privmem-build.lock $(H)/kunit-uml.sh $${PRIVMEM_CACHE:-$$HOME/.cache/privmem}/kunit.ktap; \
	 rc=$$?; python3 $(H)/ktap.py --name kunit-uml $${PRIVMEM_CACHE:-$$HOME/.cache/privmem}/kunit.ktap \
		--step kunit.py $$rc

run: tree
	@PRIVMEM_RUN_ARCH=$(ARCH) flock /tmp/privmem-build.lock $(H)/run.sh $(POLICY)

check: tree
	@$(H)/check.sh

bench: tree
	@flock /tmp/privmem-build.lock $(H)/bench.sh

FUZZ_SECONDS ?= 3600
fuzz:
	@$(H)/fuzz.sh $(FUZZ_SECONDS)

N ?= 20
soak:
	@$(H)/soak.sh $(N)

clean:
	rm -rf $${PRIVMEM_CACHE:-$$HOME/.cache/privmem}/build
