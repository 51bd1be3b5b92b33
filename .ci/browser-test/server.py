"""Serves the browser check's static page and receives its result: GET serves files from
--dir, POST /result writes the request body to --result. Used by .ci/browser-test.sh only."""
import argparse
import functools
import http.server
import os


class Handler(http.server.SimpleHTTPRequestHandler):
    result_path = ""

    def do_POST(self):
        if self.path != "/result":
            self.send_error(404)
            return
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        tmp = self.result_path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(body)
        os.replace(tmp, self.result_path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, fmt, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    Handler.result_path = args.result
    handler = functools.partial(Handler, directory=args.dir)
    http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
