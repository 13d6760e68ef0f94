# ringca: the two commands a newcomer types on a fresh Debian 12 machine are
# `make demo` and `make test`; both install what is missing first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
BENCH_BUILD ?= build-bench
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 30

.PHONY: all deps build test unit asan demo bench fuzz docs deb test-deb clean

all: build

deps:
	@scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The plain build and the ASan+UBSan build run the same ctest suite.
test: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory test-deb

unit: build
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure

asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRINGCA_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest -j $(JOBS) --output-on-failure

demo: build
	scripts/demo.sh $(BUILD)

# Benchmarks always run optimised, in their own build tree, whatever the
# type of $(BUILD); results in bench/results/latest.json and
# docs/performance.md (see there).
bench: deps
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	bench/run.sh $(BENCH_BUILD)

# libFuzzer (clang) over every target in tests/fuzz/, FUZZ_SECONDS each,
# growing the corpora in place.
fuzz: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRINGCA_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The Debian packages (docs/deploy.md): dpkg-buildpackage on a copy of the
# tree, then lintian; the .deb files land in $(DEB_BUILD)/.
DEB_BUILD ?= build-deb
deb: deps
	scripts/deb.sh $(DEB_BUILD)

# Builds the packages, installs them into a throwaway Debian 12 root
# (debootstrap), checks files, users, modes and man pages, then purges.
test-deb: deps
	scripts/test_deb.sh $(DEB_BUILD)

# The picture of the canonical mesh in docs/ (committed; Graphviz from deps).
docs: build
	$(BUILD)/topology/ringca-topo dot topology/examples/canonical.yaml | dot -Tsvg -o docs/canonical.svg

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(BENCH_BUILD) $(DEB_BUILD)
