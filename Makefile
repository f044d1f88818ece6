# Two commands for a newcomer: `make demo` and `make test`. Both set up what is missing first.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: setup build demo test check-all check-bundle bench clean

setup:
	@scripts/setup.sh

$(BUILD)/CMakeCache.txt: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The second tier: sanitizers (ASan+UBSan, TSan) and fuzzing, in their own build dirs.
check-all: setup
	@scripts/check-all.sh

# The GPU bundle's relocation alone: a CUDA build for sm_80;90 packed by scripts/gpu-bundle.sh,
# run in a bare Debian 12 chroot by scripts/check-bundle.sh (root; nvcc in /usr/local/cuda;
# debootstrap and network the first time, then cached). Also the last step of check-all.
check-bundle: setup
	@scripts/gpu-bundle.sh
	@scripts/check-bundle.sh

bench: build
	@scripts/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD)
