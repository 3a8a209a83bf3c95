# ffnet: one GNU Makefile, no autotools. See README.md.
PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/ffnet
SYSCONFDIR ?= /etc
# systemd looks in /usr/lib and /usr/local/lib alike (systemd-analyze
# unit-paths); /etc/systemd/system is the administrator's, not ours.
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
CC	?= cc
CFLAGS	?= -O2 -g
PKGS	 = libetpan libcurl sqlite3 libical inih gnutls jansson
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wcast-qual -Wformat=2
# -Werror with WERROR=1; CI (CI=true) sets it by itself.
ifeq ($(CI),true)
WERROR	?= 1
endif
ifeq ($(WERROR),1)
WARN	+= -Werror
endif
# Read once per make; "make check" and "make demo" install the libraries
# first (make deps) and then build in a second make, which reads them anew:
# a first run on a fresh machine must not link without them.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_MISSING := $(shell pkg-config --exists $(PKGS) 2>/dev/null || echo yes)
# GNU libunistring (Unicode normalisation and case folding) has no .pc.
ifeq ($(shell printf '\043include <uninorm.h>\n' | $(CC) -E - >/dev/null 2>&1 || echo no),no)
PKG_MISSING := yes
endif
# libetpan.pc leaks a -specs= flag that needs libdpkg-perl: drop it.
PKG_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs $(PKGS) 2>/dev/null)) -lunistring
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -pthread $(CFLAGS) $(WARN) -Ilib -Idaemon -Ihandlers \
	     $(PKG_CFLAGS) -DFFNET_DATADIR='"$(DATADIR)"'
ALL_LDLIBS = $(LDFLAGS) $(PKG_LIBS) -pthread $(LDLIBS)

