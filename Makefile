# Stratus - a serverless cloud in one C process.
#   make run    build, then `stratus serve --demo`
#   make test   unit tests under ASan+UBSan, then end-to-end tests with real clients
#   make bench  benchmarks (figures, not pass/fail)
#   make clean

PKGS := libuv libcjson libmicrohttpd inih sqlite3 libcrypt uuid libcrypto libcurl
STD  := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN := -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wold-style-definition -Wformat=2 -Wundef \
        -Wwrite-strings -Wvla -Wimplicit-fallthrough -Wno-unused-parameter
INC  := -I. -Isim -Isim/core

ifeq ($(SANITIZE),1)
BUILD := build/asan
SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT   := -O1 -g3
else
BUILD := build/release
SAN   :=
OPT   := -O2 -g
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
FINAL_CFLAGS  = $(STD) $(WARN) $(OPT) $(SAN) $(INC) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
FINAL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -lpthread

LIB_SRC  := $(filter-out sim/sim_main.c,$(wildcard sim/core/*.c sim/*.c storage/*.c queue/*.c handlers/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/ddb_model.o
MAIN_OBJ := $(BUILD)/sim/sim_main.o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
DEPS_OK  := build/.deps-ok

.PHONY: all run test unit e2e bench clean deps lint asan install sweep conformance
SEEDS ?= 100
PREFIX ?= /usr/local
all: $(BUILD)/stratus

deps: $(DEPS_OK)
$(DEPS_OK): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $@

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(FINAL_CFLAGS) -c $< -o $@

# The DynamoDB request shapes, generated from botocore's API model (python3-botocore; the
# script finds it, or DDB_MODEL=path overrides). Regenerated when the script or the model
# file changes.
DDB_MODEL_JSON := $(shell python3 scripts/gen_ddb_model.py --print-model-path 2>/dev/null)
$(BUILD)/gen/ddb_model.c: scripts/gen_ddb_model.py $(DDB_MODEL_JSON) | $(DEPS_OK)
	@mkdir -p $(dir $@)
	@echo "GEN $@"
	@python3 scripts/gen_ddb_model.py $@

$(BUILD)/gen/ddb_model.o: $(BUILD)/gen/ddb_model.c
	@echo "CC $<"
	@$(CC) $(FINAL_CFLAGS) -c $< -o $@

$(BUILD)/stratus: $(LIB_OBJ) $(MAIN_OBJ)
	@echo "LINK $@"
	@$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/unit_tests: $(LIB_OBJ) $(UNIT_OBJ)
	@echo "LINK $@"
	@$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

run: $(BUILD)/stratus
	./$(BUILD)/stratus serve --demo

asan: | $(DEPS_OK)
	@$(MAKE) --no-print-directory SANITIZE=1 build/asan/stratus build/asan/unit_tests

unit: asan
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
	UBSAN_OPTIONS=print_stacktrace=1 ./build/asan/unit_tests --jobs 2

e2e: $(BUILD)/stratus
	sh tests/e2e/run.sh ./$(BUILD)/stratus

test: unit
	@$(MAKE) --no-print-directory e2e

# Differential DynamoDB conformance against dynalite (npm; not part of `make test`).
# Prints the share of generated requests on which both agree and every difference.
CONFORMANCE_DIR := build/conformance
conformance: $(BUILD)/stratus
	@mkdir -p $(CONFORMANCE_DIR)
	@[ -f $(CONFORMANCE_DIR)/node_modules/dynalite/cli.js ] || \
	    (cd $(CONFORMANCE_DIR) && { [ -f package.json ] || echo '{"private":true}' > package.json; } && \
	     npm install --no-audit --no-fund dynalite@4.0.0)
	python3 tests/conformance/ddb_diff.py --stratus ./$(BUILD)/stratus \
	    --dynalite $(CONFORMANCE_DIR)/node_modules/dynalite/cli.js --log-dir $(CONFORMANCE_DIR) \
	    --json $(CONFORMANCE_DIR)/results.json --shape-groups $(CONFORMANCE_DIR)/shape-groups.txt

bench: $(BUILD)/stratus
	sh tests/bench/run.sh ./$(BUILD)/stratus

sweep: $(BUILD)/stratus
	./$(BUILD)/stratus sweep --seeds $(SEEDS) --users 1000 --faults experiments/faults.conf

lint:
	@hits=$$(git grep -nE '\b(time|gettimeofday|clock_gettime|rand|random|srand|getrandom)\s*\(' \
	    -- '*.c' '*.h' ':!sim/core/sim_clock.c' ':!sim/core/sim_rng.c' ':!tests/*' \
	    | sed -E 's#/\*.*$$##; s#^([^:]*:[0-9]+:)[[:space:]]*\*.*$$#\1#' \
	    | grep -E '\b(time|gettimeofday|clock_gettime|rand|random|srand|getrandom)\s*\('); \
	if [ -n "$$hits" ]; then echo "$$hits"; echo "banned call (time and randomness only via sim_clock/sim_rng)"; exit 1; fi
	@echo "lint: no banned calls"

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
