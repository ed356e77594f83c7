# Callout Lab. The README's two commands are `make run` and `make test`.
.PHONY: run test bench fuzz setup ui fmt lint clean

run:            ## set up, build and start the app
	scripts/run.sh

test:           ## set up, then every test (what CI runs)
	scripts/test.sh

bench:          ## set up, build release binaries, run the benchmarks (target/bench/summary.json)
	scripts/bench.sh

fuzz:           ## run every fuzz target for a bounded time (FUZZ_SECONDS, default 60 each)
	scripts/fuzz.sh

setup:          ## install system packages, tauri-driver and npm packages; build the UI
	scripts/setup.sh

ui:             ## rebuild the UI bundle the app embeds
	cd ui && npm run build

fmt:            ## format the Rust code
	cargo fmt --all

lint:           ## clippy as CI runs it
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules .tools
