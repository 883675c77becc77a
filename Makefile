# MIFAKit: two commands on a fresh machine.
#   make demo   installs what is missing, builds, and runs the end-to-end demo on Samples/
#   make test   installs what is missing, builds, and runs every test (unit, fuzz, interop)
SHELL := /bin/bash
.DEFAULT_GOAL := demo

APT_PACKAGES := libzstd-dev libblosc-dev zlib1g-dev libpng-dev libtiff-dev libbz2-dev liblzma-dev libcurl4-openssl-dev pkg-config nginx-light
# Only for the tests: headless Chromium and its WebDriver drive `mifa serve`'s pages (Tests/Interop/test_serve.py).
TEST_APT_PACKAGES := chromium chromium-driver
VENV := .venv
PYTHON := $(VENV)/bin/python
# Every debug `swift build`/`swift test`/`swift package` below passes the same flags, so one build
# serves them all. (The index store stays on: `swift test` finds the tests through it on Linux.)
SWIFT_BUILD_FLAGS ?=
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := FuzzMetadata FuzzTIFF FuzzZarr FuzzZip FuzzHTTP FuzzAnnotations FuzzOMEZarr FuzzPackage
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test deps apt apt-packages apt-zstd apt-test venv build lib python samples unit-test fuzz interop python-test wheel bench docs clean

demo: deps build python samples
	.build/debug/mifa demo

test: deps apt-test build python samples unit-test docs interop python-test fuzz

deps: apt venv

# Debian packages: install only those that are missing (apt-get update once, only if needed), then
# make sure that libzstd is new enough (apt-zstd, below).
# (`env` passes DEBIAN_FRONTEND through sudo, which resets the environment.)
apt: apt-packages apt-zstd

