"""How fast ``smflow lsp`` answers, through the real stdio server, on a 1,000-line flow.

Run on demand: ``python bench/lsp_bench.py [--edits 40] [--lines 1000]``. Starts
``python -m smflow lsp`` as an editor would, opens a generated flow of about ``--lines``
lines (``bench/check_bench.py``'s realistic steps), then times:

- ``diagnostics_ms``: from sending a ``didChange`` to receiving its ``publishDiagnostics``.
  Edits are interleaved: one breaks a step (an unknown operation), the next mends it, in a
  different step each time, and every few edits a line is inserted (which moves every later
  step). Reported as median, p90 and max, for all edits and for the line-inserting ones.
- ``completion_ms``: a ``textDocument/completion`` round trip after each edit, rotating over
  three contexts (argument names after ``(``, attributes after ``d12.``, a statement).

Prints one JSON object per line. The targets (issue 15): diagnostics median under 150 ms,
completion under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_bench import generate

URI = "file:///bench/generated.flow"


class StdioClient:
    """A minimal JSON-RPC client over a subprocess's stdin/stdout (Content-Length framing)."""

    def __init__(self, argv: list[str]) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = out.read(int(headers["content-length"]))
            self.inbox.put((time.perf_counter(), json.loads(body)))

    def send(self, message: dict[str, Any]) -> float:
        data = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin = self.proc.stdin
        assert stdin is not None
        sent = time.perf_counter()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        stdin.flush()
        return sent

    def request(self, method: str, params: Any) -> tuple[float, Any]:
        self.next_id += 1
        rid = self.next_id
        sent = self.send({"id": rid, "method": method, "params": params})
        at, message = self.wait(lambda m: m.get("id") == rid and "method" not in m)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return (at - sent) * 1000, message.get("result")

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def wait(self, match: Any, timeout: float = 60.0) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            at, message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.001))
            if match(message):
                return at, message

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": round(statistics.median(ordered), 1),
        "p90": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def _position(text: str, needle: str, after: int = 0) -> dict[str, int]:
    at = text.index(needle) + after
    return {"line": text.count("\n", 0, at), "character": at - (text.rfind("\n", 0, at) + 1)}


def run(edits: int, lines: int) -> None:
    steps = max(1, (lines - 4) // 7)  # a generated step is 7 lines
    base = generate(steps)
    client = StdioClient([sys.executable, "-m", "smflow", "lsp"])
    try:
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        version = 1
        sent = client.notify("textDocument/didOpen", {"textDocument": {
            "uri": URI, "languageId": "smflow", "version": version, "text": base}})
        at, _ = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
        print(json.dumps({"case": "open", "lines": base.count("\n"), "ms": round((at - sent) * 1000, 1)}))
        diagnostics: list[float] = []
        moved: list[float] = []
        completions: list[float] = []
        by_context: dict[str, list[float]] = {"arguments": [], "attributes": [], "statement": []}
        text = base
        for i in range(edits):
            step = (i * 37) % steps
            target = f"    d{step} = get_deployment_by_slot("
            if i % 2 == 0:
                text = text.replace(target, f"    d{step} = get_deploymnt_by_slot(", 1)
            else:
                previous = ((i - 1) * 37) % steps
                text = text.replace(f"    d{previous} = get_deploymnt_by_slot(", f"    d{previous} = get_deployment_by_slot(", 1)
            inserts = i % 5 == 4
            if inserts:
                text = text.replace(f'    log "deployment ${{d{step}.name}}',
                                    f'    # edit {i}\n    log "deployment ${{d{step}.name}}', 1)
            version += 1
            sent = client.notify("textDocument/didChange", {
                "textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]})
            at, message = client.wait(lambda m, v=version: m.get("method") == "textDocument/publishDiagnostics"
                                      and m["params"].get("version") == v)
            errors = sum(1 for d in message["params"]["diagnostics"] if d["severity"] == 1)
            assert errors == (1 if i % 2 == 0 else 0), (i, errors, message["params"]["diagnostics"][:2])
            (moved if inserts else diagnostics).append((at - sent) * 1000)
            call = f"    d{(step + 7) % steps} = get_deployment_by_slot("
            attribute = f"deployment_name: d{steps // 2}."
            where = [
                _position(text, call, len(call)),  # argument names (both already given: none left)
                _position(text, attribute, len(attribute)),  # Deployment's attributes
                _position(text, f"    if d{steps - 1}.status", 4),  # a statement: names, operations, keywords
            ][i % 3]
            ms, result = client.request("textDocument/completion", {"textDocument": {"uri": URI}, "position": where})
            assert result is not None and (i % 3 == 0 or result["items"]), (i, where)
            completions.append(ms)
            by_context[("arguments", "attributes", "statement")[i % 3]].append(ms)
        everything = diagnostics + moved
        print(json.dumps({"case": "diagnostics_ms", "edits": "all", **_summary(everything)}))
        print(json.dumps({"case": "diagnostics_ms", "edits": "within lines", **_summary(diagnostics)}))
        if moved:
            print(json.dumps({"case": "diagnostics_ms", "edits": "inserting a line", **_summary(moved)}))
        print(json.dumps({"case": "completion_ms", "context": "all", **_summary(completions)}))
        for context, values in by_context.items():
            print(json.dumps({"case": "completion_ms", "context": context, **_summary(values)}))
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--lines", type=int, default=1000)
    args = parser.parse_args()
    run(args.edits, args.lines)


if __name__ == "__main__":
    main()
