"""A TCP forwarder on loopback that a test can cut, as a network cut or a restarting database would: every open
connection and the listening socket close at once."""

import contextlib
import socket
import threading


class CuttableLink:
    """Forwards 127.0.0.1:`port` to `target` (host, port) until `cut()`."""

    def __init__(self, target: tuple[str, int]):
        self.target, self._sockets, self._lock = target, [], threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return  # cut
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def cut(self) -> None:
        with contextlib.suppress(OSError):  # wakes the accept() under way: a close alone leaves the port listening
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            for end in self._sockets:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
