# gaoxin — two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Label Studio runs from its own venv: it pins Django and friends; the project itself only needs
# label-studio-sdk, pinned to the version this label-studio pins.
LS_VERSION := 1.23.2
LS_VENV    := .venv-ls
LS_STAMP   := $(LS_VENV)/.installed-$(LS_VERSION)

.PHONY: install browser fonts loadgen run test unit eval bench screenshots lint format clean

install: $(STAMP) $(LS_STAMP) browser fonts

# Installs print one line each; pip's own output goes to a log, shown only when the install fails.
QUIET = > $(1)/install.log 2>&1 || { tail -n 40 $(1)/install.log; echo "install failed: the whole log is $(1)/install.log"; exit 1; }

$(STAMP): pyproject.toml
	@echo "Installing gaoxin and its libraries into $(VENV)/ (log: $(VENV)/install.log)…"
	@$(PYTHON) -m venv $(VENV)
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]'; } $(call QUIET,$(VENV))
	@touch $(STAMP)

$(LS_STAMP):
	@echo "Installing Label Studio $(LS_VERSION) into $(LS_VENV)/ (a few minutes, once; log: $(LS_VENV)/install.log)…"
	@$(PYTHON) -m venv $(LS_VENV)
	@{ $(LS_VENV)/bin/python -m pip install --upgrade pip && \
	   $(LS_VENV)/bin/python -m pip install "label-studio==$(LS_VERSION)"; } $(call QUIET,$(LS_VENV))
	@test -x $(LS_VENV)/bin/label-studio  # not `label-studio --version`: that starts a server
	@touch $(LS_STAMP)

# The web page's end-to-end tests (tests/test_web.py) drive Debian's Chromium; install it when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

browser:
	@test -x /usr/bin/chromium || ( $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium )

# Chinese and emoji in the browser (the chat page, Label Studio, their screenshots) need fonts that have them:
# without these, every character is the same missing-glyph box. tests/test_web.py checks they are drawn.
fonts:
	@{ fc-list | grep -qi "Noto Sans CJK" && fc-list | grep -qi "Noto Color Emoji"; } || ( $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji )

# `make bench` loads the HTTP API with wrk (a C load generator: a Python one would take the CPU it measures).
loadgen:
	@command -v wrk >/dev/null || ( $(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk )

run: $(STAMP) $(LS_STAMP)
	@$(BIN)/gaoxin ingest
	@echo "The store is data/gaoxin.db (try: $(BIN)/gaoxin facts --zone 青岛). Starting Label Studio and the bot…"
	@$(BIN)/gaoxin up

test: $(STAMP) $(LS_STAMP) browser fonts
	$(BIN)/ruff check .
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest -m "not slow and not labelstudio and not browser"

eval: $(STAMP)
	$(BIN)/gaoxin eval

bench: $(STAMP) loadgen
	$(BIN)/gaoxin bench

# The README's pictures, taken by the browser tests that check what they show: docs/chat-ranking.png (the chat
# page at 390 px answering a ranking) and docs/labeling-view.png (the labeling view on a real Label Studio, with
# the first task of the seeds and one number selected: nothing over the text, every field named).
screenshots: $(STAMP) $(LS_STAMP) browser fonts
	GAOXIN_SCREENSHOT_DIR=docs $(BIN)/pytest -q -p no:cacheprovider -m browser tests/test_web.py -k screenshot
	GAOXIN_LABELING_SCREENSHOT=docs/labeling-view.png $(BIN)/pytest -q -p no:cacheprovider \
		tests/test_labelstudio_ui.py -k keeps_labels_off_the_text

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache *.egg-info
