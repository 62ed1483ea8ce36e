"""moto server with the local stack's patch (local/moto_patches.py), in a process of its own:
``python -m local.moto_server [-H HOST] [-p PORT]``. Port 0 (the default) lets the system pick a
free one, bound at once; the first line printed is the server's URL
(``moto server listening on http://127.0.0.1:PORT``), which is how a parent learns the port
without probing for a free one first (a probed port can be taken before the server binds it)."""

from __future__ import annotations

import argparse
import signal
import threading

from local.moto_patches import install

LISTENING = "moto server listening on "


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.moto_server", description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=0, help="0 (default): a free port")
    arguments = parser.parse_args(argv)
    install()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=arguments.host, port=arguments.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"{LISTENING}http://{host}:{port}", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
