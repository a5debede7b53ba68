"""Readers during swaps: whole snapshots only, no exception, never a wait on the network."""

from __future__ import annotations

import threading
import time
from typing import Any

from ssm_config import SSMSettings, SSMSettingsConfigDict


class Pair(SSMSettings):
    model_config = SSMSettingsConfigDict(ssm_prefix="/pair", ssm_ttl=3600)
    left: int
    right: int


def test_eight_readers_during_200_swaps_see_whole_snapshots(ssm: Any, closing: list[Any]) -> None:
    """Both values change together each round; no reader ever sees them differ."""
    ssm.put_parameter(Name="/pair/left", Value="0", Type="String")
    ssm.put_parameter(Name="/pair/right", Value="0", Type="String")
    config = Pair(_ssm_client=ssm)
    closing.append(config)
    stop = threading.Event()
    errors: list[BaseException] = []
    seen: list[set[int]] = [set() for _ in range(8)]

    def read(slot: int) -> None:
        try:
            while not stop.is_set():
                snapshot = config.model_copy()
                assert snapshot.left == snapshot.right
                seen[slot].add(snapshot.left)
                assert isinstance(config.left, int)
                time.sleep(0)  # yield the GIL so the writer is not starved by 8 spinning readers
        except BaseException as exc:
            errors.append(exc)
            raise

    readers = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for reader in readers:
        reader.start()
    try:
        for i in range(1, 201):
            ssm.put_parameter(Name="/pair/left", Value=str(i), Type="String", Overwrite=True)
            ssm.put_parameter(Name="/pair/right", Value=str(i), Type="String", Overwrite=True)
            assert config.ssm_refresh() == ["left", "right"]
    finally:
        stop.set()
        for reader in readers:
            reader.join(10)
    assert errors == []
    assert (config.left, config.right) == (200, 200)
    assert all(len(s) > 1 for s in seen), "every reader overlapped several swaps"
