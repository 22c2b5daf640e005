#!/usr/bin/env python3
"""One long HTTP/1.0 request: --chunks pieces of --size bytes, one every
--gap seconds (TCP_NODELAY: one segment each), then the request's end;
reads the answer (and any echo) to EOF. A connection that lasts long
enough to show a clock's rate, or to carry data a middlebox can rewrite.
Writes its outcome to --out."""
import argparse
import asyncio
import json
import socket
import time


async def main(a):
    res = {"succeeded": 0, "failed": 0, "error": None, "sent": 0, "received": 0}
    t0 = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(a.host, a.port, local_addr=(a.local, a.sport) if a.sport else None), 10)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        got = bytearray()

        async def rd():
            while True:
                d = await reader.read(65536)
                if not d:
                    return
                got.extend(d)

        rtask = asyncio.ensure_future(rd())
        await asyncio.sleep(a.delay_first)
        for _ in range(a.chunks):
            writer.write(b"x" * a.size)
            await writer.drain()
            res["sent"] += a.size
            await asyncio.sleep(a.gap)
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        await asyncio.wait_for(rtask, a.timeout)
        res["received"] = len(got)
        if b"HTTP/1.0 200" in got:
            res["succeeded"] = 1
        else:
            res["failed"] = 1
            res["error"] = "no HTTP answer"
        writer.close()
    except Exception as e:
        res["failed"] = 1
        res["error"] = type(e).__name__
    res["elapsed_s"] = round(time.monotonic() - t0, 3)
    with open(a.out, "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--chunks", type=int, default=10)
    p.add_argument("--size", type=int, default=100)
    p.add_argument("--gap", type=float, default=0.1)
    p.add_argument("--delay-first", type=float, default=0.0, help="idle time after the handshake (s)")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--local", default="0.0.0.0")
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--out", required=True)
    asyncio.run(main(p.parse_args()))