apt-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# libzstd >= 1.5.7: its compressor is ~35% faster per CPU second than 1.5.4's on Zarr chunks, and
# zstd writes need it to keep up with tensorstore, which bundles 1.5.7 (BENCHMARKS.md, "zstd writes
# against tensorstore"). Debian 12 ships 1.5.4; Debian 13 (trixie)'s 1.5.7 needs only libc6 >= 2.34,
# so on Debian 12 libzstd1 and libzstd-dev come from trixie, pinned: those two at 500 (so trixie's
# security updates of them arrive with `apt upgrade`), every other trixie package at -1 (never
# installed, not even as a dependency, unless asked for with `-t trixie`). Nothing is done (not even
# `apt-get update`) when the installed libzstd-dev is already new enough; elsewhere than Debian 12
# an older one stops the build with what to do. ZarrTests checks the library the build linked.
ZSTD_MINIMUM := 1.5.7
TRIXIE_SOURCE := /etc/apt/sources.list.d/mifakit-trixie.sources
TRIXIE_PIN := /etc/apt/preferences.d/mifakit-trixie
apt-zstd: apt-packages
	@state=$$(dpkg-query -W -f='$${db:Status-Status} $${Version}' libzstd-dev 2>/dev/null); \
	version=$${state#installed }; \
	if [ "$$state" = "installed $$version" ] && dpkg --compare-versions "$$version" ge $(ZSTD_MINIMUM); then exit 0; fi; \
	. /etc/os-release; \
	if [ "$$ID $$VERSION_CODENAME" != "debian bookworm" ]; then \
	  echo "zstd writes need libzstd >= $(ZSTD_MINIMUM) to keep up with tensorstore (BENCHMARKS.md), and the installed libzstd-dev is $${version:-missing}; this is $$PRETTY_NAME, not Debian 12: install libzstd-dev >= $(ZSTD_MINIMUM) (and its libzstd1) and run make again" >&2; \
	  exit 1; \
	fi; \
	echo "Installing Debian 13 (trixie)'s libzstd1 and libzstd-dev (pinned: nothing else comes from trixie): zstd writes need libzstd >= $(ZSTD_MINIMUM) to keep up with tensorstore, and Debian 12's is $${version:-missing}"; \
	printf '%s\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: trixie' 'Components: main' \
	  'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | $(SUDO) tee $(TRIXIE_SOURCE) >/dev/null; \
	printf '%s\n' '# MIFAKit (make deps): only libzstd >= $(ZSTD_MINIMUM) is taken from Debian 13 (trixie).' \
	  'Package: libzstd1 libzstd-dev' 'Pin: release n=trixie' 'Pin-Priority: 500' '' \
	  'Package: *' 'Pin: release n=trixie' 'Pin-Priority: -1' | $(SUDO) tee $(TRIXIE_PIN) >/dev/null; \
	log=$$(mktemp); \
	if ! { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzstd-dev libzstd1; } >$$log 2>&1; then \
	  cat $$log >&2; rm -f $$log; echo "apt-zstd: installing libzstd from trixie failed (output above)" >&2; exit 1; \
	fi; \
	rm -f $$log; \
	installed=$$(dpkg-query -W -f='$${Version}' libzstd-dev); \
	dpkg --compare-versions "$$installed" ge $(ZSTD_MINIMUM) || { echo "apt-zstd: libzstd-dev is $$installed after the install, still older than $(ZSTD_MINIMUM); see apt-cache policy libzstd-dev" >&2; exit 1; }

apt-test:
	@$(MAKE) --no-print-directory apt-packages APT_PACKAGES="$(TEST_APT_PACKAGES)"

# The reference tools for Tests/Interop, pinned, in a venv of their own.
venv: $(VENV)/.installed

$(VENV)/.installed: Tests/Interop/requirements.txt Tests/Interop/requirements-nodeps.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -r Tests/Interop/requirements.txt
	$(PYTHON) -m pip install -q --no-deps -r Tests/Interop/requirements-nodeps.txt
	touch $@

build:
	swift build $(SWIFT_BUILD_FLAGS)

# The C ABI as a shared library (libMIFAKit.so, include/mifakit.h), copied into the Python package
# (python/mifakit/, git-ignored there), which is installed into the venv in editable mode.
LIB := python/mifakit/libMIFAKit.so
lib: build
	cp .build/debug/libMIFAKit.so $(LIB)

# setuptools >= 77 builds the platform wheel (bdist_wheel moved into setuptools at 70; SPDX license strings at 77); a new venv has 65.
python: lib venv
	$(PYTHON) -m pip install -q "setuptools>=77"
	$(PYTHON) -m pip install -q --no-deps --no-build-isolation -e python

# An installable wheel (py3-none-<platform>) with a release build of the library (built where the
# benchmarks build theirs, so the two share one release build), into dist/.
wheel: venv
	swift build --scratch-path $(BENCH_SCRATCH) -c release --product MIFAKit
	cp $(BENCH_SCRATCH)/release/libMIFAKit.so $(LIB)
	$(PYTHON) -m pip install -q "setuptools>=77"
	$(PYTHON) -m pip wheel -q --no-deps --no-build-isolation -w dist ./python
	@ls dist/mifakit-*.whl

# The sample datasets (Samples/README.md): generated from fixed seeds, byte for byte the same on every
# run, git-ignored; regenerated only when the generator or the pinned tools change.
SAMPLES_STAMP := Samples/.generated
samples: $(SAMPLES_STAMP)

$(SAMPLES_STAMP): Samples/generate_samples.py $(VENV)/.installed
	$(PYTHON) Samples/generate_samples.py
	touch $@

# The S3 store's tests run against moto in server mode on a loopback port (Tests/Interop/s3_server.py
# starts it, creates the test bucket and sets MIFA_TEST_S3_ENDPOINT); without a server they fail in CI.
unit-test: $(VENV)/.installed
	$(PYTHON) Tests/Interop/s3_server.py swift test $(SWIFT_BUILD_FLAGS)

# libFuzzer targets, each run for FUZZ_SECONDS on a corpus seeded from generated valid inputs.
# MIFA_FUZZ=1 makes the manifest instrument our modules (Package.swift: `fuzzing`) in the ordinary
# .build, reusing the plain build's dependencies; the next plain build recompiles our modules only.
# `make test` runs it last for that reason. A fuzzer (one thread) runs while the next target
# builds, at most FUZZ_JOBS at once; each one's summary is printed when all are done, and any
# fuzzer that found a crash (or could not run) fails the target.
FUZZ_JOBS ?= 2
FUZZ_LOGS := .build/fuzz-logs
fuzz:
	@set -e; rm -rf $(FUZZ_LOGS); mkdir -p $(FUZZ_LOGS); \
	for t in $(FUZZ_TARGETS); do \
	  MIFA_FUZZ=1 swift build $(SWIFT_BUILD_FLAGS) --product $$t; \
	  corpus=Fuzz/corpus-$$t; mkdir -p $$corpus; \
	  $(PYTHON) Fuzz/seeds_$$t.py $$corpus; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  ( .build/debug/$$t $$corpus -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	      -max_len=65536 -timeout=10 -print_final_stats=1 > $(FUZZ_LOGS)/$$t.log 2>&1; \
	    echo $$? > $(FUZZ_LOGS)/$$t.rc ) & \
	  while [ $$(jobs -rp | wc -l) -ge $(FUZZ_JOBS) ]; do wait -n || true; done; \
	done; wait; \
	failed=""; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz: $$t"; tail -n 12 $(FUZZ_LOGS)/$$t.log; \
	  [ "$$(cat $(FUZZ_LOGS)/$$t.rc)" = 0 ] || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (logs in $(FUZZ_LOGS))"; exit 1; fi

# INTEROP_WORKERS pytest-xdist processes share the tests (each test starts its own servers on free
# ports and writes under its own tmp_path); 1 runs them in this process, in file order.
INTEROP_WORKERS ?= 2
# Notebook 03 trains through mifakit.torch: the Python package and torch first.
interop: build python $(VENV)/.bench-installed
	MIFA_BIN=$(CURDIR)/.build/debug/mifa $(PYTHON) -m pytest -q $(if $(filter-out 1,$(INTEROP_WORKERS)),-n $(INTEROP_WORKERS)) Tests/Interop

# The Python package over the C ABI (Tests/Python); the PyTorch tests need torch (Benchmarks/requirements.txt).
python-test: python $(VENV)/.bench-installed
	MIFA_BIN=$(CURDIR)/.build/debug/mifa $(PYTHON) -m pytest -q Tests/Python

# PyTorch: the loader benchmarks' peer, notebook 03's training and Tests/Python's torch tests.
# A CPU build of torch where the machine ships one (/opt/wheels): PyPI's default build pulls ~3 GB of
# CUDA libraries that neither the tests nor the benchmarks use.
TORCH_WHEEL := $(lastword $(sort $(wildcard /opt/wheels/torch-*+cpu-*.whl)))
$(VENV)/.bench-installed: Benchmarks/requirements.txt $(VENV)/.installed
	$(if $(TORCH_WHEEL),$(PYTHON) -m pip install -q $(TORCH_WHEEL))
	$(PYTHON) -m pip install -q -r Benchmarks/requirements.txt
	touch $@

# Zarr read/write speed against tensorstore and zarr-python (release build; see BENCHMARKS.md).
BENCH_SCRATCH := .build-bench
BENCH_ROUNDS ?= 5
bench: deps $(VENV)/.bench-installed
	swift build --scratch-path $(BENCH_SCRATCH) -c release --product ZarrBench
	$(PYTHON) Benchmarks/zarr_bench.py --rounds $(BENCH_ROUNDS) --bench-bin $(BENCH_SCRATCH)/release/ZarrBench
	$(PYTHON) Benchmarks/shard_regions_bench.py --bench-bin $(BENCH_SCRATCH)/release/ZarrBench --markdown
	swift build --scratch-path $(BENCH_SCRATCH) -c release --product AnnotationsBench
	$(PYTHON) Benchmarks/annotations_bench.py --rounds 3 --bench-bin $(BENCH_SCRATCH)/release/AnnotationsBench
	swift build --scratch-path $(BENCH_SCRATCH) -c release --product mifa
	$(PYTHON) Benchmarks/omezarr_bench.py --rounds 3 --mifa $(BENCH_SCRATCH)/release/mifa
	$(PYTHON) Benchmarks/export_bench.py --mifa $(BENCH_SCRATCH)/release/mifa --markdown
	$(PYTHON) Benchmarks/loader_bench.py --mifa $(BENCH_SCRATCH)/release/mifa --markdown
	$(PYTHON) Benchmarks/loader_bench.py --case 3d --mifa $(BENCH_SCRATCH)/release/mifa --markdown
	$(PYTHON) Benchmarks/loader_bench.py --case channels --mifa $(BENCH_SCRATCH)/release/mifa --markdown
	swift build --scratch-path $(BENCH_SCRATCH) -c release --product MIFAKit
	$(PYTHON) -m pip install -q --no-deps --no-build-isolation -e python
	MIFAKIT_LIBRARY=$(BENCH_SCRATCH)/release/libMIFAKit.so $(PYTHON) Benchmarks/python_loader_bench.py \
	  --mifa $(BENCH_SCRATCH)/release/mifa --markdown
	$(PYTHON) Benchmarks/package_ingest_bench.py --rounds 3 --mifa $(BENCH_SCRATCH)/release/mifa
	$(PYTHON) Benchmarks/package_audit_bench.py --rounds 5 --mifa $(BENCH_SCRATCH)/release/mifa
	$(PYTHON) Benchmarks/serve_bench.py --mifa $(BENCH_SCRATCH)/release/mifa

# DocC documentation of every library module into out/docs/<Module>.doccarchive, with the
# toolchain's own tools: `swift package dump-symbol-graph` builds (the debug build's flags, so
# nothing is recompiled) and writes every module's symbol graphs in one run, then `docc convert`
# turns each module's graphs and its catalog into an archive. Any documentation warning fails the
# target. SwiftPM's notes about files a dependency leaves undeclared (swift-distributed-tracing's
# CMakeLists.txt, under hummingbird) are not ours.
DOCS_DIR := out/docs
DOCS_TARGETS := MIFACore RasterIO Zarr OMEZarr MIFAModel Annotations DatasetPackage BatchLoader PackageLoading Rendering MIFAServer
docs: apt
	rm -rf $(DOCS_DIR) $(DOCS_DIR)-graphs; mkdir -p $(DOCS_DIR) $(DOCS_DIR)-graphs
	swift package $(SWIFT_BUILD_FLAGS) dump-symbol-graph 2>&1 | tee $(DOCS_DIR).log; test $${PIPESTATUS[0]} -eq 0
	@set -e; graphs=$$(sed -n 's/^Files written to //p' $(DOCS_DIR).log | tail -n 1); test -d "$$graphs"; \
	for m in $(DOCS_TARGETS); do \
	  mkdir -p $(DOCS_DIR)-graphs/$$m; cp "$$graphs"/$$m.symbols.json $(DOCS_DIR)-graphs/$$m/; \
	  cp "$$graphs"/$$m@*.symbols.json $(DOCS_DIR)-graphs/$$m/ 2>/dev/null || true; \
	  catalog=$$(ls -d Sources/$$m/*.docc 2>/dev/null | head -n 1); \
	  echo "docs: $$m"; \
	  docc convert $$catalog --additional-symbol-graph-dir $(DOCS_DIR)-graphs/$$m --output-path $(DOCS_DIR)/$$m.doccarchive \
	    --fallback-display-name $$m --fallback-bundle-identifier $$m --fallback-default-module-kind Framework 2>&1 | tee -a $(DOCS_DIR).log; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done
	@deps=$$(ls .build/checkouts 2>/dev/null | paste -sd'|' -); \
	if grep -E '^(warning|error):' $(DOCS_DIR).log \
	  | grep -vE "^warning: '($${deps:-none})': found [0-9]+ file\(s\) which are unhandled" | grep -q .; then \
	  echo "docs: documentation warnings (listed above; all in $(DOCS_DIR).log)"; exit 1; fi

clean:
	rm -rf .build $(BENCH_SCRATCH) Fuzz/corpus-* dist $(LIB) python/build python/*.egg-info
