"""A webhook receiver for the API suite: verifies every delivery with the
Standard Webhooks reference library (the `standardwebhooks` package, which
we did not write) and records what it saw.

Control (JSON over HTTP, on the same port):
  POST /_control/secrets  {"secrets": ["whsec_…", …]}   secrets to verify with
  POST /_control/plan     {"path": "/x", "answers": [500, 500], "then": 200}
                          the next answers for a path, then `then`; "slow"
                          sleeps past the server's timeout, "delay" answers
                          200 after 1.5 s, 302 redirects to /redirected
  GET  /_control/log      every delivery: path, headers, body, verified
Prints "listening <port>" when ready.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

lock = threading.Lock()
secrets = []
plans = {}
log = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length)

    def do_GET(self):
        if self.path == "/_control/log":
            with lock:
                body = json.dumps(log).encode()
            return self.reply(200, body, [("content-type", "application/json")])
        self.reply(404)

    def do_POST(self):
        body = self.read_body()
        if self.path == "/_control/secrets":
            with lock:
                secrets[:] = json.loads(body)["secrets"]
            return self.reply(204)
        if self.path == "/_control/plan":
            plan = json.loads(body)
            with lock:
                plans[plan["path"]] = (list(plan["answers"]), plan.get("then", 200))
            return self.reply(204)
        headers = {k.lower(): v for k, v in self.headers.items()}
        verified, errors = False, []
        with lock:
            keys = list(secrets)
        for secret in keys:
            try:
                Webhook(secret).verify(body, headers)
                verified = True
                break
            except WebhookVerificationError as e:
                errors.append(str(e))
        with lock:
            pending, then = plans.get(self.path) or ([], 200)
            answer = pending.pop(0) if pending else then
            log.append({
                "path": self.path,
                "webhook_id": headers.get("webhook-id"),
                "signature": headers.get("webhook-signature"),
                "body": body.decode(),
                "verified": verified,
                "errors": errors,
                "answer": answer,
            })
        if answer == "slow":
            time.sleep(3)
            return self.reply(200, b"too late")
        if answer == "delay":
            time.sleep(1.5)
            return self.reply(200, b"ok")
        if answer == 302:
            return self.reply(302, b"", [("location", "/redirected")])
        self.reply(int(answer), b'{"ok": true}' if answer == 200 else b"receiver failure " * 200)


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0), Handler)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
