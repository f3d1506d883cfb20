# Top-level build. `make` builds build/$(BOARD)/kernel.elf; `make run` boots it in QEMU;
# `make test` runs every test (host unit tests, then each board under QEMU).
# Third-party code (newlib for i386, later lwIP) is brought by `make deps` into build/deps/.

BOARD ?= qemu-x86
BOARDS := qemu-x86 qemu-virt-aarch64 qemu-mps2-an385 qemu-mps2-an386 qemu-lm3s6965evb
PYTHON ?= /usr/bin/python3
NPROC := $(shell nproc 2>/dev/null || echo 1)
# The guest's service ports, defined here only (config.h gives them to the C code; the user
# network forwards host ports to them): echo (TCP and UDP, RFC 862), chat, selector echo,
# the status page.
ECHO_PORT ?= 7
CHAT_PORT ?= 8000
SELECT_PORT ?= 55555
STATUS_PORT ?= 80

NET ?= user
BUILD ?= build/$(BOARD)$(if $(filter tap,$(NET)),-tap)$(if $(filter virtio,$(NIC)),-virtio)
DEPS := build/deps
DEPS_STAMP := $(DEPS)/.stamp

.SECONDARY:
.PHONY: test-all test-unit-san run-unit-san flash iso debug fuzz test-fuzz soak test-docs print-cc print-boards print-board size bench-net qemu-cmd all deps run test test-unit test-qemu bench clean help FORCE
all: $(BUILD)/kernel.elf

# Network backend: NET=user (default) is QEMU's user network, no root needed; NET=tap puts
# the guest on a tap device inside a network namespace (scripts/netns.sh, root), where host
# tools reach it directly. A tap build has its own directory and a static address.
ifeq ($(NET),tap)
TAP_NS ?= kernel-tap
TAP_IF ?= tap0
TAP_HOST_IP ?= 10.77.0.1
NET_DHCP := 0
NET_IP ?= 10.77.0.2
NET_GATEWAY ?= $(TAP_HOST_IP)
NET_DNS ?= $(TAP_HOST_IP)
else ifneq ($(NET),user)
$(error unknown NET '$(NET)'; use NET=user or NET=tap)
endif

# What a board compiled by a Debian Linux compiler against the newlib `make deps` builds
# (scripts/build-newlib.sh: i386, aarch64) adds to its BOARD_CFLAGS, after setting CC and
# NEWLIB: freestanding, without the compiler's Linux macros (newlib would pick its Linux
# ABI), newlib's headers instead of glibc's, and the plain system call names such a newlib
# calls (kernel/syscalls.c).
NEWLIB_BUILT_CFLAGS = -ffreestanding -fno-pie -fno-pic -fno-stack-protector \
                      -U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U__unix__ -U__unix -Uunix \
                      -DK_NEWLIB_PLAIN_SYSCALL_NAMES -nostdinc -isystem $(NEWLIB)/include \
                      -isystem $(shell $(CC) -print-file-name=include)

ifneq ($(filter $(BOARD),$(BOARDS)),)
include boards/$(BOARD)/board.mk
ifeq ($(NET),tap)
QEMU_ARGS += -netdev tap,id=net0,ifname=$(TAP_IF),script=no,downscript=no $(QEMU_NIC)
QEMU_PREFIX := ip netns exec $(TAP_NS)
else
# QEMU user networking: the guest is 10.0.2.15 (DHCP), the host 10.0.2.2; host
# 127.0.0.1:$(HOSTFWD_ECHO_PORT) is forwarded to the guest's echo port (TCP and UDP),
# $(HOSTFWD_CHAT_PORT) to chat, $(HOSTFWD_SELECT_PORT) to the selector-style echo and
# $(HOSTFWD_STATUS_PORT) to the status page (http://127.0.0.1:7088/).
HOSTFWD_ECHO_PORT ?= 7007
HOSTFWD_CHAT_PORT ?= 7080
HOSTFWD_SELECT_PORT ?= 7055
HOSTFWD_STATUS_PORT ?= 7088
fwd = hostfwd=$(1):127.0.0.1:$(HOSTFWD_$(2)_PORT)-:$($(2)_PORT)
QEMU_ARGS += -netdev user,id=net0,$(call fwd,tcp,ECHO),$(call fwd,udp,ECHO),$(call fwd,tcp,CHAT),$(call fwd,tcp,SELECT),$(call fwd,tcp,STATUS) \
             $(QEMU_NIC)
QEMU_PREFIX :=
endif
else
$(error unknown BOARD '$(BOARD)'; boards: $(BOARDS))
endif

