"""`python -m crawler.replicas [--port 8765] [--edition 1]`: serve the replicas until stopped."""

import argparse
import json

from crawler.replicas.server import ReplicaServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.replicas", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--edition", type=int, default=1, choices=(1, 2))
    args = parser.parse_args(argv)
    server = ReplicaServer(args.host, args.port, args.edition)
    print(f"Serving synthetic replicas at {server.base_url} (edition {args.edition})")
    print("export SISTERCITY_SITE_MIRRORS=" + json.dumps(json.dumps(server.mirrors())))
    print(
        "export SISTERCITY_SITE_START_URLS=" + json.dumps(json.dumps(server.start_urls())),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
