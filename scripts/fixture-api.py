#!/usr/bin/env python3
"""A Socrata-style permits API on 127.0.0.1, for the new-user test (scripts/new-user-test.sh).

GET /resource/abcd-1234.json?$limit=N&$offset=M answers a bare JSON array of permits (numbers as
strings, floating timestamps, a nested location, an array of contacts, Socrata's computed-region
keys), paged by $limit/$offset; every request must carry `X-App-Token: $FIXTURE_TOKEN` (else 403).
Prints the port it listens on (chosen by the system) as its first line, then serves until killed.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TOKEN = os.environ["FIXTURE_TOKEN"]
TYPES = ["PERMIT - NEW CONSTRUCTION", "PERMIT - RENOVATION/ALTERATION", "PERMIT - WRECKING/DEMOLITION"]


def permit(n):
    return {
        "permit_number": f"BP-2025-{n:04d}",
        "permit_type": TYPES[n % 3],
        "issue_date": f"2025-01-{n % 28 + 1:02d}T00:00:00.000",
        "application_start_date": f"2024-12-{n % 28 + 1:02d}",
        "estimated_cost": f"{n * 1250}.50",
        "total_fee": n * 12.25,
        "stories": n % 4 + 1,
        "zip_code": f"0{2100 + n}",
        "is_commercial": n % 2 == 0,
        "contacts": [{"contact_type": "OWNER", "name": f"Owner {n}"}],
        "location": {"latitude": f"41.{8800 + n}", "longitude": f"-87.{6300 + n}"},
        ":@computed_region_awaf_s7ux": str(n % 5 + 20),
    }


PERMITS = [permit(n) for n in range(1, 13)]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if self.headers.get("X-App-Token") != TOKEN:
            return self.answer(403, {"error": True, "message": "Invalid app_token specified"})
        if url.path != "/resource/abcd-1234.json":
            return self.answer(404, {"error": True, "message": "not found"})
        query = parse_qs(url.query)
        limit = int(query.get("$limit", ["1000"])[0])
        offset = int(query.get("$offset", ["0"])[0])
        self.answer(200, PERMITS[offset:offset + limit])

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
sys.stdout.close()
server.serve_forever()
