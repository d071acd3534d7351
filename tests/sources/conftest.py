"""A fake KoboToolbox on 127.0.0.1 per test, holding one training attendance form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kobo_server import ASSET, KoboServer, KoboState


@pytest.fixture
def kobo() -> Iterator[KoboServer]:
    """The server, with an empty form `aTrainingForm`; tests add submissions to `kobo.state.assets[ASSET]`."""
    with KoboServer(KoboState(assets={ASSET: []})) as server:
        yield server
