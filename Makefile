# The two commands a fresh Debian 12 machine needs (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= ./kho-data
LISTEN ?= 127.0.0.1:8080

.PHONY: all deps build test demo clean

all: build

deps:
	scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	$(BUILD)/kho --data $(DATA) init
	$(BUILD)/kho --data $(DATA) import --visibility public $(filter-out samples/README.md,$(wildcard samples/*))
	@echo "kho demo: open http://$(LISTEN)/"
	$(BUILD)/kho --data $(DATA) serve --listen $(LISTEN)

clean:
	rm -rf $(BUILD)
