#!/usr/bin/env python3
"""A TCP relay that adds a fixed delay each way: a slow link (50 ms round trip) for
vsftpd_rtt, on loopback.

    delay-relay.py DELAY_MS LISTEN_HOST UPSTREAM_HOST PORT...

Listens on LISTEN_HOST:PORT for every PORT (the control port and the passive range) and
forwards each connection to UPSTREAM_HOST:PORT, holding every chunk DELAY_MS before passing
it on, in order, in both directions. The kernel's netem qdisc would do this in a network
namespace, but not every kernel has it (this CI machine's has not); a relay needs nothing.
"""

import asyncio
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def deliver():
        while True:
            due, chunk = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            writer.write(chunk)
            await writer.drain()

    task = asyncio.create_task(deliver())
    try:
        while True:
            chunk = await reader.read(65536)
            await queue.put((loop.time() + delay, chunk or None))
            if not chunk:
                break
        await task
    except (OSError, ConnectionError):
        task.cancel()
    finally:
        try:
            writer.close()
        except OSError:
            pass


def handler(upstream_host, port, delay):
    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(upstream_host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, up_writer, delay),
            pump(up_reader, client_writer, delay),
            return_exceptions=True,
        )

    return handle


async def main():
    delay = int(sys.argv[1]) / 1000.0
    listen_host, upstream_host = sys.argv[2], sys.argv[3]
    ports = [int(p) for p in sys.argv[4:]]
    servers = [
        await asyncio.start_server(handler(upstream_host, p, delay), listen_host, p)
        for p in ports
    ]
    print(f"delay-relay: {len(servers)} ports, {delay * 1000:.0f} ms each way", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
