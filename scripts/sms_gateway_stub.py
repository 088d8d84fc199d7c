"""A stand-in for the SMS gateway, for `make prod-check` only: listens on 127.0.0.1, accepts
what portal.sms.HttpBackend posts ({"phone", "text", "sign"} with a bearer key) and appends
each message as one JSON line to a file, where the check reads the log-in code.

The portal runs with its production backend (HttpBackend) and is unchanged: the check reaches
the code the way a person does, through the gateway, so there is no test path in the portal.

    python scripts/sms_gateway_stub.py PORT OUTBOX_FILE API_KEY
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main(port, outbox, api_key):
    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            if self.headers.get("Authorization") != f"Bearer {api_key}":
                self.send_response(401)
                self.end_headers()
                return
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            with open(outbox, "a", encoding="utf-8") as file:
                file.write(json.dumps(body, ensure_ascii=False) + "\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Gateway).serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3])
