"""Virus check through ClamAV's clamd, streaming the file with the INSTREAM command.

Streaming means clamd never needs access to our files (it may run on another host or as another
user), and the same code serves a TCP ``host:port`` and a local unix socket path.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 256 * 1024


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered nonsense: a transient failure, retry later."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None   # the virus name when infected
    engine: str             # e.g. "ClamAV 1.4.3/27400/…", recorded as the PREMIS agent version


class ClamdScanner:
    def __init__(self, address: str, timeout: float = 120.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        try:
            if "/" in self.address:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.address)
                return sock
            host, _, port = self.address.rpartition(":")
            return socket.create_connection((host, int(port)), timeout=self.timeout)
        except (OSError, ValueError) as exc:
            raise ScannerUnavailable(f"ClamAV (clamd) at {self.address} cannot be reached ({exc}); "
                                     "start clamd or correct LUUTRU_CLAMD.") from exc

    def _command(self, command: bytes, payload: BinaryIO | None = None) -> str:
        with self._connect() as sock:
            try:
                sock.sendall(b"z" + command + b"\0")
                if payload is not None:
                    while chunk := payload.read(CHUNK):
                        sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                    sock.sendall(struct.pack(">I", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
            except OSError as exc:
                raise ScannerUnavailable(f"ClamAV (clamd) at {self.address} dropped the connection ({exc}).") from exc
        return reply.rstrip(b"\0").decode("utf-8", "replace")

    def version(self) -> str:
        return self._command(b"VERSION")

    def scan_stream(self, stream: BinaryIO) -> ScanResult:
        reply = self._command(b"INSTREAM", stream)
        engine = self.version()
        if reply.endswith("OK"):
            return ScanResult(True, None, engine)
        if reply.endswith("FOUND"):
            signature = reply.split(":", 1)[1].rsplit(" ", 1)[0].strip()
            return ScanResult(False, signature, engine)
        raise ScannerUnavailable(f"ClamAV (clamd) at {self.address} could not scan the file: {reply}")

    def scan_file(self, path: Path) -> ScanResult:
        with open(path, "rb") as fh:
            return self.scan_stream(fh)