# How QEMU boots the image: BOOT=kernel (default), the ELF by QEMU's -kernel loader;
# BOOT=iso (qemu-x86), from the ISO of `make iso` on a CD drive, through the BIOS and GRUB;
# BOOT=stick, the same image as a hard disk, as a USB stick written with dd boots (QEMU
# writes nothing back to it).
BOOT ?= kernel
ifneq ($(filter iso stick,$(BOOT)),)
ifneq ($(BOARD_ISO),1)
$(error BOOT=$(BOOT): $(BOARD) builds no ISO image (qemu-x86 does))
endif
BOOT_IMAGE = $(BUILD)/kernel.iso
ifeq ($(BOOT),iso)
BOOT_ARGS = -cdrom $(BUILD)/kernel.iso -boot d
else
BOOT_ARGS = -drive file=$(BUILD)/kernel.iso,format=raw,if=ide,snapshot=on -boot c
endif
else ifeq ($(BOOT),kernel)
BOOT_IMAGE = $(BUILD)/kernel.elf
BOOT_ARGS = -kernel $(BUILD)/kernel.elf
else
$(error unknown BOOT '$(BOOT)'; use BOOT=kernel, BOOT=iso or BOOT=stick)
endif

# ----------------------------------------------------------------------------------------
# Dependencies: Debian packages, lwIP source, newlib for i386 (scripts/deps.sh, idempotent).
deps:
	@scripts/deps.sh
	@touch $(DEPS_STAMP)

$(DEPS_STAMP): scripts/deps.sh scripts/build-newlib.sh
	@scripts/deps.sh
	@mkdir -p $(DEPS) && touch $@

# ----------------------------------------------------------------------------------------
# Kernel image for $(BOARD)
WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
CFLAGS = -std=gnu11 -O2 -g $(WARN) -ffunction-sections -fdata-sections \
          -Ikernel -Idrivers -Inet -Inet/include -I$(LWIPDIR)/include -I$(ZLIBDIR) \
          -I$(MBEDTLSDIR)/include -Inet/http -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' \
          $(BOARD_CFLAGS) -include $(BUILD)/config.h

