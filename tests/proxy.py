"""A TCP forwarder on loopback that a test can cut and restore: a server "going away".

Put it between the site and Redis or PostgreSQL: `cut()` drops every open connection and
refuses new ones, as a stopped server does; `restore()` listens again on the same port.
"""

import contextlib
import selectors
import socket
import threading


class Proxy:
    def __init__(self, target_host, target_port):
        self.target = (target_host, target_port)
        self.port = None
        self._listener = None
        self._pairs = set()
        self._lock = threading.Lock()
        self._open()

    @property
    def url_host(self):
        return f"127.0.0.1:{self.port}"

    def _open(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self._pairs.add((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
                with self._lock:
                    if (client, upstream) not in self._pairs:
                        return
        except OSError:
            return
        finally:
            selector.close()
            self._drop(client, upstream)

    def _drop(self, client, upstream):
        with self._lock:
            self._pairs.discard((client, upstream))
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self):
        with self._lock:
            listener, self._listener = self._listener, None
            pairs, self._pairs = list(self._pairs), set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for client, upstream in pairs:
            for sock in (client, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def restore(self):
        if self._listener is None:
            self._open()

    def close(self):
        self.cut()
