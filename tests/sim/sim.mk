# The seeded simulation (tests/sim/*_sim_test.c, STYLE.md §9). Included by the Makefile.
#
# Each simulation is a cmocka binary built by the Makefile's generic test rule. It joins
# UNIT_TESTS so that `make unit` (and so `make test`) runs a short default run every time,
# and `make sim` runs only the simulations: FO_SEED=N replays a printed seed exactly,
# FO_SIM_STEPS and FO_SIM_RUNS make a run longer. Recipes expand UNIT_TESTS when they run,
# so appending here reaches them; the prerequisites are added explicitly.

SIM_TESTS_SRC := $(sort $(wildcard tests/sim/*_sim_test.c))
SIM_TESTS := $(patsubst %.c,$(DEBUG_BUILD)/%,$(SIM_TESTS_SRC))
UNIT_TESTS_SRC += $(SIM_TESTS_SRC)
UNIT_TESTS += $(SIM_TESTS)

unit sim: $(SIM_TESTS)