KERNEL_SRCS := kernel/sched.c kernel/timeout.c kernel/task.c kernel/await.c kernel/poll.c kernel/sync.c kernel/queue.c kernel/gen.c kernel/console.c kernel/shell.c kernel/lineedit.c \
               kernel/cmds.c kernel/syscalls.c kernel/selftest.c kernel/wall.c \
               $(sort $(wildcard kernel/arch/$(ARCH)/*.c kernel/arch/$(ARCH)/*.S))
APP_SRCS := apps/main.c apps/bench.c apps/fpu.c apps/echo.c apps/fetch.c apps/examples.c apps/servers.c apps/crawl.c apps/links.c
APP_SRCS += apps/diffrun.c

# lwIP (from `make deps`, compiled untouched with its own warning level) and our port.
# NET_IPV6=1 (the default; board.mk may turn it off): IPv6 beside IPv4, lwIP's dual stack
# with SLAAC, neighbour discovery, MLD and stateless DHCPv6 (net/include/lwipopts.h).
NET_IPV6 ?= 1
LWIPDIR := $(DEPS)/lwip/src
-include $(LWIPDIR)/Filelists.mk
LWIP_SRCS := $(COREFILES) $(CORE4FILES) $(if $(filter 1,$(NET_IPV6)),$(CORE6FILES)) $(APIFILES) \
             $(LWIPDIR)/netif/ethernet.c $(LWIPDIR)/apps/sntp/sntp.c
NET_SRCS := net/sys_arch.c net/net.c net/cmds.c net/selftest.c net/wait.c net/socktab.c net/tcp_demux.c net/tcp_rto.c net/mem.c net/http/url.c net/http/parse.c net/http/client.c \
            net/info.c net/http/absent.c $(NET_DRIVER)

# What an image holds (1 or 0; board.mk turns off what its RAM cannot hold, the command
# line may too). Left out, a feature's commands and URLs fail with an error that names it.
#   NET_TLS    https:// in fetch and crawl (mbedTLS, net/http/tls.c, the CA bundle)
#   NET_GZIP   gzip and deflate bodies (zlib's inflate, net/http/coding.c)
#   NET_HTTPD  the HTTP server and its status page (net/http/server.c, apps/status.c)
#   NET_IPV6   IPv6 beside IPv4 (set above, with lwIP's sources)
NET_TLS ?= 1
NET_GZIP ?= 1
NET_HTTPD ?= 1
ifeq ($(NET_TLS),1)
NET_SRCS += net/http/tls.c
endif
ifeq ($(NET_GZIP),1)
NET_SRCS += net/http/coding.c
endif
ifeq ($(NET_HTTPD),1)
NET_SRCS += net/http/request.c net/http/server.c
APP_SRCS += apps/status.c
endif

# zlib's inflate side (from `make deps`, compiled untouched, its warnings off): gzip and
# deflate bodies in the HTTP client, and crc32() for fetch.
ZLIBDIR := $(DEPS)/zlib
ZLIB_ALL_SRCS := $(addprefix $(ZLIBDIR)/,inflate.c inftrees.c inffast.c zutil.c adler32.c crc32.c)
ZLIB_SRCS := $(if $(filter 1,$(NET_GZIP)),$(ZLIB_ALL_SRCS),$(addprefix $(ZLIBDIR)/,zutil.c crc32.c))
# a board may pass zlib its own switches (ZLIB_CFLAGS in board.mk, which they depend on)
$(patsubst %,$(BUILD)/%.o,$(ZLIB_SRCS)): CFLAGS += $(ZLIB_CFLAGS)
$(patsubst %,$(BUILD)/%.o,$(ZLIB_SRCS)): boards/$(BOARD)/board.mk

# mbedTLS (from `make deps`, compiled untouched, its warnings off), configured by
# net/tls/mbedtls_config.h: a TLS 1.2 client for https:// in fetch and crawl.
MBEDTLSDIR := $(DEPS)/mbedtls
MBEDTLS_SRCS := $(addprefix $(MBEDTLSDIR)/library/,aes.c asn1parse.c asn1write.c base64.c \
    bignum.c chacha20.c chachapoly.c cipher.c cipher_wrap.c constant_time.c ctr_drbg.c ecdh.c \
    ecdsa.c ecp.c ecp_curves.c entropy.c entropy_poll.c error.c gcm.c md.c oid.c pem.c pk.c \
    pk_wrap.c pkparse.c platform.c platform_util.c poly1305.c rsa.c rsa_internal.c sha1.c \
    sha256.c sha512.c ssl_ciphersuites.c ssl_cli.c ssl_msg.c ssl_tls.c x509.c x509_crt.c)

SRCS := $(KERNEL_SRCS) $(BOARD_SRCS) $(APP_SRCS) $(NET_SRCS)
THIRD_PARTY_SRCS := $(LWIP_SRCS) $(ZLIB_SRCS) $(if $(filter 1,$(NET_TLS)),$(MBEDTLS_SRCS))
OBJS := $(patsubst %,$(BUILD)/%.o,$(SRCS)) $(patsubst %,$(BUILD)/%.o,$(THIRD_PARTY_SRCS))
$(patsubst %,$(BUILD)/%.o,$(THIRD_PARTY_SRCS)): WARN = -w
# The image's trust store for https:// (net/http/tls.c): a PEM bundle, by default Debian's
# ca-certificates; `make CA_BUNDLE=path` for another, `CA_BUNDLE=` for none.
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
$(BUILD)/generated/ca_bundle.c: $(CA_BUNDLE) scripts/ca_bundle.py | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GEN   $@ (from $(or $(CA_BUNDLE),nothing))"
	$(Q)$(PYTHON) scripts/ca_bundle.py "$(CA_BUNDLE)" $@
# 16 random bytes per build directory, made once: mixed into the TLS seed, so that images
# of the same source still start their random generators apart (see README, Entropy).
$(BUILD)/generated/build_seed.c:
	@mkdir -p $(dir $@)
	$(Q)printf 'const unsigned char k_build_seed[16] = {%s};\n' \
	    "$$(od -An -N16 -tu1 /dev/urandom | tr -s ' \n' ',' | sed 's/^,//;s/,$$//')" > $@
$(BUILD)/generated/%.c.o: $(BUILD)/generated/%.c
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@
# The status page's files (apps/www/), compiled in with their content types and ETags.
WWW_FILES := $(sort $(wildcard apps/www/*))
$(BUILD)/generated/www.c: $(WWW_FILES) scripts/embed_files.py
	@mkdir -p $(dir $@)
	@echo "  GEN   $@"
	$(Q)$(PYTHON) scripts/embed_files.py $@ apps/www $(WWW_FILES)
GENERATED_OBJS := $(BUILD)/generated/build_seed.c.o \
                  $(if $(filter 1,$(NET_TLS)),$(BUILD)/generated/ca_bundle.c.o) \
                  $(if $(filter 1,$(NET_HTTPD)),$(BUILD)/generated/www.c.o)
OBJS += $(GENERATED_OBJS)

# ----------------------------------------------------------------------------------------
# Configuration: one source per build. Every setting the C code reads is a make variable
# (board.mk sets a board's values, the command line overrides any) written by
# scripts/config_h.py into $(BUILD)/config.h, which every object is compiled with
# (-include) and depends on. It is rewritten only when a value changes, so a new value
# rebuilds what it must and no change of configuration needs `make clean`.
# Addressing: DHCP with a static fallback; `make NET_DHCP=0` uses the static address only.
NET_DHCP ?= 1
# 1: probe a leased address with ARP before using it (RFC 2131 2.2's SHOULD; about 1 s more
# to the first echo). Off by default: see net/include/lwipopts.h.
NET_DHCP_ARP_CHECK ?= 0
NET_IP ?= 10.0.2.15
NET_NETMASK ?= 255.255.255.0
NET_GATEWAY ?= 10.0.2.2
NET_DNS ?= 10.0.2.3
# A static IPv6 address (/64) beside SLAAC's, for networks without router advertisements
# (NET_IPV6=1 boards; none by default), e.g. NET_IP6=fd77::2
NET_IP6 ?=
# An SNTP server to set the wall clock from at boot (name or address[:port]; none by default).
NET_SNTP ?=
# TCP receive window in segments (lwipopts.h); a board with a small receive FIFO lowers it.
NET_TCP_WND_SEGMENTS ?= 44
# Upper bound on a TCP connection's retransmission timeout, ms (RFC 6298 2.5: at least 60 s;
# lwIP has none of its own: net/tcp_rto.c).
NET_TCP_RTO_MAX_MS ?= 60000
# TCP send buffer in segments; lwIP's mailboxes (frames and API messages for the tcpip
# task, a socket's received segments, a listener's connections waiting for accept).
NET_TCP_SND_SEGMENTS ?= 44
NET_MBOX_SIZE ?= 64
# Task stacks, bytes: the main task (shell), lwIP's tcpip task, each server's listening
# task (echo, chat, selector echo, the HTTP server's), each fetch and crawl task.
MAIN_STACK ?= 8192
SERVER_STACK ?= 4096
NET_TCPIP_STACK ?= 8192
FETCH_STACK ?= 12288
CRAWL_STACK ?= 12288
# Chat: lines queued per client, and the stack of each client's two tasks (bytes).
CHAT_QUEUE ?= 16
CHAT_STACK ?= 2048
# Heap bytes servers keep free for the connections they have (net/net.h): 1/32 of the
# heap, at least this.
NET_CONN_RESERVE_MIN ?= 65536
# ... and this many bytes per open TCP connection (0: the 1/32 covers it on big heaps)
NET_CONN_INFLIGHT ?= 0
# Received frames queued for lwIP at most (0: its mailbox less 16); the rest wait in the NIC
NET_RX_QUEUE_MAX ?= 0
# Bytes of lwIP's freed blocks kept for reuse, at most (net/mem.c; never over 1/32 of the
# heap; 0: none)
NET_MEM_CACHE_MAX ?= 4194304
# TCP maximum segment size, bytes (1460: a whole Ethernet frame; small boards send less)
NET_TCP_MSS ?= 1460
# URLs a fetch command fetches at once, and pages a crawl (each a task): all of them (a
# fetch takes at most 16 URLs, a crawl's level at most 64 pages) unless a board has less RAM.
FETCH_PARALLEL ?= 64
CRAWL_PARALLEL ?= 64
# The poll loop's busy-poll window after a NIC's frames, us (k_busy_poll_set(); 0: off;
# the shell's busypoll changes it at run time)
K_BUSY_POLL_US ?= 200
CONFIG_NUMS := K_BUSY_POLL_US NET_MAX_SOCKETS NET_TCP_WND_SEGMENTS NET_TCP_SND_SEGMENTS NET_MBOX_SIZE NET_TCP_RTO_MAX_MS NET_DHCP NET_DHCP_ARP_CHECK \
               NET_TLS NET_GZIP NET_HTTPD NET_IPV6 MAIN_STACK SERVER_STACK NET_TCPIP_STACK FETCH_STACK CRAWL_STACK FETCH_PARALLEL CRAWL_PARALLEL \
               CHAT_QUEUE CHAT_STACK NET_CONN_RESERVE_MIN NET_CONN_INFLIGHT NET_TCP_MSS NET_MEM_CACHE_MAX NET_RX_QUEUE_MAX \
               ECHO_PORT CHAT_PORT SELECT_PORT STATUS_PORT
CONFIG_STRS := NET_IP NET_NETMASK NET_GATEWAY NET_DNS NET_SNTP NET_IP6
$(BUILD)/config.h: FORCE scripts/config_h.py
	$(Q)$(PYTHON) scripts/config_h.py $@ BOARD_NAME=s:$(BOARD) FD_SETSIZE=$(NET_MAX_SOCKETS) \
	    $(foreach v,$(CONFIG_NUMS),$(v)=$($(v))) $(foreach v,$(CONFIG_STRS),'$(v)=s:$($(v))')
# The wall clock of a board without a real-time clock starts at the last commit's time (a
# lower bound on the true time, the same for every build of a commit). Apart from config.h:
# it changes with every commit, and only wall.c reads it.
BUILD_EPOCH ?= $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),$(shell date +%s))
$(BUILD)/build_epoch.h: FORCE scripts/config_h.py
	$(Q)$(PYTHON) scripts/config_h.py $@ K_BUILD_EPOCH=$(BUILD_EPOCH)
$(BUILD)/kernel/wall.c.o: CFLAGS += -include $(BUILD)/build_epoch.h
$(BUILD)/kernel/wall.c.o: $(BUILD)/build_epoch.h


Q ?= @
$(BUILD)/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS    $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel.elf: $(OBJS) $(LINKER_SCRIPT)
	@echo "  LD    $@"
	$(Q)$(CC) $(BOARD_LDFLAGS) -Wl,--wrap=tcp_input -Wl,--wrap=tcp_tmr \
	    -Wl,--wrap=lwip_socket -Wl,--wrap=lwip_accept -Wl,--wrap=lwip_close -T $(LINKER_SCRIPT) -Wl,--gc-sections -Wl,-Map,$(BUILD)/kernel.map \
	    -o $@ $(OBJS) -Wl,--start-group $(BOARD_LIBS) -Wl,--end-group
	@$(SIZE) $@

-include $(OBJS:.o=.d)
$(OBJS): $(BUILD)/config.h

run: $(BOOT_IMAGE)
ifeq ($(NET),tap)
	@scripts/netns.sh up $(TAP_NS) $(TAP_IF) $(TAP_HOST_IP)/24
	@echo "Guest $(NET_IP) on $(TAP_IF) in namespace $(TAP_NS); from another terminal:"
	@echo "  ip netns exec $(TAP_NS) nc $(NET_IP) 7      (remove it: scripts/netns.sh down $(TAP_NS))"
endif
	@echo "Booting $(BOARD); quit with Ctrl-A X"
	$(QEMU_PREFIX) $(QEMU) $(QEMU_ARGS) $(QEMU_EXTRA) $(BOOT_ARGS)

# `make debug`: QEMU stopped at the first instruction with its gdb stub on GDB_PORT and
# gdb-multiarch attached (scripts/debug.sh); the console on TCP port CONSOLE_PORT.
# GDB_BATCH=1: gdb breaks in k_yield, prints the backtrace and stops the guest, no terminal.
GDB_PORT ?= 1234
CONSOLE_PORT ?= 1235
debug: $(BUILD)/kernel.elf
	@GDB_BATCH=$(GDB_BATCH) scripts/debug.sh $(BUILD)/kernel.elf $(GDB_PORT) $(CONSOLE_PORT) \
	    $(BUILD)/debug-console.log $(QEMU_PREFIX) $(QEMU) $(QEMU_ARGS) $(QEMU_EXTRA) -kernel $(BUILD)/kernel.elf

# ----------------------------------------------------------------------------------------
# Host build: the same kernel sources on x86-64 Linux, for unit tests and benchmarks.
# HOST_SAN: compiler flags of a sanitized host build, in its own directory (test-unit-san)
HOST_SAN ?=
HOST_BUILD := build/host$(if $(HOST_SAN),-san)
HOST_CC ?= gcc
HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Ikernel -Idrivers -Inet -Iapps -Itests/unit -I$(ZLIBDIR) $(HOST_SAN)
HOST_KERNEL := kernel/sched.c kernel/timeout.c kernel/task.c kernel/await.c kernel/poll.c kernel/sync.c kernel/queue.c kernel/gen.c kernel/wall.c \
               kernel/console.c \
               kernel/arch/x86_64/arch.c kernel/arch/x86_64/switch.S tests/unit/host_board.c \
               net/http/url.c net/http/parse.c net/http/coding.c net/http/request.c kernel/lineedit.c \
               apps/links.c drivers/rtc/mc146818.c $(ZLIB_ALL_SRCS)
HOST_KOBJS := $(patsubst %,$(HOST_BUILD)/%.o,$(HOST_KERNEL))
$(patsubst %,$(HOST_BUILD)/%.o,$(ZLIB_ALL_SRCS)): HOST_CFLAGS = -std=gnu11 -O2 -g -w -I$(ZLIBDIR)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(HOST_BUILD)/%,$(wildcard tests/unit/test_*.c))

$(HOST_BUILD)/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(HOST_BUILD)/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTAS $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
-include $(HOST_KOBJS:.o=.d) $(patsubst %,%.c.d,$(subst $(HOST_BUILD)/,$(HOST_BUILD)/tests/unit/,$(UNIT_TESTS)))

$(HOST_BUILD)/test_%: $(HOST_BUILD)/tests/unit/test_%.c.o $(HOST_KOBJS)
	$(HOST_CC) $(HOST_SAN) -o $@ $^ -Wl,--wrap=malloc -lcmocka
# A driver's host-testable half, linked into its own test only (the test fakes the device).
$(HOST_BUILD)/test_virtqueue: $(HOST_BUILD)/drivers/bus/virtqueue.c.o
-include $(HOST_BUILD)/drivers/bus/virtqueue.c.d

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect

test-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done
	@set -e; for t in $(UNIT_TESTS); do echo "== valgrind $$t"; \
	    CMOCKA_MESSAGE_OUTPUT=stdout $(VALGRIND) $$t > $$t.valgrind.log 2>&1 || \
	    { cat $$t.valgrind.log; echo "valgrind: $$t failed"; exit 1; }; \
	    tail -n 2 $$t.valgrind.log; done

# The same unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer (Debian's
# gcc), beside valgrind: ASan sees the kernel's own stacks (heap blocks) frame by frame,
# UBSan the arithmetic. Any report fails the run.
DIFF_SAN_N ?= 500
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
test-unit-san:
	@$(MAKE) --no-print-directory HOST_SAN="$(SAN_FLAGS)" run-unit-san

run-unit-san: $(UNIT_TESTS) $(HOST_BUILD)/diffrun
	@set -e; for t in $(UNIT_TESTS); do echo "== asan+ubsan $$t"; \
	    $(SAN_ENV) CMOCKA_MESSAGE_OUTPUT=stdout $$t > $$t.log 2>&1 || \
	    { cat $$t.log; echo "sanitizers: $$t failed"; exit 1; }; tail -n 1 $$t.log; done
	@echo "== asan+ubsan $(HOST_BUILD)/diffrun (difftest, $(DIFF_SAN_N) programs)"
	@$(SAN_ENV) $(PYTHON) tests/diff/difftest.py --n $(DIFF_SAN_N) --seed $(DIFF_SEED) \
	    --diffrun $(HOST_BUILD)/diffrun

# ----------------------------------------------------------------------------------------
# QEMU tests: build every board, then pytest boots each one.
# The images are built first, each with as many compilers as the machine has cores.
test-qemu: | $(DEPS_STAMP)
	@set -e; for b in $(BOARDS); do for n in user tap; do \
	    $(MAKE) --no-print-directory -j$(NPROC) BOARD=$$b NET=$$n all; done; done
	@$(MAKE) --no-print-directory -j$(NPROC) BOARD=qemu-x86 NIC=virtio all    # tests/qemu/test_virtio.py
	@# one pytest process per board, in parallel (the last also runs board-less tests);
	@# each writes build/pytest-<board>.log, printed when both are done
	@set -e; pids=; all=; last=$(lastword $(BOARDS)); \
	for b in $(BOARDS); do \
	    if [ $$b = $$last ]; then k="not ($$all)"; else k=$$b; all="$${all:+$$all or }$$b"; fi; \
	    $(PYTHON) -m pytest -v --durations=15 -k "$$k" tests/qemu > build/pytest-$$b.log 2>&1 & pids="$$pids $$!"; \
	done; \
	rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	for b in $(BOARDS); do echo "===== $$b (build/pytest-$$b.log)"; cat build/pytest-$$b.log; done; \
	exit $$rc

# The C examples of docs/python.md must compile (with the qemu-x86 kernel's flags).
test-docs: | $(DEPS_STAMP)
	$(PYTHON) tests/docs/check_examples.py

print-cc: $(BUILD)/config.h
	@echo $(CC) $(CFLAGS)

print-boards:
	@echo $(BOARDS)

# flash and RAM of every board's image (scripts/size.py); SIZE_TOP=N lists the N largest
# RAM symbols of each
size: | $(DEPS_STAMP)
	@set -e; args=; for b in $(BOARDS); do $(MAKE) --no-print-directory BOARD=$$b all >/dev/null; \
	    args="$$args $$b=build/$$b/kernel.elf"; done; \
	$(PYTHON) scripts/size.py $(if $(SIZE_TOP),--top $(SIZE_TOP)) $$args

# what tests and benchmarks read about $(BOARD), as key=value lines
print-board:
	@printf '%s\n' ARCH=$(ARCH) KEY=$(BOARD_KEY) FPU=$(BOARD_FPU) TEST_CONNS=$(TEST_CONNS) \
	    NIC=$(basename $(notdir $(NET_DRIVER))) QEMU=$(QEMU) TLS=$(NET_TLS) GZIP=$(NET_GZIP) \
	    HTTPD=$(NET_HTTPD) IPV6=$(NET_IPV6) FETCH_PARALLEL=$(FETCH_PARALLEL) TEST_IMPAIRED_MAX=$(or $(TEST_IMPAIRED_MAX),1048576) \
	    TEST_CONN_BYTES=$(or $(TEST_CONN_BYTES),4096:2048) \
	    MAIN_STACK=$(MAIN_STACK)

# `make flash`: program the board's flash image into a real board (a board.mk that can
# defines the rule and sets BOARD_FLASH := 1).
ifneq ($(BOARD_FLASH),1)
flash:
	@echo "make flash: $(BOARD) is not programmed by this Makefile (it has no flash rule;" \
	      "qemu-lm3s6965evb has one)" >&2; exit 1
endif

# ----------------------------------------------------------------------------------------
# Fuzzing: libFuzzer targets (clang, ASan + UBSan) for the code that reads what the network
# or the serial line sends. Each runs FUZZ_S seconds from the seed corpus in tests/fuzz/
# (new inputs go to build/fuzz/, not into the repository); a crash, a sanitizer report or a
# disagreement with the independent implementation fails the run.
FUZZ_CC ?= clang
FUZZ_S ?= 60
FUZZ_BUILD := build/fuzz
FUZZ_TARGETS := url response chunked lineedit links coding request
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -Ikernel -Inet -Iapps -I$(ZLIBDIR)
FUZZ_SRCS := net/http/url.c net/http/parse.c net/http/coding.c net/http/request.c kernel/lineedit.c apps/links.c
# zlib is not ours to fix: instrumented for coverage and ASan, not UBSan
FUZZ_ZLIB := $(FUZZ_BUILD)/zlib.a

$(FUZZ_ZLIB): $(ZLIB_SRCS) | $(DEPS_STAMP)
	@mkdir -p $(FUZZ_BUILD)/zlib
	@echo "  FUZZCC zlib"
	$(Q)cd $(FUZZ_BUILD)/zlib && $(FUZZ_CC) -g -O1 -w -fsanitize=fuzzer-no-link,address -c \
	    $(abspath $(ZLIB_SRCS)) && ar rcs ../zlib.a *.o

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_SRCS) $(FUZZ_ZLIB) kernel/k.h net/http/http.h net/http/server.h apps/links.h
	@mkdir -p $(dir $@)
	@echo "  FUZZCC $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS) $(FUZZ_ZLIB)

fuzz: $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$t $(FUZZ_BUILD)/crash-$$t; \
	    echo "== fuzz $$t for $(FUZZ_S) s"; \
	    $(FUZZ_BUILD)/fuzz_$$t -max_total_time=$(FUZZ_S) -timeout=10 -rss_limit_mb=1024 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$$t/ \
	        $(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t > $(FUZZ_BUILD)/fuzz-$$t.log 2>&1 || \
	        { tail -n 40 $(FUZZ_BUILD)/fuzz-$$t.log; echo "fuzz: $$t failed (input in $(FUZZ_BUILD)/crash-$$t/)"; exit 1; }; \
	    grep -E "stat::number_of_executed_units|stat::new_units_added" $(FUZZ_BUILD)/fuzz-$$t.log | tr '\n' ' '; echo; \
	done

# A long soak on one board (tap network, root): `make soak BOARD=qemu-x86 SOAK_S=3600`.
SOAK_S ?= 3600
soak: | $(DEPS_STAMP)
	$(MAKE) --no-print-directory BOARD=$(BOARD) NET=tap all
	BOARD=$(BOARD) SOAK_S=$(SOAK_S) $(PYTHON) tests/qemu/soak.py

test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_S=30

# `make test` on a fresh clone: the third-party sources first (make deps), then the rest in
# a new make that sees them (the host and board builds list files under build/deps/).
test: | $(DEPS_STAMP)
	@$(MAKE) --no-print-directory test-all

test-all: test-unit test-unit-san test-docs test-fuzz test-qemu

# ----------------------------------------------------------------------------------------
# Benchmarks (not tests): key=value figures from one run.
$(HOST_BUILD)/bench_switch: $(HOST_BUILD)/tests/bench/bench_switch.c.o $(HOST_KOBJS)
	$(HOST_CC) -o $@ $^ -Wl,--wrap=malloc -lpthread

bench: $(HOST_BUILD)/bench_switch | $(DEPS_STAMP)
	@set -e; for b in $(BOARDS); do $(MAKE) --no-print-directory BOARD=$$b all >/dev/null; done
	@$(HOST_BUILD)/bench_switch
	@$(PYTHON) tests/bench/bench_qemu.py

# this kernel beside a Linux guest (built from Debian's packages into build/linux-peer) on
# the same QEMU, NIC and tap network; BENCH_CONNS connections (default 10000 on x86);
# BENCH_NIC=virtio (qemu-x86): both on virtio-net-pci instead of the e1000
bench-net: | $(DEPS_STAMP)
	@[ -z "$(filter-out e1000,$(BENCH_NIC))" ] || [ "$(BOARD)" = qemu-x86 ] || \
	    { echo "bench-net: BENCH_NIC=$(BENCH_NIC) is for BOARD=qemu-x86" >&2; exit 2; }
	@$(MAKE) --no-print-directory BOARD=$(BOARD) NET=tap $(if $(BENCH_NIC),NIC=$(BENCH_NIC)) all >/dev/null
	@$(MAKE) --no-print-directory BOARD=$(BOARD) NET=user all >/dev/null
	@[ "$(BOARD)" != qemu-x86 ] || $(MAKE) --no-print-directory BOARD=qemu-x86 NET=user NIC=virtio all >/dev/null
	@tests/bench/linux-peer/build.sh build/linux-peer
	@BOARD=$(BOARD) $(PYTHON) tests/bench/bench_net.py

clean:
	rm -rf build/qemu-* build/host build/linux-peer build/fuzz

help:
	@echo "make [BOARD=$(BOARDS)]   build build/<board>/kernel.elf"
	@echo "make run [NET=tap]       boot $(BOARD) in QEMU (Ctrl-A X quits); NET=tap: tap network in a namespace (root)"
	@echo "make test                unit tests (+valgrind) and QEMU tests of every board"
	@echo "make difftest [DIFF_N=2000 DIFF_SEED=1]  random programs, the kernel against CPython's asyncio"
	@echo "make test-unit-san       the unit tests built with ASan and UBSan"
	@echo "make bench               context-switch benchmarks"
	@echo "make bench-net           $(BOARD) beside a Linux guest: boot, RTT, throughput, 10,000 connections"
	@echo "   [BENCH_NIC=virtio]     ... with both guests on virtio-net-pci instead of the e1000 (qemu-x86)"
	@echo "make fuzz FUZZ_S=60      libFuzzer targets (URL, HTTP response and request, chunked, line editor, links, gzip/deflate), N s each"
	@echo "make debug [GDB_BATCH=1] QEMU stopped with its gdb stub, gdb-multiarch on the ELF (batch: backtrace at k_yield)"
	@echo "make print-boards        the boards; settings are make variables (see build/<board>/config.h)"
	@echo "make iso                 qemu-x86: build/qemu-x86/kernel.iso for a CD or USB stick (GRUB); make run BOOT=iso boots it"
	@echo "make size [SIZE_TOP=N]   flash and RAM of every board's image (N: its largest RAM symbols)"
	@echo "make flash BOARD=qemu-lm3s6965evb   program kernel.bin into a real EK-LM3S6965 (openocd)"
	@echo "make soak SOAK_S=3600    mixed echo/chat/fetch load on BOARD for N s, every byte checked (root)"
	@echo "make deps                install/build third-party dependencies (automatic)"

# The QEMU command line of $(BOARD), for the test harness and scripts.
qemu-cmd:
	@echo $(QEMU_PREFIX) $(QEMU) $(QEMU_ARGS) $(QEMU_EXTRA) $(BOOT_ARGS)

# ----------------------------------------------------------------------------------------
# Differential testing against CPython (tests/diff/): random scenario programs run by the
# Python interpreter (asyncio on a virtual clock) and by the kernel (build/host/diffrun, the
# host build of apps/diffrun.c); the traces must match through docs/python.md's mapping.
# `make difftest DIFF_N=2000 DIFF_SEED=1`; the boards run 50 each through the shell's
# `diffrun` (tests/qemu/test_diff.py, part of test-qemu).
DIFF_N ?= 2000
DIFF_SEED ?= 1
$(HOST_BUILD)/apps/diffrun.c.o: HOST_CFLAGS += -DDIFFRUN_HOST
$(HOST_BUILD)/diffrun: $(HOST_BUILD)/apps/diffrun.c.o $(HOST_BUILD)/tests/diff/diffrun_host.c.o $(HOST_KOBJS)
	$(HOST_CC) $(HOST_SAN) -o $@ $^ -Wl,--wrap=malloc
-include $(HOST_BUILD)/apps/diffrun.c.d $(HOST_BUILD)/tests/diff/diffrun_host.c.d

.PHONY: difftest
difftest: $(HOST_BUILD)/diffrun
	$(PYTHON) tests/diff/difftest.py --n $(DIFF_N) --seed $(DIFF_SEED) --diffrun $(HOST_BUILD)/diffrun
test-all: difftest
