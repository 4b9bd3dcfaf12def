#!/usr/bin/python3
"""Runs every binary with --help: the flags it reads must be listed, each with
its help text, and absl's "SetProgramUsageMessage() never called" warning
must not appear.

Usage: check_help.py BINARY=flag,flag,... ...

The flags named are a sample per binary: one of its own and the shared ones it
reads (common/grpc/server_flags.cc, common/mysql/db_flags.cc), the files absl's
default --help left out.
"""
import subprocess
import sys


def check(binary, flags):
    try:
        run = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [f"{binary}: {error}"]
    # absl writes --help to stdout and exits with 1.
    text = run.stdout + run.stderr
    errors = []
    if "SetProgramUsageMessage() never called" in text:
        errors.append("prints the SetProgramUsageMessage warning")
    if "No flags matched" in text:
        errors.append("lists no flags")
    for flag in flags:
        if f"--{flag} (" not in text:
            errors.append(f"does not list --{flag} with its help text")
    return [f"{binary}: {e}" for e in errors]


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    errors = []
    for arg in argv[1:]:
        binary, _, flags = arg.partition("=")
        errors += check(binary, [f for f in flags.split(",") if f])
    for error in errors:
        print(error)
    print(f"{len(argv) - 1} binaries checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
