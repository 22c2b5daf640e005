#!/usr/bin/env python3
"""HTTP/1.0 server that closes first (so it, not the client, holds TIME_WAIT).

A small asyncio socket program rather than http.server: the busy-server
scenario needs thousands of connections a second on a shared machine.
Writes its own counts as JSON to --out when stopped (SIGTERM/SIGINT).
"""
import argparse
import asyncio
import json
import signal
import socket

BODY = b"ok\n"
RESPONSE = (
    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
)


async def main(a):
    counts = {"served": 0, "errors": 0}

    async def handle(reader, writer):
        try:
            if a.echo is not None:
                # Echo each chunk after a pause until the request's end: the
                # server then sends pure ACKs first and data a little later.
                buf = b""
                while not buf.endswith(b"\r\n\r\n"):
                    chunk = await asyncio.wait_for(reader.read(65536), 30)
                    if not chunk:
                        break
                    buf = (buf + chunk)[-4:]
                    await asyncio.sleep(a.echo)
                    writer.write(chunk)
            else:
                await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            # Corked: the answer and the FIN leave in one segment, as a
            # sendfile()-style server sends them (fewer frames to commit).
            sock = writer.get_extra_info("socket")
            if sock is not None and not a.bulk and a.echo is None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            # --bulk: a longer answer, so that data segments flow server -> client.
            writer.write(RESPONSE if not a.bulk else RESPONSE + b"x" * a.bulk)
            await writer.drain()
            counts["served"] += 1
        except Exception:
            counts["errors"] += 1
        finally:
            writer.close()

    socks = []
    for addr in a.bind:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, a.port))
        s.listen(a.backlog)
        s.setblocking(False)
        socks.append(await asyncio.start_server(handle, sock=s, backlog=a.backlog, limit=1 << 20))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    for s in socks:
        s.close()
    if a.out:
        with open(a.out, "w") as f:
            json.dump(counts, f)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--bind", action="append", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--backlog", type=int, default=4096)
    p.add_argument("--bulk", type=int, default=0)
    p.add_argument("--echo", type=float, default=None, help="echo mode, pause (s) before each echo")
    p.add_argument("--out")
    asyncio.run(main(p.parse_args()))
