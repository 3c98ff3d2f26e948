# make cli: the CLI suite (tests/cli/run.py) against the sanitized binary. A full order
# lifecycle through `fairorder admin …` and `fairorder order …` alone, on a real server.
.PHONY: cli
cli: bootstrap-test $(DEBUG_BUILD)/fairorder
	@python3 tests/cli/run.py --binary $(DEBUG_BUILD)/fairorder
