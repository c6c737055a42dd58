# Stratus - a serverless cloud in one C process.
#   make run    build, then `stratus serve --demo`
#   make test   unit tests under ASan+UBSan, then end-to-end tests with real clients
#   make bench  benchmarks (figures, not pass/fail)
#   make fuzz   libFuzzer on the expression parser for FUZZ_SECONDS (clang; not needed by test)
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

.PHONY: all run test unit e2e bench clean deps lint asan install sweep conformance fuzz fuzz-merge
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

# The fuzz corpus replayed without libFuzzer (gcc; part of `make unit`).
FUZZ_OBJ := $(BUILD)/tests/fuzz/fuzz_ddb_expr.o
$(BUILD)/fuzz_replay: $(LIB_OBJ) $(FUZZ_OBJ) $(BUILD)/tests/fuzz/replay.o
	@echo "LINK $@"
	@$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

run: $(BUILD)/stratus
	./$(BUILD)/stratus serve --demo

asan: | $(DEPS_OK)
	@$(MAKE) --no-print-directory SANITIZE=1 build/asan/stratus build/asan/unit_tests \
	    build/asan/fuzz_replay

unit: asan
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
	UBSAN_OPTIONS=print_stacktrace=1 ./build/asan/unit_tests --jobs 2
	ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=0 \
	UBSAN_OPTIONS=print_stacktrace=1 ./build/asan/fuzz_replay $(FUZZ_CORPUS)

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

# libFuzzer (clang) on the expression parser: FUZZ_SECONDS of fuzzing from the committed
# corpus; new inputs go to build/fuzz/corpus, crashes to build/fuzz/crash-*. `make fuzz-merge`
# minimises the committed corpus together with what the runs found (-merge=1). clang takes
# the gcc build's warnings except -Wimplicit-fallthrough, which ignores gcc's comment form.
FUZZ_SECONDS ?= 60
FUZZ_CORPUS  := tests/fuzz/corpus/expr
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS   = $(STD) $(WARN) -Wno-implicit-fallthrough -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(INC) $(PKG_CFLAGS) -MMD -MP
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_RUN      = ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	./$(FUZZ_DIR)/fuzz_ddb_expr -dict=tests/fuzz/expr.dict -max_len=8192 -timeout=10 \
	-rss_limit_mb=2048 -artifact_prefix=$(FUZZ_DIR)/

$(FUZZ_DIR)/.deps-ok: scripts/fuzz-deps.sh
	@sh scripts/fuzz-deps.sh
	@mkdir -p $(FUZZ_DIR) && touch $@

$(FUZZ_DIR)/%.o: %.c | $(DEPS_OK) $(FUZZ_DIR)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "CC(fuzz) $<"
	@clang $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz_ddb_expr: $(FUZZ_LIB_OBJ) $(FUZZ_DIR)/tests/fuzz/fuzz_ddb_expr.o
	@echo "LINK $@"
	@clang -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(LIBS)

fuzz: $(FUZZ_DIR)/fuzz_ddb_expr
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_RUN) -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    $(FUZZ_DIR)/corpus $(FUZZ_CORPUS)

# The named inputs (seed-* from seeds.py, crash-* of fixed bugs, harness-*) always stay; the
# merge adds what else covers new edges (-use_counters=0: edges, not hit counts, keep it to a
# few hundred files).
fuzz-merge: $(FUZZ_DIR)/fuzz_ddb_expr
	@rm -rf $(FUZZ_DIR)/merged && mkdir -p $(FUZZ_DIR)/merged $(FUZZ_DIR)/corpus
	cp $(FUZZ_CORPUS)/seed-* $(FUZZ_CORPUS)/crash-* $(FUZZ_CORPUS)/harness-* $(FUZZ_DIR)/merged/
	$(FUZZ_RUN) -merge=1 -use_counters=0 $(FUZZ_DIR)/merged $(FUZZ_CORPUS) $(FUZZ_DIR)/corpus
	rm -f $(FUZZ_CORPUS)/* && cp $(FUZZ_DIR)/merged/* $(FUZZ_CORPUS)/

lint:
	@hits=$$(git grep -nE '\b(time|gettimeofday|clock_gettime|rand|random|srand|getrandom)\s*\(' \
	    -- '*.c' '*.h' ':!sim/core/sim_clock.c' ':!sim/core/sim_rng.c' ':!tests/*' \
	    | sed -E 's#/\*.*$$##; s#^([^:]*:[0-9]+:)[[:space:]]*\*.*$$#\1#' \
	    | grep -E '\b(time|gettimeofday|clock_gettime|rand|random|srand|getrandom)\s*\('); \
	if [ -n "$$hits" ]; then echo "$$hits"; echo "banned call (time and randomness only via sim_clock/sim_rng)"; exit 1; fi
	@echo "lint: no banned calls"

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
-include $(FUZZ_LIB_OBJ:.o=.d) $(FUZZ_DIR)/tests/fuzz/fuzz_ddb_expr.d
