#!/usr/bin/env python3
"""HTTP/1.0 client: N requests, C at a time, each retried by the program
itself (not only by the kernel) up to --retries times.

Its own outcome counts are part of a scenario's truth:
  succeeded  requests that got an HTTP 200 in the end
  retried    requests that needed at least one program-level retry
  failed     requests that never got an answer
  attempts   connect attempts made by the program
  errors     the exceptions behind the retries, by type
The kernel's own retries (a SYN resent after an RST, TcpExtTCPSynRetrans)
are invisible here; the lab reads them from nstat.
"""
import argparse
import asyncio
import json
import socket
import time


async def one(a, counts):
    for attempt in range(a.retries + 1):
        counts["attempts"] += 1
        writer = None
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    a.host,
                    a.port,
                    local_addr=(a.local, a.sport) if a.sport else None,
                ),
                a.timeout,
            )
            writer.write(b"GET / HTTP/1.0\r\nHost: lab\r\n\r\n")
            data = await asyncio.wait_for(reader.read(), a.timeout)
            if not data.startswith(b"HTTP/1.0 200"):
                raise ValueError("bad answer")
            counts["succeeded"] += 1
            if attempt:
                counts["retried"] += 1
            return
        except Exception as e:  # every failure is a datum of the scenario
            name = type(e).__name__
            counts["errors"][name] = counts["errors"].get(name, 0) + 1
            if a.sport:
                await asyncio.sleep(0.05)
        finally:
            if writer is not None:
                writer.close()
    counts["failed"] += 1


async def main(a):
    counts = {"requests": a.count, "succeeded": 0, "retried": 0, "failed": 0, "attempts": 0, "errors": {}}
    sem = asyncio.Semaphore(a.concurrency)
    t0 = time.monotonic()

    async def guarded():
        async with sem:
            await one(a, counts)
            if a.gap:
                await asyncio.sleep(a.gap)

    # Bounded task creation: at most 4*C pending coroutines at a time.
    pending = set()
    for _ in range(a.count):
        if len(pending) >= 4 * a.concurrency:
            _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        pending.add(asyncio.ensure_future(guarded()))
    if pending:
        await asyncio.wait(pending)
    counts["elapsed_s"] = round(time.monotonic() - t0, 3)
    with open(a.out, "w") as f:
        json.dump(counts, f)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--concurrency", type=int, default=1)
    p.add_argument("--retries", type=int, default=3)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--gap", type=float, default=0.0, help="pause after each request (s)")
    p.add_argument("--local", default="0.0.0.0")
    p.add_argument("--sport", type=int, default=0, help="pin the source port")
    p.add_argument("--out", required=True)
    asyncio.run(main(p.parse_args()))
