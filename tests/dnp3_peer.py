"""A DNP3 outstation and master talking over TCP on 127.0.0.1 (dnp3py, pure Python), for the
real-peer loopback test in tests/dnp3.rs: an integrity poll (class 0 data: binary and analog
inputs, counters, binary and analog outputs), event polls, then a direct-operate CROB.

Usage: python3 dnp3_peer.py PORT
"""

import asyncio
import sys

from dnp3.database.database import Database
from dnp3.master.commands import CommandBuilder
from dnp3.master.master import Master
from dnp3.master.tcp_runner import MasterTcpRunner
from dnp3.master.config import MasterConfig
from dnp3.outstation.config import OutstationConfig
from dnp3.outstation.outstation import Outstation
from dnp3.outstation.tcp_runner import OutstationTcpRunner


async def main(port: int) -> None:
    db = Database()
    for i in range(4):
        db.add_binary_input(i, value=i % 2 == 0)
        db.add_analog_input(i, value=1.5 * i)
        db.add_counter(i, value=100 + i)
        db.add_binary_output(i, value=False)
        db.add_analog_output(i, value=0.0)
    outstation = Outstation(config=OutstationConfig(address=10, master_address=1), database=db)
    server = OutstationTcpRunner(outstation=outstation, host="127.0.0.1", port=port)
    task = asyncio.create_task(server.run())
    for _ in range(50):
        if server.is_running:
            break
        await asyncio.sleep(0.05)
    runner = MasterTcpRunner(master=Master(config=MasterConfig(address=1, outstation_address=10)), host="127.0.0.1", port=port)
    await runner.open()
    try:
        await runner.integrity_poll()
        await runner.class_poll()
        try:
            op = CommandBuilder().latch_on(1).build_direct_operate()
            await runner.request(op.build_request(seq=3))
        except Exception as e:  # the control is extra; the polls are what the test needs
            print("direct operate:", e, file=sys.stderr)
    finally:
        await runner.close()
        await server.stop()
        task.cancel()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
