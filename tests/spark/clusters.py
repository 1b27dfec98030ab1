"""What the cluster tests share: ports of their own, and what a cluster listens on."""

from __future__ import annotations

import ipaddress
import socket
import sys
from pathlib import Path

from parity import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "scripts"))
import spark_cluster

LOOPBACK = {"127.0.0.1", "::ffff:127.0.0.1"}


def free_port_environment() -> dict[str, str]:
    """Every port variable of scripts/spark_cluster.py set to a port free right now, so a
    test cluster never collides with a cluster someone started with make spark-cluster-up."""
    holders = []
    try:
        for _ in spark_cluster.PORT_VARIABLES:
            holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            holder.bind(("127.0.0.1", 0))
            holders.append(holder)
        ports = [holder.getsockname()[1] for holder in holders]
    finally:
        for holder in holders:
            holder.close()
    return {name: str(port) for name, port in zip(spark_cluster.PORT_VARIABLES, ports, strict=True)}


def decode_proc_address(hex_address: str) -> str:
    """A local address as /proc/net/tcp{,6} shows it (hex, 32-bit words in host byte
    order, which is little-endian on the machines this runs on) as text."""
    words = range(0, len(hex_address), 8)
    raw = b"".join(bytes.fromhex(hex_address[i : i + 8])[::-1] for i in words)
    address = ipaddress.ip_address(raw)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def listening_addresses(pids: set[int]) -> dict[int, set[str]]:
    """The local addresses of every listening TCP socket those processes hold, by port."""
    inodes: set[str] = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                link = str(fd.readlink())
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[len("socket:[") : -1])
    listening: dict[int, set[str]] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # 0A: LISTEN
                address, port = local.rsplit(":", 1)
                listening.setdefault(int(port, 16), set()).add(decode_proc_address(address))
    return listening
