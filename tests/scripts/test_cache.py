"""The shared cache's rules: one run at a time per cache part, and a chroot pinned by name."""

import os
import re
import subprocess
import tempfile
import threading
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(REPO, "scripts")


def read(name):
    with open(os.path.join(SCRIPTS, name), encoding="utf-8") as f:
        return f.read()


class CacheLockTest(unittest.TestCase):
    def run_holder(self, cache, log, tag):
        script = (
            f'source "{SCRIPTS}/cache-lock.sh"; cache_lock demo; '
            f'echo "{tag} start" >> "{log}"; sleep 0.6; echo "{tag} end" >> "{log}"'
        )
        subprocess.run(
            ["bash", "-c", script],
            env={**os.environ, "CACHE_DIR": cache},
            check=True,
            stderr=subprocess.DEVNULL,
        )

    def test_two_runs_take_turns(self):
        with tempfile.TemporaryDirectory() as cache:
            log = os.path.join(cache, "log")
            runs = [
                threading.Thread(target=self.run_holder, args=(cache, log, tag))
                for tag in ("a", "b")
            ]
            started = time.monotonic()
            for run in runs:
                run.start()
            for run in runs:
                run.join()
            with open(log, encoding="utf-8") as f:
                events = [line.split() for line in f.read().splitlines()]
            self.assertEqual(len(events), 4, events)
            # Each run's start is followed by its own end: never interleaved.
            for start, end in (events[0:2], events[2:4]):
                self.assertEqual((start[0], start[1], end[0], end[1]), (start[0], "start", start[0], "end"), events)
            self.assertGreaterEqual(time.monotonic() - started, 1.2, events)

    def test_a_killed_holder_releases_the_lock(self):
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "CACHE_DIR": cache}
            holder = subprocess.Popen(
                ["bash", "-c", f'source "{SCRIPTS}/cache-lock.sh"; cache_lock demo; sleep 30'],
                env=env,
            )
            time.sleep(0.3)
            holder.kill()
            holder.wait()
            done = subprocess.run(
                ["bash", "-c", f'source "{SCRIPTS}/cache-lock.sh"; cache_lock demo; echo ok'],
                env=env,
                capture_output=True,
                text=True,
                timeout=10,
            )
            self.assertEqual(done.stdout.strip(), "ok")

    def test_every_script_that_fills_the_cache_takes_its_lock(self):
        for script, name in [
            ("swift-chroot.sh", "swift-root"),
            ("swift-test.sh", "swift-run"),
            ("android-env.sh", "m2"),
            ("ios-app-check.sh", "tree-sitter"),
        ]:
            self.assertRegex(read(script), rf"(?m)^\s*cache_lock {name}\b", script)
        supply_chain = read("supply-chain.sh")
        install = supply_chain[supply_chain.index("install_tool() {") :]
        install = install[: install.index("\n}\n")]
        self.assertRegex(install, r"cache_lock cargo-tools[\s\S]*CARGO\S* install", install)
        with open(os.path.join(REPO, "Makefile"), encoding="utf-8") as f:
            makefile = f.read()
        self.assertNotRegex(makefile, r"cargo\S*\)? install .*cargo-tools", "installs go through supply-chain.sh")


class SwiftChrootTest(unittest.TestCase):
    def test_the_debian_release_is_pinned_by_name(self):
        suite = re.search(r'SUITE="\$\{SWIFT_SUITE:-([a-z]+)\}"', read("swift-chroot.sh"))
        self.assertIsNotNone(suite)
        self.assertNotIn(
            suite.group(1),
            {"stable", "oldstable", "testing", "unstable", "sid"},
            "a moving suite changes the compiler under the tests",
        )


if __name__ == "__main__":
    unittest.main()
