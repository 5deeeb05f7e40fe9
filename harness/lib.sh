# SPDX-License-Identifier: GPL-2.0
# Common settings for the privmem harness scripts.  Sourced, not run.

PRIVMEM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PRIVMEM_CACHE=${PRIVMEM_CACHE:-$HOME/.cache/privmem}

# The pinned base kernel (see README.md, "Base kernel and caches").
PRIVMEM_KVER=${PRIVMEM_KVER:-7.3.4-1~bpo13+1}
PRIVMEM_KPKG=linux-source-7.3
PRIVMEM_KSUITE=trixie-backports
PRIVMEM_KDEB_SHA256=${PRIVMEM_KDEB_SHA256:-703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3}
PRIVMEM_KTAR_SHA256=${PRIVMEM_KTAR_SHA256:-76df1affb19f24926949369be1d74b60071c963c598ce8780bddd4bbf0fc3bc4}

PRIVMEM_PRISTINE=$PRIVMEM_CACHE/linux-pristine
PRIVMEM_TREE=${PRIVMEM_TREE:-$PRIVMEM_CACHE/linux}
PRIVMEM_BUILD=${PRIVMEM_BUILD:-$PRIVMEM_CACHE/build}

export CCACHE_DIR=${CCACHE_DIR:-$PRIVMEM_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
# Kernel objects embed no absolute paths we care about; let ccache share
# results between build directories.
export CCACHE_BASEDIR=$PRIVMEM_CACHE
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime

PRIVMEM_JOBS=${PRIVMEM_JOBS:-$(nproc)}

msg() { printf '==> %s\n' "$*" >&2; }
die() { printf 'privmem: %s\n' "$*" >&2; exit 1; }
