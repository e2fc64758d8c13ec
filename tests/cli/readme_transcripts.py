#!/usr/bin/env python3
"""The README's CLI transcripts are executed and diffed (CTest readme_transcripts).

Every fenced block of README.md whose first line is `$ llmcalc ...` is a transcript: the command
is run with the built CLI and its output (stdout, then stderr) must equal the rest of the block.

    readme_transcripts.py CLI README.md            # check; exit 1 on any difference
    readme_transcripts.py CLI README.md --update   # rewrite the blocks with today's output
"""
import difflib
import re
import shlex
import subprocess
import sys

BLOCK = re.compile(r"```\n(\$ llmcalc [^\n]*)\n(.*?)```", re.S)


def run(cli, command):
    args = shlex.split(command[2:])[1:]
    p = subprocess.run([cli, *args], capture_output=True, text=True, timeout=60)
    return p.stdout + p.stderr


def main():
    cli, readme = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    text = open(readme, encoding="utf-8").read()
    failures = []
    count = 0

    def replace(m):
        nonlocal count
        count += 1
        command, expected = m.group(1), m.group(2)
        actual = run(cli, command)
        if actual != expected:
            failures.append((command, expected, actual))
        return "```\n" + command + "\n" + actual + "```"

    new = BLOCK.sub(replace, text)
    if count == 0:
        print("no transcripts found in", readme)
        return 1
    if update:
        open(readme, "w", encoding="utf-8").write(new)
        print(f"{count} transcripts, {len(failures)} updated")
        return 0
    for command, expected, actual in failures:
        print(f"README transcript differs: {command}")
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                   "README.md", "llmcalc output"))
    print(f"{count} transcripts, {len(failures)} differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
