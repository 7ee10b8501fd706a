"""The peer side of Duet's kernel benchmark: jupyter_client, the Python reference client.

Measures, with time.perf_counter, what bench/src/kernel.ts measures through Duet's client:
cold kernel start (KernelManager.start_kernel to the first kernel_info_reply, via
wait_for_ready) and the round trip of a trivial cell through execute_interactive (execute to
reply and idle). Prints one JSON object on stdout; everything else goes to stderr.

Run it with the interpreter whose ipykernel is measured, e.g. Debian's /usr/bin/python3 with
python3-ipykernel and python3-jupyter-client.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

# Connection files go to a private folder, not the user's Jupyter runtime directory.
RUNTIME_DIR = tempfile.mkdtemp(prefix="duet-bench-jc-")
os.environ["JUPYTER_RUNTIME_DIR"] = RUNTIME_DIR
# As Duet's launcher sets it: the kernel's debugger otherwise warns on every start.
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"

import ipykernel  # noqa: E402
import jupyter_client  # noqa: E402
from jupyter_client import KernelManager  # noqa: E402


def start():
    """Starts a kernel; returns (manager, client, seconds from start_kernel to kernel_info_reply)."""
    km = KernelManager(kernel_name="python3")
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc, time.perf_counter() - t0


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()

    start_ms = []
    for _ in range(args.starts):
        km, kc, seconds = start()
        start_ms.append(seconds * 1000)
        stop(km, kc)

    km, kc, _ = start()
    try:
        argv = km.kernel_spec.argv if km.kernel_spec else []
        for _ in range(args.warmup):
            kc.execute_interactive("x = 1", timeout=10)
        rtt_ms = []
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            reply = kc.execute_interactive("x = 1", timeout=10)
            rtt_ms.append((time.perf_counter() - t0) * 1000)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"trivial cell failed: {reply['content']}")
    finally:
        stop(km, kc)

    json.dump(
        {
            "python": sys.executable,
            "kernel_argv0": argv[0] if argv else None,
            "jupyter_client": jupyter_client.__version__,
            "ipykernel": ipykernel.__version__,
            "start_ms": start_ms,
            "rtt_ms": rtt_ms,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(RUNTIME_DIR, ignore_errors=True)
