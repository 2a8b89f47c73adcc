"""The loopback servers some tests use (Redis), and how the project's cache talks to them."""

import socket

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_is_listening():
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def redis_cache_settings(location):
    return {"default": {
        "BACKEND": "newsroom.cache.ResilientRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": "newsroom-tests",
        # Generous: a loaded machine must not look like a Redis outage (those refuse at once).
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }}
