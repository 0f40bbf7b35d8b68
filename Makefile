# ComunicApp core — build, test and demo entry points.
# Everything a target needs is installed here, idempotently, and cached in $(CACHE_DIR).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
CARGO ?= cargo
JOBS ?= 2
# Shared by every checkout on the machine (CI clones anew each time): chroot, venv, Maven, tools.
CACHE_DIR ?= $(if $(HOME),$(HOME)/.cache/comunicapp,$(CURDIR)/.cache)
export CACHE_DIR
export CARGO_BUILD_JOBS := $(JOBS)
PORT ?= 8787
ARGS ?=

.PHONY: help demo test test-rust test-contract test-kotlin test-swift test-browser lint fmt \
        bindings sandbox bench android-libs ios-xcframework audit deps-browser copy test-copy \
        test-ios-app test-android-app screenshots reliability

help:
	@echo "make demo      run the main job on the embedded sandbox (ARGS=--interactive to pay by hand)"
	@echo "make test      formatting, clippy and every test layer (Rust, contract, Kotlin, Swift, browser)"
	@echo "make sandbox   serve the sandbox portal on 127.0.0.1:$(PORT)"
	@echo "make bindings  generate the Kotlin and Swift bindings into build/bindings"
	@echo "make bench     run the benchmarks"
	@echo "make reliability  faults, crash points, bad input, storage, concurrency, privacy, supply chain, fuzzing: one table"
	@echo "make copy      generate the apps' strings.xml and String Catalog from copy/app.toml"
	@echo "make screenshots  render every Android screen to build/screenshots/android/"

demo:
	$(CARGO) run -q -j$(JOBS) -p comunicapp-sandbox --bin demo -- $(ARGS)

sandbox:
	$(CARGO) run -q -j$(JOBS) -p comunicapp-sandbox --bin comunicapp-sandbox -- --port $(PORT) $(ARGS)

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy -j$(JOBS) --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

test: lint test-copy test-rust test-contract test-kotlin test-android-app test-swift test-ios-app audit
	@echo "make test: every layer passed"

# The end-to-end tests include the real-browser ones, which need Debian's Chromium.
test-rust: deps-browser
	$(CARGO) test -j$(JOBS) --workspace

deps-browser:
	bash scripts/deps-browser.sh >/dev/null

# Only the real-browser tests (headless Chromium through WebDriver); test-rust runs them too.
test-browser: deps-browser
	$(CARGO) test -j$(JOBS) -p comunicapp-sandbox --test browser_checkout --test browser_demo

test-contract:
	bash tests/contract/run.sh

# The apps' own copy: one source (copy/app.toml), Italian and English, for Android and iOS.
copy:
	python3 scripts/copy.py

test-copy:
	python3 scripts/copy.py --check
	python3 -B -m unittest discover -s tests/copy
	python3 -B -m unittest discover -s tests/scripts

bindings:
	bash scripts/bindings.sh

test-kotlin: bindings
	bash scripts/kotlin-test.sh

# The Android app: screens and view models under Compose for desktop (UI tests, one story against
# the sandbox), and the shell compiled against android-all and the Jetpack jars.
test-android-app: bindings
	bash scripts/android-ui-test.sh
	bash scripts/android-shell-check.sh

# Every Android screen in every state, Italian and English, phone and tablet, light and dark.
screenshots: bindings
	bash scripts/android-screenshots.sh

test-swift: bindings
	bash scripts/swift-test.sh

# The SwiftUI sources, which do not compile on Linux: parsed, and their copy keys checked.
test-ios-app:
	bash scripts/ios-app-check.sh

bench:
	bash scripts/bench.sh

# The dependencies: known advisories (cargo-audit, the workplace's RustSec snapshot when it is
# there), licences, duplicate versions and sources (cargo-deny, deny.toml).
audit:
	bash scripts/supply-chain.sh audit
	bash scripts/supply-chain.sh deny

# Faults, crash points, bad input, storage, concurrency, privacy, the supply chain and fuzzing,
# one table row each; its cargo rows also run in `make test`, the fuzzing only here.
reliability:
	bash scripts/reliability.sh

# Mobile libraries need the Android NDK / Xcode, which only a workstation has.
android-libs:
	command -v cargo-ndk >/dev/null || $(CARGO) install cargo-ndk
	$(CARGO) ndk -t arm64-v8a -t armeabi-v7a -t x86_64 -o android/app/src/main/jniLibs build --release -p comunicapp-ffi

ios-xcframework:
	bash scripts/ios-xcframework.sh
