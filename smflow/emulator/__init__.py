"""A local emulator of the classic Azure Service Management API (smflow's default target).

Faithful enough that Microsoft's own client cannot tell the difference (tests/emulator/test_sdk.py),
answering every recorded request with the recorded shape (test_recordings.py); asynchronous
operations really take time, and faults can be injected on demand.

    from smflow.emulator.server import EmulatorServer
    with EmulatorServer(latency=0.1) as emu:        # 127.0.0.1, any free port
        client = AsmClient(endpoint=emu.url, ...)   # emu.state is the EmulatorState, for assertions

Layout (moto's split): ``resources`` + ``subscription`` + ``state``/``deployments``/``accounts``
(state and rules, no HTTP) · ``operations`` (the latency table) · ``wire`` (XML primitives and
request readers) · ``writers``/``account_writers`` (response XML) · ``handlers`` (one module per API
area, assembled by an explicit list) · ``context`` (Context/Reply) · ``routes`` (from the catalogue) · ``faults`` ·
``app`` (the one error boundary) · ``server`` · ``persist`` (``--state`` SQLite) ·
``catalog_data`` (locations, guest OS, public images).
"""
