# Store contract suites (tests/store/*_test.c). Included by the Makefile.
#
# Each suite links the store fixture besides tests/support: the backend-independent part
# (store_fixture.c) and one backend's specifics, store_fixture_$(STORE_BACKEND).c (sqlite
# by default). This rule's stem is shorter than the Makefile's generic test rule's, so GNU
# make picks it for tests/store/ binaries.

STORE_BACKEND ?= sqlite
STORE_FIXTURE_SRC := tests/store/store_fixture.c tests/store/store_fixture_$(STORE_BACKEND).c

$(DEBUG_BUILD)/tests/store/%_test: tests/store/%_test.c $(STORE_FIXTURE_SRC) \
        tests/store/store_fixture.h $(DBG_LIB_OBJ) $(TEST_SUPPORT_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) -Itests $(PKG_CFLAGS) $(WARN) $(DEBUG_FLAGS) -o $@ $< \
	    $(STORE_FIXTURE_SRC) $(TEST_SUPPORT_SRC) $(DBG_LIB_OBJ) $(PKG_LIBS) -lcmocka
