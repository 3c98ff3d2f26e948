"""The release server allocates through tcmalloc (Makefile, MALLOC_LIBS; BENCH.md has why).

The link flag could silently stop working (a linker that drops unused libraries, a
pkg-config that finds nothing), and only the benchmark would notice. So: the release
server, once started, has libtcmalloc_minimal mapped, and its `malloc` is the one that
every library resolves to: the dynamic linker binds libc's own malloc calls to tcmalloc."""

import os
import subprocess
import unittest

from fo_client import Server


class ReleaseAllocator(unittest.TestCase):
    def test_release_server_maps_tcmalloc(self):
        server = Server(name="allocator", test_clock=False)
        server.start()
        try:
            with open("/proc/%d/maps" % server.proc.pid, encoding="utf-8") as maps:
                mapped = {line.split()[-1] for line in maps if "/" in line}
        finally:
            server.stop()
        names = sorted(os.path.basename(path) for path in mapped)
        self.assertTrue(any(name.startswith("libtcmalloc_minimal.so") for name in names),
                        "libtcmalloc_minimal is not mapped; mapped: %s" % names)

    def test_libraries_bind_malloc_to_tcmalloc(self):
        binary = Server(name="allocator-bind", test_clock=False).binary
        env = dict(os.environ, LD_DEBUG="bindings")
        run = subprocess.run([binary, "--help"], env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=30, check=False)
        bindings = [line for line in run.stderr.splitlines()
                    if "normal symbol `malloc'" in line]
        self.assertTrue(bindings, "no binding of malloc was traced")
        for line in bindings:
            self.assertIn("libtcmalloc_minimal.so", line.split(" to ", 1)[1], line)
