# apigen: `make generate` and `make test` work on a fresh machine (they set themselves up).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
API ?= baseten
PRISM_DIR := .tools/prism
PRISM := $(PRISM_DIR)/node_modules/.bin/prism

.PHONY: generate sync test corpus check contract lint typecheck tools bench diff-bench lock clean
CORPUS ?= ../shared/corpus/specs

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

## generate: sync the spec from upstream (falls back to the snapshot offline), then generate the client
generate: $(STAMP)
	$(BIN)/apigen generate $(API)

## tools: install the pinned Stoplight Prism mock server into .tools/prism (project-local)
$(PRISM): tools/prism/package.json tools/prism/package-lock.json
	@mkdir -p $(PRISM_DIR)
	@cp tools/prism/package.json tools/prism/package-lock.json $(PRISM_DIR)/
	@cd $(PRISM_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(PRISM)
tools: $(PRISM)

## test: lint, type-check the generator and the generated client, run every test
test: $(STAMP) $(PRISM)
	$(BIN)/ruff check generator tests bench tools
	$(BIN)/ruff format --check generator tests bench tools
	$(BIN)/ruff check --config templates/ruff.toml generated specs
	$(BIN)/ruff format --check --config templates/ruff.toml generated specs
	$(BIN)/mypy generator bench tools
	cd generated && ../$(BIN)/mypy --config-file ../templates/mypy-generated.ini baseten_client ../tests/typing/baseten_usage.py
	PRISM=$(PRISM) $(BIN)/python -m pytest

## corpus: every spec of ../shared/corpus/specs: each operation bound to the right class
corpus: $(STAMP)
	$(BIN)/python -m pytest -m corpus tests/test_bindings.py

## check: regenerate into a temporary folder and fail when generated/ differs
check: $(STAMP)
	$(BIN)/apigen generate $(API) --offline --check

## contract: every spec of $(CORPUS) through its generated sync client against Prism (long)
contract: $(STAMP) $(PRISM)
	@mkdir -p build && rm -f build/contract-report.txt
	-APIGEN_CONTRACT_SPECS=$(CORPUS) APIGEN_CONTRACT_REPORT=build/contract-report.txt \
		PRISM=$(PRISM) $(BIN)/python -m pytest -q tests/test_contract_corpus.py
	@grep -v '^    ' build/contract-report.txt; echo "details: build/contract-report.txt"

## bench: compare speed and memory with peers on the corpus
bench: $(STAMP)
	$(BIN)/python -m bench

## diff-bench: how often `apigen diff` agrees with oasdiff's own test pairs (OASDIFF=checkout)
diff-bench: $(STAMP)
	@test -n "$(OASDIFF)" || { echo "set OASDIFF to an oasdiff checkout"; exit 2; }
	$(BIN)/python -m bench.diff_pairs --oasdiff $(OASDIFF) $(if $(LIST),--list)

## lock: re-pin Python dependencies after editing pyproject.toml
lock: $(STAMP)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .tools .mypy_cache .pytest_cache .ruff_cache
