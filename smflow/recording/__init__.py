"""Record a flow's HTTP traffic once, replay it offline in milliseconds, never keep a secret.

    smflow run flows/blue_green.flow --record cassettes/blue_green.yaml   # against any target
    smflow run flows/blue_green.flow --replay cassettes/blue_green.yaml   # offline, no socket

The modules, one job each:

- ``replay``: what ``smflow run --replay`` serves a run through: ``CassetteTransport``, a
  transport answering the client from the cassette (no HTTP stack, no vcrpy, no socket).
- ``session``: ``recording`` (vcrpy, record mode ``all``), the context manager a recorded run
  runs inside, and ``replaying``, vcrpy serving a cassette to code that sends through
  ``requests`` itself (Microsoft's SDK, tests).
- ``cassette``: the file (vcrpy's format plus an ``smflow:`` block with a format version),
  loaded fast, written atomically.
- ``scrub``: the subscription id, passwords, keys, certificate data and ``secret`` values out
  of every recorded interaction, before anything is written; ``leaks``: the check of the
  written bytes that refuses the cassette if one got through anyway.
- ``matching``: when a replayed request is the recorded one (method, path, query, canonical
  XML) and, if not, which field differs; ``playback``: smflow's playback rules, in one place
  for both ways of replaying (reads are a timeline whose last answer repeats, writes are served
  once and in order, a request that got no answer live fails again) and an index;
  ``player``: vcrpy's cassette serving by those rules.
- ``drift``: a replay miss as a ``ReplayDriftError`` naming the flow's line, the request, the
  nearest recorded request and the differing fields.

Re-record the repository's cassettes (one per ``flows/*.flow``, against the local emulator)
with ``python -m pytest tests/recording/test_cassettes.py --smflow-record``; users test their
own runbooks with the pytest plugin (``smflow.pytest_plugin``).
"""
