"""A small Language Server Protocol client over stdio: enough to open documents in yaml-language-server
(the server VS Code's YAML extension runs), read its diagnostics and ask for completions."""
from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path

from conftest import ROOT, needs_tool

LSP_FOLDER = ROOT / "tools" / "lsp"
SERVER = LSP_FOLDER / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


def install_server() -> Path:
    """yaml-language-server from tools/lsp/package-lock.json, installed into tools/lsp/node_modules once."""
    if not SERVER.exists():
        npm = needs_tool("npm")
        run = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=LSP_FOLDER, capture_output=True,
                             text=True, timeout=600)
        assert run.returncode == 0 and SERVER.exists(), run.stderr
    return SERVER


class LanguageServer:
    def __init__(self, root: Path, locale: str = "zh-tw"):
        node = needs_tool("node")
        self.process = subprocess.Popen([node, str(install_server()), "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.responses: dict[int, queue.Queue] = {}
        self.diagnostics: dict[str, queue.Queue] = {}
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.request("initialize", {
            "processId": None, "rootUri": root.as_uri(), "locale": locale,
            "capabilities": {"textDocument": {
                "publishDiagnostics": {},
                "completion": {"completionItem": {"documentationFormat": ["markdown", "plaintext"]}}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": {
            "validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}}}})

    # ---- the wire --------------------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:  # a request from the server
                result = [{}] * len(message.get("params", {}).get("items", [])) \
                    if message["method"] == "workspace/configuration" else None
                self._send({"id": message["id"], "result": result})
            elif "id" in message:
                self._queue(self.responses, message["id"]).put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                self._queue(self.diagnostics, message["params"]["uri"]).put(message["params"]["diagnostics"])

    def _queue(self, table: dict, key) -> queue.Queue:
        with self.lock:
            return table.setdefault(key, queue.Queue())

    def request(self, method: str, params: dict, timeout: float = 60):
        self.next_id += 1
        ident = self.next_id
        waiting = self._queue(self.responses, ident)
        self._send({"id": ident, "method": method, "params": params})
        message = waiting.get(timeout=timeout)
        assert "error" not in message, message
        return message["result"]

    def notify(self, method: str, params: dict) -> None:
        self._send({"method": method, "params": params})

    # ---- what an editor does ---------------------------------------------------------------------

    def open(self, path: Path) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": path.read_text(encoding="utf-8")}})

    def diagnostics_of(self, path: Path, timeout: float = 60) -> list[dict]:
        return self._queue(self.diagnostics, path.as_uri()).get(timeout=timeout)

    def completion(self, path: Path, line: int, character: int) -> list[dict]:
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": character}})
        return result["items"] if isinstance(result, dict) else result

    def close(self) -> None:
        try:
            self.request("shutdown", {}, timeout=20)
            self.notify("exit", {})
            self.process.wait(timeout=20)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
