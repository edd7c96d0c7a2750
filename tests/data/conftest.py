import socket

import pytest


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to open a network socket fails, so a loader that downloads is caught."""

    def refuse(*args, **kwargs):
        raise OSError("network access is disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