B	 = build
SRCS	 = $(sort $(wildcard lib/*.c daemon/*.c handlers/*.c))
OBJS	 = $(SRCS:%.c=$(B)/%.o)
LIBOBJS	 = $(filter-out $(B)/daemon/main.o,$(OBJS))
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
# The mail library (lib/) on its own: a unit test named after one of its
# modules (test_mime for lib/mime*.c) and the network tests link lib/'s
# objects alone, so the linker, too, refuses a lib/ that reaches up.
MAIL_SRCS = $(sort $(wildcard lib/*.c))
MAIL_OBJS = $(MAIL_SRCS:%.c=$(B)/%.o)
MAIL_BASE = $(basename $(notdir $(MAIL_SRCS)))
MAIL_MODS = $(MAIL_BASE) $(foreach m,$(MAIL_BASE),$(firstword $(subst _, ,$(m))))
MAIL_UNIT_BINS = $(filter $(addprefix $(B)/tests/test_,$(MAIL_MODS)),$(UNIT_BINS))

all: $(B)/ffnet

pkgs-present:
ifeq ($(PKG_MISSING),yes)
	@echo "ffnet: the libraries ($(PKGS) libunistring) or pkg-config are not installed;" \
	    "run 'make deps' as root (make check and make demo do it first)" >&2
	@exit 1
endif

$(OBJS): | pkgs-present

$(B)/ffnet: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(ALL_LDLIBS)

# conf.c compiles DATADIR in (the templates' default): a new PREFIX or
# DATADIR rebuilds it, so "make; make install PREFIX=/usr" cannot install
# a binary that looks for its templates under /usr/local.
$(B)/datadir: FORCE
	@mkdir -p $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
$(B)/daemon/conf.o: $(B)/datadir

$(B)/%.o: %.c $(wildcard lib/*.h daemon/*.h handlers/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The tests' shared helpers (tests/unit/testlib.{c,h}); lib/ alone, so
# the lib-only tests below link it too. Not a test_*.c: no binary of its own.
TESTLIB	 = $(B)/tests/testlib.o
TESTHDRS = tests/unit/check.h tests/unit/testlib.h

$(TESTLIB): tests/unit/testlib.c tests/unit/testlib.h $(wildcard lib/*.h) | pkgs-present
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ tests/unit/testlib.c

$(B)/tests/%: tests/unit/%.c $(TESTHDRS) $(TESTLIB) $(LIBOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(TESTLIB) $(LIBOBJS) $(ALL_LDLIBS)

$(MAIL_UNIT_BINS): $(B)/tests/%: tests/unit/%.c $(TESTHDRS) $(TESTLIB) $(MAIL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(TESTLIB) $(MAIL_OBJS) $(ALL_LDLIBS)

NET_SRCS = $(sort $(wildcard tests/net/test_*.c))
NET_BINS = $(NET_SRCS:tests/net/%.c=$(B)/tests/net_%)

$(B)/tests/net_%: tests/net/%.c $(TESTHDRS) $(TESTLIB) $(MAIL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(TESTLIB) $(MAIL_OBJS) $(ALL_LDLIBS)

units: $(UNIT_BINS) $(NET_BINS)

# Installs what is missing (Debian packages), once per machine.
deps:
	@sh tests/deps.sh

# deps first, then a new make that sees what deps installed.
check: deps
	@$(MAKE) --no-print-directory all units
	@FFNET_BUILD=$(B) bash tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@sh tests/bench.sh

# The crash test of make check, longer: 1000 commands, 60 kills.
crashtest: deps
	@$(MAKE) --no-print-directory all
	@FFNET_VALGRIND= FFNET_CRASH_N=1000 FFNET_CRASH_KILLS=60 \
	    python3 tests/e2e/e2e.py t_faults_crash

# All of make check against a build with AddressSanitizer (and its
# LeakSanitizer) and UBSan, in its own directory: build/ stays the plain
# build. UB stops the process as an ASan error does; tests/run.sh turns
# valgrind off and fails on every report (tests/lsan.supp: library
# leaks only). clang, not gcc: gcc 12's libubsan is a library apart from
# libasan that ignores UBSAN_OPTIONS' log_path, so UB in a daemon whose
# stderr a test never reads would go unseen. The command line's
# variables reach tests/install.sh's make through MAKEFLAGS.
ASAN_B	 = build-asan
ASAN_CC	?= clang
SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	   -fno-omit-frame-pointer
asan:
	@FFNET_ASAN=1 sh tests/deps.sh
	@$(MAKE) --no-print-directory B=$(ASAN_B) CC=$(ASAN_CC) \
	    CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" FFNET_SANITIZE=1 check

# Coverage-guided fuzzing of the parsers with clang's libFuzzer. A target
# named after a lib/ module links lib/ alone; the others (fuzz_recog,
# fuzz_calreply, ...) link everything but main.c. fuzz_calreply also reads
# the real calendar answers in tests/corpus/imip, and in ../shared/corpus/imip
# when that exists, as make check does.
FUZZTIME ?= 60
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	      -Ilib -Idaemon -Ihandlers $(PKG_CFLAGS) -DFFNET_DATADIR='"$(DATADIR)"'
fuzz:
	@FFNET_FUZZ=1 sh tests/deps.sh
	@mkdir -p $(B)/fuzz
	@set -e; for f in $(FUZZ_SRCS); do \
		n=$$(basename $$f .c); \
		srcs="$(filter-out daemon/main.c,$(SRCS))"; \
		ls lib/$${n#fuzz_}*.c >/dev/null 2>&1 && srcs="$(MAIL_SRCS)"; \
		clang $(FUZZ_CFLAGS) -o $(B)/fuzz/$$n $$f $$srcs $(PKG_LIBS); \
		mkdir -p $(B)/fuzz/$$n.corpus; \
		echo "fuzz: $$n for $(FUZZTIME) s"; \
		seeds=tests/corpus/mime; \
		[ -d tests/fuzz/seeds/$${n#fuzz_} ] && seeds=tests/fuzz/seeds/$${n#fuzz_}; \
		[ $$n = fuzz_bounce ] && seeds=tests/corpus/bounces; \
		[ $$n = fuzz_calreply ] && seeds="$$seeds tests/corpus/imip"; \
		[ $$n = fuzz_calreply ] && [ -d ../shared/corpus/imip ] && \
		    seeds="$$seeds ../shared/corpus/imip"; \
		rc=0; $(B)/fuzz/$$n -max_total_time=$(FUZZTIME) \
		    -rss_limit_mb=2048 -artifact_prefix=$(B)/fuzz/$$n- \
		    $(B)/fuzz/$$n.corpus $$seeds >$(B)/fuzz/$$n.log 2>&1 || \
		    rc=$$?; \
		tail -3 $(B)/fuzz/$$n.log; \
		if [ $$rc -ne 0 ]; then echo "fuzz: $$n found a crash" \
		    "(exit $$rc): $(B)/fuzz/$$n.log, $(B)/fuzz/$$n-*"; \
		    exit 1; fi; \
	done

# Works without root into a DESTDIR: no chown; ownership comes from
# sysusers.d and tmpfiles.d on the machine itself. The installed unit,
# man page and example name the installed paths. A config in
# $(SYSCONFDIR)/ffnet is the administrator's and never overwritten.
SUBST	 = sed -e 's|/usr/local/sbin|$(BINDIR)|g' \
	    -e 's|/usr/local/share/ffnet|$(DATADIR)|g' \
	    -e 's|/usr/local/lib/systemd/system|$(UNITDIR)|g' \
	    -e 's|/usr/local/lib/sysusers.d|$(SYSUSERSDIR)|g' \
	    -e 's|/usr/local/lib/tmpfiles.d|$(TMPFILESDIR)|g' \
	    -e 's|/etc/ffnet/|$(SYSCONFDIR)/ffnet/|g'
EXAMPLE	 = $(DESTDIR)$(SYSCONFDIR)/ffnet/ffnet.conf.example
UNITS	 = ffnet@.service ffnet-backup@.service ffnet-backup@.timer

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/templates/da \
	    $(DESTDIR)$(DATADIR)/templates/en $(DESTDIR)$(SYSCONFDIR)/ffnet \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	install -m 755 $(B)/ffnet $(DESTDIR)$(BINDIR)/ffnet
	$(SUBST) daemon/ffnet.8 >$(DESTDIR)$(MANDIR)/man8/ffnet.8
	$(SUBST) conf/ffnet.conf.5 >$(DESTDIR)$(MANDIR)/man5/ffnet.conf.5
	for u in $(UNITS); do \
		$(SUBST) conf/$$u >$(DESTDIR)$(UNITDIR)/$$u || exit 1; \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u; \
	done
	chmod 644 $(DESTDIR)$(MANDIR)/man8/ffnet.8 \
	    $(DESTDIR)$(MANDIR)/man5/ffnet.conf.5
	install -m 644 conf/ffnet.sysusers $(DESTDIR)$(SYSUSERSDIR)/ffnet.conf
	install -m 644 conf/ffnet.tmpfiles $(DESTDIR)$(TMPFILESDIR)/ffnet.conf
	install -m 644 templates/da/*.txt $(DESTDIR)$(DATADIR)/templates/da/
	install -m 644 templates/en/*.txt $(DESTDIR)$(DATADIR)/templates/en/
	@if [ -e $(EXAMPLE) ]; then \
		echo "install: $(EXAMPLE) exists, kept"; \
	else \
		echo "$(SUBST) conf/ffnet.conf.example >$(EXAMPLE)"; \
		$(SUBST) conf/ffnet.conf.example >$(EXAMPLE) && \
		chmod 644 $(EXAMPLE); \
	fi

# Leaves $(SYSCONFDIR)/ffnet (the configurations and passwords) and the
# stores in /var/lib/ffnet: they are the administrator's.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/ffnet $(DESTDIR)$(MANDIR)/man8/ffnet.8 \
	    $(DESTDIR)$(MANDIR)/man5/ffnet.conf.5 \
	    $(UNITS:%=$(DESTDIR)$(UNITDIR)/%) \
	    $(DESTDIR)$(SYSUSERSDIR)/ffnet.conf \
	    $(DESTDIR)$(TMPFILESDIR)/ffnet.conf
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(B) $(ASAN_B)

.PHONY: all pkgs-present units deps check demo bench crashtest asan fuzz install uninstall clean FORCE
FORCE:
