# The two commands a fresh Debian 12 machine needs (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./kho-data
LISTEN ?= 127.0.0.1:8080

FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS_CI ?= 30
FUZZ_SECONDS ?= 3600

.PHONY: all deps build test fuzz fuzz-long demo clean

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

test: build fuzz
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The fuzz targets (fuzz/README.md) under ASan and UBSan, each for
# FUZZ_SECONDS_CI from a fixed seed; fuzz-long runs each for FUZZ_SECONDS.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DKHO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKHO_FUZZ_SECONDS=$(FUZZ_SECONDS_CI)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS)

fuzz-long: fuzz
	fuzz/long $(FUZZ_BUILD) $(FUZZ_SECONDS)

demo: build
	$(BUILD)/kho --data $(DATA) init
	$(BUILD)/kho --data $(DATA) import --visibility public $(filter-out samples/README.md,$(wildcard samples/*))
	@echo "kho demo: open http://$(LISTEN)/"
	$(BUILD)/kho --data $(DATA) serve --listen $(LISTEN)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)
