"""The bigpipe-js protocol written by hand, in Python's standard library: any server can speak it (PROTOCOL.md).

    npm run build && python3 examples/python/server.py [--port 3000] [--slow 1.0]

Serves the recipes' page: the shell with the runtime inlined from dist/bigpipe.min.js, then one payload script per
pagelet as each finishes (rendered concurrently), then </body></html>, over chunked transfer encoding.
"""
import argparse
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RUNTIME = (Path(__file__).parent / "../../dist/bigpipe.min.js").read_text(encoding="utf-8").strip()
SLOW = 1.0  # seconds the slow pagelet takes; --slow sets it


def payload_script(payload):
    """PROTOCOL.md §3: JSON, then lone surrogates (which UTF-8 cannot carry), "<", U+2028 and U+2029 as \\uXXXX."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = re.sub("[\ud800-\udfff<\u2028\u2029]", lambda m: "\\u%04x" % ord(m.group()), text)
    return "<script>BigPipe.onPageletArrive(" + text + ")</script>"


def greeting():
    return {"html": "<p>Hello!</p>"}


def weather():
    time.sleep(0.05)
    return {"html": '<p class="weather">Sunny, 21 °C</p>', "css": ".weather{color:darkorange}"}


def orders():
    time.sleep(SLOW)  # a slow backend call
    return {"html": "<p>Your order has shipped.</p>"}


PAGELETS = {"greeting": greeting, "weather": weather, "orders": orders}

SHELL = (
    '<!DOCTYPE html><html><head><meta charset="utf-8">'
    f"<script>{RUNTIME}</script>"
    "<title>bigpipe-js recipe</title><style>body{font:16px system-ui;margin:2em}</style>"
    "</head><body><h1>Dashboard</h1>" + "".join(f'<div id="{target}"></div>' for target in PAGELETS)
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for Transfer-Encoding: chunked

    def write(self, text):
        """One chunk, sent at once."""
        data = text.encode("utf-8")
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def do_GET(self):
        if self.path != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self.write(SHELL)
            with ThreadPoolExecutor(len(PAGELETS)) as pool:
                futures = {pool.submit(render): target for target, render in PAGELETS.items()}
                for future in as_completed(futures):  # in completion order
                    try:
                        content = future.result()
                    except Exception:
                        content = {"html": ""}  # a failed pagelet is still sent: "total" counts it
                    self.write(payload_script({"target": futures[future], **content, "total": len(PAGELETS)}))
            self.write("</body></html>")
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=3000, help="0: any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--slow", type=float, default=SLOW, help="seconds the slow pagelet takes")
    args = parser.parse_args()
    SLOW = args.slow
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    server.serve_forever()
