# Everything a newcomer needs, on a machine with only python3:
#   make plan AGENCY=kaohsiung-cec YEAR=103     make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: building needs only the project (`make plan`); `make test` adds the test tools.
CKSUM := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(CKSUM)
TEST_STAMP := $(VENV)/.installed-test-$(CKSUM)
BYTECODE := $(VENV)/.bytecode
# AGENCY and YEAR reach recipes through the environment only, never pasted into shell text.
export AGENCY YEAR

.DEFAULT_GOAL := help
.PHONY: help install plan serve all site test bench validate schema clean

help: ## 列出可用的指令 (list targets)
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e . --config-settings editable_mode=compat
	@rm -f $(VENV)/.installed-[0-9]* && touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]' --config-settings editable_mode=compat
	@rm -f $(VENV)/.installed-test-* && touch $@

# The package's bytecode, compiled once after each change: the environment may forbid Python to write it
# (PYTHONDONTWRITEBYTECODE), and compiling the whole package again costs a one-plan build a third of its time.
# All of it (-f): compileall skips a file whose time to the second is unchanged, though its size is not.
$(BYTECODE): $(STAMP) $(wildcard pipeline/*.py pipeline/*/*.py)
	@$(BIN)/python -m compileall -q -f pipeline && touch $@

install: $(TEST_STAMP) $(BYTECODE) ## 建立 .venv 並安裝本專案與測試工具 (create .venv, install with the test tools)

plan: $(STAMP) $(BYTECODE) ## 建置一份計畫：make plan AGENCY=kaohsiung-cec YEAR=103 → build/AGENCY/YEAR/
	@$(BIN)/plan make "$$AGENCY" "$$YEAR"

serve: $(STAMP) $(BYTECODE) ## 即時預覽：make serve AGENCY=kaohsiung-cec YEAR=104，存檔後瀏覽器自動更新
	@$(BIN)/plan serve $${AGENCY:+"$$AGENCY"} $${YEAR:+"$$YEAR"} --open

all: $(STAMP) $(BYTECODE) ## 建置 plans/ 下的每一份計畫 (build every plan)
	@$(BIN)/plan build plans -o build

site: $(STAMP) $(BYTECODE) ## 建置可上傳的網站到 build/site/ (the website bundle)
	@$(BIN)/plan site -o build/site

validate: $(STAMP) $(BYTECODE) ## 檢查 plans/ 下的每一份計畫 (validate every plan)
	@$(BIN)/plan validate plans/*/*.yaml

schema: $(STAMP) ## 更新編輯器用的 JSON Schema 與欄位說明：schema/plan.schema.json、docs/fields.md
	@$(BIN)/plan schema -o schema/plan.schema.json
	@$(BIN)/python tools/make_field_reference.py

test: $(TEST_STAMP) ## 執行全部測試 (run the tests)
	$(BIN)/python -m pytest -q

bench: $(STAMP) $(BYTECODE) ## 量測建置速度並與 pandoc 比較 (benchmarks)
	$(BIN)/python bench/run.py

clean: ## 刪除 build/ 與 .venv (remove outputs and the environment)
	rm -rf build $(VENV)
